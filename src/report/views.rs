//! Views of a `Report` behind one trait: JSON (the saved form itself), a terminal table, CSV
//! line items (one row per policy, month and line) and Markdown; HTML lives in `html`.

use super::model::Report;
use super::summary::summarize;
use crate::output::escape::{csv_cell, terminal};
use crate::units::{Money, decimal_text};
use rust_decimal::Decimal;
use std::io::{self, Write};

/// Renders a report in one format.
pub trait View {
    fn render(&self, r: &Report, out: &mut dyn Write) -> io::Result<()>;
}

/// The report's own JSON (what `report.json` holds).
pub struct JsonView;

impl View for JsonView {
    fn render(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, r)?;
        out.write_all(b"\n")
    }
}

/// Dollars as a report shows them: `$12,345.67`.
pub fn usd(v: Decimal) -> String {
    Money(v).display()
}

/// The terminal table of `costlab simulate`. Names and other strings of the report (it may
/// have been read back from a report.json) go through [`terminal`].
pub struct TableView;

impl View for TableView {
    fn render(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        writeln!(
            out,
            "Scenario {} — {} .. {} (end exclusive), seed {}",
            terminal(&r.scenario),
            terminal(&r.horizon.start),
            terminal(&r.horizon.end),
            r.seed
        )?;
        if let Some(p) = &r.pricing {
            writeln!(
                out,
                "Prices: {} book ({}), effective {}",
                terminal(&p.region),
                terminal(p.files.first().map(String::as_str).unwrap_or("")),
                terminal(&p.effective_date)
            )?;
        }
        let e = &r.evidence;
        writeln!(
            out,
            "Evidence: {} log lines ({} skipped), {} inventory rows, {} objects",
            e.lines.read, e.lines.skipped, e.inventory_rows, e.objects
        )?;
        for (name, t) in e.ledger.sources.iter().filter(|(_, t)| t.skipped > 0) {
            writeln!(
                out,
                "  {name}: {} of {} lines skipped as malformed ({}%)",
                t.skipped,
                t.read,
                t.skipped_pct().round_dp(2).normalize()
            )?;
        }
        if let Some(w) = &e.repeated_week {
            writeln!(
                out,
                "The week {} to {} (exclusive) recurs until {}: its new objects are created again, activity on older objects recurs on them",
                terminal(&w.start),
                terminal(&w.end),
                terminal(&r.horizon.end)
            )?;
        }
        if let Some(f) = e.future.as_ref().filter(|f| f.applies) {
            writeln!(out, "{}", terminal(&super::future_view::headline(f)))?;
            if let Some(t) = f.sensitivity.as_ref().and_then(super::future_view::flip) {
                writeln!(out, "{}", terminal(&t))?;
            }
        }
        if r.policies.is_empty() {
            return compute_lines(r, out);
        }
        let best = r.best_deployable().map(|p| p.total_usd).unwrap_or_default();
        writeln!(out)?;
        writeln!(out, "  {:<28} {:>16} {:>10}", "policy", "total", "vs best")?;
        for p in &r.policies {
            let vs = if p.kind == super::model::BOUND_KIND {
                "floor".to_string()
            } else if p.total_usd == best {
                "best".to_string()
            } else if best.is_zero() {
                "-".to_string()
            } else {
                // Checked: a tiny best total (a hostile report) must not overflow the ratio.
                (p.total_usd - best)
                    .checked_div(best)
                    .and_then(|r| r.checked_mul(Decimal::from(100)))
                    .map_or_else(|| "-".to_string(), |r| format!("{r:+.1}%"))
            };
            writeln!(
                out,
                "  {:<28} {:>16} {:>10}",
                terminal(&p.name),
                usd(p.total_usd),
                vs
            )?;
        }
        writeln!(out)?;
        write!(out, "  {:<28}", "monthly")?;
        if let Some(p) = r.policies.first() {
            for m in &p.months {
                write!(out, " {:>14}", terminal(&m.month))?;
            }
        }
        writeln!(out)?;
        for p in &r.policies {
            write!(out, "  {:<28}", terminal(&p.name))?;
            for m in &p.months {
                write!(out, " {:>14}", usd(m.total_usd))?;
            }
            writeln!(out)?;
        }
        let s = summarize(r);
        if let (Some(c), Some(b), Some(y)) = (&s.current, &s.recommended, s.saving_per_year)
            && c.name != b.name
        {
            writeln!(
                out,
                "\n  {} instead of {} saves {} over the horizon ({} a year).",
                terminal(&b.name),
                terminal(&c.name),
                usd(s.saving.unwrap_or_default()),
                usd(y)
            )?;
        }
        for p in &r.policies {
            if !p.warnings.is_empty() {
                writeln!(
                    out,
                    "\n{}: {} warnings (see --format json)",
                    terminal(&p.name),
                    p.warnings.len()
                )?;
            }
        }
        compute_lines(r, out)
    }
}

fn compute_lines(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    if let Some(c) = &r.compute {
        writeln!(out)?;
        for l in super::compute_view::lines(c) {
            writeln!(out, "  {}", terminal(&l))?;
        }
    }
    Ok(())
}

/// The CSV header of line items (`costlab estimate --format csv` uses the same columns after
/// `policy`).
pub const LINE_HEADER: [&str; 15] = [
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

/// The CSV fields of one line of `month`, in `LINE_HEADER` order. Text columns (month,
/// category, service, region, class, usage_type, band, unit, price_key) go through
/// [`csv_cell`]: a report read back by `costlab report` may hold any text there. Numeric
/// columns (quantity, prices, price_per, discount_pct, cost_usd) are decimals written here and
/// stay numbers, negative ones included.
pub fn line_fields(month: &str, l: &super::model::Line) -> [String; 15] {
    let text = |s: &str| csv_cell(s).into_owned();
    [
        text(month),
        text(&l.category),
        text(&l.service),
        text(&l.region),
        text(&l.class),
        text(&l.usage_type),
        text(&l.band),
        decimal_text(l.quantity),
        text(&l.unit),
        decimal_text(l.unit_price_usd),
        decimal_text(l.list_price_usd),
        l.price_per.to_string(),
        decimal_text(l.discount_pct),
        text(&l.price_key),
        decimal_text(l.cost_usd),
    ]
}

/// Every line item of every policy (`bill.csv`); the policy name is a text column.
pub struct CsvView;

impl View for CsvView {
    fn render(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        let mut header = vec!["policy"];
        header.extend_from_slice(&LINE_HEADER);
        w.write_record(&header)?;
        for p in &r.policies {
            let policy = csv_cell(&p.name);
            for m in &p.months {
                for l in &m.lines {
                    let f = line_fields(&m.month, l);
                    w.write_record(
                        std::iter::once(policy.as_ref()).chain(f.iter().map(String::as_str)),
                    )?;
                }
            }
        }
        w.flush()
    }
}
