//! Loads what a `[compute]` section names: hourly usage (files and/or the generator) into a
//! [`FleetDemand`], job traces (files and/or generated), and one Spot price series per
//! instance type (the section's product, its zone or the first zone in key order).

use std::collections::BTreeMap;

use crate::aws::{InstanceType, Region};
use crate::trace::compute::{
    DemandSpec, JobRecord, JobSpec, Mode, Os, SpotDefaults, SpotHistory, SpotSeries, generate_jobs,
    generate_usage, read_jobs, read_spot, read_usage,
};
use crate::trace::ledger::{FileCount, Ledger, Tally, source};
use crate::units::{SECONDS_PER_HOUR, Timestamp};

use super::FleetError;
use super::hourly::FleetDemand;
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
    /// [`source::COMPUTE_USAGE`], [`source::COMPUTE_JOBS`], [`source::SPOT_PRICES`]).
    pub ledger: Ledger,
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
    })
}
