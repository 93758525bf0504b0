//! `costlab merge SHARD.json…`: combine usage shards into one priced report.

use super::simulate::{SimFormat, render};
use super::{Failure, input};
use anyhow::anyhow;
use clap::Args;
use costlab::sim::s3::shard::Shard;
use std::path::PathBuf;

/// Merge the usage shards of one simulation (written by `costlab simulate … --shard I/N
/// --format shard`) and price the whole. Shards add as integers, so the result is exactly what
/// one machine would have computed; every shard 1..N must be given once.
///
/// Example:
///   for i in 1 2 3 4; do costlab simulate s.toml --shard $i/4 --format shard -o s$i.json; done
///   costlab merge s1.json s2.json s3.json s4.json --format json
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct MergeArgs {
    /// The shard files, 1 to N of one run, in any order.
    #[arg(required = true, value_name = "SHARD.json")]
    pub shards: Vec<PathBuf>,
    /// A pricing file (default: the scenario's, which the shards name, else the built-in book
    /// of their region).
    #[arg(long, value_name = "FILE")]
    pub pricing: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: SimFormat,
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(a: &MergeArgs) -> Result<u8, Failure> {
    if a.format == SimFormat::Shard {
        return Err(input(anyhow!(
            "merge writes a report: --format table, json or csv"
        )));
    }
    let mut shards = Vec::new();
    for p in &a.shards {
        // Shards are reports of meters: read whole, up to the size a report may have.
        let text =
            costlab::trace::input::read_config_limited(p, costlab::report::model::MAX_REPORT_BYTES)
                .map_err(|e| input(anyhow!("{}: {e}", p.display())))?;
        let v: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| input(anyhow!("{}: not JSON: {e}", p.display())))?;
        shards.push(Shard::from_json(&v).map_err(|e| input(anyhow!("{}: {e}", p.display())))?);
    }
    let report = costlab::pipeline::merge(shards, a.pricing.clone())?;
    render(&report, a.format, a.output.as_deref())
}
