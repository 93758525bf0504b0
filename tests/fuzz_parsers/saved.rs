//! What costlab reads back from its own outputs: `report.json` through `Report::load` (what
//! `costlab report` and `check --baseline` read), then every text view and the budget gate
//! with it as its own baseline (a few cases also the HTML report with its SVG charts); and usage shards through `Shard::from_json` and `Shard::merge`
//! (what `costlab merge` reads). A report that loads must render, and its JSON must load
//! again; shards that merge must give a shard whose JSON reads back equal. Seeds: a report and
//! two shards written by the `costlab` binary of this build from a small scenario with
//! storage policies and a compute fleet (`seeds`).
//!
//! Bounds: a report, 16 MiB + 96 bytes per input byte (serde's typed report plus the text
//! views, each a few times the JSON's size at most); shards, 16 MiB + 64 bytes per input byte
//! (a `serde_json::Value` tree, then integer meters).

use crate::harness::{Bound, JSON_MAX, MIB, config, names_file, repo, run_case};
use crate::mutate::{edits, mutated};
use costlab::budget::{BudgetFile, check_baseline, evaluate};
use costlab::report::Report;
use costlab::report::View;
use costlab::report::figures::figures;
use costlab::report::html::{Embedded, HtmlView};
use costlab::report::markdown::MarkdownView;
use costlab::report::views::{CsvView, JsonView, TableView};
use costlab::sim::s3::shard::Shard;
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const REPORT_BOUND: Bound = Bound {
    fixed: 16 * MIB,
    per_byte: 96,
};
const SHARD_BOUND: Bound = Bound {
    fixed: 16 * MIB,
    per_byte: 64,
};

/// Files written by the binary, once per test process.
pub struct Seeds {
    /// The scenario's folder (kept until the process ends).
    pub dir: PathBuf,
    pub report: Vec<u8>,
    pub shards: [Vec<u8>; 2],
}

/// `n` access-log lines over March 2026: puts, gets, heads and deletes of 15 keys.
pub fn log_lines(n: usize) -> String {
    let ops = [
        ("REST.PUT.OBJECT", "PUT", 200),
        ("REST.GET.OBJECT", "GET", 200),
        ("REST.HEAD.OBJECT", "HEAD", 200),
        ("REST.DELETE.OBJECT", "DELETE", 204),
    ];
    let mut out = String::new();
    for i in 0..n {
        let (op, method, status) = ops[i % 4];
        let key = if i % 3 > 0 {
            format!("data/k{}.parquet", i % 15)
        } else {
            format!("logs/x{}.json", i % 7)
        };
        out += &format!(
            "o lake [{:02}/Mar/2026:0{}:00:00 +0000] 10.0.0.1 - RID{i} {op} {key} \
             \"{method} /lake/{key} HTTP/1.1\" {status} - - {} 5 2 \"-\" \"ua\" - H SigV4 C \
             AuthHeader h TLSv1.2 - -\n",
            1 + i % 27,
            i % 10,
            1000 + i * 7919
        );
    }
    out
}

/// A small scenario: three storage policies over two months and a compute fleet (silent past
/// the logs: its seeds include shards, and a shard cannot measure the default age profile).
pub const SCENARIO: &str = r#"name = "fuzz-seed"
region = "us-east-1"
start = "2026-03-01"
end = "2026-05-01"
seed = 7
current = "std"
[evidence]
logs = "a.log"
future = "silent"
[[policy]]
name = "std"
all_standard = true
[[policy]]
name = "rot"
lifecycle = "rot.json"
[[policy]]
name = "it"
intelligent_tiering = true
[compute]
runs = 3
[compute.generate]
[[compute.generate.type]]
instance_type = "m5.xlarge"
base_instances = 2
daily_amplitude = 0.5
peak_hour_utc = 15
noise = 0.1
[[compute.generate.job_class]]
name = "fn"
service = "lambda"
jobs_per_hour = 2
median_duration_seconds = 20
vcpu = 1
memory_gib = 2
[[compute.reserved]]
instance_type = "m5.xlarge"
count = 1
term = "1yr"
payment = "no_upfront"
"#;

fn costlab(dir: &Path, args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_costlab"))
        .args(args)
        .current_dir(dir)
        .env_remove("COSTLAB_PRICING_DIR")
        .output()
        .expect("run costlab");
    assert!(
        out.status.success(),
        "costlab {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn seeds() -> &'static Seeds {
    static S: OnceLock<Seeds> = OnceLock::new();
    S.get_or_init(|| {
        let dir = crate::harness::process_dir();
        std::fs::write(dir.join("a.log"), log_lines(60)).unwrap();
        std::fs::copy(
            repo("scenarios/lifecycle/rule-of-thumb.json"),
            dir.join("rot.json"),
        )
        .unwrap();
        std::fs::write(dir.join("s.toml"), SCENARIO).unwrap();
        costlab(
            &dir,
            &[
                "simulate",
                "s.toml",
                "--format",
                "json",
                "-o",
                "report.json",
            ],
        );
        for i in 1..=2 {
            costlab(
                &dir,
                &[
                    "simulate",
                    "s.toml",
                    "--shard",
                    &format!("{i}/2"),
                    "--format",
                    "shard",
                    "-o",
                    &format!("shard-{i}.json"),
                ],
            );
        }
        let read = |n: &str| std::fs::read(dir.join(n)).unwrap();
        Seeds {
            report: read("report.json"),
            shards: [read("shard-1.json"), read("shard-2.json")],
            dir,
        }
    })
}

/// The seed report, loaded.
pub fn seed_report() -> &'static Report {
    static R: OnceLock<Report> = OnceLock::new();
    R.get_or_init(|| Report::load(&seeds().dir.join("report.json")).unwrap())
}

const BUDGETS: &str = "[[budget]]\npolicy = \"current\"\nmax_monthly_usd = 20\n\
    max_total_usd = 60\nmax_growth_pct = 5\nmax_growth_usd = 10\n[budget.categories]\n\
    retrieval = 5\nearly_delete = 1\ncompute = 100\n[[budget]]\npolicy = \"recommended\"\n\
    max_total_usd = 40\n";

/// The HTML report with its charts as SVG, as `costlab report --format html` writes it.
fn html(r: &Report) -> Result<Vec<u8>, String> {
    let mut charts = Vec::new();
    for f in figures(r) {
        charts.push(Embedded {
            id: f.id.clone(),
            caption: f.caption.clone(),
            svg: f.svg().map_err(|e| format!("chart {}: {e}", f.id))?,
        });
    }
    let mut buf = Vec::new();
    HtmlView { charts }
        .render(r, &mut buf)
        .map_err(|e| e.to_string())?;
    Ok(buf)
}

fn report_case(input: Vec<u8>, with_html: bool) {
    run_case("report-json", &input.clone(), REPORT_BOUND, move || {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let path = dir.path().join("fuzz-report.json");
        std::fs::write(&path, &input).map_err(|e| e.to_string())?;
        let name = path.display().to_string();
        let r = match Report::load(&path) {
            Err(e) => return names_file("report-json", &name, &e.to_string()),
            Ok(r) => r,
        };
        let views: [(&str, &dyn View); 4] = [
            ("json", &JsonView),
            ("md", &MarkdownView),
            ("csv", &CsvView),
            ("table", &TableView),
        ];
        let mut json = Vec::new();
        for (what, v) in views {
            let mut buf = Vec::new();
            v.render(&r, &mut buf)
                .map_err(|e| format!("a loaded report does not render as {what}: {e}"))?;
            if what == "json" {
                json = buf;
            }
        }
        if with_html {
            html(&r).map_err(|e| format!("a loaded report does not render as HTML: {e}"))?;
        }
        let text = String::from_utf8(json).map_err(|e| e.to_string())?;
        if let Err(e) = Report::from_json("again.json", &text) {
            return Err(format!(
                "a loaded report, written again, does not load: {e}"
            ));
        }
        let budgets = BudgetFile::parse("b.toml", BUDGETS).map_err(|e| e.to_string())?;
        let _ = check_baseline(&budgets, &r, "fuzz-report.json", seed_report());
        std::hint::black_box(evaluate(
            &budgets,
            &r,
            Some(("fuzz-report.json", seed_report())),
        ));
        std::hint::black_box(evaluate(
            &budgets,
            seed_report(),
            Some(("fuzz-report.json", &r)),
        ));
        Ok(())
    });
}

/// Reads shard `which` (mutated to `input`) as `costlab merge` does and merges it with the
/// other, unmutated shard.
fn shard_case(which: usize, input: Vec<u8>) {
    run_case("usage-shard", &input.clone(), SHARD_BOUND, move || {
        let text = String::from_utf8_lossy(&input);
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
            return Ok(());
        };
        let s = match Shard::from_json(&v) {
            Err(e) if e.is_empty() => return Err("an empty error message".into()),
            Err(_) => return Ok(()),
            Ok(s) => s,
        };
        let other: serde_json::Value =
            serde_json::from_slice(&seeds().shards[1 - which]).map_err(|e| e.to_string())?;
        let other = Shard::from_json(&other)?;
        for pair in [vec![s.clone(), other.clone()], vec![other, s]] {
            if let Ok(whole) = Shard::merge(pair) {
                let again = Shard::from_json(&whole.to_json())
                    .map_err(|e| format!("a merged shard does not read back: {e}"))?;
                if again != whole {
                    return Err("a merged shard reads back different".into());
                }
            }
        }
        Ok(())
    });
}

proptest! {
    #![proptest_config(config(60))]

    #[test]
    fn report_on_mutated_seed(e in edits()) {
        let input = mutated(&seeds().report, &e);
        prop_assume!(input.len() <= JSON_MAX);
        report_case(input, false);
    }

    #[test]
    fn shard_on_mutated_seeds(which in 0usize..2, e in edits()) {
        let input = mutated(&seeds().shards[which], &e);
        prop_assume!(input.len() <= JSON_MAX);
        shard_case(which, input);
    }
}

proptest! {
    // Charts drawn as SVG for the HTML report: slower.
    #![proptest_config(config(15))]

    #[test]
    fn report_html_on_mutated_seed(e in edits()) {
        let input = mutated(&seeds().report, &e);
        prop_assume!(input.len() <= JSON_MAX);
        report_case(input, true);
    }
}

proptest! {
    #![proptest_config(config(200))]

    #[test]
    fn report_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        report_case(bytes, false);
    }
}

#[test]
fn the_seeds_load_and_merge() {
    let r = seed_report();
    assert_eq!(r.scenario, "fuzz-seed");
    assert!(r.compute.is_some() && r.policies.len() >= 3);
    report_case(seeds().report.clone(), true);
    let shard =
        |i: usize| Shard::from_json(&serde_json::from_slice(&seeds().shards[i]).unwrap()).unwrap();
    let whole = Shard::merge(vec![shard(0), shard(1)]).unwrap();
    assert_eq!(whole.count, 1);
    shard_case(0, seeds().shards[0].clone());
}

/// The seed shard `i` as JSON, changed by `f`.
fn shard_json(i: usize, f: impl FnOnce(&mut serde_json::Value)) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_slice(&seeds().shards[i]).unwrap();
    f(&mut v);
    v
}

/// Found by the binary target: shards whose counts add past `u64::MAX` (or meters past
/// `u128::MAX`) panicked `costlab merge` with "attempt to add with overflow" (and would wrap
/// to a wrong count in a release build). Counts and meters are bounded when read instead.
#[test]
fn shard_counts_that_would_overflow_are_refused_when_read() {
    use costlab::sim::s3::shard::{MAX_COUNT, MAX_METER};
    let objects = |n: u64| move |v: &mut serde_json::Value| v["evidence"]["objects"] = n.into();
    let e = Shard::from_json(&shard_json(0, objects(u64::MAX))).unwrap_err();
    assert!(
        e.contains("evidence.objects") && e.contains("larger than"),
        "{e}"
    );
    let whole = Shard::merge(vec![
        Shard::from_json(&shard_json(0, objects(MAX_COUNT))).unwrap(),
        Shard::from_json(&shard_json(1, objects(MAX_COUNT))).unwrap(),
    ])
    .unwrap();
    assert_eq!(whole.evidence.objects, 2 * MAX_COUNT);
    // The same meter twice, each at u128::MAX: the sum overflowed while reading.
    let twice = shard_json(0, |v| {
        let rows = v["policies"][0]["meters"]["byte_seconds"]
            .as_array_mut()
            .unwrap();
        let mut row = rows[0].clone();
        row[2] = u128::MAX.to_string().into();
        rows.push(row.clone());
        rows.push(row);
    });
    let e = Shard::from_json(&twice).unwrap_err();
    assert!(
        e.contains("byte_seconds") && e.contains(&MAX_METER.to_string()),
        "{e}"
    );
    let ledger = shard_json(0, |v| {
        let l = v["evidence"]["ledger"].as_object_mut().unwrap();
        let t = l.values_mut().next().unwrap();
        t["used"] = u64::MAX.into();
    });
    assert!(
        Shard::from_json(&ledger)
            .unwrap_err()
            .contains("evidence.ledger")
    );
    let count = shard_json(0, |v| v["shard"]["count"] = u64::MAX.into());
    assert!(
        Shard::from_json(&count)
            .unwrap_err()
            .contains("shard.count")
    );
}

/// Found by the binary target: a ledger read from a file (report.json, a shard) whose counts
/// add past `u64::MAX` panicked the sums (`is_consistent`, `not_replayed_total`, `skipped`,
/// the HTML report's evidence table); they are checked or saturate instead.
#[test]
fn ledger_sums_past_u64_do_not_panic() {
    use costlab::trace::ledger::{Ledger, Tally};
    let mut t = Tally {
        read: u64::MAX,
        used: 0,
        skipped: u64::MAX,
        ..Tally::default()
    };
    t.skip_reasons.insert("a".into(), u64::MAX);
    t.skip_reasons.insert("b".into(), 1);
    t.not_replayed.insert("c".into(), u64::MAX);
    t.not_replayed.insert("d".into(), u64::MAX);
    assert!(!t.is_consistent());
    assert_eq!(t.not_replayed_total(), u64::MAX);
    let mut l = Ledger::default();
    *l.source("x") = t.clone();
    *l.source("y") = t;
    assert_eq!(l.skipped(), u64::MAX);
    let mut a = Ledger::default();
    a.source("x").use_n(u64::MAX);
    let e = Ledger::merge_shards(&[&a, &a]).unwrap_err();
    assert!(e.contains("more lines used than a count can hold"), "{e}");
}
