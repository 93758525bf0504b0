//! Compute evidence, as a scenario's `[compute]` section reads it (`load_evidence`): the
//! hourly usage CSV (`read_usage`, then summed into `FleetDemand`), the job trace CSV
//! (`read_jobs`) and spot price history in its JSON, CSV and text forms (`read_spot`, then
//! `SpotHistory` and its series' prices), plain and gzip, in both modes. Seeds: the generator's
//! usage and jobs, the documented examples of docs/compute-evidence.md's columns, and
//! /work/shared/corpus/spot.
//!
//! Bound: 16 MiB + 64 bytes per input byte (CSV is read through a 64 KiB buffer and lines of
//! at most 1 MiB; records are kept, a few hundred bytes each for a line of some tens; a JSON
//! page is read whole into a `serde_json::Value` tree first).

use crate::harness::{Bound, MIB, config, corpus, run_case};
use crate::mutate::{byte_edits, line_edits, mutated};
use costlab::aws::{InstanceType, Region};
use costlab::sim::fleet::FleetDemand;
use costlab::trace::compute::{
    DemandSpec, InstanceChoice, JobClass, JobSpec, Mode, Os, Seasonality, Service, SpotDefaults,
    SpotHistory, TypeDemand, generate_jobs, generate_usage, read_jobs, read_spot, read_usage,
    write_jobs_csv, write_usage_csv,
};
use costlab::units::Timestamp;
use proptest::prelude::*;
use std::io::Write;
use std::path::Path;
use std::sync::OnceLock;

const BOUND: Bound = Bound {
    fixed: 16 * MIB,
    per_byte: 64,
};

const USAGE: &str = "instance_type,count,hour,instance_seconds,os,region,extra
m5.large,2,2026-03-01T00:00:00Z,7200,linux,us-east-1,x
c5.xlarge,,2026-03-01 01:00,1800,,,
m5.large,1,2026-03-01T02:30:00Z,100,,,
r5.xlarge,3,2026-03-01T05:00:00Z,,Windows,,
";

const JOBS: &str =
    "job_id,start,duration,vcpu,memory_gib,instance_type,service,checkpoint_minutes,data_gb
a,2026-03-01T00:00:00Z,01:30:00,4,16,m5.xlarge,emr,15,120.5
b,2026-03-01 00:10:00,600,0.25,0.5,any,lambda,,
d,2026-03-01T00:30:00Z,60,2,8,m5.large,glue,,
f,2026-03-01T00:50:00Z,60,2,8,any,EMR-SERVERLESS,0,
";

const SPOT_CSV: &str = "Timestamp,AvailabilityZone,InstanceType,ProductDescription,SpotPrice
2026-03-01T00:00:00Z,us-east-1a,m5.xlarge,Linux/UNIX,0.0712
2026-03-01T06:00:00Z,us-east-1a,m5.xlarge,Linux/UNIX,0.0698
2026-03-02T00:00:00Z,us-east-1b,m5.xlarge,Linux/UNIX,0.0731
";

fn ts(s: &str) -> Timestamp {
    Timestamp::parse_rfc3339(s).unwrap()
}

fn it(s: &str) -> InstanceType {
    InstanceType::parse(s).unwrap()
}

fn usage_samples() -> &'static [Vec<u8>] {
    static S: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    S.get_or_init(|| {
        let records = generate_usage(&DemandSpec {
            seed: 3,
            start: ts("2026-03-02T00:00:00Z"),
            hours: 30,
            region: Some(Region::parse("us-east-1").unwrap()),
            os: Os::Linux,
            types: vec![TypeDemand {
                instance_type: it("m5.xlarge"),
                base_instances: 10.0,
                seasonality: Seasonality::business(0.5, 14, 0.5),
                growth_per_day: 0.0,
                noise: 0.2,
            }],
        })
        .unwrap();
        let mut generated = Vec::new();
        write_usage_csv(&mut generated, &records).unwrap();
        vec![USAGE.as_bytes().to_vec(), generated]
    })
}

fn job_samples() -> &'static [Vec<u8>] {
    static S: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    S.get_or_init(|| {
        let records = generate_jobs(&JobSpec {
            seed: 4,
            start: ts("2026-03-02T00:00:00Z"),
            hours: 12,
            classes: vec![JobClass {
                name: "etl".into(),
                service: Service::Emr,
                instance_type: InstanceChoice::Type(it("r5.2xlarge")),
                jobs_per_hour: 2.0,
                seasonality: Seasonality::flat(),
                growth_per_day: 0.0,
                median_duration_seconds: 600.0,
                duration_sigma: 1.0,
                vcpu: 8.into(),
                memory_gib: 64.into(),
                checkpoint_minutes: Some(10),
                data_gb: Some(12.into()),
            }],
        })
        .unwrap();
        let mut generated = Vec::new();
        write_jobs_csv(&mut generated, &records).unwrap();
        vec![JOBS.as_bytes().to_vec(), generated]
    })
}

fn spot_samples() -> &'static [Vec<u8>] {
    static S: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    S.get_or_init(|| {
        let mut v = vec![SPOT_CSV.as_bytes().to_vec()];
        if let Some(d) = corpus("spot") {
            let mut paths: Vec<_> = std::fs::read_dir(d)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| !p.to_string_lossy().ends_with(".md"))
                .collect();
            paths.sort();
            v.extend(paths.iter().map(|p| std::fs::read(p).unwrap()));
        }
        v
    })
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// Which reader a case goes through.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Usage,
    Jobs,
    Spot,
}

/// The window usage is summed over.
fn window() -> (Timestamp, Timestamp) {
    (ts("2026-03-01T00:00:00Z"), ts("2026-04-01T00:00:00Z"))
}

fn read_one(kind: Kind, path: &Path, mode: Mode) -> Result<(), String> {
    match kind {
        Kind::Usage => {
            let (records, summary) = read_usage(path, mode).map_err(|e| e.to_string())?;
            counts(summary.read, summary.parsed, summary.skipped, records.len())?;
            let (start, end) = window();
            let _ = FleetDemand::from_records(
                &records,
                &Region::parse("us-east-1").unwrap(),
                start,
                end,
            );
        }
        Kind::Jobs => {
            let (records, summary) = read_jobs(path, mode).map_err(|e| e.to_string())?;
            counts(summary.read, summary.parsed, summary.skipped, records.len())?;
            for r in &records {
                std::hint::black_box(r.end());
            }
        }
        Kind::Spot => {
            for defaults in [
                SpotDefaults::default(),
                SpotDefaults {
                    instance_type: Some(it("t3.micro")),
                    product: Some("Linux/UNIX".into()),
                    zone: None,
                },
            ] {
                let read = read_spot(path, mode, &defaults).map_err(|e| e.to_string())?;
                let s = &read.summary;
                counts(s.read, s.parsed, s.skipped, read.records.len())?;
                if let Ok(h) = SpotHistory::build(read.records) {
                    for series in h.series() {
                        let (start, end) = window();
                        for (a, b) in [
                            (start, end),
                            (Timestamp(i64::MIN / 4), Timestamp(i64::MAX / 4)),
                        ] {
                            std::hint::black_box(series.price_at(a));
                            std::hint::black_box(series.average_over(a, b));
                            std::hint::black_box(series.cost_over(a, b));
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

/// Every line read is parsed or counted as skipped, and every parsed line is a record.
fn counts(read: u64, parsed: u64, skipped: u64, records: usize) -> Result<(), String> {
    if read == parsed + skipped && parsed == records as u64 {
        Ok(())
    } else {
        Err(format!(
            "{records} records, but read {read} = parsed {parsed} + skipped {skipped}"
        ))
    }
}

fn compute_case(kind: Kind, stored: Vec<u8>) {
    let target = match kind {
        Kind::Usage => "compute-usage",
        Kind::Jobs => "compute-jobs",
        Kind::Spot => "spot-history",
    };
    run_case(target, &stored.clone(), BOUND, move || {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let path = dir.path().join("fuzz-compute.csv");
        std::fs::write(&path, &stored).map_err(|e| e.to_string())?;
        let name = path.display().to_string();
        for mode in [Mode::Lenient, Mode::Strict] {
            match read_one(kind, &path, mode) {
                Ok(()) => {}
                Err(m) if m.contains(&name) => {}
                Err(m) => return Err(format!("{mode:?}: the error does not name {name}: {m}")),
            }
        }
        Ok(())
    });
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![Just(Kind::Usage), Just(Kind::Jobs), Just(Kind::Spot)]
}

fn samples(k: Kind) -> &'static [Vec<u8>] {
    match k {
        Kind::Usage => usage_samples(),
        Kind::Jobs => job_samples(),
        Kind::Spot => spot_samples(),
    }
}

proptest! {
    #![proptest_config(config(200))]

    #[test]
    fn compute_on_mutated_samples(k in kind(), i in 0usize..64, e in line_edits(), gz in proptest::bool::weighted(0.2)) {
        let s = samples(k);
        let text = mutated(&s[i % s.len()], &e);
        compute_case(k, if gz { gzip(&text) } else { text });
    }

    #[test]
    fn compute_on_bytes(k in kind(), bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        compute_case(k, bytes);
    }

    #[test]
    fn compute_on_damaged_gzip(k in kind(), i in 0usize..64, e in byte_edits()) {
        let s = samples(k);
        compute_case(k, mutated(&gzip(&s[i % s.len()]), &e));
    }
}

#[test]
fn the_unmutated_samples_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.csv");
    for s in usage_samples() {
        std::fs::write(&p, s).unwrap();
        assert!(!read_usage(&p, Mode::Lenient).unwrap().0.is_empty());
    }
    for s in job_samples() {
        std::fs::write(&p, s).unwrap();
        assert!(!read_jobs(&p, Mode::Lenient).unwrap().0.is_empty());
    }
    std::fs::write(&p, SPOT_CSV).unwrap();
    let read = read_spot(&p, Mode::Strict, &SpotDefaults::default()).unwrap();
    assert_eq!(read.records.len(), 3);
    for k in [Kind::Usage, Kind::Jobs, Kind::Spot] {
        for s in samples(k) {
            compute_case(k, s.clone());
        }
    }
}

/// Found with the inventory CSV target (the same reader design): an unclosed quote made the rest
/// of a file one CSV record, every line under the line bound, and the parser gathered it whole
/// (9.5 MB held for a 4 MB usage or spot file; a file of any size would be held whole). The
/// record is refused past 1 MiB, naming the file and the line it starts on.
#[test]
fn an_unclosed_quote_is_refused_in_bounded_memory() {
    let mut rest = Vec::new();
    for _ in 0..64 {
        rest.extend(std::iter::repeat_n(b'x', 64 << 10));
        rest.push(b'\n');
    }
    let usage = [
        &b"instance_type,count,hour,instance_seconds\nm5.large,2,\"2026\n"[..],
        &rest,
    ]
    .concat();
    let spot = [
        &b"Timestamp,AvailabilityZone,InstanceType,ProductDescription,SpotPrice\n\"2026\n"[..],
        &rest,
    ]
    .concat();
    let jobs = [
        &JOBS.as_bytes()[..JOBS.find('\n').unwrap() + 1],
        b"\"a\n",
        &rest,
    ]
    .concat();
    for (k, text) in [(Kind::Usage, usage), (Kind::Spot, spot), (Kind::Jobs, jobs)] {
        let m = run_case(
            "compute-unclosed-quote",
            &text.clone(),
            Bound {
                fixed: 4 * MIB,
                per_byte: 0,
            },
            move || {
                let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
                let p = dir.path().join("quote.csv");
                std::fs::write(&p, &text).map_err(|e| e.to_string())?;
                for mode in [Mode::Lenient, Mode::Strict] {
                    match read_one(k, &p, mode) {
                        Err(e)
                            if e.contains(&p.display().to_string())
                                && e.contains(
                                    "the record that starts on line 2 runs on for more than 1 MiB",
                                ) => {}
                        other => return Err(format!("{k:?} {mode:?}: {other:?}")),
                    }
                }
                Ok(())
            },
        );
        assert!(m.peak_bytes < 4 * MIB);
    }
}
