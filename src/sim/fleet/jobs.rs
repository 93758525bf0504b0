//! Service alternatives for a job trace (compute-pricing-and-rules.md §5): every job priced on
//! EMR on EC2 (EC2 + the EMR fee; primary and core nodes On-Demand or RI, task nodes on Spot),
//! EMR Serverless (vCPU-hours + GB-hours), Glue (DPU-hours with the minimum billing) and Lambda
//! (GB-seconds + requests; over 15 minutes is infeasible). The answer is a table per job class:
//! cost, p95 completion delay and feasibility per option, plus the `Usage` of each option.
//!
//! A job's class is its id without the trailing `-NNN` counter (`etl-000042` → `etl`), as the
//! generator names them. Sizing and overheads are in `docs/fleet.md`.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::aws::{GlueClass, InstanceType, LambdaArch, PurchaseOption, Region};
use crate::meter::{Meter, Usage};
use crate::rules::ComputeRules;
use crate::trace::compute::{JobRecord, Service};
use crate::units::{Money, SECONDS_PER_HOUR, Timestamp};

use super::emr::emr_cell;
use super::hourly::month_of;
use super::rates::RateCard;
use super::spot::SpotPolicy;
use super::{FleetError, invalid};

/// A service a job could run on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ServiceOption {
    EmrOnEc2,
    EmrServerless,
    Glue,
    Lambda,
}

impl ServiceOption {
    pub const ALL: [ServiceOption; 4] = [
        ServiceOption::EmrOnEc2,
        ServiceOption::EmrServerless,
        ServiceOption::Glue,
        ServiceOption::Lambda,
    ];

    /// `emr`, `emr-serverless`, `glue`, `lambda` (the job trace's service names).
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceOption::EmrOnEc2 => "emr",
            ServiceOption::EmrServerless => "emr-serverless",
            ServiceOption::Glue => "glue",
            ServiceOption::Lambda => "lambda",
        }
    }

    fn service(self) -> Service {
        match self {
            ServiceOption::EmrOnEc2 => Service::Emr,
            ServiceOption::EmrServerless => Service::EmrServerless,
            ServiceOption::Glue => Service::Glue,
            ServiceOption::Lambda => Service::Lambda,
        }
    }
}

impl std::str::FromStr for ServiceOption {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        ServiceOption::ALL
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| format!("{s:?}: expected emr, emr-serverless, glue or lambda"))
    }
}

/// How EMR clusters live.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EmrMode {
    /// A cluster per job: start-up + job + idle time, then terminated.
    #[default]
    Transient,
    /// One cluster per class, sized for the class's peak concurrent nodes and kept up over
    /// the whole window (the classic way to pay for a nightly job all day).
    Persistent,
}

/// Knobs of the comparison (defaults in `docs/fleet.md`).
#[derive(Clone, Debug, PartialEq)]
pub struct AlternativeOptions {
    pub options: Vec<ServiceOption>,
    pub emr_mode: EmrMode,
    /// `on_demand`, `reserved_1yr_no_upfront` or `reserved_3yr_no_upfront` for primary and core.
    pub emr_core_purchase: PurchaseOption,
    /// Share (0..=1) of worker nodes that are Spot task nodes (at least one core node stays).
    pub emr_task_spot_share: Decimal,
    /// Provisioning and bootstrap, billed and waited for (not in the reference; assumption).
    pub emr_startup_seconds: u64,
    /// Idle time before a transient cluster terminates, billed.
    pub emr_idle_seconds: u64,
    pub glue_class: GlueClass,
    /// Overrides the book's Glue minimum (Conflicts 2: 60 s for Glue 2.0+, 600 s before).
    pub glue_minimum_seconds: Option<u64>,
    /// Fewest DPUs a Glue Spark job runs with (§5, older page: "minimum 2 DPU").
    pub glue_min_dpu: u32,
    pub lambda_arch: LambdaArch,
    /// Lambda's longest run: 15 minutes.
    pub lambda_max_seconds: u64,
    /// Lambda's largest memory (10,240 MB; not in the reference, current AWS limit).
    pub lambda_max_memory_gib: Decimal,
    /// Interruption model for Spot task nodes (its `share` is not used here).
    pub spot: SpotPolicy,
    pub runs: u32,
    pub seed: u64,
    /// Window a persistent cluster is billed over; default: first job's hour to last job end.
    pub window: Option<(Timestamp, Timestamp)>,
}

impl Default for AlternativeOptions {
    fn default() -> Self {
        AlternativeOptions {
            options: ServiceOption::ALL.to_vec(),
            emr_mode: EmrMode::Transient,
            emr_core_purchase: PurchaseOption::OnDemand,
            emr_task_spot_share: Decimal::ZERO,
            emr_startup_seconds: 600,
            emr_idle_seconds: 0,
            glue_class: GlueClass::Standard,
            glue_minimum_seconds: None,
            glue_min_dpu: 2,
            lambda_arch: LambdaArch::X86,
            lambda_max_seconds: 900,
            lambda_max_memory_gib: Decimal::from(10),
            spot: SpotPolicy::default(),
            runs: 200,
            seed: 0,
            window: None,
        }
    }
}

/// One option for one class.
#[derive(Clone, Debug, PartialEq)]
pub struct OptionCell {
    pub option: ServiceOption,
    /// The class's jobs currently on this service (per the trace).
    pub current_jobs: usize,
    /// Why it cannot run every job of the class; `None` when feasible.
    pub infeasible: Option<String>,
    /// Exact cost without interruptions (`None` when infeasible).
    pub cost: Option<Money>,
    /// Monte Carlo mean cost with Spot interruptions (equals `cost` without Spot).
    pub cost_mean: Option<Money>,
    /// p95 over jobs and runs of completion delay, seconds.
    pub delay_p95_seconds: f64,
    /// EMR: the instance type used (the cheapest that fits for `any` jobs, or the job's).
    pub instance_types: Vec<InstanceType>,
    pub usage: Usage,
}

/// One job class's row.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassRow {
    pub class: String,
    pub jobs: usize,
    pub cells: Vec<OptionCell>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct JobAlternatives {
    pub rows: Vec<ClassRow>,
}

/// The longest job accepted (10 years of seconds).
pub const MAX_JOB_SECONDS: u64 = 10 * 366 * 86_400;

/// The class of a job id: without a trailing `-digits` counter.
pub fn job_class(job_id: &str) -> &str {
    match job_id.rsplit_once('-') {
        Some((c, n)) if !c.is_empty() && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
            c
        }
        _ => job_id,
    }
}

pub(crate) fn ceil_div(a: Decimal, b: Decimal) -> u64 {
    if b <= Decimal::ZERO {
        return u64::MAX;
    }
    (a / b).ceil().to_u64().unwrap_or(u64::MAX)
}

/// Prices each job class on each option.
pub fn compare_alternatives(
    jobs: &[JobRecord],
    region: &Region,
    rates: &RateCard,
    rules: &ComputeRules,
    o: &AlternativeOptions,
) -> Result<JobAlternatives, FleetError> {
    let share_ok = o.emr_task_spot_share >= Decimal::ZERO && o.emr_task_spot_share <= Decimal::ONE;
    if !share_ok {
        return Err(invalid("emr_task_spot_share", "between 0 and 1"));
    }
    if o.runs == 0 {
        return Err(invalid("runs", "at least 1"));
    }
    rates.check()?;
    // Bounds that keep every product of a quantity and a rate inside `Decimal`.
    for j in jobs {
        if j.vcpu > Decimal::from(1_000_000)
            || j.memory_gib > Decimal::from(1_000_000_000)
            || j.duration_seconds > MAX_JOB_SECONDS
            || j.vcpu < Decimal::ZERO
            || j.memory_gib < Decimal::ZERO
        {
            return Err(invalid(
                format!("job {}", j.job_id),
                "vCPU 0..=1e6, memory 0..=1e9 GiB, duration at most 10 years",
            ));
        }
    }
    let mut classes: BTreeMap<&str, Vec<&JobRecord>> = BTreeMap::new();
    for j in jobs {
        classes.entry(job_class(&j.job_id)).or_default().push(j);
    }
    let mut rows = Vec::new();
    for (class, js) in classes {
        let mut cells = Vec::new();
        for &opt in &o.options {
            let mut cell = match opt {
                ServiceOption::EmrOnEc2 => emr_cell(&js, region, rates, rules, o)?,
                _ => simple_cell(opt, &js, region, rates, rules, o),
            };
            cell.current_jobs = js.iter().filter(|j| j.service == opt.service()).count();
            cells.push(cell);
        }
        rows.push(ClassRow {
            class: class.to_string(),
            jobs: js.len(),
            cells,
        });
    }
    Ok(JobAlternatives { rows })
}

pub(crate) fn empty(option: ServiceOption) -> OptionCell {
    OptionCell {
        option,
        current_jobs: 0,
        infeasible: None,
        cost: None,
        cost_mean: None,
        delay_p95_seconds: 0.0,
        instance_types: Vec::new(),
        usage: Usage::default(),
    }
}

pub(crate) fn infeasible(mut c: OptionCell, why: String) -> OptionCell {
    c.infeasible = Some(why);
    c.cost = None;
    c.cost_mean = None;
    c.usage = Usage::default();
    c
}

/// EMR Serverless, Glue and Lambda: no instances, no Spot, no delay.
fn simple_cell(
    opt: ServiceOption,
    js: &[&JobRecord],
    region: &Region,
    rates: &RateCard,
    rules: &ComputeRules,
    o: &AlternativeOptions,
) -> OptionCell {
    let mut c = empty(opt);
    let hour = Decimal::from(SECONDS_PER_HOUR);
    let mut total = Decimal::ZERO;
    for j in js {
        let m = month_of(j.start);
        let d = Decimal::from(j.duration_seconds);
        match opt {
            ServiceOption::EmrServerless => {
                let Some(r) = rates.emr_serverless else {
                    return infeasible(c, "no EMR Serverless rates".into());
                };
                let secs = Decimal::from(j.duration_seconds.max(rules.emr_minimum_seconds));
                let (vs, gs) = (j.vcpu * secs, j.memory_gib * secs);
                total += (vs * r.vcpu_hour + gs * r.gb_hour) / hour;
                c.usage.add(m, region, Meter::EmrServerlessVcpuSeconds, vs);
                c.usage.add(m, region, Meter::EmrServerlessGbSeconds, gs);
            }
            ServiceOption::Glue => {
                let Some(rate) = rates.glue_dpu_hour.get(&o.glue_class).copied() else {
                    return infeasible(c, format!("no Glue {} rate", o.glue_class));
                };
                // 1 DPU = 4 vCPU, 16 GB (§5); at least `glue_min_dpu`.
                let dpu = ceil_div(j.vcpu, Decimal::from(4))
                    .max(ceil_div(j.memory_gib, Decimal::from(16)))
                    .max(u64::from(o.glue_min_dpu));
                // Conflicts 2: the book's minimum (60 s, Glue 2.0+) unless overridden.
                let min = o.glue_minimum_seconds.unwrap_or(rules.glue_minimum_seconds);
                let dpu_s = Decimal::from(dpu) * Decimal::from(j.duration_seconds.max(min));
                total += dpu_s * rate / hour;
                c.usage
                    .add(m, region, Meter::GlueDpuSeconds(o.glue_class), dpu_s);
            }
            _ => {
                let Some(l) = &rates.lambda else {
                    return infeasible(c, "no Lambda rates".into());
                };
                let Some(rate) = l.gb_second.get(&o.lambda_arch).copied() else {
                    return infeasible(c, format!("no Lambda {} rate", o.lambda_arch));
                };
                if j.duration_seconds > o.lambda_max_seconds {
                    return infeasible(
                        c,
                        format!(
                            "job {} runs {} s, over Lambda's {} s limit",
                            j.job_id, j.duration_seconds, o.lambda_max_seconds
                        ),
                    );
                }
                if j.memory_gib > o.lambda_max_memory_gib {
                    return infeasible(
                        c,
                        format!(
                            "job {} needs {} GiB, over Lambda's limit",
                            j.job_id, j.memory_gib
                        ),
                    );
                }
                // Whole-second durations are already whole milliseconds (1 ms rounding).
                let gbs = j.memory_gib * d;
                total += gbs * rate + l.per_request;
                c.usage.add(m, region, Meter::LambdaRequests, Decimal::ONE);
                c.usage
                    .add(m, region, Meter::LambdaGbSeconds(o.lambda_arch), gbs);
            }
        }
    }
    c.cost = Some(Money(total));
    c.cost_mean = Some(Money(total));
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_drop_the_counter() {
        assert_eq!(job_class("etl-000042"), "etl");
        assert_eq!(job_class("copy-3tb-000001"), "copy-3tb");
        assert_eq!(job_class("adhoc"), "adhoc");
        assert_eq!(job_class("x-"), "x-");
        assert_eq!(job_class("-12"), "-12");
    }
}
