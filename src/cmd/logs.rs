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
    #[arg(long)]
    pub strict: bool,
}

impl InputArgs {
    pub fn sources(&self) -> Result<Vec<LineSource>, Failure> {
        costlab::trace::access_log::reader::expand(&self.inputs).map_err(super::input)
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
pub fn report_skips(log: &SkipLog) {
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
