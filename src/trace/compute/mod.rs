//! Compute evidence: the hourly usage CSV ([`usage`]), the job trace CSV ([`jobs`]), spot
//! price history in its JSON, text and CSV forms ([`spot`]) and the price series built from it
//! ([`series`]), and a seeded generator of synthetic usage and jobs ([`demand`]). Readers take
//! plain, gzip or zstd input (CSV and text stream; JSON pages are read whole), name file, line
//! and field in their errors, skip and count bad lines in lenient mode or stop at the first in
//! strict mode, and never panic on any input. Formats: `docs/compute-evidence.md`.

pub mod demand;
pub mod error;
pub mod jobs;
pub mod series;
pub mod spot;
mod table;
pub mod usage;

pub use demand::{
    DemandSpec, JobClass, JobSpec, Seasonality, TypeDemand, generate_jobs, generate_usage,
};
pub use error::{BadLine, ComputeError, MAX_EXAMPLES, Mode, PriceConflict, Problem, ReadSummary};
pub use jobs::{
    InstanceChoice, JobReader, JobRecord, Service, parse_duration, read_jobs, write_jobs_csv,
};
pub use series::{PricePoint, SpotHistory, SpotKey, SpotSeries};
pub use spot::{
    Origin, SpotCsvRecords, SpotDefaults, SpotFormat, SpotRead, SpotRecord, SpotTextRecords, Zone,
    parse_spot_json, read_spot, read_spot_from,
};
pub use usage::{Os, UsageReader, UsageRecord, read_usage, write_usage_csv};
