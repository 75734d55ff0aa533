//! `vigie diff A.json B.json`: two scan reports (vigie JSON, Trivy JSON
//! SchemaVersion 2, Grype JSON) compared finding by finding, with the reason
//! for each difference when the reports let it be derived.

use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportFormat {
    Vigie,
    Trivy,
    Grype,
}

/// One finding, in the shape shared by the three formats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub package: String,
    pub version: String,
    pub id: String,
    /// Aliases and related ids the report gives for the finding.
    pub aliases: BTreeSet<String>,
    pub fixed: Vec<String>,
    pub severity: String,
}

impl Entry {
    fn ids(&self) -> BTreeSet<&str> {
        let mut ids: BTreeSet<&str> = self.aliases.iter().map(String::as_str).collect();
        ids.insert(&self.id);
        ids
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub format: ReportFormat,
    pub entries: Vec<Entry>,
    /// Package name → versions, when the report lists its packages.
    pub packages: Option<BTreeMap<String, BTreeSet<String>>>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiffError {
    #[error("{name}: invalid json: {message}")]
    Json { name: String, message: String },
    #[error("{name}: not a vigie, trivy (SchemaVersion 2) or grype report")]
    Unknown { name: String },
}

fn text(value: &Value, key: &str) -> String {
    value.get(key).and_then(Value::as_str).unwrap_or_default().to_string()
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default()
}

pub fn parse(name: &str, bytes: &[u8]) -> Result<Report, DiffError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| DiffError::Json {
        name: name.to_string(),
        message: e.to_string(),
    })?;
    if value
        .get("schema")
        .and_then(Value::as_str)
        .is_some_and(|s| s.starts_with("vigie.scan/"))
    {
        return Ok(parse_vigie(&value));
    }
    if value.get("SchemaVersion").and_then(Value::as_i64) == Some(2) {
        return Ok(parse_trivy(&value));
    }
    if value.get("matches").is_some_and(Value::is_array) {
        return Ok(parse_grype(&value));
    }
    Err(DiffError::Unknown { name: name.to_string() })
}

fn parse_vigie(value: &Value) -> Report {
    let mut entries = Vec::new();
    for v in value
        .get("vulnerabilities")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let package = v.get("package").cloned().unwrap_or_default();
        let mut aliases: BTreeSet<String> = strings(v.get("aliases")).into_iter().collect();
        aliases.extend(strings(v.get("related")));
        entries.push(Entry {
            package: text(&package, "name"),
            version: text(&package, "version"),
            id: text(v, "id"),
            aliases,
            fixed: strings(v.get("fixed_versions")),
            severity: v
                .get("severity")
                .map(|s| text(s, "severity"))
                .unwrap_or_default()
                .to_ascii_uppercase(),
        });
    }
    let packages = value.get("packages").and_then(Value::as_array).map(|list| {
        let mut map: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for p in list {
            map.entry(text(p, "name")).or_default().insert(text(p, "version"));
        }
        map
    });
    Report {
        format: ReportFormat::Vigie,
        entries,
        packages,
    }
}

fn parse_trivy(value: &Value) -> Report {
    let mut entries = Vec::new();
    let mut packages: Option<BTreeMap<String, BTreeSet<String>>> = None;
    for result in value.get("Results").and_then(Value::as_array).into_iter().flatten() {
        for v in result
            .get("Vulnerabilities")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let fixed = text(v, "FixedVersion");
            entries.push(Entry {
                package: text(v, "PkgName"),
                version: text(v, "InstalledVersion"),
                id: text(v, "VulnerabilityID"),
                aliases: strings(v.get("VendorIDs")).into_iter().collect(),
                fixed: fixed
                    .split(',')
                    .map(str::trim)
                    .filter(|f| !f.is_empty())
                    .map(str::to_string)
                    .collect(),
                severity: text(v, "Severity").to_ascii_uppercase(),
            });
        }
        if let Some(list) = result.get("Packages").and_then(Value::as_array) {
            let map = packages.get_or_insert_with(BTreeMap::new);
            for p in list {
                map.entry(text(p, "Name")).or_default().insert(text(p, "Version"));
            }
        }
    }
    Report {
        format: ReportFormat::Trivy,
        entries,
        packages,
    }
}

fn parse_grype(value: &Value) -> Report {
    let mut entries = Vec::new();
    for m in value.get("matches").and_then(Value::as_array).into_iter().flatten() {
        let vulnerability = m.get("vulnerability").cloned().unwrap_or_default();
        let artifact = m.get("artifact").cloned().unwrap_or_default();
        let aliases = m
            .get("relatedVulnerabilities")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|r| text(r, "id"))
            .filter(|id| !id.is_empty())
            .collect();
        entries.push(Entry {
            package: text(&artifact, "name"),
            version: text(&artifact, "version"),
            id: text(&vulnerability, "id"),
            aliases,
            fixed: strings(vulnerability.get("fix").and_then(|f| f.get("versions"))),
            severity: text(&vulnerability, "severity").to_ascii_uppercase(),
        });
    }
    Report {
        format: ReportFormat::Grype,
        entries,
        packages: None,
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Both {
    pub a: Entry,
    pub b: Entry,
    /// Disagreements between the two (empty when they agree).
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OnlyOne {
    pub entry: Entry,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    pub a_format: ReportFormat,
    pub b_format: ReportFormat,
    pub both: Vec<Both>,
    pub only_a: Vec<OnlyOne>,
    pub only_b: Vec<OnlyOne>,
}

fn reason(entry: &Entry, other: &Report, other_name: &str) -> String {
    let key = entry.package.to_ascii_lowercase();
    let same_package: Vec<&Entry> = other
        .entries
        .iter()
        .filter(|e| e.package.to_ascii_lowercase() == key)
        .collect();
    if let Some(packages) = &other.packages {
        match packages.iter().find(|(name, _)| name.to_ascii_lowercase() == key) {
            None => return format!("package not seen by {other_name}"),
            Some((_, versions)) if !versions.contains(&entry.version) => {
                return format!(
                    "different installed version: {other_name} saw {}",
                    versions.iter().cloned().collect::<Vec<_>>().join(", ")
                );
            }
            _ => {}
        }
    }
    if let Some(e) = same_package.iter().find(|e| e.version != entry.version) {
        return format!("different installed version: {other_name} saw {}", e.version);
    }
    if same_package.is_empty() {
        if other.packages.is_some() {
            return format!("different data: {other_name} saw the package and reports no vulnerability for it");
        }
        return format!("{other_name} reports nothing for this package (not seen, or no data for it)");
    }
    format!("different data: {other_name} has other vulnerabilities for this package but not this one")
}

pub fn compare(a: &Report, b: &Report, a_name: &str, b_name: &str) -> Diff {
    let mut used_b = vec![false; b.entries.len()];
    let mut both = Vec::new();
    let mut only_a = Vec::new();
    for ea in &a.entries {
        let ids = ea.ids();
        let key = ea.package.to_ascii_lowercase();
        let found = b.entries.iter().enumerate().find(|(i, eb)| {
            !used_b[*i] && eb.package.to_ascii_lowercase() == key && eb.ids().iter().any(|id| ids.contains(id))
        });
        match found {
            Some((i, eb)) => {
                used_b[i] = true;
                let mut notes = Vec::new();
                if ea.id != eb.id {
                    notes.push(format!(
                        "alias of the same vulnerability: {a_name} {} = {b_name} {}",
                        ea.id, eb.id
                    ));
                }
                if ea.version != eb.version {
                    notes.push(format!("different installed version: {} vs {}", ea.version, eb.version));
                }
                let fa: BTreeSet<&String> = ea.fixed.iter().collect();
                let fb: BTreeSet<&String> = eb.fixed.iter().collect();
                if fa != fb {
                    notes.push(format!(
                        "different fixed version: {} vs {}",
                        if ea.fixed.is_empty() {
                            "none".to_string()
                        } else {
                            ea.fixed.join(", ")
                        },
                        if eb.fixed.is_empty() {
                            "none".to_string()
                        } else {
                            eb.fixed.join(", ")
                        }
                    ));
                }
                if !ea.severity.eq_ignore_ascii_case(&eb.severity) {
                    notes.push(format!("severity disagreement: {} vs {}", ea.severity, eb.severity));
                }
                both.push(Both {
                    a: ea.clone(),
                    b: eb.clone(),
                    notes,
                });
            }
            None => only_a.push(OnlyOne {
                entry: ea.clone(),
                reason: reason(ea, b, b_name),
            }),
        }
    }
    let only_b = b
        .entries
        .iter()
        .enumerate()
        .filter(|(i, _)| !used_b[*i])
        .map(|(_, eb)| OnlyOne {
            entry: eb.clone(),
            reason: reason(eb, a, a_name),
        })
        .collect();
    Diff {
        a_format: a.format,
        b_format: b.format,
        both,
        only_a,
        only_b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VIGIE: &str = r#"{"schema":"vigie.scan/v1","packages":[{"name":"openssl","version":"1.1.1c-r0"},{"name":"musl","version":"1.1.22-r3"}],
      "vulnerabilities":[
        {"id":"CVE-1","aliases":["GHSA-1"],"package":{"name":"openssl","version":"1.1.1c-r0"},"fixed_versions":["1.1.1d-r0"],"severity":{"severity":"HIGH"}},
        {"id":"CVE-2","aliases":[],"package":{"name":"openssl","version":"1.1.1c-r0"},"fixed_versions":["1.1.1d-r0"],"severity":{"severity":"MEDIUM"}},
        {"id":"CVE-3","aliases":[],"package":{"name":"musl","version":"1.1.22-r3"},"fixed_versions":[],"severity":{"severity":"LOW"}}]}"#;
    const TRIVY: &str = r#"{"SchemaVersion":2,"Results":[{"Target":"x","Vulnerabilities":[
        {"VulnerabilityID":"GHSA-1","PkgName":"openssl","InstalledVersion":"1.1.1c-r0","FixedVersion":"1.1.1e-r0","Severity":"CRITICAL"},
        {"VulnerabilityID":"CVE-9","PkgName":"busybox","InstalledVersion":"1.30.1-r2","FixedVersion":"","Severity":"LOW"}]}]}"#;
    const GRYPE: &str = r#"{"matches":[{"vulnerability":{"id":"CVE-2","severity":"Medium","fix":{"versions":["1.1.1d-r0"]}},
        "relatedVulnerabilities":[],"artifact":{"name":"openssl","version":"1.1.1c-r0"}}]}"#;

    #[test]
    fn compares_with_reasons() {
        let a = parse("a", VIGIE.as_bytes()).unwrap();
        let b = parse("b", TRIVY.as_bytes()).unwrap();
        let diff = compare(&a, &b, "A", "B");
        assert_eq!(diff.both.len(), 1);
        let notes = diff.both[0].notes.join("|");
        assert!(
            notes.contains("alias") && notes.contains("fixed") && notes.contains("severity"),
            "{notes}"
        );
        assert_eq!(diff.only_a.len(), 2);
        assert!(
            diff.only_a
                .iter()
                .any(|o| o.entry.id == "CVE-2" && o.reason.contains("different data"))
        );
        assert!(
            diff.only_a
                .iter()
                .any(|o| o.entry.id == "CVE-3" && o.reason.contains("reports nothing"))
        );
        assert_eq!(diff.only_b.len(), 1);
        assert_eq!(diff.only_b[0].reason, "package not seen by A");
        let g = parse("g", GRYPE.as_bytes()).unwrap();
        assert_eq!(g.format, ReportFormat::Grype);
        let diff = compare(&g, &a, "G", "A");
        assert_eq!(diff.both.len(), 1);
        assert!(diff.both[0].notes.is_empty());
        assert!(parse("x", b"{}").is_err());
        assert!(parse("x", b"[").is_err());
    }
}
