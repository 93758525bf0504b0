//! One CSV row per line item, with the month; amounts as exact decimals.

use super::Exporter;
use crate::cost::{Bill, LineItem};
use crate::units::Month;
use std::io::{self, Write};

pub struct Csv;

pub use super::views::LINE_HEADER as HEADER;

/// The CSV fields of one line item of `month`, in `HEADER` order.
pub fn line_record(month: Month, l: &LineItem) -> [String; 15] {
    super::views::line_fields(&month.to_string(), &super::model::Line::from(l))
}

impl Exporter for Csv {
    fn export(&self, bill: &Bill, out: &mut dyn Write) -> io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(HEADER)?;
        for m in &bill.months {
            for l in &m.lines {
                w.write_record(line_record(m.month, l))?;
            }
        }
        w.flush()
    }
}
