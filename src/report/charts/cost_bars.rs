//! Monthly cost by category, stacked bars, one small panel per policy on a shared scale.

use super::ChartError;
use super::axes::{Axes, index_labels, label_budget, mesh, month_ticks};
use super::common::{Area, Swatch, begin, fit, footnote, legend, no_data, text_width};
use super::format::{format_usd_f64, format_usd_short};
use super::style::{TEXT, bold, palette_color};
use super::values::{Clean, nice_upper};
use plotters::prelude::*;

/// At most this many policy panels are drawn; the rest are named in a footnote.
const MAX_PANELS: usize = 9;

/// Input of [`draw_monthly_cost`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MonthlyCostData {
    pub title: String,
    /// One label per month, e.g. `2025-01`.
    pub months: Vec<String>,
    /// Cost categories (storage, requests, retrieval, …), drawn bottom to top.
    pub categories: Vec<String>,
    pub policies: Vec<PolicyMonthlyCost>,
}

/// One policy's monthly cost.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PolicyMonthlyCost {
    pub name: String,
    /// `cost[category][month]` in USD; missing entries count as zero.
    pub cost: Vec<Vec<f64>>,
}

/// Draws monthly cost per category as stacked bars, one panel per policy, all panels on the
/// same y scale so heights compare across policies.
pub fn draw_monthly_cost<DB: DrawingBackend>(
    area: &Area<DB>,
    data: &MonthlyCostData,
) -> Result<(), ChartError> {
    let n_months = data.months.len();
    let subtitle = format!(
        "USD per month, stacked by cost category; every panel uses the same scale ({} month{})",
        n_months,
        if n_months == 1 { "" } else { "s" }
    );
    let (body, ctx) = begin(area, &data.title, &subtitle)?;
    if n_months == 0 || data.categories.is_empty() || data.policies.is_empty() {
        return no_data(&body, ctx, "no months, categories or policies in the input");
    }

    // Clean values and stack tops: stacks[p][c][m] = (bottom, top).
    let mut clean = Clean::default();
    let shown = &data.policies[..data.policies.len().min(MAX_PANELS)];
    let mut stacks = Vec::with_capacity(shown.len());
    let mut totals = Vec::with_capacity(shown.len());
    let mut ymax = 0f64;
    for p in shown {
        let mut base = vec![0f64; n_months];
        let mut layers = Vec::with_capacity(data.categories.len());
        for c in 0..data.categories.len() {
            let row = p.cost.get(c);
            let mut layer = Vec::with_capacity(n_months);
            for (m, b) in base.iter_mut().enumerate() {
                let v = clean.qty(row.and_then(|r| r.get(m)).copied().unwrap_or(0.0));
                layer.push((*b, *b + v));
                *b += v;
            }
            layers.push(layer);
        }
        totals.push(base.iter().sum::<f64>());
        ymax = base.iter().copied().fold(ymax, f64::max);
        stacks.push(layers);
    }

    let mut notes = Vec::new();
    if let Some(n) = clean.note() {
        notes.push(n);
    }
    if data.policies.len() > shown.len() {
        notes.push(format!(
            "{} more policies not drawn (at most {MAX_PANELS} panels).",
            data.policies.len() - shown.len()
        ));
    }
    if ymax <= 0.0 {
        notes.push("All costs are zero.".to_string());
    }
    let note = (!notes.is_empty()).then(|| notes.join(" "));
    let body = footnote(&body, ctx, note.as_deref())?;
    let items: Vec<(String, Swatch)> = data
        .categories
        .iter()
        .enumerate()
        .map(|(i, c)| (c.clone(), Swatch::Fill(palette_color(i))))
        .collect();
    let body = legend(&body, ctx, &items)?;

    let n = shown.len();
    let cols = match n {
        1 => 1,
        2..=4 => 2,
        _ => 3,
    };
    let rows = n.div_ceil(cols);
    let panels = body.split_evenly((rows, cols));
    let top = nice_upper(ymax);
    let y_fmt = |v: &f64| format_usd_short(*v);
    let widest = data
        .months
        .iter()
        .map(|m| text_width(area, m, &ctx.tick()))
        .try_fold(0u32, |acc, w| w.map(|w| acc.max(w)))?;
    let cap_style = bold(ctx.px(17), TEXT);
    for ((p, layers), (panel, total)) in shown.iter().zip(&stacks).zip(panels.iter().zip(&totals)) {
        let (pw, _) = panel.dim_in_pixel();
        let caption = format!(" — total {}", format_usd_f64(*total));
        let name_px = pw
            .saturating_sub(text_width(area, &caption, &cap_style)?)
            .saturating_sub(ctx.px(30));
        let caption = format!("{}{caption}", fit(area, &p.name, &cap_style, name_px)?);
        let mut chart = ChartBuilder::on(panel)
            .caption(caption, cap_style.clone())
            .margin(ctx.px(10))
            .x_label_area_size(ctx.px(32))
            .y_label_area_size(ctx.px(84))
            .build_cartesian_2d(-0.5f64..n_months as f64 - 0.5, 0f64..top)?;
        let plot_w = chart.plotting_area().dim_in_pixel().0;
        let (x_labels, step) = month_ticks(n_months, label_budget(plot_w, widest));
        let x_fmt = index_labels(&data.months, step);
        mesh(
            &mut chart,
            ctx,
            &Axes {
                x_desc: "",
                y_desc: "USD per month",
                x_fmt: &x_fmt,
                y_fmt: &y_fmt,
                x_labels,
                y_labels: 6,
                x_grid: false,
            },
        )?;
        let half = if n_months > 60 { 0.5 } else { 0.38 };
        for (c, layer) in layers.iter().enumerate() {
            let color = palette_color(c);
            chart.draw_series(layer.iter().enumerate().filter(|(_, (b, t))| t > b).map(
                |(m, (b, t))| {
                    let x = m as f64;
                    Rectangle::new([(x - half, *b), (x + half, *t)], color.filled())
                },
            ))?;
        }
    }
    Ok(())
}
