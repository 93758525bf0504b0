//! Synthetic workloads: a seeded spec (`docs/generator.md`) becomes S3 server access logs and,
//! optionally, an S3 Inventory delivery of the objects that existed before the logs start —
//! the same evidence `trace::access_log` and `trace::inventory` read, so the generator's output
//! round-trips through them.
//!
//! Files: `spec` (the TOML spec, checked with file:line:key errors), `dist` (seeded streams and
//! distributions), `sim` (the event simulation, streamed in time order), `log_writer` (records
//! and hourly log files), `inventory_writer` (manifest + CSV.gz), `summary` (`generate.json`).
//!
//! Same spec and seed → byte-identical output: every random draw comes from a stream derived
//! from the seed, output order never depends on hash-map order, and `generate.json` records
//! the seed and the spec's MD5 (no clock).
//!
//! Output directory layout:
//! ```text
//! DIR/generate.json
//! DIR/logs/YYYY-MM-DD-HH-MM-SS-XXXXXXXXXXXXXXXX[.gz|.zst]
//! DIR/<inventory prefix>/<bucket>/<config-id>/…   (see inventory_writer)
//! ```

pub mod dist;
pub mod inventory_writer;
pub mod log_writer;
pub mod sim;
pub mod spec;
pub mod summary;

pub use inventory_writer::Delivery;
pub use log_writer::Compress;
pub use sim::{Op, Request, Sim, Totals};
pub use spec::Spec;
pub use summary::Summary;

use crate::tomlx::SpanError;
use md5::{Digest, Md5};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Why a run failed.
#[derive(Debug, Error)]
pub enum GenerateError {
    /// The spec is wrong (file:line: key: message).
    #[error(transparent)]
    Spec(#[from] SpanError),
    /// An output could not be written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The workload has more requests than `lines_limit` allows.
    #[error(
        "the workload has more than {limit} log lines (the --lines-limit); lower the rates \
         (objects_per_day, reads_first_day, lists_per_day), shorten the period, or raise the limit"
    )]
    LinesLimit { limit: u64 },
    /// The output directory already holds generated files.
    #[error(
        "{0}: already holds generator output (logs/, generate.json or the inventory); choose \
         an empty directory or pass --force to replace it"
    )]
    OutputExists(PathBuf),
}

impl GenerateError {
    pub fn io(path: &Path, source: std::io::Error) -> GenerateError {
        GenerateError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// Whether the error is about the inputs (exit 2) rather than writing outputs (exit 3).
    pub fn is_input(&self) -> bool {
        !matches!(self, GenerateError::Io { .. })
    }
}

/// How to write a run.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub out: PathBuf,
    pub compress: Compress,
    /// Split an hour's records into files of at most this many lines.
    pub lines_per_file: Option<u64>,
    /// Fail when the workload would write more lines than this.
    pub lines_limit: Option<u64>,
    /// Replace earlier generator output in `out`.
    pub force: bool,
}

/// The MD5 (hex) of a spec's text, as recorded in `generate.json`.
pub fn spec_md5(text: &str) -> String {
    hex::encode(Md5::digest(text.as_bytes()))
}

/// Where the logs go.
pub fn logs_dir(out: &Path) -> PathBuf {
    out.join("logs")
}

fn prepare_out(spec: &Spec, opts: &Options) -> Result<(), GenerateError> {
    let out = &opts.out;
    let mut ours = vec![logs_dir(out), out.join("generate.json")];
    if let Some(inv) = &spec.inventory {
        ours.push(out.join(&inv.destination_prefix).join(&spec.bucket));
    }
    if ours.iter().any(|p| p.exists()) {
        if !opts.force {
            return Err(GenerateError::OutputExists(out.clone()));
        }
        for p in &ours {
            let r = if p.is_dir() {
                std::fs::remove_dir_all(p)
            } else if p.exists() {
                std::fs::remove_file(p)
            } else {
                Ok(())
            };
            r.map_err(|e| GenerateError::io(p, e))?;
        }
    }
    std::fs::create_dir_all(out).map_err(|e| GenerateError::io(out, e))
}

/// Generates the workload of `spec` into `opts.out`; `spec_text` is the spec's source text
/// (hashed into `generate.json`). Returns what `generate.json` reports.
pub fn generate(spec: &Spec, spec_text: &str, opts: &Options) -> Result<Summary, GenerateError> {
    prepare_out(spec, opts)?;
    let mut sim = Sim::new(spec);
    let inventory = match &spec.inventory {
        None => None,
        Some(inv) => {
            let mut w = inventory_writer::InventoryWriter::new(&opts.out, spec, inv);
            sim.seed_existing(spec, |e| w.row(e))?;
            Some(w.finish()?)
        }
    };
    let mut logs = log_writer::LogWriter::new(
        &logs_dir(&opts.out),
        spec.seed,
        opts.compress,
        opts.lines_per_file,
        log_writer::LineCtx {
            owner: spec.owner.clone(),
            bucket: spec.bucket.clone(),
            region: spec.region.clone(),
            host: format!("{}.s3.{}.amazonaws.com", spec.bucket, spec.region),
        },
    )?;
    let mut lines = 0u64;
    let totals = sim.run(|r| {
        lines += 1;
        if let Some(limit) = opts.lines_limit
            && lines > limit
        {
            return Err(GenerateError::LinesLimit { limit });
        }
        logs.write(r)
    })?;
    let log_files = logs.finish()?;
    let summary = Summary {
        seed: spec.seed,
        spec_md5: spec_md5(spec_text),
        compress: opts.compress,
        log_files,
        totals,
        inventory,
    };
    let mut text = serde_json::to_vec_pretty(&summary.to_json(spec))
        .map_err(|e| GenerateError::io(&opts.out, std::io::Error::other(e.to_string())))?;
    text.push(b'\n');
    let path = opts.out.join("generate.json");
    crate::output::write_atomic(&path, &text).map_err(|e| GenerateError::io(&path, e))?;
    Ok(summary)
}
