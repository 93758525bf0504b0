//! Where an offer file's product is: AWS's location names and usage-type prefixes by region
//! code, the prefix stripped from a usage type, and the region a product belongs to.
//!
//! Offer files name a product's place three ways: `regionCode` (files since about 2020),
//! `location` (a display name such as `US East (N. Virginia)`; `fromLocation`/`toLocation` for
//! data transfer) and a prefix on the usage type (`USE2-BoxUsage:m5.large`). us-east-1's EC2,
//! S3 and Lambda usage types carry no prefix; eu-west-1's older ones carry `EU-`; free-tier
//! usage types carry `Global-` with location `Any`.

/// One region: its code, the usage-type prefixes AWS gives it, and its location names.
struct Place {
    code: &'static str,
    prefixes: &'static [&'static str],
    names: &'static [&'static str],
}

/// The regions costlab knows by name. A region missing here is still importable when the
/// offer file carries `regionCode`; its usage-type prefix is then only stripped, not checked.
const PLACES: &[Place] = &[
    p("us-east-1", &["USE1"], &["US East (N. Virginia)"]),
    p("us-east-2", &["USE2"], &["US East (Ohio)"]),
    p("us-west-1", &["USW1"], &["US West (N. California)"]),
    p("us-west-2", &["USW2"], &["US West (Oregon)"]),
    p("ca-central-1", &["CAN1"], &["Canada (Central)"]),
    p("ca-west-1", &[], &["Canada West (Calgary)"]),
    p(
        "eu-west-1",
        &["EU", "EUW1"],
        &["EU (Ireland)", "Europe (Ireland)"],
    ),
    p("eu-west-2", &["EUW2"], &["EU (London)", "Europe (London)"]),
    p("eu-west-3", &["EUW3"], &["EU (Paris)", "Europe (Paris)"]),
    p(
        "eu-central-1",
        &["EUC1"],
        &["EU (Frankfurt)", "Europe (Frankfurt)"],
    ),
    p(
        "eu-central-2",
        &["EUC2"],
        &["EU (Zurich)", "Europe (Zurich)"],
    ),
    p(
        "eu-north-1",
        &["EUN1"],
        &["EU (Stockholm)", "Europe (Stockholm)"],
    ),
    p("eu-south-1", &["EUS1"], &["EU (Milan)", "Europe (Milan)"]),
    p("eu-south-2", &["EUS2"], &["EU (Spain)", "Europe (Spain)"]),
    p("ap-northeast-1", &["APN1"], &["Asia Pacific (Tokyo)"]),
    p("ap-northeast-2", &["APN2"], &["Asia Pacific (Seoul)"]),
    p(
        "ap-northeast-3",
        &["APN3"],
        &["Asia Pacific (Osaka)", "Asia Pacific (Osaka-Local)"],
    ),
    p("ap-southeast-1", &["APS1"], &["Asia Pacific (Singapore)"]),
    p("ap-southeast-2", &["APS2"], &["Asia Pacific (Sydney)"]),
    p("ap-south-1", &["APS3"], &["Asia Pacific (Mumbai)"]),
    p("ap-southeast-3", &["APS4"], &["Asia Pacific (Jakarta)"]),
    p("ap-south-2", &["APS5"], &["Asia Pacific (Hyderabad)"]),
    p("ap-southeast-4", &["APS6"], &["Asia Pacific (Melbourne)"]),
    p("ap-southeast-5", &["APS7"], &["Asia Pacific (Malaysia)"]),
    p("ap-southeast-6", &["APS8"], &["Asia Pacific (New Zealand)"]),
    p("ap-southeast-7", &["APS9"], &["Asia Pacific (Thailand)"]),
    p("ap-east-1", &["APE1"], &["Asia Pacific (Hong Kong)"]),
    p("ap-east-2", &["APE2"], &["Asia Pacific (Taipei)"]),
    p("sa-east-1", &["SAE1"], &["South America (Sao Paulo)"]),
    p("me-south-1", &["MES1"], &["Middle East (Bahrain)"]),
    p("me-central-1", &["MEC1"], &["Middle East (UAE)"]),
    p("af-south-1", &["AFS1"], &["Africa (Cape Town)"]),
    p("il-central-1", &["ILC1"], &["Israel (Tel Aviv)"]),
    p("mx-central-1", &["MXC1"], &["Mexico (Central)"]),
    p(
        "us-gov-west-1",
        &["UGW1"],
        &["AWS GovCloud (US-West)", "AWS GovCloud (US)"],
    ),
    p("us-gov-east-1", &["UGE1"], &["AWS GovCloud (US-East)"]),
    p("cn-north-1", &["CNN1"], &["China (Beijing)"]),
    p("cn-northwest-1", &["CNW1"], &["China (Ningxia)"]),
];

const fn p(
    code: &'static str,
    prefixes: &'static [&'static str],
    names: &'static [&'static str],
) -> Place {
    Place {
        code,
        prefixes,
        names,
    }
}

/// The region code of a location name (`EU (Ireland)` → `eu-west-1`).
pub fn code_of_location(name: &str) -> Option<&'static str> {
    PLACES
        .iter()
        .find(|pl| pl.names.contains(&name))
        .map(|pl| pl.code)
}

/// The region code a usage-type prefix stands for (`USE2` → `us-east-2`, `EU` → `eu-west-1`).
pub fn code_of_prefix(prefix: &str) -> Option<&'static str> {
    PLACES
        .iter()
        .find(|pl| pl.prefixes.contains(&prefix))
        .map(|pl| pl.code)
}

/// A usage type split into its region prefix (if any) and the rest: `USE2-BoxUsage:m5.large`
/// → (`Some("USE2")`, `BoxUsage:m5.large`); `Global-Request` → (`Some("Global")`, `Request`);
/// `Requests-Tier1` → (`None`, `Requests-Tier1`). A prefix is the all-capitals-and-digits word
/// before the first `-` (2 to 5 characters), or `Global`.
pub fn split_usage_type(ut: &str) -> (Option<&str>, &str) {
    if let Some((head, rest)) = ut.split_once('-') {
        let caps = (2..=5).contains(&head.len())
            && head
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            && head.starts_with(|c: char| c.is_ascii_uppercase());
        if (caps || head == "Global") && !rest.is_empty() {
            return (Some(head), rest);
        }
    }
    (None, ut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_stripped_and_named() {
        assert_eq!(
            split_usage_type("USE2-BoxUsage:m5.large"),
            (Some("USE2"), "BoxUsage:m5.large")
        );
        assert_eq!(
            split_usage_type("EU-TimedStorage-ByteHrs"),
            (Some("EU"), "TimedStorage-ByteHrs")
        );
        assert_eq!(
            split_usage_type("Global-Lambda-GB-Second"),
            (Some("Global"), "Lambda-GB-Second")
        );
        // us-east-1 has no prefix; a mixed-case first word is not one.
        assert_eq!(split_usage_type("Requests-Tier1"), (None, "Requests-Tier1"));
        assert_eq!(
            split_usage_type("BoxUsage:p4d.24xlarge"),
            (None, "BoxUsage:p4d.24xlarge")
        );
        assert_eq!(
            split_usage_type("USE1-USW2-AWS-Out-Bytes"),
            (Some("USE1"), "USW2-AWS-Out-Bytes")
        );
        assert_eq!(code_of_prefix("APS3"), Some("ap-south-1"));
        assert_eq!(code_of_prefix("EU"), Some("eu-west-1"));
        assert_eq!(code_of_location("AWS GovCloud (US)"), Some("us-gov-west-1"));
        assert_eq!(code_of_location("Any"), None);
    }
}
