//! What can be bought ahead: Standard Reserved Instances and Savings Plans, with their terms
//! (1 or 3 years of 8,760 hours each, compute-pricing-and-rules.md §2) and payment options.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::aws::{InstanceType, PurchaseOption};
use crate::units::{SECONDS_PER_HOUR, Timestamp};

/// Hours in a one-year term: the effective-rate formula divides by years × 365 × 24 (§2b).
pub const HOURS_PER_TERM_YEAR: u64 = 365 * 24;

/// Length of a commitment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Term {
    OneYear,
    ThreeYear,
}

impl Term {
    /// 8,760 or 26,280 hours (§2b: effective = hourly + upfront / (years × 365 × 24)).
    pub fn hours(self) -> u64 {
        match self {
            Term::OneYear => HOURS_PER_TERM_YEAR,
            Term::ThreeYear => 3 * HOURS_PER_TERM_YEAR,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Term::OneYear => "1yr",
            Term::ThreeYear => "3yr",
        }
    }
}

impl FromStr for Term {
    type Err = String;
    fn from_str(s: &str) -> Result<Term, String> {
        match s {
            "1yr" => Ok(Term::OneYear),
            "3yr" => Ok(Term::ThreeYear),
            _ => Err(format!("{s:?} is not a term; expected \"1yr\" or \"3yr\"")),
        }
    }
}

/// How a commitment is paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Payment {
    NoUpfront,
    PartialUpfront,
    AllUpfront,
}

impl Payment {
    pub fn as_str(self) -> &'static str {
        match self {
            Payment::NoUpfront => "no_upfront",
            Payment::PartialUpfront => "partial_upfront",
            Payment::AllUpfront => "all_upfront",
        }
    }

    /// Share of a Savings Plan's commitment paid upfront: none, half, all. AWS asks "at least
    /// half" for Partial Upfront; half is costlab's assumption (not in the reference).
    pub fn sp_upfront_share(self) -> Decimal {
        match self {
            Payment::NoUpfront => Decimal::ZERO,
            Payment::PartialUpfront => Decimal::new(5, 1),
            Payment::AllUpfront => Decimal::ONE,
        }
    }
}

impl FromStr for Payment {
    type Err = String;
    fn from_str(s: &str) -> Result<Payment, String> {
        match s {
            "no_upfront" => Ok(Payment::NoUpfront),
            "partial_upfront" => Ok(Payment::PartialUpfront),
            "all_upfront" => Ok(Payment::AllUpfront),
            _ => Err(format!(
                "{s:?} is not a payment option; expected no_upfront, partial_upfront or all_upfront"
            )),
        }
    }
}

/// The price-book purchase option of a Standard RI of this term and payment.
pub fn ri_option(term: Term, payment: Payment) -> PurchaseOption {
    use PurchaseOption as P;
    match (term, payment) {
        (Term::OneYear, Payment::NoUpfront) => P::Reserved1yrNoUpfront,
        (Term::OneYear, Payment::PartialUpfront) => P::Reserved1yrPartialUpfront,
        (Term::OneYear, Payment::AllUpfront) => P::Reserved1yrAllUpfront,
        (Term::ThreeYear, Payment::NoUpfront) => P::Reserved3yrNoUpfront,
        (Term::ThreeYear, Payment::PartialUpfront) => P::Reserved3yrPartialUpfront,
        (Term::ThreeYear, Payment::AllUpfront) => P::Reserved3yrAllUpfront,
    }
}

/// `count` regional Standard Reserved Instances (Linux, default tenancy) of one type, bought
/// at `start` (the start of an hour).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reservation {
    pub instance_type: InstanceType,
    pub count: u32,
    pub term: Term,
    pub payment: Payment,
    pub start: Timestamp,
}

impl Reservation {
    pub fn option(&self) -> PurchaseOption {
        ri_option(self.term, self.payment)
    }

    /// Whether the term covers the clock hour starting at `hour`.
    pub fn active(&self, hour: Timestamp) -> bool {
        active(self.start, self.term, hour)
    }

    /// The end of the term (exclusive).
    pub fn end(&self) -> Timestamp {
        term_end(self.start, self.term)
    }
}

fn term_end(start: Timestamp, term: Term) -> Timestamp {
    Timestamp(
        start
            .0
            .saturating_add((term.hours() * SECONDS_PER_HOUR) as i64),
    )
}

fn active(start: Timestamp, term: Term, hour: Timestamp) -> bool {
    hour >= start && hour < term_end(start, term)
}

/// Which usage a Savings Plan may cover (§3).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SpKind {
    /// One instance family in one Region (e.g. `m5`).
    Ec2Instance { family: String },
    /// Any family, size, Region and OS.
    Compute,
}

impl SpKind {
    pub fn label(&self) -> String {
        match self {
            SpKind::Ec2Instance { family } => format!("ec2_instance:{family}"),
            SpKind::Compute => "compute".into(),
        }
    }
}

impl fmt::Display for SpKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// A Savings Plan: a commitment of `commitment_per_hour` USD (at Savings Plan rates) every
/// hour of the term, used or not (§3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavingsPlan {
    pub name: String,
    pub kind: SpKind,
    pub commitment_per_hour: Decimal,
    pub term: Term,
    pub payment: Payment,
    pub start: Timestamp,
    /// The plan's discount off On-Demand in percent, overriding the rate card's.
    pub discount_pct: Option<Decimal>,
}

impl SavingsPlan {
    pub fn active(&self, hour: Timestamp) -> bool {
        active(self.start, self.term, hour)
    }

    pub fn end(&self) -> Timestamp {
        term_end(self.start, self.term)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_365_day_years() {
        assert_eq!(Term::OneYear.hours(), 8_760);
        assert_eq!(Term::ThreeYear.hours(), 26_280);
        let r = Reservation {
            instance_type: InstanceType("m5.xlarge".into()),
            count: 1,
            term: Term::OneYear,
            payment: Payment::NoUpfront,
            start: Timestamp(0),
        };
        assert!(r.active(Timestamp(0)));
        assert!(r.active(Timestamp(8_759 * 3_600)));
        assert!(!r.active(Timestamp(8_760 * 3_600)));
        assert!(!r.active(Timestamp(-3_600)));
        assert_eq!(r.option(), PurchaseOption::Reserved1yrNoUpfront);
    }
}
