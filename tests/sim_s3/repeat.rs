//! `[evidence] repeat = "weekly"`: the logs' last week recurs until the horizon ends. Objects
//! first seen in it are created again every week; activity on older objects (and requests not
//! tied to an object) recurs on them. Hand-computed meters and dollars, and a property: the
//! repeat generated during replay meters exactly like the same copies written out as evidence.

use super::*;
use costlab::sim::s3::{Future, WeeklyRepeat};
use proptest::prelude::*;

const WEEK: i64 = 7 * 86_400;

fn get(t: &str, bytes: u64) -> Event {
    Event {
        t: ts(t),
        kind: EventKind::Read {
            bytes,
            charged: true,
        },
    }
}

/// Logs of Mar 1–7 with an inventory object read on Mar 3, a new object written on Mar 6 and a
/// LIST on Mar 2; the horizon is March.
fn week_of_logs() -> Evidence {
    let mut ev = Evidence::from_objects([
        ObjectHistory {
            noncurrent: Box::default(),
            key: "old/a".into(),
            initial: Some(Initial {
                created: ts("2026-01-01T00:00:00Z"),
                size: GIB,
                class: StorageClass::Standard,
                it_tier: None,
            }),
            events: vec![get("2026-03-03T10:00:00Z", GIB)],
        },
        put("new/b", "2026-03-06T12:00:00Z", 2 * GIB),
    ]);
    ev.bucket_requests.tier1 = vec![ts("2026-03-02T08:00:00Z")];
    ev.log_span = Some((ts("2026-03-01T00:00:07Z"), ts("2026-03-07T18:00:00Z")));
    ev
}

fn simulate_repeated(ev: &Evidence, policy: Policy, repeat: Option<WeeklyRepeat>) -> PolicyRun {
    let opts = ReplayOptions {
        future: repeat.map_or(Future::Silent, Future::Weekly),
        ..Default::default()
    };
    let rules = catalog().home().rules.s3.clone();
    let (start, end) = (ts("2026-03-01T00:00:00Z"), ts("2026-04-01T00:00:00Z"));
    simulate(ev, &[policy], &opts, &rules, &region(), start, end).remove(0)
}

#[test]
fn the_last_week_recurs_new_objects_again_and_reads_on_old_ones() {
    let mut ev = week_of_logs();
    let repeat = ev.repeat_weekly(ts("2026-04-01T00:00:00Z")).unwrap();
    assert_eq!(repeat.from, ts("2026-03-08T00:00:00Z"));
    // The LIST of Mar 2 recurs on Mar 9, 16, 23 and 30.
    assert_eq!(ev.bucket_requests.tier1.len(), 5);
    let march = (2026, 3);
    let std = simulate_repeated(
        &ev,
        Policy {
            name: "std".into(),
            kind: PolicyKind::AllStandard,
        },
        Some(repeat),
    );
    // new/b is written again on Mar 13, 20 and 27 (Apr 3 is past the end), each a new object
    // kept to the end: 612 + 444 + 276 + 108 h of 2 GiB; old/a is stored all month.
    assert_eq!(
        q(&std, march, &storage(StorageClass::Standard)),
        gib_hours(2 * (612 + 444 + 276 + 108) + 744)
    );
    // 4 PUTs and 5 LISTs; old/a's GET recurs on Mar 10, 17, 24 and 31.
    let req = |tier| Meter::Requests(StorageClass::Standard, tier);
    assert_eq!(q(&std, march, &req(RequestTier::Tier1)), Decimal::from(9));
    assert_eq!(q(&std, march, &req(RequestTier::Tier2)), Decimal::from(5));
    let want = usd("0.023") * Decimal::from(2 * 1440 + 744) / Decimal::from(744)
        + usd("0.000005") * Decimal::from(9)
        + usd("0.0000004") * Decimal::from(5);
    assert!(
        (dollars(&std) - want).abs() < usd("1e-15"),
        "{}",
        dollars(&std)
    );
    // Expiring new/ after 1 day: each copy lives from 12:00 to the second midnight (36 h).
    let exp = simulate_repeated(
        &ev,
        lifecycle(
            "exp1",
            r#"{"Rules":[{"ID":"e","Status":"Enabled","Filter":{"Prefix":"new/"},"Expiration":{"Days":1}}]}"#,
        ),
        Some(repeat),
    );
    assert_eq!(
        q(&exp, march, &storage(StorageClass::Standard)),
        gib_hours(2 * 4 * 36 + 744)
    );
    // Without the repeat: one PUT, one GET, one LIST, and new/b once.
    let once = simulate_repeated(
        &week_of_logs(),
        Policy {
            name: "std".into(),
            kind: PolicyKind::AllStandard,
        },
        None,
    );
    assert_eq!(
        q(&once, march, &storage(StorageClass::Standard)),
        gib_hours(2 * 612 + 744)
    );
    assert_eq!(q(&once, march, &req(RequestTier::Tier2)), Decimal::from(1));
}

#[test]
fn fewer_than_seven_days_of_logs_cannot_be_repeated() {
    let mut ev = week_of_logs();
    ev.log_span = Some((ts("2026-03-02T00:00:07Z"), ts("2026-03-07T18:00:00Z")));
    let e = ev.repeat_weekly(ts("2026-04-01T00:00:00Z")).unwrap_err();
    assert!(e.contains("at least 7 whole days"), "{e}");
    ev.log_span = None;
    assert!(ev.repeat_weekly(ts("2026-04-01T00:00:00Z")).is_err());
}

fn usd(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// The copies a weekly repeat stands for, written out as plain evidence.
fn materialise(objects: &[ObjectHistory], from: i64, end: i64) -> Vec<ObjectHistory> {
    let mut out = Vec::new();
    for o in objects {
        let window: Vec<Event> = o
            .events
            .iter()
            .filter(|e| e.t.0 >= from - WEEK)
            .copied()
            .collect();
        let born = o.initial.is_none() && window.len() == o.events.len();
        let shifted = |k: i64| -> Vec<Event> {
            window
                .iter()
                .map(|e| Event {
                    t: Timestamp(e.t.0 + k * WEEK),
                    kind: e.kind,
                })
                .filter(|e| e.t.0 < end)
                .collect()
        };
        let weeks = (1..).take_while(|k| window.first().is_some_and(|e| e.t.0 + k * WEEK < end));
        if born && !window.is_empty() {
            out.push(o.clone());
            for k in weeks {
                out.push(ObjectHistory {
                    events: shifted(k),
                    ..o.clone()
                });
            }
        } else {
            let mut o = o.clone();
            for k in weeks {
                o.events.extend(shifted(k));
            }
            out.push(o);
        }
    }
    out
}

fn object() -> impl Strategy<Value = ObjectHistory> {
    let kinds = prop_oneof![
        (1u64..4 * GIB).prop_map(|size| EventKind::Write { size }),
        (0u64..GIB).prop_map(|bytes| EventKind::Read {
            bytes,
            charged: true
        }),
        Just(EventKind::Delete { by_version: false }),
        any::<bool>().prop_map(|tier1| EventKind::Request { tier1 }),
    ];
    (
        prop::option::of((1u64..4 * GIB, 0usize..3)),
        prop::collection::vec((0i64..21 * 86_400, kinds), 0..6),
    )
        .prop_map(|(initial, mut evs)| {
            evs.sort_by_key(|e| e.0);
            let base = ts("2026-03-01T00:00:00Z").0;
            let classes = [
                StorageClass::Standard,
                StorageClass::StandardIa,
                StorageClass::Glacier,
            ];
            ObjectHistory {
                noncurrent: Box::default(),
                key: "p/k".into(),
                initial: initial.map(|(size, c)| Initial {
                    created: ts("2026-01-10T00:00:00Z"),
                    size,
                    class: classes[c],
                    it_tier: None,
                }),
                events: evs
                    .into_iter()
                    .map(|(t, kind)| Event {
                        t: Timestamp(base + t),
                        kind,
                    })
                    .collect(),
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Logs of Mar 1–21 repeated to the end of June (from Mar 22): generated during the replay,
    /// the repeat meters exactly what the copies written out as evidence meter without one,
    /// under a lifecycle with transitions and expiration and under Intelligent-Tiering.
    #[test]
    fn the_repeat_meters_like_its_copies_written_out(
        objects in prop::collection::vec(object(), 1..5),
        versioning in any::<bool>(),
        it in any::<bool>(),
    ) {
        let from = ts("2026-03-22T00:00:00Z");
        let (start, end) = (ts("2026-03-01T00:00:00Z"), ts("2026-07-01T00:00:00Z"));
        let policy = if it {
            Policy {
                name: "it".into(),
                kind: PolicyKind::IntelligentTiering { archive_days: Some(90), deep_archive_days: None },
            }
        } else {
            lifecycle("lc", r#"{"Rules":[{"ID":"r","Status":"Enabled","Filter":{},"Transitions":[{"Days":30,"StorageClass":"STANDARD_IA"},{"Days":60,"StorageClass":"GLACIER"}],"Expiration":{"Days":100}}]}"#)
        };
        let rules = catalog().home().rules.s3.clone();
        let ev = Evidence::from_objects(objects.clone());
        let opts = ReplayOptions {
            versioning,
            future: Future::Weekly(WeeklyRepeat { from }),
            ..Default::default()
        };
        let lazy = simulate(&ev, std::slice::from_ref(&policy), &opts, &rules, &region(), start, end).remove(0);
        let ev = Evidence::from_objects(materialise(&objects, from.0, end.0));
        let opts = ReplayOptions { future: Future::Silent, ..opts };
        let eager = simulate(&ev, &[policy], &opts, &rules, &region(), start, end).remove(0);
        prop_assert_eq!(&lazy.accum, &eager.accum);
        prop_assert_eq!(&lazy.stats, &eager.stats);
    }
}
