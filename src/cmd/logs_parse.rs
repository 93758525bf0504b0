//! `costlab logs parse FILES… [--format jsonl|csv]`: every record normalised, one per line.

use super::logs::{InputArgs, RecordFormat, read_failure};
use super::{Failure, output};
use clap::Args;
use costlab::trace::access_log::FIELD_NAMES;
use costlab::trace::access_log::LogReader;
use costlab::trace::access_log::export::{csv_fields, json_line};
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
