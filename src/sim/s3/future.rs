//! What happens past the end of the evidence: a stated model, never silence by accident.
//!
//! - [`FutureModel::Silent`]: nothing is read, written or deleted after the logs end (objects
//!   only age). Chosen explicitly only: a lifecycle step after the logs' end looks free under it.
//! - [`FutureModel::RepeatWeekly`]: the logs' last week recurs every week (`repeat`).
//! - [`FutureModel::AgeProfile`] (the default when the horizon runs past the evidence): access
//!   continues as the evidence measured it *by object age*. Per key prefix, the rates at which an
//!   object of a given age is read, requested, overwritten and deleted (events per object-day,
//!   in age bands) are measured over every object whose age the evidence knows (created in the
//!   logs, or listed by the inventory with its last-modified time), observed while the logs
//!   ran. Past the logs' end each object's events are drawn from its prefix's rates at its age
//!   (a Poisson process per band, from a stream seeded by the scenario seed and the key, so the
//!   same inputs give the same events); new objects keep arriving as the logs' last week
//!   created them (its new objects are created again every week, as with the weekly repeat),
//!   and their events are drawn the same way from age 0. Ages beyond the oldest the evidence
//!   observed take the rates of the oldest band observed (stated in reports).
//!
//! Events are generated as each object is replayed, never stored, so memory does not grow with
//! the horizon.

use super::history::{Event, EventKind, ObjectHistory, key_hash};
use super::repeat::{WEEK, WeeklyRepeat};
use crate::units::Timestamp;
use crate::units::time::SECONDS_PER_DAY;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// The model of the future a scenario chooses (`[evidence] future`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FutureModel {
    Silent,
    RepeatWeekly,
    AgeProfile,
}

impl FutureModel {
    pub const ALL: [FutureModel; 3] = [
        FutureModel::AgeProfile,
        FutureModel::RepeatWeekly,
        FutureModel::Silent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FutureModel::Silent => "silent",
            FutureModel::RepeatWeekly => "repeat-weekly",
            FutureModel::AgeProfile => "age-profile",
        }
    }

    pub fn parse(s: &str) -> Option<FutureModel> {
        FutureModel::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// What the model assumes, in a sentence for reports.
    pub fn describe(self) -> &'static str {
        match self {
            FutureModel::Silent => {
                "after the evidence ends nothing is read, written or deleted: objects only age"
            }
            FutureModel::RepeatWeekly => {
                "the evidence's last week recurs every week: its new objects are created again, \
                 and its activity on older objects recurs on them"
            }
            FutureModel::AgeProfile => {
                "access continues as measured by object age: per prefix, the rates at which an \
                 object of each age is read, requested, overwritten and deleted; new objects \
                 keep arriving as in the evidence's last week"
            }
        }
    }
}

impl fmt::Display for FutureModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The future in force for a replay.
#[derive(Clone, Debug, Default)]
pub enum Future {
    /// Nothing past the evidence.
    #[default]
    Silent,
    /// The last week recurs.
    Weekly(WeeklyRepeat),
    /// Access continues by object age.
    Profile(Arc<AgeProfile>),
}

impl PartialEq for Future {
    fn eq(&self, o: &Future) -> bool {
        match (self, o) {
            (Future::Silent, Future::Silent) => true,
            (Future::Weekly(a), Future::Weekly(b)) => a == b,
            (Future::Profile(a), Future::Profile(b)) => Arc::ptr_eq(a, b) || a == b,
            _ => false,
        }
    }
}

impl Future {
    /// The weekly repeat of new objects and bucket-level requests, when the future has one.
    pub fn weekly(&self) -> Option<WeeklyRepeat> {
        match self {
            Future::Silent => None,
            Future::Weekly(r) => Some(*r),
            Future::Profile(p) => p.arrivals,
        }
    }

    pub fn model(&self) -> FutureModel {
        match self {
            Future::Silent => FutureModel::Silent,
            Future::Weekly(_) => FutureModel::RepeatWeekly,
            Future::Profile(_) => FutureModel::AgeProfile,
        }
    }

    /// Calls `f` with every instance of `obj` over the horizon ending at `end`, its future as
    /// the model makes it (see the module docs).
    pub fn for_each_instance(
        &self,
        obj: &ObjectHistory,
        end: Timestamp,
        mut f: impl FnMut(&ObjectHistory),
    ) {
        match self {
            Future::Silent => f(obj),
            Future::Weekly(r) => WeeklyRepeat::for_each_instance(Some(*r), obj, end, f),
            Future::Profile(p) => p.for_each_instance(obj, end, &mut f),
        }
    }
}

/// Age bands (days): rates are measured and applied per band.
pub const AGE_BANDS_DAYS: [u32; 19] = [
    0, 1, 2, 3, 5, 7, 14, 21, 30, 45, 60, 90, 120, 180, 270, 365, 540, 730, 1095,
];

const BANDS: usize = AGE_BANDS_DAYS.len();

/// Object-days a band needs before its rates are trusted; a band with less takes the rates of
/// the nearest younger band that has enough.
const MIN_EXPOSURE_DAYS: f64 = 10.0;

/// The band of an age in seconds.
fn band(age: i64) -> usize {
    let days = age.max(0) / SECONDS_PER_DAY;
    AGE_BANDS_DAYS
        .iter()
        .rposition(|d| i64::from(*d) <= days)
        .unwrap_or(0)
}

/// The age (seconds) where band `b` ends (`None`: the last band never ends).
fn band_end(b: usize) -> Option<i64> {
    AGE_BANDS_DAYS
        .get(b + 1)
        .map(|d| i64::from(*d) * SECONDS_PER_DAY)
}

/// What happens to objects per object-day, by kind.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Rates {
    pub reads: f64,
    pub tier1: f64,
    pub tier2: f64,
    pub writes: f64,
    pub deletes: f64,
}

/// Events counted and object-days observed in one age band of one prefix.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct BandCounts {
    pub exposure_days: f64,
    pub reads: u64,
    pub tier1: u64,
    pub tier2: u64,
    pub writes: u64,
    pub deletes: u64,
}

/// One prefix's measured access by age.
#[derive(Clone, Debug, PartialEq)]
pub struct PrefixProfile {
    pub bands: Vec<BandCounts>,
    /// Bytes read ÷ the object's size at the read, over every read counted.
    pub read_bytes: u128,
    pub read_sizes: u128,
    /// The rates applied per band (after borrowing for thin bands).
    pub rates: Vec<Rates>,
    /// The oldest age (days) observed with enough exposure: older ages take its rates.
    pub oldest_observed_days: u32,
}

impl Default for PrefixProfile {
    /// No counts, one empty band per age band.
    fn default() -> PrefixProfile {
        PrefixProfile {
            bands: vec![BandCounts::default(); BANDS],
            read_bytes: 0,
            read_sizes: 0,
            rates: Vec::new(),
            oldest_observed_days: 0,
        }
    }
}

impl PrefixProfile {
    fn merge(&mut self, o: &PrefixProfile) {
        for (a, b) in self.bands.iter_mut().zip(&o.bands) {
            a.exposure_days += b.exposure_days;
            a.reads += b.reads;
            a.tier1 += b.tier1;
            a.tier2 += b.tier2;
            a.writes += b.writes;
            a.deletes += b.deletes;
        }
        self.read_bytes += o.read_bytes;
        self.read_sizes += o.read_sizes;
    }

    /// Rates per band from the counts: a thin band takes the nearest younger trusted band's
    /// rates (an older one where no younger band is trusted).
    fn settle(&mut self) {
        let trusted: Vec<usize> = (0..BANDS)
            .filter(|b| self.bands[*b].exposure_days >= MIN_EXPOSURE_DAYS)
            .collect();
        self.oldest_observed_days = trusted.last().map(|b| AGE_BANDS_DAYS[*b]).unwrap_or(0);
        self.rates = (0..BANDS)
            .map(|b| {
                let from = trusted
                    .iter()
                    .rev()
                    .find(|t| **t <= b)
                    .or(trusted.first())
                    .copied();
                match from {
                    Some(t) => {
                        let c = &self.bands[t];
                        let per = |n: u64| n as f64 / c.exposure_days;
                        Rates {
                            reads: per(c.reads),
                            tier1: per(c.tier1),
                            tier2: per(c.tier2),
                            writes: per(c.writes),
                            deletes: per(c.deletes),
                        }
                    }
                    None => Rates::default(),
                }
            })
            .collect();
    }

    /// The share of an object's bytes a read retrieves (1 when nothing was measured).
    pub fn read_fraction(&self) -> f64 {
        if self.read_sizes == 0 {
            1.0
        } else {
            (self.read_bytes as f64 / self.read_sizes as f64).clamp(0.0, 1.0)
        }
    }
}

/// Access by object age, per prefix, measured from the evidence.
#[derive(Clone, Debug, PartialEq)]
pub struct AgeProfile {
    /// Where the evidence ends: events are drawn from here on.
    pub from: Timestamp,
    /// New objects arrive as in the logs' last week (none when the logs cover less than one).
    pub arrivals: Option<WeeklyRepeat>,
    /// Key segments that make a prefix (`bronze/` at depth 1).
    pub depth: usize,
    pub prefixes: BTreeMap<String, PrefixProfile>,
    /// Every prefix together: for keys under a prefix the evidence did not observe.
    pub all: PrefixProfile,
    pub seed: u64,
}

/// The prefix of `key` at `depth` segments, with its trailing `/` (empty for keys with fewer
/// segments).
pub fn prefix_of(key: &str, depth: usize) -> &str {
    let mut end = 0;
    for _ in 0..depth {
        match key[end..].find('/') {
            Some(i) => end += i + 1,
            None => return "",
        }
    }
    &key[..end]
}

/// Measures an [`AgeProfile`]: objects are added with what the evidence observed of them.
pub struct ProfileBuilder {
    /// The observation window: the logs' first day to their end.
    lo: Timestamp,
    hi: Timestamp,
    depth: usize,
    prefixes: BTreeMap<String, PrefixProfile>,
}

impl ProfileBuilder {
    /// Measures over the logs' window `[lo, hi)` by prefixes of `depth` segments.
    pub fn new(lo: Timestamp, hi: Timestamp, depth: usize) -> ProfileBuilder {
        ProfileBuilder {
            lo,
            hi,
            depth,
            prefixes: BTreeMap::new(),
        }
    }

    /// Adds an object: its creation (the inventory's last-modified time when it has one, else
    /// its first write in the logs) and its events. An object whose creation the evidence
    /// does not know (first seen by a read, not in the inventory) tells nothing about ages and
    /// is left out.
    pub fn add(&mut self, o: &ObjectHistory) {
        let (mut created, mut size, mut i) = match (o.initial, o.events.first()) {
            (Some(init), _) => (init.created, init.size, 0),
            (
                None,
                Some(Event {
                    t,
                    kind: EventKind::Write { size },
                }),
            ) => (*t, *size, 1),
            _ => return,
        };
        let (lo, hi) = (self.lo, self.hi);
        let p = self
            .prefixes
            .entry(prefix_of(&o.key, self.depth).to_string())
            .or_default();
        // Exposure from the later of creation and the logs' start, to each event and on.
        let mut seen_from = created.max(lo);
        let expose = |p: &mut PrefixProfile, created: Timestamp, a: Timestamp, b: Timestamp| {
            let (a, b) = (a.max(lo), b.min(hi));
            let mut t = a.0;
            while t < b.0 {
                let age = t - created.0;
                let bnd = band(age);
                let stop = band_end(bnd).map_or(b.0, |e| (created.0 + e).min(b.0));
                let stop = stop.max(t + 1);
                p.bands[bnd].exposure_days += (stop - t) as f64 / SECONDS_PER_DAY as f64;
                t = stop;
            }
        };
        while let Some(e) = o.events.get(i) {
            i += 1;
            if e.t >= hi {
                break;
            }
            let counted = e.t >= lo;
            let b = band(e.t.0 - created.0);
            // An event that ends the version's exposure counts in the band it was exposed in:
            // a delete at exactly 14 days ends 14 days in the 7–14 band and none in the next
            // (counted there, it would be a band of deletes and no exposure, never trusted).
            let ending = band(e.t.0 - created.0 - 1);
            match e.kind {
                EventKind::Read { bytes, .. } => {
                    if counted {
                        p.bands[b].reads += 1;
                        p.read_bytes += u128::from(bytes);
                        p.read_sizes += u128::from(size.max(1));
                    }
                }
                EventKind::Request { tier1 } => {
                    if counted {
                        if tier1 {
                            p.bands[b].tier1 += 1;
                        } else {
                            p.bands[b].tier2 += 1;
                        }
                    }
                }
                EventKind::Write { size: s } => {
                    expose(p, created, seen_from, e.t);
                    if counted {
                        p.bands[ending].writes += 1;
                    }
                    // A new version: ages count from here.
                    created = e.t;
                    size = s;
                    seen_from = e.t.max(lo);
                }
                EventKind::Delete { .. } => {
                    expose(p, created, seen_from, e.t);
                    if counted {
                        p.bands[ending].deletes += 1;
                    }
                    return;
                }
            }
        }
        expose(p, created, seen_from, hi);
    }

    /// Adds another builder's counts (of other objects).
    pub fn merge(&mut self, o: ProfileBuilder) {
        for (k, v) in o.prefixes {
            self.prefixes.entry(k).or_default().merge(&v);
        }
    }

    /// The profile, drawing events from `from` on with `seed`.
    pub fn finish(self, from: Timestamp, arrivals: Option<WeeklyRepeat>, seed: u64) -> AgeProfile {
        let mut all = PrefixProfile::default();
        let mut prefixes = self.prefixes;
        for p in prefixes.values_mut() {
            all.merge(p);
            p.settle();
        }
        all.settle();
        AgeProfile {
            from,
            arrivals,
            depth: self.depth,
            prefixes,
            all,
            seed,
        }
    }
}

/// A small deterministic random stream (SplitMix64): the same seed gives the same draws on
/// every machine and version.
struct Stream(u64);

impl Stream {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A Poisson draw of mean `mean` (by inversion, in steps of at most 30 so that e^-mean
    /// stays representable).
    fn poisson(&mut self, mean: f64) -> u64 {
        let mut left = mean.max(0.0);
        let mut n = 0u64;
        while left > 0.0 {
            let m = left.min(30.0);
            left -= m;
            let (mut p, mut k) = ((-m).exp(), 0u64);
            let mut cdf = p;
            let u = self.unit();
            while u > cdf && k < 10_000 {
                k += 1;
                p *= m / k as f64;
                cdf += p;
            }
            n += k;
        }
        n
    }
}

impl AgeProfile {
    /// The profile of the prefix `key` falls under.
    pub fn prefix(&self, key: &str) -> &PrefixProfile {
        self.prefixes
            .get(prefix_of(key, self.depth))
            .filter(|p| !p.rates.is_empty())
            .unwrap_or(&self.all)
    }

    fn for_each_instance(
        &self,
        obj: &ObjectHistory,
        end: Timestamp,
        f: &mut dyn FnMut(&ObjectHistory),
    ) {
        let profile = self.prefix(&obj.key);
        let hash = key_hash(&obj.key);
        let mut me = obj.clone();
        let mut stream = Stream(self.seed ^ hash);
        // Events past the evidence's end are drawn, not observed.
        let keep = me.events.partition_point(|e| e.t < self.from);
        me.events.truncate(keep);
        if let Some((created, size)) = alive_at(&me, self.from) {
            draw(
                profile,
                &mut stream,
                &mut me.events,
                created,
                size,
                self.from,
                end,
            );
        }
        f(&me);
        // New objects: those first written in the last week are created again every week,
        // their futures drawn from age 0.
        let Some(r) = self.arrivals else {
            return;
        };
        let born = obj.initial.is_none()
            && obj.noncurrent.is_empty()
            && obj.events.first().is_some_and(|e| {
                e.t >= r.window_start() && e.t < r.from && matches!(e.kind, EventKind::Write { .. })
            });
        let Some(Event {
            t: first,
            kind: EventKind::Write { size },
        }) = obj.events.first().copied().filter(|_| born)
        else {
            return;
        };
        let mut copy = ObjectHistory {
            key: obj.key.clone(),
            initial: None,
            noncurrent: Box::default(),
            events: Vec::new(),
        };
        let mut k = 1u64;
        while first.0 + (k as i64) * WEEK < end.0 {
            let at = Timestamp(first.0 + (k as i64) * WEEK);
            copy.events.clear();
            copy.events.push(Event {
                t: at,
                kind: EventKind::Write { size },
            });
            let mut stream = Stream(self.seed ^ hash ^ k.wrapping_mul(0xD6E8_FEB8_6659_FD93));
            draw(profile, &mut stream, &mut copy.events, at, size, at, end);
            f(&copy);
            k += 1;
        }
    }
}

/// The current version's creation and size at `t`, if the object exists then.
fn alive_at(o: &ObjectHistory, t: Timestamp) -> Option<(Timestamp, u64)> {
    let mut cur = o.initial.map(|i| (i.created, i.size));
    for e in o.events.iter().take_while(|e| e.t < t) {
        match e.kind {
            EventKind::Write { size } => cur = Some((e.t, size)),
            EventKind::Delete { by_version: false } => cur = None,
            _ => {}
        }
    }
    cur
}

/// Appends to `events` what the profile draws for an object created at `created` of `size`,
/// from `from` to `end`: band by band, each kind a Poisson process at its rate; a delete ends
/// the object, an overwrite starts a new version (ages count from it).
fn draw(
    p: &PrefixProfile,
    s: &mut Stream,
    events: &mut Vec<Event>,
    mut created: Timestamp,
    mut size: u64,
    from: Timestamp,
    end: Timestamp,
) {
    if p.rates.is_empty() {
        return;
    }
    let fraction = p.read_fraction();
    let mut cursor = from.0;
    let mut drawn: Vec<(i64, EventKind)> = Vec::new();
    while cursor < end.0 {
        let b = band(cursor - created.0);
        let stop = band_end(b).map_or(end.0, |e| (created.0 + e).min(end.0));
        let stop = stop.max(cursor + 1);
        let days = (stop - cursor) as f64 / SECONDS_PER_DAY as f64;
        let r = p.rates[b];
        drawn.clear();
        let put = |s: &mut Stream, rate: f64, kind: EventKind, drawn: &mut Vec<_>| {
            for _ in 0..s.poisson(rate * days) {
                let at = cursor + (s.unit() * (stop - cursor) as f64) as i64;
                drawn.push((at.min(stop - 1), kind));
            }
        };
        put(
            s,
            r.reads,
            EventKind::Read {
                bytes: 0,
                charged: true,
            },
            &mut drawn,
        );
        put(s, r.tier1, EventKind::Request { tier1: true }, &mut drawn);
        put(s, r.tier2, EventKind::Request { tier1: false }, &mut drawn);
        put(s, r.writes, EventKind::Write { size: 0 }, &mut drawn);
        put(
            s,
            r.deletes,
            EventKind::Delete { by_version: false },
            &mut drawn,
        );
        drawn.sort_by_key(|(t, k)| (*t, kind_order(k)));
        let mut restart = None;
        for &(t, kind) in &drawn {
            let kind = match kind {
                EventKind::Read { charged, .. } => EventKind::Read {
                    bytes: (size as f64 * fraction).round() as u64,
                    charged,
                },
                EventKind::Write { .. } => EventKind::Write { size },
                k => k,
            };
            events.push(Event {
                t: Timestamp(t),
                kind,
            });
            match kind {
                EventKind::Delete { .. } => return,
                EventKind::Write { size: s } => {
                    // Later draws of this band belonged to the old version's ages.
                    created = Timestamp(t);
                    size = s;
                    restart = Some(t + 1);
                    break;
                }
                _ => {}
            }
        }
        cursor = restart.unwrap_or(stop);
    }
}

/// Same-second draws in a fixed order: reads and requests before a write or delete.
fn kind_order(k: &EventKind) -> u8 {
    match k {
        EventKind::Read { .. } => 0,
        EventKind::Request { tier1: false } => 1,
        EventKind::Request { tier1: true } => 2,
        EventKind::Write { .. } => 3,
        EventKind::Delete { .. } => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::StorageClass;
    use crate::sim::s3::history::Initial;

    fn day(d: i64) -> Timestamp {
        Timestamp(1_772_323_200 + d * SECONDS_PER_DAY) // 2026-03-01
    }

    fn put(d: i64, size: u64) -> Event {
        Event {
            t: day(d),
            kind: EventKind::Write { size },
        }
    }

    fn read(d: i64, secs: i64) -> Event {
        Event {
            t: Timestamp(day(d).0 + secs),
            kind: EventKind::Read {
                bytes: 100,
                charged: true,
            },
        }
    }

    fn obj(key: &str, events: Vec<Event>) -> ObjectHistory {
        ObjectHistory {
            key: key.into(),
            initial: None,
            noncurrent: Box::default(),
            events,
        }
    }

    #[test]
    fn prefixes_at_a_depth() {
        assert_eq!(prefix_of("bronze/a/b", 1), "bronze/");
        assert_eq!(prefix_of("bronze/a/b", 2), "bronze/a/");
        assert_eq!(prefix_of("top", 1), "");
        assert_eq!(band(0), 0);
        assert_eq!(band(3 * SECONDS_PER_DAY + 5), 3);
        assert_eq!(band(4000 * SECONDS_PER_DAY), BANDS - 1);
    }

    /// Objects read on their first day only: the profile reads at age 0 and not later.
    #[test]
    fn rates_are_measured_per_age_band() {
        let mut b = ProfileBuilder::new(day(0), day(28), 1);
        for i in 0..20 {
            b.add(&obj(
                &format!("raw/{i}"),
                vec![put(i % 7, 100), read(i % 7, 3600), read(i % 7, 7200)],
            ));
        }
        let p = b.finish(day(28), None, 7);
        let raw = p.prefix("raw/x");
        // Day 0: 20 objects × 1 day, 40 reads.
        assert_eq!(raw.bands[0].reads, 40);
        assert!((raw.bands[0].exposure_days - 20.0).abs() < 1e-9);
        assert!((raw.rates[0].reads - 2.0).abs() < 1e-9);
        assert_eq!(raw.rates[3].reads, 0.0);
        assert!((raw.read_fraction() - 1.0).abs() < 1e-9);
        // Older than observed (at most 27 days): the 21-30 band's rates.
        assert_eq!(raw.oldest_observed_days, 21);
        assert_eq!(raw.rates[BANDS - 1], raw.rates[7]);
    }

    /// Drawn events follow the rates: an object of a prefix read twice a day at every age gets
    /// about two reads a day, the same ones for the same seed, and none after a delete.
    #[test]
    fn draws_follow_the_rates_and_are_deterministic() {
        let mut b = ProfileBuilder::new(day(0), day(30), 1);
        for i in 0..50 {
            let mut ev = vec![put(0, 1000)];
            for d in 0..30 {
                ev.push(read(d, 100 + i));
                ev.push(read(d, 200 + i));
            }
            b.add(&obj(&format!("hot/{i}"), ev));
        }
        let p = b.finish(day(30), None, 1);
        let o = obj("hot/new", vec![put(0, 1000)]);
        let mut seen = Vec::new();
        p.for_each_instance(&o, day(130), &mut |o| seen.push(o.events.clone()));
        assert_eq!(seen.len(), 1);
        let reads = seen[0]
            .iter()
            .filter(|e| matches!(e.kind, EventKind::Read { .. }))
            .count();
        assert!((150..=250).contains(&reads), "{reads} reads in 100 days");
        assert!(seen[0].windows(2).all(|w| w[0].t <= w[1].t));
        let mut again = Vec::new();
        p.for_each_instance(&o, day(130), &mut |o| again.push(o.events.clone()));
        assert_eq!(seen, again);
    }

    /// A prefix whose objects are all deleted at exactly 14 days: drawn objects are deleted
    /// too, never younger than the youngest age deletes were seen in (7–14 days).
    #[test]
    fn deletes_end_objects() {
        let mut b = ProfileBuilder::new(day(0), day(60), 1);
        for i in 0..200 {
            let d0 = i % 40;
            b.add(&obj(
                &format!("tmp/{i}"),
                vec![
                    put(d0, 10),
                    Event {
                        t: day(d0 + 14),
                        kind: EventKind::Delete { by_version: false },
                    },
                ],
            ));
        }
        let p = b.finish(day(60), None, 3);
        let inv = ObjectHistory {
            key: "tmp/old".into(),
            initial: Some(Initial {
                created: day(55),
                size: 10,
                class: StorageClass::Standard,
                it_tier: None,
            }),
            noncurrent: Box::default(),
            events: Vec::new(),
        };
        let mut last = None;
        p.for_each_instance(&inv, day(400), &mut |o| last = o.events.last().copied());
        let e = last.expect("deleted");
        assert!(matches!(e.kind, EventKind::Delete { .. }));
        // Deletes were seen at 14 days (the 7–14 band): none drawn before 7 days of age.
        assert!(e.t >= day(55 + 7), "{e:?}");
        let raw = &p.prefix("tmp/x").bands;
        assert_eq!(raw[band(13 * SECONDS_PER_DAY)].deletes, 200);
        assert_eq!(raw[band(14 * SECONDS_PER_DAY)].deletes, 0);
    }

    /// Arrivals: an object first written in the last week is created again every week.
    #[test]
    fn new_objects_keep_arriving_weekly() {
        let mut b = ProfileBuilder::new(day(0), day(14), 1);
        b.add(&obj("a/1", vec![put(10, 5)]));
        let arrivals = WeeklyRepeat::after_logs(day(0), Timestamp(day(14).0 - 1)).unwrap();
        let p = b.finish(day(14), Some(arrivals), 3);
        let mut n = 0;
        p.for_each_instance(&obj("a/1", vec![put(10, 5)]), day(45), &mut |_| n += 1);
        // Itself, then days 17, 24, 31, 38 (and not 45: the end is exclusive).
        assert_eq!(n, 5);
        let mut n = 0;
        p.for_each_instance(&obj("a/0", vec![put(2, 5)]), day(45), &mut |_| n += 1);
        assert_eq!(n, 1, "born before the last week: no copies");
    }
}
