//! `summary.md`: the short Markdown a pull-request comment can carry — the headline figures,
//! one row per policy, and the risks. Every string from inputs (scenario, policy, prefix and
//! job class names, report fields) goes through [`md_escape`], so a name can neither break the
//! table nor mention anyone, reference an issue or become a link in a pull-request comment.

use super::model::Report;
use super::summary::summarize;
use super::views::View;
use super::views::usd;
use std::io::{self, Write};

pub struct MarkdownView;

pub use crate::output::escape::markdown as md_escape;

impl View for MarkdownView {
    fn render(&self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        let s = summarize(r);
        writeln!(out, "## costlab: {}", md_escape(&r.scenario))?;
        writeln!(out)?;
        writeln!(
            out,
            "Horizon {} to {} ({} months, end exclusive), seed {}.",
            md_escape(&r.horizon.start),
            md_escape(&r.horizon.end),
            s.horizon_months,
            r.seed
        )?;
        writeln!(out)?;
        if let Some(c) = &s.current {
            writeln!(
                out,
                "- **Cost today** ({}): {} over the horizon, {} a year",
                md_escape(&c.name),
                usd(c.total_usd),
                usd(c.per_year_usd)
            )?;
        }
        if let Some(b) = &s.recommended {
            writeln!(
                out,
                "- **Recommended** ({}): {} over the horizon, {} a year",
                md_escape(&b.name),
                usd(b.total_usd),
                usd(b.per_year_usd)
            )?;
        }
        if let (Some(y), Some(pct)) = (s.saving_per_year, s.saving_pct) {
            writeln!(out, "- **Saving**: {} a year ({pct}%)", usd(y))?;
        }
        if let Some(b) = &s.bound {
            writeln!(
                out,
                "- **Clairvoyant bound** (each object stored the cheapest way knowing its future): {} over the horizon",
                usd(b.total_usd)
            )?;
        }
        if let Some(c) = &r.compute {
            for l in super::compute_view::lines(c) {
                writeln!(out, "- {}", md_escape(&l))?;
            }
        }
        writeln!(out)?;
        if !r.policies.is_empty() {
            writeln!(out, "| policy | total | per year | above the bound |")?;
            writeln!(out, "|---|---:|---:|---:|")?;
        }
        for p in &r.policies {
            writeln!(
                out,
                "| {} | {} | {} | {} |",
                md_escape(&p.name),
                usd(p.total_usd),
                usd(super::summary::annualize(p.total_usd, s.horizon_days)),
                p.above_bound_usd.map(usd).unwrap_or_else(|| "-".into())
            )?;
        }
        if let Some(f) = r.optimize.as_ref().and_then(|o| o.fleet.as_ref()) {
            writeln!(out)?;
            for l in super::recommendation::fleet_figures(f) {
                writeln!(out, "- {}", md_escape(&l))?;
            }
        }
        if let Some(l) = r.optimize.as_ref().and_then(|o| o.lifecycle.as_ref()) {
            writeln!(out)?;
            writeln!(
                out,
                "**Recommended rules** ({} in recommended-lifecycle.json; one row per prefix and size band):",
                l.rules
            )?;
            writeln!(out)?;
            writeln!(out, "| prefix | size | rule | cost | all STANDARD |")?;
            writeln!(out, "|---|---|---|---:|---:|")?;
            for g in &l.groups {
                writeln!(
                    out,
                    "| {} | {} | {} | {} | {} |",
                    md_escape(&g.prefix),
                    md_escape(&super::recommendation::band_text(g.min_bytes, g.max_bytes)),
                    md_escape(&g.choice),
                    usd(g.cost_usd),
                    usd(g.standard_usd)
                )?;
            }
        }
        if let Some(f) = r.evidence.future.as_ref().filter(|f| f.applies) {
            super::future_view::markdown(out, f)?;
        }
        if !s.risks.is_empty() {
            writeln!(out)?;
            writeln!(out, "**Risks**")?;
            writeln!(out)?;
            for risk in &s.risks {
                writeln!(out, "- {}", md_escape(risk))?;
            }
        }
        let skipped: Vec<_> = r
            .evidence
            .ledger
            .sources
            .iter()
            .filter(|(_, t)| t.skipped > 0)
            .collect();
        if !skipped.is_empty() {
            writeln!(out)?;
            writeln!(out, "**Evidence skipped as malformed**")?;
            writeln!(out)?;
            for (name, t) in skipped {
                let reasons: Vec<String> = t
                    .skip_reasons
                    .iter()
                    .map(|(k, n)| format!("{n} × {}", md_escape(k)))
                    .collect();
                writeln!(
                    out,
                    "- {}: {} of {} lines ({}%): {}",
                    md_escape(name),
                    t.skipped,
                    t.read,
                    t.skipped_pct().round_dp(2).normalize(),
                    reasons.join(", ")
                )?;
            }
        }
        if let Some(p) = &r.pricing {
            writeln!(out)?;
            writeln!(
                out,
                "Prices: {} ({}), effective {}.",
                md_escape(&p.region),
                md_escape(&p.source),
                md_escape(&p.effective_date)
            )?;
        }
        Ok(())
    }
}
