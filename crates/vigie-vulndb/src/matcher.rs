//! Packages in, vulnerabilities out. The matcher knows nothing about how
//! packages were found: it takes plain [`PackageQuery`] values whose
//! `ecosystem` is already the OSV ecosystem (`Debian:11`, `Alpine:v3.10`,
//! `PyPI`, …). OS packages are looked up by their **source** package (Debian
//! advisories and Alpine secfixes are per source package); language packages
//! by their normalised name.

use crate::Error;
use crate::head::HeadRef;
use crate::index::{EcosystemIndex, EntryResult, evaluate_block};
use crate::osv::{self, Affected, Event, Record};
use crate::severity::{self, Rated};
use crate::store::Database;
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;
use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, OnceLock};
use vigie_version::{Scheme, Version};

pub use vigie_snapshot::scan::{FixStatus, PackageQuery, RecordRef, VulnMatch};

/// How the matcher keys a package (its advisories are per source package
/// for OS packages, per normalised name for language packages).
pub trait QueryKey {
    /// The (name, version) the advisories are keyed by.
    fn lookup_key(&self) -> (std::borrow::Cow<'_, str>, &str);
}

fn is_os(query: &PackageQuery) -> bool {
    matches!(
        Scheme::for_ecosystem(&query.ecosystem),
        Some(Scheme::Deb | Scheme::Apk | Scheme::Rpm)
    )
}

impl QueryKey for PackageQuery {
    fn lookup_key(&self) -> (std::borrow::Cow<'_, str>, &str) {
        if is_os(self) {
            let name = self
                .source_name
                .as_deref()
                .filter(|s| !s.is_empty())
                .unwrap_or(&self.name);
            let version = self
                .source_version
                .as_deref()
                .filter(|s| !s.is_empty())
                .unwrap_or(&self.version);
            (osv::normalize_name_cow(&self.ecosystem, name), version)
        } else {
            (osv::normalize_name_cow(&self.ecosystem, &self.name), &self.version)
        }
    }
}

/// What a finding needs of a record, extracted at import time so a hit
/// costs one small read instead of decoding the whole record and scoring
/// its CVSS vectors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HitHead {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub upstream: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Reference URLs, in record order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// The rating of the record for an affected entry without its own.
    pub rating: Rated,
    /// Affected entries (by position) whose own severity rates differently.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entry_ratings: Vec<(usize, Rated)>,
}

impl HitHead {
    pub fn of(record: &Record) -> HitHead {
        let rating = severity::rate(record, None);
        let entry_ratings = record
            .affected
            .iter()
            .enumerate()
            .filter_map(|(seq, affected)| {
                let rated = severity::rate(record, Some(affected));
                (rated != rating).then_some((seq, rated))
            })
            .collect();
        HitHead {
            id: record.id.clone(),
            modified: record.modified.clone(),
            withdrawn: record.withdrawn.clone(),
            aliases: record.aliases.clone(),
            upstream: record.upstream.clone(),
            related: record.related.clone(),
            title: record.summary.clone().filter(|s| !s.is_empty()).or_else(|| {
                record
                    .details
                    .as_deref()
                    .and_then(|d| d.lines().find(|l| !l.trim().is_empty()))
                    .map(|l| l.trim().chars().take(1000).collect())
            }),
            references: record.references.iter().map(|r| r.url.clone()).collect(),
            rating,
            entry_ratings,
        }
    }
}

/// The result of matching a set of packages.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MatchReport {
    pub matches: Vec<VulnMatch>,
    pub packages_checked: usize,
    /// Per-item problems (invalid versions, ecosystems without ordering).
    pub warnings: Vec<String>,
}

/// Result of evaluating one affected entry against one version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub fixed: Vec<String>,
}

fn parse_bound(scheme: Scheme, text: &str) -> Result<Option<Version>, vigie_version::VersionError> {
    if text == "0" {
        return Ok(None);
    }
    Version::parse(scheme, text).map(Some)
}

/// The kind of an OSV range event, in the order events at the same version
/// are evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EventKind {
    Introduced = 0,
    LastAffected = 1,
    Fixed = 2,
    Limit = 3,
}

impl EventKind {
    pub fn from_u8(value: u8) -> Option<EventKind> {
        Some(match value {
            0 => EventKind::Introduced,
            1 => EventKind::LastAffected,
            2 => EventKind::Fixed,
            3 => EventKind::Limit,
            _ => return None,
        })
    }
}

/// Whether `version` is inside one OSV `ECOSYSTEM`/`SEMVER` range; the
/// fixed versions above it are returned. Events are ordered by version
/// (introduced `0` first), then the last event at or below the version
/// decides, as the OSV specification's evaluation does.
pub fn in_range(
    scheme: Scheme,
    version: &Version,
    events: &[Event],
) -> Result<Option<Hit>, vigie_version::VersionError> {
    in_range_events(scheme, version, events.iter().filter_map(event_of))
}

/// The event an OSV event object stands for, with the priority the matcher
/// has always used when an object carries several keys.
pub(crate) fn event_of(event: &Event) -> Option<(EventKind, &str)> {
    if let Some(t) = &event.introduced {
        Some((EventKind::Introduced, t))
    } else if let Some(t) = &event.fixed {
        Some((EventKind::Fixed, t))
    } else if let Some(t) = &event.last_affected {
        Some((EventKind::LastAffected, t))
    } else {
        event.limit.as_deref().map(|t| (EventKind::Limit, t))
    }
}

/// Add a range's hit to an entry's: fixed versions once each, in order.
pub(crate) fn merge_hit(hit: &mut Option<Hit>, found: Hit) {
    let merged = hit.get_or_insert_with(|| Hit { fixed: Vec::new() });
    for f in found.fixed {
        if !merged.fixed.contains(&f) {
            merged.fixed.push(f);
        }
    }
}

/// [`in_range`] over `(kind, text)` events, as stored in the index.
pub fn in_range_events<'a>(
    scheme: Scheme,
    version: &Version,
    events: impl Iterator<Item = (EventKind, &'a str)>,
) -> Result<Option<Hit>, vigie_version::VersionError> {
    let mut parsed: Vec<(Option<Version>, EventKind, &str)> = Vec::with_capacity(4);
    for (kind, text) in events {
        if kind == EventKind::Limit && text == "*" {
            continue;
        }
        parsed.push((parse_bound(scheme, text)?, kind, text));
    }
    parsed.sort_by(|a, b| match (&a.0, &b.0) {
        (None, None) => a.1.cmp(&b.1),
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(x), Some(y)) => x.cmp(y).then(a.1.cmp(&b.1)),
    });
    let mut affected = false;
    let mut limits = Vec::new();
    for (bound, kind, _) in &parsed {
        let at_or_below = bound.as_ref().is_none_or(|b| b <= version);
        match kind {
            EventKind::Introduced if at_or_below => affected = true,
            EventKind::Fixed if at_or_below => affected = false,
            EventKind::LastAffected if bound.as_ref().is_some_and(|b| b < version) => affected = false,
            EventKind::Limit => limits.push(bound),
            _ => {}
        }
    }
    if affected && !limits.is_empty() && !limits.iter().any(|l| l.as_ref().is_some_and(|l| version < l)) {
        affected = false;
    }
    if !affected {
        return Ok(None);
    }
    let fixed = parsed
        .iter()
        .filter(|(bound, kind, _)| *kind == EventKind::Fixed && bound.as_ref().is_some_and(|b| b > version))
        .take(1)
        .map(|(_, _, text)| text.to_string())
        .collect();
    Ok(Some(Hit { fixed }))
}

/// Whether one affected entry covers the version.
pub fn affects(
    ecosystem: &str,
    affected: &Affected,
    version_text: &str,
    version: Option<&Version>,
) -> Result<Option<Hit>, vigie_version::VersionError> {
    let scheme = Scheme::for_ecosystem(ecosystem);
    let mut hit: Option<Hit> = None;
    for listed in &affected.versions {
        let equal = listed == version_text
            || match (scheme, version) {
                (Some(scheme), Some(version)) => Version::parse(scheme, listed).is_ok_and(|l| l.cmp(version).is_eq()),
                _ => false,
            };
        if equal {
            hit = Some(Hit { fixed: Vec::new() });
            break;
        }
    }
    let Some(version) = version else { return Ok(hit) };
    for range in &affected.ranges {
        let range_scheme = match (range.kind.as_str(), scheme) {
            ("ECOSYSTEM", Some(s)) => s,
            ("SEMVER", Some(Scheme::Go)) => Scheme::Go,
            ("SEMVER", _) => Scheme::Semver,
            _ => continue,
        };
        if range_scheme != version.scheme() {
            continue;
        }
        if let Some(found) = in_range(range_scheme, version, &range.events)? {
            merge_hit(&mut hit, found);
        }
    }
    Ok(hit)
}

/// Below this many packages one thread works; above, each core takes a share.
const PARALLEL_THRESHOLD: usize = 4096;

fn worker_count(items: usize) -> usize {
    if items < PARALLEL_THRESHOLD {
        return 1;
    }
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8)
}

/// Match packages against the database.
///
/// The lookup of each ecosystem asked for is loaded once; each package is
/// one hash probe in it, and only packages whose name has advisories read
/// that name's block (once per share), parse their version and evaluate
/// ranges. The heads of the records behind hits are read from the same
/// block and findings are built from them in place. Large inputs are split
/// across cores: each share's thread gets a read connection (see
/// [`crate::store::Readers`]), the threads load the lookups between them,
/// then each matches its share. Matches come back in input order.
pub fn match_packages(db: &Database, packages: &[PackageQuery]) -> Result<MatchReport, Error> {
    let workers = worker_count(packages.len());
    // A few chunks per thread, taken in turn: a thread slowed down (by the
    // machine, or by popular names with big blocks) does fewer of them.
    let chunks = if workers > 1 { workers * CHUNKS_PER_THREAD } else { 1 };
    let size = packages.len().div_ceil(chunks).max(1);
    let chunks: Vec<std::ops::Range<usize>> = (0..packages.len())
        .step_by(size)
        .map(|start| start..(start + size).min(packages.len()))
        .collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let readers = db.readers();
    let lookups = Lookups::new(packages);
    let finished = Finished::new(chunks.len());
    let mut report = Report::new(packages.len(), chunks.len());
    let results = std::thread::scope(|scope| {
        let (lookups, chunks, next, finished) = (&lookups, &chunks, &next, &finished);
        let handles: Vec<_> = (1..workers)
            .map(|_| {
                scope.spawn(move || -> Result<(), Error> {
                    // No reader on the same file: this thread takes no chunk.
                    let Some(reader) = readers.take()? else {
                        return Ok(());
                    };
                    lookups.load(&reader);
                    let done = match lookups.ready() {
                        Some(indexes) => match_chunks(&reader, &indexes, packages, chunks, next, &mut |i, part| {
                            finished.put(i, part);
                        }),
                        // A lookup failed to load: that error is returned below.
                        None => Ok(()),
                    };
                    readers.put(reader);
                    done
                })
            })
            .collect();
        lookups.load(db);
        let mut results = Vec::with_capacity(workers);
        // This thread also moves finished chunks, in order, into the report
        // between its own: that copy overlaps the other threads' matching.
        if let Some(indexes) = lookups.ready() {
            results.push(match_chunks(db, &indexes, packages, chunks, next, &mut |i, part| {
                finished.put(i, part);
                report.take_ready(finished);
            }));
        }
        for handle in handles {
            results.push(handle.join().unwrap_or_else(|_| Err(thread_failed(db.path()))));
        }
        results
    });
    lookups.into_result(db.path())?;
    for result in results {
        result?;
    }
    report.take_ready(&finished);
    if report.next != chunks.len() {
        return Err(thread_failed(db.path()));
    }
    Ok(report.report)
}

/// Chunks matched and not yet moved into the report, by chunk number.
struct Finished(std::sync::Mutex<Vec<Option<Part>>>);

impl Finished {
    fn new(chunks: usize) -> Finished {
        Finished(std::sync::Mutex::new((0..chunks).map(|_| None).collect()))
    }

    fn put(&self, i: usize, part: Part) {
        if let Ok(mut parts) = self.0.lock()
            && let Some(slot) = parts.get_mut(i)
        {
            *slot = Some(part);
        }
    }

    fn take(&self, i: usize) -> Option<Part> {
        self.0.lock().ok()?.get_mut(i)?.take()
    }
}

/// The report being assembled from chunks in order.
struct Report {
    report: MatchReport,
    /// The next chunk to move in, of `chunks`.
    next: usize,
    chunks: usize,
    unordered: BTreeSet<String>,
}

impl Report {
    fn new(packages: usize, chunks: usize) -> Report {
        Report {
            chunks,
            report: MatchReport {
                packages_checked: packages,
                ..MatchReport::default()
            },
            next: 0,
            unordered: BTreeSet::new(),
        }
    }

    /// Move in every chunk that is next in order and finished.
    fn take_ready(&mut self, finished: &Finished) {
        while let Some(part) = finished.take(self.next) {
            self.next += 1;
            if self.report.matches.is_empty() {
                // Room for the rest at the first chunk's rate: growing by
                // doubling would copy everything again into fresh pages.
                let rest = part.matches.len().saturating_mul(self.chunks.saturating_sub(self.next));
                self.report.matches = part.matches;
                self.report.matches.reserve(rest);
            } else {
                self.report.matches.extend(part.matches);
            }
            for warning in part.warnings {
                match warning {
                    Warning::Unordered(ecosystem) => {
                        if self.unordered.insert(ecosystem.clone()) {
                            self.report.warnings.push(format!(
                                "ecosystem {ecosystem} has no version ordering: only exact version lists are matched"
                            ));
                        }
                    }
                    Warning::Text(text) => self.report.warnings.push(text),
                }
            }
        }
    }
}

/// The lookups of the ecosystems some package names, loaded by the threads
/// together: each takes the next ecosystem not yet taken.
struct Lookups<'p> {
    ecosystems: Vec<&'p str>,
    /// Per ecosystem: its lookup (`None`: no advisories), once loaded.
    slots: Vec<OnceLock<Result<Option<EcosystemIndex>, Error>>>,
    next: std::sync::atomic::AtomicUsize,
}

impl<'p> Lookups<'p> {
    fn new(packages: &'p [PackageQuery]) -> Lookups<'p> {
        // Large inputs: the second half is read by another thread meanwhile.
        let (first, second) = packages.split_at(if packages.len() >= PARALLEL_THRESHOLD {
            packages.len() / 2
        } else {
            packages.len()
        });
        let (mut ecosystems, more) = std::thread::scope(|scope| {
            let more = (!second.is_empty()).then(|| scope.spawn(|| distinct_ecosystems(second)));
            let ecosystems = distinct_ecosystems(first);
            // That thread failed: the second half is read here.
            let more = more.map(|handle| handle.join().unwrap_or_else(|_| distinct_ecosystems(second)));
            (ecosystems, more.unwrap_or_default())
        });
        for ecosystem in more {
            if !ecosystems.contains(&ecosystem) {
                ecosystems.push(ecosystem);
            }
        }
        Lookups {
            slots: ecosystems.iter().map(|_| OnceLock::new()).collect(),
            ecosystems,
            next: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// Load lookups not yet taken by another thread, until none is left.
    fn load(&self, db: &Database) {
        loop {
            let i = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let (Some(ecosystem), Some(slot)) = (self.ecosystems.get(i), self.slots.get(i)) else {
                return;
            };
            // Filled even if loading unwinds: the other threads wait for it.
            let guard = FillOnDrop(slot, db.path());
            let _ = slot.set(db.index(ecosystem));
            drop(guard);
        }
    }

    /// Every lookup, once all are loaded; `None` when one failed.
    fn ready(&self) -> Option<Indexes<'_>> {
        let mut indexes = Indexes::default();
        for (ecosystem, slot) in self.ecosystems.iter().zip(&self.slots) {
            if let Some(index) = slot.wait().as_ref().ok()?.as_ref() {
                indexes.insert(ecosystem, index);
            }
        }
        Some(indexes)
    }

    /// The first error met loading the lookups.
    fn into_result(self, path: &std::path::Path) -> Result<(), Error> {
        for (ecosystem, slot) in self.ecosystems.into_iter().zip(self.slots) {
            match slot.into_inner() {
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e),
                None => {
                    return Err(Error::Corrupt {
                        path: path.to_path_buf(),
                        message: format!("lookup of {ecosystem} not loaded"),
                    });
                }
            }
        }
        Ok(())
    }
}

/// The ecosystems of `packages`, in order of first appearance.
fn distinct_ecosystems(packages: &[PackageQuery]) -> Vec<&str> {
    let mut ecosystems: Vec<&str> = Vec::new();
    let mut last = "";
    for package in packages {
        // Inputs come in runs of one ecosystem: one search per run.
        let ecosystem = package.ecosystem.as_str();
        if ecosystem != last && !ecosystems.contains(&ecosystem) {
            ecosystems.push(ecosystem);
        }
        last = ecosystem;
    }
    ecosystems
}

/// Fills a lookup slot left empty by an unwinding load.
struct FillOnDrop<'a>(&'a OnceLock<Result<Option<EcosystemIndex>, Error>>, &'a std::path::Path);

impl Drop for FillOnDrop<'_> {
    fn drop(&mut self) {
        let _ = self.0.set(Err(thread_failed(self.1)));
    }
}

#[derive(Default)]
struct Part {
    matches: Vec<VulnMatch>,
    warnings: Vec<Warning>,
}

/// The matcher's maps are keyed by local data (rows, offsets, package names),
/// none iterated, and SipHash showed in profiles: foldhash (hashbrown's own
/// default hasher), with a fixed seed.
type FastMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

/// The lookup of each ecosystem asked for that has advisories.
type Indexes<'a> = FastMap<&'a str, &'a EcosystemIndex>;

/// Packages probed together (see [`match_share`]).
const PROBE_BATCH: usize = 256;

/// Chunks of packages per matching thread (see [`match_packages`]).
const CHUNKS_PER_THREAD: usize = 4;

/// Take chunks of the packages and match them until none is left, in one
/// read transaction; the evaluated parts of blocks are kept across chunks.
/// Each chunk's result goes to `done` as soon as it is matched.
fn match_chunks(
    db: &Database,
    indexes: &Indexes<'_>,
    packages: &[PackageQuery],
    chunks: &[std::ops::Range<usize>],
    next: &std::sync::atomic::AtomicUsize,
    done: &mut dyn FnMut(usize, Part),
) -> Result<(), Error> {
    db.in_read_transaction(|db| {
        let mut prefixes = FastMap::default();
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(range) = chunks.get(i) else {
                return Ok(());
            };
            done(i, match_share(db, indexes, packages, range.clone(), &mut prefixes)?);
        }
    })
}

fn thread_failed(path: &std::path::Path) -> Error {
    Error::Corrupt {
        path: path.to_path_buf(),
        message: "a matcher thread failed".to_string(),
    }
}

enum Warning {
    /// An ecosystem without version ordering (reported once).
    Unordered(String),
    Text(String),
}

/// Match packages in input order. Per batch of packages: first every lookup
/// key and its hash, then every probe, then the work on the names found —
/// the probes, independent of each other, overlap their cache misses in
/// the lookup tables instead of waiting in turn. A name's block is read
/// once per share (its evaluated part); the heads of a package's hits are
/// read from it into a scratch buffer and turned into findings at once.
fn match_share<'p>(
    db: &Database,
    indexes: &Indexes<'_>,
    packages: &'p [PackageQuery],
    range: std::ops::Range<usize>,
    prefixes: &mut FastMap<i64, (Vec<u8>, usize)>,
) -> Result<Part, Error> {
    let corrupt = |name: &str| Error::Corrupt {
        path: db.path().to_path_buf(),
        message: format!("index entry of {name}"),
    };
    let mut part = Part::default();
    let mut results = Vec::new();
    // (ecosystem, name, version) → the findings of the first package with
    // that key (same ecosystem, lookup name and version: binary packages of
    // one source, one library in many places), for keys whose evaluation
    // gave no per-package warning.
    let mut seen: FastMap<(&str, std::borrow::Cow<'p, str>, &str), std::ops::Range<usize>> = FastMap::default();
    let mut heads: Vec<u8> = Vec::new();
    let mut hits: Vec<(Option<std::ops::Range<usize>>, i64, Hit)> = Vec::new();
    let mut last: Option<(&str, Option<&EcosystemIndex>)> = None;
    let mut keys = Vec::with_capacity(PROBE_BATCH);
    let mut named = Vec::with_capacity(PROBE_BATCH);
    let mut batch_start = range.start;
    while batch_start < range.end {
        let batch = batch_start..(batch_start + PROBE_BATCH).min(range.end);
        batch_start = batch.end;
        for index in batch {
            let package = &packages[index];
            let ecosystem = package.ecosystem.as_str();
            let found = match last {
                Some((e, found)) if e == ecosystem => found,
                _ => {
                    let found = indexes.get(ecosystem).copied();
                    last = Some((ecosystem, found));
                    found
                }
            };
            let Some(ecosystem_index) = found else {
                continue;
            };
            let (name, version_text) = package.lookup_key();
            let hash = crate::index::name_hash(name.as_bytes());
            keys.push((index, ecosystem_index, name, version_text, hash));
        }
        for (index, ecosystem_index, name, version_text, hash) in keys.drain(..) {
            if let Some((number, len)) = ecosystem_index
                .block_of_hashed(&name, hash)
                .map_err(|_| corrupt(&name))?
            {
                named.push((index, ecosystem_index, name, version_text, number, len));
            }
        }
        for (index, ecosystem_index, name, version_text, number, len) in named.drain(..) {
            let package = &packages[index];
            let key = (package.ecosystem.as_str(), name, version_text);
            if let Some(first) = seen.get(&key).cloned() {
                if !first.is_empty() {
                    let package = Arc::new(package.clone());
                    for position in first {
                        let mut copy = part.matches[position].clone();
                        copy.package = Arc::clone(&package);
                        part.matches.push(copy);
                    }
                }
                continue;
            }
            let name = &key.1;
            let warnings_before = part.warnings.len();
            let row = i64::try_from(number)
                .ok()
                .and_then(|n| ecosystem_index.rowid.checked_add(n))
                .ok_or_else(|| corrupt(name))?;
            if let std::collections::hash_map::Entry::Vacant(entry) = prefixes.entry(row) {
                // The whole block, its checksum verified (a block is the
                // entries and heads of one name: kilobytes).
                let whole = db.block(row)?;
                if whole.len() != len {
                    return Err(corrupt(name));
                }
                let prefix_len = whole
                    .get(..4)
                    .and_then(crate::index::block_prefix_len)
                    .filter(|&p| p >= 4 && p <= len)
                    .ok_or_else(|| corrupt(name))?;
                entry.insert((whole, prefix_len));
            }
            let (whole, prefix_len) = prefixes.get(&row).ok_or_else(|| corrupt(name))?;
            let block = &whole[..*prefix_len];
            let scheme = Scheme::for_ecosystem(&package.ecosystem);
            let version = match scheme {
                Some(scheme) => match Version::parse(scheme, version_text) {
                    Ok(v) => Some(v),
                    Err(e) => {
                        part.warnings
                            .push(Warning::Text(format!("{} {}: {e}", package.ecosystem, package.name)));
                        None
                    }
                },
                None => {
                    part.warnings.push(Warning::Unordered(package.ecosystem.clone()));
                    None
                }
            };
            results.clear();
            evaluate_block(scheme, block, version_text, version.as_ref(), &mut results).map_err(|_| corrupt(name))?;
            heads.clear();
            hits.clear();
            for EntryResult { rid, seq, head, result } in results.drain(..) {
                match result {
                    Ok(hit) => {
                        let span = match head {
                            None => None,
                            Some((at, head_len)) => {
                                let bytes = at
                                    .checked_add(head_len)
                                    .and_then(|end| whole.get(at..end))
                                    .ok_or_else(|| corrupt(name))?;
                                let start = heads.len();
                                heads.extend_from_slice(bytes);
                                Some(start..heads.len())
                            }
                        };
                        hits.push((span, seq, hit));
                    }
                    Err(e) => part
                        .warnings
                        .push(Warning::Text(format!("record {rid} for {}: {e}", package.name))),
                }
            }
            let mut records = Vec::with_capacity(hits.len());
            for (span, seq, hit) in hits.drain(..) {
                let Some(span) = span else { continue };
                let head = heads.get(span).and_then(HeadRef::parse).ok_or_else(|| corrupt(name))?;
                // Withdrawn records are kept in the database but never reported.
                if head.is_withdrawn() {
                    continue;
                }
                records.push(HitRecord {
                    head,
                    hit,
                    version_text,
                    seq,
                });
            }
            let start = part.matches.len();
            if !records.is_empty() {
                group(&Arc::new(package.clone()), &records, &mut part.matches);
            }
            // Warnings name the package: only a key without any is shared.
            if !part.warnings[warnings_before..]
                .iter()
                .any(|w| matches!(w, Warning::Text(_)))
            {
                seen.insert(key, start..part.matches.len());
            }
        }
    }
    Ok(part)
}

struct HitRecord<'a> {
    head: HeadRef<'a>,
    hit: Hit,
    version_text: &'a str,
    seq: i64,
}

/// Group the hits of one package whose id sets overlap; the findings are
/// appended to `out`, most severe first. Sets are small sorted vectors:
/// most groups hold one record with one or two aliases.
fn group(package: &Arc<PackageQuery>, hits: &[HitRecord<'_>], out: &mut Vec<VulnMatch>) {
    let n = hits.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    if n > 1 {
        let mut owner: FastMap<&str, usize> = FastMap::default();
        for (i, HitRecord { head: record, .. }) in hits.iter().enumerate() {
            for id in std::iter::once(record.id).chain(record.aliases.iter()) {
                match owner.get(id) {
                    Some(&j) => {
                        let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                        if a != b {
                            parent[a] = b;
                        }
                    }
                    None => {
                        owner.insert(id, i);
                    }
                }
            }
        }
    }
    // (group root, member): members of a group contiguous, in hit order.
    let mut members: Vec<(usize, usize)> = (0..n).map(|i| (find(&mut parent, i), i)).collect();
    members.sort_unstable();
    let start = out.len();
    let mut ids: Vec<&str> = Vec::new();
    let mut record_ids: Vec<&str> = Vec::new();
    let mut related: Vec<&str> = Vec::new();
    let mut references: Vec<&str> = Vec::new();
    for group in members.chunk_by(|a, b| a.0 == b.0) {
        ids.clear();
        record_ids.clear();
        related.clear();
        references.clear();
        let mut fixed: Vec<SmolStr> = Vec::new();
        let mut refs = Vec::with_capacity(group.len());
        let mut best: Option<crate::head::RatedRef<'_>> = None;
        let mut title = None;
        let mut installed = "";
        for &(_, i) in group {
            let HitRecord {
                head: record,
                hit,
                version_text,
                seq,
            } = &hits[i];
            installed = version_text;
            ids.push(record.id);
            ids.extend(record.aliases.iter());
            record_ids.push(record.id);
            related.extend(record.upstream.iter());
            related.extend(record.related.iter());
            for f in &hit.fixed {
                if !fixed.iter().any(|known| known == f) {
                    fixed.push(SmolStr::new(f));
                }
            }
            for url in record.references.iter() {
                if !references.contains(&url) {
                    references.push(url);
                }
            }
            refs.push(RecordRef {
                id: SmolStr::new(record.id),
                source: SmolStr::new(record.source),
                modified: record.modified.map(SmolStr::new),
            });
            let rated = record.rating_for(*seq);
            if best.as_ref().is_none_or(|b| rated.severity > b.severity) {
                best = Some(rated);
            }
            if title.is_none() {
                title = record.title;
            }
        }
        ids.sort_unstable();
        ids.dedup();
        record_ids.sort_unstable();
        related.sort_unstable();
        related.dedup();
        let id = ids
            .iter()
            .find(|id| id.starts_with("CVE-"))
            .or_else(|| record_ids.first())
            .copied()
            .unwrap_or_default();
        let aliases: Vec<SmolStr> = ids.iter().filter(|i| **i != id).map(SmolStr::new).collect();
        let related: Vec<SmolStr> = related
            .iter()
            .filter(|r| **r != id && ids.binary_search(r).is_err())
            .map(SmolStr::new)
            .collect();
        refs.sort();
        out.push(VulnMatch {
            id: SmolStr::new(id),
            aliases,
            related,
            package: Arc::clone(package),
            installed_version: SmolStr::new(installed),
            fix_status: if fixed.is_empty() {
                FixStatus::Affected
            } else {
                FixStatus::Fixed
            },
            fixed_versions: fixed,
            fix_requires: None,
            severity: best.map(|b| b.to_rated()).unwrap_or(Rated {
                severity: severity::Severity::Unknown,
                source: SmolStr::new_static("none"),
                score: None,
                vector: None,
            }),
            title: title.map(SmolStr::new),
            description: None,
            published: None,
            references: references.iter().map(SmolStr::new).collect(),
            records: refs,
        });
    }
    out[start..].sort_by(VulnMatch::finding_order);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(json: &str) -> Vec<Event> {
        serde_json::from_str(json).unwrap()
    }

    fn check(scheme: Scheme, v: &str, events: &str) -> Option<Vec<String>> {
        let version = Version::parse(scheme, v).unwrap();
        in_range(scheme, &version, &ev(events)).unwrap().map(|h| h.fixed)
    }

    #[test]
    fn ranges_follow_the_osv_evaluation() {
        let simple = r#"[{"introduced":"0"},{"fixed":"1.2.0"}]"#;
        assert_eq!(check(Scheme::Semver, "1.1.9", simple), Some(vec!["1.2.0".to_string()]));
        assert_eq!(check(Scheme::Semver, "1.2.0", simple), None);
        let two = r#"[{"introduced":"2.0.0"},{"fixed":"2.1.0"},{"introduced":"1.0.0"},{"fixed":"1.5.0"}]"#;
        assert!(check(Scheme::Semver, "1.4.0", two).is_some());
        assert!(check(Scheme::Semver, "1.7.0", two).is_none());
        assert!(check(Scheme::Semver, "2.0.5", two).is_some());
        assert!(check(Scheme::Semver, "0.9.0", two).is_none());
        let last = r#"[{"introduced":"1.0"},{"last_affected":"1.4"}]"#;
        assert_eq!(check(Scheme::Pep440, "1.4", last), Some(vec![]));
        assert!(check(Scheme::Pep440, "1.4.1", last).is_none());
        let limit = r#"[{"introduced":"0"},{"limit":"2.0.0"}]"#;
        assert!(check(Scheme::Semver, "1.0.0", limit).is_some());
        assert!(check(Scheme::Semver, "2.0.0", limit).is_none());
        let deb = r#"[{"introduced":"0"},{"fixed":"2:1.20.11-1+deb11u6"}]"#;
        assert!(check(Scheme::Deb, "2:1.20.11-1+deb11u5", deb).is_some());
        assert!(check(Scheme::Deb, "2:1.20.11-1+deb11u6", deb).is_none());
        let apk = r#"[{"introduced":"0"},{"fixed":"1.1.1d-r0"}]"#;
        assert!(check(Scheme::Apk, "1.1.1c-r0", apk).is_some());
    }

    #[test]
    fn versions_lists_and_unordered_ecosystems() {
        let affected: Affected = serde_json::from_str(r#"{"versions":["1.0","2.0"]}"#).unwrap();
        assert!(affects("Martian", &affected, "1.0", None).unwrap().is_some());
        assert!(affects("Martian", &affected, "1.1", None).unwrap().is_none());
        let v = Version::parse(Scheme::Pep440, "1.0.0").unwrap();
        assert!(affects("PyPI", &affected, "1.0.0", Some(&v)).unwrap().is_some());
    }

    #[test]
    fn os_packages_use_their_source() {
        let package = PackageQuery {
            ecosystem: "Debian:11".into(),
            name: "libssl1.1".into(),
            version: "1.1.1n-0+deb11u3+b1".into(),
            source_name: Some("openssl".into()),
            source_version: Some("1.1.1n-0+deb11u3".into()),
            ..PackageQuery::default()
        };
        assert_eq!(package.lookup_key(), ("openssl".into(), "1.1.1n-0+deb11u3"));
        let python = PackageQuery {
            ecosystem: "PyPI".into(),
            name: "Django_Rest".into(),
            source_name: Some("ignored".into()),
            ..PackageQuery::default()
        };
        assert_eq!(python.lookup_key().0, "django-rest");
    }
}
