//! Lifecycle configuration files checked as S3 would check them when they are put (`costlab
//! lifecycle validate`): each file valid (with its rule count), invalid (every problem with its
//! rule ID), or unreadable (the error naming file, line and field), written as text or JSON.

use super::{
    Format, LifecycleError, ValidationError, detect, parse_bytes, read_bytes, utf8, validate,
};
use crate::output::escape::terminal;
use serde_json::{Value, json};
use std::io::Write;

/// What one file came to.
pub enum Outcome {
    Valid {
        format: Format,
        rules: usize,
    },
    Invalid {
        format: Format,
        rules: usize,
        problems: Vec<ValidationError>,
    },
    /// Not readable as a lifecycle configuration at all.
    Unreadable(LifecycleError),
}

/// Reads and validates one file (`-`: standard input); returns its name and what it came to.
pub fn check_file(path: &std::path::Path) -> (String, Outcome) {
    let (file, bytes) = match read_bytes(path) {
        Ok(x) => x,
        Err(e) => return (e.file().to_string(), Outcome::Unreadable(e)),
    };
    let format = match utf8(&file, &bytes).and_then(|t| detect(&file, t)) {
        Ok(f) => f,
        Err(e) => return (file, Outcome::Unreadable(e)),
    };
    let cfg = match parse_bytes(&file, &bytes) {
        Ok(c) => c,
        Err(e) => return (file, Outcome::Unreadable(e)),
    };
    let problems = validate(&cfg);
    let rules = cfg.rules.len();
    let outcome = if problems.is_empty() {
        Outcome::Valid { format, rules }
    } else {
        Outcome::Invalid {
            format,
            rules,
            problems,
        }
    };
    (file, outcome)
}

fn format_name(f: Format) -> &'static str {
    match f {
        Format::Json => "json",
        Format::Xml => "xml",
    }
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {one}s")
    }
}

/// Every file's outcome as text: one line per file, then one per problem (file names and
/// messages through the terminal escape).
pub fn text(results: &[(String, Outcome)]) -> Vec<u8> {
    let mut buf = Vec::new();
    for (file, outcome) in results {
        let _ = match outcome {
            Outcome::Valid { rules, .. } => {
                writeln!(
                    buf,
                    "{}: valid ({})",
                    terminal(file),
                    plural(*rules, "rule")
                )
            }
            Outcome::Invalid {
                rules, problems, ..
            } => {
                let mut r = writeln!(
                    buf,
                    "{}: invalid ({}, {})",
                    terminal(file),
                    plural(problems.len(), "problem"),
                    plural(*rules, "rule")
                );
                for p in problems {
                    r = r.and_then(|_| {
                        writeln!(buf, "{}: {}", terminal(file), terminal(&p.to_string()))
                    });
                }
                r
            }
            // The error names the file (and line and field where it can).
            Outcome::Unreadable(e) => writeln!(buf, "{}", terminal(&e.to_string())),
        };
    }
    buf
}

/// Every file's outcome as one JSON document.
pub fn json(results: &[(String, Outcome)]) -> Vec<u8> {
    let files: Vec<Value> = results
        .iter()
        .map(|(file, outcome)| file_json(file, outcome))
        .collect();
    let all_valid = results
        .iter()
        .all(|(_, o)| matches!(o, Outcome::Valid { .. }));
    let doc = json!({
        "schema_version": 1,
        "valid": all_valid,
        "files": files,
    });
    let mut buf = serde_json::to_vec_pretty(&doc).unwrap_or_default();
    buf.push(b'\n');
    buf
}

fn problem_json(p: &ValidationError) -> Value {
    json!({
        "rule": p.rule_index.map(|i| i + 1),
        "rule_id": p.rule_id,
        "kind": p.kind.as_str(),
        "message": p.message,
    })
}

fn file_json(file: &str, outcome: &Outcome) -> Value {
    match outcome {
        Outcome::Valid { format, rules } => json!({
            "file": file,
            "valid": true,
            "format": format_name(*format),
            "rules": rules,
            "problems": [],
        }),
        Outcome::Invalid {
            format,
            rules,
            problems,
        } => json!({
            "file": file,
            "valid": false,
            "format": format_name(*format),
            "rules": rules,
            "problems": problems.iter().map(problem_json).collect::<Vec<_>>(),
        }),
        Outcome::Unreadable(e) => json!({
            "file": file,
            "valid": false,
            "error": {
                "line": e.line(),
                "field": e.field(),
                "message": e.to_string(),
            },
        }),
    }
}
