//! The fuzz harness: a counting allocator, one case run on its own thread under a time limit
//! and a memory bound, case counts from `COSTLAB_FUZZ_CASES`, and the inputs of failed cases
//! saved to files.
//!
//! Memory is counted per thread: every allocation and free made by a thread adds to that
//! thread's own count, so cases of tests running in parallel never see each other. The readers
//! start no threads of their own, so a case thread's peak is the case's. Allocations made by C
//! libraries through `malloc` (zstd's decoder window, capped at 2^27 bytes by
//! `trace::input::ZSTD_WINDOW_LOG_MAX`) are not seen here; the binary target runs under an
//! address-space limit for those.

use proptest::test_runner::Config;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The longest one case may take before it counts as a hang: generous, because it detects
/// hangs, not slowness (a debug build on a loaded 2-core machine takes seconds on a 20 MiB
/// input); `COSTLAB_FUZZ_TIMEOUT_SECS` changes it. Speed is measured by the benchmarks.
pub fn case_timeout() -> Duration {
    let secs = std::env::var("COSTLAB_FUZZ_TIMEOUT_SECS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(120);
    Duration::from_secs(secs)
}
/// A case thread's stack: the main thread's, where the binary parses its inputs.
const CASE_STACK: usize = 8 << 20;
/// Past this many live bytes a case thread's allocations fail (the process aborts with the
/// input already saved): a bomb must not take the machine before the bound is checked.
const HARD_CAP: isize = 2 << 30;
pub const MIB: usize = 1 << 20;
/// The largest mutated TOML document fed to a reader, and the largest JSON or XML one: a
/// debug build parses a few MB a second, so larger documents would come near the time limit
/// without being hangs. The line readers stream and take inputs of any size.
pub const TOML_MAX: usize = MIB;
pub const JSON_MAX: usize = MIB;

thread_local! {
    /// Bytes allocated minus bytes freed by this thread (negative when it frees more than it
    /// allocated: memory another thread allocated, such as a case's input).
    static LIVE: Cell<isize> = const { Cell::new(0) };
    /// The lowest `LIVE` so far, and the largest rise of `LIVE` above it: the most bytes this
    /// thread has held at once, not counting frees of other threads' memory.
    static LOW: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
    static CAPPED: Cell<bool> = const { Cell::new(false) };
}

/// `System`, counting each thread's live and peak bytes.
pub struct Counting;

fn add(delta: isize) -> bool {
    LIVE.try_with(|live| {
        let v = live.get() + delta;
        live.set(v);
        let low = LOW.try_with(|l| {
            l.set(l.get().min(v));
            l.get()
        });
        let held = v - low.unwrap_or(0);
        let _ = PEAK.try_with(|p| p.set(p.get().max(held)));
        let over = delta > 0 && held > HARD_CAP && CAPPED.try_with(Cell::get).unwrap_or(false);
        if over {
            let msg = b"\nfuzz: a case went past the hard memory cap (2 GiB); its input is in \
                        target/tmp/fuzz-failures/running-*.bin\n";
            // SAFETY: writes a static buffer to stderr; no allocation inside the allocator.
            unsafe { libc::write(2, msg.as_ptr().cast(), msg.len()) };
        }
        !over
    })
    .unwrap_or(true)
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        if !add(l.size() as isize) {
            add(-(l.size() as isize));
            return std::ptr::null_mut();
        }
        unsafe { System.alloc(l) }
    }

    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        if !add(l.size() as isize) {
            add(-(l.size() as isize));
            return std::ptr::null_mut();
        }
        unsafe { System.alloc_zeroed(l) }
    }

    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        add(-(l.size() as isize));
        unsafe { System.dealloc(p, l) }
    }

    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let delta = new as isize - l.size() as isize;
        if !add(delta) {
            add(-delta);
            return std::ptr::null_mut();
        }
        let q = unsafe { System.realloc(p, l, new) };
        if q.is_null() {
            add(-delta);
        }
        q
    }
}

/// The most one case of a target may hold at once: `fixed` bytes plus `per_byte` for each
/// byte of its input (the readers keep a few fixed buffers, and what they build grows with
/// what they read).
#[derive(Clone, Copy, Debug)]
pub struct Bound {
    pub fixed: usize,
    pub per_byte: usize,
}

impl Bound {
    pub fn of(&self, input_len: usize) -> usize {
        self.fixed
            .saturating_add(self.per_byte.saturating_mul(input_len))
    }
}

/// `COSTLAB_FUZZ_CASES`: `N` runs N cases per target, `Nx` multiplies each target's default
/// (the CI counts) by N. Unset: the defaults.
pub fn cases(default: u32) -> u32 {
    match std::env::var("COSTLAB_FUZZ_CASES") {
        Err(_) => default,
        Ok(v) => {
            let v = v.trim();
            let bad = || {
                panic!("COSTLAB_FUZZ_CASES={v:?}: expected a case count (500) or a factor (20x)")
            };
            match v.strip_suffix(['x', 'X']) {
                Some(f) => default.saturating_mul(f.trim().parse().unwrap_or_else(|_| bad())),
                None => v.parse().unwrap_or_else(|_| bad()),
            }
        }
    }
}

/// A proptest configuration of `cases(default)` cases, shrinking briefly (a hung case costs
/// seconds per shrink step).
pub fn config(default: u32) -> Config {
    Config {
        cases: cases(default),
        max_shrink_iters: 200,
        max_shrink_time: 30_000,
        ..Config::default()
    }
}

/// Where failed cases' inputs go: `target/tmp/fuzz-failures/`.
pub fn failure_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-failures")
}

/// Saves `input` as `failure_dir()/TARGET-HASH.bin` and returns the path.
pub fn save_input(target: &str, input: &[u8]) -> PathBuf {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    input.hash(&mut h);
    let dir = failure_dir();
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(format!("{target}-{:016x}.bin", h.finish()));
    let _ = std::fs::write(&path, input);
    path
}

/// What one case measured.
#[derive(Clone, Copy, Debug)]
pub struct Measured {
    pub peak_bytes: usize,
}

/// Runs `f` (one case of `target`, whose input is `input`) on a thread of its own and checks
/// that it returns within [`case_timeout`], does not panic, and holds at most `bound` bytes at
/// once. On a failure the input is saved (`save_input`) and the test panics naming the file.
/// `f`'s own checks (an error must name the file) fail it by returning `Err`.
pub fn run_case<F>(target: &str, input: &[u8], bound: Bound, f: F) -> Measured
where
    F: FnOnce() -> Result<(), String> + Send + 'static,
{
    run_case_within(case_timeout(), target, input, bound, f)
}

/// [`run_case`] with an explicit hang limit.
pub fn run_case_within<F>(
    timeout: Duration,
    target: &str,
    input: &[u8],
    bound: Bound,
    f: F,
) -> Measured
where
    F: FnOnce() -> Result<(), String> + Send + 'static,
{
    let limit = bound.of(input.len());
    // Kept in case the hard cap aborts the process before the case returns.
    let running = failure_dir().join(format!("running-{target}.bin"));
    let _ = std::fs::create_dir_all(failure_dir());
    let _ = std::fs::write(&running, input);
    let (tx, rx) = mpsc::channel();
    let started = Instant::now();
    let spawned = std::thread::Builder::new()
        .name(format!("fuzz:{target}"))
        .stack_size(CASE_STACK)
        .spawn(move || {
            CAPPED.with(|c| c.set(true));
            LOW.with(|l| l.set(LIVE.with(Cell::get)));
            PEAK.with(|p| p.set(0));
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
            let peak = PEAK.with(Cell::get).max(0) as usize;
            let _ = tx.send((r, peak));
        })
        .expect("spawn a fuzz case thread");
    let fail = |why: String| -> ! {
        let saved = save_input(target, input);
        let _ = std::fs::remove_file(&running);
        panic!(
            "{target}: {why}; the input ({} bytes) is saved in {}",
            input.len(),
            saved.display()
        )
    };
    match rx.recv_timeout(timeout) {
        Err(_) => fail(format!(
            "the case did not return within {} s (a hang)",
            timeout.as_secs()
        )),
        Ok((r, peak)) => {
            let _ = spawned.join();
            let elapsed = started.elapsed();
            match r {
                Err(payload) => {
                    let why = payload
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| payload.downcast_ref::<String>().cloned())
                        .unwrap_or_default();
                    fail(format!("panicked: {why}"))
                }
                Ok(Err(why)) => fail(why),
                Ok(Ok(())) if peak > limit => fail(format!(
                    "held {peak} bytes at once, over the bound of {limit} ({bound:?})"
                )),
                Ok(Ok(())) => {
                    let _ = std::fs::remove_file(&running);
                    record(target, input, peak, elapsed);
                    Measured { peak_bytes: peak }
                }
            }
        }
    }
}

/// With `COSTLAB_FUZZ_VERBOSE` set, prints each target's largest peak and slowest case so far
/// when they grow (to choose bounds), saving their inputs as `failure_dir()/slowest-TARGET.bin`
/// and `largest-TARGET.bin`.
fn record(target: &str, input: &[u8], peak: usize, elapsed: Duration) {
    use std::collections::HashMap;
    use std::sync::Mutex;
    static SEEN: Mutex<Option<HashMap<String, (usize, Duration)>>> = Mutex::new(None);
    if std::env::var_os("COSTLAB_FUZZ_VERBOSE").is_none() {
        return;
    }
    let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
    let e = seen
        .get_or_insert_with(HashMap::new)
        .entry(target.to_string())
        .or_insert((0, Duration::ZERO));
    if peak > e.0 || elapsed > e.1 {
        for (grew, name) in [(peak > e.0, "largest"), (elapsed > e.1, "slowest")] {
            if grew {
                let _ = std::fs::write(failure_dir().join(format!("{name}-{target}.bin")), input);
            }
        }
        e.0 = e.0.max(peak);
        e.1 = e.1.max(elapsed);
        eprintln!(
            "fuzz {target}: peak {:.2} MiB, slowest {:?}",
            e.0 as f64 / MIB as f64,
            e.1
        );
    }
}

/// Checks that an error message names `file`.
pub fn names_file(target: &str, file: &str, message: &str) -> Result<(), String> {
    if message.contains(file) {
        Ok(())
    } else {
        Err(format!(
            "{target}: the error does not name the file {file:?}: {message}"
        ))
    }
}

/// The repository's path `p`.
pub fn repo(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

/// The shared corpus's path `p` (`../shared/corpus/p` beside the repository), or `None` with a
/// printed notice when it is absent.
pub fn corpus(p: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus")
        .join(p);
    if path.exists() {
        Some(path)
    } else {
        eprintln!(
            "note: {} is absent: its samples are not fuzzed",
            path.display()
        );
        None
    }
}

/// A temporary folder that lives until the test process exits, then is removed (an `atexit`
/// handler: statics are never dropped).
pub fn process_dir() -> PathBuf {
    use std::sync::Mutex;
    static DIRS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
    extern "C" fn remove_all() {
        if let Ok(dirs) = DIRS.lock() {
            for d in dirs.iter() {
                let _ = std::fs::remove_dir_all(d);
            }
        }
    }
    let dir = tempfile::tempdir().expect("a temporary folder").keep();
    let mut dirs = DIRS.lock().unwrap_or_else(|e| e.into_inner());
    if dirs.is_empty() {
        // SAFETY: registers a plain function; it runs once, at exit.
        unsafe { libc::atexit(remove_all) };
    }
    dirs.push(dir.clone());
    dir
}
