//! One run of a scenario, stage by stage — what `costlab run`, `simulate`, `optimize`, `check`
//! and `merge` share, and the entry point for a library user:
//!
//! ```text
//! Scenario ─ evidence ─> Evidence ─ replay ─> runs (usage per policy) ─ rate ─> bills
//!          (logs, inventory,        (every policy, the bound,     (price books)
//!           generated; ledger)       costing pass, replication)
//!                                                 └─ decide ─> recommendations ─ assemble ─> Report
//! ```
//!
//! Files: `evidence` and `inventory` (reading), `replay`, `rate`, `decide` (the lifecycle
//! optimizer's pass, the bound, the purchase mix via `compute`), `assemble` (the report),
//! `shard` (a run split by key and merged), `memory` (the evidence's memory limit), `observe`
//! (progress and notes, never printed here), `error`.
//!
//! ```no_run
//! use costlab::pipeline::{self, Options};
//! let mut sc = costlab::scenario::read_scenario("scenarios/datalake.toml".as_ref())?;
//! let report = pipeline::run(&mut sc, &Options::default())?;
//! println!("{}: {}", report.policies[0].name, report.policies[0].total_usd);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod assemble;
mod compute;
mod decide;
mod error;
mod estimate;
mod evidence;
mod future;
mod inventory;
pub mod memory;
pub mod observe;
mod rate;
mod replay;
mod sensitivity;
mod shard;

pub use compute::rate_card;
pub use decide::{RECOMMENDED, Scope, scope};
pub use error::PipelineError;
pub use estimate::estimate;
pub use evidence::{EvidenceReport, Reading};
pub use observe::{Observer, Progress, Silent, Unit};
pub use shard::{merge, shard};

use crate::pricing::Catalog;
use crate::report::Report;
use crate::scenario::Scenario;
use error::input;

/// How a run goes.
pub struct Options<'o> {
    /// Strict, or lenient within a limit on skipped evidence.
    pub reading: Reading,
    /// Report the clairvoyant bound.
    pub bound: bool,
    /// Run the optimizers the scenario's `[optimize]` asks for.
    pub optimize: bool,
    /// Bytes the evidence may hold before it is partitioned to disk.
    pub memory_limit: usize,
    /// When the horizon runs past the evidence, every policy's total under each model of the
    /// future (one more replay per model). Never in a shard.
    pub sensitivity: bool,
    /// Receives progress and notes.
    pub observer: &'o dyn Observer,
}

impl Default for Options<'_> {
    /// Lenient within 1%, with the bound, the optimizers and the side-by-side models, 60% of
    /// memory, silent.
    fn default() -> Self {
        Options {
            reading: Reading::default(),
            bound: true,
            optimize: true,
            memory_limit: memory::default_limit(),
            sensitivity: true,
            observer: &Silent,
        }
    }
}

/// A scenario, end to end: its evidence read (or generated) and replayed under every policy
/// (with the bound and the optimizer as `o` asks), replication applied, every run rated, the
/// compute section simulated, all in one versioned report.
pub fn run(sc: &mut Scenario, o: &Options<'_>) -> Result<Report, PipelineError> {
    let (mut report, mut catalog) = if sc.policies.is_empty() {
        // A compute-only scenario: no storage evidence to replay.
        let catalog = Catalog::open(sc.pricing.as_deref(), sc.region.as_deref()).map_err(input)?;
        let r = assemble::report(sc, &EvidenceReport::default(), &[], &[]);
        (r, catalog)
    } else {
        let pristine = sc.clone();
        let mut r = replay::replay_scenario(sc, o, None)?;
        let (runs, lifecycle) = r.runs_with_replication(sc, o.bound);
        for rule in &sc.replication {
            r.catalog.ensure(&rule.destination_region).map_err(input)?;
        }
        let mut report = rate::report(sc, &r.rep, &runs, &mut r.catalog)?;
        if let Some(rec) = lifecycle {
            report
                .optimize
                .get_or_insert_with(Default::default)
                .lifecycle = Some(rec);
        }
        // Generated evidence is generated once: the other models replay the same files (they
        // live until `r` is dropped).
        let mut base = pristine;
        if base.generate.take().is_some() {
            base.logs = sc.logs.clone();
            base.inventory = sc.inventory.clone();
        }
        side_by_side(&base, o, &mut report)?;
        (report, r.catalog)
    };
    if let Some(c) = compute::compute_report(sc, &mut catalog, o)? {
        report.compute = Some(c.report);
        report.evidence.ledger.merge(&c.ledger);
        if let Some(f) = c.fleet {
            report.optimize.get_or_insert_with(Default::default).fleet = Some(f);
        }
    }
    rate::finish(&mut report, &catalog);
    Ok(report)
}

/// When the horizon runs past the evidence, every policy's total under each model of the
/// future, beside the chosen one's (in `evidence.future.sensitivity`).
fn side_by_side(
    pristine: &Scenario,
    o: &Options<'_>,
    report: &mut Report,
) -> Result<(), PipelineError> {
    if !o.sensitivity {
        return Ok(());
    }
    let Some(f) = report.evidence.future.as_ref().filter(|f| f.applies) else {
        return Ok(());
    };
    let Some(chosen) = crate::sim::s3::FutureModel::parse(&f.model) else {
        return Ok(());
    };
    let table = sensitivity::compare(pristine, o, report, chosen)?;
    if !table.not_first_under.is_empty() {
        o.observer.note(&format!(
            "the ranking depends on the future: {} is not the cheapest under {}",
            table.first.as_deref().unwrap_or("the first policy"),
            table.not_first_under.join(", ")
        ));
    }
    if let Some(f) = report.evidence.future.as_mut() {
        f.sensitivity = Some(table);
    }
    Ok(())
}
