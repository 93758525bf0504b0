//! The hourly usage CSV: how many instance-seconds of each instance type ran in each clock
//! hour (UTC). Columns `hour`, `instance_type`, and `instance_seconds` and/or `count`
//! (instances running the whole hour); optional `region` and `os`. Columns come in any order
//! and unknown ones are ignored. See `docs/compute-evidence.md`.

use std::fmt;
use std::io::{Read, Write};
use std::path::Path;
use std::str::FromStr;

use crate::aws::{InstanceType, Region};
use crate::units::{SECONDS_PER_HOUR, Timestamp};

use super::error::{ComputeError, Mode, Problem, ReadSummary};
use super::table::{self, FieldError, Row, RowParser, Rows, bind_columns, parse_time, parse_u64};

/// The operating system an instance-hour is billed for (it changes the price and, for SUSE,
/// the billing granularity).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Os {
    /// Linux/UNIX (Amazon Linux, Ubuntu, …): the default.
    #[default]
    Linux,
    Windows,
    /// Red Hat Enterprise Linux.
    Rhel,
    /// SUSE Linux.
    Suse,
}

impl Os {
    pub const ALL: &'static [Os] = &[Os::Linux, Os::Windows, Os::Rhel, Os::Suse];

    /// The spelling written by [`write_usage_csv`]: `linux`, `windows`, `rhel`, `suse`.
    pub fn as_str(self) -> &'static str {
        match self {
            Os::Linux => "linux",
            Os::Windows => "windows",
            Os::Rhel => "rhel",
            Os::Suse => "suse",
        }
    }

    /// The OS a spot `ProductDescription` is for (`Linux/UNIX (Amazon VPC)` → Linux,
    /// `SUSE Linux` → Suse, `Red Hat Enterprise Linux` → Rhel, `Windows` → Windows).
    pub fn from_product_description(p: &str) -> Option<Os> {
        let p = p.trim();
        let base = p.strip_suffix("(Amazon VPC)").unwrap_or(p).trim();
        match base {
            "Linux/UNIX" => Some(Os::Linux),
            "SUSE Linux" => Some(Os::Suse),
            "Red Hat Enterprise Linux" => Some(Os::Rhel),
            "Windows" => Some(Os::Windows),
            _ => None,
        }
    }
}

impl fmt::Display for Os {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Os {
    type Err = String;
    /// Case-insensitive: `linux`, `windows`, `rhel`, `suse`, and the spot product
    /// descriptions (`Linux/UNIX`, `Red Hat Enterprise Linux`, `SUSE Linux`, `Windows`).
    fn from_str(s: &str) -> Result<Os, String> {
        let lower = s.trim().to_ascii_lowercase();
        match lower.as_str() {
            "linux" | "linux/unix" => Ok(Os::Linux),
            "windows" => Ok(Os::Windows),
            "rhel" | "red hat enterprise linux" => Ok(Os::Rhel),
            "suse" | "suse linux" => Ok(Os::Suse),
            _ => Err(format!(
                "{s:?} is not an operating system; expected linux, windows, rhel or suse"
            )),
        }
    }
}

/// One row of the hourly usage CSV.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageRecord {
    /// Start of the clock hour (UTC, minutes and seconds zero).
    pub hour: Timestamp,
    pub instance_type: InstanceType,
    /// Instance-seconds run in this hour (`count × 3600` when only `count` is given).
    pub instance_seconds: u64,
    /// Instances running the whole hour, when the file gives it.
    pub count: Option<u64>,
    pub region: Option<Region>,
    pub os: Os,
}

const COLUMNS: &[&str] = &[
    "hour",
    "instance_type",
    "instance_seconds",
    "count",
    "region",
    "os",
];

/// Column indexes of one usage file.
pub(crate) struct UsageParser {
    hour: usize,
    instance_type: usize,
    instance_seconds: Option<usize>,
    count: Option<usize>,
    region: Option<usize>,
    os: Option<usize>,
}

impl RowParser for UsageParser {
    type Record = UsageRecord;
    type Options = ();

    fn bind(names: &[String], _: ()) -> Result<(Self, Vec<String>), (String, String)> {
        let (idx, ignored) = bind_columns(names, COLUMNS)?;
        let need = |i: usize| {
            idx[i].ok_or_else(|| {
                (
                    COLUMNS[i].to_string(),
                    format!(
                        "header has no `{}` column; a usage file's header names hour, \
                         instance_type and instance_seconds or count",
                        COLUMNS[i]
                    ),
                )
            })
        };
        let hour = need(0)?;
        let instance_type = need(1)?;
        if idx[2].is_none() && idx[3].is_none() {
            return Err((
                "instance_seconds".into(),
                "header has neither an `instance_seconds` nor a `count` column; add one".into(),
            ));
        }
        Ok((
            UsageParser {
                hour,
                instance_type,
                instance_seconds: idx[2],
                count: idx[3],
                region: idx[4],
                os: idx[5],
            },
            ignored,
        ))
    }

    fn parse(&mut self, row: &Row<'_>) -> Result<UsageRecord, FieldError> {
        let field = |i: usize| Some(row.name(i));
        let h = row.required(self.hour)?;
        let hour = parse_hour(h).map_err(|p| (field(self.hour), p))?;
        let t = row.required(self.instance_type)?;
        let instance_type = InstanceType::parse(t).map_err(|_| {
            (
                field(self.instance_type),
                Problem::invalid(t, "an EC2 instance type like m5.xlarge"),
            )
        })?;
        let whole = |i: usize, what: &str| -> Result<Option<u64>, FieldError> {
            match row.get(Some(i))? {
                None => Ok(None),
                Some(v) => parse_u64(v)
                    .map(Some)
                    .ok_or_else(|| (field(i), Problem::invalid(v, what))),
            }
        };
        let seconds = match self.instance_seconds {
            Some(i) => whole(i, "a non-negative whole number of instance-seconds")?,
            None => None,
        };
        let count = match self.count {
            Some(i) => whole(i, "a non-negative whole number of instances")?,
            None => None,
        };
        let instance_seconds = match (seconds, count) {
            (Some(s), Some(c)) => {
                let cap = c.saturating_mul(SECONDS_PER_HOUR);
                if s > cap {
                    return Err((
                        self.instance_seconds.and_then(field),
                        Problem::Inconsistent(format!(
                            "{s} instance-seconds is more than count × 3600 = {cap} \
                             ({c} instances cannot run longer than the whole hour)"
                        )),
                    ));
                }
                s
            }
            (Some(s), None) => s,
            (None, Some(c)) => c.checked_mul(SECONDS_PER_HOUR).ok_or_else(|| {
                (
                    self.count.and_then(field),
                    Problem::invalid(&c.to_string(), "a count small enough to multiply by 3600"),
                )
            })?,
            (None, None) => {
                let i = self.instance_seconds.or(self.count).unwrap_or(0);
                return Err((field(i), Problem::Missing));
            }
        };
        let region = match row.get(self.region)? {
            None => None,
            Some(r) => Some(Region::parse(r).map_err(|_| {
                (
                    self.region.and_then(field),
                    Problem::invalid(r, "an AWS region code like us-east-1"),
                )
            })?),
        };
        let os = match row.get(self.os)? {
            None => Os::Linux,
            Some(o) => o.parse().map_err(|_| {
                (
                    self.os.and_then(field),
                    Problem::invalid(o, "linux, windows, rhel or suse"),
                )
            })?,
        };
        Ok(UsageRecord {
            hour,
            instance_type,
            instance_seconds,
            count,
            region,
            os,
        })
    }
}

/// Parses an hour start: RFC 3339 or `YYYY-MM-DD HH:00`, minutes and seconds zero.
fn parse_hour(s: &str) -> Result<Timestamp, Problem> {
    let t = parse_time(s).ok_or_else(|| {
        Problem::invalid(
            s,
            "an hour like 2026-03-01T12:00:00Z or 2026-03-01 12:00 (UTC)",
        )
    })?;
    if t.0.rem_euclid(SECONDS_PER_HOUR as i64) != 0 {
        return Err(Problem::invalid(
            s,
            "the start of an hour (minutes and seconds must be 00)",
        ));
    }
    Ok(t)
}

/// A streaming reader of one hourly usage CSV (plain, `.gz` or `.zst`, sniffed by content).
pub struct UsageReader {
    rows: Rows<UsageParser>,
}

impl UsageReader {
    /// Opens `path` (`-` for standard input) and reads its header.
    pub fn open(path: &Path, mode: Mode) -> Result<UsageReader, ComputeError> {
        Ok(UsageReader {
            rows: Rows::open(path, mode, ())?,
        })
    }

    /// Reads from any reader; `name` names it in messages.
    pub fn from_reader<R: Read + Send + 'static>(
        reader: R,
        name: &Path,
        mode: Mode,
    ) -> Result<UsageReader, ComputeError> {
        Ok(UsageReader {
            rows: Rows::from_reader(reader, name, mode, ())?,
        })
    }

    /// The tally so far.
    pub fn summary(&self) -> &ReadSummary {
        self.rows.summary()
    }

    /// Reads every remaining record.
    pub fn read_all(self) -> Result<(Vec<UsageRecord>, ReadSummary), ComputeError> {
        table::collect(self.rows)
    }
}

impl Iterator for UsageReader {
    type Item = Result<UsageRecord, ComputeError>;
    fn next(&mut self) -> Option<Self::Item> {
        self.rows.next()
    }
}

/// Reads a whole usage file.
pub fn read_usage(
    path: &Path,
    mode: Mode,
) -> Result<(Vec<UsageRecord>, ReadSummary), ComputeError> {
    UsageReader::open(path, mode)?.read_all()
}

/// Writes records as a usage CSV with header
/// `hour,instance_type,instance_seconds,count,region,os` (`count` and `region` empty when
/// absent; `hour` in RFC 3339).
pub fn write_usage_csv<W: Write>(out: W, records: &[UsageRecord]) -> std::io::Result<()> {
    let mut w = ::csv::Writer::from_writer(out);
    w.write_record(COLUMNS)?;
    for r in records {
        let count = r.count.map(|c| c.to_string()).unwrap_or_default();
        let region = r.region.as_ref().map(|g| g.as_str()).unwrap_or("");
        w.write_record([
            r.hour.rfc3339().as_str(),
            r.instance_type.as_str(),
            r.instance_seconds.to_string().as_str(),
            count.as_str(),
            region,
            r.os.as_str(),
        ])?;
    }
    w.flush()
}
