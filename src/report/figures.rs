//! The charts of a report: each one filled from the `Report` (so `costlab report` regenerates
//! them byte for byte from `report.json`) and drawn by `report::charts` as SVG (inlined in the
//! HTML) or PNG from the same function. Money becomes f64 only here, at the chart boundary.

use super::charts::{
    self, AgeBand, ChartError, DEFAULT_HEIGHT, DEFAULT_WIDTH, MonthlyCostData, PolicyBar,
    PolicyComparisonData, PolicyMonthlyCost, ReadsByAgeData, StorageClassSeries, StorageData,
    WaterfallData, WaterfallStep,
};
use super::model::{BOUND_KIND, PolicyReport, Report, by_category};
use super::summary::{annualize, summarize};
use plotters::coord::Shift;
use plotters::prelude::*;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// What a figure draws.
enum Data {
    Monthly(MonthlyCostData),
    Storage(StorageData),
    Compare(PolicyComparisonData),
    Reads(ReadsByAgeData),
    Waterfall(WaterfallData),
    MonteCarlo(charts::MonteCarloData),
    /// The layers chart: the whole horizon, or the week from hour `Some(first)`.
    Layers(charts::ComputeData, Option<usize>),
}

/// One chart of a report.
pub struct Figure {
    /// File stem and HTML id, e.g. `monthly-cost`.
    pub id: String,
    pub caption: String,
    data: Data,
}

fn f(v: Decimal) -> f64 {
    v.to_f64().unwrap_or(0.0)
}

impl Figure {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        match &self.data {
            Data::Monthly(d) => charts::draw_monthly_cost(area, d),
            Data::Storage(d) => charts::draw_storage_by_class(area, d),
            Data::Compare(d) => charts::draw_policy_comparison(area, d),
            Data::Reads(d) => charts::draw_reads_by_age(area, d),
            Data::Waterfall(d) => charts::draw_waterfall(area, d),
            Data::MonteCarlo(d) => charts::draw_monte_carlo(area, d),
            Data::Layers(d, None) => charts::draw_compute_horizon(area, d),
            Data::Layers(d, Some(first)) => charts::draw_compute_week(area, d, *first),
        }
    }

    pub fn svg(&self) -> Result<String, ChartError> {
        charts::render_svg(DEFAULT_WIDTH, DEFAULT_HEIGHT, |a| self.draw(a))
    }

    pub fn png(&self) -> Result<Vec<u8>, ChartError> {
        charts::render_png_bytes(DEFAULT_WIDTH, DEFAULT_HEIGHT, |a| self.draw(a))
    }
}

fn monthly(r: &Report) -> Figure {
    let months: Vec<String> = r
        .policies
        .first()
        .map(|p| p.months.iter().map(|m| m.month.clone()).collect())
        .unwrap_or_default();
    let per: Vec<_> = r.policies.iter().map(|p| by_category(&p.months)).collect();
    let mut categories: Vec<String> = per
        .iter()
        .flat_map(|p| p.iter().flat_map(|(_, by)| by.keys().cloned()))
        .collect();
    categories.sort();
    categories.dedup();
    let policies = r
        .policies
        .iter()
        .zip(&per)
        .map(|(p, by)| PolicyMonthlyCost {
            name: p.name.clone(),
            cost: categories
                .iter()
                .map(|c| {
                    by.iter()
                        .map(|(_, m)| f(m.get(c).copied().unwrap_or_default()))
                        .collect()
                })
                .collect(),
        })
        .collect();
    Figure {
        id: "monthly-cost".into(),
        caption: "Monthly cost by category for each policy (same scale in every panel).".into(),
        data: Data::Monthly(MonthlyCostData {
            title: "Monthly cost by category".into(),
            months,
            categories,
            policies,
        }),
    }
}

fn storage(p: &PolicyReport, i: usize) -> Figure {
    let by = &p.stats.bytes_by_class_at_month_end;
    let months: Vec<String> = by.keys().cloned().collect();
    let mut classes: Vec<String> = by.values().flat_map(|m| m.keys().cloned()).collect();
    classes.sort();
    classes.dedup();
    Figure {
        id: format!("storage-{}", i + 1),
        caption: format!("Bytes stored by class at each month end under {}.", p.name),
        data: Data::Storage(StorageData {
            title: format!("Bytes by storage class — {}", p.name),
            policy: p.name.clone(),
            months: months.clone(),
            classes: classes
                .iter()
                .map(|c| StorageClassSeries {
                    class: c.clone(),
                    bytes: months
                        .iter()
                        .map(|m| by[m].get(c).copied().unwrap_or(0) as f64)
                        .collect(),
                })
                .collect(),
        }),
    }
}

fn bar_kind(r: &Report, p: &PolicyReport) -> charts::PolicyKind {
    let current = r.current_policy().map(|c| c.name.as_str());
    let best = r.best_deployable().map(|c| c.name.as_str());
    match () {
        _ if Some(p.name.as_str()) == current => charts::PolicyKind::Current,
        _ if Some(p.name.as_str()) == best => charts::PolicyKind::Recommended,
        _ if p.kind == BOUND_KIND => charts::PolicyKind::ClairvoyantBound,
        _ if p.kind == "intelligent-tiering" => charts::PolicyKind::IntelligentTiering,
        _ if p.kind == "all-standard" => charts::PolicyKind::AllStandard,
        _ => charts::PolicyKind::Other,
    }
}

fn compare(r: &Report, days: i64) -> Figure {
    Figure {
        id: "policy-comparison".into(),
        caption: "Yearly cost of each policy (scaled from the horizon to 365 days) and its saving against today's policy.".into(),
        data: Data::Compare(PolicyComparisonData {
            title: "Policies compared".into(),
            period: "per year".into(),
            baseline: r.current_policy().map(|p| p.name.clone()).unwrap_or_default(),
            bars: r
                .policies
                .iter()
                .map(|p| PolicyBar {
                    name: p.name.clone(),
                    kind: bar_kind(r, p),
                    cost: f(annualize(p.total_usd, days)),
                })
                .collect(),
        }),
    }
}

fn reads(r: &Report) -> Option<Figure> {
    // Reads happen whatever the policy: the current policy's counts are the workload's.
    let p = r.current_policy()?;
    Some(Figure {
        id: "reads-by-age".into(),
        caption: "Reads by the age of the object read: how quickly data goes cold.".into(),
        data: Data::Reads(ReadsByAgeData {
            title: "Reads by object age".into(),
            unit: "reads".into(),
            bands: p
                .stats
                .reads_by_age
                .iter()
                .map(|b| AgeBand {
                    label: format!("{} days", b.days),
                    reads: b.reads as f64,
                })
                .collect(),
        }),
    })
}

/// Today's cost to the recommended one, category by category.
fn waterfall(r: &Report, days: i64) -> Option<Figure> {
    let (c, b) = (r.current_policy()?, r.best_deployable()?);
    if c.name == b.name {
        return None;
    }
    let (ct, bt) = (
        super::model::category_totals(&c.months),
        super::model::category_totals(&b.months),
    );
    let mut cats: Vec<&String> = ct.keys().chain(bt.keys()).collect();
    cats.sort();
    cats.dedup();
    let steps = cats
        .into_iter()
        .filter_map(|k| {
            let d = bt.get(k).copied().unwrap_or_default() - ct.get(k).copied().unwrap_or_default();
            (!d.is_zero()).then(|| WaterfallStep {
                label: k.clone(),
                delta: f(annualize(d, days)),
            })
        })
        .collect();
    Some(Figure {
        id: "savings-waterfall".into(),
        caption: format!(
            "From today's policy ({}) to the recommended one ({}), per year, by cost category.",
            c.name, b.name
        ),
        data: Data::Waterfall(WaterfallData {
            title: "Where the saving comes from".into(),
            period: "per year".into(),
            start_label: format!("Today ({})", c.name),
            start: f(annualize(c.total_usd, days)),
            steps,
            end_label: format!("Recommended ({})", b.name),
            end: f(annualize(b.total_usd, days)),
        }),
    })
}

/// The compute fleet's cost over the Monte Carlo runs of Spot interruptions.
fn monte_carlo(r: &Report) -> Option<Figure> {
    let m = r.compute.as_ref()?.monte_carlo.as_ref()?;
    if m.cost_samples_usd.is_empty() {
        return None;
    }
    Some(Figure {
        id: "compute-monte-carlo".into(),
        caption: format!(
            "Fleet cost over the horizon in {} simulated runs of Spot interruptions (seed {}), with the median and the 95th percentile.",
            m.runs, m.seed
        ),
        data: Data::MonteCarlo(charts::MonteCarloData {
            title: "Compute cost with Spot interruptions".into(),
            period: "over the horizon".into(),
            samples: m.cost_samples_usd.clone(),
            p50: Some(f(m.cost_p50_usd)),
            p95: Some(f(m.cost_p95_usd)),
        }),
    })
}

/// Demand against the capacity layers that served it: the first week, and the horizon.
fn layers(r: &Report) -> Vec<Figure> {
    let Some(h) = r.compute.as_ref().and_then(|c| c.hourly.as_ref()) else {
        return Vec::new();
    };
    if h.demand.is_empty() {
        return Vec::new();
    }
    let start = crate::units::Timestamp::parse_rfc3339(&h.start).map_or(0, |t| t.0);
    let layer = |name: &str, kind, v: &Vec<f64>| charts::ComputeLayer {
        name: name.into(),
        kind,
        capacity: v.clone(),
    };
    let data = |title: &str| charts::ComputeData {
        title: title.into(),
        unit: "instances".into(),
        start_epoch: start,
        demand: h.demand.clone(),
        layers: vec![
            layer(
                "Reserved Instances",
                charts::PurchaseKind::ReservedInstance,
                &h.reserved,
            ),
            layer(
                "Savings Plans",
                charts::PurchaseKind::SavingsPlan,
                &h.savings_plan,
            ),
            layer("Spot", charts::PurchaseKind::Spot, &h.spot),
            layer("On-Demand", charts::PurchaseKind::OnDemand, &h.on_demand),
        ],
    };
    vec![
        Figure {
            id: "compute-layers-week".into(),
            caption: "The first week, hour by hour: instances running, and how they were bought (Reserved Instances and Savings Plans first, as AWS applies them, then Spot and On-Demand).".into(),
            data: Data::Layers(data("Compute demand and how it was bought: first week"), Some(0)),
        },
        Figure {
            id: "compute-layers-horizon".into(),
            caption: "The whole horizon (daily averages beyond 45 days): instances running by purchase option.".into(),
            data: Data::Layers(data("Compute demand and how it was bought: whole horizon"), None),
        },
    ]
}

/// The storage charts (in the order the HTML shows them), then the compute ones.
pub fn figures(r: &Report) -> Vec<Figure> {
    let mut out = storage_figures(r);
    out.extend(layers(r));
    out.extend(monte_carlo(r));
    out
}

fn storage_figures(r: &Report) -> Vec<Figure> {
    if r.policies.is_empty() {
        return Vec::new();
    }
    let days = summarize(r).horizon_days;
    let mut out = vec![compare(r, days)];
    out.extend(waterfall(r, days));
    out.push(monthly(r));
    out.extend(r.policies.iter().enumerate().map(|(i, p)| storage(p, i)));
    out.extend(reads(r));
    out
}
