//! Issue #21's cases about evidence that must never change money silently: malformed
//! inventory rows and log lines are counted in the evidence ledger and refuse a run past the
//! limit, a data file listed twice is refused, merged shards report what a whole run reports,
//! and a baseline must be of the same scenario.

use super::*;

/// A CSV inventory delivery (uncompressed data files named in `files`) with a manifest whose
/// sizes and MD5s are right; returns the manifest's path.
fn delivery(w: &Workdir, files: &[(&str, &str)], listed: &[&str]) -> PathBuf {
    let mut entries = Vec::new();
    for (name, text) in files {
        let p = w.write(name, text);
        let md5 = costlab::trace::inventory::md5_file(&p).unwrap();
        entries.push((name.to_string(), text.len(), md5));
    }
    let list: Vec<Value> = listed
        .iter()
        .map(|n| {
            let (name, size, md5) = entries.iter().find(|e| e.0 == *n).unwrap();
            serde_json::json!({"key": format!("inv/b/cfg/data/{name}"), "size": size, "MD5checksum": md5})
        })
        .collect();
    let manifest = serde_json::json!({
        "sourceBucket": "b", "destinationBucket": "arn:aws:s3:::inv", "version": "2016-11-30",
        "creationTimestamp": "1772323200000", "fileFormat": "CSV",
        "fileSchema": "Bucket, Key, Size, LastModifiedDate, StorageClass",
        "files": list,
    });
    w.write("manifest.json", &manifest.to_string())
}

/// `n` rows of 1 GiB objects in STANDARD; every `bad`-th row (1-based) has an extra column.
fn rows(n: usize, bad: Option<usize>) -> String {
    let mut s = String::new();
    for i in 1..=n {
        s += &format!(
            "\"b\",\"k/{i}\",\"{}\",\"2026-01-01T00:00:00.000Z\",\"STANDARD\"",
            1u64 << 30
        );
        if bad.is_some_and(|b| i % b == 0) {
            s += ",\"extra\"";
        }
        s.push('\n');
    }
    s
}

fn simulate_inventory(w: &Workdir, manifest: &Path, extra: &[&str]) -> Output {
    let args = [
        &[
            "simulate",
            "--inventory",
            manifest.to_str().unwrap(),
            "--all-standard",
            "--no-bound",
            "--start",
            "2026-03-01",
            "--end",
            "2026-04-01",
            "--format",
            "json",
        ][..],
        extra,
    ]
    .concat();
    w.run(&args)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Case 1: rows with an extra column were dropped with no count ($15.47 for $22.64); a data
/// file of plain text gave $0. Now they are counted, and past 1% the run is refused.
#[test]
fn malformed_inventory_rows_are_counted_and_refuse_the_run() {
    let w = Workdir::new();
    let m = delivery(&w, &[("a.csv", &rows(300, Some(3)))], &["a.csv"]);
    let out = simulate_inventory(&w, &m, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    for needle in ["inventory: 100 of 300 lines", "33.33%", "a.csv:3"] {
        assert!(err.contains(needle), "{needle:?} in {err}");
    }
    // Accepted explicitly: the bill is the 200 good rows', and the ledger says what was left.
    let out = simulate_inventory(&w, &m, &["--lenient", "50"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    let inv = &j["evidence"]["ledger"]["inventory"];
    assert_eq!(
        (
            inv["read"].as_u64(),
            inv["used"].as_u64(),
            inv["skipped"].as_u64()
        ),
        (Some(300), Some(200), Some(100)),
        "{inv}"
    );
    assert_eq!(inv["files"][0]["read"], 300);
    assert_eq!(j["evidence"]["objects"], 200);
    // 200 GiB for March at $0.023.
    assert_eq!(dec(&j["policies"][0]["total_usd"]), Decimal::new(46, 1));
    assert!(
        stderr(&out).contains("malformed evidence was skipped"),
        "{}",
        stderr(&out)
    );
    // A lower limit than the share skipped refuses, naming where the limit came from.
    let out = simulate_inventory(&w, &m, &["--lenient", "10"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--lenient"), "{}", stderr(&out));

    // A data file of plain text: every row skipped, refused even with --lenient.
    let w = Workdir::new();
    let m = delivery(
        &w,
        &[("t.csv", "this is not\nan inventory at all\n")],
        &["t.csv"],
    );
    let out = simulate_inventory(&w, &m, &["--lenient"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("all 2 lines"), "{}", stderr(&out));
}

/// Case 2: a manifest listing one data file 100 times multiplied the bill by 100.
#[test]
fn a_data_file_listed_twice_is_refused() {
    let w = Workdir::new();
    let m = delivery(
        &w,
        &[("a.csv", &rows(3, None)), ("b.csv", &rows(2, None))],
        &["a.csv", "b.csv", "a.csv"],
    );
    let out = simulate_inventory(&w, &m, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("files[2]"), "{}", stderr(&out));
    assert!(stderr(&out).contains("listed again"), "{}", stderr(&out));
    // Listed once each: 5 objects, each file's rows in the ledger.
    let m = delivery(
        &w,
        &[("a.csv", &rows(3, None)), ("b.csv", &rows(2, None))],
        &["a.csv", "b.csv"],
    );
    let out = simulate_inventory(&w, &m, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    let files = &j["evidence"]["ledger"]["inventory"]["files"];
    assert_eq!(
        (files[0]["read"].as_u64(), files[1]["read"].as_u64()),
        (Some(3), Some(2))
    );
}

/// A log line of the access-log format with `op`, `key` and `size`.
fn log_line(day: u32, op: &str, key: &str, size: u64) -> String {
    format!(
        "o lake [{day:02}/Mar/2026:01:00:00 +0000] 10.0.0.1 - RID {op} {key} \"X /lake/{key} HTTP/1.1\" 200 - - {size} 5 2 \"-\" \"ua\" - H SigV4 C AuthHeader h TLSv1.2 - -\n"
    )
}

/// Case 6: evidence wholly unparseable priced at $0 and passed the budget gate.
#[test]
fn evidence_all_malformed_refuses_simulate_run_and_check() {
    let w = Workdir::new();
    w.write("bad.log", "garbage\nmore garbage\n");
    w.write(
        "s.toml",
        "name = \"lake\"\nstart = \"2026-03-01\"\nend = \"2026-04-01\"\n\
         [evidence]\nlogs = \"bad.log\"\n[[policy]]\nname = \"std\"\nall_standard = true\n",
    );
    w.write(
        "budgets.toml",
        "[[budget]]\nscenario = \"lake\"\npolicy = \"std\"\nmax_total_usd = 1\n",
    );
    for args in [
        &["simulate", "s.toml", "--lenient"][..],
        &["run", "s.toml", "--out", "rep", "--lenient"][..],
        &["check", "s.toml", "--budget", "budgets.toml", "--lenient"][..],
    ] {
        let out = w.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("access logs: all 2 lines read were skipped"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    // One bad line in 150 (0.67%) passes by default; check notes the skip on stderr.
    let mut log = String::new();
    for i in 0..149 {
        log += &log_line(1 + i % 28, "REST.PUT.OBJECT", &format!("k/{i}"), 1000);
    }
    log += "garbage\n";
    w.write("bad.log", &log);
    let out = w.run(&["check", "s.toml", "--budget", "budgets.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("access logs: 150 lines read, 149 used, 1 skipped"),
        "{err}"
    );
    // And in every format of its output: the PR comment, JUnit and JSON.
    let md = w.run(&[
        "check",
        "s.toml",
        "--budget",
        "budgets.toml",
        "--format",
        "md",
    ]);
    let md = String::from_utf8_lossy(&md.stdout).into_owned();
    assert!(md.contains("Evidence skipped as malformed"), "{md}");
    assert!(md.contains("1 skipped (0.67%)"), "{md}");
    let junit = w.run(&[
        "check",
        "s.toml",
        "--budget",
        "budgets.toml",
        "--format",
        "junit",
    ]);
    assert!(String::from_utf8_lossy(&junit.stdout).contains("<system-out>evidence skipped"));
    let json = w.run(&[
        "check",
        "s.toml",
        "--budget",
        "budgets.toml",
        "--format",
        "json",
    ]);
    let j: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(j["evidence"]["access logs"]["skipped"], 1);
    // The scenario can set its own limit; below the share skipped it refuses.
    w.write(
        "s.toml",
        "name = \"lake\"\nstart = \"2026-03-01\"\nend = \"2026-04-01\"\n\
         [evidence]\nlogs = \"bad.log\"\nmax_skipped_pct = 0.5\n[[policy]]\nname = \"std\"\nall_standard = true\n",
    );
    let out = w.run(&["simulate", "s.toml"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("max_skipped_pct"), "{}", stderr(&out));
}

/// Case 4: `merge` dropped `current` and the prefixes, so `check` on a merged report gated
/// another policy. The merged report.json is now the whole run's, byte for byte.
#[test]
fn merged_shards_are_the_whole_report_byte_for_byte() {
    let w = Workdir::new();
    let mut log = String::new();
    for i in 0..60u64 {
        let prefix = ["raw", "gold", "tmp"][i as usize % 3];
        log += &log_line(
            1 + (i % 20) as u32,
            "REST.PUT.OBJECT",
            &format!("{prefix}/{i}"),
            1_000_003 * (i + 1),
        );
        if i % 2 == 0 {
            log += &log_line(
                21 + (i % 7) as u32,
                "REST.GET.OBJECT",
                &format!("{prefix}/{i}"),
                1_000_003 * (i + 1),
            );
        }
    }
    // Records that bill nothing, a bucket-level LIST, and one malformed line.
    log += &log_line(22, "S3.TRANSITION_SIA.OBJECT", "raw/3", 4);
    log += &log_line(23, "REST.GET.BUCKET", "-", 0);
    log += "not a log line\n";
    w.write("a.log", &log);
    w.write(
        "ia.json",
        r#"{"Rules":[{"ID":"ia","Status":"Enabled","Filter":{},"Transitions":[{"Days":30,"StorageClass":"STANDARD_IA"}]}]}"#,
    );
    let inv = delivery(&w, &[("a.csv", &rows(7, None))], &["a.csv"]);
    w.write(
        "s.toml",
        &format!(
            "name = \"lake\"\nstart = \"2026-03-01\"\nend = \"2026-06-01\"\ncurrent = \"ia\"\n\
             [evidence]\nlogs = \"a.log\"\ninventory = \"{}\"\nmax_skipped_pct = 2\n\
             future = \"repeat-weekly\"\n\
             [[policy]]\nname = \"std\"\nall_standard = true\n\
             [[policy]]\nname = \"ia\"\nlifecycle = \"ia.json\"\n",
            inv.display()
        ),
    );
    let whole = w.run(&[
        "simulate",
        "s.toml",
        "--format",
        "json",
        "--no-side-by-side",
    ]);
    assert!(whole.status.success(), "{}", stderr(&whole));
    for n in [1u32, 2, 5] {
        let mut names = Vec::new();
        for i in 1..=n {
            let o = format!("s{i}-{n}.json");
            let out = w.run(&[
                "simulate",
                "s.toml",
                "--shard",
                &format!("{i}/{n}"),
                "--format",
                "shard",
                "-o",
                &o,
            ]);
            assert!(out.status.success(), "{}", stderr(&out));
            names.push(o);
        }
        names.reverse();
        let mut args = vec!["merge", "--format", "json"];
        args.extend(names.iter().map(String::as_str));
        let merged = w.run(&args);
        assert!(merged.status.success(), "{}", stderr(&merged));
        assert!(
            whole.stdout == merged.stdout,
            "{n} shards merged differ from the whole:\n{}\nvs\n{}",
            String::from_utf8_lossy(&whole.stdout),
            String::from_utf8_lossy(&merged.stdout)
        );
    }
    let j: Value = serde_json::from_slice(&whole.stdout).unwrap();
    assert_eq!(j["current"], "ia");
    assert_eq!(j["evidence"]["prefixes"].as_array().map(Vec::len), Some(4));
    let logs = &j["evidence"]["ledger"]["access logs"];
    assert_eq!(
        (logs["read"].as_u64(), logs["skipped"].as_u64()),
        (Some(93), Some(1))
    );
    // Shards of other evidence do not merge.
    w.write("a.log", &log.replace("not a log line\n", ""));
    let out = w.run(&[
        "simulate", "s.toml", "--shard", "2/2", "--format", "shard", "-o", "x2.json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = w.run(&["merge", "s1-2.json", "x2.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("read different access logs"),
        "{}",
        stderr(&out)
    );
}

/// Case 5: a baseline of another scenario was accepted (−99.76% growth, exit 0).
#[test]
fn a_baseline_must_be_of_the_same_scenario_and_hold_the_gated_policy() {
    let w = Workdir::new();
    let mut log = String::new();
    for i in 0..20 {
        log += &log_line(1 + i, "REST.PUT.OBJECT", &format!("k/{i}"), 1 << 30);
    }
    w.write("a.log", &log);
    let scenario = |name: &str, policy: &str| {
        format!(
            "name = \"{name}\"\nstart = \"2026-03-01\"\nend = \"2026-04-01\"\n\
             [evidence]\nlogs = \"a.log\"\n[[policy]]\nname = \"{policy}\"\nall_standard = true\n"
        )
    };
    w.write("lake.toml", &scenario("lake", "std"));
    w.write("other.toml", &scenario("other", "std"));
    w.write("renamed.toml", &scenario("lake", "standard"));
    w.write(
        "budgets.toml",
        "[[budget]]\npolicy = \"std\"\nmax_growth_pct = 10\n",
    );
    for (s, o) in [
        ("other.toml", "other.json"),
        ("renamed.toml", "renamed.json"),
        ("lake.toml", "lake.json"),
    ] {
        let out = w.run(&["simulate", s, "--format", "json", "-o", o]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let check = |baseline: &str, extra: &[&str]| {
        w.run(
            &[
                &[
                    "check",
                    "lake.toml",
                    "--budget",
                    "budgets.toml",
                    "--baseline",
                    baseline,
                ][..],
                extra,
            ]
            .concat(),
        )
    };
    let out = check("other.json", &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("scenario \"other\""),
        "{}",
        stderr(&out)
    );
    let out = check("renamed.json", &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no policy \"std\""),
        "{}",
        stderr(&out)
    );
    // Asked for explicitly, the comparison runs (and a missing policy fails its line).
    let out = check("other.json", &["--allow-baseline-mismatch"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = check("renamed.json", &["--allow-baseline-mismatch"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // Its own baseline: growth 0%.
    let out = check("lake.json", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

mod merge_property {
    use super::*;
    use proptest::prelude::*;

    /// One random log record: (day of March 2026, operation, key index, size).
    fn record() -> impl Strategy<Value = (u32, usize, usize, u64)> {
        (1u32..=31, 0usize..5, 0usize..25, 0u64..5_000_000_000)
    }

    const OPS: [&str; 5] = [
        "REST.PUT.OBJECT",
        "REST.GET.OBJECT",
        "REST.DELETE.OBJECT",
        "REST.HEAD.OBJECT",
        "S3.EXPIRE.OBJECT",
    ];

    proptest! {
        #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

        /// Random logs and inventories, versioned or not, split into 1..=4 shards: the merged
        /// report.json is the whole run's, byte for byte.
        #[test]
        fn sharded_then_merged_is_the_whole(
            recs in prop::collection::vec(record(), 1..60),
            inventory in 0usize..6,
            versioning in any::<bool>(),
            n in 1u32..=4,
        ) {
            let w = Workdir::new();
            let mut sorted = recs.clone();
            sorted.sort();
            let mut log = String::new();
            for (day, op, k, size) in sorted {
                let prefix = ["a", "b", "c"][k % 3];
                log += &log_line(day, OPS[op], &format!("{prefix}/{k}"), size);
            }
            w.write("a.log", &log);
            // Silent past the logs: a shard cannot measure the default age profile.
            let mut evidence = "logs = \"a.log\"\nfuture = \"silent\"\n".to_string();
            if inventory > 0 {
                let m = delivery(&w, &[("i.csv", &rows(inventory, None))], &["i.csv"]);
                evidence += &format!("inventory = \"{}\"\n", m.display());
            }
            w.write(
                "ia.json",
                r#"{"Rules":[{"ID":"ia","Status":"Enabled","Filter":{"Prefix":"a/"},"Transitions":[{"Days":1,"StorageClass":"GLACIER"}]}]}"#,
            );
            w.write(
                "s.toml",
                &format!(
                    "name = \"p\"\nstart = \"2026-03-01\"\nend = \"2026-05-01\"\nversioning = {versioning}\n\
                     current = \"ia\"\n[evidence]\n{evidence}\
                     [[policy]]\nname = \"std\"\nall_standard = true\n\
                     [[policy]]\nname = \"it\"\nintelligent_tiering = true\n\
                     [[policy]]\nname = \"ia\"\nlifecycle = \"ia.json\"\n"
                ),
            );
            let whole = w.run(&["simulate", "s.toml", "--format", "json", "--no-side-by-side"]);
            prop_assert!(whole.status.success(), "{}", stderr(&whole));
            let mut args = vec!["merge".to_string(), "--format".into(), "json".into()];
            for i in 1..=n {
                let o = format!("s{i}.json");
                let out = w.run(&["simulate", "s.toml", "--shard", &format!("{i}/{n}"), "--format", "shard", "-o", &o]);
                prop_assert!(out.status.success(), "{}", stderr(&out));
                args.push(o);
            }
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            let merged = w.run(&refs);
            prop_assert!(merged.status.success(), "{}", stderr(&merged));
            prop_assert!(whole.stdout == merged.stdout, "{} shards differ", n);
        }
    }
}
