//! Object groups the lifecycle optimizer assigns rules to: a key prefix and a size band. Also
//! the rule layout both the model and the emitter share: which groups of a prefix are adjacent
//! size bands, so that groups sharing a prefix and a candidate merge into one rule.

use serde::Serialize;
use std::fmt;

/// Sizes `min_bytes <= size < max_bytes` (`max_bytes = None`: no upper bound). S3 size filters
/// are exclusive on both sides, so the emitted filter is `ObjectSizeGreaterThan = min - 1`
/// (omitted when `min_bytes` is 0) and `ObjectSizeLessThan = max`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct SizeBand {
    pub min_bytes: u64,
    pub max_bytes: Option<u64>,
}

impl SizeBand {
    /// Every size.
    pub const ALL: SizeBand = SizeBand {
        min_bytes: 0,
        max_bytes: None,
    };

    /// Bands split at the given boundaries (sorted, deduplicated, zero dropped): `[128 KiB]`
    /// gives `< 128 KiB` and `>= 128 KiB`.
    pub fn split_at(boundaries: &[u64]) -> Vec<SizeBand> {
        let mut cuts: Vec<u64> = boundaries.iter().copied().filter(|b| *b > 0).collect();
        cuts.sort_unstable();
        cuts.dedup();
        let mut out = Vec::with_capacity(cuts.len() + 1);
        let mut lo = 0;
        for c in cuts {
            out.push(SizeBand {
                min_bytes: lo,
                max_bytes: Some(c),
            });
            lo = c;
        }
        out.push(SizeBand {
            min_bytes: lo,
            max_bytes: None,
        });
        out
    }

    pub fn is_all(&self) -> bool {
        *self == SizeBand::ALL
    }

    fn is_empty(&self) -> bool {
        self.max_bytes.is_some_and(|m| m <= self.min_bytes)
    }

    fn overlaps(&self, other: &SizeBand) -> bool {
        self.max_bytes.is_none_or(|m| other.min_bytes < m)
            && other.max_bytes.is_none_or(|m| self.min_bytes < m)
    }

    /// Whether `self` ends exactly where `next` starts.
    pub fn touches(&self, next: &SizeBand) -> bool {
        self.max_bytes == Some(next.min_bytes)
    }

    /// The union of two touching bands.
    pub fn join(&self, next: &SizeBand) -> SizeBand {
        SizeBand {
            min_bytes: self.min_bytes,
            max_bytes: next.max_bytes,
        }
    }
}

impl fmt::Display for SizeBand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.max_bytes {
            None if self.min_bytes == 0 => f.write_str("any size"),
            None => write!(f, ">= {} B", self.min_bytes),
            Some(m) => write!(f, "{} B .. {} B", self.min_bytes, m),
        }
    }
}

/// One group of objects: those whose key starts with `prefix` and whose size is in `band`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Group {
    pub prefix: String,
    pub band: SizeBand,
}

impl Group {
    pub fn new(prefix: impl Into<String>, band: SizeBand) -> Group {
        Group {
            prefix: prefix.into(),
            band,
        }
    }

    /// `prefix [band]`, for messages and tables.
    pub fn label(&self) -> String {
        format!("{:?} [{}]", self.prefix, self.band)
    }
}

/// Groups that cannot become disjoint S3 rules.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GroupError {
    #[error("there are no groups to optimize")]
    Empty,
    #[error("group {index} ({label}) has an empty size band")]
    EmptyBand { index: usize, label: String },
    #[error(
        "groups {a} and {b} of prefix {prefix:?} have overlapping size bands; bands of one \
         prefix must be disjoint"
    )]
    OverlappingBands { prefix: String, a: usize, b: usize },
    #[error(
        "prefix {inner:?} starts with prefix {outer:?}: a rule for {outer:?} would also select \
         the objects of {inner:?}; group prefixes must not be prefixes of one another (group \
         root-level keys under their own prefix or raise the group depth)"
    )]
    NestedPrefixes { outer: String, inner: String },
}

/// The groups arranged by prefix, bands ascending. `prev[g]` is the group of the same prefix
/// whose band ends exactly where `g`'s begins: rules are emitted per maximal run of touching
/// bands of one prefix with the same candidate, so a run starts at `g` exactly when `g` uses
/// the candidate and `prev[g]` does not.
#[derive(Clone, Debug)]
pub(crate) struct Layout {
    /// Group indices per prefix, prefixes sorted, bands ascending.
    pub prefixes: Vec<(String, Vec<usize>)>,
    pub prev: Vec<Option<usize>>,
}

/// Checks the groups and arranges them.
pub(crate) fn layout(groups: &[Group]) -> Result<Layout, GroupError> {
    if groups.is_empty() {
        return Err(GroupError::Empty);
    }
    let mut by_prefix: std::collections::BTreeMap<&str, Vec<usize>> = Default::default();
    for (i, g) in groups.iter().enumerate() {
        if g.band.is_empty() {
            return Err(GroupError::EmptyBand {
                index: i,
                label: g.label(),
            });
        }
        by_prefix.entry(g.prefix.as_str()).or_default().push(i);
    }
    let prefixes: Vec<&str> = by_prefix.keys().copied().collect();
    // Sorted: if p is a prefix of q, then p sorts before q, and every key between them also
    // starts with p, so checking neighbours suffices.
    for w in prefixes.windows(2) {
        if w[1].starts_with(w[0]) {
            return Err(GroupError::NestedPrefixes {
                outer: w[0].to_string(),
                inner: w[1].to_string(),
            });
        }
    }
    let mut prev = vec![None; groups.len()];
    let mut out = Vec::with_capacity(by_prefix.len());
    for (p, mut members) in by_prefix {
        members.sort_by_key(|&g| groups[g].band);
        for w in members.windows(2) {
            let (a, b) = (&groups[w[0]].band, &groups[w[1]].band);
            if a.overlaps(b) {
                return Err(GroupError::OverlappingBands {
                    prefix: p.to_string(),
                    a: w[0],
                    b: w[1],
                });
            }
            // The lowest band never shares a rule with the next: a run of every band would be
            // a rule without a size filter, and S3's default 128 KB transition floor would then
            // hold back its small objects, which the band's own size filter lets through
            // (custom size filters take precedence over the default, §2.5). Every other run
            // keeps a size filter, so merging never changes what a version's rule does.
            if a.touches(b) && a.min_bytes > 0 {
                prev[w[1]] = Some(w[0]);
            }
        }
        out.push((p.to_string(), members));
    }
    Ok(Layout {
        prefixes: out,
        prev,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_and_layout() {
        let bands = SizeBand::split_at(&[131_072, 0, 1 << 20, 131_072]);
        assert_eq!(bands.len(), 3);
        assert!(bands[0].touches(&bands[1]));
        let groups = vec![
            Group::new("b/", bands[1]),
            Group::new("a/", SizeBand::ALL),
            Group::new("b/", bands[0]),
            Group::new("b/", bands[2]),
        ];
        let l = layout(&groups).unwrap();
        assert_eq!(l.prefixes[0], ("a/".to_string(), vec![1]));
        assert_eq!(l.prefixes[1], ("b/".to_string(), vec![2, 0, 3]));
        // The lowest band starts no shared run (see `layout`); the others chain.
        assert_eq!(l.prev, vec![None, None, None, Some(0)]);
    }

    #[test]
    fn rejects_nested_prefixes_and_overlaps() {
        let e = layout(&[
            Group::new("a/", SizeBand::ALL),
            Group::new("a/b/", SizeBand::ALL),
        ]);
        assert!(matches!(e, Err(GroupError::NestedPrefixes { .. })));
        let e = layout(&[
            Group::new("a/", SizeBand::ALL),
            Group::new("a/", SizeBand::split_at(&[10])[1]),
        ]);
        assert!(matches!(e, Err(GroupError::OverlappingBands { .. })));
        // a/ and a0 are not nested even though a0 sorts between a/ and a/b.
        assert!(
            layout(&[
                Group::new("a/", SizeBand::ALL),
                Group::new("a0", SizeBand::ALL)
            ])
            .is_ok()
        );
        assert_eq!(layout(&[]).unwrap_err(), GroupError::Empty);
    }
}
