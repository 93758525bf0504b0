//! Streaming records from many inputs: files, directories (recursively, sorted), glob patterns,
//! `.gz` / `.zst` (by content), and `-` for standard input. Several inputs merge in time order
//! (each file is assumed in order, as S3 writes them; ties go to the earlier input). Lenient
//! mode counts and samples the lines it skips; strict mode stops at the first with
//! file:line:field. A line longer than `LogReader::max_line_bytes` is never held whole: past the
//! limit its bytes are read and dropped, and the line is skipped (`line_too_long`) or, in strict
//! mode, an error.

use super::parse::{parse_line, parse_time};
use super::record::{LineError, Reason, Record};
use crate::trace::input;
use crate::units::Timestamp;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use thiserror::Error;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Lenient,
    Strict,
}

#[derive(Debug, Error)]
pub enum ReadError {
    #[error("{file}: {source}")]
    Io {
        file: String,
        source: std::io::Error,
    },
    #[error("{file}:{line}: {error}")]
    Line {
        file: String,
        line: u64,
        error: LineError,
    },
    #[error("{0}: no such file, directory or matching pattern")]
    NoInput(String),
}

/// What was read and skipped, for the end-of-run report and `"lines"` in JSON: the evidence
/// ledger's count, with examples as `file:line: field: reason`.
pub type SkipLog = crate::trace::ledger::Skips<String>;

/// One input to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineSource {
    Stdin,
    File(PathBuf),
}

impl LineSource {
    pub fn name(&self) -> String {
        match self {
            LineSource::Stdin => "<stdin>".into(),
            LineSource::File(p) => p.display().to_string(),
        }
    }

    /// Bytes on disk (0 for standard input or a file that cannot be read yet).
    pub fn stored_bytes(&self) -> u64 {
        match self {
            LineSource::Stdin => 0,
            LineSource::File(p) => std::fs::metadata(p).map_or(0, |m| m.len()),
        }
    }

    fn open(&self, counter: Option<Arc<AtomicU64>>) -> Result<Box<dyn BufRead + Send>, ReadError> {
        let p = match self {
            LineSource::Stdin => Path::new("-"),
            LineSource::File(p) => p.as_path(),
        };
        input::open_counted(p, counter).map_err(|source| ReadError::Io {
            file: self.name(),
            source,
        })
    }
}

/// Expands arguments into inputs: `-`, files, directories (every file below, sorted), globs.
pub fn expand(args: &[String]) -> Result<Vec<LineSource>, ReadError> {
    let mut out = Vec::new();
    for a in args {
        if a == "-" {
            out.push(LineSource::Stdin);
            continue;
        }
        let p = Path::new(a);
        if p.is_dir() {
            let mut files = Vec::new();
            walk_dir(p, &mut files).map_err(|source| ReadError::Io {
                file: a.clone(),
                source,
            })?;
            files.sort();
            out.extend(files.into_iter().map(LineSource::File));
        } else if p.exists() {
            out.push(LineSource::File(p.to_path_buf()));
        } else if a.contains(['*', '?', '[']) {
            let mut matched: Vec<PathBuf> = glob::glob(a)
                .map_err(|_| ReadError::NoInput(a.clone()))?
                .filter_map(Result::ok)
                .filter(|p| p.is_file())
                .collect();
            if matched.is_empty() {
                return Err(ReadError::NoInput(a.clone()));
            }
            matched.sort();
            out.extend(matched.into_iter().map(LineSource::File));
        } else {
            return Err(ReadError::NoInput(a.clone()));
        }
    }
    Ok(out)
}

fn walk_dir(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.is_dir() {
            walk_dir(&p, out)?;
        } else if !p
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        {
            out.push(p);
        }
    }
    Ok(())
}

/// A line and where it came from, as handed to the record callback.
pub struct At<'a> {
    pub source: usize,
    pub file: &'a str,
    pub line: u64,
}

struct Open {
    name: String,
    r: Box<dyn BufRead + Send>,
    buf: Vec<u8>,
    line_no: u64,
}

impl Open {
    /// Reads the next line into `buf`; false at end. Of a line longer than `max` bytes, only
    /// the first `max + 1` are kept (and its `\n`): enough to know it is too long.
    fn next(&mut self, max: usize) -> Result<bool, ReadError> {
        self.buf.clear();
        let io = |source| ReadError::Io {
            file: self.name.clone(),
            source,
        };
        let mut any = false;
        loop {
            let (ends, used) = {
                let b = match self.r.fill_buf() {
                    Ok(b) => b,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(io(e)),
                };
                if b.is_empty() {
                    break;
                }
                any = true;
                let (ends, used) = match memchr::memchr(b'\n', b) {
                    Some(i) => (true, i + 1),
                    None => (false, b.len()),
                };
                let keep = used.min((max + 1).saturating_sub(self.buf.len()));
                self.buf.extend_from_slice(&b[..keep]);
                (ends, used)
            };
            self.r.consume(used);
            if ends {
                if self.buf.last() != Some(&b'\n') {
                    self.buf.push(b'\n');
                }
                break;
            }
        }
        if any {
            self.line_no += 1;
        }
        Ok(any)
    }
}

/// Reads and drops the rest of a line (through its `\n`) from `r` without holding it; false
/// when the input ends first.
fn skip_line(r: &mut dyn BufRead) -> std::io::Result<bool> {
    loop {
        let (ends, used) = {
            let b = match r.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if b.is_empty() {
                return Ok(false);
            }
            match memchr::memchr(b'\n', b) {
                Some(i) => (true, i + 1),
                None => (false, b.len()),
            }
        };
        r.consume(used);
        if ends {
            return Ok(true);
        }
    }
}

/// The length of a line without its `\n`.
fn content_len(bytes: &[u8]) -> usize {
    bytes.len() - usize::from(bytes.last() == Some(&b'\n'))
}

/// A line as text: validated in one fast pass; only invalid UTF-8 pays for replacement.
fn line_text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// Consecutive lines of the merged inputs (`LogReader::chunks`), to be parsed on another
/// thread (`LogReader::parse_chunk`).
#[derive(Debug, Default)]
pub struct LineChunk {
    /// Position in the stream: 0, 1, 2…
    pub seq: u64,
    /// Whole lines, each with its `\n` (the input's last line may lack one), up to the last
    /// run's end; past it, bytes that mean nothing (a recycled buffer keeps its length, so that
    /// filling it again clears nothing).
    text: Vec<u8>,
    /// Runs of consecutive lines of one source: (source, number of the run's first line, end
    /// of the run in `text`), in order.
    runs: Vec<(usize, u64, usize)>,
    /// The number of the line after the last run's last one (chunks of merged sources: a run
    /// grows while lines follow on).
    next_line: u64,
}

impl LineChunk {
    fn numbered(seq: u64, text: Vec<u8>) -> LineChunk {
        LineChunk {
            seq,
            text,
            runs: Vec::new(),
            next_line: 0,
        }
    }

    /// Appends a line (with its `\n`, if any) of `source`.
    fn push_line(&mut self, source: usize, line: u64, bytes: &[u8]) {
        self.text.extend_from_slice(bytes);
        let end = self.text.len();
        match self.runs.last_mut() {
            // The line after the run's last one, in the same source: the run grows.
            Some(run) if run.0 == source && self.next_line == line => run.2 = end,
            _ => self.runs.push((source, line, end)),
        }
        self.next_line = line + 1;
    }

    /// Whether the chunk has no line.
    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    /// The chunk's buffer, for `LogReader::chunks` to fill again (a fresh megabyte per chunk
    /// would be faulted in and cleared by the kernel each time).
    pub fn recycle(self) -> Vec<u8> {
        self.text
    }
}

/// The lines in `bytes`: one per `\n`, and one for a last line without it.
fn count_lines(bytes: &[u8]) -> u64 {
    let newlines = memchr::memchr_iter(b'\n', bytes).count() as u64;
    newlines + u64::from(bytes.last().is_some_and(|b| *b != b'\n'))
}

/// The longest line read by default (1 MiB, not counting its `\n`): S3 writes records of a few
/// hundred bytes (keys are at most 1,024 bytes, twice over with the request URI, plus the user
/// agent); a longer line is not a log record, and is never held whole.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// Reads every record of `sources` in time order and hands each to `f`; returns the skip log.
pub struct LogReader {
    pub mode: Mode,
    /// Adds the bytes read from the files (as stored) to this counter, for progress.
    pub bytes_read: Option<Arc<AtomicU64>>,
    /// Lines longer than this (not counting the `\n`) are skipped as `line_too_long` (an error
    /// in strict mode) after reading at most this many bytes of them into memory.
    pub max_line_bytes: usize,
}

impl LogReader {
    pub fn new(mode: Mode) -> LogReader {
        LogReader {
            mode,
            bytes_read: None,
            max_line_bytes: MAX_LINE_BYTES,
        }
    }

    /// Sets the longest line read (`MAX_LINE_BYTES` by default; at least 1).
    pub fn max_line_bytes(mut self, n: usize) -> LogReader {
        self.max_line_bytes = n.max(1);
        self
    }

    /// Counts the bytes read from the files (as stored) into `counter`.
    pub fn counting(mut self, counter: Arc<AtomicU64>) -> LogReader {
        self.bytes_read = Some(counter);
        self
    }

    pub fn for_each<E: From<ReadError>>(
        &self,
        sources: &[LineSource],
        mut f: impl FnMut(&At<'_>, &Record<'_>) -> Result<(), E>,
    ) -> Result<SkipLog, E> {
        let mut log = SkipLog::default();
        self.each_line(sources, |source, file, line, bytes| {
            self.one(&mut log, source, file, line, bytes, &mut f)
        })?;
        Ok(log)
    }

    /// Cuts the merged lines of `sources` (the order `for_each` reads them in) into chunks of
    /// about `chunk_bytes` (more when a line is longer), numbered from 0, for `parse_chunk` on
    /// other threads. Each chunk's buffer comes from `spare` when it has one (a recycled chunk)
    /// and is allocated otherwise. One source is read in blocks straight into the buffer and
    /// cut at its last line end; several are merged line by line.
    pub fn chunks<E: From<ReadError>>(
        &self,
        sources: &[LineSource],
        chunk_bytes: usize,
        mut spare: impl FnMut() -> Option<Vec<u8>>,
        mut f: impl FnMut(LineChunk) -> Result<(), E>,
    ) -> Result<(), E> {
        let chunk_bytes = chunk_bytes.max(1);
        if let [only] = sources {
            return self.blocks(only, chunk_bytes, spare, f);
        }
        let mut fresh = |seq| {
            let mut text = spare().unwrap_or_default();
            text.clear();
            LineChunk::numbered(seq, text)
        };
        let mut cur = fresh(0);
        self.each_line::<E>(sources, |source, _, line, bytes| {
            cur.push_line(source, line, bytes);
            if cur.text.len() >= chunk_bytes {
                let next = fresh(cur.seq + 1);
                f(std::mem::replace(&mut cur, next))?;
            }
            Ok(())
        })?;
        if !cur.is_empty() {
            f(cur)?;
        }
        Ok(())
    }

    /// `chunks` of one source: blocks read into the chunk's buffer, cut after the last `\n`
    /// (the rest starts the next chunk), lines numbered by counting them. A line that outgrows
    /// the buffer and `max_line_bytes` keeps its first `max_line_bytes + 1` bytes (enough for
    /// `parse_chunk` to know it is too long) and the rest is read and dropped: the buffer stays
    /// within about twice `chunk_bytes + max_line_bytes`.
    fn blocks<E: From<ReadError>>(
        &self,
        source: &LineSource,
        chunk_bytes: usize,
        mut spare: impl FnMut() -> Option<Vec<u8>>,
        mut f: impl FnMut(LineChunk) -> Result<(), E>,
    ) -> Result<(), E> {
        let name = source.name();
        let mut r = source.open(self.bytes_read.clone())?;
        let io = |source| ReadError::Io {
            file: name.clone(),
            source,
        };
        // Room for a whole chunk past a carried partial line: fewer, fuller reads.
        let room = chunk_bytes.saturating_mul(2);
        let max_line = self.max_line_bytes.max(1);
        let mut buf = spare().unwrap_or_default();
        let mut filled = 0;
        let (mut seq, mut line) = (0u64, 1u64);
        loop {
            if buf.len() < room {
                buf.resize(room, 0);
            }
            // Read until a line ends at or past `chunk_bytes`, or the input does. Bytes before
            // `scanned` hold no line end (each read's bytes are searched once: a line of any
            // length costs linear time).
            let mut eof = false;
            let mut scanned = 0;
            while filled < chunk_bytes || {
                let found = memchr::memchr(b'\n', &buf[scanned..filled]).is_some();
                scanned = filled;
                !found
            } {
                if filled == buf.len() {
                    let start = memchr::memrchr(b'\n', &buf[..filled]).map_or(0, |i| i + 1);
                    if filled - start > max_line + 1 {
                        // Too long to hold: its first bytes stand for it (with a `\n` after
                        // them, inside the buffer), the rest is read and dropped.
                        let end = start + max_line + 1;
                        buf[end] = b'\n';
                        (filled, scanned) = (end + 1, start);
                        if !skip_line(&mut r).map_err(io)? {
                            eof = true;
                            break;
                        }
                        continue;
                    }
                    // A line longer than the buffer (not too long): make room.
                    buf.resize(buf.len() * 2, 0);
                }
                let n = loop {
                    match r.read(&mut buf[filled..]) {
                        Ok(n) => break n,
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(io(e).into()),
                    }
                };
                if n == 0 {
                    eof = true;
                    break;
                }
                filled += n;
            }
            let cut = if eof {
                filled
            } else {
                memchr::memrchr(b'\n', &buf[..filled]).map_or(filled, |i| i + 1)
            };
            if cut == 0 {
                return Ok(());
            }
            let tail = filled - cut;
            let mut next = spare().unwrap_or_default();
            if next.len() < room.max(tail) {
                next.resize(room.max(tail), 0);
            }
            next[..tail].copy_from_slice(&buf[cut..filled]);
            let lines = count_lines(&buf[..cut]);
            let mut chunk = LineChunk::numbered(seq, buf);
            chunk.runs.push((0, line, cut));
            f(chunk)?;
            (seq, line) = (seq + 1, line + lines);
            (buf, filled) = (next, tail);
        }
    }

    /// Parses a chunk as `for_each` parses its lines: `f` gets each record in order; returns
    /// the chunk's skip log (merged in chunk order, the logs equal `for_each`'s), or in strict
    /// mode the first bad line. `names` are the sources' names, in `chunks`' order.
    pub fn parse_chunk<E: From<ReadError>>(
        &self,
        names: &[String],
        chunk: &LineChunk,
        mut f: impl FnMut(&At<'_>, &Record<'_>) -> Result<(), E>,
    ) -> Result<SkipLog, E> {
        let mut log = SkipLog::default();
        let mut start = 0;
        for &(source, first, end) in &chunk.runs {
            let file = names.get(source).map_or("", String::as_str);
            let mut run = chunk.text.get(start..end).unwrap_or_default();
            start = end;
            let mut line = first;
            while !run.is_empty() {
                let len = memchr::memchr(b'\n', run).map_or(run.len(), |i| i + 1);
                let (bytes, rest) = run.split_at(len);
                self.one(&mut log, source, file, line, bytes, &mut f)?;
                (run, line) = (rest, line + 1);
            }
        }
        Ok(log)
    }

    /// Every line of `sources` in merged order, with its source, file name and line number.
    fn each_line<E: From<ReadError>>(
        &self,
        sources: &[LineSource],
        mut f: impl FnMut(usize, &str, u64, &[u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        let open_source =
            |s: &LineSource, counter: Option<Arc<AtomicU64>>| -> Result<Open, ReadError> {
                Ok(Open {
                    name: s.name(),
                    r: s.open(counter)?,
                    buf: Vec::with_capacity(4096),
                    line_no: 0,
                })
            };
        let max = self.max_line_bytes.max(1);
        if let [only] = sources {
            let mut o = open_source(only, self.bytes_read.clone())?;
            while o.next(max)? {
                f(0, &o.name, o.line_no, &o.buf)?;
            }
            return Ok(());
        }
        // k-way merge on each source's next record time (lines whose time does not parse go
        // first, to be reported in their own source's order; ties to the earlier source).
        // A file joins the merge only when the merge reaches its first line's time, and leaves
        // it at its end: S3 delivers many small files, and only those whose times overlap are
        // open at once (opening a month of them together would run out of file descriptors).
        // The order is the same as merging every file from the start. Each file's first line
        // is peeked once up front (standard input, which cannot be reopened, stays open).
        let mut open: Vec<Option<Open>> = sources.iter().map(|_| None).collect();
        let mut heap: BinaryHeap<Reverse<(Timestamp, usize)>> = BinaryHeap::new();
        let mut pending: Vec<(Timestamp, usize)> = Vec::new();
        for (i, s) in sources.iter().enumerate() {
            let stdin = matches!(s, LineSource::Stdin);
            let mut o = open_source(s, if stdin { self.bytes_read.clone() } else { None })?;
            if !o.next(max)? {
                continue;
            }
            let t = line_time(&o.buf);
            if stdin {
                heap.push(Reverse((t, i)));
                open[i] = Some(o);
            } else {
                pending.push((t, i));
            }
        }
        pending.sort_unstable();
        let mut waiting = pending.into_iter().peekable();
        loop {
            while let Some(&(t, i)) = waiting.peek() {
                if heap.peek().is_some_and(|Reverse(top)| (t, i) > *top) {
                    break;
                }
                waiting.next();
                let mut o = open_source(&sources[i], self.bytes_read.clone())?;
                if o.next(max)? {
                    heap.push(Reverse((line_time(&o.buf), i)));
                    open[i] = Some(o);
                }
            }
            let Some(Reverse((_, i))) = heap.pop() else {
                break;
            };
            let Some(o) = open[i].as_mut() else {
                continue;
            };
            f(i, &o.name, o.line_no, &o.buf)?;
            if o.next(max)? {
                heap.push(Reverse((line_time(&o.buf), i)));
            } else {
                open[i] = None;
            }
        }
        Ok(())
    }

    /// One line (with its `\n`, if any): a record for `f`, a blank line ignored, or a bad or
    /// too long line counted (lenient) or returned as the error (strict).
    fn one<E: From<ReadError>>(
        &self,
        log: &mut SkipLog,
        source: usize,
        file: &str,
        line: u64,
        bytes: &[u8],
        f: &mut impl FnMut(&At<'_>, &Record<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        if content_len(bytes) > self.max_line_bytes {
            log.read += 1;
            let e = LineError {
                field: "line",
                reason: Reason::LineTooLong,
            };
            return self.reject(log, file, line, e);
        }
        let text = line_text(bytes);
        if text.trim().is_empty() {
            return Ok(());
        }
        log.read += 1;
        match parse_line(&text) {
            Ok(r) => {
                log.parsed += 1;
                f(&At { source, file, line }, &r)
            }
            Err(e) => self.reject(log, file, line, e),
        }
    }

    /// A line that is not a record: the error in strict mode, counted in lenient mode.
    fn reject<E: From<ReadError>>(
        &self,
        log: &mut SkipLog,
        file: &str,
        line: u64,
        error: LineError,
    ) -> Result<(), E> {
        match self.mode {
            Mode::Strict => Err(ReadError::Line {
                file: file.to_string(),
                line,
                error,
            }
            .into()),
            Mode::Lenient => {
                // `read` was counted when the line was taken.
                log.skip(
                    error.reason.as_str(),
                    || format!("{file}:{line}: {error}"),
                    false,
                );
                Ok(())
            }
        }
    }
}

/// The time of a raw line, for merge order; the epoch when it has none.
fn line_time(buf: &[u8]) -> Timestamp {
    let Some(open) = buf.iter().position(|&b| b == b'[') else {
        return Timestamp(i64::MIN);
    };
    let Some(len) = buf[open..].iter().position(|&b| b == b']') else {
        return Timestamp(i64::MIN);
    };
    parse_time(&buf[open + 1..open + len]).unwrap_or(Timestamp(i64::MIN))
}
