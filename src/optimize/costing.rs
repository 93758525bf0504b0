//! From the simulator's costing pass to the lifecycle problem: the policies the pass replays
//! (one per candidate, each applying the candidate through the size band's own filter), the
//! groups it found, the rated cost and peak monthly restores of every (group, candidate) pair,
//! and the exact usage of a chosen assignment (the sum of its pairs, plus what no rule can
//! touch), which is what re-simulating the emitted configuration meters.

use super::candidates::Candidate;
use super::emit::{EmitOptions, filter_for};
use super::groups::{Group, SizeBand};
use super::lifecycle_model::{LifecycleProblem, ReadImpact};
use crate::meter::Meter;
use crate::sim::s3::grouped::{Grouping, Offer, SlotKey, Slots, prefix_at};
use crate::sim::s3::{Accum, Policy, PolicyKind, Stats};
use crate::trace::lifecycle::LifecycleConfiguration;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The costing set-up: how versions are grouped, the candidates and their policies.
#[derive(Clone, Debug)]
pub struct Costing {
    pub grouping: Grouping,
    pub bands: Vec<SizeBand>,
    pub candidates: Vec<Candidate>,
    /// `PolicyKind::Grouped` per candidate, in candidate order.
    pub policies: Vec<Policy>,
    /// The candidates each group prefix is priced under (`None`: every candidate, every
    /// prefix). Keys outside every group are priced under candidate 0 only.
    pub offers: Option<Arc<Offers>>,
}

/// The candidates offered per group prefix, as flags in candidate order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Offers {
    pub by_prefix: BTreeMap<String, Vec<bool>>,
    /// For prefixes the map does not name (seen only once the pass runs).
    pub other: Vec<bool>,
}

impl Offers {
    /// Whether candidate `c` is priced for `prefix` (`None`: a key outside every group, priced
    /// under candidate 0 only).
    pub fn offered(&self, prefix: Option<&str>, c: usize) -> bool {
        match prefix {
            None => c == 0,
            Some(p) => self
                .by_prefix
                .get(p)
                .unwrap_or(&self.other)
                .get(c)
                .copied()
                .unwrap_or(false),
        }
    }
}

impl Costing {
    /// `depth`: prefix depth of a group; `bounds`: size-band boundaries in bytes.
    pub fn new(
        depth: usize,
        bounds: &[u64],
        candidates: Vec<Candidate>,
        options: &EmitOptions,
    ) -> Costing {
        let grouping = Grouping::new(depth, bounds.to_vec());
        let bands = SizeBand::split_at(&grouping.bounds);
        let policies = candidates
            .iter()
            .map(|c| {
                let per_band = bands
                    .iter()
                    .map(|b| LifecycleConfiguration {
                        // The band's filter without a prefix: every version the band's rule is
                        // applied to already has the group's prefix, so the emitted rule
                        // (prefix + band) schedules it exactly the same way.
                        rules: if c.has_action() {
                            vec![c.rule(&c.id, filter_for("", *b))]
                        } else {
                            Vec::new()
                        },
                        transition_default_minimum_object_size: options
                            .transition_default_minimum_object_size,
                    })
                    .collect();
                Policy {
                    name: c.id.clone(),
                    kind: PolicyKind::Grouped(Arc::new(per_band)),
                }
            })
            .collect();
        Costing {
            grouping,
            bands,
            candidates,
            policies,
            offers: None,
        }
    }

    /// Each prefix priced only under its own candidates. Candidate 0 must be offered
    /// everywhere (it prices what no rule selects).
    pub fn with_offers(mut self, offers: Offers) -> Costing {
        self.offers = Some(Arc::new(offers));
        self
    }

    /// Whether candidate `c` is priced for `prefix` (`None`: a key outside every group).
    pub fn offered(&self, prefix: Option<&str>, c: usize) -> bool {
        self.offers.as_ref().is_none_or(|o| o.offered(prefix, c))
    }

    /// The costing pass's filter: which objects each candidate's replay prices.
    pub fn offer(&self) -> Option<Offer> {
        let offers = self.offers.clone()?;
        let depth = self.grouping.depth;
        Some(Arc::new(move |key: &str, c: usize| {
            offers.offered(prefix_at(key, depth), c)
        }))
    }

    /// Every band of every prefix the pass saw, prefixes sorted (empty bands included, so that
    /// touching bands can share a rule).
    pub fn groups(&self, slots: &[Slots]) -> Vec<Group> {
        let prefixes: std::collections::BTreeSet<&str> = slots
            .iter()
            .flat_map(|s| s.keys())
            .filter_map(|k| k.prefix.as_deref())
            .collect();
        prefixes
            .into_iter()
            .flat_map(|p| self.bands.iter().map(move |b| Group::new(p, *b)))
            .collect()
    }

    fn key(&self, g: &Group) -> SlotKey {
        SlotKey {
            prefix: Some(g.prefix.clone()),
            band: self.bands.iter().position(|b| *b == g.band).unwrap_or(0),
        }
    }

    /// The lifecycle problem: `price` rates a pair's usage (dollars over the horizon). Every
    /// pair is offered; a group without objects costs nothing under any candidate.
    pub fn problem<E>(
        &self,
        slots: &[Slots],
        groups: &[Group],
        mut price: impl FnMut(&Accum) -> Result<Decimal, E>,
    ) -> Result<LifecycleProblem, E> {
        let mut cost = Vec::with_capacity(groups.len());
        let mut restores = Vec::with_capacity(groups.len());
        let mut reads = Vec::with_capacity(groups.len());
        for g in groups {
            let key = self.key(g);
            // A prefix no configuration can carry (a key with control characters) gets no
            // rule: only the candidates without an action are open to its group.
            let carried = crate::trace::lifecycle::xml_can_carry(&g.prefix);
            let mut row = Vec::with_capacity(self.candidates.len());
            let mut rrow = Vec::with_capacity(self.candidates.len());
            let mut read_row = Vec::with_capacity(self.candidates.len());
            for (c, s) in slots.iter().enumerate() {
                if !self.offered(Some(&g.prefix), c)
                    || (!carried && self.candidates[c].has_action())
                {
                    row.push(None);
                    rrow.push(Decimal::ZERO);
                    read_row.push(ReadImpact::default());
                    continue;
                }
                match s.get(&key) {
                    Some((acc, st)) => {
                        row.push(Some(price(acc)?));
                        rrow.push(Decimal::from(peak_monthly_restores(acc)));
                        read_row.push(ReadImpact {
                            restores: st.restores,
                            wait_hours: st.restore_wait_hours,
                            max_wait_hours: st.max_restore_wait_hours,
                            reads_lost: st.reads_missing,
                        });
                    }
                    None => {
                        row.push(Some(Decimal::ZERO));
                        rrow.push(Decimal::ZERO);
                        read_row.push(ReadImpact::default());
                    }
                }
            }
            cost.push(row);
            restores.push(rrow);
            reads.push(read_row);
        }
        Ok(LifecycleProblem {
            groups: groups.to_vec(),
            candidates: self.candidates.clone(),
            cost,
            restores,
            reads,
        })
    }

    /// The usage and statistics of `assignment` (candidate per group): the chosen pairs plus
    /// the versions no group rule selects (keys with fewer segments than the depth), which are
    /// the same under every candidate.
    pub fn assemble(
        &self,
        slots: &[Slots],
        groups: &[Group],
        assignment: &[usize],
    ) -> (Accum, Stats) {
        let chosen: BTreeMap<SlotKey, usize> = groups
            .iter()
            .zip(assignment)
            .map(|(g, c)| (self.key(g), *c))
            .collect();
        let mut acc = Accum::default();
        let mut st = Stats::default();
        let Some(first) = slots.first() else {
            return (acc, st);
        };
        for key in first.keys() {
            let c = chosen.get(key).copied().unwrap_or(0);
            if let Some((a, s)) = slots.get(c).and_then(|s| s.get(key)) {
                acc.merge(a);
                st.merge(s);
            }
        }
        (acc, st)
    }

    /// Objects' usage no rule can reach, from the pass (for reporting what was left out).
    pub fn unmanaged(&self, slots: &[Slots]) -> Option<(Accum, Stats)> {
        slots.first().and_then(|s| {
            s.iter()
                .filter(|(k, _)| k.prefix.is_none())
                .map(|(_, v)| v.clone())
                .reduce(|mut a, b| {
                    a.0.merge(&b.0);
                    a.1.merge(&b.1);
                    a
                })
        })
    }
}

/// Restore requests in the busiest month of a pair's usage: a per-month cap summed over the
/// chosen pairs' peaks is never exceeded in any month (conservative when peaks fall in
/// different months).
pub fn peak_monthly_restores(acc: &Accum) -> u128 {
    let mut by_month: BTreeMap<crate::units::Month, u128> = BTreeMap::new();
    for ((m, meter), n) in acc.counts() {
        if matches!(meter, Meter::RestoreRequests(..)) {
            *by_month.entry(m).or_default() += n;
        }
    }
    by_month.values().copied().max().unwrap_or(0)
}
