//! Axes in the house style: the mesh of an `f64` chart, month and category tick labels.

use super::ChartError;
use super::common::{Area, Ctx, wrap};
use super::format::{weekday_day, ymd};
use super::style::{GRID, MUTED, TEXT, WHITE, text};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// A chart on plain `f64` coordinates.
pub(crate) type Chart2d<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// How the axes of an `f64` chart are labelled.
pub(crate) struct Axes<'a> {
    pub(crate) x_desc: &'a str,
    pub(crate) y_desc: &'a str,
    pub(crate) x_fmt: &'a dyn Fn(&f64) -> String,
    pub(crate) y_fmt: &'a dyn Fn(&f64) -> String,
    pub(crate) x_labels: usize,
    pub(crate) y_labels: usize,
    /// Vertical grid lines (off for bar charts).
    pub(crate) x_grid: bool,
}

/// Draws axes, ticks and a light horizontal grid in the house style.
pub(crate) fn mesh<DB: DrawingBackend>(
    chart: &mut Chart2d<'_, DB>,
    ctx: Ctx,
    axes: &Axes<'_>,
) -> Result<(), ChartError> {
    let mut m = chart.configure_mesh();
    m.bold_line_style(GRID)
        .light_line_style(WHITE)
        .axis_style(MUTED)
        .x_labels(axes.x_labels)
        .y_labels(axes.y_labels)
        .x_label_formatter(axes.x_fmt)
        .y_label_formatter(axes.y_fmt)
        .label_style(ctx.tick())
        .axis_desc_style(ctx.desc());
    if !axes.x_grid {
        m.disable_x_mesh();
    }
    if !axes.x_desc.is_empty() {
        m.x_desc(axes.x_desc);
    }
    if !axes.y_desc.is_empty() {
        m.y_desc(axes.y_desc);
    }
    m.draw()?;
    Ok(())
}

/// A tick formatter naming integer positions that are multiples of `step` by `labels[i]`
/// (blank elsewhere).
pub(crate) fn index_labels(labels: &[String], step: usize) -> impl Fn(&f64) -> String + '_ {
    move |v: &f64| {
        let r = v.round();
        if (v - r).abs() > 1e-6 || r < 0.0 || !(r as usize).is_multiple_of(step.max(1)) {
            return String::new();
        }
        labels.get(r as usize).cloned().unwrap_or_default()
    }
}

/// Tick count and label step for `n` monthly positions when `budget` labels fit: a tick per
/// month labelled every 1, 2, 3, 6 or 12 months while that is possible, else plotters' choice.
pub(crate) fn month_ticks(n: usize, budget: usize) -> (usize, usize) {
    if n <= 120 {
        for step in [1, 2, 3, 6, 12] {
            if n.div_ceil(step) <= budget.max(1) {
                return (n.max(1), step);
            }
        }
        (n.max(1), 24)
    } else {
        (budget, 1)
    }
}

/// How many tick labels `widest_px`-wide fit along `axis_px` with breathing room.
pub(crate) fn label_budget(axis_px: u32, widest_px: u32) -> usize {
    ((axis_px / (widest_px + 24).max(1)) as usize).clamp(1, 24)
}

/// Writes `labels[i]` (wrapped to up to three lines) centred under position `i` of an `f64`
/// chart whose x label area is tall enough (about 70 px at 1200×700). Positions are integers `0..labels.len()`.
pub(crate) fn x_categories<DB: DrawingBackend>(
    body: &Area<DB>,
    chart: &Chart2d<'_, DB>,
    ctx: Ctx,
    labels: &[String],
) -> Result<(), ChartError> {
    if labels.is_empty() {
        return Ok(());
    }
    let origin = body.get_base_pixel();
    let y0 = chart.y_range().start;
    let (l, _) = chart.backend_coord(&(0.0, y0));
    let slot = if labels.len() > 1 {
        (chart.backend_coord(&(1.0, y0)).0 - l).max(1) as u32
    } else {
        chart.plotting_area().dim_in_pixel().0
    };
    let style = ctx.tick();
    let line_h = ctx.px(19) as i32;
    for (i, label) in labels.iter().enumerate() {
        let (x, y) = chart.backend_coord(&(i as f64, y0));
        let lines = wrap(body, label, &style, slot.saturating_sub(ctx.px(8)), 3)?;
        for (k, line) in lines.iter().enumerate() {
            body.draw_text(
                line,
                &style.pos(Pos::new(HPos::Center, VPos::Top)),
                (
                    x - origin.0,
                    y - origin.1 + ctx.px(8) as i32 + k as i32 * line_h,
                ),
            )?;
        }
    }
    Ok(())
}

/// Date ticks under the x axis: each midnight for up to two weeks, each Monday-aligned week up
/// to four months, else month starts (thinned to fit).
pub(crate) fn time_ticks<DB: DrawingBackend>(
    body: &Area<DB>,
    chart: &super::axes::Chart2d<'_, DB>,
    ctx: Ctx,
    start: i64,
    span_hours: f64,
) -> Result<(), ChartError> {
    let days = (span_hours / 24.0).ceil() as i64;
    let first_midnight = start.div_euclid(86_400) + i64::from(start.rem_euclid(86_400) != 0);
    let mut ticks: Vec<(i64, String)> = Vec::new();
    for d in first_midnight..=start.div_euclid(86_400) + days {
        let t = d * 86_400;
        let label = if days <= 14 {
            weekday_day(t)
        } else if days <= 120 {
            if d.rem_euclid(7) != 4 {
                continue; // 1970-01-01 was a Thursday; day % 7 == 4 is a Monday.
            }
            weekday_day(t)
        } else {
            let s = ymd(t);
            if !s.ends_with("-01") {
                continue;
            }
            s[..7].to_string()
        };
        ticks.push((t, label));
    }
    let plot_w = chart.plotting_area().dim_in_pixel().0 as usize;
    let budget = (plot_w / ctx.px(110) as usize).max(1);
    let step = [1usize, 2, 3, 6, 12, 24, 60]
        .into_iter()
        .find(|s| ticks.len().div_ceil(*s) <= budget)
        .unwrap_or(120);
    let origin = body.get_base_pixel();
    let style = text(ctx.px(15), TEXT);
    for (t, label) in ticks.iter().step_by(step) {
        let x = (*t - start) as f64 / 3600.0;
        if x < 0.0 || x > span_hours {
            continue;
        }
        let y1 = chart.y_range().end;
        chart.plotting_area().draw(&PathElement::new(
            vec![(x, 0.0), (x, y1)],
            GRID.stroke_width(1),
        ))?;
        let (px, py) = chart.backend_coord(&(x, 0.0));
        // Keep labels at the ends of the axis inside the canvas.
        let half = body.estimate_text_size(label, &style)?.0 as i32 / 2;
        let right_edge = origin.0 + body.dim_in_pixel().0 as i32;
        let (hpos, lx) = if px + half > right_edge {
            (HPos::Right, px)
        } else if px - half < origin.0 {
            (HPos::Left, px)
        } else {
            (HPos::Center, px)
        };
        body.draw_text(
            label,
            &style.pos(Pos::new(hpos, VPos::Top)),
            (lx - origin.0, py - origin.1 + ctx.px(8) as i32),
        )?;
    }
    Ok(())
}
