//! The workload spec (TOML, `docs/generator.md`): read with costlab's spanned reader so every
//! error names file:line:key, checked for ranges, and resolved into plain `f64`/`u64` values
//! (the generator samples floats; no money crosses this boundary).

use crate::aws::StorageClass;
use crate::tomlx::{Doc, Found, SpanError, Tbl};
use crate::units::Timestamp;
use crate::units::time::SECONDS_PER_DAY;
use rust_decimal::prelude::ToPrimitive;
use toml_edit::Value;

/// The longest period a spec may cover (ten years).
pub const MAX_DAYS: i64 = 3660;
/// The largest single object S3 stores (5 TiB).
pub const MAX_OBJECT_BYTES: u64 = 5 << 40;
/// The most parts a multipart upload may have.
pub const MAX_PARTS: u64 = 10_000;
/// The smallest part S3 accepts (except the last): 5 MiB.
pub const MIN_PART_BYTES: u64 = 5 << 20;
/// A bound on every per-day rate, to catch typos (ten million a day).
pub const MAX_RATE_PER_DAY: f64 = 1e7;

/// A whole spec, resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct Spec {
    /// The spec file's name as given (for messages).
    pub file: String,
    pub seed: u64,
    /// Inclusive start, UTC.
    pub start: Timestamp,
    /// Exclusive end, UTC.
    pub end: Timestamp,
    pub bucket: String,
    /// Canonical user id of the bucket owner (64 hex digits).
    pub owner: String,
    /// 12-digit AWS account of the requesters' roles.
    pub account_id: String,
    pub region: String,
    pub inventory: Option<InventorySpec>,
    pub prefixes: Vec<PrefixSpec>,
}

/// Objects that exist before `start`, delivered as one S3 Inventory report (CSV).
#[derive(Clone, Debug, PartialEq)]
pub struct InventorySpec {
    pub objects: u64,
    pub min_age_days: f64,
    pub max_age_days: f64,
    pub config_id: String,
    /// Directory under the output directory (and key prefix in the destination bucket).
    pub destination_prefix: String,
    pub destination_bucket: String,
    pub rows_per_file: u64,
}

/// Hour-of-day (UTC) and day-of-week (Monday first) weights, normalized to mean 1 each.
#[derive(Clone, Debug, PartialEq)]
pub struct CycleSpec {
    pub hourly: [f64; 24],
    pub daily: [f64; 7],
}

impl Default for CycleSpec {
    fn default() -> CycleSpec {
        CycleSpec {
            hourly: [1.0; 24],
            daily: [1.0; 7],
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum SizeDist {
    LogNormal { median_bytes: f64, sigma: f64 },
    Pareto { scale_bytes: f64, shape: f64 },
    Uniform { min_bytes: u64, max_bytes: u64 },
    Fixed { bytes: u64 },
}

/// How an object's read rate falls with its age `a` (days): the rate is proportional to
/// `f(a)`, scaled so that the expected reads in the first day are `reads_first_day`.
#[derive(Clone, Debug, PartialEq)]
pub enum ReadDecay {
    /// `f(a) = 1`.
    Constant,
    /// `f(a) = 2^(-a / half_life_days)`.
    Exponential { half_life_days: f64 },
    /// `f(a) = (1 + a)^(-exponent)`.
    PowerLaw { exponent: f64 },
}

/// An object's lifetime in days, from creation (or from `start` for pre-existing objects).
#[derive(Clone, Debug, PartialEq)]
pub enum Lifetime {
    Fixed { days: f64 },
    Uniform { min_days: f64, max_days: f64 },
    LogNormal { median_days: f64, sigma: f64 },
}

#[derive(Clone, Debug, PartialEq)]
pub enum DeleteModel {
    Never,
    /// Each day an object is deleted with this probability (a constant hazard).
    Daily {
        probability: f64,
    },
    After(Lifetime),
}

/// One piece of a key template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyPart {
    Text(String),
    /// `{date}`: creation date `YYYY-MM-DD`.
    Date,
    /// `{hour}`: creation hour `HH`.
    Hour,
    /// `{seq}`: the object's number within its prefix, 6 digits.
    Seq,
    /// `{uuid}`: a random UUID (v4 layout).
    Uuid,
    /// `{hex8}`: 8 random hex digits.
    Hex8,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PrefixSpec {
    pub name: String,
    pub objects_per_day: f64,
    pub key_template: Vec<KeyPart>,
    pub storage_class: StorageClass,
    pub size: SizeDist,
    pub reads_first_day: f64,
    pub read_decay: ReadDecay,
    pub zipf_s: f64,
    pub overwrites_per_day: f64,
    pub delete: DeleteModel,
    pub multipart_threshold_bytes: u64,
    pub part_size_bytes: u64,
    pub lists_per_day: f64,
    /// Share of reads that are ranged GETs (206) of `range_read_bytes`.
    pub range_read_fraction: f64,
    pub range_read_bytes: u64,
    pub cycles: CycleSpec,
    /// Share of the inventory's pre-existing objects (relative weight).
    pub existing_weight: f64,
}

const TOP_KEYS: &[&str] = &[
    "seed",
    "start",
    "end",
    "bucket",
    "owner",
    "account_id",
    "region",
    "diurnal",
    "weekly",
    "inventory",
    "prefix",
];

const PREFIX_KEYS: &[&str] = &[
    "name",
    "objects_per_day",
    "key_template",
    "storage_class",
    "size",
    "reads_first_day",
    "read_decay",
    "zipf_s",
    "overwrites_per_day",
    "delete",
    "multipart_threshold_bytes",
    "part_size_bytes",
    "lists_per_day",
    "range_read_fraction",
    "range_read_bytes",
    "diurnal",
    "weekly",
    "existing_weight",
];

/// The default key template after the prefix name.
pub const DEFAULT_KEY_TEMPLATE: &str = "dt={date}/part-{seq}-{uuid}";

impl Spec {
    /// Parses and checks a spec; errors are `file:line: key: message`.
    pub fn parse(file: &str, text: &str) -> Result<Spec, SpanError> {
        let doc = Doc::parse(file, text)?;
        let root = doc.root();
        root.only(TOP_KEYS)?;
        let seed = match root.get("seed") {
            None => return Err(missing(&root, "seed", "missing `seed = <whole number>`")),
            Some(f) => seed_of(&f)?,
        };
        let start = req_time(&root, "start")?;
        let end = req_time(&root, "end")?;
        if end <= start {
            return Err(root.err("end", "must be after `start` (end is exclusive)"));
        }
        if (end.0 - start.0) > MAX_DAYS * SECONDS_PER_DAY {
            return Err(root.err("end", format!("the period is longer than {MAX_DAYS} days")));
        }
        let bucket = root
            .string("bucket")?
            .ok_or_else(|| missing(&root, "bucket", "missing `bucket = \"name\"`"))?
            .to_string();
        if !valid_bucket(&bucket) {
            return Err(root.err(
                "bucket",
                "a bucket name is 3-63 characters of a-z, 0-9, `.` and `-`",
            ));
        }
        let owner = match root.string("owner")? {
            Some(o) => {
                if o.is_empty() || o.contains(char::is_whitespace) {
                    return Err(root.err("owner", "a canonical user id has no spaces"));
                }
                o.to_string()
            }
            None => default_owner(seed),
        };
        let account_id = match root.string("account_id")? {
            Some(a) if a.len() == 12 && a.bytes().all(|c| c.is_ascii_digit()) => a.to_string(),
            Some(_) => return Err(root.err("account_id", "an AWS account id is 12 digits")),
            None => "123456789012".to_string(),
        };
        let region = match root.string("region")? {
            // The same rule the access-log reader checks `source_region` by: logs written
            // with another would be rejected as malformed.
            Some(r) if crate::aws::Region::parse(r).is_ok() => r.to_string(),
            Some(_) => return Err(root.err("region", "a region looks like `us-east-1`")),
            None => "us-east-1".to_string(),
        };
        let global = cycles(&root, &CycleSpec::default())?;
        let inventory = match root.table("inventory")? {
            None => None,
            Some(t) => Some(inventory(&t, &bucket)?),
        };
        let tables = root.tables("prefix")?;
        if tables.is_empty() {
            return Err(missing(
                &root,
                "prefix",
                "no [[prefix]] sections: a spec has at least one prefix with its parameters",
            ));
        }
        if tables.len() > 1000 {
            return Err(root.err("prefix", "at most 1000 prefixes"));
        }
        let mut prefixes: Vec<PrefixSpec> = Vec::with_capacity(tables.len());
        for t in &tables {
            let p = prefix(t, &global)?;
            if prefixes.iter().any(|q| q.name == p.name) {
                return Err(t.err("name", format!("prefix {:?} is listed twice", p.name)));
            }
            // Nested prefixes could produce the same key from two prefixes unless both
            // templates draw a random UUID.
            let has_uuid = |q: &PrefixSpec| q.key_template.contains(&KeyPart::Uuid);
            if let Some(q) = prefixes.iter().find(|q| {
                (q.name.starts_with(&p.name) || p.name.starts_with(&q.name))
                    && !(has_uuid(q) && has_uuid(&p))
            }) {
                return Err(t.err(
                    "name",
                    format!(
                        "prefix {:?} nests with {:?}: give both key templates a {{uuid}} so \
                         their keys cannot collide",
                        p.name, q.name
                    ),
                ));
            }
            prefixes.push(p);
        }
        if let Some(inv) = &inventory
            && inv.objects > 0
            && prefixes.iter().all(|p| p.existing_weight == 0.0)
        {
            let t = root.table("inventory")?.unwrap_or_else(|| root.clone());
            return Err(t.err(
                "objects",
                "every prefix has existing_weight = 0 (or objects_per_day = 0), so no prefix \
                 can hold the pre-existing objects",
            ));
        }
        Ok(Spec {
            file: file.to_string(),
            seed,
            start,
            end,
            bucket,
            owner,
            account_id,
            region,
            inventory,
            prefixes,
        })
    }

    /// Days covered (may be fractional).
    pub fn days(&self) -> f64 {
        (self.end.0 - self.start.0) as f64 / SECONDS_PER_DAY as f64
    }
}

/// An error about a key that is absent from table `t`: named by its full path, at the table's
/// line.
fn missing(t: &Tbl<'_>, key: &str, message: impl Into<String>) -> SpanError {
    let mut e = t.err("", message);
    e.key = t.key_path(key);
    e
}

fn seed_of(f: &Found<'_>) -> Result<u64, SpanError> {
    match f.item.as_value() {
        Some(Value::Integer(i)) if *i.value() >= 0 => Ok(*i.value() as u64),
        Some(Value::String(s)) => s
            .value()
            .parse::<u64>()
            .map_err(|_| f.err("expected a whole number from 0 to 2^64-1")),
        _ => Err(f.err(format!(
            "expected a whole number from 0 to 2^64-1, got {}",
            f.type_name()
        ))),
    }
}

/// A canonical-id-shaped owner derived from the seed (64 hex digits).
pub fn default_owner(seed: u64) -> String {
    let mut s = String::with_capacity(64);
    let mut x = seed ^ 0x6f776e6572; // "owner"
    for _ in 0..4 {
        x = super::dist::splitmix64(x);
        s.push_str(&format!("{x:016x}"));
    }
    s
}

fn valid_bucket(b: &str) -> bool {
    (3..=63).contains(&b.len())
        && b.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'.' || c == b'-')
        && b.as_bytes()[0].is_ascii_alphanumeric()
        && b.as_bytes()[b.len() - 1].is_ascii_alphanumeric()
}

fn req_time(t: &Tbl<'_>, key: &str) -> Result<Timestamp, SpanError> {
    let f = t
        .get(key)
        .ok_or_else(|| missing(t, key, format!("missing `{key} = \"YYYY-MM-DD\"`")))?;
    let text = match f.item.as_value() {
        Some(Value::String(s)) => s.value().clone(),
        Some(Value::Datetime(d)) => d.value().to_string(),
        _ => {
            return Err(f.err(format!(
                "expected a date like \"2026-03-01\" or \"2026-03-01T00:00:00Z\", got {}",
                f.type_name()
            )));
        }
    };
    Timestamp::parse_rfc3339(&text).ok_or_else(|| {
        f.err(format!(
            "{text:?} is not a UTC date like \"2026-03-01\" or date-time like \
             \"2026-03-01T00:00:00Z\""
        ))
    })
}

/// A number as f64, finite, within [lo, hi].
fn num(t: &Tbl<'_>, key: &str, lo: f64, hi: f64) -> Result<Option<f64>, SpanError> {
    let Some(d) = t.decimal(key)? else {
        return Ok(None);
    };
    let v = d.to_f64().unwrap_or(f64::NAN);
    if !v.is_finite() || v < lo || v > hi {
        return Err(t.err(key, format!("must be between {lo} and {hi}, got {d}")));
    }
    Ok(Some(v))
}

fn req_num(t: &Tbl<'_>, key: &str, lo: f64, hi: f64, what: &str) -> Result<f64, SpanError> {
    num(t, key, lo, hi)?.ok_or_else(|| missing(t, key, format!("missing ({what})")))
}

/// A positive number (strictly above zero).
fn pos(t: &Tbl<'_>, key: &str, hi: f64, what: &str) -> Result<f64, SpanError> {
    let v = req_num(t, key, 0.0, hi, what)?;
    if v <= 0.0 {
        return Err(t.err(key, "must be greater than 0"));
    }
    Ok(v)
}

fn bytes(t: &Tbl<'_>, key: &str) -> Result<Option<u64>, SpanError> {
    let Some(d) = t.decimal(key)? else {
        return Ok(None);
    };
    if d.fract() != rust_decimal::Decimal::ZERO || d.is_sign_negative() {
        return Err(t.err(key, format!("expected a whole number of bytes, got {d}")));
    }
    match d.to_u64() {
        Some(v) if v <= MAX_OBJECT_BYTES => Ok(Some(v)),
        _ => Err(t.err(
            key,
            format!("must be at most {MAX_OBJECT_BYTES} bytes (5 TiB, S3's largest object)"),
        )),
    }
}

fn weights<const N: usize>(t: &Tbl<'_>, key: &str) -> Result<Option<[f64; N]>, SpanError> {
    let Some(f) = t.get(key) else {
        return Ok(None);
    };
    let Some(Value::Array(a)) = f.item.as_value() else {
        return Err(f.err(format!("expected an array of {N} numbers")));
    };
    if a.len() != N {
        return Err(f.err(format!("expected {N} weights, got {}", a.len())));
    }
    let mut out = [0.0; N];
    for (i, v) in a.iter().enumerate() {
        let x = match v {
            Value::Integer(n) => *n.value() as f64,
            Value::Float(x) => *x.value(),
            _ => return Err(f.err(format!("weight {} is not a number", i + 1))),
        };
        if !x.is_finite() || !(0.0..=1e6).contains(&x) {
            return Err(f.err(format!(
                "weight {} must be between 0 and 1000000, got {x}",
                i + 1
            )));
        }
        out[i] = x;
    }
    let sum: f64 = out.iter().sum();
    if sum <= 0.0 {
        return Err(f.err("at least one weight must be above 0"));
    }
    for x in &mut out {
        *x *= N as f64 / sum;
    }
    Ok(Some(out))
}

fn cycles(t: &Tbl<'_>, base: &CycleSpec) -> Result<CycleSpec, SpanError> {
    Ok(CycleSpec {
        hourly: weights::<24>(t, "diurnal")?.unwrap_or(base.hourly),
        daily: weights::<7>(t, "weekly")?.unwrap_or(base.daily),
    })
}

fn inventory(t: &Tbl<'_>, bucket: &str) -> Result<InventorySpec, SpanError> {
    t.only(&[
        "objects",
        "min_age_days",
        "max_age_days",
        "config_id",
        "destination_prefix",
        "destination_bucket",
        "rows_per_file",
    ])?;
    let objects = req_num(
        t,
        "objects",
        0.0,
        1e8,
        "how many objects exist before `start`",
    )?;
    if objects.fract() != 0.0 {
        return Err(t.err("objects", "expected a whole number"));
    }
    let min_age_days = num(t, "min_age_days", 0.0, 36600.0)?.unwrap_or(1.0);
    let max_age_days = num(t, "max_age_days", 0.0, 36600.0)?.unwrap_or(365.0);
    if max_age_days < min_age_days {
        return Err(t.err("max_age_days", "must be at least min_age_days"));
    }
    let name = |key: &str, default: String| -> Result<String, SpanError> {
        match t.string(key)? {
            None => Ok(default),
            Some(s)
                if !s.is_empty()
                    && s.bytes().all(|c| {
                        c.is_ascii_alphanumeric() || c == b'-' || c == b'_' || c == b'.'
                    })
                    && s != "."
                    && s != ".." =>
            {
                Ok(s.to_string())
            }
            Some(_) => Err(t.err(key, "use letters, digits, `-`, `_` and `.` only")),
        }
    };
    let rows = num(t, "rows_per_file", 1.0, 1e9)?.unwrap_or(1_000_000.0);
    Ok(InventorySpec {
        objects: objects as u64,
        min_age_days,
        max_age_days,
        config_id: name("config_id", "daily-inventory".into())?,
        destination_prefix: name("destination_prefix", "inventory".into())?,
        destination_bucket: name("destination_bucket", format!("{bucket}-inventory"))?,
        rows_per_file: rows as u64,
    })
}

fn prefix(t: &Tbl<'_>, global: &CycleSpec) -> Result<PrefixSpec, SpanError> {
    t.only(PREFIX_KEYS)?;
    let name = t
        .string("name")?
        .ok_or_else(|| t.err("", "a [[prefix]] needs `name = \"bronze/\"`"))?
        .to_string();
    if name.starts_with('/') || name.len() > 512 || name.contains(['\n', '\r', '{', '}']) {
        return Err(t.err(
            "name",
            "a key prefix does not start with `/`, has no braces or newlines, and is at most \
             512 bytes",
        ));
    }
    let objects_per_day = req_num(
        t,
        "objects_per_day",
        0.0,
        MAX_RATE_PER_DAY,
        "mean new objects per day",
    )?;
    let key_template = match t.string("key_template")? {
        None => parse_template(DEFAULT_KEY_TEMPLATE).unwrap_or_default(),
        Some(s) => parse_template(s).map_err(|m| t.err("key_template", m))?,
    };
    if !key_template
        .iter()
        .any(|p| matches!(p, KeyPart::Seq | KeyPart::Uuid))
    {
        return Err(t.err(
            "key_template",
            "needs {seq} or {uuid} so that every object gets its own key",
        ));
    }
    let storage_class = match t.string("storage_class")? {
        None => StorageClass::Standard,
        Some(s) => s
            .parse::<StorageClass>()
            .map_err(|e| t.err("storage_class", e))?,
    };
    let size_t = t.table("size")?.ok_or_else(|| {
        t.err(
            "",
            "missing `size = { dist = \"lognormal\", median_bytes = …, sigma = … }`",
        )
    })?;
    let size = size_dist(&size_t)?;
    let reads_first_day = num(t, "reads_first_day", 0.0, 1e6)?.unwrap_or(0.0);
    let read_decay = match t.table("read_decay")? {
        None => ReadDecay::Constant,
        Some(d) => decay(&d)?,
    };
    if reads_first_day > 0.0
        && matches!(
            storage_class,
            StorageClass::Glacier | StorageClass::DeepArchive
        )
    {
        return Err(t.err(
            "reads_first_day",
            format!(
                "{storage_class} objects cannot be read without a restore; set \
                 reads_first_day = 0 or choose a storage class readable at once"
            ),
        ));
    }
    let zipf_s = num(t, "zipf_s", 0.0, 5.0)?.unwrap_or(0.0);
    let overwrites_per_day = num(t, "overwrites_per_day", 0.0, 1000.0)?.unwrap_or(0.0);
    let delete = match t.table("delete")? {
        None => DeleteModel::Never,
        Some(d) => delete(&d)?,
    };
    let multipart_threshold_bytes = bytes(t, "multipart_threshold_bytes")?.unwrap_or(8 << 20);
    let part_size_bytes = bytes(t, "part_size_bytes")?.unwrap_or(8 << 20);
    if part_size_bytes < MIN_PART_BYTES {
        return Err(t.err(
            "part_size_bytes",
            format!("S3 parts are at least 5 MiB ({MIN_PART_BYTES} bytes)"),
        ));
    }
    let lists_per_day = num(t, "lists_per_day", 0.0, MAX_RATE_PER_DAY)?.unwrap_or(0.0);
    let range_read_fraction = num(t, "range_read_fraction", 0.0, 1.0)?.unwrap_or(0.0);
    let range_read_bytes = bytes(t, "range_read_bytes")?.unwrap_or(1 << 20);
    if range_read_bytes == 0 {
        return Err(t.err("range_read_bytes", "must be at least 1"));
    }
    let cycles = cycles(t, global)?;
    let existing_weight = num(t, "existing_weight", 0.0, 1e12)?.unwrap_or(objects_per_day);
    Ok(PrefixSpec {
        name,
        objects_per_day,
        key_template,
        storage_class,
        size,
        reads_first_day,
        read_decay,
        zipf_s,
        overwrites_per_day,
        delete,
        multipart_threshold_bytes,
        part_size_bytes,
        lists_per_day,
        range_read_fraction,
        range_read_bytes,
        cycles,
        existing_weight,
    })
}

fn kind<'a>(t: &Tbl<'a>, key: &str, choices: &[&str]) -> Result<&'a str, SpanError> {
    let k = t.string(key)?.ok_or_else(|| {
        t.err(
            "",
            format!("missing `{key}`; one of: {}", choices.join(", ")),
        )
    })?;
    if !choices.contains(&k) {
        return Err(t.err(key, format!("{k:?} is not one of: {}", choices.join(", "))));
    }
    Ok(k)
}

fn size_dist(t: &Tbl<'_>) -> Result<SizeDist, SpanError> {
    let max = MAX_OBJECT_BYTES as f64;
    match kind(t, "dist", &["lognormal", "pareto", "uniform", "fixed"])? {
        "lognormal" => {
            t.only(&["dist", "median_bytes", "sigma"])?;
            Ok(SizeDist::LogNormal {
                median_bytes: pos(t, "median_bytes", max, "the median object size in bytes")?,
                sigma: req_num(t, "sigma", 0.0, 10.0, "the standard deviation of ln(size)")?,
            })
        }
        "pareto" => {
            t.only(&["dist", "scale_bytes", "shape"])?;
            Ok(SizeDist::Pareto {
                scale_bytes: pos(t, "scale_bytes", max, "the smallest object size in bytes")?,
                shape: pos(t, "shape", 100.0, "the tail index α")?,
            })
        }
        "uniform" => {
            t.only(&["dist", "min_bytes", "max_bytes"])?;
            let lo = bytes(t, "min_bytes")?.ok_or_else(|| t.err("", "missing `min_bytes`"))?;
            let hi = bytes(t, "max_bytes")?.ok_or_else(|| t.err("", "missing `max_bytes`"))?;
            if hi < lo {
                return Err(t.err("max_bytes", "must be at least min_bytes"));
            }
            Ok(SizeDist::Uniform {
                min_bytes: lo,
                max_bytes: hi,
            })
        }
        _ => {
            t.only(&["dist", "bytes"])?;
            Ok(SizeDist::Fixed {
                bytes: bytes(t, "bytes")?.ok_or_else(|| t.err("", "missing `bytes`"))?,
            })
        }
    }
}

fn decay(t: &Tbl<'_>) -> Result<ReadDecay, SpanError> {
    match kind(t, "model", &["exponential", "power_law", "constant"])? {
        "exponential" => {
            t.only(&["model", "half_life_days"])?;
            Ok(ReadDecay::Exponential {
                half_life_days: pos(
                    t,
                    "half_life_days",
                    36600.0,
                    "days for the read rate to halve",
                )?,
            })
        }
        "power_law" => {
            t.only(&["model", "exponent"])?;
            Ok(ReadDecay::PowerLaw {
                exponent: req_num(t, "exponent", 0.0, 10.0, "k in (1 + age_days)^-k")?,
            })
        }
        _ => {
            t.only(&["model"])?;
            Ok(ReadDecay::Constant)
        }
    }
}

fn delete(t: &Tbl<'_>) -> Result<DeleteModel, SpanError> {
    match kind(t, "model", &["never", "daily", "after_days"])? {
        "never" => {
            t.only(&["model"])?;
            Ok(DeleteModel::Never)
        }
        "daily" => {
            t.only(&["model", "probability"])?;
            let p = req_num(
                t,
                "probability",
                0.0,
                1.0,
                "chance an object is deleted each day",
            )?;
            if p >= 1.0 {
                return Err(t.err("probability", "must be below 1"));
            }
            Ok(DeleteModel::Daily { probability: p })
        }
        _ => match kind(t, "dist", &["fixed", "uniform", "lognormal"])? {
            "fixed" => {
                t.only(&["model", "dist", "days"])?;
                Ok(DeleteModel::After(Lifetime::Fixed {
                    days: req_num(t, "days", 0.0, 36600.0, "the lifetime in days")?,
                }))
            }
            "uniform" => {
                t.only(&["model", "dist", "min_days", "max_days"])?;
                let lo = req_num(t, "min_days", 0.0, 36600.0, "the shortest lifetime")?;
                let hi = req_num(t, "max_days", 0.0, 36600.0, "the longest lifetime")?;
                if hi < lo {
                    return Err(t.err("max_days", "must be at least min_days"));
                }
                Ok(DeleteModel::After(Lifetime::Uniform {
                    min_days: lo,
                    max_days: hi,
                }))
            }
            _ => {
                t.only(&["model", "dist", "median_days", "sigma"])?;
                Ok(DeleteModel::After(Lifetime::LogNormal {
                    median_days: pos(t, "median_days", 36600.0, "the median lifetime")?,
                    sigma: req_num(t, "sigma", 0.0, 10.0, "the standard deviation of ln(days)")?,
                }))
            }
        },
    }
}

/// Parses `dt={date}/part-{seq}-{uuid}.parquet` into parts.
pub fn parse_template(s: &str) -> Result<Vec<KeyPart>, String> {
    if s.len() > 512 {
        return Err("a key template is at most 512 bytes".into());
    }
    if s.contains(['\n', '\r']) {
        return Err("a key template has no newlines".into());
    }
    let mut out = Vec::new();
    let mut text = String::new();
    let mut rest = s;
    while let Some(i) = rest.find(['{', '}']) {
        text.push_str(&rest[..i]);
        if rest.as_bytes()[i] == b'}' {
            return Err(format!(
                "a `}}` without `{{` at byte {}",
                s.len() - rest.len() + i
            ));
        }
        let after = &rest[i + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| "a `{` without its `}`".to_string())?;
        let part = match &after[..close] {
            "date" => KeyPart::Date,
            "hour" => KeyPart::Hour,
            "seq" => KeyPart::Seq,
            "uuid" => KeyPart::Uuid,
            "hex8" => KeyPart::Hex8,
            other => {
                return Err(format!(
                    "unknown placeholder {{{other}}}; use {{date}}, {{hour}}, {{seq}}, {{uuid}} \
                     or {{hex8}}"
                ));
            }
        };
        if !text.is_empty() {
            out.push(KeyPart::Text(std::mem::take(&mut text)));
        }
        out.push(part);
        rest = &after[close + 1..];
    }
    text.push_str(rest);
    if !text.is_empty() {
        out.push(KeyPart::Text(text));
    }
    Ok(out)
}
