//! Property tests of metering and rating (proptest): cost is monotone in every quantity, splitting
//! a month never costs less than rating it whole, zero usage costs nothing, no line is negative,
//! and merging usage is order-independent.

use costlab::aws::{
    ArchiveSource, GlueClass, InstanceType, ItTier, LambdaArch, PurchaseOption, Region,
    RequestTier, RestoreTier, StorageClass, StorageTier,
};
use costlab::cost::{RateOptions, rate};
use costlab::meter::{Meter, Usage};
use costlab::pricing::Catalog;
use costlab::units::{GIB, Money, Month};
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::sync::OnceLock;

fn catalog() -> &'static Catalog {
    static C: OnceLock<Catalog> = OnceLock::new();
    C.get_or_init(|| Catalog::open(None, Some("us-east-1")).expect("built-in book"))
}

fn region() -> Region {
    Region::parse("us-east-1").unwrap()
}

/// Meters with a price in the us-east-1 book, and a base-unit scale per step of the generator
/// large enough that generated quantities cross every volume band and free allowance.
fn menu() -> Vec<(Meter, Decimal)> {
    let march_bh = Decimal::from(GIB) * Decimal::from(744u64);
    let gb = Decimal::from(GIB);
    let it = InstanceType::parse("m5.xlarge").unwrap();
    vec![
        (
            Meter::Storage(StorageTier::Class(StorageClass::Standard)),
            march_bh * Decimal::from(100),
        ),
        (
            Meter::Storage(StorageTier::It(ItTier::Frequent)),
            march_bh * Decimal::from(100),
        ),
        (
            Meter::Storage(StorageTier::Class(StorageClass::Glacier)),
            march_bh,
        ),
        (
            Meter::SmallObjectPadding(StorageClass::StandardIa),
            march_bh,
        ),
        (
            Meter::ArchiveOverheadStandard(StorageTier::Class(StorageClass::DeepArchive)),
            march_bh * Decimal::from(100),
        ),
        (Meter::EarlyDelete(StorageClass::GlacierIr), march_bh),
        (
            Meter::Requests(StorageClass::Standard, RequestTier::Tier1),
            Decimal::from(1000),
        ),
        (
            Meter::Requests(StorageClass::GlacierIr, RequestTier::Tier2),
            Decimal::from(1000),
        ),
        (
            Meter::Transitions(StorageClass::DeepArchive),
            Decimal::from(1000),
        ),
        (Meter::Retrieval(StorageClass::GlacierIr), gb),
        (
            Meter::RestoreRequests(ArchiveSource::Glacier, RestoreTier::Expedited),
            Decimal::ONE,
        ),
        (
            Meter::RestoreBytes(ArchiveSource::DeepArchive, RestoreTier::Bulk),
            gb,
        ),
        (Meter::ItMonitoredObjectHours, Decimal::from(744u64)),
        (Meter::TransferOutInternet, gb),
        (
            Meter::TransferInterRegion(Region::parse("eu-west-1").unwrap()),
            gb,
        ),
        (Meter::ReplicationRtc, gb),
        (
            Meter::InstanceSeconds(it.clone(), PurchaseOption::OnDemand),
            Decimal::from(3600),
        ),
        (
            Meter::InstanceSeconds(it, PurchaseOption::SpotAdvisor),
            Decimal::from(3600),
        ),
        (
            Meter::GlueDpuSeconds(GlueClass::Standard),
            Decimal::from(60),
        ),
        (Meter::LambdaRequests, Decimal::from(1000)),
        (
            Meter::LambdaGbSeconds(LambdaArch::X86),
            Decimal::from(100_000),
        ),
    ]
}

fn march() -> Month {
    Month::new(2026, 3).unwrap()
}

/// Usage from (menu index, steps) pairs.
fn usage_of(items: &[(usize, u32)], apply_free_tier: bool) -> Usage {
    let menu = menu();
    let mut u = Usage::default();
    u.free_tier.apply = apply_free_tier;
    u.touch(march(), &region());
    for (i, steps) in items {
        let (m, scale) = &menu[i % menu.len()];
        u.add(march(), &region(), m.clone(), scale * Decimal::from(*steps));
    }
    u
}

fn total(u: &Usage) -> Money {
    rate(u, catalog(), &RateOptions::default())
        .expect("rates")
        .total
}

fn items() -> impl Strategy<Value = Vec<(usize, u32)>> {
    prop::collection::vec((0usize..64, 0u32..1_000_000), 0..12)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn cost_is_monotone_in_every_quantity(base in items(), which in 0usize..64, extra in 1u32..1_000_000, free in any::<bool>()) {
        let before = total(&usage_of(&base, free));
        let mut more = base.clone();
        more.push((which, extra));
        let after = total(&usage_of(&more, free));
        prop_assert!(after >= before, "adding usage lowered the bill: {before:?} -> {after:?}");
    }

    /// Volume bands only help volume, so rating two halves separately never costs less than
    /// rating the month whole. Free allowances are account-wide per month: two separately rated
    /// halves would each get the whole allowance, so the property is stated without them.
    #[test]
    fn splitting_a_month_never_costs_less(a in items(), b in items()) {
        let whole: Vec<_> = a.iter().chain(b.iter()).copied().collect();
        let split = total(&usage_of(&a, false)) + total(&usage_of(&b, false));
        let whole = total(&usage_of(&whole, false));
        // Amounts are exact to Decimal's 28 significant digits; a GB-month from byte-hours in a
        // 31-day month does not terminate, so the last digit may round either way (1e-23 USD).
        prop_assert!(split.usd() + Decimal::new(1, 15) >= whole.usd(), "split {split:?} < whole {whole:?}");
    }

    #[test]
    fn no_line_is_negative_and_lines_add_up(base in items(), free in any::<bool>()) {
        let bill = rate(&usage_of(&base, free), catalog(), &RateOptions::default()).unwrap();
        let mut sum = Money::ZERO;
        for m in &bill.months {
            for l in &m.lines {
                prop_assert!(l.cost >= Money::ZERO, "negative line {l:?}");
                prop_assert!(l.quantity > Decimal::ZERO);
                sum += l.cost;
            }
        }
        prop_assert_eq!(sum, bill.total);
    }

    #[test]
    fn merging_is_order_independent(a in items(), b in items()) {
        let (ua, ub) = (usage_of(&a, true), usage_of(&b, true));
        let mut ab = ua.clone();
        ab.merge(&ub);
        let mut ba = ub.clone();
        ba.merge(&ua);
        prop_assert_eq!(&ab, &ba);
        let whole: Vec<_> = a.iter().chain(b.iter()).copied().collect();
        prop_assert_eq!(total(&ab), total(&usage_of(&whole, true)));
    }

    #[test]
    fn zero_quantities_cost_nothing(indices in prop::collection::vec(0usize..64, 0..20)) {
        let items: Vec<_> = indices.into_iter().map(|i| (i, 0u32)).collect();
        let bill = rate(&usage_of(&items, true), catalog(), &RateOptions::default()).unwrap();
        prop_assert_eq!(bill.total, Money::ZERO);
        prop_assert!(bill.months.iter().all(|m| m.lines.is_empty()));
    }
}

/// The free allowance is exactly why the split property excludes it: 2 × 100 GB rated apart is
/// free, rated together 100 GB is billed.
#[test]
fn free_allowance_is_shared_within_a_month() {
    let gb100 = Decimal::from(100u64 * GIB);
    let mut u = Usage::default();
    u.add(march(), &region(), Meter::TransferOutInternet, gb100);
    assert_eq!(total(&u), Money::ZERO);
    u.add(march(), &region(), Meter::TransferOutInternet, gb100);
    assert_eq!(total(&u), Money(Decimal::new(900, 2)));
}
