//! The flag groups several commands share: how evidence is read (`--strict`, `--lenient`),
//! the memory the evidence may hold (`--memory-limit`), whether a foreign folder may be written
//! into (`--force`), and the pipeline options they make.

use super::{Failure, input};

/// A run's options from the flags every scenario command shares (a `--future` given on the
/// command line replaces the scenario's).
pub fn options<'o>(
    sc: &mut costlab::scenario::Scenario,
    evidence: &EvidenceArgs,
    memory: &MemoryArgs,
    observer: &'o costlab::output::progress::Term,
    bound: bool,
    optimize: bool,
) -> Result<costlab::pipeline::Options<'o>, Failure> {
    if let Some(f) = evidence.future {
        sc.future = Some(f.model());
    }
    Ok(costlab::pipeline::Options {
        reading: evidence.reading(sc)?,
        bound,
        optimize,
        memory_limit: memory.limit()?,
        sensitivity: !evidence.no_side_by_side,
        observer,
    })
}

/// `--force` for the commands that write a folder.
#[derive(clap::Args, Debug, Default)]
pub struct ForceArgs {
    /// Write into an existing folder that costlab did not make (only costlab's files are
    /// written; the others are left). Without it such a folder is refused. A folder costlab
    /// made is replaced whole (docs/report.md, "Output files and folders").
    #[arg(long)]
    pub force: bool,
}

/// `--strict` and `--lenient`, for the commands that read evidence (`simulate`, `run`,
/// `optimize`, `check`).
#[derive(clap::Args, Debug, Default)]
pub struct EvidenceArgs {
    /// Stop at the first malformed evidence line, naming file, line and field (exit 2).
    #[arg(long, conflicts_with = "lenient")]
    pub strict: bool,
    /// Accept evidence of which up to PCT% of any source's lines are malformed (skipped,
    /// counted per reason and listed in the report). Default: 1%, or the scenario's
    /// `[evidence] max_skipped_pct`; `--lenient` alone accepts any share short of all. A source
    /// whose every line is malformed is always refused.
    #[arg(long, value_name = "PCT", num_args = 0..=1, default_missing_value = "100")]
    pub lenient: Option<String>,
    /// What happens past the end of the evidence (default: the scenario's `[evidence] future`,
    /// else `age-profile` when the horizon runs past the logs): `age-profile` continues access
    /// as measured by object age, `repeat-weekly` repeats the last week, `silent` reads nothing
    /// more (docs/scenario.md, "The future past the evidence").
    #[arg(long, value_enum, value_name = "MODEL")]
    pub future: Option<FutureArg>,
    /// Leave out every policy's total under the other models of the future (each model is
    /// one more replay of the evidence; a sharded run never has them).
    #[arg(long)]
    pub no_side_by_side: bool,
}

/// `--future`'s values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FutureArg {
    AgeProfile,
    RepeatWeekly,
    Silent,
}

impl FutureArg {
    pub fn model(self) -> costlab::sim::s3::FutureModel {
        use costlab::sim::s3::FutureModel;
        match self {
            FutureArg::AgeProfile => FutureModel::AgeProfile,
            FutureArg::RepeatWeekly => FutureModel::RepeatWeekly,
            FutureArg::Silent => FutureModel::Silent,
        }
    }
}

impl EvidenceArgs {
    /// How evidence is read for `sc`: strict, or lenient within a limit (the flag's, else the
    /// scenario's, else the default 1%).
    pub fn reading(
        &self,
        sc: &costlab::scenario::Scenario,
    ) -> Result<costlab::pipeline::Reading, Failure> {
        let limit = match (&self.lenient, sc.max_skipped_pct) {
            (Some(text), _) => lenient_limit(text)?,
            (None, Some(pct)) => costlab::trace::ledger::SkipLimit {
                max_pct: pct,
                origin: "the scenario's [evidence] max_skipped_pct",
            },
            (None, None) => costlab::trace::ledger::SkipLimit::default(),
        };
        Ok(costlab::pipeline::Reading {
            strict: self.strict,
            limit,
        })
    }
}

/// The limit `--lenient PCT` sets.
pub fn lenient_limit(text: &str) -> Result<costlab::trace::ledger::SkipLimit, Failure> {
    let pct = costlab::tomlx::parse_decimal(text.trim_end_matches('%'))
        .filter(|p| *p >= rust_decimal::Decimal::ZERO && *p <= rust_decimal::Decimal::ONE_HUNDRED)
        .ok_or_else(|| {
            input(anyhow::anyhow!(
                "--lenient {text:?}: expected a percentage from 0 to 100"
            ))
        })?;
    Ok(costlab::trace::ledger::SkipLimit {
        max_pct: pct,
        origin: "--lenient",
    })
}

/// `--memory-limit`, for the commands that replay S3 evidence (`simulate`, `run`, `optimize`,
/// `check`).
#[derive(clap::Args, Debug, Default)]
pub struct MemoryArgs {
    /// Memory the S3 evidence (objects gathered from access logs) may hold before it is
    /// partitioned to disk by key hash and replayed partition by partition, with the same
    /// results: a size such as 8GiB or 512MiB. Default: the environment variable
    /// COSTLAB_MEMORY_LIMIT, else 60% of physical memory (or of a cgroup limit). Partition
    /// files go under TMPDIR (docs/scenario.md, "Memory").
    #[arg(long, value_name = "SIZE")]
    pub memory_limit: Option<String>,
}

impl MemoryArgs {
    /// The evidence's memory limit: `--memory-limit SIZE`, else the environment variable
    /// `COSTLAB_MEMORY_LIMIT`, else 60% of the memory this process may use.
    pub fn limit(&self) -> Result<usize, Failure> {
        let env = std::env::var("COSTLAB_MEMORY_LIMIT").ok();
        let (text, from) = match (self.memory_limit.as_deref(), env.as_deref()) {
            (Some(f), _) => (f, "--memory-limit"),
            (None, Some(e)) => (e, "COSTLAB_MEMORY_LIMIT"),
            (None, None) => return Ok(costlab::pipeline::memory::default_limit()),
        };
        parse_size(text).ok_or_else(|| {
            input(anyhow::anyhow!(
                "{from} {text:?}: expected a size such as 8GiB, 512MiB or 1000000 (bytes)"
            ))
        })
    }
}

/// A size in bytes: a number with an optional binary unit (KiB, MiB, GiB, TiB; K, M, G, T and
/// KB, MB, GB, TB are read as the same binary units), case-insensitive
/// (`costlab::trace::input::parse_size`, which also reads COSTLAB_MAX_DECOMPRESSED).
pub fn parse_size(s: &str) -> Option<usize> {
    costlab::trace::input::parse_size(s).and_then(|n| usize::try_from(n).ok())
}
