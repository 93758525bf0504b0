//! Temporary files and folders. Every one costlab makes is named so that it can be recognised
//! (`costlab-<pid>-<purpose>-<n>` under the temporary directory, `.<name>.costlab-tmp-<pid>-<n>`
//! beside an output) and registered here while it exists: on SIGINT, SIGTERM or SIGHUP the
//! handler installed by [`install_signal_cleanup`] removes every registered path and exits with
//! 128 + the signal (130, 143, 129). What a killed run (SIGKILL, a crash) leaves behind is
//! removed by the next run: [`remove_stale`] at start for the temporary directory, and
//! [`clean_siblings`] before an output is written for its folder; both only touch entries that
//! match the exact pattern, belong to the current user and name a process that no longer runs.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

struct Registry {
    next: u64,
    paths: Vec<(u64, PathBuf)>,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    next: 0,
    paths: Vec::new(),
});

/// Set once a signal handler has started removing the registered paths.
static CLOSING: AtomicBool = AtomicBool::new(false);

/// The registry. A panic while it was held leaves it consistent (every change is one push or
/// one retain), so a poisoned lock is taken as it is.
fn lock() -> MutexGuard<'static, Registry> {
    REGISTRY.lock().unwrap_or_else(|p| p.into_inner())
}

/// Runs `f` with the registry locked: a signal handler waits until it is done, so what `f`
/// does (a rename that swaps a folder into place) is never interrupted half-way by the cleanup.
pub(crate) fn exclusive<T>(f: impl FnOnce() -> T) -> T {
    let _held = lock();
    f()
}

/// A path removed by the signal handler while this value lives; dropping it unregisters the
/// path (it does not remove it).
#[must_use = "the path is unregistered when this is dropped"]
#[derive(Debug)]
pub struct Registered {
    id: u64,
}

impl Drop for Registered {
    fn drop(&mut self) {
        lock().paths.retain(|(i, _)| *i != self.id);
    }
}

fn push(r: &mut Registry, path: &Path) -> Registered {
    let id = r.next;
    r.next += 1;
    r.paths.push((id, path.to_path_buf()));
    Registered { id }
}

/// Registers `path` for removal on a signal.
pub fn register(path: &Path) -> Registered {
    push(&mut lock(), path)
}

/// Creates `path` with `create` and registers it, both under the lock, so that a signal never
/// falls between the two (which would leave the path behind).
pub fn create_registered(
    path: &Path,
    create: impl FnOnce(&Path) -> io::Result<()>,
) -> io::Result<Registered> {
    let mut r = lock();
    create(path)?;
    Ok(push(&mut r, path))
}

/// Whether a signal handler is removing the temporary files (the process is about to exit).
pub fn closing() -> bool {
    CLOSING.load(Ordering::SeqCst)
}

/// Waits for a signal handler that has started to finish (it exits the process); returns at
/// once otherwise. `main` calls it before reporting an error, which may be the handler's
/// removals seen from the other side.
pub fn settle() {
    drop(lock());
}

/// Removes `path`, a file or a folder. A folder is first renamed (to the same name and `-rm`)
/// so that a thread still writing into it by path fails instead of refilling it, then removed.
pub fn remove_path(path: &Path) {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return;
    };
    if !meta.is_dir() {
        let _ = std::fs::remove_file(path);
        return;
    }
    let mut gone = path.as_os_str().to_os_string();
    gone.push("-rm");
    let gone = PathBuf::from(gone);
    let target = if std::fs::rename(path, &gone).is_ok() {
        gone
    } else {
        path.to_path_buf()
    };
    for _ in 0..5 {
        match std::fs::remove_dir_all(&target) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => continue,
            _ => return,
        }
    }
}

/// Removes every registered path (newest first) and marks the process as closing; the
/// registry stays locked until the process exits, so no thread registers or swaps anything
/// after the cleanup.
fn cleanup_and_hold() -> MutexGuard<'static, Registry> {
    let r = lock();
    CLOSING.store(true, Ordering::SeqCst);
    for (_, p) in r.paths.iter().rev() {
        remove_path(p);
    }
    r
}

/// Installs the handler for SIGINT, SIGTERM and SIGHUP: a thread that, on the first of them,
/// removes every registered path, calls `on_signal` (the binary prints a line) and exits with
/// 128 + the signal number. Call it first thing in `main`.
#[cfg(unix)]
pub fn install_signal_cleanup(on_signal: fn(i32)) -> io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    std::thread::Builder::new()
        .name("costlab-signals".into())
        .spawn(move || {
            if let Some(sig) = signals.forever().next() {
                let _held = cleanup_and_hold();
                on_signal(sig);
                // SAFETY: ends the process at once, without running exit handlers while other
                // threads are still working; everything worth keeping was written atomically.
                unsafe { libc::_exit(128 + sig) }
            }
        })?;
    Ok(())
}

/// Signals are not handled on this platform.
#[cfg(not(unix))]
pub fn install_signal_cleanup(_on_signal: fn(i32)) -> io::Result<()> {
    Ok(())
}

/// A temporary folder `costlab-<pid>-<purpose>-<n>` (mode 0700), registered for removal on a
/// signal and removed when dropped.
#[derive(Debug)]
pub struct TempDir {
    path: PathBuf,
    _registered: Registered,
}

impl TempDir {
    /// A new folder under `base` (normally `std::env::temp_dir()`); `purpose` is a short
    /// lower-case word (`gen`, `partitions`).
    pub fn create_in(base: &Path, purpose: &str) -> io::Result<TempDir> {
        static N: AtomicU64 = AtomicU64::new(0);
        debug_assert!(purpose.bytes().all(|b| b.is_ascii_lowercase()));
        loop {
            let n = N.fetch_add(1, Ordering::Relaxed);
            let path = base.join(format!("costlab-{}-{purpose}-{n}", std::process::id()));
            match create_registered(&path, create_private_dir) {
                Ok(registered) => {
                    return Ok(TempDir {
                        path,
                        _registered: registered,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // Removed before it is unregistered (the field drops after this), so a signal during
        // the removal finishes it.
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

fn create_private_dir(path: &Path) -> io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(path)
}

/// Whether process `pid` runs (or may: a pid that cannot be checked counts as alive).
pub fn pid_alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(p) = libc::pid_t::try_from(pid) else {
            return true;
        };
        if p <= 0 {
            return true;
        }
        // SAFETY: signal 0 only checks that the process exists and may be signalled.
        if unsafe { libc::kill(p, 0) } == 0 {
            return true;
        }
        io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// Whether an entry is the current user's (never follows a symbolic link).
fn ours(meta: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // SAFETY: geteuid has no failure mode.
        meta.uid() == unsafe { libc::geteuid() }
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        false
    }
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn digits(s: &str) -> Option<u32> {
    all_digits(s).then(|| s.parse().ok()).flatten()
}

/// The pid in a temporary-directory name costlab makes: `costlab-<pid>-<purpose>-<n>`, or the
/// names of earlier versions (`costlab-partitions-<pid>-<n>`, `costlab-gen-<pid>-<seed>`); a
/// trailing `-rm` (a removal under way) is allowed.
pub fn temp_name_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix("costlab-")?;
    let rest = rest.strip_suffix("-rm").unwrap_or(rest);
    let parts: Vec<&str> = rest.split('-').collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let word = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase());
    if !all_digits(c) {
        return None;
    }
    if let Some(pid) = digits(a) {
        return word(b).then_some(pid);
    }
    matches!(*a, "partitions" | "gen")
        .then(|| digits(b))
        .flatten()
}

/// Removes from `base` (the temporary directory) what runs that are no longer alive left
/// there: entries whose name [`temp_name_pid`] recognises, owned by the current user, not
/// symbolic links. Returns what was removed.
pub fn remove_stale(base: &Path) -> Vec<PathBuf> {
    let mut removed = Vec::new();
    let Ok(entries) = std::fs::read_dir(base) else {
        return removed;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name.to_str().and_then(temp_name_pid) else {
            continue;
        };
        let path = e.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.file_type().is_symlink() || !ours(&meta) || pid_alive(pid) {
            continue;
        }
        let r = if meta.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        if r.is_ok() {
            removed.push(path);
        }
    }
    removed
}

/// What a name beside an output is: `.<name>.costlab-<tmp|old>-<pid>-<n>[-rm]`.
#[derive(Debug, PartialEq, Eq)]
pub struct Sibling<'a> {
    /// The output's file name.
    pub name: &'a str,
    /// `old`: an output moved aside while its replacement was renamed into place.
    pub old: bool,
    pub pid: u32,
    /// A removal was under way.
    pub removing: bool,
}

/// The temporary name beside `name`, for process `pid`, number `n`.
pub fn sibling_name(name: &str, kind: &str, n: u64) -> String {
    format!(".{name}.costlab-{kind}-{}-{n}", std::process::id())
}

/// Reads a name made by [`sibling_name`].
pub fn parse_sibling(file: &str) -> Option<Sibling<'_>> {
    let rest = file.strip_prefix('.')?;
    let (rest, removing) = match rest.strip_suffix("-rm") {
        Some(r) => (r, true),
        None => (rest, false),
    };
    let at = rest.rfind(".costlab-")?;
    let (name, tail) = (&rest[..at], &rest[at + ".costlab-".len()..]);
    let parts: Vec<&str> = tail.split('-').collect();
    let [kind, pid, n] = parts.as_slice() else {
        return None;
    };
    if !all_digits(n) {
        return None;
    }
    let pid = digits(pid)?;
    let old = match *kind {
        "tmp" => false,
        "old" => true,
        _ => return None,
    };
    (!name.is_empty()).then_some(Sibling {
        name,
        old,
        pid,
        removing,
    })
}

/// Cleans what killed runs left beside `target` (in its folder): temporary files and folders
/// are removed; a folder that was moved aside (`old`) while its replacement was being renamed
/// into place is moved back when `target` is missing, so the output is wholly the old one.
pub fn clean_siblings(target: &Path) {
    let (Some(dir), Some(target_name)) = (target.parent(), target.file_name()) else {
        return;
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let file = e.file_name();
        let Some(s) = file.to_str().and_then(parse_sibling) else {
            continue;
        };
        let path = e.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.file_type().is_symlink() || !ours(&meta) || pid_alive(s.pid) {
            continue;
        }
        if s.old
            && !s.removing
            && target_name.to_str() == Some(s.name)
            && std::fs::symlink_metadata(target).is_err()
            && std::fs::rename(&path, target).is_ok()
        {
            continue;
        }
        let _ = if meta.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pid that ran and has ended.
    fn dead_pid() -> u32 {
        let mut c = std::process::Command::new("true").spawn().unwrap();
        let pid = c.id();
        c.wait().unwrap();
        pid
    }

    #[test]
    fn names_are_recognised_exactly() {
        assert_eq!(temp_name_pid("costlab-123-gen-0"), Some(123));
        assert_eq!(temp_name_pid("costlab-123-partitions-7-rm"), Some(123));
        assert_eq!(temp_name_pid("costlab-partitions-55-3"), Some(55));
        assert_eq!(temp_name_pid("costlab-gen-55-20260301"), Some(55));
        for no in [
            "costlab-123-gen",
            "costlab-123-Gen-0",
            "costlab-abc-gen-0",
            "costlab-123-gen-0-x",
            "xcostlab-123-gen-0",
            "costlab-123-gen-0.txt",
            "costlab-other-55-3",
            "costlab--gen-0",
        ] {
            assert_eq!(temp_name_pid(no), None, "{no}");
        }
        let s = parse_sibling(".report.json.costlab-tmp-42-3").unwrap();
        assert_eq!(
            (s.name, s.old, s.pid, s.removing),
            ("report.json", false, 42, false)
        );
        let s = parse_sibling(".my.costlab-x.costlab-old-42-0-rm").unwrap();
        assert_eq!((s.name, s.old, s.removing), ("my.costlab-x", true, true));
        for no in [
            "report.json.costlab-tmp-42-3",
            ".report.json.costlab-new-42-3",
            ".report.json.costlab-tmp-42",
            "..costlab-tmp-42-3",
        ] {
            assert_eq!(parse_sibling(no), None, "{no}");
        }
        assert_eq!(
            parse_sibling(&sibling_name("lake", "tmp", 9)).map(|s| s.pid),
            Some(std::process::id())
        );
    }

    #[test]
    fn stale_entries_of_dead_runs_are_removed_and_live_ones_kept() {
        let base = tempfile::tempdir().unwrap();
        let dead = dead_pid();
        let me = std::process::id();
        let mk = |name: &str| {
            let p = base.path().join(name);
            std::fs::create_dir(&p).unwrap();
            std::fs::write(p.join("f"), b"x").unwrap();
            p
        };
        let gone = mk(&format!("costlab-{dead}-gen-0"));
        let legacy = mk(&format!("costlab-partitions-{dead}-1"));
        let live = mk(&format!("costlab-{me}-gen-0"));
        let other = mk(&format!("mine-{dead}-gen-0"));
        let removed = remove_stale(base.path());
        assert_eq!(removed.len(), 2, "{removed:?}");
        assert!(!gone.exists() && !legacy.exists());
        assert!(live.exists() && other.exists());
    }

    #[test]
    fn a_folder_moved_aside_by_a_killed_run_is_moved_back() {
        let base = tempfile::tempdir().unwrap();
        let dead = dead_pid();
        let target = base.path().join("lake");
        let aside = base.path().join(format!(".lake.costlab-old-{dead}-0"));
        let staging = base.path().join(format!(".lake.costlab-tmp-{dead}-1"));
        std::fs::create_dir(&aside).unwrap();
        std::fs::write(aside.join("report.json"), b"old").unwrap();
        std::fs::create_dir(&staging).unwrap();
        clean_siblings(&target);
        assert_eq!(std::fs::read(target.join("report.json")).unwrap(), b"old");
        assert!(!aside.exists() && !staging.exists());
    }

    #[test]
    fn temp_dirs_are_registered_while_they_live() {
        let base = tempfile::tempdir().unwrap();
        let d = TempDir::create_in(base.path(), "test").unwrap();
        let path = d.path().to_path_buf();
        assert!(path.is_dir());
        assert_eq!(
            temp_name_pid(&path.file_name().unwrap().to_string_lossy()),
            Some(std::process::id())
        );
        assert!(lock().paths.iter().any(|(_, p)| *p == path));
        drop(d);
        assert!(!path.exists());
        assert!(!lock().paths.iter().any(|(_, p)| *p == path));
    }

    #[test]
    fn removal_of_a_folder_renames_it_first() {
        let base = tempfile::tempdir().unwrap();
        let p = base.path().join("costlab-1-x-0");
        std::fs::create_dir_all(p.join("a/b")).unwrap();
        std::fs::write(p.join("a/b/c"), b"x").unwrap();
        remove_path(&p);
        assert_eq!(std::fs::read_dir(base.path()).unwrap().count(), 0);
        let f = base.path().join("f");
        std::fs::write(&f, b"x").unwrap();
        remove_path(&f);
        assert!(!f.exists());
    }
}
