//! One output file (`-o FILE` and every file a writer makes), by what `FILE` is now:
//!
//! - absent or a regular file: written to a new temporary file beside it
//!   (`.<name>.costlab-tmp-<pid>-<n>`, created exclusively, removed on failure or a signal),
//!   flushed to disk and renamed over it, so a reader sees the old file or the new one, never a
//!   part; a replaced file keeps its permissions;
//! - a FIFO or a character device (`/dev/null`, a terminal): opened and written through, never
//!   replaced; so is anything reached through `/proc` (`/dev/stdout`, `/dev/fd/N`), as a shell
//!   redirection would;
//! - a symbolic link: followed (up to 40 links), and the rules apply to what it points at: the
//!   link itself is never replaced;
//! - a directory, a block device or a socket: an error naming the path.

use std::fs::{File, Metadata, OpenOptions};
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// How a path is written.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    /// Replaced atomically by a temporary file renamed over it (or created).
    Replace(PathBuf),
    /// Opened and written in place; `truncate` for a regular file reached through `/proc`.
    Through { path: PathBuf, truncate: bool },
}

/// `path` with its folder made absolute and free of symbolic links (the folder must exist for
/// that; otherwise `path` as given).
fn real_parent(path: &Path) -> PathBuf {
    let (parent, name) = match (path.parent(), path.file_name()) {
        (Some(p), Some(n)) => (p, n),
        _ => return path.to_path_buf(),
    };
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    match std::fs::canonicalize(parent) {
        Ok(p) => p.join(name),
        Err(_) => path.to_path_buf(),
    }
}

/// The error for a path that cannot be written; `linked` is what it links to, if it is a link.
fn kind_error(linked: Option<&Path>, what: &str) -> io::Error {
    let text = if let Some(path) = linked {
        format!("it links to {}, {what}", path.display())
    } else {
        format!("it is {what}")
    };
    let kind = if what == "a directory" {
        io::ErrorKind::IsADirectory
    } else {
        io::ErrorKind::InvalidInput
    };
    io::Error::new(kind, text)
}

/// What writing to `path` does (module docs).
pub fn target(path: &Path) -> io::Result<Target> {
    if path.file_name().is_none() || path.components().next_back() == Some(Component::CurDir) {
        return Err(kind_error(None, "a directory"));
    }
    let mut p = path.to_path_buf();
    let mut linked = false;
    for _ in 0..40 {
        p = real_parent(&p);
        if p.starts_with("/proc") {
            // Magic links (`/proc/self/fd/1`) do not name a path: write to what they open.
            let m = std::fs::metadata(&p)?;
            return through_or_refuse(linked.then_some(&p), &p, &m, m.is_file());
        }
        let m = match std::fs::symlink_metadata(&p) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Target::Replace(p)),
            Err(e) => return Err(e),
        };
        let t = m.file_type();
        if t.is_symlink() {
            let link = std::fs::read_link(&p)?;
            p = match p.parent() {
                Some(dir) => dir.join(link),
                None => link,
            };
            linked = true;
            continue;
        }
        if t.is_file() {
            return Ok(Target::Replace(p));
        }
        return through_or_refuse(linked.then_some(&p), &p, &m, false);
    }
    Err(io::Error::other(
        "it is a chain of more than 40 symbolic links",
    ))
}

fn through_or_refuse(
    linked: Option<&Path>,
    p: &Path,
    m: &Metadata,
    truncate: bool,
) -> io::Result<Target> {
    let t = m.file_type();
    if t.is_dir() {
        return Err(kind_error(linked, "a directory"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_block_device() {
            return Err(kind_error(linked, "a block device"));
        }
        if t.is_socket() {
            return Err(kind_error(linked, "a socket"));
        }
    }
    Ok(Target::Through {
        path: p.to_path_buf(),
        truncate,
    })
}

/// Writes `bytes` to `path` by the rules of the module docs: a crash or a signal never leaves
/// half a file, and a device, FIFO or link is never replaced by a regular file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    match target(path)? {
        Target::Through { path, truncate } => {
            let mut f = OpenOptions::new()
                .write(true)
                .truncate(truncate)
                .open(path)?;
            f.write_all(bytes)?;
            f.flush()
        }
        Target::Replace(path) => replace(&path, bytes),
    }
}

/// Writes `bytes` to a new temporary file beside `path` and renames it over `path`.
fn replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::other("the output path has no file name"))?
        .to_string_lossy()
        .into_owned();
    super::temp::clean_siblings(path);
    let old = std::fs::metadata(path).ok();
    let (tmp, mut f, registered) = loop {
        let tmp = dir.join(super::temp::sibling_name(
            &name,
            "tmp",
            N.fetch_add(1, Ordering::Relaxed),
        ));
        let mut file = None;
        let made = super::temp::create_registered(&tmp, |p| {
            file = Some(OpenOptions::new().write(true).create_new(true).open(p)?);
            Ok(())
        });
        match (made, file) {
            (Ok(r), Some(f)) => break (tmp, f, r),
            (Err(e), _) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            (Err(e), _) => return Err(e),
            (Ok(_), None) => return Err(io::Error::other("temporary file not opened")),
        }
    };
    let result = (|| {
        if let Some(m) = &old {
            f.set_permissions(m.permissions())?;
        }
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)?;
        sync_dir(dir);
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    drop(registered);
    result
}

/// Flushes a folder's entries (a rename in it) to disk; best effort (some file systems refuse).
pub fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_files_are_replaced_and_keep_their_mode() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("out.json");
        write_atomic(&p, b"one").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"one");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
            write_atomic(&p, b"two").unwrap();
            let mode = std::fs::metadata(&p).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(d.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file left");
    }

    #[cfg(unix)]
    #[test]
    fn links_are_followed_and_kept() {
        let d = tempfile::tempdir().unwrap();
        let real = d.path().join("real.json");
        std::fs::write(&real, b"old").unwrap();
        let link = d.path().join("link.json");
        std::os::unix::fs::symlink("real.json", &link).unwrap();
        let chain = d.path().join("chain.json");
        std::os::unix::fs::symlink(&link, &chain).unwrap();
        write_atomic(&chain, b"new").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert!(
            std::fs::symlink_metadata(&chain)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
        // A dangling link creates its target.
        let dangling = d.path().join("dangling");
        std::os::unix::fs::symlink("made.json", &dangling).unwrap();
        write_atomic(&dangling, b"made").unwrap();
        assert_eq!(std::fs::read(d.path().join("made.json")).unwrap(), b"made");
        assert!(
            std::fs::symlink_metadata(&dangling)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        // A loop is an error.
        let a = d.path().join("a");
        std::os::unix::fs::symlink("b", &a).unwrap();
        std::os::unix::fs::symlink("a", d.path().join("b")).unwrap();
        assert!(write_atomic(&a, b"x").is_err());
    }

    #[test]
    fn directories_are_refused_by_name() {
        let d = tempfile::tempdir().unwrap();
        let e = write_atomic(d.path(), b"x").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::IsADirectory);
        assert_eq!(e.to_string(), "it is a directory");
        #[cfg(unix)]
        {
            let link = d.path().join("l");
            std::os::unix::fs::symlink(d.path(), &link).unwrap();
            let e = write_atomic(&link, b"x").unwrap_err();
            assert!(
                e.to_string().contains(&d.path().display().to_string()),
                "{e}"
            );
        }
        assert!(write_atomic(&d.path().join("."), b"x").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn devices_are_written_through() {
        assert_eq!(
            target(Path::new("/dev/null")).unwrap(),
            Target::Through {
                path: PathBuf::from("/dev/null"),
                truncate: false
            }
        );
        write_atomic(Path::new("/dev/null"), b"x").unwrap();
        use std::os::unix::fs::FileTypeExt;
        assert!(
            std::fs::metadata("/dev/null")
                .unwrap()
                .file_type()
                .is_char_device()
        );
        // A block device is refused (only looked at: `target` opens nothing).
        let block = ["/dev/loop0", "/dev/vda", "/dev/sda", "/dev/nvme0n1"]
            .into_iter()
            .find(|d| std::fs::metadata(d).is_ok_and(|m| m.file_type().is_block_device()));
        if let Some(b) = block {
            let e = target(Path::new(b)).unwrap_err();
            assert_eq!(e.to_string(), "it is a block device");
        }
        // /dev/stdout goes through /proc: written through, whatever stdout is.
        assert!(matches!(
            target(Path::new("/dev/stdout")),
            Ok(Target::Through { .. })
        ));
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_written_through_and_stays_a_fifo() {
        use std::io::Read;
        use std::os::unix::fs::FileTypeExt;
        let d = tempfile::tempdir().unwrap();
        let fifo = d.path().join("pipe");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || {
                let mut s = Vec::new();
                File::open(fifo).unwrap().read_to_end(&mut s).unwrap();
                s
            })
        };
        write_atomic(&fifo, b"through the pipe").unwrap();
        assert_eq!(reader.join().unwrap(), b"through the pipe");
        assert!(
            std::fs::symlink_metadata(&fifo)
                .unwrap()
                .file_type()
                .is_fifo()
        );
    }
}
