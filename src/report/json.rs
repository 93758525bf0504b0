//! The versioned JSON bill: `{"schema_version":1,"currency":"USD","pricing":{…},"months":[…],
//! "total_usd":…,"warnings":[…]}`. Amounts are exact decimals (at most 12 places), not floats.

use super::{Exporter, SCHEMA_VERSION};
use crate::cost::{Bill, LineItem};
use crate::units::decimal_text;
use rust_decimal::Decimal;
use serde_json::{Map, Number, Value, json};
use std::io::{self, Write};
use std::str::FromStr;

pub struct Json;

/// An exact decimal as a JSON number (every digit kept).
pub fn num(v: Decimal) -> Value {
    // decimal_text always yields a valid JSON number; arbitrary_precision keeps every digit.
    Number::from_str(&decimal_text(v))
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

fn line(l: &LineItem) -> Value {
    let mut m = Map::new();
    m.insert("category".into(), json!(l.category.as_str()));
    m.insert("service".into(), json!(l.service));
    m.insert("region".into(), json!(l.region.as_str()));
    m.insert("class".into(), json!(l.class));
    m.insert("usage_type".into(), json!(l.usage_type));
    m.insert("band".into(), json!(l.band));
    m.insert("quantity".into(), num(l.quantity));
    m.insert("unit".into(), json!(l.unit.as_str()));
    m.insert("unit_price_usd".into(), num(l.unit_price));
    m.insert("list_price_usd".into(), num(l.list_price));
    m.insert("price_per".into(), json!(l.price_per));
    m.insert("discount_pct".into(), num(l.discount_pct));
    m.insert("price_key".into(), json!(l.price_key));
    m.insert("cost_usd".into(), num(l.cost.usd()));
    Value::Object(m)
}

/// The bill as a JSON value.
pub fn bill_json(bill: &Bill) -> Value {
    let months: Vec<Value> = bill
        .months
        .iter()
        .map(|m| {
            json!({
                "month": m.month.to_string(),
                "total_usd": num(m.total.usd()),
                "lines": m.lines.iter().map(line).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "schema_version": SCHEMA_VERSION,
        "currency": "USD",
        "pricing": {
            "source": bill.pricing.source,
            "effective_date": bill.pricing.effective_date,
            "region": bill.pricing.region.as_str(),
            "files": bill.pricing.files,
        },
        "months": months,
        "total_usd": num(bill.total.usd()),
        "warnings": bill.warnings,
    })
}

impl Exporter for Json {
    fn export(&self, bill: &Bill, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, &bill_json(bill))?;
        out.write_all(b"\n")
    }
}
