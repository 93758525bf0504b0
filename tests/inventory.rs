//! S3 Inventory reader against the shared corpus (`../shared/corpus/inventory`): real OrcaBus
//! filemanager deliveries (CSV.gz, Parquet, ORC), AWS documentation manifests, CSV rows from
//! unit tests, plus written-on-the-fly files in temporary directories for MD5, strict/lenient
//! and decoding behaviour. Corpus files are read in place, never copied into the repository.

use std::io::Write;
use std::path::{Path, PathBuf};

use costlab::aws::{ItTier, StorageClass};
use costlab::trace::inventory::{
    Column, CsvRecords, FileFormat, InventoryError, InventoryRecord, Manifest, Mode,
    ParquetRecords, Problem, md5_file, read_inventory,
};
use costlab::units::Timestamp;
use proptest::prelude::*;

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/inventory");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "notice: inventory corpus not found at {}; skipping",
            dir.display()
        );
        None
    }
}

fn orcabus(c: &Path, name: &str) -> PathBuf {
    c.join("orcabus-filemanager-testdata").join(name)
}

fn ts(s: &str) -> Option<Timestamp> {
    Some(Timestamp::parse_rfc3339(s).unwrap())
}

fn names(s: &str) -> Vec<String> {
    s.split(',').map(|n| n.trim().to_string()).collect()
}

fn collect(
    it: impl Iterator<Item = Result<InventoryRecord, InventoryError>>,
) -> Vec<InventoryRecord> {
    it.map(|r| r.unwrap()).collect()
}

/// Schema of the OrcaBus filemanager unit-test rows (SOURCES.md, csv-rows/).
const ORCABUS_TEST_SCHEMA: &str = "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, \
    LastModifiedDate, ETag, StorageClass, IsMultipartUploaded, ReplicationStatus, \
    EncryptionStatus, ObjectLockRetainUntilDate, ObjectLockMode, ObjectLockLegalHoldStatus, \
    IntelligentTieringAccessTier, BucketKeyStatus, ChecksumAlgorithm, ObjectAccessControlList, \
    ObjectOwner";

const EMPTY_MD5: &str = "d41d8cd98f00b204e9800998ecf8427e";
const FIVE_BYTES_MD5: &str = "d8e8fca2dc0f896fd7cb4cb0031ba249";

/// The five rows of the versioned OrcaBus delivery, checked field by field.
fn assert_versioned_delivery(recs: &[InventoryRecord]) {
    assert_eq!(recs.len(), 5);
    let keys: Vec<&str> = recs.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "inventory-test/",
            "inventory-test/key1",
            "inventory-test/key1",
            "inventory-test/key2",
            "inventory-test/key2"
        ]
    );
    assert!(
        recs.iter()
            .all(|r| r.bucket == "filemanager-inventory-test")
    );
    let versions: Vec<Option<&str>> = recs.iter().map(|r| r.version_id.as_deref()).collect();
    assert_eq!(
        versions,
        [
            None,
            None,
            Some("tpinzcbxOfWpZsmjvVgdHEvSohsY4TA0"),
            Some("gdN1exfZmD7m713patv8dlQ7fTNwle3v"),
            Some("zl_C7NLxrkBsMFD5HQUdybrmuV9VpvkN")
        ]
    );
    let latest: Vec<bool> = recs.iter().map(|r| r.is_latest).collect();
    assert_eq!(latest, [true, false, true, true, false]);
    let markers: Vec<bool> = recs.iter().map(|r| r.is_delete_marker).collect();
    assert_eq!(markers, [false, false, false, true, false]);
    let sizes: Vec<Option<u64>> = recs.iter().map(|r| r.size).collect();
    assert_eq!(sizes, [Some(0), Some(0), Some(5), None, Some(5)]);
    let modified: Vec<String> = recs
        .iter()
        .map(|r| r.last_modified.unwrap().to_string())
        .collect();
    assert_eq!(
        modified,
        [
            "2024-05-06T22:37:48Z",
            "2024-05-06T22:38:00Z",
            "2024-05-06T22:44:22Z",
            "2024-05-06T22:46:14Z",
            "2024-05-06T22:45:34Z"
        ]
    );
    let etags: Vec<Option<&str>> = recs.iter().map(|r| r.e_tag.as_deref()).collect();
    assert_eq!(
        etags,
        [
            Some(EMPTY_MD5),
            Some(EMPTY_MD5),
            Some(FIVE_BYTES_MD5),
            None,
            Some(FIVE_BYTES_MD5)
        ]
    );
    let classes: Vec<Option<StorageClass>> = recs.iter().map(|r| r.storage_class).collect();
    let std = Some(StorageClass::Standard);
    assert_eq!(classes, [std, std, std, None, std]);
    // the delete marker: empty Size/ETag/StorageClass/encryption, BucketKeyStatus still set
    let dm = &recs[3];
    assert_eq!(dm.encryption_status, None);
    assert_eq!(dm.is_multipart_uploaded, None);
    assert_eq!(dm.bucket_key_status.as_deref(), Some("DISABLED"));
    for r in [&recs[0], &recs[1], &recs[2], &recs[4]] {
        assert_eq!(r.encryption_status.as_deref(), Some("SSE-S3"));
        assert_eq!(r.is_multipart_uploaded, Some(false));
        assert_eq!(r.bucket_key_status.as_deref(), Some("DISABLED"));
        assert_eq!(r.replication_status, None);
        assert_eq!(r.intelligent_tiering_access_tier, None);
        assert_eq!(r.checksum_algorithm, None);
        assert_eq!(r.object_lock_mode, None);
        assert_eq!(r.object_lock_retain_until_date, None);
    }
}

#[test]
fn orcabus_csv_gz_versioned_delivery() {
    let Some(c) = corpus() else { return };
    let mut reader =
        read_inventory(&orcabus(&c, "csv_inventory_manifest.json"), Mode::Strict).unwrap();
    let m = reader.manifest();
    assert_eq!(m.source_bucket, "filemanager-inventory-test");
    assert_eq!(
        m.destination_bucket,
        "arn:aws:s3:::filemanager-inventory-test"
    );
    assert_eq!(m.version, "2016-11-30");
    assert_eq!(m.file_format, FileFormat::Csv);
    assert_eq!(
        m.creation_timestamp.unwrap().to_string(),
        "2024-05-07T01:00:00Z"
    );
    assert_eq!(m.file_schema.len(), 18);
    assert_eq!(m.file_schema[2], "VersionId");
    assert_eq!(m.files.len(), 1);
    assert_eq!(m.files[0].key, "csv_inventory.csv.gz");
    assert_eq!(m.files[0].size, 331);
    assert_eq!(m.files[0].md5_checksum, "c473bcc2407d0a5cec5229b21d967e59");
    assert_eq!(
        reader.data_files()[0].file_name().unwrap(),
        "csv_inventory.csv.gz"
    );
    let recs = collect(reader.by_ref());
    assert_versioned_delivery(&recs);
    let s = reader.summary();
    assert_eq!((s.files, s.read, s.parsed, s.skipped), (1, 5, 5, 0));
    assert!(s.reasons.is_empty() && s.examples.is_empty());
}

#[test]
fn orcabus_csv_gz_current_version_delivery() {
    let Some(c) = corpus() else { return };
    let mut reader = read_inventory(
        &orcabus(&c, "csv_inventory_no_version_manifest.json"),
        Mode::Strict,
    )
    .unwrap();
    assert_eq!(reader.manifest().file_schema.len(), 15);
    let recs = collect(reader.by_ref());
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0].key, "inventory-test/");
    assert_eq!(recs[0].size, Some(0));
    assert_eq!(recs[0].e_tag.as_deref(), Some(EMPTY_MD5));
    assert_eq!(recs[1].key, "inventory-test/key1");
    assert_eq!(recs[1].size, Some(5));
    assert_eq!(recs[1].last_modified, ts("2024-05-06T22:44:22.000Z"));
    assert_eq!(recs[1].e_tag.as_deref(), Some(FIVE_BYTES_MD5));
    for r in &recs {
        // no VersionId / IsLatest / IsDeleteMarker columns: latest, not a marker
        assert_eq!(r.version_id, None);
        assert!(r.is_latest && !r.is_delete_marker);
        assert_eq!(r.storage_class, Some(StorageClass::Standard));
    }
    assert_eq!(reader.summary().parsed, 2);
}

#[test]
fn plain_csv_decompressions_read_like_the_gz_files() {
    let Some(c) = corpus() else { return };
    let m = Manifest::from_path(&orcabus(&c, "csv_inventory_manifest.json")).unwrap();
    let plain = collect(
        CsvRecords::open(
            &orcabus(&c, "csv_inventory.csv"),
            &m.file_schema,
            Mode::Strict,
        )
        .unwrap(),
    );
    assert_versioned_delivery(&plain);
    let gz = collect(
        CsvRecords::open(
            &orcabus(&c, "csv_inventory.csv.gz"),
            &m.file_schema,
            Mode::Strict,
        )
        .unwrap(),
    );
    assert_eq!(plain, gz);

    let m = Manifest::from_path(&orcabus(&c, "csv_inventory_no_version_manifest.json")).unwrap();
    let plain = collect(
        CsvRecords::open(
            &orcabus(&c, "csv_inventory_no_version.csv"),
            &m.file_schema,
            Mode::Strict,
        )
        .unwrap(),
    );
    let gz = collect(
        CsvRecords::open(
            &orcabus(&c, "csv_inventory_no_version.csv.gz"),
            &m.file_schema,
            Mode::Strict,
        )
        .unwrap(),
    );
    assert_eq!(plain.len(), 2);
    assert_eq!(plain, gz);
}

#[test]
fn orcabus_parquet_delivery_matches_the_csv_one() {
    let Some(c) = corpus() else { return };
    let mut reader = read_inventory(
        &orcabus(&c, "parquet_inventory_manifest.json"),
        Mode::Strict,
    )
    .unwrap();
    let m = reader.manifest();
    assert_eq!(m.file_format, FileFormat::Parquet);
    assert_eq!(m.files[0].size, 4277);
    assert_eq!(m.file_schema.len(), 18);
    assert_eq!(m.file_schema[6], "last_modified_date");
    assert_eq!(m.file_schema[17], "checksum_algorithm");
    let parquet = collect(reader.by_ref());
    assert_versioned_delivery(&parquet);
    assert_eq!(reader.summary().read, 5);

    let csv =
        collect(read_inventory(&orcabus(&c, "csv_inventory_manifest.json"), Mode::Strict).unwrap());
    assert_eq!(parquet, csv);

    let direct = collect(
        ParquetRecords::open(&orcabus(&c, "parquet_inventory.parquet"), Mode::Strict).unwrap(),
    );
    assert_eq!(direct, parquet);
}

#[test]
fn orcabus_orc_delivery_is_rejected_with_advice() {
    let Some(c) = corpus() else { return };
    let path = orcabus(&c, "orc_inventory_manifest.json");
    let m = Manifest::from_path(&path).unwrap();
    assert_eq!(m.file_format, FileFormat::Orc);
    assert_eq!(m.file_schema.len(), 18);
    assert_eq!(m.file_schema[0], "bucket");
    assert_eq!(m.files[0].key, "orc_inventory.orc");
    let err = read_inventory(&path, Mode::Lenient).err().unwrap();
    assert!(
        matches!(err, InventoryError::UnsupportedFormat { .. }),
        "{err}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("ORC") && msg.contains("CSV or Parquet"),
        "{msg}"
    );
    assert!(msg.contains("orc_inventory_manifest.json"), "{msg}");
}

#[test]
fn manifest_checksum_files_and_data_md5s_match_the_corpus() {
    let Some(c) = corpus() else { return };
    for (manifest, data, md5) in [
        (
            "csv_inventory_manifest.json",
            "csv_inventory.csv.gz",
            "c473bcc2407d0a5cec5229b21d967e59",
        ),
        (
            "csv_inventory_no_version_manifest.json",
            "csv_inventory_no_version.csv.gz",
            "6d99ec633ee163ebf37ac34f8f6daa63",
        ),
        (
            "orc_inventory_manifest.json",
            "orc_inventory.orc",
            "9b3455fcaa64397a999d07e69180b537",
        ),
        (
            "parquet_inventory_manifest.json",
            "parquet_inventory.parquet",
            "56c8b644debd99c8b47c1dc042a7959b",
        ),
    ] {
        let m = Manifest::from_path(&orcabus(&c, manifest)).unwrap();
        let used = m.verify_checksum_file().unwrap().unwrap();
        assert_eq!(
            used,
            orcabus(&c, &manifest.replace(".json", ".checksum")),
            "{manifest}"
        );
        assert_eq!(md5_file(&orcabus(&c, data)).unwrap(), md5);
        assert_eq!(m.files[0].md5_checksum, md5);
        let path = m.resolve(&m.files[0]).unwrap();
        m.verify(&m.files[0], &path).unwrap();
    }
}

enum Expect {
    Parses {
        format: FileFormat,
        created: Option<&'static str>,
        columns: usize,
        key_suffix: &'static str,
        size: u64,
        md5: &'static str,
    },
    Rejected(&'static str),
}

#[test]
fn every_documentation_manifest_parses_or_is_rejected_for_a_reason() {
    let Some(c) = corpus() else { return };
    const CSV_KEY: &str = "2016-11-06T21-32Z/files/939c6d46-85a9-4ba8-87bd-9db705a579ce.csv.gz";
    const ORC_KEY: &str = "data/d794c570-95bb-4271-9128-26023c8b4900.orc";
    const PQ_KEY: &str = "data/d754c470-85bb-4255-9218-47023c8b4910.parquet";
    const CSV_MD5: &str = "f11166069f1990abeb9c97ace9cdfabc";
    const ORC_MD5: &str = "5925f4e78e1695c2d020b9f6eexample";
    const PQ_MD5: &str = "5825f2e18e1695c2d030b9f6eexample";
    let csv = |created, columns| Expect::Parses {
        format: FileFormat::Csv,
        created,
        columns,
        key_suffix: CSV_KEY,
        size: 2_147_483_647,
        md5: CSV_MD5,
    };
    let orc = |created, columns| Expect::Parses {
        format: FileFormat::Orc,
        created,
        columns,
        key_suffix: ORC_KEY,
        size: 56_291,
        md5: ORC_MD5,
    };
    let pq = |columns| Expect::Parses {
        format: FileFormat::Parquet,
        created: Some("2018-01-03T02:00:00Z"),
        columns,
        key_suffix: PQ_KEY,
        size: 56_291,
        md5: PQ_MD5,
    };
    let t2018 = Some("2018-01-03T02:00:00Z");
    let expected: Vec<(&str, Expect)> = vec![
        (
            "aws-docs-devguide-2017-12-07-csv.manifest.json",
            csv(None, 11),
        ),
        (
            "aws-docs-devguide-2017-12-07-orc.manifest.json",
            orc(None, 12),
        ),
        (
            "aws-docs-devguide-2018-04-20-csv.manifest.json",
            csv(t2018, 11),
        ),
        (
            "aws-docs-devguide-2018-09-19-csv.manifest.json",
            csv(t2018, 11),
        ),
        (
            "aws-docs-devguide-2018-09-19-orc.manifest.json",
            orc(t2018, 12),
        ),
        (
            "aws-docs-userguide-2021-04-23-csv.manifest.json",
            csv(t2018, 15),
        ),
        (
            "aws-docs-userguide-2021-04-23-orc.manifest.json",
            orc(t2018, 15),
        ),
        (
            "aws-docs-userguide-2021-04-23-parquet.manifest.json",
            Expect::Rejected(":8:3: manifest is not valid JSON"),
        ),
        (
            "aws-docs-userguide-2021-06-04-csv.manifest.json",
            csv(t2018, 17),
        ),
        (
            "aws-docs-userguide-2021-06-04-orc.manifest.json",
            orc(t2018, 17),
        ),
        (
            "aws-docs-userguide-2021-06-04-parquet.manifest.json",
            pq(17),
        ),
        (
            "aws-docs-userguide-2023-05-26-csv.manifest.json",
            csv(t2018, 18),
        ),
        (
            "aws-docs-userguide-2023-05-26-orc.manifest.json",
            orc(t2018, 18),
        ),
        (
            "aws-docs-userguide-2023-05-26-parquet.manifest.json",
            pq(18),
        ),
    ];
    let mut on_disk: Vec<String> = std::fs::read_dir(c.join("manifests"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = expected.iter().map(|(n, _)| n.to_string()).collect();
    listed.sort();
    assert_eq!(
        on_disk, listed,
        "every manifest in the corpus has an expectation"
    );

    for (name, want) in &expected {
        let got = Manifest::from_path(&c.join("manifests").join(name));
        match want {
            Expect::Rejected(why) => {
                let err = got
                    .err()
                    .unwrap_or_else(|| panic!("{name} should be rejected"));
                assert!(matches!(err, InventoryError::ManifestJson { .. }), "{name}");
                let msg = err.to_string();
                assert!(msg.contains(name) && msg.contains(why), "{msg}");
            }
            Expect::Parses {
                format,
                created,
                columns,
                key_suffix,
                size,
                md5,
            } => {
                let m = got.unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(m.source_bucket, "example-source-bucket", "{name}");
                assert_eq!(m.version, "2016-11-30", "{name}");
                assert_eq!(m.file_format, *format, "{name}");
                assert_eq!(
                    m.creation_timestamp.map(|t| t.to_string()).as_deref(),
                    *created,
                    "{name}"
                );
                assert_eq!(m.file_schema.len(), *columns, "{name}");
                let cols = m.columns();
                assert_eq!(cols[0], Some(Column::Bucket), "{name}");
                assert_eq!(cols[1], Some(Column::Key), "{name}");
                assert_eq!(cols[5], Some(Column::Size), "{name}");
                assert_eq!(cols[8], Some(Column::StorageClass), "{name}");
                assert_eq!(cols[9], Some(Column::IsMultipartUploaded), "{name}");
                assert!(cols.iter().all(Option::is_some), "{name}: {cols:?}");
                assert_eq!(m.files.len(), 1);
                assert!(m.files[0].key.ends_with(key_suffix), "{name}");
                assert_eq!(m.files[0].size, *size, "{name}");
                assert_eq!(m.files[0].md5_checksum, *md5, "{name}");
            }
        }
    }

    let dir = c.join("manifests");
    // Details: the 2017 developer-guide names, the counts field, the destination spellings.
    let m =
        Manifest::from_path(&dir.join("aws-docs-devguide-2017-12-07-csv.manifest.json")).unwrap();
    assert_eq!(m.file_schema[9], "MultipartUploaded");
    assert_eq!(m.file_schema[10], "ReplicationStatus");
    assert_eq!(m.files[0].inventoried_records, Some(58_050_695));
    assert_eq!(m.destination_bucket, "example-inventory-destination-bucket");
    let m =
        Manifest::from_path(&dir.join("aws-docs-userguide-2023-05-26-orc.manifest.json")).unwrap();
    assert_eq!(
        m.destination_bucket,
        "arn:aws:s3:::example-destination-bucket"
    );
    assert_eq!(m.file_schema[17], "checksum_algorithm");
    assert_eq!(m.files[0].inventoried_records, None);
    // The 2021-06-04 Parquet example omits the type of one field; its name still reads.
    let m = Manifest::from_path(&dir.join("aws-docs-userguide-2021-06-04-parquet.manifest.json"))
        .unwrap();
    assert_eq!(m.file_schema[15], "intelligent_tiering_access_tier");
    assert_eq!(m.columns()[15], Some(Column::IntelligentTieringAccessTier));
    assert_eq!(m.file_schema[16], "bucket_key_status");
    // Placeholder checksums are rejected when a data file is verified, not when parsing.
    let err = m
        .verify(&m.files[0], &orcabus(&c, "parquet_inventory.parquet"))
        .unwrap_err();
    assert!(
        matches!(err, InventoryError::BadChecksumValue { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("5825f2e18e1695c2d030b9f6eexample"));
    // The documented data files are not in the corpus: named in the error with where we looked.
    let err = read_inventory(
        &dir.join("aws-docs-userguide-2023-05-26-csv.manifest.json"),
        Mode::Lenient,
    )
    .err()
    .unwrap();
    assert!(
        matches!(err, InventoryError::DataFileMissing { .. }),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("939c6d46-85a9-4ba8-87bd-9db705a579ce.csv.gz"),
        "{err}"
    );
}

#[test]
fn csv_rows_from_orcabus_unit_tests() {
    let Some(c) = corpus() else { return };
    let rows = c.join("csv-rows");
    let schema = names(ORCABUS_TEST_SCHEMA);
    let mut quoted = CsvRecords::open(
        &rows.join("orcabus-empty-quoted-fields.csv"),
        &schema,
        Mode::Strict,
    )
    .unwrap();
    let recs = collect(quoted.by_ref());
    // the trailing blank line is not a record
    assert_eq!(quoted.summary().read, 3);
    assert_eq!(recs.len(), 3);
    let keys: Vec<&str> = recs.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "inventory_test/",
            "inventory_test/key1",
            "inventory_test/key2"
        ]
    );
    let sizes: Vec<Option<u64>> = recs.iter().map(|r| r.size).collect();
    assert_eq!(sizes, [Some(0), Some(0), Some(5)]);
    let times: Vec<Option<Timestamp>> = recs.iter().map(|r| r.last_modified).collect();
    assert_eq!(
        times,
        [
            ts("2024-04-22T01:11:06Z"),
            ts("2024-04-22T01:13:28Z"),
            ts("2024-04-22T01:14:53Z")
        ]
    );
    for r in &recs {
        assert_eq!(r.bucket, "bucket");
        assert_eq!(r.version_id, None);
        assert!(r.is_latest && !r.is_delete_marker);
        assert_eq!(r.storage_class, Some(StorageClass::Standard));
        assert_eq!(r.encryption_status.as_deref(), Some("SSE-S3"));
        assert_eq!(r.object_access_control_list.as_deref(), Some("e30K"));
        assert_eq!(r.object_owner, None);
        assert_eq!(r.bucket_key_status.as_deref(), Some("DISABLED"));
    }
    assert_eq!(recs[2].e_tag.as_deref(), Some(FIVE_BYTES_MD5));

    let unquoted = collect(
        CsvRecords::open(
            &rows.join("orcabus-unquoted-empty-fields.csv"),
            &schema,
            Mode::Strict,
        )
        .unwrap(),
    );
    assert_eq!(unquoted, recs);

    let mut size_first = schema.clone();
    let size = size_first.remove(5);
    size_first.insert(0, size);
    assert_eq!(size_first[0], "Size");
    let reordered = collect(
        CsvRecords::open(
            &rows.join("orcabus-size-first-column.csv"),
            &size_first,
            Mode::Strict,
        )
        .unwrap(),
    );
    assert_eq!(reordered, recs);
    // Reading the reordered file with the original order fails on Bucket/Size, proving order
    // comes from the schema.
    let mut wrong = CsvRecords::open(
        &rows.join("orcabus-size-first-column.csv"),
        &schema,
        Mode::Strict,
    )
    .unwrap();
    let err = wrong.next().unwrap().unwrap_err();
    let bad = err.bad_line().unwrap();
    assert_eq!(bad.line, 1);
    assert!(bad.field.is_some());

    let acl_schema = names(
        "Bucket, Key, Size, LastModifiedDate, ETag, StorageClass, IsMultipartUploaded, \
         ReplicationStatus, EncryptionStatus, ObjectLockRetainUntilDate, ObjectLockMode, \
         ObjectLockLegalHoldStatus, IntelligentTieringAccessTier, BucketKeyStatus, \
         ChecksumAlgorithm, ObjectAccessControlList, ObjectOwner",
    );
    let acl = collect(
        CsvRecords::open(
            &rows.join("umccr-orcabus-acl-owner-columns.csv"),
            &acl_schema,
            Mode::Strict,
        )
        .unwrap(),
    );
    assert_eq!(acl.len(), 2);
    assert_eq!(acl[0].key, "key1");
    assert_eq!(acl[0].size, Some(0));
    assert_eq!(acl[0].last_modified, ts("2024-04-12T06:45:57Z"));
    assert_eq!(acl[1].key, "key2");
    assert_eq!(acl[1].size, Some(69_897));
    assert_eq!(acl[1].last_modified, ts("2024-04-12T06:46:10Z"));
    assert_eq!(
        acl[1].e_tag.as_deref(),
        Some("0808c1cdcd44cd5f6fea91a79ad32dc8")
    );
    for r in &acl {
        assert_eq!(r.object_access_control_list.as_deref(), Some("acl"));
        assert_eq!(r.object_owner.as_deref(), Some("owner"));
        assert_eq!(r.version_id, None);
    }
}

// ---------------------------------------------------------------------------------------------
// Written deliveries (in temporary directories).

const VERSIONED_SCHEMA: &str = "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, \
    LastModifiedDate, ETag, StorageClass, IsMultipartUploaded, ReplicationStatus, \
    EncryptionStatus, ObjectLockRetainUntilDate, ObjectLockMode, ObjectLockLegalHoldStatus, \
    IntelligentTieringAccessTier, BucketKeyStatus, ChecksumAlgorithm";

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// Writes `data.csv.gz` and `manifest.json` (with the right size and MD5) into `dir`; the
/// manifest names the data file by a full S3 key, as S3 does.
fn write_delivery(dir: &Path, schema: &str, csv: &str) -> PathBuf {
    write_delivery_files(dir, schema, &[csv])
}

/// Like `write_delivery`, with one data file per part (`data.csv.gz`, `data-1.csv.gz`…), in
/// manifest order.
fn write_delivery_files(dir: &Path, schema: &str, parts: &[&str]) -> PathBuf {
    let mut files = Vec::new();
    for (i, csv) in parts.iter().enumerate() {
        let name = match i {
            0 => "data.csv.gz".to_string(),
            i => format!("data-{i}.csv.gz"),
        };
        let gz = gzip(csv.as_bytes());
        let data = dir.join(&name);
        std::fs::write(&data, &gz).unwrap();
        let md5 = md5_file(&data).unwrap();
        files.push(serde_json::json!({
            "key": format!("inv/b/cfg/data/{name}"), "size": gz.len(), "MD5checksum": md5
        }));
    }
    let manifest = serde_json::json!({
        "sourceBucket": "b",
        "destinationBucket": "arn:aws:s3:::dest",
        "version": "2016-11-30",
        "creationTimestamp": "1715043600000",
        "fileFormat": "CSV",
        "fileSchema": schema,
        "files": files
    });
    let path = dir.join("manifest.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
    path
}

fn row(key: &str, size: &str, modified: &str, class: &str, tier: &str) -> String {
    format!(
        "\"b\",\"{key}\",\"v1\",\"true\",\"false\",\"{size}\",\"{modified}\",\"etag\",\"{class}\",\
         \"false\",\"\",\"SSE-S3\",\"\",\"\",\"\",\"{tier}\",\"DISABLED\",\"\"\n"
    )
}

#[test]
fn md5_verification_fails_on_a_tampered_copy() {
    let Some(c) = corpus() else { return };
    let tmp = tempfile::tempdir().unwrap();
    for name in [
        "csv_inventory_manifest.json",
        "csv_inventory_manifest.checksum",
        "csv_inventory.csv.gz",
    ] {
        std::fs::copy(orcabus(&c, name), tmp.path().join(name)).unwrap();
    }
    let manifest = tmp.path().join("csv_inventory_manifest.json");
    // an untouched copy reads
    assert_eq!(
        collect(read_inventory(&manifest, Mode::Strict).unwrap()).len(),
        5
    );

    // same size, one byte changed inside the gzip stream
    let data = tmp.path().join("csv_inventory.csv.gz");
    let mut bytes = std::fs::read(&data).unwrap();
    bytes[100] ^= 0x01;
    std::fs::write(&data, &bytes).unwrap();
    let tampered_md5 = md5_file(&data).unwrap();
    assert_ne!(tampered_md5, "c473bcc2407d0a5cec5229b21d967e59");
    let mut reader = read_inventory(&manifest, Mode::Lenient).unwrap();
    let err = reader.next().unwrap().unwrap_err();
    assert!(
        reader.next().is_none(),
        "iteration ends after a fatal error"
    );
    match &err {
        InventoryError::Md5Mismatch {
            path,
            expected,
            actual,
        } => {
            assert_eq!(path, &data);
            assert_eq!(expected, "c473bcc2407d0a5cec5229b21d967e59");
            assert_eq!(actual, &tampered_md5);
        }
        other => panic!("expected an MD5 mismatch, got {other}"),
    }
    let msg = err.to_string();
    assert!(
        msg.contains("csv_inventory.csv.gz")
            && msg.contains("c473bcc2407d0a5cec5229b21d967e59")
            && msg.contains(&tampered_md5),
        "{msg}"
    );

    // a truncated copy is caught by its size before hashing
    std::fs::write(&data, &bytes[..200]).unwrap();
    let err = read_inventory(&manifest, Mode::Lenient)
        .unwrap()
        .next()
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(
            err,
            InventoryError::SizeMismatch {
                expected: 331,
                actual: 200,
                ..
            }
        ),
        "{err}"
    );

    // a changed manifest no longer matches manifest.checksum
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.push('\n');
    std::fs::write(&manifest, text).unwrap();
    let err = read_inventory(&manifest, Mode::Lenient).err().unwrap();
    match &err {
        InventoryError::ManifestChecksumMismatch { expected, .. } => {
            assert_eq!(expected, "aba9b0a905f716a38bb3472b590cf2a5");
        }
        other => panic!("expected a manifest checksum mismatch, got {other}"),
    }
}

#[test]
fn strict_stops_at_a_bad_line_and_lenient_skips_and_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let mut csv = String::new();
    csv += &row("a", "1", "2024-05-06T22:37:48.000Z", "STANDARD", "");
    csv += &row("b", "2", "2024-05-06T22:37:49.000Z", "STANDARD_IA", "");
    csv += &row("c", "five", "2024-05-06T22:37:50.000Z", "STANDARD", ""); // line 3: Size
    csv += "\"b\",\"d\",\"too\",\"few\"\n"; // line 4: column count
    csv += &row("e", "5", "yesterday", "STANDARD", ""); // line 5: LastModifiedDate
    csv += &row("f", "6", "2024-05-06T22:37:51.000Z", "OUTPOSTS", ""); // line 6: StorageClass
    csv += &row("g", "7", "2024-05-06T22:37:52.000Z", "STANDARD", ""); // line 7: good
    csv += &row("h", "", "2024-05-06T22:37:53.000Z", "STANDARD", ""); // line 8: no size
    csv += &row("i", "9", "2024-05-06T22:37:54.000Z", "GLACIER", ""); // line 9: good
    let manifest = write_delivery(tmp.path(), VERSIONED_SCHEMA, &csv);
    let data = tmp.path().join("data.csv.gz");

    let mut strict = read_inventory(&manifest, Mode::Strict).unwrap();
    assert_eq!(strict.next().unwrap().unwrap().key, "a");
    assert_eq!(strict.next().unwrap().unwrap().key, "b");
    let err = strict.next().unwrap().unwrap_err();
    assert!(strict.next().is_none());
    let msg = err.to_string();
    assert!(
        msg.contains(&format!("{}:3:", data.display())) && msg.contains("Size"),
        "{msg}"
    );
    assert!(msg.contains("\"five\""), "{msg}");
    let bad = err.bad_line().unwrap();
    assert_eq!((bad.line, bad.field.as_deref()), (3, Some("Size")));

    let mut lenient = read_inventory(&manifest, Mode::Lenient).unwrap();
    let keys: Vec<String> = lenient.by_ref().map(|r| r.unwrap().key).collect();
    assert_eq!(keys, ["a", "b", "g", "i"]);
    let s = lenient.summary();
    assert_eq!((s.read, s.parsed, s.skipped), (9, 4, 5));
    let reasons: Vec<(&str, u64)> = s.reasons.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(
        reasons,
        [
            ("LastModifiedDate: invalid value", 1),
            ("Size: inconsistent row", 1),
            ("Size: invalid value", 1),
            ("StorageClass: invalid value", 1),
            ("wrong number of columns", 1),
        ]
    );
    let lines: Vec<u64> = s.examples.iter().map(|b| b.line).collect();
    assert_eq!(lines, [3, 4, 5, 6, 8]);
    assert_eq!(
        s.examples[1].problem,
        Problem::ColumnCount {
            expected: 18,
            found: 4
        }
    );
    assert!(
        s.examples[3].to_string().contains("OUTPOSTS"),
        "{}",
        s.examples[3]
    );
    assert!(
        s.to_string()
            .contains("9 lines read from 1 files, 4 parsed, 5 skipped")
    );
}

#[test]
fn examples_are_capped_and_invalid_utf8_is_a_bad_line() {
    let schema = names(VERSIONED_SCHEMA);
    let mut csv: Vec<u8> = Vec::new();
    for i in 0..8 {
        csv.extend(
            row(
                &format!("k{i}"),
                "x",
                "2024-01-01T00:00:00Z",
                "STANDARD",
                "",
            )
            .bytes(),
        );
    }
    csv.extend(b"\"b\",\"bad\xff\",\"\",\"\",\"\",\"1\",\"2024-01-01T00:00:00Z\",\"\",\"STANDARD\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\"\n");
    let mut r =
        CsvRecords::from_reader(std::io::Cursor::new(csv), "mem.csv", &schema, Mode::Lenient)
            .unwrap();
    assert!(r.next().is_none());
    let s = r.summary();
    assert_eq!((s.read, s.parsed, s.skipped), (9, 0, 9));
    assert_eq!(s.examples.len(), costlab::trace::inventory::MAX_EXAMPLES);
    assert_eq!(s.reasons["Size: invalid value"], 8);
    assert_eq!(s.reasons["Key: invalid UTF-8"], 1);
}

#[test]
fn key_problems_are_told_apart_with_and_without_escapes() {
    // The Key column is checked for UTF-8 once, while it is decoded: a raw byte that is not
    // UTF-8 is "invalid UTF-8" whether or not the key has escapes; escapes that decode to
    // bytes that are not UTF-8, or a broken escape, are invalid values.
    let schema = names(VERSIONED_SCHEMA);
    let line = |key: &[u8]| {
        let mut l = b"\"b\",\"".to_vec();
        l.extend_from_slice(key);
        l.extend_from_slice(b"\",\"\",\"\",\"\",\"1\",\"2024-01-01T00:00:00Z\",\"\",\"STANDARD\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\"\n");
        l
    };
    let mut csv: Vec<u8> = Vec::new();
    for key in [
        &b"plain\xff"[..],
        b"with%20escape\xff",
        b"caf%C3",
        b"half%2",
        b"good%3Dkey+x",
    ] {
        csv.extend(line(key));
    }
    let r = CsvRecords::from_reader(std::io::Cursor::new(csv), "mem.csv", &schema, Mode::Lenient)
        .unwrap();
    let keys: Vec<String> = r.map(|x| x.unwrap().key).collect();
    assert_eq!(keys, vec!["good=key x".to_string()]);
    let mut r = CsvRecords::from_reader(
        std::io::Cursor::new(
            [
                line(b"plain\xff"),
                line(b"with%20escape\xff"),
                line(b"caf%C3"),
                line(b"half%2"),
            ]
            .concat(),
        ),
        "mem.csv",
        &schema,
        Mode::Lenient,
    )
    .unwrap();
    assert!(r.next().is_none());
    let s = r.summary();
    assert_eq!(s.reasons["Key: invalid UTF-8"], 2, "{:?}", s.reasons);
    assert_eq!(s.reasons["Key: invalid value"], 2, "{:?}", s.reasons);
    let text: Vec<String> = s.examples.iter().map(|e| e.to_string()).collect();
    assert!(text[2].contains("decodes to UTF-8"), "{}", text[2]);
    assert!(text[3].contains("two hex digits"), "{}", text[3]);
}

#[test]
fn keys_are_url_decoded_once_and_tiers_map_to_it_tiers() {
    let tmp = tempfile::tempdir().unwrap();
    let mut csv = String::new();
    csv += &row(
        "dir/my+file%2Bv2%25.txt",
        "1",
        "2024-01-01T00:00:00Z",
        "STANDARD",
        "",
    );
    csv += &row(
        "caf%C3%A9/%2525",
        "2",
        "2024-01-01T00:00:00Z",
        "STANDARD",
        "",
    );
    csv += &row(
        "it/a",
        "131072",
        "2024-01-01T00:00:00Z",
        "INTELLIGENT_TIERING",
        "FREQUENT",
    );
    csv += &row(
        "it/b",
        "131072",
        "2024-01-01T00:00:00Z",
        "INTELLIGENT_TIERING",
        "INFREQUENT",
    );
    csv += &row(
        "it/c",
        "131072",
        "2024-01-01T00:00:00Z",
        "INTELLIGENT_TIERING",
        "ARCHIVE_INSTANT_ACCESS",
    );
    csv += &row(
        "it/d",
        "1",
        "2024-01-01T00:00:00Z",
        "INTELLIGENT_TIERING",
        "ARCHIVE_ACCESS",
    );
    csv += &row(
        "it/e",
        "1",
        "2024-01-01T00:00:00Z",
        "INTELLIGENT_TIERING",
        "DEEP_ARCHIVE_ACCESS",
    );
    csv += &row(
        "it/f",
        "1",
        "2024-01-01T00:00:00Z",
        "INTELLIGENT_TIERING",
        "LUKEWARM",
    );
    csv += &row("bad%zzkey", "1", "2024-01-01T00:00:00Z", "STANDARD", "");
    let manifest = write_delivery(tmp.path(), VERSIONED_SCHEMA, &csv);
    let mut reader = read_inventory(&manifest, Mode::Lenient).unwrap();
    let recs = collect(reader.by_ref());
    let keys: Vec<&str> = recs.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "dir/my file+v2%.txt",
            "café/%25",
            "it/a",
            "it/b",
            "it/c",
            "it/d",
            "it/e"
        ]
    );
    let tiers: Vec<Option<ItTier>> = recs
        .iter()
        .map(|r| r.intelligent_tiering_access_tier)
        .collect();
    assert_eq!(
        tiers,
        [
            None,
            None,
            Some(ItTier::Frequent),
            Some(ItTier::Infrequent),
            Some(ItTier::ArchiveInstant),
            Some(ItTier::Archive),
            Some(ItTier::DeepArchive)
        ]
    );
    assert!(
        recs[2..]
            .iter()
            .all(|r| r.storage_class == Some(StorageClass::IntelligentTiering))
    );
    let s = reader.summary();
    assert_eq!(s.reasons["IntelligentTieringAccessTier: invalid value"], 1);
    assert_eq!(s.reasons["Key: invalid value"], 1);
    assert_eq!(s.examples[1].line, 9);
}

#[test]
fn columns_in_any_order_unknown_ignored_missing_optional_none() {
    let schema = names("Future1, Key, StorageClass, Bucket, Size, SomethingNew");
    let csv = "\"x\",\"k/1\",\"GLACIER_IR\",\"bkt\",\"42\",\"y\"\n\
               \"Future1\",\"Key\",\"StorageClass\",\"Bucket\",\"Size\",\"SomethingNew\"\n";
    // the header row appears only as the first line; here it is the second, so it is data
    let mut r =
        CsvRecords::from_reader(std::io::Cursor::new(csv), "mem.csv", &schema, Mode::Lenient)
            .unwrap();
    let first = r.next().unwrap().unwrap();
    assert_eq!(first.key, "k/1");
    assert_eq!(first.bucket, "bkt");
    assert_eq!(first.size, Some(42));
    assert_eq!(first.storage_class, Some(StorageClass::GlacierIr));
    assert_eq!(first.last_modified, None);
    assert_eq!(first.version_id, None);
    assert_eq!(first.e_tag, None);
    assert!(first.is_latest && !first.is_delete_marker);
    assert!(r.next().is_none());
    // values are checked in file order: StorageClass comes before Size here
    assert_eq!(r.summary().reasons["StorageClass: invalid value"], 1);

    // a header line at the top is skipped and counted
    let csv =
        "Future1,Key,StorageClass,Bucket,Size,SomethingNew\n\"x\",\"k\",\"\",\"b\",\"0\",\"\"\n";
    let mut r =
        CsvRecords::from_reader(std::io::Cursor::new(csv), "mem.csv", &schema, Mode::Strict)
            .unwrap();
    assert_eq!(r.next().unwrap().unwrap().key, "k");
    assert!(r.next().is_none());
    assert_eq!(r.summary().header_lines, 1);
    assert_eq!(r.summary().read, 1);

    // a schema without Key cannot be read
    let err = CsvRecords::from_reader(
        std::io::Cursor::new(""),
        "mem.csv",
        &names("Bucket, Size"),
        Mode::Lenient,
    )
    .err()
    .unwrap();
    assert!(err.to_string().contains("no Key column"), "{err}");
}

#[test]
fn data_files_are_found_by_key_or_file_name_and_missing_ones_named() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = row("a", "1", "2024-01-01T00:00:00Z", "STANDARD", "");
    // write_delivery lists the file as inv/b/cfg/data/data.csv.gz but stores it by name only
    let manifest = write_delivery(tmp.path(), VERSIONED_SCHEMA, &csv);
    let reader = read_inventory(&manifest, Mode::Strict).unwrap();
    assert_eq!(reader.data_files(), [tmp.path().join("data.csv.gz")]);
    assert_eq!(collect(reader).len(), 1);

    // mirrored layout: the full key under the manifest's directory wins
    let nested = tmp.path().join("inv/b/cfg/data");
    std::fs::create_dir_all(&nested).unwrap();
    std::fs::copy(tmp.path().join("data.csv.gz"), nested.join("data.csv.gz")).unwrap();
    let reader = read_inventory(&manifest, Mode::Strict).unwrap();
    assert_eq!(reader.data_files(), [nested.join("data.csv.gz")]);

    std::fs::remove_file(nested.join("data.csv.gz")).unwrap();
    std::fs::remove_file(tmp.path().join("data.csv.gz")).unwrap();
    let err = read_inventory(&manifest, Mode::Strict).err().unwrap();
    let msg = err.to_string();
    assert!(
        msg.contains("inv/b/cfg/data/data.csv.gz") && msg.contains("manifest.json"),
        "{msg}"
    );
}

#[test]
fn damaged_parquet_is_an_error_not_a_panic() {
    let Some(c) = corpus() else { return };
    let bytes = std::fs::read(orcabus(&c, "parquet_inventory.parquet")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("x.parquet");
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let err = ParquetRecords::open(&path, Mode::Strict).err().unwrap();
    assert!(matches!(err, InventoryError::Parquet { .. }), "{err}");
    assert!(err.to_string().contains("x.parquet"));
    // a CSV file is not Parquet either
    let err = ParquetRecords::open(&orcabus(&c, "csv_inventory.csv"), Mode::Strict)
        .err()
        .unwrap();
    assert!(matches!(err, InventoryError::Parquet { .. }), "{err}");
}

/// Every single-byte change of the real Parquet file reads to records or to an error naming
/// the file, never a panic (the `parquet` crate asserts on some damaged pages; the reader
/// turns those into errors).
#[test]
fn every_byte_flip_of_the_real_parquet_file_is_handled() {
    let Some(c) = corpus() else { return };
    let bytes = std::fs::read(orcabus(&c, "parquet_inventory.parquet")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("flipped.parquet");
    let (mut clean, mut errors) = (0, 0);
    for i in 0..bytes.len() {
        let mut b = bytes.clone();
        b[i] ^= if i % 2 == 0 { 0x01 } else { 0xff };
        std::fs::write(&path, &b).unwrap();
        match ParquetRecords::open(&path, Mode::Lenient) {
            Err(e) => {
                assert!(matches!(e, InventoryError::Parquet { .. }), "byte {i}: {e}");
                errors += 1;
            }
            Ok(mut r) => {
                let mut failed = false;
                for item in r.by_ref() {
                    if let Err(e) = item {
                        assert!(e.to_string().contains("flipped.parquet"), "byte {i}: {e}");
                        failed = true;
                    }
                }
                let s = r.summary();
                assert!(s.parsed + s.skipped <= s.read, "byte {i}");
                if failed { errors += 1 } else { clean += 1 }
            }
        }
    }
    assert!(
        errors > 1000 && clean > 1000,
        "{errors} errors, {clean} clean"
    );
}

#[test]
fn manifest_field_errors_name_the_field() {
    let p = Path::new("m.json");
    let cases = [
        (r#"[]"#, "(top level)"),
        (
            r#"{"destinationBucket":"d","version":"v","fileFormat":"CSV","fileSchema":"Bucket, Key","files":[]}"#,
            "sourceBucket",
        ),
        (
            r#"{"sourceBucket":"s","destinationBucket":"d","version":"v","fileFormat":"XML","fileSchema":"Bucket, Key","files":[]}"#,
            "fileFormat",
        ),
        (
            r#"{"sourceBucket":"s","destinationBucket":"d","version":"v","fileFormat":"CSV","files":[]}"#,
            "fileSchema",
        ),
        (
            r#"{"sourceBucket":"s","destinationBucket":"d","version":"v","fileFormat":"CSV","fileSchema":"Bucket, Size","files":[]}"#,
            "fileSchema",
        ),
        (
            r#"{"sourceBucket":"s","destinationBucket":"d","version":"v","creationTimestamp":"soon","fileFormat":"CSV","fileSchema":"Bucket, Key","files":[]}"#,
            "creationTimestamp",
        ),
        (
            r#"{"sourceBucket":"s","destinationBucket":"d","version":"v","fileFormat":"CSV","fileSchema":"Bucket, Key","files":[{"key":"k","size":-1,"MD5checksum":"x"}]}"#,
            "files[0].size",
        ),
        (
            r#"{"sourceBucket":"s","destinationBucket":"d","version":"v","fileFormat":"ORC","fileSchema":"bucket, key","files":[]}"#,
            "fileSchema",
        ),
    ];
    for (json, field) in cases {
        match Manifest::parse(json.as_bytes(), p) {
            Err(InventoryError::ManifestField { field: f, .. }) => assert_eq!(f, field, "{json}"),
            other => panic!("{json}: expected a field error on {field}, got {other:?}"),
        }
    }
    let ok = Manifest::parse(
        br#"{"sourceBucket":"s","destinationBucket":"d","version":"v","creationTimestamp":1715043600000,"fileFormat":"parquet","files":[]}"#,
        p,
    )
    .unwrap();
    assert_eq!(ok.file_format, FileFormat::Parquet);
    assert!(ok.file_schema.is_empty());
    assert_eq!(
        ok.creation_timestamp.unwrap().to_string(),
        "2024-05-07T01:00:00Z"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic_the_csv_reader(
        bytes in proptest::collection::vec(any::<u8>(), 0..2048),
        gzip_it in any::<bool>(),
        strict in any::<bool>(),
    ) {
        let schema = names(VERSIONED_SCHEMA);
        let input = if gzip_it { gzip(&bytes) } else { bytes };
        let mode = if strict { Mode::Strict } else { Mode::Lenient };
        // opening can only fail on I/O, which a byte slice has none of
        let mut r = CsvRecords::from_reader(std::io::Cursor::new(input), "fuzz.csv", &schema, mode)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut n = 0u64;
        for item in r.by_ref() {
            if item.is_ok() { n += 1; }
        }
        let s = r.summary();
        prop_assert_eq!(s.parsed, n);
        prop_assert!(s.parsed + s.skipped <= s.read);
    }

    #[test]
    fn mutated_real_rows_never_panic_and_tally(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        let mut csv = String::new();
        csv += &row("a/b+c%20d", "5", "2024-05-06T22:37:48.000Z", "INTELLIGENT_TIERING", "FREQUENT");
        csv += &row("x", "0", "2024-05-06T22:37:48.000Z", "GLACIER", "");
        let mut bytes = csv.into_bytes();
        for (i, b) in edits {
            let at = i.index(bytes.len());
            bytes[at] = b;
        }
        let schema = names(VERSIONED_SCHEMA);
        let mut r = CsvRecords::from_reader(std::io::Cursor::new(bytes), "m.csv", &schema, Mode::Lenient)
            .unwrap();
        let ok = r.by_ref().filter(|x| x.is_ok()).count() as u64;
        let s = r.summary();
        prop_assert_eq!(s.parsed + s.skipped, s.read);
        prop_assert_eq!(s.parsed, ok);
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_manifest_parser(
        bytes in proptest::collection::vec(any::<u8>(), 0..1024),
    ) {
        let _ = Manifest::parse(&bytes, Path::new("fuzz.json"));
    }

    #[test]
    fn arbitrary_manifest_json_values_never_panic(
        schema in ".{0,80}",
        format in prop::sample::select(vec!["CSV", "ORC", "Parquet", "csv", "x"]),
        ts in ".{0,20}",
        size in any::<i64>(),
    ) {
        let json = serde_json::json!({
            "sourceBucket": "s", "destinationBucket": "d", "version": "v",
            "creationTimestamp": ts, "fileFormat": format, "fileSchema": schema,
            "files": [{"key": schema, "size": size, "MD5checksum": ts}]
        });
        let _ = Manifest::parse(json.to_string().as_bytes(), Path::new("fuzz.json"));
    }
}

// ---------------------------------------------------------------------------------------------
// A versioned inventory through `costlab simulate` (end to end).

/// `costlab simulate SCENARIO --no-bound --format json [--strict]`.
fn simulate_json(scenario: &Path, strict: bool) -> std::process::Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_costlab"));
    cmd.args(["simulate", "--no-bound", "--format", "json"]);
    if strict {
        cmd.arg("--strict");
    }
    cmd.arg(scenario).output().unwrap()
}

#[test]
fn versioned_inventory_noncurrent_versions_and_markers_are_billed_until_the_rules_remove_them() {
    let tmp = tempfile::tempdir().unwrap();
    let gib = 1u64 << 30;
    let version = |key: &str, latest: bool, marker: bool, size: &str, modified: &str| {
        format!(
            "\"b\",\"{key}\",\"v\",\"{latest}\",\"{marker}\",\"{size}\",\"{modified}\",\"e\",\
             \"{}\",\"false\",\"\",\"SSE-S3\",\"\",\"\",\"\",\"\",\"DISABLED\",\"\"\n",
            if marker { "" } else { "STANDARD" }
        )
    };
    let csv = [
        // `a`: 1 GiB noncurrent since Feb 10 12:00, when the 2 GiB current version was written.
        version(
            "a",
            false,
            false,
            &gib.to_string(),
            "2026-01-01T00:00:00.000Z",
        ),
        version(
            "a",
            true,
            false,
            &(2 * gib).to_string(),
            "2026-02-10T12:00:00.000Z",
        ),
        // `b`: deleted Feb 20 06:00 (a current delete marker), its 1 GiB noncurrent since.
        version(
            "b",
            false,
            false,
            &gib.to_string(),
            "2026-01-05T00:00:00.000Z",
        ),
        version("b", true, true, "", "2026-02-20T06:00:00.000Z"),
    ]
    .concat();
    write_delivery(tmp.path(), VERSIONED_SCHEMA, &csv);
    let scenario = tmp.path().join("s.toml");
    std::fs::write(
        &scenario,
        r#"name = "versioned"
region = "us-east-1"
start = "2026-03-01"
end = "2026-04-01"
versioning = true
[evidence]
inventory = "manifest.json"
[[policy]]
name = "nc30"
lifecycle_json = '''{"Rules":[{"ID":"nc","Status":"Enabled","Filter":{},
  "NoncurrentVersionExpiration":{"NoncurrentDays":30},
  "Expiration":{"ExpiredObjectDeleteMarker":true}}]}'''
[[policy]]
name = "keep"
all_standard = true
"#,
    )
    .unwrap();
    let out = simulate_json(&scenario, false);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["evidence"]["inventory_rows_not_replayed"], 0);
    assert_eq!(v["evidence"]["objects"], 2);
    let policy = |name: &str| {
        v["policies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap()
            .clone()
    };
    // nc30: a's old version goes at Mar 12 12:00 → Mar 13 00:00 (288 h); b's at Mar 22 06:00
    // → Mar 23 00:00 (528 h); b's marker (1 byte) is then alone and goes at Mar 24 00:00
    // (552 h); a's current 2 GiB all month. STANDARD first tier, $0.023 per GB-month.
    let usd = |byte_hours: rust_decimal::Decimal| {
        byte_hours / rust_decimal::Decimal::from(gib) / rust_decimal::Decimal::from(744)
            * rust_decimal::Decimal::new(23, 3)
    };
    let total = |p: &serde_json::Value| -> rust_decimal::Decimal {
        p["total_usd"]
            .to_string()
            .trim_matches('"')
            .parse()
            .unwrap()
    };
    let nc = policy("nc30");
    let expected = usd(rust_decimal::Decimal::from(
        gib * (288 + 2 * 744 + 528) + 552,
    ));
    assert!(
        (total(&nc) - expected).abs() < rust_decimal::Decimal::new(1, 12),
        "{nc}"
    );
    assert_eq!(nc["stats"]["versions"]["noncurrent_expirations"], 2);
    // keep (all-standard, no rules): everything to the end of the month.
    let keep = policy("keep");
    let expected = usd(rust_decimal::Decimal::from(gib * 4 * 744 + 744));
    assert!(
        (total(&keep) - expected).abs() < rust_decimal::Decimal::new(1, 12),
        "{keep}"
    );
    assert_eq!(
        keep["stats"]["versions"]["noncurrent_bytes_at_month_end"]["2026-03"],
        2 * gib
    );
}

// Data files are read in parallel: a key whose versions straddle two files is still one object,
// the result does not depend on how the rows are split, and the error reported in strict mode
// is the earliest file's.
#[test]
fn a_delivery_split_across_data_files_replays_like_one_file() {
    let version = |key: &str, latest: bool, marker: bool, size: u64, modified: &str| {
        format!(
            "\"b\",\"{key}\",\"v\",\"{latest}\",\"{marker}\",\"{}\",\"{modified}\",\"e\",\
             \"{}\",\"false\",\"\",\"SSE-S3\",\"\",\"\",\"\",\"\",\"DISABLED\",\"\"\n",
            if marker {
                String::new()
            } else {
                size.to_string()
            },
            if marker { "" } else { "STANDARD_IA" }
        )
    };
    let mut rows = Vec::new();
    for k in 0..12u64 {
        let key = format!("p{}/k{k:02}", k % 3);
        // Every key has an old version; every third key a current delete marker.
        rows.push(version(
            &key,
            false,
            false,
            (k + 1) << 27,
            "2025-11-01T00:00:00.000Z",
        ));
        rows.push(version(
            &key,
            true,
            k % 3 == 0,
            (k + 2) << 27,
            "2026-01-15T10:00:00.000Z",
        ));
    }
    let run = |parts: &[&str], strict: bool| {
        let tmp = tempfile::tempdir().unwrap();
        write_delivery_files(tmp.path(), VERSIONED_SCHEMA, parts);
        let scenario = tmp.path().join("s.toml");
        std::fs::write(
            &scenario,
            r#"name = "split"
region = "us-east-1"
start = "2026-02-01"
end = "2026-05-01"
versioning = true
[evidence]
inventory = "manifest.json"
[[policy]]
name = "nc30"
lifecycle_json = '''{"Rules":[{"ID":"nc","Status":"Enabled","Filter":{},
  "NoncurrentVersionExpiration":{"NoncurrentDays":30},
  "Transitions":[{"Days":90,"StorageClass":"GLACIER"}]}]}'''
"#,
        )
        .unwrap();
        simulate_json(&scenario, strict)
    };
    let whole = rows.concat();
    let one = run(&[&whole], false);
    assert!(
        one.status.success(),
        "{}",
        String::from_utf8_lossy(&one.stderr)
    );
    let one: serde_json::Value = serde_json::from_slice(&one.stdout).unwrap();
    assert_eq!(one["evidence"]["objects"], 12);
    // Split inside keys (after 1, 4 and 13 rows) and between them (after 8 and 20), with an
    // empty file among them.
    let cuts = [0, 1, 4, 8, 8, 13, 20, rows.len()];
    let parts: Vec<String> = cuts.windows(2).map(|w| rows[w[0]..w[1]].concat()).collect();
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    let split = run(&parts, false);
    assert!(
        split.status.success(),
        "{}",
        String::from_utf8_lossy(&split.stderr)
    );
    let split: serde_json::Value = serde_json::from_slice(&split.stdout).unwrap();
    assert_eq!(split["policies"], one["policies"]);
    assert_eq!(split["evidence"]["objects"], 12);
    // Noncurrent versions were found (a key split in two would have lost its old version).
    assert!(
        one["policies"][0]["stats"]["versions"]["noncurrent_expirations"]
            .as_u64()
            .unwrap()
            >= 8,
        "{}",
        one["policies"][0]["stats"]
    );
    // Strict: bad lines in the 2nd and 4th files; the 2nd is named, however the threads run.
    let mut bad = parts.clone();
    bad[1] = "\"b\",\"x\",\"v\",\"true\",\"false\",\"NaN\",\"2026-01-01T00:00:00.000Z\",\"e\",\"STANDARD\",\"false\",\"\",\"SSE-S3\",\"\",\"\",\"\",\"\",\"DISABLED\",\"\"\n";
    bad[3] = bad[1];
    for _ in 0..3 {
        let out = run(&bad, true);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("data-1.csv.gz") && !err.contains("data-3"),
            "{err}"
        );
    }
}
