//! Evidence past the memory limit, partitioned to disk. Objects gathered from the logs stay in
//! memory until their store passes the limit; then they, and every record read after, are
//! written to partition files by key hash, and each partition is loaded and replayed on its own
//! (one that passes the limit again when loaded is split further). Objects are independent and
//! meters are integers, so a partitioned run gives byte-identical results to one in memory.
//!
//! A partition holds the keys whose 32-bit hash lies in a range; a file is a sequence of
//! records `hash u32, key length u32, event count u32, key, events`, each event 17 bytes (time
//! i64, kind u8, bytes u64), little-endian. Files live in one directory under the system's
//! temporary directory (`TMPDIR`) and are removed once loaded, or when the run ends or is
//! interrupted (SIGINT, SIGTERM); the `costlab-PID-partitions-N` directory of a killed run is
//! removed by the next run (`output::temp`).

mod starts;

pub use starts::{StartsFile, StartsWriter};

use super::history::{Event, EventKind, Evidence};
use super::store::hash32;
use crate::units::Timestamp;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Debug, thiserror::Error)]
pub enum SpillError {
    #[error("partition file {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("partition file {}: byte {offset}: {what}", path.display())]
    Corrupt {
        path: PathBuf,
        offset: u64,
        what: &'static str,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SpillError + '_ {
    move |source| SpillError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Keys whose `hash32` lies in `[lo, hi)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashRange {
    lo: u64,
    hi: u64,
}

impl HashRange {
    /// Every key.
    pub const ALL: HashRange = HashRange { lo: 0, hi: 1 << 32 };

    pub fn contains_key(&self, key: &str) -> bool {
        *self == HashRange::ALL || self.contains(hash32(key))
    }

    fn contains(&self, h: u32) -> bool {
        (self.lo..self.hi).contains(&u64::from(h))
    }

    fn width(&self) -> u64 {
        self.hi - self.lo
    }

    /// Which of `n` equal parts (`nth`) holds `h`, a hash in the range.
    fn part(&self, h: u32, n: usize) -> usize {
        let x = u64::from(h).saturating_sub(self.lo) as u128;
        ((x * n as u128) / self.width() as u128) as usize
    }

    /// Part `i` of `n`: hashes `x` (from `lo`) with `floor(x·n / width) = i`, that is from
    /// `ceil(width·i / n)` on.
    fn nth(&self, i: usize, n: usize) -> HashRange {
        let w = self.width() as u128;
        let at = |i: usize| self.lo + (w * i as u128).div_ceil(n as u128) as u64;
        HashRange {
            lo: at(i),
            hi: at(i + 1),
        }
    }
}

/// One run's directory of partition files (`costlab-<pid>-partitions-<n>`, see
/// `output::temp`), removed (with whatever is left in it) when the last file and writer holding
/// it are gone, or on SIGINT/SIGTERM.
#[derive(Debug)]
pub struct SpillDir {
    dir: crate::output::temp::TempDir,
    next: AtomicUsize,
}

impl SpillDir {
    /// A new directory under `base`.
    pub fn create(base: &Path) -> Result<Arc<SpillDir>, SpillError> {
        let dir = crate::output::temp::TempDir::create_in(base, "partitions")
            .map_err(io(&base.join("costlab-*-partitions-*")))?;
        Ok(Arc::new(SpillDir {
            dir,
            next: AtomicUsize::new(0),
        }))
    }

    fn file(&self) -> PathBuf {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        self.dir.path().join(format!("part-{n:05}.bin"))
    }
}

/// Partition files being written: `range` cut into equal parts.
pub struct SpillWriter {
    dir: Arc<SpillDir>,
    range: HashRange,
    parts: Vec<(PathBuf, BufWriter<File>, u64)>,
    seen: Seen,
}

/// Which key hashes were partitioned, as a bitmap over their top bits (about 16 bits per key
/// expected): a key whose bit is clear has no log events. An inventory object of such a key is
/// replayed at once rather than partitioned with the log events it might have had.
pub struct Seen {
    bits: Vec<u64>,
    shift: u32,
}

impl Seen {
    /// Room for about `keys` keys at one false "may have" in 16.
    fn for_keys(keys: usize) -> Seen {
        let bits = (keys.saturating_mul(16))
            .clamp(1 << 16, 1 << 32)
            .next_power_of_two();
        Seen {
            bits: vec![0; bits / 64],
            shift: 32 - bits.trailing_zeros(),
        }
    }

    fn insert(&mut self, h: u32) {
        let i = (u64::from(h) >> self.shift) as usize;
        if let Some(w) = self.bits.get_mut(i / 64) {
            *w |= 1 << (i % 64);
        }
    }

    /// Whether `key` may have log events (`false`: it has none).
    pub fn may_have(&self, key: &str) -> bool {
        let i = (u64::from(hash32(key)) >> self.shift) as usize;
        self.bits
            .get(i / 64)
            .is_none_or(|w| w & (1 << (i % 64)) != 0)
    }
}

/// Evidence partitioned to disk: the files, in hash order, together covering every key, and
/// which keys they hold.
pub struct Partitioned {
    pub files: Vec<SpillFile>,
    pub seen: Seen,
}

/// Write buffer per partition file.
const BUFFER: usize = 256 << 10;

/// Bytes of one event in a partition file.
const EVENT_BYTES: usize = 17;

impl SpillWriter {
    /// `n` files for `range`, expecting about `keys` keys.
    fn create(
        dir: Arc<SpillDir>,
        range: HashRange,
        n: usize,
        keys: usize,
    ) -> Result<SpillWriter, SpillError> {
        let mut parts = Vec::with_capacity(n);
        for _ in 0..n {
            let path = dir.file();
            let f = File::create(&path).map_err(io(&path))?;
            parts.push((path, BufWriter::with_capacity(BUFFER, f), 0));
        }
        Ok(SpillWriter {
            dir,
            range,
            parts,
            seen: Seen::for_keys(keys),
        })
    }

    /// Appends events of the key (with its `hash32`) to its partition, in the order given.
    pub fn write(&mut self, hash: u32, key: &str, events: &[Event]) -> Result<(), SpillError> {
        let i = self.range.part(hash, self.parts.len());
        let Some((path, out, bytes)) = self.parts.get_mut(i) else {
            return Ok(());
        };
        self.seen.insert(hash);
        let mut head = [0u8; 12];
        head[..4].copy_from_slice(&hash.to_le_bytes());
        head[4..8].copy_from_slice(&(key.len() as u32).to_le_bytes());
        head[8..].copy_from_slice(&(events.len() as u32).to_le_bytes());
        let mut w = || -> std::io::Result<()> {
            out.write_all(&head)?;
            out.write_all(key.as_bytes())?;
            for e in events {
                out.write_all(&encode(e))?;
            }
            Ok(())
        };
        w().map_err(io(path))?;
        *bytes += (head.len() + key.len() + events.len() * EVENT_BYTES) as u64;
        Ok(())
    }

    /// Closes the files for loading.
    pub fn finish(self) -> Result<Partitioned, SpillError> {
        let n = self.parts.len();
        let mut files = Vec::with_capacity(n);
        // Empty files are kept: their range's inventory objects are replayed with them.
        for (i, (path, out, bytes)) in self.parts.into_iter().enumerate() {
            let file = SpillFile(PartFile {
                dir: self.dir.clone(),
                range: self.range.nth(i, n),
                path,
                bytes,
            });
            out.into_inner()
                .map_err(|e| io(&file.path)(e.into_error()))?;
            files.push(file);
        }
        Ok(Partitioned {
            files,
            seen: self.seen,
        })
    }
}

fn encode(e: &Event) -> [u8; EVENT_BYTES] {
    let (tag, v) = match e.kind {
        EventKind::Write { size } => (0, size),
        EventKind::Read {
            bytes,
            charged: true,
        } => (1, bytes),
        EventKind::Read {
            bytes,
            charged: false,
        } => (2, bytes),
        EventKind::Request { tier1: true } => (3, 0),
        EventKind::Request { tier1: false } => (4, 0),
        EventKind::Delete { by_version: false } => (5, 0),
        EventKind::Delete { by_version: true } => (6, 0),
    };
    let mut b = [0u8; EVENT_BYTES];
    b[..8].copy_from_slice(&e.t.0.to_le_bytes());
    b[8] = tag;
    b[9..].copy_from_slice(&v.to_le_bytes());
    b
}

fn decode(b: &[u8; EVENT_BYTES]) -> Option<Event> {
    let word = |r: std::ops::Range<usize>| -> [u8; 8] {
        let mut w = [0u8; 8];
        w.copy_from_slice(&b[r]);
        w
    };
    let t = Timestamp(i64::from_le_bytes(word(0..8)));
    let v = u64::from_le_bytes(word(9..17));
    let kind = match b[8] {
        0 => EventKind::Write { size: v },
        1 => EventKind::Read {
            bytes: v,
            charged: true,
        },
        2 => EventKind::Read {
            bytes: v,
            charged: false,
        },
        3 => EventKind::Request { tier1: true },
        4 => EventKind::Request { tier1: false },
        5 => EventKind::Delete { by_version: false },
        6 => EventKind::Delete { by_version: true },
        _ => return None,
    };
    Some(Event { t, kind })
}

/// A written file of the keys of one hash range, removed when dropped: what partitions of log
/// events (`SpillFile`) and of inventory objects (`StartsFile`) share.
#[derive(Debug)]
pub struct PartFile {
    dir: Arc<SpillDir>,
    range: HashRange,
    path: PathBuf,
    bytes: u64,
}

impl Drop for PartFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

impl PartFile {
    pub fn range(&self) -> HashRange {
        self.range
    }

    /// The file, buffered for reading.
    fn open(&self) -> Result<BufReader<File>, SpillError> {
        let file = File::open(&self.path).map_err(io(&self.path))?;
        Ok(BufReader::with_capacity(1 << 20, file))
    }

    /// Damage found in the record at `offset`.
    fn corrupt(&self, offset: u64, what: &'static str) -> SpillError {
        SpillError::Corrupt {
            path: self.path.clone(),
            offset,
            what,
        }
    }
}

/// A partition of log events: the keys of its range.
#[derive(Debug)]
pub struct SpillFile(PartFile);

impl std::ops::Deref for SpillFile {
    type Target = PartFile;

    fn deref(&self) -> &PartFile {
        &self.0
    }
}

impl SpillFile {
    /// Hands each record to `f` in the order written: the key's hash, the key, its events,
    /// and the bytes read so far.
    fn read(
        &self,
        mut f: impl FnMut(u32, &str, &[Event], u64) -> Result<(), SpillError>,
    ) -> Result<(), SpillError> {
        let mut r = self.open()?;
        let corrupt = |offset: u64, what| self.corrupt(offset, what);
        let (mut at, mut buf, mut events) = (0u64, Vec::new(), Vec::new());
        while at < self.bytes {
            let mut head = [0u8; 12];
            r.read_exact(&mut head)
                .map_err(|_| corrupt(at, "ends inside a record"))?;
            let word =
                |i: usize| u32::from_le_bytes([head[i], head[i + 1], head[i + 2], head[i + 3]]);
            let (hash, len, n) = (word(0), word(4) as usize, word(8) as usize);
            let size = 12 + len as u64 + (n * EVENT_BYTES) as u64;
            if at + size > self.bytes {
                return Err(corrupt(at, "a record runs past the file's end"));
            }
            buf.resize(len, 0);
            r.read_exact(&mut buf)
                .map_err(|_| corrupt(at, "ends inside a key"))?;
            let key = std::str::from_utf8(&buf).map_err(|_| corrupt(at, "a key is not UTF-8"))?;
            if !self.range.contains(hash) || hash != hash32(key) {
                return Err(corrupt(at, "a key's hash does not match"));
            }
            events.clear();
            for _ in 0..n {
                let mut b = [0u8; EVENT_BYTES];
                r.read_exact(&mut b)
                    .map_err(|_| corrupt(at, "ends inside an event"))?;
                events.push(decode(&b).ok_or_else(|| corrupt(at, "an unknown event kind"))?);
            }
            at += size;
            f(hash, key, &events, at)?;
        }
        Ok(())
    }
}

/// Where evidence being gathered goes: into memory until its store passes `limit` bytes, then
/// to partition files of `range` (`spilling`).
pub struct Gather {
    limit: usize,
    range: HashRange,
    base: PathBuf,
    dir: Option<Arc<SpillDir>>,
    spill: Option<SpillWriter>,
}

/// Partition files written at once, at most (each is an open file).
pub const MAX_PARTS: usize = 256;

impl Gather {
    /// Gathering keys of `range` under `limit` bytes; partition files go in a new directory
    /// under `base`.
    pub fn new(limit: usize, range: HashRange, base: PathBuf) -> Gather {
        Gather {
            limit,
            range,
            base,
            dir: None,
            spill: None,
        }
    }

    fn within(limit: usize, range: HashRange, dir: Arc<SpillDir>) -> Gather {
        Gather {
            limit,
            range,
            base: dir.dir.path().to_path_buf(),
            dir: Some(dir),
            spill: None,
        }
    }

    /// The partition files' writer, once past the limit: records go there, not to memory.
    pub fn spilling(&mut self) -> Option<&mut SpillWriter> {
        self.spill.as_mut()
    }

    /// Called after records were added to `ev`, `done` of `total` bytes of evidence read:
    /// past the limit, moves its objects to partition files, as many as would each hold three
    /// quarters of the limit if the rest of the evidence is like what was read. Returns the
    /// number of files and the bytes the objects held when it does.
    pub fn check(
        &mut self,
        ev: &mut Evidence,
        done: u64,
        total: u64,
    ) -> Result<Option<(usize, usize)>, SpillError> {
        let held = ev.store_bytes();
        if self.spill.is_some() || held <= self.limit || self.range.width() < 2 {
            return Ok(None);
        }
        let projected = held as f64 * (total.max(done) as f64 / done.max(1) as f64);
        let n = (projected / (self.limit as f64 * 0.75)).ceil();
        let n = (n as usize)
            .clamp(2, MAX_PARTS)
            .min(self.range.width() as usize);
        let dir = match &self.dir {
            Some(d) => d.clone(),
            None => {
                let d = SpillDir::create(&self.base)?;
                self.dir = Some(d.clone());
                d
            }
        };
        let keys = (ev.len() as f64 * projected / held.max(1) as f64) as usize;
        let mut w = SpillWriter::create(dir, self.range, n, keys)?;
        ev.spill_objects(&mut w)?;
        self.spill = Some(w);
        Ok(Some((n, held)))
    }

    /// The partition files written, if the limit was passed.
    pub fn finish(self) -> Result<Option<Partitioned>, SpillError> {
        self.spill.map(SpillWriter::finish).transpose()
    }
}

/// Loads a partition into evidence of `shard` under `limit` bytes. Past the limit, the
/// partition is split further: the evidence returned is then empty, and the files returned are
/// still to load.
pub fn load(
    file: SpillFile,
    shard: Option<(u64, u64)>,
    limit: usize,
) -> Result<(Evidence, Vec<SpillFile>), SpillError> {
    let mut ev = Evidence::default();
    ev.shard = shard;
    let mut g = Gather::within(limit, file.range, file.dir.clone());
    let mut records = 0u64;
    file.read(|hash, key, events, done| {
        if let Some(w) = g.spilling() {
            return w.write(hash, key, events);
        }
        ev.add_events(key, hash, events);
        records += 1;
        // The store counts its bytes as it goes: checking is cheap.
        if records.is_multiple_of(256) {
            g.check(&mut ev, done, file.bytes)?;
        }
        Ok(())
    })?;
    let more = g.finish()?.map_or_else(Vec::new, |p| p.files);
    Ok((ev, more))
}

/// The log events of a partition as evidence, leaving the file in place (whatever its size:
/// for a pass that measures before the replay loads the partitions for good).
pub fn load_copy(file: &SpillFile) -> Result<Evidence, SpillError> {
    let mut ev = Evidence::default();
    file.read(|hash, key, events, _| {
        ev.add_events(key, hash, events);
        Ok(())
    })?;
    Ok(ev)
}

/// A partition to replay: the log events of its keys and their inventory objects.
pub struct Part {
    pub events: SpillFile,
    pub starts: StartsFile,
}

/// A partition loaded (`Part::load`).
pub enum Loaded {
    /// Its log events, in memory, and its inventory objects, to take them.
    Ready(Box<Evidence>, StartsFile),
    /// It passed the limit as it loaded: the parts it was split into, to load in turn.
    Split(Vec<Part>),
}

impl Part {
    /// The partitions of `parted`, each with the file of its inventory objects.
    pub fn pair(parted: Vec<SpillFile>, starts: Vec<StartsFile>) -> Vec<Part> {
        parted
            .into_iter()
            .zip(starts)
            .map(|(events, starts)| Part { events, starts })
            .collect()
    }

    /// Loads the log events into evidence of `shard` under `limit` bytes; past it, splits the
    /// partition (its inventory objects with it).
    pub fn load(self, shard: Option<(u64, u64)>, limit: usize) -> Result<Loaded, SpillError> {
        let (ev, more) = load(self.events, shard, limit)?;
        if more.is_empty() {
            return Ok(Loaded::Ready(Box::new(ev), self.starts));
        }
        let ranges: Vec<HashRange> = more.iter().map(|f| f.range).collect();
        let starts = self.starts.split(&ranges)?;
        Ok(Loaded::Split(Part::pair(more, starts)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parts_cover_the_range_and_agree_with_part() {
        for range in [
            HashRange::ALL,
            HashRange { lo: 7, hi: 1000 },
            HashRange { lo: 5, hi: 6 },
        ] {
            for n in [1usize, 2, 3, 7, 256] {
                let parts: Vec<HashRange> = (0..n).map(|i| range.nth(i, n)).collect();
                assert_eq!(parts[0].lo, range.lo);
                assert_eq!(parts[n - 1].hi, range.hi);
                for w in parts.windows(2) {
                    assert_eq!(w[0].hi, w[1].lo);
                }
                let probes = [range.lo, range.hi - 1, (range.lo + range.hi) / 2]
                    .into_iter()
                    .chain(parts.iter().flat_map(|p| [p.lo, p.hi.saturating_sub(1)]))
                    .filter(|h| (range.lo..range.hi).contains(h));
                for h in probes {
                    let i = range.part(h as u32, n);
                    assert!(
                        parts[i].contains(h as u32),
                        "{h} in part {i} of {n} of {range:?}"
                    );
                }
            }
        }
    }

    /// 20,000 objects partitioned, then every partition split again as it loads: each object
    /// comes back once, in the partition of its hash, with its events in the order the store
    /// gives them (time, then log order), and no file is left.
    #[test]
    fn partitions_split_again_when_loaded_and_keep_every_event_in_order() {
        let base = tempfile::tempdir().unwrap();
        let mut ev = Evidence::default();
        let keys: Vec<String> = (0..20_000).map(|i| format!("logs/{i}/part")).collect();
        // Round j logs event j of every key that has one, so keys' events interleave; events
        // 0 and 1 share a second (log order decides), event 2 is a second earlier.
        for j in 0..3u64 {
            for (i, key) in keys.iter().enumerate() {
                if (i as u64) % 3 < j {
                    continue;
                }
                let t = Timestamp(1_000 + (i % 5) as i64 - (j / 2) as i64);
                let kind = match j {
                    0 => EventKind::Write { size: i as u64 },
                    1 => EventKind::Read {
                        bytes: 7,
                        charged: i % 2 == 0,
                    },
                    _ => EventKind::Delete { by_version: false },
                };
                ev.add_events(key, hash32(key), &[Event { t, kind }]);
            }
        }
        let expected: std::collections::BTreeMap<String, Vec<Event>> =
            ev.objects().map(|o| (o.key, o.events)).collect();
        assert_eq!(expected.len(), keys.len());
        let limit = ev.store_bytes() / 3;
        let mut g = Gather::new(limit, HashRange::ALL, base.path().to_path_buf());
        let (n, held) = g.check(&mut ev, 1, 1).unwrap().expect("past the limit");
        assert!(
            (4..=5).contains(&n),
            "{n} files for {held} bytes under {limit}"
        );
        assert!(ev.is_empty() && ev.store_bytes() == 0);
        let parted = g.finish().unwrap().unwrap();
        assert!(keys.iter().all(|k| parted.seen.may_have(k)));
        let strangers = (0..10_000)
            .filter(|i| parted.seen.may_have(&format!("other/{i}")))
            .count();
        assert!(
            strangers < 1_000,
            "{strangers} of 10,000 other keys may have events"
        );
        let mut queue = parted.files;
        assert_eq!(queue.len(), n);
        let (mut got, mut splits) = (std::collections::BTreeMap::new(), 0);
        while let Some(f) = queue.pop() {
            let range = f.range();
            let (piece, more) = load(f, None, limit / 4).unwrap();
            if !more.is_empty() {
                splits += 1;
                assert!(piece.is_empty());
                assert_eq!(more.first().map(|m| m.range().lo), Some(range.lo));
                assert_eq!(more.last().map(|m| m.range().hi), Some(range.hi));
                queue.extend(more);
                continue;
            }
            for o in piece.objects() {
                assert!(range.contains_key(&o.key), "{} outside {range:?}", o.key);
                assert!(got.insert(o.key, o.events).is_none());
            }
        }
        assert!(
            splits >= n,
            "every first partition passes a quarter of the limit"
        );
        assert!(
            got == expected,
            "objects or events changed on the way through disk"
        );
        let left: Vec<_> = std::fs::read_dir(base.path()).unwrap().collect();
        assert!(left.is_empty(), "{left:?}");
    }

    /// Log objects and inventory objects (half of them with log events) through partitions
    /// split again as they load: every inventory object comes back once, beside the
    /// partition holding its key's events.
    #[test]
    fn inventory_objects_stay_with_their_partition_through_splits() {
        use crate::sim::s3::history::{Initial, ObjectHistory};
        let base = tempfile::tempdir().unwrap();
        let mut ev = Evidence::default();
        let write = |i: usize| Event {
            t: Timestamp(i as i64),
            kind: EventKind::Write { size: 1 },
        };
        for i in 0..20_000 {
            let key = format!("k/{i}");
            ev.add_events(&key, hash32(&key), &[write(i)]);
        }
        let limit = ev.store_bytes() / 3;
        let mut g = Gather::new(limit, HashRange::ALL, base.path().to_path_buf());
        assert!(g.check(&mut ev, 1, 1).unwrap().is_some());
        let parted = g.finish().unwrap().unwrap();
        let mut w = StartsWriter::create(&parted).unwrap();
        // Inventory keys: k/0, k/2, … (with log events) and i/0, i/1, … (without).
        let inv: Vec<String> = (0..20_000)
            .map(|i| {
                if i % 2 == 0 {
                    format!("k/{i}")
                } else {
                    format!("i/{i}")
                }
            })
            .collect();
        for key in &inv {
            w.write(&ObjectHistory {
                key: key.clone(),
                initial: Some(Initial {
                    created: Timestamp(-1),
                    size: 7,
                    class: crate::aws::StorageClass::StandardIa,
                    it_tier: None,
                }),
                noncurrent: Box::default(),
                events: Vec::new(),
            })
            .unwrap();
        }
        let mut queue = Part::pair(parted.files, w.finish().unwrap());
        let (mut found, mut with_events, mut splits) = (Vec::new(), 0, 0);
        while let Some(part) = queue.pop() {
            match part.load(None, limit / 4).unwrap() {
                Loaded::Split(more) => {
                    splits += 1;
                    queue.extend(more);
                }
                Loaded::Ready(mut piece, starts) => starts
                    .read(|o| {
                        let events = piece.take_events(&o.key);
                        assert_eq!(!events.is_empty(), o.key.starts_with("k/"), "{}", o.key);
                        with_events += usize::from(!events.is_empty());
                        found.push(o.key);
                        Ok(())
                    })
                    .unwrap(),
            }
        }
        assert!(splits > 0);
        found.sort();
        let mut want = inv.clone();
        want.sort();
        assert!(found == want);
        assert_eq!(with_events, 10_000);
        assert_eq!(std::fs::read_dir(base.path()).unwrap().count(), 0);
    }

    /// A damaged file is an error naming it, never a panic or a wrong object.
    #[test]
    fn a_damaged_partition_file_is_an_error() {
        let base = tempfile::tempdir().unwrap();
        let dir = SpillDir::create(base.path()).unwrap();
        let mut w = SpillWriter::create(dir, HashRange::ALL, 1, 1).unwrap();
        let e = Event {
            t: Timestamp(5),
            kind: EventKind::Write { size: 9 },
        };
        w.write(hash32("a/b"), "a/b", &[e, e]).unwrap();
        let f = w.finish().unwrap().files.pop().unwrap();
        let good = std::fs::read(&f.path).unwrap();
        // (bytes the file should hold, what is wrong)
        for (bytes, what) in [
            (good.len() - 3, "runs past the file's end"),
            (good.len(), "ends inside an event"),
            (good.len(), "an unknown event kind"),
            (good.len(), "hash does not match"),
        ] {
            let mut bad = good.clone();
            match what {
                "an unknown event kind" => bad[12 + 3 + 8] = 99,
                "hash does not match" => bad[12] = b'z',
                _ => bad.truncate(good.len() - 3),
            }
            std::fs::write(&f.path, &bad).unwrap();
            // Removes the file when done; the next case writes it again.
            let g = SpillFile(PartFile {
                dir: f.dir.clone(),
                range: f.range,
                path: f.path.clone(),
                bytes: bytes as u64,
            });
            let err = g.read(|_, _, _, _| Ok(())).unwrap_err().to_string();
            assert!(err.contains(what) && err.contains("part-"), "{err}");
        }
    }

    fn any_event() -> impl Strategy<Value = Event> {
        (any::<i32>(), 0u8..7, any::<u64>()).prop_map(|(t, tag, v)| {
            let mut b = [0u8; EVENT_BYTES];
            b[..8].copy_from_slice(&i64::from(t).to_le_bytes());
            b[8] = tag;
            b[9..].copy_from_slice(&v.to_le_bytes());
            decode(&b).unwrap_or(Event {
                t: Timestamp(0),
                kind: EventKind::Request { tier1: true },
            })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Whatever a partition file holds, reading it returns records or an error, never a
        /// panic, and every record it returns is in the file's range with its key's hash.
        #[test]
        fn any_bytes_read_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300),
                                        claimed in 0u64..400) {
            let base = tempfile::tempdir().unwrap();
            let dir = SpillDir::create(base.path()).unwrap();
            let path = dir.file();
            std::fs::write(&path, &bytes).unwrap();
            let f = SpillFile(PartFile { dir, range: HashRange { lo: 0, hi: 1 << 31 }, path, bytes: claimed });
            let _ = f.read(|hash, key, _, at| {
                assert!(f.range.contains(hash) && hash32(key) == hash && at <= claimed);
                Ok(())
            });
        }

        /// Random keys and events through a random number of partitions, each loaded under a
        /// random limit (split again or not): every object comes back once, events unchanged.
        #[test]
        fn evidence_round_trips_through_partitions(
            objects in proptest::collection::vec(
                ("[a-c/]{0,6}", proptest::collection::vec(any_event(), 1..5)), 1..300),
            limit_div in 1usize..8,
        ) {
            let base = tempfile::tempdir().unwrap();
            let mut ev = Evidence::default();
            for (key, events) in &objects {
                for e in events {
                    ev.add_events(key, hash32(key), std::slice::from_ref(e));
                }
            }
            let expected: std::collections::BTreeMap<String, Vec<Event>> =
                ev.objects().map(|o| (o.key, o.events)).collect();
            let limit = (ev.store_bytes() / limit_div).max(1);
            let mut g = Gather::new(limit.saturating_sub(1), HashRange::ALL, base.path().into());
            prop_assert!(g.check(&mut ev, 1, 1).unwrap().is_some());
            let parted = g.finish().unwrap().unwrap();
            prop_assert!(expected.keys().all(|k| parted.seen.may_have(k)));
            let mut queue = parted.files;
            let mut got = std::collections::BTreeMap::new();
            while let Some(f) = queue.pop() {
                let (piece, more) = load(f, None, limit / 2 + 1).unwrap();
                queue.extend(more);
                for o in piece.objects() {
                    prop_assert!(got.insert(o.key, o.events).is_none());
                }
            }
            prop_assert_eq!(got, expected);
            prop_assert_eq!(std::fs::read_dir(base.path()).unwrap().count(), 0);
        }
    }

    #[test]
    fn events_round_trip() {
        let kinds = [
            EventKind::Write { size: u64::MAX },
            EventKind::Read {
                bytes: 5,
                charged: true,
            },
            EventKind::Read {
                bytes: 0,
                charged: false,
            },
            EventKind::Request { tier1: true },
            EventKind::Request { tier1: false },
            EventKind::Delete { by_version: false },
            EventKind::Delete { by_version: true },
        ];
        for (i, kind) in kinds.into_iter().enumerate() {
            let e = Event {
                t: Timestamp(-3 + i as i64 * 1_000_000_007),
                kind,
            };
            assert_eq!(decode(&encode(&e)), Some(e));
        }
        let mut bad = encode(&Event {
            t: Timestamp(0),
            kind: EventKind::Request { tier1: true },
        });
        bad[8] = 7;
        assert_eq!(decode(&bad), None);
    }
}
