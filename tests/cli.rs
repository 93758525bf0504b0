//! End-to-end tests of the `costlab` binary, as a user runs it. One test binary (xsv/ripgrep
//! style) with a `Workdir` helper; fixtures live in tests/usage and tests/pricing.

#[path = "cli/limits.rs"]
mod limits;
#[path = "cli/optimize.rs"]
mod optimize;
#[path = "cli/outputs.rs"]
mod outputs;
#[path = "cli/partition.rs"]
mod partition;
#[path = "cli/reliability.rs"]
mod reliability;
#[path = "cli/report_run.rs"]
mod report_run;

use rust_decimal::Decimal;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::str::FromStr;

/// A scratch directory and a way to run costlab inside it.
struct Workdir {
    dir: tempfile::TempDir,
}

impl Workdir {
    fn new() -> Workdir {
        Workdir {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).expect("write fixture");
        p
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_costlab"))
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("COSTLAB_PRICING_DIR")
            .output()
            .expect("run costlab")
    }
}

fn repo(p: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(p)
        .display()
        .to_string()
}

fn dec(v: &Value) -> Decimal {
    let s = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        other => panic!("not a number: {other}"),
    };
    Decimal::from_str(&s)
        .or_else(|_| Decimal::from_scientific(&s))
        .expect("decimal")
}

fn cents(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

fn usd(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// `costlab estimate FILE --format json [extra]` → the bill.
fn estimate(file: &str, extra: &[&str]) -> Value {
    let w = Workdir::new();
    let f = repo(file);
    let mut args = vec!["estimate", f.as_str(), "--format", "json"];
    args.extend_from_slice(extra);
    let out = w.run(&args);
    assert!(
        out.status.success(),
        "costlab failed on {file}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json bill")
}

fn lines(bill: &Value) -> Vec<&Value> {
    bill["months"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["lines"].as_array().unwrap())
        .collect()
}

/// Sum of `cost_usd` over lines whose usage_type equals `usage_type` (and class, if given).
fn cost_of(bill: &Value, usage_type: &str, class: Option<&str>) -> Decimal {
    let matching: Vec<&Value> = lines(bill)
        .into_iter()
        .filter(|l| l["usage_type"] == usage_type && class.is_none_or(|c| l["class"] == c))
        .collect();
    assert!(
        !matching.is_empty(),
        "no line {usage_type} {class:?} in {bill:#}"
    );
    matching.iter().map(|l| dec(&l["cost_usd"])).sum()
}

fn total(bill: &Value) -> Decimal {
    dec(&bill["total_usd"])
}

#[test]
fn we1_storage_crossing_a_volume_band() {
    let b = estimate("tests/usage/we1-storage-tier.toml", &[]);
    let ls = lines(&b);
    assert_eq!(ls.len(), 2);
    assert_eq!(dec(&ls[0]["quantity"]), usd("51200"));
    assert_eq!(dec(&ls[0]["cost_usd"]), usd("1177.6"));
    assert_eq!(dec(&ls[1]["quantity"]), usd("1700"));
    assert_eq!(dec(&ls[1]["cost_usd"]), usd("37.4"));
    assert_eq!(total(&b), usd("1215"));
    assert_eq!(b["schema_version"], 1);
    assert_eq!(b["currency"], "USD");
    assert_eq!(b["pricing"]["region"], "us-east-1");
    assert_eq!(b["months"][0]["month"], "2026-03");
    assert_eq!(ls[0]["category"], "storage");
}

#[test]
fn we3_requests() {
    let b = estimate("tests/usage/we3-requests.toml", &[]);
    assert_eq!(cost_of(&b, "Requests-Tier1", None), usd("1.55"));
    assert_eq!(cost_of(&b, "Requests-Tier2", None), usd("0.248"));
    assert_eq!(cents(cost_of(&b, "Requests-Tier2", None)), usd("0.25"));
    assert_eq!(cost_of(&b, "Requests-Delete", None), usd("0"));
    assert_eq!(total(&b), usd("1.798"));
}

#[test]
fn we4_standard_ia_retrieval() {
    let b = estimate("tests/usage/we4-sia-retrieval.toml", &[]);
    assert_eq!(cost_of(&b, "Retrieval-SIA", None), usd("3"));
    // The 100 GB to the internet is inside the monthly free allowance.
    let dto: Vec<_> = lines(&b)
        .into_iter()
        .filter(|l| l["usage_type"] == "DataTransfer-Out-Bytes")
        .collect();
    assert_eq!(dto.len(), 1);
    assert_eq!(dto[0]["band"], "free allowance");
    assert_eq!(total(&b), usd("3"));
}

#[test]
fn we8_minimum_billable_object_size() {
    let b = estimate("tests/usage/we8-minimum-object-size.toml", &[]);
    let gib = Decimal::from(1u64 << 30);
    let q = |ut: &str| -> Decimal {
        lines(&b)
            .iter()
            .filter(|l| l["usage_type"] == ut)
            .map(|l| dec(&l["quantity"]))
            .sum()
    };
    // 6 KB of data and 122 KB of minimum-size fee: 128 KB billed in all.
    assert_eq!(q("TimedStorage-SIA-ByteHrs"), Decimal::from(6 * 1024) / gib);
    assert_eq!(
        q("TimedStorage-SIA-SmObjects"),
        Decimal::from(122 * 1024) / gib
    );
    let expected = Decimal::from(128 * 1024) / gib * usd("0.0125");
    assert!(
        (total(&b) - expected).abs() < usd("0.000000000001"),
        "{} vs {expected}",
        total(&b)
    );
}

#[test]
fn we21_infracost_unit_prices_line_by_line() {
    let b = estimate("tests/usage/we21-infracost-unit-prices.toml", &[]);
    let expect = [
        ("TimedStorage-ByteHrs", None, "230.00"),
        ("TimedStorage-INT-FA-ByteHrs", None, "460.00"),
        ("TimedStorage-INT-IA-ByteHrs", None, "250.00"),
        ("TimedStorage-INT-AA-ByteHrs", None, "72.00"),
        ("TimedStorage-INT-DAA-ByteHrs", None, "19.80"),
        ("Monitoring-Automation-INT", None, "0.05"),
        ("Transition-INT", None, "0.20"),
        ("TimedStorage-SIA-ByteHrs", None, "375.00"),
        ("Retrieval-SIA", None, "300.00"),
        ("TimedStorage-ZIA-ByteHrs", None, "400.00"),
        ("TimedStorage-GlacierByteHrs", None, "180.00"),
        ("Requests-Glacier-Tier1", None, "1.50"),
        ("Transition-Glacier", None, "1.50"),
        ("Restore-Standard-Bytes", Some("GLACIER"), "500.00"),
        ("Restore-Expedited-Requests", Some("GLACIER"), "500.00"),
        ("Restore-Expedited-Bytes", Some("GLACIER"), "1500.00"),
        ("TimedStorage-GDA-ByteHrs", None, "59.40"),
        ("Requests-GDA-Tier1", None, "3.00"),
        ("Transition-GDA", None, "3.00"),
        ("Restore-Standard-Requests", Some("DEEP_ARCHIVE"), "6.00"),
        ("Restore-Standard-Bytes", Some("DEEP_ARCHIVE"), "1200.00"),
        ("Restore-Bulk-Requests", Some("DEEP_ARCHIVE"), "1.50"),
        ("Restore-Bulk-Bytes", Some("DEEP_ARCHIVE"), "150.00"),
    ];
    for (ut, class, want) in expect {
        assert_eq!(cents(cost_of(&b, ut, class)), usd(want), "{ut} {class:?}");
    }
    // AWS's $0.05/1,000 for Glacier Flexible standard restore requests, not infracost's $0.03.
    assert_eq!(
        cost_of(&b, "Restore-Standard-Requests", Some("GLACIER")),
        usd("2.5")
    );
}

#[test]
fn archive_overhead_is_8k_standard_plus_32k_archive_per_object() {
    let b = estimate("tests/usage/glacier-archive-overhead.toml", &[]);
    let q = |ut: &str| -> Decimal {
        lines(&b)
            .iter()
            .filter(|l| l["usage_type"] == ut)
            .map(|l| dec(&l["quantity"]))
            .sum()
    };
    assert_eq!(q("TimedStorage-GlacierByteHrs"), usd("100000"));
    assert_eq!(
        q("TimedStorage-Glacier-Overhead-32KiB"),
        usd("3.0517578125")
    );
    assert_eq!(
        q("TimedStorage-Glacier-Overhead-8KiB-AtStandardRate"),
        usd("0.762939453125")
    );
    assert_eq!(total(&b), usd("360.028533935546875"));
    assert_eq!(cents(total(&b)), usd("360.03"));
}

#[test]
fn internet_egress_bands_after_the_free_allowance() {
    let b = estimate("tests/usage/transfer-out-bands.toml", &[]);
    assert_eq!(total(&b), usd("2740.94"));
    let bands: Vec<String> = lines(&b)
        .iter()
        .map(|l| l["band"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(bands, ["free allowance", "first 10240", "10240-51200"]);
    let b = estimate("tests/usage/transfer-out-no-free-tier.toml", &[]);
    assert_eq!(total(&b), usd("2749.44"));
}

#[test]
fn cross_region_replication_prices_each_part_where_aws_does() {
    let b = estimate("tests/usage/crr-replication-rtc.toml", &[]);
    assert_eq!(
        cost_of(&b, "Replication-Requests-Tier1", None),
        usd("0.005")
    );
    assert_eq!(
        cost_of(&b, "Replication-InterRegion-To-us-west-2", None),
        usd("20")
    );
    assert_eq!(
        cost_of(&b, "Replication-TimeControl-Bytes", None),
        usd("15")
    );
    let replica: Vec<_> = lines(&b)
        .into_iter()
        .filter(|l| l["region"] == "us-west-2")
        .collect();
    assert_eq!(
        replica.len(),
        2,
        "replica PUTs and storage are billed in the destination region"
    );
    assert_eq!(total(&b), usd("58.005"));
    // The us-west-2 prices come from a secondary source: the bill says so.
    let warnings = b["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().unwrap().contains("us-west-2")),
        "{warnings:?}"
    );
}

#[test]
fn early_delete_remainder_and_restore_with_temporary_copy() {
    let b = estimate("tests/usage/early-delete-and-restore.toml", &[]);
    let ed = cost_of(&b, "EarlyDelete-SIA", None);
    assert_eq!(cents(ed), usd("0.07"));
    assert!((ed - usd("10") * usd("432") / usd("744") * usd("0.0125")).abs() < usd("1e-12"));
    assert_eq!(cost_of(&b, "Restore-Standard-Requests", None), usd("0.05"));
    assert_eq!(cost_of(&b, "Restore-Standard-Bytes", None), usd("5"));
    assert_eq!(
        cents(cost_of(
            &b,
            "TimedStorage-RestoredCopy-AtStandardRate",
            None
        )),
        usd("2.60")
    );
    assert_eq!(cents(total(&b)), usd("7.72"));
}

#[test]
fn compute_example_16_on_demand_monthly() {
    let b = estimate("tests/usage/compute-ex16-on-demand.toml", &[]);
    assert_eq!(cost_of(&b, "BoxUsage:m5.xlarge", None), usd("140.16"));
    assert_eq!(cost_of(&b, "BoxUsage:c5.xlarge", None), usd("124.10"));
    assert_eq!(cost_of(&b, "BoxUsage:r5.xlarge", None), usd("183.96"));
}

#[test]
fn compute_example_3_glue_job() {
    let b = estimate("tests/usage/compute-ex3-glue.toml", &[]);
    assert_eq!(total(&b), usd("0.66"));
}

#[test]
fn compute_example_1_lambda_both_rates() {
    let old = repo("tests/pricing/lambda-pre2021.toml");
    let b = estimate("tests/usage/compute-ex1-lambda.toml", &["--pricing", &old]);
    assert_eq!(
        cents(cost_of(&b, "Lambda-GB-Second:x86_64", None)),
        usd("18.34")
    );
    assert_eq!(cost_of(&b, "Lambda-Request", None), usd("0.40"));
    assert_eq!(cents(total(&b)), usd("18.74"));
    // Today's rate, as the reference's conflict 3 says: $18.33.
    let b = estimate("tests/usage/compute-ex1-lambda.toml", &[]);
    assert_eq!(
        cents(cost_of(&b, "Lambda-GB-Second:x86_64", None)),
        usd("18.33")
    );
}

#[test]
fn compute_example_9_reserved_instance_list_value() {
    let p = repo("tests/pricing/ri-t2-small.toml");
    let b = estimate(
        "tests/usage/compute-ex9-ri-list-value.toml",
        &["--pricing", &p],
    );
    assert_eq!(b["months"].as_array().unwrap().len(), 12);
    assert_eq!(
        cost_of(
            &b,
            "ReservedUpfront:t2.small:reserved_1yr_partial_upfront",
            None
        ),
        usd("60")
    );
    assert_eq!(total(&b), usd("121.32"));
}

#[test]
fn discount_applies_per_service() {
    let b = estimate(
        "tests/usage/crr-replication-rtc.toml",
        &["--discount", "s3=10"],
    );
    // s3 lines (RTC $15, PUTs, replica storage $23) lose 10%; data transfer ($20) does not.
    assert_eq!(
        cost_of(&b, "Replication-TimeControl-Bytes", None),
        usd("13.5")
    );
    assert_eq!(
        cost_of(&b, "Replication-InterRegion-To-us-west-2", None),
        usd("20")
    );
    assert_eq!(
        total(&b),
        usd("20") + (usd("15") + usd("0.005") + usd("23")) * usd("0.9")
    );
    let w = Workdir::new();
    let f = repo("tests/usage/we1-storage-tier.toml");
    expect_input_error(
        &w,
        &["estimate", &f, "--discount", "s4=10"],
        &["--discount s4=10", "services are"],
    );
    expect_input_error(&w, &["estimate", &f, "--discount", "s3=120"], &["0..=100"]);
}

#[test]
fn csv_and_table_agree_with_json() {
    let w = Workdir::new();
    let f = repo("tests/usage/we1-storage-tier.toml");
    let out = w.run(&["estimate", &f, "--format", "csv"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let costs: Vec<Decimal> = rows.records().map(|r| usd(&r.unwrap()[14])).collect();
    assert_eq!(costs, vec![usd("1177.6"), usd("37.4")]);
    let out = w.run(&["estimate", &f]);
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.contains("$1,177.60") && table.contains("$37.40"),
        "{table}"
    );
    assert!(table.contains("Total $1,215.00"), "{table}");
}

#[test]
fn output_file_is_written_atomically_and_identically() {
    let w = Workdir::new();
    let f = repo("tests/usage/we21-infracost-unit-prices.toml");
    let o1 = w.run(&["estimate", &f, "--format", "json", "-o", "bill.json"]);
    assert!(o1.status.success());
    assert!(o1.stdout.is_empty(), "data goes to the file, not stdout");
    let a = std::fs::read(w.path("bill.json")).unwrap();
    let o2 = w.run(&["estimate", &f, "--format", "json"]);
    assert_eq!(a, o2.stdout, "same inputs, byte-identical output");
    let leftovers: Vec<_> = std::fs::read_dir(w.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.contains("tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn zero_usage_costs_nothing() {
    let w = Workdir::new();
    let f = w.write("zero.toml", "[[month]]\nmonth = \"2026-02\"\n");
    let out = w.run(&["estimate", f.to_str().unwrap(), "--format", "json"]);
    assert!(out.status.success());
    let b: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(total(&b), Decimal::ZERO);
    assert_eq!(b["months"][0]["month"], "2026-02");
    assert_eq!(b["months"][0]["lines"].as_array().unwrap().len(), 0);
}

/// Runs and expects exit code 2, empty stdout, and stderr naming `needle`s.
fn expect_input_error(w: &Workdir, args: &[&str], needles: &[&str]) {
    let out = w.run(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert!(out.stdout.is_empty(), "nothing written on error");
    for n in needles {
        assert!(err.contains(n), "stderr lacks {n:?}: {err}");
    }
}

#[test]
fn bad_usage_files_name_file_line_and_key() {
    let w = Workdir::new();
    let cases = [
        (
            "typo.toml",
            "[[month]]\nmonth = \"2026-03\"\n\n[month.storage.STANDARD]\ngb_month = 5\n",
            vec![
                "typo.toml:5",
                "month.storage.STANDARD.gb_month",
                "did you mean `gb_months`",
            ],
        ),
        (
            "class.toml",
            "[[month]]\nmonth = \"2026-03\"\nstorage.STANDRD_IA = { gb_months = 5 }\n",
            vec!["class.toml:3", "STANDRD_IA", "STANDARD_IA"],
        ),
        (
            "neg.toml",
            "[[month]]\nmonth = \"2026-03\"\nrequests.STANDARD = { tier1 = -4 }\n",
            vec!["neg.toml:3", "tier1", "negative"],
        ),
        (
            "month.toml",
            "[[month]]\nmonth = \"2026-13\"\n",
            vec!["month.toml:2", "month"],
        ),
        (
            "long.toml",
            "[[month]]\nmonth = \"2026-02\"\nstorage.STANDARD.periods = [{ gb = 1, days = 30 }]\n",
            vec!["long.toml:3", "days", "2026-02"],
        ),
        (
            "syntax.toml",
            "[[month]]\nmonth = 2026-03-01T00:00:00Z =\n",
            vec!["syntax.toml:2"],
        ),
        (
            "none.toml",
            "schema_version = 1\n",
            vec!["none.toml", "[[month]]"],
        ),
        (
            "ec2.toml",
            "[[month]]\nmonth = \"2026-03\"\ncompute.ec2 = [{ instance_type = \"m5.xlarge\", hours = 800 }]\n",
            vec!["ec2.toml:3", "hours", "744"],
        ),
        (
            "price.toml",
            "[[month]]\nmonth = \"2026-03\"\ncompute.ec2 = [{ instance_type = \"m5.xlarge\", purchase = \"reserved_1yr_all_upfront\", hours = 1 }]\n",
            vec![
                "no price for",
                "ec2.reserved.reserved_1yr_all_upfront.hourly.\"m5.xlarge\"",
            ],
        ),
        (
            "self.toml",
            "region = \"us-east-1\"\n[[month]]\nmonth = \"2026-03\"\ntransfer.inter_region_gb = { us-east-1 = 5 }\n",
            vec!["self.toml:4", "free"],
        ),
    ];
    for (name, text, needles) in cases {
        let f = w.write(name, text);
        expect_input_error(&w, &["estimate", f.to_str().unwrap()], &needles);
    }
}

/// The shipped us-east-1 book with one edit, in a scratch directory.
fn edited_book(w: &Workdir, from: &str, to: &str) -> String {
    let text = std::fs::read_to_string(repo("pricing/aws-us-east-1.toml")).unwrap();
    assert!(text.contains(from), "fixture edit {from:?} does not apply");
    let p = w.write("aws-us-east-1.toml", &text.replacen(from, to, 1));
    p.display().to_string()
}

fn line_of(w: &Workdir, needle: &str) -> usize {
    let text = std::fs::read_to_string(w.path("aws-us-east-1.toml")).unwrap();
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn bad_pricing_files_name_file_line_and_key() {
    let usage = repo("tests/usage/we1-storage-tier.toml");
    // Unknown key (a typo), with a suggestion.
    let w = Workdir::new();
    let p = edited_book(&w, "STANDARD_IA = 0.0125\n", "STANDRD_IA = 0.0125\n");
    let l = line_of(&w, "STANDRD_IA = 0.0125");
    expect_input_error(
        &w,
        &["estimate", &usage, "--pricing", &p],
        &[
            &format!("aws-us-east-1.toml:{l}"),
            "s3.storage.STANDRD_IA",
            "did you mean `s3.storage.STANDARD_IA`",
        ],
    );
    // Negative price.
    let w = Workdir::new();
    let p = edited_book(&w, "ONEZONE_IA = 0.01\n", "ONEZONE_IA = -0.01\n");
    let l = line_of(&w, "ONEZONE_IA = -0.01");
    expect_input_error(
        &w,
        &["pricing", "show", "--pricing", &p],
        &[&format!(":{l}:"), "s3.storage.ONEZONE_IA", "negative"],
    );
    // Bands out of order.
    let w = Workdir::new();
    let p = edited_book(
        &w,
        "{ up_to = 512000, usd = 0.022 }",
        "{ up_to = 5120, usd = 0.022 }",
    );
    let l = line_of(&w, "up_to = 5120,");
    expect_input_error(
        &w,
        &["estimate", &usage, "--pricing", &p],
        &[&format!(":{l}:"), "out of order"],
    );
    // A rule that bills at a class with no price.
    let w = Workdir::new();
    let p = edited_book(&w, "GLACIER_IR = 0.004\n", "");
    let l = line_of(&w, "minimum_billable_bytes = {");
    expect_input_error(
        &w,
        &["estimate", &usage, "--pricing", &p],
        &[
            &format!(":{l}:"),
            "s3.rules.minimum_billable_bytes.GLACIER_IR",
            "s3.storage.GLACIER_IR",
        ],
    );
    // A price table without its source.
    let w = Workdir::new();
    let p = edited_book(&w, "[s3.retrieval]\nsource = ", "[s3.retrieval]\nsourc = ");
    expect_input_error(
        &w,
        &["estimate", &usage, "--pricing", &p],
        &["s3.retrieval.sourc", "unknown pricing key"],
    );
}

#[test]
fn missing_price_is_an_error_not_a_zero() {
    // Reduced Redundancy has no request prices in the reference: using them must fail.
    let w = Workdir::new();
    let f = w.write(
        "rrs.toml",
        "[[month]]\nmonth = \"2026-03\"\nrequests.REDUCED_REDUNDANCY = { tier1 = 1000 }\n",
    );
    expect_input_error(
        &w,
        &["estimate", f.to_str().unwrap()],
        &["no price for `s3.requests.REDUCED_REDUNDANCY.tier1`"],
    );
}

#[test]
fn region_books_inherit_and_flag_what_they_do_not_confirm() {
    let w = Workdir::new();
    let f = w.write(
        "eu.toml",
        "region = \"eu-west-1\"\n[[month]]\nmonth = \"2026-03\"\nrequests.GLACIER = { tier1 = 1000 }\nrequests.STANDARD = { tier1 = 1000 }\nrestore.GLACIER.standard = { requests = 1000 }\n",
    );
    let out = w.run(&["estimate", f.to_str().unwrap(), "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let b: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(b["pricing"]["region"], "eu-west-1");
    assert_eq!(cost_of(&b, "Requests-Glacier-Tier1", None), usd("0.033"));
    assert_eq!(cost_of(&b, "Requests-Tier1", None), usd("0.005"));
    let warnings: Vec<&str> = b["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    // Inherited from us-east-1 and not restated: flagged as a stand-in.
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("s3.restore.GLACIER.standard.requests") && w.contains("inherited")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("s3.requests.GLACIER.tier1") && w.contains("unconfirmed")),
        "{warnings:?}"
    );
}

#[test]
fn pricing_show_filters_and_reports_sources() {
    let w = Workdir::new();
    let out = w.run(&[
        "pricing",
        "show",
        "--service",
        "s3",
        "--class",
        "STANDARD_IA",
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let entries = doc["entries"].as_array().unwrap();
    let keys: Vec<&str> = entries.iter().map(|e| e["key"].as_str().unwrap()).collect();
    for k in [
        "s3.storage.STANDARD_IA",
        "s3.requests.STANDARD_IA.tier1",
        "s3.retrieval.STANDARD_IA",
        "s3.rules.minimum_storage_days.STANDARD_IA",
    ] {
        assert!(keys.contains(&k), "{k} missing from {keys:?}");
    }
    assert!(
        keys.iter()
            .all(|k| k.starts_with("s3.") && k.contains("STANDARD_IA"))
    );
    let sia = entries
        .iter()
        .find(|e| e["key"] == "s3.storage.STANDARD_IA")
        .unwrap();
    assert_eq!(sia["value"], "0.0125");
    assert_eq!(sia["unit"], "USD per GB-Mo");
    assert!(
        sia["source"]
            .as_str()
            .unwrap()
            .contains("aws.amazon.com/s3/pricing")
    );
    let out = w.run(&[
        "pricing",
        "show",
        "--service",
        "ec2",
        "--class",
        "m5.xlarge",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("ec2.on_demand.\"m5.xlarge\"") && text.contains("0.192"),
        "{text}"
    );
    assert!(text.contains("USD per Hrs"), "{text}");
}

#[test]
fn batch_replication_and_transfer_acceleration() {
    let b = estimate("tests/usage/batch-replication-acceleration.toml", &[]);
    assert_eq!(cost_of(&b, "BatchOperations-Jobs", None), usd("0.25"));
    assert_eq!(cost_of(&b, "BatchOperations-Objects", None), usd("10"));
    assert_eq!(
        cost_of(&b, "BatchReplication-Manifest-Objects", None),
        usd("0.15")
    );
    assert_eq!(cost_of(&b, "Replication-Requests-Tier1", None), usd("50"));
    assert_eq!(
        cost_of(&b, "Replication-InterRegion-To-us-west-2", None),
        usd("100")
    );
    assert_eq!(
        cost_of(&b, "TransferAcceleration-in_us_eu_jp", None),
        usd("8")
    );
    assert_eq!(cost_of(&b, "TransferAcceleration-out", None), usd("12"));
    assert_eq!(cost_of(&b, "DataTransfer-Out-Bytes", None), usd("18"));
    assert_eq!(total(&b), usd("198.40"));
    let warnings = b["warnings"].to_string();
    assert!(
        warnings.contains("manifest_objects"),
        "the [U] manifest price is flagged: {warnings}"
    );
}

#[test]
fn simulate_a_scenario_end_to_end() {
    let w = Workdir::new();
    let rec = |t: &str, op: &str, key: &str, st: u16, sent: &str, size: &str| {
        format!(
            "o lake [{t} +0000] 10.0.0.1 arn:aws:iam::1:user/u RID {op} {key} \"X /lake/{key} HTTP/1.1\" {st} - {sent} {size} 5 2 \"-\" \"ua\" - HID SigV4 C AuthHeader lake.s3.amazonaws.com TLSv1.2 - - us-east-1\n"
        )
    };
    let mut log = String::new();
    log += &rec(
        "01/Mar/2026:10:00:00",
        "REST.PUT.OBJECT",
        "raw/a.parquet",
        200,
        "-",
        "1073741824",
    );
    log += &rec(
        "02/Mar/2026:10:00:00",
        "REST.GET.OBJECT",
        "raw/a.parquet",
        200,
        "1073741824",
        "1073741824",
    );
    log += &rec(
        "03/Mar/2026:10:00:00",
        "REST.GET.BUCKET",
        "-",
        200,
        "500",
        "-",
    );
    std::fs::create_dir(w.path("logs")).unwrap();
    w.write("logs/2026-03-01-10-00-00-ABCDEF0123456789", &log);
    w.write(
        "lifecycle.json",
        r#"{"Rules":[{"ID":"ia","Status":"Enabled","Filter":{"Prefix":"raw/"},"Transitions":[{"Days":30,"StorageClass":"STANDARD_IA"}]}]}"#,
    );
    let sc = w.write(
        "s.toml",
        "name = \"t\"\nregion = \"us-east-1\"\nstart = \"2026-03-01\"\nend = \"2026-05-01\"\nseed = 7\n[evidence]\nlogs = [\"logs/\"]\n[[policy]]\nname = \"ia30\"\nlifecycle = \"lifecycle.json\"\n[[policy]]\nname = \"std\"\nall_standard = true\n",
    );
    let out = w.run(&["simulate", sc.to_str().unwrap(), "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (j["scenario"].as_str(), j["seed"].as_u64()),
        (Some("t"), Some(7))
    );
    assert_eq!(j["evidence"]["lines"]["parsed"], 3);
    let p = |name: &str| {
        j["policies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap()
            .clone()
    };
    // All-standard: 1 GiB from Mar 1 10:00 to May 1 = 734 h in March + 720 h in April.
    let std = p("std");
    let want_std = usd("0.023") * usd("734") / usd("744")
        + usd("0.023")
        + usd("0.000005")
        + usd("0.0000004")
        + usd("0.000005");
    assert!(
        (dec(&std["total_usd"]) - want_std).abs() < usd("1e-15"),
        "{} vs {want_std}",
        std["total_usd"]
    );
    // IA at 30 days: billed from Apr 1 00:00; one transition.
    let ia = p("ia30");
    assert_eq!(ia["stats"]["objects_transitioned"]["STANDARD_IA"], 1);
    let want_ia = usd("0.023") * usd("734") / usd("744")
        + usd("0.0125")
        + usd("0.00001")
        + usd("0.000005")
        + usd("0.0000004")
        + usd("0.000005");
    assert!(
        (dec(&ia["total_usd"]) - want_ia).abs() < usd("1e-15"),
        "{} vs {want_ia}",
        ia["total_usd"]
    );
    // Byte-identical on a second run.
    let again = w.run(&["simulate", sc.to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.stdout, again.stdout);
    // Repeating the week needs a week of logs (these cover Mar 1–3).
    let text = std::fs::read_to_string(&sc).unwrap();
    let weekly = w.write(
        "weekly.toml",
        &text.replace(
            "logs = [\"logs/\"]",
            "logs = [\"logs/\"]\nrepeat = \"weekly\"",
        ),
    );
    expect_input_error(
        &w,
        &["simulate", weekly.to_str().unwrap()],
        &[
            "repeat = \"weekly\"",
            "at least 7 whole days",
            "they cover 3 day(s)",
        ],
    );
    let daily = w.write(
        "daily.toml",
        &text.replace(
            "logs = [\"logs/\"]",
            "logs = [\"logs/\"]\nrepeat = \"daily\"",
        ),
    );
    expect_input_error(
        &w,
        &["simulate", daily.to_str().unwrap()],
        &["daily.toml:8", "evidence.repeat", "\"weekly\""],
    );
    // A bad scenario names file, line and key, exit 2.
    let bad = w.write("bad.toml", "name = \"t\"\nstart = \"2026-03-01\"\nend = \"2026-02-01\"\n[[policy]]\nname = \"x\"\nall_standard = true\n");
    expect_input_error(
        &w,
        &["simulate", bad.to_str().unwrap()],
        &["bad.toml:3", "end"],
    );
}

#[test]
fn simulate_replication_prices_source_and_destination_parts() {
    let w = Workdir::new();
    let rec = |t: &str, op: &str, key: &str, size: &str| {
        format!(
            "o lake [{t} +0000] 10.0.0.1 arn:aws:iam::1:user/u RID {op} {key} \"PUT /lake/{key} HTTP/1.1\" 200 - - {size} 5 2 \"-\" \"ua\" - HID SigV4 C AuthHeader lake.s3.amazonaws.com TLSv1.2 - -\n"
        )
    };
    // 1 GiB under gold/ (replicated) and 1 GiB under raw/ (not), both on Mar 1 00:00.
    let log = rec(
        "01/Mar/2026:00:00:00",
        "REST.PUT.OBJECT",
        "gold/a",
        "1073741824",
    ) + &rec(
        "01/Mar/2026:00:00:00",
        "REST.PUT.OBJECT",
        "raw/b",
        "1073741824",
    );
    let l = w.write("access.log", &log);
    let out = w.run(&[
        "simulate",
        "--logs",
        l.to_str().unwrap(),
        "--all-standard",
        "--replicate",
        "gold/=us-west-2:STANDARD_IA:rtc",
        "--start",
        "2026-03-01",
        "--end",
        "2026-04-01",
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    let p = &j["policies"][0];
    let lines: Vec<&Value> = p["months"][0]["lines"].as_array().unwrap().iter().collect();
    let cost = |ut: &str, region: &str| -> Decimal {
        lines
            .iter()
            .filter(|l| l["usage_type"] == ut && l["region"] == region)
            .map(|l| dec(&l["cost_usd"]))
            .sum()
    };
    // Source: 2 GB-Mo STANDARD + 2 PUTs; transfer 1 GB × $0.02 (us-east-1 → us-west-2); RTC 1 GB × $0.015.
    assert_eq!(cost("TimedStorage-ByteHrs", "us-east-1"), usd("0.046"));
    assert_eq!(
        cost("Replication-InterRegion-To-us-west-2", "us-east-1"),
        usd("0.02")
    );
    assert_eq!(
        cost("Replication-TimeControl-Bytes", "us-east-1"),
        usd("0.015")
    );
    // Destination: one replica PUT into STANDARD_IA at us-west-2's price, 1 GB-Mo of STANDARD_IA.
    assert_eq!(
        cost("Replication-Requests-SIA-Tier1", "us-west-2"),
        usd("0.00001")
    );
    assert_eq!(cost("TimedStorage-SIA-ByteHrs", "us-west-2"), usd("0.0125"));
    assert_eq!(
        cost("Requests-SIA-Tier1", "us-west-2"),
        Decimal::ZERO,
        "no user PUT in the destination"
    );
    assert_eq!(
        dec(&p["total_usd"]),
        usd("0.046") + usd("0.00001") + usd("0.02") + usd("0.015") + usd("0.00001") + usd("0.0125")
    );

    // A scenario with a destination lifecycle that archives replicas after 0 days. The replica
    // is created exactly at Mar 1 00:00:00, already a midnight, so it is eligible at once: it
    // leaves STANDARD_IA immediately and pays the whole 30-day minimum there, then GLACIER.
    w.write("dr.json", r#"{"Rules":[{"ID":"dr","Status":"Enabled","Filter":{},"Transitions":[{"Days":0,"StorageClass":"GLACIER"}]}]}"#);
    let sc = w.write(
        "s.toml",
        "name = \"dr\"\nstart = \"2026-03-01\"\nend = \"2026-04-01\"\n[evidence]\nlogs = \"access.log\"\n[[policy]]\nname = \"std\"\nall_standard = true\n[[replication]]\nprefix = \"gold/\"\ndestination_region = \"us-west-2\"\ndestination_class = \"STANDARD_IA\"\ndestination_lifecycle = \"dr.json\"\n",
    );
    let out = w.run(&["simulate", sc.to_str().unwrap(), "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    let lines: Vec<Value> = j["policies"][0]["months"][0]["lines"]
        .as_array()
        .unwrap()
        .clone();
    let q = |ut: &str| -> Decimal {
        lines
            .iter()
            .filter(|l| l["usage_type"] == ut && l["region"] == "us-west-2")
            .map(|l| dec(&l["quantity"]))
            .sum()
    };
    assert_eq!(q("TimedStorage-SIA-ByteHrs"), Decimal::ZERO);
    assert_eq!(q("EarlyDelete-SIA"), usd("30") * usd("24") / usd("744"));
    assert_eq!(q("TimedStorage-GlacierByteHrs"), Decimal::ONE);
    assert_eq!(q("Transition-Glacier"), usd("1"));
    assert!(
        lines
            .iter()
            .all(|l| l["usage_type"] != "Replication-TimeControl-Bytes"),
        "no RTC unless asked"
    );
}

#[test]
fn simulate_streams_a_real_inventory() {
    let m = Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../shared/corpus/inventory/orcabus-filemanager-testdata/csv_inventory_manifest.json",
    );
    if !m.exists() {
        eprintln!("notice: {} is absent; skipping", m.display());
        return;
    }
    let w = Workdir::new();
    let out = w.run(&[
        "simulate",
        "--inventory",
        m.to_str().unwrap(),
        "--all-standard",
        "--start",
        "2026-03-01",
        "--end",
        "2026-04-01",
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    // 5 rows: 2 current versions replayed (0 and 5 bytes); a noncurrent version, an old null
    // version and a delete marker are counted, not replayed.
    assert_eq!(
        (
            j["evidence"]["inventory_rows"].as_u64(),
            j["evidence"]["inventory_rows_not_replayed"].as_u64(),
            j["evidence"]["objects"].as_u64()
        ),
        (Some(5), Some(3), Some(2))
    );
    let lines = j["policies"][0]["months"][0]["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 1);
    assert_eq!(
        dec(&lines[0]["quantity"]),
        Decimal::from(5) / Decimal::from(1u64 << 30)
    );
}

#[test]
fn sharded_simulation_merges_to_exactly_the_whole() {
    let w = Workdir::new();
    let mut log = String::new();
    for i in 0..40 {
        let day = 1 + i % 20;
        log += &format!(
            "o lake [{day:02}/Mar/2026:{:02}:00:00 +0000] 10.0.0.1 - RID REST.PUT.OBJECT k/{i} \"PUT /lake/k/{i} HTTP/1.1\" 200 - - {} 5 2 \"-\" \"ua\" - H SigV4 C AuthHeader h TLSv1.2 - -\n",
            i % 24,
            1_000_003 * (i + 1)
        );
        log += &format!(
            "o lake [{:02}/Apr/2026:01:00:00 +0000] 10.0.0.1 - RID REST.GET.OBJECT k/{i} \"GET /lake/k/{i} HTTP/1.1\" 200 - {} {} 5 2 \"-\" \"ua\" - H SigV4 C AuthHeader h TLSv1.2 - -\n",
            1 + i % 28,
            1_000_003 * (i + 1),
            1_000_003 * (i + 1)
        );
    }
    for i in (0..40).step_by(4) {
        // Overwrites: the old data ends, or stays noncurrent in a versioned bucket.
        log += &format!(
            "o lake [05/May/2026:03:00:00 +0000] 10.0.0.1 - RID REST.PUT.OBJECT k/{i} \"PUT /lake/k/{i} HTTP/1.1\" 200 - - 7000001 5 2 \"-\" \"ua\" - H SigV4 C AuthHeader h TLSv1.2 - -\n"
        );
    }
    log += "o lake [02/Mar/2026:00:00:00 +0000] 10.0.0.1 - RID REST.GET.BUCKET - \"GET /lake?list-type=2 HTTP/1.1\" 200 - 900 - 5 2 \"-\" \"ua\" - H SigV4 C AuthHeader h TLSv1.2 - -\n";
    let l = w.write("a.log", &log);
    w.write("ia.json", r#"{"Rules":[{"ID":"ia","Status":"Enabled","Filter":{},"Transitions":[{"Days":30,"StorageClass":"STANDARD_IA"}]}]}"#);
    let base = [
        "simulate",
        "--logs",
        l.to_str().unwrap(),
        "--policy",
        "ia=ia.json",
        "--intelligent-tiering",
        "--all-standard",
        "--replicate",
        "k/=eu-west-1:STANDARD",
        "--start",
        "2026-03-01",
        "--end",
        "2026-07-01",
    ];
    let mut totals = Vec::new();
    for (versioning, repeat) in [(false, false), (true, false), (false, true)] {
        let base = [
            &base[..],
            if versioning {
                &["--versioning"][..]
            } else {
                &[][..]
            },
            // A shard cannot measure the default age profile: silent or the weekly repeat.
            if repeat {
                &["--repeat-weekly"][..]
            } else {
                &["--future", "silent"][..]
            },
        ]
        .concat();
        let whole = w.run(&[&base[..], &["--format", "json", "--no-side-by-side"]].concat());
        assert!(
            whole.status.success(),
            "{}",
            String::from_utf8_lossy(&whole.stderr)
        );
        for i in 1..=3 {
            let s = format!("{i}/3");
            let o = format!("s{i}.json");
            let out = w.run(&[&base[..], &["--shard", &s, "--format", "shard", "-o", &o]].concat());
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let merged = w.run(&["merge", "s3.json", "s1.json", "s2.json", "--format", "json"]);
        assert!(
            merged.status.success(),
            "{}",
            String::from_utf8_lossy(&merged.stderr)
        );
        let (a, b): (Value, Value) = (
            serde_json::from_slice(&whole.stdout).unwrap(),
            serde_json::from_slice(&merged.stdout).unwrap(),
        );
        assert_eq!(
            a["policies"], b["policies"],
            "merged shards price exactly like the whole"
        );
        assert_eq!(a["evidence"]["objects"], b["evidence"]["objects"]);
        assert_eq!(b["evidence"]["lines"]["read"], 91);
        assert_eq!(
            b["policies"][0]["stats"]["versions"].is_object(),
            versioning,
            "the merged report knows the run was versioned"
        );
        // The logs end on May 5: the week from Apr 29 recurs (its overwrites every week).
        let week = &b["evidence"]["repeated_week"];
        if repeat {
            assert_eq!(
                (week["start"].as_str(), week["end"].as_str()),
                (Some("2026-04-29"), Some("2026-05-06"))
            );
        } else {
            assert!(week.is_null(), "{week}");
        }
        totals.push(dec(&a["policies"][0]["total_usd"]));
        // Each shard kept only some objects.
        let s1: Value =
            serde_json::from_str(&std::fs::read_to_string(w.path("s1.json")).unwrap()).unwrap();
        assert!(s1["evidence"]["objects"].as_u64().unwrap() < 40);
        // An incomplete set is refused.
        expect_input_error(&w, &["merge", "s1.json", "s2.json"], &["2 of 3 shards"]);
    }
    // The overwritten data stays billed when versioned; weekly overwrites cost their PUTs.
    assert!(totals[1] > totals[0], "{totals:?}");
    assert!(totals[2] > totals[0], "{totals:?}");
    // Shards of a repeated run (the last ones written) do not merge with a plain run's.
    let plain = [
        &base[..],
        &[
            "--shard", "1/3", "--format", "shard", "-o", "s1.json", "--future", "silent",
        ],
    ]
    .concat();
    assert!(w.run(&plain).status.success());
    expect_input_error(
        &w,
        &["merge", "s1.json", "s2.json", "s3.json"],
        &["weekly repeat"],
    );
}

/// A month of S3 logs is tens of thousands of small files: the merge opens a file only when
/// its time comes and closes it at its end, so 600 files read under a 64-descriptor limit
/// (opening them all at once failed with "Too many open files").
#[test]
fn many_log_files_merge_under_a_low_descriptor_limit() {
    let w = Workdir::new();
    std::fs::create_dir(w.path("logs")).unwrap();
    for f in 0..600u32 {
        let (day, hour, min) = (1 + f / 240, f / 10 % 24, f % 10 * 6);
        let mut text = String::new();
        for k in 0..3 {
            text += &format!(
                "o lake [{day:02}/Mar/2026:{hour:02}:{min:02}:{k:02} +0000] 10.0.0.1 - RID REST.GET.OBJECT k{f} \"GET /lake/k{f} HTTP/1.1\" 200 - 10 10 5 2 \"-\" \"ua\" - HID SigV4 C AuthHeader lake.s3.amazonaws.com TLSv1.2 - - us-east-1\n"
            );
        }
        w.write(
            &format!("logs/2026-03-{day:02}-{hour:02}-{min:02}-00-{f:016X}"),
            &text,
        );
    }
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -n 64 && exec '{}' logs stats logs --format json",
            env!("CARGO_BIN_EXE_costlab")
        ))
        .current_dir(w.dir.path())
        .output()
        .expect("sh");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["lines"]["parsed"], 1800, "{j}");
}
