//! The JSON reader: the document `aws s3api put-bucket-lifecycle-configuration
//! --lifecycle-configuration` accepts and `get-bucket-lifecycle-configuration` prints, plus the
//! deprecated PutBucketLifecycle shape (rule-level `Prefix`, singular `Transition` and
//! `NoncurrentVersionTransition`). serde_json checks the syntax; a small scanner maps every
//! value's path to its line so that field errors name file, line and field.

use super::error::LifecycleError;
use super::model::{
    Expiration, Filter, FilterForm, LifecycleConfiguration, NoncurrentVersionExpiration,
    NoncurrentVersionTransition, Rule, Schedule, Status, Tag, Transition,
    TransitionDefaultMinimumObjectSize, parse_storage_class,
};
use crate::aws::StorageClass;
use crate::units::Timestamp;
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

const ROOT_KEYS: &[&str] = &["Rules", "TransitionDefaultMinimumObjectSize"];
/// The PutBucketLifecycleConfiguration request members
/// (<https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketLifecycleConfiguration.html>).
const WRAPPER_KEYS: &[&str] = &[
    "LifecycleConfiguration",
    "Bucket",
    "ChecksumAlgorithm",
    "ExpectedBucketOwner",
    "TransitionDefaultMinimumObjectSize",
];
const RULE_KEYS: &[&str] = &[
    "ID",
    "Status",
    "Filter",
    "Prefix",
    "Transitions",
    "Transition",
    "Expiration",
    "NoncurrentVersionTransitions",
    "NoncurrentVersionTransition",
    "NoncurrentVersionExpiration",
    "AbortIncompleteMultipartUpload",
];
const FILTER_KEYS: &[&str] = &[
    "Prefix",
    "Tag",
    "ObjectSizeGreaterThan",
    "ObjectSizeLessThan",
    "And",
];
const AND_KEYS: &[&str] = &[
    "Prefix",
    "Tags",
    "ObjectSizeGreaterThan",
    "ObjectSizeLessThan",
];

/// Parses a lifecycle configuration in its JSON form.
pub fn parse_json(file: &str, text: &str) -> Result<LifecycleConfiguration, LifecycleError> {
    let (doc, r) = JsonDoc::load(file, text)?;
    r.configuration(&doc)
}

/// Paths look like `Rules[0].Transitions[1].Days`; the root is the empty path.
pub(crate) fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

/// A parsed JSON document with the line of every value.
pub(crate) struct JsonDoc<'a> {
    pub file: &'a str,
    lines: HashMap<String, usize>,
}

impl<'a> JsonDoc<'a> {
    /// Checks the syntax (serde_json) and rejects duplicate keys (which serde_json would
    /// silently resolve to the last one).
    pub(crate) fn load(file: &'a str, text: &str) -> Result<(Value, JsonDoc<'a>), LifecycleError> {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            let full = e.to_string();
            let message = match full.rfind(" at line ") {
                Some(i) => full[..i].to_string(),
                None => full,
            };
            LifecycleError::JsonSyntax {
                file: file.to_string(),
                line: e.line(),
                column: e.column(),
                message,
            }
        })?;
        let lines = scan_lines(text).map_err(|(path, line)| LifecycleError::Field {
            file: file.to_string(),
            line: Some(line),
            field: shown(&path),
            message: "duplicate key; each key may appear once per object".into(),
        })?;
        Ok((value, JsonDoc { file, lines }))
    }

    fn line_of(&self, path: &str) -> Option<usize> {
        let mut p = path;
        loop {
            if let Some(l) = self.lines.get(p) {
                return Some(*l);
            }
            // Walk up to the nearest recorded ancestor.
            let cut = p.rfind(['.', '['])?;
            p = &p[..cut];
        }
    }

    pub(crate) fn err(&self, path: &str, message: impl Into<String>) -> LifecycleError {
        LifecycleError::Field {
            file: self.file.to_string(),
            line: self.line_of(path),
            field: shown(path),
            message: message.into(),
        }
    }

    pub(crate) fn obj<'v>(
        &self,
        v: &'v Value,
        path: &str,
    ) -> Result<&'v Map<String, Value>, LifecycleError> {
        v.as_object()
            .ok_or_else(|| self.err(path, format!("expected an object, found {}", describe(v))))
    }

    pub(crate) fn array<'v>(
        &self,
        v: &'v Value,
        path: &str,
    ) -> Result<&'v [Value], LifecycleError> {
        v.as_array()
            .map(Vec::as_slice)
            .ok_or_else(|| self.err(path, format!("expected an array, found {}", describe(v))))
    }

    pub(crate) fn string<'v>(&self, v: &'v Value, path: &str) -> Result<&'v str, LifecycleError> {
        v.as_str()
            .ok_or_else(|| self.err(path, format!("expected a string, found {}", describe(v))))
    }

    pub(crate) fn boolean(&self, v: &Value, path: &str) -> Result<bool, LifecycleError> {
        v.as_bool().ok_or_else(|| {
            self.err(
                path,
                format!("expected true or false, found {}", describe(v)),
            )
        })
    }

    pub(crate) fn u64(&self, v: &Value, path: &str) -> Result<u64, LifecycleError> {
        v.as_u64().ok_or_else(|| {
            self.err(
                path,
                format!(
                    "expected a whole number of at least 0, found {}",
                    describe(v)
                ),
            )
        })
    }

    pub(crate) fn u32(&self, v: &Value, path: &str) -> Result<u32, LifecycleError> {
        let n = self.u64(v, path)?;
        u32::try_from(n)
            .map_err(|_| self.err(path, format!("{n} is too large (at most {})", u32::MAX)))
    }

    /// Rejects keys outside `allowed`, suggesting the right case when only the case differs.
    pub(crate) fn keys(
        &self,
        m: &Map<String, Value>,
        path: &str,
        allowed: &[&str],
    ) -> Result<(), LifecycleError> {
        for k in m.keys() {
            if !allowed.contains(&k.as_str()) {
                let hint = allowed
                    .iter()
                    .find(|a| a.eq_ignore_ascii_case(k))
                    .map(|a| format!(" (did you mean {a:?}?)"))
                    .unwrap_or_default();
                return Err(self.err(
                    &join(path, k),
                    format!(
                        "unknown field{hint}; expected one of: {}",
                        allowed.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }

    pub(crate) fn required<'v>(
        &self,
        m: &'v Map<String, Value>,
        path: &str,
        key: &str,
    ) -> Result<&'v Value, LifecycleError> {
        m.get(key)
            .ok_or_else(|| self.err(path, format!("missing required field {key:?}")))
    }

    /// The document: `{"Rules": [...]}` (what `--lifecycle-configuration` takes), or the
    /// PutBucketLifecycleConfiguration request (`--cli-input-json`) that wraps it in
    /// `LifecycleConfiguration` beside `Bucket` and the other request members.
    fn configuration(&self, v: &Value) -> Result<LifecycleConfiguration, LifecycleError> {
        let m = self.obj(v, "")?;
        let Some(inner) = m.get("LifecycleConfiguration") else {
            return self.configuration_at(v, "");
        };
        self.keys(m, "", WRAPPER_KEYS)?;
        let mut cfg = self.configuration_at(inner, "LifecycleConfiguration")?;
        if let Some(v) = m.get("TransitionDefaultMinimumObjectSize") {
            if cfg.transition_default_minimum_object_size.is_some() {
                return Err(self.err(
                    "TransitionDefaultMinimumObjectSize",
                    "given both here and inside LifecycleConfiguration; keep one",
                ));
            }
            cfg.transition_default_minimum_object_size =
                Some(self.tdmos(v, "TransitionDefaultMinimumObjectSize")?);
        }
        Ok(cfg)
    }

    fn tdmos(
        &self,
        v: &Value,
        p: &str,
    ) -> Result<TransitionDefaultMinimumObjectSize, LifecycleError> {
        self.string(v, p)?
            .parse::<TransitionDefaultMinimumObjectSize>()
            .map_err(|e| self.err(p, e))
    }

    fn configuration_at(
        &self,
        v: &Value,
        base: &str,
    ) -> Result<LifecycleConfiguration, LifecycleError> {
        let m = self.obj(v, base)?;
        self.keys(m, base, ROOT_KEYS)?;
        let rules_v = self.required(m, base, "Rules")?;
        let rules_path = join(base, "Rules");
        let rules = self
            .array(rules_v, &rules_path)?
            .iter()
            .enumerate()
            .map(|(i, r)| self.rule(r, &format!("{rules_path}[{i}]")))
            .collect::<Result<Vec<_>, _>>()?;
        let tdmos = m
            .get("TransitionDefaultMinimumObjectSize")
            .map(|v| self.tdmos(v, &join(base, "TransitionDefaultMinimumObjectSize")))
            .transpose()?;
        Ok(LifecycleConfiguration {
            rules,
            transition_default_minimum_object_size: tdmos,
        })
    }

    fn rule(&self, v: &Value, path: &str) -> Result<Rule, LifecycleError> {
        let m = self.obj(v, path)?;
        self.keys(m, path, RULE_KEYS)?;
        let id = match m.get("ID") {
            Some(v) => Some(self.string(v, &join(path, "ID"))?.to_string()),
            None => None,
        };
        let status_path = join(path, "Status");
        let status = self
            .string(self.required(m, path, "Status")?, &status_path)?
            .parse::<Status>()
            .map_err(|e| self.err(&status_path, e))?;
        let filter = match (m.get("Filter"), m.get("Prefix")) {
            (Some(_), Some(_)) => {
                return Err(self.err(
                    &join(path, "Prefix"),
                    "a rule may have Filter or the legacy rule-level Prefix, not both",
                ));
            }
            (Some(f), None) => self.filter(f, &join(path, "Filter"), true)?,
            (None, Some(p)) => {
                Filter::legacy_prefix(self.string(p, &join(path, "Prefix"))?.to_string())
            }
            (None, None) => Filter {
                form: FilterForm::Absent,
                ..Filter::default()
            },
        };
        let transitions = self.plural(m, path, "Transitions", "Transition", |v, p| {
            self.transition(v, p)
        })?;
        let expiration = match m.get("Expiration") {
            Some(v) => Some(self.expiration(v, &join(path, "Expiration"))?),
            None => None,
        };
        let noncurrent_version_transitions = self.plural(
            m,
            path,
            "NoncurrentVersionTransitions",
            "NoncurrentVersionTransition",
            |v, p| self.noncurrent_transition(v, p),
        )?;
        let noncurrent_version_expiration = match m.get("NoncurrentVersionExpiration") {
            Some(v) => {
                let p = join(path, "NoncurrentVersionExpiration");
                let e = self.obj(v, &p)?;
                self.keys(e, &p, &["NoncurrentDays", "NewerNoncurrentVersions"])?;
                Some(NoncurrentVersionExpiration {
                    noncurrent_days: self.u32(
                        self.required(e, &p, "NoncurrentDays")?,
                        &join(&p, "NoncurrentDays"),
                    )?,
                    newer_noncurrent_versions: self.opt_u32(e, &p, "NewerNoncurrentVersions")?,
                })
            }
            None => None,
        };
        let abort_incomplete_multipart_upload_days = match m.get("AbortIncompleteMultipartUpload") {
            Some(v) => {
                let p = join(path, "AbortIncompleteMultipartUpload");
                let a = self.obj(v, &p)?;
                self.keys(a, &p, &["DaysAfterInitiation"])?;
                Some(self.u32(
                    self.required(a, &p, "DaysAfterInitiation")?,
                    &join(&p, "DaysAfterInitiation"),
                )?)
            }
            None => None,
        };
        Ok(Rule {
            id,
            status,
            filter,
            transitions,
            expiration,
            noncurrent_version_transitions,
            noncurrent_version_expiration,
            abort_incomplete_multipart_upload_days,
        })
    }

    /// `plural` is an array (put-bucket-lifecycle-configuration); `singular` a lone object
    /// (the deprecated PutBucketLifecycle shape). Either, not both.
    fn plural<T>(
        &self,
        m: &Map<String, Value>,
        path: &str,
        plural: &str,
        singular: &str,
        one: impl Fn(&Value, &str) -> Result<T, LifecycleError>,
    ) -> Result<Vec<T>, LifecycleError> {
        match (m.get(plural), m.get(singular)) {
            (Some(_), Some(_)) => Err(self.err(
                &join(path, singular),
                format!("use {plural} (an array) or the legacy {singular}, not both"),
            )),
            (Some(v), None) => {
                let p = join(path, plural);
                self.array(v, &p)?
                    .iter()
                    .enumerate()
                    .map(|(i, t)| one(t, &format!("{p}[{i}]")))
                    .collect()
            }
            (None, Some(v)) => Ok(vec![one(v, &join(path, singular))?]),
            (None, None) => Ok(Vec::new()),
        }
    }

    fn opt_u32(
        &self,
        m: &Map<String, Value>,
        path: &str,
        key: &str,
    ) -> Result<Option<u32>, LifecycleError> {
        m.get(key)
            .map(|v| self.u32(v, &join(path, key)))
            .transpose()
    }

    fn date(&self, v: &Value, path: &str) -> Result<Timestamp, LifecycleError> {
        let s = self.string(v, path)?;
        Timestamp::parse_rfc3339(s).ok_or_else(|| {
            self.err(
                path,
                format!("expected an ISO 8601 date such as 2026-01-01T00:00:00Z, found {s:?}"),
            )
        })
    }

    fn schedule(
        &self,
        m: &Map<String, Value>,
        path: &str,
    ) -> Result<Option<Schedule>, LifecycleError> {
        match (m.get("Days"), m.get("Date")) {
            (Some(_), Some(_)) => Err(self.err(path, "give Days or Date, not both")),
            (Some(d), None) => Ok(Some(Schedule::Days(self.u32(d, &join(path, "Days"))?))),
            (None, Some(d)) => Ok(Some(Schedule::Date(self.date(d, &join(path, "Date"))?))),
            (None, None) => Ok(None),
        }
    }

    fn storage_class(
        &self,
        m: &Map<String, Value>,
        path: &str,
    ) -> Result<StorageClass, LifecycleError> {
        let p = join(path, "StorageClass");
        let s = self.string(self.required(m, path, "StorageClass")?, &p)?;
        parse_storage_class(s).map_err(|e| self.err(&p, e))
    }

    fn transition(&self, v: &Value, path: &str) -> Result<Transition, LifecycleError> {
        let m = self.obj(v, path)?;
        self.keys(m, path, &["Days", "Date", "StorageClass"])?;
        let when = self
            .schedule(m, path)?
            .ok_or_else(|| self.err(path, "missing Days or Date"))?;
        Ok(Transition {
            when,
            storage_class: self.storage_class(m, path)?,
        })
    }

    fn noncurrent_transition(
        &self,
        v: &Value,
        path: &str,
    ) -> Result<NoncurrentVersionTransition, LifecycleError> {
        let m = self.obj(v, path)?;
        self.keys(
            m,
            path,
            &["NoncurrentDays", "StorageClass", "NewerNoncurrentVersions"],
        )?;
        Ok(NoncurrentVersionTransition {
            noncurrent_days: self.u32(
                self.required(m, path, "NoncurrentDays")?,
                &join(path, "NoncurrentDays"),
            )?,
            storage_class: self.storage_class(m, path)?,
            newer_noncurrent_versions: self.opt_u32(m, path, "NewerNoncurrentVersions")?,
        })
    }

    fn expiration(&self, v: &Value, path: &str) -> Result<Expiration, LifecycleError> {
        let m = self.obj(v, path)?;
        self.keys(m, path, &["Days", "Date", "ExpiredObjectDeleteMarker"])?;
        Ok(Expiration {
            when: self.schedule(m, path)?,
            expired_object_delete_marker: m
                .get("ExpiredObjectDeleteMarker")
                .map(|v| self.boolean(v, &join(path, "ExpiredObjectDeleteMarker")))
                .transpose()?,
        })
    }

    fn tag(&self, v: &Value, path: &str) -> Result<Tag, LifecycleError> {
        let m = self.obj(v, path)?;
        self.keys(m, path, &["Key", "Value"])?;
        Ok(Tag {
            key: self
                .string(self.required(m, path, "Key")?, &join(path, "Key"))?
                .to_string(),
            value: self
                .string(self.required(m, path, "Value")?, &join(path, "Value"))?
                .to_string(),
        })
    }

    /// A `Filter` object; `sizes` is false for Intelligent-Tiering filters, which have no
    /// size predicates.
    pub(crate) fn filter(
        &self,
        v: &Value,
        path: &str,
        sizes: bool,
    ) -> Result<Filter, LifecycleError> {
        let m = self.obj(v, path)?;
        let (top, and): (&[&str], &[&str]) = if sizes {
            (FILTER_KEYS, AND_KEYS)
        } else {
            (&["Prefix", "Tag", "And"], &["Prefix", "Tags"])
        };
        self.keys(m, path, top)?;
        if m.len() > 1 {
            let keys: Vec<&str> = m.keys().map(String::as_str).collect();
            return Err(self.err(
                path,
                format!(
                    "a Filter holds one of {}; found {}: combine predicates inside And",
                    top.join(", "),
                    keys.join(" and ")
                ),
            ));
        }
        let mut f = Filter::default();
        let Some((k, v)) = m.iter().next() else {
            return Ok(f);
        };
        let p = join(path, k);
        match k.as_str() {
            "Prefix" => f.prefix = Some(self.string(v, &p)?.to_string()),
            "Tag" => f.tags.push(self.tag(v, &p)?),
            "ObjectSizeGreaterThan" => f.object_size_greater_than = Some(self.u64(v, &p)?),
            "ObjectSizeLessThan" => f.object_size_less_than = Some(self.u64(v, &p)?),
            _ => {
                f.form = FilterForm::And;
                let a = self.obj(v, &p)?;
                self.keys(a, &p, and)?;
                if let Some(x) = a.get("Prefix") {
                    f.prefix = Some(self.string(x, &join(&p, "Prefix"))?.to_string());
                }
                if let Some(x) = a.get("Tags") {
                    let tp = join(&p, "Tags");
                    for (i, t) in self.array(x, &tp)?.iter().enumerate() {
                        f.tags.push(self.tag(t, &format!("{tp}[{i}]"))?);
                    }
                }
                if let Some(x) = a.get("ObjectSizeGreaterThan") {
                    f.object_size_greater_than =
                        Some(self.u64(x, &join(&p, "ObjectSizeGreaterThan"))?);
                }
                if let Some(x) = a.get("ObjectSizeLessThan") {
                    f.object_size_less_than = Some(self.u64(x, &join(&p, "ObjectSizeLessThan"))?);
                }
            }
        }
        Ok(f)
    }
}

/// How a path is shown in messages.
fn shown(path: &str) -> String {
    if path.is_empty() {
        "(document root)".to_string()
    } else {
        path.to_string()
    }
}

/// A short description of a JSON value for messages.
pub(crate) fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => {
            let short: String = s.chars().take(60).collect();
            if short.len() < s.len() {
                format!("the string {short:?}…")
            } else {
                format!("the string {s:?}")
            }
        }
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

enum Frame {
    Object {
        path: String,
        key: Option<String>,
        expect_key: bool,
        seen: HashSet<String>,
    },
    Array {
        path: String,
        index: usize,
    },
}

fn value_path(stack: &[Frame]) -> String {
    match stack.last() {
        None => String::new(),
        Some(Frame::Object { path, key, .. }) => join(path, key.as_deref().unwrap_or("")),
        Some(Frame::Array { path, index }) => format!("{path}[{index}]"),
    }
}

/// Maps every value's path to the 1-based line where it starts. The text must already be
/// valid JSON. Returns the path and line of the first duplicate key, if any.
fn scan_lines(text: &str) -> Result<HashMap<String, usize>, (String, usize)> {
    let b = text.as_bytes();
    let mut map = HashMap::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut line = 1usize;
    let mut i = 0usize;
    while i < b.len() {
        match b[i] {
            b'\n' => line += 1,
            b' ' | b'\t' | b'\r' => {}
            b'{' | b'[' => {
                let path = value_path(&stack);
                map.entry(path.clone()).or_insert(line);
                stack.push(if b[i] == b'{' {
                    Frame::Object {
                        path,
                        key: None,
                        expect_key: true,
                        seen: HashSet::new(),
                    }
                } else {
                    Frame::Array { path, index: 0 }
                });
            }
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array { index, .. }) => *index += 1,
                Some(Frame::Object {
                    expect_key, key, ..
                }) => {
                    *expect_key = true;
                    *key = None;
                }
                None => {}
            },
            b':' => {
                if let Some(Frame::Object { expect_key, .. }) = stack.last_mut() {
                    *expect_key = false;
                }
            }
            b'"' => {
                let start = i;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                let raw = text.get(start..(i + 1).min(b.len())).unwrap_or("");
                let is_key = matches!(
                    stack.last(),
                    Some(Frame::Object {
                        expect_key: true,
                        ..
                    })
                );
                if is_key {
                    let k: String = serde_json::from_str(raw).unwrap_or_default();
                    if let Some(Frame::Object {
                        key, seen, path, ..
                    }) = stack.last_mut()
                    {
                        if !seen.insert(k.clone()) {
                            return Err((join(path, &k), line));
                        }
                        *key = Some(k);
                    }
                } else {
                    map.entry(value_path(&stack)).or_insert(line);
                }
            }
            _ => {
                // A number, true, false or null: record it and skip to its end.
                map.entry(value_path(&stack)).or_insert(line);
                while i + 1 < b.len() && !b",}] \t\r\n".contains(&b[i + 1]) {
                    i += 1;
                }
            }
        }
        i += 1;
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_of_nested_values() {
        let text = "{\n \"Rules\": [\n  {\"ID\": \"a\",\n   \"Days\": 3}\n ]\n}";
        let m = scan_lines(text).unwrap();
        assert_eq!(m.get("Rules"), Some(&2));
        assert_eq!(m.get("Rules[0].ID"), Some(&3));
        assert_eq!(m.get("Rules[0].Days"), Some(&4));
    }

    #[test]
    fn duplicate_keys_are_reported_with_their_line() {
        let e = parse_json("d.json", "{\"Rules\": [],\n\"Rules\": []}").unwrap_err();
        assert_eq!(e.line(), Some(2));
        assert!(e.to_string().contains("duplicate key"), "{e}");
    }
}
