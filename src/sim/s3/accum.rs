//! Metering for one replay: storage intervals split at month boundaries into byte-seconds, and
//! counts, per (month, meter). Integer until the end, so any order of adding gives the same
//! result; `into_usage` converts byte-seconds to byte-hours exactly (Decimal ÷ 3600).

use crate::aws::Region;
use crate::meter::{Meter, Usage};
use crate::units::{Month, Timestamp};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

pub use crate::units::{month_of, month_start};

/// Accumulated quantities of one replay (or of many, merged).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Accum {
    /// Storage-like meters in byte-seconds (converted to byte-hours at the end).
    pub byte_seconds: BTreeMap<(Month, Meter), u128>,
    /// Count-like meters in their base unit (requests, bytes, object-seconds…).
    pub counts: BTreeMap<(Month, Meter), u128>,
}

impl Accum {
    /// `bytes` held over [t0, t1), split at month boundaries.
    pub fn hold(&mut self, meter: &Meter, bytes: u64, t0: Timestamp, t1: Timestamp) {
        if bytes == 0 || t1 <= t0 {
            return;
        }
        let mut t = t0;
        while t < t1 {
            let m = month_of(t);
            let end = month_start(m.next()).min(t1);
            let secs = (end.0 - t.0) as u128;
            *self.byte_seconds.entry((m, meter.clone())).or_insert(0) += bytes as u128 * secs;
            t = end;
        }
    }

    /// A count (or bytes) at time `t`.
    pub fn add(&mut self, meter: Meter, t: Timestamp, n: u128) {
        if n == 0 {
            return;
        }
        *self.counts.entry((month_of(t), meter)).or_insert(0) += n;
    }

    /// Object-seconds of monitoring-like meters, split at month boundaries (1 object over
    /// [t0, t1)).
    pub fn object_time(&mut self, meter: &Meter, t0: Timestamp, t1: Timestamp) {
        self.hold(meter, 1, t0, t1);
    }

    pub fn merge(&mut self, o: &Accum) {
        for (k, v) in &o.byte_seconds {
            *self.byte_seconds.entry(k.clone()).or_insert(0) += v;
        }
        for (k, v) in &o.counts {
            *self.counts.entry(k.clone()).or_insert(0) += v;
        }
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
        for ((m, meter), v) in &self.byte_seconds {
            if *m >= first && *m <= last {
                // Object-time meters (IT monitoring) are object-seconds → object-hours too.
                u.add(*m, region, meter.clone(), dec(*v) / Decimal::from(3600));
            }
        }
        for ((m, meter), v) in &self.counts {
            if *m >= first && *m <= last {
                u.add(*m, region, meter.clone(), dec(*v));
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
        assert_eq!(a.byte_seconds[&(mar, std.clone())], 1000 * 12 * 3600);
        assert_eq!(a.byte_seconds[&(apr, std.clone())], 1000 * 24 * 3600);
        let u = a.into_usage(&Region::parse("us-east-1").unwrap(), mar, apr);
        assert_eq!(
            u.months[&mar].values().next().unwrap()[&std],
            Decimal::from(12_000)
        );
    }
}
