//! The decide stage: the lifecycle optimizer's pass (its candidates priced alongside the
//! replay, a MILP choosing one per group, the configuration emitted and validated), the
//! clairvoyant bound as a policy, and what `costlab optimize --what` keeps. (The purchase mix
//! is decided in `compute`.)

use super::Options;
use super::error::{PipelineError, input};
use crate::cost::{BookUnitPrices, RateOptions, rate};
use crate::optimize::costing::Costing;
use crate::optimize::emit::merge_configuration;
use crate::optimize::lifecycle_search::{Profile, SearchSetup, search};
use crate::optimize::spec::{FleetSpec, LifecycleSpec};
use crate::optimize::{EmitError, EmitOptions, emit_lifecycle, generate, solve_lifecycle};
use crate::pricing::{Catalog, PriceBook};
use crate::report::recommendation::{ConstraintsReport, GroupReport, LifecycleReport};
use crate::rules::S3Rules;
use crate::scenario::Scenario;
use crate::sim::s3::grouped::{GroupedSimulation, Slots};
use crate::sim::s3::{BucketRequests, Clairvoyant, Policy, PolicyKind, PolicyRun, finish_run};
use rust_decimal::Decimal;
use std::sync::Arc;

/// The name the recommendation is reported under.
pub const RECOMMENDED: &str = "recommended";

/// What `costlab optimize` optimizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Lifecycle rules for the bucket.
    Lifecycle,
    /// The compute purchase mix.
    Fleet,
    /// Whatever the scenario has evidence for.
    All,
}

/// The bound over `peers`, scored with `book`'s marginal unit prices (handed to the simulator,
/// which never reads a book itself), reported as `clairvoyant-bound`.
pub fn bound_policy(book: &PriceBook, peers: &[Policy]) -> Policy {
    Policy {
        name: crate::report::model::BOUND_KIND.into(),
        kind: PolicyKind::Clairvoyant(Clairvoyant {
            prices: Arc::new(BookUnitPrices::new(book)),
            peers: peers.to_vec(),
        }),
    }
}

/// The lifecycle optimizer's part of a scenario run: its candidates and costing policies.
pub struct LifecyclePass {
    spec: LifecycleSpec,
    costing: Costing,
    /// Candidates the search replayed and objects it sampled (`None`: the fixed grid).
    searched: Option<(usize, usize)>,
}

impl LifecyclePass {
    pub fn new(spec: &LifecycleSpec) -> Result<LifecyclePass, PipelineError> {
        let candidates =
            generate(&spec.grid).map_err(|e| input(format!("[optimize.lifecycle]: {e}")))?;
        let costing = Costing::new(
            spec.group_depth,
            &spec.size_bands,
            candidates,
            &EmitOptions::default(),
        );
        Ok(LifecyclePass {
            spec: spec.clone(),
            costing,
            searched: None,
        })
    }

    /// The search's pre-pass, when the spec asks for a search (`transition_days = "auto"`).
    pub fn profile(&self, sc: &Scenario) -> Option<Profile> {
        let s = self.spec.search?;
        Some(Profile::new(
            self.costing.grouping.clone(),
            sc.start,
            sc.end,
            sc.options.future.clone(),
            s.sample_objects,
        ))
    }

    /// Chooses each prefix's candidates from the profiled evidence (`lifecycle_search`); the
    /// costing pass then prices exactly those.
    pub fn search(
        &mut self,
        sc: &Scenario,
        o: &Options<'_>,
        profile: &Profile,
        catalog: &Catalog,
    ) -> Result<(), PipelineError> {
        let mut opts = sc.options.clone();
        opts.future = profile.future().clone();
        let prices = BookUnitPrices::new(catalog.home());
        let k = &self.spec.constraints;
        let setup = SearchSetup {
            grid: &self.spec.grid,
            retention: k.min_retention_days,
            noncurrent_expiration_days: &self.spec.noncurrent_expiration_days,
            versioned: opts.versioning,
            allowances: &k.restore_allowances,
            millisecond_prefixes: &k.millisecond_prefixes,
            opts: &opts,
            rules: &catalog.home().rules.s3,
            prices: &prices,
        };
        let found = search(profile, &setup);
        let per_prefix: Vec<usize> = found
            .offers
            .by_prefix
            .values()
            .map(|f| f.iter().filter(|x| **x).count())
            .collect();
        o.observer.note(&format!(
            "lifecycle search: {} candidate rules replayed on {} sampled objects; {} offered to \
             the costing pass ({} to {} per prefix)",
            found.tried,
            found.sampled,
            found.candidates.len(),
            per_prefix.iter().min().copied().unwrap_or(0),
            per_prefix.iter().max().copied().unwrap_or(0),
        ));
        self.searched = Some((found.tried, found.sampled));
        self.costing = Costing::new(
            self.spec.group_depth,
            &self.spec.size_bands,
            found.candidates,
            &EmitOptions::default(),
        )
        .with_offers(found.offers);
        Ok(())
    }

    /// The costing pass, fed alongside the scenario's own simulation.
    pub fn simulation<'a>(&'a self, sc: &'a Scenario, rules: &'a S3Rules) -> GroupedSimulation<'a> {
        let sim = GroupedSimulation::new(
            &self.costing.policies,
            &self.costing.grouping,
            &sc.options,
            rules,
            sc.start,
            sc.end,
        );
        match self.costing.offer() {
            Some(f) => sim.with_offer(f),
            None => sim,
        }
    }

    /// Prices every pair, solves, writes the configuration, and assembles the recommended
    /// policy's run from the chosen pairs (before replication).
    pub fn recommend(
        &self,
        sc: &Scenario,
        o: &Options<'_>,
        slots: Vec<Slots>,
        catalog: &Catalog,
        bucket: &BucketRequests,
        multipart_uploads: u64,
    ) -> Result<(PolicyRun, LifecycleReport), PipelineError> {
        let c = &self.costing;
        let groups = c.groups(&slots);
        if groups.is_empty() {
            return Err(input(format!(
                "[optimize.lifecycle]: no key has {} `/`-separated segments to group by; lower \
                 group_depth",
                self.spec.group_depth
            )));
        }
        let region = catalog.home().region.clone();
        let first = crate::units::month_of(sc.start);
        let last = crate::units::month_of(crate::units::Timestamp(sc.end.0 - 1));
        let problem = c
            .problem(&slots, &groups, |acc| {
                let usage = acc.into_usage(&region, first, last);
                rate(&usage, catalog, &RateOptions::default()).map(|b| b.total.usd())
            })
            .map_err(input)?;
        let choice = solve_lifecycle(&problem, &self.spec.constraints)
            .map_err(|e| input(format!("[optimize.lifecycle]: {e}")))?;
        o.observer.note(&format!(
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
        ));
        let assignment = choice.assignment();
        let mut notes = Vec::new();
        for g in groups
            .iter()
            .filter(|g| !crate::trace::lifecycle::xml_can_carry(&g.prefix))
        {
            notes.push(format!(
                "The prefix {:?} holds characters a lifecycle configuration cannot carry (S3 \
                 reads it as XML): its objects get no rule.",
                g.prefix
            ));
        }
        notes.dedup();
        let emitted =
            match emit_lifecycle(&groups, &c.candidates, &assignment, &EmitOptions::default()) {
                Ok(e) => Some(e.configuration),
                Err(EmitError::NothingToPut) => None,
                Err(e) => return Err(input(format!("[optimize.lifecycle]: {e}"))),
            };
        let abort = self
            .spec
            .abort_incomplete_multipart_days
            .filter(|_| multipart_uploads > 0);
        let current = self.spec.current.as_ref();
        let prefixes: Vec<String> = groups.iter().map(|g| g.prefix.clone()).collect();
        let (json, rules) = match merge_configuration(
            emitted.as_ref(),
            current.map(|c| &c.configuration),
            &prefixes,
            abort,
        ) {
            Ok(m) => {
                if let (Some(d), true) = (abort, m.abort_added) {
                    notes.push(format!(
                        "The logs show {multipart_uploads} multipart uploads started: rule `{}` \
                         aborts those still incomplete {d} days after they start (their parts \
                         are billed until then; the simulation does not price them).",
                        crate::optimize::emit::ABORT_MULTIPART_ID
                    ));
                }
                if let Some(cur) = current {
                    notes.push(format!(
                        "Merged with the configuration deployed today ({}): kept {} of its \
                         rules ({}), replaced {} ({}) whose prefixes the recommendation covers.",
                        cur.path.display(),
                        m.kept.len(),
                        list_or_none(&m.kept),
                        m.replaced.len(),
                        list_or_none(&m.replaced),
                    ));
                }
                (m.json, m.configuration.rules.len())
            }
            Err(EmitError::NothingToPut) => {
                notes.push(
                    "Every group is cheapest in STANDARD: the recommendation is no lifecycle \
                     configuration at all."
                        .to_string(),
                );
                (String::new(), 0)
            }
            Err(e) => return Err(input(format!("[optimize.lifecycle]: {e}"))),
        };
        if rules > 0 {
            notes.push(if current.is_some() {
                "`aws s3api put-bucket-lifecycle-configuration` replaces the bucket's whole \
                 lifecycle configuration with this file: the recommendation's rules and the \
                 deployed rules kept above."
                    .to_string()
            } else {
                "`aws s3api put-bucket-lifecycle-configuration` replaces the bucket's whole \
                 lifecycle configuration: every rule deployed today that is not in this file is \
                 removed (give today's configuration with `costlab optimize --current FILE` to \
                 keep the rules the recommendation does not replace)."
                    .to_string()
            });
        }
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
        if let Some((tried, sampled)) = self.searched {
            notes.push(format!(
                "Transition days were searched per prefix from the evidence (from day 0, refined \
                 around the ages of the last reads): {tried} candidate rules were replayed on \
                 {sampled} sampled objects, and the best of them priced on every object."
            ));
        }
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
                    reads_needing_restore: g.reads.restores,
                    restore_wait_hours: g.reads.wait_hours,
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
                restores_allowed: k
                    .restore_allowances
                    .iter()
                    .map(|a| a.prefix.clone())
                    .collect(),
            },
            variables: choice.stats.variables,
            rows: choice.stats.constraints,
            notes,
        };
        Ok((run, report))
    }
}

/// `a, b` or `none`.
fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

/// The scenario as `what` asks (`costlab optimize --what`): missing `[optimize]` sections get
/// their defaults, unwanted ones go.
pub fn scope(sc: &mut Scenario, what: Scope) -> Result<(), PipelineError> {
    let lifecycle = matches!(what, Scope::Lifecycle | Scope::All) && !sc.policies.is_empty();
    let fleet = matches!(what, Scope::Fleet | Scope::All) && sc.compute.is_some();
    if what == Scope::Lifecycle && sc.policies.is_empty() {
        return Err(input(
            "--what lifecycle: the scenario has no storage evidence and [[policy]] to compare"
                .to_string(),
        ));
    }
    if what == Scope::Fleet && sc.compute.is_none() {
        return Err(input(
            "--what fleet: the scenario has no [compute] section".to_string(),
        ));
    }
    if lifecycle && sc.policies.iter().any(|p| p.name == RECOMMENDED) {
        return Err(input(format!(
            "a [[policy]] is named `{RECOMMENDED}`, the name the recommendation is reported under: rename it"
        )));
    }
    if lifecycle {
        sc.optimize
            .lifecycle
            .get_or_insert_with(crate::optimize::spec::default_lifecycle);
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
