//! Instance families and normalization factors for regional size flexibility
//! (compute-pricing-and-rules.md §2, EC2UG `apply_ri.md`): an RI's benefit is measured in
//! normalized units and applied to the family's usage smallest size first.

use rust_decimal::Decimal;

use crate::aws::InstanceType;

/// Normalization factor per size (§2 table): nano 0.25 … 112xlarge 896.
const FACTORS: &[(&str, i64, u32)] = &[
    ("nano", 25, 2),
    ("micro", 5, 1),
    ("small", 1, 0),
    ("medium", 2, 0),
    ("large", 4, 0),
    ("xlarge", 8, 0),
    ("2xlarge", 16, 0),
    ("3xlarge", 24, 0),
    ("4xlarge", 32, 0),
    ("6xlarge", 48, 0),
    ("8xlarge", 64, 0),
    ("9xlarge", 72, 0),
    ("10xlarge", 80, 0),
    ("12xlarge", 96, 0),
    ("16xlarge", 128, 0),
    ("18xlarge", 144, 0),
    ("24xlarge", 192, 0),
    ("32xlarge", 256, 0),
    ("56xlarge", 448, 0),
    ("112xlarge", 896, 0),
];

/// The family of a type: `m5` for `m5.xlarge`.
pub fn family(t: &InstanceType) -> &str {
    t.as_str().split_once('.').map_or(t.as_str(), |(f, _)| f)
}

/// The normalization factor of a type's size, or `None` for a size outside the §2 table (such
/// as `metal`), which gets no size flexibility: only an RI of exactly that type covers it.
pub fn normalization_factor(t: &InstanceType) -> Option<Decimal> {
    let size = t.as_str().split_once('.')?.1;
    FACTORS
        .iter()
        .find(|(s, _, _)| *s == size)
        .map(|(_, m, scale)| Decimal::new(*m, *scale))
}

/// The group an RI's benefit is shared in (family for flexible sizes, the type itself
/// otherwise) and the factor usage is measured in within it (1 for an exact-match group).
pub fn flex_group(t: &InstanceType) -> (String, Decimal) {
    match normalization_factor(t) {
        Some(f) => (family(t).to_string(), f),
        None => (format!("={}", t.as_str()), Decimal::ONE),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn it(s: &str) -> InstanceType {
        InstanceType(s.into())
    }

    #[test]
    fn factors_follow_the_table() {
        assert_eq!(
            normalization_factor(&it("t3.nano")),
            Some(Decimal::new(25, 2))
        );
        assert_eq!(
            normalization_factor(&it("t3.micro")),
            Some(Decimal::new(5, 1))
        );
        assert_eq!(
            normalization_factor(&it("m5.xlarge")),
            Some(Decimal::from(8))
        );
        assert_eq!(
            normalization_factor(&it("m5.2xlarge")),
            Some(Decimal::from(16))
        );
        assert_eq!(
            normalization_factor(&it("u.112xlarge")),
            Some(Decimal::from(896))
        );
        assert_eq!(normalization_factor(&it("m5.metal")), None);
        assert_eq!(family(&it("m5.xlarge")), "m5");
        assert_eq!(flex_group(&it("m5.metal")).0, "=m5.metal");
    }
}
