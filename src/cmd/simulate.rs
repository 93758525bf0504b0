//! `costlab simulate`: replay evidence against storage policies and price each month.

use super::{Failure, emit, input, output};
use anyhow::anyhow;
use clap::{Args, ValueEnum};
use costlab::aws::{Region, StorageClass};
use costlab::cost::{RateOptions, rate};
use costlab::pricing::Catalog;
use costlab::report::Report;
use costlab::report::recommendation::LifecycleReport;
use costlab::report::views::{CsvView, JsonView, TableView, View};
use costlab::scenario::{Scenario, parse_date, read_scenario};
use costlab::sim::s3::grouped::GroupedSimulation;
use costlab::sim::s3::{
    BATCH, EventKind, Evidence, ObjectHistory, Policy, PolicyKind, PolicyRun, RecordBatch,
    ReplayOptions, ReplicationRule, ReplicationUsage, Simulation, replicate,
    spill::{Gather, HashRange, Loaded, Part, Partitioned, SpillError, StartsWriter},
};
use costlab::trace::access_log::{LogReader, Mode, SkipLog};
use costlab::trace::ledger::{Ledger, NOT_BILLED, OTHER_SHARD, SkipLimit, Tally, source};
use costlab::trace::lifecycle::read_file as read_lifecycle;
use std::collections::BTreeMap;
use std::path::PathBuf;

mod inventory;

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
    let mut options = ReplayOptions {
        versioning: a.versioning,
        ..ReplayOptions::default()
    };
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
        max_skipped_pct: None,
        logs: a.logs.clone(),
        inventory: a.inventory.clone(),
        generate: None,
        repeat_weekly: a.repeat_weekly,
        options,
        policies,
        replication,
        policy_replication: Vec::new(),
        current: None,
        compute: None,
        optimize: Default::default(),
    })
}

/// How evidence is read: strict (the first malformed line is an error) or lenient within a
/// limit on the share of each source that may be skipped.
#[derive(Clone, Copy, Debug, Default)]
pub struct Reading {
    pub strict: bool,
    pub limit: SkipLimit,
}

/// What was read, for the report.
#[derive(Default)]
pub(super) struct EvidenceReport {
    /// Every line and row read, used, left out or skipped, per source.
    pub ledger: Ledger,
    pub objects: usize,
    /// Top-level prefix → (objects, reads, bytes of their latest version).
    pub prefixes: BTreeMap<String, (u64, u64, u128)>,
}

impl EvidenceReport {
    /// Counts objects, reads and bytes by top-level prefix (`bronze/`, `gold/`…).
    fn tally(&mut self, objects: &[ObjectHistory]) {
        for o in objects {
            let prefix = match o.key.find('/') {
                Some(i) => &o.key[..=i],
                None => "(top level)",
            };
            let mut size = o.initial.map(|i| i.size).unwrap_or(0);
            let mut reads = 0;
            for e in &o.events {
                match e.kind {
                    EventKind::Write { size: s } => size = s,
                    EventKind::Read { .. } => reads += 1,
                    _ => {}
                }
            }
            let e = self.prefixes.entry(prefix.to_string()).or_default();
            e.0 += 1;
            e.1 += reads;
            e.2 += size as u128;
        }
    }
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

/// Reads the logs into object histories (the inventory is streamed later). Past the memory
/// limit, the objects are partitioned to disk (returned), and the evidence keeps what is not
/// an object's (requests not tied to one, the logs' span).
fn load_logs(
    sc: &Scenario,
    strict: bool,
    shard: Option<(u64, u64)>,
    rep: &mut EvidenceReport,
) -> Result<(Evidence, Option<Partitioned>), Failure> {
    let mut ev = Evidence::default();
    ev.shard = shard;
    let mut gather = Gather::new(super::memory_limit(), HashRange::ALL, std::env::temp_dir());
    if !sc.logs.is_empty() {
        let sources = costlab::trace::access_log::reader::expand(&sc.logs).map_err(input)?;
        let mode = if strict { Mode::Strict } else { Mode::Lenient };
        let log = read_logs_parallel(LogReader::new(mode), &sources, shard, &mut ev, &mut gather)?;
        let mut tally = log.tally();
        tally.reclassify_used(NOT_BILLED, ev.ignored);
        tally.reclassify_used(OTHER_SHARD, ev.other_shard);
        *rep.ledger.source(source::ACCESS_LOGS) = tally;
    }
    Ok((ev, gather.finish().map_err(output)?))
}

/// Reads the logs on one thread, parses them on one per core, and groups records by key on
/// this one. The reading thread cuts the merged lines into numbered chunks; parsed chunks are
/// added in their order, so the evidence, the skip log and the first strict-mode error are
/// those of reading everything on one thread.
fn read_logs_parallel(
    reader: LogReader,
    sources: &[costlab::trace::access_log::reader::LineSource],
    shard: Option<(u64, u64)>,
    ev: &mut Evidence,
    gather: &mut Gather,
) -> Result<SkipLog, Failure> {
    use costlab::trace::access_log::reader::{LineChunk, ReadError};
    use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
    use std::sync::{Arc, Mutex, mpsc::sync_channel};
    /// Why the reading thread stopped early.
    enum Stop {
        Read(ReadError),
        /// The parsers are gone (a chunk failed and everything after it is dropped).
        Hangup,
    }
    impl From<ReadError> for Stop {
        fn from(e: ReadError) -> Stop {
            Stop::Read(e)
        }
    }
    type Parsed = Result<(RecordBatch, SkipLog), ReadError>;
    let names: Vec<String> = sources.iter().map(|s| s.name()).collect();
    let total: u64 = sources.iter().map(|s| s.stored_bytes()).sum();
    let counter = Arc::new(AtomicU64::new(0));
    let reader = reader.counting(counter.clone());
    let parsers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, MAX_PARSERS);
    let pb = super::progress_bar("reading logs", total, true);
    let mut log = SkipLog::default();
    let mut failed: Option<ReadError> = None;
    let mut spill_failed: Option<SpillError> = None;
    let mut pending: BTreeMap<u64, Parsed> = BTreeMap::new();
    let mut next = 0u64;
    // Chunks added so far (`u64::MAX` once the grouping side stops), and its signal.
    let window = (Mutex::new(0u64), std::sync::Condvar::new());
    let release = |n: u64| {
        if let Ok(mut added) = window.0.lock() {
            *added = n;
        }
        window.1.notify_all();
    };
    let read = std::thread::scope(|scope| {
        let (chunk_tx, chunk_rx) = sync_channel::<LineChunk>(2 * parsers);
        // Shared by the parsers only: when they are all gone, the reader's sends fail.
        let chunk_rx = Arc::new(Mutex::new(chunk_rx));
        let (parsed_tx, parsed_rx) = sync_channel::<(u64, Parsed)>(2 * parsers);
        // Parsed chunks' buffers go back to the reader, to be filled again.
        let (spare_tx, spare_rx) = sync_channel::<Vec<u8>>(2 * parsers + AHEAD as usize);
        let reader = &reader;
        let reading = scope.spawn(move || {
            reader.chunks(
                sources,
                CHUNK_BYTES,
                || spare_rx.try_recv().ok(),
                |c| chunk_tx.send(c).map_err(|_| Stop::Hangup),
            )
        });
        let names = &names;
        let window = &window;
        let workers: Vec<_> = (0..parsers)
            .map(|_| {
                let (rx, tx, spare) = (chunk_rx.clone(), parsed_tx.clone(), spare_tx.clone());
                scope.spawn(move || {
                    loop {
                        let chunk = match rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return,
                        };
                        let Ok(chunk) = chunk else { return };
                        // Stay within AHEAD chunks of the grouping side (which waits for the
                        // oldest chunk), so that parsed batches waiting in order stay few.
                        let Ok(mut added) = window.0.lock() else {
                            return;
                        };
                        while chunk.seq >= added.saturating_add(AHEAD) {
                            added = match window.1.wait(added) {
                                Ok(a) => a,
                                Err(_) => return,
                            };
                        }
                        drop(added);
                        let mut batch = RecordBatch::new(shard);
                        let parsed = reader
                            .parse_chunk(names, &chunk, |_, r| -> Result<(), ReadError> {
                                batch.add(r);
                                Ok(())
                            })
                            .map(|log| (batch, log));
                        let seq = chunk.seq;
                        // A full channel (the reader has enough) drops the buffer.
                        let _ = spare.try_send(chunk.recycle());
                        if tx.send((seq, parsed)).is_err() {
                            return;
                        }
                    }
                })
            })
            .collect();
        drop((chunk_rx, parsed_tx, spare_tx));
        let mut records = 0u64;
        for (seq, parsed) in parsed_rx.iter() {
            pending.insert(seq, parsed);
            while let Some(parsed) = pending.remove(&next) {
                next += 1;
                match parsed {
                    Ok((batch, l)) => {
                        let added = match gather.spilling() {
                            Some(w) => ev.spill_batch(&batch, w).map(|()| None),
                            None => {
                                ev.add_batch(&batch);
                                gather.check(ev, counter.load(Relaxed), total)
                            }
                        };
                        match added {
                            Ok(Some((n, held))) => pb.suspend(|| {
                                eprintln!(
                                    "note: the objects read so far hold {}, past the memory \
                                     limit of {} (--memory-limit): partitioning them by key \
                                     to {n} files under {} and replaying them one by one",
                                    indicatif::BinaryBytes(held as u64),
                                    indicatif::BinaryBytes(super::memory_limit() as u64),
                                    std::env::temp_dir().display()
                                )
                            }),
                            Ok(None) => {}
                            Err(e) => {
                                spill_failed = Some(e);
                                break;
                            }
                        }
                        log.merge(&l);
                        records += l.parsed;
                        release(next);
                        pb.set_position(counter.load(Relaxed));
                        pb.set_message(format!("{records} records"));
                    }
                    Err(e) => {
                        failed = Some(e);
                        break;
                    }
                }
            }
            if failed.is_some() || spill_failed.is_some() {
                break;
            }
        }
        // Parsers still sending find the channel closed and stop; then the reader does.
        drop(parsed_rx);
        release(u64::MAX);
        // Every parser joined (not just up to the first that failed).
        let joined: Vec<bool> = workers.into_iter().map(|w| w.join().is_ok()).collect();
        let parsers_ok = joined.iter().all(|ok| *ok);
        let read = reading.join();
        (parsers_ok, read)
    });
    pb.finish_and_clear();
    let broken = || {
        input(ReadError::Io {
            file: "access logs".into(),
            source: std::io::Error::other("the log reader failed"),
        })
    };
    // A bad line in a chunk comes before anything the reader met after sending that chunk.
    if let Some(e) = failed {
        return Err(input(e));
    }
    if let Some(e) = spill_failed {
        return Err(output(e));
    }
    match read {
        (true, Ok(Ok(()))) if pending.is_empty() => Ok(log),
        (_, Ok(Err(Stop::Read(e)))) => Err(input(e)),
        _ => Err(broken()),
    }
}

/// Bytes of log lines per chunk handed to a parser.
const CHUNK_BYTES: usize = 1 << 20;

/// Log parsing threads, at most.
const MAX_PARSERS: usize = 8;

/// How many chunks past the oldest one not yet added a parser may start.
const AHEAD: u64 = 8;

/// Replays objects under every policy (and prices the optimizer's candidate rules), counting
/// them for the report.
struct Replay<'r, 's, 'c> {
    sim: &'r mut Simulation<'s>,
    costing: Option<&'r mut GroupedSimulation<'c>>,
    rep: &'r mut EvidenceReport,
}

impl Replay<'_, '_, '_> {
    fn batch(&mut self, objects: &[ObjectHistory]) {
        self.rep.objects += objects.len();
        self.rep.tally(objects);
        self.sim.replay_batch(objects);
        if let Some(c) = self.costing.as_deref_mut() {
            c.replay_batch(objects);
        }
    }

    /// The objects of `ev` the inventory did not take, in batches (integer meters: the same
    /// result as one call) so that the bar has an ETA.
    fn rest(&mut self, ev: &mut Evidence, label: &str) {
        ev.done_taking();
        let msg = if self.costing.is_some() {
            "replaying objects and pricing candidate rules"
        } else {
            "replaying objects"
        };
        let pb = super::progress_bar(&format!("{msg}{label}"), ev.len() as u64, false);
        for batch in ev.batches(BATCH) {
            self.batch(&batch);
            pb.inc(batch.len() as u64);
        }
        pb.finish_and_clear();
    }
}

/// The objects partitioned to disk (past the memory limit). The inventory is read once: an
/// object whose key has no log events is replayed as it is read, the others are written beside
/// their key's partition. Then each partition is loaded and replayed with its inventory
/// objects (its replication first, `replicate_piece`); a partition that passes the limit as
/// it loads is split, its inventory objects with it.
fn replay_partitioned(
    sc: &Scenario,
    strict: bool,
    ev: &mut Evidence,
    parted: Partitioned,
    r: &mut Replay<'_, '_, '_>,
    replicate_piece: &mut dyn FnMut(&Evidence),
) -> Result<Tally, Failure> {
    let mut starts = StartsWriter::create(&parted).map_err(output)?;
    let Partitioned { files, seen } = parted;
    let counted = inventory::stream(sc, strict, ev, |objects| {
        let (now, later): (Vec<ObjectHistory>, Vec<ObjectHistory>) =
            objects.into_iter().partition(|o| !seen.may_have(&o.key));
        r.batch(&now);
        later
            .iter()
            .try_for_each(|o| starts.write(o))
            .map_err(output)
    })?;
    let starts = starts.finish().map_err(output)?;
    let mut queue = std::collections::VecDeque::from(Part::pair(files, starts));
    let mut done = 0;
    while let Some(part) = queue.pop_front() {
        let (mut piece, waiting) =
            match part.load(ev.shard, super::memory_limit()).map_err(output)? {
                Loaded::Ready(piece, waiting) => (piece, waiting),
                Loaded::Split(more) => {
                    queue.extend(more);
                    continue;
                }
            };
        done += 1;
        replicate_piece(&piece);
        let mut batch = Vec::with_capacity(BATCH);
        waiting
            .read(|mut o| {
                o.events = piece.take_events(&o.key);
                batch.push(o);
                if batch.len() == BATCH {
                    r.batch(&batch);
                    batch.clear();
                }
                Ok(())
            })
            .map_err(output)?;
        r.batch(&batch);
        r.rest(
            &mut piece,
            &format!(" (partition {done}, {} left)", queue.len()),
        );
    }
    Ok(counted)
}

/// Generates the scenario's synthetic evidence into a fresh temporary directory
/// (`TMPDIR/costlab-<pid>-gen-<n>`, removed when dropped or on SIGINT/SIGTERM, and by the next
/// run if this one is killed) and points the scenario at it. Deterministic: the spec's seed
/// fixes every byte.
struct Generated {
    _dir: costlab::output::temp::TempDir,
    /// Where the evidence was generated (a temporary folder: its name changes every run).
    path: PathBuf,
    /// The spec it was generated from, as the scenario names it.
    spec: String,
}

fn generate_evidence(sc: &mut Scenario) -> Result<Option<Generated>, Failure> {
    let Some(spec_path) = sc.generate.clone() else {
        return Ok(None);
    };
    let name = spec_path.display().to_string();
    let text = std::fs::read_to_string(&spec_path).map_err(|e| input(anyhow!("{name}: {e}")))?;
    let spec = costlab::workload::Spec::parse(&name, &text).map_err(input)?;
    let base = std::env::temp_dir();
    let tmp = costlab::output::temp::TempDir::create_in(&base, "gen").map_err(|e| {
        output(anyhow!(
            "cannot make a folder for the generated evidence in {}: {e}",
            base.display()
        ))
    })?;
    let dir = tmp.path().to_path_buf();
    let guard = Generated {
        _dir: tmp,
        path: dir.clone(),
        spec: name.clone(),
    };
    let pb = super::progress("generating evidence", "");
    let opts = costlab::workload::Options {
        out: dir.clone(),
        force: true,
        ..Default::default()
    };
    let summary = costlab::workload::generate(&spec, &text, &opts)
        .map_err(|e| if e.is_input() { input(e) } else { output(e) })?;
    pb.finish_and_clear();
    sc.logs
        .push(costlab::workload::logs_dir(&dir).display().to_string());
    if let Some(d) = summary.inventory {
        sc.inventory = Some(dir.join(d.manifest));
    }
    Ok(Some(guard))
}

/// A scenario replayed, before rating.
pub(super) struct Replayed {
    pub catalog: Catalog,
    pub region: Region,
    pub rep: EvidenceReport,
    pub runs: Vec<PolicyRun>,
    /// Replication usage and the policies (indices into `runs`; `runs.len()` stands for the
    /// recommended policy) it applies to.
    pub replication: Vec<(Vec<usize>, ReplicationUsage)>,
    /// The optimizer's lifecycle recommendation, before replication.
    pub recommended: Option<(PolicyRun, LifecycleReport)>,
    /// Removes generated evidence when dropped.
    _generated: Option<Generated>,
}

/// What a scenario run adds to the policies it compares.
#[derive(Clone, Copy, Debug)]
pub(super) struct Extras {
    /// The clairvoyant bound.
    pub bound: bool,
    /// The lifecycle optimizer, when the scenario has `[optimize.lifecycle]`.
    pub optimize: bool,
}

/// Reads (or generates) a scenario's evidence and replays it under every policy, plus the
/// clairvoyant bound and the optimizer's costing pass as `extras` ask; only shard `shard` of
/// the objects when given.
pub(super) fn replay_scenario(
    sc: &mut Scenario,
    reading: Reading,
    shard: Option<(u64, u64)>,
    extras: Extras,
) -> Result<Replayed, Failure> {
    let bound = extras.bound;
    let lifecycle = match (&sc.optimize.lifecycle, extras.optimize) {
        (Some(spec), true) => Some(super::optimize::LifecyclePass::new(spec)?),
        _ => None,
    };
    let generated = generate_evidence(sc)?;
    if sc.logs.is_empty() && sc.inventory.is_none() {
        return Err(input(anyhow!(
            "no evidence: give logs, an inventory, or a generator spec"
        )));
    }
    let catalog = Catalog::open(sc.pricing.as_deref(), sc.region.as_deref()).map_err(input)?;
    let region: Region = catalog.home().region.clone();
    let mut rep = EvidenceReport::default();
    let strict = reading.strict;
    let (mut ev, parted) = load_logs(sc, strict, shard, &mut rep)?;
    if sc.repeat_weekly {
        let repeat = ev.repeat_weekly(sc.end).map_err(|e| {
            input(anyhow!(
                "[evidence] repeat = \"weekly\" (--repeat-weekly): {e}"
            ))
        })?;
        sc.options.repeat = Some(repeat);
    }
    let rules = catalog.home().rules.s3.clone();
    if bound {
        let b = super::bound::policy(catalog.home(), &sc.policies);
        sc.policies.push(b);
    }
    // Replication: once per distinct set of rules the policies run with.
    let mut sets: Vec<(Vec<usize>, Vec<ReplicationRule>)> = Vec::new();
    // The recommended policy (index `sc.policies.len()`) runs with the rules every compared
    // policy shares, as the bound does.
    let total = sc.policies.len() + usize::from(lifecycle.is_some());
    if sc.policy_replication.is_empty() {
        sets.push(((0..total).collect(), sc.replication.clone()));
    } else {
        // The bound (when present) runs with the rules every compared policy runs with, so
        // that its distance to each policy is about storage, not about a DR choice.
        let mut lists = sc.policy_replication.clone();
        let shared: Vec<usize> = (0..sc.replication.len())
            .filter(|i| lists.iter().all(|l| l.contains(i)))
            .collect();
        while lists.len() < total {
            lists.push(shared.clone());
        }
        let mut by_set: Vec<(&Vec<usize>, Vec<usize>)> = Vec::new();
        for (i, set) in lists.iter().enumerate() {
            match by_set.iter_mut().find(|(s, _)| *s == set) {
                Some((_, who)) => who.push(i),
                None => by_set.push((set, vec![i])),
            }
        }
        for (set, who) in by_set {
            sets.push((
                who,
                set.iter().map(|i| sc.replication[*i].clone()).collect(),
            ));
        }
    }
    let mut replication: Vec<(Vec<usize>, ReplicationUsage)> = sets
        .iter()
        .map(|(who, _)| (who.clone(), ReplicationUsage::default()))
        .collect();
    let mut sim = Simulation::new(&sc.policies, &sc.options, &rules, &region, sc.start, sc.end);
    let mut costing = lifecycle.as_ref().map(|l| l.simulation(sc, &rules));
    // Replication depends only on the logs' writes: computed for a piece of evidence (all of
    // it, or a partition) before the inventory takes its events.
    let mut replicate_piece = |piece: &Evidence| {
        for ((_, rules_of), (_, usage)) in sets.iter().zip(replication.iter_mut()) {
            usage.merge(&replicate(
                piece,
                rules_of,
                &rules,
                &region,
                (sc.start, sc.end),
                sc.options.repeat,
            ));
        }
    };
    let mut r = Replay {
        sim: &mut sim,
        costing: costing.as_mut(),
        rep: &mut rep,
    };
    let counted = match parted {
        None => {
            replicate_piece(&ev);
            let counted = inventory::stream(sc, strict, &mut ev, |objects| {
                r.batch(&objects);
                Ok(())
            })?;
            r.rest(&mut ev, "");
            counted
        }
        Some(p) => replay_partitioned(sc, strict, &mut ev, p, &mut r, &mut replicate_piece)?,
    };
    if sc.inventory.is_some() {
        *rep.ledger.source(source::INVENTORY) = counted;
    }
    // Generated evidence lives in a temporary folder: the report names it by its spec, so
    // that the same scenario gives the same bytes.
    if let Some(g) = &generated {
        rep.ledger.relabel(
            &g.path.display().to_string(),
            &format!("(generated from {})", g.spec),
        );
    }
    rep.ledger.check(reading.limit).map_err(input)?;
    let runs = sim.finish(&ev.bucket_requests);
    let recommended = match (lifecycle.as_ref(), costing) {
        (Some(l), Some(c)) => Some(l.recommend(sc, c.finish(), &catalog, &ev.bucket_requests)?),
        _ => None,
    };
    Ok(Replayed {
        catalog,
        region,
        rep,
        runs,
        replication,
        recommended,
        _generated: generated,
    })
}

/// The whole pipeline: evidence, replay (with the bound and the optimizer as `extras` ask),
/// replication, rating.
pub(super) fn scenario_report(
    sc: &mut Scenario,
    reading: Reading,
    extras: Extras,
) -> Result<Report, Failure> {
    let (mut report, mut catalog) = if sc.policies.is_empty() {
        // A compute-only scenario: no storage evidence to replay.
        let catalog = Catalog::open(sc.pricing.as_deref(), sc.region.as_deref()).map_err(input)?;
        let r = super::assemble::report(sc, &EvidenceReport::default(), &[], &[]);
        (r, catalog)
    } else {
        let mut r = replay_scenario(sc, reading, None, extras)?;
        let n = r.runs.len();
        let mut recommended = r.recommended.take();
        for (who, usage) in &r.replication {
            let mut picked: Vec<PolicyRun> = who
                .iter()
                .filter(|i| **i < n)
                .map(|i| r.runs[*i].clone())
                .collect();
            usage.apply(&mut picked, &r.region, sc.start, sc.end);
            for (i, run) in who.iter().zip(picked) {
                r.runs[*i] = run;
            }
            if let Some((run, _)) = recommended.as_mut().filter(|_| who.contains(&n)) {
                usage.apply(std::slice::from_mut(run), &r.region, sc.start, sc.end);
            }
        }
        let mut lifecycle = None;
        if let Some((run, rec)) = recommended {
            // Listed after the compared policies, before the bound.
            let at = if extras.bound { n - 1 } else { n };
            r.runs.insert(at, run);
            lifecycle = Some(rec);
        }
        for rule in &sc.replication {
            r.catalog.ensure(&rule.destination_region).map_err(input)?;
        }
        let mut report = build_report(sc, &r.rep, &r.runs, &mut r.catalog)?;
        if let Some(rec) = lifecycle {
            report
                .optimize
                .get_or_insert_with(Default::default)
                .lifecycle = Some(rec);
        }
        (report, r.catalog)
    };
    if let Some(c) = super::compute::compute_report(sc, &mut catalog, extras.optimize, reading)? {
        report.compute = Some(c.report);
        report.evidence.ledger.merge(&c.ledger);
        if let Some(f) = c.fleet {
            report.optimize.get_or_insert_with(Default::default).fleet = Some(f);
        }
    }
    finish_report(&mut report, &catalog);
    Ok(report)
}

/// What every report states whatever it holds: the price book (when no bill named it).
pub(super) fn finish_report(report: &mut Report, catalog: &Catalog) {
    if report.pricing.is_none() {
        let home = catalog.home();
        report.pricing = Some(costlab::report::model::PricingRecord {
            source: home.source.clone(),
            effective_date: home.effective_date.clone(),
            region: home.region.to_string(),
            files: home.files.clone(),
        });
    }
}

pub fn run(a: &SimulateArgs) -> Result<u8, Failure> {
    a.memory.apply()?;
    let mut sc = match &a.scenario {
        Some(p) => read_scenario(p).map_err(input)?,
        None => from_flags(a)?,
    };
    let shard = a.shard.as_deref().map(parse_shard).transpose()?;
    if shard.is_some() != (a.format == SimFormat::Shard) {
        return Err(input(anyhow!("--shard I/N and --format shard go together")));
    }
    let Some((index, count)) = shard else {
        let extras = Extras {
            bound: !a.no_bound,
            optimize: false,
        };
        let reading = a.evidence.reading(&sc)?;
        let report = scenario_report(&mut sc, reading, extras)?;
        return render(&report, a.format, a.output.as_deref());
    };
    if !sc.policy_replication.is_empty() {
        return Err(input(anyhow!(
            "--shard: policies with their own `replication` lists cannot be sharded yet"
        )));
    }
    let extras = Extras {
        bound: !a.no_bound,
        optimize: false,
    };
    let reading = a.evidence.reading(&sc)?;
    let mut r = replay_scenario(&mut sc, reading, shard, extras)?;
    let replication = r.replication.pop().map(|(_, u)| u).unwrap_or_default();
    let mut ledger = std::mem::take(&mut r.rep.ledger);
    // Compute is not split by key: shard 1 carries it whole.
    let compute = match index {
        1 => super::compute::compute_report(&sc, &mut r.catalog, false, reading)?,
        _ => None,
    };
    let compute = match compute {
        Some(c) => {
            ledger.merge(&c.ledger);
            Some(serde_json::to_value(&c.report).map_err(output)?)
        }
        None => None,
    };
    let s = costlab::sim::s3::shard::Shard {
        scenario: sc.name.clone(),
        seed: sc.seed,
        versioning: sc.options.versioning,
        repeat_from: sc.options.repeat.map(|r| r.from),
        index,
        count,
        start: sc.start,
        end: sc.end,
        region: r.region.clone(),
        policies: r
            .runs
            .into_iter()
            .map(|r| (r.name, r.kind, r.accum, r.stats))
            .collect(),
        replication,
        evidence: costlab::sim::s3::shard::ShardEvidence {
            ledger,
            objects: r.rep.objects as u64,
            prefixes: std::mem::take(&mut r.rep.prefixes),
        },
        current: sc.current.clone(),
        pricing: sc.pricing.as_ref().map(|p| p.display().to_string()),
        compute,
    };
    let mut buf = serde_json::to_vec_pretty(&s.to_json()).map_err(output)?;
    buf.push(b'\n');
    emit(&buf, a.output.as_deref())?;
    Ok(0)
}

/// Rates every run into the versioned report (shared with `costlab merge` and `costlab run`).
pub(super) fn build_report(
    sc: &Scenario,
    rep: &EvidenceReport,
    runs: &[PolicyRun],
    catalog: &mut Catalog,
) -> Result<Report, Failure> {
    for r in runs {
        for region in r.usage.regions() {
            catalog.ensure(&region).map_err(input)?;
        }
    }
    let mut bills = Vec::new();
    for r in runs {
        bills.push(rate(&r.usage, catalog, &RateOptions::default()).map_err(input)?);
    }
    Ok(super::assemble::report(sc, rep, runs, &bills))
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
