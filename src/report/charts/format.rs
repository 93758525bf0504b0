//! Number, money, byte and date formatting for labels and axis ticks.

use crate::units::{GIB, KIB, MIB, TIB, civil_from_days};

/// Formats dollars as `$12,345.67` (rounded half away from zero to cents; negative as
/// `-$1.00`; NaN or infinite as `n/a`). The full form used in value labels.
pub fn format_usd_f64(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".to_string();
    }
    // `as` saturates; above ~1.7e36 dollars the cents are meaningless anyway.
    let cents = (v.abs() * 100.0).round() as u128;
    let neg = v < 0.0 && cents > 0;
    format!(
        "{}${}.{:02}",
        if neg { "-" } else { "" },
        group_thousands(cents / 100),
        cents % 100
    )
}

/// Formats dollars compactly for axis ticks: `$0`, `$950`, `$2.50`, `$12.3k`, `$1.25M`, `$4B`
/// (three significant digits, trailing zeros dropped; negative as `-$12.3k`).
pub fn format_usd_short(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".to_string();
    }
    let a = v.abs();
    let body = if round_to(a, 2) < 1000.0 {
        if (a - a.round()).abs() < 0.005 {
            format!("{:.0}", a)
        } else {
            format!("{:.2}", a)
        }
    } else {
        abbreviate(a)
    };
    let neg = v < 0.0 && body.chars().any(|c| c.is_ascii_digit() && c != '0');
    format!("{}${body}", if neg { "-" } else { "" })
}

/// Formats a count compactly: `950`, `2.5`, `12.3k`, `1.5M`, `4.2B`.
pub fn format_count_short(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".to_string();
    }
    let a = v.abs();
    let body = if round_to(a, 1) < 1000.0 {
        trim_zeros(format!("{:.1}", a))
    } else {
        abbreviate(a)
    };
    let neg = v < 0.0 && body.chars().any(|c| c.is_ascii_digit() && c != '0');
    format!("{}{body}", if neg { "-" } else { "" })
}

/// Formats a byte count in binary units with three significant digits: `512 B`, `1.5 KiB`,
/// `12.3 GiB`, `1.02 TiB`, `2 PiB`.
pub fn format_bytes(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".to_string();
    }
    let (div, unit) = byte_unit(v.abs());
    let s = sig3(v.abs() / div);
    format!("{}{s} {unit}", if v < 0.0 { "-" } else { "" })
}

/// Formats a fraction as a percentage with one decimal: `0.234` → `23.4%`.
pub fn format_percent(fraction: f64) -> String {
    if !fraction.is_finite() {
        return "n/a".to_string();
    }
    let p = round_to(fraction * 100.0, 1);
    let p = if p == 0.0 { 0.0 } else { p }; // no "-0.0%"
    format!("{p:.1}%")
}

/// The binary unit (divisor, name) that shows `max_bytes` with at most four integer digits.
pub(crate) fn byte_unit(max_bytes: f64) -> (f64, &'static str) {
    const PIB: f64 = (TIB as f64) * 1024.0;
    if max_bytes >= PIB {
        (PIB, "PiB")
    } else if max_bytes >= TIB as f64 {
        (TIB as f64, "TiB")
    } else if max_bytes >= GIB as f64 {
        (GIB as f64, "GiB")
    } else if max_bytes >= MIB as f64 {
        (MIB as f64, "MiB")
    } else if max_bytes >= KIB as f64 {
        (KIB as f64, "KiB")
    } else {
        (1.0, "B")
    }
}

/// `YYYY-MM-DD` of a Unix time in seconds (UTC).
pub(crate) fn ymd(epoch_secs: i64) -> String {
    let (y, m, d) = civil_from_days(epoch_secs.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// `Mon 03 Feb` style day label of a Unix time in seconds (UTC).
pub(crate) fn weekday_day(epoch_secs: i64) -> String {
    const WD: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MO: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = epoch_secs.div_euclid(86_400);
    let (_, m, d) = civil_from_days(days);
    let wd = WD[days.rem_euclid(7) as usize];
    let mo = MO[(m.clamp(1, 12) - 1) as usize];
    format!("{wd} {d:02} {mo}")
}

fn abbreviate(a: f64) -> String {
    const UNITS: [(f64, &str); 4] = [(1e3, "k"), (1e6, "M"), (1e9, "B"), (1e12, "T")];
    for (div, suffix) in UNITS {
        let s = sig3(a / div);
        if s.parse::<f64>().is_ok_and(|x| x < 1000.0) || suffix == "T" {
            return format!("{s}{suffix}");
        }
    }
    format!("{}T", sig3(a / 1e12))
}

/// Three significant digits (for values ≥ 1), trailing zeros dropped.
fn sig3(x: f64) -> String {
    let d = if x >= 100.0 {
        0
    } else if x >= 10.0 {
        1
    } else {
        2
    };
    trim_zeros(format!("{x:.d$}"))
}

fn trim_zeros(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

fn round_to(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}

fn group_thousands(n: u128) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usd_full() {
        assert_eq!(format_usd_f64(12_345.67), "$12,345.67");
        assert_eq!(format_usd_f64(0.0), "$0.00");
        assert_eq!(format_usd_f64(-0.001), "$0.00");
        assert_eq!(format_usd_f64(-1.0), "-$1.00");
        assert_eq!(format_usd_f64(999.995), "$1,000.00");
        assert_eq!(format_usd_f64(1_234_567_890.1), "$1,234,567,890.10");
        assert_eq!(format_usd_f64(0.5), "$0.50");
        assert_eq!(format_usd_f64(f64::NAN), "n/a");
        assert_eq!(format_usd_f64(f64::INFINITY), "n/a");
    }

    #[test]
    fn usd_short() {
        assert_eq!(format_usd_short(0.0), "$0");
        assert_eq!(format_usd_short(950.0), "$950");
        assert_eq!(format_usd_short(2.5), "$2.50");
        assert_eq!(format_usd_short(1_000.0), "$1k");
        assert_eq!(format_usd_short(1_250.0), "$1.25k");
        assert_eq!(format_usd_short(12_345.0), "$12.3k");
        assert_eq!(format_usd_short(123_456.0), "$123k");
        assert_eq!(format_usd_short(999_999.0), "$1M");
        assert_eq!(format_usd_short(1_500_000.0), "$1.5M");
        assert_eq!(format_usd_short(4e9), "$4B");
        assert_eq!(format_usd_short(-12_345.0), "-$12.3k");
        assert_eq!(format_usd_short(-0.001), "$0");
        assert_eq!(format_usd_short(f64::NAN), "n/a");
    }

    #[test]
    fn counts_bytes_percent() {
        assert_eq!(format_count_short(950.0), "950");
        assert_eq!(format_count_short(2.5), "2.5");
        assert_eq!(format_count_short(12_300.0), "12.3k");
        assert_eq!(format_count_short(1.5e6), "1.5M");
        assert_eq!(format_bytes(512.0), "512 B");
        assert_eq!(format_bytes(1.5 * GIB as f64), "1.5 GiB");
        assert_eq!(format_bytes(10.0 * TIB as f64), "10 TiB");
        assert_eq!(format_bytes(1023.9 * GIB as f64), "1024 GiB");
        assert_eq!(format_percent(0.234), "23.4%");
        assert_eq!(format_percent(-0.0001), "0.0%");
        assert_eq!(format_percent(-0.05), "-5.0%");
    }

    #[test]
    fn dates() {
        assert_eq!(ymd(0), "1970-01-01");
        assert_eq!(weekday_day(0), "Thu 01 Jan");
        // 2025-02-03 was a Monday.
        assert_eq!(weekday_day(1_738_540_800), "Mon 03 Feb");
    }
}
