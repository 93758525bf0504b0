//! The verdict of a budget check in every format `costlab check` writes: terminal text,
//! Markdown for a pull-request comment, JUnit XML for CI test reports, and JSON. Names from the
//! inputs are escaped for each (`output::escape`); skipped evidence is listed in every one.

use super::{Check, Verdict};
use crate::output::escape::{terminal, terminal_lines, xml};
use crate::report::markdown::md_escape;
use crate::report::views::usd;
use crate::trace::ledger::Ledger;
use crate::units::decimal_text;
use rust_decimal::Decimal;
use serde_json::json;
use std::fmt::Write as _;

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
pub fn text(v: &Verdict, ledger: &Ledger) -> String {
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
pub fn markdown(v: &Verdict, ledger: &Ledger) -> String {
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

pub fn junit(v: &Verdict, ledger: &Ledger) -> String {
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

pub fn json(v: &Verdict, ledger: &Ledger) -> String {
    let checks: Vec<_> = v
        .checks
        .iter()
        .map(|c| {
            json!({
                "name": c.name,
                "origin": c.origin,
                "passed": c.passed(),
                "unit": c.unit,
                "actual": crate::report::decimal_json(c.actual),
                "limit": crate::report::decimal_json(c.limit),
                "headroom": crate::report::decimal_json(c.headroom()),
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
