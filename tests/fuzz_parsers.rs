//! No input may panic the readers: arbitrary bytes, and mutations of real fixtures (numbers
//! replaced by extremes, lines dropped or duplicated), through the usage-file reader and the
//! pricing loader. Every failure must be an error value naming a file.

use costlab::aws::Region;
use costlab::meter::read_usage_file;
use costlab::pricing::{Catalog, PriceBook};
use proptest::prelude::*;
use std::sync::OnceLock;

fn rules() -> &'static costlab::rules::BillingRules {
    static R: OnceLock<costlab::rules::BillingRules> = OnceLock::new();
    R.get_or_init(|| {
        Catalog::open(None, Some("us-east-1"))
            .unwrap()
            .home()
            .rules
            .clone()
    })
}

fn fixtures() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/usage");
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    v.sort();
    v
}

fn book_text() -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("pricing/aws-us-east-1.toml"),
    )
    .unwrap()
}

const EXTREMES: &[&str] = &[
    "-1",
    "0",
    "1e400",
    "1e-400",
    "99999999999999999999999999999999",
    "7.9e28",
    "1e28",
    "\"x\"",
    "-0.0",
    "nan",
    "inf",
    "1_0",
    "0x10",
    "[]",
    "{}",
    "true",
    "\"2026-13\"",
    "1e15",
    "18446744073709551616",
];

/// Replaces the `k`-th number in `text` by an extreme literal, drops line `drop`, duplicates
/// line `dup`.
fn mutate(text: &str, k: usize, lit: &str, drop: usize, dup: usize) -> String {
    let mut out = String::new();
    let mut seen = 0;
    for (i, line) in text.lines().enumerate() {
        if i == drop {
            continue;
        }
        let mut l = String::new();
        let mut chars = line.char_indices().peekable();
        while let Some((_, c)) = chars.next() {
            if c.is_ascii_digit()
                && !l.ends_with(|p: char| p.is_ascii_alphanumeric() || p == '.' || p == '-')
            {
                let mut num = c.to_string();
                while let Some((_, n)) = chars.peek() {
                    if n.is_ascii_digit() || *n == '.' || *n == '_' {
                        num.push(*n);
                        chars.next();
                    } else {
                        break;
                    }
                }
                seen += 1;
                l.push_str(if seen == k { lit } else { &num });
            } else {
                l.push(c);
            }
        }
        out.push_str(&l);
        out.push('\n');
        if i == dup {
            out.push_str(&l);
            out.push('\n');
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn usage_reader_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = read_usage_file("fuzz.toml", &text, rules(), &Region::parse("us-east-1").unwrap());
    }

    #[test]
    fn usage_reader_never_panics_on_mutated_fixtures(f in 0usize..64, k in 0usize..40, e in 0usize..EXTREMES.len(), drop in 0usize..60, dup in 0usize..60) {
        let fx = fixtures();
        let text = mutate(&fx[f % fx.len()], k, EXTREMES[e], drop, dup);
        if let Ok(u) = read_usage_file("fuzz.toml", &text, rules(), &Region::parse("us-east-1").unwrap()) {
            // What reads must also rate (or fail with an error), never panic.
            let mut c = Catalog::open(None, Some("us-east-1")).unwrap();
            for r in u.regions() {
                if c.ensure(&r).is_err() {
                    return Ok(());
                }
            }
            let _ = costlab::cost::rate(&u, &c, &Default::default());
        }
    }

    #[test]
    fn pricing_loader_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = PriceBook::from_text("fuzz.toml", &text);
    }

    #[test]
    fn pricing_loader_never_panics_on_mutated_book(k in 0usize..600, e in 0usize..EXTREMES.len(), drop in 0usize..400, dup in 0usize..400) {
        let text = mutate(&book_text(), k, EXTREMES[e], drop, dup);
        match PriceBook::from_text("fuzz.toml", &text) {
            Ok(_) => {}
            Err(err) => prop_assert!(err.to_string().contains("fuzz.toml") || err.to_string().contains("built in")),
        }
    }
}

#[test]
fn the_unmutated_book_loads_from_text() {
    let b = PriceBook::from_text("book.toml", &book_text()).unwrap();
    assert_eq!(b.region.as_str(), "us-east-1");
    assert!(b.entries.len() > 250, "{}", b.entries.len());
}

#[test]
fn the_mutator_mutates() {
    assert_eq!(
        mutate("a = 12\nb = 3.5\n", 1, "-1", 99, 99),
        "a = -1\nb = 3.5\n"
    );
    assert_eq!(
        mutate("a = 12\nb = 3.5\n", 1, "1e400", 0, 99),
        "b = 1e400\n"
    );
    assert_eq!(mutate("x1 = 1\n", 1, "7", 99, 0), "x1 = 7\nx1 = 7\n");
}
