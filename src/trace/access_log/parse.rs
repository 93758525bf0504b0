//! The line parser: one pass over the bytes of a line, no allocation (except a key with escapes).
//! Tolerant of what real logs contain: 17 to 28+ fields, `-` for quoted fields, unescaped quotes
//! inside the user agent and request URI, requesters with spaces (CloudFront OAI), doubled
//! spaces, CRLF, any UTC offset. Anything else is a `LineError` naming the field.

use super::record::{LineError, Reason, Record, url_decode_once};
use crate::units::Timestamp;

struct Cursor<'a> {
    s: &'a str,
    b: &'a [u8],
    pos: usize,
}

fn err(field: &'static str, reason: Reason) -> LineError {
    LineError { field, reason }
}

impl<'a> Cursor<'a> {
    fn skip_spaces(&mut self) {
        while self.pos < self.b.len() && self.b[self.pos] == b' ' {
            self.pos += 1;
        }
    }

    fn at_end(&self) -> bool {
        self.pos >= self.b.len()
    }

    /// The next space-delimited token.
    fn token(&mut self, field: &'static str) -> Result<&'a str, LineError> {
        self.skip_spaces();
        if self.at_end() {
            return Err(err(field, Reason::Truncated));
        }
        let start = self.pos;
        self.pos = find_space(&self.b[start..]).map_or(self.b.len(), |n| start + n);
        Ok(&self.s[start..self.pos])
    }

    /// A token, `None` when it is `-`.
    fn opt(&mut self, field: &'static str) -> Result<Option<&'a str>, LineError> {
        self.token(field).map(dash)
    }

    fn opt_tail(&mut self) -> Option<&'a str> {
        self.skip_spaces();
        if self.at_end() {
            None
        } else {
            self.token("").ok().and_then(dash)
        }
    }

    fn number(&mut self, field: &'static str) -> Result<Option<u64>, LineError> {
        match self.opt(field)? {
            None => Ok(None),
            Some(t) => parse_u64(t)
                .map(Some)
                .ok_or_else(|| err(field, Reason::BadNumber)),
        }
    }

    /// A quoted field whose closing quote is the first `"` accepted by `closes(rest after it)`;
    /// or a bare token (`-` in BATCH.DELETE and COPY_GET records).
    fn quoted(
        &mut self,
        field: &'static str,
        closes: impl Fn(&[u8]) -> bool,
    ) -> Result<Option<&'a str>, LineError> {
        self.skip_spaces();
        if self.at_end() {
            return Err(err(field, Reason::Truncated));
        }
        if self.b[self.pos] != b'"' {
            return self.opt(field);
        }
        let start = self.pos + 1;
        for i in memchr::memchr_iter(b'"', &self.b[start..]).map(|n| start + n) {
            if closes(&self.b[i + 1..]) {
                self.pos = i + 1;
                return Ok(dash(&self.s[start..i]));
            }
        }
        Err(err(field, Reason::BadQuoting))
    }
}

/// The first space in `b`, eight bytes at a time: fields are short, and a library search's
/// setup costs more than it saves on them.
fn find_space(b: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let spaces = u64::from_ne_bytes([b' '; 8]);
    let mut words = b.chunks_exact(8);
    for (n, w) in words.by_ref().enumerate() {
        let Ok(w) = <[u8; 8]>::try_from(w) else { break };
        // Zero bytes of `x` are the spaces; the lowest flagged byte is the first zero (a
        // borrow can flag bytes only above a real zero).
        let x = u64::from_le_bytes(w) ^ spaces;
        let zero = x.wrapping_sub(ONES) & !x & HIGHS;
        if zero != 0 {
            return Some(n * 8 + (zero.trailing_zeros() / 8) as usize);
        }
    }
    let rest = words.remainder();
    rest.iter()
        .position(|&c| c == b' ')
        .map(|p| b.len() - rest.len() + p)
}

fn dash(t: &str) -> Option<&str> {
    if t == "-" || t.is_empty() {
        None
    } else {
        Some(t)
    }
}

fn parse_u64(t: &str) -> Option<u64> {
    if t.is_empty() || t.len() > 20 {
        return None;
    }
    let mut v: u64 = 0;
    for c in t.bytes() {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add((c - b'0') as u64)?;
    }
    Some(v)
}

/// `REST.GET.OBJECT`, `WEBSITE.GET.OBJECT`, `BATCH.DELETE.OBJECT`, `S3.EXPIRE.OBJECT`,
/// `SOAP.CreateBucket`, `S3.COMPUTE.OBJECT.CHECKSUM`.
fn is_operation(t: &str) -> bool {
    let ok_prefix = ["REST.", "WEBSITE.", "BATCH.", "S3.", "SOAP."]
        .iter()
        .any(|p| t.starts_with(p));
    ok_prefix
        && t.len() < 96
        && t.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'_' || c == b'-')
}

const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

/// `06/Feb/2019:00:00:38 +0000` → UTC seconds.
pub fn parse_time(t: &[u8]) -> Option<Timestamp> {
    if t.len() != 26
        || t[2] != b'/'
        || t[6] != b'/'
        || t[11] != b':'
        || t[14] != b':'
        || t[17] != b':'
        || t[20] != b' '
    {
        return None;
    }
    let d2 = |i: usize| -> Option<u32> {
        let (a, b) = (t[i], t[i + 1]);
        (a.is_ascii_digit() && b.is_ascii_digit()).then(|| ((a - b'0') * 10 + (b - b'0')) as u32)
    };
    let day = d2(0)?;
    let month = MONTHS.iter().position(|m| &t[3..6] == *m)? as u32 + 1;
    let year = d2(7)? * 100 + d2(9)?;
    let (h, mi, s) = (d2(12)?, d2(15)?, d2(18)?);
    let sign = match t[21] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (oh, om) = (d2(22)?, d2(24)?);
    if oh > 23 || om > 59 {
        return None;
    }
    let base = Timestamp::from_civil(year as i64, month, day, h, mi, s)?;
    Some(Timestamp(
        base.0 - sign * (oh as i64 * 3600 + om as i64 * 60),
    ))
}

/// Parses one line (a trailing `\r` or `\n` is ignored).
pub fn parse_line(line: &str) -> Result<Record<'_>, LineError> {
    let line = line.trim_end_matches(['\n', '\r']);
    if line.bytes().all(|b| b == b' ' || b == b'\t') {
        return Err(err("bucket_owner", Reason::Empty));
    }
    let mut c = Cursor {
        s: line,
        b: line.as_bytes(),
        pos: 0,
    };
    let bucket_owner = c.opt("bucket_owner")?;
    let bucket = c.opt("bucket")?;
    // [06/Feb/2019:00:00:38 +0000]
    c.skip_spaces();
    if c.at_end() {
        return Err(err("time", Reason::Truncated));
    }
    if c.b[c.pos] != b'[' {
        return Err(err("time", Reason::BadTime));
    }
    let close = memchr::memchr(b']', &c.b[c.pos..]).ok_or(err("time", Reason::BadTime))?;
    let time = parse_time(&c.b[c.pos + 1..c.pos + close]).ok_or(err("time", Reason::BadTime))?;
    c.pos += close + 1;
    let remote_ip = c.opt("remote_ip")?;
    // Requester (possibly several tokens: "…:user/CloudFront Origin Access Identity E2EX…"),
    // request id, operation: the operation is the first operation-shaped token from the third on.
    let req_start = {
        c.skip_spaces();
        c.pos
    };
    // Token spans seen before the operation (at most 7), kept on the stack.
    let mut ends = [(0usize, 0usize); 8];
    let mut n = 0;
    let (requester, request_id, operation) = loop {
        let start = {
            c.skip_spaces();
            c.pos
        };
        let t = c.token(if n == 0 { "requester" } else { "operation" })?;
        if n >= 2 && is_operation(t) {
            let (rs, re) = ends[n - 1];
            let requester_end = ends[n - 2].1;
            break (
                dash(&line[req_start..requester_end]),
                dash(&line[rs..re]),
                t,
            );
        }
        // Only a requester with spaces (CloudFront's "…:user/CloudFront Origin Access Identity
        // E2EXAMPLEID") spans tokens, and its extra words are plain alphanumerics; anything else
        // (e.g. two records fused into one line) has no operation where the format puts it.
        if n >= 2
            && !line[ends[n - 1].0..ends[n - 1].1]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric())
        {
            return Err(err("operation", Reason::NoOperation));
        }
        if n == 7 {
            return Err(err("operation", Reason::NoOperation));
        }
        ends[n] = (start, c.pos);
        n += 1;
    };
    let key = c.opt("key")?.map(url_decode_once);
    // The request line ends at the first quote followed by a space and an HTTP status (or -).
    let request_uri = c.quoted("request_uri", |rest| {
        rest.first() == Some(&b' ') && {
            let t = &rest[1..];
            let n = t.iter().position(|&x| x == b' ').unwrap_or(t.len());
            n > 0 && (t[..n] == *b"-" || t[..n].iter().all(u8::is_ascii_digit))
        }
    })?;
    let http_status = match c.opt("http_status")? {
        None => None,
        Some(t) => Some(
            t.parse::<u16>()
                .ok()
                .filter(|s| (100..1000).contains(s))
                .ok_or(err("http_status", Reason::BadNumber))?,
        ),
    };
    let error_code = c.opt("error_code")?;
    let bytes_sent = c.number("bytes_sent")?;
    let object_size = c.number("object_size")?;
    let total_time = c.number("total_time")?;
    let turn_around_time = c.number("turn_around_time")?;
    // The referer ends where the user agent (quoted, or a bare -) begins.
    let referer = c.quoted("referer", |rest| {
        rest.first() == Some(&b' ') && matches!(rest.get(1), Some(b'"') | Some(b'-'))
    })?;
    // The user agent ends at a quote after which no quote follows: trailing fields never contain
    // one, while real user agents do (`pip/19.1 {"ci":null,…}`, `""Mozilla…`).
    let user_agent = c.quoted("user_agent", |rest| {
        (rest.is_empty() || rest[0] == b' ') && memchr::memchr(b'"', rest).is_none()
    })?;
    let mut field_count = 17;
    let mut tail = [None; 10];
    for slot in tail.iter_mut() {
        c.skip_spaces();
        if c.at_end() {
            break;
        }
        *slot = c.opt_tail();
        field_count += 1;
    }
    while !c.at_end() {
        // Unknown trailing fields (AWS appends new ones at the end): counted, ignored.
        c.skip_spaces();
        if c.at_end() {
            break;
        }
        let _ = c.token("");
        field_count += 1;
    }
    let [
        version_id,
        host_id,
        signature_version,
        cipher_suite,
        authentication_type,
        host_header,
        tls_version,
        access_point_arn,
        acl,
        source_region,
    ] = tail;
    Ok(Record {
        bucket_owner,
        bucket,
        time,
        remote_ip,
        requester,
        request_id,
        operation,
        key,
        request_uri,
        http_status,
        error_code,
        bytes_sent,
        object_size,
        total_time,
        turn_around_time,
        referer,
        user_agent,
        version_id,
        host_id,
        signature_version,
        cipher_suite,
        authentication_type,
        host_header,
        tls_version,
        access_point_arn,
        acl_required: acl.map(|a| a.eq_ignore_ascii_case("yes")),
        source_region,
        field_count,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn find_space_finds_the_first_space(b in prop::collection::vec(prop::sample::select(vec![b' ', b'a', 0x20 ^ 0x80, 0, 0xff, 0x1f, 0x21]), 0..40)) {
            prop_assert_eq!(find_space(&b), b.iter().position(|&c| c == b' '));
        }
    }
}
