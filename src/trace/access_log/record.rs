//! One S3 server access log record, parsed from a line without copying: every field is a slice
//! of the line (`None` for `-`), numbers are parsed, the time is UTC seconds, and the key is
//! URL-decoded exactly once (allocating only when it has escapes).

use crate::units::Timestamp;
use std::borrow::Cow;
use std::fmt;

/// Field names as the format document and `costlab logs parse` spell them, in record order.
pub const FIELD_NAMES: [&str; 27] = [
    "bucket_owner",
    "bucket",
    "time",
    "remote_ip",
    "requester",
    "request_id",
    "operation",
    "key",
    "request_uri",
    "http_status",
    "error_code",
    "bytes_sent",
    "object_size",
    "total_time",
    "turn_around_time",
    "referer",
    "user_agent",
    "version_id",
    "host_id",
    "signature_version",
    "cipher_suite",
    "authentication_type",
    "host_header",
    "tls_version",
    "access_point_arn",
    "acl_required",
    "source_region",
];

/// A parsed record borrowing its line.
#[derive(Clone, Debug, PartialEq)]
pub struct Record<'a> {
    pub bucket_owner: Option<&'a str>,
    pub bucket: Option<&'a str>,
    pub time: Timestamp,
    pub remote_ip: Option<&'a str>,
    pub requester: Option<&'a str>,
    pub request_id: Option<&'a str>,
    pub operation: &'a str,
    /// The key, URL-decoded once (`%2F` → `/`, `+` → space); `%253D` becomes `%3D`.
    pub key: Option<Cow<'a, str>>,
    pub request_uri: Option<&'a str>,
    pub http_status: Option<u16>,
    pub error_code: Option<&'a str>,
    pub bytes_sent: Option<u64>,
    pub object_size: Option<u64>,
    pub total_time: Option<u64>,
    pub turn_around_time: Option<u64>,
    pub referer: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub version_id: Option<&'a str>,
    pub host_id: Option<&'a str>,
    pub signature_version: Option<&'a str>,
    pub cipher_suite: Option<&'a str>,
    pub authentication_type: Option<&'a str>,
    pub host_header: Option<&'a str>,
    pub tls_version: Option<&'a str>,
    pub access_point_arn: Option<&'a str>,
    /// `Yes` in the log → true; `-` → None.
    pub acl_required: Option<bool>,
    pub source_region: Option<&'a str>,
    /// How many fields the line had (17 for 2006-era records, 27 today, more if AWS adds some).
    pub field_count: usize,
}

/// Why a line is not a record: the field (by format name) and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineError {
    pub field: &'static str,
    pub reason: Reason,
}

/// Reasons a line is rejected; also the keys of `skip_reasons` in `costlab logs stats`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    Empty,
    Truncated,
    BadTime,
    NoOperation,
    BadNumber,
    BadQuoting,
    /// A field after the user agent is not of its documented form (`SigV4` where the host id
    /// belongs, a cipher suite where the TLS version belongs, …): the fields are shifted.
    BadFieldForm,
    /// Another record's time (`[dd/Mon/yyyy:HH:MM:SS +hhmm]`) or 64-hex bucket-owner id
    /// inside the line: two records run together.
    FusedRecords,
    /// The line is longer than the reader's limit (`LogReader::max_line_bytes`).
    LineTooLong,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Empty => "empty_line",
            Reason::Truncated => "truncated_record",
            Reason::BadTime => "bad_time",
            Reason::NoOperation => "no_operation",
            Reason::BadNumber => "bad_number",
            Reason::BadQuoting => "bad_quoting",
            Reason::BadFieldForm => "bad_field_form",
            Reason::FusedRecords => "fused_records",
            Reason::LineTooLong => "line_too_long",
        }
    }
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.reason {
            Reason::Empty => "empty line",
            Reason::Truncated => {
                "the record ends before this field (a record has at least 17 fields, through user_agent)"
            }
            Reason::BadTime => "expected [dd/Mon/yyyy:HH:MM:SS +hhmm]",
            Reason::NoOperation => {
                "no operation such as REST.GET.OBJECT, WEBSITE.GET.OBJECT, BATCH.DELETE.OBJECT or S3.EXPIRE.OBJECT where the format has one"
            }
            Reason::BadNumber => "expected a number or -",
            Reason::BadQuoting => "a quoted field is not closed",
            Reason::BadFieldForm => expected_form(self.field),
            Reason::FusedRecords => {
                "another record's time [dd/Mon/yyyy:HH:MM:SS +hhmm] or 64-hex bucket-owner id is inside this line: two records run together (the line is skipped, not split)"
            }
            Reason::LineTooLong => {
                "the line is longer than the reader's limit (1 MiB unless configured; a record is a few hundred bytes): not a log line"
            }
        };
        write!(f, "{}: {what}", self.field)
    }
}

/// What a field after the user agent must hold (`Reason::BadFieldForm`), as the S3 server access
/// log format documents it.
fn expected_form(field: &str) -> &'static str {
    match field {
        "host_id" => {
            "expected a host id (x-amz-id-2, base64 such as s9lzHYrF…31234=) or -, not a signature version, cipher suite or TLS version: the fields are shifted"
        }
        "signature_version" => "expected SigV2, SigV4 or - (the fields are shifted)",
        "cipher_suite" => {
            "expected a TLS cipher suite (ECDHE-RSA-AES128-GCM-SHA256, TLS_AES_128_GCM_SHA256) or - (the fields are shifted)"
        }
        "authentication_type" => "expected AuthHeader, QueryString or - (the fields are shifted)",
        "host_header" => {
            "expected a host name (bucket.s3.us-east-1.amazonaws.com) or - (the fields are shifted)"
        }
        "tls_version" => "expected TLSv1, TLSv1.1, TLSv1.2, TLSv1.3 or - (the fields are shifted)",
        "access_point_arn" => "expected an access point ARN (arn:aws:s3:…) or -",
        "acl_required" => "expected Yes or -",
        "source_region" => "expected an AWS Region name (us-east-1) or -",
        _ => "not of this field's form",
    }
}

/// Decodes `%XX` escapes and `+` once. Malformed escapes stay literal; bytes that do not form
/// UTF-8 become U+FFFD. S3 logs keys URL-encoded (form style: BATCH.DELETE.OBJECT records show
/// spaces as `+`), and some clients' keys are themselves encoded, so `%253D` decodes to `%3D`
/// and no further (s3-access-log-format.md, "Notes on values").
pub fn url_decode_once(s: &str) -> Cow<'_, str> {
    let b = s.as_bytes();
    if memchr::memchr2(b'%', b'+', b).is_none() {
        return Cow::Borrowed(s);
    }
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    // Plain runs are copied whole, up to each `%` or `+`.
    while let Some(n) = memchr::memchr2(b'%', b'+', &b[i..]) {
        let at = i + n;
        out.extend_from_slice(&b[i..at]);
        match (
            b[at],
            b.get(at + 1).copied().and_then(hex),
            b.get(at + 2).copied().and_then(hex),
        ) {
            (b'+', _, _) => {
                out.push(b' ');
                i = at + 1;
            }
            (_, Some(hi), Some(lo)) => {
                out.push(hi * 16 + lo);
                i = at + 3;
            }
            (c, _, _) => {
                out.push(c);
                i = at + 1;
            }
        }
    }
    out.extend_from_slice(&b[i..]);
    match String::from_utf8(out) {
        Ok(s) => Cow::Owned(s),
        Err(e) => Cow::Owned(String::from_utf8_lossy(e.as_bytes()).into_owned()),
    }
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Byte by byte, as the format describes it.
    fn reference(s: &str) -> String {
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            let pair = (
                b.get(i + 1).copied().and_then(hex),
                b.get(i + 2).copied().and_then(hex),
            );
            match (b[i], pair) {
                (b'+', _) => (out.push(b' '), i += 1),
                (b'%', (Some(h), Some(l))) => (out.push(h * 16 + l), i += 3),
                (c, _) => (out.push(c), i += 1),
            };
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    #[test]
    fn decodes_once_by_hand() {
        assert_eq!(url_decode_once("a%253Db+c%2"), "a%3Db c%2");
        assert_eq!(url_decode_once("%%41%4"), "%A%4");
        assert_eq!(url_decode_once("x%ff"), "x\u{fffd}");
        assert!(matches!(url_decode_once("plain/key"), Cow::Borrowed(_)));
    }

    proptest! {
        #[test]
        fn decoding_matches_the_byte_by_byte_reading(s in "[a-z%+0-9A-F/é]{0,40}") {
            prop_assert_eq!(url_decode_once(&s).into_owned(), reference(&s));
        }
    }
}
