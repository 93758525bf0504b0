//! The purchase model's second stage in `f64`, shared by the Benders loop (`purchase_benders`)
//! and the Lagrangian bound (`purchase_lagrange`): what a first-stage point costs hour by hour,
//! its subgradient per bucket of hours, the first-stage costs, and the best commitment for
//! fixed RI counts and Spot shares.
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

use super::purchase::{Demand, PurchaseParams};
use super::purchase_model::peaks;
use super::solver::to_f64;
use rust_decimal::Decimal;

/// Most buckets of hours (one cut each per evaluated point).
const BUCKETS: usize = 48;

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
    pub horizon: f64,
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

/// The plan's total with the best commitment for its RI counts and Spot shares: the total is
/// convex in `S`, so bisection on the sign of its slope.
pub(super) fn best_commitment(stage: &Stage, recourse: &Recourse, x: &mut Point) -> f64 {
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
