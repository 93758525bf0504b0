//! A hand-written month of usage rated (`costlab estimate`): the usage file read, its region
//! reconciled with the one asked for and with the pricing file's, every region's book loaded,
//! and the usage rated with the discounts given.

use super::error::{PipelineError, input};
use crate::aws::Region;
use crate::cost::{Bill, RateOptions, rate};
use crate::meter::read_usage_file;
use crate::pricing::Catalog;
use crate::tomlx::Doc;
use std::path::Path;

/// Rates the usage file `text` (named `name` in messages) with the book of `region` or the
/// pricing file `pricing` (default: the region the file declares, else us-east-1).
pub fn estimate(
    name: &str,
    text: &str,
    pricing: Option<&Path>,
    region: Option<&str>,
    opts: &RateOptions,
) -> Result<Bill, PipelineError> {
    let declared = {
        let doc = Doc::parse(name, text).map_err(input)?;
        let root = doc.root();
        match root.string("region").map_err(input)? {
            Some(r) => Some(Region::parse(r).map_err(|m| input(root.err("region", m)))?),
            None => None,
        }
    };
    let region = match (region, &declared) {
        (Some(flag), Some(file)) if flag != file.as_str() => {
            return Err(input(format!(
                "--region {flag} disagrees with the usage file's region = {file:?}; drop one"
            )));
        }
        (Some(flag), _) => Some(flag.to_string()),
        (None, Some(file)) if pricing.is_none() => Some(file.to_string()),
        _ => None,
    };
    let mut catalog = Catalog::open(pricing, region.as_deref()).map_err(input)?;
    if let (Some(file), Some(_)) = (&declared, pricing)
        && file != &catalog.home().region
    {
        return Err(input(format!(
            "the usage file is for {file} but the pricing file is the {} book",
            catalog.home().region
        )));
    }
    let home = catalog.home().region.clone();
    let rules = catalog.home().rules.clone();
    let usage = read_usage_file(name, text, &rules, &home).map_err(input)?;
    for r in usage.regions() {
        catalog.ensure(&r).map_err(input)?;
    }
    rate(&usage, &catalog, opts).map_err(input)
}
