//! What the readers build from line items, row by row, in bounded memory (one cell per
//! distinct key, however many rows):
//!
//! * [`DemandRecord`]: instance-hours (and normalized units) per clock hour, instance type,
//!   Region, platform and tenancy, from usage that ran whatever paid for it, split by what
//!   paid (On-Demand, RI, Savings Plan, Spot);
//! * [`RiInForce`] and [`SpInForce`]: the commitments the fee lines describe;
//! * [`S3UsageRecord`]: S3 usage per bucket, usage type and day.
//!
//! A line spanning more than one hour (a daily or monthly export) is spread evenly over its
//! hours and counted in [`Aggregate::spread_lines`].

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::aws::{InstanceType, Region};
use crate::units::{SECONDS_PER_HOUR, Timestamp};

use super::format::Field;
use super::line::{
    self, Charge, Ec2Usage, FieldError, LineItem, Paid, Row, Tenancy, Values, reason,
};
use super::s3::{self, S3Category};

/// The longest a usage line may span: 31 days (a monthly export's line).
pub const MAX_LINE_HOURS: i64 = 31 * 24;

/// Instance usage in one clock hour.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemandRecord {
    pub hour: Timestamp,
    pub instance_type: InstanceType,
    pub region: Region,
    /// As RI offerings name it: `Linux/UNIX`, `Windows`, `Red Hat Enterprise Linux`…
    pub platform: String,
    pub tenancy: Tenancy,
    /// Instance-hours run, whatever paid for them.
    pub instance_hours: Decimal,
    /// Instance-hours × the export's normalization factor, where every line gave one.
    pub normalized_units: Option<Decimal>,
    /// Instance-hours by what paid: On-Demand, Reserved, Savings Plan, Spot.
    pub on_demand_hours: Decimal,
    pub reserved_hours: Decimal,
    pub savings_plan_hours: Decimal,
    pub spot_hours: Decimal,
    /// Lines that added to this record (a line spread over several hours counts in its first).
    pub lines: u64,
}

impl DemandRecord {
    /// Instance-seconds, rounded to the nearest second.
    pub fn instance_seconds(&self) -> u64 {
        let s = (self.instance_hours * Decimal::from(SECONDS_PER_HOUR)).round();
        u64::try_from(s).unwrap_or(u64::MAX)
    }
}

/// How far a Reserved Instance applies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RiScope {
    Region,
    /// Zonal, with the Availability Zone.
    Zone(String),
}

/// A Reserved Instance subscription, from its `RIFee` lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RiInForce {
    /// `reservation_reservation_a_r_n`.
    pub arn: String,
    pub instance_type: InstanceType,
    pub region: Option<Region>,
    pub platform: String,
    pub tenancy: Tenancy,
    pub count: Option<u32>,
    /// Term in years (1 or 3), from `pricing_lease_contract_length` or the start and end.
    pub term_years: Option<u32>,
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
    /// `standard` or `convertible`.
    pub offering_class: Option<String>,
    /// `no_upfront`, `partial_upfront` or `all_upfront`.
    pub payment: Option<String>,
    pub scope: RiScope,
    pub lines: u64,
}

/// What a Savings Plan covers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SpType {
    Compute,
    /// EC2 Instance Savings Plan of one family (in one Region).
    Ec2Instance {
        family: Option<String>,
    },
    /// Another kind (SageMaker, Database…), as the export names it.
    Other(String),
}

/// A Savings Plan, from its `SavingsPlanRecurringFee` lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpInForce {
    pub arn: String,
    pub kind: SpType,
    /// USD per hour (recurring plus amortized upfront), the largest any line showed.
    pub commitment_per_hour: Decimal,
    pub term_years: Option<u32>,
    pub payment: Option<String>,
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
    pub region: Option<String>,
    pub lines: u64,
}

/// A commitment a FOCUS export names (FOCUS carries its id, type and category, not its
/// instance type, count or term).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FocusCommitment {
    pub id: String,
    /// `Reserved` or `Savings Plan`, from `CommitmentDiscountType` or the id.
    pub paid: Paid,
    /// `Spend` or `Usage`.
    pub category: Option<String>,
    /// Billed cost per hour of the purchase lines (the hourly commitment of a No Upfront plan).
    pub cost_per_hour: Decimal,
    pub lines: u64,
}

/// S3 usage of one bucket, usage type and day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct S3UsageRecord {
    /// The bucket (`line_item_resource_id`, or the name in an `arn:aws:s3:::` id); `None`
    /// where the export names none.
    pub bucket: Option<String>,
    pub region: Option<String>,
    /// The usage type without its Region prefix (`TimedStorage-SIA-ByteHrs`).
    pub usage_type: String,
    /// Days since 1970-01-01 (UTC) of the line's start.
    pub day: i64,
    pub category: S3Category,
    /// Storage class or IT tier, where the usage type names one.
    pub class: Option<&'static str>,
    /// Quantity in `unit` as billed (GB-Mo for storage, requests, GB).
    pub quantity: Decimal,
    pub unit: Option<String>,
    /// Unblended (billed) cost.
    pub cost: Decimal,
    pub lines: u64,
}

impl S3UsageRecord {
    /// The day as a date, `2026-03-01`.
    pub fn date(&self) -> String {
        Timestamp(self.day * 86_400).to_string()[..10].to_string()
    }
}

#[derive(Default)]
struct Interner {
    ids: FxHashMap<String, u32>,
    names: Vec<String>,
}

impl Interner {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(s.to_string());
        self.ids.insert(s.to_string(), i);
        i
    }

    fn get(&self, i: u32) -> &str {
        &self.names[i as usize]
    }
}

#[derive(Default)]
struct DemandCell {
    hours: [Decimal; 4],
    normalized: Decimal,
    missing_factor: bool,
    lines: u64,
}

#[derive(Default)]
struct S3Cell {
    category: Option<(S3Category, Option<&'static str>)>,
    quantity: Decimal,
    unit: Option<u32>,
    cost: Decimal,
    lines: u64,
}

/// Everything built so far from the rows of one or more exports.
#[derive(Default)]
pub struct Aggregate {
    strings: Interner,
    /// (hour, type, region, platform, tenancy).
    demand: FxHashMap<(i64, u32, u32, u32, Tenancy), DemandCell>,
    s3: FxHashMap<(Option<u32>, Option<u32>, u32, i64), S3Cell>,
    ris: BTreeMap<String, RiInForce>,
    sps: BTreeMap<String, SpInForce>,
    focus: BTreeMap<String, FocusCommitment>,
    /// Usage lines spanning more than one hour, spread evenly over their hours.
    pub spread_lines: u64,
    /// The earliest start and latest end of the usage lines used.
    pub window: Option<(Timestamp, Timestamp)>,
}

fn paid_index(p: Paid) -> usize {
    match p {
        Paid::OnDemand => 0,
        Paid::Reserved => 1,
        Paid::SavingsPlan => 2,
        Paid::Spot => 3,
    }
}

/// `No Upfront` → `no_upfront`.
fn payment(s: &str) -> String {
    s.trim().to_ascii_lowercase().replace([' ', '-'], "_")
}

/// `1yr`, `1 yr`, `3 Year`, `1-year` → years.
fn term_years(s: &str) -> Option<u32> {
    let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
    let rest = s[digits.len()..]
        .trim()
        .trim_start_matches('-')
        .to_ascii_lowercase();
    (rest.starts_with("y"))
        .then(|| digits.parse().ok())
        .flatten()
}

/// Years between two instants, when they are a whole 1- or 3-year term (±2 days).
fn term_from(start: Option<Timestamp>, end: Option<Timestamp>) -> Option<u32> {
    let days = (end?.0 - start?.0) / 86_400;
    [1u32, 3]
        .into_iter()
        .find(|y| (days - i64::from(*y) * 365).abs() <= 2)
}

/// The hours `[start, end)` covers: at least one; `Err` past [`MAX_LINE_HOURS`] or for an end
/// before the start.
fn hours_of(start: Timestamp, end: Option<Timestamp>) -> Result<i64, &'static str> {
    let h = SECONDS_PER_HOUR as i64;
    let first = start.0.div_euclid(h);
    let Some(end) = end else { return Ok(1) };
    if end < start {
        return Err("usage ends before it starts");
    }
    let last = (end.0 + h - 1).div_euclid(h);
    let n = (last - first).max(1);
    if n > MAX_LINE_HOURS {
        return Err("usage line spans more than 31 days");
    }
    Ok(n)
}

/// The bucket of an S3 resource id (`arn:aws:s3:::bucket` → `bucket`).
fn bucket_of(resource: &str) -> &str {
    match resource.split_once(":::") {
        Some((arn, name)) if arn.starts_with("arn:") => name.split('/').next().unwrap_or(name),
        _ => resource,
    }
}

impl Aggregate {
    /// Takes one line: `Ok(None)` when it was used, `Ok(Some(reason))` when it is well formed
    /// but left out, `Err` when a value it needs is malformed.
    pub fn take<R: Row + ?Sized>(
        &mut self,
        item: &LineItem<'_>,
        v: &Values<'_, R>,
    ) -> Result<Option<&'static str>, FieldError> {
        match item.charge {
            Charge::LeftOut(r) => Ok(Some(r)),
            Charge::Usage(paid) => match item.product_code {
                Some("AmazonEC2") => self.ec2(item, paid, v),
                Some("AmazonS3") => self.s3(item, v),
                _ => Ok(Some(reason::OTHER_SERVICE)),
            },
            Charge::RiFee => self.ri(item, v),
            Charge::SpRecurringFee => self.sp(item, v),
            Charge::CommitmentPurchase => self.focus_commitment(item, v),
        }
    }

    fn region_of<R: Row + ?Sized>(
        item: &LineItem<'_>,
        v: &Values<'_, R>,
    ) -> Result<Region, FieldError> {
        if let Some(r) = item.region
            && let Ok(region) = Region::parse(r)
        {
            return Ok(region);
        }
        match item.usage_type.map(line::split_region) {
            Some((Some(r), _)) => Ok(Region(r.to_string())),
            Some((None, _)) if item.region.is_none() || item.region == Some("global") => {
                Ok(Region("us-east-1".into()))
            }
            _ => Err(v.invalid(
                Field::RegionCode,
                item.region.unwrap_or(""),
                "a region code like us-east-1",
            )),
        }
    }

    fn ec2<R: Row + ?Sized>(
        &mut self,
        item: &LineItem<'_>,
        paid: Paid,
        v: &Values<'_, R>,
    ) -> Result<Option<&'static str>, FieldError> {
        let (type_text, tenancy, spot, platform_hint) = match item.usage_type {
            Some(ut) => match line::ec2_usage(ut) {
                Ec2Usage::Instance {
                    instance_type,
                    tenancy,
                    spot,
                } => (instance_type, tenancy, spot, None),
                Ec2Usage::UnusedReservation => return Ok(Some(reason::UNUSED_RESERVATION)),
                Ec2Usage::RiFee { .. } | Ec2Usage::Other => return Ok(Some(reason::OTHER_EC2)),
            },
            None => match item.description.and_then(line::from_description) {
                Some((t, p, ten)) => (t, ten, false, Some(p)),
                None => return Ok(Some(reason::OTHER_EC2)),
            },
        };
        let instance_type = InstanceType::parse(type_text).map_err(|_| {
            v.invalid(
                if item.usage_type.is_some() {
                    Field::UsageType
                } else {
                    Field::Description
                },
                type_text,
                "an EC2 instance type like m5.xlarge",
            )
        })?;
        if let Some(named) = item.instance_type
            && named != type_text
        {
            return Err(v.inconsistent(
                Field::InstanceType,
                format!("names {named} but the usage type is of {type_text}"),
            ));
        }
        let platform = match (item.operation, platform_hint, item.os) {
            (Some(op), _, _) => line::platform(op),
            (None, Some(p), _) => p,
            (None, None, Some(os)) => line::platform_from_os(os),
            (None, None, None) => {
                return Err(v.inconsistent(
                    Field::Operation,
                    "EC2 instance usage without an operation (its platform is unknown)",
                ));
            }
        };
        let region = Self::region_of(item, v)?;
        let start = item
            .start
            .ok_or_else(|| v.inconsistent(Field::Start, "usage without a start time"))?;
        let amount = item
            .amount
            .ok_or_else(|| v.inconsistent(Field::Amount, "usage without a quantity"))?;
        if amount < Decimal::ZERO {
            return Err(v.invalid(
                Field::Amount,
                &amount.to_string(),
                "a quantity of at least 0",
            ));
        }
        let n = hours_of(start, item.end).map_err(|why| v.inconsistent(Field::End, why))?;
        let factor = match v.decimal(Field::NormFactor)? {
            Some(f) if f > Decimal::ZERO => Some(f),
            _ => None,
        };
        let paid = if spot { Paid::Spot } else { paid };
        let ids = (
            self.strings.id(instance_type.as_str()),
            self.strings.id(region.as_str()),
            self.strings.id(platform),
        );
        let h = SECONDS_PER_HOUR as i64;
        let first = start.0.div_euclid(h);
        let share = if n == 1 {
            amount
        } else {
            self.spread_lines += 1;
            amount / Decimal::from(n)
        };
        for k in 0..n {
            let cell = self
                .demand
                .entry(((first + k) * h, ids.0, ids.1, ids.2, tenancy))
                .or_default();
            cell.hours[paid_index(paid)] += share;
            match factor {
                Some(f) => cell.normalized += share * f,
                None => cell.missing_factor = true,
            }
            if k == 0 {
                cell.lines += 1;
            }
        }
        let end = Timestamp((first + n) * h);
        self.window = Some(match self.window {
            None => (Timestamp(first * h), end),
            Some((a, b)) => (a.min(Timestamp(first * h)), b.max(end)),
        });
        Ok(None)
    }

    fn s3<R: Row + ?Sized>(
        &mut self,
        item: &LineItem<'_>,
        v: &Values<'_, R>,
    ) -> Result<Option<&'static str>, FieldError> {
        let Some(ut) = item.usage_type else {
            return Ok(Some(
                "S3 line without a usage type (a FOCUS export without x_UsageType)",
            ));
        };
        let (prefix_region, bare) = line::split_region(ut);
        let start = item
            .start
            .ok_or_else(|| v.inconsistent(Field::Start, "usage without a start time"))?;
        let amount = item
            .amount
            .ok_or_else(|| v.inconsistent(Field::Amount, "usage without a quantity"))?;
        if amount < Decimal::ZERO {
            return Err(v.invalid(
                Field::Amount,
                &amount.to_string(),
                "a quantity of at least 0",
            ));
        }
        let region = item
            .region
            .filter(|r| Region::parse(r).is_ok())
            .or(prefix_region)
            .map(|r| self.strings.id(r));
        let bucket = item.resource.map(|r| self.strings.id(bucket_of(r)));
        let key = (bucket, region, self.strings.id(bare), start.day());
        let unit = item.unit.map(|u| self.strings.id(u));
        let cell = self.s3.entry(key).or_default();
        if cell.category.is_none() {
            cell.category = Some(s3::classify(bare));
        }
        cell.quantity += amount;
        cell.cost += item.cost.unwrap_or_default();
        cell.unit = cell.unit.or(unit);
        cell.lines += 1;
        Ok(None)
    }

    fn ri<R: Row + ?Sized>(
        &mut self,
        item: &LineItem<'_>,
        v: &Values<'_, R>,
    ) -> Result<Option<&'static str>, FieldError> {
        let arn = v.required_text(Field::RiArn)?;
        let type_text = match (item.instance_type, item.usage_type.map(line::ec2_usage)) {
            (Some(t), _) => t,
            (None, Some(Ec2Usage::RiFee { instance_type })) => instance_type,
            _ => {
                if item.product_code != Some("AmazonEC2") {
                    return Ok(Some(reason::COMMITMENT_OTHER));
                }
                return Err(v.inconsistent(
                    Field::UsageType,
                    "an RIFee line names no instance type (HeavyUsage:<type>)",
                ));
            }
        };
        if item.product_code.is_some_and(|p| p != "AmazonEC2") {
            return Ok(Some(reason::COMMITMENT_OTHER));
        }
        let instance_type = InstanceType::parse(type_text)
            .map_err(|_| v.invalid(Field::UsageType, type_text, "an EC2 instance type"))?;
        let count = match v.decimal(Field::RiCount)? {
            Some(c) if c >= Decimal::ZERO && c.fract().is_zero() => Some(
                u32::try_from(c)
                    .map_err(|_| v.invalid(Field::RiCount, &c.to_string(), "a count below 2^32"))?,
            ),
            Some(c) => return Err(v.invalid(Field::RiCount, &c.to_string(), "a whole count")),
            None => None,
        };
        let start = v.time(Field::RiStart)?;
        let end = v.time(Field::RiEnd)?;
        let term = match v.text(Field::LeaseLength)? {
            Some(t) => term_years(t).or_else(|| term_from(start, end)),
            None => term_from(start, end),
        };
        let zone = match v.text(Field::RiZone)? {
            Some(z) => Some(z),
            None => item.zone,
        };
        let region = Self::region_of(item, v).ok();
        let platform = item
            .operation
            .map(line::platform)
            .or(item.os.map(line::platform_from_os))
            .unwrap_or(line::LINUX)
            .to_string();
        let tenancy = item
            .tenancy
            .and_then(Tenancy::parse)
            .unwrap_or(Tenancy::Shared);
        let rec = RiInForce {
            arn: arn.to_string(),
            instance_type,
            region,
            platform,
            tenancy,
            count,
            term_years: term,
            start,
            end,
            offering_class: v
                .text(Field::OfferingClass)?
                .map(|s| s.to_ascii_lowercase()),
            payment: v.text(Field::PurchaseOption)?.map(payment),
            scope: match zone {
                Some(z) => RiScope::Zone(z.to_string()),
                None => RiScope::Region,
            },
            lines: 1,
        };
        match self.ris.get_mut(arn) {
            Some(old) => {
                old.lines += 1;
                old.count = old.count.max(rec.count);
                old.end = old.end.max(rec.end);
            }
            None => {
                self.ris.insert(arn.to_string(), rec);
            }
        }
        Ok(None)
    }

    fn sp<R: Row + ?Sized>(
        &mut self,
        item: &LineItem<'_>,
        v: &Values<'_, R>,
    ) -> Result<Option<&'static str>, FieldError> {
        let arn = v.required_text(Field::SpArn)?;
        let start = v.time(Field::SpStart)?;
        let end = v.time(Field::SpEnd)?;
        let total = v.decimal(Field::SpTotalCommitment)?.unwrap_or_default();
        let parts = v.decimal(Field::SpRecurring)?.unwrap_or_default()
            + v.decimal(Field::SpUpfront)?.unwrap_or_default();
        let amount = if total > Decimal::ZERO {
            total
        } else if parts > Decimal::ZERO {
            parts
        } else {
            item.cost.unwrap_or_default()
        };
        if amount < Decimal::ZERO {
            return Err(v.invalid(Field::SpTotalCommitment, &amount.to_string(), "at least 0"));
        }
        let hours = match item.start {
            Some(s) => hours_of(s, item.end).map_err(|why| v.inconsistent(Field::End, why))?,
            None => 1,
        };
        let per_hour = amount / Decimal::from(hours);
        let kind = match v.text(Field::SpOfferingType)? {
            Some(t) if t.to_ascii_lowercase().starts_with("compute") => SpType::Compute,
            Some(t) if t.to_ascii_lowercase().starts_with("ec2instance") => SpType::Ec2Instance {
                family: v.text(Field::SpFamily)?.map(str::to_string),
            },
            Some(t) => SpType::Other(t.to_string()),
            None => SpType::Other("unknown".into()),
        };
        let rec = SpInForce {
            arn: arn.to_string(),
            kind,
            commitment_per_hour: per_hour,
            term_years: match v.text(Field::SpTerm)? {
                Some(t) => term_years(t).or_else(|| term_from(start, end)),
                None => term_from(start, end),
            },
            payment: v.text(Field::SpPayment)?.map(payment),
            start,
            end,
            region: v.text(Field::SpRegion)?.map(str::to_string),
            lines: 1,
        };
        match self.sps.get_mut(arn) {
            Some(old) => {
                old.lines += 1;
                old.commitment_per_hour = old.commitment_per_hour.max(per_hour);
            }
            None => {
                self.sps.insert(arn.to_string(), rec);
            }
        }
        Ok(None)
    }

    fn focus_commitment<R: Row + ?Sized>(
        &mut self,
        item: &LineItem<'_>,
        v: &Values<'_, R>,
    ) -> Result<Option<&'static str>, FieldError> {
        let id = v.required_text(Field::CommitmentId)?;
        let kind = v.text(Field::CommitmentType)?;
        let paid = match kind.map(str::to_ascii_lowercase) {
            Some(k) if k.contains("savings") => Paid::SavingsPlan,
            Some(k) if k.contains("reserv") => Paid::Reserved,
            _ if id.contains(":savingsplan") => Paid::SavingsPlan,
            _ if id.contains("reserved-instances") => Paid::Reserved,
            _ => return Ok(Some(reason::COMMITMENT_OTHER)),
        };
        let hours = match item.start {
            Some(s) => hours_of(s, item.end).map_err(|why| v.inconsistent(Field::End, why))?,
            None => 1,
        };
        let per_hour = item.cost.unwrap_or_default() / Decimal::from(hours);
        let e = self
            .focus
            .entry(id.to_string())
            .or_insert_with(|| FocusCommitment {
                id: id.to_string(),
                paid,
                category: None,
                cost_per_hour: Decimal::ZERO,
                lines: 0,
            });
        e.lines += 1;
        e.cost_per_hour = e.cost_per_hour.max(per_hour);
        if e.category.is_none() {
            e.category = v.text(Field::CommitmentCategory)?.map(str::to_string);
        }
        Ok(None)
    }

    /// The demand records, ordered by hour, then type, Region, platform and tenancy.
    pub fn demand(&self) -> Vec<DemandRecord> {
        let mut out: Vec<DemandRecord> = self
            .demand
            .iter()
            .map(|(&(hour, t, r, p, tenancy), c)| {
                let total: Decimal = c.hours.iter().copied().sum();
                DemandRecord {
                    hour: Timestamp(hour),
                    instance_type: InstanceType(self.strings.get(t).to_string()),
                    region: Region(self.strings.get(r).to_string()),
                    platform: self.strings.get(p).to_string(),
                    tenancy,
                    instance_hours: total.normalize(),
                    normalized_units: (!c.missing_factor).then(|| c.normalized.normalize()),
                    on_demand_hours: c.hours[0].normalize(),
                    reserved_hours: c.hours[1].normalize(),
                    savings_plan_hours: c.hours[2].normalize(),
                    spot_hours: c.hours[3].normalize(),
                    lines: c.lines,
                }
            })
            .collect();
        out.sort_by(|a, b| {
            (a.hour, &a.instance_type, &a.region, &a.platform, a.tenancy).cmp(&(
                b.hour,
                &b.instance_type,
                &b.region,
                &b.platform,
                b.tenancy,
            ))
        });
        out
    }

    /// The S3 usage records, ordered by bucket, usage type, day and Region.
    pub fn s3_usage(&self) -> Vec<S3UsageRecord> {
        let mut out: Vec<S3UsageRecord> = self
            .s3
            .iter()
            .map(|(&(b, r, ut, day), c)| {
                let (category, class) = c.category.unwrap_or((S3Category::Other, None));
                S3UsageRecord {
                    bucket: b.map(|b| self.strings.get(b).to_string()),
                    region: r.map(|r| self.strings.get(r).to_string()),
                    usage_type: self.strings.get(ut).to_string(),
                    day,
                    category,
                    class,
                    quantity: c.quantity.normalize(),
                    unit: c.unit.map(|u| self.strings.get(u).to_string()),
                    cost: c.cost.normalize(),
                    lines: c.lines,
                }
            })
            .collect();
        out.sort_by(|a, b| {
            (&a.bucket, &a.usage_type, a.day, &a.region).cmp(&(
                &b.bucket,
                &b.usage_type,
                b.day,
                &b.region,
            ))
        });
        out
    }

    pub fn reservations(&self) -> Vec<RiInForce> {
        self.ris.values().cloned().collect()
    }

    pub fn savings_plans(&self) -> Vec<SpInForce> {
        self.sps.values().cloned().collect()
    }

    pub fn focus_commitments(&self) -> Vec<FocusCommitment> {
        self.focus.values().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_payments_and_spans() {
        assert_eq!(term_years("1yr"), Some(1));
        assert_eq!(term_years("3 Year"), Some(3));
        assert_eq!(term_years("forever"), None);
        assert_eq!(payment("Partial Upfront"), "partial_upfront");
        let t = |s: &str| Timestamp::parse_rfc3339(s);
        assert_eq!(term_from(t("2025-01-01"), t("2026-01-01")), Some(1));
        assert_eq!(
            hours_of(t("2026-03-01").unwrap(), t("2026-03-01T01:00:00Z")),
            Ok(1)
        );
        assert_eq!(hours_of(t("2026-03-01").unwrap(), t("2026-03-02")), Ok(24));
        assert!(hours_of(t("2026-03-02").unwrap(), t("2026-03-01")).is_err());
        assert!(hours_of(t("2026-01-01").unwrap(), t("2026-03-01")).is_err());
        assert_eq!(bucket_of("arn:aws:s3:::logs-bucket"), "logs-bucket");
        assert_eq!(bucket_of("my-bucket"), "my-bucket");
    }
}
