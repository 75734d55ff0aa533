//! Version ordering for every package scheme vigie matches: Debian (dpkg), Alpine (apk), RPM, SemVer
//! (crates.io, npm), PEP 440 (PyPI), Maven and Go.
//!
//! Place in the pipeline: the catalogue gives each package a version string, the vulnerability database
//! gives ranges of version strings; the matcher parses the package's version once with [`Version::parse`]
//! and compares it against many range bounds. This crate does nothing else: no ranges, no matching.
//!
//! Each scheme follows its reference implementation, and the tests compare against that implementation
//! itself (dpkg/libapt, rpm, Python's `packaging`, apk-tools in the real `alpine:3.10` image, Maven's own
//! `ComparableVersion`); see `docs/dev/versions.md`. All schemes are hand-written: each algorithm is
//! small, and owning it lets every scheme share one error type, never panic on any input and avoid
//! allocation-heavy parsers in the matcher's hot loop.
//!
//! ```
//! use std::cmp::Ordering;
//! use vigie_version::{Scheme, Version, compare};
//!
//! let scheme = Scheme::for_ecosystem("Debian:11").unwrap();
//! assert_eq!(compare(scheme, "1.0~rc1-1", "1.0-1").unwrap(), Ordering::Less);
//! let installed = Version::parse(Scheme::Apk, "1.1.1d-r0").unwrap();
//! assert!(installed < Version::parse(Scheme::Apk, "1.1.1g-r0").unwrap());
//! assert!(Version::parse(Scheme::Pep440, "2013-01-21T20:33:09+0100").is_err());
//! ```

mod apk;
mod deb;
mod maven;
mod number;
mod pep440;
mod rpm;
mod semver;

use std::cmp::Ordering;
use std::fmt;

/// A version ordering scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Scheme {
    /// Debian and Ubuntu: dpkg's `epoch:upstream-revision`.
    Deb,
    /// Alpine and Wolfi: apk-tools' `1.2.3a_rc1-r0`.
    Apk,
    /// Red Hat family, SUSE, Mariner: rpm's `epoch:version-release`.
    Rpm,
    /// SemVer 2.0.0 (crates.io, npm), lenient about a leading `v`.
    Semver,
    /// PEP 440 (PyPI).
    Pep440,
    /// Maven's `ComparableVersion`.
    Maven,
    /// Go modules: semver with `v`, pseudo-versions, `+incompatible`.
    Go,
}

impl Scheme {
    /// Every scheme, in the order used when versions of different schemes are compared.
    pub const ALL: [Scheme; 7] = [
        Scheme::Deb,
        Scheme::Apk,
        Scheme::Rpm,
        Scheme::Semver,
        Scheme::Pep440,
        Scheme::Maven,
        Scheme::Go,
    ];

    /// The scheme of an OSV ecosystem name (`Debian:11`, `Alpine:v3.10`, `PyPI`, ...); `None` when
    /// vigie has no ordering for it. Only the part before the first `:` counts.
    pub fn for_ecosystem(ecosystem: &str) -> Option<Scheme> {
        let base = ecosystem.split(':').next().unwrap_or(ecosystem).trim();
        Some(match base {
            "Debian" | "Ubuntu" => Scheme::Deb,
            "Alpine" | "Wolfi" | "Chainguard" => Scheme::Apk,
            "Red Hat" | "Rocky Linux" | "AlmaLinux" | "SUSE" | "openSUSE" | "Mariner" | "Azure Linux" | "Photon OS"
            | "openEuler" => Scheme::Rpm,
            "crates.io" | "npm" => Scheme::Semver,
            "PyPI" => Scheme::Pep440,
            "Maven" => Scheme::Maven,
            "Go" => Scheme::Go,
            _ => return None,
        })
    }

    /// The scheme's short lower-case name, as used in messages.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Deb => "deb",
            Scheme::Apk => "apk",
            Scheme::Rpm => "rpm",
            Scheme::Semver => "semver",
            Scheme::Pep440 => "pep440",
            Scheme::Maven => "maven",
            Scheme::Go => "go",
        }
    }

    fn rank(self) -> u8 {
        self as u8
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A version string that its scheme rejects.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    /// The string is empty (or only blanks).
    #[error("invalid {scheme} version {input:?}: empty")]
    Empty { scheme: Scheme, input: String },
    /// The string breaks the scheme's syntax; `reason` says how.
    #[error("invalid {scheme} version {input:?}: {reason}")]
    Invalid {
        scheme: Scheme,
        input: String,
        reason: &'static str,
    },
}

impl VersionError {
    pub(crate) fn invalid(scheme: Scheme, input: &str, reason: &'static str) -> VersionError {
        VersionError::Invalid {
            scheme,
            input: input.to_owned(),
            reason,
        }
    }

    pub(crate) fn empty(scheme: Scheme, input: &str) -> VersionError {
        VersionError::Empty {
            scheme,
            input: input.to_owned(),
        }
    }

    /// The scheme that rejected the string.
    pub fn scheme(&self) -> Scheme {
        match self {
            VersionError::Empty { scheme, .. } | VersionError::Invalid { scheme, .. } => *scheme,
        }
    }

    /// The rejected string.
    pub fn input(&self) -> &str {
        match self {
            VersionError::Empty { input, .. } | VersionError::Invalid { input, .. } => input,
        }
    }
}

/// Compares two version strings of one scheme.
pub fn compare(scheme: Scheme, a: &str, b: &str) -> Result<Ordering, VersionError> {
    match scheme {
        // The string-based algorithms compare without building a `Version` (no allocation).
        Scheme::Deb => deb::compare_strings(a, b),
        Scheme::Rpm => rpm::compare_strings(a, b),
        Scheme::Apk => apk::compare_strings(a, b),
        _ => Ok(Version::parse(scheme, a)?.cmp(&Version::parse(scheme, b)?)),
    }
}

/// A parsed version, for repeated comparisons (the matcher compares one package version against many
/// range bounds).
///
/// Equality is the scheme's: `1.0` and `1.00` are equal Debian versions. Versions of different schemes
/// are ordered by scheme first (in [`Scheme::ALL`] order), so a mixed collection still sorts.
#[derive(Debug, Clone)]
pub struct Version {
    scheme: Scheme,
    original: Box<str>,
    parsed: Parsed,
}

#[derive(Debug, Clone)]
enum Parsed {
    Deb(deb::DebVersion),
    Apk(apk::ApkVersion),
    Rpm(rpm::RpmVersion),
    Semver(semver::SemVersion),
    Pep440(pep440::Pep440Version),
    Maven(maven::MavenVersion),
    Go(semver::SemVersion),
}

impl Version {
    /// Parses `s` under `scheme`.
    pub fn parse(scheme: Scheme, s: &str) -> Result<Version, VersionError> {
        let parsed = match scheme {
            Scheme::Deb => Parsed::Deb(deb::DebVersion::parse(s)?),
            Scheme::Apk => Parsed::Apk(apk::ApkVersion::parse(s)?),
            Scheme::Rpm => Parsed::Rpm(rpm::RpmVersion::parse(s)?),
            Scheme::Semver => Parsed::Semver(semver::SemVersion::parse_semver(s)?),
            Scheme::Pep440 => Parsed::Pep440(pep440::Pep440Version::parse(s)?),
            Scheme::Maven => Parsed::Maven(maven::MavenVersion::parse(s)?),
            Scheme::Go => Parsed::Go(semver::SemVersion::parse_go(s)?),
        };
        Ok(Version {
            scheme,
            original: s.into(),
            parsed,
        })
    }

    /// The scheme this version was parsed under.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The string as given to [`Version::parse`].
    pub fn as_str(&self) -> &str {
        &self.original
    }

    /// For Go: whether this is a pseudo-version (`v0.0.0-20191109021931-daa7c04131f5` and its
    /// `vX.Y.Z-pre.0.` / `vX.Y.(Z+1)-0.` forms). `false` for every other scheme.
    pub fn is_go_pseudo_version(&self) -> bool {
        matches!(&self.parsed, Parsed::Go(v) if v.is_pseudo())
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Version) -> Ordering {
        match (&self.parsed, &other.parsed) {
            (Parsed::Deb(a), Parsed::Deb(b)) => a.cmp(b),
            (Parsed::Apk(a), Parsed::Apk(b)) => a.cmp(b),
            (Parsed::Rpm(a), Parsed::Rpm(b)) => a.cmp(b),
            (Parsed::Semver(a), Parsed::Semver(b)) | (Parsed::Go(a), Parsed::Go(b)) => a.cmp(b),
            (Parsed::Pep440(a), Parsed::Pep440(b)) => a.cmp(b),
            (Parsed::Maven(a), Parsed::Maven(b)) => a.cmp(b),
            _ => self.scheme.rank().cmp(&other.scheme.rank()),
        }
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Version) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Version) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecosystems_map_to_schemes() {
        let cases = [
            ("Debian:11", Some(Scheme::Deb)),
            ("Debian", Some(Scheme::Deb)),
            ("Ubuntu:22.04:LTS", Some(Scheme::Deb)),
            ("Alpine:v3.10", Some(Scheme::Apk)),
            ("Alpine", Some(Scheme::Apk)),
            ("Wolfi", Some(Scheme::Apk)),
            ("Red Hat:enterprise_linux:8::appstream", Some(Scheme::Rpm)),
            ("Rocky Linux:8", Some(Scheme::Rpm)),
            ("AlmaLinux:9", Some(Scheme::Rpm)),
            ("SUSE:Linux Enterprise Server 15 SP5", Some(Scheme::Rpm)),
            ("openSUSE:Leap 15.5", Some(Scheme::Rpm)),
            ("Mariner:2.0", Some(Scheme::Rpm)),
            ("crates.io", Some(Scheme::Semver)),
            ("npm", Some(Scheme::Semver)),
            ("PyPI", Some(Scheme::Pep440)),
            ("Maven", Some(Scheme::Maven)),
            ("Go", Some(Scheme::Go)),
            ("RubyGems", None),
            ("", None),
            ("debian:11", None),
        ];
        for (ecosystem, expected) in cases {
            assert_eq!(Scheme::for_ecosystem(ecosystem), expected, "{ecosystem}");
        }
    }

    #[test]
    fn errors_name_scheme_and_input() {
        let error = compare(Scheme::Deb, "1:", "1.0").unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid deb version \"1:\": nothing after colon in version number"
        );
        assert_eq!(error.scheme(), Scheme::Deb);
        assert_eq!(error.input(), "1:");
        for scheme in Scheme::ALL {
            let error = Version::parse(scheme, "").unwrap_err();
            assert_eq!(error.to_string(), format!("invalid {scheme} version \"\": empty"));
        }
    }

    #[test]
    fn different_schemes_order_by_scheme() {
        let deb = Version::parse(Scheme::Deb, "9.0").unwrap();
        let pypi = Version::parse(Scheme::Pep440, "1.0").unwrap();
        assert!(deb < pypi);
        assert_ne!(deb, pypi);
        let semver = Version::parse(Scheme::Semver, "1.0.0").unwrap();
        let go = Version::parse(Scheme::Go, "v1.0.0").unwrap();
        assert!(semver < go);
    }

    #[test]
    fn equality_is_the_schemes() {
        assert_eq!(
            Version::parse(Scheme::Deb, "1.0").unwrap(),
            Version::parse(Scheme::Deb, "1.00").unwrap()
        );
        assert_eq!(compare(Scheme::Pep440, "1.0", "1.0.0").unwrap(), Ordering::Equal);
        assert_eq!(Version::parse(Scheme::Deb, "1.00").unwrap().as_str(), "1.00");
    }
}
