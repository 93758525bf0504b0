//! Reads by object-age band: how many reads hit objects of each age.

use super::ChartError;
use super::axes::{Axes, mesh, x_categories};
use super::common::{Area, begin, footnote, no_data, text_width};
use super::format::{format_count_short, format_percent};
use super::style::{BLUE, TEXT, bold};
use super::values::{Clean, nice_upper};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Input of [`draw_reads_by_age`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReadsByAgeData {
    pub title: String,
    /// What is counted, e.g. `GET requests per month` (the y axis title).
    pub unit: String,
    /// Age bands from youngest to oldest.
    pub bands: Vec<AgeBand>,
}

/// One age band, e.g. `0–30 days`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AgeBand {
    pub label: String,
    pub reads: f64,
}

/// Draws one bar per age band with its count and share of all reads.
pub fn draw_reads_by_age<DB: DrawingBackend>(
    area: &Area<DB>,
    data: &ReadsByAgeData,
) -> Result<(), ChartError> {
    let unit = if data.unit.trim().is_empty() {
        "Reads"
    } else {
        data.unit.trim()
    };
    let subtitle = format!("{unit}, by the age of the object when it was read");
    let (body, ctx) = begin(area, &data.title, &subtitle)?;
    if data.bands.is_empty() {
        return no_data(&body, ctx, "no age bands in the input");
    }
    let mut clean = Clean::default();
    let values: Vec<f64> = data.bands.iter().map(|b| clean.qty(b.reads)).collect();
    let total: f64 = values.iter().sum();
    let max = values.iter().copied().fold(0f64, f64::max);
    let mut notes: Vec<String> = clean.note().into_iter().collect();
    if total <= 0.0 {
        notes.push("No reads in any band.".to_string());
    }
    let note = (!notes.is_empty()).then(|| notes.join(" "));
    let body = footnote(&body, ctx, note.as_deref())?;

    let n = data.bands.len();
    let y_fmt = |v: &f64| format_count_short(*v);
    let x_fmt = |_: &f64| String::new();
    let mut chart = ChartBuilder::on(&body)
        .margin(ctx.px(12))
        .margin_right(ctx.px(30))
        .x_label_area_size(ctx.px(72))
        .y_label_area_size(ctx.px(84))
        .build_cartesian_2d(-0.5f64..n as f64 - 0.5, 0f64..nice_upper(max))?;
    mesh(
        &mut chart,
        ctx,
        &Axes {
            x_desc: "",
            y_desc: unit,
            x_fmt: &x_fmt,
            y_fmt: &y_fmt,
            x_labels: 0,
            y_labels: 6,
            x_grid: false,
        },
    )?;
    chart.draw_series(
        values
            .iter()
            .enumerate()
            .filter(|(_, v)| **v > 0.0)
            .map(|(i, v)| {
                let x = i as f64;
                Rectangle::new([(x - 0.35, 0.0), (x + 0.35, *v)], BLUE.filled())
            }),
    )?;
    let labels: Vec<String> = data.bands.iter().map(|b| b.label.clone()).collect();
    x_categories(&body, &chart, ctx, &labels)?;

    // Count and share above each bar, when it fits.
    let origin = body.get_base_pixel();
    let style = bold(ctx.px(15), TEXT);
    let slot = chart.plotting_area().dim_in_pixel().0 / n as u32;
    for (i, v) in values.iter().enumerate() {
        let share = if total > 0.0 { v / total } else { 0.0 };
        let mut label = format!("{} ({})", format_count_short(*v), format_percent(share));
        if text_width(area, &label, &style)? > slot {
            label = format_count_short(*v);
            if text_width(area, &label, &style)? > slot {
                continue;
            }
        }
        let (x, y) = chart.backend_coord(&(i as f64, *v));
        body.draw_text(
            &label,
            &style.pos(Pos::new(HPos::Center, VPos::Bottom)),
            (x - origin.0, y - origin.1 - ctx.px(6) as i32),
        )?;
    }
    Ok(())
}
