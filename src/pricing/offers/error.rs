//! Errors from reading offer files and turning them into a price book. Each names the file
//! and where in it: the JSON path (`terms.OnDemand.SKU.SKU.TERM`) or the CSV line, and the SKU
//! when one is to blame.

use thiserror::Error;

#[derive(Debug, Error, PartialEq)]
pub enum OfferError {
    #[error("{file}: {message}")]
    Io { file: String, message: String },
    /// Malformed JSON, or JSON of the wrong shape, at `path`.
    #[error("{file}: at {path}: {message}")]
    Json {
        file: String,
        path: String,
        message: String,
    },
    /// A bad CSV record (1-based line of the file).
    #[error("{file}:{line}: {message}")]
    Csv {
        file: String,
        line: u64,
        message: String,
    },
    /// A price costlab cannot take as it is: a unit it cannot convert, a currency other than
    /// USD, a price that is not a number, bands with a gap. Never turned into a zero.
    #[error("{file}: SKU {sku} ({at}): {message}")]
    Sku {
        file: String,
        sku: String,
        at: String,
        message: String,
    },
    /// Two SKUs (or two files) give one costlab key different prices: costlab will not pick
    /// one by luck.
    #[error("{}", .0)]
    Conflict(Box<Conflict>),
    /// The inputs as a whole: no offer file, no price for the region, an index instead of an
    /// offer file.
    #[error("{0}")]
    Input(String),
}

/// Two sources of one key at different prices.
#[derive(Debug, Error, PartialEq)]
#[error("{key}: {first} and {second} disagree ({a} vs {b}); {hint}")]
pub struct Conflict {
    pub key: String,
    pub first: String,
    pub second: String,
    pub a: String,
    pub b: String,
    pub hint: String,
}
