//! The purchase model for long horizons, by Benders decomposition: the same optimum as
//! `purchase_model`'s single MILP (same dispatch rule, same first-stage decisions), found
//! without one column per hour pattern and pool.
//!
//! The first stage is `x = (n, S, σ)`: the RI count of each pool's cheapest offer (integer),
//! the Savings Plan $/hour and the Spot shares. For a fixed `x` each hour's On-Demand cost
//! `q_t(x)` has a closed form, the greedy dispatch of `purchase` (Spot takes `σ·D`, RIs cover
//! `min(n, (1 − σ)·D)`, the plan covers the rest at `OD·(1 − d)`, highest discount first), and
//! that greedy solution's LP duals give a subgradient: an extra Savings Plan dollar is worth
//! `λ = 1 / (1 − d_m)` On-Demand dollars, `d_m` the discount of the first group it leaves
//! partly uncovered (0 when it covers everything); an extra uncovered instance-hour of pool `i`
//! costs `μ_i = OD_i·min(1, λ·(1 − d_i))` (`OD_i` when the plan does not cover `i`). `q_t` is
//! convex in `x` (an LP's value with `x` on the right-hand side), so every evaluation gives
//! valid cuts `θ_b ≥ Q_b(x_k) + g_k·(x − x_k)`, one per bucket `b` of similar hours.
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
use super::purchase_model::{peaks, risk_rows};
use super::solver::{self, Decomposition, ModelStats, SolveError, to_count, to_decimal, to_f64};
use good_lp::{Expression, ProblemVariables, Variable, variable};
use rust_decimal::Decimal;
use std::time::Instant;

/// Most buckets of hours (one cut each per evaluated point).
const BUCKETS: usize = 48;
/// Iteration cap per phase; the loop normally stops long before.
const MAX_ITERATIONS: usize = 400;
/// Local-search sweeps around the best plan before integer masters.
const POLISH_SWEEPS: usize = 2;

/// A first-stage point: RI counts (pool order; 0 where a pool has no offer), Savings Plan
/// $/hour, Spot shares (0 where a pool has no Spot).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Point {
    pub n: Vec<f64>,
    pub s: f64,
    pub sigma: Vec<f64>,
}

/// `Q(x)` of one bucket and its subgradient.
#[derive(Clone, Debug, Default)]
pub(crate) struct Cut {
    pub value: f64,
    pub dn: Vec<f64>,
    pub ds: f64,
    pub dsigma: Vec<f64>,
}

impl Cut {
    fn zero(pools: usize) -> Cut {
        Cut {
            value: 0.0,
            dn: vec![0.0; pools],
            ds: 0.0,
            dsigma: vec![0.0; pools],
        }
    }

    /// The cut's value at `y`: `Q(x) + g·(y − x)`.
    #[cfg(test)]
    pub fn at(&self, x: &Point, y: &Point) -> f64 {
        let mut v = self.value + self.ds * (y.s - x.s);
        for i in 0..self.dn.len() {
            v += self.dn[i] * (y.n[i] - x.n[i]) + self.dsigma[i] * (y.sigma[i] - x.sigma[i]);
        }
        v
    }
}

/// The recourse (On-Demand) side of the model in `f64`.
pub(crate) struct Recourse {
    pub od: Vec<f64>,
    /// `1 − d` per pool the Savings Plan covers.
    pub sp: Vec<Option<f64>>,
    /// Pools by discount, highest first: `(1 − d, members)`.
    groups: Vec<(f64, Vec<usize>)>,
    /// Hour patterns: demand per pool, hours with it.
    pub patterns: Vec<(Vec<f64>, f64)>,
    /// Pattern indices per bucket.
    pub buckets: Vec<Vec<usize>>,
}

impl Recourse {
    pub fn new(params: &PurchaseParams, patterns: &[(Vec<Decimal>, u64)]) -> Recourse {
        let pools = &params.pools;
        let od: Vec<f64> = pools.iter().map(|p| to_f64(p.on_demand_hourly)).collect();
        let sp: Vec<Option<f64>> = pools
            .iter()
            .map(|p| {
                (params.allow_savings_plan && p.savings_plan_discount > Decimal::ZERO)
                    .then(|| to_f64(Decimal::ONE - p.savings_plan_discount))
            })
            .collect();
        let mut by_discount: std::collections::BTreeMap<Decimal, Vec<usize>> = Default::default();
        for (i, p) in pools.iter().enumerate() {
            if sp[i].is_some() {
                by_discount
                    .entry(p.savings_plan_discount)
                    .or_default()
                    .push(i);
            }
        }
        let groups = by_discount
            .into_iter()
            .rev()
            .map(|(d, m)| (to_f64(Decimal::ONE - d), m))
            .collect();
        let patterns: Vec<(Vec<f64>, f64)> = patterns
            .iter()
            .map(|(d, w)| (d.iter().map(|x| to_f64(*x).max(0.0)).collect(), *w as f64))
            .collect();
        // Buckets of hours alike in On-Demand value, so that one cut per bucket stays tight.
        let mut order: Vec<usize> = (0..patterns.len()).collect();
        let value = |t: usize| -> f64 { patterns[t].0.iter().zip(&od).map(|(d, o)| d * o).sum() };
        order.sort_by(|&a, &b| value(a).total_cmp(&value(b)).then(a.cmp(&b)));
        let k = BUCKETS.min(patterns.len()).max(1);
        let size = patterns.len().div_ceil(k).max(1);
        let buckets = order.chunks(size).map(<[usize]>::to_vec).collect();
        Recourse {
            od,
            sp,
            groups,
            patterns,
            buckets,
        }
    }

    /// `Q_b(x)` and a subgradient for every bucket.
    pub fn evaluate(&self, x: &Point) -> Vec<Cut> {
        let m = self.od.len();
        let mut left = vec![0.0; m];
        self.buckets
            .iter()
            .map(|bucket| {
                let mut cut = Cut::zero(m);
                for &t in bucket {
                    let (d, w) = &self.patterns[t];
                    self.hour(d, *w, x, &mut left, &mut cut);
                }
                cut
            })
            .collect()
    }

    /// `λ_t` of every hour pattern at `x` (see `dispatch`), in pattern order.
    pub fn lambdas(&self, x: &Point) -> Vec<f64> {
        let mut left = vec![0.0; self.od.len()];
        self.patterns
            .iter()
            .map(|(d, _)| self.dispatch(d, x, &mut left).1)
            .collect()
    }

    /// One hour's greedy dispatch at `x`: its On-Demand cost `q_t(x)` and `λ_t`, the On-Demand
    /// dollars a further commitment dollar would save (0 when the plan covers everything);
    /// `left` receives each pool's uncovered instance-hours.
    fn dispatch(&self, d: &[f64], x: &Point, left: &mut [f64]) -> (f64, f64) {
        let mut q = 0.0;
        for i in 0..d.len() {
            // On-Demand-eligible demand after Spot, less what the RIs cover.
            left[i] = ((1.0 - x.sigma[i]) * d[i] - x.n[i]).max(0.0);
            q += self.od[i] * left[i];
        }
        let mut budget = x.s;
        let mut lambda = 0.0;
        for (f, members) in &self.groups {
            let need: f64 = members.iter().map(|&i| self.od[i] * f * left[i]).sum();
            if need <= 0.0 || lambda > 0.0 {
                continue;
            }
            let used = budget.min(need);
            q -= used / f;
            budget -= used;
            if used < need {
                lambda = 1.0 / f;
            }
        }
        (q, lambda)
    }

    /// Adds `w·q_t(x)` and `w·∂q_t` for one hour pattern into `cut`.
    fn hour(&self, d: &[f64], w: f64, x: &Point, left: &mut [f64], cut: &mut Cut) {
        let (q, lambda) = self.dispatch(d, x, left);
        cut.value += w * q;
        cut.ds -= w * lambda;
        for (i, &di) in d.iter().enumerate() {
            if (1.0 - x.sigma[i]) * di > x.n[i] {
                let mu = match self.sp[i] {
                    Some(f) => self.od[i] * (lambda * f).min(1.0),
                    None => self.od[i],
                };
                cut.dn[i] -= w * mu;
                cut.dsigma[i] -= w * mu * di;
            }
        }
    }
}

/// The first-stage data: which pools have which decisions, and their costs over the horizon.
pub(crate) struct Stage {
    /// `(offer index, effective $/h × horizon)` of each pool's cheapest RI offer.
    pub ri: Vec<Option<(usize, f64)>>,
    /// Spot's expected cost per unit of share: `expected $/h × Σ_h D_ih`.
    pub spot: Vec<Option<f64>>,
    pub peak: Vec<f64>,
    pub s_max: f64,
    pub share_max: f64,
    horizon: f64,
}

impl Stage {
    pub(super) fn new(
        params: &PurchaseParams,
        demand: &Demand,
        patterns: &[(Vec<Decimal>, u64)],
    ) -> Stage {
        let pools = &params.pools;
        let horizon = demand.hours() as f64;
        let peak = peaks(patterns, pools.len());
        let ri = pools
            .iter()
            .map(|p| {
                (0..p.reserved.len())
                    .min_by_key(|&k| (p.reserved[k].effective_hourly(), k))
                    .map(|k| (k, to_f64(p.reserved[k].effective_hourly()) * horizon))
            })
            .collect();
        let share_max = params.risk.max_spot_share.map_or(1.0, to_f64);
        let spot = pools
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let spot = p.spot_hourly?;
                if share_max <= 0.0 {
                    return None;
                }
                let expected =
                    spot + p.interruption_per_hour * params.spot_rework_hours * p.on_demand_hourly;
                let total: Decimal = demand.per_pool[i].iter().sum();
                Some(to_f64(expected * total))
            })
            .collect();
        // More commitment than the dearest hour could use never helps.
        let s_max = patterns
            .iter()
            .map(|(v, _)| {
                pools
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| {
                        params.allow_savings_plan && p.savings_plan_discount > Decimal::ZERO
                    })
                    .map(|(i, p)| {
                        to_f64(p.on_demand_hourly * (Decimal::ONE - p.savings_plan_discount))
                            * to_f64(v[i])
                    })
                    .sum::<f64>()
            })
            .fold(0.0, f64::max);
        Stage {
            ri,
            spot,
            peak,
            s_max,
            share_max,
            horizon,
        }
    }

    /// `c·x`: commitments and Spot.
    pub(super) fn cost(&self, x: &Point) -> f64 {
        let mut c = self.horizon * x.s;
        for i in 0..x.n.len() {
            c += self.ri[i].map_or(0.0, |(_, r)| r * x.n[i]);
            c += self.spot[i].map_or(0.0, |s| s * x.sigma[i]);
        }
        c
    }
}

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
        (columns, _, rows) = size;
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
        (columns, _, rows) = size;
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

/// The plan's total with the best commitment for its RI counts and Spot shares: the total is
/// convex in `S`, so bisection on the sign of its slope.
fn best_commitment(stage: &Stage, recourse: &Recourse, x: &mut Point) -> f64 {
    let (mut lo, mut hi) = (0.0, stage.s_max);
    for _ in 0..40 {
        x.s = (lo + hi) / 2.0;
        let slope = stage.horizon + recourse.evaluate(x).iter().map(|c| c.ds).sum::<f64>();
        if slope < 0.0 {
            lo = x.s;
        } else {
            hi = x.s;
        }
    }
    x.s = hi;
    stage.cost(x) + recourse.evaluate(x).iter().map(|c| c.value).sum::<f64>()
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

/// Size of a solved master: columns, integer columns, rows.
type Size = (usize, usize, usize);

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
    let integers = if integer {
        n.iter().flatten().count()
    } else {
        0
    };
    let size = (vars.len(), integers, constraints.len());
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimize::purchase::{Pool, RiOffer, RiTerm, RiskLimit};

    fn params() -> PurchaseParams {
        let pool = |name: &str, od: i64, d: i64, spot: bool| Pool {
            name: name.into(),
            family: "m5".into(),
            on_demand_hourly: Decimal::new(od, 3),
            reserved: vec![RiOffer {
                term: RiTerm::OneYear,
                upfront: Decimal::ZERO,
                hourly: Decimal::new(od * 6, 4),
            }],
            savings_plan_discount: Decimal::new(d, 2),
            spot_hourly: spot.then(|| Decimal::new(od * 3, 4)),
            interruption_per_hour: Decimal::new(2, 2),
        };
        PurchaseParams {
            pools: vec![
                pool("a", 100, 30, true),
                pool("b", 200, 20, false),
                pool("c", 150, 0, true),
            ],
            allow_savings_plan: true,
            spot_rework_hours: Decimal::ONE,
            risk: RiskLimit::default(),
        }
    }

    /// The commitment `best_commitment` picks is at least as cheap as every commitment on a fine
    /// grid, for several RI counts and Spot shares (the total is convex in `S`).
    #[test]
    fn best_commitment_beats_a_grid() {
        let p = params();
        let patterns: Vec<(Vec<Decimal>, u64)> = (0..30u64)
            .map(|h| {
                let v = |k: u64| Decimal::from((h * k + 3) % 7);
                (vec![v(3), v(5), v(2)], 1 + h % 3)
            })
            .collect();
        let demand = Demand {
            per_pool: (0..3)
                .map(|i| {
                    patterns
                        .iter()
                        .flat_map(|(d, w)| std::iter::repeat_n(d[i], *w as usize))
                        .collect()
                })
                .collect(),
        };
        let r = Recourse::new(&p, &demand.patterns());
        let stage = Stage::new(&p, &demand, &demand.patterns());
        let total = |x: &Point| stage.cost(x) + r.evaluate(x).iter().map(|c| c.value).sum::<f64>();
        for k in 0..12u32 {
            let mut x = Point {
                n: vec![f64::from(k % 4), f64::from(k % 3), f64::from(k % 2)],
                s: 0.0,
                sigma: vec![f64::from(k % 3) * 0.2, 0.0, 0.1],
            };
            let v = best_commitment(&stage, &r, &mut x);
            assert!((v - total(&x)).abs() < 1e-9);
            for j in 0..=2000 {
                let y = Point {
                    s: stage.s_max * f64::from(j) / 2000.0,
                    ..x.clone()
                };
                assert!(v <= total(&y) + 1e-9, "S {} beats {} at k {k}", y.s, x.s);
            }
        }
    }

    /// Q(y) ≥ Q(x) + g·(y − x) for points around x (the cuts never cut off a plan), with
    /// equality at x; and Q is exactly the greedy dispatch's On-Demand cost.
    #[test]
    fn cuts_underestimate_and_touch() {
        let p = params();
        let patterns: Vec<(Vec<Decimal>, u64)> = vec![
            (
                vec![Decimal::from(5), Decimal::from(2), Decimal::from(7)],
                3,
            ),
            (vec![Decimal::from(1), Decimal::from(4), Decimal::ZERO], 2),
            (
                vec![Decimal::new(25, 1), Decimal::from(3), Decimal::from(1)],
                1,
            ),
        ];
        let r = Recourse::new(&p, &patterns);
        let grid = |k: u64| -> Point {
            let f = |a: u64, m: u64| (k / a % m) as f64;
            Point {
                n: vec![f(1, 4), f(4, 3), f(12, 3) * 2.5],
                s: f(36, 5) * 0.2,
                sigma: vec![f(180, 3) * 0.3, 0.0, f(540, 2) * 0.45],
            }
        };
        for a in 0..1080 {
            let x = grid(a);
            let cx = r.evaluate(&x);
            for b in (0..1080).step_by(37) {
                let y = grid(b);
                let cy = r.evaluate(&y);
                for (u, v) in cx.iter().zip(&cy) {
                    assert!(u.at(&x, &y) <= v.value + 1e-9, "{x:?} {y:?}");
                    assert!((u.at(&x, &x) - u.value).abs() < 1e-12);
                }
            }
        }
        // Hand check: x = no RIs, $0.1/h of plan, no Spot, one hour of pattern 2 (D = 1, 4, 0):
        // OD need 0.1 + 0.8; the plan covers a first (30% off): 0.07 of commitment covers it
        // for 0.1 of OD, then 0.03 covers 0.0375 of b's 0.8 (20% off): q = 0.9 − 0.1375.
        let one = Recourse::new(
            &p,
            &patterns[1..2]
                .iter()
                .map(|(d, _)| (d.clone(), 1))
                .collect::<Vec<_>>(),
        );
        let x = Point {
            n: vec![0.0; 3],
            s: 0.1,
            sigma: vec![0.0; 3],
        };
        let c = &one.evaluate(&x)[0];
        assert!((c.value - 0.7625).abs() < 1e-12, "{}", c.value);
        // λ = 1 / 0.8 (b is the partly covered group); a's extra hour costs 0.1·0.7·1.25.
        assert!((c.ds + 1.25).abs() < 1e-12);
        assert!((c.dn[0] + 0.0875).abs() < 1e-12 && (c.dn[1] + 0.2).abs() < 1e-12);
    }
}
