//! AWS Price List offer files imported into costlab books: every trap of the corpus slices
//! (../shared/corpus/price-list/SOURCES.md), prices checked against the files by SKU, the
//! bundled books checked against the slices that cover them, the round trip through
//! `pricing show`, and `estimate` on an imported region against a hand-computed bill.

use std::path::{Path, PathBuf};
use std::process::Command;

use costlab::aws::Region;
use costlab::pricing::offers::{OfferError, import_files};
use costlab::pricing::{Catalog, PriceBook, PricePath, Tier, Value};
use rust_decimal::Decimal;

fn corpus(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/price-list")
        .join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipping: {} is absent", p.display());
        None
    }
}

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/pricing/offers")
        .join(rel)
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn path(s: &[&str]) -> PricePath {
    PricePath::new(s.iter().copied())
}

/// The book `costlab pricing import` would write, loaded.
fn book(files: &[PathBuf], region: &str) -> PriceBook {
    let dir = tempfile::tempdir().unwrap();
    for f in files {
        std::fs::copy(f, dir.path().join(f.file_name().unwrap())).unwrap();
    }
    PriceBook::from_offer_files(dir.path(), &Region::parse(region).unwrap())
        .unwrap_or_else(|e| panic!("{e}"))
}

fn flat(b: &PriceBook, p: &[&str]) -> Option<Decimal> {
    b.flat(&path(p))
}

fn import_err(files: &[PathBuf], region: &str) -> String {
    match import_files(files, &Region::parse(region).unwrap()) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

fn costlab() -> Command {
    Command::new(env!("CARGO_BIN_EXE_costlab"))
}

// ───────────────────────── EC2 ─────────────────────────

/// Trap 1: H7NGEAC6UEHNTKSJ ($32.7726) and its $0 Capacity Block twin YSXJGN78QTXNVGDQ share
/// the usage type: the twin is left out by `marketoption`, whatever the order.
#[test]
fn capacity_block_twin_never_prices_p4d_at_zero() {
    let Some(f) = corpus("opencost/pricing-us-east-1.json") else {
        return;
    };
    let b = book(std::slice::from_ref(&f), "us-east-1");
    assert_eq!(
        flat(&b, &["ec2", "on_demand", "p4d.24xlarge"]),
        Some(d("32.7726"))
    );
    assert_eq!(
        flat(&b, &["ec2", "specs", "p4d.24xlarge", "vcpu"]),
        Some(d("96"))
    );
    assert_eq!(
        flat(&b, &["ec2", "specs", "p4d.24xlarge", "memory_gib"]),
        Some(d("1152"))
    );
    assert_eq!(
        flat(
            &b,
            &["ec2", "specs", "p4d.24xlarge", "normalization_factor"]
        ),
        Some(d("192"))
    );
    let imp = import_files(&[f], &Region::parse("us-east-1").unwrap()).unwrap();
    assert_eq!(
        imp.skipped
            .get("EC2: Capacity Block (marketoption other than OnDemand)"),
        Some(&1)
    );
    // Every table names its publication.
    let p = b.publications();
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].version, "20240528203522");
    assert_eq!(p[0].published, "2024-05-28T20:35:22Z");
    assert_eq!(b.effective_date, "2024-05-28");
    assert!(
        p[0].url
            .ends_with("/AmazonEC2/20240528203522/us-east-1/index.json")
    );
}

/// Trap 2: a Reserved term (3yr convertible All Upfront, $1161) sits under `terms.OnDemand`,
/// `attributesList` under `terms`; the m5.large has no hourly On-Demand price; the Windows
/// BYOL p3 and the EBS and NLB products are not instance prices a user pays.
#[test]
fn hand_assembled_file_is_read_by_term_attributes() {
    let Some(f) = corpus("opencost/pricing-us-east-2.json") else {
        return;
    };
    let b = book(&[f], "us-east-2");
    assert_eq!(
        flat(
            &b,
            &[
                "ec2",
                "reserved_convertible",
                "reserved_3yr_all_upfront",
                "upfront",
                "m5.large"
            ]
        ),
        Some(d("1161"))
    );
    assert_eq!(flat(&b, &["ec2", "on_demand", "m5.large"]), None);
    assert!(
        !b.entries
            .keys()
            .any(|k| k.0.iter().any(|s| s == "p3.8xlarge"))
    );
    // A price the book lacks names the key, the region and the offer file read.
    let err = b
        .price(&costlab::pricing::PriceKey::Ec2Hourly(
            costlab::aws::InstanceType::parse("m5.large").unwrap(),
            costlab::aws::PurchaseOption::OnDemand,
        ))
        .unwrap_err()
        .to_string();
    assert!(err.contains("ec2.on_demand.\"m5.large\""), "{err}");
    assert!(err.contains("us-east-2"), "{err}");
    assert!(err.contains("pricing-us-east-2.json"), "{err}");
    assert!(err.contains("AmazonEC2 20230322145651"), "{err}");
}

/// Reserved terms (ice, 2017): every option with its hourly and upfront parts, standard and
/// convertible; "Upfront Fee" dimensions without ranges (trap 3), integer prices (trap 4).
/// The Singapore SKU is Linux with SQL Enterprise pre-installed: not a Linux price.
#[test]
fn reserved_terms_with_upfront_and_hourly_parts() {
    let Some(f) = corpus("rudderlabs-ice/PriceListTestData.json") else {
        return;
    };
    let b = book(std::slice::from_ref(&f), "us-east-1");
    let ri = |class: &str, opt: &str, part: &str| flat(&b, &["ec2", class, opt, part, "t2.small"]);
    assert_eq!(
        flat(&b, &["ec2", "on_demand", "t2.small"]),
        Some(d("0.023"))
    );
    assert_eq!(
        ri("reserved", "reserved_1yr_partial_upfront", "hourly"),
        Some(d("0.008"))
    );
    assert_eq!(
        ri("reserved", "reserved_1yr_partial_upfront", "upfront"),
        Some(d("70"))
    );
    assert_eq!(
        ri("reserved", "reserved_3yr_no_upfront", "hourly"),
        Some(d("0.0121"))
    );
    assert_eq!(ri("reserved", "reserved_3yr_no_upfront", "upfront"), None);
    assert_eq!(
        ri(
            "reserved_convertible",
            "reserved_3yr_all_upfront",
            "upfront"
        ),
        Some(d("332"))
    );
    assert_eq!(
        ri("reserved_convertible", "reserved_3yr_all_upfront", "hourly"),
        Some(d("0"))
    );
    // Imported prices are confirmed.
    for e in b.entries.values() {
        if b.table_of(e).publication.is_some() {
            assert_eq!(e.confidence, costlab::pricing::Confidence::Confirmed);
        }
    }
    let err = import_err(&[f], "ap-southeast-1");
    assert!(err.contains("no price for ap-southeast-1"), "{err}");
    assert!(err.contains("pre-installed software"), "{err}");
}

/// Every attribute filter, one SKU each (a synthetic file in the AWS layout): capacity
/// reservations (unused and allocated), Dedicated Host, Capacity Block, pre-installed SQL, a
/// Local Zone and EBS are left out; Linux shared, Linux dedicated and Windows are priced at
/// their own keys; `USW2-` is stripped.
#[test]
fn every_ec2_filter_by_attribute() {
    let f = fixture("ec2-traps-us-west-2.json");
    let b = book(std::slice::from_ref(&f), "us-west-2");
    assert_eq!(
        flat(&b, &["ec2", "on_demand", "c6a.xlarge"]),
        Some(d("0.153"))
    );
    assert_eq!(
        flat(
            &b,
            &[
                "ec2",
                "platform",
                "linux",
                "dedicated",
                "on_demand",
                "c6a.xlarge"
            ]
        ),
        Some(d("0.169"))
    );
    assert_eq!(
        flat(
            &b,
            &[
                "ec2",
                "platform",
                "windows",
                "shared",
                "on_demand",
                "c6a.xlarge"
            ]
        ),
        Some(d("0.337"))
    );
    assert_eq!(
        flat(
            &b,
            &[
                "ec2",
                "reserved",
                "reserved_1yr_partial_upfront",
                "upfront",
                "c6a.xlarge"
            ]
        ),
        Some(d("402"))
    );
    let imp = import_files(&[f], &Region::parse("us-west-2").unwrap()).unwrap();
    for (why, n) in [
        ("EC2: capacity reservation (unused or allocated)", 1),
        ("EC2: capacity status other than Used", 1),
        ("EC2: Dedicated Host", 1),
        ("EC2: Capacity Block (marketoption other than OnDemand)", 1),
        ("EC2: pre-installed software", 1),
        ("another region (or a place costlab does not know)", 1),
        (
            "EC2: not an instance (EBS, load balancer, IP address, …)",
            1,
        ),
    ] {
        assert_eq!(imp.skipped.get(why), Some(&n), "{why}: {:?}", imp.skipped);
    }
}

/// The EC2 CSV (2025, 91 columns, trap 10 and 15): all 15 SKUs are what no user pays as a plain
/// platform price (SQL, Local Zone, capacity reservations, BYOL, Host, RHEL with HA, Ubuntu
/// Pro): nothing is imported, and the error says why.
#[test]
fn ec2_csv_sample_filters_every_variant() {
    let Some(f) = corpus("jtdelia-ec2-priceit/3-global-pricing-file-sample.csv") else {
        return;
    };
    let err = import_err(std::slice::from_ref(&f), "us-west-2");
    assert!(err.contains("Dedicated Host"), "{err}");
    let err = import_err(std::slice::from_ref(&f), "eu-central-1");
    assert!(err.contains("bring your own license"), "{err}");
    let err = import_err(&[f], "ap-southeast-2");
    assert!(err.contains("capacity reservation"), "{err}");
}

/// terracost's 2020 EC2 CSV (83 columns, EBS only, edited SKUs): read by header name; no
/// price.
#[test]
fn ec2_csv_of_2020_reads_by_header_name() {
    let Some(f) = corpus("terracost/AmazonEC2_eu-west-3.csv") else {
        return;
    };
    let err = import_err(&[f], "eu-west-3");
    assert!(err.contains("5 products read"), "{err}");
    // Its serviceCode was edited to `AmazonEC2-test` (trap 13): not a service costlab prices.
    assert!(
        err.contains("5 × a service costlab does not price"),
        "{err}"
    );
}

/// China (trap 4): priced in CNY; costlab's books are USD. The slice holds only gp3 storage,
/// so nothing is imported; a CNY instance price is an error naming the SKU.
#[test]
fn cny_prices_are_refused() {
    let Some(f) = corpus("opencost/pricing-cn-northwest-1.json") else {
        return;
    };
    let err = import_err(std::slice::from_ref(&f), "cn-northwest-1");
    assert!(err.contains("no price for cn-northwest-1"), "{err}");
    let text = std::fs::read_to_string(fixture("ec2-traps-us-west-2.json"))
        .unwrap()
        .replace("\"USD\" : \"0.1530000000\"", "\"CNY\" : \"1.1\"");
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("cny.json");
    std::fs::write(&p, text).unwrap();
    let err = import_err(&[p], "us-west-2");
    assert!(err.contains("LINUXSHARED00001"), "{err}");
    assert!(err.contains("CNY"), "{err}");
}

/// A unit costlab cannot convert is an error naming the SKU, never a zero.
#[test]
fn unknown_unit_is_an_error_naming_the_sku() {
    let text = std::fs::read_to_string(fixture("ec2-traps-us-west-2.json"))
        .unwrap()
        .replacen("\"unit\" : \"Hrs\"", "\"unit\" : \"Fortnights\"", 1);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("unit.json");
    std::fs::write(&p, text).unwrap();
    let err = import_err(&[p], "us-west-2");
    assert!(err.contains("SKU LINUXSHARED00001"), "{err}");
    assert!(err.contains("Fortnights"), "{err}");
}

/// Two SKUs that give one key different prices: an error naming both, not the last one.
#[test]
fn two_skus_at_one_key_disagreeing_is_an_error() {
    let text = std::fs::read_to_string(fixture("ec2-traps-us-west-2.json"))
        .unwrap()
        .replace("\"capacitystatus\" : \"UnusedCapacityReservation\"", "\"capacitystatus\" : \"Used\"")
        .replace("USW2-UnusedBox:c6a.xlarge", "USW2-BoxUsage:c6a.xlarge")
        .replace("\"USD\" : \"0.1530000000\" }, \"appliesTo\" : [ ] } }, \"termAttributes\" : { } } },\n      \"LINUXALLOC", "\"USD\" : \"0.1600000000\" }, \"appliesTo\" : [ ] } }, \"termAttributes\" : { } } },\n      \"LINUXALLOC");
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("twins.json");
    std::fs::write(&p, text).unwrap();
    let err = import_err(&[p], "us-west-2");
    assert!(err.contains("LINUXSHARED00001"), "{err}");
    assert!(err.contains("LINUXUNUSED00002"), "{err}");
    assert!(err.contains("disagree"), "{err}");
}

/// A malformed file: the file and the JSON path; a short CSV row: the file and the line.
#[test]
fn malformed_files_name_the_place() {
    let text = std::fs::read_to_string(fixture("ec2-traps-us-west-2.json")).unwrap();
    let cut = text.find("\"LINUXHOST0000004\" : { \"sku\"").unwrap() + 60;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("cut.json");
    std::fs::write(&p, &text[..cut]).unwrap();
    let err = import_files(&[p], &Region::parse("us-west-2").unwrap())
        .err()
        .unwrap();
    match &err {
        OfferError::Json { file, path, .. } => {
            assert!(file.ends_with("cut.json"));
            assert_eq!(path, "products.LINUXHOST0000004");
        }
        other => panic!("{other}"),
    }
    let p = dir.path().join("short.csv");
    std::fs::write(
        &p,
        "\"FormatVersion\",\"v1.0\"\n\"Version\",\"1\"\n\"SKU\",\"OfferTermCode\",\"Unit\",\"PricePerUnit\"\n\"A\",\"B\"\n",
    )
    .unwrap();
    let err = import_err(&[p], "us-west-2");
    assert!(err.contains("short.csv:4:"), "{err}");
}

// ───────────────────────── S3 ─────────────────────────

/// The S3 CSV (eu-west-1, 2018; CRLF, no final newline, StartingRange/EndingRange): storage
/// bands, requests per 1,000 (from per request), restore, tags. Descriptions are not data
/// (trap 5): "$0.023 per GB - first 50 TB" is priced 0.022.
#[test]
fn s3_csv_prices_by_sku() {
    let Some(f) = corpus("ligoj/AmazonS3-index-v2.csv") else {
        return;
    };
    let b = book(&[f], "eu-west-1");
    let bands = |v: &[(Option<&str>, &str)]| {
        Value::Tiers(
            v.iter()
                .map(|(u, p)| Tier {
                    up_to: u.map(d),
                    usd: d(p),
                })
                .collect(),
        )
    };
    // 4AJHPB29ZPVFADXP
    assert_eq!(
        b.entries[&path(&["s3", "storage", "STANDARD"])].value,
        bands(&[
            (Some("51200"), "0.022"),
            (Some("512000"), "0.021"),
            (None, "0.02")
        ])
    );
    // 2M7QTWC3ZQPKXMXZ: six bands.
    match &b.entries[&path(&["s3", "storage", "REDUCED_REDUNDANCY"])].value {
        Value::Tiers(t) => assert_eq!(t.len(), 6),
        other => panic!("{other:?}"),
    }
    assert_eq!(flat(&b, &["s3", "storage", "GLACIER"]), Some(d("0.004"))); // SX7QQVPF4M2A4YZ2
    assert_eq!(flat(&b, &["s3", "storage", "ONEZONE_IA"]), Some(d("0.009"))); // QESS8VZ4CR8YK5WX
    assert_eq!(
        flat(&b, &["s3", "requests", "STANDARD", "tier1"]),
        Some(d("0.005"))
    ); // 578M9UJHH6X5PZVC
    assert_eq!(
        flat(&b, &["s3", "requests", "STANDARD", "tier2"]),
        Some(d("0.0004"))
    ); // ZCQD4CM637S7D8U5
    assert_eq!(
        flat(&b, &["s3", "requests", "STANDARD_IA", "tier1"]),
        Some(d("0.01"))
    ); // UE87QRFFVNPNZBMQ
    assert_eq!(
        flat(&b, &["s3", "restore", "GLACIER", "expedited", "requests"]),
        Some(d("11"))
    ); // 8ZS7QH3VMN6RH428: $0.011 per request
    assert_eq!(
        flat(&b, &["s3", "restore", "GLACIER", "expedited", "gb"]),
        Some(d("0.03"))
    ); // VFY74QUQK299XCMC
    assert_eq!(flat(&b, &["s3", "tagging", "tags"]), Some(d("0.01"))); // XSHQ8DBPVANCKWDP
    assert_eq!(
        flat(&b, &["s3", "inventory", "objects_listed"]),
        Some(d("0.0025"))
    ); // GPZVNZK9FXJMN6H9
    // Standard/Bulk retrieval bytes without an operation could be Glacier or Deep Archive:
    // not guessed.
    assert_eq!(
        flat(&b, &["s3", "restore", "GLACIER", "standard", "gb"]),
        None
    );
}

/// Where the S3 slice covers a bundled eu-west-1 price. Request prices and Standard-IA agree;
/// storage differs, and the bundled book is right: the ligoj file is an edited 2018 fixture
/// (SOURCES.md trap 13) whose own descriptions say $0.023 (Standard) where its prices say
/// 0.022; AWS's eu-west-1 Standard first band has been $0.023 since Dec 2016, One Zone-IA
/// $0.01, and Glacier Flexible was cut from $0.004 to $0.0036 in Nov 2021.
#[test]
fn s3_slice_against_the_bundled_eu_west_1_book() {
    let Some(f) = corpus("ligoj/AmazonS3-index-v2.csv") else {
        return;
    };
    let imported = book(&[f], "eu-west-1");
    let bundled = Catalog::open(None, Some("eu-west-1")).unwrap();
    let bundled = bundled.home();
    for k in [
        &["s3", "requests", "STANDARD", "tier1"][..],
        &["s3", "requests", "STANDARD", "tier2"],
        &["s3", "requests", "STANDARD_IA", "tier1"],
        &["s3", "requests", "STANDARD_IA", "tier2"],
        &["s3", "requests", "ONEZONE_IA", "tier1"],
        &["s3", "requests", "ONEZONE_IA", "tier2"],
        &["s3", "storage", "STANDARD_IA"],
        &["s3", "retrieval", "STANDARD_IA"],
        &["s3", "retrieval", "ONEZONE_IA"],
    ] {
        assert_eq!(
            imported.first_band(&path(k)),
            bundled.first_band(&path(k)),
            "{k:?}"
        );
    }
    let differs = [
        (&["s3", "storage", "STANDARD"][..], "0.022", "0.023"),
        (&["s3", "storage", "ONEZONE_IA"], "0.009", "0.01"),
        (&["s3", "storage", "GLACIER"], "0.004", "0.0036"),
    ];
    for (k, file, book) in differs {
        assert_eq!(imported.first_band(&path(k)), Some(d(file)), "{k:?}");
        assert_eq!(bundled.first_band(&path(k)), Some(d(book)), "{k:?}");
    }
}

// ───────────────────────── Lambda and data transfer ─────────────────────────

/// The whole 2016 AWSLambda offer: requests per 1M from per request, GB-seconds spelt
/// `seconds` (trap 6), free tiers from the `Global-` SKUs (trap 8), and the AWSDataTransfer
/// products it carries (trap 7): internet bands (beginRange/endRange), inter-region rates per
/// destination.
#[test]
fn lambda_offer_with_free_tier_and_data_transfer() {
    let Some(f) = corpus("concurrencylabs/AWSLambda-index-20161207235208.json") else {
        return;
    };
    let b = book(std::slice::from_ref(&f), "us-east-1");
    let req = &b.entries[&path(&["lambda", "requests"])];
    assert_eq!(req.value, Value::Flat(d("0.2"))); // GU2ZS9HVP6QTQ7KE
    assert_eq!(req.free_allowance, Some(d("1000000"))); // ZQVCC2M69R4S79XS
    let dur = &b.entries[&path(&["lambda", "duration", "x86_64"])];
    assert_eq!(dur.value, Value::Flat(d("0.0000166667"))); // TG3M4CAGBA3NYQBH
    assert_eq!(dur.free_allowance, Some(d("400000"))); // 4VCGJ7EG8PJVZG7S
    // HQEH3ZWJVT46JHRG, its five bands out of order in the file.
    assert_eq!(
        b.entries[&path(&["transfer", "internet_out"])].value,
        Value::Tiers(vec![
            Tier {
                up_to: Some(d("1")),
                usd: d("0")
            },
            Tier {
                up_to: Some(d("10240")),
                usd: d("0.09")
            },
            Tier {
                up_to: Some(d("51200")),
                usd: d("0.085")
            },
            Tier {
                up_to: Some(d("153600")),
                usd: d("0.07")
            },
            Tier {
                up_to: None,
                usd: d("0.05")
            },
        ])
    );
    assert_eq!(
        flat(&b, &["transfer", "inter_region", "us-east-2"]),
        Some(d("0.01"))
    ); // GBSWCG32FV9G4PVY
    assert_eq!(
        flat(&b, &["transfer", "inter_region", "eu-west-1"]),
        Some(d("0.02"))
    ); // NW4B786HNAH6HZ7R (USE1-EU-…)
    assert_eq!(
        flat(&b, &["transfer", "inter_region", "us-gov-west-1"]),
        Some(d("0.02"))
    ); // J2FKWQYCNWT2R2V7
    // Another region of the same file: its own prefix (USE2-) stripped.
    let b2 = book(&[f], "us-east-2");
    assert_eq!(flat(&b2, &["lambda", "requests"]), Some(d("0.2")));
    assert_eq!(
        flat(&b2, &["transfer", "inter_region", "us-east-1"]),
        Some(d("0.01"))
    );
}

/// Where the Lambda/transfer slice covers bundled us-east-1 prices, they agree: Lambda
/// requests and first duration band, the free tiers, inter-region rates, and the internet
/// bands' prices and boundaries (the 2016 file's first GB free is the old free tier; costlab's
/// book takes the 100 GB allowance instead).
#[test]
fn lambda_slice_against_the_bundled_us_east_1_book() {
    let Some(f) = corpus("concurrencylabs/AWSLambda-index-20161207235208.json") else {
        return;
    };
    let imported = book(&[f], "us-east-1");
    let c = Catalog::open(None, Some("us-east-1")).unwrap();
    let bundled = c.home();
    for k in [
        &["lambda", "requests"][..],
        &["lambda", "duration", "x86_64"],
        &["transfer", "inter_region", "us-east-2"],
        &["transfer", "inter_region", "us-west-2"],
        &["transfer", "inter_region", "eu-west-1"],
        &["transfer", "inter_region", "us-gov-west-1"],
    ] {
        assert_eq!(
            imported.first_band(&path(k)),
            bundled.first_band(&path(k)),
            "{k:?}"
        );
    }
    assert_eq!(
        imported.entries[&path(&["lambda", "requests"])].free_allowance,
        bundled.entries[&path(&["lambda", "requests"])].free_allowance
    );
    let tiers = |b: &PriceBook| match &b.entries[&path(&["transfer", "internet_out"])].value {
        Value::Tiers(t) => t.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(tiers(&imported)[1..], tiers(bundled)[..]);
}

/// ligoj's Lambda CSV (no Disclaimer line: header on line 5, trap 9) says "EU (Ireland)" with
/// `APS3-` (Mumbai) usage types (trap 8): the file contradicts itself and is not guessed at.
#[test]
fn lambda_csv_contradicting_its_location_is_an_error() {
    let Some(f) = corpus("ligoj/AWSLambda-eu-west-1-index-v2.csv") else {
        return;
    };
    let err = import_err(&[f], "eu-west-1");
    assert!(err.contains("SKU QKVFMCSDP4AVPEE7 (line 6)"), "{err}");
    assert!(err.contains("APS3"), "{err}");
}

// ───────────────────────── Savings Plans and indexes ─────────────────────────

/// The Savings Plans CSV (unquoted, 24 columns, trap 9 and 11): EC2 Instance SP rates by
/// platform (the discounted operation) and tenancy (the usage type); BYOL/HA/Ubuntu Pro,
/// unused-reservation and host rates are left out.
#[test]
fn savings_plans_csv_rates_by_platform_and_tenancy() {
    let Some(f) = corpus("jtdelia-ec2-priceit/5-ap-east-2-savingsplan-pricing.csv") else {
        return;
    };
    let b = book(&[f], "ap-east-2");
    let sp = |p: &str, t: &str, ty: &str| {
        b.flat(&costlab::pricing::ec2_path(
            p.parse().unwrap(),
            t.parse().unwrap(),
            &["savings_plans", "ec2_instance", "3yr_partial_upfront", ty],
        ))
    };
    assert_eq!(sp("linux", "shared", "r7g.12xlarge"), Some(d("1.1721")));
    assert_eq!(sp("linux", "dedicated", "r7g.xlarge"), Some(d("0.1123")));
    assert_eq!(sp("rhel", "shared", "r7g.xlarge"), Some(d("0.1553")));
    assert_eq!(sp("rhel", "dedicated", "r7g.medium"), Some(d("0.0425"))); // 2JT7C3ZD2AXA73Q4.23PWZ6X8AQE4NKNR
    assert_eq!(sp("suse", "shared", "r7g.metal"), Some(d("1.6168")));
    // RunInstances:1010 (RHEL with HA) at 0.2399 is not RHEL's rate.
    assert_eq!(sp("rhel", "dedicated", "r7g.xlarge"), None);
    assert_eq!(b.publications()[0].offer, "AmazonComputeSavingsPlan");
    assert!(
        b.publications()[0]
            .url
            .contains("/savingsPlan/v1.0/aws/AWSComputeSavingsPlan/20250911184447/ap-east-2/")
    );
}

/// The Savings Plans JSON shape (arrays, trap 11) read; ligoj's hand-trimmed rates carry no
/// discountedOperation, so their platform is unknown and none is priced.
#[test]
fn savings_plans_json_without_operation_is_not_guessed() {
    let Some(f) = corpus("ligoj/AWSComputeSavingsPlan-eu-west-1-index.json") else {
        return;
    };
    let err = import_err(&[f], "eu-west-1");
    assert!(err.contains("3 products read"), "{err}");
    assert!(err.contains("without discountedOperation"), "{err}");
}

/// Region indexes in both shapes (trap 12) and the service index are not offer files: the
/// error gives the URL of the region's offer file.
#[test]
fn index_files_point_to_the_offer_file() {
    if let Some(f) = corpus("jtdelia-ec2-priceit/4-currentSavingsPlanIndexUrl-list.json") {
        let err = import_err(&[f], "eu-west-1");
        assert!(
            err.contains("https://pricing.us-east-1.amazonaws.com/savingsPlan/v1.0/aws/AWSComputeSavingsPlan/20250911184447/eu-west-1/index.json"),
            "{err}"
        );
    }
    if let Some(f) =
        corpus("timfanda35-aws-pricing-list-loader/service-comprehend-region_index.json")
    {
        let err = import_err(&[f], "ap-south-1");
        assert!(
            err.contains("/offers/v1.0/aws/comprehend/20260116160258/ap-south-1/index.json"),
            "{err}"
        );
    }
    if let Some(f) = corpus("timfanda35-aws-pricing-list-loader/aws-service-list-index.json") {
        let err = import_err(&[f], "us-east-1");
        assert!(err.contains("service index"), "{err}");
    }
}

// ───────────────────────── The CLI ─────────────────────────

/// import → book → `pricing show --format json` keeps every imported price, value for value.
#[test]
fn round_trip_import_book_show_keeps_every_price() {
    let files: Vec<(PathBuf, &str)> = [
        ("rudderlabs-ice/PriceListTestData.json", "us-east-1"),
        ("ligoj/AmazonS3-index-v2.csv", "eu-west-1"),
        (
            "concurrencylabs/AWSLambda-index-20161207235208.json",
            "us-east-1",
        ),
        (
            "jtdelia-ec2-priceit/5-ap-east-2-savingsplan-pricing.csv",
            "ap-east-2",
        ),
        ("opencost/pricing-us-east-1.json", "us-east-1"),
    ]
    .iter()
    .filter_map(|(f, r)| corpus(f).map(|p| (p, *r)))
    .collect();
    let dir = tempfile::tempdir().unwrap();
    for (i, (f, region)) in files.iter().enumerate() {
        let out = dir.path().join(format!("book{i}.toml"));
        let st = costlab()
            .args(["pricing", "import"])
            .arg(f)
            .args(["--region", region, "-o"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            st.status.success(),
            "{}",
            String::from_utf8_lossy(&st.stderr)
        );
        let imp = import_files(std::slice::from_ref(f), &Region::parse(region).unwrap()).unwrap();
        let shown = costlab()
            .args(["pricing", "show", "--format", "json", "--pricing"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(shown.status.success());
        let doc: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
        let entries = doc["entries"].as_array().unwrap();
        let book = PriceBook::load(&costlab::pricing::PricingSource::File(out.clone())).unwrap();
        for (k, found) in &imp.found {
            let e = &book.entries[k];
            assert_eq!(e.value, found.value, "{k}");
            assert_eq!(e.free_allowance, found.free_allowance, "{k}");
            let row = entries
                .iter()
                .find(|r| r["key"] == k.to_string())
                .unwrap_or_else(|| panic!("{k} not shown"));
            assert_eq!(row["confidence"], "confirmed", "{k}");
        }
        assert!(!doc["publications"].as_array().unwrap().is_empty());
    }
}

/// `estimate` on an imported eu-west-1 book reproduces a hand-computed bill, and the report
/// names the publication that priced it:
/// STANDARD 60,000 GB-months: 51,200 × 0.022 + 8,800 × 0.021 = 1,126.40 + 184.80 = 1,311.20;
/// ONEZONE_IA 1,000 GB-months × 0.009 = 9.00; 310,000 PUT × 0.005/1,000 = 1.55;
/// 620,000 GET × 0.0004/1,000 = 0.248. Total 1,321.998.
#[test]
fn estimate_on_an_imported_region_matches_the_hand_computed_bill() {
    let Some(f) = corpus("ligoj/AmazonS3-index-v2.csv") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let bookf = dir.path().join("aws-eu-west-1.toml");
    let st = costlab()
        .args(["pricing", "import"])
        .arg(&f)
        .args(["--region", "eu-west-1", "-o"])
        .arg(&bookf)
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let usage = dir.path().join("usage.toml");
    std::fs::write(
        &usage,
        "schema_version = 1\nregion = \"eu-west-1\"\n\n[[month]]\nmonth = \"2026-03\"\n\
         storage.STANDARD = { gb_months = 60000 }\nstorage.ONEZONE_IA = { gb_months = 1000 }\n\
         requests.STANDARD = { tier1 = 310000, tier2 = 620000 }\n",
    )
    .unwrap();
    let out = costlab()
        .arg("estimate")
        .arg(&usage)
        .arg("--pricing")
        .arg(&bookf)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["total_usd"].to_string(), "1321.998");
    let src = doc["pricing"]["source"].as_str().unwrap();
    assert!(
        src.contains("AmazonS3 20180404165311 (published 2018-04-04T16:53:11Z)"),
        "{src}"
    );
    assert_eq!(doc["pricing"]["effective_date"], "2018-04-04");
    // The same usage served straight from the offer files (`--pricing DIR`).
    let offers = dir.path().join("offers");
    std::fs::create_dir(&offers).unwrap();
    std::fs::copy(&f, offers.join("AmazonS3.csv")).unwrap();
    let out = costlab()
        .arg("estimate")
        .arg(&usage)
        .arg("--pricing")
        .arg(&offers)
        .args(["--region", "eu-west-1", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["total_usd"].to_string(), "1321.998");
    // A price the imported book lacks: the key, the region and the offer file.
    std::fs::write(
        &usage,
        "schema_version = 1\nregion = \"eu-west-1\"\n\n[[month]]\nmonth = \"2026-03\"\n\
         storage.GLACIER_IR = { gb_months = 10 }\n",
    )
    .unwrap();
    let out = costlab()
        .arg("estimate")
        .arg(&usage)
        .arg("--pricing")
        .arg(&bookf)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("s3.storage.GLACIER_IR"), "{err}");
    assert!(err.contains("eu-west-1"), "{err}");
    assert!(err.contains("AmazonS3 20180404165311"), "{err}");
}

/// `pricing diff`: changed, appeared and vanished, in text and JSON, with each side's
/// publication.
#[test]
fn diff_reports_changes_with_publications() {
    let Some(f) = corpus("concurrencylabs/AWSLambda-index-20161207235208.json") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let bookf = dir.path().join("lambda.toml");
    let st = costlab()
        .args(["pricing", "import"])
        .arg(&f)
        .args(["--region", "us-east-1", "-o"])
        .arg(&bookf)
        .output()
        .unwrap();
    assert!(st.status.success());
    let out = costlab()
        .args(["pricing", "diff", "us-east-1"])
        .arg(&bookf)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let changes = doc["changes"].as_array().unwrap();
    let find = |k: &str| changes.iter().find(|c| c["key"] == k);
    // Same price both sides: not a change.
    assert!(find("lambda.requests").is_none());
    assert!(find("transfer.inter_region.us-east-2").is_none());
    // The 2016 file prices Sao Paulo; the bundled book marks it unconfirmed at the same 0.02.
    assert!(find("transfer.inter_region.sa-east-1").is_none());
    let v = find("ec2.on_demand.\"m5.large\"").unwrap();
    assert_eq!(v["change"], "vanished");
    assert_eq!(v["old"], "0.096");
    let c = find("transfer.internet_out").unwrap();
    assert_eq!(c["change"], "changed");
    assert!(
        c["new_source"]
            .as_str()
            .unwrap()
            .contains("AWSLambda 20161207235208")
    );
    assert!(
        doc["new"]["publication"]
            .as_str()
            .unwrap()
            .contains("published 2016-12-07T23:52:08Z")
    );
    let text = costlab()
        .args(["pricing", "diff"])
        .arg(&bookf)
        .arg("us-east-1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("appeared  ec2.on_demand.\"m5.large\"  0.096"),
        "{text}"
    );
}
