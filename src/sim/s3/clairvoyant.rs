//! The clairvoyant bound: for each object, the cheapest way to have stored it knowing its future
//! reads and deletion. Candidates are downward paths through STANDARD → STANDARD_IA →
//! GLACIER_IR → GLACIER → DEEP_ARCHIVE (any starting class for new objects; the inventory's
//! class for objects already present) with transitions at the instants where a move can pay
//! off (at creation, just after the last read, when the class's minimum duration ends), plus
//! every policy under comparison replayed for that object. Each candidate is replayed by the
//! same metering code as the policies and scored with linear unit prices the caller supplies
//! (the simulator never reads a price book); the winner's usage is what the bound meters, and
//! it is then rated like any policy. By construction the bound is, object by object, no dearer
//! at those unit prices than every compared policy.

use super::accum::Accum;
use super::history::{EventKind, ObjectHistory};
use super::policy::{Action, Policy, PolicyKind, Scheduled, class_rank};
use super::replay::{Ctx, Stats, replay};
use crate::aws::StorageClass;
use crate::meter::UnitPrices;
use crate::units::Timestamp;
use crate::units::time::SECONDS_PER_DAY;
use std::fmt;
use std::sync::Arc;

/// The clairvoyant policy's inputs: unit prices to score candidates with, and the policies it
/// must never be dearer than.
#[derive(Clone)]
pub struct Clairvoyant {
    pub prices: Arc<dyn UnitPrices>,
    pub peers: Vec<Policy>,
}

impl fmt::Debug for Clairvoyant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Clairvoyant")
            .field("peers", &self.peers)
            .finish_non_exhaustive()
    }
}

impl PartialEq for Clairvoyant {
    fn eq(&self, o: &Self) -> bool {
        Arc::ptr_eq(&self.prices, &o.prices) && self.peers == o.peers
    }
}

/// One candidate storage path for one object: the class its versions are written in (an
/// inventory object keeps its class) and absolute-time transitions.
#[derive(Clone, Debug, PartialEq)]
pub struct Path {
    pub start: StorageClass,
    pub steps: Vec<Scheduled>,
}

/// The classes a path may use, top of the waterfall first.
const LADDER: [StorageClass; 5] = [
    StorageClass::Standard,
    StorageClass::StandardIa,
    StorageClass::GlacierIr,
    StorageClass::Glacier,
    StorageClass::DeepArchive,
];

fn below(c: StorageClass) -> impl Iterator<Item = StorageClass> {
    LADDER
        .into_iter()
        .filter(move |d| c == StorageClass::Standard || class_rank(*d) < class_rank(c))
        .filter(move |d| *d != c && *d != StorageClass::Standard)
}

/// Scores an object's metered usage at linear unit prices; `None` if a meter has no price.
pub fn score(acc: &Accum, prices: &dyn UnitPrices) -> Option<f64> {
    let mut total = Some(0.0);
    acc.for_each(|m, meter, v, time| {
        // Time meters are kept in byte- (or object-) seconds; their base unit is the hour.
        let unit = if time { 3600.0 } else { 1.0 };
        total = match (total, prices.unit_price(m, meter)) {
            (Some(t), Some(p)) => Some(t + p * v as f64 / unit),
            _ => None,
        };
    });
    total
}

/// The candidate paths for `obj` under the bound (policies under comparison are added by the
/// caller).
pub fn candidates(
    obj: &ObjectHistory,
    cx: &Ctx<'_>,
    min_days: impl Fn(StorageClass) -> u64,
) -> Vec<Path> {
    let created = match (obj.initial, obj.events.first()) {
        (Some(i), _) => i.created,
        (None, Some(e)) => e.t,
        (None, None) => return Vec::new(),
    };
    let first_move = created.max(cx.start);
    let last_read = obj
        .events
        .iter()
        .filter(|e| e.t < cx.end && matches!(e.kind, EventKind::Read { .. }))
        .map(|e| e.t)
        .next_back();
    // A plan entry at a read's own instant applies after the read (replay advances strictly
    // before an event's time), so "just after the last read" is the read's timestamp.
    let after_reads = last_read.unwrap_or(first_move).max(first_move);
    let starts: Vec<StorageClass> = match obj.initial {
        Some(i) => vec![i.class],
        None => LADDER.to_vec(),
    };
    let mut out = Vec::new();
    let mut push = |p: Path| {
        if !out.contains(&p) {
            out.push(p);
        }
    };
    let days = |t: Timestamp, d: u64| Timestamp(t.0 + d as i64 * SECONDS_PER_DAY);
    for s in starts {
        push(Path {
            start: s,
            steps: Vec::new(),
        });
        if !LADDER.contains(&s) {
            continue;
        }
        for c in below(s) {
            for at in [after_reads, after_reads.max(days(created, min_days(s)))] {
                if at >= cx.end {
                    continue;
                }
                let step = |at, c| Scheduled {
                    at,
                    action: Action::Transition(c),
                };
                push(Path {
                    start: s,
                    steps: vec![step(at, c)],
                });
                // Two steps: an instant class while the minimum lasts, then an archive.
                if s == StorageClass::Standard
                    && matches!(c, StorageClass::StandardIa | StorageClass::GlacierIr)
                {
                    let next = days(at, min_days(c));
                    if next < cx.end {
                        for d in [StorageClass::Glacier, StorageClass::DeepArchive] {
                            push(Path {
                                start: s,
                                steps: vec![step(at, c), step(next, d)],
                            });
                        }
                    }
                }
            }
        }
    }
    out
}

/// Scores within this fraction of each other are ties.
const TIE: f64 = 1e-9;

/// Replays `obj` under every candidate and every peer policy, and adds the cheapest one's usage
/// and statistics. Ties (scores within `TIE` of each other) go to the earlier candidate (peers
/// first), so the result is deterministic and does not hang on rounding.
pub fn replay_bound(
    obj: &ObjectHistory,
    cv: &Clairvoyant,
    cx: &Ctx<'_>,
    acc: &mut Accum,
    st: &mut Stats,
) {
    // Two buffers, reused: the candidate being scored and the best so far.
    let mut best: Option<f64> = None;
    let (mut best_a, mut best_s) = (Accum::default(), Stats::default());
    let (mut a, mut s) = (Accum::default(), Stats::default());
    let mut consider = |policy: &Policy| {
        let pcx = Ctx { policy, ..*cx };
        a.clear();
        s = Stats::default();
        replay(obj, &pcx, &mut a, &mut s);
        let Some(v) = score(&a, cv.prices.as_ref()) else {
            return;
        };
        // Cheaper by more than float noise: scores are f64 sums whose last bits depend on the
        // order meters are visited, and equal-cost paths must not be told apart by that.
        if best.is_none_or(|b| v < b - b.abs() * TIE) {
            best = Some(v);
            std::mem::swap(&mut a, &mut best_a);
            std::mem::swap(&mut s, &mut best_s);
        }
    };
    for p in &cv.peers {
        consider(p);
    }
    for path in candidates(obj, cx, |c| cx.rules.minimum_days(c)) {
        consider(&Policy {
            name: String::new(),
            kind: PolicyKind::Path(path),
        });
    }
    if best.is_some() {
        acc.merge(&best_a);
        st.merge(&best_s);
    } else if let Some(p) = cv.peers.first() {
        // Nothing could be priced: meter as the first peer does (its rating will name the
        // missing price).
        replay(obj, &Ctx { policy: p, ..*cx }, acc, st);
    }
}
