//! The deterministic fleet simulation (results in [`result`](super::result)): hour by hour, each type's demand is split between Spot
//! (the policy's share) and instances that RIs, then Savings Plans, then On-Demand pay for
//! (compute-pricing-and-rules.md §2–§4). It emits `Usage` for the existing meters, exact line
//! items for what they do not cover (Savings Plans, Spot at a price series, amortized
//! upfronts) and the Spot exposure the Monte Carlo draws interruptions over.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::aws::{InstanceType, Region};
use crate::trace::compute::{Os, SpotSeries, UsageRecord};
use crate::units::{Money, SECONDS_PER_HOUR, Timestamp};

use super::accum::MonthAcc;
use super::purchase::{Payment, Reservation, SavingsPlan};
use super::rates::{MAX_RATE, RateCard};
use super::result::{FleetResult, HourDetail, HourLayers, SpotExposure, TypeExposure};
use super::ri::{self, GroupUse, RiSlot};
use super::size::{family, flex_group};
use super::sp::{self, ActivePlan, SpUse};
use super::spot::{SpotPolicy, spot_hourly};
use super::{FleetError, invalid};

/// Hourly instance-seconds per type for one region, from `start` (an hour start) on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FleetDemand {
    pub region: Region,
    pub start: Timestamp,
    pub hours: u32,
    pub types: Vec<InstanceType>,
    /// `seconds[type][hour]`: instance-seconds run in that clock-hour (may exceed 3,600).
    pub seconds: Vec<Vec<u64>>,
}

impl FleetDemand {
    /// Sums usage records of `region` (a record without a region is in it) over the hours of
    /// `[start, end)`; records of other regions and hours are left out. Non-Linux usage is an
    /// error (the price book has Linux rates only).
    pub fn from_records(
        records: &[UsageRecord],
        region: &Region,
        start: Timestamp,
        end: Timestamp,
    ) -> Result<FleetDemand, FleetError> {
        let h = SECONDS_PER_HOUR as i64;
        if start.0.rem_euclid(h) != 0 || end <= start {
            return Err(invalid(
                "window",
                "start must be an hour start and end after it",
            ));
        }
        let hours = u32::try_from((end.0 - start.0 + h - 1) / h)
            .map_err(|_| invalid("window", "too many hours"))?;
        let mut index: BTreeMap<&InstanceType, usize> = BTreeMap::new();
        let mut d = FleetDemand {
            region: region.clone(),
            start,
            hours,
            types: Vec::new(),
            seconds: Vec::new(),
        };
        for r in records {
            if r.region.as_ref().is_some_and(|x| x != region) || r.hour < start || r.hour >= end {
                continue;
            }
            if r.os != Os::Linux {
                return Err(FleetError::UnsupportedOs {
                    instance_type: r.instance_type.clone(),
                    hour: r.hour.rfc3339(),
                    os: r.os.as_str().into(),
                });
            }
            let i = *index.entry(&r.instance_type).or_insert_with(|| {
                d.types.push(r.instance_type.clone());
                d.seconds.push(vec![0; hours as usize]);
                d.types.len() - 1
            });
            let slot = &mut d.seconds[i][((r.hour.0 - start.0) / h) as usize];
            *slot = slot.saturating_add(r.instance_seconds);
        }
        Ok(d)
    }
}

/// The purchases and Spot policy under study.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FleetPlan {
    pub reservations: Vec<Reservation>,
    pub savings_plans: Vec<SavingsPlan>,
    pub spot: SpotPolicy,
    /// Spot price series by type; a type without one is priced at its Advisor estimate.
    pub spot_series: BTreeMap<InstanceType, SpotSeries>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FleetOptions {
    /// Keep per-hour RI and On-Demand detail ([`FleetResult::hourly`]).
    pub record_hours: bool,
}

pub use crate::units::month_of;

fn validate(demand: &FleetDemand, plan: &FleetPlan, rates: &RateCard) -> Result<(), FleetError> {
    if demand.seconds.len() != demand.types.len()
        || demand
            .seconds
            .iter()
            .any(|s| s.len() != demand.hours as usize)
    {
        return Err(invalid("demand", "one row of `hours` values per type"));
    }
    if demand.start.0.rem_euclid(SECONDS_PER_HOUR as i64) != 0 {
        return Err(invalid("demand.start", "must be the start of an hour"));
    }
    rates.check()?;
    for t in &demand.types {
        rates.on_demand(t)?;
    }
    let share_ok = |s: Decimal| s >= Decimal::ZERO && s <= Decimal::ONE;
    if !share_ok(plan.spot.share) || !plan.spot.share_by_type.values().all(|s| share_ok(*s)) {
        return Err(invalid("spot.share", "a share is between 0 and 1"));
    }
    if !(plan.spot.hazard_scale.is_finite() && plan.spot.hazard_scale >= 0.0)
        || plan
            .spot
            .hazard_by_type
            .values()
            .any(|h| !(h.is_finite() && *h >= 0.0))
    {
        return Err(invalid("spot.hazard", "must be finite and at least 0"));
    }
    for (i, r) in plan.reservations.iter().enumerate() {
        if r.start.0.rem_euclid(SECONDS_PER_HOUR as i64) != 0 {
            return Err(invalid(
                format!("reserved[{i}].start"),
                "must be an hour start",
            ));
        }
        rates.reserved(&r.instance_type, r.option())?;
    }
    for (i, p) in plan.savings_plans.iter().enumerate() {
        let pct_ok = p
            .discount_pct
            .is_none_or(|d| d >= Decimal::ZERO && d < Decimal::ONE_HUNDRED);
        if p.commitment_per_hour < Decimal::ZERO || p.commitment_per_hour > MAX_RATE || !pct_ok {
            return Err(invalid(
                format!("savings_plan[{i}]"),
                "commitment 0..=1,000,000 USD/h and discount in [0, 100)",
            ));
        }
        if p.start.0.rem_euclid(SECONDS_PER_HOUR as i64) != 0 {
            return Err(invalid(
                format!("savings_plan[{i}].start"),
                "must be an hour start",
            ));
        }
    }
    Ok(())
}

/// Simulates `demand` under `plan` hour by hour. Deterministic; Spot interruptions are left to
/// [`monte_carlo`](super::monte_carlo), which starts from this result.
pub fn simulate_fleet(
    demand: &FleetDemand,
    plan: &FleetPlan,
    rates: &RateCard,
    opts: FleetOptions,
) -> Result<FleetResult, FleetError> {
    validate(demand, plan, rates)?;
    let hour_s = Decimal::from(SECONDS_PER_HOUR);
    let n = demand.types.len();
    let type_rates: Vec<_> = demand
        .types
        .iter()
        .map(|t| rates.get(t))
        .collect::<Result<_, _>>()?;
    let od: Vec<Decimal> = type_rates.iter().map(|r| r.on_demand_hourly).collect();
    let families: Vec<&str> = demand.types.iter().map(family).collect();
    let shares: Vec<Decimal> = demand.types.iter().map(|t| plan.spot.share_of(t)).collect();
    // Flexibility groups: types and reservations.
    let mut groups: Vec<String> = Vec::new();
    let mut group_of = |g: String| match groups.iter().position(|x| *x == g) {
        Some(i) => i,
        None => {
            groups.push(g);
            groups.len() - 1
        }
    };
    let type_group: Vec<(usize, Decimal)> = demand
        .types
        .iter()
        .map(|t| {
            let (g, f) = flex_group(t);
            (group_of(g), f)
        })
        .collect();
    let res_group: Vec<(usize, Decimal)> = plan
        .reservations
        .iter()
        .map(|r| {
            let (g, f) = flex_group(&r.instance_type);
            (group_of(g), f)
        })
        .collect();
    let ri_rates: Vec<_> = plan
        .reservations
        .iter()
        .map(|r| rates.reserved(&r.instance_type, r.option()))
        .collect::<Result<_, _>>()?;
    let sp_pct: Vec<Vec<Decimal>> = plan
        .savings_plans
        .iter()
        .map(|p| {
            demand
                .types
                .iter()
                .map(|t| {
                    p.discount_pct
                        .unwrap_or_else(|| rates.savings_plans.pct(&p.kind, p.term, t))
                })
                .collect()
        })
        .collect();
    let advisor: Vec<Option<Decimal>> =
        type_rates.iter().map(|r| r.spot_advisor_hourly()).collect();

    let mut out = FleetResult::default();
    let upfronts: Vec<Decimal> = ri_rates.iter().map(|r| r.upfront).collect();
    let mut acc = MonthAcc::new(n, plan, upfronts);
    let mut exposure: Vec<TypeExposure> = demand
        .types
        .iter()
        .zip(&type_rates)
        .map(|(t, r)| TypeExposure {
            hazard: plan.spot.hazard(t, Some(r)),
            on_demand_hourly: r.on_demand_hourly.to_f64().unwrap_or(0.0),
            cumulative: Vec::with_capacity(demand.hours as usize),
            price: Vec::with_capacity(demand.hours as usize),
        })
        .collect();
    let mut running = vec![0f64; n];
    let mut od_left = vec![Decimal::ZERO; n];
    for h in 0..demand.hours as usize {
        let ts = Timestamp(demand.start.0 + (h as i64) * SECONDS_PER_HOUR as i64);
        let month = month_of(ts);
        if acc.month != Some(month) {
            acc.flush(&mut out, demand, plan);
            acc.month = Some(month);
        }
        // Spot share and the rest.
        for i in 0..n {
            let d = Decimal::from(demand.seconds[i][h]);
            let spot = if shares[i].is_zero() {
                Decimal::ZERO
            } else {
                d * shares[i]
            };
            od_left[i] = d - spot;
            let mut price_f = 0.0;
            if !spot.is_zero() {
                let series = plan.spot_series.get(&demand.types[i]);
                let price = match (series, advisor[i]) {
                    (None, Some(p)) => p,
                    _ => spot_hourly(&demand.types[i], type_rates[i], series, ts)?,
                };
                let cost = spot * price / hour_s;
                acc.cost.spot += Money(cost);
                if series.is_some() {
                    let e = acc.series.entry(i).or_default();
                    e.0 += spot;
                    e.1 += cost;
                } else {
                    acc.spot_advisor[i] += spot;
                }
                price_f = price.to_f64().unwrap_or(0.0);
                running[i] += spot.to_f64().unwrap_or(0.0) / SECONDS_PER_HOUR as f64;
            }
            exposure[i].cumulative.push(running[i]);
            exposure[i].price.push(price_f);
        }
        let to_hours = |v: &[Decimal]| -> f64 {
            v.iter().map(|x| x.to_f64().unwrap_or(0.0)).sum::<f64>() / SECONDS_PER_HOUR as f64
        };
        let mut layer = HourLayers::default();
        if opts.record_hours {
            layer.demand =
                demand.seconds.iter().map(|s| s[h] as f64).sum::<f64>() / SECONDS_PER_HOUR as f64;
            layer.spot = layer.demand - to_hours(&od_left);
        }
        // Reserved Instances: billed every hour of the term; benefit per flexibility group.
        let mut ri_used = vec![Decimal::ZERO; plan.reservations.len()];
        let active: Vec<usize> = (0..plan.reservations.len())
            .filter(|&r| plan.reservations[r].active(ts))
            .collect();
        for &r in &active {
            let res = &plan.reservations[r];
            let count = Decimal::from(res.count);
            acc.res_hours[r] += 1;
            if res.payment != Payment::AllUpfront {
                acc.cost.reserved_hourly += Money(count * ri_rates[r].hourly);
            }
            if res.start == ts && res.payment != Payment::NoUpfront {
                acc.res_upfronts[r] += res.count as u64;
                acc.cost.reserved_upfront_cash += Money(count * ri_rates[r].upfront);
            }
        }
        for g in 0..groups.len() {
            let slots: Vec<RiSlot> = active
                .iter()
                .filter(|&&r| res_group[r].0 == g)
                .map(|&r| RiSlot::new(r, plan.reservations[r].count, res_group[r].1))
                .collect();
            if slots.is_empty() {
                continue;
            }
            let mut uses: Vec<GroupUse> = (0..n)
                .filter(|&i| type_group[i].0 == g && od_left[i] > Decimal::ZERO)
                .map(|i| GroupUse {
                    type_index: i,
                    factor: type_group[i].1,
                    seconds: od_left[i],
                })
                .collect();
            let given = ri::apply_hour(&slots, &mut uses);
            for u in uses {
                od_left[u.type_index] = u.seconds;
            }
            for (s, units) in slots.iter().zip(given) {
                let secs = units / res_group[s.reservation].1;
                ri_used[s.reservation] += secs;
                acc.res_used[s.reservation] += secs;
            }
        }
        let after_ri = if opts.record_hours {
            to_hours(&od_left)
        } else {
            0.0
        };
        // Savings Plans on what RIs left.
        let active_sp: Vec<ActivePlan> = plan
            .savings_plans
            .iter()
            .enumerate()
            .filter(|(_, p)| p.active(ts))
            .map(|(k, p)| ActivePlan {
                plan: k,
                kind: p.kind.clone(),
                commitment: p.commitment_per_hour,
                pct: sp_pct[k].clone(),
            })
            .collect();
        if !active_sp.is_empty() {
            let mut uses: Vec<SpUse> = (0..n)
                .filter(|&i| od_left[i] > Decimal::ZERO)
                .map(|i| SpUse {
                    type_index: i,
                    instance_type: &demand.types[i],
                    family: families[i],
                    on_demand_hourly: od[i],
                    seconds: od_left[i],
                })
                .collect();
            let hours = sp::apply_hour(&active_sp, &mut uses);
            for u in uses {
                od_left[u.type_index] = u.seconds;
            }
            for (a, ph) in active_sp.iter().zip(hours) {
                acc.sp_hour(a.plan, &plan.savings_plans[a.plan], ts, ph, &demand.types);
            }
        }
        for i in 0..n {
            if od_left[i] > Decimal::ZERO {
                acc.od[i] += od_left[i];
                acc.cost.on_demand += Money(od_left[i] * od[i] / hour_s);
            }
        }
        if opts.record_hours {
            layer.on_demand = to_hours(&od_left);
            layer.savings_plan = after_ri - layer.on_demand;
            layer.reserved = layer.demand - layer.spot - after_ri;
            out.layers.push(layer);
            out.hourly.push(HourDetail {
                hour: ts,
                ri_used_seconds: ri_used,
                on_demand_seconds: od_left.clone(),
            });
        }
    }
    acc.flush(&mut out, demand, plan);
    out.total_amortized = out.months.iter().map(|m| m.total_amortized).sum();
    out.total_cash = out.months.iter().map(|m| m.total_cash).sum();
    out.spot_exposure = SpotExposure {
        types: exposure
            .into_iter()
            .filter(|e| e.hazard > 0.0 && e.cumulative.last().is_some_and(|c| *c > 0.0))
            .collect(),
    };
    Ok(out)
}
