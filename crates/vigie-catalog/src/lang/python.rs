//! Python: `*.dist-info/METADATA`, `*.egg-info/PKG-INFO` (and egg-info
//! files), pinned `requirements*.txt`, `poetry.lock`, `Pipfile.lock`, `uv.lock`.

use super::package;
use crate::{Ecosystem, Package, purl::purl};

pub(crate) fn wants(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    // Debian's own python packages live in /usr/lib/python3/dist-packages and
    // are dpkg packages already: not listed twice.
    if path.starts_with("/usr/lib/python3/dist-packages/") {
        return false;
    }
    (name == "METADATA" && path.contains(".dist-info/"))
        || (name == "PKG-INFO" && path.contains(".egg-info/"))
        || name.ends_with(".egg-info")
        || (name.starts_with("requirements") && name.ends_with(".txt"))
        || name == "poetry.lock"
        || name == "Pipfile.lock"
        || name == "uv.lock"
}

/// PEP 503 normalised name, as package URLs want it.
pub fn normalize(name: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !dash {
                out.push('-');
            }
            dash = true;
        } else {
            out.push(c.to_ascii_lowercase());
            dash = false;
        }
    }
    out
}

/// The purl spec's PyPI name: lower-cased, `_` as `-`, dots kept
/// (`pkg:pypi/zope.interface`); matching uses PEP 503's form ([`normalize`]).
pub fn purl_name(name: &str) -> String {
    name.to_ascii_lowercase().replace('_', "-")
}

fn make(name: &str, version: &str, found_in: &str) -> Package {
    package(
        Ecosystem::Pypi,
        name,
        version,
        purl("pypi", None, &purl_name(name), version, &[]),
        found_in,
    )
}

/// Core metadata (RFC 822 headers until the first blank line).
pub fn parse_metadata(text: &str) -> Option<(String, String, Vec<String>)> {
    let mut name = None;
    let mut version = None;
    let mut licenses = Vec::new();
    for line in text.lines() {
        if line.is_empty() {
            break;
        }
        let Some((k, v)) = line.split_once(':') else { continue };
        let v = v.trim();
        match k {
            "Name" => name = Some(v.to_string()),
            "Version" => version = Some(v.to_string()),
            "License-Expression" => licenses = vec![v.to_string()],
            "License" if licenses.is_empty() && !v.is_empty() && v != "UNKNOWN" && v.len() < 100 => {
                licenses.push(v.to_string())
            }
            "Classifier" if licenses.is_empty() => {
                if let Some(l) = v.strip_prefix("License :: OSI Approved :: ") {
                    licenses.push(l.to_string());
                }
            }
            _ => {}
        }
    }
    Some((name?, version?, licenses))
}

pub(crate) fn parse(path: &str, content: &[u8], warnings: &mut Vec<String>) -> Vec<Package> {
    let text = String::from_utf8_lossy(content);
    let name = path.rsplit('/').next().unwrap_or_default();
    let mut out = Vec::new();
    if name == "METADATA" || name == "PKG-INFO" || name.ends_with(".egg-info") {
        match parse_metadata(&text) {
            Some((n, v, licenses)) => {
                let mut p = make(&n, &v, path);
                p.licenses = licenses.iter().flat_map(|l| crate::licence::declared(l)).collect();
                p.licenses.dedup();
                out.push(p);
            }
            None => warnings.push(format!("{path}: no Name or Version")),
        }
    } else if name.starts_with("requirements") {
        for line in text.lines() {
            if out.len() > crate::MAX_PACKAGES_PER_FILE {
                break;
            }
            let line = line.split('#').next().unwrap_or_default().trim();
            let line = line.split(';').next().unwrap_or_default().trim();
            if let Some((n, v)) = line.split_once("==") {
                let n = n.split('[').next().unwrap_or_default().trim();
                let v = v.split([' ', ',']).next().unwrap_or_default().trim();
                if !n.is_empty() && !v.is_empty() && !v.contains('*') {
                    out.push(make(n, v, path));
                }
            }
        }
    } else if name == "poetry.lock" || name == "uv.lock" {
        match toml::from_str::<toml::Value>(super::toml_package_prefix(&text)) {
            Ok(doc) => {
                for p in doc.get("package").and_then(|p| p.as_array()).into_iter().flatten() {
                    let source_virtual = p
                        .get("source")
                        .and_then(|s| s.get("virtual").or_else(|| s.get("editable")))
                        .is_some();
                    if let (Some(n), Some(v)) = (
                        p.get("name").and_then(|v| v.as_str()),
                        p.get("version").and_then(|v| v.as_str()),
                    ) && !source_virtual
                    {
                        out.push(make(n, v, path));
                    }
                }
            }
            Err(e) => warnings.push(format!("{path}: {}", e.message())),
        }
    } else if name == "Pipfile.lock" {
        match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(doc) => {
                for section in ["default", "develop"] {
                    for (n, v) in doc.get(section).and_then(|s| s.as_object()).into_iter().flatten() {
                        if let Some(version) = v.get("version").and_then(|v| v.as_str()) {
                            out.push(make(n, version.trim_start_matches("=="), path));
                        }
                    }
                }
            }
            Err(e) => warnings.push(format!("{path}: {e}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {

    #[test]
    fn purl_names_keep_dots() {
        assert_eq!(purl_name("Zope.Interface"), "zope.interface");
        assert_eq!(purl_name("typing_extensions"), "typing-extensions");
        assert_eq!(normalize("zope.interface"), "zope-interface");
    }

    use super::*;

    #[test]
    fn requirements_and_metadata() {
        let mut w = Vec::new();
        let p = parse(
            "/app/requirements.txt",
            b"# c\nDjango==2.2\nrequests[socks]==2.19.0 ; python_version>'3'\nflask>=1\n",
            &mut w,
        );
        assert_eq!(p.len(), 2);
        assert_eq!(p[1].name, "requests");
        assert_eq!(p[0].purl, "pkg:pypi/django@2.2");
        let m = parse(
            "/x/PyYAML-5.3.dist-info/METADATA",
            b"Metadata-Version: 2.1\nName: PyYAML\nVersion: 5.3\nLicense: MIT\n\nbody",
            &mut w,
        );
        assert_eq!(m[0].licenses, vec!["MIT"]);
        assert_eq!(m[0].purl, "pkg:pypi/pyyaml@5.3");
    }
}
