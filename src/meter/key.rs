//! A stable text form of every meter (`storage:STANDARD`, `requests:GLACIER:tier1`,
//! `instance_seconds:m5.xlarge:on_demand`), so integer usage can be written to shard files and
//! read back exactly.

use super::Meter;
use crate::aws::{InstanceType, Region};

impl Meter {
    /// The meter's stable key.
    pub fn key(&self) -> String {
        use Meter::*;
        match self {
            Storage(t) => format!("storage:{t}"),
            SmallObjectPadding(c) => format!("small_object_padding:{c}"),
            ArchiveOverheadStandard(t) => format!("archive_overhead_standard:{t}"),
            ArchiveOverhead(t) => format!("archive_overhead:{t}"),
            RestoredCopy(s) => format!("restored_copy:{s}"),
            EarlyDelete(c) => format!("early_delete:{c}"),
            Requests(c, t) => format!("requests:{c}:{t}"),
            Transitions(c) => format!("transitions:{c}"),
            Retrieval(c) => format!("retrieval:{c}"),
            Upload(c) => format!("upload:{c}"),
            RestoreRequests(s, t) => format!("restore_requests:{s}:{t}"),
            RestoreBytes(s, t) => format!("restore_bytes:{s}:{t}"),
            ProvisionedCapacityUnits => "provisioned_capacity_units".into(),
            ItMonitoredObjectHours => "it_monitored_object_hours".into(),
            TransferOutInternet => "transfer_out_internet".into(),
            TransferAcceleration(k) => format!("transfer_acceleration:{k}"),
            TransferInterRegion(r) => format!("transfer_inter_region:{r}"),
            ReplicationTransfer(r) => format!("replication_transfer:{r}"),
            ReplicationRtc => "replication_rtc".into(),
            ReplicationPuts(c) => format!("replication_puts:{c}"),
            BatchOperationsJobs => "batch_operations_jobs".into(),
            BatchOperationsObjects => "batch_operations_objects".into(),
            BatchReplicationManifestObjects => "batch_replication_manifest_objects".into(),
            InventoryObjectsListed => "inventory_objects_listed".into(),
            StorageClassAnalysisObjectHours => "storage_class_analysis_object_hours".into(),
            TagHours => "tag_hours".into(),
            ObjectLambdaBytesReturned => "object_lambda_bytes_returned".into(),
            MultiRegionAccessPointBytes => "multi_region_access_point_bytes".into(),
            InstanceSeconds(i, o) => format!("instance_seconds:{i}:{o}"),
            ReservationUpfronts(i, o) => format!("reservation_upfronts:{i}:{o}"),
            EmrSeconds(i) => format!("emr_seconds:{i}"),
            EmrServerlessVcpuSeconds => "emr_serverless_vcpu_seconds".into(),
            EmrServerlessGbSeconds => "emr_serverless_gb_seconds".into(),
            EmrServerlessStorageGbSeconds => "emr_serverless_storage_gb_seconds".into(),
            GlueDpuSeconds(c) => format!("glue_dpu_seconds:{c}"),
            LambdaRequests => "lambda_requests".into(),
            LambdaGbSeconds(a) => format!("lambda_gb_seconds:{a}"),
            SavingsPlanFee(l) => format!("savings_plan_fee:{l}"),
            SpotSeriesUsd(i) => format!("spot_series_usd:{i}"),
        }
    }

    /// Parses a key written by [`Meter::key`].
    pub fn from_key(s: &str) -> Result<Meter, String> {
        use Meter::*;
        let bad = || format!("unknown meter key {s:?}");
        let (name, rest) = s.split_once(':').unwrap_or((s, ""));
        let one = || -> Result<&str, String> {
            if rest.is_empty() || rest.contains(':') {
                Err(bad())
            } else {
                Ok(rest)
            }
        };
        let two = || -> Result<(&str, &str), String> {
            let (a, b) = rest.split_once(':').ok_or_else(bad)?;
            if b.contains(':') {
                Err(bad())
            } else {
                Ok((a, b))
            }
        };
        let none = |m: Meter| if rest.is_empty() { Ok(m) } else { Err(bad()) };
        Ok(match name {
            "storage" => Storage(one()?.parse()?),
            "small_object_padding" => SmallObjectPadding(one()?.parse()?),
            "archive_overhead_standard" => ArchiveOverheadStandard(one()?.parse()?),
            "archive_overhead" => ArchiveOverhead(one()?.parse()?),
            "restored_copy" => RestoredCopy(one()?.parse()?),
            "early_delete" => EarlyDelete(one()?.parse()?),
            "requests" => {
                let (c, t) = two()?;
                Requests(c.parse()?, t.parse()?)
            }
            "transitions" => Transitions(one()?.parse()?),
            "retrieval" => Retrieval(one()?.parse()?),
            "upload" => Upload(one()?.parse()?),
            "restore_requests" => {
                let (a, b) = two()?;
                RestoreRequests(a.parse()?, b.parse()?)
            }
            "restore_bytes" => {
                let (a, b) = two()?;
                RestoreBytes(a.parse()?, b.parse()?)
            }
            "provisioned_capacity_units" => none(ProvisionedCapacityUnits)?,
            "it_monitored_object_hours" => none(ItMonitoredObjectHours)?,
            "transfer_out_internet" => none(TransferOutInternet)?,
            "transfer_acceleration" => TransferAcceleration(one()?.parse()?),
            "transfer_inter_region" => TransferInterRegion(Region::parse(one()?)?),
            "replication_transfer" => ReplicationTransfer(Region::parse(one()?)?),
            "replication_rtc" => none(ReplicationRtc)?,
            "replication_puts" => ReplicationPuts(one()?.parse()?),
            "batch_operations_jobs" => none(BatchOperationsJobs)?,
            "batch_operations_objects" => none(BatchOperationsObjects)?,
            "batch_replication_manifest_objects" => none(BatchReplicationManifestObjects)?,
            "inventory_objects_listed" => none(InventoryObjectsListed)?,
            "storage_class_analysis_object_hours" => none(StorageClassAnalysisObjectHours)?,
            "tag_hours" => none(TagHours)?,
            "object_lambda_bytes_returned" => none(ObjectLambdaBytesReturned)?,
            "multi_region_access_point_bytes" => none(MultiRegionAccessPointBytes)?,
            "instance_seconds" => {
                let (i, o) = two_instance(rest).ok_or_else(bad)?;
                InstanceSeconds(InstanceType::parse(i)?, o.parse()?)
            }
            "reservation_upfronts" => {
                let (i, o) = two_instance(rest).ok_or_else(bad)?;
                ReservationUpfronts(InstanceType::parse(i)?, o.parse()?)
            }
            "emr_seconds" => EmrSeconds(InstanceType::parse(one()?)?),
            "emr_serverless_vcpu_seconds" => none(EmrServerlessVcpuSeconds)?,
            "emr_serverless_gb_seconds" => none(EmrServerlessGbSeconds)?,
            "emr_serverless_storage_gb_seconds" => none(EmrServerlessStorageGbSeconds)?,
            "glue_dpu_seconds" => GlueDpuSeconds(one()?.parse()?),
            "lambda_requests" => none(LambdaRequests)?,
            "lambda_gb_seconds" => LambdaGbSeconds(one()?.parse()?),
            "savings_plan_fee" => SavingsPlanFee(one()?.to_string()),
            "spot_series_usd" => SpotSeriesUsd(InstanceType::parse(one()?)?),
            _ => return Err(bad()),
        })
    }
}

/// `m5.xlarge:on_demand` (instance types contain a dot, never a colon).
fn two_instance(rest: &str) -> Option<(&str, &str)> {
    rest.rsplit_once(':')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::*;

    #[test]
    fn every_kind_of_meter_round_trips() {
        let it = InstanceType::parse("m5.xlarge").unwrap();
        let r = Region::parse("eu-west-1").unwrap();
        let mut all = vec![
            Meter::ProvisionedCapacityUnits,
            Meter::ItMonitoredObjectHours,
            Meter::TransferOutInternet,
            Meter::TransferInterRegion(r.clone()),
            Meter::ReplicationTransfer(r),
            Meter::ReplicationRtc,
            Meter::InstanceSeconds(it.clone(), PurchaseOption::Reserved1yrNoUpfront),
            Meter::ReservationUpfronts(it.clone(), PurchaseOption::Reserved3yrAllUpfront),
            Meter::EmrSeconds(it.clone()),
            Meter::GlueDpuSeconds(GlueClass::Flex),
            Meter::LambdaGbSeconds(LambdaArch::Arm),
            Meter::SavingsPlanFee("ComputeSavingsPlans/1yr/no-upfront/recurring".into()),
            Meter::SpotSeriesUsd(it.clone()),
            Meter::TransferAcceleration(AccelerationKind::ToOtherRegion),
        ];
        for t in StorageTier::all() {
            all.extend([
                Meter::Storage(t),
                Meter::ArchiveOverhead(t),
                Meter::ArchiveOverheadStandard(t),
            ]);
        }
        for c in StorageClass::ALL {
            for rt in RequestTier::ALL {
                all.push(Meter::Requests(*c, *rt));
            }
            all.extend([
                Meter::EarlyDelete(*c),
                Meter::Transitions(*c),
                Meter::Retrieval(*c),
                Meter::ReplicationPuts(*c),
            ]);
        }
        for s in ArchiveSource::ALL {
            for t in RestoreTier::ALL {
                all.extend([
                    Meter::RestoreRequests(*s, *t),
                    Meter::RestoreBytes(*s, *t),
                    Meter::RestoredCopy(*s),
                ]);
            }
        }
        for m in all {
            assert_eq!(Meter::from_key(&m.key()).unwrap(), m, "{}", m.key());
        }
        assert!(Meter::from_key("storage").is_err());
        assert!(Meter::from_key("requests:STANDARD").is_err());
        assert!(Meter::from_key("nope:1").is_err());
    }
}
