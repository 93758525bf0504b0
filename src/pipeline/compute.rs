//! The compute stages of a run: the scenario's `[compute]` section end to end: evidence read or generated, the fleet
//! simulated under the scenario's purchases, Spot interruptions by Monte Carlo, job classes
//! priced on each service, and the fleet's metered usage rated into line items.

use super::Options;
use super::error::{PipelineError, input, output};
use crate::cost::{RateOptions, rate};
use crate::optimize::fleet_bridge::{FleetOptimizeOptions, recommend_fleet};
use crate::optimize::purchase_output::write_plan_csv;
use crate::pricing::{Catalog, PriceBook, PricePath};
use crate::report::model::{
    BillReport, ComputeMonth, ComputeReport, JobClassReport, JobOptionReport, MonteCarloReport,
};
use crate::report::recommendation::FleetPlanReport;
use crate::scenario::Scenario;
use crate::sim::fleet::{
    FleetOptions, FleetPlan, RateCard, compare_alternatives, load_evidence, monte_carlo,
    simulate_fleet,
};

/// The rates the fleet simulator decides with, from `book`.
pub fn rate_card(book: &PriceBook) -> RateCard {
    let types = book
        .entries
        .keys()
        .filter(|p| p.0.len() == 3 && p.0[0] == "ec2" && p.0[1] == "on_demand")
        .filter_map(|p| crate::aws::InstanceType::parse(&p.0[2]).ok());
    RateCard::from_lookup(types, |path| {
        book.first_band(&PricePath::new(path.iter().copied()))
    })
}

fn fleet_err(e: impl std::fmt::Display) -> PipelineError {
    input(format!("[compute]: {e}"))
}

/// The compute report of `sc` and, when `optimize` and the scenario has `[optimize.fleet]`,
/// the recommended purchase mix; `None` without a `[compute]` section.
pub(crate) fn compute_report(
    sc: &Scenario,
    catalog: &mut Catalog,
    o: &Options<'_>,
) -> Result<Option<ComputeOutcome>, PipelineError> {
    let (optimize, reading) = (o.optimize, o.reading);
    let Some(spec) = &sc.compute else {
        return Ok(None);
    };
    let region = spec
        .region
        .clone()
        .unwrap_or_else(|| catalog.home().region.clone());
    catalog.ensure(&region).map_err(input)?;
    let book = catalog.book(&region).map_err(input)?;
    let card = rate_card(book);
    let rules = book.rules.compute.clone();
    let seed = spec.seed.unwrap_or(sc.seed);
    let ev =
        load_evidence(spec, &region, sc.start, sc.end, seed, reading.strict).map_err(fleet_err)?;
    ev.ledger.check(reading.limit).map_err(input)?;
    let plan = FleetPlan {
        reservations: spec.reservations.clone(),
        savings_plans: spec.savings_plans.clone(),
        spot: spec.spot.policy.clone(),
        spot_series: ev.spot_series.clone(),
    };
    let opts = FleetOptions { record_hours: true };
    let result = simulate_fleet(&ev.demand, &plan, &card, opts).map_err(fleet_err)?;
    let mc = if spec.runs > 0 && !ev.demand.types.is_empty() {
        let m = monte_carlo(&result, &spec.spot.policy, spec.runs, seed).map_err(fleet_err)?;
        Some(MonteCarloReport {
            runs: m.runs,
            seed: m.seed,
            cost_mean_usd: m.cost_mean.usd(),
            cost_p50_usd: m.cost_p50.usd(),
            cost_p95_usd: m.cost_p95.usd(),
            cost_std_error_usd: m.cost_std_error.usd(),
            interruptions_mean: m.interruptions.mean,
            rework_hours_mean: m.rework_seconds.mean / 3600.0,
            cost_samples_usd: {
                let base =
                    rust_decimal::prelude::ToPrimitive::to_f64(&result.total_amortized.usd())
                        .unwrap_or(0.0);
                m.cost_deltas.iter().map(|d| base + d).collect()
            },
        })
    } else {
        None
    };
    let mut alternatives = Vec::new();
    if let Some(opts) = &spec.jobs
        && !ev.jobs.is_empty()
    {
        let mut opts = opts.clone();
        if spec.seed.is_none() {
            opts.seed = seed;
        }
        let alt =
            compare_alternatives(&ev.jobs, &region, &card, &rules, &opts).map_err(fleet_err)?;
        for row in alt.rows {
            alternatives.push(JobClassReport {
                class: row.class,
                jobs: row.jobs as u64,
                options: row
                    .cells
                    .into_iter()
                    .map(|c| JobOptionReport {
                        option: c.option.as_str().to_string(),
                        current_jobs: c.current_jobs as u64,
                        cost_usd: c.cost.map(|m| m.usd()),
                        delay_p95_seconds: c.delay_p95_seconds,
                        infeasible: c.infeasible,
                    })
                    .collect(),
            });
        }
    }
    let bill = rate(&result.usage, catalog, &RateOptions::default()).map_err(input)?;
    let months = result
        .months
        .iter()
        .map(|m| ComputeMonth {
            month: m.month.map(|x| x.to_string()).unwrap_or_default(),
            on_demand_usd: m.on_demand.usd(),
            reserved_hourly_usd: m.reserved_hourly.usd(),
            reserved_upfront_amortized_usd: m.reserved_upfront_amortized.usd(),
            reserved_upfront_cash_usd: m.reserved_upfront_cash.usd(),
            savings_plans_usd: m.savings_plans.usd(),
            savings_plans_cash_usd: m.savings_plans_cash.usd(),
            spot_usd: m.spot.usd(),
            total_amortized_usd: m.total_amortized.usd(),
            total_cash_usd: m.total_cash.usd(),
        })
        .collect();
    let mut notes = ev.notes.clone();
    if !spec.savings_plans.is_empty() {
        notes.push("Savings Plan fees are line items in the cash view (recurring part each hour, upfront part when paid); the discount a plan gives off On-Demand is a documented assumption where AWS's exact Savings Plan rates are not in the tables (unconfirmed, docs/fleet.md).".into());
    }
    let fleet = match (&sc.optimize.fleet, optimize) {
        (Some(f), true) if !ev.demand.types.is_empty() => {
            let opts = FleetOptimizeOptions {
                max_spot_share: f.max_spot_share,
                max_interrupted_per_family: f.max_interrupted_per_family,
                savings_plan: f.savings_plan,
                spot_rework_hours: f
                    .spot_rework_hours
                    .unwrap_or(FleetOptimizeOptions::default().spot_rework_hours),
                spot_policy: spec.spot.policy.clone(),
                spot_series: ev.spot_series.clone(),
                ..Default::default()
            };
            let rec = recommend_fleet(&ev.demand, &card, &opts, spec.runs as usize, seed)
                .map_err(|e| input(format!("[optimize.fleet]: {e}")))?;
            o.observer.note(&format!(
                "purchase model: {} variables ({} integer), {} rows, solved by {} in {:.2} s",
                rec.recommendation.stats.variables,
                rec.recommendation.stats.integer_variables,
                rec.recommendation.stats.constraints,
                rec.recommendation.stats.solver,
                rec.recommendation.stats.solve_seconds
            ));
            let mut csv = Vec::new();
            write_plan_csv(&rec.recommendation, &rec.params, &mut csv).map_err(output)?;
            let mut plan = serde_json::to_value(&rec).map_err(output)?;
            if let Some(stats) = plan
                .get_mut("recommendation")
                .and_then(|r| r.get_mut("stats"))
                .and_then(|s| s.as_object_mut())
            {
                stats.remove("solve_seconds");
            }
            Some(FleetPlanReport {
                plan,
                purchase_plan_csv: String::from_utf8_lossy(&csv).into_owned(),
            })
        }
        _ => None,
    };
    Ok(Some(ComputeOutcome {
        report: ComputeReport {
            bill: BillReport::from(&bill),
            months,
            total_amortized_usd: result.total_amortized.usd(),
            total_cash_usd: result.total_cash.usd(),
            monte_carlo: mc,
            alternatives,
            notes,
            hourly: hourly_layers(&result, ev.demand.start),
        },
        fleet,
        ledger: ev.ledger,
    }))
}

/// A scenario's compute, priced: the report section, the purchase plan when the optimizer ran,
/// and the ledger of the compute evidence read.
pub(crate) struct ComputeOutcome {
    pub report: ComputeReport,
    pub fleet: Option<FleetPlanReport>,
    pub ledger: crate::trace::ledger::Ledger,
}

/// The per-hour layers for the report (rounded so the JSON stays small and stable).
fn hourly_layers(
    result: &crate::sim::fleet::FleetResult,
    start: crate::units::Timestamp,
) -> Option<crate::report::model::HourlyLayers> {
    if result.layers.is_empty() {
        return None;
    }
    let r = |v: f64| (v.max(0.0) * 1e4).round() / 1e4;
    let col = |f: fn(&crate::sim::fleet::HourLayers) -> f64| -> Vec<f64> {
        result.layers.iter().map(|l| r(f(l))).collect()
    };
    Some(crate::report::model::HourlyLayers {
        start: start.to_string(),
        demand: col(|l| l.demand),
        spot: col(|l| l.spot),
        reserved: col(|l| l.reserved),
        savings_plan: col(|l| l.savings_plan),
        on_demand: col(|l| l.on_demand),
    })
}
