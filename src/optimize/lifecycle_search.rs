//! The search over the whole space of lifecycle rules: transition days from 0 up to the horizon
//! for every class that allows them, found per key prefix from the evidence, so that the
//! costing pass prices a few candidates per prefix instead of a grid for every prefix.
//!
//! 1. **Profile** (a pre-pass over the objects, with the repeat or model of the future applied
//!    exactly as the replay applies it): per group (prefix × size band), the ages (whole days)
//!    at which versions are read within the horizon, the age of each version's last read, and
//!    how old versions get; and a deterministic sample of objects per prefix (the smallest key
//!    hashes).
//! 2. **Days**: a fine grid from day 0, plus the days where a version's future cost changes
//!    (each quantile of the last-read ages and the day after it, for the midnight rounding;
//!    the largest read age and the day after), capped at the oldest age reached.
//!    Standard-IA and One Zone-IA start at day 30.
//! 3. **Singles**: the sample is replayed under every single transition on those days, by the
//!    simulator itself (the costing pass's code), and scored at the book's marginal unit
//!    prices. Candidates the model would exclude (a read waits for a restore outside an allowed
//!    prefix, an expiration removes data a later read needs, the SLA, retention) are excluded
//!    here too.
//! 4. **Refinement**: around the best day of each class, the integer days between its
//!    neighbours are tried.
//! 5. **Chains** from the best days: an instant class while reads go on, then an archive class
//!    (at its own best days, at the first class's minimum-duration end, or after the last read
//!    seen); three steps where `max_chain` allows. **Expirations** where the scenario allows
//!    them (`expiration_days`, or days from `min_retention_days` on), and **noncurrent-version**
//!    transitions and expirations on versioned buckets, combined with the best candidates.
//! 6. **Offer**: per band, the best candidates by sample score and the best of each final
//!    class; per prefix the union, with "stay in STANDARD". The full costing pass then prices
//!    exactly these, on every object, and the model chooses among them.
//!
//! Nothing here decides: a candidate the sample misjudges is at worst not offered, and every
//! price the model sees comes from the full pass.

use super::candidates::{Candidate, CandidateGrid};
use super::costing::{Costing, Offers};
use super::emit::EmitOptions;
use super::lifecycle_model::RestoreAllowance;
use crate::aws::StorageClass;
use crate::meter::UnitPrices;
use crate::rules::S3Rules;
use crate::sim::s3::clairvoyant::score;
use crate::sim::s3::grouped::{GroupedSimulation, Grouping, SlotKey, prefix_at};
use crate::sim::s3::{EventKind, Future, ObjectHistory, ReplayOptions, key_hash};
use crate::units::Timestamp;
use crate::units::time::SECONDS_PER_DAY;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The fine grid every group's days start from (capped at the oldest age its versions reach).
pub const BASE_DAYS: [u32; 28] = [
    0, 1, 2, 3, 4, 5, 6, 7, 10, 14, 21, 30, 45, 60, 75, 90, 120, 150, 180, 210, 240, 270, 300, 365,
    455, 545, 640, 730,
];

/// Quantiles of the versions' last-read ages whose days (and the day after) are searched.
const QUANTILES: [f64; 7] = [0.5, 0.75, 0.9, 0.95, 0.98, 0.99, 1.0];

/// Candidates kept per group by sample score (besides the best of each final class).
pub const KEEP_PER_GROUP: usize = 8;

/// Integer days tried on each side of a class's best day.
const REFINE_STEPS: usize = 6;

/// The smallest sample a prefix keeps when many prefixes share the budget.
const MIN_SAMPLE: usize = 50;

/// The whole sample budget, in multiples of the per-prefix sample.
const SAMPLE_BUDGET_PREFIXES: usize = 20;

/// What one group's evidence says about ages.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GroupAges {
    /// Versions seen in the horizon.
    pub versions: u64,
    /// Reads in the horizon of versions whose creation is known.
    pub reads: u64,
    /// Versions by the age (whole days) of their last read in the horizon (read versions
    /// only).
    pub last_read: BTreeMap<u32, u64>,
    /// The oldest age (whole days) a version reaches within the horizon.
    pub max_age: u32,
    /// Reads of versions whose creation the evidence does not give (written before the logs,
    /// with no inventory row).
    pub unknown_age_reads: u64,
}

impl GroupAges {
    /// The largest read age seen (`None`: no read).
    pub fn max_read_age(&self) -> Option<u32> {
        self.last_read.keys().next_back().copied()
    }

    /// The age by which a share `q` of the read versions had their last read.
    fn last_read_quantile(&self, q: f64) -> Option<u32> {
        let total: u64 = self.last_read.values().sum();
        if total == 0 {
            return None;
        }
        let want = ((total as f64) * q).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (age, n) in &self.last_read {
            seen += n;
            if seen >= want {
                return Some(*age);
            }
        }
        self.max_read_age()
    }

    /// The days worth pricing for this group (module docs, step 2).
    pub fn days(&self) -> BTreeSet<u32> {
        let cap = self.max_age;
        let mut out: BTreeSet<u32> = BASE_DAYS.iter().copied().filter(|d| *d <= cap).collect();
        for q in QUANTILES {
            if let Some(a) = self.last_read_quantile(q) {
                out.extend([a, a + 1].into_iter().filter(|d| *d <= cap));
            }
        }
        out
    }
}

/// The pre-pass: ages per group and a sample of objects per prefix.
pub struct Profile {
    grouping: Grouping,
    start: Timestamp,
    end: Timestamp,
    future: Future,
    cap: usize,
    pub groups: BTreeMap<SlotKey, GroupAges>,
    samples: BTreeMap<String, BTreeMap<(u64, String), ObjectHistory>>,
    /// Objects seen per prefix.
    pub objects: BTreeMap<String, u64>,
}

impl Profile {
    /// A profile grouping versions as the costing pass does, keeping up to `sample` objects
    /// per prefix.
    pub fn new(
        grouping: Grouping,
        start: Timestamp,
        end: Timestamp,
        future: Future,
        sample: usize,
    ) -> Profile {
        Profile {
            grouping,
            start,
            end,
            future,
            cap: sample.max(1),
            groups: BTreeMap::new(),
            samples: BTreeMap::new(),
            objects: BTreeMap::new(),
        }
    }

    /// The model of the future the replay applies past the logs (set once the logs are read).
    pub fn set_future(&mut self, future: Future) {
        self.future = future;
    }

    pub fn future(&self) -> &Future {
        &self.future
    }

    /// Adds an object (with its start state and every log event).
    pub fn add(&mut self, obj: &ObjectHistory) {
        let Some(prefix) = prefix_at(&obj.key, self.grouping.depth).map(str::to_string) else {
            return;
        };
        *self.objects.entry(prefix.clone()).or_default() += 1;
        let future = self.future.clone();
        future.for_each_instance(obj, self.end, |inst| self.ages(inst));
        let sample = self.samples.entry(prefix).or_default();
        let k = (key_hash(&obj.key), obj.key.clone());
        if sample.len() < self.cap || sample.keys().next_back().is_some_and(|last| k < *last) {
            sample.insert(k, obj.clone());
            if sample.len() > self.cap {
                sample.pop_last();
            }
        }
    }

    /// Records one instance's versions and reads.
    fn ages(&mut self, o: &ObjectHistory) {
        let day = |a: i64| u32::try_from(a.max(0) / SECONDS_PER_DAY).unwrap_or(u32::MAX);
        // The current version: (created, size, last read age).
        let mut cur: Option<(Timestamp, u64, Option<u32>)> =
            o.initial.map(|i| (i.created, i.size, None));
        for e in &o.events {
            match e.kind {
                EventKind::Write { size } => {
                    self.close(&o.key, cur.take(), e.t);
                    cur = Some((e.t, size, None));
                }
                EventKind::Read { .. } if e.t >= self.start && e.t < self.end => match &mut cur {
                    Some((created, size, last)) => {
                        let age = day(e.t.0 - created.0);
                        *last = Some(last.map_or(age, |l| l.max(age)));
                        let slot = self.grouping.slot(&o.key, *size);
                        self.groups.entry(slot).or_default().reads += 1;
                    }
                    None => {
                        let slot = self.grouping.slot(&o.key, 0);
                        self.groups.entry(slot).or_default().unknown_age_reads += 1;
                    }
                },
                EventKind::Delete { by_version: false } => {
                    self.close(&o.key, cur.take(), e.t);
                }
                _ => {}
            }
        }
        self.close(&o.key, cur, self.end);
    }

    fn close(&mut self, key: &str, v: Option<(Timestamp, u64, Option<u32>)>, until: Timestamp) {
        let Some((created, size, last)) = v else {
            return;
        };
        let until = until.min(self.end);
        if until <= self.start {
            return;
        }
        let g = self
            .groups
            .entry(self.grouping.slot(key, size))
            .or_default();
        g.versions += 1;
        let age = u32::try_from((until.0 - created.0).max(0) / SECONDS_PER_DAY).unwrap_or(u32::MAX);
        g.max_age = g.max_age.max(age);
        if let Some(l) = last {
            *g.last_read.entry(l).or_default() += 1;
        }
    }

    /// The sampled objects of every prefix, each prefix trimmed to its share of the budget.
    fn sample(&self) -> Vec<ObjectHistory> {
        let n = self.samples.len().max(1);
        let per = self
            .cap
            .min((self.cap * SAMPLE_BUDGET_PREFIXES / n).max(MIN_SAMPLE));
        self.samples
            .values()
            .flat_map(|s| s.values().take(per).cloned())
            .collect()
    }

    /// Prefixes seen.
    pub fn prefixes(&self) -> impl Iterator<Item = &str> {
        self.samples.keys().map(String::as_str)
    }
}

/// The search's settings: what the scenario allows and how the replay runs.
pub struct SearchSetup<'a> {
    pub grid: &'a CandidateGrid,
    /// `min_retention_days`: expirations from this day on (also enables them).
    pub retention: Option<u32>,
    pub noncurrent_expiration_days: &'a [u32],
    pub versioned: bool,
    pub allowances: &'a [RestoreAllowance],
    pub millisecond_prefixes: &'a [String],
    pub opts: &'a ReplayOptions,
    pub rules: &'a S3Rules,
    pub prices: &'a dyn UnitPrices,
}

/// The candidates the costing pass prices, per prefix.
pub struct Searched {
    /// "Stay in STANDARD" first.
    pub candidates: Vec<Candidate>,
    pub offers: Offers,
    /// Distinct candidates replayed over the sample, and objects sampled.
    pub tried: usize,
    pub sampled: usize,
}

/// One candidate's result on a group's sample.
#[derive(Clone, Debug)]
struct Tried {
    candidate: Candidate,
    score: f64,
    restores: u64,
    max_wait_hours: u64,
    reads_lost: u64,
}

/// Every candidate tried per group, by id.
type Book = BTreeMap<SlotKey, BTreeMap<String, Tried>>;

/// Finds each prefix's candidates (module docs).
pub fn search(profile: &Profile, setup: &SearchSetup<'_>) -> Searched {
    let sample = profile.sample();
    let mut book: Book = BTreeMap::new();
    let mut tried: BTreeSet<String> = BTreeSet::new();
    let classes: Vec<StorageClass> = {
        let mut c = setup.grid.target_classes.clone();
        c.dedup();
        c
    };
    let prefixes: Vec<String> = profile.prefixes().map(str::to_string).collect();
    let bands = profile.grouping.bands();
    let groups_of = |p: &str| -> Vec<SlotKey> {
        (0..bands)
            .map(|b| SlotKey {
                prefix: Some(p.to_string()),
                band: b,
            })
            .collect()
    };
    let ages = |k: &SlotKey| profile.groups.get(k).cloned().unwrap_or_default();
    // Days per prefix: the union over its bands.
    let days_of = |p: &str| -> BTreeSet<u32> {
        groups_of(p)
            .iter()
            .filter(|k| profile.groups.contains_key(k))
            .flat_map(|k| ages(k).days())
            .collect()
    };

    // Pass 1: single transitions on every group's days.
    let mut pass: BTreeMap<String, Vec<Candidate>> = BTreeMap::new();
    for p in &prefixes {
        let days = days_of(p);
        let list = pass.entry(p.clone()).or_default();
        for &c in &classes {
            for &d in &days {
                list.push(Candidate::new(vec![(d, c)], None));
            }
        }
    }
    run(profile, setup, &sample, &pass, &mut book, &mut tried);

    // Pass 2: refine around each class's best day, per group.
    let mut pass: BTreeMap<String, Vec<Candidate>> = BTreeMap::new();
    for p in &prefixes {
        let days = days_of(p);
        let list = pass.entry(p.clone()).or_default();
        for k in groups_of(p) {
            let Some(tried_here) = book.get(&k) else {
                continue;
            };
            let ok = allowed_here(&k, tried_here, setup);
            for &c in &classes {
                let best = ok
                    .iter()
                    .filter(|t| {
                        t.candidate.transitions.len() == 1 && t.candidate.transitions[0].1 == c
                    })
                    .min_by(|a, b| a.score.total_cmp(&b.score));
                let Some(best) = best else {
                    continue;
                };
                let d = best.candidate.transitions[0].0;
                let lo = days.range(..d).next_back().copied();
                let hi = days.range(d + 1..).next().copied();
                for day in between(lo, d)
                    .into_iter()
                    .chain(between(Some(d), hi.unwrap_or(d)))
                {
                    list.push(Candidate::new(vec![(day, c)], None));
                }
            }
        }
    }
    run(profile, setup, &sample, &pass, &mut book, &mut tried);

    // Pass 3: chains from the best days.
    let mut pass: BTreeMap<String, Vec<Candidate>> = BTreeMap::new();
    for p in &prefixes {
        let list = pass.entry(p.clone()).or_default();
        for k in groups_of(p) {
            let Some(tried_here) = book.get(&k) else {
                continue;
            };
            let ok = allowed_here(&k, tried_here, setup);
            let top_days = |c: StorageClass, n: usize| -> Vec<u32> {
                let mut v: Vec<&Tried> = ok
                    .iter()
                    .filter(|t| {
                        t.candidate.transitions.len() == 1 && t.candidate.transitions[0].1 == c
                    })
                    .copied()
                    .collect();
                v.sort_by(|a, b| a.score.total_cmp(&b.score));
                v.iter()
                    .take(n)
                    .map(|t| t.candidate.transitions[0].0)
                    .collect()
            };
            let after_reads = ages(&k).max_read_age().map(|a| a + 1);
            let mut twos: Vec<Candidate> = Vec::new();
            for &c1 in &classes {
                for d1 in top_days(c1, 2) {
                    for &c2 in &classes {
                        if !crate::trace::lifecycle::supported_transition(c1, c2) {
                            continue;
                        }
                        let min1 = setup.rules.minimum_days(c1) as u32;
                        let mut d2s: BTreeSet<u32> = top_days(c2, 2).into_iter().collect();
                        d2s.insert(d1 + min1.max(1));
                        d2s.extend(after_reads);
                        if is_archive(c2) {
                            d2s.insert(d1 + 30);
                        }
                        for d2 in d2s.into_iter().filter(|d2| *d2 > d1) {
                            let cand = Candidate::new(vec![(d1, c1), (d2, c2)], None);
                            if setup.grid.max_chain >= 2 && cand.is_valid() {
                                twos.push(cand);
                            }
                        }
                    }
                }
            }
            list.extend(twos.iter().cloned());
        }
    }
    run(profile, setup, &sample, &pass, &mut book, &mut tried);

    // Pass 4: a third step after the best chains, expirations and noncurrent actions.
    let expirations = |k: &SlotKey| -> BTreeSet<u32> {
        let mut out: BTreeSet<u32> = setup.grid.expiration_days.iter().copied().collect();
        if let Some(r) = setup.retention {
            let from = r.max(1);
            out.insert(from);
            out.extend(ages(k).days().into_iter().filter(|d| *d >= from));
        }
        out
    };
    let mut pass: BTreeMap<String, Vec<Candidate>> = BTreeMap::new();
    for p in &prefixes {
        let list = pass.entry(p.clone()).or_default();
        for k in groups_of(p) {
            let Some(tried_here) = book.get(&k) else {
                continue;
            };
            let mut ok = allowed_here(&k, tried_here, setup);
            ok.sort_by(|a, b| a.score.total_cmp(&b.score));
            let best: Vec<Candidate> = ok.iter().take(3).map(|t| t.candidate.clone()).collect();
            if setup.grid.max_chain >= 3 {
                let after_reads = ages(&k).max_read_age().map(|a| a + 1);
                for chain in ok
                    .iter()
                    .filter(|t| t.candidate.transitions.len() == 2)
                    .take(3)
                {
                    let &(d2, c2) = &chain.candidate.transitions[1];
                    for &c3 in &classes {
                        if !crate::trace::lifecycle::supported_transition(c2, c3) {
                            continue;
                        }
                        let mut d3s: BTreeSet<u32> = ok
                            .iter()
                            .filter(|t| {
                                t.candidate.transitions.len() == 1
                                    && t.candidate.transitions[0].1 == c3
                            })
                            .take(2)
                            .map(|t| t.candidate.transitions[0].0)
                            .collect();
                        d3s.insert(d2 + (setup.rules.minimum_days(c2) as u32).max(1));
                        d3s.extend(after_reads);
                        for d3 in d3s.into_iter().filter(|d| *d > d2) {
                            let mut t = chain.candidate.transitions.clone();
                            t.push((d3, c3));
                            let cand = Candidate::new(t, None);
                            if cand.is_valid() {
                                list.push(cand);
                            }
                        }
                    }
                }
            }
            for x in expirations(&k) {
                list.push(Candidate::new(Vec::new(), Some(x)));
                for b in &best {
                    let c = b.with_expiration(Some(x));
                    if c.is_valid() {
                        list.push(c);
                    }
                }
            }
            if setup.versioned {
                for b in best.iter().chain(std::iter::once(&Candidate::standard())) {
                    for n in noncurrent_options(setup) {
                        let c = b.with_noncurrent(n.0, n.1);
                        if c.is_valid() {
                            list.push(c);
                        }
                    }
                }
            }
        }
    }
    run(profile, setup, &sample, &pass, &mut book, &mut tried);

    // The offer: per band the best by score and the best of each final class.
    let mut candidates = vec![Candidate::standard()];
    let mut index: HashMap<String, usize> = HashMap::new();
    index.insert(Candidate::standard().id, 0);
    let mut per_prefix: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    for p in &prefixes {
        let set = per_prefix.entry(p.clone()).or_default();
        set.insert(0);
        for k in groups_of(p) {
            let Some(tried_here) = book.get(&k) else {
                continue;
            };
            let mut ok = allowed_here(&k, tried_here, setup);
            ok.sort_by(|a, b| {
                a.score
                    .total_cmp(&b.score)
                    .then_with(|| a.candidate.actions().cmp(&b.candidate.actions()))
                    .then_with(|| a.candidate.id.cmp(&b.candidate.id))
            });
            let mut keep: Vec<&Candidate> = ok
                .iter()
                .take(KEEP_PER_GROUP)
                .map(|t| &t.candidate)
                .collect();
            let mut finals: BTreeSet<StorageClass> = BTreeSet::new();
            for t in &ok {
                if finals.insert(t.candidate.final_class()) {
                    keep.push(&t.candidate);
                }
            }
            for c in keep {
                let i = *index.entry(c.id.clone()).or_insert_with(|| {
                    candidates.push(c.clone());
                    candidates.len() - 1
                });
                set.insert(i);
            }
        }
    }
    let n = candidates.len();
    let flags = |set: &BTreeSet<usize>| (0..n).map(|c| set.contains(&c)).collect::<Vec<bool>>();
    let offers = Offers {
        by_prefix: per_prefix
            .iter()
            .map(|(p, s)| (p.clone(), flags(s)))
            .collect(),
        other: flags(&BTreeSet::from([0])),
    };
    Searched {
        candidates,
        offers,
        tried: tried.len(),
        sampled: sample.len(),
    }
}

/// Integer days strictly between `lo` and `hi`, at most `REFINE_STEPS` of them, evenly spread.
fn between(lo: Option<u32>, hi: u32) -> Vec<u32> {
    let Some(lo) = lo else {
        return Vec::new();
    };
    let gap = hi.saturating_sub(lo);
    if gap <= 1 {
        return Vec::new();
    }
    let inner = gap - 1;
    let steps = (inner as usize).min(REFINE_STEPS) as u32;
    (1..=steps)
        .map(|i| lo + (i * gap) / (steps + 1))
        .filter(|d| *d > lo && *d < hi)
        .collect::<BTreeSet<u32>>()
        .into_iter()
        .collect()
}

fn is_archive(c: StorageClass) -> bool {
    matches!(c, StorageClass::Glacier | StorageClass::DeepArchive)
}

/// Noncurrent-version transitions (days, class) and an expiration day.
type NoncurrentActions = (Vec<(u32, StorageClass)>, Option<u32>);

/// Noncurrent-version actions offered on versioned buckets: a transition soon after a version
/// becomes noncurrent to each archive-side class (noncurrent versions are never read: the logs'
/// GETs name no version), Standard-IA at its 30-day minimum, and expirations where allowed.
fn noncurrent_options(setup: &SearchSetup<'_>) -> Vec<NoncurrentActions> {
    let mut out = Vec::new();
    for &c in &setup.grid.target_classes {
        let days: &[u32] = match c {
            StorageClass::StandardIa | StorageClass::OnezoneIa => &[30],
            StorageClass::IntelligentTiering => &[],
            _ => &[1, 7, 30],
        };
        for &d in days {
            out.push((vec![(d, c)], None));
        }
    }
    let mut x: BTreeSet<u32> = setup.noncurrent_expiration_days.iter().copied().collect();
    if let Some(r) = setup.retention {
        x.insert(r.max(1));
    }
    for d in x {
        out.push((Vec::new(), Some(d)));
        out.push((vec![(1, StorageClass::DeepArchive)], Some(d.max(2))));
    }
    out
}

/// The candidates of a group the model would allow, judged on the sample: as
/// `lifecycle_model::Prepared` does (SLA, retention, reads of expired data, reads that wait
/// outside an allowed prefix or past its longest wait), against the group's fewest restores
/// and lost reads.
fn allowed_here<'b>(
    k: &SlotKey,
    tried: &'b BTreeMap<String, Tried>,
    setup: &SearchSetup<'_>,
) -> Vec<&'b Tried> {
    let prefix = k.prefix.as_deref().unwrap_or("");
    let sla = setup
        .millisecond_prefixes
        .iter()
        .any(|p| prefix.starts_with(p.as_str()));
    let allowance = setup
        .allowances
        .iter()
        .filter(|a| prefix.starts_with(a.prefix.as_str()))
        .max_by_key(|a| a.prefix.len());
    let base_restores = tried.values().map(|t| t.restores).min().unwrap_or(0);
    let base_lost = tried.values().map(|t| t.reads_lost).min().unwrap_or(0);
    tried
        .values()
        .filter(|t| {
            let c = &t.candidate;
            if sla && !c.millisecond_readable() {
                return false;
            }
            if let Some(r) = setup.retention
                && c.expiration_days
                    .into_iter()
                    .chain(c.noncurrent_expiration_days)
                    .any(|x| x < r)
            {
                return false;
            }
            if t.reads_lost > base_lost {
                return false;
            }
            if t.restores > base_restores {
                return match allowance {
                    None => false,
                    Some(a) => a.max_wait_hours.is_none_or(|h| t.max_wait_hours <= h),
                };
            }
            true
        })
        .collect()
}

/// Replays the sample under each prefix's candidates of `pass` (and "stay in STANDARD"), and
/// records every group's scores in `book`.
fn run(
    profile: &Profile,
    setup: &SearchSetup<'_>,
    sample: &[ObjectHistory],
    pass: &BTreeMap<String, Vec<Candidate>>,
    book: &mut Book,
    tried: &mut BTreeSet<String>,
) {
    let mut candidates = vec![Candidate::standard()];
    let mut index: HashMap<String, usize> = HashMap::new();
    index.insert(candidates[0].id.clone(), 0);
    let mut per_prefix: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    for (p, list) in pass {
        let set = per_prefix.entry(p.clone()).or_default();
        set.insert(0);
        // Groups of the prefix already scored: a candidate every one of them has is not
        // replayed again.
        let known: Vec<&BTreeMap<String, Tried>> = book
            .iter()
            .filter(|(k, _)| k.prefix.as_deref() == Some(p.as_str()))
            .map(|(_, m)| m)
            .collect();
        for c in list {
            if !c.is_valid() || (!known.is_empty() && known.iter().all(|m| m.contains_key(&c.id))) {
                continue;
            }
            let i = *index.entry(c.id.clone()).or_insert_with(|| {
                candidates.push(c.clone());
                candidates.len() - 1
            });
            set.insert(i);
        }
    }
    if candidates.len() == 1 && !book.is_empty() {
        return;
    }
    let n = candidates.len();
    let offers = Offers {
        by_prefix: per_prefix
            .iter()
            .map(|(p, s)| (p.clone(), (0..n).map(|c| s.contains(&c)).collect()))
            .collect(),
        other: (0..n).map(|c| c == 0).collect(),
    };
    let costing = Costing::new(
        profile.grouping.depth,
        &profile.grouping.bounds,
        candidates,
        &EmitOptions::default(),
    )
    .with_offers(offers);
    let Some(offer) = costing.offer() else {
        return;
    };
    let mut sim = GroupedSimulation::new(
        &costing.policies,
        &costing.grouping,
        setup.opts,
        setup.rules,
        profile.start,
        profile.end,
    )
    .with_offer(offer);
    for chunk in sample.chunks(crate::sim::s3::BATCH) {
        sim.replay_batch(chunk);
    }
    for (c, slots) in sim.finish().into_iter().enumerate() {
        let cand = &costing.candidates[c];
        tried.insert(cand.id.clone());
        for (k, (acc, st)) in slots {
            if k.prefix.is_none() || !costing.offered(k.prefix.as_deref(), c) {
                continue;
            }
            let Some(s) = score(&acc, setup.prices) else {
                continue;
            };
            book.entry(k).or_default().insert(
                cand.id.clone(),
                Tried {
                    candidate: cand.clone(),
                    score: s,
                    restores: st.restores,
                    max_wait_hours: st.max_restore_wait_hours,
                    reads_lost: st.reads_missing,
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_follow_last_reads_and_the_oldest_age() {
        let mut g = GroupAges {
            max_age: 200,
            ..Default::default()
        };
        g.last_read.insert(2, 90);
        g.last_read.insert(3, 10);
        let d = g.days();
        // The fine grid up to the oldest age, and the last reads with the day after.
        assert!(d.contains(&0) && d.contains(&1) && d.contains(&180));
        assert!(!d.contains(&210), "past the oldest age: {d:?}");
        assert!(d.contains(&3) && d.contains(&4));
        assert_eq!(g.max_read_age(), Some(3));
        assert_eq!(g.last_read_quantile(0.5), Some(2));
    }

    #[test]
    fn refinement_spreads_inner_days() {
        assert_eq!(between(Some(30), 45), vec![32, 34, 36, 38, 40, 42]);
        assert_eq!(between(Some(3), 5), vec![4]);
        assert!(between(Some(4), 5).is_empty());
        assert!(between(None, 5).is_empty());
    }
}
