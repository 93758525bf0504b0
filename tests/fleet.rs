//! The compute fleet simulator (`costlab::sim::fleet`): the reference's worked examples
//! (compute-pricing-and-rules.md §2 example 10 and size flexibility, §6 examples 3, 9 and 16)
//! reproduced exactly and rated with the bundled price book, the job alternatives table, the
//! `[compute]` parser, and property tests of the purchase and interruption invariants.

use std::path::Path;
use std::sync::OnceLock;

use costlab::aws::{InstanceType, PurchaseOption, Region};
use costlab::cost::{RateOptions, rate};
use costlab::meter::{Meter, Usage};
use costlab::pricing::{Catalog, PriceBook, PricePath};
use costlab::rules::ComputeRules;
use costlab::sim::fleet::*;
use costlab::tomlx::Doc;
use costlab::trace::compute::{InstanceChoice, JobRecord, Service};
use costlab::units::{Money, Month, Timestamp};
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn it(s: &str) -> InstanceType {
    InstanceType::parse(s).unwrap()
}

fn region() -> Region {
    Region::parse("us-east-1").unwrap()
}

/// 2026-03-01T00:00:00Z.
fn march() -> Timestamp {
    Timestamp::parse_rfc3339("2026-03-01T00:00:00Z").unwrap()
}

fn catalog() -> &'static Catalog {
    static C: OnceLock<Catalog> = OnceLock::new();
    C.get_or_init(|| Catalog::open(None, Some("us-east-1")).unwrap())
}

fn flat(book: &PriceBook, path: &[&str]) -> Option<Decimal> {
    book.first_band(&PricePath::new(path.iter().copied()))
}

/// The rate card a caller builds from a price book (what `costlab simulate` does).
fn card_from(book: &PriceBook) -> RateCard {
    let types = book
        .entries
        .keys()
        .filter(|p| p.0.len() == 3 && p.0[0] == "ec2" && p.0[1] == "on_demand")
        .map(|p| it(&p.0[2]));
    RateCard::from_lookup(types, |path| flat(book, path))
}

fn card() -> &'static RateCard {
    static C: OnceLock<RateCard> = OnceLock::new();
    C.get_or_init(|| card_from(catalog().home()))
}

fn rules() -> ComputeRules {
    catalog().home().rules.compute.clone()
}

/// Dollars of a usage with the bundled book, free allowances off (per-job comparisons).
fn rated(usage: &Usage, catalog: &Catalog) -> Decimal {
    let mut u = usage.clone();
    u.free_tier.apply = false;
    rate(&u, catalog, &RateOptions::default()).unwrap().total.0
}

fn demand(start: Timestamp, types: &[(&str, Vec<u64>)]) -> FleetDemand {
    FleetDemand {
        region: region(),
        start,
        hours: types.first().map_or(0, |t| t.1.len() as u32),
        types: types.iter().map(|t| it(t.0)).collect(),
        seconds: types.iter().map(|t| t.1.clone()).collect(),
    }
}

fn ri(t: &str, count: u32, term: Term, payment: Payment, start: Timestamp) -> Reservation {
    Reservation {
        instance_type: it(t),
        count,
        term,
        payment,
        start,
    }
}

fn meter(u: &Usage, t: &str, o: PurchaseOption) -> Decimal {
    u.months
        .values()
        .flat_map(|r| r.values())
        .filter_map(|s| s.get(&Meter::InstanceSeconds(it(t), o)))
        .sum()
}

fn run(dem: &FleetDemand, plan: &FleetPlan, card: &RateCard) -> FleetResult {
    simulate_fleet(dem, plan, card, FleetOptions { record_hours: true }).unwrap()
}

// ───────────── Reference examples ─────────────

/// §2 example 10: 1 m4.xlarge RI; (a) four m4.xlarge for the whole hour → 1 h RI + 3 h
/// On-Demand; (b) four × 15 minutes in the same clock-hour → 1 h RI, 0 h On-Demand.
#[test]
fn example_10_ri_applies_per_second_within_the_clock_hour() {
    // m4.xlarge is not in the book: illustrative rates; the example is about hours.
    let mut card = RateCard::default();
    let mut r = TypeRates {
        on_demand_hourly: d("0.20"),
        ..TypeRates::default()
    };
    r.reserved.insert(
        PurchaseOption::Reserved1yrNoUpfront,
        RiRate {
            hourly: d("0.126"),
            upfront: Decimal::ZERO,
        },
    );
    card.types.insert(it("m4.xlarge"), r);
    let plan = FleetPlan {
        reservations: vec![ri(
            "m4.xlarge",
            1,
            Term::OneYear,
            Payment::NoUpfront,
            march(),
        )],
        ..FleetPlan::default()
    };
    let a = run(
        &demand(march(), &[("m4.xlarge", vec![4 * 3_600])]),
        &plan,
        &card,
    );
    assert_eq!(
        meter(&a.usage, "m4.xlarge", PurchaseOption::OnDemand),
        d("10800")
    );
    assert_eq!(
        meter(&a.usage, "m4.xlarge", PurchaseOption::Reserved1yrNoUpfront),
        d("3600")
    );
    assert_eq!(a.reservations[0].used_seconds, d("3600"));
    let b = run(
        &demand(march(), &[("m4.xlarge", vec![4 * 900])]),
        &plan,
        &card,
    );
    assert_eq!(
        meter(&b.usage, "m4.xlarge", PurchaseOption::OnDemand),
        Decimal::ZERO
    );
    assert_eq!(b.reservations[0].used_seconds, d("3600"));
    assert_eq!(b.reservations[0].unused_seconds, Decimal::ZERO);
    assert_eq!(b.total_cash, Money(d("0.126")));
}

/// §2 size flexibility: one m5.2xlarge RI (factor 16) covers two m5.xlarge (8 each); one
/// m5.xlarge RI covers half an hour of an m5.2xlarge; with an m5.large (4) and an m5.2xlarge
/// running, the smaller is covered first. Rated with the bundled book.
#[test]
fn size_flexibility_through_normalization_factors_smallest_first() {
    let one = |t: &str| FleetPlan {
        reservations: vec![ri(t, 1, Term::OneYear, Payment::NoUpfront, march())],
        ..FleetPlan::default()
    };
    let r = run(
        &demand(march(), &[("m5.xlarge", vec![2 * 3_600])]),
        &one("m5.2xlarge"),
        card(),
    );
    assert_eq!(
        meter(&r.usage, "m5.xlarge", PurchaseOption::OnDemand),
        Decimal::ZERO
    );
    assert_eq!(rated(&r.usage, catalog()), d("0.242"));

    let r = run(
        &demand(march(), &[("m5.2xlarge", vec![3_600])]),
        &one("m5.xlarge"),
        card(),
    );
    assert_eq!(
        meter(&r.usage, "m5.2xlarge", PurchaseOption::OnDemand),
        d("1800")
    );
    // 0.121 RI hour + half an hour at 0.384.
    assert_eq!(rated(&r.usage, catalog()), d("0.313"));
    assert_eq!(r.total_cash.0, d("0.313"));

    let r = run(
        &demand(
            march(),
            &[("m5.2xlarge", vec![3_600]), ("m5.large", vec![3_600])],
        ),
        &one("m5.xlarge"),
        card(),
    );
    assert_eq!(
        meter(&r.usage, "m5.large", PurchaseOption::OnDemand),
        Decimal::ZERO
    );
    // 8 units − 4 for the large leave 4 units = 900 s of the 2xlarge.
    assert_eq!(
        meter(&r.usage, "m5.2xlarge", PurchaseOption::OnDemand),
        d("2700")
    );
}

/// §6 example 16: m5.xlarge / c5.xlarge / r5.xlarge On-Demand for 730 h.
#[test]
fn example_16_on_demand_month() {
    let h = vec![3_600u64; 730];
    let dem = demand(
        march(),
        &[
            ("m5.xlarge", h.clone()),
            ("c5.xlarge", h.clone()),
            ("r5.xlarge", h),
        ],
    );
    let r = run(&dem, &FleetPlan::default(), card());
    let bill = rate(&r.usage, catalog(), &RateOptions::default()).unwrap();
    let line = |ut: &str| -> Decimal {
        bill.months[0]
            .lines
            .iter()
            .filter(|l| l.usage_type == ut)
            .map(|l| l.cost.0)
            .sum()
    };
    assert_eq!(line("BoxUsage:m5.xlarge"), d("140.16"));
    assert_eq!(line("BoxUsage:c5.xlarge"), d("124.10"));
    assert_eq!(line("BoxUsage:r5.xlarge"), d("183.96"));
    assert_eq!(r.total_cash.0, d("448.22"));
    assert_eq!(r.months[0].on_demand.0, d("448.22"));
}

/// §6 example 9: a t2.small 1-yr Partial Upfront RI ($60 upfront + $0.007/h) bought on
/// 2026-01-01 and never used costs its list value, $121.32, over the year, in both views;
/// cash puts the $60 in January, the amortized view spreads it over 8,760 hours.
#[test]
fn example_9_ri_list_value_cash_and_amortized() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pricing/ri-t2-small.toml");
    let cat = Catalog::open(Some(&path), None).unwrap();
    let mut card = card_from(cat.home());
    card.types.insert(it("t2.small"), {
        let mut r = TypeRates {
            on_demand_hourly: d("0.023"),
            ..TypeRates::default()
        };
        r.reserved.insert(
            PurchaseOption::Reserved1yrPartialUpfront,
            RiRate {
                hourly: d("0.007"),
                upfront: d("60"),
            },
        );
        r
    });
    let jan = Timestamp::parse_rfc3339("2026-01-01T00:00:00Z").unwrap();
    let plan = FleetPlan {
        reservations: vec![ri(
            "t2.small",
            1,
            Term::OneYear,
            Payment::PartialUpfront,
            jan,
        )],
        ..FleetPlan::default()
    };
    let r = run(&demand(jan, &[("t2.small", vec![0; 8_760])]), &plan, &card);
    assert_eq!(r.months.len(), 12);
    assert_eq!(r.total_cash.0, d("121.32"));
    assert_eq!(r.total_amortized.cents(), d("121.32"));
    assert_eq!(r.months[0].reserved_upfront_cash.0, d("60"));
    assert_eq!(r.months[1].reserved_upfront_cash.0, Decimal::ZERO);
    // January's amortized share: 744 h × 60 / 8,760.
    assert_eq!(
        r.months[0].reserved_upfront_amortized.0,
        d("744") * d("60") / d("8760")
    );
    assert_eq!(rated(&r.usage, &cat), d("121.32"));
    assert!(r.reservations.iter().all(|m| m.used_seconds.is_zero()));
}

fn job(
    id: &str,
    start: Timestamp,
    secs: u64,
    vcpu: &str,
    mem: &str,
    t: &str,
    s: Service,
) -> JobRecord {
    JobRecord {
        job_id: id.into(),
        start,
        duration_seconds: secs,
        vcpu: d(vcpu),
        memory_gib: d(mem),
        instance_type: if t == "any" {
            InstanceChoice::Any
        } else {
            InstanceChoice::Type(it(t))
        },
        service: s,
        checkpoint_minutes: None,
        data_gb: None,
    }
}

fn cell(a: &JobAlternatives, class: &str, o: ServiceOption) -> OptionCell {
    a.rows
        .iter()
        .find(|r| r.class == class)
        .unwrap()
        .cells
        .iter()
        .find(|c| c.option == o)
        .unwrap()
        .clone()
}

/// §6 example 3: a 6-DPU Spark job of 15 minutes is 6 × 0.25 h × $0.44 = $0.66, on Glue;
/// the same usage rated by the book gives the same dollars.
#[test]
fn example_3_glue_job() {
    let jobs = [job(
        "etl-000001",
        march(),
        900,
        "24",
        "96",
        "any",
        Service::Glue,
    )];
    let a = compare_alternatives(
        &jobs,
        &region(),
        card(),
        &rules(),
        &AlternativeOptions::default(),
    )
    .unwrap();
    let g = cell(&a, "etl", ServiceOption::Glue);
    assert_eq!(g.cost, Some(Money(d("0.66"))));
    assert_eq!(g.current_jobs, 1);
    assert_eq!(rated(&g.usage, catalog()), d("0.66"));
    // The minimum billing (Conflicts 2): a 30 s job bills 60 s (Glue 2.0+) or 600 s (older).
    let short = [job(
        "etl-000001",
        march(),
        30,
        "8",
        "32",
        "any",
        Service::Glue,
    )];
    let a = compare_alternatives(
        &short,
        &region(),
        card(),
        &rules(),
        &AlternativeOptions::default(),
    )
    .unwrap();
    assert_eq!(
        cell(&a, "etl", ServiceOption::Glue).cost,
        Some(Money(d("2") * d("60") * d("0.44") / d("3600")))
    );
    let old = AlternativeOptions {
        glue_minimum_seconds: Some(600),
        ..AlternativeOptions::default()
    };
    let a = compare_alternatives(&short, &region(), card(), &rules(), &old).unwrap();
    assert_eq!(
        cell(&a, "etl", ServiceOption::Glue).cost.unwrap().cents(),
        d("0.15")
    );
}

/// The classic blunder in dollars: a nightly 3 TB copy (1 h, 40 vCPU, 160 GiB) for 30 nights
/// on an always-on EMR cluster of r5.2xlarge vs a Glue job; Lambda cannot run it at all.
#[test]
fn copy_job_on_a_persistent_emr_cluster_vs_glue() {
    let jobs: Vec<JobRecord> = (0..30)
        .map(|n| {
            let start = Timestamp(march().0 + n * 86_400 + 2 * 3_600);
            let mut j = job(
                &format!("copy-3tb-{:06}", n + 1),
                start,
                3_600,
                "40",
                "160",
                "r5.2xlarge",
                Service::Emr,
            );
            j.data_gb = Some(d("3072"));
            j
        })
        .collect();
    let window = (march(), Timestamp(march().0 + 30 * 86_400));
    let persistent = AlternativeOptions {
        emr_mode: EmrMode::Persistent,
        window: Some(window),
        ..AlternativeOptions::default()
    };
    let a = compare_alternatives(&jobs, &region(), card(), &rules(), &persistent).unwrap();
    let emr = cell(&a, "copy-3tb", ServiceOption::EmrOnEc2);
    let glue = cell(&a, "copy-3tb", ServiceOption::Glue);
    let serverless = cell(&a, "copy-3tb", ServiceOption::EmrServerless);
    let lambda = cell(&a, "copy-3tb", ServiceOption::Lambda);
    // 1 primary + 5 workers (40 vCPU / 8) × 720 h × (0.504 + 0.126).
    assert_eq!(emr.cost, Some(Money(d("2721.60"))));
    assert_eq!(emr.current_jobs, 30);
    // 10 DPU (40 vCPU / 4, 160 GB / 16) × 1 h × 0.44 × 30.
    assert_eq!(glue.cost, Some(Money(d("132.00"))));
    // (40 × 0.052624 + 160 × 0.0057785) × 30.
    assert_eq!(serverless.cost, Some(Money(d("90.8856"))));
    assert!(lambda.cost.is_none() && lambda.infeasible.as_deref().unwrap().contains("900 s"));
    assert_eq!(rated(&emr.usage, catalog()), d("2721.60"));
    assert_eq!(rated(&glue.usage, catalog()), d("132.00"));
    assert_eq!(rated(&serverless.usage, catalog()), d("90.8856"));
    // A transient cluster per night: 6 nodes × (600 s start-up + 3,600 s) × 0.63 × 30, and
    // the job waits for the start-up.
    let a = compare_alternatives(
        &jobs,
        &region(),
        card(),
        &rules(),
        &AlternativeOptions::default(),
    )
    .unwrap();
    let t = cell(&a, "copy-3tb", ServiceOption::EmrOnEc2);
    assert_eq!(t.cost, Some(Money(d("132.30"))));
    assert_eq!(t.delay_p95_seconds, 600.0);
}

/// Lambda: GB-seconds + one request per job, 15-minute limit; rated the same by the book.
#[test]
fn lambda_is_priced_and_limited() {
    let jobs = [
        job("fn-000001", march(), 2, "0.5", "1", "any", Service::Lambda),
        job(
            "fn-000002",
            march(),
            900,
            "0.5",
            "2",
            "any",
            Service::Lambda,
        ),
    ];
    let a = compare_alternatives(
        &jobs,
        &region(),
        card(),
        &rules(),
        &AlternativeOptions::default(),
    )
    .unwrap();
    let l = cell(&a, "fn", ServiceOption::Lambda);
    let want = d("1802") * d("0.0000166667") + d("2") * d("0.0000002");
    assert_eq!(l.cost, Some(Money(want)));
    assert_eq!(rated(&l.usage, catalog()), want);
    let long = [job(
        "fn-000001",
        march(),
        901,
        "0.5",
        "1",
        "any",
        Service::Lambda,
    )];
    let a = compare_alternatives(
        &long,
        &region(),
        card(),
        &rules(),
        &AlternativeOptions::default(),
    )
    .unwrap();
    assert!(cell(&a, "fn", ServiceOption::Lambda).infeasible.is_some());
}

/// An `any` job on EMR takes the cheapest EMR-priced type that fits.
#[test]
fn emr_any_picks_the_cheapest_fitting_type() {
    let jobs = [job(
        "x-000001",
        march(),
        3_600,
        "4",
        "8",
        "any",
        Service::Emr,
    )];
    let a = compare_alternatives(
        &jobs,
        &region(),
        card(),
        &rules(),
        &AlternativeOptions::default(),
    )
    .unwrap();
    let c = cell(&a, "x", ServiceOption::EmrOnEc2);
    // c5.xlarge (4 vCPU, 8 GiB): 0.170 + 0.043 is the cheapest node-hour that fits.
    assert_eq!(c.instance_types, vec![it("c5.xlarge")]);
    assert_eq!(
        c.cost,
        Some(Money(d("2") * d("4200") * d("0.213") / d("3600")))
    );
}

// ───────────── Savings Plans ─────────────

/// After RIs; EC2 Instance SP before Compute SP; ties on savings % go to the lowest SP rate
/// (c5.xlarge before m5.xlarge at the same 28 %); the commitment is billed in full.
#[test]
fn savings_plans_apply_in_aws_order() {
    let dem = demand(
        march(),
        &[("m5.xlarge", vec![3_600]), ("c5.xlarge", vec![3_600])],
    );
    let compute = SavingsPlan {
        name: "c".into(),
        kind: SpKind::Compute,
        commitment_per_hour: d("0.10"),
        term: Term::OneYear,
        payment: Payment::NoUpfront,
        start: march(),
        discount_pct: None,
    };
    let plan = FleetPlan {
        savings_plans: vec![compute.clone()],
        ..FleetPlan::default()
    };
    let r = run(&dem, &plan, card());
    let sp = &r.savings_plans[0];
    assert_eq!(
        sp.covered_seconds.keys().collect::<Vec<_>>(),
        vec![&it("c5.xlarge")]
    );
    // 0.10 / (0.17 × 0.72) h of c5.xlarge.
    let covered = d("0.10") * d("3600") / (d("0.17") * d("0.72"));
    assert_eq!(sp.covered_seconds[&it("c5.xlarge")], covered);
    assert_eq!(sp.used.0, d("0.10"));
    // An EC2 Instance SP for m5 listed after the Compute SP still goes first.
    let ec2 = SavingsPlan {
        name: "m5".into(),
        kind: SpKind::Ec2Instance {
            family: "m5".into(),
        },
        commitment_per_hour: d("1"),
        ..compute.clone()
    };
    let plan = FleetPlan {
        savings_plans: vec![compute, ec2],
        ..FleetPlan::default()
    };
    let r = run(&dem, &plan, card());
    let m5 = r.savings_plans.iter().find(|s| s.plan == "m5").unwrap();
    assert_eq!(m5.covered_seconds[&it("m5.xlarge")], d("3600"));
    assert_eq!(m5.used.0, d("0.192") * d("0.63"));
    assert_eq!(m5.unused.0, d("1") - d("0.192") * d("0.63"));
    assert_eq!(
        meter(&r.usage, "m5.xlarge", PurchaseOption::OnDemand),
        Decimal::ZERO
    );
    // Higher savings % first: give m5 40 % under the Compute SP.
    let mut card2 = card().clone();
    card2
        .savings_plans
        .by_family
        .insert((true, Term::OneYear, "m5".into()), d("40"));
    let plan = FleetPlan {
        savings_plans: vec![SavingsPlan {
            name: "c".into(),
            kind: SpKind::Compute,
            commitment_per_hour: d("0.10"),
            term: Term::OneYear,
            payment: Payment::NoUpfront,
            start: march(),
            discount_pct: None,
        }],
        ..FleetPlan::default()
    };
    let r = run(&dem, &plan, &card2);
    assert!(
        r.savings_plans[0]
            .covered_seconds
            .contains_key(&it("m5.xlarge"))
    );
    assert!(
        !r.savings_plans[0]
            .covered_seconds
            .contains_key(&it("c5.xlarge"))
    );
}

/// Everything the fleet emits as `Usage` rates, with the book, to its own exact total minus
/// what no meter carries yet (Savings Plans).
#[test]
fn usage_rates_to_the_simulators_own_total() {
    let hours = 24 * 40;
    let dem = demand(
        march(),
        &[
            (
                "m5.xlarge",
                (0..hours).map(|h| (h % 7) as u64 * 1_800).collect(),
            ),
            (
                "m5.large",
                (0..hours).map(|h| (h % 5) as u64 * 3_000).collect(),
            ),
            (
                "c5.2xlarge",
                (0..hours).map(|h| (h % 3) as u64 * 3_600).collect(),
            ),
        ],
    );
    let plan = FleetPlan {
        reservations: vec![ri(
            "m5.2xlarge",
            1,
            Term::OneYear,
            Payment::NoUpfront,
            march(),
        )],
        savings_plans: vec![SavingsPlan {
            name: "c".into(),
            kind: SpKind::Compute,
            commitment_per_hour: d("0.2"),
            term: Term::ThreeYear,
            payment: Payment::NoUpfront,
            start: march(),
            discount_pct: Some(d("45")),
        }],
        spot: SpotPolicy {
            share_by_type: [(it("c5.2xlarge"), d("0.5"))].into(),
            ..SpotPolicy::default()
        },
        ..FleetPlan::default()
    };
    let r = run(&dem, &plan, card());
    let sp: Decimal = r.savings_plans.iter().map(|s| s.commitment.0).sum();
    assert_eq!(sp, d("0.2") * Decimal::from(hours));
    // The Savings Plan fee is metered: the rated usage alone is the cash total.
    let bill = rated(&r.usage, catalog());
    assert_eq!(bill.round_dp(10), r.total_cash.0.round_dp(10));
    let fee: Decimal = r
        .usage
        .months
        .values()
        .flat_map(|by| by.values())
        .flat_map(|m| m.iter())
        .filter(|(k, _)| matches!(k, costlab::meter::Meter::SavingsPlanFee(_)))
        .map(|(_, v)| *v)
        .sum();
    assert_eq!(fee, sp);
}

#[test]
fn spot_at_a_price_series_uses_the_hours_average() {
    use costlab::trace::compute::{Origin, SpotHistory, SpotRecord, Zone};
    let rec = |at: i64, p: &str| SpotRecord {
        timestamp: Timestamp(march().0 + at),
        instance_type: it("m5.xlarge"),
        product: "Linux/UNIX".into(),
        zone: Zone::parse("us-east-1a").unwrap(),
        price: d(p),
        origin: Origin {
            path: Path::new("t").into(),
            line: 1,
        },
    };
    let h = SpotHistory::build(vec![rec(-10, "0.06"), rec(1_800, "0.08")]).unwrap();
    let s = h.series().next().unwrap().clone();
    let plan = FleetPlan {
        spot: SpotPolicy {
            share: Decimal::ONE,
            ..SpotPolicy::default()
        },
        spot_series: [(it("m5.xlarge"), s)].into(),
        ..FleetPlan::default()
    };
    let r = run(
        &demand(march(), &[("m5.xlarge", vec![7_200])]),
        &plan,
        card(),
    );
    assert_eq!(r.spot_series[0].cost.0, d("0.14"));
    assert_eq!(r.total_cash.0, d("0.14"));
    // Metered as dollars, so the bill says it too.
    assert_eq!(rated(&r.usage, catalog()), d("0.14"));
    assert_eq!(
        meter(&r.usage, "m5.xlarge", PurchaseOption::SpotAdvisor),
        Decimal::ZERO
    );
}

// ───────────── Monte Carlo ─────────────

fn spot_year(types: usize, share: &str, policy: SpotPolicy) -> (FleetDemand, FleetPlan) {
    let names = ["m5.xlarge", "r5.2xlarge", "c5.xlarge", "m6i.2xlarge"];
    let dem = FleetDemand {
        region: region(),
        start: march(),
        hours: 24 * 120,
        types: names[..types].iter().map(|t| it(t)).collect(),
        seconds: vec![vec![10 * 3_600; 24 * 120]; types],
    };
    let plan = FleetPlan {
        spot: SpotPolicy {
            share: d(share),
            ..policy
        },
        ..FleetPlan::default()
    };
    (dem, plan)
}

/// The Monte Carlo mean cost and interruption count lie within 4 standard errors of their
/// closed forms: E[N] = λ × instance-hours; per event, On-Demand rework of E[age mod c] and a
/// refund of E[age; age < 1 h] at the Spot price, age ~ Exp(λ).
#[test]
fn monte_carlo_mean_within_its_confidence_interval() {
    let policy = SpotPolicy {
        rework: Rework::OnDemand,
        checkpoint_seconds: Some(1_800),
        hazard_scale: 50.0,
        ..SpotPolicy::default()
    };
    let (dem, plan) = spot_year(1, "1", policy.clone());
    let r = run(&dem, &plan, card());
    let mc = monte_carlo(&r, &plan.spot, 400, 42).unwrap();
    let lambda = hazard_per_hour(4).unwrap() * 50.0;
    let exposure = 10.0 * 24.0 * 120.0;
    let en = lambda * exposure;
    assert!(
        (mc.interruptions.mean - en).abs() < 4.0 * mc.interruptions.std_error(400),
        "{mc:?}"
    );
    let mu = lambda / 3_600.0;
    let c = 1_800.0;
    let e_mod = 1.0 / mu - c * (-mu * c).exp() / (1.0 - (-mu * c).exp());
    let t = 3_600.0;
    let e_young = (1.0 - (-mu * t).exp() * (1.0 + mu * t)) / mu;
    let spot = 0.192 * (1.0 - 0.66);
    let per_event = e_mod / 3_600.0 * 0.192 - e_young / 3_600.0 * spot;
    let expected = en * per_event;
    let se = mc.delta.std_error(400);
    assert!(se > 0.0);
    assert!(
        (mc.delta.mean - expected).abs() < 4.0 * se,
        "mean {} expected {expected} se {se}",
        mc.delta.mean
    );
    let base = r.total_amortized.0.to_f64().unwrap();
    let mean = mc.cost_mean.0.to_f64().unwrap();
    assert!((mean - base - mc.delta.mean).abs() < 1e-5);
}

/// The same seed gives the same answer on one thread or two.
#[test]
fn monte_carlo_is_deterministic_across_thread_counts() {
    let (dem, plan) = spot_year(
        3,
        "0.5",
        SpotPolicy {
            hazard_scale: 20.0,
            ..SpotPolicy::default()
        },
    );
    let r = run(&dem, &plan, card());
    let on = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| monte_carlo(&r, &plan.spot, 64, 9).unwrap())
    };
    let a = on(1);
    assert_eq!(a, on(2));
    assert_ne!(a, monte_carlo(&r, &plan.spot, 64, 10).unwrap());
    assert!(a.interruptions.mean > 0.0);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    /// RI benefit never exceeds 3,600 s per RI per clock-hour (in the RI's own size), is used
    /// in full when the family runs at least that much, and never covers more than ran.
    #[test]
    fn ri_benefit_capped_at_3600_s_per_ri_per_clock_hour(
        counts in prop::collection::vec(1u32..4, 1..4),
        sizes in prop::collection::vec(0usize..3, 4),
        usage in prop::collection::vec(prop::collection::vec(0u64..30_000, 3), 1..6),
    ) {
        let names = ["m5.large", "m5.xlarge", "m5.2xlarge"];
        let factor = [4i64, 8, 16];
        let types: Vec<(&str, Vec<u64>)> = (0..3)
            .map(|i| (names[i], usage.iter().map(|h| h[i]).collect()))
            .collect();
        let dem = demand(march(), &types);
        let plan = FleetPlan {
            reservations: counts
                .iter()
                .zip(&sizes)
                .map(|(c, s)| ri(names[*s], *c, Term::OneYear, Payment::NoUpfront, march()))
                .collect(),
            ..FleetPlan::default()
        };
        let r = run(&dem, &plan, card());
        for (h, hd) in r.hourly.iter().enumerate() {
            let mut given_units = Decimal::ZERO;
            let mut cap_units = Decimal::ZERO;
            for (k, res) in plan.reservations.iter().enumerate() {
                let cap = Decimal::from(res.count * 3_600);
                prop_assert!(hd.ri_used_seconds[k] <= cap);
                let f = Decimal::from(factor[names.iter().position(|n| *n == res.instance_type.as_str()).unwrap()]);
                given_units += hd.ri_used_seconds[k] * f;
                cap_units += cap * f;
            }
            let ran: Decimal = (0..3).map(|i| Decimal::from(usage[h][i] * factor[i] as u64)).sum();
            let od: Decimal = (0..3).map(|i| hd.on_demand_seconds[i] * Decimal::from(factor[i])).sum();
            prop_assert_eq!((given_units + od).round_dp(12), ran.round_dp(12));
            prop_assert_eq!(given_units.round_dp(12), cap_units.min(ran).round_dp(12));
        }
    }

    /// RIs and Savings Plans are billed every hour of their term, used or not.
    #[test]
    fn commitments_billed_whether_used_or_not(
        seconds in prop::collection::vec(0u64..20_000, 1..48),
        count in 1u32..5,
        commitment in 0u32..300,
        late in 0i64..24,
    ) {
        let n = seconds.len() as i64;
        let start = Timestamp(march().0 + late * 3_600);
        let plan = FleetPlan {
            reservations: vec![ri("m5.xlarge", count, Term::OneYear, Payment::NoUpfront, start)],
            savings_plans: vec![SavingsPlan {
                name: "c".into(),
                kind: SpKind::Compute,
                commitment_per_hour: Decimal::new(commitment as i64, 2),
                term: Term::OneYear,
                payment: Payment::NoUpfront,
                start,
                discount_pct: None,
            }],
            ..FleetPlan::default()
        };
        let r = run(&demand(march(), &[("c5.xlarge", seconds)]), &plan, card());
        let active = (n - late).max(0);
        let ri_hours: u64 = r.reservations.iter().map(|m| m.hours).sum();
        prop_assert_eq!(ri_hours as i64, active);
        prop_assert_eq!(
            meter(&r.usage, "m5.xlarge", PurchaseOption::Reserved1yrNoUpfront),
            Decimal::from(active * count as i64 * 3_600)
        );
        let fees: Decimal = r.months.iter().map(|m| m.reserved_hourly.0).sum();
        prop_assert_eq!(fees, Decimal::from(active * count as i64) * d("0.121"));
        let sp: Decimal = r.savings_plans.iter().map(|m| m.commitment.0).sum();
        prop_assert_eq!(sp, Decimal::from(active) * Decimal::new(commitment as i64, 2));
        for m in &r.savings_plans {
            prop_assert!(m.used <= m.commitment && m.unused.0 >= Decimal::ZERO);
        }
    }

    /// More Spot share never lowers expected interruptions (closed form and Monte Carlo with
    /// the same seed).
    #[test]
    fn more_spot_never_fewer_interruptions(a in 0u32..=100, b in 0u32..=100, seed in 0u64..1000) {
        let (lo, hi) = (a.min(b), a.max(b));
        let share = |p: u32| Decimal::new(p as i64, 2).to_string();
        let policy = SpotPolicy { hazard_scale: 30.0, ..SpotPolicy::default() };
        let (dem, p_lo) = spot_year(2, &share(lo), policy.clone());
        let (_, p_hi) = spot_year(2, &share(hi), policy);
        let r_lo = run(&dem, &p_lo, card());
        let r_hi = run(&dem, &p_hi, card());
        prop_assert!(r_lo.spot_exposure.expected_interruptions() <= r_hi.spot_exposure.expected_interruptions());
        let m_lo = monte_carlo(&r_lo, &p_lo.spot, 8, seed).unwrap();
        let m_hi = monte_carlo(&r_hi, &p_hi.spot, 8, seed).unwrap();
        prop_assert!(m_lo.interruptions.mean <= m_hi.interruptions.mean);
    }

    /// With the hazard at zero the Monte Carlo equals the deterministic result to the cent
    /// (fleet and EMR task nodes on Spot).
    #[test]
    fn zero_hazard_monte_carlo_equals_deterministic(share in 0u32..=100, seed in 0u64..1000, n in 1u32..4) {
        let policy = SpotPolicy { hazard_scale: 0.0, ..SpotPolicy::default() };
        let (dem, plan) = spot_year(n as usize, &Decimal::new(share as i64, 2).to_string(), policy.clone());
        let r = run(&dem, &plan, card());
        let mc = monte_carlo(&r, &plan.spot, 16, seed).unwrap();
        prop_assert_eq!(mc.cost_mean.cents(), r.total_amortized.cents());
        prop_assert_eq!(mc.cost_p95.cents(), r.total_amortized.cents());
        prop_assert_eq!(mc.interruptions.mean, 0.0);
        let jobs = [job("j-000001", march(), 7_200, "32", "128", "m5.2xlarge", Service::Emr)];
        let o = AlternativeOptions {
            emr_task_spot_share: Decimal::new(share as i64, 2),
            spot: policy,
            seed,
            runs: 8,
            ..AlternativeOptions::default()
        };
        let a = compare_alternatives(&jobs, &region(), card(), &rules(), &o).unwrap();
        let e = cell(&a, "j", ServiceOption::EmrOnEc2);
        prop_assert_eq!(e.cost_mean.unwrap().cents(), e.cost.unwrap().cents());
    }
}

/// Spot task nodes that EC2 interrupts delay the job and, rework on Spot, cost more on
/// average than the uninterrupted run; p95 delay is positive.
#[test]
fn emr_spot_task_nodes_delay_jobs() {
    let jobs: Vec<JobRecord> = (0..20)
        .map(|n| {
            job(
                &format!("etl-{n:06}"),
                march(),
                4 * 3_600,
                "32",
                "128",
                "r5.2xlarge",
                Service::Emr,
            )
        })
        .collect();
    let o = AlternativeOptions {
        emr_task_spot_share: d("0.75"),
        spot: SpotPolicy {
            hazard_scale: 200.0,
            checkpoint_seconds: Some(600),
            ..SpotPolicy::default()
        },
        runs: 50,
        ..AlternativeOptions::default()
    };
    let a = compare_alternatives(&jobs, &region(), card(), &rules(), &o).unwrap();
    let e = cell(&a, "etl", ServiceOption::EmrOnEc2);
    assert!(e.delay_p95_seconds > 600.0, "{e:?}");
    assert!(e.cost_mean.unwrap() > e.cost.unwrap());
}

// ───────────── [compute] section ─────────────

const SECTION: &str = r#"
[compute]
region = "us-east-1"
usage = "usage.csv"
jobs = ["a.csv", "b.csv"]
spot_history = "spot.json"
spot_zone = "us-east-1a"
runs = 500
seed = 7

[[compute.reserved]]
instance_type = "m5.xlarge"
count = 4
term = "3yr"
payment = "partial_upfront"
start = "2026-03-15"

[[compute.savings_plan]]
kind = "ec2_instance"
family = "r5"
commitment_per_hour = 1.25
discount_pct = 40

[compute.spot]
share = 0.3
share_by_type = { "c5.xlarge" = 0.9 }
price = "history"
rework = "on_demand"
checkpoint_minutes = 15
hazard_scale = 0

[compute.alternatives]
options = ["emr", "glue"]
emr_mode = "persistent"
emr_task_spot_share = 0.5
glue_minimum_seconds = 600

[compute.generate]
seed = 3
[[compute.generate.type]]
instance_type = "m5.large"
base_instances = 12.5
daily_amplitude = 0.3
[[compute.generate.job_class]]
name = "etl"
service = "emr"
instance_type = "r5.2xlarge"
jobs_per_hour = 0.5
median_duration_seconds = 1800
vcpu = 16
memory_gib = 64
"#;

#[test]
fn compute_section_parses_every_key() {
    let doc = Doc::parse("s.toml", SECTION).unwrap();
    let t = doc.root().table("compute").unwrap().unwrap();
    let s = parse_compute(&t, Path::new("/base"), march()).unwrap();
    assert_eq!(s.region, Some(region()));
    assert_eq!(
        s.evidence.usage,
        vec![Path::new("/base/usage.csv").to_path_buf()]
    );
    assert_eq!(s.evidence.jobs.len(), 2);
    assert_eq!(s.evidence.spot_zone.as_deref(), Some("us-east-1a"));
    assert_eq!((s.runs, s.seed), (500, Some(7)));
    let r = &s.reservations[0];
    assert_eq!(
        (r.count, r.term, r.payment),
        (4, Term::ThreeYear, Payment::PartialUpfront)
    );
    assert_eq!(
        r.start,
        Timestamp::parse_rfc3339("2026-03-15T00:00:00Z").unwrap()
    );
    let p = &s.savings_plans[0];
    assert_eq!(
        p.kind,
        SpKind::Ec2Instance {
            family: "r5".into()
        }
    );
    assert_eq!(
        (p.commitment_per_hour, p.discount_pct, p.start),
        (d("1.25"), Some(d("40")), march())
    );
    assert_eq!(s.spot.price, SpotPriceSource::History);
    assert_eq!(s.spot.policy.share, d("0.3"));
    assert_eq!(s.spot.policy.share_of(&it("c5.xlarge")), d("0.9"));
    assert_eq!(s.spot.policy.rework, Rework::OnDemand);
    assert_eq!(s.spot.policy.checkpoint_seconds, Some(900));
    assert_eq!(s.spot.policy.hazard_scale, 0.0);
    let j = s.jobs.unwrap();
    assert_eq!(
        j.options,
        vec![ServiceOption::EmrOnEc2, ServiceOption::Glue]
    );
    assert_eq!(
        (j.emr_mode, j.glue_minimum_seconds, j.runs),
        (EmrMode::Persistent, Some(600), 500)
    );
    let g = s.evidence.generate.unwrap();
    assert_eq!(
        (g.seed, g.types.len(), g.job_classes.len()),
        (Some(3), 1, 1)
    );
    assert_eq!(g.types[0].base_instances, 12.5);
}

#[test]
fn compute_section_errors_name_line_and_key() {
    let bad = |text: &str| {
        let doc = Doc::parse("s.toml", text).unwrap();
        let t = doc.root().table("compute").unwrap().unwrap();
        parse_compute(&t, Path::new("."), march()).unwrap_err()
    };
    let e = bad("[compute]\nrunz = 5\n");
    assert_eq!((e.line, e.key.as_str()), (2, "compute.runz"));
    assert!(e.message.contains("did you mean `runs`"));
    let e = bad("[compute]\n[[compute.reserved]]\ninstance_type = \"m5.xlarge\"\nterm = \"2yr\"\n");
    assert_eq!((e.line, e.key.as_str()), (4, "compute.reserved.term"));
    let e = bad("[compute.spot]\nshare = 1.5\n");
    assert_eq!(e.key, "compute.spot.share");
    let e = bad(
        "[compute]\n[[compute.savings_plan]]\nkind = \"ec2_instance\"\ncommitment_per_hour = 1\n",
    );
    assert!(e.message.contains("family"));
    let e = bad("[compute.alternatives]\noptions = [\"emr\", \"batch\"]\n");
    assert_eq!(e.key, "compute.alternatives.options");
}

#[test]
fn invalid_inputs_are_errors_not_panics() {
    let dem = demand(march(), &[("m5.xlarge", vec![3_600])]);
    let bad_share = FleetPlan {
        spot: SpotPolicy {
            share: d("2"),
            ..SpotPolicy::default()
        },
        ..FleetPlan::default()
    };
    assert!(simulate_fleet(&dem, &bad_share, card(), FleetOptions::default()).is_err());
    let unknown = demand(march(), &[("zz9.xlarge", vec![3_600])]);
    assert!(matches!(
        simulate_fleet(
            &unknown,
            &FleetPlan::default(),
            card(),
            FleetOptions::default()
        ),
        Err(FleetError::NoOnDemandRate(_))
    ));
    let no_partial = FleetPlan {
        reservations: vec![ri(
            "m5.xlarge",
            1,
            Term::OneYear,
            Payment::PartialUpfront,
            march(),
        )],
        ..FleetPlan::default()
    };
    assert!(matches!(
        simulate_fleet(&dem, &no_partial, card(), FleetOptions::default()),
        Err(FleetError::MissingRate { .. })
    ));
    let r = simulate_fleet(&dem, &FleetPlan::default(), card(), FleetOptions::default()).unwrap();
    assert!(monte_carlo(&r, &SpotPolicy::default(), 0, 1).is_err());
    let _ = Month::new(2026, 3);
}

/// `load_evidence` reads the usage CSV, runs the generator over the window, and refuses
/// non-Linux usage.
#[test]
fn evidence_loads_files_and_generator() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("usage.csv"),
        "hour,instance_type,instance_seconds,count,region,os\n\
         2026-03-01T00:00:00Z,m5.xlarge,5400,,us-east-1,linux\n\
         2026-03-01T01:00:00Z,m5.xlarge,,2,,\n\
         2026-03-01T01:00:00Z,m5.xlarge,100,,eu-west-1,linux\n",
    )
    .unwrap();
    let text = "[compute]\nusage = \"usage.csv\"\n[compute.generate]\nseed = 1\n\
                [[compute.generate.type]]\ninstance_type = \"c5.xlarge\"\nbase_instances = 3\n";
    let doc = Doc::parse("s.toml", text).unwrap();
    let t = doc.root().table("compute").unwrap().unwrap();
    let spec = parse_compute(&t, dir.path(), march()).unwrap();
    let end = Timestamp(march().0 + 3 * 3_600);
    let ev = load_evidence(&spec, &region(), march(), end, 0, false).unwrap();
    assert_eq!(ev.demand.hours, 3);
    let m5 = ev
        .demand
        .types
        .iter()
        .position(|t| t.as_str() == "m5.xlarge")
        .unwrap();
    assert_eq!(ev.demand.seconds[m5], vec![5_400, 7_200, 0]);
    let c5 = ev
        .demand
        .types
        .iter()
        .position(|t| t.as_str() == "c5.xlarge")
        .unwrap();
    assert_eq!(ev.demand.seconds[c5], vec![10_800; 3]);
    std::fs::write(
        dir.path().join("usage.csv"),
        "hour,instance_type,count,os\n2026-03-01T00:00:00Z,m5.xlarge,1,windows\n",
    )
    .unwrap();
    assert!(matches!(
        load_evidence(&spec, &region(), march(), end, 0, false),
        Err(FleetError::UnsupportedOs { .. })
    ));
}
