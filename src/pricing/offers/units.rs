//! Offer-file units against costlab's billed units. Offer files state every price per ONE unit
//! (`Requests`, `GB-Mo`, `Hrs`, `Quantity` for an upfront fee) and spell one quantity several
//! ways (trap 6: `Lambda-GB-Second`, `Second` and `seconds` for GB-seconds; `Request` and
//! `Requests`; `hours` and `Hrs`). A unit that does not match the key's unit is an error, never
//! a guess.

use rust_decimal::Decimal;

use crate::pricing::Unit;

/// The offer-file spellings accepted for costlab's `unit`.
fn spellings(unit: Unit) -> &'static [&'static str] {
    match unit {
        Unit::Hours => &["Hrs", "Hours", "hours", "Hour", "hour", "hrs"],
        Unit::Reservations => &["Quantity"],
        Unit::GbMonth => &["GB-Mo", "GB-Month", "GB-month"],
        Unit::Gb => &["GB"],
        Unit::Requests => &["Requests", "Request", "requests", "request"],
        Unit::Objects => &["Objects", "Object"],
        Unit::ObjectMonths => &["Objects", "Object", "Objects-Mo", "Object-Mo"],
        Unit::TagMonths => &["Tag-Mo", "Tags-Mo"],
        Unit::Jobs => &["Jobs", "Job"],
        Unit::GbSeconds => &[
            "Lambda-GB-Second",
            "GB-Second",
            "GB-Seconds",
            "Second",
            "Seconds",
            "seconds",
        ],
        Unit::DpuHours => &["DPU-Hour", "DPU-Hours"],
        Unit::VcpuHours => &["vCPU-Hours", "vCPU-Hour", "vCPU-hours", "vCPU-hour"],
        Unit::GbHours => &["GB-Hours", "GB-Hour", "GB-hours", "GB-hour"],
        _ => &[],
    }
}

/// The price per `per` units of `unit` of a price stated per one `offer_unit`, or `None` when
/// the units differ.
pub fn convert(price: Decimal, offer_unit: &str, unit: Unit, per: u64) -> Option<Decimal> {
    spellings(unit)
        .contains(&offer_unit.trim())
        .then(|| price * Decimal::from(per))
}

/// Parses an offer-file number: `"0.0230000000"`, `"70"`, `"1.0E-4"`. Negative numbers are
/// refused by the caller.
pub fn parse_number(s: &str) -> Option<Decimal> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    s.parse::<Decimal>()
        .ok()
        .or_else(|| Decimal::from_scientific(s).ok())
        .map(|d| d.normalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_convert_with_care() {
        let d = |s: &str| parse_number(s).unwrap();
        // Per request → per 1,000 requests.
        assert_eq!(
            convert(d("0.0000050000"), "Requests", Unit::Requests, 1000),
            Some(d("0.005"))
        );
        // Lambda 2016 spells GB-seconds `seconds` (trap 6).
        assert_eq!(
            convert(d("0.0000166667"), "seconds", Unit::GbSeconds, 1),
            Some(d("0.0000166667"))
        );
        // Per request → per 1M.
        assert_eq!(
            convert(d("0.0000002"), "Request", Unit::Requests, 1_000_000),
            Some(d("0.2"))
        );
        // An upfront fee is a Quantity, never an hour.
        assert_eq!(convert(d("70"), "Quantity", Unit::Hours, 1), None);
        assert_eq!(convert(d("0.1"), "GB-Mo", Unit::Gb, 1), None);
        assert_eq!(d("1.0E-4"), d("0.0001"));
        assert_eq!(parse_number(""), None);
        assert_eq!(parse_number("abc"), None);
    }
}
