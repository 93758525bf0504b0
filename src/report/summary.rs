//! The executive summary of a report, computed once so that the table, Markdown and HTML views
//! state the same figures: cost today, the recommendation, the yearly saving, the distance to
//! the clairvoyant bound, and the risks (restore waits, early deletion).

use super::model::{PolicyReport, Report};
use rust_decimal::Decimal;

#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub horizon_months: usize,
    /// Days in the horizon: yearly figures are totals × 365 / days.
    pub horizon_days: i64,
    pub current: Option<Figure>,
    pub recommended: Option<Figure>,
    /// Current − recommended over the horizon, and annualized (× 12 / months).
    pub saving: Option<Decimal>,
    pub saving_per_year: Option<Decimal>,
    pub saving_pct: Option<Decimal>,
    pub bound: Option<Figure>,
    pub risks: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    pub name: String,
    pub total_usd: Decimal,
    pub per_year_usd: Decimal,
}

fn figure(p: &PolicyReport, days: i64) -> Figure {
    Figure {
        name: p.name.clone(),
        total_usd: p.total_usd,
        per_year_usd: annualize(p.total_usd, days),
    }
}

/// Scales a total over `days` to 365 days (exact; rounded to the cent for display only).
pub fn annualize(v: Decimal, days: i64) -> Decimal {
    if days <= 0 {
        return Decimal::ZERO;
    }
    v * Decimal::from(365) / Decimal::from(days)
}

/// Days from the report's horizon start to its (exclusive) end.
pub fn horizon_days(r: &Report) -> i64 {
    let day = |s: &str| crate::units::Timestamp::parse_rfc3339(s).map(|t| t.day());
    match (day(&r.horizon.start), day(&r.horizon.end)) {
        (Some(a), Some(b)) => b - a,
        _ => 0,
    }
}

pub fn summarize(r: &Report) -> Summary {
    let months = r
        .policies
        .first()
        .map(|p| p.months.len())
        .or_else(|| r.compute.as_ref().map(|c| c.months.len()))
        .unwrap_or(0);
    let days = horizon_days(r);
    let current = r.current_policy();
    let best = r.best_deployable();
    let saving = match (current, best) {
        (Some(c), Some(b)) => Some(c.total_usd - b.total_usd),
        _ => None,
    };
    let saving_pct = match (current, saving) {
        (Some(c), Some(s)) if !c.total_usd.is_zero() => s
            .checked_div(c.total_usd)
            .and_then(|r| r.checked_mul(Decimal::from(100)))
            .map(|r| r.round_dp(1)),
        _ => None,
    };
    let mut risks = Vec::new();
    if let Some(b) = best {
        let s = &b.stats;
        if s.restores > 0 {
            risks.push(format!(
                "{} reads under “{}” need a restore first, each waiting up to {} h ({} h of waiting in total).",
                s.restores, b.name, s.restore_wait_hours_max, s.restore_wait_hours_total
            ));
        }
        if s.early_delete_gb_hours > Decimal::ZERO {
            risks.push(format!(
                "“{}” pays early-deletion charges: objects leave a class before its minimum duration.",
                b.name
            ));
        }
        let warned = b.warnings.len();
        if warned > 0 {
            risks.push(format!(
                "{warned} prices behind “{}” are not confirmed by an AWS source (see the warnings).",
                b.name
            ));
        }
    }
    for (name, t) in &r.evidence.ledger.sources {
        if t.skipped > 0 {
            risks.push(format!(
                "{} of {} lines of {name} ({}%) were malformed and skipped: the figures leave                  them out (see “Evidence read”).",
                t.skipped,
                t.read,
                t.skipped_pct().round_dp(2).normalize()
            ));
        }
    }
    Summary {
        horizon_months: months,
        horizon_days: days,
        current: current.map(|p| figure(p, days)),
        recommended: best.map(|p| figure(p, days)),
        saving,
        saving_per_year: saving.map(|s| annualize(s, days)),
        saving_pct,
        bound: r.bound().map(|p| figure(p, days)),
        risks,
    }
}
