//! Opening evidence files: plain, `.gz` or `.zst` (by extension, or by magic bytes), or
//! standard input (`-`), as buffered readers; and the limits that keep a hostile file from
//! taking the machine: what one compressed file may decompress to (`Limits`: a size cap and a
//! compression-ratio cap, the environment variables `COSTLAB_MAX_DECOMPRESSED` and
//! `COSTLAB_MAX_RATIO`), the zstd window a frame may ask for, the length of a line
//! (`LineBounded`) and of a CSV record (`csv_records`), and the size of a configuration file
//! read whole (`read_config`).
//! docs/scenario.md, "Input limits", explains them to users.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// Default cap on the bytes one compressed file may decompress to: 16 GiB, ten times the
/// largest single log file measured for the performance goals (a 1.55 GB day of EMR access
/// logs) and far above an S3 Inventory data file, which S3 splits into many.
pub const DEFAULT_MAX_DECOMPRESSED: u64 = 16 << 30;
/// Default cap on decompressed ÷ compressed bytes, checked past `RATIO_FLOOR`. Real logs and
/// inventories compress 5–20 times (the corpus's EMR log: 7.4 with `zstd -19 --long`); deflate
/// cannot pass 1,032, and a file of one repeated byte is the usual bomb.
pub const DEFAULT_MAX_RATIO: u64 = 1_000;
/// Decompressed bytes before the ratio is checked: 64 MiB, so that small files of very
/// repetitive text (test fixtures, a repeated line) are never refused, while a bomb is stopped
/// within about a second of reading (64 Mi empty log lines take 1.6 s).
pub const RATIO_FLOOR: u64 = 64 << 20;
/// The largest zstd window a frame may declare, as a power of two: 2^27 = 128 MiB, zstd's own
/// default decoding limit (`ZSTD_WINDOWLOG_LIMIT_DEFAULT`, what `zstd -d` accepts without
/// `--memory`) and the window `zstd --long` writes. A frame that asks for more is refused
/// before any memory is taken for it.
pub const ZSTD_WINDOW_LOG_MAX: u32 = 27;
/// The longest line the CSV and text evidence readers accept: 1 MiB. An S3 Inventory row is
/// at most a few KiB (a 1,024-byte key URL-encoded, ~20 short columns); a longer "line" is a
/// file without line breaks, which would otherwise be held in memory whole.
pub const MAX_LINE_BYTES: usize = 1 << 20;
/// The most a JSON evidence file (spot price history pages) read whole may hold: 1 GiB.
pub const MAX_JSON_BYTES: u64 = 1 << 30;
/// The largest configuration file read whole (scenario, pricing, usage, budget, lifecycle,
/// generator spec): 64 MiB, thousands of times the largest bundled one.
pub const MAX_CONFIG_BYTES: u64 = 64 << 20;

/// The environment variable that sets the per-file decompressed-size cap.
pub const ENV_MAX_DECOMPRESSED: &str = "COSTLAB_MAX_DECOMPRESSED";
/// The environment variable that sets the compression-ratio cap (0 turns the check off).
pub const ENV_MAX_RATIO: &str = "COSTLAB_MAX_RATIO";

/// What one compressed input may decompress to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of decompressed output per file; `u64::MAX` for no cap.
    pub max_decompressed: u64,
    /// Decompressed ÷ compressed bytes allowed past `RATIO_FLOOR`; 0 for no check.
    pub max_ratio: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_decompressed: DEFAULT_MAX_DECOMPRESSED,
            max_ratio: DEFAULT_MAX_RATIO,
        }
    }
}

impl Limits {
    /// The limits from `COSTLAB_MAX_DECOMPRESSED` (a size such as `64GiB`, or `unlimited`) and
    /// `COSTLAB_MAX_RATIO` (a whole number, 0 = off), else the defaults. Read once per
    /// process; a malformed value is an error naming the variable.
    pub fn from_env() -> io::Result<Limits> {
        static LIMITS: OnceLock<Result<Limits, String>> = OnceLock::new();
        LIMITS
            .get_or_init(|| {
                Limits::parse(
                    std::env::var(ENV_MAX_DECOMPRESSED).ok().as_deref(),
                    std::env::var(ENV_MAX_RATIO).ok().as_deref(),
                )
            })
            .clone()
            .map_err(|m| io::Error::new(io::ErrorKind::InvalidInput, m))
    }

    /// The limits given the two variables' values.
    pub fn parse(
        max_decompressed: Option<&str>,
        max_ratio: Option<&str>,
    ) -> Result<Limits, String> {
        let mut l = Limits::default();
        if let Some(v) = max_decompressed {
            l.max_decompressed = if v.trim().eq_ignore_ascii_case("unlimited") {
                u64::MAX
            } else {
                parse_size(v).ok_or_else(|| {
                    format!(
                        "{ENV_MAX_DECOMPRESSED}={v:?}: expected a size such as 16GiB or 512MiB, \
                         or `unlimited`"
                    )
                })?
            };
        }
        if let Some(v) = max_ratio {
            l.max_ratio = v.trim().parse::<u64>().map_err(|_| {
                format!("{ENV_MAX_RATIO}={v:?}: expected a whole number such as 1000 (0: no check)")
            })?;
        }
        Ok(l)
    }
}

/// A size in bytes: a number with an optional binary unit (KiB, MiB, GiB, TiB; K, M, G, T and
/// KB, MB, GB, TB are read as the same binary units), case-insensitive.
pub fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (num, unit) = (s[..split].trim(), s[split..].trim().to_ascii_lowercase());
    let shift = match unit.trim_end_matches('b').trim_end_matches('i') {
        "" => 0,
        "k" => 10,
        "m" => 20,
        "g" => 30,
        "t" => 40,
        _ => return None,
    };
    if unit == "ib" || (unit.len() > 1 && unit.starts_with('b')) {
        return None;
    }
    let v: f64 = num.parse().ok()?;
    let bytes = v * (1u64 << shift) as f64;
    (v.is_finite() && bytes >= 1.0 && bytes < u64::MAX as f64).then_some(bytes as u64)
}

/// A byte count for messages: `16 GiB`, `1.5 MiB`, `512 bytes`.
pub fn size_text(n: u64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} bytes")
    } else if v.fract() == 0.0 {
        format!("{v:.0} {}", UNITS[u])
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// Opens `path` (`-` for standard input), decompressing gzip or zstd by content, within the
/// limits of [`Limits::from_env`].
pub fn open(path: &Path) -> io::Result<Box<dyn BufRead + Send>> {
    open_counted(path, None)
}

/// As `open`, adding every byte read from the file (compressed, as stored) to `counter`, so a
/// progress bar can measure reading against the files' sizes.
pub fn open_counted(
    path: &Path,
    counter: Option<Arc<AtomicU64>>,
) -> io::Result<Box<dyn BufRead + Send>> {
    let limits = Limits::from_env()?;
    let raw: Box<dyn Read + Send> = if path == Path::new("-") {
        Box::new(io::stdin())
    } else {
        Box::new(File::open(path)?)
    };
    let raw: Box<dyn Read + Send> = match counter {
        Some(n) => Box::new(Counted { inner: raw, n }),
        None => raw,
    };
    decompress_with(BufReader::with_capacity(1 << 20, raw), limits)
}

/// As `open`, with lines bounded to `MAX_LINE_BYTES` (`LineBounded`): for the CSV and text
/// readers, whose records are one line each.
pub fn open_lines(path: &Path) -> io::Result<Box<dyn BufRead + Send>> {
    Ok(bounded_lines(open(path)?))
}

/// Wraps a reader so that a line longer than `MAX_LINE_BYTES` is an error.
pub fn bounded_lines<R: Read + Send + 'static>(r: R) -> Box<dyn BufRead + Send> {
    Box::new(BufReader::with_capacity(
        1 << 16,
        LineBounded::new(r, MAX_LINE_BYTES),
    ))
}

/// A reader that adds what it reads to a shared counter.
struct Counted<R> {
    inner: R,
    n: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let k = self.inner.read(buf)?;
        self.n.fetch_add(k as u64, Ordering::Relaxed);
        Ok(k)
    }
}

/// Wraps a reader in the decompressor its first bytes call for, within the limits of
/// [`Limits::from_env`].
pub fn decompress<R: BufRead + Send + 'static>(r: R) -> io::Result<Box<dyn BufRead + Send>> {
    decompress_with(r, Limits::from_env()?)
}

/// As `decompress`, with explicit limits.
pub fn decompress_with<R: BufRead + Send + 'static>(
    r: R,
    limits: Limits,
) -> io::Result<Box<dyn BufRead + Send>> {
    let mut r = Consumed {
        inner: r,
        n: Arc::new(AtomicU64::new(0)),
    };
    let head = r.fill_buf()?;
    let zstd = head.starts_with(&ZSTD_MAGIC);
    if !(zstd || head.starts_with(&GZIP_MAGIC)) {
        return Ok(Box::new(r.inner));
    }
    let compressed = r.n.clone();
    let decoder: Box<dyn Read + Send> = if zstd {
        let mut d = zstd::stream::read::Decoder::with_buffer(r)?;
        d.window_log_max(ZSTD_WINDOW_LOG_MAX)?;
        Box::new(d)
    } else {
        Box::new(flate2::bufread::MultiGzDecoder::new(r))
    };
    Ok(Box::new(BufReader::with_capacity(
        1 << 20,
        Bounded {
            inner: decoder,
            out: 0,
            compressed,
            limits,
            zstd,
        },
    )))
}

/// A buffered reader that counts the bytes its consumer has taken (the compressed bytes a
/// decoder has used).
struct Consumed<R> {
    inner: R,
    n: Arc<AtomicU64>,
}

impl<R: Read> Read for Consumed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let k = self.inner.read(buf)?;
        self.n.fetch_add(k as u64, Ordering::Relaxed);
        Ok(k)
    }
}

impl<R: BufRead> BufRead for Consumed<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        self.n.fetch_add(amt as u64, Ordering::Relaxed);
        self.inner.consume(amt);
    }
}

/// Why a compressed file was refused. It travels inside an `io::Error` (kind `InvalidData`),
/// so every reader reports it as it reports a read error: after the file's name.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    #[error(
        "decompresses to more than {} (the per-file limit; set {ENV_MAX_DECOMPRESSED} to a larger \
         size, or `unlimited`, for a genuine file this large)",
        size_text(*limit)
    )]
    Size { limit: u64 },
    #[error(
        "decompresses to more than {max_ratio} times its compressed size ({} from {}): a \
         decompression bomb? (set {ENV_MAX_RATIO} to a larger ratio, or 0, for a genuine file)",
        size_text(*out),
        size_text(*compressed)
    )]
    Ratio {
        max_ratio: u64,
        out: u64,
        compressed: u64,
    },
    #[error(
        "a zstd frame asks for a window larger than {} (2^{ZSTD_WINDOW_LOG_MAX} bytes, zstd's \
         default decoding limit); recompress it without --long=28 or above",
        size_text(1 << ZSTD_WINDOW_LOG_MAX)
    )]
    ZstdWindow,
    #[error("line {line} is longer than {} (a file without line breaks?)", size_text(*limit as u64))]
    Line { line: u64, limit: usize },
    #[error("holds more than {}, the most read whole into memory", size_text(*limit))]
    Whole { limit: u64 },
}

impl LimitError {
    fn io(self) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, self)
    }

    /// The limit error inside an I/O error, if that is what it is.
    pub fn of(e: &io::Error) -> Option<&LimitError> {
        e.get_ref().and_then(|inner| inner.downcast_ref())
    }
}

/// Decompressed output, refused past the size or ratio limit.
struct Bounded {
    inner: Box<dyn Read + Send>,
    out: u64,
    compressed: Arc<AtomicU64>,
    limits: Limits,
    zstd: bool,
}

impl Read for Bounded {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // Never hand out a byte past the cap: read at most one more than it allows.
        let room = self.limits.max_decompressed.saturating_sub(self.out);
        let want = buf
            .len()
            .min(usize::try_from(room.saturating_add(1)).unwrap_or(usize::MAX));
        let k = match self.inner.read(&mut buf[..want]) {
            Ok(k) => k,
            // zstd's own words for a window past `window_log_max`.
            Err(e) if self.zstd && e.to_string().contains("too much memory") => {
                return Err(LimitError::ZstdWindow.io());
            }
            Err(e) => return Err(e),
        };
        self.out += k as u64;
        if self.out > self.limits.max_decompressed {
            return Err(LimitError::Size {
                limit: self.limits.max_decompressed,
            }
            .io());
        }
        let compressed = self.compressed.load(Ordering::Relaxed).max(1);
        if self.limits.max_ratio > 0
            && self.out > RATIO_FLOOR
            && self.out / compressed >= self.limits.max_ratio
        {
            return Err(LimitError::Ratio {
                max_ratio: self.limits.max_ratio,
                out: self.out,
                compressed,
            }
            .io());
        }
        Ok(k)
    }
}

/// A reader whose lines (runs of bytes between `\n`) may be at most `max` bytes long; a longer
/// one is an error (`LimitError::Line`) instead of a buffer the size of the file.
pub struct LineBounded<R> {
    inner: R,
    max: usize,
    /// Bytes since the last `\n`.
    run: usize,
    /// 1-based number of the line being read.
    line: u64,
}

impl<R: Read> LineBounded<R> {
    pub fn new(inner: R, max: usize) -> LineBounded<R> {
        LineBounded {
            inner,
            max,
            run: 0,
            line: 1,
        }
    }
}

impl<R: Read> Read for LineBounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let k = self.inner.read(buf)?;
        let got = &buf[..k];
        match memchr::memrchr(b'\n', got) {
            Some(last) => {
                // The run before the first newline ends the current line.
                let first = memchr::memchr(b'\n', got).unwrap_or(last);
                if self.run + first > self.max {
                    return Err(self.too_long());
                }
                // Whole lines inside this read: each from just after the previous newline.
                let mut start = first + 1;
                self.line += 1;
                for nl in memchr::memchr_iter(b'\n', &got[first + 1..]).map(|i| i + first + 1) {
                    if nl - start > self.max {
                        return Err(self.too_long());
                    }
                    start = nl + 1;
                    self.line += 1;
                }
                self.run = k - (last + 1);
            }
            None => self.run += k,
        }
        if self.run > self.max {
            return Err(self.too_long());
        }
        Ok(k)
    }
}

impl<R> LineBounded<R> {
    fn too_long(&self) -> io::Error {
        LimitError::Line {
            line: self.line,
            limit: self.max,
        }
        .io()
    }
}

/// The CSV parser's read buffer (`csv_records`).
pub const CSV_BUFFER: usize = 64 << 10;

/// Where the CSV record being parsed starts: byte offset and line (1-based), shared between
/// the reader of [`csv_records`] and the parser's owner, who moves it on after each record
/// ([`RecordStart::passed`]).
#[derive(Debug)]
pub struct RecordStart {
    byte: AtomicU64,
    line: AtomicU64,
}

impl RecordStart {
    /// Moves the start to the record after the one `reader` has just read.
    pub fn passed<R: Read>(&self, reader: &csv::Reader<R>) {
        let next = reader.position();
        self.byte.store(next.byte(), Ordering::Relaxed);
        self.line.store(next.line(), Ordering::Relaxed);
    }
}

/// Hands bytes to a CSV parser, refusing to go on once one record runs past `MAX_LINE_BYTES`.
/// Lines are bounded already (`LineBounded`), but a quoted value may hold line breaks: an
/// unclosed quote makes the rest of the file one record, which the parser would gather whole.
/// The evidence CSVs costlab reads hold no line break inside a value (inventory keys are
/// URL-encoded), so no real record comes near the bound.
pub struct RecordBounded<R> {
    inner: R,
    /// Bytes handed to the parser so far.
    handed: u64,
    start: Arc<RecordStart>,
}

impl<R: Read> Read for RecordBounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let start = self.start.byte.load(Ordering::Relaxed);
        // The parser reads ahead by at most its buffer.
        if self.handed.saturating_sub(start) > (MAX_LINE_BYTES + CSV_BUFFER) as u64 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "the record that starts on line {} runs on for more than {} (no value holds \
                     a line break: an unclosed quote?)",
                    self.start.line.load(Ordering::Relaxed),
                    size_text(MAX_LINE_BYTES as u64)
                ),
            ));
        }
        let n = self.inner.read(buf)?;
        self.handed += n as u64;
        Ok(n)
    }
}

/// A CSV parser over `inner` (no header handling, rows of any width) whose records are bounded
/// to `MAX_LINE_BYTES` (`RecordBounded`); call [`RecordStart::passed`] after each record read.
pub fn csv_records<R: Read>(inner: R) -> (csv::Reader<RecordBounded<R>>, Arc<RecordStart>) {
    let start = Arc::new(RecordStart {
        byte: AtomicU64::new(0),
        line: AtomicU64::new(1),
    });
    let reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(CSV_BUFFER)
        .from_reader(RecordBounded {
            inner,
            handed: 0,
            start: start.clone(),
        });
    (reader, start)
}

/// Reads `r` to its end into memory, refusing more than `limit` bytes (`LimitError::Whole`).
pub fn read_whole(r: impl Read, limit: u64) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    r.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(LimitError::Whole { limit }.io());
    }
    Ok(bytes)
}

/// Why a configuration file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigReadError {
    #[error("cannot read: {0}")]
    Io(#[from] io::Error),
    #[error(
        "larger than {}, the limit for a configuration file (is this the right file?)",
        size_text(*limit)
    )]
    TooLarge { limit: u64 },
    #[error("not UTF-8 text (bad byte at offset {offset}, line {line})")]
    NotUtf8 { offset: usize, line: usize },
}

/// Reads a configuration file whole (`-` is standard input), refusing one larger than
/// `MAX_CONFIG_BYTES` before reading it. The error does not name the file: callers do.
pub fn read_config(path: &Path) -> Result<String, ConfigReadError> {
    read_config_limited(path, MAX_CONFIG_BYTES)
}

/// As `read_config`, with an explicit limit.
pub fn read_config_limited(path: &Path, limit: u64) -> Result<String, ConfigReadError> {
    let bytes = read_bytes_limited(path, limit)?;
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        ConfigReadError::NotUtf8 { offset, line }
    })
}

/// A whole file's bytes (`-` is standard input), at most `limit` of them.
pub fn read_bytes_limited(path: &Path, limit: u64) -> Result<Vec<u8>, ConfigReadError> {
    let r: Box<dyn Read> = if path == Path::new("-") {
        Box::new(io::stdin())
    } else {
        let f = File::open(path)?;
        if let Ok(m) = f.metadata()
            && m.is_file()
            && m.len() > limit
        {
            return Err(ConfigReadError::TooLarge { limit });
        }
        Box::new(f)
    };
    let mut bytes = Vec::new();
    r.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ConfigReadError::TooLarge { limit });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};

    fn read_all(mut r: impl Read) -> io::Result<Vec<u8>> {
        let mut v = Vec::new();
        r.read_to_end(&mut v)?;
        Ok(v)
    }

    fn zstd_of(bytes: &[u8]) -> Vec<u8> {
        zstd::encode_all(bytes, 3).unwrap()
    }

    fn gzip_of(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn plain_and_compressed_read_back() {
        let text = b"a line\nanother\n".repeat(100);
        for stored in [text.clone(), zstd_of(&text), gzip_of(&text)] {
            let r = decompress_with(Cursor::new(stored), Limits::default()).unwrap();
            assert_eq!(read_all(r).unwrap(), text);
        }
    }

    #[test]
    fn the_size_cap_stops_zstd_and_gzip_at_the_limit() {
        let zeros = vec![0u8; 1 << 20];
        let limits = Limits {
            max_decompressed: 100_000,
            max_ratio: 0,
        };
        for stored in [zstd_of(&zeros), gzip_of(&zeros)] {
            let e = read_all(decompress_with(Cursor::new(stored), limits).unwrap()).unwrap_err();
            assert_eq!(
                LimitError::of(&e),
                Some(&LimitError::Size { limit: 100_000 }),
                "{e}"
            );
            assert!(e.to_string().contains("COSTLAB_MAX_DECOMPRESSED"), "{e}");
        }
        // Exactly at the cap is fine.
        let exact = vec![0u8; 100_000];
        let r = decompress_with(Cursor::new(zstd_of(&exact)), limits).unwrap();
        assert_eq!(read_all(r).unwrap().len(), 100_000);
    }

    #[test]
    fn the_ratio_cap_stops_a_bomb_past_the_floor() {
        // 100 MiB of zeros compress to a few KiB: past the 64 MiB floor the ratio trips.
        let mut enc = zstd::stream::write::Encoder::new(Vec::new(), 3).unwrap();
        let block = vec![0u8; 1 << 20];
        for _ in 0..100 {
            enc.write_all(&block).unwrap();
        }
        let stored = enc.finish().unwrap();
        let r = decompress_with(Cursor::new(stored), Limits::default()).unwrap();
        let mut sink = io::sink();
        let e = io::copy(&mut { r }, &mut sink).unwrap_err();
        assert!(
            matches!(
                LimitError::of(&e),
                Some(LimitError::Ratio {
                    max_ratio: 1000,
                    ..
                })
            ),
            "{e}"
        );
    }

    #[test]
    fn a_zstd_frame_with_a_huge_window_is_refused_before_allocation() {
        // A frame header declaring a 2 GiB window (window descriptor exponent 21 → 2^31),
        // single-segment flag off, then a raw block of one byte.
        let mut frame = ZSTD_MAGIC.to_vec();
        frame.push(0x00); // frame header descriptor: no checksum, no dict, no FCS
        frame.push((31 - 10) << 3); // window descriptor: 2^(10+21) bytes
        frame.extend_from_slice(&[0x09, 0x00, 0x00]); // last raw block, 1 byte
        frame.push(b'x');
        let r = decompress_with(Cursor::new(frame), Limits::default()).unwrap();
        let e = read_all(r).unwrap_err();
        assert_eq!(LimitError::of(&e), Some(&LimitError::ZstdWindow), "{e}");
    }

    #[test]
    fn lines_longer_than_the_bound_are_errors_with_their_number() {
        let ok = b"short\nlines\n".to_vec();
        assert_eq!(read_all(LineBounded::new(Cursor::new(&ok), 5)).unwrap(), ok);
        let mut bad = b"ab\ncd\n".to_vec();
        bad.extend_from_slice(&[b'x'; 100]);
        let e = read_all(LineBounded::new(Cursor::new(&bad), 10)).unwrap_err();
        assert_eq!(
            LimitError::of(&e),
            Some(&LimitError::Line { line: 3, limit: 10 })
        );
        // A long line in the middle of one read, after a newline.
        let bad = [b"a\n".as_slice(), &[b'y'; 50], b"\nz\n"].concat();
        let e = read_all(LineBounded::new(Cursor::new(&bad), 10)).unwrap_err();
        assert_eq!(
            LimitError::of(&e),
            Some(&LimitError::Line { line: 2, limit: 10 })
        );
        // Small reads (one byte at a time) count the same way.
        struct OneByte<'a>(&'a [u8]);
        impl Read for OneByte<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                match self.0.split_first() {
                    Some((b, rest)) if !buf.is_empty() => {
                        buf[0] = *b;
                        self.0 = rest;
                        Ok(1)
                    }
                    _ => Ok(0),
                }
            }
        }
        let e = read_all(LineBounded::new(OneByte(&bad), 10)).unwrap_err();
        assert_eq!(
            LimitError::of(&e),
            Some(&LimitError::Line { line: 2, limit: 10 })
        );
        let exact = [&[b'y'; 10][..], b"\n", &[b'z'; 10]].concat();
        assert_eq!(
            read_all(LineBounded::new(OneByte(&exact), 10)).unwrap(),
            exact
        );
    }

    #[test]
    fn limits_from_variables() {
        assert_eq!(Limits::parse(None, None), Ok(Limits::default()));
        let l = Limits::parse(Some("2GiB"), Some("0")).unwrap();
        assert_eq!((l.max_decompressed, l.max_ratio), (2 << 30, 0));
        assert_eq!(
            Limits::parse(Some("unlimited"), None)
                .unwrap()
                .max_decompressed,
            u64::MAX
        );
        let e = Limits::parse(Some("lots"), None).unwrap_err();
        assert!(e.contains("COSTLAB_MAX_DECOMPRESSED"), "{e}");
        assert!(Limits::parse(None, Some("-1")).is_err());
    }

    #[test]
    fn sizes_read_as_binary_units_and_print_back() {
        assert_eq!(parse_size("8GiB"), Some(8 << 30));
        assert_eq!(parse_size("512m"), Some(512 << 20));
        assert_eq!(parse_size("0"), None);
        assert_eq!(parse_size("1000000"), Some(1_000_000));
        assert_eq!(parse_size("8 gb"), Some(8 << 30));
        assert_eq!(parse_size("1.5KiB"), Some(1536));
        assert_eq!(parse_size("2b"), Some(2));
        for bad in ["", "GiB", "8 XB", "8ib", "-1", "1e3", "8 bytes"] {
            assert_eq!(parse_size(bad), None, "{bad:?}");
        }
        assert_eq!(size_text(16 << 30), "16 GiB");
        assert_eq!(size_text(1536), "1.5 KiB");
        assert_eq!(size_text(12), "12 bytes");
    }

    #[test]
    fn config_files_past_the_limit_are_refused_unread() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.toml");
        std::fs::write(&p, vec![b'#'; 2000]).unwrap();
        assert!(matches!(
            read_config_limited(&p, 1000),
            Err(ConfigReadError::TooLarge { limit: 1000 })
        ));
        assert_eq!(read_config_limited(&p, 2000).unwrap().len(), 2000);
        std::fs::write(&p, b"ok\n\xff").unwrap();
        assert!(matches!(
            read_config(&p),
            Err(ConfigReadError::NotUtf8 { offset: 3, line: 2 })
        ));
    }
}
