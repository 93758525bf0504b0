//! The lifecycle MILP as a domain wrapper over good_lp: the struct owns the variables
//! `x[g][c]`, the objective accumulator and the named constraint rows (`assign:<g>`,
//! `run:<g>:<c>`, `rules`, `used:<c>`, `policies`, `restores`, `restores:<prefix>`, `budget`);
//! `solve()` returns the
//! chosen candidate per group. The formulation is documented in `lifecycle_model`.

use super::lifecycle_model::{Families, Prepared};
use super::solver::{self, ModelStats, SolveError, to_f64};
use good_lp::{Constraint, Expression, ProblemVariables, Variable, variable};
use rust_decimal::Decimal;

/// Largest model solved to a zero optimality gap.
pub const EXACT_MAX_VARIABLES: usize = 20_000;

/// The model: variables, objective accumulator and named constraints.
pub(crate) struct LifecycleModel {
    vars: ProblemVariables,
    /// `(candidate, x)` per group.
    x: Vec<Vec<(usize, Variable)>>,
    objective: Expression,
    constraints: Vec<Constraint>,
}

impl LifecycleModel {
    /// Assignment rows and the objective.
    pub fn new(p: &Prepared<'_>) -> LifecycleModel {
        let mut vars = ProblemVariables::new();
        let mut objective = Expression::default();
        let mut constraints = Vec::new();
        let mut x = Vec::with_capacity(p.columns.len());
        for (g, columns) in p.columns.iter().enumerate() {
            let row: Vec<(usize, Variable)> = columns
                .iter()
                .map(|&c| (c, vars.add(variable().binary())))
                .collect();
            let mut one = Expression::default();
            for &(c, v) in &row {
                objective.add_mul(to_f64(p.cost(g, c) - p.floor[g]), v);
                one.add_mul(1.0, v);
            }
            constraints.push(one.eq(1.0).set_name(format!("assign:{g}")));
            x.push(row);
        }
        LifecycleModel {
            vars,
            x,
            objective,
            constraints,
        }
    }

    fn var(&self, g: usize, c: usize) -> Option<Variable> {
        let row = &self.x[g];
        row.binary_search_by_key(&c, |e| e.0).ok().map(|i| row[i].1)
    }

    /// At most `limit` emitted rules.
    pub fn limit_rules(&mut self, p: &Prepared<'_>, limit: usize) {
        let mut count = Expression::default();
        for g in 0..self.x.len() {
            for i in 0..self.x[g].len() {
                let (c, xv) = self.x[g][i];
                if !p.problem.candidates[c].has_action() {
                    continue;
                }
                match p.layout.prev[g].and_then(|q| self.var(q, c)) {
                    Some(below) => {
                        let start = self.vars.add(variable().min(0.0).max(1.0));
                        self.constraints.push(
                            (Expression::from(start) - xv + below)
                                .geq(0.0)
                                .set_name(format!("run:{g}:{c}")),
                        );
                        count.add_mul(1.0, start);
                    }
                    None => count.add_mul(1.0, xv),
                }
            }
        }
        self.constraints
            .push(count.leq(limit as f64).set_name("rules".into()));
    }

    /// At most `limit` distinct candidates with an action.
    pub fn limit_policies(&mut self, p: &Prepared<'_>, limit: usize) {
        let mut used_total = Expression::default();
        for (c, cand) in p.problem.candidates.iter().enumerate() {
            if !cand.has_action() {
                continue;
            }
            let users: Vec<Variable> = (0..self.x.len()).filter_map(|g| self.var(g, c)).collect();
            if users.is_empty() {
                continue;
            }
            let used = self.vars.add(variable().binary());
            for xv in users {
                self.constraints.push(
                    (Expression::from(xv) - used)
                        .leq(0.0)
                        .set_name(format!("used:{c}")),
                );
            }
            used_total.add_mul(1.0, used);
        }
        self.constraints
            .push(used_total.leq(limit as f64).set_name("policies".into()));
    }

    /// `Σ weight(g, c)·x ≤ bound`.
    pub fn limit_sum(&mut self, name: &str, bound: f64, weight: impl Fn(usize, usize) -> f64) {
        let mut sum = Expression::default();
        for (g, row) in self.x.iter().enumerate() {
            for &(c, v) in row {
                let w = weight(g, c);
                if w != 0.0 {
                    sum.add_mul(w, v);
                }
            }
        }
        self.constraints
            .push(sum.leq(bound).set_name(name.to_string()));
    }

    /// Solves; the chosen candidate per group.
    pub fn solve(self) -> Result<(Vec<usize>, ModelStats), SolveError> {
        let LifecycleModel {
            vars,
            x,
            objective,
            constraints,
        } = self;
        // Proven optimum (zero gap) for models up to EXACT_MAX_VARIABLES columns; above, the
        // backend's default relative gap (HiGHS: 1e-4) keeps large constrained models fast.
        let exact = vars.len() <= EXACT_MAX_VARIABLES;
        solver::minimise(vars, objective, constraints, exact, |s| {
            x.iter()
                .map(|row| {
                    row.iter()
                        .max_by(|a, b| s.value(a.1).total_cmp(&s.value(b.1)))
                        .map_or(usize::MAX, |e| e.0)
                })
                .collect()
        })
    }
}

/// Builds the model with the given families; `tighten` lowers the restore and budget bounds
/// (used when a float solution breaks them by a rounding error).
pub(crate) fn build(
    p: &Prepared<'_>,
    f: Families,
    tighten_restores: f64,
    tighten_budget: f64,
) -> LifecycleModel {
    let mut m = LifecycleModel::new(p);
    if f.rules {
        m.limit_rules(p, p.rule_limit);
    }
    if f.policies
        && let Some(k) = p.constraints.max_policies
    {
        m.limit_policies(p, k);
    }
    if f.restores
        && let Some(r) = p.constraints.max_restores_per_month
    {
        m.limit_sum("restores", to_f64(r) - tighten_restores, |g, c| {
            to_f64(p.restores(g, c))
        });
    }
    if f.prefix_restores {
        for (a, limit) in p.capped_allowances() {
            let prefix = &p.constraints.restore_allowances[a].prefix;
            m.limit_sum(
                &format!("restores:{prefix}"),
                to_f64(limit) - tighten_restores,
                |g, c| {
                    if p.allowance[g] == Some(a) {
                        to_f64(p.restores(g, c))
                    } else {
                        0.0
                    }
                },
            );
        }
    }
    if f.budget
        && let Some(b) = p.constraints.budget
    {
        let floor: Decimal = p.floor.iter().sum();
        m.limit_sum("budget", to_f64(b - floor) - tighten_budget, |g, c| {
            to_f64(p.cost(g, c) - p.floor[g])
        });
    }
    m
}

#[cfg(test)]
mod tests {
    use super::super::candidates::Candidate;
    use super::super::groups::{Group, SizeBand};
    use super::super::lifecycle_model::{LifecycleConstraints, LifecycleProblem, solve_lifecycle};
    use crate::aws::StorageClass;
    use rust_decimal::Decimal;

    #[test]
    fn rule_limit_counts_merged_bands_once() {
        let bands = SizeBand::split_at(&[131_072, 1 << 20]);
        let mut p = LifecycleProblem {
            groups: vec![Group::new("a/", bands[1]), Group::new("a/", bands[2])],
            candidates: vec![
                Candidate::standard(),
                Candidate::new(vec![(30, StorageClass::StandardIa)], None),
                Candidate::new(vec![(30, StorageClass::GlacierIr)], None),
            ],
            cost: vec![
                vec![
                    Some(Decimal::from(10)),
                    Some(Decimal::from(5)),
                    Some(Decimal::from(4)),
                ],
                vec![
                    Some(Decimal::from(10)),
                    Some(Decimal::from(4)),
                    Some(Decimal::from(5)),
                ],
            ],
            restores: Vec::new(),
            reads: Vec::new(),
        };
        let free = solve_lifecycle(&p, &LifecycleConstraints::default()).unwrap();
        assert_eq!(free.assignment(), vec![2, 1]);
        assert_eq!((free.rules, free.total), (2, Decimal::from(8)));
        let one = LifecycleConstraints {
            max_rules: Some(1),
            ..Default::default()
        };
        let c = solve_lifecycle(&p, &one).unwrap();
        // One rule: both bands on one candidate (9) beats one band in STANDARD (14).
        assert_eq!((c.rules, c.total), (1, Decimal::from(9)));
        // The chain model: the two bands are one chain whose Pareto options in (cost, rules)
        // are IA30+GIR30 (8, 2 rules), IA30 on both (9, 1: GIR30 on both ties and loses on
        // candidate order) and nothing (20, 0): 3 binaries, the chain row and the rules row.
        assert_eq!((c.stats.variables, c.stats.integer_variables), (3, 3));
        assert_eq!(c.stats.constraints, 2);
        assert_eq!(c.assignment(), vec![1, 1]);
        // With a policy limit the group model runs: 6 binaries, one run-start per action
        // candidate of the upper band, one `used` binary per action candidate; 2 assignment
        // rows, 2 run rows, the rules row, 4 `used` rows and the policies row.
        let k = LifecycleConstraints {
            max_policies: Some(2),
            ..one.clone()
        };
        let c = solve_lifecycle(&p, &k).unwrap();
        assert_eq!((c.rules, c.total), (1, Decimal::from(9)));
        assert_eq!((c.stats.variables, c.stats.integer_variables), (10, 8));
        assert_eq!(c.stats.constraints, 10);
        // The lowest band never shares a rule (groups::layout): with one rule allowed, one of
        // the two bands stays in STANDARD (10 + 4).
        p.groups = vec![Group::new("a/", bands[0]), Group::new("a/", bands[1])];
        let c = solve_lifecycle(&p, &one).unwrap();
        assert_eq!((c.rules, c.total), (1, Decimal::from(14)));
    }

    #[test]
    fn dominated_columns_stay_out_only_where_that_is_safe() {
        let bands = SizeBand::split_at(&[131_072, 1 << 20]);
        let d = Decimal::from;
        // Costs and restores per candidate: STANDARD 10/0, IA30 8/0, GIR30 9/0 (dominated by
        // IA30), GFR30 5/3 (cheaper, more restores: kept).
        let row = || vec![Some(d(10)), Some(d(8)), Some(d(9)), Some(d(5))];
        let rrow = || vec![d(0), d(0), d(0), d(3)];
        let mut p = LifecycleProblem {
            groups: vec![Group::new("a/", bands[0]), Group::new("b/", bands[1])],
            candidates: vec![
                Candidate::standard(),
                Candidate::new(vec![(30, StorageClass::StandardIa)], None),
                Candidate::new(vec![(30, StorageClass::GlacierIr)], None),
                Candidate::new(vec![(30, StorageClass::Glacier)], None),
            ],
            cost: vec![row(), row()],
            restores: vec![rrow(), rrow()],
            reads: Vec::new(),
        };
        let k = LifecycleConstraints {
            max_restores_per_month: Some(d(4)),
            ..Default::default()
        };
        let c = solve_lifecycle(&p, &k).unwrap();
        // STANDARD (dearer than IA30, no fewer restores, and the rule limit cannot bind) and
        // GIR30 leave both groups: 2 columns each.
        assert_eq!((c.dominated, c.stats.integer_variables), (4, 4));
        // The restore limit lets one group take GFR30: 5 + 8.
        assert_eq!(c.total, d(13));
        // When one rule is all that is allowed, a rule matters: STANDARD stays in.
        let one = LifecycleConstraints {
            max_rules: Some(1),
            ..k.clone()
        };
        let c = solve_lifecycle(&p, &one).unwrap();
        assert_eq!(c.dominated, 2);
        assert_eq!(c.total, d(15));
        // Adjacent bands of one prefix under a binding rule limit keep every column.
        p.groups = vec![Group::new("a/", bands[1]), Group::new("a/", bands[2])];
        let c = solve_lifecycle(&p, &one).unwrap();
        assert_eq!(c.dominated, 0);
        // A policy limit keeps every column too.
        let pol = LifecycleConstraints {
            max_policies: Some(1),
            ..k
        };
        assert_eq!(solve_lifecycle(&p, &pol).unwrap().dominated, 0);
    }
}
