//! S3 Intelligent-Tiering archive configurations: the JSON of
//! `put-bucket-intelligent-tiering-configuration` (and the `get-` / `list-` outputs that wrap
//! it), the XML `IntelligentTieringConfiguration` body, validation of the opt-in Archive
//! Access (90–730 days) and Deep Archive Access (180–730 days) tiers (s3-pricing-and-rules.md
//! §2.4), and a JSON writer.

use super::error::{LifecycleError, ValidationError, ValidationKind};
use super::json::{JsonDoc, join};
use super::model::{Filter, FilterForm, Status};
use super::write::{XmlOut, filter_json, pretty};
use super::xml::{Element, XmlDoc, parse_tree};
use serde_json::{Map, Value};
use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

/// One Intelligent-Tiering configuration of a bucket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntelligentTieringConfiguration {
    pub id: String,
    /// Prefix / tag filter (no size predicates); `FilterForm::Absent` when there is none.
    pub filter: Filter,
    pub status: Status,
    pub tierings: Vec<Tiering>,
}

/// After `days` consecutive days without access, objects move to `access_tier`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Tiering {
    pub days: u32,
    pub access_tier: AccessTier,
}

/// The opt-in asynchronous tiers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AccessTier {
    ArchiveAccess,
    DeepArchiveAccess,
}

impl AccessTier {
    pub fn as_str(self) -> &'static str {
        match self {
            AccessTier::ArchiveAccess => "ARCHIVE_ACCESS",
            AccessTier::DeepArchiveAccess => "DEEP_ARCHIVE_ACCESS",
        }
    }

    /// The allowed `Days`: "at least 90 days [Archive Access] … at least 180 days [Deep Archive
    /// Access] … The maximum can be up to 2 years (730 days)" (§2.4).
    pub fn days_range(self) -> std::ops::RangeInclusive<u32> {
        match self {
            AccessTier::ArchiveAccess => 90..=730,
            AccessTier::DeepArchiveAccess => 180..=730,
        }
    }
}

impl fmt::Display for AccessTier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AccessTier {
    type Err = String;
    fn from_str(s: &str) -> Result<AccessTier, String> {
        match s {
            "ARCHIVE_ACCESS" => Ok(AccessTier::ArchiveAccess),
            "DEEP_ARCHIVE_ACCESS" => Ok(AccessTier::DeepArchiveAccess),
            _ => Err(format!(
                "expected ARCHIVE_ACCESS or DEEP_ARCHIVE_ACCESS, found {s:?}"
            )),
        }
    }
}

/// Parses Intelligent-Tiering JSON: a bare configuration (the put input), an
/// `{"IntelligentTieringConfiguration": …}` get output, or a list output with
/// `IntelligentTieringConfigurationList`. Returns the configurations in document order.
pub fn parse_intelligent_tiering_json(
    file: &str,
    text: &str,
) -> Result<Vec<IntelligentTieringConfiguration>, LifecycleError> {
    let (v, d) = JsonDoc::load(file, text)?;
    let m = d.obj(&v, "")?;
    if let Some(inner) = m.get("IntelligentTieringConfiguration") {
        d.keys(m, "", &["IntelligentTieringConfiguration"])?;
        return Ok(vec![it_json(&d, inner, "IntelligentTieringConfiguration")?]);
    }
    if let Some(list) = m.get("IntelligentTieringConfigurationList") {
        d.keys(
            m,
            "",
            &[
                "IntelligentTieringConfigurationList",
                "IsTruncated",
                "ContinuationToken",
                "NextContinuationToken",
            ],
        )?;
        let p = "IntelligentTieringConfigurationList";
        return d
            .array(list, p)?
            .iter()
            .enumerate()
            .map(|(i, c)| it_json(&d, c, &format!("{p}[{i}]")))
            .collect();
    }
    Ok(vec![it_json(&d, &v, "")?])
}

fn it_json(
    d: &JsonDoc<'_>,
    v: &Value,
    path: &str,
) -> Result<IntelligentTieringConfiguration, LifecycleError> {
    let m = d.obj(v, path)?;
    d.keys(m, path, &["Id", "Filter", "Status", "Tierings"])?;
    let id = d
        .string(d.required(m, path, "Id")?, &join(path, "Id"))?
        .to_string();
    let sp = join(path, "Status");
    let status = d
        .string(d.required(m, path, "Status")?, &sp)?
        .parse::<Status>()
        .map_err(|e| d.err(&sp, e))?;
    let filter = match m.get("Filter") {
        Some(f) => d.filter(f, &join(path, "Filter"), false)?,
        None => absent(),
    };
    let tp = join(path, "Tierings");
    let mut tierings = Vec::new();
    for (i, t) in d
        .array(d.required(m, path, "Tierings")?, &tp)?
        .iter()
        .enumerate()
    {
        let p = format!("{tp}[{i}]");
        let o = d.obj(t, &p)?;
        d.keys(o, &p, &["Days", "AccessTier"])?;
        let ap = join(&p, "AccessTier");
        tierings.push(Tiering {
            days: d.u32(d.required(o, &p, "Days")?, &join(&p, "Days"))?,
            access_tier: d
                .string(d.required(o, &p, "AccessTier")?, &ap)?
                .parse()
                .map_err(|e: String| d.err(&ap, e))?,
        });
    }
    Ok(IntelligentTieringConfiguration {
        id,
        filter,
        status,
        tierings,
    })
}

fn absent() -> Filter {
    Filter {
        form: FilterForm::Absent,
        ..Filter::default()
    }
}

/// Parses an `IntelligentTieringConfiguration` XML document.
pub fn parse_intelligent_tiering_xml(
    file: &str,
    text: &str,
) -> Result<IntelligentTieringConfiguration, LifecycleError> {
    let root = parse_tree(file, text)?;
    let x = XmlDoc { file };
    let path = root.name.as_str();
    if root.name != "IntelligentTieringConfiguration" {
        return Err(x.err(
            &root,
            path,
            format!(
                "the root element is <{}>; expected <IntelligentTieringConfiguration>",
                root.name
            ),
        ));
    }
    x.structure(&root, path, &["Id", "Filter", "Status", "Tiering"])?;
    let id = x
        .text(x.required(&root, path, "Id")?, &format!("{path}.Id"))?
        .to_string();
    let status = x.status(&root, path)?;
    let filter = match x.once(&root, path, "Filter")? {
        Some(f) => x.filter(f, &format!("{path}.Filter"), false)?,
        None => absent(),
    };
    let tierings = root
        .children
        .iter()
        .filter(|c| c.name == "Tiering")
        .enumerate()
        .map(|(i, t)| tiering_xml(&x, t, &format!("{path}.Tiering[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(IntelligentTieringConfiguration {
        id,
        filter,
        status,
        tierings,
    })
}

fn tiering_xml(x: &XmlDoc<'_>, el: &Element, path: &str) -> Result<Tiering, LifecycleError> {
    x.structure(el, path, &["Days", "AccessTier"])?;
    let days = x.u32(x.required(el, path, "Days")?, &format!("{path}.Days"))?;
    let a = x.required(el, path, "AccessTier")?;
    let ap = format!("{path}.AccessTier");
    let access_tier = x
        .text(a, &ap)?
        .trim()
        .parse()
        .map_err(|e: String| x.err(a, &ap, e))?;
    Ok(Tiering { days, access_tier })
}

/// Detects JSON or XML and parses Intelligent-Tiering configurations.
pub fn parse_intelligent_tiering(
    file: &str,
    text: &str,
) -> Result<Vec<IntelligentTieringConfiguration>, LifecycleError> {
    match super::detect(file, text)? {
        super::Format::Json => parse_intelligent_tiering_json(file, text),
        super::Format::Xml => Ok(vec![parse_intelligent_tiering_xml(file, text)?]),
    }
}

/// Checks one configuration: at least one tiering, each access tier once, days within the
/// tier's range (§2.4), and text XML can carry. Messages quote the configuration `Id`.
pub fn validate_intelligent_tiering(cfg: &IntelligentTieringConfiguration) -> Vec<ValidationError> {
    let mut out = Vec::new();
    let mut push = |kind, message: String| {
        out.push(ValidationError {
            rule_index: None,
            rule_id: Some(cfg.id.clone()),
            kind,
            message,
        })
    };
    for why in super::validate::not_xml_text("the Id", &cfg.id)
        .into_iter()
        .chain(super::validate::xml_texts(&cfg.filter))
    {
        push(ValidationKind::NotXmlText, why);
    }
    if cfg.tierings.is_empty() {
        push(
            ValidationKind::TieringShape,
            "Tierings is empty; give ARCHIVE_ACCESS and/or DEEP_ARCHIVE_ACCESS".into(),
        );
    }
    let mut seen = HashSet::new();
    for t in &cfg.tierings {
        if !seen.insert(t.access_tier) {
            push(
                ValidationKind::TieringShape,
                format!("{} appears twice in Tierings", t.access_tier),
            );
        }
        let range = t.access_tier.days_range();
        if !range.contains(&t.days) {
            push(
                ValidationKind::TieringDays,
                format!(
                    "{} after {} days: the tier takes {} to {} days (§2.4)",
                    t.access_tier,
                    t.days,
                    range.start(),
                    range.end()
                ),
            );
        }
    }
    out
}

/// The configuration as pretty JSON in the `put-bucket-intelligent-tiering-configuration`
/// shape (Id, Filter, Status, Tierings).
pub fn intelligent_tiering_to_json(cfg: &IntelligentTieringConfiguration) -> String {
    let mut m = Map::new();
    m.insert("Id".into(), Value::from(cfg.id.as_str()));
    if cfg.filter.written_form() != FilterForm::Absent {
        m.insert("Filter".into(), filter_json(&cfg.filter));
    }
    m.insert("Status".into(), Value::from(cfg.status.as_str()));
    let tierings = cfg
        .tierings
        .iter()
        .map(|t| {
            let mut o = Map::new();
            o.insert("Days".into(), Value::from(t.days));
            o.insert("AccessTier".into(), Value::from(t.access_tier.as_str()));
            Value::Object(o)
        })
        .collect();
    m.insert("Tierings".into(), Value::Array(tierings));
    pretty(&Value::Object(m))
}

/// The configuration as an `IntelligentTieringConfiguration` XML document.
pub fn intelligent_tiering_to_xml(cfg: &IntelligentTieringConfiguration) -> String {
    let mut x = XmlOut::new();
    x.open_root("IntelligentTieringConfiguration");
    x.leaf("Id", &cfg.id);
    if cfg.filter.written_form() != FilterForm::Absent {
        x.filter(&cfg.filter);
    }
    x.leaf("Status", cfg.status.as_str());
    for t in &cfg.tierings {
        x.open("Tiering");
        x.leaf("AccessTier", t.access_tier.as_str());
        x.leaf("Days", &t.days.to_string());
        x.close("Tiering");
    }
    x.close("IntelligentTieringConfiguration");
    x.s
}
