//! Evidence readers: S3 server access logs, S3 Inventory reports, lifecycle configurations,
//! compute traces and spot price history, and the evidence-quality ledger they all count in.
//! Each reader streams, names file, line and field in its errors, and never panics on any
//! input. (Synthetic evidence is made by `workload`, not read here.)

pub mod access_log;
pub mod billing;
pub mod compute;
pub mod input;
pub mod inventory;
pub mod ledger;
pub mod lifecycle;
