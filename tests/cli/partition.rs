//! Evidence past `--memory-limit` is partitioned to disk by key and replayed partition by
//! partition: the reports must be byte-identical to a run in memory, and the partition files
//! must be gone afterwards.

use super::{Workdir, repo};
use std::process::{Command, Output};

/// The bundled lake's workload spec, scaled down about 40-fold (a few thousand objects).
fn small_workload(w: &Workdir) {
    let spec = std::fs::read_to_string(repo("scenarios/datalake-workload.toml")).unwrap();
    let mut small = spec.clone();
    for (from, to) in [
        ("objects = 20000", "objects = 500"),
        ("objects_per_day = 2400", "objects_per_day = 60"),
        ("objects_per_day = 215", "objects_per_day = 6"),
        ("objects_per_day = 12", "objects_per_day = 2"),
    ] {
        assert!(small.contains(from), "the bundled spec changed: {from}");
        small = small.replace(from, to);
    }
    w.write("workload.toml", &small);
}

/// Runs costlab with partition files under `tmp`.
fn run_in(w: &Workdir, tmp: &std::path::Path, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_costlab"))
        .args(args)
        .current_dir(w.path(""))
        .env("TMPDIR", tmp)
        .env_remove("COSTLAB_PRICING_DIR")
        .env_remove("COSTLAB_MEMORY_LIMIT")
        .output()
        .expect("run costlab");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs `args` in memory and under a limit small enough to partition, checking that the
/// partitioned run said so and left nothing behind; returns both outputs' stdout and the
/// partitioned run's stderr.
fn whole_and_partitioned(w: &Workdir, args: &[&str], limit: &str) -> (Vec<u8>, Vec<u8>, String) {
    let tmp = w.path("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let whole = run_in(w, &tmp, args);
    let whole_err = String::from_utf8_lossy(&whole.stderr).to_string();
    assert!(!whole_err.contains("partitioning"), "{whole_err}");
    let parted = run_in(w, &tmp, &[args, &["--memory-limit", limit]].concat());
    let err = String::from_utf8_lossy(&parted.stderr).to_string();
    assert!(
        err.contains("past the memory limit") && err.contains("partitioning them by key"),
        "{err}"
    );
    let left: Vec<_> = std::fs::read_dir(&tmp).unwrap().collect();
    assert!(left.is_empty(), "partition files left behind: {left:?}");
    (whole.stdout, parted.stdout, err)
}

/// The lake with its inventory, the optimizer's costing pass, the clairvoyant bound: the
/// whole report (report.json, from which every view is made) is the same.
#[test]
fn a_partitioned_run_reports_exactly_what_a_run_in_memory_does() {
    let w = Workdir::new();
    small_workload(&w);
    let scenario = std::fs::read_to_string(repo("scenarios/datalake.toml"))
        .unwrap()
        .replace("datalake-workload.toml", "workload.toml")
        .replace(
            "lifecycle/rule-of-thumb.json",
            &repo("scenarios/lifecycle/rule-of-thumb.json"),
        );
    w.write("lake.toml", &scenario);
    let tmp = w.path("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    run_in(&w, &tmp, &["run", "lake.toml", "--out", "whole"]);
    let parted = run_in(
        &w,
        &tmp,
        &[
            "run",
            "lake.toml",
            "--out",
            "parted",
            "--memory-limit",
            "64KiB",
        ],
    );
    assert!(String::from_utf8_lossy(&parted.stderr).contains("partitioning them by key"));
    let read = |d: &str, f: &str| std::fs::read(w.path(d).join(f)).unwrap();
    for f in ["report.json", "recommended-lifecycle.json", "bill.csv"] {
        assert!(
            read("whole", f) == read("parted", f),
            "{f} differs between the run in memory and the partitioned one"
        );
    }
    // The generated evidence and the partition files are gone.
    let left: Vec<_> = std::fs::read_dir(&tmp).unwrap().collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    // A shard partitions its own objects (with the weekly repeat: a shard cannot measure the
    // default age profile).
    let (whole, parted, _) = whole_and_partitioned(
        &w,
        &[
            "simulate",
            "lake.toml",
            "--shard",
            "2/3",
            "--format",
            "shard",
            "--future",
            "repeat-weekly",
        ],
        "16KiB",
    );
    assert!(whole == parted, "a shard differs");
}

/// A versioned bucket, replication chosen per policy, the last week repeated: `simulate`
/// output is byte-identical.
#[test]
fn partitioning_keeps_versions_replication_and_repeats_exact() {
    let w = Workdir::new();
    small_workload(&w);
    let scenario = std::fs::read_to_string(repo("scenarios/dr-replication.toml"))
        .unwrap()
        .replace("datalake-workload.toml", "workload.toml")
        .replace(
            "\"lifecycle/",
            &format!("\"{}/", repo("scenarios/lifecycle")),
        )
        .replace("[evidence]\n", "[evidence]\nrepeat = \"weekly\"\n");
    assert!(scenario.contains("repeat = \"weekly\""));
    w.write("dr.toml", &scenario);
    let (whole, parted, _) =
        whole_and_partitioned(&w, &["simulate", "dr.toml", "--format", "json"], "16KiB");
    assert!(whole == parted, "simulate --format json differs");
    let j: serde_json::Value = serde_json::from_slice(&whole).unwrap();
    assert!(
        j["evidence"]["objects"].as_u64().unwrap() > 1000,
        "{}",
        j["evidence"]
    );
    assert!(!j["evidence"]["repeated_week"].is_null());
    // The generated log lines are many; they were read once, not once per partition.
    let lines = j["evidence"]["lines"]["read"].as_u64().unwrap();
    assert!(lines > 5000, "{lines}");
}

/// The limit comes from `--memory-limit`, else `COSTLAB_MEMORY_LIMIT`; a bad size is an input
/// error (exit 2) naming where it came from.
#[test]
fn the_limit_comes_from_the_flag_or_the_environment() {
    let w = Workdir::new();
    let mut log = String::new();
    for i in 0..50 {
        log += &format!(
            "o lake [02/Mar/2026:10:00:{:02} +0000] 10.0.0.1 - RID REST.PUT.OBJECT k/{i} \"PUT /lake/k/{i} HTTP/1.1\" 200 - - 1000 5 2 \"-\" \"ua\" - H SigV4 C AuthHeader h TLSv1.2 - -\n",
            i % 60
        );
    }
    w.write("a.log", &log);
    let args = [
        "simulate",
        "--logs",
        "a.log",
        "--all-standard",
        "--start",
        "2026-03-01",
        "--end",
        "2026-04-01",
        "--format",
        "json",
    ];
    let run = |extra: &[&str], env: Option<&str>| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_costlab"));
        c.args([&args[..], extra].concat())
            .current_dir(w.path(""))
            .env("TMPDIR", w.path(""))
            .env_remove("COSTLAB_MEMORY_LIMIT");
        if let Some(v) = env {
            c.env("COSTLAB_MEMORY_LIMIT", v);
        }
        c.output().expect("run costlab")
    };
    let said = |o: &Output| String::from_utf8_lossy(&o.stderr).to_string();
    let whole = run(&[], None);
    assert!(whole.status.success() && !said(&whole).contains("partitioning"));
    let by_env = run(&[], Some("1KiB"));
    assert!(by_env.status.success(), "{}", said(&by_env));
    assert!(
        said(&by_env).contains("limit of 1.00 KiB"),
        "{}",
        said(&by_env)
    );
    assert!(by_env.stdout == whole.stdout);
    // The flag wins over the environment.
    let flag = run(&["--memory-limit", "1GiB"], Some("1KiB"));
    assert!(flag.status.success() && !said(&flag).contains("partitioning"));
    let bad = run(&["--memory-limit", "8XB"], None);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        said(&bad).contains("--memory-limit \"8XB\""),
        "{}",
        said(&bad)
    );
    let bad = run(&[], Some("lots"));
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        said(&bad).contains("COSTLAB_MEMORY_LIMIT \"lots\""),
        "{}",
        said(&bad)
    );
}
