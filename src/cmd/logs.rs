//! `costlab logs parse|stats`: read S3 server access logs.

use super::Failure;
use clap::{Args, Subcommand, ValueEnum};
use costlab::trace::access_log::{LineSource, Mode, ReadError, SkipLog};

/// Read S3 server access logs: normalise them for other tools, or summarise them.
#[derive(Args, Debug)]
pub struct LogsArgs {
    #[command(subcommand)]
    pub command: LogsCommand,
}

#[derive(Subcommand, Debug)]
pub enum LogsCommand {
    Parse(super::logs_parse::ParseArgs),
    Stats(super::logs_stats::StatsArgs),
}

/// Inputs shared by the logs commands.
#[derive(Args, Debug)]
pub struct InputArgs {
    /// Log files, directories (read recursively), glob patterns ('logs/2026-03-*'), or - for
    /// standard input. `.gz` and `.zst` are decompressed. Several inputs merge in time order.
    #[arg(required = true, value_name = "FILES")]
    pub inputs: Vec<String>,
    /// Stop at the first malformed line (exit 2, with file:line:field) instead of skipping it.
    #[arg(long, conflicts_with = "lenient")]
    pub strict: bool,
    /// Accept logs of which up to PCT% of the lines are malformed (skipped and counted).
    /// Default 1%; `--lenient` alone accepts any share short of all. Past the limit, or when
    /// every line is malformed, the command exits 2 (after writing what it read, for `parse`).
    #[arg(long, value_name = "PCT", num_args = 0..=1, default_missing_value = "100")]
    pub lenient: Option<String>,
}

impl InputArgs {
    pub fn sources(&self) -> Result<Vec<LineSource>, Failure> {
        costlab::trace::access_log::reader::expand(&self.inputs).map_err(super::input)
    }

    /// Reports the skipped lines on stderr, then refuses the read (exit 2) if more were
    /// skipped than `--lenient` allows (default 1%) or every line was.
    pub fn finish(&self, log: &SkipLog) -> Result<(), Failure> {
        report_skips(log);
        let limit = match &self.lenient {
            Some(t) => super::lenient_limit(t)?,
            None => costlab::trace::ledger::SkipLimit::default(),
        };
        let mut ledger = costlab::trace::ledger::Ledger::default();
        *ledger.source(costlab::trace::ledger::source::ACCESS_LOGS) = log.tally();
        ledger.check(limit).map_err(super::input)
    }

    pub fn mode(&self) -> Mode {
        if self.strict {
            Mode::Strict
        } else {
            Mode::Lenient
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RecordFormat {
    Jsonl,
    Csv,
}

pub fn run(args: &LogsArgs) -> Result<u8, Failure> {
    match &args.command {
        LogsCommand::Parse(a) => super::logs_parse::run(a),
        LogsCommand::Stats(a) => super::logs_stats::run(a),
    }
}

/// Reading errors: a bad line in strict mode or a missing input is the input's fault (exit 2),
/// an I/O failure too (the file could not be read).
pub fn read_failure(e: ReadError) -> Failure {
    super::input(e)
}

/// The end-of-run report of skipped lines, on stderr.
fn report_skips(log: &SkipLog) {
    if log.skipped == 0 {
        return;
    }
    eprintln!(
        "costlab: skipped {} of {} lines ({}); first {}:",
        log.skipped,
        log.read,
        log.reasons
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join(", "),
        log.examples.len()
    );
    for e in &log.examples {
        eprintln!("  {}", costlab::output::escape::terminal(e));
    }
}
