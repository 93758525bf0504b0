//! What S3 Storage Class Analysis shows, and more, computed from access logs in one pass:
//! objects and bytes, requests by operation and billing class, reads by object-age band,
//! bytes read vs stored per prefix, and the share of objects never read after N days.
//!
//! An object's age is counted from the first write of it seen in the logs; reads of objects
//! whose creation is not in the logs fall in the `unknown` band.

use super::classify::{Action, action, billing_class};
use super::record::Record;
use crate::units::Timestamp;
use crate::units::time::SECONDS_PER_DAY;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;

/// Age bands in days, as Storage Class Analysis groups them (the last is open-ended).
pub const AGE_BANDS: [(u32, Option<u32>); 11] = [
    (0, Some(14)),
    (15, Some(29)),
    (30, Some(44)),
    (45, Some(59)),
    (60, Some(74)),
    (75, Some(89)),
    (90, Some(119)),
    (120, Some(149)),
    (150, Some(179)),
    (180, Some(364)),
    (365, None),
];

/// Thresholds for "never read after N days".
pub const NEVER_READ_AFTER_DAYS: [u32; 5] = [30, 60, 90, 180, 365];

pub fn band_label(i: usize) -> String {
    match AGE_BANDS[i] {
        (lo, Some(hi)) => format!("{lo}-{hi}"),
        (lo, None) => format!("{lo}+"),
    }
}

fn band_of(age_days: i64) -> usize {
    AGE_BANDS
        .iter()
        .position(|(lo, hi)| age_days >= *lo as i64 && hi.is_none_or(|h| age_days <= h as i64))
        .unwrap_or(0)
}

#[derive(Clone, Debug, Default)]
struct ObjectState {
    created: Option<Timestamp>,
    size: u64,
    deleted: bool,
    /// Oldest age at which the object was read, in seconds.
    max_read_age: Option<i64>,
    prefix: usize,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct PrefixStats {
    pub objects: u64,
    pub bytes_stored: u64,
    pub reads: u64,
    pub bytes_read: u64,
}

/// Accumulates statistics record by record.
#[derive(Debug)]
pub struct LogStats {
    prefix_depth: usize,
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
    pub requests_by_operation: BTreeMap<String, u64>,
    pub requests_by_billing_class: BTreeMap<&'static str, u64>,
    /// Reads per age band (index into `AGE_BANDS`), and of objects of unknown age.
    pub reads_by_age: [u64; AGE_BANDS.len()],
    pub reads_unknown_age: u64,
    prefixes: Vec<(String, PrefixStats)>,
    prefix_index: FxHashMap<String, usize>,
    objects: FxHashMap<String, ObjectState>,
    id_buf: String,
}

/// The finished summary.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
    /// Objects present at the end of the logs (written or read, not deleted).
    pub objects: u64,
    /// Their bytes (last known size; saturating at `u64::MAX`, as are the prefixes' byte sums:
    /// sizes are as logged).
    pub bytes: u64,
    pub requests_by_operation: BTreeMap<String, u64>,
    pub requests_by_billing_class: BTreeMap<&'static str, u64>,
    pub reads_by_age: Vec<(String, u64)>,
    pub prefixes: BTreeMap<String, PrefixStats>,
    /// (N, objects observed for at least N days since creation, of which never read at age ≥ N).
    pub never_read_after: Vec<(u32, u64, u64)>,
}

impl LogStats {
    pub fn new(prefix_depth: usize) -> LogStats {
        LogStats {
            prefix_depth: prefix_depth.max(1),
            first: None,
            last: None,
            requests_by_operation: BTreeMap::new(),
            requests_by_billing_class: BTreeMap::new(),
            reads_by_age: [0; AGE_BANDS.len()],
            reads_unknown_age: 0,
            prefixes: Vec::new(),
            prefix_index: FxHashMap::default(),
            objects: FxHashMap::default(),
            id_buf: String::new(),
        }
    }

    fn prefix_of(&mut self, key: &str) -> usize {
        let p: String = match key.match_indices('/').nth(self.prefix_depth - 1) {
            Some((i, _)) => key[..=i].to_string(),
            None => String::new(),
        };
        if let Some(i) = self.prefix_index.get(&p) {
            return *i;
        }
        self.prefixes.push((p.clone(), PrefixStats::default()));
        self.prefix_index.insert(p, self.prefixes.len() - 1);
        self.prefixes.len() - 1
    }

    pub fn add(&mut self, r: &Record<'_>) {
        self.first = Some(self.first.map_or(r.time, |f| f.min(r.time)));
        self.last = Some(self.last.map_or(r.time, |l| l.max(r.time)));
        match self.requests_by_operation.get_mut(r.operation) {
            Some(n) => *n += 1,
            None => {
                self.requests_by_operation
                    .insert(r.operation.to_string(), 1);
            }
        }
        *self
            .requests_by_billing_class
            .entry(billing_class(r).as_str())
            .or_insert(0) += 1;
        let (Some(bucket), Some(key)) = (r.bucket, r.key.as_deref()) else {
            return;
        };
        let ok = r.http_status.is_none_or(|s| s < 300);
        let act = action(r.operation);
        if !ok
            || !matches!(
                act,
                Action::Write | Action::Read | Action::Delete | Action::LifecycleExpire
            )
        {
            return;
        }
        // Object id "bucket\0key", built in a reused buffer; allocated only for new objects.
        self.id_buf.clear();
        self.id_buf.push_str(bucket);
        self.id_buf.push('\0');
        self.id_buf.push_str(key);
        if !self.objects.contains_key(self.id_buf.as_str()) {
            let prefix = self.prefix_of(key);
            let st = ObjectState {
                prefix,
                ..Default::default()
            };
            self.objects.insert(self.id_buf.clone(), st);
        }
        let Some(st) = self.objects.get_mut(self.id_buf.as_str()) else {
            return;
        };
        match act {
            Action::Write => {
                st.created = Some(r.time);
                st.size = r.object_size.unwrap_or(st.size);
                st.deleted = false;
                st.max_read_age = None;
            }
            Action::Read => {
                if let Some(sz) = r.object_size {
                    st.size = sz;
                }
                let ps = &mut self.prefixes[st.prefix].1;
                ps.reads += 1;
                // Sizes are as logged (up to u64::MAX): byte sums saturate.
                ps.bytes_read = ps.bytes_read.saturating_add(r.bytes_sent.unwrap_or(0));
                match st.created {
                    Some(c) => {
                        let age = r.time.0 - c.0;
                        self.reads_by_age[band_of(age.div_euclid(SECONDS_PER_DAY))] += 1;
                        st.max_read_age = Some(st.max_read_age.map_or(age, |m| m.max(age)));
                    }
                    None => self.reads_unknown_age += 1,
                }
            }
            _ => st.deleted = true,
        }
    }

    pub fn finish(mut self) -> Summary {
        let end = self.last.unwrap_or_default();
        let mut never = vec![(0u64, 0u64); NEVER_READ_AFTER_DAYS.len()];
        let (mut objects, mut bytes) = (0, 0u64);
        for st in self.objects.values() {
            if st.deleted {
                continue;
            }
            objects += 1;
            bytes = st.size.saturating_add(bytes);
            let ps = &mut self.prefixes[st.prefix].1;
            ps.objects += 1;
            ps.bytes_stored = ps.bytes_stored.saturating_add(st.size);
            if let Some(c) = st.created {
                for (i, n) in NEVER_READ_AFTER_DAYS.iter().enumerate() {
                    let n_secs = *n as i64 * SECONDS_PER_DAY;
                    if end.0 - c.0 >= n_secs {
                        never[i].0 += 1;
                        if st.max_read_age.is_none_or(|a| a < n_secs) {
                            never[i].1 += 1;
                        }
                    }
                }
            }
        }
        let mut reads_by_age: Vec<(String, u64)> = self
            .reads_by_age
            .iter()
            .enumerate()
            .map(|(i, n)| (band_label(i), *n))
            .collect();
        reads_by_age.push(("unknown".into(), self.reads_unknown_age));
        Summary {
            first: self.first,
            last: self.last,
            objects,
            bytes,
            requests_by_operation: self.requests_by_operation,
            requests_by_billing_class: self.requests_by_billing_class,
            reads_by_age,
            prefixes: self.prefixes.into_iter().collect(),
            never_read_after: NEVER_READ_AFTER_DAYS
                .iter()
                .zip(never)
                .map(|(n, (obs, nr))| (*n, obs, nr))
                .collect(),
        }
    }
}
