//! The usage file: monthly quantities written by hand in AWS's own units (docs/usage-file.md),
//! read into a `Usage`. Per-object rules (minimum billable size, archive overhead, minimum
//! storage duration, Glue and Lambda billing minimums) are applied here, from the book's rules.

use super::{FreeTier, Meter, Usage};
use crate::aws::{
    AccelerationKind, ArchiveSource, GlueClass, InstanceType, ItTier, LambdaArch, PurchaseOption,
    Region, RequestTier, RestoreTier, StorageClass, StorageTier,
};
use crate::rules::BillingRules;
use crate::tomlx::{Doc, SpanError, Tbl};
use crate::units::{GIB, HOURS_PER_DAY, KIB, MIB, Month, SECONDS_PER_HOUR, TIB};
use rust_decimal::Decimal;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum UsageError {
    #[error(transparent)]
    At(#[from] SpanError),
    #[error("{file}: {message}")]
    File { file: String, message: String },
}

type R<T> = Result<T, UsageError>;

fn d(v: u64) -> Decimal {
    Decimal::from(v)
}

/// Reads a usage file. `home` is the region of usage that names none.
pub fn read_usage_file(file: &str, text: &str, rules: &BillingRules, home: &Region) -> R<Usage> {
    let doc = Doc::parse(file, text)?;
    let root = doc.root();
    root.only(&[
        "schema_version",
        "region",
        "description",
        "free_tier",
        "month",
    ])?;
    if let Some(v) = root.integer("schema_version")?
        && v != 1
    {
        return Err(root
            .err("schema_version", "this costlab reads schema_version 1")
            .into());
    }
    let file_region = match root.string("region")? {
        Some(r) => Region::parse(r).map_err(|m| root.err("region", m))?,
        None => home.clone(),
    };
    let mut usage = Usage::default();
    if let Some(ft) = root.table("free_tier")? {
        ft.only(&["apply", "internet_out_gb"])?;
        usage.free_tier = FreeTier {
            apply: ft.bool("apply")?.unwrap_or(true),
            internet_out_gb: ft.non_negative("internet_out_gb")?,
        };
    }
    let months = root.tables("month")?;
    if months.is_empty() {
        return Err(UsageError::File {
            file: file.to_string(),
            message: "no [[month]] sections: a usage file lists at least one month".into(),
        });
    }
    for m in &months {
        read_month(m, rules, &file_region, &mut usage)?;
    }
    Ok(usage)
}

struct Ctx<'u> {
    month: Month,
    region: Region,
    rules: &'u BillingRules,
    usage: &'u mut Usage,
}

impl Ctx<'_> {
    fn add(&mut self, meter: Meter, q: Decimal) {
        self.usage.add(self.month, &self.region, meter, q);
    }
    fn add_in(&mut self, region: &Region, meter: Meter, q: Decimal) {
        self.usage.add(self.month, region, meter, q);
    }
    fn hours(&self) -> Decimal {
        d(self.month.hours())
    }
}

fn read_month(m: &Tbl<'_>, rules: &BillingRules, file_region: &Region, usage: &mut Usage) -> R<()> {
    m.only(&[
        "month",
        "region",
        "storage",
        "early_delete",
        "requests",
        "transitions",
        "retrieval_gb",
        "upload_gb",
        "restore",
        "transfer",
        "replication",
        "management",
        "compute",
    ])?;
    let month_text = m
        .string("month")?
        .ok_or_else(|| m.err("", "a [[month]] needs `month = \"YYYY-MM\"`"))?;
    let month: Month = month_text.parse().map_err(|e: String| m.err("month", e))?;
    let region = match m.string("region")? {
        Some(r) => Region::parse(r).map_err(|e| m.err("region", e))?,
        None => file_region.clone(),
    };
    usage.touch(month, &region);
    let mut cx = Ctx {
        month,
        region,
        rules,
        usage,
    };
    if let Some(t) = m.table("storage")? {
        read_storage(&t, &mut cx)?;
    }
    if let Some(t) = m.table("early_delete")? {
        read_early_delete(&t, &mut cx)?;
    }
    if let Some(t) = m.table("requests")? {
        for class in t.keys() {
            let c: StorageClass = class.parse().map_err(|e: String| t.err(class, e))?;
            let rt = t
                .table(class)?
                .ok_or_else(|| t.err(class, "expected a table"))?;
            rt.only(&["tier1", "tier2", "delete"])?;
            for tier in RequestTier::ALL {
                if let Some(n) = count(&rt, tier.as_str())? {
                    cx.add(Meter::Requests(c, *tier), n);
                }
            }
        }
    }
    for (section, meter) in [
        (
            "transitions",
            Meter::Transitions as fn(StorageClass) -> Meter,
        ),
        ("retrieval_gb", |c| Meter::Retrieval(c)),
        ("upload_gb", |c| Meter::Upload(c)),
    ] {
        if let Some(t) = m.table(section)? {
            for class in t.keys() {
                let c: StorageClass = class.parse().map_err(|e: String| t.err(class, e))?;
                let q = if section == "transitions" {
                    count(&t, class)?
                } else {
                    gb_to_bytes(&t, class)?
                };
                if let Some(q) = q {
                    cx.add(meter(c), q);
                }
            }
        }
    }
    if let Some(t) = m.table("restore")? {
        read_restore(&t, &mut cx)?;
    }
    if let Some(t) = m.table("transfer")? {
        t.only(&["internet_out_gb", "inter_region_gb", "acceleration_gb"])?;
        if let Some(acc) = t.table("acceleration_gb")? {
            for k in acc.keys() {
                let kind: AccelerationKind = k.parse().map_err(|e: String| acc.err(k, e))?;
                if let Some(b) = gb_to_bytes(&acc, k)? {
                    cx.add(Meter::TransferAcceleration(kind), b);
                }
            }
        }
        if let Some(b) = gb_to_bytes(&t, "internet_out_gb")? {
            cx.add(Meter::TransferOutInternet, b);
        }
        if let Some(ir) = t.table("inter_region_gb")? {
            for dest in ir.keys() {
                let r = Region::parse(dest).map_err(|e| ir.err(dest, e))?;
                if r == cx.region {
                    return Err(ir
                        .err(dest, "transfer within a region is free; not inter-region")
                        .into());
                }
                if let Some(b) = gb_to_bytes(&ir, dest)? {
                    cx.add(Meter::TransferInterRegion(r), b);
                }
            }
        }
    }
    for rep in m.tables("replication")? {
        read_replication(&rep, &mut cx)?;
    }
    if let Some(t) = m.table("management")? {
        read_management(&t, &mut cx)?;
    }
    if let Some(t) = m.table("compute")? {
        read_compute(&t, &mut cx)?;
    }
    Ok(())
}

/// The product of quantities, or an error at `t.key` when it exceeds what a Decimal holds
/// (7.9e28 base units: far beyond any real bill).
fn prod(t: &Tbl<'_>, key: &str, xs: &[Decimal]) -> R<Decimal> {
    xs.iter()
        .try_fold(Decimal::ONE, |acc, x| acc.checked_mul(*x))
        .ok_or_else(|| {
            t.err(
                key,
                "the quantity is too large to meter (above 7.9e28 base units)",
            )
            .into()
        })
}

/// A non-negative whole count.
fn count(t: &Tbl<'_>, key: &str) -> R<Option<Decimal>> {
    match t.non_negative(key)? {
        Some(v) if !v.fract().is_zero() => {
            Err(t.err(key, format!("a count must be whole, got {v}")).into())
        }
        v => Ok(v),
    }
}

fn non_neg(t: &Tbl<'_>, key: &str) -> R<Option<Decimal>> {
    Ok(t.non_negative(key)?)
}

fn gb_to_bytes(t: &Tbl<'_>, key: &str) -> R<Option<Decimal>> {
    match t.non_negative(key)? {
        Some(gb) => Ok(Some(prod(t, key, &[gb, d(GIB)])?)),
        None => Ok(None),
    }
}

/// A size given as exactly one of bytes, kb, mb, gb, tb (binary: 1 KB = 1,024 bytes).
fn size_bytes(t: &Tbl<'_>) -> R<Option<Decimal>> {
    let mut found = None;
    for (k, mult) in [
        ("bytes", 1),
        ("kb", KIB),
        ("mb", MIB),
        ("gb", GIB),
        ("tb", TIB),
    ] {
        if let Some(v) = t.non_negative(k)? {
            if found.is_some() {
                return Err(t
                    .err(k, "give the size once (one of bytes, kb, mb, gb, tb)")
                    .into());
            }
            found = Some(prod(t, k, &[v, d(mult)])?);
        }
    }
    Ok(found)
}

/// A duration within the month, as days or hours.
fn duration_hours(t: &Tbl<'_>, cx: &Ctx<'_>) -> R<Decimal> {
    let h = match (t.non_negative("days")?, t.non_negative("hours")?) {
        (Some(days), None) => prod(t, "days", &[days, d(HOURS_PER_DAY)])?,
        (None, Some(h)) => h,
        (None, None) => return Err(t.err("", "needs `days` or `hours`").into()),
        (Some(_), Some(_)) => {
            return Err(t.err("hours", "give `days` or `hours`, not both").into());
        }
    };
    if h > cx.hours() {
        return Err(t
            .err(
                if t.get("days").is_some() {
                    "days"
                } else {
                    "hours"
                },
                format!(
                    "{} hours is longer than {} ({} hours)",
                    h,
                    cx.month,
                    cx.month.hours()
                ),
            )
            .into());
    }
    Ok(h)
}

fn read_storage(t: &Tbl<'_>, cx: &mut Ctx<'_>) -> R<()> {
    for class in t.keys() {
        let c: StorageClass = class.parse().map_err(|e: String| t.err(class, e))?;
        let amt = t
            .table(class)?
            .ok_or_else(|| t.err(class, "expected a table"))?;
        if c == StorageClass::IntelligentTiering {
            let names: Vec<String> = ItTier::ALL
                .iter()
                .map(|x| x.as_str().to_lowercase())
                .collect();
            let mut allowed: Vec<&str> = names.iter().map(String::as_str).collect();
            allowed.push("monitored_objects");
            amt.only(&allowed)?;
            for tier in ItTier::ALL {
                if let Some(sub) = amt.table(&tier.as_str().to_lowercase())? {
                    storage_amount(&sub, StorageTier::It(*tier), cx)?;
                }
            }
            if let Some(n) = non_neg(&amt, "monitored_objects")? {
                let q = prod(&amt, "monitored_objects", &[n, cx.hours()])?;
                cx.add(Meter::ItMonitoredObjectHours, q);
            }
        } else {
            storage_amount(&amt, StorageTier::Class(c), cx)?;
        }
    }
    Ok(())
}

/// One of `byte_hours`, `gb_months` or `periods`, plus optional average `objects`.
fn storage_amount(t: &Tbl<'_>, tier: StorageTier, cx: &mut Ctx<'_>) -> R<()> {
    t.only(&["byte_hours", "gb_months", "periods", "objects"])?;
    let given = ["byte_hours", "gb_months", "periods"]
        .iter()
        .filter(|k| t.get(k).is_some())
        .count();
    if given != 1 {
        return Err(t
            .err("", "give exactly one of byte_hours, gb_months or periods")
            .into());
    }
    let s3 = &cx.rules.s3;
    let overhead = s3.has_archive_overhead(tier);
    if let Some(bh) = count(t, "byte_hours")? {
        cx.add(Meter::Storage(tier), bh);
    }
    if let Some(gbm) = non_neg(t, "gb_months")? {
        let q = prod(t, "gb_months", &[gbm, d(GIB), cx.hours()])?;
        cx.add(Meter::Storage(tier), q);
    }
    if let Some(objects) = non_neg(t, "objects")? {
        if t.get("periods").is_some() {
            return Err(t
                .err("objects", "with periods, give `objects` in each period")
                .into());
        }
        if !overhead {
            return Err(t
                .err("objects", format!("average objects only matter for archive overhead, which {tier} does not carry"))
                .into());
        }
        add_overhead(cx, tier, t, "objects", &[objects, cx.hours()])?;
    }
    for p in t.tables("periods")? {
        p.only(&["bytes", "kb", "mb", "gb", "tb", "days", "hours", "objects"])?;
        let size = size_bytes(&p)?
            .ok_or_else(|| p.err("", "a period needs a size: bytes, kb, mb, gb or tb"))?;
        let hours = duration_hours(&p, cx)?;
        match non_neg(&p, "objects")? {
            None => cx.add(Meter::Storage(tier), prod(&p, "days", &[size, hours])?),
            Some(n) => {
                // Per-object size: the class's minimum billable size and archive overhead apply.
                cx.add(
                    Meter::Storage(tier),
                    prod(&p, "objects", &[size, n, hours])?,
                );
                if let StorageTier::Class(c) = tier {
                    let min = d(s3.minimum_bytes(c));
                    if size < min {
                        let q = prod(&p, "objects", &[min - size, n, hours])?;
                        cx.add(Meter::SmallObjectPadding(c), q);
                    }
                }
                if overhead {
                    add_overhead(cx, tier, &p, "objects", &[n, hours])?;
                }
            }
        }
    }
    Ok(())
}

/// §2.3: per archived object, 8 KiB at STANDARD rates and 32 KiB at the archive rate, for the
/// object-hours that are the product of `object_hours`.
fn add_overhead(
    cx: &mut Ctx<'_>,
    tier: StorageTier,
    t: &Tbl<'_>,
    key: &str,
    object_hours: &[Decimal],
) -> R<()> {
    let s3 = &cx.rules.s3;
    let (std_b, arc_b) = (
        d(s3.archive_overhead_standard_bytes),
        d(s3.archive_overhead_archive_bytes),
    );
    let std_q = prod(t, key, &[object_hours, &[std_b]].concat())?;
    let arc_q = prod(t, key, &[object_hours, &[arc_b]].concat())?;
    cx.add(Meter::ArchiveOverheadStandard(tier), std_q);
    cx.add(Meter::ArchiveOverhead(tier), arc_q);
    Ok(())
}

fn read_early_delete(t: &Tbl<'_>, cx: &mut Ctx<'_>) -> R<()> {
    for class in t.keys() {
        let c: StorageClass = class.parse().map_err(|e: String| t.err(class, e))?;
        let a = t
            .table(class)?
            .ok_or_else(|| t.err(class, "expected a table"))?;
        a.only(&["byte_hours", "gb_months", "deleted"])?;
        let min_days = cx.rules.s3.minimum_days(c);
        if min_days == 0 {
            return Err(t
                .err(
                    class,
                    format!("{c} has no minimum storage duration in the price book"),
                )
                .into());
        }
        if let Some(bh) = count(&a, "byte_hours")? {
            cx.add(Meter::EarlyDelete(c), bh);
        }
        if let Some(gbm) = non_neg(&a, "gb_months")? {
            let q = prod(&a, "gb_months", &[gbm, d(GIB), cx.hours()])?;
            cx.add(Meter::EarlyDelete(c), q);
        }
        for del in a.tables("deleted")? {
            // §2.2: deleted, overwritten or transitioned before the minimum: "a pro-rated charge
            // for the remainder of the minimum storage duration", on the billable size.
            del.only(&["bytes", "kb", "mb", "gb", "tb", "objects", "days_stored"])?;
            let size = size_bytes(&del)?
                .ok_or_else(|| del.err("", "needs a size: bytes, kb, mb, gb or tb"))?;
            let stored = del
                .non_negative("days_stored")?
                .ok_or_else(|| del.err("", "needs `days_stored`"))?;
            let remaining = (d(min_days) - stored).max(Decimal::ZERO);
            let bytes = match non_neg(&del, "objects")? {
                Some(n) => prod(
                    &del,
                    "objects",
                    &[size.max(d(cx.rules.s3.minimum_bytes(c))), n],
                )?,
                None => size,
            };
            let q = prod(&del, "days_stored", &[bytes, remaining, d(HOURS_PER_DAY)])?;
            cx.add(Meter::EarlyDelete(c), q);
        }
    }
    Ok(())
}

fn read_restore(t: &Tbl<'_>, cx: &mut Ctx<'_>) -> R<()> {
    for key in t.keys() {
        if key == "provisioned_capacity_units" {
            if let Some(n) = count(t, key)? {
                cx.add(Meter::ProvisionedCapacityUnits, n);
            }
            continue;
        }
        let src: ArchiveSource = key
            .parse()
            .map_err(|e: String| t.err(key, format!("{e} (or provisioned_capacity_units)")))?;
        let st = t
            .table(key)?
            .ok_or_else(|| t.err(key, "expected a table"))?;
        st.only(&["expedited", "standard", "bulk"])?;
        for tier in RestoreTier::ALL {
            let Some(r) = st.table(tier.as_str())? else {
                continue;
            };
            r.only(&["requests", "gb", "copy_days"])?;
            if let Some(n) = count(&r, "requests")? {
                cx.add(Meter::RestoreRequests(src, *tier), n);
            }
            let bytes = gb_to_bytes(&r, "gb")?;
            if let Some(b) = bytes {
                cx.add(Meter::RestoreBytes(src, *tier), b);
            }
            if let Some(days) = r.non_negative("copy_days")? {
                // The temporary copy is billed at the STANDARD rate for the days kept (§1.3).
                let b = bytes.ok_or_else(|| r.err("copy_days", "needs `gb` restored"))?;
                let hours = prod(&r, "copy_days", &[days, d(HOURS_PER_DAY)])?;
                if hours > cx.hours() {
                    return Err(r
                        .err("copy_days", format!("longer than {}", cx.month))
                        .into());
                }
                cx.add(
                    Meter::RestoredCopy(src),
                    prod(&r, "copy_days", &[b, hours])?,
                );
            }
        }
    }
    Ok(())
}

fn read_replication(t: &Tbl<'_>, cx: &mut Ctx<'_>) -> R<()> {
    t.only(&[
        "destination_region",
        "destination_class",
        "gb",
        "objects",
        "rtc",
    ])?;
    let dest = t
        .string("destination_region")?
        .ok_or_else(|| t.err("", "needs destination_region"))?;
    let dest = Region::parse(dest).map_err(|e| t.err("destination_region", e))?;
    let class: StorageClass = t
        .string("destination_class")?
        .unwrap_or("STANDARD")
        .parse()
        .map_err(|e: String| t.err("destination_class", e))?;
    let bytes = gb_to_bytes(t, "gb")?.unwrap_or(Decimal::ZERO);
    if dest != cx.region {
        // CRR: inter-region transfer priced by the source region (§2.6). SRR: free.
        cx.add(Meter::ReplicationTransfer(dest.clone()), bytes);
    }
    if t.bool("rtc")?.unwrap_or(false) {
        cx.add(Meter::ReplicationRtc, bytes);
    }
    if let Some(n) = count(t, "objects")? {
        // Replica PUTs at the destination region's price (§1.5, P1).
        cx.add_in(&dest, Meter::ReplicationPuts(class), n);
    }
    Ok(())
}

fn read_management(t: &Tbl<'_>, cx: &mut Ctx<'_>) -> R<()> {
    t.only(&[
        "batch_jobs",
        "batch_objects",
        "batch_manifest_objects",
        "inventory_objects_listed",
        "storage_class_analysis_objects",
        "tags",
        "object_lambda_gb",
        "multi_region_access_point_gb",
    ])?;
    let h = cx.hours();
    for (k, meter, per_hour) in [
        ("batch_jobs", Meter::BatchOperationsJobs, false),
        ("batch_objects", Meter::BatchOperationsObjects, false),
        (
            "batch_manifest_objects",
            Meter::BatchReplicationManifestObjects,
            false,
        ),
        (
            "inventory_objects_listed",
            Meter::InventoryObjectsListed,
            false,
        ),
        (
            "storage_class_analysis_objects",
            Meter::StorageClassAnalysisObjectHours,
            true,
        ),
        ("tags", Meter::TagHours, true),
    ] {
        if let Some(n) = count(t, k)? {
            let q = if per_hour { prod(t, k, &[n, h])? } else { n };
            cx.add(meter, q);
        }
    }
    if let Some(b) = gb_to_bytes(t, "object_lambda_gb")? {
        cx.add(Meter::ObjectLambdaBytesReturned, b);
    }
    if let Some(b) = gb_to_bytes(t, "multi_region_access_point_gb")? {
        cx.add(Meter::MultiRegionAccessPointBytes, b);
    }
    Ok(())
}

fn read_compute(t: &Tbl<'_>, cx: &mut Ctx<'_>) -> R<()> {
    t.only(&["ec2", "emr", "emr_serverless", "glue", "lambda"])?;
    for e in t.tables("ec2")? {
        e.only(&[
            "instance_type",
            "purchase",
            "hours",
            "seconds",
            "full_month",
            "count",
            "upfronts",
        ])?;
        let it = instance(&e)?;
        let purchase: PurchaseOption = e
            .string("purchase")?
            .unwrap_or("on_demand")
            .parse()
            .map_err(|m: String| e.err("purchase", m))?;
        let secs = instance_seconds(&e, cx)?;
        cx.add(Meter::InstanceSeconds(it.clone(), purchase), secs);
        if let Some(n) = count(&e, "upfronts")? {
            if !purchase.has_upfront() {
                return Err(e
                    .err("upfronts", format!("{purchase} has no upfront fee"))
                    .into());
            }
            cx.add(Meter::ReservationUpfronts(it, purchase), n);
        }
    }
    for e in t.tables("emr")? {
        e.only(&["instance_type", "hours", "seconds", "full_month", "count"])?;
        let it = instance(&e)?;
        let secs = instance_seconds(&e, cx)?;
        cx.add(Meter::EmrSeconds(it), secs);
    }
    if let Some(s) = t.table("emr_serverless")? {
        s.only(&["vcpu_hours", "gb_hours", "storage_gb_hours"])?;
        for (k, meter) in [
            ("vcpu_hours", Meter::EmrServerlessVcpuSeconds),
            ("gb_hours", Meter::EmrServerlessGbSeconds),
            ("storage_gb_hours", Meter::EmrServerlessStorageGbSeconds),
        ] {
            if let Some(v) = non_neg(&s, k)? {
                cx.add(meter, prod(&s, k, &[v, d(SECONDS_PER_HOUR)])?);
            }
        }
    }
    for g in t.tables("glue")? {
        g.only(&["class", "dpu_hours", "dpu", "minutes", "seconds", "runs"])?;
        let class: GlueClass = g
            .string("class")?
            .unwrap_or("standard")
            .parse()
            .map_err(|m: String| g.err("class", m))?;
        if let Some(dh) = non_neg(&g, "dpu_hours")? {
            if ["dpu", "minutes", "seconds", "runs"]
                .iter()
                .any(|k| g.get(k).is_some())
            {
                return Err(g
                    .err(
                        "dpu_hours",
                        "give dpu_hours, or dpu with minutes/seconds per run, not both",
                    )
                    .into());
            }
            cx.add(
                Meter::GlueDpuSeconds(class),
                prod(&g, "dpu_hours", &[dh, d(SECONDS_PER_HOUR)])?,
            );
            continue;
        }
        let dpu = g
            .non_negative("dpu")?
            .ok_or_else(|| g.err("", "needs dpu_hours, or dpu and minutes/seconds"))?;
        let run_secs = match (non_neg(&g, "minutes")?, non_neg(&g, "seconds")?) {
            (Some(m), None) => prod(&g, "minutes", &[m, d(60)])?,
            (None, Some(s)) => s,
            _ => {
                return Err(g
                    .err("", "give the run length as minutes or seconds")
                    .into());
            }
        };
        let runs = count(&g, "runs")?.unwrap_or(Decimal::ONE);
        // Per-second billing with a minimum per run (compute.rules.glue_minimum_seconds).
        let billed = run_secs.max(d(cx.rules.compute.glue_minimum_seconds));
        cx.add(
            Meter::GlueDpuSeconds(class),
            prod(&g, "dpu", &[dpu, billed, runs])?,
        );
    }
    for l in t.tables("lambda")? {
        l.only(&["arch", "requests", "gb_seconds", "memory_mb", "duration_ms"])?;
        let arch: LambdaArch = l
            .string("arch")?
            .unwrap_or("x86_64")
            .parse()
            .map_err(|m: String| l.err("arch", m))?;
        let requests = count(&l, "requests")?.unwrap_or(Decimal::ZERO);
        cx.add(Meter::LambdaRequests, requests);
        let gbs = match (
            non_neg(&l, "gb_seconds")?,
            non_neg(&l, "memory_mb")?,
            non_neg(&l, "duration_ms")?,
        ) {
            (Some(g), None, None) => g,
            (None, Some(mb), Some(ms)) => {
                // Duration rounds up to the billing granularity; GB = MB / 1,024.
                let step = d(cx.rules.compute.lambda_duration_rounding_ms.max(1));
                let ms = prod(&l, "duration_ms", &[(ms / step).ceil(), step])?;
                prod(&l, "memory_mb", &[mb / d(1024), ms / d(1000), requests])?
            }
            (None, None, None) => Decimal::ZERO,
            _ => {
                return Err(l
                    .err(
                        "",
                        "give gb_seconds, or memory_mb with duration_ms (per request)",
                    )
                    .into());
            }
        };
        cx.add(Meter::LambdaGbSeconds(arch), gbs);
    }
    Ok(())
}

fn instance(t: &Tbl<'_>) -> R<InstanceType> {
    let s = t
        .string("instance_type")?
        .ok_or_else(|| t.err("", "needs instance_type"))?;
    Ok(InstanceType::parse(s).map_err(|m| t.err("instance_type", m))?)
}

/// Instance-seconds from `hours`, `seconds` or `full_month = true` per instance, times `count`
/// instances. One instance cannot run longer than the month.
fn instance_seconds(t: &Tbl<'_>, cx: &Ctx<'_>) -> R<Decimal> {
    let full = t.bool("full_month")?.unwrap_or(false);
    let month_secs = d(cx.month.hours() * SECONDS_PER_HOUR);
    let (key, per) = match (t.non_negative("hours")?, t.non_negative("seconds")?, full) {
        (Some(h), None, false) => ("hours", prod(t, "hours", &[h, d(SECONDS_PER_HOUR)])?),
        (None, Some(s), false) => ("seconds", s),
        (None, None, true) => ("full_month", month_secs),
        _ => {
            return Err(t
                .err(
                    "",
                    "give one of hours, seconds or full_month = true (per instance)",
                )
                .into());
        }
    };
    if per > month_secs {
        return Err(t
            .err(
                key,
                format!(
                    "one instance runs at most the {} hours of {}; use `count` for more instances",
                    cx.month.hours(),
                    cx.month
                ),
            )
            .into());
    }
    let n = count(t, "count")?.unwrap_or(Decimal::ONE);
    prod(t, "count", &[per, n])
}
