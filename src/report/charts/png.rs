//! A small, deterministic PNG codec for 8-bit RGB images (what the bitmap backend draws):
//! per-row adaptive filtering, zlib via `flate2`, no timestamps or other varying chunks.

use super::ChartError;
use flate2::Compression;
use flate2::Crc;
use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use std::io::{Read, Write};

const SIGNATURE: [u8; 8] = [137, 80, 78, 71, 13, 10, 26, 10];

/// Encodes a `width`×`height` RGB buffer (3 bytes per pixel, rows top to bottom) as PNG.
pub fn encode_png_rgb(width: u32, height: u32, rgb: &[u8]) -> Result<Vec<u8>, ChartError> {
    let stride = width as usize * 3;
    if width == 0 || height == 0 || rgb.len() != stride * height as usize {
        return Err(ChartError::Size { width, height });
    }
    let mut raw = Vec::with_capacity((stride + 1) * height as usize);
    let zero = vec![0u8; stride];
    let mut cand = vec![0u8; stride];
    let mut best = vec![0u8; stride];
    for y in 0..height as usize {
        let row = &rgb[y * stride..(y + 1) * stride];
        let prev = if y == 0 {
            &zero[..]
        } else {
            &rgb[(y - 1) * stride..y * stride]
        };
        let mut best_kind = 0u8;
        let mut best_score = u64::MAX;
        for kind in 0..5u8 {
            filter_row(kind, row, prev, &mut cand);
            let score: u64 = cand.iter().map(|&b| (b as i8).unsigned_abs() as u64).sum();
            if score < best_score {
                best_score = score;
                best_kind = kind;
                best.copy_from_slice(&cand);
            }
        }
        raw.push(best_kind);
        raw.extend_from_slice(&best);
    }
    let io = |e: std::io::Error| ChartError::Io {
        path: "<png in memory>".to_string(),
        source: e,
    };
    let mut z = ZlibEncoder::new(Vec::new(), Compression::default());
    z.write_all(&raw).map_err(io)?;
    let idat = z.finish().map_err(io)?;

    let mut out = Vec::with_capacity(idat.len() + 64);
    out.extend_from_slice(&SIGNATURE);
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit, truecolour, deflate, adaptive, no interlace
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &idat);
    chunk(&mut out, b"IEND", &[]);
    Ok(out)
}

/// Decodes a PNG written by [`encode_png_rgb`] (8-bit RGB, not interlaced) into
/// `(width, height, rgb)`; `None` for anything else. Meant for tests and sanity checks.
pub fn decode_png_rgb(png: &[u8]) -> Option<(u32, u32, Vec<u8>)> {
    if png.get(..8)? != SIGNATURE {
        return None;
    }
    let mut pos = 8;
    let (mut w, mut h) = (0u32, 0u32);
    let mut idat = Vec::new();
    while pos + 8 <= png.len() {
        let len = u32::from_be_bytes(png[pos..pos + 4].try_into().ok()?) as usize;
        let kind = &png[pos + 4..pos + 8];
        let data = png.get(pos + 8..pos + 8 + len)?;
        match kind {
            b"IHDR" => {
                w = u32::from_be_bytes(data.get(0..4)?.try_into().ok()?);
                h = u32::from_be_bytes(data.get(4..8)?.try_into().ok()?);
                if data.get(8..13)? != [8, 2, 0, 0, 0] {
                    return None;
                }
            }
            b"IDAT" => idat.extend_from_slice(data),
            b"IEND" => break,
            _ => {}
        }
        pos += 12 + len;
    }
    let mut raw = Vec::new();
    ZlibDecoder::new(&idat[..]).read_to_end(&mut raw).ok()?;
    let stride = w as usize * 3;
    if w == 0 || raw.len() != (stride + 1) * h as usize {
        return None;
    }
    let mut out = vec![0u8; stride * h as usize];
    for y in 0..h as usize {
        let kind = raw[y * (stride + 1)];
        let line = &raw[y * (stride + 1) + 1..(y + 1) * (stride + 1)];
        let (done, rest) = out.split_at_mut(y * stride);
        let prev: &[u8] = if y == 0 {
            &[]
        } else {
            &done[(y - 1) * stride..]
        };
        let cur = &mut rest[..stride];
        for i in 0..stride {
            let a = if i >= 3 { cur[i - 3] } else { 0 };
            let b = prev.get(i).copied().unwrap_or(0);
            let c = if i >= 3 {
                prev.get(i - 3).copied().unwrap_or(0)
            } else {
                0
            };
            let pred = match kind {
                0 => 0,
                1 => a,
                2 => b,
                3 => ((a as u16 + b as u16) / 2) as u8,
                4 => paeth(a, b, c),
                _ => return None,
            };
            cur[i] = line[i].wrapping_add(pred);
        }
    }
    Some((w, h, out))
}

fn filter_row(kind: u8, row: &[u8], prev: &[u8], out: &mut [u8]) {
    for i in 0..row.len() {
        let a = if i >= 3 { row[i - 3] } else { 0 };
        let b = prev[i];
        let c = if i >= 3 { prev[i - 3] } else { 0 };
        let pred = match kind {
            0 => 0,
            1 => a,
            2 => b,
            3 => ((a as u16 + b as u16) / 2) as u8,
            _ => paeth(a, b, c),
        };
        out[i] = row[i].wrapping_sub(pred);
    }
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = a as i16 + b as i16 - c as i16;
    let (pa, pb, pc) = (
        (p - a as i16).abs(),
        (p - b as i16).abs(),
        (p - c as i16).abs(),
    );
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = Crc::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.sum().to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let (w, h) = (7u32, 5u32);
        let rgb: Vec<u8> = (0..w * h * 3).map(|i| (i * 37 % 251) as u8).collect();
        let png = encode_png_rgb(w, h, &rgb).unwrap();
        assert_eq!(&png[..8], &SIGNATURE);
        assert_eq!(decode_png_rgb(&png), Some((w, h, rgb.clone())));
        assert_eq!(png, encode_png_rgb(w, h, &rgb).unwrap());
    }

    #[test]
    fn rejects_bad_sizes() {
        assert!(encode_png_rgb(0, 5, &[]).is_err());
        assert!(encode_png_rgb(2, 2, &[0; 5]).is_err());
        assert_eq!(decode_png_rgb(b"not a png"), None);
    }
}
