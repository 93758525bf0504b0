//! One row of an S3 Inventory report as typed fields (`InventoryRecord`), the inventory columns
//! (`Column`, under both their CSV and their ORC/Parquet spellings), and the conversion of one
//! row of raw values into a record, shared by the CSV and the Parquet readers.
//!
//! Conventions (see `inventory-fields.md` in the corpus and the S3 user guide page "Amazon S3
//! Inventory"):
//! * CSV keys are URL-encoded by S3 ("the key name is URL-encoded and must be decoded"); they
//!   are decoded exactly once, form-style (`%XX` is a byte, `+` is a space), see
//!   [`decode_csv_key`]. Parquet (and ORC) keys are stored as is and are not decoded.
//! * Empty CSV values (`""` or nothing between commas) and Parquet nulls are absent values.
//! * `IsLatest` / `IsDeleteMarker` exist only in all-versions listings; when the column is
//!   absent (current-version listing) or empty, a record is the latest version and not a
//!   delete marker.

use crate::aws::{ItTier, StorageClass};
use crate::units::Timestamp;

use super::error::Problem;

/// The documented inventory columns. Names are matched case-insensitively with `_` ignored,
/// so `LastModifiedDate` (CSV) and `last_modified_date` (ORC/Parquet) are the same column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Column {
    Bucket,
    Key,
    VersionId,
    IsLatest,
    IsDeleteMarker,
    Size,
    LastModifiedDate,
    ETag,
    StorageClass,
    /// `IsMultipartUploaded`; 2017–2018 manifests spell it `MultipartUploaded`.
    IsMultipartUploaded,
    ReplicationStatus,
    EncryptionStatus,
    ObjectLockRetainUntilDate,
    ObjectLockMode,
    ObjectLockLegalHoldStatus,
    IntelligentTieringAccessTier,
    BucketKeyStatus,
    ChecksumAlgorithm,
    ObjectAccessControlList,
    ObjectOwner,
    LifecycleExpirationDate,
}

impl Column {
    /// Every documented column, in the order S3 writes them.
    pub const ALL: &'static [Column] = &[
        Column::Bucket,
        Column::Key,
        Column::VersionId,
        Column::IsLatest,
        Column::IsDeleteMarker,
        Column::Size,
        Column::LastModifiedDate,
        Column::ETag,
        Column::StorageClass,
        Column::IsMultipartUploaded,
        Column::ReplicationStatus,
        Column::EncryptionStatus,
        Column::ObjectLockRetainUntilDate,
        Column::ObjectLockMode,
        Column::ObjectLockLegalHoldStatus,
        Column::IntelligentTieringAccessTier,
        Column::BucketKeyStatus,
        Column::ChecksumAlgorithm,
        Column::ObjectAccessControlList,
        Column::ObjectOwner,
        Column::LifecycleExpirationDate,
    ];

    /// The CSV `fileSchema` spelling.
    pub fn csv_name(self) -> &'static str {
        match self {
            Column::Bucket => "Bucket",
            Column::Key => "Key",
            Column::VersionId => "VersionId",
            Column::IsLatest => "IsLatest",
            Column::IsDeleteMarker => "IsDeleteMarker",
            Column::Size => "Size",
            Column::LastModifiedDate => "LastModifiedDate",
            Column::ETag => "ETag",
            Column::StorageClass => "StorageClass",
            Column::IsMultipartUploaded => "IsMultipartUploaded",
            Column::ReplicationStatus => "ReplicationStatus",
            Column::EncryptionStatus => "EncryptionStatus",
            Column::ObjectLockRetainUntilDate => "ObjectLockRetainUntilDate",
            Column::ObjectLockMode => "ObjectLockMode",
            Column::ObjectLockLegalHoldStatus => "ObjectLockLegalHoldStatus",
            Column::IntelligentTieringAccessTier => "IntelligentTieringAccessTier",
            Column::BucketKeyStatus => "BucketKeyStatus",
            Column::ChecksumAlgorithm => "ChecksumAlgorithm",
            Column::ObjectAccessControlList => "ObjectAccessControlList",
            Column::ObjectOwner => "ObjectOwner",
            Column::LifecycleExpirationDate => "LifecycleExpirationDate",
        }
    }

    /// The column a schema name denotes (CSV or ORC/Parquet spelling); `None` for columns this
    /// reader does not know, which are ignored.
    pub fn from_name(name: &str) -> Option<Column> {
        let norm: String = name
            .chars()
            .filter(|c| *c != '_')
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if norm == "multipartuploaded" {
            return Some(Column::IsMultipartUploaded);
        }
        Column::ALL
            .iter()
            .copied()
            .find(|c| c.csv_name().to_ascii_lowercase() == norm)
    }
}

/// One object version (or delete marker) listed by an inventory report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InventoryRecord {
    pub bucket: String,
    /// The object key, decoded (CSV keys are URL-encoded by S3; see [`decode_csv_key`]).
    pub key: String,
    /// `None` when the listing has no VersionId column or the value is empty (objects written
    /// before versioning was enabled have an empty version in all-versions listings).
    pub version_id: Option<String>,
    /// `true` when the column is absent (current-version listings).
    pub is_latest: bool,
    /// `false` when the column is absent (current-version listings).
    pub is_delete_marker: bool,
    /// Bytes; `None` for delete markers and when the Size column is not in the report.
    pub size: Option<u64>,
    /// Last-modified time (whole seconds, UTC): the creation time of this version.
    pub last_modified: Option<Timestamp>,
    /// As written by S3, without surrounding quotes.
    pub e_tag: Option<String>,
    pub storage_class: Option<StorageClass>,
    /// Only for INTELLIGENT_TIERING objects; see [`parse_it_tier`] for the spellings read.
    pub intelligent_tiering_access_tier: Option<ItTier>,
    pub is_multipart_uploaded: Option<bool>,
    pub replication_status: Option<String>,
    pub encryption_status: Option<String>,
    pub object_lock_retain_until_date: Option<Timestamp>,
    pub object_lock_mode: Option<String>,
    pub object_lock_legal_hold_status: Option<String>,
    pub bucket_key_status: Option<String>,
    pub checksum_algorithm: Option<String>,
    /// Base64-encoded JSON, as S3 writes it.
    pub object_access_control_list: Option<String>,
    pub object_owner: Option<String>,
    /// Kept as text: its format is not documented in the sources at hand.
    pub lifecycle_expiration_date: Option<String>,
}

/// One raw value of a row, before typing. CSV gives text; Parquet gives typed values.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum RawValue<'a> {
    /// Empty string or null.
    Absent,
    Text(&'a str),
    /// CSV text not yet checked to be UTF-8: the Key column, which decoding checks once.
    Bytes(&'a [u8]),
    Bool(bool),
    Int(i64),
    /// Milliseconds since the Unix epoch.
    Millis(i64),
    /// Microseconds since the Unix epoch.
    Micros(i64),
    /// A Parquet value of a type no inventory column has; the string names the type.
    Unexpected(String),
}

/// A problem with one value: the column name as the schema spells it, and what is wrong.
pub(crate) type FieldError = (String, Problem);

/// The longest S3 object key: "The object key name is a sequence of Unicode characters with
/// UTF-8 encoding of up to 1,024 bytes long"
/// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html). A longer key is
/// a bad row, counted like any other.
pub const MAX_KEY_BYTES: usize = 1024;

/// Decodes a key from an S3 Inventory CSV file exactly once: `%XX` becomes the byte `XX` and
/// `+` becomes a space (the form encoding S3 uses for keys it URL-encodes, where a literal `+`
/// is written `%2B`). Fails on a `%` not followed by two hex digits and on bytes that are not
/// UTF-8.
pub fn decode_csv_key(s: &str) -> Result<String, String> {
    decode_csv_key_bytes(s.as_bytes()).map_err(KeyError::expected)
}

/// Why a CSV key does not decode.
enum KeyError {
    /// A `%` not followed by two hex digits (what was expected).
    Escape(String),
    /// The raw bytes are not UTF-8.
    Utf8,
    /// The raw bytes are UTF-8, the decoded ones are not.
    DecodedUtf8,
}

impl KeyError {
    /// What a valid key would have been.
    fn expected(self) -> String {
        match self {
            KeyError::Escape(expected) => expected,
            KeyError::Utf8 | KeyError::DecodedUtf8 => {
                "a URL-encoded key that decodes to UTF-8".to_string()
            }
        }
    }
}

/// `decode_csv_key` on bytes straight from the file: UTF-8 is checked once, on the result.
fn decode_csv_key_bytes(b: &[u8]) -> Result<String, KeyError> {
    if !b.iter().any(|c| matches!(c, b'%' | b'+')) {
        return String::from_utf8(b.to_vec()).map_err(|_| KeyError::Utf8);
    }
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        // Plain bytes up to the next escape are copied as a run.
        let run = b[i..]
            .iter()
            .position(|c| matches!(c, b'%' | b'+'))
            .unwrap_or(b.len() - i);
        out.extend_from_slice(&b[i..i + run]);
        i += run;
        match b.get(i) {
            Some(b'%') => match (b.get(i + 1), b.get(i + 2)) {
                (Some(&h), Some(&l)) if h.is_ascii_hexdigit() && l.is_ascii_hexdigit() => {
                    out.push(hex_value(h) << 4 | hex_value(l));
                    i += 3;
                }
                _ => {
                    return Err(KeyError::Escape(format!(
                        "a URL-encoded key (`%` must be followed by two hex digits, at byte {i})"
                    )));
                }
            },
            Some(_) => {
                out.push(b' ');
                i += 1;
            }
            None => {}
        }
    }
    String::from_utf8(out).map_err(|_| match std::str::from_utf8(b) {
        Ok(_) => KeyError::DecodedUtf8,
        Err(_) => KeyError::Utf8,
    })
}

/// A CSV key decoded, or the problem with it under its column name.
fn csv_key(name: &str, raw: &[u8]) -> Result<String, FieldError> {
    decode_csv_key_bytes(raw).map_err(|e| {
        let problem = match e {
            KeyError::Utf8 => Problem::InvalidUtf8,
            other => Problem::Invalid {
                value: clip(&String::from_utf8_lossy(raw)),
                expected: other.expected(),
            },
        };
        (name.to_string(), problem)
    })
}

/// The value of an ASCII hex digit (callers check `is_ascii_hexdigit` first).
fn hex_value(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => 0,
    }
}

/// Reads an Intelligent-Tiering access tier as S3 Inventory may spell it. The 2023 user guide
/// describes the column as "frequent or infrequent"; the S3 API spells the opt-in archive tiers
/// `ARCHIVE_ACCESS` and `DEEP_ARCHIVE_ACCESS` (API `Tiering.AccessTier`), and the automatic
/// third tier is "Archive Instant Access". Accepted, case-insensitively, with spaces or `-` for
/// `_`: `FREQUENT`/`FREQUENT_ACCESS`, `INFREQUENT`/`INFREQUENT_ACCESS`,
/// `ARCHIVE_INSTANT`/`ARCHIVE_INSTANT_ACCESS`, `ARCHIVE`/`ARCHIVE_ACCESS`,
/// `DEEP_ARCHIVE`/`DEEP_ARCHIVE_ACCESS`.
pub fn parse_it_tier(s: &str) -> Option<ItTier> {
    let norm: String = s
        .trim()
        .chars()
        .map(|c| match c {
            ' ' | '-' => '_',
            c => c.to_ascii_uppercase(),
        })
        .collect();
    let base = norm.strip_suffix("_ACCESS").unwrap_or(&norm);
    match base {
        "FREQUENT" => Some(ItTier::Frequent),
        "INFREQUENT" => Some(ItTier::Infrequent),
        "ARCHIVE_INSTANT" => Some(ItTier::ArchiveInstant),
        "ARCHIVE" => Some(ItTier::Archive),
        "DEEP_ARCHIVE" => Some(ItTier::DeepArchive),
        _ => None,
    }
}

/// Shortens a value for an error message.
pub(crate) fn clip(s: &str) -> String {
    const MAX: usize = 80;
    if s.len() <= MAX {
        return s.to_string();
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

fn invalid(name: &str, value: &str, expected: &str) -> FieldError {
    (
        name.to_string(),
        Problem::Invalid {
            value: clip(value),
            expected: expected.to_string(),
        },
    )
}

fn unexpected(name: &str, what: &RawValue<'_>, expected: &str) -> FieldError {
    let value = match what {
        RawValue::Unexpected(t) => format!("a Parquet {t}"),
        other => format!("{other:?}"),
    };
    invalid(name, &value, expected)
}

fn text(name: &str, v: &RawValue<'_>) -> Result<Option<String>, FieldError> {
    Ok(text_ref(name, v)?.map(str::to_string))
}

/// `text` without a copy, for values parsed further.
fn text_ref<'v>(name: &str, v: &RawValue<'v>) -> Result<Option<&'v str>, FieldError> {
    match v {
        RawValue::Absent => Ok(None),
        RawValue::Text(s) => Ok(Some(*s)),
        RawValue::Bytes(b) => std::str::from_utf8(b)
            .map(Some)
            .map_err(|_| (name.to_string(), Problem::InvalidUtf8)),
        other => Err(unexpected(name, other, "text")),
    }
}

fn boolean(name: &str, v: &RawValue<'_>) -> Result<Option<bool>, FieldError> {
    match v {
        RawValue::Absent => Ok(None),
        RawValue::Bool(b) => Ok(Some(*b)),
        RawValue::Text(s) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
        RawValue::Text(s) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
        RawValue::Text(s) => Err(invalid(name, s, "true or false")),
        other => Err(unexpected(name, other, "true or false")),
    }
}

fn unsigned(name: &str, v: &RawValue<'_>) -> Result<Option<u64>, FieldError> {
    const WHAT: &str = "a size in bytes (a whole number, 0 or more)";
    match v {
        RawValue::Absent => Ok(None),
        RawValue::Int(i) => u64::try_from(*i)
            .map(Some)
            .map_err(|_| invalid(name, &i.to_string(), WHAT)),
        RawValue::Text(s) if !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()) => {
            s.parse().map(Some).map_err(|_| invalid(name, s, WHAT))
        }
        RawValue::Text(s) => Err(invalid(name, s, WHAT)),
        other => Err(unexpected(name, other, WHAT)),
    }
}

fn timestamp(name: &str, v: &RawValue<'_>) -> Result<Option<Timestamp>, FieldError> {
    const WHAT: &str = "an ISO 8601 date-time like 2024-05-06T22:44:22.000Z";
    match v {
        RawValue::Absent => Ok(None),
        RawValue::Text(s) => Timestamp::parse_rfc3339(s)
            .map(Some)
            .ok_or_else(|| invalid(name, s, WHAT)),
        RawValue::Millis(ms) => Ok(Some(Timestamp(ms.div_euclid(1000)))),
        RawValue::Micros(us) => Ok(Some(Timestamp(us.div_euclid(1_000_000)))),
        other => Err(unexpected(name, other, WHAT)),
    }
}

/// Builds a record from `(column, schema name, value)` triples. `csv_keys` says whether the key
/// is URL-encoded (CSV) or stored as is (Parquet). Columns not listed stay at their defaults;
/// unknown columns must already have been dropped by the caller.
pub(crate) fn build_record<'a, I>(values: I, csv_keys: bool) -> Result<InventoryRecord, FieldError>
where
    I: IntoIterator<Item = (Column, &'a str, RawValue<'a>)>,
{
    let mut bucket = None;
    let mut key = None;
    let mut r = InventoryRecord {
        bucket: String::new(),
        key: String::new(),
        version_id: None,
        is_latest: true,
        is_delete_marker: false,
        size: None,
        last_modified: None,
        e_tag: None,
        storage_class: None,
        intelligent_tiering_access_tier: None,
        is_multipart_uploaded: None,
        replication_status: None,
        encryption_status: None,
        object_lock_retain_until_date: None,
        object_lock_mode: None,
        object_lock_legal_hold_status: None,
        bucket_key_status: None,
        checksum_algorithm: None,
        object_access_control_list: None,
        object_owner: None,
        lifecycle_expiration_date: None,
    };
    let mut size_name = None;
    for (col, name, v) in values {
        match col {
            Column::Bucket => {
                bucket = Some(text(name, &v)?.ok_or((name.to_string(), Problem::Empty))?);
            }
            Column::Key => {
                let k = match v {
                    RawValue::Text(raw) if csv_keys => csv_key(name, raw.as_bytes())?,
                    RawValue::Bytes(raw) if csv_keys => csv_key(name, raw)?,
                    _ => text(name, &v)?.ok_or((name.to_string(), Problem::Empty))?,
                };
                if k.len() > MAX_KEY_BYTES {
                    return Err(invalid(
                        name,
                        &k,
                        &format!(
                            "an S3 object key (at most {MAX_KEY_BYTES} bytes of UTF-8; this one \
                             has {})",
                            k.len()
                        ),
                    ));
                }
                key = Some(k);
            }
            Column::VersionId => r.version_id = text(name, &v)?,
            Column::IsLatest => r.is_latest = boolean(name, &v)?.unwrap_or(true),
            Column::IsDeleteMarker => r.is_delete_marker = boolean(name, &v)?.unwrap_or(false),
            Column::Size => {
                size_name = Some(name);
                r.size = unsigned(name, &v)?;
            }
            Column::LastModifiedDate => r.last_modified = timestamp(name, &v)?,
            Column::ETag => r.e_tag = text(name, &v)?,
            Column::StorageClass => {
                r.storage_class = match text_ref(name, &v)? {
                    None => None,
                    Some(s) => Some(s.parse::<StorageClass>().map_err(|_| {
                        let all: Vec<&str> = StorageClass::ALL.iter().map(|c| c.as_str()).collect();
                        invalid(
                            name,
                            s,
                            &format!("a storage class this tool models ({})", all.join(", ")),
                        )
                    })?),
                };
            }
            Column::IntelligentTieringAccessTier => {
                r.intelligent_tiering_access_tier = match text_ref(name, &v)? {
                    None => None,
                    Some(s) => Some(parse_it_tier(s).ok_or_else(|| {
                        invalid(
                            name,
                            s,
                            "an Intelligent-Tiering access tier (FREQUENT, INFREQUENT, \
                             ARCHIVE_INSTANT_ACCESS, ARCHIVE_ACCESS, DEEP_ARCHIVE_ACCESS)",
                        )
                    })?),
                };
            }
            Column::IsMultipartUploaded => r.is_multipart_uploaded = boolean(name, &v)?,
            Column::ReplicationStatus => r.replication_status = text(name, &v)?,
            Column::EncryptionStatus => r.encryption_status = text(name, &v)?,
            Column::ObjectLockRetainUntilDate => {
                r.object_lock_retain_until_date = timestamp(name, &v)?;
            }
            Column::ObjectLockMode => r.object_lock_mode = text(name, &v)?,
            Column::ObjectLockLegalHoldStatus => r.object_lock_legal_hold_status = text(name, &v)?,
            Column::BucketKeyStatus => r.bucket_key_status = text(name, &v)?,
            Column::ChecksumAlgorithm => r.checksum_algorithm = text(name, &v)?,
            Column::ObjectAccessControlList => r.object_access_control_list = text(name, &v)?,
            Column::ObjectOwner => r.object_owner = text(name, &v)?,
            Column::LifecycleExpirationDate => {
                r.lifecycle_expiration_date = match v {
                    RawValue::Millis(_) | RawValue::Micros(_) => {
                        timestamp(name, &v)?.map(|t| t.to_string())
                    }
                    _ => text(name, &v)?,
                };
            }
        }
    }
    r.bucket = bucket.ok_or_else(|| {
        (
            "Bucket".to_string(),
            Problem::Inconsistent("the schema has no Bucket column".into()),
        )
    })?;
    r.key = key.ok_or_else(|| {
        (
            "Key".to_string(),
            Problem::Inconsistent("the schema has no Key column".into()),
        )
    })?;
    if let Some(name) = size_name
        && r.size.is_none()
        && !r.is_delete_marker
    {
        return Err((
            name.to_string(),
            Problem::Inconsistent("Size is empty but the row is not a delete marker".into()),
        ));
    }
    if r.is_delete_marker {
        r.size = None;
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Any key, percent-encoded the way S3 writes CSV keys (and with `+` for spaces or any
        /// mix of escaped and plain bytes), decodes back to itself.
        #[test]
        fn encoded_keys_decode_back(key in "\\PC{0,40}", escape in proptest::collection::vec(proptest::bool::ANY, 0..200)) {
            let mut enc = String::new();
            for (i, b) in key.bytes().enumerate() {
                match b {
                    b' ' if escape.get(i).copied().unwrap_or(false) => enc.push('+'),
                    b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'/' | b'-' | b'.'
                        if !escape.get(i).copied().unwrap_or(false) => enc.push(b as char),
                    _ => enc.push_str(&format!("%{b:02X}")),
                }
            }
            proptest::prop_assert_eq!(decode_csv_key(&enc).unwrap(), key);
        }
    }

    #[test]
    fn keys_decode_once_form_style() {
        assert_eq!(decode_csv_key("a/b.txt").unwrap(), "a/b.txt");
        assert_eq!(
            decode_csv_key("my+file%2Bv2.txt").unwrap(),
            "my file+v2.txt"
        );
        assert_eq!(decode_csv_key("100%25").unwrap(), "100%");
        // exactly once: %2525 is the text %25, not %
        assert_eq!(decode_csv_key("%2525").unwrap(), "%25");
        assert_eq!(decode_csv_key("caf%C3%A9").unwrap(), "café");
        assert!(decode_csv_key("bad%2").is_err());
        assert!(decode_csv_key("bad%zz").is_err());
        assert!(decode_csv_key("%+1").is_err());
        assert!(decode_csv_key("%FF").is_err());
    }

    #[test]
    fn it_tiers_read_api_and_short_spellings() {
        assert_eq!(parse_it_tier("FREQUENT"), Some(ItTier::Frequent));
        assert_eq!(parse_it_tier("infrequent"), Some(ItTier::Infrequent));
        assert_eq!(
            parse_it_tier("ARCHIVE_INSTANT_ACCESS"),
            Some(ItTier::ArchiveInstant)
        );
        assert_eq!(parse_it_tier("Archive Access"), Some(ItTier::Archive));
        assert_eq!(
            parse_it_tier("DEEP_ARCHIVE_ACCESS"),
            Some(ItTier::DeepArchive)
        );
        assert_eq!(parse_it_tier("DEEP_ARCHIVE"), Some(ItTier::DeepArchive));
        assert_eq!(parse_it_tier("GLACIER"), None);
        assert_eq!(parse_it_tier(""), None);
    }

    #[test]
    fn columns_match_both_spellings() {
        assert_eq!(
            Column::from_name("LastModifiedDate"),
            Some(Column::LastModifiedDate)
        );
        assert_eq!(
            Column::from_name("last_modified_date"),
            Some(Column::LastModifiedDate)
        );
        assert_eq!(Column::from_name("e_tag"), Some(Column::ETag));
        assert_eq!(
            Column::from_name("MultipartUploaded"),
            Some(Column::IsMultipartUploaded)
        );
        assert_eq!(Column::from_name("Sizes"), None);
    }
}
