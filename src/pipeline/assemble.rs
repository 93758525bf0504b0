//! Assembling the versioned `Report` from a simulation: rated bills, statistics, evidence
//! counts and the distance of each policy to the clairvoyant bound. The last stage of every run,
//! shard merge and compute-only scenario.

use super::evidence::EvidenceReport;
use crate::cost::Bill;
use crate::report::model::{
    AgeBand, BOUND_KIND, BillReport, EvidenceRecord, Horizon, LineCounts, PolicyReport,
    PrefixRecord, PricingRecord, REPORT_SCHEMA_VERSION, Report, StorageStats, TOP_PREFIXES,
    VersionStats,
};
use crate::scenario::Scenario;
use crate::sim::s3::replay::AGE_BANDS_DAYS;
use crate::sim::s3::{PolicyRun, Stats};
use crate::trace::ledger::{Tally, source};
use crate::units::{GIB, decimal_from_u128};
use rust_decimal::Decimal;

fn stats(s: &Stats, versioned: bool) -> StorageStats {
    let bands = AGE_BANDS_DAYS
        .iter()
        .enumerate()
        .map(|(i, lo)| AgeBand {
            days: match AGE_BANDS_DAYS.get(i + 1) {
                Some(hi) => format!("{lo}-{hi}"),
                None => format!("{lo}+"),
            },
            reads: s.reads_by_age[i],
        })
        .collect();
    let month_end = s.month_end();
    StorageStats {
        bytes_by_class_at_month_end: month_end
            .bytes
            .iter()
            .map(|(m, by)| {
                (
                    m.to_string(),
                    by.iter()
                        .map(|(k, v)| (k.clone(), u64::try_from(*v).unwrap_or(u64::MAX)))
                        .collect(),
                )
            })
            .collect(),
        objects_transitioned: s.transitions.clone(),
        expirations: s.expirations,
        early_delete_gb_hours: decimal_from_u128(s.early_delete_byte_seconds)
            / Decimal::from(3600)
            / Decimal::from(GIB),
        restores: s.restores,
        restore_wait_hours_total: s.restore_wait_hours,
        restore_wait_hours_max: s.max_restore_wait_hours,
        reads_by_class: s.reads_by_class.clone(),
        reads_by_age: bands,
        versions: versioned.then(|| VersionStats {
            noncurrent_bytes_at_month_end: month_end
                .noncurrent
                .iter()
                .map(|(m, v)| (m.to_string(), u64::try_from(*v).unwrap_or(u64::MAX)))
                .collect(),
            delete_markers_created: s.delete_markers,
            noncurrent_expirations: s.noncurrent_expirations,
            version_deletes_not_replayed: s.version_deletes_unmodelled,
        }),
    }
}

/// `YYYY-MM-DD` of a timestamp.
fn day(t: crate::units::Timestamp) -> String {
    let s = t.to_string();
    s.get(..10).unwrap_or(&s).to_string()
}

/// The report of `runs` rated into `bills` (same order).
pub(super) fn report(
    sc: &Scenario,
    rep: &EvidenceReport,
    runs: &[PolicyRun],
    bills: &[Bill],
) -> Report {
    let bound_total = runs
        .iter()
        .zip(bills)
        .find(|(r, _)| r.kind == BOUND_KIND)
        .map(|(_, b)| b.total.usd());
    let policies = runs
        .iter()
        .zip(bills)
        .map(|(r, b)| {
            let bill = BillReport::from(b);
            PolicyReport {
                name: r.name.clone(),
                kind: r.kind.clone(),
                total_usd: bill.total_usd,
                months: bill.months,
                warnings: bill.warnings,
                stats: stats(&r.stats, sc.options.versioning),
                above_bound_usd: bound_total.map(|t| b.total.usd() - t),
            }
        })
        .collect();
    Report {
        schema_version: REPORT_SCHEMA_VERSION,
        scenario: sc.name.clone(),
        seed: sc.seed,
        horizon: Horizon {
            start: day(sc.start),
            end: day(sc.end),
        },
        pricing: bills.first().map(|b| PricingRecord {
            source: b.pricing.source.clone(),
            effective_date: b.pricing.effective_date.clone(),
            region: b.pricing.region.to_string(),
            files: b.pricing.files.clone(),
        }),
        evidence: {
            let none = Tally::default();
            let logs = rep.ledger.sources.get(source::ACCESS_LOGS).unwrap_or(&none);
            let inv = rep.ledger.sources.get(source::INVENTORY).unwrap_or(&none);
            EvidenceRecord {
                lines: LineCounts {
                    read: logs.read,
                    parsed: logs.read - logs.skipped,
                    skipped: logs.skipped,
                    skip_reasons: logs.skip_reasons.clone(),
                },
                inventory_rows: inv.read,
                inventory_rows_not_replayed: inv.read - inv.used,
                objects: rep.objects as u64,
                // The week that recurs whole (the age profile repeats only its arrivals).
                repeated_week: match &sc.options.future {
                    crate::sim::s3::Future::Weekly(r) => Some(*r),
                    _ => None,
                }
                .map(|r| Horizon {
                    start: day(r.window_start()),
                    end: day(r.from),
                }),
                prefixes: {
                    let mut v: Vec<PrefixRecord> = rep
                        .prefixes
                        .iter()
                        .map(|(p, (objects, reads, bytes))| PrefixRecord {
                            prefix: p.clone(),
                            objects: *objects,
                            reads: *reads,
                            bytes: u64::try_from(*bytes).unwrap_or(u64::MAX),
                        })
                        .collect();
                    v.sort_by(|a, b| {
                        (b.reads, b.objects, &a.prefix).cmp(&(a.reads, a.objects, &b.prefix))
                    });
                    v.truncate(TOP_PREFIXES);
                    v
                },
                future: rep.future.clone(),
                ledger: rep.ledger.clone(),
            }
        },
        current: sc.current.clone(),
        policies,
        compute: None,
        optimize: None,
    }
}
