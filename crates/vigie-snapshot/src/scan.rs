//! Results of `vigie scan`: the packages checked, the vulnerabilities that
//! matched them and what policy did with them. Plain data: the matcher
//! (`vigie-vulndb`) fills it, the printers (`vigie-report`) show it.

use crate::severity::{Severity, Suppression};
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;
use std::sync::Arc;

/// One installed package to check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageQuery {
    /// OSV ecosystem, with the release for OS packages (`Debian:11`).
    pub ecosystem: String,
    pub name: String,
    pub version: String,
    /// Source package of an OS binary package (dpkg `Source:`, apk origin).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    /// The file the package was read from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub found_in: Option<String>,
    /// The image layer (digest) that added that file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FixStatus {
    /// A fixed version exists.
    Fixed,
    /// No fixed version is known.
    Affected,
}

/// An advisory record that contributed to a finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RecordRef {
    pub id: SmolStr,
    pub source: SmolStr,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<SmolStr>,
}

/// One vulnerability of one package (aliases grouped: one CVE reached
/// through two advisories is one match carrying both ids).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VulnMatch {
    /// Preferred id: a CVE when the group has one, else the first record id.
    pub id: SmolStr,
    /// Every other id of the group (record ids and their aliases).
    pub aliases: Vec<SmolStr>,
    /// Upstream/related ids (`upstream`, `related`): not the same issue, but linked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<SmolStr>,
    /// The package, shared by all of its findings.
    #[serde(with = "shared_package")]
    pub package: Arc<PackageQuery>,
    /// The version compared (the source version for OS packages).
    pub installed_version: SmolStr,
    pub fixed_versions: Vec<SmolStr>,
    pub fix_status: FixStatus,
    /// What installing the fix needs beyond the distribution's own
    /// archive (`Ubuntu Pro (ESM)`: the fix ships only there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix_requires: Option<SmolStr>,
    pub severity: Rated,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<SmolStr>,
    /// The record's `details`, whole (bounded to 64 KiB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<SmolStr>,
    /// The record's `published` time (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<SmolStr>,
    pub references: Vec<SmolStr>,
    pub records: Vec<RecordRef>,
}

impl VulnMatch {
    /// The order findings are shown in: most severe first, then by id.
    pub fn finding_order(&self, other: &VulnMatch) -> std::cmp::Ordering {
        other
            .severity
            .severity
            .cmp(&self.severity.severity)
            .then(self.id.cmp(&other.id))
    }
}

/// (De)serialises a finding's shared package as the plain package object.
mod shared_package {
    use super::PackageQuery;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::sync::Arc;

    pub fn serialize<S: Serializer>(package: &Arc<PackageQuery>, serializer: S) -> Result<S::Ok, S::Error> {
        package.as_ref().serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Arc<PackageQuery>, D::Error> {
        PackageQuery::deserialize(deserializer).map(Arc::new)
    }
}

/// A severity with its provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rated {
    #[serde(with = "crate::severity::upper")]
    pub severity: Severity,
    /// `cvss-v3`, `cvss-v4`, `database_specific`, `none`.
    pub source: SmolStr,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vector: Option<SmolStr>,
}

/// The matches after policy.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Applied {
    pub reported: Vec<VulnMatch>,
    pub suppressed: Vec<(VulnMatch, Suppression)>,
    /// Filtered out by `--severity` or `--ignore-unfixed`.
    pub filtered: usize,
    /// Expired ignore entries, one line each.
    pub notices: Vec<String>,
}

/// Version of vigie's own scan JSON layout.
pub const SCAN_SCHEMA: &str = "vigie.scan/v1";

#[derive(Debug, Clone, Serialize)]
pub struct OsSummary {
    pub family: String,
    pub version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ecosystem: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DbSummary {
    pub path: String,
    /// Unix time of the last import or update.
    pub updated_at: i64,
    pub age_seconds: i64,
    pub sources: Vec<String>,
}

/// What the database knows of one package ecosystem the target has.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct EcosystemCoverage {
    /// The OSV ecosystem, release included (`Debian:12`, `Alpine:v3.19`, `PyPI`).
    pub ecosystem: String,
    /// Packages of the target in it.
    pub packages: usize,
    /// Advisory records of the database that name a package of it (0: none,
    /// so its packages were not checked and the result is incomplete).
    pub records: usize,
    /// Package names of it with at least one advisory.
    pub names_with_advisories: usize,
    /// The latest `modified` time among those records.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub newest_record: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScanResult {
    pub target: String,
    /// `container_image`, `filesystem`, `lockfile`, `sbom`.
    pub artifact_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os: Option<OsSummary>,
    pub database: DbSummary,
    pub packages: Vec<PackageQuery>,
    pub applied: Applied,
    pub warnings: Vec<String>,
    /// Parts of the target that could not be read (a file, a layer), and
    /// ecosystems the database has no advisories for: the findings may miss
    /// something.
    pub incomplete: Vec<String>,
    /// Per ecosystem of the target, what the database holds for it.
    pub coverage: Vec<EcosystemCoverage>,
}
