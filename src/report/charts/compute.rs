//! Compute: hourly demand against the stacked RI / Savings Plan / Spot / On-Demand capacity,
//! as a one-week zoom and over the whole horizon.

use super::ChartError;
use super::axes::{Axes, mesh};
use super::common::{Area, Swatch, begin, footnote, legend, no_data};
use super::format::{format_percent, ymd};
use super::storage::trim_num;
use super::style::{BLACK, BLUE, GREEN, ORANGE, SKY, palette_color};
use super::values::{MAX_VALUE, nice_upper};
use plotters::prelude::*;

const HOURS_PER_WEEK: usize = 168;
/// Above this many hours the horizon view shows daily averages.
const HOURLY_LIMIT: usize = 24 * 45;

/// How a capacity layer is bought; decides its colour.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PurchaseKind {
    ReservedInstance,
    SavingsPlan,
    Spot,
    #[default]
    OnDemand,
    Other,
}

impl PurchaseKind {
    fn color(self, i: usize) -> RGBColor {
        match self {
            PurchaseKind::ReservedInstance => BLUE,
            PurchaseKind::SavingsPlan => SKY,
            PurchaseKind::Spot => GREEN,
            PurchaseKind::OnDemand => ORANGE,
            PurchaseKind::Other => palette_color(i + 5),
        }
    }
}

/// One stacked capacity layer.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ComputeLayer {
    pub name: String,
    pub kind: PurchaseKind,
    /// Capacity used from this layer in each hour, in [`ComputeData::unit`].
    pub capacity: Vec<f64>,
}

/// Input of [`draw_compute_week`] and [`draw_compute_horizon`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ComputeData {
    pub title: String,
    /// Capacity unit, e.g. `vCPUs` or `instances`.
    pub unit: String,
    /// Unix time (seconds, UTC) of the first hour.
    pub start_epoch: i64,
    /// Demand per hour, in `unit`.
    pub demand: Vec<f64>,
    /// Layers drawn bottom to top (usually RI, Savings Plan, Spot, On-Demand).
    pub layers: Vec<ComputeLayer>,
}

/// Draws the week starting at hour `first_hour` (hourly resolution).
pub fn draw_compute_week<DB: DrawingBackend>(
    area: &Area<DB>,
    data: &ComputeData,
    first_hour: usize,
) -> Result<(), ChartError> {
    let hours = hours(data);
    let from = first_hour.min(hours);
    let to = (from + HOURS_PER_WEEK).min(hours);
    draw(area, data, from, to, 1)
}

/// Draws every hour of the horizon; above 45 days, as daily averages.
pub fn draw_compute_horizon<DB: DrawingBackend>(
    area: &Area<DB>,
    data: &ComputeData,
) -> Result<(), ChartError> {
    let hours = hours(data);
    let bucket = if hours > HOURLY_LIMIT { 24 } else { 1 };
    draw(area, data, 0, hours, bucket)
}

fn hours(data: &ComputeData) -> usize {
    data.layers
        .iter()
        .map(|l| l.capacity.len())
        .chain(std::iter::once(data.demand.len()))
        .max()
        .unwrap_or(0)
}

fn value(v: Option<&f64>, bad: &mut usize) -> f64 {
    match v.copied() {
        Some(x) if x.is_finite() && (0.0..=MAX_VALUE).contains(&x) => x,
        Some(_) => {
            *bad += 1;
            0.0
        }
        None => 0.0,
    }
}

fn draw<DB: DrawingBackend>(
    area: &Area<DB>,
    data: &ComputeData,
    from: usize,
    to: usize,
    bucket: usize,
) -> Result<(), ChartError> {
    let unit = if data.unit.trim().is_empty() {
        "capacity units"
    } else {
        data.unit.trim()
    };
    let start = data.start_epoch.saturating_add(from as i64 * 3600);
    let span_days = (to - from).div_ceil(24);
    let res = if bucket == 1 {
        "hourly"
    } else {
        "daily averages"
    };
    let subtitle = if to > from {
        format!(
            "{unit} from {} for {span_days} day{} ({res}): demand (line) against capacity by purchase option (stacked)",
            ymd(start),
            if span_days == 1 { "" } else { "s" }
        )
    } else {
        format!("{unit}: demand against capacity by purchase option")
    };
    let (body, ctx) = begin(area, &data.title, &subtitle)?;
    if to <= from || (data.layers.is_empty() && data.demand.is_empty()) {
        return no_data(&body, ctx, "no hours of demand or capacity in the input");
    }

    // Aggregate into buckets: mean capacity per layer, mean and peak demand.
    let mut bad = 0usize;
    let nb = (to - from).div_ceil(bucket);
    let mut layers = vec![vec![0f64; nb]; data.layers.len()];
    let mut demand = vec![0f64; nb];
    let mut peak = vec![0f64; nb];
    let mut totals = vec![0f64; data.layers.len()];
    for b in 0..nb {
        let (h0, h1) = (from + b * bucket, (from + (b + 1) * bucket).min(to));
        let len = (h1 - h0) as f64;
        for h in h0..h1 {
            let d = value(data.demand.get(h), &mut bad);
            demand[b] += d / len;
            peak[b] = peak[b].max(d);
            for (l, layer) in data.layers.iter().enumerate() {
                let v = value(layer.capacity.get(h), &mut bad);
                layers[l][b] += v / len;
                totals[l] += v;
            }
        }
    }
    let mut top_of_stack = vec![0f64; nb];
    let mut stacked = Vec::with_capacity(layers.len());
    for layer in &layers {
        let pairs: Vec<(f64, f64)> = layer
            .iter()
            .zip(top_of_stack.iter_mut())
            .map(|(v, t)| {
                let p = (*t, *t + v);
                *t += v;
                p
            })
            .collect();
        stacked.push(pairs);
    }
    let ymax = top_of_stack
        .iter()
        .chain(&demand)
        .copied()
        .fold(0f64, f64::max);

    let grand: f64 = totals.iter().sum();
    let mut notes = Vec::new();
    if grand > 0.0 {
        let shares: Vec<String> = data
            .layers
            .iter()
            .zip(&totals)
            .map(|(l, t)| format!("{} {}", l.name.trim(), format_percent(t / grand)))
            .collect();
        notes.push(format!("Share of capacity-hours: {}.", shares.join(", ")));
    }
    if bucket > 1 {
        let (b, p) =
            peak.iter().copied().enumerate().fold(
                (0, 0f64),
                |acc, (b, p)| if p > acc.1 { (b, p) } else { acc },
            );
        let day = start.saturating_add((b * bucket) as i64 * 3600);
        notes.push(format!(
            "Hourly peak {} {unit} on {}.",
            trim_num((p * 10.0).round() / 10.0),
            ymd(day)
        ));
    }
    if bad > 0 {
        notes.push(format!(
            "{bad} non-numeric, negative or out-of-range value(s) drawn as zero."
        ));
    }
    let note = (!notes.is_empty()).then(|| notes.join(" "));
    let body = footnote(&body, ctx, note.as_deref())?;
    let mut items: Vec<(String, Swatch)> = data
        .layers
        .iter()
        .enumerate()
        .map(|(i, l)| (l.name.clone(), Swatch::Fill(l.kind.color(i))))
        .collect();
    let demand_name = if bucket == 1 {
        "Demand"
    } else {
        "Demand (daily average)"
    };
    items.push((demand_name.to_string(), Swatch::Line(BLACK)));
    let body = legend(&body, ctx, &items)?;

    let span = (to - from) as f64;
    let y_fmt = |v: &f64| trim_num(*v);
    let x_fmt = |_: &f64| String::new();
    let y_desc = unit.to_string();
    let mut chart = ChartBuilder::on(&body)
        .margin(ctx.px(12))
        .margin_right(ctx.px(30))
        .x_label_area_size(ctx.px(56))
        .y_label_area_size(ctx.px(84))
        .build_cartesian_2d(0f64..span, 0f64..nice_upper(ymax))?;
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

    super::axes::time_ticks(&body, &chart, ctx, start, span)?;
    // Step shapes: bucket b covers [b*bucket, (b+1)*bucket) hours from the window start.
    let edge = |b: usize| ((b * bucket) as f64).min(span);
    let steps = |vals: &mut dyn Iterator<Item = f64>| -> Vec<(f64, f64)> {
        vals.enumerate()
            .flat_map(|(b, v)| [(edge(b), v), (edge(b + 1), v)])
            .collect()
    };
    for (l, pairs) in stacked.iter().enumerate() {
        if pairs.iter().all(|(a, z)| z <= a) {
            continue;
        }
        let mut pts = steps(&mut pairs.iter().map(|p| p.1));
        let mut lower = steps(&mut pairs.iter().map(|p| p.0));
        lower.reverse();
        pts.extend(lower);
        let color = data.layers[l].kind.color(l);
        chart.draw_series(std::iter::once(Polygon::new(pts, color.filled())))?;
    }
    let pts = steps(&mut demand.iter().copied());
    chart.draw_series(std::iter::once(PathElement::new(
        pts,
        BLACK.stroke_width(ctx.px(2)),
    )))?;
    Ok(())
}
