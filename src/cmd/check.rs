//! `costlab check`: the CI budget gate. Simulates a scenario (or reads a saved report), checks
//! every budget line, compares with a baseline report, and exits 1 when a budget is broken.

use super::{EXIT_BUDGET, Failure, emit, input, output};
use anyhow::anyhow;
use clap::{Args, ValueEnum};
use costlab::budget::{Check, Verdict, evaluate, read_budgets};
use costlab::output::escape::{terminal, terminal_lines, xml};
use costlab::report::Report;
use costlab::report::markdown::md_escape;
use costlab::report::views::usd;
use costlab::report::views::{JsonView, View};
use costlab::scenario::read_scenario;
use costlab::trace::ledger::Ledger;
use costlab::units::decimal_text;
use rust_decimal::Decimal;
use serde_json::json;
use std::fmt::Write as _;
use std::path::PathBuf;

/// Fail a build when a scenario's simulated cost breaks its budget (docs/budgets.md,
/// docs/ci.md).
///
///   costlab check scenarios/datalake.toml --budget budgets.toml
///   costlab check scenarios/datalake.toml --budget budgets.toml \
///       --baseline baselines/datalake.json --format md > comment.md
///   costlab check scenarios/datalake.toml --budget budgets.toml \
///       --baseline baselines/datalake.json --update-baseline
///
/// SCENARIO is a scenario file, or a report.json already written by `costlab run`.
/// Exit codes: 0 every budget line holds; 1 a budget is broken; 2 the inputs are wrong
/// (scenario, budget file, baseline); 3 an output could not be written.
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct CheckArgs {
    pub scenario: PathBuf,
    /// The budget file (TOML).
    #[arg(long, value_name = "BUDGETS.toml")]
    pub budget: PathBuf,
    /// A committed report.json to compare with (growth limits, moved line items).
    #[arg(long, value_name = "REPORT.json")]
    pub baseline: Option<PathBuf>,
    /// Rewrite the baseline (atomically) with this run's report, then check against the new one.
    #[arg(long, requires = "baseline")]
    pub update_baseline: bool,
    /// Compare with a baseline of another scenario or horizon, or one lacking a policy a
    /// growth limit gates (refused by default: exit 2). Growth is then measured anyway, and a
    /// policy the baseline lacks fails its growth lines.
    #[arg(long, requires = "baseline")]
    pub allow_baseline_mismatch: bool,
    #[arg(long, value_enum, default_value = "text")]
    pub format: CheckFormat,
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub evidence: super::EvidenceArgs,
    #[command(flatten)]
    pub memory: super::MemoryArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Text,
    Json,
    Md,
    Junit,
}

fn amount(c: &Check, v: Decimal) -> String {
    if c.unit == "%" {
        if c.actual == Decimal::MAX && v != c.limit {
            "new cost (baseline $0)".into()
        } else {
            format!("{}%", v.round_dp(2))
        }
    } else {
        usd(v)
    }
}

/// The terminal text: names, messages and file names go through [`terminal`].
fn text(v: &Verdict, ledger: &Ledger) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Budget check: {} ({} of {} lines hold)",
        terminal(&v.scenario),
        v.checks.iter().filter(|c| c.passed()).count(),
        v.checks.len()
    );
    for c in &v.checks {
        let status = if c.passed() { "ok  " } else { "FAIL" };
        match &c.missing {
            Some(m) => {
                let _ = writeln!(
                    s,
                    "  {status} {}: {} [{}]",
                    terminal(&c.name),
                    terminal(m),
                    terminal(&c.origin)
                );
            }
            None => {
                let _ = writeln!(
                    s,
                    "  {status} {}: {} (limit {}, headroom {}) [{}]",
                    terminal(&c.name),
                    amount(c, c.actual),
                    amount(c, c.limit),
                    amount(c, c.headroom()),
                    terminal(&c.origin)
                );
            }
        }
    }
    if let Some(b) = &v.baseline {
        let _ = writeln!(s, "\nLine items that moved most against {}:", terminal(b));
        if v.movers.is_empty() {
            let _ = writeln!(s, "  (none: identical to the baseline)");
        }
        for m in &v.movers {
            let _ = writeln!(
                s,
                "  {:>12}  {} / {} / {} ({} → {})",
                format!(
                    "{}{}",
                    if m.delta() >= Decimal::ZERO { "+" } else { "-" },
                    usd(m.delta().abs())
                ),
                terminal(&m.policy),
                terminal(&m.category),
                terminal(&m.usage_type),
                usd(m.baseline),
                usd(m.actual)
            );
        }
    }
    if ledger.skipped() > 0 {
        let _ = writeln!(
            s,
            "\nEvidence skipped as malformed (not in the figures above):"
        );
        for line in ledger.lines() {
            let _ = writeln!(s, "  {}", terminal(&line));
        }
    }
    s
}

/// The Markdown for a pull-request comment: every name through [`md_escape`] (no Markdown,
/// mention, issue reference or autolink comes from a name).
fn markdown(v: &Verdict, ledger: &Ledger) -> String {
    let mut s = String::new();
    let ok = v.passed();
    let _ = writeln!(
        s,
        "### {} costlab budget check: {}\n",
        if ok { "✅" } else { "❌" },
        md_escape(&v.scenario)
    );
    let _ = writeln!(s, "| | budget line | actual | limit | headroom |");
    let _ = writeln!(s, "|---|---|---:|---:|---:|");
    for c in &v.checks {
        let mark = if c.passed() { "✅" } else { "❌" };
        match &c.missing {
            Some(m) => {
                let _ = writeln!(
                    s,
                    "| {mark} | {} | {} | | |",
                    md_escape(&c.name),
                    md_escape(m)
                );
            }
            None => {
                let _ = writeln!(
                    s,
                    "| {mark} | {} | {} | {} | {} |",
                    md_escape(&c.name),
                    amount(c, c.actual),
                    amount(c, c.limit),
                    amount(c, c.headroom())
                );
            }
        }
    }
    if let Some(b) = &v.baseline
        && !v.movers.is_empty()
    {
        let _ = writeln!(s, "\n**Moved most against {}**\n", md_escape(b));
        let _ = writeln!(s, "| policy | line | baseline | now | change |");
        let _ = writeln!(s, "|---|---|---:|---:|---:|");
        for m in &v.movers {
            let _ = writeln!(
                s,
                "| {} | {} / {} | {} | {} | {}{} |",
                md_escape(&m.policy),
                md_escape(&m.category),
                md_escape(&m.usage_type),
                usd(m.baseline),
                usd(m.actual),
                if m.delta() >= Decimal::ZERO { "+" } else { "-" },
                usd(m.delta().abs())
            );
        }
    }
    if ledger.skipped() > 0 {
        let _ = writeln!(
            s,
            "\n**Evidence skipped as malformed** (not in the figures above)\n"
        );
        for line in ledger.lines() {
            let _ = writeln!(s, "- {}", md_escape(&line));
        }
    }
    s
}

/// JUnit text and attribute values: control characters become visible stand-ins (CI pages
/// and consoles print these names; see [`terminal_lines`]), then the text is escaped for XML
/// 1.0, so the document is well-formed whatever the names hold.
fn junit_text(s: &str) -> String {
    xml(&terminal_lines(s)).into_owned()
}

fn junit(v: &Verdict, ledger: &Ledger) -> String {
    let failures = v.checks.iter().filter(|c| !c.passed()).count();
    let mut s = String::new();
    let _ = writeln!(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    let _ = writeln!(
        s,
        "<testsuites name=\"costlab budget\" tests=\"{}\" failures=\"{failures}\">",
        v.checks.len()
    );
    let _ = writeln!(
        s,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\">",
        junit_text(&v.scenario),
        v.checks.len()
    );
    for c in &v.checks {
        let _ = write!(
            s,
            "    <testcase classname=\"costlab.budget.{}\" name=\"{}\"",
            junit_text(&v.scenario),
            junit_text(&c.name)
        );
        if c.passed() {
            let _ = writeln!(s, "/>");
        } else {
            let msg = c.missing.clone().unwrap_or_else(|| {
                format!(
                    "actual {} exceeds limit {} by {} ({})",
                    amount(c, c.actual),
                    amount(c, c.limit),
                    amount(c, -c.headroom()),
                    c.origin
                )
            });
            let _ = writeln!(
                s,
                ">\n      <failure message=\"{}\" type=\"budget\">{}</failure>\n    </testcase>",
                junit_text(&msg),
                junit_text(&msg)
            );
        }
    }
    if ledger.skipped() > 0 {
        let lines: Vec<String> = ledger.lines();
        let _ = writeln!(
            s,
            "    <system-out>evidence skipped as malformed:\n{}</system-out>",
            junit_text(&lines.join("\n"))
        );
    }
    let _ = writeln!(s, "  </testsuite>\n</testsuites>");
    s
}

fn json_out(v: &Verdict, ledger: &Ledger) -> String {
    let checks: Vec<_> = v
        .checks
        .iter()
        .map(|c| {
            json!({
                "name": c.name,
                "origin": c.origin,
                "passed": c.passed(),
                "unit": c.unit,
                "actual": costlab::report::decimal_json(c.actual),
                "limit": costlab::report::decimal_json(c.limit),
                "headroom": costlab::report::decimal_json(c.headroom()),
                "error": c.missing,
            })
        })
        .collect();
    let movers: Vec<_> = v
        .movers
        .iter()
        .map(|m| {
            json!({
                "policy": m.policy, "category": m.category, "usage_type": m.usage_type,
                "baseline_usd": decimal_text(m.baseline), "actual_usd": decimal_text(m.actual),
                "change_usd": decimal_text(m.delta()),
            })
        })
        .collect();
    let doc = json!({
        "schema_version": 1,
        "scenario": v.scenario,
        "passed": v.passed(),
        "baseline": v.baseline,
        "checks": checks,
        "moved": movers,
        "evidence": ledger,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

fn load_report(a: &CheckArgs) -> Result<Report, Failure> {
    if a.scenario.extension().is_some_and(|e| e == "json") {
        return super::report::read_report(&a.scenario);
    }
    let mut sc = read_scenario(&a.scenario).map_err(input)?;
    let term = super::progress::Term::new();
    let o = super::options(&sc, &a.evidence, &a.memory, &term, true, true)?;
    Ok(costlab::pipeline::run(&mut sc, &o)?)
}

pub fn run(a: &CheckArgs) -> Result<u8, Failure> {
    // The budget file first: a typo there should not wait for a simulation.
    let budgets = read_budgets(&a.budget).map_err(input)?;
    let report = load_report(a)?;
    super::note_skipped(&report.evidence.ledger);
    let baseline = match &a.baseline {
        Some(p) if a.update_baseline => {
            let mut buf = Vec::new();
            JsonView.render(&report, &mut buf).map_err(output)?;
            costlab::output::write_atomic(p, &buf)
                .map_err(|e| output(anyhow!("cannot write baseline {}: {e}", p.display())))?;
            eprintln!("baseline {} updated", p.display());
            Some((p, report.clone()))
        }
        Some(p) => {
            if !p.exists() {
                return Err(input(anyhow!(
                    "baseline {} does not exist: write it once with `costlab check {} --budget {} --baseline {} --update-baseline` (or `costlab run` and copy its report.json), and commit it",
                    p.display(),
                    a.scenario.display(),
                    a.budget.display(),
                    p.display()
                )));
            }
            Some((p, super::report::read_report(p)?))
        }
        None => None,
    };
    if baseline.is_none() && budgets.needs_baseline() {
        eprintln!("note: growth limits are not checked without --baseline");
    }
    let name = baseline.as_ref().map(|(p, _)| p.display().to_string());
    if let (Some((_, b)), Some(n)) = (&baseline, &name) {
        match costlab::budget::check_baseline(&budgets, &report, n, b) {
            Ok(()) => {}
            Err(e) if a.allow_baseline_mismatch => eprintln!("warning: {e}"),
            Err(e) => {
                return Err(input(anyhow!(
                    "{e} (--allow-baseline-mismatch compares anyway)"
                )));
            }
        }
    }
    let verdict = evaluate(
        &budgets,
        &report,
        baseline
            .as_ref()
            .map(|(_, r)| (name.as_deref().unwrap_or(""), r)),
    );
    if verdict.checks.is_empty() {
        return Err(input(anyhow!(
            "{}: no [[budget]] applies to scenario {:?} (check the budgets' `scenario` names)",
            budgets.file,
            report.scenario
        )));
    }
    let ledger = &report.evidence.ledger;
    let out = match a.format {
        CheckFormat::Text => text(&verdict, ledger),
        CheckFormat::Md => markdown(&verdict, ledger),
        CheckFormat::Junit => junit(&verdict, ledger),
        CheckFormat::Json => json_out(&verdict, ledger),
    };
    emit(out.as_bytes(), a.output.as_deref())?;
    Ok(if verdict.passed() { 0 } else { EXIT_BUDGET })
}
