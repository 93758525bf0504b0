//! The evidence stage: the scenario's access logs read (parsed on every core, partitioned to
//! disk past the memory limit) and its synthetic evidence generated, every line counted in the
//! ledger. (The inventory is streamed into the replay by `inventory`.)

use super::Options;
use super::error::{PipelineError, input, output};
use super::observe::Unit;
use crate::scenario::Scenario;
use crate::sim::s3::spill::{Gather, HashRange, Partitioned, SpillError};
use crate::sim::s3::{EventKind, Evidence, ObjectHistory, RecordBatch};
use crate::trace::access_log::{LogReader, Mode, SkipLog};
use crate::trace::ledger::{Ledger, NOT_BILLED, OTHER_SHARD, SkipLimit, source};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// How evidence is read: strict (the first malformed line is an error) or lenient within a
/// limit on the share of each source that may be skipped.
#[derive(Clone, Copy, Debug, Default)]
pub struct Reading {
    pub strict: bool,
    pub limit: SkipLimit,
}

/// What was read, for the report.
#[derive(Default)]
pub struct EvidenceReport {
    /// Every line and row read, used, left out or skipped, per source.
    pub ledger: Ledger,
    pub objects: usize,
    /// Top-level prefix → (objects, reads, bytes of their latest version).
    pub prefixes: BTreeMap<String, (u64, u64, u128)>,
    /// The model of the future the replay used.
    pub future: Option<crate::report::model::FutureRecord>,
}

impl EvidenceReport {
    /// Counts objects, reads and bytes by top-level prefix (`bronze/`, `gold/`…).
    pub(crate) fn tally(&mut self, objects: &[ObjectHistory]) {
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

/// Reads the logs into object histories (the inventory is streamed later). Past the memory
/// limit, the objects are partitioned to disk (returned), and the evidence keeps what is not
/// an object's (requests not tied to one, the logs' span).
pub(crate) fn load_logs(
    sc: &Scenario,
    o: &Options<'_>,
    shard: Option<(u64, u64)>,
    rep: &mut EvidenceReport,
) -> Result<(Evidence, Option<Partitioned>), PipelineError> {
    let strict = o.reading.strict;
    let mut ev = Evidence::default();
    ev.shard = shard;
    let mut gather = Gather::new(o.memory_limit, HashRange::ALL, std::env::temp_dir());
    if !sc.logs.is_empty() {
        let sources = crate::trace::access_log::reader::expand(&sc.logs).map_err(input)?;
        let mode = if strict { Mode::Strict } else { Mode::Lenient };
        let log = read_logs_parallel(
            o,
            LogReader::new(mode),
            &sources,
            shard,
            &mut ev,
            &mut gather,
        )?;
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
    o: &Options<'_>,
    reader: LogReader,
    sources: &[crate::trace::access_log::reader::LineSource],
    shard: Option<(u64, u64)>,
    ev: &mut Evidence,
    gather: &mut Gather,
) -> Result<SkipLog, PipelineError> {
    use crate::trace::access_log::reader::{LineChunk, ReadError};
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
    let pb = o
        .observer
        .progress("reading logs", Some(total), Unit::Bytes);
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
                            Ok(Some((n, held))) => o.observer.note(&format!(
                                "note: the objects read so far hold {}, past the memory \
                                 limit of {} (--memory-limit): partitioning them by key \
                                 to {n} files under {} and replaying them one by one",
                                indicatif::BinaryBytes(held as u64),
                                indicatif::BinaryBytes(o.memory_limit as u64),
                                std::env::temp_dir().display()
                            )),
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
                        pb.set_message(|| format!("{records} records"));
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
    drop(pb);
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

/// Generates the scenario's synthetic evidence into a fresh temporary directory
/// (`TMPDIR/costlab-<pid>-gen-<n>`, removed when dropped or on SIGINT/SIGTERM, and by the next
/// run if this one is killed) and points the scenario at it. Deterministic: the spec's seed
/// fixes every byte.
pub(crate) struct Generated {
    _dir: crate::output::temp::TempDir,
    /// Where the evidence was generated (a temporary folder: its name changes every run).
    pub(crate) path: PathBuf,
    /// The spec it was generated from, as the scenario names it.
    pub(crate) spec: String,
}

pub(crate) fn generate_evidence(
    sc: &mut Scenario,
    o: &Options<'_>,
) -> Result<Option<Generated>, PipelineError> {
    let Some(spec_path) = sc.generate.clone() else {
        return Ok(None);
    };
    let name = spec_path.display().to_string();
    let text =
        crate::trace::input::read_config(&spec_path).map_err(|e| input(format!("{name}: {e}")))?;
    let spec = crate::workload::Spec::parse(&name, &text).map_err(input)?;
    let base = std::env::temp_dir();
    let tmp = crate::output::temp::TempDir::create_in(&base, "gen").map_err(|e| {
        output(format!(
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
    let pb = o
        .observer
        .progress("generating evidence", None, Unit::Items);
    let opts = crate::workload::Options {
        out: dir.clone(),
        force: true,
        ..Default::default()
    };
    let summary = crate::workload::generate(&spec, &text, &opts)
        .map_err(|e| if e.is_input() { input(e) } else { output(e) })?;
    drop(pb);
    sc.logs
        .push(crate::workload::logs_dir(&dir).display().to_string());
    if let Some(d) = summary.inventory {
        sc.inventory = Some(dir.join(d.manifest));
    }
    Ok(Some(guard))
}
