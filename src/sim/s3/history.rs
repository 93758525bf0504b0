//! Object histories: what happened to each key, gathered from the evidence and grouped by key
//! (one pass over logs; inventory rows give the objects present at the start). The evidence
//! keeps them compactly (`store`: about 70 bytes per object plus its key) and builds
//! `ObjectHistory` values batch by batch for the replay.

use super::repeat::WeeklyRepeat;
use super::spill::{SpillError, SpillWriter};
use super::store::{Store, hash32};
use crate::aws::{ItTier, StorageClass};
use crate::trace::access_log::{Action, BillingClass, Record, action, billing_class};
use crate::units::Timestamp;

/// What an event does, for replay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// A new version of the object is written (PUT, COPY destination, completed upload).
    Write { size: u64 },
    /// The object's data is read: `bytes` retrieved; `charged` is false for the GET side of a
    /// copy (its request is billed on the PUT side).
    Read { bytes: u64, charged: bool },
    /// A request on the object that is not a data access (HEAD, tagging, ACL…), of a tier.
    Request { tier1: bool },
    /// The object is deleted by a user; `by_version`: the request named a version ID (in a
    /// versioned bucket that removes that version for good, not the current one).
    Delete { by_version: bool },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    pub t: Timestamp,
    pub kind: EventKind,
}

/// An object present when the horizon starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Initial {
    pub created: Timestamp,
    pub size: u64,
    pub class: StorageClass,
    pub it_tier: Option<ItTier>,
}

/// A noncurrent version or delete marker present at the start (an inventory listing all
/// versions, in a versioned bucket).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Noncurrent {
    /// Size 0 and class STANDARD for a delete marker.
    pub version: Initial,
    /// When it became noncurrent: the creation (last-modified) time of the next newer version;
    /// `None` for a delete marker that is the current version.
    pub since: Option<Timestamp>,
    pub marker: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ObjectHistory {
    pub key: String,
    /// The current version present at the start (a current delete marker is in `noncurrent`).
    pub initial: Option<Initial>,
    /// Versioned buckets: older versions present at the start, oldest first, and a current
    /// delete marker last.
    pub noncurrent: Box<[Noncurrent]>,
    /// In time order.
    pub events: Vec<Event>,
}

/// Requests not tied to an object (LIST, HEAD bucket, bucket configuration): billed at
/// STANDARD's tier-1 or tier-2 price whatever the policy.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BucketRequests {
    pub tier1: Vec<Timestamp>,
    pub tier2: Vec<Timestamp>,
}

/// Everything replayed: objects by key, and bucket-level requests.
#[derive(Clone, Debug, Default)]
pub struct Evidence {
    /// The objects, in the order their keys first appeared.
    store: Store,
    pub bucket_requests: BucketRequests,
    /// Records that are not billed and change nothing (lifecycle actions of the bucket's
    /// *current* policy, unbilled errors): counted, not replayed.
    pub ignored: u64,
    /// Records of keys (or bucket-level requests) that belong to another shard: counted, not
    /// replayed here.
    pub other_shard: u64,
    /// Only objects of this shard are kept: (index 1..=count, count).
    pub shard: Option<(u64, u64)>,
    /// The earliest and latest log record times (every record, of any shard): where the
    /// evidence ends, for repeating its last week.
    pub log_span: Option<(Timestamp, Timestamp)>,
    /// Multipart uploads started (`CreateMultipartUpload`, any shard): the optimizer adds an
    /// `AbortIncompleteMultipartUpload` rule when there are some.
    pub multipart_uploads: u64,
}

/// Widens `span` to include `t`.
fn widen(span: &mut Option<(Timestamp, Timestamp)>, t: Timestamp) {
    *span = Some(match *span {
        Some((a, b)) => (a.min(t), b.max(t)),
        None => (t, t),
    });
}

/// Whether `key` belongs to shard `(index 1..=count, count)` (every key does without a shard).
pub fn in_shard(key: &str, shard: Option<(u64, u64)>) -> bool {
    shard.is_none_or(|(i, n)| key_hash(key) % n + 1 == i)
}

/// What one log record adds to the evidence.
enum Entry<'a> {
    /// Not billed and changes nothing (lifecycle actions of the bucket's current policy,
    /// unbilled errors).
    Ignored,
    /// Belongs to another shard.
    OtherShard,
    /// A request not tied to an object (or billed like a LIST).
    Bucket {
        tier1: bool,
        t: Timestamp,
    },
    Object(&'a str, Event),
}

/// Whether a record started a multipart upload (successfully).
fn is_upload_start(r: &Record<'_>) -> bool {
    action(r.operation) == Action::MultipartStart && r.http_status.is_none_or(|s| s < 300)
}

/// Classifies a log record (the same on any thread; `shard` keeps only that shard's keys).
fn classify<'a>(r: &'a Record<'_>, shard: Option<(u64, u64)>) -> Entry<'a> {
    let class = billing_class(r);
    if matches!(
        class,
        BillingClass::Lifecycle | BillingClass::System | BillingClass::UnbilledError
    ) {
        return Entry::Ignored;
    }
    let ok = r.http_status.is_none_or(|s| s < 300 || s == 304);
    let Some(key) = r.key.as_deref() else {
        let tier1 = match class {
            BillingClass::Tier1 => true,
            BillingClass::Tier2 => false,
            // Free (a DELETE) or a copy's source read with no key: nothing to bill or replay.
            _ => return Entry::Ignored,
        };
        // Requests not tied to an object belong to the first shard only.
        if shard.is_some_and(|(i, _)| i != 1) {
            return Entry::OtherShard;
        }
        return Entry::Bucket { tier1, t: r.time };
    };
    if !in_shard(key, shard) {
        return Entry::OtherShard;
    }
    // "LIST requests for any storage class are charged at the same rate as S3 Standard PUT,
    // COPY, and POST requests" (s3-pricing-and-rules.md §1.2): ListParts names a key, but
    // is billed like any LIST.
    if action(r.operation) == Action::List {
        return Entry::Bucket {
            tier1: true,
            t: r.time,
        };
    }
    let kind = match (action(r.operation), ok) {
        (Action::Write, true) => EventKind::Write {
            size: r.object_size.unwrap_or(0),
        },
        (Action::Read, true) if r.http_status != Some(304) => EventKind::Read {
            bytes: r.bytes_sent.or(r.object_size).unwrap_or(0),
            charged: class != BillingClass::CopySourceRead,
        },
        (Action::Delete, true) => EventKind::Delete {
            by_version: r.version_id.is_some_and(|v| v != "null"),
        },
        _ if class == BillingClass::Tier1 => EventKind::Request { tier1: true },
        _ if class == BillingClass::Tier2 => EventKind::Request { tier1: false },
        _ => return Entry::Ignored,
    };
    Entry::Object(key, Event { t: r.time, kind })
}

/// Log records classified on the thread that parses them, for `Evidence::add_batch` on the
/// thread that owns the evidence: keys in one buffer, events and bucket requests in order.
#[derive(Debug, Default)]
pub struct RecordBatch {
    keys: String,
    /// (hash32 of the key, where the key is in `keys`, the event): hashed on the parsing
    /// thread, so that the thread grouping records by key only probes its table.
    objects: Vec<(u32, std::ops::Range<usize>, Event)>,
    tier1: Vec<Timestamp>,
    tier2: Vec<Timestamp>,
    ignored: u64,
    other_shard: u64,
    shard: Option<(u64, u64)>,
    span: Option<(Timestamp, Timestamp)>,
    multipart_uploads: u64,
}

impl RecordBatch {
    /// An empty batch keeping only `shard`'s keys.
    pub fn new(shard: Option<(u64, u64)>) -> RecordBatch {
        RecordBatch {
            shard,
            ..RecordBatch::default()
        }
    }

    pub fn add(&mut self, r: &Record<'_>) {
        widen(&mut self.span, r.time);
        self.multipart_uploads += u64::from(is_upload_start(r));
        match classify(r, self.shard) {
            Entry::Ignored => self.ignored += 1,
            Entry::OtherShard => self.other_shard += 1,
            Entry::Bucket { tier1: true, t } => self.tier1.push(t),
            Entry::Bucket { tier1: false, t } => self.tier2.push(t),
            Entry::Object(key, e) => {
                let start = self.keys.len();
                self.keys.push_str(key);
                self.objects.push((hash32(key), start..self.keys.len(), e));
            }
        }
    }

    /// Records kept so far.
    pub fn len(&self) -> usize {
        self.objects.len() + self.tier1.len() + self.tier2.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// FNV-1a of a key: a stable hash (the same on every machine and version) for sharding.
pub fn key_hash(key: &str) -> u64 {
    key.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

impl Evidence {
    /// Evidence of these objects, each replayed as given (even where keys repeat).
    pub fn from_objects(objects: impl IntoIterator<Item = ObjectHistory>) -> Evidence {
        let mut ev = Evidence::default();
        for o in objects {
            ev.push(o);
        }
        ev
    }

    /// Adds an object, replayed as given (a key already present is not merged into: it is
    /// another object, and `take_events` finds the first).
    pub fn push(&mut self, o: ObjectHistory) {
        let i = self.store.new_slot(&o.key, hash32(&o.key));
        for e in o.events {
            self.store.push_event(i, e);
        }
        self.store.set_start(i, o.initial, o.noncurrent);
    }

    /// Objects kept (those whose events were taken are not).
    pub fn len(&self) -> usize {
        self.store.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The objects, `n` at a time, in the order their keys first appeared, events in time
    /// order (same-second events in log order).
    pub fn batches(&self, n: usize) -> impl Iterator<Item = Vec<ObjectHistory>> + '_ {
        self.store.batches(n)
    }

    /// The slot and events of `key` (time order), left in place (a profile is measured before
    /// the replay takes them).
    pub fn peek_events(&self, key: &str) -> Option<(u32, Vec<Event>)> {
        self.store.peek_events(key)
    }

    /// The objects one by one with their slots, as `objects` gives them.
    pub fn objects_with_slots(&self) -> impl Iterator<Item = (u32, ObjectHistory)> + '_ {
        self.store.histories_with_slots()
    }

    /// The objects one by one, as `batches` gives them.
    pub fn objects(&self) -> impl Iterator<Item = ObjectHistory> + '_ {
        self.store.histories()
    }

    /// Whether `key` belongs to this evidence's shard.
    pub fn in_shard(&self, key: &str) -> bool {
        in_shard(key, self.shard)
    }

    /// Adds a log record. Lifecycle records of the bucket's current configuration are not
    /// replayed: the policy under study decides transitions and expirations itself.
    pub fn add_record(&mut self, r: &Record<'_>) {
        widen(&mut self.log_span, r.time);
        self.multipart_uploads += u64::from(is_upload_start(r));
        match classify(r, self.shard) {
            Entry::Ignored => self.ignored += 1,
            Entry::OtherShard => self.other_shard += 1,
            Entry::Bucket { tier1: true, t } => self.bucket_requests.tier1.push(t),
            Entry::Bucket { tier1: false, t } => self.bucket_requests.tier2.push(t),
            Entry::Object(key, e) => self.add_event(key, hash32(key), e),
        }
    }

    /// Adds records gathered by a [`RecordBatch`] (on another thread), in their order.
    pub fn add_batch(&mut self, b: &RecordBatch) {
        self.add_not_objects(b);
        for (hash, range, e) in &b.objects {
            if let Some(key) = b.keys.get(range.clone()) {
                self.add_event(key, *hash, *e);
            }
        }
    }

    /// Adds a batch's records as `add_batch` does, except that objects' events are written
    /// to partition files (the evidence is past its memory limit: `spill::Gather`).
    pub fn spill_batch(&mut self, b: &RecordBatch, w: &mut SpillWriter) -> Result<(), SpillError> {
        self.add_not_objects(b);
        for (hash, range, e) in &b.objects {
            if let Some(key) = b.keys.get(range.clone()) {
                w.write(*hash, key, std::slice::from_ref(e))?;
            }
        }
        Ok(())
    }

    /// What a batch adds besides objects' events: its time span, ignored records and
    /// requests not tied to an object.
    fn add_not_objects(&mut self, b: &RecordBatch) {
        if let Some((first, last)) = b.span {
            widen(&mut self.log_span, first);
            widen(&mut self.log_span, last);
        }
        self.ignored += b.ignored;
        self.other_shard += b.other_shard;
        self.multipart_uploads += b.multipart_uploads;
        self.bucket_requests.tier1.extend_from_slice(&b.tier1);
        self.bucket_requests.tier2.extend_from_slice(&b.tier2);
    }

    /// Appends a log event to the object of `key` (with its `hash32`), made when absent.
    fn add_event(&mut self, key: &str, hash: u32, e: Event) {
        let i = self.store.slot(key, hash);
        self.store.push_event(i, e);
    }

    /// Appends log events (in log order) to the object of `key`, made when absent.
    pub(super) fn add_events(&mut self, key: &str, hash: u32, events: &[Event]) {
        let i = self.store.slot(key, hash);
        for e in events {
            self.store.push_event(i, *e);
        }
    }

    /// Bytes held by the objects (what partitioning to disk frees; requests not tied to an
    /// object stay in memory).
    pub fn store_bytes(&self) -> usize {
        self.store.memory_bytes()
    }

    /// Moves every object to partition files (events in log order) and empties the store.
    pub(super) fn spill_objects(&mut self, w: &mut SpillWriter) -> Result<(), SpillError> {
        self.store
            .drain(|key, events| w.write(hash32(key), key, events))
    }

    /// Takes the log events of `key` (an inventory object replayed as it is streamed), in
    /// time order; `len`, `batches` and `objects` then leave the object out.
    pub fn take_events(&mut self, key: &str) -> Vec<Event> {
        self.store.take_events(key)
    }

    /// Frees the key table once no more events are taken (the inventory is done).
    pub fn done_taking(&mut self) {
        self.store.drop_index();
    }

    /// Repeats the logs' last week until `end` (`[evidence] repeat = "weekly"`): requests not
    /// tied to an object are repeated here; the returned repeat, set as the replay's
    /// `ReplayOptions::repeat`, repeats each object's week as it is replayed.
    pub fn repeat_weekly(&mut self, end: Timestamp) -> Result<WeeklyRepeat, String> {
        let Some((first, last)) = self.log_span else {
            return Err("repeating the weekly pattern needs logs".into());
        };
        let repeat = WeeklyRepeat::after_logs(first, last)?;
        repeat.extend_times(&mut self.bucket_requests.tier1, end);
        repeat.extend_times(&mut self.bucket_requests.tier2, end);
        Ok(repeat)
    }
}
