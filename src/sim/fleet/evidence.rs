//! Loads what a `[compute]` section names: hourly usage (files, billing exports and/or the
//! generator) into a [`FleetDemand`], job traces (files and/or generated), and one Spot price
//! series per instance type (the section's product, its zone or the first zone in key order).
//! A billing export's EC2 usage of the section's Region, Linux/UNIX and shared tenancy inside
//! the window is demand; the rest is left out with its reason in the ledger. Its Reserved
//! Instances and Savings Plans are returned as the compute spec's purchases
//! ([`Evidence::billing_reservations`], [`Evidence::billing_savings_plans`]).

use std::collections::BTreeMap;

use crate::aws::{InstanceType, Region};
use crate::trace::billing::{self, BillingRead, RiInForce, RiScope, SpInForce, SpType, Tenancy};
use crate::trace::compute::UsageRecord;
use crate::trace::compute::{
    DemandSpec, JobRecord, JobSpec, Mode, Os, SpotDefaults, SpotHistory, SpotSeries, generate_jobs,
    generate_usage, read_jobs, read_spot, read_usage,
};
use crate::trace::ledger::{FileCount, Ledger, Tally, source};
use crate::units::{SECONDS_PER_HOUR, Timestamp};

use super::FleetError;
use super::hourly::FleetDemand;
use super::purchase::{Payment, Reservation, SavingsPlan, SpKind, Term};
use super::spec::{ComputeSpec, SpotPriceSource};

/// Everything a compute simulation runs on.
#[derive(Clone, Debug, PartialEq)]
pub struct Evidence {
    pub demand: FleetDemand,
    pub jobs: Vec<JobRecord>,
    pub spot_series: BTreeMap<InstanceType, SpotSeries>,
    /// One line per file read: records kept and lines skipped.
    pub notes: Vec<String>,
    /// Every line of every file read, used or skipped with its reason (sources
    /// [`source::COMPUTE_USAGE`], [`source::COMPUTE_JOBS`], [`source::SPOT_PRICES`],
    /// [`billing::SOURCE`]).
    pub ledger: Ledger,
    /// What the billing exports held (demand of every Region and platform, commitments, S3
    /// usage), when the section names any.
    pub billing: Option<Box<BillingRead>>,
    /// The billing exports' Reserved Instances in force at the window's start that the fleet
    /// simulator can model (regional, Linux/UNIX, shared tenancy, standard), as purchases.
    pub billing_reservations: Vec<Reservation>,
    /// The billing exports' Compute and EC2 Instance Savings Plans in force at the window's
    /// start, as purchases.
    pub billing_savings_plans: Vec<SavingsPlan>,
}

/// Why billed EC2 usage is not fleet demand.
pub mod left_out {
    pub const REGION: &str = "EC2 usage in another Region than the simulated one";
    pub const PLATFORM: &str =
        "EC2 usage on another platform than Linux/UNIX (the fleet simulator prices Linux only)";
    pub const TENANCY: &str = "EC2 usage on dedicated tenancy or hosts";
    pub const WINDOW: &str = "EC2 usage outside the scenario window";
}

/// The start of the hour holding `t`.
fn hour_floor(t: Timestamp) -> Timestamp {
    Timestamp(t.0.div_euclid(SECONDS_PER_HOUR as i64) * SECONDS_PER_HOUR as i64)
}

fn term_of(years: Option<u32>) -> Result<Term, String> {
    match years {
        Some(1) => Ok(Term::OneYear),
        Some(3) => Ok(Term::ThreeYear),
        Some(y) => Err(format!("a {y}-year term")),
        None => Err("no term".into()),
    }
}

fn payment_of(p: Option<&str>) -> Result<Payment, String> {
    p.unwrap_or("no_upfront").parse()
}

/// The RI as a purchase the fleet simulator models, or why not.
pub fn reservation_of(r: &RiInForce) -> Result<Reservation, String> {
    if r.platform != billing::LINUX {
        return Err(format!("platform {}", r.platform));
    }
    if r.tenancy != Tenancy::Shared {
        return Err(format!("{} tenancy", r.tenancy.as_str()));
    }
    if let RiScope::Zone(z) = &r.scope {
        return Err(format!("zonal ({z})"));
    }
    if r.offering_class.as_deref().is_some_and(|c| c != "standard") {
        return Err(format!(
            "{} offering class",
            r.offering_class.as_deref().unwrap_or("")
        ));
    }
    Ok(Reservation {
        instance_type: r.instance_type.clone(),
        count: r.count.ok_or("no count")?,
        term: term_of(r.term_years)?,
        payment: payment_of(r.payment.as_deref())?,
        start: hour_floor(r.start.ok_or("no start time")?),
    })
}

/// The Savings Plan as a purchase the fleet simulator models, or why not.
pub fn savings_plan_of(p: &SpInForce) -> Result<SavingsPlan, String> {
    let kind = match &p.kind {
        SpType::Compute => SpKind::Compute,
        SpType::Ec2Instance {
            family: Some(family),
        } => SpKind::Ec2Instance {
            family: family.clone(),
        },
        SpType::Ec2Instance { family: None } => return Err("no instance family".into()),
        SpType::Other(k) => return Err(format!("a {k} plan")),
    };
    let name = p.arn.rsplit('/').next().unwrap_or(&p.arn).to_string();
    Ok(SavingsPlan {
        name,
        kind,
        commitment_per_hour: p.commitment_per_hour,
        term: term_of(p.term_years)?,
        payment: payment_of(p.payment.as_deref())?,
        start: hour_floor(p.start.ok_or("no start time")?),
        discount_pct: None,
    })
}

/// Reads the billing exports of `paths` and turns their EC2 usage of `region`, Linux/UNIX,
/// shared tenancy, inside `[start, end)` into usage records; the ledger tally says which rows
/// were left out and why.
fn load_billing(
    paths: &[std::path::PathBuf],
    mode: Mode,
    region: &Region,
    start: Timestamp,
    end: Timestamp,
) -> Result<(BillingRead, Vec<UsageRecord>, Tally), FleetError> {
    let files = billing::expand(paths).map_err(ev)?;
    let read = billing::read_billing(&files, mode).map_err(ev)?;
    let mut tally = read.tally();
    let mut usage = Vec::new();
    for d in &read.demand {
        let why = if d.region != *region {
            Some(left_out::REGION)
        } else if d.platform != billing::LINUX {
            Some(left_out::PLATFORM)
        } else if d.tenancy != Tenancy::Shared {
            Some(left_out::TENANCY)
        } else if d.hour < start || d.hour >= end {
            Some(left_out::WINDOW)
        } else {
            None
        };
        match why {
            Some(r) => tally.reclassify_used(r, d.lines),
            None => usage.push(UsageRecord {
                hour: d.hour,
                instance_type: d.instance_type.clone(),
                instance_seconds: d.instance_seconds(),
                count: None,
                region: Some(region.clone()),
                os: Os::Linux,
            }),
        }
    }
    Ok((read, usage, tally))
}

/// Adds one file's tally to `source` of `ledger`.
fn count(ledger: &mut Ledger, name: &str, path: &std::path::Path, tally: Tally) {
    let mut t = tally;
    t.files = vec![FileCount {
        file: path.display().to_string(),
        read: t.read,
        used: t.used,
        skipped: t.skipped,
    }];
    ledger.source(name).merge(&t);
}

fn ev(e: impl std::fmt::Display) -> FleetError {
    FleetError::Evidence(e.to_string())
}

/// Reads and generates the evidence of `spec` for `region` over `[start, end)` (`start` an
/// hour start); `seed` is the scenario's, used when the generator names none.
pub fn load_evidence(
    spec: &ComputeSpec,
    region: &Region,
    start: Timestamp,
    end: Timestamp,
    seed: u64,
    strict: bool,
) -> Result<Evidence, FleetError> {
    let mut ledger = Ledger::default();
    let mode = if spec.evidence.strict || strict {
        Mode::Strict
    } else {
        Mode::Lenient
    };
    let mut notes = Vec::new();
    let mut usage = Vec::new();
    for p in &spec.evidence.usage {
        let (recs, sum) = read_usage(p, mode).map_err(ev)?;
        count(&mut ledger, source::COMPUTE_USAGE, p, sum.tally());
        notes.push(format!(
            "{}: {} records, {} skipped",
            p.display(),
            sum.parsed,
            sum.skipped
        ));
        usage.extend(recs);
    }
    let mut billing_read = None;
    let (mut billing_reservations, mut billing_savings_plans) = (Vec::new(), Vec::new());
    if !spec.evidence.billing.is_empty() {
        let (read, recs, tally) = load_billing(&spec.evidence.billing, mode, region, start, end)?;
        ledger.source(billing::SOURCE).merge(&tally);
        notes.push(format!(
            "billing exports: {} files, {} rows read, {} used, {} left out, {} skipped; {} \
             hourly demand records for {region}",
            read.files.len(),
            tally.read,
            tally.used,
            tally.not_replayed_total(),
            tally.skipped,
            recs.len()
        ));
        if read.spread_lines > 0 {
            notes.push(format!(
                "billing exports: {} usage lines span more than an hour (a daily or monthly \
                 export) and were spread evenly over their hours",
                read.spread_lines
            ));
        }
        for r in read.reservations_at(start) {
            match reservation_of(r) {
                Ok(res) => billing_reservations.push(res),
                Err(why) => notes.push(format!(
                    "billing exports: RI {} ({} × {}) is not simulated: {why}",
                    r.arn,
                    r.count.map_or("?".into(), |c| c.to_string()),
                    r.instance_type
                )),
            }
        }
        for p in read.savings_plans_at(start) {
            match savings_plan_of(p) {
                Ok(sp) => billing_savings_plans.push(sp),
                Err(why) => notes.push(format!(
                    "billing exports: Savings Plan {} is not simulated: {why}",
                    p.arn
                )),
            }
        }
        usage.extend(recs);
        billing_read = Some(Box::new(read));
    }
    let mut jobs = Vec::new();
    for p in &spec.evidence.jobs {
        let (recs, sum) = read_jobs(p, mode).map_err(ev)?;
        count(&mut ledger, source::COMPUTE_JOBS, p, sum.tally());
        notes.push(format!(
            "{}: {} jobs, {} skipped",
            p.display(),
            sum.parsed,
            sum.skipped
        ));
        jobs.extend(recs);
    }
    if let Some(g) = &spec.evidence.generate {
        let hours = u32::try_from((end.0 - start.0).max(0) as u64 / SECONDS_PER_HOUR)
            .map_err(|_| ev("window too long for the generator"))?;
        let seed = g.seed.unwrap_or(seed);
        if !g.types.is_empty() {
            usage.extend(
                generate_usage(&DemandSpec {
                    seed,
                    start,
                    hours,
                    region: Some(region.clone()),
                    os: Os::Linux,
                    types: g.types.clone(),
                })
                .map_err(ev)?,
            );
        }
        if !g.job_classes.is_empty() {
            jobs.extend(
                generate_jobs(&JobSpec {
                    seed,
                    start,
                    hours,
                    classes: g.job_classes.clone(),
                })
                .map_err(ev)?,
            );
        }
    }
    let demand = FleetDemand::from_records(&usage, region, start, end)?;
    let mut spot_series = BTreeMap::new();
    if spec.spot.price == SpotPriceSource::History {
        let mut records = Vec::new();
        for p in &spec.evidence.spot_history {
            let r = read_spot(p, mode, &SpotDefaults::default()).map_err(ev)?;
            count(&mut ledger, source::SPOT_PRICES, p, r.summary.tally());
            notes.push(format!(
                "{}: {} spot prices, {} skipped",
                p.display(),
                r.summary.parsed,
                r.summary.skipped
            ));
            records.extend(r.records);
        }
        let history = SpotHistory::build(records).map_err(ev)?;
        for s in history.series() {
            let k = s.key();
            let zone_ok = spec
                .evidence
                .spot_zone
                .as_deref()
                .is_none_or(|z| k.zone.as_str() == z);
            if k.product == spec.evidence.spot_product && zone_ok {
                spot_series
                    .entry(k.instance_type.clone())
                    .or_insert_with(|| s.clone());
            }
        }
    }
    Ok(Evidence {
        demand,
        jobs,
        spot_series,
        notes,
        ledger,
        billing: billing_read,
        billing_reservations,
        billing_savings_plans,
    })
}
