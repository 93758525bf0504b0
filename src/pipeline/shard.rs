//! A run split by key: [`shard`] replays the objects of one shard and keeps its integer meters
//! (`sim::s3::shard::Shard`); [`merge`] adds a complete set and rates the whole, giving the
//! whole run's report byte for byte.

use super::Options;
use super::error::{PipelineError, input, output};
use super::evidence::EvidenceReport;
use super::{compute, rate, replay};
use crate::pricing::Catalog;
use crate::report::Report;
use crate::scenario::Scenario;
use crate::sim::s3::shard::{Shard, ShardEvidence};
use crate::sim::s3::{Future, PolicyRun, ReplayOptions, WeeklyRepeat, accum};
use crate::units::Timestamp;
use std::path::PathBuf;

/// Shard `index` of `count` (1-based) of the scenario: the objects whose key hashes to it,
/// requests not tied to an object in shard 1, and (shard 1) the compute section whole.
/// `o.optimize` is ignored: the optimizer needs every object at once.
pub fn shard(
    sc: &mut Scenario,
    o: &Options<'_>,
    index: u64,
    count: u64,
) -> Result<Shard, PipelineError> {
    let o = Options {
        optimize: false,
        ..*o
    };
    let mut r = replay::replay_scenario(sc, &o, Some((index, count)))?;
    let replication = std::mem::take(&mut r.replication);
    let mut ledger = std::mem::take(&mut r.rep.ledger);
    // Compute is not split by key: shard 1 carries it whole.
    let compute = match index {
        1 => compute::compute_report(sc, &mut r.catalog, &o)?,
        _ => None,
    };
    let compute = match compute {
        Some(c) => {
            ledger.merge(&c.ledger);
            Some(serde_json::to_value(&c.report).map_err(output)?)
        }
        None => None,
    };
    Ok(Shard {
        scenario: sc.name.clone(),
        seed: sc.seed,
        versioning: sc.options.versioning,
        repeat_from: sc.options.future.weekly().map(|r| r.from),
        index,
        count,
        start: sc.start,
        end: sc.end,
        region: r.region.clone(),
        policies: std::mem::take(&mut r.runs)
            .into_iter()
            .map(|r| (r.name, r.kind, r.accum, r.stats))
            .collect(),
        replication,
        evidence: ShardEvidence {
            ledger,
            objects: r.rep.objects as u64,
            prefixes: std::mem::take(&mut r.rep.prefixes),
        },
        current: sc.current.clone(),
        pricing: sc.pricing.as_ref().map(|p| p.display().to_string()),
        compute,
        future: match &r.rep.future {
            Some(f) => Some(serde_json::to_value(f).map_err(output)?),
            None => None,
        },
    })
}

/// The report of a complete set of shards of one run, priced with `pricing` (default: the
/// scenario's pricing file the shards carry, else the built-in book of their region).
pub fn merge(shards: Vec<Shard>, pricing: Option<PathBuf>) -> Result<Report, PipelineError> {
    let whole = Shard::merge(shards).map_err(input)?;
    let region = whole.region.clone();
    let pricing = pricing.or_else(|| whole.pricing.as_ref().map(PathBuf::from));
    let mut catalog = Catalog::open(pricing.as_deref(), Some(region.as_str())).map_err(input)?;
    let (first, last) = (
        accum::month_of(whole.start),
        accum::month_of(Timestamp(whole.end.0 - 1)),
    );
    let mut runs: Vec<PolicyRun> = whole
        .policies
        .into_iter()
        .map(|(name, kind, acc, stats)| PolicyRun {
            usage: acc.into_usage(&region, first, last),
            name,
            kind,
            accum: acc,
            stats,
        })
        .collect();
    // Each set of rules applies to the policies that run with it.
    for (who, usage) in &whole.replication {
        let mut picked: Vec<PolicyRun> = who.iter().filter_map(|i| runs.get(*i).cloned()).collect();
        usage.apply(&mut picked, &region, whole.start, whole.end);
        for (i, run) in who.iter().zip(picked) {
            if let Some(slot) = runs.get_mut(*i) {
                *slot = run;
            }
        }
    }
    let rep =
        EvidenceReport {
            ledger: whole.evidence.ledger,
            objects: whole.evidence.objects as usize,
            prefixes: whole.evidence.prefixes,
            future: match whole.future {
                Some(f) => Some(serde_json::from_value(f).map_err(|e| {
                    input(format!("the shards' `future` is not a future record: {e}"))
                })?),
                None => None,
            },
        };
    let sc = Scenario {
        name: whole.scenario,
        region: Some(region.to_string()),
        pricing,
        start: whole.start,
        end: whole.end,
        seed: whole.seed,
        logs: Vec::new(),
        inventory: None,
        generate: None,
        future: None,
        max_skipped_pct: None,
        options: ReplayOptions {
            versioning: whole.versioning,
            future: whole
                .repeat_from
                .map_or(Future::Silent, |from| Future::Weekly(WeeklyRepeat { from })),
            ..ReplayOptions::default()
        },
        policies: Vec::new(),
        replication: Vec::new(),
        policy_replication: Vec::new(),
        current: whole.current,
        compute: None,
        optimize: Default::default(),
    };
    let mut report = rate::report(&sc, &rep, &runs, &mut catalog)?;
    if let Some(c) = whole.compute {
        report.compute = Some(
            serde_json::from_value(c)
                .map_err(|e| input(format!("shard 1: `compute` is not a compute report: {e}")))?,
        );
    }
    rate::finish(&mut report, &catalog);
    Ok(report)
}
