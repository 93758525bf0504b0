//! The rate stage: every run's metered usage priced with the scenario's price books into a
//! bill of line items, and the bills assembled into the versioned report.

use super::assemble;
use super::error::{PipelineError, input};
use super::evidence::EvidenceReport;
use crate::cost::{RateOptions, rate};
use crate::pricing::Catalog;
use crate::report::Report;
use crate::scenario::Scenario;
use crate::sim::s3::PolicyRun;

/// Rates every run (loading the book of every region they use) into the versioned report.
pub fn report(
    sc: &Scenario,
    rep: &EvidenceReport,
    runs: &[PolicyRun],
    catalog: &mut Catalog,
) -> Result<Report, PipelineError> {
    for r in runs {
        for region in r.usage.regions() {
            catalog.ensure(&region).map_err(input)?;
        }
    }
    let mut bills = Vec::new();
    for r in runs {
        bills.push(rate(&r.usage, catalog, &RateOptions::default()).map_err(input)?);
    }
    Ok(assemble::report(sc, rep, runs, &bills))
}

/// What every report states whatever it holds: the price book (when no bill named it).
pub(crate) fn finish(report: &mut Report, catalog: &Catalog) {
    if report.pricing.is_none() {
        let home = catalog.home();
        report.pricing = Some(crate::report::model::PricingRecord {
            source: home.source.clone(),
            effective_date: home.effective_date.clone(),
            region: home.region.to_string(),
            files: home.files.clone(),
        });
    }
}
