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

    /// The OSV ecosystem of this distribution's packages, keyed exactly as
    /// OSV keys each one (ossf/osv-schema `ecosystems.json`): `Debian:12`,
    /// `Ubuntu:22.04:LTS`, `Alpine:v3.10`, `AlmaLinux:9`, `Rocky Linux:9`,
    /// `SUSE:Linux Enterprise Server 15 SP5` and `openSUSE:Leap 15.5` (the
    /// product's `PRETTY_NAME`), `Wolfi`, `Chainguard`, `Azure Linux:3`,
    /// `Photon OS:4.0`. `None` for a distribution OSV does not publish
    /// (Amazon Linux, Oracle Linux) or that it keys otherwise (Red Hat: by
    /// product CPE, see [`OsInfo::no_advisory_reason`]).
    pub fn osv_ecosystem(&self) -> Option<String> {
        let major = self.version.split('.').next().unwrap_or_default();
        let minor: String = self.version.split('.').take(2).collect::<Vec<_>>().join(".");
        let numbered = |name: &str, release: &str| {
            (!release.is_empty() && release.chars().all(|c| c.is_ascii_digit() || c == '.'))
                .then(|| format!("{name}:{release}"))
        };
        match self.family.as_str() {
            "debian" => Some(format!("Debian:{major}")),
            // OSV keys LTS releases (even year, April) `Ubuntu:22.04:LTS`, the others `Ubuntu:23.10`.
            "ubuntu" => {
                let lts = minor.ends_with(".04") && major.parse::<u32>().is_ok_and(|y| y % 2 == 0);
                Some(format!("Ubuntu:{minor}{}", if lts { ":LTS" } else { "" }))
            }
            "alpine" => Some(format!("Alpine:v{minor}")),
            "almalinux" | "alma" => numbered("AlmaLinux", major),
            "rocky" => numbered("Rocky Linux", major),
            "wolfi" => Some("Wolfi".to_string()),
            "chainguard" => Some("Chainguard".to_string()),
            // CBL-Mariner is Azure Linux's former name (2.0); OSV's Azure Linux records are `Azure Linux:<major>`.
            "azurelinux" | "cbl-mariner" => numbered("Azure Linux", major),
            "photon" => numbered("Photon OS", &minor),
            "sles" => self.suse_release("SUSE").map(|r| format!("SUSE:{r}")),
            "opensuse" => self.suse_release("openSUSE").map(|r| format!("openSUSE:{r}")),
            _ => None,
        }
    }

    /// SUSE and openSUSE records are keyed by the product's marketing name,
    /// `PRETTY_NAME` without the vendor word (`SUSE Linux Enterprise Server
    /// 15 SP5` → `Linux Enterprise Server 15 SP5`, `openSUSE Leap 15.5` →
    /// `Leap 15.5`). Without a `PRETTY_NAME`, the name is rebuilt from the
    /// version as SUSE writes it (`15.5` → `15 SP5`).
    fn suse_release(&self, vendor: &str) -> Option<String> {
        if let Some(pretty) = self.pretty_name.as_deref()
            && let Some(rest) = pretty.strip_prefix(vendor).and_then(|r| r.strip_prefix(' '))
            && !rest.trim().is_empty()
        {
            return Some(rest.trim().to_string());
        }
        let (major, service_pack) = self.version.split_once('.').unwrap_or((self.version.as_str(), "0"));
        if major.is_empty() || !major.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        Some(if vendor == "SUSE" {
            match service_pack {
                "0" | "" => format!("Linux Enterprise Server {major}"),
                sp => format!("Linux Enterprise Server {major} SP{sp}"),
            }
        } else if major.len() >= 8 {
            // Tumbleweed's VERSION_ID is a snapshot date.
            "Tumbleweed".to_string()
        } else {
            format!("Leap {}", self.version)
        })
    }

    /// Why a detected distribution's packages cannot be matched, for the
    /// incomplete reason (`None` when [`OsInfo::osv_ecosystem`] keys it).
    pub fn no_advisory_reason(&self) -> Option<String> {
        if self.osv_ecosystem().is_some() {
            return None;
        }
        Some(match self.family.as_str() {
            "amazon" => "Amazon Linux publishes its advisories (ALAS) outside OSV; vigie has no source for them".to_string(),
            "oracle" => "Oracle Linux publishes its advisories (ELSA) outside OSV; vigie has no source for them".to_string(),
            "redhat" | "centos" => "Red Hat's OSV records are keyed by product stream (CPE), which needs the content sets of the image (/root/buildinfo/content_manifests) mapped through Red Hat's repository-to-CPE list; vigie does not do that yet".to_string(),
            "" | "none" => "no distribution was identified".to_string(),
            _ => "OSV publishes no advisories under this distribution's name".to_string(),
        })
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

    fn os_release(family: &str, version: &str, pretty: &str) -> OsInfo {
        OsInfo {
            pretty_name: Some(pretty.to_string()),
            ..os(family, version)
        }
    }

    /// The os-release fields of real images (ID, VERSION_ID, PRETTY_NAME as
    /// each distribution writes them) keyed as OSV's ecosystems.json says.
    #[test]
    fn rpm_and_apk_distributions_are_keyed_as_osv_keys_them() {
        let cases = [
            (
                os_release("almalinux", "9.3", "AlmaLinux 9.3 (Shamrock Pampas Cat)"),
                Some("AlmaLinux:9"),
            ),
            (os("alma", "8.9"), Some("AlmaLinux:8")),
            (
                os_release("rocky", "9.3", "Rocky Linux 9.3 (Blue Onyx)"),
                Some("Rocky Linux:9"),
            ),
            (
                os_release("sles", "15.5", "SUSE Linux Enterprise Server 15 SP5"),
                Some("SUSE:Linux Enterprise Server 15 SP5"),
            ),
            (os("sles", "15.4"), Some("SUSE:Linux Enterprise Server 15 SP4")),
            (
                os_release("sles", "5.5", "SUSE Linux Enterprise Micro 5.5"),
                Some("SUSE:Linux Enterprise Micro 5.5"),
            ),
            (
                os_release("opensuse", "15.5", "openSUSE Leap 15.5"),
                Some("openSUSE:Leap 15.5"),
            ),
            (
                os_release("opensuse", "20240607", "openSUSE Tumbleweed"),
                Some("openSUSE:Tumbleweed"),
            ),
            (os("opensuse", "20240607"), Some("openSUSE:Tumbleweed")),
            (os_release("wolfi", "20230201", "Wolfi"), Some("Wolfi")),
            (os_release("chainguard", "20230214", "Chainguard"), Some("Chainguard")),
            (
                os_release("azurelinux", "3.0", "Microsoft Azure Linux 3.0"),
                Some("Azure Linux:3"),
            ),
            (
                os_release("cbl-mariner", "2.0", "CBL-Mariner/Linux"),
                Some("Azure Linux:2"),
            ),
            (
                os_release("photon", "4.0", "VMware Photon OS/Linux"),
                Some("Photon OS:4.0"),
            ),
            (os_release("amazon", "2023", "Amazon Linux 2023"), None),
            (os_release("oracle", "9.3", "Oracle Linux Server 9.3"), None),
            (os_release("redhat", "9.3", "Red Hat Enterprise Linux 9.3 (Plow)"), None),
            (os("rocky", ""), None),
        ];
        for (info, expected) in cases {
            assert_eq!(info.osv_ecosystem().as_deref(), expected, "{info:?}");
            assert_eq!(info.no_advisory_reason().is_none(), expected.is_some(), "{info:?}");
        }
        assert!(
            os("amazon", "2")
                .no_advisory_reason()
                .is_some_and(|r| r.contains("outside OSV"))
        );
        assert!(
            os("redhat", "9.3")
                .no_advisory_reason()
                .is_some_and(|r| r.contains("CPE"))
        );
    }
}
