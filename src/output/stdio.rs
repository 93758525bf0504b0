//! Standard output. A program started with stdout closed (`costlab … >&-`) finds `/dev/null`
//! there: Rust's runtime opens it on closed standard descriptors before `main`, so output
//! would be lost with exit 0. [`record_closed_stdout`] runs before the runtime (from the
//! binary's `.init_array`) and remembers; [`write_stdout`] and [`Stdout`] then fail with
//! `EBADF` instead of losing the output. A closed pipe
//! (`costlab … | head`) is [`io::ErrorKind::BrokenPipe`], which callers treat as success.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Records whether descriptor 1 is closed. Must run before Rust's runtime starts (the
/// binary lists it in `.init_array`), because the runtime then puts `/dev/null` on a closed
/// standard descriptor, after which a closed stdout cannot be told from `> /dev/null`. Touches
/// nothing but an atomic flag, as a constructor must.
pub extern "C" fn record_closed_stdout() {
    #[cfg(unix)]
    {
        // SAFETY: F_GETFD on a descriptor number only asks whether it is open.
        if unsafe { libc::fcntl(1, libc::F_GETFD) } == -1 {
            STDOUT_CLOSED.store(true, Ordering::SeqCst);
        }
    }
}

/// Whether stdout was closed when the process started.
pub fn stdout_closed() -> bool {
    STDOUT_CLOSED.load(Ordering::SeqCst)
}

fn closed_error() -> io::Error {
    #[cfg(unix)]
    {
        io::Error::from_raw_os_error(libc::EBADF)
    }
    #[cfg(not(unix))]
    {
        io::Error::other("standard output is closed")
    }
}

/// Writes all of `bytes` to stdout and flushes.
pub fn write_stdout(bytes: &[u8]) -> io::Result<()> {
    let mut out = Stdout::lock();
    out.write_all(bytes)?;
    out.flush()
}

/// Stdout, locked, that fails with `EBADF` when stdout was closed at start.
pub struct Stdout {
    inner: io::StdoutLock<'static>,
}

impl Stdout {
    pub fn lock() -> Stdout {
        Stdout {
            inner: io::stdout().lock(),
        }
    }
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if stdout_closed() {
            return Err(closed_error());
        }
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        if stdout_closed() {
            return Err(closed_error());
        }
        self.inner.flush()
    }
}
