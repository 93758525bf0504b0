//! Output folders: a report folder (`run`, `optimize`), a chart folder (`report --out`), a
//! generated workload (`generate`). [`write_folder`] writes the whole folder into a temporary
//! sibling (`.<name>.costlab-tmp-<pid>-<n>`), flushes it to disk and swaps it into place by
//! rename (`renameat2(RENAME_EXCHANGE)` on Linux; elsewhere the old folder is renamed aside
//! first), then removes the old one. Whatever happens, the folder is wholly the old one or
//! wholly the new one, and never holds files of an earlier run. The folder gets a marker file,
//! [`MARKER`], listing what was written: a folder is replaced whole only when it is empty or
//! costlab made it (the marker, or the main file an earlier costlab version wrote).
//!
//! What costlab never replaces whole, it writes into ("in place": each file atomically, the
//! files its marker lists from an earlier run removed, nothing else touched):
//! - the root folder, the home folder, the current folder and any folder above them;
//! - a non-empty folder costlab did not make, and only with `--force` (otherwise an error,
//!   exit 2);
//! - a folder costlab wrote into in place before.

use super::temp;
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// The file that marks a folder as costlab's and lists what it holds.
pub const MARKER: &str = ".costlab-output";

/// The environment variable that makes a folder writer fail after writing that many files
/// (tests use it to check that a failure half-way leaves the old folder whole).
pub const FAIL_AFTER_FILES_VAR: &str = "COSTLAB_TEST_FAIL_AFTER_FILES";

/// What is written, by whom.
#[derive(Clone, Copy, Debug)]
pub struct Spec<'a> {
    /// The command, for messages and the marker: `run`, `optimize`, `report`, `generate`.
    pub command: &'a str,
    /// `--force`: write into a folder costlab did not make (in place, nothing else removed).
    pub force: bool,
    /// Replacing earlier costlab output needs `--force` too (a generated workload).
    pub replace_needs_force: bool,
    /// Whether a folder without a marker was made by an earlier costlab version.
    pub legacy: fn(&Path) -> bool,
}

/// Why a folder could not be written.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    #[error(
        "{}: the folder is not empty and costlab did not make it (no {MARKER} in it); choose \
         another folder (it is created), empty this one, or pass --force to write costlab's \
         files into it and leave the others",
        path.display()
    )]
    Foreign { path: PathBuf },
    #[error(
        "{}: is {what}, which costlab never replaces; write into a new folder inside it \
         (e.g. --out {}) or pass --force to write costlab's files into it and leave the others",
        path.display(),
        path.join("costlab-report").display()
    )]
    Protected { path: PathBuf, what: &'static str },
    #[error(
        "{}: already holds costlab output; pass --force to replace it (or choose another folder)",
        path.display()
    )]
    NeedsForce { path: PathBuf },
    #[error("{}: is not a folder", path.display())]
    NotAFolder { path: PathBuf },
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
}

impl FolderError {
    /// Whether the error is about the arguments (exit 2) rather than writing (exit 3).
    pub fn is_input(&self) -> bool {
        !matches!(self, FolderError::Io { .. })
    }

    fn io(path: &Path) -> impl FnOnce(io::Error) -> FolderError + '_ {
        move |source| FolderError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// How the folder was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// A new folder.
    Created,
    /// An earlier folder replaced whole.
    Replaced,
    /// Written into an existing folder (module docs).
    InPlace,
}

/// A folder written.
#[derive(Debug)]
pub struct Written {
    /// The folder (absolute, links resolved).
    pub path: PathBuf,
    pub mode: Mode,
    /// The files written, under `path`.
    pub files: Vec<PathBuf>,
}

/// The folder being written, handed to the writer.
#[derive(Debug)]
pub struct Staging {
    dir: PathBuf,
    target: PathBuf,
    in_place: bool,
    entries: Vec<PathBuf>,
    files: Vec<PathBuf>,
}

fn fail_after() -> Option<usize> {
    static N: OnceLock<Option<usize>> = OnceLock::new();
    *N.get_or_init(|| {
        std::env::var(FAIL_AFTER_FILES_VAR)
            .ok()
            .and_then(|v| v.parse().ok())
    })
}

/// A relative path of plain names only (no `..`, no root).
fn plain(rel: &Path) -> bool {
    rel.components().next().is_some() && rel.components().all(|c| matches!(c, Component::Normal(_)))
}

impl Staging {
    /// Where to write: the temporary folder (or the folder itself, in place).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The folder as it will be named when done.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Whether files go straight into the existing folder.
    pub fn in_place(&self) -> bool {
        self.in_place
    }

    /// Writes the file `rel` (a relative path of plain names; folders are made); returns its
    /// final path.
    pub fn put(&mut self, rel: impl AsRef<Path>, bytes: &[u8]) -> Result<PathBuf, FolderError> {
        let rel = rel.as_ref();
        let shown = self.target.join(rel);
        if !plain(rel) {
            return Err(FolderError::Io {
                path: shown,
                source: io::Error::new(io::ErrorKind::InvalidInput, "not a plain relative path"),
            });
        }
        if fail_after().is_some_and(|n| self.files.len() >= n) {
            return Err(FolderError::Io {
                path: shown,
                source: io::Error::other(format!("failing as {FAIL_AFTER_FILES_VAR} asks")),
            });
        }
        let path = self.dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(FolderError::io(&shown))?;
        }
        let written = if self.in_place {
            super::write_atomic(&path, bytes)
        } else {
            (|| {
                let mut f = File::options().write(true).create_new(true).open(&path)?;
                f.write_all(bytes)?;
                f.sync_all()
            })()
        };
        written.map_err(FolderError::io(&shown))?;
        self.entries.push(rel.to_path_buf());
        self.files.push(shown.clone());
        Ok(shown)
    }

    /// Records `rel` (a file or folder the writer made itself under [`Staging::dir`]) as part
    /// of the output, for the marker.
    pub fn claim(&mut self, rel: impl AsRef<Path>) {
        let rel = rel.as_ref();
        if plain(rel) {
            self.entries.push(rel.to_path_buf());
        }
    }
}

/// The marker's content.
#[derive(Debug, Serialize, Deserialize)]
struct Marker {
    written_by: String,
    costlab_version: String,
    /// Written whole (replaceable whole) rather than in place.
    whole: bool,
    /// What costlab wrote, relative to the folder.
    entries: Vec<PathBuf>,
}

fn read_marker(dir: &Path) -> Option<Marker> {
    let p = dir.join(MARKER);
    let m = std::fs::symlink_metadata(&p).ok()?;
    if !m.is_file() || m.len() > 16 << 20 {
        return None;
    }
    let mut marker: Marker = serde_json::from_slice(&std::fs::read(p).ok()?).ok()?;
    marker.entries.retain(|e| plain(e));
    Some(marker)
}

fn marker_bytes(command: &str, whole: bool, entries: &[PathBuf]) -> Vec<u8> {
    let mut entries = entries.to_vec();
    entries.sort();
    entries.dedup();
    let m = Marker {
        written_by: format!("costlab {command}"),
        costlab_version: env!("CARGO_PKG_VERSION").to_string(),
        whole,
        entries,
    };
    let mut v = serde_json::to_vec_pretty(&m).unwrap_or_default();
    v.push(b'\n');
    v
}

/// Whether the first 4 KiB of `file` (a regular file) contain `needle`.
fn starts_with_key(file: &Path, needle: &str) -> bool {
    use std::io::Read;
    let Ok(m) = std::fs::symlink_metadata(file) else {
        return false;
    };
    if !m.is_file() {
        return false;
    }
    let mut head = Vec::with_capacity(4096);
    File::open(file)
        .and_then(|f| f.take(4096).read_to_end(&mut head))
        .is_ok()
        && head.first() == Some(&b'{')
        && head.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// A report folder of an earlier costlab: its `report.json` is a costlab report.
pub fn legacy_report(dir: &Path) -> bool {
    starts_with_key(&dir.join("report.json"), "\"schema_version\"")
}

/// A recommendation folder of an earlier costlab: a report folder, or only the files
/// `costlab optimize` writes.
pub fn legacy_recommendation(dir: &Path) -> bool {
    const NAMES: [&str; 3] = [
        "recommended-lifecycle.json",
        "purchase-plan.csv",
        "purchase-plan.json",
    ];
    if legacy_report(dir) {
        return true;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    let names: Vec<_> = entries.flatten().map(|e| e.file_name()).collect();
    !names.is_empty() && names.iter().all(|n| NAMES.iter().any(|k| n == *k))
}

/// A workload of an earlier `costlab generate`: its `generate.json` names the spec's MD5.
pub fn legacy_generate(dir: &Path) -> bool {
    starts_with_key(&dir.join("generate.json"), "\"spec_md5\"")
}

/// No earlier layout is recognised.
pub fn legacy_none(_dir: &Path) -> bool {
    false
}

/// What costlab never replaces whole (module docs), by name.
fn protected(dir: &Path) -> Option<&'static str> {
    if dir.parent().is_none() {
        return Some("the root folder");
    }
    let canon = |p: PathBuf| std::fs::canonicalize(p).ok();
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from).and_then(canon)
        && home.starts_with(dir)
    {
        return Some(if home == dir {
            "your home folder"
        } else {
            "a folder that holds your home folder"
        });
    }
    if let Some(cwd) = std::env::current_dir().ok().and_then(canon)
        && cwd.starts_with(dir)
    {
        return Some(if cwd == dir {
            "the current folder"
        } else {
            "a folder that holds the current folder"
        });
    }
    None
}

#[derive(Debug)]
enum Plan {
    /// No folder there yet.
    Fresh(PathBuf),
    /// Replace the folder whole.
    Swap(PathBuf),
    /// Write into the folder; `old` lists what an earlier run wrote.
    InPlace(PathBuf, Vec<PathBuf>),
}

/// Follows links from `given` to where the folder is or will be (absolute, links resolved),
/// and whether it exists; makes the parent folder of one that does not when `make_parent`.
fn locate(given: &Path, make_parent: bool) -> Result<(PathBuf, bool), FolderError> {
    let mut p = given.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let name = p.file_name().ok_or_else(|| FolderError::NotAFolder {
                    path: given.to_path_buf(),
                })?;
                let parent = match p.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                    _ => PathBuf::from("."),
                };
                if !make_parent && std::fs::symlink_metadata(&parent).is_err() {
                    return Ok((p, false));
                }
                std::fs::create_dir_all(&parent).map_err(FolderError::io(&parent))?;
                let parent = std::fs::canonicalize(&parent).map_err(FolderError::io(&parent))?;
                return Ok((parent.join(name), false));
            }
            Err(e) => return Err(FolderError::io(given)(e)),
            Ok(m) if m.file_type().is_symlink() => {
                let link = std::fs::read_link(&p).map_err(FolderError::io(&p))?;
                p = match p.parent() {
                    Some(d) => d.join(link),
                    None => link,
                };
            }
            Ok(m) if m.is_dir() => {
                let dir = std::fs::canonicalize(&p).map_err(FolderError::io(&p))?;
                return Ok((dir, true));
            }
            Ok(_) => {
                return Err(FolderError::NotAFolder {
                    path: given.to_path_buf(),
                });
            }
        }
    }
    Err(FolderError::Io {
        path: given.to_path_buf(),
        source: io::Error::other("a chain of more than 40 symbolic links"),
    })
}

fn plan(given: &Path, spec: &Spec<'_>, make_parent: bool) -> Result<Plan, FolderError> {
    let (target, mut exists) = locate(given, make_parent)?;
    if make_parent {
        // What a killed run left beside the folder goes first; a folder it had moved aside
        // comes back, and is then what this run replaces.
        temp::clean_siblings(&target);
        exists = std::fs::symlink_metadata(&target).is_ok_and(|m| m.is_dir());
    }
    if !exists {
        return Ok(Plan::Fresh(target));
    }
    let empty = std::fs::read_dir(&target)
        .map_err(FolderError::io(&target))?
        .next()
        .is_none();
    let marker = read_marker(&target);
    let ours = marker.is_some() || (spec.legacy)(&target);
    if !empty && ours && spec.replace_needs_force && !spec.force {
        return Err(FolderError::NeedsForce { path: target });
    }
    let old = marker
        .as_ref()
        .map(|m| m.entries.clone())
        .unwrap_or_default();
    if let Some(what) = protected(&target) {
        return if empty || marker.is_some() || spec.force {
            Ok(Plan::InPlace(target, old))
        } else {
            Err(FolderError::Protected { path: target, what })
        };
    }
    match marker {
        _ if empty => Ok(Plan::Swap(target)),
        Some(m) if m.whole => Ok(Plan::Swap(target)),
        None if ours => Ok(Plan::Swap(target)),
        Some(_) => Ok(Plan::InPlace(target, old)),
        None if spec.force => Ok(Plan::InPlace(target, old)),
        None => Err(FolderError::Foreign { path: target }),
    }
}

/// Checks, before the work that makes its content, that `given` may be written as `spec` says
/// (the same decision [`write_folder`] makes, without creating anything).
pub fn check(given: &Path, spec: &Spec<'_>) -> Result<(), FolderError> {
    plan(given, spec, false).map(|_| ())
}

/// Writes the folder `given` with `fill` (module docs). `fill` writes through
/// [`Staging::put`] (or into [`Staging::dir`] and [`Staging::claim`]s what it made); if it
/// fails, nothing of the folder changes (in place: the files written so far stay).
pub fn write_folder<E: From<FolderError>>(
    given: &Path,
    spec: &Spec<'_>,
    fill: impl FnOnce(&mut Staging) -> Result<(), E>,
) -> Result<Written, E> {
    match plan(given, spec, true)? {
        Plan::InPlace(target, old) => in_place(target, old, spec, fill),
        Plan::Fresh(target) => whole(target, false, spec, fill),
        Plan::Swap(target) => whole(target, true, spec, fill),
    }
}

fn in_place<E: From<FolderError>>(
    target: PathBuf,
    old: Vec<PathBuf>,
    spec: &Spec<'_>,
    fill: impl FnOnce(&mut Staging) -> Result<(), E>,
) -> Result<Written, E> {
    let mut st = Staging {
        dir: target.clone(),
        target: target.clone(),
        in_place: true,
        entries: Vec::new(),
        files: Vec::new(),
    };
    fill(&mut st)?;
    // What the earlier run wrote and this one did not: removed, with folders it leaves empty.
    for rel in old.iter().filter(|o| !st.entries.contains(o)) {
        let p = target.join(rel);
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.is_dir() => std::fs::remove_dir_all(&p),
            Ok(_) => std::fs::remove_file(&p),
            Err(_) => continue,
        }
        .map_err(FolderError::io(&p))?;
        let mut up = p.parent();
        while let Some(d) = up.filter(|d| *d != target && d.starts_with(&target)) {
            if std::fs::remove_dir(d).is_err() {
                break;
            }
            up = d.parent();
        }
    }
    let marker = target.join(MARKER);
    super::write_atomic(&marker, &marker_bytes(spec.command, false, &st.entries))
        .map_err(FolderError::io(&marker))?;
    Ok(Written {
        path: target,
        mode: Mode::InPlace,
        files: st.files,
    })
}

fn whole<E: From<FolderError>>(
    target: PathBuf,
    replace: bool,
    spec: &Spec<'_>,
    fill: impl FnOnce(&mut Staging) -> Result<(), E>,
) -> Result<Written, E> {
    static N: AtomicU64 = AtomicU64::new(0);
    let (Some(parent), Some(name)) = (target.parent(), target.file_name()) else {
        return Err(FolderError::NotAFolder { path: target }.into());
    };
    let name = name.to_string_lossy().into_owned();
    let (staging, registered) = loop {
        let p = parent.join(temp::sibling_name(
            &name,
            "tmp",
            N.fetch_add(1, Ordering::Relaxed),
        ));
        match temp::create_registered(&p, |p| std::fs::create_dir(p)) {
            Ok(r) => break (p, r),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(FolderError::io(&p)(e).into()),
        }
    };
    if replace && let Ok(m) = std::fs::metadata(&target) {
        let _ = std::fs::set_permissions(&staging, m.permissions());
    }
    let mut st = Staging {
        dir: staging.clone(),
        target: target.clone(),
        in_place: false,
        entries: Vec::new(),
        files: Vec::new(),
    };
    let done = fill(&mut st).and_then(|()| {
        let marker = staging.join(MARKER);
        let bytes = marker_bytes(spec.command, true, &st.entries);
        (|| {
            let mut f = File::options().write(true).create_new(true).open(&marker)?;
            f.write_all(&bytes)?;
            f.sync_all()
        })()
        .map_err(FolderError::io(&marker))?;
        sync_tree(&staging).map_err(|e| FolderError::io(&target)(e))?;
        swap(&staging, &target, parent, &name).map_err(|e| FolderError::io(&target)(e).into())
    });
    // `staging` now holds the old folder (or what was written, on failure): removed.
    let _ = std::fs::remove_dir_all(&staging);
    drop(registered);
    done?;
    super::file::sync_dir(parent);
    Ok(Written {
        path: target,
        mode: if replace {
            Mode::Replaced
        } else {
            Mode::Created
        },
        files: st.files,
    })
}

/// Puts `staging` in place of `target` (which may not exist); afterwards `staging` names the
/// old folder, if any. Runs with the temporary-file registry locked, so a signal's cleanup
/// comes before or after, never between two renames.
fn swap(staging: &Path, target: &Path, parent: &Path, name: &str) -> io::Result<()> {
    temp::exclusive(|| {
        if std::fs::symlink_metadata(target).is_err() {
            return std::fs::rename(staging, target);
        }
        #[cfg(target_os = "linux")]
        if exchange(staging, target).is_ok() {
            return Ok(());
        }
        // Without an exchange: the old folder is renamed aside, the new one into place and the
        // old one to the staging name. A kill between the first two renames leaves the old
        // folder aside, and the next write of `target` moves it back (temp::clean_siblings).
        static N: AtomicU64 = AtomicU64::new(0);
        let aside = parent.join(temp::sibling_name(
            name,
            "old",
            N.fetch_add(1, Ordering::Relaxed),
        ));
        std::fs::rename(target, &aside)?;
        if let Err(e) = std::fs::rename(staging, target) {
            let _ = std::fs::rename(&aside, target);
            return Err(e);
        }
        if std::fs::rename(&aside, staging).is_err() {
            let _ = std::fs::remove_dir_all(&aside);
        }
        Ok(())
    })
}

/// `renameat2(a, b, RENAME_EXCHANGE)`: swaps two paths at once.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: two valid NUL-terminated paths; the syscall reads nothing else.
    let r = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Flushes every file and folder under `dir` to disk (links are not followed).
fn sync_tree(dir: &Path) -> io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let t = e.file_type()?;
        if t.is_dir() {
            sync_tree(&e.path())?;
        } else if t.is_file() {
            File::open(e.path())?.sync_all()?;
        }
    }
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUN: Spec<'static> = Spec {
        command: "run",
        force: false,
        replace_needs_force: false,
        legacy: legacy_report,
    };

    fn names(dir: &Path) -> Vec<String> {
        let mut v = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    v.push(p.strip_prefix(dir).unwrap().display().to_string());
                }
            }
        }
        v.sort();
        v
    }

    fn write(dir: &Path, spec: &Spec<'_>, files: &[(&str, &str)]) -> Result<Written, FolderError> {
        write_folder(dir, spec, |st| {
            for (n, t) in files {
                st.put(n, t.as_bytes())?;
            }
            Ok::<(), FolderError>(())
        })
    }

    #[test]
    fn a_folder_is_created_then_replaced_whole() {
        let base = tempfile::tempdir().unwrap();
        let dir = base.path().join("reports/lake");
        let w = write(&dir, &RUN, &[("report.json", "{}"), ("charts/a.svg", "a")]).unwrap();
        assert_eq!(w.mode, Mode::Created);
        assert_eq!(names(&dir), [MARKER, "charts/a.svg", "report.json"]);
        let m = read_marker(&dir).unwrap();
        assert!(m.whole);
        assert_eq!(
            m.entries,
            [PathBuf::from("charts/a.svg"), PathBuf::from("report.json")]
        );
        // An earlier run's files and a stranger's are gone after the next write.
        std::fs::write(dir.join("junk.txt"), "x").unwrap();
        std::fs::write(dir.join("recommended-lifecycle.json"), "{}").unwrap();
        let w = write(&dir, &RUN, &[("report.json", "{\"v\":2}")]).unwrap();
        assert_eq!(w.mode, Mode::Replaced);
        assert_eq!(names(&dir), [MARKER, "report.json"]);
        assert_eq!(
            std::fs::read_to_string(dir.join("report.json")).unwrap(),
            "{\"v\":2}"
        );
        assert_eq!(
            names(&base.path().join("reports")).len(),
            2,
            "no temporary left"
        );
    }

    #[test]
    fn a_failure_half_way_leaves_the_old_folder_whole() {
        let base = tempfile::tempdir().unwrap();
        let dir = base.path().join("lake");
        write(&dir, &RUN, &[("report.json", "old"), ("bill.csv", "old")]).unwrap();
        let e = write_folder(&dir, &RUN, |st| {
            st.put("report.json", b"new")?;
            Err(FolderError::Io {
                path: dir.clone(),
                source: io::Error::other("disk full"),
            })
        })
        .unwrap_err();
        assert!(e.to_string().contains("disk full"));
        assert_eq!(names(&dir), [MARKER, "bill.csv", "report.json"]);
        assert_eq!(
            std::fs::read_to_string(dir.join("report.json")).unwrap(),
            "old"
        );
        assert_eq!(names(base.path()).len(), 3, "the temporary folder is gone");
    }

    #[test]
    fn a_stranger_folder_is_refused_and_forced_in_place() {
        let base = tempfile::tempdir().unwrap();
        let dir = base.path().join("mine");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("thesis.tex"), "precious").unwrap();
        let e = write(&dir, &RUN, &[("report.json", "{}")]).unwrap_err();
        assert!(
            matches!(e, FolderError::Foreign { .. }) && e.is_input(),
            "{e}"
        );
        assert!(e.to_string().contains("--force"), "{e}");
        assert_eq!(names(&dir), ["thesis.tex"]);
        let forced = Spec { force: true, ..RUN };
        let w = write(
            &dir,
            &forced,
            &[("report.json", "{}"), ("charts/a.svg", "a")],
        )
        .unwrap();
        assert_eq!(w.mode, Mode::InPlace);
        assert_eq!(
            names(&dir),
            [MARKER, "charts/a.svg", "report.json", "thesis.tex"]
        );
        // The next write (no --force needed now) removes what it no longer writes, and only that.
        let w = write(&dir, &RUN, &[("report.json", "{}")]).unwrap();
        assert_eq!(w.mode, Mode::InPlace);
        assert_eq!(names(&dir), [MARKER, "report.json", "thesis.tex"]);
        assert!(!dir.join("charts").exists(), "an emptied folder goes too");
    }

    #[test]
    fn legacy_and_generated_folders() {
        let base = tempfile::tempdir().unwrap();
        let dir = base.path().join("old-report");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("report.json"), "{\n  \"schema_version\": 1}").unwrap();
        std::fs::write(dir.join("index.html"), "old").unwrap();
        assert_eq!(
            write(&dir, &RUN, &[("report.json", "{}")]).unwrap().mode,
            Mode::Replaced
        );
        assert_eq!(names(&dir), [MARKER, "report.json"]);
        // A generated workload is replaced only with --force.
        let gen_spec = Spec {
            command: "generate",
            force: false,
            replace_needs_force: true,
            legacy: legacy_generate,
        };
        let g = base.path().join("gen");
        write(&g, &gen_spec, &[("generate.json", "{}")]).unwrap();
        let e = write(&g, &gen_spec, &[("generate.json", "{}")]).unwrap_err();
        assert!(matches!(e, FolderError::NeedsForce { .. }), "{e}");
        let forced = Spec {
            force: true,
            ..gen_spec
        };
        assert_eq!(
            write(&g, &forced, &[("generate.json", "{}")]).unwrap().mode,
            Mode::Replaced
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_link_to_a_folder_is_kept_and_its_folder_replaced() {
        let base = tempfile::tempdir().unwrap();
        let real = base.path().join("2026-03");
        write(&real, &RUN, &[("report.json", "old"), ("old.txt", "x")]).unwrap();
        let link = base.path().join("latest");
        std::os::unix::fs::symlink("2026-03", &link).unwrap();
        write(&link, &RUN, &[("report.json", "new")]).unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(names(&real), [MARKER, "report.json"]);
        // A file is not a folder.
        let f = base.path().join("file");
        std::fs::write(&f, "x").unwrap();
        assert!(matches!(
            write(&f, &RUN, &[]),
            Err(FolderError::NotAFolder { .. })
        ));
    }

    #[test]
    fn a_folder_left_aside_by_a_killed_swap_is_restored_then_replaced() {
        let base = tempfile::tempdir().unwrap();
        let mut c = std::process::Command::new("true").spawn().unwrap();
        let dead = c.id();
        c.wait().unwrap();
        let aside = base.path().join(format!(".lake.costlab-old-{dead}-0"));
        std::fs::create_dir(&aside).unwrap();
        std::fs::write(aside.join(MARKER), marker_bytes("run", true, &[])).unwrap();
        std::fs::write(aside.join("stale.txt"), "x").unwrap();
        let half = base.path().join(format!(".lake.costlab-tmp-{dead}-1"));
        std::fs::create_dir(&half).unwrap();
        // Checking changes nothing.
        check(&base.path().join("lake"), &RUN).unwrap();
        assert!(aside.exists() && half.exists());
        let w = write(&base.path().join("lake"), &RUN, &[("report.json", "{}")]).unwrap();
        assert_eq!(w.mode, Mode::Replaced);
        assert_eq!(names(&w.path), [MARKER, "report.json"]);
        assert_eq!(
            names(base.path()),
            [format!("lake/{MARKER}"), "lake/report.json".into()]
        );
    }

    #[test]
    fn home_root_and_the_current_folder_are_never_replaced() {
        assert_eq!(protected(Path::new("/")), Some("the root folder"));
        let cwd = std::fs::canonicalize(std::env::current_dir().unwrap()).unwrap();
        assert_eq!(protected(&cwd), Some("the current folder"));
        assert!(protected(cwd.parent().unwrap()).is_some());
        let base = tempfile::tempdir().unwrap();
        assert_eq!(
            protected(&std::fs::canonicalize(base.path()).unwrap()),
            None
        );
    }

    #[test]
    fn paths_that_leave_the_folder_are_refused() {
        let base = tempfile::tempdir().unwrap();
        let dir = base.path().join("out");
        for bad in ["../escape", "/etc/x", ""] {
            assert!(write(&dir, &RUN, &[(bad, "x")]).is_err(), "{bad}");
        }
        assert!(!base.path().join("escape").exists());
    }
}
