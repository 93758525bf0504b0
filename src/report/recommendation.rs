//! The optimizer's part of the versioned report: the recommended lifecycle configuration (its
//! deployable JSON, the choice per group with its runner-up, the constraints it honours, the
//! model's size) and the recommended purchase mix. `recommended-lifecycle.json` and
//! `purchase-plan.csv` regenerate from it.

use super::model::{dec, opt_dec};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// What the optimizers recommended.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OptimizeReport {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<LifecycleReport>,
    /// The purchase mix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fleet: Option<FleetPlanReport>,
}

/// The recommended purchase mix: the bridge's recommendation (`optimize::fleet_bridge`) as
/// JSON (solve time removed: it is not deterministic) and `purchase-plan.csv`'s text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FleetPlanReport {
    pub plan: serde_json::Value,
    pub purchase_plan_csv: String,
}

/// The lifecycle recommendation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LifecycleReport {
    /// The policy entry it is reported as (its exact bill is there).
    pub policy: String,
    /// The configuration to put (`aws s3api put-bucket-lifecycle-configuration
    /// --lifecycle-configuration file://recommended-lifecycle.json`); empty when every group
    /// stays in STANDARD (then delete the bucket's configuration instead).
    pub configuration_json: String,
    pub rules: usize,
    /// Candidates priced per group, and the grid they came from.
    pub candidates: usize,
    pub group_depth: usize,
    pub size_bands: Vec<u64>,
    /// Sum of the chosen groups' costs, each group rated on its own (the model's objective).
    #[serde(with = "dec")]
    pub groups_total_usd: Decimal,
    /// Policy-independent usage (requests not tied to an object, keys above the group depth,
    /// replication) is not in `groups_total_usd`.
    pub groups: Vec<GroupReport>,
    pub constraints: ConstraintsReport,
    /// Model size (deterministic; solve times go to stderr only).
    pub variables: usize,
    pub rows: usize,
    pub notes: Vec<String>,
}

/// The choice for one group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupReport {
    pub prefix: String,
    pub min_bytes: u64,
    pub max_bytes: Option<u64>,
    /// Candidate ID (`IA30-GFR90`, `STANDARD` for no rule).
    pub choice: String,
    #[serde(with = "dec")]
    pub cost_usd: Decimal,
    /// Same group, all in STANDARD (no rule).
    #[serde(with = "dec")]
    pub standard_usd: Decimal,
    pub runner_up: Option<String>,
    #[serde(with = "opt_dec")]
    pub runner_up_usd: Option<Decimal>,
    /// Runner-up − choice (negative: a constraint moved the group off its own best).
    #[serde(with = "opt_dec")]
    pub gap_usd: Option<Decimal>,
    #[serde(with = "dec")]
    pub restores_per_month: Decimal,
    /// Reads (over the horizon) that need a restore first under the choice, and the hours
    /// they wait at the scenario's restore tier.
    #[serde(default)]
    pub reads_needing_restore: u64,
    #[serde(default)]
    pub restore_wait_hours: u64,
}

/// The constraints the recommendation honours (`[optimize.lifecycle]`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ConstraintsReport {
    pub max_rules: Option<usize>,
    pub max_policies: Option<usize>,
    pub millisecond_prefixes: Vec<String>,
    #[serde(with = "opt_dec")]
    pub max_restores_per_month: Option<Decimal>,
    pub min_retention_days: Option<u32>,
    #[serde(with = "opt_dec")]
    pub budget_usd: Option<Decimal>,
    /// Prefixes whose reads may wait for a restore (`restores`); elsewhere no rule makes a
    /// read wait.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub restores_allowed: Vec<String>,
}

/// A size band as people read it (`< 128 KiB`, `>= 128 KiB`, `any size`).
pub fn band_text(min: u64, max: Option<u64>) -> String {
    let b = |n: u64| {
        if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
            format!("{} MiB", n >> 20)
        } else if n >= 1 << 10 && n.is_multiple_of(1 << 10) {
            format!("{} KiB", n >> 10)
        } else {
            format!("{n} B")
        }
    };
    match (min, max) {
        (0, None) => "any size".into(),
        (0, Some(m)) => format!("< {}", b(m)),
        (n, None) => format!(">= {}", b(n)),
        (n, Some(m)) => format!("{} .. {}", b(n), b(m)),
    }
}

/// The plain-text view of the recommendation (`costlab optimize`'s stdout); strings from
/// inputs go through [`terminal`](crate::output::escape::terminal), prefixes are quoted.
pub fn table(r: &super::Report) -> String {
    use super::views::usd;
    use crate::output::escape::terminal;
    use std::fmt::Write;
    let mut out = String::new();
    if let Some(f) = r.optimize.as_ref().and_then(|o| o.fleet.as_ref()) {
        fleet_text(&mut out, f);
    }
    let Some(l) = r.optimize.as_ref().and_then(|o| o.lifecycle.as_ref()) else {
        if out.is_empty() {
            out.push_str(
                "Nothing to optimize: the scenario has no storage policies and no [compute].\n",
            );
        }
        return out;
    };
    let days = super::summary::horizon_days(r);
    let rec = r.policy(&l.policy);
    let _ = writeln!(
        out,
        "Recommended lifecycle for {}: {} over {} .. {} ({} rules; {} candidates priced over {} groups)",
        terminal(&r.scenario),
        rec.map(|p| usd(p.total_usd)).unwrap_or_default(),
        terminal(&r.horizon.start),
        terminal(&r.horizon.end),
        l.rules,
        l.candidates,
        l.groups.len()
    );
    if let Some(rec) = rec {
        let _ = writeln!(
            out,
            "\n  {:<28} {:>14} {:>16}",
            "compared with", "total", "recommended saves/yr"
        );
        for p in r.policies.iter().filter(|p| p.name != rec.name) {
            let saving = super::summary::annualize(p.total_usd - rec.total_usd, days);
            let _ = writeln!(
                out,
                "  {:<28} {:>14} {:>16}",
                terminal(&p.name),
                usd(p.total_usd),
                if p.kind == super::model::BOUND_KIND {
                    "(floor)".to_string()
                } else {
                    usd(saving)
                }
            );
        }
    }
    let _ = writeln!(
        out,
        "\n  {:<24} {:<16} {:<22} {:>12} {:>12}  runner-up (gap)",
        "prefix", "size", "choice", "cost", "STANDARD"
    );
    for g in &l.groups {
        let runner = match (&g.runner_up, g.gap_usd) {
            (Some(n), Some(gap)) => format!("{} (+{})", terminal(n), usd(gap)),
            _ => "-".into(),
        };
        let _ = writeln!(
            out,
            "  {:<24} {:<16} {:<22} {:>12} {:>12}  {}",
            format!("{:?}", g.prefix),
            band_text(g.min_bytes, g.max_bytes),
            terminal(&g.choice),
            usd(g.cost_usd),
            usd(g.standard_usd),
            runner
        );
    }
    let waiting: Vec<&GroupReport> = l
        .groups
        .iter()
        .filter(|g| g.reads_needing_restore > 0)
        .collect();
    if !waiting.is_empty() {
        let _ = writeln!(out, "\n  Reads that wait for a restore under the choice:");
        for g in waiting {
            let _ = writeln!(
                out,
                "  {:<24} {:<16} {} reads, {} hours waited",
                format!("{:?}", g.prefix),
                band_text(g.min_bytes, g.max_bytes),
                g.reads_needing_restore,
                g.restore_wait_hours
            );
        }
    }
    for n in &l.notes {
        let _ = writeln!(out, "\nNote: {}", terminal(n));
    }
    out
}

/// The recommendation's HTML section (strings from inputs escaped).
pub fn html(out: &mut dyn std::io::Write, l: &LifecycleReport) -> std::io::Result<()> {
    use super::html::esc;
    use super::views::usd;
    writeln!(
        out,
        "<section id=\"recommendation\"><h2>Recommended lifecycle rules</h2><p>{} candidate rules were priced over {} groups (key prefix × object size) by replaying the evidence; a linear program chose one per group{}. The policy <em>{}</em> above is this configuration: its bill is metered exactly as replaying the evidence under it meters it.</p>",
        l.candidates,
        l.groups.len(),
        esc(&constraint_text(&l.constraints)),
        esc(&l.policy)
    )?;
    writeln!(
        out,
        "<table><thead><tr><th>Prefix</th><th>Object size</th><th>Rule</th><th class=\"num\">Cost</th><th class=\"num\">All in STANDARD</th><th>Runner-up</th><th class=\"num\">Runner-up costs more by</th><th class=\"num\">Reads waiting for a restore (hours)</th></tr></thead><tbody>"
    )?;
    for g in &l.groups {
        writeln!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&g.prefix),
            esc(&band_text(g.min_bytes, g.max_bytes)),
            esc(&g.choice),
            usd(g.cost_usd),
            usd(g.standard_usd),
            esc(g.runner_up.as_deref().unwrap_or("–")),
            g.gap_usd.map(usd).unwrap_or_else(|| "–".into()),
            if g.reads_needing_restore == 0 {
                "0".to_string()
            } else {
                format!("{} ({})", g.reads_needing_restore, g.restore_wait_hours)
            }
        )?;
    }
    writeln!(out, "</tbody></table>")?;
    for n in &l.notes {
        writeln!(out, "<p>{}</p>", esc(n))?;
    }
    if !l.configuration_json.is_empty() {
        writeln!(
            out,
            "<details><summary>recommended-lifecycle.json ({} rules) — apply with <code>aws s3api put-bucket-lifecycle-configuration --bucket BUCKET --lifecycle-configuration file://recommended-lifecycle.json</code></summary><pre>{}</pre></details>",
            l.rules,
            esc(&l.configuration_json)
        )?;
    }
    writeln!(out, "</section>")
}

/// The constraints in words (`, within at most 10 rules, gold/ millisecond-readable`).
fn constraint_text(k: &ConstraintsReport) -> String {
    let mut parts = Vec::new();
    if let Some(n) = k.max_rules {
        parts.push(format!("at most {n} rules"));
    }
    if let Some(n) = k.max_policies {
        parts.push(format!("at most {n} distinct rule bodies"));
    }
    if !k.millisecond_prefixes.is_empty() {
        parts.push(format!(
            "{} kept millisecond-readable",
            k.millisecond_prefixes.join(", ")
        ));
    }
    if let Some(n) = k.max_restores_per_month {
        parts.push(format!("at most {n} restores a month"));
    }
    if k.restores_allowed.is_empty() {
        parts.push("no read waits for a restore".to_string());
    } else {
        parts.push(format!(
            "reads wait for a restore only under {}",
            k.restores_allowed
                .iter()
                .map(|p| format!("{p:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if let Some(d) = k.min_retention_days {
        parts.push(format!("no expiration before {d} days"));
    }
    if let Some(b) = k.budget_usd {
        parts.push(format!("within a budget of {}", super::views::usd(b)));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" under these constraints: {}", parts.join("; "))
    }
}

/// A dollar amount from the plan JSON (exact decimals are strings or numbers there).
fn plan_usd(v: &serde_json::Value, path: &[&str]) -> Option<Decimal> {
    let mut v = v;
    for k in path {
        v = v.get(k)?;
    }
    let t = match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        _ => return None,
    };
    t.parse().ok()
}

/// The purchase mix's headline figures: simulated cost against all On-Demand, and the Monte
/// Carlo spread.
pub fn fleet_figures(f: &FleetPlanReport) -> Vec<String> {
    use super::views::usd;
    let p = &f.plan;
    let mut out = Vec::new();
    if let (Some(t), Some(od), Some(s)) = (
        plan_usd(p, &["simulated_total"]),
        plan_usd(p, &["simulated_all_on_demand"]),
        plan_usd(p, &["simulated_saving"]),
    ) {
        out.push(format!(
            "Recommended purchase mix: {} over the horizon (simulated, amortized) against {} all On-Demand: saves {}.",
            usd(t),
            usd(od),
            usd(s)
        ));
    }
    if let (Some(p50), Some(p95)) = (
        plan_usd(p, &["monte_carlo", "p50"]),
        plan_usd(p, &["monte_carlo", "p95"]),
    ) {
        out.push(format!(
            "With Spot interruptions drawn: p50 {}, p95 {}.",
            usd(p50),
            usd(p95)
        ));
    }
    out
}

fn fleet_text(out: &mut String, f: &FleetPlanReport) {
    use crate::output::escape::terminal;
    use std::fmt::Write;
    for l in fleet_figures(f) {
        let _ = writeln!(out, "{l}");
    }
    let _ = writeln!(out, "\npurchase-plan.csv:");
    for line in f.purchase_plan_csv.lines() {
        let _ = writeln!(out, "  {}", terminal(line));
    }
    if let Some(notes) = f.plan.get("notes").and_then(|n| n.as_array()) {
        for n in notes.iter().filter_map(|n| n.as_str()) {
            let _ = writeln!(out, "Note: {}", terminal(n));
        }
    }
    out.push('\n');
}

/// The purchase mix's HTML section.
pub fn fleet_html(out: &mut dyn std::io::Write, f: &FleetPlanReport) -> std::io::Result<()> {
    use super::html::esc;
    writeln!(
        out,
        "<section id=\"purchase-plan\"><h2>Recommended purchase mix</h2>"
    )?;
    for l in fleet_figures(f) {
        writeln!(out, "<p>{}</p>", esc(&l))?;
    }
    let mut rows = f.purchase_plan_csv.lines();
    if let Some(head) = rows.next() {
        write!(out, "<table><thead><tr>")?;
        for h in head.split(',') {
            write!(out, "<th>{}</th>", esc(h))?;
        }
        writeln!(out, "</tr></thead><tbody>")?;
        for r in rows {
            write!(out, "<tr>")?;
            for c in r.split(',') {
                write!(out, "<td>{}</td>", esc(c))?;
            }
            writeln!(out, "</tr>")?;
        }
        writeln!(out, "</tbody></table>")?;
    }
    writeln!(out, "</section>")
}
