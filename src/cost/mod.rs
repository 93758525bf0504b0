//! Rating: turns metered `Usage` into a `Bill` of line items with the price books of a
//! `Catalog`. Volume bands apply to a month's total per price, free allowances come off first,
//! negotiated discounts apply per service, and amounts stay unrounded.

mod describe;
mod rate;
mod unit;

pub use describe::{Category, LineSpec, PriceSource, describe};
pub use rate::{CostError, RateOptions, rate};
pub use unit::{BookUnitPrices, unit_price};

use crate::aws::Region;
use crate::pricing::Unit;
use crate::units::{Money, Month};
use rust_decimal::Decimal;

/// One line of a bill: what was used, how much, at what price.
#[derive(Clone, Debug, PartialEq)]
pub struct LineItem {
    pub month: Month,
    pub category: Category,
    pub service: &'static str,
    pub region: Region,
    /// Storage class, IT tier, instance type, or destination: what the line is about.
    pub class: String,
    pub usage_type: String,
    /// The volume band or allowance this line is in (`first 51200`, `51200-512000`, `free`),
    /// empty for flat prices.
    pub band: String,
    pub quantity: Decimal,
    pub unit: Unit,
    /// Price per single unit after any discount; `cost = quantity × unit_price`.
    pub unit_price: Decimal,
    /// The price as the book states it (before discount), per `price_per` units.
    pub list_price: Decimal,
    pub price_per: u64,
    pub discount_pct: Decimal,
    /// The price-book key that priced the line.
    pub price_key: String,
    pub cost: Money,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MonthBill {
    pub month: Month,
    pub lines: Vec<LineItem>,
    pub total: Money,
}

/// The price books used, for the record.
#[derive(Clone, Debug, PartialEq)]
pub struct PricingInfo {
    pub region: Region,
    pub source: String,
    pub effective_date: String,
    pub files: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Bill {
    pub pricing: PricingInfo,
    pub months: Vec<MonthBill>,
    pub total: Money,
    /// Prices used that are not confirmed by an AWS source, and other caveats.
    pub warnings: Vec<String>,
}
