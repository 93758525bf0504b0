//! Simulators: they replay evidence against choices and emit metered `Usage`, never prices
//! (`sim::s3` for storage policies, `sim::fleet` for compute purchases and jobs). A decision
//! that would need a price (a Savings Plan's coverage, the clairvoyant bound's choice) arrives
//! as a parameter: a rate card or unit prices built by the caller from its price book.

pub mod fleet;
pub mod s3;
