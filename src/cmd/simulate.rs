//! `costlab simulate`: replay evidence against storage policies and price each month.

use super::{Failure, emit, input, output};
use anyhow::anyhow;
use clap::{Args, ValueEnum};
use costlab::pipeline;
use costlab::report::Report;
use costlab::report::views::{CsvView, JsonView, TableView, View};
use costlab::scenario::{Scenario, read_scenario};
use std::path::PathBuf;

/// Replay S3 evidence (access logs, an inventory) against each storage policy and price every
/// month: what the bill would have been, and would be, under each choice.
///
/// With a scenario file (docs/scenario.md), or from flags for quick questions:
///   costlab simulate scenarios/datalake.toml --format json
///   costlab simulate --logs logs/ --inventory inv/manifest.json \
///       --policy rot=lifecycle.json --intelligent-tiering --all-standard \
///       --start 2026-03-01 --end 2026-06-01
///
/// Every policy is replayed over the same evidence; lifecycle records in the logs (the bucket's
/// current configuration at work) are not replayed, since each policy decides its own.
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct SimulateArgs {
    /// A scenario file (TOML). Without it, the flags below describe the run.
    pub scenario: Option<PathBuf>,
    /// Access logs: files, directories, globs, .gz/.zst.
    #[arg(long, num_args = 1..)]
    pub logs: Vec<String>,
    /// An S3 Inventory manifest.json: the objects present at the start.
    #[arg(long)]
    pub inventory: Option<PathBuf>,
    /// A named lifecycle policy: NAME=LIFECYCLE.json|xml. Repeatable.
    #[arg(long, value_name = "NAME=FILE")]
    pub policy: Vec<String>,
    /// Compare Intelligent-Tiering (optionally with an archive configuration JSON).
    #[arg(long, value_name = "ARCHIVE_CONFIG", num_args = 0..=1, default_missing_value = "")]
    pub intelligent_tiering: Option<String>,
    /// Compare keeping everything in STANDARD.
    #[arg(long)]
    pub all_standard: bool,
    /// Replicate new objects under PREFIX to REGION in CLASS, optionally with RTC:
    /// PREFIX=REGION:CLASS[:rtc]. Repeatable.
    #[arg(long, value_name = "PREFIX=REGION:CLASS[:rtc]")]
    pub replicate: Vec<String>,
    /// Storage class of new objects (default STANDARD).
    #[arg(long)]
    pub new_object_class: Option<String>,
    /// The bucket is versioned: overwrites and DELETEs keep the old data as noncurrent versions
    /// (billed until a NoncurrentVersionExpiration removes them) and DELETEs add delete markers.
    #[arg(long)]
    pub versioning: bool,
    /// Past the end of the logs, repeat their last 7 days every week until --end: objects first
    /// seen in that week are created again each week (new objects, same keys, same history
    /// shifted), and the week's activity on older objects recurs on them. The logs must cover
    /// at least 7 whole days; they are taken to end at the midnight UTC after their last record
    /// (docs/scenario.md, "Repeating the last week").
    #[arg(long)]
    pub repeat_weekly: bool,
    /// First day of the horizon, YYYY-MM-DD (UTC).
    #[arg(long)]
    pub start: Option<String>,
    /// Day after the last, YYYY-MM-DD (exclusive).
    #[arg(long)]
    pub end: Option<String>,
    #[arg(long)]
    pub region: Option<String>,
    #[arg(long, value_name = "FILE")]
    pub pricing: Option<PathBuf>,
    #[command(flatten)]
    pub evidence: super::EvidenceArgs,
    #[command(flatten)]
    pub memory: super::MemoryArgs,
    /// Replay only shard I of N (objects whose key hashes to it; bucket-level requests go to
    /// shard 1). Write it with `--format shard` and combine shards with `costlab merge`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Skip the clairvoyant bound (each object stored the cheapest way knowing its future),
    /// which is otherwise reported as the policy `clairvoyant-bound`.
    #[arg(long)]
    pub no_bound: bool,
    #[arg(long, value_enum, default_value = "table")]
    pub format: SimFormat,
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SimFormat {
    Table,
    Json,
    Csv,
    /// Integer meters for `costlab merge` (with --shard).
    Shard,
}

/// The scenario the flags describe, without a scenario file.
fn from_flags(a: &SimulateArgs) -> Result<Scenario, Failure> {
    costlab::scenario::Flags {
        logs: a.logs.clone(),
        inventory: a.inventory.clone(),
        policy: a.policy.clone(),
        intelligent_tiering: a.intelligent_tiering.clone(),
        all_standard: a.all_standard,
        replicate: a.replicate.clone(),
        new_object_class: a.new_object_class.clone(),
        versioning: a.versioning,
        repeat_weekly: a.repeat_weekly,
        future: a.evidence.future.map(|f| f.model()),
        start: a.start.clone(),
        end: a.end.clone(),
        region: a.region.clone(),
        pricing: a.pricing.clone(),
    }
    .scenario()
    .map_err(input)
}

fn parse_shard(s: &str) -> Result<(u64, u64), Failure> {
    let bad = || {
        input(anyhow!(
            "--shard {s:?}: expected I/N with 1 <= I <= N, e.g. 2/8"
        ))
    };
    let (i, n) = s.split_once('/').ok_or_else(bad)?;
    let (i, n): (u64, u64) = (i.parse().map_err(|_| bad())?, n.parse().map_err(|_| bad())?);
    if i == 0 || n == 0 || i > n {
        return Err(bad());
    }
    Ok((i, n))
}

pub fn run(a: &SimulateArgs) -> Result<u8, Failure> {
    let mut sc = match &a.scenario {
        Some(p) => read_scenario(p).map_err(input)?,
        None => from_flags(a)?,
    };
    let shard = a.shard.as_deref().map(parse_shard).transpose()?;
    if shard.is_some() != (a.format == SimFormat::Shard) {
        return Err(input(anyhow!("--shard I/N and --format shard go together")));
    }
    let term = costlab::output::progress::Term::new();
    let o = super::options(&mut sc, &a.evidence, &a.memory, &term, !a.no_bound, false)?;
    let Some((index, count)) = shard else {
        let report = pipeline::run(&mut sc, &o)?;
        return render(&report, a.format, a.output.as_deref());
    };
    let s = pipeline::shard(&mut sc, &o, index, count)?;
    let mut buf = serde_json::to_vec_pretty(&s.to_json()).map_err(output)?;
    buf.push(b'\n');
    emit(&buf, a.output.as_deref())?;
    Ok(0)
}

/// Writes `report` in `format` (shared with `costlab merge`).
pub(super) fn render(
    report: &Report,
    format: SimFormat,
    out: Option<&std::path::Path>,
) -> Result<u8, Failure> {
    let view: &dyn View = match format {
        SimFormat::Json | SimFormat::Shard => &JsonView,
        SimFormat::Csv => &CsvView,
        SimFormat::Table => &TableView,
    };
    let mut buf = Vec::new();
    view.render(report, &mut buf).map_err(output)?;
    emit(&buf, out)?;
    super::note_skipped(&report.evidence.ledger);
    Ok(0)
}
