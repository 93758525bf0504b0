//! Policy comparison: one horizontal bar per policy, with its cost and saving versus a named
//! baseline.

use super::ChartError;
use super::common::{Area, begin, fit, footnote, no_data, text_width};
use super::format::{format_percent, format_usd_f64, format_usd_short};
use super::style::{GREEN, GRID, MUTED, ORANGE, PURPLE, SKY, TEXT, WHITE, bold, ink_on, text};
use super::values::{MAX_VALUE, nice_upper};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// What a compared policy is; decides its colour and notes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PolicyKind {
    Current,
    Recommended,
    IntelligentTiering,
    AllStandard,
    /// The clairvoyant lower bound (perfect knowledge of future reads): a floor, not a policy.
    ClairvoyantBound,
    #[default]
    Other,
}

impl PolicyKind {
    fn color(self) -> RGBColor {
        match self {
            PolicyKind::Current => RGBColor(90, 90, 90),
            PolicyKind::Recommended => GREEN,
            PolicyKind::IntelligentTiering => SKY,
            PolicyKind::AllStandard => ORANGE,
            PolicyKind::ClairvoyantBound => PURPLE,
            PolicyKind::Other => super::style::BLUE,
        }
    }
}

/// One bar of [`draw_policy_comparison`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PolicyBar {
    pub name: String,
    pub kind: PolicyKind,
    /// Cost in USD over [`PolicyComparisonData::period`].
    pub cost: f64,
}

/// Input of [`draw_policy_comparison`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PolicyComparisonData {
    pub title: String,
    /// What the costs cover, e.g. `per year` or `over 36 months`.
    pub period: String,
    /// Name of the bar savings are measured against (usually the current policy).
    pub baseline: String,
    /// Bars, drawn top to bottom in this order.
    pub bars: Vec<PolicyBar>,
}

/// Draws one horizontal bar per policy labelled with its cost and its saving (or extra cost)
/// relative to the baseline bar.
pub fn draw_policy_comparison<DB: DrawingBackend>(
    area: &Area<DB>,
    data: &PolicyComparisonData,
) -> Result<(), ChartError> {
    let period = data.period.trim();
    let base = data
        .bars
        .iter()
        .find(|b| b.name == data.baseline)
        .map(|b| b.cost)
        .filter(|c| c.is_finite() && *c > 0.0 && *c <= MAX_VALUE);
    let subtitle = match base {
        Some(_) => format!("Cost {period}; saving relative to “{}”", data.baseline),
        None => format!("Cost {period}"),
    };
    let (body, ctx) = begin(area, &data.title, &subtitle)?;
    if data.bars.is_empty() {
        return no_data(&body, ctx, "no policies to compare");
    }

    let mut notes = Vec::new();
    let invalid = data.bars.iter().filter(|b| !valid(b.cost)).count();
    if invalid > 0 {
        notes.push(format!(
            "{invalid} polic{} without a valid cost (shown as n/a).",
            if invalid == 1 { "y" } else { "ies" }
        ));
    }
    if base.is_none() && !data.baseline.trim().is_empty() {
        notes.push(format!(
            "No saving shown: baseline “{}” has no positive cost in the chart.",
            data.baseline
        ));
    }
    if data
        .bars
        .iter()
        .any(|b| b.kind == PolicyKind::ClairvoyantBound)
    {
        notes.push("Clairvoyant bound = cost with perfect knowledge of future reads; a floor no real policy reaches.".to_string());
    }
    let note = (!notes.is_empty()).then(|| notes.join(" "));
    let body = footnote(&body, ctx, note.as_deref())?;

    let n = data.bars.len();
    let (w, _) = body.dim_in_pixel();
    let name_style = text(ctx.px(16), TEXT);
    let label_w = data
        .bars
        .iter()
        .map(|b| text_width(area, &b.name, &name_style))
        .try_fold(0u32, |acc, w| w.map(|w| acc.max(w)))?
        .min(w * 3 / 10)
        .max(ctx.px(40))
        + ctx.px(16);
    let max = data
        .bars
        .iter()
        .map(|b| b.cost)
        .filter(|c| valid(*c))
        .fold(0f64, f64::max);
    let x_desc = if period.is_empty() {
        "USD".to_string()
    } else {
        format!("USD {period}")
    };
    let mut chart = ChartBuilder::on(&body)
        .margin(ctx.px(12))
        .margin_right(ctx.px(30))
        .x_label_area_size(ctx.px(56))
        .y_label_area_size(label_w)
        .build_cartesian_2d(0f64..nice_upper(max), 0f64..n as f64)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .bold_line_style(GRID)
        .light_line_style(WHITE)
        .axis_style(MUTED)
        .x_labels(8)
        .y_labels(0)
        .x_label_formatter(&|v| format_usd_short(*v))
        .label_style(ctx.tick())
        .axis_desc_style(ctx.desc())
        .x_desc(x_desc)
        .draw()?;

    let origin = body.get_base_pixel();
    let plot_right = chart.backend_coord(&(nice_upper(max), 0.0)).0;
    let value_style = bold(ctx.px(15), TEXT);
    let thick = if n > 12 { 0.4 } else { 0.3 };
    for (i, bar) in data.bars.iter().enumerate() {
        let yc = n as f64 - i as f64 - 0.5;
        let (x0, yp) = chart.backend_coord(&(0.0, yc));
        let name = fit(area, &bar.name, &name_style, label_w - ctx.px(16))?;
        body.draw_text(
            &name,
            &name_style.pos(Pos::new(HPos::Right, VPos::Center)),
            (x0 - origin.0 - ctx.px(10) as i32, yp - origin.1),
        )?;
        let valid = valid(bar.cost);
        let color = bar.kind.color();
        if valid {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, yc - thick), (bar.cost, yc + thick)],
                color.filled(),
            )))?;
        }
        let label = if !valid {
            "n/a".to_string()
        } else {
            match base {
                Some(_) if bar.name == data.baseline => {
                    format!("{} · baseline", format_usd_f64(bar.cost))
                }
                Some(b) => {
                    let s = (b - bar.cost) / b;
                    let pct = format_percent(s.abs());
                    if s >= 0.0005 {
                        format!("{} · saves {pct}", format_usd_f64(bar.cost))
                    } else if s <= -0.0005 {
                        format!("{} · costs {pct} more", format_usd_f64(bar.cost))
                    } else {
                        format!("{} · same as baseline", format_usd_f64(bar.cost))
                    }
                }
                None => format_usd_f64(bar.cost),
            }
        };
        let end = if valid {
            chart.backend_coord(&(bar.cost, yc)).0
        } else {
            x0
        };
        let lw = text_width(area, &label, &value_style)? as i32;
        let pad = ctx.px(8) as i32;
        let (x, style) = if end + pad + lw <= plot_right || end - x0 < lw + 2 * pad {
            (
                end + pad,
                value_style.pos(Pos::new(HPos::Left, VPos::Center)),
            )
        } else {
            (
                end - pad,
                bold(ctx.px(15), ink_on(color)).pos(Pos::new(HPos::Right, VPos::Center)),
            )
        };
        body.draw_text(&label, &style, (x - origin.0, yp - origin.1))?;
    }
    Ok(())
}

fn valid(cost: f64) -> bool {
    cost.is_finite() && (0.0..=MAX_VALUE).contains(&cost)
}
