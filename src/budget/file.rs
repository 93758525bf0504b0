//! Budget files (TOML, docs/budgets.md): `[[budget]]` tables, each naming a scenario (optional)
//! and a policy (`current`, `recommended` or a policy name), with limits in exact dollars.
//! Errors name file, line and key.

use super::Target;
use crate::tomlx::{Doc, SpanError, Tbl};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::Path;

/// The report categories a per-category cap may name.
pub const CATEGORIES: [&str; 10] = [
    "storage",
    "requests",
    "transition",
    "retrieval",
    "restore",
    "monitoring",
    "early_delete",
    "transfer",
    "replication",
    "compute",
];

#[derive(Clone, Debug, PartialEq)]
pub struct Budget {
    /// The line of its `[[budget]]` header.
    pub line: usize,
    pub scenario: Option<String>,
    pub target: Target,
    pub max_monthly_usd: Option<Decimal>,
    pub max_total_usd: Option<Decimal>,
    pub categories: BTreeMap<String, Decimal>,
    pub max_growth_pct: Option<Decimal>,
    pub max_growth_usd: Option<Decimal>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct BudgetFile {
    pub file: String,
    pub budgets: Vec<Budget>,
}

impl BudgetFile {
    pub fn needs_baseline(&self) -> bool {
        self.budgets
            .iter()
            .any(|b| b.max_growth_pct.is_some() || b.max_growth_usd.is_some())
    }

    pub fn parse(file: &str, text: &str) -> Result<BudgetFile, SpanError> {
        let doc = Doc::parse(file, text)?;
        let root = doc.root();
        root.only(&["schema_version", "budget"])?;
        if let Some(v) = root.integer("schema_version")?
            && v != 1
        {
            return Err(root.err("schema_version", "only schema_version = 1 is understood"));
        }
        let mut budgets = Vec::new();
        for t in root.tables("budget")? {
            t.only(&[
                "scenario",
                "policy",
                "max_monthly_usd",
                "max_total_usd",
                "categories",
                "max_growth_pct",
                "max_growth_usd",
            ])?;
            let mut categories = BTreeMap::new();
            if let Some(c) = t.table("categories")? {
                for k in c.keys() {
                    if !CATEGORIES.contains(&k) {
                        return Err(c.err(
                            k,
                            format!("unknown category; one of {}", CATEGORIES.join(", ")),
                        ));
                    }
                    let v = c
                        .non_negative(k)?
                        .ok_or_else(|| c.err(k, "expected a dollar amount"))?;
                    categories.insert(k.to_string(), bounded(&c, k, Some(v))?.unwrap_or(v));
                }
            }
            let b = Budget {
                line: t.line(),
                scenario: t.string("scenario")?.map(str::to_string),
                target: Target::parse(t.string("policy")?.unwrap_or("current")),
                max_monthly_usd: bounded(
                    &t,
                    "max_monthly_usd",
                    t.non_negative("max_monthly_usd")?,
                )?,
                max_total_usd: bounded(&t, "max_total_usd", t.non_negative("max_total_usd")?)?,
                categories,
                max_growth_pct: bounded(&t, "max_growth_pct", t.decimal("max_growth_pct")?)?,
                max_growth_usd: bounded(&t, "max_growth_usd", t.decimal("max_growth_usd")?)?,
            };
            if b.max_monthly_usd.is_none()
                && b.max_total_usd.is_none()
                && b.categories.is_empty()
                && b.max_growth_pct.is_none()
                && b.max_growth_usd.is_none()
            {
                return Err(t.err(
                    "",
                    "a [[budget]] needs at least one limit: max_monthly_usd, max_total_usd, categories, max_growth_pct or max_growth_usd",
                ));
            }
            budgets.push(b);
        }
        if budgets.is_empty() {
            return Err(root.err("", "no [[budget]] tables"));
        }
        Ok(BudgetFile {
            file: file.to_string(),
            budgets,
        })
    }
}

/// A limit within ±`units::MAX_USD` (a larger one is a typo, and would overflow the headroom
/// arithmetic).
fn bounded(t: &Tbl<'_>, key: &str, v: Option<Decimal>) -> Result<Option<Decimal>, SpanError> {
    match v {
        Some(v) if v.abs() > crate::units::MAX_USD => Err(t.err(
            key,
            format!("{v} is beyond ±10^15, more than any bill; check the value"),
        )),
        v => Ok(v),
    }
}

/// Reads a budget file.
pub fn read_budgets(path: &Path) -> Result<BudgetFile, SpanError> {
    let file = path.display().to_string();
    let text = crate::trace::input::read_config(path).map_err(|e| SpanError {
        file: file.clone(),
        line: 0,
        key: String::new(),
        message: e.to_string(),
    })?;
    BudgetFile::parse(&file, &text)
}
