//! The typed lifecycle model: a `LifecycleConfiguration` of `Rule`s, each with a `Filter`,
//! transitions, expirations and the noncurrent-version and multipart-upload actions, as S3
//! defines them. Both readers (JSON, XML) produce it, the writers print it, `validate` checks it
//! and the S3 simulator consumes it. Spelling (the API's `STANDARD_IA`, `Enabled`, …) lives here.

use crate::aws::StorageClass;
use crate::units::Timestamp;
use std::fmt;
use std::str::FromStr;

const SECONDS_PER_DAY: i64 = 86_400;

/// A whole lifecycle configuration: what `put-bucket-lifecycle-configuration` takes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LifecycleConfiguration {
    pub rules: Vec<Rule>,
    /// `TransitionDefaultMinimumObjectSize` (Sept 2024, s3-pricing-and-rules.md §2.5). `None`
    /// when the document does not say; S3 then applies `all_storage_classes_128K` to new
    /// configurations. In the REST API it is a header, so only the JSON form carries it.
    pub transition_default_minimum_object_size: Option<TransitionDefaultMinimumObjectSize>,
}

/// Whether a rule is applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    Enabled,
    Disabled,
}

/// `TransitionDefaultMinimumObjectSize` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TransitionDefaultMinimumObjectSize {
    /// `all_storage_classes_128K`: objects < 128 KB transition nowhere by default.
    AllStorageClasses128K,
    /// `varies_by_storage_class`: objects < 128 KB may still go to GLACIER / DEEP_ARCHIVE.
    VariesByStorageClass,
}

/// One lifecycle rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// `ID`; S3 assigns one when absent.
    pub id: Option<String>,
    pub status: Status,
    pub filter: Filter,
    /// Current-version transitions (`Transitions` in JSON, repeated `<Transition>` in XML, or
    /// the legacy singular JSON `Transition`), in document order.
    pub transitions: Vec<Transition>,
    pub expiration: Option<Expiration>,
    pub noncurrent_version_transitions: Vec<NoncurrentVersionTransition>,
    pub noncurrent_version_expiration: Option<NoncurrentVersionExpiration>,
    /// `AbortIncompleteMultipartUpload.DaysAfterInitiation`.
    pub abort_incomplete_multipart_upload_days: Option<u32>,
}

/// How a rule selects objects. All present predicates must hold (prefix, every tag, both size
/// bounds). `form` remembers how the document spelled it so the writers can spell it back.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    pub prefix: Option<String>,
    pub tags: Vec<Tag>,
    /// `ObjectSizeGreaterThan`, bytes (exclusive).
    pub object_size_greater_than: Option<u64>,
    /// `ObjectSizeLessThan`, bytes (exclusive).
    pub object_size_less_than: Option<u64>,
    pub form: FilterForm,
}

/// The syntax a filter was written in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum FilterForm {
    /// Neither `Filter` nor the legacy `Prefix`: the rule applies to every object.
    Absent,
    /// The deprecated rule-level `Prefix` (PutBucketLifecycle shape).
    LegacyPrefix,
    /// A `Filter` holding at most one predicate (`{}` means every object).
    #[default]
    Single,
    /// A `Filter` with an `And` of predicates.
    And,
}

/// An object tag.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// When an action applies: a number of days after creation (or after becoming noncurrent), or
/// a calendar date (midnight UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Schedule {
    Days(u32),
    Date(Timestamp),
}

/// A current-version transition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Transition {
    pub when: Schedule,
    pub storage_class: StorageClass,
}

/// The current-version expiration. Exactly one of `when` and `expired_object_delete_marker`
/// should be set; `validate` reports other combinations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Expiration {
    pub when: Option<Schedule>,
    pub expired_object_delete_marker: Option<bool>,
}

/// A noncurrent-version transition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NoncurrentVersionTransition {
    pub noncurrent_days: u32,
    pub storage_class: StorageClass,
    /// Keep this many newer noncurrent versions untouched (1..=100).
    pub newer_noncurrent_versions: Option<u32>,
}

/// The noncurrent-version expiration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NoncurrentVersionExpiration {
    pub noncurrent_days: u32,
    pub newer_noncurrent_versions: Option<u32>,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Enabled => "Enabled",
            Status::Disabled => "Disabled",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Status, String> {
        match s {
            "Enabled" => Ok(Status::Enabled),
            "Disabled" => Ok(Status::Disabled),
            _ => Err(format!("expected Enabled or Disabled, found {s:?}")),
        }
    }
}

impl TransitionDefaultMinimumObjectSize {
    pub fn as_str(self) -> &'static str {
        match self {
            TransitionDefaultMinimumObjectSize::AllStorageClasses128K => "all_storage_classes_128K",
            TransitionDefaultMinimumObjectSize::VariesByStorageClass => "varies_by_storage_class",
        }
    }
}

impl fmt::Display for TransitionDefaultMinimumObjectSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TransitionDefaultMinimumObjectSize {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "all_storage_classes_128K" => Ok(Self::AllStorageClasses128K),
            "varies_by_storage_class" => Ok(Self::VariesByStorageClass),
            _ => Err(format!(
                "expected all_storage_classes_128K or varies_by_storage_class, found {s:?}"
            )),
        }
    }
}

/// Parses an API storage-class name; the message names the API spelling when the input is a
/// console/documentation name such as "S3 Glacier Flexible Retrieval".
pub fn parse_storage_class(s: &str) -> Result<StorageClass, String> {
    if let Ok(c) = s.parse::<StorageClass>() {
        return Ok(c);
    }
    let norm: String = s
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    let hint = match norm.as_str() {
        "s3glacierflexibleretrieval" | "glacierflexibleretrieval" | "s3glacier" => Some("GLACIER"),
        "s3glacierdeeparchive" | "glacierdeeparchive" | "deeparchive" => Some("DEEP_ARCHIVE"),
        "s3glacierinstantretrieval" | "glacierinstantretrieval" | "glacierir" => Some("GLACIER_IR"),
        "s3standardia" | "standardia" | "standardinfrequentaccess" => Some("STANDARD_IA"),
        "s3onezoneia" | "onezoneia" => Some("ONEZONE_IA"),
        "s3intelligenttiering" | "intelligenttiering" => Some("INTELLIGENT_TIERING"),
        _ => None,
    };
    let expected = StorageClass::ALL
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    Err(match hint {
        Some(api) => format!(
            "unknown storage class {s:?}: that is the console/documentation name; \
             the S3 API spells it {api}"
        ),
        None => format!("unknown storage class {s:?}; expected one of: {expected}"),
    })
}

impl Schedule {
    /// The day (since 1970-01-01) of a date schedule, or the day count of a days schedule;
    /// only comparable between schedules of the same kind.
    pub(crate) fn ordinal(self) -> i64 {
        match self {
            Schedule::Days(d) => i64::from(d),
            Schedule::Date(t) => t.0.div_euclid(SECONDS_PER_DAY),
        }
    }

    pub fn is_days(self) -> bool {
        matches!(self, Schedule::Days(_))
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Schedule::Days(d) => write!(f, "{d} days"),
            Schedule::Date(t) => write!(f, "{t}"),
        }
    }
}

impl Filter {
    /// A filter that matches every object (`"Filter": {}`).
    pub fn all() -> Filter {
        Filter::default()
    }

    /// `"Filter": {"Prefix": p}`.
    pub fn prefix(p: impl Into<String>) -> Filter {
        Filter {
            prefix: Some(p.into()),
            ..Filter::default()
        }
    }

    /// The legacy rule-level `"Prefix": p`.
    pub fn legacy_prefix(p: impl Into<String>) -> Filter {
        Filter {
            prefix: Some(p.into()),
            form: FilterForm::LegacyPrefix,
            ..Filter::default()
        }
    }

    /// Whether the rule selects objects by tag (tag-filtered rules may not use
    /// ExpiredObjectDeleteMarker or AbortIncompleteMultipartUpload).
    pub fn has_tags(&self) -> bool {
        !self.tags.is_empty()
    }

    /// How many predicates the filter holds (prefix, each tag, each size bound).
    pub fn predicate_count(&self) -> usize {
        usize::from(self.prefix.is_some())
            + self.tags.len()
            + usize::from(self.object_size_greater_than.is_some())
            + usize::from(self.object_size_less_than.is_some())
    }

    /// The form the writers use: the remembered one when it can express the predicates,
    /// otherwise `Single` for at most one predicate and `And` for more.
    pub fn written_form(&self) -> FilterForm {
        let n = self.predicate_count();
        match self.form {
            FilterForm::LegacyPrefix if n == 1 && self.prefix.is_some() => FilterForm::LegacyPrefix,
            FilterForm::Absent if n == 0 => FilterForm::Absent,
            FilterForm::And => FilterForm::And,
            _ if n <= 1 => FilterForm::Single,
            _ => FilterForm::And,
        }
    }

    /// Whether an object with this key, size and tag set is selected. Size bounds are
    /// exclusive; every filter tag must be present with the same value.
    pub fn matches(&self, key: &str, size: u64, object_tags: &[Tag]) -> bool {
        self.prefix.as_deref().is_none_or(|p| key.starts_with(p))
            && self.object_size_greater_than.is_none_or(|g| size > g)
            && self.object_size_less_than.is_none_or(|l| size < l)
            && self.tags.iter().all(|t| object_tags.contains(t))
    }
}

impl Rule {
    /// A rule with no actions: enabled, matching every object.
    pub fn new(id: Option<&str>) -> Rule {
        Rule {
            id: id.map(str::to_string),
            status: Status::Enabled,
            filter: Filter::all(),
            transitions: Vec::new(),
            expiration: None,
            noncurrent_version_transitions: Vec::new(),
            noncurrent_version_expiration: None,
            abort_incomplete_multipart_upload_days: None,
        }
    }

    pub fn is_enabled(&self) -> bool {
        self.status == Status::Enabled
    }

    /// Whether the rule has at least one action.
    pub fn has_action(&self) -> bool {
        !self.transitions.is_empty()
            || self.expiration.is_some()
            || !self.noncurrent_version_transitions.is_empty()
            || self.noncurrent_version_expiration.is_some()
            || self.abort_incomplete_multipart_upload_days.is_some()
    }

    /// How validation messages name the rule: `rule "ID"` or `rule #3 (no ID)`.
    pub fn label(&self, index: usize) -> String {
        match &self.id {
            Some(id) => format!("rule {id:?}"),
            None => format!("rule #{} (no ID)", index + 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_matching_and_written_form() {
        let mut f = Filter::prefix("logs/");
        assert!(f.matches("logs/a", 1, &[]));
        assert!(!f.matches("log/a", 1, &[]));
        assert_eq!(f.written_form(), FilterForm::Single);
        f.object_size_greater_than = Some(500);
        assert!(!f.matches("logs/a", 500, &[]));
        assert!(f.matches("logs/a", 501, &[]));
        assert_eq!(f.written_form(), FilterForm::And);
        assert_eq!(
            Filter::legacy_prefix("").written_form(),
            FilterForm::LegacyPrefix
        );
        let t = Tag {
            key: "k".into(),
            value: "v".into(),
        };
        let tagged = Filter {
            tags: vec![t.clone()],
            ..Filter::all()
        };
        assert!(tagged.matches("x", 0, std::slice::from_ref(&t)));
        assert!(!tagged.matches("x", 0, &[]));
    }

    #[test]
    fn storage_class_hints_name_the_api_spelling() {
        let e = parse_storage_class("S3 Glacier Flexible Retrieval").unwrap_err();
        assert!(e.contains("GLACIER"), "{e}");
        assert_eq!(
            parse_storage_class("DEEP_ARCHIVE"),
            Ok(StorageClass::DeepArchive)
        );
    }
}
