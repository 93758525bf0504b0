//! Charts as a report reader sees them: PNGs that are not blank, SVGs that carry their title,
//! legend and escaped labels, identical bytes for identical data, and no panic on degenerate
//! input.

use costlab::report::charts::*;

const W: u32 = DEFAULT_WIDTH;
const H: u32 = DEFAULT_HEIGHT;

fn months(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("{}-{:02}", 2025 + i / 12, i % 12 + 1))
        .collect()
}

fn cost(n: usize) -> MonthlyCostData {
    let policy = |name: &str, f: f64| PolicyMonthlyCost {
        name: name.into(),
        cost: (0..3)
            .map(|c| {
                (0..n)
                    .map(|m| f * (100.0 + 10.0 * m as f64) / (c + 1) as f64)
                    .collect()
            })
            .collect(),
    };
    MonthlyCostData {
        title: "Monthly cost by category".into(),
        months: months(n),
        categories: vec!["Storage".into(), "Requests".into(), "Retrieval".into()],
        policies: vec![policy("Current", 1.0), policy("Recommended", 0.7)],
    }
}

fn storage(n: usize) -> StorageData {
    StorageData {
        title: "Bytes by storage class".into(),
        policy: "Recommended".into(),
        months: months(n),
        classes: ["STANDARD", "GLACIER_IR"]
            .iter()
            .map(|c| StorageClassSeries {
                class: c.to_string(),
                bytes: (0..n)
                    .map(|m| (m + 1) as f64 * (1u64 << 40) as f64)
                    .collect(),
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
        title: "Policies compared".into(),
        period: "per year".into(),
        baseline: "Current".into(),
        bars: vec![
            bar("Current", PolicyKind::Current, 1000.0),
            bar("Recommended", PolicyKind::Recommended, 750.0),
            bar("Intelligent-Tiering", PolicyKind::IntelligentTiering, 900.0),
            bar("All Standard", PolicyKind::AllStandard, 1500.0),
            bar("Clairvoyant bound", PolicyKind::ClairvoyantBound, 600.0),
        ],
    }
}

fn reads() -> ReadsByAgeData {
    ReadsByAgeData {
        title: "Reads by object age".into(),
        unit: "GET requests per month".into(),
        bands: ["0–30 days", "30–90 days", "Over 90 days"]
            .iter()
            .zip([5e6, 1e6, 2e5])
            .map(|(l, r)| AgeBand {
                label: l.to_string(),
                reads: r,
            })
            .collect(),
    }
}

fn compute(hours: usize) -> ComputeData {
    let demand: Vec<f64> = (0..hours)
        .map(|h| if h % 24 < 5 { 900.0 } else { 150.0 })
        .collect();
    let layer = |name: &str, kind, f: &dyn Fn(f64) -> f64| ComputeLayer {
        name: name.into(),
        kind,
        capacity: demand.iter().map(|d| f(*d)).collect(),
    };
    ComputeData {
        title: "Compute demand".into(),
        unit: "vCPUs".into(),
        start_epoch: 1_735_689_600,
        layers: vec![
            layer("Reserved", PurchaseKind::ReservedInstance, &|d| {
                d.min(100.0)
            }),
            layer("Savings Plan", PurchaseKind::SavingsPlan, &|d| {
                (d - 100.0).clamp(0.0, 50.0)
            }),
            layer("Spot", PurchaseKind::Spot, &|d| (d - 150.0).max(0.0) * 0.7),
            layer("On-Demand", PurchaseKind::OnDemand, &|d| {
                (d - 150.0).max(0.0) * 0.3
            }),
        ],
        demand,
    }
}

fn monte_carlo() -> MonteCarloData {
    MonteCarloData {
        title: "Cost distribution".into(),
        period: "per year".into(),
        samples: (0..500)
            .map(|i| 10_000.0 + ((i * 37) % 500) as f64 * 10.0)
            .collect(),
        p50: None,
        p95: None,
    }
}

fn waterfall() -> WaterfallData {
    WaterfallData {
        title: "Savings waterfall".into(),
        period: "per year".into(),
        start_label: "Cost today".into(),
        start: 1000.0,
        steps: vec![
            WaterfallStep {
                label: "Move logs to IA".into(),
                delta: -200.0,
            },
            WaterfallStep {
                label: "More transitions".into(),
                delta: 20.0,
            },
        ],
        end_label: "Recommended".into(),
        end: 820.0,
    }
}

/// Every chart, as (name, SVG, PNG) rendered from the same data.
fn render_all() -> Vec<(&'static str, String, Vec<u8>)> {
    macro_rules! both {
        ($name:expr, |$a:ident| $draw:expr) => {
            (
                $name,
                render_svg(W, H, |$a| $draw).unwrap(),
                render_png_bytes(W, H, |$a| $draw).unwrap(),
            )
        };
    }
    let (c, s, p, r, k, m, w) = (
        cost(24),
        storage(24),
        comparison(),
        reads(),
        compute(24 * 60),
        monte_carlo(),
        waterfall(),
    );
    vec![
        both!("monthly cost", |a| draw_monthly_cost(a, &c)),
        both!("storage", |a| draw_storage_by_class(a, &s)),
        both!("comparison", |a| draw_policy_comparison(a, &p)),
        both!("reads", |a| draw_reads_by_age(a, &r)),
        both!("compute week", |a| draw_compute_week(a, &k, 48)),
        both!("compute horizon", |a| draw_compute_horizon(a, &k)),
        both!("monte carlo", |a| draw_monte_carlo(a, &m)),
        both!("waterfall", |a| draw_waterfall(a, &w)),
    ]
}

/// Share of pixels in the plot region (below the title and legend, inside the margins) that
/// are not the white background.
fn ink_in_plot_area(png: &[u8]) -> f64 {
    let (w, h, rgb) = decode_png_rgb(png).expect("our PNGs decode");
    assert_eq!((w, h), (W, H));
    let (x0, x1, y0, y1) = (w / 10, w * 9 / 10, h / 4, h * 17 / 20);
    let mut ink = 0usize;
    for y in y0..y1 {
        for x in x0..x1 {
            let i = (y * w + x) as usize * 3;
            if rgb[i..i + 3] != [255, 255, 255] {
                ink += 1;
            }
        }
    }
    ink as f64 / ((x1 - x0) * (y1 - y0)) as f64
}

#[test]
fn pngs_are_not_blank() {
    for (name, _, png) in render_all() {
        let ink = ink_in_plot_area(&png);
        assert!(
            ink > 0.03,
            "{name}: only {:.1}% of the plot area is drawn",
            ink * 100.0
        );
    }
}

#[test]
fn svgs_carry_titles_axes_and_legends() {
    let all = render_all();
    let svg = |n: &str| &all.iter().find(|(name, _, _)| *name == n).unwrap().1;
    for (name, svg, _) in &all {
        assert!(svg.starts_with("<svg"), "{name}");
        assert!(
            svg.contains("font-family=\"DejaVu Sans, sans-serif\""),
            "{name}"
        );
    }
    let expect = [
        (
            "monthly cost",
            &[
                "Monthly cost by category",
                "Storage",
                "Requests",
                "Retrieval",
                "Current",
                "Recommended",
                "USD per month",
                "$",
            ][..],
        ),
        (
            "storage",
            &[
                "Bytes by storage class",
                "STANDARD",
                "GLACIER_IR",
                "Stored (TiB)",
            ][..],
        ),
        (
            "comparison",
            &[
                "Policies compared",
                "$750.00 · saves 25.0%",
                "$1,500.00 · costs 50.0% more",
                "$1,000.00 · baseline",
                "Clairvoyant bound",
                "USD per year",
            ][..],
        ),
        (
            "reads",
            &[
                "Reads by object age",
                "0–30 days",
                "5M (80.6%)",
                "GET requests per month",
            ][..],
        ),
        (
            "compute week",
            &[
                "Compute demand",
                "Reserved",
                "Savings Plan",
                "Spot",
                "On-Demand",
                "Demand",
                "vCPUs",
                "Fri 03 Jan",
            ][..],
        ),
        (
            "compute horizon",
            &["daily averages", "Demand (daily average)", "Mon 06 Jan"][..],
        ),
        (
            "monte carlo",
            &[
                "Cost distribution",
                "p50 (median)",
                "p95",
                "Share of simulated runs",
            ][..],
        ),
        (
            "waterfall",
            &[
                "Savings waterfall",
                "$1,000.00",
                "-$200.00",
                "+$20.00",
                "$820.00",
                "Move logs to IA",
                "Saving",
                "Added cost",
            ][..],
        ),
    ];
    for (name, texts) in expect {
        for t in texts {
            assert!(svg(name).contains(t), "{name}: SVG lacks {t:?}");
        }
    }
}

#[test]
fn labels_are_escaped_in_svg() {
    let evil = "<script>alert(1)</script> & co";
    let mut c = cost(3);
    c.categories[0] = evil.into();
    c.policies[0].name = evil.into();
    let mut p = comparison();
    p.bars[1].name = evil.into();
    p.title = evil.into();
    let svgs = [
        render_svg(W, H, |a| draw_monthly_cost(a, &c)).unwrap(),
        render_svg(W, H, |a| draw_policy_comparison(a, &p)).unwrap(),
    ];
    for svg in svgs {
        assert!(!svg.contains("<script"), "raw markup leaked into the SVG");
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"));
    }
}

#[test]
fn same_data_gives_identical_bytes() {
    let a = render_all();
    let b = render_all();
    for ((name, svg_a, png_a), (_, svg_b, png_b)) in a.iter().zip(&b) {
        assert_eq!(svg_a, svg_b, "{name}: SVG differs between runs");
        assert!(png_a == png_b, "{name}: PNG differs between runs");
    }
}

#[test]
fn png_file_is_written_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("waterfall.png");
    let w = waterfall();
    render_png(&path, 640, 400, |a| draw_waterfall(a, &w)).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(
        decode_png_rgb(&bytes).map(|(w, h, _)| (w, h)),
        Some((640, 400))
    );
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("waterfall.png")]);

    let missing = dir.path().join("no/such/dir/x.png");
    let err = render_png(&missing, 640, 400, |a| draw_waterfall(a, &w)).unwrap_err();
    assert!(matches!(err, ChartError::Io { .. }), "{err}");
    let err = render_svg(0, 0, |a| draw_waterfall(a, &w)).unwrap_err();
    assert!(matches!(err, ChartError::Size { .. }), "{err}");
}

/// Renders one chart function to SVG and PNG at the default size and a tiny one.
macro_rules! survives {
    (|$a:ident| $draw:expr) => {{
        for (w, h) in [(120, 80), (16, 16)] {
            render_png_bytes(w, h, |$a| $draw).unwrap();
        }
        for (w, h) in [(W, H)] {
            render_png_bytes(w, h, |$a| $draw).unwrap();
            render_svg(w, h, |$a| $draw).unwrap();
        }
        render_svg(W, H, |$a| $draw).unwrap()
    }};
}

#[test]
fn empty_inputs_say_no_data() {
    let svgs = [
        survives!(|a| draw_monthly_cost(a, &MonthlyCostData::default())),
        survives!(|a| draw_storage_by_class(a, &StorageData::default())),
        survives!(|a| draw_policy_comparison(a, &PolicyComparisonData::default())),
        survives!(|a| draw_reads_by_age(a, &ReadsByAgeData::default())),
        survives!(|a| draw_compute_week(a, &ComputeData::default(), 0)),
        survives!(|a| draw_compute_horizon(a, &ComputeData::default())),
        survives!(|a| draw_monte_carlo(a, &MonteCarloData::default())),
    ];
    for svg in svgs {
        assert!(svg.contains("No data to chart"));
    }
    // A waterfall with no steps is still two honest bars.
    let w = WaterfallData {
        start: 5.0,
        end: 5.0,
        ..Default::default()
    };
    let svg = survives!(|a| draw_waterfall(a, &w));
    assert!(svg.contains("Cost today") && svg.contains("$5.00"));
    let w = WaterfallData {
        start: f64::NAN,
        ..Default::default()
    };
    assert!(survives!(|a| draw_waterfall(a, &w)).contains("No data to chart"));
}

#[test]
fn degenerate_values_do_not_panic_and_are_reported() {
    let long = "x".repeat(5_000) + "\n\t<end>";
    // NaN, negative and infinite values, one month, a very long label.
    let mut c = cost(1);
    c.policies[0].cost[0][0] = f64::NAN;
    c.policies[1].cost[1][0] = -5.0;
    c.policies[1].name = long.clone();
    let svg = survives!(|a| draw_monthly_cost(a, &c));
    assert!(
        svg.contains("1 non-numeric or out-of-range and 1 negative input value(s) drawn as zero")
    );
    assert!(svg.contains('…'), "the long label is truncated");
    assert!(!svg.contains(&"x".repeat(400)));

    // Ragged series and all zeros.
    let mut s = storage(5);
    s.classes[0].bytes.truncate(2);
    s.classes[1].bytes = vec![0.0; 5];
    survives!(|a| draw_storage_by_class(a, &s));
    let zero = StorageData {
        classes: vec![StorageClassSeries {
            class: "STANDARD".into(),
            bytes: vec![0.0; 3],
        }],
        ..storage(3)
    };
    assert!(survives!(|a| draw_storage_by_class(a, &zero)).contains("Nothing is stored"));

    // Hundreds of months.
    survives!(|a| draw_monthly_cost(a, &cost(400)));
    survives!(|a| draw_storage_by_class(a, &storage(400)));

    let mut p = comparison();
    p.bars[0].cost = f64::NAN; // the baseline itself
    p.bars[1].cost = f64::INFINITY;
    p.bars[2].cost = -1.0;
    p.bars[3].name = long.clone();
    let svg = survives!(|a| draw_policy_comparison(a, &p));
    assert!(svg.contains("n/a") && svg.contains("No saving shown"));

    let zeros = ReadsByAgeData {
        bands: vec![AgeBand {
            label: long.clone(),
            reads: 0.0,
        }],
        ..reads()
    };
    assert!(survives!(|a| draw_reads_by_age(a, &zeros)).contains("No reads in any band"));

    let mut k = compute(1);
    k.demand[0] = f64::NAN;
    k.layers[0].capacity.clear();
    survives!(|a| draw_compute_horizon(a, &k));
    survives!(|a| draw_compute_week(a, &k, 10_000)); // past the end: no data
    survives!(|a| draw_compute_horizon(a, &compute(24 * 400)));

    let one = MonteCarloData {
        samples: vec![42.0],
        ..monte_carlo()
    };
    assert!(survives!(|a| draw_monte_carlo(a, &one)).contains("p50 $42.00"));
    let bad = MonteCarloData {
        samples: vec![f64::NAN, -1.0, 3.0],
        p50: Some(f64::NAN),
        ..monte_carlo()
    };
    assert!(survives!(|a| draw_monte_carlo(a, &bad)).contains("2 sample(s) dropped"));

    let mut w = waterfall();
    w.steps[0].delta = f64::NAN;
    w.steps.push(WaterfallStep {
        label: long,
        delta: -1e12,
    });
    let svg = survives!(|a| draw_waterfall(a, &w));
    assert!(svg.contains("Other (unexplained)") && svg.contains("without a numeric amount"));
}

#[test]
fn huge_values_are_flagged_not_overflowed() {
    let mut c = cost(2);
    c.policies[0].cost[0] = vec![1e308, 1e308];
    assert!(survives!(|a| draw_monthly_cost(a, &c)).contains("out-of-range"));
    let mut p = comparison();
    p.bars[3].cost = f64::MAX;
    assert!(survives!(|a| draw_policy_comparison(a, &p)).contains("n/a"));
    let mut w = waterfall();
    w.steps[0].delta = f64::MAX;
    w.steps[1].delta = f64::MAX;
    survives!(|a| draw_waterfall(a, &w));
    let m = MonteCarloData {
        samples: vec![f64::MAX, 1.0, 2.0],
        ..monte_carlo()
    };
    survives!(|a| draw_monte_carlo(a, &m));
    let mut k = compute(48);
    k.demand[3] = f64::MAX;
    survives!(|a| draw_compute_week(a, &k, 0));
}

#[test]
fn money_and_unit_formatters() {
    assert_eq!(format_usd_f64(12_345.67), "$12,345.67");
    assert_eq!(format_usd_f64(-1.0), "-$1.00");
    assert_eq!(format_usd_f64(0.125), "$0.13");
    assert_eq!(format_usd_f64(0.0), "$0.00");
    assert_eq!(format_usd_f64(1e6), "$1,000,000.00");
    assert_eq!(format_usd_f64(f64::NAN), "n/a");
    assert_eq!(format_usd_short(12_345.67), "$12.3k");
    assert_eq!(format_usd_short(250_000.0), "$250k");
    assert_eq!(format_usd_short(2_500_000.0), "$2.5M");
    assert_eq!(format_usd_short(-950.0), "-$950");
    assert_eq!(format_count_short(48_200_000.0), "48.2M");
    assert_eq!(format_bytes((1u64 << 40) as f64 * 2.5), "2.5 TiB");
    assert_eq!(format_bytes((1u64 << 30) as f64), "1 GiB");
    assert_eq!(format_percent(0.372), "37.2%");
    assert_eq!(percentile(&[3.0, 1.0, 2.0], 50.0), Some(2.0));
}
