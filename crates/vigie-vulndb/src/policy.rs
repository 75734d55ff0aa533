//! What to report and what fails a build: severity filters, `--ignore-unfixed`,
//! the `.vigieignore` file (YAML, with expiry dates) and OpenVEX statements.
//! Suppressed matches are kept with the reason, never silently dropped.

use crate::matcher::{FixStatus, VulnMatch};
use crate::severity::Severity;
use serde::{Deserialize, Serialize};
use std::path::Path;

pub use vigie_snapshot::scan::Applied;
pub use vigie_snapshot::severity::Suppression;

/// One `.vigieignore` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IgnoreEntry {
    pub id: String,
    #[serde(default)]
    pub package: Option<String>,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
    /// `YYYY-MM-DD`; from that day on the entry no longer suppresses.
    #[serde(default)]
    pub expires: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum IgnoreFile {
    List(Vec<IgnoreEntry>),
    Map { ignore: Vec<IgnoreEntry> },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("cannot read {path}: {message}")]
    Read { path: String, message: String },
    #[error("invalid ignore file {path}: {message}")]
    Ignore { path: String, message: String },
    #[error("invalid ignore file {path}: entry {id} has expiry '{value}', expected YYYY-MM-DD")]
    Expiry { path: String, id: String, value: String },
    #[error("invalid openvex document {path}: {message}")]
    Vex { path: String, message: String },
}

pub fn parse_ignore_file(path: &Path, text: &str) -> Result<Vec<IgnoreEntry>, PolicyError> {
    let display = path.display().to_string();
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let parsed: IgnoreFile = serde_saphyr::from_str(text).map_err(|e| PolicyError::Ignore {
        path: display.clone(),
        message: e.to_string().lines().next().unwrap_or_default().to_string(),
    })?;
    let entries = match parsed {
        IgnoreFile::List(entries) | IgnoreFile::Map { ignore: entries } => entries,
    };
    for entry in &entries {
        if let Some(expires) = &entry.expires
            && parse_date(expires).is_none()
        {
            return Err(PolicyError::Expiry {
                path: display.clone(),
                id: entry.id.clone(),
                value: expires.clone(),
            });
        }
    }
    Ok(entries)
}

/// `YYYY-MM-DD` (a real calendar day; anything after the date, such as a
/// time, is ignored) → days since 1970-01-01.
pub fn parse_date(text: &str) -> Option<i64> {
    let date: jiff::civil::Date = text.trim().get(..10)?.parse().ok()?;
    let days = date.since(jiff::civil::date(1970, 1, 1)).ok()?.get_days();
    Some(i64::from(days))
}

pub fn today() -> i64 {
    crate::store::now_unix().div_euclid(86_400)
}

/// One OpenVEX statement reduced to what suppression needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VexStatement {
    pub vulnerability: Vec<String>,
    pub products: Vec<String>,
    pub status: String,
    pub justification: Option<String>,
    pub impact: Option<String>,
}

fn strings_of(value: &serde_json::Value, keys: &[&str]) -> Vec<String> {
    match value {
        serde_json::Value::String(s) => vec![s.clone()],
        serde_json::Value::Object(map) => keys
            .iter()
            .filter_map(|k| map.get(*k))
            .flat_map(|v| strings_of(v, keys))
            .collect(),
        serde_json::Value::Array(items) => items.iter().flat_map(|v| strings_of(v, keys)).collect(),
        _ => Vec::new(),
    }
}

pub fn parse_vex(path: &Path, text: &str) -> Result<Vec<VexStatement>, PolicyError> {
    let display = path.display().to_string();
    let document: serde_json::Value = serde_json::from_str(text).map_err(|e| PolicyError::Vex {
        path: display.clone(),
        message: e.to_string(),
    })?;
    let statements = document
        .get("statements")
        .and_then(|s| s.as_array())
        .ok_or_else(|| PolicyError::Vex {
            path: display.clone(),
            message: "no statements array".to_string(),
        })?;
    let mut out = Vec::new();
    for statement in statements {
        let vulnerability = statement
            .get("vulnerability")
            .map(|v| strings_of(v, &["name", "@id", "aliases"]))
            .unwrap_or_default();
        let mut products = Vec::new();
        if let Some(list) = statement.get("products") {
            products.extend(strings_of(list, &["@id", "subcomponents"]));
        }
        let text = |key: &str| statement.get(key).and_then(|v| v.as_str()).map(str::to_string);
        out.push(VexStatement {
            vulnerability,
            products,
            status: text("status").unwrap_or_default(),
            justification: text("justification"),
            impact: text("impact_statement"),
        });
    }
    Ok(out)
}

/// A purl without its version, qualifiers and subpath, lower-cased.
fn purl_base(purl: &str) -> String {
    let cut = purl.split(['?', '#']).next().unwrap_or(purl);
    let cut = match cut.rfind('@') {
        Some(at) if at > cut.find('/').unwrap_or(0) => &cut[..at],
        _ => cut,
    };
    cut.to_ascii_lowercase()
}

fn vex_applies(statement: &VexStatement, m: &VulnMatch) -> bool {
    let ids_match = statement
        .vulnerability
        .iter()
        .any(|v| *v == m.id || m.aliases.iter().any(|a| a == v));
    if !ids_match {
        return false;
    }
    let package_products: Vec<&String> = statement
        .products
        .iter()
        .filter(|p| p.starts_with("pkg:") && !p.starts_with("pkg:oci") && !p.starts_with("pkg:docker"))
        .collect();
    if package_products.is_empty() {
        // The statement is about the whole image or product: it covers every package in it.
        return true;
    }
    let Some(purl) = &m.package.purl else {
        return package_products.iter().any(|p| {
            let base = purl_base(p);
            base.rsplit('/').next() == Some(m.package.name.to_ascii_lowercase().as_str())
        });
    };
    package_products.iter().any(|p| {
        if p.contains('@') {
            purl_base(p) == purl_base(purl) && p.split(['?', '#']).next() == purl.split(['?', '#']).next()
        } else {
            purl_base(p) == purl_base(purl)
        }
    })
}

/// Filters and suppressions for one scan.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Report only these severities (empty: all).
    pub severities: Vec<Severity>,
    pub ignore_unfixed: bool,
    pub ignores: Vec<IgnoreEntry>,
    pub vex: Vec<VexStatement>,
    /// Days since the epoch; entries expiring on or before it lapse.
    pub today: i64,
}

impl Policy {
    pub fn apply(&self, matches: Vec<VulnMatch>) -> Applied {
        let mut applied = Applied::default();
        for entry in &self.ignores {
            if let Some(expires) = &entry.expires
                && parse_date(expires).is_some_and(|d| d <= self.today)
            {
                applied.notices.push(format!(
                    "ignore entry {} expired on {expires}: it no longer suppresses",
                    entry.id
                ));
            }
        }
        for m in matches {
            if (!self.severities.is_empty() && !self.severities.contains(&m.severity.severity))
                || (self.ignore_unfixed && m.fix_status == FixStatus::Affected)
            {
                applied.filtered += 1;
                continue;
            }
            if let Some(s) = self.ignored(&m) {
                applied.suppressed.push((m, s));
                continue;
            }
            if let Some(statement) = self.vex.iter().find(|s| vex_applies(s, &m)) {
                let reason = [statement.justification.clone(), statement.impact.clone()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(": ");
                applied.suppressed.push((
                    m,
                    Suppression {
                        by: "vex".to_string(),
                        reason: format!(
                            "{}{}{reason}",
                            statement.status,
                            if reason.is_empty() { "" } else { ": " }
                        ),
                        expires: None,
                    },
                ));
                continue;
            }
            applied.reported.push(m);
        }
        applied
    }

    fn ignored(&self, m: &VulnMatch) -> Option<Suppression> {
        self.ignores.iter().find_map(|entry| {
            let id_matches = entry.id == m.id || m.aliases.iter().any(|a| *a == entry.id);
            let package_matches = entry
                .package
                .as_ref()
                .is_none_or(|p| *p == m.package.name || Some(p) == m.package.source_name.as_ref());
            let path_matches = entry
                .path
                .as_ref()
                .is_none_or(|p| m.package.found_in.as_deref().is_some_and(|f| f.starts_with(p.as_str())));
            let live = entry
                .expires
                .as_ref()
                .is_none_or(|e| parse_date(e).is_some_and(|d| d > self.today));
            (id_matches && package_matches && path_matches && live).then(|| Suppression {
                by: "ignore-file".to_string(),
                reason: entry
                    .reason
                    .clone()
                    .unwrap_or_else(|| "listed in the ignore file".to_string()),
                expires: entry.expires.clone(),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matcher::PackageQuery;
    use crate::severity::Rated;

    fn sample(id: &str, severity: Severity, fixed: bool) -> VulnMatch {
        VulnMatch {
            id: id.into(),
            aliases: vec!["GHSA-1".into()],
            related: vec![],
            package: std::sync::Arc::new(PackageQuery {
                ecosystem: "PyPI".into(),
                name: "django".into(),
                version: "1.0".into(),
                purl: Some("pkg:pypi/django@1.0".into()),
                found_in: Some("/app/requirements.txt".into()),
                ..PackageQuery::default()
            }),
            installed_version: "1.0".into(),
            fixed_versions: if fixed { vec!["1.1".into()] } else { vec![] },
            fix_status: if fixed { FixStatus::Fixed } else { FixStatus::Affected },
            fix_requires: None,
            severity: Rated {
                severity,
                source: "none".into(),
                score: None,
                vector: None,
            },
            title: None,
            description: None,
            published: None,
            references: vec![],
            records: vec![],
        }
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2000-03-01"), Some(11_017));
        assert_eq!(parse_date("2024-13-01"), None);
        assert_eq!(parse_date("soon"), None);
        assert_eq!(parse_date("2027-02-30"), None);
        assert_eq!(parse_date("2024-01-05T10:00:00Z"), parse_date("2024-01-05"));
    }

    #[test]
    fn ignore_file_with_expiry() {
        let text = "- id: CVE-1\n  reason: not reachable\n  expires: 2000-01-01\n- id: GHSA-1\n  package: django\n  path: /app\n  reason: accepted\n";
        let entries = parse_ignore_file(Path::new(".vigieignore"), text).unwrap();
        assert_eq!(entries.len(), 2);
        let policy = Policy {
            ignores: entries[..1].to_vec(),
            today: parse_date("2026-01-01").unwrap(),
            ..Policy::default()
        };
        let applied = policy.apply(vec![sample("CVE-1", Severity::High, true)]);
        assert_eq!(applied.reported.len(), 1, "expired entries stop suppressing");
        assert_eq!(applied.notices.len(), 1);
        let policy = Policy {
            ignores: entries,
            today: parse_date("2026-01-01").unwrap(),
            ..Policy::default()
        };
        let applied = policy.apply(vec![sample("CVE-2", Severity::High, true)]);
        assert_eq!(applied.suppressed.len(), 1, "matched through the alias");
        assert!(parse_ignore_file(Path::new("x"), "- id: A\n  expires: tomorrow\n").is_err());
        assert!(parse_ignore_file(Path::new("x"), ignore_map()).unwrap().len() == 1);
    }

    fn ignore_map() -> &'static str {
        "ignore:\n  - id: X\n"
    }

    #[test]
    fn filters_and_vex() {
        let vex = r#"{"@context":"https://openvex.dev/ns/v0.2.0","statements":[
            {"vulnerability":{"name":"CVE-9"},"products":[{"@id":"pkg:pypi/django"}],"status":"not_affected",
             "justification":"vulnerable_code_not_in_execute_path"},
            {"vulnerability":{"name":"CVE-8"},"products":[{"@id":"pkg:pypi/flask"}],"status":"not_affected"}]}"#;
        let policy = Policy {
            severities: vec![Severity::High, Severity::Critical],
            ignore_unfixed: true,
            vex: parse_vex(Path::new("v.json"), vex).unwrap(),
            ..Policy::default()
        };
        let applied = policy.apply(vec![
            sample("CVE-9", Severity::High, true),
            sample("CVE-8", Severity::High, true),
            sample("CVE-7", Severity::Low, true),
            sample("CVE-6", Severity::Critical, false),
        ]);
        assert_eq!(
            applied.reported.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(),
            ["CVE-8"]
        );
        assert_eq!(applied.suppressed[0].1.by, "vex");
        assert!(
            applied.suppressed[0]
                .1
                .reason
                .contains("vulnerable_code_not_in_execute_path")
        );
        assert_eq!(applied.filtered, 2);
        assert!(parse_vex(Path::new("v"), "{}").is_err());
    }
}
