//! The line parser: one pass over the bytes of a line, no allocation (except a key with escapes).
//! Tolerant of what real logs contain: 17 to 28+ fields, `-` for quoted fields, unescaped quotes
//! inside the user agent and request URI, requesters with spaces (CloudFront OAI), doubled
//! spaces, CRLF, any UTC offset, a host id in two parts. Anything else is a `LineError` naming
//! the field: each field after the user agent must have its documented form (byte checks, no
//! allocation), so a damaged record (a token missing, added or glued, two records run together)
//! is rejected instead of being re-sliced into the wrong fields.

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

/// `b` from its first byte that is not a space (`b` starts with one; mostly only one).
fn after_spaces(b: &[u8]) -> &[u8] {
    match b.get(1) {
        Some(b' ') => &b[b.iter().take_while(|&&c| c == b' ').count()..],
        _ => b.get(1..).unwrap_or_default(),
    }
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

/// The fields after the user agent, in record order.
const TAIL_FIELDS: [&str; 10] = [
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

/// Reads the fields after the user agent (none in 2006-era records, ten today, more when AWS
/// appends some), checking each for its documented form; returns them (`None` for `-` or
/// absent) and the record's field count. A value out of its form means the fields are shifted
/// (`BadFieldForm`); a 64-hex bucket-owner id in any of them means another record begins there
/// (`FusedRecords`). Fields past the tenth are unknown and only checked for the latter.
fn tail_fields<'a>(c: &mut Cursor<'a>) -> Result<([Option<&'a str>; 10], usize), LineError> {
    let mut tail = [None; 10];
    let mut n = 0;
    loop {
        c.skip_spaces();
        if c.at_end() {
            break;
        }
        let start = c.pos;
        let t = c.token("")?;
        let field = TAIL_FIELDS.get(n).copied().unwrap_or("extra_field");
        if is_owner_id(t) {
            return Err(err(field, Reason::FusedRecords));
        }
        if let (Some(slot), Some(v)) = (tail.get_mut(n), dash(t)) {
            let v = match n {
                1 => host_id(c, start, v),
                _ => has_form(n, v).then_some(v),
            };
            *slot = Some(v.ok_or(err(field, Reason::BadFieldForm))?);
        }
        n += 1;
    }
    Ok((tail, 17 + n))
}

/// The host id that starts with `first` at `start`: `first`, or `first` and the next token when
/// the host id comes in two parts, an IAM unique id and the base64 id
/// (`AIDAISBTTLPGXGH6YFFAY LzYGhq…bbc=`, as real NCBI logs of 2019-2020 show); `None` when it
/// does not have a host id's form.
fn host_id<'a>(c: &mut Cursor<'a>, start: usize, first: &'a str) -> Option<&'a str> {
    if is_unique_id(first) {
        let after = c.pos;
        c.skip_spaces();
        match c.token("") {
            Ok(next) if !is_owner_id(next) && is_host_id(next) => return Some(&c.s[start..c.pos]),
            _ => c.pos = after,
        }
    }
    is_host_id(first).then_some(first)
}

/// Whether `v` (not `-`) has the form of tail field `n` (an index into `TAIL_FIELDS`).
fn has_form(n: usize, v: &str) -> bool {
    match n {
        // Version ids are opaque (URL-ready text up to 1,024 bytes).
        0 => true,
        1 => is_host_id(v),
        2 => is_signature_version(v),
        3 => is_cipher_suite(v),
        4 => is_authentication_type(v),
        5 => is_host_header(v),
        6 => is_tls_version(v),
        7 => is_arn(v),
        8 => is_yes(v),
        9 => is_region(v),
        _ => true,
    }
}

/// Byte classes of the form checks, one table lookup per byte.
const B64: u8 = 1;
const HOST: u8 = 2;
const CIPHER: u8 = 4;
const HEX: u8 = 8;
const UPPER_ALNUM: u8 = 16;

const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        let alnum = b.is_ascii_alphanumeric();
        let upper_alnum = b.is_ascii_uppercase() || b.is_ascii_digit();
        let mut k = 0;
        if alnum || b == b'+' || b == b'/' {
            k |= B64;
        }
        if alnum || matches!(b, b'.' | b'-' | b'_' | b':' | b'[' | b']') {
            k |= HOST;
        }
        if upper_alnum || b == b'_' || b == b'-' {
            k |= CIPHER;
        }
        if b.is_ascii_digit() || (b >= b'a' && b <= b'f') {
            k |= HEX;
        }
        if upper_alnum {
            k |= UPPER_ALNUM;
        }
        t[i] = k;
        i += 1;
    }
    t
};

/// Whether every byte of `b` is in `class` (one bit): eight lookups per step, no branch per
/// byte.
fn all_in(b: &[u8], class: u8) -> bool {
    let (words, rest) = b.as_chunks::<8>();
    let mut acc = class;
    for w in words {
        acc &= w.iter().fold(0xff, |a, &c| a & CLASS[c as usize]);
    }
    rest.iter().fold(acc, |a, &c| a & CLASS[c as usize]) != 0
}

/// A canonical user id as S3 writes the bucket owner: 64 lowercase hex digits.
fn is_owner_id(t: &str) -> bool {
    t.len() == 64 && all_in(t.as_bytes(), HEX)
}

/// `[dd/Mon/yyyy:HH:MM:SS +hhmm]` anywhere in `b`: the time field of a record.
fn has_record_time(b: &[u8]) -> bool {
    memchr::memchr_iter(b'[', b)
        .any(|i| b.get(i + 27) == Some(&b']') && parse_time(&b[i + 1..i + 27]).is_some())
}

// The fixed vocabularies compare exactly first (as S3 writes them), then without regard to case.

fn is_signature_version(t: &str) -> bool {
    matches!(t, "SigV4" | "SigV2")
        || t.eq_ignore_ascii_case("SigV4")
        || t.eq_ignore_ascii_case("SigV2")
}

fn is_authentication_type(t: &str) -> bool {
    matches!(t, "AuthHeader" | "QueryString")
        || t.eq_ignore_ascii_case("AuthHeader")
        || t.eq_ignore_ascii_case("QueryString")
}

/// `TLSv1`, `TLSv1.1`, `TLSv1.2`, `TLSv1.3` (AWS's examples write `TLSV1.2`).
fn is_tls_version(t: &str) -> bool {
    let b = t.as_bytes();
    matches!(t, "TLSv1.2" | "TLSv1.3")
        || (matches!(b.len(), 5 | 7)
            && b[..5].eq_ignore_ascii_case(b"TLSv1")
            && matches!(&b[5..], b"" | b".1" | b".2" | b".3"))
}

fn is_yes(t: &str) -> bool {
    t == "Yes" || t.eq_ignore_ascii_case("Yes")
}

/// A value of another tail field's fixed vocabulary (what a shifted record puts out of place).
fn is_keyword(t: &str) -> bool {
    t.len() <= 11
        && (is_signature_version(t) || is_authentication_type(t) || is_tls_version(t) || is_yes(t))
}

/// An `x-amz-id-2` host id: base64 (`A-Z a-z 0-9 + /`) with at most two `=` of padding at the
/// end; `...` where a published sample elides part of one. Not a keyword such as `SigV4`.
fn is_host_id(t: &str) -> bool {
    let b = t.as_bytes();
    let pad = b.iter().rev().take_while(|&&c| c == b'=').count();
    let body = &b[..b.len() - pad];
    !body.is_empty() && pad <= 2 && (all_in(body, B64) || is_elided_b64(body)) && !is_keyword(t)
}

/// Base64 with `...` in places (ids elided in published samples).
fn is_elided_b64(b: &[u8]) -> bool {
    let mut i = 0;
    while i < b.len() {
        if CLASS[b[i] as usize] & B64 != 0 {
            i += 1;
        } else if b[i..].starts_with(b"...") {
            i += 3;
        } else {
            return false;
        }
    }
    true
}

/// An IAM unique id (`AIDA…`, `AROA…`): the first part of a two-part host id.
fn is_unique_id(t: &str) -> bool {
    (16..=32).contains(&t.len()) && t.starts_with('A') && all_in(t.as_bytes(), UPPER_ALNUM)
}

/// An OpenSSL or IANA cipher suite name: `ECDHE-RSA-AES128-GCM-SHA256`,
/// `TLS_AES_128_GCM_SHA256` (upper-case letters, digits, `-` and `_`, from a letter).
fn is_cipher_suite(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() <= 64 && b.first().is_some_and(u8::is_ascii_uppercase) && all_in(b, CIPHER)
}

/// A host name as a Host header holds it (letters, digits, `.-_`, a `:port`, `[…]` for an
/// IPv6 address); not a keyword such as `TLSv1.2`.
fn is_host_header(t: &str) -> bool {
    t.len() <= 255 && all_in(t.as_bytes(), HOST) && !is_keyword(t)
}

/// `arn:partition:service:region:account:resource`.
fn is_arn(t: &str) -> bool {
    t.starts_with("arn:") && memchr::memchr_iter(b':', t.as_bytes()).count() >= 5
}

/// An AWS Region name: lower-case words and a number, joined by `-` (`us-east-1`,
/// `us-gov-west-1`, `eusc-de-east-1`).
fn is_region(t: &str) -> bool {
    let b = t.as_bytes();
    // Words, each with its `-`, then the number.
    let (mut words, mut i) = (0, 0);
    loop {
        let start = i;
        while i < b.len() && b[i].is_ascii_lowercase() {
            i += 1;
        }
        if i == start || b.get(i) != Some(&b'-') {
            i = start;
            break;
        }
        (words, i) = (words + 1, i + 1);
    }
    b.len() <= 32 && words >= 2 && i < b.len() && b[i..].iter().all(u8::is_ascii_digit)
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
    // Another record's time further on: two records run together (whatever else they break).
    if has_record_time(&c.b[c.pos..]) {
        return Err(err("time", Reason::FusedRecords));
    }
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
    // The request line ends at the first quote followed by spaces and an HTTP status (or -).
    let request_uri = c.quoted("request_uri", |rest| {
        rest.first() == Some(&b' ') && {
            let t = after_spaces(rest);
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
        rest.first() == Some(&b' ') && matches!(after_spaces(rest).first(), Some(b'"' | b'-'))
    })?;
    // The user agent ends at a quote after which no quote follows: trailing fields never contain
    // one, while real user agents do (`pip/19.1 {"ci":null,…}`, `""Mozilla…`).
    let user_agent = c.quoted("user_agent", |rest| {
        (rest.is_empty() || rest[0] == b' ') && memchr::memchr(b'"', rest).is_none()
    })?;
    let (tail, field_count) = tail_fields(&mut c)?;
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

    /// The Region rule read straight off its definition: words of lower-case letters, then a
    /// number, joined by `-`, at least three parts.
    fn region_reference(t: &str) -> bool {
        let parts: Vec<&str> = t.split('-').collect();
        t.len() <= 32
            && parts.len() >= 3
            && parts.iter().enumerate().all(|(i, p)| {
                !p.is_empty()
                    && if i + 1 == parts.len() {
                        p.bytes().all(|c| c.is_ascii_digit())
                    } else {
                        p.bytes().all(|c| c.is_ascii_lowercase())
                    }
            })
    }

    #[test]
    fn regions_by_hand() {
        for ok in [
            "us-east-1",
            "us-gov-west-1",
            "eusc-de-east-1",
            "cn-north-1",
            "us-isob-east-1",
        ] {
            assert!(is_region(ok), "{ok}");
        }
        for bad in [
            "aaa",
            "us-east",
            "us-east-1a",
            "us--1",
            "-us-east-1",
            "US-EAST-1",
            "us-1",
            "",
        ] {
            assert!(!is_region(bad), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn all_in_is_every_byte_in_the_class(b in prop::collection::vec(any::<u8>(), 0..40), bit in 0u32..5) {
            let class = 1u8 << bit;
            prop_assert_eq!(all_in(&b, class), b.iter().all(|&c| CLASS[c as usize] & class != 0));
        }

        #[test]
        fn regions_follow_the_reference(t in "[a-z0-9A-]{0,20}|[a-z]{2,4}(-[a-z]{1,6}){1,3}-[0-9]{1,2}") {
            prop_assert_eq!(is_region(&t), region_reference(&t));
        }

        #[test]
        fn find_space_finds_the_first_space(b in prop::collection::vec(prop::sample::select(vec![b' ', b'a', 0x20 ^ 0x80, 0, 0xff, 0x1f, 0x21]), 0..40)) {
            prop_assert_eq!(find_space(&b), b.iter().position(|&c| c == b' '));
        }
    }
}
