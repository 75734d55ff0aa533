//! RPM versions `[epoch:]version[-release]`, ordered as rpm 4.18 orders them: `rpmvercmp` from
//! `rpmio/rpmvercmp.c` on the epoch, then the version, then the release, the EVR split as rpm's
//! `parseEVR` splits it (leading digits then `:` make the epoch, the last `-` starts the release).
//!
//! Hand-written rather than the `rpm-version` crate: rpmvercmp is 60 lines and this keeps the one error
//! type and the exact `~` (sorts before anything, even the end) and `^` (sorts after the end, before
//! anything else) rules in view. The differential test compares with `rpm.labelCompare`.
//!
//! One deliberate difference: rpm's `rpmverCmp` skips the release when either side has none, which
//! makes `1.0-1 = 1.0 = 1.0-2` although `1.0-1 < 1.0-2` (not an order). Here a missing release is an
//! empty one, which sorts before any release: `1.0 < 1.0-1`.

use std::cmp::Ordering;

use crate::number::{Number, compare_digit_runs};
use crate::{Scheme, VersionError};

#[derive(Debug, Clone)]
pub(crate) struct RpmVersion {
    epoch: Number,
    version: Box<str>,
    release: Box<str>,
}

impl RpmVersion {
    pub(crate) fn parse(input: &str) -> Result<RpmVersion, VersionError> {
        let (epoch, version, release) = split(input)?;
        Ok(RpmVersion {
            epoch: Number::from_digits(epoch),
            version: version.into(),
            release: release.into(),
        })
    }
}

/// Compares two EVR strings without building `RpmVersion`s (no allocation).
pub(crate) fn compare_strings(a: &str, b: &str) -> Result<Ordering, VersionError> {
    let (a, b) = (split(a)?, split(b)?);
    Ok(crate::number::compare_digit_runs(a.0.as_bytes(), b.0.as_bytes())
        .then_with(|| rpmvercmp(a.1.as_bytes(), b.1.as_bytes()))
        .then_with(|| rpmvercmp(a.2.as_bytes(), b.2.as_bytes())))
}

/// rpm's `parseEVR`: epoch digits (`"0"` when absent or empty), version, release (empty when absent).
fn split(input: &str) -> Result<(&str, &str, &str), VersionError> {
    if input.is_empty() {
        return Err(VersionError::empty(Scheme::Rpm, input));
    }
    if input.contains('\0') {
        return Err(VersionError::invalid(Scheme::Rpm, input, "contains a nul byte"));
    }
    let digits = input.bytes().take_while(u8::is_ascii_digit).count();
    let (epoch, rest) = match input[digits..].strip_prefix(':') {
        Some(rest) if digits == 0 => ("0", rest),
        Some(rest) => (&input[..digits], rest),
        None => ("0", input),
    };
    let (version, release) = match rest.rfind('-') {
        Some(hyphen) => (&rest[..hyphen], &rest[hyphen + 1..]),
        None => (rest, ""),
    };
    if version.is_empty() {
        return Err(VersionError::invalid(Scheme::Rpm, input, "version part is empty"));
    }
    Ok((epoch, version, release))
}

/// rpm's `rpmvercmp`.
pub(crate) fn rpmvercmp(a: &[u8], b: &[u8]) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let separator = |byte: u8| !byte.is_ascii_alphanumeric() && byte != b'~' && byte != b'^';
    let (mut one, mut two) = (0, 0);
    while one < a.len() || two < b.len() {
        while one < a.len() && separator(a[one]) {
            one += 1;
        }
        while two < b.len() && separator(b[two]) {
            two += 1;
        }
        let (x, y) = (a.get(one).copied(), b.get(two).copied());
        if x == Some(b'~') || y == Some(b'~') {
            if x != Some(b'~') {
                return Ordering::Greater;
            }
            if y != Some(b'~') {
                return Ordering::Less;
            }
            one += 1;
            two += 1;
            continue;
        }
        if x == Some(b'^') || y == Some(b'^') {
            if x.is_none() {
                return Ordering::Less;
            }
            if y.is_none() {
                return Ordering::Greater;
            }
            if x != Some(b'^') {
                return Ordering::Greater;
            }
            if y != Some(b'^') {
                return Ordering::Less;
            }
            one += 1;
            two += 1;
            continue;
        }
        let (Some(x), Some(_)) = (x, y) else { break };
        let numeric = x.is_ascii_digit();
        let class: fn(&u8) -> bool = if numeric {
            u8::is_ascii_digit
        } else {
            u8::is_ascii_alphabetic
        };
        let end_one = one + a[one..].iter().take_while(|byte| class(byte)).count();
        let end_two = two + b[two..].iter().take_while(|byte| class(byte)).count();
        if end_two == two {
            // Segments of different kinds: numbers are newer than letters.
            return if numeric { Ordering::Greater } else { Ordering::Less };
        }
        let order = if numeric {
            compare_digit_runs(&a[one..end_one], &b[two..end_two])
        } else {
            a[one..end_one].cmp(&b[two..end_two])
        };
        if order != Ordering::Equal {
            return order;
        }
        one = end_one;
        two = end_two;
    }
    match (one >= a.len(), two >= b.len()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        _ => Ordering::Greater,
    }
}

impl Ord for RpmVersion {
    fn cmp(&self, other: &RpmVersion) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| rpmvercmp(self.version.as_bytes(), other.version.as_bytes()))
            .then_with(|| rpmvercmp(self.release.as_bytes(), other.release.as_bytes()))
    }
}

impl PartialOrd for RpmVersion {
    fn partial_cmp(&self, other: &RpmVersion) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for RpmVersion {
    fn eq(&self, other: &RpmVersion) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for RpmVersion {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering::{Equal, Greater, Less};

    fn cmp(a: &str, b: &str) -> Ordering {
        RpmVersion::parse(a).unwrap().cmp(&RpmVersion::parse(b).unwrap())
    }

    #[test]
    fn rpmvercmp_examples() {
        // A selection of rpm's tests/rpmvercmp.at.
        let cases = [
            ("1.0", "1.0", Equal),
            ("1.0", "2.0", Less),
            ("2.0.1", "2.0", Greater),
            ("2.0.1a", "2.0.1", Greater),
            ("5.5p1", "5.5p2", Less),
            ("5.5p10", "5.5p1", Greater),
            ("10xyz", "10.1xyz", Less),
            ("xyz10", "xyz10.1", Less),
            ("xyz.4", "8", Less),
            ("1b.fc17", "1.fc17", Less),
            ("1.0010", "1.9", Greater),
            ("1.05", "1.5", Equal),
            ("2a", "2.0", Less),
            ("1.0~rc1", "1.0", Less),
            ("1.0~rc1", "1.0~rc2", Less),
            ("1.0~rc1~git123", "1.0~rc1", Less),
            ("1.0^", "1.0", Greater),
            ("1.0^git1", "1.0", Greater),
            ("1.0^git1", "1.0.1", Less),
            ("1.0^git1", "1.0^git2", Less),
            ("1.0^git1~pre", "1.0^git1", Less),
            ("1.0^20160101", "1.0.1~rc1", Less),
            ("1.0~rc1^git1", "1.0~rc1", Greater),
            ("1.0^git1^1", "1.0^git1", Greater),
            ("1.0+", "1.0", Equal),
            ("1_0", "1.0", Equal),
        ];
        for (a, b, expected) in cases {
            assert_eq!(rpmvercmp(a.as_bytes(), b.as_bytes()), expected, "{a} vs {b}");
            assert_eq!(rpmvercmp(b.as_bytes(), a.as_bytes()), expected.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn epoch_version_release() {
        assert_eq!(cmp("1:1.0-1", "2.0-1"), Greater);
        assert_eq!(cmp("0:1.0-1", "1.0-1"), Equal);
        assert_eq!(cmp(":1.0-1", "1.0-1"), Equal);
        assert_eq!(cmp("1.0-1.el8", "1.0-1.el8_2"), Less);
        assert_eq!(cmp("1.0", "1.0-1"), Less);
        assert_eq!(cmp("1.0-1-2", "1.0-1"), Greater);
        assert_eq!(cmp("00002:1", "2:1"), Equal);
        assert!(RpmVersion::parse("-1").is_err());
        assert!(RpmVersion::parse("1:").is_err());
        // `a:b` has no numeric epoch: the colon is part of the version, as in rpm.
        assert_eq!(RpmVersion::parse("a:1").unwrap().version.as_ref(), "a:1");
    }
}
