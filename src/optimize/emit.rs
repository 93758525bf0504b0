//! The chosen assignment as a lifecycle configuration `aws s3api
//! put-bucket-lifecycle-configuration` accepts: one rule per maximal run of touching size bands
//! of one prefix that share a candidate (so groups sharing a prefix and a candidate merge),
//! size bands as `ObjectSizeGreaterThan` / `ObjectSizeLessThan` (under `And` with the prefix),
//! groups that stay in STANDARD without expiration get no rule. Rule IDs are spelled from the
//! prefix, band and candidate, so the same choice always gives the same document. The result
//! is checked with our validator and must round-trip through our parser.

use super::candidates::Candidate;
use super::groups::{Group, GroupError, SizeBand, layout};
use crate::trace::lifecycle::{
    Filter, FilterForm, LifecycleConfiguration, MAX_ID_CHARS, MAX_RULES,
    TransitionDefaultMinimumObjectSize, parse, to_json, validate,
};
use md5::{Digest, Md5};

/// Options of the emitted document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EmitOptions {
    /// Written as `TransitionDefaultMinimumObjectSize` when set; it must match what the
    /// simulator assumed when it priced small objects.
    pub transition_default_minimum_object_size: Option<TransitionDefaultMinimumObjectSize>,
}

/// A configuration ready to put, and its JSON text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmittedLifecycle {
    pub configuration: LifecycleConfiguration,
    pub json: String,
    /// For each rule, the groups it covers.
    pub rule_groups: Vec<Vec<usize>>,
}

/// Why the assignment cannot be written as a configuration.
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum EmitError {
    #[error(transparent)]
    Groups(#[from] GroupError),
    #[error("the assignment has {got} entries for {groups} groups")]
    Shape { got: usize, groups: usize },
    #[error("group {group} is assigned candidate {candidate}, but there are only {count}")]
    UnknownCandidate {
        group: usize,
        candidate: usize,
        count: usize,
    },
    #[error(
        "every group stays in STANDARD without expiration: there is no rule to put; remove the \
         configuration instead (aws s3api delete-bucket-lifecycle)"
    )]
    NothingToPut,
    #[error(
        "the assignment needs {count} rules; S3 allows at most {MAX_RULES} (solve with \
         max_rules to respect it)"
    )]
    TooManyRules { count: usize },
    #[error("the emitted configuration does not validate: {0}")]
    Invalid(String),
    #[error("the emitted configuration does not round-trip through the parser: {0}")]
    RoundTrip(String),
}

/// Writes the lifecycle configuration for `assignment` (candidate index per group).
pub fn emit_lifecycle(
    groups: &[Group],
    candidates: &[Candidate],
    assignment: &[usize],
    options: &EmitOptions,
) -> Result<EmittedLifecycle, EmitError> {
    if assignment.len() != groups.len() {
        return Err(EmitError::Shape {
            got: assignment.len(),
            groups: groups.len(),
        });
    }
    if let Some((g, &c)) = assignment
        .iter()
        .enumerate()
        .find(|(_, c)| **c >= candidates.len())
    {
        return Err(EmitError::UnknownCandidate {
            group: g,
            candidate: c,
            count: candidates.len(),
        });
    }
    let lay = layout(groups)?;
    let mut rules = Vec::new();
    let mut rule_groups: Vec<Vec<usize>> = Vec::new();
    for (prefix, members) in &lay.prefixes {
        // Open runs: (candidate, band so far, groups); a run continues only from the band
        // directly below with the same candidate.
        let mut runs: Vec<(usize, SizeBand, Vec<usize>)> = Vec::new();
        let mut run_of_group: Vec<(usize, usize)> = Vec::new();
        for &g in members {
            let c = assignment[g];
            if !candidates[c].has_action() {
                continue;
            }
            let continued = lay.prev[g]
                .filter(|&q| assignment[q] == c)
                .and_then(|q| run_of_group.iter().find(|(h, _)| *h == q).map(|e| e.1));
            let r = match continued {
                Some(r) => {
                    runs[r].1 = runs[r].1.join(&groups[g].band);
                    runs[r].2.push(g);
                    r
                }
                None => {
                    runs.push((c, groups[g].band, vec![g]));
                    runs.len() - 1
                }
            };
            run_of_group.push((g, r));
        }
        for (c, band, covered) in runs {
            let filter = filter_for(prefix, band);
            let id = rule_id(prefix, band, &candidates[c]);
            rules.push(candidates[c].rule(&id, filter));
            rule_groups.push(covered);
        }
    }
    if rules.is_empty() {
        return Err(EmitError::NothingToPut);
    }
    if rules.len() > MAX_RULES {
        return Err(EmitError::TooManyRules { count: rules.len() });
    }
    let configuration = LifecycleConfiguration {
        rules,
        transition_default_minimum_object_size: options.transition_default_minimum_object_size,
    };
    let json = checked_json(&configuration)?;
    Ok(EmittedLifecycle {
        configuration,
        json,
        rule_groups,
    })
}

/// The ID of the rule that aborts incomplete multipart uploads.
pub const ABORT_MULTIPART_ID: &str = "costlab/abort-incomplete-multipart-uploads";

/// The configuration to put once the deployed one is taken into account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Merged {
    pub configuration: LifecycleConfiguration,
    pub json: String,
    /// IDs (or `#n`, 1-based, for a rule without one) of the deployed rules kept, and of
    /// those replaced.
    pub kept: Vec<String>,
    pub replaced: Vec<String>,
    /// Whether the abort rule was added.
    pub abort_added: bool,
}

/// The recommendation's rules (`emitted`: none when every group stays in STANDARD), with
/// the deployed configuration's rules it does not replace and, when `abort_days` is given, a
/// whole-bucket `AbortIncompleteMultipartUpload` rule (unless a kept rule already aborts
/// uploads for the whole bucket). A deployed rule is replaced when its prefix and a group
/// prefix overlap (one starts with the other: the rule would act on objects the
/// recommendation prices), except a rule whose only action is aborting uploads, which changes
/// no object and is kept. Validated and round-tripped as `emit_lifecycle` does.
pub fn merge_configuration(
    emitted: Option<&LifecycleConfiguration>,
    current: Option<&LifecycleConfiguration>,
    group_prefixes: &[String],
    abort_days: Option<u32>,
) -> Result<Merged, EmitError> {
    let mut rules = emitted.map(|e| e.rules.clone()).unwrap_or_default();
    let mut kept = Vec::new();
    let mut replaced = Vec::new();
    let mut whole_bucket_abort = false;
    if let Some(cur) = current {
        for (i, r) in cur.rules.iter().enumerate() {
            let name = r.id.clone().unwrap_or_else(|| format!("#{}", i + 1));
            let only_abort = r.transitions.is_empty()
                && r.expiration.is_none()
                && r.noncurrent_version_transitions.is_empty()
                && r.noncurrent_version_expiration.is_none();
            let p = r.filter.prefix.as_deref().unwrap_or("");
            let overlaps = group_prefixes
                .iter()
                .any(|g| g.starts_with(p) || p.starts_with(g.as_str()));
            if overlaps && !only_abort {
                replaced.push(name);
            } else {
                whole_bucket_abort |= r.status == crate::trace::lifecycle::Status::Enabled
                    && r.abort_incomplete_multipart_upload_days.is_some()
                    && r.filter.prefix.as_deref().unwrap_or("").is_empty()
                    && r.filter.tags.is_empty()
                    && r.filter.object_size_greater_than.is_none()
                    && r.filter.object_size_less_than.is_none();
                kept.push(name);
                rules.push(r.clone());
            }
        }
    }
    let abort_added = abort_days.is_some() && !whole_bucket_abort;
    if let Some(d) = abort_days.filter(|_| abort_added) {
        let mut r = crate::trace::lifecycle::Rule::new(Some(ABORT_MULTIPART_ID));
        r.abort_incomplete_multipart_upload_days = Some(d);
        rules.push(r);
    }
    if rules.is_empty() {
        return Err(EmitError::NothingToPut);
    }
    if rules.len() > MAX_RULES {
        return Err(EmitError::TooManyRules { count: rules.len() });
    }
    let configuration = LifecycleConfiguration {
        rules,
        transition_default_minimum_object_size: emitted
            .and_then(|e| e.transition_default_minimum_object_size)
            .or_else(|| current.and_then(|c| c.transition_default_minimum_object_size)),
    };
    let json = checked_json(&configuration)?;
    Ok(Merged {
        configuration,
        json,
        kept,
        replaced,
        abort_added,
    })
}

/// The configuration's JSON, once it validates and round-trips through the parser.
fn checked_json(configuration: &LifecycleConfiguration) -> Result<String, EmitError> {
    let problems = validate(configuration);
    if !problems.is_empty() {
        let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        return Err(EmitError::Invalid(text.join("; ")));
    }
    let json = to_json(configuration);
    match parse("emitted.json", &json) {
        Ok(back) if back == *configuration => Ok(json),
        Ok(_) => Err(EmitError::RoundTrip("the parsed rules differ".into())),
        Err(e) => Err(EmitError::RoundTrip(e.to_string())),
    }
}

/// The filter of a prefix and band: exclusive S3 bounds `> min − 1` and `< max`.
pub fn filter_for(prefix: &str, band: SizeBand) -> Filter {
    let mut f = Filter {
        prefix: (!prefix.is_empty()).then(|| prefix.to_string()),
        object_size_greater_than: band.min_bytes.checked_sub(1),
        object_size_less_than: band.max_bytes,
        ..Filter::all()
    };
    f.form = if f.predicate_count() > 1 {
        FilterForm::And
    } else {
        FilterForm::Single
    };
    f
}

/// `costlab/<prefix>/<band>/<candidate>`, or the MD5 of the prefix when that is longer than
/// S3 allows.
fn rule_id(prefix: &str, band: SizeBand, candidate: &Candidate) -> String {
    let band_text = match (band.min_bytes, band.max_bytes) {
        (0, None) => "any".to_string(),
        (0, Some(m)) => format!("lt{m}"),
        (n, None) => format!("ge{n}"),
        (n, Some(m)) => format!("ge{n}-lt{m}"),
    };
    let id = format!("costlab/{prefix}/{band_text}/{}", candidate.id);
    if id.chars().count() <= MAX_ID_CHARS {
        return id;
    }
    let digest = hex::encode(Md5::digest(prefix.as_bytes()));
    format!("costlab/md5:{digest}/{band_text}/{}", candidate.id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::StorageClass;

    #[test]
    fn merges_touching_bands_and_skips_standard() {
        let bands = SizeBand::split_at(&[1_000, 131_072]);
        let groups: Vec<Group> = bands
            .iter()
            .map(|b| Group::new("logs/", *b))
            .chain([Group::new("data/", SizeBand::ALL)])
            .collect();
        let cands = vec![
            Candidate::standard(),
            Candidate::new(vec![(30, StorageClass::StandardIa)], None),
        ];
        let e = emit_lifecycle(&groups, &cands, &[0, 1, 1, 1], &EmitOptions::default()).unwrap();
        let rules = &e.configuration.rules;
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0].id.as_deref(), Some("costlab/data//any/IA30"));
        assert_eq!(rules[0].filter, Filter::prefix("data/"));
        // The two upper bands of logs/ share one rule that keeps its size filter.
        assert_eq!(rules[1].filter.object_size_greater_than, Some(999));
        assert_eq!(rules[1].filter.object_size_less_than, None);
        assert_eq!(e.rule_groups, vec![vec![3], vec![1, 2]]);
        // The lowest band keeps its own rule even when every band shares the candidate.
        let e = emit_lifecycle(&groups, &cands, &[1, 1, 1, 1], &EmitOptions::default()).unwrap();
        assert_eq!(e.rule_groups, vec![vec![3], vec![0], vec![1, 2]]);
        assert_eq!(
            e.configuration.rules[1].filter.object_size_less_than,
            Some(1_000)
        );
        assert!(e.json.contains("\"And\""));
        assert_eq!(
            emit_lifecycle(&groups, &cands, &[0, 0, 0, 0], &EmitOptions::default()),
            Err(EmitError::NothingToPut)
        );
        // Non-touching uses of one candidate are two rules.
        let e = emit_lifecycle(&groups, &cands, &[1, 0, 1, 0], &EmitOptions::default()).unwrap();
        assert_eq!(e.configuration.rules.len(), 2);
        assert_eq!(
            e.configuration.rules[1].filter.object_size_greater_than,
            Some(131_071)
        );
    }

    #[test]
    fn long_prefixes_get_hashed_ids() {
        let long = "p".repeat(300);
        let groups = vec![Group::new(long, SizeBand::ALL)];
        let cands = vec![Candidate::new(vec![(30, StorageClass::GlacierIr)], None)];
        let e = emit_lifecycle(&groups, &cands, &[0], &EmitOptions::default()).unwrap();
        let id = e.configuration.rules[0].id.clone().unwrap_or_default();
        assert!(
            id.starts_with("costlab/md5:") && id.len() <= MAX_ID_CHARS,
            "{id}"
        );
    }
}

#[cfg(test)]
mod merge_tests {
    use super::*;
    use crate::aws::StorageClass;
    use crate::trace::lifecycle::{Expiration, Rule, Schedule};

    fn rule(id: &str, prefix: &str) -> Rule {
        let mut r = Rule::new(Some(id));
        r.filter = Filter::prefix(prefix);
        r.expiration = Some(Expiration {
            when: Some(Schedule::Days(5)),
            expired_object_delete_marker: None,
        });
        r
    }

    #[test]
    fn deployed_rules_outside_the_groups_are_kept_and_overlapping_ones_replaced() {
        let groups = vec![Group::new("logs/", SizeBand::ALL)];
        let cands = vec![Candidate::new(vec![(0, StorageClass::GlacierIr)], None)];
        let e = emit_lifecycle(&groups, &cands, &[0], &EmitOptions::default()).unwrap();
        let mut abort_only = Rule::new(Some("abort"));
        abort_only.abort_incomplete_multipart_upload_days = Some(3);
        let current = LifecycleConfiguration {
            rules: vec![
                rule("tmp", "tmp/"),
                rule("logs-old", "logs/2024/"),
                rule("everything", ""),
                abort_only,
            ],
            transition_default_minimum_object_size: None,
        };
        let prefixes = vec!["logs/".to_string()];
        let m = merge_configuration(Some(&e.configuration), Some(&current), &prefixes, Some(7))
            .unwrap();
        assert_eq!(m.kept, vec!["tmp", "abort"]);
        assert_eq!(m.replaced, vec!["logs-old", "everything"]);
        // A whole-bucket abort rule is kept: no second one is added.
        assert!(!m.abort_added);
        let ids: Vec<_> = m
            .configuration
            .rules
            .iter()
            .filter_map(|r| r.id.clone())
            .collect();
        assert_eq!(ids, vec!["costlab/logs//any/GIR0", "tmp", "abort"]);
        assert!(m.json.contains("\"tmp/\""));
        // Without a deployed configuration: the recommendation and the abort rule.
        let m = merge_configuration(Some(&e.configuration), None, &prefixes, Some(7)).unwrap();
        assert!(m.abort_added);
        assert_eq!(
            m.configuration.rules[1].abort_incomplete_multipart_upload_days,
            Some(7)
        );
        assert!(validate(&m.configuration).is_empty());
        // Nothing at all to put.
        assert_eq!(
            merge_configuration(None, None, &prefixes, None),
            Err(EmitError::NothingToPut)
        );
        // The abort rule alone is a configuration.
        assert_eq!(
            merge_configuration(None, None, &prefixes, Some(7))
                .unwrap()
                .configuration
                .rules
                .len(),
            1
        );
    }
}
