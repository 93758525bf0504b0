//! `costlab optimize SCENARIO`: the lifecycle rules (and, with a `[compute]` section, the
//! purchase mix) the scenario's evidence argues for, priced by the simulator and chosen by the
//! MILP; writes `recommended-lifecycle.json` (and `purchase-plan.csv`). The lifecycle pass is
//! shared with `costlab run`, which reports the recommendation as the policy `recommended`.

use super::{Failure, input, output};
use clap::{Args, ValueEnum};
use costlab::output::folder;
use costlab::pipeline::{self, Scope};
use costlab::report::folder::{folder_name, recommendation_spec, write_recommendations};
use costlab::scenario::read_scenario;
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
#[command(after_help = "\
The scenario's [optimize.lifecycle] and [optimize.fleet] sections set the search, the groups \
and the constraints (docs/optimize.md); without them the defaults apply: transition days \
searched per prefix from the evidence (from day 0; Standard-IA from day 30) into {STANDARD_IA, \
GLACIER_IR, GLACIER, DEEP_ARCHIVE, INTELLIGENT_TIERING}, chains of up to 3, groups by first key \
segment and 128 KiB, no read made to wait for a restore, AbortIncompleteMultipartUpload after 7 \
days when the logs show multipart uploads.

Every (group, candidate) pair offered is priced by replaying the evidence; a MILP picks one \
candidate per group. put-bucket-lifecycle-configuration replaces the bucket's whole \
configuration: give today's with --current to keep the rules the recommendation does not \
replace. The recommendation is reported next to the scenario's policies and the \
clairvoyant bound; re-simulating the written configuration gives the reported cost exactly.

Examples:
  costlab optimize scenarios/datalake.toml
  costlab optimize scenarios/datalake.toml --what lifecycle --out /tmp/rec --format json
  costlab optimize scenarios/datalake.toml --current today.json")]
pub struct OptimizeArgs {
    /// Scenario file (TOML, docs/scenario.md).
    pub scenario: PathBuf,
    /// What to optimize.
    #[arg(long, value_enum, default_value_t = What::All)]
    pub what: What,
    /// Folder for recommended-lifecycle.json / purchase-plan.csv, replaced whole
    /// [default: reports/<name>-optimize/].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Output on stdout.
    #[arg(long, value_enum, default_value_t = OptFormat::Table)]
    pub format: OptFormat,
    /// The bucket's lifecycle configuration today (JSON or XML, as `aws s3api
    /// get-bucket-lifecycle-configuration` gives it): the written configuration keeps its
    /// rules the recommendation does not replace (overrides `[optimize.lifecycle] current`).
    #[arg(long, value_name = "LIFECYCLE")]
    pub current: Option<PathBuf>,
    #[command(flatten)]
    pub evidence: super::EvidenceArgs,
    #[command(flatten)]
    pub memory: super::MemoryArgs,
    #[command(flatten)]
    pub force: super::ForceArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum What {
    /// Lifecycle rules for the bucket.
    Lifecycle,
    /// The compute purchase mix.
    Fleet,
    /// Whatever the scenario has evidence for.
    All,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OptFormat {
    Table,
    Json,
}

pub fn run(a: &OptimizeArgs) -> Result<u8, Failure> {
    let mut sc = read_scenario(&a.scenario).map_err(input)?;
    let scope = match a.what {
        What::Lifecycle => Scope::Lifecycle,
        What::Fleet => Scope::Fleet,
        What::All => Scope::All,
    };
    pipeline::scope(&mut sc, scope)?;
    if let Some(path) = &a.current {
        let Some(l) = sc.optimize.lifecycle.as_mut() else {
            return Err(input(anyhow::anyhow!(
                "--current: there is no lifecycle to optimize (--what fleet, or no storage \
                 evidence)"
            )));
        };
        l.current = Some(
            costlab::optimize::spec::read_current(path).map_err(|e| input(anyhow::anyhow!(e)))?,
        );
    }
    // Not `reports/<name>/`, where `costlab run` writes its report: replacing that folder with
    // the recommendation alone would lose the report.
    let dir = a.out.clone().unwrap_or_else(|| {
        Path::new("reports").join(format!("{}-optimize", folder_name(&sc.name)))
    });
    folder::check(&dir, &recommendation_spec(a.force.force))?;
    let term = costlab::output::progress::Term::new();
    let o = super::options(&mut sc, &a.evidence, &a.memory, &term, true, true)?;
    let report = pipeline::run(&mut sc, &o)?;
    let written =
        write_recommendations(&report, &dir, a.force.force).map_err(super::run::files_failure)?;
    super::run::note_in_place(&written);
    super::note_skipped(&report.evidence.ledger);
    let text = match a.format {
        OptFormat::Json => {
            let mut t = serde_json::to_string_pretty(&report.optimize).map_err(output)?;
            t.push('\n');
            t
        }
        OptFormat::Table => costlab::report::recommendation_table(&report),
    };
    super::emit(text.as_bytes(), None)?;
    for p in written.files {
        eprintln!("wrote {}", p.display());
    }
    Ok(0)
}
