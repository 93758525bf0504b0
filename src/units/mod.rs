//! Typed units and money: bytes, integer byte-hours, binary GB (2^30 bytes), calendar months
//! and their hours, and `Money` (exact decimal USD). Everything that crosses a module boundary
//! as a quantity or an amount is one of these types, never a bare `f64`.

use rust_decimal::Decimal;
use std::fmt;
use std::ops::{Add, AddAssign, Mul, Sub};
use std::str::FromStr;

pub mod time;
use time::days_in_month;
pub use time::{Timestamp, civil_from_days, days_from_civil, next_midnight_utc};

/// One KiB, as S3 counts the 128 KB minimum billable size and the 8 KB + 32 KB archive overhead.
pub const KIB: u64 = 1 << 10;
/// One binary megabyte.
pub const MIB: u64 = 1 << 20;
/// One binary gigabyte: "Amazon S3 storage usage is calculated in binary gigabytes (GB), where
/// 1 GB is 2^30 bytes" (s3-pricing-and-rules.md §2.1).
pub const GIB: u64 = 1 << 30;
/// One binary terabyte (2^40 bytes, "1 TB is 2^40 bytes, i.e. 1024 GBs", §2.1).
pub const TIB: u64 = 1 << 40;
pub const SECONDS_PER_HOUR: u64 = 3_600;
pub const HOURS_PER_DAY: u64 = 24;

/// Converts a u128 to a Decimal; values past Decimal's range (7.9e28) saturate, which no real
/// meter reaches (that is 10^10 PB-years).
pub fn decimal_from_u128(v: u128) -> Decimal {
    Decimal::from_i128_with_scale(v.min(Decimal::MAX.mantissa() as u128) as i128, 0)
}

/// A calendar month, UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    /// 1..=12
    pub month: u8,
}

impl Month {
    pub fn new(year: i32, month: u8) -> Option<Month> {
        ((1..=12).contains(&month) && (1970..=9999).contains(&year))
            .then_some(Month { year, month })
    }

    pub fn days(self) -> u64 {
        match self.month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            _ if is_leap_year(self.year) => 29,
            _ => 28,
        }
    }

    /// Hours in the month from the calendar: a 31-day month has 744 hours (§2.1, WE1).
    pub fn hours(self) -> u64 {
        self.days() * HOURS_PER_DAY
    }

    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }
}

pub fn is_leap_year(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Month {
    type Err = String;
    fn from_str(s: &str) -> Result<Month, String> {
        let bad = || format!("expected a month as YYYY-MM, got {s:?}");
        let (y, m) = s.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let y: i32 = y.parse().map_err(|_| bad())?;
        let m: u8 = m.parse().map_err(|_| bad())?;
        Month::new(y, m).ok_or_else(bad)
    }
}

/// An amount of US dollars, exact (decimal, 28 significant digits), never rounded until display.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(pub Decimal);

/// The most any amount of money read or computed may be: $10^15, a million times the largest
/// cloud bills, with room below Decimal's 7.9e28 for every sum, annualisation and comparison
/// made with it. A price, line, total or budget past it is an input error (a typo or a hostile
/// file), reported as such instead of overflowing.
pub const MAX_USD: Decimal = Decimal::from_parts(2_764_472_320, 232_830, 0, false, 0);

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);

    pub fn usd(self) -> Decimal {
        self.0
    }

    /// Rounded to cents, half away from zero, as AWS shows line items.
    pub fn cents(self) -> Decimal {
        self.0
            .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
    }

    /// `$12,345.67`.
    pub fn display(self) -> String {
        format_usd(self.cents())
    }
}

/// Formats an amount already rounded to cents as `$12,345.67` (negative as `-$1.00`).
pub fn format_usd(v: Decimal) -> String {
    let neg = v.is_sign_negative() && !v.is_zero();
    let s = format!("{:.2}", v.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, "00"));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{}${grouped}.{frac}", if neg { "-" } else { "" })
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        self.0 += rhs.0;
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0 - rhs.0)
    }
}

impl Mul<Decimal> for Money {
    type Output = Money;
    fn mul(self, rhs: Decimal) -> Money {
        Money(self.0 * rhs)
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + b)
    }
}

/// Normalised decimal text for machine outputs: every digit kept (up to Decimal's 28
/// significant digits), trailing zeros removed. Deterministic for equal values.
pub fn decimal_text(v: Decimal) -> String {
    let s = v.normalize().to_string();
    if s == "-0" { "0".to_string() } else { s }
}

/// The calendar month (UTC) containing `t`.
pub fn month_of(t: Timestamp) -> Month {
    month_end(t).0
}

/// Each day's month from 1900 to 2200, for placing a time in its month with one lookup.
struct MonthTable {
    /// Months since January 1900 of each day since 1900-01-01.
    month_of_day: Vec<u16>,
    /// Days from 1900-01-01 to the first day of each month since January 1900, and of the
    /// month after the last.
    month_start_day: Vec<i64>,
}

/// Day number (since 1970-01-01) of 1900-01-01, where the table starts.
const TABLE_FIRST_DAY: i64 = -25_567;
/// Months in the table (1900-01 to 2199-12).
const TABLE_MONTHS: usize = 300 * 12;

fn month_table() -> &'static MonthTable {
    static TABLE: std::sync::OnceLock<MonthTable> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut month_start_day = Vec::with_capacity(TABLE_MONTHS + 1);
        let mut month_of_day = Vec::new();
        let mut day = 0;
        for i in 0..TABLE_MONTHS {
            let (y, m) = (1900 + (i / 12) as i64, (i % 12) as u32 + 1);
            month_start_day.push(day);
            let n = days_in_month(y, m) as usize;
            month_of_day.extend(std::iter::repeat_n(i as u16, n));
            day += n as i64;
        }
        month_start_day.push(day);
        MonthTable {
            month_of_day,
            month_start_day,
        }
    })
}

/// The month of `t` (UTC) and the seconds from `t` to its end: a table lookup for 1900–2199,
/// calendar arithmetic outside.
pub fn month_end(t: Timestamp) -> (Month, i64) {
    let day = t.day();
    let table = month_table();
    let found = usize::try_from(day - TABLE_FIRST_DAY).ok().and_then(|i| {
        let i = *table.month_of_day.get(i)?;
        let next = *table.month_start_day.get(i as usize + 1)?;
        Some((i, next))
    });
    if let Some((i, next)) = found {
        let month = Month {
            year: 1900 + (i / 12) as i32,
            month: (i % 12) as u8 + 1,
        };
        return (month, (next + TABLE_FIRST_DAY) * 86_400 - t.0);
    }
    let (y, m, d) = civil_from_days(day);
    let days_left = (days_in_month(y, m) - d + 1) as i64;
    let month = Month {
        year: y as i32,
        month: m as u8,
    };
    (month, (day + days_left) * 86_400 - t.0)
}

/// The first second of month `m` (UTC).
pub fn month_start(m: Month) -> Timestamp {
    Timestamp(days_from_civil(m.year as i64, m.month as u32, 1) * 86_400)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_end_matches_the_calendar() {
        // Every hour (and the seconds around it) from 1899 to 2201: the table's edges, the
        // calendar arithmetic past them, and the 1900, 2000 and 2100 leap-year exceptions.
        let (from, to) = (
            Timestamp::parse_rfc3339("1899-11-01T00:00:00Z").unwrap().0,
            Timestamp::parse_rfc3339("2201-03-01T00:00:00Z").unwrap().0,
        );
        for h in (from..to).step_by(3_600) {
            for x in [h - 1, h, h + 1, h + 1_799] {
                let x = Timestamp(x);
                let (y, mo, _) = civil_from_days(x.day());
                let m = Month {
                    year: y as i32,
                    month: mo as u8,
                };
                let want = (m, month_start(m.next()).0 - x.0);
                assert_eq!(month_end(x), want, "{x:?}");
            }
        }
    }

    #[test]
    fn month_hours_follow_the_calendar() {
        assert_eq!(Month::new(2026, 3).unwrap().hours(), 744);
        assert_eq!(Month::new(2026, 4).unwrap().hours(), 720);
        assert_eq!(Month::new(2026, 2).unwrap().hours(), 672);
        assert_eq!(Month::new(2028, 2).unwrap().hours(), 696);
        assert_eq!(Month::new(2100, 2).unwrap().hours(), 672);
        assert_eq!(Month::new(2000, 2).unwrap().hours(), 696);
    }

    #[test]
    fn month_parse_and_display_round_trip() {
        let m: Month = "2026-03".parse().unwrap();
        assert_eq!(m.to_string(), "2026-03");
        assert!("2026-13".parse::<Month>().is_err());
        assert!("2026-3".parse::<Month>().is_err());
        assert!("26-03".parse::<Month>().is_err());
        assert_eq!(Month::new(2026, 12).unwrap().next().to_string(), "2027-01");
    }

    #[test]
    fn gb_months_of_we1_is_exact() {
        // WE1: 100 GB for 15 days then 100 TB for 16 days of March: 52,900 GB-months.
        let bh: u128 = (100 * GIB as u128) * 15 * 24 + (100 * TIB as u128) * 16 * 24;
        assert_eq!(bh, 42_259_901_212_262_400);
        let gbm = decimal_from_u128(bh) / Decimal::from(GIB) / Decimal::from(744);
        assert_eq!(gbm, Decimal::from(52_900));
    }

    #[test]
    fn max_usd_is_ten_to_the_fifteenth() {
        assert_eq!(MAX_USD, Decimal::from(10u64.pow(15)));
    }

    #[test]
    fn usd_formatting_groups_thousands_and_rounds_half_away() {
        assert_eq!(Money(Decimal::new(1234567, 2)).display(), "$12,345.67");
        assert_eq!(Money(Decimal::new(248, 3)).display(), "$0.25");
        assert_eq!(Money(Decimal::new(245, 3)).display(), "$0.25");
        assert_eq!(Money(Decimal::new(244, 3)).display(), "$0.24");
        assert_eq!(Money(Decimal::new(100000000, 2)).display(), "$1,000,000.00");
        assert_eq!(Money(Decimal::new(-100, 2)).display(), "-$1.00");
        assert_eq!(Money::ZERO.display(), "$0.00");
    }

    #[test]
    fn decimal_text_is_normalised() {
        assert_eq!(decimal_text(Decimal::new(121500, 2)), "1215");
        assert_eq!(decimal_text(Decimal::new(-0, 2)), "0");
        assert_eq!(
            decimal_text(Decimal::ONE / Decimal::from(3)),
            "0.3333333333333333333333333333"
        );
        assert_eq!(
            decimal_text(Decimal::from(6144) / Decimal::from(1u64 << 30)),
            "0.0000057220458984375"
        );
    }
}
