//! `costlab check`: the CI budget gate. Simulates a scenario (or reads a saved report), checks
//! every budget line, compares with a baseline report, and exits 1 when a budget is broken.

use super::{EXIT_BUDGET, Failure, emit, input, output};
use anyhow::anyhow;
use clap::{Args, ValueEnum};
use costlab::budget::{evaluate, read_budgets, views};
use costlab::report::Report;
use costlab::report::views::{JsonView, View};
use costlab::scenario::read_scenario;
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

fn load_report(a: &CheckArgs) -> Result<Report, Failure> {
    if a.scenario.extension().is_some_and(|e| e == "json") {
        return super::report::read_report(&a.scenario);
    }
    let mut sc = read_scenario(&a.scenario).map_err(input)?;
    let term = costlab::output::progress::Term::new();
    let o = super::options(&mut sc, &a.evidence, &a.memory, &term, true, true)?;
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
        CheckFormat::Text => views::text(&verdict, ledger),
        CheckFormat::Md => views::markdown(&verdict, ledger),
        CheckFormat::Junit => views::junit(&verdict, ledger),
        CheckFormat::Json => views::json(&verdict, ledger),
    };
    emit(out.as_bytes(), a.output.as_deref())?;
    Ok(if verdict.passed() { 0 } else { EXIT_BUDGET })
}
