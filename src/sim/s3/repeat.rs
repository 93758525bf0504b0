//! Repeating the observed week past the end of the log evidence (`[evidence] repeat =
//! "weekly"`): the last seven days of logs recur every seven days until the horizon ends.
//! Objects first seen in that week are created again each week (new objects, same keys and
//! history shifted), and activity on older objects recurs on them, so both the request volume
//! and the age profile of what is read carry on. Repeats are generated as each object is
//! replayed, never stored, so memory does not grow with the horizon.

use super::history::{Event, ObjectHistory};
use crate::units::Timestamp;
use crate::units::time::SECONDS_PER_DAY;

/// Seconds in a week.
pub const WEEK: i64 = 7 * SECONDS_PER_DAY;

/// The repeated week: `[from − 7 days, from)`, replayed again at `from`, `from + 7 days`, …
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WeeklyRepeat {
    /// The end of the evidence (exclusive): the midnight UTC after the last log record.
    pub from: Timestamp,
}

impl WeeklyRepeat {
    /// The repeat for logs whose records span `[first, last]`. Logs are taken to cover whole
    /// UTC days, so the evidence ends at the midnight after `last`; they must cover at least the
    /// seven days before it (a shorter window would repeat less than a week's activity).
    pub fn after_logs(first: Timestamp, last: Timestamp) -> Result<WeeklyRepeat, String> {
        let from = Timestamp(last.0 - last.0.rem_euclid(SECONDS_PER_DAY) + SECONDS_PER_DAY);
        let covered = from.0 - (first.0 - first.0.rem_euclid(SECONDS_PER_DAY));
        if covered < WEEK {
            return Err(format!(
                "repeating the weekly pattern needs at least 7 whole days of logs; they cover {} \
                 day(s), from {first} to {last}",
                covered / SECONDS_PER_DAY
            ));
        }
        Ok(WeeklyRepeat { from })
    }

    /// The first instant of the repeated week.
    pub fn window_start(&self) -> Timestamp {
        Timestamp(self.from.0 - WEEK)
    }

    fn in_window(&self, t: Timestamp) -> bool {
        t >= self.window_start() && t < self.from
    }

    /// Calls `f` with every instance of `obj` over the horizon ending at `end`:
    /// - an object that existed before the window (in the inventory, or seen earlier in the
    ///   logs): itself, its window's events (reads, requests, overwrites, deletes) recurring on
    ///   it every week;
    /// - an object first seen in the window: itself, then a new object with the same key and
    ///   the same history shifted by one week, two weeks… while it starts before `end` (the
    ///   week's new objects are created again, so the population keeps its age profile).
    ///
    /// Without a repeat, or with no events in the window, `f` sees `obj` alone.
    pub fn for_each_instance(
        repeat: Option<WeeklyRepeat>,
        obj: &ObjectHistory,
        end: Timestamp,
        mut f: impl FnMut(&ObjectHistory),
    ) {
        let Some(r) = repeat else {
            return f(obj);
        };
        let lo = obj.events.partition_point(|e| e.t < r.window_start());
        let window = &obj.events[lo..];
        let Some(first) = window.first() else {
            return f(obj);
        };
        if first.t.0 + WEEK >= end.0 {
            return f(obj);
        }
        let born_in_window = lo == 0 && obj.initial.is_none() && obj.noncurrent.is_empty();
        let mut inst = obj.clone();
        if born_in_window {
            f(obj);
            let mut shift = WEEK;
            while first.t.0 + shift < end.0 {
                for (e, orig) in inst.events.iter_mut().zip(window) {
                    e.t = Timestamp(orig.t.0 + shift);
                }
                // Events past the end stay past it in later weeks: truncating is for good.
                let keep = inst.events.partition_point(|e| e.t < end);
                inst.events.truncate(keep);
                f(&inst);
                shift += WEEK;
            }
        } else {
            let mut shift = WEEK;
            while first.t.0 + shift < end.0 {
                inst.events.extend(
                    window
                        .iter()
                        .map(|e| Event {
                            t: Timestamp(e.t.0 + shift),
                            kind: e.kind,
                        })
                        .take_while(|e| e.t < end),
                );
                shift += WEEK;
            }
            f(&inst);
        }
    }

    /// Bucket-level request times in the window, repeated every week from `from` while before
    /// `end`, appended to `times` (in any order: only counts per month are billed).
    pub fn extend_times(&self, times: &mut Vec<Timestamp>, end: Timestamp) {
        let window: Vec<Timestamp> = times
            .iter()
            .copied()
            .filter(|t| self.in_window(*t))
            .collect();
        let Some(earliest) = window.iter().min().copied() else {
            return;
        };
        let mut shift = WEEK;
        while earliest.0 + shift < end.0 {
            times.extend(
                window
                    .iter()
                    .map(|t| Timestamp(t.0 + shift))
                    .filter(|t| *t < end),
            );
            shift += WEEK;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::StorageClass;
    use crate::sim::s3::history::{EventKind, Initial};

    fn t(s: &str) -> Timestamp {
        Timestamp::parse_rfc3339(s).unwrap()
    }

    fn ev(s: &str, kind: EventKind) -> Event {
        Event { t: t(s), kind }
    }

    const READ: EventKind = EventKind::Read {
        bytes: 10,
        charged: true,
    };

    fn obj(initial: bool, events: Vec<Event>) -> ObjectHistory {
        ObjectHistory {
            key: "k".into(),
            initial: initial.then_some(Initial {
                created: t("2026-01-01T00:00:00Z"),
                size: 5,
                class: StorageClass::Standard,
                it_tier: None,
            }),
            noncurrent: Box::default(),
            events,
        }
    }

    fn instances(r: Option<WeeklyRepeat>, o: &ObjectHistory, end: &str) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        WeeklyRepeat::for_each_instance(r, o, t(end), |i| {
            out.push(i.events.iter().map(|e| e.t.to_string()).collect())
        });
        out
    }

    #[test]
    fn the_evidence_ends_at_the_midnight_after_the_last_record() {
        let r =
            WeeklyRepeat::after_logs(t("2026-03-01T00:00:00Z"), t("2026-03-07T23:59:59Z")).unwrap();
        assert_eq!(r.from, t("2026-03-08T00:00:00Z"));
        assert_eq!(r.window_start(), t("2026-03-01T00:00:00Z"));
        // A record at midnight belongs to the day it starts.
        let r =
            WeeklyRepeat::after_logs(t("2026-03-01T10:00:00Z"), t("2026-03-08T00:00:00Z")).unwrap();
        assert_eq!(r.from, t("2026-03-09T00:00:00Z"));
        // Six whole days are not a week.
        let e = WeeklyRepeat::after_logs(t("2026-03-02T00:00:01Z"), t("2026-03-07T23:00:00Z"))
            .unwrap_err();
        assert!(e.contains("they cover 6 day(s)"), "{e}");
    }

    #[test]
    fn an_older_objects_window_events_recur_on_it_until_the_end() {
        let r = Some(WeeklyRepeat {
            from: t("2026-03-08T00:00:00Z"),
        });
        let o = obj(
            true,
            vec![
                ev("2026-02-28T12:00:00Z", READ), // before the window: not repeated
                ev("2026-03-02T00:00:00Z", EventKind::Write { size: 5 }),
                ev("2026-03-07T23:59:59Z", EventKind::Request { tier1: false }),
            ],
        );
        assert_eq!(
            instances(r, &o, "2026-03-21T00:00:00Z"),
            [[
                "2026-02-28T12:00:00Z",
                "2026-03-02T00:00:00Z",
                "2026-03-07T23:59:59Z",
                "2026-03-09T00:00:00Z",
                "2026-03-14T23:59:59Z",
                "2026-03-16T00:00:00Z",
                // 2026-03-21T23:59:59Z is past the end
            ]]
        );
        // Without a repeat, or with nothing in the window, the object is as given.
        assert_eq!(instances(None, &o, "2026-03-21T00:00:00Z")[0].len(), 3);
        assert_eq!(
            instances(
                r,
                &obj(true, o.events[..1].to_vec()),
                "2026-03-21T00:00:00Z"
            ),
            [["2026-02-28T12:00:00Z"]]
        );
    }

    #[test]
    fn an_object_born_in_the_window_is_born_again_every_week() {
        let r = Some(WeeklyRepeat {
            from: t("2026-03-08T00:00:00Z"),
        });
        let o = obj(
            false,
            vec![
                ev("2026-03-06T00:00:00Z", EventKind::Write { size: 5 }),
                ev("2026-03-07T00:00:00Z", READ),
                ev(
                    "2026-03-07T12:00:00Z",
                    EventKind::Delete { by_version: false },
                ),
            ],
        );
        assert_eq!(
            instances(r, &o, "2026-03-21T06:00:00Z"),
            vec![
                vec![
                    "2026-03-06T00:00:00Z",
                    "2026-03-07T00:00:00Z",
                    "2026-03-07T12:00:00Z"
                ],
                vec![
                    "2026-03-13T00:00:00Z",
                    "2026-03-14T00:00:00Z",
                    "2026-03-14T12:00:00Z"
                ],
                // The last copy is cut at the end of the horizon.
                vec!["2026-03-20T00:00:00Z", "2026-03-21T00:00:00Z"],
            ]
        );
        // The same object with an inventory row is older than the window: it recurs on itself.
        let older = obj(true, o.events.clone());
        assert_eq!(instances(r, &older, "2026-03-21T06:00:00Z").len(), 1);
    }

    #[test]
    fn bucket_requests_recur_weekly_until_the_end() {
        let r = WeeklyRepeat {
            from: t("2026-03-08T00:00:00Z"),
        };
        let mut times = vec![t("2026-02-01T00:00:00Z"), t("2026-03-07T00:00:00Z")];
        r.extend_times(&mut times, t("2026-03-21T00:00:00Z"));
        let got: Vec<String> = times.iter().map(|t| t.to_string()).collect();
        assert_eq!(
            got,
            [
                "2026-02-01T00:00:00Z",
                "2026-03-07T00:00:00Z",
                "2026-03-14T00:00:00Z"
            ]
        );
    }
}
