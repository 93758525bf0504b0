//! The access-log parser never re-slices a damaged record: every field after the user agent must
//! have its documented form, two records run together are rejected, and a line longer than the
//! reader's limit is skipped without being held whole. Issue #21, case 3 (the tester's lines),
//! the real corpus (../shared/corpus) and generated records.

use costlab::trace::access_log::{
    LineSource, LogReader, Mode, ReadError, Reason, SkipLog, parse_line,
};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const OWNER: &str = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be";
const HOST_ID: &str =
    "s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234=";
/// A real host id without `=` padding (s3-access-logs.txt line 197).
const HOST_ID_UNPADDED: &str = "z6uFa0AzIZyZEnXwUERc/uZizyBwFwzP36L7dyKP4Wf84zTwlvwCJrzT+dhyY9GbBW/h+eIVLIgtYF2448YcoVsf6kdzPUv5";
const TAIL: &str = "SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader lake.s3.us-east-1.amazonaws.com TLSv1.2 - - us-east-1";

/// A 27-field record as S3 writes it today; `after_ua` is everything after the user agent.
fn record(time: &str, op: &str, key: &str, status: u16, size: &str, after_ua: &str) -> String {
    let method = op.split('.').nth(1).unwrap_or("GET");
    format!(
        "{OWNER} lake [{time} +0000] 192.0.2.3 {OWNER} 3E57427F3EXAMPLE {op} {key} \"{method} /lake/{key} HTTP/1.1\" {status} - - {size} 70 10 \"-\" \"aws-cli/2.15.0 Python/3.11.6\" {after_ua}"
    )
}

fn delete(time: &str) -> String {
    record(
        time,
        "REST.DELETE.OBJECT",
        "data/a.bin",
        204,
        "-",
        &format!("- {HOST_ID} {TAIL}"),
    )
}

fn put(time: &str) -> String {
    record(
        time,
        "REST.PUT.OBJECT",
        "data/b.bin",
        200,
        "107374182400",
        &format!("- {HOST_ID} {TAIL}"),
    )
}

fn get(time: &str, key: &str) -> String {
    record(
        time,
        "REST.GET.OBJECT",
        key,
        200,
        "1048576",
        &format!("- {HOST_ID} {TAIL}"),
    )
}

/// The tester's lines (issue #21, case 3), with the field and reason each is rejected for.
fn tester_cases() -> Vec<(&'static str, String, &'static str, Reason)> {
    let t = "02/Mar/2026:10:00:00";
    vec![
        (
            "fused DELETE + PUT",
            format!("{}    {}", delete(t), put("02/Mar/2026:10:00:01")),
            "time",
            Reason::FusedRecords,
        ),
        (
            "fused PUT + DELETE",
            format!("{}    {}", put(t), delete("02/Mar/2026:10:00:01")),
            "time",
            Reason::FusedRecords,
        ),
        (
            "host id glued to the signature version",
            record(
                t,
                "REST.PUT.OBJECT",
                "data/b.bin",
                200,
                "1024",
                &format!("- {HOST_ID}{TAIL}"),
            ),
            "host_id",
            Reason::BadFieldForm,
        ),
        (
            "unpadded host id glued to the signature version",
            record(
                t,
                "REST.PUT.OBJECT",
                "data/b.bin",
                200,
                "1024",
                &format!("- {HOST_ID_UNPADDED}{TAIL}"),
            ),
            "signature_version",
            Reason::BadFieldForm,
        ),
        (
            "an extra - before the host id",
            record(
                t,
                "REST.PUT.OBJECT",
                "data/b.bin",
                200,
                "1024",
                &format!("- - {HOST_ID} {TAIL}"),
            ),
            "signature_version",
            Reason::BadFieldForm,
        ),
        (
            "cipher and TLS version where the host id belongs",
            record(
                t,
                "REST.PUT.OBJECT",
                "data/b.bin",
                200,
                "1024",
                "- ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 - - us-east-1",
            ),
            "host_id",
            Reason::BadFieldForm,
        ),
        (
            "TLS 1.3 cipher and version where the host id belongs",
            record(
                t,
                "REST.PUT.OBJECT",
                "data/b.bin",
                200,
                "1024",
                "- TLS_AES_128_GCM_SHA256 TLSv1.3",
            ),
            "host_id",
            Reason::BadFieldForm,
        ),
    ]
}

#[test]
fn the_tester_lines_are_rejected_naming_field_and_reason() {
    for (what, line, field, reason) in tester_cases() {
        let e = parse_line(&line).expect_err(what);
        assert_eq!((e.field, e.reason), (field, reason), "{what}: {e}");
    }
    // The well-formed records they were made from parse.
    let t = "02/Mar/2026:10:00:00";
    for l in [delete(t), put(t), get(t, "k")] {
        let r = parse_line(&l).unwrap();
        assert_eq!(
            (r.host_id, r.signature_version, r.source_region),
            (Some(HOST_ID), Some("SigV4"), Some("us-east-1"))
        );
    }
}

#[test]
fn doubled_spaces_after_quoted_fields_are_tolerated() {
    // The request line and the referer end at a quote followed by spaces (one or more), then
    // the status or the user agent.
    let l = put("02/Mar/2026:10:00:00")
        .replace("HTTP/1.1\" 200", "HTTP/1.1\"  200")
        .replace("\"-\" \"aws-cli", "\"-\"   \"aws-cli");
    assert!(l.contains("\"  200") && l.contains("\"   \"aws"));
    let r = parse_line(&l).unwrap();
    assert_eq!(
        (r.request_uri, r.http_status, r.referer, r.user_agent),
        (
            Some("PUT /lake/data/b.bin HTTP/1.1"),
            Some(200),
            None,
            Some("aws-cli/2.15.0 Python/3.11.6")
        )
    );
}

/// Three good lines, the bad one (line 4), one good line.
fn file_with(dir: &Path, name: &str, bad: &str) -> PathBuf {
    let mut text = String::new();
    for s in 0..3 {
        text += &get(&format!("02/Mar/2026:09:00:0{s}"), "k");
        text.push('\n');
    }
    text += bad;
    text.push('\n');
    text += &get("02/Mar/2026:11:00:00", "k");
    text.push('\n');
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn read(reader: &LogReader, path: &Path) -> Result<(SkipLog, u64), ReadError> {
    let mut records = 0;
    let log = reader.for_each(
        &[LineSource::File(path.to_path_buf())],
        |_, _| -> Result<(), ReadError> {
            records += 1;
            Ok(())
        },
    )?;
    Ok((log, records))
}

#[test]
fn strict_stops_at_file_line_and_field_lenient_counts_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    for (i, (what, line, field, reason)) in tester_cases().into_iter().enumerate() {
        let p = file_with(dir.path(), &format!("case{i}.log"), &line);
        let e = read(&LogReader::new(Mode::Strict), &p).expect_err(what);
        let msg = e.to_string();
        assert!(
            msg.starts_with(&format!("{}:4: {field}: ", p.display())),
            "{what}: {msg}"
        );
        let (log, records) = read(&LogReader::new(Mode::Lenient), &p).unwrap();
        assert_eq!((log.read, log.parsed, log.skipped, records), (5, 4, 1, 4));
        assert_eq!(
            log.reasons
                .iter()
                .map(|(k, v)| (k.as_str(), *v))
                .collect::<Vec<_>>(),
            [(reason.as_str(), 1)],
            "{what}"
        );
        assert!(log.examples[0].starts_with(&format!("{}:4: {field}", p.display())));
    }
    assert_eq!(Reason::FusedRecords.as_str(), "fused_records");
    assert_eq!(Reason::BadFieldForm.as_str(), "bad_field_form");
    assert_eq!(Reason::LineTooLong.as_str(), "line_too_long");
}

/// A record with `value` in tail field `slot` (0 = version_id … 9 = source_region).
fn with_tail_value(slot: usize, value: &str) -> String {
    let mut tail: Vec<&str> = vec![
        "-",
        HOST_ID,
        "SigV4",
        "ECDHE-RSA-AES128-GCM-SHA256",
        "AuthHeader",
        "lake.s3.us-east-1.amazonaws.com",
        "TLSv1.2",
        "arn:aws:s3:us-east-1:123456789012:accesspoint/ap1",
        "Yes",
        "us-east-1",
    ];
    tail[slot] = value;
    record(
        "02/Mar/2026:10:00:00",
        "REST.GET.OBJECT",
        "k",
        200,
        "10",
        &tail.join(" "),
    )
}

fn tail_value(line: &str, slot: usize) -> Option<String> {
    let r = parse_line(line).unwrap_or_else(|e| panic!("{e}: {line}"));
    let v = [
        r.version_id,
        r.host_id,
        r.signature_version,
        r.cipher_suite,
        r.authentication_type,
        r.host_header,
        r.tls_version,
        r.access_point_arn,
        r.acl_required.map(|b| if b { "Yes" } else { "No" }),
        r.source_region,
    ];
    v[slot].map(str::to_string)
}

#[test]
fn every_documented_value_is_accepted_in_its_field() {
    // The S3 server access log format (docs.aws.amazon.com/AmazonS3/latest/userguide/
    // LogFormat.html and s3-access-log-format.md), and values seen in real records.
    let documented: [(usize, &[&str]); 10] = [
        (
            0,
            &[
                "3HL4kqtJvjVBH40Nrjfkd",
                "yn5YAJiwT36Rv78jGYLM71GZumWL.QWn",
                "null",
            ],
        ),
        (
            1,
            &[
                HOST_ID,
                HOST_ID_UNPADDED,
                "vyeQwAz5Qaqh9ErMOz23K4o1K1YkhtkfWmJqKERXzllOeCzMPow5SNutQEe9Ew0VgNiCFNvWmQISbnIqSAnD/A==",
                "Is1QS=",
                "0e...B4lA=",
                "AIDAISBTTLPGXGH6YFFAY LzYGhqEwXn5Xiuil9tI6JtK2PiIo+SC6Ute3Isq2qEmt/t0Z7qFkyD0mp1ZIc43bm0qSX4tBbbc=",
            ],
        ),
        (2, &["SigV2", "SigV4"]),
        (
            3,
            &[
                "ECDHE-RSA-AES128-GCM-SHA256",
                "ECDHE-RSA-AES128-SHA",
                "ECDHE-ECDSA-AES256-GCM-SHA384",
                "ECDHE-RSA-CHACHA20-POLY1305",
                "AES128-SHA",
                "AES256-GCM-SHA384",
                "DHE-RSA-AES128-SHA",
                "TLS_AES_128_GCM_SHA256",
                "TLS_AES_256_GCM_SHA384",
                "TLS_CHACHA20_POLY1305_SHA256",
            ],
        ),
        (4, &["AuthHeader", "QueryString"]),
        (
            5,
            &[
                "s3.amazonaws.com",
                "s3.us-west-2.amazonaws.com",
                "s3-us-west-2.amazonaws.com",
                "DOC-EXAMPLE-BUCKET1.s3.us-west-1.amazonaws.com",
                "amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com.cn",
                "aws-website-demonchy-5v3aj.s3-website-us-east-1.amazonaws.com",
                "jmglov.net.s3-website-eu-west-1.amazonaws.com",
                "www.forshaw.tech",
                "bucket.s3.dualstack.eu-west-1.amazonaws.com:443",
            ],
        ),
        (
            6,
            &[
                "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3", "TLSV1.1", "TLSV1.2",
            ],
        ),
        (
            7,
            &[
                "arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP",
                "arn:aws-cn:s3:cn-north-1:123456789012:accesspoint/example-AP",
                "arn:aws-us-gov:s3:us-gov-west-1:123456789012:accesspoint/ap",
            ],
        ),
        (8, &["Yes"]),
        (
            9,
            &[
                "us-east-1",
                "us-east-2",
                "eu-central-2",
                "ap-southeast-4",
                "il-central-1",
                "mx-central-1",
                "us-gov-west-1",
                "cn-northwest-1",
                "us-iso-east-1",
                "us-isob-east-1",
                "eusc-de-east-1",
            ],
        ),
    ];
    for (slot, values) in documented {
        for v in values.iter().chain(&["-"]) {
            let line = with_tail_value(slot, v);
            let want = (*v != "-").then(|| v.to_string());
            assert_eq!(tail_value(&line, slot), want, "slot {slot}: {v}");
        }
    }
}

#[test]
fn a_value_out_of_its_field_is_rejected_there() {
    // Each field with values of its neighbours (what a shifted record puts there).
    let wrong: [(usize, &str, &[&str]); 9] = [
        (
            1,
            "host_id",
            &[
                "SigV4",
                "SigV2",
                "AuthHeader",
                "QueryString",
                "Yes",
                "ECDHE-RSA-AES128-GCM-SHA256",
                "TLS_AES_128_GCM_SHA256",
                "TLSv1.2",
                "lake.s3.us-east-1.amazonaws.com",
                "us-east-1",
                "arn:aws:s3:us-east-1:123456789012:accesspoint/ap1",
                "s9lzHYrF=SigV4",
                "abc===",
                "=",
                "a.b",
            ],
        ),
        (
            2,
            "signature_version",
            &[
                HOST_ID,
                "ECDHE-RSA-AES128-GCM-SHA256",
                "AuthHeader",
                "TLSv1.2",
                "SigV3",
                "V4",
            ],
        ),
        (
            3,
            "cipher_suite",
            &[
                HOST_ID,
                "SigV4",
                "AuthHeader",
                "TLSv1.2",
                "TLSV1.2",
                "lake.s3.amazonaws.com",
                "us-east-1",
                "ecdhe-rsa",
            ],
        ),
        (
            4,
            "authentication_type",
            &[
                "SigV4",
                "ECDHE-RSA-AES128-GCM-SHA256",
                "lake.s3.amazonaws.com",
                "TLSv1.2",
                "Header",
            ],
        ),
        (
            5,
            "host_header",
            &[
                HOST_ID,
                "SigV4",
                "AuthHeader",
                "QueryString",
                "TLSv1.2",
                "TLSV1.3",
                "arn:aws:s3:us-east-1:1:accesspoint/x",
                "a/b",
                "a=b",
            ],
        ),
        (
            6,
            "tls_version",
            &[
                "lake.s3.amazonaws.com",
                "SigV4",
                "ECDHE-RSA-AES128-GCM-SHA256",
                "TLSv1.4",
                "TLSv2",
                "SSLv3",
                "-1",
                "Yes",
            ],
        ),
        (
            7,
            "access_point_arn",
            &[
                "TLSv1.2",
                "Yes",
                "us-east-1",
                "arn:aws",
                "accesspoint/example-AP",
            ],
        ),
        (
            8,
            "acl_required",
            &[
                "No",
                "true",
                "arn:aws:s3:us-east-1:1:accesspoint/x",
                "us-east-1",
                "a",
            ],
        ),
        (
            9,
            "source_region",
            &[
                "aaa",
                "a",
                "Yes",
                "US-EAST-1",
                "us-east",
                "us-east-1a",
                "us--1",
                "-us-east-1",
                "TLSv1.2",
            ],
        ),
    ];
    for (slot, field, values) in wrong {
        for v in values {
            let line = with_tail_value(slot, v);
            let e = parse_line(&line).expect_err(v);
            assert_eq!((e.field, e.reason), (field, Reason::BadFieldForm), "{v}");
        }
    }
    // A bucket-owner id in any tail field, known or not, is another record's start.
    for slot in 0..10 {
        let e = parse_line(&with_tail_value(slot, OWNER)).unwrap_err();
        assert_eq!(e.reason, Reason::FusedRecords, "slot {slot}");
    }
    let e = parse_line(&format!(
        "{} extra {OWNER} lake",
        put("02/Mar/2026:10:00:00")
    ))
    .unwrap_err();
    assert_eq!((e.field, e.reason), ("extra_field", Reason::FusedRecords));
    // Unknown trailing fields of other shapes are still accepted (AWS appends new ones).
    let longer = format!("{} NewField 42 -", put("02/Mar/2026:10:00:00"));
    let r = parse_line(&longer).unwrap();
    assert_eq!((r.field_count, r.source_region), (30, Some("us-east-1")));
}

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

#[test]
fn the_real_corpus_still_parses_with_its_fields_in_place() {
    let Some(path) = corpus("s3-access-logs.txt") else {
        return;
    };
    let mut hosts = Vec::new();
    let (log, records) = {
        let mut records = 0u64;
        let log = LogReader::new(Mode::Lenient)
            .for_each(
                &[LineSource::File(path.clone())],
                |at, r| -> Result<(), ReadError> {
                    records += 1;
                    if [73, 81, 197, 198].contains(&at.line) {
                        hosts.push((
                            at.line,
                            r.field_count,
                            r.host_id.map(str::to_string),
                            r.signature_version.map(str::to_string),
                            r.cipher_suite.map(str::to_string),
                            r.tls_version.map(str::to_string),
                            r.source_region.map(str::to_string),
                        ));
                    }
                    // Every parsed record has its tail fields in their documented forms.
                    assert!(
                        r.signature_version
                            .is_none_or(|s| s == "SigV2" || s == "SigV4"),
                        "line {}",
                        at.line
                    );
                    assert!(
                        r.authentication_type
                            .is_none_or(|s| s == "AuthHeader" || s == "QueryString"),
                        "line {}",
                        at.line
                    );
                    assert!(
                        r.tls_version
                            .is_none_or(|s| s.to_ascii_lowercase().starts_with("tlsv1")),
                        "line {}",
                        at.line
                    );
                    Ok(())
                },
            )
            .unwrap();
        (log, records)
    };
    // 200 lines: 191 records; 9 rejected, each for its stated reason (tests/access_log.rs
    // lists them line by line).
    assert_eq!(
        (log.read, log.parsed, log.skipped, records),
        (200, 191, 9, 191)
    );
    let reasons: Vec<(&str, u64)> = log.reasons.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(
        reasons,
        [
            ("bad_field_form", 2),
            ("bad_time", 2),
            ("fused_records", 2),
            ("no_operation", 2),
            ("truncated_record", 1)
        ]
    );
    let s = |v: &str| Some(v.to_string());
    let two_part = s(
        "AIDAISBTTLPGXGH6YFFAY LzYGhqEwXn5Xiuil9tI6JtK2PiIo+SC6Ute3Isq2qEmt/t0Z7qFkyD0mp1ZIc43bm0qSX4tBbbc=",
    );
    assert_eq!(
        hosts,
        [
            // NCBI's real records with a two-part host id: one field, the rest in place.
            (
                73,
                24,
                two_part.clone(),
                s("SigV4"),
                s("ECDHE-RSA-AES128-SHA"),
                s("TLSv1.2"),
                None
            ),
            (
                81,
                26,
                two_part,
                s("SigV4"),
                s("ECDHE-RSA-AES128-SHA"),
                s("TLSv1.2"),
                None
            ),
            (
                197,
                27,
                s(HOST_ID_UNPADDED),
                None,
                s("TLS_CHACHA20_POLY1305_SHA256"),
                s("TLSv1.3"),
                None
            ),
            (
                198,
                27,
                s("0e...B4lA="),
                s("SigV4"),
                s("TLS_AES_128_GCM_SHA256"),
                s("TLSv1.3"),
                s("us-east-2")
            ),
        ]
    );

    // The bulk EMR sample: every line, all 25 fields, as before.
    let Some(path) = corpus("s3-access-logs-bulk-emr.txt") else {
        return;
    };
    let mut forms = std::collections::BTreeSet::new();
    let log = LogReader::new(Mode::Strict)
        .for_each(&[LineSource::File(path)], |_, r| -> Result<(), ReadError> {
            forms.insert((
                r.field_count,
                r.signature_version.map(str::to_string),
                r.cipher_suite.map(str::to_string),
                r.authentication_type.map(str::to_string),
                r.tls_version.map(str::to_string),
            ));
            Ok(())
        })
        .unwrap();
    assert_eq!((log.read, log.parsed, log.skipped), (1069, 1069, 0));
    assert_eq!(
        forms.into_iter().collect::<Vec<_>>(),
        [(
            25,
            s("SigV4"),
            s("ECDHE-RSA-AES128-GCM-SHA256"),
            s("AuthHeader"),
            s("TLSv1.2")
        )]
    );
}

/// `costlab simulate` over a log with one fused line among 200 good ones.
fn simulate(log: &Path, strict: bool) -> std::process::Output {
    let mut args = vec![
        "simulate",
        "--logs",
        log.to_str().unwrap(),
        "--all-standard",
        "--start",
        "2026-03-01",
        "--end",
        "2026-04-01",
        "--format",
        "json",
    ];
    if strict {
        args.push("--strict");
    }
    Command::new(env!("CARGO_BIN_EXE_costlab"))
        .args(&args)
        .current_dir(log.parent().unwrap())
        .env_remove("COSTLAB_PRICING_DIR")
        .output()
        .unwrap()
}

fn requests(report: &Value, usage_type: &str) -> f64 {
    report["policies"][0]["months"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["lines"].as_array().unwrap())
        .filter(|l| l["usage_type"] == usage_type)
        .map(|l| l["quantity"].as_f64().unwrap())
        .sum()
}

#[test]
fn simulate_counts_a_fused_line_as_skipped_and_bills_neither_record() {
    let dir = tempfile::tempdir().unwrap();
    for (name, fused) in [
        (
            "delete-put",
            format!(
                "{}    {}",
                delete("03/Mar/2026:10:00:00"),
                put("03/Mar/2026:10:00:01")
            ),
        ),
        (
            "put-delete",
            format!(
                "{}    {}",
                put("03/Mar/2026:10:00:00"),
                delete("03/Mar/2026:10:00:01")
            ),
        ),
    ] {
        let mut text = put("02/Mar/2026:00:00:00").replace("data/b.bin", "k") + "\n";
        for i in 0..199 {
            text += &get(&format!("02/Mar/2026:01:{:02}:{:02}", i / 60, i % 60), "k");
            text.push('\n');
        }
        text += &fused;
        text.push('\n');
        let log = dir.path().join(format!("{name}.log"));
        std::fs::write(&log, &text).unwrap();

        let out = simulate(&log, false);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let lines = &report["evidence"]["lines"];
        assert_eq!(
            (&lines["read"], &lines["parsed"], &lines["skipped"]),
            (&Value::from(201), &Value::from(200), &Value::from(1)),
            "{name}"
        );
        assert_eq!(
            lines["skip_reasons"],
            serde_json::json!({"fused_records": 1})
        );
        // The good PUT and GETs only: neither half of the fused line is billed as if whole.
        assert_eq!(requests(&report, "Requests-Tier1"), 1.0, "{name}");
        assert_eq!(requests(&report, "Requests-Tier2"), 199.0, "{name}");

        let out = simulate(&log, true);
        assert_eq!(out.status.code(), Some(2), "{name}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!(
                "{}:201: time: another record's time",
                log.display()
            )),
            "{err}"
        );
    }
}

/// Lines longer than the limit are skipped (or an error) without being held whole, by both
/// readers (line by line, and the block reader `simulate` uses); other lines are untouched.
mod long_lines {
    use super::*;

    fn chunked(
        reader: &LogReader,
        src: &[LineSource],
        bytes: usize,
    ) -> (Vec<u64>, Result<SkipLog, String>, usize) {
        let names: Vec<String> = src.iter().map(|s| s.name()).collect();
        let mut chunks = Vec::new();
        let mut biggest = 0;
        let r = reader.chunks(
            src,
            bytes,
            || None,
            |c| -> Result<(), ReadError> {
                chunks.push(c);
                Ok(())
            },
        );
        if let Err(e) = r {
            return (Vec::new(), Err(e.to_string()), 0);
        }
        let (mut seen, mut log) = (Vec::new(), SkipLog::default());
        for c in chunks {
            match reader.parse_chunk(&names, &c, |at, _| -> Result<(), ReadError> {
                seen.push(at.line);
                Ok(())
            }) {
                Ok(l) => log.merge(&l),
                Err(e) => return (seen, Err(e.to_string()), biggest),
            }
            biggest = biggest.max(c.recycle().capacity());
        }
        (seen, Ok(log), biggest)
    }

    #[test]
    fn a_long_line_is_skipped_by_both_readers_and_held_only_in_part() {
        let dir = tempfile::tempdir().unwrap();
        // 24 MiB without a newline between good lines; then a last line without one.
        let good = |s: u32| get(&format!("02/Mar/2026:10:00:{s:02}"), "k");
        let mut text = format!("{}\n{}\n", good(0), good(1)).into_bytes();
        text.extend(std::iter::repeat_n(b'a', 24 << 20));
        text.push(b'\n');
        text.extend(format!("{}\n", good(2)).bytes());
        text.extend(std::iter::repeat_n(b'x', 3 << 20));
        let p = dir.path().join("long.log");
        std::fs::write(&p, &text).unwrap();
        let src = [LineSource::File(p.clone())];

        let lenient = LogReader::new(Mode::Lenient);
        let mut seen = Vec::new();
        let log = lenient
            .for_each(&src, |at, _| -> Result<(), ReadError> {
                seen.push(at.line);
                Ok(())
            })
            .unwrap();
        assert_eq!(seen, [1, 2, 4]);
        assert_eq!((log.read, log.parsed, log.skipped), (5, 3, 2));
        assert_eq!(
            log.reasons
                .iter()
                .map(|(k, v)| (k.as_str(), *v))
                .collect::<Vec<_>>(),
            [("line_too_long", 2)]
        );
        assert!(log.examples[0].starts_with(&format!("{}:3: line: ", p.display())));

        // The block reader: the same, with buffers bounded by the chunk size and the limit
        // (not the 24 MiB line).
        let chunk = 1 << 20;
        let (seen_c, log_c, biggest) = chunked(&lenient, &src, chunk);
        assert_eq!((seen_c, log_c), (seen.clone(), Ok(log.clone())));
        assert!(
            biggest <= 2 * (2 * chunk + lenient.max_line_bytes + 2),
            "{biggest}"
        );
        // Several sources are merged line by line: the same records and counts.
        let two = [LineSource::File(p.clone()), LineSource::File(p.clone())];
        let (seen_2, log_2, biggest_2) = chunked(&lenient, &two, chunk);
        assert_eq!(seen_2.len(), 6);
        assert_eq!(log_2.unwrap().reasons["line_too_long"], 4);
        assert!(
            biggest_2 <= 2 * (chunk + lenient.max_line_bytes + 2),
            "{biggest_2}"
        );

        // Strict: an error at line 3, by both readers.
        let strict = LogReader::new(Mode::Strict);
        let e = strict
            .for_each(&src, |_, _| -> Result<(), ReadError> { Ok(()) })
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with(&format!("{}:3: line: the line is longer", p.display())),
            "{e}"
        );
        assert_eq!(chunked(&strict, &src, chunk).1, Err(e));
    }

    #[test]
    fn the_limit_is_configurable_and_counts_bytes_before_the_newline() {
        let dir = tempfile::tempdir().unwrap();
        let l = get("02/Mar/2026:10:00:00", "k");
        let p = dir.path().join("a.log");
        std::fs::write(&p, format!("{l}\r\n{l}\n{l}")).unwrap();
        let src = [LineSource::File(p)];
        for (max, parsed) in [
            (l.len() - 1, 0),
            (l.len(), 2),
            (l.len() + 1, 3),
            (1 << 20, 3),
        ] {
            let reader = LogReader::new(Mode::Lenient).max_line_bytes(max);
            let log = reader
                .for_each(&src, |_, _| -> Result<(), ReadError> { Ok(()) })
                .unwrap();
            assert_eq!(
                (log.read, log.parsed, log.skipped),
                (3, parsed, 3 - parsed),
                "{max}"
            );
            for bytes in [1, 7, 100, 1000, 1 << 16] {
                let (_, log_c, _) = chunked(&reader, &src, bytes);
                assert_eq!(log_c, Ok(log.clone()), "{max} {bytes}");
            }
        }
    }
}

mod generated {
    use super::*;
    use proptest::prelude::*;

    /// A record's fields as written (quoted fields with their quotes; the two-part host id
    /// with its space) and the values the parser must give (`None` for `-`).
    #[derive(Clone, Debug)]
    struct Rec {
        written: Vec<String>,
        want: Vec<Option<String>>,
    }

    fn field(written: String, want: Option<String>) -> (String, Option<String>) {
        (written, want)
    }

    fn plain(s: impl Strategy<Value = String>) -> impl Strategy<Value = (String, Option<String>)> {
        s.prop_map(|v| {
            let want = (v != "-").then(|| v.clone());
            field(v, want)
        })
    }

    fn pick(values: &'static [&'static str]) -> impl Strategy<Value = (String, Option<String>)> {
        plain(prop::sample::select(values).prop_map(str::to_string))
    }

    fn quoted(s: impl Strategy<Value = String>) -> impl Strategy<Value = (String, Option<String>)> {
        s.prop_map(|v| {
            let want = (v != "-" && !v.is_empty()).then(|| v.clone());
            field(format!("\"{v}\""), want)
        })
    }

    fn number() -> impl Strategy<Value = (String, Option<String>)> {
        prop_oneof![
            Just("-".to_string()),
            any::<u64>().prop_map(|n| n.to_string())
        ]
        .prop_map(|v| {
            let want = (v != "-").then(|| v.clone());
            field(v, want)
        })
    }

    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];

    fn record() -> impl Strategy<Value = Rec> {
        let head = (
            prop_oneof![Just("-".to_string()), "[0-9a-f]{64}"].prop_map(|v| {
                let want = (v != "-").then(|| v.clone());
                (v, want)
            }),
            plain("[a-z0-9][a-z0-9.-]{2,30}".prop_map(|s| s)),
            (
                1u32..=28,
                0usize..12,
                2006u32..2030,
                0u32..24,
                0u32..60,
                0u32..60,
                "[+-](0[0-9]|1[0-3])(00|30)",
            )
                .prop_map(|(d, m, y, h, mi, s, off)| {
                    let t = format!("[{d:02}/{}/{y}:{h:02}:{mi:02}:{s:02} {off}]", MONTHS[m]);
                    (t, None)
                }),
            plain(prop_oneof![
                Just("-".to_string()),
                "(1[0-9]{2}|[1-9][0-9]?)\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}"
            ]),
            plain(prop_oneof![
                Just("-".to_string()),
                "[0-9a-f]{64}",
                "arn:aws:iam::[0-9]{12}:user/[a-z]{1,12}",
                "arn:aws:sts::[0-9]{12}:assumed-role/[A-Za-z-]{1,12}/i-[0-9a-f]{17}",
                "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E[0-9A-Z]{12}",
                Just("svc:delivery.logs.amazonaws.com".to_string()),
                Just("AmazonS3".to_string()),
            ]),
            plain("[0-9A-Z]{16}"),
            pick(&[
                "REST.GET.OBJECT",
                "REST.PUT.OBJECT",
                "REST.DELETE.OBJECT",
                "REST.HEAD.OBJECT",
                "REST.GET.BUCKET",
                "REST.COPY.OBJECT_GET",
                "REST.POST.UPLOADS",
                "WEBSITE.GET.OBJECT",
                "BATCH.DELETE.OBJECT",
                "S3.EXPIRE.OBJECT",
                "S3.COMPUTE.OBJECT.CHECKSUM",
            ]),
            plain(prop_oneof![Just("-".to_string()), "[a-zA-Z0-9/_.=-]{1,60}"]),
        );
        let middle = (
            quoted(prop_oneof![
                Just("-".to_string()),
                "(GET|PUT|HEAD|DELETE|POST) /[a-zA-Z0-9/_.=?&-]{0,60} HTTP/1\\.[01]"
            ]),
            pick(&["200", "204", "206", "304", "403", "404", "500", "503", "-"]),
            pick(&["-", "NoSuchKey", "AccessDenied", "SlowDown", "NoSuchTagSet"]),
            number(),
            number(),
            number(),
            number(),
            quoted(prop_oneof![
                Just("-".to_string()),
                "https://[a-z.]{1,20}/[a-z/]{0,20}"
            ]),
            quoted("[ -!#-~]{0,80}"),
        );
        let tail = (
            plain(prop_oneof![Just("-".to_string()), "[A-Za-z0-9._]{32}"]),
            plain(prop_oneof![
                Just("-".to_string()),
                "[A-Za-z0-9+/]{75}=",
                "[A-Za-z0-9+/]{86}==",
                "[A-Za-z0-9+/]{96}",
                "A(IDA|ROA)[A-Z0-9]{17} [A-Za-z0-9+/]{75}=",
            ]),
            pick(&["SigV2", "SigV4", "-"]),
            pick(&[
                "ECDHE-RSA-AES128-GCM-SHA256",
                "ECDHE-RSA-AES128-SHA",
                "TLS_AES_128_GCM_SHA256",
                "TLS_AES_256_GCM_SHA384",
                "TLS_CHACHA20_POLY1305_SHA256",
                "-",
            ]),
            pick(&["AuthHeader", "QueryString", "-"]),
            plain(prop_oneof![
                Just("-".to_string()),
                "[a-z0-9-]{3,20}\\.s3\\.(us|eu|ap)-[a-z]{4,9}-[1-4]\\.amazonaws\\.com",
                "s3(-external-1)?\\.amazonaws\\.com",
            ]),
            pick(&["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3", "TLSV1.2", "-"]),
            plain(prop_oneof![
                Just("-".to_string()),
                "arn:aws(-cn|-us-gov)?:s3:[a-z]{2}-[a-z]{4,9}-[1-4]:[0-9]{12}:accesspoint/[a-zA-Z0-9-]{1,30}",
            ]),
            pick(&["Yes", "-"]),
            pick(&[
                "us-east-1",
                "eu-west-3",
                "ap-southeast-2",
                "us-gov-west-1",
                "cn-north-1",
                "eusc-de-east-1",
                "-",
            ]),
        );
        (head, middle, tail).prop_map(|(h, m, t)| {
            let fields = vec![
                h.0, h.1, h.2, h.3, h.4, h.5, h.6, h.7, m.0, m.1, m.2, m.3, m.4, m.5, m.6, m.7,
                m.8, t.0, t.1, t.2, t.3, t.4, t.5, t.6, t.7, t.8, t.9,
            ];
            let (written, want) = fields.into_iter().unzip();
            Rec { written, want }
        })
    }

    fn parsed_fields(r: &costlab::trace::access_log::Record<'_>) -> Vec<Option<String>> {
        let s = |v: Option<&str>| v.map(str::to_string);
        let n = |v: Option<u64>| v.map(|x| x.to_string());
        vec![
            s(r.bucket_owner),
            s(r.bucket),
            None,
            s(r.remote_ip),
            s(r.requester),
            s(r.request_id),
            Some(r.operation.to_string()),
            r.key.as_deref().map(str::to_string),
            s(r.request_uri),
            r.http_status.map(|v| v.to_string()),
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
            r.acl_required.map(|b| {
                if b {
                    "Yes".to_string()
                } else {
                    "No".to_string()
                }
            }),
            s(r.source_region),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// Any record of valid fields, 17 to 27 of them, parses to those fields.
        #[test]
        fn valid_records_parse_and_round_trip(rec in record(), n in 17usize..=27, spaces in 1usize..3) {
            let line = rec.written[..n].join(&" ".repeat(spaces));
            let r = parse_line(&line).map_err(|e| TestCaseError::fail(format!("{e}: {line}")))?;
            prop_assert_eq!(r.field_count, n);
            let mut want = rec.want.clone();
            want.truncate(n);
            want.resize(27, None);
            let got = parsed_fields(&r);
            // Keys are decoded (the generated ones hold no escapes), so they compare as written.
            prop_assert_eq!(got, want, "{}", line);
        }

        /// Two valid records run together on one line are never taken for one.
        #[test]
        fn two_records_on_one_line_never_parse_as_one(
            a in record(), b in record(), na in 17usize..=27, nb in 17usize..=27, gap in " {1,4}",
        ) {
            let line = format!("{}{gap}{}", a.written[..na].join(" "), b.written[..nb].join(" "));
            let e = parse_line(&line).map(|r| format!("{r:?}"));
            prop_assert!(e.is_err(), "parsed as one: {:?}", e);
            let e = e.unwrap_err();
            prop_assert_eq!((e.field, e.reason), ("time", Reason::FusedRecords));
        }
    }
}
