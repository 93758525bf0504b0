//! The legacy CUR's manifest (`<report>-Manifest.json`): the report's columns as
//! `{category, name[, type]}`, its billing period, compression and data files
//! (`reportKeys`). The column list grows over the years (158 in 2017, 275 by late 2019, with
//! `savingsPlan/*`), so columns are always read from the manifest or the header, never from a
//! fixed list. Legacy CUR rows themselves are read by [`super::cur`].

use std::path::Path;

use serde::Deserialize;

use super::error::BillingError;
use super::format::{Schema, detect};

/// The largest manifest read (they are tens of KiB).
const MAX_MANIFEST_BYTES: u64 = 16 << 20;

#[derive(Deserialize)]
struct RawColumn {
    category: String,
    name: String,
    #[serde(rename = "type")]
    kind: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawManifest {
    columns: Vec<RawColumn>,
    billing_period: Option<serde_json::Value>,
    compression: Option<String>,
    content_type: Option<String>,
    #[serde(default)]
    report_keys: Vec<String>,
    report_name: Option<String>,
}

/// A legacy CUR manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    /// `category/name`, as the CSV header spells them.
    pub columns: Vec<String>,
    /// Column types where the manifest gives them (`String`, `BigDecimal`, `DateTime`…).
    pub types: Vec<Option<String>>,
    /// `start` of the billing period, as written.
    pub billing_period: Option<String>,
    pub compression: Option<String>,
    pub content_type: Option<String>,
    pub report_keys: Vec<String>,
    pub report_name: Option<String>,
    /// The export its columns make it (legacy CUR for every real manifest).
    pub schema: Option<Schema>,
}

/// Reads a manifest.
pub fn read_manifest(path: &Path) -> Result<Manifest, BillingError> {
    let text = crate::trace::input::read_config_limited(path, MAX_MANIFEST_BYTES)
        .map_err(|e| BillingError::schema(path, e.to_string()))?;
    let raw: RawManifest = serde_json::from_str(&text).map_err(|e| {
        BillingError::schema(path, format!("line {}: not a CUR manifest: {e}", e.line()))
    })?;
    let columns: Vec<String> = raw
        .columns
        .iter()
        .map(|c| format!("{}/{}", c.category, c.name))
        .collect();
    let billing_period = raw.billing_period.map(|b| match b {
        serde_json::Value::Object(m) => m
            .get("start")
            .and_then(|s| s.as_str())
            .unwrap_or_default()
            .to_string(),
        other => other.to_string(),
    });
    Ok(Manifest {
        schema: detect(&columns),
        types: raw.columns.into_iter().map(|c| c.kind).collect(),
        columns,
        billing_period,
        compression: raw.compression,
        content_type: raw.content_type,
        report_keys: raw.report_keys,
        report_name: raw.report_name,
    })
}
