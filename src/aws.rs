//! AWS vocabulary shared by every layer: storage classes and Intelligent-Tiering tiers, request
//! tiers, restore tiers, compute purchase options, regions and instance types. Names parse from
//! and print as AWS spells them (`STANDARD_IA`, `DEEP_ARCHIVE`, `us-east-1`, `m5.xlarge`).

use std::fmt;
use std::str::FromStr;

macro_rules! named_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| format!(
                        "unknown {} {s:?}; expected one of: {}",
                        stringify!($name),
                        $name::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
                    ))
            }
        }
    };
}

named_enum!(
    /// An S3 storage class, spelled as the S3 API spells it.
    StorageClass {
        Standard = "STANDARD",
        IntelligentTiering = "INTELLIGENT_TIERING",
        StandardIa = "STANDARD_IA",
        OnezoneIa = "ONEZONE_IA",
        GlacierIr = "GLACIER_IR",
        Glacier = "GLACIER",
        DeepArchive = "DEEP_ARCHIVE",
        ExpressOnezone = "EXPRESS_ONEZONE",
        ReducedRedundancy = "REDUCED_REDUNDANCY",
    }
);

named_enum!(
    /// The access tiers inside S3 Intelligent-Tiering (s3-pricing-and-rules.md §1.1, §2.4).
    ItTier {
        Frequent = "FREQUENT",
        Infrequent = "INFREQUENT",
        ArchiveInstant = "ARCHIVE_INSTANT",
        Archive = "ARCHIVE",
        DeepArchive = "DEEP_ARCHIVE",
    }
);

named_enum!(
    /// S3 request price tiers: tier 1 is PUT, COPY, POST, LIST; tier 2 is GET, SELECT and all
    /// other requests; DELETE and CANCEL are free (§1.2).
    RequestTier {
        Tier1 = "tier1",
        Tier2 = "tier2",
        Delete = "delete",
    }
);

named_enum!(
    /// Restore (retrieval) speed for archived objects (§1.3).
    RestoreTier {
        Expedited = "expedited",
        Standard = "standard",
        Bulk = "bulk",
    }
);

named_enum!(
    /// Where a restore reads from: the two archive classes and IT's two asynchronous tiers.
    ArchiveSource {
        Glacier = "GLACIER",
        DeepArchive = "DEEP_ARCHIVE",
        ItArchive = "INTELLIGENT_TIERING_ARCHIVE",
        ItDeepArchive = "INTELLIGENT_TIERING_DEEP_ARCHIVE",
    }
);

named_enum!(
    /// How an EC2 instance-hour is bought (compute-pricing-and-rules.md §1–§4).
    PurchaseOption {
        OnDemand = "on_demand",
        Reserved1yrNoUpfront = "reserved_1yr_no_upfront",
        Reserved3yrNoUpfront = "reserved_3yr_no_upfront",
        Reserved1yrPartialUpfront = "reserved_1yr_partial_upfront",
        Reserved3yrPartialUpfront = "reserved_3yr_partial_upfront",
        Reserved1yrAllUpfront = "reserved_1yr_all_upfront",
        Reserved3yrAllUpfront = "reserved_3yr_all_upfront",
        SpotAdvisor = "spot_advisor",
    }
);

impl PurchaseOption {
    /// Whether an upfront fee exists for this option.
    pub fn has_upfront(self) -> bool {
        matches!(
            self,
            PurchaseOption::Reserved1yrPartialUpfront
                | PurchaseOption::Reserved3yrPartialUpfront
                | PurchaseOption::Reserved1yrAllUpfront
                | PurchaseOption::Reserved3yrAllUpfront
        )
    }
}

named_enum!(
    /// The operating system an EC2 price is for: Linux/UNIX (the default), Windows with the
    /// license included, Red Hat Enterprise Linux, SUSE Linux (as the offer files' operation
    /// codes `RunInstances`, `:0002`, `:0010`, `:000g`).
    Platform {
        Linux = "linux",
        Windows = "windows",
        Rhel = "rhel",
        Suse = "suse",
    }
);

named_enum!(
    /// EC2 tenancy: shared hardware (the default) or Dedicated Instances. Dedicated Hosts are
    /// bought per host, not per instance, and are not priced by costlab.
    Tenancy {
        Shared = "shared",
        Dedicated = "dedicated",
    }
);

named_enum!(
    /// S3 Transfer Acceleration directions (§1.4): in through US/EU/Japan edges, in through other
    /// edges, out, and to another Region; charged on top of ordinary transfer.
    AccelerationKind {
        InUsEuJp = "in_us_eu_jp",
        InOther = "in_other",
        Out = "out",
        ToOtherRegion = "to_other_region",
    }
);

named_enum!(
    /// CPU architecture for Lambda duration prices.
    LambdaArch {
        X86 = "x86_64",
        Arm = "arm64",
    }
);

named_enum!(
    /// Glue execution class.
    GlueClass {
        Standard = "standard",
        Flex = "flex",
    }
);

/// Where a byte of storage is billed: a storage class, or one tier of Intelligent-Tiering.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StorageTier {
    Class(StorageClass),
    It(ItTier),
}

impl StorageTier {
    /// Path segments of its storage price: `STANDARD` or `INTELLIGENT_TIERING.FREQUENT`.
    pub fn price_segments(self) -> Vec<String> {
        match self {
            StorageTier::Class(c) => vec![c.as_str().to_string()],
            StorageTier::It(t) => vec!["INTELLIGENT_TIERING".into(), t.as_str().into()],
        }
    }

    /// `STANDARD` or `INTELLIGENT_TIERING.FREQUENT` (its price segments joined by dots).
    pub fn label(self) -> &'static str {
        match self {
            StorageTier::Class(c) => c.as_str(),
            StorageTier::It(ItTier::Frequent) => "INTELLIGENT_TIERING.FREQUENT",
            StorageTier::It(ItTier::Infrequent) => "INTELLIGENT_TIERING.INFREQUENT",
            StorageTier::It(ItTier::ArchiveInstant) => "INTELLIGENT_TIERING.ARCHIVE_INSTANT",
            StorageTier::It(ItTier::Archive) => "INTELLIGENT_TIERING.ARCHIVE",
            StorageTier::It(ItTier::DeepArchive) => "INTELLIGENT_TIERING.DEEP_ARCHIVE",
        }
    }

    /// Every storage tier there is a price for: IT as its five tiers, not as one class.
    pub fn all() -> Vec<StorageTier> {
        StorageClass::ALL
            .iter()
            .filter(|c| **c != StorageClass::IntelligentTiering)
            .map(|c| StorageTier::Class(*c))
            .chain(ItTier::ALL.iter().map(|t| StorageTier::It(*t)))
            .collect()
    }
}

impl fmt::Display for StorageTier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl FromStr for StorageTier {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if let Some(t) = s.strip_prefix("INTELLIGENT_TIERING.") {
            return Ok(StorageTier::It(t.parse()?));
        }
        match s.parse::<StorageClass>()? {
            StorageClass::IntelligentTiering => Err(
                "INTELLIGENT_TIERING storage is priced per tier: use INTELLIGENT_TIERING.FREQUENT, \
                 .INFREQUENT, .ARCHIVE_INSTANT, .ARCHIVE or .DEEP_ARCHIVE"
                    .into(),
            ),
            c => Ok(StorageTier::Class(c)),
        }
    }
}

/// An AWS region code such as `us-east-1`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Region(pub String);

impl Region {
    /// Region codes look like `us-east-1`, `ap-southeast-7`, `us-gov-west-1`.
    pub fn parse(s: &str) -> Result<Region, String> {
        let parts: Vec<&str> = s.split('-').collect();
        let ok = parts.len() >= 3
            && parts.len() <= 4
            && parts[0].len() == 2
            && parts.iter().all(|p| !p.is_empty())
            && parts[..parts.len() - 1]
                .iter()
                .all(|p| p.chars().all(|c| c.is_ascii_lowercase()))
            && parts[parts.len() - 1].chars().all(|c| c.is_ascii_digit());
        if ok {
            Ok(Region(s.to_string()))
        } else {
            Err(format!("{s:?} is not an AWS region code like us-east-1"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An EC2 instance type such as `m5.xlarge`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct InstanceType(pub String);

impl InstanceType {
    pub fn parse(s: &str) -> Result<InstanceType, String> {
        let ok = s.split_once('.').is_some_and(|(family, size)| {
            !family.is_empty()
                && !size.is_empty()
                && family.starts_with(|c: char| c.is_ascii_lowercase())
                && family
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && size
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        });
        if ok {
            Ok(InstanceType(s.to_string()))
        } else {
            Err(format!("{s:?} is not an EC2 instance type like m5.xlarge"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for InstanceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for c in StorageClass::ALL {
            assert_eq!(c.as_str().parse::<StorageClass>().unwrap(), *c);
        }
        for t in StorageTier::all() {
            assert_eq!(t.label().parse::<StorageTier>().unwrap(), t);
            assert_eq!(t.label(), t.price_segments().join("."));
        }
        assert!("INTELLIGENT_TIERING".parse::<StorageTier>().is_err());
        assert!("STANDARD-IA".parse::<StorageClass>().is_err());
    }

    #[test]
    fn region_and_instance_shapes() {
        assert!(Region::parse("us-east-1").is_ok());
        assert!(Region::parse("us-gov-west-1").is_ok());
        assert!(Region::parse("ap-southeast-7").is_ok());
        assert!(Region::parse("useast1").is_err());
        assert!(Region::parse("us-east-").is_err());
        assert!(InstanceType::parse("m5.xlarge").is_ok());
        assert!(InstanceType::parse("m5xlarge").is_err());
        assert!(InstanceType::parse("M5.xlarge").is_err());
    }
}
