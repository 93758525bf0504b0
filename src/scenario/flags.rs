//! A scenario from command-line parts (`costlab simulate --logs … --policy NAME=FILE …`) rather
//! than a scenario file: the evidence, the policies to compare, replication and the horizon.
//! Errors name the flag they came from.

use super::{Scenario, parse_date};
use crate::aws::{Region, StorageClass};
use crate::sim::s3::{Policy, PolicyKind, ReplayOptions, ReplicationRule};
use crate::trace::lifecycle::{LifecycleError, read_file as read_lifecycle};
use std::path::PathBuf;

/// The parts, as `costlab simulate`'s flags give them.
#[derive(Clone, Debug, Default)]
pub struct Flags {
    pub logs: Vec<String>,
    pub inventory: Option<PathBuf>,
    /// `NAME=LIFECYCLE.json|xml`, each a policy.
    pub policy: Vec<String>,
    /// Compare Intelligent-Tiering: `Some("")`, or `Some(file)` with an archive configuration.
    pub intelligent_tiering: Option<String>,
    pub all_standard: bool,
    /// `PREFIX=REGION:CLASS[:rtc]`, each a replication rule.
    pub replicate: Vec<String>,
    pub new_object_class: Option<String>,
    pub versioning: bool,
    pub repeat_weekly: bool,
    /// `--future MODEL`: the model past the evidence.
    pub future: Option<crate::sim::s3::FutureModel>,
    /// `YYYY-MM-DD`, required.
    pub start: Option<String>,
    /// `YYYY-MM-DD` (exclusive), required.
    pub end: Option<String>,
    pub region: Option<String>,
    pub pricing: Option<PathBuf>,
}

/// A part that does not make a scenario.
#[derive(Debug, thiserror::Error)]
pub enum FlagsError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Lifecycle(#[from] LifecycleError),
}

fn msg(m: String) -> FlagsError {
    FlagsError::Invalid(m)
}

impl Flags {
    /// The scenario the parts describe (named `command-line`, seed 0).
    pub fn scenario(&self) -> Result<Scenario, FlagsError> {
        let a = self;
        let date = |v: &Option<String>, k: &str| -> Result<_, FlagsError> {
            let s = v.as_deref().ok_or_else(|| {
                msg(format!(
                    "without a scenario file, --{k} YYYY-MM-DD is required"
                ))
            })?;
            parse_date(s).ok_or_else(|| msg(format!("--{k}: expected YYYY-MM-DD, got {s:?}")))
        };
        let (start, end) = (date(&a.start, "start")?, date(&a.end, "end")?);
        if end <= start {
            return Err(msg(
                "--end must be after --start (end is exclusive)".to_string()
            ));
        }
        let mut policies = Vec::new();
        for p in &a.policy {
            let (name, file) = p
                .split_once('=')
                .ok_or_else(|| msg(format!("--policy {p:?}: expected NAME=LIFECYCLE.json")))?;
            let cfg = read_lifecycle(std::path::Path::new(file)).map_err(FlagsError::from)?;
            let problems = crate::trace::lifecycle::validate(&cfg);
            if let Some(e) = problems.first() {
                return Err(msg(format!("--policy {name}: S3 would reject {file}: {e}")));
            }
            policies.push(Policy {
                name: name.into(),
                kind: PolicyKind::Lifecycle(cfg),
            });
        }
        if let Some(cfg) = &a.intelligent_tiering {
            let (mut archive, mut deep) = (None, None);
            if !cfg.is_empty() {
                let text = crate::trace::input::read_config(std::path::Path::new(cfg))
                    .map_err(|e| msg(format!("{cfg}: {e}")))?;
                for c in crate::trace::lifecycle::parse_intelligent_tiering(cfg, &text)
                    .map_err(FlagsError::from)?
                {
                    for t in c.tierings {
                        match t.access_tier {
                            crate::trace::lifecycle::AccessTier::ArchiveAccess => {
                                archive = Some(t.days)
                            }
                            crate::trace::lifecycle::AccessTier::DeepArchiveAccess => {
                                deep = Some(t.days)
                            }
                        }
                    }
                }
            }
            policies.push(Policy {
                name: "intelligent-tiering".into(),
                kind: PolicyKind::IntelligentTiering {
                    archive_days: archive,
                    deep_archive_days: deep,
                },
            });
        }
        if a.all_standard {
            policies.push(Policy {
                name: "all-standard".into(),
                kind: PolicyKind::AllStandard,
            });
        }
        if policies.is_empty() {
            return Err(msg(
                "name at least one policy: --policy NAME=FILE, --intelligent-tiering or --all-standard".to_string(),
            ));
        }
        let mut replication = Vec::new();
        for r in &a.replicate {
            let bad = || {
                msg(format!(
                    "--replicate {r:?}: expected PREFIX=REGION:CLASS[:rtc]"
                ))
            };
            let (prefix, rest) = r.split_once('=').ok_or_else(bad)?;
            let parts: Vec<&str> = rest.split(':').collect();
            if !(2..=3).contains(&parts.len()) || (parts.len() == 3 && parts[2] != "rtc") {
                return Err(bad());
            }
            replication.push(ReplicationRule {
                prefix: prefix.to_string(),
                destination_region: Region::parse(parts[0])
                    .map_err(|e| msg(format!("--replicate: {e}")))?,
                destination_class: parts[1]
                    .parse()
                    .map_err(|e: String| msg(format!("--replicate: {e}")))?,
                rtc: parts.len() == 3,
                destination_lifecycle: None,
            });
        }
        let mut options = ReplayOptions {
            versioning: a.versioning,
            ..ReplayOptions::default()
        };
        if let Some(c) = &a.new_object_class {
            options.default_class = c
                .parse::<StorageClass>()
                .map_err(|e| msg(format!("--new-object-class: {e}")))?;
        }
        Ok(Scenario {
            name: "command-line".into(),
            region: a.region.clone(),
            pricing: a.pricing.clone(),
            start,
            end,
            seed: 0,
            max_skipped_pct: None,
            logs: a.logs.clone(),
            inventory: a.inventory.clone(),
            generate: None,
            future: match (a.future, a.repeat_weekly) {
                (Some(m), _) => Some(m),
                (None, true) => Some(crate::sim::s3::FutureModel::RepeatWeekly),
                (None, false) => None,
            },
            options,
            policies,
            replication,
            policy_replication: Vec::new(),
            current: None,
            compute: None,
            optimize: Default::default(),
        })
    }
}
