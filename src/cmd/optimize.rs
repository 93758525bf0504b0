//! `costlab optimize SCENARIO`: the lifecycle rules (and, with a `[compute]` section, the
//! purchase mix) the scenario's evidence argues for, priced by the simulator and chosen by the
//! MILP; writes `recommended-lifecycle.json` (and `purchase-plan.csv`). The lifecycle pass is
//! shared with `costlab run`, which reports the recommendation as the policy `recommended`.

use super::simulate::{Extras, scenario_report};
use super::{Failure, input, output};
use anyhow::anyhow;
use clap::{Args, ValueEnum};
use costlab::cost::{RateOptions, rate};
use costlab::optimize::costing::Costing;
use costlab::optimize::spec::{FleetSpec, LifecycleSpec};
use costlab::optimize::{EmitError, EmitOptions, emit_lifecycle, generate, solve_lifecycle};
use costlab::output::folder::{self, Spec, Staging};
use costlab::pricing::Catalog;
use costlab::report::Report;
use costlab::report::recommendation::{ConstraintsReport, GroupReport, LifecycleReport};
use costlab::rules::S3Rules;
use costlab::scenario::{Scenario, read_scenario};
use costlab::sim::s3::grouped::{GroupedSimulation, Slots};
use costlab::sim::s3::{BucketRequests, PolicyRun, finish_run};
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};

/// The name the recommendation is reported under.
pub const RECOMMENDED: &str = "recommended";

#[derive(Args, Debug)]
#[command(after_help = "\
The scenario's [optimize.lifecycle] and [optimize.fleet] sections set the candidate grid, the \
groups and the constraints (docs/optimize.md); without them the defaults apply: candidates \
{30,45,60,90,120,180,270,365} days x {STANDARD_IA, GLACIER_IR, GLACIER, DEEP_ARCHIVE, \
INTELLIGENT_TIERING}, chains of up to 3, groups by first key segment and 128 KiB.

Every (group, candidate) pair is priced by replaying the evidence; a MILP picks one candidate \
per group. The recommendation is reported next to the scenario's policies and the \
clairvoyant bound; re-simulating the written configuration gives the reported cost exactly.

Examples:
  costlab optimize scenarios/datalake.toml
  costlab optimize scenarios/datalake.toml --what lifecycle --out /tmp/rec --format json")]
pub struct OptimizeArgs {
    /// Scenario file (TOML, docs/scenario.md).
    pub scenario: PathBuf,
    /// What to optimize.
    #[arg(long, value_enum, default_value_t = What::All)]
    pub what: What,
    /// Folder for recommended-lifecycle.json / purchase-plan.csv, replaced whole
    /// [default: reports/<name>-optimize/].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Output on stdout.
    #[arg(long, value_enum, default_value_t = OptFormat::Table)]
    pub format: OptFormat,
    #[command(flatten)]
    pub evidence: super::EvidenceArgs,
    #[command(flatten)]
    pub memory: super::MemoryArgs,
    #[command(flatten)]
    pub force: super::ForceArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum What {
    /// Lifecycle rules for the bucket.
    Lifecycle,
    /// The compute purchase mix.
    Fleet,
    /// Whatever the scenario has evidence for.
    All,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OptFormat {
    Table,
    Json,
}

/// The lifecycle optimizer's part of a scenario run: its candidates and costing policies.
pub struct LifecyclePass {
    spec: LifecycleSpec,
    costing: Costing,
}

impl LifecyclePass {
    pub fn new(spec: &LifecycleSpec) -> Result<LifecyclePass, Failure> {
        let candidates =
            generate(&spec.grid).map_err(|e| input(anyhow!("[optimize.lifecycle]: {e}")))?;
        let costing = Costing::new(
            spec.group_depth,
            &spec.size_bands,
            candidates,
            &EmitOptions::default(),
        );
        Ok(LifecyclePass {
            spec: spec.clone(),
            costing,
        })
    }

    /// The costing pass, fed alongside the scenario's own simulation.
    pub fn simulation<'a>(&'a self, sc: &'a Scenario, rules: &'a S3Rules) -> GroupedSimulation<'a> {
        GroupedSimulation::new(
            &self.costing.policies,
            &self.costing.grouping,
            &sc.options,
            rules,
            sc.start,
            sc.end,
        )
    }

    /// Prices every pair, solves, writes the configuration, and assembles the recommended
    /// policy's run from the chosen pairs (before replication).
    pub fn recommend(
        &self,
        sc: &Scenario,
        slots: Vec<Slots>,
        catalog: &Catalog,
        bucket: &BucketRequests,
    ) -> Result<(PolicyRun, LifecycleReport), Failure> {
        let c = &self.costing;
        let groups = c.groups(&slots);
        if groups.is_empty() {
            return Err(input(anyhow!(
                "[optimize.lifecycle]: no key has {} `/`-separated segments to group by; lower \
                 group_depth",
                self.spec.group_depth
            )));
        }
        let region = catalog.home().region.clone();
        let first = costlab::units::month_of(sc.start);
        let last = costlab::units::month_of(costlab::units::Timestamp(sc.end.0 - 1));
        let problem = c
            .problem(&slots, &groups, |acc| {
                let usage = acc.into_usage(&region, first, last);
                rate(&usage, catalog, &RateOptions::default()).map(|b| b.total.usd())
            })
            .map_err(input)?;
        let choice = solve_lifecycle(&problem, &self.spec.constraints)
            .map_err(|e| input(anyhow!("[optimize.lifecycle]: {e}")))?;
        eprintln!(
            "lifecycle model: {} groups × {} candidates ({} dominated pairs left out), {} \
             variables ({} integer), {} rows, solved by {} in {:.2} s",
            groups.len(),
            c.candidates.len(),
            choice.dominated,
            choice.stats.variables,
            choice.stats.integer_variables,
            choice.stats.constraints,
            choice.stats.solver,
            choice.stats.solve_seconds
        );
        let assignment = choice.assignment();
        let mut notes = Vec::new();
        let (json, rules) =
            match emit_lifecycle(&groups, &c.candidates, &assignment, &EmitOptions::default()) {
                Ok(e) => (e.json, e.configuration.rules.len()),
                Err(EmitError::NothingToPut) => {
                    notes.push(
                        "Every group is cheapest in STANDARD: the recommendation is no lifecycle \
                         configuration at all."
                            .to_string(),
                    );
                    (String::new(), 0)
                }
                Err(e) => return Err(input(anyhow!("[optimize.lifecycle]: {e}"))),
            };
        let (acc, stats) = c.assemble(&slots, &groups, &assignment);
        let run = finish_run(
            RECOMMENDED,
            "lifecycle",
            acc,
            stats,
            bucket,
            &region,
            sc.start,
            sc.end,
        );
        if c.unmanaged(&slots).is_some() {
            notes.push(format!(
                "Keys with fewer than {} `/`-separated segments match no group prefix and get \
                 no rule.",
                self.spec.group_depth
            ));
        }
        let name = |i: usize| c.candidates[i].id.clone();
        let standard = c.candidates.iter().position(|k| !k.has_action());
        let rows = choice
            .groups
            .iter()
            .map(|g| {
                let group = &groups[g.group];
                GroupReport {
                    prefix: group.prefix.clone(),
                    min_bytes: group.band.min_bytes,
                    max_bytes: group.band.max_bytes,
                    choice: name(g.candidate),
                    cost_usd: g.cost,
                    standard_usd: standard
                        .and_then(|s| problem.cost[g.group][s])
                        .unwrap_or(Decimal::ZERO),
                    runner_up: g.runner_up.as_ref().map(|r| name(r.candidate)),
                    runner_up_usd: g.runner_up.as_ref().map(|r| r.cost),
                    gap_usd: g.runner_up.as_ref().map(|r| r.gap),
                    restores_per_month: g.restores_per_month,
                }
            })
            .collect();
        let k = &self.spec.constraints;
        let report = LifecycleReport {
            policy: RECOMMENDED.to_string(),
            configuration_json: json,
            rules,
            candidates: c.candidates.len(),
            group_depth: self.spec.group_depth,
            size_bands: c.grouping.bounds.clone(),
            groups_total_usd: choice.total,
            groups: rows,
            constraints: ConstraintsReport {
                max_rules: k.max_rules,
                max_policies: k.max_policies,
                millisecond_prefixes: k.millisecond_prefixes.clone(),
                max_restores_per_month: k.max_restores_per_month,
                min_retention_days: k.min_retention_days,
                budget_usd: k.budget,
            },
            variables: choice.stats.variables,
            rows: choice.stats.constraints,
            notes,
        };
        Ok((run, report))
    }
}

/// The scenario as `--what` asks: missing sections get their defaults, unwanted ones go.
fn select(sc: &mut Scenario, what: What) -> Result<(), Failure> {
    let lifecycle = matches!(what, What::Lifecycle | What::All) && !sc.policies.is_empty();
    let fleet = matches!(what, What::Fleet | What::All) && sc.compute.is_some();
    if what == What::Lifecycle && sc.policies.is_empty() {
        return Err(input(anyhow!(
            "--what lifecycle: the scenario has no storage evidence and [[policy]] to compare"
        )));
    }
    if what == What::Fleet && sc.compute.is_none() {
        return Err(input(anyhow!(
            "--what fleet: the scenario has no [compute] section"
        )));
    }
    if lifecycle && sc.policies.iter().any(|p| p.name == RECOMMENDED) {
        return Err(input(anyhow!(
            "a [[policy]] is named `{RECOMMENDED}`, the name the recommendation is reported              under: rename it"
        )));
    }
    if lifecycle {
        sc.optimize
            .lifecycle
            .get_or_insert_with(costlab::optimize::spec::default_lifecycle);
    } else {
        sc.optimize.lifecycle = None;
    }
    if fleet {
        sc.optimize.fleet.get_or_insert_with(FleetSpec::default);
    } else {
        sc.optimize.fleet = None;
    }
    Ok(())
}

/// Writes the recommendation files of `report` (recommended-lifecycle.json, purchase-plan.csv
/// and .json) into the folder being written.
pub fn write_recommendations(report: &Report, st: &mut Staging) -> Result<(), Failure> {
    let Some(o) = &report.optimize else {
        return Ok(());
    };
    if let Some(l) = o
        .lifecycle
        .as_ref()
        .filter(|l| !l.configuration_json.is_empty())
    {
        st.put(
            "recommended-lifecycle.json",
            l.configuration_json.as_bytes(),
        )?;
    }
    if let Some(f) = &o.fleet {
        st.put("purchase-plan.csv", f.purchase_plan_csv.as_bytes())?;
        let mut text = serde_json::to_string_pretty(&f.plan).map_err(output)?;
        text.push('\n');
        st.put("purchase-plan.json", text.as_bytes())?;
    }
    Ok(())
}

/// How `costlab optimize` writes its folder: whole, replacing a folder costlab made (or an
/// earlier version's recommendation files).
fn folder_spec(force: bool) -> Spec<'static> {
    Spec {
        command: "optimize",
        force,
        replace_needs_force: false,
        legacy: folder::legacy_recommendation,
    }
}

pub fn run(a: &OptimizeArgs) -> Result<u8, Failure> {
    a.memory.apply()?;
    let mut sc = read_scenario(&a.scenario).map_err(input)?;
    select(&mut sc, a.what)?;
    let extras = Extras {
        bound: true,
        optimize: true,
    };
    // Not `reports/<name>/`, where `costlab run` writes its report: replacing that folder with
    // the recommendation alone would lose the report.
    let dir = a.out.clone().unwrap_or_else(|| {
        Path::new("reports").join(format!("{}-optimize", super::run::folder_name(&sc.name)))
    });
    folder::check(&dir, &folder_spec(a.force.force))?;
    let reading = a.evidence.reading(&sc)?;
    let report = scenario_report(&mut sc, reading, extras)?;
    let written = folder::write_folder(&dir, &folder_spec(a.force.force), |st| {
        write_recommendations(&report, st)
    })?;
    super::run::note_in_place(&written);
    super::note_skipped(&report.evidence.ledger);
    let text = match a.format {
        OptFormat::Json => {
            let mut t = serde_json::to_string_pretty(&report.optimize).map_err(output)?;
            t.push('\n');
            t
        }
        OptFormat::Table => costlab::report::recommendation_table(&report),
    };
    super::emit(text.as_bytes(), None)?;
    for p in written.files {
        eprintln!("wrote {}", p.display());
    }
    Ok(0)
}
