//! Reading mode (lenient or strict) and the tally of a read: lines read, parsed and skipped,
//! skipped lines counted per reason, and the first few bad lines kept as examples.

use std::collections::BTreeMap;
use std::fmt;

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
pub const MAX_EXAMPLES: usize = 5;

/// The tally of one read (one data file, or a whole delivery).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadSummary {
    /// Data files opened.
    pub files: u64,
    /// Data lines (CSV) or rows (Parquet) read, good and bad; blank lines and a header line
    /// are not counted.
    pub lines_read: u64,
    /// Lines that became records.
    pub parsed: u64,
    /// Lines skipped as malformed (lenient mode).
    pub skipped: u64,
    /// Header lines found (and skipped) at the top of CSV files.
    pub header_lines: u64,
    /// Skipped lines per reason (`BadLine::reason`).
    pub reasons: BTreeMap<String, u64>,
    /// The first [`MAX_EXAMPLES`] skipped lines.
    pub examples: Vec<BadLine>,
}

impl ReadSummary {
    pub(crate) fn skip(&mut self, bad: BadLine) {
        self.skipped += 1;
        *self.reasons.entry(bad.reason()).or_insert(0) += 1;
        if self.examples.len() < MAX_EXAMPLES {
            self.examples.push(bad);
        }
    }

    /// Adds another tally into this one (examples keep the first ones, up to the limit).
    pub fn merge(&mut self, other: &ReadSummary) {
        self.files += other.files;
        self.lines_read += other.lines_read;
        self.parsed += other.parsed;
        self.skipped += other.skipped;
        self.header_lines += other.header_lines;
        for (reason, n) in &other.reasons {
            *self.reasons.entry(reason.clone()).or_insert(0) += n;
        }
        let room = MAX_EXAMPLES.saturating_sub(self.examples.len());
        self.examples
            .extend(other.examples.iter().take(room).cloned());
    }
}

impl ReadSummary {
    /// The tally for the evidence ledger: lines parsed are used, until the caller decides
    /// otherwise.
    pub fn tally(&self) -> crate::trace::ledger::Tally {
        crate::trace::ledger::Tally {
            read: self.lines_read,
            used: self.parsed,
            skipped: self.skipped,
            skip_reasons: self.reasons.clone(),
            not_replayed: BTreeMap::new(),
            examples: self.examples.iter().map(|b| b.to_string()).collect(),
            files: Vec::new(),
        }
    }
}

impl fmt::Display for ReadSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} lines read from {} files, {} parsed, {} skipped",
            self.lines_read, self.files, self.parsed, self.skipped
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
