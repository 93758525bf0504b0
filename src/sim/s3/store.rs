//! The objects gathered from the evidence, kept compactly while logs are read: every key in
//! one arena, each object's first event inline and its further events chained in one list, and
//! a table of 8-byte entries to find a key. `ObjectHistory` values are built from it batch by
//! batch for the replay, so they never all exist at once.
//!
//! Memory per object: a 40-byte slot, the key's bytes, 8 bytes of table per slot at a load of
//! 7/8 to 7/16 (9 to 18 bytes), and 32 bytes per event after the first. Slots, keys and events
//! live in fixed-size segments, so growing never copies them (a doubling array would touch
//! twice its final size). At most 2^31 − 1 objects and 2^32 − 1 further events (far past what
//! memory holds: 80 GB of slots).

use super::history::{Event, Initial, Noncurrent, ObjectHistory};
use hashbrown::{HashTable, hash_table};
use rayon::prelude::*;
use rustc_hash::FxBuildHasher;
use std::collections::BTreeMap;
use std::hash::BuildHasher;

/// No further event.
const NONE: u32 = u32::MAX;

/// The high bit of `Slot::key_len`: the object's events were taken (`Store::take_events`).
const TAKEN: u32 = 1 << 31;

/// One object: where its key is, its first event and the last of its further ones.
#[derive(Clone, Copy, Debug)]
struct Slot {
    key_start: u64,
    /// The key's length, and `TAKEN`.
    key_len: u32,
    /// The newest further event in `more` (each links to the one before it), or `NONE`.
    more: u32,
    first: Option<Event>,
}

/// A key's 32-bit hash (Fx, folded).
pub(super) fn hash32(key: &str) -> u32 {
    let h = FxBuildHasher.hash_one(key);
    (h ^ (h >> 32)) as u32
}

/// The table's 64-bit hash of a 32-bit one: a multiplication that gives the top bits (which
/// the table compares first) every input bit.
fn spread(h: u32) -> u64 {
    u64::from(h).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// Items in fixed-size segments of `1 << SHIFT`: pushing never moves the ones before.
#[derive(Clone, Debug)]
struct Segmented<T, const SHIFT: u32> {
    segs: Vec<Vec<T>>,
    len: usize,
}

impl<T, const SHIFT: u32> Default for Segmented<T, SHIFT> {
    fn default() -> Self {
        Segmented {
            segs: Vec::new(),
            len: 0,
        }
    }
}

impl<T, const SHIFT: u32> Segmented<T, SHIFT> {
    const MASK: usize = (1 << SHIFT) - 1;

    fn push(&mut self, v: T) {
        if self.len & Self::MASK == 0 {
            self.segs.push(Vec::with_capacity(1 << SHIFT));
        }
        if let Some(seg) = self.segs.last_mut() {
            seg.push(v);
            self.len += 1;
        }
    }

    fn get(&self, i: usize) -> Option<&T> {
        self.segs.get(i >> SHIFT)?.get(i & Self::MASK)
    }

    fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        self.segs.get_mut(i >> SHIFT)?.get_mut(i & Self::MASK)
    }
}

/// Keys, each whole in one block of at least `KEY_BLOCK` bytes, addressed as (block << 32 |
/// offset).
#[derive(Clone, Debug, Default)]
struct Keys {
    blocks: Vec<Vec<u8>>,
    /// Bytes of the keys stored.
    bytes: usize,
}

const KEY_BLOCK: usize = 1 << 20;

impl Keys {
    /// Stores `key`; returns its address.
    fn push(&mut self, key: &[u8]) -> u64 {
        match self.blocks.last_mut() {
            Some(b) if b.capacity() - b.len() >= key.len() => {}
            _ => self
                .blocks
                .push(Vec::with_capacity(KEY_BLOCK.max(key.len()))),
        }
        self.bytes += key.len();
        let block = self.blocks.len() - 1;
        let b = &mut self.blocks[block];
        let at = ((block as u64) << 32) | b.len() as u64;
        b.extend_from_slice(key);
        at
    }

    fn get(&self, at: u64, len: usize) -> &[u8] {
        let start = (at & 0xffff_ffff) as usize;
        self.blocks
            .get((at >> 32) as usize)
            .and_then(|b| b.get(start..start + len))
            .unwrap_or_default()
    }
}

#[derive(Clone, Debug, Default)]
pub(super) struct Store {
    /// (hash32 of the key, slot).
    index: HashTable<(u32, u32)>,
    keys: Keys,
    /// 2.6 MB segments.
    slots: Segmented<Slot, 16>,
    /// Further events: (event, the one logged before it in the same object, or `NONE`), in
    /// 2 MB segments.
    more: Segmented<(Event, u32), 16>,
    /// Objects' state at the start (inventory), for the few that have one.
    starts: BTreeMap<u32, (Option<Initial>, Box<[Noncurrent]>)>,
    taken: usize,
}

impl Store {
    fn key_of(&self, s: &Slot) -> &[u8] {
        self.keys.get(s.key_start, (s.key_len & !TAKEN) as usize)
    }

    fn at(&self, i: usize) -> Option<&Slot> {
        self.slots.get(i)
    }

    /// The slot of `key` (with its `hash32`), made when absent.
    pub fn slot(&mut self, key: &str, hash: u32) -> u32 {
        self.slot_or_new(key, hash, false)
    }

    /// A new slot for `key`, even if it has one (found by key: the first).
    pub fn new_slot(&mut self, key: &str, hash: u32) -> u32 {
        self.slot_or_new(key, hash, true)
    }

    fn slot_or_new(&mut self, key: &str, hash: u32, always: bool) -> u32 {
        let (slots, keys) = (&self.slots, &self.keys);
        let same = |&(h, i): &(u32, u32)| {
            h == hash
                && slots.get(i as usize).is_some_and(|s| {
                    keys.get(s.key_start, (s.key_len & !TAKEN) as usize) == key.as_bytes()
                })
        };
        let i = self.slots.len as u32;
        match self.index.entry(spread(hash), same, |(h, _)| spread(*h)) {
            hash_table::Entry::Occupied(e) if !always => return e.get().1,
            hash_table::Entry::Occupied(_) => {}
            hash_table::Entry::Vacant(e) => {
                e.insert((hash, i));
            }
        }
        let key_start = self.keys.push(key.as_bytes());
        self.slots.push(Slot {
            key_start,
            key_len: key.len() as u32 & !TAKEN,
            more: NONE,
            first: None,
        });
        i
    }

    /// The slot of `key`, if it has one.
    pub fn find(&self, key: &str) -> Option<u32> {
        let hash = hash32(key);
        self.index
            .find(spread(hash), |&(h, i)| {
                h == hash
                    && self
                        .at(i as usize)
                        .is_some_and(|s| self.key_of(s) == key.as_bytes())
            })
            .map(|(_, i)| *i)
    }

    /// Appends an event to slot `i` (in log order).
    pub fn push_event(&mut self, i: u32, e: Event) {
        let Some(s) = self.slots.get_mut(i as usize) else {
            return;
        };
        if s.first.is_none() {
            s.first = Some(e);
        } else {
            let n = self.more.len as u32;
            self.more.push((e, s.more));
            s.more = n;
        }
    }

    /// Sets slot `i`'s state at the start.
    pub fn set_start(&mut self, i: u32, initial: Option<Initial>, noncurrent: Box<[Noncurrent]>) {
        if initial.is_some() || !noncurrent.is_empty() {
            self.starts.insert(i, (initial, noncurrent));
        }
    }

    /// Slot `i`'s events in log order.
    fn logged(&self, s: &Slot) -> Vec<Event> {
        let mut out: Vec<Event> = s.first.into_iter().collect();
        let mut next = s.more;
        while let Some((e, before)) = self.more.get(next as usize).filter(|_| next != NONE) {
            out.push(*e);
            next = *before;
        }
        // The chain runs newest first.
        let from = out.len().min(1);
        out[from..].reverse();
        out
    }

    /// Slot `i`'s events in time order (stable: same-second events keep log order).
    fn events(&self, s: &Slot) -> Vec<Event> {
        let mut out = self.logged(s);
        out.sort_by_key(|e| e.t);
        out
    }

    /// Bytes the objects use: their slots, further events, keys and table entries (storage is
    /// allocated a few MB at a time beyond this).
    pub fn memory_bytes(&self) -> usize {
        use std::mem::size_of;
        let segs = self.slots.len * size_of::<Slot>() + self.more.len * size_of::<(Event, u32)>();
        // One control byte per bucket besides the entry.
        let table = self.index.capacity() * (size_of::<(u32, u32)>() + 1);
        segs + self.keys.bytes + table + self.starts.len() * 64
    }

    /// Hands every object not taken to `f` (its key and its events in log order), in the
    /// order keys first appeared, stopping at the first error; the store is then empty.
    /// Objects with a state at the start (inventory) are not expected here: only their events
    /// are handed on.
    pub fn drain<E>(
        &mut self,
        mut f: impl FnMut(&str, &[Event]) -> Result<(), E>,
    ) -> Result<(), E> {
        let store = std::mem::take(self);
        for s in (0..store.slots.len).filter_map(|i| store.at(i)) {
            if s.key_len & TAKEN != 0 {
                continue;
            }
            // Keys were stored from `&str`.
            let key = std::str::from_utf8(store.key_of(s)).unwrap_or_default();
            f(key, &store.logged(s))?;
        }
        Ok(())
    }

    /// Takes the events of `key` and marks it taken: `histories` then leaves it out.
    pub fn take_events(&mut self, key: &str) -> Vec<Event> {
        let Some(i) = self.find(key) else {
            return Vec::new();
        };
        let Some(s) = self.slots.get_mut(i as usize) else {
            return Vec::new();
        };
        if s.key_len & TAKEN != 0 {
            return Vec::new();
        }
        s.key_len |= TAKEN;
        let s = *s;
        self.taken += 1;
        self.events(&s)
    }

    /// The slot and events (time order) of `key`, leaving them in place.
    pub fn peek_events(&self, key: &str) -> Option<(u32, Vec<Event>)> {
        let i = self.find(key)?;
        let s = self.at(i as usize).filter(|s| s.key_len & TAKEN == 0)?;
        Some((i, self.events(s)))
    }

    /// The objects not taken, one by one, with their slots.
    pub fn histories_with_slots(&self) -> impl Iterator<Item = (u32, ObjectHistory)> + '_ {
        (0..self.slots.len).filter_map(|i| self.history(i).map(|h| (i as u32, h)))
    }

    /// Frees the key table (no key is looked up any more).
    pub fn drop_index(&mut self) {
        self.index = HashTable::new();
    }

    /// Objects not taken.
    pub fn len(&self) -> usize {
        self.slots.len - self.taken
    }

    /// The history of slot `i`.
    fn history(&self, i: usize) -> Option<ObjectHistory> {
        let s = self.at(i).filter(|s| s.key_len & TAKEN == 0)?;
        let (initial, noncurrent) = self.starts.get(&(i as u32)).cloned().unwrap_or_default();
        Some(ObjectHistory {
            // Keys were stored from `&str`: valid, checked in one fast pass.
            key: std::str::from_utf8(self.key_of(s))
                .unwrap_or_default()
                .to_string(),
            initial,
            noncurrent,
            events: self.events(s),
        })
    }

    /// The objects not taken, in the order their keys first appeared, `n` at a time (each
    /// batch built in parallel).
    pub fn batches(&self, n: usize) -> impl Iterator<Item = Vec<ObjectHistory>> + '_ {
        let n = n.max(1);
        let len = self.slots.len;
        (0..len.div_ceil(n)).map(move |b| {
            (b * n..((b + 1) * n).min(len))
                .into_par_iter()
                .filter_map(|i| self.history(i))
                .collect()
        })
    }

    /// The objects not taken, one by one, in order.
    pub fn histories(&self) -> impl Iterator<Item = ObjectHistory> + '_ {
        (0..self.slots.len).filter_map(|i| self.history(i))
    }
}

#[cfg(test)]
mod tests {
    use super::super::history::EventKind;
    use super::*;
    use crate::units::Timestamp;

    fn read(t: i64, bytes: u64) -> Event {
        Event {
            t: Timestamp(t),
            kind: EventKind::Read {
                bytes,
                charged: true,
            },
        }
    }

    #[test]
    fn segments_and_key_blocks_keep_every_item() {
        let mut s: Segmented<u32, 2> = Segmented::default();
        for v in 0..21 {
            s.push(v * 3);
        }
        assert_eq!(s.segs.len(), 6);
        assert!((0..21).all(|i| s.get(i as usize) == Some(&(i * 3))));
        assert_eq!(s.get(21), None);
        let mut keys = Keys::default();
        let long = "L".repeat(KEY_BLOCK + 5);
        let mut at = Vec::new();
        for k in 0..40_000 {
            at.push(keys.push(format!("prefix/{k:030}").as_bytes()));
            if k == 20_000 {
                at.push(keys.push(long.as_bytes()));
            }
        }
        assert!(keys.blocks.len() >= 3);
        for (k, a) in at.iter().enumerate().filter(|(k, _)| *k != 20_001) {
            let k = if k > 20_001 { k - 1 } else { k };
            assert_eq!(keys.get(*a, 37), format!("prefix/{k:030}").as_bytes());
        }
        assert_eq!(keys.get(at[20_001], long.len()), long.as_bytes());
    }

    #[test]
    fn events_come_back_in_time_then_log_order_and_taken_objects_leave() {
        let mut s = Store::default();
        let a = s.slot("a", hash32("a"));
        let b = s.slot("b", hash32("b"));
        assert_eq!(s.slot("a", hash32("a")), a);
        for (i, t) in [(a, 5), (b, 1), (a, 3), (a, 5), (a, 4), (a, 3)] {
            s.push_event(i, read(t, 10 * t as u64 + u64::from(i)));
        }
        // Same-second events keep their log order: (5, first), (3, first) …
        s.push_event(a, read(5, 1));
        let all: Vec<ObjectHistory> = s.batches(1).flatten().collect();
        assert_eq!(all.len(), 2);
        let bytes = |o: &ObjectHistory| -> Vec<(i64, u64)> {
            o.events
                .iter()
                .map(|e| match e.kind {
                    EventKind::Read { bytes, .. } => (e.t.0, bytes),
                    _ => (e.t.0, 0),
                })
                .collect()
        };
        assert_eq!(all[0].key, "a");
        assert_eq!(
            bytes(&all[0]),
            [(3, 30), (3, 30), (4, 40), (5, 50), (5, 50), (5, 1)]
        );
        assert_eq!(bytes(&all[1]), [(1, 11)]);
        assert_eq!(s.take_events("a").len(), 6);
        assert!(s.take_events("a").is_empty(), "taken once");
        assert!(s.take_events("zz").is_empty());
        assert_eq!(s.len(), 1);
        let left: Vec<String> = s.histories().map(|o| o.key).collect();
        assert_eq!(left, ["b"]);
        // A repeated key as its own object: found by key, the first.
        let again = s.new_slot("b", hash32("b"));
        assert_ne!(again, b);
        assert_eq!(s.find("b"), Some(b));
        assert_eq!(s.len(), 2);
    }
}
