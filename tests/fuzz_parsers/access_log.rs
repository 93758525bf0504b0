//! S3 server access logs: single lines through `parse_line` (then classified and counted
//! into `LogStats`, as `logs stats` does), and whole files through `LogReader` — plain, gzip
//! and zstd, damaged after compression too, with over-long lines and invalid UTF-8 — in both
//! modes, read line by line (`for_each`) and in chunks (`chunks` + `parse_chunk`, what
//! `simulate` does), which must agree. Seeds: /work/shared/corpus/s3-access-logs*.txt.
//!
//! Bounds: a line, 1 MiB + 8 bytes per input byte (the parser borrows from the line; stats
//! keep a string per object and prefix). A file, 16 MiB whatever its size: the reader streams,
//! holding a 1 MiB read buffer, a 1 MiB decompressed buffer, a line of at most
//! `MAX_LINE_BYTES` (1 MiB; a longer one is read and dropped) and chunks of at most twice
//! (chunk + longest line); `a_20_mib_line_is_read_in_bounded_memory` holds it to that.

use crate::harness::{Bound, MIB, config, corpus, names_file, run_case};
use crate::mutate::{byte_edits, edits, line_edits, mutated};
use costlab::trace::access_log::{
    LineSource, LogReader, Mode, ReadError, billing_class, parse_line, stats::LogStats,
};
use proptest::prelude::*;
use std::io::Write;
use std::sync::OnceLock;

const LINE_BOUND: Bound = Bound {
    fixed: MIB,
    per_byte: 8,
};
const FILE_BOUND: Bound = Bound {
    fixed: 16 * MIB,
    per_byte: 0,
};

/// A few lines of the documented format, for when the corpus is absent.
const FALLBACK: &str = "\
79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be awsexamplebucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 3E57427F3EXAMPLE REST.GET.VERSIONING - \"GET /awsexamplebucket1?versioning HTTP/1.1\" 200 - 113 - 7 - \"-\" \"S3Console/0.4\" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader awsexamplebucket1.s3.us-west-1.amazonaws.com TLSV1.2 arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP Yes
o lake [01/Mar/2026:01:00:00 +0000] 10.0.0.1 - RID REST.PUT.OBJECT k/1 \"PUT /lake/k/1 HTTP/1.1\" 200 - - 1000 5 2 \"-\" \"ua\" - H SigV4 C AuthHeader h TLSv1.2 - -
o lake [02/Mar/2026:01:00:00 +0000] 10.0.0.1 - RID REST.GET.OBJECT k/1 \"GET /lake/k/1 HTTP/1.1\" 200 - 1000 1000 5 2 \"-\" \"ua\" - H SigV4 C AuthHeader h TLSv1.2 - -
o lake [03/Mar/2026:01:00:00 +0000] 10.0.0.1 - RID REST.DELETE.OBJECT k/1 \"DELETE /lake/k/1 HTTP/1.1\" 204 - - - 5 2 \"-\" \"ua\" - H SigV4 C AuthHeader h TLSv1.2 - -
";

/// The corpus's lines (both files), or the fallback's.
fn lines() -> &'static [Vec<u8>] {
    static L: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    L.get_or_init(|| {
        let mut text = Vec::new();
        for name in ["s3-access-logs.txt", "s3-access-logs-bulk-emr.txt"] {
            if let Some(p) = corpus(name) {
                text.extend(std::fs::read(p).unwrap());
            }
        }
        if text.is_empty() {
            text = FALLBACK.as_bytes().to_vec();
        }
        text.split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .map(<[u8]>::to_vec)
            .collect()
    })
}

/// `n` consecutive lines from line `at` (wrapping), each ending in `\n`.
fn window(at: usize, n: usize) -> Vec<u8> {
    let l = lines();
    let mut out = Vec::new();
    for i in 0..n {
        out.extend_from_slice(&l[(at + i) % l.len()]);
        out.push(b'\n');
    }
    out
}

fn line_case(input: Vec<u8>) {
    let text = String::from_utf8_lossy(&input).into_owned();
    run_case("access-log-line", &input, LINE_BOUND, move || {
        let mut stats = LogStats::new(2);
        for line in text.split('\n') {
            if let Ok(r) = parse_line(line) {
                std::hint::black_box(billing_class(&r));
                stats.add(&r);
            }
        }
        std::hint::black_box(stats.finish());
        Ok(())
    });
}

/// How a log file is stored.
#[derive(Clone, Copy, Debug)]
enum Stored {
    Plain,
    Gzip,
    Zstd,
}

fn encode(text: &[u8], how: Stored) -> Vec<u8> {
    match how {
        Stored::Plain => text.to_vec(),
        Stored::Gzip => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(text).unwrap();
            e.finish().unwrap()
        }
        Stored::Zstd => zstd::encode_all(text, 1).unwrap(),
    }
}

/// What one read gave: records, and the skip log's counts.
type Counts = (u64, u64, u64, u64);

fn read_lines(reader: &LogReader, sources: &[LineSource]) -> Result<Counts, ReadError> {
    let mut records = 0u64;
    let log = reader.for_each::<ReadError>(sources, |_, r| {
        std::hint::black_box(billing_class(r));
        records += 1;
        Ok(())
    })?;
    Ok((records, log.read, log.parsed, log.skipped))
}

fn read_chunks(reader: &LogReader, sources: &[LineSource]) -> Result<Counts, ReadError> {
    let names: Vec<String> = sources.iter().map(LineSource::name).collect();
    let (mut records, mut read, mut parsed, mut skipped) = (0u64, 0u64, 0u64, 0u64);
    reader.chunks::<ReadError>(
        sources,
        64 << 10,
        || None,
        |chunk| {
            let log = reader.parse_chunk::<ReadError>(&names, &chunk, |_, _| {
                records += 1;
                Ok(())
            })?;
            (read, parsed, skipped) = (read + log.read, parsed + log.parsed, skipped + log.skipped);
            Ok(())
        },
    )?;
    Ok((records, read, parsed, skipped))
}

/// Reads `files` (stored bytes) in both modes, by lines and by chunks; errors must name a
/// file, and the two ways of reading must agree.
fn file_case(files: Vec<Vec<u8>>) {
    let input: Vec<u8> = files.concat();
    run_case("access-log-file", &input, FILE_BOUND, move || {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let mut sources = Vec::new();
        for (i, bytes) in files.iter().enumerate() {
            let p = dir.path().join(format!("fuzz-{i}.log"));
            std::fs::write(&p, bytes).map_err(|e| e.to_string())?;
            sources.push(LineSource::File(p));
        }
        let names: Vec<String> = sources.iter().map(LineSource::name).collect();
        for mode in [Mode::Lenient, Mode::Strict] {
            let reader = LogReader::new(mode);
            let by_lines = read_lines(&reader, &sources);
            let by_chunks = read_chunks(&reader, &sources);
            for r in [&by_lines, &by_chunks] {
                if let Err(e) = r {
                    let m = e.to_string();
                    if !names.iter().any(|n| m.contains(n.as_str())) {
                        return names_file("access-log-file", &names[0], &m);
                    }
                }
            }
            match (&by_lines, &by_chunks) {
                (Ok(a), Ok(b)) if a != b => {
                    return Err(format!(
                        "{mode:?}: for_each read (records, read, parsed, skipped) = {a:?}, \
                         chunks {b:?}"
                    ));
                }
                (Ok(_), Err(e)) | (Err(e), Ok(_)) => {
                    return Err(format!(
                        "{mode:?}: one way of reading failed and the other did not: {e}"
                    ));
                }
                _ => {}
            }
        }
        Ok(())
    });
}

fn stored() -> impl Strategy<Value = Stored> {
    prop_oneof![Just(Stored::Plain), Just(Stored::Gzip), Just(Stored::Zstd)]
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn line_parser_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        line_case(bytes);
    }

    #[test]
    fn line_parser_on_mutated_lines(at in 0usize..1 << 20, n in 1usize..4, e in edits()) {
        line_case(mutated(&window(at, n), &e));
    }
}

proptest! {
    #![proptest_config(config(60))]

    #[test]
    fn reader_on_mutated_files(
        at in 0usize..1 << 20,
        n in 1usize..120,
        e in line_edits(),
        how in stored(),
        second in proptest::option::of((0usize..1 << 20, 1usize..40)),
    ) {
        let mut files = vec![encode(&mutated(&window(at, n), &e), how)];
        if let Some((at2, n2)) = second {
            files.push(window(at2, n2));
        }
        file_case(files);
    }

    #[test]
    fn reader_on_damaged_compressed_files(
        at in 0usize..1 << 20,
        n in 1usize..120,
        e in byte_edits(),
        gzip in any::<bool>(),
    ) {
        let packed = encode(&window(at, n), if gzip { Stored::Gzip } else { Stored::Zstd });
        file_case(vec![mutated(&packed, &e)]);
    }

    #[test]
    fn reader_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2000), gzip_magic in any::<bool>()) {
        let mut b = bytes;
        if gzip_magic {
            b.splice(0..0, [0x1f, 0x8b]);
        }
        file_case(vec![b]);
    }
}

#[test]
fn a_20_mib_line_is_read_in_bounded_memory() {
    // 20 MiB in one line between two good ones, stored plain and compressed: more than the
    // bound, so a reader that held it whole would fail.
    let mut text = window(0, 1);
    text.extend(std::iter::repeat_n(b'x', 20 * MIB));
    text.push(b'\n');
    text.extend(window(1, 1));
    for how in [Stored::Plain, Stored::Gzip, Stored::Zstd] {
        file_case(vec![encode(&text, how)]);
    }
}

#[test]
fn the_unmutated_corpus_reads_the_same_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    let text = window(0, 200);
    for how in [Stored::Plain, Stored::Gzip, Stored::Zstd] {
        let p = dir.path().join("w.log");
        std::fs::write(&p, encode(&text, how)).unwrap();
        let sources = [LineSource::File(p)];
        let reader = LogReader::new(Mode::Lenient);
        let counts = read_lines(&reader, &sources).unwrap();
        let (records, read, parsed, skipped) = counts;
        assert!(
            read == 200 && records == parsed && parsed + skipped == read,
            "{counts:?}"
        );
        assert!(parsed >= 150, "{how:?}: {counts:?}");
        assert_eq!(read_chunks(&reader, &sources).unwrap(), counts, "{how:?}");
    }
}

/// Found by `line_parser_on_mutated_lines` (20× run): sizes are read as logged, up to
/// `u64::MAX`, and two such objects overflowed `LogStats`' byte sums ("attempt to add with
/// overflow" in `logs stats`; a wrapped, wrong total in a release build). The sums saturate.
#[test]
fn stats_of_objects_logged_with_huge_sizes_saturate() {
    let line = |op: &str, key: &str, sent: &str, size: &str| {
        format!(
            "o lake [01/Mar/2026:01:00:00 +0000] 10.0.0.1 - RID {op} {key} \"X /lake/{key} \
             HTTP/1.1\" 200 - {sent} {size} 5 2 \"-\" \"ua\" - H SigV4 C AuthHeader h TLSv1.2 - -"
        )
    };
    let max = u64::MAX.to_string();
    let mut stats = LogStats::new(1);
    for l in [
        line("REST.PUT.OBJECT", "a/1", "-", &max),
        line("REST.PUT.OBJECT", "a/2", "-", &max),
        line("REST.GET.OBJECT", "a/1", &max, &max),
        line("REST.GET.OBJECT", "a/2", &max, &max),
    ] {
        stats.add(&parse_line(&l).unwrap());
    }
    let s = stats.finish();
    assert_eq!((s.objects, s.bytes), (2, u64::MAX));
    let a = &s.prefixes["a/"];
    assert_eq!((a.objects, a.reads), (2, 2));
    assert_eq!((a.bytes_stored, a.bytes_read), (u64::MAX, u64::MAX));
}
