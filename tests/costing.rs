//! The optimizer's costing pass is exact: for any object histories and any assignment of
//! candidates to groups, the usage assembled from the chosen (group, candidate) pairs equals,
//! meter for meter and statistic for statistic, what the simulator meters when it replays the
//! emitted lifecycle configuration. This is what lets `costlab optimize` promise that
//! re-simulating its JSON gives the predicted cost.

use costlab::aws::StorageClass;
use costlab::optimize::costing::Costing;
use costlab::optimize::{
    CandidateGrid, EmitError, EmitOptions, LifecycleConstraints, emit_lifecycle, generate,
    solve_lifecycle,
};
use costlab::pricing::Catalog;
use costlab::sim::s3::grouped::GroupedSimulation;
use costlab::sim::s3::{
    Event, EventKind, Evidence, Initial, ObjectHistory, Policy, PolicyKind, ReplayOptions, simulate,
};
use costlab::trace::lifecycle::LifecycleConfiguration;
use costlab::units::{GIB, Timestamp};
use proptest::prelude::*;

fn ts(s: &str) -> Timestamp {
    Timestamp::parse_rfc3339(s).unwrap()
}

fn catalog() -> &'static Catalog {
    static C: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
    C.get_or_init(|| Catalog::open(None, Some("us-east-1")).unwrap())
}

fn costing() -> Costing {
    let grid = CandidateGrid {
        transition_days: vec![30, 90],
        target_classes: vec![
            StorageClass::StandardIa,
            StorageClass::GlacierIr,
            StorageClass::Glacier,
            StorageClass::IntelligentTiering,
        ],
        max_chain: 2,
        expiration_days: vec![200],
    };
    let candidates = generate(&grid).unwrap();
    Costing::new(1, &[131_072], candidates, &EmitOptions::default())
}

const START: &str = "2026-03-01T00:00:00Z";
const END: &str = "2026-10-01T00:00:00Z";

/// Replays `objects` through the costing pass.
fn pass(c: &Costing, objects: &[ObjectHistory]) -> Vec<costlab::sim::s3::grouped::Slots> {
    let rules = catalog().home().rules.s3.clone();
    let opts = ReplayOptions::default();
    let mut sim =
        GroupedSimulation::new(&c.policies, &c.grouping, &opts, &rules, ts(START), ts(END));
    // Two batches: the split must not matter.
    let mid = objects.len() / 2;
    sim.replay_batch(&objects[..mid]);
    sim.replay_batch(&objects[mid..]);
    sim.finish()
}

fn replay_config(
    cfg: LifecycleConfiguration,
    objects: Vec<ObjectHistory>,
) -> costlab::sim::s3::PolicyRun {
    let rules = catalog().home().rules.s3.clone();
    let ev = Evidence::from_objects(objects);
    let policy = Policy {
        name: "emitted".into(),
        kind: PolicyKind::Lifecycle(cfg),
    };
    simulate(
        &ev,
        &[policy],
        &ReplayOptions::default(),
        &rules,
        &catalog().home().region,
        ts(START),
        ts(END),
    )
    .remove(0)
}

fn history() -> impl Strategy<Value = ObjectHistory> {
    // Sizes on both sides of 128 KiB (and of the IA minimum), so a key's versions can change
    // group when it is overwritten.
    let size = prop_oneof![1u64..200_000, 200_000u64..2 * GIB];
    let kinds = prop_oneof![
        size.clone().prop_map(|size| EventKind::Write { size }),
        (0u64..GIB).prop_map(|bytes| EventKind::Read {
            bytes,
            charged: true
        }),
        Just(EventKind::Delete { by_version: false }),
        Just(EventKind::Request { tier1: true }),
    ];
    let initial = prop::option::of((
        size.clone(),
        1i64..400,
        prop::sample::select(vec![
            StorageClass::Standard,
            StorageClass::StandardIa,
            StorageClass::Glacier,
        ]),
    ));
    (
        prop::sample::select(vec!["a/x", "a/y/z", "b/k", "root-key", "c/"]),
        size,
        0i64..40 * 86_400,
        prop::collection::vec((0i64..200 * 86_400, kinds), 0..6),
        initial,
    )
        .prop_map(|(key, size, t0, mut rest, initial)| {
            let base = ts(START).0;
            rest.sort_by_key(|(t, _)| *t);
            let mut events = Vec::new();
            if initial.is_none() {
                events.push(Event {
                    t: Timestamp(base + t0),
                    kind: EventKind::Write { size },
                });
            }
            events.extend(rest.into_iter().map(|(t, kind)| Event {
                t: Timestamp(base + t0 + t),
                kind,
            }));
            ObjectHistory {
                noncurrent: Box::default(),
                key: key.into(),
                initial: initial.map(|(size, age_days, class)| Initial {
                    created: Timestamp(base - age_days * 86_400),
                    size,
                    class,
                    it_tier: None,
                }),
                events,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Any assignment: the assembled usage is exactly the emitted configuration's usage.
    #[test]
    fn assembled_usage_is_what_the_emitted_configuration_meters(
        objects in prop::collection::vec(history(), 1..8),
        picks in prop::collection::vec(any::<prop::sample::Index>(), 8),
    ) {
        let c = costing();
        let slots = pass(&c, &objects);
        let groups = c.groups(&slots);
        prop_assume!(!groups.is_empty());
        let assignment: Vec<usize> = (0..groups.len())
            .map(|g| picks[g % picks.len()].index(c.candidates.len()))
            .collect();
        let cfg = match emit_lifecycle(&groups, &c.candidates, &assignment, &EmitOptions::default()) {
            Ok(e) => e.configuration,
            Err(EmitError::NothingToPut) => LifecycleConfiguration {
                rules: Vec::new(),
                transition_default_minimum_object_size: None,
            },
            Err(e) => panic!("{e}"),
        };
        let (acc, stats) = c.assemble(&slots, &groups, &assignment);
        let run = replay_config(cfg, objects);
        prop_assert_eq!(&acc, &run.accum);
        prop_assert_eq!(&stats, &run.stats);
    }
}

#[test]
fn the_solved_recommendation_is_never_dearer_than_a_uniform_candidate() {
    // Objects in two prefixes with different lives: a/ written and never read (cold), b/
    // read every week (hot). The recommendation must beat, or tie, giving every group the
    // same candidate, for every candidate, and pick differently for the two prefixes.
    let base = ts(START).0;
    let mut objects = Vec::new();
    for i in 0..6 {
        objects.push(ObjectHistory {
            noncurrent: Box::default(),
            key: format!("a/cold-{i}"),
            initial: None,
            events: vec![Event {
                t: Timestamp(base + i * 3600),
                kind: EventKind::Write { size: GIB },
            }],
        });
        let mut events = vec![Event {
            t: Timestamp(base + i * 3600),
            kind: EventKind::Write { size: GIB },
        }];
        for w in 1..30 {
            events.push(Event {
                t: Timestamp(base + w * 7 * 86_400),
                kind: EventKind::Read {
                    bytes: GIB,
                    charged: true,
                },
            });
        }
        objects.push(ObjectHistory {
            noncurrent: Box::default(),
            key: format!("b/hot-{i}"),
            initial: None,
            events,
        });
    }
    let c = costing();
    let slots = pass(&c, &objects);
    let groups = c.groups(&slots);
    let region = catalog().home().region.clone();
    let (first, last) = (
        costlab::units::month_of(ts(START)),
        costlab::units::month_of(Timestamp(ts(END).0 - 1)),
    );
    let price = |acc: &costlab::sim::s3::Accum| {
        costlab::cost::rate(
            &acc.into_usage(&region, first, last),
            catalog(),
            &Default::default(),
        )
        .map(|b| b.total.usd())
    };
    let problem = c.problem(&slots, &groups, price).unwrap();
    let choice = solve_lifecycle(&problem, &LifecycleConstraints::default()).unwrap();
    let total = |a: &[usize]| price(&c.assemble(&slots, &groups, a).0).unwrap();
    let best = total(&choice.assignment());
    for k in 0..c.candidates.len() {
        let uniform = vec![k; groups.len()];
        assert!(best <= total(&uniform), "candidate {}", c.candidates[k].id);
    }
    let pick = |p: &str| {
        let g = groups
            .iter()
            .position(|g| g.prefix == p && g.band.min_bytes > 0)
            .unwrap();
        c.candidates[choice.groups[g].candidate].id.clone()
    };
    // Cold data leaves STANDARD; weekly-read data does not go to an archive.
    assert_ne!(pick("a/"), "STANDARD");
    assert!(!pick("b/").contains("GFR"), "{}", pick("b/"));
    assert_ne!(pick("a/"), pick("b/"));
    // Empty bands (no small objects) get no rule: ties go to STANDARD.
    for g in groups
        .iter()
        .enumerate()
        .filter(|(_, g)| g.band.min_bytes == 0)
    {
        assert_eq!(c.candidates[choice.groups[g.0].candidate].id, "STANDARD");
    }
}
