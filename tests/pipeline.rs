//! The library entry point (`costlab::pipeline`) gives what the command line gives: the same
//! report, byte for byte, from `pipeline::run` as from `costlab simulate --format json`, and
//! from `pipeline::shard` + `pipeline::merge` as from one run (per-policy replication and a
//! versioned bucket included).

use costlab::pipeline::{self, Options};
use costlab::report::views::{JsonView, View};
use std::path::Path;
use std::process::Command;

fn repo(p: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(p)
        .display()
        .to_string()
}

/// The bundled DR scenario (per-policy replication, versioning) on its workload scaled down
/// about 40-fold, in a scratch folder.
fn small_dr(dir: &Path) -> String {
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
    std::fs::write(dir.join("workload.toml"), small).unwrap();
    let sc = std::fs::read_to_string(repo("scenarios/dr-replication.toml"))
        .unwrap()
        .replace("datalake-workload.toml", "workload.toml")
        .replace(
            "\"lifecycle/",
            &format!("\"{}/", repo("scenarios/lifecycle")),
        );
    let p = dir.join("dr.toml");
    std::fs::write(&p, sc).unwrap();
    p.display().to_string()
}

#[test]
fn the_library_run_is_the_command_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = small_dr(tmp.path());
    let o = Options {
        optimize: false,
        ..Options::default()
    };
    let mut sc = costlab::scenario::read_scenario(scenario.as_ref()).unwrap();
    let report = pipeline::run(&mut sc, &o).unwrap();
    let mut lib = Vec::new();
    JsonView.render(&report, &mut lib).unwrap();
    let cli = Command::new(env!("CARGO_BIN_EXE_costlab"))
        .args(["simulate", &scenario, "--format", "json"])
        .output()
        .unwrap();
    assert!(
        cli.status.success(),
        "{}",
        String::from_utf8_lossy(&cli.stderr)
    );
    assert!(
        lib == cli.stdout,
        "the library's report differs from the CLI's"
    );
    // Two shards merged in the library: the same report as a whole run. A shard cannot
    // measure the age profile (it holds only its keys), and has no side-by-side models.
    let o = Options {
        sensitivity: false,
        ..o
    };
    let read = || {
        let mut sc = costlab::scenario::read_scenario(scenario.as_ref()).unwrap();
        sc.future = Some(costlab::sim::s3::FutureModel::RepeatWeekly);
        sc
    };
    let mut whole = Vec::new();
    JsonView
        .render(&pipeline::run(&mut read(), &o).unwrap(), &mut whole)
        .unwrap();
    let shards: Vec<_> = (1..=2)
        .map(|i| pipeline::shard(&mut read(), &o, i, 2).unwrap())
        .collect();
    let merged = pipeline::merge(shards, None).unwrap();
    let mut again = Vec::new();
    JsonView.render(&merged, &mut again).unwrap();
    assert!(again == whole, "two shards merged differ from the whole");
    // The default model refuses to shard, saying why.
    let mut sc = costlab::scenario::read_scenario(scenario.as_ref()).unwrap();
    let e = pipeline::shard(&mut sc, &o, 1, 2).unwrap_err().to_string();
    assert!(e.contains("a shard cannot measure the age profile"), "{e}");
}
