//! Replaying one object's history under one policy, metering as AWS would: storage byte-time per
//! class and Intelligent-Tiering tier (with the minimum billable size and archive overhead),
//! requests at the class of the moment, retrieval GB, restores and their temporary copies,
//! lifecycle transitions, early-deletion remainders, and IT monitoring. Event-driven: the next
//! lifecycle or tiering change is computed from the object's clock, never found by ticking.

use super::accum::{Accum, month_of};
use super::history::{EventKind, ObjectHistory};
use super::policy::{
    Action, Policy, PolicyKind, ReplayOptions, Scheduled, class_rank, may_transition, schedule,
};
use super::timeline::Span;
use crate::aws::{ArchiveSource, ItTier, RequestTier, RestoreTier, StorageClass, StorageTier};
use crate::meter::Meter;
use crate::rules::S3Rules;
use crate::trace::lifecycle::LifecycleConfiguration;
use crate::units::time::SECONDS_PER_DAY;
use crate::units::{Timestamp, next_midnight_utc};
use std::collections::BTreeSet;

pub use super::stats::{AGE_BANDS_DAYS, Stats};

/// The fixed inputs of a replay.
pub struct Ctx<'a> {
    pub policy: &'a Policy,
    pub opts: &'a ReplayOptions,
    pub rules: &'a S3Rules,
    /// Horizon [start, end): nothing is billed outside it.
    pub start: Timestamp,
    pub end: Timestamp,
}

/// One stored version of the object (the current one, or a noncurrent one in a versioned
/// bucket).
pub(super) struct Live {
    pub(super) size: u64,
    pub(super) tier: StorageTier,
    /// When the version was written (or last modified, for inventory objects).
    pub(super) created: Timestamp,
    /// When it entered its current class (for minimum durations).
    pub(super) entered: Timestamp,
    /// Last data access (Intelligent-Tiering's clock).
    pub(super) last_access: Timestamp,
    /// A restored copy of an archived object is readable until then.
    pub(super) restored_until: Timestamp,
    pub(super) plan: Vec<Scheduled>,
    pub(super) next: usize,
    /// Storage is billed up to here.
    pub(super) billed: Timestamp,
    /// The sink slot its usage goes to and the band rule that applies to it, fixed when it
    /// began (`Sink::version`).
    pub(super) slot: usize,
    pub(super) band: Option<usize>,
    /// A delete marker (versioned buckets): no data, its key name billed in STANDARD.
    pub(super) marker: bool,
    /// When it became noncurrent (versioned buckets); `None` while current.
    pub(super) since: Option<Timestamp>,
    /// When each newer noncurrent version appeared, oldest first (kept while a
    /// `NewerNoncurrentVersions` condition may still be waiting for them).
    pub(super) newer: Vec<Timestamp>,
    /// The key this noncurrent version is queued under in `Replay::queue`.
    pub(super) queued: Option<Timestamp>,
}

/// What billing a version's storage needs to know of it.
#[derive(Clone, Copy)]
pub(super) struct Held {
    tier: StorageTier,
    size: u64,
    marker: bool,
    noncurrent: bool,
}

/// What a version's plan entries due at a time do to it.
enum Due {
    Expire,
    Transition(StorageClass),
    Nothing,
}

/// Takes every plan entry of `l` due at `at`: expiration wins over transitions on the same
/// day; among transitions the lower-cost class wins (§2.5 conflict resolution).
fn due_plan(l: &mut Live, at: Timestamp) -> Due {
    let mut expire = false;
    let mut best: Option<StorageClass> = None;
    while let Some(s) = l.plan.get(l.next).copied() {
        if s.at > at {
            break;
        }
        l.next += 1;
        match s.action {
            Action::Expire => expire = true,
            Action::Transition(c) => {
                if best.is_none_or(|b| class_rank(c) < class_rank(b))
                    && may_transition(class_of(l.tier), c)
                {
                    best = Some(c);
                }
            }
        }
    }
    match (expire, best) {
        (true, _) => Due::Expire,
        (false, Some(c)) => Due::Transition(c),
        (false, None) => Due::Nothing,
    }
}

impl Live {
    /// Now in `target`, since `at` (the transition's charges are the caller's).
    fn transitioned(&mut self, at: Timestamp, target: StorageClass) {
        self.tier = tier_of(target);
        self.entered = at;
        self.last_access = at;
    }

    pub(super) fn held(&self) -> Held {
        Held {
            tier: self.tier,
            size: self.size,
            marker: self.marker,
            noncurrent: self.since.is_some(),
        }
    }

    pub(super) fn new(
        size: u64,
        tier: StorageTier,
        created: Timestamp,
        plan: Vec<Scheduled>,
        slot: usize,
        band: Option<usize>,
    ) -> Live {
        Live {
            size,
            tier,
            created,
            entered: created,
            last_access: created,
            restored_until: Timestamp(i64::MIN),
            plan,
            next: 0,
            billed: created,
            slot,
            band,
            marker: false,
            since: None,
            newer: Vec::new(),
            queued: None,
        }
    }
}

pub(super) fn class_of(t: StorageTier) -> StorageClass {
    match t {
        StorageTier::Class(c) => c,
        StorageTier::It(_) => StorageClass::IntelligentTiering,
    }
}

fn tier_of(c: StorageClass) -> StorageTier {
    match c {
        StorageClass::IntelligentTiering => StorageTier::It(ItTier::Frequent),
        c => StorageTier::Class(c),
    }
}

/// Hours until a restore completes, taking the upper end of AWS's stated times (§1.3): Glacier
/// Flexible expedited 1–5 min, standard 3–5 h, bulk 5–12 h; Deep Archive standard within 12 h,
/// bulk within 48 h; IT Archive Access as Glacier Flexible, Deep Archive Access as Deep Archive.
pub(super) fn restore_wait_seconds(src: ArchiveSource, tier: RestoreTier) -> i64 {
    let h = |x: i64| x * 3600;
    match (src, tier) {
        (ArchiveSource::Glacier | ArchiveSource::ItArchive, RestoreTier::Expedited) => 5 * 60,
        (ArchiveSource::Glacier | ArchiveSource::ItArchive, RestoreTier::Standard) => h(5),
        (ArchiveSource::Glacier | ArchiveSource::ItArchive, RestoreTier::Bulk) => h(12),
        (ArchiveSource::DeepArchive | ArchiveSource::ItDeepArchive, RestoreTier::Bulk) => h(48),
        (ArchiveSource::DeepArchive | ArchiveSource::ItDeepArchive, _) => h(12),
    }
}

/// Where a replay's meters and statistics go.
pub trait Sink {
    fn acc(&mut self) -> &mut Accum;
    fn st(&mut self) -> &mut Stats;
    /// A version of `key` with `size` bytes begins (or is present at the start): what follows
    /// is attributed to it. Returns the size band whose rule applies to it under a
    /// `PolicyKind::Grouped` policy (`None`: no rule applies).
    fn version(&mut self, key: &str, size: u64) -> Option<usize>;
    /// The slot usage currently goes to (set by `version`).
    fn slot(&self) -> usize {
        0
    }
    /// Sends usage to `slot` again (a noncurrent version's, while it is billed).
    fn select(&mut self, _slot: usize) {}
}

/// The plain sink: one accumulator and one set of statistics.
struct Plain<'c> {
    acc: &'c mut Accum,
    st: &'c mut Stats,
}

impl Sink for Plain<'_> {
    fn acc(&mut self) -> &mut Accum {
        self.acc
    }
    fn st(&mut self) -> &mut Stats {
        self.st
    }
    fn version(&mut self, _key: &str, _size: u64) -> Option<usize> {
        None
    }
}

pub(super) struct Replay<'a, 'c, S: Sink> {
    pub(super) cx: &'c Ctx<'a>,
    pub(super) key: &'c str,
    pub(super) sink: &'c mut S,
    /// The band rule of the latest version begun, under a grouped policy.
    pub(super) band: Option<usize>,
    /// The current version (a delete marker is one, in a versioned bucket).
    pub(super) live: Option<Live>,
    /// Noncurrent versions in the order they became noncurrent (`None` once removed).
    pub(super) old: Vec<Option<Live>>,
    /// (next change, index in `old`) of every noncurrent version with a change ahead.
    pub(super) queue: BTreeSet<(Timestamp, usize)>,
    /// Noncurrent versions not yet removed.
    pub(super) old_count: usize,
    /// The largest `NewerNoncurrentVersions` of the policy's rules (0: none), found when a
    /// version first becomes noncurrent (`Replay::max_newer`).
    pub(super) max_newer: Option<usize>,
}

impl<'a, S: Sink> Replay<'a, '_, S> {
    pub(super) fn in_window(&self, t: Timestamp) -> bool {
        t >= self.cx.start && t < self.cx.end
    }

    pub(super) fn count(&mut self, meter: Meter, t: Timestamp, n: u128) {
        if self.in_window(t) {
            self.sink.acc().add(meter, t, n);
        }
    }

    fn new_class(&self) -> StorageClass {
        match &self.cx.policy.kind {
            PolicyKind::AllStandard => StorageClass::Standard,
            PolicyKind::IntelligentTiering { .. } => StorageClass::IntelligentTiering,
            PolicyKind::Path(p) => p.start,
            PolicyKind::Lifecycle(_) | PolicyKind::Grouped(_) | PolicyKind::Clairvoyant(_) => {
                self.cx.opts.class_for(self.key)
            }
        }
    }

    /// The lifecycle configuration that applies to a version of `band`.
    pub(super) fn config(&self, band: Option<usize>) -> Option<&'a LifecycleConfiguration> {
        match &self.cx.policy.kind {
            PolicyKind::Lifecycle(cfg) => Some(cfg),
            PolicyKind::Grouped(bands) => band.and_then(|b| bands.get(b)),
            _ => None,
        }
    }

    /// The current version's data, if it has any (not a delete marker).
    fn data(&self) -> Option<&Live> {
        self.live.as_ref().filter(|l| !l.marker)
    }

    fn plan_for(&self, size: u64, created: Timestamp) -> Vec<Scheduled> {
        match &self.cx.policy.kind {
            PolicyKind::Grouped(_) | PolicyKind::Lifecycle(_) => match self.config(self.band) {
                Some(cfg) => schedule(
                    cfg,
                    self.key,
                    size,
                    created,
                    self.cx.start,
                    self.cx.rules.lifecycle_transition_min_bytes,
                ),
                None => Vec::new(),
            },
            PolicyKind::Path(p) => p
                .steps
                .iter()
                .filter(|s| s.at >= created)
                .copied()
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Bills `l`'s storage from where it was billed to `t`.
    pub(super) fn bill_to(&mut self, l: &mut Live, t: Timestamp) {
        if t > l.billed {
            self.bill(l.held(), l.billed, t);
            l.billed = t;
        }
    }

    /// Bills the current version's storage from where it was billed to `t`.
    fn bill_current_to(&mut self, t: Timestamp) {
        let Some(l) = self.live.as_mut() else { return };
        if t > l.billed {
            let (held, from) = (l.held(), l.billed);
            l.billed = t;
            self.bill(held, from, t);
        }
    }

    /// Bills a version's storage over [a, b) (clipped to the horizon).
    fn bill(&mut self, l: Held, a: Timestamp, b: Timestamp) {
        let (a, b) = (a.max(self.cx.start), b.min(self.cx.end));
        let Some(span) = Span::new(a, b) else { return };
        let rules = self.cx.rules;
        if l.marker {
            // "The storage size of a delete marker is equal to the size of the key name";
            // delete markers are stored in S3 Standard (S3 User Guide, "Working with delete
            // markers", https://docs.aws.amazon.com/AmazonS3/latest/userguide/DeleteMarker.html).
            let bytes = self.key.len() as u64;
            self.sink.acc().hold_span(
                &Meter::Storage(StorageTier::Class(StorageClass::Standard)),
                bytes,
                &span,
            );
            return;
        }
        let acc = self.sink.acc();
        acc.hold_span(&Meter::Storage(l.tier), l.size, &span);
        if let StorageTier::Class(c) = l.tier {
            let min = rules.minimum_bytes(c);
            if l.size < min {
                // §2.3: "charged for 128 KB of storage at the appropriate storage class rate".
                acc.hold_span(&Meter::SmallObjectPadding(c), min - l.size, &span);
            }
        }
        if rules.has_archive_overhead(l.tier) {
            // §2.3: 8 KB at S3 Standard rates and 32 KB at the archive rate, per object.
            acc.hold_span(
                &Meter::ArchiveOverheadStandard(l.tier),
                rules.archive_overhead_standard_bytes,
                &span,
            );
            acc.hold_span(
                &Meter::ArchiveOverhead(l.tier),
                rules.archive_overhead_archive_bytes,
                &span,
            );
        }
        if matches!(l.tier, StorageTier::It(_)) && l.size >= rules.it_monitoring_min_bytes {
            // Monitoring fee per object, prorated by the time the object is monitored.
            acc.hold_span(&Meter::ItMonitoredObjectHours, 1, &span);
        }
        // Month-end snapshot: what is held at the last second of each month.
        self.sink
            .st()
            .hold_version(l.tier, l.noncurrent, l.size, &span);
    }

    /// The next lifecycle or tiering change of `l`.
    pub(super) fn next_change(&self, l: &Live) -> Option<(Timestamp, Change)> {
        let plan = l.plan.get(l.next).map(|s| (s.at, Change::Plan));
        let tiering = match (&self.cx.policy.kind, l.tier) {
            (
                PolicyKind::IntelligentTiering {
                    archive_days,
                    deep_archive_days,
                },
                StorageTier::It(t),
            ) => it_next(t, l, self.cx.rules, *archive_days, *deep_archive_days),
            (PolicyKind::Lifecycle(_) | PolicyKind::Grouped(_), StorageTier::It(t)) => {
                it_next(t, l, self.cx.rules, None, None)
            }
            _ => None,
        };
        let tiering = tiering.map(|(at, to)| (at, Change::Tier(to)));
        match (plan, tiering) {
            (Some(p), Some(t)) => Some(if t.0 < p.0 { t } else { p }),
            (p, t) => p.or(t),
        }
    }

    /// Applies lifecycle/tiering changes of every version, in time order, up to `until`, and
    /// bills the current version's storage to then (noncurrent versions are billed when they
    /// change and at the end).
    fn advance(&mut self, until: Timestamp) {
        loop {
            let cur = self.live.as_ref().and_then(|l| self.next_change(l));
            let old = self.queue.first().copied();
            match (cur, old) {
                (Some((at, change)), o) if at < until && o.is_none_or(|(ot, _)| at <= ot) => {
                    self.change_current(at, change)
                }
                (_, Some((at, i))) if at < until => self.change_old(i, at),
                _ => break,
            }
        }
        self.bill_current_to(until);
    }

    /// A lifecycle or tiering change of the current version at `at` (made in place: the
    /// version is taken out only when it ends).
    fn change_current(&mut self, at: Timestamp, change: Change) {
        self.bill_current_to(at);
        let Some(l) = self.live.as_mut() else {
            return;
        };
        let expires = match change {
            Change::Tier(to) => {
                l.tier = StorageTier::It(to);
                false
            }
            Change::Plan => match due_plan(l, at) {
                Due::Expire => true,
                Due::Transition(target) => {
                    let (tier, size, entered) = (l.tier, l.size, l.entered);
                    self.transition_charges(tier, size, entered, at, target);
                    if let Some(l) = self.live.as_mut() {
                        l.transitioned(at, target);
                    }
                    false
                }
                Due::Nothing => false,
            },
        };
        if !expires {
            return;
        }
        let Some(l) = self.live.take() else { return };
        if l.marker {
            // ExpiredObjectDeleteMarker: the lone marker goes; nothing is left.
        } else if self.cx.opts.versioning {
            // Expiration of a current version in a versioned bucket adds a delete marker; the
            // data stays as a noncurrent version (§2.5).
            self.sink.st().expirations += 1;
            self.demote(l, at);
            self.new_marker(at);
        } else {
            // Expiration is free; the minimum-duration remainder still applies (§2.2).
            self.sink.st().expirations += 1;
            self.early_delete(&l, at);
        }
    }

    /// Applies every plan entry of `l` due at `at` (see `due_plan`). Returns whether `l`
    /// expires (the caller ends it).
    pub(super) fn apply_plan(&mut self, l: &mut Live, at: Timestamp) -> bool {
        match due_plan(l, at) {
            Due::Expire => true,
            Due::Transition(target) => {
                self.transition_charges(l.tier, l.size, l.entered, at, target);
                l.transitioned(at, target);
                false
            }
            Due::Nothing => false,
        }
    }

    /// What a transition to `target` at `at` costs a version in `tier` since `entered`.
    fn transition_charges(
        &mut self,
        tier: StorageTier,
        size: u64,
        entered: Timestamp,
        at: Timestamp,
        target: StorageClass,
    ) {
        // A transition before the minimum duration bills the remainder of the class it leaves.
        self.early_delete_of(tier, size, entered, at);
        // "A transition request is charged per object when an object becomes eligible" (§2.5).
        self.count(Meter::Transitions(target), at, 1);
        self.sink.st().count_transition(target);
    }

    /// The minimum-duration remainder when `l` leaves its class at `t`.
    pub(super) fn early_delete(&mut self, l: &Live, t: Timestamp) {
        self.early_delete_of(l.tier, l.size, l.entered, t);
    }

    /// The minimum-duration remainder when a version of `size` bytes, in `tier` since
    /// `entered`, leaves it at `t`.
    fn early_delete_of(&mut self, tier: StorageTier, size: u64, entered: Timestamp, t: Timestamp) {
        let class = class_of(tier);
        let min_secs = self.cx.rules.minimum_days(class) as i64 * SECONDS_PER_DAY;
        let held = t.0 - entered.0;
        if held >= min_secs {
            return;
        }
        let bytes = size.max(self.cx.rules.minimum_bytes(class)) as u128;
        let bs = bytes * (min_secs - held) as u128;
        if self.in_window(t) {
            // Billed in the month the object leaves, at the class it leaves.
            self.sink
                .acc()
                .add_byte_seconds(Meter::EarlyDelete(class), month_of(t), bs);
            self.sink.st().early_delete_byte_seconds += bs;
        }
    }

    fn start_version(&mut self, t: Timestamp, size: u64, class: StorageClass) {
        let plan = self.plan_for(size, t);
        let slot = self.sink.slot();
        self.live = Some(Live::new(size, tier_of(class), t, plan, slot, self.band));
    }

    fn read(&mut self, t: Timestamp, bytes: u64, charged: bool) {
        let Some(l) = self.data() else {
            if self.in_window(t) {
                self.sink.st().reads_missing += 1;
            }
            if charged {
                self.count(
                    Meter::Requests(StorageClass::Standard, RequestTier::Tier2),
                    t,
                    1,
                );
            }
            return;
        };
        let (tier, size, restored_until) = (l.tier, l.size, l.restored_until);
        if self.in_window(t) {
            let age_days = (t.0 - l.created.0).max(0) / SECONDS_PER_DAY;
            let band = AGE_BANDS_DAYS
                .iter()
                .rposition(|d| age_days >= *d as i64)
                .unwrap_or(0);
            self.sink.st().reads_by_age[band] += 1;
        }
        let class = class_of(tier);
        let archive = match tier {
            StorageTier::Class(StorageClass::Glacier) => Some(ArchiveSource::Glacier),
            StorageTier::Class(StorageClass::DeepArchive) => Some(ArchiveSource::DeepArchive),
            StorageTier::It(ItTier::Archive) => Some(ArchiveSource::ItArchive),
            StorageTier::It(ItTier::DeepArchive) => Some(ArchiveSource::ItDeepArchive),
            _ => None,
        };
        if let Some(src) = archive.filter(|_| restored_until <= t) {
            // A read of an archived object needs a restore first (§1.3).
            let mut rt = self.cx.opts.restore_tier;
            if rt == RestoreTier::Expedited
                && matches!(
                    src,
                    ArchiveSource::DeepArchive | ArchiveSource::ItDeepArchive
                )
            {
                rt = RestoreTier::Standard; // Deep Archive has no Expedited tier (§1.3).
            }
            let wait = restore_wait_seconds(src, rt);
            self.count(Meter::RestoreRequests(src, rt), t, 1);
            self.count(Meter::RestoreBytes(src, rt), t, size as u128);
            self.sink.st().restores += 1;
            self.sink.st().restore_wait_hours += (wait / 3600) as u64;
            let st = self.sink.st();
            st.max_restore_wait_hours = st.max_restore_wait_hours.max((wait / 3600) as u64);
            let ready = Timestamp(t.0 + wait);
            match src {
                ArchiveSource::Glacier | ArchiveSource::DeepArchive => {
                    // The temporary copy is billed at the STANDARD rate for the days kept (§1.3).
                    let until =
                        Timestamp(ready.0 + self.cx.opts.restore_days as i64 * SECONDS_PER_DAY);
                    let (a, b) = (ready.max(self.cx.start), until.min(self.cx.end));
                    if a < b {
                        self.sink.acc().hold(&Meter::RestoredCopy(src), size, a, b);
                    }
                    if let Some(l) = &mut self.live {
                        l.restored_until = until;
                    }
                }
                // IT: after a restore the object is back in Frequent Access (§2.4).
                _ => {
                    if let Some(l) = &mut self.live {
                        l.tier = StorageTier::It(ItTier::Frequent);
                        l.last_access = t;
                    }
                }
            }
        }
        if charged {
            self.count(Meter::Requests(class, RequestTier::Tier2), t, 1);
        }
        if matches!(
            class,
            StorageClass::StandardIa | StorageClass::OnezoneIa | StorageClass::GlacierIr
        ) {
            self.count(Meter::Retrieval(class), t, bytes as u128);
        }
        self.sink.st().count_read(tier);
        if let Some(l) = &mut self.live
            && let StorageTier::It(it) = l.tier
        {
            // GET is an access: back to Frequent Access, clocks restart (§2.4).
            if matches!(
                it,
                ItTier::Frequent | ItTier::Infrequent | ItTier::ArchiveInstant
            ) {
                l.tier = StorageTier::It(ItTier::Frequent);
            }
            l.last_access = t;
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub(super) enum Change {
    Plan,
    Tier(ItTier),
}

/// Intelligent-Tiering's next automatic move: Frequent → Infrequent after 30 days without
/// access, → Archive Instant after 90; optional Archive Access / Deep Archive Access after their
/// configured days (Archive Access at 90 bypasses Archive Instant). Objects under 128 KiB are not
/// monitored and stay in Frequent (§2.3, §2.4). Moves happen at the exact day count.
fn it_next(
    t: ItTier,
    l: &Live,
    rules: &S3Rules,
    archive: Option<u32>,
    deep: Option<u32>,
) -> Option<(Timestamp, ItTier)> {
    if l.size < rules.it_monitoring_min_bytes {
        return None;
    }
    let at = |days: u64| Timestamp(l.last_access.0 + days as i64 * SECONDS_PER_DAY);
    let (ia, aia) = (
        rules.it_infrequent_after_days,
        rules.it_archive_instant_after_days,
    );
    let async_next = |after_aia: bool| -> Option<(Timestamp, ItTier)> {
        match (archive, deep) {
            (Some(a), _) if !after_aia || a as u64 > aia => Some((at(a as u64), ItTier::Archive)),
            (None, Some(d)) => Some((at(d as u64), ItTier::DeepArchive)),
            _ => None,
        }
    };
    match t {
        ItTier::Frequent => Some((at(ia), ItTier::Infrequent)),
        ItTier::Infrequent => match archive {
            Some(a) if a as u64 <= aia => Some((at(a as u64), ItTier::Archive)),
            _ => Some((at(aia), ItTier::ArchiveInstant)),
        },
        ItTier::ArchiveInstant => async_next(true),
        ItTier::Archive => deep.map(|d| (at(d as u64), ItTier::DeepArchive)),
        ItTier::DeepArchive => None,
    }
}

/// Replays `obj` under `cx.policy`, adding its usage to `acc` and statistics to `st`.
pub fn replay(obj: &ObjectHistory, cx: &Ctx<'_>, acc: &mut Accum, st: &mut Stats) {
    if let PolicyKind::Clairvoyant(cv) = &cx.policy.kind {
        return super::clairvoyant::replay_bound(obj, cv, cx, acc, st);
    }
    replay_into(obj, cx, &mut Plain { acc, st });
}

/// Replays `obj` under `cx.policy` into `sink`, which attributes each version's usage (the
/// optimizer's per-group costing). Not for the clairvoyant bound.
pub fn replay_into<S: Sink>(obj: &ObjectHistory, cx: &Ctx<'_>, sink: &mut S) {
    // The first version decides where usage before any version (requests on a missing key)
    // goes; it is the same under every policy.
    let first = obj.initial.map(|i| i.size).or_else(|| {
        obj.events.iter().find_map(|e| match e.kind {
            EventKind::Write { size } => Some(size),
            _ => None,
        })
    });
    let band = sink.version(&obj.key, first.unwrap_or(0));
    let mut r = Replay {
        cx,
        key: &obj.key,
        sink,
        band,
        live: None,
        old: Vec::new(),
        queue: BTreeSet::new(),
        old_count: 0,
        max_newer: None,
    };
    if let Some(init) = obj.initial {
        let class = match &cx.policy.kind {
            PolicyKind::AllStandard => StorageClass::Standard,
            _ => init.class,
        };
        let mut plan = r.plan_for(init.size, init.created);
        if let PolicyKind::IntelligentTiering { .. } = &cx.policy.kind {
            // Objects already in STANDARD move to IT at the first lifecycle run, if big enough.
            if class == StorageClass::Standard
                && init.size >= cx.rules.lifecycle_transition_min_bytes
            {
                plan.push(Scheduled {
                    at: next_midnight_utc(cx.start),
                    action: Action::Transition(StorageClass::IntelligentTiering),
                });
            }
        }
        let tier = match (class, init.it_tier) {
            (StorageClass::IntelligentTiering, Some(t)) => StorageTier::It(t),
            (c, _) => tier_of(c),
        };
        let slot = r.sink.slot();
        let mut l = Live::new(init.size, tier, init.created, plan, slot, band);
        l.billed = init.created.max(cx.start);
        r.live = Some(l);
    }
    if cx.opts.versioning && !obj.noncurrent.is_empty() {
        r.versions_at_start(&obj.noncurrent);
    }
    let versioning = cx.opts.versioning;
    for ev in &obj.events {
        if ev.t >= cx.end {
            break;
        }
        r.advance(ev.t);
        match ev.kind {
            EventKind::Write { size } => {
                if let Some(l) = r.live.take() {
                    if versioning {
                        // The old version stays, noncurrent and still billed (§2.1).
                        r.demote(l, ev.t);
                    } else {
                        r.early_delete(&l, ev.t); // an overwrite ends the old data
                    }
                }
                r.band = r.sink.version(r.key, size);
                let class = r.new_class();
                r.count(Meter::Requests(class, RequestTier::Tier1), ev.t, 1);
                r.start_version(ev.t, size, class);
            }
            EventKind::Read { bytes, charged } => r.read(ev.t, bytes, charged),
            EventKind::Request { tier1 } => {
                let class = r
                    .data()
                    .map(|l| class_of(l.tier))
                    .unwrap_or_else(|| r.new_class());
                let tier = if tier1 {
                    RequestTier::Tier1
                } else {
                    RequestTier::Tier2
                };
                r.count(Meter::Requests(class, tier), ev.t, 1);
            }
            EventKind::Delete { by_version } => {
                let class = r
                    .data()
                    .map(|l| class_of(l.tier))
                    .unwrap_or(StorageClass::Standard);
                r.count(Meter::Requests(class, RequestTier::Delete), ev.t, 1);
                if !versioning {
                    if let Some(l) = r.live.take() {
                        r.early_delete(&l, ev.t);
                    }
                } else if by_version {
                    r.sink.st().version_deletes_unmodelled += 1;
                } else {
                    // A simple DELETE in a versioned bucket: the current version (or marker)
                    // becomes noncurrent and a delete marker becomes current.
                    if let Some(l) = r.live.take() {
                        r.demote(l, ev.t);
                    }
                    r.new_marker(ev.t);
                }
            }
        }
    }
    r.advance(cx.end);
    r.finish_old();
}
