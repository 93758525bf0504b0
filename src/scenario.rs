//! Scenario files (docs/scenario.md): the question a simulation answers — pricing, horizon,
//! evidence, new-object classes, and the named policies to compare — read with file:line:key
//! errors. Paths inside a scenario are relative to the scenario file.

pub mod flags;
use crate::aws::Region;
use crate::aws::{RestoreTier, StorageClass};
use crate::sim::s3::{Policy, PolicyKind, ReplayOptions, ReplicationRule};
use crate::tomlx::{Doc, SpanError, Tbl};
use crate::trace::input::read_config;
use crate::trace::lifecycle::{
    AccessTier, LifecycleError, parse as parse_lifecycle, parse_intelligent_tiering, validate,
    validate_intelligent_tiering,
};
use crate::units::Timestamp;
pub use flags::{Flags, FlagsError};
use std::path::{Path, PathBuf};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ScenarioError {
    #[error(transparent)]
    At(#[from] SpanError),
    #[error(transparent)]
    Lifecycle(#[from] LifecycleError),
    #[error("{file}: {message}")]
    File { file: String, message: String },
}

/// A parsed scenario.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: String,
    pub region: Option<String>,
    pub pricing: Option<PathBuf>,
    pub start: Timestamp,
    pub end: Timestamp,
    pub seed: u64,
    pub logs: Vec<String>,
    pub inventory: Option<PathBuf>,
    /// A generator spec (docs/generator.md) whose synthetic logs and inventory are the evidence.
    pub generate: Option<PathBuf>,
    /// `[evidence] future` (or `repeat = "weekly"`): the model of what happens past the end of
    /// the evidence; `None`: the default (the age profile when the horizon runs past the
    /// evidence). The replay's `options.future` is set from the logs once they are read.
    pub future: Option<crate::sim::s3::FutureModel>,
    /// `[evidence] max_skipped_pct`: the share of any evidence source's lines that may be
    /// malformed (skipped and counted) before a run is refused; default 1%.
    pub max_skipped_pct: Option<rust_decimal::Decimal>,
    pub options: ReplayOptions,
    pub policies: Vec<Policy>,
    pub replication: Vec<ReplicationRule>,
    /// Per policy (same order), the indices of the replication rules it runs with; empty when
    /// every policy runs with every rule.
    pub policy_replication: Vec<Vec<usize>>,
    /// The policy in force today (`current`): the report's baseline. Default: the first.
    pub current: Option<String>,
    /// The compute fleet and jobs (docs/fleet.md), priced next to storage.
    pub compute: Option<crate::sim::fleet::ComputeSpec>,
    /// What the main job optimizes (docs/optimize.md).
    pub optimize: crate::optimize::spec::OptimizeSpec,
}

/// `YYYY-MM-DD` as midnight UTC.
pub fn parse_date(s: &str) -> Option<Timestamp> {
    (s.len() == 10)
        .then(|| Timestamp::parse_rfc3339(s))
        .flatten()
}

fn rel(base: &Path, p: &str) -> PathBuf {
    let pb = PathBuf::from(p);
    if pb.is_absolute() { pb } else { base.join(pb) }
}

/// Reads a scenario file.
pub fn read_scenario(path: &Path) -> Result<Scenario, ScenarioError> {
    let file = path.display().to_string();
    let text = read_config(path).map_err(|e| ScenarioError::File {
        file: file.clone(),
        message: e.to_string(),
    })?;
    let base = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let doc = Doc::parse(&file, &text)?;
    let root = doc.root();
    root.only(&[
        "schema_version",
        "name",
        "description",
        "region",
        "pricing",
        "start",
        "end",
        "seed",
        "current",
        "restore_tier",
        "restore_days",
        "evidence",
        "new_objects",
        "policy",
        "versioning",
        "replication",
        "compute",
        "optimize",
    ])?;
    let name = root
        .string("name")?
        .ok_or_else(|| root.err("", "a scenario needs `name`"))?
        .to_string();
    let date = |k: &str| -> Result<Timestamp, ScenarioError> {
        let s = root
            .string(k)?
            .ok_or_else(|| root.err("", format!("a scenario needs `{k} = \"YYYY-MM-DD\"`")))?;
        parse_date(s).ok_or_else(|| {
            root.err(k, format!("expected a date YYYY-MM-DD, got {s:?}"))
                .into()
        })
    };
    let (start, end) = (date("start")?, date("end")?);
    if end <= start {
        return Err(root
            .err("end", "`end` must be after `start` (end is exclusive)")
            .into());
    }
    let mut options = ReplayOptions::default();
    if let Some(f) = root.get("versioning") {
        options.versioning = match f.as_bool() {
            Ok(b) => b,
            Err(_) => {
                match f.as_str()?.to_ascii_lowercase().as_str() {
                    "enabled" => true,
                    "disabled" | "off" => false,
                    "suspended" => {
                        return Err(root
                        .err(
                            "versioning",
                            "suspended versioning is not modelled; use \"enabled\" (true) or \"disabled\" (false)",
                        )
                        .into());
                    }
                    other => {
                        return Err(root
                        .err(
                            "versioning",
                            format!("expected true, false, \"enabled\" or \"disabled\", got {other:?}"),
                        )
                        .into());
                    }
                }
            }
        };
    }
    if let Some(t) = root.string("restore_tier")? {
        options.restore_tier = t
            .parse::<RestoreTier>()
            .map_err(|e| root.err("restore_tier", e))?;
    }
    if let Some(d) = root.integer("restore_days")? {
        options.restore_days = u32::try_from(d)
            .ok()
            .filter(|d| (1..=30_000).contains(d))
            .ok_or_else(|| root.err("restore_days", "between 1 and 30000"))?;
    }
    if let Some(t) = root.table("new_objects")? {
        for k in t.keys() {
            let c: StorageClass = t
                .string(k)?
                .ok_or_else(|| t.err(k, "expected a storage class"))?
                .parse()
                .map_err(|e: String| t.err(k, e))?;
            if k == "default" {
                options.default_class = c;
            } else {
                options.new_object_class.push((k.to_string(), c));
            }
        }
    }
    let (mut logs, mut inventory, mut generate) = (Vec::new(), None, None);
    let mut future = None;
    let mut max_skipped_pct = None;
    if let Some(ev) = root.table("evidence")? {
        ev.only(&[
            "logs",
            "inventory",
            "generate",
            "repeat",
            "future",
            "max_skipped_pct",
        ])?;
        max_skipped_pct = ev.non_negative("max_skipped_pct")?;
        if max_skipped_pct.is_some_and(|p| p > rust_decimal::Decimal::ONE_HUNDRED) {
            return Err(ev.err("max_skipped_pct", "a percentage: 0 to 100").into());
        }
        future = match ev.string("repeat")? {
            None | Some("none") => None,
            Some("weekly") => Some(crate::sim::s3::FutureModel::RepeatWeekly),
            Some(other) => {
                return Err(ev
                    .err(
                        "repeat",
                        format!("expected \"weekly\" or \"none\", got {other:?}"),
                    )
                    .into());
            }
        };
        if let Some(m) = ev.string("future")? {
            let model = crate::sim::s3::FutureModel::parse(m).ok_or_else(|| {
                ev.err(
                    "future",
                    format!("expected \"age-profile\", \"repeat-weekly\" or \"silent\", got {m:?}"),
                )
            })?;
            if future.is_some_and(|f| f != model) {
                return Err(ev
                    .err(
                        "future",
                        "`repeat = \"weekly\"` already chose repeat-weekly",
                    )
                    .into());
            }
            future = Some(model);
        }
        generate = ev.string("generate")?.map(|p| rel(&base, p));
        if let Some(f) = ev.get("logs") {
            let items: Vec<String> = if f.is_array() {
                match f.item.as_value().and_then(|v| v.as_array()) {
                    Some(a) => a
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect(),
                    None => Vec::new(),
                }
            } else {
                vec![f.as_str()?.to_string()]
            };
            logs = items
                .iter()
                .map(|p| rel(&base, p).display().to_string())
                .collect();
        }
        inventory = ev.string("inventory")?.map(|p| rel(&base, p));
    }
    let mut policies = Vec::new();
    let policy_tables = root.tables("policy")?;
    for p in &policy_tables {
        let policy = read_policy(p, &base)?;
        if policy.name == "clairvoyant-bound" {
            return Err(p
                .err(
                    "name",
                    "`clairvoyant-bound` is the name costlab reports its bound under",
                )
                .into());
        }
        if policies.iter().any(|q: &Policy| q.name == policy.name) {
            return Err(p
                .err(
                    "name",
                    format!("a second [[policy]] named {:?}", policy.name),
                )
                .into());
        }
        policies.push(policy);
    }
    let compute = match root.table("compute")? {
        Some(t) => Some(crate::sim::fleet::parse_compute(&t, &base, start)?),
        None => None,
    };
    if policies.is_empty() && compute.is_none() {
        return Err(root
            .err(
                "",
                "a scenario compares at least one [[policy]] (storage) or has a [compute] section",
            )
            .into());
    }
    let mut replication = Vec::new();
    let mut rule_names = Vec::new();
    for r in root.tables("replication")? {
        r.only(&[
            "name",
            "prefix",
            "destination_region",
            "destination_class",
            "rtc",
            "destination_lifecycle",
        ])?;
        let name = r.string("name")?.map(str::to_string);
        if name.is_some() && rule_names.contains(&name) {
            return Err(r
                .err("name", "a second [[replication]] rule of this name")
                .into());
        }
        rule_names.push(name);
        replication.push(read_replication(&r, &base)?);
    }
    // Which replication rules each policy runs with: all of them, unless some policy lists its own.
    let mut policy_replication = Vec::new();
    if policy_tables.iter().any(|p| p.get("replication").is_some()) {
        for p in &policy_tables {
            let mut picked = Vec::new();
            if let Some(f) = p.get("replication") {
                for item in f.as_array_of_str()? {
                    let i = rule_names
                        .iter()
                        .position(|n| n.as_deref() == Some(item))
                        .ok_or_else(|| {
                            p.err(
                                "replication",
                                format!("no [[replication]] is named {item:?}"),
                            )
                        })?;
                    picked.push(i);
                }
            }
            policy_replication.push(picked);
        }
    }
    let current = match root.string("current")? {
        Some(c) if policies.iter().any(|p| p.name == c) => Some(c.to_string()),
        Some(c) => {
            return Err(root
                .err("current", format!("no [[policy]] is named {c:?}"))
                .into());
        }
        None => None,
    };
    let optimize = match root.table("optimize")? {
        Some(t) => crate::optimize::spec::parse_optimize(&t, &base)?,
        None => Default::default(),
    };
    if optimize.lifecycle.is_some()
        && let Some(p) = policy_tables
            .iter()
            .find(|p| p.string("name").ok().flatten() == Some("recommended"))
    {
        return Err(p
            .err(
                "name",
                "`recommended` is the name the optimizer reports its recommendation under",
            )
            .into());
    }
    if optimize.lifecycle.is_some() && policies.is_empty() {
        return Err(root
            .err(
                "optimize.lifecycle",
                "needs storage evidence and at least one [[policy]]",
            )
            .into());
    }
    if optimize.fleet.is_some() && compute.is_none() {
        return Err(root
            .err("optimize.fleet", "needs a [compute] section")
            .into());
    }
    let seed = match root.integer("seed")? {
        Some(s) => u64::try_from(s).map_err(|_| root.err("seed", "must not be negative"))?,
        None => 0,
    };
    Ok(Scenario {
        name,
        region: root.string("region")?.map(str::to_string),
        pricing: root.string("pricing")?.map(|p| rel(&base, p)),
        start,
        end,
        seed,
        logs,
        inventory,
        generate,
        future,
        max_skipped_pct,
        options,
        policies,
        replication,
        policy_replication,
        current,
        compute,
        optimize,
    })
}

fn read_replication(r: &Tbl<'_>, base: &Path) -> Result<ReplicationRule, ScenarioError> {
    let region = r
        .string("destination_region")?
        .ok_or_else(|| r.err("", "a [[replication]] rule needs destination_region"))?;
    let destination_region = Region::parse(region).map_err(|e| r.err("destination_region", e))?;
    let destination_class: StorageClass = r
        .string("destination_class")?
        .unwrap_or("STANDARD")
        .parse()
        .map_err(|e: String| r.err("destination_class", e))?;
    let destination_lifecycle = match r.string("destination_lifecycle")? {
        None => None,
        Some(p) => {
            let path = rel(base, p);
            let text = read_config(&path)
                .map_err(|e| r.err("destination_lifecycle", format!("{}: {e}", path.display())))?;
            let cfg = parse_lifecycle(&path.display().to_string(), &text)?;
            if let Some(e) = validate(&cfg).first() {
                return Err(r
                    .err("destination_lifecycle", format!("S3 would reject it: {e}"))
                    .into());
            }
            Some(cfg)
        }
    };
    Ok(ReplicationRule {
        prefix: r.string("prefix")?.unwrap_or("").to_string(),
        destination_region,
        destination_class,
        rtc: r.bool("rtc")?.unwrap_or(false),
        destination_lifecycle,
    })
}

fn read_policy(p: &Tbl<'_>, base: &Path) -> Result<Policy, ScenarioError> {
    p.only(&[
        "name",
        "lifecycle",
        "lifecycle_json",
        "intelligent_tiering",
        "all_standard",
        "replication",
    ])?;
    let name = p
        .string("name")?
        .ok_or_else(|| p.err("", "a [[policy]] needs `name`"))?
        .to_string();
    let given: Vec<&str> = [
        "lifecycle",
        "lifecycle_json",
        "intelligent_tiering",
        "all_standard",
    ]
    .into_iter()
    .filter(|k| p.get(k).is_some())
    .collect();
    if given.len() != 1 {
        return Err(p.err("name", format!("policy {name:?}: give exactly one of lifecycle, lifecycle_json, intelligent_tiering, all_standard")).into());
    }
    let kind = match given[0] {
        "all_standard" => PolicyKind::AllStandard,
        "lifecycle" | "lifecycle_json" => {
            let cfg = if given[0] == "lifecycle" {
                let path = rel(base, p.string("lifecycle")?.unwrap_or_default());
                let text = read_config(&path)
                    .map_err(|e| p.err("lifecycle", format!("{}: {e}", path.display())))?;
                parse_lifecycle(&path.display().to_string(), &text)?
            } else {
                parse_lifecycle(
                    &format!("{} (policy {name:?})", p.file()),
                    p.string("lifecycle_json")?.unwrap_or_default(),
                )?
            };
            let problems = validate(&cfg);
            if !problems.is_empty() {
                let list = problems
                    .iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("; ");
                return Err(p
                    .err(
                        given[0],
                        format!("S3 would reject this lifecycle configuration: {list}"),
                    )
                    .into());
            }
            PolicyKind::Lifecycle(cfg)
        }
        _ => {
            let f = p
                .get("intelligent_tiering")
                .ok_or_else(|| p.err("", "missing"))?;
            let (mut archive, mut deep) = (None, None);
            if f.is_table() {
                let t = f.as_table()?;
                t.only(&["archive_days", "deep_archive_days", "config"])?;
                let days = |k: &str, lo: i64| -> Result<Option<u32>, ScenarioError> {
                    match t.integer(k)? {
                        None => Ok(None),
                        Some(d) if (lo..=730).contains(&d) => Ok(Some(d as u32)),
                        Some(d) => Err(t
                            .err(k, format!("must be {lo}..=730 days (§2.4), got {d}"))
                            .into()),
                    }
                };
                archive = days("archive_days", 90)?;
                deep = days("deep_archive_days", 180)?;
                if let Some(cfg_path) = t.string("config")? {
                    let path = rel(base, cfg_path);
                    let text = read_config(&path)
                        .map_err(|e| t.err("config", format!("{}: {e}", path.display())))?;
                    for c in parse_intelligent_tiering(&path.display().to_string(), &text)? {
                        if let Some(e) = validate_intelligent_tiering(&c).first() {
                            return Err(t.err("config", e.to_string()).into());
                        }
                        for tier in &c.tierings {
                            match tier.access_tier {
                                AccessTier::ArchiveAccess => archive = Some(tier.days),
                                AccessTier::DeepArchiveAccess => deep = Some(tier.days),
                            }
                        }
                    }
                }
            } else if !f.as_bool()? {
                return Err(p
                    .err(
                        "intelligent_tiering",
                        "set true, or a table with archive_days / deep_archive_days / config",
                    )
                    .into());
            }
            PolicyKind::IntelligentTiering {
                archive_days: archive,
                deep_archive_days: deep,
            }
        }
    };
    Ok(Policy { name, kind })
}
