//! Outputs as a careless user and a killed process leave them: `-o` onto a FIFO, a device or a
//! link; report folders replaced whole (never mixed with an earlier run's files), and never a
//! folder costlab did not make; temporary files removed on SIGINT/SIGTERM and after a kill;
//! a closed stdout reported (exit 3).

use super::{Workdir, repo};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// costlab in `w` with extra environment variables.
fn costlab(w: &Workdir, args: &[&str], env: &[(&str, &std::ffi::OsStr)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_costlab"));
    c.args(args)
        .current_dir(w.dir.path())
        .env_remove("COSTLAB_PRICING_DIR")
        .env_remove("COSTLAB_MEMORY_LIMIT")
        .env_remove("COSTLAB_TEST_FAIL_AFTER_FILES");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run costlab")
}

fn ok(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A two-object lake from access logs; `optimize` adds `[optimize.lifecycle]` (the run then
/// writes recommended-lifecycle.json).
fn lake(w: &Workdir, name: &str, optimize: bool) -> PathBuf {
    let rec = |t: &str, op: &str, key: &str, sent: &str| {
        format!(
            "o lake [{t} +0000] 10.0.0.1 arn:aws:iam::1:user/u RID {op} {key} \"X /lake/{key} HTTP/1.1\" 200 - {sent} 1073741824 5 2 \"-\" \"ua\" - HID SigV4 C AuthHeader lake.s3.amazonaws.com TLSv1.2 - - us-east-1\n"
        )
    };
    let mut log = rec("01/Mar/2026:10:00:00", "REST.PUT.OBJECT", "gold/hot", "-");
    log += &rec(
        "01/Mar/2026:11:00:00",
        "REST.PUT.OBJECT",
        "bronze/cold",
        "-",
    );
    for d in 2..=20 {
        let t = format!("{d:02}/Mar/2026:09:00:00");
        log += &rec(&t, "REST.GET.OBJECT", "gold/hot", "1073741824");
    }
    std::fs::create_dir_all(w.path("logs")).unwrap();
    w.write("logs/2026-03-01-10-00-00-ABCDEF0123456789", &log);
    w.write(
        "rot.json",
        r#"{"Rules":[{"ID":"rot","Status":"Enabled","Filter":{},"Transitions":[{"Days":30,"StorageClass":"STANDARD_IA"}]}]}"#,
    );
    let opt = if optimize {
        "[optimize.lifecycle]\n"
    } else {
        ""
    };
    w.write(
        &format!("{name}.toml"),
        &format!(
            "name = \"{name}\"\nregion = \"us-east-1\"\nstart = \"2026-03-01\"\nend = \"2026-05-01\"\n\
             seed = 11\ncurrent = \"std\"\n[evidence]\nlogs = [\"logs/\"]\n[[policy]]\nname = \"std\"\n\
             all_standard = true\n[[policy]]\nname = \"rot\"\nlifecycle = \"rot.json\"\n{opt}"
        ),
    )
}

/// Every file under `dir` (relative path → bytes).
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// Names in `dir` that hold `needle`.
fn names_with(dir: &Path, needle: &str) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(needle))
        .collect()
}

fn usage() -> String {
    repo("scenarios/example-usage.toml")
}

#[cfg(unix)]
#[test]
fn o_into_a_fifo_writes_through_and_the_fifo_stays() {
    use std::io::Read;
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    let w = Workdir::new();
    let fifo = w.path("pipe");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    // The reader end is held open (non-blocking, so nothing here can hang): the writer's open
    // does not block, and the table (well under a pipe's 64 KiB) waits in the pipe.
    let mut reader = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(&fifo)
        .unwrap();
    let out = costlab(&w, &["estimate", &usage(), "-o", "pipe"], &[]);
    ok(&out);
    let mut got = Vec::new();
    let _ = reader.read_to_end(&mut got);
    let direct = costlab(&w, &["estimate", &usage()], &[]);
    assert!(!got.is_empty(), "nothing came through the FIFO");
    assert_eq!(
        got, direct.stdout,
        "the FIFO carries the same bytes as stdout"
    );
    let t = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(t.is_fifo(), "the FIFO was replaced by {t:?}");
}

/// `-o` onto a character device writes to it and leaves it a device. A private node with
/// /dev/null's numbers stands in for /dev/null itself, so that a broken build replaces a file
/// of the test, not the machine's /dev/null (tests often run as root).
#[cfg(target_os = "linux")]
#[test]
fn o_onto_a_character_device_leaves_the_device() {
    use std::os::unix::fs::FileTypeExt;
    let w = Workdir::new();
    let node = w.path("null");
    let c = std::ffi::CString::new(node.to_str().unwrap()).unwrap();
    // SAFETY: a valid path; makes a device node with /dev/null's numbers (1, 3).
    let made = unsafe { libc::mknod(c.as_ptr(), libc::S_IFCHR | 0o666, libc::makedev(1, 3)) };
    if made != 0 {
        eprintln!(
            "skipping the private device node (mknod: {}); checking /dev/null's kind only",
            std::io::Error::last_os_error()
        );
        return;
    }
    let out = costlab(
        &w,
        &["estimate", &usage(), "--format", "json", "-o", "null"],
        &[],
    );
    ok(&out);
    let t = std::fs::symlink_metadata(&node).unwrap().file_type();
    assert!(t.is_char_device(), "the device was replaced by {t:?}");
    assert_eq!(
        std::fs::read(&node).unwrap(),
        b"",
        "still /dev/null's device"
    );
}

#[cfg(unix)]
#[test]
fn o_through_a_symlink_updates_its_target_and_keeps_the_link() {
    let w = Workdir::new();
    std::fs::create_dir(w.path("bills")).unwrap();
    w.write("bills/march.json", "old bill");
    std::os::unix::fs::symlink("bills/march.json", w.path("latest.json")).unwrap();
    ok(&costlab(
        &w,
        &[
            "estimate",
            &usage(),
            "--format",
            "json",
            "-o",
            "latest.json",
        ],
        &[],
    ));
    let link = std::fs::symlink_metadata(w.path("latest.json")).unwrap();
    assert!(link.file_type().is_symlink(), "the link was replaced");
    let bill: serde_json::Value =
        serde_json::from_slice(&std::fs::read(w.path("bills/march.json")).unwrap()).unwrap();
    assert_eq!(bill["schema_version"], 1);
    assert!(names_with(&w.path("bills"), "costlab-tmp").is_empty());
    // A directory is refused by name (exit 3: the output cannot be written).
    let out = costlab(&w, &["estimate", &usage(), "-o", "bills"], &[]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("bills") && stderr(&out).contains("directory"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_report_folder_is_replaced_whole_never_mixed_with_an_earlier_run() {
    let w = Workdir::new();
    let with_rec = lake(&w, "lake", true);
    ok(&costlab(
        &w,
        &["run", with_rec.to_str().unwrap(), "--out", "rep"],
        &[],
    ));
    assert!(w.path("rep/recommended-lifecycle.json").exists());
    // What an earlier run and a stranger left: both must go.
    w.write("rep/junk.txt", "from an earlier run");
    w.write("rep/charts/old-chart.svg", "<svg/>");
    // Now a scenario without the optimizer: no recommendation may be left to deploy.
    let plain = lake(&w, "plain", false);
    let out = costlab(&w, &["run", plain.to_str().unwrap(), "--out", "rep"], &[]);
    ok(&out);
    let files = tree(&w.path("rep"));
    for stale in [
        "recommended-lifecycle.json",
        "junk.txt",
        "charts/old-chart.svg",
    ] {
        assert!(
            !files.contains_key(stale),
            "{stale} of an earlier run is left"
        );
    }
    for new in ["report.json", "index.html", "summary.md", "bill.csv"] {
        assert!(files.contains_key(new), "{new} missing: {:?}", files.keys());
    }
    let report: serde_json::Value = serde_json::from_slice(&files["report.json"]).unwrap();
    assert_eq!(report["scenario"], "plain");
    assert!(
        names_with(w.dir.path(), "costlab-").is_empty(),
        "temporaries left"
    );

    // A folder of an earlier costlab version (no marker; its report.json is a costlab
    // report) is replaced whole too.
    let legacy = w.path("legacy");
    std::fs::create_dir(&legacy).unwrap();
    std::fs::write(legacy.join("report.json"), &files["report.json"]).unwrap();
    w.write("legacy/recommended-lifecycle.json", "{\"Rules\":[]}");
    ok(&costlab(
        &w,
        &["run", plain.to_str().unwrap(), "--out", "legacy"],
        &[],
    ));
    assert!(!w.path("legacy/recommended-lifecycle.json").exists());
    assert!(w.path("legacy/index.html").exists());
}

#[test]
fn a_failure_half_way_leaves_the_old_folder_wholly_intact() {
    let w = Workdir::new();
    let first = lake(&w, "first", true);
    ok(&costlab(
        &w,
        &["run", first.to_str().unwrap(), "--out", "rep"],
        &[],
    ));
    let before = tree(&w.path("rep"));
    let second = lake(&w, "second", false);
    let out = costlab(
        &w,
        &["run", second.to_str().unwrap(), "--out", "rep"],
        &[("COSTLAB_TEST_FAIL_AFTER_FILES", "3".as_ref())],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert_eq!(tree(&w.path("rep")), before, "the old folder changed");
    assert!(
        names_with(w.dir.path(), "costlab-").is_empty(),
        "temporaries left"
    );
}

#[test]
fn a_folder_costlab_did_not_make_is_refused_before_the_work() {
    let w = Workdir::new();
    let sc = lake(&w, "lake", false);
    let sc = sc.to_str().unwrap();
    std::fs::create_dir(w.path("thesis")).unwrap();
    w.write("thesis/chapter1.tex", "precious");
    let out = costlab(&w, &["run", sc, "--out", "thesis"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    assert_eq!(tree(&w.path("thesis")).len(), 1, "the folder was touched");
    // Before the work: the bundled data lake takes minutes to simulate in a debug build.
    let start = std::time::Instant::now();
    let lake = repo("scenarios/datalake.toml");
    let out = costlab(&w, &["run", &lake, "--out", "thesis"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(start.elapsed() < std::time::Duration::from_secs(30));
    // --force writes costlab's files into it and leaves the others.
    ok(&costlab(
        &w,
        &["run", sc, "--out", "thesis", "--force"],
        &[],
    ));
    let files = tree(&w.path("thesis"));
    assert_eq!(files["chapter1.tex"], b"precious");
    assert!(files.contains_key("report.json"));

    // The current folder and the home folder are never replaced, even when empty of
    // anything but costlab's files: `--out .` and `--out ~` refuse without --force.
    let out = costlab(&w, &["run", sc, "--out", "."], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("current folder"), "{}", stderr(&out));
    let home = w.path("home");
    std::fs::create_dir(&home).unwrap();
    w.write("home/.bashrc", "keep me");
    let home_env = [("HOME", home.as_os_str())];
    let out = costlab(&w, &["run", sc, "--out", home.to_str().unwrap()], &home_env);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("home folder"), "{}", stderr(&out));
    let forced = costlab(
        &w,
        &["run", sc, "--out", home.to_str().unwrap(), "--force"],
        &home_env,
    );
    ok(&forced);
    assert_eq!(std::fs::read(home.join(".bashrc")).unwrap(), b"keep me");
    assert!(home.join("index.html").exists());
}

#[test]
fn optimize_writes_beside_the_run_report_not_over_it() {
    let w = Workdir::new();
    let sc = lake(&w, "lake", true);
    let sc = sc.to_str().unwrap();
    ok(&costlab(&w, &["run", sc], &[]));
    ok(&costlab(&w, &["optimize", sc], &[]));
    assert!(
        w.path("reports/lake/index.html").exists(),
        "the run's report was lost"
    );
    assert!(
        w.path("reports/lake-optimize/recommended-lifecycle.json")
            .exists()
    );
    // A chart folder of its own is replaced whole as well.
    ok(&costlab(
        &w,
        &[
            "report",
            "reports/lake/report.json",
            "--format",
            "svg",
            "--out",
            "charts",
        ],
        &[],
    ));
    w.write("charts/stale.svg", "<svg/>");
    ok(&costlab(
        &w,
        &[
            "report",
            "reports/lake/report.json",
            "--format",
            "png",
            "--out",
            "charts",
        ],
        &[],
    ));
    let names: Vec<String> = tree(&w.path("charts")).into_keys().collect();
    assert!(
        names
            .iter()
            .all(|n| n.ends_with(".png") || n == ".costlab-output"),
        "{names:?}"
    );
}

/// Runs costlab in `w` with TMPDIR = `tmp`, sends it `signal` once `watched` holds at least 4
/// files, and returns its output.
#[cfg(unix)]
fn interrupt(w: &Workdir, args: &[&str], tmp: &Path, watched: &Path, signal: i32) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_costlab"))
        .args(args)
        .current_dir(w.dir.path())
        .env("TMPDIR", tmp)
        .env_remove("COSTLAB_PRICING_DIR")
        .env_remove("COSTLAB_MEMORY_LIMIT")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while walk_count(watched) < 4 {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(120),
            "nothing written under {}",
            watched.display()
        );
        if let Some(s) = child.try_wait().unwrap() {
            panic!("costlab ended before it was interrupted: {s}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // SAFETY: signals our own child.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, signal) }, 0);
    child.wait_with_output().unwrap()
}

/// Sends `signal` to `costlab run` of the bundled data lake once it is generating its
/// evidence under TMPDIR; TMPDIR must be empty afterwards.
#[cfg(unix)]
fn interrupt_generation(signal: i32, code: i32) {
    let w = Workdir::new();
    let tmp = w.path("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let lake = repo("scenarios/datalake.toml");
    let out = interrupt(&w, &["run", &lake, "--out", "rep"], &tmp, &tmp, signal);
    assert_eq!(out.status.code(), Some(code), "{}", stderr(&out));
    let left: Vec<_> = std::fs::read_dir(&tmp).unwrap().collect();
    assert!(left.is_empty(), "left in TMPDIR: {left:?}");
    assert!(!w.path("rep").exists(), "no report for an interrupted run");
}

/// `costlab generate` writes its folder beside the target first: interrupted, it leaves the
/// earlier folder as it was and no temporary folder.
#[cfg(unix)]
#[test]
fn an_interrupted_folder_write_leaves_the_old_folder_and_no_temporary() {
    let w = Workdir::new();
    let spec = repo("scenarios/datalake-workload.toml");
    std::fs::create_dir(w.path("gen")).unwrap();
    w.write("gen/generate.json", "{\"spec_md5\": \"earlier\"}");
    let out = interrupt(
        &w,
        &["generate", &spec, "--out", "gen", "--force"],
        w.dir.path(),
        w.dir.path(),
        libc::SIGTERM,
    );
    assert_eq!(out.status.code(), Some(143), "{}", stderr(&out));
    assert_eq!(
        tree(&w.path("gen")).into_keys().collect::<Vec<_>>(),
        ["generate.json"],
        "the earlier folder changed"
    );
    assert!(
        names_with(w.dir.path(), "costlab").is_empty(),
        "temporaries left"
    );
}

#[test]
fn a_generated_workload_is_replaced_whole_and_only_with_force() {
    let w = Workdir::new();
    w.write(
        "spec.toml",
        "seed = 1\nstart = \"2026-03-01\"\nend = \"2026-03-02\"\nbucket = \"b-1\"\n\
         [[prefix]]\nname = \"p/\"\nobjects_per_day = 10\nsize = { dist = \"fixed\", bytes = 5 }\n",
    );
    ok(&costlab(
        &w,
        &["generate", "spec.toml", "--out", "gen"],
        &[],
    ));
    w.write("gen/junk.txt", "an earlier run's");
    w.write("gen/logs/2020-01-01-00-00-00-0000000000000000", "stale log");
    let out = costlab(&w, &["generate", "spec.toml", "--out", "gen"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(w.path("gen/junk.txt").exists());
    ok(&costlab(
        &w,
        &["generate", "spec.toml", "--out", "gen", "--force"],
        &[],
    ));
    let files = tree(&w.path("gen"));
    assert!(!files.contains_key("junk.txt"), "{:?}", files.keys());
    assert!(!files.contains_key("logs/2020-01-01-00-00-00-0000000000000000"));
    assert!(files.contains_key("generate.json"));
}

fn walk_count(d: &Path) -> usize {
    let Ok(rd) = std::fs::read_dir(d) else {
        return 0;
    };
    rd.flatten()
        .map(|e| {
            let p = e.path();
            if p.is_dir() { walk_count(&p) } else { 1 }
        })
        .sum()
}

#[cfg(unix)]
#[test]
fn sigterm_during_generation_leaves_tmpdir_empty() {
    interrupt_generation(libc::SIGTERM, 143);
}

#[cfg(unix)]
#[test]
fn sigint_during_generation_leaves_tmpdir_empty() {
    interrupt_generation(libc::SIGINT, 130);
}

#[cfg(unix)]
#[test]
fn leftovers_of_a_killed_run_are_removed_at_the_next_start() {
    let w = Workdir::new();
    let tmp = w.path("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let mut gone = Command::new("true").spawn().unwrap();
    let dead = gone.id();
    gone.wait().unwrap();
    let me = std::process::id();
    let mk = |name: String| {
        let p = tmp.join(name);
        std::fs::create_dir_all(p.join("logs")).unwrap();
        std::fs::write(p.join("logs/part"), b"x").unwrap();
        p
    };
    let dead_dir = mk(format!("costlab-{dead}-gen-0"));
    let dead_legacy = mk(format!("costlab-partitions-{dead}-0"));
    let live_dir = mk(format!("costlab-{me}-gen-0"));
    let not_ours = mk(format!("other-{dead}-gen-0"));
    ok(&costlab(
        &w,
        &["estimate", &usage()],
        &[("TMPDIR", tmp.as_os_str())],
    ));
    assert!(!dead_dir.exists(), "a dead run's folder is left");
    assert!(!dead_legacy.exists(), "an earlier version's folder is left");
    assert!(live_dir.exists(), "a live run's folder was removed");
    assert!(not_ours.exists(), "a folder of another name was removed");
}

#[cfg(unix)]
#[test]
fn a_closed_stdout_is_exit_3_and_a_closed_pipe_exit_0() {
    let w = Workdir::new();
    let bin = env!("CARGO_BIN_EXE_costlab");
    let sh = |redirect: &str| {
        sh_in(
            &w,
            &format!("exec \"$0\" estimate '{}' {redirect}", usage()),
            bin,
        )
    };
    let out = sh(">&-");
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("standard output"), "{}", stderr(&out));
    if Path::new("/dev/full").exists() {
        let out = sh(">/dev/full");
        assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    }
    // `costlab … | head -c 1`: the reader goes away; not a failure.
    let mut child = Command::new(bin)
        .args(["estimate", &usage()])
        .current_dir(w.dir.path())
        .env_remove("COSTLAB_PRICING_DIR")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // `logs parse` streams to stdout: a closed stdout is reported too.
    lake(&w, "lake", false);
    let out = sh_in(&w, "exec \"$0\" logs parse logs/ >&-", bin);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
}

fn sh_in(w: &Workdir, script: &str, arg0: &str) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(arg0)
        .current_dir(w.dir.path())
        .env_remove("COSTLAB_PRICING_DIR")
        .output()
        .unwrap()
}
