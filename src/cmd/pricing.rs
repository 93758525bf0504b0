//! `costlab pricing show`: print the price book in force, with units, sources and confidence.

use super::{Failure, emit, input, output};
use clap::{Args, Subcommand, ValueEnum};
use costlab::pricing::{Catalog, EntryKind, PriceBook, Value, schema_kind};
use costlab::units::decimal_text;
use serde_json::json;
use std::path::PathBuf;

/// Inspect price books.
#[derive(Args, Debug)]
pub struct PricingArgs {
    #[command(subcommand)]
    pub command: PricingCommand,
}

#[derive(Subcommand, Debug)]
pub enum PricingCommand {
    /// Print the prices and billing rules in force, one key per line, with unit, confidence,
    /// source and date.
    ///
    /// Examples:
    ///   costlab pricing show --service s3 --class STANDARD_IA
    ///   costlab pricing show --region eu-west-1 --service ec2 --class m5.xlarge
    ///   costlab pricing show --pricing my-negotiated.toml --format json
    #[command(verbatim_doc_comment)]
    Show(ShowArgs),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    Table,
    Json,
}

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// Region of the built-in book (us-east-1, us-west-2, eu-west-1).
    #[arg(long, default_value = "us-east-1")]
    pub region: String,
    /// A pricing file instead of the built-in book.
    #[arg(long, value_name = "FILE")]
    pub pricing: Option<PathBuf>,
    /// Only keys of this service: s3, transfer, ec2, emr, emr_serverless, glue, lambda, compute.
    #[arg(long)]
    pub service: Option<String>,
    /// Only keys that name this class, tier or instance type (e.g. STANDARD_IA, m5.xlarge).
    #[arg(long)]
    pub class: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: ShowFormat,
}

pub fn run(args: &PricingArgs) -> Result<u8, Failure> {
    match &args.command {
        PricingCommand::Show(s) => show(s),
    }
}

fn value_text(v: &Value) -> String {
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

fn unit_text(kind: Option<EntryKind>) -> String {
    match kind {
        Some(EntryKind::Price { unit, per: 1, .. }) => format!("USD per {}", unit.as_str()),
        Some(EntryKind::Price { unit, per, .. }) => format!("USD per {per} {}", unit.as_str()),
        Some(EntryKind::Fact { unit }) => unit.as_str().to_string(),
        None => String::new(),
    }
}

fn show(args: &ShowArgs) -> Result<u8, Failure> {
    let region = if args.pricing.is_some() {
        None
    } else {
        Some(args.region.as_str())
    };
    let catalog = Catalog::open(args.pricing.as_deref(), region).map_err(input)?;
    let book: &PriceBook = catalog.home();
    let rows: Vec<_> = book
        .entries
        .iter()
        .filter(|(p, _)| args.service.as_ref().is_none_or(|s| p.0.first() == Some(s)))
        .filter(|(p, _)| {
            args.class
                .as_ref()
                .is_none_or(|c| p.0.iter().any(|s| s == c))
        })
        .collect();
    if rows.is_empty() {
        return Err(input(anyhow::anyhow!("no pricing keys match the filters")));
    }
    let mut buf: Vec<u8> = Vec::new();
    match args.format {
        ShowFormat::Json => {
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
                "entries": entries,
            });
            serde_json::to_writer_pretty(&mut buf, &doc).map_err(output)?;
            buf.push(b'\n');
        }
        ShowFormat::Table => {
            use std::io::Write;
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
            writeln!(
                buf,
                "{} price book: {} (effective {})",
                book.region,
                book.files.join(" <- "),
                book.effective_date
            )
            .map_err(output)?;
            // Padded by hand: a `{:<w$}` width past 65,535 panics, and a hostile book's
            // values (thousands of bands) can be that long.
            let pad = |s: String, w: usize, left: bool| {
                let fill = " ".repeat(w.saturating_sub(s.chars().count()));
                if left { s + &fill } else { fill + &s }
            };
            for (p, e) in &rows {
                let t = book.table_of(e);
                let allowance = e
                    .free_allowance
                    .map(|a| format!(" (first {} free)", decimal_text(a)))
                    .unwrap_or_default();
                let conf = if e.confidence == costlab::pricing::Confidence::Confirmed {
                    String::new()
                } else {
                    format!(" [{}]", e.confidence.as_str())
                };
                writeln!(
                    buf,
                    "{}  {}  {}{allowance}{conf}  ({}, {})",
                    pad(p.to_string(), w, true),
                    pad(value_text(&e.value), vw, false),
                    unit_text(schema_kind(p)),
                    t.path,
                    t.effective_date,
                )
                .map_err(output)?;
            }
        }
    }
    emit(&buf, None)?;
    Ok(0)
}
