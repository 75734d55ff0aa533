//! Alpine "secfixes" databases (secdb, YAML or JSON): per package, the
//! package version that fixed each CVE. Each (release, CVE) becomes one
//! OSV-shaped record in ecosystem `Alpine:vX.Y` with an `ECOSYSTEM` range
//! `introduced 0, fixed VERSION`, so one matcher serves both sources.

use crate::osv::{Affected, Event, Package, Range, Record};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
struct SecDb {
    #[serde(default)]
    distroversion: Option<String>,
    #[serde(default)]
    reponame: Option<String>,
    #[serde(default)]
    packages: Option<Vec<PackageEntry>>,
}

#[derive(Debug, Deserialize)]
struct PackageEntry {
    pkg: PkgBody,
}

#[derive(Debug, Deserialize)]
struct PkgBody {
    name: String,
    #[serde(default)]
    secfixes: Option<BTreeMap<String, Option<Vec<Option<String>>>>>,
}

/// The parsed content of one secdb file.
#[derive(Debug, Clone, PartialEq)]
pub struct SecDbFile {
    /// `v3.10`.
    pub release: String,
    /// `main`, `community`.
    pub repository: String,
    pub records: Vec<Record>,
    /// Entries skipped (no fix version, no recognisable id), one line each.
    pub skipped: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecDbError {
    #[error("invalid secdb {format}: {message}")]
    Parse { format: &'static str, message: String },
    #[error("secdb has no distroversion")]
    NoRelease,
}

/// True when a JSON document looks like a secdb rather than an OSV record.
pub fn looks_like_secdb_json(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    let text = String::from_utf8_lossy(head);
    text.contains("\"distroversion\"") || (text.contains("\"secfixes\"") && text.contains("\"packages\""))
}

pub fn parse(bytes: &[u8], json: bool) -> Result<SecDbFile, SecDbError> {
    let db: SecDb = if json {
        serde_json::from_slice(bytes).map_err(|e| SecDbError::Parse {
            format: "json",
            message: e.to_string(),
        })?
    } else {
        let text = std::str::from_utf8(bytes).map_err(|e| SecDbError::Parse {
            format: "yaml",
            message: e.to_string(),
        })?;
        serde_saphyr::from_str(text).map_err(|e| SecDbError::Parse {
            format: "yaml",
            message: e.to_string().lines().next().unwrap_or_default().to_string(),
        })?
    };
    let release = db
        .distroversion
        .filter(|r| !r.trim().is_empty())
        .ok_or(SecDbError::NoRelease)?;
    let release = release.trim().to_string();
    let release = if release.starts_with('v') || release == "edge" {
        release
    } else {
        format!("v{release}")
    };
    let ecosystem = format!("Alpine:{release}");
    let repository = db.reponame.unwrap_or_else(|| "main".to_string());
    // CVE id → affected entries, in file order of first appearance.
    let mut by_id: BTreeMap<String, Vec<Affected>> = BTreeMap::new();
    let mut skipped = Vec::new();
    for entry in db.packages.unwrap_or_default() {
        let name = entry.pkg.name.trim().to_string();
        for (fixed, ids) in entry.pkg.secfixes.unwrap_or_default() {
            let fixed = fixed.trim().to_string();
            if fixed.is_empty() {
                skipped.push(format!("{name}: empty fix version"));
                continue;
            }
            for text in ids.unwrap_or_default().into_iter().flatten() {
                // Entries are `CVE-2019-1234`, sometimes followed by a note
                // or a second id on the same line.
                let mut any = false;
                for token in text.split_whitespace() {
                    let token = token.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '-');
                    if !looks_like_id(token) {
                        continue;
                    }
                    any = true;
                    by_id.entry(token.to_string()).or_default().push(Affected {
                        package: Some(Package {
                            ecosystem: ecosystem.clone(),
                            name: name.clone(),
                            purl: Some(format!("pkg:apk/alpine/{name}")),
                        }),
                        ranges: vec![Range {
                            kind: "ECOSYSTEM".to_string(),
                            events: vec![
                                Event {
                                    introduced: Some("0".to_string()),
                                    ..Event::default()
                                },
                                Event {
                                    fixed: Some(fixed.clone()),
                                    ..Event::default()
                                },
                            ],
                        }],
                        ..Affected::default()
                    });
                }
                if !any {
                    skipped.push(format!("{name} {fixed}: no vulnerability id in '{text}'"));
                }
            }
        }
    }
    let records = by_id
        .into_iter()
        .map(|(id, affected)| Record {
            aliases: Vec::new(),
            summary: None,
            affected,
            references: vec![crate::osv::Reference {
                kind: "WEB".to_string(),
                url: format!("https://security.alpinelinux.org/vuln/{id}"),
            }],
            id,
            ..Record::default()
        })
        .collect();
    Ok(SecDbFile {
        release,
        repository,
        records,
        skipped,
    })
}

fn looks_like_id(token: &str) -> bool {
    let mut parts = token.splitn(2, '-');
    let prefix = parts.next().unwrap_or_default();
    let rest = parts.next().unwrap_or_default();
    !prefix.is_empty()
        && prefix.chars().all(|c| c.is_ascii_uppercase())
        && rest.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: &str = "---\ndistroversion: v3.4\nreponame: main\npackages:\n  - pkg:\n      name: apache2\n      secfixes:\n        2.4.33-r0:\n          - CVE-2017-15710\n          - CVE-2018-1283 (dos)\n        0:\n          - CVE-2000-0001\n        2.4.27-r1:\n        - CVE-2017-15710\n  - pkg:\n      name: empty\n";

    #[test]
    fn yaml_becomes_one_record_per_cve() {
        let file = parse(YAML.as_bytes(), false).unwrap();
        assert_eq!(file.release, "v3.4");
        let ids: Vec<_> = file.records.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["CVE-2000-0001", "CVE-2017-15710", "CVE-2018-1283"]);
        let twice = &file.records[1];
        assert_eq!(twice.affected.len(), 2);
        assert_eq!(twice.affected[0].package.as_ref().unwrap().ecosystem, "Alpine:v3.4");
    }

    #[test]
    fn json_form_parses_and_garbage_errors() {
        let json = br#"{"distroversion":"v3.10","reponame":"community","packages":[{"pkg":{"name":"a","secfixes":{"1.0-r0":["CVE-1-2"]}}}]}"#;
        assert!(looks_like_secdb_json(json));
        let file = parse(json, true).unwrap();
        assert_eq!(file.records.len(), 1);
        assert!(parse(b"packages: [", false).is_err());
        assert!(parse(b"{}", true).is_err());
    }
}
