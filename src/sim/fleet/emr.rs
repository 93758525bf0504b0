//! EMR on EC2 for the job alternatives (compute-pricing-and-rules.md §5): a cluster of one
//! primary node, core nodes (On-Demand or RI) and Spot task nodes, each billed EC2 + the EMR
//! fee per second with the one-minute minimum; transient (per job: start-up + run + idle) or
//! persistent (per class, peak concurrent nodes, the whole window). Spot task-node
//! interruptions delay the job; a transient cluster's other nodes wait, billed.

use std::collections::BTreeMap;

use rand::SeedableRng;
use rand::rngs::StdRng;
use rayon::prelude::*;
use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};

use crate::aws::{InstanceType, PurchaseOption, Region};
use crate::meter::Meter;
use crate::rules::ComputeRules;
use crate::trace::compute::{InstanceChoice, JobRecord};
use crate::units::{Money, SECONDS_PER_HOUR, Timestamp};

use super::FleetError;
use super::hourly::month_of;
use super::jobs::{
    AlternativeOptions, EmrMode, OptionCell, ServiceOption, ceil_div, empty, infeasible,
};
use super::montecarlo::{Stats, stream_seed};
use super::rates::{RateCard, TypeRates};
use super::spot::run_on_spot;

/// An EMR cluster for one job on one type.
#[derive(Clone, Debug)]
struct EmrPlan {
    t: InstanceType,
    /// Primary + core nodes.
    fixed: u64,
    task: u64,
    fixed_hourly: Decimal,
    spot_hourly: Decimal,
    emr_hourly: Decimal,
    hazard: f64,
}

fn emr_plan(
    job: &JobRecord,
    t: &InstanceType,
    r: &TypeRates,
    o: &AlternativeOptions,
) -> Result<EmrPlan, String> {
    let emr = r.emr_hourly.ok_or(format!("no EMR fee for {t}"))?;
    let (v, m) = match (r.vcpu, r.memory_gib) {
        (Some(v), Some(m)) => (v, m),
        _ => return Err(format!("no vCPU/memory for {t}")),
    };
    let workers = ceil_div(job.vcpu, v)
        .max(ceil_div(job.memory_gib, m))
        .max(1);
    if workers > 10_000 {
        return Err(format!("needs {workers} {t} nodes"));
    }
    let task = (Decimal::from(workers) * o.emr_task_spot_share)
        .floor()
        .to_u64()
        .unwrap_or(0)
        .min(workers - 1);
    let fixed_hourly = match o.emr_core_purchase {
        PurchaseOption::OnDemand => r.on_demand_hourly,
        p => {
            let ri = r.reserved.get(&p).ok_or(format!("no {p} rate for {t}"))?;
            ri.hourly
        }
    };
    let spot_hourly = if task > 0 {
        r.spot_advisor_hourly()
            .ok_or(format!("no Spot price for {t}"))?
    } else {
        Decimal::ZERO
    };
    Ok(EmrPlan {
        t: t.clone(),
        fixed: 1 + workers - task,
        task,
        fixed_hourly,
        spot_hourly,
        emr_hourly: emr,
        hazard: o.spot.hazard(t, Some(r)),
    })
}

impl EmrPlan {
    /// Billed seconds per node of a transient cluster without interruptions.
    fn node_seconds(&self, job: &JobRecord, o: &AlternativeOptions, min: u64) -> u64 {
        (o.emr_startup_seconds + job.duration_seconds + o.emr_idle_seconds).max(min)
    }

    fn cost(&self, secs: u64) -> Decimal {
        let s = Decimal::from(secs) / Decimal::from(SECONDS_PER_HOUR);
        Decimal::from(self.fixed) * s * (self.fixed_hourly + self.emr_hourly)
            + Decimal::from(self.task) * s * (self.spot_hourly + self.emr_hourly)
    }
}

fn pick_emr(
    job: &JobRecord,
    rates: &RateCard,
    o: &AlternativeOptions,
    min: u64,
) -> Result<EmrPlan, String> {
    match &job.instance_type {
        InstanceChoice::Type(t) => {
            let r = rates.types.get(t).ok_or(format!("no rates for {t}"))?;
            emr_plan(job, t, r, o)
        }
        InstanceChoice::Any => rates
            .types
            .iter()
            .filter_map(|(t, r)| emr_plan(job, t, r, o).ok())
            .min_by(|a, b| {
                let s = a.node_seconds(job, o, min);
                a.cost(s).cmp(&b.cost(s)).then(a.t.cmp(&b.t))
            })
            .ok_or_else(|| format!("no EMR-priced type fits job {}", job.job_id)),
    }
}

pub(crate) fn emr_cell(
    js: &[&JobRecord],
    region: &Region,
    rates: &RateCard,
    rules: &ComputeRules,
    o: &AlternativeOptions,
) -> Result<OptionCell, FleetError> {
    let mut c = empty(ServiceOption::EmrOnEc2);
    let min = rules.ec2_minimum_seconds.max(rules.emr_minimum_seconds);
    let mut plans = Vec::with_capacity(js.len());
    for j in js {
        match pick_emr(j, rates, o, min) {
            Ok(p) => plans.push(p),
            Err(why) => return Ok(infeasible(c, why)),
        }
    }
    let fixed_option = o.emr_core_purchase;
    let mut total = Decimal::ZERO;
    let add =
        |c: &mut OptionCell, ts: Timestamp, p: &EmrPlan, nodes: u64, spot: bool, secs: u64| {
            let q = Decimal::from(nodes) * Decimal::from(secs);
            let m = month_of(ts);
            let opt = if spot {
                PurchaseOption::SpotAdvisor
            } else {
                fixed_option
            };
            c.usage
                .add(m, region, Meter::InstanceSeconds(p.t.clone(), opt), q);
            c.usage.add(m, region, Meter::EmrSeconds(p.t.clone()), q);
        };
    match o.emr_mode {
        EmrMode::Transient => {
            for (j, p) in js.iter().zip(&plans) {
                let s = p.node_seconds(j, o, min);
                total += p.cost(s);
                add(&mut c, j.start, p, p.fixed, false, s);
                if p.task > 0 {
                    add(&mut c, j.start, p, p.task, true, s);
                }
            }
        }
        EmrMode::Persistent => {
            // Peak concurrent nodes per type, billed every second of the window.
            let (w0, w1) = o.window.unwrap_or_else(|| {
                let first = js.iter().map(|j| j.start.0).min().unwrap_or(0);
                let last = js.iter().map(|j| j.end().0).max().unwrap_or(first);
                (
                    Timestamp(first - first.rem_euclid(SECONDS_PER_HOUR as i64)),
                    Timestamp(last),
                )
            });
            let secs = u64::try_from(w1.0.saturating_sub(w0.0)).unwrap_or(0);
            let mut peak: BTreeMap<&InstanceType, (u64, u64, &EmrPlan)> = BTreeMap::new();
            let mut events: Vec<(i64, i64, usize)> = Vec::new();
            for (k, (j, _)) in js.iter().zip(&plans).enumerate() {
                events.push((j.start.0, 1, k));
                events.push((j.end().0, -1, k));
            }
            events.sort();
            let mut running: BTreeMap<&InstanceType, (u64, u64)> = BTreeMap::new();
            for (_, dir, k) in events {
                let p = &plans[k];
                let e = running.entry(&p.t).or_default();
                if dir > 0 {
                    e.0 += p.fixed;
                    e.1 += p.task;
                } else {
                    e.0 -= p.fixed.min(e.0);
                    e.1 -= p.task.min(e.1);
                }
                let pk = peak.entry(&p.t).or_insert((0, 0, p));
                pk.0 = pk.0.max(e.0);
                pk.1 = pk.1.max(e.1);
            }
            for (_, (fixed, task, p)) in peak {
                let cluster = EmrPlan {
                    fixed,
                    task,
                    ..p.clone()
                };
                total += cluster.cost(secs);
                add(&mut c, w0, p, fixed, false, secs);
                if task > 0 {
                    add(&mut c, w0, p, task, true, secs);
                }
            }
        }
    }
    c.instance_types = plans.iter().map(|p| p.t.clone()).collect();
    c.instance_types.sort();
    c.instance_types.dedup();
    c.cost = Some(Money(total));
    let (mean_extra, delays) = emr_monte_carlo(js, &plans, o, min);
    c.cost_mean = Some(Money(total + mean_extra));
    c.delay_p95_seconds = Stats::of(&delays).p95;
    Ok(c)
}

/// Spot task-node interruptions: the cluster waits for the slowest task node; a transient
/// cluster's primary and core nodes are billed for the wait. Returns the mean extra cost and
/// every (run, job) completion delay.
fn emr_monte_carlo(
    js: &[&JobRecord],
    plans: &[EmrPlan],
    o: &AlternativeOptions,
    min: u64,
) -> (Decimal, Vec<f64>) {
    let transient = o.emr_mode == EmrMode::Transient;
    let startup = if transient {
        o.emr_startup_seconds as f64
    } else {
        0.0
    };
    let hour = SECONDS_PER_HOUR as f64;
    let per_run: Vec<(f64, Vec<f64>)> = (0..o.runs as u64)
        .into_par_iter()
        .map(|r| {
            let mut extra = 0.0;
            let mut delays = Vec::with_capacity(js.len());
            for (k, (j, p)) in js.iter().zip(plans).enumerate() {
                let mut delay: f64 = 0.0;
                if p.task > 0 && p.hazard > 0.0 {
                    let mut rng = StdRng::seed_from_u64(stream_seed(o.seed, &[r, k as u64, 2]));
                    let overhead = (o.emr_startup_seconds + o.emr_idle_seconds) as f64;
                    let node_min = (min as f64 - overhead).max(0.0);
                    let work = j.duration_seconds as f64;
                    let base = work.max(node_min);
                    let spot = p.spot_hourly.to_f64().unwrap_or(0.0);
                    let od = p.fixed_hourly.to_f64().unwrap_or(0.0);
                    let emr = p.emr_hourly.to_f64().unwrap_or(0.0);
                    for _ in 0..p.task {
                        let run = run_on_spot(work, p.hazard, &o.spot, node_min, &mut rng);
                        delay = delay.max(run.delay_seconds);
                        if transient {
                            extra += (run.spot_seconds - base) / hour * spot
                                + run.on_demand_seconds / hour * od
                                + run.delay_seconds / hour * emr;
                        }
                    }
                    if transient {
                        extra += p.fixed as f64 * delay / hour * (od + emr);
                    }
                }
                delays.push(startup + delay);
            }
            (extra, delays)
        })
        .collect();
    let n = per_run.len().max(1) as f64;
    let mean = per_run.iter().map(|(e, _)| e).sum::<f64>() / n;
    let delays = per_run.into_iter().flat_map(|(_, d)| d).collect();
    let mean = if mean == 0.0 {
        Decimal::ZERO
    } else {
        Decimal::from_f64(mean).unwrap_or_default().round_dp(6)
    };
    (mean, delays)
}
