//! Rust: `Cargo.lock` (binaries built with cargo-auditable are in `binary`).

use super::package;
use crate::{Ecosystem, Package, purl::purl};

pub(crate) fn wants(path: &str) -> bool {
    path.ends_with("/Cargo.lock")
}

pub(crate) fn make(name: &str, version: &str, found_in: &str) -> Package {
    package(
        Ecosystem::Cargo,
        name,
        version,
        purl("cargo", None, name, version, &[]),
        found_in,
    )
}

pub(crate) fn parse(path: &str, content: &[u8], warnings: &mut Vec<String>) -> Vec<Package> {
    let text = String::from_utf8_lossy(content);
    let mut out = Vec::new();
    match toml::from_str::<toml::Value>(super::toml_package_prefix(&text)) {
        Ok(doc) => {
            for p in doc.get("package").and_then(|p| p.as_array()).into_iter().flatten() {
                if let (Some(n), Some(v)) = (
                    p.get("name").and_then(|v| v.as_str()),
                    p.get("version").and_then(|v| v.as_str()),
                ) {
                    out.push(make(n, v, path));
                }
            }
        }
        Err(e) => warnings.push(format!("{path}: {}", e.message())),
    }
    out
}
