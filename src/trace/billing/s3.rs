//! S3 usage types as billed (`TimedStorage-SIA-ByteHrs`, `Requests-Tier1`,
//! `Retrieval-ZIA`, `Requests-Tier4`, `EarlyDelete-GDA`, `Monitoring-Automation-INT`…), read
//! into a category and a storage class or Intelligent-Tiering tier, so billed usage can be set
//! beside the usage costlab meters (S3 user guide, "Understanding your AWS billing and usage
//! reports for Amazon S3").

use serde::Serialize;

/// What an S3 usage type measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum S3Category {
    /// Byte-hours stored (billed as GB-months).
    Storage,
    /// Byte-hours of per-object overhead or staging (small objects, archive index, staging).
    StorageOverhead,
    /// Requests (PUT/COPY/POST/LIST tier 1, GET and others tier 2).
    Requests,
    /// Lifecycle transition requests (`Requests-Tier4`; `Requests-Tier3` also counts restores).
    Transition,
    /// Restore requests of archived objects.
    Restore,
    /// Bytes retrieved from an infrequent-access or archive class.
    Retrieval,
    /// Prorated byte-hours of objects deleted before the class's minimum duration.
    EarlyDelete,
    /// Intelligent-Tiering objects monitored.
    Monitoring,
    /// Data transfer in or out.
    Transfer,
    /// Anything else (inventory, analytics, tags, Select, batch operations…).
    Other,
}

impl S3Category {
    pub fn as_str(self) -> &'static str {
        match self {
            S3Category::Storage => "storage",
            S3Category::StorageOverhead => "storage_overhead",
            S3Category::Requests => "requests",
            S3Category::Transition => "transition",
            S3Category::Restore => "restore",
            S3Category::Retrieval => "retrieval",
            S3Category::EarlyDelete => "early_delete",
            S3Category::Monitoring => "monitoring",
            S3Category::Transfer => "transfer",
            S3Category::Other => "other",
        }
    }
}

/// The storage class or tier of an abbreviation used in usage types.
fn class_of(abbr: &str) -> Option<&'static str> {
    Some(match abbr {
        "" | "STANDARD" => "STANDARD",
        "SIA" => "STANDARD_IA",
        "ZIA" => "ONEZONE_IA",
        "GIR" => "GLACIER_IR",
        "Glacier" | "GLACIER" => "GLACIER",
        "GDA" => "DEEP_ARCHIVE",
        "RRS" => "REDUCED_REDUNDANCY",
        "XZ" => "EXPRESS_ONEZONE",
        "INT" => "INTELLIGENT_TIERING",
        "INT-FA" => "INTELLIGENT_TIERING.FREQUENT",
        "INT-IA" => "INTELLIGENT_TIERING.INFREQUENT",
        "INT-AIA" => "INTELLIGENT_TIERING.ARCHIVE_INSTANT",
        "INT-AA" => "INTELLIGENT_TIERING.ARCHIVE",
        "INT-DAA" => "INTELLIGENT_TIERING.DEEP_ARCHIVE",
        _ => return None,
    })
}

/// Reads an S3 usage type without its Region prefix into a category and, where the usage type
/// names one, a storage class or Intelligent-Tiering tier (`INTELLIGENT_TIERING.FREQUENT`).
pub fn classify(usage_type: &str) -> (S3Category, Option<&'static str>) {
    use S3Category as C;
    if let Some(rest) = usage_type.strip_prefix("TimedStorage-") {
        if rest == "ByteHrs" {
            return (C::Storage, class_of(""));
        }
        if rest == "GlacierByteHrs" {
            return (C::Storage, class_of("GLACIER"));
        }
        if let Some(abbr) = rest.strip_suffix("-ByteHrs") {
            return (C::Storage, class_of(abbr));
        }
        let abbr = rest
            .trim_end_matches("-SmObjects")
            .trim_end_matches("-Staging")
            .trim_end_matches("Staging")
            .trim_end_matches('-');
        return (C::StorageOverhead, class_of(abbr));
    }
    if let Some(rest) = usage_type.strip_prefix("Requests-") {
        let (abbr, tier) = match rest.rsplit_once('-') {
            Some((a, t)) => (a, t),
            None => ("", rest),
        };
        let class = class_of(abbr);
        return match tier {
            "Tier1" | "Tier2" => (C::Requests, class),
            "Tier4" => (C::Transition, class),
            "Tier3" if abbr.is_empty() => (C::Transition, class_of("GLACIER")),
            "Tier3" | "Tier5" | "Tier6" => (C::Restore, class.or(class_of("GLACIER"))),
            _ => (C::Other, class),
        };
    }
    if let Some(abbr) = usage_type.strip_prefix("Retrieval-") {
        return (C::Retrieval, class_of(abbr));
    }
    if usage_type.ends_with("-Retrieval-Bytes") {
        return (C::Retrieval, None);
    }
    if let Some(rest) = usage_type.strip_prefix("EarlyDelete-") {
        let abbr = rest.trim_end_matches("-SmObjects");
        let class = if abbr == "ByteHrs" {
            class_of("GLACIER")
        } else {
            class_of(abbr)
        };
        return (C::EarlyDelete, class);
    }
    if usage_type == "Monitoring-Automation-INT" {
        return (C::Monitoring, class_of("INT"));
    }
    if usage_type.contains("-Bytes") && (usage_type.contains("In-") || usage_type.contains("Out-"))
    {
        return (C::Transfer, None);
    }
    (C::Other, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_types_read_as_categories_and_classes() {
        use S3Category as C;
        let cases = [
            ("TimedStorage-ByteHrs", C::Storage, Some("STANDARD")),
            ("TimedStorage-SIA-ByteHrs", C::Storage, Some("STANDARD_IA")),
            ("TimedStorage-GlacierByteHrs", C::Storage, Some("GLACIER")),
            (
                "TimedStorage-INT-AIA-ByteHrs",
                C::Storage,
                Some("INTELLIGENT_TIERING.ARCHIVE_INSTANT"),
            ),
            (
                "TimedStorage-SIA-SmObjects",
                C::StorageOverhead,
                Some("STANDARD_IA"),
            ),
            (
                "TimedStorage-GDA-Staging",
                C::StorageOverhead,
                Some("DEEP_ARCHIVE"),
            ),
            (
                "TimedStorage-GlacierStaging",
                C::StorageOverhead,
                Some("GLACIER"),
            ),
            ("Requests-Tier1", C::Requests, Some("STANDARD")),
            ("Requests-SIA-Tier2", C::Requests, Some("STANDARD_IA")),
            ("Requests-Tier4", C::Transition, Some("STANDARD")),
            ("Requests-GDA-Tier5", C::Restore, Some("DEEP_ARCHIVE")),
            ("Retrieval-ZIA", C::Retrieval, Some("ONEZONE_IA")),
            ("EarlyDelete-ByteHrs", C::EarlyDelete, Some("GLACIER")),
            (
                "EarlyDelete-SIA-SmObjects",
                C::EarlyDelete,
                Some("STANDARD_IA"),
            ),
            (
                "Monitoring-Automation-INT",
                C::Monitoring,
                Some("INTELLIGENT_TIERING"),
            ),
            ("DataTransfer-Out-Bytes", C::Transfer, None),
            ("TagStorage-TagHrs", C::Other, None),
        ];
        for (ut, cat, class) in cases {
            assert_eq!(classify(ut), (cat, class), "{ut}");
        }
    }
}
