//! The compute fleet simulator: hourly demand and job traces against On-Demand, Reserved
//! Instances, Savings Plans and Spot (with interruptions), metered as instance-seconds per
//! purchase option (compute-pricing-and-rules.md §1–§5).
//!
//! * [`purchase`]: reservations, Savings Plans, terms and payment options.
//! * [`rates`]: the [`RateCard`] of exact rates the caller builds from its price book (this
//!   module never reads `pricing`), with the documented Savings Plan discount defaults.
//! * [`size`]: instance families and normalization factors (regional size flexibility).
//! * [`ri`] and [`sp`]: one clock-hour of RI and Savings Plan application.
//! * [`hourly`]: the deterministic hour-by-hour simulation ([`simulate_fleet`]), with its
//!   [`result`] types.
//! * [`spot`]: Spot prices, the Advisor-bucket hazard mapping and the interruption model.
//! * [`montecarlo`]: parallel, seed-deterministic Monte Carlo over interruptions.
//! * [`jobs`]: service alternatives (EMR on EC2, EMR Serverless, Glue, Lambda) for a job trace.
//! * [`spec`]: the scenario `[compute]` section; [`evidence`]: loading what it names.
//!
//! Quantities go out as [`Usage`](crate::meter::Usage) wherever an existing meter covers them;
//! what no meter covers yet (Savings Plan commitments, Spot at a price series, amortized
//! upfronts) comes as exact line items in the result. Docs: `docs/fleet.md`.

mod accum;
mod emr;
pub mod evidence;
pub mod hourly;
pub mod jobs;
pub mod montecarlo;
pub mod purchase;
pub mod rates;
pub mod result;
pub mod ri;
pub mod size;
pub mod sp;
pub mod spec;
pub mod spot;

pub use evidence::{Evidence, load_evidence};
pub use hourly::{FleetDemand, FleetOptions, FleetPlan, month_of, simulate_fleet};
pub use jobs::{
    AlternativeOptions, ClassRow, EmrMode, JobAlternatives, OptionCell, ServiceOption,
    compare_alternatives, job_class,
};
pub use montecarlo::{FleetMonteCarlo, Stats, monte_carlo};
pub use purchase::{Payment, Reservation, SavingsPlan, SpKind, Term};
pub use rates::{LambdaRates, RateCard, RiRate, ServerlessRates, SpDiscounts, TypeRates};
pub use result::{
    FleetResult, HourDetail, HourLayers, MonthCost, ReservationMonth, SpotExposure, SpotSeriesLine,
};
pub use sp::SpMonth;
pub use spec::{
    ComputeSpec, EvidenceSpec, GenerateSpec, JobsSpec, SpotPriceSource, SpotSpec, parse_compute,
};
pub use spot::{Rework, SpotPolicy, hazard_per_hour};

use crate::aws::InstanceType;
use thiserror::Error;

/// What can go wrong in a fleet or job simulation; each message says what to fix.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum FleetError {
    #[error("no On-Demand rate for {0} in the rate card; add it (ec2.on_demand) or drop the type")]
    NoOnDemandRate(InstanceType),
    #[error(
        "no {what} rate for {instance_type} in the rate card; add it to the price book or choose another option"
    )]
    MissingRate {
        instance_type: InstanceType,
        what: String,
    },
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    #[error(
        "usage for {instance_type} at {hour} is {os}: the fleet simulator prices Linux only (the price book has Linux rates)"
    )]
    UnsupportedOs {
        instance_type: InstanceType,
        hour: String,
        os: String,
    },
    #[error(
        "no Spot price for {instance_type} at {at}: the price series starts later and the rate card has no Advisor saving to fall back on"
    )]
    NoSpotPrice {
        instance_type: InstanceType,
        at: String,
    },
    #[error("{0}")]
    Evidence(String),
}

pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> FleetError {
    FleetError::Invalid {
        field: field.into(),
        reason: reason.into(),
    }
}
