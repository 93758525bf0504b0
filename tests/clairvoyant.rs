//! The clairvoyant bound: which path it picks for objects whose future is plain, and that it is
//! never dearer than any policy it is compared with (hand cases and a property over random
//! histories and lifecycle rules, rated in dollars through the us-east-1 book).

use costlab::aws::{Region, StorageClass, StorageTier};
use costlab::cost::{BookUnitPrices, RateOptions, rate};
use costlab::meter::Meter;
use costlab::pricing::Catalog;
use costlab::sim::s3::{
    Clairvoyant, Event, EventKind, Evidence, Future, Initial, ObjectHistory, Policy, PolicyKind,
    PolicyRun, ReplayOptions, WeeklyRepeat, simulate,
};
use costlab::trace::lifecycle::parse_json;
use costlab::units::{GIB, Timestamp};
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::sync::Arc;

fn ts(s: &str) -> Timestamp {
    Timestamp::parse_rfc3339(s).unwrap()
}

fn region() -> Region {
    Region::parse("us-east-1").unwrap()
}

fn catalog() -> &'static Catalog {
    static C: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
    C.get_or_init(|| Catalog::open(None, Some("us-east-1")).unwrap())
}

const RULE_OF_THUMB: &str = r#"{"Rules":[{"ID":"rot","Status":"Enabled","Filter":{},"Transitions":[{"Days":30,"StorageClass":"STANDARD_IA"},{"Days":90,"StorageClass":"GLACIER"},{"Days":365,"StorageClass":"DEEP_ARCHIVE"}]}]}"#;

fn peers(extra: Option<&str>) -> Vec<Policy> {
    let mut p = vec![
        Policy {
            name: "all-standard".into(),
            kind: PolicyKind::AllStandard,
        },
        Policy {
            name: "it".into(),
            kind: PolicyKind::IntelligentTiering {
                archive_days: None,
                deep_archive_days: None,
            },
        },
        Policy {
            name: "rot".into(),
            kind: PolicyKind::Lifecycle(parse_json("rot.json", RULE_OF_THUMB).unwrap()),
        },
    ];
    if let Some(json) = extra {
        p.push(Policy {
            name: "extra".into(),
            kind: PolicyKind::Lifecycle(parse_json("extra.json", json).unwrap()),
        });
    }
    p
}

/// Runs the peers and the bound over `objects`; returns (runs, dollars), the bound last.
fn run_all(
    objects: Vec<ObjectHistory>,
    extra: Option<&str>,
    end: &str,
) -> (Vec<PolicyRun>, Vec<Decimal>) {
    run_all_with(objects, extra, end, &ReplayOptions::default())
}

fn run_all_with(
    objects: Vec<ObjectHistory>,
    extra: Option<&str>,
    end: &str,
    opts: &ReplayOptions,
) -> (Vec<PolicyRun>, Vec<Decimal>) {
    let mut policies = peers(extra);
    policies.push(Policy {
        name: "bound".into(),
        kind: PolicyKind::Clairvoyant(Clairvoyant {
            prices: Arc::new(BookUnitPrices::new(catalog().home())),
            peers: policies.clone(),
        }),
    });
    let ev = Evidence::from_objects(objects);
    let rules = catalog().home().rules.s3.clone();
    let runs = simulate(
        &ev,
        &policies,
        opts,
        &rules,
        &region(),
        ts("2026-01-01T00:00:00Z"),
        ts(end),
    );
    let dollars = runs
        .iter()
        .map(|r| {
            rate(&r.usage, catalog(), &RateOptions::default())
                .unwrap()
                .total
                .usd()
        })
        .collect();
    (runs, dollars)
}

fn ev(t: &str, kind: EventKind) -> Event {
    Event { t: ts(t), kind }
}

fn read(t: &str) -> Event {
    ev(
        t,
        EventKind::Read {
            bytes: GIB,
            charged: true,
        },
    )
}

/// Byte-hours in `class` over the whole run.
fn byte_hours(r: &PolicyRun, class: StorageClass) -> Decimal {
    let m = Meter::Storage(StorageTier::Class(class));
    r.usage
        .months
        .values()
        .filter_map(|by| by.get(&region()))
        .filter_map(|s| s.get(&m))
        .sum()
}

#[test]
fn an_object_never_read_goes_straight_to_deep_archive() {
    let obj = ObjectHistory {
        noncurrent: Box::default(),
        key: "cold/a".into(),
        initial: None,
        events: vec![ev(
            "2026-01-01T00:00:00Z",
            EventKind::Write { size: 100 * GIB },
        )],
    };
    let (runs, usd) = run_all(vec![obj], None, "2027-01-01T00:00:00Z");
    let bound = runs.last().unwrap();
    // 100 GiB for 365 days, all of it in Deep Archive from the first second.
    assert_eq!(
        byte_hours(bound, StorageClass::DeepArchive),
        Decimal::from(100 * GIB) * Decimal::from(365 * 24)
    );
    assert_eq!(byte_hours(bound, StorageClass::Standard), Decimal::ZERO);
    // $0.00099/GB-month × 100 GB × 12 months = $1.188, plus the PUT and the per-object
    // overhead (8 KB at Standard, 32 KB at Deep Archive) — far below Standard's $27.60.
    let b = *usd.last().unwrap();
    assert!(b > Decimal::new(1188, 3) && b < Decimal::new(120, 2), "{b}");
    for u in &usd[..usd.len() - 1] {
        assert!(b < *u);
    }
}

#[test]
fn an_object_read_every_day_stays_in_standard() {
    let mut events = vec![ev("2026-01-01T00:00:00Z", EventKind::Write { size: GIB })];
    for d in 1..=28 {
        events.push(read(&format!("2026-02-{d:02}T12:00:00Z")));
        events.push(read(&format!("2026-01-{d:02}T12:00:00Z")));
    }
    events.sort_by_key(|e| e.t);
    let obj = ObjectHistory {
        noncurrent: Box::default(),
        key: "hot/a".into(),
        initial: None,
        events,
    };
    let (runs, usd) = run_all(vec![obj], None, "2026-03-01T00:00:00Z");
    let bound = runs.last().unwrap();
    // Until the last read (Feb 28 12:00) it is in STANDARD; after it the bound may move down.
    let until_last_read = Decimal::from(GIB) * Decimal::from((31 + 27) * 24 + 12);
    assert!(byte_hours(bound, StorageClass::Standard) >= until_last_read);
    assert_eq!(usd.last().unwrap(), usd.iter().min().unwrap());
}

#[test]
fn reads_early_then_silence_moves_down_after_the_last_read() {
    let obj = ObjectHistory {
        noncurrent: Box::default(),
        key: "warm/a".into(),
        initial: None,
        events: vec![
            ev("2026-01-01T00:00:00Z", EventKind::Write { size: 10 * GIB }),
            read("2026-01-02T00:00:00Z"),
            read("2026-01-05T00:00:00Z"),
            read("2026-01-10T00:00:00Z"),
        ],
    };
    let (runs, usd) = run_all(vec![obj], None, "2027-01-01T00:00:00Z");
    let bound = runs.last().unwrap();
    // Three reads of 10 GiB within 10 days: cheaper in STANDARD than paying retrieval or
    // restores, then Deep Archive for the remaining 355 days.
    assert_eq!(
        byte_hours(bound, StorageClass::Standard),
        Decimal::from(10 * GIB) * Decimal::from(9 * 24)
    );
    assert_eq!(
        byte_hours(bound, StorageClass::DeepArchive),
        Decimal::from(10 * GIB) * Decimal::from(356 * 24)
    );
    let b = *usd.last().unwrap();
    assert!(usd[..3].iter().all(|u| b < *u), "{usd:?}");
}

fn history() -> impl Strategy<Value = ObjectHistory> {
    let kinds = prop_oneof![
        (1u64..4 * GIB).prop_map(|size| EventKind::Write { size }),
        (0u64..GIB).prop_map(|bytes| EventKind::Read {
            bytes,
            charged: true
        }),
        Just(EventKind::Delete { by_version: false }),
        Just(EventKind::Delete { by_version: true }),
        Just(EventKind::Request { tier1: false }),
    ];
    // Either a new object written during the horizon, or one present at the start (from an
    // inventory: created before, in any class the waterfall starts from, small or large).
    let initial = prop::option::of((
        1u64..4 * GIB,
        1i64..400,
        prop::sample::select(vec![
            StorageClass::Standard,
            StorageClass::StandardIa,
            StorageClass::GlacierIr,
            StorageClass::Glacier,
        ]),
    ));
    (
        1u64..4 * GIB,
        0i64..40 * 86_400,
        prop::collection::vec((0i64..400 * 86_400, kinds), 0..6),
        initial,
    )
        .prop_map(|(size, t0, mut rest, initial)| {
            let base = ts("2026-01-01T00:00:00Z").0;
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
                key: "p/k".into(),
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

fn config() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec![
            "STANDARD_IA",
            "GLACIER_IR",
            "GLACIER",
            "DEEP_ARCHIVE",
        ]),
        30u32..200,
        prop::option::of(200u32..500),
        prop::option::of((0u32..60, prop::option::of(1u32..3))),
        prop::option::of(1u32..90),
    )
        .prop_map(|(class, days, exp, nc_glacier, nc_exp)| {
            let exp = exp
                .map(|d| format!(r#","Expiration":{{"Days":{d}}}"#))
                .unwrap_or_default();
            // Noncurrent-version actions (they matter only in versioned runs).
            let newer = |n: Option<u32>| {
                n.map(|n| format!(r#","NewerNoncurrentVersions":{n}"#))
                    .unwrap_or_default()
            };
            let nct = nc_glacier
                .map(|(d, n)| {
                    format!(
                        r#","NoncurrentVersionTransitions":[{{"NoncurrentDays":{d},"StorageClass":"GLACIER"{}}}]"#,
                        newer(n)
                    )
                })
                .unwrap_or_default();
            let nce = nc_exp
                .map(|d| format!(r#","NoncurrentVersionExpiration":{{"NoncurrentDays":{d}}}"#))
                .unwrap_or_default();
            format!(
                r#"{{"Rules":[{{"ID":"r","Status":"Enabled","Filter":{{}},"Transitions":[{{"Days":{days},"StorageClass":"{class}"}}]{exp}{nct}{nce}}}]}}"#
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    /// Per object, in dollars through the book: the bound never costs more than a policy it is
    /// compared with (small volumes sit in the first price band, where prices are linear).
    #[test]
    fn the_bound_is_never_dearer_than_any_policy(
        h in history(),
        cfg in config(),
        versioning in any::<bool>(),
        repeat_day in prop::option::of(7i64..420),
    ) {
        // With a weekly repeat, the logs end at `from`: the object's later events are cut.
        let mut h = h;
        let repeat = repeat_day.map(|d| WeeklyRepeat {
            from: Timestamp(ts("2026-01-01T00:00:00Z").0 + d * 86_400),
        });
        if let Some(r) = repeat {
            h.events.retain(|e| e.t < r.from);
        }
        let future = repeat.map(Future::Weekly).unwrap_or_default();
        let opts = ReplayOptions { versioning, future, ..Default::default() };
        let (_, usd) = run_all_with(vec![h], Some(&cfg), "2027-03-01T00:00:00Z", &opts);
        let bound = *usd.last().unwrap();
        let tolerance = Decimal::new(1, 9); // f64 scoring vs exact rating
        for (i, u) in usd[..usd.len() - 1].iter().enumerate() {
            prop_assert!(bound <= *u + tolerance, "policy {i}: bound {bound} > {u}");
        }
    }
}
