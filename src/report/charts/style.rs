//! Fonts, colours and text styles shared by every chart.

use super::ChartError;
use plotters::style::{FontStyle, IntoFont, RGBColor, TextStyle};
use std::sync::OnceLock;

/// The font family every chart uses. PNG text is rasterised from the embedded DejaVu Sans; in
/// SVG the name is a CSS font list, so a browser without DejaVu falls back to its sans-serif.
pub const FONT_FAMILY: &str = "DejaVu Sans, sans-serif";

/// Okabe–Ito colour-blind-safe palette (Okabe & Ito 2008), in the order series use it; the last
/// entry replaces the palette's black with a dark grey so stacked layers stay distinguishable.
pub const OKABE_ITO: [RGBColor; 8] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(230, 159, 0),   // orange
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(240, 228, 66),  // yellow
    RGBColor(90, 90, 90),    // dark grey
];

pub(crate) const BLUE: RGBColor = OKABE_ITO[0];
pub(crate) const ORANGE: RGBColor = OKABE_ITO[1];
pub(crate) const GREEN: RGBColor = OKABE_ITO[2];
pub(crate) const VERMILLION: RGBColor = OKABE_ITO[3];
pub(crate) const SKY: RGBColor = OKABE_ITO[4];
pub(crate) const PURPLE: RGBColor = OKABE_ITO[5];
pub(crate) const BLACK: RGBColor = RGBColor(0, 0, 0);
pub(crate) const TEXT: RGBColor = RGBColor(34, 34, 34);
pub(crate) const MUTED: RGBColor = RGBColor(100, 100, 100);
pub(crate) const GRID: RGBColor = RGBColor(225, 225, 225);
pub(crate) const WHITE: RGBColor = RGBColor(255, 255, 255);

/// The colour of series `i`: the palette, then lighter tints of it for series 9 and up.
pub fn palette_color(i: usize) -> RGBColor {
    let base = OKABE_ITO[i % OKABE_ITO.len()];
    let round = (i / OKABE_ITO.len()).min(3) as u32;
    if round == 0 {
        return base;
    }
    // Blend towards white by 30 %, 50 %, 65 %.
    let t = [0, 30, 50, 65][round as usize];
    let mix = |c: u8| -> u8 { ((c as u32 * (100 - t) + 255 * t) / 100) as u8 };
    RGBColor(mix(base.0), mix(base.1), mix(base.2))
}

static FONT_OK: OnceLock<bool> = OnceLock::new();

/// Registers the embedded DejaVu Sans (regular and bold) under [`FONT_FAMILY`], once per
/// process. Every `draw_*` function calls this itself; callers drawing their own text with
/// [`FONT_FAMILY`] on a bitmap should call it first.
pub fn ensure_font() -> Result<(), ChartError> {
    let ok = *FONT_OK.get_or_init(|| {
        let regular =
            plotters::style::register_font(FONT_FAMILY, FontStyle::Normal, dejavu::sans::regular());
        let bold =
            plotters::style::register_font(FONT_FAMILY, FontStyle::Bold, dejavu::sans::bold());
        regular.is_ok() && bold.is_ok()
    });
    if ok { Ok(()) } else { Err(ChartError::Font) }
}

/// Regular text of `size` px in `color`.
pub(crate) fn text(size: u32, color: RGBColor) -> TextStyle<'static> {
    (FONT_FAMILY, size as f64).into_font().color(&color)
}

/// Bold text of `size` px in `color`.
pub(crate) fn bold(size: u32, color: RGBColor) -> TextStyle<'static> {
    (FONT_FAMILY, size as f64, FontStyle::Bold)
        .into_font()
        .color(&color)
}

/// Black or white, whichever reads better on `bg`.
pub(crate) fn ink_on(bg: RGBColor) -> RGBColor {
    let l = 0.299 * bg.0 as f64 + 0.587 * bg.1 as f64 + 0.114 * bg.2 as f64;
    if l > 150.0 { BLACK } else { WHITE }
}
