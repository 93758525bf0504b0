//! Price books and their differences written out (`costlab pricing show`, `pricing diff`): a
//! text table for people, JSON for machines, each price with its unit, source and date.

use super::diff::{Change, KeyChange};
use super::{Entry, EntryKind, PriceBook, PricePath, Value, schema_kind};
use crate::units::decimal_text;
use serde_json::json;
use std::io::Write;

/// Which publication a book is: its offer files' labels, else its source and date.
fn publication(b: &PriceBook) -> String {
    let p = b.publications();
    if p.is_empty() {
        format!("{} ({})", b.source, b.effective_date)
    } else {
        p.iter().map(|p| p.label()).collect::<Vec<_>>().join(", ")
    }
}

/// The changes between two books as JSON.
pub fn diff_json(old: &PriceBook, new: &PriceBook, changes: &[KeyChange]) -> Vec<u8> {
    let mut buf: Vec<u8> = Vec::new();
    let rows: Vec<_> = changes
        .iter()
        .map(|c| {
            let (what, o, n) = match &c.change {
                Change::Changed { old, new } => {
                    ("changed", Some(value_text(old)), Some(value_text(new)))
                }
                Change::Appeared { new } => ("appeared", None, Some(value_text(new))),
                Change::Vanished { old } => ("vanished", Some(value_text(old)), None),
            };
            json!({
                "key": c.key.to_string(),
                "change": what,
                "old": o,
                "new": n,
                "unit": unit_text(schema_kind(&c.key)),
                "old_source": c.old_source,
                "new_source": c.new_source,
            })
        })
        .collect();
    let doc = json!({
        "schema_version": 1,
        "old": { "region": old.region.as_str(), "files": old.files, "publication": publication(old) },
        "new": { "region": new.region.as_str(), "files": new.files, "publication": publication(new) },
        "changes": rows,
    });
    let _ = serde_json::to_writer_pretty(&mut buf, &doc);
    buf.push(b'\n');
    buf
}

/// The changes between two books as a text table (keys escaped for the terminal).
pub fn diff_table(old: &PriceBook, new: &PriceBook, changes: &[KeyChange]) -> Vec<u8> {
    let mut buf: Vec<u8> = Vec::new();
    let _ = writeln!(buf, "old: {} {}", old.region, publication(old));
    let _ = writeln!(buf, "new: {} {}", new.region, publication(new));
    let count = |f: fn(&Change) -> bool| changes.iter().filter(|c| f(&c.change)).count();
    let _ = writeln!(
        buf,
        "{} changed, {} appeared, {} vanished",
        count(|c| matches!(c, Change::Changed { .. })),
        count(|c| matches!(c, Change::Appeared { .. })),
        count(|c| matches!(c, Change::Vanished { .. }))
    );
    for c in changes {
        let line = match &c.change {
            Change::Changed { old, new } => format!(
                "changed   {}  {} -> {}  {}",
                c.key,
                value_text(old),
                value_text(new),
                unit_text(schema_kind(&c.key))
            ),
            Change::Appeared { new } => format!(
                "appeared  {}  {}  {}",
                c.key,
                value_text(new),
                unit_text(schema_kind(&c.key))
            ),
            Change::Vanished { old } => format!(
                "vanished  {}  {}  {}",
                c.key,
                value_text(old),
                unit_text(schema_kind(&c.key))
            ),
        };
        let _ = writeln!(buf, "{}", crate::output::escape::terminal(&line));
    }
    buf
}

/// A book's entries (`rows`, filtered by the caller) as JSON.
pub fn show_json(book: &PriceBook, rows: &[(&PricePath, &Entry)]) -> Vec<u8> {
    let mut buf: Vec<u8> = Vec::new();
    let entries: Vec<_> = rows
        .iter()
        .map(|(p, e)| {
            let t = book.table_of(e);
            json!({
                "key": p.to_string(),
                "value": value_text(&e.value),
                "unit": unit_text(schema_kind(p)),
                "free_allowance": e.free_allowance.map(decimal_text),
                "confidence": e.confidence.as_str(),
                "note": e.note,
                "source": t.source,
                "effective_date": t.effective_date,
                "file": e.origin.file,
                "line": e.origin.line,
            })
        })
        .collect();
    let doc = json!({
        "schema_version": 1,
        "region": book.region.as_str(),
        "source": book.source,
        "effective_date": book.effective_date,
        "files": book.files,
        "publications": book.publications().iter().map(|p| json!({
            "offer": p.offer, "version": p.version, "published": p.published, "url": p.url,
        })).collect::<Vec<_>>(),
        "entries": entries,
    });
    let _ = serde_json::to_writer_pretty(&mut buf, &doc);
    buf.push(b'\n');
    buf
}

/// A book's entries as a text table: key, value, unit, confidence, table and date.
pub fn show_table(book: &PriceBook, rows: &[(&PricePath, &Entry)]) -> Vec<u8> {
    let mut buf: Vec<u8> = Vec::new();
    let w = rows
        .iter()
        .map(|(p, _)| p.to_string().chars().count())
        .max()
        .unwrap_or(0);
    let vw = rows
        .iter()
        .map(|(_, e)| value_text(&e.value).chars().count())
        .max()
        .unwrap_or(0);
    let _ = writeln!(
        buf,
        "{} price book: {} (effective {})",
        book.region,
        book.files.join(" <- "),
        book.effective_date
    );
    for p in book.publications() {
        let _ = writeln!(buf, "  from {} {}", p.label(), p.url);
    }
    // Padded by hand: a `{:<w$}` width past 65,535 panics, and a hostile book's
    // values (thousands of bands) can be that long.
    let pad = |s: String, w: usize, left: bool| {
        let fill = " ".repeat(w.saturating_sub(s.chars().count()));
        if left { s + &fill } else { fill + &s }
    };
    for (p, e) in rows {
        let t = book.table_of(e);
        let allowance = e
            .free_allowance
            .map(|a| format!(" (first {} free)", decimal_text(a)))
            .unwrap_or_default();
        let conf = if e.confidence == crate::pricing::Confidence::Confirmed {
            String::new()
        } else {
            format!(" [{}]", e.confidence.as_str())
        };
        // Keys, notes and paths come from pricing files: no control character reaches the
        // terminal.
        let line = format!(
            "{}  {}  {}{allowance}{conf}  ({}, {})",
            pad(p.to_string(), w, true),
            pad(value_text(&e.value), vw, false),
            unit_text(schema_kind(p)),
            t.path,
            t.effective_date,
        );
        let _ = writeln!(buf, "{}", crate::output::escape::terminal(&line));
    }
    buf
}

/// A price as text: a flat amount, a yes/no rule, or its bands.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::Flat(d) => decimal_text(*d),
        Value::Bool(b) => b.to_string(),
        Value::Tiers(ts) => ts
            .iter()
            .map(|t| match t.up_to {
                Some(u) => format!("{} up to {}", decimal_text(t.usd), decimal_text(u)),
                None => format!("{} beyond", decimal_text(t.usd)),
            })
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// What a key's value is in: `USD per GB-Mo`, `USD per 1000 Requests`, or a fact's unit.
pub fn unit_text(kind: Option<EntryKind>) -> String {
    match kind {
        Some(EntryKind::Price { unit, per: 1, .. }) => format!("USD per {}", unit.as_str()),
        Some(EntryKind::Price { unit, per, .. }) => format!("USD per {per} {}", unit.as_str()),
        Some(EntryKind::Fact { unit }) => unit.as_str().to_string(),
        None => String::new(),
    }
}
