//! Layout helpers shared by the charts: title block, legend, footnote, "no data" panel, label
//! cleaning and truncation, value sanitising and axis bounds.

use super::ChartError;
use super::style::{GRID, MUTED, TEXT, WHITE, bold, ensure_font, text};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub(crate) type Area<DB> = DrawingArea<DB, Shift>;

/// Longest label kept before pixel truncation (protects layout maths from megabyte strings).
const MAX_LABEL_CHARS: usize = 200;

/// Text scale of one chart: sizes are designed for 1200×700 and scale with the canvas.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ctx {
    s: f64,
}

impl Ctx {
    pub(crate) fn for_area<DB: DrawingBackend>(area: &Area<DB>) -> Ctx {
        let (w, h) = area.dim_in_pixel();
        let s = (w as f64 / 1200.0).min(h as f64 / 700.0).clamp(0.55, 2.5);
        Ctx { s }
    }
    /// `base` pixels at 1200×700, scaled to this canvas.
    pub(crate) fn px(self, base: u32) -> u32 {
        ((base as f64 * self.s).round() as u32).max(1)
    }
    pub(crate) fn tick(self) -> TextStyle<'static> {
        text(self.px(15), TEXT)
    }
    pub(crate) fn desc(self) -> TextStyle<'static> {
        text(self.px(16), TEXT)
    }
}

/// Replaces control characters (newlines, tabs, escapes) and characters XML 1.0 forbids
/// (U+FFFE, U+FFFF: an SVG holding one is not a well-formed document) with spaces, trims, and
/// caps length. Every text drawn from inputs goes through here; the SVG backend escapes
/// `& < > " '` itself.
pub(crate) fn clean_label(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_control() || !crate::output::escape::xml_allows(c) {
                ' '
            } else {
                c
            }
        })
        .take(MAX_LABEL_CHARS)
        .collect();
    if s.chars().count() > MAX_LABEL_CHARS {
        out.push('…');
    }
    out.trim().to_string()
}

/// Width in pixels of `s` drawn in `style`.
pub(crate) fn text_width<DB: DrawingBackend>(
    area: &Area<DB>,
    s: &str,
    style: &TextStyle,
) -> Result<u32, ChartError> {
    if s.is_empty() {
        return Ok(0);
    }
    Ok(area.estimate_text_size(s, style)?.0)
}

/// `s`, cleaned and shortened with "…" until it fits in `max_px`.
pub(crate) fn fit<DB: DrawingBackend>(
    area: &Area<DB>,
    s: &str,
    style: &TextStyle,
    max_px: u32,
) -> Result<String, ChartError> {
    let s = clean_label(s);
    if text_width(area, &s, style)? <= max_px {
        return Ok(s);
    }
    let chars: Vec<char> = s.chars().collect();
    let (mut lo, mut hi) = (0usize, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let cand: String = chars[..mid]
            .iter()
            .collect::<String>()
            .trim_end()
            .to_string()
            + "…";
        if text_width(area, &cand, style)? <= max_px {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    if lo == 0 {
        return Ok(String::new());
    }
    Ok(chars[..lo]
        .iter()
        .collect::<String>()
        .trim_end()
        .to_string()
        + "…")
}

/// Splits `s` into at most `max_lines` lines that fit in `max_px` (words kept whole when
/// possible; the last line is truncated with "…").
pub(crate) fn wrap<DB: DrawingBackend>(
    area: &Area<DB>,
    s: &str,
    style: &TextStyle,
    max_px: u32,
    max_lines: usize,
) -> Result<Vec<String>, ChartError> {
    let mut rest = clean_label(s);
    let mut lines = Vec::new();
    while lines.len() + 1 < max_lines.max(1) && text_width(area, &rest, style)? > max_px {
        let words: Vec<&str> = rest.split(' ').collect();
        let mut line = String::new();
        let mut used = 0;
        for (i, w) in words.iter().enumerate() {
            let cand = if line.is_empty() {
                w.to_string()
            } else {
                format!("{line} {w}")
            };
            if text_width(area, &cand, style)? > max_px {
                break;
            }
            line = cand;
            used = i + 1;
        }
        if used == 0 {
            break; // a single word too long for a line: truncate it below
        }
        lines.push(line);
        rest = words[used..].join(" ");
    }
    lines.push(fit(area, &rest, style, max_px)?);
    Ok(lines)
}

/// Clears the canvas, draws the title and an optional subtitle, and returns the area below.
pub(crate) fn begin<DB: DrawingBackend>(
    area: &Area<DB>,
    title: &str,
    subtitle: &str,
) -> Result<(Area<DB>, Ctx), ChartError> {
    ensure_font()?;
    area.fill(&WHITE)?;
    let ctx = Ctx::for_area(area);
    let (w, _) = area.dim_in_pixel();
    let left = ctx.px(20) as i32;
    let max = w.saturating_sub(2 * ctx.px(20));
    let title_style = bold(ctx.px(26), TEXT);
    let title = if title.trim().is_empty() {
        "Chart".to_string()
    } else {
        title.to_string()
    };
    let title = fit(area, &title, &title_style, max)?;
    let mut y = ctx.px(14) as i32;
    area.draw_text(&title, &title_style, (left, y))?;
    y += ctx.px(34) as i32;
    let sub = clean_label(subtitle);
    if !sub.is_empty() {
        let st = text(ctx.px(16), MUTED);
        let sub = fit(area, &sub, &st, max)?;
        area.draw_text(&sub, &st, (left, y))?;
        y += ctx.px(26) as i32;
    }
    let (_, body) = area.split_vertically(y + ctx.px(4) as i32);
    Ok((body, ctx))
}

/// How a legend entry is marked.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Swatch {
    Fill(RGBColor),
    Line(RGBColor),
}

/// Draws a wrapping one-line-per-row legend at the top of `area`; returns the area below it.
pub(crate) fn legend<DB: DrawingBackend>(
    area: &Area<DB>,
    ctx: Ctx,
    items: &[(String, Swatch)],
) -> Result<Area<DB>, ChartError> {
    if items.is_empty() {
        return Ok(area.clone());
    }
    let style = text(ctx.px(15), TEXT);
    let (w, _) = area.dim_in_pixel();
    let left = ctx.px(20) as i32;
    let right = w as i32 - ctx.px(20) as i32;
    let sw = ctx.px(16) as i32;
    let gap = ctx.px(8) as i32;
    let spacing = ctx.px(26) as i32;
    let row_h = ctx.px(24) as i32;
    let max_label = ((right - left).max(0) as u32 / 2).max(ctx.px(60));
    let mut placed = Vec::with_capacity(items.len());
    let (mut x, mut row) = (left, 0i32);
    for (label, swatch) in items {
        let label = fit(area, label, &style, max_label)?;
        let width = sw + gap + text_width(area, &label, &style)? as i32;
        if x > left && x + width > right {
            x = left;
            row += 1;
        }
        placed.push((x, row, label, *swatch));
        x += width + spacing;
    }
    let height = (row + 1) * row_h + ctx.px(6) as i32;
    let (top, rest) = area.split_vertically(height);
    for (x, row, label, swatch) in placed {
        let cy = row * row_h + row_h / 2;
        match swatch {
            Swatch::Fill(c) => top.draw(&Rectangle::new(
                [(x, cy - sw / 2), (x + sw, cy + sw / 2)],
                c.filled(),
            ))?,
            Swatch::Line(c) => top.draw(&Rectangle::new(
                [(x, cy - ctx.px(2) as i32), (x + sw, cy + ctx.px(2) as i32)],
                c.filled(),
            ))?,
        }
        let st = style.pos(Pos::new(HPos::Left, VPos::Center));
        top.draw_text(&label, &st, (x + sw + gap, cy))?;
    }
    Ok(rest)
}

/// Reserves a line at the bottom of `area` for `note` (if any); returns the area above it.
pub(crate) fn footnote<DB: DrawingBackend>(
    area: &Area<DB>,
    ctx: Ctx,
    note: Option<&str>,
) -> Result<Area<DB>, ChartError> {
    let Some(note) = note else {
        return Ok(area.clone());
    };
    let (w, h) = area.dim_in_pixel();
    let line = ctx.px(26) as i32;
    let (top, bottom) = area.split_vertically(h as i32 - line);
    let style = text(ctx.px(14), MUTED);
    let note = fit(area, note, &style, w.saturating_sub(2 * ctx.px(20)))?;
    bottom.draw_text(
        &note,
        &style.pos(Pos::new(HPos::Left, VPos::Center)),
        (ctx.px(20) as i32, line / 2),
    )?;
    Ok(top)
}

/// Draws an explicit, honest "no data" panel filling `area`.
pub(crate) fn no_data<DB: DrawingBackend>(
    area: &Area<DB>,
    ctx: Ctx,
    reason: &str,
) -> Result<(), ChartError> {
    let (w, h) = area.dim_in_pixel();
    let m = ctx.px(20) as i32;
    area.draw(&Rectangle::new(
        [(m, m / 2), (w as i32 - m, h as i32 - m / 2)],
        GRID.stroke_width(2),
    ))?;
    let cx = w as i32 / 2;
    let cy = h as i32 / 2;
    let head = bold(ctx.px(22), MUTED).pos(Pos::new(HPos::Center, VPos::Center));
    area.draw_text("No data to chart", &head, (cx, cy - ctx.px(16) as i32))?;
    let st = text(ctx.px(16), MUTED);
    let reason = fit(area, reason, &st, w.saturating_sub(4 * m as u32))?;
    let st = st.pos(Pos::new(HPos::Center, VPos::Center));
    area.draw_text(&reason, &st, (cx, cy + ctx.px(18) as i32))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_cleaned() {
        assert_eq!(clean_label(" a\nb\t"), "a b");
        let long = "x".repeat(1000);
        assert_eq!(clean_label(&long).chars().count(), MAX_LABEL_CHARS + 1);
    }

    #[test]
    fn long_labels_fit_with_an_ellipsis() {
        use plotters::prelude::{IntoDrawingArea, SVGBackend};
        ensure_font().unwrap();
        let mut out = String::new();
        let area = SVGBackend::with_string(&mut out, (400, 300)).into_drawing_area();
        let style = text(15, TEXT);
        let long = "a-very-long-prefix/".repeat(20);
        let short = fit(&area, &long, &style, 200).unwrap();
        assert!(short.ends_with('…'));
        assert!(text_width(&area, &short, &style).unwrap() <= 200);
        assert_eq!(fit(&area, "ok", &style, 200).unwrap(), "ok");
        assert_eq!(fit(&area, "wide", &style, 1).unwrap(), "");
        let lines = wrap(&area, "one two three four five six seven", &style, 60, 3).unwrap();
        assert!(lines.len() <= 3 && lines.len() > 1, "{lines:?}");
        for l in &lines {
            assert!(text_width(&area, l, &style).unwrap() <= 60, "{l}");
        }
    }
}
