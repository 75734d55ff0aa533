//! The matcher's compact index. At import time each OSV `affected[]` entry
//! is reduced to what matching reads (its `versions` list, sorted by the
//! ecosystem's version order, and its `ECOSYSTEM`/`SEMVER` ranges as tagged
//! event strings) and encoded as a small binary [`entry`](encode_entry).
//! When a database is published, every ecosystem gets a lookup blob (a hash
//! table over its package names) and one block per name ([`build_block`]):
//! the name's entries with their bounds pre-parsed and sorted, then the
//! binary heads ([`crate::head`]) of the records behind them. A scan loads
//! the lookup of each ecosystem it needs, so packages with no advisory (the
//! vast majority) cost one hash probe; for the others it reads the
//! evaluated part of the name's block once, and only the heads its hits name.
//!
//! Every read from a blob is bounds-checked: a damaged blob is reported as a
//! corrupt database, never a panic.

use crate::matcher::{EventKind, Hit, event_of, in_range_events, merge_hit};
use crate::osv::Affected;
use std::cmp::Ordering;
use vigie_version::{Scheme, Version, VersionError};

const INDEX_MAGIC: &[u8; 4] = b"VGI3";

/// Range kinds kept in an entry; others (GIT) are never evaluated.
const RANGE_ECOSYSTEM: u8 = 0;
const RANGE_SEMVER: u8 = 1;

/// LEB128-style unsigned varint (also used by `head`).
pub(crate) fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

pub(crate) fn put_str(out: &mut Vec<u8>, text: &str) {
    put_varint(out, text.len() as u64);
    out.extend_from_slice(text.as_bytes());
}

/// A bounds-checked reader over a byte slice.
#[derive(Clone)]
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, at: 0 }
    }

    pub(crate) fn position(&self) -> usize {
        self.at
    }

    pub(crate) fn at_end(&self) -> bool {
        self.at == self.bytes.len()
    }

    /// The bytes read since `start`.
    pub(crate) fn since(&self, start: usize) -> Option<&'a [u8]> {
        self.bytes.get(start..self.at)
    }

    pub(crate) fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    pub(crate) fn varint(&mut self) -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }

    pub(crate) fn len(&mut self) -> Option<usize> {
        usize::try_from(self.varint()?).ok()
    }

    pub(crate) fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let slice = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(slice)
    }

    pub(crate) fn str(&mut self) -> Option<&'a str> {
        let n = self.len()?;
        std::str::from_utf8(self.bytes(n)?).ok()
    }

    fn u32(&mut self) -> Option<u32> {
        let b = self.bytes(4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

/// Encode one affected entry of ecosystem `ecosystem` (package left out:
/// the index is keyed by it).
///
/// Layout: `versions` that parse under the ecosystem's scheme, sorted by it
/// (so the matcher finds an equal version by binary search), then the ones
/// that do not parse (compared as text only, as before), then the ranges
/// the matcher can evaluate, each `kind, n, (event kind, text)*` in the
/// record's order.
pub fn encode_entry(ecosystem: &str, affected: &Affected) -> Vec<u8> {
    let scheme = Scheme::for_ecosystem(ecosystem);
    let mut parsed: Vec<(Version, &str)> = Vec::new();
    let mut unparsed: Vec<&str> = Vec::new();
    for listed in &affected.versions {
        match scheme.map(|s| Version::parse(s, listed)) {
            Some(Ok(version)) => parsed.push((version, listed)),
            _ => unparsed.push(listed),
        }
    }
    parsed.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = Vec::with_capacity(32);
    put_varint(&mut out, parsed.len() as u64);
    for (_, text) in &parsed {
        put_str(&mut out, text);
    }
    put_varint(&mut out, unparsed.len() as u64);
    for text in &unparsed {
        put_str(&mut out, text);
    }
    let ranges: Vec<_> = affected
        .ranges
        .iter()
        .filter_map(|r| match r.kind.as_str() {
            "ECOSYSTEM" => Some((RANGE_ECOSYSTEM, r)),
            "SEMVER" => Some((RANGE_SEMVER, r)),
            _ => None,
        })
        .collect();
    put_varint(&mut out, ranges.len() as u64);
    for (kind, range) in ranges {
        out.push(kind);
        let events: Vec<(EventKind, &str)> = range.events.iter().filter_map(event_of).collect();
        put_varint(&mut out, events.len() as u64);
        for (kind, text) in events {
            out.push(kind as u8);
            put_str(&mut out, text);
        }
    }
    out
}

/// Why a stored entry could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed index entry")]
pub struct Malformed;

/// Decode an entry back into an [`Affected`] (package left out; `versions`
/// in stored order), for inspection and tests.
pub fn decode_entry(bytes: &[u8]) -> Result<Affected, Malformed> {
    let mut r = Reader::new(bytes);
    let mut affected = Affected::default();
    for _ in 0..2 {
        let n = r.len().ok_or(Malformed)?;
        for _ in 0..n {
            affected.versions.push(r.str().ok_or(Malformed)?.to_string());
        }
    }
    let ranges = r.len().ok_or(Malformed)?;
    for _ in 0..ranges {
        let kind = match r.byte().ok_or(Malformed)? {
            RANGE_ECOSYSTEM => "ECOSYSTEM",
            RANGE_SEMVER => "SEMVER",
            _ => return Err(Malformed),
        };
        let n = r.len().ok_or(Malformed)?;
        let mut events = Vec::with_capacity(n.min(64));
        for _ in 0..n {
            let kind = EventKind::from_u8(r.byte().ok_or(Malformed)?).ok_or(Malformed)?;
            let text = Some(r.str().ok_or(Malformed)?.to_string());
            let mut event = crate::osv::Event::default();
            match kind {
                EventKind::Introduced => event.introduced = text,
                EventKind::Fixed => event.fixed = text,
                EventKind::LastAffected => event.last_affected = text,
                EventKind::Limit => event.limit = text,
            }
            events.push(event);
        }
        affected.ranges.push(crate::osv::Range {
            kind: kind.to_string(),
            events,
        });
    }
    Ok(affected)
}

/// Whether a range of `kind` is ever evaluated for packages of `scheme`
/// (the matcher's rule: `ECOSYSTEM` under the ecosystem's scheme, `SEMVER`
/// only where the ecosystem's scheme is SemVer or Go).
fn evaluated(kind: u8, scheme: Option<Scheme>) -> bool {
    matches!(
        (kind, scheme),
        (RANGE_ECOSYSTEM, Some(_)) | (RANGE_SEMVER, Some(Scheme::Semver | Scheme::Go))
    )
}

const FORM_SORTED: u8 = 0;
const FORM_RAW: u8 = 1;

struct DecodedEntry<'a> {
    rid: i64,
    seq: i64,
    sorted_versions: Vec<&'a str>,
    other_versions: Vec<&'a str>,
    ranges: Vec<(u8, Vec<(EventKind, &'a str)>)>,
}

fn decode_for_block(rid: i64, seq: i64, bytes: &[u8]) -> Option<DecodedEntry<'_>> {
    let mut r = Reader::new(bytes);
    let mut lists = [Vec::new(), Vec::new()];
    for list in &mut lists {
        let n = r.len()?;
        for _ in 0..n {
            list.push(r.str()?);
        }
    }
    let [sorted_versions, other_versions] = lists;
    let n = r.len()?;
    let mut ranges = Vec::with_capacity(n.min(64));
    for _ in 0..n {
        let kind = r.byte()?;
        let count = r.len()?;
        let mut events = Vec::with_capacity(count.min(64));
        for _ in 0..count {
            let event = EventKind::from_u8(r.byte()?)?;
            events.push((event, r.str()?));
        }
        ranges.push((kind, events));
    }
    Some(DecodedEntry {
        rid,
        seq,
        sorted_versions,
        other_versions,
        ranges,
    })
}

/// Whether an event's text is a version to compare (`0` and a `*` limit are not).
fn is_bound(kind: EventKind, text: &str) -> bool {
    text != "0" && !(kind == EventKind::Limit && text == "*")
}

/// Build the block of one package name from its entries (import-time
/// encoding, see [`encode_entry`]).
///
/// Every version text the entries compare against is parsed here once and
/// sorted; equal versions form one class. Range events become `(kind,
/// class)` pairs already in evaluation order, versions lists become class
/// numbers, so matching parses only the installed version and the few texts
/// a binary search visits. A range with a text that does not parse is kept
/// as text (evaluating it reports the same error as before).
///
/// Layout: `texts` (sorted), `class starts`, then per entry `rid, seq,
/// listed classes, unparsed listed texts, ranges`; a sorted range is
/// `0, n, (kind, class + 1 or 0 for "0", [text index if fixed])*`, a raw one
/// `1, n, (kind, text)*`.
pub fn build_block(scheme: Option<Scheme>, entries: &[(i64, i64, Vec<u8>)]) -> Result<Vec<u8>, Malformed> {
    build_block_with_heads(scheme, entries, &[])
}

/// [`build_block`] with the encoded heads ([`crate::head`]) of the entries'
/// records, `(rid, head)` sorted by rid: each is stored once in the block,
/// after the class starts, and every entry points at its record's head (an
/// entry whose record has no head points nowhere).
pub fn build_block_with_heads(
    scheme: Option<Scheme>,
    entries: &[(i64, i64, Vec<u8>)],
    heads: &[(i64, Vec<u8>)],
) -> Result<Vec<u8>, Malformed> {
    let decoded: Vec<DecodedEntry<'_>> = entries
        .iter()
        .map(|(rid, seq, bytes)| decode_for_block(*rid, *seq, bytes).ok_or(Malformed))
        .collect::<Result<_, _>>()?;
    let mut parsed: std::collections::HashMap<&str, Option<Version>> = std::collections::HashMap::new();
    if let Some(scheme) = scheme {
        for entry in &decoded {
            let range_texts = entry
                .ranges
                .iter()
                .filter(|(kind, _)| evaluated(*kind, Some(scheme)))
                .flat_map(|(_, events)| events.iter().filter(|(k, t)| is_bound(*k, t)).map(|(_, t)| *t));
            for text in entry.sorted_versions.iter().copied().chain(range_texts) {
                parsed.entry(text).or_insert_with(|| Version::parse(scheme, text).ok());
            }
        }
    }
    let mut texts: Vec<(&Version, &str)> = parsed
        .iter()
        .filter_map(|(text, version)| version.as_ref().map(|v| (v, *text)))
        .collect();
    texts.sort_by(|a, b| a.0.cmp(b.0).then_with(|| a.1.cmp(b.1)));
    let mut class_starts: Vec<usize> = Vec::new();
    let mut class_of: std::collections::HashMap<&str, (usize, usize)> = std::collections::HashMap::new();
    for (i, (version, text)) in texts.iter().enumerate() {
        if i == 0 || texts[i - 1].0.cmp(version) != Ordering::Equal {
            class_starts.push(i);
        }
        class_of.insert(text, (class_starts.len() - 1, i));
    }
    // The evaluated part (the "prefix") comes first, its length in a fixed
    // header, so a reader can read it alone and then only the heads it needs.
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(&[0; 4]);
    put_varint(&mut out, texts.len() as u64);
    for (_, text) in &texts {
        put_str(&mut out, text);
    }
    put_varint(&mut out, class_starts.len() as u64);
    for start in &class_starts {
        put_varint(&mut out, *start as u64);
    }
    // Heads go after the prefix, each entry pointing at its record's one.
    let mut head_at = Vec::with_capacity(heads.len());
    let mut heads_len = 0usize;
    for (_, head) in heads {
        head_at.push(heads_len);
        heads_len += head.len();
    }
    put_varint(&mut out, decoded.len() as u64);
    for entry in &decoded {
        put_varint(&mut out, entry.rid as u64);
        put_varint(&mut out, entry.seq as u64);
        match heads.binary_search_by_key(&entry.rid, |(rid, _)| *rid) {
            Ok(i) => {
                put_varint(&mut out, head_at[i] as u64 + 1);
                put_varint(&mut out, heads[i].1.len() as u64);
            }
            Err(_) => put_varint(&mut out, 0),
        }
        // Listed versions that parse compare by class; the others (and all
        // of them without a scheme) by text.
        let mut listed: Vec<usize> = Vec::new();
        let mut unparsed: Vec<&str> = entry.other_versions.clone();
        for text in &entry.sorted_versions {
            match class_of.get(text) {
                Some((class, _)) => listed.push(*class),
                None => unparsed.push(text),
            }
        }
        listed.sort_unstable();
        listed.dedup();
        put_varint(&mut out, listed.len() as u64);
        for class in listed {
            put_varint(&mut out, class as u64);
        }
        put_varint(&mut out, unparsed.len() as u64);
        for text in unparsed {
            put_str(&mut out, text);
        }
        let ranges: Vec<_> = entry
            .ranges
            .iter()
            .filter(|(kind, _)| evaluated(*kind, scheme))
            .collect();
        put_varint(&mut out, ranges.len() as u64);
        for (_, events) in ranges {
            let all_parse = events
                .iter()
                .all(|(kind, text)| !is_bound(*kind, text) || class_of.contains_key(text));
            if !all_parse {
                out.push(FORM_RAW);
                put_varint(&mut out, events.len() as u64);
                for (kind, text) in events {
                    out.push(*kind as u8);
                    put_str(&mut out, text);
                }
                continue;
            }
            // The order the matcher evaluates in: by version (`0` first),
            // then by kind; stable, as the evaluation's own sort.
            let mut sorted: Vec<(EventKind, Option<(usize, usize)>)> = events
                .iter()
                .filter(|(kind, text)| !(*kind == EventKind::Limit && *text == "*"))
                .map(|(kind, text)| {
                    (
                        *kind,
                        if *text == "0" {
                            None
                        } else {
                            class_of.get(text).copied()
                        },
                    )
                })
                .collect();
            sorted.sort_by(|a, b| match (a.1, b.1) {
                (None, None) => a.0.cmp(&b.0),
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
                (Some(x), Some(y)) => x.0.cmp(&y.0).then(a.0.cmp(&b.0)),
            });
            out.push(FORM_SORTED);
            put_varint(&mut out, sorted.len() as u64);
            for (kind, bound) in sorted {
                out.push(kind as u8);
                match bound {
                    None => put_varint(&mut out, 0),
                    Some((class, text_index)) => {
                        put_varint(&mut out, class as u64 + 1);
                        if kind == EventKind::Fixed {
                            put_varint(&mut out, text_index as u64);
                        }
                    }
                }
            }
        }
    }
    let prefix = u32::try_from(out.len()).map_err(|_| Malformed)?;
    out[..4].copy_from_slice(&prefix.to_le_bytes());
    out.reserve(heads_len);
    for (_, head) in heads {
        out.extend_from_slice(head);
    }
    Ok(out)
}

/// The length of a block's evaluated part (what [`evaluate_block`] needs),
/// from its first 4 bytes.
pub fn block_prefix_len(header: &[u8]) -> Option<usize> {
    let b = header.get(..4)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
}

/// What evaluating one entry of a block gave (only hits and errors are reported).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryResult {
    pub rid: i64,
    pub seq: i64,
    /// Where the record's head lies in the block (offset, length), if stored.
    pub head: Option<(usize, usize)>,
    pub result: Result<Hit, VersionError>,
}

/// Evaluate every entry of a package name's block against one installed
/// version: the same answers as [`crate::matcher::affects`] on each entry.
pub fn evaluate_block(
    scheme: Option<Scheme>,
    block: &[u8],
    version_text: &str,
    version: Option<&Version>,
    out: &mut Vec<EntryResult>,
) -> Result<(), Malformed> {
    let prefix_len = block_prefix_len(block).ok_or(Malformed)?;
    let mut r = Reader::new(block.get(..prefix_len).ok_or(Malformed)?);
    r.bytes(4).ok_or(Malformed)?;
    let n_texts = r.len().ok_or(Malformed)?;
    let mut texts = Vec::with_capacity(n_texts.min(4096));
    for _ in 0..n_texts {
        texts.push(r.str().ok_or(Malformed)?);
    }
    let n_classes = r.len().ok_or(Malformed)?;
    let mut starts = Vec::with_capacity(n_classes.min(4096));
    for _ in 0..n_classes {
        starts.push(r.len().ok_or(Malformed)?);
    }
    // Where the installed version falls among the classes: `low` classes
    // are below it; `equal` when class `low` is its own.
    let (mut low, mut equal) = (0usize, false);
    if let (Some(scheme), Some(version)) = (scheme, version) {
        let mut high = n_classes;
        while low < high {
            let middle = low + (high - low) / 2;
            let text = starts.get(middle).and_then(|&i| texts.get(i)).ok_or(Malformed)?;
            let class = Version::parse(scheme, text).map_err(|_| Malformed)?;
            match class.cmp(version) {
                Ordering::Less => low = middle + 1,
                Ordering::Greater => high = middle,
                Ordering::Equal => {
                    low = middle;
                    equal = true;
                    break;
                }
            }
        }
    }
    // A bound (class + 1, 0 for "0") against the installed version.
    let compare = |bound: usize| -> Option<Ordering> {
        let class = bound.checked_sub(1)?;
        Some(if class < low {
            Ordering::Less
        } else if class == low && equal {
            Ordering::Equal
        } else {
            Ordering::Greater
        })
    };
    let entries = r.len().ok_or(Malformed)?;
    let mut raw_events: Vec<(EventKind, &str)> = Vec::new();
    for _ in 0..entries {
        let rid = r.varint().ok_or(Malformed)? as i64;
        let seq = r.varint().ok_or(Malformed)? as i64;
        let head = match r.len().ok_or(Malformed)? {
            0 => None,
            at => Some((
                prefix_len.checked_add(at - 1).ok_or(Malformed)?,
                r.len().ok_or(Malformed)?,
            )),
        };
        let mut listed_hit = false;
        let n = r.len().ok_or(Malformed)?;
        for _ in 0..n {
            let class = r.len().ok_or(Malformed)?;
            listed_hit |= version.is_some() && equal && class == low;
        }
        let n = r.len().ok_or(Malformed)?;
        for _ in 0..n {
            listed_hit |= r.str().ok_or(Malformed)? == version_text;
        }
        let ranges = r.len().ok_or(Malformed)?;
        let mut hit: Option<Hit> = None;
        let mut error: Option<VersionError> = None;
        for _ in 0..ranges {
            let form = r.byte().ok_or(Malformed)?;
            let count = r.len().ok_or(Malformed)?;
            if form == FORM_RAW {
                raw_events.clear();
                for _ in 0..count {
                    let kind = EventKind::from_u8(r.byte().ok_or(Malformed)?).ok_or(Malformed)?;
                    raw_events.push((kind, r.str().ok_or(Malformed)?));
                }
                let (Some(version), None) = (version, &error) else {
                    continue;
                };
                match in_range_events(version.scheme(), version, raw_events.iter().copied()) {
                    Ok(Some(found)) => merge_hit(&mut hit, found),
                    Ok(None) => {}
                    Err(e) => error = Some(e),
                }
                continue;
            }
            if form != FORM_SORTED {
                return Err(Malformed);
            }
            let mut affected = false;
            let mut limits = false;
            let mut below_limit = false;
            let mut fixed: Option<&str> = None;
            for _ in 0..count {
                let kind = EventKind::from_u8(r.byte().ok_or(Malformed)?).ok_or(Malformed)?;
                let bound = r.len().ok_or(Malformed)?;
                let order = compare(bound);
                let text = if kind == EventKind::Fixed && bound > 0 {
                    Some(*texts.get(r.len().ok_or(Malformed)?).ok_or(Malformed)?)
                } else {
                    None
                };
                let at_or_below = order.is_none_or(|o| o != Ordering::Greater);
                match kind {
                    EventKind::Introduced if at_or_below => affected = true,
                    EventKind::Fixed if at_or_below => affected = false,
                    EventKind::LastAffected if order == Some(Ordering::Less) => affected = false,
                    EventKind::Limit => {
                        limits = true;
                        below_limit |= order == Some(Ordering::Greater);
                    }
                    _ => {}
                }
                if kind == EventKind::Fixed && order == Some(Ordering::Greater) && fixed.is_none() {
                    fixed = text;
                }
            }
            if version.is_none() || error.is_some() {
                continue;
            }
            if affected && limits && !below_limit {
                affected = false;
            }
            if affected {
                merge_hit(
                    &mut hit,
                    Hit {
                        fixed: fixed.map(|f| vec![f.to_string()]).unwrap_or_default(),
                    },
                );
            }
        }
        let result = match (error, hit) {
            (Some(e), _) => Some(Err(e)),
            (None, Some(hit)) => Some(Ok(hit)),
            (None, None) if listed_hit => Some(Ok(Hit { fixed: Vec::new() })),
            (None, None) => None,
        };
        if let Some(result) = result {
            out.push(EntryResult { rid, seq, head, result });
        }
    }
    Ok(())
}

/// A stable hash of a package name for the index's lookup table (FNV-1a:
/// written into the file, so it must never change without a schema bump).
pub fn name_hash(name: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// Builds one ecosystem's index from `(name, rid, seq, entry, head)` rows
/// given in name order: `lookup` (a hash table over the names, the names,
/// and where each name's block would start were the blocks concatenated),
/// loaded whole by a scan, and one block per name (see
/// [`build_block_with_heads`]), stored one row each so a scan reads only
/// the blocks of names it meets. Finished blocks are handed out as they are
/// built ([`IndexBuilder::take_blocks`]), so memory stays bounded.
pub struct IndexBuilder {
    scheme: Option<Scheme>,
    name_offsets: Vec<u32>,
    block_offsets: Vec<u32>,
    names: Vec<u8>,
    blocks_len: usize,
    done: Vec<Vec<u8>>,
    last_name: Option<String>,
    /// Entries of the current name, and their records' heads (by rid).
    current: Vec<(i64, i64, Vec<u8>)>,
    current_heads: Vec<(i64, Vec<u8>)>,
}

/// Why an index could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    #[error("index over 4 GiB")]
    TooLarge,
    #[error("malformed affected entry of {0}")]
    Malformed(String),
}

/// The built index of one ecosystem.
pub struct BuiltIndex {
    pub names: usize,
    pub lookup: Vec<u8>,
    /// The blocks not yet taken, in name order.
    pub blocks: Vec<Vec<u8>>,
    /// Total length of all blocks.
    pub blocks_len: usize,
}

impl IndexBuilder {
    pub fn new(ecosystem: &str) -> IndexBuilder {
        IndexBuilder {
            scheme: Scheme::for_ecosystem(ecosystem),
            name_offsets: Vec::new(),
            block_offsets: Vec::new(),
            names: Vec::new(),
            blocks_len: 0,
            done: Vec::new(),
            last_name: None,
            current: Vec::new(),
            current_heads: Vec::new(),
        }
    }

    /// Add one entry; rows of a name come in rid order. `head` is the
    /// encoded head of the entry's record, if stored.
    pub fn push(
        &mut self,
        name: &str,
        rid: i64,
        seq: i64,
        entry: &[u8],
        head: Option<&[u8]>,
    ) -> Result<(), BuildError> {
        if self.last_name.as_deref() != Some(name) {
            self.close_name()?;
            self.name_offsets
                .push(u32::try_from(self.names.len()).map_err(|_| BuildError::TooLarge)?);
            self.block_offsets
                .push(u32::try_from(self.blocks_len).map_err(|_| BuildError::TooLarge)?);
            self.names.extend_from_slice(name.as_bytes());
            self.last_name = Some(name.to_string());
        }
        if let Some(head) = head
            && self.current_heads.last().is_none_or(|(last, _)| *last != rid)
        {
            if self.current_heads.last().is_some_and(|(last, _)| *last > rid) {
                return Err(BuildError::Malformed(name.to_string()));
            }
            self.current_heads.push((rid, head.to_vec()));
        }
        self.current.push((rid, seq, entry.to_vec()));
        Ok(())
    }

    fn close_name(&mut self) -> Result<(), BuildError> {
        if let Some(name) = &self.last_name {
            let block = build_block_with_heads(self.scheme, &self.current, &self.current_heads)
                .map_err(|_| BuildError::Malformed(name.clone()))?;
            self.blocks_len += block.len();
            self.done.push(block);
            self.current.clear();
            self.current_heads.clear();
        }
        u32::try_from(self.blocks_len).map_err(|_| BuildError::TooLarge)?;
        Ok(())
    }

    /// The blocks finished so far (in name order), handed over.
    pub fn take_blocks(&mut self) -> Vec<Vec<u8>> {
        std::mem::take(&mut self.done)
    }

    pub fn finish(mut self) -> Result<BuiltIndex, BuildError> {
        self.close_name()?;
        let too_large = |_| BuildError::TooLarge;
        let n = self.name_offsets.len();
        self.name_offsets
            .push(u32::try_from(self.names.len()).map_err(too_large)?);
        self.block_offsets
            .push(u32::try_from(self.blocks_len).map_err(too_large)?);
        // Open addressing, at most half full: a lookup is one hash and
        // usually one probe. A slot holds the name's number + 1 and the
        // high half of its hash, so a name without advisories is told apart
        // without reading any stored name (one memory access, not three).
        let size = (2 * n).max(1).next_power_of_two();
        let mut table = vec![0u32; 2 * size];
        for i in 0..n {
            let name = &self.names[self.name_offsets[i] as usize..self.name_offsets[i + 1] as usize];
            let hash = name_hash(name);
            let mut slot = (hash as usize) & (size - 1);
            while table[2 * slot] != 0 {
                slot = (slot + 1) & (size - 1);
            }
            table[2 * slot] = u32::try_from(i + 1).map_err(too_large)?;
            table[2 * slot + 1] = (hash >> 32) as u32;
        }
        let mut out = Vec::with_capacity(12 + 8 * size + 8 * (n + 1) + self.names.len());
        out.extend_from_slice(INDEX_MAGIC);
        out.extend_from_slice(&u32::try_from(n).map_err(too_large)?.to_le_bytes());
        out.extend_from_slice(&u32::try_from(size).map_err(too_large)?.to_le_bytes());
        for value in table.iter().chain(&self.name_offsets).chain(&self.block_offsets) {
            out.extend_from_slice(&value.to_le_bytes());
        }
        out.extend_from_slice(&self.names);
        Ok(BuiltIndex {
            names: n,
            lookup: out,
            blocks: self.done,
            blocks_len: self.blocks_len,
        })
    }
}

/// One ecosystem's index as a scan holds it: the lookup part in memory,
/// blocks read on demand from the `blocks` table, where the block of name
/// number `i` is row `rowid + i`.
#[derive(Debug)]
pub struct EcosystemIndex {
    pub rowid: i64,
    data: Vec<u8>,
    count: usize,
    size: usize,
    names_at: usize,
    blocks_len: usize,
}

impl EcosystemIndex {
    pub fn from_bytes(rowid: i64, data: Vec<u8>, blocks_len: usize) -> Result<EcosystemIndex, Malformed> {
        let mut r = Reader::new(&data);
        if r.bytes(4) != Some(INDEX_MAGIC.as_slice()) {
            return Err(Malformed);
        }
        let count = r.u32().ok_or(Malformed)? as usize;
        let size = r.u32().ok_or(Malformed)? as usize;
        if !size.is_power_of_two() || size < count {
            return Err(Malformed);
        }
        let words = size
            .checked_mul(2)
            .and_then(|table| table.checked_add(count.checked_add(1)?.checked_mul(2)?));
        let names_at = words
            .and_then(|w| w.checked_mul(4))
            .and_then(|b| b.checked_add(12))
            .ok_or(Malformed)?;
        if names_at > data.len() {
            return Err(Malformed);
        }
        let index = EcosystemIndex {
            rowid,
            data,
            count,
            size,
            names_at,
            blocks_len,
        };
        let names_len = index.name_offset(count).ok_or(Malformed)? as usize;
        if index.names_at.checked_add(names_len) != Some(index.data.len())
            || index.block_offset(count).ok_or(Malformed)? as usize != blocks_len
        {
            return Err(Malformed);
        }
        Ok(index)
    }

    /// Number of package names.
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    fn word(&self, index: usize) -> Option<u32> {
        let position = index.checked_mul(4)?.checked_add(12)?;
        let b = self.data.get(position..position.checked_add(4)?)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn name_offset(&self, i: usize) -> Option<u32> {
        self.word(2 * self.size + i)
    }

    fn block_offset(&self, i: usize) -> Option<u32> {
        self.word(2 * self.size + self.count + 1 + i)
    }

    fn name(&self, i: usize) -> Option<&[u8]> {
        let start = self.names_at + self.name_offset(i)? as usize;
        let end = self.names_at + self.name_offset(i + 1)? as usize;
        self.data.get(start..end)
    }

    fn find(&self, name: &str) -> Result<Option<usize>, Malformed> {
        self.find_hashed(name, name_hash(name.as_bytes()))
    }

    fn find_hashed(&self, name: &str, hash: u64) -> Result<Option<usize>, Malformed> {
        let name = name.as_bytes();
        let mask = self.size - 1;
        let tag = (hash >> 32) as u32;
        let mut slot = (hash as usize) & mask;
        for _ in 0..self.size {
            let value = self.word(2 * slot).ok_or(Malformed)? as usize;
            if value == 0 {
                return Ok(None);
            }
            if self.word(2 * slot + 1).ok_or(Malformed)? == tag && self.name(value - 1).ok_or(Malformed)? == name {
                return Ok(Some(value - 1));
            }
            slot = (slot + 1) & mask;
        }
        Ok(None)
    }

    /// Where the block of a (normalised) package name would lie were the
    /// blocks concatenated (start, length); `None` when the name has no
    /// advisory here.
    pub fn block_range(&self, name: &str) -> Result<Option<(usize, usize)>, Malformed> {
        let Some(i) = self.find(name)? else {
            return Ok(None);
        };
        self.block_span(i).map(Some)
    }

    /// The block of a (normalised) package name: its number (the name's
    /// rank, so its row is the index's first block row plus it) and length.
    pub fn block_of(&self, name: &str) -> Result<Option<(usize, usize)>, Malformed> {
        self.block_of_hashed(name, name_hash(name.as_bytes()))
    }

    /// [`EcosystemIndex::block_of`] with the name's [`name_hash`] computed
    /// beforehand: probing many names in a row, each probe independent of the
    /// previous one, lets the CPU overlap their cache misses in the table.
    pub fn block_of_hashed(&self, name: &str, hash: u64) -> Result<Option<(usize, usize)>, Malformed> {
        let Some(i) = self.find_hashed(name, hash)? else {
            return Ok(None);
        };
        Ok(Some((i, self.block_span(i)?.1)))
    }

    fn block_span(&self, i: usize) -> Result<(usize, usize), Malformed> {
        let start = self.block_offset(i).ok_or(Malformed)? as usize;
        let end = self.block_offset(i + 1).ok_or(Malformed)? as usize;
        if start > end || end > self.blocks_len {
            return Err(Malformed);
        }
        Ok((start, end - start))
    }

    /// Every name, in order (for tests and `db` inspection).
    pub fn names(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.count).filter_map(|i| self.name(i).and_then(|n| std::str::from_utf8(n).ok()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matcher::affects;

    fn affected(json: &str) -> Affected {
        serde_json::from_str(json).unwrap()
    }

    /// Evaluate entries through a block built from them, one result each.
    pub(super) fn evaluate_entries(
        ecosystem: &str,
        entries: &[&Affected],
        version_text: &str,
        version: Option<&Version>,
    ) -> Vec<Option<Result<Hit, VersionError>>> {
        let scheme = Scheme::for_ecosystem(ecosystem);
        let encoded: Vec<(i64, i64, Vec<u8>)> = entries
            .iter()
            .enumerate()
            .map(|(i, a)| (i as i64 + 1, 0, encode_entry(ecosystem, a)))
            .collect();
        let block = build_block(scheme, &encoded).unwrap();
        let mut out = Vec::new();
        evaluate_block(scheme, &block, version_text, version, &mut out).unwrap();
        (1..=entries.len() as i64)
            .map(|rid| out.iter().find(|r| r.rid == rid).map(|r| r.result.clone()))
            .collect()
    }

    #[test]
    fn entries_round_trip_and_sort_versions() {
        let a = affected(
            r#"{"versions":["1.10","1.2","not a version!","1.9"],"ranges":[{"type":"GIT","events":[{"introduced":"abc"}]},
            {"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.0"}]}]}"#,
        );
        let decoded = decode_entry(&encode_entry("PyPI", &a)).unwrap();
        assert_eq!(decoded.versions, ["1.2", "1.9", "1.10", "not a version!"]);
        assert_eq!(decoded.ranges.len(), 1);
        assert_eq!(decoded.ranges[0].events, a.ranges[1].events);
        assert!(decode_entry(&[5]).is_err());
    }

    #[test]
    fn index_finds_names_and_rejects_garbage() {
        let entry = |fixed: &str| {
            encode_entry(
                "crates.io",
                &affected(&format!(
                    r#"{{"ranges":[{{"type":"SEMVER","events":[{{"introduced":"0"}},{{"fixed":"{fixed}"}}]}}]}}"#
                )),
            )
        };
        let mut builder = IndexBuilder::new("crates.io");
        builder.push("alpha", 1, 0, &entry("1.0.0"), Some(b"one")).unwrap();
        builder.push("alpha", 7, 2, &entry("2.0.0"), Some(b"seven")).unwrap();
        let mut blocks = builder.take_blocks();
        builder.push("beta", 3, 0, &entry("1.0.0"), None).unwrap();
        let mut built = builder.finish().unwrap();
        blocks.append(&mut built.blocks);
        assert_eq!(blocks.len(), 2);
        assert_eq!(built.blocks_len, blocks.iter().map(Vec::len).sum::<usize>());
        let index = EcosystemIndex::from_bytes(1, built.lookup, built.blocks_len).unwrap();
        assert_eq!(index.len(), 2);
        let version = Version::parse(Scheme::Semver, "1.5.0").unwrap();
        let mut hits = Vec::new();
        let (number, len) = index.block_of("alpha").unwrap().unwrap();
        let alpha = &blocks[number];
        assert_eq!(alpha.len(), len);
        evaluate_block(Some(Scheme::Semver), alpha, "1.5.0", Some(&version), &mut hits).unwrap();
        let head = hits[0].head.unwrap();
        assert_eq!(&alpha[head.0..head.0 + head.1], b"seven");
        assert_eq!(
            hits,
            [EntryResult {
                rid: 7,
                seq: 2,
                head: Some(head),
                result: Ok(Hit {
                    fixed: vec!["2.0.0".to_string()]
                })
            }]
        );
        let (number, _) = index.block_of("beta").unwrap().unwrap();
        hits.clear();
        evaluate_block(
            Some(Scheme::Semver),
            &blocks[number],
            "0.1.0",
            Some(&Version::parse(Scheme::Semver, "0.1.0").unwrap()),
            &mut hits,
        )
        .unwrap();
        assert_eq!(hits[0].head, None);
        assert!(index.block_range("beta").unwrap().is_some());
        assert!(index.block_range("gamma").unwrap().is_none());
        assert!(index.block_range("").unwrap().is_none());
        assert_eq!(index.names().collect::<Vec<_>>(), ["alpha", "beta"]);
        let empty = IndexBuilder::new("npm").finish().unwrap();
        let empty = EcosystemIndex::from_bytes(2, empty.lookup, 0).unwrap();
        assert!(empty.block_range("alpha").unwrap().is_none());
        assert!(evaluate_block(Some(Scheme::Semver), &[3, 1], "1", Some(&version), &mut hits).is_err());
        assert!(EcosystemIndex::from_bytes(3, b"VGI3\xff\xff\xff\xff\x04\0\0\0".to_vec(), 0).is_err());
        assert!(EcosystemIndex::from_bytes(3, Vec::new(), 0).is_err());
    }

    #[test]
    fn encoded_entries_answer_like_the_json_form() {
        let a = affected(
            r#"{"versions":["1.0","2.0.post1"],"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"3.0"},{"last_affected":"3.4"}]},
            {"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"9.0.0"}]}]}"#,
        );
        for v in [
            "1.0",
            "1.0.0",
            "1",
            "2.0.post1",
            "2.0",
            "3.0",
            "3.2",
            "3.4",
            "3.4.1",
            "9",
        ] {
            let version = Version::parse(Scheme::Pep440, v).unwrap();
            let expected = affects("PyPI", &a, v, Some(&version)).unwrap();
            let got = evaluate_entries("PyPI", &[&a], v, Some(&version)).remove(0);
            assert_eq!(got, expected.map(Ok), "{v}");
        }
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use crate::matcher::affects;
    use crate::osv::{Event, Range};
    use proptest::prelude::*;

    fn version() -> impl Strategy<Value = String> {
        prop_oneof![
            "[0-3]\\.[0-3]\\.[0-3]",
            "[0-3]\\.[0-3]",
            "[0-3]",
            "[0-3]\\.[0-3](rc1|a1|\\.post1)",
            "[0-2]:[0-3]\\.[0-3]-[1-3]",
            "[0-3]\\.[0-3]-r[0-2]",
            Just("0".to_string()),
            "[a-z~+*]{0,3}",
        ]
    }

    fn event() -> impl Strategy<Value = Event> {
        (0..4u8, version()).prop_map(|(kind, text)| {
            let mut event = Event::default();
            match kind {
                0 => event.introduced = Some(text),
                1 => event.fixed = Some(text),
                2 => event.last_affected = Some(text),
                _ => event.limit = Some(text),
            }
            event
        })
    }

    fn entry() -> impl Strategy<Value = Affected> {
        (
            proptest::collection::vec(version(), 0..5),
            proptest::collection::vec(
                (
                    prop_oneof![Just("ECOSYSTEM"), Just("SEMVER"), Just("GIT")],
                    proptest::collection::vec(event(), 0..5),
                ),
                0..3,
            ),
        )
            .prop_map(|(versions, ranges)| Affected {
                versions,
                ranges: ranges
                    .into_iter()
                    .map(|(kind, events)| Range {
                        kind: kind.to_string(),
                        events,
                    })
                    .collect(),
                ..Affected::default()
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn damaged_index_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..256), split in 0usize..256) {
            let _ = decode_entry(&data);
            let (lookup, blocks) = data.split_at(split.min(data.len()));
            let mut lookup = lookup.to_vec();
            if lookup.len() >= 4 {
                lookup[..4].copy_from_slice(INDEX_MAGIC);
            }
            if let Ok(index) = EcosystemIndex::from_bytes(1, lookup, blocks.len()) {
                let names: Vec<String> = index.names().map(str::to_string).collect();
                for name in names {
                    let _ = index.block_range(&name);
                }
                let _ = index.block_range("x");
            }
            let version = Version::parse(Scheme::Semver, "1.2.3").unwrap();
            let mut out = Vec::new();
            let _ = evaluate_block(Some(Scheme::Semver), &data, "1.2.3", Some(&version), &mut out);
            let entries = vec![(1, 0, data.clone()), (2, 1, blocks.to_vec())];
            if let Ok(block) = build_block(Some(Scheme::Semver), &entries) {
                let _ = evaluate_block(Some(Scheme::Semver), &block, "1.2.3", Some(&version), &mut out);
            }
        }

        #[test]
        fn blocks_agree_with_affects(
            entries in proptest::collection::vec(entry(), 1..4),
            ecosystem in prop_oneof![Just("PyPI"), Just("crates.io"), Just("Debian:11"), Just("Alpine:v3.10"), Just("Go"), Just("Martian")],
            v in version(),
        ) {
            let scheme = Scheme::for_ecosystem(ecosystem);
            let parsed = scheme.and_then(|s| Version::parse(s, &v).ok());
            let refs: Vec<&Affected> = entries.iter().collect();
            let got = super::tests::evaluate_entries(ecosystem, &refs, &v, parsed.as_ref());
            for (a, got) in entries.iter().zip(got) {
                let expected = affects(ecosystem, a, &v, parsed.as_ref()).transpose();
                prop_assert_eq!(expected, got);
            }
        }
    }
}
