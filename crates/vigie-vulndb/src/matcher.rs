//! Packages in, vulnerabilities out. The matcher knows nothing about how
//! packages were found: it takes plain [`PackageQuery`] values whose
//! `ecosystem` is already the OSV ecosystem (`Debian:11`, `Alpine:v3.10`,
//! `PyPI`, …). OS packages are looked up by their **source** package (Debian
//! advisories and Alpine secfixes are per source package); language packages
//! by their normalised name.

use crate::Error;
use crate::osv::{self, Affected, Event, Record};
use crate::severity::{self, Rated};
use crate::store::Database;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use vigie_version::{Scheme, Version};

/// One installed package to check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageQuery {
    /// OSV ecosystem, with the release for OS packages (`Debian:11`).
    pub ecosystem: String,
    pub name: String,
    pub version: String,
    /// Source package of an OS binary package (dpkg `Source:`, apk origin).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    /// The file the package was read from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub found_in: Option<String>,
    /// The image layer (digest) that added that file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
}

impl PackageQuery {
    fn is_os(&self) -> bool {
        matches!(
            Scheme::for_ecosystem(&self.ecosystem),
            Some(Scheme::Deb | Scheme::Apk | Scheme::Rpm)
        )
    }

    /// The (name, version) the advisories are keyed by.
    pub fn lookup_key(&self) -> (String, &str) {
        if self.is_os() {
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
            (osv::normalize_name(&self.ecosystem, name), version)
        } else {
            (osv::normalize_name(&self.ecosystem, &self.name), &self.version)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FixStatus {
    /// A fixed version exists.
    Fixed,
    /// No fixed version is known.
    Affected,
}

/// An advisory record that contributed to a finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RecordRef {
    pub id: String,
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
}

/// One vulnerability of one package (aliases grouped: one CVE reached
/// through two advisories is one match carrying both ids).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VulnMatch {
    /// Preferred id: a CVE when the group has one, else the first record id.
    pub id: String,
    /// Every other id of the group (record ids and their aliases).
    pub aliases: Vec<String>,
    /// Upstream/related ids (`upstream`, `related`): not the same issue, but linked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
    pub package: PackageQuery,
    /// The version compared (the source version for OS packages).
    pub installed_version: String,
    pub fixed_versions: Vec<String>,
    pub fix_status: FixStatus,
    pub severity: Rated,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub references: Vec<String>,
    pub records: Vec<RecordRef>,
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

/// Whether `version` is inside one OSV `ECOSYSTEM`/`SEMVER` range; the
/// fixed versions above it are returned. Events are ordered by version
/// (introduced `0` first), then the last event at or below the version
/// decides, as the OSV specification's evaluation does.
pub fn in_range(
    scheme: Scheme,
    version: &Version,
    events: &[Event],
) -> Result<Option<Hit>, vigie_version::VersionError> {
    #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    enum Kind {
        Introduced,
        LastAffected,
        Fixed,
        Limit,
    }
    let mut parsed: Vec<(Option<Version>, Kind, &str)> = Vec::with_capacity(events.len());
    for event in events {
        let (text, kind) = if let Some(t) = &event.introduced {
            (t, Kind::Introduced)
        } else if let Some(t) = &event.fixed {
            (t, Kind::Fixed)
        } else if let Some(t) = &event.last_affected {
            (t, Kind::LastAffected)
        } else if let Some(t) = &event.limit {
            (t, Kind::Limit)
        } else {
            continue;
        };
        let bound = if kind == Kind::Limit && text == "*" {
            continue;
        } else {
            parse_bound(scheme, text)?
        };
        parsed.push((bound, kind, text));
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
            Kind::Introduced if at_or_below => affected = true,
            Kind::Fixed if at_or_below => affected = false,
            Kind::LastAffected if bound.as_ref().is_some_and(|b| b < version) => affected = false,
            Kind::Limit => limits.push(bound),
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
        .filter(|(bound, kind, _)| *kind == Kind::Fixed && bound.as_ref().is_some_and(|b| b > version))
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
            let merged = hit.get_or_insert_with(|| Hit { fixed: Vec::new() });
            for f in found.fixed {
                if !merged.fixed.contains(&f) {
                    merged.fixed.push(f);
                }
            }
        }
    }
    Ok(hit)
}

/// Below this many packages one thread matches; above, each core gets a
/// share with its own read-only connection.
const PARALLEL_THRESHOLD: usize = 4096;

/// Match packages against the database.
///
/// Packages are looked up in key order, so consecutive lookups walk
/// neighbouring pages of the clustered `affected` table instead of seeking
/// at random; large inputs are split by key range across cores, each share
/// with its own read-only connection. Matches come back in input order.
pub fn match_packages(db: &Database, packages: &[PackageQuery]) -> Result<MatchReport, Error> {
    let mut order: Vec<(String, String, usize)> = packages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.ecosystem.clone(), p.lookup_key().0, i))
        .collect();
    order.sort_unstable();
    let order: Vec<usize> = order.into_iter().map(|(_, _, i)| i).collect();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(8);
    let mut parts: Vec<Result<Partial, Error>> = Vec::new();
    if packages.len() < PARALLEL_THRESHOLD || threads < 2 {
        parts.push(match_sequential(db, packages, &order));
    } else {
        let chunk = order.len().div_ceil(threads);
        let path = db.path().to_path_buf();
        let mut chunks = order.chunks(chunk);
        let first = chunks.next().unwrap_or_default();
        std::thread::scope(|scope| {
            let handles: Vec<_> = chunks
                .map(|part| {
                    let path = &path;
                    scope.spawn(move || {
                        let own = Database::open(path)?;
                        match_sequential(&own, packages, part)
                    })
                })
                .collect();
            parts.push(match_sequential(db, packages, first));
            for handle in handles {
                parts.push(handle.join().unwrap_or_else(|_| {
                    Err(Error::Corrupt {
                        path: path.clone(),
                        message: "a matcher thread failed".to_string(),
                    })
                }));
            }
        });
    }
    let mut by_package: BTreeMap<usize, Vec<VulnMatch>> = BTreeMap::new();
    let mut report = MatchReport {
        packages_checked: packages.len(),
        ..MatchReport::default()
    };
    for part in parts {
        let part = part?;
        by_package.extend(part.matches);
        report.warnings.extend(part.warnings);
    }
    report.matches = by_package.into_values().flatten().collect();
    Ok(report)
}

/// Package index, record rid, hit, compared version, the rows and the index of the matching one.
type RawHit = (
    usize,
    i64,
    Hit,
    String,
    std::rc::Rc<Vec<crate::store::AffectedRow>>,
    usize,
);

#[derive(Default)]
struct Partial {
    matches: BTreeMap<usize, Vec<VulnMatch>>,
    warnings: Vec<String>,
}

fn match_sequential(db: &Database, packages: &[PackageQuery], order: &[usize]) -> Result<Partial, Error> {
    let mut report = Partial::default();
    let mut records: HashMap<i64, Option<(String, Record)>> = HashMap::new();
    let mut warned_ecosystems = BTreeSet::new();
    // Several binary packages share one source package: look each key up once.
    let mut rows_cache: HashMap<(String, String), std::rc::Rc<Vec<crate::store::AffectedRow>>> = HashMap::new();
    // (package index, record rid, hit, compared version, affected entry)
    let mut raw: Vec<RawHit> = Vec::new();
    for &index in order {
        let package = &packages[index];
        let (name, version_text) = package.lookup_key();
        let key = (package.ecosystem.clone(), name);
        let rows = match rows_cache.get(&key) {
            Some(rows) => rows.clone(),
            None => {
                let rows = std::rc::Rc::new(db.affected(&key.0, &key.1)?);
                rows_cache.insert(key, rows.clone());
                rows
            }
        };
        if rows.is_empty() {
            continue;
        }
        let scheme = Scheme::for_ecosystem(&package.ecosystem);
        let version = match scheme {
            Some(scheme) => match Version::parse(scheme, version_text) {
                Ok(v) => Some(v),
                Err(e) => {
                    report
                        .warnings
                        .push(format!("{} {}: {e}", package.ecosystem, package.name));
                    None
                }
            },
            None => {
                if warned_ecosystems.insert(package.ecosystem.clone()) {
                    report.warnings.push(format!(
                        "ecosystem {} has no version ordering: only exact version lists are matched",
                        package.ecosystem
                    ));
                }
                None
            }
        };
        for (row_index, row) in rows.iter().enumerate() {
            match affects(&package.ecosystem, &row.affected, version_text, version.as_ref()) {
                Ok(Some(hit)) => raw.push((index, row.rid, hit, version_text.to_string(), rows.clone(), row_index)),
                Ok(None) => {}
                Err(e) => report
                    .warnings
                    .push(format!("record {} for {}: {e}", row.rid, package.name)),
            }
        }
    }
    // Load the records behind the hits, drop withdrawn ones, then group.
    let mut per_package: BTreeMap<usize, Vec<HitRecord>> = BTreeMap::new();
    for (index, rid, hit, version_text, rows, row_index) in raw {
        let entry = match records.get(&rid) {
            Some(entry) => entry.clone(),
            None => {
                let loaded = db.record(rid)?;
                records.insert(rid, loaded.clone());
                loaded
            }
        };
        let Some((source, record)) = entry else { continue };
        if record.withdrawn.as_deref().is_some_and(|w| !w.is_empty()) {
            continue;
        }
        let affected = rows.get(row_index).map(|r| r.affected.clone());
        per_package.entry(index).or_default().push(HitRecord {
            record,
            source,
            hit,
            version_text,
            affected,
        });
    }
    for (index, hits) in per_package {
        report.matches.insert(index, group(&packages[index], hits));
    }
    Ok(report)
}

struct HitRecord {
    record: Record,
    source: String,
    hit: Hit,
    version_text: String,
    affected: Option<Affected>,
}

fn ids_of(record: &Record) -> BTreeSet<String> {
    let mut ids: BTreeSet<String> = record.aliases.iter().cloned().collect();
    ids.insert(record.id.clone());
    ids
}

/// Group the hits of one package whose id sets overlap.
fn group(package: &PackageQuery, hits: Vec<HitRecord>) -> Vec<VulnMatch> {
    let n = hits.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut owner: HashMap<String, usize> = HashMap::new();
    for (i, HitRecord { record, .. }) in hits.iter().enumerate() {
        for id in ids_of(record) {
            match owner.get(&id) {
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
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..n {
        let root = find(&mut parent, i);
        groups.entry(root).or_default().push(i);
    }
    let mut out = Vec::new();
    for members in groups.values() {
        let mut ids = BTreeSet::new();
        let mut record_ids = BTreeSet::new();
        let mut related = BTreeSet::new();
        let mut fixed: Vec<String> = Vec::new();
        let mut references = Vec::new();
        let mut refs = Vec::new();
        let mut best: Option<Rated> = None;
        let mut title = None;
        let mut installed = String::new();
        for &i in members {
            let HitRecord {
                record,
                source,
                hit,
                version_text,
                affected,
            } = &hits[i];
            installed = version_text.clone();
            ids.extend(ids_of(record));
            record_ids.insert(record.id.clone());
            related.extend(record.upstream.iter().cloned());
            related.extend(record.related.iter().cloned());
            for f in &hit.fixed {
                if !fixed.contains(f) {
                    fixed.push(f.clone());
                }
            }
            for reference in &record.references {
                if !references.contains(&reference.url) {
                    references.push(reference.url.clone());
                }
            }
            refs.push(RecordRef {
                id: record.id.clone(),
                source: source.clone(),
                modified: record.modified.clone(),
            });
            let rated = severity::rate(record, affected.as_ref());
            if best.as_ref().is_none_or(|b| rated.severity > b.severity) {
                best = Some(rated);
            }
            if title.is_none() {
                title = record.summary.clone().filter(|s| !s.is_empty()).or_else(|| {
                    record
                        .details
                        .as_deref()
                        .and_then(|d| d.lines().next())
                        .map(|l| l.chars().take(120).collect())
                });
            }
        }
        let id = ids
            .iter()
            .find(|id| id.starts_with("CVE-"))
            .or_else(|| record_ids.iter().next())
            .cloned()
            .unwrap_or_default();
        let aliases: Vec<String> = ids.into_iter().filter(|i| *i != id).collect();
        let related: Vec<String> = related
            .into_iter()
            .filter(|r| *r != id && !aliases.contains(r))
            .collect();
        refs.sort();
        out.push(VulnMatch {
            id,
            aliases,
            related,
            package: package.clone(),
            installed_version: installed,
            fix_status: if fixed.is_empty() {
                FixStatus::Affected
            } else {
                FixStatus::Fixed
            },
            fixed_versions: fixed,
            severity: best.unwrap_or(Rated {
                severity: severity::Severity::Unknown,
                source: "none".to_string(),
                score: None,
                vector: None,
            }),
            title,
            references,
            records: refs,
        });
    }
    out.sort_by(|a, b| b.severity.severity.cmp(&a.severity.severity).then(a.id.cmp(&b.id)));
    out
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
        assert_eq!(package.lookup_key(), ("openssl".to_string(), "1.1.1n-0+deb11u3"));
        let python = PackageQuery {
            ecosystem: "PyPI".into(),
            name: "Django_Rest".into(),
            source_name: Some("ignored".into()),
            ..PackageQuery::default()
        };
        assert_eq!(python.lookup_key().0, "django-rest");
    }
}
