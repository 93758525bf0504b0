//! Renders every chart with realistic sample data into a directory, as PNG and SVG:
//!
//! ```text
//! cargo run --example charts_demo -- OUT_DIR [--edge-cases]
//! ```
//!
//! `--edge-cases` also renders degenerate inputs (empty, single point, NaN, very long labels,
//! 300 months) under `edge-*` names, to check by eye that they stay honest and readable.

use costlab::report::charts::*;
use std::error::Error;
use std::path::Path;

const TIB: f64 = (1u64 << 40) as f64;

/// A small deterministic generator so the demo needs no RNG crate and is reproducible.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 11) as f64) / ((1u64 << 53) as f64)
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.next().max(1e-12), self.next());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

macro_rules! both {
    ($dir:expr, $name:expr, |$a:ident| $draw:expr) => {{
        let dir: &Path = $dir;
        render_png(
            &dir.join(format!("{}.png", $name)),
            DEFAULT_WIDTH,
            DEFAULT_HEIGHT,
            |$a| $draw,
        )?;
        let svg = render_svg(DEFAULT_WIDTH, DEFAULT_HEIGHT, |$a| $draw)?;
        std::fs::write(dir.join(format!("{}.svg", $name)), svg)?;
        println!("wrote {}/{}.png and .svg", dir.display(), $name);
    }};
}

fn months(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("{}-{:02}", 2025 + i / 12, i % 12 + 1))
        .collect()
}

fn monthly_cost(n: usize) -> MonthlyCostData {
    let categories = [
        "Storage",
        "Requests",
        "Retrieval",
        "Transitions",
        "Monitoring",
        "Early deletion",
    ];
    // Per-policy shares of a lake growing by ~10 TiB a month.
    let policy =
        |name: &str, gb_price: f64, req: f64, retr: f64, trans: f64, mon: f64, early: f64| {
            let mut cost = vec![Vec::new(); categories.len()];
            for m in 0..n {
                let tib = 10.0 * (m + 1) as f64;
                let season = 1.0 + 0.1 * ((m as f64) * 0.52).sin();
                cost[0].push(tib * 1024.0 * gb_price);
                cost[1].push(req * season);
                cost[2].push(retr * season * (m as f64 / 6.0).min(1.0));
                cost[3].push(if m >= 1 { trans } else { 0.0 });
                cost[4].push(mon * tib / 10.0);
                cost[5].push(early * (m % 4 == 3) as u8 as f64);
            }
            PolicyMonthlyCost {
                name: name.to_string(),
                cost,
            }
        };
    MonthlyCostData {
        title: "Monthly S3 cost by category".into(),
        months: months(n),
        categories: categories.iter().map(|s| s.to_string()).collect(),
        policies: vec![
            policy(
                "Current (30→IA, 90→Glacier, 365→Deep Archive)",
                0.0105,
                1900.0,
                420.0,
                310.0,
                0.0,
                120.0,
            ),
            policy("Recommended", 0.0082, 1900.0, 260.0, 380.0, 0.0, 40.0),
            policy("Intelligent-Tiering", 0.0121, 1900.0, 0.0, 90.0, 25.0, 0.0),
            policy("All Standard", 0.023, 1900.0, 0.0, 0.0, 0.0, 0.0),
        ],
    }
}

fn storage(n: usize) -> StorageData {
    let mut classes = vec![
        ("STANDARD", Vec::new()),
        ("STANDARD_IA", Vec::new()),
        ("GLACIER_IR", Vec::new()),
        ("DEEP_ARCHIVE", Vec::new()),
    ];
    for m in 0..n {
        let age_months = (m + 1) as f64;
        let std = age_months.min(1.0) * 10.0;
        let ia = (age_months - 1.0).clamp(0.0, 2.0) * 10.0;
        let gir = (age_months - 3.0).clamp(0.0, 9.0) * 10.0;
        let da = (age_months - 12.0).max(0.0) * 10.0;
        for (c, v) in classes.iter_mut().zip([std, ia, gir, da]) {
            c.1.push(v * TIB);
        }
    }
    StorageData {
        title: "Bytes stored by storage class".into(),
        policy: "Recommended".into(),
        months: months(n),
        classes: classes
            .into_iter()
            .map(|(class, bytes)| StorageClassSeries {
                class: class.into(),
                bytes,
            })
            .collect(),
    }
}

fn comparison() -> PolicyComparisonData {
    let bar = |name: &str, kind, cost| PolicyBar {
        name: name.into(),
        kind,
        cost,
    };
    PolicyComparisonData {
        title: "Storage policies compared".into(),
        period: "per year".into(),
        baseline: "Current (30→IA, 90→Glacier, 365→Deep Archive)".into(),
        bars: vec![
            bar(
                "Current (30→IA, 90→Glacier, 365→Deep Archive)",
                PolicyKind::Current,
                412_345.67,
            ),
            bar("Recommended", PolicyKind::Recommended, 259_045.67),
            bar(
                "Intelligent-Tiering",
                PolicyKind::IntelligentTiering,
                318_220.10,
            ),
            bar("All Standard", PolicyKind::AllStandard, 655_901.02),
            bar(
                "Clairvoyant bound",
                PolicyKind::ClairvoyantBound,
                231_500.00,
            ),
        ],
    }
}

fn reads() -> ReadsByAgeData {
    let band = |label: &str, reads| AgeBand {
        label: label.into(),
        reads,
    };
    ReadsByAgeData {
        title: "Reads by object age".into(),
        unit: "GET requests per month".into(),
        bands: vec![
            band("0–7 days", 48_200_000.0),
            band("7–30 days", 21_700_000.0),
            band("30–90 days", 6_300_000.0),
            band("90–180 days", 1_150_000.0),
            band("180–365 days", 420_000.0),
            band("Over 1 year", 95_000.0),
        ],
    }
}

fn compute(days: usize) -> ComputeData {
    let mut rng = Lcg(7);
    let hours = days * 24;
    let mut demand = Vec::with_capacity(hours);
    let (mut ri, mut sp, mut spot, mut od) = (vec![], vec![], vec![], vec![]);
    for h in 0..hours {
        let hod = h % 24;
        let dow = (h / 24 + 2) % 7; // the horizon starts on a Wednesday
        let nightly = if (1..6).contains(&hod) { 960.0 } else { 0.0 };
        let weekend = if dow >= 5 { 0.6 } else { 1.0 };
        let d = ((180.0 + nightly * weekend) * (1.0 + 0.08 * rng.normal())).max(0.0);
        let interrupted = rng.next() < 0.04;
        let r = d.min(160.0);
        let s = (d - r).min(200.0);
        let rest = d - r - s;
        let sp_share = if interrupted { 0.2 } else { 0.8 };
        demand.push(d);
        ri.push(r);
        sp.push(s);
        spot.push(rest * sp_share);
        od.push(rest * (1.0 - sp_share));
    }
    let layer = |name: &str, kind, capacity| ComputeLayer {
        name: name.into(),
        kind,
        capacity,
    };
    ComputeData {
        title: "Nightly EMR fleet: demand against purchase options".into(),
        unit: "vCPUs".into(),
        start_epoch: 1_735_689_600, // 2025-01-01 00:00 UTC
        demand,
        layers: vec![
            layer("Reserved Instances", PurchaseKind::ReservedInstance, ri),
            layer("Savings Plan", PurchaseKind::SavingsPlan, sp),
            layer("Spot", PurchaseKind::Spot, spot),
            layer("On-Demand", PurchaseKind::OnDemand, od),
        ],
    }
}

fn monte_carlo(n: usize) -> MonteCarloData {
    let mut rng = Lcg(42);
    let samples = (0..n)
        .map(|_| 259_045.67 * (0.12 * rng.normal()).exp() + 8_000.0 * rng.next())
        .collect();
    MonteCarloData {
        title: "Recommended policy: cost uncertainty".into(),
        period: "per year".into(),
        samples,
        p50: None,
        p95: None,
    }
}

fn waterfall() -> WaterfallData {
    let step = |label: &str, delta| WaterfallStep {
        label: label.into(),
        delta,
    };
    let steps = vec![
        step(
            "logs/ to Glacier Instant Retrieval after 30 days",
            -85_000.0,
        ),
        step("Expire tmp/ after 7 days", -12_000.0),
        step("raw/ to Deep Archive after 180 days", -60_300.0),
        step("More transition requests", 4_500.0),
        step("Intelligent-Tiering monitoring for gold/", 1_200.0),
    ];
    let end = 412_345.67 + steps.iter().map(|s| s.delta).sum::<f64>();
    WaterfallData {
        title: "Where the saving comes from".into(),
        period: "per year".into(),
        start_label: "Cost today".into(),
        start: 412_345.67,
        steps,
        end_label: "Recommended".into(),
        end,
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let Some(out) = args.next() else {
        eprintln!("usage: charts_demo OUT_DIR [--edge-cases]");
        std::process::exit(2);
    };
    let edge = args.any(|a| a == "--edge-cases");
    let dir = Path::new(&out);
    std::fs::create_dir_all(dir)?;

    let cost = monthly_cost(36);
    both!(dir, "monthly-cost", |a| draw_monthly_cost(a, &cost));
    let st = storage(36);
    both!(dir, "storage-by-class", |a| draw_storage_by_class(a, &st));
    let cmp = comparison();
    both!(dir, "policy-comparison", |a| draw_policy_comparison(
        a, &cmp
    ));
    let rd = reads();
    both!(dir, "reads-by-age", |a| draw_reads_by_age(a, &rd));
    let cp = compute(365);
    both!(dir, "compute-week", |a| draw_compute_week(a, &cp, 24 * 12));
    both!(dir, "compute-horizon", |a| draw_compute_horizon(a, &cp));
    let mc = monte_carlo(2_000);
    both!(dir, "monte-carlo", |a| draw_monte_carlo(a, &mc));
    let wf = waterfall();
    both!(dir, "waterfall", |a| draw_waterfall(a, &wf));

    if edge {
        edge_cases(dir)?;
    }
    Ok(())
}

fn edge_cases(dir: &Path) -> Result<(), Box<dyn Error>> {
    let long = "s3://an-extremely-long-bucket-name-for-the-bronze-layer/with/a/very/deep/prefix/that/never/ends/and/keeps/going".to_string();
    let empty = MonthlyCostData::default();
    both!(dir, "edge-empty-cost", |a| draw_monthly_cost(a, &empty));
    let mut many = monthly_cost(300);
    many.policies[0].name = long.clone();
    many.policies[1].cost[0][5] = f64::NAN;
    many.policies[1].cost[1][7] = -3.0;
    both!(dir, "edge-300-months", |a| draw_monthly_cost(a, &many));
    let one = StorageData {
        months: months(1),
        ..storage(1)
    };
    both!(dir, "edge-one-month-storage", |a| draw_storage_by_class(
        a, &one
    ));
    let mut cmp = comparison();
    cmp.bars[2].cost = f64::NAN;
    cmp.bars[3].name = format!("<script>alert(1)</script> & {long}");
    both!(dir, "edge-comparison", |a| draw_policy_comparison(a, &cmp));
    let zeros = ReadsByAgeData {
        bands: reads()
            .bands
            .into_iter()
            .map(|b| AgeBand { reads: 0.0, ..b })
            .collect(),
        ..reads()
    };
    both!(dir, "edge-zero-reads", |a| draw_reads_by_age(a, &zeros));
    let short = compute(3);
    both!(dir, "edge-compute-3-days", |a| draw_compute_horizon(
        a, &short
    ));
    let mc = MonteCarloData {
        samples: vec![1234.5; 10],
        ..monte_carlo(0)
    };
    both!(dir, "edge-mc-constant", |a| draw_monte_carlo(a, &mc));
    let mut wf = waterfall();
    wf.end += 9_999.0;
    wf.steps[1].delta = f64::NAN;
    wf.steps.extend((0..10).map(|i| WaterfallStep {
        label: format!("Change number {i} with a long description"),
        delta: -1_000.0 * i as f64,
    }));
    wf.end -= 45_000.0;
    both!(dir, "edge-waterfall", |a| draw_waterfall(a, &wf));
    Ok(())
}
