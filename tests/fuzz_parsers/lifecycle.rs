//! Lifecycle configurations (JSON and XML) and Intelligent-Tiering configurations, as
//! `costlab lifecycle validate` and scenarios read them: `read_file` (size cap, UTF-8, form
//! detection, parse), then S3's rules (`validate`). A configuration that parses and passes
//! must also survive being written out and read back (`to_json`, `to_xml`) unchanged: what
//! costlab recommends deploying is what it simulated. Seeds: /work/shared/corpus/lifecycle
//! (AWS documentation, CLI, botocore and public repositories' files) and scenarios/lifecycle.
//!
//! Bound: 8 MiB + 64 bytes per input byte (the JSON form is read into a `serde_json::Value`
//! tree first, XML is streamed by quick-xml into the typed model).

use crate::harness::{Bound, JSON_MAX, MIB, config, corpus, names_file, repo, run_case};
use crate::mutate::{edits, mutated};
use costlab::trace::lifecycle::{
    intelligent_tiering_to_json, intelligent_tiering_to_xml, parse, parse_intelligent_tiering,
    read_file, to_json, to_xml, validate, validate_intelligent_tiering,
};
use proptest::prelude::*;
use std::path::PathBuf;
use std::sync::OnceLock;

const BOUND: Bound = Bound {
    fixed: 8 * MIB,
    per_byte: 64,
};

fn files_in(dir: Option<PathBuf>) -> Vec<Vec<u8>> {
    let Some(dir) = dir else { return Vec::new() };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && !p.to_string_lossy().ends_with(".md"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let b = std::fs::read(p).unwrap();
            // An HTTP request's body: from its first `<`.
            match b.iter().position(|c| *c == b'<') {
                Some(i) if p.extension().is_some_and(|e| e == "txt") => b[i..].to_vec(),
                _ => b,
            }
        })
        .collect()
}

fn lifecycle_samples() -> &'static [Vec<u8>] {
    static S: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    S.get_or_init(|| {
        let mut v = files_in(corpus("lifecycle"));
        v.extend(files_in(Some(repo("scenarios/lifecycle"))));
        v
    })
}

fn tiering_samples() -> &'static [Vec<u8>] {
    static S: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    S.get_or_init(|| {
        let mut v = files_in(corpus("lifecycle/intelligent-tiering"));
        if v.is_empty() {
            v.push(
                br#"{"Id": "a", "Status": "Enabled", "Tierings": [{"Days": 90, "AccessTier": "ARCHIVE_ACCESS"}]}"#
                    .to_vec(),
            );
        }
        v
    })
}

fn lifecycle_case(input: Vec<u8>) {
    run_case("lifecycle", &input.clone(), BOUND, move || {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let path = dir.path().join("fuzz-lifecycle.cfg");
        std::fs::write(&path, &input).map_err(|e| e.to_string())?;
        let name = path.display().to_string();
        let cfg = match read_file(&path) {
            Err(e) => return names_file("lifecycle", &name, &e.to_string()),
            Ok(cfg) => cfg,
        };
        if !validate(&cfg).is_empty() {
            return Ok(());
        }
        // XML has no place for `TransitionDefaultMinimumObjectSize` (a request header in
        // the REST API): `to_xml` leaves it out.
        let mut body_only = cfg.clone();
        body_only.transition_default_minimum_object_size = None;
        for (form, text, expected) in [
            ("JSON", to_json(&cfg), &cfg),
            ("XML", to_xml(&cfg), &body_only),
        ] {
            match parse("again", &text) {
                Ok(again) if &again == expected => {}
                Ok(again) => {
                    return Err(format!(
                        "a valid configuration written as {form} reads back different:\n\
                         {cfg:?}\n{again:?}\n{text}"
                    ));
                }
                Err(e) => {
                    return Err(format!(
                        "a valid configuration written as {form} does not read back: {e}\n{text}"
                    ));
                }
            }
        }
        Ok(())
    });
}

fn tiering_case(input: Vec<u8>) {
    run_case("intelligent-tiering", &input.clone(), BOUND, move || {
        let text = String::from_utf8_lossy(&input);
        let cfgs = match parse_intelligent_tiering("fuzz-it.json", &text) {
            Err(e) => return names_file("intelligent-tiering", "fuzz-it.json", &e.to_string()),
            Ok(c) => c,
        };
        for cfg in &cfgs {
            if !validate_intelligent_tiering(cfg).is_empty() {
                continue;
            }
            for (form, text) in [
                ("JSON", intelligent_tiering_to_json(cfg)),
                ("XML", intelligent_tiering_to_xml(cfg)),
            ] {
                match parse_intelligent_tiering("again", &text) {
                    Ok(again) if again.len() == 1 && &again[0] == cfg => {}
                    other => {
                        return Err(format!(
                            "a valid Intelligent-Tiering configuration written as {form} reads \
                             back as {other:?}:\n{cfg:?}\n{text}"
                        ));
                    }
                }
            }
        }
        Ok(())
    });
}

proptest! {
    #![proptest_config(config(400))]

    #[test]
    fn lifecycle_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400), xml in any::<bool>()) {
        let mut b = bytes;
        b.insert(0, if xml { b'<' } else { b'{' });
        lifecycle_case(b);
    }

    #[test]
    fn lifecycle_on_mutated_samples(i in 0usize..256, e in edits()) {
        let s = lifecycle_samples();
        let input = mutated(&s[i % s.len()], &e);
        prop_assume!(input.len() <= JSON_MAX);
        lifecycle_case(input);
    }

    #[test]
    fn intelligent_tiering_on_mutated_samples(i in 0usize..64, e in edits()) {
        let s = tiering_samples();
        let input = mutated(&s[i % s.len()], &e);
        prop_assume!(input.len() <= JSON_MAX);
        tiering_case(input);
    }

    #[test]
    fn intelligent_tiering_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300), xml in any::<bool>()) {
        let mut b = bytes;
        b.insert(0, if xml { b'<' } else { b'{' });
        tiering_case(b);
    }
}

#[test]
fn the_unmutated_samples_round_trip() {
    let parsed = lifecycle_samples()
        .iter()
        .filter(|s| parse("s", &String::from_utf8_lossy(s)).is_ok())
        .count();
    assert!(parsed >= 3, "{parsed} samples parse");
    let parsed = tiering_samples()
        .iter()
        .filter(|s| parse_intelligent_tiering("s", &String::from_utf8_lossy(s)).is_ok())
        .count();
    assert!(parsed >= 1, "{parsed} Intelligent-Tiering samples parse");
    for s in lifecycle_samples() {
        lifecycle_case(s.clone());
    }
    for s in tiering_samples() {
        tiering_case(s.clone());
    }
}

/// Found by `lifecycle_on_mutated_samples` (20× run): a tag key of U+0000 passed every rule, and
/// `to_xml` wrote it as `&#x0;`, which no XML parser reads (S3 answers MalformedXML, and costlab
/// could not read its own output back). Text XML 1.0 cannot carry is a validation error.
#[test]
fn text_xml_cannot_carry_is_invalid() {
    use costlab::trace::lifecycle::ValidationKind;
    let cfg = |id: &str, prefix: &str, key: &str, value: &str| {
        let text = serde_json::json!({"Rules": [{
            "ID": id, "Status": "Enabled",
            "Filter": {"And": {"Prefix": prefix, "Tags": [{"Key": key, "Value": value}]}},
            "Expiration": {"Days": 10},
        }]});
        parse("t.json", &text.to_string()).unwrap()
    };
    let kinds = |c| {
        validate(&c)
            .into_iter()
            .map(|e| (e.kind, e.message))
            .collect::<Vec<_>>()
    };
    for (c, what) in [
        (cfg("r", "p/", "\u{0}", "v"), "tag key"),
        (cfg("r\u{1}", "p/", "k", "v"), "the ID holds U+0001"),
        (cfg("r", "p/\u{1f}", "k", "v"), "the prefix holds U+001F"),
        (cfg("r", "p/", "k", "v\u{fffe}"), "the value of tag"),
    ] {
        let found = kinds(c);
        assert!(
            found
                .iter()
                .any(|(k, m)| *k == ValidationKind::NotXmlText && m.contains(what)),
            "{what}: {found:?}"
        );
    }
    // Tab, line feed and carriage return are XML text: valid, and they read back.
    let ok = cfg("r\t", "p/\r\n", "k", "v");
    assert!(validate(&ok).is_empty(), "{:?}", validate(&ok));
    assert_eq!(parse("x.xml", &to_xml(&ok)).unwrap(), ok);
    let it = parse_intelligent_tiering(
        "it.json",
        r#"{"Id": "a\u0000", "Status": "Enabled", "Tierings": [{"Days": 90, "AccessTier": "ARCHIVE_ACCESS"}]}"#,
    )
    .unwrap();
    let found = validate_intelligent_tiering(&it[0]);
    assert!(
        found.iter().any(|e| e.kind == ValidationKind::NotXmlText),
        "{found:?}"
    );
}
