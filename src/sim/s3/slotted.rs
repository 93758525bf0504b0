//! A map whose frequent keys have fixed slots, found by index without hashing; the other keys
//! live in a hash map. The storage timelines and the counts keep their meters in one.

use rustc_hash::FxHashMap;
use std::hash::Hash;

#[derive(Clone, Debug)]
pub(super) struct Slotted<K, V> {
    /// Slotted keys, by slot (allocated at the first slotted key).
    slots: Vec<Option<(K, V)>>,
    other: FxHashMap<K, V>,
}

impl<K, V> Default for Slotted<K, V> {
    fn default() -> Self {
        Slotted {
            slots: Vec::new(),
            other: FxHashMap::default(),
        }
    }
}

impl<K: Clone + Eq + Hash, V: Default> Slotted<K, V> {
    /// The value of `key`, added when missing. `slot` is the key's fixed slot if it has one;
    /// slots at or past `slots` are treated as none.
    pub(super) fn entry(&mut self, key: &K, slot: Option<usize>, slots: usize) -> &mut V {
        match slot.filter(|i| *i < slots) {
            Some(i) => {
                if self.slots.len() < slots {
                    self.slots.resize_with(slots, || None);
                }
                &mut self.slots[i]
                    .get_or_insert_with(|| (key.clone(), V::default()))
                    .1
            }
            None => self.other.entry(key.clone()).or_default(),
        }
    }

    /// Every key and value: slotted keys in slot order, then the others in the map's order.
    pub(super) fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        let slotted = self.slots.iter().flatten().map(|(k, v)| (k, v));
        slotted.chain(self.other.iter())
    }

    pub(super) fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        let slotted = self.slots.iter_mut().flatten().map(|(_, v)| v);
        slotted.chain(self.other.values_mut())
    }

    /// Keeps only the keys `keep` accepts.
    pub(super) fn retain(&mut self, mut keep: impl FnMut(&K) -> bool) {
        for s in self.slots.iter_mut() {
            if s.as_ref().is_some_and(|(k, _)| !keep(k)) {
                *s = None;
            }
        }
        self.other.retain(|k, _| keep(k));
    }
}
