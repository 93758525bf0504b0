//! Billing exports as Parquet (CUR 2.0's and FOCUS's Data Exports, legacy CUR's Athena
//! form), read with the `parquet` crate's column readers (no arrow): one row group at a time,
//! in batches of [`BATCH`] rows, only the top-level columns the readers need (maps such as
//! `product` and `resource_tags` are never decoded). Strings, doubles, floats, 32- and 64-bit
//! integers, timestamps (millisecond, microsecond, nanosecond, INT96) and dates are read.
//!
//! Before decoding, the file's layout and sizes are checked: every column chunk must lie
//! inside the file (the crate asserts otherwise), and the projected columns must decompress
//! within the input limits of `trace::input` (`COSTLAB_MAX_DECOMPRESSED`,
//! `COSTLAB_MAX_RATIO`). A panic of the decoder on damaged pages becomes an error.

use std::fs::File;
use std::panic::AssertUnwindSafe;
use std::path::Path;

use ::parquet::basic::{ConvertedType, LogicalType, TimeUnit, Type as PhysicalType};
use ::parquet::column::reader::ColumnReader;
use ::parquet::data_type::{ByteArray, Int96};
use ::parquet::file::reader::{FileReader, RowGroupReader};
use ::parquet::file::serialized_reader::SerializedFileReader;

use crate::trace::input::{Limits, RATIO_FLOOR, size_text};

use super::error::{BillingError, Problem};
use super::format::{Binding, FIELDS, Field};
use super::line::{Cell, Row};
use super::{Place, RowSink};

/// Rows decoded per column per step.
pub const BATCH: usize = 8192;

/// How an integer column's values read as time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Time {
    None,
    Millis,
    Micros,
    Nanos,
    Days,
}

enum Values {
    Bytes(Vec<ByteArray>),
    F64(Vec<f64>),
    F32(Vec<f32>),
    I64(Vec<i64>),
    I32(Vec<i32>),
    I96(Vec<Int96>),
}

enum Reader {
    Bytes(::parquet::column::reader::ColumnReaderImpl<::parquet::data_type::ByteArrayType>),
    F64(::parquet::column::reader::ColumnReaderImpl<::parquet::data_type::DoubleType>),
    F32(::parquet::column::reader::ColumnReaderImpl<::parquet::data_type::FloatType>),
    I64(::parquet::column::reader::ColumnReaderImpl<::parquet::data_type::Int64Type>),
    I32(::parquet::column::reader::ColumnReaderImpl<::parquet::data_type::Int32Type>),
    I96(::parquet::column::reader::ColumnReaderImpl<::parquet::data_type::Int96Type>),
}

/// One projected column of the current batch.
struct Column {
    leaf: usize,
    max_def: i16,
    time: Time,
    reader: Option<Reader>,
    values: Values,
    defs: Vec<i16>,
    /// Per row of the batch: index into `values`, or `u32::MAX` for null.
    index: Vec<u32>,
}

const NULL: u32 = u32::MAX;

fn guarded<T>(path: &Path, f: impl FnOnce() -> T) -> Result<T, BillingError> {
    std::panic::catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        let why = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown cause".into());
        BillingError::parquet(path, format!("the decoder failed on damaged data ({why})"))
    })
}

impl Column {
    fn open(&mut self, rg: &dyn RowGroupReader, path: &Path) -> Result<(), BillingError> {
        let r = guarded(path, || rg.get_column_reader(self.leaf))?
            .map_err(|e| BillingError::parquet(path, e))?;
        self.reader = Some(match r {
            ColumnReader::ByteArrayColumnReader(r) => Reader::Bytes(r),
            ColumnReader::DoubleColumnReader(r) => Reader::F64(r),
            ColumnReader::FloatColumnReader(r) => Reader::F32(r),
            ColumnReader::Int64ColumnReader(r) => Reader::I64(r),
            ColumnReader::Int32ColumnReader(r) => Reader::I32(r),
            ColumnReader::Int96ColumnReader(r) => Reader::I96(r),
            _ => {
                return Err(BillingError::parquet(
                    path,
                    "a needed column has a type costlab cannot read (boolean or fixed-length)",
                ));
            }
        });
        Ok(())
    }

    /// Reads the next `n` rows; returns how many it got.
    fn read(&mut self, n: usize, path: &Path) -> Result<usize, BillingError> {
        self.defs.clear();
        let defs = (self.max_def > 0).then_some(&mut self.defs);
        macro_rules! go {
            ($r:expr, $vals:ident, $variant:ident) => {{
                let mut v = match std::mem::replace(&mut self.values, Values::I32(Vec::new())) {
                    Values::$variant(mut v) => {
                        v.clear();
                        v
                    }
                    _ => Vec::new(),
                };
                let out = guarded(path, || $r.read_records(n, defs, None, &mut v))?;
                self.values = Values::$variant(v);
                out
            }};
        }
        let result = match self.reader.as_mut() {
            Some(Reader::Bytes(r)) => go!(r, v, Bytes),
            Some(Reader::F64(r)) => go!(r, v, F64),
            Some(Reader::F32(r)) => go!(r, v, F32),
            Some(Reader::I64(r)) => go!(r, v, I64),
            Some(Reader::I32(r)) => go!(r, v, I32),
            Some(Reader::I96(r)) => go!(r, v, I96),
            None => return Ok(0),
        };
        let (records, values, _levels) = result.map_err(|e| BillingError::parquet(path, e))?;
        self.index.clear();
        if self.max_def == 0 {
            self.index.extend(0..records as u32);
        } else {
            let mut j = 0u32;
            for d in &self.defs {
                if *d == self.max_def {
                    self.index.push(j);
                    j += 1;
                } else {
                    self.index.push(NULL);
                }
            }
            if j as usize != values || self.index.len() != records {
                return Err(BillingError::parquet(
                    path,
                    "definition levels and values disagree (damaged page)",
                ));
            }
        }
        Ok(records)
    }

    fn cell(&self, i: usize) -> Result<Cell<'_>, Problem> {
        let j = match self.index.get(i) {
            Some(&NULL) | None => return Ok(Cell::Null),
            Some(&j) => j as usize,
        };
        let secs = |v: i64| -> Cell<'_> {
            match self.time {
                Time::None => Cell::Int(v),
                Time::Millis => Cell::Seconds(v.div_euclid(1_000)),
                Time::Micros => Cell::Seconds(v.div_euclid(1_000_000)),
                Time::Nanos => Cell::Seconds(v.div_euclid(1_000_000_000)),
                Time::Days => Cell::Seconds(v.saturating_mul(86_400)),
            }
        };
        Ok(match &self.values {
            Values::Bytes(v) => match v.get(j) {
                Some(b) => {
                    Cell::Text(std::str::from_utf8(b.data()).map_err(|_| Problem::InvalidUtf8)?)
                }
                None => Cell::Null,
            },
            Values::F64(v) => v.get(j).map_or(Cell::Null, |x| Cell::Float(*x)),
            Values::F32(v) => v.get(j).map_or(Cell::Null, |x| Cell::Float(f64::from(*x))),
            Values::I64(v) => v.get(j).map_or(Cell::Null, |x| secs(*x)),
            Values::I32(v) => v.get(j).map_or(Cell::Null, |x| secs(i64::from(*x))),
            Values::I96(v) => v
                .get(j)
                .map_or(Cell::Null, |x| Cell::Seconds(x.to_seconds())),
        })
    }
}

struct ParquetRow<'a> {
    columns: &'a [Column],
    /// Per field: index into `columns`.
    of_field: &'a [Option<usize>],
    binding: &'a Binding,
    i: usize,
}

impl Row for ParquetRow<'_> {
    fn cell(&self, field: Field) -> Result<Cell<'_>, Problem> {
        match self.of_field[field.index()] {
            Some(c) => self.columns[c].cell(self.i),
            None => Ok(Cell::Null),
        }
    }

    fn binding(&self) -> &Binding {
        self.binding
    }
}

fn time_of(desc: &::parquet::schema::types::ColumnDescriptor) -> Time {
    match desc.logical_type_ref() {
        Some(LogicalType::Timestamp(t)) => match t.unit {
            TimeUnit::MILLIS => Time::Millis,
            TimeUnit::MICROS => Time::Micros,
            TimeUnit::NANOS => Time::Nanos,
        },
        Some(LogicalType::Date) => Time::Days,
        _ => match desc.converted_type() {
            ConvertedType::TIMESTAMP_MILLIS => Time::Millis,
            ConvertedType::TIMESTAMP_MICROS => Time::Micros,
            ConvertedType::DATE => Time::Days,
            _ => Time::None,
        },
    }
}

/// Checks that every projected column chunk lies inside the file and that the projection
/// decompresses within the input limits.
fn check_sizes(
    reader: &SerializedFileReader<File>,
    leaves: &[usize],
    path: &Path,
) -> Result<(), BillingError> {
    let file_len = std::fs::metadata(path)
        .map_err(|e| BillingError::io(path, e))?
        .len();
    let limits = Limits::from_env().map_err(|e| BillingError::io(path, e))?;
    let (mut packed, mut unpacked) = (0u64, 0u64);
    for (g, group) in reader.metadata().row_groups().iter().enumerate() {
        for (i, col) in group.columns().iter().enumerate() {
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
                return Err(BillingError::parquet(
                    path,
                    format!(
                        "row group {g}, column {}: chunk at offset {start}, length {len} lies \
                         outside the file ({file_len} bytes)",
                        col.column_path()
                    ),
                ));
            }
            if leaves.contains(&i) {
                packed = packed.saturating_add(u64::try_from(len).unwrap_or(0));
                unpacked =
                    unpacked.saturating_add(u64::try_from(col.uncompressed_size()).unwrap_or(0));
            }
        }
    }
    if unpacked > limits.max_decompressed {
        return Err(BillingError::io(
            path,
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "its columns decompress to {}, more than the per-file limit of {} (set \
                     COSTLAB_MAX_DECOMPRESSED for a genuine file this large)",
                    size_text(unpacked),
                    size_text(limits.max_decompressed)
                ),
            ),
        ));
    }
    if limits.max_ratio > 0 && unpacked > RATIO_FLOOR && unpacked / packed.max(1) > limits.max_ratio
    {
        return Err(BillingError::io(
            path,
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "its columns claim to decompress {} times (more than COSTLAB_MAX_RATIO={})",
                    unpacked / packed.max(1),
                    limits.max_ratio
                ),
            ),
        ));
    }
    Ok(())
}

/// Reads the Parquet export at `path` into `sink`.
pub(crate) fn read(path: &Path, sink: &mut RowSink<'_>) -> Result<(), BillingError> {
    let file = File::open(path).map_err(|e| BillingError::io(path, e))?;
    let reader = guarded(path, || SerializedFileReader::new(file))?
        .map_err(|e| BillingError::parquet(path, e))?;
    let schema = reader.metadata().file_metadata().schema_descr_ptr();
    // Top-level primitive columns: their leaf index and name.
    let leaves: Vec<(usize, String)> = schema
        .columns()
        .iter()
        .enumerate()
        .filter(|(_, c)| c.path().parts().len() == 1 && c.max_rep_level() == 0)
        .map(|(i, c)| (i, c.name().to_string()))
        .collect();
    let names: Vec<String> = leaves.iter().map(|(_, n)| n.clone()).collect();
    let binding = sink.bind(path, &names)?;
    let mut columns: Vec<Column> = Vec::new();
    let mut of_field = vec![None; FIELDS.len()];
    for f in FIELDS {
        let Some(c) = binding.column(f) else { continue };
        let leaf = leaves[c].0;
        let desc = schema.column(leaf);
        if !matches!(
            desc.physical_type(),
            PhysicalType::BYTE_ARRAY
                | PhysicalType::DOUBLE
                | PhysicalType::FLOAT
                | PhysicalType::INT64
                | PhysicalType::INT32
                | PhysicalType::INT96
        ) {
            return Err(BillingError::schema(
                path,
                format!(
                    "column {} is {:?}, which costlab cannot read as {f:?}",
                    desc.name(),
                    desc.physical_type()
                ),
            ));
        }
        let k = match columns.iter().position(|c| c.leaf == leaf) {
            Some(k) => k,
            None => {
                columns.push(Column {
                    leaf,
                    max_def: desc.max_def_level(),
                    time: time_of(&desc),
                    reader: None,
                    values: Values::I32(Vec::new()),
                    defs: Vec::new(),
                    index: Vec::new(),
                });
                columns.len() - 1
            }
        };
        of_field[f.index()] = Some(k);
    }
    let projected: Vec<usize> = columns.iter().map(|c| c.leaf).collect();
    check_sizes(&reader, &projected, path)?;
    let mut base = 0u64;
    for g in 0..reader.num_row_groups() {
        let rg = guarded(path, || reader.get_row_group(g))?
            .map_err(|e| BillingError::parquet(path, e))?;
        let rows = usize::try_from(rg.metadata().num_rows().max(0)).unwrap_or(0);
        for c in &mut columns {
            c.open(rg.as_ref(), path)?;
        }
        let mut done = 0usize;
        while done < rows {
            let want = BATCH.min(rows - done);
            for c in &mut columns {
                let got = c.read(want, path)?;
                if got != want {
                    return Err(BillingError::parquet(
                        path,
                        format!(
                            "row group {g}: column {} has {} rows where the row group \
                             declares {rows}",
                            schema.column(c.leaf).name(),
                            done + got
                        ),
                    ));
                }
            }
            for i in 0..want {
                let row = ParquetRow {
                    columns: &columns,
                    of_field: &of_field,
                    binding: &binding,
                    i,
                };
                sink.row(path, Place::Row(base + (done + i) as u64 + 1), &row)?;
            }
            done += want;
        }
        for c in &mut columns {
            c.reader = None;
        }
        base += rows as u64;
    }
    Ok(())
}
