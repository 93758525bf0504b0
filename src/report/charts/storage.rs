//! Bytes stored by storage class over time (stacked area), for one policy.

use super::ChartError;
use super::axes::{Axes, index_labels, label_budget, mesh, month_ticks};
use super::common::{Area, Swatch, begin, footnote, legend, no_data, text_width};
use super::format::{byte_unit, format_bytes};
use super::style::{WHITE, palette_color};
use super::values::{Clean, nice_upper};
use plotters::prelude::*;

/// Input of [`draw_storage_by_class`]: one policy's stored bytes per class per month. The
/// report layer draws one chart per policy (the reader selects the policy).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StorageData {
    pub title: String,
    /// The policy shown, named in the subtitle.
    pub policy: String,
    /// One label per month, e.g. `2025-01`.
    pub months: Vec<String>,
    /// Storage classes, drawn bottom to top.
    pub classes: Vec<StorageClassSeries>,
}

/// Average bytes stored in one class, per month.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StorageClassSeries {
    pub class: String,
    /// Bytes (not GiB) per month; missing months count as zero.
    pub bytes: Vec<f64>,
}

/// Draws stored bytes as stacked areas by storage class, in binary units (GiB/TiB/PiB chosen
/// from the peak).
pub fn draw_storage_by_class<DB: DrawingBackend>(
    area: &Area<DB>,
    data: &StorageData,
) -> Result<(), ChartError> {
    let policy = if data.policy.trim().is_empty() {
        "(unnamed policy)"
    } else {
        data.policy.as_str()
    };
    let subtitle = format!("Policy: {policy} · bytes stored at each month end, stacked by class");
    let (body, ctx) = begin(area, &data.title, &subtitle)?;
    let n = data.months.len();
    if n == 0 || data.classes.is_empty() {
        return no_data(&body, ctx, "no months or storage classes in the input");
    }

    let mut clean = Clean::default();
    let mut base = vec![0f64; n];
    let mut layers = Vec::with_capacity(data.classes.len());
    for class in &data.classes {
        let mut layer = Vec::with_capacity(n);
        for (m, b) in base.iter_mut().enumerate() {
            let v = clean.qty(class.bytes.get(m).copied().unwrap_or(0.0));
            layer.push((*b, *b + v));
            *b += v;
        }
        layers.push(layer);
    }
    let peak = base.iter().copied().fold(0f64, f64::max);
    let (div, unit) = byte_unit(peak);

    let mut notes = Vec::new();
    if let Some(n) = clean.note() {
        notes.push(n);
    }
    if peak > 0.0 {
        notes.push(format!(
            "Peak {} · binary units: 1 GiB = 2^30 bytes, 1 TiB = 2^40 bytes.",
            format_bytes(peak)
        ));
    } else {
        notes.push("Nothing is stored in any month.".to_string());
    }
    let body = footnote(&body, ctx, Some(&notes.join(" ")))?;
    let items: Vec<(String, Swatch)> = data
        .classes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.class.clone(), Swatch::Fill(palette_color(i))))
        .collect();
    let body = legend(&body, ctx, &items)?;

    // A single month is drawn as a flat band so it stays visible.
    let (x0, x1) = if n == 1 {
        (-0.5, 0.5)
    } else {
        (0.0, (n - 1) as f64)
    };
    let xs: Vec<f64> = if n == 1 {
        vec![-0.4, 0.4]
    } else {
        (0..n).map(|i| i as f64).collect()
    };
    let at = |i: usize| if n == 1 { 0 } else { i };

    let mut chart = ChartBuilder::on(&body)
        .margin(ctx.px(12))
        .margin_right(ctx.px(30))
        .x_label_area_size(ctx.px(56))
        .y_label_area_size(ctx.px(84))
        .build_cartesian_2d(x0..x1, 0f64..nice_upper(peak / div))?;
    let widest = data
        .months
        .iter()
        .map(|m| text_width(area, m, &ctx.tick()))
        .try_fold(0u32, |acc, w| w.map(|w| acc.max(w)))?;
    let plot_w = chart.plotting_area().dim_in_pixel().0;
    let (x_labels, step) = month_ticks(n, label_budget(plot_w, widest));
    let x_fmt = index_labels(&data.months, step);
    let y_fmt = |v: &f64| trim_num(*v);
    let y_desc = format!("Stored ({unit})");
    mesh(
        &mut chart,
        ctx,
        &Axes {
            x_desc: "Month",
            y_desc: &y_desc,
            x_fmt: &x_fmt,
            y_fmt: &y_fmt,
            x_labels,
            y_labels: 6,
            x_grid: false,
        },
    )?;
    for (c, layer) in layers.iter().enumerate() {
        if layer.iter().all(|(b, t)| t <= b) {
            continue;
        }
        let mut pts: Vec<(f64, f64)> = xs
            .iter()
            .enumerate()
            .map(|(i, &x)| (x, layer[at(i)].1 / div))
            .collect();
        pts.extend(
            xs.iter()
                .enumerate()
                .rev()
                .map(|(i, &x)| (x, layer[at(i)].0 / div)),
        );
        chart.draw_series(std::iter::once(Polygon::new(
            pts,
            palette_color(c).filled(),
        )))?;
        let top: Vec<(f64, f64)> = xs
            .iter()
            .enumerate()
            .map(|(i, &x)| (x, layer[at(i)].1 / div))
            .collect();
        chart.draw_series(std::iter::once(PathElement::new(
            top,
            WHITE.stroke_width(1),
        )))?;
    }
    Ok(())
}

/// A tick value without float noise: `1.5`, `20`, `0.25`.
pub(crate) fn trim_num(v: f64) -> String {
    let s = format!("{:.3}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}
