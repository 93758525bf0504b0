//! The purchase LP/MILP itself (see `purchase` for the formulation and the dispatch rule it
//! encodes): integer RI counts, the Savings Plan commitment, Spot shares, and per hour pattern
//! the RI-covered instance-hours and the Savings Plan dollars per discount group.
//!
//! Three exact reductions of `purchase`'s formulation keep the model small:
//! * only a pool's total RI count covers demand, so only its cheapest offer (lowest effective
//!   rate, first on ties) gets an integer variable: any plan using a dearer offer costs more
//!   with the same coverage;
//! * the SP-covered hours `v_ti` of the pools sharing one discount `d` enter only through
//!   `Σ_i OD_i(1 − d)·v_ti` (every commitment dollar saves `1 / (1 − d)` On-Demand dollars on
//!   whichever of them it lands), so one variable per group and pattern, bounded by the
//!   group's uncovered demand at SP rates, replaces one per pool and pattern; the row
//!   `r + σ·D ≤ D` is only needed where a pool has both RIs and Spot (elsewhere bounds imply it);
//! * a family's risk row of one pattern is implied by the row of any pattern whose
//!   coefficients `p_i·D_ti` are at least as large in every pool (`σ ≥ 0`), so only the
//!   Pareto-maximal coefficient vectors get a row.

use super::purchase::{Demand, PurchaseParams, PurchasePlan, Reservation};
use super::solver::{self, ModelStats, SolveError, to_count, to_decimal, to_f64};
use good_lp::{Expression, ProblemVariables, Variable, variable};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// The model: decision variables, objective accumulator and constraint rows.
pub(crate) struct PurchaseModel {
    vars: ProblemVariables,
    objective: Expression,
    constraints: Vec<good_lp::Constraint>,
    /// `(pool, offer, n)`; `None` for an offer dearer than the pool's cheapest (never bought).
    ri: Vec<(usize, usize, Option<Variable>)>,
    sp: Option<Variable>,
    sigma: Vec<Option<Variable>>,
    horizon: u64,
}

impl PurchaseModel {
    pub(crate) fn new(params: &PurchaseParams, demand: &Demand) -> PurchaseModel {
        let mut vars = ProblemVariables::new();
        let mut objective = Expression::default();
        let mut constraints = Vec::new();
        let horizon = demand.hours() as u64;
        let h = horizon as f64;
        let patterns = demand.patterns();
        let pools = &params.pools;
        let peak = peaks(&patterns, pools.len());
        // RI counts: integer, never more than the peak.
        let mut ri = Vec::new();
        let mut ri_total: Vec<Expression> = vec![Expression::default(); pools.len()];
        for (i, pool) in pools.iter().enumerate() {
            // Only the total count of a pool's RIs covers anything, so an optimum never buys
            // an offer dearer than the cheapest: the others stay at zero (listed, no variable).
            let cheapest =
                (0..pool.reserved.len()).min_by_key(|&k| (pool.reserved[k].effective_hourly(), k));
            for (k, offer) in pool.reserved.iter().enumerate() {
                if Some(k) != cheapest {
                    ri.push((i, k, None));
                    continue;
                }
                let n = vars.add(variable().integer().min(0.0).max(peak[i].ceil()));
                objective.add_mul(to_f64(offer.effective_hourly()) * h, n);
                ri_total[i].add_mul(1.0, n);
                ri.push((i, k, Some(n)));
            }
        }
        let sp_pools: Vec<bool> = pools
            .iter()
            .map(|p| params.allow_savings_plan && p.savings_plan_discount > Decimal::ZERO)
            .collect();
        let sp = sp_pools.contains(&true).then(|| {
            let s = vars.add(variable().min(0.0));
            objective.add_mul(h, s);
            s
        });
        let share_max = params.risk.max_spot_share.map_or(1.0, to_f64);
        let mut sigma: Vec<Option<Variable>> = vec![None; pools.len()];
        for (i, p) in pools.iter().enumerate() {
            let Some(spot) = p.spot_hourly else { continue };
            if share_max <= 0.0 {
                continue;
            }
            let expected =
                spot + p.interruption_per_hour * params.spot_rework_hours * p.on_demand_hourly;
            let s = vars.add(variable().min(0.0).max(share_max));
            // σ_i moves Σ_h D_ih from On-Demand to Spot.
            let total: Decimal = demand.per_pool[i].iter().sum();
            objective.add_mul(to_f64((expected - p.on_demand_hourly) * total), s);
            sigma[i] = Some(s);
        }
        // Savings Plan groups: covered pools with the same discount. Within a group every
        // commitment dollar covers OD / (OD·(1 − d)) = 1 / (1 − d) dollars of On-Demand
        // whichever pool it lands on, so one variable per group and pattern (the dollars the
        // plan spends on the group) replaces one per pool and pattern, exactly.
        let mut sp_groups: BTreeMap<Decimal, Vec<usize>> = BTreeMap::new();
        for (i, p) in pools.iter().enumerate() {
            if sp_pools[i] {
                sp_groups
                    .entry(p.savings_plan_discount)
                    .or_default()
                    .push(i);
            }
        }
        for (t, (d, w)) in patterns.iter().enumerate() {
            let w = *w as f64;
            // RI-covered hours r_ti: at most the demand (a bound) and the RIs bought (a row);
            // with Spot, r_ti + σ_i·D_ti ≤ D_ti.
            let mut r: Vec<Option<Variable>> = vec![None; pools.len()];
            for (i, pool) in pools.iter().enumerate() {
                let dt = to_f64(d[i]);
                if dt <= 0.0 {
                    continue;
                }
                let od = to_f64(pool.on_demand_hourly);
                if !pool.reserved.is_empty() {
                    let v = vars.add(variable().min(0.0).max(dt));
                    objective.add_mul(-od * w, v);
                    constraints.push(
                        (Expression::from(v) - ri_total[i].clone())
                            .leq(0.0)
                            .set_name(format!("ri:{t}:{i}")),
                    );
                    r[i] = Some(v);
                }
                if let (Some(s), Some(v)) = (sigma[i], r[i]) {
                    constraints.push(
                        (Expression::from(v) + s * dt)
                            .leq(dt)
                            .set_name(format!("demand:{t}:{i}")),
                    );
                }
            }
            // Savings Plan dollars per group u_tg: at most the group's uncovered demand at SP
            // rates, Σ_g u_tg ≤ S; each dollar saves 1 / (1 − d_g) dollars of On-Demand.
            let mut sp_row = Expression::default();
            for (discount, members) in &sp_groups {
                let mut uncovered = Expression::default();
                let mut most = 0.0;
                for &i in members {
                    let dt = to_f64(d[i]);
                    if dt <= 0.0 {
                        continue;
                    }
                    let rate = to_f64(pools[i].on_demand_hourly * (Decimal::ONE - discount));
                    most += rate * dt;
                    if let Some(v) = r[i] {
                        uncovered.add_mul(rate, v);
                    }
                    if let Some(s) = sigma[i] {
                        uncovered.add_mul(rate * dt, s);
                    }
                }
                if most <= 0.0 {
                    continue;
                }
                let u = vars.add(variable().min(0.0).max(most));
                objective.add_mul(-w / to_f64(Decimal::ONE - discount), u);
                constraints.push(
                    (uncovered + u)
                        .leq(most)
                        .set_name(format!("savings_plan_group:{t}:{discount}")),
                );
                sp_row.add_mul(1.0, u);
            }
            if let Some(s) = sp {
                constraints.push((sp_row - s).leq(0.0).set_name(format!("savings_plan:{t}")));
            }
        }
        if let Some(l) = params.risk.max_interrupted_per_family {
            risk_rows(params, &patterns, &sigma, to_f64(l), &mut constraints);
        }
        PurchaseModel {
            vars,
            objective,
            constraints,
            ri,
            sp,
            sigma,
            horizon,
        }
    }

    pub(crate) fn solve(self) -> Result<(PurchasePlan, ModelStats), SolveError> {
        let PurchaseModel {
            vars,
            objective,
            constraints,
            ri,
            sp,
            sigma,
            horizon,
        } = self;
        let exact = vars.len() < 5_000;
        solver::minimise(vars, objective, constraints, exact, |s| PurchasePlan {
            horizon_hours: horizon,
            reservations: ri
                .iter()
                .map(|&(pool, offer, n)| Reservation {
                    pool,
                    offer,
                    count: n.map_or(0, |n| to_count(s.value(n))),
                })
                .collect(),
            savings_plan_per_hour: sp.map_or(Decimal::ZERO, |v| to_decimal(s.value(v), 3)),
            spot_share_cap: sigma
                .iter()
                .map(|v| {
                    v.map_or(Decimal::ZERO, |v| {
                        to_decimal(s.value(v), 6)
                            .round_dp_with_strategy(4, rust_decimal::RoundingStrategy::ToZero)
                    })
                })
                .collect(),
        })
    }
}

/// Each pool's largest hourly demand over the patterns.
pub(crate) fn peaks(patterns: &[(Vec<Decimal>, u64)], pools: usize) -> Vec<f64> {
    (0..pools)
        .map(|i| {
            patterns
                .iter()
                .map(|(v, _)| to_f64(v[i]))
                .fold(0.0, f64::max)
        })
        .collect()
}

/// The family risk rows `Σ_{i∈f} p_i·D_ti·σ_i ≤ L`, one per family and hour pattern that is
/// not implied by another: with `σ ≥ 0` the row of a coefficient vector is implied by the row
/// of any vector at least as large in every pool, so only the distinct Pareto-maximal vectors
/// of each family are kept (one row for a one-pool family: its peak hour). Exact.
pub(crate) fn risk_rows(
    params: &PurchaseParams,
    patterns: &[(Vec<Decimal>, u64)],
    sigma: &[Option<Variable>],
    limit: f64,
    constraints: &mut Vec<good_lp::Constraint>,
) {
    let pools = &params.pools;
    let mut families: BTreeMap<&str, Vec<(usize, Variable, f64)>> = BTreeMap::new();
    for (i, pool) in pools.iter().enumerate() {
        let p = to_f64(pool.interruption_per_hour);
        if let Some(s) = sigma[i]
            && p > 0.0
        {
            families
                .entry(pool.family.as_str())
                .or_default()
                .push((i, s, p));
        }
    }
    for (f, members) in families {
        let vectors: Vec<Vec<f64>> = patterns
            .iter()
            .map(|(d, _)| {
                members
                    .iter()
                    .map(|&(i, _, p)| p * to_f64(d[i]).max(0.0))
                    .collect()
            })
            .collect();
        for (k, a) in pareto_maximal(vectors).into_iter().enumerate() {
            let mut row = Expression::default();
            for (&(_, s, _), c) in members.iter().zip(&a) {
                if *c > 0.0 {
                    row.add_mul(*c, s);
                }
            }
            constraints.push(row.leq(limit).set_name(format!("risk:{f}:{k}")));
        }
    }
}

/// The distinct vectors not dominated (≤ in every component) by another, largest sum first.
fn pareto_maximal(mut vectors: Vec<Vec<f64>>) -> Vec<Vec<f64>> {
    let sum = |v: &[f64]| v.iter().sum::<f64>();
    vectors.sort_by(|a, b| {
        sum(b)
            .total_cmp(&sum(a))
            .then_with(|| b.partial_cmp(a).unwrap_or(std::cmp::Ordering::Equal))
    });
    vectors.dedup();
    let mut front: Vec<Vec<f64>> = Vec::new();
    for v in vectors {
        // Anything that dominates v has a sum at least v's, so it is already in the front.
        let dominated = front.iter().any(|u| u.iter().zip(&v).all(|(a, b)| a >= b));
        if !dominated && v.iter().any(|x| *x > 0.0) {
            front.push(v);
        }
    }
    front
}

#[cfg(test)]
mod tests {
    use super::super::purchase::solve_purchase;
    use super::super::purchase::{Demand, Pool, PurchaseParams, RiOffer, RiTerm, RiskLimit};
    use rust_decimal::Decimal;

    #[test]
    fn identical_hours_are_one_pattern_and_steady_demand_is_reserved() {
        let params = PurchaseParams {
            pools: vec![Pool {
                name: "m5.large".into(),
                family: "m5".into(),
                on_demand_hourly: Decimal::new(96, 3),
                reserved: vec![RiOffer {
                    term: RiTerm::OneYear,
                    upfront: Decimal::ZERO,
                    hourly: Decimal::new(60, 3),
                }],
                savings_plan_discount: Decimal::ZERO,
                spot_hourly: None,
                interruption_per_hour: Decimal::ZERO,
            }],
            allow_savings_plan: false,
            spot_rework_hours: Decimal::ONE,
            risk: RiskLimit::default(),
        };
        let mut hours = vec![Decimal::from(3); 20];
        hours[0] = Decimal::ONE;
        let rec = solve_purchase(
            &params,
            &Demand {
                per_pool: vec![hours],
            },
        )
        .unwrap();
        assert_eq!(rec.plan.reservations[0].count, 3);
        // 19 × 3 + 1 RI-hours used of 60 bought: 3 × 20 × 0.06.
        assert_eq!(rec.expected.total, Decimal::new(3_600, 3));
        assert_eq!(rec.expected.reserved_hours_used[0], Decimal::from(58));
        // n, and r per pattern (2 patterns): 3 variables; 2 RI rows (r ≤ D is a bound, and
        // without Spot or a Savings Plan there is no other row).
        assert_eq!((rec.stats.variables, rec.stats.constraints), (3, 2));
    }
}
