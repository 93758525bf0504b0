//! What the readers hand over, the same for JSON and CSV: the offer's metadata, products with
//! their attributes, On-Demand and Reserved terms with their price dimensions, and Savings
//! Plans rates. Attribute names are normalized (lower case, letters and digits only), so the
//! JSON `preInstalledSw` and the CSV `Pre Installed S/W` are one key, `preinstalledsw`.

use std::collections::BTreeMap;

use super::OfferError;

/// The offer file's own header fields.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OfferMeta {
    pub file: String,
    pub offer_code: Option<String>,
    pub version: Option<String>,
    /// `publicationDate` (JSON) or `Publication Date` (CSV), as written (RFC 3339).
    pub published: Option<String>,
    pub region_code: Option<String>,
    /// A region index (`regions`) or the service index (`offers`), when the file is one of
    /// those instead of an offer file.
    pub index: Option<serde_json::Value>,
}

/// Attributes by normalized name.
pub type Attrs = BTreeMap<String, String>;

/// `preInstalledSw`, `Pre Installed S/W` → `preinstalledsw`.
pub fn norm_key(k: &str) -> String {
    k.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// One product (SKU) and its attributes; `productfamily`, `servicecode`, `usagetype` and
/// `operation` are among them whether the file puts them in `attributes` or beside it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Product {
    pub sku: String,
    pub attrs: Attrs,
    /// Where it was read (`products.SKU` or `line N`).
    pub at: String,
}

impl Product {
    pub fn get(&self, k: &str) -> Option<&str> {
        self.attrs
            .get(k)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

/// One price dimension of a term.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dim {
    pub rate_code: String,
    pub unit: String,
    /// `beginRange` / `StartingRange`; absent for upfront fees.
    pub begin: Option<String>,
    /// `endRange` / `EndingRange`; `Inf` for the last band.
    pub end: Option<String>,
    pub price: String,
    pub currency: String,
    pub description: String,
}

/// One offer term (On-Demand or Reserved) of a SKU.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Term {
    pub sku: String,
    pub code: String,
    /// The bucket it was found under (`OnDemand`, `Reserved`; the CSV `TermType`).
    pub bucket: String,
    /// `termAttributes`: `leasecontractlength`, `offeringclass`, `purchaseoption`.
    pub attrs: Attrs,
    pub dims: Vec<Dim>,
    pub at: String,
}

impl Term {
    /// Reserved when the term has a lease (whatever bucket it sits in: trap 2 of the corpus
    /// puts a Reserved term under `OnDemand`).
    pub fn is_reserved(&self) -> bool {
        self.attrs
            .get("leasecontractlength")
            .is_some_and(|v| !v.is_empty())
    }
}

/// One Savings Plans rate: what a plan (`sp_sku`) charges per unit of a usage it covers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SpRate {
    pub sp_sku: String,
    pub usage_type: String,
    pub operation: Option<String>,
    pub service: Option<String>,
    pub region_code: Option<String>,
    pub price: String,
    pub currency: Option<String>,
    pub unit: Option<String>,
    /// The plan's term when the rate row states it (CSV `LeaseContractLength` + unit).
    pub lease: Option<String>,
    pub at: String,
}

/// Receives what a reader finds, in file order. An error stops the read.
pub trait Sink {
    fn meta(&mut self, m: &OfferMeta) -> Result<(), OfferError>;
    fn product(&mut self, p: Product) -> Result<(), OfferError>;
    fn term(&mut self, t: Term) -> Result<(), OfferError>;
    fn sp_rate(&mut self, r: SpRate) -> Result<(), OfferError>;
}
