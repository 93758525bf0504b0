//! Errors of the S3 Inventory reader: whole-file failures (`InventoryError`) and the description
//! of one bad line (`BadLine`, `Problem`), which lenient mode counts and skips and strict mode
//! turns into an error. Every message names the file (and line and field where there is one)
//! and says how to fix the input.

use std::fmt;
use std::path::PathBuf;

use thiserror::Error;

/// What is wrong with one value or one line of an inventory data file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The line has a different number of columns than the manifest's `fileSchema` lists.
    ColumnCount { expected: usize, found: usize },
    /// A value is not valid UTF-8.
    InvalidUtf8,
    /// A value that must be present is empty or null.
    Empty,
    /// A value does not parse as what the column holds.
    Invalid {
        /// The value as found (possibly shortened).
        value: String,
        /// What was expected, in words.
        expected: String,
    },
    /// The row contradicts itself (for example an object without a size).
    Inconsistent(String),
}

impl Problem {
    /// A short, stable label used to count skipped lines per reason.
    pub fn kind(&self) -> &'static str {
        match self {
            Problem::ColumnCount { .. } => "wrong number of columns",
            Problem::InvalidUtf8 => "invalid UTF-8",
            Problem::Empty => "required value empty",
            Problem::Invalid { .. } => "invalid value",
            Problem::Inconsistent(_) => "inconsistent row",
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::ColumnCount { expected, found } => write!(
                f,
                "expected {expected} columns (as listed by the manifest's fileSchema), found \
                 {found}; check that the data file belongs to this manifest"
            ),
            Problem::InvalidUtf8 => f.write_str("value is not valid UTF-8"),
            Problem::Empty => f.write_str("value is empty but the column is required"),
            Problem::Invalid { value, expected } => {
                write!(f, "{value:?} is not {expected}")
            }
            Problem::Inconsistent(why) => f.write_str(why),
        }
    }
}

/// One malformed line (CSV) or row (Parquet) of a data file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadLine {
    /// The data file.
    pub path: PathBuf,
    /// 1-based line number in the (decompressed) CSV text, or 1-based row number in a Parquet
    /// file.
    pub line: u64,
    /// The column the problem is in, spelled as the file's schema spells it, when the problem
    /// is in one value.
    pub field: Option<String>,
    pub problem: Problem,
}

impl BadLine {
    /// The key under which lenient mode counts this line: `"Size: invalid value"`, or the
    /// problem kind alone for whole-line problems.
    pub fn reason(&self) -> String {
        match &self.field {
            Some(field) => format!("{field}: {}", self.problem.kind()),
            None => self.problem.kind().to_string(),
        }
    }
}

impl fmt::Display for BadLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.path.display(), self.line)?;
        if let Some(field) = &self.field {
            write!(f, "field `{field}`: ")?;
        }
        write!(f, "{}", self.problem)
    }
}

/// Everything that can go wrong reading an inventory.
#[derive(Debug, Error)]
pub enum InventoryError {
    /// A file could not be opened or read.
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// `manifest.json` is not valid JSON or a value has the wrong JSON type.
    #[error(
        "{}:{line}:{column}: manifest is not valid JSON: {message}; an S3 Inventory manifest is \
         the manifest.json delivered next to the data files",
        path.display()
    )]
    ManifestJson {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },

    /// A manifest key is missing or has a value that cannot be used.
    #[error("{}: manifest field `{field}`: {reason}", path.display())]
    ManifestField {
        path: PathBuf,
        field: String,
        reason: String,
    },

    /// `manifest.checksum` does not hold the MD5 of `manifest.json`.
    #[error(
        "{}: MD5 of the manifest is {actual} but {} says {expected}; the manifest was changed \
         or belongs to another delivery: download both again",
        manifest.display(),
        checksum_file.display()
    )]
    ManifestChecksumMismatch {
        manifest: PathBuf,
        checksum_file: PathBuf,
        expected: String,
        actual: String,
    },

    /// The delivery's data files are in a format this reader does not read.
    #[error(
        "{}: fileFormat {format} is not supported: {hint}",
        path.display()
    )]
    UnsupportedFormat {
        path: PathBuf,
        format: String,
        hint: String,
    },

    /// A data file listed in the manifest is not on disk.
    #[error(
        "{}: data file `{key}` listed in the manifest was not found (looked for {}); download \
         it next to the manifest, keeping its file name",
        manifest.display(),
        tried.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
    )]
    DataFileMissing {
        manifest: PathBuf,
        key: String,
        tried: Vec<PathBuf>,
    },

    /// The manifest lists one data file twice (the same key, or two keys found at the same
    /// path): reading it twice would count its objects twice.
    #[error(
        "{}: data file `{key}` (files[{index}]) is listed again: files[{first}] `{first_key}`          is the same file ({}); a delivery lists each data file once, so its objects would be          counted twice. Fix the manifest or download the delivery again",
        manifest.display(),
        path.display()
    )]
    DuplicateDataFile {
        manifest: PathBuf,
        key: String,
        index: usize,
        first_key: String,
        first: usize,
        path: PathBuf,
    },

    /// A data file holds another number of rows than the manifest's `inventoriedRecord`.
    #[error(
        "{}: {actual} rows read but the manifest's inventoriedRecord says {expected}; the file          and the manifest do not belong together",
        path.display()
    )]
    RowCountMismatch {
        path: PathBuf,
        expected: u64,
        actual: u64,
    },

    /// The manifest's `MD5checksum` for a data file is not 32 hex digits.
    #[error(
        "{}: MD5checksum {value:?} of `{key}` in the manifest is not 32 hex digits; the \
         manifest is damaged or an example with a placeholder checksum",
        manifest.display()
    )]
    BadChecksumValue {
        manifest: PathBuf,
        key: String,
        value: String,
    },

    /// A data file's MD5 differs from the manifest's `MD5checksum`.
    #[error(
        "{}: MD5 is {actual} but the manifest says {expected}; the file is damaged, truncated \
         or from another delivery: download it again",
        path.display()
    )]
    Md5Mismatch {
        path: PathBuf,
        expected: String,
        actual: String,
    },

    /// A data file's length differs from the manifest's `size`.
    #[error(
        "{}: size is {actual} bytes but the manifest says {expected}; the file is truncated or \
         from another delivery: download it again",
        path.display()
    )]
    SizeMismatch {
        path: PathBuf,
        expected: u64,
        actual: u64,
    },

    /// A bad line in strict mode.
    #[error("{0}; fix the line or read in lenient mode to skip bad lines")]
    BadLine(Box<BadLine>),

    /// A Parquet file could not be decoded.
    #[error(
        "{}: not a readable Parquet file: {message}; check that the file is complete",
        path.display()
    )]
    Parquet { path: PathBuf, message: String },
}

impl InventoryError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        InventoryError::Io {
            path: path.into(),
            source,
        }
    }

    /// The bad line behind a strict-mode error.
    pub fn bad_line(&self) -> Option<&BadLine> {
        match self {
            InventoryError::BadLine(b) => Some(b),
            _ => None,
        }
    }
}
