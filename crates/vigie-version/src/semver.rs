//! SemVer 2.0.0 precedence (crates.io, npm) and Go module versions, which are SemVer with a `v`.
//!
//! Hand-written rather than the `semver` crate: that crate's `Ord` also orders build metadata, while
//! SemVer precedence (and Go's `semver.Compare`) ignores it, so `1.0.0+a` and `1.0.0+b` are equal here;
//! numbers of any length are accepted (npm and Go records carry long ones), compared exactly.
//!
//! - SemVer: `MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]`, strict (no leading zeros in numbers), but a
//!   leading `v`/`V` and surrounding white space are accepted, as npm's `semver` does.
//! - Go: as `golang.org/x/mod/semver` with the `v` optional (OSV writes Go versions without it);
//!   `v1` and `v1.2` mean `v1.0.0` and `v1.2.0`; `+incompatible` is build metadata and ignored;
//!   pseudo-versions are pre-releases, so they sort where Go sorts them.

use std::cmp::Ordering;

use crate::number::Number;
use crate::{Scheme, VersionError};

#[derive(Debug, Clone)]
pub(crate) struct SemVersion {
    major: Number,
    minor: Number,
    patch: Number,
    pre: Vec<Identifier>,
    pseudo: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Identifier {
    Numeric(Number),
    Alphanumeric(Box<str>),
}

impl Ord for Identifier {
    fn cmp(&self, other: &Identifier) -> Ordering {
        match (self, other) {
            (Identifier::Numeric(a), Identifier::Numeric(b)) => a.cmp(b),
            (Identifier::Numeric(_), Identifier::Alphanumeric(_)) => Ordering::Less,
            (Identifier::Alphanumeric(_), Identifier::Numeric(_)) => Ordering::Greater,
            (Identifier::Alphanumeric(a), Identifier::Alphanumeric(b)) => a.as_bytes().cmp(b.as_bytes()),
        }
    }
}

impl PartialOrd for Identifier {
    fn partial_cmp(&self, other: &Identifier) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

fn numeric(text: &str) -> Option<Number> {
    let valid = !text.is_empty()
        && text.bytes().all(|byte| byte.is_ascii_digit())
        && (text.len() == 1 || !text.starts_with('0'));
    valid.then(|| Number::from_digits(text))
}

fn identifiers_valid(text: &str) -> bool {
    text.split('.').all(|identifier| {
        !identifier.is_empty()
            && identifier
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-')
    })
}

impl SemVersion {
    pub(crate) fn parse_semver(input: &str) -> Result<SemVersion, VersionError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(VersionError::empty(Scheme::Semver, input));
        }
        let text = text.strip_prefix(['v', 'V']).unwrap_or(text);
        SemVersion::parse_body(text, false).map_err(|reason| VersionError::invalid(Scheme::Semver, input, reason))
    }

    pub(crate) fn parse_go(input: &str) -> Result<SemVersion, VersionError> {
        if input.is_empty() {
            return Err(VersionError::empty(Scheme::Go, input));
        }
        let text = input.strip_prefix('v').unwrap_or(input);
        SemVersion::parse_body(text, true).map_err(|reason| VersionError::invalid(Scheme::Go, input, reason))
    }

    fn parse_body(text: &str, go: bool) -> Result<SemVersion, &'static str> {
        let (rest, build) = match text.split_once('+') {
            Some((rest, build)) => (rest, Some(build)),
            None => (text, None),
        };
        let (core, pre) = match rest.split_once('-') {
            Some((core, pre)) => (core, Some(pre)),
            None => (rest, None),
        };
        let mut parts = core.split('.');
        let major = parts.next().and_then(numeric).ok_or("major version is not a number")?;
        let minor = parts
            .next()
            .map(|part| numeric(part).ok_or("minor version is not a number"))
            .transpose()?;
        let patch = parts
            .next()
            .map(|part| numeric(part).ok_or("patch version is not a number"))
            .transpose()?;
        if parts.next().is_some() {
            return Err("more than three numeric components");
        }
        let (minor, patch) = match (minor, patch) {
            (Some(minor), Some(patch)) => (minor, patch),
            // Go's shorthand `v1` and `v1.2`, without pre-release or build.
            (minor, None) if go && pre.is_none() && build.is_none() => (minor.unwrap_or(Number::ZERO), Number::ZERO),
            _ => return Err("expected major.minor.patch"),
        };
        let mut identifiers = Vec::new();
        if let Some(pre) = pre {
            if !identifiers_valid(pre) {
                return Err("pre-release identifiers must be non-empty [0-9A-Za-z-]");
            }
            for identifier in pre.split('.') {
                if identifier.bytes().all(|byte| byte.is_ascii_digit()) {
                    identifiers.push(Identifier::Numeric(
                        numeric(identifier).ok_or("numeric pre-release identifier has a leading zero")?,
                    ));
                } else {
                    identifiers.push(Identifier::Alphanumeric(identifier.into()));
                }
            }
        }
        if let Some(build) = build
            && !identifiers_valid(build)
        {
            return Err("build identifiers must be non-empty [0-9A-Za-z-]");
        }
        let pseudo = go && is_pseudo(&minor, &patch, pre);
        Ok(SemVersion {
            major,
            minor,
            patch,
            pre: identifiers,
            pseudo,
        })
    }

    pub(crate) fn is_pseudo(&self) -> bool {
        self.pseudo
    }
}

/// Go's pseudo-version forms (`golang.org/x/mod/module.IsPseudoVersion`):
/// `vX.0.0-yyyymmddhhmmss-rev`, `vX.Y.Z-pre.0.yyyymmddhhmmss-rev`, `vX.Y.Z-0.yyyymmddhhmmss-rev`.
fn is_pseudo(minor: &Number, patch: &Number, pre: Option<&str>) -> bool {
    let Some(pre) = pre else { return false };
    let timestamp_and_revision = |text: &str| {
        text.split_once('-').is_some_and(|(timestamp, revision)| {
            timestamp.len() == 14
                && timestamp.bytes().all(|byte| byte.is_ascii_digit())
                && !revision.is_empty()
                && revision.bytes().all(|byte| byte.is_ascii_alphanumeric())
        })
    };
    if minor.is_zero() && patch.is_zero() && timestamp_and_revision(pre) {
        return true;
    }
    let tail = match pre.rfind(".0.") {
        Some(index) => &pre[index + 3..],
        None => match pre.strip_prefix("0.") {
            Some(tail) => tail,
            None => return false,
        },
    };
    timestamp_and_revision(tail)
}

impl Ord for SemVersion {
    fn cmp(&self, other: &SemVersion) -> Ordering {
        self.major
            .cmp(&other.major)
            .then_with(|| self.minor.cmp(&other.minor))
            .then_with(|| self.patch.cmp(&other.patch))
            .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => self.pre.cmp(&other.pre),
            })
    }
}

impl PartialOrd for SemVersion {
    fn partial_cmp(&self, other: &SemVersion) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for SemVersion {
    fn eq(&self, other: &SemVersion) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for SemVersion {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering::{Equal, Greater, Less};

    fn semver(s: &str) -> SemVersion {
        SemVersion::parse_semver(s).unwrap()
    }

    fn go(s: &str) -> SemVersion {
        SemVersion::parse_go(s).unwrap()
    }

    #[test]
    fn semver_spec_precedence_chain() {
        // SemVer 2.0.0 section 11, in increasing order.
        let chain = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.1",
            "1.1.0",
            "1.9.0",
            "1.10.0",
            "2.0.0",
            "2.1.0",
            "2.1.1",
        ];
        for (i, a) in chain.iter().enumerate() {
            for (j, b) in chain.iter().enumerate() {
                assert_eq!(semver(a).cmp(&semver(b)), i.cmp(&j), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn semver_details() {
        assert_eq!(semver("1.0.0+build.1").cmp(&semver("1.0.0+build.2")), Equal);
        assert_eq!(semver("v1.2.3").cmp(&semver("1.2.3")), Equal);
        assert_eq!(semver(" V1.2.3 ").cmp(&semver("1.2.3")), Equal);
        assert_eq!(semver("1.0.0-1").cmp(&semver("1.0.0-a")), Less);
        assert_eq!(semver("1.0.0-a-b").cmp(&semver("1.0.0-a")), Greater);
        assert_eq!(semver("1.0.0-0.3.7").cmp(&semver("1.0.0-0.3.10")), Less);
        assert_eq!(
            semver("99999999999999999999999.0.0").cmp(&semver("99999999999999999999998.999.999")),
            Greater
        );
        for bad in [
            "1",
            "1.2",
            "01.2.3",
            "1.02.3",
            "1.2.3-01",
            "1.2.3-",
            "1.2.3+",
            "1.2.3-a..b",
            "1.2.3.4",
            "a.b.c",
        ] {
            assert!(SemVersion::parse_semver(bad).is_err(), "{bad}");
        }
        assert!(SemVersion::parse_semver("1.2.3-0a").is_ok());
        assert!(SemVersion::parse_semver("1.2.3+001").is_ok());
    }

    #[test]
    fn go_versions() {
        assert_eq!(go("v1").cmp(&go("v1.0.0")), Equal);
        assert_eq!(go("v1.2").cmp(&go("1.2.0")), Equal);
        assert_eq!(go("v2.0.0+incompatible").cmp(&go("v2.0.0")), Equal);
        assert_eq!(go("v2.0.0+incompatible").cmp(&go("v1.9.9")), Greater);
        // Pseudo-versions sort between their base and the next release, by time.
        let pseudo = go("v1.2.4-0.20191109021931-daa7c04131f5");
        assert!(pseudo.is_pseudo());
        assert_eq!(pseudo.cmp(&go("v1.2.3")), Greater);
        assert_eq!(pseudo.cmp(&go("v1.2.4")), Less);
        assert_eq!(pseudo.cmp(&go("v1.2.4-0.20200101000000-000000000000")), Less);
        assert!(go("0.0.0-20191109021931-daa7c04131f5").is_pseudo());
        assert!(go("v1.2.3-pre.0.20191109021931-daa7c04131f5").is_pseudo());
        assert!(!go("v1.2.3-pre").is_pseudo());
        assert!(!go("v1.2.3").is_pseudo());
        assert_eq!(go("v0.0.0-20191109021931-daa7c04131f5").cmp(&go("v0.0.1")), Less);
        for bad in ["v1.2-pre", "v1.2.3.4", "vv1.2.3", "V1.2.3", "v01.2.3", "v1..2"] {
            assert!(SemVersion::parse_go(bad).is_err(), "{bad}");
        }
    }
}
