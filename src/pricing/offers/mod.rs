//! AWS Price List Bulk API offer files: read (JSON streamed, CSV row by row) and imported into
//! a costlab price book for one region.
//!
//! * [`json`] and [`csv`](self::csv) read a file into a [`Sink`] (products, terms, Savings
//!   Plans rates), never holding the file whole;
//! * [`import`] decides which SKUs are the price a user pays and which key each becomes;
//! * [`book`] writes the prices as a book in costlab's own TOML format, every table naming the
//!   offer, version, publication date and URL it came from;
//! * [`regions`] knows AWS's location names and usage-type prefixes;
//! * [`units`] converts offer-file units to the keys' units.

pub mod book;
pub mod csv;
mod error;
pub mod import;
pub mod json;
pub mod model;
pub mod regions;
pub mod units;

pub use error::OfferError;
pub use import::{Found, Importer};
pub use model::{OfferMeta, Sink};

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use crate::aws::Region;

/// Where AWS publishes the offer files.
pub const BULK_API: &str = "https://pricing.us-east-1.amazonaws.com";

/// Reads one offer file (JSON or CSV, by its first non-blank byte) into `sink`.
pub fn read_offer(path: &Path, sink: &mut dyn Sink) -> Result<OfferMeta, OfferError> {
    let name = path.display().to_string();
    let io = |e: std::io::Error| OfferError::Io {
        file: name.clone(),
        message: format!("cannot read: {e}"),
    };
    let f = File::open(path).map_err(io)?;
    let mut r = BufReader::with_capacity(1 << 20, f);
    let first = {
        use std::io::BufRead;
        let buf = r.fill_buf().map_err(io)?;
        buf.iter()
            .copied()
            .find(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF)
    };
    match first {
        Some(b'{') => json::read_json(&name, r, sink),
        Some(_) => csv::read_csv(&name, r, sink),
        None => Err(OfferError::Io {
            file: name,
            message: "the file is empty".into(),
        }),
    }
}

/// The offer files named by `inputs`: files as given, directories' `*.json` and `*.csv` files
/// (not recursive), in name order.
pub fn offer_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, OfferError> {
    let mut out = Vec::new();
    for p in inputs {
        if p.is_dir() {
            let rd = std::fs::read_dir(p).map_err(|e| OfferError::Io {
                file: p.display().to_string(),
                message: format!("cannot list the folder: {e}"),
            })?;
            let mut files: Vec<PathBuf> = rd
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| {
                    f.is_file()
                        && f.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                            e.eq_ignore_ascii_case("json") || e.eq_ignore_ascii_case("csv")
                        })
                })
                .collect();
            files.sort();
            out.extend(files);
        } else {
            out.push(p.clone());
        }
    }
    if out.is_empty() {
        return Err(OfferError::Input(
            "no offer file given (a folder holds none ending in .json or .csv)".into(),
        ));
    }
    Ok(out)
}

/// Imports `files` for `region`: every price found, with the files' publications.
pub fn import_files(files: &[PathBuf], region: &Region) -> Result<Importer, OfferError> {
    let mut imp = Importer::new(region.clone());
    for f in files {
        imp.begin_file(&f.display().to_string());
        let meta = read_offer(f, &mut imp)?;
        imp.meta(&meta)?;
        if let Some(index) = &meta.index
            && imp.products_read == 0
        {
            return Err(OfferError::Input(index_hint(
                &f.display().to_string(),
                index,
                region,
            )));
        }
        imp.end_file()?;
    }
    imp.finish();
    if imp.found.keys().all(|p| p.starts_with(&["ec2", "specs"])) {
        let reasons = imp
            .skipped
            .iter()
            .map(|(r, n)| format!("{n} × {r}"))
            .collect::<Vec<_>>()
            .join("; ");
        return Err(OfferError::Input(format!(
            "no price for {region} in {} ({} products read; left out: {})",
            files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            imp.products_read,
            if reasons.is_empty() {
                "none".into()
            } else {
                reasons
            }
        )));
    }
    Ok(imp)
}

/// The message for an index file given where an offer file was expected: the URL of the offer
/// file for `region` when the index has one.
fn index_hint(file: &str, index: &serde_json::Value, region: &Region) -> String {
    let r = region.as_str();
    let url = index.get("regions").and_then(|regions| match regions {
        // Offer region index: a map keyed by region code (trap 12).
        serde_json::Value::Object(m) => m
            .get(r)
            .and_then(|e| e.get("currentVersionUrl"))
            .and_then(|u| u.as_str())
            .map(str::to_string),
        // Savings Plans region index: an array of {regionCode, versionUrl}.
        serde_json::Value::Array(a) => a
            .iter()
            .find(|e| e.get("regionCode").and_then(|c| c.as_str()) == Some(r))
            .and_then(|e| e.get("versionUrl"))
            .and_then(|u| u.as_str())
            .map(str::to_string),
        _ => None,
    });
    match (url, index.get("offers")) {
        (Some(u), _) => format!(
            "{file} is a region index, not an offer file: download {r}'s offer file, {BULK_API}{u} \
             (docs/pricing-file.md, \"Importing AWS's price lists\")"
        ),
        (None, Some(_)) => format!(
            "{file} is the service index, not an offer file: each offer's currentRegionIndexUrl \
             lists its regional files (docs/pricing-file.md)"
        ),
        (None, None) => format!("{file} is a region index without {r}"),
    }
}

/// The Bulk API URL of an offer file's version: regional when the file names its region.
pub fn offer_url(meta: &OfferMeta, region: &Region) -> String {
    let code = meta.offer_code.as_deref().unwrap_or("");
    let version = meta.version.as_deref().unwrap_or("current");
    let ext = if meta.file.to_ascii_lowercase().ends_with(".csv") {
        "csv"
    } else {
        "json"
    };
    match code {
        "AmazonComputeSavingsPlan" | "AWSComputeSavingsPlan" | "" => format!(
            "{BULK_API}/savingsPlan/v1.0/aws/AWSComputeSavingsPlan/{version}/{region}/index.{ext}"
        ),
        _ => format!("{BULK_API}/offers/v1.0/aws/{code}/{version}/{region}/index.{ext}"),
    }
}
