//! Per-month accumulators of the fleet simulation, flushed into the result (usage meters,
//! reservation utilization, Savings Plan months, costs) at each month change.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::aws::{InstanceType, PurchaseOption};
use crate::meter::Meter;
use crate::units::{Money, Month, SECONDS_PER_HOUR, Timestamp};

use super::hourly::{FleetDemand, FleetPlan};
use super::purchase::{Payment, SavingsPlan};
use super::result::{FleetResult, MonthCost, ReservationMonth, SpotSeriesLine};
use super::sp::{self, SpMonth};

/// Per-month accumulators, flushed into the result at each month change.
pub(crate) struct MonthAcc {
    pub(crate) month: Option<Month>,
    pub(crate) cost: MonthCost,
    pub(crate) od: Vec<Decimal>,
    pub(crate) spot_advisor: Vec<Decimal>,
    pub(crate) series: BTreeMap<usize, (Decimal, Decimal)>,
    pub(crate) res_hours: Vec<u64>,
    /// Upfront fee per reservation (USD, one RI).
    upfront: Vec<Decimal>,
    pub(crate) res_used: Vec<Decimal>,
    pub(crate) res_upfronts: Vec<u64>,
    sp: Vec<Option<SpMonth>>,
}

impl MonthAcc {
    pub(crate) fn new(n: usize, plan: &FleetPlan, upfront: Vec<Decimal>) -> MonthAcc {
        let r = plan.reservations.len();
        MonthAcc {
            month: None,
            cost: MonthCost::default(),
            od: vec![Decimal::ZERO; n],
            spot_advisor: vec![Decimal::ZERO; n],
            series: BTreeMap::new(),
            res_hours: vec![0; r],
            upfront,
            res_used: vec![Decimal::ZERO; r],
            res_upfronts: vec![0; r],
            sp: vec![None; plan.savings_plans.len()],
        }
    }

    pub(crate) fn sp_hour(
        &mut self,
        k: usize,
        p: &SavingsPlan,
        ts: Timestamp,
        ph: sp::PlanHour,
        types: &[InstanceType],
    ) {
        let Some(month) = self.month else { return };
        let m = self.sp[k].get_or_insert_with(|| SpMonth {
            month,
            plan: p.name.clone(),
            kind: p.kind.clone(),
            term: p.term,
            payment: p.payment,
            hours: 0,
            commitment: Money::ZERO,
            used: Money::ZERO,
            unused: Money::ZERO,
            covered_seconds: BTreeMap::new(),
            on_demand_equivalent: Money::ZERO,
            cash: Money::ZERO,
        });
        let c = p.commitment_per_hour;
        let share = p.payment.sp_upfront_share();
        m.hours += 1;
        m.commitment += Money(c);
        m.used += Money(ph.used);
        m.unused = m.commitment - m.used;
        let mut cash = c * (Decimal::ONE - share);
        if ts == p.start {
            cash += c * Decimal::from(p.term.hours()) * share;
        }
        m.cash += Money(cash);
        self.cost.savings_plans += Money(c);
        self.cost.savings_plans_cash += Money(cash);
        for (i, secs, od_value) in ph.covered {
            *m.covered_seconds.entry(types[i].clone()).or_default() += secs;
            m.on_demand_equivalent += Money(od_value);
        }
    }

    pub(crate) fn flush(&mut self, out: &mut FleetResult, demand: &FleetDemand, plan: &FleetPlan) {
        let Some(month) = self.month else { return };
        let region = &demand.region;
        out.usage.touch(month, region);
        for (i, t) in demand.types.iter().enumerate() {
            for (q, o) in [
                (&mut self.od[i], PurchaseOption::OnDemand),
                (&mut self.spot_advisor[i], PurchaseOption::SpotAdvisor),
            ] {
                if !q.is_zero() {
                    out.usage
                        .add(month, region, Meter::InstanceSeconds(t.clone(), o), *q);
                }
                *q = Decimal::ZERO;
            }
        }
        for (i, (secs, cost)) in std::mem::take(&mut self.series) {
            if !cost.is_zero() {
                out.usage.add(
                    month,
                    region,
                    Meter::SpotSeriesUsd(demand.types[i].clone()),
                    cost,
                );
            }
            out.spot_series.push(SpotSeriesLine {
                month,
                instance_type: demand.types[i].clone(),
                seconds: secs,
                cost: Money(cost),
            });
        }
        for (r, res) in plan.reservations.iter().enumerate() {
            let hours = std::mem::take(&mut self.res_hours[r]);
            let used = std::mem::take(&mut self.res_used[r]);
            let upfronts = std::mem::take(&mut self.res_upfronts[r]);
            if hours == 0 {
                continue;
            }
            // Amortized upfront: count × upfront × hours / term hours, one division a month.
            self.cost.reserved_upfront_amortized += Money(
                Decimal::from(res.count) * self.upfront[r] * Decimal::from(hours)
                    / Decimal::from(res.term.hours()),
            );
            let billed = Decimal::from(hours * res.count as u64 * SECONDS_PER_HOUR);
            let (t, o) = (res.instance_type.clone(), res.option());
            if res.payment != Payment::AllUpfront {
                out.usage
                    .add(month, region, Meter::InstanceSeconds(t.clone(), o), billed);
            }
            if upfronts > 0 {
                out.usage.add(
                    month,
                    region,
                    Meter::ReservationUpfronts(t.clone(), o),
                    Decimal::from(upfronts),
                );
            }
            out.reservations.push(ReservationMonth {
                month,
                reservation: r,
                instance_type: t,
                option: o,
                hours,
                used_seconds: used,
                unused_seconds: billed - used,
            });
        }
        for m in self.sp.iter_mut() {
            if let Some(m) = m.take() {
                if !m.cash.0.is_zero() {
                    // The cash view, like RI upfronts: line items add up to `total_cash`.
                    let label = format!(
                        "{}/{}/{}/{}",
                        m.plan.replace([':', '/'], "-"),
                        m.kind.label().replace(':', "-"),
                        m.term.as_str(),
                        m.payment.as_str()
                    );
                    out.usage
                        .add(month, region, Meter::SavingsPlanFee(label), m.cash.0);
                }
                out.savings_plans.push(m);
            }
        }
        let mut c = std::mem::take(&mut self.cost);
        c.month = Some(month);
        c.total_amortized = c.on_demand
            + c.reserved_hourly
            + c.reserved_upfront_amortized
            + c.savings_plans
            + c.spot;
        c.total_cash = c.on_demand
            + c.reserved_hourly
            + c.reserved_upfront_cash
            + c.savings_plans_cash
            + c.spot;
        out.months.push(c);
    }
}
