//! The TOML a user writes: scenarios (`read_scenario`, with the lifecycle files they name),
//! budget files (`BudgetFile::parse`, then evaluated against a real report as its own
//! baseline), and workload-generator specs (`Spec::parse`; a spec small enough is generated,
//! into a temporary folder under a line limit, and its logs must read back strictly). Seeds:
//! scenarios/*.toml, the saved-report target's scenario, docs/budgets.md's example and the
//! generator's datalake spec, made tiny.
//!
//! Bound: 32 MiB + 64 bytes per input byte (`toml_edit`'s document tree, about 30 bytes per
//! byte of TOML, beside what is built from it). A generated workload is capped by its line
//! limit (20,000 lines, a few MiB of buffers and sampled keys).

use crate::harness::{Bound, MIB, TOML_MAX, config, names_file, repo, run_case};
use crate::mutate::{edits, mutated};
use crate::saved::{SCENARIO, seed_report};
use costlab::budget::{BudgetFile, check_baseline, evaluate};
use costlab::scenario::read_scenario;
use costlab::trace::access_log::reader::expand;
use costlab::trace::access_log::{LogReader, Mode, ReadError};
use costlab::workload::{Options, Spec, generate, logs_dir};
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

const BOUND: Bound = Bound {
    fixed: 32 * MIB,
    per_byte: 64,
};
/// The most lines a fuzzed spec may generate.
const LINES_LIMIT: u64 = 20_000;

/// A folder holding a copy of scenarios/ (for the files scenarios name), kept until the
/// process ends.
fn scenario_dir() -> &'static Path {
    static D: OnceLock<PathBuf> = OnceLock::new();
    D.get_or_init(|| {
        let dir = crate::harness::process_dir();
        std::fs::create_dir_all(dir.join("lifecycle")).unwrap();
        for sub in ["", "lifecycle"] {
            for e in std::fs::read_dir(repo("scenarios").join(sub)).unwrap() {
                let p = e.unwrap().path();
                if p.is_file() {
                    std::fs::copy(&p, dir.join(sub).join(p.file_name().unwrap())).unwrap();
                }
            }
        }
        std::fs::copy(
            repo("scenarios/lifecycle/rule-of-thumb.json"),
            dir.join("rot.json"),
        )
        .unwrap();
        dir
    })
}

fn scenarios() -> &'static [Vec<u8>] {
    static S: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    S.get_or_init(|| {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(repo("scenarios"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .filter(|p| !p.to_string_lossy().ends_with("-workload.toml"))
            .filter(|p| !p.to_string_lossy().ends_with("-usage.toml"))
            .collect();
        paths.sort();
        let mut v: Vec<Vec<u8>> = paths.iter().map(|p| std::fs::read(p).unwrap()).collect();
        v.push(SCENARIO.as_bytes().to_vec());
        v
    })
}

fn budget_samples() -> &'static [Vec<u8>] {
    static S: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    S.get_or_init(|| {
        let doc = std::fs::read_to_string(repo("docs/budgets.md")).unwrap();
        let mut v = Vec::new();
        for block in doc.split("```toml\n").skip(1) {
            v.push(block.split("```").next().unwrap().as_bytes().to_vec());
        }
        v.push(
            b"[[budget]]\nscenario = \"fuzz-seed\"\npolicy = \"std\"\nmax_total_usd = 1e15\n\
              max_growth_pct = 10\n[[budget]]\npolicy = \"it\"\nmax_monthly_usd = 0.01\n\
              [budget.categories]\nstorage = 0\ncompute = 1000000000000000\n"
                .to_vec(),
        );
        assert!(v.len() >= 2, "docs/budgets.md has no ```toml example");
        v
    })
}

/// The datalake workload, one day long and small.
fn tiny_spec() -> &'static [u8] {
    static S: OnceLock<Vec<u8>> = OnceLock::new();
    S.get_or_init(|| {
        let spec = std::fs::read_to_string(repo("scenarios/datalake-workload.toml")).unwrap();
        let tiny = spec
            .replace("end = \"2026-04-01\"", "end = \"2026-03-02\"")
            .replace("objects = 20000", "objects = 40")
            .replace("objects_per_day = 2400", "objects_per_day = 30")
            .replace("objects_per_day = 215", "objects_per_day = 5")
            .replace("objects_per_day = 12\n", "objects_per_day = 3\n")
            .replace("lists_per_day = 288", "lists_per_day = 20");
        assert!(tiny.contains("end = \"2026-03-02\"") && tiny.contains("objects = 40"));
        tiny.into_bytes()
    })
}

fn scenario_case(input: Vec<u8>) {
    static N: AtomicU64 = AtomicU64::new(0);
    run_case("scenario", &input.clone(), BOUND, move || {
        let dir = scenario_dir();
        let path = dir.join(format!("fuzz-{}.toml", N.fetch_add(1, Ordering::Relaxed)));
        std::fs::write(&path, &input).map_err(|e| e.to_string())?;
        let r = read_scenario(&path);
        let _ = std::fs::remove_file(&path);
        match r {
            Ok(sc) => {
                std::hint::black_box(sc);
                Ok(())
            }
            // A file the scenario names (a lifecycle configuration) may be the one named.
            Err(e) => names_file("scenario", &dir.display().to_string(), &e.to_string()),
        }
    });
}

fn budget_case(input: Vec<u8>) {
    run_case("budget", &input.clone(), BOUND, move || {
        let text = String::from_utf8_lossy(&input);
        match BudgetFile::parse("fuzz-budgets.toml", &text) {
            Err(e) => names_file("budget", "fuzz-budgets.toml", &e.to_string()),
            Ok(b) => {
                let r = seed_report();
                let _ = check_baseline(&b, r, "baseline.json", r);
                std::hint::black_box(evaluate(&b, r, Some(("baseline.json", r))));
                std::hint::black_box(evaluate(&b, r, None));
                Ok(())
            }
        }
    });
}

/// Whether a spec is small enough to generate here.
fn tiny(s: &Spec) -> bool {
    let days = s.days();
    let per_day: f64 = s
        .prefixes
        .iter()
        .map(|p| p.objects_per_day + p.lists_per_day + p.overwrites_per_day)
        .sum();
    days <= 3.0
        && per_day * days <= 2_000.0
        && s.inventory.as_ref().is_none_or(|i| i.objects <= 2_000)
}

fn spec_case(input: Vec<u8>) {
    run_case("generator-spec", &input.clone(), BOUND, move || {
        let text = String::from_utf8_lossy(&input).into_owned();
        let spec = match Spec::parse("fuzz-workload.toml", &text) {
            Err(e) => return names_file("generator-spec", "fuzz-workload.toml", &e.to_string()),
            Ok(s) => s,
        };
        if !tiny(&spec) {
            return Ok(());
        }
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let opts = Options {
            out: dir.path().join("out"),
            lines_limit: Some(LINES_LIMIT),
            ..Options::default()
        };
        match generate(&spec, &text, &opts) {
            Err(e) if e.is_input() => return Ok(()),
            Err(e) => return Err(format!("generate failed: {e}")),
            Ok(_) => {}
        }
        // What the generator wrote, costlab reads back without a skipped line.
        let logs = logs_dir(&opts.out).display().to_string();
        let sources = expand(&[logs]).map_err(|e| e.to_string())?;
        LogReader::new(Mode::Strict)
            .for_each::<ReadError>(&sources, |_, _| Ok(()))
            .map_err(|e| format!("generated logs do not read back: {e}"))?;
        Ok(())
    });
}

proptest! {
    #![proptest_config(config(150))]

    #[test]
    fn scenario_on_mutated_samples(i in 0usize..64, e in edits()) {
        let s = scenarios();
        let input = mutated(&s[i % s.len()], &e);
        prop_assume!(input.len() <= TOML_MAX);
        scenario_case(input);
    }

    #[test]
    fn scenario_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        scenario_case(bytes);
    }

    #[test]
    fn budget_on_mutated_samples(i in 0usize..64, e in edits()) {
        let s = budget_samples();
        let input = mutated(&s[i % s.len()], &e);
        prop_assume!(input.len() <= TOML_MAX);
        budget_case(input);
    }

    #[test]
    fn budget_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        budget_case(bytes);
    }

    #[test]
    fn generator_spec_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        spec_case(bytes);
    }
}

proptest! {
    // Some cases generate a day of a small workload.
    #![proptest_config(config(60))]

    #[test]
    fn generator_spec_on_mutated_sample(e in edits()) {
        let input = mutated(tiny_spec(), &e);
        prop_assume!(input.len() <= TOML_MAX);
        spec_case(input);
    }
}

#[test]
fn the_unmutated_samples_are_read() {
    for s in scenarios() {
        let dir = scenario_dir();
        let path = dir.join("unmutated.toml");
        std::fs::write(&path, s).unwrap();
        read_scenario(&path).unwrap();
    }
    for b in budget_samples() {
        BudgetFile::parse("b.toml", std::str::from_utf8(b).unwrap()).unwrap();
    }
    let spec = Spec::parse("w.toml", std::str::from_utf8(tiny_spec()).unwrap()).unwrap();
    assert!(tiny(&spec));
    spec_case(tiny_spec().to_vec());
}
