//! The report folder `costlab run` writes (report.json, bill.csv, summary.md, index.html,
//! charts, and the recommendation files) and the recommendation folder of `costlab optimize`,
//! each written whole through `output::folder` (a temporary folder swapped in).

use super::Report;
use super::charts::ChartError;
use super::figures::figures;
use super::html::{Embedded, HtmlView};
use super::markdown::MarkdownView;
use super::views::{CsvView, JsonView, View};
use crate::output::folder::{self, FolderError, Spec, Staging, Written};
use std::path::Path;

/// A report folder that could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportFilesError {
    #[error(transparent)]
    Folder(#[from] FolderError),
    #[error("cannot draw a chart: {0}")]
    Chart(#[from] ChartError),
    #[error("cannot render the report: {0}")]
    Render(#[from] std::io::Error),
}

impl ReportFilesError {
    /// The folder may not be written (a folder costlab did not make): the user's to fix.
    pub fn is_input(&self) -> bool {
        matches!(self, ReportFilesError::Folder(f) if f.is_input())
    }
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

/// `view` of `r` as bytes.
pub fn render(view: &dyn View, r: &Report) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    view.render(r, &mut buf)?;
    Ok(buf)
}

/// The HTML view with every chart drawn as inline SVG.
pub fn html(r: &Report) -> Result<Vec<u8>, ReportFilesError> {
    let mut charts = Vec::new();
    for f in figures(r) {
        charts.push(Embedded {
            id: f.id.clone(),
            caption: f.caption.clone(),
            svg: f.svg()?,
        });
    }
    Ok(render(&HtmlView { charts }, r)?)
}

/// How `costlab run` writes its folder: whole, replacing a folder costlab made (or an earlier
/// version's, with its report.json).
pub fn report_spec(force: bool) -> Spec<'static> {
    Spec {
        command: "run",
        force,
        replace_needs_force: false,
        legacy: folder::legacy_report,
    }
}

/// How `costlab optimize` writes its folder: whole, replacing a folder costlab made (or an
/// earlier version's recommendation files).
pub fn recommendation_spec(force: bool) -> Spec<'static> {
    Spec {
        command: "optimize",
        force,
        replace_needs_force: false,
        legacy: folder::legacy_recommendation,
    }
}

/// Writes the report folder for `r` as `dir`: every file into a temporary folder beside it,
/// then swapped in whole.
pub fn write_report(r: &Report, dir: &Path, force: bool) -> Result<Written, ReportFilesError> {
    folder::write_folder(dir, &report_spec(force), |st| {
        st.put("report.json", &render(&JsonView, r)?)?;
        st.put("bill.csv", &render(&CsvView, r)?)?;
        st.put("summary.md", &render(&MarkdownView, r)?)?;
        for f in figures(r) {
            st.put(format!("charts/{}.svg", f.id), f.svg()?.as_bytes())?;
            st.put(format!("charts/{}.png", f.id), &f.png()?)?;
        }
        st.put("index.html", &html(r)?)?;
        put_recommendations(r, st)
    })
}

/// Writes the recommendation files of `r` as the folder `dir` (`costlab optimize`).
pub fn write_recommendations(
    r: &Report,
    dir: &Path,
    force: bool,
) -> Result<Written, ReportFilesError> {
    folder::write_folder(dir, &recommendation_spec(force), |st| {
        put_recommendations(r, st)
    })
}

/// The recommendation files of `r` (recommended-lifecycle.json, purchase-plan.csv and .json)
/// into the folder being written.
fn put_recommendations(r: &Report, st: &mut Staging) -> Result<(), ReportFilesError> {
    let Some(o) = &r.optimize else {
        return Ok(());
    };
    if let Some(l) = o
        .lifecycle
        .as_ref()
        .filter(|l| !l.configuration_json.is_empty())
    {
        st.put(
            "recommended-lifecycle.json",
            l.configuration_json.as_bytes(),
        )?;
    }
    if let Some(f) = &o.fleet {
        st.put("purchase-plan.csv", f.purchase_plan_csv.as_bytes())?;
        let mut text = serde_json::to_string_pretty(&f.plan).map_err(std::io::Error::other)?;
        text.push('\n');
        st.put("purchase-plan.json", text.as_bytes())?;
    }
    Ok(())
}
