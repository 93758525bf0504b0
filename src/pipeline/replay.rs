//! The replay stage: every object of the evidence (logs, then the inventory streamed in, or
//! partition by partition past the memory limit) replayed under every policy into metered
//! usage, with the clairvoyant bound, the optimizer's costing pass and replication beside it.

use super::Options;
use super::decide::{LifecyclePass, bound_policy};
use super::error::{PipelineError, input, output};
use super::evidence::{EvidenceReport, Generated, generate_evidence, load_logs};
use super::inventory;
use super::observe::Unit;
use crate::aws::Region;
use crate::optimize::lifecycle_search::Profile;
use crate::pricing::Catalog;
use crate::report::recommendation::LifecycleReport;
use crate::scenario::Scenario;
use crate::sim::s3::grouped::GroupedSimulation;
use crate::sim::s3::spill::{Loaded, Part, Partitioned, StartsWriter};
use crate::sim::s3::{
    BATCH, Evidence, ObjectHistory, PolicyRun, ReplicationRule, ReplicationUsage, Simulation,
    replicate,
};
use crate::trace::ledger::{Tally, source};

/// Replays objects under every policy (and prices the optimizer's candidate rules), counting
/// them for the report.
struct Replay<'r, 's, 'c> {
    sim: &'r mut Simulation<'s>,
    costing: Option<&'r mut GroupedSimulation<'c>>,
    /// The lifecycle search's pre-pass (then `sim` has no policies and `costing` is `None`).
    profile: Option<&'r mut Profile>,
    rep: &'r mut EvidenceReport,
}

impl Replay<'_, '_, '_> {
    fn batch(&mut self, objects: &[ObjectHistory]) {
        self.rep.objects += objects.len();
        self.rep.tally(objects);
        self.sim.replay_batch(objects);
        if let Some(c) = self.costing.as_deref_mut() {
            c.replay_batch(objects);
        }
        if let Some(p) = self.profile.as_deref_mut() {
            objects.iter().for_each(|o| p.add(o));
        }
    }

    /// The objects of `ev` the inventory did not take, in batches (integer meters: the same
    /// result as one call) so that the bar has an ETA.
    fn rest(&mut self, o: &Options<'_>, ev: &mut Evidence, label: &str) {
        ev.done_taking();
        let msg = if self.profile.is_some() {
            "profiling objects for the lifecycle search"
        } else if self.costing.is_some() {
            "replaying objects and pricing candidate rules"
        } else {
            "replaying objects"
        };
        let pb = o
            .observer
            .progress(&format!("{msg}{label}"), Some(ev.len() as u64), Unit::Items);
        for batch in ev.batches(BATCH) {
            self.batch(&batch);
            pb.inc(batch.len() as u64);
        }
    }
}

/// The objects partitioned to disk (past the memory limit). The inventory is read once: an
/// object whose key has no log events is replayed as it is read, the others are written beside
/// their key's partition. Then each partition is loaded and replayed with its inventory
/// objects (its replication first, `replicate_piece`); a partition that passes the limit as
/// it loads is split, its inventory objects with it.
fn replay_partitioned(
    sc: &Scenario,
    o: &Options<'_>,
    ev: &mut Evidence,
    parted: Partitioned,
    r: &mut Replay<'_, '_, '_>,
    replicate_piece: &mut dyn FnMut(&Evidence),
) -> Result<Tally, PipelineError> {
    let mut starts = StartsWriter::create(&parted).map_err(output)?;
    let Partitioned { files, seen } = parted;
    let counted = inventory::stream(sc, o, ev, |objects| {
        let (now, later): (Vec<ObjectHistory>, Vec<ObjectHistory>) =
            objects.into_iter().partition(|o| !seen.may_have(&o.key));
        r.batch(&now);
        later
            .iter()
            .try_for_each(|o| starts.write(o))
            .map_err(output)
    })?;
    let starts = starts.finish().map_err(output)?;
    let mut queue = std::collections::VecDeque::from(Part::pair(files, starts));
    let mut done = 0;
    while let Some(part) = queue.pop_front() {
        let (mut piece, waiting) = match part.load(ev.shard, o.memory_limit).map_err(output)? {
            Loaded::Ready(piece, waiting) => (piece, waiting),
            Loaded::Split(more) => {
                queue.extend(more);
                continue;
            }
        };
        done += 1;
        replicate_piece(&piece);
        let mut batch = Vec::with_capacity(BATCH);
        waiting
            .read(|mut o| {
                o.events = piece.take_events(&o.key);
                batch.push(o);
                if batch.len() == BATCH {
                    r.batch(&batch);
                    batch.clear();
                }
                Ok(())
            })
            .map_err(output)?;
        r.batch(&batch);
        r.rest(
            o,
            &mut piece,
            &format!(" (partition {done}, {} left)", queue.len()),
        );
    }
    Ok(counted)
}

/// The lifecycle search's pre-pass: every object of the evidence (as the replay reads it, the
/// model of the future included) fed to `profile`, no policy replayed.
fn profile_scenario(
    sc: &Scenario,
    o: &Options<'_>,
    catalog: &Catalog,
    profile: &mut Profile,
) -> Result<(), PipelineError> {
    let mut rep = EvidenceReport::default();
    let (mut ev, parted) = load_logs(sc, o, None, &mut rep)?;
    // The model of the future, chosen (and measured) as the replay will choose it.
    let mut chosen = sc.clone();
    super::future::choose(&mut chosen, o, &mut ev, parted.as_ref())?;
    profile.set_future(chosen.options.future.clone());
    let rules = catalog.home().rules.s3.clone();
    let region = catalog.home().region.clone();
    let mut sim = Simulation::new(&[], &sc.options, &rules, &region, sc.start, sc.end);
    let mut r = Replay {
        sim: &mut sim,
        costing: None,
        profile: Some(profile),
        rep: &mut rep,
    };
    match parted {
        None => {
            inventory::stream(sc, o, &mut ev, |objects| {
                r.batch(&objects);
                Ok(())
            })?;
            r.rest(o, &mut ev, "");
        }
        Some(p) => {
            replay_partitioned(sc, o, &mut ev, p, &mut r, &mut |_| {})?;
        }
    }
    Ok(())
}

/// The costing pass finished: every candidate priced once per cohort, with a bar (and its ETA)
/// over cohorts × candidates.
fn price_cohorts(o: &Options<'_>, c: GroupedSimulation<'_>) -> Vec<crate::sim::s3::grouped::Slots> {
    let (cohorts, folded, alone) = c.folded();
    let pb = o.observer.progress(
        &format!(
            "pricing candidate rules: {cohorts} cohorts of {folded} objects ({alone} replayed alone)"
        ),
        Some(c.finish_work()),
        Unit::Items,
    );
    c.finish_with(|n| pb.inc(n))
}

/// A scenario replayed, before rating.
pub(crate) struct Replayed {
    pub catalog: Catalog,
    pub region: Region,
    pub rep: EvidenceReport,
    pub runs: Vec<PolicyRun>,
    /// Replication usage and the policies (indices into `runs`; `runs.len()` stands for the
    /// recommended policy) it applies to.
    pub replication: Vec<(Vec<usize>, ReplicationUsage)>,
    /// The optimizer's lifecycle recommendation, before replication.
    pub recommended: Option<(PolicyRun, LifecycleReport)>,
    /// Removes generated evidence when dropped.
    _generated: Option<Generated>,
}

/// Reads (or generates) a scenario's evidence and replays it under every policy, plus the
/// clairvoyant bound and the optimizer's costing pass as `extras` ask; only shard `shard` of
/// the objects when given.
pub(crate) fn replay_scenario(
    sc: &mut Scenario,
    o: &Options<'_>,
    shard: Option<(u64, u64)>,
) -> Result<Replayed, PipelineError> {
    let bound = o.bound;
    let mut lifecycle = match (&sc.optimize.lifecycle, o.optimize) {
        (Some(spec), true) => Some(LifecyclePass::new(spec)?),
        _ => None,
    };
    let generated = generate_evidence(sc, o)?;
    if sc.logs.is_empty() && sc.inventory.is_none() {
        return Err(input(
            "no evidence: give logs, an inventory, or a generator spec".to_string(),
        ));
    }
    let catalog = Catalog::open(sc.pricing.as_deref(), sc.region.as_deref()).map_err(input)?;
    let region: Region = catalog.home().region.clone();
    // The lifecycle search reads the evidence once before the replay, to choose the
    // candidates the costing pass prices.
    if let Some(l) = lifecycle.as_mut()
        && let Some(mut profile) = l.profile(sc)
    {
        profile_scenario(sc, o, &catalog, &mut profile)?;
        l.search(sc, o, &profile, &catalog)?;
    }
    let mut rep = EvidenceReport::default();
    let (mut ev, parted) = load_logs(sc, o, shard, &mut rep)?;
    rep.future = Some(super::future::choose(sc, o, &mut ev, parted.as_ref())?);
    let rules = catalog.home().rules.s3.clone();
    if bound {
        let b = bound_policy(catalog.home(), &sc.policies);
        sc.policies.push(b);
    }
    // Replication: once per distinct set of rules the policies run with.
    let mut sets: Vec<(Vec<usize>, Vec<ReplicationRule>)> = Vec::new();
    // The recommended policy (index `sc.policies.len()`) runs with the rules every compared
    // policy shares, as the bound does.
    let total = sc.policies.len() + usize::from(lifecycle.is_some());
    if sc.policy_replication.is_empty() {
        sets.push(((0..total).collect(), sc.replication.clone()));
    } else {
        // The bound (when present) runs with the rules every compared policy runs with, so
        // that its distance to each policy is about storage, not about a DR choice.
        let mut lists = sc.policy_replication.clone();
        let shared: Vec<usize> = (0..sc.replication.len())
            .filter(|i| lists.iter().all(|l| l.contains(i)))
            .collect();
        while lists.len() < total {
            lists.push(shared.clone());
        }
        let mut by_set: Vec<(&Vec<usize>, Vec<usize>)> = Vec::new();
        for (i, set) in lists.iter().enumerate() {
            match by_set.iter_mut().find(|(s, _)| *s == set) {
                Some((_, who)) => who.push(i),
                None => by_set.push((set, vec![i])),
            }
        }
        for (set, who) in by_set {
            sets.push((
                who,
                set.iter().map(|i| sc.replication[*i].clone()).collect(),
            ));
        }
    }
    let mut replication: Vec<(Vec<usize>, ReplicationUsage)> = sets
        .iter()
        .map(|(who, _)| (who.clone(), ReplicationUsage::default()))
        .collect();
    let mut sim = Simulation::new(&sc.policies, &sc.options, &rules, &region, sc.start, sc.end);
    let mut costing = lifecycle.as_ref().map(|l| l.simulation(sc, &rules));
    // Replication depends only on the logs' writes: computed for a piece of evidence (all of
    // it, or a partition) before the inventory takes its events.
    let mut replicate_piece = |piece: &Evidence| {
        for ((_, rules_of), (_, usage)) in sets.iter().zip(replication.iter_mut()) {
            usage.merge(&replicate(
                piece,
                rules_of,
                &rules,
                &region,
                (sc.start, sc.end),
                &sc.options.future,
            ));
        }
    };
    let mut r = Replay {
        sim: &mut sim,
        costing: costing.as_mut(),
        profile: None,
        rep: &mut rep,
    };
    let counted = match parted {
        None => {
            replicate_piece(&ev);
            let counted = inventory::stream(sc, o, &mut ev, |objects| {
                r.batch(&objects);
                Ok(())
            })?;
            r.rest(o, &mut ev, "");
            counted
        }
        Some(p) => replay_partitioned(sc, o, &mut ev, p, &mut r, &mut replicate_piece)?,
    };
    if sc.inventory.is_some() {
        *rep.ledger.source(source::INVENTORY) = counted;
    }
    // Generated evidence lives in a temporary folder: the report names it by its spec, so
    // that the same scenario gives the same bytes.
    if let Some(g) = &generated {
        rep.ledger.relabel(
            &g.path.display().to_string(),
            &format!("(generated from {})", g.spec),
        );
    }
    rep.ledger.check(o.reading.limit).map_err(input)?;
    let runs = sim.finish(&ev.bucket_requests);
    let recommended = match (lifecycle.as_ref(), costing) {
        (Some(l), Some(c)) => {
            let slots = price_cohorts(o, c);
            Some(l.recommend(
                sc,
                o,
                slots,
                &catalog,
                &ev.bucket_requests,
                ev.multipart_uploads,
            )?)
        }
        _ => None,
    };
    Ok(Replayed {
        catalog,
        region,
        rep,
        runs,
        replication,
        recommended,
        _generated: generated,
    })
}

impl Replayed {
    /// The runs to rate, replication applied to the policies that run with it: the compared
    /// policies, the recommendation (after them, before the bound when there is one) and the
    /// bound; with the recommendation's report.
    pub(crate) fn runs_with_replication(
        &mut self,
        sc: &Scenario,
        bound: bool,
    ) -> (Vec<PolicyRun>, Option<LifecycleReport>) {
        let n = self.runs.len();
        let mut runs = std::mem::take(&mut self.runs);
        let mut recommended = self.recommended.take();
        for (who, usage) in &self.replication {
            let mut picked: Vec<PolicyRun> = who
                .iter()
                .filter(|i| **i < n)
                .map(|i| runs[*i].clone())
                .collect();
            usage.apply(&mut picked, &self.region, sc.start, sc.end);
            for (i, run) in who.iter().zip(picked) {
                runs[*i] = run;
            }
            if let Some((run, _)) = recommended.as_mut().filter(|_| who.contains(&n)) {
                usage.apply(std::slice::from_mut(run), &self.region, sc.start, sc.end);
            }
        }
        let mut lifecycle = None;
        if let Some((run, rec)) = recommended {
            // Listed after the compared policies, before the bound.
            let at = if bound { n - 1 } else { n };
            runs.insert(at, run);
            lifecycle = Some(rec);
        }
        (runs, lifecycle)
    }
}
