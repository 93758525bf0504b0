//! `costlab run`: the main job. Simulates every policy of a scenario (with the clairvoyant
//! bound) and writes the report folder: `report.json` (the versioned source of every other
//! file), `index.html`, `summary.md`, `bill.csv` and `charts/*.png|svg`, each atomically.

use super::{Failure, input, output};
use clap::Args;
use costlab::output::folder::{self, Mode, Written};
use costlab::report::folder::{folder_name, render, report_spec, write_report};
use costlab::report::views::TableView;
use costlab::scenario::read_scenario;
use std::path::{Path, PathBuf};

/// Run a scenario end to end and write its report folder.
///
///   costlab run scenarios/datalake.toml
///   costlab run scenarios/datalake.toml --out /tmp/lake-report
///
/// The folder (default `reports/<scenario name>/`) is replaced whole; it holds index.html (open it in a browser; it
/// needs nothing else), summary.md (for a pull-request comment), report.json (every other file
/// regenerates from it with `costlab report`), bill.csv (every line item) and charts/.
/// The headline table goes to stdout.
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct RunArgs {
    /// The scenario file (docs/scenario.md).
    pub scenario: PathBuf,
    /// The report folder (default: reports/<scenario name>/).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub evidence: super::EvidenceArgs,
    #[command(flatten)]
    pub memory: super::MemoryArgs,
    #[command(flatten)]
    pub force: super::ForceArgs,
}

/// A note when a folder was written into rather than replaced whole.
pub fn note_in_place(w: &Written) {
    if w.mode == Mode::InPlace {
        eprintln!(
            "note: {} is not a folder costlab replaces whole (docs/report.md, \"Output files and \
             folders\"): costlab's files were written into it and the others left",
            w.path.display()
        );
    }
}

/// A report folder that could not be written: a folder costlab may not replace (exit 2),
/// or anything else (exit 3).
pub fn files_failure(e: costlab::report::folder::ReportFilesError) -> Failure {
    if e.is_input() { input(e) } else { output(e) }
}

pub fn run(a: &RunArgs) -> Result<u8, Failure> {
    let mut sc = read_scenario(&a.scenario).map_err(input)?;
    let dir = a
        .out
        .clone()
        .unwrap_or_else(|| Path::new("reports").join(folder_name(&sc.name)));
    // Refused before the simulation, not after it.
    folder::check(&dir, &report_spec(a.force.force))?;
    let term = costlab::output::progress::Term::new();
    let o = super::options(&mut sc, &a.evidence, &a.memory, &term, true, true)?;
    let report = costlab::pipeline::run(&mut sc, &o)?;
    let written = write_report(&report, &dir, a.force.force).map_err(files_failure)?;
    note_in_place(&written);
    super::note_skipped(&report.evidence.ledger);
    super::emit(&render(&TableView, &report).map_err(output)?, None)?;
    eprintln!(
        "\nReport written to {}/ — open {} in a browser.",
        dir.display(),
        dir.join("index.html").display()
    );
    Ok(0)
}
