//! `costlab run`: the main job. Simulates every policy of a scenario (with the clairvoyant
//! bound) and writes the report folder: `report.json` (the versioned source of every other
//! file), `index.html`, `summary.md`, `bill.csv` and `charts/*.png|svg`, each atomically.

use super::{Failure, input, output};
use anyhow::anyhow;
use clap::Args;
use costlab::report::Report;
use costlab::report::figures::figures;
use costlab::report::html::{Embedded, HtmlView};
use costlab::report::markdown::MarkdownView;
use costlab::report::views::{CsvView, JsonView, TableView, View};
use costlab::report::write_atomic;
use costlab::scenario::read_scenario;
use std::path::{Path, PathBuf};

/// Run a scenario end to end and write its report folder.
///
///   costlab run scenarios/datalake.toml
///   costlab run scenarios/datalake.toml --out /tmp/lake-report
///
/// The folder (default `reports/<scenario name>/`) holds index.html (open it in a browser; it
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
}

/// A scenario name as a folder name: letters, digits, `.`, `_` and `-` kept, the rest `-`.
pub fn folder_name(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let s = s.trim_matches('.').to_string();
    if s.is_empty() { "scenario".into() } else { s }
}

fn render(view: &dyn View, r: &Report) -> Result<Vec<u8>, Failure> {
    let mut buf = Vec::new();
    view.render(r, &mut buf).map_err(output)?;
    Ok(buf)
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    write_atomic(path, bytes).map_err(|e| output(anyhow!("cannot write {}: {e}", path.display())))
}

/// The HTML view with every chart drawn as inline SVG.
pub fn html(r: &Report) -> Result<Vec<u8>, Failure> {
    let mut charts = Vec::new();
    for f in figures(r) {
        charts.push(Embedded {
            id: f.id.clone(),
            caption: f.caption.clone(),
            svg: f.svg().map_err(output)?,
        });
    }
    render(&HtmlView { charts }, r)
}

/// Writes every file of the report folder for `r` into `dir`.
pub fn write_folder(r: &Report, dir: &Path) -> Result<Vec<PathBuf>, Failure> {
    let charts = dir.join("charts");
    std::fs::create_dir_all(&charts)
        .map_err(|e| output(anyhow!("cannot create {}: {e}", charts.display())))?;
    let mut written = Vec::new();
    let mut put = |name: &Path, bytes: Vec<u8>| -> Result<(), Failure> {
        write(name, &bytes)?;
        written.push(name.to_path_buf());
        Ok(())
    };
    put(&dir.join("report.json"), render(&JsonView, r)?)?;
    put(&dir.join("bill.csv"), render(&CsvView, r)?)?;
    put(&dir.join("summary.md"), render(&MarkdownView, r)?)?;
    for f in figures(r) {
        put(
            &charts.join(format!("{}.svg", f.id)),
            f.svg().map_err(output)?.into_bytes(),
        )?;
        put(
            &charts.join(format!("{}.png", f.id)),
            f.png().map_err(output)?,
        )?;
    }
    put(&dir.join("index.html"), html(r)?)?;
    written.extend(super::optimize::write_recommendations(r, dir)?);
    Ok(written)
}

pub fn run(a: &RunArgs) -> Result<u8, Failure> {
    a.memory.apply()?;
    let mut sc = read_scenario(&a.scenario).map_err(input)?;
    let extras = super::simulate::Extras {
        bound: true,
        optimize: true,
    };
    let reading = a.evidence.reading(&sc)?;
    let report = super::simulate::scenario_report(&mut sc, reading, extras)?;
    let dir = a
        .out
        .clone()
        .unwrap_or_else(|| Path::new("reports").join(folder_name(&report.scenario)));
    write_folder(&report, &dir)?;
    super::note_skipped(&report.evidence.ledger);
    super::emit(&render(&TableView, &report)?, None)?;
    eprintln!(
        "\nReport written to {}/ — open {} in a browser.",
        dir.display(),
        dir.join("index.html").display()
    );
    Ok(0)
}
