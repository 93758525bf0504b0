//! The one versioned report: what `costlab simulate --format json` prints and `costlab run`
//! saves as `report.json`. Every other format (table, CSV, Markdown, HTML, charts) is rendered
//! from it, so any of them can be regenerated from the saved JSON. Amounts are exact decimals
//! written as JSON numbers with every digit.

use crate::cost::{Bill, LineItem};
use crate::units::decimal_text;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The kind of the clairvoyant bound's entry (a floor, not a deployable policy).
pub const BOUND_KIND: &str = "clairvoyant-bound";

/// Bumped only on a breaking change of the JSON shape.
pub const REPORT_SCHEMA_VERSION: u32 = 1;

/// Serde for exact decimals as JSON numbers (serde_json's arbitrary precision keeps the digits).
pub mod dec {
    use super::*;
    use serde::de::Error;
    use std::str::FromStr;

    pub fn serialize<S: serde::Serializer>(v: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        let n =
            serde_json::Number::from_str(&decimal_text(*v)).map_err(serde::ser::Error::custom)?;
        n.serialize(s)
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        let n = serde_json::Number::deserialize(d)?;
        let t = n.to_string();
        Decimal::from_str(&t)
            .or_else(|_| Decimal::from_scientific(&t))
            .map_err(|e| D::Error::custom(format!("{t}: {e}")))
    }
}

/// Serde for lists of exact decimals, each as [`dec`] writes it.
pub mod dec_vec {
    use super::*;
    use serde::ser::SerializeSeq;

    #[derive(Serialize, Deserialize)]
    struct D(#[serde(with = "super::dec")] Decimal);

    pub fn serialize<S: serde::Serializer>(v: &[Decimal], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(v.len()))?;
        for x in v {
            seq.serialize_element(&D(*x))?;
        }
        seq.end()
    }

    pub fn deserialize<'de, D2: serde::Deserializer<'de>>(
        d: D2,
    ) -> Result<Vec<Decimal>, D2::Error> {
        Ok(Vec::<D>::deserialize(d)?.into_iter().map(|x| x.0).collect())
    }
}

/// One line item of a bill, as reported.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub category: String,
    pub service: String,
    pub region: String,
    pub class: String,
    pub usage_type: String,
    pub band: String,
    #[serde(with = "dec")]
    pub quantity: Decimal,
    pub unit: String,
    #[serde(with = "dec")]
    pub unit_price_usd: Decimal,
    #[serde(with = "dec")]
    pub list_price_usd: Decimal,
    pub price_per: u64,
    #[serde(with = "dec")]
    pub discount_pct: Decimal,
    pub price_key: String,
    #[serde(with = "dec")]
    pub cost_usd: Decimal,
}

impl From<&LineItem> for Line {
    fn from(l: &LineItem) -> Line {
        Line {
            category: l.category.to_string(),
            service: l.service.to_string(),
            region: l.region.to_string(),
            class: l.class.clone(),
            usage_type: l.usage_type.clone(),
            band: l.band.clone(),
            quantity: l.quantity,
            unit: l.unit.as_str().to_string(),
            unit_price_usd: l.unit_price,
            list_price_usd: l.list_price,
            price_per: l.price_per,
            discount_pct: l.discount_pct,
            price_key: l.price_key.clone(),
            cost_usd: l.cost.usd(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MonthReport {
    /// `YYYY-MM`.
    pub month: String,
    #[serde(with = "dec")]
    pub total_usd: Decimal,
    pub lines: Vec<Line>,
}

/// The price books a bill used.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PricingRecord {
    pub source: String,
    pub effective_date: String,
    pub region: String,
    #[serde(default)]
    pub files: Vec<String>,
}

/// A rated bill: months of line items and the total.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BillReport {
    #[serde(with = "dec")]
    pub total_usd: Decimal,
    pub months: Vec<MonthReport>,
    #[serde(default)]
    pub warnings: Vec<String>,
}

impl From<&Bill> for BillReport {
    fn from(b: &Bill) -> BillReport {
        BillReport {
            total_usd: b.total.usd(),
            months: b
                .months
                .iter()
                .map(|m| MonthReport {
                    month: m.month.to_string(),
                    total_usd: m.total.usd(),
                    lines: m.lines.iter().map(Line::from).collect(),
                })
                .collect(),
            warnings: b.warnings.clone(),
        }
    }
}

/// Cost per category per month (months in order, categories sorted).
pub fn by_category(months: &[MonthReport]) -> Vec<(String, BTreeMap<String, Decimal>)> {
    months
        .iter()
        .map(|m| {
            let mut by = BTreeMap::new();
            for l in &m.lines {
                *by.entry(l.category.clone()).or_insert(Decimal::ZERO) += l.cost_usd;
            }
            (m.month.clone(), by)
        })
        .collect()
}

/// Total per category over all `months`.
pub fn category_totals(months: &[MonthReport]) -> BTreeMap<String, Decimal> {
    let mut by = BTreeMap::new();
    for (_, m) in by_category(months) {
        for (k, v) in m {
            *by.entry(k).or_insert(Decimal::ZERO) += v;
        }
    }
    by
}

/// Per-policy statistics of a storage simulation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StorageStats {
    /// Month (`YYYY-MM`) → class or IT tier → bytes stored at the month's last second.
    pub bytes_by_class_at_month_end: BTreeMap<String, BTreeMap<String, u64>>,
    pub objects_transitioned: BTreeMap<String, u64>,
    pub expirations: u64,
    #[serde(with = "dec")]
    pub early_delete_gb_hours: Decimal,
    pub restores: u64,
    pub restore_wait_hours_total: u64,
    pub restore_wait_hours_max: u64,
    pub reads_by_class: BTreeMap<String, u64>,
    /// Reads by the age of the version read, youngest band first.
    #[serde(default)]
    pub reads_by_age: Vec<AgeBand>,
    /// Versioned buckets only (absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versions: Option<VersionStats>,
}

/// What versioning kept and removed under one policy.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct VersionStats {
    /// Month (`YYYY-MM`) → bytes of noncurrent versions at the month's last second (also in
    /// `bytes_by_class_at_month_end`, under their class).
    pub noncurrent_bytes_at_month_end: BTreeMap<String, u64>,
    pub delete_markers_created: u64,
    /// Noncurrent versions removed by `NoncurrentVersionExpiration`.
    pub noncurrent_expirations: u64,
    /// DELETEs naming a version ID, billed but not replayed (the log cannot say which version a
    /// PUT created).
    pub version_deletes_not_replayed: u64,
}

/// Reads of versions whose age in days is in `days` (`0-7`, …, `365+`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AgeBand {
    pub days: String,
    pub reads: u64,
}

/// One storage policy's result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PolicyReport {
    pub name: String,
    /// `lifecycle`, `intelligent-tiering`, `all-standard` or `clairvoyant-bound`.
    pub kind: String,
    #[serde(with = "dec")]
    pub total_usd: Decimal,
    pub months: Vec<MonthReport>,
    #[serde(default)]
    pub warnings: Vec<String>,
    pub stats: StorageStats,
    /// How much dearer than the clairvoyant bound (absent when the bound was not computed).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "opt_dec")]
    pub above_bound_usd: Option<Decimal>,
}

/// Serde for optional exact decimals.
pub mod opt_dec {
    use super::*;

    pub fn serialize<S: serde::Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(d) => dec::serialize(d, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Decimal>, D::Error> {
        #[derive(Deserialize)]
        struct W(#[serde(with = "dec")] Decimal);
        Ok(Option::<W>::deserialize(d)?.map(|w| w.0))
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Horizon {
    /// First day, `YYYY-MM-DD` (UTC).
    pub start: String,
    /// Day after the last (exclusive).
    pub end: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LineCounts {
    pub read: u64,
    pub parsed: u64,
    pub skipped: u64,
    pub skip_reasons: BTreeMap<String, u64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EvidenceRecord {
    pub lines: LineCounts,
    pub inventory_rows: u64,
    pub inventory_rows_not_replayed: u64,
    pub objects: u64,
    /// `[evidence] repeat = "weekly"`: the week of logs (`start` inclusive, `end` exclusive)
    /// that recurs every week until the horizon ends (docs/scenario.md, "Repeating the last week").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeated_week: Option<Horizon>,
    /// The busiest top-level prefixes (by reads, then objects), at most `TOP_PREFIXES`.
    #[serde(default)]
    pub prefixes: Vec<PrefixRecord>,
    /// The model of the future past the evidence, and (age profile) what it measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub future: Option<FutureRecord>,
    /// Every source of evidence (access logs, inventory, compute traces…): lines read, used,
    /// left out with a reason, and skipped as malformed with reasons and examples.
    #[serde(default)]
    pub ledger: crate::trace::ledger::Ledger,
}

/// What a report says about the future it assumed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FutureRecord {
    /// `age-profile`, `repeat-weekly` or `silent`.
    pub model: String,
    /// The model in a sentence.
    pub assumes: String,
    /// Where the evidence ends (`YYYY-MM-DD`): the model applies from here on; absent when
    /// there are no logs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_ends: Option<String>,
    /// Whether the horizon runs past the evidence (the model changes the figures).
    pub applies: bool,
    /// Per prefix (age profile): objects measured, and the oldest age observed with enough
    /// object-days (older ages take that band's rates).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prefixes: Vec<ProfilePrefix>,
    /// What the model could not do, said plainly.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Every deployable policy's total under each model (when the model applies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitivity: Option<Sensitivity>,
}

/// Every deployable policy's total under each model of the future, side by side.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sensitivity {
    /// The models, in the order of every row's columns.
    pub models: Vec<String>,
    /// The model the run's figures use.
    pub chosen: String,
    /// The policy the run puts first: the recommendation, else the cheapest under `chosen`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first: Option<String>,
    /// The models under which `first` is not the cheapest: its ranking flips.
    pub not_first_under: Vec<String>,
    pub rows: Vec<SensitivityRow>,
    /// Models the evidence cannot support, each with the reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub left_out: Vec<String>,
}

/// One policy under each model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SensitivityRow {
    pub policy: String,
    #[serde(with = "dec_vec")]
    pub totals_usd: Vec<Decimal>,
    /// 1 = cheapest under that model (ties share the better rank).
    pub ranks: Vec<u32>,
}

/// One prefix of a measured age profile, as reported.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProfilePrefix {
    pub prefix: String,
    /// Reads per object per day in the first week of age, and at 90 days and older.
    pub reads_per_day_first_week: f64,
    pub reads_per_day_after_90_days: f64,
    /// Share of objects deleted within a year, as the rates make it.
    pub deleted_within_a_year: f64,
    pub oldest_observed_days: u32,
}

/// How many prefixes a report lists.
pub const TOP_PREFIXES: usize = 20;

/// Objects, reads and bytes (latest versions) under one top-level prefix.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PrefixRecord {
    pub prefix: String,
    pub objects: u64,
    pub reads: u64,
    pub bytes: u64,
}

/// The whole report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    pub scenario: String,
    pub seed: u64,
    pub horizon: Horizon,
    pub pricing: Option<PricingRecord>,
    pub evidence: EvidenceRecord,
    /// The policy taken as today's (the scenario's `current`, else the first one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<String>,
    pub policies: Vec<PolicyReport>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compute: Option<ComputeReport>,
    /// What the optimizers recommend (`[optimize]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optimize: Option<super::recommendation::OptimizeReport>,
}

impl Report {
    pub fn policy(&self, name: &str) -> Option<&PolicyReport> {
        self.policies.iter().find(|p| p.name == name)
    }

    /// The cheapest policy that a user could deploy (the bound is not one).
    pub fn best_deployable(&self) -> Option<&PolicyReport> {
        self.policies
            .iter()
            .filter(|p| p.kind != BOUND_KIND)
            .min_by(|a, b| a.total_usd.cmp(&b.total_usd))
    }

    /// Today's policy: `current` if named, else the first deployable one.
    pub fn current_policy(&self) -> Option<&PolicyReport> {
        match &self.current {
            Some(n) => self.policy(n),
            None => self.policies.iter().find(|p| p.kind != BOUND_KIND),
        }
    }

    pub fn bound(&self) -> Option<&PolicyReport> {
        self.policies.iter().find(|p| p.kind == BOUND_KIND)
    }
}

/// Per hour from `start`, in instances running (every type summed): demand, and the Spot,
/// Reserved Instance, Savings Plan and On-Demand layers that served it (rounded to 1e-4).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HourlyLayers {
    /// RFC 3339, the first hour.
    pub start: String,
    pub demand: Vec<f64>,
    pub spot: Vec<f64>,
    pub reserved: Vec<f64>,
    pub savings_plan: Vec<f64>,
    pub on_demand: Vec<f64>,
}

/// The compute part of a report: the fleet's bill under the scenario's purchases, its monthly
/// cost in both views of upfront fees, the Spot Monte Carlo, and the job alternatives.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComputeReport {
    /// Line items of the metered fleet usage (On-Demand, RI hours and upfronts, Spot).
    pub bill: BillReport,
    pub months: Vec<ComputeMonth>,
    /// Upfront fees spread over their term.
    #[serde(with = "dec")]
    pub total_amortized_usd: Decimal,
    /// Upfront fees in the month they are paid.
    #[serde(with = "dec")]
    pub total_cash_usd: Decimal,
    pub monte_carlo: Option<MonteCarloReport>,
    pub alternatives: Vec<JobClassReport>,
    /// What the evidence readers kept and skipped, and modelling notes.
    pub notes: Vec<String>,
    /// How each hour's demand was served (the layers chart).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hourly: Option<HourlyLayers>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComputeMonth {
    pub month: String,
    #[serde(with = "dec")]
    pub on_demand_usd: Decimal,
    #[serde(with = "dec")]
    pub reserved_hourly_usd: Decimal,
    #[serde(with = "dec")]
    pub reserved_upfront_amortized_usd: Decimal,
    #[serde(with = "dec")]
    pub reserved_upfront_cash_usd: Decimal,
    #[serde(with = "dec")]
    pub savings_plans_usd: Decimal,
    #[serde(with = "dec")]
    pub savings_plans_cash_usd: Decimal,
    #[serde(with = "dec")]
    pub spot_usd: Decimal,
    #[serde(with = "dec")]
    pub total_amortized_usd: Decimal,
    #[serde(with = "dec")]
    pub total_cash_usd: Decimal,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MonteCarloReport {
    pub runs: u32,
    pub seed: u64,
    #[serde(with = "dec")]
    pub cost_mean_usd: Decimal,
    #[serde(with = "dec")]
    pub cost_p50_usd: Decimal,
    #[serde(with = "dec")]
    pub cost_p95_usd: Decimal,
    #[serde(with = "dec")]
    pub cost_std_error_usd: Decimal,
    pub interruptions_mean: f64,
    pub rework_hours_mean: f64,
    /// Each run's total cost (USD, run order), for the distribution chart.
    #[serde(default)]
    pub cost_samples_usd: Vec<f64>,
}

/// One job class priced on each service.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobClassReport {
    pub class: String,
    pub jobs: u64,
    pub options: Vec<JobOptionReport>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobOptionReport {
    pub option: String,
    /// Jobs of the class the trace runs on this service today.
    pub current_jobs: u64,
    /// `None` when infeasible.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "opt_dec")]
    pub cost_usd: Option<Decimal>,
    pub delay_p95_seconds: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub infeasible: Option<String>,
}

/// The largest report.json read: 256 MiB (a year of daily-priced policies is a few MiB).
pub const MAX_REPORT_BYTES: u64 = 256 << 20;

/// How far a total may be from the sum of its parts before the report is refused: a
/// millionth of a dollar, plus 10^-18 of the amounts summed (Decimal keeps 28 significant
/// digits, so sums of many large amounts round in their last digits; a tampered total is off
/// by far more).
const SUM_TOLERANCE_USD: Decimal = Decimal::from_parts(1, 0, 0, false, 6);

/// Why a saved report cannot be used. Every message names the file; `Field` also names the
/// field (`policies["recommended"].months["2026-03"].total_usd`) and what is wrong with it.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{file}: {message}")]
    File { file: String, message: String },
    #[error("{file}: {field}: {message}")]
    Field {
        file: String,
        field: String,
        message: String,
    },
}

/// A problem found by [`Report::verify`]: the field and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inconsistency {
    pub field: String,
    pub message: String,
}

impl Report {
    /// Reads a saved report.json (size-capped), checks its schema version and verifies it
    /// (`verify`): what `costlab report` and `costlab check` (report and baseline) load.
    pub fn load(path: &std::path::Path) -> Result<Report, ReportError> {
        let file = path.display().to_string();
        let bytes =
            crate::trace::input::read_bytes_limited(path, MAX_REPORT_BYTES).map_err(|e| {
                ReportError::File {
                    file: file.clone(),
                    message: e.to_string(),
                }
            })?;
        let text = std::str::from_utf8(&bytes).map_err(|e| ReportError::File {
            file: file.clone(),
            message: format!("not UTF-8 (bad byte at offset {})", e.valid_up_to()),
        })?;
        Report::from_json(&file, text)
    }

    /// Parses and verifies a report's JSON; `file` names it in errors.
    pub fn from_json(file: &str, text: &str) -> Result<Report, ReportError> {
        let r: Report = serde_json::from_str(text).map_err(|e| ReportError::File {
            file: file.to_string(),
            message: format!("not a costlab report: {e}"),
        })?;
        if r.schema_version != REPORT_SCHEMA_VERSION {
            return Err(ReportError::File {
                file: file.to_string(),
                message: format!(
                    "report schema_version {} is not {REPORT_SCHEMA_VERSION} (written by another \
                     costlab version)",
                    r.schema_version
                ),
            });
        }
        r.verify().map_err(|i| ReportError::Field {
            file: file.to_string(),
            field: i.field,
            message: i.message,
        })?;
        Ok(r)
    }

    /// Checks that the report adds up, so that nothing read from it is trusted blindly: every
    /// month's total is the sum of its lines' `cost_usd`, every policy's total the sum of its
    /// months (the compute bill likewise, and the compute months' totals the sum of their
    /// parts), every amount is within `units::MAX_USD`, and the recommended lifecycle
    /// configuration passes S3's rules. The first problem is returned.
    pub fn verify(&self) -> Result<(), Inconsistency> {
        for p in &self.policies {
            let at = format!("policies[{:?}]", p.name);
            verify_bill(&at, p.total_usd, &p.months)?;
            if let Some(a) = p.above_bound_usd {
                amount(&format!("{at}.above_bound_usd"), a)?;
            }
        }
        if let Some(c) = &self.compute {
            verify_bill("compute.bill", c.bill.total_usd, &c.bill.months)?;
            for m in &c.months {
                let at = format!("compute.months[{:?}]", m.month);
                let f = |name: &str| format!("{at}.{name}");
                for (name, v) in [
                    ("on_demand_usd", m.on_demand_usd),
                    ("reserved_hourly_usd", m.reserved_hourly_usd),
                    (
                        "reserved_upfront_amortized_usd",
                        m.reserved_upfront_amortized_usd,
                    ),
                    ("reserved_upfront_cash_usd", m.reserved_upfront_cash_usd),
                    ("savings_plans_usd", m.savings_plans_usd),
                    ("savings_plans_cash_usd", m.savings_plans_cash_usd),
                    ("spot_usd", m.spot_usd),
                ] {
                    amount(&f(name), v)?;
                }
                let common = [m.on_demand_usd, m.reserved_hourly_usd, m.spot_usd];
                adds_up(
                    &f("total_amortized_usd"),
                    m.total_amortized_usd,
                    common
                        .into_iter()
                        .chain([m.reserved_upfront_amortized_usd, m.savings_plans_usd]),
                    "parts",
                )?;
                adds_up(
                    &f("total_cash_usd"),
                    m.total_cash_usd,
                    common
                        .into_iter()
                        .chain([m.reserved_upfront_cash_usd, m.savings_plans_cash_usd]),
                    "parts",
                )?;
            }
            adds_up(
                "compute.total_amortized_usd",
                c.total_amortized_usd,
                c.months.iter().map(|m| m.total_amortized_usd),
                "months",
            )?;
            adds_up(
                "compute.total_cash_usd",
                c.total_cash_usd,
                c.months.iter().map(|m| m.total_cash_usd),
                "months",
            )?;
            if let Some(mc) = &c.monte_carlo {
                for (name, v) in [
                    ("cost_mean_usd", mc.cost_mean_usd),
                    ("cost_p50_usd", mc.cost_p50_usd),
                    ("cost_p95_usd", mc.cost_p95_usd),
                    ("cost_std_error_usd", mc.cost_std_error_usd),
                ] {
                    amount(&format!("compute.monte_carlo.{name}"), v)?;
                }
            }
            for a in &c.alternatives {
                for o in &a.options {
                    if let Some(v) = o.cost_usd {
                        let at = format!("compute.alternatives[{:?}][{:?}]", a.class, o.option);
                        amount(&format!("{at}.cost_usd"), v)?;
                    }
                }
            }
        }
        if let Some(l) = self.optimize.as_ref().and_then(|o| o.lifecycle.as_ref()) {
            amount("optimize.lifecycle.groups_total_usd", l.groups_total_usd)?;
            for g in &l.groups {
                let at = format!("optimize.lifecycle.groups[{:?}]", g.prefix);
                for (name, v) in [
                    ("cost_usd", Some(g.cost_usd)),
                    ("standard_usd", Some(g.standard_usd)),
                    ("runner_up_usd", g.runner_up_usd),
                    ("gap_usd", g.gap_usd),
                ] {
                    if let Some(v) = v {
                        amount(&format!("{at}.{name}"), v)?;
                    }
                }
            }
            if let Some(b) = l.constraints.budget_usd {
                amount("optimize.lifecycle.constraints.budget_usd", b)?;
            }
            if !l.configuration_json.trim().is_empty() {
                let field = "optimize.lifecycle.configuration_json";
                let cfg =
                    crate::trace::lifecycle::parse(field, &l.configuration_json).map_err(|e| {
                        Inconsistency {
                            field: field.into(),
                            message: format!("not a lifecycle configuration: {e}"),
                        }
                    })?;
                if let Some(e) = crate::trace::lifecycle::validate(&cfg).first() {
                    return Err(Inconsistency {
                        field: field.into(),
                        message: format!("S3 would reject it: {e}"),
                    });
                }
            }
        }
        Ok(())
    }
}

/// A bill's months and total: lines, month totals and the total within `MAX_USD`, each month
/// the sum of its lines, the total the sum of the months.
fn verify_bill(at: &str, total: Decimal, months: &[MonthReport]) -> Result<(), Inconsistency> {
    for m in months {
        let mat = format!("{at}.months[{:?}]", m.month);
        for (i, l) in m.lines.iter().enumerate() {
            let lat = format!("{mat}.lines[{i}]");
            amount(&format!("{lat}.cost_usd"), l.cost_usd)?;
            amount(&format!("{lat}.unit_price_usd"), l.unit_price_usd)?;
            amount(&format!("{lat}.list_price_usd"), l.list_price_usd)?;
        }
        adds_up(
            &format!("{mat}.total_usd"),
            m.total_usd,
            m.lines.iter().map(|l| l.cost_usd),
            "lines' cost_usd",
        )?;
    }
    adds_up(
        &format!("{at}.total_usd"),
        total,
        months.iter().map(|m| m.total_usd),
        "months' total_usd",
    )
}

/// An amount within ±`MAX_USD`.
fn amount(field: &str, v: Decimal) -> Result<(), Inconsistency> {
    if v.abs() > crate::units::MAX_USD {
        return Err(Inconsistency {
            field: field.to_string(),
            message: format!("{v} is beyond ±10^15 USD, more than any bill"),
        });
    }
    Ok(())
}

/// `total` is within ±`MAX_USD` and equals the sum of `parts` (within `SUM_TOLERANCE_USD`
/// and rounding); sums are checked, never overflowing.
fn adds_up(
    field: &str,
    total: Decimal,
    parts: impl IntoIterator<Item = Decimal>,
    what: &str,
) -> Result<(), Inconsistency> {
    amount(field, total)?;
    let (mut sum, mut magnitude) = (Decimal::ZERO, Decimal::ZERO);
    for v in parts {
        amount(field, v)?;
        // Each part is within ±10^15, so these sums cannot overflow for any realistic count;
        // checked all the same.
        match (sum.checked_add(v), magnitude.checked_add(v.abs())) {
            (Some(s), Some(m)) => (sum, magnitude) = (s, m),
            _ => {
                return Err(Inconsistency {
                    field: field.to_string(),
                    message: format!("its {what} overflow when added up"),
                });
            }
        }
    }
    let tolerance = SUM_TOLERANCE_USD + magnitude * Decimal::from_parts(1, 0, 0, false, 18);
    if (total - sum).abs() > tolerance {
        return Err(Inconsistency {
            field: field.to_string(),
            message: format!(
                "is {} but its {what} add up to {}: the report was edited or damaged; \
                 regenerate it with `costlab run`",
                decimal_text(total),
                decimal_text(sum)
            ),
        });
    }
    Ok(())
}
