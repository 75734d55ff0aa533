//! Scan results as text: vigie's own JSON (versioned), Trivy's JSON
//! (SchemaVersion 2), SARIF 2.1.0 and CycloneDX 1.5 with vulnerabilities
//! (the table is in [`crate::vulnerabilities`]). Formatting only: the binary
//! writes the string.

use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use vigie_snapshot::scan::{FixStatus, PackageQuery, SCAN_SCHEMA, ScanResult, VulnMatch};
use vigie_snapshot::severity::{Severity, Suppression};

#[derive(Serialize)]
struct Suppressed<'a> {
    #[serde(flatten)]
    finding: &'a VulnMatch,
    suppressed: &'a Suppression,
}

/// Findings per severity name (every severity present, zero included).
pub fn counts(matches: &[VulnMatch]) -> BTreeMap<&'static str, usize> {
    let mut out = BTreeMap::new();
    for s in Severity::RATINGS {
        out.insert(
            s.as_upper(),
            matches.iter().filter(|m| m.severity.severity == s).count(),
        );
    }
    out
}

pub fn to_json(result: &ScanResult) -> String {
    let suppressed: Vec<Suppressed> = result
        .applied
        .suppressed
        .iter()
        .map(|(finding, suppressed)| Suppressed { finding, suppressed })
        .collect();
    let value = json!({
        "schema": SCAN_SCHEMA,
        "target": result.target,
        "artifact_type": result.artifact_type,
        "os": result.os,
        "database": result.database,
        "packages_checked": result.packages.len(),
        "packages": result.packages.iter().map(|p| json!({
            "name": p.name, "version": p.version, "ecosystem": p.ecosystem, "purl": p.purl, "found_in": p.found_in,
        })).collect::<Vec<_>>(),
        "summary": counts(&result.applied.reported),
        "vulnerabilities": result.applied.reported,
        "suppressed": suppressed,
        "filtered": result.applied.filtered,
        "notices": result.applied.notices,
        "warnings": result.warnings,
        "incomplete": !result.incomplete.is_empty(),
        "incomplete_reasons": result.incomplete,
        "coverage": result.coverage,
    });
    serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
}

fn trivy_type(ecosystem: &str) -> (&'static str, &'static str) {
    // The OSV ecosystem without its release (`Debian:11` → `Debian`).
    match ecosystem.split(':').next().unwrap_or(ecosystem) {
        "Debian" => ("os-pkgs", "debian"),
        "Ubuntu" => ("os-pkgs", "ubuntu"),
        "Alpine" => ("os-pkgs", "alpine"),
        "PyPI" => ("lang-pkgs", "python-pkg"),
        "crates.io" => ("lang-pkgs", "cargo"),
        "npm" => ("lang-pkgs", "node-pkg"),
        "Go" => ("lang-pkgs", "gobinary"),
        "Maven" => ("lang-pkgs", "jar"),
        _ => ("lang-pkgs", "unknown"),
    }
}

/// The Result a package belongs to, as Trivy groups them: (target, class, type).
fn trivy_group(result: &ScanResult, p: &PackageQuery) -> (String, &'static str, &'static str) {
    let (class, kind) = trivy_type(&p.ecosystem);
    let target = if class == "os-pkgs" {
        match &result.os {
            Some(os) => format!("{} ({} {})", result.target, os.family, os.version),
            None => result.target.clone(),
        }
    } else {
        p.found_in.clone().unwrap_or_else(|| result.target.clone())
    };
    (target, class, kind)
}

/// Trivy's package id, `name@version`, shared by a package and its findings.
fn trivy_pkg_id(p: &PackageQuery) -> String {
    format!("{}@{}", p.name, p.version)
}

/// A package as Trivy lists it (`--list-all-pkgs`): what its CycloneDX and
/// SPDX conversions link vulnerabilities to.
fn trivy_package(p: &PackageQuery) -> Value {
    let mut package = json!({
        "ID": trivy_pkg_id(p),
        "Name": p.name,
        "Version": p.version,
    });
    if let Some(purl) = &p.purl {
        package["Identifier"] = json!({ "PURL": purl });
    }
    if let Some(source) = &p.source_name {
        package["SrcName"] = json!(source);
        package["SrcVersion"] = json!(p.source_version.clone().unwrap_or_else(|| p.version.clone()));
    }
    if let Some(layer) = &p.layer {
        package["Layer"] = json!({ "DiffID": layer });
    }
    if trivy_type(&p.ecosystem).0 != "os-pkgs"
        && let Some(path) = &p.found_in
    {
        package["FilePath"] = json!(path.trim_start_matches('/'));
    }
    package
}

pub fn to_trivy_json(result: &ScanResult) -> String {
    // One Result per (class, type, file), as Trivy groups them: its packages
    // and its vulnerabilities. Every place with packages has its Result, found
    // vulnerabilities or not (the OS one included: Trivy's readers tell
    // "scanned, clean" from "not scanned" by it).
    type Group = (Vec<Value>, Vec<Value>);
    let mut groups: BTreeMap<(String, &'static str, &'static str), Group> = BTreeMap::new();
    for p in &result.packages {
        groups
            .entry(trivy_group(result, p))
            .or_default()
            .0
            .push(trivy_package(p));
    }
    for m in &result.applied.reported {
        let (target, class, kind) = trivy_group(result, &m.package);
        let mut vulnerability = json!({
            "VulnerabilityID": m.id,
            "VendorIDs": m.aliases,
            "PkgName": m.package.name,
            "InstalledVersion": m.package.version,
            "FixedVersion": m.fixed_versions.join(", "),
            "Status": match m.fix_status { FixStatus::Fixed => "fixed", FixStatus::Affected => "affected" },
            "SeveritySource": m.severity.source,
            "PrimaryURL": m.references.first().cloned().unwrap_or_default(),
            "Title": m.title.clone().unwrap_or_default(),
            "Description": m.description.clone().or_else(|| m.title.clone()).unwrap_or_default(),
            "Severity": m.severity.severity.as_upper(),
            "References": m.references,
            "PkgID": trivy_pkg_id(&m.package),
        });
        if let Some(record) = m.records.first() {
            vulnerability["DataSource"] = json!({ "ID": record.source, "Name": record.source });
            if let Some(modified) = &record.modified {
                vulnerability["LastModifiedDate"] = json!(modified);
            }
        }
        if let Some(published) = &m.published {
            vulnerability["PublishedDate"] = json!(published);
        }
        if class != "os-pkgs"
            && let Some(path) = &m.package.found_in
        {
            vulnerability["PkgPath"] = json!(path.trim_start_matches('/'));
        }
        if let Some(purl) = &m.package.purl {
            vulnerability["PkgIdentifier"] = json!({ "PURL": purl });
        }
        if let Some(layer) = &m.package.layer {
            vulnerability["Layer"] = json!({ "DiffID": layer });
        }
        if let (Some(vector), Some(score)) = (&m.severity.vector, m.severity.score) {
            let key = if vector.starts_with("CVSS:4") {
                "V40Vector"
            } else {
                "V3Vector"
            };
            let score_key = if vector.starts_with("CVSS:4") {
                "V40Score"
            } else {
                "V3Score"
            };
            vulnerability["CVSS"] = json!({ "vigie": { key: vector, score_key: score } });
        }
        groups.entry((target, class, kind)).or_default().1.push(vulnerability);
    }
    let results: Vec<Value> = groups
        .into_iter()
        .map(|((target, class, kind), (listed, vulnerabilities))| {
            json!({ "Target": target, "Class": class, "Type": kind, "Packages": listed, "Vulnerabilities": vulnerabilities })
        })
        .collect();
    let mut metadata = json!({});
    if let Some(os) = &result.os {
        metadata["OS"] = json!({ "Family": os.family, "Name": os.version });
    }
    let mut value = json!({
        "SchemaVersion": 2,
        "CreatedAt": crate::time::rfc3339_seconds(jiff::Timestamp::now()),
        "ArtifactName": result.target,
        "ArtifactType": result.artifact_type,
        "Metadata": metadata,
        "Results": results,
    });
    // Trivy's format has no place for "not looked at": vigie's own keys,
    // which Trivy's readers skip, say it rather than nothing.
    if !result.incomplete.is_empty() {
        value["VigieIncomplete"] = json!(result.incomplete);
    }
    if !result.applied.notices.is_empty() {
        value["VigieNotices"] = json!(result.applied.notices);
    }
    serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
}

fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info | Severity::Unknown => "note",
    }
}

fn security_severity(m: &VulnMatch) -> String {
    let score = m.severity.score.unwrap_or(match m.severity.severity {
        Severity::Critical => 9.5,
        Severity::High => 8.0,
        Severity::Medium => 5.5,
        Severity::Low => 2.0,
        Severity::Info | Severity::Unknown => 0.0,
    });
    format!("{score:.1}")
}

/// Where a package was found, as a SARIF artifact URI: inside an image
/// `image/REFERENCE/PATH`, a lockfile or SBOM its path, a root filesystem
/// directory the file under it.
fn scan_uri(result: &ScanResult, found_in: Option<&str>) -> String {
    use crate::sarif::{artifact_uri, file_uri};
    let found = found_in.map(|f| f.trim_start_matches('/')).filter(|f| !f.is_empty());
    match result.artifact_type.as_str() {
        "container_image" => match found {
            Some(path) => artifact_uri("image", &format!("{}/{path}", result.target)),
            None => artifact_uri("image", &result.target),
        },
        "filesystem" => {
            let root = result.target.strip_prefix("dir:").unwrap_or(&result.target);
            match found {
                Some(path) => file_uri(&format!("{}/{path}", root.trim_end_matches('/'))),
                None => file_uri(root),
            }
        }
        _ => file_uri(found_in.unwrap_or(&result.target)),
    }
}

/// SARIF through the one writer (`crate::sarif`): one rule per advisory
/// reported, one result per affected package, located at the file the
/// package was found in.
pub fn to_sarif(result: &ScanResult) -> String {
    use crate::sarif::{
        ArtifactLocation, Descriptor, Help, Location, Log, PhysicalLocation, Region, SarifResult, Text,
    };
    let mut rules: BTreeMap<String, Descriptor> = BTreeMap::new();
    let mut results = Vec::new();
    for m in &result.applied.reported {
        rules.entry(m.id.to_string()).or_insert_with(|| {
            let properties = match json!({
                "security-severity": security_severity(m),
                "tags": ["vulnerability", "security", m.severity.severity.as_upper()],
            }) {
                Value::Object(map) => map,
                _ => serde_json::Map::new(),
            };
            Descriptor {
                id: m.id.to_string(),
                name: "OsPackageVulnerability".to_string(),
                short_description: Text::new(m.title.clone().unwrap_or_else(|| m.id.clone()).to_string()),
                full_description: m.description.as_ref().map(|d| Text::new(d.to_string())),
                help_uri_first: m.references.first().map(|r| r.to_string()).filter(|r| !r.is_empty()),
                help: Help {
                    text: format!("{} ({})", m.id, m.aliases.join(", ")),
                    markdown: None,
                },
                help_uri: None,
                default_configuration: None,
                properties,
            }
        });
        let fixed = if m.fixed_versions.is_empty() {
            "no fixed version yet".to_string()
        } else {
            format!("fixed in {}", crate::vulnerabilities::fixed_text(m))
        };
        let uri = scan_uri(result, m.package.found_in.as_deref());
        results.push(SarifResult {
            rule_id: m.id.to_string(),
            rule_index_first: None,
            level: sarif_level(m.severity.severity),
            message: Text::new(format!(
                "{} {} is affected by {} ({}); {fixed}",
                m.package.name,
                m.package.version,
                m.id,
                m.severity.severity.as_upper()
            )),
            locations: vec![Location {
                physical: Some(PhysicalLocation {
                    artifact: ArtifactLocation { uri },
                    region: Region::line(1),
                }),
                logical: Vec::new(),
            }],
            partial_fingerprints: None,
            properties: serde_json::Map::new(),
            rule_index: None,
            fixes: Vec::new(),
            suppressions: Vec::new(),
        });
    }
    let log = Log::new(
        env!("CARGO_PKG_VERSION"),
        false,
        None,
        rules.into_values().collect(),
        results,
    )
    .version_first()
    .incomplete_because(&result.incomplete);
    crate::sarif::write(&log).unwrap_or_default()
}

fn bom_ref(p: &PackageQuery) -> String {
    p.purl
        .clone()
        .unwrap_or_else(|| format!("{}/{}@{}", p.ecosystem, p.name, p.version))
}

pub fn to_cyclonedx(result: &ScanResult) -> String {
    let mut components: BTreeMap<String, Value> = BTreeMap::new();
    // A package found at several paths is one component with several
    // occurrences (CycloneDX wants each bom-ref, and each affects entry, once).
    for p in &result.packages {
        let reference = bom_ref(p);
        let component = components.entry(reference.clone()).or_insert_with(|| {
            let mut c = json!({ "bom-ref": reference, "type": "library", "name": p.name, "version": p.version });
            if let Some(purl) = &p.purl {
                c["purl"] = json!(purl);
            }
            c
        });
        if let Some(path) = &p.found_in {
            let occurrence = json!({ "location": path });
            match component["evidence"]["occurrences"].as_array_mut() {
                Some(list) if list.contains(&occurrence) => {}
                Some(list) => list.push(occurrence),
                None => component["evidence"] = json!({ "occurrences": [occurrence] }),
            }
        }
    }
    let mut vulnerabilities: BTreeMap<String, Value> = BTreeMap::new();
    for m in &result.applied.reported {
        let entry = vulnerabilities.entry(m.id.to_string()).or_insert_with(|| {
            let mut rating = json!({ "severity": m.severity.severity.as_upper().to_ascii_lowercase(), "source": { "name": m.severity.source } });
            if let (Some(vector), Some(score)) = (&m.severity.vector, m.severity.score) {
                rating["score"] = json!(score);
                rating["vector"] = json!(vector);
                rating["method"] = json!(if vector.starts_with("CVSS:4") { "CVSSv4" } else if vector.starts_with("CVSS:3.0") { "CVSSv3" } else { "CVSSv31" });
            }
            json!({
                "bom-ref": format!("vuln-{}", m.id),
                "id": m.id,
                "source": { "name": m.records.first().map(|r| r.source.clone()).unwrap_or_default() },
                "references": m.aliases.iter().map(|a| json!({ "id": a, "source": { "name": "alias" } })).collect::<Vec<_>>(),
                "ratings": [rating],
                "description": m.title.clone().unwrap_or_default(),
                "detail": m.description.clone().unwrap_or_default(),
                "advisories": m.references.iter().take(5).map(|u| json!({ "url": u })).collect::<Vec<_>>(),
                "affects": [],
            })
        });
        let status = if m.fixed_versions.is_empty() {
            "affected".to_string()
        } else {
            format!("affected (fixed in {})", crate::vulnerabilities::fixed_text(m))
        };
        if let Some(affects) = entry["affects"].as_array_mut() {
            let reference = bom_ref(&m.package);
            if !affects.iter().any(|a| a["ref"] == reference.as_str()) {
                affects.push(
                    json!({ "ref": reference, "versions": [{ "version": m.package.version, "status": "affected" }] }),
                );
            }
        }
        if entry.get("recommendation").is_none() && !m.fixed_versions.is_empty() {
            entry["recommendation"] = json!(format!("upgrade {}: {status}", m.package.name));
        }
    }
    let value = json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": format!("urn:uuid:{}", crate::sbom::fresh_uuid()),
        "version": 1,
        "metadata": {
            "tools": [{ "vendor": "vigie", "name": "vigie", "version": env!("CARGO_PKG_VERSION") }],
            "component": { "bom-ref": "target", "type": if result.artifact_type == "container_image" { "container" } else { "application" }, "name": result.target },
            "properties": cyclonedx_properties(result),
        },
        "components": components.into_values().collect::<Vec<_>>(),
        "vulnerabilities": vulnerabilities.into_values().collect::<Vec<_>>(),
    });
    serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
}

/// `metadata.properties`: what was not looked at, and what the database
/// holds per ecosystem (CycloneDX has no field for either).
fn cyclonedx_properties(result: &ScanResult) -> Vec<Value> {
    let mut out = vec![json!({ "name": "vigie:incomplete", "value": (!result.incomplete.is_empty()).to_string() })];
    for reason in &result.incomplete {
        out.push(json!({ "name": "vigie:incomplete:reason", "value": reason }));
    }
    for notice in &result.applied.notices {
        out.push(json!({ "name": "vigie:notice", "value": notice }));
    }
    for c in &result.coverage {
        out.push(json!({
            "name": format!("vigie:coverage:{}", c.ecosystem),
            "value": format!("{} packages, {} advisories", c.packages, c.records),
        }));
    }
    out
}
