//! `costlab merge SHARD.json…`: combine usage shards into one priced report.

use super::simulate::{EvidenceReport, SimFormat, render};
use super::{Failure, input};
use anyhow::anyhow;
use clap::Args;
use costlab::pricing::Catalog;
use costlab::scenario::Scenario;
use costlab::sim::s3::shard::Shard;
use costlab::sim::s3::{PolicyRun, ReplayOptions, accum};
use costlab::units::Timestamp;
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
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
    /// A pricing file (default: the built-in book of the shards' region).
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
        let text =
            std::fs::read_to_string(p).map_err(|e| input(anyhow!("{}: {e}", p.display())))?;
        let v: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| input(anyhow!("{}: not JSON: {e}", p.display())))?;
        shards.push(Shard::from_json(&v).map_err(|e| input(anyhow!("{}: {e}", p.display())))?);
    }
    let whole = Shard::merge(shards).map_err(|e| input(anyhow!("{e}")))?;
    let region = whole.region.clone();
    // The scenario's pricing file (carried by the shards) unless --pricing names another.
    let pricing: Option<PathBuf> = a
        .pricing
        .clone()
        .or_else(|| whole.pricing.as_ref().map(PathBuf::from));
    let mut catalog = Catalog::open(pricing.as_deref(), Some(region.as_str())).map_err(input)?;
    let (first, last) = (
        accum::month_of(whole.start),
        accum::month_of(Timestamp(whole.end.0 - 1)),
    );
    let mut runs: Vec<PolicyRun> = whole
        .policies
        .into_iter()
        .map(|(name, kind, acc, stats)| PolicyRun {
            usage: acc.into_usage(&region, first, last),
            name,
            kind,
            accum: acc,
            stats,
        })
        .collect();
    whole
        .replication
        .apply(&mut runs, &region, whole.start, whole.end);
    let rep = EvidenceReport {
        ledger: whole.evidence.ledger,
        objects: whole.evidence.objects as usize,
        prefixes: whole.evidence.prefixes,
    };
    let sc = Scenario {
        name: whole.scenario,
        region: Some(region.to_string()),
        pricing,
        start: whole.start,
        end: whole.end,
        seed: whole.seed,
        logs: Vec::new(),
        inventory: None,
        generate: None,
        repeat_weekly: false,
        max_skipped_pct: None,
        options: ReplayOptions {
            versioning: whole.versioning,
            repeat: whole
                .repeat_from
                .map(|from| costlab::sim::s3::WeeklyRepeat { from }),
            ..ReplayOptions::default()
        },
        policies: Vec::new(),
        replication: Vec::new(),
        policy_replication: Vec::new(),
        current: whole.current,
        compute: None,
        optimize: Default::default(),
    };
    let mut report = super::simulate::build_report(&sc, &rep, &runs, &mut catalog)?;
    if let Some(c) = whole.compute {
        report.compute = Some(
            serde_json::from_value(c)
                .map_err(|e| input(anyhow!("shard 1: `compute` is not a compute report: {e}")))?,
        );
    }
    super::simulate::finish_report(&mut report, &catalog);
    render(&report, a.format, a.output.as_deref())
}
