//! The S3 replay simulator: object histories (from logs and inventories) replayed against each
//! storage policy under study, metered into `Usage` the way AWS meters it. Objects are
//! independent, so replay runs in parallel over objects and adds integer meters, which merge
//! to byte-identical results in any order.

pub mod accum;
pub mod history;
pub mod policy;
pub mod replay;

pub use accum::Accum;
pub use history::{Event, EventKind, Evidence, Initial, ObjectHistory};
pub use policy::{Policy, PolicyKind, ReplayOptions};
pub use replay::{Ctx, Stats, replay};

use crate::aws::{Region, RequestTier, StorageClass};
use crate::meter::{Meter, Usage};
use crate::rules::S3Rules;
use crate::units::Timestamp;
use rayon::prelude::*;

/// One policy's simulated usage and statistics. `accum` holds the integer meters (what shards
/// exchange and merge: byte-seconds and counts); `usage` is their conversion for rating.
#[derive(Clone, Debug)]
pub struct PolicyRun {
    pub name: String,
    pub accum: Accum,
    pub usage: Usage,
    pub stats: Stats,
}

/// Replays all of `evidence` under each policy over [start, end) in `region`.
pub fn simulate(
    evidence: &Evidence,
    policies: &[Policy],
    opts: &ReplayOptions,
    rules: &S3Rules,
    region: &Region,
    start: Timestamp,
    end: Timestamp,
) -> Vec<PolicyRun> {
    let first = accum::month_of(start);
    let last = accum::month_of(Timestamp(end.0 - 1));
    policies
        .iter()
        .map(|policy| {
            let cx = Ctx {
                policy,
                opts,
                rules,
                start,
                end,
            };
            let (mut acc, stats) = evidence
                .objects
                .par_iter()
                .fold(
                    || (Accum::default(), Stats::default()),
                    |(mut a, mut s), o| {
                        replay(o, &cx, &mut a, &mut s);
                        (a, s)
                    },
                )
                .reduce(
                    || (Accum::default(), Stats::default()),
                    |(mut a, mut s), (b, t)| {
                        a.merge(&b);
                        s.merge(&t);
                        (a, s)
                    },
                );
            // Requests not tied to an object: STANDARD tier-1 / tier-2 (issue 4, §1.2).
            for (times, tier) in [
                (&evidence.bucket_requests.tier1, RequestTier::Tier1),
                (&evidence.bucket_requests.tier2, RequestTier::Tier2),
            ] {
                for t in times.iter().filter(|t| **t >= start && **t < end) {
                    acc.add(Meter::Requests(StorageClass::Standard, tier), *t, 1);
                }
            }
            let usage = acc.into_usage(region, first, last);
            PolicyRun {
                name: policy.name.clone(),
                accum: acc,
                usage,
                stats,
            }
        })
        .collect()
}
