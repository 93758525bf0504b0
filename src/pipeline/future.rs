//! The model of the future, chosen and (for the age profile) measured once the logs are read
//! and before anything is replayed: the scenario's `[evidence] future`, else the age profile
//! when the horizon runs past the evidence. The profile is measured over every object whose age
//! the evidence knows: the inventory's objects (joined with their log events, left in place)
//! and the objects the logs created, partition by partition when the evidence is on disk.

use super::Options;
use super::error::{PipelineError, input, output};
use crate::report::model::{FutureRecord, ProfilePrefix};
use crate::scenario::Scenario;
use crate::sim::s3::spill::{Partitioned, load_copy};
use crate::sim::s3::{
    Evidence, Future, FutureModel, Initial, ObjectHistory, ProfileBuilder, WeeklyRepeat,
};
use crate::trace::inventory::{Column, Mode, read_inventory};
use crate::units::Timestamp;
use crate::units::time::SECONDS_PER_DAY;
use std::collections::HashSet;
use std::sync::Arc;

/// Chooses the future for `sc` (given the evidence read so far), sets `sc.options.future`
/// (repeating the bucket-level requests where the model repeats the last week) and says what
/// it assumed.
pub(crate) fn choose(
    sc: &mut Scenario,
    o: &Options<'_>,
    ev: &mut Evidence,
    parted: Option<&Partitioned>,
) -> Result<FutureRecord, PipelineError> {
    let ends = ev
        .log_span
        .map(|(_, last)| Timestamp(last.0 - last.0.rem_euclid(SECONDS_PER_DAY) + SECONDS_PER_DAY));
    let applies = ends.is_some_and(|e| sc.end > e);
    let model = sc.future.unwrap_or(if applies {
        FutureModel::AgeProfile
    } else {
        FutureModel::Silent
    });
    let mut record = FutureRecord {
        model: model.as_str().to_string(),
        assumes: model.describe().to_string(),
        evidence_ends: ends.map(day),
        applies,
        prefixes: Vec::new(),
        notes: Vec::new(),
        sensitivity: None,
    };
    if ends.is_none() && sc.inventory.is_some() && model != FutureModel::Silent {
        record.notes.push(
            "there are no access logs: nothing in the evidence says how objects are read, so \
             nothing is read during the horizon"
                .into(),
        );
    }
    sc.options.future = match model {
        FutureModel::Silent => Future::Silent,
        FutureModel::RepeatWeekly => {
            let r = ev.repeat_weekly(sc.end).map_err(|e| {
                input(format!(
                    "[evidence] future = \"repeat-weekly\" (or repeat = \"weekly\"): {e}"
                ))
            })?;
            Future::Weekly(r)
        }
        FutureModel::AgeProfile => match ends {
            None => Future::Silent,
            Some(from) => {
                let arrivals = match ev.repeat_weekly(sc.end) {
                    Ok(r) => Some(r),
                    Err(e) => {
                        record
                            .notes
                            .push(format!("no new objects arrive past the evidence: {e}"));
                        None
                    }
                };
                if ev.shard.is_some() && applies {
                    return Err(input(
                        "a shard cannot measure the age profile (it holds only its own keys): \
                         run the scenario whole, or choose `future = \"repeat-weekly\"` or \
                         \"silent\" for sharded runs"
                            .to_string(),
                    ));
                }
                let profile = measure(sc, o, ev, parted, from, arrivals)?;
                record.prefixes = summarize(&profile);
                Future::Profile(Arc::new(profile))
            }
        },
    };
    Ok(record)
}

/// `YYYY-MM-DD` of a timestamp.
fn day(t: Timestamp) -> String {
    let s = t.to_string();
    s.get(..10).unwrap_or(&s).to_string()
}

/// The prefix depth profiles are measured at: the optimizer's groups when it has them.
fn depth(sc: &Scenario) -> usize {
    sc.optimize
        .lifecycle
        .as_ref()
        .map_or(1, |l| l.group_depth.max(1))
}

/// Measures the age profile over the logs' window, ending at `from`.
fn measure(
    sc: &Scenario,
    o: &Options<'_>,
    ev: &Evidence,
    parted: Option<&Partitioned>,
    from: Timestamp,
    arrivals: Option<WeeklyRepeat>,
) -> Result<crate::sim::s3::AgeProfile, PipelineError> {
    let lo = ev.log_span.map_or(from, |(first, _)| {
        Timestamp(first.0 - first.0.rem_euclid(SECONDS_PER_DAY))
    });
    let mut b = ProfileBuilder::new(lo, from, depth(sc));
    let pb = o.observer.progress(
        "measuring access by object age",
        None,
        super::observe::Unit::Items,
    );
    // Inventory objects, with their log events (left in place for the replay). Keys whose
    // events are on disk are joined partition by partition below.
    let mut joined: HashSet<u32> = HashSet::new();
    let mut waiting: Vec<ObjectHistory> = Vec::new();
    if let Some(m) = &sc.inventory {
        let mode = if o.reading.strict {
            Mode::Strict
        } else {
            Mode::Lenient
        };
        let reader = read_inventory(m, mode).map_err(input)?.only(&[
            Column::IsLatest,
            Column::IsDeleteMarker,
            Column::Size,
            Column::LastModifiedDate,
        ]);
        for rec in reader {
            let rec = rec.map_err(input)?;
            pb.inc(1);
            let (Some(created), Some(size)) = (rec.last_modified, rec.size) else {
                continue;
            };
            if !rec.is_latest || rec.is_delete_marker || !ev.in_shard(&rec.key) {
                continue;
            }
            let mut obj = ObjectHistory {
                key: rec.key,
                initial: Some(Initial {
                    created,
                    size,
                    class: rec
                        .storage_class
                        .unwrap_or(crate::aws::StorageClass::Standard),
                    it_tier: None,
                }),
                noncurrent: Box::default(),
                events: Vec::new(),
            };
            match ev.peek_events(&obj.key) {
                Some((slot, events)) => {
                    joined.insert(slot);
                    obj.events = events;
                    b.add(&obj);
                }
                None if parted.is_some_and(|p| p.seen.may_have(&obj.key)) => waiting.push(obj),
                None => b.add(&obj),
            }
        }
    }
    // Objects the logs created (an object first seen by a read tells nothing about ages).
    for (slot, obj) in ev.objects_with_slots() {
        if !joined.contains(&slot) {
            b.add(&obj);
        }
        pb.inc(1);
    }
    // Evidence on disk: each partition read (and left) once, joined with the inventory
    // objects whose keys may be in it.
    if let Some(p) = parted {
        for file in &p.files {
            let mut part = load_copy(file).map_err(output)?;
            let range = file.range();
            for mut obj in waiting
                .iter()
                .filter(|o| range.contains_key(&o.key))
                .cloned()
            {
                obj.events = part.take_events(&obj.key);
                b.add(&obj);
            }
            for obj in part.objects() {
                b.add(&obj);
                pb.inc(1);
            }
        }
    }
    Ok(b.finish(from, arrivals, sc.seed))
}

/// The report's view of a profile, prefix by prefix.
fn summarize(p: &crate::sim::s3::AgeProfile) -> Vec<ProfilePrefix> {
    use crate::sim::s3::future::AGE_BANDS_DAYS;
    let at = |pp: &crate::sim::s3::future::PrefixProfile, days: u32| {
        let b = AGE_BANDS_DAYS.iter().rposition(|d| *d <= days).unwrap_or(0);
        pp.rates.get(b).copied().unwrap_or_default()
    };
    p.prefixes
        .iter()
        .filter(|(_, pp)| pp.bands.iter().any(|b| b.exposure_days > 0.0))
        .map(|(prefix, pp)| {
            // The first week's mean reads per day, weighting the bands by their days.
            let week: f64 = (0..7).map(|d| at(pp, d).reads).sum::<f64>() / 7.0;
            // Survival over a year from the daily delete rates.
            let mut alive = 1.0f64;
            for d in 0..365 {
                alive *= (-at(pp, d).deletes).exp();
            }
            let r3 = |x: f64| (x * 1000.0).round() / 1000.0;
            ProfilePrefix {
                prefix: if prefix.is_empty() {
                    "(top level)".into()
                } else {
                    prefix.clone()
                },
                reads_per_day_first_week: r3(week),
                reads_per_day_after_90_days: r3(at(pp, 90).reads),
                deleted_within_a_year: r3(1.0 - alive),
                oldest_observed_days: pp.oldest_observed_days,
            }
        })
        .collect()
}
