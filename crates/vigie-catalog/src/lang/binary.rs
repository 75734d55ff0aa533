//! Binaries: Go build info (main module, dependencies, toolchain) and the
//! dependency list cargo-auditable embeds in Rust binaries (`.dep-v0`).
//! While layers stream, only these small extracts are kept, never the binary.

use super::package;
use crate::{Ecosystem, Package, purl::purl};
use std::io::Read;

const GO_MARK: &[u8] = b"\0vigie-go\n";
const CARGO_MARK: &[u8] = b"\0vigie-cargo\n";
const GO_MAGIC: &[u8] = b"\xff Go buildinf:";

pub(crate) fn wants(path: &str, size: u64, mode: u32) -> Option<vigie_image::Extractor> {
    let executable = mode & 0o111 != 0;
    let name = path.rsplit('/').next().unwrap_or_default();
    if executable && size > 64 << 10 && !name.contains(".so") && !path.starts_with("/usr/share/") {
        Some(extract)
    } else {
        None
    }
}

pub(crate) fn is_extract(content: &[u8]) -> bool {
    content.starts_with(GO_MARK) || content.starts_with(CARGO_MARK)
}

fn varint(data: &[u8]) -> Option<(usize, usize)> {
    let mut value = 0usize;
    for (i, b) in data.iter().enumerate().take(9) {
        value |= ((b & 0x7f) as usize) << (7 * i);
        if b & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

/// Go ≥ 1.18 build info: inline toolchain version and module info strings.
pub fn go_buildinfo(data: &[u8]) -> Option<(String, String)> {
    let region = match vigie_image::elf::section(data, ".go.buildinfo") {
        Some(r) => r,
        None => {
            let at = data.windows(GO_MAGIC.len()).position(|w| w == GO_MAGIC)?;
            &data[at..]
        }
    };
    go_buildinfo_region(region)
}

/// Build info from the `.go.buildinfo` section's bytes.
fn go_buildinfo_region(region: &[u8]) -> Option<(String, String)> {
    if !region.starts_with(GO_MAGIC) || region.len() < 32 {
        return None;
    }
    let flags = region[15];
    if flags & 2 == 0 {
        return None; // pre-1.18 pointer layout
    }
    let rest = &region[32..];
    let (len, n) = varint(rest)?;
    let version = String::from_utf8_lossy(rest.get(n..n + len)?).into_owned();
    let rest = &rest[n + len..];
    let (len, n) = varint(rest)?;
    let mut modinfo = rest.get(n..n + len)?;
    if modinfo.len() >= 33 && modinfo[modinfo.len() - 17] == b'\n' {
        modinfo = &modinfo[16..modinfo.len() - 16];
    }
    Some((version, String::from_utf8_lossy(modinfo).into_owned()))
}

/// The ELF sections `extract_section` understands, in order of preference.
pub(crate) const SECTIONS: &[&str] = &[".dep-v0", ".go.buildinfo"];

/// The same extract as `extract`, from one section read alone (a directory
/// walk reads only the section, never the whole binary).
pub(crate) fn extract_section(name: &str, bytes: &[u8]) -> Option<Vec<u8>> {
    match name {
        ".dep-v0" => cargo_extract(bytes),
        ".go.buildinfo" => go_extract(go_buildinfo_region(bytes)?),
        _ => None,
    }
}

fn cargo_extract(dep: &[u8]) -> Option<Vec<u8>> {
    let mut json = Vec::new();
    flate2::read::ZlibDecoder::new(dep)
        .take(8 << 20)
        .read_to_end(&mut json)
        .ok()?;
    let mut out = CARGO_MARK.to_vec();
    out.extend_from_slice(&json);
    Some(out)
}

fn go_extract((version, modinfo): (String, String)) -> Option<Vec<u8>> {
    let mut out = GO_MARK.to_vec();
    out.extend_from_slice(version.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(modinfo.as_bytes());
    Some(out)
}

/// Whether `wants` may say yes for this path (its mode and size unknown):
/// names that are never executables worth opening are left out.
pub(crate) fn may_be_binary(path: &str) -> bool {
    if path.starts_with("/usr/share/") {
        return false;
    }
    let name = path.rsplit('/').next().unwrap_or_default();
    if name.contains(".so") {
        return false;
    }
    match name.rsplit_once('.') {
        None => true,
        Some((_, extension)) => !NOT_BINARY.contains(&extension),
    }
}

/// Extensions of files that are not ELF executables (sources, data, objects).
#[rustfmt::skip]
const NOT_BINARY: &[&str] = &[
    "a", "c", "cc", "cfg", "conf", "cpp", "css", "csv", "d", "gif", "go", "gz", "h", "hpp", "html", "ico", "ini",
    "jar", "java", "jpg", "js", "json", "lock", "log", "md", "mjs", "o", "pem", "pl", "pm", "png", "py", "pyc",
    "pyi", "rb", "rlib", "rmeta", "rs", "sh", "svg", "tar", "timestamp", "toml", "ts", "tsv", "txt", "xml", "xz",
    "yaml", "yml", "zip", "zst",
];

pub(crate) fn extract(data: &[u8]) -> Option<Vec<u8>> {
    if let Some((name, bytes)) = vigie_image::elf::first_section(data, SECTIONS) {
        return extract_section(name, bytes);
    }
    // A Go binary without the section may still carry build info in its data.
    if vigie_image::elf::has_section(data, ".gopclntab") {
        return go_extract(go_buildinfo(data)?);
    }
    None
}

pub(crate) fn go_package(name: &str, version: &str, found_in: &str) -> Package {
    let (namespace, short) = match name.rsplit_once('/') {
        Some((ns, short)) => (Some(ns), short),
        None => (None, name),
    };
    package(
        Ecosystem::Go,
        name,
        version,
        purl("golang", namespace, short, version, &[]),
        found_in,
    )
}

pub(crate) fn parse(path: &str, content: &[u8], warnings: &mut Vec<String>) -> Vec<Package> {
    let mut out = Vec::new();
    if let Some(json) = content.strip_prefix(CARGO_MARK) {
        match serde_json::from_slice::<serde_json::Value>(json) {
            Ok(doc) => {
                for p in doc["packages"].as_array().into_iter().flatten() {
                    if p["kind"].as_str() == Some("build") {
                        continue;
                    }
                    if let (Some(n), Some(v)) = (p["name"].as_str(), p["version"].as_str()) {
                        out.push(super::rust::make(n, v, path));
                    }
                }
            }
            Err(e) => warnings.push(format!("{path}: cargo-auditable data: {e}")),
        }
    } else if let Some(text) = content.strip_prefix(GO_MARK) {
        let text = String::from_utf8_lossy(text);
        let mut lines = text.lines();
        let toolchain = lines.next().unwrap_or_default();
        if let Some(v) = toolchain.strip_prefix("go") {
            let v = v.split([' ', '-']).next().unwrap_or(v);
            out.push(go_package("stdlib", &format!("v{v}"), path));
        }
        for line in lines {
            let fields: Vec<&str> = line.split('\t').collect();
            match fields.as_slice() {
                ["mod", module, version, ..] if *version != "(devel)" => out.push(go_package(module, version, path)),
                ["dep", module, version, ..] => out.push(go_package(module, version, path)),
                ["=>", module, version, ..] => {
                    if let Some(last) = out.last_mut() {
                        *last = go_package(module, version, path);
                    }
                }
                _ => {}
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_go_modinfo_extract() {
        let mut content = GO_MARK.to_vec();
        content.extend_from_slice(b"go1.21.5\npath\texample.com/app\nmod\texample.com/app\t(devel)\t\ndep\tgolang.org/x/net\tv0.17.0\th1:x\n=>\tgolang.org/x/net\tv0.19.0\th1:y\n");
        let mut w = Vec::new();
        let p = parse("/app", &content, &mut w);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].name, "stdlib");
        assert_eq!(p[0].version, "v1.21.5");
        assert_eq!(p[1].version, "v0.19.0");
        assert_eq!(p[1].purl, "pkg:golang/golang.org/x/net@v0.19.0");
    }

    #[test]
    fn one_section_read_alone_gives_the_whole_file_extract() {
        // A real Go binary: the Docker CLI and containerd come with the engine the tests need.
        let candidates = ["/usr/bin/containerd-shim", "/usr/bin/docker", "/usr/bin/containerd"];
        let path = candidates
            .iter()
            .find(|p| std::path::Path::new(p).is_file())
            .expect("no Go binary (docker, containerd) on this machine: install the Docker engine");
        let data = std::fs::read(path).unwrap();
        let whole = extract(&data).expect("Go build info in the whole file");
        let bytes = vigie_image::elf::section(&data, ".go.buildinfo").unwrap();
        assert_eq!(extract_section(".go.buildinfo", bytes), Some(whole));
        assert!(!may_be_binary("/usr/share/doc/x"));
        assert!(!may_be_binary("/src/main.rs"));
        assert!(!may_be_binary("/usr/lib/libc.so.6"));
        assert!(may_be_binary("/usr/bin/containerd"));
        assert!(may_be_binary("/opt/app/server.bin"));
    }

    #[test]
    fn non_elf_and_garbage_give_nothing() {
        assert!(extract(b"#!/bin/sh\n").is_none());
        assert!(extract(b"\x7fELF\x02\x01garbage").is_none());
        assert!(go_buildinfo(b"\xff Go buildinf:\x08\x02").is_none());
    }

    #[test]
    fn section_table_offsets_near_the_end_of_the_address_space_are_not_a_panic() {
        // Found by fuzz target language_files: e_shoff close to u64::MAX made
        // `header + 0x18` overflow.
        let mut elf = vec![0u8; 64];
        elf[..6].copy_from_slice(b"\x7fELF\x02\x01");
        elf[0x28..0x30].copy_from_slice(&(u64::MAX - 8).to_le_bytes());
        elf[0x3a..0x3c].copy_from_slice(&64u16.to_le_bytes());
        elf[0x3c..0x3e].copy_from_slice(&1u16.to_le_bytes());
        assert!(vigie_image::elf::section(&elf, ".go.buildinfo").is_none());
        assert!(extract(&elf).is_none());
    }
}
