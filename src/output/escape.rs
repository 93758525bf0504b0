//! Escaping for every output format: text that came from inputs (object keys, scenario and
//! policy names, file names) is made inert before it reaches HTML, Markdown, CSV, XML or a
//! terminal. Object keys and request fields are chosen by whoever can send a request to the
//! bucket, so every function here assumes hostile text.
//!
//! - [`html`]: the five HTML metacharacters, control characters.
//! - [`markdown`]: Markdown syntax, GitHub `@mentions`, `#123` references and autolinks
//!   (`http://`, `https://`, `www.`, `<…>`, e-mail addresses), control characters.
//! - [`csv_cell`]: spreadsheet formulas (OWASP's CSV-injection rule: a leading `'`). Only for
//!   text columns: numbers costlab writes itself (costs, quantities, counts, which may be
//!   negative) stay numbers, so each CSV writer applies it column by column.
//! - [`terminal`] and [`terminal_lines`]: C0 and C1 control characters (ESC, BEL, DEL, CSI…)
//!   and bidirectional overrides, so a name cannot move the cursor, set a hyperlink, retitle
//!   the window or reorder what the reader sees.
//! - [`xml`]: XML 1.0 text and attribute values (JUnit), including characters XML forbids.

use std::borrow::Cow;

/// Escapes text for HTML element content and attribute values; control characters other than
/// TAB, LF and CR become visible stand-ins as in [`terminal`] (a browser would hide them, a
/// terminal showing the file would act on them).
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c => out.push(stand_in(c).unwrap_or(c)),
        }
    }
    out
}

/// What a control character is shown as: C0 controls and DEL as their Unicode control pictures
/// (`␛` for ESC, `␇` for BEL, `␡` for DEL), C1 controls and the bidirectional embeddings,
/// overrides and isolates (U+202A–U+202E, U+2066–U+2069) as `�`. `None`: the character is text.
fn stand_in(c: char) -> Option<char> {
    match c {
        '\0'..='\x1f' => char::from_u32(0x2400 + c as u32),
        '\x7f' => Some('\u{2421}'),
        '\u{80}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => Some('\u{fffd}'),
        _ => None,
    }
}

/// Marks an inline HTML comment that splits a Markdown text node: GitHub renders nothing for
/// it, but neither its autolinker nor its mention, team or issue-reference filters look across
/// it (`@<!-- -->org` renders as `@org` and notifies nobody).
const NO_LINK: &str = "<!-- -->";

/// Escapes text for a Markdown table cell or inline text (GitHub-flavoured Markdown):
///
/// - `| * _ ` [ ] < > # \ ~` get a backslash, `&` becomes `&amp;`: no emphasis, code, link,
///   strike-through, HTML, entity or table cell boundary comes from the text;
/// - every `@` is followed by an empty HTML comment (`@<!-- -->name`): no `@user` or
///   `@org/team` mention and no e-mail autolink. A backslash (`\@`) or an entity (`&#64;`) does
///   not stop GitHub's mentions, which are found in the rendered text; a comment does, and
///   unlike a zero-width space it leaves nothing behind when the text is copied;
/// - `://` becomes `:<!-- -->//`, `www.` becomes `w<!-- -->ww.` and `#1` becomes
///   `\#<!-- -->1`: no bare-URL autolink and no issue reference;
/// - newlines, CR and TAB become spaces; other control characters become visible stand-ins
///   (`␛`, `�`) as in [`terminal`].
pub fn markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for (i, c) in s.char_indices() {
        let after = &s.as_bytes()[i + c.len_utf8()..];
        match c {
            '|' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '\\' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '#' => {
                out.push_str("\\#");
                if after.first().is_some_and(u8::is_ascii_digit) {
                    out.push_str(NO_LINK);
                }
            }
            '&' => out.push_str("&amp;"),
            '@' => {
                out.push('@');
                out.push_str(NO_LINK);
            }
            ':' if after.starts_with(b"//") => {
                out.push(':');
                out.push_str(NO_LINK);
            }
            'w' | 'W' if after.len() >= 3 && after[..3].eq_ignore_ascii_case(b"ww.") => {
                out.push(c);
                out.push_str(NO_LINK);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(stand_in(c).unwrap_or(c)),
        }
    }
    out
}

/// Whether `s` would be read as a formula (or as a cell that starts one, TAB and CR) by a
/// spreadsheet: its first character other than `'` and white space is `=`, `+`, `-` or `@`, or
/// its first character other than `'` is TAB or CR. Leading `'` are skipped so that the rule
/// has an exact inverse ([`csv_cell_original`]); white space is skipped because some
/// spreadsheets trim it before they look for a formula.
fn is_formula(s: &str) -> bool {
    let unquoted = s.trim_start_matches('\'');
    if unquoted.starts_with(['\t', '\r']) {
        return true;
    }
    unquoted
        .trim_start_matches(|c: char| c == '\'' || c.is_whitespace())
        .starts_with(['=', '+', '-', '@'])
}

/// A text cell of a CSV file made inert for spreadsheets (OWASP, "CSV Injection"): a cell that
/// a spreadsheet would read as a formula (it starts with `=`, `+`, `-`, `@`, TAB or CR, perhaps
/// after white space or `'`) gets a leading `'`, which spreadsheets show as text. Every other
/// cell is written as it is. Quoting of `,` `"` and newlines is left to the CSV writer.
///
/// For text columns only: a negative number that costlab writes itself (a cost, a quantity)
/// must stay a number, so writers leave their numeric columns alone.
pub fn csv_cell(s: &str) -> Cow<'_, str> {
    if is_formula(s) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// The text that [`csv_cell`] turned into `cell` (for readers of costlab's CSV that want the
/// original key back: drop the leading `'` when the rest would be read as a formula).
pub fn csv_cell_original(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if is_formula(rest) => rest,
        _ => cell,
    }
}

fn terminal_with(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    let bad = |c: char| !(keep_newlines && c == '\n') && stand_in(c).is_some();
    if !s.contains(bad) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| if bad(c) { stand_in(c).unwrap_or(c) } else { c })
            .collect(),
    )
}

/// One line of text for a terminal: every C0 control character (newline, CR, TAB and ESC
/// included) and DEL become their visible Unicode control pictures (`␊`, `␍`, `␉`, `␛`, `␡`),
/// C1 controls (U+0080–U+009F, which some terminals read as CSI or OSC) and bidirectional
/// overrides become `�`. Plain text, non-ASCII letters included, is unchanged (and borrowed).
pub fn terminal(s: &str) -> Cow<'_, str> {
    terminal_with(s, false)
}

/// Like [`terminal`], but newlines are kept (for multi-line messages).
pub fn terminal_lines(s: &str) -> Cow<'_, str> {
    terminal_with(s, true)
}

/// Whether XML 1.0 allows `c` in a document (its `Char` production): TAB, LF, CR, U+0020 to
/// U+D7FF, U+E000 to U+FFFD and U+10000 up. Not the other C0 controls, nor U+FFFE/U+FFFF
/// (surrogates cannot occur in a Rust string).
pub fn xml_allows(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}')
        || c >= '\u{10000}'
}

/// Escapes text for XML 1.0 element content or a quoted attribute value: `& < > " '` as
/// entities, TAB, LF and CR as character references (so an attribute keeps them and no
/// parser normalises CR away), and characters XML 1.0 forbids (ESC, BEL, U+0001, U+FFFE…) as
/// `�`: the document stays well-formed whatever the text.
pub fn xml(s: &str) -> Cow<'_, str> {
    let special = |c: char| matches!(c, '&' | '<' | '>' | '"' | '\'') || c < ' ' || !xml_allows(c);
    if !s.contains(special) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if !xml_allows(c) => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_that_start_a_formula_get_a_quote() {
        for s in [
            "=1+1",
            "+1",
            "-1",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
            " =1",
            "'=1",
            "=HYPERLINK(\"http://x\")",
        ] {
            assert_eq!(csv_cell(s), format!("'{s}"), "{s:?}");
            assert_eq!(csv_cell_original(&csv_cell(s)), s);
        }
        for s in ["", "raw/a.parquet", "a=1", "'quoted", "2026-03", "1.5", "'"] {
            assert_eq!(csv_cell(s), s, "{s:?}");
            assert!(matches!(csv_cell(s), Cow::Borrowed(_)));
            assert_eq!(csv_cell_original(s), s);
        }
    }

    #[test]
    fn terminal_text_has_no_control_characters() {
        let s = "\x1b]8;;http://evil\x07click\x1b]8;;\x07\u{9b}2J\u{202e}x\ny\x7f";
        assert_eq!(
            terminal(s),
            "␛]8;;http://evil␇click␛]8;;␇\u{fffd}2J\u{fffd}x␊y␡"
        );
        assert_eq!(terminal_lines("a\nb\r\n"), "a\nb␍\n");
        assert!(matches!(terminal("plain – ünïcödé"), Cow::Borrowed(_)));
    }

    #[test]
    fn xml_escapes_and_replaces_forbidden_characters() {
        assert_eq!(
            xml("a&b<c>\"d'\x1b\x07\x01\t\n\r\u{fffe}"),
            "a&amp;b&lt;c&gt;&quot;d&#39;\u{fffd}\u{fffd}\u{fffd}&#9;&#10;&#13;\u{fffd}"
        );
        assert!(matches!(xml("plain 😀"), Cow::Borrowed(_)));
    }

    #[test]
    fn markdown_breaks_mentions_and_autolinks() {
        assert_eq!(markdown("@org/team"), "@<!-- -->org/team");
        assert_eq!(
            markdown("see https://x.io and www.x.io"),
            "see https:<!-- -->//x.io and w<!-- -->ww.x.io"
        );
        assert_eq!(markdown("#12 a#b"), "\\#<!-- -->12 a\\#b");
        assert_eq!(markdown("a|b\n<c>&\x1b"), "a\\|b \\<c\\>&amp;␛");
        assert_eq!(markdown("rule-of-thumb"), "rule-of-thumb");
    }
}
