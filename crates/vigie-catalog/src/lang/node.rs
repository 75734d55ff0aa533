//! Node.js: `package-lock.json` v1–v3, `yarn.lock` (v1 and berry),
//! `pnpm-lock.yaml`, and installed `node_modules/**/package.json`.

use super::package;
use crate::{Ecosystem, Package, purl::purl};

pub(crate) fn wants(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    if path.contains("/node_modules/") {
        // Installed packages: node_modules/NAME/package.json or node_modules/@scope/NAME/package.json.
        return name == "package.json" && is_installed_manifest(path);
    }
    // A project's own package.json names the application (Trivy lists it too).
    if name == "package.json" {
        return true;
    }
    matches!(
        name,
        "package-lock.json" | "npm-shrinkwrap.json" | "yarn.lock" | "pnpm-lock.yaml"
    )
}

fn is_installed_manifest(path: &str) -> bool {
    let Some(idx) = path.rfind("/node_modules/") else {
        return false;
    };
    let rest = &path[idx + "/node_modules/".len()..];
    let parts: Vec<&str> = rest.split('/').collect();
    matches!(parts.as_slice(), [_, "package.json"])
        || matches!(parts.as_slice(), [s, _, "package.json"] if s.starts_with('@'))
}

fn make(name: &str, version: &str, found_in: &str) -> Package {
    let (namespace, short) = match name.strip_prefix('@').and_then(|n| n.split_once('/')) {
        Some((scope, short)) => (Some(format!("@{scope}")), short),
        None => (None, name),
    };
    package(
        Ecosystem::Npm,
        name,
        version,
        purl("npm", namespace.as_deref(), short, version, &[]),
        found_in,
    )
}

/// `name@range` → name (scoped names keep their leading `@`).
fn spec_name(spec: &str) -> &str {
    let spec = spec.trim().trim_matches('"');
    // Skip the first character (a scope's `@`), whatever its UTF-8 width.
    let skip = spec.chars().next().map_or(0, char::len_utf8);
    match spec[skip..].find('@') {
        Some(i) => &spec[..skip + i],
        None => spec,
    }
}

/// `package-lock.json`, only what is read: v2/v3 `packages`, v1 `dependencies`.
#[derive(serde::Deserialize)]
struct PackageLock {
    packages: Option<std::collections::HashMap<String, LockPackage>>,
    dependencies: Option<std::collections::HashMap<String, LockDependency>>,
}

#[derive(serde::Deserialize)]
struct LockPackage {
    name: Option<String>,
    version: Option<String>,
    link: Option<bool>,
}

#[derive(serde::Deserialize)]
struct LockDependency {
    version: Option<String>,
    dependencies: Option<std::collections::HashMap<String, LockDependency>>,
}

pub(crate) fn parse(path: &str, content: &[u8], warnings: &mut Vec<String>) -> Vec<Package> {
    let text = String::from_utf8_lossy(content);
    let name = path.rsplit('/').next().unwrap_or_default();
    let mut out = Vec::new();
    match name {
        "package.json" => match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(doc) => {
                if let (Some(n), Some(v)) = (doc["name"].as_str(), doc["version"].as_str()) {
                    let mut p = make(n, v, path);
                    if let Some(l) = doc["license"].as_str().or_else(|| doc["license"]["type"].as_str()) {
                        p.licenses = crate::licence::declared(l);
                    }
                    out.push(p);
                }
            }
            Err(e) => warnings.push(format!("{path}: {e}")),
        },
        // Typed: only the fields read are kept while parsing (every other
        // field is skipped), so a lockfile of 250,000 packages costs tens of
        // MB, not a JSON tree several times its size.
        // npm-shrinkwrap.json is a package-lock.json that is published with the package.
        "package-lock.json" | "npm-shrinkwrap.json" => match serde_json::from_str::<PackageLock>(&text) {
            Ok(doc) => {
                if let Some(packages) = doc.packages {
                    for (key, value) in packages {
                        if out.len() > crate::MAX_PACKAGES_PER_FILE {
                            break;
                        }
                        let Some(idx) = key.rfind("node_modules/") else {
                            continue;
                        };
                        if value.link == Some(true) {
                            continue;
                        }
                        let n = value
                            .name
                            .unwrap_or_else(|| key[idx + "node_modules/".len()..].to_string());
                        if let Some(v) = value.version {
                            out.push(make(&n, &v, path));
                        }
                    }
                } else if let Some(deps) = doc.dependencies {
                    let mut stack: Vec<std::collections::HashMap<String, LockDependency>> = vec![deps];
                    while let Some(map) = stack.pop() {
                        if out.len() > crate::MAX_PACKAGES_PER_FILE {
                            break;
                        }
                        for (n, value) in map {
                            if let Some(v) = value.version
                                && !v.starts_with("file:")
                            {
                                out.push(make(&n, &v, path));
                            }
                            if let Some(nested) = value.dependencies {
                                stack.push(nested);
                            }
                        }
                    }
                }
            }
            Err(e) => warnings.push(format!("{path}: {e}")),
        },
        "yarn.lock" => {
            let mut current: Option<String> = None;
            for line in text.lines() {
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                if !line.starts_with(' ') {
                    let header = line.trim_end_matches(':');
                    let first = header.split(", ").next().unwrap_or_default();
                    current =
                        if first.starts_with("__metadata") || first.contains("@workspace:") || first.contains("@link:")
                        {
                            None
                        } else {
                            Some(spec_name(first).to_string())
                        };
                    continue;
                }
                let trimmed = line.trim();
                if let Some(v) = trimmed
                    .strip_prefix("version ")
                    .or_else(|| trimmed.strip_prefix("version: "))
                    && let Some(n) = current.take()
                {
                    out.push(make(&n, v.trim().trim_matches('"'), path));
                    // Past the per-file limit the catalog keeps the first ones: stop reading.
                    if out.len() > crate::MAX_PACKAGES_PER_FILE {
                        break;
                    }
                }
            }
        }
        "pnpm-lock.yaml" => {
            let mut in_packages = false;
            for line in text.lines() {
                if !line.starts_with(' ') {
                    in_packages = line.starts_with("packages:");
                    continue;
                }
                if !in_packages || line.starts_with("    ") || !line.trim_end().ends_with(':') {
                    continue;
                }
                let key = line
                    .trim()
                    .trim_end_matches(':')
                    .trim_matches(|c| c == '\'' || c == '"');
                let key = key.trim_start_matches('/');
                let key = key.split('(').next().unwrap_or_default();
                // v6+: name@version; v5: name/version.
                // Skip the first character (a scope's `@`) whatever its UTF-8 width.
                let skip = key.chars().next().map_or(0, char::len_utf8);
                let (n, v) = match key[skip..].rfind('@') {
                    Some(i) => (&key[..skip + i], &key[skip + i + 1..]),
                    None => match key.rsplit_once('/') {
                        Some((n, v)) => (n, v),
                        None => continue,
                    },
                };
                if !n.is_empty() && !v.is_empty() {
                    out.push(make(n, v.split('_').next().unwrap_or(v), path));
                }
            }
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_names_with_multibyte_first_characters() {
        assert_eq!(spec_name("\"@babel/core@^7.0.0\""), "@babel/core");
        assert_eq!(spec_name("lodash@4.17.21"), "lodash");
        // Found by fuzz target language_files: a non-ASCII first character.
        assert_eq!(spec_name("é@1"), "é");
        assert_eq!(spec_name("\u{fffd}=="), "\u{fffd}==");
        assert_eq!(
            parse("/app/yarn.lock", &[0xec, 0xbe, 0x3d, 0x3d], &mut Vec::new()),
            Vec::new()
        );
        // pnpm-lock.yaml keys too.
        let pnpm = "packages:\n  /é@1.0.0:\n    resolution: {}\n  /@scope/ß@2.0.0:\n    x: y\n";
        let found: Vec<(String, String)> = parse("/app/pnpm-lock.yaml", pnpm.as_bytes(), &mut Vec::new())
            .into_iter()
            .map(|p| (p.name, p.version))
            .collect();
        assert_eq!(
            found,
            [("é".into(), "1.0.0".into()), ("@scope/ß".into(), "2.0.0".into())]
        );
    }

    #[test]
    fn yarn_v1_and_berry() {
        let mut w = Vec::new();
        let v1 = b"# yarn lockfile v1\n\n\"@babel/code-frame@^7.0.0\", \"@babel/code-frame@^7.10.4\":\n  version \"7.12.13\"\n  resolved \"x\"\n\nlodash@^4.17.15:\n  version \"4.17.21\"\n";
        let p = parse("/app/yarn.lock", v1, &mut w);
        assert_eq!(
            (p[0].name.as_str(), p[0].version.as_str()),
            ("@babel/code-frame", "7.12.13")
        );
        assert_eq!(p[0].purl, "pkg:npm/%40babel/code-frame@7.12.13");
        assert_eq!(p[1].name, "lodash");
        let berry = b"__metadata:\n  version: 6\n\n\"lodash@npm:^4.17.15\":\n  version: 4.17.21\n  resolution: \"lodash@npm:4.17.21\"\n";
        let p = parse("/app/yarn.lock", berry, &mut w);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].version, "4.17.21");
    }

    #[test]
    fn pnpm_and_lock_v1() {
        let mut w = Vec::new();
        let pnpm = b"lockfileVersion: '6.0'\npackages:\n  /lodash@4.17.15:\n    resolution: {}\n  /@types/node@18.0.0(x@1):\n    dev: true\n";
        let p = parse("/a/pnpm-lock.yaml", pnpm, &mut w);
        assert_eq!(p.len(), 2);
        assert_eq!(p[1].name, "@types/node");
        let v1 = br#"{"lockfileVersion":1,"dependencies":{"a":{"version":"1.0.0","dependencies":{"b":{"version":"2.0.0"}}}}}"#;
        assert_eq!(parse("/a/package-lock.json", v1, &mut w).len(), 2);
        assert!(wants("/app/node_modules/@scope/x/package.json"));
        assert!(!wants("/app/node_modules/x/lib/package.json"));
        assert!(wants("/app/package.json"));
    }
}
