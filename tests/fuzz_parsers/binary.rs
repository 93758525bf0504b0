//! Hostile files through the `costlab` binary of this build, as a user would run it: each
//! command runs under an address-space limit (`RLIMIT_AS`, 1 GiB: what the binary maps,
//! C allocations included) and must exit within the hang limit (120 s, `COSTLAB_FUZZ_TIMEOUT_SECS`) with 0 (valid input) or 2 (bad input,
//! stderr naming the file) — never 101 (panic), 134 (abort), 139 (segfault) or a signal.
//! The files: a 100 MB single line (plain and zstd), gzip and zstd bombs, a zstd frame asking
//! for a 2 GiB window, random bytes, deeply nested JSON and XML, reports and budgets with
//! absurd amounts, configuration and report files past their size caps, and shards whose
//! counts overflow when merged.

use crate::saved::{SCENARIO, log_lines, seeds};
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The address space a command may map.
const ADDRESS_SPACE: u64 = 1 << 30;

struct Ran {
    code: i32,
    /// Standard error, after standard output when that is short (a report, not a rendering).
    stderr: String,
}

/// Runs costlab in `dir` under the limits; fails on a signal, a crash code or a timeout.
fn run(dir: &Path, args: &[&str]) -> Ran {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_costlab"));
    cmd.args(args)
        .current_dir(dir)
        .env_remove("COSTLAB_PRICING_DIR")
        .env_remove("COSTLAB_MAX_DECOMPRESSED")
        .env_remove("COSTLAB_MAX_RATIO")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let lim = libc::rlimit {
                rlim_cur: ADDRESS_SPACE,
                rlim_max: ADDRESS_SPACE,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let started = Instant::now();
    let mut child = cmd.spawn().expect("run costlab");
    let drain = |mut r: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = r.read_to_end(&mut s);
            String::from_utf8_lossy(&s).into_owned()
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > crate::harness::case_timeout() {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "costlab {args:?} did not finish within {} s",
                crate::harness::case_timeout().as_secs()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    // What the user sees: `lifecycle validate` reports on stdout, errors go to stderr.
    let (out, err) = (out.join().unwrap(), err.join().unwrap());
    let stderr = if out.len() > 4096 {
        err
    } else {
        format!("{out}{err}")
    };
    let Some(code) = status.code() else {
        panic!("costlab {args:?} was killed by a signal ({status:?}): {stderr}");
    };
    assert!(
        ![101, 134, 139].contains(&code),
        "costlab {args:?} crashed (exit {code}): {stderr}"
    );
    Ran { code, stderr }
}

/// Runs costlab and expects exit 2 with `file` named on stderr.
fn refused(dir: &Path, args: &[&str], file: &str) {
    let r = run(dir, args);
    assert_eq!(r.code, 2, "costlab {args:?}: {}", r.stderr);
    assert!(
        r.stderr.contains(file),
        "costlab {args:?}: stderr does not name {file}: {}",
        r.stderr
    );
}

/// Runs costlab and expects exit 0 or 2, naming `file` when 2.
fn handled(dir: &Path, args: &[&str], file: &str) {
    let r = run(dir, args);
    assert!(
        r.code == 0 || (r.code == 2 && r.stderr.contains(file)),
        "costlab {args:?}: exit {}: {}",
        r.code,
        r.stderr
    );
}

fn workdir() -> tempfile::TempDir {
    let w = tempfile::tempdir().unwrap();
    std::fs::copy(
        crate::harness::repo("scenarios/lifecycle/rule-of-thumb.json"),
        w.path().join("rot.json"),
    )
    .unwrap();
    w
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// A file that claims `len` bytes without taking them (a sparse file).
fn sparse(dir: &Path, name: &str, head: &[u8], len: u64) {
    let mut f = std::fs::File::create(dir.join(name)).unwrap();
    f.write_all(head).unwrap();
    f.set_len(len).unwrap();
}

/// A raw deflate stream of `mib` MiB of zeros, each MiB a sync-flushed block (past the first,
/// every block's bytes are the same, so a bomb of any size costs nothing to build), in a gzip
/// header and without a trailer: about 1,012 times smaller than what it inflates to.
fn gzip_bomb(mib: usize) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress};
    let mut c = Compress::new(Compression::best(), false);
    let zeros = vec![0u8; 1 << 20];
    let mut block = || {
        let mut out = Vec::with_capacity(1 << 20);
        c.compress_vec(&zeros, &mut out, FlushCompress::Sync)
            .unwrap();
        out
    };
    let (first, second, third) = (block(), block(), block());
    assert_eq!(second, third, "the deflate blocks of zeros differ");
    let mut v = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
    v.extend(first);
    for _ in 1..mib {
        v.extend_from_slice(&second);
    }
    v
}

/// `members` gzip members of 1 MiB of zeros each, one after another: under the ratio limit
/// (each member's header and trailer), so read to the end as one over-long line.
fn gzip_members(members: usize) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(&vec![0u8; 1 << 20]).unwrap();
    e.finish().unwrap().repeat(members)
}

/// `frames` zstd frames of 4 MiB of `x` each.
fn zstd_bomb(frames: usize) -> Vec<u8> {
    zstd::encode_all(&vec![b'x'; 4 << 20][..], 19)
        .unwrap()
        .repeat(frames)
}

/// A 100 MB line between two good ones.
fn long_line() -> Vec<u8> {
    let mut v = log_lines(1).into_bytes();
    v.extend(std::iter::repeat_n(b'k', 100_000_000));
    v.push(b'\n');
    v.extend(log_lines(1).into_bytes());
    v
}

fn scenario_with_logs(logs: &str) -> String {
    SCENARIO
        .split("[compute]")
        .next()
        .unwrap()
        .replace("logs = \"a.log\"", &format!("logs = \"{logs}\""))
}

#[test]
fn hostile_logs_through_logs_stats_and_simulate() {
    let w = workdir();
    let d = w.path();
    write(d, "long.log", &long_line());
    // The long line is one of three skipped: over 1%, unless allowed.
    refused(d, &["logs", "stats", "long.log"], "long.log");
    handled(
        d,
        &["logs", "stats", "long.log", "--lenient", "100"],
        "long.log",
    );
    write(
        d,
        "long.log.zst",
        &zstd::encode_all(&long_line()[..], 3).unwrap(),
    );
    handled(
        d,
        &["logs", "stats", "long.log.zst", "--lenient", "100"],
        "long.log.zst",
    );
    write(d, "bomb.log.gz", &gzip_bomb(4096));
    refused(d, &["logs", "stats", "bomb.log.gz"], "bomb.log.gz");
    write(d, "members.log.gz", &gzip_members(32));
    refused(d, &["logs", "stats", "members.log.gz"], "members.log.gz");
    write(d, "bomb.log.zst", &zstd_bomb(512));
    refused(d, &["logs", "stats", "bomb.log.zst"], "bomb.log.zst");
    // A frame header asking for a 2^31-byte window, then a raw block.
    let mut window = vec![0x28, 0xb5, 0x2f, 0xfd, 0x00, 21 << 3];
    window.extend_from_slice(&[0x09, 0x00, 0x00, b'a']);
    write(d, "window.log.zst", &window);
    refused(d, &["logs", "stats", "window.log.zst"], "window.log.zst");
    let noise: Vec<u8> = (0..1u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    write(d, "noise.log", &noise);
    refused(d, &["logs", "stats", "noise.log"], "noise.log");
    // What the line target found: objects logged at u64::MAX bytes overflowed the stats.
    let huge: String = log_lines(8)
        .lines()
        .map(|l| {
            // Bytes sent and object size: the 15th and 16th space-separated tokens.
            let mut f: Vec<String> = l.split(' ').map(str::to_string).collect();
            assert!(f[12] == "200" || f[12] == "204", "{l}");
            f[14] = u64::MAX.to_string();
            f[15] = u64::MAX.to_string();
            f.join(" ")
        })
        .map(|l| l + "\n")
        .collect();
    write(d, "huge.log", huge.as_bytes());
    let r = run(d, &["logs", "stats", "huge.log"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    write(d, "s-huge.toml", scenario_with_logs("huge.log").as_bytes());
    handled(d, &["simulate", "s-huge.toml"], "huge.log");
    for (logs, scenario) in [
        ("bomb.log.gz", "s-bomb.toml"),
        ("long.log", "s-long.toml"),
        ("noise.log", "s-noise.toml"),
    ] {
        write(d, scenario, scenario_with_logs(logs).as_bytes());
        refused(d, &["simulate", scenario], logs);
    }
}

#[test]
fn hostile_inventories_through_simulate() {
    let w = workdir();
    let d = w.path();
    write(d, "a.log", log_lines(60).as_bytes());
    // What the inventory target found: a value whose quote never closes, the rest of the file
    // gathered into one record.
    let mut rows = b"\"lake\",\"data/k1.parquet\",\"5\"\n\"lake\",\"open\n".to_vec();
    for _ in 0..256 {
        rows.extend(std::iter::repeat_n(b'x', 64 << 10));
        rows.push(b'\n');
    }
    let (manifest, _) = crate::inventory::write_delivery(
        &d.join("inv"),
        "CSV",
        "Bucket, Key, Size",
        "open.csv",
        &rows,
    )
    .unwrap();
    let scenario = scenario_with_logs("a.log").replace(
        "[evidence]\n",
        &format!("[evidence]\ninventory = \"{}\"\n", manifest.display()),
    );
    assert!(scenario.contains("inventory = "));
    write(d, "s-open.toml", scenario.as_bytes());
    let r = run(d, &["simulate", "s-open.toml"]);
    assert!(
        r.code == 2
            && r.stderr.contains("open.csv")
            && r.stderr
                .contains("the record that starts on line 2 runs on"),
        "exit {}: {}",
        r.code,
        r.stderr
    );
}

#[test]
fn hostile_configurations() {
    let w = workdir();
    let d = w.path();
    let deep_json = format!(
        "{{\"Rules\": {}{}}}",
        "[".repeat(500_000),
        "]".repeat(500_000)
    );
    write(d, "deep.json", deep_json.as_bytes());
    refused(d, &["lifecycle", "validate", "deep.json"], "deep.json");
    let deep_xml = format!(
        "<LifecycleConfiguration>{}{}</LifecycleConfiguration>",
        "<Rule>".repeat(500_000),
        "</Rule>".repeat(500_000)
    );
    write(d, "deep.xml", deep_xml.as_bytes());
    refused(d, &["lifecycle", "validate", "deep.xml"], "deep.xml");
    let long_id = format!(
        "{{\"Rules\": [{{\"ID\": \"{}\", \"Status\": \"Enabled\", \"Filter\": {{}}, \
         \"Expiration\": {{\"Days\": 30}}}}]}}",
        "i".repeat(20 << 20)
    );
    write(d, "long-id.json", long_id.as_bytes());
    refused(
        d,
        &["lifecycle", "validate", "long-id.json"],
        "long-id.json",
    );
    sparse(d, "huge.json", b"{\"Rules\": [", 80 << 20);
    refused(d, &["lifecycle", "validate", "huge.json"], "huge.json");
    let deep_toml = format!("name = {}1{}\n", "[".repeat(200_000), "]".repeat(200_000));
    write(d, "deep.toml", deep_toml.as_bytes());
    refused(d, &["simulate", "deep.toml"], "deep.toml");
    sparse(d, "huge.toml", b"name = \"x\"\n", 80 << 20);
    refused(d, &["simulate", "huge.toml"], "huge.toml");
    write(d, "a.log", log_lines(60).as_bytes());
    write(d, "s.toml", scenario_with_logs("a.log").as_bytes());
    write(
        d,
        "absurd.toml",
        b"[[budget]]\npolicy = \"std\"\nmax_total_usd = 1e400\n",
    );
    refused(
        d,
        &["check", "s.toml", "--budget", "absurd.toml"],
        "absurd.toml",
    );
}

#[test]
fn hostile_reports_and_baselines() {
    let w = workdir();
    let d = w.path();
    let seed = &seeds().report;
    write(d, "report.json", seed);
    handled(
        d,
        &["report", "report.json", "--format", "md"],
        "report.json",
    );
    let deep = format!("{}{}", "[".repeat(1_000_000), "]".repeat(1_000_000));
    write(d, "deep.json", deep.as_bytes());
    refused(d, &["report", "deep.json", "--format", "md"], "deep.json");
    let text = String::from_utf8(seed.clone()).unwrap();
    let absurd = text.replacen("\"total_usd\": ", "\"total_usd\": 1e28", 1);
    assert_ne!(absurd, text);
    write(d, "absurd.json", absurd.as_bytes());
    refused(
        d,
        &["report", "absurd.json", "--format", "table"],
        "absurd.json",
    );
    sparse(d, "huge.json", b"{", 300 << 20);
    refused(d, &["report", "huge.json"], "huge.json");
    // Ledger counts at their largest: the HTML report adds them up.
    let mut v: serde_json::Value = serde_json::from_slice(seed).unwrap();
    let ledger = v["evidence"]["ledger"].as_object_mut().unwrap();
    for t in ledger.values_mut() {
        for k in ["read", "used", "skipped"] {
            t[k] = serde_json::json!(u64::MAX);
        }
        t["skip_reasons"] = serde_json::json!({"a": u64::MAX, "b": u64::MAX});
        t["not_replayed"] = serde_json::json!({"c": u64::MAX, "d": u64::MAX});
    }
    write(d, "counts.json", &serde_json::to_vec(&v).unwrap());
    handled(
        d,
        &["report", "counts.json", "--format", "html", "-o", "r.html"],
        "counts.json",
    );
    write(d, "a.log", log_lines(60).as_bytes());
    write(d, "s.toml", scenario_with_logs("a.log").as_bytes());
    write(
        d,
        "b.toml",
        b"[[budget]]\npolicy = \"std\"\nmax_growth_pct = 10\n",
    );
    for bad in ["deep.json", "absurd.json", "huge.json"] {
        refused(
            d,
            &["check", "s.toml", "--budget", "b.toml", "--baseline", bad],
            bad,
        );
    }
}

#[test]
fn hostile_shards_through_merge() {
    let w = workdir();
    let d = w.path();
    let [one, two] = &seeds().shards;
    write(d, "shard-1.json", one);
    write(d, "shard-2.json", two);
    handled(
        d,
        &["merge", "shard-1.json", "shard-2.json"],
        "shard-1.json",
    );
    // Counts that overflow when the two are added.
    let max = |bytes: &[u8]| -> Vec<u8> {
        let mut v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        v["evidence"]["objects"] = serde_json::json!(u64::MAX);
        serde_json::to_vec(&v).unwrap()
    };
    write(d, "max-1.json", &max(one));
    write(d, "max-2.json", &max(two));
    let r = run(d, &["merge", "max-1.json", "max-2.json"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    // The largest meters a shard may hold, in both: merged and priced (the rated amounts
    // overflow what money may be) or refused, never a crash.
    let huge = |bytes: &[u8]| -> Vec<u8> {
        let mut v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        for p in v["policies"].as_array_mut().unwrap() {
            for row in p["meters"]["byte_seconds"].as_array_mut().unwrap() {
                row[2] = serde_json::json!((1u128 << 96).to_string());
            }
            for row in p["meters"]["counts"].as_array_mut().unwrap() {
                row[2] = serde_json::json!((1u128 << 96).to_string());
            }
        }
        serde_json::to_vec(&v).unwrap()
    };
    write(d, "huge-1.json", &huge(one));
    write(d, "huge-2.json", &huge(two));
    let r = run(d, &["merge", "huge-1.json", "huge-2.json"]);
    assert!(
        r.code == 0 || (r.code == 2 && r.stderr.contains("more than $1,000,000,000,000,000")),
        "exit {}: {}",
        r.code,
        r.stderr
    );
    let deep = format!("{}{}", "{\"a\":".repeat(1_000_000), "}".repeat(1_000_000));
    write(d, "deep.json", deep.as_bytes());
    refused(d, &["merge", "deep.json", "shard-2.json"], "deep.json");
    write(d, "noise.json", &[0xff; 4096]);
    refused(d, &["merge", "shard-1.json", "noise.json"], "noise.json");
}
