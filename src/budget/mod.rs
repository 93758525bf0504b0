//! Budgets and verdicts: budget files (docs/budgets.md), each budget line checked against a
//! report (and a baseline report), with actual, limit and headroom, plus the line items that
//! moved most against the baseline. Exact decimals throughout: a gate on a deterministic
//! simulation can be exact.

mod baseline;
mod file;
pub mod views;

pub use baseline::{BaselineMismatch, check_baseline};
pub use file::{Budget, BudgetFile, read_budgets};

use crate::report::model::{PolicyReport, Report, category_totals};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// Which policy of a report a budget is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// The scenario's current policy (its `current`, else the first).
    Current,
    /// The cheapest deployable policy (the optimizer's recommendation when there is one).
    Recommended,
    Named(String),
}

impl Target {
    pub fn parse(s: &str) -> Target {
        match s {
            "current" => Target::Current,
            "recommended" => Target::Recommended,
            n => Target::Named(n.to_string()),
        }
    }

    fn find<'a>(&self, r: &'a Report) -> Option<&'a PolicyReport> {
        match self {
            Target::Current => r.current_policy(),
            Target::Recommended => r.best_deployable(),
            Target::Named(n) => r.policy(n),
        }
    }

    /// What a budget line measures: the policy's storage bill with the scenario's compute under
    /// category `compute`, or, in a report without storage policies, the compute fleet itself
    /// (for `current` and `recommended`).
    fn subject(&self, r: &Report) -> Option<Subject> {
        let compute = r.compute.as_ref();
        match (self.find(r), compute) {
            (Some(p), _) => {
                let mut categories = category_totals(&p.months);
                if let Some(c) = compute {
                    *categories.entry("compute".into()).or_insert(Decimal::ZERO) +=
                        c.total_amortized_usd;
                }
                Some(Subject {
                    total: p.total_usd,
                    months: p
                        .months
                        .iter()
                        .map(|m| (m.month.clone(), m.total_usd))
                        .collect(),
                    categories,
                })
            }
            (None, Some(c)) if r.policies.is_empty() && !matches!(self, Target::Named(_)) => {
                Some(Subject {
                    total: c.total_amortized_usd,
                    months: c
                        .months
                        .iter()
                        .map(|m| (m.month.clone(), m.total_amortized_usd))
                        .collect(),
                    categories: [("compute".to_string(), c.total_amortized_usd)].into(),
                })
            }
            _ => None,
        }
    }

    pub fn label(&self) -> String {
        match self {
            Target::Current => "current".into(),
            Target::Recommended => "recommended".into(),
            Target::Named(n) => n.clone(),
        }
    }
}

/// The figures a budget checks.
struct Subject {
    total: Decimal,
    months: Vec<(String, Decimal)>,
    categories: BTreeMap<String, Decimal>,
}

/// One checked budget line.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    /// `scenario / policy / what`, e.g. `datalake / current / max_monthly_usd (2026-04)`.
    pub name: String,
    /// Where the limit was written (`budgets.toml:12`).
    pub origin: String,
    pub actual: Decimal,
    pub limit: Decimal,
    pub unit: &'static str,
    /// The policy the line is about was not in the report: the check fails.
    pub missing: Option<String>,
}

impl Check {
    pub fn headroom(&self) -> Decimal {
        self.limit - self.actual
    }

    pub fn passed(&self) -> bool {
        self.missing.is_none() && self.actual <= self.limit
    }
}

/// A line item (policy, category, usage type) whose cost moved against the baseline.
#[derive(Clone, Debug, PartialEq)]
pub struct Mover {
    pub policy: String,
    pub category: String,
    pub usage_type: String,
    pub baseline: Decimal,
    pub actual: Decimal,
}

impl Mover {
    pub fn delta(&self) -> Decimal {
        self.actual - self.baseline
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    pub scenario: String,
    pub checks: Vec<Check>,
    /// Largest movements first (at most `MOVERS`), empty without a baseline.
    pub movers: Vec<Mover>,
    pub baseline: Option<String>,
}

impl Verdict {
    pub fn passed(&self) -> bool {
        self.checks.iter().all(Check::passed)
    }
}

/// How many moved line items a verdict lists.
pub const MOVERS: usize = 10;

fn per_usage_type(p: &PolicyReport) -> BTreeMap<(String, String), Decimal> {
    let mut m = BTreeMap::new();
    for month in &p.months {
        for l in &month.lines {
            *m.entry((l.category.clone(), l.usage_type.clone()))
                .or_insert(Decimal::ZERO) += l.cost_usd;
        }
    }
    m
}

/// The line items that moved most between `baseline` and `r`, policy by policy.
pub fn movers(r: &Report, baseline: &Report) -> Vec<Mover> {
    let mut out = Vec::new();
    for p in &r.policies {
        let Some(b) = baseline.policy(&p.name) else {
            continue;
        };
        let (now, then) = (per_usage_type(p), per_usage_type(b));
        let mut keys: Vec<&(String, String)> = now.keys().chain(then.keys()).collect();
        keys.sort();
        keys.dedup();
        for k in keys {
            let (a, z) = (
                now.get(k).copied().unwrap_or_default(),
                then.get(k).copied().unwrap_or_default(),
            );
            if a != z {
                out.push(Mover {
                    policy: p.name.clone(),
                    category: k.0.clone(),
                    usage_type: k.1.clone(),
                    baseline: z,
                    actual: a,
                });
            }
        }
    }
    out.sort_by(|x, y| {
        y.delta()
            .abs()
            .cmp(&x.delta().abs())
            .then_with(|| (&x.policy, &x.usage_type).cmp(&(&y.policy, &y.usage_type)))
    });
    out.truncate(MOVERS);
    out
}

/// Checks every budget of `file` that applies to `r`'s scenario.
pub fn evaluate(file: &BudgetFile, r: &Report, baseline: Option<(&str, &Report)>) -> Verdict {
    let mut checks = Vec::new();
    for b in file
        .budgets
        .iter()
        .filter(|b| b.scenario.as_deref().is_none_or(|s| s == r.scenario))
    {
        let label = format!("{} / {}", r.scenario, b.target.label());
        let origin = format!("{}:{}", file.file, b.line);
        let mut push = |what: String, actual: Decimal, limit: Decimal, unit, missing| {
            checks.push(Check {
                name: format!("{label} / {what}"),
                origin: origin.clone(),
                actual,
                limit,
                unit,
                missing,
            });
        };
        let Some(p) = b.target.subject(r) else {
            push(
                "policy".into(),
                Decimal::ZERO,
                Decimal::ZERO,
                "USD",
                Some(format!(
                    "no policy {:?} in the report (policies: {})",
                    b.target.label(),
                    r.policies
                        .iter()
                        .map(|p| p.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            );
            continue;
        };
        if let Some(limit) = b.max_total_usd {
            push("max_total_usd".into(), p.total, limit, "USD", None);
        }
        if let Some(limit) = b.max_monthly_usd {
            // The dearest month is the one that can break it; report that one.
            if let Some((month, total)) = p
                .months
                .iter()
                .max_by(|a, z| a.1.cmp(&z.1).then_with(|| z.0.cmp(&a.0)))
            {
                push(
                    format!("max_monthly_usd ({month})"),
                    *total,
                    limit,
                    "USD",
                    None,
                );
            }
        }
        let cats = &p.categories;
        for (cat, limit) in &b.categories {
            let actual = cats.get(cat).copied().unwrap_or_default();
            push(format!("category {cat}"), actual, *limit, "USD", None);
        }
        if let Some((name, base)) = baseline {
            let then = b.target.subject(base).map(|q| q.total);
            let missing = then
                .is_none()
                .then(|| format!("baseline {name} has no policy {:?}", b.target.label()));
            let then = then.unwrap_or_default();
            // Both within ±10^15 (verified reports), so the difference cannot overflow.
            let growth = p.total - then;
            if let Some(limit) = b.max_growth_usd {
                push(
                    "max_growth_usd".into(),
                    growth,
                    limit,
                    "USD",
                    missing.clone(),
                );
            }
            if let Some(limit) = b.max_growth_pct {
                let pct = if then.is_zero() {
                    if growth > Decimal::ZERO {
                        Decimal::MAX
                    } else {
                        Decimal::ZERO
                    }
                } else {
                    // A tiny baseline makes the ratio overflow: then it is as good as infinite.
                    growth
                        .checked_div(then)
                        .and_then(|r| r.checked_mul(Decimal::from(100)))
                        .map(|r| r.round_dp(4))
                        .unwrap_or(if growth.is_sign_positive() == then.is_sign_positive() {
                            Decimal::MAX
                        } else {
                            Decimal::MIN
                        })
                };
                push("max_growth_pct".into(), pct, limit, "%", missing);
            }
        }
    }
    Verdict {
        scenario: r.scenario.clone(),
        checks,
        movers: baseline.map(|(_, b)| movers(r, b)).unwrap_or_default(),
        baseline: baseline.map(|(n, _)| n.to_string()),
    }
}
