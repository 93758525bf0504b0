//! Per-policy replay statistics: bytes by class at each month end, transitions, expirations,
//! early-deletion byte-seconds, restores and their waits, reads by class and by age, and the
//! versioned-bucket counters. Integer and additive, so shards merge to the whole.

use super::timeline::{Span, Timeline};
use crate::aws::{StorageClass, StorageTier};
use crate::units::Month;
use std::collections::BTreeMap;

/// Lower bounds (days since the version was written) of the object-age bands reads are counted in.
pub const AGE_BANDS_DAYS: [u32; 6] = [0, 7, 30, 90, 180, 365];

/// Per-policy statistics (summed over objects).
#[derive(Clone, Debug, Default)]
pub struct Stats {
    /// Versions held, per (tier, noncurrent), as intervals: their level at each month's last
    /// second is the month-end snapshot (`bytes_at_month_end`).
    held: Timeline<(StorageTier, bool)>,
    /// Month-end snapshots taken as they are (shard files): by tier label, and noncurrent.
    settled_month_end: BTreeMap<Month, BTreeMap<String, u128>>,
    settled_noncurrent: BTreeMap<Month, u128>,
    pub transitions: BTreeMap<String, u64>,
    pub expirations: u64,
    /// Early-deletion remainder, byte-seconds.
    pub early_delete_byte_seconds: u128,
    pub restores: u64,
    pub restore_wait_hours: u64,
    pub max_restore_wait_hours: u64,
    pub reads_by_class: BTreeMap<String, u64>,
    /// Reads the evidence shows that found no data under the policy (an expiration had removed
    /// it, or the evidence holds no version yet).
    pub reads_missing: u64,
    /// Reads by the age of the version read, counted per band of `AGE_BANDS_DAYS`.
    pub reads_by_age: [u64; AGE_BANDS_DAYS.len()],
    /// Delete markers created (by simple DELETEs and by expiration of current versions).
    pub delete_markers: u64,
    /// Noncurrent versions permanently removed by `NoncurrentVersionExpiration`.
    pub noncurrent_expirations: u64,
    /// DELETEs naming a version ID: the log does not say which version a PUT created, so these
    /// change nothing in the replay (their requests are billed).
    pub version_deletes_unmodelled: u64,
}

/// The month-end snapshots of a policy's statistics.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MonthEnd {
    /// Bytes by class/tier label at the last second of each month.
    pub bytes: BTreeMap<Month, BTreeMap<String, u128>>,
    /// Bytes of noncurrent versions at the last second of each month.
    pub noncurrent: BTreeMap<Month, u128>,
}

/// Adds one under `key` without allocating when the key is already there.
fn bump(map: &mut BTreeMap<String, u64>, key: &str) {
    match map.get_mut(key) {
        Some(n) => *n += 1,
        None => {
            map.insert(key.to_string(), 1);
        }
    }
}

impl Stats {
    /// A version of `size` bytes in `tier` held over [a, b) (noncurrent or not), for the
    /// month-end snapshots.
    pub fn hold_version(&mut self, tier: StorageTier, noncurrent: bool, size: u64, span: &Span) {
        self.held.hold_span(&(tier, noncurrent), size, span);
    }

    /// Month-end snapshots as they are (a shard file's): bytes by tier label, and noncurrent.
    pub fn add_month_end(
        &mut self,
        bytes: &BTreeMap<Month, BTreeMap<String, u128>>,
        noncurrent: &BTreeMap<Month, u128>,
    ) {
        for (m, by) in bytes {
            let e = self.settled_month_end.entry(*m).or_default();
            for (k, v) in by {
                *e.entry(k.clone()).or_insert(0) += v;
            }
        }
        for (m, v) in noncurrent {
            *self.settled_noncurrent.entry(*m).or_insert(0) += v;
        }
    }

    /// Bytes stored by class/tier label at the last second of each month (a class is listed
    /// when a version is held in it then, even an empty one).
    pub fn bytes_at_month_end(&self) -> BTreeMap<Month, BTreeMap<String, u128>> {
        self.month_end().bytes
    }

    /// Versioned buckets: bytes of noncurrent versions at the last second of each month (also
    /// counted in `bytes_at_month_end` under their class).
    pub fn noncurrent_bytes_at_month_end(&self) -> BTreeMap<Month, u128> {
        self.month_end().noncurrent
    }

    /// Both month-end snapshots, from one settling of the held versions.
    pub fn month_end(&self) -> MonthEnd {
        let mut out = MonthEnd {
            bytes: self.settled_month_end.clone(),
            noncurrent: self.settled_noncurrent.clone(),
        };
        for ((m, (tier, noncurrent)), s) in self.held.settle() {
            if s.open == 0 {
                continue;
            }
            *out.bytes
                .entry(m)
                .or_default()
                .entry(tier.label().to_string())
                .or_insert(0) += s.level;
            if noncurrent {
                *out.noncurrent.entry(m).or_insert(0) += s.level;
            }
        }
        out
    }

    /// An object transitioned to `class`.
    pub fn count_transition(&mut self, class: StorageClass) {
        bump(&mut self.transitions, class.as_str());
    }

    /// A read served from `tier`.
    pub fn count_read(&mut self, tier: StorageTier) {
        bump(&mut self.reads_by_class, tier.label());
    }

    pub fn merge(&mut self, o: &Stats) {
        self.held.merge(&o.held);
        self.add_month_end(&o.settled_month_end, &o.settled_noncurrent);
        for (k, v) in &o.transitions {
            *self.transitions.entry(k.clone()).or_insert(0) += v;
        }
        for (k, v) in &o.reads_by_class {
            *self.reads_by_class.entry(k.clone()).or_insert(0) += v;
        }
        self.expirations += o.expirations;
        self.early_delete_byte_seconds += o.early_delete_byte_seconds;
        self.restores += o.restores;
        self.restore_wait_hours += o.restore_wait_hours;
        self.max_restore_wait_hours = self.max_restore_wait_hours.max(o.max_restore_wait_hours);
        self.reads_missing += o.reads_missing;
        for (a, b) in self.reads_by_age.iter_mut().zip(o.reads_by_age) {
            *a += b;
        }
        self.delete_markers += o.delete_markers;
        self.noncurrent_expirations += o.noncurrent_expirations;
        self.version_deletes_unmodelled += o.version_deletes_unmodelled;
    }
}

impl PartialEq for Stats {
    /// Equal statistics, however they were gathered (intervals or settled snapshots).
    fn eq(&self, o: &Stats) -> bool {
        // Destructured so that a new field cannot be forgotten here.
        let Stats {
            held: _,
            settled_month_end: _,
            settled_noncurrent: _,
            transitions,
            expirations,
            early_delete_byte_seconds,
            restores,
            restore_wait_hours,
            max_restore_wait_hours,
            reads_by_class,
            reads_missing,
            reads_by_age,
            delete_markers,
            noncurrent_expirations,
            version_deletes_unmodelled,
        } = self;
        self.month_end() == o.month_end()
            && *transitions == o.transitions
            && *expirations == o.expirations
            && *early_delete_byte_seconds == o.early_delete_byte_seconds
            && *restores == o.restores
            && *restore_wait_hours == o.restore_wait_hours
            && *max_restore_wait_hours == o.max_restore_wait_hours
            && *reads_by_class == o.reads_by_class
            && *reads_missing == o.reads_missing
            && *reads_by_age == o.reads_by_age
            && *delete_markers == o.delete_markers
            && *noncurrent_expirations == o.noncurrent_expirations
            && *version_deletes_unmodelled == o.version_deletes_unmodelled
    }
}
