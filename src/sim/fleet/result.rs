//! What a fleet simulation returns: `Usage` for the existing meters, exact monthly costs in
//! both views of upfront fees (cash in the month paid, amortized over the term), per-
//! reservation utilization, Savings Plan months, Spot-at-series lines, and the Spot exposure
//! the Monte Carlo draws interruptions over.

use rust_decimal::Decimal;

use crate::aws::{InstanceType, PurchaseOption};
use crate::meter::Usage;
use crate::units::{Money, Month, Timestamp};

use super::sp::SpMonth;

/// A month's cost, exact, by component, in both views of upfront fees.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MonthCost {
    pub month: Option<Month>,
    pub on_demand: Money,
    /// Recurring RI fees, every hour of the term (No/Partial Upfront).
    pub reserved_hourly: Money,
    /// RI upfront fees paid this month (cash view).
    pub reserved_upfront_cash: Money,
    /// RI upfront fees spread over the term's hours (amortized view).
    pub reserved_upfront_amortized: Money,
    /// Savings Plan commitment for the month's hours (amortized view).
    pub savings_plans: Money,
    /// Savings Plan cash (recurring part plus upfronts paid this month).
    pub savings_plans_cash: Money,
    pub spot: Money,
    pub total_amortized: Money,
    pub total_cash: Money,
}

/// One reservation's month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReservationMonth {
    pub month: Month,
    pub reservation: usize,
    pub instance_type: InstanceType,
    pub option: PurchaseOption,
    /// Hours of the term in the month (inside the window); each is billed.
    pub hours: u64,
    /// Benefit given, in instance-seconds of the reservation's own type (≤ count × 3,600 per
    /// hour).
    pub used_seconds: Decimal,
    pub unused_seconds: Decimal,
}

/// Spot usage priced from a series (no existing meter carries a time-varying price).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpotSeriesLine {
    pub month: Month,
    pub instance_type: InstanceType,
    pub seconds: Decimal,
    pub cost: Money,
}

/// One hour's RI benefit per reservation and On-Demand seconds per type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HourDetail {
    pub hour: Timestamp,
    pub ri_used_seconds: Vec<Decimal>,
    pub on_demand_seconds: Vec<Decimal>,
}

/// How one hour's demand was served, in instance-hours (every type summed): the Spot share,
/// what Reserved Instances covered, what Savings Plans covered, and On-Demand. Recorded with
/// `FleetOptions::record_hours`; `demand = spot + reserved + savings_plan + on_demand`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct HourLayers {
    pub demand: f64,
    pub spot: f64,
    pub reserved: f64,
    pub savings_plan: f64,
    pub on_demand: f64,
}

/// Spot instance-hours and prices per hour, for the Monte Carlo.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SpotExposure {
    pub(crate) types: Vec<TypeExposure>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct TypeExposure {
    pub(crate) hazard: f64,
    pub(crate) on_demand_hourly: f64,
    /// Cumulative Spot instance-hours at the end of each hour.
    pub(crate) cumulative: Vec<f64>,
    /// Spot USD per instance-hour in each hour.
    pub(crate) price: Vec<f64>,
}

impl SpotExposure {
    /// Σ hazard × Spot instance-hours: the expected number of interruptions.
    pub fn expected_interruptions(&self) -> f64 {
        self.types
            .iter()
            .map(|t| t.hazard * t.cumulative.last().copied().unwrap_or(0.0))
            .sum()
    }

    /// Total Spot instance-hours.
    pub fn instance_hours(&self) -> f64 {
        self.types
            .iter()
            .map(|t| t.cumulative.last().copied().unwrap_or(0.0))
            .sum()
    }
}

/// What a fleet simulation produced.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FleetResult {
    /// On-Demand, RI hourly and upfront, and Advisor-priced Spot, for `cost::rate`.
    pub usage: Usage,
    pub months: Vec<MonthCost>,
    pub reservations: Vec<ReservationMonth>,
    pub savings_plans: Vec<SpMonth>,
    pub spot_series: Vec<SpotSeriesLine>,
    pub hourly: Vec<HourDetail>,
    /// Per hour, with `record_hours`.
    pub layers: Vec<HourLayers>,
    pub spot_exposure: SpotExposure,
    pub total_amortized: Money,
    pub total_cash: Money,
}
