//! `index.html`: one self-contained file (inline CSS, charts as inline SVG, no scripts, no
//! external assets) that opens from disk. The executive summary comes first, then storage
//! policies and their charts, line items, and the assumptions. Every string taken from inputs
//! is HTML-escaped.

use super::model::{MonthReport, Report};
use super::summary::{annualize, summarize};
use super::views::View;
use crate::units::{Money, decimal_text};
use rust_decimal::Decimal;
use std::io::{self, Write};

/// A chart to embed: its caption and SVG document.
#[derive(Clone, Debug, PartialEq)]
pub struct Embedded {
    pub id: String,
    pub caption: String,
    pub svg: String,
}

/// The HTML view, with the charts drawn from the same report.
pub struct HtmlView {
    pub charts: Vec<Embedded>,
}

pub use crate::output::escape::html as esc;

fn usd(v: Decimal) -> String {
    esc(&Money(v).display())
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
main{max-width:1240px;margin:0 auto;padding:24px}
h1{margin:0 0 4px;font-size:28px}h2{margin-top:36px;border-bottom:2px solid #d0d5dd;padding-bottom:4px}
.sub{color:#5b6472;margin:0 0 20px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:14px}
.card{background:#fff;border-radius:10px;padding:16px 18px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
.card .k{color:#5b6472;font-size:13px;text-transform:uppercase;letter-spacing:.04em}
.card .v{font-size:28px;font-weight:700;margin:6px 0 2px}.card .n{color:#5b6472;font-size:13px}
.good .v{color:#007a55}
table{border-collapse:collapse;background:#fff;width:100%;margin:10px 0;font-size:14px}
th,td{padding:6px 10px;border-bottom:1px solid #e4e7ec;text-align:left}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
figure{background:#fff;border-radius:10px;padding:10px;margin:16px 0;box-shadow:0 1px 3px rgba(0,0,0,.12)}
figure svg{width:100%;height:auto}figcaption{color:#5b6472;font-size:13px;padding:4px 8px}
details{margin:8px 0}summary{cursor:pointer;font-weight:600}
.risks li{margin:4px 0}.muted{color:#5b6472;font-size:13px}";

impl View for HtmlView {
    fn render(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        let s = summarize(r);
        let title = format!("costlab — {}", r.scenario);
        write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body><main>\n",
            esc(&title)
        )?;
        writeln!(out, "<h1>{}</h1>", esc(&r.scenario))?;
        writeln!(
            out,
            "<p class=\"sub\">What the AWS bill would be under each choice, {} to {} ({} months). Seed {}.</p>",
            esc(&r.horizon.start),
            esc(&r.horizon.end),
            s.horizon_months,
            r.seed
        )?;
        // Executive summary.
        writeln!(
            out,
            "<section id=\"summary\"><h2>Summary</h2><div class=\"cards\">"
        )?;
        let card = |out: &mut dyn Write, class: &str, k: &str, v: String, n: String| {
            writeln!(
                out,
                "<div class=\"card {class}\"><div class=\"k\">{}</div><div class=\"v\">{v}</div><div class=\"n\">{n}</div></div>",
                esc(k)
            )
        };
        if let Some(c) = &s.current {
            card(
                out,
                "",
                "Cost today, per year",
                usd(c.per_year_usd),
                format!("{} · {} over the horizon", esc(&c.name), usd(c.total_usd)),
            )?;
        }
        if let Some(b) = &s.recommended {
            card(
                out,
                "",
                "Recommended, per year",
                usd(b.per_year_usd),
                format!("{} · {} over the horizon", esc(&b.name), usd(b.total_usd)),
            )?;
        }
        if let Some(y) = s.saving_per_year {
            card(
                out,
                "good",
                "Saving per year",
                usd(y),
                s.saving_pct
                    .map(|p| format!("{p}% of today's cost"))
                    .unwrap_or_default(),
            )?;
        }
        if let (Some(b), Some(rec)) = (&s.bound, &s.recommended) {
            card(
                out,
                "",
                "Clairvoyant bound, per year",
                usd(b.per_year_usd),
                format!(
                    "no compared policy is cheaper for any object; recommended is {} above",
                    usd(rec.total_usd - b.total_usd)
                ),
            )?;
        }
        if let Some(c) = &r.compute {
            card(
                out,
                "",
                "Compute, per year",
                usd(annualize(c.total_amortized_usd, s.horizon_days)),
                format!(
                    "{} over the horizon (upfronts amortized; {} as cash)",
                    usd(c.total_amortized_usd),
                    usd(c.total_cash_usd)
                ),
            )?;
            let placements: Vec<_> = c
                .alternatives
                .iter()
                .map(super::compute_view::placement)
                .collect();
            let saving: Decimal = placements.iter().map(|p| p.saving()).sum();
            if saving > Decimal::ZERO {
                card(
                    out,
                    "good",
                    "Jobs on the right service, per year",
                    usd(annualize(saving, s.horizon_days)),
                    "saved by running each job class on its cheapest feasible service".into(),
                )?;
            }
        }
        writeln!(out, "</div>")?;
        if s.risks.is_empty() {
            writeln!(
                out,
                "<p class=\"muted\">No restore waits, early deletions or unconfirmed prices under the recommendation.</p>"
            )?;
        } else {
            writeln!(out, "<h3>Risks</h3><ul class=\"risks\">")?;
            for risk in &s.risks {
                writeln!(out, "<li>{}</li>", esc(risk))?;
            }
            writeln!(out, "</ul>")?;
        }
        writeln!(out, "</section>")?;
        if let Some(c) = &r.compute {
            super::compute_view::html(out, c)?;
            for c in self.charts.iter().filter(|c| c.id.starts_with("compute-")) {
                figure(out, c)?;
            }
        }
        if !r.policies.is_empty() {
            writeln!(out, "<section id=\"storage\"><h2>Storage policies</h2>")?;
            policy_table(out, r, s.horizon_days)?;
            for c in self.charts.iter().filter(|c| !c.id.starts_with("compute-")) {
                figure(out, c)?;
            }
            category_table(out, r)?;
            writeln!(out, "</section>")?;
        }
        if let Some(l) = r.optimize.as_ref().and_then(|o| o.lifecycle.as_ref()) {
            super::recommendation::html(out, l)?;
        }
        if let Some(f) = &r.evidence.future {
            super::future_view::html(out, f)?;
        }
        if let Some(f) = r.optimize.as_ref().and_then(|o| o.fleet.as_ref()) {
            super::recommendation::fleet_html(out, f)?;
        }
        writeln!(out, "<section id=\"lines\"><h2>Line items</h2>")?;
        for p in &r.policies {
            line_items(out, &p.name, p.total_usd, &p.months)?;
        }
        if let Some(c) = &r.compute {
            line_items(out, "compute fleet", c.bill.total_usd, &c.bill.months)?;
        }
        writeln!(out, "</section>")?;
        assumptions(out, r)?;
        writeln!(out, "</main></body>\n</html>")
    }
}

fn figure(out: &mut dyn Write, c: &Embedded) -> io::Result<()> {
    writeln!(
        out,
        "<figure id=\"{}\">{}<figcaption>{}</figcaption></figure>",
        esc(&c.id),
        c.svg,
        esc(&c.caption)
    )
}

fn policy_table(out: &mut dyn Write, r: &Report, days: i64) -> io::Result<()> {
    writeln!(
        out,
        "<table><thead><tr><th>Policy</th><th class=\"num\">Total</th><th class=\"num\">Per year</th><th class=\"num\">Above the bound</th><th class=\"num\">Restores</th><th class=\"num\">Max restore wait (h)</th><th class=\"num\">Objects transitioned</th></tr></thead><tbody>"
    )?;
    for p in &r.policies {
        let transitioned: u64 = p.stats.objects_transitioned.values().sum();
        writeln!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&p.name),
            usd(p.total_usd),
            usd(annualize(p.total_usd, days)),
            p.above_bound_usd.map(usd).unwrap_or_else(|| "–".into()),
            p.stats.restores,
            p.stats.restore_wait_hours_max,
            transitioned
        )?;
    }
    writeln!(out, "</tbody></table>")
}

fn category_table(out: &mut dyn Write, r: &Report) -> io::Result<()> {
    let totals: Vec<_> = r
        .policies
        .iter()
        .map(|p| super::model::category_totals(&p.months))
        .collect();
    let mut cats: Vec<&String> = totals.iter().flat_map(|t| t.keys()).collect();
    cats.sort();
    cats.dedup();
    writeln!(
        out,
        "<h3>Cost by category over the horizon</h3><table><thead><tr><th>Category</th>"
    )?;
    for p in &r.policies {
        writeln!(out, "<th class=\"num\">{}</th>", esc(&p.name))?;
    }
    writeln!(out, "</tr></thead><tbody>")?;
    for c in cats {
        write!(out, "<tr><td>{}</td>", esc(c))?;
        for t in &totals {
            write!(
                out,
                "<td class=\"num\">{}</td>",
                usd(t.get(c).copied().unwrap_or_default())
            )?;
        }
        writeln!(out, "</tr>")?;
    }
    writeln!(out, "</tbody></table>")
}

fn line_items(
    out: &mut dyn Write,
    name: &str,
    total: Decimal,
    months: &[MonthReport],
) -> io::Result<()> {
    let n: usize = months.iter().map(|m| m.lines.len()).sum();
    writeln!(
        out,
        "<details><summary>{} — {} ({} lines)</summary><table><thead><tr><th>Month</th><th>Category</th><th>Usage type</th><th class=\"num\">Quantity</th><th>Unit</th><th class=\"num\">Unit price</th><th class=\"num\">Cost</th></tr></thead><tbody>",
        esc(name),
        usd(total),
        n
    )?;
    for m in months {
        for l in &m.lines {
            writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">${}</td><td class=\"num\">{}</td></tr>",
                esc(&m.month),
                esc(&l.category),
                esc(&l.usage_type),
                esc(&decimal_text(l.quantity.round_dp(6))),
                esc(&l.unit),
                esc(&decimal_text(l.unit_price_usd)),
                usd(l.cost_usd)
            )?;
        }
    }
    writeln!(out, "</tbody></table></details>")
}

/// The evidence ledger: per source, lines read, used, left out and skipped, with reasons and
/// the first examples of skipped lines.
fn ledger(out: &mut dyn Write, l: &crate::trace::ledger::Ledger) -> io::Result<()> {
    if l.sources.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "<h3 id=\"evidence\">Evidence read</h3><table><thead><tr><th>Source</th><th class=\"num\">Lines read</th><th class=\"num\">Used</th><th class=\"num\">Left out</th><th class=\"num\">Skipped (malformed)</th></tr></thead><tbody>"
    )?;
    for (name, t) in &l.sources {
        writeln!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(name),
            t.read,
            t.used,
            t.not_replayed_total(),
            t.skipped
        )?;
    }
    writeln!(out, "</tbody></table><ul>")?;
    for (name, t) in &l.sources {
        for (reason, n) in &t.not_replayed {
            writeln!(
                out,
                "<li>{}: {n} left out: {}.</li>",
                esc(name),
                esc(reason)
            )?;
        }
        for (reason, n) in &t.skip_reasons {
            writeln!(out, "<li>{}: {n} skipped: {}.</li>", esc(name), esc(reason))?;
        }
        for ex in &t.examples {
            writeln!(
                out,
                "<li class=\"muted\">e.g. <code>{}</code></li>",
                esc(ex)
            )?;
        }
    }
    writeln!(out, "</ul>")
}

fn assumptions(out: &mut dyn Write, r: &Report) -> io::Result<()> {
    writeln!(out, "<section id=\"assumptions\"><h2>Assumptions</h2><ul>")?;
    if let Some(p) = &r.pricing {
        writeln!(
            out,
            "<li>Prices: {} book, source {}, effective {} ({}).</li>",
            esc(&p.region),
            esc(&p.source),
            esc(&p.effective_date),
            esc(&p.files.join(", "))
        )?;
    }
    writeln!(
        out,
        "<li>Horizon {} to {} (end exclusive, UTC); seed {}; binary GB (2<sup>30</sup> bytes).</li>",
        esc(&r.horizon.start),
        esc(&r.horizon.end),
        r.seed
    )?;
    let e = &r.evidence;
    writeln!(out, "<li>Evidence: {} objects replayed.</li>", e.objects)?;
    if let Some(w) = &e.repeated_week {
        writeln!(
            out,
            "<li>The week {} to {} (exclusive) recurs until the horizon ends: objects created in it are created again each week, and activity on older objects recurs on them.</li>",
            esc(&w.start),
            esc(&w.end)
        )?;
    }
    if !e.prefixes.is_empty() {
        writeln!(
            out,
            "</ul><h3>Busiest prefixes in the evidence</h3><table><thead><tr><th>Prefix</th><th class=\"num\">Objects</th><th class=\"num\">Reads</th><th class=\"num\">GiB (latest versions)</th></tr></thead><tbody>"
        )?;
        for p in &e.prefixes {
            writeln!(
                out,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                esc(&p.prefix),
                p.objects,
                p.reads,
                (Decimal::from(p.bytes) / Decimal::from(crate::units::GIB)).round_dp(2)
            )?;
        }
        writeln!(out, "</tbody></table><ul>")?;
    }
    writeln!(
        out,
        "<li>The clairvoyant bound stores each object the cheapest way knowing its future reads and deletion (downward class paths, or any compared policy); it is a floor, not a policy.</li>"
    )?;
    writeln!(out, "</ul>")?;
    ledger(out, &e.ledger)?;
    let mut warnings: Vec<&String> = r.policies.iter().flat_map(|p| &p.warnings).collect();
    warnings.sort();
    warnings.dedup();
    if !warnings.is_empty() {
        writeln!(out, "<h3>Warnings</h3><ul>")?;
        for w in warnings {
            writeln!(out, "<li>{}</li>", esc(w))?;
        }
        writeln!(out, "</ul>")?;
    }
    writeln!(out, "</section>")
}
