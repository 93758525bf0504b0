//! One clock-hour of Savings Plan application (compute-pricing-and-rules.md §3, SPAPPLY):
//! after RIs; EC2 Instance Savings Plans before Compute Savings Plans; within a plan, the usage
//! with the highest savings percentage first, ties to the lowest Savings Plan rate; what is
//! left is On-Demand; the commitment is billed whether used or not. Plans of one kind are drawn
//! in the order they are listed (AWS does not document an order between plans; costlab's).

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::aws::InstanceType;
use crate::units::{Money, Month, SECONDS_PER_HOUR};

use super::purchase::{Payment, SpKind, Term};

/// Usage of one type left after RIs in the hour.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpUse<'a> {
    pub type_index: usize,
    pub instance_type: &'a InstanceType,
    pub family: &'a str,
    pub on_demand_hourly: Decimal,
    /// Instance-seconds still at On-Demand; reduced in place by what plans cover.
    pub seconds: Decimal,
}

/// A plan active in the hour, with its discount for each type (percent, by type index).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActivePlan {
    pub plan: usize,
    pub kind: SpKind,
    pub commitment: Decimal,
    /// Discount in percent per type index (same length as the usage slice's index space).
    pub pct: Vec<Decimal>,
}

/// What one plan did in the hour.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlanHour {
    /// Commitment dollars used (at SP rates).
    pub used: Decimal,
    /// (type index, instance-seconds covered, On-Demand value of them).
    pub covered: Vec<(usize, Decimal, Decimal)>,
}

/// Applies active plans to the hour's usage. Returns one [`PlanHour`] per plan, in `plans`
/// order; `usage[i].seconds` is left at what remains On-Demand.
pub fn apply_hour(plans: &[ActivePlan], usage: &mut [SpUse<'_>]) -> Vec<PlanHour> {
    let hour = Decimal::from(SECONDS_PER_HOUR);
    let mut out = vec![PlanHour::default(); plans.len()];
    let mut order: Vec<usize> = (0..plans.len()).collect();
    // EC2 Instance plans first, then Compute; stable, so listing order within a kind.
    order.sort_by_key(|&i| matches!(plans[i].kind, SpKind::Compute));
    for pi in order {
        let plan = &plans[pi];
        let mut left = plan.commitment;
        let rate = |u: &SpUse<'_>| {
            let pct = plan.pct.get(u.type_index).copied().unwrap_or_default();
            (
                pct,
                u.on_demand_hourly * (Decimal::ONE - pct / Decimal::ONE_HUNDRED),
            )
        };
        let mut eligible: Vec<usize> = (0..usage.len())
            .filter(|&i| {
                usage[i].seconds > Decimal::ZERO
                    && match &plan.kind {
                        SpKind::Compute => true,
                        SpKind::Ec2Instance { family } => usage[i].family == family,
                    }
            })
            .collect();
        // Highest savings % first; ties → lowest SP rate; then type index for determinism.
        eligible.sort_by(|&a, &b| {
            let (pa, ra) = rate(&usage[a]);
            let (pb, rb) = rate(&usage[b]);
            pb.cmp(&pa)
                .then(ra.cmp(&rb))
                .then(usage[a].type_index.cmp(&usage[b].type_index))
        });
        for i in eligible {
            if left <= Decimal::ZERO {
                break;
            }
            let u = &mut usage[i];
            let (_, sp_rate) = rate(u);
            let full = u.seconds * sp_rate / hour;
            let (take, covered) = if full <= left {
                (full, u.seconds)
            } else {
                (left, left * hour / sp_rate)
            };
            left -= take;
            u.seconds -= covered;
            out[pi].used += take;
            out[pi]
                .covered
                .push((u.type_index, covered, covered * u.on_demand_hourly / hour));
        }
    }
    out
}

/// One plan's month: the commitment billed, how much of it covered usage, and its cash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpMonth {
    pub month: Month,
    pub plan: String,
    pub kind: SpKind,
    pub term: Term,
    pub payment: Payment,
    /// Hours of the term inside the month (and the simulated window).
    pub hours: u64,
    /// commitment × hours: billed whether used or not (the amortized view).
    pub commitment: Money,
    /// Commitment that covered usage (at Savings Plan rates).
    pub used: Money,
    /// commitment − used.
    pub unused: Money,
    /// Instance-seconds covered, by type.
    pub covered_seconds: BTreeMap<InstanceType, Decimal>,
    /// What the covered usage would have cost On-Demand.
    pub on_demand_equivalent: Money,
    /// Cash in the month: the recurring part (commitment × hours × (1 − upfront share)) plus
    /// the upfront (commitment × term hours × upfront share) in the month the term starts.
    pub cash: Money,
}
