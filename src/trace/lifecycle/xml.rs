//! The XML reader: the REST API `LifecycleConfiguration` document (with or without the
//! `http://s3.amazonaws.com/doc/2006-03-01/` namespace), including the legacy rule-level
//! `<Prefix>`. quick-xml checks well-formedness; a small element tree keeps each element's line
//! so that errors name file, line and element path. Stray text inside a structural element
//! (the "..." placeholders of documentation fragments) is an error.

use super::error::LifecycleError;
use super::model::{
    Expiration, Filter, FilterForm, LifecycleConfiguration, NoncurrentVersionExpiration,
    NoncurrentVersionTransition, Rule, Schedule, Status, Tag, Transition, parse_storage_class,
};
use crate::aws::StorageClass;
use crate::units::Timestamp;
use quick_xml::events::Event;
use std::str::FromStr;

/// Deeper nesting than any S3 document has; bounds the tree (and its recursive drop).
const MAX_DEPTH: usize = 32;

/// Parses a lifecycle configuration in its XML form.
pub fn parse_xml(file: &str, text: &str) -> Result<LifecycleConfiguration, LifecycleError> {
    let root = parse_tree(file, text)?;
    let x = XmlDoc { file };
    x.configuration(&root)
}

/// One element: local name, start line, child elements and (for leaves) its text.
#[derive(Debug)]
pub(crate) struct Element {
    pub name: String,
    pub line: usize,
    pub children: Vec<Element>,
    pub text: String,
    /// Line of the first non-whitespace text, when there is any.
    pub text_line: Option<usize>,
}

struct LineCounter<'t> {
    text: &'t [u8],
    pos: usize,
    line: usize,
}

impl LineCounter<'_> {
    fn line_at(&mut self, pos: usize) -> usize {
        let pos = pos.min(self.text.len());
        if pos < self.pos {
            self.pos = 0;
            self.line = 1;
        }
        self.line += self.text[self.pos..pos]
            .iter()
            .filter(|&&c| c == b'\n')
            .count();
        self.pos = pos;
        self.line
    }
}

/// Reads the whole document into an element tree; exactly one root element.
pub(crate) fn parse_tree(file: &str, text: &str) -> Result<Element, LifecycleError> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut lines = LineCounter {
        text: text.as_bytes(),
        pos: 0,
        line: 1,
    };
    let syntax = |line: usize, message: String| LifecycleError::XmlSyntax {
        file: file.to_string(),
        line,
        message,
    };
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let start = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = match reader.read_event() {
            Ok(ev) => ev,
            Err(e) => {
                let at = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
                return Err(syntax(lines.line_at(at), e.to_string()));
            }
        };
        let line = lines.line_at(start);
        let mut text_piece: Option<String> = None;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                for a in e.attributes() {
                    a.map_err(|err| syntax(line, err.to_string()))?;
                }
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if root.is_some() {
                    return Err(syntax(
                        line,
                        format!("element <{name}> after the end of the root element"),
                    ));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(syntax(
                        line,
                        format!("elements nested deeper than {MAX_DEPTH}"),
                    ));
                }
                let el = Element {
                    name,
                    line,
                    children: Vec::new(),
                    text: String::new(),
                    text_line: None,
                };
                if matches!(event, Event::Start(_)) {
                    stack.push(el);
                } else {
                    close(el, &mut stack, &mut root);
                }
            }
            Event::End(_) => match stack.pop() {
                Some(el) => close(el, &mut stack, &mut root),
                None => return Err(syntax(line, "closing tag without an opening tag".into())),
            },
            Event::Text(t) => {
                let s = t.xml10_content().map_err(|e| syntax(line, e.to_string()))?;
                text_piece = Some(s.into_owned());
            }
            Event::CData(t) => {
                let s = t.decode().map_err(|e| syntax(line, e.to_string()))?;
                text_piece = Some(s.into_owned());
            }
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => c,
                    Ok(None) => {
                        let name = r.decode().map_err(|e| syntax(line, e.to_string()))?;
                        match name.as_ref() {
                            "lt" => '<',
                            "gt" => '>',
                            "amp" => '&',
                            "apos" => '\'',
                            "quot" => '"',
                            other => {
                                return Err(syntax(line, format!("unknown entity &{other};")));
                            }
                        }
                    }
                    Err(e) => return Err(syntax(line, e.to_string())),
                };
                text_piece = Some(c.to_string());
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
            Event::Eof => break,
        }
        if let Some(piece) = text_piece {
            match stack.last_mut() {
                Some(el) => {
                    if el.text_line.is_none() && !piece.trim().is_empty() {
                        let lead = piece.len() - piece.trim_start().len();
                        let extra = piece[..lead].matches('\n').count();
                        el.text_line = Some(line + extra);
                    }
                    el.text.push_str(&piece);
                }
                None if piece.trim().is_empty() => {}
                None => {
                    return Err(syntax(
                        line,
                        format!("text {:?} outside the root element", excerpt(&piece)),
                    ));
                }
            }
        }
    }
    if let Some(open) = stack.last() {
        return Err(syntax(
            open.line,
            format!("element <{}> is never closed", open.name),
        ));
    }
    root.ok_or_else(|| syntax(lines.line_at(text.len()), "no root element".into()))
}

fn close(el: Element, stack: &mut [Element], root: &mut Option<Element>) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(el),
        None => *root = Some(el),
    }
}

fn excerpt(s: &str) -> String {
    let t = s.trim();
    let short: String = t.chars().take(50).collect();
    if short.len() < t.len() {
        format!("{short}…")
    } else {
        short
    }
}

/// Converts element trees into the model, naming file, line and element path in errors.
pub(crate) struct XmlDoc<'a> {
    pub file: &'a str,
}

impl XmlDoc<'_> {
    pub(crate) fn err(
        &self,
        el: &Element,
        path: &str,
        message: impl Into<String>,
    ) -> LifecycleError {
        LifecycleError::Field {
            file: self.file.to_string(),
            line: Some(el.line),
            field: path.to_string(),
            message: message.into(),
        }
    }

    /// A structural element: only child elements from `allowed`, no text.
    pub(crate) fn structure(
        &self,
        el: &Element,
        path: &str,
        allowed: &[&str],
    ) -> Result<(), LifecycleError> {
        if !el.text.trim().is_empty() {
            let t = el.text.trim();
            let why = if t.contains("...") {
                " (a documentation placeholder: this is a fragment, not a complete configuration)"
            } else {
                " (only child elements belong here)"
            };
            return Err(LifecycleError::Field {
                file: self.file.to_string(),
                line: el.text_line.or(Some(el.line)),
                field: path.to_string(),
                message: format!("unexpected text {:?}{why}", excerpt(t)),
            });
        }
        for c in &el.children {
            if !allowed.contains(&c.name.as_str()) {
                let hint = allowed
                    .iter()
                    .find(|a| a.eq_ignore_ascii_case(&c.name))
                    .map(|a| format!(" (did you mean <{a}>?)"))
                    .unwrap_or_default();
                return Err(self.err(
                    c,
                    &format!("{path}.{}", c.name),
                    format!(
                        "unknown element <{}>{hint}; expected one of: {}",
                        c.name,
                        allowed.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The single child named `name`, if present; a second one is an error.
    pub(crate) fn once<'e>(
        &self,
        el: &'e Element,
        path: &str,
        name: &str,
    ) -> Result<Option<&'e Element>, LifecycleError> {
        let mut found = el.children.iter().filter(|c| c.name == name);
        let first = found.next();
        if let Some(second) = found.next() {
            return Err(self.err(
                second,
                &format!("{path}.{name}"),
                format!("<{name}> may appear only once here"),
            ));
        }
        Ok(first)
    }

    pub(crate) fn required<'e>(
        &self,
        el: &'e Element,
        path: &str,
        name: &str,
    ) -> Result<&'e Element, LifecycleError> {
        self.once(el, path, name)?
            .ok_or_else(|| self.err(el, path, format!("missing required element <{name}>")))
    }

    /// The text of a leaf element, exactly as written (prefixes, keys and IDs keep spaces).
    pub(crate) fn text<'e>(&self, el: &'e Element, path: &str) -> Result<&'e str, LifecycleError> {
        if let Some(c) = el.children.first() {
            return Err(self.err(
                c,
                path,
                format!("<{}> holds text, not the element <{}>", el.name, c.name),
            ));
        }
        Ok(&el.text)
    }

    pub(crate) fn parsed<T: FromStr>(
        &self,
        el: &Element,
        path: &str,
        what: &str,
    ) -> Result<T, LifecycleError> {
        let t = self.text(el, path)?.trim();
        t.parse::<T>()
            .map_err(|_| self.err(el, path, format!("expected {what}, found {:?}", excerpt(t))))
    }

    pub(crate) fn u32(&self, el: &Element, path: &str) -> Result<u32, LifecycleError> {
        self.parsed(el, path, "a whole number from 0 to 4294967295")
    }

    pub(crate) fn u64(&self, el: &Element, path: &str) -> Result<u64, LifecycleError> {
        self.parsed(el, path, "a whole number of bytes")
    }

    fn opt_u32(&self, el: &Element, path: &str, name: &str) -> Result<Option<u32>, LifecycleError> {
        self.once(el, path, name)?
            .map(|c| self.u32(c, &format!("{path}.{name}")))
            .transpose()
    }

    pub(crate) fn status(&self, el: &Element, path: &str) -> Result<Status, LifecycleError> {
        let p = format!("{path}.Status");
        let s = self.required(el, path, "Status")?;
        let t = self.text(s, &p)?.trim();
        t.parse::<Status>().map_err(|e| self.err(s, &p, e))
    }

    fn configuration(&self, root: &Element) -> Result<LifecycleConfiguration, LifecycleError> {
        let path = root.name.as_str();
        if root.name != "LifecycleConfiguration" {
            return Err(self.err(
                root,
                path,
                format!(
                    "the root element is <{}>; expected <LifecycleConfiguration>",
                    root.name
                ),
            ));
        }
        self.structure(root, path, &["Rule"])?;
        let rules = root
            .children
            .iter()
            .enumerate()
            .map(|(i, r)| self.rule(r, &format!("{path}.Rule[{i}]")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(LifecycleConfiguration {
            rules,
            transition_default_minimum_object_size: None,
        })
    }

    fn rule(&self, el: &Element, path: &str) -> Result<Rule, LifecycleError> {
        self.structure(
            el,
            path,
            &[
                "ID",
                "Prefix",
                "Filter",
                "Status",
                "Transition",
                "Expiration",
                "NoncurrentVersionTransition",
                "NoncurrentVersionExpiration",
                "AbortIncompleteMultipartUpload",
            ],
        )?;
        let id = self
            .once(el, path, "ID")?
            .map(|c| self.text(c, &format!("{path}.ID")).map(str::to_string))
            .transpose()?;
        let status = self.status(el, path)?;
        let filter = match (
            self.once(el, path, "Filter")?,
            self.once(el, path, "Prefix")?,
        ) {
            (Some(_), Some(p)) => {
                return Err(self.err(
                    p,
                    &format!("{path}.Prefix"),
                    "a rule may have <Filter> or the legacy rule-level <Prefix>, not both",
                ));
            }
            (Some(f), None) => self.filter(f, &format!("{path}.Filter"), true)?,
            (None, Some(p)) => {
                Filter::legacy_prefix(self.text(p, &format!("{path}.Prefix"))?.to_string())
            }
            (None, None) => Filter {
                form: FilterForm::Absent,
                ..Filter::default()
            },
        };
        let mut transitions = Vec::new();
        let mut noncurrent_version_transitions = Vec::new();
        let (mut ti, mut ni) = (0, 0);
        for c in &el.children {
            if c.name == "Transition" {
                transitions.push(self.transition(c, &format!("{path}.Transition[{ti}]"))?);
                ti += 1;
            } else if c.name == "NoncurrentVersionTransition" {
                let p = format!("{path}.NoncurrentVersionTransition[{ni}]");
                self.structure(
                    c,
                    &p,
                    &["NoncurrentDays", "StorageClass", "NewerNoncurrentVersions"],
                )?;
                noncurrent_version_transitions.push(NoncurrentVersionTransition {
                    noncurrent_days: self.u32(
                        self.required(c, &p, "NoncurrentDays")?,
                        &format!("{p}.NoncurrentDays"),
                    )?,
                    storage_class: self.storage_class(c, &p)?,
                    newer_noncurrent_versions: self.opt_u32(c, &p, "NewerNoncurrentVersions")?,
                });
                ni += 1;
            }
        }
        let expiration = match self.once(el, path, "Expiration")? {
            Some(c) => Some(self.expiration(c, &format!("{path}.Expiration"))?),
            None => None,
        };
        let noncurrent_version_expiration =
            match self.once(el, path, "NoncurrentVersionExpiration")? {
                Some(c) => {
                    let p = format!("{path}.NoncurrentVersionExpiration");
                    self.structure(c, &p, &["NoncurrentDays", "NewerNoncurrentVersions"])?;
                    Some(NoncurrentVersionExpiration {
                        noncurrent_days: self.u32(
                            self.required(c, &p, "NoncurrentDays")?,
                            &format!("{p}.NoncurrentDays"),
                        )?,
                        newer_noncurrent_versions: self.opt_u32(
                            c,
                            &p,
                            "NewerNoncurrentVersions",
                        )?,
                    })
                }
                None => None,
            };
        let abort_incomplete_multipart_upload_days =
            match self.once(el, path, "AbortIncompleteMultipartUpload")? {
                Some(c) => {
                    let p = format!("{path}.AbortIncompleteMultipartUpload");
                    self.structure(c, &p, &["DaysAfterInitiation"])?;
                    Some(self.u32(
                        self.required(c, &p, "DaysAfterInitiation")?,
                        &format!("{p}.DaysAfterInitiation"),
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

    fn storage_class(&self, el: &Element, path: &str) -> Result<StorageClass, LifecycleError> {
        let p = format!("{path}.StorageClass");
        let c = self.required(el, path, "StorageClass")?;
        let t = self.text(c, &p)?.trim();
        parse_storage_class(t).map_err(|e| self.err(c, &p, e))
    }

    fn schedule(&self, el: &Element, path: &str) -> Result<Option<Schedule>, LifecycleError> {
        match (self.once(el, path, "Days")?, self.once(el, path, "Date")?) {
            (Some(_), Some(d)) => Err(self.err(d, path, "give <Days> or <Date>, not both")),
            (Some(d), None) => Ok(Some(Schedule::Days(self.u32(d, &format!("{path}.Days"))?))),
            (None, Some(d)) => {
                let p = format!("{path}.Date");
                let t = self.text(d, &p)?.trim();
                let ts = Timestamp::parse_rfc3339(t).ok_or_else(|| {
                    self.err(
                        d,
                        &p,
                        format!(
                            "expected an ISO 8601 date such as 2026-01-01T00:00:00Z, found {:?}",
                            excerpt(t)
                        ),
                    )
                })?;
                Ok(Some(Schedule::Date(ts)))
            }
            (None, None) => Ok(None),
        }
    }

    fn transition(&self, el: &Element, path: &str) -> Result<Transition, LifecycleError> {
        self.structure(el, path, &["Days", "Date", "StorageClass"])?;
        let when = self
            .schedule(el, path)?
            .ok_or_else(|| self.err(el, path, "missing <Days> or <Date>"))?;
        Ok(Transition {
            when,
            storage_class: self.storage_class(el, path)?,
        })
    }

    fn expiration(&self, el: &Element, path: &str) -> Result<Expiration, LifecycleError> {
        self.structure(el, path, &["Days", "Date", "ExpiredObjectDeleteMarker"])?;
        let eodm = match self.once(el, path, "ExpiredObjectDeleteMarker")? {
            Some(c) => {
                let p = format!("{path}.ExpiredObjectDeleteMarker");
                Some(self.parsed::<bool>(c, &p, "true or false")?)
            }
            None => None,
        };
        Ok(Expiration {
            when: self.schedule(el, path)?,
            expired_object_delete_marker: eodm,
        })
    }

    fn tag(&self, el: &Element, path: &str) -> Result<Tag, LifecycleError> {
        self.structure(el, path, &["Key", "Value"])?;
        let key = self.required(el, path, "Key")?;
        let value = self.required(el, path, "Value")?;
        Ok(Tag {
            key: self.text(key, &format!("{path}.Key"))?.to_string(),
            value: self.text(value, &format!("{path}.Value"))?.to_string(),
        })
    }

    /// A `<Filter>`; `sizes` is false for Intelligent-Tiering filters.
    pub(crate) fn filter(
        &self,
        el: &Element,
        path: &str,
        sizes: bool,
    ) -> Result<Filter, LifecycleError> {
        let (top, and): (&[&str], &[&str]) = if sizes {
            (
                &[
                    "Prefix",
                    "Tag",
                    "ObjectSizeGreaterThan",
                    "ObjectSizeLessThan",
                    "And",
                ],
                &[
                    "Prefix",
                    "Tag",
                    "ObjectSizeGreaterThan",
                    "ObjectSizeLessThan",
                ],
            )
        } else {
            (&["Prefix", "Tag", "And"], &["Prefix", "Tag"])
        };
        self.structure(el, path, top)?;
        if el.children.len() > 1 {
            let names: Vec<&str> = el.children.iter().map(|c| c.name.as_str()).collect();
            return Err(self.err(
                &el.children[1],
                path,
                format!(
                    "a <Filter> holds one of {}; found {}: combine predicates inside <And>",
                    top.join(", "),
                    names.join(" and ")
                ),
            ));
        }
        let mut f = Filter::default();
        let Some(c) = el.children.first() else {
            return Ok(f);
        };
        let p = format!("{path}.{}", c.name);
        match c.name.as_str() {
            "Prefix" => f.prefix = Some(self.text(c, &p)?.to_string()),
            "Tag" => f.tags.push(self.tag(c, &p)?),
            "ObjectSizeGreaterThan" => f.object_size_greater_than = Some(self.u64(c, &p)?),
            "ObjectSizeLessThan" => f.object_size_less_than = Some(self.u64(c, &p)?),
            _ => {
                f.form = FilterForm::And;
                self.structure(c, &p, and)?;
                if let Some(x) = self.once(c, &p, "Prefix")? {
                    f.prefix = Some(self.text(x, &format!("{p}.Prefix"))?.to_string());
                }
                for (ti, t) in c.children.iter().filter(|t| t.name == "Tag").enumerate() {
                    f.tags.push(self.tag(t, &format!("{p}.Tag[{ti}]"))?);
                }
                if let Some(x) = self.once(c, &p, "ObjectSizeGreaterThan")? {
                    f.object_size_greater_than =
                        Some(self.u64(x, &format!("{p}.ObjectSizeGreaterThan"))?);
                }
                if let Some(x) = self.once(c, &p, "ObjectSizeLessThan")? {
                    f.object_size_less_than =
                        Some(self.u64(x, &format!("{p}.ObjectSizeLessThan"))?);
                }
            }
        }
        Ok(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_and_namespaces() {
        let cfg = parse_xml(
            "t.xml",
            "<s3:LifecycleConfiguration xmlns:s3=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
             <s3:Rule><s3:ID>a&amp;b&#x41;</s3:ID><s3:Status>Enabled</s3:Status>\
             <s3:Expiration><s3:Days>3</s3:Days></s3:Expiration></s3:Rule>\
             </s3:LifecycleConfiguration>",
        )
        .unwrap();
        assert_eq!(cfg.rules[0].id.as_deref(), Some("a&bA"));
    }

    #[test]
    fn unclosed_and_deep_documents_are_errors() {
        assert!(matches!(
            parse_xml("t.xml", "<LifecycleConfiguration><Rule>"),
            Err(LifecycleError::XmlSyntax { .. })
        ));
        let deep = "<a>".repeat(10_000);
        assert!(matches!(
            parse_xml("t.xml", &deep),
            Err(LifecycleError::XmlSyntax { .. })
        ));
    }
}
