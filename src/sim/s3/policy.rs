//! Storage policies under study, and what a lifecycle configuration schedules for one object
//! version: transitions and expiration at absolute times (creation + N days rounded up to the
//! next midnight UTC, s3-pricing-and-rules.md §2.5).

use super::future::Future;
use crate::aws::{RestoreTier, StorageClass};
use crate::trace::lifecycle::{
    LifecycleConfiguration, Rule, Schedule, TransitionDefaultMinimumObjectSize,
    supported_transition,
};
use crate::units::time::SECONDS_PER_DAY;
use crate::units::{Timestamp, next_midnight_utc};

/// A policy to compare.
#[derive(Clone, Debug, PartialEq)]
pub enum PolicyKind {
    /// Every object in STANDARD for the whole horizon.
    AllStandard,
    /// A lifecycle configuration (as `put-bucket-lifecycle-configuration` takes it).
    Lifecycle(LifecycleConfiguration),
    /// New objects written to Intelligent-Tiering; STANDARD objects present at the start move
    /// there at the first lifecycle run. Optional asynchronous archive tiers (days without
    /// access; Archive Access ≥ 90, Deep Archive Access ≥ 180, §2.4).
    IntelligentTiering {
        archive_days: Option<u32>,
        deep_archive_days: Option<u32>,
    },
    /// The clairvoyant bound: each object stored the cheapest way knowing its future.
    Clairvoyant(super::clairvoyant::Clairvoyant),
    /// One explicit path (a clairvoyant candidate for one object).
    Path(super::clairvoyant::Path),
    /// The optimizer's costing pass: a lifecycle configuration per size band, applied to each
    /// version by the band its group's sink reports (`replay::Sink::version`); versions of
    /// keys outside every group get no rule.
    Grouped(std::sync::Arc<Vec<LifecycleConfiguration>>),
}

impl PolicyKind {
    /// How reports name the kind.
    pub fn label(&self) -> &'static str {
        match self {
            PolicyKind::AllStandard => "all-standard",
            PolicyKind::Lifecycle(_) | PolicyKind::Path(_) | PolicyKind::Grouped(_) => "lifecycle",
            PolicyKind::IntelligentTiering { .. } => "intelligent-tiering",
            PolicyKind::Clairvoyant(_) => "clairvoyant-bound",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    pub name: String,
    pub kind: PolicyKind,
}

/// Replay settings shared by every policy.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplayOptions {
    /// Storage class of new objects by key prefix (longest match wins), else `default_class`.
    pub new_object_class: Vec<(String, StorageClass)>,
    pub default_class: StorageClass,
    /// Restore tier for reads of GLACIER / DEEP_ARCHIVE objects (Deep Archive has no
    /// expedited tier: standard is used there).
    pub restore_tier: RestoreTier,
    /// Days the restored copy is kept.
    pub restore_days: u32,
    /// Versioning enabled: an overwrite or a simple DELETE keeps the old data as a noncurrent
    /// version (still billed, §2.1 "every version"), a DELETE adds a delete marker, and the
    /// noncurrent-version actions of lifecycle rules apply.
    pub versioning: bool,
    /// What happens past the end of the evidence (`[evidence] future`, `future::Future`): with
    /// a weekly repeat (of the last week, or of its new objects under the age profile), set
    /// from `Evidence::repeat_weekly`, which also repeats the requests not tied to an object.
    pub future: Future,
}

impl Default for ReplayOptions {
    fn default() -> Self {
        ReplayOptions {
            new_object_class: Vec::new(),
            default_class: StorageClass::Standard,
            restore_tier: RestoreTier::Standard,
            restore_days: 7,
            versioning: false,
            future: Future::Silent,
        }
    }
}

impl ReplayOptions {
    pub fn class_for(&self, key: &str) -> StorageClass {
        self.new_object_class
            .iter()
            .filter(|(p, _)| key.starts_with(p.as_str()))
            .max_by_key(|(p, _)| p.len())
            .map(|(_, c)| *c)
            .unwrap_or(self.default_class)
    }
}

/// What a lifecycle action does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Transition(StorageClass),
    Expire,
}

/// A scheduled action at an absolute time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scheduled {
    pub at: Timestamp,
    pub action: Action,
}

/// When a rule's schedule makes a version created at `created` eligible: Days → creation + N
/// days rounded up to the next midnight UTC; Date → that midnight, or the first lifecycle run
/// after creation when the date has passed ("past date ⇒ immediately eligible", §2.5). Nothing
/// happens before `not_before` (the policy is applied from the start of the horizon).
pub fn eligible_at(s: Schedule, created: Timestamp, not_before: Timestamp) -> Timestamp {
    let t = match s {
        Schedule::Days(n) => next_midnight_utc(Timestamp(created.0 + n as i64 * SECONDS_PER_DAY)),
        Schedule::Date(d) => d.max(next_midnight_utc(created)),
    };
    t.max(next_midnight_utc(not_before))
}

/// Lower is cheaper: the order in which S3 resolves overlapping transitions ("the lower-cost
/// class"; Glacier Flexible wins over Standard-IA/One Zone-IA; Intelligent-Tiering is favoured
/// over any class but Glacier Flexible / Deep Archive — §2.5 conflict resolution).
pub fn class_rank(c: StorageClass) -> u8 {
    match c {
        StorageClass::DeepArchive => 0,
        StorageClass::Glacier => 1,
        StorageClass::IntelligentTiering => 2,
        StorageClass::GlacierIr => 3,
        StorageClass::OnezoneIa => 4,
        StorageClass::StandardIa => 5,
        _ => 9,
    }
}

/// The actions a lifecycle configuration schedules for a version of `key` of `size` bytes
/// created at `created`, in time order. Disabled rules, tag filters (tags are not in the
/// evidence) and the 128 KiB transition floor are applied here.
pub fn schedule(
    cfg: &LifecycleConfiguration,
    key: &str,
    size: u64,
    created: Timestamp,
    not_before: Timestamp,
    transition_min_bytes: u64,
) -> Vec<Scheduled> {
    let mut out = Vec::new();
    for rule in applicable(cfg, key, size) {
        for tr in &rule.transitions {
            if !transitions_size(cfg, rule, size, tr.storage_class, transition_min_bytes) {
                continue;
            }
            out.push(Scheduled {
                at: eligible_at(tr.when, created, not_before),
                action: Action::Transition(tr.storage_class),
            });
        }
        if let Some(when) = rule.expiration.as_ref().and_then(|e| e.when) {
            out.push(Scheduled {
                at: eligible_at(when, created, not_before),
                action: Action::Expire,
            });
        }
    }
    out.sort_by_key(|s| (s.at, s.action == Action::Expire));
    out
}

/// The enabled rules whose filter matches a version of `key` of `size` bytes (rules with tag
/// filters never do: the evidence carries no tags).
fn applicable<'c>(
    cfg: &'c LifecycleConfiguration,
    key: &'c str,
    size: u64,
) -> impl Iterator<Item = &'c Rule> {
    cfg.rules
        .iter()
        .filter(move |r| r.is_enabled() && !r.filter.has_tags() && r.filter.matches(key, size, &[]))
}

/// Whether `rule` transitions an object of `size` bytes to `to`. §2.5 (Sept 2024 default):
/// objects under 128 KB transition nowhere, unless the configuration says
/// varies_by_storage_class (then only to GLACIER / DEEP_ARCHIVE) or the rule has its own size
/// filter ("custom filters always take precedence").
fn transitions_size(
    cfg: &LifecycleConfiguration,
    rule: &Rule,
    size: u64,
    to: StorageClass,
    transition_min_bytes: u64,
) -> bool {
    let custom_size = rule.filter.object_size_greater_than.is_some()
        || rule.filter.object_size_less_than.is_some();
    if size >= transition_min_bytes || custom_size {
        return true;
    }
    cfg.transition_default_minimum_object_size
        == Some(TransitionDefaultMinimumObjectSize::VariesByStorageClass)
        && matches!(to, StorageClass::Glacier | StorageClass::DeepArchive)
}

/// Whether lifecycle may move an object from `from` to `to` (the waterfall, §2.5).
pub fn may_transition(from: StorageClass, to: StorageClass) -> bool {
    supported_transition(from, to)
}

/// The actions a lifecycle configuration schedules for a noncurrent version of `key` (`size`
/// bytes; a delete marker when `marker`) that became noncurrent at `since`, in time order.
/// `NoncurrentDays` count from `since`, rounded up to the next midnight UTC like `Days` (§2.5).
/// `newer` holds when each newer noncurrent version appeared, oldest first: an action with
/// `NewerNoncurrentVersions = N` applies once N newer ones exist, at the first lifecycle run
/// at or after the N-th appeared (our reading of "retain N"; S3 evaluates once a day at midnight);
/// until then it is left out, and the caller re-plans when `newer` grows. Delete markers take
/// no transitions; a noncurrent-version expiration removes them like any version.
#[allow(clippy::too_many_arguments)]
pub fn schedule_noncurrent(
    cfg: &LifecycleConfiguration,
    key: &str,
    size: u64,
    marker: bool,
    since: Timestamp,
    newer: &[Timestamp],
    not_before: Timestamp,
    transition_min_bytes: u64,
) -> Vec<Scheduled> {
    let when = |days: u32, keep: Option<u32>| -> Option<Timestamp> {
        let at = eligible_at(Schedule::Days(days), since, not_before);
        match keep {
            None | Some(0) => Some(at),
            Some(n) => newer
                .get(n as usize - 1)
                .map(|t| at.max(next_midnight_utc(*t))),
        }
    };
    let mut out = Vec::new();
    for rule in applicable(cfg, key, size) {
        for tr in rule
            .noncurrent_version_transitions
            .iter()
            .filter(|_| !marker)
        {
            // The same 128 KB floor as current-version transitions.
            if !transitions_size(cfg, rule, size, tr.storage_class, transition_min_bytes) {
                continue;
            }
            if let Some(at) = when(tr.noncurrent_days, tr.newer_noncurrent_versions) {
                out.push(Scheduled {
                    at,
                    action: Action::Transition(tr.storage_class),
                });
            }
        }
        if let Some(e) = &rule.noncurrent_version_expiration
            && let Some(at) = when(e.noncurrent_days, e.newer_noncurrent_versions)
        {
            out.push(Scheduled {
                at,
                action: Action::Expire,
            });
        }
    }
    out.sort_by_key(|s| (s.at, s.action == Action::Expire));
    out
}

/// The largest `NewerNoncurrentVersions` of any enabled rule: noncurrent versions with at least
/// this many newer ones never need re-planning.
pub fn max_newer_noncurrent(cfg: &LifecycleConfiguration) -> usize {
    cfg.rules
        .iter()
        .filter(|r| r.is_enabled())
        .flat_map(|r| {
            r.noncurrent_version_transitions
                .iter()
                .map(|t| t.newer_noncurrent_versions)
                .chain(
                    r.noncurrent_version_expiration
                        .iter()
                        .map(|e| e.newer_noncurrent_versions),
                )
        })
        .map(|n| n.unwrap_or(0) as usize)
        .max()
        .unwrap_or(0)
}

/// Whether a rule removes `key`'s delete marker once it is the only version left
/// (`ExpiredObjectDeleteMarker`; such rules cannot have tag filters, §2.5).
pub fn removes_expired_markers(cfg: &LifecycleConfiguration, key: &str) -> bool {
    cfg.rules.iter().filter(|r| r.is_enabled()).any(|r| {
        r.expiration
            .is_some_and(|e| e.expired_object_delete_marker == Some(true))
            && !r.filter.has_tags()
            && r.filter
                .prefix
                .as_deref()
                .is_none_or(|p| key.starts_with(p))
    })
}
