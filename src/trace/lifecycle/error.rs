//! Errors of the lifecycle readers (`LifecycleError`: file, line where the format gives one,
//! field path, and what to fix) and of the validator (`ValidationError`: which rule, by ID,
//! broke which S3 rule).

use std::fmt;

/// A document that could not be read into the model.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    /// Not a document at all: empty, not UTF-8, neither JSON nor XML.
    #[error("{file}: {message}")]
    Input { file: String, message: String },
    /// The JSON syntax is broken.
    #[error("{file}:{line}:{column}: not valid JSON: {message}")]
    JsonSyntax {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// The XML is not well-formed.
    #[error("{file}:{line}: not well-formed XML: {message}")]
    XmlSyntax {
        file: String,
        line: usize,
        message: String,
    },
    /// Well-formed, but a field is missing, unknown, of the wrong type or out of its
    /// vocabulary. `field` is a path such as `Rules[0].Transitions[1].StorageClass`.
    #[error("{}: {field}: {message}", location(file, *line))]
    Field {
        file: String,
        line: Option<usize>,
        field: String,
        message: String,
    },
}

fn location(file: &str, line: Option<usize>) -> String {
    match line {
        Some(l) => format!("{file}:{l}"),
        None => file.to_string(),
    }
}

impl LifecycleError {
    /// The 1-based line the error points at, when the format gives one.
    pub fn line(&self) -> Option<usize> {
        match self {
            LifecycleError::Input { .. } => None,
            LifecycleError::JsonSyntax { line, .. } | LifecycleError::XmlSyntax { line, .. } => {
                Some(*line)
            }
            LifecycleError::Field { line, .. } => *line,
        }
    }

    /// The field path of a `Field` error.
    pub fn field(&self) -> Option<&str> {
        match self {
            LifecycleError::Field { field, .. } => Some(field),
            _ => None,
        }
    }

    pub fn file(&self) -> &str {
        match self {
            LifecycleError::Input { file, .. }
            | LifecycleError::JsonSyntax { file, .. }
            | LifecycleError::XmlSyntax { file, .. }
            | LifecycleError::Field { file, .. } => file,
        }
    }
}

/// Which S3 rule a configuration breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValidationKind {
    /// No rules at all.
    NoRules,
    /// More than 1,000 rules (§2.5).
    TooManyRules,
    /// Two rules share an ID.
    DuplicateId,
    /// ID longer than 255 characters.
    IdTooLong,
    /// A rule with no action.
    NoAction,
    /// A transition target S3 never transitions to (STANDARD, REDUCED_REDUNDANCY, …) or a step
    /// up the waterfall (§2.5).
    UnsupportedTransition,
    /// Two transitions of one rule on the same day, or to the same class.
    DuplicateTransition,
    /// Days and Date actions mixed in one rule.
    MixedDaysAndDate,
    /// STANDARD_IA / ONEZONE_IA sooner than 30 days (§2.5).
    IaTooSoon,
    /// GLACIER / DEEP_ARCHIVE less than 30 days after an IA transition of the same rule (§2.5).
    IaToArchiveGap,
    /// A date that is not midnight UTC.
    DateNotMidnight,
    /// A day count that must be positive is 0.
    ZeroDays,
    /// Expiration with none, or more than one, of Days / Date / ExpiredObjectDeleteMarker.
    ExpirationShape,
    /// ObjectSizeGreaterThan ≥ ObjectSizeLessThan.
    SizeRange,
    /// A size bound above 5 TB.
    SizeTooLarge,
    /// NewerNoncurrentVersions outside 1..=100.
    NewerNoncurrentVersions,
    /// ExpiredObjectDeleteMarker in a tag-filtered rule.
    DeleteMarkerWithTags,
    /// AbortIncompleteMultipartUpload in a tag-filtered rule.
    AbortMpuWithTags,
    /// A tag with an empty or over-long key or value, or a key used twice.
    BadTag,
    /// A Filter's `And` with fewer than two predicates.
    AndTooFew,
    /// An expiration not later than a transition of the same rule (current or noncurrent).
    ExpirationBeforeTransition,
    /// Intelligent-Tiering archive days outside the tier's range (§2.4).
    TieringDays,
    /// Intelligent-Tiering: no tierings, or one access tier twice.
    TieringShape,
    /// An ID, prefix or tag holds a character XML 1.0 cannot carry (a control character
    /// other than tab, line feed and carriage return, U+FFFE, U+FFFF): S3 reads every
    /// configuration as XML, so it cannot be put.
    NotXmlText,
}

impl ValidationKind {
    /// A stable snake_case name, for machine-readable output.
    pub fn as_str(self) -> &'static str {
        use ValidationKind::*;
        match self {
            NoRules => "no_rules",
            TooManyRules => "too_many_rules",
            DuplicateId => "duplicate_id",
            IdTooLong => "id_too_long",
            NoAction => "no_action",
            UnsupportedTransition => "unsupported_transition",
            DuplicateTransition => "duplicate_transition",
            MixedDaysAndDate => "mixed_days_and_date",
            IaTooSoon => "ia_too_soon",
            IaToArchiveGap => "ia_to_archive_gap",
            DateNotMidnight => "date_not_midnight",
            ZeroDays => "zero_days",
            ExpirationShape => "expiration_shape",
            SizeRange => "size_range",
            SizeTooLarge => "size_too_large",
            NewerNoncurrentVersions => "newer_noncurrent_versions",
            DeleteMarkerWithTags => "delete_marker_with_tags",
            AbortMpuWithTags => "abort_mpu_with_tags",
            BadTag => "bad_tag",
            AndTooFew => "and_too_few",
            ExpirationBeforeTransition => "expiration_before_transition",
            TieringDays => "tiering_days",
            TieringShape => "tiering_shape",
            NotXmlText => "not_xml_text",
        }
    }
}

/// One broken rule of a configuration. `Display` quotes the rule ID.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationError {
    /// Index of the rule in the configuration, when the problem belongs to one rule.
    pub rule_index: Option<usize>,
    /// The rule's ID, when it has one.
    pub rule_id: Option<String>,
    pub kind: ValidationKind,
    pub message: String,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.rule_id, self.rule_index) {
            // An over-long ID (reported as such) is shortened, not printed whole in every line.
            (Some(id), _) if id.chars().count() > super::validate::MAX_ID_CHARS => {
                let short: String = id.chars().take(40).collect();
                write!(f, "rule {short:?}…: {}", self.message)
            }
            (Some(id), _) => write!(f, "rule {id:?}: {}", self.message),
            (None, Some(i)) => write!(f, "rule #{} (no ID): {}", i + 1, self.message),
            (None, None) => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ValidationError {}
