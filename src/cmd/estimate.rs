//! `costlab estimate USAGE.toml`: rate a hand-written monthly usage file.

use super::{Failure, emit, input, output};
use anyhow::anyhow;
use clap::Args;
use costlab::cost::RateOptions;
use costlab::report::{Format, exporter};
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};

/// Rate a monthly usage file (AWS's own units) into a bill of line items.
///
/// The usage file lists, per month, what AWS meters: byte-hours or GB-months per storage class
/// and Intelligent-Tiering tier, requests per class and price tier, lifecycle transitions, GB
/// retrieved, restores, transfer, replication, instance-hours and more (docs/usage-file.md).
/// Volume bands apply to each month's total per price; the 100 GB internet-egress allowance
/// comes off first. Amounts are exact; the table rounds to cents for display.
///
/// Examples:
///   costlab estimate scenarios/usage-example.toml
///   costlab estimate usage.toml --format json | jq .total_usd
///   costlab estimate usage.toml --region eu-west-1 --discount s3=12 -o bill.csv --format csv
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct EstimateArgs {
    /// The usage file (TOML, docs/usage-file.md); `-` reads standard input.
    pub usage: PathBuf,
    /// A pricing file to use instead of the built-in book (it may `inherits` another).
    #[arg(long, value_name = "FILE")]
    pub pricing: Option<PathBuf>,
    /// Price with this region's built-in book (default: the usage file's `region`, else
    /// us-east-1). Books: us-east-1, us-west-2, eu-west-1.
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// A negotiated discount, percent off a service's list prices; repeatable.
    /// Services: s3, data-transfer, ec2, emr, emr-serverless, glue, lambda.
    #[arg(long, value_name = "SERVICE=PCT")]
    pub discount: Vec<String>,
    /// Write to FILE (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

fn read_input(path: &Path) -> Result<(String, String), Failure> {
    let name = if path == Path::new("-") {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    };
    // Size-capped: a usage file is read whole.
    let text = costlab::trace::input::read_config(path)
        .map_err(|e| input(anyhow!("the usage file {name}: {e}")))?;
    Ok((name, text))
}

pub fn parse_discounts(args: &[String]) -> Result<RateOptions, Failure> {
    let mut opts = RateOptions::default();
    for a in args {
        let (svc, pct) = a.split_once('=').ok_or_else(|| {
            input(anyhow!(
                "--discount {a:?}: expected SERVICE=PERCENT, e.g. s3=10"
            ))
        })?;
        let pct: Decimal = pct
            .trim_end_matches('%')
            .parse()
            .map_err(|_| input(anyhow!("--discount {a:?}: {pct:?} is not a percentage")))?;
        opts.discounts.insert(svc.to_string(), pct);
    }
    Ok(opts)
}

pub fn run(args: &EstimateArgs) -> Result<u8, Failure> {
    let (name, text) = read_input(&args.usage)?;
    let opts = parse_discounts(&args.discount)?;
    let bill = costlab::pipeline::estimate(
        &name,
        &text,
        args.pricing.as_deref(),
        args.region.as_deref(),
        &opts,
    )?;
    let mut buf = Vec::new();
    exporter(args.format)
        .export(&bill, &mut buf)
        .map_err(output)?;
    emit(&buf, args.output.as_deref())?;
    Ok(0)
}
