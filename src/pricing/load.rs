//! Loading price books from TOML: the walk over tables, inheritance between region files,
//! validation with file:line:key errors, and the catalog of books by region.

use super::schema::{EntryKind, Unit, classify, suggest};
use super::{
    Confidence, Entry, Origin, PriceBook, PricePath, PricingError, Publication, TableMeta, Tier,
    Value,
};
use crate::aws::{Region, StorageClass, StorageTier};
use crate::rules::{BillingRules, ComputeRules, S3Rules};
use crate::tomlx::{Doc, Found, SpanError, Tbl};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The region files compiled into the binary, so an installed `costlab` prices without the
/// repository beside it. `COSTLAB_PRICING_DIR` or `--pricing FILE` take precedence.
const BUILTIN: &[(&str, &str)] = &[
    (
        "aws-us-east-1.toml",
        include_str!("../../pricing/aws-us-east-1.toml"),
    ),
    (
        "aws-us-west-2.toml",
        include_str!("../../pricing/aws-us-west-2.toml"),
    ),
    (
        "aws-eu-west-1.toml",
        include_str!("../../pricing/aws-eu-west-1.toml"),
    ),
];

const META_KEYS: &[&str] = &[
    "source",
    "effective_date",
    "confidence",
    "note",
    "offer",
    "version",
    "published",
    "url",
];
/// The longest part of a dotted pricing key (`reserved_3yr_partial_upfront`, an instance type
/// such as `u-24tb1.112xlarge`): anything longer is not a key of the schema.
pub const MAX_KEY_SEGMENT_CHARS: usize = 64;
const ROOT_KEYS: &[&str] = &[
    "schema_version",
    "region",
    "currency",
    "inherits",
    "source",
    "effective_date",
    "note",
    "s3",
    "transfer",
    "ec2",
    "emr",
    "emr_serverless",
    "glue",
    "lambda",
    "compute",
];

/// Where a pricing file comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum PricingSource {
    File(PathBuf),
    Builtin(&'static str),
    /// Text handed in directly (tests, fuzzing); it inherits from the built-in files.
    Text(String),
    /// AWS Price List offer files (a folder of them, or one file), imported on the fly for
    /// the region asked (`--pricing DIR`).
    Offers(PathBuf),
}

impl PricingSource {
    fn name(&self) -> String {
        match self {
            PricingSource::File(p) => p.display().to_string(),
            PricingSource::Builtin(n) => format!("pricing/{n} (built in)"),
            PricingSource::Text(n) => n.clone(),
            PricingSource::Offers(p) => format!("offer files {}", p.display()),
        }
    }

    fn read(&self) -> Result<String, PricingError> {
        match self {
            PricingSource::File(p) => {
                crate::trace::input::read_config(p).map_err(|e| PricingError::File {
                    file: p.display().to_string(),
                    message: match e {
                        crate::trace::input::ConfigReadError::Io(e) => {
                            format!("cannot read the pricing file: {e}")
                        }
                        other => other.to_string(),
                    },
                })
            }
            PricingSource::Builtin(n) => Ok(builtin(n).unwrap_or_default().to_string()),
            PricingSource::Text(n) => Err(PricingError::File {
                file: n.clone(),
                message: "text sources are read once, when given".into(),
            }),
            PricingSource::Offers(p) => Err(PricingError::File {
                file: p.display().to_string(),
                message: "offer files are imported for a region, not read as a book".into(),
            }),
        }
    }

    /// The file `name` next to this one, if it exists.
    fn sibling(&self, name: &str) -> Option<PricingSource> {
        match self {
            PricingSource::File(p) => {
                let p = p.parent().unwrap_or(Path::new(".")).join(name);
                p.exists().then_some(PricingSource::File(p))
            }
            PricingSource::Builtin(_) | PricingSource::Text(_) => builtin_source(name),
            PricingSource::Offers(_) => None,
        }
    }

    /// The file an `inherits = "name"` line means: beside this one, else the built-in copy.
    fn inherited(&self, name: &str) -> Option<PricingSource> {
        self.sibling(name).or_else(|| builtin_source(name))
    }
}

fn builtin(name: &str) -> Option<&'static str> {
    BUILTIN.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

fn builtin_source(name: &str) -> Option<PricingSource> {
    BUILTIN
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(n, _)| PricingSource::Builtin(n))
}

/// The file name of a region's book.
pub fn region_file_name(region: &Region) -> String {
    format!("aws-{region}.toml")
}

impl From<SpanError> for PricingError {
    fn from(e: SpanError) -> Self {
        PricingError::At {
            file: e.file,
            line: e.line,
            key: e.key,
            message: e.message,
        }
    }
}

/// One file's content before inheritance is resolved.
struct RawBook {
    file: String,
    region: Option<Region>,
    currency: Option<String>,
    source: Option<String>,
    effective_date: Option<String>,
    inherits: Option<(String, usize)>,
    tables: Vec<TableMeta>,
    entries: BTreeMap<PricePath, Entry>,
}

impl PriceBook {
    /// Loads a book and everything it inherits, and validates it.
    pub fn load(src: &PricingSource) -> Result<PriceBook, PricingError> {
        Self::load_chain(src.clone(), src.read()?)
    }

    /// Imports the offer files of `input` (a folder or one file) for `region` into a book
    /// (the same book `costlab pricing import` writes), without writing it.
    pub fn from_offer_files(input: &Path, region: &Region) -> Result<PriceBook, PricingError> {
        let name = format!("offer files {} ({region})", input.display());
        let err = |e: super::offers::OfferError| PricingError::File {
            file: name.clone(),
            message: e.to_string(),
        };
        let files = super::offers::offer_files(&[input.to_path_buf()]).map_err(err)?;
        let imp = super::offers::import_files(&files, region).map_err(err)?;
        let rules = PriceBook::load(&PricingSource::Builtin("aws-us-east-1.toml"))?;
        let text = super::offers::book::to_toml(&imp, &rules).map_err(err)?;
        let mut book = Self::load_chain(PricingSource::Text(name.clone()), text)?;
        book.files = files.iter().map(|f| f.display().to_string()).collect();
        Ok(book)
    }

    /// Parses a book from text named `name`; `inherits` resolves to the built-in files.
    pub fn from_text(name: &str, text: &str) -> Result<PriceBook, PricingError> {
        Self::load_chain(PricingSource::Text(name.to_string()), text.to_string())
    }

    fn load_chain(src: PricingSource, first_text: String) -> Result<PriceBook, PricingError> {
        let mut chain: Vec<RawBook> = Vec::new();
        let mut cur = src;
        let mut text = Some(first_text);
        loop {
            let body = match text.take() {
                Some(t) => t,
                None => cur.read()?,
            };
            let raw = parse_raw(&cur.name(), &body)?;
            if chain.iter().any(|r| r.file == raw.file) || chain.len() > 8 {
                return Err(PricingError::File {
                    file: raw.file,
                    message: "inheritance cycle (a file inherits itself)".into(),
                });
            }
            let next = match &raw.inherits {
                None => None,
                Some((name, line)) => {
                    Some(cur.inherited(name).ok_or_else(|| PricingError::At {
                        file: raw.file.clone(),
                        line: *line,
                        key: "inherits".into(),
                        message: format!("no pricing file {name:?} beside this one to inherit"),
                    })?)
                }
            };
            chain.push(raw);
            match next {
                Some(n) => cur = n,
                None => break,
            }
        }
        merge(chain)
    }
}

fn merge(chain: Vec<RawBook>) -> Result<PriceBook, PricingError> {
    let files: Vec<String> = chain.iter().map(|r| r.file.clone()).collect();
    let first_file = files[0].clone();
    let mut tables = Vec::new();
    let mut entries = BTreeMap::new();
    let book_region = chain.iter().find_map(|r| r.region.clone());
    let (mut region, mut currency, mut source, mut date) = (None, None, None, None);
    // Base first, so the inheriting file overrides.
    for raw in chain.into_iter().rev() {
        let offset = tables.len();
        // A value inherited from another region's file is a stand-in for this region.
        let foreign = match (&raw.region, &book_region) {
            (Some(r), Some(b)) if r != b => Some(r.clone()),
            _ => None,
        };
        tables.extend(raw.tables);
        for (p, mut e) in raw.entries {
            e.table += offset;
            if let (Some(from), Some(to)) = (&foreign, &book_region) {
                e.confidence = Confidence::Unconfirmed;
                e.note = Some(format!(
                    "inherited from {} ({from}); not confirmed for {to}",
                    e.origin.file
                ));
            }
            entries.insert(p, e);
        }
        region = raw.region.or(region);
        currency = raw.currency.or(currency);
        source = raw.source.or(source);
        date = raw.effective_date.or(date);
    }
    let missing = |what: &str| PricingError::File {
        file: first_file.clone(),
        message: format!("the book has no `{what}` (set it at the top of the file)"),
    };
    let region = region.ok_or_else(|| missing("region"))?;
    let currency = currency.ok_or_else(|| missing("currency"))?;
    if currency != "USD" {
        return Err(PricingError::File {
            file: first_file,
            message: format!("currency {currency:?} is not supported; prices are in USD"),
        });
    }
    let rules = extract_rules(&entries, &first_file)?;
    Ok(PriceBook {
        region,
        currency,
        source: source.ok_or_else(|| missing("source"))?,
        effective_date: date.ok_or_else(|| missing("effective_date"))?,
        files,
        tables,
        entries,
        rules,
    })
}

fn parse_raw(file: &str, text: &str) -> Result<RawBook, PricingError> {
    let doc = Doc::parse(file, text)?;
    let root = doc.root();
    root.only(ROOT_KEYS)?;
    if let Some(v) = root.integer("schema_version")?
        && v != 1
    {
        return Err(root
            .err("schema_version", "this costlab reads schema_version 1")
            .into());
    }
    let region = match root.string("region")? {
        Some(r) => Some(Region::parse(r).map_err(|m| root.err("region", m))?),
        None => None,
    };
    let effective_date = root.string("effective_date")?.map(str::to_string);
    if let Some(d) = &effective_date {
        check_date(d).map_err(|m| root.err("effective_date", m))?;
    }
    let inherits = root
        .string("inherits")?
        .map(|s| (s.to_string(), root.key_line("inherits").unwrap_or(1)));
    let mut raw = RawBook {
        file: file.to_string(),
        region,
        currency: root.string("currency")?.map(str::to_string),
        source: root.string("source")?.map(str::to_string),
        effective_date,
        inherits,
        tables: Vec::new(),
        entries: BTreeMap::new(),
    };
    for key in root.keys() {
        if [
            "s3",
            "transfer",
            "ec2",
            "emr",
            "emr_serverless",
            "glue",
            "lambda",
            "compute",
        ]
        .contains(&key)
        {
            let f = root.get(key).ok_or_else(|| root.err(key, "missing"))?;
            let t = f.as_table()?;
            walk(&t, vec![key.to_string()], None, &mut raw)?;
        }
    }
    Ok(raw)
}

fn check_date(d: &str) -> Result<(), String> {
    let parts: Vec<&str> = d.split('-').collect();
    let ok = !parts.is_empty()
        && parts.len() <= 3
        && parts[0].len() == 4
        && parts[1..].iter().all(|p| p.len() == 2)
        && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit()));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "effective_date must be YYYY, YYYY-MM or YYYY-MM-DD, got {d:?}"
        ))
    }
}

fn walk(
    t: &Tbl<'_>,
    segs: Vec<String>,
    meta: Option<usize>,
    raw: &mut RawBook,
) -> Result<(), PricingError> {
    let mut meta = meta;
    let is_meta_table = t.get("source").is_some();
    if is_meta_table {
        let source = t.string("source")?.unwrap_or_default().trim().to_string();
        if source.is_empty() {
            return Err(t
                .err("source", "must name where the prices come from")
                .into());
        }
        let effective_date = t
            .string("effective_date")?
            .ok_or_else(|| t.err("", "a table with `source` needs `effective_date` too"))?
            .to_string();
        check_date(&effective_date).map_err(|m| t.err("effective_date", m))?;
        let publication = match (t.string("offer")?, t.string("version")?) {
            (Some(offer), Some(version)) => Some(Publication {
                offer: offer.to_string(),
                version: version.to_string(),
                published: t.string("published")?.unwrap_or_default().to_string(),
                url: t.string("url")?.unwrap_or_default().to_string(),
            }),
            (None, None) if t.get("published").is_none() && t.get("url").is_none() => None,
            _ => {
                return Err(t
                    .err(
                        "",
                        "a table that names its offer file needs both `offer` and `version`",
                    )
                    .into());
            }
        };
        raw.tables.push(TableMeta {
            path: t.path().to_string(),
            source,
            effective_date,
            confidence: confidence(t)?.unwrap_or(Confidence::Confirmed),
            note: t.string("note")?.map(str::to_string),
            publication,
        });
        meta = Some(raw.tables.len() - 1);
    }
    for key in t.keys() {
        if is_meta_table && META_KEYS.contains(&key) {
            continue;
        }
        let n = key.chars().count();
        if n > MAX_KEY_SEGMENT_CHARS {
            return Err(t
                .err(
                    key,
                    format!(
                        "a key of {n} characters; pricing keys have at most \
                         {MAX_KEY_SEGMENT_CHARS} characters per dotted part (docs/pricing-file.md)"
                    ),
                )
                .into());
        }
        let f = t.get(key).ok_or_else(|| t.err(key, "missing"))?;
        let mut path = segs.clone();
        path.push(key.to_string());
        let is_entry_table = f.is_table() && {
            let sub = f.as_table()?;
            sub.get("usd").is_some() || sub.get("tiers").is_some() || sub.get("value").is_some()
        };
        if f.is_table() && !is_entry_table {
            walk(&f.as_table()?, path, meta, raw)?;
            continue;
        }
        let path = PricePath(path);
        let kind = classify(&path).ok_or_else(|| {
            let hint = suggest(&path)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            f.err(format!(
                "unknown pricing key `{}`{hint}",
                crate::tomlx::shorten(&path.to_string())
            ))
        })?;
        let table = meta.ok_or_else(|| {
            f.err("no `source` for this value: put it in a table that has `source` and `effective_date`")
        })?;
        let entry = read_entry(&f, kind, table, raw)?;
        raw.entries.insert(path, entry);
    }
    Ok(())
}

fn confidence(t: &Tbl<'_>) -> Result<Option<Confidence>, SpanError> {
    match t.string("confidence")? {
        None => Ok(None),
        Some(s) => Confidence::parse(s).map(Some).ok_or_else(|| {
            t.err(
                "confidence",
                "must be confirmed, derived, secondary or unconfirmed",
            )
        }),
    }
}

fn read_entry(
    f: &Found<'_>,
    kind: EntryKind,
    table: usize,
    raw: &RawBook,
) -> Result<Entry, PricingError> {
    let table_conf = raw.tables[table].confidence;
    let origin = Origin {
        file: raw.file.clone(),
        line: f.line(),
    };
    let mut entry = Entry {
        value: Value::Flat(Decimal::ZERO),
        free_allowance: None,
        confidence: table_conf,
        note: None,
        table,
        origin,
    };
    let (tiered, is_fact, unit) = match kind {
        EntryKind::Price { tiered, unit, .. } => (tiered, false, unit),
        EntryKind::Fact { unit } => (false, true, unit),
    };
    let value_key = if is_fact { "value" } else { "usd" };
    if f.is_table() {
        let t = f.as_table()?;
        let mut allowed = vec![value_key, "confidence", "note"];
        if tiered {
            allowed.extend(["tiers", "free_allowance"]);
        }
        t.only(&allowed)?;
        if let Some(c) = confidence(&t)? {
            entry.confidence = c;
        }
        entry.note = t.string("note")?.map(str::to_string);
        entry.free_allowance = t.non_negative("free_allowance")?;
        entry.value = match (t.get(value_key), t.get("tiers")) {
            (Some(v), None) => scalar(&v, is_fact, unit)?,
            (None, Some(tiers)) => Value::Tiers(read_tiers(&tiers)?),
            _ => {
                return Err(t
                    .err("", format!("give exactly one of `{value_key}` or `tiers`"))
                    .into());
            }
        };
    } else if f.is_array() {
        if !tiered {
            return Err(f
                .err("this price has no volume bands; give a single number")
                .into());
        }
        entry.value = Value::Tiers(read_tiers(f)?);
    } else {
        entry.value = scalar(f, is_fact, unit)?;
    }
    Ok(entry)
}

fn scalar(f: &Found<'_>, is_fact: bool, unit: Unit) -> Result<Value, PricingError> {
    if unit == Unit::Flag {
        return Ok(Value::Bool(f.as_bool()?));
    }
    let v = f.as_decimal()?;
    if v.is_sign_negative() && !v.is_zero() {
        let what = if is_fact { "value" } else { "price" };
        return Err(f
            .err(format!("a {what} must not be negative, got {v}"))
            .into());
    }
    match unit {
        Unit::Percent if v > Decimal::from(100) => Err(f
            .err(format!("a percentage must be at most 100, got {v}"))
            .into()),
        Unit::Bucket if v > Decimal::from(4) || !v.fract().is_zero() => Err(f
            .err(format!(
                "an interruption bucket is 0..=4 (<5% .. >20%), got {v}"
            ))
            .into()),
        _ if !is_fact && v > crate::units::MAX_USD => Err(f.err(too_dear(v)).into()),
        _ => Ok(Value::Flat(v)),
    }
}

/// A price above the most a whole bill may cost (`units::MAX_USD`) is a typo.
fn too_dear(v: Decimal) -> String {
    format!("a price of {v} USD is above 10^15, the most a bill may reach: check the value")
}

fn read_tiers(f: &Found<'_>) -> Result<Vec<Tier>, PricingError> {
    let rows = f.as_tables()?;
    if rows.is_empty() {
        return Err(f.err("needs at least one band").into());
    }
    let mut tiers = Vec::new();
    let mut prev = Decimal::ZERO;
    let n = rows.len();
    for (i, row) in rows.iter().enumerate() {
        row.only(&["up_to", "usd"])?;
        let usd = row
            .decimal("usd")?
            .ok_or_else(|| row.err("", "a band needs `usd`"))?;
        if usd.is_sign_negative() && !usd.is_zero() {
            return Err(row
                .err("usd", format!("a price must not be negative, got {usd}"))
                .into());
        }
        if usd > crate::units::MAX_USD {
            return Err(row.err("usd", too_dear(usd)).into());
        }
        let up_to = row.decimal("up_to")?;
        match (up_to, i + 1 == n) {
            (Some(u), false) => {
                if u <= prev {
                    return Err(row
                        .err(
                            "up_to",
                            format!("bands out of order: up_to {u} is not above {prev}"),
                        )
                        .into());
                }
                prev = u;
            }
            (None, false) => {
                return Err(row.err("", "only the last band may omit `up_to`").into());
            }
            (Some(_), true) => {
                return Err(row
                    .err(
                        "up_to",
                        "the last band must omit `up_to` (it covers everything beyond)",
                    )
                    .into());
            }
            (None, true) => {}
        }
        tiers.push(Tier { up_to, usd });
    }
    Ok(tiers)
}

fn extract_rules(
    entries: &BTreeMap<PricePath, Entry>,
    file: &str,
) -> Result<BillingRules, PricingError> {
    let num = |segs: &[&str]| -> Result<u64, PricingError> {
        let p = PricePath::new(segs.iter().copied());
        match entries.get(&p).map(|e| &e.value) {
            Some(Value::Flat(v)) if v.fract().is_zero() && v.to_u64().is_some() => {
                Ok(v.to_u64().unwrap_or_default())
            }
            Some(_) => Err(PricingError::File {
                file: file.to_string(),
                message: format!("rule `{p}` must be a whole number"),
            }),
            None => Err(PricingError::File {
                file: file.to_string(),
                message: format!("the book has no rule `{p}`; add it"),
            }),
        }
    };
    let mut s3 = S3Rules {
        minimum_storage_days: BTreeMap::new(),
        minimum_billable_bytes: BTreeMap::new(),
        archive_overhead_standard_bytes: num(&["s3", "rules", "archive_overhead_standard_bytes"])?,
        archive_overhead_archive_bytes: num(&["s3", "rules", "archive_overhead_archive_bytes"])?,
        archive_overhead_tiers: Vec::new(),
        it_monitoring_min_bytes: num(&["s3", "rules", "intelligent_tiering_monitoring_min_bytes"])?,
        it_infrequent_after_days: num(&[
            "s3",
            "rules",
            "intelligent_tiering_infrequent_after_days",
        ])?,
        it_archive_instant_after_days: num(&[
            "s3",
            "rules",
            "intelligent_tiering_archive_instant_after_days",
        ])?,
        lifecycle_transition_min_bytes: num(&["s3", "rules", "lifecycle_transition_min_bytes"])?,
    };
    // Every class a rule names must have a storage price: the rule bills at that price.
    let needs_price = |tier: StorageTier, rule: &PricePath| -> Result<(), PricingError> {
        let price = super::PriceKey::Storage(tier).path();
        if entries.contains_key(&price) {
            return Ok(());
        }
        let origin = &entries[rule].origin;
        Err(PricingError::At {
            file: origin.file.clone(),
            line: origin.line,
            key: rule.to_string(),
            message: format!("the rule bills at `{price}`, which has no price in the book"),
        })
    };
    for (path, e) in entries {
        let segs: Vec<&str> = path.0.iter().map(String::as_str).collect();
        match segs.as_slice() {
            [
                "s3",
                "rules",
                which @ ("minimum_storage_days" | "minimum_billable_bytes"),
                class,
            ] => {
                let class: StorageClass =
                    class.parse().map_err(|m: String| PricingError::File {
                        file: file.to_string(),
                        message: m,
                    })?;
                let v = num(&segs)?;
                if class != StorageClass::IntelligentTiering {
                    needs_price(StorageTier::Class(class), path)?;
                }
                let _ = e;
                if *which == "minimum_storage_days" {
                    s3.minimum_storage_days.insert(class, v);
                } else {
                    s3.minimum_billable_bytes.insert(class, v);
                }
            }
            ["s3", "rules", "archive_overhead", rest @ ..] => {
                if matches!(e.value, Value::Bool(true)) {
                    let tier: StorageTier =
                        rest.join(".")
                            .parse()
                            .map_err(|m: String| PricingError::File {
                                file: file.to_string(),
                                message: m,
                            })?;
                    needs_price(tier, path)?;
                    needs_price(StorageTier::Class(StorageClass::Standard), path)?;
                    s3.archive_overhead_tiers.push(tier);
                }
            }
            _ => {}
        }
    }
    let compute = ComputeRules {
        ec2_minimum_seconds: num(&["compute", "rules", "ec2_minimum_seconds"])?,
        emr_minimum_seconds: num(&["compute", "rules", "emr_minimum_seconds"])?,
        glue_minimum_seconds: num(&["compute", "rules", "glue_minimum_seconds"])?,
        lambda_duration_rounding_ms: num(&["compute", "rules", "lambda_duration_rounding_ms"])?,
    };
    Ok(BillingRules { s3, compute })
}

/// The price books a rating needs, by region: the home book and any it reaches (replication
/// destinations, usage in other regions).
#[derive(Debug)]
pub struct Catalog {
    home: Region,
    origin: PricingSource,
    books: BTreeMap<Region, PriceBook>,
}

impl Catalog {
    /// Opens the home book: `--pricing FILE` if given, else the region's file from
    /// `COSTLAB_PRICING_DIR`, else the built-in copy.
    pub fn open(file: Option<&Path>, region: Option<&str>) -> Result<Catalog, PricingError> {
        let src = match (file, region) {
            (Some(f), r) if is_offer_input(f) => {
                let region =
                    Region::parse(r.unwrap_or("us-east-1")).map_err(|m| PricingError::File {
                        file: "--region".into(),
                        message: m,
                    })?;
                let book = PriceBook::from_offer_files(f, &region)?;
                let mut books = BTreeMap::new();
                books.insert(region.clone(), book);
                return Ok(Catalog {
                    home: region,
                    origin: PricingSource::Offers(f.to_path_buf()),
                    books,
                });
            }
            (Some(f), _) => PricingSource::File(f.to_path_buf()),
            (None, r) => {
                let region =
                    Region::parse(r.unwrap_or("us-east-1")).map_err(|m| PricingError::File {
                        file: "--region".into(),
                        message: m,
                    })?;
                locate(&region)?
            }
        };
        let book = PriceBook::load(&src)?;
        if let (Some(_), Some(r)) = (file, region)
            && book.region.as_str() != r
        {
            return Err(PricingError::File {
                file: src.name(),
                message: format!("this book is for {}, not --region {r}", book.region),
            });
        }
        let home = book.region.clone();
        let mut books = BTreeMap::new();
        books.insert(home.clone(), book);
        Ok(Catalog {
            home,
            origin: src,
            books,
        })
    }

    /// Makes sure `region`'s book is loaded: the file next to the home book, else the region's
    /// file from `COSTLAB_PRICING_DIR`, else the built-in copy.
    pub fn ensure(&mut self, region: &Region) -> Result<(), PricingError> {
        if self.books.contains_key(region) {
            return Ok(());
        }
        if let PricingSource::Offers(dir) = &self.origin
            && let Ok(book) = PriceBook::from_offer_files(dir, region)
        {
            self.books.insert(region.clone(), book);
            return Ok(());
        }
        let src = match self.origin.sibling(&region_file_name(region)) {
            Some(s) => s,
            None => locate(region)?,
        };
        let book = PriceBook::load(&src)?;
        if &book.region != region {
            return Err(PricingError::File {
                file: src.name(),
                message: format!("expected the {region} book, the file says {}", book.region),
            });
        }
        self.books.insert(region.clone(), book);
        Ok(())
    }

    pub fn home(&self) -> &PriceBook {
        &self.books[&self.home]
    }

    pub fn book(&self, region: &Region) -> Result<&PriceBook, PricingError> {
        self.books.get(region).ok_or_else(|| PricingError::File {
            file: region_file_name(region),
            message: format!("no price book loaded for {region}"),
        })
    }
}

/// Whether `--pricing` names offer files (a folder, or a `.json`/`.csv` file) rather than a
/// costlab book.
fn is_offer_input(p: &Path) -> bool {
    p.is_dir()
        || p.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("json") || e.eq_ignore_ascii_case("csv"))
}

fn locate(region: &Region) -> Result<PricingSource, PricingError> {
    let name = region_file_name(region);
    if let Some(dir) = std::env::var_os("COSTLAB_PRICING_DIR") {
        let p = PathBuf::from(dir).join(&name);
        if p.exists() {
            return Ok(PricingSource::File(p));
        }
    }
    match builtin_source(&name) {
        Some(s) => Ok(s),
        None => Err(PricingError::File {
            file: name,
            message: format!(
                "no price book for {region}: costlab has {}; pass --pricing FILE for another",
                BUILTIN
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }),
    }
}
