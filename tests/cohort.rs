//! Cohort costing is per-object replay, exactly: the optimizer's costing pass with objects
//! folded into cohorts (priced once per cohort from a few probe replays) gives the same
//! integers, meter for meter and statistic for statistic, as replaying every object under every
//! candidate, for random histories made to share cohorts: inventory objects in several classes
//! and Intelligent-Tiering tiers, objects written by the logs, sizes just under and over 128 KiB
//! and of zero bytes, creation instants at, just after and just before midnight and near month
//! ends, later events a whole number of days on (reads of the whole object and ranged reads
//! that may need a restore, overwrites, deletes, requests), objects that fit no cohort (events
//! at other offsets, noncurrent versions), versioned buckets and the weekly repeat.

use costlab::aws::{ItTier, StorageClass};
use costlab::optimize::costing::Costing;
use costlab::optimize::{CandidateGrid, EmitOptions, generate};
use costlab::pricing::Catalog;
use costlab::sim::s3::grouped::{GroupedSimulation, Slots};
use costlab::sim::s3::{
    Event, EventKind, Future, Initial, Noncurrent, ObjectHistory, ProfileBuilder, ReplayOptions,
    WeeklyRepeat,
};
use costlab::units::Timestamp;
use proptest::prelude::*;

const DAY: i64 = 86_400;

fn ts(s: &str) -> Timestamp {
    Timestamp::parse_rfc3339(s).unwrap()
}

fn catalog() -> &'static Catalog {
    static C: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
    C.get_or_init(|| Catalog::open(None, Some("us-east-1")).unwrap())
}

fn costing() -> Costing {
    let grid = CandidateGrid {
        transition_days: vec![1, 3, 30, 90],
        target_classes: vec![
            StorageClass::StandardIa,
            StorageClass::GlacierIr,
            StorageClass::Glacier,
            StorageClass::DeepArchive,
            StorageClass::IntelligentTiering,
        ],
        max_chain: 2,
        expiration_days: vec![5, 120],
    };
    Costing::new(
        1,
        &[131_072, 1 << 20],
        generate(&grid).unwrap(),
        &EmitOptions::default(),
    )
}

const START: &str = "2026-03-01T00:00:00Z";
const END: &str = "2026-09-01T00:00:00Z";

/// The costing pass over `objects` (in three batches), with or without cohorts; with the
/// number of cohorts and of objects folded into them.
fn pass(
    c: &Costing,
    opts: &ReplayOptions,
    objects: &[ObjectHistory],
    cohorts: bool,
) -> (Vec<Slots>, (usize, u64, u64)) {
    let rules = catalog().home().rules.s3.clone();
    let mut sim =
        GroupedSimulation::new(&c.policies, &c.grouping, opts, &rules, ts(START), ts(END));
    if !cohorts {
        sim = sim.without_cohorts();
    }
    let (a, b) = (objects.len() / 3, 2 * objects.len() / 3);
    for part in [&objects[..a], &objects[a..b], &objects[b..]] {
        sim.replay_batch(part);
    }
    let folded = sim.folded();
    (sim.finish(), folded)
}

/// How a template's objects begin.
#[derive(Clone, Debug)]
enum Begin {
    Inventory(StorageClass, Option<ItTier>),
    Written,
    /// Never written: the first event is a request of a missing key (an event kind as
    /// `event`'s, writes made requests).
    Absent(u8),
}

/// A later event: days after creation (or seconds, when `odd`), and its kind.
#[derive(Clone, Debug)]
struct Later {
    days: i64,
    odd: i64,
    kind: u8,
    bytes: u64,
}

/// Objects sharing a template differ only in size and creation second.
#[derive(Clone, Debug)]
struct Template {
    key: &'static str,
    begin: Begin,
    /// Creation day, relative to the start.
    day: i64,
    later: Vec<Later>,
    /// (size, second of the day) per member.
    members: Vec<(u64, i64)>,
    noncurrent: bool,
}

fn size() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(0u64),
        131_070u64..131_075,
        1u64..131_072,
        131_072u64..(1 << 20),
        (1u64 << 20)..(1 << 33),
        (1u64 << 20) - 2..(1 << 20) + 2,
    ]
}

fn second() -> impl Strategy<Value = i64> {
    prop_oneof![
        Just(0i64),
        Just(1),
        Just(DAY - 1),
        0..DAY,
        40_000i64..50_000,
    ]
}

fn template() -> impl Strategy<Value = Template> {
    let begin = prop_oneof![
        Just(Begin::Written),
        (0u8..6).prop_map(Begin::Absent),
        prop::sample::select(vec![
            (StorageClass::Standard, None),
            (StorageClass::StandardIa, None),
            (StorageClass::GlacierIr, None),
            (StorageClass::Glacier, None),
            (StorageClass::DeepArchive, None),
            (StorageClass::IntelligentTiering, Some(ItTier::Frequent)),
            (StorageClass::IntelligentTiering, Some(ItTier::Infrequent)),
            (
                StorageClass::IntelligentTiering,
                Some(ItTier::ArchiveInstant)
            ),
        ])
        .prop_map(|(c, t)| Begin::Inventory(c, t)),
    ];
    let later = (
        0i64..200,
        prop_oneof![4 => Just(0i64), 1 => 1i64..DAY],
        0u8..6,
        0u64..(1 << 22),
    )
        .prop_map(|(days, odd, kind, bytes)| Later {
            days,
            odd,
            kind,
            bytes,
        });
    (
        prop::sample::select(vec!["a/x", "a/y/z", "b/k", "root-key", "c/"]),
        begin,
        // Creation days before the start (inventory) and within the horizon, some on the
        // last days of a month.
        prop_oneof![-400i64..-1, 0i64..180, Just(30), Just(-1), Just(91)],
        prop::collection::vec(later, 0..4),
        // Cohorts of up to 4 members may be priced member by member: more, for the probes.
        prop::collection::vec((size(), second()), 1..10),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(key, begin, day, later, members, noncurrent)| Template {
            key,
            begin,
            day,
            later,
            members,
            noncurrent,
        })
}

/// A template's event of `kind` for a member of `size` bytes (`bytes`: a ranged read's, a
/// rewrite's size).
fn event(kind: u8, size: u64, bytes: u64) -> EventKind {
    match kind {
        0 => EventKind::Read {
            bytes: size,
            charged: true,
        },
        1 => EventKind::Read {
            bytes,
            charged: bytes.is_multiple_of(2),
        },
        2 => EventKind::Write { size: bytes },
        3 => EventKind::Delete { by_version: false },
        4 => EventKind::Request { tier1: true },
        _ => EventKind::Delete { by_version: true },
    }
}

/// The template's objects.
fn objects(t: &Template, n: usize) -> Vec<ObjectHistory> {
    let base = ts(START).0;
    t.members
        .iter()
        .enumerate()
        .map(|(i, &(size, sec))| {
            let created = Timestamp(base + t.day * DAY + sec);
            let mut events = Vec::new();
            let initial = match t.begin {
                Begin::Inventory(class, it_tier) => Some(Initial {
                    created,
                    size,
                    class,
                    it_tier,
                }),
                Begin::Written => {
                    events.push(Event {
                        t: created,
                        kind: EventKind::Write { size },
                    });
                    None
                }
                Begin::Absent(kind) => {
                    let kind = if kind == 2 { 4 } else { kind };
                    events.push(Event {
                        t: created,
                        kind: event(kind, size, size),
                    });
                    None
                }
            };
            for l in &t.later {
                events.push(Event {
                    t: Timestamp(created.0 + l.days * DAY + l.odd),
                    kind: event(l.kind, size, l.bytes),
                });
            }
            events.sort_by_key(|e| e.t);
            let noncurrent = if t.noncurrent && initial.is_some() {
                vec![Noncurrent {
                    version: Initial {
                        created: Timestamp(created.0 - 10 * DAY),
                        size: size / 2,
                        class: StorageClass::Standard,
                        it_tier: None,
                    },
                    since: Some(created),
                    marker: false,
                }]
            } else {
                Vec::new()
            };
            ObjectHistory {
                key: format!("{}/{n}-{i}", t.key),
                initial,
                noncurrent: noncurrent.into_boxed_slice(),
                events,
            }
        })
        .collect()
}

fn check(templates: &[Template], opts: &ReplayOptions) -> Result<(usize, u64), TestCaseError> {
    let c = costing();
    let objects: Vec<ObjectHistory> = templates
        .iter()
        .enumerate()
        .flat_map(|(n, t)| objects(t, n))
        .collect();
    let (folded, (cohorts, members, _)) = pass(&c, opts, &objects, true);
    let (alone, (none, _, _)) = pass(&c, opts, &objects, false);
    prop_assert_eq!(none, 0);
    prop_assert_eq!(folded.len(), alone.len());
    for (p, (f, a)) in folded.iter().zip(&alone).enumerate() {
        prop_assert_eq!(
            f.keys().collect::<Vec<_>>(),
            a.keys().collect::<Vec<_>>(),
            "candidate {}",
            c.candidates[p].id
        );
        for (k, (fa, fs)) in f {
            let (aa, as_) = &a[k];
            prop_assert_eq!(
                fa.byte_seconds(),
                aa.byte_seconds(),
                "byte-seconds, candidate {}, group {:?}",
                c.candidates[p].id,
                k
            );
            prop_assert_eq!(
                fa.counts(),
                aa.counts(),
                "counts, candidate {}, group {:?}",
                c.candidates[p].id,
                k
            );
            prop_assert_eq!(
                fs,
                as_,
                "statistics, candidate {}, group {:?}",
                c.candidates[p].id,
                k
            );
        }
    }
    Ok((cohorts, members))
}

/// New objects under `a/y/` go to STANDARD_IA (deeper than the group prefix `a/`), when `on`.
fn new_class(on: bool) -> Vec<(String, StorageClass)> {
    if on {
        vec![("a/y/".to_string(), StorageClass::StandardIa)]
    } else {
        Vec::new()
    }
}

proptest! {
    // 48 cases by default; PROPTEST_CASES=N for a longer search.
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(48)
    ))]

    #[test]
    fn cohort_costing_is_per_object_replay(
        templates in prop::collection::vec(template(), 1..10),
        versioning in prop::bool::weighted(0.25),
        by_prefix in prop::bool::weighted(0.25),
    ) {
        let opts = ReplayOptions { versioning, new_object_class: new_class(by_prefix), ..Default::default() };
        check(&templates, &opts)?;
    }
}

/// Fixed cases that must fold (so the property above is not passing vacuously) and stay exact:
/// inventory objects of one day in STANDARD_IA moved early (early deletion depends on the
/// creation second), IT objects whose tier clocks run from their creation, objects written by
/// the logs and read whole on later days, sizes on both sides of 128 KiB, and the weekly repeat.
#[test]
fn folded_cases_are_exact() {
    let t = |begin, day, later: Vec<Later>, members: Vec<(u64, i64)>| Template {
        key: "a/x",
        begin,
        day,
        later,
        members,
        noncurrent: false,
    };
    let read = |days, kind| Later {
        days,
        odd: 0,
        kind,
        bytes: 4096,
    };
    let templates = vec![
        t(
            Begin::Inventory(StorageClass::StandardIa, None),
            -20,
            vec![],
            vec![
                (300_000, 1),
                (900_000, 86_399),
                (131_072, 5_000),
                (131_071, 7),
                (70_000, 9),
            ],
        ),
        t(
            Begin::Inventory(StorageClass::IntelligentTiering, Some(ItTier::Frequent)),
            -10,
            vec![],
            vec![
                (500_000, 100),
                (2_000_000, 80_000),
                (600_000, 0),
                (700_000, 0),
                (800_000, 40_000),
            ],
        ),
        t(
            Begin::Written,
            4,
            vec![read(0, 0), read(2, 1), read(40, 0), read(100, 3)],
            vec![(5_000_000, 3_600), (6_000_000, 50_000), (7_000_000, 86_000)],
        ),
        t(
            Begin::Written,
            30,
            vec![],
            vec![(1 << 30, 10), (1 << 29, 20), (100, 30), (200, 40)],
        ),
    ];
    let (cohorts, members) = check(&templates, &ReplayOptions::default()).unwrap();
    assert!(cohorts >= 5, "{cohorts} cohorts");
    assert!(members >= 15, "{members} objects folded");
    // The weekly repeat: objects written in the repeated week recur as new objects.
    let week =
        WeeklyRepeat::after_logs(ts("2026-03-20T00:00:00Z"), ts("2026-03-31T12:00:00Z")).unwrap();
    let repeat = vec![t(
        Begin::Written,
        27,
        vec![read(1, 0), read(3, 1)],
        vec![(5_000_000, 3_600), (6_000_000, 50_000), (150_000, 86_000)],
    )];
    let opts = ReplayOptions {
        future: Future::Weekly(week),
        ..Default::default()
    };
    let (cohorts, members) = check(&repeat, &opts).unwrap();
    assert!(
        cohorts >= 10 && members >= 30,
        "{cohorts} cohorts, {members} objects"
    );
    // The age profile: every object's future is drawn by its key; the cohort pass still
    // equals the per-object pass (drawn instances fold only with their like).
    let mut b = ProfileBuilder::new(ts("2026-03-01T00:00:00Z"), ts("2026-04-01T00:00:00Z"), 1);
    for i in 0..30u64 {
        let created = ts("2026-03-02T00:00:00Z").0 + (i as i64 % 20) * DAY;
        let mut events = vec![Event {
            t: Timestamp(created),
            kind: EventKind::Write { size: 4_000_000 },
        }];
        for d in [1, 2, 5, 9] {
            events.push(Event {
                t: Timestamp(created + d * DAY + 600),
                kind: EventKind::Read {
                    bytes: 4_000_000,
                    charged: true,
                },
            });
        }
        b.add(&ObjectHistory {
            key: format!("a/{i}"),
            initial: None,
            noncurrent: Box::default(),
            events,
        });
    }
    let profile = b.finish(ts("2026-04-01T00:00:00Z"), Some(week), 11);
    let opts = ReplayOptions {
        future: Future::Profile(std::sync::Arc::new(profile)),
        ..Default::default()
    };
    check(&repeat, &opts).unwrap();
    check(&templates, &opts).unwrap();
}

/// The shrunk case proptest found (tests/cohort.proptest-regressions): two 1 MiB objects written
/// at the first and the last second of the horizon's first day, unversioned.
#[test]
fn first_and_last_second_of_the_first_day() {
    let templates = vec![Template {
        key: "a/x",
        begin: Begin::Written,
        day: 0,
        later: vec![],
        members: vec![(1 << 20, 0), (1 << 20, DAY - 1)],
        noncurrent: false,
    }];
    check(&templates, &ReplayOptions::default()).unwrap();
}

/// Objects of one group whose rewrites land in different classes (the new-object class is set
/// by a prefix deeper than the group's) are not one cohort.
#[test]
fn rewrites_land_in_the_class_of_their_own_key() {
    let t = |key| Template {
        key,
        begin: Begin::Inventory(StorageClass::Standard, None),
        day: -3,
        later: vec![Later {
            days: 2,
            odd: 0,
            kind: 2,
            bytes: 5 << 20,
        }],
        members: vec![(3 << 20, 100), (4 << 20, 200)],
        noncurrent: false,
    };
    let opts = ReplayOptions {
        new_object_class: new_class(true),
        ..Default::default()
    };
    let (cohorts, members) = check(&[t("a/x"), t("a/y/z")], &opts).unwrap();
    assert_eq!((cohorts, members), (2, 4));
}

/// Keys never written (requests of missing keys, as logs show for objects older than them)
/// fold by the days of their events, at any second; not in a versioned bucket when a simple
/// DELETE would add a delete marker.
#[test]
fn missing_keys_fold_by_day() {
    let t = |begin, later| Template {
        key: "b/k",
        begin,
        day: 5,
        later,
        members: vec![(0, 0), (10, 1), (1 << 20, 40_000), (7, DAY - 1), (3, 9)],
        noncurrent: false,
    };
    let on = |days, odd, kind| Later {
        days,
        odd,
        kind,
        bytes: 100,
    };
    let reads = t(
        Begin::Absent(0),
        vec![on(3, 500, 4), on(10, 7, 5), on(0, 1, 1)],
    );
    let (cohorts, members) =
        check(std::slice::from_ref(&reads), &ReplayOptions::default()).unwrap();
    assert_eq!(members, 5, "{cohorts} cohorts");
    let versioned = ReplayOptions {
        versioning: true,
        ..Default::default()
    };
    check(&[reads], &versioned).unwrap();
    let deleted = t(Begin::Absent(3), vec![on(2, 0, 4)]);
    let (_, members) = check(&[deleted], &versioned).unwrap();
    assert_eq!(members, 0);
}
