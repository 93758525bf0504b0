//! S3 Inventory reports: a delivery's `manifest.json` and its CSV / CSV.gz / Parquet data files,
//! read as a stream of typed [`InventoryRecord`]s (object versions and delete markers with size,
//! last-modified time, storage class and Intelligent-Tiering tier): the objects present when the
//! inventory was taken. ORC deliveries are recognised but not read.
//!
//! [`read_inventory`] is the entry point: it parses the manifest, checks it against a sibling
//! `manifest.checksum` when there is one, finds each data file next to the manifest, checks its
//! size and MD5 against the manifest before reading it, and yields records file by file. Lenient
//! mode (the default) skips malformed lines and tallies them in a [`ReadSummary`]; strict mode
//! stops at the first with file:line:field. No input makes the reader panic.
//!
//! Files: `manifest` (manifest.json, schema, checksums, data-file lookup), `record` (columns
//! and typed records), `csv` and `parquet` (data-file readers), `summary` (mode and tally),
//! `error`.

mod csv;
mod error;
mod manifest;
mod parquet;
mod record;
mod summary;

use std::path::{Path, PathBuf};

pub use self::csv::CsvRecords;
pub use self::error::{BadLine, InventoryError, Problem};
pub use self::manifest::{FileFormat, Manifest, ManifestFile, md5_file, parse_file_schema};
pub use self::parquet::ParquetRecords;
pub use self::record::{Column, InventoryRecord, decode_csv_key, parse_it_tier};
pub use self::summary::{MAX_EXAMPLES, Mode, ReadSummary};

/// Opens the delivery described by the manifest at `manifest_path`; see the module docs.
/// Errors here are about the manifest (unreadable, invalid, checksum mismatch, ORC format) or a
/// data file that cannot be found; data-file problems surface while iterating.
pub fn read_inventory(manifest_path: &Path, mode: Mode) -> Result<InventoryReader, InventoryError> {
    let manifest = Manifest::from_path(manifest_path)?;
    manifest.verify_checksum_file()?;
    InventoryReader::new(manifest, mode)
}

/// The records of one data file (CSV or Parquet); iteration ends after the first error.
pub enum FileRecords {
    Csv(CsvRecords),
    Parquet(ParquetRecords),
}

impl Iterator for FileRecords {
    type Item = Result<InventoryRecord, InventoryError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            FileRecords::Csv(r) => r.next(),
            FileRecords::Parquet(r) => r.next(),
        }
    }
}

impl FileRecords {
    /// The file's tally so far.
    pub fn summary(&self) -> &ReadSummary {
        match self {
            FileRecords::Csv(r) => r.summary(),
            FileRecords::Parquet(r) => r.summary(),
        }
    }
}

/// The data files of one delivery, each to be opened and read on its own.
#[derive(Clone, Copy)]
pub struct DataFiles<'a> {
    manifest: &'a Manifest,
    paths: &'a [PathBuf],
    mode: Mode,
    only: Option<&'a [Column]>,
}

impl DataFiles<'_> {
    pub fn len(&self) -> usize {
        self.paths.len()
    }

    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    /// The path of data file `i` (manifest order); empty past the last.
    pub fn path(&self, i: usize) -> &Path {
        self.paths.get(i).map_or(Path::new(""), |p| p.as_path())
    }

    /// Checks data file `i`, read to its end with `summary`, against the manifest's
    /// `inventoriedRecord` for it (when the manifest gives one): every row is accounted for.
    pub fn reconcile(&self, i: usize, summary: &ReadSummary) -> Result<(), InventoryError> {
        match self
            .manifest
            .files
            .get(i)
            .and_then(|f| f.inventoried_records)
        {
            Some(expected) if expected != summary.read => Err(InventoryError::RowCountMismatch {
                path: self.path(i).to_path_buf(),
                expected,
                actual: summary.read,
            }),
            _ => Ok(()),
        }
    }

    /// Data file `i` (manifest order), its size and MD5 checked first; `None` past the last.
    pub fn open(&self, i: usize) -> Result<Option<FileRecords>, InventoryError> {
        let (Some(file), Some(path)) = (self.manifest.files.get(i), self.paths.get(i)) else {
            return Ok(None);
        };
        self.manifest.verify(file, path)?;
        Ok(Some(match self.manifest.file_format {
            FileFormat::Parquet => FileRecords::Parquet(ParquetRecords::open(path, self.mode)?),
            FileFormat::Csv | FileFormat::Orc => {
                let mut csv = CsvRecords::open(path, &self.manifest.file_schema, self.mode)?;
                if let Some(only) = self.only {
                    csv.keep_only(only);
                }
                FileRecords::Csv(csv)
            }
        }))
    }
}

/// Refuses a manifest that lists one data file twice: the same key, or keys that resolve to
/// the same file on disk.
fn check_distinct(manifest: &Manifest, paths: &[PathBuf]) -> Result<(), InventoryError> {
    let mut seen: std::collections::HashMap<PathBuf, usize> = std::collections::HashMap::new();
    for (i, (file, path)) in manifest.files.iter().zip(paths).enumerate() {
        let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
        if let Some(&first) = seen.get(&real) {
            return Err(InventoryError::DuplicateDataFile {
                manifest: manifest.path.clone(),
                key: file.key.clone(),
                index: i,
                first_key: manifest.files[first].key.clone(),
                first,
                path: path.clone(),
            });
        }
        seen.insert(real, i);
    }
    Ok(())
}

/// The records of every data file of one delivery, in manifest order. Iteration ends after the
/// first error (an unreadable or tampered file, or a bad line in strict mode).
pub struct InventoryReader {
    manifest: Manifest,
    mode: Mode,
    paths: Vec<PathBuf>,
    next_file: usize,
    current: Option<FileRecords>,
    finished: ReadSummary,
    done: bool,
    only: Option<Vec<Column>>,
}

impl InventoryReader {
    /// Prepares to read `manifest`'s data files; fails for ORC deliveries and for data files
    /// that are not on disk.
    pub fn new(manifest: Manifest, mode: Mode) -> Result<InventoryReader, InventoryError> {
        if manifest.file_format == FileFormat::Orc {
            return Err(InventoryError::UnsupportedFormat {
                path: manifest.path.clone(),
                format: "ORC".into(),
                hint: "costlab reads CSV and Parquet inventories only; change the inventory \
                       configuration's output format (Destination Format) to CSV or Parquet \
                       and use the next delivery"
                    .into(),
            });
        }
        let paths = manifest
            .files
            .iter()
            .map(|f| manifest.resolve(f))
            .collect::<Result<Vec<_>, _>>()?;
        check_distinct(&manifest, &paths)?;
        Ok(InventoryReader {
            manifest,
            mode,
            paths,
            next_file: 0,
            current: None,
            finished: ReadSummary::default(),
            done: false,
            only: None,
        })
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The data files on disk, in manifest order.
    pub fn data_files(&self) -> &[PathBuf] {
        &self.paths
    }

    /// The tally so far, over all files read or being read.
    pub fn summary(&self) -> ReadSummary {
        let mut s = self.finished.clone();
        if let Some(cur) = &self.current {
            s.merge(cur.summary());
        }
        s
    }

    fn open_next(&mut self) -> Result<Option<FileRecords>, InventoryError> {
        let i = self.next_file;
        self.next_file += 1;
        self.files().open(i)
    }

    /// The data files, to be read independently (in parallel, from several threads).
    pub fn files(&self) -> DataFiles<'_> {
        DataFiles {
            manifest: &self.manifest,
            paths: &self.paths,
            mode: self.mode,
            only: self.only.as_deref(),
        }
    }

    /// Reads only these columns of CSV files (and Bucket and Key, always): the others are
    /// neither checked nor kept, which makes a large inventory much cheaper to stream. Parquet
    /// files are read whole.
    pub fn only(mut self, columns: &[Column]) -> InventoryReader {
        self.only = Some(columns.to_vec());
        self
    }

    fn close_current(&mut self) {
        if let Some(cur) = self.current.take() {
            self.finished.merge(cur.summary());
        }
    }
}

impl Iterator for InventoryReader {
    type Item = Result<InventoryRecord, InventoryError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            if let Some(cur) = &mut self.current {
                match cur.next() {
                    Some(Ok(r)) => return Some(Ok(r)),
                    Some(Err(e)) => {
                        self.close_current();
                        self.done = true;
                        return Some(Err(e));
                    }
                    None => {
                        let i = self.next_file.saturating_sub(1);
                        let summary = cur.summary().clone();
                        let checked = self.files().reconcile(i, &summary);
                        self.close_current();
                        if let Err(e) = checked {
                            self.done = true;
                            return Some(Err(e));
                        }
                    }
                }
            }
            match self.open_next() {
                Ok(Some(next)) => self.current = Some(next),
                Ok(None) => self.done = true,
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
        None
    }
}
