//! Hostile strings at every output edge (issue #21, cases 12-15): object keys and names that
//! try a spreadsheet formula, terminal escape sequences (an OSC 8 hyperlink, BEL), XML-invalid
//! characters and GitHub mentions and autolinks. Property tests of each escape in
//! `costlab::output::escape`, then the `costlab` binary run on a log and a scenario that carry
//! them: `logs parse --format csv`, `logs stats`, `run` (bill.csv, summary.md, stdout) and
//! `check --format text|md|junit`.

use comrak::nodes::NodeValue;
use costlab::output::escape::{
    csv_cell, csv_cell_original, markdown, terminal, terminal_lines, xml, xml_allows,
};
use proptest::prelude::*;
use std::path::PathBuf;
use std::process::{Command, Output};

// ---------------------------------------------------------------------------------------------
// Oracles: what a spreadsheet, a terminal, an XML parser and GitHub would make of a text.

/// Whether a spreadsheet would read `cell` as a formula (OWASP: it starts with = + - @ TAB or
/// CR; some spreadsheets trim white space before looking).
fn spreadsheet_formula(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
        || cell.trim_start().starts_with(['=', '+', '-', '@'])
}

/// Characters a terminal acts on: C0 (newline allowed when `newline_ok`), DEL, C1, and the
/// bidirectional overrides and isolates.
fn terminal_control(c: char, newline_ok: bool) -> bool {
    (c < ' ' && !(newline_ok && c == '\n'))
        || ('\u{7f}'..='\u{9f}').contains(&c)
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// The text and the value of attribute `attr` of every element named `name`, read with
/// quick-xml (character and predefined entity references resolved). Panics when the document
/// is not well-formed, or holds a character XML 1.0 forbids (quick-xml does not check those
/// itself).
fn xml_elements(doc: &str, name: &str, attr: &str) -> Vec<(String, String)> {
    use quick_xml::events::Event;
    if let Some(c) = doc.chars().find(|c| !xml_allows(*c)) {
        panic!("XML 1.0 forbids {c:?}: {doc:?}");
    }
    let mut reader = quick_xml::Reader::from_str(doc);
    reader.config_mut().check_end_names = true;
    let mut found: Vec<(String, String)> = Vec::new();
    let mut inside = false;
    let value = |e: &quick_xml::events::BytesStart| {
        let a = e
            .try_get_attribute(attr)
            .unwrap_or_else(|e| panic!("{e}: {doc:?}"))
            .unwrap_or_else(|| panic!("no {attr} on {name}: {doc:?}"));
        a.unescape_value().expect("attribute value").into_owned()
    };
    loop {
        match reader
            .read_event()
            .unwrap_or_else(|e| panic!("{e}: {doc:?}"))
        {
            Event::Start(e) if e.name().as_ref() == name.as_bytes() => {
                found.push((String::new(), value(&e)));
                inside = true;
            }
            Event::Empty(e) if e.name().as_ref() == name.as_bytes() => {
                found.push((String::new(), value(&e)));
            }
            Event::End(e) if e.name().as_ref() == name.as_bytes() => inside = false,
            Event::Text(t) if inside => {
                let text = &mut found.last_mut().expect("open element").0;
                text.push_str(&t.xml10_content().expect("text"));
            }
            Event::GeneralRef(r) if inside => {
                let text = &mut found.last_mut().expect("open element").0;
                match r.resolve_char_ref().expect("character reference") {
                    Some(c) => text.push(c),
                    None => {
                        let n = r.decode().expect("reference");
                        let v = quick_xml::escape::resolve_predefined_entity(&n)
                            .unwrap_or_else(|| panic!("undefined entity &{n}; in {doc:?}"));
                        text.push_str(v);
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(!found.is_empty(), "no <{name}> in {doc:?}");
    found
}

/// What GitHub would find in `md`: link nodes (autolinks included), text that its mention,
/// team and issue-reference filters would link (they run on the text nodes of the rendered
/// HTML), text it would autolink (`://`, `www.`), and any markup other than paragraphs,
/// tables, text and the empty comments the escape inserts. Returns the problems and the text.
fn github_markdown(md: &str) -> (Vec<String>, String) {
    let mut options = comrak::Options::default();
    options.extension.autolink = true;
    options.extension.table = true;
    options.extension.strikethrough = true;
    options.extension.tasklist = true;
    options.extension.footnotes = true;
    let arena = comrak::Arena::new();
    let root = comrak::parse_document(&arena, md, &options);
    let mut problems = Vec::new();
    let mut text = String::new();
    for node in root.descendants() {
        match &node.data().value {
            NodeValue::Document
            | NodeValue::Paragraph
            | NodeValue::Table(_)
            | NodeValue::TableRow(_)
            | NodeValue::TableCell
            | NodeValue::Heading(_)
            | NodeValue::List(_)
            | NodeValue::Item(_)
            | NodeValue::Strong => {}
            NodeValue::HtmlInline(h) if h == "<!-- -->" => {}
            NodeValue::Text(t) => {
                let b = t.as_bytes();
                for (i, w) in b.windows(2).enumerate() {
                    if w[0] == b'@' && w[1].is_ascii_alphanumeric() {
                        problems.push(format!("mention in {t:?}"));
                    }
                    if w[0] == b'#' && w[1].is_ascii_digit() {
                        problems.push(format!("issue reference in {t:?}"));
                    }
                    if b[i..].starts_with(b"://") {
                        problems.push(format!("URL in {t:?}"));
                    }
                }
                if t.to_ascii_lowercase().contains("www.") {
                    problems.push(format!("www. in {t:?}"));
                }
                text.push_str(t);
            }
            other => problems.push(format!("markup {other:?}")),
        }
    }
    (problems, text)
}

/// Text made of the pieces hostile strings are made of, and any string at all.
fn hostile() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "@",
        "org",
        "/",
        "team",
        "user",
        "http",
        "https",
        "://",
        ":",
        "//",
        "www.",
        "WWW.",
        "w",
        "#",
        "1",
        "<",
        ">",
        "&",
        "amp;",
        "&#64;",
        "|",
        "*",
        "_",
        "`",
        "~",
        "\\",
        "[",
        "]",
        "(",
        ")",
        "!",
        ".",
        "-",
        "+",
        "=",
        "'",
        "\"",
        ",",
        " ",
        "\n",
        "\r",
        "\t",
        "\x1b",
        "\x07",
        "\x01",
        "\0",
        "\x7f",
        "\u{85}",
        "\u{9b}",
        "\u{202e}",
        "\u{fffe}",
        "\u{ffff}",
        "é",
        "😀",
        "a",
        "x@y.com",
        "mailto:",
        "HYPERLINK(",
        "]8;;",
        "<!-- -->",
    ]);
    prop_oneof![
        prop::collection::vec(pieces, 0..24).prop_map(|v| v.concat()),
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// No CSV cell a spreadsheet reads as a formula; a CSV reader gets the text back once the
    /// quote is taken off.
    #[test]
    fn csv_cells_are_never_formulas_and_round_trip(s in hostile(), n in -1e9f64..1e9) {
        let cell = csv_cell(&s);
        prop_assert!(!spreadsheet_formula(&cell), "{s:?} -> {cell:?}");
        prop_assert_eq!(cell.len() - s.len(), usize::from(spreadsheet_formula(&s) || cell != s));
        let number = format!("{n}");
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record([cell.as_ref(), number.as_str()]).unwrap();
        let bytes = w.into_inner().unwrap();
        let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(&bytes[..]);
        let rec = r.records().next().unwrap().unwrap();
        prop_assert_eq!(csv_cell_original(&rec[0]), s.as_str());
        // A numeric column is written as it is: negative numbers stay numbers.
        prop_assert_eq!(rec[1].parse::<f64>().unwrap(), n);
    }

    /// No terminal control character survives; plain text is kept, one character for one.
    #[test]
    fn terminal_text_has_no_controls(s in hostile()) {
        for (out, newline_ok) in [(terminal(&s), false), (terminal_lines(&s), true)] {
            prop_assert!(!out.chars().any(|c| terminal_control(c, newline_ok)), "{s:?} -> {out:?}");
            prop_assert_eq!(out.chars().count(), s.chars().count());
            for (a, b) in s.chars().zip(out.chars()) {
                prop_assert!(a == b || terminal_control(a, newline_ok), "{a:?} -> {b:?}");
            }
        }
    }

    /// The escaped text parses (quick-xml) as element content and as an attribute value, and
    /// gives back the text with the characters XML 1.0 forbids replaced by U+FFFD.
    #[test]
    fn xml_is_well_formed_and_round_trips(s in hostile()) {
        let e = xml(&s);
        let doc = format!("<?xml version=\"1.0\"?>\n<t a=\"{e}\" b='{e}'>{e}</t>");
        let expected: String = s.chars().map(|c| if xml_allows(c) { c } else { '\u{fffd}' }).collect();
        let (text, value) = &xml_elements(&doc, "t", "a")[0];
        prop_assert_eq!(text, &expected);
        prop_assert_eq!(value, &expected);
        let (_, single) = &xml_elements(&doc, "t", "b")[0];
        prop_assert_eq!(single, &expected);
    }

    /// GitHub would link nothing in the escaped text (no mention, team, issue reference, URL,
    /// www. or e-mail autolink) and render no markup, in a paragraph and in a table cell; the
    /// rendered text is the input with line breaks and TAB as spaces and control characters
    /// as visible stand-ins.
    #[test]
    fn markdown_links_nobody_and_renders_the_text(s in hostile()) {
        let e = markdown(&s);
        let expected: String = s
            .chars()
            .map(|c| match c {
                '\n' | '\r' | '\t' => ' ',
                c => terminal(&c.to_string()).chars().next().unwrap_or(c),
            })
            .collect();
        let (problems, text) = github_markdown(&format!("Name: x{e}x\n"));
        prop_assert!(problems.is_empty(), "{s:?} -> {e:?}: {problems:?}");
        prop_assert_eq!(text, format!("Name: x{expected}x"));
        let (problems, text) = github_markdown(&format!("| a |\n|---|\n| x{e}x |\n"));
        prop_assert!(problems.is_empty(), "{s:?} -> {e:?}: {problems:?}");
        prop_assert_eq!(text, format!("ax{expected}x"));
    }
}

// ---------------------------------------------------------------------------------------------
// The binary.

/// A scratch directory and a way to run costlab inside it.
struct Workdir {
    dir: tempfile::TempDir,
}

impl Workdir {
    fn new() -> Workdir {
        Workdir {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).expect("mkdir");
        }
        std::fs::write(&p, text).expect("write fixture");
        p
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_costlab"))
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("COSTLAB_PRICING_DIR")
            .output()
            .expect("run costlab")
    }
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("UTF-8 stdout")
}

/// A spreadsheet formula as an object key.
const FORMULA: &str = "=HYPERLINK(\"http://x\")";
/// An OSC 8 terminal hyperlink, ended by BEL: "click" would link to http://evil.
const OSC8: &str = "\x1b]8;;http://evil\x07click\x1b]8;;\x07";

/// Percent-encodes a key the way S3 writes it in an access log.
fn encode(key: &str) -> String {
    key.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"/.-_".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A log whose object keys are `FORMULA` and `OSC8` (and one plain key), whose user agent is a
/// formula, written to `logs/`.
fn hostile_log(w: &Workdir) {
    let rec = |t: &str, op: &str, key: &str, sent: &str, ua: &str| {
        let k = encode(key);
        format!(
            "o lake [{t} +0000] 10.0.0.1 arn:aws:iam::1:user/u RID {op} {k} \"GET /lake/{k} HTTP/1.1\" 200 - {sent} 1073741824 5 2 \"-\" \"{ua}\" - HID SigV4 C AuthHeader lake.s3.amazonaws.com TLSv1.2 - - us-east-1\n"
        )
    };
    let mut log = String::new();
    for key in [FORMULA, OSC8, "gold/plain.parquet"] {
        log += &rec(
            "01/Mar/2026:10:00:00",
            "REST.PUT.OBJECT",
            key,
            "-",
            "-@SUM(1+1)*cmd|' /C calc'!A0",
        );
        log += &rec(
            "05/Mar/2026:10:00:00",
            "REST.GET.OBJECT",
            key,
            "1073741824",
            "aws-cli",
        );
    }
    w.write("logs/2026-03-01-10-00-00-ABCDEF0123456789", &log);
}

/// No byte a terminal acts on (newlines aside): ESC, BEL, other C0, DEL, C1, bidi overrides.
fn assert_terminal_safe(what: &str, text: &str) {
    if let Some(c) = text
        .chars()
        .find(|c| terminal_control(*c, true) && *c != '\t')
    {
        panic!("{what}: {c:?} reaches the terminal:\n{text}");
    }
}

#[test]
fn logs_parse_csv_writes_no_formula() {
    let w = Workdir::new();
    hostile_log(&w);
    let out = ok(&w.run(&["logs", "parse", "logs/", "--format", "csv"]));
    let mut r = csv::Reader::from_reader(out.as_bytes());
    let header = r.headers().unwrap().clone();
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 6);
    for row in &rows {
        for (name, cell) in header.iter().zip(row.iter()) {
            assert!(!spreadsheet_formula(cell), "{name} = {cell:?} is a formula");
        }
        // Numbers stay numbers.
        let sent = &row[col("bytes_sent")];
        assert!(sent.is_empty() || sent.parse::<u64>().is_ok(), "{sent:?}");
        assert_eq!(row[col("object_size")].parse::<u64>().unwrap(), 1 << 30);
        assert_eq!(row[col("http_status")].parse::<u16>().unwrap(), 200);
    }
    let keys: Vec<&str> = rows.iter().map(|r| &r[col("key")]).collect();
    assert!(keys.contains(&"'=HYPERLINK(\"http://x\")"), "{keys:?}");
    // The OSC 8 key does not start a formula: CSV keeps it as it is (it is data, for a
    // program; the terminal views are the ones that neutralise control characters).
    assert!(keys.contains(&OSC8), "{keys:?}");
    assert!(keys.contains(&"gold/plain.parquet"), "{keys:?}");
    let agents: Vec<&str> = rows.iter().map(|r| &r[col("user_agent")]).collect();
    assert!(
        agents.contains(&"'-@SUM(1+1)*cmd|' /C calc'!A0"),
        "{agents:?}"
    );
    assert!(agents.contains(&"aws-cli"), "{agents:?}");
}

#[test]
fn logs_stats_prints_no_escape_sequence() {
    let w = Workdir::new();
    hostile_log(&w);
    let out = ok(&w.run(&["logs", "stats", "logs/"]));
    assert_terminal_safe("logs stats", &out);
    // The key's prefix is shown, its controls as visible pictures.
    assert!(out.contains("␛]8;;http:/"), "{out}");
    assert!(out.contains("=HYPERLINK(\"http:/"), "{out}");
    assert!(out.contains("gold/"), "{out}");
}

/// A scenario named with ESC, a mention and a URL, whose policies are named with a formula,
/// a team mention and an OSC 8 hyperlink, over the hostile log; optimized so that key
/// prefixes reach the report's recommendation tables (and a millisecond prefix with markup
/// its constraints sentence).
fn hostile_scenario(w: &Workdir) -> PathBuf {
    hostile_log(w);
    w.write(
        "rot.json",
        r#"{"Rules":[{"ID":"rot","Status":"Enabled","Filter":{},"Transitions":[{"Days":30,"StorageClass":"STANDARD_IA"}]}]}"#,
    );
    w.write(
        "lake.toml",
        r#"name = "lake\u001b[2J @org/team https://evil.example www.evil.example #1"
region = "us-east-1"
start = "2026-03-01"
end = "2026-05-01"
seed = 11
current = "=HYPERLINK(\"http://x\")"
[evidence]
logs = ["logs/"]
[[policy]]
name = "=HYPERLINK(\"http://x\")"
all_standard = true
[[policy]]
name = "@org/team \u001b]8;;http://evil\u0007click\u001b]8;;\u0007 \u0001"
lifecycle = "rot.json"
[optimize.lifecycle]
transition_days = [30]
target_classes = ["STANDARD_IA"]
group_depth = 1
millisecond_prefixes = ["<i>x</i>/"]
"#,
    )
}

#[test]
fn run_escapes_names_and_keys_in_bill_csv_summary_md_and_stdout() {
    let w = Workdir::new();
    let sc = hostile_scenario(&w);
    let out = w.run(&["run", sc.to_str().unwrap(), "--out", "rep"]);
    let stdout = ok(&out);
    assert_terminal_safe("run stdout", &stdout);
    assert!(
        stdout.contains("lake␛[2J @org/team")
            && stdout.contains("@org/team ␛]8;;http://evil␇click"),
        "{stdout}"
    );
    assert_terminal_safe("run stderr", &String::from_utf8_lossy(&out.stderr));
    // Keys with control characters make a group prefix no configuration can carry: that group
    // gets no rule (and a note), and the configuration written is one S3 accepts.
    let report: serde_json::Value = serde_json::from_str(&w.read("rep/report.json")).unwrap();
    let notes = report["optimize"]["lifecycle"]["notes"].to_string();
    assert!(notes.contains("cannot carry"), "{notes}");
    if let Ok(json) = std::fs::read_to_string(w.path("rep/recommended-lifecycle.json")) {
        let cfg = costlab::trace::lifecycle::parse("rec.json", &json).unwrap();
        assert!(
            costlab::trace::lifecycle::validate(&cfg).is_empty(),
            "{json}"
        );
    }

    // bill.csv: the policy column is text, neutralised; numeric columns stay numbers.
    let bill = w.read("rep/bill.csv");
    let mut r = csv::Reader::from_reader(bill.as_bytes());
    let header = r.headers().unwrap().clone();
    let cost = header.iter().position(|h| h == "cost_usd").unwrap();
    let mut policies = std::collections::BTreeSet::new();
    for row in r.records() {
        let row = row.unwrap();
        for (name, cell) in header.iter().zip(row.iter()) {
            assert!(!spreadsheet_formula(cell), "bill.csv {name} = {cell:?}");
        }
        rust_decimal::Decimal::from_str_exact(&row[cost]).expect("cost_usd is a number");
        policies.insert(row[0].to_string());
    }
    assert!(
        policies.contains("'=HYPERLINK(\"http://x\")"),
        "{policies:?}"
    );

    // summary.md: GitHub would link nothing that came from a name or a key.
    let md = w.read("rep/summary.md");
    let (problems, text) = github_markdown(&md);
    assert!(problems.is_empty(), "{problems:?}\n{md}");
    assert!(text.contains("@org/team"), "rendered as written: {text}");
    assert!(text.contains("https://evil.example"), "{text}");
    assert!(!md.chars().any(|c| terminal_control(c, true)), "{md:?}");

    // index.html and the SVG charts: no control character, no character XML forbids.
    let html = w.read("rep/index.html");
    assert!(
        !html.chars().any(|c| terminal_control(c, true) && c != '\t'),
        "{html:?}"
    );
    assert!(html.contains("lake␛[2J @org/team"), "{html}");
    // The constraints sentence of the recommendation quotes the scenario's prefixes.
    assert!(
        html.contains("&lt;i&gt;x&lt;/i&gt;/ kept millisecond-readable") && !html.contains("<i>"),
        "{html}"
    );
    for f in std::fs::read_dir(w.path("rep/charts")).unwrap() {
        let p = f.unwrap().path();
        if p.extension().is_some_and(|e| e == "svg") {
            let svg = std::fs::read_to_string(&p).unwrap();
            let bad = svg
                .chars()
                .find(|c| !xml_allows(*c) || terminal_control(*c, true));
            assert!(bad.is_none(), "{}: {bad:?}", p.display());
        }
    }
}

#[test]
fn check_escapes_names_in_text_markdown_and_junit() {
    let w = Workdir::new();
    let sc = hostile_scenario(&w);
    ok(&w.run(&["run", sc.to_str().unwrap(), "--out", "rep"]));
    // Every policy over a budget of $0.01: every line fails and JUnit carries messages.
    let budget = w.write(
        "budget.toml",
        "[[budget]]\npolicy = \"current\"\nmax_total_usd = 0.01\n\n[[budget]]\npolicy = \"@org/team \\u001b]8;;http://evil\\u0007click\\u001b]8;;\\u0007 \\u0001\"\nmax_total_usd = 0.01\n",
    );
    let b = budget.to_str().unwrap();
    let run = |format: &str| {
        let out = w.run(&[
            "check",
            "rep/report.json",
            "--budget",
            b,
            "--format",
            format,
        ]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_terminal_safe("check stderr", &String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("UTF-8")
    };

    let text = run("text");
    assert_terminal_safe("check text", &text);
    assert!(text.contains("@org/team ␛]8;;http://evil␇click"), "{text}");

    let md = run("md");
    let (problems, rendered) = github_markdown(&md);
    assert!(problems.is_empty(), "{problems:?}\n{md}");
    assert!(rendered.contains("lake␛[2J @org/team"), "{rendered}");
    assert!(!md.chars().any(|c| terminal_control(c, true)), "{md:?}");

    let junit = run("junit");
    assert!(
        !junit.chars().any(|c| terminal_control(c, true)),
        "{junit:?}"
    );
    let (_, suite) = &xml_elements(&junit, "testsuite", "name")[0];
    assert!(
        suite.starts_with("lake␛[2J @org/team https://evil"),
        "{suite}"
    );
    let cases = xml_elements(&junit, "testcase", "name");
    assert_eq!(cases.len(), 2, "{junit}");
    assert!(
        cases
            .iter()
            .any(|(_, n)| n.contains("@org/team ␛]8;;http://evil␇click␛]8;;␇ ␁")),
        "{cases:?}"
    );
    let failures = xml_elements(&junit, "failure", "message");
    assert_eq!(failures.len(), 2, "{junit}");
    for (body, message) in &failures {
        assert_eq!(body, message);
        assert!(message.contains("exceeds limit $0.01"), "{message}");
    }
}

#[test]
fn error_messages_quote_inputs_without_control_characters() {
    let w = Workdir::new();
    let out = w.run(&["logs", "stats", "missing\x1b[31m\u{9b}2J.log"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).expect("UTF-8 stderr");
    assert_terminal_safe("error message", &err);
    assert!(err.contains("missing␛[31m\u{fffd}2J.log"), "{err}");
}
