//! The job trace CSV: one row per job with its start, duration, size (vCPU, memory), the
//! instance type it needs (or `any`) and the service it runs on; optional checkpoint interval
//! and data volume. Columns come in any order and unknown ones are ignored. See
//! `docs/compute-evidence.md`.

use std::collections::HashMap;
use std::fmt;
use std::io::{Read, Write};
use std::path::Path;
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::aws::InstanceType;
use crate::units::Timestamp;

use super::error::{ComputeError, Mode, Problem, ReadSummary};
use super::table::{
    self, FieldError, Row, RowParser, Rows, bind_columns, parse_decimal, parse_time, parse_u64,
};

/// Where a job runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Service {
    Ec2,
    Emr,
    EmrServerless,
    Glue,
    Lambda,
    /// Any service the simulator finds cheapest.
    Any,
}

impl Service {
    pub const ALL: &'static [Service] = &[
        Service::Ec2,
        Service::Emr,
        Service::EmrServerless,
        Service::Glue,
        Service::Lambda,
        Service::Any,
    ];

    /// `ec2`, `emr`, `emr-serverless`, `glue`, `lambda`, `any`.
    pub fn as_str(self) -> &'static str {
        match self {
            Service::Ec2 => "ec2",
            Service::Emr => "emr",
            Service::EmrServerless => "emr-serverless",
            Service::Glue => "glue",
            Service::Lambda => "lambda",
            Service::Any => "any",
        }
    }

    /// Whether the service runs on instances the user picks (so an instance type means
    /// something): EC2, EMR and `any`.
    pub fn has_instances(self) -> bool {
        matches!(self, Service::Ec2 | Service::Emr | Service::Any)
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Service {
    type Err = String;
    /// Case-insensitive; `emr_serverless` is taken for `emr-serverless`.
    fn from_str(s: &str) -> Result<Service, String> {
        let lower = s.trim().to_ascii_lowercase().replace('_', "-");
        Service::ALL
            .iter()
            .copied()
            .find(|v| v.as_str() == lower)
            .ok_or_else(|| {
                format!(
                    "{s:?} is not a service; expected ec2, emr, emr-serverless, glue, lambda or any"
                )
            })
    }
}

/// The instance type a job asks for.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InstanceChoice {
    /// Any type with enough vCPU and memory.
    Any,
    Type(InstanceType),
}

impl fmt::Display for InstanceChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstanceChoice::Any => f.write_str("any"),
            InstanceChoice::Type(t) => write!(f, "{t}"),
        }
    }
}

/// One row of the job trace CSV.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobRecord {
    /// Unique within the file.
    pub job_id: String,
    pub start: Timestamp,
    /// Whole seconds, at least 1.
    pub duration_seconds: u64,
    /// vCPUs the job uses (fractions allowed, e.g. `0.25`), more than 0.
    pub vcpu: Decimal,
    /// Memory in GiB (2^30 bytes), more than 0.
    pub memory_gib: Decimal,
    pub instance_type: InstanceChoice,
    pub service: Service,
    /// Minutes between checkpoints (work lost on a Spot interruption is at most this).
    pub checkpoint_minutes: Option<u32>,
    /// GB (2^30 bytes) the job reads, when known.
    pub data_gb: Option<Decimal>,
}

impl JobRecord {
    /// The instant the job ends (start + duration), saturating.
    pub fn end(&self) -> Timestamp {
        let d = i64::try_from(self.duration_seconds).unwrap_or(i64::MAX);
        Timestamp(self.start.0.saturating_add(d))
    }
}

const COLUMNS: &[&str] = &[
    "job_id",
    "start",
    "duration",
    "vcpu",
    "memory_gib",
    "instance_type",
    "service",
    "checkpoint_minutes",
    "data_gb",
];
const REQUIRED: usize = 7;

/// Column indexes of one job file and the ids seen so far.
pub(crate) struct JobParser {
    idx: [usize; REQUIRED],
    checkpoint: Option<usize>,
    data_gb: Option<usize>,
    seen: HashMap<String, u64>,
}

impl RowParser for JobParser {
    type Record = JobRecord;
    type Options = ();

    fn bind(names: &[String], _: ()) -> Result<(Self, Vec<String>), (String, String)> {
        let (idx, ignored) = bind_columns(names, COLUMNS)?;
        let mut req = [0; REQUIRED];
        for (i, slot) in req.iter_mut().enumerate() {
            *slot = idx[i].ok_or_else(|| {
                (
                    COLUMNS[i].to_string(),
                    format!(
                        "header has no `{}` column; a job trace's header names job_id, start, \
                         duration, vcpu, memory_gib, instance_type and service",
                        COLUMNS[i]
                    ),
                )
            })?;
        }
        Ok((
            JobParser {
                idx: req,
                checkpoint: idx[7],
                data_gb: idx[8],
                seen: HashMap::new(),
            },
            ignored,
        ))
    }

    fn parse(&mut self, row: &Row<'_>) -> Result<JobRecord, FieldError> {
        let [id_i, start_i, dur_i, vcpu_i, mem_i, type_i, svc_i] = self.idx;
        let f = |i: usize| Some(row.name(i));
        let job_id = row.required(id_i)?;
        let s = row.required(start_i)?;
        let start = parse_time(s).ok_or_else(|| {
            (
                f(start_i),
                Problem::invalid(
                    s,
                    "a time like 2026-03-01T12:00:00Z or 2026-03-01 12:00:00 (UTC)",
                ),
            )
        })?;
        let d = row.required(dur_i)?;
        let duration_seconds = parse_duration(d).ok_or_else(|| {
            (
                f(dur_i),
                Problem::invalid(d, "a duration in whole seconds (at least 1) or HH:MM:SS"),
            )
        })?;
        let positive = |i: usize, what: &str| -> Result<Decimal, FieldError> {
            let v = row.required(i)?;
            parse_decimal(v)
                .filter(|d| *d > Decimal::ZERO)
                .ok_or_else(|| (f(i), Problem::invalid(v, what)))
        };
        let vcpu = positive(vcpu_i, "a number of vCPUs greater than 0")?;
        let memory_gib = positive(mem_i, "a memory size in GiB greater than 0")?;
        let t = row.required(type_i)?;
        let instance_type = if t.eq_ignore_ascii_case("any") {
            InstanceChoice::Any
        } else {
            InstanceChoice::Type(InstanceType::parse(t).map_err(|_| {
                (
                    f(type_i),
                    Problem::invalid(t, "an EC2 instance type like m5.xlarge, or any"),
                )
            })?)
        };
        let v = row.required(svc_i)?;
        let service: Service = v.parse().map_err(|_| {
            (
                f(svc_i),
                Problem::invalid(v, "one of ec2, emr, emr-serverless, glue, lambda, any"),
            )
        })?;
        if !service.has_instances() && instance_type != InstanceChoice::Any {
            return Err((
                f(type_i),
                Problem::Inconsistent(format!(
                    "service {service} does not run on instances you choose; write `any` as \
                     instance_type"
                )),
            ));
        }
        let checkpoint_minutes = match row.get(self.checkpoint)? {
            None => None,
            Some(c) => Some(
                parse_u64(c)
                    .filter(|m| *m > 0)
                    .and_then(|m| u32::try_from(m).ok())
                    .ok_or_else(|| {
                        (
                            self.checkpoint.and_then(f),
                            Problem::invalid(c, "a whole number of minutes greater than 0"),
                        )
                    })?,
            ),
        };
        let data_gb = match row.get(self.data_gb)? {
            None => None,
            Some(g) => Some(
                parse_decimal(g)
                    .filter(|d| *d >= Decimal::ZERO)
                    .ok_or_else(|| {
                        (
                            self.data_gb.and_then(f),
                            Problem::invalid(g, "a non-negative number of GB"),
                        )
                    })?,
            ),
        };
        if let Some(first_line) = self.seen.get(job_id) {
            return Err((
                f(id_i),
                Problem::Duplicate {
                    value: job_id.to_string(),
                    first_line: *first_line,
                },
            ));
        }
        self.seen.insert(job_id.to_string(), row.line);
        Ok(JobRecord {
            job_id: job_id.to_string(),
            start,
            duration_seconds,
            vcpu,
            memory_gib,
            instance_type,
            service,
            checkpoint_minutes,
            data_gb,
        })
    }
}

/// Parses `5400` (seconds) or `HH:MM:SS` (`01:30:00`; hours may exceed 24, minutes and seconds
/// below 60). Zero is refused.
pub fn parse_duration(s: &str) -> Option<u64> {
    let secs = if s.contains(':') {
        let mut parts = s.split(':');
        let (h, m, sec) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || m.len() != 2 || sec.len() != 2 {
            return None;
        }
        let (h, m, sec) = (parse_u64(h)?, parse_u64(m)?, parse_u64(sec)?);
        if m >= 60 || sec >= 60 {
            return None;
        }
        h.checked_mul(3600)?.checked_add(m * 60 + sec)?
    } else {
        parse_u64(s)?
    };
    (secs > 0).then_some(secs)
}

/// A streaming reader of one job trace CSV (plain, `.gz` or `.zst`, sniffed by content).
pub struct JobReader {
    rows: Rows<JobParser>,
}

impl JobReader {
    /// Opens `path` (`-` for standard input) and reads its header.
    pub fn open(path: &Path, mode: Mode) -> Result<JobReader, ComputeError> {
        Ok(JobReader {
            rows: Rows::open(path, mode, ())?,
        })
    }

    /// Reads from any reader; `name` names it in messages.
    pub fn from_reader<R: Read + Send + 'static>(
        reader: R,
        name: &Path,
        mode: Mode,
    ) -> Result<JobReader, ComputeError> {
        Ok(JobReader {
            rows: Rows::from_reader(reader, name, mode, ())?,
        })
    }

    /// The tally so far.
    pub fn summary(&self) -> &ReadSummary {
        self.rows.summary()
    }

    /// Reads every remaining record.
    pub fn read_all(self) -> Result<(Vec<JobRecord>, ReadSummary), ComputeError> {
        table::collect(self.rows)
    }
}

impl Iterator for JobReader {
    type Item = Result<JobRecord, ComputeError>;
    fn next(&mut self) -> Option<Self::Item> {
        self.rows.next()
    }
}

/// Reads a whole job trace.
pub fn read_jobs(path: &Path, mode: Mode) -> Result<(Vec<JobRecord>, ReadSummary), ComputeError> {
    JobReader::open(path, mode)?.read_all()
}

/// Writes records as a job trace CSV with header
/// `job_id,start,duration,vcpu,memory_gib,instance_type,service,checkpoint_minutes,data_gb`
/// (`start` in RFC 3339, `duration` in seconds, optional values empty when absent).
pub fn write_jobs_csv<W: Write>(out: W, records: &[JobRecord]) -> std::io::Result<()> {
    let mut w = ::csv::Writer::from_writer(out);
    w.write_record(COLUMNS)?;
    for r in records {
        let checkpoint = r
            .checkpoint_minutes
            .map(|c| c.to_string())
            .unwrap_or_default();
        let data = r.data_gb.map(|d| d.to_string()).unwrap_or_default();
        w.write_record([
            r.job_id.as_str(),
            r.start.rfc3339().as_str(),
            r.duration_seconds.to_string().as_str(),
            r.vcpu.to_string().as_str(),
            r.memory_gib.to_string().as_str(),
            r.instance_type.to_string().as_str(),
            r.service.as_str(),
            checkpoint.as_str(),
            data.as_str(),
        ])?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_seconds_or_clock_form() {
        assert_eq!(parse_duration("5400"), Some(5400));
        assert_eq!(parse_duration("01:30:00"), Some(5400));
        assert_eq!(parse_duration("100:00:01"), Some(360_001));
        assert_eq!(parse_duration("0:00:05"), Some(5));
        for bad in [
            "0",
            "00:00:00",
            "1:60:00",
            "1:00:60",
            "1:0:00",
            "1:00",
            "1:00:00:00",
            "-5",
            "1.5",
            "",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn services_parse_case_insensitively() {
        assert_eq!(
            "EMR_Serverless".parse::<Service>(),
            Ok(Service::EmrServerless)
        );
        assert_eq!("lambda".parse::<Service>(), Ok(Service::Lambda));
        assert!("batch".parse::<Service>().is_err());
        for s in Service::ALL {
            assert_eq!(s.as_str().parse::<Service>(), Ok(*s));
        }
        assert!(!Service::Glue.has_instances());
        assert!(Service::Emr.has_instances());
    }
}
