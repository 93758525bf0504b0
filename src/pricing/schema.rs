//! The keys a pricing file may hold, with the unit each is billed in. Anything else is an
//! "unknown key" error: a typo must never silently drop a price.

use super::key::PricePath;
use crate::aws::{
    AccelerationKind, ArchiveSource, GlueClass, LambdaArch, Platform, PurchaseOption, RequestTier,
    RestoreTier, StorageClass, StorageTier, Tenancy,
};
use std::sync::OnceLock;

/// The unit a quantity is billed or stated in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Unit {
    GbMonth,
    Gb,
    Requests,
    Objects,
    ObjectMonths,
    TagMonths,
    UnitMonths,
    Jobs,
    Hours,
    GbSeconds,
    DpuHours,
    VcpuHours,
    GbHours,
    Reservations,
    Percent,
    Bucket,
    Bytes,
    Days,
    Seconds,
    Milliseconds,
    Vcpu,
    Gib,
    Flag,
    /// Dollars metered as such (a commitment fee, a price series' cost), priced at $1.
    Usd,
    /// EC2 size-flexibility units (nano 0.25 … 112xlarge 896).
    NormalizedUnits,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::GbMonth => "GB-Mo",
            Unit::Gb => "GB",
            Unit::Requests => "Requests",
            Unit::Objects => "Objects",
            Unit::ObjectMonths => "Object-Mo",
            Unit::TagMonths => "Tag-Mo",
            Unit::UnitMonths => "Unit-Mo",
            Unit::Jobs => "Jobs",
            Unit::Hours => "Hrs",
            Unit::GbSeconds => "GB-Second",
            Unit::DpuHours => "DPU-Hour",
            Unit::VcpuHours => "vCPU-Hour",
            Unit::GbHours => "GB-Hour",
            Unit::Reservations => "Reservations",
            Unit::Percent => "%",
            Unit::Bucket => "bucket",
            Unit::Bytes => "bytes",
            Unit::Days => "days",
            Unit::Seconds => "seconds",
            Unit::Milliseconds => "ms",
            Unit::Vcpu => "vCPU",
            Unit::Gib => "GiB",
            Unit::Flag => "flag",
            Unit::Usd => "USD",
            Unit::NormalizedUnits => "normalized units",
        }
    }
}

/// What a key holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    /// A price in USD per `per` units of `unit`; `tiered` allows volume bands and a monthly free
    /// allowance.
    Price { unit: Unit, per: u64, tiered: bool },
    /// A non-price fact or rule (vCPUs, a saving %, a minimum duration).
    Fact { unit: Unit },
}

#[derive(Clone, Debug)]
enum Seg {
    Lit(String),
    /// Any EC2 instance type (`m5.xlarge`).
    Instance,
    /// Any region code (`us-west-2`).
    Region,
}

struct Pattern {
    segs: Vec<Seg>,
    kind: EntryKind,
}

impl Pattern {
    fn matches(&self, path: &PricePath) -> bool {
        self.segs.len() == path.0.len()
            && self.segs.iter().zip(&path.0).all(|(seg, s)| match seg {
                Seg::Lit(l) => l == s,
                Seg::Instance => crate::aws::InstanceType::parse(s).is_ok(),
                Seg::Region => crate::aws::Region::parse(s).is_ok(),
            })
    }

    fn display(&self) -> String {
        self.segs
            .iter()
            .map(|s| match s {
                Seg::Lit(l) => l.clone(),
                Seg::Instance => "\"<instance-type>\"".into(),
                Seg::Region => "<region>".into(),
            })
            .collect::<Vec<_>>()
            .join(".")
    }
}

fn lit(parts: &[&str]) -> Vec<Seg> {
    parts.iter().map(|p| Seg::Lit(p.to_string())).collect()
}

fn price(unit: Unit, per: u64) -> EntryKind {
    EntryKind::Price {
        unit,
        per,
        tiered: false,
    }
}

fn tiered(unit: Unit, per: u64) -> EntryKind {
    EntryKind::Price {
        unit,
        per,
        tiered: true,
    }
}

fn fact(unit: Unit) -> EntryKind {
    EntryKind::Fact { unit }
}

fn patterns() -> &'static [Pattern] {
    static P: OnceLock<Vec<Pattern>> = OnceLock::new();
    P.get_or_init(build)
}

fn build() -> Vec<Pattern> {
    let mut v = Vec::new();
    let mut add = |segs: Vec<Seg>, kind: EntryKind| v.push(Pattern { segs, kind });
    for t in StorageTier::all() {
        let mut segs = lit(&["s3", "storage"]);
        segs.extend(t.price_segments().into_iter().map(Seg::Lit));
        add(segs, tiered(Unit::GbMonth, 1));
    }
    for c in StorageClass::ALL {
        for r in RequestTier::ALL {
            add(
                lit(&["s3", "requests", c.as_str(), r.as_str()]),
                price(Unit::Requests, 1000),
            );
        }
        add(
            lit(&["s3", "transitions", c.as_str()]),
            price(Unit::Requests, 1000),
        );
        add(lit(&["s3", "retrieval", c.as_str()]), price(Unit::Gb, 1));
        add(lit(&["s3", "upload", c.as_str()]), price(Unit::Gb, 1));
        add(
            lit(&["s3", "rules", "minimum_storage_days", c.as_str()]),
            fact(Unit::Days),
        );
        add(
            lit(&["s3", "rules", "minimum_billable_bytes", c.as_str()]),
            fact(Unit::Bytes),
        );
    }
    for s in ArchiveSource::ALL {
        for t in RestoreTier::ALL {
            add(
                lit(&["s3", "restore", s.as_str(), t.as_str(), "requests"]),
                price(Unit::Requests, 1000),
            );
            add(
                lit(&["s3", "restore", s.as_str(), t.as_str(), "gb"]),
                price(Unit::Gb, 1),
            );
        }
    }
    add(
        lit(&["s3", "restore", "provisioned_capacity_unit"]),
        price(Unit::UnitMonths, 1),
    );
    add(
        lit(&["s3", "monitoring", "INTELLIGENT_TIERING"]),
        price(Unit::ObjectMonths, 1000),
    );
    add(lit(&["s3", "replication", "rtc_gb"]), price(Unit::Gb, 1));
    add(
        lit(&["s3", "batch_operations", "job"]),
        price(Unit::Jobs, 1),
    );
    add(
        lit(&["s3", "batch_operations", "objects"]),
        price(Unit::Objects, 1_000_000),
    );
    add(
        lit(&["s3", "batch_operations", "manifest_objects"]),
        price(Unit::Objects, 1_000_000),
    );
    add(
        lit(&["s3", "inventory", "objects_listed"]),
        price(Unit::Objects, 1_000_000),
    );
    add(
        lit(&["s3", "storage_class_analysis", "objects_monitored"]),
        price(Unit::ObjectMonths, 1_000_000),
    );
    add(
        lit(&["s3", "tagging", "tags"]),
        price(Unit::TagMonths, 10_000),
    );
    add(
        lit(&["s3", "object_lambda", "gb_returned"]),
        price(Unit::Gb, 1),
    );
    add(
        lit(&["s3", "multi_region_access_point", "gb_routed"]),
        price(Unit::Gb, 1),
    );
    for (k, u) in [
        ("archive_overhead_standard_bytes", Unit::Bytes),
        ("archive_overhead_archive_bytes", Unit::Bytes),
        ("intelligent_tiering_monitoring_min_bytes", Unit::Bytes),
        ("intelligent_tiering_infrequent_after_days", Unit::Days),
        ("intelligent_tiering_archive_instant_after_days", Unit::Days),
        ("lifecycle_transition_min_bytes", Unit::Bytes),
    ] {
        add(lit(&["s3", "rules", k]), fact(u));
    }
    for t in StorageTier::all() {
        let mut segs = lit(&["s3", "rules", "archive_overhead"]);
        segs.extend(t.price_segments().into_iter().map(Seg::Lit));
        add(segs, fact(Unit::Flag));
    }
    add(lit(&["transfer", "internet_out"]), tiered(Unit::Gb, 1));
    for k in AccelerationKind::ALL {
        add(
            lit(&["transfer", "acceleration", k.as_str()]),
            price(Unit::Gb, 1),
        );
    }
    let mut segs = lit(&["transfer", "inter_region"]);
    segs.push(Seg::Region);
    add(segs, price(Unit::Gb, 1));

    let inst = |prefix: &[&str], suffix: &[&str]| {
        let mut s = lit(prefix);
        s.push(Seg::Instance);
        s.extend(lit(suffix));
        s
    };
    // EC2 prices: Linux on shared tenancy at `ec2.<…>`, every other platform and tenancy at
    // `ec2.platform.<platform>.<tenancy>.<…>` (docs/pricing-file.md).
    let mut heads: Vec<Vec<String>> = vec![vec!["ec2".into()]];
    for p in Platform::ALL {
        for t in Tenancy::ALL {
            if (*p, *t) != (Platform::Linux, Tenancy::Shared) {
                heads.push(
                    ["ec2", "platform", p.as_str(), t.as_str()]
                        .iter()
                        .map(|x| x.to_string())
                        .collect(),
                );
            }
        }
    }
    for head in &heads {
        let cat = |mid: &[&str]| -> Vec<Seg> {
            let mut v: Vec<Seg> = head.iter().map(|x| Seg::Lit(x.clone())).collect();
            v.extend(mid.iter().map(|x| Seg::Lit(x.to_string())));
            v.push(Seg::Instance);
            v
        };
        add(cat(&["on_demand"]), price(Unit::Hours, 1));
        for o in PurchaseOption::ALL {
            if o.as_str().starts_with("reserved") {
                for class in ["reserved", "reserved_convertible"] {
                    add(cat(&[class, o.as_str(), "hourly"]), price(Unit::Hours, 1));
                    add(
                        cat(&[class, o.as_str(), "upfront"]),
                        price(Unit::Reservations, 1),
                    );
                }
            }
        }
        for kind in super::key::SP_KINDS {
            for plan in super::key::SP_PLANS {
                add(cat(&["savings_plans", kind, plan]), price(Unit::Hours, 1));
            }
        }
    }
    add(inst(&["ec2", "specs"], &["vcpu"]), fact(Unit::Vcpu));
    add(inst(&["ec2", "specs"], &["memory_gib"]), fact(Unit::Gib));
    add(
        inst(&["ec2", "specs"], &["emr_supported"]),
        fact(Unit::Flag),
    );
    add(
        inst(&["ec2", "specs"], &["normalization_factor"]),
        fact(Unit::NormalizedUnits),
    );
    add(
        inst(&["ec2", "spot_advisor"], &["savings_pct"]),
        fact(Unit::Percent),
    );
    add(
        inst(&["ec2", "spot_advisor"], &["interruption_bucket"]),
        fact(Unit::Bucket),
    );
    add(inst(&["emr", "uplift"], &[]), price(Unit::Hours, 1));
    add(
        lit(&["emr_serverless", "vcpu_hour"]),
        price(Unit::VcpuHours, 1),
    );
    add(lit(&["emr_serverless", "gb_hour"]), price(Unit::GbHours, 1));
    add(
        lit(&["emr_serverless", "storage_gb_hour"]),
        price(Unit::GbHours, 1),
    );
    for c in GlueClass::ALL {
        add(
            lit(&["glue", "dpu_hour", c.as_str()]),
            price(Unit::DpuHours, 1),
        );
    }
    add(
        lit(&["lambda", "requests"]),
        tiered(Unit::Requests, 1_000_000),
    );
    for a in LambdaArch::ALL {
        add(
            lit(&["lambda", "duration", a.as_str()]),
            tiered(Unit::GbSeconds, 1),
        );
    }
    for (k, u) in [
        ("ec2_minimum_seconds", Unit::Seconds),
        ("emr_minimum_seconds", Unit::Seconds),
        ("glue_minimum_seconds", Unit::Seconds),
        ("lambda_duration_rounding_ms", Unit::Milliseconds),
    ] {
        add(lit(&["compute", "rules", k]), fact(u));
    }
    v
}

/// What `path` may hold, or `None` when the schema has no such key.
pub fn classify(path: &PricePath) -> Option<EntryKind> {
    patterns().iter().find(|p| p.matches(path)).map(|p| p.kind)
}

/// The known key closest to `path`, to suggest for a typo; none for a path longer than
/// `tomlx::MAX_SUGGEST_CHARS` (the distance is never computed for it, so a megabyte key is
/// rejected at once).
pub fn suggest(path: &PricePath) -> Option<String> {
    let text = path.to_string();
    let known: Vec<String> = patterns().iter().map(|p| p.display()).collect();
    crate::tomlx::closest(&text, known.iter().map(String::as_str), 4).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown_keys() {
        let p = PricePath::new(["s3", "storage", "STANDARD"]);
        assert!(matches!(
            classify(&p),
            Some(EntryKind::Price { tiered: true, .. })
        ));
        let p = PricePath::new(["ec2", "on_demand", "m5.xlarge"]);
        assert!(matches!(
            classify(&p),
            Some(EntryKind::Price {
                unit: Unit::Hours,
                ..
            })
        ));
        let typo = PricePath::new(["s3", "storage", "STANDRD"]);
        assert!(classify(&typo).is_none());
        assert_eq!(suggest(&typo).as_deref(), Some("s3.storage.STANDARD"));
        // No suggestion is computed for a key past the bound (a 1 MB key took 25 s).
        let long = PricePath::new(["s3", "storage", &"S".repeat(100)]);
        assert_eq!(suggest(&long), None);
        let p = PricePath::new(["transfer", "inter_region", "eu-west-1"]);
        assert!(classify(&p).is_some());
        let p = PricePath::new(["transfer", "inter_region", "europe"]);
        assert!(classify(&p).is_none());
    }
}
