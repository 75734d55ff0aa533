//! dpkg: `/var/lib/dpkg/status` and distroless `/var/lib/dpkg/status.d/*`.
//! `Source: name (version)` gives the source package.

use crate::os::OsInfo;
use crate::{Ecosystem, Package, attribute, purl::purl};
use vigie_snapshot::filesystem::FileSystemView;

const STATUS: &str = "/var/lib/dpkg/status";
const STATUS_D: &str = "/var/lib/dpkg/status.d/";

/// The database as fixed paths (a trailing `/`: a directory).
pub(crate) const PATHS: &[&str] = &[STATUS, STATUS_D];

pub(crate) fn wants(path: &str) -> bool {
    path == STATUS || (path.starts_with(STATUS_D) && !path.ends_with(".md5sums"))
}

/// One paragraph of a dpkg database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DpkgEntry {
    pub package: String,
    pub version: String,
    pub architecture: String,
    pub status: String,
    pub source: Option<String>,
    pub source_version: Option<String>,
}

impl DpkgEntry {
    /// Trivy and dpkg-query count a package unless it is being removed or purged.
    pub fn is_installed(&self) -> bool {
        if self.status.is_empty() {
            return true; // distroless status.d files have no Status field
        }
        let words: Vec<&str> = self.status.split_whitespace().collect();
        !words.iter().any(|w| *w == "deinstall" || *w == "purge") && words.last() != Some(&"not-installed")
    }
}

/// Parse a dpkg status file (deb822 paragraphs). Paragraphs without a name
/// or version are skipped and counted.
pub fn parse_status(text: &str) -> (Vec<DpkgEntry>, usize) {
    let mut entries = Vec::new();
    let mut skipped = 0;
    for paragraph in text.split("\n\n") {
        // Past the per-file limit: stop (the catalog marks the file cut).
        if entries.len() > crate::MAX_PACKAGES_PER_FILE {
            break;
        }
        let mut e = DpkgEntry::default();
        let mut any = false;
        for line in paragraph.lines() {
            if line.starts_with(' ') || line.starts_with('\t') {
                continue;
            }
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.trim();
            any = true;
            match key {
                "Package" => e.package = value.to_string(),
                "Version" => e.version = value.to_string(),
                "Architecture" => e.architecture = value.to_string(),
                "Status" => e.status = value.to_string(),
                "Source" => {
                    let (name, version) = match value.split_once('(') {
                        Some((n, v)) => (n.trim(), Some(v.trim_end_matches(')').trim().to_string())),
                        None => (value, None),
                    };
                    e.source = Some(name.to_string());
                    e.source_version = version;
                }
                _ => {}
            }
        }
        if !any {
            continue;
        }
        if e.package.is_empty() || e.version.is_empty() {
            skipped += 1;
            continue;
        }
        entries.push(e);
    }
    (entries, skipped)
}

fn installed_keys(bytes: &[u8]) -> Vec<(String, String)> {
    parse_status(&String::from_utf8_lossy(bytes))
        .0
        .into_iter()
        .filter(DpkgEntry::is_installed)
        .map(|e| (e.package, e.version))
        .collect()
}

fn to_package(e: DpkgEntry, os: &OsInfo, found_in: &str, layer: Option<String>) -> Package {
    let namespace = if os.family == "ubuntu" { "ubuntu" } else { "debian" };
    let distro = os.purl_distro();
    let purl = purl(
        "deb",
        Some(namespace),
        &e.package,
        &e.version,
        &[("arch", &e.architecture), ("distro", &distro)],
    );
    let source_version = e.source_version.or_else(|| Some(e.version.clone()));
    let source_name = e.source.clone().or_else(|| Some(e.package.clone()));
    Package {
        name: e.package,
        version: e.version,
        ecosystem: Ecosystem::Deb,
        purl,
        source_name,
        source_version,
        licenses: Vec::new(),
        found_in: found_in.to_string(),
        layer,
        arch: Some(e.architecture).filter(|a| !a.is_empty()),
    }
}

pub(crate) fn catalog(view: &FileSystemView, os: &OsInfo, warnings: &mut Vec<String>) -> Vec<Package> {
    let mut out = Vec::new();
    if let Some(bytes) = view.read(STATUS) {
        let (entries, skipped) = parse_status(&String::from_utf8_lossy(bytes));
        if skipped > 0 {
            warnings.push(format!("{STATUS}: {skipped} entries without a name or version skipped"));
        }
        let layers = attribute(view, STATUS, installed_keys);
        for e in entries.into_iter().filter(DpkgEntry::is_installed) {
            let layer = layers
                .get(&(e.package.clone(), e.version.clone()))
                .and_then(|l| view.layer_diff_id(Some(*l)))
                .map(str::to_string);
            out.push(to_package(e, os, STATUS, layer));
        }
    }
    let status_d: Vec<(String, Option<usize>, Vec<u8>)> = view
        .files_with_content()
        .filter(|(p, _, _)| p.starts_with(STATUS_D))
        .map(|(p, e, c)| (p.to_string(), e.layer, c.to_vec()))
        .collect();
    for (path, layer, bytes) in status_d {
        let (entries, skipped) = parse_status(&String::from_utf8_lossy(&bytes));
        if skipped > 0 {
            warnings.push(format!("{path}: {skipped} entries without a name or version skipped"));
        }
        for e in entries.into_iter().filter(DpkgEntry::is_installed) {
            out.push(to_package(e, os, &path, view.layer_diff_id(layer).map(str::to_string)));
        }
    }
    for p in &mut out {
        if let Some(text) = view.read(&crate::copyright::path_of(&p.name)) {
            p.licenses = crate::copyright::licenses(&String::from_utf8_lossy(text));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_ubuntu_status_file() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/pkgdb/dpkg/status");
        let text = std::fs::read_to_string(path).unwrap();
        let (entries, skipped) = parse_status(&text);
        assert_eq!(skipped, 0);
        assert_eq!(entries.len(), 91);
        // One package is `deinstall ok config-files`: removed, only its config files remain.
        let installed: Vec<_> = entries.iter().filter(|e| e.is_installed()).collect();
        assert_eq!(installed.len(), 90);
        let fdisk = entries.iter().find(|e| e.package == "fdisk").unwrap();
        assert_eq!(fdisk.source.as_deref(), Some("util-linux"));
        assert_eq!(fdisk.version, "2.31.1-0.4ubuntu3.1");
    }

    #[test]
    fn source_with_version() {
        let (e, _) =
            parse_status("Package: libx\nStatus: install ok installed\nVersion: 1.0-1+b1\nSource: x (1.0-1)\n");
        assert_eq!(e[0].source.as_deref(), Some("x"));
        assert_eq!(e[0].source_version.as_deref(), Some("1.0-1"));
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,400}") {
            let _ = parse_status(&text);
        }

        #[test]
        fn written_paragraphs_read_back(
            packages in proptest::collection::vec(("[a-z][a-z0-9+.-]{0,20}", "[0-9][a-z0-9.+~:-]{0,15}"), 0..20)
        ) {
            let text: String = packages
                .iter()
                .map(|(n, v)| format!("Package: {n}\nStatus: install ok installed\nVersion: {v}\n\n"))
                .collect();
            let (entries, skipped) = parse_status(&text);
            prop_assert_eq!(skipped, 0);
            let got: Vec<(String, String)> = entries.into_iter().map(|e| (e.package, e.version)).collect();
            prop_assert_eq!(got, packages);
        }
    }
}
