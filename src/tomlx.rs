//! A thin reader over `toml_edit`'s spanned documents for costlab's input files: every value is
//! read with the line it came from, numbers are read from their literal text (so `0.0000166667`
//! is that decimal exactly, never a float), and unknown keys are errors with a suggestion.

use rust_decimal::Decimal;
use std::ops::Range;
use std::str::FromStr;
use thiserror::Error;
use toml_edit::{ImDocument, Item, TableLike, Value};

/// A problem at a place in an input file: `file:line: key: message`.
#[derive(Debug, Error, Clone, PartialEq)]
#[error("{file}:{line}: {key}: {message}")]
pub struct SpanError {
    pub file: String,
    pub line: usize,
    pub key: String,
    pub message: String,
}

/// A parsed document and the text it came from.
pub struct Doc {
    pub file: String,
    text: String,
    doc: ImDocument<String>,
    /// Byte offsets where each line after the first starts, for line numbers in O(log n)
    /// (counting newlines per lookup made a 100,000-key book take minutes to load).
    line_starts: Vec<usize>,
}

impl Doc {
    pub fn parse(file: &str, text: &str) -> Result<Doc, SpanError> {
        match ImDocument::parse(text.to_string()) {
            Ok(doc) => Ok(Doc {
                line_starts: text
                    .bytes()
                    .enumerate()
                    .filter(|(_, b)| *b == b'\n')
                    .map(|(i, _)| i + 1)
                    .collect(),
                file: file.to_string(),
                text: text.to_string(),
                doc,
            }),
            Err(e) => {
                let line = e.span().map(|s| line_at(text, s.start)).unwrap_or(1);
                let msg = e.message().trim().to_string();
                Err(SpanError {
                    file: file.to_string(),
                    line,
                    key: "(syntax)".into(),
                    message: format!("not valid TOML: {msg}"),
                })
            }
        }
    }

    pub fn root(&self) -> Tbl<'_> {
        Tbl {
            doc: self,
            t: self.doc.as_table(),
            path: String::new(),
            line: 1,
        }
    }

    fn line(&self, span: Option<Range<usize>>) -> usize {
        span.map(|s| self.line_starts.partition_point(|&o| o <= s.start) + 1)
            .unwrap_or(0)
    }

    fn raw(&self, span: Option<Range<usize>>) -> Option<&str> {
        span.and_then(|s| self.text.get(s))
    }
}

fn line_at(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// A table (or inline table) of a document with its dotted path and line.
#[derive(Clone)]
pub struct Tbl<'a> {
    doc: &'a Doc,
    t: &'a dyn TableLike,
    path: String,
    line: usize,
}

/// A value found at a key, with where it was.
#[derive(Clone)]
pub struct Found<'a> {
    pub doc: &'a Doc,
    pub item: &'a Item,
    pub key_line: usize,
    pub path: String,
}

impl<'a> Tbl<'a> {
    pub fn path(&self) -> &str {
        &self.path
    }

    pub fn line(&self) -> usize {
        self.line
    }

    pub fn file(&self) -> &str {
        &self.doc.file
    }

    /// Keys in document order.
    pub fn keys(&self) -> Vec<&'a str> {
        self.t.iter().map(|(k, _)| k).collect()
    }

    pub fn key_path(&self, key: &str) -> String {
        join(&self.path, key)
    }

    pub fn err(&self, key: &str, message: impl Into<String>) -> SpanError {
        let line = self.key_line(key).unwrap_or(self.line);
        SpanError {
            file: self.doc.file.clone(),
            line,
            key: shorten(&if key.is_empty() {
                self.path.clone()
            } else {
                self.key_path(key)
            }),
            message: message.into(),
        }
    }

    pub fn key_line(&self, key: &str) -> Option<usize> {
        let (k, item) = self.t.get_key_value(key)?;
        let l = self.doc.line(k.span());
        Some(if l == 0 {
            self.doc.line(item.span()).max(self.line)
        } else {
            l
        })
    }

    /// Every key must be one of `allowed`; otherwise an error naming the key and the closest
    /// allowed spelling.
    pub fn only(&self, allowed: &[&str]) -> Result<(), SpanError> {
        for k in self.keys() {
            if !allowed.contains(&k) {
                let hint = closest(k, allowed.iter().copied(), 3)
                    .map(|a| format!("; did you mean `{a}`?"))
                    .unwrap_or_else(|| format!("; expected one of: {}", allowed.join(", ")));
                return Err(self.err(k, format!("unknown key{hint}")));
            }
        }
        Ok(())
    }

    pub fn get(&self, key: &str) -> Option<Found<'a>> {
        let (k, item) = self.t.get_key_value(key)?;
        let path = join(&self.path, key);
        let mut key_line = self.doc.line(k.span());
        if key_line == 0 {
            key_line = self.doc.line(item.span()).max(self.line);
        }
        Some(Found {
            doc: self.doc,
            item,
            key_line,
            path,
        })
    }

    pub fn table(&self, key: &str) -> Result<Option<Tbl<'a>>, SpanError> {
        match self.get(key) {
            None => Ok(None),
            Some(f) => f.as_table().map(Some),
        }
    }

    pub fn decimal(&self, key: &str) -> Result<Option<Decimal>, SpanError> {
        self.get(key).map(|f| f.as_decimal()).transpose()
    }

    pub fn non_negative(&self, key: &str) -> Result<Option<Decimal>, SpanError> {
        match self.decimal(key)? {
            Some(v) if v.is_sign_negative() && !v.is_zero() => {
                Err(self.err(key, format!("must not be negative, got {v}")))
            }
            v => Ok(v),
        }
    }

    pub fn string(&self, key: &str) -> Result<Option<&'a str>, SpanError> {
        self.get(key).map(|f| f.as_str()).transpose()
    }

    pub fn bool(&self, key: &str) -> Result<Option<bool>, SpanError> {
        self.get(key).map(|f| f.as_bool()).transpose()
    }

    pub fn integer(&self, key: &str) -> Result<Option<i64>, SpanError> {
        self.get(key).map(|f| f.as_integer()).transpose()
    }

    /// An array of tables (`[[x]]`) or an array of inline tables (`x = [{..}, {..}]`).
    pub fn tables(&self, key: &str) -> Result<Vec<Tbl<'a>>, SpanError> {
        match self.get(key) {
            None => Ok(Vec::new()),
            Some(f) => f.as_tables(),
        }
    }
}

impl<'a> Found<'a> {
    pub fn line(&self) -> usize {
        self.key_line
    }

    pub fn err(&self, message: impl Into<String>) -> SpanError {
        SpanError {
            file: self.doc.file.clone(),
            line: self.key_line,
            key: shorten(&self.path),
            message: message.into(),
        }
    }

    fn value(&self) -> Option<&'a Value> {
        self.item.as_value()
    }

    pub fn is_table(&self) -> bool {
        self.item.is_table() || matches!(self.value(), Some(Value::InlineTable(_)))
    }

    pub fn is_array(&self) -> bool {
        self.item.is_array_of_tables() || matches!(self.value(), Some(Value::Array(_)))
    }

    pub fn as_table(&self) -> Result<Tbl<'a>, SpanError> {
        let t: &'a dyn TableLike = match self.item {
            Item::Table(t) => t,
            Item::Value(Value::InlineTable(t)) => t,
            _ => return Err(self.err(format!("expected a table, got {}", self.type_name()))),
        };
        Ok(Tbl {
            doc: self.doc,
            t,
            path: self.path.clone(),
            line: self.key_line,
        })
    }

    pub fn as_tables(&self) -> Result<Vec<Tbl<'a>>, SpanError> {
        match self.item {
            Item::ArrayOfTables(a) => Ok(a
                .iter()
                .map(|t| Tbl {
                    doc: self.doc,
                    t,
                    path: self.path.clone(),
                    line: self.doc.line(t.span()).max(self.key_line),
                })
                .collect()),
            Item::Value(Value::Array(a)) => a
                .iter()
                .map(|v| match v {
                    Value::InlineTable(t) => Ok(Tbl {
                        doc: self.doc,
                        t,
                        path: self.path.clone(),
                        line: self.doc.line(t.span()).max(self.key_line),
                    }),
                    _ => Err(self.err("expected an array of tables like [{ .. }, { .. }]")),
                })
                .collect(),
            _ => Err(self.err(format!(
                "expected an array of tables, got {}",
                self.type_name()
            ))),
        }
    }

    pub fn type_name(&self) -> &'static str {
        match self.item {
            Item::None => "nothing",
            Item::Table(_) => "a table",
            Item::ArrayOfTables(_) => "an array of tables",
            Item::Value(v) => match v {
                Value::String(_) => "a string",
                Value::Integer(_) => "an integer",
                Value::Float(_) => "a float",
                Value::Boolean(_) => "a boolean",
                Value::Datetime(_) => "a date-time",
                Value::Array(_) => "an array",
                Value::InlineTable(_) => "an inline table",
            },
        }
    }

    /// A number read from its literal text; a quoted string of digits is accepted too, for
    /// integers beyond TOML's 64-bit range.
    pub fn as_decimal(&self) -> Result<Decimal, SpanError> {
        let raw = match self.value() {
            Some(Value::Integer(i)) => self.doc.raw(i.span()).map(str::to_string),
            Some(Value::Float(f)) => {
                if !f.value().is_finite() {
                    return Err(self.err("must be a finite number"));
                }
                self.doc.raw(f.span()).map(str::to_string)
            }
            Some(Value::String(s)) => Some(s.value().clone()),
            _ => return Err(self.err(format!("expected a number, got {}", self.type_name()))),
        };
        let raw = raw.unwrap_or_default().replace('_', "");
        parse_decimal(raw.trim()).ok_or_else(|| {
            self.err(format!(
                "expected a decimal number within 28 significant digits, got {raw:?}"
            ))
        })
    }

    pub fn as_str(&self) -> Result<&'a str, SpanError> {
        match self.value() {
            Some(Value::String(s)) => Ok(s.value().as_str()),
            _ => Err(self.err(format!("expected a string, got {}", self.type_name()))),
        }
    }

    /// An array of strings (a single string counts as a one-element array).
    pub fn as_array_of_str(&self) -> Result<Vec<&'a str>, SpanError> {
        match self.value() {
            Some(Value::String(s)) => Ok(vec![s.value().as_str()]),
            Some(Value::Array(a)) => a
                .iter()
                .map(|v| {
                    v.as_str()
                        .ok_or_else(|| self.err("expected an array of strings"))
                })
                .collect(),
            _ => Err(self.err(format!(
                "expected an array of strings, got {}",
                self.type_name()
            ))),
        }
    }

    /// An array of non-negative integers (a single integer counts as a one-element array).
    pub fn as_array_of_u64(&self) -> Result<Vec<u64>, SpanError> {
        let one = |v: &Value| match v {
            Value::Integer(i) => u64::try_from(*i.value()).ok(),
            _ => None,
        };
        match self.value() {
            Some(Value::Array(a)) => a
                .iter()
                .map(|v| {
                    one(v).ok_or_else(|| self.err("expected an array of non-negative integers"))
                })
                .collect(),
            Some(v) => one(v)
                .map(|n| vec![n])
                .ok_or_else(|| self.err("expected an array of non-negative integers")),
            None => Err(self.err(format!(
                "expected an array of non-negative integers, got {}",
                self.type_name()
            ))),
        }
    }

    pub fn as_bool(&self) -> Result<bool, SpanError> {
        match self.value() {
            Some(Value::Boolean(b)) => Ok(*b.value()),
            _ => Err(self.err(format!("expected true or false, got {}", self.type_name()))),
        }
    }

    pub fn as_integer(&self) -> Result<i64, SpanError> {
        match self.value() {
            Some(Value::Integer(i)) => Ok(*i.value()),
            _ => Err(self.err(format!("expected an integer, got {}", self.type_name()))),
        }
    }
}

/// Parses `123`, `0.0125`, `+1.5`, `1e-3`, `4.2E6` exactly.
pub fn parse_decimal(s: &str) -> Option<Decimal> {
    let s = s.strip_prefix('+').unwrap_or(s);
    if s.is_empty() || s.contains(['x', 'o', 'b', 'n', 'i']) {
        return None;
    }
    if s.contains(['e', 'E']) {
        Decimal::from_scientific(s).ok()
    } else {
        Decimal::from_str(s).ok()
    }
}

fn join(path: &str, key: &str) -> String {
    let k = if key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !key.is_empty()
    {
        key.to_string()
    } else {
        format!("\"{key}\"")
    };
    if path.is_empty() {
        k
    } else {
        format!("{path}.{k}")
    }
}

/// The longest key or word a "did you mean" is computed for: a typo of a real key is short,
/// and the distance costs the product of the two lengths.
pub const MAX_SUGGEST_CHARS: usize = 64;

/// The candidate closest to `word` within `max` edits (Levenshtein, `strsim`), the smallest
/// distance first and then the first in order; `None` for a word longer than
/// `MAX_SUGGEST_CHARS`. Candidates whose length differs by more than `max` are skipped
/// unmeasured, so the cost stays bounded whatever the input.
pub fn closest<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
    max: usize,
) -> Option<&'c str> {
    let n = word.chars().count();
    if n > MAX_SUGGEST_CHARS {
        return None;
    }
    candidates
        .into_iter()
        .filter(|c| c.chars().count().abs_diff(n) <= max)
        .map(|c| (strsim::levenshtein(word, c), c))
        .filter(|(d, _)| *d <= max)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// A key path for messages: past 120 characters, its start and its length (a hostile file's
/// megabyte key is not repeated in every message).
pub fn shorten(s: &str) -> String {
    let n = s.chars().count();
    if n <= 120 {
        return s.to_string();
    }
    let head: String = s.chars().take(60).collect();
    format!("{head}… ({n} characters)")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines found by binary search over the line ends are the lines counted from the start,
    /// wherever the key is (first line, after CRLF ends, after a long comment, last line).
    #[test]
    fn lines_are_found_by_search_as_counted() {
        let text = format!(
            "a = 1\r\nb = 2\n#{}\n\n[t]\nc = 3\nd = \"x\"",
            "long ".repeat(10_000)
        );
        let d = Doc::parse("l.toml", &text).unwrap();
        let root = d.root();
        let t = root.table("t").unwrap().unwrap();
        let found = [
            root.key_line("a"),
            root.key_line("b"),
            t.key_line("c"),
            t.key_line("d"),
        ];
        let counted =
            ["a =", "b =", "c =", "d ="].map(|k| Some(line_at(&text, text.find(k).unwrap())));
        assert_eq!(found, counted);
        assert_eq!(found, [Some(1), Some(2), Some(6), Some(7)]);
        assert_eq!(t.line(), 5);
    }

    #[test]
    fn decimals_are_read_from_their_literal_text() {
        let d = Doc::parse(
            "t.toml",
            "a = 0.0000166667\nb = 1_000\nc = \"42259901212262400000\"\nd = 1e-3\n",
        )
        .unwrap();
        let r = d.root();
        assert_eq!(r.decimal("a").unwrap().unwrap().to_string(), "0.0000166667");
        assert_eq!(r.decimal("b").unwrap().unwrap(), Decimal::from(1000));
        assert_eq!(
            r.decimal("c").unwrap().unwrap().to_string(),
            "42259901212262400000"
        );
        assert_eq!(r.decimal("d").unwrap().unwrap().to_string(), "0.001");
    }

    #[test]
    fn unknown_keys_name_line_and_suggest() {
        let d = Doc::parse("u.toml", "[x]\nalpha = 1\n\nbetta = 2\n").unwrap();
        let x = d.root().table("x").unwrap().unwrap();
        let e = x.only(&["alpha", "beta"]).unwrap_err();
        assert_eq!(e.line, 4);
        assert_eq!(e.key, "x.betta");
        assert!(e.message.contains("did you mean `beta`"), "{}", e.message);
    }

    #[test]
    fn suggestions_are_bounded_to_short_words() {
        assert_eq!(closest("betta", ["alpha", "beta"], 3), Some("beta"));
        assert_eq!(closest("zzzzzzzz", ["alpha", "beta"], 3), None);
        // A megabyte key is not measured at all.
        let huge = "b".repeat(1 << 20);
        assert_eq!(closest(&huge, ["beta"], 3), None);
        assert_eq!(closest(&"a".repeat(65), [&*"a".repeat(64)], 3), None);
        assert_eq!(shorten("short.key"), "short.key");
        let s = shorten(&"k".repeat(70_000));
        assert!(s.ends_with("… (70000 characters)") && s.len() < 100, "{s}");
    }

    #[test]
    fn unknown_long_keys_are_reported_short() {
        let text = format!("[x]\n\"{}\" = 1\n", "q".repeat(100_000));
        let d = Doc::parse("l.toml", &text).unwrap();
        let e = d
            .root()
            .table("x")
            .unwrap()
            .unwrap()
            .only(&["alpha"])
            .unwrap_err();
        assert!(e.key.len() < 100, "{}", e.key);
        assert!(
            e.message.contains("expected one of: alpha"),
            "{}",
            e.message
        );
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let e = Doc::parse("s.toml", "a = 1\nb = = 2\n").err().unwrap();
        assert_eq!(e.line, 2);
    }
}
