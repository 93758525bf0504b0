//! Progress on stderr for long work, as the command line shows it: bars on a terminal, and
//! where stderr is not a terminal (CI logs, pipelines) one line every ten seconds, so that a
//! long run is never silent. Notes go to stderr too, without breaking a bar that is drawing.
//! This is a `pipeline::Observer` for any caller that wants the command line's behaviour; the
//! pipeline itself never prints.

use crate::pipeline::observe::{Observer, Progress, Sink, Unit};
use std::io::IsTerminal;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

/// How often a progress line is written when stderr is not a terminal.
const EVERY: Duration = Duration::from_secs(10);

/// The command line's observer.
pub struct Term {
    bars: indicatif::MultiProgress,
    terminal: bool,
}

impl Default for Term {
    fn default() -> Term {
        Term::new()
    }
}

impl Term {
    pub fn new() -> Term {
        Term {
            bars: indicatif::MultiProgress::new(),
            terminal: std::io::stderr().is_terminal(),
        }
    }
}

impl Observer for Term {
    fn progress(&self, what: &str, total: Option<u64>, unit: Unit) -> Progress {
        if !self.terminal {
            return Progress::new(Box::new(Periodic {
                what: what.to_string(),
                total,
                unit,
                pos: AtomicU64::new(0),
                start: Instant::now(),
                last: Mutex::new(Instant::now()),
                message: Mutex::new(String::new()),
            }));
        }
        let pb = match total {
            Some(t) => bar(what, t, unit == Unit::Bytes),
            None => spinner(what),
        };
        Progress::new(Box::new(Bar(self.bars.add(pb))))
    }

    fn note(&self, text: &str) {
        self.bars.suspend(|| eprintln!("{text}"));
    }
}

/// A bar over `total` units of known size, with rate and ETA; `bytes` shows binary bytes.
pub fn bar(msg: &str, total: u64, bytes: bool) -> indicatif::ProgressBar {
    let pb = indicatif::ProgressBar::new(total);
    let (pos, rate) = if bytes {
        (
            "{binary_bytes}/{binary_total_bytes}",
            "{binary_bytes_per_sec}",
        )
    } else {
        ("{human_pos}/{human_len}", "{per_sec}")
    };
    let style = indicatif::ProgressStyle::with_template(&format!(
        "{{spinner}} {msg} [{{bar:30}}] {pos} ({rate}, {{elapsed}}, ETA {{eta}}) {{msg}}"
    ))
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
    .progress_chars("=> ");
    pb.set_style(style);
    pb.enable_steady_tick(Duration::from_millis(200));
    pb
}

/// A spinner counting units of unknown total, with its rate.
fn spinner(msg: &str) -> indicatif::ProgressBar {
    let pb = indicatif::ProgressBar::new_spinner();
    let style = indicatif::ProgressStyle::with_template(&format!(
        "{{spinner}} {msg} {{human_pos}} ({{per_sec}}, {{elapsed}}) {{msg}}"
    ))
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner());
    pb.set_style(style);
    pb.enable_steady_tick(Duration::from_millis(200));
    pb
}

/// A bar drawn on the terminal.
struct Bar(indicatif::ProgressBar);

impl Sink for Bar {
    fn set_position(&self, pos: u64) {
        self.0.set_position(pos)
    }
    fn inc(&self, n: u64) {
        self.0.inc(n)
    }
    fn set_message(&self, msg: String) {
        self.0.set_message(msg)
    }
    fn finish(&self) {
        self.0.finish_and_clear()
    }
}

/// A line on stderr every [`EVERY`] while the step runs (nothing for a short step).
struct Periodic {
    what: String,
    total: Option<u64>,
    unit: Unit,
    pos: AtomicU64,
    start: Instant,
    last: Mutex<Instant>,
    message: Mutex<String>,
}

impl Periodic {
    fn tick(&self) {
        let Ok(mut last) = self.last.lock() else {
            return;
        };
        if last.elapsed() < EVERY {
            return;
        }
        *last = Instant::now();
        drop(last);
        eprintln!("{}", self.line(self.pos.load(Relaxed)));
    }

    /// `costlab: reading logs: 1.2 GiB of 3.4 GiB (35%), 20 s, 1000 records`.
    fn line(&self, pos: u64) -> String {
        let amount = |n: u64| match self.unit {
            Unit::Bytes => indicatif::BinaryBytes(n).to_string(),
            Unit::Items => indicatif::HumanCount(n).to_string(),
        };
        let mut s = format!("costlab: {}: {}", self.what, amount(pos));
        if let Some(t) = self.total.filter(|t| *t > 0) {
            s += &format!(" of {} ({}%)", amount(t), pos.saturating_mul(100) / t);
        }
        s += &format!(", {} s", self.start.elapsed().as_secs());
        if let Ok(m) = self.message.lock()
            && !m.is_empty()
        {
            s += &format!(", {}", crate::output::escape::terminal(&m));
        }
        s
    }
}

impl Sink for Periodic {
    fn set_position(&self, pos: u64) {
        self.pos.store(pos, Relaxed);
        self.tick();
    }
    fn inc(&self, n: u64) {
        self.pos.fetch_add(n, Relaxed);
        self.tick();
    }
    fn set_message(&self, msg: String) {
        if let Ok(mut m) = self.message.lock() {
            *m = msg;
        }
    }
    fn finish(&self) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_periodic_line_says_how_far() {
        let p = Periodic {
            what: "reading logs".into(),
            total: Some(4 << 30),
            unit: Unit::Bytes,
            pos: AtomicU64::new(0),
            start: Instant::now(),
            last: Mutex::new(Instant::now()),
            message: Mutex::new("12 records".into()),
        };
        let line = p.line(1 << 30);
        assert!(
            line.starts_with("costlab: reading logs: 1.00 GiB of 4.00 GiB (25%), "),
            "{line}"
        );
        assert!(line.ends_with(" s, 12 records"), "{line}");
    }
}
