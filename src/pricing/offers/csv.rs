//! The CSV offer-file reader, streaming row by row. A CSV offer starts with metadata lines
//! (`"FormatVersion","v1.0"`, `Disclaimer`, `Publication Date`, `Version`, `OfferCode`; the
//! Disclaimer is sometimes missing, trap 9), then a header whose first cell is `SKU`, then one
//! row per price dimension. Columns are mapped by header name (their set and order drift
//! between years, trap 10). Offer CSVs (EC2, S3, …) carry the term columns `TermType`,
//! `StartingRange`, `PricePerUnit`…; Savings Plans CSVs (`DiscountedRate`, 24 columns,
//! unquoted) carry one plan rate per row.

use std::collections::HashSet;
use std::io::Read;

use super::model::{Attrs, Dim, OfferMeta, Product, SpRate, Term, norm_key};
use super::{OfferError, Sink};

/// Columns that belong to the term or the price, not to the product.
const TERM_COLUMNS: &[&str] = &[
    "sku",
    "offertermcode",
    "ratecode",
    "termtype",
    "pricedescription",
    "effectivedate",
    "startingrange",
    "endingrange",
    "unit",
    "priceperunit",
    "currency",
    "relatedto",
    "leasecontractlength",
    "purchaseoption",
    "offeringclass",
];

/// Reads one CSV offer (or Savings Plans) file from `r` into `sink`.
pub fn read_csv<R: Read>(file: &str, r: R, sink: &mut dyn Sink) -> Result<OfferMeta, OfferError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(r);
    let mut meta = OfferMeta {
        file: file.to_string(),
        ..OfferMeta::default()
    };
    let err = |line: u64, message: String| OfferError::Csv {
        file: file.to_string(),
        line,
        message,
    };
    let mut rec = csv::StringRecord::new();
    let mut header: Option<Vec<String>> = None;
    let line_of = |rec: &csv::StringRecord| rec.position().map(|p| p.line()).unwrap_or(0);
    // The preamble, up to the header.
    loop {
        let more = rdr
            .read_record(&mut rec)
            .map_err(|e| err(e.position().map(|p| p.line()).unwrap_or(0), e.to_string()))?;
        if !more {
            break;
        }
        let first = rec.get(0).unwrap_or("").trim_start_matches('\u{feff}');
        if first == "SKU" {
            header = Some(rec.iter().map(norm_key).collect());
            break;
        }
        let value = rec.get(1).unwrap_or("").to_string();
        match norm_key(first).as_str() {
            "publicationdate" => meta.published = Some(value),
            "version" => meta.version = Some(value),
            "offercode" => meta.offer_code = Some(value),
            "regioncode" => meta.region_code = Some(value),
            _ => {}
        }
        if line_of(&rec) > 20 {
            return Err(err(
                line_of(&rec),
                "no header line starting with SKU in the first 20 lines: not an AWS offer CSV"
                    .into(),
            ));
        }
    }
    let Some(header) = header else {
        return Err(err(
            line_of(&rec),
            "no header line starting with SKU: not an AWS offer CSV".into(),
        ));
    };
    sink.meta(&meta)?;
    let col = |name: &str| header.iter().position(|h| h == name);
    if col("discountedrate").is_some() {
        read_sp_rows(file, &mut rdr, &header, sink)?;
    } else {
        read_offer_rows(file, &mut rdr, &header, sink)?;
    }
    Ok(meta)
}

fn read_offer_rows<R: Read>(
    file: &str,
    rdr: &mut csv::Reader<R>,
    header: &[String],
    sink: &mut dyn Sink,
) -> Result<(), OfferError> {
    let col = |name: &str| header.iter().position(|h| h == name);
    let need = |name: &str| {
        col(name).ok_or_else(|| OfferError::Csv {
            file: file.to_string(),
            line: 0,
            message: format!("the header has no `{name}` column"),
        })
    };
    let c_sku = need("sku")?;
    let c_unit = need("unit")?;
    let c_price = need("priceperunit")?;
    let c_code = col("offertermcode");
    let c_rate = col("ratecode");
    let c_type = col("termtype");
    let c_desc = col("pricedescription");
    let c_begin = col("startingrange");
    let c_end = col("endingrange");
    let c_cur = col("currency");
    let term_cols: Vec<(usize, &str)> = ["leasecontractlength", "offeringclass", "purchaseoption"]
        .iter()
        .filter_map(|n| col(n).map(|i| (i, *n)))
        .collect();
    let product_cols: Vec<(usize, &String)> = header
        .iter()
        .enumerate()
        .filter(|(_, h)| !TERM_COLUMNS.contains(&h.as_str()))
        .collect();
    let mut seen: HashSet<String> = HashSet::new();
    let mut cur: Option<Term> = None;
    let mut rec = csv::StringRecord::new();
    loop {
        let more = rdr.read_record(&mut rec).map_err(|e| OfferError::Csv {
            file: file.to_string(),
            line: e.position().map(|p| p.line()).unwrap_or(0),
            message: e.to_string(),
        })?;
        if !more {
            break;
        }
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        if rec.len() == 1 && rec.get(0).unwrap_or("").is_empty() {
            continue;
        }
        if rec.len() < header.len() {
            return Err(OfferError::Csv {
                file: file.to_string(),
                line,
                message: format!(
                    "{} cells where the header has {} columns",
                    rec.len(),
                    header.len()
                ),
            });
        }
        let get = |i: usize| rec.get(i).unwrap_or("").to_string();
        let opt = |i: Option<usize>| i.map(get).filter(|s| !s.is_empty());
        let sku = get(c_sku);
        if !seen.contains(&sku) {
            seen.insert(sku.clone());
            let attrs: Attrs = product_cols
                .iter()
                .map(|(i, h)| ((*h).clone(), get(*i)))
                .filter(|(_, v)| !v.is_empty())
                .collect();
            sink.product(Product {
                sku: sku.clone(),
                attrs,
                at: format!("line {line}"),
            })?;
        }
        let code = opt(c_code).unwrap_or_default();
        let bucket = opt(c_type).unwrap_or_default();
        let attrs: Attrs = term_cols
            .iter()
            .map(|(i, n)| (n.to_string(), get(*i)))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        let dim = Dim {
            rate_code: opt(c_rate).unwrap_or_default(),
            unit: get(c_unit),
            begin: opt(c_begin),
            end: opt(c_end),
            price: get(c_price),
            currency: opt(c_cur).unwrap_or_default(),
            description: opt(c_desc).unwrap_or_default(),
        };
        let same = cur
            .as_ref()
            .is_some_and(|t| t.sku == sku && t.code == code && t.attrs == attrs);
        if !same && let Some(t) = cur.take() {
            sink.term(t)?;
        }
        match &mut cur {
            Some(t) => t.dims.push(dim),
            None => {
                cur = Some(Term {
                    sku,
                    code,
                    bucket,
                    attrs,
                    dims: vec![dim],
                    at: format!("line {line}"),
                })
            }
        }
    }
    if let Some(t) = cur.take() {
        sink.term(t)?;
    }
    Ok(())
}

fn read_sp_rows<R: Read>(
    file: &str,
    rdr: &mut csv::Reader<R>,
    header: &[String],
    sink: &mut dyn Sink,
) -> Result<(), OfferError> {
    let col = |name: &str| header.iter().position(|h| h == name);
    let mut seen: HashSet<String> = HashSet::new();
    let product_cols: Vec<(usize, &'static str)> = [
        ("productfamily", "productfamily"),
        ("purchaseoption", "purchaseoption"),
        ("leasecontractlength", "leasecontractlength"),
        ("leasecontractlengthunit", "leasecontractlengthunit"),
        ("servicecode", "servicecode"),
        ("usagetype", "usagetype"),
        ("instancefamily", "instancetype"),
        ("location", "location"),
        ("locationtype", "locationtype"),
    ]
    .iter()
    .filter_map(|(h, k)| col(h).map(|i| (i, *k)))
    .collect();
    let mut rec = csv::StringRecord::new();
    loop {
        let more = rdr.read_record(&mut rec).map_err(|e| OfferError::Csv {
            file: file.to_string(),
            line: e.position().map(|p| p.line()).unwrap_or(0),
            message: e.to_string(),
        })?;
        if !more {
            break;
        }
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        if rec.len() == 1 && rec.get(0).unwrap_or("").is_empty() {
            continue;
        }
        let get = |name: &str| {
            col(name)
                .and_then(|i| rec.get(i))
                .map(str::to_string)
                .filter(|s| !s.is_empty())
        };
        let sku = get("sku").unwrap_or_default();
        if !seen.contains(&sku) {
            seen.insert(sku.clone());
            let attrs: Attrs = product_cols
                .iter()
                .filter_map(|(i, k)| {
                    rec.get(*i)
                        .filter(|v| !v.is_empty())
                        .map(|v| (k.to_string(), v.to_string()))
                })
                .collect();
            sink.product(Product {
                sku: sku.clone(),
                attrs,
                at: format!("line {line}"),
            })?;
        }
        let lease = get("leasecontractlength")
            .map(|l| format!("{l}{}", get("leasecontractlengthunit").unwrap_or_default()));
        sink.sp_rate(SpRate {
            sp_sku: sku,
            usage_type: get("discountedusagetype").unwrap_or_default(),
            operation: get("discountedoperation"),
            service: get("discountedservicecode"),
            region_code: get("discountedregioncode"),
            price: get("discountedrate").unwrap_or_default(),
            currency: get("currency"),
            unit: get("unit"),
            lease,
            at: format!("line {line}"),
        })?;
    }
    Ok(())
}
