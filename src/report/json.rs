//! The versioned JSON bill: `{"schema_version":1,"currency":"USD","pricing":{…},"months":[…],
//! "total_usd":…,"warnings":[…]}`. Amounts are exact decimals (at most 12 places), not floats.

use super::{Exporter, SCHEMA_VERSION};
use crate::cost::{Bill, LineItem};
use crate::units::decimal_text;
use rust_decimal::Decimal;
use serde_json::{Number, Value, json};
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
    serde_json::to_value(super::model::Line::from(l)).unwrap_or(Value::Null)
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
