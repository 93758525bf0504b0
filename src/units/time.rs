//! Time as integer seconds since the Unix epoch, UTC; civil-date conversions (proleptic
//! Gregorian, no time-zone database needed) and RFC 3339 text. Lifecycle timing rounds to the
//! next midnight UTC, so day arithmetic lives here too.

use std::fmt;

pub const SECONDS_PER_DAY: i64 = 86_400;

/// Seconds since 1970-01-01T00:00:00Z.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub i64);

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date (year, month, day) of a day number since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Days in month `m` (1–12) of year `y` (Gregorian).
pub(crate) fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// The first midnight UTC strictly after `t` when `t` is not itself a midnight, else `t`:
/// "adding the number of days specified in the rule to the object creation time and rounding
/// the resulting time to the next day midnight UTC" (s3-pricing-and-rules.md §2.5).
pub fn next_midnight_utc(t: Timestamp) -> Timestamp {
    let r = t.0.rem_euclid(SECONDS_PER_DAY);
    if r == 0 {
        t
    } else {
        Timestamp(t.0 - r + SECONDS_PER_DAY)
    }
}

impl Timestamp {
    /// From civil fields; `None` when a field is out of range.
    pub fn from_civil(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<Timestamp> {
        let ok = (1..=9999).contains(&y)
            && (1..=12).contains(&mo)
            && d >= 1
            && d <= days_in_month(y, mo)
            && h < 24
            && mi < 60
            && s < 61;
        ok.then(|| {
            Timestamp(
                days_from_civil(y, mo, d) * SECONDS_PER_DAY
                    + h as i64 * 3600
                    + mi as i64 * 60
                    + s.min(59) as i64,
            )
        })
    }

    /// Parses RFC 3339 / ISO 8601 date-times: `2026-03-01T12:00:00Z`, `…T12:00:00.123Z`,
    /// `…T12:00:00+02:00`, and a bare date `2026-03-01` (midnight UTC). Fractions of a second
    /// are dropped (costlab's clock is whole seconds).
    pub fn parse_rfc3339(s: &str) -> Option<Timestamp> {
        let b = s.as_bytes();
        // A fixed-width run of ASCII digits (at most 4 here, so no overflow).
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            b.get(r)?.iter().try_fold(0u32, |n, c| {
                c.is_ascii_digit().then(|| n * 10 + (c - b'0') as u32)
            })
        };
        if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let (y, mo, d) = (num(0..4)? as i64, num(5..7)?, num(8..10)?);
        if b.len() == 10 {
            return Timestamp::from_civil(y, mo, d, 0, 0, 0);
        }
        if !(b[10] == b'T' || b[10] == b't' || b[10] == b' ')
            || b.len() < 19
            || b[13] != b':'
            || b[16] != b':'
        {
            return None;
        }
        let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
        let mut i = 19;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let start = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == start {
                return None;
            }
        }
        let offset = match b.get(i) {
            Some(b'Z') | Some(b'z') if i + 1 == b.len() => 0,
            Some(sign @ (b'+' | b'-')) if b.len() == i + 6 && b[i + 3] == b':' => {
                let (oh, om) = (num(i + 1..i + 3)?, num(i + 4..i + 6)?);
                if oh > 23 || om > 59 {
                    return None;
                }
                let o = (oh * 3600 + om * 60) as i64;
                if *sign == b'+' { o } else { -o }
            }
            _ => return None,
        };
        let t = Timestamp::from_civil(y, mo, d, h, mi, sec)?;
        Some(Timestamp(t.0 - offset))
    }

    /// `2026-03-01T12:00:00Z`.
    pub fn rfc3339(self) -> String {
        self.to_string()
    }

    pub fn day(self) -> i64 {
        self.0.div_euclid(SECONDS_PER_DAY)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = civil_from_days(self.day());
        let r = self.0.rem_euclid(SECONDS_PER_DAY);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            r / 3600,
            r % 3600 / 60,
            r % 60
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trips() {
        for z in [-800_000i64, -1, 0, 1, 59, 60, 10_957, 20_513, 2_932_896] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(civil_from_days(20_513), (2026, 3, 1));
    }

    #[test]
    fn rfc3339_parses_offsets_fractions_and_dates() {
        let t = Timestamp::parse_rfc3339("2026-03-01T12:00:00Z").unwrap();
        assert_eq!(t.to_string(), "2026-03-01T12:00:00Z");
        assert_eq!(
            Timestamp::parse_rfc3339("2026-03-01T14:30:00.123+02:30")
                .unwrap()
                .to_string(),
            "2026-03-01T12:00:00Z"
        );
        assert_eq!(
            Timestamp::parse_rfc3339("2026-03-01T00:30:00-01:00")
                .unwrap()
                .to_string(),
            "2026-03-01T01:30:00Z"
        );
        assert_eq!(
            Timestamp::parse_rfc3339("2026-03-01").unwrap().to_string(),
            "2026-03-01T00:00:00Z"
        );
        for bad in [
            "2026-02-30T00:00:00Z",
            "2026-03-01T24:00:00Z",
            "2026-03-01T00:00:00",
            "2026-3-01",
            "",
            "2026-03-01T00:00:00.Z",
            "2026-03-01T00:00:00+0200",
            "2026-0a-01T00:00:00Z",
            "2026-03-01T0:000:00Z",
            "+026-03-01T00:00:00Z",
            "2026-03-01T00:00:-1Z",
            "2026-03-01T00:00:00+0a:00",
        ] {
            assert!(Timestamp::parse_rfc3339(bad).is_none(), "{bad}");
        }
        // Every 7,919 s over 1999-2101 prints and parses back, with and without a fraction.
        for t in (Timestamp::from_civil(1999, 1, 1, 0, 0, 0).unwrap().0..4_133_894_400)
            .step_by(7_919)
            .map(Timestamp)
        {
            let text = t.to_string();
            assert_eq!(Timestamp::parse_rfc3339(&text), Some(t), "{text}");
            let millis = text.replace('Z', ".000Z");
            assert_eq!(Timestamp::parse_rfc3339(&millis), Some(t), "{millis}");
        }
    }

    #[test]
    fn lifecycle_midnight_rounding() {
        let just_before = Timestamp::parse_rfc3339("2026-03-01T23:59:59Z").unwrap();
        assert_eq!(
            next_midnight_utc(just_before).to_string(),
            "2026-03-02T00:00:00Z"
        );
        let midnight = Timestamp::parse_rfc3339("2026-03-02T00:00:00Z").unwrap();
        assert_eq!(next_midnight_utc(midnight), midnight);
        let just_after = Timestamp::parse_rfc3339("2026-03-02T00:00:01Z").unwrap();
        assert_eq!(
            next_midnight_utc(just_after).to_string(),
            "2026-03-03T00:00:00Z"
        );
    }
}
