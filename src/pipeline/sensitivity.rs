//! Every policy's total under each model of the future, side by side: when the horizon runs
//! past the evidence, the run is replayed again under the models it did not choose (the
//! compared policies and the recommendation as deployed, without the bound or the optimizer),
//! and the report says whether the policy it ranks first stays first under every model.

use super::error::{PipelineError, input};
use super::observe::{Observer, Progress, Unit};
use super::{Options, RECOMMENDED, rate, replay};
use crate::report::Report;
use crate::report::model::{BOUND_KIND, Sensitivity, SensitivityRow};
use crate::scenario::Scenario;
use crate::sim::s3::{FutureModel, Policy, PolicyKind};
use crate::trace::lifecycle::parse_json;
use rust_decimal::Decimal;

/// Progress passed on; notes (already given by the main run) held back.
struct ProgressOnly<'a>(&'a dyn Observer);

impl Observer for ProgressOnly<'_> {
    fn progress(&self, what: &str, total: Option<u64>, unit: Unit) -> Progress {
        self.0.progress(what, total, unit)
    }

    fn note(&self, _: &str) {}
}

/// The table for `report` (the run of `pristine` under `chosen`): the chosen model's column
/// from `report`, each other model's from a replay under it (the caller asks only when the
/// horizon runs past the evidence, and never for a shard).
pub(crate) fn compare(
    pristine: &Scenario,
    o: &Options<'_>,
    report: &Report,
    chosen: FutureModel,
) -> Result<Sensitivity, PipelineError> {
    let deployable: Vec<&str> = report
        .policies
        .iter()
        .filter(|p| p.kind != BOUND_KIND)
        .map(|p| p.name.as_str())
        .collect();
    let recommended = report
        .optimize
        .as_ref()
        .and_then(|r| r.lifecycle.as_ref())
        .map(|l| l.configuration_json.clone());
    let mut columns: Vec<(FutureModel, Vec<Decimal>)> = Vec::new();
    let mut left_out = Vec::new();
    for model in FutureModel::ALL {
        let totals = if model == chosen {
            deployable
                .iter()
                .map(|n| report.policy(n).map_or(Decimal::ZERO, |p| p.total_usd))
                .collect()
        } else {
            // A model the evidence cannot support (a weekly repeat of logs shorter than a
            // week) is left out with its reason; the run itself stands.
            let other = match under(pristine, o, model, recommended.as_deref()) {
                Ok(r) => r,
                Err(PipelineError::Input(e)) => {
                    left_out.push(format!("{}: {e}", model.as_str()));
                    continue;
                }
                Err(e) => return Err(e),
            };
            deployable
                .iter()
                .map(|n| {
                    other.policy(n).map(|p| p.total_usd).ok_or_else(|| {
                        input(format!(
                            "the run under `{}` lost policy `{n}`",
                            model.as_str()
                        ))
                    })
                })
                .collect::<Result<_, _>>()?
        };
        columns.push((model, totals));
    }
    let mut t = table(&deployable, &columns, chosen, recommended.is_some());
    t.left_out = left_out;
    Ok(t)
}

/// The report of `pristine` replayed under `model`, the recommendation (its configuration
/// JSON; empty when it is no configuration at all) as an ordinary policy.
fn under(
    pristine: &Scenario,
    o: &Options<'_>,
    model: FutureModel,
    recommended: Option<&str>,
) -> Result<Report, PipelineError> {
    let mut sc = pristine.clone();
    sc.future = Some(model);
    if let Some(json) = recommended {
        let kind = if json.is_empty() {
            PolicyKind::AllStandard
        } else {
            PolicyKind::Lifecycle(
                parse_json(RECOMMENDED, json)
                    .map_err(|e| input(format!("the recommendation does not read back: {e}")))?,
            )
        };
        sc.policies.push(Policy {
            name: RECOMMENDED.to_string(),
            kind,
        });
        // The recommended policy runs with the replication every compared policy shares, as
        // in the main run.
        if !sc.policy_replication.is_empty() {
            let shared: Vec<usize> = (0..sc.replication.len())
                .filter(|i| sc.policy_replication.iter().all(|l| l.contains(i)))
                .collect();
            sc.policy_replication.push(shared);
        }
    }
    let quiet = ProgressOnly(o.observer);
    let opts = Options {
        reading: o.reading,
        bound: false,
        optimize: false,
        memory_limit: o.memory_limit,
        sensitivity: false,
        observer: &quiet,
    };
    let mut r = replay::replay_scenario(&mut sc, &opts, None)?;
    let (runs, _) = r.runs_with_replication(&sc, false);
    for rule in &sc.replication {
        r.catalog.ensure(&rule.destination_region).map_err(input)?;
    }
    rate::report(&sc, &r.rep, &runs, &mut r.catalog)
}

/// Ranks (1 = cheapest; ties share the better rank) and the flip flag.
fn table(
    names: &[&str],
    columns: &[(FutureModel, Vec<Decimal>)],
    chosen: FutureModel,
    has_recommendation: bool,
) -> Sensitivity {
    let ranks: Vec<Vec<u32>> = columns
        .iter()
        .map(|(_, t)| {
            t.iter()
                .map(|x| 1 + t.iter().filter(|y| *y < x).count() as u32)
                .collect()
        })
        .collect();
    let rows: Vec<SensitivityRow> = names
        .iter()
        .enumerate()
        .map(|(i, n)| SensitivityRow {
            policy: n.to_string(),
            totals_usd: columns.iter().map(|(_, t)| t[i]).collect(),
            ranks: ranks.iter().map(|r| r[i]).collect(),
        })
        .collect();
    // The policy the run puts first: the recommendation when there is one, else the cheapest
    // under the chosen model.
    let c = columns.iter().position(|(m, _)| *m == chosen).unwrap_or(0);
    let first = if has_recommendation {
        names.iter().position(|n| *n == RECOMMENDED)
    } else {
        (0..names.len()).find(|i| ranks[c][*i] == 1)
    };
    let flips: Vec<String> = match first {
        Some(f) => columns
            .iter()
            .zip(&ranks)
            .filter(|(_, r)| r[f] != 1)
            .map(|((m, _), _)| m.as_str().to_string())
            .collect(),
        None => Vec::new(),
    };
    Sensitivity {
        models: columns
            .iter()
            .map(|(m, _)| m.as_str().to_string())
            .collect(),
        chosen: chosen.as_str().to_string(),
        first: first.map(|f| names[f].to_string()),
        not_first_under: flips,
        rows,
        left_out: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(x: i64) -> Decimal {
        Decimal::from(x)
    }

    #[test]
    fn a_flip_is_flagged_under_the_model_where_the_first_policy_is_not_cheapest() {
        let names = ["standard", "archive", RECOMMENDED];
        let cols = vec![
            (FutureModel::AgeProfile, vec![d(10), d(7), d(6)]),
            (FutureModel::RepeatWeekly, vec![d(10), d(5), d(6)]),
            (FutureModel::Silent, vec![d(9), d(4), d(4)]),
        ];
        let s = table(&names, &cols, FutureModel::AgeProfile, true);
        assert_eq!(s.first.as_deref(), Some(RECOMMENDED));
        assert_eq!(s.not_first_under, vec!["repeat-weekly".to_string()]);
        // Ties share the better rank.
        assert_eq!(s.rows[1].ranks, vec![2, 1, 1]);
        assert_eq!(s.rows[2].ranks, vec![1, 2, 1]);
        assert_eq!(s.rows[0].totals_usd, vec![d(10), d(10), d(9)]);
    }

    #[test]
    fn without_a_recommendation_the_cheapest_under_the_chosen_model_is_first() {
        let names = ["a", "b"];
        let cols = vec![
            (FutureModel::AgeProfile, vec![d(3), d(4)]),
            (FutureModel::RepeatWeekly, vec![d(3), d(4)]),
            (FutureModel::Silent, vec![d(3), d(4)]),
        ];
        let s = table(&names, &cols, FutureModel::Silent, false);
        assert_eq!(s.first.as_deref(), Some("a"));
        assert!(s.not_first_under.is_empty());
    }
}
