//! The scan pipeline: a target (image, root filesystem, lockfile or SBOM)
//! catalogued into packages, matched against the local vulnerability
//! database, filtered by policy (severity, unfixed, `.vigieignore`, OpenVEX)
//! into a [`ScanResult`]. Pipeline place: between the command line (`vigie
//! scan` parses arguments and picks a printer) and the printers in
//! `vigie_report::scan`. Prints nothing: the caller is told when the
//! database is open (to say how old it is) and reads the image view itself
//! (to show a progress bar).

pub mod lookups;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use vigie_snapshot::scan::{DbSummary, EcosystemCoverage, OsSummary, PackageQuery, ScanResult};
use vigie_snapshot::severity::Severity;
use vigie_vulndb::Database;
use vigie_vulndb::policy::{self, Policy, PolicyError};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot open {target}")]
    Open {
        target: String,
        #[source]
        source: vigie_image::ImageError,
    },
    #[error("cannot read {target}")]
    View {
        target: String,
        #[source]
        source: vigie_image::ImageError,
    },
    #[error("cannot read {path}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Database(#[from] vigie_vulndb::Error),
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// A lockfile no cataloguer reads: refused, never scanned as an empty one.
    #[error("{path}: {why}")]
    Unsupported { path: String, why: String },
    /// A database with no source: nothing could be matched, and a scan would say "clean".
    #[error(
        "the vulnerability database {path} holds no advisories (no update or import ever succeeded): run `vigie db update` (or `vigie db import`)"
    )]
    EmptyDatabase { path: String },
}

/// Reads the view of an opened image (the caller may show progress).
pub type ReadView<'a> = &'a dyn Fn(
    &vigie_image::Image,
    vigie_image::ViewOptions,
) -> Result<vigie_image::FileSystemView, vigie_image::ImageError>;

/// Read a view without progress.
pub fn read_view_plain(
    image: &vigie_image::Image,
    options: vigie_image::ViewOptions,
) -> Result<vigie_image::FileSystemView, vigie_image::ImageError> {
    image.view(&options)
}

/// What to scan and with which policy.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub target: String,
    /// Where and how to open the target (engine, platform, registry).
    pub open: vigie_image::OpenOptions,
    /// The vulnerability database.
    pub db_path: PathBuf,
    /// Report only these severities (empty: all).
    pub severities: Vec<Severity>,
    pub ignore_unfixed: bool,
    /// Ignore file (default: ./.vigieignore when present).
    pub ignorefile: Option<PathBuf>,
    /// OpenVEX documents.
    pub vex: Vec<PathBuf>,
}

/// Time spent in each stage, from `started`.
#[derive(Debug, Clone, Copy)]
pub struct Timings {
    pub started: Instant,
    /// The database opened.
    pub opened: Duration,
    /// The packages collected.
    pub collected: Duration,
    /// Matching started (after the database age was read).
    pub match_started: Duration,
    /// Matching done.
    pub matched: Duration,
}

/// A scan's result and how long its stages took.
#[derive(Debug, Clone)]
pub struct Scanned {
    pub result: ScanResult,
    pub timings: Timings,
}

/// Scan `request.target`. `on_database(path, updated_at, age_seconds)` is
/// called once the packages are collected, before matching.
pub fn scan(
    request: &Request,
    read_view: ReadView<'_>,
    on_database: &mut dyn FnMut(&Path, i64, i64),
) -> Result<Scanned, Error> {
    let db_path = &request.db_path;
    let started = Instant::now();
    let db = Database::open(db_path)?;
    if db.sources()?.is_empty() {
        return Err(Error::EmptyDatabase {
            path: db_path.display().to_string(),
        });
    }
    let opened = started.elapsed();
    let collected = collect(&request.target, &request.open, read_view)?;
    let collected_at = started.elapsed();
    let updated_at = db.updated_at()?;
    let age = (vigie_vulndb::store::now_unix() - updated_at).max(0);
    on_database(db_path, updated_at, age);
    let match_started = started.elapsed();
    let lookups = lookups::Lookups::of(&collected.packages);
    let mut matched = vigie_vulndb::match_packages(&db, &lookups.queries)?;
    matched.matches = lookups.fold(matched.matches);
    drop(lookups);
    // Before the policy: `--severity` and `--fail-on` judge the rating shown.
    rate_by_alias(&db, &mut matched.matches)?;
    let matched_at = started.elapsed();
    let policy = read_policy(request)?;
    let mut applied = policy.apply(matched.matches);
    describe(
        &db,
        applied
            .reported
            .iter_mut()
            .chain(applied.suppressed.iter_mut().map(|(m, _)| m)),
    )?;
    let mut warnings = collected.warnings;
    warnings.extend(matched.warnings);
    let coverage = coverage_of(&db, &collected.packages)?;
    let mut incomplete = collected.incomplete;
    incomplete.extend(coverage_gaps(&coverage));
    let result = ScanResult {
        target: request.target.clone(),
        artifact_type: collected.artifact_type,
        os: collected.os,
        database: DbSummary {
            path: db_path.display().to_string(),
            updated_at,
            age_seconds: age,
            sources: db.sources()?.into_iter().map(|s| s.name).collect(),
        },
        packages: collected.packages,
        applied,
        warnings,
        incomplete,
        coverage,
    };
    Ok(Scanned {
        result,
        timings: Timings {
            started,
            opened,
            collected: collected_at,
            match_started,
            matched: matched_at,
        },
    })
}

/// Fill each finding's full description and publication date from its
/// first record (read once per record, only for findings).
fn describe<'a>(
    db: &Database,
    matches: impl Iterator<Item = &'a mut vigie_snapshot::scan::VulnMatch>,
) -> Result<(), Error> {
    let mut cache: std::collections::HashMap<(String, String), Option<vigie_vulndb::store::RecordText>> =
        std::collections::HashMap::new();
    for m in matches {
        let Some(record) = m.records.first() else {
            continue;
        };
        let key = (record.id.to_string(), record.source.to_string());
        if !cache.contains_key(&key) {
            let text = db.record_text(&record.id, &record.source)?;
            cache.insert(key.clone(), text);
        }
        if let Some(Some(text)) = cache.get(&key) {
            m.description = text.details.as_deref().filter(|d| !d.trim().is_empty()).map(Into::into);
            m.published = text.published.as_deref().map(Into::into);
        }
    }
    Ok(())
}

/// A finding its own records do not rate (Alpine's secdb rates nothing)
/// takes the rating another source gives the same vulnerability — a record
/// of the database whose id is the finding's id or one of its aliases (the
/// CVE record of Ubuntu's feed, a GHSA) — and names it in its source
/// (`cvss-v3 (record) via CVE-2016-2180 in osv-dir:osv-ubuntu`). The most
/// severe such rating wins.
fn rate_by_alias(db: &Database, matches: &mut [vigie_snapshot::scan::VulnMatch]) -> Result<(), Error> {
    let mut cache: std::collections::HashMap<String, Vec<(String, vigie_vulndb::Rated)>> =
        std::collections::HashMap::new();
    let mut changed = false;
    for m in matches.iter_mut().filter(|m| m.severity.severity == Severity::Unknown) {
        let own: Vec<&str> = m.records.iter().map(|r| r.source.as_str()).collect();
        let mut best: Option<(String, String, vigie_vulndb::Rated)> = None;
        for id in std::iter::once(&m.id).chain(m.aliases.iter()) {
            if !cache.contains_key(id.as_str()) {
                cache.insert(id.to_string(), db.ratings_of(id)?);
            }
            for (source, rated) in cache.get(id.as_str()).into_iter().flatten() {
                if own.contains(&source.as_str()) || rated.severity == Severity::Unknown {
                    continue;
                }
                if best.as_ref().is_none_or(|(_, _, b)| rated.severity > b.severity) {
                    best = Some((id.to_string(), source.clone(), rated.clone()));
                }
            }
        }
        if let Some((id, source, mut rated)) = best {
            rated.source = format!("{} via {id} in {source}", rated.source).into();
            m.severity = rated;
            changed = true;
        }
    }
    // Within each package, the matcher's order follows the new ratings.
    if changed {
        for package in matches.chunk_by_mut(|a, b| std::sync::Arc::ptr_eq(&a.package, &b.package)) {
            package.sort_by(vigie_snapshot::scan::VulnMatch::finding_order);
        }
    }
    Ok(())
}

/// Per ecosystem of `packages` (in order of first appearance), what the
/// database holds for it.
pub fn coverage_of(db: &Database, packages: &[PackageQuery]) -> Result<Vec<EcosystemCoverage>, Error> {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for p in packages {
        match counts.iter_mut().find(|(e, _)| *e == p.ecosystem) {
            Some((_, n)) => *n += 1,
            None => counts.push((&p.ecosystem, 1)),
        }
    }
    counts
        .into_iter()
        .map(|(ecosystem, packages)| {
            let known = db.coverage(ecosystem)?;
            Ok(EcosystemCoverage {
                ecosystem: ecosystem.to_string(),
                packages,
                records: known.as_ref().map_or(0, |c| c.records),
                names_with_advisories: known.as_ref().map_or(0, |c| c.names),
                newest_record: known.and_then(|c| c.newest),
            })
        })
        .collect()
}

/// One line per ecosystem with packages and no advisories: never clean
/// where the database could not look.
pub fn coverage_gaps(coverage: &[EcosystemCoverage]) -> Vec<String> {
    coverage
        .iter()
        .filter(|c| c.records == 0)
        .map(|c| {
            format!(
                "no advisories for {} in the database: its {} package(s) were not checked (add a source that covers it and run `vigie db update`)",
                c.ecosystem, c.packages
            )
        })
        .collect()
}

fn read_text(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.display().to_string(),
        source,
    })
}

/// The policy of a request: filters, the ignore file, the VEX documents.
pub fn read_policy(request: &Request) -> Result<Policy, Error> {
    let mut policy = Policy {
        severities: request.severities.clone(),
        ignore_unfixed: request.ignore_unfixed,
        today: policy::today(),
        ..Policy::default()
    };
    let ignore_path = request
        .ignorefile
        .clone()
        .or_else(|| Some(PathBuf::from(".vigieignore")).filter(|p| p.is_file()));
    if let Some(path) = &ignore_path {
        let text = read_text(path)?;
        policy.ignores = policy::parse_ignore_file(path, &text)?;
    }
    for path in &request.vex {
        let text = read_text(path)?;
        policy.vex.extend(policy::parse_vex(path, &text)?);
    }
    Ok(policy)
}

/// Packages to check and what is known about where they came from.
#[derive(Debug, Clone)]
pub struct Collected {
    pub artifact_type: String,
    pub os: Option<OsSummary>,
    pub packages: Vec<PackageQuery>,
    pub warnings: Vec<String>,
    /// What could not be read (see `vigie_catalog::Catalog::incomplete`).
    pub incomplete: Vec<String>,
}

const LOCKFILES: &[&str] = &[
    "Cargo.lock",
    "poetry.lock",
    "Pipfile.lock",
    "uv.lock",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "go.sum",
    "go.mod",
    "pom.xml",
    "gradle.lockfile",
    "composer.lock",
];

fn is_lockfile(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    LOCKFILES.contains(&name.as_str()) || (name.starts_with("requirements") && name.ends_with(".txt"))
}

/// An SBOM as scan reads it: only the package URLs and vigie's incomplete
/// marks are kept; every other field is skipped while parsing (serde's
/// `IgnoredAny`), so memory follows the number of packages, not the file's
/// size. Nesting deeper than serde_json's limit (128) is a parse error.
#[derive(Debug, Default, serde::Deserialize)]
struct SbomInput {
    #[serde(rename = "bomFormat")]
    bom_format: Option<serde::de::IgnoredAny>,
    #[serde(rename = "spdxVersion")]
    spdx_version: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    components: Vec<SbomComponent>,
    #[serde(default)]
    packages: Vec<SpdxPackage>,
    metadata: Option<SbomMetadata>,
}

#[derive(Debug, Default, serde::Deserialize)]
struct SbomComponent {
    purl: Option<String>,
    #[serde(default)]
    components: Vec<SbomComponent>,
}

#[derive(Debug, Default, serde::Deserialize)]
struct SpdxPackage {
    #[serde(default, rename = "externalRefs")]
    external_refs: Vec<SpdxRef>,
}

#[derive(Debug, Default, serde::Deserialize)]
struct SpdxRef {
    #[serde(rename = "referenceType")]
    reference_type: Option<String>,
    #[serde(rename = "referenceLocator")]
    reference_locator: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
struct SbomMetadata {
    #[serde(default)]
    properties: Vec<SbomProperty>,
}

#[derive(Debug, Default, serde::Deserialize)]
struct SbomProperty {
    name: Option<String>,
    value: Option<String>,
}

/// SBOM inputs larger than this are refused (a 50,000-package SBOM is tens
/// of MB; the package cap below bounds what is kept).
pub const MAX_SBOM_BYTES: u64 = 256 << 20;

/// Parse SBOM bytes as `scan` does and collect their packages, for fuzzing:
/// the number of packages.
#[doc(hidden)]
pub fn sbom_packages_for_fuzz(bytes: &[u8]) -> usize {
    match serde_json::from_slice::<SbomInput>(bytes) {
        Ok(sbom) => from_sbom(sbom, "fuzz").packages.len(),
        Err(_) => 0,
    }
}

/// The file as an SBOM, streamed; `Ok(None)` when it is not one (another
/// JSON file, or not JSON).
fn sbom_kind(path: &Path) -> Result<Option<SbomInput>, Error> {
    let name = path.to_string_lossy().to_ascii_lowercase();
    if !name.ends_with(".json") {
        return Ok(None);
    }
    let unreadable = |source| Error::Read {
        path: path.display().to_string(),
        source,
    };
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let size = file.metadata().map_err(unreadable)?.len();
    if size > MAX_SBOM_BYTES {
        return Err(unreadable(std::io::Error::other(format!(
            "{size} bytes, over the {MAX_SBOM_BYTES}-byte limit for an SBOM or JSON input"
        ))));
    }
    let reader = std::io::BufReader::with_capacity(1 << 16, std::io::Read::take(file, MAX_SBOM_BYTES));
    match serde_json::from_reader::<_, SbomInput>(reader) {
        Ok(sbom) if sbom.bom_format.is_some() || sbom.spdx_version.is_some() => Ok(Some(sbom)),
        Ok(_) => Ok(None),
        Err(e) => {
            // Not JSON at all is another kind of input; an SBOM that does not
            // parse (truncated, nested past the limit) is an error naming it.
            let mut head = Vec::new();
            let looks_like_sbom = std::fs::File::open(path)
                .and_then(|f| std::io::Read::read_to_end(&mut std::io::Read::take(f, 1 << 16), &mut head))
                .is_ok()
                && {
                    let text = String::from_utf8_lossy(&head);
                    text.contains("\"bomFormat\"") || text.contains("\"spdxVersion\"")
                };
            if looks_like_sbom {
                Err(unreadable(std::io::Error::other(format!("not a valid SBOM: {e}"))))
            } else {
                Ok(None)
            }
        }
    }
}

/// Find the packages of a target. The cataloguers (vigie-catalog over a
/// vigie-image view) do the finding; this only adapts their packages.
pub fn collect(target: &str, options: &vigie_image::OpenOptions, read_view: ReadView<'_>) -> Result<Collected, Error> {
    let path = Path::new(target);
    if path.is_file() {
        if let Some(sbom) = sbom_kind(path)? {
            return Ok(from_sbom(sbom, target));
        }
        if is_lockfile(path) {
            return from_lockfile(path);
        }
    }
    let image = vigie_image::open_with(target, options).map_err(|source| Error::Open {
        target: target.to_string(),
        source,
    })?;
    let view = read_view(&image, vigie_catalog::view_options()).map_err(|source| Error::View {
        target: target.to_string(),
        source,
    })?;
    let catalog = vigie_catalog::catalog(&view);
    let artifact_type = if image.kind == vigie_image::SourceKind::Dir {
        "filesystem"
    } else {
        "container_image"
    };
    Ok(from_catalog(catalog, artifact_type))
}

fn from_lockfile(path: &Path) -> Result<Collected, Error> {
    // Read in place: the file is opened once and catalogued through that
    // handle as a directory holding only it would be (nothing is copied).
    let unreadable = |source| Error::Read {
        path: path.display().to_string(),
        source,
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !vigie_catalog::reads_lockfile(&name) {
        let why = match name.as_str() {
            "pom.xml" => {
                "a Maven POM is not read yet (its versions come from parent POMs and properties vigie does not resolve): refused, not reported clean; scan the built artifacts (jars) or an SBOM instead"
            }
            "composer.lock" => {
                "composer.lock is not read yet (no Packagist advisories in vigie's database): refused, not reported clean"
            }
            _ => "not a lockfile vigie reads: refused, not reported clean",
        };
        return Err(Error::Unsupported {
            path: path.display().to_string(),
            why: why.to_string(),
        });
    }
    let file = std::fs::File::open(path).map_err(unreadable)?;
    if !file.metadata().map_err(unreadable)?.is_file() {
        return Err(unreadable(std::io::Error::other("not a regular file")));
    }
    let view = vigie_image::view_of_open_file(&file, &name, &vigie_catalog::view_options());
    drop(file);
    let mut collected = from_catalog(vigie_catalog::catalog(&view), "filesystem");
    let shown = path.display().to_string();
    for package in &mut collected.packages {
        package.found_in = Some(shown.clone());
    }
    collected.artifact_type = "lockfile".to_string();
    // A lone file has no OS on purpose.
    collected.warnings.retain(|w| !w.starts_with("OS not identified"));
    Ok(collected)
}

/// The OSV ecosystem of a language package.
fn language_ecosystem(ecosystem: vigie_catalog::Ecosystem) -> Option<&'static str> {
    use vigie_catalog::Ecosystem as E;
    Some(match ecosystem {
        E::Pypi => "PyPI",
        E::Npm => "npm",
        E::Cargo => "crates.io",
        E::Go => "Go",
        E::Maven => "Maven",
        E::Deb | E::Apk | E::Rpm => return None,
    })
}

/// `pkg:maven/group/artifact@v` → `group:artifact`, as OSV names Maven packages.
fn maven_name(name: &str, purl: &str) -> String {
    if name.contains(':') {
        return name.to_string();
    }
    let path = purl.strip_prefix("pkg:maven/").unwrap_or_default();
    let path = path.split(['@', '?', '#']).next().unwrap_or_default();
    match path.rsplit_once('/') {
        Some((group, artifact)) if !group.is_empty() => format!("{group}:{artifact}"),
        _ => name.to_string(),
    }
}

/// Adapt vigie-catalog's packages to the matcher's input.
pub fn from_catalog(catalog: vigie_catalog::Catalog, artifact_type: &str) -> Collected {
    let mut incomplete = catalog.incomplete;
    let warnings = catalog.warnings;
    let os_ecosystem = catalog.os.osv_ecosystem();
    let os = (!catalog.os.family.is_empty() && catalog.os.family != "none").then(|| OsSummary {
        family: catalog.os.family.clone(),
        version: catalog.os.version.clone(),
        ecosystem: os_ecosystem.clone(),
    });
    let mut packages = Vec::with_capacity(catalog.packages.len());
    // OS packages of a distribution vigie has no advisory source for: never
    // "clean", an incomplete reason with their count.
    let mut unkeyed = 0usize;
    for p in catalog.packages {
        let ecosystem = if p.ecosystem.is_os() {
            match &os_ecosystem {
                Some(e) => e.clone(),
                None => {
                    unkeyed += 1;
                    continue;
                }
            }
        } else {
            match language_ecosystem(p.ecosystem) {
                Some(e) => e.to_string(),
                None => continue,
            }
        };
        let name = if p.ecosystem == vigie_catalog::Ecosystem::Maven {
            maven_name(&p.name, &p.purl)
        } else {
            p.name
        };
        // An rpm's source RPM has the binary's epoch-version-release, but its
        // file name (`openssl-3.0.7-16.el9.src.rpm`) drops the epoch, which
        // every rpm distribution's records state (`1:3.0.7-16.el9`).
        let source_version = if p.ecosystem == vigie_catalog::Ecosystem::Rpm {
            Some(p.version.clone())
        } else {
            p.source_version
        };
        packages.push(PackageQuery {
            ecosystem,
            name,
            version: p.version,
            source_name: p.source_name,
            source_version,
            purl: Some(p.purl),
            found_in: Some(p.found_in),
            layer: p.layer,
        });
    }
    if unkeyed > 0 {
        let why = catalog
            .os
            .no_advisory_reason()
            .unwrap_or_else(|| "vigie does not match this distribution's packages yet".to_string());
        incomplete.push(format!(
            "no advisory source for {} {}: its {unkeyed} OS package(s) were not checked ({why})",
            catalog.os.family, catalog.os.version
        ));
    }
    Collected {
        artifact_type: artifact_type.to_string(),
        os,
        packages,
        warnings,
        incomplete,
    }
}

/// Packages of a CycloneDX or SPDX JSON SBOM, from their purls.
fn from_sbom(sbom: SbomInput, target: &str) -> Collected {
    let mut purls = Vec::new();
    let mut stack: Vec<SbomComponent> = sbom.components;
    while let Some(mut c) = stack.pop() {
        if let Some(purl) = c.purl.take() {
            purls.push(purl);
        }
        stack.append(&mut c.components);
    }
    for p in sbom.packages {
        for reference in p.external_refs {
            if reference.reference_type.as_deref() == Some("purl")
                && let Some(locator) = reference.reference_locator
            {
                purls.push(locator);
            }
        }
    }
    let mut cut = None;
    if purls.len() > vigie_catalog::MAX_PACKAGES_PER_FILE {
        cut = Some(purls.len());
        purls.truncate(vigie_catalog::MAX_PACKAGES_PER_FILE);
    }
    let mut warnings = Vec::new();
    let mut packages = Vec::new();
    let mut os = None;
    let mut unmatched = 0usize;
    for purl in purls {
        match from_purl(&purl, target) {
            Some((package, distro)) => {
                if os.is_none()
                    && let Some((family, version)) = distro
                {
                    os = Some(OsSummary {
                        family,
                        version,
                        ecosystem: Some(package.ecosystem.clone()),
                    });
                }
                packages.push(package);
            }
            None => {
                unmatched += 1;
                if unmatched <= 20 {
                    warnings.push(format!("{purl}: no vulnerability ecosystem for this package url"));
                }
            }
        }
    }
    if unmatched > 20 {
        warnings.push(format!(
            "… and {} more package urls with no vulnerability ecosystem",
            unmatched - 20
        ));
    }
    // A CycloneDX SBOM that vigie marked incomplete stays incomplete.
    let properties: Vec<(String, String)> = sbom
        .metadata
        .map(|m| m.properties)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| Some((p.name?, p.value?)))
        .collect();
    let mut incomplete = match vigie_catalog::sbom::incomplete_marks_of(&properties) {
        None => Vec::new(),
        Some(reasons) if reasons.is_empty() => {
            vec![format!("{target}: the SBOM is marked incomplete (vigie:incomplete)")]
        }
        Some(reasons) => reasons.iter().map(|r| format!("{target}: {r}")).collect(),
    };
    if let Some(total) = cut {
        incomplete.push(format!(
            "{target}: {total} packages, more than {} in one file (a hostile or broken SBOM?): the first {} are scanned",
            vigie_catalog::MAX_PACKAGES_PER_FILE,
            vigie_catalog::MAX_PACKAGES_PER_FILE
        ));
    }
    Collected {
        artifact_type: "sbom".to_string(),
        os,
        packages,
        warnings,
        incomplete,
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

type Distro = Option<(String, String)>;

/// A package url as a matcher query (and the distribution it names, if any).
fn from_purl(purl: &str, target: &str) -> Option<(PackageQuery, Distro)> {
    let rest = purl.strip_prefix("pkg:")?;
    let (rest, qualifiers) = match rest.split_once('?') {
        Some((r, q)) => (r, q.split('#').next().unwrap_or_default()),
        None => (rest.split('#').next().unwrap_or_default(), ""),
    };
    let (path, version) = rest.rsplit_once('@')?;
    let version = percent_decode(version);
    let (kind, path) = path.split_once('/')?;
    let (namespace, name) = match path.rsplit_once('/') {
        Some((ns, name)) => (Some(percent_decode(ns)), percent_decode(name)),
        None => (None, percent_decode(path)),
    };
    let qualifier = |key: &str| {
        qualifiers.split('&').find_map(|kv| {
            kv.split_once('=')
                .filter(|(k, _)| *k == key)
                .map(|(_, v)| percent_decode(v))
        })
    };
    let mut distro = None;
    let ecosystem = match kind.to_ascii_lowercase().as_str() {
        "deb" | "apk" | "rpm" => {
            let d = qualifier("distro")?;
            let (family, release) = d.split_once('-').unwrap_or(("", &d));
            let family = if family.is_empty() {
                namespace.clone().unwrap_or_default()
            } else {
                family.to_string()
            };
            let info = vigie_catalog::OsInfo {
                family: family.to_ascii_lowercase(),
                version: release.to_string(),
                ..vigie_catalog::OsInfo::none(vigie_catalog::OsKind::Distro)
            };
            distro = Some((info.family.clone(), info.version.clone()));
            info.osv_ecosystem()?
        }
        "pypi" => "PyPI".to_string(),
        "cargo" => "crates.io".to_string(),
        "npm" => "npm".to_string(),
        "golang" => "Go".to_string(),
        "maven" => "Maven".to_string(),
        _ => return None,
    };
    let name = match kind {
        "npm" => match &namespace {
            Some(ns) => format!("{ns}/{name}"),
            None => name,
        },
        "golang" => match &namespace {
            Some(ns) => format!("{ns}/{name}"),
            None => name,
        },
        "maven" => match &namespace {
            Some(ns) => format!("{ns}:{name}"),
            None => name,
        },
        _ => name,
    };
    // rpm purls carry the epoch as a qualifier (`…@3.0.7-16.el9_2?epoch=1`); rpm records state it in the version.
    let version = match qualifier("epoch").filter(|e| kind.eq_ignore_ascii_case("rpm") && !e.is_empty() && e != "0") {
        Some(epoch) => format!("{epoch}:{version}"),
        None => version,
    };
    let source_name = qualifier("upstream").map(|u| {
        let u = u.split('@').next().unwrap_or(&u);
        // Syft names an rpm's source by its file: `openssl-3.0.7-16.el9_2.src.rpm` → `openssl`.
        match u
            .strip_suffix(".src.rpm")
            .map(|f| f.rsplitn(3, '-').collect::<Vec<_>>())
        {
            Some(parts) if parts.len() == 3 => parts[2].to_string(),
            _ => u.to_string(),
        }
    });
    Some((
        PackageQuery {
            ecosystem,
            name,
            version,
            source_name,
            source_version: None,
            purl: Some(purl.to_string()),
            found_in: Some(target.to_string()),
            layer: None,
        },
        distro,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rpm_purls_keep_their_epoch_and_distribution() {
        let (q, distro) = from_purl(
            "pkg:rpm/almalinux/openssl-libs@3.0.7-16.el9_2?arch=x86_64&distro=almalinux-9.2&epoch=1&upstream=openssl-3.0.7-16.el9_2.src.rpm",
            "x",
        )
        .unwrap();
        assert_eq!(q.ecosystem, "AlmaLinux:9");
        assert_eq!(q.version, "1:3.0.7-16.el9_2");
        assert_eq!(q.source_name.as_deref(), Some("openssl"));
        assert_eq!(distro, Some(("almalinux".to_string(), "9.2".to_string())));
        let (q, _) = from_purl("pkg:rpm/suse/libopenssl3@3.0.8-150500.5.8.1?distro=sles-15.5", "x").unwrap();
        assert_eq!(q.ecosystem, "SUSE:Linux Enterprise Server 15 SP5");
        assert_eq!(q.version, "3.0.8-150500.5.8.1");
    }

    #[test]
    fn purls_become_queries() {
        let (q, distro) = from_purl(
            "pkg:deb/debian/libssl1.1@1.1.1n-0%2Bdeb11u3?arch=amd64&distro=debian-11&upstream=openssl",
            "x",
        )
        .unwrap();
        assert_eq!(
            (q.ecosystem.as_str(), q.version.as_str()),
            ("Debian:11", "1.1.1n-0+deb11u3")
        );
        assert_eq!(q.source_name.as_deref(), Some("openssl"));
        assert_eq!(distro, Some(("debian".into(), "11".into())));
        let (q, _) = from_purl("pkg:npm/%40babel/core@7.0.0", "x").unwrap();
        assert_eq!(q.name, "@babel/core");
        let (q, _) = from_purl("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "x").unwrap();
        assert_eq!(q.name, "org.apache.logging.log4j:log4j-core");
        assert!(from_purl("pkg:generic/thing@1", "x").is_none());
        assert!(from_purl("garbage", "x").is_none());
        assert_eq!(
            maven_name("log4j-core", "pkg:maven/org.apache/log4j-core@1"),
            "org.apache:log4j-core"
        );
    }

    fn no_view(
        _: &vigie_image::Image,
        _: vigie_image::ViewOptions,
    ) -> Result<vigie_image::FileSystemView, vigie_image::ImageError> {
        panic!("a lockfile is not read as an image")
    }

    #[test]
    fn lockfiles_are_read_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let lock = dir.path().join("Cargo.lock");
        std::fs::write(
            &lock,
            "version = 3\n\n[[package]]\nname = \"openssl\"\nversion = \"0.8.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
        )
        .unwrap();
        let copy = std::env::temp_dir().join(format!("vigie-scan-{}", std::process::id()));
        let collected = collect(
            &lock.display().to_string(),
            &vigie_image::OpenOptions::default(),
            &no_view,
        )
        .unwrap();
        assert!(!copy.exists(), "nothing is copied to a temporary directory");
        assert_eq!(collected.artifact_type, "lockfile");
        assert!(collected.os.is_none());
        assert_eq!(collected.packages.len(), 1);
        let openssl = &collected.packages[0];
        assert_eq!(
            (openssl.ecosystem.as_str(), openssl.name.as_str()),
            ("crates.io", "openssl")
        );
        assert_eq!(openssl.found_in.as_deref(), Some(lock.display().to_string().as_str()));
        assert!(collected.warnings.is_empty(), "{:?}", collected.warnings);

        // A link is followed to the file it names, as a copy would have.
        let link = dir.path().join("link").join("requirements.txt");
        std::fs::create_dir(dir.path().join("link")).unwrap();
        std::fs::write(dir.path().join("real.txt"), "Django==2.2\n").unwrap();
        std::os::unix::fs::symlink(dir.path().join("real.txt"), &link).unwrap();
        let collected = collect(
            &link.display().to_string(),
            &vigie_image::OpenOptions::default(),
            &no_view,
        )
        .unwrap();
        assert_eq!(collected.packages.len(), 1);
        assert_eq!(collected.packages[0].name, "Django");

        // go.sum is read; a lockfile no cataloguer reads is refused, never an empty scan.
        let sum = dir.path().join("go.sum");
        std::fs::write(&sum, "github.com/x/y v1.0.0 h1:abc=\n").unwrap();
        let collected = collect(
            &sum.display().to_string(),
            &vigie_image::OpenOptions::default(),
            &no_view,
        )
        .unwrap();
        assert_eq!(collected.packages.len(), 1);
        assert_eq!(collected.packages[0].name, "github.com/x/y");
        let composer = dir.path().join("composer.lock");
        std::fs::write(&composer, "{}").unwrap();
        let e = collect(
            &composer.display().to_string(),
            &vigie_image::OpenOptions::default(),
            &no_view,
        )
        .unwrap_err();
        assert!(e.to_string().contains("not read yet"), "{e}");
    }
}
