//! The billing-export benchmark's three parts (scripts/bench-billing.sh):
//!
//! * `gen OUT.parquet LINES`: writes a CUR 2.0 month (March 2026) of about LINES line items:
//!   hourly EC2 usage of 28 instance types over many instances, split between RI-covered,
//!   Savings-Plan-covered and On-Demand lines, the fee lines, and hourly S3 request and daily
//!   storage lines of 300 buckets.
//! * `read FILE`: what costlab reads from it (hourly demand, commitments, S3 usage), with the
//!   row counts.
//! * `scan FILE`: a plain Parquet scan of the same file, every column (maps included) decoded
//!   with the `parquet` crate's column readers: the floor any reader of the file pays.

use std::path::{Path, PathBuf};
use std::time::Instant;

use costlab::trace::billing::synth::{self, CurLine, SynthHour, SynthMonth, SynthRi, SynthSp};
use costlab::trace::billing::{self, Mode};
use costlab::units::Timestamp;
use parquet::column::reader::ColumnReader;
use parquet::file::reader::{FileReader, SerializedFileReader};
use rust_decimal::Decimal;

const TYPES: &[&str] = &[
    "m5.large",
    "m5.xlarge",
    "m5.2xlarge",
    "m5.4xlarge",
    "c5.large",
    "c5.xlarge",
    "c5.2xlarge",
    "c5.4xlarge",
    "r5.large",
    "r5.xlarge",
    "r5.2xlarge",
    "r5.4xlarge",
    "m6i.large",
    "m6i.xlarge",
    "m6i.2xlarge",
    "c6i.large",
    "c6i.xlarge",
    "c6i.2xlarge",
    "r6i.large",
    "r6i.xlarge",
    "r6i.2xlarge",
    "t3.medium",
    "t3.large",
    "t3.xlarge",
    "m7g.large",
    "m7g.xlarge",
    "c7g.large",
    "c7g.xlarge",
];

fn t(s: &str) -> Timestamp {
    Timestamp::parse_rfc3339(s).expect("a time")
}

fn generate(out: &Path, lines: u64) -> std::io::Result<()> {
    let start = t("2026-03-01T00:00:00Z");
    let hours = 744u64;
    let per_hour_type = (lines * 95 / 100) / (hours * TYPES.len() as u64 * 3);
    let instances = per_hour_type.max(1) as u32;
    let mut demand = Vec::new();
    for h in 0..hours as i64 {
        for (i, ty) in TYPES.iter().enumerate() {
            let running = u64::from(instances) * 3600;
            let wobble = (h as u64 * 37 + i as u64 * 101) % 3600;
            demand.push(SynthHour {
                hour: Timestamp(start.0 + h * 3600),
                instance_type: ty.to_string(),
                seconds: running - wobble,
            });
        }
    }
    let spec = SynthMonth {
        region: "us-east-1".into(),
        start,
        end: t("2026-04-01T00:00:00Z"),
        ris: TYPES
            .iter()
            .enumerate()
            .map(|(i, ty)| SynthRi {
                arn: format!("arn:aws:ec2:us-east-1:123456789012:reserved-instances/ri-{i}"),
                instance_type: ty.to_string(),
                count: instances / 3,
                start: t("2025-06-01T00:00:00Z"),
                end: t("2026-06-01T00:00:00Z"),
                lease: "1yr".into(),
                offering_class: "standard".into(),
                purchase_option: "No Upfront".into(),
                hourly_fee: Decimal::new(1, 1),
            })
            .collect(),
        sps: vec![SynthSp {
            arn: "arn:aws:savingsplans::123456789012:savingsplan/bench".into(),
            offering_type: "ComputeSavingsPlans".into(),
            commitment_per_hour: Decimal::from(50),
            start: t("2025-09-01T00:00:00Z"),
            end: t("2026-09-01T00:00:00Z"),
            term: "1yr".into(),
            payment: "No Upfront".into(),
            covers: Decimal::new(5, 1),
        }],
        instances,
        extras: false,
    };
    let mut w = synth::ParquetWriter::create(out, 200_000)?;
    let mut n = 0u64;
    let mut err = None;
    synth::month(&spec, &demand, |l| {
        n += 1;
        if err.is_none()
            && let Err(e) = w.push(l)
        {
            err = Some(e);
        }
    });
    if let Some(e) = err {
        return Err(e);
    }
    // S3: hourly requests and daily storage of 300 buckets, until LINES is reached.
    let mut h = 0i64;
    'outer: while n < lines {
        let hour = Timestamp(start.0 + (h % hours as i64) * 3600);
        for b in 0..300 {
            for (ut, unit) in [
                ("Requests-Tier1", "Requests"),
                ("Requests-Tier2", "Requests"),
                ("TimedStorage-ByteHrs", "GB-Mo"),
                ("TimedStorage-SIA-ByteHrs", "GB-Mo"),
            ] {
                if ut.starts_with("Timed") && h % 24 != 0 {
                    continue;
                }
                let l = CurLine {
                    id: format!("s3-{n}"),
                    line_type: "Usage",
                    start: Some(hour),
                    end: Some(Timestamp(hour.0 + 3600)),
                    product_code: "AmazonS3".into(),
                    usage_type: ut.into(),
                    operation: "PutObject".into(),
                    resource_id: Some(format!("bucket-{b:03}")),
                    amount: Decimal::from(1 + (n % 1000)),
                    unit: Some(unit.into()),
                    cost: Decimal::new(5, 3),
                    region: Some("us-east-1".into()),
                    description: "S3".into(),
                    ..CurLine::default()
                };
                w.push(l)?;
                n += 1;
                if n >= lines {
                    break 'outer;
                }
            }
        }
        h += 1;
    }
    w.finish()?;
    println!(
        "wrote {n} line items ({instances} instances per type and hour) to {}",
        out.display()
    );
    Ok(())
}

fn read(path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let t0 = Instant::now();
    let r = billing::read_billing(&[path.to_path_buf()], Mode::Lenient)?;
    let secs = t0.elapsed().as_secs_f64();
    let tally = r.tally();
    let hours: Decimal = r.demand.iter().map(|d| d.instance_hours).sum();
    println!(
        "costlab read: {:.2} s, {} rows ({:.0} rows/s): {} used, {} left out, {} skipped; \
         {} demand records ({} instance-hours), {} RIs, {} Savings Plans, {} S3 usage records",
        secs,
        tally.read,
        tally.read as f64 / secs,
        tally.used,
        tally.not_replayed_total(),
        tally.skipped,
        r.demand.len(),
        hours.round_dp(2),
        r.reservations.len(),
        r.savings_plans.len(),
        r.s3.len()
    );
    Ok(())
}

fn scan(path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let t0 = Instant::now();
    let reader = SerializedFileReader::new(std::fs::File::open(path)?)?;
    let mut values = 0u64;
    let mut rows = 0u64;
    for g in 0..reader.num_row_groups() {
        let rg = reader.get_row_group(g)?;
        rows += rg.metadata().num_rows() as u64;
        for c in 0..rg.num_columns() {
            let (mut defs, mut reps) = (Vec::new(), Vec::new());
            macro_rules! drain {
                ($r:expr) => {{
                    let mut v = Vec::new();
                    loop {
                        v.clear();
                        defs.clear();
                        reps.clear();
                        let (recs, vals, _) =
                            $r.read_records(8192, Some(&mut defs), Some(&mut reps), &mut v)?;
                        values += vals as u64;
                        if recs == 0 {
                            break;
                        }
                    }
                }};
            }
            match rg.get_column_reader(c)? {
                ColumnReader::ByteArrayColumnReader(mut r) => drain!(r),
                ColumnReader::DoubleColumnReader(mut r) => drain!(r),
                ColumnReader::Int64ColumnReader(mut r) => drain!(r),
                ColumnReader::Int32ColumnReader(mut r) => drain!(r),
                ColumnReader::FloatColumnReader(mut r) => drain!(r),
                _ => {}
            }
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "plain scan: {secs:.2} s, {rows} rows, {values} values in every column ({:.0} rows/s)",
        rows as f64 / secs
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = PathBuf::from(
        args.get(2)
            .ok_or("usage: billing_bench gen|read|scan FILE [LINES]")?,
    );
    match args[1].as_str() {
        "gen" => generate(&path, args.get(3).map_or(Ok(10_000_000), |s| s.parse())?)?,
        "read" => read(&path)?,
        "scan" => scan(&path)?,
        other => return Err(format!("unknown command {other}").into()),
    }
    Ok(())
}
