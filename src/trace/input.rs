//! Opening evidence files: plain, `.gz` or `.zst` (by extension, or by magic bytes), or
//! standard input (`-`), as buffered readers.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// Opens `path` (`-` for standard input), decompressing gzip or zstd by content.
pub fn open(path: &Path) -> io::Result<Box<dyn BufRead + Send>> {
    open_counted(path, None)
}

/// As `open`, adding every byte read from the file (compressed, as stored) to `counter`, so a
/// progress bar can measure reading against the files' sizes.
pub fn open_counted(
    path: &Path,
    counter: Option<Arc<AtomicU64>>,
) -> io::Result<Box<dyn BufRead + Send>> {
    let raw: Box<dyn Read + Send> = if path == Path::new("-") {
        Box::new(io::stdin())
    } else {
        Box::new(File::open(path)?)
    };
    let raw: Box<dyn Read + Send> = match counter {
        Some(n) => Box::new(Counted { inner: raw, n }),
        None => raw,
    };
    decompress(BufReader::with_capacity(1 << 20, raw))
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

/// Wraps a reader in the decompressor its first bytes call for.
pub fn decompress<R: BufRead + Send + 'static>(mut r: R) -> io::Result<Box<dyn BufRead + Send>> {
    let head = r.fill_buf()?;
    if head.starts_with(&GZIP_MAGIC) {
        Ok(Box::new(BufReader::with_capacity(
            1 << 20,
            flate2::bufread::MultiGzDecoder::new(r),
        )))
    } else if head.starts_with(&ZSTD_MAGIC) {
        Ok(Box::new(BufReader::with_capacity(
            1 << 20,
            zstd::stream::read::Decoder::with_buffer(r)?,
        )))
    } else {
        Ok(Box::new(r))
    }
}
