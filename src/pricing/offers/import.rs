//! From offer-file records to costlab keys: which SKUs are a price a user pays in the region,
//! which key each becomes, and its price in the key's unit. Every choice is made by attribute
//! (trap 1: a $0 Capacity Block SKU shares its usage type with the real one), never by the order
//! of the file; two SKUs that give one key different prices are an error naming both.
//!
//! Kept per file: one small [`Mapping`] per SKU (most are `Skip`), the terms of SKUs not yet
//! seen (offer files list products first, so this stays empty in practice), and the prices
//! found.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;

use super::model::{Dim, OfferMeta, Product, SpRate, Term};
use super::regions::{code_of_location, code_of_prefix, split_usage_type};
use super::units::{convert, parse_number};
use super::{OfferError, Sink};
use crate::aws::{InstanceType, Platform, PurchaseOption, Region, Tenancy};
use crate::pricing::schema::{EntryKind, Unit, classify};
use crate::pricing::{PricePath, Tier, Value, ec2_path};

/// A price found: its value, the SKU it came from and the offer file (index into `offers`).
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    pub value: Value,
    pub free_allowance: Option<Decimal>,
    pub sku: String,
    pub offer: usize,
}

/// What a SKU is to costlab.
#[derive(Clone, Debug)]
enum Mapping {
    Skip,
    /// An EC2 instance price (On-Demand or Reserved terms).
    Ec2 {
        itype: InstanceType,
        platform: Platform,
        tenancy: Tenancy,
    },
    /// On-Demand dimensions priced at this key (flat or banded).
    Key(PricePath),
    /// A free-tier SKU (`Global-…`, $0 up to N): N is the key's monthly free allowance.
    Free(PricePath),
    /// A Savings Plan: kind (`compute`, `ec2_instance`) and term/payment (`1yr_no_upfront`).
    Plan {
        kind: &'static str,
        plan: String,
    },
}

/// Collects prices from any number of offer files for one region.
pub struct Importer {
    region: Region,
    pub offers: Vec<OfferMeta>,
    products: HashMap<String, Mapping>,
    pending_terms: Vec<Term>,
    pending_rates: Vec<SpRate>,
    pub found: BTreeMap<PricePath, Found>,
    free: BTreeMap<PricePath, (Decimal, String)>,
    /// SKUs left out, by reason.
    pub skipped: BTreeMap<String, u64>,
    pub products_read: u64,
    pub terms_read: u64,
    pub rates_read: u64,
}

impl Importer {
    pub fn new(region: Region) -> Importer {
        Importer {
            region,
            offers: Vec::new(),
            products: HashMap::new(),
            pending_terms: Vec::new(),
            pending_rates: Vec::new(),
            found: BTreeMap::new(),
            free: BTreeMap::new(),
            skipped: BTreeMap::new(),
            products_read: 0,
            terms_read: 0,
            rates_read: 0,
        }
    }

    pub fn region(&self) -> &Region {
        &self.region
    }

    /// Starts a new offer file.
    pub fn begin_file(&mut self, file: &str) {
        self.offers.push(OfferMeta {
            file: file.to_string(),
            ..OfferMeta::default()
        });
        self.products.clear();
    }

    /// Ends the current file: terms whose product came after them are priced now; terms of
    /// SKUs the file never described are left out.
    pub fn end_file(&mut self) -> Result<(), OfferError> {
        for t in std::mem::take(&mut self.pending_terms) {
            match self.products.get(&t.sku).cloned() {
                Some(m) => self.price_term(&m, &t)?,
                None => self.skip("a term whose SKU has no product in the file"),
            }
        }
        for r in std::mem::take(&mut self.pending_rates) {
            match self.products.get(&r.sp_sku).cloned() {
                Some(m) => self.price_rate(&m, &r)?,
                None => self.skip("a Savings Plans rate whose plan SKU has no product"),
            }
        }
        self.products.clear();
        Ok(())
    }

    /// Attaches free allowances to their prices; returns what was found.
    pub fn finish(&mut self) {
        for (path, (allowance, _sku)) in std::mem::take(&mut self.free) {
            match self.found.get_mut(&path) {
                Some(f) => f.free_allowance = Some(allowance),
                None => self.skip("a free-tier SKU for a price not in the files"),
            }
        }
    }

    fn skip(&mut self, why: &str) {
        *self.skipped.entry(why.to_string()).or_default() += 1;
    }

    fn file(&self) -> String {
        self.offers
            .last()
            .map(|o| o.file.clone())
            .unwrap_or_default()
    }

    fn sku_err(&self, sku: &str, at: &str, message: String) -> OfferError {
        OfferError::Sku {
            file: self.file(),
            sku: sku.to_string(),
            at: at.to_string(),
            message,
        }
    }

    /// Where a product is: `Some(code)`, `Some("Any")` for global free-tier SKUs, `None` when
    /// the file does not say or names a place costlab does not know.
    fn place_of(p: &Product) -> Option<String> {
        if let Some(rc) = p.get("regioncode").or_else(|| p.get("fromregioncode")) {
            return Some(rc.to_string());
        }
        let loc = p.get("location").or_else(|| p.get("fromlocation"))?;
        if loc == "Any" {
            return Some("Any".into());
        }
        code_of_location(loc).map(str::to_string)
    }

    fn classify(&mut self, p: &Product) -> Result<Mapping, OfferError> {
        let service = p.get("servicecode").unwrap_or("");
        let family = p.get("productfamily").unwrap_or("");
        let ut = p.get("usagetype").unwrap_or("");
        let (prefix, rest) = split_usage_type(ut);
        // Savings Plans products are not in a region; their rates are.
        if matches!(family, "ComputeSavingsPlans" | "EC2InstanceSavingsPlans") {
            return Ok(self.plan(p, family));
        }
        let place = Self::place_of(p);
        let here = self.region.as_str();
        // A usage-type prefix that names another region than the location: a file that
        // contradicts itself is not guessed at (trap 8).
        if let (Some(px), Some(pl)) = (prefix, place.as_deref())
            && let Some(by_prefix) = code_of_prefix(px)
            && by_prefix != pl
            && (by_prefix == here || pl == here)
            && !p.attrs.contains_key("transfertype")
        {
            return Err(self.sku_err(
                &p.sku,
                &p.at,
                format!(
                    "usage type {ut:?} has the prefix {px} ({by_prefix}) but the location is {pl}; \
                     the file contradicts itself"
                ),
            ));
        }
        if service == "AWSDataTransfer" || p.attrs.contains_key("transfertype") {
            return Ok(self.transfer(p, rest));
        }
        let global = place.as_deref() == Some("Any") && prefix == Some("Global");
        if !global && place.as_deref() != Some(here) {
            self.skip("another region (or a place costlab does not know)");
            return Ok(Mapping::Skip);
        }
        if let Some(lt) = p.get("locationtype")
            && lt != "AWS Region"
        {
            self.skip("not an AWS Region (Local Zone, Wavelength, Outposts)");
            return Ok(Mapping::Skip);
        }
        Ok(match service {
            "AmazonEC2" => self.ec2(p, family, rest)?,
            "AmazonS3" | "AmazonS3GlacierDeepArchive" => match s3_key(rest, p.get("operation")) {
                Some(k) => Mapping::Key(k),
                None => {
                    self.skip("S3: a usage type costlab does not price");
                    Mapping::Skip
                }
            },
            "AWSLambda" => self.lambda(rest, global),
            "ElasticMapReduce" => self.emr(p, family, rest),
            "AWSGlue" => match rest {
                "ETL-DPU-Hour" => Mapping::Key(PricePath::new(["glue", "dpu_hour", "standard"])),
                "ETL-Flex-DPU-Hour" => Mapping::Key(PricePath::new(["glue", "dpu_hour", "flex"])),
                _ => {
                    self.skip("Glue: not an ETL job DPU-hour");
                    Mapping::Skip
                }
            },
            _ => {
                self.skip("a service costlab does not price");
                Mapping::Skip
            }
        })
    }

    fn ec2(&mut self, p: &Product, family: &str, rest: &str) -> Result<Mapping, OfferError> {
        if !family.starts_with("Compute Instance") {
            self.skip("EC2: not an instance (EBS, load balancer, IP address, …)");
            return Ok(Mapping::Skip);
        }
        let Some(itype) = p
            .get("instancetype")
            .and_then(|t| InstanceType::parse(t).ok())
        else {
            self.skip("EC2: no instance type");
            return Ok(Mapping::Skip);
        };
        let kind = rest.split(':').next().unwrap_or("");
        let tenancy = match kind {
            "BoxUsage" => Tenancy::Shared,
            "DedicatedUsage" => Tenancy::Dedicated,
            "HostBoxUsage" | "HostUsage" | "ReservedHostUsage" | "DedicatedRes" => {
                self.skip("EC2: Dedicated Host");
                return Ok(Mapping::Skip);
            }
            "UnusedBox" | "UnusedDed" | "Reservation" => {
                self.skip("EC2: capacity reservation (unused or allocated)");
                return Ok(Mapping::Skip);
            }
            _ => {
                self.skip("EC2: not an instance-hour usage type");
                return Ok(Mapping::Skip);
            }
        };
        let checks: [(&str, &[&str], &str); 4] = [
            (
                "capacitystatus",
                &["Used"],
                "EC2: capacity status other than Used",
            ),
            (
                "marketoption",
                &["OnDemand"],
                "EC2: Capacity Block (marketoption other than OnDemand)",
            ),
            ("preinstalledsw", &["NA"], "EC2: pre-installed software"),
            (
                "tenancy",
                &[if tenancy == Tenancy::Shared {
                    "Shared"
                } else {
                    "Dedicated"
                }],
                "EC2: tenancy Host or Reserved, or disagreeing with the usage type",
            ),
        ];
        for (attr, ok, why) in checks {
            if let Some(v) = p.get(attr)
                && !ok.contains(&v)
            {
                self.skip(why);
                return Ok(Mapping::Skip);
            }
        }
        let platform = match p.get("operatingsystem") {
            Some("Linux") | None => Platform::Linux,
            Some("Windows") => Platform::Windows,
            Some("RHEL") => Platform::Rhel,
            Some("SUSE") => Platform::Suse,
            Some(_) => {
                self.skip("EC2: an operating system costlab does not price");
                return Ok(Mapping::Skip);
            }
        };
        if p.get("licensemodel") == Some("Bring your own license") {
            self.skip("EC2: bring your own license");
            return Ok(Mapping::Skip);
        }
        // The operation code names the platform exactly (BYOL, SQL and HA variants have their
        // own codes); `RunInstances:…:CB` and the like are not the price a user pays.
        if let Some(op) = p.get("operation") {
            let want = match platform {
                Platform::Linux => "RunInstances",
                Platform::Windows => "RunInstances:0002",
                Platform::Rhel => "RunInstances:0010",
                Platform::Suse => "RunInstances:000g",
            };
            if op != want {
                self.skip("EC2: operation is a variant of the platform (license, SQL, HA, Capacity Block)");
                return Ok(Mapping::Skip);
            }
        }
        self.specs(p, &itype)?;
        Ok(Mapping::Ec2 {
            itype,
            platform,
            tenancy,
        })
    }

    /// vCPU, memory and normalization factor of a type, once.
    fn specs(&mut self, p: &Product, itype: &InstanceType) -> Result<(), OfferError> {
        let num = |s: Option<&str>| {
            s.map(|v| v.trim_end_matches("GiB").trim().replace(',', ""))
                .and_then(|v| parse_number(&v))
        };
        let offer = self.offers.len().saturating_sub(1);
        for (k, v) in [
            ("vcpu", num(p.get("vcpu"))),
            ("memory_gib", num(p.get("memory"))),
            (
                "normalization_factor",
                num(p.get("normalizationsizefactor")),
            ),
        ] {
            if let Some(v) = v {
                let path = PricePath::new(["ec2", "specs", itype.as_str(), k]);
                self.found.entry(path).or_insert(Found {
                    value: Value::Flat(v),
                    free_allowance: None,
                    sku: p.sku.clone(),
                    offer,
                });
            }
        }
        Ok(())
    }

    fn lambda(&mut self, rest: &str, global: bool) -> Mapping {
        let key = match rest {
            "Request" => Some(PricePath::new(["lambda", "requests"])),
            "Lambda-GB-Second" => Some(PricePath::new(["lambda", "duration", "x86_64"])),
            "Lambda-GB-Second-ARM" if !global => {
                Some(PricePath::new(["lambda", "duration", "arm64"]))
            }
            _ => None,
        };
        match (key, global) {
            (Some(k), true) => Mapping::Free(k),
            (Some(k), false) => Mapping::Key(k),
            (None, _) => {
                self.skip("Lambda: Edge, provisioned concurrency or another usage type");
                Mapping::Skip
            }
        }
    }

    fn emr(&mut self, p: &Product, family: &str, rest: &str) -> Mapping {
        let lower = rest.to_ascii_lowercase();
        if lower.contains("serverless") || family.to_ascii_lowercase().contains("serverless") {
            let key = if lower.contains("arm") {
                None
            } else if lower.contains("storage") {
                Some("storage_gb_hour")
            } else if lower.contains("vcpu") {
                Some("vcpu_hour")
            } else if lower.contains("memory") || lower.contains("gb") {
                Some("gb_hour")
            } else {
                None
            };
            return match key {
                Some(k) => Mapping::Key(PricePath::new(["emr_serverless", k])),
                None => {
                    self.skip("EMR Serverless: Arm or another usage type");
                    Mapping::Skip
                }
            };
        }
        let software_ok = p.get("softwaretype").is_none_or(|s| s == "EMR");
        match (rest.strip_prefix("BoxUsage:"), software_ok) {
            (Some(t), true) => {
                let t = p.get("instancetype").unwrap_or(t);
                match InstanceType::parse(t) {
                    Ok(it) => Mapping::Key(PricePath::new(["emr", "uplift", it.as_str()])),
                    Err(_) => {
                        self.skip("EMR: no instance type");
                        Mapping::Skip
                    }
                }
            }
            _ => {
                self.skip("EMR: not an EMR-on-EC2 instance fee");
                Mapping::Skip
            }
        }
    }

    fn transfer(&mut self, p: &Product, rest: &str) -> Mapping {
        let from = p.get("fromregioncode").map(str::to_string).or_else(|| {
            p.get("fromlocation")
                .and_then(code_of_location)
                .map(str::to_string)
        });
        if from.as_deref() != Some(self.region.as_str()) {
            self.skip("data transfer from another region or place");
            return Mapping::Skip;
        }
        match p.get("transfertype") {
            Some("AWS Outbound")
                if p.get("tolocation") == Some("External") && rest == "DataTransfer-Out-Bytes" =>
            {
                Mapping::Key(PricePath::new(["transfer", "internet_out"]))
            }
            Some("InterRegion Outbound") => {
                let to = p.get("toregioncode").map(str::to_string).or_else(|| {
                    p.get("tolocation")
                        .and_then(code_of_location)
                        .map(str::to_string)
                });
                match to.and_then(|t| Region::parse(&t).ok()) {
                    Some(r) if r != self.region => {
                        Mapping::Key(PricePath::new(["transfer", "inter_region", r.as_str()]))
                    }
                    _ => {
                        self.skip("data transfer to a place that is not a region (CloudFront, …)");
                        Mapping::Skip
                    }
                }
            }
            _ => {
                self.skip("data transfer in, within a region, or to CloudFront");
                Mapping::Skip
            }
        }
    }

    fn plan(&mut self, p: &Product, family: &str) -> Mapping {
        let kind = if family == "ComputeSavingsPlans" {
            "compute"
        } else {
            "ec2_instance"
        };
        let term = match (p.get("purchaseterm"), p.get("leasecontractlength")) {
            (Some(t), _) => t.to_string(),
            (None, Some(l)) => match p.get("leasecontractlengthunit") {
                Some(u) if u.starts_with("year") => format!("{l}yr"),
                _ => l.to_string(),
            },
            _ => String::new(),
        };
        let pay = match p.get("purchaseoption") {
            Some("No Upfront") => "no_upfront",
            Some("Partial Upfront") => "partial_upfront",
            Some("All Upfront") => "all_upfront",
            _ => "",
        };
        let plan = format!("{term}_{pay}");
        if !crate::pricing::SP_PLANS.contains(&plan.as_str()) {
            self.skip("Savings Plans: a term or payment costlab does not know");
            return Mapping::Skip;
        }
        Mapping::Plan { kind, plan }
    }

    fn put(&mut self, path: PricePath, value: Value, sku: &str) -> Result<(), OfferError> {
        let offer = self.offers.len().saturating_sub(1);
        if let Some(prev) = self.found.get(&path) {
            if prev.value == value {
                return Ok(());
            }
            let name = |sku: &str, o: usize| {
                format!(
                    "SKU {sku} ({})",
                    self.offers.get(o).map(|m| m.file.as_str()).unwrap_or("")
                )
            };
            return Err(OfferError::Conflict(Box::new(super::error::Conflict {
                key: path.to_string(),
                first: name(&prev.sku, prev.offer),
                second: name(sku, offer),
                a: value_text(&prev.value),
                b: value_text(&value),
                hint: "costlab will not choose one; report the pair (a filter costlab lacks), \
                       or import the files apart"
                    .into(),
            })));
        }
        self.found.insert(
            path,
            Found {
                value,
                free_allowance: None,
                sku: sku.to_string(),
                offer,
            },
        );
        Ok(())
    }

    /// One dimension's price in the unit of `path`.
    fn dim_price(
        &self,
        path: &PricePath,
        d: &Dim,
        sku: &str,
        at: &str,
    ) -> Result<Decimal, OfferError> {
        if !d.currency.is_empty() && d.currency != "USD" {
            return Err(self.sku_err(
                sku,
                at,
                format!("prices in {}: costlab's price books are in USD", d.currency),
            ));
        }
        let price = parse_number(&d.price)
            .filter(|p| !p.is_sign_negative())
            .ok_or_else(|| {
                self.sku_err(sku, at, format!("price {:?} is not a number ≥ 0", d.price))
            })?;
        let (unit, per) = match classify(path) {
            Some(EntryKind::Price { unit, per, .. }) => (unit, per),
            _ => (Unit::Usd, 1),
        };
        convert(price, &d.unit, unit, per).ok_or_else(|| {
            self.sku_err(
                sku,
                at,
                format!(
                    "unit {:?} cannot be converted to {} for `{path}`",
                    d.unit,
                    unit.as_str()
                ),
            )
        })
    }

    /// The value of On-Demand dimensions: one flat price, or contiguous bands.
    fn dims_value(&self, path: &PricePath, t: &Term) -> Result<Value, OfferError> {
        let bad = |m: String| self.sku_err(&t.sku, &t.at, m);
        if t.dims.is_empty() {
            return Err(bad("a term with no price dimension".into()));
        }
        if t.dims.len() == 1 {
            return Ok(Value::Flat(
                self.dim_price(path, &t.dims[0], &t.sku, &t.at)?,
            ));
        }
        let tiered = matches!(classify(path), Some(EntryKind::Price { tiered: true, .. }));
        if !tiered {
            return Err(bad(format!(
                "{} price dimensions for `{path}`, which has a single price",
                t.dims.len()
            )));
        }
        let mut bands: Vec<(Decimal, Option<Decimal>, Decimal)> = Vec::new();
        for d in &t.dims {
            let begin = d.begin.as_deref().and_then(parse_number).ok_or_else(|| {
                bad(format!(
                    "band {:?} has no beginRange/StartingRange",
                    d.rate_code
                ))
            })?;
            let end = match d.end.as_deref() {
                Some("Inf") => None,
                Some(e) => Some(parse_number(e).ok_or_else(|| {
                    bad(format!("band {:?}: end {e:?} is not a number", d.rate_code))
                })?),
                None => return Err(bad(format!("band {:?} has no end", d.rate_code))),
            };
            bands.push((begin, end, self.dim_price(path, d, &t.sku, &t.at)?));
        }
        bands.sort_by_key(|a| a.0);
        let mut tiers = Vec::new();
        let mut expect = Decimal::ZERO;
        let n = bands.len();
        for (i, (begin, end, usd)) in bands.into_iter().enumerate() {
            if begin != expect {
                return Err(bad(format!(
                    "bands are not contiguous: one starts at {begin}, the one before ends at {expect}"
                )));
            }
            match (end, i + 1 == n) {
                (Some(e), false) if e > begin => expect = e,
                (None, true) => {}
                _ => return Err(bad("bands must end with one open-ended (Inf) band".into())),
            }
            tiers.push(Tier { up_to: end, usd });
        }
        Ok(Value::Tiers(tiers))
    }

    fn price_term(&mut self, m: &Mapping, t: &Term) -> Result<(), OfferError> {
        match m {
            Mapping::Skip | Mapping::Plan { .. } => Ok(()),
            Mapping::Key(path) => {
                if t.is_reserved() {
                    self.skip("a Reserved term of a non-EC2 product");
                    return Ok(());
                }
                let v = self.dims_value(path, t)?;
                self.put(path.clone(), v, &t.sku)
            }
            Mapping::Free(path) => {
                let bad = |m: String| self.sku_err(&t.sku, &t.at, m);
                let [d] = t.dims.as_slice() else {
                    return Err(bad("a free-tier SKU with several dimensions".into()));
                };
                let price = parse_number(&d.price);
                let end = d.end.as_deref().and_then(parse_number);
                match (price, end) {
                    (Some(p), Some(e)) if p.is_zero() => {
                        self.free.insert(path.clone(), (e, t.sku.clone()));
                        Ok(())
                    }
                    _ => Err(bad(format!(
                        "a free-tier SKU must be $0 up to a number, got {:?} up to {:?}",
                        d.price, d.end
                    ))),
                }
            }
            Mapping::Ec2 {
                itype,
                platform,
                tenancy,
            } => {
                let ty = itype.as_str();
                if !t.is_reserved() {
                    let path = ec2_path(*platform, *tenancy, &["on_demand", ty]);
                    let [d] = t.dims.as_slice() else {
                        return Err(self.sku_err(
                            &t.sku,
                            &t.at,
                            format!("an On-Demand term with {} price dimensions", t.dims.len()),
                        ));
                    };
                    let v = self.dim_price(&path, d, &t.sku, &t.at)?;
                    return self.put(path, Value::Flat(v), &t.sku);
                }
                let get = |k: &str| t.attrs.get(k).map(String::as_str).unwrap_or("");
                let option = match (get("leasecontractlength"), get("purchaseoption")) {
                    ("1yr", "No Upfront") => PurchaseOption::Reserved1yrNoUpfront,
                    ("1yr", "Partial Upfront") => PurchaseOption::Reserved1yrPartialUpfront,
                    ("1yr", "All Upfront") => PurchaseOption::Reserved1yrAllUpfront,
                    ("3yr", "No Upfront") => PurchaseOption::Reserved3yrNoUpfront,
                    ("3yr", "Partial Upfront") => PurchaseOption::Reserved3yrPartialUpfront,
                    ("3yr", "All Upfront") => PurchaseOption::Reserved3yrAllUpfront,
                    _ => {
                        self.skip("EC2: a Reserved term costlab does not know (old utilization offerings)");
                        return Ok(());
                    }
                };
                let class = match get("offeringclass") {
                    "standard" | "" => "reserved",
                    "convertible" => "reserved_convertible",
                    _ => {
                        self.skip("EC2: a Reserved offering class costlab does not know");
                        return Ok(());
                    }
                };
                for d in &t.dims {
                    let part = if d.unit == "Quantity" {
                        "upfront"
                    } else {
                        "hourly"
                    };
                    let path = ec2_path(*platform, *tenancy, &[class, option.as_str(), part, ty]);
                    let v = self.dim_price(&path, d, &t.sku, &t.at)?;
                    self.put(path, Value::Flat(v), &t.sku)?;
                }
                Ok(())
            }
        }
    }

    fn price_rate(&mut self, m: &Mapping, r: &SpRate) -> Result<(), OfferError> {
        let Mapping::Plan { kind, plan } = m else {
            return Ok(());
        };
        let (prefix, rest) = split_usage_type(&r.usage_type);
        let region = match (&r.region_code, prefix) {
            (Some(rc), _) => Some(rc.clone()),
            (None, Some(px)) => code_of_prefix(px).map(str::to_string),
            (None, None) => Some("us-east-1".to_string()),
        };
        if region.as_deref() != Some(self.region.as_str()) {
            self.skip("Savings Plans: a rate for another region");
            return Ok(());
        }
        if r.service.as_deref().is_some_and(|s| s != "AmazonEC2") {
            self.skip("Savings Plans: a rate for Fargate, Lambda or another service");
            return Ok(());
        }
        let (kind_ut, ty) = rest.split_once(':').unwrap_or((rest, ""));
        let tenancy = match kind_ut {
            "BoxUsage" => Tenancy::Shared,
            "DedicatedUsage" => Tenancy::Dedicated,
            _ => {
                self.skip("Savings Plans: not an instance-hour usage type");
                return Ok(());
            }
        };
        let platform = match r.operation.as_deref() {
            Some("RunInstances") => Platform::Linux,
            Some("RunInstances:0002") => Platform::Windows,
            Some("RunInstances:0010") => Platform::Rhel,
            Some("RunInstances:000g") => Platform::Suse,
            Some(_) => {
                self.skip("Savings Plans: an operation costlab does not price (BYOL, SQL, HA)");
                return Ok(());
            }
            None => {
                self.skip(
                    "Savings Plans: a rate without discountedOperation (its platform is unknown)",
                );
                return Ok(());
            }
        };
        let Ok(itype) = InstanceType::parse(ty) else {
            self.skip("Savings Plans: no instance type");
            return Ok(());
        };
        let dim = Dim {
            unit: r.unit.clone().unwrap_or_else(|| "Hrs".into()),
            price: r.price.clone(),
            currency: r.currency.clone().unwrap_or_default(),
            ..Dim::default()
        };
        let path = ec2_path(
            platform,
            tenancy,
            &["savings_plans", kind, plan, itype.as_str()],
        );
        let v = self.dim_price(&path, &dim, &r.sp_sku, &r.at)?;
        self.put(path, Value::Flat(v), &r.sp_sku)
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::Flat(d) => crate::units::decimal_text(*d),
        Value::Bool(b) => b.to_string(),
        Value::Tiers(ts) => ts
            .iter()
            .map(|t| match t.up_to {
                Some(u) => format!("{} to {}", crate::units::decimal_text(t.usd), u),
                None => crate::units::decimal_text(t.usd),
            })
            .collect::<Vec<_>>()
            .join(", "),
    }
}

impl Sink for Importer {
    fn meta(&mut self, m: &OfferMeta) -> Result<(), OfferError> {
        if let Some(cur) = self.offers.last_mut() {
            let file = cur.file.clone();
            *cur = m.clone();
            cur.file = file;
        }
        Ok(())
    }

    fn product(&mut self, p: Product) -> Result<(), OfferError> {
        self.products_read += 1;
        let m = self.classify(&p)?;
        self.products.insert(p.sku, m);
        Ok(())
    }

    fn term(&mut self, t: Term) -> Result<(), OfferError> {
        self.terms_read += 1;
        match self.products.get(&t.sku).cloned() {
            Some(m) => self.price_term(&m, &t),
            None => {
                self.pending_terms.push(t);
                Ok(())
            }
        }
    }

    fn sp_rate(&mut self, r: SpRate) -> Result<(), OfferError> {
        self.rates_read += 1;
        match self.products.get(&r.sp_sku).cloned() {
            Some(m) => self.price_rate(&m, &r),
            None => {
                self.pending_rates.push(r);
                Ok(())
            }
        }
    }
}

/// The costlab key of an S3 usage type (region prefix removed) and operation.
fn s3_key(rest: &str, op: Option<&str>) -> Option<PricePath> {
    let k = |segs: &[&str]| Some(PricePath::new(segs.iter().copied()));
    // Lifecycle transitions are told apart by operation (Requests-Tier3 and -Tier4 hold
    // several SKUs at different prices).
    let transition = match op {
        Some("S3-SIATransition") => Some("STANDARD_IA"),
        Some("S3-ZIATransition") => Some("ONEZONE_IA"),
        Some("S3-INTTransition") => Some("INTELLIGENT_TIERING"),
        Some("S3-GIRTransition") => Some("GLACIER_IR"),
        Some("S3-GlacierTransition") => Some("GLACIER"),
        Some("S3-GDATransition") => Some("DEEP_ARCHIVE"),
        _ => None,
    };
    if let Some(c) = transition {
        return k(&["s3", "transitions", c]);
    }
    if let Some(class) = rest
        .strip_prefix("TimedStorage-")
        .and_then(|s| s.strip_suffix("ByteHrs"))
    {
        let segs: &[&str] = match class {
            "" => &["STANDARD"],
            "SIA-" => &["STANDARD_IA"],
            "ZIA-" => &["ONEZONE_IA"],
            "GIR-" => &["GLACIER_IR"],
            "Glacier" => &["GLACIER"],
            "GDA-" => &["DEEP_ARCHIVE"],
            "RRS-" => &["REDUCED_REDUNDANCY"],
            "XZ-" => &["EXPRESS_ONEZONE"],
            "INT-FA-" => &["INTELLIGENT_TIERING", "FREQUENT"],
            "INT-IA-" => &["INTELLIGENT_TIERING", "INFREQUENT"],
            "INT-AIA-" => &["INTELLIGENT_TIERING", "ARCHIVE_INSTANT"],
            "INT-AA-" => &["INTELLIGENT_TIERING", "ARCHIVE"],
            "INT-DAA-" => &["INTELLIGENT_TIERING", "DEEP_ARCHIVE"],
            _ => return None,
        };
        let mut v = vec!["s3", "storage"];
        v.extend(segs);
        return k(&v);
    }
    if let Some(r) = rest.strip_prefix("Requests-") {
        let (class, tier) = match r.rsplit_once('-') {
            Some((c, t)) => (Some(c), t),
            None => (None, r),
        };
        let class = match class {
            None => "STANDARD",
            Some("SIA") => "STANDARD_IA",
            Some("ZIA") => "ONEZONE_IA",
            Some("GIR") => "GLACIER_IR",
            Some("INT") => "INTELLIGENT_TIERING",
            Some("GLACIER") => "GLACIER",
            Some("GDA") => "DEEP_ARCHIVE",
            Some("XZ") => "EXPRESS_ONEZONE",
            Some(_) => return None,
        };
        return match (class, tier, op) {
            (_, "Tier1", _) => k(&["s3", "requests", class, "tier1"]),
            (_, "Tier2", _) => k(&["s3", "requests", class, "tier2"]),
            ("STANDARD", "Tier6", _) => k(&["s3", "restore", "GLACIER", "expedited", "requests"]),
            ("STANDARD", "Tier3", Some("RestoreObject")) => {
                k(&["s3", "restore", "GLACIER", "standard", "requests"])
            }
            ("STANDARD", "Tier5", _) => k(&["s3", "restore", "GLACIER", "bulk", "requests"]),
            ("DEEP_ARCHIVE", "Tier3", _) => {
                k(&["s3", "restore", "DEEP_ARCHIVE", "standard", "requests"])
            }
            ("DEEP_ARCHIVE", "Tier5", _) => {
                k(&["s3", "restore", "DEEP_ARCHIVE", "bulk", "requests"])
            }
            _ => None,
        };
    }
    let source = match op {
        Some("RestoreObject") => Some("GLACIER"),
        Some("DeepArchiveRestoreObject") => Some("DEEP_ARCHIVE"),
        _ => None,
    };
    match rest {
        "Retrieval-SIA" => k(&["s3", "retrieval", "STANDARD_IA"]),
        "Retrieval-ZIA" => k(&["s3", "retrieval", "ONEZONE_IA"]),
        "Retrieval-GIR" => k(&["s3", "retrieval", "GLACIER_IR"]),
        "Retrieval-XZ" => k(&["s3", "retrieval", "EXPRESS_ONEZONE"]),
        "Upload-XZ" => k(&["s3", "upload", "EXPRESS_ONEZONE"]),
        "Expedited-Retrieval-Bytes" => k(&["s3", "restore", "GLACIER", "expedited", "gb"]),
        "Standard-Retrieval-Bytes" => {
            source.and_then(|s| k(&["s3", "restore", s, "standard", "gb"]))
        }
        "Bulk-Retrieval-Bytes" => source.and_then(|s| k(&["s3", "restore", s, "bulk", "gb"])),
        "Monitoring-Automation-INT" => k(&["s3", "monitoring", "INTELLIGENT_TIERING"]),
        "Inventory-ObjectsListed" => k(&["s3", "inventory", "objects_listed"]),
        "StorageAnalytics-ObjCount" => k(&["s3", "storage_class_analysis", "objects_monitored"]),
        "TagStorage-TagHrs" => k(&["s3", "tagging", "tags"]),
        "BatchOperations-Jobs" => k(&["s3", "batch_operations", "job"]),
        "BatchOperations-Objects" => k(&["s3", "batch_operations", "objects"]),
        _ => None,
    }
}
