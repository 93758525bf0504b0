//! Usage shards: one machine's share of a simulation (objects whose key hashes to its shard),
//! written as integer meters and statistics so that `costlab merge` adds shards exactly — in any
//! order, to the same bytes as one whole run.

use super::accum::Accum;
use super::{ReplicationUsage, Stats};
use crate::aws::Region;
use crate::meter::Meter;
use crate::trace::ledger::Ledger;
use crate::units::{Month, Timestamp};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// What a shard read and replayed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ShardEvidence {
    /// Every source's lines: read, used, left out and skipped (as a whole run counts them,
    /// but for lines of other shards' keys, left out as such).
    pub ledger: Ledger,
    /// Objects replayed.
    pub objects: u64,
    /// Top-level prefix → (objects, reads, bytes of their latest version), every prefix.
    pub prefixes: BTreeMap<String, (u64, u64, u128)>,
}

/// One shard of a simulation.
#[derive(Clone, Debug, PartialEq)]
pub struct Shard {
    pub scenario: String,
    pub seed: u64,
    /// The run replayed a versioned bucket.
    pub versioning: bool,
    /// Where the logs' last week began repeating (`[evidence] repeat = "weekly"`).
    pub repeat_from: Option<Timestamp>,
    pub index: u64,
    pub count: u64,
    pub start: Timestamp,
    pub end: Timestamp,
    pub region: Region,
    /// (name, kind, meters, statistics) per policy.
    pub policies: Vec<(String, String, Accum, Stats)>,
    /// Replication usage per set of rules, with the policies (indices into `policies`; one past
    /// the last stands for a recommendation, never sharded) that run with it.
    pub replication: Vec<(Vec<usize>, ReplicationUsage)>,
    pub evidence: ShardEvidence,
    /// The scenario's policy in force today (`current`).
    pub current: Option<String>,
    /// The scenario's pricing file, if it names one (merge prices with it unless told
    /// otherwise).
    pub pricing: Option<String>,
    /// The scenario's compute section, priced whole (shard 1 only: compute is not split).
    pub compute: Option<Value>,
    /// The model of the future the run assumed (the same in every shard).
    pub future: Option<Value>,
}

fn accum_json(a: &Accum) -> Value {
    let rows = |m: &BTreeMap<(Month, Meter), u128>| -> Vec<Value> {
        m.iter()
            .map(|((mo, me), v)| json!([mo.to_string(), me.key(), v.to_string()]))
            .collect()
    };
    json!({"byte_seconds": rows(&a.byte_seconds()), "counts": rows(&a.counts())})
}

/// The largest meter a shard may hold per month and meter (byte-seconds or a count), and the
/// largest byte count: 2^96, some 10^10 EiB-months, far past any bucket. With at most
/// `MAX_SHARDS` shards, the merged sums stay far inside `u128` (every sum in `Shard::merge`
/// and the accumulators it calls is unchecked).
pub const MAX_METER: u128 = 1 << 96;
/// The largest counter a shard may hold (objects, requests, lines, restores): 2^47, about
/// 1.4 × 10^14; `MAX_SHARDS` of them add up to less than 2^63.
pub const MAX_COUNT: u64 = 1 << 47;
/// The most shards one run may be split into.
pub const MAX_SHARDS: u64 = 1 << 16;

fn bounded_meter(v: Option<u128>, what: &str) -> Result<u128, String> {
    v.filter(|v| *v <= MAX_METER).ok_or(format!(
        "{what} is larger than {MAX_METER}, more than any simulation meters: not a shard costlab wrote"
    ))
}

fn bounded_count(v: u64, what: &str) -> Result<u64, String> {
    if v <= MAX_COUNT {
        Ok(v)
    } else {
        Err(format!(
            "`{what}` = {v} is larger than {MAX_COUNT}, more than any simulation counts: not a shard costlab wrote"
        ))
    }
}

/// Checks a shard's evidence ledger against `MAX_COUNT`, count by count.
fn bounded_ledger(ledger: &Ledger) -> Result<(), String> {
    for (name, t) in &ledger.sources {
        let at = |k: &str| format!("evidence.ledger.{name}.{k}");
        bounded_count(t.read, &at("read"))?;
        bounded_count(t.used, &at("used"))?;
        bounded_count(t.skipped, &at("skipped"))?;
        for (k, v) in t.skip_reasons.iter().chain(&t.not_replayed) {
            bounded_count(*v, &at(k))?;
        }
        for f in &t.files {
            for v in [f.read, f.used, f.skipped] {
                bounded_count(v, &at("files"))?;
            }
        }
    }
    Ok(())
}

fn accum_from(v: &Value) -> Result<Accum, String> {
    let rows = |k: &str| -> Result<BTreeMap<(Month, Meter), u128>, String> {
        let mut out = BTreeMap::new();
        for row in v[k].as_array().ok_or(format!("`{k}` must be an array"))? {
            let (Some(m), Some(me), Some(n)) = (row[0].as_str(), row[1].as_str(), row[2].as_str())
            else {
                return Err(format!("a `{k}` row must be [month, meter, \"integer\"]"));
            };
            let n: u128 = n
                .parse()
                .map_err(|_| format!("{n:?} is not a whole number"))?;
            let slot: &mut u128 = out
                .entry((m.parse::<Month>()?, Meter::from_key(me)?))
                .or_insert(0);
            *slot = bounded_meter(slot.checked_add(n), &format!("a `{k}` row ({m}, {me})"))?;
        }
        Ok(out)
    };
    Ok(Accum::from_parts(rows("byte_seconds")?, rows("counts")?))
}

fn stats_json(s: &Stats) -> Value {
    let month_end = s.month_end();
    let mut v = json!({
        "bytes_at_month_end": month_end.bytes.iter().map(|(m, by)| (m.to_string(), by.iter().map(|(k, v)| (k.clone(), json!(v.to_string()))).collect::<Map<_, _>>().into())).collect::<Map<String, Value>>(),
        "transitions": s.transitions,
        "expirations": s.expirations,
        "early_delete_byte_seconds": s.early_delete_byte_seconds.to_string(),
        "restores": s.restores,
        "restore_wait_hours": s.restore_wait_hours,
        "max_restore_wait_hours": s.max_restore_wait_hours,
        "reads_by_class": s.reads_by_class,
        "reads_by_age": s.reads_by_age,
        "noncurrent_bytes_at_month_end": month_end.noncurrent.iter().map(|(m, v)| (m.to_string(), json!(v.to_string()))).collect::<Map<String, Value>>(),
        "delete_markers": s.delete_markers,
        "noncurrent_expirations": s.noncurrent_expirations,
        "version_deletes_unmodelled": s.version_deletes_unmodelled,
    });
    // Written only when there are some, so that files without them stay as they were.
    if s.reads_missing > 0
        && let Some(m) = v.as_object_mut()
    {
        m.insert("reads_missing".into(), json!(s.reads_missing));
    }
    v
}

fn stats_from(v: &Value) -> Result<Stats, String> {
    let u = |k: &str| {
        v[k].as_u64()
            .ok_or(format!("stats.{k} must be a whole number"))
            .and_then(|n| bounded_count(n, &format!("stats.{k}")))
    };
    let map_u64 = |k: &str| -> Result<BTreeMap<String, u64>, String> {
        let mut out = BTreeMap::new();
        for (name, n) in v[k]
            .as_object()
            .ok_or(format!("stats.{k} must be an object"))?
        {
            let n = n
                .as_u64()
                .ok_or(format!("stats.{k}.{name} must be a whole number"))?;
            out.insert(
                name.clone(),
                bounded_count(n, &format!("stats.{k}.{name}"))?,
            );
        }
        Ok(out)
    };
    let mut month_end = BTreeMap::new();
    for (m, by) in v["bytes_at_month_end"]
        .as_object()
        .ok_or("stats.bytes_at_month_end must be an object")?
    {
        let mut inner = BTreeMap::new();
        for (tier, n) in by
            .as_object()
            .ok_or("bytes_at_month_end entries must be objects")?
        {
            let n = n
                .as_str()
                .and_then(|s| s.parse().ok())
                .ok_or("byte counts are integer strings")?;
            inner.insert(
                tier.clone(),
                bounded_meter(Some(n), "a stats.bytes_at_month_end count")?,
            );
        }
        month_end.insert(m.parse::<Month>()?, inner);
    }
    // Versioning counters: absent from shards of unversioned runs by older costlab builds.
    let opt_u = |k: &str| match &v[k] {
        Value::Null => Ok(0),
        x => x
            .as_u64()
            .ok_or(format!("stats.{k} must be a whole number"))
            .and_then(|n| bounded_count(n, &format!("stats.{k}"))),
    };
    let mut noncurrent = BTreeMap::new();
    if let Some(by) = v["noncurrent_bytes_at_month_end"].as_object() {
        for (m, n) in by {
            let n = n
                .as_str()
                .and_then(|s| s.parse().ok())
                .ok_or("noncurrent byte counts are integer strings")?;
            noncurrent.insert(
                m.parse::<Month>()?,
                bounded_meter(Some(n), "a stats.noncurrent_bytes_at_month_end count")?,
            );
        }
    }
    let mut stats = Stats::default();
    stats.delete_markers = opt_u("delete_markers")?;
    stats.noncurrent_expirations = opt_u("noncurrent_expirations")?;
    stats.version_deletes_unmodelled = opt_u("version_deletes_unmodelled")?;
    stats.reads_missing = opt_u("reads_missing")?;
    stats.transitions = map_u64("transitions")?;
    stats.expirations = u("expirations")?;
    stats.early_delete_byte_seconds = bounded_meter(
        Some(
            v["early_delete_byte_seconds"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .ok_or("stats.early_delete_byte_seconds must be an integer string")?,
        ),
        "stats.early_delete_byte_seconds",
    )?;
    stats.restores = u("restores")?;
    stats.restore_wait_hours = u("restore_wait_hours")?;
    stats.max_restore_wait_hours = u("max_restore_wait_hours")?;
    stats.reads_by_class = map_u64("reads_by_class")?;
    stats.reads_by_age = {
        let mut a = [0u64; super::replay::AGE_BANDS_DAYS.len()];
        let given = v["reads_by_age"]
            .as_array()
            .filter(|x| x.len() == a.len())
            .ok_or(format!("stats.reads_by_age must list {} counts", a.len()))?;
        for (slot, n) in a.iter_mut().zip(given) {
            let n = n
                .as_u64()
                .ok_or("stats.reads_by_age entries must be whole numbers")?;
            *slot = bounded_count(n, "stats.reads_by_age")?;
        }
        a
    };
    stats.add_month_end(&month_end, &noncurrent);
    Ok(stats)
}

impl Shard {
    pub fn to_json(&self) -> Value {
        let e = &self.evidence;
        json!({
            "schema_version": 3,
            "kind": "costlab-usage-shard",
            "scenario": self.scenario,
            "seed": self.seed,
            "versioning": self.versioning,
            "repeat_weekly_from": self.repeat_from.map(|t| t.to_string()),
            "shard": {"index": self.index, "count": self.count},
            "horizon": {"start": self.start.to_string(), "end": self.end.to_string()},
            "region": self.region.as_str(),
            "evidence": {
                "ledger": serde_json::to_value(&e.ledger).unwrap_or(Value::Null),
                "objects": e.objects,
                "prefixes": e.prefixes.iter().map(|(p, (o, r, b))| (p.clone(), json!([o, r, b.to_string()]))).collect::<Map<String, Value>>(),
            },
            "current": self.current,
            "pricing": self.pricing,
            "compute": self.compute,
            "future": self.future,
            "policies": self.policies.iter().map(|(n, k, a, s)| json!({"name": n, "kind": k, "meters": accum_json(a), "stats": stats_json(s)})).collect::<Vec<_>>(),
            "replication": self.replication.iter().map(|(who, u)| json!({
                "policies": who,
                "source": accum_json(&u.source),
                "destinations": u.dests.iter().map(|(r, a)| json!({"region": r.as_str(), "meters": accum_json(a)})).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })
    }

    pub fn from_json(v: &Value) -> Result<Shard, String> {
        if v["kind"] != "costlab-usage-shard" || v["schema_version"] != 3 {
            return Err("not a costlab usage shard of this version (schema_version 3): write it again with this costlab's `costlab simulate … --shard I/N --format shard`".into());
        }
        let s = |p: &Value, what: &str| {
            p.as_str()
                .map(str::to_string)
                .ok_or(format!("`{what}` must be a string"))
        };
        let n =
            |p: &Value, what: &str| p.as_u64().ok_or(format!("`{what}` must be a whole number"));
        let t = |p: &Value, what: &str| {
            p.as_str()
                .and_then(Timestamp::parse_rfc3339)
                .ok_or(format!("`{what}` must be an RFC 3339 time"))
        };
        let ev = &v["evidence"];
        let count = n(&v["shard"]["count"], "shard.count")?;
        if count == 0 || count > MAX_SHARDS {
            return Err(format!(
                "`shard.count` = {count}: a run is split into 1 to {MAX_SHARDS} shards"
            ));
        }
        let mut policies = Vec::new();
        for p in v["policies"]
            .as_array()
            .ok_or("`policies` must be an array")?
        {
            policies.push((
                s(&p["name"], "policies[].name")?,
                s(&p["kind"], "policies[].kind")?,
                accum_from(&p["meters"])?,
                stats_from(&p["stats"])?,
            ));
        }
        let mut replication = Vec::new();
        for set in v["replication"]
            .as_array()
            .ok_or("`replication` must be an array of rule sets")?
        {
            let who = set["policies"]
                .as_array()
                .ok_or("`replication[].policies` must be an array")?
                .iter()
                .map(|i| {
                    i.as_u64()
                        .and_then(|i| usize::try_from(i).ok())
                        .filter(|i| *i <= policies.len())
                        .ok_or("`replication[].policies` must be indices of policies")
                })
                .collect::<Result<Vec<usize>, _>>()?;
            let mut dests = Vec::new();
            for d in set["destinations"]
                .as_array()
                .ok_or("`replication[].destinations` must be an array")?
            {
                dests.push((
                    Region::parse(&s(&d["region"], "replication[].destinations[].region")?)?,
                    accum_from(&d["meters"])?,
                ));
            }
            replication.push((
                who,
                ReplicationUsage {
                    source: accum_from(&set["source"])?,
                    dests,
                },
            ));
        }
        Ok(Shard {
            scenario: s(&v["scenario"], "scenario")?,
            seed: n(&v["seed"], "seed")?,
            versioning: match &v["versioning"] {
                Value::Null => false,
                b => b.as_bool().ok_or("`versioning` must be true or false")?,
            },
            repeat_from: match &v["repeat_weekly_from"] {
                Value::Null => None,
                p => Some(t(p, "repeat_weekly_from")?),
            },
            index: n(&v["shard"]["index"], "shard.index")?,
            count,
            start: t(&v["horizon"]["start"], "horizon.start")?,
            end: t(&v["horizon"]["end"], "horizon.end")?,
            region: Region::parse(&s(&v["region"], "region")?)?,
            policies,
            replication,
            evidence: ShardEvidence {
                ledger: {
                    let l: Ledger = serde_json::from_value(ev["ledger"].clone())
                        .map_err(|e| format!("`evidence.ledger`: {e}"))?;
                    bounded_ledger(&l)?;
                    l
                },
                objects: bounded_count(n(&ev["objects"], "evidence.objects")?, "evidence.objects")?,
                prefixes: {
                    let mut out = BTreeMap::new();
                    for (p, row) in ev["prefixes"]
                        .as_object()
                        .ok_or("`evidence.prefixes` must be an object")?
                    {
                        let bad = || {
                            format!("`evidence.prefixes.{p}` must be [objects, reads, \"bytes\"]")
                        };
                        let (Some(o), Some(r), Some(b)) = (
                            row[0].as_u64().filter(|n| *n <= MAX_COUNT),
                            row[1].as_u64().filter(|n| *n <= MAX_COUNT),
                            row[2]
                                .as_str()
                                .and_then(|b| b.parse::<u128>().ok())
                                .filter(|n| *n <= MAX_METER),
                        ) else {
                            return Err(format!(
                                "{} (objects and reads at most {MAX_COUNT}, bytes at most {MAX_METER})",
                                bad()
                            ));
                        };
                        out.insert(p.clone(), (o, r, b));
                    }
                    out
                },
            },
            current: match &v["current"] {
                Value::Null => None,
                c => Some(s(c, "current")?),
            },
            pricing: match &v["pricing"] {
                Value::Null => None,
                p => Some(s(p, "pricing")?),
            },
            compute: match &v["compute"] {
                Value::Null => None,
                c => Some(c.clone()),
            },
            future: match &v["future"] {
                Value::Null => None,
                c => Some(c.clone()),
            },
        })
    }

    /// Merges a complete set of shards (indices 1..=count, each once, same scenario, seed,
    /// horizon, region and policies) into one whole.
    pub fn merge(mut shards: Vec<Shard>) -> Result<Shard, String> {
        shards.sort_by_key(|s| s.index);
        let first = shards.first().ok_or("no shards to merge")?.clone();
        let names: Vec<&str> = first.policies.iter().map(|p| p.0.as_str()).collect();
        for (i, s) in shards.iter().enumerate() {
            let same = s.scenario == first.scenario
                && s.seed == first.seed
                && s.versioning == first.versioning
                && s.repeat_from == first.repeat_from
                && s.count == first.count
                && s.start == first.start
                && s.end == first.end
                && s.region == first.region
                && s.current == first.current
                && s.future == first.future
                && s.pricing == first.pricing
                && s.policies
                    .iter()
                    .map(|p| p.0.as_str())
                    .eq(names.iter().copied());
            if !same {
                return Err(format!(
                    "shard {}/{} is from another run (scenario, seed, versioning, weekly repeat, horizon, region, pricing, current policy, future model or policies differ)",
                    s.index, s.count
                ));
            }
            if s.index != i as u64 + 1 {
                return Err(format!(
                    "shards must be 1..={} each once; got {:?}",
                    first.count,
                    shards.iter().map(|s| s.index).collect::<Vec<_>>()
                ));
            }
        }
        if shards.len() as u64 != first.count {
            return Err(format!(
                "{} of {} shards given; a merge needs all of them",
                shards.len(),
                first.count
            ));
        }
        let mut whole = first;
        whole.index = 1;
        whole.count = 1;
        for s in shards.iter().skip(1) {
            for ((_, _, a, st), (_, _, b, t)) in whole.policies.iter_mut().zip(&s.policies) {
                a.merge(b);
                st.merge(t);
            }
            if s.replication.len() != whole.replication.len()
                || s.replication
                    .iter()
                    .zip(&whole.replication)
                    .any(|(a, b)| a.0 != b.0)
            {
                return Err(format!(
                    "shard {}/{} replicates for other policies than shard 1",
                    s.index, s.count
                ));
            }
            for ((_, a), (_, b)) in whole.replication.iter_mut().zip(&s.replication) {
                a.merge(b);
            }
            for (p, (o, r, b)) in &s.evidence.prefixes {
                let e = whole.evidence.prefixes.entry(p.clone()).or_default();
                e.0 += o;
                e.1 += r;
                e.2 += b;
            }
            whole.evidence.objects += s.evidence.objects;
            if s.compute.is_some() {
                return Err(format!(
                    "shard {}/{} carries the compute section, which only shard 1 carries",
                    s.index, s.count
                ));
            }
        }
        let ledgers: Vec<&Ledger> = shards.iter().map(|s| &s.evidence.ledger).collect();
        whole.evidence.ledger = Ledger::merge_shards(&ledgers)?;
        Ok(whole)
    }
}
