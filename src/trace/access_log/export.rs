//! Access-log records written out for other tools (`costlab logs parse`): one JSON object per
//! line, or CSV cells, with the S3 format's field names and each record's billing class. Text
//! a requester chooses (keys, user agents…) is escaped for each format.

use super::{Record, billing_class};
use crate::output::escape::csv_cell;

/// One record's CSV cells. Text fields (everything a requester can choose: key, request URI,
/// referer, user agent…, and the other string fields) go through [`csv_cell`], so a key like
/// `=HYPERLINK(…)` is not a formula in a spreadsheet (it is written `'=HYPERLINK(…)`). Columns
/// costlab formats itself stay as they are: time (RFC 3339), numbers (http_status, bytes_sent,
/// object_size, total_time, turn_around_time), acl_required and billing_class.
pub fn csv_fields(r: &Record<'_>) -> Vec<String> {
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
