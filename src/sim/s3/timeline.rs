//! Quantities held over time intervals, recorded without per-month work: an interval [t0, t1)
//! adds a delta where it starts and takes one off where it ends, and `settle` integrates the
//! deltas month by month into each month's integral (byte-seconds) and its level at the month's
//! last second. Integer and linear, so timelines of any subsets of intervals merge, in any
//! order, to exactly the timeline of their union.

use super::slotted::Slotted;
use crate::aws::{ItTier, StorageClass, StorageTier};
use crate::meter::Meter;
use crate::units::{Month, Timestamp, month_end, month_start};
use std::collections::BTreeMap;
use std::hash::Hash;

/// What the intervals starting and ending in one month contribute.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Delta {
    /// Quantity of intervals starting in the month, minus that of intervals ending in it.
    level: i128,
    /// Σ q·(seconds from its start to the month's end) over intervals starting in the month,
    /// minus the same from their ends over intervals ending in it.
    tail: i128,
    /// Intervals starting in the month minus intervals ending in it.
    count: i64,
}

/// One month of a settled key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Settled {
    /// ∫ quantity dt over the month (quantity-seconds).
    pub integral: u128,
    /// Quantity held at the month's last second.
    pub level: u128,
    /// Intervals open at the month's last second.
    pub open: u64,
}

/// One key's values for every month from its first touched to its last, so that a month is
/// found by its distance from the first, without a search. Runs are short: intervals are
/// clipped to the horizon and counts fall in it (at worst, `Month`'s years 1970-9999).
#[derive(Clone, Debug, Default)]
pub(super) struct MonthRun<T> {
    /// Months since year 0 of `d[0]`.
    first: i64,
    d: Vec<T>,
}

fn ordinal(m: Month) -> i64 {
    m.year as i64 * 12 + m.month as i64 - 1
}

impl<T: Copy + Default> MonthRun<T> {
    /// The value of month `m` (the run is extended to it when outside).
    pub(super) fn at(&mut self, m: Month) -> &mut T {
        let o = ordinal(m);
        if self.d.is_empty() {
            self.first = o;
        } else if o < self.first {
            let n = (self.first - o) as usize;
            self.d.splice(0..0, std::iter::repeat_n(T::default(), n));
            self.first = o;
        }
        let i = (o - self.first) as usize;
        if i >= self.d.len() {
            self.d.resize(i + 1, T::default());
        }
        &mut self.d[i]
    }

    /// The run's months and values, in order.
    pub(super) fn iter(&self) -> impl Iterator<Item = (Month, T)> + '_ {
        self.d.iter().enumerate().map(|(i, d)| {
            let o = self.first + i as i64;
            let m = Month {
                year: o.div_euclid(12) as i32,
                month: o.rem_euclid(12) as u8 + 1,
            };
            (m, *d)
        })
    }

    /// Empties the run, keeping its allocation.
    pub(super) fn clear(&mut self) {
        self.d.clear();
    }
}

type Months = MonthRun<Delta>;

/// A timeline key; the keys every replay touches (storage by tier and its companions) name a
/// small dense slot, so that holding them needs no hashing.
pub trait TimelineKey: Clone + Eq + Hash + Ord {
    /// The key's slot, below `SLOTS`; `None`: kept in a hash map.
    fn slot(&self) -> Option<usize>;
    const SLOTS: usize;
}

/// Dense index of a storage tier: classes first, then Intelligent-Tiering's tiers.
pub(super) fn tier_slot(t: StorageTier) -> usize {
    match t {
        StorageTier::Class(c) => c as usize,
        StorageTier::It(t) => StorageClass::ALL.len() + t as usize,
    }
}

const TIERS: usize = StorageClass::ALL.len() + ItTier::ALL.len();

impl TimelineKey for Meter {
    fn slot(&self) -> Option<usize> {
        Some(match *self {
            Meter::Storage(t) => tier_slot(t),
            Meter::ArchiveOverheadStandard(t) => TIERS + tier_slot(t),
            Meter::ArchiveOverhead(t) => 2 * TIERS + tier_slot(t),
            Meter::SmallObjectPadding(c) => 3 * TIERS + c as usize,
            Meter::ItMonitoredObjectHours => 3 * TIERS + StorageClass::ALL.len(),
            _ => return None,
        })
    }
    const SLOTS: usize = 3 * TIERS + StorageClass::ALL.len() + 1;
}

impl TimelineKey for (StorageTier, bool) {
    fn slot(&self) -> Option<usize> {
        Some(2 * tier_slot(self.0) + self.1 as usize)
    }
    const SLOTS: usize = 2 * TIERS;
}

/// Intervals per key, as month deltas.
#[derive(Clone, Debug)]
pub struct Timeline<K> {
    deltas: Slotted<K, Months>,
}

impl<K> Default for Timeline<K> {
    fn default() -> Self {
        Timeline {
            deltas: Slotted::default(),
        }
    }
}

/// An interval [t0, t1) placed in months once, for holding several quantities over it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    m0: Month,
    rest0: i128,
    m1: Month,
    rest1: i128,
}

impl Span {
    /// `None` when the interval is empty (t1 <= t0).
    pub fn new(t0: Timestamp, t1: Timestamp) -> Option<Span> {
        if t1 <= t0 {
            return None;
        }
        let ((m0, rest0), (m1, rest1)) = (month_end(t0), month_end(t1));
        Some(Span {
            m0,
            rest0: rest0 as i128,
            m1,
            rest1: rest1 as i128,
        })
    }
}

/// Integrates one key's month deltas (in order), calling `f` for every month with a non-zero
/// integral or an interval open at its end.
fn integrate(months: &Months, mut f: impl FnMut(Month, Settled)) {
    let (mut level, mut open) = (0i128, 0i64);
    for (m, d) in months.iter() {
        let len = (month_start(m.next()).0 - month_start(m).0) as i128;
        // Every interval is whole in a timeline, so these are never negative.
        let integral = (level * len + d.tail).max(0) as u128;
        level += d.level;
        open += d.count;
        if integral > 0 || open > 0 {
            f(
                m,
                Settled {
                    integral,
                    level: level.max(0) as u128,
                    open: open.max(0) as u64,
                },
            );
        }
    }
}

impl<K: TimelineKey> Timeline<K> {
    /// The deltas of `key` (added when missing).
    fn months(&mut self, key: &K) -> &mut Months {
        self.deltas.entry(key, key.slot(), K::SLOTS)
    }

    /// Every key and its deltas.
    fn keys(&self) -> impl Iterator<Item = (&K, &Months)> {
        self.deltas.iter()
    }

    /// `q` held under `key` over [t0, t1) (nothing when t1 <= t0; a zero quantity still counts
    /// as an open interval).
    pub fn hold(&mut self, key: &K, q: u64, t0: Timestamp, t1: Timestamp) {
        if let Some(span) = Span::new(t0, t1) {
            self.hold_span(key, q, &span);
        }
    }

    /// `q` held under `key` over `span`.
    pub fn hold_span(&mut self, key: &K, q: u64, span: &Span) {
        let q = q as i128;
        let Span {
            m0,
            rest0,
            m1,
            rest1,
        } = *span;
        let months = self.months(key);
        if m0 == m1 {
            // Starts and ends in one month: one entry, no level change.
            months.at(m0).tail += q * (rest0 - rest1);
            return;
        }
        let d = months.at(m0);
        d.level += q;
        d.tail += q * rest0;
        d.count += 1;
        let d = months.at(m1);
        d.level -= q;
        d.tail -= q * rest1;
        d.count -= 1;
    }

    pub fn merge(&mut self, o: &Timeline<K>) {
        for (k, months) in o.keys() {
            let mine = self.months(k);
            for (m, v) in months.iter() {
                let d = mine.at(m);
                d.level += v.level;
                d.tail += v.tail;
                d.count += v.count;
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.keys().next().is_none()
    }

    /// Every (month, key) with a non-zero integral or an interval open at the month's end.
    pub fn settle(&self) -> BTreeMap<(Month, K), Settled> {
        let mut out = BTreeMap::new();
        for (k, months) in self.keys() {
            integrate(months, |m, s| {
                out.insert((m, k.clone()), s);
            });
        }
        out
    }

    /// Every settled (month, key), keys in no particular order (but the same for the same
    /// history of calls): for summing without building a map.
    pub fn for_each(&self, mut f: impl FnMut(Month, &K, Settled)) {
        for (k, months) in self.keys() {
            integrate(months, |m, s| f(m, k, s));
        }
    }

    /// Empties the timeline, keeping its allocations for reuse.
    pub fn clear(&mut self) {
        self.deltas.values_mut().for_each(|months| months.clear());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::month_of;

    /// Test keys: the low ones have slots, the others go to the map (both paths exercised).
    impl TimelineKey for u8 {
        fn slot(&self) -> Option<usize> {
            (*self < 2).then_some(*self as usize)
        }
        const SLOTS: usize = 2;
    }

    #[test]
    fn meter_slots_are_distinct_and_in_range() {
        let tiers = StorageTier::all()
            .into_iter()
            .chain([StorageTier::Class(StorageClass::IntelligentTiering)]);
        let mut meters = vec![Meter::ItMonitoredObjectHours];
        for t in tiers {
            meters.extend([
                Meter::Storage(t),
                Meter::ArchiveOverheadStandard(t),
                Meter::ArchiveOverhead(t),
            ]);
        }
        meters.extend(
            StorageClass::ALL
                .iter()
                .map(|c| Meter::SmallObjectPadding(*c)),
        );
        let slots: Vec<usize> = meters.iter().filter_map(|m| m.slot()).collect();
        assert_eq!(slots.len(), meters.len());
        assert!(slots.iter().all(|s| *s < Meter::SLOTS));
        let distinct: std::collections::BTreeSet<_> = slots.iter().collect();
        assert_eq!(distinct.len(), slots.len());
        assert_eq!(Meter::TransferOutInternet.slot(), None);
    }

    fn t(s: &str) -> Timestamp {
        Timestamp::parse_rfc3339(s).unwrap()
    }

    /// The per-month integrals by walking each interval month by month (the obvious way).
    fn naive(iv: &[(u8, u64, Timestamp, Timestamp)]) -> BTreeMap<(Month, u8), u128> {
        let mut out = BTreeMap::new();
        for (k, q, a, b) in iv {
            let mut x = *a;
            while x < *b {
                let m = month_of(x);
                let e = month_start(m.next()).min(*b);
                *out.entry((m, *k)).or_insert(0) += *q as u128 * (e.0 - x.0) as u128;
                x = e;
            }
        }
        out.retain(|_, v| *v > 0);
        out
    }

    #[test]
    fn integrals_and_month_end_levels_match_walking_the_months() {
        let iv = [
            (
                0u8,
                1000,
                t("2026-03-31T12:00:00Z"),
                t("2026-04-02T00:00:00Z"),
            ),
            (0, 7, t("2026-01-15T00:00:00Z"), t("2026-06-01T00:00:00Z")),
            (1, 5, t("2026-02-01T00:00:00Z"), t("2026-02-28T23:59:59Z")),
            (1, 3, t("2026-02-10T00:00:00Z"), t("2026-03-01T00:00:00Z")),
            (1, 0, t("2026-02-10T00:00:00Z"), t("2026-05-01T00:00:01Z")),
        ];
        let mut tl = Timeline::default();
        for (k, q, a, b) in &iv {
            tl.hold(k, *q, *a, *b);
        }
        let s = tl.settle();
        let integrals: BTreeMap<_, _> = s
            .iter()
            .filter(|(_, v)| v.integral > 0)
            .map(|(k, v)| (*k, v.integral))
            .collect();
        assert_eq!(integrals, naive(&iv));
        let mar = Month::new(2026, 3).unwrap();
        assert_eq!(s[&(mar, 0)].integral, 1000 * 12 * 3600 + 7 * 31 * 86_400);
        // Level at the last second of February: key 1 holds 3 (the 5 ended a second early;
        // the zero-size interval is open).
        let feb = Month::new(2026, 2).unwrap();
        assert_eq!((s[&(feb, 1)].level, s[&(feb, 1)].open), (3, 2));
        // In April key 1 holds only the empty interval: open, no integral.
        let apr = Month::new(2026, 4).unwrap();
        assert_eq!(
            s[&(apr, 1)],
            Settled {
                integral: 0,
                level: 0,
                open: 1
            }
        );
        // May: the empty interval ended at 00:00:01; nothing left for key 1.
        assert!(!s.contains_key(&(Month::new(2026, 5).unwrap(), 1)));
    }

    #[test]
    fn split_timelines_merge_to_the_whole() {
        let iv = [
            (
                0u8,
                10,
                t("2026-01-01T00:00:00Z"),
                t("2026-12-01T00:00:00Z"),
            ),
            (0, 20, t("2026-05-05T05:05:05Z"), t("2026-05-06T00:00:00Z")),
            (2, 30, t("2025-12-31T23:59:59Z"), t("2026-01-01T00:00:01Z")),
        ];
        let (mut whole, mut a, mut b) = (
            Timeline::default(),
            Timeline::default(),
            Timeline::default(),
        );
        for (i, (k, q, x, y)) in iv.iter().enumerate() {
            whole.hold(k, *q, *x, *y);
            if i % 2 == 0 { &mut a } else { &mut b }.hold(k, *q, *x, *y);
        }
        b.merge(&a);
        assert_eq!(b.settle(), whole.settle());
        let integrals: BTreeMap<_, _> = whole
            .settle()
            .iter()
            .map(|(k, v)| (*k, v.integral))
            .filter(|(_, v)| *v > 0)
            .collect();
        assert_eq!(integrals, naive(&iv));
    }

    proptest::proptest! {
        /// Any intervals, held in any split and merged: the per-month integrals equal walking
        /// each interval month by month, and the month-end levels equal counting what is held
        /// at each month's last second.
        #[test]
        fn settling_matches_the_obvious_way(
            iv in proptest::collection::vec(
                (0u8..3, 0u64..1_000_000_000_000, 1_735_689_600i64..1_830_297_600, 0i64..40_000_000),
                0..40,
            ),
            split in 0usize..40,
        ) {
            let iv: Vec<(u8, u64, Timestamp, Timestamp)> = iv
                .into_iter()
                .map(|(k, q, a, d)| (k, q, Timestamp(a), Timestamp(a + d)))
                .collect();
            let (mut a, mut b) = (Timeline::default(), Timeline::default());
            for (i, (k, q, x, y)) in iv.iter().enumerate() {
                if i < split { &mut a } else { &mut b }.hold(k, *q, *x, *y);
            }
            a.merge(&b);
            let s = a.settle();
            let integrals: BTreeMap<_, _> =
                s.iter().filter(|(_, v)| v.integral > 0).map(|(k, v)| (*k, v.integral)).collect();
            proptest::prop_assert_eq!(integrals, naive(&iv));
            for ((m, k), v) in &s {
                let last = Timestamp(month_start(m.next()).0 - 1);
                let live: Vec<_> =
                    iv.iter().filter(|(kk, _, x, y)| kk == k && *x <= last && last < *y).collect();
                proptest::prop_assert_eq!(v.open, live.len() as u64);
                proptest::prop_assert_eq!(v.level, live.iter().map(|(_, q, _, _)| *q as u128).sum::<u128>());
            }
            let mut seen = 0;
            a.for_each(|m, k, v| {
                seen += 1;
                assert_eq!(s.get(&(m, *k)), Some(&v));
            });
            proptest::prop_assert_eq!(seen, s.len());
        }
    }
}
