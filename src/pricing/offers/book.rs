//! Writes imported prices as a price book in costlab's own TOML format (docs/pricing-file.md),
//! so every code path that reads the bundled books reads it. Every table names the offer file
//! it came from: `source`, `effective_date` (the publication date), `offer`, `version`,
//! `published`, `url`; every price is `confirmed`. The billing rules, which no offer file
//! holds, are copied from the built-in us-east-1 book with their own sources.

use std::collections::BTreeMap;
use std::fmt::Write;

use rust_decimal::Decimal;

use super::{Found, Importer, OfferError, offer_url};
use crate::pricing::{PriceBook, PricePath, Value};
use crate::units::decimal_text;

/// The TOML text of a table path or key segment list.
fn key_text(segs: &[String]) -> String {
    PricePath(segs.to_vec()).to_string()
}

fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn value_toml(v: &Value, free: Option<Decimal>) -> String {
    let bands = |ts: &[crate::pricing::Tier]| {
        let parts: Vec<String> = ts
            .iter()
            .map(|t| match t.up_to {
                Some(u) => format!(
                    "{{ up_to = {}, usd = {} }}",
                    decimal_text(u),
                    decimal_text(t.usd)
                ),
                None => format!("{{ usd = {} }}", decimal_text(t.usd)),
            })
            .collect();
        format!("[{}]", parts.join(", "))
    };
    match (v, free) {
        (Value::Flat(d), None) => decimal_text(*d),
        (Value::Bool(b), _) => b.to_string(),
        (Value::Tiers(ts), None) => bands(ts),
        (Value::Flat(d), Some(a)) => format!(
            "{{ free_allowance = {}, usd = {} }}",
            decimal_text(a),
            decimal_text(*d)
        ),
        (Value::Tiers(ts), Some(a)) => format!(
            "{{ free_allowance = {}, tiers = {} }}",
            decimal_text(a),
            bands(ts)
        ),
    }
}

/// Where an entry is written: its table and its key inside the table. `ec2.specs` facts go
/// in one table as `"TYPE".vcpu = N`; everything else in the table of its parent path.
fn place(path: &PricePath) -> (Vec<String>, Vec<String>) {
    let segs = &path.0;
    if path.starts_with(&["ec2", "specs"]) && segs.len() > 2 {
        return (segs[..2].to_vec(), segs[2..].to_vec());
    }
    let n = segs.len();
    (segs[..n - 1].to_vec(), segs[n - 1..].to_vec())
}

/// The date part of an RFC 3339 time (`2024-05-28T20:35:22Z` → `2024-05-28`).
fn date_of(published: &str) -> Option<String> {
    let d = published.get(..10)?;
    let ok = d.len() == 10
        && d.char_indices().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
    ok.then(|| d.to_string())
}

/// The book's TOML text. `rules` is the book whose billing rules are copied (the built-in
/// us-east-1 book): only rules whose prices the import has, so the book loads.
pub fn to_toml(imp: &Importer, rules: &PriceBook) -> Result<String, OfferError> {
    let region = imp.region();
    let mut out = String::new();
    let pubs: Vec<String> = imp
        .offers
        .iter()
        .map(|o| {
            format!(
                "{} {} (published {})",
                o.offer_code.as_deref().unwrap_or("?"),
                o.version.as_deref().unwrap_or("?"),
                o.published.as_deref().unwrap_or("?")
            )
        })
        .collect();
    let latest = imp
        .offers
        .iter()
        .filter_map(|o| o.published.as_deref().and_then(date_of))
        .max()
        .unwrap_or_else(|| "1970-01-01".into());
    let _ = writeln!(
        out,
        "# costlab price book for {region}, imported from AWS Price List offer files by\n\
         # `costlab pricing import` (docs/pricing-file.md). Every price below is the offer file's,\n\
         # converted to the key's unit; each table names the offer file, version, publication and URL.\n\
         # The billing rules at the end are not in any offer file: they are copied from costlab's\n\
         # built-in us-east-1 book, with its sources.\n"
    );
    let _ = writeln!(out, "schema_version = 1");
    let _ = writeln!(out, "region = {}", quote(region.as_str()));
    let _ = writeln!(out, "currency = \"USD\"");
    let _ = writeln!(
        out,
        "source = {}",
        quote(&format!("AWS Price List offer files: {}", pubs.join("; ")))
    );
    let _ = writeln!(out, "effective_date = {}", quote(&latest));

    // Group the prices by table; one table holds one offer file's prices.
    let mut tables: BTreeMap<Vec<String>, Vec<(Vec<String>, &Found)>> = BTreeMap::new();
    for (path, f) in &imp.found {
        let (t, k) = place(path);
        tables.entry(t).or_default().push((k, f));
    }
    for (t, rows) in &tables {
        let offer = rows[0].1.offer;
        if let Some((k, other)) = rows.iter().find(|(_, f)| f.offer != offer) {
            let name = |o: usize| {
                imp.offers
                    .get(o)
                    .map(|m| m.file.clone())
                    .unwrap_or_default()
            };
            return Err(OfferError::Input(format!(
                "table [{}] would hold prices from two offer files ({} and {}, key {}): import them apart",
                key_text(t),
                name(offer),
                name(other.offer),
                key_text(k)
            )));
        }
        let meta = &imp.offers[offer];
        let code = meta
            .offer_code
            .as_deref()
            .unwrap_or("AWSComputeSavingsPlan");
        let version = meta.version.as_deref().unwrap_or("");
        let published = meta.published.as_deref().unwrap_or("");
        let url = offer_url(meta, region);
        let _ = writeln!(out, "\n[{}]", key_text(t));
        let _ = writeln!(
            out,
            "source = {}",
            quote(&format!(
                "AWS Price List offer file {code} version {version} (published {published}), {url}; read from {}",
                meta.file
            ))
        );
        let _ = writeln!(
            out,
            "effective_date = {}",
            quote(&date_of(published).unwrap_or_else(|| latest.clone()))
        );
        let _ = writeln!(out, "confidence = \"confirmed\"");
        let _ = writeln!(out, "offer = {}", quote(code));
        let _ = writeln!(out, "version = {}", quote(version));
        let _ = writeln!(out, "published = {}", quote(published));
        let _ = writeln!(out, "url = {}", quote(&url));
        for (k, f) in rows {
            let _ = writeln!(
                out,
                "{} = {}",
                key_text(k),
                value_toml(&f.value, f.free_allowance)
            );
        }
    }
    write_rules(&mut out, imp, rules);
    Ok(out)
}

/// The billing rules of `rules` (s3.rules, compute.rules) that the imported prices allow:
/// a rule that bills at a storage price is copied only when that price was imported.
fn write_rules(out: &mut String, imp: &Importer, rules: &PriceBook) {
    let has = |segs: &[&str]| {
        imp.found
            .contains_key(&PricePath::new(segs.iter().copied()))
    };
    type Rows = Vec<(Vec<String>, String)>;
    let mut tables: BTreeMap<(usize, Vec<String>), Rows> = BTreeMap::new();
    for (path, e) in &rules.entries {
        let s: Vec<&str> = path.0.iter().map(String::as_str).collect();
        let keep = match s.as_slice() {
            [
                "s3",
                "rules",
                "minimum_storage_days" | "minimum_billable_bytes",
                class,
            ] => *class == "INTELLIGENT_TIERING" || has(&["s3", "storage", class]),
            ["s3", "rules", "archive_overhead", tier @ ..] => {
                let mut p = vec!["s3", "storage"];
                p.extend(tier);
                has(&p) && has(&["s3", "storage", "STANDARD"])
            }
            ["s3", "rules", ..] | ["compute", "rules", ..] => true,
            _ => false,
        };
        if keep {
            let (t, k) = place(path);
            tables
                .entry((e.table, t))
                .or_default()
                .push((k, value_toml(&e.value, None)));
        }
    }
    for ((ti, t), rows) in tables {
        let meta = rules.tables.get(ti);
        let _ = writeln!(out, "\n[{}]", key_text(&t));
        let src = meta.map(|m| m.source.as_str()).unwrap_or("costlab");
        let _ = writeln!(
            out,
            "source = {}",
            quote(&format!(
                "costlab billing rules (in no offer file), copied from {}: {src}",
                rules
                    .files
                    .first()
                    .map(String::as_str)
                    .unwrap_or("the built-in book")
            ))
        );
        let _ = writeln!(
            out,
            "effective_date = {}",
            quote(meta.map(|m| m.effective_date.as_str()).unwrap_or("2025"))
        );
        if let Some(m) = meta {
            let _ = writeln!(out, "confidence = {}", quote(m.confidence.as_str()));
        }
        for (k, v) in rows {
            let _ = writeln!(out, "{} = {v}", key_text(&k));
        }
    }
}
