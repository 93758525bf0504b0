//! Which export a file is, from its column names alone, and where each column the readers
//! need sits in it.
//!
//! * **CUR 2.0** (Data Exports): snake_case columns (`line_item_usage_type`, …) with the
//!   `product`, `resource_tags`, `cost_category` and `discount` maps, and two columns legacy
//!   CUR lacks: `bill_payer_account_name`, `line_item_usage_account_name`.
//! * **Legacy CUR**: `category/Name` headers in CSV (`lineItem/UsageType`), or the same
//!   columns snake_cased in its Athena/Parquet form (`line_item_usage_type`,
//!   `reservation_reservation_a_r_n`), product attributes as flat columns
//!   (`product_operating_system`).
//! * **FOCUS** 1.0, 1.1, 1.2: PascalCase columns (`ChargeCategory`, `BilledCost`, …) and
//!   provider `x_` columns (`x_UsageType`, `x_Operation`, `x_ServiceCode` in AWS's exports).
//!   1.1 added `ServiceSubcategory`, `SkuMeter`, `SkuPriceDetails`, `CommitmentDiscountQuantity`
//!   and `CapacityReservationId`; 1.2 added `InvoiceId`, `PricingCurrency` and friends.
//!
//! Names are compared canonically: lowercase without `_`, `-`, `/` and spaces, so
//! `lineItem/UsageType` and `line_item_usage_type` are one column, and so are
//! `reservation/ReservationARN` and Athena's `reservation_reservation_a_r_n`. Columns are taken
//! from the header (or the Parquet schema, or a CUR manifest), never from a fixed list: the
//! legacy CUR's columns grow month by month.

use std::fmt;

/// A FOCUS version, as told by the columns present.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FocusVersion {
    V1_0,
    V1_1,
    V1_2,
}

/// The kind of billing export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Schema {
    /// CUR 2.0 (AWS Data Exports).
    Cur2,
    /// The legacy Cost and Usage Report (CUR 1), CSV or its Athena/Parquet form.
    LegacyCur,
    /// FOCUS (FinOps Open Cost and Usage Specification).
    Focus(FocusVersion),
}

impl Schema {
    /// `CUR 2.0`, `legacy CUR`, `FOCUS 1.0`…
    pub fn name(self) -> &'static str {
        match self {
            Schema::Cur2 => "CUR 2.0",
            Schema::LegacyCur => "legacy CUR",
            Schema::Focus(FocusVersion::V1_0) => "FOCUS 1.0",
            Schema::Focus(FocusVersion::V1_1) => "FOCUS 1.1",
            Schema::Focus(FocusVersion::V1_2) => "FOCUS 1.2",
        }
    }

    pub fn is_focus(self) -> bool {
        matches!(self, Schema::Focus(_))
    }
}

impl fmt::Display for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A column name in canonical form: lowercase, without `_`, `-`, `/` and spaces (a leading
/// byte-order mark dropped).
pub fn canon(name: &str) -> String {
    name.trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !matches!(c, '_' | '-' | '/' | ' '))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Tells the export from its column names; `None` when it is none of them.
pub fn detect(names: &[String]) -> Option<Schema> {
    let set: std::collections::HashSet<String> = names.iter().map(|n| canon(n)).collect();
    let has = |n: &str| set.contains(n);
    if has("chargecategory") && has("billedcost") {
        let v = if has("invoiceid") || has("pricingcurrency") {
            FocusVersion::V1_2
        } else if [
            "servicesubcategory",
            "skumeter",
            "skupricedetails",
            "commitmentdiscountquantity",
            "capacityreservationid",
        ]
        .iter()
        .any(|c| has(c))
        {
            FocusVersion::V1_1
        } else {
            FocusVersion::V1_0
        };
        return Some(Schema::Focus(v));
    }
    if has("lineitemlineitemtype") {
        let slashed = names.iter().any(|n| n.contains('/'));
        let cur2 = !slashed
            && (has("product") || has("billpayeraccountname") || has("lineitemusageaccountname"));
        return Some(if cur2 {
            Schema::Cur2
        } else {
            Schema::LegacyCur
        });
    }
    None
}

/// A value the readers take from a row, whatever the export calls its column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    /// CUR `line_item_line_item_type`.
    LineType,
    /// FOCUS `ChargeCategory`.
    ChargeCategory,
    ChargeClass,
    ChargeFrequency,
    CommitmentStatus,
    CommitmentId,
    CommitmentType,
    CommitmentCategory,
    CommitmentQuantity,
    /// CUR `line_item_product_code`, FOCUS `x_ServiceCode`.
    ProductCode,
    /// FOCUS `ServiceName` (when there is no service code).
    ServiceName,
    UsageType,
    Operation,
    Start,
    End,
    /// Usage quantity: CUR `line_item_usage_amount`, FOCUS `ConsumedQuantity`.
    Amount,
    /// Its unit: CUR `pricing_unit`, FOCUS `ConsumedUnit`.
    Unit,
    /// Cost before amortization: CUR `line_item_unblended_cost`, FOCUS `BilledCost`.
    Cost,
    Resource,
    /// FOCUS `ResourceName` (a bucket's name where `ResourceId` is absent).
    ResourceName,
    Zone,
    RegionCode,
    /// Legacy CUR `product/region` (a region code, where `product/regionCode` is empty).
    RegionAlt,
    InstanceType,
    OperatingSystem,
    Tenancy,
    Description,
    RiArn,
    RiCount,
    RiStart,
    RiEnd,
    RiZone,
    LeaseLength,
    OfferingClass,
    PurchaseOption,
    SpArn,
    SpOfferingType,
    SpTerm,
    SpPayment,
    SpStart,
    SpEnd,
    SpTotalCommitment,
    SpRecurring,
    SpUpfront,
    SpFamily,
    SpRegion,
    /// CUR `line_item_normalization_factor` (regional RI size flexibility).
    NormFactor,
}

/// Every field, in index order.
pub const FIELDS: [Field; 47] = [
    Field::LineType,
    Field::ChargeCategory,
    Field::ChargeClass,
    Field::ChargeFrequency,
    Field::CommitmentStatus,
    Field::CommitmentId,
    Field::CommitmentType,
    Field::CommitmentCategory,
    Field::CommitmentQuantity,
    Field::ProductCode,
    Field::ServiceName,
    Field::UsageType,
    Field::Operation,
    Field::Start,
    Field::End,
    Field::Amount,
    Field::Unit,
    Field::Cost,
    Field::Resource,
    Field::ResourceName,
    Field::Zone,
    Field::RegionCode,
    Field::RegionAlt,
    Field::InstanceType,
    Field::OperatingSystem,
    Field::Tenancy,
    Field::Description,
    Field::RiArn,
    Field::RiCount,
    Field::RiStart,
    Field::RiEnd,
    Field::RiZone,
    Field::LeaseLength,
    Field::OfferingClass,
    Field::PurchaseOption,
    Field::SpArn,
    Field::SpOfferingType,
    Field::SpTerm,
    Field::SpPayment,
    Field::SpStart,
    Field::SpEnd,
    Field::SpTotalCommitment,
    Field::SpRecurring,
    Field::SpUpfront,
    Field::SpFamily,
    Field::SpRegion,
    Field::NormFactor,
];

impl Field {
    pub fn index(self) -> usize {
        self as usize
    }

    /// The canonical column names this field has in `schema`, most specific first.
    pub fn names(self, schema: Schema) -> &'static [&'static str] {
        if schema.is_focus() {
            super::focus::column_names(self)
        } else {
            super::cur::column_names(self, schema)
        }
    }
}

/// Where each field sits in one file: the column index and the column's name as the file
/// spells it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    pub schema: Schema,
    columns: Vec<Option<(usize, String)>>,
}

impl Binding {
    /// Binds every field to the first of its names present in `names`.
    pub fn new(schema: Schema, names: &[String]) -> Binding {
        let canon_names: Vec<String> = names.iter().map(|n| canon(n)).collect();
        let columns = FIELDS
            .iter()
            .map(|f| {
                f.names(schema).iter().find_map(|want| {
                    canon_names
                        .iter()
                        .position(|c| c == want)
                        .map(|i| (i, names[i].trim().to_string()))
                })
            })
            .collect();
        Binding { schema, columns }
    }

    /// The column index of `field`, if the file has it.
    pub fn column(&self, field: Field) -> Option<usize> {
        self.columns[field.index()].as_ref().map(|c| c.0)
    }

    /// The column name of `field` as the file spells it.
    pub fn name(&self, field: Field) -> Option<&str> {
        self.columns[field.index()].as_ref().map(|c| c.1.as_str())
    }

    /// `(field, column)` for every field found, in field order: how the file maps to costlab's
    /// line record.
    pub fn mapping(&self) -> Vec<(Field, String)> {
        FIELDS
            .iter()
            .filter_map(|f| self.name(*f).map(|n| (*f, n.to_string())))
            .collect()
    }

    /// The fields the readers cannot do without, missing from this file.
    pub fn missing_required(&self) -> Vec<&'static str> {
        let need: &[(Field, &str)] = if self.schema.is_focus() {
            &[
                (Field::ChargeCategory, "ChargeCategory"),
                (Field::Start, "ChargePeriodStart"),
                (Field::Amount, "ConsumedQuantity"),
            ]
        } else {
            &[
                (Field::LineType, "line_item_line_item_type"),
                (Field::Start, "line_item_usage_start_date"),
                (Field::Amount, "line_item_usage_amount"),
                (Field::UsageType, "line_item_usage_type"),
                (Field::ProductCode, "line_item_product_code"),
            ]
        };
        need.iter()
            .filter(|(f, _)| self.column(*f).is_none())
            .map(|(_, n)| *n)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn fields_are_listed_in_index_order() {
        for (i, f) in FIELDS.iter().enumerate() {
            assert_eq!(f.index(), i);
        }
    }

    #[test]
    fn the_three_exports_are_told_apart() {
        let legacy = names(&[
            "identity/LineItemId",
            "lineItem/LineItemType",
            "product/region",
        ]);
        assert_eq!(detect(&legacy), Some(Schema::LegacyCur));
        let athena = names(&["line_item_line_item_type", "product_operating_system"]);
        assert_eq!(detect(&athena), Some(Schema::LegacyCur));
        let cur2 = names(&[
            "line_item_line_item_type",
            "product",
            "bill_payer_account_name",
        ]);
        assert_eq!(detect(&cur2), Some(Schema::Cur2));
        let f10 = names(&["BilledCost", "ChargeCategory", "ChargeClass"]);
        assert_eq!(detect(&f10), Some(Schema::Focus(FocusVersion::V1_0)));
        let f11 = names(&["BilledCost", "ChargeCategory", "SkuPriceDetails"]);
        assert_eq!(detect(&f11), Some(Schema::Focus(FocusVersion::V1_1)));
        let f12 = names(&["BilledCost", "ChargeCategory", "SkuMeter", "InvoiceId"]);
        assert_eq!(detect(&f12), Some(Schema::Focus(FocusVersion::V1_2)));
        assert_eq!(detect(&names(&["hour", "instance_type"])), None);
        assert_eq!(
            canon("reservation/ReservationARN"),
            canon("reservation_reservation_a_r_n")
        );
    }
}
