//! The purchase plan written out: a versioned JSON document and a CSV with one row per
//! purchase line (RIs, the Savings Plan, Spot caps, On-Demand fill). Money is printed exactly
//! (decimal strings in JSON); utilizations are rounded to 6 places.

use super::purchase::PurchaseParams;
use super::purchase_eval::{DemandDrop, PurchaseRecommendation};
use super::solver::ModelStats;
use rust_decimal::Decimal;
use serde::Serialize;

/// Version of the JSON document.
pub const PLAN_FORMAT_VERSION: u32 = 1;

/// Writing failed.
#[derive(Debug, thiserror::Error)]
pub enum PlanOutputError {
    #[error("cannot write the purchase plan CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("cannot write the purchase plan: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot serialise the purchase plan: {0}")]
    Json(#[from] serde_json::Error),
}

/// One row of the plan, as both writers print it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlanLine {
    /// `reserved`, `savings_plan`, `spot` or `on_demand`.
    pub kind: &'static str,
    pub pool: String,
    pub family: String,
    /// `1yr` / `3yr` for RIs.
    pub term: String,
    /// RIs bought.
    pub count: Option<u32>,
    /// Savings Plan $/hour, or for RIs the recurring $/hour of all of them.
    pub per_hour: Option<Decimal>,
    /// Upfront dollars of all RIs of the line.
    pub upfront: Option<Decimal>,
    /// Spot share cap (0–1).
    pub share_cap: Option<Decimal>,
    /// Instance-hours (or units) the line serves over the horizon.
    pub hours: Option<Decimal>,
    pub utilization: Option<Decimal>,
    pub break_even_utilization: Option<Decimal>,
}

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    horizon_hours: u64,
    lines: Vec<PlanLine>,
    expected_cost: Decimal,
    all_on_demand_cost: Decimal,
    saving: Decimal,
    cost: &'a super::purchase_eval::PlanCost,
    demand_drops: &'a [DemandDrop],
    model: &'a ModelStats,
}

fn r6(d: Decimal) -> Decimal {
    d.round_dp(6).normalize()
}

/// The rows of the plan: RI lines with a count, the Savings Plan when bought, Spot caps above
/// zero, On-Demand hours per pool.
pub fn plan_lines(rec: &PurchaseRecommendation, params: &PurchaseParams) -> Vec<PlanLine> {
    let blank = |kind, pool: usize| PlanLine {
        kind,
        pool: params
            .pools
            .get(pool)
            .map(|p| p.name.clone())
            .unwrap_or_default(),
        family: params
            .pools
            .get(pool)
            .map(|p| p.family.clone())
            .unwrap_or_default(),
        term: String::new(),
        count: None,
        per_hour: None,
        upfront: None,
        share_cap: None,
        hours: None,
        utilization: None,
        break_even_utilization: None,
    };
    let mut out = Vec::new();
    for (l, r) in rec.plan.reservations.iter().enumerate() {
        if r.count == 0 {
            continue;
        }
        let Some(offer) = params
            .pools
            .get(r.pool)
            .and_then(|p| p.reserved.get(r.offer))
        else {
            continue;
        };
        let n = Decimal::from(r.count);
        let be = rec.break_even.get(l);
        out.push(PlanLine {
            term: offer.term.as_str().into(),
            count: Some(r.count),
            per_hour: Some(offer.hourly * n),
            upfront: Some(offer.upfront * n),
            hours: rec.expected.reserved_hours_used.get(l).copied(),
            utilization: be.and_then(|b| b.utilization).map(r6),
            break_even_utilization: be.map(|b| r6(b.break_even_utilization)),
            ..blank("reserved", r.pool)
        });
    }
    if rec.plan.savings_plan_per_hour > Decimal::ZERO {
        let be = rec.break_even.last();
        out.push(PlanLine {
            kind: "savings_plan",
            pool: String::new(),
            family: String::new(),
            per_hour: Some(rec.plan.savings_plan_per_hour),
            utilization: be.and_then(|b| b.utilization).map(r6),
            break_even_utilization: be.map(|b| r6(b.break_even_utilization)),
            ..blank("savings_plan", 0)
        });
    }
    for (i, cap) in rec.plan.spot_share_cap.iter().enumerate() {
        if *cap > Decimal::ZERO {
            out.push(PlanLine {
                share_cap: Some(*cap),
                hours: rec.expected.spot_hours.get(i).copied(),
                ..blank("spot", i)
            });
        }
    }
    for (i, h) in rec.expected.on_demand_hours.iter().enumerate() {
        if *h > Decimal::ZERO {
            out.push(PlanLine {
                hours: Some(*h),
                ..blank("on_demand", i)
            });
        }
    }
    out
}

/// The plan as pretty JSON (version, lines, costs, demand drops, model size).
pub fn plan_to_json(
    rec: &PurchaseRecommendation,
    params: &PurchaseParams,
) -> Result<String, PlanOutputError> {
    let doc = Document {
        version: PLAN_FORMAT_VERSION,
        horizon_hours: rec.plan.horizon_hours,
        lines: plan_lines(rec, params),
        expected_cost: rec.expected.total,
        all_on_demand_cost: rec.all_on_demand,
        saving: rec.saving,
        cost: &rec.expected,
        demand_drops: &rec.demand_drops,
        model: &rec.stats,
    };
    let mut s = serde_json::to_string_pretty(&doc)?;
    s.push('\n');
    Ok(s)
}

/// The plan lines as CSV with a header row.
pub fn write_plan_csv<W: std::io::Write>(
    rec: &PurchaseRecommendation,
    params: &PurchaseParams,
    out: W,
) -> Result<(), PlanOutputError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "kind",
        "pool",
        "family",
        "term",
        "count",
        "per_hour",
        "upfront",
        "share_cap",
        "hours",
        "utilization",
        "break_even_utilization",
    ])?;
    let text = |d: Option<Decimal>| d.map(|d| d.normalize().to_string()).unwrap_or_default();
    for l in plan_lines(rec, params) {
        // Pool and family names come from the scenario: text cells, made inert for
        // spreadsheets (numbers stay numbers).
        w.write_record([
            l.kind.to_string(),
            crate::output::escape::csv_cell(&l.pool).into_owned(),
            crate::output::escape::csv_cell(&l.family).into_owned(),
            l.term,
            l.count.map(|c| c.to_string()).unwrap_or_default(),
            text(l.per_hour),
            text(l.upfront),
            text(l.share_cap),
            text(l.hours.map(|h| h.round_dp(4))),
            text(l.utilization),
            text(l.break_even_utilization),
        ])?;
    }
    w.flush()?;
    Ok(())
}
