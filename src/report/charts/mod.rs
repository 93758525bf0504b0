//! Charts, generic over the plotters backend: the same function draws the PNG and the SVG.
//!
//! This module owns the pictures of a report: plain input types (series of `f64` and `String`
//! labels, filled by the report layer from its typed report; money becomes `f64` only here), one
//! `draw_*` function per chart taking any `DrawingArea<DB, Shift>`, and helpers that render a
//! chart to an SVG string or to PNG bytes/files (written atomically).
//!
//! Conventions: text uses the embedded DejaVu Sans ([`FONT_FAMILY`], registered once), so PNGs
//! render on a machine without fonts; colours come from the Okabe–Ito colour-blind-safe palette;
//! money in labels is `$12,345.67`, on axes `$12.3k`; bytes are binary (GiB, TiB); output is
//! deterministic (same data ⇒ same bytes). Invalid inputs (NaN, negative quantities, empty
//! series) never panic: they are skipped or clamped and the chart says so in a footnote, or
//! shows an explicit "No data" message.

mod axes;
mod common;
mod compare;
mod compute;
mod cost_bars;
mod format;
mod montecarlo;
mod png;
mod reads;
mod render;
mod storage;
mod style;
mod values;
mod waterfall;

pub use compare::{PolicyBar, PolicyComparisonData, PolicyKind, draw_policy_comparison};
pub use compute::{
    ComputeData, ComputeLayer, PurchaseKind, draw_compute_horizon, draw_compute_week,
};
pub use cost_bars::{MonthlyCostData, PolicyMonthlyCost, draw_monthly_cost};
pub use format::{
    format_bytes, format_count_short, format_percent, format_usd_f64, format_usd_short,
};
pub use montecarlo::{MonteCarloData, draw_monte_carlo, percentile};
pub use png::{decode_png_rgb, encode_png_rgb};
pub use reads::{AgeBand, ReadsByAgeData, draw_reads_by_age};
pub use render::{
    DEFAULT_HEIGHT, DEFAULT_WIDTH, render_png, render_png_bytes, render_rgb, render_svg,
};
pub use storage::{StorageClassSeries, StorageData, draw_storage_by_class};
pub use style::{FONT_FAMILY, OKABE_ITO, ensure_font, palette_color};
pub use waterfall::{WaterfallData, WaterfallStep, draw_waterfall};

use plotters::drawing::DrawingAreaErrorKind;

/// Why a chart could not be drawn or written.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// The plotting backend failed (e.g. a font could not be loaded).
    #[error("drawing the chart failed: {0}")]
    Drawing(String),
    /// The embedded font was rejected by the font rasteriser.
    #[error("the embedded DejaVu font could not be registered")]
    Font,
    /// The requested image size is unusable.
    #[error("chart size {width}×{height} is invalid: both sides must be between 16 and 16384 px")]
    Size { width: u32, height: u32 },
    /// Writing the rendered file failed.
    #[error("writing chart {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for ChartError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        ChartError::Drawing(e.to_string())
    }
}
