//! `costlab lifecycle validate FILE…`: check lifecycle configurations (the JSON of `aws s3api
//! put-bucket-lifecycle-configuration`, with or without its `LifecycleConfiguration` wrapper as
//! the readers accept it, and the REST API XML) against S3's rules before deploying them, with
//! the validator the simulator and the optimizer use. Exit 0 when every file is valid, 2
//! otherwise; every problem of every file is listed.

use super::{EXIT_INPUT, Failure, emit, output};
use clap::{Args, Subcommand, ValueEnum};
use costlab::trace::lifecycle::{
    Format, LifecycleError, ValidationError, detect, parse_bytes, read_bytes, utf8, validate,
};
use serde_json::{Value, json};
use std::path::PathBuf;

/// Work with S3 lifecycle configurations.
#[derive(Args, Debug)]
pub struct LifecycleArgs {
    #[command(subcommand)]
    pub command: LifecycleCommand,
}

#[derive(Subcommand, Debug)]
pub enum LifecycleCommand {
    /// Check lifecycle configuration files (JSON or XML, by content) as S3 would when they are
    /// put: every problem with its rule ID and reason. Exit 0 when all are valid, 2 otherwise.
    ///
    /// Examples:
    ///   costlab lifecycle validate recommended-lifecycle.json
    ///   costlab lifecycle validate rules/*.xml --format json
    ///   aws s3api get-bucket-lifecycle-configuration --bucket b | costlab lifecycle validate -
    #[command(verbatim_doc_comment)]
    Validate(ValidateArgs),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ValidateFormat {
    Text,
    Json,
}

#[derive(Args, Debug)]
pub struct ValidateArgs {
    /// Lifecycle configuration files, or - for standard input.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// `text`: one line per file or problem; `json`: one document for machines.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ValidateFormat,
}

pub fn run(args: &LifecycleArgs) -> Result<u8, Failure> {
    match &args.command {
        LifecycleCommand::Validate(a) => validate_files(a),
    }
}

/// What one file came to.
enum Outcome {
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

fn check(path: &std::path::Path) -> (String, Outcome) {
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

fn validate_files(a: &ValidateArgs) -> Result<u8, Failure> {
    let results: Vec<(String, Outcome)> = a.files.iter().map(|p| check(p)).collect();
    let all_valid = results
        .iter()
        .all(|(_, o)| matches!(o, Outcome::Valid { .. }));
    let mut buf = Vec::new();
    match a.format {
        ValidateFormat::Text => {
            use std::io::Write;
            for (file, outcome) in &results {
                match outcome {
                    Outcome::Valid { rules, .. } => {
                        writeln!(buf, "{file}: valid ({})", plural(*rules, "rule"))
                    }
                    Outcome::Invalid {
                        rules, problems, ..
                    } => {
                        let mut r = writeln!(
                            buf,
                            "{file}: invalid ({}, {})",
                            plural(problems.len(), "problem"),
                            plural(*rules, "rule")
                        );
                        for p in problems {
                            r = r.and_then(|_| writeln!(buf, "{file}: {p}"));
                        }
                        r
                    }
                    // The error names the file (and line and field where it can).
                    Outcome::Unreadable(e) => writeln!(buf, "{e}"),
                }
                .map_err(output)?;
            }
        }
        ValidateFormat::Json => {
            let files: Vec<Value> = results
                .iter()
                .map(|(file, outcome)| file_json(file, outcome))
                .collect();
            let doc = json!({
                "schema_version": 1,
                "valid": all_valid,
                "files": files,
            });
            serde_json::to_writer_pretty(&mut buf, &doc).map_err(output)?;
            buf.push(b'\n');
        }
    }
    emit(&buf, None)?;
    Ok(if all_valid { 0 } else { EXIT_INPUT })
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
