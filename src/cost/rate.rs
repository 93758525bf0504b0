//! `rate()`: Usage × price books → Bill.

use super::describe::{PriceSource, describe, same_region_transfer};
use super::{Bill, LineItem, LineSpec, MonthBill, PricingInfo};
use crate::aws::PurchaseOption;
use crate::meter::{Meter, Usage};
use crate::pricing::{
    Catalog, Confidence, EntryKind, PriceBook, PriceKey, PricePath, PricingError, Tier, Unit, Value,
};
use crate::units::{MAX_USD, Money, Month};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};
use thiserror::Error;

/// The services a discount can name.
pub const SERVICES: &[&str] = &[
    "s3",
    "data-transfer",
    "ec2",
    "emr",
    "emr-serverless",
    "glue",
    "lambda",
];

#[derive(Clone, Debug, Default, PartialEq)]
pub struct RateOptions {
    /// Negotiated discount in percent per service (`s3` → 10 means 10% off every S3 line).
    pub discounts: BTreeMap<String, Decimal>,
}

#[derive(Debug, Error)]
pub enum CostError {
    #[error(transparent)]
    Pricing(#[from] PricingError),
    #[error("{month} {region}: {what}")]
    Usage {
        month: Month,
        region: String,
        what: String,
    },
    #[error("--discount {service}={pct}: services are {}; a percentage is 0..=100", SERVICES.join(", "))]
    Discount { service: String, pct: Decimal },
    #[error("{what} is more than {max}: check the quantities and prices")]
    Total { what: String, max: String },
}

/// Rates every month of `usage` with the catalog's books.
pub fn rate(usage: &Usage, catalog: &Catalog, opts: &RateOptions) -> Result<Bill, CostError> {
    for (service, pct) in &opts.discounts {
        if !SERVICES.contains(&service.as_str())
            || *pct < Decimal::ZERO
            || *pct > Decimal::from(100)
        {
            return Err(CostError::Discount {
                service: service.clone(),
                pct: *pct,
            });
        }
    }
    let home = catalog.home();
    let mut warnings = BTreeSet::new();
    let mut months = Vec::new();
    for (month, regions) in &usage.months {
        // Free allowances are account-wide: one pool per month across regions.
        let mut allowance_left: BTreeMap<PricePath, Decimal> = BTreeMap::new();
        let mut lines = Vec::new();
        for (region, set) in regions {
            let book = catalog.book(region)?;
            let mut rater = Rater {
                month: *month,
                book,
                opts,
                usage,
                allowance_left: &mut allowance_left,
                position: BTreeMap::new(),
                warnings: &mut warnings,
                lines: &mut lines,
            };
            for (meter, base) in set {
                if base.is_zero() {
                    continue;
                }
                if same_region_transfer(meter, region) {
                    return Err(CostError::Usage {
                        month: *month,
                        region: region.to_string(),
                        what: "inter-region transfer to the same region (it is free, not inter-region)".into(),
                    });
                }
                rater.rate_meter(meter, *base)?;
            }
        }
        let total = checked_total(lines.iter().map(|l: &LineItem| l.cost), || {
            format!("{month}: the month's total")
        })?;
        months.push(MonthBill {
            month: *month,
            lines,
            total,
        });
    }
    let total = checked_total(months.iter().map(|m| m.total), || {
        "the bill's total".to_string()
    })?;
    Ok(Bill {
        pricing: PricingInfo {
            region: home.region.clone(),
            source: home.source.clone(),
            effective_date: home.effective_date.clone(),
            files: home.files.clone(),
        },
        months,
        total,
        warnings: warnings.into_iter().collect(),
    })
}

fn max_bill_text() -> String {
    format!("{} (10^15)", crate::units::format_usd(MAX_USD))
}

/// The sum of `items`, or an error when it passes `MAX_USD`.
fn checked_total(
    items: impl Iterator<Item = Money>,
    what: impl Fn() -> String,
) -> Result<Money, CostError> {
    let mut total = Decimal::ZERO;
    for m in items {
        total = total
            .checked_add(m.0)
            .filter(|t| t.abs() <= MAX_USD)
            .ok_or_else(|| CostError::Total {
                what: what(),
                max: max_bill_text(),
            })?;
    }
    Ok(Money(total))
}

struct Rater<'a> {
    month: Month,
    book: &'a PriceBook,
    opts: &'a RateOptions,
    usage: &'a Usage,
    allowance_left: &'a mut BTreeMap<PricePath, Decimal>,
    /// Quantity already billed in each banded price this month and region.
    position: BTreeMap<PricePath, Decimal>,
    warnings: &'a mut BTreeSet<String>,
    lines: &'a mut Vec<LineItem>,
}

impl Rater<'_> {
    fn rate_meter(&mut self, meter: &Meter, base: Decimal) -> Result<(), CostError> {
        let spec = describe(meter, self.month);
        let qty = base / spec.divisor;
        match &spec.price {
            PriceSource::SpotEstimate(it) => {
                let od_key = PriceKey::Ec2Hourly(it.clone(), PurchaseOption::OnDemand);
                let od = self.flat_price(&od_key)?;
                let path = PricePath::new(["ec2", "spot_advisor", it.as_str(), "savings_pct"]);
                let pct = self.book.flat(&path).ok_or_else(|| PricingError::Missing {
                    region: self.book.region.to_string(),
                    key: path.to_string(),
                    file: self.book.files[0].clone(),
                })?;
                self.warnings.insert(format!(
                    "{}: Spot for {it} is estimated as On-Demand × (1 − {pct}% Spot Advisor saving), not an observed price",
                    self.book.region
                ));
                let price = od * (Decimal::ONE - pct / Decimal::from(100));
                self.push(
                    &spec,
                    qty,
                    (price, 1, Unit::Hours),
                    String::new(),
                    path.to_string(),
                )?;
            }
            PriceSource::Key(key) => self.rate_key(&spec, key, qty)?,
            PriceSource::AsMetered => self.push(
                &spec,
                qty,
                (Decimal::ONE, 1, Unit::Usd),
                String::new(),
                "as metered (a commitment fee or an observed price series)".into(),
            )?,
        }
        Ok(())
    }

    fn flat_price(&mut self, key: &PriceKey) -> Result<Decimal, CostError> {
        let e = self.book.price(key)?;
        self.note_confidence(key, e);
        match e.value {
            Value::Flat(v) => Ok(v),
            _ => Err(CostError::Usage {
                month: self.month,
                region: self.book.region.to_string(),
                what: format!("`{}` must be a single price here", key.path()),
            }),
        }
    }

    fn note_confidence(&mut self, key: &PriceKey, e: &crate::pricing::Entry) {
        if e.confidence != Confidence::Confirmed {
            let note = e
                .note
                .clone()
                .or_else(|| self.book.table_of(e).note.clone())
                .unwrap_or_default();
            self.warnings.insert(format!(
                "{}: price `{}` is {} ({}){}",
                self.book.region,
                key.path(),
                e.confidence.as_str(),
                self.book.table_of(e).source,
                if note.is_empty() {
                    String::new()
                } else {
                    format!(": {note}")
                }
            ));
        }
    }

    fn rate_key(&mut self, spec: &LineSpec, key: &PriceKey, qty: Decimal) -> Result<(), CostError> {
        let path = key.path();
        let entry = self.book.price(key)?;
        self.note_confidence(key, entry);
        let (per, unit) = match crate::pricing::schema_kind(&path) {
            Some(EntryKind::Price { per, unit, .. }) => (per, unit),
            _ => {
                return Err(CostError::Usage {
                    month: self.month,
                    region: self.book.region.to_string(),
                    what: format!("`{path}` is not a price"),
                });
            }
        };
        let key_text = path.to_string();
        let mut remaining = qty;
        if let (Some(allow), true) = (entry.free_allowance, self.usage.free_tier.apply) {
            let initial = match (key, self.usage.free_tier.internet_out_gb) {
                (PriceKey::TransferInternetOut, Some(gb)) => gb.min(allow),
                _ => allow,
            };
            let left = self.allowance_left.entry(path.clone()).or_insert(initial);
            let free = remaining.min(*left);
            if free > Decimal::ZERO {
                *left -= free;
                remaining -= free;
                self.push(
                    spec,
                    free,
                    (Decimal::ZERO, per, unit),
                    "free allowance".into(),
                    key_text.clone(),
                )?;
            }
        }
        if remaining.is_zero() {
            return Ok(());
        }
        match &entry.value {
            Value::Flat(p) => {
                let p = *p;
                self.push(spec, remaining, (p, per, unit), String::new(), key_text)?;
            }
            Value::Tiers(bands) => {
                let bands = bands.clone();
                let pos = self.position.entry(path).or_insert(Decimal::ZERO);
                let start = *pos;
                *pos = pos.saturating_add(remaining);
                for (q, price, label) in split_bands(&bands, start, remaining) {
                    self.push(spec, q, (price, per, unit), label, key_text.clone())?;
                }
            }
            Value::Bool(_) => {
                return Err(CostError::Usage {
                    month: self.month,
                    region: self.book.region.to_string(),
                    what: format!("`{key_text}` is not a price"),
                });
            }
        }
        Ok(())
    }

    /// Adds a line of `qty` billed units at `list_price` per `per` units of `unit`; a cost
    /// past `MAX_USD` (or past what a Decimal holds) is an error naming the price.
    fn push(
        &mut self,
        spec: &LineSpec,
        qty: Decimal,
        price: (Decimal, u64, Unit),
        band: String,
        key: String,
    ) -> Result<(), CostError> {
        let (list_price, per, unit) = price;
        let pct = self
            .opts
            .discounts
            .get(spec.service)
            .copied()
            .unwrap_or(Decimal::ZERO);
        let factor = Decimal::ONE - pct / Decimal::from(100);
        let per_d = Decimal::from(per);
        // A product past Decimal's range, or an absurd one, is an input error, never a panic
        // or a saturated total.
        let cost = qty
            .checked_mul(list_price)
            .and_then(|c| c.checked_div(per_d))
            .and_then(|c| c.checked_mul(factor))
            .filter(|c| c.abs() <= MAX_USD)
            .ok_or_else(|| CostError::Usage {
                month: self.month,
                region: self.book.region.to_string(),
                what: format!(
                    "{qty} {} at `{key}` = {list_price} per {per} costs more than {}: check the \
                     quantity and the price",
                    unit.as_str(),
                    max_bill_text()
                ),
            })?;
        self.lines.push(LineItem {
            month: self.month,
            category: spec.category,
            service: spec.service,
            region: self.book.region.clone(),
            class: spec.class.clone(),
            usage_type: spec.usage_type.clone(),
            band,
            quantity: qty,
            unit,
            unit_price: list_price / per_d * factor,
            list_price,
            price_per: per,
            discount_pct: pct,
            price_key: key,
            cost: Money(cost),
        });
        Ok(())
    }
}

/// Splits `qty` units that start at cumulative position `start` across volume bands:
/// (quantity, price, band label) per band touched.
pub fn split_bands(
    bands: &[Tier],
    start: Decimal,
    qty: Decimal,
) -> Vec<(Decimal, Decimal, String)> {
    let mut out = Vec::new();
    let mut lo = Decimal::ZERO;
    let mut pos = start;
    let mut left = qty;
    for (i, b) in bands.iter().enumerate() {
        if left <= Decimal::ZERO {
            break;
        }
        let hi = b.up_to;
        if let Some(hi) = hi
            && pos >= hi
        {
            lo = hi;
            continue;
        }
        let room = hi.map(|h| h - pos.max(lo)).unwrap_or(left);
        let take = left.min(room);
        let label = match (i, hi) {
            (_, None) if i == 0 => String::new(),
            (0, Some(h)) => format!("first {}", h.normalize()),
            (_, Some(h)) => format!("{}-{}", lo.normalize(), h.normalize()),
            (_, None) => format!("over {}", lo.normalize()),
        };
        out.push((take, b.usd, label));
        left -= take;
        pos = pos.saturating_add(take);
        if let Some(h) = hi {
            lo = h;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bands() -> Vec<Tier> {
        vec![
            Tier {
                up_to: Some(Decimal::from(51200)),
                usd: Decimal::new(23, 3),
            },
            Tier {
                up_to: Some(Decimal::from(512000)),
                usd: Decimal::new(22, 3),
            },
            Tier {
                up_to: None,
                usd: Decimal::new(21, 3),
            },
        ]
    }

    #[test]
    fn bands_split_a_month_total() {
        let s = split_bands(&bands(), Decimal::ZERO, Decimal::from(52900));
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].0, Decimal::from(51200));
        assert_eq!(s[1].0, Decimal::from(1700));
        assert_eq!(s[1].2, "51200-512000");
    }

    #[test]
    fn bands_continue_from_a_position() {
        let s = split_bands(&bands(), Decimal::from(51000), Decimal::from(600000));
        let q: Vec<Decimal> = s.iter().map(|x| x.0).collect();
        assert_eq!(
            q,
            vec![
                Decimal::from(200),
                Decimal::from(460800),
                Decimal::from(139000)
            ]
        );
        assert_eq!(s[2].2, "over 512000");
        let s = split_bands(&bands(), Decimal::from(600000), Decimal::from(5));
        assert_eq!(
            s,
            vec![(
                Decimal::from(5),
                Decimal::new(21, 3),
                "over 512000".to_string()
            )]
        );
    }
}
