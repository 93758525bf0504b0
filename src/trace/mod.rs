//! Evidence readers: S3 server access logs, S3 Inventory reports, lifecycle configurations
//! (and, later, compute traces and spot price history). Each reader streams, names file, line
//! and field in its errors, and never panics on any input.

pub mod access_log;
pub mod billing;
pub mod compute;
pub mod generate;
pub mod input;
pub mod inventory;
pub mod ledger;
pub mod lifecycle;
