//! `costlab generate SPEC.toml --out DIR`: write a synthetic workload (S3 access logs and an
//! inventory) from a seeded spec (docs/generator.md).

use super::{Failure, input, output};
use clap::{Args, ValueEnum};
use costlab::output::folder;
use costlab::workload::{self, Compress, GenerateError, Options, Spec};
use std::path::PathBuf;

/// Write synthetic S3 access logs (and an inventory) from a seeded workload spec.
#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// The workload spec (TOML, docs/generator.md).
    pub spec: PathBuf,
    /// Directory to write (logs/, the inventory delivery and generate.json), written whole
    /// beside any earlier one and swapped in.
    #[arg(long)]
    pub out: PathBuf,
    /// Use this seed instead of the spec's `seed`.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Compress log files.
    #[arg(long, value_enum, default_value = "none")]
    pub compress: CompressArg,
    /// Split each hour's records into log files of at most N lines (as S3 delivers several
    /// objects per hour).
    #[arg(long, value_name = "N")]
    pub lines_per_file: Option<u64>,
    /// Fail (exit 2) rather than write more than N log lines in total.
    #[arg(long, value_name = "N")]
    pub lines_limit: Option<u64>,
    /// Replace earlier generator output in DIR (a folder costlab made is replaced whole); in
    /// a folder costlab did not make, write the workload into it, replacing only logs/,
    /// generate.json and the inventory.
    #[arg(long)]
    pub force: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CompressArg {
    None,
    Gz,
    Zst,
}

pub fn run(args: &GenerateArgs) -> Result<u8, Failure> {
    let name = args.spec.display().to_string();
    let text = std::fs::read_to_string(&args.spec)
        .map_err(|e| input(anyhow::anyhow!("{name}: cannot read the spec: {e}")))?;
    let mut spec = Spec::parse(&name, &text).map_err(input)?;
    if let Some(seed) = args.seed {
        spec.seed = seed;
    }
    let folder_spec = folder::Spec {
        command: "generate",
        force: args.force,
        replace_needs_force: true,
        legacy: folder::legacy_generate,
    };
    let mut summary = None;
    let written = folder::write_folder(&args.out, &folder_spec, |st| {
        let opts = Options {
            out: st.dir().to_path_buf(),
            compress: match args.compress {
                CompressArg::None => Compress::None,
                CompressArg::Gz => Compress::Gz,
                CompressArg::Zst => Compress::Zst,
            },
            lines_per_file: args.lines_per_file,
            lines_limit: args.lines_limit,
            // In place (a folder costlab did not make, with --force): the library removes its
            // own earlier output (logs/, generate.json, the inventory) and nothing else.
            force: args.force,
        };
        let s = workload::generate(&spec, &text, &opts).map_err(|e: GenerateError| {
            if e.is_input() { input(e) } else { output(e) }
        })?;
        st.claim("logs");
        st.claim("generate.json");
        if let Some(inv) = &spec.inventory {
            st.claim(std::path::Path::new(&inv.destination_prefix).join(&spec.bucket));
        }
        summary = Some(s);
        Ok::<(), Failure>(())
    })?;
    super::run::note_in_place(&written);
    let Some(summary) = summary else {
        return Err(output(anyhow::anyhow!(
            "{}: nothing was generated",
            args.out.display()
        )));
    };
    let t = &summary.totals;
    eprintln!(
        "costlab: wrote {} log lines in {} files, {} objects created ({} pre-existing), seed {} \
         -> {}",
        t.lines,
        summary.log_files,
        t.objects_created,
        summary.inventory.as_ref().map_or(0, |d| d.objects),
        summary.seed,
        args.out.join("generate.json").display()
    );
    Ok(0)
}
