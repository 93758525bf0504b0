//! Monte Carlo cost distribution: a histogram of simulated totals with p50 and p95 marked.

use super::ChartError;
use super::axes::{Axes, mesh};
use super::common::{Area, Swatch, begin, footnote, legend, no_data};
use super::format::{format_usd_f64, format_usd_short};
use super::storage::trim_num;
use super::style::{BLACK, SKY, TEXT, VERMILLION, bold};
use super::values::{MAX_VALUE, nice_upper};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Input of [`draw_monte_carlo`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MonteCarloData {
    pub title: String,
    /// What a sample covers, e.g. `per year`.
    pub period: String,
    /// Simulated total costs in USD, one per run. Non-finite and negative samples are dropped.
    pub samples: Vec<f64>,
    /// The median to mark; computed with [`percentile`] when `None`. Pass the report's own
    /// value so the chart and the text agree.
    pub p50: Option<f64>,
    /// The 95th percentile to mark; computed with [`percentile`] when `None`.
    pub p95: Option<f64>,
}

/// Nearest-rank percentile (`p` in 0..=100) of the finite, non-negative samples (at most 1e200); `None` when
/// there are none.
pub fn percentile(samples: &[f64], p: f64) -> Option<f64> {
    let mut v: Vec<f64> = samples
        .iter()
        .copied()
        .filter(|x| x.is_finite() && (0.0..=MAX_VALUE).contains(x))
        .collect();
    if v.is_empty() || !p.is_finite() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let rank = ((p.clamp(0.0, 100.0) / 100.0) * v.len() as f64).ceil() as usize;
    Some(v[rank.clamp(1, v.len()) - 1])
}

/// Draws the histogram of simulated costs (share of runs per cost bin) with the p50 and p95
/// lines labelled in full dollars.
pub fn draw_monte_carlo<DB: DrawingBackend>(
    area: &Area<DB>,
    data: &MonteCarloData,
) -> Result<(), ChartError> {
    let good: Vec<f64> = data
        .samples
        .iter()
        .copied()
        .filter(|x| x.is_finite() && (0.0..=MAX_VALUE).contains(x))
        .collect();
    let dropped = data.samples.len() - good.len();
    let period = data.period.trim();
    let subtitle = format!(
        "Total cost {period} across {} simulated run{}; 1 run in 20 costs more than p95",
        good.len(),
        if good.len() == 1 { "" } else { "s" }
    );
    let (body, ctx) = begin(area, &data.title, &subtitle)?;
    if good.is_empty() {
        let why = if dropped > 0 {
            format!("all {dropped} samples were not numbers or negative")
        } else {
            "no simulated runs in the input".to_string()
        };
        return no_data(&body, ctx, &why);
    }
    let p50 = data
        .p50
        .filter(|v| v.is_finite())
        .or_else(|| percentile(&good, 50.0));
    let p95 = data
        .p95
        .filter(|v| v.is_finite())
        .or_else(|| percentile(&good, 95.0));

    let mut lo = good.iter().copied().fold(f64::INFINITY, f64::min);
    let mut hi = good.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    for v in [p50, p95].into_iter().flatten() {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if hi - lo < 1e-9 * hi.abs().max(1.0) {
        let pad = (hi.abs() * 0.05).max(1.0);
        lo -= pad;
        hi += pad;
    }
    let bins = ((good.len() as f64).sqrt().ceil() as usize).clamp(5, 50);
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0usize; bins];
    for v in &good {
        let b = (((v - lo) / width).floor() as usize).min(bins - 1);
        counts[b] += 1;
    }
    let share: Vec<f64> = counts
        .iter()
        .map(|c| *c as f64 * 100.0 / good.len() as f64)
        .collect();
    let top = nice_upper(share.iter().copied().fold(0f64, f64::max));

    let note = (dropped > 0).then(|| {
        format!("Note: {dropped} sample(s) dropped because they were not numbers, negative or out of range.")
    });
    let body = footnote(&body, ctx, note.as_deref())?;
    let items = [
        (
            "Share of runs in each cost bin".to_string(),
            Swatch::Fill(SKY),
        ),
        ("p50 (median)".to_string(), Swatch::Line(BLACK)),
        ("p95".to_string(), Swatch::Line(VERMILLION)),
    ];
    let body = legend(&body, ctx, &items)?;

    let margin = (hi - lo) * 0.04;
    let (x0, x1) = (lo - margin, hi + margin);
    let x_desc = if period.is_empty() {
        "Total cost (USD)".to_string()
    } else {
        format!("Total cost {period} (USD)")
    };
    // Short ticks ($2.7k) only when they stay distinct: a narrow spread around a large cost
    // needs the full amount on every tick.
    let narrow = (x1 - x0) < x1.abs() * 0.05;
    let x_fmt = |v: &f64| {
        if narrow {
            format_usd_f64(*v)
        } else {
            format_usd_short(*v)
        }
    };
    let y_fmt = |v: &f64| format!("{}%", trim_num(*v));
    let mut chart = ChartBuilder::on(&body)
        .margin(ctx.px(12))
        .margin_right(ctx.px(30))
        .margin_top(ctx.px(50))
        .x_label_area_size(ctx.px(56))
        .y_label_area_size(ctx.px(84))
        .build_cartesian_2d(x0..x1, 0f64..top)?;
    mesh(
        &mut chart,
        ctx,
        &Axes {
            x_desc: &x_desc,
            y_desc: "Share of simulated runs",
            x_fmt: &x_fmt,
            y_fmt: &y_fmt,
            x_labels: 8,
            y_labels: 6,
            x_grid: false,
        },
    )?;
    chart.draw_series(
        share
            .iter()
            .enumerate()
            .filter(|(_, s)| **s > 0.0)
            .map(|(i, s)| {
                let a = lo + i as f64 * width;
                Rectangle::new([(a, 0.0), (a + width, *s)], SKY.filled())
            }),
    )?;
    chart.draw_series(
        share
            .iter()
            .enumerate()
            .filter(|(_, s)| **s > 0.0)
            .map(|(i, s)| {
                let a = lo + i as f64 * width;
                Rectangle::new(
                    [(a, 0.0), (a + width, *s)],
                    RGBColor(255, 255, 255).stroke_width(1),
                )
            }),
    )?;

    let origin = body.get_base_pixel();
    let (plot_l, plot_r) = {
        let r = chart.plotting_area().get_pixel_range();
        (r.0.start, r.0.end)
    };
    let marks = [
        (p50, "p50", BLACK, HPos::Right),
        (p95, "p95", VERMILLION, HPos::Left),
    ];
    for (k, (v, name, color, side)) in marks.into_iter().enumerate() {
        let Some(v) = v else { continue };
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(v, 0.0), (v, top)],
            color.stroke_width(ctx.px(3)),
        )))?;
        let label = format!("{name} {}", format_usd_f64(v));
        let style = bold(ctx.px(16), if k == 0 { TEXT } else { color });
        let lw = area.estimate_text_size(&label, &style)?.0 as i32;
        let (x, y) = chart.backend_coord(&(v, top));
        let pad = ctx.px(8) as i32;
        // Prefer the given side of the line; flip when the label would leave the plot.
        let (side, flipped) = match side {
            HPos::Right if x - pad - lw < plot_l => (HPos::Left, true),
            HPos::Left if x + pad + lw > plot_r => (HPos::Right, true),
            s => (s, false),
        };
        let lx = if matches!(side, HPos::Right) {
            x - pad
        } else {
            x + pad
        };
        // Both labels sit above the plot; a flipped one moves up a row so they never overlap.
        let row = if flipped { 2 } else { 1 };
        let ly = y - origin.1 - row * ctx.px(20) as i32 + ctx.px(6) as i32;
        body.draw_text(
            &label,
            &style.pos(Pos::new(side, VPos::Center)),
            (lx - origin.0, ly),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 50.0), Some(50.0));
        assert_eq!(percentile(&v, 95.0), Some(95.0));
        assert_eq!(percentile(&v, 0.0), Some(1.0));
        assert_eq!(percentile(&[f64::NAN, -1.0], 50.0), None);
        assert_eq!(percentile(&[7.0], 95.0), Some(7.0));
    }
}
