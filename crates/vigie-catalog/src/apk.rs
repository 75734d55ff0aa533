//! apk: `/lib/apk/db/installed` (`K:value` lines, blank line between
//! packages); `o:` (origin) is the source package.

use crate::os::OsInfo;
use crate::{Ecosystem, Package, attribute, purl::purl};
use vigie_snapshot::filesystem::FileSystemView;

pub(crate) const INSTALLED: &[&str] = &["/lib/apk/db/installed", "/usr/lib/apk/db/installed"];

pub(crate) fn wants(path: &str) -> bool {
    INSTALLED.contains(&path)
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApkEntry {
    pub name: String,
    pub version: String,
    pub arch: String,
    pub origin: Option<String>,
    pub license: Option<String>,
}

/// Parse an apk installed database; entries without a name or version are
/// skipped and counted.
pub fn parse_installed(text: &str) -> (Vec<ApkEntry>, usize) {
    let mut out = Vec::new();
    let mut skipped = 0;
    let mut current = ApkEntry::default();
    let mut any = false;
    let flush = |e: &mut ApkEntry, any: &mut bool, out: &mut Vec<ApkEntry>, skipped: &mut usize| {
        if *any {
            if e.name.is_empty() || e.version.is_empty() {
                *skipped += 1;
            } else {
                out.push(std::mem::take(e));
            }
        }
        *e = ApkEntry::default();
        *any = false;
    };
    for line in text.lines() {
        if line.trim().is_empty() {
            flush(&mut current, &mut any, &mut out, &mut skipped);
            // Past the per-file limit: stop (the catalog marks the file cut).
            if out.len() > crate::MAX_PACKAGES_PER_FILE {
                return (out, skipped);
            }
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        any = true;
        match key {
            "P" => current.name = value.to_string(),
            "V" => current.version = value.to_string(),
            "A" => current.arch = value.to_string(),
            "o" => current.origin = Some(value.to_string()),
            "L" => current.license = Some(value.to_string()),
            _ => {}
        }
    }
    flush(&mut current, &mut any, &mut out, &mut skipped);
    (out, skipped)
}

fn keys(bytes: &[u8]) -> Vec<(String, String)> {
    parse_installed(&String::from_utf8_lossy(bytes))
        .0
        .into_iter()
        .map(|e| (e.name, e.version))
        .collect()
}

pub(crate) fn catalog(view: &FileSystemView, os: &OsInfo, warnings: &mut Vec<String>) -> Vec<Package> {
    let mut out = Vec::new();
    for path in INSTALLED {
        let Some(resolved) = view.resolve(path) else { continue };
        let Some(bytes) = view.read(&resolved) else { continue };
        if out.iter().any(|p: &Package| p.found_in == resolved) {
            continue;
        }
        let (entries, skipped) = parse_installed(&String::from_utf8_lossy(bytes));
        if skipped > 0 {
            warnings.push(format!("{path}: {skipped} entries without a name or version skipped"));
        }
        let layers = attribute(view, &resolved, keys);
        let distro = os.purl_distro();
        for e in entries {
            let layer = layers
                .get(&(e.name.clone(), e.version.clone()))
                .and_then(|l| view.layer_diff_id(Some(*l)))
                .map(str::to_string);
            out.push(Package {
                purl: purl(
                    "apk",
                    Some("alpine"),
                    &e.name,
                    &e.version,
                    &[("arch", &e.arch), ("distro", &distro)],
                ),
                source_name: Some(e.origin.clone().unwrap_or_else(|| e.name.clone())),
                source_version: Some(e.version.clone()),
                licenses: e.license.as_deref().map(crate::licence::apk).unwrap_or_default(),
                found_in: resolved.clone(),
                layer,
                arch: Some(e.arch.clone()).filter(|a| !a.is_empty()),
                name: e.name,
                version: e.version,
                ecosystem: Ecosystem::Apk,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_installed_with_broken_entry() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/pkgdb/apk/installed");
        let text = std::fs::read_to_string(path).unwrap();
        let (entries, skipped) = parse_installed(&text);
        assert_eq!(skipped, 1);
        let musl = entries.iter().find(|e| e.name == "musl").unwrap();
        assert_eq!(musl.version, "1.1.14-r10");
        assert_eq!(musl.origin.as_deref(), Some("musl"));
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,400}") {
            let _ = parse_installed(&text);
        }

        #[test]
        fn written_entries_read_back(
            packages in proptest::collection::vec(("[a-z][a-z0-9+._-]{0,20}", "[0-9][a-z0-9._]{0,10}-r[0-9]{1,2}"), 0..20)
        ) {
            let text: String = packages.iter().map(|(n, v)| format!("C:Q1x=\nP:{n}\nV:{v}\nA:x86_64\n\n")).collect();
            let (entries, skipped) = parse_installed(&text);
            prop_assert_eq!(skipped, 0);
            let got: Vec<(String, String)> = entries.into_iter().map(|e| (e.name, e.version)).collect();
            prop_assert_eq!(got, packages);
        }
    }
}
