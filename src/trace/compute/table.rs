//! The CSV machinery the compute readers share: a header row naming columns in any order
//! (matched case-insensitively, unknown ones ignored and listed), data rows checked against the
//! header's width, values trimmed (empty means absent), lenient/strict handling of bad lines,
//! and the value parsers (times, whole numbers, exact decimals) every format uses.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

use ::csv::{ByteRecord, Reader};
use rust_decimal::Decimal;

use crate::trace::input::{self, RecordBounded, RecordStart};
use crate::units::Timestamp;

use super::error::{BadLine, ComputeError, Mode, Problem, ReadSummary};

/// A problem with one value: the column it is in (as spelled in the header) and what is wrong.
pub(crate) type FieldError = (Option<String>, Problem);

/// A rejected header: the column concerned and why.
pub(crate) type HeaderProblem = (String, String);

/// One data row as seen by a format's parser.
pub(crate) struct Row<'a> {
    record: &'a ByteRecord,
    names: &'a [String],
    /// 1-based line the row starts on.
    pub line: u64,
}

impl<'a> Row<'a> {
    /// The trimmed value of column `idx`; `None` when the column is absent or the value empty.
    pub fn get(&self, idx: Option<usize>) -> Result<Option<&'a str>, FieldError> {
        let Some(idx) = idx else { return Ok(None) };
        let Some(bytes) = self.record.get(idx) else {
            return Ok(None);
        };
        let text = std::str::from_utf8(bytes)
            .map_err(|_| (Some(self.name(idx)), Problem::InvalidUtf8))?
            .trim();
        Ok((!text.is_empty()).then_some(text))
    }

    /// The value of column `idx`, which must be present.
    pub fn required(&self, idx: usize) -> Result<&'a str, FieldError> {
        self.get(Some(idx))?
            .ok_or_else(|| (Some(self.name(idx)), Problem::Missing))
    }

    /// The column's name as the header spells it.
    pub fn name(&self, idx: usize) -> String {
        self.names.get(idx).cloned().unwrap_or_default()
    }
}

/// A format's parser: built from the header, then fed one row at a time.
pub(crate) trait RowParser: Sized {
    type Record;
    /// What the caller supplies besides the file (defaults for columns a file may lack).
    type Options;
    /// Binds the parser to the header's column names (trimmed, as spelled in the file);
    /// returns it and the names of ignored columns. `Err((column, reason))` rejects the header.
    fn bind(
        names: &[String],
        options: Self::Options,
    ) -> Result<(Self, Vec<String>), (String, String)>;
    fn parse(&mut self, row: &Row<'_>) -> Result<Self::Record, FieldError>;
}

/// Normalises a column name for matching: lowercase, without `_`, `-` and spaces, so
/// `instance_type`, `InstanceType` and `Instance Type` are one name.
pub(crate) fn norm(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, '_' | '-' | ' '))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Finds each known column in the header; returns per-known-column indexes and the names of
/// unknown columns. A known column named twice is an error.
pub(crate) fn bind_columns(
    names: &[String],
    known: &[&str],
) -> Result<(Vec<Option<usize>>, Vec<String>), HeaderProblem> {
    let mut idx = vec![None; known.len()];
    let mut ignored = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let n = norm(name);
        match known.iter().position(|k| norm(k) == n) {
            Some(k) => {
                if idx[k].is_some() {
                    return Err((
                        name.clone(),
                        "column appears twice in the header; keep one".to_string(),
                    ));
                }
                idx[k] = Some(i);
            }
            None => ignored.push(name.clone()),
        }
    }
    Ok((idx, ignored))
}

/// An iterator of typed records from a CSV file with a header row.
pub(crate) struct Rows<P: RowParser> {
    path: Arc<Path>,
    reader: Reader<RecordBounded<Box<dyn BufRead + Send>>>,
    /// Where the record being parsed starts (records are bounded: an unclosed quote is an
    /// error, not the rest of the file gathered into one record).
    start: Arc<RecordStart>,
    record: ByteRecord,
    names: Vec<String>,
    parser: Option<P>,
    mode: Mode,
    summary: ReadSummary,
    done: bool,
}

impl<P: RowParser> Rows<P> {
    pub fn open(path: &Path, mode: Mode, options: P::Options) -> Result<Rows<P>, ComputeError> {
        let inner = input::open_lines(path).map_err(|e| ComputeError::io(path, e))?;
        Rows::new(inner, path, mode, options)
    }

    pub fn from_reader<R: Read + Send + 'static>(
        reader: R,
        path: &Path,
        mode: Mode,
        options: P::Options,
    ) -> Result<Rows<P>, ComputeError> {
        let inner = input::decompress(BufReader::with_capacity(1 << 16, reader))
            .map_err(|e| ComputeError::io(path, e))?;
        Rows::new(input::bounded_lines(inner), path, mode, options)
    }

    pub fn new(
        inner: Box<dyn BufRead + Send>,
        path: &Path,
        mode: Mode,
        options: P::Options,
    ) -> Result<Rows<P>, ComputeError> {
        let (reader, start) = input::csv_records(inner);
        let mut rows = Rows {
            path: Arc::from(path),
            reader,
            start,
            record: ByteRecord::new(),
            names: Vec::new(),
            parser: None,
            mode,
            summary: ReadSummary::default(),
            done: false,
        };
        rows.read_header(options)?;
        Ok(rows)
    }

    pub fn summary(&self) -> &ReadSummary {
        &self.summary
    }

    fn header_error(&self, line: u64, column: String, reason: String) -> ComputeError {
        ComputeError::Header {
            path: self.path.to_path_buf(),
            line,
            column,
            reason,
        }
    }

    /// Reads the next non-blank record into `self.record`; `Ok(false)` at the end.
    fn next_record(&mut self) -> Result<bool, ComputeError> {
        loop {
            match self.reader.read_byte_record(&mut self.record) {
                Ok(false) => return Ok(false),
                Ok(true) => {
                    self.start.passed(&self.reader);
                    if self.record.iter().all(|f| f.trim_ascii().is_empty()) {
                        continue;
                    }
                    return Ok(true);
                }
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    let path = self.path.to_path_buf();
                    return Err(match e.into_kind() {
                        ::csv::ErrorKind::Io(io) => ComputeError::Io { path, source: io },
                        other => ComputeError::Io {
                            path,
                            source: std::io::Error::other(format!(
                                "CSV error near line {line}: {other:?}"
                            )),
                        },
                    });
                }
            }
        }
    }

    fn read_header(&mut self, options: P::Options) -> Result<(), ComputeError> {
        if !self.next_record()? {
            return Err(self.header_error(
                1,
                String::new(),
                "file is empty; the first line must be a header row naming the columns".into(),
            ));
        }
        let line = self.record.position().map_or(1, |p| p.line());
        let mut names = Vec::with_capacity(self.record.len());
        for (i, bytes) in self.record.iter().enumerate() {
            let Ok(text) = std::str::from_utf8(bytes) else {
                return Err(self.header_error(
                    line,
                    format!("column {}", i + 1),
                    "header is not valid UTF-8".into(),
                ));
            };
            let text = if i == 0 {
                text.trim_start_matches('\u{feff}')
            } else {
                text
            };
            names.push(text.trim().to_string());
        }
        match P::bind(&names, options) {
            Ok((parser, ignored)) => {
                self.parser = Some(parser);
                self.summary.ignored_columns = ignored;
                self.summary.header_lines = 1;
                self.names = names;
                Ok(())
            }
            Err((column, reason)) => Err(self.header_error(line, column, reason)),
        }
    }
}

impl<P: RowParser> Iterator for Rows<P> {
    type Item = Result<P::Record, ComputeError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            match self.next_record() {
                Ok(true) => {}
                Ok(false) => {
                    self.done = true;
                    return None;
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
            let line = self.record.position().map_or(0, |p| p.line());
            self.summary.lines.read += 1;
            let result = if self.record.len() != self.names.len() {
                Err((
                    None,
                    Problem::ColumnCount {
                        expected: self.names.len(),
                        found: self.record.len(),
                    },
                ))
            } else {
                let row = Row {
                    record: &self.record,
                    names: &self.names,
                    line,
                };
                match self.parser.as_mut() {
                    Some(p) => p.parse(&row),
                    None => Err((None, Problem::Missing)),
                }
            };
            match result {
                Ok(r) => {
                    self.summary.lines.parsed += 1;
                    return Some(Ok(r));
                }
                Err((field, problem)) => {
                    let bad = BadLine {
                        path: self.path.to_path_buf(),
                        line,
                        field,
                        problem,
                    };
                    match self.mode {
                        Mode::Lenient => self.summary.skip(bad),
                        Mode::Strict => {
                            self.done = true;
                            return Some(Err(ComputeError::BadLine(Box::new(bad))));
                        }
                    }
                }
            }
        }
        None
    }
}

/// Reads every record of a CSV source into memory.
pub(crate) fn collect<P: RowParser>(
    rows: Rows<P>,
) -> Result<(Vec<P::Record>, ReadSummary), ComputeError> {
    let mut rows = rows;
    let mut out = Vec::new();
    for r in rows.by_ref() {
        out.push(r?);
    }
    Ok((out, rows.summary))
}

/// Parses a time: RFC 3339 (`2026-03-01T12:00:00Z`, `…+00:00`, fractions dropped, `T` or a
/// space between date and time), or a zone-less `YYYY-MM-DD HH:MM[:SS]` (`T` or space) read
/// as UTC.
pub(crate) fn parse_time(s: &str) -> Option<Timestamp> {
    if let Some(t) = Timestamp::parse_rfc3339(s) {
        return Some(t);
    }
    let b = s.as_bytes();
    if b.len() != 16 && b.len() != 19 {
        return None;
    }
    if !(b.get(10) == Some(&b' ') || b.get(10) == Some(&b'T')) {
        return None;
    }
    let date = s.get(..10)?;
    let time = s.get(11..)?;
    let full = if time.len() == 5 {
        format!("{date}T{time}:00Z")
    } else {
        format!("{date}T{time}Z")
    };
    Timestamp::parse_rfc3339(&full)
}

/// Parses a non-negative whole number (`0`, `3600`); no sign, no fraction.
pub(crate) fn parse_u64(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses a plain decimal number exactly (`0.080000`, `4`, `.5` is refused); no exponent.
pub(crate) fn parse_decimal(s: &str) -> Option<Decimal> {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let ok = !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
        && !(digits.ends_with('.'))
        && int.len() + frac.len() <= 28;
    if !ok {
        return None;
    }
    Decimal::from_str(s.strip_prefix('+').unwrap_or(s)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A CSV without line breaks is refused at the line bound (1 MiB), naming file and line.
    #[test]
    fn a_line_past_the_bound_is_an_error() {
        let mut text = b"hour,instance_type,count\n".to_vec();
        text.extend(std::iter::repeat_n(b'9', 2 << 20));
        let e = crate::trace::compute::UsageReader::from_reader(
            std::io::Cursor::new(text),
            Path::new("usage.csv"),
            Mode::Lenient,
        )
        .and_then(|r| r.read_all())
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("usage.csv: cannot read:"), "{e}");
        assert!(e.contains("line 2 is longer than 1 MiB"), "{e}");
    }

    #[test]
    fn times_with_and_without_zone() {
        let t = |s: &str| parse_time(s).map(|t| t.to_string());
        assert_eq!(
            t("2026-03-01T12:00:00Z").as_deref(),
            Some("2026-03-01T12:00:00Z")
        );
        assert_eq!(
            t("2026-03-01 12:00").as_deref(),
            Some("2026-03-01T12:00:00Z")
        );
        assert_eq!(
            t("2026-03-01 12:34:56").as_deref(),
            Some("2026-03-01T12:34:56Z")
        );
        assert_eq!(
            t("2026-03-01T12:00").as_deref(),
            Some("2026-03-01T12:00:00Z")
        );
        assert_eq!(
            t("2026-02-27 21:02:32+00:00").as_deref(),
            Some("2026-02-27T21:02:32Z")
        );
        assert_eq!(t("2026-03-01 1:00"), None);
        assert_eq!(t("2026-03-01x12:00"), None);
        assert_eq!(t("2026-03-01 24:00"), None);
        assert_eq!(t("é026-03-01 12:00"), None);
    }

    #[test]
    fn whole_numbers_and_decimals() {
        assert_eq!(parse_u64("3600"), Some(3600));
        assert_eq!(parse_u64("-1"), None);
        assert_eq!(parse_u64("+1"), None);
        assert_eq!(parse_u64("1.0"), None);
        assert_eq!(parse_u64("99999999999999999999"), None);
        assert_eq!(
            parse_decimal("0.080000").map(|d| d.to_string()).as_deref(),
            Some("0.080000")
        );
        assert_eq!(parse_decimal("+1.5"), Some(Decimal::new(15, 1)));
        assert_eq!(parse_decimal("-0.5"), Some(Decimal::new(-5, 1)));
        for bad in ["", ".5", "5.", "1e3", "0x10", "1.2.3", "NaN", "-", "1,5"] {
            assert_eq!(parse_decimal(bad), None, "{bad}");
        }
        assert_eq!(parse_decimal(&"9".repeat(29)), None);
    }

    #[test]
    fn column_names_match_loosely_but_not_twice() {
        assert_eq!(norm("Instance_Type"), "instancetype");
        assert_eq!(norm("memory-gib"), "memorygib");
        let names: Vec<String> = ["Hour", "x", "instance type"].map(String::from).to_vec();
        let (idx, ignored) = bind_columns(&names, &["hour", "instance_type", "count"]).unwrap();
        assert_eq!(idx, vec![Some(0), Some(2), None]);
        assert_eq!(ignored, vec!["x".to_string()]);
        let twice: Vec<String> = ["hour", "HOUR"].map(String::from).to_vec();
        assert_eq!(bind_columns(&twice, &["hour"]).unwrap_err().0, "HOUR");
    }
}
