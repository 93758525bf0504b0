//! The purchase model for long horizons, by Benders decomposition: the same optimum as
//! `purchase_model`'s single MILP (same dispatch rule, same first-stage decisions), found
//! without one column per hour pattern and pool.
//!
//! The first stage is `x = (n, S, σ)`: the RI count of each pool's cheapest offer (integer),
//! the Savings Plan $/hour and the Spot shares. `purchase_recourse` gives each bucket of hours'
//! On-Demand cost `Q_b(x)` and a subgradient; `Q_b` is convex in `x`, so every evaluated point
//! gives valid cuts `θ_b ≥ Q_b(x_k) + g_k·(x − x_k)`.
//!
//! The master `min c·x + Σ_b θ_b` over the cuts and the family risk rows is solved with `n`
//! relaxed until the LP bound stalls. Its rows are drawn from a pool (`CutPool`): cuts slack
//! for a while leave, cuts the latest optimum violates come back, so it stays small while
//! every evaluated point's cuts are kept. Then the Lagrangian bound at the relaxation's optimum
//! (`purchase_lagrange`) prices what integrality costs each pool; its RI counts are a plan,
//! and a local search around the best plan (one RI up or down, best commitment for each)
//! lowers the upper bound. Only if the gap is still open do masters with `n` integer follow.
//! Every master optimum and the Lagrangian value are lower bounds and every evaluated integer
//! plan an upper bound, so the reported gap is proven.

use super::purchase::{Demand, PurchaseParams, PurchasePlan, Reservation};
use super::purchase_lagrange;
use super::purchase_model::risk_rows;
use super::purchase_recourse::{Cut, Point, Recourse, Stage, best_commitment};
use super::solver::{self, Decomposition, ModelStats, SolveError, to_count, to_decimal, to_f64};
use good_lp::{Expression, ProblemVariables, Variable, variable};
use rust_decimal::Decimal;
use std::time::Instant;

/// Iteration cap per phase; the loop normally stops long before.
const MAX_ITERATIONS: usize = 400;
/// Local-search sweeps around the best plan before integer masters.
const POLISH_SWEEPS: usize = 2;

/// A cut kept in the pool: `θ_b ≥ rhs + g·x`, with `rhs = Q_b(x_k) − g·x_k`.
struct Pooled {
    bucket: usize,
    rhs: f64,
    cut: Cut,
    /// In the master's rows. Cuts out of it still hold, so a master over fewer of them is a
    /// weaker relaxation, and its optimum still a lower bound.
    active: bool,
    /// Masters in a row whose optimum left this cut slack.
    idle: u32,
}

impl Pooled {
    fn new(bucket: usize, cut: Cut, at: &Point) -> Pooled {
        let mut rhs = cut.value - cut.ds * at.s;
        for i in 0..cut.dn.len() {
            rhs -= cut.dn[i] * at.n[i] + cut.dsigma[i] * at.sigma[i];
        }
        Pooled {
            bucket,
            rhs,
            cut,
            active: true,
            idle: 0,
        }
    }

    /// The cut's bound on `θ_b` at `x`.
    fn at(&self, x: &Point) -> f64 {
        let mut v = self.rhs + self.cut.ds * x.s;
        for i in 0..x.n.len() {
            v += self.cut.dn[i] * x.n[i] + self.cut.dsigma[i] * x.sigma[i];
        }
        v
    }
}

/// Masters a cut may stay slack before it leaves the master's rows.
const IDLE_LIMIT: u32 = 8;

/// Every cut found so far; the master carries only the active ones. After each master the
/// cuts its optimum violates join the rows and those slack for `IDLE_LIMIT` masters leave, so
/// the master stays a few hundred rows while the pool grows by every evaluated point.
#[derive(Default)]
struct CutPool {
    cuts: Vec<Pooled>,
}

impl CutPool {
    fn add(&mut self, at: &Point, cuts: Vec<Cut>, active: bool) {
        for (b, cut) in cuts.into_iter().enumerate() {
            let mut p = Pooled::new(b, cut, at);
            p.active = active;
            self.cuts.push(p);
        }
    }

    /// Updates the rows after a master whose optimum is `x` with bucket values `theta`: of the
    /// cuts out of the rows that `x` violates, the most violated of each bucket joins them.
    fn refresh(&mut self, x: &Point, theta: &[f64]) {
        let mut worst: Vec<Option<(f64, usize)>> = vec![None; theta.len()];
        for (k, p) in self.cuts.iter_mut().enumerate() {
            let t = theta[p.bucket];
            let excess = p.at(x) - t;
            let eps = 1e-7 * t.abs().max(1.0);
            if excess >= -eps {
                p.idle = 0;
                let w = &mut worst[p.bucket];
                if !p.active && excess > eps && w.is_none_or(|(e, _)| excess > e) {
                    *w = Some((excess, k));
                }
            } else {
                p.idle += 1;
                if p.idle > IDLE_LIMIT {
                    p.active = false;
                }
            }
        }
        for (_, k) in worst.into_iter().flatten() {
            self.cuts[k].active = true;
        }
    }

    fn active(&self) -> impl Iterator<Item = &Pooled> {
        self.cuts.iter().filter(|p| p.active)
    }
}

/// How close to the optimum the decomposition must prove its plan: within
/// `max(absolute, relative × plan cost)` dollars.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Tolerance {
    pub absolute: f64,
    pub relative: f64,
}

/// Solves the purchase model by decomposition, to a plan proven within `tolerance`.
pub(crate) fn solve(
    params: &PurchaseParams,
    demand: &Demand,
    tolerance: Tolerance,
) -> Result<(PurchasePlan, ModelStats), SolveError> {
    let start = Instant::now();
    let patterns = demand.patterns();
    let recourse = Recourse::new(params, &patterns);
    let stage = Stage::new(params, demand, &patterns);
    let m = params.pools.len();
    let mut pool = CutPool::default();
    let mut best: Option<(f64, Point)> = None;
    // Evaluates a point, pools its cuts (in the master's rows when `active`) and, an integral
    // point being a plan, keeps the best plan. Returns the point's model cost.
    let consider = |x: Point,
                    pool: &mut CutPool,
                    best: &mut Option<(f64, Point)>,
                    integral: bool,
                    active: bool|
     -> f64 {
        let cuts = recourse.evaluate(&x);
        let total = stage.cost(&x) + cuts.iter().map(|c| c.value).sum::<f64>();
        if integral && best.as_ref().is_none_or(|(b, _)| total < *b) {
            *best = Some((total, x.clone()));
        }
        pool.add(&x, cuts, active);
        total
    };
    let zero = Point {
        n: vec![0.0; m],
        s: 0.0,
        sigma: vec![0.0; m],
    };
    consider(zero, &mut pool, &mut best, true, true);
    let (mut iterations, mut rows, mut columns) = (0, 0, 0);
    // The model's integer decisions (the RI counts), whichever master was solved last.
    let integers = stage.ri.iter().flatten().count();
    let mut lower = f64::NEG_INFINITY;
    let mut lower_by = "lp-relaxation";
    let allowed = |best: &Option<(f64, Point)>| {
        best.as_ref().map_or(tolerance.absolute, |b| {
            tolerance.absolute.max(tolerance.relative * b.0.abs())
        })
    };
    let closed = |best: &Option<(f64, Point)>, lower: f64| {
        best.as_ref().is_some_and(|b| b.0 - lower <= allowed(best))
    };
    // The LP relaxation (n continuous) first: cheap masters, most of the cuts.
    let mut relaxed_best = f64::INFINITY;
    let mut relaxed = None;
    for _ in 0..MAX_ITERATIONS {
        iterations += 1;
        let (x, bound, theta, size) =
            master(params, &patterns, &stage, &recourse, &pool, false, 0.0)?;
        (columns, rows) = size;
        lower = lower.max(bound);
        pool.refresh(&x, &theta);
        relaxed_best = relaxed_best.min(consider(x.clone(), &mut pool, &mut best, false, true));
        // Its rounding is a plan: an upper bound, and cuts where the integer optimum lies.
        let rounded = Point {
            n: x.n.iter().map(|v| v.round()).collect(),
            ..x.clone()
        };
        relaxed = Some(x);
        consider(rounded, &mut pool, &mut best, true, true);
        if closed(&best, lower) || relaxed_best - lower <= allowed(&best) / 4.0 {
            break;
        }
    }
    // What integrality costs: the Lagrangian bound at the relaxation's optimum (its multipliers
    // are that point's dispatch), usually far above the LP bound. Its RI counts, with the
    // relaxation's commitment and Spot shares (which keep the risk rows), are a plan.
    if let Some(x) = relaxed.filter(|_| !closed(&best, lower)) {
        let risk = purchase_lagrange::binding_rows(params, &recourse, &stage, &x.sigma);
        // At the best commitment for its RI counts and Spot shares, so that the commitment's
        // own term in the bound is flat rather than a penalty.
        let mut at = x.clone();
        best_commitment(&stage, &recourse, &mut at);
        let pi = purchase_lagrange::multipliers(&recourse, &at);
        let lagrange = purchase_lagrange::bound(&recourse, &stage, &risk, &pi);
        // Less a rounding allowance: the bound is a sum of thousands of f64 terms.
        let value = lagrange.value - 1e-9 * lagrange.value.abs();
        if value > lower {
            (lower, lower_by) = (value, "lagrangian");
        }
        let plan = Point { n: lagrange.n, ..x };
        consider(plan, &mut pool, &mut best, true, true);
    }
    // The best plan's neighbourhood, each with its best commitment: a cheaper upper bound.
    for _ in 0..POLISH_SWEEPS {
        if closed(&best, lower) {
            break;
        }
        let Some((value, x)) = best.clone() else {
            break;
        };
        let (v, y) = polish(&stage, &recourse, x);
        if v >= value {
            break;
        }
        best = Some((v, y));
    }
    // Then integer masters until the best plan is proven within the tolerance.
    while !closed(&best, lower) && iterations < 2 * MAX_ITERATIONS {
        iterations += 1;
        // The master need only be proven within a quarter of the allowed gap; its bound is
        // then its objective less that share.
        let gap =
            (allowed(&best) / best.as_ref().map_or(1.0, |b| b.0.abs().max(1.0)) / 4.0).min(1e-4);
        let (x, objective, theta, size) =
            master(params, &patterns, &stage, &recourse, &pool, true, gap)?;
        (columns, rows) = size;
        let value = objective - gap * objective.abs();
        if value > lower {
            (lower, lower_by) = (value, "integer-master");
        }
        pool.refresh(&x, &theta);
        consider(x.clone(), &mut pool, &mut best, true, true);
        // Its integer neighbours (one RI more or fewer of one pool) are plans too; their cuts
        // join the master only once one of its optima violates them.
        for i in 0..m {
            for step in [-1.0, 1.0] {
                let v = x.n[i] + step;
                if stage.ri[i].is_some() && v >= 0.0 && v <= stage.peak[i].ceil() {
                    let mut y = x.clone();
                    y.n[i] = v;
                    consider(y, &mut pool, &mut best, true, false);
                }
            }
        }
    }
    let Some((upper, x)) = best else {
        return Err(SolveError::Backend {
            solver: solver::SOLVER_NAME,
            message: "the decomposition evaluated no plan".into(),
        });
    };
    let plan = PurchasePlan {
        horizon_hours: demand.hours() as u64,
        reservations: (0..m)
            .flat_map(|i| {
                let cheapest = stage.ri[i].map(|(k, _)| k);
                (0..params.pools[i].reserved.len()).map(move |k| (i, k, cheapest))
            })
            .map(|(i, k, cheapest)| Reservation {
                pool: i,
                offer: k,
                count: if Some(k) == cheapest {
                    to_count(x.n[i])
                } else {
                    0
                },
            })
            .collect(),
        savings_plan_per_hour: to_decimal(x.s, 3),
        spot_share_cap: x
            .sigma
            .iter()
            .map(|&v| {
                to_decimal(v, 6).round_dp_with_strategy(4, rust_decimal::RoundingStrategy::ToZero)
            })
            .collect(),
    };
    let stats = ModelStats {
        solver: solver::SOLVER_NAME,
        variables: columns,
        integer_variables: integers,
        constraints: rows,
        solve_seconds: start.elapsed().as_secs_f64(),
        decomposition: Some(Decomposition {
            method: "benders",
            iterations,
            hour_patterns: patterns.len(),
            buckets: recourse.buckets.len(),
            lower_bound_usd: to_decimal(lower, 2),
            upper_bound_usd: to_decimal(upper, 2),
            lower_bound_by: lower_by,
        }),
    };
    Ok((plan, stats))
}

/// One sweep of local search from plan `x`: each pool's RI count one up and one down, with the
/// best commitment for each, keeping every improvement. Returns the best plan and its total.
fn polish(stage: &Stage, recourse: &Recourse, mut x: Point) -> (f64, Point) {
    let mut value = best_commitment(stage, recourse, &mut x);
    for i in 0..x.n.len() {
        if stage.ri[i].is_none() {
            continue;
        }
        for step in [-1.0, 1.0] {
            let mut y = x.clone();
            y.n[i] += step;
            if y.n[i] < 0.0 || y.n[i] > stage.peak[i].ceil() {
                continue;
            }
            let v = best_commitment(stage, recourse, &mut y);
            if v < value {
                (value, x) = (v, y);
            }
        }
    }
    (value, x)
}

/// Size of a solved master: columns, rows.
type Size = (usize, usize);

/// Solves the master over every cut so far: the point and its objective (a lower bound).
fn master(
    params: &PurchaseParams,
    patterns: &[(Vec<Decimal>, u64)],
    stage: &Stage,
    recourse: &Recourse,
    pool: &CutPool,
    integer: bool,
    gap: f64,
) -> Result<(Point, f64, Vec<f64>, Size), SolveError> {
    let m = params.pools.len();
    let mut vars = ProblemVariables::new();
    let mut objective = Expression::default();
    let n: Vec<Option<Variable>> = (0..m)
        .map(|i| {
            stage.ri[i].map(|(_, cost)| {
                let def = variable().min(0.0).max(stage.peak[i].ceil());
                let v = vars.add(if integer { def.integer() } else { def });
                objective.add_mul(cost, v);
                v
            })
        })
        .collect();
    let s = (stage.s_max > 0.0).then(|| {
        let v = vars.add(variable().min(0.0).max(stage.s_max));
        objective.add_mul(stage.horizon, v);
        v
    });
    let sigma: Vec<Option<Variable>> = (0..m)
        .map(|i| {
            stage.spot[i].map(|cost| {
                let v = vars.add(variable().min(0.0).max(stage.share_max));
                objective.add_mul(cost, v);
                v
            })
        })
        .collect();
    let theta: Vec<Variable> = recourse
        .buckets
        .iter()
        .map(|_| {
            let v = vars.add(variable().min(0.0));
            objective.add_mul(1.0, v);
            v
        })
        .collect();
    let mut constraints = Vec::new();
    for p in pool.active() {
        // θ_b ≥ rhs + g·x  ⇔  θ_b − g·x ≥ rhs
        let mut row = Expression::from(theta[p.bucket]);
        if let Some(v) = s {
            row.add_mul(-p.cut.ds, v);
        }
        for i in 0..m {
            if let Some(v) = n[i] {
                row.add_mul(-p.cut.dn[i], v);
            }
            if let Some(v) = sigma[i] {
                row.add_mul(-p.cut.dsigma[i], v);
            }
        }
        constraints.push(row.geq(p.rhs));
    }
    if let Some(l) = params.risk.max_interrupted_per_family {
        risk_rows(params, patterns, &sigma, to_f64(l), &mut constraints);
    }
    let size = (vars.len(), constraints.len());
    let ((x, bound, thetas), _) =
        solver::minimise_within(vars, objective, constraints, Some(gap), |sol| {
            let x = Point {
                n: n.iter()
                    .map(|v| v.map_or(0.0, |v| sol.value(v).max(0.0)))
                    .collect(),
                s: s.map_or(0.0, |v| sol.value(v).max(0.0)),
                sigma: sigma
                    .iter()
                    .map(|v| v.map_or(0.0, |v| sol.value(v).clamp(0.0, 1.0)))
                    .collect(),
            };
            let x = if integer {
                Point {
                    n: x.n.iter().map(|v| v.round()).collect(),
                    ..x
                }
            } else {
                x
            };
            let thetas: Vec<f64> = theta.iter().map(|&t| sol.value(t)).collect();
            let bound = stage.cost(&x) + thetas.iter().sum::<f64>();
            (x, bound, thetas)
        })?;
    Ok((x, bound, thetas, size))
}
