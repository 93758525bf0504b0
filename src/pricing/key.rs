//! Typed price keys and the dotted paths they live at in a pricing file.

use crate::aws::{
    AccelerationKind, ArchiveSource, GlueClass, InstanceType, LambdaArch, Platform, PurchaseOption,
    Region, RequestTier, RestoreTier, StorageClass, StorageTier, Tenancy,
};

/// Savings Plans kinds as key segments: `ec2.savings_plans.<kind>.<plan>."TYPE"`.
pub const SP_KINDS: &[&str] = &["compute", "ec2_instance"];
/// Savings Plans term and payment as one key segment.
pub const SP_PLANS: &[&str] = &[
    "1yr_no_upfront",
    "1yr_partial_upfront",
    "1yr_all_upfront",
    "3yr_no_upfront",
    "3yr_partial_upfront",
    "3yr_all_upfront",
];

/// The path of an EC2 price for `platform` and `tenancy`: `ec2.<tail…>` for Linux on shared
/// tenancy (the keys every book has), `ec2.platform.<platform>.<tenancy>.<tail…>` otherwise.
/// `tail` is e.g. `["on_demand", "m5.large"]` or `["reserved", "reserved_1yr_no_upfront",
/// "hourly", "m5.large"]`.
pub fn ec2_path(platform: Platform, tenancy: Tenancy, tail: &[&str]) -> PricePath {
    let mut v: Vec<String> = vec!["ec2".into()];
    if (platform, tenancy) != (Platform::Linux, Tenancy::Shared) {
        v.extend(["platform", platform.as_str(), tenancy.as_str()].map(String::from));
    }
    v.extend(tail.iter().map(|s| s.to_string()));
    PricePath(v)
}
use std::fmt;

/// A path of TOML keys, e.g. `s3.requests.STANDARD.tier1` or `ec2.on_demand."m5.xlarge"`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PricePath(pub Vec<String>);

impl PricePath {
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(segs: I) -> PricePath {
        PricePath(segs.into_iter().map(Into::into).collect())
    }

    pub fn starts_with(&self, prefix: &[&str]) -> bool {
        self.0.len() >= prefix.len() && self.0.iter().zip(prefix).all(|(a, b)| a == b)
    }
}

impl fmt::Display for PricePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            let bare = !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if bare {
                f.write_str(s)?;
            } else {
                write!(f, "\"{s}\"")?;
            }
        }
        Ok(())
    }
}

/// Every price the rating code asks for.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PriceKey {
    Storage(StorageTier),
    Request(StorageClass, RequestTier),
    Transition(StorageClass),
    Retrieval(StorageClass),
    Upload(StorageClass),
    RestoreRequests(ArchiveSource, RestoreTier),
    RestoreGb(ArchiveSource, RestoreTier),
    ProvisionedCapacityUnit,
    ItMonitoring,
    ReplicationRtc,
    BatchOperationsJob,
    BatchOperationsObjects,
    BatchReplicationManifestObjects,
    InventoryObjects,
    StorageClassAnalysisObjects,
    TagStorage,
    ObjectLambdaGb,
    MultiRegionAccessPointGb,
    TransferInternetOut,
    TransferInterRegion(Region),
    TransferAcceleration(AccelerationKind),
    Ec2Hourly(InstanceType, PurchaseOption),
    Ec2Upfront(InstanceType, PurchaseOption),
    EmrUplift(InstanceType),
    EmrServerlessVcpuHour,
    EmrServerlessGbHour,
    EmrServerlessStorageGbHour,
    GlueDpuHour(GlueClass),
    LambdaRequests,
    LambdaDuration(LambdaArch),
}

impl PriceKey {
    pub fn path(&self) -> PricePath {
        use PriceKey::*;
        fn s(segs: &[&str]) -> Vec<String> {
            segs.iter().map(|x| x.to_string()).collect()
        }
        let p = match self {
            Storage(t) => {
                let mut v = s(&["s3", "storage"]);
                v.extend(t.price_segments());
                v
            }
            Request(c, t) => s(&["s3", "requests", c.as_str(), t.as_str()]),
            Transition(c) => s(&["s3", "transitions", c.as_str()]),
            Retrieval(c) => s(&["s3", "retrieval", c.as_str()]),
            Upload(c) => s(&["s3", "upload", c.as_str()]),
            RestoreRequests(src, t) => s(&["s3", "restore", src.as_str(), t.as_str(), "requests"]),
            RestoreGb(src, t) => s(&["s3", "restore", src.as_str(), t.as_str(), "gb"]),
            ProvisionedCapacityUnit => s(&["s3", "restore", "provisioned_capacity_unit"]),
            ItMonitoring => s(&["s3", "monitoring", "INTELLIGENT_TIERING"]),
            ReplicationRtc => s(&["s3", "replication", "rtc_gb"]),
            BatchOperationsJob => s(&["s3", "batch_operations", "job"]),
            BatchOperationsObjects => s(&["s3", "batch_operations", "objects"]),
            BatchReplicationManifestObjects => s(&["s3", "batch_operations", "manifest_objects"]),
            InventoryObjects => s(&["s3", "inventory", "objects_listed"]),
            StorageClassAnalysisObjects => {
                s(&["s3", "storage_class_analysis", "objects_monitored"])
            }
            TagStorage => s(&["s3", "tagging", "tags"]),
            ObjectLambdaGb => s(&["s3", "object_lambda", "gb_returned"]),
            MultiRegionAccessPointGb => s(&["s3", "multi_region_access_point", "gb_routed"]),
            TransferInternetOut => s(&["transfer", "internet_out"]),
            TransferInterRegion(r) => s(&["transfer", "inter_region", r.as_str()]),
            TransferAcceleration(k) => s(&["transfer", "acceleration", k.as_str()]),
            Ec2Hourly(i, PurchaseOption::OnDemand) => s(&["ec2", "on_demand", i.as_str()]),
            Ec2Hourly(i, o) => s(&["ec2", "reserved", o.as_str(), "hourly", i.as_str()]),
            Ec2Upfront(i, o) => s(&["ec2", "reserved", o.as_str(), "upfront", i.as_str()]),
            EmrUplift(i) => s(&["emr", "uplift", i.as_str()]),
            EmrServerlessVcpuHour => s(&["emr_serverless", "vcpu_hour"]),
            EmrServerlessGbHour => s(&["emr_serverless", "gb_hour"]),
            EmrServerlessStorageGbHour => s(&["emr_serverless", "storage_gb_hour"]),
            GlueDpuHour(c) => s(&["glue", "dpu_hour", c.as_str()]),
            LambdaRequests => s(&["lambda", "requests"]),
            LambdaDuration(a) => s(&["lambda", "duration", a.as_str()]),
        };
        PricePath(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_print_as_toml_keys() {
        let k = PriceKey::Ec2Hourly(
            InstanceType::parse("m5.xlarge").unwrap(),
            PurchaseOption::OnDemand,
        );
        assert_eq!(k.path().to_string(), "ec2.on_demand.\"m5.xlarge\"");
        let k = PriceKey::Storage(StorageTier::It(crate::aws::ItTier::Frequent));
        assert_eq!(
            k.path().to_string(),
            "s3.storage.INTELLIGENT_TIERING.FREQUENT"
        );
    }
}
