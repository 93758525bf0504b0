//! `costlab logs parse FILES… [--format jsonl|csv]`: every record normalised, one per line.

use super::logs::{InputArgs, RecordFormat, read_failure};
use super::{Failure, output};
use clap::Args;
use costlab::output::escape::csv_cell;
use costlab::trace::access_log::{FIELD_NAMES, LogReader, Record, billing_class};
use std::io::Write;

/// Print every record normalised, one per line, for jq, DuckDB or a spreadsheet.
///
/// Fields carry the names of the S3 log format (bucket_owner, bucket, time, remote_ip,
/// requester, request_id, operation, key, request_uri, http_status, error_code, bytes_sent,
/// object_size, total_time, turn_around_time, referer, user_agent, version_id, host_id,
/// signature_version, cipher_suite, authentication_type, host_header, tls_version,
/// access_point_arn, acl_required, source_region), then billing_class. `-` and absent
/// trailing fields are null; numbers are numbers; time is RFC 3339 UTC; the key is URL-decoded
/// once. billing_class is tier1, tier2, free, copy_source_read, lifecycle, system or
/// unbilled_error (see docs/access-logs.md). In CSV, a text value that a spreadsheet would
/// read as a formula (it starts with = + - @ TAB or CR) is written with a leading ' .
///
/// Examples:
///   costlab logs parse logs/ | jq 'select(.http_status >= 400)'
///   costlab logs parse 'logs/2026-03-*' --format csv > march.csv
///   zcat big.log.gz | costlab logs parse - --strict
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct ParseArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[arg(long, value_enum, default_value = "jsonl")]
    pub format: RecordFormat,
}

pub fn run(args: &ParseArgs) -> Result<u8, Failure> {
    let sources = args.input.sources()?;
    let reader = LogReader::new(args.input.mode());
    let out = std::io::BufWriter::with_capacity(1 << 16, costlab::output::stdio::Stdout::lock());
    let result = match args.format {
        RecordFormat::Jsonl => {
            let mut out = out;
            let mut line = String::with_capacity(1024);
            let r = reader.for_each(&sources, |_, r| -> Result<(), Failure> {
                line.clear();
                json_line(r, &mut line);
                out.write_all(line.as_bytes()).map_err(pipe)
            });
            r.and_then(|log| out.flush().map(|_| log).map_err(pipe))
        }
        RecordFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            let mut header: Vec<&str> = FIELD_NAMES.to_vec();
            header.push("billing_class");
            w.write_record(&header).map_err(csv_err)?;
            let r = reader.for_each(&sources, |_, r| -> Result<(), Failure> {
                w.write_record(csv_fields(r)).map_err(csv_err)
            });
            r.and_then(|log| w.flush().map(|_| log).map_err(pipe))
        }
    };
    match result {
        Ok(log) => {
            args.input.finish(&log)?;
            Ok(0)
        }
        // A closed pipe (`| head`) ends the run quietly.
        Err(f) if f.code == 0 => Ok(0),
        Err(f) => Err(f),
    }
}

fn csv_err(e: csv::Error) -> Failure {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => pipe(io),
        other => output(anyhow::anyhow!("{other:?}")),
    }
}

/// A closed pipe (`| head`) ends the run quietly: code 0 carried as a "failure" to stop reading.
fn pipe(e: std::io::Error) -> Failure {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Failure {
            code: 0,
            error: anyhow::anyhow!("broken pipe"),
        }
    } else {
        output(e)
    }
}

impl From<costlab::trace::access_log::ReadError> for Failure {
    fn from(e: costlab::trace::access_log::ReadError) -> Self {
        read_failure(e)
    }
}

/// One record's CSV cells. Text fields (everything a requester can choose: key, request URI,
/// referer, user agent…, and the other string fields) go through [`csv_cell`], so a key like
/// `=HYPERLINK(…)` is not a formula in a spreadsheet (it is written `'=HYPERLINK(…)`). Columns
/// costlab formats itself stay as they are: time (RFC 3339), numbers (http_status, bytes_sent,
/// object_size, total_time, turn_around_time), acl_required and billing_class.
fn csv_fields(r: &Record<'_>) -> Vec<String> {
    let s = |v: Option<&str>| csv_cell(v.unwrap_or("")).into_owned();
    let n = |v: Option<u64>| v.map(|x| x.to_string()).unwrap_or_default();
    vec![
        s(r.bucket_owner),
        s(r.bucket),
        r.time.to_string(),
        s(r.remote_ip),
        s(r.requester),
        s(r.request_id),
        s(Some(r.operation)),
        s(r.key.as_deref()),
        s(r.request_uri),
        r.http_status.map(|x| x.to_string()).unwrap_or_default(),
        s(r.error_code),
        n(r.bytes_sent),
        n(r.object_size),
        n(r.total_time),
        n(r.turn_around_time),
        s(r.referer),
        s(r.user_agent),
        s(r.version_id),
        s(r.host_id),
        s(r.signature_version),
        s(r.cipher_suite),
        s(r.authentication_type),
        s(r.host_header),
        s(r.tls_version),
        s(r.access_point_arn),
        r.acl_required.map(|b| b.to_string()).unwrap_or_default(),
        s(r.source_region),
        billing_class(r).as_str().to_string(),
    ]
}

fn json_str(out: &mut String, v: Option<&str>) {
    use std::fmt::Write as _;
    let Some(v) = v else {
        out.push_str("null");
        return;
    };
    out.push('"');
    for c in v.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn json_num(out: &mut String, v: Option<u64>) {
    use std::fmt::Write as _;
    match v {
        Some(x) => {
            let _ = write!(out, "{x}");
        }
        None => out.push_str("null"),
    }
}

/// One record as a JSON object line.
pub fn json_line(r: &Record<'_>, out: &mut String) {
    out.push_str("{\"bucket_owner\":");
    json_str(out, r.bucket_owner);
    out.push_str(",\"bucket\":");
    json_str(out, r.bucket);
    out.push_str(",\"time\":\"");
    out.push_str(&r.time.to_string());
    out.push('"');
    let field = |out: &mut String, k: &str, v: Option<&str>| {
        out.push_str(",\"");
        out.push_str(k);
        out.push_str("\":");
        json_str(out, v);
    };
    field(out, "remote_ip", r.remote_ip);
    field(out, "requester", r.requester);
    field(out, "request_id", r.request_id);
    field(out, "operation", Some(r.operation));
    field(out, "key", r.key.as_deref());
    field(out, "request_uri", r.request_uri);
    out.push_str(",\"http_status\":");
    json_num(out, r.http_status.map(u64::from));
    field(out, "error_code", r.error_code);
    for (k, v) in [
        ("bytes_sent", r.bytes_sent),
        ("object_size", r.object_size),
        ("total_time", r.total_time),
        ("turn_around_time", r.turn_around_time),
    ] {
        out.push_str(",\"");
        out.push_str(k);
        out.push_str("\":");
        json_num(out, v);
    }
    for (k, v) in [
        ("referer", r.referer),
        ("user_agent", r.user_agent),
        ("version_id", r.version_id),
        ("host_id", r.host_id),
        ("signature_version", r.signature_version),
        ("cipher_suite", r.cipher_suite),
        ("authentication_type", r.authentication_type),
        ("host_header", r.host_header),
        ("tls_version", r.tls_version),
        ("access_point_arn", r.access_point_arn),
    ] {
        field(out, k, v);
    }
    out.push_str(",\"acl_required\":");
    out.push_str(match r.acl_required {
        Some(true) => "true",
        Some(false) => "false",
        None => "null",
    });
    field(out, "source_region", r.source_region);
    field(out, "billing_class", Some(billing_class(r).as_str()));
    out.push_str("}\n");
}
