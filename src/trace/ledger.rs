//! The evidence-quality ledger: every line or row any reader takes in (access logs, inventory
//! rows, compute traces, spot prices, billing exports) is either used, deliberately left out
//! for a stated reason (a noncurrent version in an unversioned replay, a lifecycle record of
//! the bucket's current rules, another shard's key), or skipped as malformed, with the reason
//! and the first few `file:line: field: reason` examples. One [`Tally`] per source; the
//! [`Ledger`] of a run holds them all, travels into the report, and decides whether a run has
//! skipped too much to be trusted ([`Ledger::check`]).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// How many skipped lines a tally keeps as examples.
pub const MAX_EXAMPLES: usize = 5;

/// The default share of a source's lines that may be skipped before a run fails: 1%.
pub const DEFAULT_MAX_SKIPPED_PCT: Decimal = Decimal::ONE;

/// A reader's count of one read (a file, or several): lines read, parsed, and skipped as
/// malformed per reason, with the first [`MAX_EXAMPLES`] skipped lines as examples of type `E`
/// (a reader's typed bad line, or its text). Every reader counts with this one type (the
/// access-log reader as [`crate::trace::access_log::SkipLog`], the inventory and compute
/// readers inside their summaries); [`Skips::tally`] hands it to the ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skips<E> {
    /// Data lines read, good and bad (blank and header lines are not data).
    pub read: u64,
    /// Lines that became records.
    pub parsed: u64,
    /// Lines skipped as malformed.
    pub skipped: u64,
    /// Skipped lines per reason.
    pub reasons: BTreeMap<String, u64>,
    /// The first [`MAX_EXAMPLES`] skipped lines.
    pub examples: Vec<E>,
}

impl<E> Default for Skips<E> {
    fn default() -> Skips<E> {
        Skips {
            read: 0,
            parsed: 0,
            skipped: 0,
            reasons: BTreeMap::new(),
            examples: Vec::new(),
        }
    }
}

impl<E: Clone + fmt::Display> Skips<E> {
    /// Counts a line that became a record.
    pub fn parsed_one(&mut self) {
        self.read += 1;
        self.parsed += 1;
    }

    /// Counts a malformed line (already counted as read or not: `read` says which).
    pub fn skip(&mut self, reason: &str, example: impl FnOnce() -> E, read: bool) {
        self.read += u64::from(read);
        self.skipped += 1;
        match self.reasons.get_mut(reason) {
            Some(n) => *n += 1,
            None => {
                self.reasons.insert(reason.to_string(), 1);
            }
        }
        if self.examples.len() < MAX_EXAMPLES {
            self.examples.push(example());
        }
    }

    /// Adds another count into this one (examples keep the first ones, up to the limit).
    pub fn merge(&mut self, o: &Skips<E>) {
        self.read += o.read;
        self.parsed += o.parsed;
        self.skipped += o.skipped;
        for (k, v) in &o.reasons {
            *self.reasons.entry(k.clone()).or_insert(0) += v;
        }
        let room = MAX_EXAMPLES.saturating_sub(self.examples.len());
        self.examples.extend(o.examples.iter().take(room).cloned());
    }

    /// The ledger's tally of this read: lines parsed are used, until a later stage says
    /// otherwise.
    pub fn tally(&self) -> Tally {
        Tally {
            read: self.read,
            used: self.parsed,
            skipped: self.skipped,
            skip_reasons: self.reasons.clone(),
            not_replayed: BTreeMap::new(),
            examples: self.examples.iter().map(|e| e.to_string()).collect(),
            files: Vec::new(),
        }
    }
}

/// What one source (access logs, inventory, a compute trace…) contributed: lines read, used,
/// left out with a reason, and skipped as malformed with a reason.
///
/// Invariant, kept by every reader: `read = used + skipped + Σ not_replayed`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Data lines or rows read (blank lines and header lines are not data).
    pub read: u64,
    /// Lines that became evidence.
    pub used: u64,
    /// Lines skipped as malformed.
    pub skipped: u64,
    /// Skipped lines per reason.
    #[serde(default)]
    pub skip_reasons: BTreeMap<String, u64>,
    /// Well-formed lines deliberately not replayed, per reason.
    #[serde(default)]
    pub not_replayed: BTreeMap<String, u64>,
    /// The first [`MAX_EXAMPLES`] skipped lines, as `file:line: field: reason`.
    #[serde(default)]
    pub examples: Vec<String>,
    /// Lines read per file, where the source is a delivery of several files (an inventory's
    /// data files, as its manifest lists them): `(file, lines read)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileCount>,
}

/// Lines read from one file of a source.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileCount {
    pub file: String,
    pub read: u64,
    pub used: u64,
    pub skipped: u64,
}

impl Tally {
    /// Counts a line that became evidence.
    pub fn use_one(&mut self) {
        self.read += 1;
        self.used += 1;
    }

    /// Counts `n` lines that became evidence.
    pub fn use_n(&mut self, n: u64) {
        self.read += n;
        self.used += n;
    }

    /// Counts a well-formed line left out for `reason`.
    pub fn leave_out(&mut self, reason: &str, n: u64) {
        if n == 0 {
            return;
        }
        self.read += n;
        *self.not_replayed.entry(reason.to_string()).or_insert(0) += n;
    }

    /// Counts a malformed line: `example` is `file:line: field: problem`.
    pub fn skip(&mut self, reason: &str, example: impl FnOnce() -> String) {
        self.read += 1;
        self.skipped += 1;
        *self.skip_reasons.entry(reason.to_string()).or_insert(0) += 1;
        if self.examples.len() < MAX_EXAMPLES {
            self.examples.push(example());
        }
    }

    /// Moves `n` lines counted as used to left out for `reason` (a later stage decided not to
    /// replay them).
    pub fn reclassify_used(&mut self, reason: &str, n: u64) {
        let n = n.min(self.used);
        if n == 0 {
            return;
        }
        self.used -= n;
        *self.not_replayed.entry(reason.to_string()).or_insert(0) += n;
    }

    /// Adds another tally of the same source (examples keep the first ones, up to the limit;
    /// files are appended in order).
    pub fn merge(&mut self, o: &Tally) {
        self.read += o.read;
        self.used += o.used;
        self.skipped += o.skipped;
        for (k, v) in &o.skip_reasons {
            *self.skip_reasons.entry(k.clone()).or_insert(0) += v;
        }
        for (k, v) in &o.not_replayed {
            *self.not_replayed.entry(k.clone()).or_insert(0) += v;
        }
        let room = MAX_EXAMPLES.saturating_sub(self.examples.len());
        self.examples.extend(o.examples.iter().take(room).cloned());
        self.files.extend(o.files.iter().cloned());
    }

    /// Lines left out with a reason (saturating: a tally read from a file may hold anything).
    pub fn not_replayed_total(&self) -> u64 {
        self.not_replayed
            .values()
            .fold(0u64, |a, b| a.saturating_add(*b))
    }

    /// Whether the counts add up: `read = used + skipped + Σ not_replayed`, and the reasons
    /// add up to the skipped count (a sum past `u64::MAX` adds up to nothing).
    pub fn is_consistent(&self) -> bool {
        let sum = |m: &BTreeMap<String, u64>| m.values().try_fold(0u64, |a, b| a.checked_add(*b));
        let parts = self
            .used
            .checked_add(self.skipped)
            .zip(sum(&self.not_replayed))
            .and_then(|(a, b)| a.checked_add(b));
        parts == Some(self.read) && sum(&self.skip_reasons) == Some(self.skipped)
    }

    /// The share of lines skipped, in percent (0 when nothing was read).
    pub fn skipped_pct(&self) -> Decimal {
        if self.read == 0 {
            return Decimal::ZERO;
        }
        Decimal::from(self.skipped) * Decimal::ONE_HUNDRED / Decimal::from(self.read)
    }
}

/// Every source of a run, by name (`access logs`, `inventory`, `compute usage`…).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Ledger {
    pub sources: BTreeMap<String, Tally>,
}

/// Source names, as reports print them.
pub mod source {
    pub const ACCESS_LOGS: &str = "access logs";
    pub const INVENTORY: &str = "inventory";
    pub const COMPUTE_USAGE: &str = "compute usage";
    pub const COMPUTE_JOBS: &str = "compute jobs";
    pub const SPOT_PRICES: &str = "spot price history";
}

/// Why well-formed log records are not replayed: they bill nothing and change no object.
pub const NOT_BILLED: &str = "not a billed request and no change to an object (lifecycle action, system record, unbilled error)";

/// Why a shard leaves out well-formed lines: they are another shard's keys (merged away).
pub const OTHER_SHARD: &str = "another shard's key";

/// How much of a source may be skipped before the run is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SkipLimit {
    /// The largest share of a source's lines that may be skipped, in percent. 100% skipped is
    /// refused whatever this says.
    pub max_pct: Decimal,
    /// Where the limit came from, for the message (`default`, `--lenient`, a scenario key).
    pub origin: &'static str,
}

impl Default for SkipLimit {
    fn default() -> SkipLimit {
        SkipLimit {
            max_pct: DEFAULT_MAX_SKIPPED_PCT,
            origin: "the default",
        }
    }
}

/// A run skipped more of a source than it may.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct TooMuchSkipped {
    pub name: String,
    pub tally: Box<Tally>,
    pub limit: SkipLimit,
}

impl fmt::Display for TooMuchSkipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = &self.tally;
        if t.skipped == t.read {
            write!(
                f,
                "{}: all {} lines read were skipped as malformed: there is no usable evidence, \
                 and a bill from it would be $0",
                self.name, t.read
            )?;
        } else {
            write!(
                f,
                "{}: {} of {} lines read were skipped as malformed ({}%), more than the {}% \
                 allowed ({}); a bill from the rest would be understated. Fix the input, or \
                 accept it with --lenient PCT or `[evidence] max_skipped_pct` in the scenario",
                self.name,
                t.skipped,
                t.read,
                t.skipped_pct().round_dp(2).normalize(),
                self.limit.max_pct.normalize(),
                self.limit.origin
            )?;
        }
        for (reason, n) in &t.skip_reasons {
            write!(f, "\n  {n} × {reason}")?;
        }
        for e in &t.examples {
            write!(f, "\n  e.g. {e}")?;
        }
        Ok(())
    }
}

impl Ledger {
    /// The tally of `source`, created empty on first use.
    pub fn source(&mut self, name: &str) -> &mut Tally {
        self.sources.entry(name.to_string()).or_default()
    }

    /// Adds every source of `o` into this ledger.
    pub fn merge(&mut self, o: &Ledger) {
        for (name, t) in &o.sources {
            self.source(name).merge(t);
        }
    }

    /// The ledger of a whole run from its shards' (`costlab merge`). Every shard reads all of
    /// the evidence and keeps its own keys, so what was read, skipped and left out for a
    /// reason other than the shard must be the same in each shard that read a source; lines
    /// used add up, and lines left out as another shard's are the other shards' used ones.
    pub fn merge_shards(parts: &[&Ledger]) -> Result<Ledger, String> {
        let mut whole = Ledger::default();
        let names: std::collections::BTreeSet<&String> =
            parts.iter().flat_map(|l| l.sources.keys()).collect();
        for name in names {
            let tallies: Vec<(usize, &Tally)> = parts
                .iter()
                .enumerate()
                .filter_map(|(i, l)| l.sources.get(name).map(|t| (i + 1, t)))
                .collect();
            let Some(&(_, first)) = tallies.first() else {
                continue;
            };
            let same_reading = |t: &Tally| {
                let mut a = t.not_replayed.clone();
                let mut b = first.not_replayed.clone();
                a.remove(OTHER_SHARD);
                b.remove(OTHER_SHARD);
                let files = |t: &Tally| -> Vec<(String, u64, u64)> {
                    t.files
                        .iter()
                        .map(|f| (f.file.clone(), f.read, f.skipped))
                        .collect()
                };
                t.read == first.read
                    && t.skipped == first.skipped
                    && t.skip_reasons == first.skip_reasons
                    && t.examples == first.examples
                    && a == b
                    && files(t) == files(first)
            };
            let mut merged = first.clone();
            merged.not_replayed.remove(OTHER_SHARD);
            merged.used = 0;
            for f in &mut merged.files {
                f.used = 0;
            }
            for &(index, t) in &tallies {
                if !same_reading(t) {
                    return Err(format!(
                        "shard {index} read different {name} than shard {} (lines read, skipped                          or left out differ): the shards are not of the same evidence",
                        tallies[0].0
                    ));
                }
                let too_many = || {
                    format!(
                        "the shards' {name} count more lines used than a count can hold: not \
                         shards costlab wrote"
                    )
                };
                merged.used = merged.used.checked_add(t.used).ok_or_else(too_many)?;
                for (m, f) in merged.files.iter_mut().zip(&t.files) {
                    m.used = m.used.checked_add(f.used).ok_or_else(too_many)?;
                }
            }
            if !merged.is_consistent() {
                return Err(format!(
                    "the shards' {name} do not add up: {} lines read, but {} used, {} skipped                      and {} left out; a shard is missing or given twice",
                    merged.read,
                    merged.used,
                    merged.skipped,
                    merged.not_replayed_total()
                ));
            }
            whole.sources.insert(name.clone(), merged);
        }
        Ok(whole)
    }

    /// Renames files under `prefix` (a folder) as `label` in examples and per-file counts.
    pub fn relabel(&mut self, prefix: &str, label: &str) {
        let swap = |s: &mut String| {
            if let Some(rest) = s.strip_prefix(prefix) {
                *s = format!("{label}{rest}");
            }
        };
        for t in self.sources.values_mut() {
            t.examples.iter_mut().for_each(swap);
            t.files.iter_mut().for_each(|f| swap(&mut f.file));
        }
    }

    /// Lines skipped over every source (saturating).
    pub fn skipped(&self) -> u64 {
        self.sources
            .values()
            .fold(0u64, |a, t| a.saturating_add(t.skipped))
    }

    /// The first source that skipped more than `limit` allows (or every line it read).
    pub fn check(&self, limit: SkipLimit) -> Result<(), TooMuchSkipped> {
        for (name, t) in &self.sources {
            let all = t.read > 0 && t.skipped == t.read;
            if all || t.skipped_pct() > limit.max_pct {
                return Err(TooMuchSkipped {
                    name: name.clone(),
                    tally: Box::new(t.clone()),
                    limit,
                });
            }
        }
        Ok(())
    }

    /// One line per source that skipped or left out anything, for stderr and text reports:
    /// `access logs: 1,000 lines read, 990 used, 10 skipped (1%): 10 × bad_time`.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (name, t) in &self.sources {
            let mut s = format!(
                "{name}: {} lines read, {} used, {} skipped",
                t.read, t.used, t.skipped
            );
            if t.skipped > 0 {
                s.push_str(&format!(" ({}%)", t.skipped_pct().round_dp(2).normalize()));
                let reasons: Vec<String> = t
                    .skip_reasons
                    .iter()
                    .map(|(r, n)| format!("{n} × {r}"))
                    .collect();
                s.push_str(&format!(": {}", reasons.join(", ")));
            }
            if !t.not_replayed.is_empty() {
                let left: Vec<String> = t
                    .not_replayed
                    .iter()
                    .map(|(r, n)| format!("{n} {r}"))
                    .collect();
                s.push_str(&format!("; not replayed: {}", left.join(", ")));
            }
            out.push(s);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(used: u64, skipped: u64) -> Tally {
        let mut t = Tally::default();
        t.use_n(used);
        for i in 0..skipped {
            t.skip("bad_time", || format!("f:{i}: time: bad"));
        }
        t
    }

    #[test]
    fn counts_add_up_and_examples_are_bounded() {
        let mut t = tally(90, 10);
        t.leave_out("other shard", 5);
        assert_eq!(t.read, 105);
        assert!(t.is_consistent());
        assert_eq!(t.examples.len(), MAX_EXAMPLES);
        t.reclassify_used("noncurrent", 3);
        assert_eq!((t.used, t.not_replayed_total()), (87, 8));
        assert!(t.is_consistent());
        let mut u = t.clone();
        u.merge(&t);
        assert_eq!(
            (u.read, u.skipped, u.examples.len()),
            (210, 20, MAX_EXAMPLES)
        );
        assert!(u.is_consistent());
    }

    #[test]
    fn the_limit_is_a_share_and_all_skipped_always_fails() {
        let mut l = Ledger::default();
        *l.source(source::ACCESS_LOGS) = tally(99, 1);
        assert!(l.check(SkipLimit::default()).is_ok(), "exactly 1% passes");
        *l.source(source::INVENTORY) = tally(98, 2);
        let e = l.check(SkipLimit::default()).unwrap_err();
        assert_eq!(e.name, source::INVENTORY);
        assert!(e.to_string().contains("2 of 100"), "{e}");
        let lenient = SkipLimit {
            max_pct: Decimal::ONE_HUNDRED,
            origin: "--lenient",
        };
        assert!(l.check(lenient).is_ok());
        *l.source("compute usage") = tally(0, 3);
        let e = l.check(lenient).unwrap_err();
        assert_eq!(e.name, "compute usage");
        assert!(e.to_string().contains("all 3 lines"), "{e}");
    }

    #[test]
    fn shards_merge_to_the_whole_and_foreign_shards_are_refused() {
        let whole = {
            let mut t = tally(90, 10);
            t.leave_out(NOT_BILLED, 4);
            t
        };
        let shard = |used: u64| {
            let mut t = tally(used, 10);
            t.leave_out(NOT_BILLED, 4);
            t.leave_out(OTHER_SHARD, 90 - used);
            let mut l = Ledger::default();
            *l.source(source::ACCESS_LOGS) = t;
            l
        };
        let (a, b) = (shard(30), shard(60));
        let merged = Ledger::merge_shards(&[&a, &b]).unwrap();
        assert_eq!(merged.sources[source::ACCESS_LOGS], whole);
        // A shard missing: the used lines do not add up to what was read.
        let e = Ledger::merge_shards(&[&a]).unwrap_err();
        assert!(e.contains("do not add up"), "{e}");
        // A shard of other evidence.
        let mut c = shard(60);
        c.source(source::ACCESS_LOGS)
            .skip("bad_time", || "g:1".into());
        let e = Ledger::merge_shards(&[&a, &c]).unwrap_err();
        assert!(e.contains("shard 2 read different access logs"), "{e}");
    }

    #[test]
    fn nothing_read_is_not_a_skip() {
        let mut l = Ledger::default();
        l.source(source::INVENTORY);
        assert!(l.check(SkipLimit::default()).is_ok());
        assert_eq!(l.sources[source::INVENTORY].skipped_pct(), Decimal::ZERO);
    }
}
