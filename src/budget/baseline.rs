//! Whether a baseline report can be compared with a run: it must be of the same scenario and
//! horizon, and hold every policy a growth limit gates. A baseline from another scenario would
//! turn a doubled bill into "−99.76% growth" and pass the gate.

use super::{BudgetFile, Target};
use crate::report::model::Report;

/// Why a baseline cannot be compared with a run.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BaselineMismatch {
    #[error(
        "baseline {baseline} is a report of scenario {then:?}, not {now:?}: growth against \
         another scenario means nothing. Give this scenario's baseline (or write one with \
         --update-baseline)"
    )]
    Scenario {
        baseline: String,
        then: String,
        now: String,
    },
    #[error(
        "baseline {baseline} covers {then}, this run {now}: totals over different horizons do \
         not compare. Update the baseline (--update-baseline) in the change that moves the \
         horizon"
    )]
    Horizon {
        baseline: String,
        then: String,
        now: String,
    },
    #[error(
        "baseline {baseline} has no policy {policy:?}, which {origin} limits the growth of \
         (its policies: {have})"
    )]
    Policy {
        baseline: String,
        policy: String,
        origin: String,
        have: String,
    },
}

/// Checks that `baseline` (read from `name`) can be compared with `r` under `file`'s budgets.
pub fn check_baseline(
    file: &BudgetFile,
    r: &Report,
    name: &str,
    baseline: &Report,
) -> Result<(), BaselineMismatch> {
    if baseline.scenario != r.scenario {
        return Err(BaselineMismatch::Scenario {
            baseline: name.into(),
            then: baseline.scenario.clone(),
            now: r.scenario.clone(),
        });
    }
    let span = |r: &Report| format!("{} to {}", r.horizon.start, r.horizon.end);
    if baseline.horizon != r.horizon {
        return Err(BaselineMismatch::Horizon {
            baseline: name.into(),
            then: span(baseline),
            now: span(r),
        });
    }
    for b in file
        .budgets
        .iter()
        .filter(|b| b.scenario.as_deref().is_none_or(|s| s == r.scenario))
        .filter(|b| b.max_growth_pct.is_some() || b.max_growth_usd.is_some())
    {
        // A target the run itself lacks is reported by the check of that line.
        if b.target.subject(r).is_some() && b.target.subject(baseline).is_none() {
            return Err(BaselineMismatch::Policy {
                baseline: name.into(),
                policy: match &b.target {
                    Target::Named(n) => n.clone(),
                    t => t.label(),
                },
                origin: format!("{}:{}", file.file, b.line),
                have: baseline
                    .policies
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
    }
    Ok(())
}
