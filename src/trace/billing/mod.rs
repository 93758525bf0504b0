//! Billing exports as evidence: AWS CUR 2.0 (Data Exports), the legacy Cost and Usage Report
//! and FOCUS 1.0–1.2, as CSV (plain, gzip, zstd) or Parquet, streamed. Every row is used,
//! left out with a reason (taxes, credits, refunds, fees, Savings Plan negations, unused
//! commitments, other services…) or skipped as malformed with `file:line` (or `row N`) and
//! column, in lenient mode, or stops the read in strict mode.
//!
//! * [`format`]: which export a file is, from its columns; where each needed column sits.
//! * [`cur`] (CUR 2.0 and legacy CUR), [`legacy`] (CUR manifests) and [`focus`]: rows as the
//!   typed [`LineItem`](line::LineItem) of [`line`].
//! * [`csv`] and [`parquet`]: the two file forms (Parquet read by row group, in batches,
//!   only the columns needed).
//! * [`aggregate`]: hourly EC2 demand per type, Region, platform and tenancy; the RIs and
//!   Savings Plans in force; S3 usage per bucket, usage type and day ([`s3`] classifies it).
//!
//! Formats, traps and what each line type becomes: `docs/billing.md`.

pub mod aggregate;
pub mod csv;
pub mod cur;
pub mod error;
pub mod focus;
pub mod format;
pub mod legacy;
pub mod line;
pub mod parquet;
pub mod s3;
pub mod synth;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::trace::ledger::{FileCount, Skips, Tally};
use crate::units::Timestamp;

pub use aggregate::{
    Aggregate, DemandRecord, FocusCommitment, RiInForce, RiScope, S3UsageRecord, SpInForce, SpType,
};
pub use error::{BadRow, BillingError, Mode, Place, Problem};
pub use format::{Binding, Field, FocusVersion, Schema};
pub use line::{LINUX, Paid, Tenancy};
pub use s3::S3Category;

/// The ledger's name for billing exports.
pub const SOURCE: &str = "billing export";

/// What one file gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRead {
    pub path: PathBuf,
    pub schema: Schema,
    /// `(field, column)` for every column the reader took, as the file spells it.
    pub columns: Vec<(Field, String)>,
    /// Rows read, well formed (used or left out) and skipped as malformed.
    pub rows: Skips<BadRow>,
    /// Well-formed rows left out, per reason.
    pub left_out: BTreeMap<String, u64>,
}

impl FileRead {
    /// The ledger's tally of this file: used = well formed − left out.
    pub fn tally(&self) -> Tally {
        let mut t = self.rows.tally();
        let left: u64 = self.left_out.values().sum();
        t.used = t.used.saturating_sub(left);
        t.not_replayed = self.left_out.clone();
        t.files = vec![FileCount {
            file: self.path.display().to_string(),
            read: t.read,
            used: t.used,
            skipped: t.skipped,
        }];
        t
    }

    /// Rows used.
    pub fn used(&self) -> u64 {
        self.rows.parsed - self.left_out.values().sum::<u64>()
    }
}

/// Everything read from a set of billing exports.
#[derive(Clone, Debug, PartialEq)]
pub struct BillingRead {
    pub files: Vec<FileRead>,
    /// Hourly instance usage, ordered by hour, type, Region, platform, tenancy.
    pub demand: Vec<DemandRecord>,
    pub reservations: Vec<RiInForce>,
    pub savings_plans: Vec<SpInForce>,
    /// Commitments a FOCUS export names (id, type, cost per hour only).
    pub focus_commitments: Vec<FocusCommitment>,
    pub s3: Vec<S3UsageRecord>,
    /// Usage lines spread evenly over the hours they span (a daily or monthly export).
    pub spread_lines: u64,
    /// From the first hour of instance usage to the end of the last.
    pub window: Option<(Timestamp, Timestamp)>,
}

impl BillingRead {
    /// The ledger's tally of every file read.
    pub fn tally(&self) -> Tally {
        let mut t = Tally::default();
        for f in &self.files {
            t.merge(&f.tally());
        }
        t
    }

    /// The Reserved Instances whose term covers `at`.
    pub fn reservations_at(&self, at: Timestamp) -> Vec<&RiInForce> {
        self.reservations
            .iter()
            .filter(|r| r.start.is_none_or(|s| s <= at) && r.end.is_none_or(|e| at < e))
            .collect()
    }

    /// The Savings Plans whose term covers `at`.
    pub fn savings_plans_at(&self, at: Timestamp) -> Vec<&SpInForce> {
        self.savings_plans
            .iter()
            .filter(|p| p.start.is_none_or(|s| s <= at) && p.end.is_none_or(|e| at < e))
            .collect()
    }
}

/// Receives the rows of one file: binds its header, types each row, hands it to the
/// aggregate and counts it.
pub struct RowSink<'a> {
    mode: Mode,
    agg: &'a mut Aggregate,
    schema: Option<Schema>,
    columns: Vec<(Field, String)>,
    rows: Skips<BadRow>,
    left_out: BTreeMap<String, u64>,
}

impl<'a> RowSink<'a> {
    fn new(mode: Mode, agg: &'a mut Aggregate) -> RowSink<'a> {
        RowSink {
            mode,
            agg,
            schema: None,
            columns: Vec::new(),
            rows: Skips::default(),
            left_out: BTreeMap::new(),
        }
    }

    /// Tells the export from its column names and binds the fields; an unknown export or a
    /// missing required column is an error naming the file.
    pub(crate) fn bind(&mut self, path: &Path, names: &[String]) -> Result<Binding, BillingError> {
        let Some(schema) = format::detect(names) else {
            let shown: Vec<&str> = names.iter().take(8).map(String::as_str).collect();
            return Err(BillingError::schema(
                path,
                format!(
                    "not a billing export costlab knows (CUR 2.0, legacy CUR, FOCUS 1.0–1.2): \
                     no line_item_line_item_type or ChargeCategory column among {}{}",
                    shown.join(", "),
                    if names.len() > 8 { ", …" } else { "" }
                ),
            ));
        };
        let binding = Binding::new(schema, names);
        let missing = binding.missing_required();
        if !missing.is_empty() {
            return Err(BillingError::schema(
                path,
                format!(
                    "a {schema} export without the column(s) {}; costlab needs them to read usage",
                    missing.join(", ")
                ),
            ));
        }
        self.schema = Some(schema);
        self.columns = binding.mapping();
        Ok(binding)
    }

    /// Counts a malformed row (or stops, in strict mode).
    pub(crate) fn malformed(
        &mut self,
        path: &Path,
        place: Place,
        field: Option<String>,
        problem: Problem,
    ) -> Result<(), BillingError> {
        let bad = BadRow {
            path: path.to_path_buf(),
            place,
            field,
            problem,
        };
        match self.mode {
            Mode::Strict => {
                self.rows.read += 1;
                Err(BillingError::BadRow(Box::new(bad)))
            }
            Mode::Lenient => {
                let reason = bad.reason();
                self.rows.skip(&reason, || bad, true);
                Ok(())
            }
        }
    }

    /// Takes one row.
    pub(crate) fn row<R: line::Row + ?Sized>(
        &mut self,
        path: &Path,
        place: Place,
        row: &R,
    ) -> Result<(), BillingError> {
        let v = line::Values { row };
        let item = match row.binding().schema {
            Schema::Focus(_) => focus::line(&v),
            _ => cur::line(&v),
        };
        match item.and_then(|item| self.agg.take(&item, &v)) {
            Ok(None) => {
                self.rows.parsed_one();
                Ok(())
            }
            Ok(Some(reason)) => {
                self.rows.parsed_one();
                match self.left_out.get_mut(reason) {
                    Some(n) => *n += 1,
                    None => {
                        self.left_out.insert(reason.to_string(), 1);
                    }
                }
                Ok(())
            }
            Err((field, problem)) => self.malformed(path, place, field, problem),
        }
    }

    fn finish(self, path: &Path) -> Option<FileRead> {
        Some(FileRead {
            path: path.to_path_buf(),
            schema: self.schema?,
            columns: self.columns,
            rows: self.rows,
            left_out: self.left_out,
        })
    }
}

/// What a file holds, from its first bytes: Parquet (`PAR1`), a JSON CUR manifest, or CSV.
fn sniff(path: &Path) -> Result<[u8; 4], BillingError> {
    let mut head = [0u8; 4];
    if path == Path::new("-") {
        return Ok(head);
    }
    let mut f = std::fs::File::open(path).map_err(|e| BillingError::io(path, e))?;
    let mut n = 0;
    while n < 4 {
        match f.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) => return Err(BillingError::io(path, e)),
        }
    }
    Ok(head)
}

/// Reads one export (CSV or Parquet, by content) into `agg`.
pub fn read_file(path: &Path, mode: Mode, agg: &mut Aggregate) -> Result<FileRead, BillingError> {
    let head = sniff(path)?;
    let mut sink = RowSink::new(mode, agg);
    if &head == b"PAR1" {
        parquet::read(path, &mut sink)?;
    } else if head.trim_ascii_start().starts_with(b"{") {
        let m = legacy::read_manifest(path)?;
        return Err(BillingError::schema(
            path,
            format!(
                "a CUR manifest ({} columns, billing period {}): name its data files instead \
                 (reportKeys: {})",
                m.columns.len(),
                m.billing_period.as_deref().unwrap_or("unknown"),
                if m.report_keys.is_empty() {
                    "none listed".to_string()
                } else {
                    m.report_keys.join(", ")
                }
            ),
        ));
    } else {
        csv::read(path, &mut sink)?;
    }
    sink.finish(path)
        .ok_or_else(|| BillingError::schema(path, "no header was read"))
}

/// Reads every export in `paths`, in order, into one [`BillingRead`].
pub fn read_billing(paths: &[PathBuf], mode: Mode) -> Result<BillingRead, BillingError> {
    let mut agg = Aggregate::default();
    let mut files = Vec::with_capacity(paths.len());
    for p in paths {
        files.push(read_file(p, mode, &mut agg)?);
    }
    Ok(BillingRead {
        files,
        demand: agg.demand(),
        reservations: agg.reservations(),
        savings_plans: agg.savings_plans(),
        focus_commitments: agg.focus_commitments(),
        s3: agg.s3_usage(),
        spread_lines: agg.spread_lines,
        window: agg.window,
    })
}

/// Expands glob patterns (`cur/*.parquet`) into the files they match, sorted; a path without
/// a pattern character is kept as it is. A pattern that matches nothing is an error.
pub fn expand(patterns: &[PathBuf]) -> Result<Vec<PathBuf>, BillingError> {
    let mut out = Vec::new();
    for p in patterns {
        let text = p.to_string_lossy();
        if !text.contains(['*', '?', '[']) {
            out.push(p.clone());
            continue;
        }
        let pattern_err = |reason: String| BillingError::Pattern {
            pattern: text.to_string(),
            reason,
        };
        let mut found: Vec<PathBuf> = glob::glob(&text)
            .map_err(|e| pattern_err(format!("not a valid pattern: {e}")))?
            .filter_map(Result::ok)
            .filter(|p| p.is_file())
            .collect();
        if found.is_empty() {
            return Err(pattern_err("matches no file".into()));
        }
        found.sort();
        out.extend(found);
    }
    Ok(out)
}
