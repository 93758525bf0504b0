//! The inventory side of `costlab simulate`: data files read in parallel, a key's rows (its
//! versions) grouped into the object present at the start, with the key's log events taken from
//! the evidence, and handed on in batches.

use super::Options;
use super::error::{PipelineError, input};
use super::observe::{Progress, Unit};
use crate::aws::StorageClass;
use crate::scenario::Scenario;
use crate::sim::s3::{BATCH, Evidence, Initial, Noncurrent, ObjectHistory, in_shard};
use crate::trace::inventory::{Column, Mode as InvMode, read_inventory};
use crate::trace::ledger::{FileCount, Tally};
use std::collections::BTreeMap;

/// Inventory data files read at once, at most.
const MAX_READERS: usize = 4;

/// One inventory row, as the replay needs it.
struct VersionRow {
    initial: Initial,
    latest: bool,
    marker: bool,
}

/// The inventory rows of one key (adjacent: S3 lists versions key by key); most keys have
/// one, kept inline.
struct KeyRows {
    key: String,
    rows: smallvec::SmallVec<[VersionRow; 1]>,
}

impl KeyRows {
    /// The object the rows describe, with the key's log events. Versions are ordered by
    /// last-modified time, the current one last; each older one became noncurrent when the
    /// next was written.
    fn into_history(self, ev: &mut Evidence) -> ObjectHistory {
        let KeyRows { key, mut rows } = self;
        rows.sort_by_key(|r| (r.latest, r.initial.created));
        let events = ev.take_events(&key);
        let mut initial = None;
        let mut noncurrent = Vec::new();
        for (i, r) in rows.iter().enumerate() {
            let since = rows.get(i + 1).map(|next| next.initial.created);
            match (since, r.marker) {
                (None, false) => initial = Some(r.initial),
                _ => noncurrent.push(Noncurrent {
                    version: r.initial,
                    since,
                    marker: r.marker,
                }),
            }
        }
        ObjectHistory {
            key,
            initial,
            noncurrent: noncurrent.into_boxed_slice(),
            events,
        }
    }
}

/// What a data-file reader sends the replay.
enum FromReader {
    /// Key groups of one file, whole (neither its first nor its last group).
    Keys(Vec<KeyRows>),
    /// A file read to its end: its first and last key groups (which may continue in the
    /// neighbouring files, so they are joined across files before being replayed) and its
    /// counts.
    Done {
        file: usize,
        edges: Vec<KeyRows>,
        counts: Tally,
    },
    Failed {
        file: usize,
        error: PipelineError,
    },
}

/// What the inventory readers share: the files still to read and where to stop.
struct ReadPlan<'a> {
    files: crate::trace::inventory::DataFiles<'a>,
    versioning: bool,
    shard: Option<(u64, u64)>,
    next: std::sync::atomic::AtomicUsize,
    /// The earliest file that failed: later files are not read (their errors would not be the
    /// first).
    stop: std::sync::atomic::AtomicUsize,
    pb: &'a Progress,
}

impl ReadPlan<'_> {
    /// Reads files until none is left, sending their rows grouped by key.
    fn work(&self, tx: &std::sync::mpsc::SyncSender<FromReader>) {
        use std::sync::atomic::Ordering::Relaxed;
        loop {
            let file = self.next.fetch_add(1, Relaxed);
            if file >= self.files.len() || file > self.stop.load(Relaxed) {
                return;
            }
            let msg = match self.read_file(file, tx) {
                Ok(Some((edges, counts))) => FromReader::Done {
                    file,
                    edges,
                    counts,
                },
                Ok(None) => continue,
                Err(error) => {
                    self.stop.fetch_min(file, Relaxed);
                    FromReader::Failed { file, error }
                }
            };
            if tx.send(msg).is_err() {
                return;
            }
        }
    }

    /// One data file: every row of a key (versioned) or current versions only, keys outside
    /// the shard left out. `None`: stopped (an earlier file failed, or the replay ended).
    #[allow(clippy::type_complexity)]
    fn read_file(
        &self,
        file: usize,
        tx: &std::sync::mpsc::SyncSender<FromReader>,
    ) -> Result<Option<(Vec<KeyRows>, Tally)>, PipelineError> {
        use std::sync::atomic::Ordering::Relaxed;
        let Some(mut records) = self.files.open(file).map_err(input)? else {
            return Ok(None);
        };
        let name = self.files.path(file).display().to_string();
        // Rows parsed, and those the replay takes no further (each with its reason).
        let mut rows = 0u64;
        let mut left = Tally::default();
        // The file's first group is held back with its last: either may continue next door.
        let mut first: Option<KeyRows> = None;
        let mut cur: Option<KeyRows> = None;
        let mut batch: Vec<KeyRows> = Vec::with_capacity(BATCH);
        for rec in records.by_ref() {
            let rec = rec.map_err(input)?;
            rows += 1;
            if rows.is_multiple_of(4096) {
                self.pb.inc(4096);
                if self.stop.load(Relaxed) < file {
                    return Ok(None);
                }
            }
            // A row the replay cannot place in time or size is malformed for it (an
            // inventory configured without those fields skips every row: a run refuses it).
            let missing = |left: &mut Tally, field: &str| {
                left.skip(&format!("{field}: missing"), || {
                    format!("{name}: row {rows} (key {:?}): {field}: missing", rec.key)
                })
            };
            let Some(created) = rec.last_modified else {
                missing(&mut left, "LastModifiedDate");
                continue;
            };
            let size = match (rec.size, rec.is_delete_marker) {
                (_, true) => 0,
                (Some(s), false) => s,
                (None, false) => {
                    missing(&mut left, "Size");
                    continue;
                }
            };
            if !self.versioning && (!rec.is_latest || rec.is_delete_marker) {
                // Unversioned replay: current versions only.
                left.leave_out(UNVERSIONED, 1);
                continue;
            }
            if !in_shard(&rec.key, self.shard) {
                left.leave_out(crate::trace::ledger::OTHER_SHARD, 1);
                continue;
            }
            let row = VersionRow {
                initial: Initial {
                    created,
                    size,
                    class: rec.storage_class.unwrap_or(StorageClass::Standard),
                    it_tier: rec.intelligent_tiering_access_tier,
                },
                latest: rec.is_latest,
                marker: rec.is_delete_marker,
            };
            match &mut cur {
                Some(c) if c.key == rec.key => c.rows.push(row),
                _ => {
                    let next = KeyRows {
                        key: rec.key,
                        rows: smallvec::smallvec![row],
                    };
                    match (cur.replace(next), &first) {
                        (None, _) => {}
                        (Some(done), None) => first = Some(done),
                        (Some(done), Some(_)) => {
                            batch.push(done);
                            if batch.len() == BATCH {
                                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                                if tx.send(FromReader::Keys(full)).is_err() {
                                    return Ok(None);
                                }
                            }
                        }
                    }
                }
            }
        }
        self.pb.inc(rows % 4096);
        if !batch.is_empty() && tx.send(FromReader::Keys(batch)).is_err() {
            return Ok(None);
        }
        self.files
            .reconcile(file, records.summary())
            .map_err(input)?;
        // The reader's tally (rows parsed are used, malformed ones skipped with their reason),
        // less what the replay did not take.
        let mut counts = records.summary().tally();
        counts.used = counts.used.saturating_sub(left.read);
        counts.read = counts.read.saturating_sub(left.read);
        counts.merge(&left);
        counts.files = vec![FileCount {
            file: name,
            read: counts.read,
            used: counts.used,
            skipped: counts.skipped,
        }];
        Ok(Some((first.into_iter().chain(cur).collect(), counts)))
    }
}

/// Why a well-formed inventory row is not replayed.
const UNVERSIONED: &str =
    "noncurrent version or delete marker (the bucket is replayed unversioned)";

/// Streams the scenario's inventory (if any) to `sink` as objects present at the start, each
/// with its log events taken from `ev`, in batches. Data files are read in parallel, each on
/// its own thread, while `sink` takes the objects already read; the order does not matter to
/// the replay (integer meters), and the error reported is that of the earliest failing file
/// (or the sink's, which stops the reading).
pub(super) fn stream(
    sc: &Scenario,
    o: &Options<'_>,
    ev: &mut Evidence,
    mut sink: impl FnMut(Vec<ObjectHistory>) -> Result<(), PipelineError>,
) -> Result<Tally, PipelineError> {
    let mut counted = Tally::default();
    let Some(m) = &sc.inventory else {
        return Ok(counted);
    };
    let mode = if o.reading.strict {
        InvMode::Strict
    } else {
        InvMode::Lenient
    };
    // The replay needs these columns only (CSV rows are not checked beyond them).
    let reader = read_inventory(m, mode).map_err(input)?.only(&[
        Column::IsLatest,
        Column::IsDeleteMarker,
        Column::Size,
        Column::LastModifiedDate,
        Column::StorageClass,
        Column::IntelligentTieringAccessTier,
    ]);
    let pb = o
        .observer
        .progress("replaying inventory", None, Unit::Items);
    let plan = ReadPlan {
        files: reader.files(),
        versioning: sc.options.versioning,
        shard: ev.shard,
        next: Default::default(),
        stop: usize::MAX.into(),
        pb: &pb,
    };
    // One reader per core, at most MAX_READERS (the replay needs cores too, and each reader
    // keeps up to two batches in flight).
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(MAX_READERS)
        .min(reader.data_files().len())
        .max(1);
    let mut edges: BTreeMap<usize, Vec<KeyRows>> = BTreeMap::new();
    let mut per_file: BTreeMap<usize, Tally> = BTreeMap::new();
    let mut failed: Option<(usize, PipelineError)> = None;
    let mut sink_failed: Option<PipelineError> = None;
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel(threads + 1);
        for _ in 0..threads {
            let (tx, plan) = (tx.clone(), &plan);
            scope.spawn(move || plan.work(&tx));
        }
        drop(tx);
        for msg in rx.iter() {
            match msg {
                FromReader::Keys(batch) if failed.is_none() => {
                    let objects = batch.into_iter().map(|k| k.into_history(ev)).collect();
                    if let Err(e) = sink(objects) {
                        sink_failed = Some(e);
                        // Readers still sending find the channel closed and stop.
                        break;
                    }
                }
                FromReader::Keys(_) => {}
                FromReader::Done {
                    file,
                    edges: e,
                    counts,
                } => {
                    edges.insert(file, e);
                    per_file.insert(file, counts);
                }
                FromReader::Failed { file, error } => {
                    if failed.as_ref().is_none_or(|(f, _)| file < *f) {
                        failed = Some((file, error));
                    }
                }
            }
        }
    });
    drop(pb);
    if let Some((_, error)) = failed {
        return Err(error);
    }
    if let Some(e) = sink_failed {
        return Err(e);
    }
    // Each file's first and last key groups, in file order: a key split across files is
    // joined into one object.
    let mut joined: Vec<KeyRows> = Vec::new();
    for group in edges.into_values().flatten() {
        match joined.last_mut() {
            Some(last) if last.key == group.key => last.rows.extend(group.rows),
            _ => joined.push(group),
        }
    }
    sink(joined.into_iter().map(|k| k.into_history(ev)).collect())?;
    // In manifest order, so that examples and files are those of a sequential read.
    for t in per_file.values() {
        counted.merge(t);
    }
    Ok(counted)
}
