//! `costlab run`, `costlab report` and `costlab check`, as a user and a CI pipeline run them.

use super::{Workdir, expect_input_error};
use serde_json::Value;
use std::path::Path;

/// A small lake: a hot object read often, a cold one never read, one read at 40 days, and a
/// key that tries to inject a script into the HTML.
fn lake(w: &Workdir, name: &str, pricing: Option<&str>) -> std::path::PathBuf {
    let rec = |t: &str, op: &str, key: &str, sent: &str, size: &str| {
        format!(
            "o lake [{t} +0000] 10.0.0.1 arn:aws:iam::1:user/u RID {op} {key} \"X /lake/{key} HTTP/1.1\" 200 - {sent} {size} 5 2 \"-\" \"ua\" - HID SigV4 C AuthHeader lake.s3.amazonaws.com TLSv1.2 - - us-east-1\n"
        )
    };
    let g = "1073741824";
    let mut log = String::new();
    log += &rec(
        "01/Mar/2026:10:00:00",
        "REST.PUT.OBJECT",
        "gold/hot.parquet",
        "-",
        g,
    );
    log += &rec(
        "01/Mar/2026:11:00:00",
        "REST.PUT.OBJECT",
        "bronze/cold.json",
        "-",
        g,
    );
    log += &rec(
        "01/Mar/2026:12:00:00",
        "REST.PUT.OBJECT",
        "%3Cscript%3Ealert(1)%3C/script%3E/x",
        "-",
        "1000",
    );
    for d in 2..=28 {
        log += &rec(
            &format!("{d:02}/Mar/2026:09:00:00"),
            "REST.GET.OBJECT",
            "gold/hot.parquet",
            g,
            g,
        );
    }
    log += &rec(
        "10/Apr/2026:09:00:00",
        "REST.GET.OBJECT",
        "bronze/cold.json",
        g,
        g,
    );
    std::fs::create_dir_all(w.path("logs")).unwrap();
    w.write("logs/2026-03-01-10-00-00-ABCDEF0123456789", &log);
    w.write(
        "rot.json",
        r#"{"Rules":[{"ID":"rot","Status":"Enabled","Filter":{},"Transitions":[{"Days":30,"StorageClass":"STANDARD_IA"},{"Days":90,"StorageClass":"GLACIER"}]}]}"#,
    );
    let pricing = pricing
        .map(|p| format!("pricing = \"{p}\"\n"))
        .unwrap_or_else(|| "region = \"us-east-1\"\n".into());
    w.write(
        "lake.toml",
        &format!(
            "name = \"{name}\"\n{pricing}start = \"2026-03-01\"\nend = \"2026-07-01\"\nseed = 11\ncurrent = \"std\"\n[evidence]\nlogs = [\"logs/\"]\n[[policy]]\nname = \"std\"\nall_standard = true\n[[policy]]\nname = \"rot\"\nlifecycle = \"rot.json\"\n[[policy]]\nname = \"it\"\nintelligent_tiering = true\n"
        ),
    )
}

fn ok(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn money(v: &Value) -> String {
    let d = super::dec(v);
    costlab::units::Money(d).display()
}

#[test]
fn run_writes_a_report_whose_views_agree_with_report_json() {
    let w = Workdir::new();
    let sc = lake(&w, "lake <b>&</b>", None);
    let out = w.run(&["run", sc.to_str().unwrap(), "--out", "rep"]);
    ok(&out);
    let dir = w.path("rep");
    let read = |p: &str| std::fs::read(dir.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
    let j: Value = serde_json::from_slice(&read("report.json")).unwrap();
    let html = String::from_utf8(read("index.html")).unwrap();
    let md = String::from_utf8(read("summary.md")).unwrap();
    assert_eq!(j["seed"], 11);
    let names: Vec<&str> = j["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["std", "rot", "it", "clairvoyant-bound"]);
    // Every policy's total, as $X, appears in the HTML and the Markdown.
    for p in j["policies"].as_array().unwrap() {
        let t = money(&p["total_usd"]);
        assert!(html.contains(&t), "{t} not in index.html");
        assert!(md.contains(&t), "{t} not in summary.md");
    }
    // The bound is the cheapest, and each policy's distance to it is total − bound.
    let bound = super::dec(&j["policies"][3]["total_usd"]);
    for p in j["policies"].as_array().unwrap() {
        let t = super::dec(&p["total_usd"]);
        assert!(bound <= t);
        assert_eq!(super::dec(&p["above_bound_usd"]), t - bound);
    }
    // Inputs are escaped: the scenario name and the object key's prefix.
    assert!(!html.contains("<script>") && !html.contains("<b>&</b>"));
    assert!(
        html.contains("<td>&lt;script&gt;alert(1)&lt;/</td>"),
        "{}",
        &html[html.find("Busiest").unwrap_or(0)..][..600]
    );
    assert!(html.contains("lake &lt;b&gt;&amp;&lt;/b&gt;"));
    // Self-contained: no external assets.
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http"));
    // Charts: PNG and SVG of each, the SVGs inlined in the HTML, the PNGs not blank.
    for id in [
        "policy-comparison",
        "monthly-cost",
        "storage-1",
        "reads-by-age",
    ] {
        let png = read(&format!("charts/{id}.png"));
        let (wd, ht, rgb) = costlab::report::charts::decode_png_rgb(&png).expect("png");
        assert_eq!((wd, ht), (1200, 700));
        let ink = rgb.chunks(3).filter(|p| p != &[255, 255, 255]).count();
        assert!(ink > 1200 * 700 / 50, "{id}.png is nearly blank");
        let svg = String::from_utf8(read(&format!("charts/{id}.svg"))).unwrap();
        assert!(html.contains(&svg), "{id}.svg not inlined");
    }
    // Regenerating from report.json gives the same bytes, format by format.
    let rj = dir.join("report.json");
    for (format, file) in [
        ("html", "index.html"),
        ("md", "summary.md"),
        ("csv", "bill.csv"),
        ("json", "report.json"),
    ] {
        let again = w.run(&["report", rj.to_str().unwrap(), "--format", format]);
        ok(&again);
        assert_eq!(again.stdout, read(file), "{format} differs from {file}");
    }
    let charts = w.path("charts-again");
    ok(&w.run(&[
        "report",
        rj.to_str().unwrap(),
        "--format",
        "png",
        "--out",
        charts.to_str().unwrap(),
    ]));
    assert_eq!(
        std::fs::read(charts.join("monthly-cost.png")).unwrap(),
        read("charts/monthly-cost.png")
    );
    // A second run of the same inputs writes byte-identical files.
    ok(&w.run(&["run", sc.to_str().unwrap(), "--out", "rep2"]));
    for f in [
        "report.json",
        "index.html",
        "summary.md",
        "bill.csv",
        "charts/storage-2.png",
    ] {
        assert_eq!(
            std::fs::read(w.path("rep2").join(f)).unwrap(),
            read(f),
            "{f}"
        );
    }
    if let Some(shot) = browser_screenshot(&dir.join("index.html"), &w.path("shot.png")) {
        let (_, _, rgb) = costlab::report::charts::decode_png_rgb(&shot).expect("screenshot png");
        let colours: std::collections::BTreeSet<&[u8]> = rgb.chunks(3).collect();
        assert!(
            colours.len() > 50,
            "the page looks blank ({} colours)",
            colours.len()
        );
    }
}

/// Headless Chromium: the DOM it rendered must hold the title and summary, and the screenshot
/// is returned (None, with a notice, when no browser is installed).
fn browser_screenshot(html: &Path, png: &Path) -> Option<Vec<u8>> {
    let browser = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            std::process::Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        });
    let Some(browser) = browser else {
        eprintln!(
            "notice: no chromium found; the browser check of index.html is skipped (scripts/test.sh installs it)"
        );
        return None;
    };
    let url = format!("file://{}", html.display());
    let common = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
    ];
    let dom = std::process::Command::new(browser)
        .args(common)
        .args(["--dump-dom", &url])
        .output()
        .expect("chromium --dump-dom");
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains("<title>costlab — lake"),
        "title missing from the rendered page"
    );
    assert!(dom.contains("Saving per year") && dom.contains("id=\"summary\""));
    let shot = std::process::Command::new(browser)
        .args(common)
        .args([
            "--window-size=1280,2400",
            &format!("--screenshot={}", png.display()),
            &url,
        ])
        .output()
        .expect("chromium --screenshot");
    assert!(
        shot.status.success(),
        "{}",
        String::from_utf8_lossy(&shot.stderr)
    );
    Some(std::fs::read(png).expect("screenshot written"))
}

#[test]
fn check_gates_on_budgets_and_baselines() {
    let w = Workdir::new();
    let sc = lake(&w, "lake", None);
    let sc = sc.to_str().unwrap();
    ok(&w.run(&["run", sc, "--out", "rep"]));
    let j: Value =
        serde_json::from_slice(&std::fs::read(w.path("rep/report.json")).unwrap()).unwrap();
    let std_total = super::dec(&j["policies"][0]["total_usd"]);
    // Within budget: exit 0, every line listed with its headroom.
    let fine = w.write(
        "fine.toml",
        &format!("[[budget]]\nscenario = \"lake\"\npolicy = \"std\"\nmax_total_usd = {}\nmax_monthly_usd = 100\n\n[budget.categories]\nretrieval = 0\n", std_total + rust_decimal::Decimal::ONE),
    );
    let out = w.run(&["check", sc, "--budget", fine.to_str().unwrap()]);
    ok(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("3 of 3 lines hold"), "{text}");
    assert!(text.contains("headroom $1.00"), "{text}");
    // A breach: exit 1, the line named with where its limit was written; JUnit lists it.
    let tight = w.write(
        "tight.toml",
        &format!("[[budget]]\npolicy = \"current\"\nmax_total_usd = {}\n\n[[budget]]\npolicy = \"recommended\"\nmax_total_usd = 1000\n", std_total - rust_decimal::Decimal::new(1, 2)),
    );
    let out = w.run(&[
        "check",
        "rep/report.json",
        "--budget",
        tight.to_str().unwrap(),
        "--format",
        "junit",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let xml = String::from_utf8_lossy(&out.stdout);
    assert!(xml.contains("tests=\"2\" failures=\"1\""), "{xml}");
    assert!(
        xml.contains("lake / current / max_total_usd")
            && xml.contains("by $0.01 (")
            && xml.contains("tight.toml:1)"),
        "{xml}"
    );
    // Malformed budget: exit 2 with file:line.
    let bad = w.write(
        "bad.toml",
        "[[budget]]\npolicy = \"std\"\nmax_total_usd = \"lots\"\n",
    );
    expect_input_error(
        &w,
        &["check", sc, "--budget", bad.to_str().unwrap()],
        &["bad.toml:3", "max_total_usd"],
    );
    let bad = w.write(
        "bad2.toml",
        "[[budget]]\npolicy = \"std\"\n[budget.categories]\nretreival = 1\n",
    );
    expect_input_error(
        &w,
        &["check", sc, "--budget", bad.to_str().unwrap()],
        &["bad2.toml:4", "retreival"],
    );
    // A budget file none of whose budgets applies to this scenario is an input error, not a pass.
    let other = w.write(
        "other.toml",
        "[[budget]]\nscenario = \"data-lake\"\nmax_total_usd = 1\n",
    );
    expect_input_error(
        &w,
        &["check", sc, "--budget", other.to_str().unwrap()],
        &["no [[budget]] applies", "\"lake\""],
    );
    // A missing baseline says how to make one.
    expect_input_error(
        &w,
        &[
            "check",
            sc,
            "--budget",
            fine.to_str().unwrap(),
            "--baseline",
            "base.json",
        ],
        &["base.json does not exist", "--update-baseline"],
    );
    ok(&w.run(&[
        "check",
        sc,
        "--budget",
        fine.to_str().unwrap(),
        "--baseline",
        "base.json",
        "--update-baseline",
    ]));
    assert_eq!(
        std::fs::read(w.path("base.json")).unwrap(),
        std::fs::read(w.path("rep/report.json")).unwrap()
    );
    // A price raised in the book: the growth limit breaks and the moved line is named.
    w.write(
        "dear.toml",
        "inherits = \"aws-us-east-1.toml\"\n\n[s3.storage]\nsource = \"test: STANDARD raised\"\neffective_date = \"2026-11-22\"\nSTANDARD = [ { up_to = 51200, usd = 0.046 }, { up_to = 512000, usd = 0.044 }, { usd = 0.042 } ]\n",
    );
    let grow = w.write(
        "grow.toml",
        "[[budget]]\npolicy = \"std\"\nmax_growth_pct = 5\n",
    );
    // Two runs of the same inputs give byte-identical verdicts.
    let args = [
        "check",
        sc,
        "--budget",
        grow.to_str().unwrap(),
        "--baseline",
        "base.json",
        "--format",
        "json",
    ];
    assert_eq!(w.run(&args).stdout, w.run(&args).stdout);
    let unchanged = w.run(&[
        "check",
        sc,
        "--budget",
        grow.to_str().unwrap(),
        "--baseline",
        "base.json",
        "--format",
        "md",
    ]);
    ok(&unchanged);
    let dear = lake(&w, "lake", Some("dear.toml"));
    let out = w.run(&[
        "check",
        dear.to_str().unwrap(),
        "--budget",
        grow.to_str().unwrap(),
        "--baseline",
        "base.json",
        "--format",
        "md",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(
        md.contains("❌") && md.contains("max\\_growth\\_pct"),
        "{md}"
    );
    assert!(md.contains("TimedStorage-ByteHrs"), "{md}");
    // A lifecycle rule removed (the 30-day Standard-IA step): the policy's cost grows.
    lake(&w, "lake", None);
    w.write(
        "rot.json",
        r#"{"Rules":[{"ID":"rot","Status":"Enabled","Filter":{},"Transitions":[{"Days":90,"StorageClass":"GLACIER"}]}]}"#,
    );
    let rot = w.write(
        "rot-budget.toml",
        "[[budget]]\npolicy = \"rot\"\nmax_growth_usd = 0\n",
    );
    let out = w.run(&[
        "check",
        sc,
        "--budget",
        rot.to_str().unwrap(),
        "--baseline",
        "base.json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("FAIL lake / rot / max_growth_usd"), "{text}");
}

#[test]
fn policies_can_run_with_their_own_replication_rules() {
    let w = Workdir::new();
    lake(&w, "lake", None);
    let sc = w.write(
        "dr.toml",
        "name = \"dr\"\nregion = \"us-east-1\"\nstart = \"2026-03-01\"\nend = \"2026-05-01\"\n[evidence]\nlogs = [\"logs/\"]\n\n[[replication]]\nname = \"g\"\nprefix = \"gold/\"\ndestination_region = \"us-west-2\"\ndestination_class = \"STANDARD_IA\"\nrtc = true\n\n[[policy]]\nname = \"plain\"\nall_standard = true\nreplication = []\n\n[[policy]]\nname = \"dr\"\nall_standard = true\nreplication = [\"g\"]\n",
    );
    let out = w.run(&[
        "simulate",
        sc.to_str().unwrap(),
        "--format",
        "json",
        "--no-bound",
    ]);
    ok(&out);
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    let lines = |i: usize| -> Vec<Value> {
        j["policies"][i]["months"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|m| m["lines"].as_array().unwrap().clone())
            .collect()
    };
    let (plain, dr) = (lines(0), lines(1));
    assert!(
        plain
            .iter()
            .all(|l| l["region"] == "us-east-1" && l["category"] != "replication")
    );
    // The 1 GiB gold object: its transfer to us-west-2 and RTC at the source, its replica in
    // STANDARD_IA at the destination.
    let cat = |c: &str| dr.iter().filter(|l| l["category"] == c).count();
    assert!(cat("replication") >= 2, "{dr:?}");
    assert!(
        dr.iter()
            .any(|l| l["region"] == "us-west-2" && l["class"] == "STANDARD_IA")
    );
    let extra: rust_decimal::Decimal = dr
        .iter()
        .filter(|l| l["region"] == "us-west-2" || l["category"] == "replication")
        .map(|l| super::dec(&l["cost_usd"]))
        .sum();
    let (tp, td) = (
        super::dec(&j["policies"][0]["total_usd"]),
        super::dec(&j["policies"][1]["total_usd"]),
    );
    assert_eq!(td - tp, extra);
    // A policy naming a rule that does not exist is an input error at its line.
    let bad = w.write(
        "bad.toml",
        "name = \"dr\"\nregion = \"us-east-1\"\nstart = \"2026-03-01\"\nend = \"2026-05-01\"\n[evidence]\nlogs = [\"logs/\"]\n[[policy]]\nname = \"p\"\nall_standard = true\nreplication = [\"nope\"]\n",
    );
    expect_input_error(
        &w,
        &["simulate", bad.to_str().unwrap()],
        &["bad.toml:10", "nope"],
    );
    let twice = w.write(
        "twice.toml",
        "name = \"dr\"\nregion = \"us-east-1\"\nstart = \"2026-03-01\"\nend = \"2026-05-01\"\n[evidence]\nlogs = [\"logs/\"]\n[[policy]]\nname = \"p\"\nall_standard = true\n[[policy]]\nname = \"p\"\nall_standard = true\n",
    );
    expect_input_error(
        &w,
        &["simulate", twice.to_str().unwrap()],
        &["twice.toml:11", "second [[policy]]"],
    );
}

#[test]
fn a_compute_scenario_reports_its_fleet_and_the_emr_blunder() {
    let w = Workdir::new();
    let sc = super::repo("scenarios/emr-spot.toml");
    let out = w.run(&["run", &sc, "--out", "emr"]);
    ok(&out);
    let j: Value =
        serde_json::from_slice(&std::fs::read(w.path("emr/report.json")).unwrap()).unwrap();
    let c = &j["compute"];
    // The fleet's rated line items add up to its cash total: the Savings Plan fee is a line
    // item of its own (cash view, like RI upfronts), equal to the months' Savings Plan cash.
    let sp_cash: rust_decimal::Decimal = c["months"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| super::dec(&m["savings_plans_cash_usd"]))
        .sum();
    assert!(sp_cash > rust_decimal::Decimal::ZERO);
    let sp_lines: rust_decimal::Decimal = c["bill"]["months"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["lines"].as_array().unwrap())
        .filter(|l| l["service"] == "savingsplans")
        .map(|l| super::dec(&l["cost_usd"]))
        .sum();
    assert_eq!(sp_lines, sp_cash);
    // (equal to Decimal's 28 digits: a division by the seconds of an hour rounds at the last one)
    let gap = super::dec(&c["bill"]["total_usd"]) - super::dec(&c["total_cash_usd"]);
    assert!(gap.abs() < rust_decimal::Decimal::new(1, 18), "{gap}");
    // The Monte Carlo brackets its mean.
    let mc = &c["monte_carlo"];
    assert_eq!(mc["runs"], 1000);
    assert!(super::dec(&mc["cost_p50_usd"]) <= super::dec(&mc["cost_p95_usd"]));
    // The 3 TB nightly copy on an always-on EMR cluster costs far more than as a Glue job, and
    // Lambda cannot run it at all.
    let copy = c["alternatives"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["class"] == "nightly-copy-3tb")
        .unwrap();
    let opt = |o: &str| {
        copy["options"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["option"] == o)
            .unwrap()
            .clone()
    };
    let (emr, glue) = (
        super::dec(&opt("emr")["cost_usd"]),
        super::dec(&opt("glue")["cost_usd"]),
    );
    assert!(
        emr > glue * rust_decimal::Decimal::from(10),
        "emr {emr} vs glue {glue}"
    );
    assert!(
        opt("lambda")["infeasible"]
            .as_str()
            .unwrap()
            .contains("900 s")
    );
    // Budgets of a compute-only scenario check the fleet: its total and category `compute`.
    let total = super::dec(&c["total_amortized_usd"]);
    let b = w.write(
        "b.toml",
        &format!(
            "[[budget]]\nmax_total_usd = {total}\n[budget.categories]\ncompute = {}\n",
            total - rust_decimal::Decimal::ONE
        ),
    );
    let out = w.run(&[
        "check",
        w.path("emr/report.json").to_str().unwrap(),
        "--budget",
        b.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("ok   emr-spot / current / max_total_usd")
            && text.contains("FAIL emr-spot / current / category compute"),
        "{text}"
    );
    let html = std::fs::read_to_string(w.path("emr/index.html")).unwrap();
    assert!(
        html.contains(&money(&opt("emr")["cost_usd"]))
            && html.contains(&money(&opt("glue")["cost_usd"]))
    );
    assert!(!html.contains("Storage policies"));
    // The Monte Carlo distribution is drawn, inlined, and its samples are the runs.
    assert_eq!(mc["cost_samples_usd"].as_array().unwrap().len(), 1000);
    let svg = std::fs::read_to_string(w.path("emr/charts/compute-monte-carlo.svg")).unwrap();
    assert!(html.contains(&svg) && svg.contains("p95"));
    let png = std::fs::read(w.path("emr/charts/compute-monte-carlo.png")).unwrap();
    let (_, _, rgb) = costlab::report::charts::decode_png_rgb(&png).unwrap();
    assert!(rgb.chunks(3).filter(|p| p != &[255, 255, 255]).count() > 1200 * 700 / 50);
    let again = w.run(&[
        "report",
        w.path("emr/report.json").to_str().unwrap(),
        "--format",
        "html",
    ]);
    assert_eq!(again.stdout, html.as_bytes());
}

/// Every bundled example scenario, as the README runs it: the figures in `index.html` and
/// `summary.md` are those of `report.json`, the views regenerate from it byte for byte, and the
/// recommendation files are the ones the report carries.
#[test]
fn every_bundled_scenario_reports_what_its_report_json_says() {
    let w = Workdir::new();
    for name in ["datalake", "emr-spot", "dr-replication"] {
        let sc = super::repo(&format!("scenarios/{name}.toml"));
        // The side-by-side models (one replay each) are left out here: tests/future.rs and
        // tests/pipeline.rs check them; this test checks the views against report.json.
        ok(&w.run(&["run", &sc, "--out", name, "--no-side-by-side"]));
        let dir = w.path(name);
        let read = |f: &str| std::fs::read(dir.join(f)).unwrap();
        let j: Value = serde_json::from_slice(&read("report.json")).unwrap();
        if name != "emr-spot" {
            // Logs for March, a horizon to June: the default model continues access by age.
            let f = &j["evidence"]["future"];
            assert_eq!(f["model"], "age-profile", "{name}: {f}");
            assert_eq!(f["applies"], true, "{name}: {f}");
            assert!(f["sensitivity"].is_null(), "{name}: {f}");
        }
        let html = String::from_utf8(read("index.html")).unwrap();
        let md = String::from_utf8(read("summary.md")).unwrap();
        for p in j["policies"].as_array().unwrap() {
            let t = money(&p["total_usd"]);
            assert!(html.contains(&t), "{name}: {t} not in index.html");
            assert!(md.contains(&t), "{name}: {t} not in summary.md");
        }
        if let Some(c) = j.get("compute") {
            let t = money(&c["total_amortized_usd"]);
            assert!(html.contains(&t), "{name}: compute {t} not in index.html");
        }
        for (format, file) in [
            ("html", "index.html"),
            ("md", "summary.md"),
            ("csv", "bill.csv"),
        ] {
            let again = w.run(&[
                "report",
                dir.join("report.json").to_str().unwrap(),
                "--format",
                format,
            ]);
            ok(&again);
            assert_eq!(
                again.stdout,
                read(file),
                "{name}: {format} differs from {file}"
            );
        }
        let opt = &j["optimize"];
        if let Some(l) = opt.get("lifecycle") {
            assert_eq!(
                String::from_utf8(read("recommended-lifecycle.json")).unwrap(),
                l["configuration_json"].as_str().unwrap()
            );
            assert!(
                j["policies"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p["name"] == "recommended")
            );
        }
        if let Some(f) = opt.get("fleet") {
            assert_eq!(
                String::from_utf8(read("purchase-plan.csv")).unwrap(),
                f["purchase_plan_csv"].as_str().unwrap()
            );
        }
    }
}
