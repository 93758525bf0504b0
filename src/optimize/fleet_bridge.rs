//! The bridge between the purchase-mix model (`purchase`) and the compute fleet simulator
//! (`sim::fleet`): the model's inputs built from a [`FleetDemand`] and a [`RateCard`] with the
//! prices the simulator bills, its plan turned into the simulator's purchases and Spot policy,
//! and the plan re-simulated hour by hour (deterministic and Monte Carlo).
//!
//! * One pool per instance type of the demand, in the demand's type order, in instance-hours
//!   per hour (`seconds / 3,600`); the pool's family is the type's (`m5` for `m5.xlarge`).
//! * **On-Demand**: `types[t].on_demand_hourly`.
//! * **Reserved Instances**: every Standard RI option the card prices for the type, billed
//!   the way the simulator's amortized view bills it: the recurring fee every hour of the term
//!   except for All Upfront (whose hourly fee the simulator never bills), the upfront spread
//!   over the term's hours. A card whose No Upfront option carries an upfront fee, or whose All
//!   Upfront option carries an hourly fee, is rejected: the simulator's cash and amortized
//!   views would disagree on it.
//! * **Savings Plan**: the model has one commitment that covers every pool; it is bought as a
//!   **Compute Savings Plan** (or, with [`FleetOptimizeOptions::savings_plan_family`], an EC2
//!   Instance Savings Plan of that family, covering only its pools), of
//!   [`FleetOptimizeOptions::savings_plan_term`] (1 year by default), No Upfront. Each pool's
//!   discount is `card.savings_plans.pct(kind, term, type) / 100`, the discount the simulator
//!   applies to that plan (by default 28 % for a 1-year Compute plan, `rates::SpDiscounts`).
//! * **Spot**: with a price series for the type (`spot_series`), the mean of the prices the
//!   simulator charges in each hour of the horizon (the series' time-weighted average in the
//!   hours it covers, the Advisor estimate before it starts), which is the series'
//!   time-weighted mean over the horizon when it covers it all; without one, the Advisor
//!   estimate `OD × (1 − savings % / 100)`. The hourly interruption probability is
//!   `1 − e^(−λ)`, λ from the simulator's mapping (`SpotPolicy::hazard`: Advisor bucket, then
//!   `hazard_scale` and `hazard_by_type`). A type with no Spot price source gets no Spot.
//!
//! Where the two sides legitimately differ (documented on [`recommend_fleet`]): size
//! flexibility of RIs across sizes of one family (simulator only), Spot priced hour by hour
//! vs at its mean, and interruptions drawn vs their expectation.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;
use serde::Serialize;

use super::purchase::{
    Demand, Pool, PurchaseError, PurchaseParams, PurchasePlan, RiOffer, RiTerm, RiskLimit,
    solve_purchase,
};
use super::purchase_eval::PurchaseRecommendation;
use crate::aws::{InstanceType, PurchaseOption};
use crate::sim::fleet::size::{family, flex_group};
use crate::sim::fleet::spot::spot_hourly;
use crate::sim::fleet::{
    FleetDemand, FleetError, FleetOptions, FleetPlan, RateCard, Reservation, SavingsPlan, SpKind,
    SpotPolicy, monte_carlo, simulate_fleet,
};
use crate::sim::fleet::{Payment, Term};
use crate::trace::compute::SpotSeries;
use crate::units::{SECONDS_PER_HOUR, Timestamp};

/// How the purchase mix is chosen for a fleet.
#[derive(Clone, Debug, PartialEq)]
pub struct FleetOptimizeOptions {
    /// At most this share (0–1) of any type's hourly demand on Spot; `Some(0)`: no Spot.
    pub max_spot_share: Option<Decimal>,
    /// At most this many expected interrupted instances per hour in each family.
    pub max_interrupted_per_family: Option<Decimal>,
    /// Whether a Savings Plan may be bought.
    pub savings_plan: bool,
    /// Instance-hours redone per interruption, priced On-Demand by the model (default 0.5:
    /// half of the default 60-minute checkpoint interval of [`SpotPolicy`]).
    pub spot_rework_hours: Decimal,
    /// Term of the Savings Plan (default 1 year).
    pub savings_plan_term: Term,
    /// `None` (default): a Compute Savings Plan; `Some("m5")`: an EC2 Instance Savings Plan of
    /// that family, which covers only its types.
    pub savings_plan_family: Option<String>,
    /// Interruption settings of the re-simulation and the hazards of the model (its `share`
    /// and `share_by_type` are replaced by the plan's Spot shares).
    pub spot_policy: SpotPolicy,
    /// Spot price series by type (the simulator's `FleetPlan::spot_series`).
    pub spot_series: BTreeMap<InstanceType, SpotSeries>,
}

impl Default for FleetOptimizeOptions {
    fn default() -> Self {
        FleetOptimizeOptions {
            max_spot_share: None,
            max_interrupted_per_family: None,
            savings_plan: true,
            spot_rework_hours: Decimal::new(5, 1),
            savings_plan_term: Term::OneYear,
            savings_plan_family: None,
            spot_policy: SpotPolicy::default(),
            spot_series: BTreeMap::new(),
        }
    }
}

impl FleetOptimizeOptions {
    /// The Savings Plan kind the model's single commitment is bought as.
    pub fn savings_plan_kind(&self) -> SpKind {
        match &self.savings_plan_family {
            Some(f) => SpKind::Ec2Instance { family: f.clone() },
            None => SpKind::Compute,
        }
    }
}

/// What keeps a fleet from being optimized; each message names the instance type to fix.
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum BridgeError {
    #[error(
        "no On-Demand price for {0} in the rate card; add ec2.on_demand.\"{0}\" to the price book or drop the type"
    )]
    NoOnDemand(InstanceType),
    #[error(
        "{instance_type}: the {what} price is missing or zero in the rate card; add it to the price book (a zero price is never assumed)"
    )]
    MissingPrice {
        instance_type: InstanceType,
        what: String,
    },
    #[error("{instance_type}: {option} {reason}; fix ec2.reserved.{option} in the price book")]
    InconsistentRi {
        instance_type: InstanceType,
        option: PurchaseOption,
        reason: &'static str,
    },
    #[error("fleet demand: {0}")]
    Demand(String),
    #[error("pool {0:?} is not an instance type; pass the parameters purchase_inputs built")]
    NotAType(String),
    #[error("pool {pool}: offer {offer} is not an RI offer purchase_inputs builds")]
    UnknownOffer { pool: String, offer: usize },
    #[error("purchase model: {0}")]
    Purchase(#[from] PurchaseError),
    #[error("fleet simulation: {0}")]
    Fleet(#[from] FleetError),
}

/// The term and payment of a Standard RI purchase option (`None` for On-Demand and Spot).
pub fn ri_term_payment(option: PurchaseOption) -> Option<(Term, Payment)> {
    use PurchaseOption as P;
    Some(match option {
        P::Reserved1yrNoUpfront => (Term::OneYear, Payment::NoUpfront),
        P::Reserved1yrPartialUpfront => (Term::OneYear, Payment::PartialUpfront),
        P::Reserved1yrAllUpfront => (Term::OneYear, Payment::AllUpfront),
        P::Reserved3yrNoUpfront => (Term::ThreeYear, Payment::NoUpfront),
        P::Reserved3yrPartialUpfront => (Term::ThreeYear, Payment::PartialUpfront),
        P::Reserved3yrAllUpfront => (Term::ThreeYear, Payment::AllUpfront),
        P::OnDemand | P::SpotAdvisor => return None,
    })
}

fn ri_term(term: Term) -> RiTerm {
    match term {
        Term::OneYear => RiTerm::OneYear,
        Term::ThreeYear => RiTerm::ThreeYear,
    }
}

fn fleet_term(term: RiTerm) -> Term {
    match term {
        RiTerm::OneYear => Term::OneYear,
        RiTerm::ThreeYear => Term::ThreeYear,
    }
}

/// The payment option of an offer [`purchase_inputs`] built: no upfront → No Upfront, no
/// hourly fee → All Upfront, both → Partial Upfront (unambiguous because `purchase_inputs`
/// rejects zero and inconsistent parts).
fn offer_payment(offer: &RiOffer) -> Option<Payment> {
    match (offer.upfront.is_zero(), offer.hourly.is_zero()) {
        (true, false) => Some(Payment::NoUpfront),
        (false, true) => Some(Payment::AllUpfront),
        (false, false) => Some(Payment::PartialUpfront),
        (true, true) => None,
    }
}

/// The RI offer of one priced option, as the simulator bills it, or why it cannot be used.
fn ri_offer(
    t: &InstanceType,
    option: PurchaseOption,
    hourly: Decimal,
    upfront: Decimal,
) -> Result<Option<RiOffer>, BridgeError> {
    let Some((term, payment)) = ri_term_payment(option) else {
        return Ok(None);
    };
    let missing = |part: &str| BridgeError::MissingPrice {
        instance_type: t.clone(),
        what: format!("{} {part}", option.as_str()),
    };
    let inconsistent = |reason| BridgeError::InconsistentRi {
        instance_type: t.clone(),
        option,
        reason,
    };
    let positive = |d: Decimal| d > Decimal::ZERO;
    match payment {
        Payment::NoUpfront => {
            if !upfront.is_zero() {
                return Err(inconsistent(
                    "has an upfront fee (the simulator amortizes it but never bills it in cash)",
                ));
            }
            if !positive(hourly) {
                return Err(missing("hourly fee"));
            }
        }
        Payment::PartialUpfront => {
            if !positive(hourly) {
                return Err(missing("hourly fee"));
            }
            if !positive(upfront) {
                return Err(missing("upfront fee"));
            }
        }
        Payment::AllUpfront => {
            if !hourly.is_zero() {
                return Err(inconsistent(
                    "has an hourly fee (the simulator never bills one for All Upfront)",
                ));
            }
            if !positive(upfront) {
                return Err(missing("upfront fee"));
            }
        }
    }
    Ok(Some(RiOffer {
        term: ri_term(term),
        upfront,
        hourly,
    }))
}

fn check_demand(demand: &FleetDemand) -> Result<(), BridgeError> {
    if demand.seconds.len() != demand.types.len() {
        return Err(BridgeError::Demand(format!(
            "{} types but {} rows of seconds",
            demand.types.len(),
            demand.seconds.len()
        )));
    }
    if let Some((t, row)) = demand
        .types
        .iter()
        .zip(&demand.seconds)
        .find(|(_, r)| r.len() != demand.hours as usize)
    {
        return Err(BridgeError::Demand(format!(
            "{t} has {} hours, the demand {}",
            row.len(),
            demand.hours
        )));
    }
    if demand.hours == 0 {
        return Err(BridgeError::Demand("zero hours".into()));
    }
    Ok(())
}

fn hour_start(start: Timestamp, h: u64) -> Timestamp {
    Timestamp(start.0 + (h * SECONDS_PER_HOUR) as i64)
}

/// The Spot price the model uses for `t`: the mean over the horizon of what the simulator
/// charges per instance-hour (series hour by hour with the Advisor fallback, or the Advisor
/// estimate). `None` when there is no source at all.
fn mean_spot_price(
    t: &InstanceType,
    rates: &crate::sim::fleet::TypeRates,
    series: Option<&SpotSeries>,
    demand: &FleetDemand,
) -> Result<Option<Decimal>, BridgeError> {
    let Some(s) = series else {
        return Ok(rates.spot_advisor_hourly());
    };
    let hours = u64::from(demand.hours);
    let end = hour_start(demand.start, hours);
    // Covered throughout: the time-weighted mean over the horizon directly.
    if let Some(p) = s.average_over(demand.start, end) {
        return Ok(Some(p));
    }
    let mut sum = Decimal::ZERO;
    for h in 0..hours {
        match spot_hourly(t, rates, Some(s), hour_start(demand.start, h)) {
            Ok(p) => sum += p,
            Err(FleetError::NoSpotPrice { .. }) => return Ok(None),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(Some(sum / Decimal::from(hours)))
}

/// The hourly interruption probability `1 − e^(−λ)` for a hazard λ per instance-hour.
fn interruption_probability(hazard: f64) -> Decimal {
    let p = -(-hazard).exp_m1();
    Decimal::from_f64(p.clamp(0.0, 1.0))
        .unwrap_or(Decimal::ZERO)
        .round_dp(12)
        .min(Decimal::ONE)
}

/// The purchase model's inputs for `demand` priced with `card` (see the module docs for where
/// each price comes from). Pools are in the demand's type order.
pub fn purchase_inputs(
    demand: &FleetDemand,
    card: &RateCard,
    opts: &FleetOptimizeOptions,
) -> Result<(PurchaseParams, Demand), BridgeError> {
    check_demand(demand)?;
    let spot_allowed = opts.max_spot_share.is_none_or(|s| s > Decimal::ZERO);
    let sp_kind = opts.savings_plan_kind();
    let hour = Decimal::from(SECONDS_PER_HOUR);
    let mut pools = Vec::with_capacity(demand.types.len());
    for t in &demand.types {
        let rates = card
            .types
            .get(t)
            .ok_or_else(|| BridgeError::NoOnDemand(t.clone()))?;
        let od = rates.on_demand_hourly;
        if od <= Decimal::ZERO {
            return Err(BridgeError::MissingPrice {
                instance_type: t.clone(),
                what: "on_demand".into(),
            });
        }
        let mut reserved = Vec::new();
        for (option, r) in &rates.reserved {
            if let Some(offer) = ri_offer(t, *option, r.hourly, r.upfront)? {
                reserved.push(offer);
            }
        }
        let covered = match &sp_kind {
            SpKind::Compute => true,
            SpKind::Ec2Instance { family: f } => family(t) == f,
        };
        let savings_plan_discount = if opts.savings_plan && covered {
            let pct = card.savings_plans.pct(&sp_kind, opts.savings_plan_term, t);
            if pct >= Decimal::ONE_HUNDRED {
                return Err(BridgeError::MissingPrice {
                    instance_type: t.clone(),
                    what: format!("{} Savings Plan rate (discount {pct} %)", sp_kind.label()),
                });
            }
            pct / Decimal::ONE_HUNDRED
        } else {
            Decimal::ZERO
        };
        let (spot_hourly, interruption_per_hour) = if spot_allowed {
            let price = mean_spot_price(t, rates, opts.spot_series.get(t), demand)?;
            if price.is_some_and(|p| p <= Decimal::ZERO) {
                return Err(BridgeError::MissingPrice {
                    instance_type: t.clone(),
                    what: "Spot".into(),
                });
            }
            let p = interruption_probability(opts.spot_policy.hazard(t, Some(rates)));
            (price, p)
        } else {
            (None, Decimal::ZERO)
        };
        pools.push(Pool {
            name: t.as_str().to_string(),
            family: family(t).to_string(),
            on_demand_hourly: od,
            reserved,
            savings_plan_discount,
            spot_hourly,
            interruption_per_hour,
        });
    }
    let per_pool = demand
        .seconds
        .iter()
        .map(|row| row.iter().map(|s| Decimal::from(*s) / hour).collect())
        .collect();
    Ok((
        PurchaseParams {
            pools,
            allow_savings_plan: opts.savings_plan,
            spot_rework_hours: opts.spot_rework_hours,
            risk: RiskLimit {
                max_spot_share: opts.max_spot_share,
                max_interrupted_per_family: opts.max_interrupted_per_family,
            },
        },
        Demand { per_pool },
    ))
}

/// Term starts from `start` that keep a commitment of `term` active over `horizon` hours:
/// `start`, `start + term`, … (renewed as it expires, so the model's "every hour of the
/// horizon" holds in the simulator too).
fn term_starts(start: Timestamp, term: Term, horizon: u64) -> impl Iterator<Item = Timestamp> {
    let step = term.hours();
    (0..horizon.div_ceil(step).max(1)).map(move |k| hour_start(start, k * step))
}

/// The plan as the simulator's purchases, all starting at `start` (the horizon start):
///
/// * each RI line as a regional Standard reservation of the pool's type, term and payment
///   (payment read back from the offer, see `offer_payment`), renewed at the end of its term
///   when the horizon is longer;
/// * the commitment as one Savings Plan of [`FleetOptimizeOptions::savings_plan_kind`] and
///   `savings_plan_term`, No Upfront (the payment option does not change the discount or the
///   amortized cost), with no `discount_pct` override so the simulator uses the same card
///   discount the model did;
/// * the Spot share cap `σ` of each pool as `share_by_type` (the global `share` is 0). The
///   model's dispatch rule runs exactly `σ` of every hour's demand on Spot, and so does the
///   simulator's share, so the mapping is exact; the family risk limit needs no counterpart
///   because the caps already respect it in every hour of the demand the plan was made for.
///
/// `params` must be the ones [`purchase_inputs`] built (pools named by instance type).
pub fn plan_to_fleet(
    plan: &PurchasePlan,
    params: &PurchaseParams,
    start: Timestamp,
    opts: &FleetOptimizeOptions,
) -> Result<FleetPlan, BridgeError> {
    let pool_type = |i: usize| -> Result<InstanceType, BridgeError> {
        let name = params.pools.get(i).map_or("", |p| p.name.as_str());
        InstanceType::parse(name).map_err(|_| BridgeError::NotAType(name.to_string()))
    };
    let horizon = plan.horizon_hours;
    let mut reservations = Vec::new();
    for r in plan.reservations.iter().filter(|r| r.count > 0) {
        let instance_type = pool_type(r.pool)?;
        let unknown = || BridgeError::UnknownOffer {
            pool: instance_type.as_str().to_string(),
            offer: r.offer,
        };
        let offer = params.pools[r.pool]
            .reserved
            .get(r.offer)
            .ok_or_else(unknown)?;
        let payment = offer_payment(offer).ok_or_else(unknown)?;
        let term = fleet_term(offer.term);
        for s in term_starts(start, term, horizon) {
            reservations.push(Reservation {
                instance_type: instance_type.clone(),
                count: r.count,
                term,
                payment,
                start: s,
            });
        }
    }
    let mut savings_plans = Vec::new();
    if plan.savings_plan_per_hour > Decimal::ZERO {
        for (k, s) in term_starts(start, opts.savings_plan_term, horizon).enumerate() {
            savings_plans.push(SavingsPlan {
                name: format!("sp{}", k + 1),
                kind: opts.savings_plan_kind(),
                commitment_per_hour: plan.savings_plan_per_hour,
                term: opts.savings_plan_term,
                payment: Payment::NoUpfront,
                start: s,
                discount_pct: None,
            });
        }
    }
    let mut spot = opts.spot_policy.clone();
    spot.share = Decimal::ZERO;
    spot.share_by_type = BTreeMap::new();
    for (i, sigma) in plan.spot_share_cap.iter().enumerate() {
        if *sigma > Decimal::ZERO {
            spot.share_by_type.insert(pool_type(i)?, *sigma);
        }
    }
    Ok(FleetPlan {
        reservations,
        savings_plans,
        spot,
        spot_series: opts.spot_series.clone(),
    })
}

/// One line of the purchases, for a report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FleetPurchase {
    /// `reserved`, `savings_plan` or `spot`.
    pub kind: &'static str,
    /// Instance type (RIs, Spot) or the plan kind (`compute`, `ec2_instance:m5`).
    pub what: String,
    /// `1yr` / `3yr`.
    pub term: Option<&'static str>,
    /// `no_upfront`, `partial_upfront`, `all_upfront`.
    pub payment: Option<&'static str>,
    /// RIs bought.
    pub count: Option<u32>,
    /// Savings Plan commitment, USD per hour.
    pub commitment_per_hour: Option<Decimal>,
    /// Spot share of the type's demand.
    pub share: Option<Decimal>,
    /// RFC 3339 start of the term.
    pub start: Option<String>,
}

/// The lines of a fleet plan (RIs, Savings Plans, Spot shares).
pub fn purchase_lines(plan: &FleetPlan) -> Vec<FleetPurchase> {
    let blank = |kind, what: String| FleetPurchase {
        kind,
        what,
        term: None,
        payment: None,
        count: None,
        commitment_per_hour: None,
        share: None,
        start: None,
    };
    let mut out = Vec::new();
    for r in &plan.reservations {
        out.push(FleetPurchase {
            term: Some(r.term.as_str()),
            payment: Some(r.payment.as_str()),
            count: Some(r.count),
            start: Some(r.start.rfc3339()),
            ..blank("reserved", r.instance_type.as_str().to_string())
        });
    }
    for p in &plan.savings_plans {
        out.push(FleetPurchase {
            term: Some(p.term.as_str()),
            payment: Some(p.payment.as_str()),
            commitment_per_hour: Some(p.commitment_per_hour),
            start: Some(p.start.rfc3339()),
            ..blank("savings_plan", p.kind.label())
        });
    }
    for (t, s) in &plan.spot.share_by_type {
        out.push(FleetPurchase {
            share: Some(*s),
            ..blank("spot", t.as_str().to_string())
        });
    }
    out
}

/// The plan's cost over Monte Carlo runs of Spot interruptions (amortized view, USD).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CostDistribution {
    pub runs: u32,
    pub seed: u64,
    pub mean: Decimal,
    pub p50: Decimal,
    pub p95: Decimal,
    pub std_error: Decimal,
    /// Mean interruptions per run.
    pub interruptions_mean: f64,
}

/// The purchase mix for a fleet, checked by the simulator.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FleetRecommendation {
    /// The model's plan with its exact expected cost (`purchase_eval::evaluate`), saving,
    /// break-even utilizations and demand drops.
    pub recommendation: PurchaseRecommendation,
    /// The prices and limits the model used, one pool per instance type.
    pub params: PurchaseParams,
    /// What to buy, as the simulator runs it.
    pub purchases: Vec<FleetPurchase>,
    /// The plan in the simulator's terms.
    #[serde(skip)]
    pub fleet_plan: FleetPlan,
    /// The simulator's deterministic total of the plan (amortized view, Spot without
    /// interruptions).
    pub simulated_total: Decimal,
    /// The same in the cash view (upfronts in the month paid).
    pub simulated_total_cash: Decimal,
    /// The simulator's total with everything On-Demand.
    pub simulated_all_on_demand: Decimal,
    /// `simulated_all_on_demand − simulated_total`.
    pub simulated_saving: Decimal,
    /// The plan's cost with Spot interruptions drawn.
    pub monte_carlo: CostDistribution,
    /// Where the simulator and the model may legitimately differ for this fleet.
    pub notes: Vec<String>,
}

/// Chooses the purchase mix for `demand` (`solve_purchase`, whose recommendation carries the
/// exact `evaluate` cost), turns it into the simulator's purchases ([`plan_to_fleet`],
/// starting at `demand.start`), and re-simulates it: deterministic (`simulate_fleet`), all
/// On-Demand through the simulator, and `runs` Monte Carlo runs of interruptions from `seed`.
///
/// With Spot off and one type per RI size-flexibility group the model's expected cost and the
/// simulator's amortized total agree to rounding (both apply RIs, then the Savings Plan with
/// the highest discount first, ties to the lowest rate, then On-Demand). They legitimately
/// differ when:
/// * several sizes of one family are in the demand: the simulator applies RIs across sizes
///   (normalized units, smallest first), the model only to their own type, so the simulator's
///   cost is lower by the On-Demand value of what idle RIs of other sizes covered;
/// * Spot series prices vary: the model prices Spot at the horizon mean, the simulator hour by
///   hour;
/// * Spot is on: the model adds the expected rework `p × rework × OD` per Spot hour, the
///   deterministic simulation none (the Monte Carlo draws it, reworking on Spot or On-Demand
///   per `spot_policy.rework`, and refunds first-hour interruptions).
pub fn recommend_fleet(
    demand: &FleetDemand,
    card: &RateCard,
    opts: &FleetOptimizeOptions,
    runs: usize,
    seed: u64,
) -> Result<FleetRecommendation, BridgeError> {
    let (params, model_demand) = purchase_inputs(demand, card, opts)?;
    let recommendation = solve_purchase(&params, &model_demand)?;
    let fleet_plan = plan_to_fleet(&recommendation.plan, &params, demand.start, opts)?;
    let simulated = simulate_fleet(demand, &fleet_plan, card, FleetOptions::default())?;
    let on_demand_plan = FleetPlan {
        spot_series: opts.spot_series.clone(),
        ..FleetPlan::default()
    };
    let all_od = simulate_fleet(demand, &on_demand_plan, card, FleetOptions::default())?;
    let runs = u32::try_from(runs).map_err(|_| FleetError::Invalid {
        field: "runs".into(),
        reason: "at most 4,294,967,295 Monte Carlo runs".into(),
    })?;
    let mc = monte_carlo(&simulated, &fleet_plan.spot, runs, seed)?;
    let notes = notes(demand, &params, opts);
    Ok(FleetRecommendation {
        purchases: purchase_lines(&fleet_plan),
        simulated_total: simulated.total_amortized.0,
        simulated_total_cash: simulated.total_cash.0,
        simulated_all_on_demand: all_od.total_amortized.0,
        simulated_saving: all_od.total_amortized.0 - simulated.total_amortized.0,
        monte_carlo: CostDistribution {
            runs: mc.runs,
            seed: mc.seed,
            mean: mc.cost_mean.0,
            p50: mc.cost_p50.0,
            p95: mc.cost_p95.0,
            std_error: mc.cost_std_error.0,
            interruptions_mean: mc.interruptions.mean,
        },
        recommendation,
        params,
        fleet_plan,
        notes,
    })
}

fn notes(
    demand: &FleetDemand,
    params: &PurchaseParams,
    opts: &FleetOptimizeOptions,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut groups: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for t in &demand.types {
        groups.entry(flex_group(t).0).or_default().push(t.as_str());
    }
    for (g, types) in groups.iter().filter(|(_, ts)| ts.len() > 1) {
        out.push(format!(
            "{} share the RI size-flexibility group {g}: the simulator applies RIs across them, \
             the model only to their own type, so the simulated cost may be lower",
            types.join(", ")
        ));
    }
    let spot_allowed = opts.max_spot_share.is_none_or(|s| s > Decimal::ZERO);
    let no_spot: Vec<&str> = params
        .pools
        .iter()
        .filter(|p| p.spot_hourly.is_none())
        .map(|p| p.name.as_str())
        .collect();
    if spot_allowed && !no_spot.is_empty() {
        out.push(format!(
            "no Spot price (series or Advisor) for {}: not run on Spot",
            no_spot.join(", ")
        ));
    }
    if spot_allowed && !opts.spot_series.is_empty() {
        out.push(
            "Spot from a price series is priced at its horizon mean by the model and hour by \
             hour by the simulator"
                .into(),
        );
    }
    out
}
