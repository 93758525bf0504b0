//! Outputs: every file and folder costlab writes goes through here, and so does what it
//! prints on stdout.
//!
//! - [`file`]: one file (`-o FILE`): replaced atomically by a temporary file and a rename;
//!   devices and FIFOs written through; links followed, never replaced.
//! - [`folder`]: a folder (report, charts, generated workload) written whole beside the old one
//!   and swapped in by rename, so it is wholly old or wholly new.
//! - [`temp`]: temporary files and folders, removed on SIGINT/SIGTERM/SIGHUP, and what killed
//!   runs left behind, removed at the next start.
//! - [`stdio`]: stdout that reports a closed descriptor instead of losing the output.
//! - [`escape`]: escaping for each output format.

pub mod escape;
pub mod file;
pub mod folder;
pub mod progress;
pub mod stdio;
pub mod temp;

pub use file::write_atomic;
