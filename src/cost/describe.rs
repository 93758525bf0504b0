//! What each meter is on a bill: its category, service, class, usage type, the price that
//! rates it and the conversion from the meter's base unit to the billed unit.

use crate::aws::{InstanceType, PurchaseOption, Region, RequestTier, StorageClass, StorageTier};
use crate::meter::Meter;
use crate::pricing::PriceKey;
use crate::units::{GIB, Month, SECONDS_PER_HOUR};
use rust_decimal::Decimal;
use std::fmt;

/// Bill categories, as the JSON output names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    Storage,
    Requests,
    Transition,
    Retrieval,
    Restore,
    Monitoring,
    EarlyDelete,
    Transfer,
    Replication,
    Compute,
}

impl Category {
    pub const ALL: [Category; 10] = [
        Category::Storage,
        Category::Requests,
        Category::Transition,
        Category::Retrieval,
        Category::Restore,
        Category::Monitoring,
        Category::EarlyDelete,
        Category::Transfer,
        Category::Replication,
        Category::Compute,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Storage => "storage",
            Category::Requests => "requests",
            Category::Transition => "transition",
            Category::Retrieval => "retrieval",
            Category::Restore => "restore",
            Category::Monitoring => "monitoring",
            Category::EarlyDelete => "early_delete",
            Category::Transfer => "transfer",
            Category::Replication => "replication",
            Category::Compute => "compute",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a line's price comes from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PriceSource {
    Key(PriceKey),
    /// On-Demand × (1 − Spot Advisor saving %): an estimate (compute reference §4a).
    SpotEstimate(InstanceType),
    /// The quantity is dollars already (a commitment fee, a price series' cost): $1 per USD.
    AsMetered,
}

/// A meter as a bill line, before pricing.
#[derive(Clone, Debug, PartialEq)]
pub struct LineSpec {
    pub category: Category,
    pub service: &'static str,
    pub class: String,
    pub usage_type: String,
    pub price: PriceSource,
    /// Base-unit quantity ÷ this = billed quantity.
    pub divisor: Decimal,
}

/// AWS's short name for a class in usage types.
fn abbr(c: StorageClass) -> &'static str {
    match c {
        StorageClass::Standard => "",
        StorageClass::IntelligentTiering => "INT",
        StorageClass::StandardIa => "SIA",
        StorageClass::OnezoneIa => "ZIA",
        StorageClass::GlacierIr => "GIR",
        StorageClass::Glacier => "Glacier",
        StorageClass::DeepArchive => "GDA",
        StorageClass::ExpressOnezone => "XZ",
        StorageClass::ReducedRedundancy => "RRS",
    }
}

fn tier_abbr(t: StorageTier) -> String {
    match t {
        StorageTier::Class(c) => abbr(c).to_string(),
        StorageTier::It(i) => format!(
            "INT-{}",
            match i {
                crate::aws::ItTier::Frequent => "FA",
                crate::aws::ItTier::Infrequent => "IA",
                crate::aws::ItTier::ArchiveInstant => "AIA",
                crate::aws::ItTier::Archive => "AA",
                crate::aws::ItTier::DeepArchive => "DAA",
            }
        ),
    }
}

fn dash(prefix: &str, a: &str, suffix: &str) -> String {
    if a.is_empty() {
        format!("{prefix}-{suffix}")
    } else {
        format!("{prefix}-{a}-{suffix}")
    }
}

const STANDARD: StorageTier = StorageTier::Class(StorageClass::Standard);

/// Describes `meter` as billed in `month` (whose hours convert byte-hours to GB-months).
pub fn describe(meter: &Meter, month: Month) -> LineSpec {
    use Category as C;
    use Meter as M;
    let gib = Decimal::from(GIB);
    let gb_month = gib * Decimal::from(month.hours());
    let hours = Decimal::from(month.hours());
    let hour = Decimal::from(SECONDS_PER_HOUR);
    let one = Decimal::ONE;
    let spec =
        |category, service, class: String, usage_type: String, key: PriceKey, divisor| LineSpec {
            category,
            service,
            class,
            usage_type,
            price: PriceSource::Key(key),
            divisor,
        };
    match meter {
        M::Storage(t) => {
            let ut = if *t == STANDARD {
                "TimedStorage-ByteHrs".to_string()
            } else if *t == StorageTier::Class(StorageClass::Glacier) {
                "TimedStorage-GlacierByteHrs".to_string()
            } else {
                format!("TimedStorage-{}-ByteHrs", tier_abbr(*t))
            };
            spec(
                C::Storage,
                "s3",
                t.label().to_string(),
                ut,
                PriceKey::Storage(*t),
                gb_month,
            )
        }
        M::SmallObjectPadding(c) => spec(
            C::Storage,
            "s3",
            c.to_string(),
            format!("TimedStorage-{}-SmObjects", abbr(*c)),
            PriceKey::Storage(StorageTier::Class(*c)),
            gb_month,
        ),
        M::ArchiveOverheadStandard(t) => spec(
            C::Storage,
            "s3",
            t.label().to_string(),
            format!(
                "TimedStorage-{}-Overhead-8KiB-AtStandardRate",
                tier_abbr(*t)
            ),
            PriceKey::Storage(STANDARD),
            gb_month,
        ),
        M::ArchiveOverhead(t) => spec(
            C::Storage,
            "s3",
            t.label().to_string(),
            format!("TimedStorage-{}-Overhead-32KiB", tier_abbr(*t)),
            PriceKey::Storage(*t),
            gb_month,
        ),
        M::RestoredCopy(s) => spec(
            C::Restore,
            "s3",
            s.to_string(),
            "TimedStorage-RestoredCopy-AtStandardRate".into(),
            PriceKey::Storage(STANDARD),
            gb_month,
        ),
        M::EarlyDelete(c) => spec(
            C::EarlyDelete,
            "s3",
            c.to_string(),
            format!(
                "EarlyDelete-{}",
                if *c == StorageClass::Glacier {
                    "ByteHrs"
                } else {
                    abbr(*c)
                }
            ),
            PriceKey::Storage(StorageTier::Class(*c)),
            gb_month,
        ),
        M::Requests(c, t) => {
            let suffix = match t {
                RequestTier::Tier1 => "Tier1",
                RequestTier::Tier2 => "Tier2",
                RequestTier::Delete => "Delete",
            };
            spec(
                C::Requests,
                "s3",
                c.to_string(),
                dash("Requests", abbr(*c), suffix),
                PriceKey::Request(*c, *t),
                one,
            )
        }
        M::Transitions(c) => spec(
            C::Transition,
            "s3",
            c.to_string(),
            format!("Transition-{}", abbr(*c)),
            PriceKey::Transition(*c),
            one,
        ),
        M::Retrieval(c) => spec(
            C::Retrieval,
            "s3",
            c.to_string(),
            format!("Retrieval-{}", abbr(*c)),
            PriceKey::Retrieval(*c),
            gib,
        ),
        M::Upload(c) => spec(
            C::Requests,
            "s3",
            c.to_string(),
            format!("Upload-{}", abbr(*c)),
            PriceKey::Upload(*c),
            gib,
        ),
        M::RestoreRequests(s, t) => spec(
            C::Restore,
            "s3",
            s.to_string(),
            format!("Restore-{}-Requests", cap(t.as_str())),
            PriceKey::RestoreRequests(*s, *t),
            one,
        ),
        M::RestoreBytes(s, t) => spec(
            C::Restore,
            "s3",
            s.to_string(),
            format!("Restore-{}-Bytes", cap(t.as_str())),
            PriceKey::RestoreGb(*s, *t),
            gib,
        ),
        M::ProvisionedCapacityUnits => spec(
            C::Restore,
            "s3",
            "GLACIER".into(),
            "ProvisionedCapacityUnit".into(),
            PriceKey::ProvisionedCapacityUnit,
            one,
        ),
        M::ItMonitoredObjectHours => spec(
            C::Monitoring,
            "s3",
            "INTELLIGENT_TIERING".into(),
            "Monitoring-Automation-INT".into(),
            PriceKey::ItMonitoring,
            hours,
        ),
        M::TransferOutInternet => spec(
            C::Transfer,
            "data-transfer",
            "internet".into(),
            "DataTransfer-Out-Bytes".into(),
            PriceKey::TransferInternetOut,
            gib,
        ),
        M::TransferInterRegion(r) => spec(
            C::Transfer,
            "data-transfer",
            r.to_string(),
            format!("DataTransfer-InterRegion-To-{r}"),
            PriceKey::TransferInterRegion(r.clone()),
            gib,
        ),
        M::ReplicationTransfer(r) => spec(
            C::Replication,
            "data-transfer",
            r.to_string(),
            format!("Replication-InterRegion-To-{r}"),
            PriceKey::TransferInterRegion(r.clone()),
            gib,
        ),
        M::ReplicationRtc => spec(
            C::Replication,
            "s3",
            "RTC".into(),
            "Replication-TimeControl-Bytes".into(),
            PriceKey::ReplicationRtc,
            gib,
        ),
        M::ReplicationPuts(c) => spec(
            C::Replication,
            "s3",
            c.to_string(),
            dash("Replication-Requests", abbr(*c), "Tier1"),
            PriceKey::Request(*c, RequestTier::Tier1),
            one,
        ),
        M::BatchOperationsJobs => spec(
            C::Requests,
            "s3",
            String::new(),
            "BatchOperations-Jobs".into(),
            PriceKey::BatchOperationsJob,
            one,
        ),
        M::BatchOperationsObjects => spec(
            C::Requests,
            "s3",
            String::new(),
            "BatchOperations-Objects".into(),
            PriceKey::BatchOperationsObjects,
            one,
        ),
        M::BatchReplicationManifestObjects => spec(
            C::Replication,
            "s3",
            String::new(),
            "BatchReplication-Manifest-Objects".into(),
            PriceKey::BatchReplicationManifestObjects,
            one,
        ),
        M::TransferAcceleration(k) => spec(
            C::Transfer,
            "data-transfer",
            k.to_string(),
            format!("TransferAcceleration-{k}"),
            PriceKey::TransferAcceleration(*k),
            gib,
        ),
        M::InventoryObjectsListed => spec(
            C::Monitoring,
            "s3",
            String::new(),
            "Inventory-ObjectsListed".into(),
            PriceKey::InventoryObjects,
            one,
        ),
        M::StorageClassAnalysisObjectHours => spec(
            C::Monitoring,
            "s3",
            String::new(),
            "StorageAnalytics-ObjCount".into(),
            PriceKey::StorageClassAnalysisObjects,
            hours,
        ),
        M::TagHours => spec(
            C::Monitoring,
            "s3",
            String::new(),
            "TagStorage-TagHrs".into(),
            PriceKey::TagStorage,
            hours,
        ),
        M::ObjectLambdaBytesReturned => spec(
            C::Retrieval,
            "s3",
            String::new(),
            "ObjectLambda-Bytes-Returned".into(),
            PriceKey::ObjectLambdaGb,
            gib,
        ),
        M::MultiRegionAccessPointBytes => spec(
            C::Transfer,
            "s3",
            String::new(),
            "MRAP-DataRouting-Bytes".into(),
            PriceKey::MultiRegionAccessPointGb,
            gib,
        ),
        M::InstanceSeconds(i, o) => {
            let (ut, price) = match o {
                PurchaseOption::OnDemand => (
                    format!("BoxUsage:{i}"),
                    PriceSource::Key(PriceKey::Ec2Hourly(i.clone(), *o)),
                ),
                PurchaseOption::SpotAdvisor => (
                    format!("SpotUsage:{i}"),
                    PriceSource::SpotEstimate(i.clone()),
                ),
                _ => (
                    format!("HeavyUsage:{i}:{o}"),
                    PriceSource::Key(PriceKey::Ec2Hourly(i.clone(), *o)),
                ),
            };
            LineSpec {
                category: C::Compute,
                service: "ec2",
                class: i.to_string(),
                usage_type: ut,
                price,
                divisor: hour,
            }
        }
        M::SavingsPlanFee(label) => LineSpec {
            category: C::Compute,
            service: "savingsplans",
            class: label.clone(),
            usage_type: format!("SavingsPlanFee:{label}"),
            price: PriceSource::AsMetered,
            divisor: one,
        },
        M::SpotSeriesUsd(i) => LineSpec {
            category: C::Compute,
            service: "ec2",
            class: i.to_string(),
            usage_type: format!("SpotUsage:{i}:price-series"),
            price: PriceSource::AsMetered,
            divisor: one,
        },
        M::ReservationUpfronts(i, o) => spec(
            C::Compute,
            "ec2",
            i.to_string(),
            format!("ReservedUpfront:{i}:{o}"),
            PriceKey::Ec2Upfront(i.clone(), *o),
            one,
        ),
        M::EmrSeconds(i) => spec(
            C::Compute,
            "emr",
            i.to_string(),
            format!("ElasticMapReduce:BoxUsage:{i}"),
            PriceKey::EmrUplift(i.clone()),
            hour,
        ),
        M::EmrServerlessVcpuSeconds => spec(
            C::Compute,
            "emr-serverless",
            String::new(),
            "EMRServerless-vCPUHours".into(),
            PriceKey::EmrServerlessVcpuHour,
            hour,
        ),
        M::EmrServerlessGbSeconds => spec(
            C::Compute,
            "emr-serverless",
            String::new(),
            "EMRServerless-MemoryGBHours".into(),
            PriceKey::EmrServerlessGbHour,
            hour,
        ),
        M::EmrServerlessStorageGbSeconds => spec(
            C::Compute,
            "emr-serverless",
            String::new(),
            "EMRServerless-StorageGBHours".into(),
            PriceKey::EmrServerlessStorageGbHour,
            hour,
        ),
        M::GlueDpuSeconds(c) => spec(
            C::Compute,
            "glue",
            c.to_string(),
            format!("Glue-ETL-DPU-Hour:{c}"),
            PriceKey::GlueDpuHour(*c),
            hour,
        ),
        M::LambdaRequests => spec(
            C::Compute,
            "lambda",
            String::new(),
            "Lambda-Request".into(),
            PriceKey::LambdaRequests,
            one,
        ),
        M::LambdaGbSeconds(a) => spec(
            C::Compute,
            "lambda",
            a.to_string(),
            format!("Lambda-GB-Second:{a}"),
            PriceKey::LambdaDuration(*a),
            one,
        ),
    }
}

fn cap(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

/// True when a meter lives in one region but is about another (inter-region transfer to itself
/// is a mistake, not a price).
pub fn same_region_transfer(meter: &Meter, region: &Region) -> bool {
    matches!(meter, Meter::TransferInterRegion(r) | Meter::ReplicationTransfer(r) if r == region)
}
