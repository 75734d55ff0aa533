//! Extra lookups a package needs beyond its own key, folded back into that
//! package's findings after matching:
//!
//! - **rpm packages under their binary name.** The matcher looks OS packages
//!   up by source package, as Debian, Ubuntu, Alpine, SUSE, openSUSE, Photon
//!   and Azure Linux key their records; AlmaLinux lists every binary package
//!   instead (`ALSA-2023:0946`: `openssl`, `openssl-libs`, `openssl-devel`,
//!   `openssl-perl`), and Rocky Linux does either. An rpm whose source RPM is
//!   named otherwise is looked up under both names; a vulnerability found
//!   twice is one finding.
//! - **Ubuntu Pro.** Canonical keys fixes shipped only through Ubuntu Pro
//!   (ESM) `Ubuntu:Pro:18.04:LTS`. A system without Pro still runs the
//!   vulnerable version, so each package of an LTS release is also looked up
//!   there; a vulnerability found only there, or found in both with a fix
//!   only in Pro, is reported with its Pro fix and [`PRO_FIX`] as
//!   `fix_requires`.

use std::collections::HashMap;
use std::sync::Arc;
use vigie_snapshot::scan::{FixStatus, PackageQuery, VulnMatch};

/// `fix_requires` of a finding whose only fix ships through Ubuntu Pro.
pub const PRO_FIX: &str = "Ubuntu Pro (ESM)";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    BinaryName,
    UbuntuPro,
}

/// The packages to match: the scan's own, then the extra lookups.
pub struct Lookups {
    pub queries: Vec<PackageQuery>,
    /// Per extra lookup (from `own` on): the package it stands for.
    origin: Vec<(usize, Kind)>,
    own: usize,
}

/// `Ubuntu:18.04:LTS` → `Ubuntu:Pro:18.04:LTS` (Pro covers LTS releases only).
fn pro_ecosystem(ecosystem: &str) -> Option<String> {
    let release = ecosystem.strip_prefix("Ubuntu:")?.strip_suffix(":LTS")?;
    (!release.starts_with("Pro:")).then(|| format!("Ubuntu:Pro:{release}:LTS"))
}

fn is_rpm(ecosystem: &str) -> bool {
    vigie_version::Scheme::for_ecosystem(ecosystem) == Some(vigie_version::Scheme::Rpm)
}

impl Lookups {
    pub fn of(packages: &[PackageQuery]) -> Lookups {
        let mut queries = packages.to_vec();
        let mut origin = Vec::new();
        for (i, p) in packages.iter().enumerate() {
            if is_rpm(&p.ecosystem) && p.source_name.as_deref().is_some_and(|s| !s.is_empty() && s != p.name) {
                queries.push(PackageQuery {
                    source_name: None,
                    ..p.clone()
                });
                origin.push((i, Kind::BinaryName));
            }
            if let Some(pro) = pro_ecosystem(&p.ecosystem) {
                queries.push(PackageQuery {
                    ecosystem: pro,
                    ..p.clone()
                });
                origin.push((i, Kind::UbuntuPro));
            }
        }
        Lookups {
            queries,
            origin,
            own: packages.len(),
        }
    }

    /// Whether there is anything to fold.
    pub fn has_extra(&self) -> bool {
        !self.origin.is_empty()
    }

    /// Findings of the extra lookups moved onto the packages they stand for.
    pub fn fold(&self, matches: Vec<VulnMatch>) -> Vec<VulnMatch> {
        if !self.has_extra() {
            return matches;
        }
        // Findings point at a copy of their query: an extra lookup is told
        // apart by its (ecosystem, name, source name, place) key.
        let key = |q: &PackageQuery| {
            (
                q.ecosystem.clone(),
                q.name.clone(),
                q.source_name.clone(),
                q.version.clone(),
                q.purl.clone(),
                q.found_in.clone(),
            )
        };
        let extra: HashMap<_, (usize, Kind)> = self.queries[self.own..]
            .iter()
            .zip(&self.origin)
            .map(|(q, o)| (key(q), *o))
            .collect();
        let mut own: Vec<VulnMatch> = Vec::with_capacity(matches.len());
        let mut found: Vec<(VulnMatch, usize, Kind)> = Vec::new();
        for m in matches {
            match extra.get(&key(&m.package)) {
                Some(&(i, kind)) => found.push((m, i, kind)),
                None => own.push(m),
            }
        }
        // (package key, id or alias) → position in `own`.
        let mut by_id: HashMap<(usize, &str), usize> = HashMap::new();
        let own_keys: HashMap<_, usize> = self.queries[..self.own]
            .iter()
            .enumerate()
            .map(|(i, q)| (key(q), i))
            .collect();
        let positions: Vec<Option<usize>> = own.iter().map(|m| own_keys.get(&key(&m.package)).copied()).collect();
        for (at, m) in own.iter().enumerate() {
            if let Some(p) = positions[at] {
                for id in std::iter::once(&m.id).chain(&m.aliases) {
                    by_id.entry((p, id.as_str())).or_insert(at);
                }
            }
        }
        let mut updates: Vec<(usize, VulnMatch)> = Vec::new();
        let mut added: Vec<VulnMatch> = Vec::new();
        let mut shared: HashMap<usize, Arc<PackageQuery>> = HashMap::new();
        for (mut m, i, kind) in found {
            let same = std::iter::once(&m.id)
                .chain(&m.aliases)
                .find_map(|id| by_id.get(&(i, id.as_str())).copied());
            match (same, kind) {
                // Found under both names: one finding.
                (Some(_), Kind::BinaryName) => {}
                (Some(at), Kind::UbuntuPro) => {
                    if own[at].fixed_versions.is_empty() && !m.fixed_versions.is_empty() {
                        updates.push((at, m));
                    }
                }
                (None, _) => {
                    let package = shared
                        .entry(i)
                        .or_insert_with(|| Arc::new(self.queries[i].clone()))
                        .clone();
                    m.package = package;
                    if kind == Kind::UbuntuPro && !m.fixed_versions.is_empty() {
                        m.fix_requires = Some(PRO_FIX.into());
                    }
                    added.push(m);
                }
            }
        }
        for (at, pro) in updates {
            let m = &mut own[at];
            m.fixed_versions = pro.fixed_versions;
            m.fix_status = FixStatus::Fixed;
            m.fix_requires = Some(PRO_FIX.into());
            for record in pro.records {
                if !m.records.contains(&record) {
                    m.records.push(record);
                }
            }
        }
        own.extend(added);
        own
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pro_ecosystems_are_lts_only() {
        assert_eq!(
            pro_ecosystem("Ubuntu:18.04:LTS").as_deref(),
            Some("Ubuntu:Pro:18.04:LTS")
        );
        assert_eq!(pro_ecosystem("Ubuntu:23.10"), None);
        assert_eq!(pro_ecosystem("Ubuntu:Pro:18.04:LTS"), None);
        assert_eq!(pro_ecosystem("Debian:12"), None);
    }

    fn query(ecosystem: &str, name: &str, source: Option<&str>) -> PackageQuery {
        PackageQuery {
            ecosystem: ecosystem.to_string(),
            name: name.to_string(),
            version: "1:3.0.1-41.el9_0".to_string(),
            source_name: source.map(str::to_string),
            source_version: None,
            purl: Some(format!("pkg:rpm/almalinux/{name}")),
            found_in: Some("/var/lib/rpm/rpmdb.sqlite".to_string()),
            layer: None,
        }
    }

    #[test]
    fn rpm_binaries_of_another_source_get_a_second_lookup() {
        let packages = [
            query("AlmaLinux:9", "openssl-libs", Some("openssl")),
            query("AlmaLinux:9", "openssl", Some("openssl")),
            query("Debian:12", "libssl3", Some("openssl")),
        ];
        let lookups = Lookups::of(&packages);
        assert_eq!(lookups.queries.len(), 4);
        assert_eq!(lookups.queries[3].name, "openssl-libs");
        assert_eq!(lookups.queries[3].source_name, None);
        assert_eq!(lookups.origin, vec![(0, Kind::BinaryName)]);
    }
}
