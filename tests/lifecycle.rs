//! Lifecycle configuration reader, validator and writer: every file of the shared corpus is
//! parsed to known values or rejected for a stated reason; parse → write → parse is the
//! identity (JSON and XML); validation catches each S3 rule with a message quoting the rule ID;
//! arbitrary bytes never panic the parsers (proptest).

use costlab::aws::StorageClass;
use costlab::trace::lifecycle::{
    AccessTier, Expiration, Filter, FilterForm, IntelligentTieringConfiguration,
    LifecycleConfiguration, LifecycleError, NoncurrentVersionExpiration,
    NoncurrentVersionTransition, Rule, Schedule, Status, Tag, Tiering, Transition,
    TransitionDefaultMinimumObjectSize, ValidationKind, intelligent_tiering_to_json,
    intelligent_tiering_to_xml, parse, parse_bytes, parse_intelligent_tiering,
    parse_intelligent_tiering_json, parse_intelligent_tiering_xml, parse_json, parse_xml,
    supported_transition, to_json, to_xml, validate, validate_intelligent_tiering,
};
use costlab::units::Timestamp;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::path::{Path, PathBuf};

fn corpus_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/lifecycle");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "lifecycle corpus not found at {}; skipping corpus tests",
            dir.display()
        );
        None
    }
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn load(dir: &Path, name: &str) -> LifecycleConfiguration {
    parse(name, &read(dir, name)).unwrap_or_else(|e| panic!("{e}"))
}

fn date(s: &str) -> Timestamp {
    Timestamp::parse_rfc3339(s).unwrap()
}

/// What a corpus file must do: parse and validate clean, or fail with these message parts at
/// this line.
enum Expect {
    Valid,
    Rejected(&'static [&'static str], Option<usize>),
}
use Expect::{Rejected, Valid};

const GFR_NAME: &str = "\"S3 Glacier Flexible Retrieval\": that is the console/documentation name; the S3 API spells it GLACIER";
const PLACEHOLDER: &str = "documentation placeholder";
const PROSE: &str = "unexpected text \"transition/expiration actions.\"";
const UNCLOSED_SC: &str = "expected `</StorageClass>`, but `</Transition>` was found";

const CORPUS: &[(&str, Expect)] = &[
    ("01-aws-cli-put-bucket-lifecycle-configuration.json", Valid),
    (
        "02-aws-cli-get-bucket-lifecycle-configuration-output.json",
        Valid,
    ),
    ("03-aws-cli-put-bucket-lifecycle-legacy.json", Valid),
    (
        "04-aws-cli-put-bucket-lifecycle-legacy-whole-bucket.json",
        Valid,
    ),
    ("05-aws-cli-put-bucket-lifecycle-legacy-2015-07.json", Valid),
    (
        "06-aws-cli-put-bucket-lifecycle-legacy-2015-04.json",
        Rejected(&["not valid JSON", "trailing comma", ":15:7:"], Some(15)),
    ),
    (
        "07-aws-doc-ex1-transition-and-expiration.xml",
        Rejected(&[GFR_NAME, "Rule[0].Transition[0].StorageClass"], Some(10)),
    ),
    (
        "08-aws-doc-ex1-archive-same-day.xml",
        Rejected(&[GFR_NAME], Some(10)),
    ),
    (
        "09-aws-doc-ex2-disable-rule.xml",
        Rejected(&[GFR_NAME], Some(10)),
    ),
    ("10-aws-doc-ex3-tiering-down.xml", Valid),
    ("11-aws-doc-ex4-multiple-rules.xml", Valid),
    (
        "12-aws-doc-ex5-overlap-empty-filter.xml",
        Rejected(&["not well-formed XML", UNCLOSED_SC], Some(20)),
    ),
    (
        "13-aws-doc-ex5-overlap-prefix.xml",
        Rejected(&["not well-formed XML", UNCLOSED_SC], Some(21)),
    ),
    (
        "14-aws-doc-ex5-overlap-transitions.xml",
        Rejected(&["not well-formed XML", UNCLOSED_SC], Some(11)),
    ),
    (
        "15-aws-doc-ex5-overlap-tags.xml",
        Rejected(&["not well-formed XML", UNCLOSED_SC], Some(14)),
    ),
    (
        "16-aws-doc-ex6-versioned-bucket.xml",
        Rejected(
            &[
                GFR_NAME,
                "Rule[0].NoncurrentVersionTransition[0].StorageClass",
            ],
            Some(14),
        ),
    ),
    (
        "17-aws-doc-ex6-newer-noncurrent-fragment.xml",
        Rejected(&[PLACEHOLDER, "\"...\""], Some(3)),
    ),
    (
        "18-aws-doc-ex7-expiration-newer-noncurrent-fragment.xml",
        Rejected(&[PLACEHOLDER], Some(3)),
    ),
    ("19-aws-doc-ex7-expired-object-delete-marker.xml", Valid),
    (
        "20-aws-doc-ex8-abort-incomplete-mpu.xml",
        Rejected(
            &[
                "Rule[0].Status",
                "expected Enabled or Disabled, found \"rule-status\"",
            ],
            Some(7),
        ),
    ),
    (
        "21-aws-doc-ex9-size-filter.xml",
        Rejected(&[GFR_NAME], Some(13)),
    ),
    (
        "22-aws-doc-ex9-size-range-fragment.xml",
        Rejected(&[PLACEHOLDER], Some(3)),
    ),
    (
        "23-aws-doc-rules-skeleton.xml",
        Rejected(&[PLACEHOLDER], Some(3)),
    ),
    (
        "24-aws-doc-filter-prefix.xml",
        Rejected(&[PLACEHOLDER], Some(9)),
    ),
    (
        "25-aws-doc-filter-two-prefix-rules.xml",
        Rejected(&[PLACEHOLDER, "transition/expiration actions."], Some(6)),
    ),
    (
        "26-aws-doc-filter-tag.xml",
        Rejected(&[PLACEHOLDER], Some(9)),
    ),
    (
        "27-aws-doc-filter-and-tags.xml",
        Rejected(
            &["not well-formed XML", "`</Lifecycle>` was found"],
            Some(18),
        ),
    ),
    (
        "28-aws-doc-filter-and-prefix-tags.xml",
        Rejected(&[PROSE, "only child elements"], Some(18)),
    ),
    ("29-aws-doc-filter-empty.xml", Rejected(&[PROSE], Some(6))),
    (
        "30-aws-doc-filter-size-greater.xml",
        Rejected(&[PROSE], Some(7)),
    ),
    (
        "31-aws-doc-filter-and-size-range.xml",
        Rejected(&[PROSE], Some(11)),
    ),
    ("32-aws-doc-cli-json-simple.json", Valid),
    ("33-aws-doc-cli-xml-simple.xml", Valid),
    ("34-aws-doc-cli-json-and-filter.json", Valid),
    ("35-aws-doc-cli-xml-and-filter-namespace.xml", Valid),
    ("36-aws-doc-abort-mpu-legacy-prefix.xml", Valid),
    ("37-aws-doc-abort-mpu-json.json", Valid),
    ("38-aws-doc-transition-to-intelligent-tiering.xml", Valid),
    ("39-aws-doc-outposts-json.json", Valid),
    (
        "40-aws-doc-outposts-json-2022-10.json",
        Rejected(
            &["not valid JSON", "expected `,` or `}`", ":25:9:"],
            Some(25),
        ),
    ),
    ("41-aws-devguide-set-lifecycle-cli-xml.xml", Valid),
    ("42-aws-devguide-set-lifecycle-cli-json.json", Valid),
    ("43-aws-devguide-set-lifecycle-cli-xml-namespace.xml", Valid),
    (
        "44-aws-devguide-set-lifecycle-cli-json-and-filter.json",
        Valid,
    ),
    ("45-aws-devguide-mpu-abort-json.json", Valid),
    (
        "46-botocore-PutBucketLifecycleConfiguration-input.json",
        Valid,
    ),
    (
        "47-botocore-GetBucketLifecycleConfiguration-output.json",
        Valid,
    ),
    ("48-botocore-GetBucketLifecycle-legacy-output.json", Valid),
    ("49-samuelm22-s3-lifecycle-policies.json", Valid),
    (
        "50-gunishbakshi-compliance-data-lifecycle-policy.json",
        Valid,
    ),
    ("51-jetbrains-infra-s3backup.json", Valid),
    ("52-ddpie-dynamodb-cross-region-s3-backup.json", Valid),
    ("53-aneesh121-s3-versioning-lifecycle.json", Valid),
    ("54-frednass-s3-dynamic-placement-and-archiving.json", Valid),
    ("55-anishmoktan-aws_s3_archive_script.json", Valid),
    ("56-banerjek-aws-utilities.json", Valid),
    ("57-screaminghawk-evaporating-link.json", Valid),
    ("58-nchlswhttkr-build-breaker.json", Valid),
    ("59-snarfed-huffduff-video.json", Valid),
    ("60-mechanicalrock-doorman.json", Valid),
    ("61-pawarrchetan-python-aws-s3.json", Valid),
    ("62-moabukar-db-backup-s3.json", Valid),
    (
        "63-jonathandeamer-small-observations-get-output.json",
        Valid,
    ),
    (
        "64-cloudformation-coverage-roadmap-1124-cli-inline.json",
        Valid,
    ),
    (
        "65-cloudformation-coverage-roadmap-1124-get-output.json",
        Valid,
    ),
    ("66-terraform-provider-aws-pr4241.xml", Valid),
];

/// JSON and XML round trips of a parsed configuration. The XML form has no
/// TransitionDefaultMinimumObjectSize (a header in the REST API), so that field is compared
/// only through JSON.
fn assert_round_trips(name: &str, cfg: &LifecycleConfiguration) {
    let json = to_json(cfg);
    assert_eq!(
        &parse_json("rt.json", &json).unwrap_or_else(|e| panic!("{name}: {e}\n{json}")),
        cfg,
        "{name}: JSON round trip\n{json}"
    );
    assert_eq!(
        to_json(&parse_json("rt.json", &json).unwrap()),
        json,
        "{name}: JSON is stable"
    );
    let xml = to_xml(cfg);
    let mut without_header = cfg.clone();
    without_header.transition_default_minimum_object_size = None;
    assert_eq!(
        parse_xml("rt.xml", &xml).unwrap_or_else(|e| panic!("{name}: {e}\n{xml}")),
        without_header,
        "{name}: XML round trip\n{xml}"
    );
}

#[test]
fn every_corpus_file_is_parsed_or_rejected_for_a_stated_reason() {
    let Some(dir) = corpus_dir() else { return };
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        if path.is_dir() || name == "SOURCES.md" {
            continue;
        }
        let (_, expect) = CORPUS
            .iter()
            .find(|(n, _)| *n == name)
            .unwrap_or_else(|| panic!("{name} is new in the corpus: add its expected outcome"));
        seen += 1;
        let bytes = std::fs::read(&path).unwrap();
        match (parse_bytes(&name, &bytes), expect) {
            (Ok(cfg), Valid) => {
                assert!(!cfg.rules.is_empty(), "{name}");
                let errors = validate(&cfg);
                assert!(errors.is_empty(), "{name}: {errors:?}");
                assert_round_trips(&name, &cfg);
            }
            (Err(e), Rejected(parts, line)) => {
                let msg = e.to_string();
                assert!(msg.starts_with(&name), "{msg}");
                for p in *parts {
                    assert!(msg.contains(p), "{name}: {msg:?} lacks {p:?}");
                }
                assert_eq!(e.line(), *line, "{name}: {msg}");
            }
            (Ok(cfg), Rejected(parts, _)) => panic!("{name} parsed ({cfg:?}), expected {parts:?}"),
            (Err(e), Valid) => panic!("{name}: {e}"),
        }
    }
    assert_eq!(seen, CORPUS.len(), "a corpus file listed here is missing");
}

#[test]
fn cli_example_with_dates_legacy_prefix_and_noncurrent_transitions() {
    let Some(dir) = corpus_dir() else { return };
    let cfg = load(&dir, "01-aws-cli-put-bucket-lifecycle-configuration.json");
    assert_eq!(cfg.transition_default_minimum_object_size, None);
    let [logs, old] = &cfg.rules[..] else {
        panic!("{cfg:?}")
    };
    assert_eq!(logs.id.as_deref(), Some("Move rotated logs to Glacier"));
    assert_eq!(logs.status, Status::Enabled);
    assert_eq!(logs.filter, Filter::legacy_prefix("rotated/"));
    assert_eq!(logs.filter.form, FilterForm::LegacyPrefix);
    assert_eq!(
        logs.transitions,
        vec![Transition {
            when: Schedule::Date(date("2015-11-10T00:00:00Z")),
            storage_class: StorageClass::Glacier,
        }]
    );
    assert!(logs.noncurrent_version_transitions.is_empty());
    assert_eq!(old.id.as_deref(), Some("Move old versions to Glacier"));
    assert_eq!(old.filter.prefix.as_deref(), Some(""));
    assert_eq!(
        old.noncurrent_version_transitions,
        vec![NoncurrentVersionTransition {
            noncurrent_days: 2,
            storage_class: StorageClass::Glacier,
            newer_noncurrent_versions: None,
        }]
    );
    // The get output of the same example says 0 days.
    let got = load(
        &dir,
        "02-aws-cli-get-bucket-lifecycle-configuration-output.json",
    );
    assert_eq!(
        got.rules[1].noncurrent_version_transitions[0].noncurrent_days,
        0
    );
    // The writer keeps the legacy rule-level Prefix and prints the date in UTC.
    let json = to_json(&cfg);
    assert!(json.contains("\"Prefix\": \"rotated/\""), "{json}");
    assert!(!json.contains("Filter"), "{json}");
    assert!(
        json.contains("\"Date\": \"2015-11-10T00:00:00Z\""),
        "{json}"
    );
}

#[test]
fn legacy_put_bucket_lifecycle_shape_is_folded_into_the_model() {
    let Some(dir) = corpus_dir() else { return };
    let cfg = load(&dir, "03-aws-cli-put-bucket-lifecycle-legacy.json");
    assert_eq!(cfg.rules.len(), 2);
    let r0 = &cfg.rules[0];
    assert_eq!(
        r0.id.as_deref(),
        Some("Move to Glacier after sixty days (objects in logs/2015/)")
    );
    assert_eq!(r0.filter, Filter::legacy_prefix("logs/2015/"));
    assert_eq!(
        r0.transitions,
        vec![Transition {
            when: Schedule::Days(60),
            storage_class: StorageClass::Glacier
        }]
    );
    let r1 = &cfg.rules[1];
    assert_eq!(r1.id.as_deref(), Some("Delete 2014 logs in 2016."));
    assert_eq!(
        r1.expiration,
        Some(Expiration {
            when: Some(Schedule::Date(date("2016-01-01T00:00:00Z"))),
            expired_object_delete_marker: None
        })
    );
    // Singular NoncurrentVersionTransition (53) becomes a one-element list.
    let v = load(&dir, "53-aneesh121-s3-versioning-lifecycle.json");
    let ids: Vec<_> = v.rules.iter().map(|r| r.id.clone().unwrap()).collect();
    assert_eq!(ids, ["ErrorRule", "ZabbixRule"]);
    assert_eq!(v.rules[0].filter, Filter::legacy_prefix("Error*"));
    assert_eq!(
        v.rules[1].noncurrent_version_transitions,
        vec![NoncurrentVersionTransition {
            noncurrent_days: 30,
            storage_class: StorageClass::StandardIa,
            newer_noncurrent_versions: None
        }]
    );
    assert_eq!(
        v.rules[1].noncurrent_version_expiration,
        Some(NoncurrentVersionExpiration {
            noncurrent_days: 37,
            newer_noncurrent_versions: None
        })
    );
    // Rules without IDs (60) stay without.
    let d = load(&dir, "60-mechanicalrock-doorman.json");
    let prefixes: Vec<_> = d
        .rules
        .iter()
        .map(|r| (r.id.clone(), r.filter.prefix.clone().unwrap()))
        .collect();
    assert_eq!(
        prefixes,
        [
            (None, "unknown".to_string()),
            (None, "detected".into()),
            (None, "trained".into()),
            (None, "incoming".into())
        ]
    );
    // Legacy Prefix in XML (36).
    let x = load(&dir, "36-aws-doc-abort-mpu-legacy-prefix.xml");
    assert_eq!(x.rules[0].filter, Filter::legacy_prefix(""));
    assert_eq!(x.rules[0].abort_incomplete_multipart_upload_days, Some(7));
    assert!(to_xml(&x).contains("<Prefix></Prefix>\n    <Status>"));
}

#[test]
fn xml_examples_parse_to_their_values() {
    let Some(dir) = corpus_dir() else { return };
    let t = load(&dir, "10-aws-doc-ex3-tiering-down.xml");
    let r = &t.rules[0];
    assert_eq!(r.id.as_deref(), Some("example-id"));
    assert_eq!(r.filter, Filter::prefix("logs/"));
    assert_eq!(
        r.transitions,
        vec![
            Transition {
                when: Schedule::Days(30),
                storage_class: StorageClass::StandardIa
            },
            Transition {
                when: Schedule::Days(90),
                storage_class: StorageClass::Glacier
            }
        ]
    );
    assert_eq!(r.expiration.unwrap().when, Some(Schedule::Days(365)));

    let m = load(&dir, "11-aws-doc-ex4-multiple-rules.xml");
    let summary: Vec<_> = m
        .rules
        .iter()
        .map(|r| {
            (
                r.id.clone().unwrap(),
                r.filter.prefix.clone().unwrap(),
                r.transitions[0].when,
                r.transitions[0].storage_class,
                r.expiration.unwrap().when,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "ClassADocRule".to_string(),
                "classA/".to_string(),
                Schedule::Days(365),
                StorageClass::Glacier,
                Some(Schedule::Days(3650))
            ),
            (
                "ClassBDocRule".into(),
                "classB/".into(),
                Schedule::Days(90),
                StorageClass::StandardIa,
                Some(Schedule::Days(365))
            )
        ]
    );

    let d = load(&dir, "19-aws-doc-ex7-expired-object-delete-marker.xml");
    let r = &d.rules[0];
    assert_eq!(r.id.as_deref(), Some("Rule 1"));
    assert_eq!(
        r.expiration,
        Some(Expiration {
            when: None,
            expired_object_delete_marker: Some(true)
        })
    );
    assert_eq!(
        r.noncurrent_version_expiration,
        Some(NoncurrentVersionExpiration {
            noncurrent_days: 30,
            newer_noncurrent_versions: Some(10)
        })
    );

    // Namespaced XML with an And of a prefix and two tags, Expiration before Filter.
    let n = load(&dir, "35-aws-doc-cli-xml-and-filter-namespace.xml");
    let tags = vec![
        Tag {
            key: "mytagkey1".into(),
            value: "mytagvalue1".into(),
        },
        Tag {
            key: "mytagkey2".into(),
            value: "mytagvalue2".into(),
        },
    ];
    assert_eq!(
        n.rules[0].filter,
        Filter {
            prefix: Some("myprefix".into()),
            tags: tags.clone(),
            object_size_greater_than: None,
            object_size_less_than: None,
            form: FilterForm::And,
        }
    );
    assert_eq!(n.rules[0].expiration.unwrap().when, Some(Schedule::Days(1)));
    // The JSON form of the same example (34) gives the same configuration.
    assert_eq!(load(&dir, "34-aws-doc-cli-json-and-filter.json"), n);
    assert_eq!(
        load(&dir, "33-aws-doc-cli-xml-simple.xml"),
        load(&dir, "32-aws-doc-cli-json-simple.json")
    );

    let it = load(&dir, "38-aws-doc-transition-to-intelligent-tiering.xml");
    assert_eq!(
        it.rules[0].transitions,
        vec![Transition {
            when: Schedule::Days(0),
            storage_class: StorageClass::IntelligentTiering
        }]
    );
    let tf = load(&dir, "66-terraform-provider-aws-pr4241.xml");
    assert_eq!(tf.rules[0].id.as_deref(), Some("id1"));
    assert_eq!(tf.rules[0].filter, Filter::prefix("path1/"));
}

#[test]
fn json_examples_parse_to_their_values() {
    let Some(dir) = corpus_dir() else { return };
    let o = load(&dir, "39-aws-doc-outposts-json.json");
    let f = &o.rules[0].filter;
    assert_eq!(f.form, FilterForm::And);
    assert_eq!(f.prefix.as_deref(), Some("myprefix"));
    assert_eq!(f.tags.len(), 2);
    assert_eq!(f.object_size_greater_than, Some(1000));
    assert_eq!(f.object_size_less_than, Some(5000));
    assert!(f.matches("myprefix/a", 1001, &f.tags));
    assert!(!f.matches("myprefix/a", 5000, &f.tags));

    let b = load(&dir, "52-ddpie-dynamodb-cross-region-s3-backup.json");
    let r = &b.rules[0];
    assert_eq!(r.id.as_deref(), Some("DailyBackupLifecycle"));
    let plan: Vec<_> = r
        .transitions
        .iter()
        .map(|t| (t.when, t.storage_class))
        .collect();
    assert_eq!(
        plan,
        [
            (Schedule::Days(30), StorageClass::StandardIa),
            (Schedule::Days(90), StorageClass::Glacier),
            (Schedule::Days(270), StorageClass::DeepArchive)
        ]
    );
    assert_eq!(r.expiration.unwrap().when, Some(Schedule::Days(730)));
    assert_eq!(r.noncurrent_version_expiration.unwrap().noncurrent_days, 1);

    let p = load(&dir, "61-pawarrchetan-python-aws-s3.json");
    assert_eq!(p.rules[0].abort_incomplete_multipart_upload_days, Some(7));
    assert_eq!(p.rules[1].id.as_deref(), Some("Test-Rule2"));
    assert_eq!(
        p.rules[1].expiration.unwrap().expired_object_delete_marker,
        Some(true)
    );
    assert_eq!(
        p.rules[1]
            .noncurrent_version_expiration
            .unwrap()
            .noncurrent_days,
        365
    );

    let g = load(&dir, "63-jonathandeamer-small-observations-get-output.json");
    assert_eq!(
        g.transition_default_minimum_object_size,
        Some(TransitionDefaultMinimumObjectSize::AllStorageClasses128K)
    );
    assert_eq!(
        g.rules[0].id.as_deref(),
        Some("expire-cloudfront-logs-after-30-days")
    );
    assert!(to_json(&g).starts_with(
        "{\n  \"TransitionDefaultMinimumObjectSize\": \"all_storage_classes_128K\",\n  \"Rules\""
    ));

    // "Filter": {} (64) is a Filter that matches everything, not an absent one.
    let e = load(
        &dir,
        "64-cloudformation-coverage-roadmap-1124-cli-inline.json",
    );
    assert_eq!(e.rules[0].filter, Filter::all());
    assert_eq!(e.rules[0].filter.form, FilterForm::Single);
    assert_eq!(
        e,
        load(
            &dir,
            "65-cloudformation-coverage-roadmap-1124-get-output.json"
        )
    );
    assert!(to_json(&e).contains("\"Filter\": {}"));
}

#[test]
fn writer_output_is_deterministic_and_in_the_put_shape() {
    let cfg = parse_json(
        "w.json",
        r#"{"Rules": [{"AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 3},
            "Expiration": {"Days": 400}, "Status": "Disabled",
            "Transitions": [{"StorageClass": "STANDARD_IA", "Days": 30}],
            "Filter": {"And": {"ObjectSizeLessThan": 10, "Prefix": "p/"}}, "ID": "w"}]}"#,
    )
    .unwrap();
    let expected = r#"{
  "Rules": [
    {
      "ID": "w",
      "Status": "Disabled",
      "Filter": {
        "And": {
          "Prefix": "p/",
          "ObjectSizeLessThan": 10
        }
      },
      "Transitions": [
        {
          "Days": 30,
          "StorageClass": "STANDARD_IA"
        }
      ],
      "Expiration": {
        "Days": 400
      },
      "AbortIncompleteMultipartUpload": {
        "DaysAfterInitiation": 3
      }
    }
  ]
}
"#;
    assert_eq!(to_json(&cfg), expected);
    let xml = to_xml(&cfg);
    assert!(xml.starts_with(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <LifecycleConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\n  <Rule>\n    <ID>w</ID>\n"
    ), "{xml}");
    assert!(xml.contains("<And>\n        <Prefix>p/</Prefix>\n        <ObjectSizeLessThan>10</ObjectSizeLessThan>"), "{xml}");
    // Text that needs escaping survives the XML round trip.
    let mut odd = cfg.clone();
    odd.rules[0].id = Some("a<b>&\"c\"\r\n'd'\t".into());
    odd.rules[0].filter = Filter::prefix(" spaced <prefix> ");
    assert_eq!(parse_xml("o.xml", &to_xml(&odd)).unwrap(), odd);
    assert_eq!(parse_json("o.json", &to_json(&odd)).unwrap(), odd);
}

fn err(text: &str) -> LifecycleError {
    match parse("bad.json", text) {
        Ok(c) => panic!("parsed {c:?}"),
        Err(e) => e,
    }
}

#[test]
fn malformed_input_errors_name_file_line_and_field() {
    let e = err(
        "{\n  \"Rules\": [\n    {\n      \"ID\": \"r\",\n      \"Status\": \"Enabled\",\n      \"Transitions\": [{\"Days\": -3, \"StorageClass\": \"GLACIER\"}]\n    }\n  ]\n}",
    );
    assert_eq!(e.file(), "bad.json");
    assert_eq!(e.line(), Some(6));
    assert_eq!(e.field(), Some("Rules[0].Transitions[0].Days"));
    assert!(
        e.to_string()
            .starts_with("bad.json:6: Rules[0].Transitions[0].Days: expected a whole number"),
        "{e}"
    );

    let e = err("{\"Rules\": [{\"ID\": \"r\", \"status\": \"Enabled\"}]}");
    assert_eq!(e.field(), Some("Rules[0].status"));
    assert!(e.to_string().contains("did you mean \"Status\"?"), "{e}");

    let e = err("{\"Rules\": [{\"ID\": \"r\"}]}");
    assert!(
        e.to_string().contains("missing required field \"Status\""),
        "{e}"
    );

    let e = err(
        "{\"Rules\": [{\"Status\": \"Enabled\", \"Transitions\": [{\"Days\": 1, \"StorageClass\": \"STANDARD-IA\"}]}]}",
    );
    assert_eq!(e.field(), Some("Rules[0].Transitions[0].StorageClass"));
    assert!(
        e.to_string()
            .contains("unknown storage class \"STANDARD-IA\""),
        "{e}"
    );

    let e = err(
        "{\"Rules\": [{\"Status\": \"Enabled\", \"Filter\": {\"Prefix\": \"a\", \"Tag\": {\"Key\": \"k\", \"Value\": \"v\"}}}]}",
    );
    assert!(
        e.to_string().contains("combine predicates inside And"),
        "{e}"
    );

    let e = err("{\"Rules\": [{\"Status\": \"Enabled\", \"Prefix\": \"a\", \"Filter\": {}}]}");
    assert!(e.to_string().contains("not both"), "{e}");

    let e = err(
        "{\"Rules\": [{\"Status\": \"Enabled\", \"Expiration\": {\"Date\": \"next tuesday\"}}]}",
    );
    assert_eq!(e.field(), Some("Rules[0].Expiration.Date"));

    let e = err("{\"Rules\": [{\"Status\": \"Enabled\", \"Expiration\": {\"Days\": 4294967296}}]}");
    assert!(e.to_string().contains("too large"), "{e}");

    let e = err(
        "<LifecycleConfiguration>\n<Rule>\n<Status>Enabled</Status>\n<Transition><Days>x</Days><StorageClass>GLACIER</StorageClass></Transition>\n</Rule>\n</LifecycleConfiguration>",
    );
    assert_eq!(e.line(), Some(4));
    assert_eq!(
        e.field(),
        Some("LifecycleConfiguration.Rule[0].Transition[0].Days")
    );

    let e = err("<Lifecycle/>");
    assert!(
        e.to_string().contains("expected <LifecycleConfiguration>"),
        "{e}"
    );

    assert!(matches!(err(""), LifecycleError::Input { .. }));
    assert!(matches!(err("Rules: []"), LifecycleError::Input { .. }));
    let e = parse_bytes("b.json", b"{\n\"Rules\": [\xff]}").unwrap_err();
    assert!(e.to_string().contains("line 2: not UTF-8"), "{e}");
}

/// A one-rule configuration with this ID and rule body (JSON members).
fn one(id: &str, body: &str) -> LifecycleConfiguration {
    let text = format!("{{\"Rules\": [{{\"ID\": \"{id}\", \"Status\": \"Enabled\", {body}}}]}}");
    parse_json("v.json", &text).unwrap_or_else(|e| panic!("{e}"))
}

/// Validation kinds, asserting every message quotes the rule ID.
fn kinds(id: &str, body: &str) -> Vec<ValidationKind> {
    let errors = validate(&one(id, body));
    for e in &errors {
        assert!(
            e.to_string().starts_with(&format!("rule \"{id}\": ")),
            "{e}"
        );
        assert_eq!(e.rule_id.as_deref(), Some(id));
    }
    errors.iter().map(|e| e.kind).collect()
}

const ALL: &str = "\"Filter\": {}";

#[test]
fn validation_catches_each_rule_and_quotes_the_rule_id() {
    use ValidationKind::*;
    let t = |list: &str| format!("{ALL}, \"Transitions\": [{list}]");
    // 30-day IA minimum (≥ 30 per the user guide); noncurrent versions too.
    assert_eq!(
        kinds(
            "ia",
            &t("{\"Days\": 29, \"StorageClass\": \"STANDARD_IA\"}")
        ),
        [IaTooSoon]
    );
    assert_eq!(
        kinds("oz", &t("{\"Days\": 0, \"StorageClass\": \"ONEZONE_IA\"}")),
        [IaTooSoon]
    );
    assert_eq!(
        kinds(
            "ok",
            &t("{\"Days\": 30, \"StorageClass\": \"STANDARD_IA\"}")
        ),
        []
    );
    assert_eq!(
        kinds("gl0", &t("{\"Days\": 0, \"StorageClass\": \"GLACIER\"}")),
        []
    );
    assert_eq!(
        kinds(
            "nc",
            &format!(
                "{ALL}, \"NoncurrentVersionTransitions\": [{{\"NoncurrentDays\": 10, \"StorageClass\": \"STANDARD_IA\"}}]"
            )
        ),
        [IaTooSoon]
    );
    // Waterfall.
    assert_eq!(
        kinds(
            "up",
            &t(
                "{\"Days\": 30, \"StorageClass\": \"GLACIER\"}, {\"Days\": 90, \"StorageClass\": \"STANDARD_IA\"}"
            )
        ),
        [UnsupportedTransition]
    );
    assert_eq!(
        kinds(
            "it-sia",
            &t(
                "{\"Days\": 0, \"StorageClass\": \"INTELLIGENT_TIERING\"}, {\"Days\": 60, \"StorageClass\": \"STANDARD_IA\"}"
            )
        ),
        [UnsupportedTransition]
    );
    assert_eq!(
        kinds(
            "oz-gir",
            &t(
                "{\"Days\": 30, \"StorageClass\": \"ONEZONE_IA\"}, {\"Days\": 90, \"StorageClass\": \"GLACIER_IR\"}"
            )
        ),
        [UnsupportedTransition]
    );
    assert_eq!(
        kinds("std", &t("{\"Days\": 5, \"StorageClass\": \"STANDARD\"}")),
        [UnsupportedTransition]
    );
    assert_eq!(
        kinds(
            "dup",
            &t(
                "{\"Days\": 40, \"StorageClass\": \"GLACIER\"}, {\"Days\": 40, \"StorageClass\": \"DEEP_ARCHIVE\"}"
            )
        ),
        [DuplicateTransition]
    );
    // Same-rule 30-day gap between IA and GLACIER / DEEP_ARCHIVE (by days and by date).
    assert_eq!(
        kinds(
            "gap",
            &t(
                "{\"Days\": 30, \"StorageClass\": \"STANDARD_IA\"}, {\"Days\": 59, \"StorageClass\": \"GLACIER\"}"
            )
        ),
        [IaToArchiveGap]
    );
    assert_eq!(
        kinds(
            "gap30",
            &t(
                "{\"Days\": 30, \"StorageClass\": \"STANDARD_IA\"}, {\"Days\": 60, \"StorageClass\": \"DEEP_ARCHIVE\"}"
            )
        ),
        []
    );
    assert_eq!(
        kinds(
            "gapdate",
            &t(
                "{\"Date\": \"2026-01-01T00:00:00Z\", \"StorageClass\": \"ONEZONE_IA\"}, {\"Date\": \"2026-01-20T00:00:00Z\", \"StorageClass\": \"DEEP_ARCHIVE\"}"
            )
        ),
        [IaToArchiveGap]
    );
    // Mixed Days and Date; dates must be midnight.
    assert_eq!(
        kinds(
            "mix",
            &format!(
                "{}, \"Expiration\": {{\"Date\": \"2030-01-01\"}}",
                t("{\"Days\": 40, \"StorageClass\": \"GLACIER\"}")
            )
        ),
        [MixedDaysAndDate]
    );
    assert_eq!(
        kinds(
            "noon",
            &t("{\"Date\": \"2026-01-01T12:00:00Z\", \"StorageClass\": \"GLACIER\"}")
        ),
        [DateNotMidnight]
    );
    // Size range order and the 5 TB maximum.
    let size = |g: u64, l: u64| {
        format!(
            "\"Filter\": {{\"And\": {{\"ObjectSizeGreaterThan\": {g}, \"ObjectSizeLessThan\": {l}}}}}, \"Expiration\": {{\"Days\": 1}}"
        )
    };
    assert_eq!(kinds("range", &size(1000, 1000)), [SizeRange]);
    assert_eq!(kinds("range-ok", &size(999, 1000)), []);
    let five_tb = 5u64 << 40;
    assert_eq!(kinds("big", &size(1, five_tb)), []);
    assert_eq!(kinds("big", &size(1, five_tb + 1)), [SizeTooLarge]);
    // NewerNoncurrentVersions 1..=100.
    let nnv = |n: u32| {
        format!(
            "{ALL}, \"NoncurrentVersionExpiration\": {{\"NoncurrentDays\": 5, \"NewerNoncurrentVersions\": {n}}}"
        )
    };
    assert_eq!(kinds("n0", &nnv(0)), [NewerNoncurrentVersions]);
    assert_eq!(kinds("n101", &nnv(101)), [NewerNoncurrentVersions]);
    assert_eq!(kinds("n1", &nnv(1)), []);
    assert_eq!(kinds("n100", &nnv(100)), []);
    // Tag filters exclude ExpiredObjectDeleteMarker and AbortIncompleteMultipartUpload.
    let tag = "\"Filter\": {\"Tag\": {\"Key\": \"k\", \"Value\": \"v\"}}";
    assert_eq!(
        kinds(
            "eodm",
            &format!("{tag}, \"Expiration\": {{\"ExpiredObjectDeleteMarker\": true}}")
        ),
        [DeleteMarkerWithTags]
    );
    assert_eq!(
        kinds(
            "mpu",
            &format!("{tag}, \"AbortIncompleteMultipartUpload\": {{\"DaysAfterInitiation\": 7}}")
        ),
        [AbortMpuWithTags]
    );
    assert_eq!(
        kinds(
            "mpu-prefix",
            "\"Filter\": {\"Prefix\": \"k\"}, \"AbortIncompleteMultipartUpload\": {\"DaysAfterInitiation\": 7}"
        ),
        []
    );
    // Expiration shape, zero days, no action, bad tags.
    assert_eq!(
        kinds(
            "both",
            &format!("{ALL}, \"Expiration\": {{\"Days\": 3, \"ExpiredObjectDeleteMarker\": true}}")
        ),
        [ExpirationShape]
    );
    assert_eq!(
        kinds("empty", &format!("{ALL}, \"Expiration\": {{}}")),
        [ExpirationShape]
    );
    assert_eq!(
        kinds("zero", &format!("{ALL}, \"Expiration\": {{\"Days\": 0}}")),
        [ZeroDays]
    );
    assert_eq!(kinds("idle", ALL), [NoAction]);
    assert_eq!(
        kinds(
            "tags",
            "\"Filter\": {\"And\": {\"Tags\": [{\"Key\": \"a\", \"Value\": \"1\"}, {\"Key\": \"a\", \"Value\": \"2\"}]}}, \"Expiration\": {\"Days\": 1}"
        ),
        [BadTag]
    );
}

#[test]
fn validation_of_the_whole_configuration() {
    use ValidationKind::*;
    let rule = |i: usize| {
        let mut r = Rule::new(Some(&format!("r{i}")));
        r.expiration = Some(Expiration {
            when: Some(Schedule::Days(1)),
            expired_object_delete_marker: None,
        });
        r
    };
    let mut cfg = LifecycleConfiguration {
        rules: (0..1000).map(rule).collect(),
        transition_default_minimum_object_size: None,
    };
    assert!(validate(&cfg).is_empty());
    cfg.rules.push(rule(1000));
    let errors = validate(&cfg);
    assert_eq!(
        errors.iter().map(|e| e.kind).collect::<Vec<_>>(),
        [TooManyRules]
    );
    assert!(
        errors[0].to_string().contains("1001 rules"),
        "{}",
        errors[0]
    );
    assert!(
        errors[0].to_string().contains("at most 1000"),
        "{}",
        errors[0]
    );

    let empty = LifecycleConfiguration::default();
    assert_eq!(validate(&empty)[0].kind, NoRules);

    let twins = LifecycleConfiguration {
        rules: vec![rule(7), rule(7)],
        transition_default_minimum_object_size: None,
    };
    let errors = validate(&twins);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].kind, DuplicateId);
    assert_eq!(errors[0].rule_index, Some(1));
    assert!(errors[0].to_string().starts_with("rule \"r7\": "));

    let mut anon = rule(0);
    anon.id = None;
    anon.expiration = Some(Expiration {
        when: Some(Schedule::Days(400)),
        expired_object_delete_marker: None,
    });
    anon.transitions.push(Transition {
        when: Schedule::Days(1),
        storage_class: StorageClass::StandardIa,
    });
    let cfg = LifecycleConfiguration {
        rules: vec![rule(0), anon],
        transition_default_minimum_object_size: None,
    };
    let errors = validate(&cfg);
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].to_string().starts_with("rule #2 (no ID): "),
        "{}",
        errors[0]
    );

    let mut long = rule(0);
    long.id = Some("x".repeat(256));
    assert_eq!(
        validate(&LifecycleConfiguration {
            rules: vec![long],
            ..Default::default()
        })[0]
            .kind,
        IdTooLong
    );
}

#[test]
fn the_waterfall_matches_the_reference() {
    use StorageClass::*;
    let ok = [
        (Standard, IntelligentTiering),
        (Standard, StandardIa),
        (Standard, OnezoneIa),
        (Standard, GlacierIr),
        (Standard, Glacier),
        (Standard, DeepArchive),
        (StandardIa, IntelligentTiering),
        (StandardIa, OnezoneIa),
        (StandardIa, GlacierIr),
        (StandardIa, Glacier),
        (StandardIa, DeepArchive),
        (IntelligentTiering, OnezoneIa),
        (IntelligentTiering, GlacierIr),
        (IntelligentTiering, Glacier),
        (IntelligentTiering, DeepArchive),
        (OnezoneIa, Glacier),
        (OnezoneIa, DeepArchive),
        (GlacierIr, Glacier),
        (GlacierIr, DeepArchive),
        (Glacier, DeepArchive),
        (ReducedRedundancy, DeepArchive),
        (ExpressOnezone, DeepArchive),
    ];
    for from in StorageClass::ALL {
        for to in StorageClass::ALL {
            assert_eq!(
                supported_transition(*from, *to),
                ok.contains(&(*from, *to)),
                "{from} -> {to}"
            );
        }
    }
}

#[test]
fn intelligent_tiering_configurations() {
    let Some(dir) = corpus_dir() else { return };
    let it = dir.join("intelligent-tiering");
    let put = parse_intelligent_tiering(
        "put.json",
        &read(
            &it,
            "aws-cli-put-bucket-intelligent-tiering-configuration.json",
        ),
    )
    .unwrap();
    let expected = IntelligentTieringConfiguration {
        id: "ExampleConfig".into(),
        filter: Filter::prefix("images"),
        status: Status::Enabled,
        tierings: vec![
            Tiering {
                days: 90,
                access_tier: AccessTier::ArchiveAccess,
            },
            Tiering {
                days: 180,
                access_tier: AccessTier::DeepArchiveAccess,
            },
        ],
    };
    assert_eq!(put, std::slice::from_ref(&expected));
    let get = parse_intelligent_tiering_json(
        "get.json",
        &read(
            &it,
            "aws-cli-get-bucket-intelligent-tiering-configuration-output.json",
        ),
    )
    .unwrap();
    assert_eq!(get.len(), 1);
    assert_eq!(get[0].id, "ExampleConfig2");
    assert_eq!(get[0].tierings, expected.tierings);

    let list = parse_intelligent_tiering_json(
        "list.json",
        &read(
            &it,
            "aws-cli-list-bucket-intelligent-tiering-configurations-output.json",
        ),
    )
    .unwrap();
    assert_eq!(list.len(), 3);
    assert_eq!(list[0], expected);
    assert_eq!(list[1].status, Status::Disabled);
    assert_eq!(list[1].filter.form, FilterForm::Absent);
    assert_eq!(
        list[1].tierings,
        [Tiering {
            days: 730,
            access_tier: AccessTier::ArchiveAccess
        }]
    );
    assert_eq!(
        list[2].filter.tags,
        [Tag {
            key: "documents".into(),
            value: "taxes".into()
        }]
    );
    assert_eq!(list[2].tierings[1].days, 365);
    for c in put.iter().chain(&get).chain(&list) {
        assert!(validate_intelligent_tiering(c).is_empty(), "{c:?}");
        assert_eq!(
            parse_intelligent_tiering_json("rt", &intelligent_tiering_to_json(c)).unwrap(),
            std::slice::from_ref(c)
        );
        assert_eq!(
            &parse_intelligent_tiering_xml("rt", &intelligent_tiering_to_xml(c)).unwrap(),
            c
        );
    }

    let e = parse_intelligent_tiering(
        "skeleton.json",
        &read(&it, "aws-doc-intelligent-tiering-skeleton.json"),
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("skeleton.json:16:9: not valid JSON"),
        "{e}"
    );
    let http = read(&it, "aws-doc-put-intelligent-tiering-http-request.txt");
    let e = parse_intelligent_tiering("req.txt", &http).unwrap_err();
    assert!(e.to_string().contains("neither JSON"), "{e}");
    assert!(e.to_string().contains("PUT /?intelligent-tiering"), "{e}");
    // Its XML body is the request-syntax skeleton: "..." placeholders and "string" values.
    let body = &http[http.find("<?xml").unwrap()..];
    let e = parse_intelligent_tiering_xml("body.xml", body).unwrap_err();
    assert!(e.to_string().contains("documentation placeholder"), "{e}");

    // Archive Access 90..=730, Deep Archive Access 180..=730 (§2.4).
    let with = |days: u32, access_tier| IntelligentTieringConfiguration {
        tierings: vec![Tiering { days, access_tier }],
        ..expected.clone()
    };
    let bad = |c: &IntelligentTieringConfiguration| {
        let errors = validate_intelligent_tiering(c);
        errors
            .iter()
            .for_each(|e| assert!(e.to_string().starts_with("rule \"ExampleConfig\": "), "{e}"));
        errors.iter().map(|e| e.kind).collect::<Vec<_>>()
    };
    use ValidationKind::{TieringDays, TieringShape};
    assert_eq!(bad(&with(89, AccessTier::ArchiveAccess)), [TieringDays]);
    assert_eq!(bad(&with(90, AccessTier::ArchiveAccess)), []);
    assert_eq!(bad(&with(730, AccessTier::ArchiveAccess)), []);
    assert_eq!(bad(&with(731, AccessTier::ArchiveAccess)), [TieringDays]);
    assert_eq!(
        bad(&with(179, AccessTier::DeepArchiveAccess)),
        [TieringDays]
    );
    assert_eq!(bad(&with(180, AccessTier::DeepArchiveAccess)), []);
    assert_eq!(
        bad(&with(731, AccessTier::DeepArchiveAccess)),
        [TieringDays]
    );
    let mut twice = with(100, AccessTier::ArchiveAccess);
    twice.tierings.push(Tiering {
        days: 200,
        access_tier: AccessTier::ArchiveAccess,
    });
    assert_eq!(bad(&twice), [TieringShape]);
    assert_eq!(
        bad(&IntelligentTieringConfiguration {
            tierings: vec![],
            ..expected.clone()
        }),
        [TieringShape]
    );
    let e = parse_intelligent_tiering_json("x.json", "{\"Id\": \"a\", \"Status\": \"Enabled\", \"Tierings\": [{\"Days\": 90, \"AccessTier\": \"GLACIER\"}]}").unwrap_err();
    assert_eq!(e.field(), Some("Tierings[0].AccessTier"));
    let e = parse_intelligent_tiering_json("x.json", "{\"Id\": \"a\", \"Status\": \"Enabled\", \"Filter\": {\"ObjectSizeGreaterThan\": 5}, \"Tierings\": []}").unwrap_err();
    assert_eq!(e.field(), Some("Filter.ObjectSizeGreaterThan"));
}

// ---------------------------------------------------------------- property tests

proptest! {
    #![proptest_config(Config::with_cases(400))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = parse_bytes("fuzz", &bytes);
        let text = String::from_utf8_lossy(&bytes);
        let _ = parse_json("fuzz", &text);
        let _ = parse_xml("fuzz", &text);
        let _ = parse_intelligent_tiering("fuzz", &text);
        let _ = parse_intelligent_tiering_xml("fuzz", &text);
    }

    #[test]
    fn json_and_xml_shaped_text_never_panics(
        body in "[{}\\[\\]<>/\":,a-zA-Z0-9 &;#.\n-]{0,200}",
        json in any::<bool>(),
    ) {
        let text = if json { format!("{{\"Rules\": [{body}") } else { format!("<LifecycleConfiguration><Rule>{body}") };
        if let Ok(cfg) = parse("fuzz", &text) {
            let _ = validate(&cfg);
            let _ = to_json(&cfg);
            let _ = to_xml(&cfg);
        }
    }
}

/// Corpus files with random edits (deletions and insertions) reach deeper than random bytes.
#[test]
fn mutated_corpus_files_never_panic() {
    let Some(dir) = corpus_dir() else { return };
    let mut texts: Vec<String> = CORPUS.iter().map(|(n, _)| read(&dir, n)).collect();
    for entry in std::fs::read_dir(dir.join("intelligent-tiering")).unwrap() {
        texts.push(std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    let strategy = (
        0..texts.len(),
        any::<prop::sample::Index>(),
        0usize..8,
        "[<>{}\\[\\]\":,/&;0-9a-zA-Z -]{0,6}",
    );
    let mut runner = TestRunner::new(Config::with_cases(1500));
    runner
        .run(&strategy, |(i, at, del, ins)| {
            let mut b = texts[i].clone().into_bytes();
            let pos = at.index(b.len() + 1);
            let end = (pos + del).min(b.len());
            b.splice(pos..end, ins.bytes());
            if let Ok(cfg) = parse_bytes("mutant", &b) {
                let _ = validate(&cfg);
                let again = parse("again", &to_json(&cfg));
                prop_assert_eq!(again.ok(), Some(cfg));
            }
            let _ = parse_intelligent_tiering("mutant", &String::from_utf8_lossy(&b));
            Ok(())
        })
        .unwrap();
}

fn arb_text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 _./*&<>\"'-]{0,12}"
}

fn arb_tags() -> impl Strategy<Value = Vec<Tag>> {
    prop::collection::btree_map("[a-z]{1,8}", arb_text(), 0..3).prop_map(|m| {
        m.into_iter()
            .map(|(key, value)| Tag { key, value })
            .collect()
    })
}

fn arb_filter() -> impl Strategy<Value = Filter> {
    prop_oneof![
        Just(Filter {
            form: FilterForm::Absent,
            ..Filter::default()
        }),
        Just(Filter::all()),
        arb_text().prop_map(Filter::legacy_prefix),
        arb_text().prop_map(Filter::prefix),
        (arb_text(), arb_text()).prop_map(|(key, value)| Filter {
            tags: vec![Tag {
                key: format!("k{key}"),
                value
            }],
            ..Filter::default()
        }),
        (0u64..1 << 40).prop_map(|g| Filter {
            object_size_greater_than: Some(g),
            ..Filter::default()
        }),
        (
            prop::option::of(arb_text()),
            arb_tags(),
            prop::option::of((0u64..1 << 30, 1u64..1 << 30))
        )
            .prop_map(|(prefix, tags, size)| {
                let mut f = Filter {
                    prefix,
                    tags,
                    object_size_greater_than: size.map(|(g, _)| g),
                    object_size_less_than: size.map(|(g, d)| g + d),
                    form: FilterForm::And,
                };
                // S3's And holds two or more predicates.
                while f.predicate_count() < 2 {
                    let n = f.tags.len();
                    f.tags.push(Tag {
                        key: format!("and{n}"),
                        value: String::new(),
                    });
                }
                f
            }),
    ]
}

/// Transition classes in waterfall order, any subsequence of which S3 accepts.
fn arb_chain() -> impl Strategy<Value = Vec<StorageClass>> {
    use StorageClass::*;
    prop_oneof![
        prop::sample::subsequence(
            vec![
                StandardIa,
                IntelligentTiering,
                GlacierIr,
                Glacier,
                DeepArchive
            ],
            0..=3
        ),
        prop::sample::subsequence(vec![OnezoneIa, Glacier, DeepArchive], 0..=3),
    ]
}

/// Days (or day numbers) for a chain: the first ≥ 30, then gaps of ≥ 30.
fn arb_steps() -> impl Strategy<Value = Vec<u32>> {
    prop::collection::vec(30u32..200, 3).prop_map(|gaps| {
        let mut at = 0;
        gaps.into_iter()
            .map(|g| {
                at += g;
                at
            })
            .collect()
    })
}

prop_compose! {
    fn arb_rule()(
        id in prop::option::of(arb_text()),
        enabled in any::<bool>(),
        filter in arb_filter(),
        chain in arb_chain(),
        steps in arb_steps(),
        by_date in any::<bool>(),
        base_day in 18_000i64..30_000,
        expiration in 0u8..4,
        exp_days in 1u32..5000,
        nc_chain in arb_chain(),
        nc_steps in arb_steps(),
        nc_nnv in prop::option::of(1u32..=100),
        nve in prop::option::of((1u32..5000, prop::option::of(1u32..=100))),
        abort in prop::option::of(1u32..100),
    ) -> Rule {
        let day = |d: u32| Timestamp((base_day + i64::from(d)) * 86_400);
        let transitions = chain
            .iter()
            .zip(&steps)
            .map(|(c, d)| Transition {
                when: if by_date { Schedule::Date(day(*d)) } else { Schedule::Days(*d) },
                storage_class: *c,
            })
            .collect();
        let tagged = filter.has_tags();
        // An expiration comes after every transition of its rule.
        let last = chain.len().checked_sub(1).map_or(0, |i| steps[i]);
        let exp_days = last + exp_days;
        let expiration = match expiration {
            0 => None,
            1 if by_date => Some(Expiration { when: Some(Schedule::Date(day(exp_days))), expired_object_delete_marker: None }),
            1 => Some(Expiration { when: Some(Schedule::Days(exp_days)), expired_object_delete_marker: None }),
            2 if !tagged => Some(Expiration { when: None, expired_object_delete_marker: Some(exp_days % 2 == 0) }),
            _ => Some(Expiration { when: Some(Schedule::Days(exp_days)), expired_object_delete_marker: None })
                .filter(|_| !by_date),
        };
        let mut rule = Rule {
            id,
            status: if enabled { Status::Enabled } else { Status::Disabled },
            filter,
            transitions,
            expiration,
            noncurrent_version_transitions: nc_chain
                .iter()
                .zip(&nc_steps)
                .map(|(c, d)| NoncurrentVersionTransition {
                    noncurrent_days: *d,
                    storage_class: *c,
                    newer_noncurrent_versions: nc_nnv,
                })
                .collect(),
            noncurrent_version_expiration: nve.map(|(d, n)| NoncurrentVersionExpiration {
                noncurrent_days: nc_chain.len().checked_sub(1).map_or(0, |i| nc_steps[i]) + d,
                newer_noncurrent_versions: n,
            }),
            abort_incomplete_multipart_upload_days: abort.filter(|_| !tagged),
        };
        if !rule.has_action() {
            rule.noncurrent_version_expiration = Some(NoncurrentVersionExpiration {
                noncurrent_days: exp_days,
                newer_noncurrent_versions: None,
            });
        }
        rule
    }
}

prop_compose! {
    fn arb_config()(
        rules in prop::collection::vec(arb_rule(), 1..5),
        tdmos in prop::option::of(prop_oneof![
            Just(TransitionDefaultMinimumObjectSize::AllStorageClasses128K),
            Just(TransitionDefaultMinimumObjectSize::VariesByStorageClass),
        ]),
    ) -> LifecycleConfiguration {
        let rules = rules
            .into_iter()
            .enumerate()
            .map(|(i, mut r)| {
                r.id = r.id.map(|id| format!("{id}#{i}"));
                r
            })
            .collect();
        LifecycleConfiguration { rules, transition_default_minimum_object_size: tdmos }
    }
}

proptest! {
    #![proptest_config(Config::with_cases(300))]

    #[test]
    fn generated_valid_configurations_validate_and_round_trip(cfg in arb_config()) {
        let errors = validate(&cfg);
        prop_assert!(errors.is_empty(), "{:?}", errors);
        let json = to_json(&cfg);
        prop_assert_eq!(parse("g.json", &json).map_err(|e| e.to_string()), Ok(cfg.clone()));
        let mut no_header = cfg.clone();
        no_header.transition_default_minimum_object_size = None;
        prop_assert_eq!(parse("g.xml", &to_xml(&cfg)).map_err(|e| e.to_string()), Ok(no_header));
    }

    #[test]
    fn generated_intelligent_tiering_configurations_round_trip(
        id in "[a-zA-Z0-9-]{1,20}",
        filter in prop_oneof![
            Just(Filter { form: FilterForm::Absent, ..Filter::default() }),
            arb_text().prop_map(Filter::prefix),
            (prop::option::of(arb_text()), arb_tags()).prop_map(|(prefix, tags)| Filter {
                prefix, tags, form: FilterForm::And, ..Filter::default()
            }),
        ],
        archive in prop::option::of(90u32..=730),
        deep in prop::option::of(180u32..=730),
        enabled in any::<bool>(),
    ) {
        let mut tierings: Vec<Tiering> = archive
            .map(|days| Tiering { days, access_tier: AccessTier::ArchiveAccess })
            .into_iter()
            .chain(deep.map(|days| Tiering { days, access_tier: AccessTier::DeepArchiveAccess }))
            .collect();
        if tierings.is_empty() {
            tierings.push(Tiering { days: 90, access_tier: AccessTier::ArchiveAccess });
        }
        let cfg = IntelligentTieringConfiguration {
            id,
            filter,
            status: if enabled { Status::Enabled } else { Status::Disabled },
            tierings,
        };
        prop_assert!(validate_intelligent_tiering(&cfg).is_empty());
        prop_assert_eq!(
            parse_intelligent_tiering("g.json", &intelligent_tiering_to_json(&cfg)).map_err(|e| e.to_string()),
            Ok(vec![cfg.clone()])
        );
        prop_assert_eq!(
            parse_intelligent_tiering("g.xml", &intelligent_tiering_to_xml(&cfg)).map_err(|e| e.to_string()),
            Ok(vec![cfg.clone()])
        );
    }
}

/// S3's And takes "two or more predicates" (API_LifecycleRuleAndOperator); a single one (or
/// none) is rejected, in JSON and XML, naming the rule.
#[test]
fn an_and_with_fewer_than_two_predicates_is_rejected_naming_the_rule() {
    use ValidationKind::*;
    let exp = "\"Expiration\": {\"Days\": 30}";
    for and in [
        "{\"Prefix\": \"logs/\"}",
        "{\"Tags\": [{\"Key\": \"k\", \"Value\": \"v\"}]}",
        "{\"ObjectSizeGreaterThan\": 1000}",
        "{}",
    ] {
        assert_eq!(
            kinds("lone", &format!("\"Filter\": {{\"And\": {and}}}, {exp}")),
            [AndTooFew],
            "{and}"
        );
    }
    for and in [
        "{\"Prefix\": \"logs/\", \"Tags\": [{\"Key\": \"k\", \"Value\": \"v\"}]}",
        "{\"Tags\": [{\"Key\": \"a\", \"Value\": \"1\"}, {\"Key\": \"b\", \"Value\": \"2\"}]}",
        "{\"ObjectSizeGreaterThan\": 1000, \"ObjectSizeLessThan\": 5000}",
    ] {
        assert_eq!(
            kinds("pair", &format!("\"Filter\": {{\"And\": {and}}}, {exp}")),
            [],
            "{and}"
        );
    }
    let xml = parse_xml(
        "one.xml",
        "<LifecycleConfiguration><Rule><ID>archive-logs</ID><Status>Enabled</Status>\
         <Filter><And><Prefix>logs/</Prefix></And></Filter>\
         <Expiration><Days>30</Days></Expiration></Rule></LifecycleConfiguration>",
    )
    .unwrap();
    let errors = validate(&xml);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].kind, AndTooFew);
    assert!(
        errors[0]
            .to_string()
            .starts_with("rule \"archive-logs\": the Filter's And holds 1 predicate;"),
        "{}",
        errors[0]
    );
    // The same predicate directly in the Filter is fine.
    let single = parse_xml(
        "single.xml",
        "<LifecycleConfiguration><Rule><ID>archive-logs</ID><Status>Enabled</Status>\
         <Filter><Prefix>logs/</Prefix></Filter>\
         <Expiration><Days>30</Days></Expiration></Rule></LifecycleConfiguration>",
    )
    .unwrap();
    assert!(validate(&single).is_empty());
}

/// "The expiration time must also be later than the transition time" (current and noncurrent).
#[test]
fn an_expiration_not_after_a_transition_is_rejected() {
    use ValidationKind::*;
    let t = "\"Transitions\": [{\"Days\": 60, \"StorageClass\": \"GLACIER\"}]";
    assert_eq!(
        kinds(
            "early",
            &format!("{ALL}, {t}, \"Expiration\": {{\"Days\": 60}}")
        ),
        [ExpirationBeforeTransition]
    );
    assert_eq!(
        kinds(
            "late",
            &format!("{ALL}, {t}, \"Expiration\": {{\"Days\": 61}}")
        ),
        []
    );
    let dates = "\"Transitions\": [{\"Date\": \"2026-06-01T00:00:00Z\", \"StorageClass\": \"GLACIER\"}], \
                 \"Expiration\": {\"Date\": \"2026-05-01T00:00:00Z\"}";
    assert_eq!(
        kinds("dates", &format!("{ALL}, {dates}")),
        [ExpirationBeforeTransition]
    );
    let nc = "\"NoncurrentVersionTransitions\": [{\"NoncurrentDays\": 30, \"StorageClass\": \"STANDARD_IA\"}], \
              \"NoncurrentVersionExpiration\": {\"NoncurrentDays\": 20}";
    assert_eq!(
        kinds("nc", &format!("{ALL}, {nc}")),
        [ExpirationBeforeTransition]
    );
    // A delete-marker expiration has no time: nothing to order.
    let eodm = "\"Expiration\": {\"ExpiredObjectDeleteMarker\": true}";
    assert_eq!(kinds("eodm", &format!("{ALL}, {t}, {eodm}")), []);
}

/// The PutBucketLifecycleConfiguration request (`--cli-input-json`) wraps the document in
/// `LifecycleConfiguration`; errors then name the path inside it.
#[test]
fn the_request_wrapper_is_read_and_named_in_errors() {
    let wrapped = "{\"Bucket\": \"b\", \"LifecycleConfiguration\": {\"Rules\": [\n\
                   {\"ID\": \"w\", \"Status\": \"Enabled\", \"Filter\": {},\n\
                   \"Expiration\": {\"Days\": 7}}]}}";
    let cfg = parse("w.json", wrapped).unwrap();
    assert_eq!(cfg.rules.len(), 1);
    assert_eq!(cfg.rules[0].id.as_deref(), Some("w"));
    let bad = wrapped.replace("\"Enabled\"", "\"On\"");
    let e = parse("w.json", &bad).unwrap_err();
    assert_eq!(
        e.field(),
        Some("LifecycleConfiguration.Rules[0].Status"),
        "{e}"
    );
    assert_eq!(e.line(), Some(2), "{e}");
    let e = parse("w.json", &wrapped.replace("\"Bucket\"", "\"Bukket\"")).unwrap_err();
    assert_eq!(e.field(), Some("Bukket"), "{e}");
}

/// A lifecycle file is read whole, so one past the configuration-size limit is refused
/// unread (a sparse 65 MiB file costs no disk).
#[test]
fn an_oversized_lifecycle_file_is_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("huge.json");
    let f = std::fs::File::create(&p).unwrap();
    f.set_len(65 << 20).unwrap();
    let e = costlab::trace::lifecycle::read_file(&p).unwrap_err();
    let msg = e.to_string();
    assert!(msg.starts_with(&p.display().to_string()), "{msg}");
    assert!(msg.contains(": larger than 64 MiB"), "{msg}");
}
