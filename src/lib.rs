//! costlab: what an AWS bill will be under choices not made yet.
//!
//! Evidence and usage are metered the way AWS meters them (`meter`), rated with price books kept
//! as data (`pricing`) into bills of line items (`cost`), and exported (`report`). See
//! `docs/` for the file formats and the repository's design notes for the architecture.

pub mod aws;
pub mod budget;
pub mod cost;
pub mod meter;
pub mod optimize;
pub mod output;
pub mod pipeline;
pub mod pricing;
pub mod report;
pub mod rules;
pub mod scenario;
pub mod sim;
pub mod tomlx;
pub mod trace;
pub mod units;
pub mod workload;
