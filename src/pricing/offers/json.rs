//! The JSON offer-file reader, streaming: a hand-driven serde visitor walks the top-level
//! object and hands each product and each term to the [`Sink`] as soon as it is read, so no
//! more than one SKU's terms is held at a time (the EC2 file of a large region is hundreds of
//! MB). Both shapes are read: offer files (`products` and `terms.OnDemand` / `terms.Reserved`
//! maps keyed by SKU) and Savings Plans files (`products` and `terms.savingsPlan` arrays).
//! Unknown keys anywhere are skipped (`attributesList` inside `terms`, trap 2).

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::model::{Attrs, Dim, OfferMeta, Product, SpRate, Term, norm_key};
use super::{OfferError, Sink};

struct Ctx<'s> {
    sink: &'s mut dyn Sink,
    meta: OfferMeta,
    meta_sent: bool,
    /// Where the reader is, for errors.
    path: String,
    failed: Option<OfferError>,
}

impl Ctx<'_> {
    fn send_meta(&mut self) -> Result<(), OfferError> {
        if !self.meta_sent {
            self.meta_sent = true;
            let m = self.meta.clone();
            self.sink.meta(&m)?;
        }
        Ok(())
    }

    /// Runs a sink call; a failure is kept and the parse stopped with a marker error.
    fn call<E: de::Error>(
        &mut self,
        f: impl FnOnce(&mut dyn Sink) -> Result<(), OfferError>,
    ) -> Result<(), E> {
        let r = self.send_meta().and_then(|_| f(&mut *self.sink));
        r.map_err(|e| {
            self.failed = Some(e);
            E::custom("stopped by the importer")
        })
    }
}

/// Reads one JSON offer file from `r` into `sink`; `file` names it in errors.
pub fn read_json<R: Read>(file: &str, r: R, sink: &mut dyn Sink) -> Result<OfferMeta, OfferError> {
    let mut ctx = Ctx {
        sink,
        meta: OfferMeta {
            file: file.to_string(),
            ..OfferMeta::default()
        },
        meta_sent: false,
        path: "(top level)".into(),
        failed: None,
    };
    let mut de = serde_json::Deserializer::from_reader(r);
    let res = Top { ctx: &mut ctx }
        .deserialize(&mut de)
        .and_then(|_| de.end());
    if let Some(e) = ctx.failed.take() {
        return Err(e);
    }
    res.map_err(|e| OfferError::Json {
        file: file.to_string(),
        path: ctx.path.clone(),
        message: e.to_string(),
    })?;
    // A file with neither products nor terms still reports its header.
    ctx.send_meta()?;
    Ok(ctx.meta)
}

struct Top<'a, 's> {
    ctx: &'a mut Ctx<'s>,
}

impl<'de> DeserializeSeed<'de> for Top<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Top<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an offer file (a JSON object with `products` and `terms`)")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let ctx = self.ctx;
        while let Some(key) = map.next_key::<String>()? {
            ctx.path = key.clone();
            match key.as_str() {
                "products" => map.next_value_seed(Products { ctx: &mut *ctx })?,
                "terms" => map.next_value_seed(Terms { ctx: &mut *ctx })?,
                "offerCode" | "version" | "publicationDate" | "regionCode" => {
                    let v: Value = map.next_value()?;
                    let s = text(&v);
                    let slot = match key.as_str() {
                        "offerCode" => &mut ctx.meta.offer_code,
                        "version" => &mut ctx.meta.version,
                        "publicationDate" => &mut ctx.meta.published,
                        _ => &mut ctx.meta.region_code,
                    };
                    *slot = Some(s);
                }
                "regions" | "offers" => {
                    let v: Value = map.next_value()?;
                    let mut m = serde_json::Map::new();
                    m.insert(key.clone(), v);
                    ctx.meta.index = Some(Value::Object(m));
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// A JSON scalar as text: strings as they are, numbers as written (arbitrary precision).
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawProduct {
    #[serde(default)]
    sku: Option<String>,
    #[serde(default)]
    product_family: Option<String>,
    #[serde(default)]
    service_code: Option<String>,
    #[serde(default)]
    usage_type: Option<String>,
    #[serde(default)]
    operation: Option<String>,
    #[serde(default)]
    attributes: BTreeMap<String, Value>,
}

impl RawProduct {
    fn into_product(self, key_sku: Option<&str>, at: String) -> Product {
        let mut attrs: Attrs = self
            .attributes
            .iter()
            .map(|(k, v)| (norm_key(k), text(v)))
            .collect();
        for (k, v) in [
            ("productfamily", self.product_family),
            ("servicecode", self.service_code),
            ("usagetype", self.usage_type),
            ("operation", self.operation),
        ] {
            if let Some(v) = v {
                attrs.entry(k.to_string()).or_insert(v);
            }
        }
        Product {
            sku: self
                .sku
                .or_else(|| key_sku.map(str::to_string))
                .unwrap_or_default(),
            attrs,
            at,
        }
    }
}

struct Products<'a, 's> {
    ctx: &'a mut Ctx<'s>,
}

impl<'de> DeserializeSeed<'de> for Products<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Products<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("`products`: an object keyed by SKU or an array of products")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let ctx = self.ctx;
        while let Some(sku) = map.next_key::<String>()? {
            ctx.path = format!("products.{sku}");
            let raw: RawProduct = map.next_value()?;
            let p = raw.into_product(Some(&sku), ctx.path.clone());
            ctx.call(|s| s.product(p))?;
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let ctx = self.ctx;
        let mut i = 0usize;
        loop {
            ctx.path = format!("products[{i}]");
            let Some(raw) = seq.next_element::<RawProduct>()? else {
                break;
            };
            let p = raw.into_product(None, ctx.path.clone());
            ctx.call(|s| s.product(p))?;
            i += 1;
        }
        Ok(())
    }
}

struct Terms<'a, 's> {
    ctx: &'a mut Ctx<'s>,
}

impl<'de> DeserializeSeed<'de> for Terms<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Terms<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("`terms`: an object of term types")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let ctx = self.ctx;
        while let Some(bucket) = map.next_key::<String>()? {
            ctx.path = format!("terms.{bucket}");
            match bucket.as_str() {
                "OnDemand" | "Reserved" => map.next_value_seed(Bucket {
                    ctx: &mut *ctx,
                    bucket: bucket.clone(),
                })?,
                "savingsPlan" => map.next_value_seed(SpTerms { ctx: &mut *ctx })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// `terms.OnDemand` / `terms.Reserved`: SKU → term code → term.
struct Bucket<'a, 's> {
    ctx: &'a mut Ctx<'s>,
    bucket: String,
}

impl<'de> DeserializeSeed<'de> for Bucket<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Bucket<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object keyed by SKU")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let ctx = self.ctx;
        while let Some(sku) = map.next_key::<String>()? {
            ctx.path = format!("terms.{}.{sku}", self.bucket);
            map.next_value_seed(SkuTerms {
                ctx: &mut *ctx,
                bucket: &self.bucket,
                sku: &sku,
            })?;
        }
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawTerm {
    #[serde(default)]
    offer_term_code: Option<String>,
    #[serde(default)]
    sku: Option<String>,
    #[serde(default)]
    price_dimensions: BTreeMap<String, RawDim>,
    #[serde(default)]
    term_attributes: BTreeMap<String, Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawDim {
    #[serde(default)]
    rate_code: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    begin_range: Option<Value>,
    #[serde(default)]
    end_range: Option<Value>,
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    price_per_unit: BTreeMap<String, Value>,
}

struct SkuTerms<'a, 's, 'k> {
    ctx: &'a mut Ctx<'s>,
    bucket: &'k str,
    sku: &'k str,
}

impl<'de> DeserializeSeed<'de> for SkuTerms<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for SkuTerms<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object of terms keyed by SKU.termcode")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let ctx = self.ctx;
        while let Some(key) = map.next_key::<String>()? {
            ctx.path = format!("terms.{}.{}.{key}", self.bucket, self.sku);
            let raw: RawTerm = map.next_value()?;
            let t = term_of(raw, self.bucket, self.sku, &key, ctx.path.clone());
            ctx.call(|s| s.term(t))?;
        }
        Ok(())
    }
}

fn term_of(raw: RawTerm, bucket: &str, sku: &str, key: &str, at: String) -> Term {
    let dims = raw
        .price_dimensions
        .into_iter()
        .flat_map(|(rc, d)| {
            let (currency, price) = match d.price_per_unit.iter().next() {
                Some((c, p)) => (c.clone(), text(p)),
                None => (String::new(), String::new()),
            };
            // More than one currency: one dimension per currency, so none is lost unseen.
            let extra: Vec<(String, String)> = d
                .price_per_unit
                .iter()
                .skip(1)
                .map(|(c, p)| (c.clone(), text(p)))
                .collect();
            let base = Dim {
                rate_code: d.rate_code.unwrap_or(rc),
                unit: d.unit.unwrap_or_default(),
                begin: d.begin_range.as_ref().map(text),
                end: d.end_range.as_ref().map(text),
                price,
                currency,
                description: d.description.unwrap_or_default(),
            };
            let mut all = vec![base.clone()];
            all.extend(extra.into_iter().map(|(currency, price)| Dim {
                currency,
                price,
                ..base.clone()
            }));
            all
        })
        .collect();
    Term {
        sku: raw.sku.unwrap_or_else(|| sku.to_string()),
        code: raw
            .offer_term_code
            .unwrap_or_else(|| key.rsplit('.').next().unwrap_or(key).to_string()),
        bucket: bucket.to_string(),
        attrs: raw
            .term_attributes
            .iter()
            .map(|(k, v)| (norm_key(k), text(v)))
            .collect(),
        dims,
        at,
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawSpTerm {
    #[serde(default)]
    sku: Option<String>,
    #[serde(default)]
    lease_contract_length: Option<RawLease>,
    #[serde(default)]
    rates: Vec<RawSpRate>,
}

#[derive(Deserialize)]
struct RawLease {
    #[serde(default)]
    duration: Option<Value>,
    #[serde(default)]
    unit: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawSpRate {
    #[serde(default)]
    discounted_usage_type: Option<String>,
    #[serde(default)]
    discounted_operation: Option<String>,
    #[serde(default)]
    discounted_service_code: Option<String>,
    #[serde(default)]
    discounted_region_code: Option<String>,
    #[serde(default)]
    rate_code: Option<String>,
    #[serde(default)]
    discounted_rate: Option<RawSpPrice>,
    #[serde(default)]
    unit: Option<String>,
}

#[derive(Deserialize)]
struct RawSpPrice {
    #[serde(default)]
    price: Option<Value>,
    #[serde(default)]
    currency: Option<String>,
}

/// `terms.savingsPlan`: an array of plans, each with its rates.
struct SpTerms<'a, 's> {
    ctx: &'a mut Ctx<'s>,
}

impl<'de> DeserializeSeed<'de> for SpTerms<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for SpTerms<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("`terms.savingsPlan`: an array of plans")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let ctx = self.ctx;
        let mut i = 0usize;
        loop {
            ctx.path = format!("terms.savingsPlan[{i}]");
            let Some(raw) = seq.next_element::<RawSpTerm>()? else {
                break;
            };
            let sku = raw.sku.unwrap_or_default();
            let lease = raw.lease_contract_length.and_then(|l| {
                l.duration
                    .as_ref()
                    .map(|d| format!("{}{}", text(d), l.unit.as_deref().unwrap_or("")))
            });
            for (j, r) in raw.rates.into_iter().enumerate() {
                let at = format!("terms.savingsPlan[{i}].rates[{j}]");
                let (price, currency) = match r.discounted_rate {
                    Some(p) => (p.price.as_ref().map(text).unwrap_or_default(), p.currency),
                    None => (String::new(), None),
                };
                let rate = SpRate {
                    sp_sku: sku.clone(),
                    usage_type: r.discounted_usage_type.unwrap_or_default(),
                    operation: r.discounted_operation,
                    service: r.discounted_service_code,
                    region_code: r.discounted_region_code,
                    price,
                    currency,
                    unit: r.unit,
                    lease: lease.clone(),
                    at: match r.rate_code {
                        Some(rc) => format!("{at} ({rc})"),
                        None => at,
                    },
                };
                ctx.call(|s| s.sp_rate(rate))?;
            }
            i += 1;
        }
        Ok(())
    }
}
