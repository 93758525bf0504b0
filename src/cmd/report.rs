//! `costlab report`: regenerate any view of a saved `report.json` (HTML, Markdown, CSV, the
//! table, the charts) byte for byte as `costlab run` wrote it.

use super::{Failure, emit, input, output};
use anyhow::anyhow;
use clap::{Args, ValueEnum};
use costlab::output::folder::{self, Spec};
use costlab::report::Report;
use costlab::report::figures::figures;
use costlab::report::markdown::MarkdownView;
use costlab::report::views::{CsvView, JsonView, TableView, View};
use std::path::PathBuf;

/// Render a saved report.json in another format.
///
///   costlab report reports/datalake/report.json --format md
///   costlab report reports/datalake/report.json --format html -o /tmp/index.html
///   costlab report reports/datalake/report.json --format png --out /tmp/charts
///
/// html, md, csv, json and table go to stdout (or -o FILE); png and svg write one file per
/// chart into --out DIR (a folder of its own, replaced whole; default: the charts/ folder
/// beside report.json).
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct ReportArgs {
    /// A report.json written by `costlab run` (or `costlab simulate --format json`).
    pub report: PathBuf,
    #[arg(long, value_enum, default_value = "md")]
    pub format: ReportFormat,
    /// The file to write (html, md, csv, json, table); stdout when absent.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The folder for png/svg charts, replaced whole (default: the charts/ folder beside
    /// report.json, whose charts are replaced one by one).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub force: super::ForceArgs,
}

/// How `costlab report --out DIR` writes its chart folder: whole, replacing a folder costlab
/// made.
fn folder_spec(force: bool) -> Spec<'static> {
    Spec {
        command: "report",
        force,
        replace_needs_force: false,
        legacy: folder::legacy_none,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Html,
    Md,
    Csv,
    Json,
    Table,
    Png,
    Svg,
}

/// Reads a saved report and verifies it (`Report::load`): a report whose totals disagree with
/// their parts, or whose amounts are absurd, is an input error naming the field.
pub fn read_report(path: &std::path::Path) -> Result<Report, Failure> {
    Report::load(path).map_err(input)
}

pub fn run(a: &ReportArgs) -> Result<u8, Failure> {
    let r = read_report(&a.report)?;
    let mut buf = Vec::new();
    let view: &dyn View = match a.format {
        ReportFormat::Html => {
            let html = costlab::report::folder::html(&r).map_err(super::run::files_failure)?;
            emit(&html, a.output.as_deref())?;
            return Ok(0);
        }
        ReportFormat::Png | ReportFormat::Svg => {
            let png = a.format == ReportFormat::Png;
            let chart =
                |f: &costlab::report::figures::Figure| -> Result<(String, Vec<u8>), Failure> {
                    Ok(if png {
                        (format!("{}.png", f.id), f.png().map_err(output)?)
                    } else {
                        (
                            format!("{}.svg", f.id),
                            f.svg().map_err(output)?.into_bytes(),
                        )
                    })
                };
            match &a.out {
                // A folder of its own: written whole, like a report folder.
                Some(dir) => {
                    let written = folder::write_folder(dir, &folder_spec(a.force.force), |st| {
                        for f in figures(&r) {
                            let (name, bytes) = chart(&f)?;
                            st.put(name, &bytes)?;
                        }
                        Ok::<(), Failure>(())
                    })?;
                    super::run::note_in_place(&written);
                }
                // The charts/ folder of the report: the same charts `costlab run` wrote there,
                // each file replaced atomically.
                None => {
                    let dir = a
                        .report
                        .parent()
                        .unwrap_or(std::path::Path::new("."))
                        .join("charts");
                    std::fs::create_dir_all(&dir)
                        .map_err(|e| output(anyhow!("cannot create {}: {e}", dir.display())))?;
                    for f in figures(&r) {
                        let (name, bytes) = chart(&f)?;
                        emit(&bytes, Some(&dir.join(name)))?;
                    }
                }
            }
            return Ok(0);
        }
        ReportFormat::Md => &MarkdownView,
        ReportFormat::Csv => &CsvView,
        ReportFormat::Json => &JsonView,
        ReportFormat::Table => &TableView,
    };
    view.render(&r, &mut buf).map_err(output)?;
    emit(&buf, a.output.as_deref())?;
    Ok(0)
}
