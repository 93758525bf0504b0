//! The `manifest.json` of an S3 Inventory delivery: parsing it (with its `fileSchema` turned into
//! a list of column names for CSV, ORC and Parquet spellings), checking it against a sibling
//! `manifest.checksum`, finding its data files on disk and verifying their size and MD5.
//!
//! Layout and keys follow the S3 user guide page "Locating your inventory list"
//! (`inventory-fields.md` in the corpus). `creationTimestamp` is optional because the oldest
//! documented example (developer guide, 2017) has none. `MD5checksum` values are kept as text
//! and checked only when a data file is verified, because the documented ORC and Parquet
//! examples carry placeholders such as `5925f4e78e1695c2d020b9f6eexample`.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

use md5::{Digest, Md5};
use serde_json::{Map, Value};

use crate::units::Timestamp;

use super::error::InventoryError;
use super::record::Column;

/// The format of a delivery's data files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileFormat {
    /// Gzip-compressed CSV (`.csv.gz`); plain and zstd CSV are read too.
    Csv,
    /// Apache ORC: listed by manifests, but not read by costlab.
    Orc,
    /// Apache Parquet.
    Parquet,
}

impl FileFormat {
    /// The manifest's spelling: `CSV`, `ORC`, `Parquet`.
    pub fn as_str(self) -> &'static str {
        match self {
            FileFormat::Csv => "CSV",
            FileFormat::Orc => "ORC",
            FileFormat::Parquet => "Parquet",
        }
    }
}

/// One data file listed by a manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestFile {
    /// The S3 key of the data file in the destination bucket.
    pub key: String,
    /// Bytes, as stored (compressed).
    pub size: u64,
    /// MD5 of the stored bytes, as written in the manifest (normally 32 hex digits).
    pub md5_checksum: String,
    /// `inventoriedRecord`, present in some older manifests.
    pub inventoried_records: Option<u64>,
}

/// A parsed `manifest.json`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    /// Where the manifest was read from (used in messages and to find data files).
    pub path: PathBuf,
    pub source_bucket: String,
    /// A bucket name or an `arn:aws:s3:::` ARN, as written.
    pub destination_bucket: String,
    /// The manifest format version, `2016-11-30` in every known delivery.
    pub version: String,
    /// When the inventory was taken (epoch milliseconds in the file, whole seconds here).
    pub creation_timestamp: Option<Timestamp>,
    pub file_format: FileFormat,
    /// Column names in file order, as spelled by the `fileSchema` (empty when an ORC or Parquet
    /// manifest has no schema: those files carry their own).
    pub file_schema: Vec<String>,
    pub files: Vec<ManifestFile>,
}

impl Manifest {
    /// Reads and parses a manifest file.
    pub fn from_path(path: &Path) -> Result<Manifest, InventoryError> {
        let mut bytes = Vec::new();
        File::open(path)
            .and_then(|f| f.take(MAX_MANIFEST_BYTES).read_to_end(&mut bytes))
            .map_err(|e| InventoryError::io(path, e))?;
        Manifest::parse(&bytes, path)
    }

    /// Parses manifest bytes; `path` is used in messages and to find data files.
    pub fn parse(bytes: &[u8], path: &Path) -> Result<Manifest, InventoryError> {
        let value: Value =
            serde_json::from_slice(bytes).map_err(|e| InventoryError::ManifestJson {
                path: path.to_path_buf(),
                line: e.line(),
                column: e.column(),
                message: e.to_string(),
            })?;
        let field_err = |field: &str, reason: String| InventoryError::ManifestField {
            path: path.to_path_buf(),
            field: field.to_string(),
            reason,
        };
        let Value::Object(obj) = value else {
            return Err(field_err(
                "(top level)",
                "expected a JSON object with sourceBucket, fileFormat, files, …".into(),
            ));
        };
        let source_bucket =
            req_str(&obj, "sourceBucket").map_err(|r| field_err("sourceBucket", r))?;
        let destination_bucket =
            req_str(&obj, "destinationBucket").map_err(|r| field_err("destinationBucket", r))?;
        let version = req_str(&obj, "version").map_err(|r| field_err("version", r))?;
        let creation_timestamp = match obj.get("creationTimestamp") {
            None | Some(Value::Null) => None,
            Some(v) => Some(parse_epoch_millis(v).map_err(|r| field_err("creationTimestamp", r))?),
        };
        let format_text = req_str(&obj, "fileFormat").map_err(|r| field_err("fileFormat", r))?;
        let file_format = match format_text.to_ascii_lowercase().as_str() {
            "csv" => FileFormat::Csv,
            "orc" => FileFormat::Orc,
            "parquet" => FileFormat::Parquet,
            _ => {
                return Err(field_err(
                    "fileFormat",
                    format!("{format_text:?} is not one of CSV, ORC, Parquet"),
                ));
            }
        };
        let file_schema = match obj.get("fileSchema") {
            None | Some(Value::Null) if file_format == FileFormat::Csv => {
                return Err(field_err(
                    "fileSchema",
                    "missing; a CSV delivery needs it to name its columns (CSV data files have \
                     no header row)"
                        .into(),
                ));
            }
            None | Some(Value::Null) => Vec::new(),
            Some(Value::String(s)) => {
                parse_file_schema(file_format, s).map_err(|r| field_err("fileSchema", r))?
            }
            Some(_) => return Err(field_err("fileSchema", "expected a string".into())),
        };
        let Some(Value::Array(list)) = obj.get("files") else {
            return Err(field_err(
                "files",
                "missing or not an array of {key, size, MD5checksum}".into(),
            ));
        };
        let mut files = Vec::with_capacity(list.len());
        for (i, item) in list.iter().enumerate() {
            let at = |name: &str| format!("files[{i}].{name}");
            let Value::Object(f) = item else {
                return Err(field_err(
                    &format!("files[{i}]"),
                    "expected an object".into(),
                ));
            };
            let key = req_str(f, "key").map_err(|r| field_err(&at("key"), r))?;
            let size = f
                .get("size")
                .and_then(Value::as_u64)
                .ok_or_else(|| field_err(&at("size"), "missing or not a whole number".into()))?;
            let md5_checksum =
                req_str(f, "MD5checksum").map_err(|r| field_err(&at("MD5checksum"), r))?;
            let inventoried_records = match f.get("inventoriedRecord") {
                None | Some(Value::Null) => None,
                Some(v) => Some(v.as_u64().ok_or_else(|| {
                    field_err(&at("inventoriedRecord"), "not a whole number".into())
                })?),
            };
            files.push(ManifestFile {
                key,
                size,
                md5_checksum,
                inventoried_records,
            });
        }
        Ok(Manifest {
            path: path.to_path_buf(),
            source_bucket,
            destination_bucket,
            version,
            creation_timestamp,
            file_format,
            file_schema,
            files,
        })
    }

    /// The documented column each schema name denotes (`None` for unknown names).
    pub fn columns(&self) -> Vec<Option<Column>> {
        self.file_schema
            .iter()
            .map(|n| Column::from_name(n))
            .collect()
    }

    /// The directory data files are looked for from.
    pub fn dir(&self) -> PathBuf {
        match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }

    /// Where a listed data file is on disk: the full key under the manifest's directory or one
    /// of its ancestors up to 8 levels (a mirrored bucket), else the key's file name next to the manifest,
    /// else in a sibling `data/` directory (S3's delivery layout). Keys with `..` or absolute
    /// paths are only matched by file name.
    pub fn resolve(&self, file: &ManifestFile) -> Result<PathBuf, InventoryError> {
        let dir = self.dir();
        let key = Path::new(&file.key);
        let mut tried = Vec::new();
        if key.components().all(|c| matches!(c, Component::Normal(_))) {
            // S3 keys start at the destination prefix; a mirror's root is a few levels above
            // the manifest (prefix/source-bucket/config-ID/YYYY-MM-DDTHH-MMZ/manifest.json).
            for base in dir.ancestors().take(MAX_MIRROR_DEPTH) {
                tried.push(base.join(key));
            }
        }
        if let Some(name) = key.file_name() {
            tried.push(dir.join(name));
            if let Some(parent) = dir.parent() {
                tried.push(parent.join("data").join(name));
            }
        }
        tried.dedup();
        for candidate in &tried {
            if candidate.is_file() {
                return Ok(candidate.clone());
            }
        }
        Err(InventoryError::DataFileMissing {
            manifest: self.path.clone(),
            key: file.key.clone(),
            tried,
        })
    }

    /// Checks the manifest against its sibling checksum file (`manifest.checksum` for
    /// `manifest.json`, `x_manifest.checksum` for `x_manifest.json`) when there is one.
    /// Returns the checksum file used, or `None` when there is none.
    pub fn verify_checksum_file(&self) -> Result<Option<PathBuf>, InventoryError> {
        let checksum_file = self.path.with_extension("checksum");
        if checksum_file == self.path || !checksum_file.is_file() {
            return Ok(None);
        }
        let mut text = String::new();
        File::open(&checksum_file)
            .and_then(|f| f.take(1024).read_to_string(&mut text))
            .map_err(|e| InventoryError::io(&checksum_file, e))?;
        let expected = text.trim().to_ascii_lowercase();
        let actual = md5_file(&self.path)?;
        if expected != actual {
            return Err(InventoryError::ManifestChecksumMismatch {
                manifest: self.path.clone(),
                checksum_file,
                expected,
                actual,
            });
        }
        Ok(Some(checksum_file))
    }

    /// Checks a data file's size and MD5 against this manifest's entry for it.
    pub fn verify(&self, file: &ManifestFile, path: &Path) -> Result<(), InventoryError> {
        let expected = file.md5_checksum.trim().to_ascii_lowercase();
        if expected.len() != 32 || !expected.bytes().all(|c| c.is_ascii_hexdigit()) {
            return Err(InventoryError::BadChecksumValue {
                manifest: self.path.clone(),
                key: file.key.clone(),
                value: file.md5_checksum.clone(),
            });
        }
        let actual_size = std::fs::metadata(path)
            .map_err(|e| InventoryError::io(path, e))?
            .len();
        if actual_size != file.size {
            return Err(InventoryError::SizeMismatch {
                path: path.to_path_buf(),
                expected: file.size,
                actual: actual_size,
            });
        }
        let actual = md5_file(path)?;
        if actual != expected {
            return Err(InventoryError::Md5Mismatch {
                path: path.to_path_buf(),
                expected,
                actual,
            });
        }
        Ok(())
    }
}

/// How many directories up from the manifest a mirrored bucket's root is looked for.
const MAX_MIRROR_DEPTH: usize = 8;

/// Manifests are small (a few kB per thousand data files); anything past this is not one.
const MAX_MANIFEST_BYTES: u64 = 256 << 20;

fn req_str(obj: &Map<String, Value>, name: &str) -> Result<String, String> {
    match obj.get(name) {
        Some(Value::String(s)) => Ok(s.clone()),
        None | Some(Value::Null) => Err("missing".into()),
        Some(_) => Err("expected a string".into()),
    }
}

fn parse_epoch_millis(v: &Value) -> Result<Timestamp, String> {
    let text = match v {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => return Err("expected epoch milliseconds as a string, like \"1715043600000\"".into()),
    };
    let ms: i64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not epoch milliseconds like \"1715043600000\""))?;
    Ok(Timestamp(ms.div_euclid(1000)))
}

/// Lower-case hex MD5 of a file, read in chunks.
pub fn md5_file(path: &Path) -> Result<String, InventoryError> {
    let mut f = File::open(path).map_err(|e| InventoryError::io(path, e))?;
    let mut hasher = Md5::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => hasher.update(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(InventoryError::io(path, e)),
        }
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Turns a `fileSchema` into column names, in file order:
/// * CSV: `Bucket, Key, Size, …` (comma-separated);
/// * ORC: `struct<bucket:string,key:string,…>`;
/// * Parquet: `message s3.inventory { required binary bucket (UTF8); … }`. The name is the last
///   word before any `(…)` annotation, so the 2021-06-04 documentation example that omits the
///   type (`optional intelligent_tiering_access_tier (UTF8);`) still reads.
pub fn parse_file_schema(format: FileFormat, schema: &str) -> Result<Vec<String>, String> {
    // Counted before anything is collected: a schema of millions of empty names would
    // otherwise be held whole (a manifest is read whole, its schema split into names).
    let separators = schema.bytes().filter(|b| matches!(b, b',' | b';')).count();
    if separators >= MAX_SCHEMA_COLUMNS {
        return Err(format!(
            "lists {} or more columns; an S3 Inventory has a few dozen at most (limit \
             {MAX_SCHEMA_COLUMNS})",
            separators + 1
        ));
    }
    let names: Vec<String> = match format {
        FileFormat::Csv => schema.split(',').map(|s| s.trim().to_string()).collect(),
        FileFormat::Orc => {
            let t = schema.trim();
            let inner = t
                .get(..7)
                .filter(|p| p.eq_ignore_ascii_case("struct<"))
                .and_then(|_| t[7..].strip_suffix('>'))
                .ok_or("an ORC fileSchema looks like struct<bucket:string,key:string,…>")?;
            split_top_level(inner)
                .into_iter()
                .map(|field| {
                    field
                        .split_once(':')
                        .map(|(n, _)| n.trim().to_string())
                        .ok_or_else(|| format!("ORC field {field:?} has no `:type`"))
                })
                .collect::<Result<_, _>>()?
        }
        FileFormat::Parquet => {
            let t = schema.trim();
            let (open, close) = match (t.find('{'), t.rfind('}')) {
                (Some(o), Some(c)) if t.starts_with("message") && o < c => (o, c),
                _ => {
                    return Err(
                        "a Parquet fileSchema looks like message s3.inventory { required binary \
                         bucket (UTF8); … }"
                            .into(),
                    );
                }
            };
            t[open + 1..close]
                .split(';')
                .map(str::trim)
                .filter(|f| !f.is_empty())
                .map(|field| {
                    let head = field.split('(').next().unwrap_or(field);
                    head.split_whitespace()
                        .last()
                        .map(str::to_string)
                        .ok_or_else(|| format!("Parquet field {field:?} has no name"))
                })
                .collect::<Result<_, _>>()?
        }
    };
    if let Some(i) = names.iter().position(|n| n.is_empty()) {
        return Err(format!("column {} has an empty name", i + 1));
    }
    if !names
        .iter()
        .any(|n| Column::from_name(n) == Some(Column::Key))
    {
        return Err("lists no Key column; every inventory has Bucket and Key".into());
    }
    Ok(names)
}

/// The most columns a `fileSchema` may list (S3 Inventory has about 25 fields).
pub const MAX_SCHEMA_COLUMNS: usize = 1024;

/// Splits on commas outside `<…>`.
fn split_top_level(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '<' => depth += 1,
            '>' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the inventory fuzz target: a fileSchema of three million empty names held
    /// 108 MB before the empty name was noticed. The count is checked first, in every format.
    #[test]
    fn a_schema_of_too_many_columns_is_refused_before_it_is_split() {
        let wide = format!("Bucket, Key{}", ",".repeat(MAX_SCHEMA_COLUMNS));
        let e = parse_file_schema(FileFormat::Csv, &wide).unwrap_err();
        assert!(e.contains("1026 or more columns"), "{e}");
        let orc = format!("struct<bucket:string,key:string{}>", ",x:int".repeat(2000));
        assert!(parse_file_schema(FileFormat::Orc, &orc).is_err());
        let parquet = format!(
            "message s3.inventory {{ required binary bucket; required binary key;{} }}",
            " optional int32 x;".repeat(2000)
        );
        assert!(parse_file_schema(FileFormat::Parquet, &parquet).is_err());
        // At the limit's edge, a schema is read.
        let edge = format!("Bucket,Key{}", ",X".repeat(MAX_SCHEMA_COLUMNS - 3));
        assert_eq!(
            parse_file_schema(FileFormat::Csv, &edge).unwrap().len(),
            MAX_SCHEMA_COLUMNS - 1
        );
    }

    #[test]
    fn schemas_of_each_format_become_column_names() {
        assert_eq!(
            parse_file_schema(FileFormat::Csv, "Bucket, Key,Size ").unwrap(),
            ["Bucket", "Key", "Size"]
        );
        assert_eq!(
            parse_file_schema(
                FileFormat::Orc,
                "struct<bucket:string,key:string,tags:map<string,string>,size:bigint>"
            )
            .unwrap(),
            ["bucket", "key", "tags", "size"]
        );
        assert_eq!(
            parse_file_schema(
                FileFormat::Parquet,
                "message s3.inventory {  required binary bucket (STRING);  required binary key \
                 (STRING); optional int64 last_modified_date (TIMESTAMP(MILLIS,true)); optional \
                 intelligent_tiering_access_tier (UTF8);}"
            )
            .unwrap(),
            [
                "bucket",
                "key",
                "last_modified_date",
                "intelligent_tiering_access_tier"
            ]
        );
        assert!(parse_file_schema(FileFormat::Csv, "Bucket, , Key").is_err());
        assert!(parse_file_schema(FileFormat::Orc, "bucket:string,key:string").is_err());
        assert!(parse_file_schema(FileFormat::Parquet, "{ required binary key; }").is_err());
        assert!(parse_file_schema(FileFormat::Csv, "Bucket, Size").is_err());
    }

    #[test]
    fn epoch_millis_round_down_to_seconds() {
        assert_eq!(
            parse_epoch_millis(&Value::String("1715043600999".into())).unwrap(),
            Timestamp(1_715_043_600)
        );
        assert!(parse_epoch_millis(&Value::Bool(true)).is_err());
        assert!(parse_epoch_millis(&Value::String("1e3".into())).is_err());
    }
}
