//! `costlab simulate`: replay evidence against storage policies and price each month.

use super::{Failure, emit, input, output};
use anyhow::anyhow;
use clap::{Args, ValueEnum};
use costlab::aws::{Region, StorageClass};
use costlab::cost::{Bill, RateOptions, rate};
use costlab::pricing::Catalog;
use costlab::report::{bill_json, decimal_json};
use costlab::scenario::{Scenario, parse_date, read_scenario};
use costlab::sim::s3::{
    Evidence, Initial, ObjectHistory, Policy, PolicyKind, PolicyRun, ReplayOptions,
    ReplicationRule, Simulation, Stats, replicate,
};
use costlab::trace::access_log::{LogReader, Mode, ReadError, SkipLog};
use costlab::trace::inventory::{Mode as InvMode, read_inventory};
use costlab::trace::lifecycle::read_file as read_lifecycle;
use costlab::units::GIB;
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};
use std::io::Write;
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
    /// Stop at the first malformed evidence line (exit 2).
    #[arg(long)]
    pub strict: bool,
    /// Replay only shard I of N (objects whose key hashes to it; bucket-level requests go to
    /// shard 1). Write it with `--format shard` and combine shards with `costlab merge`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
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

fn from_flags(a: &SimulateArgs) -> Result<Scenario, Failure> {
    let date = |v: &Option<String>, k: &str| -> Result<_, Failure> {
        let s = v.as_deref().ok_or_else(|| {
            input(anyhow!(
                "without a scenario file, --{k} YYYY-MM-DD is required"
            ))
        })?;
        parse_date(s).ok_or_else(|| input(anyhow!("--{k}: expected YYYY-MM-DD, got {s:?}")))
    };
    let (start, end) = (date(&a.start, "start")?, date(&a.end, "end")?);
    if end <= start {
        return Err(input(anyhow!(
            "--end must be after --start (end is exclusive)"
        )));
    }
    let mut policies = Vec::new();
    for p in &a.policy {
        let (name, file) = p
            .split_once('=')
            .ok_or_else(|| input(anyhow!("--policy {p:?}: expected NAME=LIFECYCLE.json")))?;
        let cfg = read_lifecycle(std::path::Path::new(file)).map_err(input)?;
        let problems = costlab::trace::lifecycle::validate(&cfg);
        if let Some(e) = problems.first() {
            return Err(input(anyhow!(
                "--policy {name}: S3 would reject {file}: {e}"
            )));
        }
        policies.push(Policy {
            name: name.into(),
            kind: PolicyKind::Lifecycle(cfg),
        });
    }
    if let Some(cfg) = &a.intelligent_tiering {
        let (mut archive, mut deep) = (None, None);
        if !cfg.is_empty() {
            let text = std::fs::read_to_string(cfg).map_err(|e| input(anyhow!("{cfg}: {e}")))?;
            for c in
                costlab::trace::lifecycle::parse_intelligent_tiering(cfg, &text).map_err(input)?
            {
                for t in c.tierings {
                    match t.access_tier {
                        costlab::trace::lifecycle::AccessTier::ArchiveAccess => {
                            archive = Some(t.days)
                        }
                        costlab::trace::lifecycle::AccessTier::DeepArchiveAccess => {
                            deep = Some(t.days)
                        }
                    }
                }
            }
        }
        policies.push(Policy {
            name: "intelligent-tiering".into(),
            kind: PolicyKind::IntelligentTiering {
                archive_days: archive,
                deep_archive_days: deep,
            },
        });
    }
    if a.all_standard {
        policies.push(Policy {
            name: "all-standard".into(),
            kind: PolicyKind::AllStandard,
        });
    }
    if policies.is_empty() {
        return Err(input(anyhow!(
            "name at least one policy: --policy NAME=FILE, --intelligent-tiering or --all-standard"
        )));
    }
    let mut replication = Vec::new();
    for r in &a.replicate {
        let bad = || {
            input(anyhow!(
                "--replicate {r:?}: expected PREFIX=REGION:CLASS[:rtc]"
            ))
        };
        let (prefix, rest) = r.split_once('=').ok_or_else(bad)?;
        let parts: Vec<&str> = rest.split(':').collect();
        if !(2..=3).contains(&parts.len()) || (parts.len() == 3 && parts[2] != "rtc") {
            return Err(bad());
        }
        replication.push(ReplicationRule {
            prefix: prefix.to_string(),
            destination_region: Region::parse(parts[0])
                .map_err(|e| input(anyhow!("--replicate: {e}")))?,
            destination_class: parts[1]
                .parse()
                .map_err(|e: String| input(anyhow!("--replicate: {e}")))?,
            rtc: parts.len() == 3,
            destination_lifecycle: None,
        });
    }
    let mut options = ReplayOptions::default();
    if let Some(c) = &a.new_object_class {
        options.default_class = c
            .parse::<StorageClass>()
            .map_err(|e| input(anyhow!("--new-object-class: {e}")))?;
    }
    Ok(Scenario {
        name: "command-line".into(),
        region: a.region.clone(),
        pricing: a.pricing.clone(),
        start,
        end,
        seed: 0,
        logs: a.logs.clone(),
        inventory: a.inventory.clone(),
        generate: None,
        options,
        policies,
        replication,
    })
}

/// What was read, for the report.
pub(super) struct EvidenceReport {
    pub lines: SkipLog,
    pub inventory_rows: u64,
    pub inventory_skipped: u64,
    pub objects: usize,
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

/// Reads the logs into object histories (the inventory is streamed later).
fn load_logs(
    sc: &Scenario,
    strict: bool,
    shard: Option<(u64, u64)>,
    rep: &mut EvidenceReport,
) -> Result<Evidence, Failure> {
    let mut ev = Evidence::default();
    ev.shard = shard;
    if !sc.logs.is_empty() {
        let sources = costlab::trace::access_log::reader::expand(&sc.logs).map_err(input)?;
        let mode = if strict { Mode::Strict } else { Mode::Lenient };
        let pb = super::progress("reading logs", "records");
        rep.lines = LogReader::new(mode)
            .for_each(&sources, |_, r| -> Result<(), ReadError> {
                ev.add_record(r);
                pb.inc(1);
                Ok(())
            })
            .map_err(input)?;
        pb.finish_and_clear();
    }
    ev.finish();
    Ok(ev)
}

/// Objects replayed per parallel batch while streaming an inventory.
const BATCH: usize = 1 << 16;

/// Streams the inventory through the simulation (each object with its log events, if any),
/// then the objects seen only in the logs.
fn replay_all(
    sc: &Scenario,
    strict: bool,
    ev: &mut Evidence,
    sim: &mut Simulation<'_>,
    rep: &mut EvidenceReport,
) -> Result<(), Failure> {
    if let Some(m) = &sc.inventory {
        let mode = if strict {
            InvMode::Strict
        } else {
            InvMode::Lenient
        };
        let mut reader = read_inventory(m, mode).map_err(input)?;
        let mut batch: Vec<ObjectHistory> = Vec::with_capacity(BATCH);
        let pb = super::progress("replaying inventory", "objects");
        for rec in reader.by_ref() {
            pb.inc(1);
            let rec = rec.map_err(input)?;
            rep.inventory_rows += 1;
            // Current versions only: noncurrent versions and delete markers need versioned replay.
            let (Some(size), Some(created)) = (rec.size, rec.last_modified) else {
                rep.inventory_skipped += 1;
                continue;
            };
            if !rec.is_latest || rec.is_delete_marker {
                rep.inventory_skipped += 1;
                continue;
            }
            if !ev.in_shard(&rec.key) {
                continue;
            }
            let class = rec.storage_class.unwrap_or(StorageClass::Standard);
            let events = ev.take_events(&rec.key);
            let initial = Initial {
                created,
                size,
                class,
                it_tier: rec.intelligent_tiering_access_tier,
            };
            batch.push(ObjectHistory {
                key: rec.key,
                initial: Some(initial),
                events,
            });
            rep.objects += 1;
            if batch.len() == BATCH {
                sim.replay_batch(&batch);
                batch.clear();
            }
        }
        sim.replay_batch(&batch);
        pb.finish_and_clear();
    }
    ev.retain_unconsumed();
    rep.objects += ev.objects.len();
    sim.replay_batch(&ev.objects);
    Ok(())
}

/// Generates the scenario's synthetic evidence into a fresh temporary directory (removed when
/// dropped) and points the scenario at it. Deterministic: the spec's seed fixes every byte.
struct Generated(PathBuf);

impl Drop for Generated {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn generate_evidence(sc: &mut Scenario) -> Result<Option<Generated>, Failure> {
    let Some(spec_path) = sc.generate.clone() else {
        return Ok(None);
    };
    let name = spec_path.display().to_string();
    let text = std::fs::read_to_string(&spec_path).map_err(|e| input(anyhow!("{name}: {e}")))?;
    let spec = costlab::trace::generate::Spec::parse(&name, &text).map_err(input)?;
    let dir =
        std::env::temp_dir().join(format!("costlab-gen-{}-{}", std::process::id(), spec.seed));
    let guard = Generated(dir.clone());
    let pb = super::progress("generating evidence", "");
    let opts = costlab::trace::generate::Options {
        out: dir.clone(),
        force: true,
        ..Default::default()
    };
    let summary = costlab::trace::generate::generate(&spec, &text, &opts)
        .map_err(|e| if e.is_input() { input(e) } else { output(e) })?;
    pb.finish_and_clear();
    sc.logs.push(
        costlab::trace::generate::logs_dir(&dir)
            .display()
            .to_string(),
    );
    if let Some(d) = summary.inventory {
        sc.inventory = Some(dir.join(d.manifest));
    }
    Ok(Some(guard))
}

pub fn run(a: &SimulateArgs) -> Result<u8, Failure> {
    let mut sc = match &a.scenario {
        Some(p) => read_scenario(p).map_err(input)?,
        None => from_flags(a)?,
    };
    let _generated = generate_evidence(&mut sc)?;
    if sc.logs.is_empty() && sc.inventory.is_none() {
        return Err(input(anyhow!(
            "no evidence: give logs, an inventory, or a generator spec"
        )));
    }
    let mut catalog = Catalog::open(sc.pricing.as_deref(), sc.region.as_deref()).map_err(input)?;
    let region: Region = catalog.home().region.clone();
    let mut rep = EvidenceReport {
        lines: SkipLog::default(),
        inventory_rows: 0,
        inventory_skipped: 0,
        objects: 0,
    };
    let shard = a.shard.as_deref().map(parse_shard).transpose()?;
    if shard.is_some() != (a.format == SimFormat::Shard) {
        return Err(input(anyhow!("--shard I/N and --format shard go together")));
    }
    let mut ev = load_logs(&sc, a.strict, shard, &mut rep)?;
    let rules = catalog.home().rules.s3.clone();
    // Replication depends only on the logs' writes: computed before the inventory takes them.
    let repl = replicate(&ev, &sc.replication, &rules, &region, sc.start, sc.end);
    let mut sim = Simulation::new(&sc.policies, &sc.options, &rules, &region, sc.start, sc.end);
    replay_all(&sc, a.strict, &mut ev, &mut sim, &mut rep)?;
    let mut runs = sim.finish(&ev.bucket_requests);
    if let Some((index, count)) = shard {
        let s = costlab::sim::s3::shard::Shard {
            scenario: sc.name.clone(),
            seed: sc.seed,
            index,
            count,
            start: sc.start,
            end: sc.end,
            region: region.clone(),
            policies: runs
                .into_iter()
                .map(|r| (r.name, r.accum, r.stats))
                .collect(),
            replication: repl,
            evidence: costlab::sim::s3::shard::EvidenceCounts {
                lines_read: rep.lines.read,
                lines_parsed: rep.lines.parsed,
                lines_skipped: rep.lines.skipped,
                inventory_rows: rep.inventory_rows,
                inventory_not_replayed: rep.inventory_skipped,
                objects: rep.objects as u64,
            },
        };
        let mut buf = serde_json::to_vec_pretty(&s.to_json()).map_err(output)?;
        buf.push(b'\n');
        emit(&buf, a.output.as_deref())?;
        return Ok(0);
    }
    repl.apply(&mut runs, &region, sc.start, sc.end);
    for r in &sc.replication {
        catalog.ensure(&r.destination_region).map_err(input)?;
    }
    render(
        &sc,
        &rep,
        &runs,
        &mut catalog,
        a.format,
        a.output.as_deref(),
    )
}

/// Rates every run and writes the report (shared with `costlab merge`).
pub(super) fn render(
    sc: &Scenario,
    rep: &EvidenceReport,
    runs: &[PolicyRun],
    catalog: &mut Catalog,
    format: SimFormat,
    out: Option<&std::path::Path>,
) -> Result<u8, Failure> {
    for r in runs {
        for region in r.usage.regions() {
            catalog.ensure(&region).map_err(input)?;
        }
    }
    let mut bills = Vec::new();
    for r in runs {
        bills.push(rate(&r.usage, catalog, &RateOptions::default()).map_err(input)?);
    }
    let mut buf = Vec::new();
    match format {
        SimFormat::Json | SimFormat::Shard => {
            serde_json::to_writer_pretty(&mut buf, &to_json(sc, rep, runs, &bills))
                .map_err(output)?;
            buf.push(b'\n');
        }
        SimFormat::Csv => csv_out(runs, &bills, &mut buf)?,
        SimFormat::Table => table(sc, rep, runs, &bills, &mut buf).map_err(output)?,
    }
    emit(&buf, out)?;
    if rep.lines.skipped > 0 {
        super::logs::report_skips(&rep.lines);
    }
    Ok(0)
}

fn stats_json(s: &Stats) -> Value {
    let gib = Decimal::from(GIB);
    let month_end: Map<String, Value> = s
        .bytes_at_month_end
        .iter()
        .map(|(m, by)| {
            (
                m.to_string(),
                by.iter()
                    .map(|(k, v)| (k.clone(), json!(*v as u64)))
                    .collect::<Map<_, _>>()
                    .into(),
            )
        })
        .collect();
    json!({
        "bytes_by_class_at_month_end": month_end,
        "objects_transitioned": s.transitions,
        "expirations": s.expirations,
        "early_delete_gb_hours": decimal_json(costlab::units::decimal_from_u128(s.early_delete_byte_seconds) / Decimal::from(3600) / gib),
        "restores": s.restores,
        "restore_wait_hours_total": s.restore_wait_hours,
        "restore_wait_hours_max": s.max_restore_wait_hours,
        "reads_by_class": s.reads_by_class,
    })
}

fn to_json(sc: &Scenario, rep: &EvidenceReport, runs: &[PolicyRun], bills: &[Bill]) -> Value {
    let mut reasons = Map::new();
    for (k, v) in &rep.lines.reasons {
        reasons.insert(k.to_string(), json!(v));
    }
    let policies: Vec<Value> = runs
        .iter()
        .zip(bills)
        .map(|(r, b)| {
            let bj = bill_json(b);
            json!({
                "name": r.name,
                "total_usd": bj["total_usd"],
                "months": bj["months"],
                "warnings": bj["warnings"],
                "stats": stats_json(&r.stats),
            })
        })
        .collect();
    let first = bills.first();
    json!({
        "schema_version": 1,
        "scenario": sc.name,
        "seed": sc.seed,
        "horizon": {"start": sc.start.to_string(), "end": sc.end.to_string()},
        "pricing": first.map(|b| json!({"source": b.pricing.source, "effective_date": b.pricing.effective_date, "region": b.pricing.region.as_str()})),
        "evidence": {
            "lines": {"read": rep.lines.read, "parsed": rep.lines.parsed, "skipped": rep.lines.skipped, "skip_reasons": reasons},
            "inventory_rows": rep.inventory_rows,
            "inventory_rows_not_replayed": rep.inventory_skipped,
            "objects": rep.objects,
        },
        "policies": policies,
    })
}

fn csv_out(runs: &[PolicyRun], bills: &[Bill], buf: &mut Vec<u8>) -> Result<(), Failure> {
    let mut w = csv::Writer::from_writer(buf);
    let mut header = vec!["policy"];
    header.extend_from_slice(&costlab::report::CSV_HEADER);
    w.write_record(&header).map_err(output)?;
    for (r, b) in runs.iter().zip(bills) {
        for m in &b.months {
            for l in &m.lines {
                let fields = costlab::report::csv_line_record(m.month, l);
                w.write_record(
                    std::iter::once(r.name.as_str()).chain(fields.iter().map(String::as_str)),
                )
                .map_err(output)?;
            }
        }
    }
    w.flush().map_err(output)
}

fn table(
    sc: &Scenario,
    rep: &EvidenceReport,
    runs: &[PolicyRun],
    bills: &[Bill],
    out: &mut Vec<u8>,
) -> std::io::Result<()> {
    writeln!(
        out,
        "Scenario {} — {} .. {} (end exclusive), seed {}",
        sc.name, sc.start, sc.end, sc.seed
    )?;
    if let Some(b) = bills.first() {
        writeln!(
            out,
            "Prices: {} book ({}), effective {}",
            b.pricing.region,
            b.pricing.files.first().map(String::as_str).unwrap_or(""),
            b.pricing.effective_date
        )?;
    }
    writeln!(
        out,
        "Evidence: {} log lines ({} skipped), {} inventory rows, {} objects",
        rep.lines.read, rep.lines.skipped, rep.inventory_rows, rep.objects
    )?;
    let best = bills
        .iter()
        .map(|b| b.total.usd())
        .min()
        .unwrap_or_default();
    writeln!(out)?;
    writeln!(out, "  {:<28} {:>16} {:>10}", "policy", "total", "vs best")?;
    for (r, b) in runs.iter().zip(bills) {
        let t = b.total.usd();
        let vs = if best.is_zero() {
            "-".to_string()
        } else {
            format!("+{:.1}%", (t - best) / best * Decimal::from(100))
        };
        writeln!(
            out,
            "  {:<28} {:>16} {:>10}",
            r.name,
            b.total.display(),
            if t == best { "best".into() } else { vs }
        )?;
    }
    writeln!(out)?;
    let months: Vec<_> = bills
        .first()
        .map(|b| b.months.iter().map(|m| m.month).collect())
        .unwrap_or_default();
    write!(out, "  {:<28}", "monthly")?;
    for m in &months {
        write!(out, " {:>14}", m.to_string())?;
    }
    writeln!(out)?;
    for (r, b) in runs.iter().zip(bills) {
        write!(out, "  {:<28}", r.name)?;
        for m in &b.months {
            write!(out, " {:>14}", m.total.display())?;
        }
        writeln!(out)?;
    }
    for (r, b) in runs.iter().zip(bills) {
        if !b.warnings.is_empty() {
            writeln!(
                out,
                "\n{}: {} warnings (see --format json)",
                r.name,
                b.warnings.len()
            )?;
        }
    }
    Ok(())
}
