//! `costlab lifecycle validate FILE…`: check lifecycle configurations (the JSON of `aws s3api
//! put-bucket-lifecycle-configuration`, with or without its `LifecycleConfiguration` wrapper as
//! the readers accept it, and the REST API XML) against S3's rules before deploying them, with
//! the validator the simulator and the optimizer use. Exit 0 when every file is valid, 2
//! otherwise; every problem of every file is listed.

use super::{EXIT_INPUT, Failure, emit};
use clap::{Args, Subcommand, ValueEnum};
use costlab::trace::lifecycle::check::{self, Outcome, check_file};
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

fn validate_files(a: &ValidateArgs) -> Result<u8, Failure> {
    let results: Vec<(String, Outcome)> = a.files.iter().map(|p| check_file(p)).collect();
    let all_valid = results
        .iter()
        .all(|(_, o)| matches!(o, Outcome::Valid { .. }));
    let buf = match a.format {
        ValidateFormat::Text => check::text(&results),
        ValidateFormat::Json => check::json(&results),
    };
    emit(&buf, None)?;
    Ok(if all_valid { 0 } else { EXIT_INPUT })
}
