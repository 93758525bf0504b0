//! The validator: the checks S3 applies when a lifecycle configuration is put (rule count,
//! supported transitions, 30-day minimums and gaps, size ranges, version counts, actions that
//! tag filters exclude, `And` with at least two predicates, expirations after transitions), as
//! collected in s3-pricing-and-rules.md §2.5 and S3's documentation. Every message names the
//! rule by its ID. Also `supported_transition`, the waterfall the simulator must obey.
//!
//! One validator serves every path that reads or writes a configuration: `costlab lifecycle
//! validate`, scenario policies, `simulate --policy` and the optimizer's emitted rules.
//!
//! Sources (S3 API reference and user guide):
//! * <https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleRule.html> (ID ≤ 255
//!   characters, Status, Filter or the legacy Prefix)
//! * <https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleRuleFilter.html> (exactly
//!   one of Prefix, Tag, ObjectSizeGreaterThan, ObjectSizeLessThan or And)
//! * <https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleRuleAndOperator.html> ("a
//!   logical AND to two or more predicates")
//! * <https://docs.aws.amazon.com/AmazonS3/latest/API/API_Transition.html> (Days: 0 or more for
//!   INTELLIGENT_TIERING, GLACIER_IR, GLACIER, DEEP_ARCHIVE; more than 30 for STANDARD_IA,
//!   ONEZONE_IA; Date at midnight UTC)
//! * <https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleExpiration.html> (Days "a
//!   non-zero positive integer"; ExpiredObjectDeleteMarker not with Days or Date)
//! * <https://docs.aws.amazon.com/AmazonS3/latest/API/API_NoncurrentVersionExpiration.html>
//!   (NewerNoncurrentVersions up to 100)
//! * <https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html>
//!   (the waterfall, the 30-day minimums and the same-rule 30-day gap)
//! * <https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html> (1,000
//!   rules; size filters up to 5 TB; ExpiredObjectDeleteMarker and
//!   AbortIncompleteMultipartUpload not in tag-filtered rules)
//! * <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-s3-bucket-rule.html>
//!   ("The expiration time must also be later than the transition time", current and
//!   noncurrent)

use super::error::{ValidationError, ValidationKind};
use super::model::{Filter, FilterForm, LifecycleConfiguration, Rule, Schedule};
use crate::aws::StorageClass;
use crate::units::TIB;
use std::collections::HashSet;

/// "An S3 Lifecycle configuration can have up to 1,000 rules" (§2.5).
pub const MAX_RULES: usize = 1_000;
/// Minimum days before a STANDARD_IA / ONEZONE_IA transition. The user guide says "at least 30
/// days" while the API reference says "greater than 30" (§2.5, conflict §4.10); we take the
/// guide's ≥ 30 because AWS's own examples (and real configurations in the corpus) use 30.
pub const IA_MIN_DAYS: u32 = 30;
/// Minimum days between an IA transition and a GLACIER / DEEP_ARCHIVE transition of the same
/// rule (§2.5 "Same-rule gap").
pub const IA_TO_ARCHIVE_GAP_DAYS: i64 = 30;
/// Size filters: "max 5 TB" (§2.5), TB being 2^40 bytes (§2.1).
pub const MAX_OBJECT_SIZE_BYTES: u64 = 5 * TIB;
/// `NewerNoncurrentVersions` range (§2.5 "Versioned buckets").
pub const NEWER_NONCURRENT_VERSIONS: std::ops::RangeInclusive<u32> = 1..=100;
/// LifecycleRule.ID: "The value cannot be longer than 255 characters" (S3 API reference).
pub const MAX_ID_CHARS: usize = 255;

/// Whether S3 Lifecycle can move an object from `from` to `to` (§2.5 supported transitions:
/// Standard → any; Standard-IA → IT, One Zone-IA, GIR, GFR, GDA; IT → One Zone-IA, GIR, GFR,
/// GDA; One Zone-IA → GFR, GDA; GIR → GFR, GDA; GFR → GDA; any → GDA; nothing → Standard or
/// RRS; GDA → nothing).
pub fn supported_transition(from: StorageClass, to: StorageClass) -> bool {
    use StorageClass::*;
    if from == to || !is_transition_target(to) {
        return false;
    }
    match from {
        Standard => true,
        StandardIa => matches!(
            to,
            IntelligentTiering | OnezoneIa | GlacierIr | Glacier | DeepArchive
        ),
        IntelligentTiering => matches!(to, OnezoneIa | GlacierIr | Glacier | DeepArchive),
        OnezoneIa | GlacierIr => matches!(to, Glacier | DeepArchive),
        Glacier => to == DeepArchive,
        DeepArchive => false,
        ReducedRedundancy | ExpressOnezone => to == DeepArchive,
    }
}

/// Classes a lifecycle transition may name: never STANDARD, REDUCED_REDUNDANCY (§2.5
/// "Unsupported") or EXPRESS_ONEZONE (a directory-bucket class, not a lifecycle target).
pub fn is_transition_target(c: StorageClass) -> bool {
    !matches!(
        c,
        StorageClass::Standard | StorageClass::ReducedRedundancy | StorageClass::ExpressOnezone
    )
}

fn is_ia(c: StorageClass) -> bool {
    matches!(c, StorageClass::StandardIa | StorageClass::OnezoneIa)
}

fn is_archive(c: StorageClass) -> bool {
    matches!(c, StorageClass::Glacier | StorageClass::DeepArchive)
}

/// Checks a configuration as S3 does when it is put; an empty list means valid.
pub fn validate(cfg: &LifecycleConfiguration) -> Vec<ValidationError> {
    let mut out = Vec::new();
    let whole = |kind, message: String| ValidationError {
        rule_index: None,
        rule_id: None,
        kind,
        message,
    };
    if cfg.rules.is_empty() {
        out.push(whole(
            ValidationKind::NoRules,
            "the configuration has no rules; S3 needs at least one".into(),
        ));
    }
    if cfg.rules.len() > MAX_RULES {
        out.push(whole(
            ValidationKind::TooManyRules,
            format!(
                "the configuration has {} rules; S3 allows at most {MAX_RULES} (§2.5, not adjustable)",
                cfg.rules.len()
            ),
        ));
    }
    let mut ids = HashSet::new();
    for (i, rule) in cfg.rules.iter().enumerate() {
        let mut c = Checker {
            out: &mut out,
            index: i,
            id: rule.id.clone(),
        };
        if let Some(id) = &rule.id
            && !ids.insert(id.as_str())
        {
            c.push(
                ValidationKind::DuplicateId,
                "another rule has the same ID; rule IDs must be unique".into(),
            );
        }
        check_rule(&mut c, rule);
    }
    out
}

struct Checker<'a> {
    out: &'a mut Vec<ValidationError>,
    index: usize,
    id: Option<String>,
}

impl Checker<'_> {
    fn push(&mut self, kind: ValidationKind, message: String) {
        self.out.push(ValidationError {
            rule_index: Some(self.index),
            rule_id: self.id.clone(),
            kind,
            message,
        });
    }
}

/// Whether XML 1.0 can carry `c` (its `Char` production: no control character but tab, line
/// feed and carriage return, no U+FFFE or U+FFFF, not even as a character reference).
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Whether a configuration can carry `text` (an ID, a prefix, a tag) at all.
pub fn xml_can_carry(text: &str) -> bool {
    text.chars().all(xml_char)
}

/// Why `text` (named `what`) cannot be put, when it holds a character XML cannot carry. S3
/// reads lifecycle and Intelligent-Tiering configurations as XML (the AWS CLI sends its JSON
/// as XML), so such text is refused however it was written.
pub(crate) fn not_xml_text(what: &str, text: &str) -> Option<String> {
    text.chars().find(|c| !xml_char(*c)).map(|c| {
        format!(
            "{what} holds U+{:04X}, a character XML cannot carry; S3 reads configurations as \
             XML (the AWS CLI sends its JSON as XML), so it cannot be put",
            u32::from(c)
        )
    })
}

fn check_rule(c: &mut Checker<'_>, rule: &Rule) {
    if let Some(id) = &rule.id
        && id.chars().count() > MAX_ID_CHARS
    {
        c.push(
            ValidationKind::IdTooLong,
            format!("the ID is longer than {MAX_ID_CHARS} characters"),
        );
    }
    if let Some(why) = rule.id.as_deref().and_then(|id| not_xml_text("the ID", id)) {
        c.push(ValidationKind::NotXmlText, why);
    }
    if !rule.has_action() {
        c.push(
            ValidationKind::NoAction,
            "the rule has no action (Transitions, Expiration, NoncurrentVersionTransitions, \
             NoncurrentVersionExpiration or AbortIncompleteMultipartUpload)"
                .into(),
        );
    }
    check_filter(c, &rule.filter);

    let current: Vec<(Schedule, StorageClass)> = rule
        .transitions
        .iter()
        .map(|t| (t.when, t.storage_class))
        .collect();
    let mut schedules: Vec<Schedule> = current.iter().map(|t| t.0).collect();
    if let Some(when) = rule.expiration.and_then(|e| e.when) {
        schedules.push(when);
    }
    let mixed = schedules.iter().any(|s| s.is_days()) && schedules.iter().any(|s| !s.is_days());
    if mixed {
        // S3's own error: "Found mixed 'Date' and 'Days' based Expiration and Transition
        // actions in lifecycle rule".
        c.push(
            ValidationKind::MixedDaysAndDate,
            "the rule mixes Days and Date in its transitions and expiration; use one or the other"
                .into(),
        );
    }
    for s in &schedules {
        if let Schedule::Date(t) = s
            && t.0.rem_euclid(86_400) != 0
        {
            c.push(
                ValidationKind::DateNotMidnight,
                format!("date {t} is not midnight UTC; lifecycle dates are whole days (§2.5)"),
            );
        }
    }
    check_transitions(c, &current, "transition", !mixed);
    let noncurrent: Vec<(Schedule, StorageClass)> = rule
        .noncurrent_version_transitions
        .iter()
        .map(|t| (Schedule::Days(t.noncurrent_days), t.storage_class))
        .collect();
    check_transitions(c, &noncurrent, "noncurrent-version transition", true);
    check_expiration_after_transitions(c, rule, mixed);

    if let Some(e) = rule.expiration {
        match (e.when, e.expired_object_delete_marker) {
            (None, None) => c.push(
                ValidationKind::ExpirationShape,
                "Expiration needs Days, Date or ExpiredObjectDeleteMarker".into(),
            ),
            (Some(_), Some(_)) => c.push(
                ValidationKind::ExpirationShape,
                "ExpiredObjectDeleteMarker cannot be combined with Days or Date in one Expiration"
                    .into(),
            ),
            _ => {}
        }
        if e.when == Some(Schedule::Days(0)) {
            c.push(
                ValidationKind::ZeroDays,
                "Expiration Days must be a positive number, not 0".into(),
            );
        }
        // §2.5 Versioned buckets: not usable in tag-filtered rules.
        if e.expired_object_delete_marker.is_some() && rule.filter.has_tags() {
            c.push(
                ValidationKind::DeleteMarkerWithTags,
                "ExpiredObjectDeleteMarker cannot be used in a rule that filters by tag (§2.5)"
                    .into(),
            );
        }
    }
    if let Some(days) = rule.abort_incomplete_multipart_upload_days {
        if days == 0 {
            c.push(
                ValidationKind::ZeroDays,
                "AbortIncompleteMultipartUpload DaysAfterInitiation must be positive, not 0".into(),
            );
        }
        // §2.5 Versioned buckets: not usable in tag-filtered rules.
        if rule.filter.has_tags() {
            c.push(
                ValidationKind::AbortMpuWithTags,
                "AbortIncompleteMultipartUpload cannot be used in a rule that filters by tag (§2.5)"
                    .into(),
            );
        }
    }
    if let Some(nve) = rule.noncurrent_version_expiration
        && nve.noncurrent_days == 0
    {
        c.push(
            ValidationKind::ZeroDays,
            "NoncurrentVersionExpiration NoncurrentDays must be positive, not 0".into(),
        );
    }
    let nnv = rule
        .noncurrent_version_transitions
        .iter()
        .filter_map(|t| t.newer_noncurrent_versions)
        .chain(
            rule.noncurrent_version_expiration
                .and_then(|e| e.newer_noncurrent_versions),
        );
    for n in nnv {
        if !NEWER_NONCURRENT_VERSIONS.contains(&n) {
            c.push(
                ValidationKind::NewerNoncurrentVersions,
                format!("NewerNoncurrentVersions is {n}; it must be from 1 to 100 (§2.5)"),
            );
        }
    }
}

/// An expiration must come later than every transition of its rule (S3: "'Days' in the
/// Expiration action … must be greater than 'Days' in the Transition action"; CloudFormation's
/// Rule: "The expiration time must also be later than the transition time"), for current and
/// for noncurrent versions. `mixed` (Days with Dates) is reported elsewhere.
fn check_expiration_after_transitions(c: &mut Checker<'_>, rule: &Rule, mixed: bool) {
    if let Some(exp) = rule.expiration.and_then(|e| e.when)
        && !mixed
    {
        for t in &rule.transitions {
            if exp.ordinal() <= t.when.ordinal() {
                c.push(
                    ValidationKind::ExpirationBeforeTransition,
                    format!(
                        "the expiration at {exp} is not later than the transition to {} at {}; \
                         S3 needs the expiration after every transition of the rule",
                        t.storage_class, t.when
                    ),
                );
            }
        }
    }
    if let Some(nve) = rule.noncurrent_version_expiration {
        for t in &rule.noncurrent_version_transitions {
            if nve.noncurrent_days <= t.noncurrent_days {
                c.push(
                    ValidationKind::ExpirationBeforeTransition,
                    format!(
                        "NoncurrentVersionExpiration after {} noncurrent days is not later than \
                         the noncurrent-version transition to {} after {} days; S3 needs the \
                         expiration after every transition of the rule",
                        nve.noncurrent_days, t.storage_class, t.noncurrent_days
                    ),
                );
            }
        }
    }
}

fn check_filter(c: &mut Checker<'_>, f: &Filter) {
    // API_LifecycleRuleAndOperator: "a logical AND to two or more predicates". A lone
    // predicate goes directly in the Filter; S3 answers MalformedXML otherwise.
    if f.form == FilterForm::And && f.predicate_count() < 2 {
        c.push(
            ValidationKind::AndTooFew,
            format!(
                "the Filter's And holds {} predicate{}; S3 needs two or more inside And (put a \
                 single Prefix, Tag or size bound directly in the Filter)",
                f.predicate_count(),
                if f.predicate_count() == 1 { "" } else { "s" }
            ),
        );
    }
    for (name, v) in [
        ("ObjectSizeGreaterThan", f.object_size_greater_than),
        ("ObjectSizeLessThan", f.object_size_less_than),
    ] {
        if let Some(v) = v
            && v > MAX_OBJECT_SIZE_BYTES
        {
            c.push(
                ValidationKind::SizeTooLarge,
                format!(
                    "{name} is {v} bytes; the maximum is 5 TB ({MAX_OBJECT_SIZE_BYTES} bytes, §2.5)"
                ),
            );
        }
    }
    if let (Some(g), Some(l)) = (f.object_size_greater_than, f.object_size_less_than)
        && g >= l
    {
        c.push(
            ValidationKind::SizeRange,
            format!(
                "ObjectSizeGreaterThan ({g}) must be less than ObjectSizeLessThan ({l}) (§2.5)"
            ),
        );
    }
    for why in xml_texts(f) {
        c.push(ValidationKind::NotXmlText, why);
    }
    let mut keys = HashSet::new();
    for t in &f.tags {
        // Tag limits from the S3 API reference (Tag: key 1–128, value 0–256 characters).
        if t.key.is_empty() || t.key.chars().count() > 128 {
            c.push(
                ValidationKind::BadTag,
                format!("tag key {:?} must be 1 to 128 characters", t.key),
            );
        }
        if t.value.chars().count() > 256 {
            c.push(
                ValidationKind::BadTag,
                format!("the value of tag {:?} is longer than 256 characters", t.key),
            );
        }
        if !keys.insert(t.key.as_str()) {
            c.push(
                ValidationKind::BadTag,
                format!("tag key {:?} appears twice in the filter", t.key),
            );
        }
    }
}

/// Why each of a filter's prefix, tag keys and tag values cannot be put, when it holds a
/// character XML cannot carry.
pub(crate) fn xml_texts(f: &Filter) -> Vec<String> {
    let mut out: Vec<String> = f
        .prefix
        .as_deref()
        .and_then(|p| not_xml_text("the prefix", p))
        .into_iter()
        .collect();
    for t in &f.tags {
        out.extend(not_xml_text(&format!("tag key {:?}", t.key), &t.key));
        out.extend(not_xml_text(
            &format!("the value of tag {:?}", t.key),
            &t.value,
        ));
    }
    out
}

/// The waterfall, 30-day IA minimum and same-rule IA → archive gap for one list of
/// transitions (current or noncurrent). `order` is false when Days and Dates are mixed.
fn check_transitions(
    c: &mut Checker<'_>,
    items: &[(Schedule, StorageClass)],
    what: &str,
    order: bool,
) {
    for &(when, class) in items {
        if !is_transition_target(class) {
            c.push(
                ValidationKind::UnsupportedTransition,
                format!(
                    "a {what} to {class} is not supported: lifecycle never moves objects to \
                     STANDARD or REDUCED_REDUNDANCY (§2.5)"
                ),
            );
        }
        if let Schedule::Days(d) = when
            && is_ia(class)
            && d < IA_MIN_DAYS
        {
            c.push(
                ValidationKind::IaTooSoon,
                format!(
                    "the {what} to {class} is after {d} days; objects must stay at least \
                     {IA_MIN_DAYS} days before moving to STANDARD_IA or ONEZONE_IA (§2.5)"
                ),
            );
        }
    }
    let mut classes = HashSet::new();
    let mut times = HashSet::new();
    for &(when, class) in items {
        if !classes.insert(class) {
            c.push(
                ValidationKind::DuplicateTransition,
                format!("two {what}s to {class} in one rule"),
            );
        }
        if !times.insert(when) {
            c.push(
                ValidationKind::DuplicateTransition,
                format!("two {what}s at {when} in one rule; each needs its own day"),
            );
        }
    }
    if !order {
        return;
    }
    let mut sorted: Vec<(Schedule, StorageClass)> = items.to_vec();
    sorted.sort_by_key(|(w, _)| w.ordinal());
    let mut from = StorageClass::Standard;
    let mut from_when: Option<Schedule> = None;
    for &(when, to) in &sorted {
        if !is_transition_target(to) {
            continue;
        }
        if from != to && !supported_transition(from, to) {
            let after = from_when
                .map(|w| format!(" (after the {what} to {from} at {w})"))
                .unwrap_or_default();
            c.push(
                ValidationKind::UnsupportedTransition,
                format!(
                    "the {what} to {to} at {when}{after} goes up the waterfall: S3 does not \
                     transition {from} to {to} (§2.5)"
                ),
            );
        }
        from = to;
        from_when = Some(when);
    }
    // §2.5 Same-rule gap: GLACIER / DEEP_ARCHIVE ≥ 30 days after STANDARD_IA / ONEZONE_IA.
    for &(ia_when, ia) in sorted.iter().filter(|(_, k)| is_ia(*k)) {
        for &(ar_when, ar) in sorted.iter().filter(|(_, k)| is_archive(*k)) {
            let gap = ar_when.ordinal() - ia_when.ordinal();
            if (0..IA_TO_ARCHIVE_GAP_DAYS).contains(&gap) {
                c.push(
                    ValidationKind::IaToArchiveGap,
                    format!(
                        "the {what} to {ar} at {ar_when} is only {gap} days after the {what} to \
                         {ia} at {ia_when}; one rule needs at least {IA_TO_ARCHIVE_GAP_DAYS} days \
                         between them (§2.5)"
                    ),
                );
            }
        }
    }
}
