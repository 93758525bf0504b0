//! Spot: the price of an hour (a price series or the Advisor's saving, §4a/§4d), the hazard
//! rate derived from the Advisor's interruption bucket (§4b), and the interruption model
//! (§4c): a two-minute notice, work lost since the last checkpoint, rework on Spot or
//! On-Demand, and no charge for an instance EC2 interrupts within its first hour.
//!
//! Hazard mapping (costlab's modelling choice, §4b says the feed gives a monthly bucket, not a
//! rate): the bucket's midpoint — 2.5 %, 7.5 %, 12.5 %, 17.5 %, and 25 % for ">20 %" — is read
//! as the probability that an instance running a whole month (730 h = 8,760 / 12) is
//! interrupted, so the per-instance-hour hazard is λ = −ln(1 − p) / 730.

use std::collections::BTreeMap;

use rand::RngExt;
use rust_decimal::Decimal;

use crate::aws::InstanceType;
use crate::trace::compute::SpotSeries;
use crate::units::{SECONDS_PER_HOUR, Timestamp};

use super::FleetError;
use super::rates::TypeRates;

/// EC2 warns two minutes before it reclaims a Spot Instance (§4c).
pub const NOTICE_SECONDS: u64 = 120;
/// Hours in an average month (8,760 / 12), for the bucket → hazard mapping.
pub const HOURS_PER_MONTH: f64 = 730.0;
/// An instance EC2 interrupts within this many seconds of launch is not charged (§4c).
pub const FREE_IF_INTERRUPTED_WITHIN: f64 = 3_600.0;
/// A Spot job restarted this many times is finished On-Demand (guards jobs without
/// checkpoints against a hazard so high they would never finish).
pub const MAX_SPOT_ATTEMPTS: u32 = 1_000;

/// The Advisor bucket's midpoint as a monthly interruption probability (§4b ranges).
pub fn bucket_monthly_probability(bucket: u8) -> Option<f64> {
    match bucket {
        0 => Some(0.025),
        1 => Some(0.075),
        2 => Some(0.125),
        3 => Some(0.175),
        4 => Some(0.25),
        _ => None,
    }
}

/// Interruptions per instance-hour for an Advisor bucket: −ln(1 − p) / 730.
pub fn hazard_per_hour(bucket: u8) -> Option<f64> {
    bucket_monthly_probability(bucket).map(|p| -(1.0 - p).ln() / HOURS_PER_MONTH)
}

/// Where work lost to an interruption is redone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Rework {
    /// On a new Spot Instance (which may be interrupted again).
    #[default]
    Spot,
    /// On-Demand, to the end of the job.
    OnDemand,
}

impl std::str::FromStr for Rework {
    type Err = String;
    fn from_str(s: &str) -> Result<Rework, String> {
        match s {
            "spot" => Ok(Rework::Spot),
            "on_demand" => Ok(Rework::OnDemand),
            _ => Err(format!("{s:?}: expected \"spot\" or \"on_demand\"")),
        }
    }
}

/// How much runs on Spot and what an interruption costs.
#[derive(Clone, Debug, PartialEq)]
pub struct SpotPolicy {
    /// Share (0..=1) of every type's demand run on Spot.
    pub share: Decimal,
    /// Per-type shares overriding `share`.
    pub share_by_type: BTreeMap<InstanceType, Decimal>,
    pub rework: Rework,
    /// Seconds between checkpoints; `None`: no checkpoints (all work since launch is lost).
    pub checkpoint_seconds: Option<u64>,
    /// The job checkpoints in the two-minute notice, so nothing is lost.
    pub checkpoint_on_notice: bool,
    /// Multiplies every hazard (0 switches interruptions off).
    pub hazard_scale: f64,
    /// Interruptions per instance-hour by type, overriding the Advisor bucket mapping.
    pub hazard_by_type: BTreeMap<InstanceType, f64>,
}

impl Default for SpotPolicy {
    fn default() -> Self {
        SpotPolicy {
            share: Decimal::ZERO,
            share_by_type: BTreeMap::new(),
            rework: Rework::Spot,
            checkpoint_seconds: Some(3_600),
            checkpoint_on_notice: false,
            hazard_scale: 1.0,
            hazard_by_type: BTreeMap::new(),
        }
    }
}

impl SpotPolicy {
    pub fn share_of(&self, t: &InstanceType) -> Decimal {
        self.share_by_type.get(t).copied().unwrap_or(self.share)
    }

    /// The hazard per instance-hour for a type (0 when its bucket is unknown and no override
    /// is given: then Spot is modelled as never interrupted, which `docs/fleet.md` warns about).
    pub fn hazard(&self, t: &InstanceType, rates: Option<&TypeRates>) -> f64 {
        let base = self.hazard_by_type.get(t).copied().unwrap_or_else(|| {
            rates
                .and_then(|r| r.interruption_bucket)
                .and_then(hazard_per_hour)
                .unwrap_or(0.0)
        });
        let h = base * self.hazard_scale;
        if h.is_finite() && h > 0.0 { h } else { 0.0 }
    }

    /// Work lost when interrupted `age` seconds after launch.
    pub fn lost_seconds(&self, age: f64) -> f64 {
        lost_seconds(age, self.checkpoint_seconds, self.checkpoint_on_notice)
    }
}

/// Work lost at an interruption `age` seconds into a run: nothing if the job checkpoints in the
/// notice, else the time since the last periodic checkpoint (all of it without checkpoints).
pub fn lost_seconds(age: f64, checkpoint: Option<u64>, on_notice: bool) -> f64 {
    if on_notice {
        return 0.0;
    }
    match checkpoint {
        Some(c) if c > 0 => age % c as f64,
        _ => age,
    }
}

/// The Spot price (USD per instance-hour) for the clock hour starting at `hour`: the series'
/// time-weighted average over the hour when a series is given and covers it, else the Advisor
/// estimate.
pub fn spot_hourly(
    t: &InstanceType,
    rates: &TypeRates,
    series: Option<&SpotSeries>,
    hour: Timestamp,
) -> Result<Decimal, FleetError> {
    if let Some(s) = series {
        let end = Timestamp(hour.0.saturating_add(SECONDS_PER_HOUR as i64));
        if let Some(p) = s.average_over(hour, end) {
            if p > super::rates::MAX_RATE {
                return Err(super::invalid(
                    format!("spot price of {t} at {}", hour.rfc3339()),
                    "over 1,000,000 USD/h",
                ));
            }
            return Ok(p);
        }
    }
    rates
        .spot_advisor_hourly()
        .ok_or_else(|| FleetError::NoSpotPrice {
            instance_type: t.clone(),
            at: hour.rfc3339(),
        })
}

/// What one run of a job on Spot came to.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SpotRun {
    /// Spot instance-seconds billed (interrupted first hours excluded).
    pub spot_seconds: f64,
    /// On-Demand instance-seconds of rework.
    pub on_demand_seconds: f64,
    /// Completion later than the uninterrupted run, seconds.
    pub delay_seconds: f64,
    pub interruptions: u32,
}

/// Runs `work` seconds of a job on one Spot instance with `hazard` interruptions per hour.
/// Each completed run is billed at least `minimum` seconds (the 60-second minimum).
pub fn run_on_spot<R: rand::Rng + ?Sized>(
    work: f64,
    hazard: f64,
    policy: &SpotPolicy,
    minimum: f64,
    rng: &mut R,
) -> SpotRun {
    let mut out = SpotRun::default();
    let mut remaining = work;
    let mut elapsed = 0.0;
    loop {
        let t = if hazard > 0.0 && out.interruptions < MAX_SPOT_ATTEMPTS {
            exp_draw(rng) / hazard * SECONDS_PER_HOUR as f64
        } else {
            f64::INFINITY
        };
        if out.interruptions >= MAX_SPOT_ATTEMPTS {
            out.on_demand_seconds += remaining.max(minimum);
            elapsed += remaining;
            break;
        }
        if t >= remaining {
            out.spot_seconds += remaining.max(minimum);
            elapsed += remaining;
            break;
        }
        out.interruptions += 1;
        if t >= FREE_IF_INTERRUPTED_WITHIN {
            out.spot_seconds += t;
        }
        remaining -= t - policy.lost_seconds(t);
        elapsed += t;
        if policy.rework == Rework::OnDemand {
            out.on_demand_seconds += remaining.max(minimum);
            elapsed += remaining;
            break;
        }
    }
    out.delay_seconds = (elapsed - work).max(0.0);
    out
}

/// A standard exponential draw (mean 1) by inversion.
pub fn exp_draw<R: rand::Rng + ?Sized>(rng: &mut R) -> f64 {
    let u: f64 = rng.random();
    -(1.0 - u).ln()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn bucket_mapping_is_monotone_and_documented() {
        let h: Vec<f64> = (0..5).map(|b| hazard_per_hour(b).unwrap()).collect();
        assert!(h.windows(2).all(|w| w[0] < w[1]));
        // 25 % a month ⇒ P(interrupted within 730 h) = 1 − e^{−730λ} = 0.25.
        assert!((1.0 - (-730.0 * h[4]).exp() - 0.25).abs() < 1e-12);
        assert_eq!(hazard_per_hour(5), None);
    }

    #[test]
    fn lost_work_follows_checkpoints_and_notice() {
        assert_eq!(lost_seconds(4_000.0, Some(1_800), false), 400.0);
        assert_eq!(lost_seconds(4_000.0, None, false), 4_000.0);
        assert_eq!(lost_seconds(4_000.0, Some(1_800), true), 0.0);
    }

    #[test]
    fn zero_hazard_runs_once_at_the_minimum() {
        let mut rng = StdRng::seed_from_u64(1);
        let p = SpotPolicy::default();
        let r = run_on_spot(30.0, 0.0, &p, 60.0, &mut rng);
        assert_eq!(r.spot_seconds, 60.0);
        assert_eq!(r.delay_seconds, 0.0);
        assert_eq!(r.interruptions, 0);
    }

    #[test]
    fn interruptions_in_the_first_hour_are_free_and_on_demand_rework_finishes() {
        let mut rng = StdRng::seed_from_u64(7);
        let p = SpotPolicy {
            rework: Rework::OnDemand,
            checkpoint_seconds: None,
            ..SpotPolicy::default()
        };
        // Hazard so high the first draw is almost surely within minutes.
        let r = run_on_spot(36_000.0, 1_000.0, &p, 60.0, &mut rng);
        assert_eq!(r.interruptions, 1);
        assert_eq!(r.spot_seconds, 0.0);
        assert_eq!(r.on_demand_seconds, 36_000.0);
        assert!(r.delay_seconds > 0.0 && r.delay_seconds < 3_600.0);
    }
}
