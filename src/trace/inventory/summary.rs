//! Reading mode (lenient or strict) and the tally of a read: lines read, parsed and skipped,
//! skipped lines counted per reason, and the first few bad lines kept as examples.

use std::fmt;

use crate::trace::ledger::Skips;

use super::error::BadLine;

/// What to do with a malformed line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Mode {
    /// Skip it, count it per reason and keep the first few as examples (the default).
    #[default]
    Lenient,
    /// Stop at the first one with an error naming file, line and field.
    Strict,
}

/// How many bad lines a summary keeps as examples.
pub const MAX_EXAMPLES: usize = crate::trace::ledger::MAX_EXAMPLES;

/// The tally of one read (one data file, or a whole delivery): the evidence ledger's count of
/// lines (read through `Deref`: `read`, `parsed`, `skipped`, `reasons`, `examples`), plus the
/// files opened and the header lines found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadSummary {
    /// Data files opened.
    pub files: u64,
    /// Header lines found (and skipped) at the top of CSV files.
    pub header_lines: u64,
    /// Data lines (CSV) or rows (Parquet): read (good and bad; blank lines and a header line
    /// are not counted), parsed, and skipped per reason ([`BadLine::reason`]).
    pub lines: Skips<BadLine>,
}

impl std::ops::Deref for ReadSummary {
    type Target = Skips<BadLine>;

    fn deref(&self) -> &Skips<BadLine> {
        &self.lines
    }
}

impl ReadSummary {
    /// Counts a malformed data line (already counted as read).
    pub(crate) fn skip(&mut self, bad: BadLine) {
        self.lines.skip(&bad.reason(), || bad.clone(), false);
    }

    /// Adds another tally into this one (examples keep the first ones, up to the limit).
    pub fn merge(&mut self, other: &ReadSummary) {
        self.files += other.files;
        self.header_lines += other.header_lines;
        self.lines.merge(&other.lines);
    }
}

impl fmt::Display for ReadSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} lines read from {} files, {} parsed, {} skipped",
            self.read, self.files, self.parsed, self.skipped
        )?;
        for (reason, n) in &self.reasons {
            write!(f, "\n  {n} × {reason}")?;
        }
        for bad in &self.examples {
            write!(f, "\n  e.g. {bad}")?;
        }
        Ok(())
    }
}
