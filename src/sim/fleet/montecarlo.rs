//! Monte Carlo over Spot interruptions, in parallel with rayon and deterministic for a seed
//! whatever the thread count: run `r` draws from its own RNGs, seeded from (seed, r, type,
//! stream) by SplitMix64, and results are gathered in run order before any statistic.
//!
//! Per type, interruptions arrive as a Poisson process over its Spot instance-hours (hazard λ
//! per instance-hour, [`hazard_per_hour`](super::hazard_per_hour)): the gaps between events
//! are Exp(λ) in cumulative exposure, drawn from one stream, so more exposure never means
//! fewer events for the same seed. Each event draws, from a second stream, the interrupted
//! instance's age (Exp(λ), the stationary age under Poisson interruptions): the work since
//! its last checkpoint is redone (Spot or On-Demand by policy, at that hour's price), and an
//! instance younger than an hour is not charged for its run (§4c). The rework is assumed not
//! to be interrupted again (a second-order effect at Advisor hazards of ≤ 4·10⁻⁴ per hour).
//! The deterministic result is the base; a run adds its exact-to-f64 delta, so a zero hazard
//! gives the deterministic cost exactly.

use rand::SeedableRng;
use rand::rngs::StdRng;
use rayon::prelude::*;
use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;

use crate::units::{Money, SECONDS_PER_HOUR};

use super::result::{FleetResult, TypeExposure};
use super::spot::{FREE_IF_INTERRUPTED_WITHIN, Rework, SpotPolicy, exp_draw};
use super::{FleetError, invalid};

/// Summary of one quantity over the runs.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Stats {
    pub mean: f64,
    pub std_dev: f64,
    pub p50: f64,
    pub p95: f64,
}

impl Stats {
    /// Mean, sample standard deviation and nearest-rank percentiles.
    pub fn of(values: &[f64]) -> Stats {
        if values.is_empty() {
            return Stats::default();
        }
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let var = if values.len() > 1 {
            values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)
        } else {
            0.0
        };
        let mut s = values.to_vec();
        s.sort_by(f64::total_cmp);
        let rank = |q: f64| s[((q * n).ceil() as usize).clamp(1, s.len()) - 1];
        Stats {
            mean,
            std_dev: var.sqrt(),
            p50: rank(0.5),
            p95: rank(0.95),
        }
    }

    /// Standard error of the mean.
    pub fn std_error(&self, runs: usize) -> f64 {
        self.std_dev / (runs.max(1) as f64).sqrt()
    }
}

/// The fleet's cost and interruptions over Monte Carlo runs.
#[derive(Clone, Debug, PartialEq)]
pub struct FleetMonteCarlo {
    pub runs: u32,
    pub seed: u64,
    /// Amortized-view cost: deterministic base + each run's interruption delta.
    pub cost_mean: Money,
    pub cost_p50: Money,
    pub cost_p95: Money,
    /// Standard error of the cost mean (USD).
    pub cost_std_error: Money,
    /// The interruption delta alone (USD): rework minus first-hour refunds.
    pub delta: Stats,
    /// Work redone (delay of the affected work), seconds per run.
    pub rework_seconds: Stats,
    pub interruptions: Stats,
    /// Each run's interruption delta (USD), in run order: the distribution behind the stats.
    pub cost_deltas: Vec<f64>,
}

/// SplitMix64 of a seed and indices: independent streams per run, type and purpose.
pub fn stream_seed(seed: u64, parts: &[u64]) -> u64 {
    let mut z = seed;
    for p in parts {
        z ^= p.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
    }
    z
}

#[derive(Clone, Copy, Default)]
struct RunOut {
    delta: f64,
    rework: f64,
    events: f64,
}

fn run_type(t: &TypeExposure, policy: &SpotPolicy, seed: u64, run: u64, ti: u64) -> RunOut {
    let mut gaps = StdRng::seed_from_u64(stream_seed(seed, &[run, ti, 0]));
    let mut marks = StdRng::seed_from_u64(stream_seed(seed, &[run, ti, 1]));
    let total = t.cumulative.last().copied().unwrap_or(0.0);
    let hour = SECONDS_PER_HOUR as f64;
    let mut out = RunOut::default();
    let mut pos = 0.0;
    loop {
        pos += exp_draw(&mut gaps) / t.hazard;
        if pos >= total {
            break;
        }
        let h = t
            .cumulative
            .partition_point(|c| *c <= pos)
            .min(t.price.len() - 1);
        let price = t.price[h];
        let age = exp_draw(&mut marks) / t.hazard * hour;
        let lost = policy.lost_seconds(age);
        let rework_price = match policy.rework {
            Rework::Spot => price,
            Rework::OnDemand => t.on_demand_hourly,
        };
        out.delta += lost / hour * rework_price;
        if age < FREE_IF_INTERRUPTED_WITHIN {
            out.delta -= age / hour * price;
        }
        out.rework += lost;
        out.events += 1.0;
    }
    out
}

fn money(base: Decimal, delta: f64) -> Money {
    if delta == 0.0 {
        return Money(base);
    }
    let d = Decimal::from_f64(delta).unwrap_or_default().round_dp(6);
    Money(base + d)
}

/// Runs `runs` Monte Carlo draws of interruptions over a fleet result.
pub fn monte_carlo(
    result: &FleetResult,
    policy: &SpotPolicy,
    runs: u32,
    seed: u64,
) -> Result<FleetMonteCarlo, FleetError> {
    if runs == 0 {
        return Err(invalid("runs", "at least 1 Monte Carlo run"));
    }
    let types = &result.spot_exposure.types;
    let outs: Vec<RunOut> = (0..runs as u64)
        .into_par_iter()
        .map(|r| {
            let mut acc = RunOut::default();
            for (ti, t) in types.iter().enumerate() {
                let o = run_type(t, policy, seed, r, ti as u64);
                acc.delta += o.delta;
                acc.rework += o.rework;
                acc.events += o.events;
            }
            acc
        })
        .collect();
    let col = |f: fn(&RunOut) -> f64| outs.iter().map(f).collect::<Vec<f64>>();
    let delta = Stats::of(&col(|o| o.delta));
    let base = result.total_amortized.0;
    Ok(FleetMonteCarlo {
        runs,
        seed,
        cost_mean: money(base, delta.mean),
        cost_p50: money(base, delta.p50),
        cost_p95: money(base, delta.p95),
        cost_std_error: money(Decimal::ZERO, delta.std_error(runs as usize)),
        delta,
        rework_seconds: Stats::of(&col(|o| o.rework)),
        interruptions: Stats::of(&col(|o| o.events)),
        cost_deltas: col(|o| o.delta),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        let s = Stats::of(&v);
        assert_eq!(s.p50, 50.0);
        assert_eq!(s.p95, 95.0);
        assert_eq!(s.mean, 50.5);
        assert_eq!(Stats::of(&[]).mean, 0.0);
    }

    #[test]
    fn streams_differ_by_every_part() {
        let a = stream_seed(1, &[0, 0, 0]);
        assert_ne!(a, stream_seed(1, &[1, 0, 0]));
        assert_ne!(a, stream_seed(1, &[0, 1, 0]));
        assert_ne!(a, stream_seed(1, &[0, 0, 1]));
        assert_ne!(a, stream_seed(2, &[0, 0, 0]));
    }
}
