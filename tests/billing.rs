//! Billing exports (CUR 2.0, legacy CUR, FOCUS): the real samples in ../shared/corpus/billing
//! parse, a CUR month written from a known demand reads back to exactly that demand (CSV,
//! gzip and Parquet; RI- and SP-covered lines, negations and fees mixed in) and to the same
//! purchase plan as the same demand in costlab's hourly CSV, commitments read back exactly,
//! and malformed or hostile rows are counted in the ledger.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;

use costlab::trace::billing::line::reason;
use costlab::trace::billing::synth::{self, CurLine, SynthHour, SynthMonth, SynthRi, SynthSp};
use costlab::trace::billing::{
    self, Field, FocusVersion, Mode, Paid, Place, RiScope, S3Category, Schema, SpType, Tenancy,
};
use costlab::units::Timestamp;
use rust_decimal::Decimal;

fn corpus(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/billing")
        .join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("note: {} is absent; skipping", p.display());
        None
    }
}

fn t(s: &str) -> Timestamp {
    Timestamp::parse_rfc3339(s).unwrap()
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn left(f: &billing::FileRead, r: &str) -> u64 {
    f.left_out.get(r).copied().unwrap_or(0)
}

#[test]
fn the_focus_sample_is_focus_1_0_and_maps_its_columns() {
    let Some(p) = corpus("focus-sample-data/focus_sample.csv") else {
        return;
    };
    let read = billing::read_billing(&[p], Mode::Strict).unwrap();
    let f = &read.files[0];
    assert_eq!(f.schema, Schema::Focus(FocusVersion::V1_0));
    assert_eq!((f.rows.read, f.rows.skipped), (1000, 0));
    let col = |field: Field| {
        f.columns
            .iter()
            .find(|(x, _)| *x == field)
            .map(|(_, c)| c.as_str())
    };
    assert_eq!(col(Field::ChargeCategory), Some("ChargeCategory"));
    assert_eq!(col(Field::Amount), Some("ConsumedQuantity"));
    assert_eq!(col(Field::Unit), Some("ConsumedUnit"));
    assert_eq!(col(Field::Start), Some("ChargePeriodStart"));
    assert_eq!(col(Field::Cost), Some("BilledCost"));
    assert_eq!(col(Field::RegionCode), Some("RegionId"));
    assert_eq!(col(Field::CommitmentId), Some("CommitmentDiscountId"));
    assert_eq!(
        col(Field::UsageType),
        None,
        "no x_UsageType in FOCUS 1.0 sample data"
    );
    assert_eq!(col(Field::LineType), None);
    // The one credit and the two Oracle adjustments are left out, with their reasons.
    assert_eq!(left(f, reason::CREDIT), 1);
    assert_eq!(left(f, reason::ADJUSTMENT), 2);
    let tally = read.tally();
    assert!(tally.is_consistent(), "{tally:?}");
    assert_eq!(tally.read, 1000);
    // EC2 instance usage from the charge descriptions (`… per On Demand Linux c5.2xlarge
    // Instance Hour`), the zone-less times read as UTC.
    let c5 = read
        .demand
        .iter()
        .find(|r| r.instance_type.as_str() == "c5.2xlarge" && r.hour == t("2024-09-26T00:00:00Z"))
        .expect("the c5.2xlarge hour");
    assert_eq!(c5.region.as_str(), "us-east-1");
    assert_eq!(c5.platform, billing::LINUX);
    assert_eq!(c5.tenancy, Tenancy::Shared);
    assert_eq!(c5.instance_hours, Decimal::ONE);
    assert_eq!(c5.on_demand_hours, Decimal::ONE);
    // The Savings-Plan-covered t2.medium hour (BilledCost 0) is usage that ran.
    let t2 = read
        .demand
        .iter()
        .find(|r| r.instance_type.as_str() == "t2.medium" && r.hour == t("2024-09-04T04:00:00Z"))
        .expect("the t2.medium hour");
    assert_eq!(t2.region.as_str(), "us-west-2");
    assert_eq!(t2.savings_plan_hours, Decimal::ONE);
    let sp_hours: Decimal = read.demand.iter().map(|r| r.savings_plan_hours).sum();
    assert_eq!(
        sp_hours,
        d("3"),
        "three SP-covered instance hours (and one Fargate line)"
    );
    // The S3 rows have no usage type in FOCUS 1.0 without x_UsageType: left out, said so.
    assert!(read.s3.is_empty());
    assert_eq!(
        left(
            f,
            "S3 line without a usage type (a FOCUS export without x_UsageType)"
        ),
        36
    );
}

#[test]
fn the_legacy_cur_sample_gives_s3_usage_per_usage_type_and_day() {
    let Some(p) = corpus("focus-converters/sample-anonymous-aws-export-dataset.csv") else {
        return;
    };
    let read = billing::read_billing(&[p], Mode::Strict).unwrap();
    let f = &read.files[0];
    assert_eq!(f.schema, Schema::LegacyCur);
    assert_eq!((f.rows.read, f.rows.skipped), (1281, 0));
    assert_eq!(left(f, reason::TAX), 12);
    // 798 S3 usage lines used; the other services' 471 left out as such.
    assert_eq!(f.used(), 798);
    assert_eq!(left(f, reason::OTHER_SERVICE), 1269 - 798);
    assert!(read.demand.is_empty(), "no EC2 in this account");
    let sum = |ut: &str, region: &str| -> (Decimal, u64, Option<(S3Category, Option<&str>)>) {
        let rows: Vec<_> = read
            .s3
            .iter()
            .filter(|r| r.usage_type == ut && r.region.as_deref() == Some(region))
            .collect();
        (
            rows.iter().map(|r| r.quantity).sum(),
            rows.iter().map(|r| r.lines).sum(),
            rows.first().map(|r| (r.category, r.class)),
        )
    };
    let (glacier, _, kind) = sum("TimedStorage-GlacierByteHrs", "us-west-2");
    assert_eq!(glacier, d("10.9149360793"));
    assert_eq!(kind, Some((S3Category::Storage, Some("GLACIER"))));
    let (early, _, kind) = sum("EarlyDelete-ByteHrs", "us-west-2");
    assert_eq!(early, d("26.9726779857"));
    assert_eq!(kind, Some((S3Category::EarlyDelete, Some("GLACIER"))));
    let (tier3, _, kind) = sum("Requests-Tier3", "us-west-2");
    assert_eq!(tier3, d("32585"));
    assert_eq!(kind.map(|k| k.0), Some(S3Category::Transition));
    // Scientific notation (`6.71E-8`) is read exactly.
    let (standard, _, _) = sum("TimedStorage-ByteHrs", "ca-central-1");
    assert_eq!(standard, d("0.0000468858"));
    // One record per bucket (none named: the sample has no ResourceId), usage type and day.
    let day = read
        .s3
        .iter()
        .find(|r| {
            r.usage_type == "TimedStorage-ByteHrs"
                && r.date() == "2023-11-06"
                && r.region.as_deref() == Some("ca-central-1")
        })
        .unwrap();
    assert_eq!(day.bucket, None);
    assert_eq!(day.quantity, d("0.0000014219"));
    assert_eq!(day.unit.as_deref(), Some("GB-Mo"));
}

#[test]
fn the_cur_manifests_name_legacy_columns_that_grow() {
    let cases = [
        ("manifest-2018-01.json", 168, 0),
        ("manifest-2019-01.json", 205, 0),
        ("manifest-2019-12.json", 275, 0),
        ("manifestTest.json", 158, 2),
    ];
    for (name, columns, keys) in cases {
        let Some(p) = corpus(&format!("rudderlabs-ice-cur-manifests/{name}")) else {
            return;
        };
        let m = billing::legacy::read_manifest(&p).unwrap();
        assert_eq!(m.columns.len(), columns, "{name}");
        assert_eq!(m.schema, Some(Schema::LegacyCur), "{name}");
        assert_eq!(m.report_keys.len(), keys, "{name}");
        assert!(m.columns.contains(&"lineItem/UsageType".to_string()));
        // A manifest given as a billing export is refused, naming its data files.
        let e = billing::read_billing(std::slice::from_ref(&p), Mode::Lenient).unwrap_err();
        assert!(e.to_string().contains("a CUR manifest"), "{e}");
    }
    let m = billing::legacy::read_manifest(
        &corpus("rudderlabs-ice-cur-manifests/manifest-2019-12.json").unwrap(),
    )
    .unwrap();
    assert!(
        m.columns
            .contains(&"savingsPlan/SavingsPlanARN".to_string())
    );
    assert_eq!(m.compression.as_deref(), Some("GZIP"));
}

/// Three days of demand of two types (not whole hours; some hours empty).
fn known_demand() -> Vec<SynthHour> {
    let start = t("2026-03-01T00:00:00Z");
    let mut out = Vec::new();
    for h in 0..72i64 {
        let hour = Timestamp(start.0 + h * 3600);
        let r5 = 3600 * (2 + (h % 5) as u64) + 17 * h as u64;
        out.push(SynthHour {
            hour,
            instance_type: "r5.2xlarge".into(),
            seconds: r5,
        });
        if h % 7 != 3 {
            out.push(SynthHour {
                hour,
                instance_type: "m5.xlarge".into(),
                seconds: 1800 + 3600 * (h % 3) as u64 + 1,
            });
        }
    }
    out
}

fn month_spec() -> SynthMonth {
    SynthMonth {
        region: "us-east-1".into(),
        start: t("2026-03-01T00:00:00Z"),
        end: t("2026-03-04T00:00:00Z"),
        ris: vec![SynthRi {
            arn: "arn:aws:ec2:us-east-1:123456789012:reserved-instances/ri-1".into(),
            instance_type: "r5.2xlarge".into(),
            count: 2,
            start: t("2025-06-01T00:00:00Z"),
            end: t("2026-06-01T00:00:00Z"),
            lease: "1yr".into(),
            offering_class: "standard".into(),
            purchase_option: "No Upfront".into(),
            hourly_fee: d("0.318"),
        }],
        sps: vec![SynthSp {
            arn: "arn:aws:savingsplans::123456789012:savingsplan/sp-abc".into(),
            offering_type: "ComputeSavingsPlans".into(),
            commitment_per_hour: d("0.40"),
            start: t("2025-09-01T00:00:00Z"),
            end: t("2026-09-01T00:00:00Z"),
            term: "1yr".into(),
            payment: "No Upfront".into(),
            covers: d("0.5"),
        }],
        instances: 3,
        extras: true,
    }
}

fn lines() -> Vec<CurLine> {
    let mut out = Vec::new();
    synth::month(&month_spec(), &known_demand(), |l| out.push(l));
    out
}

fn write_csv(path: &Path, lines: &[CurLine], gzip: bool) {
    let file = std::fs::File::create(path).unwrap();
    let sink: Box<dyn Write> = if gzip {
        Box::new(flate2::write::GzEncoder::new(
            file,
            flate2::Compression::fast(),
        ))
    } else {
        Box::new(file)
    };
    let mut w = synth::CsvWriter::new(sink).unwrap();
    for l in lines {
        w.push(l).unwrap();
    }
    w.finish().unwrap().flush().unwrap();
}

fn write_parquet(path: &Path, lines: &[CurLine], group: usize) {
    let mut w = synth::ParquetWriter::create(path, group).unwrap();
    for l in lines {
        w.push(l.clone()).unwrap();
    }
    w.finish().unwrap();
}

/// The Linux, shared, us-east-1 demand read back, as (hour, type) → seconds.
fn demand_of(read: &billing::BillingRead) -> BTreeMap<(Timestamp, String), u64> {
    read.demand
        .iter()
        .filter(|r| r.platform == billing::LINUX && r.region.as_str() == "us-east-1")
        .map(|r| ((r.hour, r.instance_type.to_string()), r.instance_seconds()))
        .collect()
}

fn expected() -> BTreeMap<(Timestamp, String), u64> {
    known_demand()
        .into_iter()
        .map(|h| ((h.hour, h.instance_type), h.seconds))
        .collect()
}

#[test]
fn a_cur_month_reads_back_to_its_demand_and_commitments_in_csv_gzip_and_parquet() {
    let dir = tempfile::tempdir().unwrap();
    let lines = lines();
    let csv = dir.path().join("cur.csv");
    let gz = dir.path().join("cur.csv.gz");
    let pq = dir.path().join("cur.parquet");
    write_csv(&csv, &lines, false);
    write_csv(&gz, &lines, true);
    write_parquet(&pq, &lines, 100);
    let mut reads = Vec::new();
    for p in [&csv, &gz, &pq] {
        let read = billing::read_billing(std::slice::from_ref(p), Mode::Strict).unwrap();
        let f = &read.files[0];
        assert_eq!(f.schema, Schema::Cur2, "{}", p.display());
        assert_eq!(f.rows.read, lines.len() as u64);
        assert_eq!(f.rows.skipped, 0);
        assert_eq!(demand_of(&read), expected(), "{}", p.display());
        // What paid is kept apart: RIs cover up to 2 r5.2xlarge per hour.
        let r5_first = read
            .demand
            .iter()
            .find(|r| r.instance_type.as_str() == "r5.2xlarge")
            .unwrap();
        assert_eq!(
            r5_first.reserved_hours.round_dp(9),
            d("2"),
            "12-decimal hours"
        );
        let r5_sp: Decimal = read
            .demand
            .iter()
            .filter(|r| r.instance_type.as_str() == "r5.2xlarge")
            .map(|r| r.savings_plan_hours)
            .sum();
        assert!(r5_sp > Decimal::ZERO);
        assert_eq!(
            r5_first.normalized_units, None,
            "the writer gives no factors"
        );
        // Negations, tax, credit, fee and EBS are left out with their reasons; the Windows
        // hour is demand, but not Linux.
        let negations = lines
            .iter()
            .filter(|l| l.line_type == "SavingsPlanNegation")
            .count() as u64;
        assert!(negations > 0);
        assert_eq!(left(f, reason::SP_NEGATION), negations);
        assert_eq!(left(f, reason::TAX), 1);
        assert_eq!(left(f, reason::CREDIT), 1);
        assert_eq!(left(f, reason::FEE), 1);
        assert_eq!(left(f, reason::OTHER_EC2), 1);
        let windows: Vec<_> = read
            .demand
            .iter()
            .filter(|r| r.platform == "Windows")
            .collect();
        assert_eq!(windows.len(), 1);
        assert_eq!(windows[0].instance_hours, Decimal::ONE);
        assert!(read.tally().is_consistent());
        // Commitments read back exactly.
        assert_eq!(read.reservations.len(), 1);
        let ri = &read.reservations[0];
        assert_eq!(ri.arn, month_spec().ris[0].arn);
        assert_eq!(ri.instance_type.as_str(), "r5.2xlarge");
        assert_eq!(ri.count, Some(2));
        assert_eq!(ri.term_years, Some(1));
        assert_eq!(ri.offering_class.as_deref(), Some("standard"));
        assert_eq!(ri.payment.as_deref(), Some("no_upfront"));
        assert_eq!(ri.scope, RiScope::Region);
        assert_eq!(ri.platform, billing::LINUX);
        assert_eq!(ri.start, Some(t("2025-06-01T00:00:00Z")));
        assert_eq!(ri.end, Some(t("2026-06-01T00:00:00Z")));
        assert_eq!(read.savings_plans.len(), 1);
        let sp = &read.savings_plans[0];
        assert_eq!(sp.kind, SpType::Compute);
        assert_eq!(sp.commitment_per_hour, d("0.40"));
        assert_eq!(sp.term_years, Some(1));
        assert_eq!(sp.payment.as_deref(), Some("no_upfront"));
        assert_eq!(sp.end, Some(t("2026-09-01T00:00:00Z")));
        assert_eq!(sp.lines, 72);
        assert_eq!(read.reservations_at(t("2026-07-01T00:00:00Z")).len(), 0);
        assert_eq!(read.savings_plans_at(t("2026-07-01T00:00:00Z")).len(), 1);
        reads.push(read);
    }
    assert_eq!(reads[0].demand, reads[2].demand, "CSV and Parquet agree");
    assert_eq!(reads[0].reservations, reads[2].reservations);
    assert_eq!(reads[0].savings_plans, reads[2].savings_plans);
    // Two exports read together add up; a glob names them.
    let both = billing::expand(&[dir.path().join("cur.*")]).unwrap();
    assert_eq!(both.len(), 3);
    let twice = billing::read_billing(&both[..2], Mode::Strict).unwrap();
    assert_eq!(
        twice.demand[0].instance_hours,
        reads[0].demand[0].instance_hours * d("2")
    );
}

fn scenario(dir: &Path, name: &str, evidence: &str) -> PathBuf {
    let text = format!(
        "name = \"{name}\"\nregion = \"us-east-1\"\nstart = \"2026-03-01\"\nend = \"2026-03-04\"\n\
         seed = 7\n\n[compute]\n{evidence}\nruns = 20\nalternatives = false\n\n\
         [optimize.fleet]\nmax_spot_share = 0.5\nsavings_plan = true\n"
    );
    let p = dir.join(format!("{name}.toml"));
    std::fs::write(&p, text).unwrap();
    p
}

fn costlab(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_costlab"))
        .args(args)
        .current_dir(dir)
        .env_remove("COSTLAB_PRICING_DIR")
        .output()
        .unwrap()
}

#[test]
fn a_cur_month_gives_the_same_plan_as_its_demand_in_costlabs_hourly_csv() {
    let dir = tempfile::tempdir().unwrap();
    write_parquet(&dir.path().join("cur.parquet"), &lines(), 1000);
    let mut demand = known_demand();
    demand.sort_by(|a, b| (a.hour, &a.instance_type).cmp(&(b.hour, &b.instance_type)));
    let usage: Vec<costlab::trace::compute::UsageRecord> = demand
        .into_iter()
        .map(|h| costlab::trace::compute::UsageRecord {
            hour: h.hour,
            instance_type: costlab::aws::InstanceType(h.instance_type),
            instance_seconds: h.seconds,
            count: None,
            region: None,
            os: costlab::trace::compute::Os::Linux,
        })
        .collect();
    let f = std::fs::File::create(dir.path().join("usage.csv")).unwrap();
    costlab::trace::compute::write_usage_csv(f, &usage).unwrap();
    let a = scenario(dir.path(), "from-cur", "billing = [\"cur.*\"]");
    let b = scenario(dir.path(), "from-usage", "usage = \"usage.csv\"");
    let mut plans = Vec::new();
    for (s, out) in [(&a, "rec-a"), (&b, "rec-b")] {
        let o = costlab(
            dir.path(),
            &[
                "optimize",
                s.to_str().unwrap(),
                "--what",
                "fleet",
                "--out",
                out,
                "--format",
                "json",
            ],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let csv = std::fs::read_to_string(dir.path().join(out).join("purchase-plan.csv")).unwrap();
        plans.push((v["fleet"]["plan"].clone(), csv));
    }
    assert!(
        plans[0].1.lines().count() > 1,
        "a plan with purchases: {}",
        plans[0].1
    );
    assert_eq!(plans[0].1, plans[1].1, "the same purchase plan");
    assert_eq!(plans[0].0, plans[1].0, "the same simulated plan");
}

#[test]
fn malformed_and_hostile_rows_are_counted_in_the_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = lines();
    let n = lines.len() as u64;
    let good = lines[0].clone();
    let mut bad = Vec::new();
    let mut push = |f: &dyn Fn(&mut CurLine)| {
        let mut l = good.clone();
        f(&mut l);
        bad.push(l);
    };
    push(&|l| l.usage_type = "BoxUsage:NOT A TYPE".into());
    push(&|l| l.amount = d("-5"));
    push(&|l| l.start = None);
    push(&|l| l.end = Some(t("2026-01-01T00:00:00Z")));
    push(&|l| l.end = Some(t("2027-01-01T00:00:00Z")));
    push(&|l| l.line_type = "");
    push(&|l| l.operation = String::new());
    let k = bad.len() as u64;
    lines.extend(bad);
    let csv = dir.path().join("bad.csv");
    write_csv(&csv, &lines, false);
    // Text a writer cannot make: a short row, a number that is not one, invalid UTF-8.
    let mut text = std::fs::read(&csv).unwrap();
    let header = String::from_utf8_lossy(&text)
        .lines()
        .next()
        .unwrap()
        .to_string();
    let width = header.split(',').count();
    text.extend(b"Usage,1,2\n");
    let mut junk = vec!["".to_string(); width];
    junk[2] = "Usage".into();
    junk[5] = "AmazonEC2".into();
    junk[6] = "BoxUsage:m5.large".into();
    junk[7] = "RunInstances".into();
    junk[3] = "2026-03-01T00:00:00Z".into();
    junk[9] = "NaN".into();
    text.extend(junk.join(",").as_bytes());
    text.push(b'\n');
    junk[9] = "1".into();
    junk[8] = "RESOURCE".into();
    let raw = junk.join(",").replace("RESOURCE", "i-\u{1}").into_bytes();
    let at = raw.windows(3).position(|w| w == b"i-\x01").unwrap();
    let mut raw = raw;
    raw.splice(at + 2..at + 3, [0xffu8, 0xfe]);
    text.extend(raw);
    text.push(b'\n');
    std::fs::write(&csv, &text).unwrap();
    let read = billing::read_billing(std::slice::from_ref(&csv), Mode::Lenient).unwrap();
    let f = &read.files[0];
    assert_eq!(f.rows.read, n + k + 3);
    assert_eq!(f.rows.skipped, k + 3, "{:?}", f.rows.reasons);
    let reasons = &f.rows.reasons;
    let has = |key: &str| reasons.get(key).copied().unwrap_or(0);
    assert_eq!(has("line_item_usage_type: invalid value"), 1, "{reasons:?}");
    assert_eq!(
        has("line_item_usage_amount: invalid value"),
        2,
        "{reasons:?}"
    );
    assert_eq!(
        has("line_item_usage_start_date: inconsistent line"),
        1,
        "{reasons:?}"
    );
    assert_eq!(
        has("line_item_usage_end_date: inconsistent line"),
        2,
        "{reasons:?}"
    );
    assert_eq!(
        has("line_item_line_item_type: required value empty"),
        1,
        "{reasons:?}"
    );
    assert_eq!(
        has("line_item_operation: inconsistent line"),
        1,
        "{reasons:?}"
    );
    assert_eq!(has("wrong number of columns"), 1, "{reasons:?}");
    assert_eq!(
        has("line_item_resource_id: invalid UTF-8"),
        1,
        "{reasons:?}"
    );
    assert_eq!(f.rows.examples.len(), 5);
    assert!(matches!(f.rows.examples[0].place, Place::Line(_)));
    let e = f.rows.examples[0].to_string();
    assert!(
        e.contains("bad.csv:") && e.contains("line_item_usage_type"),
        "{e}"
    );
    // The good rows still give the demand exactly.
    assert_eq!(demand_of(&read), expected());
    let tally = read.tally();
    assert!(tally.is_consistent());
    assert_eq!(tally.skipped, k + 3);
    // Strict mode stops at the first, naming file, line and column.
    let e = billing::read_billing(&[csv], Mode::Strict).unwrap_err();
    let row = e.bad_row().unwrap();
    assert_eq!(row.field.as_deref(), Some("line_item_usage_type"));
    assert!(e.to_string().contains("lenient"), "{e}");
}

#[test]
fn parquet_rows_are_named_by_row_and_damage_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = lines();
    let i = lines
        .iter()
        .position(|l| l.line_type == "DiscountedUsage")
        .unwrap();
    lines[i].usage_type = "BoxUsage:x".into();
    let pq = dir.path().join("cur.parquet");
    write_parquet(&pq, &lines, 64);
    let read = billing::read_billing(std::slice::from_ref(&pq), Mode::Lenient).unwrap();
    let f = &read.files[0];
    assert_eq!(f.rows.skipped, 1);
    assert_eq!(f.rows.examples[0].place, Place::Row(i as u64 + 1));
    let e = f.rows.examples[0].to_string();
    assert!(
        e.contains(&format!("cur.parquet:row {}:line_item_usage_type", i + 1)),
        "{e}"
    );
    // A truncated file is an error, not a panic.
    let bytes = std::fs::read(&pq).unwrap();
    let cut = dir.path().join("cut.parquet");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    assert!(billing::read_billing(&[cut], Mode::Lenient).is_err());
    // Damaged pages in the middle: an error or a count, never a panic.
    let mut flipped = bytes.clone();
    for i in (64..flipped.len() / 2).step_by(97) {
        flipped[i] ^= 0x5a;
    }
    let dmg = dir.path().join("dmg.parquet");
    std::fs::write(&dmg, &flipped).unwrap();
    let _ = billing::read_billing(&[dmg], Mode::Lenient);
    // Not a billing export at all.
    let other = dir.path().join("other.csv");
    std::fs::write(
        &other,
        "hour,instance_type,count\n2026-03-01T00:00:00Z,m5.large,1\n",
    )
    .unwrap();
    let e = billing::read_billing(&[other], Mode::Lenient).unwrap_err();
    assert!(e.to_string().contains("not a billing export"), "{e}");
    let _ = Paid::OnDemand;
}

#[test]
fn commitments_in_force_become_the_compute_specs_purchases() {
    use costlab::sim::fleet::evidence::{reservation_of, savings_plan_of};
    use costlab::sim::fleet::{Payment, SpKind, Term};
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("cur.csv");
    write_csv(&csv, &lines(), false);
    let read = billing::read_billing(&[csv], Mode::Strict).unwrap();
    let ri = reservation_of(&read.reservations[0]).unwrap();
    assert_eq!(ri.instance_type.as_str(), "r5.2xlarge");
    assert_eq!(
        (ri.count, ri.term, ri.payment),
        (2, Term::OneYear, Payment::NoUpfront)
    );
    assert_eq!(ri.start, t("2025-06-01T00:00:00Z"));
    assert_eq!(ri.end(), t("2026-06-01T00:00:00Z"));
    let sp = savings_plan_of(&read.savings_plans[0]).unwrap();
    assert_eq!(sp.kind, SpKind::Compute);
    assert_eq!(sp.commitment_per_hour, d("0.40"));
    assert_eq!((sp.term, sp.payment), (Term::OneYear, Payment::NoUpfront));
    assert_eq!(sp.name, "sp-abc");
    // What the simulator cannot model is refused with the reason.
    let mut zonal = read.reservations[0].clone();
    zonal.scope = RiScope::Zone("us-east-1a".into());
    assert!(reservation_of(&zonal).unwrap_err().contains("zonal"));
    let mut windows = read.reservations[0].clone();
    windows.platform = "Windows".into();
    assert!(reservation_of(&windows).unwrap_err().contains("Windows"));
    let mut convertible = read.reservations[0].clone();
    convertible.offering_class = Some("convertible".into());
    assert!(reservation_of(&convertible).is_err());
}
