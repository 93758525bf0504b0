//! The optimizer's costing pass (every object under every candidate rule of the default grid,
//! attributed to its group), per object against cohorts, on the same objects in the same run:
//! a generated access log (`COSTLAB_BENCH_LOG`, written by `examples/gen_access_log`; see
//! `scripts/bench-costing.sh`) and a generated inventory (`COSTLAB_BENCH_INVENTORY` objects,
//! default 100,000, created over the 700 days before the start). Prints each pass's time, the
//! ratio, and the cohorts; the two passes' integers are compared and must be equal.
//!
//!     cargo bench --bench costing   (or scripts/bench-costing.sh [LINES] [OBJECTS])

use costlab::aws::StorageClass;
use costlab::optimize::costing::Costing;
use costlab::optimize::spec::DEFAULT_SIZE_BANDS;
use costlab::optimize::{CandidateGrid, EmitOptions, generate};
use costlab::pricing::Catalog;
use costlab::sim::s3::grouped::{GroupedSimulation, Slots};
use costlab::sim::s3::{BATCH, Evidence, Initial, ObjectHistory, ReplayOptions};
use costlab::trace::access_log::reader::{LogReader, Mode, ReadError, expand};
use costlab::units::Timestamp;
use std::time::Instant;

/// A small deterministic generator (SplitMix64), so the objects are the same every run.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn ts(s: &str) -> Timestamp {
    Timestamp::parse_rfc3339(s).unwrap_or_else(|| panic!("{s}: not RFC 3339"))
}

/// The access log's objects.
fn log_objects(path: &str) -> Vec<ObjectHistory> {
    let sources = expand(&[path.to_string()]).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut ev = Evidence::default();
    LogReader::new(Mode::Lenient)
        .for_each(&sources, |_, r| {
            ev.add_record(r);
            Ok::<(), ReadError>(())
        })
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    ev.done_taking();
    ev.objects().collect()
}

/// `n` inventory objects under three prefixes, in STANDARD, STANDARD_IA and
/// INTELLIGENT_TIERING, sizes from a few bytes to a few GiB, created over the 700 days before
/// `start`.
fn inventory_objects(n: usize, start: Timestamp) -> Vec<ObjectHistory> {
    let mut rng = Mix(7);
    let classes = [
        StorageClass::Standard,
        StorageClass::Standard,
        StorageClass::StandardIa,
        StorageClass::IntelligentTiering,
    ];
    (0..n)
        .map(|i| {
            let prefix = ["bronze", "silver", "gold"][i % 3];
            let class = classes[rng.below(4) as usize];
            let size = 1u64 << rng.below(32);
            let size = size + rng.below(size);
            ObjectHistory {
                key: format!("{prefix}/part-{i:08}"),
                initial: Some(Initial {
                    created: Timestamp(start.0 - 1 - rng.below(700 * 86_400) as i64),
                    size,
                    class,
                    it_tier: (class == StorageClass::IntelligentTiering)
                        .then_some(costlab::aws::ItTier::Frequent),
                }),
                noncurrent: Box::default(),
                events: Vec::new(),
            }
        })
        .collect()
}

/// One costing pass over `objects` (in batches, as the pipeline feeds it): its result, seconds,
/// and (cohorts, objects folded, objects replayed alone).
fn pass(
    c: &Costing,
    objects: &[ObjectHistory],
    range: (Timestamp, Timestamp),
    cohorts: bool,
) -> (Vec<Slots>, f64, (usize, u64, u64)) {
    let catalog = Catalog::open(None, Some("us-east-1")).unwrap_or_else(|e| panic!("{e}"));
    let rules = catalog.home().rules.s3.clone();
    let opts = ReplayOptions::default();
    let t = Instant::now();
    let mut sim = GroupedSimulation::new(&c.policies, &c.grouping, &opts, &rules, range.0, range.1);
    if !cohorts {
        sim = sim.without_cohorts();
    }
    for b in objects.chunks(BATCH) {
        sim.replay_batch(b);
    }
    let folded = sim.folded();
    let slots = sim.finish();
    (slots, t.elapsed().as_secs_f64(), folded)
}

fn compare(what: &str, c: &Costing, objects: &[ObjectHistory], range: (Timestamp, Timestamp)) {
    let (by_cohort, tc, (cohorts, folded, alone)) = pass(c, objects, range, true);
    let (by_object, to, _) = pass(c, objects, range, false);
    assert!(
        by_cohort == by_object,
        "{what}: the cohort pass differs from the per-object pass"
    );
    println!(
        "{what}: {} objects x {} candidates: per object {to:.2} s, by cohort {tc:.2} s \
         ({:.1}x faster; {cohorts} cohorts of {folded} objects, {alone} replayed alone); \
         results equal",
        objects.len(),
        c.candidates.len(),
        to / tc.max(1e-9),
    );
}

fn main() {
    let candidates = generate(&CandidateGrid::default()).unwrap_or_else(|e| panic!("{e}"));
    let c = Costing::new(1, &DEFAULT_SIZE_BANDS, candidates, &EmitOptions::default());
    println!("cores: {}", rayon::current_num_threads());
    match std::env::var("COSTLAB_BENCH_LOG") {
        Ok(path) => {
            let objects = log_objects(&path);
            let range = (ts("2026-03-01T00:00:00Z"), ts("2026-06-01T00:00:00Z"));
            compare(&format!("log {path}"), &c, &objects, range);
        }
        Err(_) => println!("COSTLAB_BENCH_LOG not set: no log (scripts/bench-costing.sh sets it)"),
    }
    let n = std::env::var("COSTLAB_BENCH_INVENTORY")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    if n > 0 {
        let range = (ts("2026-01-01T00:00:00Z"), ts("2027-01-01T00:00:00Z"));
        let objects = inventory_objects(n, range.0);
        compare("inventory", &c, &objects, range);
    }
}
