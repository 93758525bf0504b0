//! Count-like meters per (month, meter), as integers. The meters a replay counts for nearly
//! every event (requests, transitions and retrievals by class) have fixed slots, each a dense
//! run of months, so counting them needs no hashing (`slotted`).

use super::slotted::Slotted;
use super::timeline::MonthRun;
use crate::aws::{RequestTier, StorageClass};
use crate::meter::Meter;
use crate::units::Month;

const CLASSES: usize = StorageClass::ALL.len();
const SLOTS: usize = CLASSES * RequestTier::ALL.len() + 2 * CLASSES;

/// The slot of a meter counted for nearly every event, if it is one.
fn slot(m: &Meter) -> Option<usize> {
    Some(match *m {
        Meter::Requests(c, t) => c as usize * RequestTier::ALL.len() + t as usize,
        Meter::Transitions(c) => CLASSES * RequestTier::ALL.len() + c as usize,
        Meter::Retrieval(c) => CLASSES * RequestTier::ALL.len() + CLASSES + c as usize,
        _ => return None,
    })
}

/// Counts per (month, meter); months or meters never added read as absent, not zero.
#[derive(Clone, Debug, Default)]
pub struct Counts {
    runs: Slotted<Meter, MonthRun<u128>>,
}

impl Counts {
    /// Adds `n` to `meter` in month `m`.
    pub fn add(&mut self, m: Month, meter: &Meter, n: u128) {
        *self.runs.entry(meter, slot(meter), SLOTS).at(m) += n;
    }

    pub fn merge(&mut self, o: &Counts) {
        o.for_each(|m, meter, v| self.add(m, meter, v));
    }

    /// Every non-zero (month, meter, count), in no particular order (but the same for the
    /// same history of calls).
    pub fn for_each(&self, mut f: impl FnMut(Month, &Meter, u128)) {
        for (meter, run) in self.runs.iter() {
            for (m, v) in run.iter() {
                if v > 0 {
                    f(m, meter, v);
                }
            }
        }
    }

    /// Keeps only the meters `keep` accepts.
    pub fn retain(&mut self, keep: impl FnMut(&Meter) -> bool) {
        self.runs.retain(keep);
    }

    /// Empties the counts, keeping allocations for reuse.
    pub fn clear(&mut self) {
        self.runs.values_mut().for_each(|run| run.clear());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn collect(c: &Counts) -> BTreeMap<(Month, Meter), u128> {
        let mut out = BTreeMap::new();
        c.for_each(|m, meter, v| {
            assert!(
                out.insert((m, meter.clone()), v).is_none(),
                "reported twice"
            );
        });
        out
    }

    #[test]
    fn slotted_meters_are_distinct_and_others_use_the_map() {
        let mut meters = vec![Meter::TransferOutInternet, Meter::ItMonitoredObjectHours];
        for c in StorageClass::ALL {
            meters.extend([Meter::Transitions(*c), Meter::Retrieval(*c)]);
            meters.extend(RequestTier::ALL.iter().map(|t| Meter::Requests(*c, *t)));
        }
        let slots: Vec<usize> = meters.iter().filter_map(slot).collect();
        assert_eq!(slots.len(), meters.len() - 2);
        assert!(slots.iter().all(|s| *s < SLOTS));
        let distinct: std::collections::BTreeSet<_> = slots.iter().collect();
        assert_eq!(distinct.len(), slots.len());
        // The same sums as a plain map, whatever the order of adding and merging.
        let months: Vec<Month> = [(2025, 11), (2026, 3), (2026, 1), (2027, 2)]
            .iter()
            .map(|(y, m)| Month::new(*y, *m).unwrap())
            .collect();
        let (mut a, mut b, mut want) = (Counts::default(), Counts::default(), BTreeMap::new());
        for (i, meter) in meters.iter().enumerate() {
            for (j, m) in months.iter().enumerate() {
                let n = (i * 7 + j * 3) as u128 % 5;
                if n > 0 {
                    *want.entry((*m, meter.clone())).or_insert(0) += n;
                }
                let side = if (i + j) % 2 == 0 { &mut a } else { &mut b };
                side.add(*m, meter, n);
            }
        }
        a.merge(&b);
        assert_eq!(collect(&a), want);
        a.retain(|m| !matches!(m, Meter::Transitions(_) | Meter::TransferOutInternet));
        want.retain(|(_, m), _| !matches!(m, Meter::Transitions(_) | Meter::TransferOutInternet));
        assert_eq!(collect(&a), want);
        a.clear();
        assert!(collect(&a).is_empty());
    }
}
