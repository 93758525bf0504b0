//! Exact (`Decimal`) evaluation of a purchase plan under the dispatch rule of `purchase`:
//! Spot takes `σ` of each hour's demand, RIs cover the rest first, then the Savings Plan
//! (highest discount first), then On-Demand. Also the recommendation built from a solved
//! plan: break-even utilization per commitment, saving against all-On-Demand, and the cost
//! when demand drops 10/25/50% with the commitments sunk.

use super::purchase::{Demand, PurchaseParams, PurchasePlan};
use super::solver::ModelStats;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

/// The demand drops the recommendation prices: 10%, 25%, 50%.
pub const DEMAND_DROPS: [Decimal; 3] = [
    Decimal::from_parts(10, 0, 0, false, 2),
    Decimal::from_parts(25, 0, 0, false, 2),
    Decimal::from_parts(50, 0, 0, false, 2),
];

/// What a plan costs on a demand, by purchase option.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlanCost {
    pub total: Decimal,
    /// RIs at their effective rate for every hour of the horizon, used or not.
    pub reserved: Decimal,
    /// The Savings Plan commitment for every hour.
    pub savings_plan: Decimal,
    /// Expected Spot cost, interruption rework included.
    pub spot: Decimal,
    pub on_demand: Decimal,
    /// Instance-hours each reservation line covered (same order as `plan.reservations`).
    pub reserved_hours_used: Vec<Decimal>,
    /// Commitment dollars the Savings Plan consumed.
    pub savings_plan_used: Decimal,
    /// On-Demand equivalent of what the Savings Plan covered.
    pub savings_plan_covered_on_demand: Decimal,
    pub spot_hours: Vec<Decimal>,
    pub on_demand_hours: Vec<Decimal>,
    /// Largest expected interrupted capacity in any hour, per family.
    pub peak_interrupted: BTreeMap<String, Decimal>,
}

/// Utilization of one commitment against the utilization at which it breaks even.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BreakEven {
    /// `ri:<pool>:<term>:<offer index>` or `savings_plan`.
    pub commitment: String,
    /// Share of the commitment used (`None` when nothing was bought).
    pub utilization: Option<Decimal>,
    /// Below this utilization On-Demand would have been cheaper: `effective / OD` for an RI,
    /// `1 − discount` (weighted by what it covered) for the Savings Plan.
    pub break_even_utilization: Decimal,
}

/// The plan's cost when demand falls by `drop` and the commitments stay.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DemandDrop {
    pub drop: Decimal,
    pub cost: Decimal,
    pub all_on_demand: Decimal,
    /// `all_on_demand − cost`; negative when the commitments no longer pay.
    pub saving: Decimal,
}

/// The answer of the purchase model.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PurchaseRecommendation {
    pub plan: PurchasePlan,
    pub expected: PlanCost,
    pub all_on_demand: Decimal,
    pub saving: Decimal,
    pub break_even: Vec<BreakEven>,
    pub demand_drops: Vec<DemandDrop>,
    pub stats: ModelStats,
}

/// Everything On-Demand.
pub fn all_on_demand_cost(params: &PurchaseParams, demand: &Demand) -> Decimal {
    params
        .pools
        .iter()
        .zip(&demand.per_pool)
        .map(|(p, d)| p.on_demand_hourly * d.iter().sum::<Decimal>())
        .sum()
}

/// The exact cost of `plan` on `demand` (which may differ from the demand it was made for;
/// the horizon is the plan's).
pub fn evaluate(plan: &PurchasePlan, params: &PurchaseParams, demand: &Demand) -> PlanCost {
    let pools = &params.pools;
    let h = Decimal::from(plan.horizon_hours);
    let mut out = PlanCost {
        total: Decimal::ZERO,
        reserved: Decimal::ZERO,
        savings_plan: plan.savings_plan_per_hour * h,
        spot: Decimal::ZERO,
        on_demand: Decimal::ZERO,
        reserved_hours_used: vec![Decimal::ZERO; plan.reservations.len()],
        savings_plan_used: Decimal::ZERO,
        savings_plan_covered_on_demand: Decimal::ZERO,
        spot_hours: vec![Decimal::ZERO; pools.len()],
        on_demand_hours: vec![Decimal::ZERO; pools.len()],
        peak_interrupted: BTreeMap::new(),
    };
    // Reservation lines per pool, cheapest effective rate first (only utilization depends on
    // the order).
    let mut lines: Vec<Vec<usize>> = vec![Vec::new(); pools.len()];
    for (l, r) in plan.reservations.iter().enumerate() {
        if let Some(offer) = pools.get(r.pool).and_then(|p| p.reserved.get(r.offer)) {
            out.reserved += offer.effective_hourly() * Decimal::from(r.count) * h;
            lines[r.pool].push(l);
        }
    }
    for (i, ls) in lines.iter_mut().enumerate() {
        ls.sort_by_key(|&l| pools[i].reserved[plan.reservations[l].offer].effective_hourly());
    }
    // Savings Plan order: highest discount first, then lowest SP rate, then pool order.
    let mut sp_order: Vec<usize> = (0..pools.len())
        .filter(|&i| pools[i].savings_plan_discount > Decimal::ZERO)
        .collect();
    sp_order.sort_by_key(|&i| {
        let p = &pools[i];
        (
            std::cmp::Reverse(p.savings_plan_discount),
            p.on_demand_hourly * (Decimal::ONE - p.savings_plan_discount),
        )
    });
    let sigma = |i: usize| plan.spot_share_cap.get(i).copied().unwrap_or_default();
    for (d, weight) in demand.patterns() {
        let w = Decimal::from(weight);
        let d: Vec<Decimal> = (0..pools.len())
            .map(|i| d.get(i).copied().unwrap_or_default())
            .collect();
        let mut uncovered = vec![Decimal::ZERO; pools.len()];
        let mut interrupted: BTreeMap<&str, Decimal> = BTreeMap::new();
        for (i, pool) in pools.iter().enumerate() {
            let spot = if pool.spot_hourly.is_some() {
                sigma(i) * d[i]
            } else {
                Decimal::ZERO
            };
            if let Some(price) = pool.spot_hourly {
                let expected = price
                    + pool.interruption_per_hour * params.spot_rework_hours * pool.on_demand_hourly;
                out.spot += expected * spot * w;
                out.spot_hours[i] += spot * w;
                *interrupted.entry(pool.family.as_str()).or_default() +=
                    pool.interruption_per_hour * spot;
            }
            let mut rest = d[i] - spot;
            for &l in &lines[i] {
                let used = rest.min(Decimal::from(plan.reservations[l].count));
                out.reserved_hours_used[l] += used * w;
                rest -= used;
            }
            uncovered[i] = rest;
        }
        let mut left = plan.savings_plan_per_hour;
        for &i in &sp_order {
            let p = &pools[i];
            let rate = p.on_demand_hourly * (Decimal::ONE - p.savings_plan_discount);
            let need = uncovered[i] * rate;
            let used = need.min(left);
            if used > Decimal::ZERO {
                let hours = if used == need {
                    uncovered[i]
                } else {
                    used / rate
                };
                left -= used;
                uncovered[i] -= hours;
                out.savings_plan_used += used * w;
                out.savings_plan_covered_on_demand += hours * p.on_demand_hourly * w;
            }
        }
        for (i, pool) in pools.iter().enumerate() {
            out.on_demand += uncovered[i] * pool.on_demand_hourly * w;
            out.on_demand_hours[i] += uncovered[i] * w;
        }
        for (f, x) in interrupted {
            let e = out.peak_interrupted.entry(f.to_string()).or_default();
            *e = (*e).max(x);
        }
    }
    out.total = out.reserved + out.savings_plan + out.spot + out.on_demand;
    out
}

/// The recommendation for a solved plan.
pub(crate) fn recommend(
    params: &PurchaseParams,
    demand: &Demand,
    plan: PurchasePlan,
    stats: ModelStats,
) -> PurchaseRecommendation {
    let expected = evaluate(&plan, params, demand);
    let all_on_demand = all_on_demand_cost(params, demand);
    let h = Decimal::from(plan.horizon_hours);
    let mut break_even = Vec::new();
    for (l, r) in plan.reservations.iter().enumerate() {
        let pool = &params.pools[r.pool];
        let offer = &pool.reserved[r.offer];
        let bought = Decimal::from(r.count) * h;
        break_even.push(BreakEven {
            commitment: format!("ri:{}:{}:{}", pool.name, offer.term.as_str(), r.offer),
            utilization: (r.count > 0).then(|| expected.reserved_hours_used[l] / bought),
            break_even_utilization: offer.effective_hourly() / pool.on_demand_hourly,
        });
    }
    let sp_break_even = if expected.savings_plan_covered_on_demand > Decimal::ZERO {
        expected.savings_plan_used / expected.savings_plan_covered_on_demand
    } else {
        let best = params
            .pools
            .iter()
            .map(|p| p.savings_plan_discount)
            .max()
            .unwrap_or_default();
        Decimal::ONE - best
    };
    let committed = plan.savings_plan_per_hour * h;
    break_even.push(BreakEven {
        commitment: "savings_plan".into(),
        utilization: (committed > Decimal::ZERO).then(|| expected.savings_plan_used / committed),
        break_even_utilization: sp_break_even,
    });
    let demand_drops = DEMAND_DROPS
        .iter()
        .map(|&drop| {
            let lower = demand.scaled(Decimal::ONE - drop);
            let cost = evaluate(&plan, params, &lower).total;
            let all_on_demand = all_on_demand_cost(params, &lower);
            DemandDrop {
                drop,
                cost,
                all_on_demand,
                saving: all_on_demand - cost,
            }
        })
        .collect();
    PurchaseRecommendation {
        saving: all_on_demand - expected.total,
        expected,
        all_on_demand,
        break_even,
        demand_drops,
        plan,
        stats,
    }
}
