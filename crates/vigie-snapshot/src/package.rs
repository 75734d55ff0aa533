//! What a package cataloguer finds: packages, the OS, the catalog of an
//! image or a directory, and what an SBOM describes. Plain data: the
//! cataloguers (`vigie-catalog`) fill it, the SBOM printers (`vigie-report`)
//! show it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ecosystem {
    Deb,
    Apk,
    Rpm,
    Pypi,
    Npm,
    Cargo,
    Go,
    Maven,
}

impl Ecosystem {
    pub fn as_str(self) -> &'static str {
        match self {
            Ecosystem::Deb => "deb",
            Ecosystem::Apk => "apk",
            Ecosystem::Rpm => "rpm",
            Ecosystem::Pypi => "pypi",
            Ecosystem::Npm => "npm",
            Ecosystem::Cargo => "cargo",
            Ecosystem::Go => "go",
            Ecosystem::Maven => "maven",
        }
    }

    /// An OS package (from the distribution's package manager).
    pub fn is_os(self) -> bool {
        matches!(self, Ecosystem::Deb | Ecosystem::Apk | Ecosystem::Rpm)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    pub name: String,
    /// The full version as the ecosystem writes it (`1:2.3-4` for deb/rpm with an epoch).
    pub version: String,
    pub ecosystem: Ecosystem,
    pub purl: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_version: Option<String>,
    pub licenses: Vec<String>,
    /// The file it came from (absolute path in the image).
    pub found_in: String,
    /// Diff id of the layer that introduced it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Catalog {
    pub os: OsInfo,
    pub packages: Vec<Package>,
    /// Everything worth telling: what could not be read, and notes on the
    /// OS (busybox-only, scratch, distroless).
    pub warnings: Vec<String>,
    /// The warnings that make the package list incomplete (a file or layer
    /// not read, a database entry not understood); empty for a full list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub incomplete: Vec<String>,
}

impl Catalog {
    /// Some files, layers or entries could not be read: packages may be missing.
    pub fn is_incomplete(&self) -> bool {
        !self.incomplete.is_empty()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OsKind {
    /// A distribution with a package manager database.
    Distro,
    /// Distribution packages without a shell or package manager (gcr.io/distroless).
    Distroless,
    /// Only a busybox binary: no package database.
    Busybox,
    /// No files that identify an OS (FROM scratch, a single static binary).
    Scratch,
    /// Files exist, but nothing names the OS.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsInfo {
    /// `debian`, `ubuntu`, `alpine`, `rhel`, `centos`, `fedora`, `sles`, `cbl-mariner`, … or `none`.
    pub family: String,
    /// The version as the distribution states it (`12.5` from /etc/debian_version, `3.10.4`).
    pub version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub codename: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pretty_name: Option<String>,
    pub kind: OsKind,
    /// The file the answer came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

impl OsInfo {
    pub fn none(kind: OsKind) -> Self {
        OsInfo {
            family: "none".to_string(),
            version: String::new(),
            codename: None,
            pretty_name: None,
            kind,
            evidence: None,
        }
    }

    /// `distro` qualifier of OS package URLs.
    pub fn purl_distro(&self) -> String {
        match self.family.as_str() {
            "alpine" => self.version.clone(),
            "none" => String::new(),
            family if self.version.is_empty() => family.to_string(),
            family => format!("{family}-{}", self.version),
        }
    }

    /// The OSV ecosystem of this distribution's packages (`Debian:12`, `Alpine:v3.10`).
    pub fn osv_ecosystem(&self) -> Option<String> {
        let major = self.version.split('.').next().unwrap_or_default();
        let minor: String = self.version.split('.').take(2).collect::<Vec<_>>().join(".");
        match self.family.as_str() {
            "debian" => Some(format!("Debian:{major}")),
            // OSV keys LTS releases (even year, April) `Ubuntu:22.04:LTS`, the others `Ubuntu:23.10`.
            "ubuntu" => {
                let lts = minor.ends_with(".04") && major.parse::<u32>().is_ok_and(|y| y % 2 == 0);
                Some(format!("Ubuntu:{minor}{}", if lts { ":LTS" } else { "" }))
            }
            "alpine" => Some(format!("Alpine:v{minor}")),
            _ => None,
        }
    }
}

/// What the SBOM describes.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Subject {
    /// What the user asked for (`alpine:3.10`, `dir:/`, a file).
    pub reference: String,
    /// `docker`, `docker-archive`, `oci`, `oci-archive`, `dir`.
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub tags: Vec<String>,
    /// Layer diff ids, bottom first.
    pub layers: Vec<String>,
}

/// CycloneDX metadata property marking an incomplete SBOM (read back by `vigie scan`).
pub const INCOMPLETE_PROPERTY: &str = "vigie:incomplete";
/// CycloneDX metadata property carrying one reason an SBOM is incomplete.
pub const WARNING_PROPERTY: &str = "vigie:warning";

#[cfg(test)]
mod tests {
    use super::*;

    fn os(family: &str, version: &str) -> OsInfo {
        OsInfo {
            family: family.to_string(),
            version: version.to_string(),
            ..OsInfo::none(OsKind::Distro)
        }
    }

    /// Keyed exactly as OSV keys them (the ecosystems of canonical/ubuntu-security-notices).
    #[test]
    fn osv_ecosystems() {
        assert_eq!(
            os("ubuntu", "18.04").osv_ecosystem().as_deref(),
            Some("Ubuntu:18.04:LTS")
        );
        assert_eq!(
            os("ubuntu", "22.04").osv_ecosystem().as_deref(),
            Some("Ubuntu:22.04:LTS")
        );
        assert_eq!(os("ubuntu", "23.10").osv_ecosystem().as_deref(), Some("Ubuntu:23.10"));
        assert_eq!(os("ubuntu", "21.04").osv_ecosystem().as_deref(), Some("Ubuntu:21.04"));
        assert_eq!(os("debian", "12.5").osv_ecosystem().as_deref(), Some("Debian:12"));
        assert_eq!(os("alpine", "3.10.4").osv_ecosystem().as_deref(), Some("Alpine:v3.10"));
    }
}
