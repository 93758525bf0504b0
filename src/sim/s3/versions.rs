//! Versioned buckets in the replay: noncurrent versions (still billed in their class, §2.1
//! "every version"), delete markers (the key name's bytes in STANDARD), the noncurrent-version
//! lifecycle actions with `NoncurrentDays` and `NewerNoncurrentVersions`, and
//! `ExpiredObjectDeleteMarker`. Noncurrent versions change rarely, so they wait in a queue by
//! their next change and are billed only when they change and at the end.

use super::history::Noncurrent;
use super::policy::{
    Action, PolicyKind, Scheduled, max_newer_noncurrent, removes_expired_markers,
    schedule_noncurrent,
};
use super::replay::{Change, Live, Replay, Sink};
use crate::aws::{ItTier, StorageClass, StorageTier};
use crate::units::{Timestamp, next_midnight_utc};

impl<S: Sink> Replay<'_, '_, S> {
    /// The largest `NewerNoncurrentVersions` of the policy's rules: noncurrent versions with
    /// that many newer ones never need re-planning. Found once per replay, and only for objects
    /// that have noncurrent versions.
    fn max_newer(&mut self) -> usize {
        *self
            .max_newer
            .get_or_insert_with(|| match &self.cx.policy.kind {
                PolicyKind::Lifecycle(cfg) => max_newer_noncurrent(cfg),
                PolicyKind::Grouped(bands) => {
                    bands.iter().map(max_newer_noncurrent).max().unwrap_or(0)
                }
                _ => 0,
            })
    }

    /// Noncurrent versions and a current delete marker present at the start (an inventory of
    /// all versions), oldest first. Each keeps its class (every policy but `all-standard`,
    /// which stores everything in STANDARD) and is billed from the start of the horizon.
    pub(super) fn versions_at_start(&mut self, versions: &[Noncurrent]) {
        let slot = self.sink.slot();
        let all_standard = matches!(self.cx.policy.kind, PolicyKind::AllStandard);
        let start = self.cx.start;
        for (i, n) in versions.iter().enumerate() {
            let v = n.version;
            let tier = match (v.class, v.it_tier) {
                _ if all_standard || n.marker => StorageTier::Class(StorageClass::Standard),
                (StorageClass::IntelligentTiering, Some(t)) => StorageTier::It(t),
                (StorageClass::IntelligentTiering, None) => StorageTier::It(ItTier::Frequent),
                (c, _) => StorageTier::Class(c),
            };
            let mut l = Live::new(v.size, tier, v.created, Vec::new(), slot, self.band);
            l.billed = v.created.max(start);
            l.marker = n.marker;
            match n.since {
                Some(since) => {
                    l.since = Some(since);
                    l.newer = versions[i + 1..].iter().filter_map(|n| n.since).collect();
                    l.newer.truncate(self.max_newer());
                    l.plan = self.noncurrent_plan(&l);
                    self.old.push(Some(l));
                    self.old_count += 1;
                    self.requeue(self.old.len() - 1);
                }
                None if self.live.is_none() => {
                    self.live = Some(l);
                    if self.old_count == 0 {
                        self.marker_alone(start);
                    }
                }
                None => {}
            }
        }
    }

    /// `l` (current until now) becomes noncurrent at `t`; older noncurrent versions gain a
    /// newer one.
    pub(super) fn demote(&mut self, mut l: Live, t: Timestamp) {
        self.bill_to(&mut l, t);
        self.note_newer(t);
        l.since = Some(t);
        l.plan = self.noncurrent_plan(&l);
        l.next = 0;
        l.queued = None;
        self.old.push(Some(l));
        self.old_count += 1;
        self.requeue(self.old.len() - 1);
    }

    /// A delete marker becomes the current version at `t`.
    pub(super) fn new_marker(&mut self, t: Timestamp) {
        self.sink.st().delete_markers += 1;
        let slot = self.sink.slot();
        let mut m = Live::new(
            0,
            StorageTier::Class(StorageClass::Standard),
            t,
            Vec::new(),
            slot,
            self.band,
        );
        m.marker = true;
        self.live = Some(m);
        if self.old_count == 0 {
            self.marker_alone(t);
        }
    }

    /// The current version is a delete marker with no noncurrent version left since `t`: a
    /// rule with `ExpiredObjectDeleteMarker` removes it at the next lifecycle run after `t`
    /// (strictly after: the versions it waited for go in the run at `t`).
    fn marker_alone(&mut self, t: Timestamp) {
        let Some(m) = self.live.as_ref().filter(|l| l.marker && l.plan.is_empty()) else {
            return;
        };
        if !self
            .config(m.band)
            .is_some_and(|cfg| removes_expired_markers(cfg, self.key))
        {
            return;
        }
        let at = next_midnight_utc(Timestamp(t.0 + 1)).max(next_midnight_utc(self.cx.start));
        if let Some(m) = self.live.as_mut() {
            m.plan.push(Scheduled {
                at,
                action: Action::Expire,
            });
        }
    }

    /// What the policy schedules for noncurrent `l` (nothing under a policy without rules).
    fn noncurrent_plan(&self, l: &Live) -> Vec<Scheduled> {
        let (Some(cfg), Some(since)) = (self.config(l.band), l.since) else {
            return Vec::new();
        };
        schedule_noncurrent(
            cfg,
            self.key,
            l.size,
            l.marker,
            since,
            &l.newer,
            self.cx.start,
            self.cx.rules.lifecycle_transition_min_bytes,
        )
    }

    /// A version became noncurrent at `t`: the noncurrent versions still short of the
    /// largest `NewerNoncurrentVersions` count it and are planned again (entries already
    /// applied, before `t`, stay applied).
    fn note_newer(&mut self, t: Timestamp) {
        let max_newer = self.max_newer();
        if max_newer == 0 {
            return;
        }
        for i in (0..self.old.len()).rev() {
            let Some(mut l) = self.old[i].take() else {
                continue;
            };
            if l.newer.len() >= max_newer {
                self.old[i] = Some(l);
                break; // older versions have at least as many newer ones
            }
            l.newer.push(t);
            let plan = self.noncurrent_plan(&l);
            l.next = plan.partition_point(|s| s.at < t);
            l.plan = plan;
            self.old[i] = Some(l);
            self.requeue(i);
        }
    }

    /// Puts noncurrent version `i` in the queue under its next change.
    fn requeue(&mut self, i: usize) {
        let Some(l) = self.old.get(i).and_then(|l| l.as_ref()) else {
            return;
        };
        let next = self.next_change(l).map(|(t, _)| t);
        if let Some(t) = l.queued {
            self.queue.remove(&(t, i));
        }
        if let Some(t) = next {
            self.queue.insert((t, i));
        }
        if let Some(l) = self.old[i].as_mut() {
            l.queued = next;
        }
    }

    /// The change of noncurrent version `i` due at `at`.
    pub(super) fn change_old(&mut self, i: usize, at: Timestamp) {
        self.queue.remove(&(at, i));
        let Some(mut l) = self.old.get_mut(i).and_then(|l| l.take()) else {
            return;
        };
        l.queued = None;
        let current = self.sink.slot();
        self.sink.select(l.slot);
        self.bill_to(&mut l, at);
        let expired = match self.next_change(&l) {
            Some((_, Change::Tier(to))) => {
                l.tier = StorageTier::It(to);
                false
            }
            Some((_, Change::Plan)) => self.apply_plan(&mut l, at),
            None => false,
        };
        if expired {
            // Permanent deletion: the minimum-duration remainder applies (§2.2).
            self.early_delete(&l, at);
            self.sink.st().noncurrent_expirations += 1;
            self.old_count -= 1;
            self.sink.select(current);
            if self.old_count == 0 {
                self.marker_alone(at);
            }
            return;
        }
        self.old[i] = Some(l);
        self.requeue(i);
        self.sink.select(current);
    }

    /// Bills every noncurrent version to the end of the horizon.
    pub(super) fn finish_old(&mut self) {
        let current = self.sink.slot();
        let end = self.cx.end;
        let mut old = std::mem::take(&mut self.old);
        for l in old.iter_mut().flatten() {
            self.sink.select(l.slot);
            self.bill_to(l, end);
        }
        self.sink.select(current);
    }
}
