//! Errors and tallies shared by the compute evidence readers: the reading [`Mode`] (lenient or
//! strict), what is wrong with one line ([`Problem`], [`BadLine`]), the [`ReadSummary`] of a read
//! (lines read, parsed, skipped per reason, first few examples) and [`ComputeError`], whose
//! messages name file, line and field and say how to fix the input.

use std::fmt;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use thiserror::Error;

use crate::units::Timestamp;

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

/// What is wrong with one value or one line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The line has a different number of columns than the header.
    ColumnCount { expected: usize, found: usize },
    /// A value is not valid UTF-8.
    InvalidUtf8,
    /// A required value is empty or absent.
    Missing,
    /// A value does not parse as what the column holds.
    Invalid {
        /// The value as found (shortened to 60 characters).
        value: String,
        /// What was expected, in words.
        expected: String,
    },
    /// The line contradicts itself or the rules of the format.
    Inconsistent(String),
    /// A value that must be unique in the file was seen before (at `first_line`).
    Duplicate { value: String, first_line: u64 },
}

impl Problem {
    /// A short, stable label used to count skipped lines per reason.
    pub fn kind(&self) -> &'static str {
        match self {
            Problem::ColumnCount { .. } => "wrong number of columns",
            Problem::InvalidUtf8 => "invalid UTF-8",
            Problem::Missing => "required value empty",
            Problem::Invalid { .. } => "invalid value",
            Problem::Inconsistent(_) => "inconsistent line",
            Problem::Duplicate { .. } => "duplicate value",
        }
    }

    /// `Problem::Invalid` with the value shortened for messages.
    pub(crate) fn invalid(value: &str, expected: impl Into<String>) -> Problem {
        let value = if value.chars().count() > 60 {
            let mut v: String = value.chars().take(57).collect();
            v.push_str("...");
            v
        } else {
            value.to_string()
        };
        Problem::Invalid {
            value,
            expected: expected.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::ColumnCount { expected, found } => write!(
                f,
                "expected {expected} columns (as many as the header names), found {found}"
            ),
            Problem::InvalidUtf8 => f.write_str("value is not valid UTF-8"),
            Problem::Missing => f.write_str("value is empty but required"),
            Problem::Invalid { value, expected } => write!(f, "{value:?} is not {expected}"),
            Problem::Inconsistent(why) => f.write_str(why),
            Problem::Duplicate { value, first_line } => {
                write!(
                    f,
                    "{value:?} was already used on line {first_line}; values must be unique"
                )
            }
        }
    }
}

/// One malformed line (or, in JSON, one malformed record, located by the line it starts on).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadLine {
    pub path: PathBuf,
    /// 1-based line number in the (decompressed) text.
    pub line: u64,
    /// The column or JSON key the problem is in, spelled as the file spells it, when the
    /// problem is in one value.
    pub field: Option<String>,
    pub problem: Problem,
}

impl BadLine {
    /// The key under which lenient mode counts this line: `"hour: invalid value"`, or the
    /// problem kind alone for whole-line problems.
    pub fn reason(&self) -> String {
        match &self.field {
            Some(field) => format!("{field}: {}", self.problem.kind()),
            None => self.problem.kind().to_string(),
        }
    }
}

impl fmt::Display for BadLine {
    /// `file:line:field: problem` (or `file:line: problem` for whole-line problems).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:", self.path.display(), self.line)?;
        if let Some(field) = &self.field {
            write!(f, "{field}:")?;
        }
        write!(f, " {}", self.problem)
    }
}

/// The tally of one read: the evidence ledger's count of data lines (or JSON records), read
/// through `Deref` (`read`, `parsed`, `skipped`, `reasons`, `examples`; blank and header lines
/// are not data), plus the header lines found and the columns ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadSummary {
    /// Data lines read, parsed, and skipped per reason ([`BadLine::reason`]).
    pub lines: crate::trace::ledger::Skips<BadLine>,
    /// Header lines found (and skipped).
    pub header_lines: u64,
    /// Header columns this reader does not know (ignored), as spelled in the file.
    pub ignored_columns: Vec<String>,
}

impl std::ops::Deref for ReadSummary {
    type Target = crate::trace::ledger::Skips<BadLine>;

    fn deref(&self) -> &crate::trace::ledger::Skips<BadLine> {
        &self.lines
    }
}

impl ReadSummary {
    /// Counts a malformed data line (already counted as read).
    pub(crate) fn skip(&mut self, bad: BadLine) {
        self.lines.skip(&bad.reason(), || bad.clone(), false);
    }
}

impl fmt::Display for ReadSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} lines read, {} parsed, {} skipped",
            self.read, self.parsed, self.skipped
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

/// Two records of one spot series at one instant with different prices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriceConflict {
    /// The series, as `t3.micro in eu-west-1 (Linux/UNIX)`.
    pub key: String,
    pub at: Timestamp,
    pub first: Decimal,
    pub first_path: PathBuf,
    pub first_line: u64,
    pub second: Decimal,
    pub second_path: PathBuf,
    pub second_line: u64,
}

impl fmt::Display for PriceConflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: at {} {}:{} gives {} but {}:{} gives {}; a series needs one price per instant. \
             If the file has no availability-zone column, rows from several zones are \
             interleaved: use a source that keeps the zone",
            self.key,
            self.at,
            self.first_path.display(),
            self.first_line,
            self.first,
            self.second_path.display(),
            self.second_line,
            self.second
        )
    }
}

/// Everything that can go wrong reading compute evidence or generating demand.
#[derive(Debug, Error)]
pub enum ComputeError {
    /// A file could not be opened or read (or decompressed).
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The header row is missing a required column, repeats one, or is absent.
    #[error("{}:{line}:{column}: {reason}", path.display())]
    Header {
        path: PathBuf,
        line: u64,
        column: String,
        reason: String,
    },

    /// A bad line in strict mode.
    #[error("{0}; fix the line or read in lenient mode to skip bad lines")]
    BadLine(Box<BadLine>),

    /// A JSON file is not valid JSON (syntax error or truncated).
    #[error(
        "{}:{line}:{column}: not valid JSON: {message}; a describe-spot-price-history response \
         is one JSON object (or several, one per page, one after another)",
        path.display()
    )]
    Json {
        path: PathBuf,
        line: u64,
        column: u64,
        message: String,
    },

    /// A JSON file is valid but is not a spot price history response.
    #[error("{}:{line}: {reason}", path.display())]
    NotSpotHistory {
        path: PathBuf,
        line: u64,
        reason: String,
    },

    /// Two records for the same series and instant give different prices.
    #[error("{0}")]
    ConflictingPrices(Box<PriceConflict>),

    /// A generator parameter is out of range.
    #[error("demand spec `{field}`: {reason}")]
    Spec { field: String, reason: String },
}

impl ComputeError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        ComputeError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// The bad line behind a strict-mode error.
    pub fn bad_line(&self) -> Option<&BadLine> {
        match self {
            ComputeError::BadLine(b) => Some(b),
            _ => None,
        }
    }
}
