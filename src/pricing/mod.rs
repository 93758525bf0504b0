//! Price books: AWS prices and billing rules loaded from `pricing/*.toml`, each table carrying
//! its source and effective date. Code asks a `PriceBook` by typed `PriceKey`; a price that is
//! not in the book is an error that names the key, never a zero.

pub mod diff;
mod error;
mod key;
mod load;
pub mod offers;
pub(crate) mod schema;
pub mod views;

pub use error::PricingError;
pub use key::{PriceKey, PricePath, SP_KINDS, SP_PLANS, ec2_path};
pub use load::{Catalog, PricingSource};
pub use schema::{EntryKind, Unit, classify as schema_kind};

use crate::aws::Region;
use crate::rules::BillingRules;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// How sure the transcription is, as the reference tags it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Confidence {
    /// [C]/[P]: an AWS-authored copy.
    Confirmed,
    /// [D]: arithmetic on confirmed figures.
    Derived,
    /// [S]: third-party only.
    Secondary,
    /// [U]: not confirmed; a stand-in (usually another region's figure) so the book is usable.
    Unconfirmed,
}

impl Confidence {
    pub fn parse(s: &str) -> Option<Confidence> {
        Some(match s {
            "confirmed" => Confidence::Confirmed,
            "derived" => Confidence::Derived,
            "secondary" => Confidence::Secondary,
            "unconfirmed" => Confidence::Unconfirmed,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Confirmed => "confirmed",
            Confidence::Derived => "derived",
            Confidence::Secondary => "secondary",
            Confidence::Unconfirmed => "unconfirmed",
        }
    }
}

/// One volume band: the price applies to the quantity up to `up_to` (cumulative, in the entry's
/// billed unit), or to everything beyond the previous band when `up_to` is `None`.
#[derive(Clone, Debug, PartialEq)]
pub struct Tier {
    pub up_to: Option<Decimal>,
    pub usd: Decimal,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A single price (or fact) for every unit.
    Flat(Decimal),
    /// Volume bands of a month's total.
    Tiers(Vec<Tier>),
    Bool(bool),
}

impl Value {
    /// The price of the first unit: a flat price, or the first band's.
    pub fn first_band(&self) -> Option<Decimal> {
        match self {
            Value::Flat(v) => Some(*v),
            Value::Tiers(bands) => bands.first().map(|b| b.usd),
            Value::Bool(_) => None,
        }
    }
}

/// Where a value was written, for error messages.
#[derive(Clone, Debug, PartialEq)]
pub struct Origin {
    pub file: String,
    pub line: usize,
}

/// The table a value belongs to: its source and date.
#[derive(Clone, Debug, PartialEq)]
pub struct TableMeta {
    pub path: String,
    pub source: String,
    pub effective_date: String,
    pub confidence: Confidence,
    pub note: Option<String>,
    /// The AWS Price List publication the table was imported from, when it was.
    pub publication: Option<Publication>,
}

/// One AWS Price List offer file as a table records it (`offer`, `version`, `published`,
/// `url` beside `source`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Publication {
    /// The offer code (`AmazonEC2`, `AmazonS3`, `AWSComputeSavingsPlan`…).
    pub offer: String,
    /// The offer file's version (`20240528203522`).
    pub version: String,
    /// Its publication date and time (RFC 3339).
    pub published: String,
    /// Where AWS publishes that version.
    pub url: String,
}

impl Publication {
    /// `AmazonEC2 20240528203522 (published 2024-05-28T20:35:22Z)`.
    pub fn label(&self) -> String {
        format!(
            "{} {} (published {})",
            self.offer, self.version, self.published
        )
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub value: Value,
    /// Units given free each month before any band applies (e.g. 100 GB of internet egress).
    pub free_allowance: Option<Decimal>,
    pub confidence: Confidence,
    pub note: Option<String>,
    pub table: usize,
    pub origin: Origin,
}

/// A region's prices and rules.
#[derive(Clone, Debug)]
pub struct PriceBook {
    pub region: Region,
    pub currency: String,
    pub source: String,
    pub effective_date: String,
    /// Files read, the region file first, then what it inherits.
    pub files: Vec<String>,
    pub tables: Vec<TableMeta>,
    pub entries: BTreeMap<PricePath, Entry>,
    pub rules: BillingRules,
}

impl PriceBook {
    /// The price for `key`, or an error naming the key and the book.
    pub fn price(&self, key: &PriceKey) -> Result<&Entry, PricingError> {
        let path = key.path();
        self.entries.get(&path).ok_or_else(|| {
            let mut file = self.files.first().cloned().unwrap_or_default();
            let pubs = self.publications();
            if !pubs.is_empty() {
                file = self.files.join(", ");
                let labels: Vec<String> = pubs.iter().map(|p| p.label()).collect();
                file = format!("{file}; imported from {}", labels.join(", "));
            }
            PricingError::Missing {
                region: self.region.to_string(),
                key: path.to_string(),
                file,
            }
        })
    }

    /// A flat value by path (facts such as a spot saving %).
    pub fn flat(&self, path: &PricePath) -> Option<Decimal> {
        match self.entries.get(path)?.value {
            Value::Flat(v) => Some(v),
            _ => None,
        }
    }

    /// A price by path at its first volume band (the marginal list price of small usage).
    pub fn first_band(&self, path: &PricePath) -> Option<Decimal> {
        self.entries.get(path)?.value.first_band()
    }

    pub fn table_of(&self, e: &Entry) -> &TableMeta {
        &self.tables[e.table]
    }

    /// The Price List publications the book's tables were imported from, each once, in order.
    pub fn publications(&self) -> Vec<&Publication> {
        let mut v: Vec<&Publication> = self
            .tables
            .iter()
            .filter_map(|t| t.publication.as_ref())
            .collect();
        v.sort();
        v.dedup();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_books_load_and_validate() {
        for r in ["us-east-1", "us-west-2", "eu-west-1"] {
            let c = Catalog::open(None, Some(r)).unwrap_or_else(|e| panic!("{r}: {e}"));
            assert_eq!(c.home().region.as_str(), r);
        }
    }
}
