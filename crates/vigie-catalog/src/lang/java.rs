//! Java: JAR/WAR/EAR archives, nested archives included, identified by
//! `META-INF/maven/**/pom.properties`, else `MANIFEST.MF`, else the file name.

use super::package;
use crate::{Ecosystem, Package, purl::purl};
use std::io::{Cursor, Read, Seek};

const MAX_NESTED: u64 = 64 << 20;
const MAX_DEPTH: usize = 3;

pub(crate) fn wants(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".jar") || lower.ends_with(".war") || lower.ends_with(".ear") || lower.ends_with(".hpi")
}

/// Gradle's dependency lock file.
pub(crate) fn wants_lockfile(path: &str) -> bool {
    path.ends_with("/gradle.lockfile")
}

/// `gradle.lockfile`: `group:artifact:version=configuration,…` per line;
/// comments and the `empty=` line skipped.
pub(crate) fn parse_gradle_lockfile(path: &str, content: &[u8], _warnings: &mut Vec<String>) -> Vec<Package> {
    let text = String::from_utf8_lossy(content);
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("empty=") {
            continue;
        }
        let coordinates = line.split('=').next().unwrap_or("");
        let mut parts = coordinates.split(':');
        if let (Some(group), Some(artifact), Some(version)) = (parts.next(), parts.next(), parts.next())
            && !group.is_empty()
            && !artifact.is_empty()
            && !version.is_empty()
        {
            out.push(make(group, artifact, version, path));
            if out.len() > crate::MAX_PACKAGES_PER_FILE {
                break;
            }
        }
    }
    out
}

fn make(group: &str, artifact: &str, version: &str, found_in: &str) -> Package {
    let name = if group.is_empty() {
        artifact.to_string()
    } else {
        format!("{group}:{artifact}")
    };
    package(
        Ecosystem::Maven,
        &name,
        version,
        purl("maven", Some(group), artifact, version, &[]),
        found_in,
    )
}

fn properties(text: &str) -> std::collections::HashMap<String, String> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

fn from_file_name(file: &str) -> Option<(String, String)> {
    let stem = file.rsplit('/').next()?.rsplit_once('.')?.0;
    let idx = stem
        .match_indices('-')
        .find(|(i, _)| stem[i + 1..].chars().next().is_some_and(|c| c.is_ascii_digit()))?
        .0;
    Some((stem[..idx].to_string(), stem[idx + 1..].to_string()))
}

fn walk<R: Read + Seek>(reader: R, display: &str, depth: usize, out: &mut Vec<Package>, warnings: &mut Vec<String>) {
    let mut archive = match zip::ZipArchive::new(reader) {
        Ok(a) => a,
        Err(e) => {
            warnings.push(format!("{display}: not a readable archive: {e}"));
            return;
        }
    };
    let mut found = false;
    let mut manifest: Option<String> = None;
    let mut nested: Vec<(String, Vec<u8>)> = Vec::new();
    // Names come from the central directory: only the members that identify
    // the archive are then read (a large jar has tens of thousands of members).
    let interesting: Vec<usize> = (0..archive.len())
        .filter(|&i| {
            archive.name_for_index(i).is_some_and(|name| {
                (name.starts_with("META-INF/maven/") && name.ends_with("/pom.properties"))
                    || name == "META-INF/MANIFEST.MF"
                    || (depth < MAX_DEPTH && wants(name))
            })
        })
        .collect();
    for i in interesting {
        let Ok(mut file) = archive.by_index(i) else { continue };
        let name = file.name().to_string();
        if name.starts_with("META-INF/maven/") && name.ends_with("/pom.properties") {
            let mut text = String::new();
            if (&mut file).take(1 << 20).read_to_string(&mut text).is_ok() {
                let p = properties(&text);
                if let (Some(g), Some(a), Some(v)) = (p.get("groupId"), p.get("artifactId"), p.get("version")) {
                    out.push(make(g, a, v, display));
                    found = true;
                }
            }
        } else if name == "META-INF/MANIFEST.MF" {
            let mut text = String::new();
            if (&mut file).take(1 << 20).read_to_string(&mut text).is_ok() {
                manifest = Some(text);
            }
        } else if depth < MAX_DEPTH && wants(&name) && file.size() <= MAX_NESTED {
            let mut inner = Vec::with_capacity(file.size() as usize);
            if (&mut file).take(MAX_NESTED).read_to_end(&mut inner).is_ok() {
                nested.push((name, inner));
            }
        }
    }
    if !found {
        let fields = manifest.as_deref().map(properties_manifest).unwrap_or_default();
        let title = fields
            .get("Implementation-Title")
            .or_else(|| fields.get("Bundle-SymbolicName"))
            .cloned();
        let version = fields
            .get("Implementation-Version")
            .or_else(|| fields.get("Bundle-Version"))
            .cloned();
        let vendor = fields.get("Implementation-Vendor-Id").cloned().unwrap_or_default();
        match (title, version, from_file_name(display)) {
            (_, _, Some((artifact, version))) => out.push(make(&vendor, &artifact, &version, display)),
            (Some(t), Some(v), None) => out.push(make(&vendor, &t, &v, display)),
            _ => {}
        }
    }
    for (name, inner) in nested {
        walk(
            Cursor::new(&inner),
            &format!("{display}!/{name}"),
            depth + 1,
            out,
            warnings,
        );
    }
}

fn properties_manifest(text: &str) -> std::collections::HashMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

const JAR_MARK: &[u8] = b"\0vigie-jar\n";

pub(crate) fn is_extract(content: &[u8]) -> bool {
    content.starts_with(JAR_MARK)
}

/// Keep only the identified artifacts of an archive (`group\tartifact\tversion\tpath-suffix` lines):
/// archives can be large, their identities are small.
pub(crate) fn extract(bytes: &[u8]) -> Option<Vec<u8>> {
    extract_from(Cursor::new(bytes))
}

/// `extract` of an archive read in place: its central directory and the
/// members that identify it, never the whole file.
pub(crate) fn extract_in_place(file: &mut dyn vigie_image::ReadSeek) -> Option<Vec<u8>> {
    extract_from(file)
}

fn extract_from<R: Read + Seek>(reader: R) -> Option<Vec<u8>> {
    let mut warnings = Vec::new();
    let mut out = Vec::new();
    walk(reader, "", 0, &mut out, &mut warnings);
    let mut text = JAR_MARK.to_vec();
    for p in out {
        let (group, artifact) = p.name.split_once(':').unwrap_or(("", p.name.as_str()));
        text.extend_from_slice(format!("{group}\t{artifact}\t{}\t{}\n", p.version, p.found_in).as_bytes());
    }
    for w in warnings {
        text.extend_from_slice(format!("!\t{w}\n").as_bytes());
    }
    Some(text)
}

pub(crate) fn parse_extract(path: &str, content: &[u8], warnings: &mut Vec<String>) -> Vec<Package> {
    let text = String::from_utf8_lossy(&content[JAR_MARK.len()..]);
    let mut out = Vec::new();
    let mut top_level = false;
    for line in text.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        match fields.as_slice() {
            ["!", warning] => warnings.push(format!("{path}{warning}")),
            [group, artifact, version, suffix] => {
                top_level |= suffix.is_empty();
                out.push(make(group, artifact, version, &format!("{path}{suffix}")));
            }
            _ => {}
        }
    }
    // The extract does not know the file name: the last resort of identification.
    if !top_level && let Some((artifact, version)) = from_file_name(path) {
        out.insert(0, make("", &artifact, &version, path));
    }
    out
}

pub(crate) fn parse(path: &str, content: &[u8], warnings: &mut Vec<String>) -> Vec<Package> {
    let mut out = Vec::new();
    walk(Cursor::new(content), path, 0, &mut out, warnings);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn jar(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in entries {
            w.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn pom_properties_and_nested() {
        let inner = jar(&[(
            "META-INF/maven/org.yaml/snakeyaml/pom.properties",
            b"groupId=org.yaml\nartifactId=snakeyaml\nversion=1.33\n",
        )]);
        let outer = jar(&[
            ("WEB-INF/lib/snakeyaml-1.33.jar", &inner),
            ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n"),
        ]);
        let mut w = Vec::new();
        let p = parse("/app/app-2.0.war", &outer, &mut w);
        let q = parse_extract("/app/app-2.0.war", &extract(&outer).unwrap(), &mut w);
        assert_eq!(p, q);
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(p[0].name, "app");
        assert_eq!(p[1].name, "org.yaml:snakeyaml");
        assert_eq!(p[1].purl, "pkg:maven/org.yaml/snakeyaml@1.33");
        assert!(parse("/x.jar", b"not a zip", &mut w).is_empty());
    }

    #[test]
    fn gradle_lockfile_lines() {
        let text = b"# This is a Gradle generated file for dependency locking.\ncom.google.guava:guava:31.1-jre=compileClasspath,runtimeClasspath\norg.slf4j:slf4j-api:2.0.7=runtimeClasspath\nempty=annotationProcessor\n";
        let p = parse_gradle_lockfile("/app/gradle.lockfile", text, &mut Vec::new());
        let got: Vec<(&str, &str)> = p.iter().map(|p| (p.name.as_str(), p.version.as_str())).collect();
        assert_eq!(
            got,
            [("com.google.guava:guava", "31.1-jre"), ("org.slf4j:slf4j-api", "2.0.7")]
        );
    }
}
