//! Writes the pre-existing objects as one S3 Inventory delivery in CSV format, laid out as S3
//! delivers it under the output directory (which stands for the destination bucket):
//!
//! ```text
//! <prefix>/<bucket>/<config-id>/data/<uuid>.csv.gz                (one or more data files)
//! <prefix>/<bucket>/<config-id>/YYYY-MM-DDTHH-MMZ/manifest.json   (fileSchema, files with MD5)
//! <prefix>/<bucket>/<config-id>/YYYY-MM-DDTHH-MMZ/manifest.checksum
//! <prefix>/<bucket>/<config-id>/hive/dt=YYYY-MM-DD-HH-MM/symlink.txt
//! ```
//!
//! Rows are S3's CSV: no header, every value quoted, keys URL-encoded. The MD5 of each data
//! file is computed while it is written.

use super::GenerateError;
use super::dist::{self, Purpose};
use super::sim::Existing;
use super::spec::{InventorySpec, Spec};
use crate::aws::StorageClass;
use crate::units::Timestamp;
use crate::units::time::SECONDS_PER_DAY;
use md5::{Digest, Md5};
use serde_json::{Value, json};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// The columns written, in order (the manifest's `fileSchema`).
pub const FILE_SCHEMA: &str = "Bucket, Key, Size, LastModifiedDate, ETag, StorageClass, \
                               IsMultipartUploaded, EncryptionStatus, IntelligentTieringAccessTier";

/// A writer that hashes and counts what passes through.
struct Hashing<W: Write> {
    inner: W,
    md5: Md5,
    bytes: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.md5.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

struct DataFile {
    key: String,
    path: PathBuf,
    rows: u64,
    enc: flate2::write::GzEncoder<Hashing<BufWriter<File>>>,
}

/// Where a delivery was written, and what it holds.
#[derive(Clone, Debug, PartialEq)]
pub struct Delivery {
    /// Path of `manifest.json`, relative to the output directory, `/`-separated.
    pub manifest: String,
    pub objects: u64,
    pub bytes: u64,
    pub data_files: u64,
}

pub struct InventoryWriter {
    out: PathBuf,
    spec: InventorySpec,
    bucket: String,
    start: Timestamp,
    classes: Vec<StorageClass>,
    /// `<prefix>/<bucket>/<config-id>`
    base_key: String,
    names: dist::Rng64,
    cur: Option<DataFile>,
    files: Vec<Value>,
    keys: Vec<String>,
    objects: u64,
    bytes: u64,
    row: String,
}

fn csv_value(out: &mut String, v: &str) {
    out.push('"');
    for c in v.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    out.push('"');
}

impl InventoryWriter {
    pub fn new(out: &Path, spec: &Spec, inv: &InventorySpec) -> InventoryWriter {
        InventoryWriter {
            out: out.to_path_buf(),
            spec: inv.clone(),
            bucket: spec.bucket.clone(),
            start: spec.start,
            classes: spec.prefixes.iter().map(|p| p.storage_class).collect(),
            base_key: format!(
                "{}/{}/{}",
                inv.destination_prefix, spec.bucket, inv.config_id
            ),
            names: dist::stream(spec.seed, u64::MAX, Purpose::Names),
            cur: None,
            files: Vec::new(),
            keys: Vec::new(),
            objects: 0,
            bytes: 0,
            row: String::with_capacity(512),
        }
    }

    fn open(&mut self) -> Result<DataFile, GenerateError> {
        let mut id = String::new();
        dist::uuid(&mut self.names, &mut id);
        let key = format!("{}/data/{id}.csv.gz", self.base_key);
        let path = self.out.join(&key);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| GenerateError::io(dir, e))?;
        }
        let f = File::create(&path).map_err(|e| GenerateError::io(&path, e))?;
        let enc = flate2::write::GzEncoder::new(
            Hashing {
                inner: BufWriter::with_capacity(1 << 18, f),
                md5: Md5::new(),
                bytes: 0,
            },
            flate2::Compression::default(),
        );
        Ok(DataFile {
            key,
            path,
            rows: 0,
            enc,
        })
    }

    fn close(&mut self) -> Result<(), GenerateError> {
        let Some(f) = self.cur.take() else {
            return Ok(());
        };
        let mut h = f.enc.finish().map_err(|e| GenerateError::io(&f.path, e))?;
        h.flush().map_err(|e| GenerateError::io(&f.path, e))?;
        let md5 = hex::encode(h.md5.finalize());
        self.files.push(json!({
            "key": f.key,
            "size": h.bytes,
            "MD5checksum": md5,
        }));
        self.keys.push(f.key);
        Ok(())
    }

    /// Adds one object's row.
    pub fn row(&mut self, e: &Existing<'_>) -> Result<(), GenerateError> {
        if self
            .cur
            .as_ref()
            .is_some_and(|f| f.rows >= self.spec.rows_per_file)
        {
            self.close()?;
        }
        if self.cur.is_none() {
            self.cur = Some(self.open()?);
        }
        let class = self
            .classes
            .get(e.prefix)
            .copied()
            .unwrap_or(StorageClass::Standard);
        let r = &mut self.row;
        r.clear();
        csv_value(r, &self.bucket);
        r.push(',');
        csv_value(r, e.key);
        r.push(',');
        csv_value(r, &e.size.to_string());
        r.push(',');
        let lm = Timestamp(e.last_modified).rfc3339();
        csv_value(r, &format!("{}.000Z", lm.trim_end_matches('Z')));
        r.push(',');
        csv_value(r, e.e_tag);
        r.push(',');
        csv_value(r, class.as_str());
        r.push(',');
        csv_value(r, if e.multipart { "true" } else { "false" });
        r.push(',');
        csv_value(r, "SSE-S3");
        r.push(',');
        let tier = if class == StorageClass::IntelligentTiering {
            let age_days = (self.start.0 - e.last_modified) / SECONDS_PER_DAY;
            match age_days {
                ..30 => "FREQUENT",
                30..90 => "INFREQUENT",
                _ => "ARCHIVE_INSTANT",
            }
        } else {
            ""
        };
        csv_value(r, tier);
        r.push('\n');
        let Some(f) = self.cur.as_mut() else {
            return Ok(());
        };
        f.rows += 1;
        f.enc
            .write_all(self.row.as_bytes())
            .map_err(|e| GenerateError::io(&f.path, e))?;
        self.objects += 1;
        self.bytes += e.size;
        Ok(())
    }

    /// Closes the data files and writes the manifest, its checksum and the Hive symlink file.
    pub fn finish(mut self) -> Result<Delivery, GenerateError> {
        if self.cur.is_none() && self.files.is_empty() {
            // An empty inventory still has one (empty) data file.
            self.cur = Some(self.open()?);
        }
        self.close()?;
        let n = self.files.len() as u64;
        let stamp = self.start.rfc3339();
        // 2026-03-01T00:00:00Z -> 2026-03-01T00-00Z and 2026-03-01-00-00
        let folder = format!("{}-{}Z", &stamp[..13], &stamp[14..16]);
        let hive = format!("{}-{}-{}", &stamp[..10], &stamp[11..13], &stamp[14..16]);
        let manifest = json!({
            "sourceBucket": self.bucket,
            "destinationBucket": format!("arn:aws:s3:::{}", self.spec.destination_bucket),
            "version": "2016-11-30",
            "creationTimestamp": (self.start.0 * 1000).to_string(),
            "fileFormat": "CSV",
            "fileSchema": FILE_SCHEMA,
            "files": Value::Array(std::mem::take(&mut self.files)),
        });
        let text = serde_json::to_vec_pretty(&manifest)
            .map_err(|e| GenerateError::io(&self.out, std::io::Error::other(e.to_string())))?;
        let rel = format!("{}/{folder}/manifest.json", self.base_key);
        let path = self.out.join(&rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| GenerateError::io(dir, e))?;
        }
        crate::output::write_atomic(&path, &text).map_err(|e| GenerateError::io(&path, e))?;
        let sum = hex::encode(Md5::digest(&text));
        let sum_path = path.with_extension("checksum");
        crate::output::write_atomic(&sum_path, format!("{sum}\n").as_bytes())
            .map_err(|e| GenerateError::io(&sum_path, e))?;
        let hive_path = self
            .out
            .join(&self.base_key)
            .join("hive")
            .join(format!("dt={hive}"))
            .join("symlink.txt");
        if let Some(dir) = hive_path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| GenerateError::io(dir, e))?;
        }
        let mut links = String::new();
        for k in &self.keys {
            links.push_str(&format!("s3://{}/{k}\n", self.spec.destination_bucket));
        }
        crate::output::write_atomic(&hive_path, links.as_bytes())
            .map_err(|e| GenerateError::io(&hive_path, e))?;
        Ok(Delivery {
            manifest: rel,
            objects: self.objects,
            bytes: self.bytes,
            data_files: n,
        })
    }
}
