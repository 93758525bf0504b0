//! Usage files (`costlab estimate`) and price books (`pricing/*.toml`): arbitrary bytes and
//! mutated fixtures through `read_usage_file` (then rated) and `PriceBook::from_text`.
//!
//! Bounds: 32 MiB + 64 bytes per input byte. A TOML document is held as a tree of
//! `toml_edit` items (about 30 bytes per input byte measured on the price book) next to the
//! typed book; the catalog rating a usage file holds the built-in book (~2 MiB).

use crate::harness::{Bound, MIB, TOML_MAX, config, names_file, repo, run_case};
use crate::mutate::{edits, mutated};
use costlab::aws::Region;
use costlab::meter::read_usage_file;
use costlab::pricing::{Catalog, PriceBook};
use proptest::prelude::*;
use std::sync::OnceLock;

const BOUND: Bound = Bound {
    fixed: 32 * MIB,
    per_byte: 64,
};

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

fn fixtures() -> &'static [Vec<u8>] {
    static F: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    F.get_or_init(|| {
        let mut v: Vec<(std::path::PathBuf, Vec<u8>)> = std::fs::read_dir(repo("tests/usage"))
            .unwrap()
            .map(|e| {
                let p = e.unwrap().path();
                let b = std::fs::read(&p).unwrap();
                (p, b)
            })
            .collect();
        v.sort();
        v.into_iter().map(|(_, b)| b).collect()
    })
}

fn book_text() -> &'static [u8] {
    static B: OnceLock<Vec<u8>> = OnceLock::new();
    B.get_or_init(|| std::fs::read(repo("pricing/aws-us-east-1.toml")).unwrap())
}

/// Reads a usage file and rates what it reads; an error must name the file.
fn usage_case(input: Vec<u8>) {
    let text = String::from_utf8_lossy(&input).into_owned();
    let rules = rules().clone();
    run_case("usage-file", &input, BOUND, move || {
        let region = Region::parse("us-east-1").unwrap();
        match read_usage_file("fuzz.toml", &text, &rules, &region) {
            Err(e) => names_file("usage-file", "fuzz.toml", &e.to_string()),
            Ok(u) => {
                // What reads must also rate (or fail with an error), never panic.
                let mut c = Catalog::open(None, Some("us-east-1")).map_err(|e| e.to_string())?;
                for r in u.regions() {
                    if c.ensure(&r).is_err() {
                        return Ok(());
                    }
                }
                let _ = costlab::cost::rate(&u, &c, &Default::default());
                Ok(())
            }
        }
    });
}

fn pricing_case(input: Vec<u8>) {
    let text = String::from_utf8_lossy(&input).into_owned();
    run_case(
        "price-book",
        &input,
        BOUND,
        move || match PriceBook::from_text("fuzz.toml", &text) {
            Ok(_) => Ok(()),
            Err(e) if e.to_string().contains("built in") => Ok(()),
            Err(e) => names_file("price-book", "fuzz.toml", &e.to_string()),
        },
    );
}

proptest! {
    #![proptest_config(config(150))]

    #[test]
    fn usage_reader_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        usage_case(bytes);
    }

    #[test]
    fn usage_reader_on_mutated_fixtures(f in 0usize..64, e in edits()) {
        let fx = fixtures();
        let input = mutated(&fx[f % fx.len()], &e);
        prop_assume!(input.len() <= TOML_MAX);
        usage_case(input);
    }

    #[test]
    fn pricing_loader_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        pricing_case(bytes);
    }
}

proptest! {
    // The book is 50 kB: each case parses all of it.
    #![proptest_config(config(60))]

    #[test]
    fn pricing_loader_on_mutated_book(e in edits()) {
        let input = mutated(book_text(), &e);
        prop_assume!(input.len() <= TOML_MAX);
        pricing_case(input);
    }
}

#[test]
fn the_unmutated_book_loads_from_text() {
    let b = PriceBook::from_text("book.toml", std::str::from_utf8(book_text()).unwrap()).unwrap();
    assert_eq!(b.region.as_str(), "us-east-1");
    assert!(b.entries.len() > 250, "{}", b.entries.len());
}

/// Found by `pricing_loader_on_mutated_book` (20× run): a 200 KB comment on the book's first
/// lines made loading it take 5 s in a debug build (0.25 s with the comment at the end): every
/// value's line was found by counting line ends from the start of the text. Lines are found by
/// binary search over the line ends now (`tomlx::Doc`).
#[test]
fn a_long_comment_before_the_prices_does_not_slow_the_book() {
    let book = std::str::from_utf8(book_text()).unwrap();
    let text = format!("#{}\n{book}", ")".repeat(256 << 10));
    pricing_case(text.into_bytes());
    let e = PriceBook::from_text(
        "late.toml",
        &format!(
            "#{}\n{}",
            "x".repeat(100_000),
            book.replacen("[s3", "[s3x", 1)
        ),
    )
    .unwrap_err()
    .to_string();
    // Lines are still those of the text: the book's first table is on line 2 + its own line.
    let line = book.lines().position(|l| l.starts_with("[s3")).unwrap() + 2;
    assert!(e.starts_with(&format!("late.toml:{line}: ")), "{e}");
}
