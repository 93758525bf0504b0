//! The synthetic workload generator (`costlab generate`): its output round-trips through
//! costlab's own readers (access-log parser in strict mode, inventory reader with MD5s), is
//! byte-identical for one seed, follows the configured distributions within tolerances derived
//! from them, and bad specs fail with exit code 2 and file:line:key.

use costlab::trace::access_log::stats::LogStats;
use costlab::trace::access_log::{LogReader, Mode, ReadError, reader};
use costlab::trace::inventory::{self, InventoryRecord};
use costlab::workload::{self, Compress, Options, Spec};
use proptest::prelude::*;
use serde_json::Value;
use statrs::distribution::{ChiSquared, ContinuousCDF};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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
            .output()
            .expect("run costlab")
    }
}

/// Generates `spec` into `out` through the library.
fn gen_into(spec: &str, out: &Path, compress: Compress) -> Value {
    let s = Spec::parse("spec.toml", spec).unwrap_or_else(|e| panic!("{e}"));
    let opts = Options {
        out: out.to_path_buf(),
        compress,
        ..Options::default()
    };
    workload::generate(&s, spec, &opts).unwrap_or_else(|e| panic!("{e}"));
    let text = std::fs::read_to_string(out.join("generate.json")).expect("generate.json");
    serde_json::from_str(&text).expect("generate.json is JSON")
}

/// uploadId → (key, (part number, bytes) in order, completed size).
type Uploads = BTreeMap<String, (String, Vec<(u32, u64)>, Option<u64>)>;

/// One parsed log line, owned.
#[derive(Clone, Debug)]
struct Line {
    file: String,
    time: i64,
    op: String,
    key: Option<String>,
    uri: String,
    status: u16,
    bytes_sent: Option<u64>,
    object_size: Option<u64>,
    requester: String,
    fields: usize,
}

/// Every line of every log file, strictly parsed, in time order (k-way merge), with the
/// parser's statistics.
fn read_logs(out: &Path) -> (Vec<Line>, costlab::trace::access_log::stats::Summary, u64) {
    let sources = reader::expand(&[out.join("logs").display().to_string()]).expect("logs");
    let mut lines = Vec::new();
    let mut stats = LogStats::new(1);
    let log = LogReader::new(Mode::Strict)
        .for_each(&sources, |at, r| -> Result<(), ReadError> {
            stats.add(r);
            lines.push(Line {
                file: at.file.to_string(),
                time: r.time.0,
                op: r.operation.to_string(),
                key: r.key.as_deref().map(str::to_string),
                uri: r.request_uri.unwrap_or("").to_string(),
                status: r.http_status.expect("status"),
                bytes_sent: r.bytes_sent,
                object_size: r.object_size,
                requester: r.requester.unwrap_or("").to_string(),
                fields: r.field_count,
            });
            Ok(())
        })
        .unwrap_or_else(|e| panic!("strict parse failed: {e}"));
    assert_eq!(log.skipped, 0, "{:?}", log.examples);
    assert_eq!(log.read, log.parsed);
    (lines, stats.finish(), sources.len() as u64)
}

fn u(v: &Value) -> u64 {
    v.as_u64()
        .unwrap_or_else(|| panic!("not a whole number: {v}"))
}

fn days(t: i64) -> f64 {
    t as f64 / 86_400.0
}

const T0: i64 = 1_772_323_200; // 2026-03-01T00:00:00Z

/// A spec that uses every feature: multipart, deletes of both kinds, overwrites, lists, ranged
/// reads, cycles, both decay curves, Zipf, and an inventory.
const FULL: &str = r#"
seed = 7
start = "2026-03-01"
end = "2026-03-08"
bucket = "round-trip-lake"
diurnal = [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 0.5, 0.5]

[inventory]
objects = 400
min_age_days = 3
max_age_days = 90

[[prefix]]
name = "bronze/"
key_template = "events/dt={date}/h={hour}/part {seq}+{hex8}.json"
objects_per_day = 300
size = { dist = "lognormal", median_bytes = 200000, sigma = 1.0 }
reads_first_day = 1.5
read_decay = { model = "exponential", half_life_days = 0.5 }
delete = { model = "after_days", dist = "uniform", min_days = 1, max_days = 3 }
lists_per_day = 48

[[prefix]]
name = "silver/"
objects_per_day = 20
size = { dist = "uniform", min_bytes = 1000000, max_bytes = 90000000 }
multipart_threshold_bytes = 40000000
part_size_bytes = 8388608
reads_first_day = 5
read_decay = { model = "power_law", exponent = 1.2 }
zipf_s = 0.9
overwrites_per_day = 0.1
delete = { model = "daily", probability = 0.02 }
range_read_fraction = 0.5
range_read_bytes = 65536
storage_class = "STANDARD_IA"

[[prefix]]
name = "gold/"
objects_per_day = 3
size = { dist = "pareto", scale_bytes = 100000, shape = 1.5 }
reads_first_day = 30
read_decay = { model = "power_law", exponent = 0.7 }
zipf_s = 1.2
overwrites_per_day = 0.2
storage_class = "INTELLIGENT_TIERING"
existing_weight = 100
"#;

#[test]
fn logs_parse_strictly_and_match_the_summary() {
    let w = Workdir::new();
    let out = w.path("out");
    let summary = gen_into(FULL, &out, Compress::None);
    let (lines, stats, files) = read_logs(&out);
    assert!(lines.len() > 5000, "{}", lines.len());
    assert_eq!(lines.len() as u64, u(&summary["lines"]));
    assert_eq!(files, u(&summary["log_files"]));

    // Every record has the 27 fields S3 writes today, and lies in the period.
    let end = T0 + 7 * 86_400;
    for l in &lines {
        assert_eq!(l.fields, 27, "{l:?}");
        assert!((T0..end).contains(&l.time), "{l:?}");
        assert!(
            l.requester
                .starts_with("arn:aws:sts::123456789012:assumed-role/")
        );
    }

    // Requests by operation, as the parser counts them.
    let want: BTreeMap<String, u64> = summary["requests_by_operation"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), u(v)))
        .collect();
    assert_eq!(stats.requests_by_operation, want);
    for op in [
        "REST.PUT.OBJECT",
        "REST.GET.OBJECT",
        "REST.DELETE.OBJECT",
        "REST.POST.UPLOADS",
        "REST.PUT.PART",
        "REST.POST.UPLOAD",
        "REST.GET.BUCKET",
    ] {
        assert!(want.get(op).copied().unwrap_or(0) > 0, "no {op}");
    }

    // Objects and bytes a log reader finds at the end.
    assert_eq!(stats.objects, u(&summary["logged"]["objects_live_at_end"]));
    assert_eq!(stats.bytes, u(&summary["logged"]["bytes_live_at_end"]));

    // Bytes sent and written, deletes, creations.
    let sent: u64 = lines.iter().map(|l| l.bytes_sent.unwrap_or(0)).sum();
    assert_eq!(sent, u(&summary["bytes_sent"]));
    let written: u64 = lines
        .iter()
        .filter(|l| l.op == "REST.PUT.OBJECT" || l.op == "REST.POST.UPLOAD")
        .map(|l| l.object_size.expect("writes carry object_size"))
        .sum();
    assert_eq!(written, u(&summary["bytes_written"]));
    let deletes = lines
        .iter()
        .filter(|l| l.op == "REST.DELETE.OBJECT")
        .count() as u64;
    assert_eq!(deletes, u(&summary["objects"]["deleted"]));
    let writes = lines
        .iter()
        .filter(|l| l.op == "REST.PUT.OBJECT" || l.op == "REST.POST.UPLOAD")
        .count() as u64;
    assert_eq!(
        writes,
        u(&summary["objects"]["created"]) + u(&summary["objects"]["overwrites"])
    );

    // GETs carry bytes_sent and object_size (206 for ranges), deletes are 204.
    for l in &lines {
        match l.op.as_str() {
            "REST.GET.OBJECT" => {
                let size = l.object_size.expect("GET object_size");
                match l.status {
                    200 => assert_eq!(l.bytes_sent.unwrap_or(0), size, "{l:?}"),
                    206 => assert_eq!(l.bytes_sent, Some(65536), "{l:?}"),
                    s => panic!("GET status {s}"),
                }
            }
            "REST.DELETE.OBJECT" => assert_eq!(l.status, 204),
            "REST.GET.BUCKET" => {
                assert!(l.key.is_none());
                assert!(l.uri.starts_with("GET /?list-type=2&prefix="), "{}", l.uri);
            }
            _ => assert_eq!(l.status, 200),
        }
    }

    // Keys decode to what the template renders: spaces and `+` survive the URL encoding, and
    // the request URI carries the same encoded key.
    let odd = lines
        .iter()
        .find(|l| l.key.as_deref().is_some_and(|k| k.contains(' ')))
        .expect("a key with a space");
    let k = odd.key.as_deref().unwrap();
    assert!(k.starts_with("bronze/events/dt=2026-03-0"), "{k}");
    assert!(k.contains("/h=") && k.contains('+'), "{k}");
    assert!(odd.uri.contains("%20") && odd.uri.contains("%2B") && odd.uri.contains("%3D"));

    // Lines are in time order within each file; files are named like S3 log objects.
    let mut by_file: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for l in &lines {
        by_file.entry(&l.file).or_default().push(l.time);
    }
    for (f, times) in &by_file {
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "{f} out of order");
        let name = Path::new(f).file_name().unwrap().to_str().unwrap();
        let b = name.as_bytes();
        assert_eq!(b.len(), 36, "{name}");
        assert!(
            name[20..]
                .bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase())
        );
        // All records of a file are from the hour before its delivery stamp.
        let first_hour = times[0] / 3600;
        assert!(times.iter().all(|t| t / 3600 == first_hour));
    }
}

#[test]
fn multipart_uploads_are_complete_and_consistent() {
    let w = Workdir::new();
    let out = w.path("out");
    gen_into(FULL, &out, Compress::None);
    let (lines, _, _) = read_logs(&out);
    // silver/ sets a 40 MB threshold; the others keep the 8 MiB default. Parts are 8 MiB.
    let threshold = |key: &str| {
        if key.starts_with("silver/") {
            40_000_000u64
        } else {
            8_388_608
        }
    };
    let part = 8_388_608u64;
    // uploadId → (key, part sizes in order, completed size)
    let mut uploads: Uploads = BTreeMap::new();
    let mut initiations = 0;
    for l in &lines {
        let id = |uri: &str| {
            uri.split("uploadId=")
                .nth(1)
                .map(|s| s.split(' ').next().unwrap().to_string())
        };
        match l.op.as_str() {
            "REST.PUT.OBJECT" => {
                let k = l.key.as_deref().unwrap();
                assert!(l.object_size.unwrap() <= threshold(k), "{l:?}");
            }
            "REST.POST.UPLOADS" => {
                assert!(l.uri.ends_with("?uploads HTTP/1.1"), "{}", l.uri);
                initiations += 1;
            }
            "REST.PUT.PART" => {
                let n: u32 = l
                    .uri
                    .split("partNumber=")
                    .nth(1)
                    .unwrap()
                    .split('&')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap();
                let e = uploads
                    .entry(id(&l.uri).unwrap())
                    .or_insert_with(|| (l.key.clone().unwrap(), Vec::new(), None));
                assert_eq!(e.0, l.key.clone().unwrap());
                assert!(e.2.is_none(), "part after completion");
                e.1.push((n, l.object_size.unwrap()));
            }
            "REST.POST.UPLOAD" => {
                let e = uploads.get_mut(&id(&l.uri).unwrap()).expect("parts first");
                e.2 = Some(l.object_size.unwrap());
            }
            _ => {}
        }
    }
    assert!(uploads.len() > 10);
    let mut completed = 0;
    for (id, (key, parts, size)) in &uploads {
        let nums: Vec<u32> = parts.iter().map(|p| p.0).collect();
        assert_eq!(nums, (1..=parts.len() as u32).collect::<Vec<_>>(), "{id}");
        let Some(size) = size else { continue };
        completed += 1;
        assert!(*size > threshold(key), "{key}");
        assert_eq!(parts.len() as u64, size.div_ceil(part));
        assert_eq!(parts.iter().map(|p| p.1).sum::<u64>(), *size);
        assert!(parts[..parts.len() - 1].iter().all(|p| p.1 == part));
    }
    assert!(completed + 2 >= initiations && completed <= initiations);
}

#[test]
fn inventory_reads_back_with_verified_md5s() {
    let w = Workdir::new();
    let out = w.path("out");
    let summary = gen_into(FULL, &out, Compress::None);
    let manifest = out.join(summary["inventory"]["manifest"].as_str().unwrap());
    let recs: Vec<InventoryRecord> = inventory::read_inventory(&manifest, inventory::Mode::Strict)
        .expect("manifest")
        .collect::<Result<_, _>>()
        .expect("strict read with MD5 verification");
    assert_eq!(recs.len(), 400);
    assert_eq!(u(&summary["inventory"]["objects"]), 400);
    let bytes: u64 = recs.iter().map(|r| r.size.unwrap()).sum();
    assert_eq!(bytes, u(&summary["inventory"]["bytes"]));
    let per_prefix: u64 = summary["prefixes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| u(&p["existing_objects"]))
        .sum();
    assert_eq!(per_prefix, 400);
    // The manifest's own checksum file matches.
    let sum = std::fs::read_to_string(manifest.with_extension("checksum")).unwrap();
    assert_eq!(sum.trim(), inventory::md5_file(&manifest).unwrap());
    let mut keys = BTreeSet::new();
    for r in &recs {
        assert_eq!(r.bucket, "round-trip-lake");
        let lm = r.last_modified.unwrap().0;
        // bronze/ objects live 1-3 days, so only younger ones still exist at start; the others
        // are 3 to 90 days old as configured.
        let oldest = if r.key.starts_with("bronze/") { 3 } else { 90 };
        let youngest = if r.key.starts_with("bronze/") { 0 } else { 3 };
        assert!(
            (T0 - oldest * 86_400 - 1..=T0 - youngest * 86_400).contains(&lm),
            "{r:?}"
        );
        let class = r.storage_class.unwrap().as_str();
        let (want, tier) = if r.key.starts_with("bronze/") {
            ("STANDARD", false)
        } else if r.key.starts_with("silver/") {
            ("STANDARD_IA", false)
        } else {
            assert!(r.key.starts_with("gold/"), "{}", r.key);
            ("INTELLIGENT_TIERING", true)
        };
        assert_eq!(class, want);
        assert_eq!(r.intelligent_tiering_access_tier.is_some(), tier);
        let etag = r.e_tag.as_deref().unwrap();
        assert_eq!(r.is_multipart_uploaded, Some(etag.contains('-')));
        keys.insert(r.key.clone());
    }
    assert_eq!(keys.len(), 400, "keys are unique");
    // Objects read in the logs without being written there are exactly inventory objects,
    // and some are read.
    let (lines, _, _) = read_logs(&out);
    let written: BTreeSet<&str> = lines
        .iter()
        .filter(|l| l.op == "REST.PUT.OBJECT" || l.op == "REST.POST.UPLOADS")
        .filter_map(|l| l.key.as_deref())
        .collect();
    let mut old_reads = 0;
    for l in lines.iter().filter(|l| l.op == "REST.GET.OBJECT") {
        let k = l.key.as_deref().unwrap();
        if !written.contains(k) {
            assert!(
                keys.contains(k),
                "{k} read but never written nor inventoried"
            );
            old_reads += 1;
        }
    }
    assert!(old_reads > 100, "{old_reads}");
}

fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, d: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().display().to_string();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

#[test]
fn same_seed_gives_byte_identical_output_and_another_seed_does_not() {
    let w = Workdir::new();
    for compress in [Compress::None, Compress::Gz, Compress::Zst] {
        let a = w.path(&format!("a-{}", compress.as_str()));
        let b = w.path(&format!("b-{}", compress.as_str()));
        gen_into(FULL, &a, compress);
        gen_into(FULL, &b, compress);
        let (ta, tb) = (tree(&a), tree(&b));
        assert!(ta.len() > 100);
        assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
        for (k, v) in &ta {
            assert!(tb[k] == *v, "{k} differs between two runs");
        }
        if compress != Compress::None {
            // Compressed logs read back like plain ones.
            let (lines, _, _) = read_logs(&a);
            let summary: Value =
                serde_json::from_slice(&ta["generate.json"]).expect("generate.json");
            assert_eq!(lines.len() as u64, u(&summary["lines"]));
        }
    }
    let c = w.path("c");
    gen_into(&FULL.replace("seed = 7", "seed = 8"), &c, Compress::None);
    let (ta, tc) = (tree(&w.path("a-none")), tree(&c));
    let same = ta
        .iter()
        .filter(|(k, v)| k.as_str() != "generate.json" && tc.get(*k) == Some(v))
        .count();
    assert_eq!(same, 0, "a different seed must change every file");
    let s: Value = serde_json::from_slice(&tc["generate.json"]).unwrap();
    assert_eq!(u(&s["seed"]), 8);
}

#[test]
fn each_prefix_has_its_own_random_stream() {
    // Adding a prefix leaves the first prefix's records byte for byte unchanged.
    let one = r#"
seed = 99
start = "2026-03-01"
end = "2026-03-03"
bucket = "streams"
[[prefix]]
name = "a/"
objects_per_day = 100
size = { dist = "fixed", bytes = 1000 }
reads_first_day = 3
"#;
    let two = format!(
        "{one}\n[[prefix]]\nname = \"b/\"\nobjects_per_day = 80\nsize = {{ dist = \"fixed\", bytes = 5 }}\nreads_first_day = 2\n"
    );
    let w = Workdir::new();
    gen_into(one, &w.path("one"), Compress::None);
    gen_into(&two, &w.path("two"), Compress::None);
    let lines_of = |d: &str| -> Vec<String> {
        let mut v = Vec::new();
        for (_, bytes) in tree(&w.path(d).join("logs")) {
            for l in String::from_utf8(bytes).unwrap().lines() {
                if l.contains(" a/") || l.contains("prefix=a/") {
                    v.push(l.to_string());
                }
            }
        }
        v
    };
    let (a1, a2) = (lines_of("one"), lines_of("two"));
    assert!(a1.len() > 300);
    assert_eq!(a1, a2);
    assert!(
        tree(&w.path("two").join("logs"))
            .values()
            .map(|v| v.len())
            .sum::<usize>()
            > tree(&w.path("one").join("logs"))
                .values()
                .map(|v| v.len())
                .sum::<usize>()
    );
}

/// Four standard errors: a fixed seed passes a correct generator with margin and fails one
/// that is off by more than that.
const Z: f64 = 4.0;

#[test]
fn object_sizes_follow_the_configured_distributions() {
    let spec = r#"
seed = 11
start = "2026-03-01"
end = "2026-03-11"
bucket = "sizes"
[[prefix]]
name = "ln/"
objects_per_day = 2000
size = { dist = "lognormal", median_bytes = 1000000, sigma = 1.0 }
multipart_threshold_bytes = 5497558138880
[[prefix]]
name = "pa/"
objects_per_day = 1000
size = { dist = "pareto", scale_bytes = 1000, shape = 2.5 }
multipart_threshold_bytes = 5497558138880
"#;
    let w = Workdir::new();
    gen_into(spec, &w.path("o"), Compress::None);
    let (lines, _, _) = read_logs(&w.path("o"));
    let sizes = |p: &str| -> Vec<f64> {
        lines
            .iter()
            .filter(|l| l.op == "REST.PUT.OBJECT" && l.key.as_deref().unwrap().starts_with(p))
            .map(|l| l.object_size.unwrap() as f64)
            .collect()
    };
    // Log-normal: the sample median of ln(size) has standard error ≈ σ·√(π/2)/√n; the sample
    // standard deviation of ln(size) has standard error ≈ σ/√(2n).
    let mut ln: Vec<f64> = sizes("ln/").iter().map(|s| s.ln()).collect();
    let n = ln.len() as f64;
    assert!(n > 15_000.0, "{n}");
    ln.sort_by(f64::total_cmp);
    let median = ln[ln.len() / 2];
    let se = (std::f64::consts::PI / 2.0).sqrt() / n.sqrt();
    assert!(
        (median - 1e6f64.ln()).abs() < Z * se,
        "median {} vs 1000000",
        median.exp()
    );
    let mean = ln.iter().sum::<f64>() / n;
    let sd = (ln.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    assert!((sd - 1.0).abs() < Z / (2.0 * n).sqrt(), "sigma {sd}");
    // Pareto: nothing below the scale; P(X > 2·scale) = 2^-shape (binomial standard error).
    let pa = sizes("pa/");
    let n = pa.len() as f64;
    assert!(pa.iter().all(|s| *s >= 1000.0));
    let p = 2f64.powf(-2.5);
    let frac = pa.iter().filter(|s| **s > 2000.0).count() as f64 / n;
    assert!(
        (frac - p).abs() < Z * (p * (1.0 - p) / n).sqrt(),
        "{frac} vs {p}"
    );
}

#[test]
fn creations_are_poisson_at_the_configured_rate() {
    let spec = r#"
seed = 12
start = "2026-03-02"
end = "2026-03-30"
bucket = "rates"
[[prefix]]
name = "p/"
objects_per_day = 500
size = { dist = "fixed", bytes = 10 }
"#;
    let w = Workdir::new();
    let s = gen_into(spec, &w.path("o"), Compress::None);
    let (lines, _, _) = read_logs(&w.path("o"));
    let start = T0 + 86_400;
    let mut per_day = [0f64; 28];
    for l in lines.iter().filter(|l| l.op == "REST.PUT.OBJECT") {
        per_day[((l.time - start) / 86_400) as usize] += 1.0;
    }
    let total: f64 = per_day.iter().sum();
    assert_eq!(total as u64, u(&s["objects"]["created"]));
    // Poisson(28 × 500): standard deviation √14000.
    assert!((total - 14_000.0).abs() < Z * 14_000f64.sqrt(), "{total}");
    // Daily counts are Poisson: the dispersion index Σ(x-m)²/m is χ² with 27 degrees of freedom.
    let m = total / 28.0;
    let d: f64 = per_day.iter().map(|x| (x - m).powi(2) / m).sum();
    let chi = ChiSquared::new(27.0).unwrap();
    assert!(
        d > chi.inverse_cdf(0.0005) && d < chi.inverse_cdf(0.9995),
        "dispersion {d}"
    );
}

/// Reads per object by age band (days), for objects created at least `span` days before end.
fn reads_by_age(
    lines: &[Line],
    prefix: &str,
    end: i64,
    span: f64,
    bands: &[(f64, f64)],
) -> (f64, Vec<f64>) {
    let mut created = BTreeMap::new();
    for l in lines.iter().filter(|l| l.op == "REST.PUT.OBJECT") {
        let k = l.key.as_deref().unwrap();
        if k.starts_with(prefix) && days(end - l.time) >= span {
            created.insert(k.to_string(), l.time);
        }
    }
    let mut counts = vec![0.0; bands.len()];
    for l in lines.iter().filter(|l| l.op == "REST.GET.OBJECT") {
        if let Some(c) = created.get(l.key.as_deref().unwrap()) {
            let age = days(l.time - c);
            for (i, (lo, hi)) in bands.iter().enumerate() {
                if age >= *lo && age < *hi {
                    counts[i] += 1.0;
                }
            }
        }
    }
    (created.len() as f64, counts)
}

#[test]
fn reads_decay_with_age_as_configured() {
    let spec = r#"
seed = 13
start = "2026-03-01"
end = "2026-03-21"
bucket = "decay"
[[prefix]]
name = "exp/"
objects_per_day = 200
size = { dist = "fixed", bytes = 100 }
reads_first_day = 4
read_decay = { model = "exponential", half_life_days = 2 }
[[prefix]]
name = "pow/"
objects_per_day = 200
size = { dist = "fixed", bytes = 100 }
reads_first_day = 4
read_decay = { model = "power_law", exponent = 1.5 }
"#;
    let w = Workdir::new();
    gen_into(spec, &w.path("o"), Compress::None);
    let (lines, _, _) = read_logs(&w.path("o"));
    let end = T0 + 20 * 86_400;
    let bands = [(0.0, 1.0), (1.0, 2.0), (2.0, 3.0)];
    for (prefix, ratio1, ratio2) in [
        // Exponential, half-life 2: reads in day 2 and day 3 relative to day 1.
        ("exp/", 0.5f64.powf(0.5), 0.5),
        // Power law k = 1.5: F(a) = 2(1 - (1+a)^-0.5).
        (
            "pow/",
            {
                let f = |a: f64| 2.0 * (1.0 - (1.0 + a).powf(-0.5));
                (f(2.0) - f(1.0)) / f(1.0)
            },
            {
                let f = |a: f64| 2.0 * (1.0 - (1.0 + a).powf(-0.5));
                (f(3.0) - f(2.0)) / f(1.0)
            },
        ),
    ] {
        let (n, c) = reads_by_age(&lines, prefix, end, 5.0, &bands);
        assert!(n > 2000.0, "{n}");
        // Reads in the first day: Poisson with mean 4 per object.
        let mean = 4.0 * n;
        assert!(
            (c[0] - mean).abs() < Z * mean.sqrt(),
            "{prefix} day 1: {} vs {mean}",
            c[0]
        );
        for (k, want) in [(1, ratio1), (2, ratio2)] {
            let r = c[k] / c[0];
            let se = r * (1.0 / c[k] + 1.0 / c[0]).sqrt();
            assert!(
                (r - want).abs() < Z * se,
                "{prefix} band {k}: {r} vs {want}"
            );
        }
    }
}

#[test]
fn pre_existing_objects_are_read_at_their_age_on_the_curve() {
    // 4000 objects aged exactly 10 days at start, power law k = 1, 2 reads in the first day:
    // over the next 5 days each is read 2·(F(15) − F(10))/F(1) times, F(a) = ln(1 + a).
    let spec = r#"
seed = 17
start = "2026-03-01"
end = "2026-03-06"
bucket = "aged"
[inventory]
objects = 4000
min_age_days = 10
max_age_days = 10
[[prefix]]
name = "old/"
objects_per_day = 0
existing_weight = 1
size = { dist = "fixed", bytes = 1 }
reads_first_day = 2
read_decay = { model = "power_law", exponent = 1 }
"#;
    let w = Workdir::new();
    gen_into(spec, &w.path("o"), Compress::None);
    let (lines, _, _) = read_logs(&w.path("o"));
    let f = |a: f64| a.ln_1p();
    let mut by_day = [0f64; 5];
    for l in &lines {
        assert_eq!(l.op, "REST.GET.OBJECT");
        by_day[((l.time - T0) / 86_400) as usize] += 1.0;
    }
    for (d, got) in by_day.iter().enumerate() {
        let a = 10.0 + d as f64;
        let mean = 4000.0 * 2.0 * (f(a + 1.0) - f(a)) / f(1.0);
        assert!(
            (got - mean).abs() < Z * mean.sqrt(),
            "day {d}: {got} vs {mean}"
        );
    }
}

#[test]
fn diurnal_and_weekly_weights_shape_request_times() {
    let spec = r#"
seed = 14
start = "2026-03-02"
end = "2026-03-30"
bucket = "cycles"
diurnal = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2]
weekly = [1, 1, 1, 1, 1, 0, 1]
[[prefix]]
name = "c/"
objects_per_day = 800
size = { dist = "fixed", bytes = 10 }
reads_first_day = 1
read_decay = { model = "exponential", half_life_days = 3 }
lists_per_day = 50
"#;
    let w = Workdir::new();
    gen_into(spec, &w.path("o"), Compress::None);
    let (lines, _, _) = read_logs(&w.path("o"));
    let weights = [
        0., 0., 0., 0., 0., 0., 1., 1., 1., 1., 1., 1., 4., 1., 1., 1., 1., 1., 1., 1., 1., 1., 1.,
        2.,
    ];
    let mut hours = [0f64; 24];
    for l in &lines {
        let h = (l.time.rem_euclid(86_400) / 3600) as usize;
        let dow = ((l.time.div_euclid(86_400) + 3) % 7) as usize;
        assert!(weights[h] > 0.0, "request at a zero-weight hour: {l:?}");
        assert_ne!(dow, 5, "request on Saturday (weight 0): {l:?}");
        if l.op == "REST.PUT.OBJECT" {
            hours[h] += 1.0;
        }
    }
    // Creations per hour ∝ weights: Pearson χ² over the 18 hours with weight > 0.
    let total: f64 = hours.iter().sum();
    let wsum: f64 = weights.iter().sum();
    let chi2: f64 = (0..24)
        .filter(|h| weights[*h] > 0.0)
        .map(|h| {
            let e = total * weights[h] / wsum;
            (hours[h] - e).powi(2) / e
        })
        .sum();
    let limit = ChiSquared::new(17.0).unwrap().inverse_cdf(0.9995);
    assert!(chi2 < limit, "χ² {chi2} ≥ {limit}: {hours:?}");
    assert!(hours[12] > 3.0 * hours[11] && hours[12] < 5.0 * hours[11]);
}

#[test]
fn zipf_skew_concentrates_reads_on_few_objects() {
    // 2000 objects that all exist for the whole period (an inventory, no new objects) and are
    // read at a constant rate, so reads per object differ only by the Zipf weight.
    let make = |s: f64| {
        format!(
            r#"
seed = 15
start = "2026-03-01"
end = "2026-03-11"
bucket = "zipf"
[inventory]
objects = 2000
[[prefix]]
name = "z/"
objects_per_day = 0
existing_weight = 1
size = {{ dist = "fixed", bytes = 10 }}
reads_first_day = 2
zipf_s = {s}
"#
        )
    };
    let w = Workdir::new();
    let top_share = |dir: &str, s: f64| -> f64 {
        gen_into(&make(s), &w.path(dir), Compress::None);
        let (lines, _, _) = read_logs(&w.path(dir));
        let mut per: BTreeMap<String, f64> = BTreeMap::new();
        for l in lines.iter().filter(|l| l.op == "REST.GET.OBJECT") {
            *per.entry(l.key.clone().unwrap()).or_insert(0.0) += 1.0;
        }
        let mut v: Vec<f64> = per.into_values().collect();
        v.sort_by(|a, b| b.total_cmp(a));
        let total: f64 = v.iter().sum();
        assert!(
            (total - 40_000.0).abs() < 0.1 * 40_000.0 || s > 0.0,
            "{total}"
        );
        v[..20].iter().sum::<f64>() / total
    };
    // The documented model: ranks uniform in 1..=n, weight ∝ r^-s. The top-1% share of
    // weight under it, by Monte Carlo (mean and spread over 400 draws of 2000 ranks).
    use rand::{RngExt, SeedableRng};
    let mut rng = rand::rngs::SmallRng::seed_from_u64(1);
    let shares: Vec<f64> = (0..400)
        .map(|_| {
            let mut ws: Vec<f64> = (0..2000)
                .map(|_| 1.0 / rng.random_range(1..=2000u32) as f64)
                .collect();
            ws.sort_by(|a, b| b.total_cmp(a));
            ws[..20].iter().sum::<f64>() / ws.iter().sum::<f64>()
        })
        .collect();
    let mean = shares.iter().sum::<f64>() / 400.0;
    let sd = (shares.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 399.0).sqrt();
    let skewed = top_share("s1", 1.0);
    // Poisson noise on ~20,000 top reads adds well under 1% relative.
    assert!(
        (skewed - mean).abs() < Z * sd + 0.01,
        "{skewed} vs {mean} ± {sd}"
    );
    assert!(skewed > 0.3, "{skewed}");
    // Without skew the top 20 of 2000 objects hold 1% plus Poisson noise (mean 20 reads each).
    let flat = top_share("s0", 0.0);
    assert!(flat < 0.02, "{flat}");
}

#[test]
fn deletes_and_overwrites_follow_their_rates() {
    let spec = r#"
seed = 16
start = "2026-03-01"
end = "2026-03-31"
bucket = "churn"
[[prefix]]
name = "daily/"
objects_per_day = 150
size = { dist = "fixed", bytes = 10 }
delete = { model = "daily", probability = 0.1 }
[[prefix]]
name = "fixed/"
objects_per_day = 50
size = { dist = "fixed", bytes = 10 }
delete = { model = "after_days", dist = "fixed", days = 3 }
[[prefix]]
name = "over/"
objects_per_day = 20
size = { dist = "fixed", bytes = 10 }
overwrites_per_day = 0.2
"#;
    let w = Workdir::new();
    gen_into(spec, &w.path("o"), Compress::None);
    let (lines, stats, _) = read_logs(&w.path("o"));
    let end = T0 + 30 * 86_400;
    let mut first_put: BTreeMap<&str, i64> = BTreeMap::new();
    let mut deleted: BTreeMap<&str, i64> = BTreeMap::new();
    let mut puts: BTreeMap<&str, u64> = BTreeMap::new();
    for l in &lines {
        let k = l.key.as_deref().unwrap();
        match l.op.as_str() {
            "REST.PUT.OBJECT" => {
                first_put.entry(k).or_insert(l.time);
                *puts.entry(k).or_insert(0) += 1;
            }
            "REST.DELETE.OBJECT" => {
                assert!(deleted.insert(k, l.time).is_none(), "deleted twice");
            }
            _ => {}
        }
    }
    // Daily probability p: deleted within 5 days with probability 1 - (1-p)^5.
    let cohort: Vec<(&str, i64)> = first_put
        .iter()
        .filter(|(k, t)| k.starts_with("daily/") && days(end - **t) >= 5.0)
        .map(|(k, t)| (*k, *t))
        .collect();
    let n = cohort.len() as f64;
    let hit = cohort
        .iter()
        .filter(|(k, t)| deleted.get(k).is_some_and(|d| days(d - t) < 5.0))
        .count() as f64;
    let p = 1.0 - 0.9f64.powi(5);
    assert!(
        (hit / n - p).abs() < Z * (p * (1.0 - p) / n).sqrt(),
        "{} vs {p}",
        hit / n
    );
    // Fixed lifetime: deleted 3 days after creation (to the second), unless past the end.
    for (k, t) in first_put.iter().filter(|(k, _)| k.starts_with("fixed/")) {
        match deleted.get(k) {
            Some(d) => assert!((d - t - 3 * 86_400).abs() <= 1, "{k}"),
            None => assert!(end - t <= 3 * 86_400 + 1, "{k} outlived its 3 days"),
        }
    }
    // Overwrites: Poisson with rate 0.2 per object-day of exposure.
    let exposure: f64 = first_put
        .iter()
        .filter(|(k, _)| k.starts_with("over/"))
        .map(|(_, t)| days(end - t))
        .sum();
    let overwrites: f64 = puts
        .iter()
        .filter(|(k, _)| k.starts_with("over/"))
        .map(|(_, n)| (n - 1) as f64)
        .sum();
    let mean = 0.2 * exposure;
    assert!(
        (overwrites - mean).abs() < Z * mean.sqrt(),
        "{overwrites} vs {mean}"
    );
    // The parser's view: deleted objects are gone, overwritten ones counted once.
    let live = first_put.len() - deleted.len();
    assert_eq!(stats.objects as usize, live);
}

#[test]
fn example_scenario_generates_and_round_trips() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/datalake-workload.toml");
    let text = std::fs::read_to_string(&path).expect("example spec");
    let spec = Spec::parse("datalake-workload.toml", &text).expect("example parses");
    assert_eq!(spec.prefixes.len(), 3);
    // Three days of it, to keep the test quick.
    let short = text.replace("end = \"2026-04-01\"", "end = \"2026-03-04\"");
    assert_ne!(short, text);
    let w = Workdir::new();
    let s = gen_into(&short, &w.path("o"), Compress::Gz);
    let (lines, stats, _) = read_logs(&w.path("o"));
    assert_eq!(lines.len() as u64, u(&s["lines"]));
    assert_eq!(stats.objects, u(&s["logged"]["objects_live_at_end"]));
    let manifest = w
        .path("o")
        .join(s["inventory"]["manifest"].as_str().unwrap());
    let n = inventory::read_inventory(&manifest, inventory::Mode::Strict)
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
        .len();
    assert_eq!(n as u64, u(&s["inventory"]["objects"]));
}

#[test]
fn the_command_writes_a_workload_and_honours_its_flags() {
    let w = Workdir::new();
    let spec = w.write("spec.toml", FULL);
    let o = w.run(&[
        "generate",
        spec.to_str().unwrap(),
        "--out",
        "out",
        "--seed",
        "3",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s: Value =
        serde_json::from_slice(&std::fs::read(w.path("out/generate.json")).unwrap()).unwrap();
    assert_eq!(u(&s["seed"]), 3);
    assert_eq!(
        s["spec_md5"].as_str().unwrap(),
        workload::spec_md5(FULL),
        "the summary names the spec by its MD5"
    );
    // Existing output is not overwritten without --force.
    let o = w.run(&["generate", "spec.toml", "--out", "out"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--force"));
    // --force, zstd, split files.
    let o = w.run(&[
        "generate",
        "spec.toml",
        "--out",
        "out",
        "--force",
        "--compress",
        "zst",
        "--lines-per-file",
        "100",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (lines, _, files) = read_logs(&w.path("out"));
    let s: Value =
        serde_json::from_slice(&std::fs::read(w.path("out/generate.json")).unwrap()).unwrap();
    assert_eq!(lines.len() as u64, u(&s["lines"]));
    assert!(files >= lines.len() as u64 / 100);
    assert!(
        std::fs::read_dir(w.path("out/logs")).unwrap().all(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".zst"))
    );
    // A line budget that is too small is an input error.
    let o = w.run(&["generate", "spec.toml", "--out", "x", "--lines-limit", "10"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("more than 10 log lines"));
    // An output that cannot be written: exit 3.
    w.write("afile", "");
    let o = w.run(&["generate", "spec.toml", "--out", "afile/sub"]);
    assert_eq!(
        o.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn bad_specs_exit_2_naming_file_line_and_key() {
    let base = "seed = 1\nstart = \"2026-03-01\"\nend = \"2026-03-02\"\nbucket = \"b-1\"\n";
    let prefix = "[[prefix]]\nname = \"p/\"\nobjects_per_day = 10\n";
    let size = "size = { dist = \"fixed\", bytes = 5 }\n";
    let cases: Vec<(String, &str)> = vec![
        (
            format!("{base}{prefix}{size}objects_per_dya = 3\n"),
            "spec.toml:9: prefix.objects_per_dya: unknown key; did you mean `objects_per_day`?",
        ),
        (
            format!(
                "{base}{prefix}size = {{ dist = \"lognormal\", median_bytes = 10, sigma = -1 }}\n"
            ),
            "spec.toml:8: prefix.size.sigma: must be between 0 and 10",
        ),
        (
            format!("{base}{prefix}size = {{ dist = \"gamma\" }}\n"),
            "spec.toml:8: prefix.size.dist: \"gamma\" is not one of",
        ),
        (
            "seed = 1\nstart = \"2026-03-02\"\nend = \"2026-03-01\"\nbucket = \"b-1\"\n"
                .to_string()
                + prefix
                + size,
            "spec.toml:3: end: must be after `start`",
        ),
        (
            format!("{base}diurnal = [1, 2]\n{prefix}{size}"),
            "spec.toml:5: diurnal: expected 24 weights, got 2",
        ),
        (
            format!("{base}{prefix}{size}storage_class = \"COLD\"\n"),
            "spec.toml:9: prefix.storage_class: unknown StorageClass \"COLD\"",
        ),
        (
            format!("{base}{prefix}{size}storage_class = \"GLACIER\"\nreads_first_day = 1\n"),
            "spec.toml:10: prefix.reads_first_day: GLACIER objects cannot be read",
        ),
        (
            format!("{base}{prefix}{size}key_template = \"x/{{day}}-{{uuid}}\"\n"),
            "spec.toml:9: prefix.key_template: unknown placeholder {day}",
        ),
        (
            format!("{base}{prefix}{size}key_template = \"fixed-name\"\n"),
            "spec.toml:9: prefix.key_template: needs {seq} or {uuid}",
        ),
        (
            format!("{base}{prefix}{size}delete = {{ model = \"daily\", probability = 1 }}\n"),
            "spec.toml:9: prefix.delete.probability: must be below 1",
        ),
        (
            format!("{base}{prefix}{size}part_size_bytes = 1000\n"),
            "spec.toml:9: prefix.part_size_bytes: S3 parts are at least 5 MiB",
        ),
        (
            format!("{base}[inventory]\nobjects = 1.5\n{prefix}{size}"),
            "spec.toml:6: inventory.objects: expected a whole number",
        ),
        (
            format!("{base}{prefix}{size}{prefix}{size}"),
            "spec.toml:10: prefix.name: prefix \"p/\" is listed twice",
        ),
        (
            base.to_string(),
            "spec.toml:1: prefix: no [[prefix]] sections",
        ),
        (
            format!("{base}[[prefix]]\nname = \"p/\"\n{size}"),
            "spec.toml:5: prefix.objects_per_day: missing (mean new objects per day)",
        ),
        (
            format!("{base}{prefix}objects_per_day = = 3\n"),
            "spec.toml:8: (syntax): not valid TOML",
        ),
        (
            "seed = -4\n".to_string() + &base[9..] + prefix + size,
            "spec.toml:1: seed: expected a whole number",
        ),
        (
            "seed = 1\nstart = \"March\"\nend = \"2026-03-02\"\nbucket = \"b-1\"\n".to_string()
                + prefix
                + size,
            "spec.toml:2: start: \"March\" is not a UTC date",
        ),
    ];
    let w = Workdir::new();
    for (text, want) in &cases {
        w.write("spec.toml", text);
        let o = w.run(&["generate", "spec.toml", "--out", "out"]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{text}\n{err}");
        assert!(
            err.contains(want),
            "expected {want:?} in {err:?}\nfor\n{text}"
        );
        assert!(!w.path("out").exists(), "nothing is written for a bad spec");
    }
    let o = w.run(&["generate", "missing.toml", "--out", "out"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing.toml"));
}

fn weights_toml(w: &[u8]) -> String {
    let v: Vec<String> = w.iter().map(|x| x.to_string()).collect();
    format!("[{}]", v.join(", "))
}

prop_compose! {
    fn prefix_toml(i: usize)(
        rate in 0u32..60,
        size in prop_oneof![
            (1u32..2_000_000, 0u32..20).prop_map(|(m, s)| format!("{{ dist = \"lognormal\", median_bytes = {m}, sigma = {}.{} }}", s / 10, s % 10)),
            (1u32..5_000_000, 1u32..40).prop_map(|(m, s)| format!("{{ dist = \"pareto\", scale_bytes = {m}, shape = {}.{} }}", s / 10, s % 10)),
            (0u32..30_000_000).prop_map(|b| format!("{{ dist = \"fixed\", bytes = {b} }}")),
        ],
        reads in 0u32..30,
        decay in prop_oneof![
            (1u32..50).prop_map(|h| format!("{{ model = \"exponential\", half_life_days = {}.{} }}", h / 10, h % 10)),
            (0u32..30).prop_map(|k| format!("{{ model = \"power_law\", exponent = {}.{} }}", k / 10, k % 10)),
            Just("{ model = \"constant\" }".to_string()),
        ],
        zipf in 0u32..25,
        over in 0u32..10,
        delete in prop_oneof![
            Just(String::new()),
            (0u32..50).prop_map(|p| format!("delete = {{ model = \"daily\", probability = 0.{p:02} }}\n")),
            (0u32..30).prop_map(|d| format!("delete = {{ model = \"after_days\", dist = \"fixed\", days = {}.{} }}\n", d / 10, d % 10)),
            (1u32..20).prop_map(|d| format!("delete = {{ model = \"after_days\", dist = \"lognormal\", median_days = {d}, sigma = 1 }}\n")),
        ],
        mp in any::<bool>(),
        lists in 0u32..30,
        ranged in 0u32..=10,
        diurnal in proptest::option::of(proptest::collection::vec(0u8..4, 24)),
        template in prop_oneof![
            Just(None),
            Just(Some("a b/{date}/{hour}/{seq}+x".to_string())),
            Just(Some("{uuid}é%".to_string())),
        ],
    ) -> String {
        let mut s = format!(
            "[[prefix]]\nname = \"p{i}/\"\nobjects_per_day = {rate}\nsize = {size}\nreads_first_day = {reads}\nread_decay = {decay}\nzipf_s = {}.{}\noverwrites_per_day = 0.{over}\n{delete}lists_per_day = {lists}\nrange_read_fraction = 0.{ranged}\n",
            zipf / 10, zipf % 10
        );
        if ranged == 10 {
            s = s.replace("range_read_fraction = 0.10", "range_read_fraction = 1");
        }
        if mp {
            s.push_str("multipart_threshold_bytes = 6000000\npart_size_bytes = 5242880\n");
        }
        if let Some(d) = diurnal.filter(|d| d.iter().any(|x| *x > 0)) {
            s.push_str(&format!("diurnal = {}\n", weights_toml(&d)));
        }
        if let Some(t) = template {
            s.push_str(&format!("key_template = \"{t}\"\n"));
        }
        s
    }
}

fn spec_strategy() -> impl Strategy<Value = String> {
    (
        any::<u64>(),
        1u32..4,
        0u32..60,
        prefix_toml(0),
        proptest::option::of(prefix_toml(1)),
        proptest::option::of(prefix_toml(2)),
        proptest::option::of(proptest::collection::vec(0u8..3, 7)),
    )
        .prop_map(|(seed, days, inv, a, b, c, weekly)| {
            let mut s = format!(
                "seed = \"{seed}\"\nstart = \"2026-03-01T06:30:00Z\"\nend = \"2026-03-0{}\"\nbucket = \"prop-bucket\"\n",
                1 + days
            );
            if let Some(w) = weekly.filter(|w| w.iter().any(|x| *x > 0)) {
                s.push_str(&format!("weekly = {}\n", weights_toml(&w)));
            }
            if inv > 0 {
                s.push_str(&format!("[inventory]\nobjects = {inv}\nmin_age_days = 0\nmax_age_days = 30\nrows_per_file = 7\n"));
            }
            s.push_str(&a);
            for p in [b, c].into_iter().flatten() {
                s.push_str(&p);
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn small_random_specs_never_panic_and_always_parse_back(text in spec_strategy()) {
        let spec = Spec::parse("p.toml", &text);
        let spec = match spec {
            Ok(s) => s,
            // Only the one deliberate rejection: every prefix has zero weight for inventory.
            Err(e) => {
                prop_assert!(e.message.contains("existing_weight"), "{e}\n{text}");
                return Ok(());
            }
        };
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("o");
        // Heavy-tailed sizes with multipart can legitimately mean millions of part lines; the
        // line limit keeps each case small (and exceeding it is an explicit error, not a panic).
        let opts = Options { out: out.clone(), lines_limit: Some(100_000), ..Options::default() };
        let summary = match workload::generate(&spec, &text, &opts) {
            Ok(s) => s,
            Err(workload::GenerateError::LinesLimit { .. }) => return Ok(()),
            Err(e) => return Err(TestCaseError::fail(format!("{e}\n{text}"))),
        };
        let (lines, stats, _) = read_logs(&out);
        prop_assert_eq!(lines.len() as u64, summary.totals.lines);
        let ops: BTreeMap<String, u64> = summary.totals.requests_by_operation.iter().map(|(k, v)| (k.to_string(), *v)).collect();
        prop_assert_eq!(&stats.requests_by_operation, &ops);
        prop_assert_eq!(stats.objects, summary.totals.logged_live_objects_at_end);
        prop_assert_eq!(stats.bytes, summary.totals.logged_live_bytes_at_end);
        if let Some(d) = &summary.inventory {
            let recs = inventory::read_inventory(&out.join(&d.manifest), inventory::Mode::Strict)
                .unwrap()
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| TestCaseError::fail(format!("{e}")))?;
            prop_assert_eq!(recs.len() as u64, spec.inventory.as_ref().unwrap().objects);
        }
    }
}

/// A delete that falls due while the object's multipart upload is still running happens when
/// the upload completes: never logged before the object exists, so nothing deleted stays live.
#[test]
fn deletes_due_during_a_multipart_upload_wait_for_its_completion() {
    let w = Workdir::new();
    let out = w.path("out");
    let spec = "seed = \"7\"\nstart = \"2026-03-01\"\nend = \"2026-03-03\"\nbucket = \"mpu-bucket\"\n\
        [[prefix]]\nname = \"p/\"\nobjects_per_day = 20\n\
        size = { dist = \"fixed\", bytes = 4000000000 }\nreads_first_day = 0\n\
        delete = { model = \"after_days\", dist = \"fixed\", days = 0.0 }\n";
    let summary = gen_into(spec, &out, Compress::None);
    let (lines, stats, _) = read_logs(&out);
    // Every object is a multipart upload (4 GB over the 8 MiB default) deleted at once.
    let created = u(&summary["objects"]["created"]);
    assert!(created >= 20, "{summary}");
    assert_eq!(u(&summary["objects"]["deleted"]), created);
    assert_eq!(stats.objects, 0, "the parser sees every deleted object go");
    let mut completed_at: BTreeMap<String, i64> = BTreeMap::new();
    let mut deletes = 0;
    for l in &lines {
        let key = l.key.clone().unwrap_or_default();
        match l.op.as_str() {
            "REST.POST.UPLOAD" => {
                completed_at.insert(key, l.time);
            }
            "REST.DELETE.OBJECT" => {
                let done = completed_at
                    .get(&key)
                    .unwrap_or_else(|| panic!("{key} deleted before it completed"));
                assert!(l.time >= *done);
                deletes += 1;
            }
            _ => {}
        }
    }
    assert_eq!(deletes, created);
}
