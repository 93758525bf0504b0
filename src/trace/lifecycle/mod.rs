//! S3 lifecycle configurations: reading the JSON that `aws s3api
//! put-bucket-lifecycle-configuration` accepts (and `get-bucket-lifecycle-configuration`
//! prints), the REST API XML and the legacy rule-level `Prefix` into one typed model
//! (`model`), validating it as S3 does (`validate`), and writing it back out (`write`); plus
//! Intelligent-Tiering archive configurations (`intelligent_tiering`).
//!
//! ```
//! use costlab::trace::lifecycle::{parse, to_json, validate};
//! let cfg = parse("l.json", r#"{"Rules": [{"ID": "r", "Status": "Enabled", "Filter": {},
//!     "Expiration": {"Days": 30}}]}"#).unwrap();
//! assert!(validate(&cfg).is_empty());
//! assert_eq!(parse("again.json", &to_json(&cfg)).unwrap(), cfg);
//! ```

pub mod check;
mod error;
mod intelligent_tiering;
mod json;
mod model;
mod validate;
mod write;
mod xml;

pub use error::{LifecycleError, ValidationError, ValidationKind};
pub use intelligent_tiering::{
    AccessTier, IntelligentTieringConfiguration, Tiering, intelligent_tiering_to_json,
    intelligent_tiering_to_xml, parse_intelligent_tiering, parse_intelligent_tiering_json,
    parse_intelligent_tiering_xml, validate_intelligent_tiering,
};
pub use json::parse_json;
pub use model::{
    Expiration, Filter, FilterForm, LifecycleConfiguration, NoncurrentVersionExpiration,
    NoncurrentVersionTransition, Rule, Schedule, Status, Tag, Transition,
    TransitionDefaultMinimumObjectSize, parse_storage_class,
};
pub use validate::{
    IA_MIN_DAYS, IA_TO_ARCHIVE_GAP_DAYS, MAX_ID_CHARS, MAX_OBJECT_SIZE_BYTES, MAX_RULES,
    NEWER_NONCURRENT_VERSIONS, is_transition_target, supported_transition, validate, xml_can_carry,
};
pub use write::{S3_XML_NAMESPACE, to_json, to_xml};
pub use xml::parse_xml;

impl LifecycleConfiguration {
    /// Same as [`validate`].
    pub fn validate(&self) -> Vec<ValidationError> {
        validate::validate(self)
    }
}

/// The two document forms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

/// Decides the form from the first non-blank character (`{` JSON, `<` XML).
pub fn detect(file: &str, text: &str) -> Result<Format, LifecycleError> {
    let body = text.trim_start_matches('\u{feff}').trim_start();
    let input = |message: String| LifecycleError::Input {
        file: file.to_string(),
        message,
    };
    match body.chars().next() {
        None => Err(input("the file is empty".into())),
        Some('{' | '[') => Ok(Format::Json),
        Some('<') => Ok(Format::Xml),
        Some(_) => {
            let first: String = body.lines().next().unwrap_or("").chars().take(60).collect();
            Err(input(format!(
                "neither JSON (starts with '{{') nor XML (starts with '<'); the first line is {first:?}"
            )))
        }
    }
}

/// Parses a lifecycle configuration, JSON or XML by its first character.
pub fn parse(file: &str, text: &str) -> Result<LifecycleConfiguration, LifecycleError> {
    let text = text.trim_start_matches('\u{feff}');
    match detect(file, text)? {
        Format::Json => parse_json(file, text),
        Format::Xml => parse_xml(file, text),
    }
}

/// Like [`parse`], from raw bytes: invalid UTF-8 is an error naming the line.
pub fn parse_bytes(file: &str, bytes: &[u8]) -> Result<LifecycleConfiguration, LifecycleError> {
    parse(file, utf8(file, bytes)?)
}

/// Checks that bytes are UTF-8, naming the line of the first bad byte.
pub fn utf8<'b>(file: &str, bytes: &'b [u8]) -> Result<&'b str, LifecycleError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        LifecycleError::Input {
            file: file.to_string(),
            message: format!("line {line}: not UTF-8 (bad byte at offset {at})"),
        }
    })
}

/// Reads and parses a lifecycle configuration file (`-`: standard input), refusing one larger
/// than `trace::input::MAX_CONFIG_BYTES` unread.
pub fn read_file(path: &std::path::Path) -> Result<LifecycleConfiguration, LifecycleError> {
    let (file, bytes) = read_bytes(path)?;
    parse_bytes(&file, &bytes)
}

/// A lifecycle file's name for messages (`<stdin>` for `-`) and its bytes, size-capped.
pub fn read_bytes(path: &std::path::Path) -> Result<(String, Vec<u8>), LifecycleError> {
    let file = if path == std::path::Path::new("-") {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    };
    match crate::trace::input::read_bytes_limited(path, crate::trace::input::MAX_CONFIG_BYTES) {
        Ok(bytes) => Ok((file, bytes)),
        Err(e) => Err(LifecycleError::Input {
            file,
            message: e.to_string(),
        }),
    }
}
