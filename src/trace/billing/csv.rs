//! Billing exports as CSV: plain, gzip or zstd (by content), streamed line by line within the
//! input limits of `trace::input` (decompressed size and ratio, 1 MiB per line). The first
//! non-blank line is the header; quoted fields, doubled quotes and a byte-order mark are
//! handled by the `csv` crate.

use std::path::Path;

use ::csv::{ByteRecord, ReaderBuilder};

use crate::trace::input;

use super::error::{BillingError, Problem};
use super::format::{Binding, Field};
use super::line::{Cell, Row};
use super::{Place, RowSink};

struct CsvRow<'a> {
    record: &'a ByteRecord,
    binding: &'a Binding,
}

impl Row for CsvRow<'_> {
    fn cell(&self, field: Field) -> Result<Cell<'_>, Problem> {
        let Some(i) = self.binding.column(field) else {
            return Ok(Cell::Null);
        };
        match self.record.get(i) {
            None => Ok(Cell::Null),
            Some(b) => std::str::from_utf8(b)
                .map(Cell::Text)
                .map_err(|_| Problem::InvalidUtf8),
        }
    }

    fn binding(&self) -> &Binding {
        self.binding
    }
}

fn read_err(path: &Path, e: ::csv::Error) -> BillingError {
    let line = e.position().map_or(0, |p| p.line());
    match e.into_kind() {
        ::csv::ErrorKind::Io(io) => BillingError::io(path, io),
        other => BillingError::io(
            path,
            std::io::Error::other(format!("CSV error near line {line}: {other:?}")),
        ),
    }
}

/// Reads the CSV export at `path` into `sink`.
pub(crate) fn read(path: &Path, sink: &mut RowSink<'_>) -> Result<(), BillingError> {
    let inner = input::open_lines(path).map_err(|e| BillingError::io(path, e))?;
    let mut reader = ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(inner);
    let mut record = ByteRecord::new();
    let blank = |r: &ByteRecord| r.iter().all(|f| f.trim_ascii().is_empty());
    loop {
        if !reader
            .read_byte_record(&mut record)
            .map_err(|e| read_err(path, e))?
        {
            return Err(BillingError::schema(
                path,
                "the file is empty; a billing export starts with a header row",
            ));
        }
        if !blank(&record) {
            break;
        }
    }
    let mut names = Vec::with_capacity(record.len());
    for (i, b) in record.iter().enumerate() {
        let text = std::str::from_utf8(b).map_err(|_| {
            BillingError::schema(path, format!("header column {} is not valid UTF-8", i + 1))
        })?;
        names.push(text.trim_start_matches('\u{feff}').trim().to_string());
    }
    let binding = sink.bind(path, &names)?;
    let width = names.len();
    loop {
        if !reader
            .read_byte_record(&mut record)
            .map_err(|e| read_err(path, e))?
        {
            return Ok(());
        }
        if blank(&record) {
            continue;
        }
        let line = record.position().map_or(0, |p| p.line());
        let place = Place::Line(line);
        if record.len() != width {
            sink.malformed(
                path,
                place,
                None,
                Problem::ColumnCount {
                    expected: width,
                    found: record.len(),
                },
            )?;
            continue;
        }
        let row = CsvRow {
            record: &record,
            binding: &binding,
        };
        sink.row(path, place, &row)?;
    }
}
