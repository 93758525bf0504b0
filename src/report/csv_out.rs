//! One CSV row per line item, with the month; amounts as exact decimals.

use super::Exporter;
use crate::cost::{Bill, LineItem};
use crate::units::Month;
use crate::units::decimal_text;
use std::io::{self, Write};

pub struct Csv;

pub const HEADER: [&str; 15] = [
    "month",
    "category",
    "service",
    "region",
    "class",
    "usage_type",
    "band",
    "quantity",
    "unit",
    "unit_price_usd",
    "list_price_usd",
    "price_per",
    "discount_pct",
    "price_key",
    "cost_usd",
];

/// The CSV fields of one line item of `month`, in `HEADER` order.
pub fn line_record(month: Month, l: &LineItem) -> [String; 15] {
    [
        month.to_string(),
        l.category.to_string(),
        l.service.to_string(),
        l.region.to_string(),
        l.class.clone(),
        l.usage_type.clone(),
        l.band.clone(),
        decimal_text(l.quantity),
        l.unit.as_str().to_string(),
        decimal_text(l.unit_price),
        decimal_text(l.list_price),
        l.price_per.to_string(),
        decimal_text(l.discount_pct),
        l.price_key.clone(),
        decimal_text(l.cost.usd()),
    ]
}

impl Exporter for Csv {
    fn export(&self, bill: &Bill, out: &mut dyn Write) -> io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(HEADER)?;
        for m in &bill.months {
            for l in &m.lines {
                w.write_record(line_record(m.month, l))?;
            }
        }
        w.flush()
    }
}
