//! The model of the future past the evidence (docs/scenario.md, "The future past the
//! evidence"): the default when the horizon runs past the logs is the age profile; the report
//! names the model and gives every policy's total under each model, each column equal to a
//! run under that model; a decision whose ranking changes across models is flagged.

use costlab::pipeline::{self, Options};
use costlab::report::Report;
use costlab::sim::s3::FutureModel;
use rust_decimal::Decimal;
use std::path::Path;

/// A GET or PUT of `key` on March `day` 2026 at 01:00 UTC.
fn log_line(day: u32, op: &str, key: &str, size: u64) -> String {
    format!(
        "o lake [{day:02}/Mar/2026:01:00:00 +0000] 10.0.0.1 - RID {op} {key} \"X /lake/{key} HTTP/1.1\" 200 - - {size} 5 2 \"-\" \"ua\" - H SigV4 C AuthHeader h TLSv1.2 - -\n"
    )
}

const GIB: u64 = 1 << 30;

/// Forty 1 GiB objects written on March 1 and each read once a week through March; a year's
/// horizon. Policies: everything in STANDARD, and Deep Archive from day 1 (every read a
/// restore). Silent after March, Deep Archive saves eleven months of storage; if the weekly
/// reads go on, every month of restores costs more than the month's storage saving.
fn weekly_reads(dir: &Path) -> String {
    let mut log = String::new();
    for i in 0..40 {
        log += &log_line(1, "REST.PUT.OBJECT", &format!("data/{i}"), GIB);
    }
    for day in [8, 15, 22, 29] {
        for i in 0..40 {
            log += &log_line(day, "REST.GET.OBJECT", &format!("data/{i}"), GIB);
        }
    }
    std::fs::write(dir.join("access.log"), log).unwrap();
    std::fs::write(
        dir.join("archive.json"),
        r#"{"Rules":[{"ID":"da","Status":"Enabled","Filter":{},"Transitions":[{"Days":1,"StorageClass":"DEEP_ARCHIVE"}]}]}"#,
    )
    .unwrap();
    let sc = dir.join("s.toml");
    std::fs::write(
        &sc,
        "name = \"lake\"\nregion = \"us-east-1\"\nstart = \"2026-03-01\"\nend = \"2027-03-01\"\n\
         seed = 7\nrestore_tier = \"standard\"\nrestore_days = 1\n\
         [evidence]\nlogs = \"access.log\"\n\
         [[policy]]\nname = \"standard\"\nall_standard = true\n\
         [[policy]]\nname = \"archive\"\nlifecycle = \"archive.json\"\n",
    )
    .unwrap();
    sc.display().to_string()
}

fn run(scenario: &str, model: Option<FutureModel>) -> Report {
    let mut sc = costlab::scenario::read_scenario(scenario.as_ref()).unwrap();
    if model.is_some() {
        sc.future = model;
    }
    let o = Options {
        bound: false,
        ..Options::default()
    };
    pipeline::run(&mut sc, &o).unwrap()
}

fn total(r: &Report, policy: &str) -> Decimal {
    r.policy(policy).unwrap().total_usd
}

#[test]
fn the_default_continues_access_by_age_and_each_column_is_a_run_under_its_model() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = weekly_reads(tmp.path());
    let r = run(&scenario, None);
    let f = r
        .evidence
        .future
        .as_ref()
        .expect("the report names the model");
    assert_eq!(f.model, "age-profile");
    assert!(f.applies);
    assert_eq!(f.evidence_ends.as_deref(), Some("2026-03-30"));
    let data = f.prefixes.iter().find(|p| p.prefix == "data/").unwrap();
    // No reads in the first week of age. Reads at 21 and 28 days fall in the 21–30 band,
    // observed from age 21 to the evidence's end (28 days 23 hours): 80 reads over 40 × 7.958
    // object-days, the oldest band observed, which lends its rates to older ages.
    assert_eq!(data.reads_per_day_first_week, 0.0);
    let expected = 80.0 / (40.0 * (7.0 + 23.0 / 24.0));
    assert!(
        (data.reads_per_day_after_90_days - expected).abs() < 0.001,
        "{data:?} vs {expected}"
    );
    assert_eq!(data.oldest_observed_days, 21);
    let s = f.sensitivity.as_ref().expect("side by side");
    assert_eq!(s.models, ["age-profile", "repeat-weekly", "silent"]);
    assert_eq!(s.chosen, "age-profile");
    for (i, m) in FutureModel::ALL.iter().enumerate() {
        let alone = if m.as_str() == "age-profile" {
            r.clone()
        } else {
            run(&scenario, Some(*m))
        };
        assert_eq!(alone.evidence.future.as_ref().unwrap().model, m.as_str());
        for row in &s.rows {
            assert_eq!(
                row.totals_usd[i],
                total(&alone, &row.policy),
                "{} under {}",
                row.policy,
                m.as_str()
            );
        }
    }
}

#[test]
fn a_ranking_that_depends_on_the_future_is_flagged() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = weekly_reads(tmp.path());
    let r = run(&scenario, None);
    let s = r
        .evidence
        .future
        .as_ref()
        .unwrap()
        .sensitivity
        .clone()
        .unwrap();
    let row = |p: &str| s.rows.iter().find(|r| r.policy == p).unwrap().clone();
    // Reads go on: STANDARD first under the age profile and the weekly repeat…
    assert_eq!(row("standard").ranks, [1, 1, 2]);
    // …but silent, Deep Archive's eleven quiet months win.
    assert_eq!(row("archive").ranks, [2, 2, 1]);
    assert!(row("archive").totals_usd[2] < row("standard").totals_usd[2]);
    assert_eq!(s.first.as_deref(), Some("standard"));
    assert_eq!(s.not_first_under, ["silent"]);
    // The views say so.
    let mut md = Vec::new();
    costlab::report::views::View::render(&costlab::report::markdown::MarkdownView, &r, &mut md)
        .unwrap();
    let md = String::from_utf8(md).unwrap();
    assert!(
        md.contains(
            "The ranking depends on the future: standard is first under \"age-profile\" but not \
             the cheapest under \"silent\""
        ),
        "{md}"
    );
    let cell = format!(
        "| archive | {} (rank 2) |",
        costlab::report::views::usd(row("archive").totals_usd[0])
    );
    assert!(md.contains(&cell), "{md}");
    // Chosen silent, the first policy flips under the two others.
    let quiet = run(&scenario, Some(FutureModel::Silent));
    let q = quiet.evidence.future.unwrap().sensitivity.unwrap();
    assert_eq!(q.first.as_deref(), Some("archive"));
    assert_eq!(q.not_first_under, ["age-profile", "repeat-weekly"]);
}

#[test]
fn a_horizon_inside_the_evidence_needs_no_model_and_no_table() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = weekly_reads(tmp.path());
    let text = std::fs::read_to_string(&scenario)
        .unwrap()
        .replace("end = \"2027-03-01\"", "end = \"2026-03-25\"");
    std::fs::write(&scenario, text).unwrap();
    let r = run(&scenario, None);
    let f = r.evidence.future.unwrap();
    assert!(!f.applies);
    assert_eq!(f.model, "silent");
    assert!(f.sensitivity.is_none());
}
