//! S3 server access logs: the line parser (`parse_line`), billing classification of operations
//! (`classify`), and a reader that streams records from files, directories, globs, `.gz`/`.zst`
//! and standard input, merged in time order, counting what it skips (`reader`).

pub mod classify;
pub mod export;
mod parse;
pub mod reader;
mod record;
pub mod stats;
pub mod stats_view;

pub use classify::{Action, BillingClass, action, billing_class, operation_class};
pub use parse::{parse_line, parse_time};
pub use reader::{LineSource, LogReader, Mode, ReadError, SkipLog};
pub use record::{FIELD_NAMES, LineError, Reason, Record, url_decode_once};
