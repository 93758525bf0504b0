//! The scenario's `[compute]` section (`docs/fleet.md`): evidence, purchases (RIs, Savings
//! Plans), the Spot policy, Monte Carlo runs and the job alternatives, read with
//! `file:line: key: message` errors and unknown keys refused.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::aws::{InstanceType, PurchaseOption, Region};
use crate::tomlx::{SpanError, Tbl};
use crate::trace::compute::{InstanceChoice, JobClass, Seasonality, Service, TypeDemand};
use crate::units::Timestamp;

use super::jobs::{AlternativeOptions, EmrMode};
use super::purchase::{Payment, Reservation, SavingsPlan, SpKind, Term};
use super::spot::{Rework, SpotPolicy};

/// Where Spot prices come from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SpotPriceSource {
    /// On-Demand × (1 − Advisor saving) (§4a).
    #[default]
    Advisor,
    /// The `spot_history` series (hours it does not cover fall back to the Advisor).
    History,
}

/// The synthetic generator (`[compute.generate]`); the window comes from the scenario.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GenerateSpec {
    pub seed: Option<u64>,
    pub types: Vec<TypeDemand>,
    pub job_classes: Vec<JobClass>,
}

/// The evidence files (paths resolved against the scenario's folder).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EvidenceSpec {
    pub usage: Vec<PathBuf>,
    pub jobs: Vec<PathBuf>,
    pub spot_history: Vec<PathBuf>,
    /// Billing exports (CUR 2.0, legacy CUR, FOCUS; CSV or Parquet; glob patterns allowed)
    /// whose EC2 instance usage is the hourly demand and whose RIs and Savings Plans are the
    /// commitments in force.
    pub billing: Vec<PathBuf>,
    /// The `ProductDescription` of the series to use.
    pub spot_product: String,
    /// The zone (name or id) of the series to use; `None`: the first zone in key order.
    pub spot_zone: Option<String>,
    /// Stop at the first bad evidence line instead of skipping it.
    pub strict: bool,
    pub generate: Option<GenerateSpec>,
}

/// The Spot part of the section.
#[derive(Clone, Debug, PartialEq)]
pub struct SpotSpec {
    pub policy: SpotPolicy,
    pub price: SpotPriceSource,
}

/// The job alternatives part (`None` in [`ComputeSpec::jobs`] when switched off).
pub type JobsSpec = AlternativeOptions;

/// A parsed `[compute]` section.
#[derive(Clone, Debug, PartialEq)]
pub struct ComputeSpec {
    pub region: Option<Region>,
    pub evidence: EvidenceSpec,
    pub reservations: Vec<Reservation>,
    pub savings_plans: Vec<SavingsPlan>,
    pub spot: SpotSpec,
    pub runs: u32,
    pub seed: Option<u64>,
    pub jobs: Option<JobsSpec>,
}

type R<T> = Result<T, SpanError>;

fn parse<T: FromStr<Err = String>>(t: &Tbl<'_>, key: &str) -> R<Option<T>> {
    t.string(key)?
        .map(|s| s.parse::<T>().map_err(|e| t.err(key, e)))
        .transpose()
}

fn paths(t: &Tbl<'_>, key: &str, base: &Path) -> R<Vec<PathBuf>> {
    let Some(f) = t.get(key) else {
        return Ok(Vec::new());
    };
    let items: Vec<String> = if f.is_array() {
        let a = f.item.as_value().and_then(|v| v.as_array());
        let mut v = Vec::new();
        for x in a.into_iter().flatten() {
            v.push(
                x.as_str()
                    .ok_or_else(|| f.err("expected strings"))?
                    .to_string(),
            );
        }
        v
    } else {
        vec![f.as_str()?.to_string()]
    };
    Ok(items
        .into_iter()
        .map(|p| {
            let pb = PathBuf::from(p);
            if pb.is_absolute() { pb } else { base.join(pb) }
        })
        .collect())
}

fn date(t: &Tbl<'_>, key: &str, default: Timestamp) -> R<Timestamp> {
    match t.string(key)? {
        None => Ok(default),
        Some(s) => {
            let ts = if s.len() == 10 {
                Timestamp::parse_rfc3339(s)
            } else {
                Timestamp::parse_rfc3339(s).filter(|t| t.0 % 3_600 == 0)
            };
            ts.ok_or_else(|| {
                t.err(
                    key,
                    format!("expected YYYY-MM-DD or an hour start, got {s:?}"),
                )
            })
        }
    }
}

fn uint<T: TryFrom<i64>>(t: &Tbl<'_>, key: &str, lo: i64, hi: i64) -> R<Option<T>> {
    match t.integer(key)? {
        None => Ok(None),
        Some(v) if (lo..=hi).contains(&v) => T::try_from(v)
            .map(Some)
            .map_err(|_| t.err(key, "out of range")),
        Some(v) => Err(t.err(key, format!("must be {lo}..={hi}, got {v}"))),
    }
}

fn share(t: &Tbl<'_>, key: &str) -> R<Option<Decimal>> {
    match t.non_negative(key)? {
        Some(v) if v > Decimal::ONE => Err(t.err(key, format!("a share is 0..=1, got {v}"))),
        v => Ok(v),
    }
}

fn float(t: &Tbl<'_>, key: &str) -> R<Option<f64>> {
    t.decimal(key)?
        .map(|d| d.to_f64().ok_or_else(|| t.err(key, "not representable")))
        .transpose()
}

fn instance(t: &Tbl<'_>, key: &str) -> R<InstanceType> {
    let s = t
        .string(key)?
        .ok_or_else(|| t.err("", format!("needs `{key}`")))?;
    InstanceType::parse(s).map_err(|e| t.err(key, e))
}

/// Parses `[compute]`. `base` resolves relative paths (the scenario's folder); `start` is the
/// default start of purchases (the scenario's start).
pub fn parse_compute(t: &Tbl<'_>, base: &Path, start: Timestamp) -> R<ComputeSpec> {
    t.only(&[
        "region",
        "usage",
        "jobs",
        "spot_history",
        "billing",
        "spot_product",
        "spot_zone",
        "strict",
        "generate",
        "reserved",
        "savings_plan",
        "spot",
        "runs",
        "seed",
        "alternatives",
    ])?;
    let region = t
        .string("region")?
        .map(|s| Region::parse(s).map_err(|e| t.err("region", e)))
        .transpose()?;
    let evidence = EvidenceSpec {
        usage: paths(t, "usage", base)?,
        jobs: paths(t, "jobs", base)?,
        spot_history: paths(t, "spot_history", base)?,
        billing: paths(t, "billing", base)?,
        spot_product: t
            .string("spot_product")?
            .unwrap_or("Linux/UNIX")
            .to_string(),
        spot_zone: t.string("spot_zone")?.map(str::to_string),
        strict: t.bool("strict")?.unwrap_or(false),
        generate: t.table("generate")?.map(|g| generate(&g)).transpose()?,
    };
    let mut reservations = Vec::new();
    for r in t.tables("reserved")? {
        r.only(&["instance_type", "count", "term", "payment", "start"])?;
        reservations.push(Reservation {
            instance_type: instance(&r, "instance_type")?,
            count: uint(&r, "count", 1, 1_000_000)?.unwrap_or(1),
            term: parse(&r, "term")?.unwrap_or(Term::OneYear),
            payment: parse(&r, "payment")?.unwrap_or(Payment::NoUpfront),
            start: date(&r, "start", start)?,
        });
    }
    let mut savings_plans = Vec::new();
    for (i, p) in t.tables("savings_plan")?.into_iter().enumerate() {
        p.only(&[
            "name",
            "kind",
            "family",
            "commitment_per_hour",
            "term",
            "payment",
            "start",
            "discount_pct",
        ])?;
        let kind = match p.string("kind")?.unwrap_or("compute") {
            "compute" => SpKind::Compute,
            "ec2_instance" => SpKind::Ec2Instance {
                family: p
                    .string("family")?
                    .ok_or_else(|| {
                        p.err("kind", "an ec2_instance plan needs `family` (e.g. \"m5\")")
                    })?
                    .to_string(),
            },
            k => return Err(p.err("kind", format!("{k:?}: expected compute or ec2_instance"))),
        };
        let discount_pct = match p.non_negative("discount_pct")? {
            Some(d) if d >= Decimal::ONE_HUNDRED => {
                return Err(p.err("discount_pct", "must be below 100"));
            }
            d => d,
        };
        savings_plans.push(SavingsPlan {
            name: p
                .string("name")?
                .map_or_else(|| format!("sp{}", i + 1), str::to_string),
            kind,
            commitment_per_hour: p
                .non_negative("commitment_per_hour")?
                .ok_or_else(|| p.err("", "a savings plan needs `commitment_per_hour` (USD/h)"))?,
            term: parse(&p, "term")?.unwrap_or(Term::OneYear),
            payment: parse(&p, "payment")?.unwrap_or(Payment::NoUpfront),
            start: date(&p, "start", start)?,
            discount_pct,
        });
    }
    let spot = match t.table("spot")? {
        Some(s) => spot(&s)?,
        None => SpotSpec {
            policy: SpotPolicy::default(),
            price: SpotPriceSource::Advisor,
        },
    };
    let runs = uint(t, "runs", 1, 1_000_000)?.unwrap_or(1_000);
    let seed = uint::<u64>(t, "seed", 0, i64::MAX)?;
    let jobs = alternatives(t, &spot.policy, runs, seed.unwrap_or(0))?;
    Ok(ComputeSpec {
        region,
        evidence,
        reservations,
        savings_plans,
        spot,
        runs,
        seed,
        jobs,
    })
}

fn spot(s: &Tbl<'_>) -> R<SpotSpec> {
    s.only(&[
        "share",
        "share_by_type",
        "price",
        "rework",
        "checkpoint_minutes",
        "checkpoint_on_notice",
        "hazard_scale",
        "hazard_per_hour",
    ])?;
    let mut p = SpotPolicy {
        share: share(s, "share")?.unwrap_or_default(),
        ..SpotPolicy::default()
    };
    if let Some(m) = s.table("share_by_type")? {
        for k in m.keys() {
            let t = InstanceType::parse(k).map_err(|e| m.err(k, e))?;
            p.share_by_type.insert(t, share(&m, k)?.unwrap_or_default());
        }
    }
    if let Some(m) = s.table("hazard_per_hour")? {
        for k in m.keys() {
            let t = InstanceType::parse(k).map_err(|e| m.err(k, e))?;
            let v = m.non_negative(k)?.and_then(|d| d.to_f64()).unwrap_or(0.0);
            p.hazard_by_type.insert(t, v);
        }
    }
    p.rework = parse::<Rework>(s, "rework")?.unwrap_or_default();
    p.checkpoint_seconds = match s.get("checkpoint_minutes") {
        None => p.checkpoint_seconds,
        Some(f) if f.as_str().ok() == Some("none") => None,
        Some(_) => uint::<u64>(s, "checkpoint_minutes", 1, 525_600)?.map(|m| m * 60),
    };
    p.checkpoint_on_notice = s.bool("checkpoint_on_notice")?.unwrap_or(false);
    if let Some(v) = s.non_negative("hazard_scale")? {
        p.hazard_scale = v.to_f64().unwrap_or(1.0);
    }
    let price = match s.string("price")?.unwrap_or("advisor") {
        "advisor" => SpotPriceSource::Advisor,
        "history" => SpotPriceSource::History,
        x => return Err(s.err("price", format!("{x:?}: expected advisor or history"))),
    };
    Ok(SpotSpec { policy: p, price })
}

fn alternatives(t: &Tbl<'_>, policy: &SpotPolicy, runs: u32, seed: u64) -> R<Option<JobsSpec>> {
    let mut o = AlternativeOptions {
        spot: policy.clone(),
        runs: runs.min(10_000),
        seed,
        ..AlternativeOptions::default()
    };
    let Some(a) = t.get("alternatives") else {
        return Ok(Some(o));
    };
    if !a.is_table() {
        return Ok(a.as_bool()?.then_some(o));
    }
    let a = a.as_table()?;
    a.only(&[
        "enabled",
        "options",
        "emr_mode",
        "emr_core_purchase",
        "emr_task_spot_share",
        "emr_startup_seconds",
        "emr_idle_seconds",
        "glue_class",
        "glue_minimum_seconds",
        "glue_min_dpu",
        "lambda_arch",
        "runs",
    ])?;
    if !a.bool("enabled")?.unwrap_or(true) {
        return Ok(None);
    }
    if let Some(f) = a.get("options") {
        let arr = f.item.as_value().and_then(|v| v.as_array());
        let arr = arr.ok_or_else(|| f.err("expected an array like [\"emr\", \"glue\"]"))?;
        o.options = Vec::new();
        for v in arr {
            let s = v.as_str().ok_or_else(|| f.err("expected strings"))?;
            o.options.push(s.parse().map_err(|e: String| f.err(e))?);
        }
    }
    o.emr_mode = match a.string("emr_mode")?.unwrap_or("transient") {
        "transient" => EmrMode::Transient,
        "persistent" => EmrMode::Persistent,
        x => {
            return Err(a.err(
                "emr_mode",
                format!("{x:?}: expected transient or persistent"),
            ));
        }
    };
    if let Some(p) = parse::<PurchaseOption>(&a, "emr_core_purchase")? {
        if !matches!(
            p,
            PurchaseOption::OnDemand
                | PurchaseOption::Reserved1yrNoUpfront
                | PurchaseOption::Reserved3yrNoUpfront
        ) {
            return Err(a.err(
                "emr_core_purchase",
                "on_demand, reserved_1yr_no_upfront or reserved_3yr_no_upfront",
            ));
        }
        o.emr_core_purchase = p;
    }
    o.emr_task_spot_share = share(&a, "emr_task_spot_share")?.unwrap_or(o.emr_task_spot_share);
    o.emr_startup_seconds =
        uint(&a, "emr_startup_seconds", 0, 86_400)?.unwrap_or(o.emr_startup_seconds);
    o.emr_idle_seconds = uint(&a, "emr_idle_seconds", 0, 604_800)?.unwrap_or(o.emr_idle_seconds);
    o.glue_class = parse(&a, "glue_class")?.unwrap_or(o.glue_class);
    o.glue_minimum_seconds = uint(&a, "glue_minimum_seconds", 0, 3_600)?;
    o.glue_min_dpu = uint(&a, "glue_min_dpu", 1, 10_000)?.unwrap_or(o.glue_min_dpu);
    o.lambda_arch = parse(&a, "lambda_arch")?.unwrap_or(o.lambda_arch);
    o.runs = uint(&a, "runs", 1, 1_000_000)?.unwrap_or(o.runs);
    if o.options.is_empty() {
        return Err(a.err("options", "name at least one option"));
    }
    Ok(Some(o))
}

fn seasonality(t: &Tbl<'_>) -> R<Seasonality> {
    let a = float(t, "daily_amplitude")?.unwrap_or(0.0);
    let peak = uint(t, "peak_hour_utc", 0, 23)?.unwrap_or(0);
    let weekend = float(t, "weekend")?.unwrap_or(1.0);
    Ok(Seasonality::business(a, peak, weekend))
}

const SEASON_KEYS: [&str; 4] = [
    "daily_amplitude",
    "peak_hour_utc",
    "weekend",
    "growth_per_day",
];

fn generate(g: &Tbl<'_>) -> R<GenerateSpec> {
    g.only(&["seed", "type", "job_class"])?;
    let mut out = GenerateSpec {
        seed: uint::<u64>(g, "seed", 0, i64::MAX)?,
        ..GenerateSpec::default()
    };
    for t in g.tables("type")? {
        let mut keys = vec!["instance_type", "base_instances", "noise"];
        keys.extend(SEASON_KEYS);
        t.only(&keys)?;
        out.types.push(TypeDemand {
            instance_type: instance(&t, "instance_type")?,
            base_instances: float(&t, "base_instances")?.unwrap_or(1.0),
            seasonality: seasonality(&t)?,
            growth_per_day: float(&t, "growth_per_day")?.unwrap_or(0.0),
            noise: float(&t, "noise")?.unwrap_or(0.0),
        });
    }
    for c in g.tables("job_class")? {
        let mut keys = vec![
            "name",
            "service",
            "instance_type",
            "jobs_per_hour",
            "median_duration_seconds",
            "duration_sigma",
            "vcpu",
            "memory_gib",
            "checkpoint_minutes",
            "data_gb",
        ];
        keys.extend(SEASON_KEYS);
        c.only(&keys)?;
        let instance_type = match c.string("instance_type")?.unwrap_or("any") {
            "any" => InstanceChoice::Any,
            s => {
                InstanceChoice::Type(InstanceType::parse(s).map_err(|e| c.err("instance_type", e))?)
            }
        };
        let need = |k: &str| c.err("", format!("a job_class needs `{k}`"));
        out.job_classes.push(JobClass {
            name: c.string("name")?.ok_or_else(|| need("name"))?.to_string(),
            service: parse::<Service>(&c, "service")?.unwrap_or(Service::Any),
            instance_type,
            jobs_per_hour: float(&c, "jobs_per_hour")?.ok_or_else(|| need("jobs_per_hour"))?,
            seasonality: seasonality(&c)?,
            growth_per_day: float(&c, "growth_per_day")?.unwrap_or(0.0),
            median_duration_seconds: float(&c, "median_duration_seconds")?
                .ok_or_else(|| need("median_duration_seconds"))?,
            duration_sigma: float(&c, "duration_sigma")?.unwrap_or(0.0),
            vcpu: c.non_negative("vcpu")?.ok_or_else(|| need("vcpu"))?,
            memory_gib: c
                .non_negative("memory_gib")?
                .ok_or_else(|| need("memory_gib"))?,
            checkpoint_minutes: uint(&c, "checkpoint_minutes", 1, 525_600)?,
            data_gb: c.non_negative("data_gb")?,
        });
    }
    Ok(out)
}
