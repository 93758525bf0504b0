//! The typed line record every export becomes ([`LineItem`]), what kind of charge it is
//! ([`Charge`]), and the EC2 vocabulary read from usage types and operations: instance usage
//! (`BoxUsage:m5.xlarge`, `USE2-DedicatedUsage:c5.large`, `SpotUsage:…`), tenancy, platform
//! (`RunInstances:0002` is Windows) and the Region prefixes of usage types.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::units::Timestamp;

use super::error::Problem;
use super::format::{Binding, Field};

/// One value of a row, as the file stores it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cell<'a> {
    Null,
    Text(&'a str),
    Float(f64),
    Int(i64),
    /// A timestamp column, in whole seconds since the epoch (UTC).
    Seconds(i64),
}

/// A problem in one value: the column (as the file spells it) and what is wrong.
pub type FieldError = (Option<String>, Problem);

/// A row of any export, read through its [`Binding`].
pub trait Row {
    /// The raw value of `field` (`Cell::Null` when the file has no such column).
    fn cell(&self, field: Field) -> Result<Cell<'_>, Problem>;
    fn binding(&self) -> &Binding;
}

/// Typed access to a row's values. Empty text and FOCUS's literal `NULL` are absent values.
pub struct Values<'r, R: Row + ?Sized> {
    pub row: &'r R,
}

fn column(binding: &Binding, f: Field) -> Option<String> {
    binding.name(f).map(str::to_string)
}

impl<'r, R: Row + ?Sized> Values<'r, R> {
    fn err(&self, f: Field, p: Problem) -> FieldError {
        (column(self.row.binding(), f), p)
    }

    fn cell(&self, f: Field) -> Result<Cell<'r>, FieldError> {
        self.row.cell(f).map_err(|p| self.err(f, p))
    }

    /// The text of `f`, trimmed; `None` when absent, empty or `NULL`.
    pub fn text(&self, f: Field) -> Result<Option<&'r str>, FieldError> {
        match self.cell(f)? {
            Cell::Null => Ok(None),
            Cell::Text(s) => {
                let s = s.trim();
                Ok((!s.is_empty() && s != "NULL").then_some(s))
            }
            other => Err(self.err(
                f,
                Problem::invalid(&format!("{other:?}"), "text (the column holds numbers)"),
            )),
        }
    }

    /// The text of `f`, which must be present.
    pub fn required_text(&self, f: Field) -> Result<&'r str, FieldError> {
        self.text(f)?.ok_or_else(|| self.err(f, Problem::Missing))
    }

    /// A decimal: plain (`0.0000008`), scientific (`6.71E-8`), or a Parquet number.
    pub fn decimal(&self, f: Field) -> Result<Option<Decimal>, FieldError> {
        match self.cell(f)? {
            Cell::Null => Ok(None),
            Cell::Text(s) => {
                let s = s.trim();
                if s.is_empty() || s == "NULL" {
                    return Ok(None);
                }
                parse_decimal(s)
                    .map(Some)
                    .ok_or_else(|| self.err(f, Problem::invalid(s, "a number")))
            }
            Cell::Float(v) => decimal_from_f64(v)
                .map(Some)
                .ok_or_else(|| self.err(f, Problem::invalid(&v.to_string(), "a finite number"))),
            Cell::Int(i) | Cell::Seconds(i) => Ok(Some(Decimal::from(i))),
        }
    }

    /// A time: RFC 3339 (`2023-11-10T19:00:00.000Z`), zone-less `2024-09-18 22:00:00` (read as
    /// UTC, as FOCUS exports write it), or a Parquet timestamp.
    pub fn time(&self, f: Field) -> Result<Option<Timestamp>, FieldError> {
        match self.cell(f)? {
            Cell::Null => Ok(None),
            Cell::Seconds(s) => Ok(Some(Timestamp(s))),
            Cell::Text(s) => {
                let s = s.trim();
                if s.is_empty() || s == "NULL" {
                    return Ok(None);
                }
                parse_time(s)
                    .map(Some)
                    .ok_or_else(|| self.err(f, Problem::invalid(s, "a date and time")))
            }
            other => Err(self.err(
                f,
                Problem::invalid(&format!("{other:?}"), "a date and time"),
            )),
        }
    }

    /// A problem with the whole row, attributed to `f`'s column.
    pub fn inconsistent(&self, f: Field, why: impl Into<String>) -> FieldError {
        self.err(f, Problem::Inconsistent(why.into()))
    }

    pub fn invalid(&self, f: Field, value: &str, expected: &str) -> FieldError {
        self.err(f, Problem::invalid(value, expected))
    }
}

/// A decimal number as billing exports write them: plain or scientific notation, at most 28
/// significant digits; `NaN`, infinities and hex are refused.
pub fn parse_decimal(s: &str) -> Option<Decimal> {
    let ok = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
        && s.bytes().any(|b| b.is_ascii_digit());
    if !ok {
        return None;
    }
    if s.contains(['e', 'E']) {
        Decimal::from_scientific(s).ok()
    } else {
        Decimal::from_str(s.strip_prefix('+').unwrap_or(s)).ok()
    }
}

/// The decimal a double stands for, by its shortest round-trip text (`0.1`, not
/// `0.1000000000000000055…`); `None` for NaN, infinities and magnitudes past 28 digits.
pub fn decimal_from_f64(v: f64) -> Option<Decimal> {
    if !v.is_finite() {
        return None;
    }
    if v == 0.0 {
        return Some(Decimal::ZERO);
    }
    let text = format!("{v:e}");
    Decimal::from_scientific(&text).ok()
}

/// A time as billing exports write it.
pub fn parse_time(s: &str) -> Option<Timestamp> {
    if let Some(t) = Timestamp::parse_rfc3339(s) {
        return Some(t);
    }
    // Zone-less `YYYY-MM-DD HH:MM:SS[.fff]` (FOCUS sample data), read as UTC.
    let b = s.as_bytes();
    if b.len() >= 19 && (b[10] == b' ' || b[10] == b'T') && !s.ends_with('Z') {
        let zoned = format!("{}T{}Z", &s[..10], &s[11..]);
        return Timestamp::parse_rfc3339(&zoned);
    }
    None
}

/// What paid for usage that ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Paid {
    OnDemand,
    Reserved,
    SavingsPlan,
    Spot,
}

impl Paid {
    pub fn as_str(self) -> &'static str {
        match self {
            Paid::OnDemand => "on_demand",
            Paid::Reserved => "reserved",
            Paid::SavingsPlan => "savings_plan",
            Paid::Spot => "spot",
        }
    }
}

/// What a line is, whatever the export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Charge {
    /// Usage that ran (CUR `Usage`, `DiscountedUsage`, `SavingsPlanCoveredUsage`; FOCUS
    /// `Usage` not marked unused).
    Usage(Paid),
    /// A Reserved Instance's recurring fee line (CUR `RIFee`): the subscription in force.
    RiFee,
    /// A Savings Plan's recurring fee line (CUR `SavingsPlanRecurringFee`).
    SpRecurringFee,
    /// A FOCUS purchase of a commitment discount (recurring).
    CommitmentPurchase,
    /// Well-formed, used for nothing here, with the reason.
    LeftOut(&'static str),
}

/// Reasons well-formed lines are left out (the ledger's `not_replayed`).
pub mod reason {
    pub const TAX: &str = "tax";
    pub const CREDIT: &str = "credit";
    pub const REFUND: &str = "refund";
    pub const FEE: &str = "fee (one-time or subscription charge, not usage)";
    pub const DISCOUNT: &str = "discount (EDP, bundled, private rate or other)";
    pub const SP_NEGATION: &str = "Savings Plan negation (offsets covered usage's cost)";
    pub const SP_UPFRONT: &str = "Savings Plan upfront fee (one-time)";
    pub const RI_UPFRONT: &str = "Reserved Instance upfront fee (one-time)";
    pub const UNUSED_COMMITMENT: &str =
        "unused commitment (amortization of idle RI or Savings Plan)";
    pub const CORRECTION: &str = "correction of an earlier billing period";
    pub const ADJUSTMENT: &str = "adjustment";
    pub const OTHER_TYPE: &str = "line item type costlab does not use";
    pub const OTHER_SERVICE: &str = "usage of another service (not EC2 instance hours or S3)";
    pub const OTHER_EC2: &str =
        "other EC2 usage (volumes, transfer, addresses…: not instance hours)";
    pub const UNUSED_RESERVATION: &str = "unused capacity reservation";
    pub const OTHER_PROVIDER: &str = "another provider's charge (not AWS)";
    pub const COMMITMENT_OTHER: &str = "commitment of another service (not EC2 or a Savings Plan)";
}

/// The typed, export-independent record of one line.
#[derive(Clone, Debug, PartialEq)]
pub struct LineItem<'a> {
    pub charge: Charge,
    /// `AmazonEC2`, `AmazonS3`… (CUR product code, FOCUS `x_ServiceCode`); for FOCUS without
    /// it, derived from `ServiceName`.
    pub product_code: Option<&'a str>,
    pub usage_type: Option<&'a str>,
    pub operation: Option<&'a str>,
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
    pub amount: Option<Decimal>,
    pub unit: Option<&'a str>,
    pub cost: Option<Decimal>,
    pub resource: Option<&'a str>,
    pub region: Option<&'a str>,
    pub zone: Option<&'a str>,
    pub instance_type: Option<&'a str>,
    pub os: Option<&'a str>,
    pub tenancy: Option<&'a str>,
    pub description: Option<&'a str>,
}

/// Tenancy of instance usage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tenancy {
    /// Default (shared) tenancy.
    Shared,
    Dedicated,
    Host,
}

impl Tenancy {
    pub fn as_str(self) -> &'static str {
        match self {
            Tenancy::Shared => "shared",
            Tenancy::Dedicated => "dedicated",
            Tenancy::Host => "host",
        }
    }

    /// From a product `tenancy` attribute (`Shared`, `Dedicated`, `Host`) or an RI's
    /// (`default`, `dedicated`).
    pub fn parse(s: &str) -> Option<Tenancy> {
        match s.to_ascii_lowercase().as_str() {
            "shared" | "default" => Some(Tenancy::Shared),
            "dedicated" => Some(Tenancy::Dedicated),
            "host" => Some(Tenancy::Host),
            _ => None,
        }
    }
}

/// An EC2 usage type split into its parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ec2Usage<'a> {
    /// Instance hours of `instance_type`.
    Instance {
        instance_type: &'a str,
        tenancy: Tenancy,
        spot: bool,
    },
    /// An RI's fee line (`HeavyUsage:m5.xlarge`).
    RiFee { instance_type: &'a str },
    /// Unused capacity reservation hours (`UnusedBox:`, `UnusedDed:`).
    UnusedReservation,
    /// Anything else (`EBS:VolumeUsage.gp3`, `DataTransfer-Out-Bytes`, `NatGateway-Hours`…).
    Other,
}

/// Region prefixes of usage types (`USE2-BoxUsage:…`); no prefix is us-east-1.
const REGION_PREFIXES: &[(&str, &str)] = &[
    ("USE1", "us-east-1"),
    ("USE2", "us-east-2"),
    ("USW1", "us-west-1"),
    ("USW2", "us-west-2"),
    ("CAN1", "ca-central-1"),
    ("CAN2", "ca-west-1"),
    ("SAE1", "sa-east-1"),
    ("EU", "eu-west-1"),
    ("EUW1", "eu-west-1"),
    ("EUW2", "eu-west-2"),
    ("EUW3", "eu-west-3"),
    ("EUC1", "eu-central-1"),
    ("EUC2", "eu-central-2"),
    ("EUN1", "eu-north-1"),
    ("EUS1", "eu-south-1"),
    ("EUS2", "eu-south-2"),
    ("APE1", "ap-east-1"),
    ("APN1", "ap-northeast-1"),
    ("APN2", "ap-northeast-2"),
    ("APN3", "ap-northeast-3"),
    ("APS1", "ap-southeast-1"),
    ("APS2", "ap-southeast-2"),
    ("APS3", "ap-south-1"),
    ("APS4", "ap-southeast-3"),
    ("APS5", "ap-south-2"),
    ("APS6", "ap-southeast-4"),
    ("MES1", "me-south-1"),
    ("MEC1", "me-central-1"),
    ("AFS1", "af-south-1"),
    ("CPT", "af-south-1"),
    ("ILC1", "il-central-1"),
    ("UGW1", "us-gov-west-1"),
    ("UGE1", "us-gov-east-1"),
];

/// Splits `USE2-TimedStorage-ByteHrs` into (`Some("us-east-2")`, `TimedStorage-ByteHrs`); a
/// usage type without a known prefix is returned whole with `None`.
pub fn split_region(usage_type: &str) -> (Option<&'static str>, &str) {
    if let Some((head, rest)) = usage_type.split_once('-')
        && let Some((_, region)) = REGION_PREFIXES.iter().find(|(p, _)| *p == head)
    {
        return (Some(region), rest);
    }
    (None, usage_type)
}

/// Reads an EC2 usage type (region prefix allowed).
pub fn ec2_usage(usage_type: &str) -> Ec2Usage<'_> {
    let (_, rest) = split_region(usage_type);
    let Some((kind, instance_type)) = rest.split_once(':') else {
        return Ec2Usage::Other;
    };
    let instance = |tenancy, spot| Ec2Usage::Instance {
        instance_type,
        tenancy,
        spot,
    };
    match kind {
        "BoxUsage" => instance(Tenancy::Shared, false),
        "DedicatedUsage" => instance(Tenancy::Dedicated, false),
        "HostBoxUsage" | "HostUsage" => instance(Tenancy::Host, false),
        "SpotUsage" => instance(Tenancy::Shared, true),
        "DedicatedSpotUsage" => instance(Tenancy::Dedicated, true),
        "HeavyUsage" | "DedicatedRes" => Ec2Usage::RiFee { instance_type },
        "UnusedBox" | "UnusedDed" | "UnusedHost" => Ec2Usage::UnusedReservation,
        _ => Ec2Usage::Other,
    }
}

/// The platform of EC2 usage from its operation (`RunInstances:0002`), named as RI offerings
/// name it (`Linux/UNIX`, `Windows`, …). An unknown code is returned as the operation itself.
pub fn platform(operation: &str) -> &str {
    let code = match operation.strip_prefix("RunInstances") {
        Some("") => return "Linux/UNIX",
        Some(rest) => rest.trim_start_matches(':'),
        None => return operation,
    };
    match code {
        "0002" => "Windows",
        "0010" => "Red Hat Enterprise Linux",
        "000g" => "SUSE Linux",
        "0006" => "Windows with SQL Server Standard",
        "0102" => "Windows with SQL Server Enterprise",
        "0202" => "Windows with SQL Server Web",
        "0800" => "Windows BYOL",
        "0004" => "Linux with SQL Server Standard",
        "0100" => "Linux with SQL Server Enterprise",
        "0200" => "Linux with SQL Server Web",
        "1010" => "Red Hat Enterprise Linux with HA",
        "0014" => "Red Hat Enterprise Linux with SQL Server Standard",
        "0110" => "Red Hat Enterprise Linux with SQL Server Enterprise",
        "0210" => "Red Hat Enterprise Linux with SQL Server Web",
        "00g0" => "Ubuntu Pro",
        _ => operation,
    }
}

/// The platform of a product `operatingSystem` attribute (used when the operation is absent).
pub fn platform_from_os(os: &str) -> &str {
    match os {
        "Linux" => "Linux/UNIX",
        "RHEL" => "Red Hat Enterprise Linux",
        "SUSE" => "SUSE Linux",
        other => other,
    }
}

/// The Linux/UNIX platform name, the one the fleet simulator prices.
pub const LINUX: &str = "Linux/UNIX";

/// Instance type, platform and tenancy from a FOCUS 1.0 charge description, for exports
/// without `x_UsageType`: `$0.34 per On Demand Linux c5.2xlarge Instance Hour`, `… per On
/// Demand Windows m5.large Dedicated Instance Hour`.
pub fn from_description(d: &str) -> Option<(&str, &str, Tenancy)> {
    let rest = &d[d.find(" per On Demand ")? + " per On Demand ".len()..];
    let words: Vec<&str> = rest.split_whitespace().collect();
    let i = words
        .iter()
        .position(|w| crate::aws::InstanceType::parse(w).is_ok())?;
    let tail = &words[i + 1..];
    if !tail.ends_with(&["Instance", "Hour"]) {
        return None;
    }
    let start = rest.find(words.first()?)?;
    let end = rest.find(words[i])?;
    let os = rest[start..end].trim();
    let tenancy = if tail.contains(&"Host") {
        Tenancy::Host
    } else if tail.contains(&"Dedicated") {
        Tenancy::Dedicated
    } else {
        Tenancy::Shared
    };
    Some((words[i], platform_from_os(os), tenancy))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ec2_usage_types_split() {
        assert_eq!(
            ec2_usage("USE2-BoxUsage:m5.xlarge"),
            Ec2Usage::Instance {
                instance_type: "m5.xlarge",
                tenancy: Tenancy::Shared,
                spot: false
            }
        );
        assert_eq!(
            ec2_usage("DedicatedUsage:c5.large"),
            Ec2Usage::Instance {
                instance_type: "c5.large",
                tenancy: Tenancy::Dedicated,
                spot: false
            }
        );
        assert!(matches!(
            ec2_usage("EU-SpotUsage:r5.large"),
            Ec2Usage::Instance { spot: true, .. }
        ));
        assert_eq!(
            ec2_usage("HeavyUsage:r5.2xlarge"),
            Ec2Usage::RiFee {
                instance_type: "r5.2xlarge"
            }
        );
        assert_eq!(ec2_usage("EBS:VolumeUsage.gp3"), Ec2Usage::Other);
        assert_eq!(ec2_usage("UnusedBox:m5.large"), Ec2Usage::UnusedReservation);
        assert_eq!(
            split_region("APS3-Requests-Tier1"),
            (Some("ap-south-1"), "Requests-Tier1")
        );
        assert_eq!(
            split_region("TimedStorage-ByteHrs"),
            (None, "TimedStorage-ByteHrs")
        );
    }

    #[test]
    fn platforms_and_descriptions() {
        assert_eq!(platform("RunInstances"), LINUX);
        assert_eq!(platform("RunInstances:0002"), "Windows");
        assert_eq!(platform("RunInstances:9999"), "RunInstances:9999");
        assert_eq!(
            from_description("$0.34 per On Demand Linux c5.2xlarge Instance Hour"),
            Some(("c5.2xlarge", LINUX, Tenancy::Shared))
        );
        assert_eq!(
            from_description("$0.5 per On Demand Windows m5.large Dedicated Instance Hour"),
            Some(("m5.large", "Windows", Tenancy::Dedicated))
        );
        assert_eq!(from_description("$0.045 per NAT Gateway Hour"), None);
    }

    #[test]
    fn numbers_and_times_as_exports_write_them() {
        assert_eq!(parse_decimal("6.71E-8"), Some(Decimal::new(671, 10)));
        assert_eq!(
            parse_decimal("0.00000080000"),
            Some(Decimal::new(80000, 11))
        );
        for bad in ["NaN", "inf", "", "0x10", "1,5", "--1"] {
            assert_eq!(parse_decimal(bad), None, "{bad}");
        }
        assert_eq!(decimal_from_f64(0.1), Some(Decimal::new(1, 1)));
        assert_eq!(decimal_from_f64(f64::NAN), None);
        assert_eq!(decimal_from_f64(1e300), None);
        assert_eq!(
            parse_time("2024-09-18 22:00:00")
                .map(|t| t.to_string())
                .as_deref(),
            Some("2024-09-18T22:00:00Z")
        );
        assert_eq!(
            parse_time("2023-11-10T19:00:00.000Z")
                .map(|t| t.to_string())
                .as_deref(),
            Some("2023-11-10T19:00:00Z")
        );
        assert_eq!(parse_time("yesterday"), None);
    }
}
