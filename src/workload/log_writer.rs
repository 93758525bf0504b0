//! Writes requests as S3 server access log records (27 fields, as S3 writes them today) into
//! one file per hour (more when `lines_per_file` is set), named the way S3 names delivered log
//! objects: `YYYY-MM-DD-HH-MM-SS-<16 upper-case hex>`, stamped with a delivery time just after
//! the hour the records belong to. Files are plain, `.gz` or `.zst`.

use super::GenerateError;
use super::dist::{self, Purpose};
use super::sim::{Op, Query, Request};
use crate::units::time::{SECONDS_PER_DAY, civil_from_days};
use rand::{Rng, RngExt};
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Compression of the written log files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Compress {
    #[default]
    None,
    Gz,
    Zst,
}

impl Compress {
    pub fn as_str(self) -> &'static str {
        match self {
            Compress::None => "none",
            Compress::Gz => "gz",
            Compress::Zst => "zst",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Compress::None => "",
            Compress::Gz => ".gz",
            Compress::Zst => ".zst",
        }
    }
}

enum Sink {
    Plain(BufWriter<File>),
    Gz(flate2::write::GzEncoder<BufWriter<File>>),
    Zst(zstd::stream::write::Encoder<'static, BufWriter<File>>),
}

impl Sink {
    fn writer(&mut self) -> &mut dyn Write {
        match self {
            Sink::Plain(w) => w,
            Sink::Gz(w) => w,
            Sink::Zst(w) => w,
        }
    }

    fn finish(self) -> std::io::Result<()> {
        let mut inner = match self {
            Sink::Plain(w) => w,
            Sink::Gz(w) => w.finish()?,
            Sink::Zst(w) => w.finish()?,
        };
        inner.flush()
    }
}

struct OpenFile {
    hour: i64,
    index: u32,
    lines: u64,
    path: PathBuf,
    sink: Sink,
}

/// Fields every record of the bucket shares.
pub struct LineCtx {
    pub owner: String,
    pub bucket: String,
    pub region: String,
    pub host: String,
}

/// Writes the records of a run, hour file by hour file.
pub struct LogWriter {
    dir: PathBuf,
    seed: u64,
    compress: Compress,
    lines_per_file: Option<u64>,
    ctx: LineCtx,
    cur: Option<OpenFile>,
    files: u64,
    line: String,
    time_cache: (i64, String),
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `06/Feb/2019:00:00:38 +0000`.
pub fn log_time(t: i64, out: &mut String) {
    let (y, m, d) = civil_from_days(t.div_euclid(SECONDS_PER_DAY));
    let r = t.rem_euclid(SECONDS_PER_DAY);
    let _ = write!(
        out,
        "{d:02}/{}/{y:04}:{:02}:{:02}:{:02} +0000",
        MONTHS[(m - 1) as usize],
        r / 3600,
        r % 3600 / 60,
        r % 60
    );
}

/// `2026-03-01-01-04-12` (S3's log object name stamp).
fn name_stamp(t: i64) -> String {
    let (y, m, d) = civil_from_days(t.div_euclid(SECONDS_PER_DAY));
    let r = t.rem_euclid(SECONDS_PER_DAY);
    format!(
        "{y:04}-{m:02}-{d:02}-{:02}-{:02}-{:02}",
        r / 3600,
        r % 3600 / 60,
        r % 60
    )
}

/// Formats one record (without the newline) into `out`.
pub fn format_record(r: &Request<'_>, ctx: &LineCtx, time: &str, out: &mut String) {
    out.push_str(&ctx.owner);
    out.push(' ');
    out.push_str(&ctx.bucket);
    out.push_str(" [");
    out.push_str(time);
    out.push_str("] ");
    out.push_str(&r.who.ip);
    out.push(' ');
    out.push_str(&r.who.requester);
    out.push(' ');
    // Request id: 16 characters of [0-9A-Z].
    const ALNUM: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let (mut a, mut b) = (r.noise[0], r.noise[1]);
    for i in 0..16 {
        let w = if i < 12 { &mut a } else { &mut b };
        out.push(ALNUM[(*w % 36) as usize] as char);
        *w /= 36;
    }
    out.push(' ');
    out.push_str(r.op.operation());
    out.push(' ');
    if r.key.is_empty() {
        out.push('-');
    } else {
        out.push_str(r.key);
    }
    out.push_str(" \"");
    out.push_str(r.op.method());
    out.push_str(" /");
    out.push_str(r.key);
    match r.query {
        Query::None => {}
        Query::Uploads => out.push_str("?uploads"),
        Query::Part(n, id) => {
            let _ = write!(out, "?partNumber={n}&uploadId={id}");
        }
        Query::Complete(id) => {
            out.push_str("?uploadId=");
            out.push_str(id);
        }
        Query::List(prefix) => {
            out.push_str("?list-type=2&prefix=");
            out.push_str(prefix);
            out.push_str("&encoding-type=url");
        }
    }
    let _ = write!(out, " HTTP/1.1\" {} - ", r.status);
    if r.bytes_sent == 0 {
        out.push('-');
    } else {
        let _ = write!(out, "{}", r.bytes_sent);
    }
    match r.object_size {
        Some(s) => {
            let _ = write!(out, " {s} ");
        }
        None => out.push_str(" - "),
    }
    let _ = write!(out, "{} {} \"-\" \"", r.total_ms, r.turn_ms);
    out.push_str(r.who.user_agent);
    out.push_str("\" - ");
    let mut host_id = [0u8; 64];
    for (chunk, w) in host_id.chunks_mut(8).zip(&r.noise[2..10]) {
        chunk.copy_from_slice(&w.to_le_bytes());
    }
    dist::base64(&host_id, out);
    let (cipher, tls) = if r.who.tls13 {
        ("TLS_AES_128_GCM_SHA256", "TLSv1.3")
    } else {
        ("ECDHE-RSA-AES128-GCM-SHA256", "TLSv1.2")
    };
    let _ = write!(
        out,
        " SigV4 {cipher} AuthHeader {} {tls} - - {}",
        ctx.host, ctx.region
    );
    debug_assert!(!matches!(r.op, Op::List) || r.key.is_empty());
}

impl LogWriter {
    /// Writes into `dir` (created if needed).
    pub fn new(
        dir: &Path,
        seed: u64,
        compress: Compress,
        lines_per_file: Option<u64>,
        ctx: LineCtx,
    ) -> Result<LogWriter, GenerateError> {
        std::fs::create_dir_all(dir).map_err(|e| GenerateError::io(dir, e))?;
        Ok(LogWriter {
            dir: dir.to_path_buf(),
            seed,
            compress,
            lines_per_file: lines_per_file.filter(|n| *n > 0),
            ctx,
            cur: None,
            files: 0,
            line: String::with_capacity(1024),
            time_cache: (i64::MIN, String::new()),
        })
    }

    fn open(&mut self, hour: i64, index: u32) -> Result<OpenFile, GenerateError> {
        // Keyed by the count of files opened so far too: an hour the writer comes back to (a
        // long multipart upload's parts interleave with later hours) must get a new name, not
        // overwrite the file it wrote before under the same (hour, index).
        let mut rng = dist::stream(
            self.seed,
            (hour as u64) ^ ((index as u64) << 40) ^ (self.files << 52),
            Purpose::Names,
        );
        let delivered = (hour + 1) * 3600 + 10 * index as i64 + rng.random_range(0..10i64);
        let name = format!(
            "{}-{:016X}{}",
            name_stamp(delivered),
            rng.next_u64(),
            self.compress.extension()
        );
        let path = self.dir.join(name);
        let f = File::create(&path).map_err(|e| GenerateError::io(&path, e))?;
        let w = BufWriter::with_capacity(1 << 18, f);
        let sink = match self.compress {
            Compress::None => Sink::Plain(w),
            Compress::Gz => Sink::Gz(flate2::write::GzEncoder::new(
                w,
                flate2::Compression::default(),
            )),
            Compress::Zst => Sink::Zst(
                zstd::stream::write::Encoder::new(w, 3).map_err(|e| GenerateError::io(&path, e))?,
            ),
        };
        self.files += 1;
        Ok(OpenFile {
            hour,
            index,
            lines: 0,
            path,
            sink,
        })
    }

    fn close(&mut self) -> Result<(), GenerateError> {
        if let Some(f) = self.cur.take() {
            f.sink.finish().map_err(|e| GenerateError::io(&f.path, e))?;
        }
        Ok(())
    }

    /// Appends one record (requests arrive in time order).
    pub fn write(&mut self, r: &Request<'_>) -> Result<(), GenerateError> {
        let hour = r.time.div_euclid(3600);
        let roll = match &self.cur {
            None => Some(0),
            Some(f) if f.hour != hour => Some(0),
            Some(f) if self.lines_per_file.is_some_and(|n| f.lines >= n) => Some(f.index + 1),
            Some(_) => None,
        };
        if let Some(index) = roll {
            self.close()?;
            self.cur = Some(self.open(hour, index)?);
        }
        if self.time_cache.0 != r.time {
            self.time_cache.1.clear();
            log_time(r.time, &mut self.time_cache.1);
            self.time_cache.0 = r.time;
        }
        self.line.clear();
        format_record(r, &self.ctx, &self.time_cache.1, &mut self.line);
        self.line.push('\n');
        let Some(f) = self.cur.as_mut() else {
            return Ok(());
        };
        f.lines += 1;
        f.sink
            .writer()
            .write_all(self.line.as_bytes())
            .map_err(|e| GenerateError::io(&f.path, e))
    }

    /// Closes the last file; returns how many files were written.
    pub fn finish(mut self) -> Result<u64, GenerateError> {
        self.close()?;
        Ok(self.files)
    }
}
