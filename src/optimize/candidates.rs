//! Candidate lifecycle policies: every rule body (a downward chain of transitions, optionally
//! an expiration, and for versioned buckets noncurrent-version transitions and an expiration)
//! that a grid of days × target classes allows and S3 would accept, checked with our own
//! validator in `trace::lifecycle`. "Stay in STANDARD" is always candidate 0. (The grid is the
//! fixed form; `lifecycle_search` derives the days per prefix from the evidence.)

use crate::aws::StorageClass;
use crate::trace::lifecycle::{
    Expiration, Filter, LifecycleConfiguration, NoncurrentVersionExpiration,
    NoncurrentVersionTransition, Rule, Schedule, Transition, supported_transition, validate,
};
use serde::Serialize;

/// The grid a scenario sets (`[optimize.lifecycle]` `transition_days`, `target_classes`,
/// `max_chain`, `expiration_days`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CandidateGrid {
    /// Days after creation a transition may happen on (0: at the first midnight after
    /// creation, allowed for every class but STANDARD_IA and ONEZONE_IA).
    pub transition_days: Vec<u32>,
    /// Classes a transition may target.
    pub target_classes: Vec<StorageClass>,
    /// Most transitions in one rule (1 = single transitions only).
    pub max_chain: usize,
    /// Expiration days to offer, each also combined with every chain it follows. Candidates
    /// without expiration are always generated.
    pub expiration_days: Vec<u32>,
}

impl Default for CandidateGrid {
    /// {30,45,60,90,120,180,270,365} × {STANDARD_IA, GLACIER_IR, GLACIER, DEEP_ARCHIVE,
    /// INTELLIGENT_TIERING}, chains of up to 3, no expiration.
    fn default() -> CandidateGrid {
        CandidateGrid {
            transition_days: vec![30, 45, 60, 90, 120, 180, 270, 365],
            target_classes: vec![
                StorageClass::StandardIa,
                StorageClass::GlacierIr,
                StorageClass::Glacier,
                StorageClass::DeepArchive,
                StorageClass::IntelligentTiering,
            ],
            max_chain: 3,
            expiration_days: Vec::new(),
        }
    }
}

/// A grid that produces no usable candidate set.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CandidateError {
    #[error(
        "{class} is not a lifecycle transition target; use STANDARD_IA, ONEZONE_IA, \
         INTELLIGENT_TIERING, GLACIER_IR, GLACIER or DEEP_ARCHIVE"
    )]
    NotATarget { class: StorageClass },
    #[error("expiration day 0 is not allowed; expiration days start at 1")]
    ZeroExpiration,
    #[error("max_chain is 0; it must be at least 1")]
    ZeroChain,
}

/// One candidate rule body. `id` is stable: it is spelled from the content
/// (`STANDARD`, `IA30`, `IA30-GFR120-GDA365`, `GIR90-X730`, `X365`; noncurrent-version actions
/// follow with an `N`: `GIR0-NGDA1`, `IA30-NX30`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Candidate {
    pub id: String,
    /// Transitions in day order, each down the waterfall from the previous.
    #[serde(serialize_with = "transitions_json")]
    pub transitions: Vec<(u32, StorageClass)>,
    pub expiration_days: Option<u32>,
    /// Noncurrent-version transitions (`NoncurrentDays`, class) in day order (versioned
    /// buckets).
    #[serde(serialize_with = "transitions_json")]
    pub noncurrent: Vec<(u32, StorageClass)>,
    /// `NoncurrentVersionExpiration.NoncurrentDays`.
    pub noncurrent_expiration_days: Option<u32>,
}

impl Candidate {
    /// Stay in STANDARD, never expire: no rule at all.
    pub fn standard() -> Candidate {
        Candidate::new(Vec::new(), None)
    }

    /// A candidate with its id spelled from the content.
    pub fn new(transitions: Vec<(u32, StorageClass)>, expiration_days: Option<u32>) -> Candidate {
        let mut c = Candidate {
            id: String::new(),
            transitions,
            expiration_days,
            noncurrent: Vec::new(),
            noncurrent_expiration_days: None,
        };
        c.id = c.spell();
        c
    }

    /// The same current-version actions with these noncurrent-version actions.
    pub fn with_noncurrent(
        &self,
        transitions: Vec<(u32, StorageClass)>,
        expiration_days: Option<u32>,
    ) -> Candidate {
        let mut c = Candidate {
            noncurrent: transitions,
            noncurrent_expiration_days: expiration_days,
            ..self.clone()
        };
        c.id = c.spell();
        c
    }

    /// The same candidate with an expiration after `days`.
    pub fn with_expiration(&self, days: Option<u32>) -> Candidate {
        let mut c = Candidate {
            expiration_days: days,
            ..self.clone()
        };
        c.id = c.spell();
        c
    }

    /// The id spelled from the content.
    fn spell(&self) -> String {
        let mut parts: Vec<String> = self
            .transitions
            .iter()
            .map(|(d, c)| format!("{}{d}", class_code(*c)))
            .collect();
        if let Some(x) = self.expiration_days {
            parts.push(format!("X{x}"));
        }
        parts.extend(
            self.noncurrent
                .iter()
                .map(|(d, c)| format!("N{}{d}", class_code(*c))),
        );
        if let Some(x) = self.noncurrent_expiration_days {
            parts.push(format!("NX{x}"));
        }
        if parts.is_empty() {
            "STANDARD".to_string()
        } else {
            parts.join("-")
        }
    }

    /// Whether objects under it can always be read in milliseconds: no GLACIER (Flexible
    /// Retrieval) or DEEP_ARCHIVE transition. (INTELLIGENT_TIERING is millisecond-readable
    /// unless its opt-in archive tiers are configured, which candidates never do.)
    pub fn millisecond_readable(&self) -> bool {
        !self
            .transitions
            .iter()
            .any(|(_, c)| matches!(c, StorageClass::Glacier | StorageClass::DeepArchive))
    }

    /// Its actions (transitions and expirations, current and noncurrent): the simplicity
    /// order ties are broken by.
    pub fn actions(&self) -> usize {
        self.transitions.len()
            + usize::from(self.expiration_days.is_some())
            + self.noncurrent.len()
            + usize::from(self.noncurrent_expiration_days.is_some())
    }

    /// Whether a rule must be written for it (false only for "stay in STANDARD").
    pub fn has_action(&self) -> bool {
        self.actions() > 0
    }

    /// Whether it expires anything (current or noncurrent versions): data is deleted.
    pub fn expires(&self) -> bool {
        self.expiration_days.is_some() || self.noncurrent_expiration_days.is_some()
    }

    /// The final class objects reach.
    pub fn final_class(&self) -> StorageClass {
        self.transitions
            .last()
            .map_or(StorageClass::Standard, |(_, c)| *c)
    }

    /// The enabled rule with this body, the given ID and filter.
    pub fn rule(&self, id: &str, filter: Filter) -> Rule {
        let mut r = Rule::new(Some(id));
        r.filter = filter;
        r.transitions = self
            .transitions
            .iter()
            .map(|&(d, c)| Transition {
                when: Schedule::Days(d),
                storage_class: c,
            })
            .collect();
        r.expiration = self.expiration_days.map(|d| Expiration {
            when: Some(Schedule::Days(d)),
            expired_object_delete_marker: None,
        });
        r.noncurrent_version_transitions = self
            .noncurrent
            .iter()
            .map(|&(d, c)| NoncurrentVersionTransition {
                noncurrent_days: d,
                storage_class: c,
                newer_noncurrent_versions: None,
            })
            .collect();
        r.noncurrent_version_expiration =
            self.noncurrent_expiration_days
                .map(|d| NoncurrentVersionExpiration {
                    noncurrent_days: d,
                    newer_noncurrent_versions: None,
                });
        r
    }

    /// Whether S3 accepts it as a rule: our validator finds nothing, and the expiration comes
    /// after the last transition (S3 refuses "'Days' in the Expiration action … must be
    /// greater than 'Days' in the Transition action").
    pub fn is_valid(&self) -> bool {
        if let (Some(x), Some((d, _))) = (self.expiration_days, self.transitions.last())
            && x <= *d
        {
            return false;
        }
        if !self.has_action() {
            return true;
        }
        let cfg = LifecycleConfiguration {
            rules: vec![self.rule("candidate", Filter::all())],
            transition_default_minimum_object_size: None,
        };
        validate(&cfg).is_empty()
    }
}

/// `[[30, "STANDARD_IA"], …]` (`StorageClass` has no serde implementation).
fn transitions_json<S: serde::Serializer>(
    t: &[(u32, StorageClass)],
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(t.len()))?;
    for (d, c) in t {
        seq.serialize_element(&(d, c.as_str()))?;
    }
    seq.end()
}

/// Short code of a class in candidate IDs.
pub fn class_code(c: StorageClass) -> &'static str {
    match c {
        StorageClass::Standard => "STD",
        StorageClass::IntelligentTiering => "IT",
        StorageClass::StandardIa => "IA",
        StorageClass::OnezoneIa => "ZIA",
        StorageClass::GlacierIr => "GIR",
        StorageClass::Glacier => "GFR",
        StorageClass::DeepArchive => "GDA",
        StorageClass::ExpressOnezone => "EXZ",
        StorageClass::ReducedRedundancy => "RRS",
    }
}

/// Every candidate of the grid S3 accepts, "stay in STANDARD" first, then in a stable order
/// (chains by length, day and class order of the grid; each chain without and then with each
/// expiration). IDs are unique.
pub fn generate(grid: &CandidateGrid) -> Result<Vec<Candidate>, CandidateError> {
    if grid.max_chain == 0 {
        return Err(CandidateError::ZeroChain);
    }
    if grid.expiration_days.contains(&0) {
        return Err(CandidateError::ZeroExpiration);
    }
    if let Some(&class) = grid
        .target_classes
        .iter()
        .find(|c| !crate::trace::lifecycle::is_transition_target(**c))
    {
        return Err(CandidateError::NotATarget { class });
    }
    let mut days = grid.transition_days.clone();
    days.sort_unstable();
    days.dedup();
    let mut classes = grid.target_classes.clone();
    classes.dedup();
    let mut expirations = grid.expiration_days.clone();
    expirations.sort_unstable();
    expirations.dedup();

    let mut chains: Vec<Vec<(u32, StorageClass)>> = vec![Vec::new()];
    let mut frontier: Vec<Vec<(u32, StorageClass)>> = vec![Vec::new()];
    for _ in 0..grid.max_chain {
        let mut next = Vec::new();
        for chain in &frontier {
            let last_class = chain.last().map_or(StorageClass::Standard, |t| t.1);
            // Day 0 is a first step only: later steps come strictly later.
            for &d in days
                .iter()
                .filter(|d| chain.last().is_none_or(|t| **d > t.0))
            {
                for &c in &classes {
                    if supported_transition(last_class, c) {
                        let mut longer = chain.clone();
                        longer.push((d, c));
                        next.push(longer);
                    }
                }
            }
        }
        chains.extend(next.iter().cloned());
        frontier = next;
    }
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for chain in chains {
        let last = chain.last().map_or(0, |t| t.0);
        let options = std::iter::once(None)
            .chain(expirations.iter().filter(|x| **x > last).map(|x| Some(*x)));
        for x in options {
            let c = Candidate::new(chain.clone(), x);
            if c.is_valid() && seen.insert(c.id.clone()) {
                out.push(c);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_grid_candidates_are_valid_and_unique() {
        let cands = generate(&CandidateGrid::default()).unwrap();
        assert_eq!(cands[0], Candidate::standard());
        assert!(!cands[0].has_action());
        let ids: std::collections::HashSet<_> = cands.iter().map(|c| &c.id).collect();
        assert_eq!(ids.len(), cands.len());
        assert!(cands.len() > 40, "{}", cands.len());
        for c in &cands {
            assert!(c.is_valid(), "{}", c.id);
            for w in c.transitions.windows(2) {
                assert!(
                    w[0].0 < w[1].0 && supported_transition(w[0].1, w[1].1),
                    "{}",
                    c.id
                );
            }
        }
        // The rule of thumb is among them; IA at 30 then GLACIER at 45 (gap < 30) is not.
        assert!(cands.iter().any(|c| c.id == "IA30-GFR90-GDA365"));
        assert!(!cands.iter().any(|c| c.id == "IA30-GFR45"));
        // Nothing moves up the waterfall.
        assert!(
            !cands
                .iter()
                .any(|c| c.id.starts_with("GFR") && c.id.contains("-IA"))
        );
    }

    #[test]
    fn expiration_and_attributes() {
        let grid = CandidateGrid {
            transition_days: vec![30, 90],
            target_classes: vec![StorageClass::StandardIa, StorageClass::DeepArchive],
            max_chain: 2,
            expiration_days: vec![60, 400],
        };
        let cands = generate(&grid).unwrap();
        let ids: Vec<&str> = cands.iter().map(|c| c.id.as_str()).collect();
        assert!(ids.contains(&"X60") && ids.contains(&"IA30-X60"));
        assert!(
            !ids.contains(&"GDA90-X60"),
            "expiration must follow the transitions"
        );
        assert!(ids.contains(&"IA30-GDA90-X400"));
        let gda = cands.iter().find(|c| c.id == "GDA30").unwrap();
        assert!(!gda.millisecond_readable());
        assert_eq!(gda.final_class(), StorageClass::DeepArchive);
        assert!(
            cands
                .iter()
                .find(|c| c.id == "IA30")
                .unwrap()
                .millisecond_readable()
        );
        assert_eq!(
            generate(&CandidateGrid {
                target_classes: vec![StorageClass::Standard],
                ..grid.clone()
            }),
            Err(CandidateError::NotATarget {
                class: StorageClass::Standard
            })
        );
    }

    #[test]
    fn ia_before_thirty_days_is_dropped() {
        let grid = CandidateGrid {
            transition_days: vec![10, 30],
            target_classes: vec![StorageClass::StandardIa, StorageClass::GlacierIr],
            max_chain: 1,
            expiration_days: vec![],
        };
        let ids: Vec<String> = generate(&grid).unwrap().into_iter().map(|c| c.id).collect();
        assert_eq!(ids, vec!["STANDARD", "GIR10", "IA30", "GIR30"]);
    }

    #[test]
    fn day_zero_is_offered_where_s3_accepts_it() {
        let grid = CandidateGrid {
            transition_days: vec![0, 30],
            max_chain: 2,
            ..CandidateGrid::default()
        };
        let ids: Vec<String> = generate(&grid).unwrap().into_iter().map(|c| c.id).collect();
        for ok in ["GIR0", "GFR0", "GDA0", "IT0", "GIR0-GDA30", "IA30"] {
            assert!(ids.iter().any(|i| i == ok), "{ok} missing: {ids:?}");
        }
        assert!(!ids.iter().any(|i| i.starts_with("IA0")), "{ids:?}");
        // Noncurrent actions are spelled after the current ones.
        let c = Candidate::new(vec![(0, StorageClass::GlacierIr)], None)
            .with_noncurrent(vec![(1, StorageClass::DeepArchive)], Some(30));
        assert_eq!(c.id, "GIR0-NGDA1-NX30");
        assert_eq!(c.actions(), 3);
        assert!(c.expires() && c.is_valid());
    }
}
