//! Limits (issue 21, cases 10, 11, 16 and 17): a decompression bomb, an over-long key, an
//! absurd amount or a tampered report.json is an input error (exit 2 naming the file and the
//! limit or field), never a panic, an abort, a machine's worth of memory or a confident wrong
//! number; and `costlab lifecycle validate` checks configurations as S3 would.

use super::{Workdir, expect_input_error, repo};
use serde_json::{Value, json};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};

/// Address space the bomb tests give costlab: a bounded run needs far less, while a reader
/// that holds a decompressed bomb in memory aborts under it (exit 134, as on the old main).
const ADDRESS_SPACE: &str = "1500000000";

/// Runs costlab under `prlimit --as` (when the machine has prlimit) with extra environment.
fn run_bounded(w: &Workdir, args: &[&str], env: &[(&str, &str)]) -> Output {
    let have_prlimit = Command::new("prlimit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let mut cmd = if have_prlimit {
        let mut c = Command::new("prlimit");
        c.arg(format!("--as={ADDRESS_SPACE}"))
            .arg("--")
            .arg(env!("CARGO_BIN_EXE_costlab"));
        c
    } else {
        eprintln!("prlimit not found: the bomb tests run without a memory limit");
        Command::new(env!("CARGO_BIN_EXE_costlab"))
    };
    cmd.args(args)
        .current_dir(w.path(""))
        .env_remove("COSTLAB_PRICING_DIR")
        .env_remove("COSTLAB_MAX_DECOMPRESSED")
        .env_remove("COSTLAB_MAX_RATIO");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run costlab")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `mib` MiB of zeros without a line break, as concatenated zstd frames of 1 MiB each (a
/// decoder reads them one after another): ~40 bytes per MiB, built without compressing it all.
fn zstd_bomb(mib: usize) -> Vec<u8> {
    let frame = zstd::encode_all(&vec![0u8; 1 << 20][..], 19).unwrap();
    frame.repeat(mib)
}

/// The same as gzip members (deflate cannot pass ~1,030:1, so this one is ~1 KiB per MiB).
fn gzip_bomb(mib: usize) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(&vec![0u8; 1 << 20]).unwrap();
    e.finish().unwrap().repeat(mib)
}

#[test]
fn a_zstd_bomb_is_refused_naming_the_file_and_the_limit() {
    let w = Workdir::new();
    // 2 GiB of zeros in ~80 KiB: the old reader held it as one line (6 GB of memory).
    let bomb = zstd_bomb(2048);
    assert!(bomb.len() < 200_000, "{}", bomb.len());
    std::fs::write(w.path("access.log.zst"), &bomb).unwrap();
    let out = run_bounded(&w, &["logs", "stats", "access.log.zst"], &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("access.log.zst: decompresses to more than 1000 times"),
        "{err}"
    );
    assert!(err.contains("COSTLAB_MAX_RATIO"), "{err}");
}

#[test]
fn a_gzip_bomb_is_stopped_by_the_per_file_cap() {
    let w = Workdir::new();
    std::fs::write(w.path("access.log.gz"), gzip_bomb(1024)).unwrap();
    let out = run_bounded(
        &w,
        &["logs", "stats", "access.log.gz"],
        &[
            ("COSTLAB_MAX_DECOMPRESSED", "32MiB"),
            ("COSTLAB_MAX_RATIO", "0"),
        ],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("access.log.gz: decompresses to more than 32 MiB (the per-file limit"),
        "{err}"
    );
    assert!(err.contains("COSTLAB_MAX_DECOMPRESSED"), "{err}");
    // A malformed limit is an input error naming the variable.
    let out = run_bounded(
        &w,
        &["logs", "stats", "access.log.gz"],
        &[("COSTLAB_MAX_DECOMPRESSED", "lots")],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("COSTLAB_MAX_DECOMPRESSED=\"lots\""), "{err}");
}

#[test]
fn a_zstd_frame_asking_for_a_huge_window_is_refused() {
    let w = Workdir::new();
    // Magic, a header declaring a 2 GiB window (no content size), one raw block of one byte.
    let frame = [
        0x28,
        0xb5,
        0x2f,
        0xfd,
        0x00,
        21 << 3,
        0x09,
        0x00,
        0x00,
        b'x',
    ];
    std::fs::write(w.path("window.zst"), frame).unwrap();
    expect_input_error(
        &w,
        &["logs", "stats", "window.zst"],
        &["window.zst: a zstd frame asks for a window larger than 128 MiB"],
    );
}

/// A configuration file is read whole, so a huge one (a sparse 10 GB file: no disk used) is
/// refused before it is read; the old reader tried to allocate it.
#[test]
fn a_huge_configuration_file_is_refused_unread() {
    let w = Workdir::new();
    let f = std::fs::File::create(w.path("usage.toml")).unwrap();
    f.set_len(10_000_000_000).unwrap();
    let out = run_bounded(&w, &["estimate", "usage.toml"], &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("usage.toml: larger than 64 MiB, the limit for a configuration file"),
        "{err}"
    );
}

/// A pricing key longer than 65,535 characters panicked `pricing show` (a format width past
/// 65,535); now a key part past 64 characters is an input error, and the key is reported short.
#[test]
fn an_over_long_pricing_key_is_an_input_error() {
    let w = Workdir::new();
    let key = format!("m5.{}large", "x".repeat(70_000));
    let book = super::edited_book(
        &w,
        "\"m5.xlarge\" = 0.192",
        &format!("\"{key}\" = 1\n\"m5.xlarge\" = 0.192"),
    );
    let line = super::line_of(&w, "m5.xxxx");
    let out = w.run(&["pricing", "show", "--pricing", &book]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!(
            "aws-us-east-1.toml:{line}: ec2.on_demand.\"m5.xxx"
        )),
        "{err}"
    );
    assert!(
        err.contains("a key of 70008 characters; pricing keys have at most 64 characters"),
        "{err}"
    );
    assert!(
        err.len() < 1000,
        "the key is not printed whole: {} bytes",
        err.len()
    );
}

/// A megabyte-long unknown key is rejected at once (the old "did you mean" took 25 s): the
/// distance is never computed for it.
#[test]
fn a_megabyte_unknown_pricing_key_is_rejected_without_a_suggestion() {
    let w = Workdir::new();
    let book = std::fs::read_to_string(repo("pricing/aws-us-east-1.toml")).unwrap();
    let key = "b".repeat(1 << 20);
    let f = w.write("mb.toml", &format!("{key} = 1\n{book}"));
    let out = w.run(&["pricing", "show", "--pricing", f.to_str().unwrap()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("mb.toml:1:"), "{err}");
    assert!(!err.contains("did you mean"), "{err}");
    assert!(err.len() < 2000, "{} bytes", err.len());
}

/// A usage count times the month's hours past Decimal's range panicked; a price past 10^15
/// panicked when two months were summed. Both are input errors naming the file or price.
#[test]
fn money_overflow_in_usage_and_pricing_is_an_input_error() {
    let w = Workdir::new();
    let f = w.write(
        "tags.toml",
        "[[month]]\nmonth = \"2026-03\"\nmanagement = { tags = \"700000000000000000000000000\" }\n",
    );
    expect_input_error(
        &w,
        &["estimate", f.to_str().unwrap()],
        &["tags.toml:3", "management.tags", "too large"],
    );
    let usage = w.write(
        "two.toml",
        "[[month]]\nmonth = \"2026-03\"\nstorage.STANDARD_IA.gb_months = 10\n\
         [[month]]\nmonth = \"2026-04\"\nstorage.STANDARD_IA.gb_months = 10\n",
    );
    let book = super::edited_book(&w, "STANDARD_IA = 0.0125", "STANDARD_IA = \"5e27\"");
    expect_input_error(
        &w,
        &["estimate", usage.to_str().unwrap(), "--pricing", &book],
        &[
            "aws-us-east-1.toml",
            "s3.storage.STANDARD_IA",
            "above 10^15",
        ],
    );
    // Within the price bound, a bill past 10^15 is refused at the line that passes it.
    let book = super::edited_book(&w, "STANDARD_IA = 0.0125", "STANDARD_IA = 1e15");
    expect_input_error(
        &w,
        &["estimate", usage.to_str().unwrap(), "--pricing", &book],
        &[
            "2026-03",
            "s3.storage.STANDARD_IA",
            "costs more than $1,000,000,000,000,000.00",
        ],
    );
}

// ---------------------------------------------------------------- report.json

/// A month's line costs: (`YYYY-MM`, [cost]).
type Month<'a> = (&'a str, &'a [&'a str]);

/// A minimal report of storage policies, each (name, months); totals consistent.
fn report(policies: &[(&str, &[Month<'_>])]) -> Value {
    let dec = |s: &str| s.parse::<rust_decimal::Decimal>().unwrap();
    let num = |d: rust_decimal::Decimal| -> Value {
        serde_json::from_str(&d.normalize().to_string()).unwrap()
    };
    let policies: Vec<Value> = policies
        .iter()
        .map(|(name, months)| {
            let mut total = rust_decimal::Decimal::ZERO;
            let months: Vec<Value> = months
                .iter()
                .map(|(month, costs)| {
                    let mt: rust_decimal::Decimal = costs.iter().map(|c| dec(c)).sum();
                    total += mt;
                    let lines: Vec<Value> = costs
                        .iter()
                        .map(|c| {
                            json!({
                                "category": "storage", "service": "s3", "region": "us-east-1",
                                "class": "STANDARD", "usage_type": "TimedStorage-ByteHrs",
                                "band": "", "quantity": 1, "unit": "GB-Mo",
                                "unit_price_usd": num(dec(c)), "list_price_usd": num(dec(c)),
                                "price_per": 1, "discount_pct": 0,
                                "price_key": "s3.storage.STANDARD", "cost_usd": num(dec(c)),
                            })
                        })
                        .collect();
                    json!({"month": month, "total_usd": num(mt), "lines": lines})
                })
                .collect();
            json!({
                "name": name, "kind": "lifecycle", "total_usd": num(total), "months": months,
                "stats": {
                    "bytes_by_class_at_month_end": {}, "objects_transitioned": {},
                    "expirations": 0, "early_delete_gb_hours": 0, "restores": 0,
                    "restore_wait_hours_total": 0, "restore_wait_hours_max": 0,
                    "reads_by_class": {},
                },
            })
        })
        .collect();
    json!({
        "schema_version": 1, "scenario": "lake", "seed": 1,
        "horizon": {"start": "2026-03-01", "end": "2026-05-01"},
        "pricing": null,
        "evidence": {
            "lines": {"read": 0, "parsed": 0, "skipped": 0, "skip_reasons": {}},
            "inventory_rows": 0, "inventory_rows_not_replayed": 0, "objects": 0,
        },
        "current": policies[0]["name"].clone(),
        "policies": policies,
    })
}

fn write_json(w: &Workdir, name: &str, v: &Value) -> String {
    let p = w.path(name);
    std::fs::write(&p, serde_json::to_vec_pretty(v).unwrap()).unwrap();
    p.display().to_string()
}

const MONTHS: &[Month<'_>] = &[("2026-03", &["10.25", "1.5"]), ("2026-04", &["12", "0.75"])];

#[test]
fn a_consistent_report_renders() {
    let w = Workdir::new();
    let r = write_json(&w, "report.json", &report(&[("std", MONTHS)]));
    let out = w.run(&["report", &r, "--format", "md"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("$24.50"));
}

/// report.json's totals are checked against their parts: a tampered policy total, a tampered
/// month total, and a line edited without its totals are refused, naming policy and month.
#[test]
fn a_tampered_report_is_refused_naming_the_policy_and_month() {
    let w = Workdir::new();
    let good = report(&[("std", MONTHS), ("cheap", MONTHS)]);
    let mut r = good.clone();
    r["policies"][1]["total_usd"] = json!(1.0);
    let f = write_json(&w, "total.json", &r);
    expect_input_error(
        &w,
        &["report", &f, "--format", "md"],
        &[
            "total.json: policies[\"cheap\"].total_usd: is 1 but its months' total_usd add up to 24.5",
        ],
    );
    let mut r = good.clone();
    r["policies"][0]["months"][1]["total_usd"] = json!(2.75);
    r["policies"][0]["total_usd"] = json!(14.5);
    let f = write_json(&w, "month.json", &r);
    expect_input_error(
        &w,
        &["report", &f, "--format", "csv"],
        &[
            "month.json: policies[\"std\"].months[\"2026-04\"].total_usd: is 2.75 but its lines' cost_usd add up to 12.75",
        ],
    );
    let mut r = good;
    r["policies"][0]["months"][0]["lines"][0]["cost_usd"] = json!(0.25);
    let f = write_json(&w, "line.json", &r);
    expect_input_error(
        &w,
        &["report", &f],
        &[
            "policies[\"std\"].months[\"2026-03\"].total_usd: is 11.75 but its lines' cost_usd add up to 1.75",
        ],
    );
}

/// A total of 1e28 panicked on decimal overflow; now any amount past 10^15 is refused.
#[test]
fn an_absurd_amount_in_a_report_is_an_input_error() {
    let w = Workdir::new();
    let big: &[Month<'_>] = &[("2026-03", &["10000000000000000000000000000"])];
    let f = write_json(&w, "big.json", &report(&[("std", big)]));
    expect_input_error(
        &w,
        &["report", &f, "--format", "md"],
        &[
            "big.json: policies[\"std\"].months[\"2026-03\"].lines[0].cost_usd",
            "beyond ±10^15",
        ],
    );
    // The old failure: only the policy total edited to 1e28 (its months say otherwise).
    let mut r = report(&[("std", MONTHS)]);
    r["policies"][0]["total_usd"] = serde_json::from_str("1e28").unwrap();
    let f = write_json(&w, "total.json", &r);
    expect_input_error(
        &w,
        &["report", &f, "--format", "html"],
        &["total.json: policies[\"std\"].total_usd", "beyond ±10^15"],
    );
}

/// `check` loads reports and baselines through the same verified loader; a growth percentage
/// over a baseline of almost nothing (which overflowed) is as good as infinite, not a panic.
#[test]
fn check_verifies_reports_and_baselines() {
    let w = Workdir::new();
    let budget = w.write(
        "budget.toml",
        "[[budget]]\npolicy = \"std\"\nmax_total_usd = 100\nmax_growth_pct = 10\n",
    );
    let b = budget.to_str().unwrap();
    let good = write_json(&w, "report.json", &report(&[("std", MONTHS)]));
    let mut tampered = report(&[("std", MONTHS)]);
    tampered["policies"][0]["total_usd"] = json!(5);
    let bad = write_json(&w, "tampered.json", &tampered);
    expect_input_error(
        &w,
        &["check", &bad, "--budget", b],
        &["tampered.json: policies[\"std\"].total_usd"],
    );
    expect_input_error(
        &w,
        &["check", &good, "--budget", b, "--baseline", &bad],
        &["tampered.json: policies[\"std\"].total_usd"],
    );
    let tiny: &[Month<'_>] = &[("2026-03", &["0.0000000000000000000000000001"])];
    let tiny = write_json(&w, "tiny.json", &report(&[("std", tiny)]));
    let out = w.run(&["check", &good, "--budget", b, "--baseline", &tiny]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("max_growth_pct"), "{text}");
    // A budget past 10^15 is refused at its line.
    let huge = w.write(
        "huge.toml",
        "[[budget]]\npolicy = \"std\"\nmax_total_usd = 1e28\n",
    );
    expect_input_error(
        &w,
        &["check", &good, "--budget", huge.to_str().unwrap()],
        &["huge.toml:3", "max_total_usd", "beyond ±10^15"],
    );
}

// ---------------------------------------------------------------- lifecycle validate

fn corpus() -> Option<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/lifecycle");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("lifecycle corpus not found at {}; skipping", dir.display());
        None
    }
}

/// The corpus files SOURCES.md calls valid (and that use S3's API storage-class names) pass,
/// each with its rule count; the broken ones (invalid JSON, malformed XML, documentation
/// fragments, console names) exit 2 naming file and line.
#[test]
fn lifecycle_validate_on_the_corpus() {
    let Some(dir) = corpus() else { return };
    let valid = [
        ("01-aws-cli-put-bucket-lifecycle-configuration.json", 2),
        ("11-aws-doc-ex4-multiple-rules.xml", 2),
        ("19-aws-doc-ex7-expired-object-delete-marker.xml", 1),
        ("35-aws-doc-cli-xml-and-filter-namespace.xml", 1),
        ("39-aws-doc-outposts-json.json", 1),
        ("46-botocore-PutBucketLifecycleConfiguration-input.json", 1),
        ("60-mechanicalrock-doorman.json", 4),
        ("66-terraform-provider-aws-pr4241.xml", 1),
    ];
    let w = Workdir::new();
    let files: Vec<String> = valid
        .iter()
        .map(|(f, _)| dir.join(f).display().to_string())
        .collect();
    let mut args = vec!["lifecycle", "validate"];
    args.extend(files.iter().map(String::as_str));
    let out = w.run(&args);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    for ((name, rules), path) in valid.iter().zip(&files) {
        let s = if *rules == 1 { "" } else { "s" };
        assert!(
            text.contains(&format!("{path}: valid ({rules} rule{s})")),
            "{name}: {text}"
        );
    }
    let broken = [
        (
            "06-aws-cli-put-bucket-lifecycle-legacy-2015-04.json",
            ":15:7: not valid JSON",
        ),
        (
            "13-aws-doc-ex5-overlap-prefix.xml",
            ":21: not well-formed XML",
        ),
        (
            "17-aws-doc-ex6-newer-noncurrent-fragment.xml",
            "documentation placeholder",
        ),
        (
            "07-aws-doc-ex1-transition-and-expiration.xml",
            "the S3 API spells it GLACIER",
        ),
    ];
    for (name, needle) in broken {
        let p = dir.join(name).display().to_string();
        let out = w.run(&["lifecycle", "validate", &files[0], &p]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(2), "{name}: {text}");
        assert!(text.contains(&format!("{}: valid", files[0])), "{text}");
        assert!(text.contains(&p) && text.contains(needle), "{name}: {text}");
    }
}

/// An `<And>` (XML) or `And` (JSON) holding one predicate is what S3 rejects; every problem
/// of every file is listed with its rule ID, in text and in JSON.
#[test]
fn lifecycle_validate_names_each_rule_and_problem() {
    let w = Workdir::new();
    w.write(
        "one.xml",
        "<LifecycleConfiguration><Rule><ID>logs-only</ID><Status>Enabled</Status>\
         <Filter><And><Prefix>logs/</Prefix></And></Filter>\
         <Expiration><Days>30</Days></Expiration></Rule></LifecycleConfiguration>",
    );
    w.write(
        "two.json",
        r#"{"Rules": [
            {"ID": "tagged", "Status": "Enabled",
             "Filter": {"And": {"Tags": [{"Key": "team", "Value": "x"}]}},
             "Transitions": [{"Days": 10, "StorageClass": "STANDARD_IA"}],
             "Expiration": {"Days": 5}},
            {"ID": "fine", "Status": "Enabled", "Filter": {"Prefix": "a/"},
             "Expiration": {"Days": 5}}
        ]}"#,
    );
    let out = w.run(&["lifecycle", "validate", "one.xml", "two.json"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("one.xml: invalid (1 problem, 1 rule)"),
        "{text}"
    );
    assert!(
        text.contains("one.xml: rule \"logs-only\": the Filter's And holds 1 predicate;"),
        "{text}"
    );
    assert!(
        text.contains("two.json: invalid (3 problems, 2 rules)"),
        "{text}"
    );
    for needle in [
        "two.json: rule \"tagged\": the Filter's And holds 1 predicate",
        "two.json: rule \"tagged\": the transition to STANDARD_IA is after 10 days",
        "two.json: rule \"tagged\": the expiration at 5 days is not later than the transition",
    ] {
        assert!(text.contains(needle), "{needle}: {text}");
    }
    assert!(!text.contains("\"fine\""), "{text}");
    let out = w.run(&["lifecycle", "validate", "two.json", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], json!(false));
    let problems = v["files"][0]["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 3);
    assert_eq!(problems[0]["rule"], json!(1));
    assert_eq!(problems[0]["rule_id"], json!("tagged"));
    assert_eq!(problems[0]["kind"], json!("and_too_few"));
    // Fixed, the file is valid: exit 0.
    w.write(
        "fixed.json",
        r#"{"Rules": [{"ID": "tagged", "Status": "Enabled",
            "Filter": {"Tag": {"Key": "team", "Value": "x"}},
            "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}],
            "Expiration": {"Days": 60}}]}"#,
    );
    let out = w.run(&["lifecycle", "validate", "fixed.json", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["files"][0]["rules"], json!(1));
    assert_eq!(v["files"][0]["format"], json!("json"));
}
