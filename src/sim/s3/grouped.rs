//! The optimizer's costing pass: every object replayed under every candidate rule, with each
//! version's usage and statistics attributed to its group (key prefix at a depth × size band).
//! A group's candidate is applied through a rule whose filter is the group's size band, exactly
//! the rule the emitted configuration gives it, so the usage of any assignment of candidates
//! to groups is the sum of the chosen (group, candidate) accumulators: versions are metered
//! independently, and a key's usage before its first version is the same under every policy.
//!
//! Objects are first folded into cohorts (`cohort`: same group, size class, start, creation
//! day and relative event signature); each candidate is priced once per cohort from a few
//! probe replays, exactly, and only the objects that fit no cohort are replayed one by one.

use super::accum::Accum;
use super::cohort::{Cohorts, Flat, Folder};
use super::future::Future;
use super::history::ObjectHistory;
use super::policy::{Policy, ReplayOptions};
use super::replay::{Ctx, Sink, Stats, replay_into};
use crate::rules::S3Rules;
use crate::units::Timestamp;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;

/// A group: the key prefix up to and including the `depth`-th `/` (`None`: the key has fewer
/// segments, and no group rule can select it) and the index of the size band.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SlotKey {
    pub prefix: Option<String>,
    pub band: usize,
}

/// How versions are grouped: prefix depth and ascending band boundaries in bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grouping {
    pub depth: usize,
    /// Sorted, distinct, non-zero: band `i` is `[bounds[i-1], bounds[i])`.
    pub bounds: Vec<u64>,
}

impl Grouping {
    pub fn new(depth: usize, mut bounds: Vec<u64>) -> Grouping {
        bounds.retain(|b| *b > 0);
        bounds.sort_unstable();
        bounds.dedup();
        Grouping { depth, bounds }
    }

    /// The group of a version of `key` with `size` bytes.
    pub fn slot(&self, key: &str, size: u64) -> SlotKey {
        SlotKey {
            prefix: prefix_at(key, self.depth).map(str::to_string),
            band: self.bounds.partition_point(|b| *b <= size),
        }
    }

    pub fn bands(&self) -> usize {
        self.bounds.len() + 1
    }
}

/// The key up to and including its `depth`-th `/`, if it has that many.
pub fn prefix_at(key: &str, depth: usize) -> Option<&str> {
    if depth == 0 {
        return Some("");
    }
    key.match_indices('/')
        .nth(depth - 1)
        .map(|(i, _)| &key[..=i])
}

/// Usage and statistics per group.
pub type Slots = BTreeMap<SlotKey, (Accum, Stats)>;

/// Usage and statistics per slot id (a prefix id × band), for one fold.
type Dense = FxHashMap<u32, (Accum, Stats)>;

/// Attributes each version's usage to its slot: the object's prefix id is found once per
/// object, the band from each version's size.
struct GroupSink<'g, 'f> {
    grouping: &'g Grouping,
    found: &'f mut Dense,
    /// The object's prefix id (0: no group prefix).
    prefix: u32,
    current: u32,
}

impl GroupSink<'_, '_> {
    fn entry(&mut self) -> &mut (Accum, Stats) {
        self.found.entry(self.current).or_default()
    }
}

impl Sink for GroupSink<'_, '_> {
    fn acc(&mut self) -> &mut Accum {
        &mut self.entry().0
    }
    fn st(&mut self) -> &mut Stats {
        &mut self.entry().1
    }
    fn version(&mut self, _key: &str, size: u64) -> Option<usize> {
        let band = self.grouping.bounds.partition_point(|b| *b <= size);
        self.current = self.prefix * self.grouping.bands() as u32 + band as u32;
        self.found.entry(self.current).or_default();
        (self.prefix != 0).then_some(band)
    }
    fn slot(&self) -> usize {
        self.current as usize
    }
    fn select(&mut self, slot: usize) {
        self.current = slot as u32;
    }
}

fn merge_dense(into: &mut Dense, from: Dense) {
    for (k, (a, s)) in from {
        match into.get_mut(&k) {
            Some(e) => {
                e.0.merge(&a);
                e.1.merge(&s);
            }
            None => {
                into.insert(k, (a, s));
            }
        }
    }
}

/// Prefixes by id (id 0: keys with no group prefix).
#[derive(Default)]
struct Prefixes {
    ids: FxHashMap<String, u32>,
    names: Vec<String>,
}

impl Prefixes {
    fn id(&mut self, prefix: Option<&str>) -> u32 {
        let Some(p) = prefix else { return 0 };
        if let Some(i) = self.ids.get(p) {
            return *i;
        }
        self.names.push(p.to_string());
        let i = self.names.len() as u32;
        self.ids.insert(p.to_string(), i);
        i
    }

    fn name(&self, id: u32) -> Option<String> {
        id.checked_sub(1)
            .and_then(|i| self.names.get(i as usize))
            .cloned()
    }
}

/// Which policies price an object: `offer(key, policy index)` (the optimizer offers each key
/// prefix its own candidates). Without one, every policy prices every object.
pub type Offer = std::sync::Arc<dyn Fn(&str, usize) -> bool + Send + Sync>;

/// The costing pass in progress: per policy (`PolicyKind::Grouped`, one per candidate), usage
/// per group, fed object histories in batches. Objects that fold into cohorts
/// (`sim::s3::cohort`) are priced once per cohort at `finish`; the others are replayed one by
/// one as their batch comes. Either way the result is the same integers.
pub struct GroupedSimulation<'a> {
    offer: Option<Offer>,
    policies: &'a [Policy],
    grouping: &'a Grouping,
    opts: &'a ReplayOptions,
    rules: &'a S3Rules,
    start: Timestamp,
    end: Timestamp,
    prefixes: Prefixes,
    /// Per policy, usage per slot id.
    slots: Vec<Dense>,
    /// `None`: every object is replayed alone.
    folder: Option<Folder>,
    cohorts: Cohorts,
    /// Objects (instances) replayed alone so far.
    singles: u64,
}

impl<'a> GroupedSimulation<'a> {
    pub fn new(
        policies: &'a [Policy],
        grouping: &'a Grouping,
        opts: &'a ReplayOptions,
        rules: &'a S3Rules,
        start: Timestamp,
        end: Timestamp,
    ) -> GroupedSimulation<'a> {
        GroupedSimulation {
            offer: None,
            policies,
            grouping,
            opts,
            rules,
            start,
            end,
            prefixes: Prefixes::default(),
            slots: policies.iter().map(|_| Dense::default()).collect(),
            folder: Some(Folder::new(
                rules,
                opts,
                policies,
                &grouping.bounds,
                start,
                end,
            )),
            cohorts: Cohorts::default(),
            singles: 0,
        }
    }

    /// Only the objects `offer` picks are replayed alone under each policy (cohorts are priced
    /// under every policy; the optimizer leaves the pairs it did not offer out of its model).
    pub fn with_offer(mut self, offer: Offer) -> Self {
        self.offer = Some(offer);
        self
    }

    /// Replays every object alone (no cohorts): the reference the cohort pricing is checked
    /// against.
    pub fn without_cohorts(mut self) -> Self {
        self.folder = None;
        self
    }

    fn ctx(&self, policy: &'a Policy) -> Ctx<'a> {
        Ctx {
            policy,
            opts: self.opts,
            rules: self.rules,
            start: self.start,
            end: self.end,
        }
    }

    /// Folds a batch into cohorts and replays the objects that fit none under every policy (in
    /// parallel over objects; merged by slot, so the result does not depend on the split).
    pub fn replay_batch(&mut self, objects: &[ObjectHistory]) {
        // Each weekly copy of an object, and each object with its drawn future, is an object
        // of its own here.
        let mut copies = Vec::new();
        let instances: &[ObjectHistory] = match &self.opts.future {
            Future::Silent => objects,
            future => {
                for o in objects {
                    future.for_each_instance(o, self.end, |i| copies.push(i.clone()));
                }
                &copies
            }
        };
        let mut singles: Vec<(u32, &ObjectHistory)> = Vec::new();
        for o in instances {
            let prefix = self.prefixes.id(prefix_at(&o.key, self.grouping.depth));
            match &self.folder {
                Some(f) => {
                    if let Some(o) = self.cohorts.add(f, o, prefix) {
                        singles.push((prefix, o));
                    }
                }
                None => singles.push((prefix, o)),
            }
        }
        self.singles += singles.len() as u64;
        if singles.is_empty() {
            return;
        }
        let grouping = self.grouping;
        let offer = self.offer.clone();
        for p in 0..self.policies.len() {
            let cx = self.ctx(&self.policies[p]);
            let batch = singles
                .par_iter()
                .filter(|(_, o)| offer.as_ref().is_none_or(|f| f(&o.key, p)))
                .fold(Dense::default, |mut found, (prefix, o)| {
                    let mut sink = GroupSink {
                        grouping,
                        found: &mut found,
                        prefix: *prefix,
                        current: 0,
                    };
                    replay_into(o, &cx, &mut sink);
                    found
                })
                .reduce(Dense::default, |mut a, b| {
                    merge_dense(&mut a, b);
                    a
                });
            merge_dense(&mut self.slots[p], batch);
        }
    }

    /// (cohorts, objects in them, objects replayed alone) so far.
    pub fn folded(&self) -> (usize, u64, u64) {
        (self.cohorts.len(), self.cohorts.members, self.singles)
    }

    /// Units of work `finish` reports to its progress callback: cohorts × policies.
    pub fn finish_work(&self) -> u64 {
        (self.cohorts.len() * self.policies.len()) as u64
    }

    /// Usage and statistics per group, per policy (in `policies` order).
    pub fn finish(self) -> Vec<Slots> {
        self.finish_with(|_| {})
    }

    /// `finish`, reporting each policy's cohorts to `progress` as they are priced.
    pub fn finish_with(mut self, progress: impl Fn(u64) + Sync) -> Vec<Slots> {
        if let Some(folder) = &self.folder {
            let cohorts = self.cohorts.cohorts();
            let probes: Vec<_> = cohorts.par_iter().map(|c| c.probes(folder)).collect();
            let prefix_of: Vec<u32> = cohorts.iter().map(|c| c.group()).collect();
            let grouping = self.grouping;
            for p in 0..self.policies.len() {
                let cx = self.ctx(&self.policies[p]);
                let priced = cohorts
                    .par_iter()
                    .zip(&probes)
                    .zip(&prefix_of)
                    .fold(Dense::default, |mut found, ((c, probes), prefix)| {
                        let results: Vec<Dense> = probes
                            .objects
                            .iter()
                            .map(|o| {
                                let mut d = Dense::default();
                                let mut sink = GroupSink {
                                    grouping,
                                    found: &mut d,
                                    prefix: *prefix,
                                    current: 0,
                                };
                                replay_into(o, &cx, &mut sink);
                                d
                            })
                            .collect();
                        let mut ids: Vec<u32> =
                            results.iter().flat_map(|d| d.keys().copied()).collect();
                        ids.sort_unstable();
                        ids.dedup();
                        for id in ids {
                            let flat: Vec<Flat> = results
                                .iter()
                                .map(|d| match d.get(&id) {
                                    Some((a, s)) => Flat::of(a, s),
                                    None => Flat::default(),
                                })
                                .collect();
                            let (a, s) = c.combine_flat(probes, &flat).into_parts();
                            let e = found.entry(id).or_default();
                            e.0.merge(&a);
                            e.1.merge(&s);
                        }
                        found
                    })
                    .reduce(Dense::default, |mut a, b| {
                        merge_dense(&mut a, b);
                        a
                    });
                merge_dense(&mut self.slots[p], priced);
                progress(cohorts.len() as u64);
            }
        }
        let bands = self.grouping.bands() as u32;
        let prefixes = &self.prefixes;
        self.slots
            .into_iter()
            .map(|dense| {
                dense
                    .into_iter()
                    .map(|(id, v)| {
                        let key = SlotKey {
                            prefix: prefixes.name(id / bands),
                            band: (id % bands) as usize,
                        };
                        (key, v)
                    })
                    .collect()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_and_bands() {
        let g = Grouping::new(2, vec![131_072, 0, 1 << 20, 131_072]);
        assert_eq!(g.bounds, vec![131_072, 1 << 20]);
        assert_eq!(g.bands(), 3);
        let s = g.slot("a/b/c.parquet", 131_071);
        assert_eq!((s.prefix.as_deref(), s.band), (Some("a/b/"), 0));
        assert_eq!(g.slot("a/b/c", 131_072).band, 1);
        assert_eq!(g.slot("a/b/c", 1 << 20).band, 2);
        assert_eq!(g.slot("a/b", 5).prefix, None);
        assert_eq!(prefix_at("x/y", 1), Some("x/"));
        assert_eq!(prefix_at("x", 1), None);
        assert_eq!(prefix_at("x", 0), Some(""));
        assert_eq!(prefix_at("a//b", 2), Some("a//"));
    }
}
