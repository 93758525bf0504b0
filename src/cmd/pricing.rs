//! `costlab pricing show`: print the price book in force, with units, sources and confidence.
//! `costlab pricing import`: write a book from AWS Price List offer files.
//! `costlab pricing diff`: prices that changed, appeared or vanished between two books.

use super::{Failure, emit, input};
use anyhow::anyhow;
use clap::{Args, Subcommand, ValueEnum};
use costlab::aws::Region;
use costlab::pricing::diff::diff;
use costlab::pricing::offers::{book, import_files, offer_files};
use costlab::pricing::views;
use costlab::pricing::{Catalog, PriceBook, PricingSource};
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
    /// Write a price book for one region from AWS Price List offer files (JSON or CSV, as
    /// downloaded from the Bulk API; docs/pricing-file.md gives the URLs). Every price comes
    /// from the files ("confirmed"); each table records the offer, version, publication date
    /// and URL. The billing rules are copied from the built-in us-east-1 book.
    ///
    /// Examples:
    ///   costlab pricing import offers/ --region eu-central-1 -o aws-eu-central-1.toml
    ///   costlab pricing import AmazonEC2.json AmazonS3.csv --region us-east-2 -o book.toml
    #[command(verbatim_doc_comment)]
    Import(ImportArgs),
    /// Prices that changed, appeared or vanished between two books (files, folders of offer
    /// files, or built-in region names such as us-east-1).
    ///
    /// Examples:
    ///   costlab pricing diff aws-eu-west-1.toml new-eu-west-1.toml
    ///   costlab pricing diff us-east-1 imported.toml --format json
    #[command(verbatim_doc_comment)]
    Diff(DiffArgs),
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// Offer files (.json, .csv) or folders holding them.
    #[arg(required = true, value_name = "OFFER_FILES_OR_DIR")]
    pub inputs: Vec<PathBuf>,
    /// The region to import (e.g. eu-central-1).
    #[arg(long)]
    pub region: String,
    /// Write the book here (atomically); standard output without it.
    #[arg(long, short = 'o', value_name = "BOOK.toml")]
    pub output: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct DiffArgs {
    /// The old book: a file, a folder of offer files, or a built-in region name.
    pub old: String,
    /// The new book.
    pub new: String,
    /// Region, for folders of offer files (default: the book's own, else us-east-1).
    #[arg(long)]
    pub region: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: ShowFormat,
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
        PricingCommand::Import(a) => import(a),
        PricingCommand::Diff(a) => diff_books(a),
    }
}

fn import(args: &ImportArgs) -> Result<u8, Failure> {
    let region = Region::parse(&args.region).map_err(|m| input(anyhow!("--region: {m}")))?;
    let files = offer_files(&args.inputs).map_err(input)?;
    let imp = import_files(&files, &region).map_err(input)?;
    let rules = PriceBook::load(&PricingSource::Builtin("aws-us-east-1.toml")).map_err(input)?;
    let text = book::to_toml(&imp, &rules).map_err(input)?;
    // The book must load as every other book does before it is written.
    let name = args
        .output
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "<stdout>".into());
    let loaded = PriceBook::from_text(&name, &text)
        .map_err(|e| input(anyhow!("the imported book does not load: {e}")))?;
    emit(text.as_bytes(), args.output.as_deref())?;
    let prices = loaded
        .entries
        .keys()
        .filter(|p| !p.0.iter().any(|s| s == "rules" || s == "specs"))
        .count();
    eprintln!(
        "imported {prices} prices for {region} from {} file(s) ({} products, {} terms, {} Savings Plans rates read)",
        files.len(),
        imp.products_read,
        imp.terms_read,
        imp.rates_read
    );
    for o in &imp.offers {
        eprintln!(
            "  {}: {} version {} published {}",
            o.file,
            o.offer_code.as_deref().unwrap_or("?"),
            o.version.as_deref().unwrap_or("?"),
            o.published.as_deref().unwrap_or("?")
        );
    }
    for (why, n) in &imp.skipped {
        eprintln!("  left out {n} × {why}");
    }
    Ok(0)
}

/// A book named on the command line: a file or folder, else a built-in region's book.
fn open_book(name: &str, region: Option<&str>) -> Result<PriceBook, Failure> {
    let p = std::path::Path::new(name);
    let c = if p.exists() {
        Catalog::open(Some(p), region)
    } else {
        Catalog::open(None, Some(name))
    }
    .map_err(input)?;
    Ok(c.home().clone())
}

fn diff_books(args: &DiffArgs) -> Result<u8, Failure> {
    let old = open_book(&args.old, args.region.as_deref())?;
    let new = open_book(&args.new, args.region.as_deref())?;
    let changes = diff(&old, &new);
    let buf = match args.format {
        ShowFormat::Json => views::diff_json(&old, &new, &changes),
        ShowFormat::Table => views::diff_table(&old, &new, &changes),
    };
    emit(&buf, None)?;
    Ok(0)
}

fn show(args: &ShowArgs) -> Result<u8, Failure> {
    let offers = args.pricing.as_deref().is_some_and(|p| {
        p.is_dir()
            || p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("json") || e.eq_ignore_ascii_case("csv"))
    });
    let region = if args.pricing.is_some() && !offers {
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
    let buf = match args.format {
        ShowFormat::Json => views::show_json(book, &rows),
        ShowFormat::Table => views::show_table(book, &rows),
    };
    emit(&buf, None)?;
    Ok(0)
}
