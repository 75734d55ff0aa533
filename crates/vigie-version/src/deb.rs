//! Debian versions, exactly as dpkg orders them (`lib/dpkg/version.c` `dpkg_version_compare` and
//! `lib/dpkg/parsehelp.c` `parseversion`).
//!
//! Hand-written rather than the `debversion` crate: dpkg's algorithm is 40 lines, and matching it byte
//! for byte includes details a general crate may smooth over (bytes >= 0x80 ordered as dpkg's signed
//! `char` orders them, strtol's view of the epoch, the last `-` splitting the revision). The
//! differential tests compare against libapt's copy of the algorithm on 100,000 pairs and against
//! `dpkg --compare-versions` itself.
//!
//! Validation follows dpkg's errors (empty, embedded blanks, bad epoch, empty upstream or revision);
//! dpkg's mere warnings (upstream not starting with a digit, unusual characters) still compare, as
//! `dpkg --compare-versions` does.

use std::cmp::Ordering;

use crate::{Scheme, VersionError};

#[derive(Debug, Clone)]
pub(crate) struct DebVersion {
    epoch: u32,
    upstream: Box<str>,
    revision: Box<str>,
}

fn is_blank(byte: u8) -> bool {
    byte == b' ' || byte == b'\t'
}

impl DebVersion {
    pub(crate) fn parse(input: &str) -> Result<DebVersion, VersionError> {
        let (epoch, upstream, revision) = split(input)?;
        Ok(DebVersion {
            epoch,
            upstream: upstream.into(),
            revision: revision.into(),
        })
    }
}

/// Compares two version strings without building `DebVersion`s (no allocation).
pub(crate) fn compare_strings(a: &str, b: &str) -> Result<Ordering, VersionError> {
    let (a, b) = (split(a)?, split(b)?);
    Ok(a.0
        .cmp(&b.0)
        .then_with(|| verrevcmp(a.1.as_bytes(), b.1.as_bytes()))
        .then_with(|| verrevcmp(a.2.as_bytes(), b.2.as_bytes())))
}

/// dpkg's `parseversion`: epoch, upstream version, revision (empty when absent).
fn split(input: &str) -> Result<(u32, &str, &str), VersionError> {
    let invalid = |reason| VersionError::invalid(Scheme::Deb, input, reason);
    let trimmed = input.trim_start_matches([' ', '\t']);
    if trimmed.is_empty() {
        return Err(VersionError::empty(Scheme::Deb, input));
    }
    let end = trimmed.bytes().position(is_blank).unwrap_or(trimmed.len());
    if !trimmed[end..].bytes().all(is_blank) {
        return Err(invalid("version string has embedded spaces"));
    }
    // dpkg stops at a NUL as any C string does; a Rust string may carry one, refuse it instead.
    let mut rest = &trimmed[..end];
    if rest.contains('\0') {
        return Err(invalid("version string contains a nul byte"));
    }
    let mut epoch = 0;
    if let Some(colon) = rest.find(':') {
        epoch = parse_epoch(&rest[..colon]).map_err(invalid)?;
        rest = &rest[colon + 1..];
        if rest.is_empty() {
            return Err(invalid("nothing after colon in version number"));
        }
    }
    let (upstream, revision) = match rest.rfind('-') {
        Some(hyphen) => {
            let revision = &rest[hyphen + 1..];
            if revision.is_empty() {
                return Err(invalid("revision number is empty"));
            }
            (&rest[..hyphen], revision)
        }
        None => (rest, ""),
    };
    if upstream.is_empty() {
        return Err(invalid("version number is empty"));
    }
    Ok((epoch, upstream, revision))
}

/// The epoch as dpkg reads it with `strtol(string, &end, 10)` followed by `end == colon`: optional
/// leading white space and sign, then digits up to the colon; negative or above `INT_MAX` refused.
fn parse_epoch(text: &str) -> Result<u32, &'static str> {
    let bytes = text.as_bytes();
    let Some(mut position) = bytes
        .iter()
        .position(|&byte| !matches!(byte, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))
    else {
        return Err("epoch in version is empty");
    };
    let negative = match bytes[position] {
        b'-' => {
            position += 1;
            true
        }
        b'+' => {
            position += 1;
            false
        }
        _ => false,
    };
    let digits = &bytes[position..];
    if digits.is_empty() || !digits[0].is_ascii_digit() {
        return Err("epoch in version is empty");
    }
    if !digits.iter().all(u8::is_ascii_digit) {
        return Err("epoch in version is not number");
    }
    let significant = &digits[digits.iter().position(|&byte| byte != b'0').unwrap_or(digits.len())..];
    if significant.is_empty() {
        return Ok(0);
    }
    if negative {
        return Err("epoch in version is negative");
    }
    if significant.len() > 10 {
        return Err("epoch in version is too big");
    }
    let value = significant
        .iter()
        .fold(0u64, |value, &digit| value * 10 + u64::from(digit - b'0'));
    u32::try_from(value)
        .ok()
        .filter(|&value| value <= i32::MAX as u32)
        .ok_or("epoch in version is too big")
}

/// dpkg's `order()`: digits (and the end) 0, letters their code, `~` -1, anything else its code + 256,
/// where the code is that of a signed C `char` (bytes >= 0x80 are negative).
fn order(byte: Option<u8>) -> i32 {
    match byte {
        None => 0,
        Some(byte) if byte.is_ascii_digit() => 0,
        Some(byte) if byte.is_ascii_alphabetic() => i32::from(byte),
        Some(b'~') => -1,
        Some(byte) => i32::from(byte as i8) + 256,
    }
}

/// dpkg's `verrevcmp`.
pub(crate) fn verrevcmp(a: &[u8], b: &[u8]) -> Ordering {
    let (mut i, mut j) = (0, 0);
    let digit_at = |s: &[u8], k: usize| s.get(k).is_some_and(u8::is_ascii_digit);
    while i < a.len() || j < b.len() {
        while (i < a.len() && !a[i].is_ascii_digit()) || (j < b.len() && !b[j].is_ascii_digit()) {
            let ac = order(a.get(i).copied());
            let bc = order(b.get(j).copied());
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        while a.get(i) == Some(&b'0') {
            i += 1;
        }
        while b.get(j) == Some(&b'0') {
            j += 1;
        }
        let mut first_diff = Ordering::Equal;
        while digit_at(a, i) && digit_at(b, j) {
            if first_diff == Ordering::Equal {
                first_diff = a[i].cmp(&b[j]);
            }
            i += 1;
            j += 1;
        }
        if digit_at(a, i) {
            return Ordering::Greater;
        }
        if digit_at(b, j) {
            return Ordering::Less;
        }
        if first_diff != Ordering::Equal {
            return first_diff;
        }
    }
    Ordering::Equal
}

impl Ord for DebVersion {
    fn cmp(&self, other: &DebVersion) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| verrevcmp(self.upstream.as_bytes(), other.upstream.as_bytes()))
            .then_with(|| verrevcmp(self.revision.as_bytes(), other.revision.as_bytes()))
    }
}

impl PartialOrd for DebVersion {
    fn partial_cmp(&self, other: &DebVersion) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for DebVersion {
    fn eq(&self, other: &DebVersion) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for DebVersion {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering::{Equal, Greater, Less};

    fn cmp(a: &str, b: &str) -> Ordering {
        DebVersion::parse(a).unwrap().cmp(&DebVersion::parse(b).unwrap())
    }

    #[test]
    fn dpkg_examples() {
        // From dpkg's own t/version.c and Debian policy 5.6.12.
        let cases = [
            ("1.0", "1.0", Equal),
            ("0:1.0", "1.0", Equal),
            ("1.0", "1.00", Equal),
            ("1.0-0", "1.0", Equal),
            ("1:1.0", "2.0", Greater),
            ("1.0~rc1", "1.0", Less),
            ("1.0~~", "1.0~", Less),
            ("1.0~~a", "1.0~~", Greater),
            ("1.0~", "1.0", Less),
            ("1.0a", "1.0", Greater),
            ("1.0+b1", "1.0", Greater),
            ("1.0.1", "1.0a", Greater),
            ("1.0-1", "1.0-2", Less),
            ("1.0-1ubuntu1", "1.0-1", Greater),
            ("2.30-1", "2.4-1", Greater),
            ("1:2.30-1", "2:0.1", Less),
            ("0.9.8zh-1", "0.9.8zg-1", Greater),
            ("1.2.3-1+deb9u1", "1.2.3-1+deb10u1", Less),
            ("1.0-a", "1.0-A", Greater),
            ("1.0+", "1.0.", Less),
            ("1:0.4+git20200101-2", "1:0.4-2", Greater),
            ("7.6p2-4", "7.6-0", Greater),
            ("1.0-1-1", "1.0-1", Greater),
        ];
        for (a, b, expected) in cases {
            assert_eq!(cmp(a, b), expected, "{a} vs {b}");
            assert_eq!(cmp(b, a), expected.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn revision_is_split_at_the_last_hyphen_and_colons_stay_in_upstream() {
        let version = DebVersion::parse("1:2:3-4-5").unwrap();
        assert_eq!(version.epoch, 1);
        assert_eq!(&*version.upstream, "2:3-4");
        assert_eq!(&*version.revision, "5");
        assert_eq!(cmp("  1.0\t", "1.0"), Equal);
    }

    #[test]
    fn dpkg_errors_are_errors() {
        for (input, reason) in [
            ("1.0 2", "version string has embedded spaces"),
            (":1.0", "epoch in version is empty"),
            ("a:1.0", "epoch in version is empty"),
            ("1a:1.0", "epoch in version is not number"),
            ("-1:1.0", "epoch in version is negative"),
            ("2147483648:1.0", "epoch in version is too big"),
            ("1:", "nothing after colon in version number"),
            ("1.0-", "revision number is empty"),
            ("-1", "version number is empty"),
            ("1:-1", "version number is empty"),
        ] {
            match DebVersion::parse(input) {
                Err(VersionError::Invalid { reason: got, .. }) => assert_eq!(got, reason, "{input}"),
                other => panic!("{input}: {other:?}"),
            }
        }
        assert!(matches!(DebVersion::parse(" \t"), Err(VersionError::Empty { .. })));
        assert_eq!(DebVersion::parse("+1:1.0").unwrap().epoch, 1);
        assert_eq!(DebVersion::parse("-0:1.0").unwrap().epoch, 0);
        assert_eq!(DebVersion::parse("2147483647:1.0").unwrap().epoch, 2_147_483_647);
        // Warnings in dpkg, accepted here as dpkg --compare-versions accepts them.
        assert!(DebVersion::parse("abc").is_ok());
        assert!(DebVersion::parse("1.0_1").is_ok());
    }

    #[test]
    fn high_bytes_order_as_signed_char() {
        // 0xc3 as a signed char is -61, order 195: above every letter, below '+' (299).
        assert_eq!(cmp("1.0\u{e9}", "1.0z"), Greater);
        assert_eq!(cmp("1.0\u{e9}", "1.0+"), Less);
    }
}
