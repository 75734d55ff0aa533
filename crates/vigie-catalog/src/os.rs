//! OS detection from release files, the way each distribution writes them;
//! distroless, busybox-only and scratch images are named as such, never a
//! silent "no OS".

use vigie_snapshot::filesystem::FileSystemView;

pub use vigie_snapshot::package::{OsInfo, OsKind};

pub(crate) const RELEASE_FILES: &[&str] = &[
    "/etc/os-release",
    "/usr/lib/os-release",
    "/etc/debian_version",
    "/etc/alpine-release",
    "/etc/redhat-release",
    "/etc/centos-release",
    "/etc/fedora-release",
    "/etc/rocky-release",
    "/etc/almalinux-release",
    "/etc/oracle-release",
    "/etc/system-release",
    "/etc/SuSE-release",
    "/etc/lsb-release",
    "/etc/passwd",
    "/etc/group",
    "/bin/busybox",
    "/usr/bin/busybox",
];

pub(crate) fn wants(path: &str) -> bool {
    RELEASE_FILES.contains(&path)
}

fn text(view: &FileSystemView, path: &str) -> Option<String> {
    view.read(path).map(|b| String::from_utf8_lossy(b).trim().to_string())
}

/// `KEY=value` lines, quotes removed.
pub fn parse_os_release(text: &str) -> std::collections::HashMap<String, String> {
    text.lines()
        .filter_map(|l| l.trim().split_once('='))
        .map(|(k, v)| {
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                .unwrap_or(v);
            (k.trim().to_string(), v.to_string())
        })
        .collect()
}

fn family_of(id: &str) -> String {
    match id {
        "rhel" | "redhat" => "redhat".to_string(),
        "opensuse-leap" | "opensuse-tumbleweed" | "opensuse" => "opensuse".to_string(),
        "sles" | "sle-micro" => "sles".to_string(),
        "mariner" => "cbl-mariner".to_string(),
        "amzn" => "amazon".to_string(),
        "ol" => "oracle".to_string(),
        other => other.to_string(),
    }
}

pub fn detect(view: &FileSystemView) -> OsInfo {
    // Alpine and Debian state their precise point release in their own files.
    if let Some(version) = text(view, "/etc/alpine-release") {
        return OsInfo {
            family: "alpine".to_string(),
            version: version.lines().next().unwrap_or_default().to_string(),
            codename: None,
            pretty_name: text(view, "/etc/os-release").and_then(|t| parse_os_release(&t).get("PRETTY_NAME").cloned()),
            kind: OsKind::Distro,
            evidence: Some("/etc/alpine-release".to_string()),
        };
    }
    let os_release = text(view, "/etc/os-release")
        .map(|t| ("/etc/os-release", t))
        .or_else(|| text(view, "/usr/lib/os-release").map(|t| ("/usr/lib/os-release", t)));
    if let Some((path, content)) = &os_release {
        let fields = parse_os_release(content);
        if let Some(id) = fields.get("ID").filter(|s| !s.is_empty()) {
            let family = family_of(id);
            let mut version = fields.get("VERSION_ID").cloned().unwrap_or_default();
            let mut evidence = path.to_string();
            if family == "debian"
                && let Some(v) = text(view, "/etc/debian_version")
                && v.chars().next().is_some_and(|c| c.is_ascii_digit())
            {
                version = v;
                evidence = "/etc/debian_version".to_string();
            }
            let pretty = fields.get("PRETTY_NAME").cloned();
            let kind = if pretty.as_deref().is_some_and(|p| p.contains("Distroless")) {
                OsKind::Distroless
            } else {
                OsKind::Distro
            };
            return OsInfo {
                family,
                version,
                codename: fields.get("VERSION_CODENAME").cloned().filter(|s| !s.is_empty()),
                pretty_name: pretty,
                kind,
                evidence: Some(evidence),
            };
        }
    }
    if let Some(v) = text(view, "/etc/debian_version") {
        return OsInfo {
            family: "debian".to_string(),
            version: v,
            codename: None,
            pretty_name: None,
            kind: OsKind::Distro,
            evidence: Some("/etc/debian_version".to_string()),
        };
    }
    for (path, family) in [
        ("/etc/centos-release", "centos"),
        ("/etc/rocky-release", "rocky"),
        ("/etc/almalinux-release", "alma"),
        ("/etc/fedora-release", "fedora"),
        ("/etc/oracle-release", "oracle"),
        ("/etc/redhat-release", "redhat"),
        ("/etc/system-release", "redhat"),
        ("/etc/SuSE-release", "sles"),
    ] {
        if let Some(t) = text(view, path) {
            let version = t
                .split_whitespace()
                .find(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))
                .unwrap_or_default()
                .to_string();
            return OsInfo {
                family: family.to_string(),
                version,
                codename: None,
                pretty_name: t.lines().next().map(str::to_string),
                kind: OsKind::Distro,
                evidence: Some(path.to_string()),
            };
        }
    }
    if let Some(t) = text(view, "/etc/lsb-release") {
        let f = parse_os_release(&t);
        if let Some(id) = f.get("DISTRIB_ID") {
            return OsInfo {
                family: id.to_ascii_lowercase(),
                version: f.get("DISTRIB_RELEASE").cloned().unwrap_or_default(),
                codename: f.get("DISTRIB_CODENAME").cloned(),
                pretty_name: f.get("DISTRIB_DESCRIPTION").cloned(),
                kind: OsKind::Distro,
                evidence: Some("/etc/lsb-release".to_string()),
            };
        }
    }
    OsInfo::none(OsKind::Unknown)
}

/// Name what kind of image has no OS, and say so in the warnings.
pub(crate) fn explain(os: &mut OsInfo, view: &FileSystemView, os_packages: usize, warnings: &mut Vec<String>) {
    if os.kind == OsKind::Distro && os_packages == 0 {
        warnings.push(format!(
            "{} {} detected ({}) but no package database found: OS packages are not listed",
            os.family,
            os.version,
            os.evidence.as_deref().unwrap_or("?")
        ));
        return;
    }
    if os.family != "none" {
        return;
    }
    if view.exists("/bin/busybox") || view.exists("/usr/bin/busybox") {
        os.kind = OsKind::Busybox;
        warnings.push(
            "busybox-only image: no package database; only the busybox binary and language packages can be listed"
                .to_string(),
        );
    } else if os_packages > 0 {
        os.kind = OsKind::Distroless;
        warnings.push("distroless image: packages found but no OS release file".to_string());
    } else if view.entries().next().is_none() {
        os.kind = OsKind::Scratch;
        warnings.push("no OS files at all (scratch image): no OS packages".to_string());
    } else {
        os.kind = OsKind::Unknown;
        warnings
            .push("OS not identified: no os-release or distribution release file; no OS packages listed".to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_quoted_os_release() {
        let f = parse_os_release("ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME='Debian GNU/Linux 12 (bookworm)'\n");
        assert_eq!(f["VERSION_ID"], "12");
        assert_eq!(f["PRETTY_NAME"], "Debian GNU/Linux 12 (bookworm)");
    }
}
