//! The lifecycle model by chains, for when the rule limit binds and adjacent size bands of a
//! prefix can share a rule. A chain is a maximal run of touching bands of one prefix (the
//! groups `groups::layout` links); an isolated group is a chain of one. Each chain's
//! assignments are enumerated band by band, keeping only the Pareto-optimal partial ones in
//! (cost, restores, rules) with the last band's candidate as state: a partial assignment `A`
//! beats `B` when it is no dearer, needs no more restores, and has fewer rules by at least
//! what `B`'s last candidate could still save by merging with the next band (one rule, when
//! `A` ends on another candidate and `B`'s has an action), so every completion of `B` is
//! matched by the same completion of `A`. The model then picks one option per chain:
//! `Σ_o y[k][o] = 1`, `Σ rules·y ≤ K`, `Σ restores·y ≤ R` (and per read-latency allowance,
//! over its chains: a chain is one prefix), `Σ cost·y ≤ B`. Exact: every
//! optimum of the group model has an option of equal or lower cost in every row.
//!
//! Not used with a distinct-policy limit (which options cannot see) or when a chain's
//! frontier grows past `MAX_OPTIONS` (the group model then takes over).

use super::lifecycle_model::Prepared;
use super::solver::{self, ModelStats, SolveError, to_f64};
use good_lp::{Expression, ProblemVariables, Variable, variable};
use rust_decimal::Decimal;

/// Most options one chain may keep; past it the group model is used.
pub const MAX_OPTIONS: usize = 5_000;

/// One assignment of a chain's groups.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ChainOption {
    /// Candidate per group of the chain, in chain order.
    pub picks: Vec<usize>,
    pub cost: Decimal,
    pub restores: Decimal,
    pub rules: usize,
}

/// The chains (group indices, bands ascending) and their Pareto-optimal options.
pub(crate) struct Chains {
    pub groups: Vec<Vec<usize>>,
    pub options: Vec<Vec<ChainOption>>,
}

/// The chains of `p` with their options, or `None` when a frontier outgrows `MAX_OPTIONS`.
pub(crate) fn chains(p: &Prepared<'_>) -> Option<Chains> {
    let mut groups = Vec::new();
    for (_, members) in &p.layout.prefixes {
        let mut run: Vec<usize> = Vec::new();
        for &g in members {
            if run.last().is_some_and(|&l| p.layout.prev[g] != Some(l)) {
                groups.push(std::mem::take(&mut run));
            }
            run.push(g);
        }
        if !run.is_empty() {
            groups.push(run);
        }
    }
    let mut options = Vec::with_capacity(groups.len());
    for chain in &groups {
        options.push(frontier(p, chain)?);
    }
    Some(Chains { groups, options })
}

/// The Pareto-optimal assignments of one chain (module docs), cheapest first.
fn frontier(p: &Prepared<'_>, chain: &[usize]) -> Option<Vec<ChainOption>> {
    let action = |c: usize| p.problem.candidates[c].has_action();
    let mut states = vec![ChainOption {
        picks: Vec::new(),
        cost: Decimal::ZERO,
        restores: Decimal::ZERO,
        rules: 0,
    }];
    for (j, &g) in chain.iter().enumerate() {
        let mut next = Vec::with_capacity(states.len() * p.allowed[g].len());
        for s in &states {
            for &c in &p.allowed[g] {
                let merges = j > 0 && s.picks.last() == Some(&c);
                let mut picks = s.picks.clone();
                picks.push(c);
                next.push(ChainOption {
                    picks,
                    cost: s.cost + p.cost(g, c),
                    restores: s.restores + p.restores(g, c),
                    rules: s.rules + usize::from(action(c) && !merges),
                });
            }
        }
        let last = j + 1 == chain.len();
        states = prune(next, chain.len() + 1, |o: &ChainOption| {
            let c = *o.picks.last().unwrap_or(&0);
            (c, !last && action(c))
        });
        if states.len() > MAX_OPTIONS {
            return None;
        }
    }
    Some(states)
}

/// Keeps the options no other dominates. `tail(o)` is `o`'s last candidate and whether a
/// later band could still merge with it (then another candidate must have one rule fewer to
/// dominate it). Sorted by cost, then restores, rules and picks, so the survivors and their
/// order are deterministic and among equals the first (lowest candidate indices) stays.
fn prune(
    mut all: Vec<ChainOption>,
    levels: usize,
    tail: impl Fn(&ChainOption) -> (usize, bool),
) -> Vec<ChainOption> {
    all.sort_by(|a, b| {
        (a.cost, a.restores, a.rules)
            .cmp(&(b.cost, b.restores, b.rules))
            .then_with(|| a.picks.cmp(&b.picks))
    });
    // Fewest restores among kept options so far, per rule count, overall and per last candidate.
    let mut any: Vec<Option<Decimal>> = vec![None; levels + 1];
    let mut same: std::collections::HashMap<(usize, usize), Decimal> = Default::default();
    let mut keep = Vec::new();
    for o in all {
        let (c, open) = tail(&o);
        let r = o.restores;
        let by_any = o
            .rules
            .checked_sub(usize::from(open))
            .is_some_and(|top| any[..=top.min(levels)].iter().flatten().any(|&m| m <= r));
        let by_same = (0..=o.rules.min(levels)).any(|k| same.get(&(k, c)).is_some_and(|&m| m <= r));
        if by_any || by_same {
            continue;
        }
        let k = o.rules.min(levels);
        any[k] = Some(any[k].map_or(r, |m| m.min(r)));
        let e = same.entry((k, c)).or_insert(r);
        *e = (*e).min(r);
        keep.push(o);
    }
    keep
}

/// Solves the chain model: the chosen candidate per group. `tighten_*` lower the restore and
/// budget bounds (after a rounding error of the float model).
pub(crate) fn solve(
    p: &Prepared<'_>,
    chains: &Chains,
    tighten_restores: f64,
    tighten_budget: f64,
) -> Result<(Vec<usize>, ModelStats), SolveError> {
    let mut vars = ProblemVariables::new();
    let mut objective = Expression::default();
    let mut constraints = Vec::new();
    let (mut rules, mut restores, mut budget) = (
        Expression::default(),
        Expression::default(),
        Expression::default(),
    );
    let capped = p.capped_allowances();
    let mut by_allowance: Vec<Expression> = capped.iter().map(|_| Expression::default()).collect();
    let mut y: Vec<Vec<Variable>> = Vec::with_capacity(chains.groups.len());
    for (k, (chain, options)) in chains.groups.iter().zip(&chains.options).enumerate() {
        // A chain is one prefix: one allowance (or none) for all its groups.
        let cap = chain
            .first()
            .and_then(|&g| capped.iter().position(|(a, _)| p.allowance[g] == Some(*a)));
        let floor: Decimal = chain.iter().map(|&g| p.floor[g]).sum();
        let mut one = Expression::default();
        let mut row = Vec::with_capacity(options.len());
        for o in options {
            let v = vars.add(variable().binary());
            let relative = to_f64(o.cost - floor);
            objective.add_mul(relative, v);
            budget.add_mul(relative, v);
            one.add_mul(1.0, v);
            if o.rules > 0 {
                rules.add_mul(o.rules as f64, v);
            }
            if !o.restores.is_zero() {
                restores.add_mul(to_f64(o.restores), v);
                if let Some(i) = cap {
                    by_allowance[i].add_mul(to_f64(o.restores), v);
                }
            }
            row.push(v);
        }
        constraints.push(one.eq(1.0).set_name(format!("chain:{k}")));
        y.push(row);
    }
    constraints.push(rules.leq(p.rule_limit as f64).set_name("rules".into()));
    if let Some(r) = p.constraints.max_restores_per_month {
        constraints.push(
            restores
                .leq(to_f64(r) - tighten_restores)
                .set_name("restores".into()),
        );
    }
    for ((a, limit), sum) in capped.iter().zip(by_allowance) {
        let prefix = &p.constraints.restore_allowances[*a].prefix;
        constraints.push(
            sum.leq(to_f64(*limit) - tighten_restores)
                .set_name(format!("restores:{prefix}")),
        );
    }
    if let Some(b) = p.constraints.budget {
        let floor: Decimal = p.floor.iter().sum();
        constraints.push(
            budget
                .leq(to_f64(b - floor) - tighten_budget)
                .set_name("budget".into()),
        );
    }
    let exact = vars.len() <= super::lifecycle_milp::EXACT_MAX_VARIABLES;
    solver::minimise(vars, objective, constraints, exact, |s| {
        let mut assignment = vec![usize::MAX; p.problem.groups.len()];
        for ((chain, options), row) in chains.groups.iter().zip(&chains.options).zip(&y) {
            let best = (0..row.len()).max_by(|&a, &b| s.value(row[a]).total_cmp(&s.value(row[b])));
            if let Some(o) = best {
                for (&g, &c) in chain.iter().zip(&options[o].picks) {
                    assignment[g] = c;
                }
            }
        }
        assignment
    })
}
