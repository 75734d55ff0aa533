//! `vigie scan TARGET`: packages of an image, a root filesystem, a lockfile
//! or an SBOM, matched against the local vulnerability database, filtered by
//! policy (severity, unfixed, `.vigieignore`, OpenVEX) and printed as a
//! table, vigie JSON, Trivy JSON, SARIF or CycloneDX.

use std::path::{Path, PathBuf};

use anyhow::Context;
use vigie_vulndb::policy::{self, Policy};
use vigie_vulndb::report::{self, DbSummary, OsSummary, ScanResult};
use vigie_vulndb::{Database, PackageQuery, Severity};

use crate::cli::GlobalArgs;
use crate::exit::Outcome;

#[derive(Debug, clap::Args)]
#[command(
    about = "Scan an image, root filesystem, lockfile or SBOM for known vulnerabilities (offline, local database)",
    after_help = "TARGET: an image name (engine), a docker-archive or OCI archive/layout, `dir:PATH` or a directory \
(root filesystem or project), a lockfile (Cargo.lock, requirements.txt, package-lock.json, poetry.lock, go.sum, …) \
or an SBOM (CycloneDX or SPDX JSON).\n\
Ignore file: ./.vigieignore (YAML list of {id, package, path, reason, expires}).\n\n\
Exit codes: 0 clean, 1 (or --exit-code) a vulnerability at or above --fail-on, 2 error."
)]
pub struct Args {
    #[arg(value_name = "TARGET")]
    pub target: String,
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the report to FILE (atomically) instead of stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Vulnerability database (default: $XDG_CACHE_HOME/vigie/vulndb.sqlite)
    #[arg(long, env = "VIGIE_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Report only these severities (comma-separated: critical,high,medium,low,unknown)
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    pub severity: Vec<Severity>,
    /// Fail (exit 1, or --exit-code) when a reported vulnerability is at or above this severity
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,
    /// Exit code when the --fail-on threshold is reached (alone: when anything is reported)
    #[arg(long, value_name = "N")]
    pub exit_code: Option<u8>,
    /// Leave out vulnerabilities that have no fixed version yet
    #[arg(long)]
    pub ignore_unfixed: bool,
    /// Ignore file (default: ./.vigieignore when present)
    #[arg(long, value_name = "FILE")]
    pub ignorefile: Option<PathBuf>,
    /// OpenVEX document: `not_affected` and `fixed` statements suppress (repeatable)
    #[arg(long, value_name = "FILE")]
    pub vex: Vec<PathBuf>,
    /// Warn when the database is older than this many days (the scan still runs)
    #[arg(long, value_name = "DAYS", default_value_t = 7)]
    pub db_max_age: u64,
    /// Platform of a multi-platform image (os/arch[/variant])
    #[arg(long, value_name = "PLATFORM")]
    pub platform: Option<String>,
    /// Accept a partial result: parts of the target that cannot be read (marked `incomplete` in the
    /// report) no longer make the scan fail with exit 2
    #[arg(long)]
    pub allow_incomplete: bool,
    /// Print the time of each stage on stderr (for scripts/bench/vulndb.sh)
    #[arg(long, hide = true)]
    pub timings: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    TrivyJson,
    Sarif,
    Cyclonedx,
}

/// Packages to check and what is known about where they came from.
pub struct Collected {
    pub artifact_type: String,
    pub os: Option<OsSummary>,
    pub packages: Vec<PackageQuery>,
    pub warnings: Vec<String>,
    /// What could not be read (see `vigie_catalog::Catalog::incomplete`).
    pub incomplete: Vec<String>,
}

pub fn run(args: Args, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    let db_path = match &args.db {
        Some(path) => path.clone(),
        None => vigie_vulndb::default_path().context("cannot find a cache directory: pass --db PATH")?,
    };
    let started = std::time::Instant::now();
    let db = Database::open(&db_path)?;
    let opened = started.elapsed();
    let collected = collect(&args.target, args.platform.clone(), global)?;
    let collected_at = started.elapsed();
    let updated_at = db.updated_at()?;
    let age = (vigie_vulndb::store::now_unix() - updated_at).max(0);
    eprintln!("vigie: database {} updated {} ago", db_path.display(), human_age(age));
    if age > (args.db_max_age as i64) * 86_400 {
        eprintln!(
            "vigie: warning: the vulnerability database is {} old (limit {} days): run `vigie db update`",
            human_age(age),
            args.db_max_age
        );
    }
    let match_started = started.elapsed();
    let matched = vigie_vulndb::match_packages(&db, &collected.packages)?;
    let matched_at = started.elapsed();
    let mut policy = Policy {
        severities: args.severity.clone(),
        ignore_unfixed: args.ignore_unfixed,
        today: policy::today(),
        ..Policy::default()
    };
    let ignore_path = args
        .ignorefile
        .clone()
        .or_else(|| Some(PathBuf::from(".vigieignore")).filter(|p| p.is_file()));
    if let Some(path) = &ignore_path {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        policy.ignores = policy::parse_ignore_file(path, &text)?;
    }
    for path in &args.vex {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        policy.vex.extend(policy::parse_vex(path, &text)?);
    }
    let applied = policy.apply(matched.matches);
    let mut warnings = collected.warnings;
    warnings.extend(matched.warnings);
    let result = ScanResult {
        target: args.target.clone(),
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
        incomplete: collected.incomplete,
    };
    let text = match args.format {
        Format::Table => vigie_report::vulnerabilities::scan_table(&result),
        Format::Json => report::to_json(&result),
        Format::TrivyJson => report::to_trivy_json(&result),
        Format::Sarif => report::to_sarif(&result),
        Format::Cyclonedx => report::to_cyclonedx(&result),
    };
    crate::output::emit(&text, args.output.as_deref())?;
    if args.timings {
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
        let report = started.elapsed() - matched_at;
        eprintln!(
            "vigie: timings: collect {:.1} ms, database open {:.1} ms, match {:.1} ms, report {:.1} ms, database total {:.1} ms ({} packages)",
            ms(collected_at - opened),
            ms(opened + (match_started - collected_at)),
            ms(matched_at - match_started),
            ms(report),
            ms(opened + (match_started - collected_at) + (matched_at - match_started) + report),
            result.packages.len()
        );
    }
    for notice in &result.applied.notices {
        eprintln!("vigie: warning: {notice}");
    }
    for warning in result.warnings.iter().take(20) {
        eprintln!("vigie: warning: {warning}");
    }
    if result.warnings.len() > 20 {
        eprintln!("vigie: warning: … and {} more warnings", result.warnings.len() - 20);
    }
    if !result.incomplete.is_empty() && !args.allow_incomplete {
        anyhow::bail!(
            "incomplete scan of {}: {} part(s) could not be read (first: {}); the report above is marked incomplete — \
             pass --allow-incomplete to accept partial results",
            args.target,
            result.incomplete.len(),
            result.incomplete[0]
        );
    }
    let failing = match (args.fail_on, args.exit_code) {
        (Some(threshold), _) => result.applied.reported.iter().any(|m| m.severity.severity >= threshold),
        (None, Some(_)) => !result.applied.reported.is_empty(),
        (None, None) => false,
    };
    if !failing {
        return Ok(Outcome::Clean);
    }
    match args.exit_code {
        None | Some(1) => Ok(Outcome::Findings),
        Some(code) => Ok(Outcome::Code(code)),
    }
}

fn human_age(seconds: i64) -> String {
    match seconds {
        s if s < 120 => format!("{s} s"),
        s if s < 7_200 => format!("{} min", s / 60),
        s if s < 172_800 => format!("{} h", s / 3_600),
        s => format!("{} days", s / 86_400),
    }
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

fn sbom_kind(path: &Path) -> Option<serde_json::Value> {
    let name = path.to_string_lossy().to_ascii_lowercase();
    if !name.ends_with(".json") {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    (value.get("bomFormat").is_some() || value.get("spdxVersion").is_some()).then_some(value)
}

/// Find the packages of a target. The cataloguers (vigie-catalog over a
/// vigie-image view) do the finding; this only adapts their packages.
pub fn collect(target: &str, platform: Option<String>, global: &GlobalArgs) -> anyhow::Result<Collected> {
    let path = Path::new(target);
    if path.is_file() {
        if let Some(sbom) = sbom_kind(path) {
            return Ok(from_sbom(&sbom, target));
        }
        if is_lockfile(path) {
            return from_lockfile(path, global);
        }
    }
    let options = vigie_image::OpenOptions {
        engine: global.engine.clone(),
        platform,
    };
    let image = vigie_image::open_with(target, &options).with_context(|| format!("cannot open {target}"))?;
    let view = crate::progress::read_view(&image, vigie_catalog::view_options(), false, target)?;
    let catalog = vigie_catalog::catalog(&view);
    let artifact_type = if image.kind == vigie_image::SourceKind::Dir {
        "filesystem"
    } else {
        "container_image"
    };
    Ok(from_catalog(catalog, artifact_type))
}

fn from_lockfile(path: &Path, global: &GlobalArgs) -> anyhow::Result<Collected> {
    // The cataloguers read directories: give them one holding only this file.
    let dir = std::env::temp_dir().join(format!("vigie-scan-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    let result = (|| {
        std::fs::copy(path, dir.join(&name)).with_context(|| format!("cannot read {}", path.display()))?;
        collect(&format!("dir:{}", dir.display()), None, global)
    })();
    let _ = std::fs::remove_dir_all(&dir);
    let mut collected = result?;
    let shown = path.display().to_string();
    for package in &mut collected.packages {
        package.found_in = Some(shown.clone());
    }
    collected.artifact_type = "lockfile".to_string();
    // The temporary directory has no OS on purpose.
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
    let incomplete = catalog.incomplete;
    let mut warnings = catalog.warnings;
    let os_ecosystem = catalog.os.osv_ecosystem();
    let os = (!catalog.os.family.is_empty() && catalog.os.family != "none").then(|| OsSummary {
        family: catalog.os.family.clone(),
        version: catalog.os.version.clone(),
        ecosystem: os_ecosystem.clone(),
    });
    let mut packages = Vec::with_capacity(catalog.packages.len());
    let mut warned = false;
    for p in catalog.packages {
        let ecosystem = if p.ecosystem.is_os() {
            match &os_ecosystem {
                Some(e) => e.clone(),
                None => {
                    if !warned {
                        warned = true;
                        warnings.push(format!(
                            "no vulnerability data is keyed for {} {}: its OS packages are not matched",
                            catalog.os.family, catalog.os.version
                        ));
                    }
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
        packages.push(PackageQuery {
            ecosystem,
            name,
            version: p.version,
            source_name: p.source_name,
            source_version: p.source_version,
            purl: Some(p.purl),
            found_in: Some(p.found_in),
            layer: p.layer,
        });
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
fn from_sbom(sbom: &serde_json::Value, target: &str) -> Collected {
    let mut purls = Vec::new();
    if let Some(components) = sbom.get("components").and_then(|c| c.as_array()) {
        let mut stack: Vec<&serde_json::Value> = components.iter().collect();
        while let Some(c) = stack.pop() {
            if let Some(purl) = c.get("purl").and_then(|p| p.as_str()) {
                purls.push(purl.to_string());
            }
            if let Some(children) = c.get("components").and_then(|c| c.as_array()) {
                stack.extend(children);
            }
        }
    }
    if let Some(packages) = sbom.get("packages").and_then(|c| c.as_array()) {
        for p in packages {
            for reference in p.get("externalRefs").and_then(|r| r.as_array()).into_iter().flatten() {
                if reference.get("referenceType").and_then(|t| t.as_str()) == Some("purl")
                    && let Some(locator) = reference.get("referenceLocator").and_then(|l| l.as_str())
                {
                    purls.push(locator.to_string());
                }
            }
        }
    }
    let mut warnings = Vec::new();
    let mut packages = Vec::new();
    let mut os = None;
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
            None => warnings.push(format!("{purl}: no vulnerability ecosystem for this package url")),
        }
    }
    // A CycloneDX SBOM that vigie marked incomplete stays incomplete.
    let incomplete = match vigie_catalog::sbom::incomplete_marks(sbom) {
        None => Vec::new(),
        Some(reasons) if reasons.is_empty() => {
            vec![format!("{target}: the SBOM is marked incomplete (vigie:incomplete)")]
        }
        Some(reasons) => reasons.iter().map(|r| format!("{target}: {r}")).collect(),
    };
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
        "deb" | "apk" => {
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
    let source_name = qualifier("upstream").map(|u| u.split('@').next().unwrap_or(&u).to_string());
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
}
