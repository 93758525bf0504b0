//! Usage: the quantities AWS meters, per month and region, in integer-friendly base units
//! (byte-hours, bytes, requests, object-hours, seconds). Simulators and the usage file produce a
//! `Usage`; `cost::rate` prices it. Merging is exact addition, so shards merge in any order to
//! the same result.

mod key;
mod usage_file;

pub use usage_file::{UsageError, read_usage_file};

use crate::aws::{
    AccelerationKind, ArchiveSource, GlueClass, InstanceType, LambdaArch, PurchaseOption, Region,
    RequestTier, RestoreTier, StorageClass, StorageTier,
};
use crate::units::Month;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// One metered quantity's key. The comment on each variant gives its base unit.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Meter {
    /// Byte-hours of object data in a class or IT tier.
    Storage(StorageTier),
    /// Byte-hours added to objects below the class's minimum billable size (`-SmObjects`).
    SmallObjectPadding(StorageClass),
    /// Byte-hours of the 8 KiB per archived object billed at the STANDARD rate.
    ArchiveOverheadStandard(StorageTier),
    /// Byte-hours of the 32 KiB per archived object billed at the archive tier's rate.
    ArchiveOverhead(StorageTier),
    /// Byte-hours of the temporary STANDARD copy of restored objects.
    RestoredCopy(ArchiveSource),
    /// Byte-hours of the pro-rated remainder of a class's minimum storage duration.
    EarlyDelete(StorageClass),
    /// Requests of a price tier against a class.
    Requests(StorageClass, RequestTier),
    /// Lifecycle transitions into a class (one request per object).
    Transitions(StorageClass),
    /// Bytes retrieved from a class with a per-GB retrieval fee.
    Retrieval(StorageClass),
    /// Bytes uploaded to a class with a per-GB upload fee (Express One Zone).
    Upload(StorageClass),
    /// Restore requests.
    RestoreRequests(ArchiveSource, RestoreTier),
    /// Bytes restored.
    RestoreBytes(ArchiveSource, RestoreTier),
    /// Provisioned capacity units held for the month.
    ProvisionedCapacityUnits,
    /// Object-hours of Intelligent-Tiering objects monitored (>= the monitoring minimum size).
    ItMonitoredObjectHours,
    /// Bytes out to the internet.
    TransferOutInternet,
    /// Bytes moved through S3 Transfer Acceleration, by direction (on top of transfer).
    TransferAcceleration(AccelerationKind),
    /// Bytes to another region (not replication).
    TransferInterRegion(Region),
    /// Bytes replicated to another region (CRR), priced by the source region.
    ReplicationTransfer(Region),
    /// Bytes replicated with Replication Time Control.
    ReplicationRtc,
    /// Replication PUT requests into a class; metered in the destination region.
    ReplicationPuts(StorageClass),
    BatchOperationsJobs,
    BatchOperationsObjects,
    /// Objects in the source bucket listed for an AWS-generated Batch Replication manifest.
    BatchReplicationManifestObjects,
    InventoryObjectsListed,
    /// Object-hours monitored by Storage Class Analysis.
    StorageClassAnalysisObjectHours,
    /// Tag-hours of object tags stored.
    TagHours,
    ObjectLambdaBytesReturned,
    MultiRegionAccessPointBytes,
    /// Instance-seconds by purchase option.
    InstanceSeconds(InstanceType, PurchaseOption),
    /// Reservations whose upfront fee is paid this month.
    ReservationUpfronts(InstanceType, PurchaseOption),
    /// Instance-seconds carrying the EMR fee.
    EmrSeconds(InstanceType),
    EmrServerlessVcpuSeconds,
    EmrServerlessGbSeconds,
    EmrServerlessStorageGbSeconds,
    /// DPU-seconds (fractional DPUs allowed, e.g. 0.0625).
    GlueDpuSeconds(GlueClass),
    LambdaRequests,
    /// GB-seconds of Lambda duration (memory in GB × seconds, after rounding).
    LambdaGbSeconds(LambdaArch),
    /// A Savings Plan's fee in dollars, cash view (the recurring part each hour, the upfront
    /// part when paid); the label names the plan (`ComputeSavingsPlans/1yr/no-upfront/recurring`,
    /// no `:`). Its price is the commitment itself, not a list price.
    SavingsPlanFee(String),
    /// Spot instance cost in dollars at an observed price series (hour by hour).
    SpotSeriesUsd(InstanceType),
}

/// The price of one base unit of a meter in a month (a byte-second of storage, a request, a
/// byte…) at the marginal list price, for decisions that weigh one choice against another (the
/// simulator's clairvoyant bound, the optimizer). `None` when there is no such price.
pub trait UnitPrices: Send + Sync {
    fn unit_price(&self, month: Month, meter: &Meter) -> Option<f64>;
}

/// Quantities metered in one month and region.
pub type MeterSet = BTreeMap<Meter, Decimal>;

/// How much of AWS's account-wide monthly free allowances this usage may use.
#[derive(Clone, Debug, PartialEq)]
pub struct FreeTier {
    /// Apply the price book's free allowances at all.
    pub apply: bool,
    /// GB of the internet-egress allowance left for this usage; `None` = the price book's.
    pub internet_out_gb: Option<Decimal>,
}

impl Default for FreeTier {
    fn default() -> Self {
        FreeTier {
            apply: true,
            internet_out_gb: None,
        }
    }
}

/// Metered usage by month and region.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Usage {
    pub months: BTreeMap<Month, BTreeMap<Region, MeterSet>>,
    pub free_tier: FreeTier,
}

impl Usage {
    /// Adds `qty` (base units) to a meter. Zero quantities still create the month, so that a
    /// month with no usage shows as $0 rather than disappearing.
    pub fn add(&mut self, month: Month, region: &Region, meter: Meter, qty: Decimal) {
        let set = self
            .months
            .entry(month)
            .or_default()
            .entry(region.clone())
            .or_default();
        let q = set.entry(meter).or_insert(Decimal::ZERO);
        // Saturates at Decimal's 7.9e28 instead of panicking; no real meter comes near it (that
        // is 10^10 PB-years of byte-hours), and the usage reader rejects inputs that large.
        *q = q.saturating_add(qty);
    }

    pub fn touch(&mut self, month: Month, region: &Region) {
        self.months
            .entry(month)
            .or_default()
            .entry(region.clone())
            .or_default();
    }

    /// Adds another usage into this one (exact, order-independent).
    pub fn merge(&mut self, other: &Usage) {
        for (m, regions) in &other.months {
            for (r, set) in regions {
                self.touch(*m, r);
                for (meter, q) in set {
                    self.add(*m, r, meter.clone(), *q);
                }
            }
        }
    }

    /// Every region the usage touches.
    pub fn regions(&self) -> Vec<Region> {
        let mut v: Vec<Region> = self
            .months
            .values()
            .flat_map(|r| r.keys().cloned())
            .collect();
        v.sort();
        v.dedup();
        v
    }
}
