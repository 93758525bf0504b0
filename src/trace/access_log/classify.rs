//! What a logged request is for billing and for the object's history.
//!
//! Request price tiers (s3-pricing-and-rules.md §1.2): tier 1 is PUT, COPY, POST and LIST (LIST
//! at STANDARD's rate whatever the class); tier 2 is GET, SELECT and every other request;
//! DELETE and CANCEL are free. Lifecycle actions (`S3.*` by `AmazonS3`) are not requests: their
//! charges are transitions (priced per target class) and nothing for expiration.
//!
//! Error responses, from AWS's "Billing for Amazon S3 error responses" page
//! (docs.aws.amazon.com/AmazonS3/latest/userguide/ErrorCodeBilling.html, read 2026-11-22; not in
//! shared/reference): 2xx and 4xx responses are billed, 5xx are not; the specific 3xx/4xx error
//! codes listed there are not billed; `AccessDenied` (403) is not billed when the request comes
//! from outside the bucket owner's account or organization — costlab can only know that for
//! anonymous requests (requester `-`), so authenticated 403s stay billed (conservative).

use super::record::Record;
use crate::aws::StorageClass;

/// How a record is billed as a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BillingClass {
    /// PUT, COPY, POST, LIST: tier-1 request price.
    Tier1,
    /// GET, HEAD and every other request: tier-2 request price.
    Tier2,
    /// DELETE and CANCEL (abort multipart upload): free.
    Free,
    /// The GET side of a copy (`REST.COPY.OBJECT_GET`, `REST.COPY.PART_GET`): not a request
    /// charge of its own (the copy is billed on its PUT side) but a read of the source object
    /// (retrieval fees, Intelligent-Tiering access).
    CopySourceRead,
    /// A lifecycle action by S3 (`S3.EXPIRE.OBJECT`, `S3.TRANSITION_*`, …): not a request.
    Lifecycle,
    /// Records S3 writes for its own work (`S3.RESTORE.OBJECT`, batch checksum jobs): not billed
    /// as requests.
    System,
    /// An error response that is not billed (5xx, the listed 3xx/4xx codes, anonymous 403).
    UnbilledError,
}

impl BillingClass {
    pub fn as_str(self) -> &'static str {
        match self {
            BillingClass::Tier1 => "tier1",
            BillingClass::Tier2 => "tier2",
            BillingClass::Free => "free",
            BillingClass::CopySourceRead => "copy_source_read",
            BillingClass::Lifecycle => "lifecycle",
            BillingClass::System => "system",
            BillingClass::UnbilledError => "unbilled_error",
        }
    }
}

/// What a record does to an object's history (for replay and statistics).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    /// An object version is written (PUT, POST form upload, COPY destination, completed
    /// multipart upload).
    Write,
    /// The object's data is read (GET, website GET, copy source).
    Read,
    /// Metadata only (HEAD): not an access for Intelligent-Tiering (§2.4).
    Head,
    /// A user delete (DELETE object, multi-object delete entry).
    Delete,
    MultipartStart,
    MultipartPart,
    MultipartAbort,
    /// RestoreObject requested.
    RestoreRequest,
    List,
    LifecycleExpire,
    LifecycleDeleteMarker,
    LifecycleTransition(StorageClass),
    LifecycleAbortMultipart,
    /// Bucket-level or configuration requests, and anything else.
    Other,
}

/// Error codes under 3xx/4xx that are not billed: those visible on the AWS page cited above
/// (the list there is longer; codes not named here stay billed).
const UNBILLED_ERROR_CODES: &[&str] = &[
    "PermanentRedirect",
    "PermanentRedirectControlError",
    "TemporaryRedirect",
    "AuthorizationHeaderMalformed",
    "AuthorizationQueryParametersError",
    "ConnectionClosedByRequester",
    "DeviceNotActiveError",
    "EndpointNotFound",
    "ExpiredToken",
];

/// The record's action on its object.
pub fn action(op: &str) -> Action {
    match op {
        "REST.PUT.OBJECT" | "REST.POST.OBJECT" | "REST.COPY.OBJECT" | "REST.POST.UPLOAD" => {
            Action::Write
        }
        "REST.GET.OBJECT"
        | "WEBSITE.GET.OBJECT"
        | "REST.COPY.OBJECT_GET"
        | "REST.COPY.PART_GET" => Action::Read,
        "REST.HEAD.OBJECT" | "WEBSITE.HEAD.OBJECT" => Action::Head,
        "REST.DELETE.OBJECT" | "BATCH.DELETE.OBJECT" => Action::Delete,
        "REST.POST.UPLOADS" => Action::MultipartStart,
        "REST.PUT.PART" | "REST.COPY.PART" => Action::MultipartPart,
        "REST.DELETE.UPLOAD" => Action::MultipartAbort,
        "REST.POST.RESTORE" => Action::RestoreRequest,
        "REST.GET.BUCKET" | "REST.GET.BUCKETVERSIONS" | "REST.GET.UPLOADS" | "REST.GET.UPLOAD" => {
            Action::List
        }
        "S3.EXPIRE.OBJECT" => Action::LifecycleExpire,
        "S3.CREATE.DELETEMARKER" => Action::LifecycleDeleteMarker,
        "S3.DELETE.UPLOAD" => Action::LifecycleAbortMultipart,
        // s3-access-log-format.md, "Operations reported for lifecycle actions".
        "S3.TRANSITION_SIA.OBJECT" => Action::LifecycleTransition(StorageClass::StandardIa),
        "S3.TRANSITION_ZIA.OBJECT" => Action::LifecycleTransition(StorageClass::OnezoneIa),
        "S3.TRANSITION_INT.OBJECT" => Action::LifecycleTransition(StorageClass::IntelligentTiering),
        "S3.TRANSITION_GIR.OBJECT" => Action::LifecycleTransition(StorageClass::GlacierIr),
        "S3.TRANSITION.OBJECT" => Action::LifecycleTransition(StorageClass::Glacier),
        "S3.TRANSITION_GDA.OBJECT" => Action::LifecycleTransition(StorageClass::DeepArchive),
        _ => Action::Other,
    }
}

/// The request class of an operation alone, ignoring the response.
pub fn operation_class(op: &str) -> BillingClass {
    let mut parts = op.split('.');
    let (kind, method) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    match kind {
        "S3" => match op {
            "S3.RESTORE.OBJECT" | "S3.COMPUTE.OBJECT.CHECKSUM" => BillingClass::System,
            _ => BillingClass::Lifecycle,
        },
        // One record per key of a multi-object delete (the POST itself is logged separately).
        "BATCH" => BillingClass::Free,
        "REST" | "WEBSITE" => match (method, op) {
            (_, "REST.COPY.OBJECT_GET" | "REST.COPY.PART_GET") => BillingClass::CopySourceRead,
            ("PUT" | "POST" | "COPY", _) => BillingClass::Tier1,
            // LIST requests (ListObjects(V2), ListObjectVersions, ListMultipartUploads, ListParts).
            (
                _,
                "REST.GET.BUCKET"
                | "REST.GET.BUCKETVERSIONS"
                | "REST.GET.UPLOADS"
                | "REST.GET.UPLOAD",
            ) => BillingClass::Tier1,
            ("DELETE", _) => BillingClass::Free,
            _ => BillingClass::Tier2,
        },
        // SOAP.<ApiName>: writes and lists are tier 1.
        "SOAP" => {
            let m = method.to_ascii_lowercase();
            if ["put", "copy", "post", "list", "create"]
                .iter()
                .any(|p| m.starts_with(p))
            {
                BillingClass::Tier1
            } else if m.starts_with("delete") {
                BillingClass::Free
            } else {
                BillingClass::Tier2
            }
        }
        _ => BillingClass::Tier2,
    }
}

/// The billing class of a record, response included.
pub fn billing_class(r: &Record<'_>) -> BillingClass {
    let class = operation_class(r.operation);
    if matches!(
        class,
        BillingClass::Lifecycle | BillingClass::System | BillingClass::Free
    ) {
        return class;
    }
    if let Some(status) = r.http_status {
        if status >= 500 {
            return BillingClass::UnbilledError;
        }
        let unbilled_code = r.error_code.is_some_and(|code| {
            UNBILLED_ERROR_CODES.contains(&code)
                || (code == "AccessDenied" && r.requester.is_none())
        });
        if unbilled_code {
            return BillingClass::UnbilledError;
        }
    }
    class
}
