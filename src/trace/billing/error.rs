//! What can go wrong reading a billing export: a file that cannot be read or decoded, a
//! header that is not a known export, and malformed rows ([`BadRow`], counted in lenient
//! mode, fatal in strict mode). Messages name the file, the line (CSV) or row (Parquet) and
//! the column.

use std::fmt;
use std::path::{Path, PathBuf};

use thiserror::Error;

pub use crate::trace::compute::{Mode, Problem};

/// Where a row is: a CSV line (1-based, in the decompressed text) or a Parquet row (1-based,
/// counted over the file's row groups).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Line(u64),
    Row(u64),
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Line(n) => write!(f, "{n}"),
            Place::Row(n) => write!(f, "row {n}"),
        }
    }
}

/// One malformed row of a billing export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadRow {
    pub path: PathBuf,
    pub place: Place,
    /// The column the problem is in, as the file spells it, when it is in one value.
    pub field: Option<String>,
    pub problem: Problem,
}

impl BadRow {
    /// The key lenient mode counts this row under: `column: problem kind`.
    pub fn reason(&self) -> String {
        match &self.field {
            Some(field) => format!("{field}: {}", self.problem.kind()),
            None => self.problem.kind().to_string(),
        }
    }
}

impl fmt::Display for BadRow {
    /// `file:line:column: problem` (CSV) or `file:row N:column: problem` (Parquet).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:", self.path.display(), self.place)?;
        if let Some(field) = &self.field {
            write!(f, "{field}:")?;
        }
        write!(f, " {}", self.problem)
    }
}

/// Everything that stops a billing export from being read.
#[derive(Debug, Error)]
pub enum BillingError {
    /// A file could not be opened, read or decompressed (or broke an input limit).
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The header (or Parquet schema) is not one of a known export, or lacks a column the
    /// reader needs.
    #[error("{}: {reason}", path.display())]
    Schema { path: PathBuf, reason: String },
    /// A Parquet file that cannot be decoded.
    #[error("{}: not a readable Parquet file: {message}", path.display())]
    Parquet { path: PathBuf, message: String },
    /// A malformed row in strict mode.
    #[error("{0}; fix the row or read in lenient mode to skip malformed rows")]
    BadRow(Box<BadRow>),
    /// A glob pattern naming billing files is malformed or matches nothing.
    #[error("{pattern}: {reason}")]
    Pattern { pattern: String, reason: String },
}

impl BillingError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> BillingError {
        BillingError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    pub(crate) fn schema(path: &Path, reason: impl Into<String>) -> BillingError {
        BillingError::Schema {
            path: path.to_path_buf(),
            reason: reason.into(),
        }
    }

    pub(crate) fn parquet(path: &Path, message: impl fmt::Display) -> BillingError {
        BillingError::Parquet {
            path: path.to_path_buf(),
            message: message.to_string(),
        }
    }

    /// The malformed row behind a strict-mode error.
    pub fn bad_row(&self) -> Option<&BadRow> {
        match self {
            BillingError::BadRow(b) => Some(b),
            _ => None,
        }
    }
}
