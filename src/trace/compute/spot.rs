//! Spot price history: the readers of its three forms and the series built from them.
//!
//! * `describe-spot-price-history` JSON (AWS CLI / API / boto3): `{"SpotPriceHistory": [...],
//!   "NextToken": ...}`, several pages one after another allowed;
//! * the whitespace-separated text of the ericpauley/aws-spot-price-history data set
//!   (`az-id  instance-type  product  price  timestamp`, tab- or space-separated, often
//!   `.tsv.zst`);
//! * CSV with a header naming some of `Timestamp`, `SpotPrice`, `AvailabilityZone`,
//!   `AvailabilityZoneId`, `Region`, `InstanceType`, `ProductDescription` (what boto3 scripts
//!   write); columns the file lacks come from [`SpotDefaults`].
//!
//! A record marks the instant the price *changed*; the price holds until the next record of
//! the same (instance type, zone, product) (compute-pricing-and-rules.md §4d).
//! [`SpotHistory`](super::series::SpotHistory) groups records into one series per key.

use std::fmt;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::Path;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde_json::Value;

use crate::aws::{InstanceType, Region};
use crate::trace::input;
use crate::units::Timestamp;

use super::error::{BadLine, ComputeError, Mode, Problem, ReadSummary};
use super::table::{FieldError, Row, RowParser, Rows, bind_columns, parse_decimal, parse_time};

/// Where a spot price applies.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Zone {
    /// An availability-zone name such as `us-west-1a` (account-specific mapping).
    Name(String),
    /// A global availability-zone id such as `euc1-az2` (ericpauley data set).
    Id(String),
    /// Only the region is known (CSV files that dropped the zone).
    Region(Region),
}

impl Zone {
    /// `euc1-az2` → [`Zone::Id`]; anything else made of lowercase letters, digits and `-`
    /// (`us-west-1a`, `us-west-2-lax-1a`) → [`Zone::Name`].
    pub fn parse(s: &str) -> Result<Zone, String> {
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !ok {
            return Err(format!(
                "{s:?} is not an availability zone like us-east-1a or use1-az4"
            ));
        }
        let is_id = s.split_once("-az").is_some_and(|(pre, num)| {
            !num.is_empty()
                && num.chars().all(|c| c.is_ascii_digit())
                && pre.ends_with(|c: char| c.is_ascii_digit())
                && !pre.contains('-')
        });
        Ok(if is_id {
            Zone::Id(s.to_string())
        } else {
            Zone::Name(s.to_string())
        })
    }

    pub fn as_str(&self) -> &str {
        match self {
            Zone::Name(s) | Zone::Id(s) => s,
            Zone::Region(r) => r.as_str(),
        }
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a record was read: file and 1-based line (for JSON, the line its object starts on).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub path: Arc<Path>,
    pub line: u64,
}

/// One price change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpotRecord {
    /// When the price changed (UTC, whole seconds; fractions dropped).
    pub timestamp: Timestamp,
    pub instance_type: InstanceType,
    /// `ProductDescription` as AWS spells it: `Linux/UNIX`, `Linux/UNIX (Amazon VPC)`,
    /// `SUSE Linux`, `Red Hat Enterprise Linux`, `Windows`, …
    pub product: String,
    pub zone: Zone,
    /// USD per instance-hour, exactly as written.
    pub price: Decimal,
    pub origin: Origin,
}

/// Which form a spot file was in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpotFormat {
    /// `describe-spot-price-history` JSON.
    AwsJson,
    /// ericpauley-style whitespace-separated text.
    Text,
    /// CSV with a header.
    Csv,
}

/// Values for columns a CSV file lacks (a boto3 script that wrote only `Timestamp,Region,
/// SpotPrice` for one instance type and product). Used only by the CSV form.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpotDefaults {
    pub instance_type: Option<InstanceType>,
    pub product: Option<String>,
    pub zone: Option<Zone>,
}

/// The records of one spot file and the tally of the read.
#[derive(Clone, Debug)]
pub struct SpotRead {
    pub format: SpotFormat,
    pub records: Vec<SpotRecord>,
    pub summary: ReadSummary,
}

/// Reads a spot price history file of any of the three forms (plain, `.gz` or `.zst`), telling
/// them apart by content: a first non-blank character `{` is JSON; a first non-blank line with
/// a comma is CSV; anything else is the text form.
pub fn read_spot(
    path: &Path,
    mode: Mode,
    defaults: &SpotDefaults,
) -> Result<SpotRead, ComputeError> {
    let inner = input::open(path).map_err(|e| ComputeError::io(path, e))?;
    read_spot_inner(inner, path, mode, defaults)
}

/// [`read_spot`] from any reader; `name` names it in messages and origins.
pub fn read_spot_from<R: Read + Send + 'static>(
    reader: R,
    name: &Path,
    mode: Mode,
    defaults: &SpotDefaults,
) -> Result<SpotRead, ComputeError> {
    let inner = input::decompress(BufReader::with_capacity(1 << 16, reader))
        .map_err(|e| ComputeError::io(name, e))?;
    read_spot_inner(inner, name, mode, defaults)
}

/// Bytes read while looking for the first non-blank line.
const SNIFF_LIMIT: u64 = 1 << 20;

fn read_spot_inner(
    mut inner: Box<dyn BufRead + Send>,
    path: &Path,
    mode: Mode,
    defaults: &SpotDefaults,
) -> Result<SpotRead, ComputeError> {
    let mut prefix = Vec::new();
    let first_line = loop {
        let start = prefix.len();
        let n = (&mut inner)
            .take(SNIFF_LIMIT)
            .read_until(b'\n', &mut prefix)
            .map_err(|e| ComputeError::io(path, e))?;
        let line = &prefix[start..];
        let line = line.strip_prefix(b"\xef\xbb\xbf").unwrap_or(line);
        if !line.trim_ascii().is_empty() || n == 0 || prefix.len() as u64 >= SNIFF_LIMIT {
            break line.trim_ascii().to_vec();
        }
    };
    let chained: Box<dyn BufRead + Send> = Box::new(BufReader::with_capacity(
        1 << 16,
        Cursor::new(prefix).chain(inner),
    ));
    let format = if first_line.first() == Some(&b'{') {
        SpotFormat::AwsJson
    } else if first_line.contains(&b',') {
        SpotFormat::Csv
    } else {
        SpotFormat::Text
    };
    let (records, summary) = match format {
        SpotFormat::AwsJson => {
            let bytes = input::read_whole(chained, input::MAX_JSON_BYTES)
                .map_err(|e| ComputeError::io(path, e))?;
            parse_spot_json(&bytes, path, mode)?
        }
        SpotFormat::Csv => collect_records(SpotCsvRecords::new(
            input::bounded_lines(chained),
            path,
            mode,
            defaults,
        )?)?,
        SpotFormat::Text => collect_records(SpotTextRecords::new(
            input::bounded_lines(chained),
            path,
            mode,
        ))?,
    };
    Ok(SpotRead {
        format,
        records,
        summary,
    })
}

trait Summarised: Iterator<Item = Result<SpotRecord, ComputeError>> {
    fn into_summary(self) -> ReadSummary;
}

fn collect_records<I: Summarised>(
    mut it: I,
) -> Result<(Vec<SpotRecord>, ReadSummary), ComputeError> {
    let mut out = Vec::new();
    for r in it.by_ref() {
        out.push(r?);
    }
    Ok((out, it.into_summary()))
}

// ---------------------------------------------------------------- JSON

/// Parses `describe-spot-price-history` JSON: one page object or several one after another.
/// Syntax errors (including a truncated file) are fatal in both modes; a record with a missing
/// or bad field is skipped (lenient) or an error naming the line its object starts on and the
/// key (strict). `NextToken` and unknown keys are ignored.
pub fn parse_spot_json(
    bytes: &[u8],
    path: &Path,
    mode: Mode,
) -> Result<(Vec<SpotRecord>, ReadSummary), ComputeError> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let (line, column) = line_col(bytes, e.valid_up_to());
            return Err(ComputeError::Json {
                path: path.to_path_buf(),
                line,
                column,
                message: "invalid UTF-8".into(),
            });
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let arc: Arc<Path> = Arc::from(path);
    let mut summary = ReadSummary::default();
    let mut records = Vec::new();
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    let mut prev_end = 0usize;
    let mut line_at_prev_end = 1u64;
    while let Some(next) = stream.next() {
        let page = match next {
            Ok(v) => v,
            Err(e) => {
                let msg = e.to_string();
                let msg = msg.split(" at line ").next().unwrap_or("").to_string();
                return Err(ComputeError::Json {
                    path: path.to_path_buf(),
                    line: e.line() as u64,
                    column: e.column() as u64,
                    message: msg,
                });
            }
        };
        let end = stream.byte_offset().min(text.len());
        let page_text = text.get(prev_end..end).unwrap_or("");
        let lead = page_text.len() - page_text.trim_start().len();
        let page_line = line_at_prev_end + count_newlines(&page_text.as_bytes()[..lead]);
        let not_history = |reason: String| ComputeError::NotSpotHistory {
            path: path.to_path_buf(),
            line: page_line,
            reason,
        };
        let Value::Object(obj) = &page else {
            return Err(not_history(
                "top-level JSON value is not an object; expected the describe-spot-price-history \
                 response {\"SpotPriceHistory\": [...]}"
                    .into(),
            ));
        };
        let Some(history) = obj.get("SpotPriceHistory") else {
            let looks_like_request = ["StartTime", "EndTime", "InstanceTypes"]
                .iter()
                .any(|k| obj.contains_key(*k));
            return Err(not_history(if looks_like_request {
                "object has no SpotPriceHistory key; it looks like the request parameters \
                 (StartTime, EndTime, InstanceTypes), not the response"
                    .into()
            } else {
                "object has no SpotPriceHistory key; expected the describe-spot-price-history \
                 response"
                    .into()
            }));
        };
        let Value::Array(items) = history else {
            return Err(not_history("SpotPriceHistory is not an array".into()));
        };
        let lines = element_lines(page_text, line_at_prev_end);
        for (i, item) in items.iter().enumerate() {
            let line = if lines.len() == items.len() {
                lines.get(i).copied().unwrap_or(page_line)
            } else {
                page_line
            };
            summary.lines.read += 1;
            match json_record(item, &arc, line) {
                Ok(r) => {
                    summary.lines.parsed += 1;
                    records.push(r);
                }
                Err((field, problem)) => {
                    let bad = BadLine {
                        path: path.to_path_buf(),
                        line,
                        field,
                        problem,
                    };
                    match mode {
                        Mode::Lenient => summary.skip(bad),
                        Mode::Strict => return Err(ComputeError::BadLine(Box::new(bad))),
                    }
                }
            }
        }
        line_at_prev_end += count_newlines(page_text.as_bytes());
        prev_end = end;
    }
    Ok((records, summary))
}

fn count_newlines(b: &[u8]) -> u64 {
    b.iter().filter(|&&c| c == b'\n').count() as u64
}

fn line_col(b: &[u8], at: usize) -> (u64, u64) {
    let before = b.get(..at).unwrap_or(b);
    let line = 1 + count_newlines(before);
    let col = before.iter().rev().take_while(|&&c| c != b'\n').count() as u64 + 1;
    (line, col)
}

/// The line each object of the top-level `SpotPriceHistory` array starts on. `page` is valid
/// JSON (serde_json parsed it) starting at line `first_line`.
fn element_lines(page: &str, first_line: u64) -> Vec<u64> {
    let b = page.as_bytes();
    let mut out = Vec::new();
    let mut line = first_line;
    let mut depth = 0usize;
    let mut in_str = false;
    let mut escaped = false;
    let mut str_start = 0usize;
    let mut last_key: (usize, usize) = (0, 0);
    let mut in_target = false;
    for (i, &c) in b.iter().enumerate() {
        if c == b'\n' {
            line += 1;
        }
        if in_str {
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                escaped = true;
            } else if c == b'"' {
                in_str = false;
                if depth == 1 {
                    last_key = (str_start, i);
                }
            }
            continue;
        }
        match c {
            b'"' => {
                in_str = true;
                str_start = i + 1;
            }
            b'[' | b'{' => {
                let key = b.get(last_key.0..last_key.1).unwrap_or(b"");
                if c == b'[' && depth == 1 && key == b"SpotPriceHistory" {
                    in_target = true;
                } else if c == b'{' && depth == 2 && in_target {
                    out.push(line);
                }
                depth += 1;
            }
            b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if depth <= 1 {
                    in_target = false;
                }
            }
            _ => {}
        }
    }
    out
}

fn json_record(item: &Value, path: &Arc<Path>, line: u64) -> Result<SpotRecord, FieldError> {
    let Value::Object(obj) = item else {
        return Err((
            None,
            Problem::invalid(&short_json(item), "a JSON object (one price record)"),
        ));
    };
    let text = |key: &str| -> Result<String, FieldError> {
        match obj.get(key) {
            None | Some(Value::Null) => Err((Some(key.to_string()), Problem::Missing)),
            Some(Value::String(s)) if s.trim().is_empty() => {
                Err((Some(key.to_string()), Problem::Missing))
            }
            Some(Value::String(s)) => Ok(s.trim().to_string()),
            // arbitrary_precision: a number's text is its literal, so prices written as
            // numbers are still read exactly.
            Some(Value::Number(n)) if key == "SpotPrice" => Ok(n.to_string()),
            Some(other) => Err((
                Some(key.to_string()),
                Problem::invalid(&short_json(other), "a JSON string"),
            )),
        }
    };
    let ts = text("Timestamp")?;
    let timestamp = Timestamp::parse_rfc3339(&ts).ok_or_else(|| {
        (
            Some("Timestamp".to_string()),
            Problem::invalid(&ts, "an ISO 8601 UTC time like 2014-01-06T04:32:53.000Z"),
        )
    })?;
    let it = text("InstanceType")?;
    let instance_type = InstanceType::parse(&it).map_err(|_| {
        (
            Some("InstanceType".to_string()),
            Problem::invalid(&it, "an EC2 instance type like m5.xlarge"),
        )
    })?;
    let product = text("ProductDescription")?;
    let p = text("SpotPrice")?;
    let price = parse_price(&p).map_err(|pr| (Some("SpotPrice".to_string()), pr))?;
    let z = text("AvailabilityZone")?;
    let zone = Zone::parse(&z).map_err(|_| {
        (
            Some("AvailabilityZone".to_string()),
            Problem::invalid(&z, "an availability zone like us-east-1a"),
        )
    })?;
    Ok(SpotRecord {
        timestamp,
        instance_type,
        product,
        zone,
        price,
        origin: Origin {
            path: Arc::clone(path),
            line,
        },
    })
}

fn short_json(v: &Value) -> String {
    let s = v.to_string();
    s.chars().take(60).collect()
}

fn parse_price(s: &str) -> Result<Decimal, Problem> {
    parse_decimal(s)
        .filter(|d| *d >= Decimal::ZERO)
        .ok_or_else(|| Problem::invalid(s, "a non-negative decimal price in USD per hour"))
}

// ---------------------------------------------------------------- text (ericpauley)

/// Field names used in messages for the five columns of the text form.
const TEXT_FIELDS: [&str; 5] = [
    "AvailabilityZoneId",
    "InstanceType",
    "ProductDescription",
    "SpotPrice",
    "Timestamp",
];

/// A streaming reader of the ericpauley text form: five columns `az-id`, `instance type`,
/// `product description`, `price`, `timestamp`, separated by tabs, or by runs of spaces (the
/// product description may itself contain single spaces: the first two and last two
/// whitespace-separated tokens are the other columns). Blank lines and a header line (first
/// line mentioning "price" whose last token is not a time) are skipped.
pub struct SpotTextRecords {
    path: Arc<Path>,
    inner: Box<dyn BufRead + Send>,
    buf: Vec<u8>,
    line: u64,
    mode: Mode,
    summary: ReadSummary,
    seen_data: bool,
    done: bool,
}

impl SpotTextRecords {
    /// Reads from an already-decompressed reader.
    pub fn new(inner: Box<dyn BufRead + Send>, path: &Path, mode: Mode) -> SpotTextRecords {
        SpotTextRecords {
            path: Arc::from(path),
            inner,
            buf: Vec::new(),
            line: 0,
            mode,
            summary: ReadSummary::default(),
            seen_data: false,
            done: false,
        }
    }

    /// The tally so far.
    pub fn summary(&self) -> &ReadSummary {
        &self.summary
    }
}

fn parse_text_line(text: &str, path: &Arc<Path>, line: u64) -> Result<SpotRecord, FieldError> {
    let tabbed: Vec<&str> = text
        .split('\t')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let (az, it, product, price, ts) = if tabbed.len() == 5 {
        (
            tabbed[0],
            tabbed[1],
            tabbed[2].split_whitespace().collect::<Vec<_>>().join(" "),
            tabbed[3],
            tabbed[4],
        )
    } else {
        let tok: Vec<&str> = text.split_whitespace().collect();
        let n = tok.len();
        if n < 5 {
            return Err((
                None,
                Problem::ColumnCount {
                    expected: 5,
                    found: n,
                },
            ));
        }
        (
            tok[0],
            tok[1],
            tok[2..n - 2].join(" "),
            tok[n - 2],
            tok[n - 1],
        )
    };
    let f = |i: usize| Some(TEXT_FIELDS[i].to_string());
    let zone = Zone::parse(az).map_err(|_| {
        (
            f(0),
            Problem::invalid(az, "an availability zone id like euc1-az2"),
        )
    })?;
    let instance_type = InstanceType::parse(it).map_err(|_| {
        (
            f(1),
            Problem::invalid(it, "an EC2 instance type like m5.xlarge"),
        )
    })?;
    let price = parse_price(price).map_err(|p| (f(3), p))?;
    let timestamp = Timestamp::parse_rfc3339(ts).ok_or_else(|| {
        (
            f(4),
            Problem::invalid(ts, "an RFC 3339 time like 2023-02-28T23:59:59+00:00"),
        )
    })?;
    Ok(SpotRecord {
        timestamp,
        instance_type,
        product,
        zone,
        price,
        origin: Origin {
            path: Arc::clone(path),
            line,
        },
    })
}

impl Iterator for SpotTextRecords {
    type Item = Result<SpotRecord, ComputeError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            self.buf.clear();
            match self.inner.read_until(b'\n', &mut self.buf) {
                Ok(0) => {
                    self.done = true;
                    return None;
                }
                Ok(_) => {}
                Err(e) => {
                    self.done = true;
                    return Some(Err(ComputeError::io(&self.path, e)));
                }
            }
            self.line += 1;
            let raw = self.buf.trim_ascii();
            let raw = if self.line == 1 {
                raw.strip_prefix(b"\xef\xbb\xbf").unwrap_or(raw)
            } else {
                raw
            };
            if raw.is_empty() {
                continue;
            }
            let result = match std::str::from_utf8(raw) {
                Err(_) => Err((None, Problem::InvalidUtf8)),
                Ok(text) => {
                    if !self.seen_data && is_text_header(text) {
                        self.seen_data = true;
                        self.summary.header_lines += 1;
                        continue;
                    }
                    parse_text_line(text, &self.path, self.line)
                }
            };
            self.seen_data = true;
            self.summary.lines.read += 1;
            match result {
                Ok(r) => {
                    self.summary.lines.parsed += 1;
                    return Some(Ok(r));
                }
                Err((field, problem)) => {
                    let bad = BadLine {
                        path: self.path.to_path_buf(),
                        line: self.line,
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

impl Summarised for SpotTextRecords {
    fn into_summary(self) -> ReadSummary {
        self.summary
    }
}

fn is_text_header(text: &str) -> bool {
    text.to_ascii_lowercase().contains("price")
        && text
            .split_whitespace()
            .last()
            .is_none_or(|t| Timestamp::parse_rfc3339(t).is_none())
}

// ---------------------------------------------------------------- CSV

const CSV_COLUMNS: &[&str] = &[
    "Timestamp",
    "SpotPrice",
    "AvailabilityZone",
    "AvailabilityZoneId",
    "Region",
    "InstanceType",
    "ProductDescription",
];

#[derive(Clone, Copy)]
enum ZoneColumn {
    Name(usize),
    Id(usize),
    Region(usize),
}

pub(crate) struct SpotCsvParser {
    path: Arc<Path>,
    timestamp: usize,
    price: usize,
    zone: Option<ZoneColumn>,
    instance_type: Option<usize>,
    product: Option<usize>,
    defaults: SpotDefaults,
}

impl RowParser for SpotCsvParser {
    type Record = SpotRecord;
    type Options = (Arc<Path>, SpotDefaults);

    fn bind(
        names: &[String],
        (path, defaults): (Arc<Path>, SpotDefaults),
    ) -> Result<(Self, Vec<String>), (String, String)> {
        let (idx, ignored) = bind_columns(names, CSV_COLUMNS)?;
        let need = |i: usize| {
            idx[i].ok_or_else(|| {
                (
                    CSV_COLUMNS[i].to_string(),
                    format!(
                        "header has no `{}` column; a spot price CSV names at least Timestamp \
                         and SpotPrice",
                        CSV_COLUMNS[i]
                    ),
                )
            })
        };
        let timestamp = need(0)?;
        let price = need(1)?;
        let zone = idx[2]
            .map(ZoneColumn::Name)
            .or(idx[3].map(ZoneColumn::Id))
            .or(idx[4].map(ZoneColumn::Region));
        let lacking = |col: &str, what: &str| {
            (
                col.to_string(),
                format!(
                    "header has no `{col}` column and no default {what} was given; the file does \
                     not say which {what} its prices are for, so pass one in SpotDefaults"
                ),
            )
        };
        if zone.is_none() && defaults.zone.is_none() {
            return Err(lacking("AvailabilityZone", "zone"));
        }
        if idx[5].is_none() && defaults.instance_type.is_none() {
            return Err(lacking("InstanceType", "instance type"));
        }
        if idx[6].is_none() && defaults.product.is_none() {
            return Err(lacking("ProductDescription", "product description"));
        }
        Ok((
            SpotCsvParser {
                path,
                timestamp,
                price,
                zone,
                instance_type: idx[5],
                product: idx[6],
                defaults,
            },
            ignored,
        ))
    }

    fn parse(&mut self, row: &Row<'_>) -> Result<SpotRecord, FieldError> {
        let f = |i: usize| Some(row.name(i));
        let ts = row.required(self.timestamp)?;
        let timestamp = parse_time(ts).ok_or_else(|| {
            (
                f(self.timestamp),
                Problem::invalid(ts, "a time like 2026-02-27 21:02:32+00:00"),
            )
        })?;
        let p = row.required(self.price)?;
        let price = parse_price(p).map_err(|pr| (f(self.price), pr))?;
        let zone = match self.zone {
            None => self.defaults.zone.clone().ok_or((None, Problem::Missing))?,
            Some(ZoneColumn::Region(i)) => {
                let v = row.required(i)?;
                Zone::Region(Region::parse(v).map_err(|_| {
                    (
                        f(i),
                        Problem::invalid(v, "an AWS region code like us-east-1"),
                    )
                })?)
            }
            Some(ZoneColumn::Name(i) | ZoneColumn::Id(i)) => {
                let v = row.required(i)?;
                Zone::parse(v).map_err(|_| {
                    (
                        f(i),
                        Problem::invalid(v, "an availability zone like us-east-1a"),
                    )
                })?
            }
        };
        let instance_type = match self.instance_type {
            None => self
                .defaults
                .instance_type
                .clone()
                .ok_or((None, Problem::Missing))?,
            Some(i) => {
                let v = row.required(i)?;
                InstanceType::parse(v).map_err(|_| {
                    (
                        f(i),
                        Problem::invalid(v, "an EC2 instance type like m5.xlarge"),
                    )
                })?
            }
        };
        let product = match self.product {
            None => self
                .defaults
                .product
                .clone()
                .ok_or((None, Problem::Missing))?,
            Some(i) => row.required(i)?.to_string(),
        };
        Ok(SpotRecord {
            timestamp,
            instance_type,
            product,
            zone,
            price,
            origin: Origin {
                path: Arc::clone(&self.path),
                line: row.line,
            },
        })
    }
}

/// A streaming reader of the CSV form.
pub struct SpotCsvRecords {
    rows: Rows<SpotCsvParser>,
}

impl SpotCsvRecords {
    /// Reads the header from an already-decompressed reader.
    pub fn new(
        inner: Box<dyn BufRead + Send>,
        path: &Path,
        mode: Mode,
        defaults: &SpotDefaults,
    ) -> Result<SpotCsvRecords, ComputeError> {
        Ok(SpotCsvRecords {
            rows: Rows::new(inner, path, mode, (Arc::from(path), defaults.clone()))?,
        })
    }

    /// The tally so far.
    pub fn summary(&self) -> &ReadSummary {
        self.rows.summary()
    }
}

impl Iterator for SpotCsvRecords {
    type Item = Result<SpotRecord, ComputeError>;
    fn next(&mut self) -> Option<Self::Item> {
        self.rows.next()
    }
}

impl Summarised for SpotCsvRecords {
    fn into_summary(self) -> ReadSummary {
        self.rows.summary().clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_by_shape() {
        assert_eq!(
            Zone::parse("us-west-1a"),
            Ok(Zone::Name("us-west-1a".into()))
        );
        assert_eq!(Zone::parse("euc1-az2"), Ok(Zone::Id("euc1-az2".into())));
        assert_eq!(Zone::parse("use1-az10"), Ok(Zone::Id("use1-az10".into())));
        assert_eq!(
            Zone::parse("us-west-2-lax-1a"),
            Ok(Zone::Name("us-west-2-lax-1a".into()))
        );
        for bad in ["", "US-EAST-1A", "us east", "1a", "us-east-1a\t"] {
            assert!(Zone::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn element_lines_follow_only_the_history_array() {
        let page = "{\n \"Other\": [{}],\n \"SpotPriceHistory\": [\n  {\"a\": \"]{\"},\n\n  {\"b\": [{}]}\n ],\n \"NextToken\": \"x\"\n}";
        assert_eq!(element_lines(page, 10), vec![13, 15]);
    }

    #[test]
    fn text_lines_with_spaces_or_tabs() {
        let p: Arc<Path> = Arc::from(Path::new("t"));
        let spaced = "euc1-az3        r5b.8xlarge     Red Hat Enterprise Linux        0.749600        2023-02-28T23:59:58+00:00";
        let tabbed =
            "euc1-az3\tr5b.8xlarge\tRed Hat Enterprise Linux\t0.749600\t2023-02-28T23:59:58+00:00";
        let a = parse_text_line(spaced, &p, 1).unwrap();
        let b = parse_text_line(tabbed, &p, 1).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.product, "Red Hat Enterprise Linux");
        assert_eq!(a.price, Decimal::new(749_600, 6));
        let short = parse_text_line("euc1-az3 r5b.8xlarge 0.7 2023-02-28T23:59:58Z", &p, 1);
        assert_eq!(
            short.unwrap_err().1,
            Problem::ColumnCount {
                expected: 5,
                found: 4
            }
        );
        assert!(is_text_header(
            "az_id\tinstance_type\tproduct\tprice\ttimestamp"
        ));
        assert!(!is_text_header(spaced));
    }
}
