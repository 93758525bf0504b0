//! `costlab logs stats FILES…`: what the logs say about objects, requests and access by age.

use super::logs::InputArgs;
use super::{Failure, emit, output};
use clap::{Args, ValueEnum};
use costlab::trace::access_log::LogReader;
use costlab::trace::access_log::stats::LogStats;
use costlab::trace::access_log::stats_view::{table, to_json};

/// Summarise access logs: objects, bytes, requests by operation and billing class, reads by
/// object-age band (0-14, 15-29, … 365+ days, as S3 Storage Class Analysis groups them), bytes
/// read vs stored per prefix, and the share of objects never read after 30/60/90/180/365 days.
///
/// An object's age counts from the first write of it in the logs; reads of objects created
/// before the logs begin are counted as "unknown" age.
///
/// Examples:
///   costlab logs stats logs/
///   costlab logs stats 'logs/*.gz' --format json | jq .never_read_after
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct StatsArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Group keys by their first N path segments (`raw/`, `raw/2026/`, …).
    #[arg(long, default_value_t = 1)]
    pub prefix_depth: usize,
    #[arg(long, value_enum, default_value = "table")]
    pub format: StatsFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StatsFormat {
    Table,
    Json,
}

pub fn run(args: &StatsArgs) -> Result<u8, Failure> {
    let sources = args.input.sources()?;
    let mut stats = LogStats::new(args.prefix_depth);
    let log = super::read_logs_with_progress(
        LogReader::new(args.input.mode()),
        &sources,
        |_, r| -> Result<(), Failure> {
            stats.add(r);
            Ok(())
        },
    )?;
    let summary = stats.finish();
    let mut buf = Vec::new();
    match args.format {
        StatsFormat::Json => {
            serde_json::to_writer_pretty(&mut buf, &to_json(&summary, &log)).map_err(output)?;
            buf.push(b'\n');
        }
        StatsFormat::Table => table(&summary, &log, &mut buf).map_err(output)?,
    }
    // Figures from logs past the limit of malformed lines are not printed.
    args.input.finish(&log)?;
    emit(&buf, None)?;
    Ok(0)
}
