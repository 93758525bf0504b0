//! Cohorts: objects whose metered usage under any lifecycle policy is, exactly, one bilinear
//! function of their size `s` and creation second `c`, so that a policy is replayed for a few
//! probe objects of a cohort instead of for every member.
//!
//! Why it is exact. A replay compares times (events, lifecycle eligibility at midnights UTC,
//! Intelligent-Tiering clocks in whole days, restore completions, month boundaries, the horizon)
//! and sizes (minimum billable sizes, the transition and monitoring floors, rule filters, size
//! bands), and meters quantities that are sums of `size × duration` (storage, padding, early
//! deletion), constants per object (overheads, monitoring, transitions, requests) and sizes
//! (restored and retrieved bytes). Two objects are in one cohort when every such comparison
//! comes out the same for both:
//!
//! - the same caller's group, start (an inventory object's class and tier, or the class a first
//!   write lands in), the same size class (`SizeClasses`: between two consecutive thresholds of
//!   every size comparison the rules and policies make);
//! - creation in the same UTC day, strictly between its midnights (an object created exactly at
//!   midnight has a cohort of its own instant): then `c + N days` is strictly inside one day, so
//!   its order against every midnight, month start and horizon end (all midnights) is the same;
//! - the same relative event signature: every later event a whole number of days after the
//!   creation, with the same kind and quantities (a read of the whole first version counts as
//!   "its size"); and, when the object is read (a read may need a restore, which completes
//!   a few minutes or hours later), the same side of midnight for each restore wait.
//!
//! A key that is never written (requests, reads and deletes of a missing key, as logs show for
//! objects older than them) meters one request per event in the month of the event's day, the
//! same under every policy: such keys fold by group, new-object class and the days and kinds
//! of their events, at any second (`Folder::absent`).
//!
//! Every metered quantity of a member is then `A + B·s + C·c + E·s·c` with integer coefficients
//! (per month and meter), so the cohort's sum is `n·A + B·Σs + C·Σc + E·Σs·c`: found exactly,
//! in integers, from up to four probe replays at `(s₀, c₀)`, `(s₀±1, c₀)`, `(s₀, c₀±1)` and
//! `(s₀±1, c₀±1)`, each probe a member-like object of the same cohort (`Cohort::probes`,
//! `Cohort::combine`). Objects that fit no cohort (noncurrent versions at the start, events at
//! other offsets) are replayed one by one. Folding needs a horizon whose start and end are
//! midnights UTC, and policies whose rules select objects by size only (a prefix or tag filter
//! would make a member's schedule depend on its key); otherwise every object is a single.
//!
//! For a replay other than the lifecycle replay (the clairvoyant bound), the same holds only if
//! its choices are the same for every member of a cohort: a caller that chooses per object (a
//! cheapest path) must check that the choice does not change across the cohort, or replay the
//! members one by one.

use super::accum::{Accum, month_start};
use super::history::{Event, EventKind, ObjectHistory};
use super::policy::{Policy, PolicyKind, ReplayOptions};
use super::stats::Stats;
use crate::aws::{ArchiveSource, ItTier, RestoreTier, StorageClass};
use crate::meter::Meter;
use crate::rules::S3Rules;
use crate::trace::lifecycle::LifecycleConfiguration;
use crate::units::time::SECONDS_PER_DAY;
use crate::units::{Month, Timestamp};
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;

/// Size classes: sizes between two consecutive thresholds of every size comparison a replay
/// makes (minimum billable sizes, the transition and monitoring floors, rule size filters,
/// the caller's bands, and zero).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SizeClasses {
    /// Sorted, distinct: class `i` is `[t[i-1], t[i])` (class 0 from 0).
    thresholds: Vec<u64>,
}

impl SizeClasses {
    /// The classes of `rules`, `policies`' rule filters and the caller's `bounds` (band
    /// boundaries: a band is `[b[i-1], b[i])`).
    pub fn new(rules: &S3Rules, policies: &[Policy], bounds: &[u64]) -> SizeClasses {
        let mut t = vec![
            1,
            rules.it_monitoring_min_bytes,
            rules.lifecycle_transition_min_bytes,
        ];
        t.extend(StorageClass::ALL.iter().map(|c| rules.minimum_bytes(*c)));
        t.extend_from_slice(bounds);
        for p in policies {
            match &p.kind {
                PolicyKind::Lifecycle(cfg) => filter_thresholds(cfg, &mut t),
                PolicyKind::Grouped(bands) => {
                    bands.iter().for_each(|cfg| filter_thresholds(cfg, &mut t))
                }
                _ => {}
            }
        }
        t.retain(|v| *v > 0);
        t.sort_unstable();
        t.dedup();
        SizeClasses { thresholds: t }
    }

    /// The class of `size`.
    pub fn of(&self, size: u64) -> u32 {
        self.thresholds.partition_point(|t| *t <= size) as u32
    }
}

/// Whether some rule of `p` selects objects by key prefix or tags (the costing pass's rules
/// select by size band only: the group's prefix is the caller's).
fn by_key(p: &Policy) -> bool {
    let cfg_by_key = |cfg: &LifecycleConfiguration| {
        cfg.rules.iter().any(|r| {
            r.filter.prefix.as_deref().is_some_and(|p| !p.is_empty()) || !r.filter.tags.is_empty()
        })
    };
    match &p.kind {
        PolicyKind::Lifecycle(cfg) => cfg_by_key(cfg),
        PolicyKind::Grouped(bands) => bands.iter().any(cfg_by_key),
        _ => false,
    }
}

/// The sizes at which a configuration's rule filters change their answer.
fn filter_thresholds(cfg: &LifecycleConfiguration, t: &mut Vec<u64>) {
    for r in &cfg.rules {
        if let Some(g) = r.filter.object_size_greater_than {
            t.push(g.saturating_add(1));
        }
        if let Some(l) = r.filter.object_size_less_than {
            t.push(l);
        }
    }
}

/// How an object begins.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Start {
    /// Present at the start (inventory), in this class and tier.
    Inventory(StorageClass, Option<ItTier>),
    /// Written by its first event, new objects of its key going to this class.
    Written(StorageClass),
    /// Never written: requests, reads and deletes of a missing key (counted on the day they
    /// happen; nothing else depends on the key's objects).
    Absent,
}

/// A later event, relative to the creation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Later {
    Write(u64),
    /// A read of the whole first version: its bytes are the member's size.
    ReadWhole(bool),
    Read(u64, bool),
    Request(bool),
    Delete(bool),
}

/// What members of one cohort share.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Shape {
    group: u32,
    size_class: u32,
    start: Start,
    /// The class a rewrite of the key lands in (`ReplayOptions::new_object_class` by prefix).
    new_class: StorageClass,
    /// The creation's UTC day, and whether it is exactly its midnight.
    day: i64,
    midnight: bool,
    /// For read objects: which restore waits end past the next midnight.
    waits_past_midnight: u8,
    /// Versioned buckets bill a delete marker by its key's length.
    key_len: u32,
    /// Later events: whole days after the creation, and what they are.
    later: Box<[(i64, Later)]>,
}

/// The restore waits (seconds) that are not whole days, from the replay's own table.
fn sub_day_waits() -> Vec<i64> {
    let mut w: Vec<i64> = ArchiveSource::ALL
        .iter()
        .flat_map(|s| {
            RestoreTier::ALL
                .iter()
                .map(move |t| super::replay::restore_wait_seconds(*s, *t))
        })
        .map(|w| w.rem_euclid(SECONDS_PER_DAY))
        .filter(|w| *w != 0)
        .collect();
    w.sort_unstable();
    w.dedup();
    w
}

/// Folds objects into cohorts (see the module documentation).
#[derive(Clone, Debug)]
pub struct Folder {
    classes: SizeClasses,
    opts: ReplayOptions,
    /// Folding is off (the horizon does not start and end at midnights, or a rule filters by
    /// key or tags).
    off: bool,
    waits: Vec<i64>,
}

/// A cohort member's size and creation second within its day.
#[derive(Clone, Copy, Debug)]
pub struct Member {
    pub size: u64,
    pub created: Timestamp,
}

impl Folder {
    /// A folder for replays over [start, end) with `opts`, under `policies`, with the caller's
    /// size-band boundaries `bounds`.
    pub fn new(
        rules: &S3Rules,
        opts: &ReplayOptions,
        policies: &[Policy],
        bounds: &[u64],
        start: Timestamp,
        end: Timestamp,
    ) -> Folder {
        let midnight = |t: Timestamp| t.0.rem_euclid(SECONDS_PER_DAY) == 0;
        Folder {
            classes: SizeClasses::new(rules, policies, bounds),
            opts: opts.clone(),
            off: !midnight(start) || !midnight(end) || policies.iter().any(by_key),
            waits: sub_day_waits(),
        }
    }

    /// The class of a creation second: its day, whether it is the midnight, and (for read
    /// objects) which restore waits end past the next midnight.
    fn when(&self, c: Timestamp, reads: bool) -> (i64, bool, u8) {
        let (day, f) = (
            c.0.div_euclid(SECONDS_PER_DAY),
            c.0.rem_euclid(SECONDS_PER_DAY),
        );
        let mut bits = 0u8;
        if reads && f != 0 {
            for (i, w) in self.waits.iter().enumerate() {
                if f + w >= SECONDS_PER_DAY {
                    bits |= 1 << i;
                }
            }
        }
        (day, f == 0, bits)
    }

    /// The cohort key and member of `o` in the caller's `group`, or `None`: `o` is replayed
    /// alone.
    fn shape(&self, o: &ObjectHistory, group: u32) -> Option<(Shape, Member)> {
        if self.off || !o.noncurrent.is_empty() {
            return None;
        }
        let (start, size, created, rest) = match (o.initial, o.events.first()) {
            (Some(i), _) => (
                Start::Inventory(i.class, i.it_tier),
                i.size,
                i.created,
                &o.events[..],
            ),
            (
                None,
                Some(Event {
                    t,
                    kind: EventKind::Write { size },
                }),
            ) => (
                Start::Written(self.opts.class_for(&o.key)),
                *size,
                *t,
                &o.events[1..],
            ),
            (None, Some(first)) => return self.absent(o, group, first.t),
            (None, None) => return None,
        };
        let mut later = Vec::with_capacity(rest.len());
        let mut rewritten = false;
        let mut reads = false;
        for e in rest {
            let d = e.t.0 - created.0;
            if d.rem_euclid(SECONDS_PER_DAY) != 0 {
                return None;
            }
            let what = match e.kind {
                EventKind::Write { size } => {
                    rewritten = true;
                    Later::Write(size)
                }
                EventKind::Read { bytes, charged } => {
                    reads = true;
                    if bytes == size && !rewritten {
                        Later::ReadWhole(charged)
                    } else {
                        Later::Read(bytes, charged)
                    }
                }
                EventKind::Request { tier1 } => Later::Request(tier1),
                EventKind::Delete { by_version } => Later::Delete(by_version),
            };
            later.push((d / SECONDS_PER_DAY, what));
        }
        let (day, midnight, waits_past_midnight) = self.when(created, reads);
        let shape = Shape {
            group,
            size_class: self.classes.of(size),
            start,
            new_class: self.opts.class_for(&o.key),
            day,
            midnight,
            waits_past_midnight,
            key_len: if self.opts.versioning {
                o.key.len() as u32
            } else {
                0
            },
            later: later.into_boxed_slice(),
        };
        Some((shape, Member { size, created }))
    }
}

impl Folder {
    /// The cohort of a key that is never written: each event meters a request (or nothing) in
    /// the month of its day, whatever the policy, so members of one day with the same events
    /// on the same days price alike. Not in a versioned bucket when a simple DELETE adds a
    /// delete marker (billed by the second).
    fn absent(&self, o: &ObjectHistory, group: u32, first: Timestamp) -> Option<(Shape, Member)> {
        let day = first.0.div_euclid(SECONDS_PER_DAY);
        let mut later = Vec::with_capacity(o.events.len());
        for e in &o.events {
            let what = match e.kind {
                EventKind::Write { .. } => return None,
                EventKind::Delete { by_version: false } if self.opts.versioning => return None,
                // A read of a missing key meters its request only: its bytes do not matter.
                EventKind::Read { charged, .. } => Later::Read(0, charged),
                EventKind::Request { tier1 } => Later::Request(tier1),
                EventKind::Delete { by_version } => Later::Delete(by_version),
            };
            later.push((e.t.0.div_euclid(SECONDS_PER_DAY) - day, what));
        }
        let shape = Shape {
            group,
            size_class: 0,
            start: Start::Absent,
            new_class: self.opts.class_for(&o.key),
            day,
            midnight: false,
            waits_past_midnight: 0,
            key_len: 0,
            later: later.into_boxed_slice(),
        };
        // Every member is the same object for the replay: one size, one creation.
        let m = Member {
            size: 0,
            created: Timestamp(day * SECONDS_PER_DAY),
        };
        Some((shape, m))
    }
}

/// One cohort: a representative member's history, and sums over the members.
#[derive(Clone, Debug)]
pub struct Cohort {
    /// The caller's group.
    group: u32,
    /// The first member seen (its key is the cohort's for the replay).
    rep: ObjectHistory,
    s0: u64,
    c0: Timestamp,
    n: u64,
    /// Σ (s − s₀), Σ (c − c₀), Σ (s − s₀)(c − c₀).
    ds: i128,
    dc: i128,
    dsc: i128,
    /// Whether some member differs from the representative in size, in creation.
    sizes_differ: bool,
    times_differ: bool,
    /// The members while there are at most `SMALL` (then empty): a cohort that small is priced
    /// by replaying its members when that takes fewer replays than its probes.
    small: Vec<Member>,
}

/// The most members a cohort keeps (see `Cohort::small`).
const SMALL: usize = 4;

impl Cohort {
    fn new(rep: ObjectHistory, m: Member, group: u32) -> Cohort {
        Cohort {
            group,
            rep,
            s0: m.size,
            c0: m.created,
            n: 1,
            ds: 0,
            dc: 0,
            dsc: 0,
            sizes_differ: false,
            times_differ: false,
            small: vec![m],
        }
    }

    fn add(&mut self, m: Member) {
        let ds = m.size as i128 - self.s0 as i128;
        let dc = (m.created.0 - self.c0.0) as i128;
        self.n += 1;
        self.ds += ds;
        self.dc += dc;
        self.dsc += ds * dc;
        self.sizes_differ |= ds != 0;
        self.times_differ |= dc != 0;
        if self.small.len() < SMALL && self.small.len() as u64 + 1 == self.n {
            self.small.push(m);
        } else {
            self.small = Vec::new();
        }
    }

    fn absorb(&mut self, o: &Cohort) {
        // o's sums are relative to its own representative: shift them to ours.
        let (a, b) = (o.s0 as i128 - self.s0 as i128, (o.c0.0 - self.c0.0) as i128);
        let n = o.n as i128;
        self.n += o.n;
        self.ds += o.ds + n * a;
        self.dc += o.dc + n * b;
        // Σ (s−s₀)(c−c₀) with s−s₀ = (s−s₁)+a, c−c₀ = (c−c₁)+b.
        self.dsc += o.dsc + a * o.dc + b * o.ds + n * a * b;
        self.sizes_differ |= o.sizes_differ || a != 0;
        self.times_differ |= o.times_differ || b != 0;
        if self.n as usize <= SMALL && self.small.len() + o.small.len() == self.n as usize {
            self.small.extend_from_slice(&o.small);
        } else {
            self.small = Vec::new();
        }
    }

    /// The caller's group its members were folded in.
    pub fn group(&self) -> u32 {
        self.group
    }

    /// Members.
    pub fn len(&self) -> u64 {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// The representative's history (for the caller's attribution: its key, its first size).
    pub fn representative(&self) -> &ObjectHistory {
        &self.rep
    }

    /// The probe objects to replay (one to four), for `combine` in the same order.
    pub fn probes(&self, folder: &Folder) -> Probes {
        let mut out = vec![self.rep.clone()];
        let step_s = self.sizes_differ.then(|| {
            let c = folder.classes.of(self.s0);
            if self.s0 < u64::MAX && folder.classes.of(self.s0 + 1) == c {
                1
            } else {
                -1
            }
        });
        let reads = self
            .rep
            .events
            .iter()
            .any(|e| matches!(e.kind, EventKind::Read { .. }));
        let step_c = self.times_differ.then(|| {
            let w = folder.when(self.c0, reads);
            if folder.when(Timestamp(self.c0.0 + 1), reads) == w {
                1
            } else {
                -1
            }
        });
        if let Some(ds) = step_s {
            out.push(self.moved(self.s0.saturating_add_signed(ds), self.c0));
        }
        if let Some(dc) = step_c {
            out.push(self.moved(self.s0, Timestamp(self.c0.0 + dc)));
        }
        if let (Some(ds), Some(dc)) = (step_s, step_c) {
            out.push(self.moved(self.s0.saturating_add_signed(ds), Timestamp(self.c0.0 + dc)));
        }
        if self.small.len() as u64 == self.n && self.small.len() <= out.len() {
            // Fewer replays member by member: their usage is summed as it is.
            return Probes {
                objects: self
                    .small
                    .iter()
                    .map(|m| self.moved(m.size, m.created))
                    .collect(),
                step_s: None,
                step_c: None,
                members: true,
            };
        }
        Probes {
            objects: out,
            step_s,
            step_c,
            members: false,
        }
    }

    /// The representative with size `s` and created at `c` (its events moved with it).
    fn moved(&self, s: u64, c: Timestamp) -> ObjectHistory {
        let mut o = self.rep.clone();
        let shift = c.0 - self.c0.0;
        let mut rewritten = false;
        for (i, e) in o.events.iter_mut().enumerate() {
            e.t = Timestamp(e.t.0 + shift);
            match &mut e.kind {
                EventKind::Write { size } if i == 0 && o.initial.is_none() => *size = s,
                EventKind::Write { .. } => rewritten = true,
                EventKind::Read { bytes, .. } if *bytes == self.s0 && !rewritten => *bytes = s,
                _ => {}
            }
        }
        if let Some(i) = &mut o.initial {
            i.size = s;
            i.created = c;
        }
        o
    }

    /// The cohort's usage and statistics from its probes' (each replayed alone, in `probes`
    /// order): `n·U₀₀ + β·Σ(s−s₀) + γ·Σ(c−c₀) + ε·Σ(s−s₀)(c−c₀)` with the differences
    /// `β = δs(U₁₀−U₀₀)`, `γ = δc(U₀₁−U₀₀)`, `ε = δsδc(U₁₁−U₁₀−U₀₁+U₀₀)`.
    pub fn combine(&self, probes: &Probes, results: &[(Accum, Stats)]) -> (Accum, Stats) {
        let flat: Vec<Flat> = results.iter().map(|(a, s)| Flat::of(a, s)).collect();
        Flat::weighted(self, probes, &flat).into_parts()
    }

    /// `combine` over flattened results (for callers that attribute a probe's usage to
    /// several places and combine each place on its own).
    pub fn combine_flat(&self, probes: &Probes, results: &[Flat]) -> Flat {
        Flat::weighted(self, probes, results)
    }
}

/// A cohort's probe objects and the steps they were moved by.
#[derive(Clone, Debug)]
pub struct Probes {
    pub objects: Vec<ObjectHistory>,
    step_s: Option<i64>,
    step_c: Option<i64>,
    /// The objects are the members themselves (a small cohort): their results add up.
    members: bool,
}

/// What `Flat` keys: every integer a replay's usage and statistics hold.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Key {
    /// Byte- (or object-) seconds.
    Time(Month, Meter),
    Count(Month, Meter),
    /// Bytes at the month's end by tier label; noncurrent bytes at the month's end.
    MonthEnd(Month, &'static str),
    Noncurrent(Month),
    Transitions(String),
    ReadsByClass(String),
    ReadsByAge(usize),
    Expirations,
    EarlyDelete,
    Restores,
    RestoreWaitHours,
    DeleteMarkers,
    NoncurrentExpirations,
    VersionDeletes,
    /// Reads of a key the evidence never shows written (the search's read-latency counts).
    ReadsMissing,
}

/// A replay's usage and statistics as signed integers, where integer linear combinations are
/// exact.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Flat {
    values: FxHashMap<Key, i128>,
    max_restore_wait_hours: u64,
}

/// The label of a tier as the month-end snapshot names it (a `&'static str`).
fn static_label(label: &str) -> &'static str {
    crate::aws::StorageTier::all()
        .into_iter()
        .chain([crate::aws::StorageTier::Class(
            StorageClass::IntelligentTiering,
        )])
        .map(|t| t.label())
        .find(|l| *l == label)
        .unwrap_or("UNKNOWN")
}

impl Flat {
    /// Flattens a replay's accumulators.
    pub fn of(acc: &Accum, st: &Stats) -> Flat {
        let mut values: FxHashMap<Key, i128> = FxHashMap::default();
        let mut put = |k: Key, v: i128| {
            *values.entry(k).or_insert(0) += v;
        };
        acc.for_each(|m, meter, v, time| {
            let k = if time {
                Key::Time(m, meter.clone())
            } else {
                Key::Count(m, meter.clone())
            };
            put(k, v as i128);
        });
        let me = st.month_end();
        for (m, by) in &me.bytes {
            for (label, v) in by {
                put(Key::MonthEnd(*m, static_label(label)), *v as i128);
            }
        }
        for (m, v) in &me.noncurrent {
            put(Key::Noncurrent(*m), *v as i128);
        }
        for (k, v) in &st.transitions {
            put(Key::Transitions(k.clone()), *v as i128);
        }
        for (k, v) in &st.reads_by_class {
            put(Key::ReadsByClass(k.clone()), *v as i128);
        }
        for (i, v) in st.reads_by_age.iter().enumerate() {
            put(Key::ReadsByAge(i), *v as i128);
        }
        put(Key::Expirations, st.expirations as i128);
        put(Key::EarlyDelete, st.early_delete_byte_seconds as i128);
        put(Key::Restores, st.restores as i128);
        put(Key::RestoreWaitHours, st.restore_wait_hours as i128);
        put(Key::DeleteMarkers, st.delete_markers as i128);
        put(
            Key::NoncurrentExpirations,
            st.noncurrent_expirations as i128,
        );
        put(Key::VersionDeletes, st.version_deletes_unmodelled as i128);
        put(Key::ReadsMissing, st.reads_missing as i128);
        Flat {
            values,
            max_restore_wait_hours: st.max_restore_wait_hours,
        }
    }

    /// Σ wᵢ·xᵢ.
    fn linear(terms: &[(&Flat, i128)]) -> Flat {
        let mut values: FxHashMap<Key, i128> = FxHashMap::default();
        for (f, w) in terms {
            for (k, v) in &f.values {
                *values.entry(k.clone()).or_insert(0) += v * w;
            }
        }
        Flat {
            values,
            max_restore_wait_hours: terms
                .iter()
                .map(|(f, _)| f.max_restore_wait_hours)
                .max()
                .unwrap_or(0),
        }
    }

    fn weighted(c: &Cohort, p: &Probes, r: &[Flat]) -> Flat {
        if p.members {
            return Flat::linear(&r.iter().map(|f| (f, 1)).collect::<Vec<_>>());
        }
        let zero = Flat::default();
        let u00 = r.first().unwrap_or(&zero);
        let n = c.n as i128;
        let mut terms: Vec<(Flat, i128)> = Vec::new();
        let mut i = 1;
        let (mut u10, mut u01) = (None, None);
        if let Some(ds) = p.step_s {
            let u = r.get(i).unwrap_or(&zero);
            i += 1;
            terms.push((Flat::linear(&[(u, ds as i128), (u00, -(ds as i128))]), c.ds));
            u10 = Some(u);
        }
        if let Some(dc) = p.step_c {
            let u = r.get(i).unwrap_or(&zero);
            i += 1;
            terms.push((Flat::linear(&[(u, dc as i128), (u00, -(dc as i128))]), c.dc));
            u01 = Some(u);
        }
        if let (Some(ds), Some(dc), Some(u10), Some(u01)) = (p.step_s, p.step_c, u10, u01) {
            let u11 = r.get(i).unwrap_or(&zero);
            let w = (ds * dc) as i128;
            terms.push((
                Flat::linear(&[(u11, w), (u10, -w), (u01, -w), (u00, w)]),
                c.dsc,
            ));
        }
        let mut all: Vec<(&Flat, i128)> = vec![(u00, n)];
        all.extend(terms.iter().map(|(f, w)| (f, *w)));
        let mut out = Flat::linear(&all);
        // Every member has the same restores, so the same longest wait.
        out.max_restore_wait_hours = u00.max_restore_wait_hours;
        out
    }

    /// Back into accumulators (values are sums over members: never negative).
    pub fn into_parts(self) -> (Accum, Stats) {
        let mut acc = Accum::default();
        let mut st = Stats::default();
        let mut month_end: BTreeMap<Month, BTreeMap<String, u128>> = BTreeMap::new();
        let mut noncurrent: BTreeMap<Month, u128> = BTreeMap::new();
        let u = |v: i128| v.max(0) as u128;
        let n = |v: i128| v.max(0) as u64;
        for (k, v) in self.values {
            match k {
                Key::Time(m, meter) => acc.add_byte_seconds(meter, m, u(v)),
                Key::Count(m, meter) => acc.add(meter, month_start(m), u(v)),
                Key::MonthEnd(m, label) => {
                    month_end
                        .entry(m)
                        .or_default()
                        .insert(label.to_string(), u(v));
                }
                Key::Noncurrent(m) => {
                    noncurrent.insert(m, u(v));
                }
                Key::Transitions(k) if v != 0 => {
                    st.transitions.insert(k, n(v));
                }
                Key::ReadsByClass(k) if v != 0 => {
                    st.reads_by_class.insert(k, n(v));
                }
                Key::Transitions(_) | Key::ReadsByClass(_) => {}
                Key::ReadsByAge(i) => {
                    if let Some(x) = st.reads_by_age.get_mut(i) {
                        *x = n(v);
                    }
                }
                Key::Expirations => st.expirations = n(v),
                Key::EarlyDelete => st.early_delete_byte_seconds = u(v),
                Key::Restores => st.restores = n(v),
                Key::RestoreWaitHours => st.restore_wait_hours = n(v),
                Key::DeleteMarkers => st.delete_markers = n(v),
                Key::NoncurrentExpirations => st.noncurrent_expirations = n(v),
                Key::VersionDeletes => st.version_deletes_unmodelled = n(v),
                Key::ReadsMissing => st.reads_missing = n(v),
            }
        }
        st.add_month_end(&month_end, &noncurrent);
        st.max_restore_wait_hours = self.max_restore_wait_hours;
        (acc, st)
    }
}

/// Objects being folded: cohorts by shape, in the order they were first seen.
#[derive(Clone, Debug, Default)]
pub struct Cohorts {
    index: FxHashMap<Shape, usize>,
    cohorts: Vec<Cohort>,
    /// Objects folded.
    pub members: u64,
}

impl Cohorts {
    /// Folds `o` (in the caller's `group`) into its cohort; returns it when it fits none (to be
    /// replayed alone).
    pub fn add<'o>(
        &mut self,
        folder: &Folder,
        o: &'o ObjectHistory,
        group: u32,
    ) -> Option<&'o ObjectHistory> {
        let Some((shape, m)) = folder.shape(o, group) else {
            return Some(o);
        };
        self.members += 1;
        match self.index.get(&shape) {
            Some(&i) => self.cohorts[i].add(m),
            None => {
                self.index.insert(shape, self.cohorts.len());
                self.cohorts.push(Cohort::new(o.clone(), m, group));
            }
        }
        None
    }

    /// Adds another fold's cohorts (of the same folder).
    pub fn merge(&mut self, o: Cohorts) {
        self.members += o.members;
        let mut by_index: Vec<(Shape, usize)> = o.index.into_iter().collect();
        by_index.sort_by_key(|(_, i)| *i);
        let mut theirs: Vec<Option<Cohort>> = o.cohorts.into_iter().map(Some).collect();
        for (shape, i) in by_index {
            let Some(c) = theirs.get_mut(i).and_then(Option::take) else {
                continue;
            };
            match self.index.get(&shape) {
                Some(&j) => self.cohorts[j].absorb(&c),
                None => {
                    self.index.insert(shape, self.cohorts.len());
                    self.cohorts.push(c);
                }
            }
        }
    }

    /// The cohorts.
    pub fn cohorts(&self) -> &[Cohort] {
        &self.cohorts
    }

    pub fn len(&self) -> usize {
        self.cohorts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cohorts.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::StorageTier;
    use crate::sim::s3::replay::{Ctx, replay};
    use crate::sim::s3::{Initial, ReplayOptions};
    use crate::trace::lifecycle::{Filter, Rule, Schedule, Transition};

    fn rules() -> S3Rules {
        crate::pricing::Catalog::open(None, None)
            .unwrap()
            .home()
            .rules
            .s3
            .clone()
    }

    fn lifecycle(days: u32, to: StorageClass) -> Policy {
        let mut r = Rule::new(Some("r"));
        r.filter = Filter::all();
        r.transitions = vec![Transition {
            when: Schedule::Days(days),
            storage_class: to,
        }];
        Policy {
            name: "p".into(),
            kind: PolicyKind::Lifecycle(LifecycleConfiguration {
                rules: vec![r],
                transition_default_minimum_object_size: None,
            }),
        }
    }

    #[test]
    fn a_cohort_prices_exactly_as_its_members() {
        let rules = rules();
        let opts = ReplayOptions::default();
        let start = Timestamp::parse_rfc3339("2026-01-01T00:00:00Z").unwrap();
        let end = Timestamp::parse_rfc3339("2027-01-01T00:00:00Z").unwrap();
        let day = Timestamp::parse_rfc3339("2025-11-30T00:00:00Z").unwrap().0;
        for policy in [
            lifecycle(30, StorageClass::StandardIa),
            lifecycle(1, StorageClass::DeepArchive),
            lifecycle(45, StorageClass::IntelligentTiering),
        ] {
            let folder = Folder::new(
                &rules,
                &opts,
                std::slice::from_ref(&policy),
                &[],
                start,
                end,
            );
            let cx = Ctx {
                policy: &policy,
                opts: &opts,
                rules: &rules,
                start,
                end,
            };
            let mut cohorts = Cohorts::default();
            let (mut want_a, mut want_s) = (Accum::default(), Stats::default());
            for i in 0..50u64 {
                let o = ObjectHistory {
                    key: format!("k{i}"),
                    initial: Some(Initial {
                        created: Timestamp(day + 1 + (i as i64 * 7919) % 86_398),
                        size: 200_000 + i * i * 1_000,
                        class: StorageClass::StandardIa,
                        it_tier: None,
                    }),
                    noncurrent: Box::default(),
                    events: Vec::new(),
                };
                replay(&o, &cx, &mut want_a, &mut want_s);
                assert!(cohorts.add(&folder, &o, 0).is_none());
            }
            assert_eq!(cohorts.len(), 1);
            let c = &cohorts.cohorts()[0];
            let probes = c.probes(&folder);
            assert_eq!(probes.objects.len(), 4);
            let results: Vec<(Accum, Stats)> = probes
                .objects
                .iter()
                .map(|o| {
                    let (mut a, mut s) = (Accum::default(), Stats::default());
                    replay(o, &cx, &mut a, &mut s);
                    (a, s)
                })
                .collect();
            let (a, s) = c.combine(&probes, &results);
            assert_eq!(a, want_a, "{}", policy.name);
            assert_eq!(s, want_s);
            assert!(
                want_a
                    .byte_seconds()
                    .keys()
                    .any(|(_, m)| *m != Meter::Storage(StorageTier::Class(StorageClass::Standard)))
            );
        }
    }
}
