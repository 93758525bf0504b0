//! The writers: a configuration back out as the JSON `put-bucket-lifecycle-configuration`
//! accepts (pretty, fixed key order) and as the REST API XML document. Filters are spelled in
//! the form they were read in (`Filter::written_form`), so parse → write → parse is the
//! identity. Dates print as RFC 3339 UTC.

use super::model::{Expiration, Filter, FilterForm, LifecycleConfiguration, Rule, Schedule, Tag};
use serde_json::{Map, Value};
use std::fmt::Write as _;

/// The S3 XML namespace written on the root element.
pub const S3_XML_NAMESPACE: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

/// The configuration as pretty JSON in the `put-bucket-lifecycle-configuration` shape. Keys
/// come in a fixed order: `TransitionDefaultMinimumObjectSize` (when set), then `Rules`, each
/// rule as ID, Status, Filter or legacy Prefix, Transitions, Expiration,
/// NoncurrentVersionTransitions, NoncurrentVersionExpiration, AbortIncompleteMultipartUpload.
pub fn to_json(cfg: &LifecycleConfiguration) -> String {
    let mut root = Map::new();
    if let Some(t) = cfg.transition_default_minimum_object_size {
        root.insert(
            "TransitionDefaultMinimumObjectSize".into(),
            Value::from(t.as_str()),
        );
    }
    root.insert(
        "Rules".into(),
        Value::Array(cfg.rules.iter().map(rule_json).collect()),
    );
    pretty(&Value::Object(root))
}

pub(crate) fn pretty(v: &Value) -> String {
    // Serialising a Value built from strings, numbers and maps cannot fail.
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

fn schedule_json(m: &mut Map<String, Value>, when: Schedule) {
    match when {
        Schedule::Days(d) => m.insert("Days".into(), Value::from(d)),
        Schedule::Date(t) => m.insert("Date".into(), Value::from(t.to_string())),
    };
}

pub(crate) fn tag_json(t: &Tag) -> Value {
    let mut m = Map::new();
    m.insert("Key".into(), Value::from(t.key.as_str()));
    m.insert("Value".into(), Value::from(t.value.as_str()));
    Value::Object(m)
}

/// The `Filter` object (for `Single` and `And` forms).
pub(crate) fn filter_json(f: &Filter) -> Value {
    let mut m = Map::new();
    if f.written_form() == FilterForm::And {
        let mut a = Map::new();
        if let Some(p) = &f.prefix {
            a.insert("Prefix".into(), Value::from(p.as_str()));
        }
        if !f.tags.is_empty() {
            a.insert(
                "Tags".into(),
                Value::Array(f.tags.iter().map(tag_json).collect()),
            );
        }
        if let Some(g) = f.object_size_greater_than {
            a.insert("ObjectSizeGreaterThan".into(), Value::from(g));
        }
        if let Some(l) = f.object_size_less_than {
            a.insert("ObjectSizeLessThan".into(), Value::from(l));
        }
        m.insert("And".into(), Value::Object(a));
    } else if let Some(p) = &f.prefix {
        m.insert("Prefix".into(), Value::from(p.as_str()));
    } else if let Some(t) = f.tags.first() {
        m.insert("Tag".into(), tag_json(t));
    } else if let Some(g) = f.object_size_greater_than {
        m.insert("ObjectSizeGreaterThan".into(), Value::from(g));
    } else if let Some(l) = f.object_size_less_than {
        m.insert("ObjectSizeLessThan".into(), Value::from(l));
    }
    Value::Object(m)
}

fn expiration_json(e: &Expiration) -> Value {
    let mut m = Map::new();
    if let Some(w) = e.when {
        schedule_json(&mut m, w);
    }
    if let Some(b) = e.expired_object_delete_marker {
        m.insert("ExpiredObjectDeleteMarker".into(), Value::from(b));
    }
    Value::Object(m)
}

fn rule_json(r: &Rule) -> Value {
    let mut m = Map::new();
    if let Some(id) = &r.id {
        m.insert("ID".into(), Value::from(id.as_str()));
    }
    m.insert("Status".into(), Value::from(r.status.as_str()));
    match r.filter.written_form() {
        FilterForm::Absent => {}
        FilterForm::LegacyPrefix => {
            let p = r.filter.prefix.clone().unwrap_or_default();
            m.insert("Prefix".into(), Value::from(p));
        }
        FilterForm::Single | FilterForm::And => {
            m.insert("Filter".into(), filter_json(&r.filter));
        }
    }
    if !r.transitions.is_empty() {
        let ts = r
            .transitions
            .iter()
            .map(|t| {
                let mut o = Map::new();
                schedule_json(&mut o, t.when);
                o.insert("StorageClass".into(), Value::from(t.storage_class.as_str()));
                Value::Object(o)
            })
            .collect();
        m.insert("Transitions".into(), Value::Array(ts));
    }
    if let Some(e) = &r.expiration {
        m.insert("Expiration".into(), expiration_json(e));
    }
    if !r.noncurrent_version_transitions.is_empty() {
        let ts = r
            .noncurrent_version_transitions
            .iter()
            .map(|t| {
                let mut o = Map::new();
                o.insert("NoncurrentDays".into(), Value::from(t.noncurrent_days));
                o.insert("StorageClass".into(), Value::from(t.storage_class.as_str()));
                if let Some(n) = t.newer_noncurrent_versions {
                    o.insert("NewerNoncurrentVersions".into(), Value::from(n));
                }
                Value::Object(o)
            })
            .collect();
        m.insert("NoncurrentVersionTransitions".into(), Value::Array(ts));
    }
    if let Some(e) = &r.noncurrent_version_expiration {
        let mut o = Map::new();
        o.insert("NoncurrentDays".into(), Value::from(e.noncurrent_days));
        if let Some(n) = e.newer_noncurrent_versions {
            o.insert("NewerNoncurrentVersions".into(), Value::from(n));
        }
        m.insert("NoncurrentVersionExpiration".into(), Value::Object(o));
    }
    if let Some(d) = r.abort_incomplete_multipart_upload_days {
        let mut o = Map::new();
        o.insert("DaysAfterInitiation".into(), Value::from(d));
        m.insert("AbortIncompleteMultipartUpload".into(), Value::Object(o));
    }
    Value::Object(m)
}

/// Escapes text for element content. Carriage returns and tabs become character references
/// so that XML end-of-line normalisation does not change them on the way back in.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            c if c.is_control() && c != '\n' => {
                let _ = write!(out, "&#x{:X};", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// An indenting XML builder.
pub(crate) struct XmlOut {
    pub s: String,
    depth: usize,
}

impl XmlOut {
    pub(crate) fn new() -> XmlOut {
        XmlOut {
            s: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
            depth: 0,
        }
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.s.push_str("  ");
        }
    }

    pub(crate) fn open(&mut self, name: &str) {
        self.indent();
        let _ = writeln!(self.s, "<{name}>");
        self.depth += 1;
    }

    pub(crate) fn open_root(&mut self, name: &str) {
        let _ = writeln!(self.s, "<{name} xmlns=\"{S3_XML_NAMESPACE}\">");
        self.depth += 1;
    }

    pub(crate) fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.indent();
        let _ = writeln!(self.s, "</{name}>");
    }

    pub(crate) fn leaf(&mut self, name: &str, text: &str) {
        self.indent();
        let _ = writeln!(self.s, "<{name}>{}</{name}>", escape(text));
    }

    pub(crate) fn tag(&mut self, t: &Tag) {
        self.open("Tag");
        self.leaf("Key", &t.key);
        self.leaf("Value", &t.value);
        self.close("Tag");
    }

    pub(crate) fn filter(&mut self, f: &Filter) {
        if f.predicate_count() == 0 && f.written_form() != FilterForm::And {
            self.indent();
            self.s.push_str("<Filter></Filter>\n");
            return;
        }
        self.open("Filter");
        if f.written_form() == FilterForm::And {
            self.open("And");
            if let Some(p) = &f.prefix {
                self.leaf("Prefix", p);
            }
            for t in &f.tags {
                self.tag(t);
            }
            if let Some(g) = f.object_size_greater_than {
                self.leaf("ObjectSizeGreaterThan", &g.to_string());
            }
            if let Some(l) = f.object_size_less_than {
                self.leaf("ObjectSizeLessThan", &l.to_string());
            }
            self.close("And");
        } else if let Some(p) = &f.prefix {
            self.leaf("Prefix", p);
        } else if let Some(t) = f.tags.first() {
            self.tag(t);
        } else if let Some(g) = f.object_size_greater_than {
            self.leaf("ObjectSizeGreaterThan", &g.to_string());
        } else if let Some(l) = f.object_size_less_than {
            self.leaf("ObjectSizeLessThan", &l.to_string());
        }
        self.close("Filter");
    }

    fn schedule(&mut self, when: Schedule) {
        match when {
            Schedule::Days(d) => self.leaf("Days", &d.to_string()),
            Schedule::Date(t) => self.leaf("Date", &t.to_string()),
        }
    }
}

/// The configuration as the REST API XML document, with the S3 namespace. The XML form has no
/// place for `TransitionDefaultMinimumObjectSize` (a request header in the REST API), so it
/// is not written.
pub fn to_xml(cfg: &LifecycleConfiguration) -> String {
    let mut x = XmlOut::new();
    x.open_root("LifecycleConfiguration");
    for r in &cfg.rules {
        x.open("Rule");
        if let Some(id) = &r.id {
            x.leaf("ID", id);
        }
        match r.filter.written_form() {
            FilterForm::Absent => {}
            FilterForm::LegacyPrefix => {
                x.leaf("Prefix", r.filter.prefix.as_deref().unwrap_or(""));
            }
            FilterForm::Single | FilterForm::And => x.filter(&r.filter),
        }
        x.leaf("Status", r.status.as_str());
        for t in &r.transitions {
            x.open("Transition");
            x.schedule(t.when);
            x.leaf("StorageClass", t.storage_class.as_str());
            x.close("Transition");
        }
        if let Some(e) = &r.expiration {
            x.open("Expiration");
            if let Some(w) = e.when {
                x.schedule(w);
            }
            if let Some(b) = e.expired_object_delete_marker {
                x.leaf(
                    "ExpiredObjectDeleteMarker",
                    if b { "true" } else { "false" },
                );
            }
            x.close("Expiration");
        }
        for t in &r.noncurrent_version_transitions {
            x.open("NoncurrentVersionTransition");
            x.leaf("NoncurrentDays", &t.noncurrent_days.to_string());
            x.leaf("StorageClass", t.storage_class.as_str());
            if let Some(n) = t.newer_noncurrent_versions {
                x.leaf("NewerNoncurrentVersions", &n.to_string());
            }
            x.close("NoncurrentVersionTransition");
        }
        if let Some(e) = &r.noncurrent_version_expiration {
            x.open("NoncurrentVersionExpiration");
            x.leaf("NoncurrentDays", &e.noncurrent_days.to_string());
            if let Some(n) = e.newer_noncurrent_versions {
                x.leaf("NewerNoncurrentVersions", &n.to_string());
            }
            x.close("NoncurrentVersionExpiration");
        }
        if let Some(d) = r.abort_incomplete_multipart_upload_days {
            x.open("AbortIncompleteMultipartUpload");
            x.leaf("DaysAfterInitiation", &d.to_string());
            x.close("AbortIncompleteMultipartUpload");
        }
        x.close("Rule");
    }
    x.close("LifecycleConfiguration");
    x.s
}
