//! Exporters: one trait over a rated `Bill`, with JSON (versioned, stable), CSV (one row per
//! line item) and a human table. Files are written atomically (temp file + rename).

pub mod charts;
pub mod compute_view;
mod csv_out;
pub mod figures;
pub mod folder;
pub mod future_view;
pub mod html;
mod json;
pub mod markdown;
pub mod model;
pub mod recommendation;
pub mod summary;
mod table;
pub mod views;

pub use csv_out::{HEADER as CSV_HEADER, line_record as csv_line_record};
pub use json::{bill_json, num as decimal_json};
pub use model::Report;
pub use recommendation::table as recommendation_table;
pub use views::View;

use crate::cost::Bill;
use std::io::{self, Write};

/// The version of the JSON document; bumped only on breaking change.
pub const SCHEMA_VERSION: u32 = 1;

/// Writes a bill in one format.
pub trait Exporter {
    fn export(&self, bill: &Bill, out: &mut dyn Write) -> io::Result<()>;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

pub fn exporter(format: Format) -> Box<dyn Exporter> {
    match format {
        Format::Table => Box::new(table::Table),
        Format::Json => Box::new(json::Json),
        Format::Csv => Box::new(csv_out::Csv),
    }
}
