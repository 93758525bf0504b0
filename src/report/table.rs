//! A human-readable bill: one block per month, costs in cents, then the total and warnings.
//! Text from inputs (regions, classes, usage types, file names, warnings) goes through
//! [`terminal`].

use super::Exporter;
use crate::cost::{Bill, LineItem};
use crate::output::escape::terminal;
use crate::units::decimal_text;
use rust_decimal::Decimal;
use std::io::{self, Write};

pub struct Table;

/// A quantity with thousands separators and at most 6 decimals.
pub fn quantity_text(q: Decimal) -> String {
    let r = q.round_dp(6).normalize();
    let s = r.to_string();
    let (int, frac) = s
        .split_once('.')
        .map(|(a, b)| (a.to_string(), Some(b.to_string())))
        .unwrap_or((s.clone(), None));
    let (sign, digits) = int
        .strip_prefix('-')
        .map(|d| ("-", d.to_string()))
        .unwrap_or(("", int.clone()));
    let mut g = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            g.push(',');
        }
        g.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{g}.{f}"),
        None => format!("{sign}{g}"),
    }
}

fn rate_text(l: &LineItem) -> String {
    let per = if l.price_per == 1 {
        String::new()
    } else {
        format!("{} ", quantity_text(Decimal::from(l.price_per)))
    };
    let disc = if l.discount_pct.is_zero() {
        String::new()
    } else {
        format!(" −{}%", decimal_text(l.discount_pct))
    };
    format!(
        "${} per {per}{}{disc}",
        decimal_text(l.list_price),
        l.unit.as_str()
    )
}

impl Exporter for Table {
    fn export(&self, bill: &Bill, out: &mut dyn Write) -> io::Result<()> {
        writeln!(
            out,
            "Prices: {} book ({}), effective {}",
            terminal(&bill.pricing.region.to_string()),
            terminal(bill.pricing.files.first().map(String::as_str).unwrap_or("")),
            terminal(&bill.pricing.effective_date)
        )?;
        for m in &bill.months {
            writeln!(out)?;
            writeln!(out, "{}", m.month)?;
            let rows: Vec<[String; 6]> = m
                .lines
                .iter()
                .map(|l| {
                    let what = if l.band.is_empty() {
                        l.usage_type.clone()
                    } else {
                        format!("{} ({})", l.usage_type, l.band)
                    };
                    [
                        l.category.to_string(),
                        format!("{} {}", l.region, l.class).trim().to_string(),
                        what,
                        format!("{} {}", quantity_text(l.quantity), l.unit.as_str()),
                        rate_text(l),
                        l.cost.display(),
                    ]
                    .map(|c| terminal(&c).into_owned())
                })
                .collect();
            let mut w = [0usize; 6];
            for r in &rows {
                for (i, c) in r.iter().enumerate() {
                    w[i] = w[i].max(c.chars().count());
                }
            }
            for r in &rows {
                writeln!(
                    out,
                    "  {:<w0$}  {:<w1$}  {:<w2$}  {:>w3$}  {:<w4$}  {:>w5$}",
                    r[0],
                    r[1],
                    r[2],
                    r[3],
                    r[4],
                    r[5],
                    w0 = w[0],
                    w1 = w[1],
                    w2 = w[2],
                    w3 = w[3],
                    w4 = w[4],
                    w5 = w[5]
                )?;
            }
            if rows.is_empty() {
                writeln!(out, "  (no usage)")?;
            }
            writeln!(out, "  month total {}", m.total.display())?;
        }
        writeln!(out)?;
        writeln!(out, "Total {}", bill.total.display())?;
        if !bill.warnings.is_empty() {
            writeln!(out)?;
            writeln!(out, "Warnings ({}):", bill.warnings.len())?;
            for w in &bill.warnings {
                writeln!(out, "  - {}", terminal(w))?;
            }
        }
        Ok(())
    }
}
