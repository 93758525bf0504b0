//! One clock-hour of Reserved Instance application (compute-pricing-and-rules.md §2): each RI
//! gives at most 3,600 instance-seconds of benefit per clock-hour, however many instances share
//! it (example 10: 4 × 1 h → 1 h RI + 3 h On-Demand; 4 × 15 min → 1 h RI, 0 h On-Demand).
//! Regional RIs are size-flexible: capacity and usage are measured in normalized units
//! (factor × seconds) and applied to the family's sizes smallest first (§2, `apply_ri.md`).

use rust_decimal::Decimal;

use crate::units::SECONDS_PER_HOUR;

/// The RI benefit a set of reservations brings to one hour of one flexibility group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RiSlot {
    /// Index of the reservation (for per-reservation utilization).
    pub reservation: usize,
    /// count × normalization factor × 3,600: the normalized unit-seconds it covers this hour.
    pub capacity: Decimal,
}

impl RiSlot {
    pub fn new(reservation: usize, count: u32, factor: Decimal) -> RiSlot {
        RiSlot {
            reservation,
            capacity: Decimal::from(count) * factor * Decimal::from(SECONDS_PER_HOUR),
        }
    }
}

/// The hour's usage of one instance type in the group, before and after RIs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupUse {
    /// Caller's index of the type.
    pub type_index: usize,
    /// Normalization factor of the type (1 in an exact-match group).
    pub factor: Decimal,
    /// Instance-seconds to cover; reduced in place to what RIs leave uncovered.
    pub seconds: Decimal,
}

/// Applies the slots to `usage` (which this sorts smallest factor first, then by type index)
/// and returns the normalized unit-seconds each slot gave, in slot order. `usage[i].seconds`
/// is left as the uncovered part. Slots are drawn in the order given.
pub fn apply_hour(slots: &[RiSlot], usage: &mut [GroupUse]) -> Vec<Decimal> {
    usage.sort_by(|a, b| {
        a.factor
            .cmp(&b.factor)
            .then(a.type_index.cmp(&b.type_index))
    });
    let mut left: Vec<Decimal> = slots.iter().map(|s| s.capacity).collect();
    let mut given = vec![Decimal::ZERO; slots.len()];
    let mut slot = 0;
    for u in usage.iter_mut() {
        if u.factor <= Decimal::ZERO {
            continue;
        }
        let mut need = u.seconds * u.factor;
        while need > Decimal::ZERO && slot < left.len() {
            let take = need.min(left[slot]);
            left[slot] -= take;
            given[slot] += take;
            need -= take;
            if left[slot].is_zero() {
                slot += 1;
            }
        }
        // Exact when fully covered; otherwise the uncovered units back in seconds.
        u.seconds = if need.is_zero() {
            Decimal::ZERO
        } else {
            need / u.factor
        };
    }
    given
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(v: i64) -> Decimal {
        Decimal::from(v)
    }

    #[test]
    fn example_10_four_instances_one_ri() {
        // (a) 4 m4.xlarge for a whole hour, 1 RI: 1 h covered, 3 h On-Demand.
        let slots = [RiSlot::new(0, 1, d(8))];
        let mut u = [GroupUse {
            type_index: 0,
            factor: d(8),
            seconds: d(4 * 3_600),
        }];
        let given = apply_hour(&slots, &mut u);
        assert_eq!(given, vec![d(8 * 3_600)]);
        assert_eq!(u[0].seconds, d(3 * 3_600));
        // (b) 4 × 15 minutes in the same clock-hour: all covered.
        let mut u = [GroupUse {
            type_index: 0,
            factor: d(8),
            seconds: d(4 * 900),
        }];
        apply_hour(&slots, &mut u);
        assert_eq!(u[0].seconds, Decimal::ZERO);
    }

    #[test]
    fn size_flexibility_goes_smallest_first() {
        // One m5.2xlarge RI (16 units) against 1 h of m5.large (4) and 1 h of m5.2xlarge (16):
        // the large is covered first, then 12/16 of the 2xlarge hour.
        let slots = [RiSlot::new(0, 1, d(16))];
        let mut u = [
            GroupUse {
                type_index: 1,
                factor: d(16),
                seconds: d(3_600),
            },
            GroupUse {
                type_index: 0,
                factor: d(4),
                seconds: d(3_600),
            },
        ];
        apply_hour(&slots, &mut u);
        assert_eq!(u[0].type_index, 0);
        assert_eq!(u[0].seconds, Decimal::ZERO);
        assert_eq!(u[1].seconds, d(900));
    }
}
