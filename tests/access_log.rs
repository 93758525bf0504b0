//! The S3 access-log parser against the real corpus (../shared/corpus), field by field.

use costlab::trace::access_log::{
    Action, BillingClass, LineSource, LogReader, Mode, Reason, action, billing_class, parse_line,
};
use std::path::{Path, PathBuf};

fn corpus(name: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus")
        .join(name);
    if p.exists() {
        Some(p)
    } else {
        eprintln!(
            "notice: {} is absent; skipping this corpus test",
            p.display()
        );
        None
    }
}

fn corpus_lines(name: &str) -> Option<Vec<String>> {
    let p = corpus(name)?;
    let bytes = std::fs::read(p).unwrap();
    Some(
        String::from_utf8_lossy(&bytes)
            .split('\n')
            .map(str::to_string)
            .collect(),
    )
}

fn line(lines: &[String], n: usize) -> &str {
    &lines[n - 1]
}

#[test]
fn every_corpus_line_parses_or_is_rejected_for_its_stated_reason() {
    let Some(lines) = corpus_lines("s3-access-logs.txt") else {
        return;
    };
    // s3-access-logs.SOURCES.md: 29 truncated; 99-100 all-dash synthetic; 101-102 a C++ test's
    // made-up trailing tokens (`a b c d`: "a" is no Region, "a" is not Yes); 121-122 two
    // records fused into one line; 164 missing the bucket-owner field; 200 non-standard time.
    let rejected = [
        (29, "error_code", Reason::Truncated),
        (99, "operation", Reason::NoOperation),
        (100, "operation", Reason::NoOperation),
        (101, "source_region", Reason::BadFieldForm),
        (102, "acl_required", Reason::BadFieldForm),
        (121, "time", Reason::FusedRecords),
        (122, "time", Reason::FusedRecords),
        (164, "time", Reason::BadTime),
        (200, "time", Reason::BadTime),
    ];
    let mut ok = 0;
    for n in 1..=200 {
        match (
            parse_line(line(&lines, n)),
            rejected.iter().find(|r| r.0 == n),
        ) {
            (Ok(_), None) => ok += 1,
            (Err(e), Some((_, field, reason))) => {
                assert_eq!((e.field, e.reason), (*field, *reason), "line {n}: {e}");
            }
            (Ok(r), Some(_)) => panic!("line {n} should be rejected, parsed as {r:?}"),
            (Err(e), None) => panic!("line {n} rejected: {e}"),
        }
    }
    assert_eq!(ok, 191);
}

#[test]
fn concrete_fields_of_real_lines() {
    let Some(lines) = corpus_lines("s3-access-logs.txt") else {
        return;
    };
    let p = |n| parse_line(line(&lines, n)).unwrap();

    // 2014 AWS doc example, 18 fields.
    let r = p(1);
    assert_eq!(r.bucket, Some("mybucket"));
    assert_eq!(r.time.to_string(), "2014-02-06T00:00:38Z");
    assert_eq!(r.operation, "REST.GET.VERSIONING");
    assert_eq!(r.key, None);
    assert_eq!(r.request_uri, Some("GET /mybucket?versioning HTTP/1.1"));
    assert_eq!(
        (
            r.http_status,
            r.bytes_sent,
            r.object_size,
            r.total_time,
            r.turn_around_time
        ),
        (Some(200), Some(113), None, Some(7), None)
    );
    assert_eq!(
        (r.referer, r.user_agent, r.field_count),
        (None, Some("S3Console/0.4"), 18)
    );
    assert_eq!(billing_class(&r), BillingClass::Tier2);

    // Current docs: 27 fields with source region; 28 with an unknown extra field (ignored).
    let r = p(22);
    assert_eq!(
        (r.field_count, r.source_region, r.acl_required),
        (27, Some("us-east-1"), Some(true))
    );
    assert_eq!(
        r.access_point_arn,
        Some("arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP")
    );
    assert_eq!(r.tls_version, Some("TLSV1.2"));
    let r = p(28);
    assert_eq!((r.field_count, r.source_region), (28, Some("us-east-1")));

    // +0200 offset converted to UTC; OPTIONS request line.
    let r = p(31);
    assert_eq!(r.time.to_string(), "2021-02-09T12:48:42Z");
    assert_eq!(
        (r.request_uri, r.bytes_sent, r.object_size),
        (Some("OPTIONS * HTTP/1.0"), None, Some(4406583))
    );

    // BATCH.DELETE.OBJECT: bare - request URI, 204, free; + in keys is a space.
    let r = p(36);
    assert_eq!(
        (r.operation, r.key.as_deref(), r.request_uri, r.http_status),
        (
            "BATCH.DELETE.OBJECT",
            Some("jolokia-war-1.5.0.war"),
            None,
            Some(204)
        )
    );
    assert_eq!(
        (r.object_size, billing_class(&r), action(r.operation)),
        (Some(344017), BillingClass::Free, Action::Delete)
    );
    assert_eq!(
        p(42).key.as_deref(),
        Some("Screen Shot 2019-09-09 at 9.08.44 AM.png")
    );

    // Lifecycle expiration by AmazonS3, remote IP -, version id present.
    let r = p(46);
    assert_eq!(
        (r.remote_ip, r.requester, r.operation),
        (None, Some("AmazonS3"), "S3.EXPIRE.OBJECT")
    );
    assert_eq!(
        (r.object_size, r.version_id, r.http_status),
        (Some(317), Some("qsEq9bDa2VyxyZ4cz0c7oBnF67VYTTij"), None)
    );
    assert_eq!(
        (billing_class(&r), action(r.operation)),
        (BillingClass::Lifecycle, Action::LifecycleExpire)
    );

    // 2006 record without version id: 17 fields.
    let r = p(58);
    assert_eq!(
        (
            r.field_count,
            r.key.as_deref(),
            r.bytes_sent,
            r.object_size,
            r.user_agent
        ),
        (
            17,
            Some("object.png"),
            Some(1243),
            Some(1243),
            Some("aranhabot")
        )
    );
    assert_eq!(r.time.to_string(), "2006-10-06T01:42:14Z");

    // COPY (tier 1) and its GET side (a read of the source, no request charge of its own).
    let r = p(59);
    assert_eq!(
        (r.operation, billing_class(&r), r.user_agent),
        ("REST.COPY.OBJECT", BillingClass::Tier1, None)
    );
    let r = p(68);
    assert_eq!(
        (r.operation, r.request_uri, r.http_status, r.object_size),
        ("REST.COPY.OBJECT_GET", None, None, Some(351400))
    );
    assert_eq!(
        (billing_class(&r), action(r.operation)),
        (BillingClass::CopySourceRead, Action::Read)
    );

    // -0500 offset; website GET.
    let r = p(61);
    assert_eq!(
        (r.time.to_string().as_str(), r.operation, r.field_count),
        ("2012-02-10T21:42:07Z", "WEBSITE.GET.OBJECT", 17)
    );

    // CRLF line; multipart part upload.
    let r = p(82);
    assert_eq!(
        (r.operation, action(r.operation), billing_class(&r)),
        ("REST.PUT.PART", Action::MultipartPart, BillingClass::Tier1)
    );
    assert!(r.tls_version.is_some_and(|t| !t.contains('\r')));
    assert_eq!(r.object_size, Some(8388608));

    // Referer with spaces; request id and URI "-".
    let r = p(104);
    assert_eq!(
        (r.referer, r.request_id, r.request_uri),
        (Some("referrer with spaces"), None, None)
    );

    // Double-encoded key decoded once; a DEL byte inside the request URI; 404 billed (4xx).
    let r = p(110);
    assert!(
        r.key
            .as_deref()
            .unwrap()
            .starts_with("sra/SRR494336/%3F%3FII%3F%3FC"),
        "{:?}",
        r.key
    );
    assert_eq!(r.request_uri, Some("GET /sra/SRR494336/?\u{7f} HTTP/1.0"));
    assert_eq!(
        (r.http_status, r.error_code, billing_class(&r)),
        (Some(404), Some("NoSuchKey"), BillingClass::Tier2)
    );

    // User agents with unescaped quotes.
    let r = p(111);
    assert!(r.user_agent.unwrap().starts_with("pip/19.1 {\"ci\":null,"));
    assert!(
        r.user_agent
            .unwrap()
            .ends_with("\"release\":\"3.10.0-514.10.2.el7.x86_64\"}}"),
        "{:?}",
        r.user_agent
    );
    assert_eq!(
        (r.bytes_sent, r.object_size),
        (Some(9898557440), Some(11674111891))
    );
    let r = p(129);
    assert_eq!(r.user_agent.map(|u| &u[..9]), Some("\"Mozilla/"));
    assert_eq!(
        (r.host_header, r.tls_version),
        (Some("dandiarchive.s3.amazonaws.com"), Some("TLSv1.2"))
    );

    // A request URI full of quotes and backslashes.
    let r = p(130);
    assert!(r.request_uri.unwrap().ends_with("$ch[4]);?> HTTP/1.1"));
    assert_eq!(
        (r.http_status, r.error_code),
        (Some(404), Some("NoSuchKey"))
    );

    // 304 over TLSv1.3.
    let r = p(131);
    assert_eq!((r.http_status, r.tls_version), (Some(304), Some("TLSv1.3")));

    // %253D in the key → %3D (once).
    assert_eq!(
        p(147).key.as_deref(),
        Some(
            "page_events_vertica/date_%3D2021-03-14/8337f7f3-v_sadw_eon_node0005-139906568611584-0.parquet"
        )
    );

    // 2026 record with the 27th field.
    let r = p(198);
    assert_eq!(
        (r.operation, r.source_region, r.field_count),
        ("REST.PUT.OBJECT", Some("us-east-2"), 27)
    );
    assert_eq!(action(r.operation), Action::Write);

    // S3.EXPIRE.OBJECT through host id only: 19 fields (SOURCES.md says 20, counting the time's
    // two whitespace-separated halves).
    let r = p(199);
    assert_eq!(
        (r.field_count, r.host_id, r.object_size),
        (
            19,
            Some("JKffSS5PIDjVhXt/BUIsvlbzznhYf6EVers"),
            Some(440561)
        )
    );
}

#[test]
fn bulk_emr_log_parses_completely_with_its_operation_mix() {
    let Some(path) = corpus("s3-access-logs-bulk-emr.txt") else {
        return;
    };
    let mut ops = std::collections::BTreeMap::new();
    let log = LogReader::new(Mode::Strict)
        .for_each(
            &[LineSource::File(path)],
            |_, r| -> Result<(), costlab::trace::access_log::ReadError> {
                *ops.entry(r.operation.to_string()).or_insert(0u32) += 1;
                Ok(())
            },
        )
        .unwrap();
    assert_eq!((log.read, log.parsed, log.skipped), (1069, 1069, 0));
    // s3-access-logs.SOURCES.md: REST.GET.OBJECT (995), REST.GET.BUCKET (62), REST.HEAD.BUCKET (8), REST.HEAD.OBJECT (4).
    let want: Vec<(String, u32)> = [
        ("REST.GET.BUCKET", 62),
        ("REST.GET.OBJECT", 995),
        ("REST.HEAD.BUCKET", 8),
        ("REST.HEAD.OBJECT", 4),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), *v))
    .collect();
    assert_eq!(ops.into_iter().collect::<Vec<_>>(), want);
}

/// A synthetic 26-field record.
fn rec(op: &str, key: &str, status: &str, err: &str, requester: &str, time: &str) -> String {
    format!(
        "ownerid bucket1 [{time} +0000] 192.0.2.1 {requester} REQID {op} {key} \"GET /bucket1/{key} HTTP/1.1\" {status} {err} 100 2048 5 3 \"-\" \"ua/1.0\" - HOSTID SigV4 ECDHE AuthHeader bucket1.s3.amazonaws.com TLSv1.2 - -"
    )
}

#[test]
fn billing_classes_follow_request_tiers_and_error_rules() {
    let t = "01/Mar/2026:10:00:00";
    let class = |op: &str, status: &str, err: &str, who: &str| {
        billing_class(&parse_line(&rec(op, "k", status, err, who, t)).unwrap())
    };
    let me = "arn:aws:iam::123456789012:user/me";
    for op in [
        "REST.PUT.OBJECT",
        "REST.POST.UPLOADS",
        "REST.POST.UPLOAD",
        "REST.COPY.OBJECT",
        "REST.PUT.PART",
        "REST.GET.BUCKET",
        "REST.GET.BUCKETVERSIONS",
        "REST.GET.UPLOADS",
    ] {
        assert_eq!(class(op, "200", "-", me), BillingClass::Tier1, "{op}");
    }
    for op in [
        "REST.GET.OBJECT",
        "REST.HEAD.OBJECT",
        "REST.HEAD.BUCKET",
        "REST.GET.VERSIONING",
        "WEBSITE.GET.OBJECT",
        "REST.OPTIONS.PREFLIGHT",
    ] {
        assert_eq!(class(op, "200", "-", me), BillingClass::Tier2, "{op}");
    }
    for op in [
        "REST.DELETE.OBJECT",
        "REST.DELETE.UPLOAD",
        "BATCH.DELETE.OBJECT",
    ] {
        assert_eq!(class(op, "204", "-", me), BillingClass::Free, "{op}");
    }
    assert_eq!(
        class("S3.TRANSITION_GDA.OBJECT", "-", "-", "AmazonS3"),
        BillingClass::Lifecycle
    );
    assert_eq!(
        action("S3.TRANSITION_GDA.OBJECT"),
        Action::LifecycleTransition(costlab::aws::StorageClass::DeepArchive)
    );
    assert_eq!(
        class("S3.RESTORE.OBJECT", "-", "-", "AmazonS3"),
        BillingClass::System
    );
    // ErrorCodeBilling: 4xx billed, 5xx not, listed codes not, anonymous AccessDenied not.
    assert_eq!(
        class("REST.GET.OBJECT", "404", "NoSuchKey", me),
        BillingClass::Tier2
    );
    assert_eq!(
        class("REST.GET.OBJECT", "503", "SlowDown", me),
        BillingClass::UnbilledError
    );
    assert_eq!(
        class("REST.PUT.OBJECT", "500", "InternalError", me),
        BillingClass::UnbilledError
    );
    assert_eq!(
        class("REST.GET.OBJECT", "301", "PermanentRedirect", me),
        BillingClass::UnbilledError
    );
    assert_eq!(
        class("REST.GET.OBJECT", "400", "ExpiredToken", me),
        BillingClass::UnbilledError
    );
    assert_eq!(
        class("REST.GET.OBJECT", "403", "AccessDenied", "-"),
        BillingClass::UnbilledError
    );
    assert_eq!(
        class("REST.GET.OBJECT", "403", "AccessDenied", me),
        BillingClass::Tier2
    );
    assert_eq!(
        class("REST.GET.OBJECT", "304", "-", me),
        BillingClass::Tier2
    );
}

#[test]
fn cloudfront_oai_requester_with_spaces() {
    let l = rec(
        "REST.GET.OBJECT",
        "a.png",
        "200",
        "-",
        "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2EXAMPLEID",
        "01/Mar/2026:10:00:00",
    );
    let r = parse_line(&l).unwrap();
    assert_eq!(
        r.requester,
        Some("arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2EXAMPLEID")
    );
    assert_eq!(
        (r.request_id, r.operation, r.key.as_deref()),
        (Some("REQID"), "REST.GET.OBJECT", Some("a.png"))
    );
}

fn write_gz(path: &Path, text: &str) {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(
        std::fs::File::create(path).unwrap(),
        flate2::Compression::default(),
    );
    e.write_all(text.as_bytes()).unwrap();
    e.finish().unwrap();
}

#[test]
fn reader_merges_inputs_in_time_order_across_compressions() {
    let dir = tempfile::tempdir().unwrap();
    let a = [
        rec(
            "REST.GET.OBJECT",
            "a1",
            "200",
            "-",
            "-",
            "01/Mar/2026:10:00:00",
        ),
        rec(
            "REST.GET.OBJECT",
            "a2",
            "200",
            "-",
            "-",
            "01/Mar/2026:12:00:00",
        ),
    ]
    .join("\n");
    let b = [
        rec(
            "REST.GET.OBJECT",
            "b1",
            "200",
            "-",
            "-",
            "01/Mar/2026:11:00:00",
        ),
        "garbage line".to_string(),
        rec(
            "REST.GET.OBJECT",
            "b2",
            "200",
            "-",
            "-",
            "01/Mar/2026:13:00:00",
        ),
    ]
    .join("\r\n");
    let c = rec(
        "REST.GET.OBJECT",
        "c1",
        "200",
        "-",
        "-",
        "01/Mar/2026:09:00:00",
    );
    std::fs::create_dir(dir.path().join("logs")).unwrap();
    std::fs::write(dir.path().join("logs/a.log"), a).unwrap();
    write_gz(&dir.path().join("logs/b.log.gz"), &b);
    std::fs::write(
        dir.path().join("c.log.zst"),
        zstd::encode_all(c.as_bytes(), 3).unwrap(),
    )
    .unwrap();
    let args = vec![
        dir.path().join("logs").display().to_string(),
        dir.path().join("*.zst").display().to_string(),
    ];
    let sources = costlab::trace::access_log::reader::expand(&args).unwrap();
    assert_eq!(sources.len(), 3);
    let mut keys = Vec::new();
    let log = LogReader::new(Mode::Lenient)
        .for_each(
            &sources,
            |_, r| -> Result<(), costlab::trace::access_log::ReadError> {
                keys.push(r.key.as_deref().unwrap().to_string());
                Ok(())
            },
        )
        .unwrap();
    assert_eq!(keys, ["c1", "a1", "b1", "a2", "b2"]);
    assert_eq!((log.read, log.parsed, log.skipped), (6, 5, 1));
    assert_eq!(log.reasons.get("truncated_record"), Some(&1));
    assert!(
        log.examples[0].contains("b.log.gz:2: time"),
        "{:?}",
        log.examples
    );
    // Strict: the same inputs stop at the bad line with file:line:field.
    let e = LogReader::new(Mode::Strict)
        .for_each(
            &sources,
            |_, _| -> Result<(), costlab::trace::access_log::ReadError> { Ok(()) },
        )
        .unwrap_err();
    assert!(e.to_string().contains("b.log.gz:2: time:"), "{e}");
    // A missing input is an error naming it.
    let e = costlab::trace::access_log::reader::expand(&["/nonexistent/x.log".into()]).unwrap_err();
    assert!(e.to_string().contains("/nonexistent/x.log"));
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            let _ = parse_line(&String::from_utf8_lossy(&bytes));
        }

        #[test]
        fn mutated_real_lines_never_panic(n in 1usize..=200, cut in 0usize..2000, ins in 0usize..2000, c in prop::sample::select(vec!['"', ' ', '[', ']', '-', '%', '+', '\r', '\u{7f}', 'é'])) {
            let Some(lines) = corpus_lines("s3-access-logs.txt") else { return Ok(()) };
            let mut s: Vec<char> = lines[n - 1].chars().collect();
            if !s.is_empty() {
                let i = ins % s.len();
                s.insert(i, c);
                let j = cut % s.len();
                s.truncate(s.len().max(j).min(s.len()) - (s.len() - j.max(1)).min(3));
            }
            let text: String = s.into_iter().collect();
            let _ = parse_line(&text);
        }

        /// Records written from generated fields parse back to the same fields.
        #[test]
        fn generated_records_round_trip(
            day in 1u32..=28, hour in 0u32..24, min in 0u32..60, sec in 0u32..60,
            off_h in 0u32..14, off_neg in any::<bool>(),
            op in prop::sample::select(vec!["REST.GET.OBJECT", "REST.PUT.OBJECT", "REST.HEAD.OBJECT", "REST.DELETE.OBJECT", "WEBSITE.GET.OBJECT"]),
            key in "[a-z0-9/_.]{1,40}",
            status in prop::sample::select(vec![200u16, 204, 206, 304, 403, 404, 503]),
            sent in prop::option::of(0u64..u64::MAX / 2), size in prop::option::of(0u64..1u64 << 45),
            ua in "[ -!#-~]{0,60}", fields in 17usize..=27,
        ) {
            let num = |v: Option<u64>| v.map(|x| x.to_string()).unwrap_or_else(|| "-".into());
            let sign = if off_neg { '-' } else { '+' };
            let ua_field = if ua.is_empty() { "-".to_string() } else { format!("\"{ua}\"") };
            let mut l = format!(
                "owner b [{day:02}/Mar/2026:{hour:02}:{min:02}:{sec:02} {sign}{off_h:02}00] 10.0.0.1 - RID {op} {key} \"GET /b/{key} HTTP/1.1\" {status} - {} {} 4 2 \"-\" {ua_field}",
                num(sent), num(size)
            );
            let tail = ["VID", "HID", "SigV4", "TLS_AES_128_GCM_SHA256", "AuthHeader", "b.s3.amazonaws.com", "TLSv1.3", "-", "Yes", "eu-west-1"];
            for t in &tail[..fields - 17] {
                l.push(' ');
                l.push_str(t);
            }
            let r = parse_line(&l).unwrap();
            let base = costlab::units::Timestamp::from_civil(2026, 3, day, hour, min, sec).unwrap().0;
            let off = off_h as i64 * 3600;
            prop_assert_eq!(r.time.0, if off_neg { base + off } else { base - off });
            prop_assert_eq!(r.operation, op);
            prop_assert_eq!(r.key.as_deref(), Some(key.as_str()));
            prop_assert_eq!((r.http_status, r.bytes_sent, r.object_size), (Some(status), sent, size));
            // A quoted "-" is the format's empty value.
            prop_assert_eq!(r.user_agent, if ua.is_empty() || ua == "-" { None } else { Some(ua.as_str()) });
            prop_assert_eq!(r.field_count, fields);
            if fields >= 27 { prop_assert_eq!(r.source_region, Some("eu-west-1")); }
            if fields >= 24 { prop_assert_eq!(r.tls_version, Some("TLSv1.3")); }
        }
    }
}

#[test]
fn stats_bands_prefixes_and_never_read_shares_by_hand() {
    use costlab::trace::access_log::stats::LogStats;
    let l = |op: &str, key: &str, status: &str, day: u32, size: &str| {
        let (d, m) = if day < 31 {
            (day + 1, "Mar")
        } else if day < 61 {
            (day - 30, "Apr")
        } else {
            (day - 60, "May")
        };
        format!(
            "o lake [{d:02}/{m}/2026:12:00:00 +0000] 10.0.0.1 - RID {op} {key} \"X /lake/{key} HTTP/1.1\" {status} - 100 {size} 1 1 \"-\" \"ua\" - H SigV4 C AuthHeader h TLSv1.2 - -"
        )
    };
    let lines = [
        l("REST.PUT.OBJECT", "raw/a", "200", 0, "1000"),
        l("REST.PUT.OBJECT", "raw/b", "200", 0, "3000"),
        l("REST.PUT.OBJECT", "gold/c", "200", 0, "500"),
        l("REST.GET.OBJECT", "raw/a", "200", 1, "1000"), // age 1 day → 0-14
        l("REST.GET.OBJECT", "raw/a", "206", 40, "1000"), // age 40 → 30-44
        l("REST.GET.OBJECT", "raw/z", "200", 2, "7"),    // created before the logs → unknown
        l("REST.GET.OBJECT", "raw/b", "404", 3, "-"),    // failed read: not a read
        l("REST.DELETE.OBJECT", "gold/c", "204", 5, "-"),
        l("REST.HEAD.OBJECT", "raw/b", "200", 70, "3000"), // HEAD is not a read; sets the end time
    ];
    let mut s = LogStats::new(1);
    for x in &lines {
        s.add(&parse_line(x).unwrap());
    }
    let sum = s.finish();
    assert_eq!(sum.objects, 3, "a, b and z (c deleted)");
    assert_eq!(sum.bytes, 1000 + 3000 + 7);
    let band = |b: &str| sum.reads_by_age.iter().find(|(k, _)| k == b).unwrap().1;
    assert_eq!(
        (band("0-14"), band("30-44"), band("unknown"), band("15-29")),
        (1, 1, 1, 0)
    );
    let raw = &sum.prefixes["raw/"];
    assert_eq!(
        (raw.objects, raw.bytes_stored, raw.reads, raw.bytes_read),
        (3, 4007, 3, 300)
    );
    assert_eq!(sum.prefixes["gold/"].objects, 0);
    // Observed 70 days: a (last read at age 40) and b (never read). z's creation is unknown.
    let nr = |n: u32| {
        sum.never_read_after
            .iter()
            .find(|x| x.0 == n)
            .map(|x| (x.1, x.2))
            .unwrap()
    };
    assert_eq!(nr(30), (2, 1));
    assert_eq!(nr(60), (2, 2));
    assert_eq!(nr(90), (0, 0));
    assert_eq!(sum.requests_by_operation["REST.GET.OBJECT"], 4);
    assert_eq!(sum.requests_by_billing_class["tier1"], 3);
}

/// Files join the merge only when its time reaches them; the order must be exactly that of
/// merging every file from the start: by (time of the line, source index), each file in its
/// own order, lines without a time first in their file's turn.
mod lazy_merge {
    use super::*;
    use proptest::prelude::*;

    /// The reference: every file open from the start, the smallest (time, index) head first.
    fn reference(files: &[Vec<(Option<u32>, String)>]) -> Vec<String> {
        let mut pos = vec![0usize; files.len()];
        let mut out = Vec::new();
        loop {
            let head = (0..files.len())
                .filter(|&i| pos[i] < files[i].len())
                .min_by_key(|&i| (files[i][pos[i]].0.map_or(i64::MIN, i64::from), i));
            let Some(i) = head else { return out };
            out.push(files[i][pos[i]].1.clone());
            pos[i] += 1;
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn lazy_opening_keeps_the_full_merge_order(
            files in prop::collection::vec(
                prop::collection::vec((prop::option::weighted(0.9, 0u32..40), any::<bool>()), 0..6),
                1..12,
            ),
            chunk_bytes in 1usize..2_000,
        ) {
            let dir = tempfile::tempdir().unwrap();
            let mut model = Vec::new();
            let mut sources = Vec::new();
            for (f, lines) in files.iter().enumerate() {
                // Times rise within a file, as S3 writes them (a line without a time anywhere).
                let mut t = 0u32;
                let mut file = Vec::new();
                for (k, (dt, _)) in lines.iter().enumerate() {
                    let key = format!("f{f}l{k}");
                    match dt {
                        Some(dt) => {
                            t += dt;
                            let time = format!("01/Mar/2026:10:{:02}:{:02}", t / 60 % 60, t % 60);
                            file.push((Some(t), rec("REST.GET.OBJECT", &key, "200", "-", "-", &time)));
                        }
                        None => file.push((None, format!("garbage {key}"))),
                    }
                }
                let text: Vec<&str> = file.iter().map(|l| l.1.as_str()).collect();
                let path = dir.path().join(format!("{f:02}.log"));
                if lines.first().is_some_and(|l| l.1) {
                    write_gz(&path, &text.join("\n"));
                } else {
                    std::fs::write(&path, text.join("\n")).unwrap();
                }
                sources.push(LineSource::File(path));
                model.push(file);
            }
            let mut got = Vec::new();
            let mut seen = Vec::new();
            let whole = LogReader::new(Mode::Lenient)
                .for_each(&sources, |at, r| -> Result<(), costlab::trace::access_log::ReadError> {
                    got.push(r.key.as_deref().unwrap_or("").to_string());
                    seen.push((at.source, at.file.to_string(), at.line, r.time));
                    Ok(())
                })
                .unwrap();
            // Cut into chunks and parsed chunk by chunk (as `simulate` does on several
            // threads), in chunk order: the same records, places and skip log.
            let names: Vec<String> = sources.iter().map(|s| s.name()).collect();
            for mode in [Mode::Lenient, Mode::Strict] {
                let reader = LogReader::new(mode);
                let mut chunks = Vec::new();
                reader
                    // Spare buffers hold leftovers of earlier chunks: garbage to ignore.
                    .chunks(&sources, chunk_bytes, || Some(vec![b'"'; chunk_bytes % 97]), |c| -> Result<(), costlab::trace::access_log::ReadError> {
                        chunks.push(c);
                        Ok(())
                    })
                    .unwrap();
                prop_assert!(chunks.iter().enumerate().all(|(i, c)| c.seq == i as u64 && !c.is_empty()));
                let (mut parts, mut log) = (Vec::new(), costlab::trace::access_log::SkipLog::default());
                let mut first_error = None;
                for c in &chunks {
                    match reader.parse_chunk(&names, c, |at, r| -> Result<(), costlab::trace::access_log::ReadError> {
                        parts.push((at.source, at.file.to_string(), at.line, r.time));
                        Ok(())
                    }) {
                        Ok(l) => log.merge(&l),
                        Err(e) => {
                            first_error = Some(e.to_string());
                            break;
                        }
                    }
                }
                let sequential = reader.for_each(&sources, |_, _| -> Result<(), costlab::trace::access_log::ReadError> { Ok(()) });
                match mode {
                    Mode::Lenient => {
                        prop_assert_eq!(&parts, &seen);
                        prop_assert_eq!(&log, &whole);
                    }
                    Mode::Strict => {
                        prop_assert_eq!(first_error, sequential.err().map(|e| e.to_string()));
                        prop_assert_eq!(&parts[..], &seen[..parts.len()]);
                    }
                }
            }
            let want: Vec<String> = reference(&model)
                .into_iter()
                .filter(|l| !l.starts_with("garbage"))
                .map(|l| l.split(' ').nth(8).unwrap_or("").to_string())
                .collect();
            prop_assert_eq!(got, want);
        }
    }
}

/// One source is read in blocks cut at line ends (not line by line): chunks parsed in order
/// must give `for_each`'s records, line numbers and skip log, whatever the chunk size against
/// the lines (shorter than one line, a few lines, all), with empty lines, CRLF, bad lines, a
/// last line with or without its newline, plain or gzip, and lines longer than the reader's
/// line-length limit (skipped as `line_too_long` by both, whichever chunk they fall in).
mod one_source_blocks {
    use super::*;
    use costlab::trace::access_log::{LineSource, LogReader, Mode, ReadError, SkipLog};
    use proptest::prelude::*;

    fn line(kind: u8, k: usize) -> String {
        let time = format!("01/Mar/2026:10:{:02}:{:02}", k / 60 % 60, k % 60);
        match kind {
            0 => String::new(),
            1 => format!(
                "{}\r",
                rec("REST.PUT.OBJECT", &format!("k{k}"), "200", "-", "-", &time)
            ),
            2 => format!("garbage line {k}"),
            // A long key: lines longer than small chunks.
            3 => rec(
                "REST.GET.OBJECT",
                &"x".repeat(300 + k),
                "200",
                "-",
                "-",
                &time,
            ),
            // Longer than many chunks and limits.
            6 => "y".repeat(2_000 + 97 * k),
            _ => rec("REST.GET.OBJECT", &format!("k{k}"), "200", "-", "-", &time),
        }
    }

    type Seen = Vec<(usize, u64, String)>;

    fn parse_chunks(
        reader: &LogReader,
        src: &[LineSource],
        bytes: usize,
    ) -> (Seen, Result<SkipLog, String>) {
        let names: Vec<String> = src.iter().map(|s| s.name()).collect();
        let mut chunks = Vec::new();
        reader
            .chunks(
                src,
                bytes,
                || Some(vec![b'\n'; 3]),
                |c| -> Result<(), ReadError> {
                    chunks.push(c);
                    Ok(())
                },
            )
            .unwrap();
        let (mut seen, mut log) = (Vec::new(), SkipLog::default());
        for (i, c) in chunks.iter().enumerate() {
            assert!(c.seq == i as u64 && !c.is_empty());
            let r = reader.parse_chunk(&names, c, |at, r| -> Result<(), ReadError> {
                seen.push((
                    at.source,
                    at.line,
                    r.key.as_deref().unwrap_or("").to_string(),
                ));
                Ok(())
            });
            match r {
                Ok(l) => log.merge(&l),
                Err(e) => return (seen, Err(e.to_string())),
            }
        }
        (seen, Ok(log))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(150))]

        #[test]
        fn blocks_parse_as_lines_do(
            kinds in prop::collection::vec(0u8..7, 0..40),
            trailing_newline in any::<bool>(),
            gz in any::<bool>(),
            bytes in 1usize..3_000,
            max_line in prop::option::of(1usize..3_000),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let mut text: String = kinds
                .iter()
                .enumerate()
                .map(|(k, kind)| line(*kind, k) + "\n")
                .collect();
            if !trailing_newline {
                text.pop();
            }
            let path = dir.path().join("one.log");
            if gz {
                write_gz(&path, &text);
            } else {
                std::fs::write(&path, &text).unwrap();
            }
            let src = [LineSource::File(path)];
            for mode in [Mode::Lenient, Mode::Strict] {
                let reader = match max_line {
                    Some(m) => LogReader::new(mode).max_line_bytes(m),
                    None => LogReader::new(mode),
                };
                let mut want = Vec::new();
                let whole = reader.for_each(&src, |at, r| -> Result<(), ReadError> {
                    want.push((at.source, at.line, r.key.as_deref().unwrap_or("").to_string()));
                    Ok(())
                });
                let (seen, log) = parse_chunks(&reader, &src, bytes);
                match (whole, log) {
                    (Ok(w), Ok(l)) => {
                        prop_assert_eq!(&seen, &want);
                        prop_assert_eq!(l, w);
                    }
                    (Err(w), Err(l)) => {
                        prop_assert_eq!(l, w.to_string());
                        prop_assert_eq!(&seen[..], &want[..seen.len()]);
                    }
                    (w, l) => prop_assert!(false, "sequential {w:?}, chunked {l:?}"),
                }
            }
            // Line numbers count every line, empty ones too.
            let (seen, _) = parse_chunks(&LogReader::new(Mode::Lenient), &src, bytes);
            let numbered: Vec<u64> = kinds
                .iter()
                .enumerate()
                .filter(|(_, kind)| matches!(kind, 1 | 3 | 4 | 5))
                .map(|(k, _)| k as u64 + 1)
                .collect();
            prop_assert_eq!(seen.iter().map(|s| s.1).collect::<Vec<_>>(), numbered);
        }
    }
}
