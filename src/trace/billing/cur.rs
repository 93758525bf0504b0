//! CUR 2.0 and legacy CUR rows as [`LineItem`]s. The two share their columns once names are
//! canonical (`lineItem/UsageType` = `line_item_usage_type`), and the same line item types:
//!
//! | `line_item_line_item_type` | becomes |
//! |---|---|
//! | `Usage` | usage that ran, On-Demand (Spot when the usage type is `SpotUsage:…`) |
//! | `DiscountedUsage` | usage that ran, covered by a Reserved Instance |
//! | `SavingsPlanCoveredUsage` | usage that ran, covered by a Savings Plan |
//! | `RIFee` | the RI subscription in force (type, count, term, expiry…) |
//! | `SavingsPlanRecurringFee` | the Savings Plan in force (commitment per hour, term…) |
//! | `SavingsPlanNegation`, `SavingsPlanUpfrontFee`, `Fee`, `Credit`, `Refund`, `Tax`, discounts | left out, with the reason |
//!
//! Product attributes are read from flat columns where the export has them (legacy CUR,
//! CUR 2.0's static `product_instance_type`, `product_region_code`); platform and tenancy
//! come from the operation (`RunInstances:0002`) and the usage type (`DedicatedUsage:`),
//! which every export has, so CUR 2.0's `product` map is never needed.

use super::format::{Field, Schema};
use super::line::{Charge, FieldError, LineItem, Paid, Row, Values, reason};

/// The canonical column names of `field` in a CUR (2.0 or legacy).
pub fn column_names(field: Field, schema: Schema) -> &'static [&'static str] {
    use Field as F;
    let legacy = schema == Schema::LegacyCur;
    match field {
        F::LineType => &["lineitemlineitemtype"],
        F::ProductCode => &["lineitemproductcode"],
        F::UsageType => &["lineitemusagetype"],
        F::Operation => &["lineitemoperation"],
        F::Start => &["lineitemusagestartdate"],
        F::End => &["lineitemusageenddate"],
        F::Amount => &["lineitemusageamount"],
        F::Unit => &["pricingunit"],
        F::Cost => &["lineitemunblendedcost"],
        F::Resource => &["lineitemresourceid"],
        F::Zone => &["lineitemavailabilityzone"],
        F::RegionCode => &["productregioncode"],
        F::RegionAlt if legacy => &["productregion"],
        F::InstanceType => &["productinstancetype"],
        F::OperatingSystem if legacy => &["productoperatingsystem"],
        F::Tenancy if legacy => &["producttenancy"],
        F::Description => &["lineitemlineitemdescription"],
        F::RiArn => &["reservationreservationarn"],
        F::RiCount => &["reservationnumberofreservations"],
        F::RiStart => &["reservationstarttime"],
        F::RiEnd => &["reservationendtime"],
        F::RiZone => &["reservationavailabilityzone"],
        F::LeaseLength => &["pricingleasecontractlength"],
        F::OfferingClass => &["pricingofferingclass"],
        F::PurchaseOption => &["pricingpurchaseoption"],
        F::SpArn => &["savingsplansavingsplanarn"],
        F::SpOfferingType => &["savingsplanofferingtype"],
        F::SpTerm => &["savingsplanpurchaseterm"],
        F::SpPayment => &["savingsplanpaymentoption"],
        F::SpStart => &["savingsplanstarttime"],
        F::SpEnd => &["savingsplanendtime"],
        F::SpTotalCommitment => &["savingsplantotalcommitmenttodate"],
        F::SpRecurring => &["savingsplanrecurringcommitmentforbillingperiod"],
        F::SpUpfront => &["savingsplanamortizedupfrontcommitmentforbillingperiod"],
        F::SpFamily => &["savingsplaninstancetypefamily"],
        F::SpRegion => &["savingsplanregion"],
        F::NormFactor => &["lineitemnormalizationfactor"],
        _ => &[],
    }
}

/// The charge of a CUR line item type.
fn charge(line_type: &str, has_reservation: bool) -> Charge {
    match line_type {
        "Usage" => Charge::Usage(Paid::OnDemand),
        "DiscountedUsage" => Charge::Usage(Paid::Reserved),
        "SavingsPlanCoveredUsage" => Charge::Usage(Paid::SavingsPlan),
        "RIFee" => Charge::RiFee,
        "SavingsPlanRecurringFee" => Charge::SpRecurringFee,
        "SavingsPlanNegation" => Charge::LeftOut(reason::SP_NEGATION),
        "SavingsPlanUpfrontFee" => Charge::LeftOut(reason::SP_UPFRONT),
        "Fee" if has_reservation => Charge::LeftOut(reason::RI_UPFRONT),
        "Fee" => Charge::LeftOut(reason::FEE),
        "Credit" => Charge::LeftOut(reason::CREDIT),
        "Refund" => Charge::LeftOut(reason::REFUND),
        "Tax" => Charge::LeftOut(reason::TAX),
        t if t.ends_with("Discount") => Charge::LeftOut(reason::DISCOUNT),
        _ => Charge::LeftOut(reason::OTHER_TYPE),
    }
}

/// Reads one CUR row. Left-out lines are typed from their line item type alone, so damage in
/// columns they do not need does not make them malformed.
pub fn line<'a, R: Row + ?Sized>(v: &Values<'a, R>) -> Result<LineItem<'a>, FieldError> {
    let line_type = v.required_text(Field::LineType)?;
    let mut c = charge(line_type, false);
    if line_type == "Fee" {
        c = charge(line_type, v.text(Field::RiArn)?.is_some());
    }
    let mut item = LineItem {
        charge: c,
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
    if let Charge::LeftOut(_) = c {
        return Ok(item);
    }
    item.product_code = v.text(Field::ProductCode)?;
    item.usage_type = v.text(Field::UsageType)?;
    item.operation = v.text(Field::Operation)?;
    item.start = v.time(Field::Start)?;
    item.end = v.time(Field::End)?;
    item.amount = v.decimal(Field::Amount)?;
    item.unit = v.text(Field::Unit)?;
    item.cost = v.decimal(Field::Cost)?;
    item.resource = v.text(Field::Resource)?;
    item.zone = v.text(Field::Zone)?;
    item.region = match v.text(Field::RegionCode)? {
        Some(r) => Some(r),
        None => v.text(Field::RegionAlt)?,
    };
    item.instance_type = v.text(Field::InstanceType)?;
    item.os = v.text(Field::OperatingSystem)?;
    item.tenancy = v.text(Field::Tenancy)?;
    Ok(item)
}
