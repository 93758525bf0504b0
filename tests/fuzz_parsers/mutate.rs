//! Structure-aware mutations of real samples: a number or a token replaced by an extreme
//! value, lines dropped, duplicated, swapped or truncated, tokens swapped, deep nesting, very
//! long strings and raw bytes (invalid UTF-8 among them) inserted. Each `Edit` picks its place
//! by index modulo what the text holds, so any edit applies to any sample.

use proptest::prelude::*;

/// Numbers at and past every boundary a reader might convert to.
pub const NUMBERS: &[&str] = &[
    "-1",
    "0",
    "-0",
    "1e400",
    "-1e400",
    "1e-400",
    "1e308",
    "99999999999999999999999999999999",
    "79228162514264337593543950336",
    "7.9e28",
    "1e28",
    "1e15",
    "1e16",
    "4294967296",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "18446744073709551615",
    "18446744073709551616",
    "340282366920938463463374607431768211456",
    "0.0000000000000000000000000001",
    "1.00000000000000000000000000001",
    "NaN",
    "inf",
    "-inf",
    "0x10",
    "1_0",
    "00000000000000000000000000000000001",
    "1.",
    ".5",
    "+5",
    "1e",
    "2147483648",
    "86400000000000",
];

/// Strings that break assumptions: empty, huge, control characters, markup, quotes, bad
/// dates, words of other formats.
pub fn strings() -> &'static [String] {
    static S: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    S.get_or_init(make_strings)
}

fn make_strings() -> Vec<String> {
    let mut v: Vec<String> = [
        "",
        " ",
        "\"",
        "'",
        "\\",
        "\\u0000",
        "\u{0}",
        "\u{1b}[31m",
        "\u{feff}",
        "\u{202e}",
        "é",
        "💸",
        "<",
        ">",
        "&",
        "]]>",
        "<![CDATA[x]]>",
        "&amp;",
        "&#0;",
        "%",
        "%ff",
        "%2F..%2F",
        "../../etc/passwd",
        "/",
        "\n",
        "\r\n",
        "\t",
        "-",
        "null",
        "true",
        "[]",
        "{}",
        "=",
        "#",
        "2026-02-30",
        "2026-13-01",
        "0000-01-01",
        "9999-12-31",
        "1969-12-31T23:59:59Z",
        "2026-03-01T25:00:00Z",
        "[31/Dec/9999:23:59:59 +9999]",
        "[01/Jan/0000:00:00:00 -9999]",
        "REST.PUT.OBJECT",
        "DEEP_ARCHIVE",
        "GLACIER_IR",
        "INTELLIGENT_TIERING",
        "Enabled",
        "Disabled",
        "us-east-1",
        "xx-fake-9",
        "SigV4",
        "TLSv1.3",
        "AuthHeader",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.push("a".repeat(70_000));
    v.push("%41".repeat(2_000));
    v.push("\\u00e9".repeat(1_000));
    v.push("x".repeat(1_025));
    v
}

/// What deep nesting looks like in each notation.
#[derive(Clone, Copy, Debug)]
pub enum Nest {
    JsonArray,
    JsonObject,
    Xml,
    TomlArray,
    TomlInline,
    Parens,
}

/// One edit of a sample.
#[derive(Clone, Debug)]
pub enum Edit {
    /// The `k`-th number becomes `NUMBERS[lit]`.
    Number {
        k: usize,
        lit: usize,
    },
    /// The `k`-th token (a run of bytes between separators) becomes `strings()[lit]`.
    Token {
        k: usize,
        lit: usize,
    },
    /// The `k`-th token becomes `NUMBERS[lit]`.
    TokenNumber {
        k: usize,
        lit: usize,
    },
    DropLine(usize),
    DupLine {
        line: usize,
        times: usize,
    },
    SwapLines(usize, usize),
    SwapTokens(usize, usize),
    /// Keeps the first `per_mille`‰ of the bytes (cutting inside a character, a field, a
    /// compressed block).
    Truncate {
        per_mille: usize,
    },
    /// Cuts the line at `per_mille`‰ of its length.
    TruncateLine {
        line: usize,
        per_mille: usize,
    },
    Nest {
        at: usize,
        depth: usize,
        kind: Nest,
    },
    LongString {
        at: usize,
        kib: usize,
        byte: u8,
    },
    Bytes {
        at: usize,
        bytes: Vec<u8>,
    },
    /// Bytes written over the text in place (lengths, offsets, magic numbers).
    Overwrite {
        at: usize,
        bytes: Vec<u8>,
    },
    FlipBit {
        at: usize,
        bit: u8,
    },
}

fn nest() -> impl Strategy<Value = Nest> {
    prop_oneof![
        Just(Nest::JsonArray),
        Just(Nest::JsonObject),
        Just(Nest::Xml),
        Just(Nest::TomlArray),
        Just(Nest::TomlInline),
        Just(Nest::Parens),
    ]
}

/// Any edit, weighted toward the structure-aware ones; long strings of up to 64 KiB.
pub fn edit() -> impl Strategy<Value = Edit> {
    edit_with(prop_oneof![1usize..64, Just(64)].boxed())
}

/// Any edit, with long strings past the line readers' 1 MiB line limit too.
pub fn line_edit() -> impl Strategy<Value = Edit> {
    edit_with(prop_oneof![3 => 1usize..64, 1 => Just(1025), 1 => Just(2048)].boxed())
}

fn edit_with(long_kib: BoxedStrategy<usize>) -> impl Strategy<Value = Edit> {
    let n = 1usize << 16;
    let strings = strings().len();
    prop_oneof![
        4 => (0..n, 0..NUMBERS.len()).prop_map(|(k, lit)| Edit::Number { k, lit }),
        4 => (0..n, 0..strings).prop_map(|(k, lit)| Edit::Token { k, lit }),
        2 => (0..n, 0..NUMBERS.len()).prop_map(|(k, lit)| Edit::TokenNumber { k, lit }),
        2 => (0..n).prop_map(Edit::DropLine),
        2 => (0..n, 1usize..50).prop_map(|(line, times)| Edit::DupLine { line, times }),
        1 => (0..n, 0..n).prop_map(|(a, b)| Edit::SwapLines(a, b)),
        2 => (0..n, 0..n).prop_map(|(a, b)| Edit::SwapTokens(a, b)),
        1 => (0usize..1000).prop_map(|per_mille| Edit::Truncate { per_mille }),
        2 => (0..n, 0usize..1000).prop_map(|(line, per_mille)| Edit::TruncateLine { line, per_mille }),
        1 => (0..n, prop_oneof![1usize..200, 200usize..5_000, Just(100_000)], nest())
            .prop_map(|(at, depth, kind)| Edit::Nest { at, depth, kind }),
        1 => (0..n, long_kib, prop_oneof![4 => 0x20u8..0x7f, 1 => any::<u8>()])
            .prop_map(|(at, kib, byte)| Edit::LongString { at, kib, byte }),
        1 => (0..n, proptest::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(at, bytes)| Edit::Bytes { at, bytes }),
        1 => (0..n, 0u8..8).prop_map(|(at, bit)| Edit::FlipBit { at, bit }),
    ]
}

/// One to four edits.
pub fn edits() -> impl Strategy<Value = Vec<Edit>> {
    proptest::collection::vec(edit(), 1..5)
}

/// One to four edits, for line readers (`line_edit`).
pub fn line_edits() -> impl Strategy<Value = Vec<Edit>> {
    proptest::collection::vec(line_edit(), 1..5)
}

/// Edits that keep a compressed or binary file's bytes mostly intact: flips, inserted bytes,
/// truncation.
pub fn byte_edits() -> impl Strategy<Value = Vec<Edit>> {
    let n = 1usize << 20;
    proptest::collection::vec(
        prop_oneof![
            3 => (0..n, 0u8..8).prop_map(|(at, bit)| Edit::FlipBit { at, bit }),
            2 => (0..n, proptest::collection::vec(any::<u8>(), 1..16))
                .prop_map(|(at, bytes)| Edit::Bytes { at, bytes }),
            1 => (0usize..1000).prop_map(|per_mille| Edit::Truncate { per_mille }),
            1 => (0..n, proptest::collection::vec(any::<u8>(), 1..9))
                .prop_map(|(at, bytes)| Edit::Overwrite { at, bytes }),
        ],
        1..6,
    )
}

/// Bytes that separate tokens.
fn is_sep(b: u8) -> bool {
    b" \t\r\n,;=<>{}[]\"'()".contains(&b)
}

/// Token spans `[start, end)` of `text`.
fn tokens(text: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        if is_sep(text[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < text.len() && !is_sep(text[i]) {
            i += 1;
        }
        out.push((start, i));
    }
    out
}

/// Number spans: digits (with `.` between them), not glued to a letter before.
fn numbers(text: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let glued = i > 0 && (text[i - 1].is_ascii_alphanumeric() || text[i - 1] == b'.');
        if text[i].is_ascii_digit() && !glued {
            let start = i;
            while i < text.len() && (text[i].is_ascii_digit() || text[i] == b'.') {
                i += 1;
            }
            out.push((start, i));
        } else {
            i += 1;
        }
    }
    out
}

/// Line spans, each without its `\n`.
fn lines(text: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, b) in text.iter().enumerate() {
        if *b == b'\n' {
            out.push((start, i));
            start = i + 1;
        }
    }
    if start < text.len() {
        out.push((start, text.len()));
    }
    out
}

fn splice(text: &mut Vec<u8>, span: (usize, usize), with: &[u8]) {
    text.splice(span.0..span.1, with.iter().copied());
}

fn nested(kind: Nest, depth: usize) -> Vec<u8> {
    let (open, mid, close): (&str, &str, &str) = match kind {
        Nest::JsonArray => ("[", "1", "]"),
        Nest::JsonObject => ("{\"a\":", "1", "}"),
        Nest::Xml => ("<a>", "1", "</a>"),
        Nest::TomlArray => ("[", "1", "]"),
        Nest::TomlInline => ("{a=", "1", "}"),
        Nest::Parens => ("(", "1", ")"),
    };
    let mut v = Vec::with_capacity(depth * (open.len() + close.len()) + 1);
    for _ in 0..depth {
        v.extend_from_slice(open.as_bytes());
    }
    v.extend_from_slice(mid.as_bytes());
    for _ in 0..depth {
        v.extend_from_slice(close.as_bytes());
    }
    v
}

/// Applies one edit.
pub fn apply(text: &mut Vec<u8>, e: &Edit) {
    let len = text.len();
    match e {
        Edit::Number { k, lit } => {
            let spans = numbers(text);
            if !spans.is_empty() {
                splice(text, spans[k % spans.len()], NUMBERS[*lit].as_bytes());
            }
        }
        Edit::Token { k, lit } => {
            let spans = tokens(text);
            let s = strings();
            if !spans.is_empty() {
                splice(text, spans[k % spans.len()], s[lit % s.len()].as_bytes());
            }
        }
        Edit::TokenNumber { k, lit } => {
            let spans = tokens(text);
            if !spans.is_empty() {
                splice(text, spans[k % spans.len()], NUMBERS[*lit].as_bytes());
            }
        }
        Edit::DropLine(i) => {
            let spans = lines(text);
            if !spans.is_empty() {
                let (s, e) = spans[i % spans.len()];
                let end = (e + 1).min(len);
                text.drain(s..end);
            }
        }
        Edit::DupLine { line, times } => {
            let spans = lines(text);
            if !spans.is_empty() {
                let (s, e) = spans[line % spans.len()];
                let mut l = text[s..e].to_vec();
                l.push(b'\n');
                // At most 4 MiB more, however long the line.
                let times = (*times).min((4 << 20) / l.len()).max(1);
                let copies: Vec<u8> = l.repeat(times);
                text.splice(s..s, copies);
            }
        }
        Edit::SwapLines(a, b) => {
            let spans = lines(text);
            if spans.len() > 1 {
                let (x, y) = (spans[a % spans.len()], spans[b % spans.len()]);
                let (x, y) = if x.0 <= y.0 { (x, y) } else { (y, x) };
                if x != y {
                    let (lx, ly) = (text[x.0..x.1].to_vec(), text[y.0..y.1].to_vec());
                    splice(text, y, &lx);
                    splice(text, x, &ly);
                }
            }
        }
        Edit::SwapTokens(a, b) => {
            let spans = tokens(text);
            if spans.len() > 1 {
                let (x, y) = (spans[a % spans.len()], spans[b % spans.len()]);
                let (x, y) = if x.0 <= y.0 { (x, y) } else { (y, x) };
                if x != y {
                    let (tx, ty) = (text[x.0..x.1].to_vec(), text[y.0..y.1].to_vec());
                    splice(text, y, &tx);
                    splice(text, x, &ty);
                }
            }
        }
        Edit::Truncate { per_mille } => text.truncate(len * per_mille / 1000),
        Edit::TruncateLine { line, per_mille } => {
            let spans = lines(text);
            if !spans.is_empty() {
                let (s, e) = spans[line % spans.len()];
                let cut = s + (e - s) * per_mille / 1000;
                text.drain(cut..e);
            }
        }
        Edit::Nest { at, depth, kind } => {
            let at = at % (len + 1);
            text.splice(at..at, nested(*kind, *depth));
        }
        Edit::LongString { at, kib, byte } => {
            let at = at % (len + 1);
            let b = if *byte == b'\n' { b'x' } else { *byte };
            text.splice(at..at, std::iter::repeat_n(b, kib * 1024));
        }
        Edit::Bytes { at, bytes } => {
            let at = at % (len + 1);
            text.splice(at..at, bytes.iter().copied());
        }
        Edit::Overwrite { at, bytes } => {
            let at = at % (len + 1);
            for (i, b) in bytes.iter().enumerate() {
                if let Some(x) = text.get_mut(at + i) {
                    *x = *b;
                }
            }
        }
        Edit::FlipBit { at, bit } => {
            if len > 0 {
                text[at % len] ^= 1 << bit;
            }
        }
    }
}

/// `sample` with `edits` applied in order.
pub fn mutated(sample: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut v = sample.to_vec();
    for e in edits {
        apply(&mut v, e);
    }
    v
}

#[test]
fn the_edits_edit() {
    let t = b"a = 12\nb = \"x y\"\n".to_vec();
    assert_eq!(
        mutated(&t, &[Edit::Number { k: 0, lit: 0 }]),
        b"a = -1\nb = \"x y\"\n"
    );
    assert_eq!(mutated(&t, &[Edit::DropLine(0)]), b"b = \"x y\"\n");
    assert_eq!(
        mutated(&t, &[Edit::DupLine { line: 0, times: 2 }]),
        b"a = 12\na = 12\na = 12\nb = \"x y\"\n"
    );
    assert_eq!(
        mutated(&t, &[Edit::SwapLines(0, 1)]),
        b"b = \"x y\"\na = 12\n"
    );
    assert_eq!(
        mutated(&t, &[Edit::SwapTokens(0, 3)]),
        b"x = 12\nb = \"a y\"\n"
    );
    assert_eq!(
        mutated(&t, &[Edit::Truncate { per_mille: 500 }]),
        b"a = 12\nb"
    );
    assert_eq!(
        mutated(
            &t,
            &[Edit::Nest {
                at: 4,
                depth: 2,
                kind: Nest::JsonArray
            }]
        ),
        b"a = [[1]]12\nb = \"x y\"\n"
    );
    assert_eq!(
        mutated(&t, &[Edit::Token { k: 1, lit: 0 }]),
        b"a = \nb = \"x y\"\n"
    );
    let long = mutated(
        &t,
        &[Edit::LongString {
            at: 0,
            kib: 2,
            byte: b'q',
        }],
    );
    assert_eq!(long.len(), t.len() + 2048);
    let over = Edit::Overwrite {
        at: 1,
        bytes: vec![b'Z'],
    };
    assert_eq!(&mutated(&t, &[over])[..3], b"aZ=");
}
