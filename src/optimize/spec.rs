//! The scenario's `[optimize]` section (docs/optimize.md): `[optimize.lifecycle]` (candidate
//! grid, grouping, constraints) and `[optimize.fleet]` (risk limit, Savings Plan, rework), read
//! with file:line:key errors.

use super::candidates::CandidateGrid;
use super::lifecycle_model::LifecycleConstraints;
use crate::aws::StorageClass;
use crate::tomlx::{SpanError, Tbl};
use rust_decimal::Decimal;

/// What the main job optimizes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OptimizeSpec {
    pub lifecycle: Option<LifecycleSpec>,
    pub fleet: Option<FleetSpec>,
}

/// `[optimize.lifecycle]`.
#[derive(Clone, Debug, PartialEq)]
pub struct LifecycleSpec {
    pub grid: CandidateGrid,
    /// A group's prefix: the first `group_depth` `/`-separated segments of the key.
    pub group_depth: usize,
    /// Size-band boundaries in bytes.
    pub size_bands: Vec<u64>,
    pub constraints: LifecycleConstraints,
}

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
        group_depth: 1,
        size_bands: DEFAULT_SIZE_BANDS.to_vec(),
        constraints: LifecycleConstraints::default(),
    }
}

/// The 128 KiB boundary S3's transition rules turn on.
pub const DEFAULT_SIZE_BANDS: [u64; 1] = [131_072];

/// Reads `[optimize]`.
pub fn parse_optimize(t: &Tbl<'_>) -> Result<OptimizeSpec, SpanError> {
    t.only(&["lifecycle", "fleet"])?;
    let lifecycle = t
        .table("lifecycle")?
        .map(|l| parse_lifecycle(&l))
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

fn u32s(t: &Tbl<'_>, key: &str) -> Result<Option<Vec<u32>>, SpanError> {
    let Some(f) = t.get(key) else {
        return Ok(None);
    };
    f.as_array_of_u64()?
        .into_iter()
        .map(|d| {
            u32::try_from(d)
                .ok()
                .filter(|d| (1..=36_500).contains(d))
                .ok_or_else(|| f.err(format!("{d}: days are 1..=36500")))
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

fn parse_lifecycle(t: &Tbl<'_>) -> Result<LifecycleSpec, SpanError> {
    t.only(&[
        "transition_days",
        "target_classes",
        "max_chain",
        "expiration_days",
        "group_depth",
        "size_bands",
        "max_rules",
        "max_policies",
        "millisecond_prefixes",
        "max_restores_per_month",
        "min_retention_days",
        "budget",
    ])?;
    let mut grid = CandidateGrid::default();
    if let Some(d) = u32s(t, "transition_days")? {
        grid.transition_days = d;
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
    if let Some(d) = u32s(t, "expiration_days")? {
        grid.expiration_days = d;
    }
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
    Ok(LifecycleSpec {
        grid,
        group_depth,
        size_bands,
        constraints,
    })
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
