//! Parses an access log with costlab's parser on one core and on all cores and prints lines/s and
//! MB/s (the file is read into memory first, so this measures parsing, not the disk).
//!
//!     cargo run --release --example parse_throughput -- FILE

use costlab::trace::access_log::parse_line;
use rayon::prelude::*;
use std::time::Instant;

fn count_ok(text: &str) -> (u64, u64) {
    let (mut ok, mut bad) = (0u64, 0u64);
    for l in text.lines() {
        match parse_line(l) {
            Ok(r) => {
                ok += 1;
                std::hint::black_box(&r);
            }
            Err(_) => bad += 1,
        }
    }
    (ok, bad)
}

/// Splits at line boundaries into about `n` pieces.
fn chunks(text: &str, n: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let step = text.len() / n.max(1) + 1;
    while start < text.len() {
        let mut end = (start + step).min(text.len());
        while end < text.len() && text.as_bytes()[end - 1] != b'\n' {
            end += 1;
        }
        out.push(&text[start..end]);
        start = end;
    }
    out
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: parse_throughput FILE");
    let bytes = std::fs::read(&path).expect("read");
    let text = String::from_utf8_lossy(&bytes);
    let mb = bytes.len() as f64 / 1e6;
    let best = |f: &dyn Fn() -> (u64, u64)| {
        let mut t_best = f64::MAX;
        let mut res = (0, 0);
        for _ in 0..3 {
            let t = Instant::now();
            res = f();
            t_best = t_best.min(t.elapsed().as_secs_f64());
        }
        (res, t_best)
    };
    let ((ok, bad), t1) = best(&|| count_ok(&text));
    let threads = rayon::current_num_threads();
    let parts = chunks(&text, threads * 8);
    let ((ok_n, _), tn) = best(&|| {
        parts
            .par_iter()
            .map(|c| count_ok(c))
            .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
    });
    assert_eq!(ok, ok_n);
    let lines = (ok + bad) as f64;
    println!(
        "file: {path} ({:.1} MB, {} lines, {} rejected)",
        mb,
        ok + bad,
        bad
    );
    println!(
        "costlab parse, 1 core:   {:>8.3} s  {:>12.0} lines/s  {:>8.1} MB/s",
        t1,
        lines / t1,
        mb / t1
    );
    println!(
        "costlab parse, {threads} cores:  {:>8.3} s  {:>12.0} lines/s  {:>8.1} MB/s",
        tn,
        lines / tn,
        mb / tn
    );
}
