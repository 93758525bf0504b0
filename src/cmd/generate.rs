//! `costlab generate SPEC.toml --out DIR`: write a synthetic workload (being written).

use super::{Failure, input};
use clap::Args;
use std::path::PathBuf;

/// Write synthetic S3 access logs (and an inventory) from a seeded workload spec.
#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// The workload spec (TOML, docs/generator.md).
    pub spec: PathBuf,
    /// Directory to write into.
    #[arg(long)]
    pub out: PathBuf,
}

pub fn run(args: &GenerateArgs) -> Result<u8, Failure> {
    Err(input(anyhow::anyhow!("{}: the generator is not built yet", args.spec.display())))
}
