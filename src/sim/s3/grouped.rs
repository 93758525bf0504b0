//! The optimizer's costing pass: every object replayed under every candidate rule, with each
//! version's usage and statistics attributed to its group (key prefix at a depth × size band).
//! A group's candidate is applied through a rule whose filter is the group's size band, exactly
//! the rule the emitted configuration gives it, so the usage of any assignment of candidates
//! to groups is the sum of the chosen (group, candidate) accumulators: versions are metered
//! independently, and a key's usage before its first version is the same under every policy.

use super::accum::Accum;
use super::history::ObjectHistory;
use super::policy::{Policy, ReplayOptions};
use super::replay::{Ctx, Sink, Stats, replay_into};
use crate::rules::S3Rules;
use crate::units::Timestamp;
use rayon::prelude::*;
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

/// Per-fold state: slots in discovery order, found by key; `current` indexes the live one.
#[derive(Default)]
struct Found {
    index: BTreeMap<SlotKey, usize>,
    slots: Vec<(Accum, Stats)>,
}

impl Found {
    fn into_slots(self) -> Slots {
        let mut slots: Vec<Option<(Accum, Stats)>> = self.slots.into_iter().map(Some).collect();
        self.index
            .into_iter()
            .filter_map(|(k, i)| slots.get_mut(i).and_then(Option::take).map(|v| (k, v)))
            .collect()
    }
}

struct GroupSink<'g, 'f> {
    grouping: &'g Grouping,
    found: &'f mut Found,
    current: usize,
}

impl GroupSink<'_, '_> {
    fn entry(&mut self) -> &mut (Accum, Stats) {
        if self.current >= self.found.slots.len() {
            // Only before the first `version` call, which every replay makes first.
            self.found
                .slots
                .resize_with(self.current + 1, Default::default);
        }
        &mut self.found.slots[self.current]
    }
}

impl Sink for GroupSink<'_, '_> {
    fn acc(&mut self) -> &mut Accum {
        &mut self.entry().0
    }
    fn st(&mut self) -> &mut Stats {
        &mut self.entry().1
    }
    fn version(&mut self, key: &str, size: u64) -> Option<usize> {
        let slot = self.grouping.slot(key, size);
        let band = slot.prefix.as_ref().map(|_| slot.band);
        let next = self.found.slots.len();
        self.current = *self.found.index.entry(slot).or_insert(next);
        if self.current == next {
            self.found.slots.push(Default::default());
        }
        band
    }
    fn slot(&self) -> usize {
        self.current
    }
    fn select(&mut self, slot: usize) {
        self.current = slot;
    }
}

fn merge(into: &mut Slots, from: Slots) {
    for (k, (a, s)) in from {
        let e = into.entry(k).or_default();
        e.0.merge(&a);
        e.1.merge(&s);
    }
}

/// Which policies price an object: `offer(key, policy index)` (the optimizer offers each key
/// prefix its own candidates). Without one, every policy prices every object.
pub type Offer = std::sync::Arc<dyn Fn(&str, usize) -> bool + Send + Sync>;

/// The costing pass in progress: per policy (`PolicyKind::Grouped`, one per candidate), usage
/// per group, fed object histories in batches.
pub struct GroupedSimulation<'a> {
    offer: Option<Offer>,
    policies: &'a [Policy],
    grouping: &'a Grouping,
    opts: &'a ReplayOptions,
    rules: &'a S3Rules,
    start: Timestamp,
    end: Timestamp,
    slots: Vec<Slots>,
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
            slots: policies.iter().map(|_| Slots::new()).collect(),
        }
    }

    /// Only the objects `offer` picks are priced under each policy.
    pub fn with_offer(mut self, offer: Offer) -> Self {
        self.offer = Some(offer);
        self
    }

    /// Replays a batch under every policy (in parallel over objects; merged by group key, so
    /// the result does not depend on the split).
    pub fn replay_batch(&mut self, objects: &[ObjectHistory]) {
        let offer = self.offer.clone();
        for (i, (policy, slots)) in self.policies.iter().zip(self.slots.iter_mut()).enumerate() {
            let cx = Ctx {
                policy,
                opts: self.opts,
                rules: self.rules,
                start: self.start,
                end: self.end,
            };
            let grouping = self.grouping;
            let batch = objects
                .par_iter()
                .filter(|o| offer.as_ref().is_none_or(|f| f(&o.key, i)))
                .fold(Found::default, |mut found, o| {
                    let mut sink = GroupSink {
                        grouping,
                        found: &mut found,
                        current: 0,
                    };
                    cx.opts
                        .future
                        .for_each_instance(o, cx.end, |o| replay_into(o, &cx, &mut sink));
                    found
                })
                .map(Found::into_slots)
                .reduce(Slots::new, |mut a, b| {
                    merge(&mut a, b);
                    a
                });
            merge(slots, batch);
        }
    }

    /// Usage and statistics per group, per policy (in `policies` order).
    pub fn finish(self) -> Vec<Slots> {
        self.slots
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
