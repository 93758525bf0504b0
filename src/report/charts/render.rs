//! Rendering a chart function to SVG text, an RGB buffer, PNG bytes or a PNG file.

use super::ChartError;
use super::png::encode_png_rgb;
use super::style::ensure_font;
use plotters::coord::Shift;
use plotters::prelude::{BitMapBackend, DrawingArea, IntoDrawingArea, SVGBackend};
use std::path::Path;

/// Default chart width in pixels.
pub const DEFAULT_WIDTH: u32 = 1200;
/// Default chart height in pixels.
pub const DEFAULT_HEIGHT: u32 = 700;

const MIN_SIDE: u32 = 16;
const MAX_SIDE: u32 = 16_384;

fn check_size(width: u32, height: u32) -> Result<(), ChartError> {
    let ok = |s: u32| (MIN_SIDE..=MAX_SIDE).contains(&s);
    if ok(width) && ok(height) {
        Ok(())
    } else {
        Err(ChartError::Size { width, height })
    }
}

/// Draws with `f` on a `width`×`height` SVG canvas and returns the document.
///
/// ```ignore
/// let svg = render_svg(1200, 700, |area| draw_waterfall(area, &data))?;
/// ```
pub fn render_svg<F>(width: u32, height: u32, f: F) -> Result<String, ChartError>
where
    F: FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), ChartError>,
{
    check_size(width, height)?;
    ensure_font()?;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (width, height)).into_drawing_area();
        f(&root)?;
        root.present()?;
    }
    Ok(out)
}

/// Draws with `f` on a `width`×`height` bitmap and returns its RGB pixels (3 bytes per pixel,
/// rows top to bottom).
pub fn render_rgb<F>(width: u32, height: u32, f: F) -> Result<Vec<u8>, ChartError>
where
    F: FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> Result<(), ChartError>,
{
    check_size(width, height)?;
    ensure_font()?;
    let mut buf = vec![255u8; width as usize * height as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (width, height)).into_drawing_area();
        f(&root)?;
        root.present()?;
    }
    Ok(buf)
}

/// Draws with `f` on a `width`×`height` bitmap and returns it encoded as PNG.
pub fn render_png_bytes<F>(width: u32, height: u32, f: F) -> Result<Vec<u8>, ChartError>
where
    F: FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> Result<(), ChartError>,
{
    let rgb = render_rgb(width, height, f)?;
    encode_png_rgb(width, height, &rgb)
}

/// Draws with `f` and writes the PNG to `path` atomically (temporary file in the same directory,
/// then rename): a reader never sees a half-written image.
pub fn render_png<F>(path: &Path, width: u32, height: u32, f: F) -> Result<(), ChartError>
where
    F: FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> Result<(), ChartError>,
{
    let png = render_png_bytes(width, height, f)?;
    crate::output::write_atomic(path, &png).map_err(|source| ChartError::Io {
        path: path.display().to_string(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_checked_and_blank_canvases_render() {
        assert!(matches!(
            render_svg(0, 700, |_| Ok(())),
            Err(ChartError::Size { .. })
        ));
        assert!(render_png_bytes(20_000, 10, |_| Ok(())).is_err());
        let rgb = render_rgb(16, 16, |_| Ok(())).unwrap();
        assert_eq!(rgb.len(), 16 * 16 * 3);
        ensure_font().unwrap();
        ensure_font().unwrap(); // idempotent
    }
}
