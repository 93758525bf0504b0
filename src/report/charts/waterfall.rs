//! Savings waterfall: from the cost today through each change to the recommended cost.

use super::ChartError;
use super::axes::{Axes, mesh, x_categories};
use super::common::{Area, Swatch, begin, footnote, legend, no_data, text_width};
use super::format::{format_usd_f64, format_usd_short};
use super::style::{BLUE, GREEN, MUTED, TEXT, VERMILLION, bold};
use super::values::{MAX_VALUE, nice_upper};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Differences smaller than half a cent are rounding, not a change.
const CENT: f64 = 0.005;

/// Input of [`draw_waterfall`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WaterfallData {
    pub title: String,
    /// What the costs cover, e.g. `per year`.
    pub period: String,
    /// First bar, e.g. `Cost today`.
    pub start_label: String,
    pub start: f64,
    /// Changes in order; a negative delta is a saving.
    pub steps: Vec<WaterfallStep>,
    /// Last bar, e.g. `Recommended`.
    pub end_label: String,
    /// The end total. When the steps do not add up to it, the gap is drawn as an explicit
    /// "Other (unexplained)" step so the chart never silently disagrees with the report.
    pub end: f64,
}

/// One change between the start and the end cost.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WaterfallStep {
    pub label: String,
    /// USD; negative saves money.
    pub delta: f64,
}

enum Bar {
    Total(f64),
    Step { from: f64, to: f64 },
}

/// Draws the waterfall: a total bar, one floating bar per change (green saves, vermillion
/// adds), and the final total bar, each labelled in full dollars.
pub fn draw_waterfall<DB: DrawingBackend>(
    area: &Area<DB>,
    data: &WaterfallData,
) -> Result<(), ChartError> {
    let period = data.period.trim();
    let subtitle = format!("How the cost {period} gets from today to the recommendation");
    let (body, ctx) = begin(area, &data.title, &subtitle)?;
    let ok = |v: f64| v.is_finite() && v.abs() <= MAX_VALUE;
    if !ok(data.start) {
        return no_data(&body, ctx, "the starting cost is not a number");
    }
    let label = |s: &str, d: &str| {
        if s.trim().is_empty() {
            d.to_string()
        } else {
            s.to_string()
        }
    };
    let mut labels = vec![label(&data.start_label, "Cost today")];
    let mut bars = vec![Bar::Total(data.start)];
    let mut running = data.start;
    let mut skipped = 0;
    for s in &data.steps {
        if !ok(s.delta) {
            skipped += 1;
            continue;
        }
        labels.push(s.label.clone());
        bars.push(Bar::Step {
            from: running,
            to: running + s.delta,
        });
        running += s.delta;
    }
    let end = if ok(data.end) { data.end } else { running };
    let mut notes = Vec::new();
    if (end - running).abs() > CENT {
        labels.push("Other (unexplained)".to_string());
        bars.push(Bar::Step {
            from: running,
            to: end,
        });
        notes.push(format!(
            "The listed changes add up to {}, not {}; the gap is shown as “Other”.",
            format_usd_f64(running),
            format_usd_f64(end)
        ));
    }
    if skipped > 0 {
        notes.push(format!(
            "{skipped} change(s) without a numeric amount omitted."
        ));
    }
    if !ok(data.end) {
        notes.push("End cost was not a number; the sum of the changes is shown.".to_string());
    }
    labels.push(label(&data.end_label, "Recommended"));
    bars.push(Bar::Total(end));

    let note = (!notes.is_empty()).then(|| notes.join(" "));
    let body = footnote(&body, ctx, note.as_deref())?;
    let items = [
        ("Total cost".to_string(), Swatch::Fill(BLUE)),
        ("Saving".to_string(), Swatch::Fill(GREEN)),
        ("Added cost".to_string(), Swatch::Fill(VERMILLION)),
    ];
    let body = legend(&body, ctx, &items)?;

    let (mut lo, mut hi) = (0f64, 0f64);
    for b in &bars {
        let (a, z) = match b {
            Bar::Total(v) => (0.0, *v),
            Bar::Step { from, to } => (*from, *to),
        };
        lo = lo.min(a.min(z));
        hi = hi.max(a.max(z));
    }
    let y0 = if lo < 0.0 { -nice_upper(-lo) } else { 0.0 };
    let y1 = nice_upper(hi);
    let n = bars.len();
    let y_desc = if period.is_empty() {
        "USD".to_string()
    } else {
        format!("USD {period}")
    };
    let x_fmt = |_: &f64| String::new();
    let y_fmt = |v: &f64| format_usd_short(*v);
    let mut chart = ChartBuilder::on(&body)
        .margin(ctx.px(12))
        .margin_right(ctx.px(30))
        .margin_top(ctx.px(24))
        .x_label_area_size(ctx.px(72))
        .y_label_area_size(ctx.px(84))
        .build_cartesian_2d(-0.5f64..n as f64 - 0.5, y0..y1)?;
    mesh(
        &mut chart,
        ctx,
        &Axes {
            x_desc: "",
            y_desc: &y_desc,
            x_fmt: &x_fmt,
            y_fmt: &y_fmt,
            x_labels: 0,
            y_labels: 6,
            x_grid: false,
        },
    )?;
    let half = 0.36;
    let origin = body.get_base_pixel();
    let slot = chart.plotting_area().dim_in_pixel().0 / n as u32;
    let value_style = bold(ctx.px(15), TEXT);
    for (i, b) in bars.iter().enumerate() {
        let x = i as f64;
        let (a, z, color, text) = match b {
            Bar::Total(v) => (0.0, *v, BLUE, format_usd_f64(*v)),
            Bar::Step { from, to } => {
                let d = to - from;
                let color = if d <= 0.0 { GREEN } else { VERMILLION };
                let sign = if d > 0.0 { "+" } else { "" };
                (*from, *to, color, format!("{sign}{}", format_usd_f64(d)))
            }
        };
        if (z - a).abs() > 0.0 {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x - half, a), (x + half, z)],
                color.filled(),
            )))?;
        } else {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(x - half, a), (x + half, a)],
                color.stroke_width(2),
            )))?;
        }
        // Connector to the next bar at the running level.
        if i + 1 < n {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(x + half, z), (x + 1.0 - half, z)],
                MUTED.stroke_width(1),
            )))?;
        }
        let mut text = text;
        if text_width(area, &text, &value_style)? > slot {
            let sign = if matches!(b, Bar::Step { from, to } if to > from) {
                "+"
            } else {
                ""
            };
            text = format!("{sign}{}", format_usd_short(z - a));
        }
        let (px, py) = chart.backend_coord(&(x, a.max(z)));
        body.draw_text(
            &text,
            &value_style.pos(Pos::new(HPos::Center, VPos::Bottom)),
            (px - origin.0, py - origin.1 - ctx.px(6) as i32),
        )?;
    }
    x_categories(&body, &chart, ctx, &labels)?;
    Ok(())
}
