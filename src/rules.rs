//! Billing rules as data: minimum storage durations, minimum billable object sizes, the archive
//! metadata overhead, Intelligent-Tiering thresholds, lifecycle size defaults and compute billing
//! minimums. The pricing loader fills them from `pricing/*.toml` (they are AWS facts, kept next to
//! the prices and cited there); meters and simulators apply them. No prices live here, so the
//! simulator can depend on this module without seeing a price.

use crate::aws::{StorageClass, StorageTier};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq)]
pub struct BillingRules {
    pub s3: S3Rules,
    pub compute: ComputeRules,
}

#[derive(Clone, Debug, PartialEq)]
pub struct S3Rules {
    /// Days a byte must stay in a class before leaving it free of the pro-rated remainder.
    pub minimum_storage_days: BTreeMap<StorageClass, u64>,
    /// Objects smaller than this are billed as this size in the class.
    pub minimum_billable_bytes: BTreeMap<StorageClass, u64>,
    /// Per archived object: bytes billed at the STANDARD rate.
    pub archive_overhead_standard_bytes: u64,
    /// Per archived object: bytes billed at the archive tier's own rate.
    pub archive_overhead_archive_bytes: u64,
    /// The tiers whose objects carry the archive overhead.
    pub archive_overhead_tiers: Vec<StorageTier>,
    /// Intelligent-Tiering monitors (and charges the fee for) objects of at least this size.
    pub it_monitoring_min_bytes: u64,
    /// Intelligent-Tiering moves Frequent → Infrequent after this many days without access.
    pub it_infrequent_after_days: u64,
    /// … and → Archive Instant Access after this many.
    pub it_archive_instant_after_days: u64,
    /// Default lifecycle transition floor (`all_storage_classes_128K`).
    pub lifecycle_transition_min_bytes: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ComputeRules {
    pub ec2_minimum_seconds: u64,
    pub emr_minimum_seconds: u64,
    pub glue_minimum_seconds: u64,
    pub lambda_duration_rounding_ms: u64,
}

impl S3Rules {
    pub fn minimum_days(&self, class: StorageClass) -> u64 {
        self.minimum_storage_days.get(&class).copied().unwrap_or(0)
    }

    pub fn minimum_bytes(&self, class: StorageClass) -> u64 {
        self.minimum_billable_bytes
            .get(&class)
            .copied()
            .unwrap_or(0)
    }

    pub fn has_archive_overhead(&self, tier: StorageTier) -> bool {
        self.archive_overhead_tiers.contains(&tier)
    }
}
