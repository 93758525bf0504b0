//! The event simulation: object creations, reads, overwrites, deletes, multipart uploads and
//! listings, in time order, streamed one request at a time to a sink.
//!
//! **Event-driven.** A binary heap holds at most one pending event per live object (its next
//! read, overwrite, delete or upload part, whichever comes first) plus one creation and one
//! listing event per prefix; popping the heap yields requests in time order, so nothing is
//! sorted and no request is held after it is handed to the sink. Ties are broken by insertion
//! order, which is itself deterministic.
//!
//! **Processes.** Creations, overwrites and listings are Poisson processes whose rate is the
//! configured mean times the diurnal × weekly multiplier, drawn by thinning. An object's reads
//! are a Poisson process with rate `c · w · f(age)`: `f` the decay curve, `w` the object's
//! Zipf weight, `c = reads_first_day / F(1)` so that an average object is read
//! `reads_first_day` times in its first day (before cycles). The next read is drawn exactly by
//! inverting `F` (and thinned by the cycles); an overwrite starts a new version, whose age (and
//! read curve) starts again at 0. Deletes happen at the drawn lifetime, not thinned.
//!
//! **Randomness.** Each prefix draws from its own stream (`dist::stream(seed, prefix,
//! Events)`), and only while handling its own events, so a prefix's requests do not depend on
//! the other prefixes.
//!
//! **Memory per tracked object:** the `Obj` record is 88 bytes plus its URL-encoded key on
//! the heap (typically 60–120 bytes), plus one 24-byte heap entry while it has a pending
//! event, plus about 100 bytes while a multipart upload is in progress: about 200 bytes per
//! live object. Deleted objects' slots are reused.

use super::dist::{self, Cycles, DecayCurve, Purpose, Rng64, SizeSampler, Zipf};
use super::spec::{DeleteModel, KeyPart, MAX_PARTS, PrefixSpec, Spec};
use crate::units::time::{SECONDS_PER_DAY, civil_from_days};
use rand::{Rng, RngExt};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::fmt::Write;

const DAY: f64 = SECONDS_PER_DAY as f64;

/// What a request does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Op {
    Put,
    Get,
    Delete,
    InitiateMultipart,
    UploadPart,
    CompleteMultipart,
    List,
}

impl Op {
    /// The operation as S3 logs it.
    pub fn operation(self) -> &'static str {
        match self {
            Op::Put => "REST.PUT.OBJECT",
            Op::Get => "REST.GET.OBJECT",
            Op::Delete => "REST.DELETE.OBJECT",
            Op::InitiateMultipart => "REST.POST.UPLOADS",
            Op::UploadPart => "REST.PUT.PART",
            Op::CompleteMultipart => "REST.POST.UPLOAD",
            Op::List => "REST.GET.BUCKET",
        }
    }

    pub fn method(self) -> &'static str {
        match self {
            Op::Put | Op::UploadPart => "PUT",
            Op::Get | Op::List => "GET",
            Op::Delete => "DELETE",
            Op::InitiateMultipart | Op::CompleteMultipart => "POST",
        }
    }
}

/// Who sends requests: requester ARN, client address, user agent, TLS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub requester: String,
    pub ip: String,
    pub user_agent: &'static str,
    pub tls13: bool,
}

/// The query string of a request URI.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Query<'a> {
    None,
    /// `?uploads`
    Uploads,
    /// `?partNumber=N&uploadId=ID`
    Part(u32, &'a str),
    /// `?uploadId=ID`
    Complete(&'a str),
    /// `?list-type=2&prefix=P&encoding-type=url` (P URL-encoded)
    List(&'a str),
}

/// One request, as handed to the sink.
#[derive(Clone, Debug)]
pub struct Request<'a> {
    /// Seconds since the epoch, UTC.
    pub time: i64,
    pub prefix: usize,
    pub op: Op,
    /// The URL-encoded key; empty for bucket requests.
    pub key: &'a str,
    pub query: Query<'a>,
    pub status: u16,
    /// Response bytes (0 is logged `-`).
    pub bytes_sent: u64,
    pub object_size: Option<u64>,
    pub total_ms: u64,
    pub turn_ms: u64,
    pub who: &'a Identity,
    /// Random words for the request id and host id.
    pub noise: [u64; 10],
}

/// Totals of one prefix.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PrefixTotals {
    pub objects_created: u64,
    pub overwrites: u64,
    pub deletes: u64,
    pub reads: u64,
    pub bytes_written: u64,
    pub bytes_sent: u64,
    pub existing_objects: u64,
    pub existing_bytes: u64,
    pub live_objects_at_end: u64,
    pub live_bytes_at_end: u64,
}

/// What the simulation did, for `generate.json`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Totals {
    pub lines: u64,
    pub requests_by_operation: BTreeMap<&'static str, u64>,
    pub bytes_sent: u64,
    /// Bytes of completed writes (PUT and completed multipart uploads).
    pub bytes_written: u64,
    pub objects_created: u64,
    pub overwrites: u64,
    pub deletes: u64,
    pub live_objects_at_end: u64,
    pub live_bytes_at_end: u64,
    /// Live objects that appear in the logs (written or read): what a log reader finds.
    pub logged_live_objects_at_end: u64,
    pub logged_live_bytes_at_end: u64,
    /// Multipart uploads started and not completed by `end`.
    pub incomplete_uploads_at_end: u64,
    pub prefixes: Vec<PrefixTotals>,
}

/// A pre-existing object, as the inventory writer receives it.
pub struct Existing<'a> {
    pub prefix: usize,
    pub key: &'a str,
    pub size: u64,
    pub last_modified: i64,
    pub e_tag: &'a str,
    pub multipart: bool,
}

struct Upload {
    size: u64,
    part_size: u64,
    parts: u32,
    next_part: u32,
    id: String,
    /// Seconds between parts.
    gap: f64,
    next_at: f64,
    new_object: bool,
}

struct Obj {
    key: Box<str>,
    size: u64,
    /// When the current version was written (seconds since the epoch).
    version_at: f64,
    /// `F(age)` at the last read candidate.
    read_pos: f64,
    next_read: f64,
    next_overwrite: f64,
    next_delete: f64,
    upload: Option<Box<Upload>>,
    weight: f32,
    prefix: u32,
    /// A completed version exists.
    live: bool,
    /// The object appears in the logs (written or read).
    seen: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Target {
    Create(u32),
    List(u32),
    Obj(u32),
}

type Entry = Reverse<(i64, u64, Target)>;

struct PrefixRt {
    spec: PrefixSpec,
    /// URL-encoded name.
    name_enc: String,
    rng: Rng64,
    cycles: Cycles,
    curve: DecayCurve,
    /// Reads per day at age 0 of an object of weight 1.
    read_scale: f64,
    zipf: Zipf,
    sizes: SizeSampler,
    next_seq: u64,
    writers: Vec<Identity>,
    readers: Vec<Identity>,
    live: u64,
    totals: PrefixTotals,
}

/// The simulation of one spec.
pub struct Sim {
    start: f64,
    end: f64,
    prefixes: Vec<PrefixRt>,
    objects: Vec<Option<Obj>>,
    free: Vec<u32>,
    heap: BinaryHeap<Entry>,
    seq: u64,
    totals: Totals,
    key_buf: String,
}

const AGENTS_WRITE: &[&str] = &[
    "ElasticMapReduce/1.0.0 emrfs/s3n {} user:hadoop,groups:[hadoop], aws-sdk-java/1.12.779 Linux/5.10.225-213.878.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.12+7-LTS java/17.0.12 scala/2.12.18 vendor/Amazon.com_Inc. cfg/retry-mode/standard",
    "Hadoop 3.3.6, aws-sdk-java/2.25.53 Linux/5.10.223-211.872.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.12+7-LTS Java/17.0.12 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/adaptive",
];

const AGENTS_READ: &[&str] = &[
    "AWS_ATHENA, aws-sdk-java/1.12.720 Linux/5.10.219-208.866.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/25.412-b08 java/1.8.0_412 vendor/Amazon.com_Inc., trino",
    "Boto3/1.34.162 md/Botocore#1.34.162 ua/2.0 os/linux#6.1.109-118.189.amzn2023.x86_64 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.162",
    "aws-cli/2.17.50 md/awscrt#0.21.5 ua/2.0 os/linux#6.1.109-118.189.amzn2023.x86_64 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#amzn.2023 md/prompt#off md/command#s3.cp",
    "aws-sdk-go-v2/1.30.5 ua/2.1 os/linux lang/go#1.22.6 md/GOOS#linux md/GOARCH#amd64 api/s3#1.61.2 m/E,Z",
];

/// Appends `raw` URL-encoded the way S3 logs keys: every byte except `A-Za-z0-9-_.~/` as `%XX`.
pub fn url_encode_key(raw: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in raw.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 15) as usize] as char);
        }
    }
}

fn role_name(prefix: &str) -> String {
    let s: String = prefix
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let s = s.trim_matches('-');
    if s.is_empty() {
        "data".into()
    } else {
        s.chars().take(40).collect()
    }
}

fn identities(
    rng: &mut Rng64,
    account: &str,
    role: &str,
    n: usize,
    agents: &[&'static str],
    subnet: u8,
) -> Vec<Identity> {
    (0..n)
        .map(|i| {
            let inst = rng.next_u64() & 0x1_FFFF_FFFF_FFFF_FFFF_u128 as u64;
            Identity {
                requester: format!(
                    "arn:aws:sts::{account}:assumed-role/{role}/i-0{:016x}",
                    inst
                ),
                ip: format!(
                    "10.{}.{}.{}",
                    subnet,
                    rng.random_range(0..=255u32),
                    rng.random_range(2..=254u32)
                ),
                user_agent: agents[i % agents.len()],
                tls13: rng.random_range(0..4u32) != 0,
            }
        })
        .collect()
}

impl Sim {
    /// Prepares the simulation of `spec` (nothing is drawn for objects yet).
    pub fn new(spec: &Spec) -> Sim {
        let days = spec.days();
        let inv_share = existing_shares(spec);
        let prefixes = spec
            .prefixes
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let mut rng = dist::stream(spec.seed, i as u64, Purpose::Events);
                let curve = DecayCurve::new(&p.read_decay);
                let first_day = curve.cum(1.0);
                let expected = (p.objects_per_day * days).round() as u64 + inv_share[i];
                let role = role_name(&p.name);
                let subnet = (i % 200) as u8 + 16;
                let writers = identities(
                    &mut rng,
                    &spec.account_id,
                    &format!("{role}-writer"),
                    3,
                    AGENTS_WRITE,
                    subnet,
                );
                let readers = identities(
                    &mut rng,
                    &spec.account_id,
                    &format!("{role}-reader"),
                    6,
                    AGENTS_READ,
                    subnet,
                );
                let mut name_enc = String::new();
                url_encode_key(&p.name, &mut name_enc);
                PrefixRt {
                    name_enc,
                    rng,
                    cycles: Cycles::new(&p.cycles),
                    curve,
                    read_scale: if first_day > 0.0 {
                        p.reads_first_day / first_day
                    } else {
                        0.0
                    },
                    zipf: Zipf::new(expected, p.zipf_s),
                    sizes: SizeSampler::new(&p.size),
                    next_seq: 0,
                    writers,
                    readers,
                    live: 0,
                    totals: PrefixTotals::default(),
                    spec: p.clone(),
                }
            })
            .collect();
        Sim {
            start: spec.start.0 as f64,
            end: spec.end.0 as f64,
            prefixes,
            objects: Vec::new(),
            free: Vec::new(),
            heap: BinaryHeap::new(),
            seq: 0,
            totals: Totals::default(),
            key_buf: String::new(),
        }
    }

    fn push(&mut self, t: f64, target: Target) {
        if t < self.end {
            self.seq += 1;
            self.heap
                .push(Reverse(((t * 1e6).floor() as i64, self.seq, target)));
        }
    }

    fn insert(&mut self, o: Obj) -> u32 {
        match self.free.pop() {
            Some(i) => {
                self.objects[i as usize] = Some(o);
                i
            }
            None => {
                self.objects.push(Some(o));
                (self.objects.len() - 1) as u32
            }
        }
    }

    /// Renders a new key of prefix `p` for an object created at `t` into `self.key_buf`
    /// (URL-encoded), drawing `{uuid}`/`{hex8}` from `rng`.
    fn render_key(
        key_buf: &mut String,
        p: &mut PrefixRt,
        t: f64,
        use_inventory: Option<&mut Rng64>,
    ) {
        let seq = p.next_seq;
        p.next_seq += 1;
        let secs = t.floor() as i64;
        let (y, m, d) = civil_from_days(secs.div_euclid(SECONDS_PER_DAY));
        let hour = secs.rem_euclid(SECONDS_PER_DAY) / 3600;
        let mut raw = String::with_capacity(96);
        raw.push_str(&p.spec.name);
        let rng = match use_inventory {
            Some(r) => r,
            None => &mut p.rng,
        };
        for part in &p.spec.key_template {
            match part {
                KeyPart::Text(s) => raw.push_str(s),
                KeyPart::Date => {
                    let _ = write!(raw, "{y:04}-{m:02}-{d:02}");
                }
                KeyPart::Hour => {
                    let _ = write!(raw, "{hour:02}");
                }
                KeyPart::Seq => {
                    let _ = write!(raw, "{seq:06}");
                }
                KeyPart::Uuid => dist::uuid(rng, &mut raw),
                KeyPart::Hex8 => {
                    let _ = write!(raw, "{:08x}", rng.next_u32());
                }
            }
        }
        key_buf.clear();
        url_encode_key(&raw, key_buf);
    }

    /// Draws the pre-existing objects of every prefix (the inventory's content), hands each
    /// to `row`, and starts tracking them. Objects are split across prefixes by
    /// `existing_weight` (largest remainder) and listed oldest first within a prefix.
    pub fn seed_existing<E>(
        &mut self,
        spec: &Spec,
        mut row: impl FnMut(&Existing<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        let Some(inv) = &spec.inventory else {
            return Ok(());
        };
        let shares = existing_shares(spec);
        for (pi, n) in shares.iter().enumerate() {
            let mut irng = dist::stream(spec.seed, pi as u64, Purpose::Inventory);
            // (age, lifetime) in days. Under a lifetime rule only objects younger than their
            // lifetime still exist at start, so the age is drawn below it.
            let delete = self.prefixes[pi].spec.delete.clone();
            let mut ages: Vec<(f64, f64)> = (0..*n)
                .map(|_| {
                    let life = match &delete {
                        DeleteModel::After(l) => dist::lifetime_days(l, &mut irng),
                        _ => f64::INFINITY,
                    };
                    let hi = inv.max_age_days.min(life);
                    let lo = if inv.min_age_days <= hi {
                        inv.min_age_days
                    } else {
                        0.0
                    };
                    (lo + (hi - lo) * dist::unit(&mut irng), life)
                })
                .collect();
            ages.sort_by(|a, b| b.0.total_cmp(&a.0));
            for (age, life) in ages {
                // Whole seconds, strictly before start.
                let created = (self.start - (age * DAY).max(1.0)).floor();
                let mut key_buf = std::mem::take(&mut self.key_buf);
                let p = &mut self.prefixes[pi];
                Sim::render_key(&mut key_buf, p, created, Some(&mut irng));
                let size = p.sizes.sample(&mut irng);
                let multipart = size > p.spec.multipart_threshold_bytes;
                let mut e_tag = format!("{:016x}{:016x}", irng.next_u64(), irng.next_u64());
                if multipart {
                    let (_, parts) = part_plan(size, p.spec.part_size_bytes);
                    let _ = write!(e_tag, "-{parts}");
                }
                row(&Existing {
                    prefix: pi,
                    key: &key_buf,
                    size,
                    last_modified: created as i64,
                    e_tag: &e_tag,
                    multipart,
                })?;
                let weight = p.zipf.weight(&mut irng) as f32;
                let next_delete = match &p.spec.delete {
                    DeleteModel::Never => f64::INFINITY,
                    DeleteModel::Daily { probability } => {
                        self.start + dist::exp1(&mut irng) / -(1.0 - probability).ln() * DAY
                    }
                    DeleteModel::After(_) => (created + life * DAY).max(self.start),
                };
                let next_overwrite =
                    p.cycles
                        .next_time(&mut irng, self.start, p.spec.overwrites_per_day, self.end);
                p.live += 1;
                p.totals.existing_objects += 1;
                p.totals.existing_bytes += size;
                let mut o = Obj {
                    key: key_buf.as_str().into(),
                    size,
                    version_at: created,
                    read_pos: p.curve.cum((self.start - created) / DAY),
                    next_read: f64::INFINITY,
                    next_overwrite: next_overwrite.unwrap_or(f64::INFINITY),
                    next_delete,
                    upload: None,
                    weight,
                    prefix: pi as u32,
                    live: true,
                    seen: false,
                };
                self.key_buf = key_buf;
                let (nr, pos) =
                    next_read(&p.curve, &p.cycles, p.read_scale, &mut irng, &o, self.end);
                o.next_read = nr;
                o.read_pos = pos;
                let slot = self.insert(o);
                self.schedule(slot);
            }
        }
        Ok(())
    }

    fn schedule(&mut self, slot: u32) {
        let Some(o) = &self.objects[slot as usize] else {
            return;
        };
        let t = match &o.upload {
            Some(u) => u.next_at,
            None => o.next_read.min(o.next_overwrite).min(o.next_delete),
        };
        if t.is_finite() {
            self.push(t, Target::Obj(slot));
        }
    }

    /// Runs to `end`, handing every request to `sink` in time order; returns the totals.
    pub fn run<E>(
        mut self,
        mut sink: impl FnMut(&Request<'_>) -> Result<(), E>,
    ) -> Result<Totals, E> {
        for i in 0..self.prefixes.len() {
            let p = &mut self.prefixes[i];
            let rate = p.spec.objects_per_day;
            if let Some(t) = p.cycles.next_time(&mut p.rng, self.start, rate, self.end) {
                self.push(t, Target::Create(i as u32));
            }
            let p = &mut self.prefixes[i];
            let rate = p.spec.lists_per_day;
            if let Some(t) = p.cycles.next_time(&mut p.rng, self.start, rate, self.end) {
                self.push(t, Target::List(i as u32));
            }
        }
        while let Some(Reverse((micros, _, target))) = self.heap.pop() {
            let t = micros as f64 / 1e6;
            match target {
                Target::Create(pi) => self.create(pi as usize, t, &mut sink)?,
                Target::List(pi) => self.list(pi as usize, t, &mut sink)?,
                Target::Obj(slot) => self.object_event(slot, t, &mut sink)?,
            }
        }
        Ok(self.finish())
    }

    fn emit<E>(
        totals: &mut Totals,
        p: &mut PrefixRt,
        pi: usize,
        req: Req<'_>,
        sink: &mut impl FnMut(&Request<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        let rng = &mut p.rng;
        let mut noise = [0u64; 10];
        for w in &mut noise {
            *w = rng.next_u64();
        }
        let who = if req.writer {
            &p.writers[rng.random_range(0..p.writers.len())]
        } else {
            &p.readers[rng.random_range(0..p.readers.len())]
        };
        let turn_ms: u64 = match req.op {
            Op::Get | Op::List => rng.random_range(4..40),
            Op::Delete => rng.random_range(3..25),
            _ => rng.random_range(8..60),
        };
        let moved = match req.op {
            Op::Get => req.bytes_sent,
            Op::Put | Op::UploadPart => req.object_size.unwrap_or(0),
            _ => 0,
        };
        // 40-160 MB/s per connection.
        let rate = 40_000.0 + 120_000.0 * dist::unit(rng);
        let total_ms = turn_ms + (moved as f64 / rate).round() as u64;
        let r = Request {
            time: req.t.floor() as i64,
            prefix: pi,
            op: req.op,
            key: req.key,
            query: req.query,
            status: req.status,
            bytes_sent: req.bytes_sent,
            object_size: req.object_size,
            total_ms,
            turn_ms,
            who,
            noise,
        };
        totals.lines += 1;
        *totals
            .requests_by_operation
            .entry(req.op.operation())
            .or_insert(0) += 1;
        totals.bytes_sent += req.bytes_sent;
        p.totals.bytes_sent += req.bytes_sent;
        sink(&r)
    }

    fn create<E>(
        &mut self,
        pi: usize,
        t: f64,
        sink: &mut impl FnMut(&Request<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut key_buf = std::mem::take(&mut self.key_buf);
        let p = &mut self.prefixes[pi];
        Sim::render_key(&mut key_buf, p, t, None);
        let size = p.sizes.sample(&mut p.rng);
        let weight = p.zipf.weight(&mut p.rng) as f32;
        let next_delete = match &p.spec.delete {
            DeleteModel::Never => f64::INFINITY,
            DeleteModel::Daily { probability } => {
                t + dist::exp1(&mut p.rng) / -(1.0 - probability).ln() * DAY
            }
            DeleteModel::After(l) => t + dist::lifetime_days(l, &mut p.rng) * DAY,
        };
        let o = Obj {
            key: key_buf.as_str().into(),
            size: 0,
            version_at: t,
            read_pos: 0.0,
            next_read: f64::INFINITY,
            next_overwrite: f64::INFINITY,
            next_delete,
            upload: None,
            weight,
            prefix: pi as u32,
            live: false,
            seen: false,
        };
        self.key_buf = key_buf;
        let slot = self.insert(o);
        self.write_version(slot, t, size, true, sink)?;
        self.schedule(slot);
        let p = &mut self.prefixes[pi];
        let rate = p.spec.objects_per_day;
        if let Some(next) = p.cycles.next_time(&mut p.rng, t, rate, self.end) {
            self.push(next, Target::Create(pi as u32));
        }
        Ok(())
    }

    /// Writes a new version of `slot` at `t`: one PUT, or the start of a multipart upload.
    fn write_version<E>(
        &mut self,
        slot: u32,
        t: f64,
        size: u64,
        new_object: bool,
        sink: &mut impl FnMut(&Request<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        let Some(o) = self.objects[slot as usize].as_mut() else {
            return Ok(());
        };
        let pi = o.prefix as usize;
        let p = &mut self.prefixes[pi];
        if size > p.spec.multipart_threshold_bytes {
            let (part_size, parts) = part_plan(size, p.spec.part_size_bytes);
            let mut id = String::with_capacity(64);
            let mut raw = [0u8; 48];
            for chunk in raw.chunks_mut(8) {
                chunk.copy_from_slice(&p.rng.next_u64().to_le_bytes());
            }
            dist::base64(&raw, &mut id);
            // Upload ids are URL-safe base64 in S3; keep the query string unambiguous.
            let id: String = id
                .chars()
                .map(|c| match c {
                    '+' => '-',
                    '/' => '_',
                    c => c,
                })
                .collect();
            // Eight parts in flight at 40-160 MB/s each.
            let per_part = part_size as f64 / (40e6 + 120e6 * dist::unit(&mut p.rng)) / 8.0;
            Sim::emit(
                &mut self.totals,
                p,
                pi,
                Req {
                    t,
                    op: Op::InitiateMultipart,
                    key: &o.key,
                    query: Query::Uploads,
                    status: 200,
                    bytes_sent: 300 + o.key.len() as u64 + id.len() as u64,
                    object_size: None,
                    writer: true,
                },
                sink,
            )?;
            o.upload = Some(Box::new(Upload {
                size,
                part_size,
                parts,
                next_part: 1,
                id,
                gap: per_part.max(0.001),
                next_at: t + per_part.max(0.001),
                new_object,
            }));
            return Ok(());
        }
        Sim::emit(
            &mut self.totals,
            p,
            pi,
            Req {
                t,
                op: Op::Put,
                key: &o.key,
                query: Query::None,
                status: 200,
                bytes_sent: 0,
                object_size: Some(size),
                writer: true,
            },
            sink,
        )?;
        Sim::completed(&mut self.totals, p, o, t, size, new_object, self.end);
        Ok(())
    }

    /// A version of `o` became readable at `t`.
    fn completed(
        totals: &mut Totals,
        p: &mut PrefixRt,
        o: &mut Obj,
        t: f64,
        size: u64,
        new_object: bool,
        end: f64,
    ) {
        if new_object {
            totals.objects_created += 1;
            p.totals.objects_created += 1;
            p.live += 1;
        } else {
            totals.overwrites += 1;
            p.totals.overwrites += 1;
        }
        totals.bytes_written += size;
        p.totals.bytes_written += size;
        o.size = size;
        o.version_at = t;
        o.read_pos = 0.0;
        o.live = true;
        o.seen = true;
        // A delete that fell due while a multipart upload was still in flight happens once the
        // upload completes, not at its (earlier) due time: the log stays in time order and the
        // delete finds the object.
        o.next_delete = o.next_delete.max(t);
        let (nr, pos) = next_read(&p.curve, &p.cycles, p.read_scale, &mut p.rng, o, end);
        o.next_read = nr;
        o.read_pos = pos;
        o.next_overwrite = p
            .cycles
            .next_time(&mut p.rng, t, p.spec.overwrites_per_day, end)
            .unwrap_or(f64::INFINITY);
    }

    fn list<E>(
        &mut self,
        pi: usize,
        t: f64,
        sink: &mut impl FnMut(&Request<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        let p = &mut self.prefixes[pi];
        let name = std::mem::take(&mut p.name_enc);
        // A ListObjectsV2 page: about 330 bytes of XML per key, up to 1000 keys.
        let bytes = 650 + 330 * p.live.min(1000);
        let r = Sim::emit(
            &mut self.totals,
            p,
            pi,
            Req {
                t,
                op: Op::List,
                key: "",
                query: Query::List(&name),
                status: 200,
                bytes_sent: bytes,
                object_size: None,
                writer: false,
            },
            sink,
        );
        p.name_enc = name;
        r?;
        let rate = p.spec.lists_per_day;
        if let Some(next) = p.cycles.next_time(&mut p.rng, t, rate, self.end) {
            self.push(next, Target::List(pi as u32));
        }
        Ok(())
    }

    fn object_event<E>(
        &mut self,
        slot: u32,
        t: f64,
        sink: &mut impl FnMut(&Request<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        let Some(o) = self.objects[slot as usize].as_mut() else {
            return Ok(());
        };
        let pi = o.prefix as usize;
        let p = &mut self.prefixes[pi];
        if let Some(u) = o.upload.as_mut() {
            if u.next_part <= u.parts {
                let n = u.next_part;
                let bytes = if n < u.parts {
                    u.part_size
                } else {
                    u.size - u.part_size * (u.parts as u64 - 1)
                };
                Sim::emit(
                    &mut self.totals,
                    p,
                    pi,
                    Req {
                        t,
                        op: Op::UploadPart,
                        key: &o.key,
                        query: Query::Part(n, &u.id),
                        status: 200,
                        bytes_sent: 0,
                        object_size: Some(bytes),
                        writer: true,
                    },
                    sink,
                )?;
                u.next_part += 1;
                u.next_at = t + u.gap;
            } else {
                let (size, new_object) = (u.size, u.new_object);
                Sim::emit(
                    &mut self.totals,
                    p,
                    pi,
                    Req {
                        t,
                        op: Op::CompleteMultipart,
                        key: &o.key,
                        query: Query::Complete(&u.id),
                        status: 200,
                        bytes_sent: 330 + 2 * o.key.len() as u64,
                        object_size: Some(size),
                        writer: true,
                    },
                    sink,
                )?;
                o.upload = None;
                Sim::completed(&mut self.totals, p, o, t, size, new_object, self.end);
            }
            self.schedule(slot);
            return Ok(());
        }
        if o.next_delete <= o.next_overwrite && o.next_delete <= o.next_read {
            Sim::emit(
                &mut self.totals,
                p,
                pi,
                Req {
                    t,
                    op: Op::Delete,
                    key: &o.key,
                    query: Query::None,
                    status: 204,
                    bytes_sent: 0,
                    object_size: None,
                    writer: true,
                },
                sink,
            )?;
            self.totals.deletes += 1;
            p.totals.deletes += 1;
            p.live -= 1;
            self.objects[slot as usize] = None;
            self.free.push(slot);
            return Ok(());
        }
        if o.next_overwrite <= o.next_read {
            let size = p.sizes.sample(&mut p.rng);
            o.next_overwrite = f64::INFINITY;
            o.next_read = f64::INFINITY;
            self.write_version(slot, t, size, false, sink)?;
            self.schedule(slot);
            return Ok(());
        }
        // A read.
        let ranged = p.spec.range_read_fraction > 0.0
            && dist::unit(&mut p.rng) < p.spec.range_read_fraction
            && o.size > p.spec.range_read_bytes;
        let sent = if ranged {
            p.spec.range_read_bytes
        } else {
            o.size
        };
        Sim::emit(
            &mut self.totals,
            p,
            pi,
            Req {
                t,
                op: Op::Get,
                key: &o.key,
                query: Query::None,
                status: if ranged { 206 } else { 200 },
                bytes_sent: sent,
                object_size: Some(o.size),
                writer: false,
            },
            sink,
        )?;
        o.seen = true;
        p.totals.reads += 1;
        let (nr, pos) = next_read(&p.curve, &p.cycles, p.read_scale, &mut p.rng, o, self.end);
        o.next_read = nr;
        o.read_pos = pos;
        self.schedule(slot);
        Ok(())
    }

    fn finish(mut self) -> Totals {
        for o in self.objects.iter().flatten() {
            let p = &mut self.prefixes[o.prefix as usize];
            if o.upload.is_some() {
                self.totals.incomplete_uploads_at_end += 1;
            }
            if o.live {
                self.totals.live_objects_at_end += 1;
                self.totals.live_bytes_at_end += o.size;
                p.totals.live_objects_at_end += 1;
                p.totals.live_bytes_at_end += o.size;
                if o.seen {
                    self.totals.logged_live_objects_at_end += 1;
                    self.totals.logged_live_bytes_at_end += o.size;
                }
            }
        }
        self.totals.prefixes = self.prefixes.into_iter().map(|p| p.totals).collect();
        self.totals
    }
}

/// The parameters of `Sim::emit` that vary per request.
struct Req<'a> {
    t: f64,
    op: Op,
    key: &'a str,
    query: Query<'a>,
    status: u16,
    bytes_sent: u64,
    object_size: Option<u64>,
    writer: bool,
}

/// The next accepted read of `o` after its current read position, and the new position;
/// `(∞, pos)` when it has no more reads before `end`.
fn next_read(
    curve: &DecayCurve,
    cycles: &Cycles,
    read_scale: f64,
    rng: &mut Rng64,
    o: &Obj,
    end: f64,
) -> (f64, f64) {
    let c = read_scale * o.weight as f64;
    let m = cycles.max;
    if c <= 0.0 || m <= 0.0 || !o.live {
        return (f64::INFINITY, o.read_pos);
    }
    let mut y = o.read_pos;
    loop {
        y += dist::exp1(rng) / (c * m);
        let Some(age) = curve.inv(y) else {
            return (f64::INFINITY, y);
        };
        let t = o.version_at + age * DAY;
        if t >= end {
            return (f64::INFINITY, y);
        }
        if dist::unit(rng) * m < cycles.at(t) {
            return (t, y);
        }
    }
}

/// Part size and count for a multipart upload of `size` bytes: the configured part size,
/// raised to whole MiB when more than 10,000 parts would be needed.
pub fn part_plan(size: u64, part_size: u64) -> (u64, u32) {
    let mut ps = part_size.max(1);
    if size.div_ceil(ps) > MAX_PARTS {
        ps = size.div_ceil(MAX_PARTS).div_ceil(1 << 20) << 20;
    }
    (ps, size.div_ceil(ps).max(1) as u32)
}

/// Pre-existing objects per prefix: `inventory.objects` split by `existing_weight`, largest
/// remainder first (ties to the earlier prefix).
pub fn existing_shares(spec: &Spec) -> Vec<u64> {
    let n = spec.inventory.as_ref().map_or(0, |i| i.objects);
    let total: f64 = spec.prefixes.iter().map(|p| p.existing_weight).sum();
    if n == 0 || total <= 0.0 {
        return vec![0; spec.prefixes.len()];
    }
    let exact: Vec<f64> = spec
        .prefixes
        .iter()
        .map(|p| n as f64 * p.existing_weight / total)
        .collect();
    let mut out: Vec<u64> = exact.iter().map(|x| x.floor() as u64).collect();
    let mut left = n.saturating_sub(out.iter().sum());
    let mut order: Vec<usize> = (0..exact.len()).collect();
    order.sort_by(|&a, &b| {
        let (fa, fb) = (exact[a] - exact[a].floor(), exact[b] - exact[b].floor());
        fb.total_cmp(&fa).then(a.cmp(&b))
    });
    for i in order.into_iter().cycle() {
        if left == 0 {
            break;
        }
        if spec.prefixes[i].existing_weight > 0.0 {
            out[i] += 1;
            left -= 1;
        }
    }
    out
}
