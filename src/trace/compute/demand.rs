//! Seeded synthetic compute evidence: hourly instance demand per type (daily and weekly
//! seasonality, linear growth, multiplicative normal noise) and job traces (Poisson arrivals
//! following the same seasonality, lognormal durations). The same spec and seed always give
//! the same output; the results are the records the usage and job readers return, so they can
//! be written with [`write_usage_csv`](super::write_usage_csv) and
//! [`write_jobs_csv`](super::write_jobs_csv).

use std::f64::consts::PI;

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, LogNormal, Normal, Poisson};
use rust_decimal::Decimal;

use crate::aws::{InstanceType, Region};
use crate::units::time::SECONDS_PER_DAY;
use crate::units::{SECONDS_PER_HOUR, Timestamp};

use super::error::ComputeError;
use super::jobs::{InstanceChoice, JobRecord, Service};
use super::usage::{Os, UsageRecord};

/// The longest job the generator emits (30 days); longer lognormal draws are cut to this.
pub const MAX_JOB_SECONDS: u64 = 30 * 86_400;
/// The most hours one spec may cover (20 years).
pub const MAX_HOURS: u32 = 20 * 366 * 24;

/// How demand varies with the clock (UTC).
#[derive(Clone, Debug, PartialEq)]
pub struct Seasonality {
    /// Relative daily swing `a` in `[0, 1]`: the factor is `1 + a·cos(2π(h − peak)/24)` at
    /// hour-of-day `h`, so the peak hour has `1 + a` and twelve hours later `1 − a`.
    pub daily_amplitude: f64,
    /// Hour of day (0–23, UTC) of the daily peak.
    pub peak_hour_utc: u32,
    /// Multipliers for Monday … Sunday (UTC days), each ≥ 0.
    pub weekly: [f64; 7],
}

impl Seasonality {
    /// No seasonality: the factor is 1 at every hour.
    pub fn flat() -> Seasonality {
        Seasonality {
            daily_amplitude: 0.0,
            peak_hour_utc: 0,
            weekly: [1.0; 7],
        }
    }

    /// Business-hours shape: peak at `peak_hour_utc`, amplitude `a`, weekends at `weekend`.
    pub fn business(a: f64, peak_hour_utc: u32, weekend: f64) -> Seasonality {
        Seasonality {
            daily_amplitude: a,
            peak_hour_utc,
            weekly: [1.0, 1.0, 1.0, 1.0, 1.0, weekend, weekend],
        }
    }

    /// The factor at instant `t` (uses its hour of day and day of week).
    pub fn factor(&self, t: Timestamp) -> f64 {
        let hour = t.0.rem_euclid(SECONDS_PER_DAY) / 3_600;
        let phase = 2.0 * PI * (hour as f64 - f64::from(self.peak_hour_utc)) / 24.0;
        let daily = 1.0 + self.daily_amplitude * phase.cos();
        daily * self.weekly[weekday(t)]
    }

    fn validate(&self, field: &str) -> Result<(), ComputeError> {
        if !(0.0..=1.0).contains(&self.daily_amplitude) {
            return Err(spec(
                format!("{field}.daily_amplitude"),
                "must be between 0 and 1 (demand cannot go negative)",
            ));
        }
        if self.peak_hour_utc >= 24 {
            return Err(spec(format!("{field}.peak_hour_utc"), "must be 0 to 23"));
        }
        if self.weekly.iter().any(|w| !w.is_finite() || *w < 0.0) {
            return Err(spec(
                format!("{field}.weekly"),
                "multipliers must be finite and at least 0",
            ));
        }
        Ok(())
    }
}

/// Day of week of `t` (UTC), Monday = 0 … Sunday = 6 (1970-01-01 was a Thursday).
pub fn weekday(t: Timestamp) -> usize {
    (t.day() + 3).rem_euclid(7) as usize
}

/// Demand for one instance type.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeDemand {
    pub instance_type: InstanceType,
    /// Mean instances running at the start, before seasonality (≥ 0).
    pub base_instances: f64,
    pub seasonality: Seasonality,
    /// Linear growth per day as a fraction of `base_instances` (may be negative; the mean is
    /// floored at zero).
    pub growth_per_day: f64,
    /// Standard deviation of the multiplicative noise as a fraction of the mean (≥ 0): each
    /// hour's demand is `mean × max(0, 1 + noise·Z)`, `Z` standard normal.
    pub noise: f64,
}

impl TypeDemand {
    /// The mean instances running in the hour starting at `t`, for a spec starting at `start`.
    pub fn expected_instances(&self, start: Timestamp, t: Timestamp) -> f64 {
        let days = (t.0 - start.0) as f64 / SECONDS_PER_DAY as f64;
        let trend = (1.0 + self.growth_per_day * days).max(0.0);
        self.base_instances * trend * self.seasonality.factor(t)
    }
}

/// What [`generate_usage`] generates.
#[derive(Clone, Debug, PartialEq)]
pub struct DemandSpec {
    pub seed: u64,
    /// First hour (must be the start of an hour).
    pub start: Timestamp,
    /// Number of hours.
    pub hours: u32,
    /// Written to every record's `region` (optional).
    pub region: Option<Region>,
    pub os: Os,
    pub types: Vec<TypeDemand>,
}

fn spec(field: impl Into<String>, reason: &str) -> ComputeError {
    ComputeError::Spec {
        field: field.into(),
        reason: reason.to_string(),
    }
}

fn check_window(start: Timestamp, hours: u32) -> Result<(), ComputeError> {
    if start.0.rem_euclid(SECONDS_PER_HOUR as i64) != 0 {
        return Err(spec("start", "must be the start of an hour"));
    }
    if hours > MAX_HOURS {
        return Err(spec("hours", "must be at most 20 years of hours"));
    }
    Ok(())
}

/// The seed of stream `index` of a spec seeded `seed` (SplitMix64 of both), so adding a type
/// or job class does not change the others' output.
fn stream_seed(seed: u64, index: usize) -> u64 {
    let mut z = seed ^ (index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Hourly usage records: for each hour (oldest first) one record per type, in the spec's type
/// order, with `instance_seconds = round(demand × 3600)` and no `count`.
pub fn generate_usage(spec_: &DemandSpec) -> Result<Vec<UsageRecord>, ComputeError> {
    check_window(spec_.start, spec_.hours)?;
    for (i, t) in spec_.types.iter().enumerate() {
        let field = format!("types[{i}]");
        if !t.base_instances.is_finite() || t.base_instances < 0.0 || t.base_instances > 1e9 {
            return Err(spec(format!("{field}.base_instances"), "must be 0 to 1e9"));
        }
        if !t.growth_per_day.is_finite() {
            return Err(spec(format!("{field}.growth_per_day"), "must be finite"));
        }
        if !t.noise.is_finite() || t.noise < 0.0 {
            return Err(spec(
                format!("{field}.noise"),
                "must be finite and at least 0",
            ));
        }
        t.seasonality.validate(&format!("{field}.seasonality"))?;
    }
    let mut rngs: Vec<StdRng> = (0..spec_.types.len())
        .map(|i| StdRng::seed_from_u64(stream_seed(spec_.seed, i)))
        .collect();
    let normal = Normal::new(0.0, 1.0).map_err(|_| spec("noise", "normal distribution"))?;
    let mut out = Vec::with_capacity(spec_.hours as usize * spec_.types.len());
    for h in 0..i64::from(spec_.hours) {
        let hour = Timestamp(spec_.start.0 + h * SECONDS_PER_HOUR as i64);
        for (t, rng) in spec_.types.iter().zip(rngs.iter_mut()) {
            let mean = t.expected_instances(spec_.start, hour);
            let z: f64 = normal.sample(rng);
            let demand = mean * (1.0 + t.noise * z).max(0.0);
            let secs = (demand * SECONDS_PER_HOUR as f64).round();
            out.push(UsageRecord {
                hour,
                instance_type: t.instance_type.clone(),
                instance_seconds: secs as u64,
                count: None,
                region: spec_.region.clone(),
                os: spec_.os,
            });
        }
    }
    Ok(out)
}

/// One kind of job in a [`JobSpec`].
#[derive(Clone, Debug, PartialEq)]
pub struct JobClass {
    /// Job ids are `{name}-{n:06}`, `n` counting from 1 within the class.
    pub name: String,
    pub service: Service,
    pub instance_type: InstanceChoice,
    /// Mean arrivals per hour at seasonality factor 1, before growth (0 to 1e6).
    pub jobs_per_hour: f64,
    pub seasonality: Seasonality,
    /// Linear growth of the arrival rate per day, as a fraction.
    pub growth_per_day: f64,
    /// Median duration in seconds (the lognormal's `e^μ`), > 0.
    pub median_duration_seconds: f64,
    /// σ of ln(duration), ≥ 0.
    pub duration_sigma: f64,
    pub vcpu: Decimal,
    pub memory_gib: Decimal,
    pub checkpoint_minutes: Option<u32>,
    pub data_gb: Option<Decimal>,
}

/// What [`generate_jobs`] generates.
#[derive(Clone, Debug, PartialEq)]
pub struct JobSpec {
    pub seed: u64,
    /// Start of the first hour (must be the start of an hour).
    pub start: Timestamp,
    pub hours: u32,
    pub classes: Vec<JobClass>,
}

/// Jobs: in each hour, a Poisson number of arrivals per class (mean `jobs_per_hour × growth ×
/// seasonality`), each starting at a uniformly drawn second of the hour, lasting a lognormal
/// number of seconds (rounded, at least 1, at most [`MAX_JOB_SECONDS`]). Sorted by start, then
/// job id.
pub fn generate_jobs(spec_: &JobSpec) -> Result<Vec<JobRecord>, ComputeError> {
    check_window(spec_.start, spec_.hours)?;
    let mut durations = Vec::with_capacity(spec_.classes.len());
    for (i, c) in spec_.classes.iter().enumerate() {
        let field = format!("classes[{i}]");
        if c.name.is_empty()
            || c.name.trim() != c.name
            || c.name.contains([',', '"', '\n', '\r'])
            || spec_.classes[..i].iter().any(|o| o.name == c.name)
        {
            return Err(spec(
                format!("{field}.name"),
                "must be unique, non-empty, without surrounding spaces, commas, quotes or line \
                 breaks",
            ));
        }
        if !c.jobs_per_hour.is_finite() || !(0.0..=1e6).contains(&c.jobs_per_hour) {
            return Err(spec(format!("{field}.jobs_per_hour"), "must be 0 to 1e6"));
        }
        if !c.growth_per_day.is_finite() {
            return Err(spec(format!("{field}.growth_per_day"), "must be finite"));
        }
        if !c.median_duration_seconds.is_finite() || c.median_duration_seconds <= 0.0 {
            return Err(spec(
                format!("{field}.median_duration_seconds"),
                "must be finite and more than 0",
            ));
        }
        if c.vcpu <= Decimal::ZERO || c.memory_gib <= Decimal::ZERO {
            return Err(spec(
                format!("{field}.vcpu"),
                "vcpu and memory_gib must be more than 0",
            ));
        }
        if c.data_gb.is_some_and(|d| d < Decimal::ZERO) || c.checkpoint_minutes == Some(0) {
            return Err(spec(
                format!("{field}.data_gb"),
                "data_gb must be at least 0 and checkpoint_minutes more than 0",
            ));
        }
        if !c.service.has_instances() && c.instance_type != InstanceChoice::Any {
            return Err(spec(
                format!("{field}.instance_type"),
                "serverless services (emr-serverless, glue, lambda) take `any`",
            ));
        }
        c.seasonality.validate(&format!("{field}.seasonality"))?;
        let d = LogNormal::new(c.median_duration_seconds.ln(), c.duration_sigma).map_err(|_| {
            spec(
                format!("{field}.duration_sigma"),
                "must be finite and at least 0",
            )
        })?;
        durations.push(d);
    }
    let mut out = Vec::new();
    for (ci, (c, dur)) in spec_.classes.iter().zip(&durations).enumerate() {
        let mut rng = StdRng::seed_from_u64(stream_seed(spec_.seed, ci));
        let mut n = 0u64;
        for h in 0..i64::from(spec_.hours) {
            let hour = Timestamp(spec_.start.0 + h * SECONDS_PER_HOUR as i64);
            let days = (hour.0 - spec_.start.0) as f64 / SECONDS_PER_DAY as f64;
            let rate = c.jobs_per_hour
                * (1.0 + c.growth_per_day * days).max(0.0)
                * c.seasonality.factor(hour);
            let arrivals = if rate > 0.0 {
                let p = Poisson::new(rate).map_err(|_| {
                    spec(format!("classes[{ci}].jobs_per_hour"), "rate out of range")
                })?;
                let k: f64 = p.sample(&mut rng);
                k as u64
            } else {
                0
            };
            for _ in 0..arrivals {
                n += 1;
                let offset: i64 = rng.random_range(0..SECONDS_PER_HOUR as i64);
                let d: f64 = dur.sample(&mut rng);
                let secs = if d.is_finite() {
                    (d.round() as u64).clamp(1, MAX_JOB_SECONDS)
                } else {
                    MAX_JOB_SECONDS
                };
                out.push(JobRecord {
                    job_id: format!("{}-{n:06}", c.name),
                    start: Timestamp(hour.0 + offset),
                    duration_seconds: secs,
                    vcpu: c.vcpu,
                    memory_gib: c.memory_gib,
                    instance_type: c.instance_type.clone(),
                    service: c.service,
                    checkpoint_minutes: c.checkpoint_minutes,
                    data_gb: c.data_gb,
                });
            }
        }
    }
    out.sort_by(|a, b| a.start.cmp(&b.start).then_with(|| a.job_id.cmp(&b.job_id)));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekdays_and_daily_shape() {
        // 2026-03-02 is a Monday, 2026-03-01 a Sunday.
        let monday = Timestamp::parse_rfc3339("2026-03-02T00:00:00Z").unwrap();
        assert_eq!(weekday(monday), 0);
        assert_eq!(weekday(Timestamp(monday.0 - 1)), 6);
        assert_eq!(weekday(Timestamp(0)), 3);
        let s = Seasonality::business(0.5, 14, 0.25);
        let at = |h: i64| s.factor(Timestamp(monday.0 + h * 3600));
        assert!((at(14) - 1.5).abs() < 1e-12);
        assert!((at(2) - 0.5).abs() < 1e-12);
        assert!((at(8) - 1.0).abs() < 1e-12);
        assert!((s.factor(Timestamp(monday.0 - 10 * 3600)) - 1.5 * 0.25).abs() < 1e-12);
    }

    #[test]
    fn streams_differ_by_index_and_seed() {
        assert_ne!(stream_seed(1, 0), stream_seed(1, 1));
        assert_ne!(stream_seed(1, 0), stream_seed(2, 0));
        assert_eq!(stream_seed(7, 3), stream_seed(7, 3));
    }
}
