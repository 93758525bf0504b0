//! Versioned buckets: noncurrent versions billed in their class, delete markers, the
//! noncurrent-version actions (NoncurrentDays from the successor's creation, rounded to the
//! next midnight UTC; NewerNoncurrentVersions), ExpiredObjectDeleteMarker, and the expiration
//! of a current version adding a marker. Hand-computed meters.

use super::*;

fn versioned() -> ReplayOptions {
    ReplayOptions {
        versioning: true,
        ..Default::default()
    }
}

fn write(t: &str, size: u64) -> Event {
    Event {
        t: ts(t),
        kind: EventKind::Write { size },
    }
}

fn delete(t: &str, by_version: bool) -> Event {
    Event {
        t: ts(t),
        kind: EventKind::Delete { by_version },
    }
}

fn object(key: &str, events: Vec<Event>) -> ObjectHistory {
    ObjectHistory {
        noncurrent: Box::default(),
        key: key.into(),
        initial: None,
        events,
    }
}

const MARCH: (&str, &str) = ("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z");

#[test]
fn an_overwrite_keeps_the_old_version_billed_until_the_horizon() {
    let o = object(
        "k",
        vec![
            write("2026-03-01T00:00:00Z", GIB),
            write("2026-03-11T00:00:00Z", 2 * GIB),
        ],
    );
    let std = storage(StorageClass::Standard);
    let on = run(
        vec![o.clone()],
        lifecycle("none", IA_AT_30),
        versioned(),
        MARCH.0,
        MARCH.1,
    );
    // 1 GiB all month (current, then noncurrent) + 2 GiB for 21 days.
    assert_eq!(
        q(&on, (2026, 3), &std),
        gib_hours(744) + gib_hours(504) * Decimal::TWO
    );
    let march = Month::new(2026, 3).unwrap();
    assert_eq!(
        on.stats.noncurrent_bytes_at_month_end()[&march],
        GIB as u128
    );
    assert_eq!(
        on.stats.bytes_at_month_end()[&march]["STANDARD"],
        3 * GIB as u128
    );
    assert_eq!(on.stats.delete_markers, 0);
    // Unversioned, the overwrite ends the first version.
    let off = run(
        vec![o],
        lifecycle("none", IA_AT_30),
        ReplayOptions::default(),
        MARCH.0,
        MARCH.1,
    );
    assert_eq!(
        q(&off, (2026, 3), &std),
        gib_hours(240) + gib_hours(504) * Decimal::TWO
    );
    assert!(off.stats.noncurrent_bytes_at_month_end().is_empty());
}

#[test]
fn noncurrent_expiration_counts_from_the_successor_and_bills_the_minimum_remainder() {
    // Written to STANDARD_IA on Mar 1 00:00, overwritten Mar 5 10:00. NoncurrentDays 1:
    // Mar 6 10:00 rounds up to Mar 7 00:00, after 6 days in STANDARD_IA: 24 of the 30 remain.
    let opts = ReplayOptions {
        default_class: StorageClass::StandardIa,
        versioning: true,
        ..Default::default()
    };
    let o = object(
        "ia/x",
        vec![
            write("2026-03-01T00:00:00Z", GIB),
            write("2026-03-05T10:00:00Z", GIB),
        ],
    );
    let r = run(
        vec![o],
        lifecycle(
            "nc1",
            r#"{"Rules":[{"ID":"nc","Status":"Enabled","Filter":{},"NoncurrentVersionExpiration":{"NoncurrentDays":1}}]}"#,
        ),
        opts,
        MARCH.0,
        MARCH.1,
    );
    let ia = storage(StorageClass::StandardIa);
    // First version 6 days (144 h); the second from Mar 5 10:00 (638 h).
    assert_eq!(q(&r, (2026, 3), &ia), gib_hours(144 + 638));
    assert_eq!(
        q(&r, (2026, 3), &Meter::EarlyDelete(StorageClass::StandardIa)),
        gib_hours(24 * 24)
    );
    assert_eq!(r.stats.noncurrent_expirations, 1);
    assert_eq!(r.stats.expirations, 0);
}

#[test]
fn newer_noncurrent_versions_keeps_the_newest_ones() {
    // Four 1 GiB versions, written at 10:00 on Mar 1..4. Keep 2 newer noncurrent versions,
    // expire the rest 1 day after they became noncurrent.
    let o = object(
        "k",
        (1..=4)
            .map(|d| write(&format!("2026-03-0{d}T10:00:00Z"), GIB))
            .collect(),
    );
    let r = run(
        vec![o],
        lifecycle(
            "keep2",
            r#"{"Rules":[{"ID":"k2","Status":"Enabled","Filter":{},"NoncurrentVersionExpiration":{"NoncurrentDays":1,"NewerNoncurrentVersions":2}}]}"#,
        ),
        versioned(),
        MARCH.0,
        MARCH.1,
    );
    // v1 is noncurrent from Mar 2 10:00 (1 day: Mar 4 00:00) and has 2 newer noncurrent
    // versions from Mar 4 10:00 (v3 superseded): it goes at the next run, Mar 5 00:00 (86 h).
    // v2 has only one newer noncurrent version (v3; v4 is current): kept.
    let hours = 86 + (744 - 24 - 10) + (744 - 48 - 10) + (744 - 72 - 10);
    assert_eq!(
        q(&r, (2026, 3), &storage(StorageClass::Standard)),
        gib_hours(hours)
    );
    assert_eq!(r.stats.noncurrent_expirations, 1);
    let march = Month::new(2026, 3).unwrap();
    assert_eq!(
        r.stats.noncurrent_bytes_at_month_end()[&march],
        2 * GIB as u128
    );
}

#[test]
fn a_delete_adds_a_marker_billed_at_the_key_length_and_rules_clean_both_up() {
    // 1 GiB written Mar 1 00:00, deleted Mar 10 12:00 (a marker becomes current). Noncurrent
    // expiration after 5 days: Mar 15 12:00 rounds to Mar 16 00:00. The marker is then the
    // only version: ExpiredObjectDeleteMarker removes it at the next run, Mar 17 00:00.
    let key = "logs/2026/03/01/part-0000.parquet"; // 33 bytes
    let o = object(
        key,
        vec![
            write("2026-03-01T00:00:00Z", GIB),
            delete("2026-03-10T12:00:00Z", false),
        ],
    );
    let rules = r#"{"Rules":[
        {"ID":"nc","Status":"Enabled","Filter":{},"NoncurrentVersionExpiration":{"NoncurrentDays":5}},
        {"ID":"dm","Status":"Enabled","Filter":{},"Expiration":{"ExpiredObjectDeleteMarker":true}}]}"#;
    let r = run(
        vec![o],
        lifecycle("clean", rules),
        versioned(),
        MARCH.0,
        MARCH.1,
    );
    let data_hours = 15 * 24;
    let marker_hours = 24 * 6 + 12; // Mar 10 12:00 → Mar 17 00:00
    assert_eq!(
        q(&r, (2026, 3), &storage(StorageClass::Standard)),
        gib_hours(data_hours) + Decimal::from(key.len() as u64 * marker_hours)
    );
    assert_eq!(r.stats.delete_markers, 1);
    assert_eq!(r.stats.noncurrent_expirations, 1);
    assert!(r.stats.noncurrent_bytes_at_month_end().is_empty());
    // The DELETE request is billed (at $0), once.
    assert_eq!(
        q(
            &r,
            (2026, 3),
            &Meter::Requests(StorageClass::Standard, RequestTier::Delete)
        ),
        Decimal::ONE
    );
    // Without the marker rule the marker stays to the end of the month.
    let keep = r#"{"Rules":[{"ID":"nc","Status":"Enabled","Filter":{},"NoncurrentVersionExpiration":{"NoncurrentDays":5}}]}"#;
    let o = object(
        key,
        vec![
            write("2026-03-01T00:00:00Z", GIB),
            delete("2026-03-10T12:00:00Z", false),
        ],
    );
    let r = run(
        vec![o],
        lifecycle("keep", keep),
        versioned(),
        MARCH.0,
        MARCH.1,
    );
    assert_eq!(
        q(&r, (2026, 3), &storage(StorageClass::Standard)),
        gib_hours(data_hours) + Decimal::from(key.len() as u64 * (24 * 21 + 12))
    );
}

#[test]
fn expiring_a_current_version_leaves_it_noncurrent_for_the_noncurrent_rules() {
    // Created Mar 1 10:00; Expiration 10 days → Mar 12 00:00: a marker becomes current and
    // the data is noncurrent from then. NoncurrentVersionTransition to GLACIER 30 days later:
    // Apr 11 00:00.
    let rules = r#"{"Rules":[{"ID":"e","Status":"Enabled","Filter":{},
        "Expiration":{"Days":10},
        "NoncurrentVersionTransitions":[{"NoncurrentDays":30,"StorageClass":"GLACIER"}]}]}"#;
    let o = object("k", vec![write("2026-03-01T10:00:00Z", GIB)]);
    let r = run(
        vec![o],
        lifecycle("exp", rules),
        versioned(),
        MARCH.0,
        "2026-05-01T00:00:00Z",
    );
    let std = storage(StorageClass::Standard);
    // March: the data from 10:00 on the 1st (734 h) and the 1-byte marker from the 12th (480 h).
    assert_eq!(q(&r, (2026, 3), &std), gib_hours(734) + Decimal::from(480));
    // April: data in STANDARD for 10 days, then GLACIER; the marker all month.
    assert_eq!(q(&r, (2026, 4), &std), gib_hours(240) + Decimal::from(720));
    assert_eq!(
        q(&r, (2026, 4), &storage(StorageClass::Glacier)),
        gib_hours(480)
    );
    assert_eq!(
        q(&r, (2026, 4), &Meter::Transitions(StorageClass::Glacier)),
        Decimal::ONE
    );
    assert_eq!((r.stats.expirations, r.stats.delete_markers), (1, 1));
    // No early-deletion charge: nothing left STANDARD before a minimum, and no data was deleted.
    assert_eq!(r.stats.early_delete_byte_seconds, 0);
    // Unversioned, the same rule deletes the data on Mar 12.
    let o = object("k", vec![write("2026-03-01T10:00:00Z", GIB)]);
    let off = run(
        vec![o],
        lifecycle("exp", rules),
        ReplayOptions::default(),
        MARCH.0,
        "2026-05-01T00:00:00Z",
    );
    assert_eq!(q(&off, (2026, 3), &std), gib_hours(254));
    assert_eq!(q(&off, (2026, 4), &std), Decimal::ZERO);
}

#[test]
fn a_delete_by_version_id_is_billed_but_changes_nothing() {
    let o = object(
        "k",
        vec![
            write("2026-03-01T00:00:00Z", GIB),
            delete("2026-03-02T00:00:00Z", true),
        ],
    );
    let r = run(
        vec![o],
        lifecycle("none", IA_AT_30),
        versioned(),
        MARCH.0,
        MARCH.1,
    );
    // The version stays current: IA_AT_30 still moves it on Mar 31.
    assert_eq!(
        q(&r, (2026, 3), &storage(StorageClass::Standard)),
        gib_hours(720)
    );
    assert_eq!(
        q(&r, (2026, 3), &storage(StorageClass::StandardIa)),
        gib_hours(24)
    );
    assert_eq!(r.stats.version_deletes_unmodelled, 1);
    assert_eq!(r.stats.delete_markers, 0);
}

#[test]
fn reads_after_a_delete_marker_find_no_object() {
    // A GET after the marker is a 404: billed at STANDARD's GET price, no IA retrieval.
    let opts = ReplayOptions {
        default_class: StorageClass::StandardIa,
        versioning: true,
        ..Default::default()
    };
    let o = object(
        "k",
        vec![
            write("2026-03-01T00:00:00Z", GIB),
            delete("2026-03-02T00:00:00Z", false),
            Event {
                t: ts("2026-03-03T00:00:00Z"),
                kind: EventKind::Read {
                    bytes: GIB,
                    charged: true,
                },
            },
        ],
    );
    let r = run(vec![o], lifecycle("none", IA_AT_30), opts, MARCH.0, MARCH.1);
    assert_eq!(
        q(&r, (2026, 3), &Meter::Retrieval(StorageClass::StandardIa)),
        Decimal::ZERO
    );
    assert_eq!(
        q(
            &r,
            (2026, 3),
            &Meter::Requests(StorageClass::Standard, RequestTier::Tier2)
        ),
        Decimal::ONE
    );
    // The noncurrent data is still billed in STANDARD_IA all month.
    assert_eq!(
        q(&r, (2026, 3), &storage(StorageClass::StandardIa)),
        gib_hours(744)
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Writes (Some(size)) and simple DELETEs (None) at increasing times from Mar 1.
    fn history() -> impl Strategy<Value = Vec<(i64, Option<u64>)>> {
        prop::collection::vec(
            (1i64..20 * 86_400, prop::option::weighted(0.7, 1u64..GIB)),
            1..12,
        )
        .prop_map(|steps| {
            let mut t = ts("2026-03-01T00:00:00Z").0;
            steps
                .into_iter()
                .map(|(dt, w)| {
                    t += dt;
                    (t, w)
                })
                .collect()
        })
    }

    fn events(h: &[(i64, Option<u64>)]) -> Vec<Event> {
        h.iter()
            .map(|(t, w)| Event {
                t: Timestamp(*t),
                kind: match w {
                    Some(size) => EventKind::Write { size: *size },
                    None => EventKind::Delete { by_version: false },
                },
            })
            .collect()
    }

    /// The oracle: every version (data or marker; a marker weighs the key's 1 byte) lives from
    /// its creation until `days` after its successor appeared, rounded up to midnight UTC, or
    /// to the end of the horizon when it has no successor or `days` is None.
    fn byte_seconds(h: &[(i64, Option<u64>)], days: Option<i64>, end: i64) -> u128 {
        let day = 86_400;
        h.iter()
            .take_while(|(t, _)| *t < end) // the replay stops at the horizon
            .enumerate()
            .map(|(i, (t, w))| {
                let size = w.unwrap_or(1) as u128;
                let gone = match (h.get(i + 1), days) {
                    (Some((next, _)), Some(d)) => (next + d * day + day - 1) / day * day,
                    _ => end,
                };
                size * (gone.min(end) - t) as u128
            })
            .sum()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// Versioned, STANDARD only: storage equals the sum over versions of their lives, with
        /// and without a NoncurrentVersionExpiration, and nothing is billed early.
        #[test]
        fn every_version_is_billed_from_its_write_to_its_removal(
            h in history(),
            days in prop::option::of(1i64..40),
        ) {
            let end = ts("2026-06-01T00:00:00Z");
            let policy = match days {
                Some(d) => lifecycle("nc", &format!(
                    r#"{{"Rules":[{{"ID":"nc","Status":"Enabled","Filter":{{}},"NoncurrentVersionExpiration":{{"NoncurrentDays":{d}}}}}]}}"#
                )),
                None => Policy { name: "std".into(), kind: PolicyKind::AllStandard },
            };
            let r = run(
                vec![object("k", events(&h))],
                policy,
                versioned(),
                "2026-03-01T00:00:00Z",
                "2026-06-01T00:00:00Z",
            );
            let total: u128 = r
                .accum
                .byte_seconds()
                .iter()
                .filter(|((_, m), _)| *m == storage(StorageClass::Standard))
                .map(|(_, v)| *v)
                .sum();
            prop_assert_eq!(total, byte_seconds(&h, days, end.0));
            prop_assert_eq!(r.stats.early_delete_byte_seconds, 0);
            let deletes = h.iter().filter(|(t, w)| w.is_none() && *t < end.0).count() as u64;
            prop_assert_eq!(r.stats.delete_markers, deletes);
        }
    }
}
