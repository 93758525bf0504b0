//! Criterion benchmark of the fleet simulator at the size: one year hourly × 50
//! instance types (deterministic RI / Savings Plan / Spot pass) followed by 1,000 Monte Carlo
//! runs of Spot interruptions. Target: under 10 s on 2 cores.

use std::hint::black_box;
use std::time::{Duration, Instant};

use costlab::aws::{InstanceType, PurchaseOption, Region};
use costlab::sim::fleet::{
    FleetDemand, FleetOptions, FleetPlan, Payment, RateCard, Reservation, RiRate, SavingsPlan,
    SpKind, SpotPolicy, Term, TypeRates, monte_carlo, simulate_fleet,
};
use costlab::units::Timestamp;
use criterion::{Criterion, criterion_group, criterion_main};
use rust_decimal::Decimal;

const HOURS: u32 = 8_760;
const RUNS: u32 = 1_000;

fn setup() -> (FleetDemand, FleetPlan, RateCard) {
    let families = [
        "m5", "m6i", "c5", "c6i", "r5", "r6i", "m7i", "c7i", "r7i", "i3",
    ];
    let sizes = [
        ("large", 1i64),
        ("xlarge", 2),
        ("2xlarge", 4),
        ("4xlarge", 8),
        ("8xlarge", 16),
    ];
    let start = Timestamp::parse_rfc3339("2026-01-01T00:00:00Z").unwrap_or(Timestamp(0));
    let mut card = RateCard::default();
    let mut types = Vec::new();
    let mut seconds = Vec::new();
    for (fi, f) in families.iter().enumerate() {
        for (size, mult) in sizes {
            let t = InstanceType(format!("{f}.{size}"));
            let od = Decimal::new(48 * mult + fi as i64, 3);
            let mut r = TypeRates {
                on_demand_hourly: od,
                spot_savings_pct: Some(Decimal::from(50 + (fi as i64 * 3) % 20)),
                interruption_bucket: Some((fi % 5) as u8),
                ..TypeRates::default()
            };
            r.reserved.insert(
                PurchaseOption::Reserved1yrNoUpfront,
                RiRate {
                    hourly: od * Decimal::new(63, 2),
                    upfront: Decimal::ZERO,
                },
            );
            card.types.insert(t.clone(), r);
            // Daily and weekly shape, 2–40 instances, some seconds off the hour.
            let base = 2 + (fi as u64 * 7 + mult as u64) % 20;
            seconds.push(
                (0..HOURS as u64)
                    .map(|h| {
                        let day = (h / 24) % 7;
                        let hod = h % 24;
                        let busy = if (8..20).contains(&hod) { 2 } else { 1 };
                        let weekend = if day >= 5 { 1 } else { 2 };
                        base * busy * weekend * 3_600 - (h * 37 % 1_800)
                    })
                    .collect(),
            );
            types.push(t);
        }
    }
    let demand = FleetDemand {
        region: Region("us-east-1".into()),
        start,
        hours: HOURS,
        types,
        seconds,
    };
    let plan = FleetPlan {
        reservations: families
            .iter()
            .map(|f| Reservation {
                instance_type: InstanceType(format!("{f}.2xlarge")),
                count: 3,
                term: Term::OneYear,
                payment: Payment::NoUpfront,
                start,
            })
            .collect(),
        savings_plans: vec![
            SavingsPlan {
                name: "ec2-m5".into(),
                kind: SpKind::Ec2Instance {
                    family: "m5".into(),
                },
                commitment_per_hour: Decimal::from(2),
                term: Term::OneYear,
                payment: Payment::NoUpfront,
                start,
                discount_pct: None,
            },
            SavingsPlan {
                name: "compute".into(),
                kind: SpKind::Compute,
                commitment_per_hour: Decimal::from(10),
                term: Term::ThreeYear,
                payment: Payment::PartialUpfront,
                start,
                discount_pct: None,
            },
        ],
        spot: SpotPolicy {
            share: Decimal::new(3, 1),
            checkpoint_seconds: Some(900),
            ..SpotPolicy::default()
        },
        ..FleetPlan::default()
    };
    (demand, plan, card)
}

fn whole(d: &FleetDemand, p: &FleetPlan, c: &RateCard) -> Decimal {
    let r = simulate_fleet(d, p, c, FleetOptions::default()).expect("valid bench input");
    let mc = monte_carlo(&r, &p.spot, RUNS, 7).expect("runs > 0");
    mc.cost_mean.0
}

fn bench(c: &mut Criterion) {
    let (d, p, card) = setup();
    // One timed pass, printed for the record (criterion's estimate follows).
    let t0 = Instant::now();
    let r = simulate_fleet(&d, &p, &card, FleetOptions::default()).expect("valid bench input");
    let t1 = Instant::now();
    let mc = monte_carlo(&r, &p.spot, RUNS, 7).expect("runs > 0");
    let t2 = Instant::now();
    eprintln!(
        "fleet: deterministic year × 50 types {:.2?}; {RUNS} Monte Carlo runs {:.2?} \
         ({:.0} interruptions/run); total {:.2?}; mean {} p95 {}",
        t1 - t0,
        t2 - t1,
        mc.interruptions.mean,
        t2 - t0,
        mc.cost_mean.display(),
        mc.cost_p95.display()
    );
    let mut g = c.benchmark_group("fleet");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(20));
    g.bench_function("year_hourly_50_types_1000_runs", |b| {
        b.iter(|| black_box(whole(black_box(&d), &p, &card)))
    });
    g.bench_function("monte_carlo_1000_runs", |b| {
        b.iter(|| black_box(monte_carlo(&r, &p.spot, RUNS, 7).map(|m| m.cost_mean)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
