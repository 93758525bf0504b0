//! Simulators: they replay evidence against choices and emit metered `Usage`, never prices
//! (`sim::s3` for storage policies; the compute fleet simulator comes later). A decision that
//! would need a price (say, a restore tier) arrives as a parameter.

pub mod fleet;
pub mod s3;
