//! The rate card: the exact rates a simulation needs to make decisions (which usage a Savings
//! Plan covers first) and to put dollars on what no meter covers yet. The caller builds it from
//! its price book (`sim` never reads `pricing`); see `docs/fleet.md` for the key each field
//! comes from. Savings Plan rates are NOT in the reference (§3): they are a documented discount
//! off On-Demand, with the defaults below.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::aws::{GlueClass, InstanceType, LambdaArch, Platform, PurchaseOption, Tenancy};

use super::FleetError;
use super::purchase::{SpKind, Term};
use super::size::family;

/// A Reserved Instance's recurring hourly fee and its upfront fee (per reservation).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RiRate {
    pub hourly: Decimal,
    pub upfront: Decimal,
}

/// What one instance type costs and is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TypeRates {
    /// On-Demand Linux USD per instance-hour (`ec2.on_demand`).
    pub on_demand_hourly: Decimal,
    /// Standard RI rates by purchase option (`ec2.reserved.<option>.hourly|upfront`).
    pub reserved: BTreeMap<PurchaseOption, RiRate>,
    /// `ec2.specs` facts.
    pub vcpu: Option<Decimal>,
    pub memory_gib: Option<Decimal>,
    /// EMR fee per instance-hour on top of EC2 (`emr.uplift`).
    pub emr_hourly: Option<Decimal>,
    /// Spot Advisor saving in percent and interruption bucket 0..=4 (`ec2.spot_advisor`).
    pub spot_savings_pct: Option<Decimal>,
    pub interruption_bucket: Option<u8>,
}

impl TypeRates {
    /// Spot estimated from the Advisor: On-Demand × (1 − s/100) (§4a).
    pub fn spot_advisor_hourly(&self) -> Option<Decimal> {
        self.spot_savings_pct
            .map(|s| self.on_demand_hourly * (Decimal::ONE - s / Decimal::ONE_HUNDRED))
    }
}

/// Savings Plan discounts off On-Demand, in percent, by plan kind and term.
///
/// UNCONFIRMED defaults (no SP rate is in the reference, §3 and Conflicts 6): EC2 Instance SP
/// 37 % (1 yr) and 57 % (3 yr), the Standard RI No Upfront discounts of m5/r5/c5 in §2a, since
/// AWS prices EC2 Instance SPs like Standard RIs; Compute SP 28 % (1 yr) and 50 % (3 yr),
/// costlab's estimate below the EC2 Instance SP (AWS advertises "up to 66 %" vs "up to 72 %").
/// Replace them with your own rates per family where you have them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpDiscounts {
    pub ec2_instance_1yr: Decimal,
    pub ec2_instance_3yr: Decimal,
    pub compute_1yr: Decimal,
    pub compute_3yr: Decimal,
    /// Per-family overrides: (is_compute, term, family) → percent.
    pub by_family: BTreeMap<(bool, Term, String), Decimal>,
    /// Per-type discounts from published Savings Plans rates (a book imported from the
    /// Savings Plans offer files): (is_compute, term, type) → percent; before `by_family`.
    pub by_type: BTreeMap<(bool, Term, InstanceType), Decimal>,
}

impl Default for SpDiscounts {
    fn default() -> Self {
        SpDiscounts {
            ec2_instance_1yr: Decimal::from(37),
            ec2_instance_3yr: Decimal::from(57),
            compute_1yr: Decimal::from(28),
            compute_3yr: Decimal::from(50),
            by_family: BTreeMap::new(),
            by_type: BTreeMap::new(),
        }
    }
}

impl SpDiscounts {
    /// The discount of a plan of `kind` and `term` on usage of type `t`.
    pub fn pct(&self, kind: &SpKind, term: Term, t: &InstanceType) -> Decimal {
        let compute = matches!(kind, SpKind::Compute);
        if let Some(p) = self.by_type.get(&(compute, term, t.clone())) {
            return *p;
        }
        if let Some(p) = self.by_family.get(&(compute, term, family(t).to_string())) {
            return *p;
        }
        match (compute, term) {
            (false, Term::OneYear) => self.ec2_instance_1yr,
            (false, Term::ThreeYear) => self.ec2_instance_3yr,
            (true, Term::OneYear) => self.compute_1yr,
            (true, Term::ThreeYear) => self.compute_3yr,
        }
    }
}

/// EMR Serverless rates (`emr_serverless.vcpu_hour`, `.gb_hour`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServerlessRates {
    pub vcpu_hour: Decimal,
    pub gb_hour: Decimal,
}

/// Lambda rates: per request and per GB-second of the first duration band (`lambda.requests`
/// per 1M ÷ 1,000,000, `lambda.duration.<arch>`). Per-job costs leave out the account-wide free
/// tier and volume bands; the emitted `Usage` gets both when rated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LambdaRates {
    pub per_request: Decimal,
    pub gb_second: BTreeMap<LambdaArch, Decimal>,
}

/// Every rate a fleet or job simulation may ask for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RateCard {
    pub types: BTreeMap<InstanceType, TypeRates>,
    pub savings_plans: SpDiscounts,
    pub emr_serverless: Option<ServerlessRates>,
    /// `glue.dpu_hour.<class>`.
    pub glue_dpu_hour: BTreeMap<GlueClass, Decimal>,
    pub lambda: Option<LambdaRates>,
}

/// The largest rate accepted (USD per hour, per DPU-hour, …): far above any AWS price, low
/// enough that no product of a rate and a quantity overflows a `Decimal`.
pub const MAX_RATE: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);
/// The largest upfront fee accepted per reservation (USD).
pub const MAX_UPFRONT: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);

impl RateCard {
    /// The card of the instance `types` a price book prices, read through `flat` (a price-book
    /// lookup by key path, first band for banded prices; docs/fleet.md lists the keys). The
    /// caller owns the book: `sim` never reads one.
    pub fn from_lookup(
        types: impl IntoIterator<Item = InstanceType>,
        flat: impl Fn(&[&str]) -> Option<Decimal>,
    ) -> RateCard {
        Self::from_lookup_for(types, Platform::Linux, Tenancy::Shared, flat)
    }

    /// The card of `platform` on `tenancy`: On-Demand, Reserved and Savings Plans rates from
    /// `ec2.platform.<platform>.<tenancy>.…` (Linux on shared tenancy: `ec2.…`, the keys of
    /// every book); specs, EMR fees and the Spot Advisor are the type's whatever the platform.
    /// A book with Savings Plans rates (`ec2.savings_plans.<kind>.<term>_no_upfront."TYPE"`)
    /// sets each type's discount to 1 − rate / On-Demand.
    pub fn from_lookup_for(
        types: impl IntoIterator<Item = InstanceType>,
        platform: Platform,
        tenancy: Tenancy,
        flat: impl Fn(&[&str]) -> Option<Decimal>,
    ) -> RateCard {
        let mut head: Vec<&str> = vec!["ec2"];
        if (platform, tenancy) != (Platform::Linux, Tenancy::Shared) {
            head.extend(["platform", platform.as_str(), tenancy.as_str()]);
        }
        let ec2 = |tail: &[&str]| -> Option<Decimal> {
            let p: Vec<&str> = head.iter().chain(tail).copied().collect();
            flat(&p)
        };
        let mut card = RateCard::default();
        for t in types {
            let s = t.as_str().to_string();
            let s = s.as_str();
            let Some(on_demand_hourly) = ec2(&["on_demand", s]) else {
                continue;
            };
            for (compute, kind) in [(true, "compute"), (false, "ec2_instance")] {
                for (term, plan) in [
                    (Term::OneYear, "1yr_no_upfront"),
                    (Term::ThreeYear, "3yr_no_upfront"),
                ] {
                    if let Some(rate) = ec2(&["savings_plans", kind, plan, s])
                        && on_demand_hourly > Decimal::ZERO
                        && rate <= on_demand_hourly
                    {
                        let pct = (Decimal::ONE - rate / on_demand_hourly) * Decimal::ONE_HUNDRED;
                        card.savings_plans
                            .by_type
                            .insert((compute, term, t.clone()), pct);
                    }
                }
            }
            let mut r = TypeRates {
                on_demand_hourly,
                vcpu: flat(&["ec2", "specs", s, "vcpu"]),
                memory_gib: flat(&["ec2", "specs", s, "memory_gib"]),
                emr_hourly: flat(&["emr", "uplift", s]),
                spot_savings_pct: flat(&["ec2", "spot_advisor", s, "savings_pct"]),
                interruption_bucket: flat(&["ec2", "spot_advisor", s, "interruption_bucket"])
                    .and_then(|b| rust_decimal::prelude::ToPrimitive::to_u8(&b)),
                ..TypeRates::default()
            };
            for o in PurchaseOption::ALL {
                let h = ec2(&["reserved", o.as_str(), "hourly", s]);
                let u = ec2(&["reserved", o.as_str(), "upfront", s]);
                if h.is_some() || u.is_some() {
                    r.reserved.insert(
                        *o,
                        RiRate {
                            hourly: h.unwrap_or_default(),
                            upfront: u.unwrap_or_default(),
                        },
                    );
                }
            }
            card.types.insert(t, r);
        }
        if let (Some(vcpu_hour), Some(gb_hour)) = (
            flat(&["emr_serverless", "vcpu_hour"]),
            flat(&["emr_serverless", "gb_hour"]),
        ) {
            card.emr_serverless = Some(ServerlessRates { vcpu_hour, gb_hour });
        }
        for c in GlueClass::ALL {
            if let Some(v) = flat(&["glue", "dpu_hour", c.as_str()]) {
                card.glue_dpu_hour.insert(*c, v);
            }
        }
        let mut gb_second = BTreeMap::new();
        for a in LambdaArch::ALL {
            if let Some(v) = flat(&["lambda", "duration", a.as_str()]) {
                gb_second.insert(*a, v);
            }
        }
        if let Some(r) = flat(&["lambda", "requests"]) {
            card.lambda = Some(LambdaRates {
                per_request: r / Decimal::from(1_000_000),
                gb_second,
            });
        }
        card
    }

    /// Every rate between 0 and [`MAX_RATE`] (upfronts [`MAX_UPFRONT`]), discounts 0..100.
    pub fn check(&self) -> Result<(), FleetError> {
        let bad = |what: String| Err(super::invalid(what, "must be between 0 and 1,000,000"));
        let ok = |v: Decimal, max: Decimal| v >= Decimal::ZERO && v <= max;
        for (t, r) in &self.types {
            let rates = [Some(r.on_demand_hourly), r.emr_hourly, r.vcpu, r.memory_gib];
            if rates.into_iter().flatten().any(|v| !ok(v, MAX_RATE))
                || r.spot_savings_pct
                    .is_some_and(|p| !ok(p, Decimal::ONE_HUNDRED))
                || r.reserved
                    .values()
                    .any(|x| !ok(x.hourly, MAX_RATE) || !ok(x.upfront, MAX_UPFRONT))
            {
                return bad(format!("rates of {t}"));
            }
        }
        let s = &self.savings_plans;
        let pcts = [
            s.ec2_instance_1yr,
            s.ec2_instance_3yr,
            s.compute_1yr,
            s.compute_3yr,
        ];
        if pcts
            .iter()
            .chain(s.by_family.values())
            .chain(s.by_type.values())
            .any(|p| !ok(*p, Decimal::ONE_HUNDRED))
        {
            return Err(super::invalid("savings_plans", "discounts are 0..=100 %"));
        }
        let mut others: Vec<Decimal> = self.glue_dpu_hour.values().copied().collect();
        if let Some(x) = self.emr_serverless {
            others.extend([x.vcpu_hour, x.gb_hour]);
        }
        if let Some(l) = &self.lambda {
            others.push(l.per_request);
            others.extend(l.gb_second.values());
        }
        if others.into_iter().any(|v| !ok(v, MAX_RATE)) {
            return bad("service rates".into());
        }
        Ok(())
    }

    pub fn get(&self, t: &InstanceType) -> Result<&TypeRates, FleetError> {
        self.types
            .get(t)
            .ok_or_else(|| FleetError::NoOnDemandRate(t.clone()))
    }

    pub fn on_demand(&self, t: &InstanceType) -> Result<Decimal, FleetError> {
        Ok(self.get(t)?.on_demand_hourly)
    }

    /// The RI rate of `t` bought as `option`; All Upfront has no hourly fee and is allowed to
    /// omit it, every other part must be present.
    pub fn reserved(&self, t: &InstanceType, option: PurchaseOption) -> Result<RiRate, FleetError> {
        self.get(t)?
            .reserved
            .get(&option)
            .copied()
            .ok_or_else(|| FleetError::MissingRate {
                instance_type: t.clone(),
                what: option.as_str().to_string(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    /// A price is chosen by (type, platform, tenancy); Linux/shared reads the keys every book
    /// has; Savings Plans rates in the book become per-type discounts.
    #[test]
    fn card_for_platform_and_tenancy() {
        let book: BTreeMap<String, Decimal> = [
            ("ec2.on_demand.m5.large", "0.096"),
            (
                "ec2.reserved.reserved_1yr_no_upfront.hourly.m5.large",
                "0.06",
            ),
            ("ec2.platform.windows.shared.on_demand.m5.large", "0.188"),
            (
                "ec2.platform.windows.shared.reserved.reserved_1yr_no_upfront.hourly.m5.large",
                "0.152",
            ),
            ("ec2.platform.linux.dedicated.on_demand.m5.large", "0.106"),
            ("ec2.savings_plans.compute.1yr_no_upfront.m5.large", "0.072"),
            ("ec2.specs.m5.large.vcpu", "2"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), d(v)))
        .collect();
        let flat = |p: &[&str]| book.get(&p.join(".")).copied();
        let m5 = InstanceType::parse("m5.large").unwrap();
        let card = |p, t| RateCard::from_lookup_for([m5.clone()], p, t, flat);
        let linux = card(Platform::Linux, Tenancy::Shared);
        assert_eq!(linux.on_demand(&m5).unwrap(), d("0.096"));
        assert_eq!(linux, RateCard::from_lookup([m5.clone()], flat));
        assert_eq!(
            linux
                .reserved(&m5, PurchaseOption::Reserved1yrNoUpfront)
                .unwrap()
                .hourly,
            d("0.06")
        );
        // 1 − 0.072 / 0.096 = 25 %.
        assert_eq!(
            linux
                .savings_plans
                .pct(&SpKind::Compute, Term::OneYear, &m5),
            d("25")
        );
        let win = card(Platform::Windows, Tenancy::Shared);
        assert_eq!(win.on_demand(&m5).unwrap(), d("0.188"));
        assert_eq!(
            win.reserved(&m5, PurchaseOption::Reserved1yrNoUpfront)
                .unwrap()
                .hourly,
            d("0.152")
        );
        assert_eq!(win.get(&m5).unwrap().vcpu, Some(d("2")));
        // No Windows SP rate in the book: the documented default discount.
        assert_eq!(
            win.savings_plans.pct(&SpKind::Compute, Term::OneYear, &m5),
            d("28")
        );
        assert_eq!(
            card(Platform::Linux, Tenancy::Dedicated)
                .on_demand(&m5)
                .unwrap(),
            d("0.106")
        );
        // A platform the book does not price: no type, so the simulator's "no price" error.
        assert!(
            card(Platform::Suse, Tenancy::Shared)
                .on_demand(&m5)
                .is_err()
        );
    }
}
