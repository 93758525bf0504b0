//! The purchase LP/MILP itself (see `purchase` for the formulation and the dispatch rule it
//! encodes): integer RI counts, the Savings Plan commitment, Spot shares, and per hour pattern
//! the RI- and SP-covered instance-hours.

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
    /// `(pool, offer, n)`.
    ri: Vec<(usize, usize, Variable)>,
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
        let peak: Vec<f64> = (0..pools.len())
            .map(|i| {
                patterns
                    .iter()
                    .map(|(v, _)| to_f64(v[i]))
                    .fold(0.0, f64::max)
            })
            .collect();
        // RI counts: integer, never more than the peak.
        let mut ri = Vec::new();
        let mut ri_total: Vec<Expression> = vec![Expression::default(); pools.len()];
        for (i, pool) in pools.iter().enumerate() {
            for (k, offer) in pool.reserved.iter().enumerate() {
                let n = vars.add(variable().integer().min(0.0).max(peak[i].ceil()));
                objective.add_mul(to_f64(offer.effective_hourly()) * h, n);
                ri_total[i].add_mul(1.0, n);
                ri.push((i, k, n));
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
        for (t, (d, w)) in patterns.iter().enumerate() {
            let w = *w as f64;
            let mut sp_row = Expression::default();
            let mut family_rows: BTreeMap<&str, Expression> = BTreeMap::new();
            for (i, pool) in pools.iter().enumerate() {
                let dt = to_f64(d[i]);
                if dt <= 0.0 {
                    continue;
                }
                let od = to_f64(pool.on_demand_hourly);
                let mut covered = Expression::default();
                if !pool.reserved.is_empty() {
                    let r = vars.add(variable().min(0.0).max(dt));
                    objective.add_mul(-od * w, r);
                    constraints.push(
                        (Expression::from(r) - ri_total[i].clone())
                            .leq(0.0)
                            .set_name(format!("ri:{t}:{i}")),
                    );
                    covered.add_mul(1.0, r);
                }
                if sp_pools[i] {
                    let v = vars.add(variable().min(0.0).max(dt));
                    objective.add_mul(-od * w, v);
                    sp_row.add_mul(od * (1.0 - to_f64(pool.savings_plan_discount)), v);
                    covered.add_mul(1.0, v);
                }
                if let Some(s) = sigma[i] {
                    covered.add_mul(dt, s);
                    let p = to_f64(pool.interruption_per_hour);
                    if p > 0.0 {
                        family_rows
                            .entry(pool.family.as_str())
                            .or_default()
                            .add_mul(p * dt, s);
                    }
                }
                let decided = !pool.reserved.is_empty() || sp_pools[i] || sigma[i].is_some();
                if decided {
                    constraints.push(covered.leq(dt).set_name(format!("demand:{t}:{i}")));
                }
            }
            if let Some(s) = sp {
                constraints.push((sp_row - s).leq(0.0).set_name(format!("savings_plan:{t}")));
            }
            if let Some(l) = params.risk.max_interrupted_per_family {
                for (f, row) in family_rows {
                    constraints.push(row.leq(to_f64(l)).set_name(format!("risk:{t}:{f}")));
                }
            }
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
                    count: to_count(s.value(n)),
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
        // n, and r per pattern (2 patterns): 3 variables, 2 demand rows + 2 RI rows.
        assert_eq!((rec.stats.variables, rec.stats.constraints), (3, 4));
    }
}
