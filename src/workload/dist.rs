//! Randomness and the distributions the generator draws from: seeded streams (one per prefix
//! and purpose, derived from the spec seed by SplitMix64), object sizes (rand_distr's
//! log-normal and Pareto), lifetimes, the read-rate decay curves with their integrals and
//! inverses (for exact sampling of a decaying Poisson process), diurnal/weekly cycles (applied
//! by thinning) and Zipf popularity weights.

use super::spec::{CycleSpec, Lifetime, MAX_OBJECT_BYTES, ReadDecay, SizeDist};
use crate::units::time::SECONDS_PER_DAY;
use rand::rngs::Xoshiro256PlusPlus;
use rand::{Rng, RngExt, SeedableRng};
use rand_distr::{Distribution, LogNormal, Pareto};

/// The generator's RNG: xoshiro256++, whose output for a given seed is fixed by its published
/// algorithm (unlike `StdRng`, which may change between rand releases).
pub type Rng64 = Xoshiro256PlusPlus;

/// What a stream is used for; each (prefix, purpose) pair has its own stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Requests of the prefix's objects (creations, reads, overwrites, deletes, lists).
    Events = 1,
    /// The prefix's pre-existing (inventory) objects.
    Inventory = 2,
    /// Names of files (log files, inventory data files).
    Names = 3,
}

/// SplitMix64's output function (Steele, Lea, Flood 2014).
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The seed of one stream: SplitMix64 over the spec seed, the index and the purpose.
pub fn stream_seed(seed: u64, index: u64, purpose: Purpose) -> u64 {
    splitmix64(splitmix64(splitmix64(seed) ^ index) ^ (purpose as u64).wrapping_mul(0xA5A5))
}

pub fn stream(seed: u64, index: u64, purpose: Purpose) -> Rng64 {
    Rng64::seed_from_u64(stream_seed(seed, index, purpose))
}

/// Uniform in [0, 1).
pub fn unit(rng: &mut Rng64) -> f64 {
    rng.random::<f64>()
}

/// Exponential with mean 1.
pub fn exp1(rng: &mut Rng64) -> f64 {
    -(1.0 - unit(rng)).ln()
}

/// Draws object sizes.
pub enum SizeSampler {
    LogNormal(LogNormal<f64>),
    Pareto(Pareto<f64>),
    Uniform(u64, u64),
    Fixed(u64),
}

impl SizeSampler {
    pub fn new(d: &SizeDist) -> SizeSampler {
        match *d {
            SizeDist::LogNormal {
                median_bytes,
                sigma,
            } => match LogNormal::new(median_bytes.ln(), sigma) {
                Ok(l) => SizeSampler::LogNormal(l),
                Err(_) => SizeSampler::Fixed(median_bytes as u64),
            },
            SizeDist::Pareto { scale_bytes, shape } => match Pareto::new(scale_bytes, shape) {
                Ok(p) => SizeSampler::Pareto(p),
                Err(_) => SizeSampler::Fixed(scale_bytes as u64),
            },
            SizeDist::Uniform {
                min_bytes,
                max_bytes,
            } => SizeSampler::Uniform(min_bytes, max_bytes),
            SizeDist::Fixed { bytes } => SizeSampler::Fixed(bytes),
        }
    }

    /// A size in bytes, rounded, within [0, 5 TiB].
    pub fn sample(&self, rng: &mut Rng64) -> u64 {
        let x = match self {
            SizeSampler::LogNormal(d) => d.sample(rng),
            SizeSampler::Pareto(d) => d.sample(rng),
            SizeSampler::Uniform(lo, hi) => return rng.random_range(*lo..=*hi),
            SizeSampler::Fixed(b) => return *b,
        };
        if x.is_finite() {
            x.round().clamp(0.0, MAX_OBJECT_BYTES as f64) as u64
        } else {
            MAX_OBJECT_BYTES
        }
    }
}

/// A lifetime in days.
pub fn lifetime_days(l: &Lifetime, rng: &mut Rng64) -> f64 {
    match *l {
        Lifetime::Fixed { days } => days,
        Lifetime::Uniform { min_days, max_days } => min_days + (max_days - min_days) * unit(rng),
        Lifetime::LogNormal { median_days, sigma } => match LogNormal::new(median_days.ln(), sigma)
        {
            Ok(d) => d.sample(rng),
            Err(_) => median_days,
        },
    }
}

/// The shape `f(a)` of the read rate over age `a` in days, with `f(0) = 1`, its integral
/// `F(a) = ∫₀ᵃ f` and the inverse of `F`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DecayCurve {
    Constant,
    /// `f(a) = e^(-μa)`, μ = ln 2 / half-life.
    Exponential {
        mu: f64,
    },
    /// `f(a) = (1 + a)^(-k)`.
    PowerLaw {
        k: f64,
    },
}

impl DecayCurve {
    pub fn new(d: &ReadDecay) -> DecayCurve {
        match *d {
            ReadDecay::Constant => DecayCurve::Constant,
            ReadDecay::Exponential { half_life_days } => DecayCurve::Exponential {
                mu: std::f64::consts::LN_2 / half_life_days,
            },
            ReadDecay::PowerLaw { exponent: 0.0 } => DecayCurve::Constant,
            ReadDecay::PowerLaw { exponent } => DecayCurve::PowerLaw { k: exponent },
        }
    }

    pub fn f(&self, a: f64) -> f64 {
        match *self {
            DecayCurve::Constant => 1.0,
            DecayCurve::Exponential { mu } => (-mu * a).exp(),
            DecayCurve::PowerLaw { k } => (1.0 + a).powf(-k),
        }
    }

    /// `F(a) = ∫₀ᵃ f(x) dx`.
    pub fn cum(&self, a: f64) -> f64 {
        match *self {
            DecayCurve::Constant => a,
            DecayCurve::Exponential { mu } => -(-mu * a).exp_m1() / mu,
            DecayCurve::PowerLaw { k } if (k - 1.0).abs() < 1e-12 => a.ln_1p(),
            DecayCurve::PowerLaw { k } => ((1.0 + a).powf(1.0 - k) - 1.0) / (1.0 - k),
        }
    }

    /// The age `a` with `F(a) = y`, or `None` when `y` is at or beyond `F(∞)`.
    pub fn inv(&self, y: f64) -> Option<f64> {
        if !y.is_finite() || y < 0.0 {
            return None;
        }
        let a = match *self {
            DecayCurve::Constant => y,
            DecayCurve::Exponential { mu } => {
                let z = mu * y;
                if z >= 1.0 {
                    return None;
                }
                -(-z).ln_1p() / mu
            }
            DecayCurve::PowerLaw { k } if (k - 1.0).abs() < 1e-12 => y.exp_m1(),
            DecayCurve::PowerLaw { k } => {
                let base = 1.0 + (1.0 - k) * y;
                if base <= 0.0 {
                    return None;
                }
                base.powf(1.0 / (1.0 - k)) - 1.0
            }
        };
        a.is_finite().then_some(a)
    }
}

/// Diurnal × weekly multipliers of request rates (mean 1 over a week when both have mean 1).
#[derive(Clone, Debug, PartialEq)]
pub struct Cycles {
    hourly: [f64; 24],
    daily: [f64; 7],
    /// The largest multiplier, the envelope for thinning.
    pub max: f64,
}

impl Cycles {
    pub fn new(c: &CycleSpec) -> Cycles {
        let mh = c.hourly.iter().copied().fold(0.0, f64::max);
        let md = c.daily.iter().copied().fold(0.0, f64::max);
        Cycles {
            hourly: c.hourly,
            daily: c.daily,
            max: mh * md,
        }
    }

    /// The multiplier at `t` (seconds since the epoch, UTC).
    pub fn at(&self, t: f64) -> f64 {
        let secs = t.floor() as i64;
        let day = secs.div_euclid(SECONDS_PER_DAY);
        let hour = (secs.rem_euclid(SECONDS_PER_DAY) / 3600) as usize;
        // 1970-01-01 was a Thursday; index 0 is Monday.
        let dow = (day + 3).rem_euclid(7) as usize;
        self.hourly[hour] * self.daily[dow]
    }

    /// The next event time after `t` of a Poisson process whose rate is `per_day × at(t)`,
    /// drawn by thinning; `None` when it falls at or after `end` (or the rate is 0).
    pub fn next_time(&self, rng: &mut Rng64, mut t: f64, per_day: f64, end: f64) -> Option<f64> {
        if per_day <= 0.0 || self.max <= 0.0 {
            return None;
        }
        let envelope = per_day * self.max / SECONDS_PER_DAY as f64;
        loop {
            t += exp1(rng) / envelope;
            if t >= end {
                return None;
            }
            if unit(rng) * self.max < self.at(t) {
                return Some(t);
            }
        }
    }
}

/// Zipf popularity across a prefix's objects: an object draws a rank `r` uniformly from
/// `1..=n` (n = the prefix's expected object count) and gets the weight
/// `n · r^(-s) / H(n, s)`, so the mean weight is 1 and ranks' read rates follow `r^(-s)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Zipf {
    pub n: u64,
    pub s: f64,
    norm: f64,
}

impl Zipf {
    pub fn new(n: u64, s: f64) -> Zipf {
        let n = n.max(1);
        let h = harmonic(n, s);
        Zipf {
            n,
            s,
            norm: n as f64 / h,
        }
    }

    pub fn weight(&self, rng: &mut Rng64) -> f64 {
        if self.s == 0.0 {
            return 1.0;
        }
        let r = rng.random_range(1..=self.n) as f64;
        self.norm * r.powf(-self.s)
    }
}

/// `H(n, s) = Σ_{r=1}^{n} r^(-s)`: summed exactly up to a million terms, the rest by the
/// midpoint integral (relative error far below the sampling noise).
pub fn harmonic(n: u64, s: f64) -> f64 {
    const EXACT: u64 = 1_000_000;
    let m = n.min(EXACT);
    let mut h = 0.0;
    for r in 1..=m {
        h += (r as f64).powf(-s);
    }
    if n > m {
        let (a, b) = (m as f64 + 0.5, n as f64 + 0.5);
        h += if (s - 1.0).abs() < 1e-12 {
            (b / a).ln()
        } else {
            (b.powf(1.0 - s) - a.powf(1.0 - s)) / (1.0 - s)
        };
    }
    h
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub fn base64(bytes: &[u8], out: &mut String) {
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
}

/// A random UUID in v4 layout, lower-case.
pub fn uuid(rng: &mut Rng64, out: &mut String) {
    let a = rng.next_u64();
    let b = rng.next_u64();
    let a = (a & !0xF000) | 0x4000;
    let b = (b & !(0xC << 60)) | (0x8 << 60);
    use std::fmt::Write;
    let _ = write!(
        out,
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xFFFF,
        a & 0xFFFF,
        b >> 48,
        b & 0xFFFF_FFFF_FFFF
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decay_inverse_undoes_the_integral() {
        for c in [
            DecayCurve::Constant,
            DecayCurve::Exponential { mu: 0.3 },
            DecayCurve::PowerLaw { k: 0.5 },
            DecayCurve::PowerLaw { k: 1.0 },
            DecayCurve::PowerLaw { k: 2.5 },
        ] {
            for a in [0.0, 0.01, 1.0, 7.5, 100.0] {
                let y = c.cum(a);
                let back = c.inv(y).unwrap();
                // F is flat far out on the exponential curve, so compare in F's units there.
                assert!(
                    (back - a).abs() < 1e-6 * (1.0 + a) || (c.cum(back) - y).abs() < 1e-12,
                    "{c:?} {a} {back}"
                );
            }
        }
        assert_eq!(DecayCurve::Exponential { mu: 1.0 }.inv(1.0), None);
        assert_eq!(DecayCurve::PowerLaw { k: 2.0 }.inv(1.0), None);
    }

    #[test]
    fn harmonic_tail_approximation_is_close() {
        let exact: f64 = (1..=3_000_000u64).map(|r| (r as f64).powf(-1.1)).sum();
        assert!((harmonic(3_000_000, 1.1) - exact).abs() / exact < 1e-9);
        assert_eq!(harmonic(3, 0.0), 3.0);
    }

    #[test]
    fn base64_matches_known_values() {
        let mut s = String::new();
        base64(b"foobar", &mut s);
        base64(b"fo", &mut s);
        base64(b"f", &mut s);
        assert_eq!(s, "Zm9vYmFyZm8=Zg==");
    }

    #[test]
    fn weekdays_start_on_monday() {
        let c = CycleSpec {
            daily: [7.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
            ..CycleSpec::default()
        };
        let cy = Cycles::new(&c);
        // 2026-03-02 is a Monday.
        let monday = crate::units::Timestamp::parse_rfc3339("2026-03-02T12:00:00Z").unwrap();
        assert_eq!(cy.at(monday.0 as f64), 7.0);
        assert_eq!(cy.at((monday.0 + SECONDS_PER_DAY) as f64), 0.0);
    }
}
