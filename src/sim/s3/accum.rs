//! Metering for one replay: storage intervals (settled into byte-seconds per month on demand)
//! and counts, per (month, meter). Integer until the end, so any order of adding gives the same
//! result; `into_usage` converts byte-seconds to byte-hours exactly (Decimal ÷ 3600).

use super::counts::Counts;
use super::timeline::{Span, Timeline};
use crate::aws::Region;
use crate::meter::{Meter, Usage};
use crate::units::{Month, Timestamp};
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;

pub use crate::units::{month_of, month_start};

/// Accumulated quantities of one replay (or of many, merged).
#[derive(Clone, Debug, Default)]
pub struct Accum {
    /// Storage-like meters (byte- or object-seconds) as intervals, settled on demand.
    held: Timeline<Meter>,
    /// Byte-seconds added as such (early-deletion remainders, shard files).
    direct: FxHashMap<(Month, Meter), u128>,
    /// Count-like meters in their base unit (requests, bytes, object-seconds…).
    counts: Counts,
}

impl PartialEq for Accum {
    fn eq(&self, o: &Accum) -> bool {
        self.byte_seconds() == o.byte_seconds() && self.counts() == o.counts()
    }
}

impl Accum {
    /// An accumulator holding these byte-seconds and counts (a shard file's).
    pub fn from_parts(
        byte_seconds: BTreeMap<(Month, Meter), u128>,
        counts: BTreeMap<(Month, Meter), u128>,
    ) -> Accum {
        Accum {
            held: Timeline::default(),
            direct: byte_seconds.into_iter().collect(),
            counts: {
                let mut c = Counts::default();
                for ((m, meter), v) in counts {
                    c.add(m, &meter, v);
                }
                c
            },
        }
    }

    /// `bytes` held over [t0, t1), split at month boundaries.
    pub fn hold(&mut self, meter: &Meter, bytes: u64, t0: Timestamp, t1: Timestamp) {
        if bytes == 0 || t1 <= t0 {
            return;
        }
        self.held.hold(meter, bytes, t0, t1);
    }

    /// `bytes` held over `span`.
    pub fn hold_span(&mut self, meter: &Meter, bytes: u64, span: &Span) {
        if bytes > 0 {
            self.held.hold_span(meter, bytes, span);
        }
    }

    /// Byte-seconds billed in month `m` as such (an early-deletion remainder).
    pub fn add_byte_seconds(&mut self, meter: Meter, m: Month, v: u128) {
        if v > 0 {
            *self.direct.entry((m, meter)).or_insert(0) += v;
        }
    }

    /// A count (or bytes) at time `t`.
    pub fn add(&mut self, meter: Meter, t: Timestamp, n: u128) {
        if n == 0 {
            return;
        }
        self.counts.add(month_of(t), &meter, n);
    }

    /// Object-seconds of monitoring-like meters, split at month boundaries (1 object over
    /// [t0, t1)).
    pub fn object_time(&mut self, meter: &Meter, t0: Timestamp, t1: Timestamp) {
        self.hold(meter, 1, t0, t1);
    }

    pub fn merge(&mut self, o: &Accum) {
        self.held.merge(&o.held);
        for (k, v) in &o.direct {
            *self.direct.entry(k.clone()).or_insert(0) += v;
        }
        self.counts.merge(&o.counts);
    }

    /// Storage-like meters in byte-seconds (object-seconds for object-time meters), per month.
    pub fn byte_seconds(&self) -> BTreeMap<(Month, Meter), u128> {
        let mut out: BTreeMap<(Month, Meter), u128> = self
            .held
            .settle()
            .into_iter()
            .filter(|(_, s)| s.integral > 0)
            .map(|(k, s)| (k, s.integral))
            .collect();
        for (k, v) in &self.direct {
            *out.entry(k.clone()).or_insert(0) += v;
        }
        out
    }

    /// Every non-zero meter: (month, meter, value, whether it is a time meter in byte- or
    /// object-seconds rather than a count), in no particular order.
    pub fn for_each(&self, mut f: impl FnMut(Month, &Meter, u128, bool)) {
        self.held.for_each(|m, meter, s| {
            if s.integral > 0 {
                f(m, meter, s.integral, true)
            }
        });
        for ((m, meter), v) in &self.direct {
            f(*m, meter, *v, true);
        }
        self.counts.for_each(|m, meter, v| f(m, meter, v, false));
    }

    /// Empties the accumulator, keeping its allocations for reuse.
    pub fn clear(&mut self) {
        self.held.clear();
        self.direct.clear();
        self.counts.clear();
    }

    /// Count-like meters per month, in order.
    pub fn counts(&self) -> BTreeMap<(Month, Meter), u128> {
        let mut out = BTreeMap::new();
        self.counts.for_each(|m, meter, v| {
            out.insert((m, meter.clone()), v);
        });
        out
    }

    /// Keeps only the count meters `keep` accepts.
    pub fn retain_counts(&mut self, mut keep: impl FnMut(&Meter) -> bool) {
        self.counts.retain(|m| keep(m));
    }

    /// Into `Usage` in `region`, keeping only months in [first, last].
    pub fn into_usage(&self, region: &Region, first: Month, last: Month) -> Usage {
        let mut u = Usage::default();
        let mut m = first;
        while m <= last {
            u.touch(m, region);
            m = m.next();
        }
        let dec = |v: u128| crate::units::decimal_from_u128(v);
        for ((m, meter), v) in self.byte_seconds() {
            if m >= first && m <= last {
                // Object-time meters (IT monitoring) are object-seconds → object-hours too.
                u.add(m, region, meter, dec(v) / Decimal::from(3600));
            }
        }
        for ((m, meter), v) in self.counts() {
            if m >= first && m <= last {
                u.add(m, region, meter, dec(v));
            }
        }
        u
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::{StorageClass, StorageTier};

    #[test]
    fn holding_splits_at_month_boundaries() {
        let std = Meter::Storage(StorageTier::Class(StorageClass::Standard));
        let mut a = Accum::default();
        let t0 = Timestamp::parse_rfc3339("2026-03-31T12:00:00Z").unwrap();
        let t1 = Timestamp::parse_rfc3339("2026-04-02T00:00:00Z").unwrap();
        a.hold(&std, 1000, t0, t1);
        let mar = Month::new(2026, 3).unwrap();
        let apr = Month::new(2026, 4).unwrap();
        assert_eq!(a.byte_seconds()[&(mar, std.clone())], 1000 * 12 * 3600);
        assert_eq!(a.byte_seconds()[&(apr, std.clone())], 1000 * 24 * 3600);
        let u = a.into_usage(&Region::parse("us-east-1").unwrap(), mar, apr);
        assert_eq!(
            u.months[&mar].values().next().unwrap()[&std],
            Decimal::from(12_000)
        );
    }
}
