//! A `Summary` of access logs written out (`costlab logs stats`): JSON for machines, a text
//! table for people (operation names and key prefixes, which requesters choose, escaped).

use super::reader::SkipLog;
use super::stats::Summary;
use crate::output::escape::terminal;
use serde_json::{Map, Value, json};
use std::io::Write;

fn share(n: u64, of: u64) -> Value {
    if of == 0 {
        Value::Null
    } else {
        json!(((n as f64 / of as f64) * 1e6).round() / 1e6)
    }
}

pub fn to_json(s: &Summary, log: &SkipLog) -> Value {
    let mut reasons = Map::new();
    for (k, v) in &log.reasons {
        reasons.insert(k.to_string(), json!(v));
    }
    let prefixes: Map<String, Value> = s
        .prefixes
        .iter()
        .map(|(p, ps)| {
            (
                p.clone(),
                json!({"objects": ps.objects, "bytes_stored": ps.bytes_stored, "reads": ps.reads, "bytes_read": ps.bytes_read}),
            )
        })
        .collect();
    json!({
        "schema_version": 1,
        "lines": {"read": log.read, "parsed": log.parsed, "skipped": log.skipped, "skip_reasons": reasons, "skip_examples": log.examples},
        "first_time": s.first.map(|t| t.to_string()),
        "last_time": s.last.map(|t| t.to_string()),
        "objects": s.objects,
        "bytes": s.bytes,
        "requests_by_operation": s.requests_by_operation,
        "requests_by_billing_class": s.requests_by_billing_class,
        "reads_by_age_days": s.reads_by_age.iter().map(|(b, n)| (b.clone(), json!(n))).collect::<Map<String, Value>>(),
        "prefixes": prefixes,
        "never_read_after": s.never_read_after.iter().map(|(n, obs, nr)| json!({"days": n, "objects_observed": obs, "never_read": nr, "share": share(*nr, *obs)})).collect::<Vec<_>>(),
    })
}

/// The text summary; operation names and key prefixes come from the logs and go through
/// [`terminal`].
pub fn table(s: &Summary, log: &SkipLog, out: &mut Vec<u8>) -> std::io::Result<()> {
    writeln!(
        out,
        "lines: {} read, {} parsed, {} skipped",
        log.read, log.parsed, log.skipped
    )?;
    if let (Some(a), Some(b)) = (s.first, s.last) {
        writeln!(out, "time: {a} .. {b}")?;
    }
    writeln!(out, "objects at end: {} ({} bytes)", s.objects, s.bytes)?;
    writeln!(out, "\nrequests by billing class:")?;
    for (k, v) in &s.requests_by_billing_class {
        writeln!(out, "  {k:<18} {v:>12}")?;
    }
    writeln!(out, "\nrequests by operation:")?;
    let mut ops: Vec<_> = s.requests_by_operation.iter().collect();
    ops.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (k, v) in ops {
        writeln!(out, "  {:<32} {v:>12}", terminal(k))?;
    }
    writeln!(out, "\nreads by object age (days):")?;
    for (b, n) in &s.reads_by_age {
        writeln!(out, "  {b:<8} {n:>12}")?;
    }
    writeln!(
        out,
        "\nper prefix: objects, bytes stored, reads, bytes read"
    )?;
    for (p, ps) in &s.prefixes {
        // Prefixes are parts of object keys, which any requester chooses.
        let name = if p.is_empty() {
            "(top level)".into()
        } else {
            terminal(p)
        };
        writeln!(
            out,
            "  {name:<32} {:>10} {:>16} {:>10} {:>16}",
            ps.objects, ps.bytes_stored, ps.reads, ps.bytes_read
        )?;
    }
    writeln!(
        out,
        "\nnever read after N days (objects created in the logs and observed that long):"
    )?;
    for (n, obs, nr) in &s.never_read_after {
        let pct = if *obs == 0 {
            "-".to_string()
        } else {
            format!("{:.1}%", *nr as f64 * 100.0 / *obs as f64)
        };
        writeln!(out, "  {n:>4} days  {nr:>10} of {obs:<10} {pct}")?;
    }
    Ok(())
}
