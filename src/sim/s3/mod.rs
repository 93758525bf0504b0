//! The S3 replay simulator: object histories (from logs and inventories) replayed against each
//! storage policy under study, metered into `Usage` the way AWS meters it. Objects are
//! independent, so replay runs in parallel over objects and adds integer meters, which merge
//! to byte-identical results in any order.

pub mod accum;
pub mod clairvoyant;
pub mod cohort;
pub mod counts;
pub mod future;
pub mod grouped;
pub mod history;
pub mod policy;
pub mod repeat;
pub mod replay;
pub mod shard;
mod slotted;
pub mod spill;
pub mod stats;
mod store;
pub mod timeline;
mod versions;

pub use accum::Accum;
pub use clairvoyant::Clairvoyant;
pub use future::{AgeProfile, Future, FutureModel, ProfileBuilder};
pub use history::{
    BucketRequests, Event, EventKind, Evidence, Initial, Noncurrent, ObjectHistory, RecordBatch,
    in_shard, key_hash,
};
pub use policy::{Policy, PolicyKind, ReplayOptions};
pub use repeat::WeeklyRepeat;
pub use replay::{Ctx, Sink, Stats, replay, replay_into};

use crate::aws::{Region, RequestTier, StorageClass};
use crate::meter::{Meter, Usage};
use crate::rules::S3Rules;
use crate::trace::lifecycle::LifecycleConfiguration;
use crate::units::Timestamp;
use rayon::prelude::*;

/// One policy's simulated usage and statistics. `accum` holds the integer meters (what shards
/// exchange and merge: byte-seconds and counts); `usage` is their conversion for rating.
#[derive(Clone, Debug)]
pub struct PolicyRun {
    pub name: String,
    /// `lifecycle`, `intelligent-tiering`, `all-standard` or `clairvoyant-bound`.
    pub kind: String,
    pub accum: Accum,
    pub usage: Usage,
    pub stats: Stats,
}

/// A replication rule: new object versions under `prefix` are copied to a bucket in
/// `destination_region`, stored in `destination_class` under the destination's own lifecycle.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplicationRule {
    pub prefix: String,
    pub destination_region: Region,
    pub destination_class: StorageClass,
    /// Replication Time Control.
    pub rtc: bool,
    /// The destination bucket's lifecycle (none: replicas stay in their class).
    pub destination_lifecycle: Option<LifecycleConfiguration>,
}

/// Usage of replication, the same whatever the source policy: source-side transfer and RTC in
/// the source region's accumulator, replica PUTs and replica storage per destination region.
/// Per §2.6: inter-region transfer priced by the source region, RTC per GB, replica PUTs and
/// storage at the destination region's prices and class; "the lifecycle rules honor the
/// original creation time of the object". Existing objects (inventory) are not replicated
/// (that takes Batch Replication), and deletes are not (delete-marker replication is off by
/// default). With a weekly `repeat`, the writes of every recurring instance replicate too.
pub fn replicate(
    evidence: &Evidence,
    repl: &[ReplicationRule],
    rules: &S3Rules,
    region: &Region,
    (start, end): (Timestamp, Timestamp),
    future: &Future,
) -> ReplicationUsage {
    let mut source = Accum::default();
    let mut dests = Vec::new();
    for rule in repl {
        let policy = Policy {
            name: "replica".into(),
            kind: PolicyKind::Lifecycle(rule.destination_lifecycle.clone().unwrap_or(
                LifecycleConfiguration {
                    rules: Vec::new(),
                    transition_default_minimum_object_size: None,
                },
            )),
        };
        // "Versioning must be enabled on source and destination" (§2.6): an overwritten
        // replica stays at the destination as a noncurrent version.
        let opts = ReplayOptions {
            default_class: rule.destination_class,
            versioning: true,
            ..Default::default()
        };
        let cx = Ctx {
            policy: &policy,
            opts: &opts,
            rules,
            start,
            end,
        };
        let mut puts = Accum::default();
        let mut acc = Accum::default();
        let mut st = Stats::default();
        for o in evidence
            .objects()
            .filter(|o| o.key.starts_with(&rule.prefix))
        {
            future.for_each_instance(&o, end, |o| {
                let replica =
                    replicate_object(o, rule, region, (start, end), &mut source, &mut puts);
                if let Some(r) = replica {
                    replay(&r, &cx, &mut acc, &mut st);
                }
            });
        }
        // The replica's own PUT is the replication PUT (priced above), not a user request.
        acc.retain_counts(|m| !matches!(m, Meter::Requests(_, RequestTier::Tier1)));
        acc.merge(&puts);
        dests.push((rule.destination_region.clone(), acc));
    }
    ReplicationUsage { source, dests }
}

/// One object's replication: source-side transfer and RTC and replica PUTs are added; returns
/// the replica's history (its writes) for the destination replay, if it has any.
fn replicate_object(
    o: &ObjectHistory,
    rule: &ReplicationRule,
    region: &Region,
    (start, end): (Timestamp, Timestamp),
    source: &mut Accum,
    puts: &mut Accum,
) -> Option<ObjectHistory> {
    let writes: Vec<Event> = o
        .events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Write { .. }) && e.t < end)
        .copied()
        .collect();
    for e in &writes {
        let EventKind::Write { size } = e.kind else {
            continue;
        };
        if e.t < start {
            continue;
        }
        if &rule.destination_region != region {
            source.add(
                Meter::ReplicationTransfer(rule.destination_region.clone()),
                e.t,
                size as u128,
            );
        }
        if rule.rtc {
            source.add(Meter::ReplicationRtc, e.t, size as u128);
        }
        puts.add(Meter::ReplicationPuts(rule.destination_class), e.t, 1);
    }
    (!writes.is_empty()).then(|| ObjectHistory {
        noncurrent: Box::default(),
        key: o.key.clone(),
        initial: None,
        events: writes,
    })
}

/// Replication's usage: source-region meters and per-destination-region meters.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReplicationUsage {
    pub source: Accum,
    pub dests: Vec<(Region, Accum)>,
}

impl ReplicationUsage {
    /// Adds another part's usage (a shard's, a partition's) of the same rules: destinations
    /// one to one (one per rule, in order), else by region.
    pub fn merge(&mut self, other: &ReplicationUsage) {
        self.source.merge(&other.source);
        if self.dests.is_empty() {
            self.dests = other.dests.clone();
            return;
        }
        for (i, (r, acc)) in other.dests.iter().enumerate() {
            match self.dests.get_mut(i) {
                Some((w, mine)) if w == r => mine.merge(acc),
                _ => match self.dests.iter_mut().find(|(w, _)| w == r) {
                    Some((_, mine)) => mine.merge(acc),
                    None => self.dests.push((r.clone(), acc.clone())),
                },
            }
        }
    }

    /// Adds it to every run (replication does not depend on the policy).
    pub fn apply(&self, runs: &mut [PolicyRun], region: &Region, start: Timestamp, end: Timestamp) {
        let first = accum::month_of(start);
        let last = accum::month_of(Timestamp(end.0 - 1));
        for run in runs {
            run.accum.merge(&self.source);
            run.usage
                .merge(&self.source.into_usage(region, first, last));
            for (r, acc) in &self.dests {
                run.usage.merge(&acc.into_usage(r, first, last));
            }
        }
    }
}

/// Replays all of `evidence` under each policy over [start, end) in `region`, with
/// replication (the same for every policy) added to each.
#[allow(clippy::too_many_arguments)]
pub fn simulate_with_replication(
    evidence: &Evidence,
    policies: &[Policy],
    opts: &ReplayOptions,
    rules: &S3Rules,
    region: &Region,
    start: Timestamp,
    end: Timestamp,
    replication: &[ReplicationRule],
) -> Vec<PolicyRun> {
    let repl = replicate(
        evidence,
        replication,
        rules,
        region,
        (start, end),
        &opts.future,
    );
    let mut runs = simulate(evidence, policies, opts, rules, region, start, end);
    repl.apply(&mut runs, region, start, end);
    runs
}

/// A simulation in progress: per-policy integer meters and statistics, fed object histories in
/// batches (replayed in parallel), finished into priced-ready `PolicyRun`s. Objects can be
/// streamed through it (an inventory of any size), so memory does not grow with their number.
pub struct Simulation<'a> {
    policies: &'a [Policy],
    opts: &'a ReplayOptions,
    rules: &'a S3Rules,
    region: Region,
    start: Timestamp,
    end: Timestamp,
    acc: Vec<(Accum, Stats)>,
}

impl<'a> Simulation<'a> {
    pub fn new(
        policies: &'a [Policy],
        opts: &'a ReplayOptions,
        rules: &'a S3Rules,
        region: &Region,
        start: Timestamp,
        end: Timestamp,
    ) -> Simulation<'a> {
        let acc = policies
            .iter()
            .map(|_| (Accum::default(), Stats::default()))
            .collect();
        Simulation {
            policies,
            opts,
            rules,
            region: region.clone(),
            start,
            end,
            acc,
        }
    }

    /// Replays a batch of objects under every policy (in parallel over objects; each object,
    /// and each weekly copy of it, is replayed under every policy in turn).
    pub fn replay_batch(&mut self, objects: &[ObjectHistory]) {
        let cxs: Vec<Ctx<'_>> = self
            .policies
            .iter()
            .map(|policy| Ctx {
                policy,
                opts: self.opts,
                rules: self.rules,
                start: self.start,
                end: self.end,
            })
            .collect();
        let (future, end) = (&self.opts.future, self.end);
        // Per-policy accumulators travel through the fold as a `Vec` (moved as a pointer).
        let fresh = || -> Vec<(Accum, Stats)> {
            cxs.iter()
                .map(|_| (Accum::default(), Stats::default()))
                .collect()
        };
        let parts = objects
            .par_iter()
            .fold(fresh, |mut parts, o| {
                future.for_each_instance(o, end, |o| {
                    for (cx, (a, s)) in cxs.iter().zip(parts.iter_mut()) {
                        replay(o, cx, a, s);
                    }
                });
                parts
            })
            .reduce(fresh, |mut a, b| {
                for ((a, s), (b, t)) in a.iter_mut().zip(b) {
                    a.merge(&b);
                    s.merge(&t);
                }
                a
            });
        for ((acc, stats), (a, s)) in self.acc.iter_mut().zip(parts) {
            acc.merge(&a);
            stats.merge(&s);
        }
    }

    /// Adds requests not tied to an object (STANDARD tier-1 / tier-2, §1.2) and converts.
    pub fn finish(self, bucket: &BucketRequests) -> Vec<PolicyRun> {
        let (region, start, end) = (self.region, self.start, self.end);
        self.policies
            .iter()
            .zip(self.acc)
            .map(|(policy, (acc, stats))| {
                finish_run(
                    &policy.name,
                    policy.kind.label(),
                    acc,
                    stats,
                    bucket,
                    &region,
                    start,
                    end,
                )
            })
            .collect()
    }
}

/// A policy's run from its object usage: adds the requests not tied to an object (STANDARD
/// tier-1 / tier-2, §1.2) in [start, end) and converts to `Usage`.
#[allow(clippy::too_many_arguments)]
pub fn finish_run(
    name: &str,
    kind: &str,
    mut acc: Accum,
    stats: Stats,
    bucket: &BucketRequests,
    region: &Region,
    start: Timestamp,
    end: Timestamp,
) -> PolicyRun {
    let first = accum::month_of(start);
    let last = accum::month_of(Timestamp(end.0 - 1));
    for (times, tier) in [
        (&bucket.tier1, RequestTier::Tier1),
        (&bucket.tier2, RequestTier::Tier2),
    ] {
        for t in times.iter().filter(|t| **t >= start && **t < end) {
            acc.add(Meter::Requests(StorageClass::Standard, tier), *t, 1);
        }
    }
    let usage = acc.into_usage(region, first, last);
    PolicyRun {
        name: name.to_string(),
        kind: kind.to_string(),
        accum: acc,
        usage,
        stats,
    }
}

/// Objects built and replayed at a time (and read from an inventory per batch).
pub const BATCH: usize = 1 << 16;

/// Replays all of `evidence` under each policy over [start, end) in `region`.
pub fn simulate(
    evidence: &Evidence,
    policies: &[Policy],
    opts: &ReplayOptions,
    rules: &S3Rules,
    region: &Region,
    start: Timestamp,
    end: Timestamp,
) -> Vec<PolicyRun> {
    let mut sim = Simulation::new(policies, opts, rules, region, start, end);
    for batch in evidence.batches(BATCH) {
        sim.replay_batch(&batch);
    }
    sim.finish(&evidence.bucket_requests)
}
