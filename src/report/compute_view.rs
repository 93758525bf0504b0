//! The compute part of the views: the fleet's cost (upfronts amortized and as cash), the Spot
//! Monte Carlo, and each job class priced on every service with the cheapest marked — the
//! figures the table, Markdown and HTML views share.

use super::html::esc;
use super::model::{ComputeReport, JobClassReport};
use super::views::usd;
use rust_decimal::Decimal;
use std::io::{self, Write};

/// The option a class runs on today (most of its jobs), its cost, and the cheapest feasible
/// option with its cost.
pub struct Placement<'a> {
    pub class: &'a str,
    pub today: Option<(&'a str, Decimal)>,
    pub cheapest: Option<(&'a str, Decimal)>,
}

impl Placement<'_> {
    /// What moving the class to its cheapest option saves over the horizon.
    pub fn saving(&self) -> Decimal {
        match (self.today, self.cheapest) {
            (Some((_, t)), Some((_, c))) if t > c => t - c,
            _ => Decimal::ZERO,
        }
    }
}

pub fn placement(c: &JobClassReport) -> Placement<'_> {
    let today = c
        .options
        .iter()
        .filter(|o| o.current_jobs > 0)
        .max_by_key(|o| o.current_jobs)
        .and_then(|o| o.cost_usd.map(|v| (o.option.as_str(), v)));
    let cheapest = c
        .options
        .iter()
        .filter_map(|o| o.cost_usd.map(|v| (o.option.as_str(), v)))
        .min_by(|a, b| a.1.cmp(&b.1));
    Placement {
        class: &c.class,
        today,
        cheapest,
    }
}

/// Plain-text lines for the terminal table and Markdown.
pub fn lines(c: &ComputeReport) -> Vec<String> {
    let mut out = vec![format!(
        "Compute: {} over the horizon with upfronts amortized, {} as cash.",
        usd(c.total_amortized_usd),
        usd(c.total_cash_usd)
    )];
    if let Some(m) = &c.monte_carlo {
        out.push(format!(
            "Spot interruptions ({} runs, seed {}): mean {}, p50 {}, p95 {}; {:.2} interruptions and {:.2} h of rework per run on average.",
            m.runs,
            m.seed,
            usd(m.cost_mean_usd),
            usd(m.cost_p50_usd),
            usd(m.cost_p95_usd),
            m.interruptions_mean,
            m.rework_hours_mean
        ));
    }
    for class in &c.alternatives {
        let p = placement(class);
        if let (Some((t, tc)), Some((b, bc))) = (p.today, p.cheapest)
            && p.saving() > Decimal::ZERO
        {
            out.push(format!(
                "Jobs {} ({} runs) on {t} cost {}; on {b} they would cost {} (saves {}).",
                p.class,
                class.jobs,
                usd(tc),
                usd(bc),
                usd(p.saving())
            ));
        }
    }
    out
}

pub fn html(out: &mut dyn Write, c: &ComputeReport) -> io::Result<()> {
    writeln!(out, "<section id=\"compute\"><h2>Compute</h2>")?;
    writeln!(
        out,
        "<table><thead><tr><th>Month</th><th class=\"num\">On-Demand</th><th class=\"num\">RI hourly</th><th class=\"num\">RI upfront (amortized)</th><th class=\"num\">RI upfront (cash)</th><th class=\"num\">Savings Plans</th><th class=\"num\">Spot</th><th class=\"num\">Total (amortized)</th><th class=\"num\">Total (cash)</th></tr></thead><tbody>"
    )?;
    for m in &c.months {
        writeln!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&m.month),
            usd(m.on_demand_usd),
            usd(m.reserved_hourly_usd),
            usd(m.reserved_upfront_amortized_usd),
            usd(m.reserved_upfront_cash_usd),
            usd(m.savings_plans_usd),
            usd(m.spot_usd),
            usd(m.total_amortized_usd),
            usd(m.total_cash_usd)
        )?;
    }
    writeln!(out, "</tbody></table>")?;
    if let Some(m) = &c.monte_carlo {
        writeln!(
            out,
            "<p>Spot interruptions, {} Monte Carlo runs (seed {}): cost mean {} (± {} standard error), p50 {}, <strong>p95 {}</strong>; {:.2} interruptions and {:.2} h of reworked instance time per run on average.</p>",
            m.runs,
            m.seed,
            usd(m.cost_mean_usd),
            usd(m.cost_std_error_usd),
            usd(m.cost_p50_usd),
            usd(m.cost_p95_usd),
            m.interruptions_mean,
            m.rework_hours_mean
        )?;
    }
    if !c.alternatives.is_empty() {
        writeln!(
            out,
            "<h3>Where each job class belongs</h3><p class=\"muted\">Every class of the job trace priced on each service over the horizon; the cheapest feasible option is in bold, today's service is marked ●.</p>"
        )?;
        writeln!(
            out,
            "<table><thead><tr><th>Job class</th><th class=\"num\">Runs</th><th>Option</th><th class=\"num\">Cost</th><th class=\"num\">p95 delay</th><th>Feasible</th></tr></thead><tbody>"
        )?;
        for class in &c.alternatives {
            let p = placement(class);
            for o in &class.options {
                let best = p.cheapest.is_some_and(|(n, _)| n == o.option);
                let cost = o.cost_usd.map(usd).unwrap_or_else(|| "–".into());
                writeln!(
                    out,
                    "<tr><td>{}</td><td class=\"num\">{}</td><td>{}{}</td><td class=\"num\">{}</td><td class=\"num\">{:.0} s</td><td>{}</td></tr>",
                    esc(&class.class),
                    class.jobs,
                    esc(&o.option),
                    if o.current_jobs > 0 { " ●" } else { "" },
                    if best {
                        format!("<strong>{cost}</strong>")
                    } else {
                        cost
                    },
                    o.delay_p95_seconds,
                    o.infeasible
                        .as_deref()
                        .map(|r| format!("no: {}", esc(r)))
                        .unwrap_or_else(|| "yes".into())
                )?;
            }
        }
        writeln!(out, "</tbody></table>")?;
    }
    for n in &c.notes {
        writeln!(out, "<p class=\"muted\">{}</p>", esc(n))?;
    }
    writeln!(out, "</section>")
}
