//! The S3 replay simulator, one hand-computed case per billing rule (exact meters, and dollars
//! through the us-east-1 book where it helps). References are to s3-pricing-and-rules.md.

use costlab::aws::{
    ArchiveSource, ItTier, Region, RequestTier, RestoreTier, StorageClass, StorageTier,
};
use costlab::cost::{RateOptions, rate};
use costlab::meter::Meter;
use costlab::pricing::Catalog;
use costlab::sim::s3::{
    Event, EventKind, Evidence, Initial, ObjectHistory, Policy, PolicyKind, PolicyRun,
    ReplayOptions, simulate,
};
use costlab::trace::lifecycle::parse_json;
use costlab::units::{GIB, KIB, Month, Timestamp};
use rust_decimal::Decimal;

#[path = "sim_s3/versioning.rs"]
mod versioning;

#[path = "sim_s3/repeat.rs"]
mod repeat;

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

fn lifecycle(name: &str, json: &str) -> Policy {
    Policy {
        name: name.into(),
        kind: PolicyKind::Lifecycle(parse_json("rule.json", json).unwrap()),
    }
}

fn run(
    objects: Vec<ObjectHistory>,
    policy: Policy,
    opts: ReplayOptions,
    start: &str,
    end: &str,
) -> PolicyRun {
    let ev = Evidence::from_objects(objects);
    let rules = catalog().home().rules.s3.clone();
    simulate(&ev, &[policy], &opts, &rules, &region(), ts(start), ts(end)).remove(0)
}

fn put(key: &str, t: &str, size: u64) -> ObjectHistory {
    ObjectHistory {
        noncurrent: Box::default(),
        key: key.into(),
        initial: None,
        events: vec![Event {
            t: ts(t),
            kind: EventKind::Write { size },
        }],
    }
}

/// Base-unit quantity of a meter in a month (byte-hours for storage).
fn q(r: &PolicyRun, m: (i32, u8), meter: &Meter) -> Decimal {
    let month = Month::new(m.0, m.1).unwrap();
    r.usage
        .months
        .get(&month)
        .and_then(|x| x.get(&region()))
        .and_then(|s| s.get(meter))
        .copied()
        .unwrap_or_default()
}

fn gib_hours(h: u64) -> Decimal {
    Decimal::from(GIB) * Decimal::from(h)
}

fn storage(c: StorageClass) -> Meter {
    Meter::Storage(StorageTier::Class(c))
}

fn dollars(r: &PolicyRun) -> Decimal {
    rate(&r.usage, catalog(), &RateOptions::default())
        .unwrap()
        .total
        .usd()
}

const IA_AT_30: &str = r#"{"Rules":[{"ID":"ia30","Status":"Enabled","Filter":{},"Transitions":[{"Days":30,"StorageClass":"STANDARD_IA"}]}]}"#;

#[test]
fn transition_becomes_billable_at_the_next_midnight_after_creation_plus_days() {
    // PUT on Mar 1 10:00; 30 days later is Mar 31 10:00, rounded up to Apr 1 00:00 (§2.5).
    let r = run(
        vec![put("a", "2026-03-01T10:00:00Z", GIB)],
        lifecycle("ia", IA_AT_30),
        ReplayOptions::default(),
        "2026-03-01T00:00:00Z",
        "2026-05-01T00:00:00Z",
    );
    assert_eq!(
        q(&r, (2026, 3), &storage(StorageClass::Standard)),
        gib_hours(734)
    ); // 30 d 14 h
    assert_eq!(
        q(&r, (2026, 4), &storage(StorageClass::Standard)),
        Decimal::ZERO
    );
    assert_eq!(
        q(&r, (2026, 4), &storage(StorageClass::StandardIa)),
        gib_hours(720)
    );
    assert_eq!(
        q(&r, (2026, 4), &Meter::Transitions(StorageClass::StandardIa)),
        Decimal::ONE
    );
    assert_eq!(
        q(
            &r,
            (2026, 3),
            &Meter::Requests(StorageClass::Standard, RequestTier::Tier1)
        ),
        Decimal::ONE
    );
    // $0.023 × 734/744 + $0.0125 + one transition ($0.01/1,000) + one PUT ($0.005/1,000).
    let want = Decimal::new(23, 3) * Decimal::from(734) / Decimal::from(744)
        + Decimal::new(125, 4)
        + Decimal::new(1, 5)
        + Decimal::new(5, 6);
    assert!(
        (dollars(&r) - want).abs() < Decimal::new(1, 15),
        "{} vs {want}",
        dollars(&r)
    );
    assert_eq!(r.stats.transitions["STANDARD_IA"], 1);
}

#[test]
fn midnight_rounding_for_0_1_and_30_day_rules() {
    let glacier_after = |days: u32| {
        lifecycle(
            "g",
            &format!(
                r#"{{"Rules":[{{"ID":"g","Status":"Enabled","Filter":{{}},"Transitions":[{{"Days":{days},"StorageClass":"GLACIER"}}]}}]}}"#
            ),
        )
    };
    // (rule days, created, when the transition is billed)
    let cases = [
        (0, "2026-03-01T23:59:59Z", "2026-03-02T00:00:00Z"),
        (0, "2026-03-02T00:00:01Z", "2026-03-03T00:00:00Z"),
        (1, "2026-03-01T23:59:59Z", "2026-03-03T00:00:00Z"),
        (1, "2026-03-02T00:00:01Z", "2026-03-04T00:00:00Z"),
        (30, "2026-03-01T23:59:59Z", "2026-04-01T00:00:00Z"),
        (30, "2026-03-02T00:00:01Z", "2026-04-02T00:00:00Z"),
    ];
    // 360,000 bytes (above the 128 KiB transition floor): byte-hours = 100 × seconds held.
    for (days, created, at) in cases {
        let r = run(
            vec![put("k", created, 360_000)],
            glacier_after(days),
            ReplayOptions::default(),
            "2026-03-01T00:00:00Z",
            "2026-06-01T00:00:00Z",
        );
        let std: Decimal = (3..=5)
            .map(|m| q(&r, (2026, m), &storage(StorageClass::Standard)))
            .sum();
        let held = ts(at).0 - ts(created).0;
        assert_eq!(
            std,
            Decimal::from(100 * held),
            "days {days} created {created}"
        );
        let glacier: Decimal = (3..=5)
            .map(|m| q(&r, (2026, m), &storage(StorageClass::Glacier)))
            .sum();
        assert_eq!(
            glacier,
            Decimal::from(100 * (ts("2026-06-01T00:00:00Z").0 - ts(at).0))
        );
        assert_eq!(r.stats.transitions["GLACIER"], 1);
    }
}

#[test]
fn expiration_before_the_minimum_duration_bills_the_remainder() {
    // In STANDARD_IA from Mar 31 00:00, expired Apr 15 00:00: 15 of 30 days held (§2.2).
    let cfg = r#"{"Rules":[{"ID":"ia-then-expire","Status":"Enabled","Filter":{},"Transitions":[{"Days":30,"StorageClass":"STANDARD_IA"}],"Expiration":{"Days":45}}]}"#;
    let r = run(
        vec![put("a", "2026-03-01T00:00:00Z", GIB)],
        lifecycle("x", cfg),
        ReplayOptions::default(),
        "2026-03-01T00:00:00Z",
        "2026-06-01T00:00:00Z",
    );
    assert_eq!(
        q(&r, (2026, 3), &storage(StorageClass::Standard)),
        gib_hours(30 * 24)
    );
    assert_eq!(
        q(&r, (2026, 3), &storage(StorageClass::StandardIa)),
        gib_hours(24)
    );
    assert_eq!(
        q(&r, (2026, 4), &storage(StorageClass::StandardIa)),
        gib_hours(14 * 24)
    );
    assert_eq!(
        q(&r, (2026, 4), &Meter::EarlyDelete(StorageClass::StandardIa)),
        gib_hours(15 * 24)
    );
    assert_eq!(
        q(&r, (2026, 5), &storage(StorageClass::StandardIa)),
        Decimal::ZERO
    );
    assert_eq!(r.stats.expirations, 1);
}

#[test]
fn same_day_expiration_beats_transition_and_cheaper_transition_wins() {
    let cfg = r#"{"Rules":[
        {"ID":"to-ia","Status":"Enabled","Filter":{},"Transitions":[{"Days":30,"StorageClass":"STANDARD_IA"}]},
        {"ID":"to-glacier","Status":"Enabled","Filter":{},"Transitions":[{"Days":30,"StorageClass":"GLACIER"}]}]}"#;
    let r = run(
        vec![put("a", "2026-03-01T12:00:00Z", GIB)],
        lifecycle("two", cfg),
        ReplayOptions::default(),
        "2026-03-01T00:00:00Z",
        "2026-05-01T00:00:00Z",
    );
    assert_eq!(r.stats.transitions.get("STANDARD_IA"), None);
    assert_eq!(
        r.stats.transitions["GLACIER"], 1,
        "Glacier Flexible wins over Standard-IA (§2.5)"
    );
    let cfg = r#"{"Rules":[{"ID":"both","Status":"Enabled","Filter":{},"Transitions":[{"Days":30,"StorageClass":"GLACIER"}],"Expiration":{"Days":30}}]}"#;
    let r = run(
        vec![put("a", "2026-03-01T12:00:00Z", GIB)],
        lifecycle("same", cfg),
        ReplayOptions::default(),
        "2026-03-01T00:00:00Z",
        "2026-05-01T00:00:00Z",
    );
    assert_eq!(
        (r.stats.transitions.get("GLACIER"), r.stats.expirations),
        (None, 1)
    );
}

#[test]
fn small_objects_do_not_transition_and_pay_the_minimum_size_in_ia() {
    // 6 KiB: below the 128 KiB transition floor (Sept 2024 default), so the rule skips it.
    let r = run(
        vec![put("s", "2026-03-01T00:00:00Z", 6 * KIB)],
        lifecycle("ia", IA_AT_30),
        ReplayOptions::default(),
        "2026-03-01T00:00:00Z",
        "2026-05-01T00:00:00Z",
    );
    assert!(r.stats.transitions.is_empty());
    // Written directly to STANDARD_IA: billed as 128 KiB (§2.3).
    let opts = ReplayOptions {
        default_class: StorageClass::StandardIa,
        ..Default::default()
    };
    let r = run(
        vec![put("s", "2026-03-01T00:00:00Z", 6 * KIB)],
        lifecycle("ia", IA_AT_30),
        opts,
        "2026-03-01T00:00:00Z",
        "2026-04-01T00:00:00Z",
    );
    assert_eq!(
        q(&r, (2026, 3), &storage(StorageClass::StandardIa)),
        Decimal::from(6 * KIB * 744)
    );
    assert_eq!(
        q(
            &r,
            (2026, 3),
            &Meter::SmallObjectPadding(StorageClass::StandardIa)
        ),
        Decimal::from(122 * KIB * 744)
    );
}

#[test]
fn reading_a_glacier_object_restores_it_with_a_temporary_standard_copy() {
    let obj = ObjectHistory {
        noncurrent: Box::default(),
        key: "cold/x".into(),
        initial: Some(Initial {
            created: ts("2025-01-01T00:00:00Z"),
            size: GIB,
            class: StorageClass::Glacier,
            it_tier: None,
        }),
        events: vec![
            Event {
                t: ts("2026-03-10T12:00:00Z"),
                kind: EventKind::Read {
                    bytes: GIB,
                    charged: true,
                },
            },
            // Within the copy's 7 days: no second restore.
            Event {
                t: ts("2026-03-12T12:00:00Z"),
                kind: EventKind::Read {
                    bytes: GIB,
                    charged: true,
                },
            },
        ],
    };
    let r = run(
        vec![obj],
        lifecycle("keep", IA_AT_30),
        ReplayOptions::default(),
        "2026-03-01T00:00:00Z",
        "2026-04-01T00:00:00Z",
    );
    let src = ArchiveSource::Glacier;
    assert_eq!(
        q(
            &r,
            (2026, 3),
            &Meter::RestoreRequests(src, RestoreTier::Standard)
        ),
        Decimal::ONE
    );
    assert_eq!(
        q(
            &r,
            (2026, 3),
            &Meter::RestoreBytes(src, RestoreTier::Standard)
        ),
        Decimal::from(GIB)
    );
    // Ready 5 h later (upper end of 3–5 h), kept 7 days at the STANDARD rate.
    assert_eq!(
        q(&r, (2026, 3), &Meter::RestoredCopy(src)),
        gib_hours(7 * 24)
    );
    assert_eq!(
        q(
            &r,
            (2026, 3),
            &Meter::Requests(StorageClass::Glacier, RequestTier::Tier2)
        ),
        Decimal::from(2)
    );
    // The archive keeps billing all month, with the 8 KiB + 32 KiB overhead.
    assert_eq!(
        q(&r, (2026, 3), &storage(StorageClass::Glacier)),
        gib_hours(744)
    );
    assert_eq!(
        q(
            &r,
            (2026, 3),
            &Meter::ArchiveOverhead(StorageTier::Class(StorageClass::Glacier))
        ),
        Decimal::from(32 * KIB * 744)
    );
    assert_eq!(
        q(
            &r,
            (2026, 3),
            &Meter::ArchiveOverheadStandard(StorageTier::Class(StorageClass::Glacier))
        ),
        Decimal::from(8 * KIB * 744)
    );
    assert_eq!((r.stats.restores, r.stats.restore_wait_hours), (1, 5));
}

#[test]
fn intelligent_tiering_moves_down_without_access_and_back_on_get() {
    let it = Policy {
        name: "it".into(),
        kind: PolicyKind::IntelligentTiering {
            archive_days: None,
            deep_archive_days: None,
        },
    };
    // 1 GiB written Mar 1 00:00, read May 10 00:00 (70 days later, in Infrequent).
    let mut o = put("d", "2026-03-01T00:00:00Z", GIB);
    o.events.push(Event {
        t: ts("2026-05-10T00:00:00Z"),
        kind: EventKind::Read {
            bytes: GIB,
            charged: true,
        },
    });
    let r = run(
        vec![o],
        it.clone(),
        ReplayOptions::default(),
        "2026-03-01T00:00:00Z",
        "2026-07-01T00:00:00Z",
    );
    let t = |x| Meter::Storage(StorageTier::It(x));
    // Frequent Mar 1–31 (30 d), Infrequent Mar 31 – May 10, Frequent again for 30 d, then IA.
    assert_eq!(q(&r, (2026, 3), &t(ItTier::Frequent)), gib_hours(30 * 24));
    assert_eq!(q(&r, (2026, 3), &t(ItTier::Infrequent)), gib_hours(24));
    assert_eq!(q(&r, (2026, 4), &t(ItTier::Infrequent)), gib_hours(720));
    // May: Infrequent until the read on the 10th (9 days), then Frequent (22 days).
    assert_eq!(q(&r, (2026, 5), &t(ItTier::Infrequent)), gib_hours(9 * 24));
    assert_eq!(q(&r, (2026, 5), &t(ItTier::Frequent)), gib_hours(22 * 24));
    // June: Frequent until Jun 9 (30 days after the read), then Infrequent.
    assert_eq!(q(&r, (2026, 6), &t(ItTier::Frequent)), gib_hours(8 * 24));
    assert_eq!(q(&r, (2026, 6), &t(ItTier::Infrequent)), gib_hours(22 * 24));
    assert_eq!(
        q(
            &r,
            (2026, 3),
            &Meter::Requests(StorageClass::IntelligentTiering, RequestTier::Tier1)
        ),
        Decimal::ONE
    );
    // Monitored every hour of the horizon (≥ 128 KiB).
    assert_eq!(
        q(&r, (2026, 4), &Meter::ItMonitoredObjectHours),
        Decimal::from(720)
    );
    // No transition charge for tier moves inside IT.
    assert!(r.stats.transitions.is_empty());
    // Under 128 KiB: never monitored, always Frequent (§2.3).
    let r = run(
        vec![put("tiny", "2026-03-01T00:00:00Z", 100 * KIB)],
        it,
        ReplayOptions::default(),
        "2026-03-01T00:00:00Z",
        "2026-07-01T00:00:00Z",
    );
    assert_eq!(
        q(&r, (2026, 6), &t(ItTier::Frequent)),
        Decimal::from(100 * KIB * 720)
    );
    assert_eq!(
        q(&r, (2026, 6), &Meter::ItMonitoredObjectHours),
        Decimal::ZERO
    );
}

#[test]
fn overwrite_and_delete_before_the_minimum_bill_the_remainder() {
    let opts = ReplayOptions {
        default_class: StorageClass::GlacierIr,
        ..Default::default()
    };
    let o = ObjectHistory {
        noncurrent: Box::default(),
        key: "g".into(),
        initial: None,
        events: vec![
            Event {
                t: ts("2026-03-01T00:00:00Z"),
                kind: EventKind::Write { size: GIB },
            },
            Event {
                t: ts("2026-03-11T00:00:00Z"),
                kind: EventKind::Write { size: 2 * GIB },
            }, // overwrite at day 10
            Event {
                t: ts("2026-03-21T00:00:00Z"),
                kind: EventKind::Delete { by_version: false },
            }, // delete at day 10
        ],
    };
    let r = run(
        vec![o],
        lifecycle("none", IA_AT_30),
        opts,
        "2026-03-01T00:00:00Z",
        "2026-04-01T00:00:00Z",
    );
    // 80 days remain of 90 for each version: 1 GiB and 2 GiB.
    assert_eq!(
        q(&r, (2026, 3), &Meter::EarlyDelete(StorageClass::GlacierIr)),
        gib_hours(80 * 24) * Decimal::from(3)
    );
    assert_eq!(
        q(&r, (2026, 3), &storage(StorageClass::GlacierIr)),
        gib_hours(10 * 24) * Decimal::from(3)
    );
    assert_eq!(
        q(
            &r,
            (2026, 3),
            &Meter::Requests(StorageClass::GlacierIr, RequestTier::Delete)
        ),
        Decimal::ONE
    );
}

#[test]
fn all_standard_ignores_classes_and_equals_estimate_of_the_same_usage() {
    let obj = ObjectHistory {
        noncurrent: Box::default(),
        key: "x".into(),
        initial: Some(Initial {
            created: ts("2025-06-01T00:00:00Z"),
            size: 10 * GIB,
            class: StorageClass::DeepArchive,
            it_tier: None,
        }),
        events: vec![Event {
            t: ts("2026-03-05T00:00:00Z"),
            kind: EventKind::Read {
                bytes: 10 * GIB,
                charged: true,
            },
        }],
    };
    let r = run(
        vec![obj],
        Policy {
            name: "std".into(),
            kind: PolicyKind::AllStandard,
        },
        ReplayOptions::default(),
        "2026-03-01T00:00:00Z",
        "2026-04-01T00:00:00Z",
    );
    assert_eq!(
        q(&r, (2026, 3), &storage(StorageClass::Standard)),
        gib_hours(744) * Decimal::from(10)
    );
    assert_eq!(r.stats.restores, 0);
    // 10 GB-Mo × $0.023 + one GET at $0.0004/1,000.
    assert_eq!(dollars(&r), Decimal::new(23, 2) + Decimal::new(4, 7));
}

mod props {
    use super::*;
    use costlab::sim::s3::policy::class_rank;
    use proptest::prelude::*;

    const CLASSES: [&str; 5] = [
        "STANDARD_IA",
        "ONEZONE_IA",
        "GLACIER_IR",
        "GLACIER",
        "DEEP_ARCHIVE",
    ];

    /// A random valid lifecycle configuration: transitions at increasing days to classes lower in
    /// the waterfall, optional expiration after them.
    fn config() -> impl Strategy<Value = String> {
        (prop::collection::vec((0usize..5, 0u32..200), 0..3), prop::option::of(1u32..400)).prop_map(|(ts, exp)| {
            let mut day = 0;
            let mut last_rank = 99;
            let mut trs = Vec::new();
            for (c, d) in ts {
                let class = CLASSES[c];
                let rank = class_rank(class.parse().unwrap());
                if rank >= last_rank {
                    continue;
                }
                day += d.max(if class.contains("IA") && !class.contains("GLACIER") { 30 } else { 1 }) + if trs.is_empty() { 0 } else { 30 };
                last_rank = rank;
                trs.push(format!(r#"{{"Days":{day},"StorageClass":"{class}"}}"#));
            }
            let exp = exp.map(|e| format!(r#","Expiration":{{"Days":{}}}"#, day + e)).unwrap_or_default();
            format!(r#"{{"Rules":[{{"ID":"p","Status":"Enabled","Filter":{{}},"Transitions":[{}]{exp}}}]}}"#, trs.join(","))
        })
    }

    /// A random history: a write, then reads, overwrites and maybe a delete.
    fn history() -> impl Strategy<Value = ObjectHistory> {
        (
            1u64..(1 << 34),
            0i64..(90 * 86_400),
            prop::collection::vec((0u8..4, 1i64..(40 * 86_400), 1u64..(1 << 33)), 0..6),
        )
            .prop_map(|(size, t0, evs)| {
                let base = ts("2026-01-01T00:00:00Z").0;
                let mut t = base + t0;
                let mut events = vec![Event {
                    t: Timestamp(t),
                    kind: EventKind::Write { size },
                }];
                for (k, dt, sz) in evs {
                    t += dt;
                    let kind = match k {
                        0 | 1 => EventKind::Read {
                            bytes: sz,
                            charged: true,
                        },
                        2 => EventKind::Write { size: sz },
                        _ => EventKind::Delete { by_version: false },
                    };
                    events.push(Event {
                        t: Timestamp(t),
                        kind,
                    });
                }
                ObjectHistory {
                    noncurrent: Box::default(),
                    key: "k".into(),
                    initial: None,
                    events,
                }
            })
    }

    /// Seconds × bytes the object exists within the horizon, from its events alone.
    fn expected_byte_seconds(
        h: &ObjectHistory,
        start: i64,
        end: i64,
        expire_at: Option<i64>,
    ) -> u128 {
        let mut total = 0u128;
        let mut live: Option<(i64, u64)> = None;
        let close = |from: i64, to: i64, size: u64| -> u128 {
            let (a, b) = (from.max(start), to.min(end));
            if a < b {
                size as u128 * (b - a) as u128
            } else {
                0
            }
        };
        for e in &h.events {
            match e.kind {
                EventKind::Write { size } => {
                    if let Some((t0, s)) = live {
                        total += close(t0, e.t.0, s);
                    }
                    live = Some((e.t.0, size));
                }
                EventKind::Delete { .. } => {
                    if let Some((t0, s)) = live.take() {
                        total += close(t0, e.t.0, s);
                    }
                }
                _ => {}
            }
        }
        if let Some((t0, s)) = live {
            total += close(t0, expire_at.unwrap_or(end).min(end), s);
        }
        total
    }

    fn data_meters(r: &PolicyRun) -> (Decimal, Decimal) {
        let mut data = Decimal::ZERO;
        let mut negative = Decimal::ZERO;
        for regions in r.usage.months.values() {
            for set in regions.values() {
                for (m, v) in set {
                    if matches!(m, Meter::Storage(_)) {
                        data += v;
                    }
                    negative = negative.min(*v);
                }
            }
        }
        (data, negative)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Policies only move bytes between classes: the byte-hours of object data across all
        /// classes equal size × lifetime (without expiration, which ends it early).
        #[test]
        fn bytes_are_conserved_across_classes(h in history(), cfg in config()) {
            let cfg_no_exp = cfg.replace(r#","Expiration":{"Days":"#, r#","X":{"Days":"#);
            let cfg_no_exp = if cfg_no_exp.contains(r#""X""#) { cfg_no_exp.split(r#","X""#).next().unwrap().to_string() + "}]}" } else { cfg_no_exp };
            let (start, end) = ("2026-02-01T00:00:00Z", "2026-08-01T00:00:00Z");
            for policy in [
                lifecycle("lc", &cfg_no_exp),
                Policy { name: "it".into(), kind: PolicyKind::IntelligentTiering { archive_days: Some(90), deep_archive_days: Some(180) } },
                Policy { name: "std".into(), kind: PolicyKind::AllStandard },
            ] {
                let r = run(vec![h.clone()], policy, ReplayOptions::default(), start, end);
                let (data, negative) = data_meters(&r);
                prop_assert!(negative >= Decimal::ZERO);
                let want = Decimal::from(expected_byte_seconds(&h, ts(start).0, ts(end).0, None)) / Decimal::from(3600);
                prop_assert!((data - want).abs() < Decimal::new(1, 6), "{} vs {}", data, want);
                let bill = rate(&r.usage, catalog(), &RateOptions::default()).unwrap();
                prop_assert!(bill.months.iter().flat_map(|m| &m.lines).all(|l| l.cost.usd() >= Decimal::ZERO));
            }
        }

        /// Lifecycle never moves an object up the waterfall, whatever the rules say.
        #[test]
        fn transitions_only_go_down(h in history(), cfg in config(), new_class in 0usize..6) {
            let classes = ["STANDARD", "STANDARD_IA", "ONEZONE_IA", "GLACIER_IR", "GLACIER", "INTELLIGENT_TIERING"];
            let opts = ReplayOptions { default_class: classes[new_class].parse().unwrap(), ..Default::default() };
            let r = run(vec![h], lifecycle("lc", &cfg), opts.clone(), "2026-01-01T00:00:00Z", "2027-06-01T00:00:00Z");
            let start_rank = class_rank(opts.default_class);
            for class in r.stats.transitions.keys() {
                let c: StorageClass = class.parse().unwrap();
                prop_assert!(costlab::sim::s3::policy::may_transition(opts.default_class, c) || class_rank(c) < start_rank,
                    "{} -> {}", opts.default_class, c);
            }
        }

        /// Objects are independent: simulating two shards of the objects and merging their usage
        /// gives exactly the usage of the whole.
        #[test]
        fn sharded_then_merged_equals_whole(hs in prop::collection::vec(history(), 1..8), cfg in config()) {
            let objects: Vec<ObjectHistory> = hs.into_iter().enumerate().map(|(i, mut h)| { h.key = format!("k{i}"); h }).collect();
            let (start, end) = ("2026-01-01T00:00:00Z", "2026-09-01T00:00:00Z");
            let whole = run(objects.clone(), lifecycle("lc", &cfg), ReplayOptions::default(), start, end);
            let (a, b): (Vec<_>, Vec<_>) = objects.into_iter().enumerate().partition(|(i, _)| i % 2 == 0);
            // Shards exchange integer meters; merged, they convert to exactly the whole's usage.
            let mut merged = run(a.into_iter().map(|x| x.1).collect(), lifecycle("lc", &cfg), ReplayOptions::default(), start, end).accum;
            merged.merge(&run(b.into_iter().map(|x| x.1).collect(), lifecycle("lc", &cfg), ReplayOptions::default(), start, end).accum);
            prop_assert_eq!(&merged, &whole.accum);
            let merged = merged.into_usage(&region(), Month::new(2026, 1).unwrap(), Month::new(2026, 8).unwrap());
            // Zero meters may exist on one side only; compare non-zero quantities.
            let nz = |u: &costlab::meter::Usage| -> Vec<(String, Decimal)> {
                u.months.iter().flat_map(|(m, rs)| rs.values().flat_map(move |s| s.iter().filter(|(_, v)| !v.is_zero()).map(move |(k, v)| (format!("{m} {k:?}"), *v)))).collect()
            };
            prop_assert_eq!(nz(&merged), nz(&whole.usage));
        }
    }
}

#[test]
fn list_requests_naming_a_key_are_billed_at_standard_tier1() {
    // ListParts (REST.GET.UPLOAD) names a key; §1.2 bills every LIST at STANDARD's tier-1 price,
    // even when the object lives in STANDARD_IA.
    let mut ev = Evidence::default();
    let line = |op: &str, t: &str| {
        format!(
            "o b [{t} +0000] 10.0.0.1 - RID {op} ia/x \"GET /b/ia/x?uploadId=1 HTTP/1.1\" 200 - 100 200000 1 1 \"-\" \"ua\" - H SigV4 C AuthHeader h TLSv1.2 - -"
        )
    };
    for (op, t) in [
        ("REST.PUT.OBJECT", "01/Mar/2026:00:00:00"),
        ("REST.GET.UPLOAD", "02/Mar/2026:00:00:00"),
    ] {
        ev.add_record(&costlab::trace::access_log::parse_line(&line(op, t)).unwrap());
    }
    let opts = ReplayOptions {
        default_class: StorageClass::StandardIa,
        ..Default::default()
    };
    let rules = catalog().home().rules.s3.clone();
    let r = simulate(
        &ev,
        &[lifecycle("none", IA_AT_30)],
        &opts,
        &rules,
        &region(),
        ts("2026-03-01T00:00:00Z"),
        ts("2026-04-01T00:00:00Z"),
    )
    .remove(0);
    assert_eq!(
        q(
            &r,
            (2026, 3),
            &Meter::Requests(StorageClass::Standard, RequestTier::Tier1)
        ),
        Decimal::ONE
    );
    assert_eq!(
        q(
            &r,
            (2026, 3),
            &Meter::Requests(StorageClass::StandardIa, RequestTier::Tier1)
        ),
        Decimal::ONE,
        "only the PUT"
    );
}
