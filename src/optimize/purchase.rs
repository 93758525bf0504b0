//! The purchase mix model: for hourly demand per pool (an instance type in instance-hours per
//! hour, or a family in normalized units per hour), choose integer Reserved Instance counts per
//! pool and term, one Savings Plan commitment in $/hour, a Spot share cap per pool, and let
//! On-Demand fill the rest, minimizing expected cost under a risk limit.
//!
//! The plan is run by a fixed dispatch rule (`purchase_eval` applies it exactly): every hour,
//! `σ_i` of pool `i`'s demand runs on Spot; of the rest, the pool's RIs cover what they can
//! (RIs apply first, compute-pricing-and-rules.md §2–3), the Savings Plan covers what it can at
//! `OD·(1 − discount)`, pools with the highest discount first, and On-Demand takes the
//! remainder. Commitments are billed whether used or not; RI upfronts are amortized over the
//! term (effective rate = hourly + upfront / term hours), so the horizon pays its share.
//!
//! LP (per hour pattern `t` with weight `w_t`, pool `i`): `r_ti` RI-covered and `v_ti`
//! SP-covered instance-hours, `r_ti ≤ Σ_k n_ik`, `r_ti + v_ti + σ_i·D_ti ≤ D_ti`,
//! `Σ_i OD_i(1 − d_i)·v_ti ≤ S`, risk `σ_i ≤ s_max` or `Σ_{i∈f} p_i·σ_i·D_ti ≤ L` per family.
//! Hours only interact through the shared `n`, `S` and `σ`, so hours with identical demand
//! vectors are one pattern with a weight: exact, because the hour order never matters.

use super::purchase_benders;
use super::purchase_eval::{self, PurchaseRecommendation};
use super::purchase_model::PurchaseModel;
use super::solver::SolveError;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

/// Hours in a 365-day year, the RI term unit (§2 "8,760 h/yr").
pub const HOURS_PER_YEAR: u32 = 8_760;

/// A Reserved Instance term.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum RiTerm {
    #[serde(rename = "1yr")]
    OneYear,
    #[serde(rename = "3yr")]
    ThreeYear,
}

impl RiTerm {
    pub fn hours(self) -> u32 {
        match self {
            RiTerm::OneYear => HOURS_PER_YEAR,
            RiTerm::ThreeYear => 3 * HOURS_PER_YEAR,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RiTerm::OneYear => "1yr",
            RiTerm::ThreeYear => "3yr",
        }
    }
}

/// One RI offer of a pool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RiOffer {
    pub term: RiTerm,
    /// Upfront dollars per RI.
    pub upfront: Decimal,
    /// Recurring dollars per RI-hour, billed every hour of the term.
    pub hourly: Decimal,
}

impl RiOffer {
    /// `hourly + upfront / term hours`.
    pub fn effective_hourly(&self) -> Decimal {
        self.hourly + self.upfront / Decimal::from(self.term.hours())
    }
}

/// What one pool of capacity costs each way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Pool {
    /// Instance type (`m5.xlarge`) or family of normalized units (`m5`).
    pub name: String,
    /// The family the interruption limit is counted in.
    pub family: String,
    pub on_demand_hourly: Decimal,
    pub reserved: Vec<RiOffer>,
    /// Savings Plan discount off On-Demand as a fraction (0.28); 0: not covered.
    pub savings_plan_discount: Decimal,
    /// Expected Spot price per hour; `None`: Spot not used for this pool.
    pub spot_hourly: Option<Decimal>,
    /// Probability that a Spot instance-hour is interrupted.
    pub interruption_per_hour: Decimal,
}

/// The risk limit on Spot.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RiskLimit {
    /// At most this share (0–1) of any pool's hourly demand on Spot.
    pub max_spot_share: Option<Decimal>,
    /// At most this much expected interrupted capacity per hour in each family (pool units).
    pub max_interrupted_per_family: Option<Decimal>,
}

/// Prices and rules of the purchase model.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PurchaseParams {
    pub pools: Vec<Pool>,
    /// Whether a Savings Plan may be bought.
    pub allow_savings_plan: bool,
    /// Capacity-hours redone On-Demand per interruption; the expected Spot cost per hour is
    /// `spot + p·rework·OD`.
    pub spot_rework_hours: Decimal,
    pub risk: RiskLimit,
}

/// Demand per pool per hour: `per_pool[i][h]`, all pools the same length.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Demand {
    pub per_pool: Vec<Vec<Decimal>>,
}

impl Demand {
    pub fn hours(&self) -> usize {
        self.per_pool.first().map_or(0, Vec::len)
    }

    /// Demand scaled by `factor` (for the demand-drop scenarios).
    pub fn scaled(&self, factor: Decimal) -> Demand {
        Demand {
            per_pool: self
                .per_pool
                .iter()
                .map(|p| p.iter().map(|d| d * factor).collect())
                .collect(),
        }
    }

    /// Distinct hourly demand vectors with how many hours have each, in vector order.
    pub fn patterns(&self) -> Vec<(Vec<Decimal>, u64)> {
        let mut m: BTreeMap<Vec<Decimal>, u64> = BTreeMap::new();
        for h in 0..self.hours() {
            let v: Vec<Decimal> = self.per_pool.iter().map(|p| p[h].normalize()).collect();
            *m.entry(v).or_default() += 1;
        }
        m.into_iter().collect()
    }
}

/// Input the purchase model cannot use.
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum PurchaseError {
    #[error("demand has {got} pools, the parameters {expected}")]
    PoolCount { got: usize, expected: usize },
    #[error("pool {pool}: demand has {got} hours, pool 0 has {expected}")]
    Ragged {
        pool: usize,
        got: usize,
        expected: usize,
    },
    #[error("there is no demand (zero hours)")]
    NoHours,
    #[error("pool {pool} ({name}): {message}")]
    Pool {
        pool: usize,
        name: String,
        message: String,
    },
    #[error("{0}")]
    Risk(String),
    #[error(transparent)]
    Solver(#[from] SolveError),
}

/// The decision: what to buy and how to run Spot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PurchasePlan {
    /// Hours of the planning horizon (the demand's length).
    pub horizon_hours: u64,
    /// Reserved Instances per pool and offer (zero counts included).
    pub reservations: Vec<Reservation>,
    /// Savings Plan commitment, $/hour (multiples of $0.001).
    pub savings_plan_per_hour: Decimal,
    /// Spot share cap `σ` per pool, 0–1 (4 decimals, rounded down).
    pub spot_share_cap: Vec<Decimal>,
}

/// RIs of one offer of one pool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reservation {
    pub pool: usize,
    pub offer: usize,
    pub count: u32,
}

/// How `solve_purchase_with` solves the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PurchaseMethod {
    /// One MILP when it has at most `DIRECT_MAX_CELLS` hour-pattern × pool cells, else
    /// decomposition.
    Auto,
    /// One MILP with a column per hour pattern and pool (`purchase_model`).
    Direct,
    /// Benders decomposition (`purchase_benders`): a plan proven within
    /// `max(DECOMPOSED_GAP_USD, DECOMPOSED_GAP_RELATIVE × its cost)` of the optimum, the
    /// bounds reported in `ModelStats::decomposition`.
    Decomposed,
}

/// The decomposition's accepted gap: a cent, or 1e-4 of the cost, whichever is larger (HiGHS's
/// default relative MIP gap, which the direct model also gets above 5,000 columns).
pub const DECOMPOSED_GAP_USD: f64 = 0.01;
pub const DECOMPOSED_GAP_RELATIVE: f64 = 1e-4;

/// Largest direct model `Auto` builds, in hour patterns × pools (about a month of hourly
/// demand for 25 pools).
pub const DIRECT_MAX_CELLS: usize = 20_000;

/// Chooses the purchase mix for `demand` (`PurchaseMethod::Auto`).
pub fn solve_purchase(
    params: &PurchaseParams,
    demand: &Demand,
) -> Result<PurchaseRecommendation, PurchaseError> {
    solve_purchase_with(params, demand, PurchaseMethod::Auto)
}

/// Chooses the purchase mix for `demand` by the given method.
pub fn solve_purchase_with(
    params: &PurchaseParams,
    demand: &Demand,
    method: PurchaseMethod,
) -> Result<PurchaseRecommendation, PurchaseError> {
    check(params, demand)?;
    let decompose = match method {
        PurchaseMethod::Direct => false,
        PurchaseMethod::Decomposed => true,
        PurchaseMethod::Auto => demand.patterns().len() * params.pools.len() > DIRECT_MAX_CELLS,
    };
    let (mut plan, stats) = if decompose {
        let tolerance = purchase_benders::Tolerance {
            absolute: DECOMPOSED_GAP_USD,
            relative: DECOMPOSED_GAP_RELATIVE,
        };
        purchase_benders::solve(params, demand, tolerance)?
    } else {
        PurchaseModel::new(params, demand).solve()?
    };
    enforce_risk(&mut plan, params, demand);
    Ok(purchase_eval::recommend(params, demand, plan, stats))
}

/// Makes the rounded Spot caps respect the risk limit exactly (the solver respects it up to
/// its float tolerance): clamp to the share limit, then lower a family's caps by 0.0001 until
/// no hour's expected interrupted capacity exceeds the limit.
fn enforce_risk(plan: &mut PurchasePlan, params: &PurchaseParams, demand: &Demand) {
    let step = Decimal::new(1, 4);
    if let Some(max) = params.risk.max_spot_share {
        for s in &mut plan.spot_share_cap {
            *s = (*s).min(max);
        }
    }
    let Some(limit) = params.risk.max_interrupted_per_family else {
        return;
    };
    let pools = &params.pools;
    let mut families: Vec<&str> = pools.iter().map(|p| p.family.as_str()).collect();
    families.sort_unstable();
    families.dedup();
    let patterns = demand.patterns();
    for f in families {
        let members: Vec<usize> = (0..pools.len()).filter(|&i| pools[i].family == f).collect();
        let peak = |caps: &[Decimal]| -> Decimal {
            patterns
                .iter()
                .map(|(d, _)| {
                    members
                        .iter()
                        .map(|&i| pools[i].interruption_per_hour * caps[i] * d[i])
                        .sum::<Decimal>()
                })
                .max()
                .unwrap_or_default()
        };
        while peak(&plan.spot_share_cap) > limit {
            for &i in &members {
                let s = &mut plan.spot_share_cap[i];
                *s = (*s - step).max(Decimal::ZERO);
            }
        }
    }
}

pub(crate) fn check(params: &PurchaseParams, demand: &Demand) -> Result<(), PurchaseError> {
    let n = params.pools.len();
    if demand.per_pool.len() != n {
        return Err(PurchaseError::PoolCount {
            got: demand.per_pool.len(),
            expected: n,
        });
    }
    let hours = demand.hours();
    if hours == 0 {
        return Err(PurchaseError::NoHours);
    }
    for (i, (pool, d)) in params.pools.iter().zip(&demand.per_pool).enumerate() {
        let bad = |message: &str| PurchaseError::Pool {
            pool: i,
            name: pool.name.clone(),
            message: message.to_string(),
        };
        if d.len() != hours {
            return Err(PurchaseError::Ragged {
                pool: i,
                got: d.len(),
                expected: hours,
            });
        }
        if d.iter().any(|x| x.is_sign_negative() && !x.is_zero()) {
            return Err(bad("demand is negative in some hour"));
        }
        if pool.on_demand_hourly <= Decimal::ZERO {
            return Err(bad("the On-Demand price must be positive"));
        }
        if !(Decimal::ZERO..Decimal::ONE).contains(&pool.savings_plan_discount) {
            return Err(bad("the Savings Plan discount must be from 0 to below 1"));
        }
        if !(Decimal::ZERO..=Decimal::ONE).contains(&pool.interruption_per_hour) {
            return Err(bad("the interruption probability must be from 0 to 1"));
        }
        let negative = pool
            .reserved
            .iter()
            .any(|o| o.upfront.is_sign_negative() || o.hourly.is_sign_negative());
        if negative || pool.spot_hourly.is_some_and(|s| s.is_sign_negative()) {
            return Err(bad("prices must not be negative"));
        }
    }
    if let Some(s) = params.risk.max_spot_share
        && !(Decimal::ZERO..=Decimal::ONE).contains(&s)
    {
        return Err(PurchaseError::Risk(format!(
            "max_spot_share is {s}; it must be from 0 to 1"
        )));
    }
    if params
        .risk
        .max_interrupted_per_family
        .is_some_and(|l| l.is_sign_negative())
    {
        return Err(PurchaseError::Risk(
            "max_interrupted_per_family must not be negative".into(),
        ));
    }
    Ok(())
}
