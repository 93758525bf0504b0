//! Exact (`Decimal`) checks of a lifecycle assignment: its total, its rule count, the
//! constraints it breaks; and the diagnosis that names the binding constraint when the model
//! is infeasible.

use super::lifecycle_milp::build;
use super::lifecycle_model::{
    Families, GroupChoice, LifecycleChoice, LifecycleConstraints, LifecycleModelError,
    LifecycleProblem, Prepared, RunnerUp,
};
use super::solver::{ModelStats, SolveError};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt;

/// A constraint that binds (in an infeasibility) or is broken (by an assignment).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Binding {
    /// At most `limit` rules (`from_s3`: S3's own 1,000-rule limit, not the user's K).
    MaxRules { limit: usize, from_s3: bool },
    /// At most `limit` distinct policies.
    MaxPolicies { limit: usize },
    /// At most `limit` restores per month; `excess` is by how much an assignment breaks it.
    Restores { limit: Decimal, excess: Decimal },
    /// At most `limit` restores per month under a read-latency allowance's prefix.
    PrefixRestores {
        prefix: String,
        limit: Decimal,
        excess: Decimal,
    },
    /// At most `limit` dollars.
    Budget { limit: Decimal, excess: Decimal },
    /// A group's candidate is not offered or not allowed (SLA, retention).
    NotAllowed { group: usize, candidate: usize },
}

impl fmt::Display for Binding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Binding::MaxRules { limit, from_s3 } if *from_s3 => {
                write!(f, "S3's limit of {limit} lifecycle rules")
            }
            Binding::MaxRules { limit, .. } => write!(f, "max_rules = {limit}"),
            Binding::MaxPolicies { limit } => write!(f, "max_policies = {limit}"),
            Binding::Restores { limit, .. } => write!(f, "max_restores_per_month = {limit}"),
            Binding::PrefixRestores { prefix, limit, .. } => write!(
                f,
                "restores = [{{ prefix = {prefix:?}, max_per_month = {limit} }}]"
            ),
            Binding::Budget { limit, .. } => write!(f, "budget = ${limit}"),
            Binding::NotAllowed { group, candidate } => {
                write!(f, "group {group} may not use candidate {candidate}")
            }
        }
    }
}

/// Exact total of an assignment (`None` if a chosen candidate is not offered or the
/// assignment does not have one entry per group).
pub fn assignment_total(problem: &LifecycleProblem, assignment: &[usize]) -> Option<Decimal> {
    if assignment.len() != problem.groups.len() {
        return None;
    }
    assignment
        .iter()
        .enumerate()
        .map(|(g, &c)| problem.cost.get(g)?.get(c).copied().flatten())
        .sum()
}

/// The constraints `assignment` breaks (empty: it is feasible).
pub fn check_assignment(
    problem: &LifecycleProblem,
    constraints: &LifecycleConstraints,
    assignment: &[usize],
) -> Result<Vec<Binding>, LifecycleModelError> {
    let p = Prepared::new(problem, constraints)?;
    if assignment.len() != problem.groups.len() {
        return Err(LifecycleModelError::Shape(format!(
            "the assignment has {} entries for {} groups",
            assignment.len(),
            problem.groups.len()
        )));
    }
    Ok(violations(&p, assignment))
}

/// Number of rules the emitter writes for an assignment.
pub(crate) fn rule_count(p: &Prepared<'_>, assignment: &[usize]) -> usize {
    (0..assignment.len())
        .filter(|&g| {
            let c = assignment[g];
            p.problem.candidates[c].has_action()
                && p.layout.prev[g].is_none_or(|q| assignment[q] != c)
        })
        .count()
}

fn policy_count(p: &Prepared<'_>, assignment: &[usize]) -> usize {
    assignment
        .iter()
        .filter(|&&c| p.problem.candidates[c].has_action())
        .collect::<BTreeSet<_>>()
        .len()
}

pub(crate) fn violations(p: &Prepared<'_>, assignment: &[usize]) -> Vec<Binding> {
    let mut out = Vec::new();
    for (g, &c) in assignment.iter().enumerate() {
        if p.allowed[g].binary_search(&c).is_err() {
            out.push(Binding::NotAllowed {
                group: g,
                candidate: c,
            });
        }
    }
    if !out.is_empty() {
        return out;
    }
    if rule_count(p, assignment) > p.rule_limit {
        out.push(rules_binding(p));
    }
    if let Some(k) = p.constraints.max_policies
        && policy_count(p, assignment) > k
    {
        out.push(Binding::MaxPolicies { limit: k });
    }
    if let Some(r) = p.constraints.max_restores_per_month {
        let total: Decimal = (0..assignment.len())
            .map(|g| p.restores(g, assignment[g]))
            .sum();
        if total > r {
            out.push(Binding::Restores {
                limit: r,
                excess: total - r,
            });
        }
    }
    for (a, limit) in p.capped_allowances() {
        let total: Decimal = (0..assignment.len())
            .filter(|&g| p.allowance[g] == Some(a))
            .map(|g| p.restores(g, assignment[g]))
            .sum();
        if total > limit {
            out.push(prefix_binding(p, a, limit, total - limit));
        }
    }
    if let Some(b) = p.constraints.budget {
        let total: Decimal = (0..assignment.len())
            .map(|g| p.cost(g, assignment[g]))
            .sum();
        if total > b {
            out.push(Binding::Budget {
                limit: b,
                excess: total - b,
            });
        }
    }
    out
}

fn prefix_binding(p: &Prepared<'_>, a: usize, limit: Decimal, excess: Decimal) -> Binding {
    Binding::PrefixRestores {
        prefix: p.constraints.restore_allowances[a].prefix.clone(),
        limit,
        excess,
    }
}

fn rules_binding(p: &Prepared<'_>) -> Binding {
    Binding::MaxRules {
        limit: p.rule_limit,
        from_s3: p.constraints.max_rules.is_none_or(|k| k > p.rule_limit),
    }
}

/// Infeasibility that needs no solver: the fewest restores or the cheapest total possible
/// (each group on its own best allowed candidate) already break the bound.
pub(crate) fn quick_bounds(p: &Prepared<'_>) -> Result<(), LifecycleModelError> {
    for (a, limit) in p.capped_allowances() {
        let fewest: Decimal = (0..p.allowed.len())
            .filter(|&g| p.allowance[g] == Some(a))
            .map(|g| {
                p.allowed[g]
                    .iter()
                    .map(|&c| p.restores(g, c))
                    .min()
                    .unwrap_or_default()
            })
            .sum();
        if fewest > limit {
            return Err(LifecycleModelError::Infeasible {
                binding: vec![prefix_binding(p, a, limit, fewest - limit)],
                detail: format!(
                    "even the fewest restores the allowed candidates give there is {fewest} per \
                     month"
                ),
            });
        }
    }
    if let Some(r) = p.constraints.max_restores_per_month {
        let fewest: Decimal = p
            .allowed
            .iter()
            .enumerate()
            .map(|(g, a)| {
                a.iter()
                    .map(|&c| p.restores(g, c))
                    .min()
                    .unwrap_or_default()
            })
            .sum();
        if fewest > r {
            return Err(LifecycleModelError::Infeasible {
                binding: vec![Binding::Restores {
                    limit: r,
                    excess: fewest - r,
                }],
                detail: format!(
                    "even the fewest restores the allowed candidates give is {fewest} per month"
                ),
            });
        }
    }
    if let Some(b) = p.constraints.budget {
        let cheapest: Decimal = p.floor.iter().sum();
        if cheapest > b {
            return Err(LifecycleModelError::Infeasible {
                binding: vec![Binding::Budget {
                    limit: b,
                    excess: cheapest - b,
                }],
                detail: format!("the cheapest allowed assignment costs ${cheapest}"),
            });
        }
    }
    Ok(())
}

/// Names the binding constraints of an infeasible model: a family that is infeasible on its
/// own, else a pair, else all of them.
pub(crate) fn diagnose(p: &Prepared<'_>, all: Families) -> LifecycleModelError {
    let none = Families {
        rules: false,
        policies: false,
        restores: false,
        prefix_restores: false,
        budget: false,
    };
    let first_cap = p.capped_allowances().first().copied();
    let singles: Vec<(Families, Binding)> = [
        (
            all.rules,
            Families {
                rules: true,
                ..none
            },
            rules_binding(p),
        ),
        (
            all.policies,
            Families {
                policies: true,
                ..none
            },
            Binding::MaxPolicies {
                limit: p.constraints.max_policies.unwrap_or_default(),
            },
        ),
        (
            all.restores,
            Families {
                restores: true,
                ..none
            },
            Binding::Restores {
                limit: p.constraints.max_restores_per_month.unwrap_or_default(),
                excess: Decimal::ZERO,
            },
        ),
        (
            all.prefix_restores,
            Families {
                prefix_restores: true,
                ..none
            },
            match first_cap {
                Some((a, limit)) => prefix_binding(p, a, limit, Decimal::ZERO),
                None => Binding::Restores {
                    limit: Decimal::ZERO,
                    excess: Decimal::ZERO,
                },
            },
        ),
        (
            all.budget,
            Families {
                budget: true,
                ..none
            },
            Binding::Budget {
                limit: p.constraints.budget.unwrap_or_default(),
                excess: Decimal::ZERO,
            },
        ),
    ]
    .into_iter()
    .filter(|(on, _, _)| *on)
    .map(|(_, f, b)| (f, b))
    .collect();
    let infeasible = |f: Families| -> Result<bool, SolveError> {
        match build(p, f, 0.0, 0.0).solve() {
            Ok(_) => Ok(false),
            Err(SolveError::Infeasible) => Ok(true),
            Err(e) => Err(e),
        }
    };
    let union = |a: Families, b: Families| Families {
        rules: a.rules || b.rules,
        policies: a.policies || b.policies,
        restores: a.restores || b.restores,
        prefix_restores: a.prefix_restores || b.prefix_restores,
        budget: a.budget || b.budget,
    };
    for (f, b) in &singles {
        match infeasible(*f) {
            Ok(true) => {
                return LifecycleModelError::Infeasible {
                    binding: vec![b.clone()],
                    detail: "this constraint alone cannot be met by any assignment of allowed \
                             candidates"
                        .into(),
                };
            }
            Ok(false) => {}
            Err(e) => return e.into(),
        }
    }
    for i in 0..singles.len() {
        for j in i + 1..singles.len() {
            match infeasible(union(singles[i].0, singles[j].0)) {
                Ok(true) => {
                    return LifecycleModelError::Infeasible {
                        binding: vec![singles[i].1.clone(), singles[j].1.clone()],
                        detail: "each can be met alone, but not both at once".into(),
                    };
                }
                Ok(false) => {}
                Err(e) => return e.into(),
            }
        }
    }
    LifecycleModelError::Infeasible {
        binding: singles.into_iter().map(|(_, b)| b).collect(),
        detail: "any smaller subset of these can be met, but not all at once".into(),
    }
}

/// The choice with exact totals, runner-ups and gaps.
pub(crate) fn choice(
    p: &Prepared<'_>,
    assignment: Vec<usize>,
    stats: ModelStats,
) -> LifecycleChoice {
    let groups: Vec<GroupChoice> = assignment
        .iter()
        .enumerate()
        .map(|(g, &c)| {
            let cost = p.cost(g, c);
            let runner_up = p.allowed[g]
                .iter()
                .filter(|&&o| o != c)
                .min_by_key(|&&o| (p.cost(g, o), o))
                .map(|&o| RunnerUp {
                    candidate: o,
                    cost: p.cost(g, o),
                    gap: p.cost(g, o) - cost,
                });
            GroupChoice {
                group: g,
                candidate: c,
                cost,
                restores_per_month: p.restores(g, c),
                reads: p.reads(g, c),
                runner_up,
            }
        })
        .collect();
    LifecycleChoice {
        total: groups.iter().map(|g| g.cost).sum(),
        restores_per_month: groups.iter().map(|g| g.restores_per_month).sum(),
        rules: rule_count(p, &assignment),
        policies: policy_count(p, &assignment),
        groups,
        dominated: p.dominated,
        stats,
    }
}
