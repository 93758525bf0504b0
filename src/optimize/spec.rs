//! The scenario's `[optimize]` section (docs/optimize.md): `[optimize.lifecycle]` (candidate
//! search or grid, grouping, constraints, read-latency allowances, the configuration deployed
//! today) and `[optimize.fleet]` (risk limit, Savings Plan, rework), read with file:line:key
//! errors.

use super::candidates::CandidateGrid;
use super::lifecycle_model::{LifecycleConstraints, RestoreAllowance};
use crate::aws::StorageClass;
use crate::tomlx::{SpanError, Tbl};
use crate::trace::lifecycle::{LifecycleConfiguration, validate};
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};

/// What the main job optimizes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OptimizeSpec {
    pub lifecycle: Option<LifecycleSpec>,
    pub fleet: Option<FleetSpec>,
}

/// `[optimize.lifecycle]`.
#[derive(Clone, Debug, PartialEq)]
pub struct LifecycleSpec {
    /// The target classes, chain length and explicit expirations; its `transition_days` are
    /// used as they are only without `search`.
    pub grid: CandidateGrid,
    /// Transition days derived per prefix from the evidence (`transition_days = "auto"`, the
    /// default); `None`: the grid's days, for every group.
    pub search: Option<SearchSpec>,
    /// A group's prefix: the first `group_depth` `/`-separated segments of the key.
    pub group_depth: usize,
    /// Size-band boundaries in bytes.
    pub size_bands: Vec<u64>,
    pub constraints: LifecycleConstraints,
    /// `NoncurrentVersionExpiration` days to offer on versioned buckets (with
    /// `min_retention_days` and the search, later days are found too).
    pub noncurrent_expiration_days: Vec<u32>,
    /// `AbortIncompleteMultipartUpload` after this many days when the logs show multipart
    /// uploads (`None`: never).
    pub abort_incomplete_multipart_days: Option<u32>,
    /// The bucket's lifecycle configuration today (`current = "PATH"` or `costlab optimize
    /// --current`): its rules the recommendation does not replace are kept.
    pub current: Option<CurrentLifecycle>,
}

/// The configuration deployed today, and where it was read from.
#[derive(Clone, Debug, PartialEq)]
pub struct CurrentLifecycle {
    pub path: PathBuf,
    pub configuration: LifecycleConfiguration,
}

/// How the evidence-derived search runs (`[optimize.lifecycle]` `search_sample`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SearchSpec {
    /// Objects per prefix replayed under every searched day (the full costing pass then prices
    /// the best of them exactly, on every object).
    pub sample_objects: usize,
}

impl Default for SearchSpec {
    fn default() -> SearchSpec {
        SearchSpec {
            sample_objects: DEFAULT_SEARCH_SAMPLE,
        }
    }
}

/// Objects per prefix the search replays by default.
pub const DEFAULT_SEARCH_SAMPLE: usize = 1_000;

/// `AbortIncompleteMultipartUpload` days by default: the conventional week.
pub const DEFAULT_ABORT_MULTIPART_DAYS: u32 = 7;

/// `[optimize.fleet]`.
#[derive(Clone, Debug, PartialEq)]
pub struct FleetSpec {
    pub max_spot_share: Option<Decimal>,
    pub max_interrupted_per_family: Option<Decimal>,
    pub savings_plan: bool,
    /// Instance-hours redone per interruption (default: the bridge's, half the checkpoint
    /// interval).
    pub spot_rework_hours: Option<Decimal>,
}

impl Default for FleetSpec {
    /// No risk limit, a Savings Plan allowed, the default rework.
    fn default() -> FleetSpec {
        FleetSpec {
            max_spot_share: None,
            max_interrupted_per_family: None,
            savings_plan: true,
            spot_rework_hours: None,
        }
    }
}

/// `[optimize.lifecycle]` with every key at its default.
pub fn default_lifecycle() -> LifecycleSpec {
    LifecycleSpec {
        grid: CandidateGrid::default(),
        search: Some(SearchSpec::default()),
        group_depth: 1,
        size_bands: DEFAULT_SIZE_BANDS.to_vec(),
        constraints: LifecycleConstraints::default(),
        noncurrent_expiration_days: Vec::new(),
        abort_incomplete_multipart_days: Some(DEFAULT_ABORT_MULTIPART_DAYS),
        current: None,
    }
}

/// Reads the configuration deployed today (JSON or XML) and checks it as S3 would; the error
/// names the file.
pub fn read_current(path: &Path) -> Result<CurrentLifecycle, String> {
    let configuration = crate::trace::lifecycle::read_file(path).map_err(|e| e.to_string())?;
    let problems = validate(&configuration);
    if !problems.is_empty() {
        let list: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        return Err(format!(
            "{}: S3 would reject this configuration: {}",
            path.display(),
            list.join("; ")
        ));
    }
    Ok(CurrentLifecycle {
        path: path.to_path_buf(),
        configuration,
    })
}

/// The 128 KiB boundary S3's transition rules turn on.
pub const DEFAULT_SIZE_BANDS: [u64; 1] = [131_072];

/// Reads `[optimize]`; paths are relative to `base` (the scenario's folder).
pub fn parse_optimize(t: &Tbl<'_>, base: &Path) -> Result<OptimizeSpec, SpanError> {
    t.only(&["lifecycle", "fleet"])?;
    let lifecycle = t
        .table("lifecycle")?
        .map(|l| parse_lifecycle(&l, base))
        .transpose()?;
    let fleet = t.table("fleet")?.map(|f| parse_fleet(&f)).transpose()?;
    if lifecycle.is_none() && fleet.is_none() {
        return Err(t.err(
            "",
            "[optimize] needs [optimize.lifecycle] and/or [optimize.fleet]",
        ));
    }
    Ok(OptimizeSpec { lifecycle, fleet })
}

/// An array of days in `min..=36500`.
fn u32s(t: &Tbl<'_>, key: &str, min: u32) -> Result<Option<Vec<u32>>, SpanError> {
    let Some(f) = t.get(key) else {
        return Ok(None);
    };
    f.as_array_of_u64()?
        .into_iter()
        .map(|d| {
            u32::try_from(d)
                .ok()
                .filter(|d| (min..=36_500).contains(d))
                .ok_or_else(|| f.err(format!("{d}: days are {min}..=36500")))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

fn count(t: &Tbl<'_>, key: &str, max: i64) -> Result<Option<usize>, SpanError> {
    match t.integer(key)? {
        None => Ok(None),
        Some(n) if (1..=max).contains(&n) => Ok(Some(n as usize)),
        Some(n) => Err(t.err(key, format!("{n}: expected 1..={max}"))),
    }
}

fn parse_lifecycle(t: &Tbl<'_>, base: &Path) -> Result<LifecycleSpec, SpanError> {
    t.only(&[
        "transition_days",
        "search_sample",
        "target_classes",
        "max_chain",
        "expiration_days",
        "noncurrent_expiration_days",
        "abort_incomplete_multipart_days",
        "group_depth",
        "size_bands",
        "max_rules",
        "max_policies",
        "millisecond_prefixes",
        "restores",
        "max_restores_per_month",
        "min_retention_days",
        "budget",
        "current",
    ])?;
    let mut grid = CandidateGrid::default();
    let mut search = Some(SearchSpec::default());
    match t.get("transition_days") {
        None => {}
        Some(f) if f.as_str().is_ok_and(|s| s == "auto") => {}
        Some(f) if f.as_str().is_ok() => {
            return Err(f.err("expected \"auto\" or a list of days like [0, 30, 90]"));
        }
        Some(_) => {
            grid.transition_days = u32s(t, "transition_days", 0)?.unwrap_or_default();
            if grid.transition_days.is_empty() {
                return Err(t.err(
                    "transition_days",
                    "no days: give at least one, or \"auto\" to derive them from the evidence",
                ));
            }
            search = None;
        }
    }
    if let Some(n) = t.integer("search_sample")? {
        let Some(s) = search.as_mut() else {
            return Err(t.err(
                "search_sample",
                "only with transition_days = \"auto\" (a fixed list of days is not searched)",
            ));
        };
        s.sample_objects = usize::try_from(n)
            .ok()
            .filter(|n| (10..=1_000_000).contains(n))
            .ok_or_else(|| t.err("search_sample", format!("{n}: expected 10..=1000000")))?;
    }
    if let Some(f) = t.get("target_classes") {
        grid.target_classes = f
            .as_array_of_str()?
            .into_iter()
            .map(|c| c.parse::<StorageClass>().map_err(|e| f.err(e)))
            .collect::<Result<_, _>>()?;
    }
    if let Some(n) = count(t, "max_chain", 6)? {
        grid.max_chain = n;
    }
    if let Some(d) = u32s(t, "expiration_days", 1)? {
        grid.expiration_days = d;
    }
    let noncurrent_expiration_days = u32s(t, "noncurrent_expiration_days", 1)?.unwrap_or_default();
    let abort_incomplete_multipart_days = match t.get("abort_incomplete_multipart_days") {
        None => Some(DEFAULT_ABORT_MULTIPART_DAYS),
        Some(f) if f.as_bool().is_ok() => {
            if f.as_bool()? {
                return Err(
                    f.err("expected a number of days (1 or more) or false (never emit the rule)")
                );
            }
            None
        }
        Some(f) => Some(
            u32::try_from(f.as_integer()?)
                .ok()
                .filter(|d| (1..=36_500).contains(d))
                .ok_or_else(|| f.err("expected 1..=36500 days, or false"))?,
        ),
    };
    let group_depth = match t.integer("group_depth")? {
        None => 1,
        Some(n) if (0..=32).contains(&n) => n as usize,
        Some(n) => return Err(t.err("group_depth", format!("{n}: expected 0..=32"))),
    };
    let size_bands = match t.get("size_bands") {
        None => DEFAULT_SIZE_BANDS.to_vec(),
        Some(f) => f.as_array_of_u64()?,
    };
    let mut constraints = LifecycleConstraints {
        max_rules: count(t, "max_rules", 1000)?,
        max_policies: count(t, "max_policies", 1000)?,
        max_restores_per_month: t.non_negative("max_restores_per_month")?,
        budget: t.non_negative("budget")?,
        ..Default::default()
    };
    if let Some(f) = t.get("millisecond_prefixes") {
        constraints.millisecond_prefixes = f
            .as_array_of_str()?
            .into_iter()
            .map(str::to_string)
            .collect();
    }
    if let Some(d) = t.integer("min_retention_days")? {
        constraints.min_retention_days = Some(
            u32::try_from(d).map_err(|_| t.err("min_retention_days", "must not be negative"))?,
        );
    }
    constraints.restore_allowances = parse_restores(t)?;
    let current = match t.get("current") {
        None => None,
        Some(f) => {
            let p = PathBuf::from(f.as_str()?);
            let path = if p.is_absolute() { p } else { base.join(p) };
            Some(read_current(&path).map_err(|e| f.err(e))?)
        }
    };
    Ok(LifecycleSpec {
        grid,
        search,
        group_depth,
        size_bands,
        constraints,
        noncurrent_expiration_days,
        abort_incomplete_multipart_days,
        current,
    })
}

/// `restores = [{ prefix = "raw/", max_per_month = 100, max_wait_hours = 12 }, …]`: prefixes
/// whose reads may wait for a restore, with optional caps.
fn parse_restores(t: &Tbl<'_>) -> Result<Vec<RestoreAllowance>, SpanError> {
    let mut out: Vec<RestoreAllowance> = Vec::new();
    for a in t.tables("restores")? {
        a.only(&["prefix", "max_per_month", "max_wait_hours"])?;
        let prefix = a
            .string("prefix")?
            .ok_or_else(|| {
                a.err(
                    "",
                    "each allowance needs a prefix (\"\" for every key), like { prefix = \"raw/\", max_per_month = 100 }",
                )
            })?
            .to_string();
        if out.iter().any(|o| o.prefix == prefix) {
            return Err(a.err("prefix", format!("{prefix:?} is allowed twice")));
        }
        let max_wait_hours = match a.integer("max_wait_hours")? {
            None => None,
            Some(h) if (1..=10_000).contains(&h) => Some(h as u64),
            Some(h) => {
                return Err(a.err(
                    "max_wait_hours",
                    format!("{h}: expected 1..=10000 hours (a restore takes 1 to 48 hours)"),
                ));
            }
        };
        out.push(RestoreAllowance {
            prefix,
            max_per_month: a.non_negative("max_per_month")?,
            max_wait_hours,
        });
    }
    Ok(out)
}

fn parse_fleet(t: &Tbl<'_>) -> Result<FleetSpec, SpanError> {
    t.only(&[
        "max_spot_share",
        "max_interrupted_per_family",
        "savings_plan",
        "spot_rework_hours",
    ])?;
    let share = t.non_negative("max_spot_share")?;
    if share.is_some_and(|s| s > Decimal::ONE) {
        return Err(t.err("max_spot_share", "a share between 0 and 1"));
    }
    Ok(FleetSpec {
        max_spot_share: share,
        max_interrupted_per_family: t.non_negative("max_interrupted_per_family")?,
        savings_plan: t.bool("savings_plan")?.unwrap_or(true),
        spot_rework_hours: t.non_negative("spot_rework_hours")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tomlx::Doc;

    fn lifecycle(text: &str) -> Result<LifecycleSpec, String> {
        let doc =
            Doc::parse("s.toml", &format!("[lifecycle]\n{text}")).map_err(|e| e.to_string())?;
        let root = doc.root();
        let t = root.table("lifecycle").map_err(|e| e.to_string())?.unwrap();
        parse_lifecycle(&t, Path::new("/nowhere")).map_err(|e| e.to_string())
    }

    #[test]
    fn the_defaults_are_the_search_no_waits_and_the_abort_rule() {
        let d = default_lifecycle();
        assert_eq!(lifecycle("").unwrap(), d);
        assert_eq!(d.search, Some(SearchSpec::default()));
        assert_eq!(d.abort_incomplete_multipart_days, Some(7));
        assert!(d.constraints.restore_allowances.is_empty());
        assert_eq!(d.constraints, LifecycleConstraints::default());
        assert_eq!(lifecycle("transition_days = \"auto\"\n").unwrap(), d);
    }

    #[test]
    fn a_list_of_days_turns_the_search_off_and_may_start_at_zero() {
        let s = lifecycle("transition_days = [0, 30]\n").unwrap();
        assert_eq!(s.search, None);
        assert_eq!(s.grid.transition_days, vec![0, 30]);
        let e = lifecycle("transition_days = [0]\nsearch_sample = 50\n").unwrap_err();
        assert!(e.contains("search_sample") && e.contains("auto"), "{e}");
        let e = lifecycle("transition_days = \"all\"\n").unwrap_err();
        assert!(e.contains("auto"), "{e}");
        let e = lifecycle("expiration_days = [0]\n").unwrap_err();
        assert!(e.contains("1..=36500"), "{e}");
        assert_eq!(
            lifecycle("search_sample = 200\n").unwrap().search,
            Some(SearchSpec {
                sample_objects: 200
            })
        );
    }

    #[test]
    fn restores_and_the_abort_rule_are_read_with_their_limits() {
        let s = lifecycle(
            "restores = [{ prefix = \"raw/\", max_per_month = 10, max_wait_hours = 12 }, { prefix = \"logs/\" }]\n",
        )
        .unwrap();
        let a = &s.constraints.restore_allowances;
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].prefix, "raw/");
        assert_eq!(a[0].max_per_month, Some(Decimal::from(10)));
        assert_eq!(a[0].max_wait_hours, Some(12));
        assert_eq!((a[1].max_per_month, a[1].max_wait_hours), (None, None));
        let e = lifecycle("restores = [{ prefix = \"a/\" }, { prefix = \"a/\" }]\n").unwrap_err();
        assert!(e.contains("twice"), "{e}");
        let e = lifecycle("restores = [{ max_per_month = 3 }]\n").unwrap_err();
        assert!(e.contains("prefix"), "{e}");
        let e = lifecycle("restores = [{ prefix = \"a/\", max_wait_hours = 0 }]\n").unwrap_err();
        assert!(e.contains("max_wait_hours"), "{e}");
        assert_eq!(
            lifecycle("abort_incomplete_multipart_days = false\n")
                .unwrap()
                .abort_incomplete_multipart_days,
            None
        );
        assert_eq!(
            lifecycle("abort_incomplete_multipart_days = 3\n")
                .unwrap()
                .abort_incomplete_multipart_days,
            Some(3)
        );
        assert!(lifecycle("abort_incomplete_multipart_days = true\n").is_err());
        let e = lifecycle("current = \"missing.json\"\n").unwrap_err();
        assert!(e.contains("missing.json"), "{e}");
    }
}
