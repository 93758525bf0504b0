//! `costlab run`: the main job. Simulates every policy of a scenario (with the clairvoyant
//! bound) and writes the report folder: `report.json` (the versioned source of every other
//! file), `index.html`, `summary.md`, `bill.csv` and `charts/*.png|svg`, each atomically.

use super::{Failure, input, output};
use clap::Args;
use costlab::output::folder::{self, Mode, Spec, Written};
use costlab::report::Report;
use costlab::report::figures::figures;
use costlab::report::html::{Embedded, HtmlView};
use costlab::report::markdown::MarkdownView;
use costlab::report::views::{CsvView, JsonView, TableView, View};
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

/// How `costlab run` writes its folder (`costlab::output::folder`): whole, replacing a folder
/// costlab made (or an earlier version's, with its report.json).
pub fn folder_spec(force: bool) -> Spec<'static> {
    Spec {
        command: "run",
        force,
        replace_needs_force: false,
        legacy: folder::legacy_report,
    }
}

/// Writes the report folder for `r` as `dir`: every file into a temporary folder beside it,
/// then swapped in whole.
pub fn write_folder(r: &Report, dir: &Path, force: bool) -> Result<Written, Failure> {
    folder::write_folder(dir, &folder_spec(force), |st| {
        st.put("report.json", &render(&JsonView, r)?)?;
        st.put("bill.csv", &render(&CsvView, r)?)?;
        st.put("summary.md", &render(&MarkdownView, r)?)?;
        for f in figures(r) {
            st.put(
                format!("charts/{}.svg", f.id),
                f.svg().map_err(output)?.as_bytes(),
            )?;
            st.put(format!("charts/{}.png", f.id), &f.png().map_err(output)?)?;
        }
        st.put("index.html", &html(r)?)?;
        super::optimize::write_recommendations(r, st)
    })
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

pub fn run(a: &RunArgs) -> Result<u8, Failure> {
    a.memory.apply()?;
    let mut sc = read_scenario(&a.scenario).map_err(input)?;
    let dir = a
        .out
        .clone()
        .unwrap_or_else(|| Path::new("reports").join(folder_name(&sc.name)));
    // Refused before the simulation, not after it.
    folder::check(&dir, &folder_spec(a.force.force))?;
    let extras = super::simulate::Extras {
        bound: true,
        optimize: true,
    };
    let reading = a.evidence.reading(&sc)?;
    let report = super::simulate::scenario_report(&mut sc, reading, extras)?;
    let written = write_folder(&report, &dir, a.force.force)?;
    note_in_place(&written);
    super::note_skipped(&report.evidence.ledger);
    super::emit(&render(&TableView, &report)?, None)?;
    eprintln!(
        "\nReport written to {}/ — open {} in a browser.",
        dir.display(),
        dir.join("index.html").display()
    );
    Ok(0)
}
