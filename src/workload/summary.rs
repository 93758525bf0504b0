//! `generate.json`: what a run wrote, to check a workload against what readers find in it.
//! Deterministic (no clock, no paths outside the output directory), so two runs of one spec
//! give the same bytes.

use super::inventory_writer::Delivery;
use super::log_writer::Compress;
use super::sim::Totals;
use super::spec::Spec;
use serde_json::{Map, Value, json};

/// The version of the `generate.json` document.
pub const SUMMARY_VERSION: u32 = 1;

/// Everything `generate.json` reports.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub seed: u64,
    pub spec_md5: String,
    pub compress: Compress,
    pub log_files: u64,
    pub totals: Totals,
    pub inventory: Option<Delivery>,
}

impl Summary {
    pub fn to_json(&self, spec: &Spec) -> Value {
        let t = &self.totals;
        let ops: Map<String, Value> = t
            .requests_by_operation
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect();
        let prefixes: Vec<Value> = spec
            .prefixes
            .iter()
            .zip(&t.prefixes)
            .map(|(p, pt)| {
                json!({
                    "name": p.name,
                    "storage_class": p.storage_class.as_str(),
                    "objects_created": pt.objects_created,
                    "overwrites": pt.overwrites,
                    "deletes": pt.deletes,
                    "reads": pt.reads,
                    "bytes_written": pt.bytes_written,
                    "bytes_sent": pt.bytes_sent,
                    "existing_objects": pt.existing_objects,
                    "existing_bytes": pt.existing_bytes,
                    "live_objects_at_end": pt.live_objects_at_end,
                    "live_bytes_at_end": pt.live_bytes_at_end,
                })
            })
            .collect();
        json!({
            "schema_version": SUMMARY_VERSION,
            "generator": format!("costlab {}", env!("CARGO_PKG_VERSION")),
            "seed": self.seed,
            "spec_md5": self.spec_md5,
            "start": spec.start.rfc3339(),
            "end": spec.end.rfc3339(),
            "bucket": spec.bucket,
            "compress": self.compress.as_str(),
            "log_files": self.log_files,
            "lines": t.lines,
            "requests_by_operation": ops,
            "bytes_sent": t.bytes_sent,
            "bytes_written": t.bytes_written,
            "objects": {
                "created": t.objects_created,
                "overwrites": t.overwrites,
                "deleted": t.deletes,
                "live_at_end": t.live_objects_at_end,
                "bytes_live_at_end": t.live_bytes_at_end,
                "incomplete_uploads_at_end": t.incomplete_uploads_at_end,
            },
            "logged": {
                "objects_live_at_end": t.logged_live_objects_at_end,
                "bytes_live_at_end": t.logged_live_bytes_at_end,
            },
            "inventory": match &self.inventory {
                None => Value::Null,
                Some(d) => json!({
                    "manifest": d.manifest,
                    "objects": d.objects,
                    "bytes": d.bytes,
                    "data_files": d.data_files,
                }),
            },
            "prefixes": prefixes,
        })
    }
}
