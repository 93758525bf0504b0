//! The command line: one file per subcommand, each owning its clap `Args` and a `run` function.
//! Errors become exit codes here: 0 success, 1 a budget is broken (`check`), 2 the inputs are
//! wrong (usage, pricing, arguments), 3 an output could not be written.

pub mod args;
pub mod check;
pub mod estimate;
pub mod generate;
pub mod lifecycle;
pub mod logs;
pub mod logs_parse;
pub mod logs_stats;
pub mod merge;
pub mod optimize;
pub mod pricing;
pub mod report;
pub mod run;
pub mod simulate;

use std::fmt;

pub use args::{EvidenceArgs, ForceArgs, MemoryArgs, lenient_limit, options};

/// A failed command: the exit code and the message for stderr.
pub struct Failure {
    pub code: u8,
    pub error: anyhow::Error,
}

impl Failure {
    /// The error and its causes on one line, `outer: cause: cause`. A cause whose text the
    /// message before it already ends with is not repeated (many library errors name their
    /// I/O cause in their own message and also return it as `source()`).
    pub fn message(&self) -> String {
        let mut out = self.error.to_string();
        for cause in self.error.chain().skip(1) {
            let text = cause.to_string();
            if !out.ends_with(&text) {
                out.push_str(": ");
                out.push_str(&text);
            }
        }
        out
    }
}

impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

/// Reads log records with progress over the files' stored bytes (rate, ETA, records so far).
pub fn read_logs_with_progress<E: From<costlab::trace::access_log::reader::ReadError>>(
    reader: costlab::trace::access_log::reader::LogReader,
    sources: &[costlab::trace::access_log::reader::LineSource],
    mut f: impl FnMut(
        &costlab::trace::access_log::reader::At<'_>,
        &costlab::trace::access_log::Record<'_>,
    ) -> Result<(), E>,
) -> Result<costlab::trace::access_log::reader::SkipLog, E> {
    use costlab::pipeline::{Observer, Unit};
    let total: u64 = sources.iter().map(|s| s.stored_bytes()).sum();
    let term = costlab::output::progress::Term::new();
    let pb = term.progress("reading logs", Some(total), Unit::Bytes);
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut records = 0u64;
    reader.counting(counter.clone()).for_each(sources, |at, r| {
        records += 1;
        if records.is_multiple_of(4096) {
            pb.set_position(counter.load(std::sync::atomic::Ordering::Relaxed));
            pb.set_message(|| format!("{records} records"));
        }
        f(at, r)
    })
}

/// A run that failed: its inputs (exit 2) or an output (exit 3).
impl From<costlab::pipeline::PipelineError> for Failure {
    fn from(e: costlab::pipeline::PipelineError) -> Failure {
        Failure {
            code: if e.is_input() {
                EXIT_INPUT
            } else {
                EXIT_OUTPUT
            },
            error: e.into(),
        }
    }
}

/// On stderr, when any evidence was skipped as malformed: one line per source with its
/// reasons, and the first examples (the report's `evidence.ledger` holds them all).
pub fn note_skipped(ledger: &costlab::trace::ledger::Ledger) {
    if ledger.skipped() == 0 {
        return;
    }
    eprintln!("note: malformed evidence was skipped (evidence.ledger in the JSON report):");
    use costlab::output::escape::terminal;
    for line in ledger.lines() {
        eprintln!("  {}", terminal(&line));
    }
    for (name, t) in &ledger.sources {
        for e in &t.examples {
            eprintln!("  e.g. {name}: {}", terminal(e));
        }
    }
}

/// A budget is broken (`costlab check`).
pub const EXIT_BUDGET: u8 = 1;
pub const EXIT_INPUT: u8 = 2;
pub const EXIT_OUTPUT: u8 = 3;

/// Wrong input: exit 2.
pub fn input<E: Into<anyhow::Error>>(e: E) -> Failure {
    Failure {
        code: EXIT_INPUT,
        error: e.into(),
    }
}

/// An output that could not be written: exit 3.
pub fn output<E: Into<anyhow::Error>>(e: E) -> Failure {
    Failure {
        code: EXIT_OUTPUT,
        error: e.into(),
    }
}

/// Writes `bytes` to `--output FILE` (by the rules of `costlab::output::file`: atomically,
/// devices and FIFOs written through, links followed), or to stdout. A closed pipe
/// (`costlab … | head`) is not a failure; any other error writing stdout (a closed stdout,
/// a full disk) is exit 3.
pub fn emit(bytes: &[u8], path: Option<&std::path::Path>) -> Result<(), Failure> {
    match path {
        Some(p) => costlab::output::write_atomic(p, bytes)
            .map_err(|e| output(anyhow::anyhow!("cannot write {}: {e}", p.display()))),
        None => stdout(bytes),
    }
}

/// Writes `bytes` to stdout: a closed pipe ends quietly (exit 0), any other error is exit 3.
pub fn stdout(bytes: &[u8]) -> Result<(), Failure> {
    costlab::output::stdio::write_stdout(bytes).or_else(stdout_error)
}

/// A write error on stdout as a result: a closed pipe is success, anything else exit 3.
pub fn stdout_error(e: std::io::Error) -> Result<(), Failure> {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(output(anyhow::anyhow!(
            "cannot write to standard output: {e}"
        )))
    }
}

impl From<costlab::output::folder::FolderError> for Failure {
    fn from(e: costlab::output::folder::FolderError) -> Self {
        if e.is_input() { input(e) } else { output(e) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("inventory.json: cannot read: {source}")]
    struct Named {
        #[source]
        source: std::io::Error,
    }

    /// A cause already in its parent's message is printed once; a new one is appended.
    #[test]
    fn causes_are_not_repeated() {
        let io = || std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let f = Failure {
            code: 2,
            error: anyhow::Error::new(Named { source: io() }),
        };
        assert_eq!(f.message(), "inventory.json: cannot read: no such file");
        let f = Failure {
            code: 2,
            error: anyhow::Error::new(io()).context("reading the scenario"),
        };
        assert_eq!(f.message(), "reading the scenario: no such file");
        let f = Failure {
            code: 3,
            error: anyhow::Error::new(Named { source: io() }).context("writing the report"),
        };
        assert_eq!(
            f.message(),
            "writing the report: inventory.json: cannot read: no such file"
        );
    }
}
