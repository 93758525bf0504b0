//! The lifecycle choice model: one candidate per group, minimum total cost, under the user's
//! constraints. A MILP over binaries `x[g][c]` ("group g uses candidate c"), created only for
//! the pairs that are offered and allowed (SLA and retention are exclusions, not rows):
//!
//! * `Σ_c x[g][c] = 1` per group (`assign:<g>`);
//! * rules (`rules`): the emitter writes one rule per maximal run of touching size bands of one
//!   prefix that share a candidate with an action ("stay in STANDARD" needs no rule), so the
//!   number of rules is `Σ_{g,c} start[g][c]` with `start = x[g][c]` when the band below `g`
//!   does not touch it, else `start ≥ x[g][c] − x[prev(g)][c]`, `start ≥ 0`. `K` bounds exactly
//!   the number of rules in the emitted configuration, and the model always applies S3's own
//!   limit of 1,000;
//! * distinct policies (`policies`, optional): `x[g][c] ≤ used[c]`, `Σ_c used[c] ≤ P` over
//!   candidates with an action;
//! * restores (`restores`): `Σ restores[g][c]·x[g][c] ≤ R` per month;
//! * restores under an allowed prefix (`restores:<prefix>`): the same sum over the groups of
//!   one read-latency allowance, `≤ max_per_month`;
//! * budget (`budget`): `Σ cost[g][c]·x[g][c] ≤ B`.
//!
//! **Read latency** is an exclusion: a pair whose reads (in the evidence, or the model of the
//! future) need more restores than the group's reads need anyway (the fewest of any of its
//! candidates: objects already archived) is allowed only under a prefix the scenario lets wait
//! (`restores = [{ prefix, max_per_month, max_wait_hours }]`), and then only when its longest
//! wait is within `max_wait_hours`. A pair whose expiration removes data a later read needs is
//! never allowed.
//!
//! Before the model is built, dominated columns are left out (`Prepared::columns`): in a group
//! whose candidate cannot change how many rules other groups need (it has no adjacent band, or
//! the rule limit cannot bind), a candidate is dropped when another allowed one is no dearer,
//! needs no more restores and, where the rule count matters, needs no more rules. Any optimal
//! assignment that uses a dropped column stays feasible and no dearer with its dominator, so the
//! optimum is unchanged; with a distinct-policy limit nothing is dropped (a dominator could be
//! one more policy). Typical grids keep a handful of 200 candidates per group.
//!
//! When the rule limit binds and size bands of a prefix can share a rule, the model is built
//! over chains of touching bands instead (`lifecycle_chains`): one binary per Pareto-optimal
//! assignment of a chain, exactly equivalent and far smaller.
//!
//! Money is `f64` only inside the model (costs enter relative to each group's cheapest allowed
//! candidate, which keeps the coefficients small); the chosen total is recomputed in `Decimal`
//! and every constraint is re-checked exactly (`lifecycle_check`).

use super::candidates::Candidate;
use super::groups::{Group, GroupError, Layout, layout};
use super::lifecycle_chains;
use super::lifecycle_check::{self, Binding};
use super::lifecycle_milp::build;
use super::solver::{self, ModelStats, SolveError, to_f64};
use crate::trace::lifecycle::MAX_RULES;
use rust_decimal::Decimal;
use serde::Serialize;

/// What the simulator priced: `cost[g][c]` is the expected cost in dollars of group `g` under
/// candidate `c` over the scenario's horizon (`None`: not offered for this group),
/// `restores[g][c]` its expected restore requests per month (empty: none anywhere), and
/// `reads[g][c]` what its reads go through (empty: not known, nothing is excluded for read
/// latency).
#[derive(Clone, Debug, Default)]
pub struct LifecycleProblem {
    pub groups: Vec<Group>,
    pub candidates: Vec<Candidate>,
    pub cost: Vec<Vec<Option<Decimal>>>,
    pub restores: Vec<Vec<Decimal>>,
    pub reads: Vec<Vec<ReadImpact>>,
}

/// What a group's reads go through under a candidate, over the horizon (the costing pass's
/// statistics).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ReadImpact {
    /// Reads that needed a restore first.
    pub restores: u64,
    /// Hours those reads waited, at the scenario's restore tier.
    pub wait_hours: u64,
    /// The longest wait.
    pub max_wait_hours: u64,
    /// Reads of data an expiration had removed.
    pub reads_lost: u64,
}

/// A prefix whose reads may wait for a restore (`[optimize.lifecycle] restores`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RestoreAllowance {
    /// Groups whose prefix starts with it (the longest matching allowance applies; `""`: every
    /// group).
    pub prefix: String,
    /// At most this many restores in a month, the allowance's groups together.
    pub max_per_month: Option<Decimal>,
    /// No read may wait longer than this.
    pub max_wait_hours: Option<u64>,
}

/// The user's constraints (`[optimize.lifecycle]`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LifecycleConstraints {
    /// At most this many rules in the emitted configuration (S3's 1,000 always applies).
    pub max_rules: Option<usize>,
    /// At most this many distinct candidates with an action across all groups.
    pub max_policies: Option<usize>,
    /// Groups whose prefix starts with one of these must stay millisecond-readable (no
    /// GLACIER or DEEP_ARCHIVE transition).
    pub millisecond_prefixes: Vec<String>,
    /// At most this many restore requests per month, all groups together.
    pub max_restores_per_month: Option<Decimal>,
    /// Prefixes whose reads may wait for a restore; elsewhere no candidate may make a read
    /// wait (when the problem carries `reads`).
    pub restore_allowances: Vec<RestoreAllowance>,
    /// No expiration before this many days after creation.
    pub min_retention_days: Option<u32>,
    /// The total may not exceed this many dollars.
    pub budget: Option<Decimal>,
}

/// The runner-up of a group: its cheapest other allowed candidate.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunnerUp {
    pub candidate: usize,
    pub cost: Decimal,
    /// `cost − chosen cost`; negative when a global constraint (rules, policies, restores,
    /// budget) moved the group off its own cheapest candidate.
    pub gap: Decimal,
}

/// The choice for one group.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupChoice {
    pub group: usize,
    pub candidate: usize,
    pub cost: Decimal,
    pub restores_per_month: Decimal,
    /// What the group's reads go through under the choice.
    pub reads: ReadImpact,
    pub runner_up: Option<RunnerUp>,
}

/// The recommendation: a candidate per group and its exact totals.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LifecycleChoice {
    /// One entry per group, in group order.
    pub groups: Vec<GroupChoice>,
    /// Exact sum of the chosen costs.
    pub total: Decimal,
    pub restores_per_month: Decimal,
    /// Rules the emitted configuration will have.
    pub rules: usize,
    /// Distinct candidates with an action in use.
    pub policies: usize,
    /// Allowed (group, candidate) pairs left out of the model as dominated (module docs).
    pub dominated: usize,
    pub stats: ModelStats,
}

impl LifecycleChoice {
    /// The chosen candidate index of every group.
    pub fn assignment(&self) -> Vec<usize> {
        self.groups.iter().map(|g| g.candidate).collect()
    }
}

/// Why no recommendation could be made.
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum LifecycleModelError {
    #[error("the cost matrix does not fit the groups and candidates: {0}")]
    Shape(String),
    #[error(transparent)]
    Groups(#[from] GroupError),
    #[error("group {group} ({label}) has no allowed candidate: {reason}")]
    NoCandidate {
        group: usize,
        label: String,
        reason: String,
    },
    #[error("no assignment satisfies {}: {detail}", list(binding))]
    Infeasible {
        binding: Vec<Binding>,
        detail: String,
    },
    #[error(transparent)]
    Solver(#[from] SolveError),
}

fn list(b: &[Binding]) -> String {
    b.iter()
        .map(|b| b.to_string())
        .collect::<Vec<_>>()
        .join(" together with ")
}

/// Which constraint families a model carries (diagnosis re-solves with subsets).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Families {
    pub rules: bool,
    pub policies: bool,
    pub restores: bool,
    /// The per-allowance restore caps.
    pub prefix_restores: bool,
    pub budget: bool,
}

/// The checked problem: allowed pairs, per-group floors, the rule layout.
pub(crate) struct Prepared<'a> {
    pub problem: &'a LifecycleProblem,
    pub constraints: &'a LifecycleConstraints,
    /// Allowed candidates per group, ascending.
    pub allowed: Vec<Vec<usize>>,
    /// The allowed candidates that enter the model per group, ascending (dominated ones left
    /// out, see the module docs).
    pub columns: Vec<Vec<usize>>,
    /// Allowed (group, candidate) pairs left out of the model as dominated.
    pub dominated: usize,
    /// Cheapest allowed cost per group.
    pub floor: Vec<Decimal>,
    pub layout: Layout,
    /// min(max_rules, 1000).
    pub rule_limit: usize,
    /// The read-latency allowance (index into `constraints.restore_allowances`) of each group.
    pub allowance: Vec<Option<usize>>,
}

impl<'a> Prepared<'a> {
    pub fn new(
        problem: &'a LifecycleProblem,
        constraints: &'a LifecycleConstraints,
    ) -> Result<Self, LifecycleModelError> {
        let (ng, nc) = (problem.groups.len(), problem.candidates.len());
        if problem.cost.len() != ng || problem.cost.iter().any(|r| r.len() != nc) {
            return Err(LifecycleModelError::Shape(format!(
                "expected {ng} rows of {nc} costs (groups × candidates)"
            )));
        }
        if !problem.restores.is_empty()
            && (problem.restores.len() != ng || problem.restores.iter().any(|r| r.len() != nc))
        {
            return Err(LifecycleModelError::Shape(format!(
                "expected no restores or {ng} rows of {nc} restore counts"
            )));
        }
        if !problem.reads.is_empty()
            && (problem.reads.len() != ng || problem.reads.iter().any(|r| r.len() != nc))
        {
            return Err(LifecycleModelError::Shape(format!(
                "expected no read impacts or {ng} rows of {nc}"
            )));
        }
        let layout = layout(&problem.groups)?;
        let mut allowed = Vec::with_capacity(ng);
        let mut floor = Vec::with_capacity(ng);
        let mut allowance = Vec::with_capacity(ng);
        for (g, group) in problem.groups.iter().enumerate() {
            let sla = constraints
                .millisecond_prefixes
                .iter()
                .any(|p| group.prefix.starts_with(p.as_str()));
            let waits = constraints
                .restore_allowances
                .iter()
                .enumerate()
                .filter(|(_, a)| group.prefix.starts_with(a.prefix.as_str()))
                .max_by_key(|(_, a)| a.prefix.len())
                .map(|(i, _)| i);
            allowance.push(waits);
            // What the group's reads go through whatever the rule (objects already archived):
            // the fewest of any offered candidate.
            let reads = problem.reads.get(g);
            let impact = |c: usize| reads.and_then(|r| r.get(c)).copied().unwrap_or_default();
            let offered_c = || (0..nc).filter(|&c| problem.cost[g][c].is_some());
            let base_restores = offered_c().map(|c| impact(c).restores).min().unwrap_or(0);
            let base_lost = offered_c().map(|c| impact(c).reads_lost).min().unwrap_or(0);
            let (mut offered, mut sla_out, mut ret_out, mut wait_out, mut lost_out) =
                (0, 0, 0, 0, 0);
            let mut ok = Vec::new();
            for (c, cand) in problem.candidates.iter().enumerate() {
                if problem.cost[g][c].is_none() {
                    continue;
                }
                offered += 1;
                let r = impact(c);
                let waits_more = r.restores > base_restores
                    && match waits.map(|i| &constraints.restore_allowances[i]) {
                        None => true,
                        Some(a) => a.max_wait_hours.is_some_and(|h| r.max_wait_hours > h),
                    };
                if sla && !cand.millisecond_readable() {
                    sla_out += 1;
                } else if let (Some(n), Some(x)) = (
                    constraints.min_retention_days,
                    cand.expiration_days
                        .into_iter()
                        .chain(cand.noncurrent_expiration_days)
                        .min(),
                ) && x < n
                {
                    ret_out += 1;
                } else if r.reads_lost > base_lost {
                    lost_out += 1;
                } else if waits_more {
                    wait_out += 1;
                } else {
                    ok.push(c);
                }
            }
            let Some(best) = ok.iter().filter_map(|&c| problem.cost[g][c]).min() else {
                return Err(LifecycleModelError::NoCandidate {
                    group: g,
                    label: group.label(),
                    reason: format!(
                        "{offered} of {nc} candidates offered; {sla_out} excluded by the \
                         millisecond-read SLA, {ret_out} by the minimum retention, {lost_out} \
                         because they expire data later read, {wait_out} because reads would \
                         wait for a restore (allow it with restores = [{{ prefix = {:?} }}])",
                        group.prefix
                    ),
                });
            };
            floor.push(best);
            allowed.push(ok);
        }
        let rule_limit = constraints.max_rules.unwrap_or(MAX_RULES).min(MAX_RULES);
        let mut p = Prepared {
            problem,
            constraints,
            columns: Vec::new(),
            dominated: 0,
            allowed,
            floor,
            layout,
            rule_limit,
            allowance,
        };
        p.columns = p.undominated();
        p.dominated = p.allowed.iter().map(Vec::len).sum::<usize>()
            - p.columns.iter().map(Vec::len).sum::<usize>();
        Ok(p)
    }

    /// The allowed candidates per group without the dominated ones (module docs).
    fn undominated(&self) -> Vec<Vec<usize>> {
        if self.constraints.max_policies.is_some() {
            return self.allowed.clone();
        }
        let rules_bind = self.families().rules;
        let mut linked = vec![false; self.allowed.len()];
        for (g, below) in self.layout.prev.iter().enumerate() {
            if let Some(b) = *below {
                linked[g] = true;
                linked[b] = true;
            }
        }
        let weight = |c: usize| self.problem.candidates[c].actions();
        self.allowed
            .iter()
            .enumerate()
            .map(|(g, allowed)| {
                if rules_bind && linked[g] {
                    return allowed.clone();
                }
                let action = |c: usize| rules_bind && self.problem.candidates[c].has_action();
                // Cheapest first; among equals fewer restores, no rule, the simplest. A column
                // is dominated when an earlier one (no dearer) has no more restores and needs
                // no more rules: track the fewest restores seen, overall and without a rule.
                let mut order = allowed.clone();
                order.sort_by_key(|&c| {
                    (
                        self.cost(g, c),
                        self.restores(g, c),
                        action(c),
                        weight(c),
                        c,
                    )
                });
                let (mut fewest_any, mut fewest_no_rule): (Option<Decimal>, Option<Decimal>) =
                    (None, None);
                let mut keep = Vec::new();
                for c in order {
                    let r = self.restores(g, c);
                    let best = if action(c) {
                        fewest_any
                    } else {
                        fewest_no_rule
                    };
                    if best.is_some_and(|b| b <= r) {
                        continue;
                    }
                    keep.push(c);
                    fewest_any = Some(fewest_any.map_or(r, |b| b.min(r)));
                    if !action(c) {
                        fewest_no_rule = Some(fewest_no_rule.map_or(r, |b| b.min(r)));
                    }
                }
                keep.sort_unstable();
                keep
            })
            .collect()
    }

    pub fn restores(&self, g: usize, c: usize) -> Decimal {
        self.problem
            .restores
            .get(g)
            .and_then(|r| r.get(c))
            .copied()
            .unwrap_or_default()
    }

    pub fn cost(&self, g: usize, c: usize) -> Decimal {
        self.problem.cost[g][c].unwrap_or_default()
    }

    pub fn reads(&self, g: usize, c: usize) -> ReadImpact {
        self.problem
            .reads
            .get(g)
            .and_then(|r| r.get(c))
            .copied()
            .unwrap_or_default()
    }

    /// The allowances with a monthly restore cap, and the groups each covers.
    pub fn capped_allowances(&self) -> Vec<(usize, Decimal)> {
        self.constraints
            .restore_allowances
            .iter()
            .enumerate()
            .filter_map(|(i, a)| a.max_per_month.map(|m| (i, m)))
            .filter(|(i, _)| self.allowance.contains(&Some(*i)))
            .collect()
    }

    /// The families the constraints ask for (rules only when they could bind).
    pub fn families(&self) -> Families {
        Families {
            rules: self.rule_limit < self.problem.groups.len(),
            policies: self.constraints.max_policies.is_some(),
            restores: self.constraints.max_restores_per_month.is_some(),
            prefix_restores: !self.capped_allowances().is_empty(),
            budget: self.constraints.budget.is_some(),
        }
    }
}

/// Ties go to the simplest rule: a group whose chosen candidate costs exactly what a simpler
/// one costs (no rule at all for an empty group; `IA30` rather than `IA30-GDA365` when no object
/// lives 365 days within the horizon) gets the simpler one, when that keeps every constraint
/// and adds no rule. Deterministic, whatever the solver picked among equals.
fn prefer_simplest(p: &Prepared<'_>, mut assignment: Vec<usize>) -> Vec<usize> {
    let weight = |c: usize| (p.problem.candidates[c].actions(), c);
    for g in 0..assignment.len() {
        let c = assignment[g];
        let mut simpler: Vec<usize> = p.allowed[g]
            .iter()
            .copied()
            .filter(|&o| weight(o) < weight(c) && p.cost(g, o) == p.cost(g, c))
            .collect();
        simpler.sort_by_key(|&o| weight(o));
        let before = lifecycle_check::rule_count(p, &assignment);
        for o in simpler {
            assignment[g] = o;
            if lifecycle_check::rule_count(p, &assignment) <= before
                && lifecycle_check::violations(p, &assignment).is_empty()
            {
                break;
            }
            assignment[g] = c;
        }
    }
    assignment
}

/// Chooses a candidate per group: the cheapest assignment that satisfies `constraints`.
pub fn solve_lifecycle(
    problem: &LifecycleProblem,
    constraints: &LifecycleConstraints,
) -> Result<LifecycleChoice, LifecycleModelError> {
    let p = Prepared::new(problem, constraints)?;
    lifecycle_check::quick_bounds(&p)?;
    let families = p.families();
    // With a binding rule limit and bands that can share a rule, the chain model (one option
    // per run of touching bands) is far smaller than one column per group and candidate.
    let chains = (families.rules && !families.policies)
        .then(|| lifecycle_chains::chains(&p))
        .flatten()
        .filter(|c| c.groups.iter().any(|g| g.len() > 1));
    let (mut tr, mut tb) = (0.0, 0.0);
    for _ in 0..4 {
        let solved = match &chains {
            Some(c) => lifecycle_chains::solve(&p, c, tr, tb),
            None => build(&p, families, tr, tb).solve(),
        };
        let (assignment, stats) = match solved {
            Ok(ok) => ok,
            Err(SolveError::Infeasible) => return Err(lifecycle_check::diagnose(&p, families)),
            Err(e) => return Err(e.into()),
        };
        let broken = lifecycle_check::violations(&p, &assignment);
        if broken.is_empty() {
            let assignment = prefer_simplest(&p, assignment);
            return Ok(lifecycle_check::choice(&p, assignment, stats));
        }
        // Only a rounding error of the float model can get here: tighten and solve again.
        for b in broken {
            match b {
                Binding::Restores { excess, .. } | Binding::PrefixRestores { excess, .. } => {
                    tr += to_f64(excess) + 1e-7
                }
                Binding::Budget { excess, .. } => tb += to_f64(excess) + 1e-7,
                other => {
                    return Err(SolveError::Backend {
                        solver: solver::SOLVER_NAME,
                        message: format!("the solution breaks {other}"),
                    }
                    .into());
                }
            }
        }
    }
    Err(SolveError::Backend {
        solver: solver::SOLVER_NAME,
        message: "the solution kept breaking a constraint by a rounding error".into(),
    }
    .into())
}
