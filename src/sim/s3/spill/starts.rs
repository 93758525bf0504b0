//! Inventory objects that wait for their partition: when the logs' objects are partitioned, the
//! inventory is still read once; an object whose key may have log events is written here, to
//! the file of its key's hash range, and replayed with that partition's events. A record is
//! `hash u32, key length u32, noncurrent count u32, has-initial u8, key, initial?, noncurrent…`,
//! a state at the start being 18 bytes (created i64, size u64, class u8, IT tier u8 where 0 is
//! none) and a noncurrent version that state plus flags u8 (1: `since` follows, 2: delete
//! marker) and `since` i64; little-endian.

use super::{HashRange, PartFile, Partitioned, SpillDir, SpillError, io};
use crate::aws::{ItTier, StorageClass};
use crate::sim::s3::history::{Initial, Noncurrent, ObjectHistory};
use crate::sim::s3::store::hash32;
use crate::units::Timestamp;
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;

const INITIAL_BYTES: usize = 18;
const NONCURRENT_BYTES: usize = INITIAL_BYTES + 9;

/// Files of inventory objects, one per hash range (the partitions' ranges, in order).
pub struct StartsWriter {
    /// The partitions' directory (none when there are no partitions).
    dir: Option<Arc<SpillDir>>,
    parts: Vec<(HashRange, PathBuf, BufWriter<File>, u64)>,
}

impl StartsWriter {
    /// One file per partition of `parted`, beside its files.
    pub fn create(parted: &Partitioned) -> Result<StartsWriter, SpillError> {
        let ranges: Vec<HashRange> = parted.files.iter().map(|f| f.range).collect();
        match parted.files.first() {
            Some(f) => StartsWriter::for_ranges(f.dir.clone(), &ranges),
            None => Ok(StartsWriter {
                dir: None,
                parts: Vec::new(),
            }),
        }
    }

    fn for_ranges(dir: Arc<SpillDir>, ranges: &[HashRange]) -> Result<StartsWriter, SpillError> {
        let mut parts = Vec::with_capacity(ranges.len());
        for r in ranges {
            let path = dir.file();
            let f = File::create(&path).map_err(io(&path))?;
            parts.push((*r, path, BufWriter::with_capacity(64 << 10, f), 0));
        }
        Ok(StartsWriter {
            dir: Some(dir),
            parts,
        })
    }

    /// Writes `o`'s state at the start (its events, if any, are not written) to the file of
    /// its key's range.
    pub fn write(&mut self, o: &ObjectHistory) -> Result<(), SpillError> {
        self.write_hashed(hash32(&o.key), o)
    }

    fn write_hashed(&mut self, hash: u32, o: &ObjectHistory) -> Result<(), SpillError> {
        let h = u64::from(hash);
        let i = self.parts.partition_point(|(r, ..)| r.hi <= h);
        let Some((_, path, out, bytes)) = self.parts.get_mut(i) else {
            return Ok(());
        };
        let mut buf = Vec::with_capacity(
            13 + o.key.len() + INITIAL_BYTES + o.noncurrent.len() * NONCURRENT_BYTES,
        );
        buf.extend_from_slice(&hash.to_le_bytes());
        buf.extend_from_slice(&(o.key.len() as u32).to_le_bytes());
        buf.extend_from_slice(&(o.noncurrent.len() as u32).to_le_bytes());
        buf.push(u8::from(o.initial.is_some()));
        buf.extend_from_slice(o.key.as_bytes());
        if let Some(i) = &o.initial {
            encode_initial(i, &mut buf);
        }
        for n in o.noncurrent.iter() {
            encode_initial(&n.version, &mut buf);
            buf.push(u8::from(n.since.is_some()) | (u8::from(n.marker) << 1));
            buf.extend_from_slice(&n.since.map_or(0, |t| t.0).to_le_bytes());
        }
        out.write_all(&buf).map_err(io(path))?;
        *bytes += buf.len() as u64;
        Ok(())
    }

    /// Closes the files, one per range in order.
    pub fn finish(self) -> Result<Vec<StartsFile>, SpillError> {
        let Some(dir) = self.dir else {
            return Ok(Vec::new());
        };
        let mut files = Vec::with_capacity(self.parts.len());
        for (range, path, out, bytes) in self.parts {
            let file = StartsFile(PartFile {
                dir: dir.clone(),
                range,
                path,
                bytes,
            });
            out.into_inner()
                .map_err(|e| io(&file.path)(e.into_error()))?;
            files.push(file);
        }
        Ok(files)
    }
}

fn encode_initial(i: &Initial, buf: &mut Vec<u8>) {
    buf.extend_from_slice(&i.created.0.to_le_bytes());
    buf.extend_from_slice(&i.size.to_le_bytes());
    let index = |all: &[StorageClass]| all.iter().position(|c| *c == i.class).unwrap_or(0);
    buf.push(index(StorageClass::ALL) as u8);
    let tier = i
        .it_tier
        .and_then(|t| ItTier::ALL.iter().position(|x| *x == t))
        .map_or(0, |p| p + 1);
    buf.push(tier as u8);
}

fn decode_initial(b: &[u8]) -> Option<Initial> {
    let word = |at: usize| -> Option<[u8; 8]> { b.get(at..at + 8)?.try_into().ok() };
    let class = *StorageClass::ALL.get(usize::from(*b.get(16)?))?;
    let it_tier = match *b.get(17)? {
        0 => None,
        t => Some(*ItTier::ALL.get(usize::from(t) - 1)?),
    };
    Some(Initial {
        created: Timestamp(i64::from_le_bytes(word(0)?)),
        size: u64::from_le_bytes(word(8)?),
        class,
        it_tier,
    })
}

/// A partition of inventory objects: the keys of its range.
pub struct StartsFile(PartFile);

impl std::ops::Deref for StartsFile {
    type Target = PartFile;

    fn deref(&self) -> &PartFile {
        &self.0
    }
}

impl StartsFile {
    /// Hands each object to `f` in the order written, with no events.
    pub fn read(
        &self,
        mut f: impl FnMut(ObjectHistory) -> Result<(), SpillError>,
    ) -> Result<(), SpillError> {
        self.read_hashed(|_, o| f(o))
    }

    fn read_hashed(
        &self,
        mut f: impl FnMut(u32, ObjectHistory) -> Result<(), SpillError>,
    ) -> Result<(), SpillError> {
        let mut r = self.open()?;
        let corrupt = |offset: u64, what| self.corrupt(offset, what);
        let (mut at, mut buf) = (0u64, Vec::new());
        while at < self.bytes {
            let mut head = [0u8; 13];
            r.read_exact(&mut head)
                .map_err(|_| corrupt(at, "ends inside a record"))?;
            let word =
                |i: usize| u32::from_le_bytes([head[i], head[i + 1], head[i + 2], head[i + 3]]);
            let (hash, len, n, has) = (word(0), word(4) as usize, word(8) as usize, head[12]);
            if has > 1 {
                return Err(corrupt(at, "a record's flags are unknown"));
            }
            let size = 13
                + len as u64
                + u64::from(has) * INITIAL_BYTES as u64
                + n as u64 * NONCURRENT_BYTES as u64;
            if at + size > self.bytes {
                return Err(corrupt(at, "a record runs past the file's end"));
            }
            buf.resize(size as usize - 13, 0);
            r.read_exact(&mut buf)
                .map_err(|_| corrupt(at, "ends inside a record"))?;
            let key =
                std::str::from_utf8(&buf[..len]).map_err(|_| corrupt(at, "a key is not UTF-8"))?;
            if !self.range.contains(hash) || hash != hash32(key) {
                return Err(corrupt(at, "a key's hash does not match"));
            }
            let mut rest = &buf[len..];
            let bad = || corrupt(at, "a state at the start is not valid");
            let initial = if has == 1 {
                let i = decode_initial(rest).ok_or_else(bad)?;
                rest = &rest[INITIAL_BYTES..];
                Some(i)
            } else {
                None
            };
            let mut noncurrent = Vec::with_capacity(n);
            for c in rest.chunks_exact(NONCURRENT_BYTES) {
                let version = decode_initial(c).ok_or_else(bad)?;
                let flags = c[INITIAL_BYTES];
                if flags > 3 {
                    return Err(bad());
                }
                let since =
                    i64::from_le_bytes(c[INITIAL_BYTES + 1..].try_into().map_err(|_| bad())?);
                noncurrent.push(Noncurrent {
                    version,
                    since: (flags & 1 != 0).then_some(Timestamp(since)),
                    marker: flags & 2 != 0,
                });
            }
            at += size;
            f(
                hash,
                ObjectHistory {
                    key: key.to_string(),
                    initial,
                    noncurrent: noncurrent.into_boxed_slice(),
                    events: Vec::new(),
                },
            )?;
        }
        Ok(())
    }

    /// The objects of each of `ranges` (which split this file's range, in order), in files of
    /// their own; this one is removed.
    pub fn split(self, ranges: &[HashRange]) -> Result<Vec<StartsFile>, SpillError> {
        let mut w = StartsWriter::for_ranges(self.dir.clone(), ranges)?;
        self.read_hashed(|hash, o| w.write_hashed(hash, &o))?;
        w.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::s3::spill::{HashRange, SpillDir};

    fn object(i: u64) -> ObjectHistory {
        let state = |k: u64| Initial {
            created: Timestamp(1_700_000_000 + k as i64),
            size: k * 1000,
            class: StorageClass::ALL[k as usize % StorageClass::ALL.len()],
            it_tier: (!k.is_multiple_of(3)).then(|| ItTier::ALL[k as usize % ItTier::ALL.len()]),
        };
        ObjectHistory {
            key: format!("inv/{i}/é"),
            initial: (!i.is_multiple_of(4)).then(|| state(i)),
            noncurrent: (0..i % 3)
                .map(|j| Noncurrent {
                    version: state(i + j),
                    since: (j % 2 == 0).then_some(Timestamp(-(j as i64))),
                    marker: j == 1,
                })
                .collect(),
            events: Vec::new(),
        }
    }

    /// Objects written to the files of three ranges, one file split again: each comes back
    /// once, whole, from the file of its range; the files are then gone.
    #[test]
    fn objects_come_back_from_their_range_whole() {
        let base = tempfile::tempdir().unwrap();
        let dir = SpillDir::create(base.path()).unwrap();
        let ranges: Vec<HashRange> = (0..3).map(|i| HashRange::ALL.nth(i, 3)).collect();
        let mut w = StartsWriter::for_ranges(dir.clone(), &ranges).unwrap();
        let objects: Vec<ObjectHistory> = (0..2_000).map(object).collect();
        for o in &objects {
            w.write(o).unwrap();
        }
        let mut files = w.finish().unwrap();
        let last = files.pop().unwrap();
        let halves: Vec<HashRange> = (0..2).map(|i| last.range().nth(i, 2)).collect();
        files.extend(last.split(&halves).unwrap());
        assert_eq!(files.len(), 4);
        let mut got = Vec::new();
        for f in &files {
            f.read(|o| {
                assert!(f.range().contains_key(&o.key));
                got.push(o);
                Ok(())
            })
            .unwrap();
        }
        got.sort_by(|a, b| a.key.cmp(&b.key));
        let mut want = objects.clone();
        want.sort_by(|a, b| a.key.cmp(&b.key));
        assert!(got == want, "objects changed on the way through disk");
        drop((files, dir));
        assert_eq!(std::fs::read_dir(base.path()).unwrap().count(), 0);
    }

    /// A damaged byte is an error naming the file, never a panic or a wrong object.
    #[test]
    fn damage_is_an_error() {
        let base = tempfile::tempdir().unwrap();
        let dir = SpillDir::create(base.path()).unwrap();
        let mut w = StartsWriter::for_ranges(dir, &[HashRange::ALL]).unwrap();
        w.write(&object(5)).unwrap();
        let f = w.finish().unwrap().pop().unwrap();
        let good = std::fs::read(&f.path).unwrap();
        // (byte, value, what the error says)
        for (at, v, what) in [
            (12, 2, "flags are unknown"),
            (13, b'x', "hash does not match"),
            // The key is 8 bytes; the class and the tier follow created and size.
            (13 + 8 + 16, 40, "not valid"),
            (13 + 8 + 17, 9, "not valid"),
        ] {
            let mut bad = good.clone();
            bad[at] = v;
            std::fs::write(&f.path, &bad).unwrap();
            let err = f.read(|_| Ok(())).unwrap_err().to_string();
            assert!(err.contains(what) && err.contains("part-"), "{at}: {err}");
        }
        std::fs::write(&f.path, &good[..good.len() - 1]).unwrap();
        let err = f.read(|_| Ok(())).unwrap_err().to_string();
        assert!(err.contains("ends inside a record"), "{err}");
    }
}
