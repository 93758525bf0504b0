//! Compute evidence readers and generator: every spot sample in the shared corpus
//! (`../shared/corpus/spot`, read in place, never copied) parsed to concrete values or rejected
//! for its stated reason; price-holds-until-next-change series; usage and job CSV errors in
//! strict and lenient mode; generator round trips, determinism and seasonality; and arbitrary
//! bytes never panicking any reader.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use costlab::aws::{InstanceType, Region};
use costlab::trace::compute::{
    ComputeError, DemandSpec, InstanceChoice, JobClass, JobReader, JobSpec, Mode, Origin, Os,
    Problem, Seasonality, Service, SpotDefaults, SpotFormat, SpotHistory, SpotRecord, TypeDemand,
    UsageReader, Zone, generate_jobs, generate_usage, parse_spot_json, read_jobs, read_spot,
    read_spot_from, read_usage, write_jobs_csv, write_usage_csv,
};
use costlab::units::Timestamp;
use proptest::prelude::*;
use rust_decimal::Decimal;

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/spot");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "notice: spot corpus not found at {}; skipping",
            dir.display()
        );
        None
    }
}

fn ts(s: &str) -> Timestamp {
    Timestamp::parse_rfc3339(s).unwrap()
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn it(s: &str) -> InstanceType {
    InstanceType::parse(s).unwrap()
}

/// A record's fields without its origin: (time, type, product, zone, price).
fn fields(r: &SpotRecord) -> (String, String, String, String, String) {
    (
        r.timestamp.to_string(),
        r.instance_type.to_string(),
        r.product.clone(),
        r.zone.to_string(),
        r.price.to_string(),
    )
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

// ------------------------------------------------------------------ spot corpus

#[test]
fn aws_cli_example1_is_rejected_as_truncated_json() {
    let Some(c) = corpus() else { return };
    let p = c.join("aws-cli-example1-suse-linux-output.json");
    let err = read_spot(&p, Mode::Lenient, &SpotDefaults::default()).unwrap_err();
    match &err {
        ComputeError::Json {
            line,
            column,
            message,
            ..
        } => {
            // Line 24 is the `...` the documentation put in place of further records.
            assert_eq!((*line, *column), (24, 7), "{err}");
            assert_eq!(message, "expected value");
        }
        other => panic!("expected a JSON syntax error, got {other}"),
    }
    let shown = err.to_string();
    assert!(
        shown.contains("aws-cli-example1-suse-linux-output.json:24:7"),
        "{shown}"
    );
}

#[test]
fn aws_cli_example2_records_and_series() {
    let Some(c) = corpus() else { return };
    let p = c.join("aws-cli-example2-linux-unix-vpc-output.json");
    let read = read_spot(&p, Mode::Strict, &SpotDefaults::default()).unwrap();
    assert_eq!(read.format, SpotFormat::AwsJson);
    assert_eq!(read.summary.parsed, 2);
    let got: Vec<_> = read.records.iter().map(fields).collect();
    let vpc = "Linux/UNIX (Amazon VPC)".to_string();
    assert_eq!(
        got,
        vec![
            (
                "2014-01-06T04:32:53Z".into(),
                "m1.xlarge".into(),
                vpc.clone(),
                "us-west-1a".into(),
                "0.080000".into()
            ),
            (
                "2014-01-05T11:28:26Z".into(),
                "m1.xlarge".into(),
                vpc.clone(),
                "us-west-1c".into(),
                "0.080000".into()
            ),
        ]
    );
    assert_eq!(read.records[0].zone, Zone::Name("us-west-1a".into()));
    // Each record is located by the line its object starts on.
    assert_eq!(read.records[0].origin.line, 3);
    assert_eq!(read.records[1].origin.line, 10);
    // Prices keep their six decimals (exact, not floats).
    assert_eq!(read.records[0].price.scale(), 6);

    let h = SpotHistory::build(read.records).unwrap();
    assert_eq!(h.len(), 2);
    let a = h.find("m1.xlarge", "us-west-1a", &vpc).unwrap();
    assert_eq!(a.price_at(ts("2014-01-06T04:32:52Z")), None);
    assert_eq!(a.price_at(ts("2014-01-06T04:32:53Z")), Some(dec("0.08")));
    assert_eq!(a.price_at(ts("2014-02-01T00:00:00Z")), Some(dec("0.08")));
    let c1 = h.find("m1.xlarge", "us-west-1c", &vpc).unwrap();
    assert_eq!(c1.points().len(), 1);
    assert_eq!(c1.points()[0].at, ts("2014-01-05T11:28:26Z"));
}

#[test]
fn botocore_output_matches_the_cli_example_and_input_is_rejected() {
    let Some(c) = corpus() else { return };
    let out = read_spot(
        &c.join("botocore-DescribeSpotPriceHistory-output.json"),
        Mode::Strict,
        &SpotDefaults::default(),
    )
    .unwrap();
    let cli = read_spot(
        &c.join("aws-cli-example2-linux-unix-vpc-output.json"),
        Mode::Strict,
        &SpotDefaults::default(),
    )
    .unwrap();
    // Same content with keys in another order and another indentation.
    let a: Vec<_> = out.records.iter().map(fields).collect();
    let b: Vec<_> = cli.records.iter().map(fields).collect();
    assert_eq!(a, b);
    assert_eq!(
        out.records
            .iter()
            .map(|r| r.origin.line)
            .collect::<Vec<_>>(),
        vec![3, 10]
    );

    let input = c.join("botocore-DescribeSpotPriceHistory-input.json");
    match read_spot(&input, Mode::Lenient, &SpotDefaults::default()).unwrap_err() {
        ComputeError::NotSpotHistory { line, reason, .. } => {
            assert_eq!(line, 1);
            assert!(reason.contains("request parameters"), "{reason}");
        }
        other => panic!("expected NotSpotHistory, got {other}"),
    }
}

#[test]
fn ericpauley_sample_lines_plain_and_zstd() {
    let Some(c) = corpus() else { return };
    let p = c.join("ericpauley-readme-sample-lines.txt");
    let read = read_spot(&p, Mode::Strict, &SpotDefaults::default()).unwrap();
    assert_eq!(read.format, SpotFormat::Text);
    let got: Vec<_> = read.records.iter().map(fields).collect();
    let row = |z: &str, t: &str, prod: &str, price: &str, time: &str| {
        (
            time.to_string(),
            t.to_string(),
            prod.to_string(),
            z.to_string(),
            price.to_string(),
        )
    };
    let rhel = "Red Hat Enterprise Linux";
    let end = "2023-02-28T23:59:59Z";
    assert_eq!(
        got,
        vec![
            row(
                "euc1-az2",
                "i4i.8xlarge",
                "Linux/UNIX",
                "1.231800",
                "2023-02-28T23:59:57Z"
            ),
            row(
                "euc1-az3",
                "r5b.8xlarge",
                rhel,
                "0.749600",
                "2023-02-28T23:59:58Z"
            ),
            row(
                "euc1-az3",
                "r5b.8xlarge",
                "SUSE Linux",
                "0.744600",
                "2023-02-28T23:59:58Z"
            ),
            row(
                "euc1-az3",
                "r5b.8xlarge",
                "Linux/UNIX",
                "0.619600",
                "2023-02-28T23:59:58Z"
            ),
            row("euc1-az3", "m5n.4xlarge", rhel, "0.476000", end),
            row("euc1-az2", "m5n.4xlarge", rhel, "0.492000", end),
            row("euc1-az3", "m5n.4xlarge", "SUSE Linux", "0.471000", end),
            row("euc1-az2", "m5n.4xlarge", "SUSE Linux", "0.487000", end),
            row("euc1-az3", "m5n.4xlarge", "Linux/UNIX", "0.346000", end),
            row("euc1-az2", "m5n.4xlarge", "Linux/UNIX", "0.362000", end),
        ]
    );
    assert!(read.records.iter().all(|r| matches!(r.zone, Zone::Id(_))));
    assert_eq!(
        read.records
            .iter()
            .map(|r| r.origin.line)
            .collect::<Vec<_>>(),
        (1..=10).collect::<Vec<u64>>()
    );
    let h = SpotHistory::build(read.records.clone()).unwrap();
    assert_eq!(h.len(), 10);
    let s = h.find("m5n.4xlarge", "euc1-az2", "Linux/UNIX").unwrap();
    assert_eq!(s.price_at(ts("2023-02-28T23:59:58Z")), None);
    assert_eq!(s.price_at(ts(end)), Some(dec("0.362")));

    // The data set ships `.tsv.zst`; compress the sample in a temporary directory.
    let dir = tempfile::tempdir().unwrap();
    let zst = dir.path().join("2023-02.tsv.zst");
    let raw = std::fs::read(&p).unwrap();
    std::fs::write(&zst, zstd::encode_all(&raw[..], 3).unwrap()).unwrap();
    let z = read_spot(&zst, Mode::Strict, &SpotDefaults::default()).unwrap();
    assert_eq!(z.records.iter().map(fields).collect::<Vec<_>>(), got);
    // The README's space-padded columns and real tabs read the same.
    let tabbed: String = String::from_utf8(raw)
        .unwrap()
        .lines()
        .map(|l| {
            let t: Vec<&str> = l.split_whitespace().collect();
            let n = t.len();
            format!(
                "{}\t{}\t{}\t{}\t{}\n",
                t[0],
                t[1],
                t[2..n - 2].join(" "),
                t[n - 2],
                t[n - 1]
            )
        })
        .collect();
    let tab = read_spot_from(
        std::io::Cursor::new(tabbed.into_bytes()),
        Path::new("tabbed.tsv"),
        Mode::Strict,
        &SpotDefaults::default(),
    )
    .unwrap();
    assert_eq!(tab.records.iter().map(fields).collect::<Vec<_>>(), got);
}

#[test]
fn ericpauley_month_start_line() {
    let Some(c) = corpus() else { return };
    let p = c.join("ericpauley-readme-month-start-line.txt");
    let read = read_spot(&p, Mode::Strict, &SpotDefaults::default()).unwrap();
    assert_eq!(read.records.len(), 1);
    assert_eq!(
        fields(&read.records[0]),
        (
            "2023-01-01T00:00:00Z".into(),
            "g4dn.4xlarge".into(),
            "Linux/UNIX".into(),
            "euw3-az2".into(),
            "0.558600".into()
        )
    );
    // A month-start line repeating the price already in effect adds no change point.
    let mut earlier = read.records[0].clone();
    earlier.timestamp = ts("2022-12-31T18:00:00Z");
    let h = SpotHistory::build(vec![earlier, read.records[0].clone()]).unwrap();
    let s = h.find("g4dn.4xlarge", "euw3-az2", "Linux/UNIX").unwrap();
    assert_eq!(s.points().len(), 1);
    assert_eq!(h.repeats_merged(), 1);
}

#[test]
fn maliksudais_csv_needs_defaults_parses_and_is_rejected_as_a_series() {
    let Some(c) = corpus() else { return };
    let p = c.join("maliksudais24-spot_prices.csv");
    // The file does not say which instance type its prices are for.
    match read_spot(&p, Mode::Strict, &SpotDefaults::default()).unwrap_err() {
        ComputeError::Header { line, column, .. } => {
            assert_eq!((line, column.as_str()), (1, "InstanceType"));
        }
        other => panic!("expected a header error, got {other}"),
    }
    let defaults = SpotDefaults {
        instance_type: Some(it("t3.micro")),
        product: Some("Linux/UNIX".into()),
        zone: None,
    };
    let read = read_spot(&p, Mode::Strict, &defaults).unwrap();
    assert_eq!(read.format, SpotFormat::Csv);
    assert_eq!(read.records.len(), 2758);
    assert_eq!(read.summary.header_lines, 1);
    let r0 = &read.records[0];
    assert_eq!(
        fields(r0),
        (
            "2026-02-27T21:02:32Z".into(),
            "t3.micro".into(),
            "Linux/UNIX".into(),
            "us-east-1".into(),
            "0.0047".into()
        )
    );
    assert_eq!(r0.zone, Zone::Region(Region::parse("us-east-1").unwrap()));
    assert_eq!(r0.origin.line, 2);
    let last = read.records.last().unwrap();
    assert_eq!(last.origin.line, 2759);
    assert_eq!(
        fields(last),
        (
            "2025-11-30T10:01:12Z".into(),
            "t3.micro".into(),
            "Linux/UNIX".into(),
            "eu-west-1".into(),
            "0.0053".into()
        )
    );
    // The second half of the file repeats the first exactly.
    for i in 0..1379 {
        assert_eq!(fields(&read.records[i]), fields(&read.records[i + 1379]));
    }
    let count = |z: &str| read.records.iter().filter(|r| r.zone.as_str() == z).count();
    assert_eq!(
        (count("us-east-1"), count("us-west-2"), count("eu-west-1")),
        (1212, 922, 624)
    );
    // Rows of several zones are interleaved under one region: one instant, two prices.
    match SpotHistory::build(read.records).unwrap_err() {
        ComputeError::ConflictingPrices(c) => {
            assert_eq!(c.key, "t3.micro in eu-west-1 (Linux/UNIX)");
            assert_eq!(c.at, ts("2025-12-19T17:15:29Z"));
            assert_eq!((c.first, c.first_line), (dec("0.0055"), 1310));
            assert_eq!((c.second, c.second_line), (dec("0.0059"), 1311));
        }
        other => panic!("expected conflicting prices, got {other}"),
    }
}

// ------------------------------------------------------------------ series semantics

fn rec(t: &str, price: &str, line: u64) -> SpotRecord {
    SpotRecord {
        timestamp: ts(t),
        instance_type: it("m5.large"),
        product: "Linux/UNIX".into(),
        zone: Zone::parse("us-east-1a").unwrap(),
        price: dec(price),
        origin: Origin {
            path: Arc::from(Path::new("hand.json")),
            line,
        },
    }
}

#[test]
fn price_holds_until_the_next_change() {
    // Out of order, with an exact duplicate and a repeat of the price in effect.
    let records = vec![
        rec("2026-03-01T03:00:00Z", "0.05", 4),
        rec("2026-03-01T00:00:00Z", "0.10", 1),
        rec("2026-03-01T01:30:00Z", "0.20", 3),
        rec("2026-03-01T01:00:00Z", "0.10", 2),
        rec("2026-03-01T01:30:00Z", "0.20", 5),
    ];
    let h = SpotHistory::build(records).unwrap();
    assert_eq!(h.duplicates_merged(), 1);
    assert_eq!(h.repeats_merged(), 1);
    let s = h.find("m5.large", "us-east-1a", "Linux/UNIX").unwrap();
    let pts: Vec<_> = s
        .points()
        .iter()
        .map(|p| (p.at.to_string(), p.price))
        .collect();
    assert_eq!(
        pts,
        vec![
            ("2026-03-01T00:00:00Z".into(), dec("0.10")),
            ("2026-03-01T01:30:00Z".into(), dec("0.20")),
            ("2026-03-01T03:00:00Z".into(), dec("0.05")),
        ]
    );
    assert_eq!(s.price_at(ts("2026-02-28T23:59:59Z")), None);
    assert_eq!(s.price_at(ts("2026-03-01T00:00:00Z")), Some(dec("0.10")));
    assert_eq!(s.price_at(ts("2026-03-01T01:29:59Z")), Some(dec("0.10")));
    assert_eq!(s.price_at(ts("2026-03-01T01:30:00Z")), Some(dec("0.20")));
    assert_eq!(s.price_at(ts("2026-03-01T02:59:59Z")), Some(dec("0.20")));
    assert_eq!(s.price_at(ts("2026-04-01T00:00:00Z")), Some(dec("0.05")));

    // [01:00, 03:30): 0.10 for 0.5 h, 0.20 for 1.5 h, 0.05 for 0.5 h
    // = (0.05 + 0.30 + 0.025) / 2.5 h = 0.375 / 2.5 = 0.15 per hour.
    let (t0, t1) = (ts("2026-03-01T01:00:00Z"), ts("2026-03-01T03:30:00Z"));
    assert_eq!(s.average_over(t0, t1), Some(dec("0.15")));
    assert_eq!(s.cost_over(t0, t1), Some(dec("0.375")));
    // Inside one step the average is that step's price.
    assert_eq!(
        s.average_over(ts("2026-03-01T01:40:00Z"), ts("2026-03-01T02:00:00Z")),
        Some(dec("0.20"))
    );
    // [00:00, 02:00): (0.10 × 1.5 + 0.20 × 0.5) / 2 = 0.125.
    assert_eq!(
        s.average_over(ts("2026-03-01T00:00:00Z"), ts("2026-03-01T02:00:00Z")),
        Some(dec("0.125"))
    );
    // Unknown before the first change; empty or reversed intervals have no average.
    assert_eq!(s.average_over(ts("2026-02-28T23:00:00Z"), t1), None);
    assert_eq!(s.average_over(t1, t1), None);
    assert_eq!(s.average_over(t1, t0), None);
    assert_eq!(s.cost_over(t1, t1), Some(Decimal::ZERO));
}

#[test]
fn conflicting_prices_name_both_lines() {
    let err = SpotHistory::build(vec![
        rec("2026-03-01T00:00:00Z", "0.10", 7),
        rec("2026-03-01T00:00:00Z", "0.11", 9),
    ])
    .unwrap_err();
    let shown = err.to_string();
    assert!(shown.contains("hand.json:7 gives 0.10"), "{shown}");
    assert!(shown.contains("hand.json:9 gives 0.11"), "{shown}");
}

#[test]
fn json_pages_concatenated_and_bad_records() {
    let text = r#"{"SpotPriceHistory": [
  {"Timestamp": "2026-03-01T00:00:00.000Z", "ProductDescription": "Linux/UNIX",
   "InstanceType": "m5.large", "SpotPrice": "0.040000", "AvailabilityZone": "us-east-1a"},
  {"Timestamp": "2026-03-01T01:00:00.000Z", "ProductDescription": "Linux/UNIX",
   "InstanceType": "m5.large", "SpotPrice": "-1", "AvailabilityZone": "us-east-1a"}
], "NextToken": "abc"}
{"SpotPriceHistory": [
  {"Timestamp": "2026-03-01T02:00:00Z", "ProductDescription": "Linux/UNIX",
   "InstanceType": "m5.large", "SpotPrice": 0.05, "AvailabilityZone": "us-east-1a"},
  {"ProductDescription": "Linux/UNIX",
   "InstanceType": "m5.large", "SpotPrice": "0.06", "AvailabilityZone": "us-east-1a"}
]}
"#;
    let path = Path::new("pages.json");
    let err = parse_spot_json(text.as_bytes(), path, Mode::Strict).unwrap_err();
    let bad = err.bad_line().unwrap();
    assert_eq!((bad.line, bad.field.as_deref()), (4, Some("SpotPrice")));
    assert!(
        err.to_string().starts_with("pages.json:4:SpotPrice: "),
        "{err}"
    );

    let (records, summary) = parse_spot_json(text.as_bytes(), path, Mode::Lenient).unwrap();
    assert_eq!(records.len(), 2);
    assert_eq!(records[1].price, dec("0.05"));
    assert_eq!(records[1].origin.line, 8);
    assert_eq!((summary.read, summary.parsed, summary.skipped), (4, 2, 2));
    assert_eq!(summary.reasons.get("SpotPrice: invalid value"), Some(&1));
    assert_eq!(
        summary.reasons.get("Timestamp: required value empty"),
        Some(&1)
    );
    assert_eq!(
        summary.examples.iter().map(|b| b.line).collect::<Vec<_>>(),
        vec![4, 10]
    );
}

// ------------------------------------------------------------------ usage CSV

const USAGE: &str = "instance_type,count,hour,instance_seconds,os,region,extra
m5.large,2,2026-03-01T00:00:00Z,7200,linux,us-east-1,x
c5.xlarge,,2026-03-01 01:00,1800,,,
m5.large,1,2026-03-01T02:30:00Z,100,,,
m5.large,1,2026-03-01T03:00:00Z,3601,,,
m5.large,,2026-03-01T04:00:00Z,-5,,,
m5large,,2026-03-01T04:00:00Z,5,,,
r5.xlarge,3,2026-03-01T05:00:00Z,,Windows,,
m5.large,1,2026-03-01T06:00:00Z,,solaris,,
";

#[test]
fn usage_strict_names_file_line_field() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "usage.csv", USAGE);
    let err = read_usage(&p, Mode::Strict).unwrap_err();
    let bad = err.bad_line().unwrap();
    assert_eq!((bad.line, bad.field.as_deref()), (4, Some("hour")));
    assert!(
        err.to_string()
            .starts_with(&format!("{}:4:hour: ", p.display())),
        "{err}"
    );
    // Records before the bad line came out first.
    let mut r = UsageReader::open(&p, Mode::Strict).unwrap();
    assert!(r.next().unwrap().is_ok());
    assert!(r.next().unwrap().is_ok());
    assert!(r.next().unwrap().is_err());
    assert!(r.next().is_none());
}

#[test]
fn usage_lenient_counts_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "usage.csv", USAGE);
    let (records, s) = read_usage(&p, Mode::Lenient).unwrap();
    assert_eq!((s.read, s.parsed, s.skipped), (8, 3, 5));
    assert_eq!(s.ignored_columns, vec!["extra".to_string()]);
    let reasons: Vec<(&str, u64)> = s.reasons.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(
        reasons,
        vec![
            ("hour: invalid value", 1),
            ("instance_seconds: inconsistent line", 1),
            ("instance_seconds: invalid value", 1),
            ("instance_type: invalid value", 1),
            ("os: invalid value", 1),
        ]
    );
    assert_eq!(
        s.examples.iter().map(|b| b.line).collect::<Vec<_>>(),
        vec![4, 5, 6, 7, 9]
    );
    assert_eq!(records[0].hour, ts("2026-03-01T00:00:00Z"));
    assert_eq!(records[0].instance_seconds, 7200);
    assert_eq!(records[0].count, Some(2));
    assert_eq!(records[0].region, Some(Region::parse("us-east-1").unwrap()));
    assert_eq!(records[1].hour, ts("2026-03-01T01:00:00Z"));
    assert_eq!(records[1].instance_type, it("c5.xlarge"));
    assert_eq!(
        (records[1].instance_seconds, records[1].os),
        (1800, Os::Linux)
    );
    // count alone means whole hours.
    assert_eq!(
        (records[2].instance_seconds, records[2].os),
        (10_800, Os::Windows)
    );
}

#[test]
fn usage_header_problems() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "h.csv", "hour,instance_type,os\n");
    match read_usage(&p, Mode::Lenient).unwrap_err() {
        ComputeError::Header { line, column, .. } => {
            assert_eq!((line, column.as_str()), (1, "instance_seconds"))
        }
        e => panic!("{e}"),
    }
    let p = write(dir.path(), "e.csv", "\n\n");
    assert!(matches!(
        read_usage(&p, Mode::Lenient).unwrap_err(),
        ComputeError::Header { .. }
    ));
    let p = write(
        dir.path(),
        "w.csv",
        "\nHour,Instance_Type,count\n2026-03-01T00:00:00Z,m5.large\n",
    );
    let (_, s) = read_usage(&p, Mode::Lenient).unwrap();
    assert_eq!(s.reasons.get("wrong number of columns"), Some(&1));
    assert_eq!(s.examples[0].line, 3);
}

// ------------------------------------------------------------------ job CSV

const JOBS: &str =
    "job_id,start,duration,vcpu,memory_gib,instance_type,service,checkpoint_minutes,data_gb
a,2026-03-01T00:00:00Z,01:30:00,4,16,m5.xlarge,emr,15,120.5
b,2026-03-01 00:10:00,600,0.25,0.5,any,lambda,,
c,2026-03-01T00:20:00Z,0,2,8,any,ec2,,
d,2026-03-01T00:30:00Z,60,2,8,m5.large,glue,,
a,2026-03-01T00:40:00Z,60,2,8,any,any,,
e,2026-03-01T00:50:00Z,60,2,8,any,batch,,
f,2026-03-01T00:50:00Z,60,2,8,any,EMR-SERVERLESS,0,
";

#[test]
fn jobs_strict_and_lenient() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "jobs.csv", JOBS);
    let err = read_jobs(&p, Mode::Strict).unwrap_err();
    assert!(
        err.to_string()
            .starts_with(&format!("{}:4:duration: ", p.display())),
        "{err}"
    );
    let (jobs, s) = read_jobs(&p, Mode::Lenient).unwrap();
    assert_eq!((s.read, s.parsed, s.skipped), (7, 2, 5));
    let reasons: Vec<(&str, u64)> = s.reasons.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(
        reasons,
        vec![
            ("checkpoint_minutes: invalid value", 1),
            ("duration: invalid value", 1),
            ("instance_type: inconsistent line", 1),
            ("job_id: duplicate value", 1),
            ("service: invalid value", 1),
        ]
    );
    let dup = s.examples.iter().find(|b| b.line == 6).unwrap();
    assert_eq!(
        dup.problem,
        Problem::Duplicate {
            value: "a".into(),
            first_line: 2
        }
    );
    let a = &jobs[0];
    assert_eq!(a.job_id, "a");
    assert_eq!(a.duration_seconds, 5400);
    assert_eq!(a.end(), ts("2026-03-01T01:30:00Z"));
    assert_eq!((a.vcpu, a.memory_gib), (dec("4"), dec("16")));
    assert_eq!(a.instance_type, InstanceChoice::Type(it("m5.xlarge")));
    assert_eq!(a.service, Service::Emr);
    assert_eq!(
        (a.checkpoint_minutes, a.data_gb),
        (Some(15), Some(dec("120.5")))
    );
    let b = &jobs[1];
    assert_eq!(b.start, ts("2026-03-01T00:10:00Z"));
    assert_eq!((b.vcpu, b.memory_gib), (dec("0.25"), dec("0.5")));
    assert_eq!(
        (b.instance_type.clone(), b.service),
        (InstanceChoice::Any, Service::Lambda)
    );
    assert_eq!((b.checkpoint_minutes, b.data_gb), (None, None));
}

// ------------------------------------------------------------------ generator

fn demand_spec(seed: u64, days: u32, noise: f64) -> DemandSpec {
    DemandSpec {
        seed,
        // A Monday.
        start: ts("2026-03-02T00:00:00Z"),
        hours: days * 24,
        region: Some(Region::parse("us-east-1").unwrap()),
        os: Os::Linux,
        types: vec![
            TypeDemand {
                instance_type: it("m5.xlarge"),
                base_instances: 100.0,
                seasonality: Seasonality::business(0.5, 14, 0.5),
                growth_per_day: 0.0,
                noise,
            },
            TypeDemand {
                instance_type: it("c5.2xlarge"),
                base_instances: 10.0,
                seasonality: Seasonality::flat(),
                growth_per_day: 0.02,
                noise,
            },
        ],
    }
}

fn job_spec(seed: u64) -> JobSpec {
    JobSpec {
        seed,
        start: ts("2026-03-02T00:00:00Z"),
        hours: 14 * 24,
        classes: vec![
            JobClass {
                name: "etl".into(),
                service: Service::Emr,
                instance_type: InstanceChoice::Type(it("r5.2xlarge")),
                jobs_per_hour: 4.0,
                seasonality: Seasonality::business(0.8, 2, 1.0),
                growth_per_day: 0.0,
                median_duration_seconds: 600.0,
                duration_sigma: 1.0,
                vcpu: dec("8"),
                memory_gib: dec("64"),
                checkpoint_minutes: Some(10),
                data_gb: Some(dec("12.5")),
            },
            JobClass {
                name: "fn".into(),
                service: Service::Lambda,
                instance_type: InstanceChoice::Any,
                jobs_per_hour: 2.0,
                seasonality: Seasonality::flat(),
                growth_per_day: 0.0,
                median_duration_seconds: 2.0,
                duration_sigma: 0.5,
                vcpu: dec("0.5"),
                memory_gib: dec("1"),
                checkpoint_minutes: None,
                data_gb: None,
            },
        ],
    }
}

#[test]
fn usage_round_trips_through_csv_and_gzip() {
    let records = generate_usage(&demand_spec(42, 14, 0.1)).unwrap();
    assert_eq!(records.len(), 14 * 24 * 2);
    let mut buf = Vec::new();
    write_usage_csv(&mut buf, &records).unwrap();
    let text = String::from_utf8(buf.clone()).unwrap();
    assert!(text.starts_with(
        "hour,instance_type,instance_seconds,count,region,os\n2026-03-02T00:00:00Z,m5.xlarge,"
    ));
    let (back, s) = UsageReader::from_reader(
        std::io::Cursor::new(buf.clone()),
        Path::new("g.csv"),
        Mode::Strict,
    )
    .unwrap()
    .read_all()
    .unwrap();
    assert_eq!(s.skipped, 0);
    assert_eq!(back, records);

    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("usage.csv.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(&buf).unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    assert_eq!(read_usage(&gz, Mode::Strict).unwrap().0, records);
}

#[test]
fn jobs_round_trip_through_csv() {
    let jobs = generate_jobs(&job_spec(7)).unwrap();
    assert!(jobs.len() > 1000, "{}", jobs.len());
    assert!(jobs.windows(2).all(|w| w[0].start <= w[1].start));
    let mut buf = Vec::new();
    write_jobs_csv(&mut buf, &jobs).unwrap();
    let (back, s) =
        JobReader::from_reader(std::io::Cursor::new(buf), Path::new("j.csv"), Mode::Strict)
            .unwrap()
            .read_all()
            .unwrap();
    assert_eq!(s.parsed as usize, jobs.len());
    assert_eq!(back, jobs);
}

#[test]
fn same_seed_same_output_different_seed_different() {
    let a = generate_usage(&demand_spec(1, 7, 0.1)).unwrap();
    assert_eq!(a, generate_usage(&demand_spec(1, 7, 0.1)).unwrap());
    assert_ne!(a, generate_usage(&demand_spec(2, 7, 0.1)).unwrap());
    let j = generate_jobs(&job_spec(1)).unwrap();
    assert_eq!(j, generate_jobs(&job_spec(1)).unwrap());
    assert_ne!(j, generate_jobs(&job_spec(2)).unwrap());
    // Without noise the seed does not matter and demand is the expected value exactly.
    let q = generate_usage(&demand_spec(1, 7, 0.0)).unwrap();
    assert_eq!(q, generate_usage(&demand_spec(99, 7, 0.0)).unwrap());
    // Monday 14:00 UTC: 100 × (1 + 0.5) instances for the whole hour.
    assert_eq!(q[14 * 2].instance_seconds, 150 * 3600);
}

fn mean_instances(
    records: &[costlab::trace::compute::UsageRecord],
    pick: impl Fn(&costlab::trace::compute::UsageRecord) -> bool,
) -> (f64, f64) {
    let v: Vec<f64> = records
        .iter()
        .filter(|r| pick(r))
        .map(|r| r.instance_seconds as f64 / 3600.0)
        .collect();
    (v.iter().sum::<f64>() / v.len() as f64, v.len() as f64)
}

#[test]
fn seasonality_and_growth_are_visible() {
    let noise = 0.1;
    let records = generate_usage(&demand_spec(2026, 56, noise)).unwrap();
    let m5 = it("m5.xlarge");
    let hour_of = |r: &costlab::trace::compute::UsageRecord| r.hour.0.rem_euclid(86_400) / 3600;
    let weekend = |r: &costlab::trace::compute::UsageRecord| (r.hour.day() + 3).rem_euclid(7) >= 5;
    // Each hour's demand is mean × (1 + noise·Z): the sample mean of n hours has standard
    // deviation mean × noise / √n; allow four of them.
    let check = |expected: f64, hour: i64, on_weekend: bool| {
        let (got, n) = mean_instances(&records, |r| {
            r.instance_type == m5 && hour_of(r) == hour && weekend(r) == on_weekend
        });
        let tol = 4.0 * expected * noise / n.sqrt();
        assert!(
            (got - expected).abs() < tol,
            "hour {hour} weekend {on_weekend}: {got} vs {expected} ± {tol}"
        );
    };
    check(150.0, 14, false); // weekday peak: 100 × 1.5
    check(50.0, 2, false); // weekday trough: 100 × 0.5
    check(100.0, 8, false); // a quarter-day from the peak: cos = 0
    check(75.0, 14, true); // weekend peak: 100 × 1.5 × 0.5
    check(25.0, 2, true);

    // c5.2xlarge grows 2% of its base per day: day 50 averages 10 × (1 + 0.02 × 50.479).
    let c5 = it("c5.2xlarge");
    let day50 = ts("2026-03-02T00:00:00Z").day() + 50;
    let (got, n) = mean_instances(&records, |r| r.instance_type == c5 && r.hour.day() == day50);
    let expected = 10.0 * (1.0 + 0.02 * (50.0 + 11.5 / 24.0));
    let tol = 4.0 * expected * noise / n.sqrt();
    assert!((got - expected).abs() < tol, "{got} vs {expected} ± {tol}");
}

#[test]
fn job_durations_are_lognormal_and_arrivals_seasonal() {
    let jobs = generate_jobs(&job_spec(11)).unwrap();
    let etl: Vec<_> = jobs
        .iter()
        .filter(|j| j.job_id.starts_with("etl-"))
        .collect();
    // Arrivals: 4/h × (1 + 0.8 cos) averages to 4/h over whole days: 14 × 24 × 4 = 1344 ± 4√1344.
    let n = etl.len() as f64;
    assert!((n - 1344.0).abs() < 4.0 * 1344f64.sqrt(), "{n}");
    let at = |h: i64| {
        etl.iter()
            .filter(|j| j.start.0.rem_euclid(86_400) / 3600 == h)
            .count() as f64
    };
    // 14 days at hour 2: Poisson mean 14 × 4 × 1.8 = 100.8; at hour 14: 14 × 4 × 0.2 = 11.2.
    assert!((at(2) - 100.8).abs() < 4.0 * 100.8f64.sqrt(), "{}", at(2));
    assert!((at(14) - 11.2).abs() < 4.0 * 11.2f64.sqrt(), "{}", at(14));
    // ln(duration) ~ Normal(ln 600, 1): mean within 4σ/√n, sd within 10%.
    let logs: Vec<f64> = etl
        .iter()
        .map(|j| (j.duration_seconds as f64).ln())
        .collect();
    let mean = logs.iter().sum::<f64>() / n;
    let sd = (logs.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    assert!((mean - 600f64.ln()).abs() < 4.0 / n.sqrt(), "{mean}");
    assert!((sd - 1.0).abs() < 0.1, "{sd}");
    assert!(
        etl.iter()
            .all(|j| j.vcpu == dec("8") && j.data_gb == Some(dec("12.5")))
    );
    assert!(jobs.iter().all(|j| j.duration_seconds >= 1));
}

#[test]
fn bad_specs_are_refused() {
    let mut s = demand_spec(1, 1, 0.1);
    s.types[0].seasonality.daily_amplitude = 1.5;
    assert!(
        matches!(generate_usage(&s), Err(ComputeError::Spec { field, .. }) if field == "types[0].seasonality.daily_amplitude")
    );
    let mut s = demand_spec(1, 1, 0.1);
    s.start = ts("2026-03-02T00:00:01Z");
    assert!(generate_usage(&s).is_err());
    let mut j = job_spec(1);
    j.classes[1].instance_type = InstanceChoice::Type(it("m5.large"));
    assert!(generate_jobs(&j).is_err());
    let mut j = job_spec(1);
    j.classes[1].name = "etl".into();
    assert!(generate_jobs(&j).is_err());
}

// ------------------------------------------------------------------ never panic

fn drain_all(bytes: Vec<u8>) {
    for mode in [Mode::Lenient, Mode::Strict] {
        if let Ok(r) =
            UsageReader::from_reader(std::io::Cursor::new(bytes.clone()), Path::new("u"), mode)
        {
            for _ in r {}
        }
        if let Ok(r) =
            JobReader::from_reader(std::io::Cursor::new(bytes.clone()), Path::new("j"), mode)
        {
            for _ in r {}
        }
        let defaults = SpotDefaults {
            instance_type: Some(it("t3.micro")),
            product: Some("Linux/UNIX".into()),
            zone: None,
        };
        if let Ok(read) = read_spot_from(
            std::io::Cursor::new(bytes.clone()),
            Path::new("s"),
            mode,
            &defaults,
        ) {
            let _ = SpotHistory::build(read.records);
        }
        let _ = parse_spot_json(&bytes, Path::new("s.json"), mode);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        drain_all(bytes);
    }

    #[test]
    fn arbitrary_rows_after_valid_headers_never_panic(
        body in "[0-9a-zA-Z:., +\\-\"\t\n{}\\[\\]]{0,400}",
        which in 0usize..4,
    ) {
        let head = [
            "hour,instance_type,instance_seconds,count,region,os\n",
            "job_id,start,duration,vcpu,memory_gib,instance_type,service,checkpoint_minutes,data_gb\n",
            "{\"SpotPriceHistory\": [",
            "Timestamp,AvailabilityZone,InstanceType,ProductDescription,SpotPrice\n",
        ][which];
        drain_all(format!("{head}{body}").into_bytes());
    }

    #[test]
    fn series_average_lies_between_min_and_max(
        steps in proptest::collection::vec((1i64..100_000, 0u32..1_000_000), 1..20),
        a in 0i64..2_000_000,
        len in 1i64..2_000_000,
    ) {
        let mut t = 0i64;
        let mut records = Vec::new();
        for (i, (gap, micros)) in steps.iter().enumerate() {
            let mut r = rec("1970-01-01T00:00:00Z", "0", i as u64);
            r.timestamp = Timestamp(t);
            r.price = Decimal::new(i64::from(*micros), 6);
            records.push(r);
            t += gap;
        }
        let h = SpotHistory::build(records).unwrap();
        let s = h.series().next().unwrap();
        let avg = s.average_over(Timestamp(a), Timestamp(a + len)).unwrap();
        let lo = s.points().iter().map(|p| p.price).min().unwrap();
        let hi = s.points().iter().map(|p| p.price).max().unwrap();
        prop_assert!(avg >= lo && avg <= hi, "{avg} not in [{lo}, {hi}]");
        // cost = average × hours.
        let cost = s.cost_over(Timestamp(a), Timestamp(a + len)).unwrap();
        let diff = (cost - avg * Decimal::from(len) / Decimal::from(3600)).abs();
        prop_assert!(diff < Decimal::new(1, 12), "{cost} vs {avg}");
    }
}
