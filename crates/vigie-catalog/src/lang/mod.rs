//! Language ecosystems: installed-package metadata, lockfiles and binaries.

pub mod binary;
pub mod go;
pub mod java;
pub mod node;
pub mod python;
pub mod rust;

use crate::Package;
use vigie_snapshot::filesystem::FileSystemView;

pub(crate) fn wants(path: &str) -> bool {
    python::wants(path) || node::wants(path) || rust::wants(path) || go::wants(path) || java::wants_lockfile(path)
}

pub(crate) fn wants_binary(path: &str, size: u64, mode: u32) -> Option<vigie_image::Extractor> {
    binary::wants(path, size, mode)
}

/// Language packages of one file.
type Parser = fn(&str, &[u8], &mut Vec<String>) -> Vec<Package>;

pub(crate) fn catalog(view: &FileSystemView, warnings: &mut Vec<String>) -> Vec<Package> {
    let mut out = Vec::new();
    for (path, entry, content) in view.files_with_content() {
        let parser: Option<Parser> = if java::is_extract(content) {
            Some(java::parse_extract)
        } else if binary::is_extract(content) {
            Some(binary::parse)
        } else if python::wants(path) {
            Some(python::parse)
        } else if node::wants(path) {
            Some(node::parse)
        } else if rust::wants(path) {
            Some(rust::parse)
        } else if go::wants(path) {
            Some(go::parse)
        } else if java::wants_lockfile(path) {
            Some(java::parse_gradle_lockfile)
        } else {
            None
        };
        if let Some(parse) = parser {
            let layer = view.layer_diff_id(entry.layer).map(str::to_string);
            for mut p in parse(path, content, warnings) {
                p.layer = layer.clone();
                out.push(p);
            }
        }
    }
    out
}

pub(crate) fn package(ecosystem: crate::Ecosystem, name: &str, version: &str, purl: String, found_in: &str) -> Package {
    Package {
        name: name.to_string(),
        version: version.to_string(),
        ecosystem,
        purl,
        source_name: None,
        source_version: None,
        licenses: Vec::new(),
        found_in: found_in.to_string(),
        layer: None,
        arch: None,
    }
}

/// A TOML lockfile (`Cargo.lock`, `poetry.lock`, `uv.lock`) cut before the
/// `[[package]]` table that would pass the per-file limit: arrays of tables
/// end at a table header, so the prefix is valid TOML with one package more
/// than the limit (the catalog's own limiter then cuts and says so), and a
/// 300,000-package file is never parsed whole (it took 700 MiB).
pub(crate) fn toml_package_prefix(text: &str) -> &str {
    let mut seen = 0usize;
    let mut offset = 0usize;
    for line in text.split_inclusive('\n') {
        if line.trim() == "[[package]]" {
            seen += 1;
            if seen > crate::MAX_PACKAGES_PER_FILE + 1 {
                return &text[..offset];
            }
        }
        offset += line.len();
    }
    text
}
