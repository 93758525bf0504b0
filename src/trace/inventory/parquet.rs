//! Streaming reader of S3 Inventory Parquet data files, with the `parquet` crate's row API (no
//! arrow): one row group at a time, columns named by the file's own schema (`bucket`, `key`,
//! `size`, `last_modified_date`, …; unknown columns ignored). Keys in Parquet are not
//! URL-encoded. Timestamps are `TIMESTAMP(MILLIS,true)` (UTC), whole seconds kept.
//! Bad rows are skipped and counted (lenient) or stop the read (strict), like CSV lines;
//! a file that cannot be decoded is an error.

use std::fs::File;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};

use ::parquet::file::reader::{FileReader, SerializedFileReader};
use ::parquet::record::Field;
use ::parquet::record::reader::RowIter;

use super::error::{BadLine, InventoryError, Problem};
use super::record::{Column, InventoryRecord, RawValue, build_record};
use super::summary::{Mode, ReadSummary};

/// An iterator of the records of one Parquet data file.
pub struct ParquetRecords {
    path: PathBuf,
    rows: RowIter<'static>,
    mode: Mode,
    summary: ReadSummary,
    row: u64,
    done: bool,
}

fn parquet_err(path: &Path, e: impl std::fmt::Display) -> InventoryError {
    InventoryError::Parquet {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

impl ParquetRecords {
    /// Opens a Parquet data file, reading only its footer now.
    pub fn open(path: &Path, mode: Mode) -> Result<ParquetRecords, InventoryError> {
        let file = File::open(path).map_err(|e| InventoryError::io(path, e))?;
        let reader = SerializedFileReader::new(file).map_err(|e| parquet_err(path, e))?;
        let schema = reader.metadata().file_metadata().schema_descr_ptr();
        let names: Vec<&str> = schema
            .root_schema()
            .get_fields()
            .iter()
            .map(|f| f.name())
            .collect();
        for needed in [Column::Bucket, Column::Key] {
            if !names.iter().any(|n| Column::from_name(n) == Some(needed)) {
                return Err(InventoryError::Parquet {
                    path: path.to_path_buf(),
                    message: format!(
                        "its schema has no {} column (columns: {}); is this an S3 Inventory \
                         file?",
                        needed.csv_name(),
                        names.join(", ")
                    ),
                });
            }
        }
        check_layout(&reader, path)?;
        // The row iterator panics if a row group cannot be opened; open each once here so a
        // damaged file is an error instead.
        for i in 0..reader.num_row_groups() {
            guarded(path, || reader.get_row_group(i).map(|_| ()))?
                .map_err(|e| parquet_err(path, e))?;
        }
        Ok(ParquetRecords {
            path: path.to_path_buf(),
            rows: RowIter::from_file_into(Box::new(reader)),
            mode,
            summary: ReadSummary {
                files: 1,
                ..ReadSummary::default()
            },
            row: 0,
            done: false,
        })
    }

    /// The tally so far.
    pub fn summary(&self) -> &ReadSummary {
        &self.summary
    }
}

/// Runs a call into the `parquet` crate, turning a panic (its decoders assert on some damaged
/// pages) into an error. The panic hook still runs, so the process's hook may print it.
fn guarded<T>(path: &Path, f: impl FnOnce() -> T) -> Result<T, InventoryError> {
    std::panic::catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        let why = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown cause".into());
        InventoryError::Parquet {
            path: path.to_path_buf(),
            message: format!("the Parquet decoder failed on damaged data ({why})"),
        }
    })
}

/// Checks that every column chunk lies inside the file (the `parquet` crate asserts on
/// negative offsets instead of returning an error).
fn check_layout(reader: &SerializedFileReader<File>, path: &Path) -> Result<(), InventoryError> {
    let file_len = std::fs::metadata(path)
        .map_err(|e| InventoryError::io(path, e))?
        .len();
    for (g, group) in reader.metadata().row_groups().iter().enumerate() {
        for col in group.columns() {
            let start = col
                .dictionary_page_offset()
                .unwrap_or(col.data_page_offset());
            let len = col.compressed_size();
            let inside = u64::try_from(start)
                .ok()
                .zip(u64::try_from(len).ok())
                .and_then(|(s, l)| s.checked_add(l))
                .is_some_and(|end| end <= file_len);
            if !inside {
                return Err(InventoryError::Parquet {
                    path: path.to_path_buf(),
                    message: format!(
                        "row group {g}, column {}: chunk at offset {start}, length {len} is \
                         outside the file ({file_len} bytes)",
                        col.column_path()
                    ),
                });
            }
        }
    }
    Ok(())
}

fn raw(field: &Field) -> Result<RawValue<'_>, Problem> {
    Ok(match field {
        Field::Null => RawValue::Absent,
        Field::Str(s) if s.is_empty() => RawValue::Absent,
        Field::Str(s) => RawValue::Text(s),
        Field::Bytes(b) => match b.as_utf8() {
            Ok("") => RawValue::Absent,
            Ok(s) => RawValue::Text(s),
            Err(_) => return Err(Problem::InvalidUtf8),
        },
        Field::Bool(b) => RawValue::Bool(*b),
        Field::Byte(i) => RawValue::Int(i64::from(*i)),
        Field::Short(i) => RawValue::Int(i64::from(*i)),
        Field::Int(i) => RawValue::Int(i64::from(*i)),
        Field::Long(i) => RawValue::Int(*i),
        Field::UByte(i) => RawValue::Int(i64::from(*i)),
        Field::UShort(i) => RawValue::Int(i64::from(*i)),
        Field::UInt(i) => RawValue::Int(i64::from(*i)),
        Field::ULong(i) => RawValue::Int(i64::try_from(*i).unwrap_or(i64::MAX)),
        Field::TimestampMillis(ms) => RawValue::Millis(*ms),
        Field::TimestampMicros(us) => RawValue::Micros(*us),
        Field::Date(d) => RawValue::Millis(i64::from(*d) * 86_400_000),
        other => RawValue::Unexpected(format!("{other:?}").chars().take(60).collect()),
    })
}

fn convert(row: &::parquet::record::Row) -> Result<InventoryRecord, (Option<String>, Problem)> {
    let mut values = Vec::new();
    for (name, field) in row.get_column_iter() {
        let Some(col) = Column::from_name(name) else {
            continue;
        };
        let value = raw(field).map_err(|p| (Some(name.clone()), p))?;
        values.push((col, name.as_str(), value));
    }
    build_record(values, false).map_err(|(field, problem)| (Some(field), problem))
}

impl Iterator for ParquetRecords {
    type Item = Result<InventoryRecord, InventoryError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            let rows = &mut self.rows;
            let next = match guarded(&self.path, || rows.next()) {
                Ok(next) => next,
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            };
            let row = match next {
                None => {
                    self.done = true;
                    return None;
                }
                Some(Err(e)) => {
                    self.done = true;
                    return Some(Err(parquet_err(&self.path, e)));
                }
                Some(Ok(row)) => row,
            };
            self.row += 1;
            self.summary.lines.read += 1;
            match convert(&row) {
                Ok(r) => {
                    self.summary.lines.parsed += 1;
                    return Some(Ok(r));
                }
                Err((field, problem)) => {
                    let bad = BadLine {
                        path: self.path.clone(),
                        line: self.row,
                        field,
                        problem,
                    };
                    match self.mode {
                        Mode::Lenient => self.summary.skip(bad),
                        Mode::Strict => {
                            self.done = true;
                            return Some(Err(InventoryError::BadLine(Box::new(bad))));
                        }
                    }
                }
            }
        }
        None
    }
}
