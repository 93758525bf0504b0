//! Spot price series: one [`SpotSeries`] per (instance type, zone, product), built from
//! [`SpotRecord`]s by [`SpotHistory::build`]. A record marks the instant the price changed; the
//! price holds until the next change (compute-pricing-and-rules.md §4d). Prices are exact
//! decimals; averages are time-weighted.

use std::collections::BTreeMap;
use std::fmt;

use rust_decimal::Decimal;

use crate::aws::InstanceType;
use crate::units::Timestamp;

use super::error::{ComputeError, PriceConflict};
use super::spot::{Origin, SpotRecord, Zone};

/// What a series is of.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SpotKey {
    pub instance_type: InstanceType,
    pub zone: Zone,
    pub product: String,
}

impl fmt::Display for SpotKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} in {} ({})",
            self.instance_type, self.zone, self.product
        )
    }
}

/// The price from `at` until the next point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PricePoint {
    pub at: Timestamp,
    /// USD per instance-hour.
    pub price: Decimal,
}

/// The spot price of one (instance type, zone, product) over time: points sorted by time,
/// strictly increasing, no two neighbours with the same price. Before the first point the
/// price is unknown; after the last it holds indefinitely.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpotSeries {
    key: SpotKey,
    points: Vec<PricePoint>,
}

impl SpotSeries {
    pub fn key(&self) -> &SpotKey {
        &self.key
    }

    /// The price changes, oldest first.
    pub fn points(&self) -> &[PricePoint] {
        &self.points
    }

    /// The price in effect at `t`: that of the last point at or before `t`; `None` before the
    /// first point.
    pub fn price_at(&self, t: Timestamp) -> Option<Decimal> {
        let i = self.points.partition_point(|p| p.at <= t);
        i.checked_sub(1)
            .and_then(|i| self.points.get(i))
            .map(|p| p.price)
    }

    /// Σ price × seconds over `[t0, t1)` (USD·s per hour); `None` when `t0` is before the
    /// first point, `t1 < t0`, or on overflow.
    fn price_seconds(&self, t0: Timestamp, t1: Timestamp) -> Option<Decimal> {
        if t1 < t0 || self.points.first().is_none_or(|p| t0 < p.at) {
            return None;
        }
        let mut i = self.points.partition_point(|p| p.at <= t0).checked_sub(1)?;
        let mut total = Decimal::ZERO;
        let mut from = t0;
        while from < t1 {
            let p = self.points.get(i)?;
            let until = self.points.get(i + 1).map_or(t1, |n| n.at.min(t1));
            let secs = Decimal::from(until.0.checked_sub(from.0)?);
            total = total.checked_add(p.price.checked_mul(secs)?)?;
            from = until;
            i += 1;
        }
        Some(total)
    }

    /// The time-weighted average price (USD per instance-hour) over `[t0, t1)`: each price
    /// weighted by how long it held inside the interval. `None` when `t1 <= t0`, `t0` is before
    /// the first point (the price is unknown there), or on arithmetic overflow.
    pub fn average_over(&self, t0: Timestamp, t1: Timestamp) -> Option<Decimal> {
        if t1 <= t0 {
            return None;
        }
        let total = self.price_seconds(t0, t1)?;
        total.checked_div(Decimal::from(t1.0.checked_sub(t0.0)?))
    }

    /// What one instance running over `[t0, t1)` costs at these prices, billed per second
    /// (USD); `None` as for [`SpotSeries::average_over`] (but `t0 == t1` gives zero).
    pub fn cost_over(&self, t0: Timestamp, t1: Timestamp) -> Option<Decimal> {
        self.price_seconds(t0, t1)?
            .checked_div(Decimal::from(3_600))
    }
}

/// Every series of a set of spot records.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpotHistory {
    series: BTreeMap<SpotKey, SpotSeries>,
    duplicates_merged: u64,
    repeats_merged: u64,
}

impl SpotHistory {
    /// Groups records by (instance type, zone, product) and sorts each group by time.
    /// Identical records (same key, instant and price, e.g. from overlapping pages or files)
    /// merge into one; a point repeating the previous price (such as the month-start line of
    /// the ericpauley files) is dropped since the price did not change. Two different prices
    /// for the same key and instant are an error.
    pub fn build(
        records: impl IntoIterator<Item = SpotRecord>,
    ) -> Result<SpotHistory, ComputeError> {
        let mut groups: BTreeMap<SpotKey, Vec<(Timestamp, Decimal, Origin)>> = BTreeMap::new();
        for r in records {
            let key = SpotKey {
                instance_type: r.instance_type,
                zone: r.zone,
                product: r.product,
            };
            groups
                .entry(key)
                .or_default()
                .push((r.timestamp, r.price, r.origin));
        }
        let mut history = SpotHistory::default();
        for (key, mut group) in groups {
            group.sort_by_key(|g| g.0);
            let mut points: Vec<PricePoint> = Vec::with_capacity(group.len());
            let mut prev: Option<(Timestamp, Decimal, &Origin)> = None;
            for (at, price, origin) in &group {
                if let Some((prev_at, prev_price, prev_origin)) = prev
                    && prev_at == *at
                {
                    if prev_price == *price {
                        history.duplicates_merged += 1;
                        continue;
                    }
                    return Err(ComputeError::ConflictingPrices(Box::new(PriceConflict {
                        key: key.to_string(),
                        at: *at,
                        first: prev_price,
                        first_path: prev_origin.path.to_path_buf(),
                        first_line: prev_origin.line,
                        second: *price,
                        second_path: origin.path.to_path_buf(),
                        second_line: origin.line,
                    })));
                }
                prev = Some((*at, *price, origin));
                if points.last().is_some_and(|p| p.price == *price) {
                    history.repeats_merged += 1;
                    continue;
                }
                points.push(PricePoint {
                    at: *at,
                    price: *price,
                });
            }
            history
                .series
                .insert(key.clone(), SpotSeries { key, points });
        }
        Ok(history)
    }

    /// The series of one key.
    pub fn get(&self, key: &SpotKey) -> Option<&SpotSeries> {
        self.series.get(key)
    }

    /// The series whose instance type, zone and product are spelled so.
    pub fn find(&self, instance_type: &str, zone: &str, product: &str) -> Option<&SpotSeries> {
        self.series.values().find(|s| {
            s.key.instance_type.as_str() == instance_type
                && s.key.zone.as_str() == zone
                && s.key.product == product
        })
    }

    /// All series, ordered by key.
    pub fn series(&self) -> impl Iterator<Item = &SpotSeries> {
        self.series.values()
    }

    pub fn len(&self) -> usize {
        self.series.len()
    }

    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }

    /// Identical records merged into one.
    pub fn duplicates_merged(&self) -> u64 {
        self.duplicates_merged
    }

    /// Records dropped because they repeated the price already in effect.
    pub fn repeats_merged(&self) -> u64 {
        self.repeats_merged
    }
}
