//! FOCUS 1.0, 1.1 and 1.2 rows as [`LineItem`]s.
//!
//! | FOCUS | becomes |
//! |---|---|
//! | `ChargeCategory` `Usage`, `CommitmentDiscountStatus` not `Unused`, `ChargeClass` not `Correction` | usage that ran; paid by the commitment in `CommitmentDiscountId` (`CommitmentDiscountType` or the id tell an RI from a Savings Plan), else On-Demand |
//! | `Usage` with `CommitmentDiscountStatus` `Unused` | left out: the idle part of a commitment |
//! | `Purchase`, `Recurring`, with a `CommitmentDiscountId` | a commitment in force (FOCUS gives its id, category and type, not its instance type or term) |
//! | `Purchase` one-time, `Tax`, `Credit`, `Adjustment`, corrections | left out, with the reason |
//!
//! Quantities are `ConsumedQuantity` in `ConsumedUnit`; times `ChargePeriodStart`/`End`. The
//! AWS columns `x_ServiceCode`, `x_UsageType` and `x_Operation` give the product, usage type
//! and platform; without them (FOCUS 1.0 sample data) the service comes from `ServiceName`
//! and EC2 instance usage from the charge description (`… per On Demand Linux c5.2xlarge
//! Instance Hour`). Nulls may be empty or the literal `NULL`.

use super::format::Field;
use super::line::{Charge, FieldError, LineItem, Paid, Row, Values, reason};

/// The canonical column names of `field` in FOCUS.
pub fn column_names(field: Field) -> &'static [&'static str] {
    use Field as F;
    match field {
        F::ChargeCategory => &["chargecategory"],
        F::ChargeClass => &["chargeclass"],
        F::ChargeFrequency => &["chargefrequency"],
        F::CommitmentStatus => &["commitmentdiscountstatus"],
        F::CommitmentId => &["commitmentdiscountid"],
        F::CommitmentType => &["commitmentdiscounttype"],
        F::CommitmentCategory => &["commitmentdiscountcategory"],
        F::CommitmentQuantity => &["commitmentdiscountquantity"],
        F::ProductCode => &["xservicecode"],
        F::ServiceName => &["servicename"],
        F::UsageType => &["xusagetype"],
        F::Operation => &["xoperation"],
        F::Start => &["chargeperiodstart"],
        F::End => &["chargeperiodend"],
        F::Amount => &["consumedquantity"],
        F::Unit => &["consumedunit"],
        F::Cost => &["billedcost"],
        F::Resource => &["resourceid"],
        F::ResourceName => &["resourcename"],
        F::Zone => &["availabilityzone"],
        F::RegionCode => &["regionid"],
        F::Description => &["chargedescription"],
        _ => &[],
    }
}

/// AWS product codes of service names, for FOCUS exports without `x_ServiceCode`.
fn product_of(service_name: &str) -> Option<&'static str> {
    match service_name {
        "Amazon Elastic Compute Cloud" | "Amazon Elastic Compute Cloud - Compute" | "AmazonEC2" => {
            Some("AmazonEC2")
        }
        "Amazon Simple Storage Service" | "AmazonS3" => Some("AmazonS3"),
        _ => None,
    }
}

/// What paid for usage covered by the commitment `id` of `kind`.
fn paid_by(id: Option<&str>, kind: Option<&str>) -> Paid {
    let Some(id) = id else {
        return Paid::OnDemand;
    };
    let kind = kind.unwrap_or("").to_ascii_lowercase();
    if kind.contains("savings") || id.contains(":savingsplan") {
        Paid::SavingsPlan
    } else {
        Paid::Reserved
    }
}

/// Reads one FOCUS row.
pub fn line<'a, R: Row + ?Sized>(v: &Values<'a, R>) -> Result<LineItem<'a>, FieldError> {
    let category = v.required_text(Field::ChargeCategory)?;
    let correction = v
        .text(Field::ChargeClass)?
        .is_some_and(|c| c.eq_ignore_ascii_case("correction"));
    let charge = match category {
        _ if correction => Charge::LeftOut(reason::CORRECTION),
        "Usage" => {
            let unused = v
                .text(Field::CommitmentStatus)?
                .is_some_and(|s| s.eq_ignore_ascii_case("unused"));
            if unused {
                Charge::LeftOut(reason::UNUSED_COMMITMENT)
            } else {
                Charge::Usage(paid_by(
                    v.text(Field::CommitmentId)?,
                    v.text(Field::CommitmentType)?,
                ))
            }
        }
        "Purchase" => {
            let recurring = v
                .text(Field::ChargeFrequency)?
                .is_some_and(|f| f.eq_ignore_ascii_case("recurring"));
            if recurring && v.text(Field::CommitmentId)?.is_some() {
                Charge::CommitmentPurchase
            } else {
                Charge::LeftOut(reason::FEE)
            }
        }
        "Tax" => Charge::LeftOut(reason::TAX),
        "Credit" => Charge::LeftOut(reason::CREDIT),
        "Refund" => Charge::LeftOut(reason::REFUND),
        "Adjustment" => Charge::LeftOut(reason::ADJUSTMENT),
        _ => Charge::LeftOut(reason::OTHER_TYPE),
    };
    let mut item = LineItem {
        charge,
        product_code: None,
        usage_type: None,
        operation: None,
        start: None,
        end: None,
        amount: None,
        unit: None,
        cost: None,
        resource: None,
        region: None,
        zone: None,
        instance_type: None,
        os: None,
        tenancy: None,
        description: None,
    };
    if let Charge::LeftOut(_) = charge {
        return Ok(item);
    }
    item.product_code = match v.text(Field::ProductCode)? {
        Some(p) => Some(p),
        None => v.text(Field::ServiceName)?.and_then(product_of),
    };
    item.usage_type = v.text(Field::UsageType)?;
    item.operation = v.text(Field::Operation)?;
    item.start = v.time(Field::Start)?;
    item.end = v.time(Field::End)?;
    item.amount = v.decimal(Field::Amount)?;
    item.unit = v.text(Field::Unit)?;
    item.cost = v.decimal(Field::Cost)?;
    item.resource = match v.text(Field::Resource)? {
        Some(r) => Some(r),
        None => v.text(Field::ResourceName)?,
    };
    item.zone = v.text(Field::Zone)?;
    item.region = v.text(Field::RegionCode)?;
    item.description = v.text(Field::Description)?;
    Ok(item)
}
