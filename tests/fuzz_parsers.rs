//! Fuzz targets, one per kind of input costlab reads (proptest drivers: cargo-fuzz needs a
//! nightly compiler). Each target feeds its reader (a) arbitrary bytes and (b) real samples
//! mutated with structure in mind (`mutate`: values replaced by extremes, lines dropped,
//! duplicated, swapped or truncated, tokens swapped, deep nesting, very long strings, invalid
//! UTF-8), and asserts, per case (`harness::run_case`):
//!
//! * no panic, and every failure an error value whose message names the file (shards: a
//!   non-empty message, to which `costlab merge` adds the file's name);
//! * no hang: the case returns within the hang limit (120 s by default, as a debug build on a
//!   loaded machine is slow and a hang never returns; it runs on a thread of its own; a case
//!   that does not return fails the test with its input saved under
//!   `target/tmp/fuzz-failures/`);
//! * bounded memory: a counting global allocator measures the most bytes the case thread
//!   holds at once, which must stay under the target's bound (a fixed part plus a multiple of
//!   the input's size, chosen per input kind; each target's file says why):
//!
//!   | input | bound |
//!   |---|---|
//!   | access-log line | 1 MiB + 8 × input |
//!   | access-log file (plain, .gz, .zst) | 16 MiB, whatever its size (streamed) |
//!   | inventory manifest | 4 MiB + 48 × input |
//!   | inventory CSV / CSV.gz delivery | 16 MiB + 8 × schema (the data streams) |
//!   | inventory Parquet delivery | 16 MiB + 64 × input |
//!   | lifecycle, Intelligent-Tiering | 8 MiB + 64 × input |
//!   | scenario, budget, generator spec, usage file, price book | 32 MiB + 64 × input |
//!   | compute usage, jobs, spot history | 16 MiB + 64 × input (records are kept) |
//!   | report.json | 16 MiB + 96 × input |
//!   | usage shard | 16 MiB + 64 × input |
//!
//!   Measured peaks over 20× runs stay under 20 MiB. zstd's C decoder allocates outside the
//!   counter (its window is capped at 128 MiB by `trace::input`); the binary target's
//!   address-space limit covers it.
//!
//! Mutated TOML, JSON and XML documents are kept under 1 MiB: a debug build parses a few MB a
//! second, so larger ones would come near the time limit without being hangs. The line
//! readers take inputs of any size (lines of 1 and 2 MiB, 20 MiB in `a_20_mib_*`).
//!
//! Targets: `usage_pricing` (usage files, price books), `access_log` (lines, and whole files:
//! plain, .gz, .zst, long lines, invalid UTF-8), `inventory` (manifest.json; CSV, CSV.gz and
//! Parquet data files with matching MD5s), `lifecycle` (JSON and XML lifecycle and
//! Intelligent-Tiering configurations), `config` (scenario, budget and workload-generator
//! TOML), `compute` (usage and job CSVs, spot price history JSON, CSV and text),
//! `saved` (report.json through `Report::load`, usage shards through `Shard::from_json` and
//! `Shard::merge`), and `binary` (hostile files through the `costlab` binary under an
//! address-space limit and the same hang limit).
//!
//! Case counts: each target's default keeps the whole suite near a minute in a debug build on
//! two cores (`scripts/test.sh` fixes `PROPTEST_RNG_SEED`). `COSTLAB_FUZZ_CASES=20x`
//! multiplies every target's count by 20, `COSTLAB_FUZZ_CASES=5000` runs 5,000 cases per
//! target; `COSTLAB_FUZZ_VERBOSE=1` prints each target's largest peak and slowest case.
//! Failures found are kept in `tests/fuzz_parsers/*.proptest-regressions` and run every time.

#[path = "fuzz_parsers/access_log.rs"]
mod access_log;
#[path = "fuzz_parsers/binary.rs"]
mod binary;
#[path = "fuzz_parsers/compute.rs"]
mod compute;
#[path = "fuzz_parsers/config.rs"]
mod config;
#[path = "fuzz_parsers/harness.rs"]
mod harness;
#[path = "fuzz_parsers/inventory.rs"]
mod inventory;
#[path = "fuzz_parsers/lifecycle.rs"]
mod lifecycle;
#[path = "fuzz_parsers/mutate.rs"]
mod mutate;
#[path = "fuzz_parsers/saved.rs"]
mod saved;
#[path = "fuzz_parsers/usage_pricing.rs"]
mod usage_pricing;

#[global_allocator]
static ALLOCATOR: harness::Counting = harness::Counting;

#[test]
fn the_allocator_counts_a_case() {
    let m = harness::run_case(
        "self-test",
        b"",
        harness::Bound {
            fixed: 64 * harness::MIB,
            per_byte: 0,
        },
        || {
            let v = vec![1u8; 8 * harness::MIB];
            std::hint::black_box(&v);
            Ok(())
        },
    );
    assert!(
        (8 * harness::MIB..9 * harness::MIB).contains(&m.peak_bytes),
        "{m:?}"
    );
}

#[test]
#[should_panic(expected = "over the bound")]
fn a_case_over_its_bound_fails() {
    harness::run_case(
        "self-test-bound",
        b"",
        harness::Bound {
            fixed: harness::MIB,
            per_byte: 0,
        },
        || {
            std::hint::black_box(vec![1u8; 4 * harness::MIB]);
            Ok(())
        },
    );
}

#[test]
#[should_panic(expected = "did not return within 1 s")]
fn a_hung_case_fails() {
    harness::run_case_within(
        std::time::Duration::from_secs(1),
        "self-test-hang",
        b"",
        harness::Bound {
            fixed: harness::MIB,
            per_byte: 0,
        },
        || {
            std::thread::sleep(std::time::Duration::from_secs(3));
            Ok(())
        },
    );
}

#[test]
#[should_panic(expected = "panicked: boom")]
fn a_panicking_case_fails() {
    harness::run_case(
        "self-test-panic",
        b"",
        harness::Bound {
            fixed: harness::MIB,
            per_byte: 0,
        },
        || panic!("boom"),
    );
}
