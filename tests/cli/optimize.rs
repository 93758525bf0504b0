//! `costlab optimize` and the recommendation in `costlab run`, as a user checks them: the
//! written configuration is one S3 accepts, honours the stated constraints, and re-simulating
//! it through `costlab simulate` gives the recommended policy's bill to the last digit.

use super::{Workdir, dec, repo};
use serde_json::Value;

/// A small copy of the bundled data-lake workload (same prefixes and behaviours, fewer
/// objects) and a scenario comparing the rule of thumb and all-Standard, with an optimizer
/// section. `extra` is appended to the scenario.
fn small_lake(w: &Workdir, optimize: &str, extra: &str) -> std::path::PathBuf {
    lake_with_seed(w, optimize, extra, "20260301")
}

/// `small_lake` with the workload generated from another seed (a held-out sample of the same
/// kind of lake).
fn lake_with_seed(w: &Workdir, optimize: &str, extra: &str, seed: &str) -> std::path::PathBuf {
    let spec = std::fs::read_to_string(repo("scenarios/datalake-workload.toml")).unwrap();
    assert!(spec.contains("seed = 20260301\n"));
    let spec = spec
        .replace("seed = 20260301\n", &format!("seed = {seed}\n"))
        .replace("objects = 20000", "objects = 1500")
        .replace("objects_per_day = 12\n", "objects_per_day = 4\n")
        .replace("objects_per_day = 2400", "objects_per_day = 120")
        .replace("objects_per_day = 215", "objects_per_day = 6");
    assert!(
        spec.contains("objects = 1500")
            && spec.contains("objects_per_day = 4\n")
            && spec.contains("objects_per_day = 6\n")
    );
    w.write("workload.toml", &spec);
    w.write(
        "rot.json",
        &std::fs::read_to_string(repo("scenarios/lifecycle/rule-of-thumb.json")).unwrap(),
    );
    w.write(
        "lake.toml",
        &format!(
            "name = \"small-lake\"\nregion = \"us-east-1\"\nstart = \"2026-03-01\"\nend = \"2026-07-01\"\nseed = 5\n\
             [evidence]\ngenerate = \"workload.toml\"\n\
             [[policy]]\nname = \"rule-of-thumb\"\nlifecycle = \"rot.json\"\n\
             [[policy]]\nname = \"all-standard\"\nall_standard = true\n{extra}\n{optimize}"
        ),
    )
}

fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `costlab run SCENARIO --out out` and its `out/report.json`.
fn run_report(w: &Workdir, scenario: &std::path::Path) -> Value {
    ok(&w.run(&["run", scenario.to_str().unwrap(), "--out", "out"]));
    serde_json::from_str(&std::fs::read_to_string(w.path("out/report.json")).unwrap()).unwrap()
}

/// `costlab simulate SCENARIO --format json --no-bound`.
fn simulate_json(w: &Workdir, scenario: &std::path::Path) -> Value {
    let out = ok(&w.run(&[
        "simulate",
        scenario.to_str().unwrap(),
        "--format",
        "json",
        "--no-bound",
    ]));
    serde_json::from_str(&out).unwrap()
}

fn policy<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no policy {name}"))
}

const GRID: &str = "[optimize.lifecycle]\ntransition_days = [30, 90, 365]\n\
    target_classes = [\"STANDARD_IA\", \"GLACIER_IR\", \"GLACIER\", \"DEEP_ARCHIVE\"]\n\
    max_chain = 3\nmillisecond_prefixes = [\"gold/\"]\nmax_rules = 4\n";

#[test]
fn the_recommendation_resimulates_to_the_same_bill_and_keeps_its_constraints() {
    let w = Workdir::new();
    let scenario = small_lake(&w, GRID, "");
    let report = run_report(&w, &scenario);
    let rec = policy(&report, "recommended");
    let lifecycle = &report["optimize"]["lifecycle"];
    // The file written is the configuration in the report, and S3 would accept it.
    let json = std::fs::read_to_string(w.path("out/recommended-lifecycle.json")).unwrap();
    assert_eq!(json, lifecycle["configuration_json"].as_str().unwrap());
    let cfg = costlab::trace::lifecycle::parse("rec.json", &json).unwrap();
    assert!(costlab::trace::lifecycle::validate(&cfg).is_empty());
    assert!(cfg.rules.len() <= 4, "max_rules = 4: {}", cfg.rules.len());
    assert_eq!(cfg.rules.len() as u64, lifecycle["rules"].as_u64().unwrap());
    // gold/ stays millisecond-readable.
    for g in lifecycle["groups"].as_array().unwrap() {
        if g["prefix"] == "gold/" {
            let c = g["choice"].as_str().unwrap();
            assert!(!c.contains("GFR") && !c.contains("GDA"), "gold/ got {c}");
        }
    }
    // The rule of thumb (30 → IA, 90 → Glacier, 365 → Deep Archive) is one of the candidates
    // for every group, and no rule at all is another: the recommendation is never dearer
    // than either.
    let total = |p: &Value| dec(&p["total_usd"]);
    assert!(total(rec) <= total(policy(&report, "all-standard")));

    // Re-simulate the emitted file as an ordinary policy of the same scenario.
    let again = small_lake(
        &w,
        "",
        "[[policy]]\nname = \"emitted\"\nlifecycle = \"out/recommended-lifecycle.json\"\n",
    );
    let sim = simulate_json(&w, &again);
    let emitted = policy(&sim, "emitted");
    assert_eq!(total(emitted), total(rec));
    assert_eq!(emitted["months"], rec["months"], "line items differ");
    assert_eq!(emitted["stats"], rec["stats"], "statistics differ");
    // Every group's cost adds up to the model's objective.
    let groups: rust_decimal::Decimal = lifecycle["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| dec(&g["cost_usd"]))
        .sum();
    assert_eq!(groups, dec(&lifecycle["groups_total_usd"]));
    // Held out: the same kind of lake generated from another seed, which the optimizer never
    // saw. The recommended rules still cost no more than the rule of thumb, Intelligent-Tiering
    // or all-Standard there.
    let w2 = Workdir::new();
    let rules = w.path("out/recommended-lifecycle.json");
    let held = lake_with_seed(
        &w2,
        "",
        &format!(
            "[[policy]]\nname = \"it\"\nintelligent_tiering = true\n[[policy]]\nname = \"emitted\"\nlifecycle = {:?}\n",
            rules.display().to_string()
        ),
        "777",
    );
    let out = ok(&w2.run(&["simulate", held.to_str().unwrap(), "--format", "json"]));
    let h: Value = serde_json::from_str(&out).unwrap();
    let emitted = total(policy(&h, "emitted"));
    for other in ["rule-of-thumb", "all-standard", "it"] {
        assert!(
            emitted <= total(policy(&h, other)),
            "held out: emitted {emitted} > {other} {}",
            total(policy(&h, other))
        );
    }
    assert!(total(policy(&h, "clairvoyant-bound")) <= emitted);
    // The HTML and the summary show the recommendation.
    let html = std::fs::read_to_string(w.path("out/index.html")).unwrap();
    assert!(html.contains("Recommended lifecycle rules"));
    let md = std::fs::read_to_string(w.path("out/summary.md")).unwrap();
    assert!(md.contains("**Recommended rules**"));
}

#[test]
fn optimize_prints_the_choice_and_explains_bad_sections() {
    let w = Workdir::new();
    let scenario = small_lake(&w, GRID, "");
    let out = ok(&w.run(&[
        "optimize",
        scenario.to_str().unwrap(),
        "--out",
        "rec",
        "--format",
        "json",
    ]));
    let v: Value = serde_json::from_str(&out).unwrap();
    let groups = v["lifecycle"]["groups"].as_array().unwrap();
    // One group per prefix and size band (bronze/, gold/, silver/ × 2 bands).
    assert_eq!(groups.len(), 6);
    let json = std::fs::read_to_string(w.path("rec/recommended-lifecycle.json")).unwrap();
    assert_eq!(json, v["lifecycle"]["configuration_json"].as_str().unwrap());
    // Two runs, byte-identical.
    let again = ok(&w.run(&[
        "optimize",
        scenario.to_str().unwrap(),
        "--out",
        "rec2",
        "--format",
        "json",
    ]));
    assert_eq!(out, again);

    // A bad key is named with its file and line; an impossible budget explains itself.
    let bad = small_lake(&w, "[optimize.lifecycle]\nmax_chian = 2\n", "");
    let out = w.run(&["optimize", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("lake.toml") && err.contains("max_chian"),
        "{err}"
    );
    let broke = small_lake(&w, &format!("{GRID}budget = \"0.01\"\n"), "");
    let out = w.run(&["optimize", broke.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("budget"), "{err}");
}

#[test]
fn the_fleet_purchase_mix_keeps_its_spot_limit_and_beats_on_demand() {
    let w = Workdir::new();
    let out = ok(&w.run(&[
        "optimize",
        &repo("scenarios/emr-spot.toml"),
        "--what",
        "fleet",
        "--out",
        "rec",
        "--format",
        "json",
    ]));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(v.get("lifecycle").is_none(), "--what fleet only");
    let fleet = &v["fleet"];
    let csv = std::fs::read_to_string(w.path("rec/purchase-plan.csv")).unwrap();
    assert_eq!(csv, fleet["purchase_plan_csv"].as_str().unwrap());
    let mut rows = csv.lines();
    let head: Vec<&str> = rows.next().unwrap().split(',').collect();
    let col = |name: &str| head.iter().position(|h| *h == name).unwrap();
    let mut kinds = Vec::new();
    for r in rows {
        let cells: Vec<&str> = r.split(',').collect();
        kinds.push(cells[col("kind")].to_string());
        if cells[col("kind")] == "spot" {
            // The scenario's max_spot_share = 0.5.
            assert!(
                dec(&Value::String(cells[col("share_cap")].into()))
                    <= rust_decimal::Decimal::new(5, 1)
            );
        }
    }
    assert!(
        kinds.iter().any(|k| k == "reserved" || k == "savings_plan"),
        "{kinds:?}"
    );
    // The simulator's check of the plan: cheaper than all On-Demand, by the stated saving.
    let plan = &fleet["plan"];
    let (total, od, saving) = (
        dec(&plan["simulated_total"]),
        dec(&plan["simulated_all_on_demand"]),
        dec(&plan["simulated_saving"]),
    );
    assert!(total < od);
    assert_eq!(od - total, saving);
    let (p50, p95) = (
        dec(&plan["monte_carlo"]["p50"]),
        dec(&plan["monte_carlo"]["p95"]),
    );
    assert!(p50 <= p95, "{p50} {p95}");
    // No solve time in the output: two runs are byte-identical.
    assert!(
        plan["recommendation"]["stats"]
            .get("solve_seconds")
            .is_none()
    );
    let again = ok(&w.run(&[
        "optimize",
        &repo("scenarios/emr-spot.toml"),
        "--what",
        "fleet",
        "--out",
        "rec2",
        "--format",
        "json",
    ]));
    assert_eq!(out, again);
}

#[test]
fn in_a_versioned_bucket_the_recommendation_still_resimulates_to_the_same_bill() {
    // The lake overwrites and deletes objects: versioned, the old data stays noncurrent and is
    // billed under the rules of the version it belonged to.
    let versioned = |path: std::path::PathBuf| {
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("seed = 5\n"));
        std::fs::write(
            &path,
            text.replace("seed = 5\n", "seed = 5\nversioning = true\n"),
        )
        .unwrap();
        path
    };
    let w = Workdir::new();
    let scenario = versioned(small_lake(&w, GRID, ""));
    let report = run_report(&w, &scenario);
    let rec = policy(&report, "recommended");
    let again = versioned(small_lake(
        &w,
        "",
        "[[policy]]\nname = \"emitted\"\nlifecycle = \"out/recommended-lifecycle.json\"\n",
    ));
    let sim = simulate_json(&w, &again);
    let emitted = policy(&sim, "emitted");
    assert_eq!(dec(&emitted["total_usd"]), dec(&rec["total_usd"]));
    assert_eq!(emitted["stats"], rec["stats"], "statistics differ");
    // Versioning costs more than the same rules without it: the noncurrent data is kept.
    let plain = small_lake(
        &w,
        "",
        "[[policy]]\nname = \"emitted\"\nlifecycle = \"out/recommended-lifecycle.json\"\n",
    );
    let unversioned = simulate_json(&w, &plain);
    assert!(dec(&policy(&unversioned, "emitted")["total_usd"]) < dec(&emitted["total_usd"]));
    assert!(
        emitted["stats"]["versions"]["delete_markers_created"]
            .as_u64()
            .unwrap()
            > 0
    );
}
