//! Alpine versions, as apk-tools orders them: a port of `src/version.c` of apk-tools 2.10 (the apk in
//! `alpine:3.10`, which the differential test runs), token by token, quirks included:
//!
//! - `{digits}{.digits}...{letter}{_suffix{digits}}...{-r digits}`; the suffixes `_alpha` `_beta`
//!   `_pre` `_rc` sort before the bare version, `_cvs` `_svn` `_git` `_hg` `_p` after it;
//! - a component after a `.` that starts with zeros counts minus the number of zeros, then the rest:
//!   `1.05` < `1.5`, `1.0` > `1`;
//! - numbers are C `int`s that wrap past 2^31 - 1, as they do in apk;
//! - when all shared tokens are equal, the next token's kind decides (`1a` < `1.1`).
//!
//! One addition from later apk-tools: a commit hash `~[0-9a-f]*` before the `-r` revision (Wolfi,
//! Chainguard). All hashes compare equal and a version with one sorts after the same version without.
//! apk 2.10 rejects `~`, so this part is checked by unit tests only.
//!
//! [`ApkVersion::parse`] refuses what `apk version -c` calls invalid (checked against it), and the empty
//! string.

use std::cmp::Ordering;

use crate::{Scheme, VersionError};

type Token = i8;
const INVALID: Token = -1;
const DIGIT_OR_ZERO: Token = 0;
const DIGIT: Token = 1;
const LETTER: Token = 2;
const SUFFIX: Token = 3;
const SUFFIX_NO: Token = 4;
const COMMIT_HASH: Token = 5;
const REVISION_NO: Token = 6;
const END: Token = 7;

const PRE_SUFFIXES: [&[u8]; 4] = [b"alpha", b"beta", b"pre", b"rc"];
const POST_SUFFIXES: [&[u8]; 5] = [b"cvs", b"svn", b"git", b"hg", b"p"];

#[derive(Debug, Clone)]
pub(crate) struct ApkVersion {
    text: Box<str>,
}

impl ApkVersion {
    pub(crate) fn parse(input: &str) -> Result<ApkVersion, VersionError> {
        validate(input)?;
        Ok(ApkVersion { text: input.into() })
    }
}

/// Compares two version strings without building `ApkVersion`s (no allocation).
pub(crate) fn compare_strings(a: &str, b: &str) -> Result<Ordering, VersionError> {
    validate(a)?;
    validate(b)?;
    Ok(if a == b { Ordering::Equal } else { compare(a, b) })
}

/// apk's `apk_version_validate`, plus the empty string and NUL refused.
fn validate(input: &str) -> Result<(), VersionError> {
    if input.is_empty() {
        return Err(VersionError::empty(Scheme::Apk, input));
    }
    if input.contains('\0') {
        return Err(VersionError::invalid(Scheme::Apk, input, "contains a nul byte"));
    }
    let mut blob = Blob {
        bytes: input.as_bytes(),
    };
    let mut token = DIGIT;
    while token != END && token != INVALID {
        get_token(&mut token, &mut blob);
    }
    if token == INVALID {
        return Err(VersionError::invalid(
            Scheme::Apk,
            input,
            "not of the form digits{.digits}{letter}{_suffix{digits}}{~hash}{-rN}",
        ));
    }
    Ok(())
}

/// apk's `apk_blob_t`: the part of the string not read yet.
struct Blob<'a> {
    bytes: &'a [u8],
}

impl Blob<'_> {
    fn advance(&mut self, count: usize) {
        self.bytes = self.bytes.get(count..).unwrap_or(&[]);
    }
}

fn next_token(token: &mut Token, blob: &mut Blob<'_>) {
    let mut next = INVALID;
    match blob.bytes.first().copied() {
        None | Some(0) => next = END,
        Some(byte) if (*token == DIGIT || *token == DIGIT_OR_ZERO) && byte.is_ascii_lowercase() => next = LETTER,
        Some(byte) if *token == LETTER && byte.is_ascii_digit() => next = DIGIT,
        Some(byte) if *token == SUFFIX && byte.is_ascii_digit() => next = SUFFIX_NO,
        Some(byte) => {
            match byte {
                b'.' => next = DIGIT_OR_ZERO,
                b'_' => next = SUFFIX,
                b'~' => next = COMMIT_HASH,
                b'-' if blob.bytes.get(1) == Some(&b'r') => {
                    next = REVISION_NO;
                    blob.advance(1);
                }
                _ => {}
            }
            blob.advance(1);
        }
    }
    if next < *token
        && !((next == DIGIT_OR_ZERO && *token == DIGIT)
            || (next == SUFFIX && *token == SUFFIX_NO)
            || (next == DIGIT && *token == LETTER))
    {
        next = INVALID;
    }
    *token = next;
}

fn get_token(token: &mut Token, blob: &mut Blob<'_>) -> i32 {
    if blob.bytes.is_empty() {
        *token = END;
        return 0;
    }
    let bytes = blob.bytes;
    let mut value: i32 = 0;
    let mut index = 0;
    let mut next = INVALID;
    let read_digits = |index: &mut usize, value: &mut i32| {
        while *index < bytes.len() && bytes[*index].is_ascii_digit() {
            *value = value.wrapping_mul(10).wrapping_add(i32::from(bytes[*index] - b'0'));
            *index += 1;
        }
    };
    match *token {
        DIGIT_OR_ZERO if bytes[0] == b'0' => {
            while index < bytes.len() && bytes[index] == b'0' {
                index += 1;
            }
            next = DIGIT;
            value = (index as i32).wrapping_neg();
        }
        DIGIT_OR_ZERO | DIGIT | SUFFIX_NO | REVISION_NO => read_digits(&mut index, &mut value),
        LETTER => {
            value = i32::from(bytes[0]);
            index = 1;
        }
        SUFFIX => {
            if let Some(position) = PRE_SUFFIXES.iter().position(|suffix| bytes.starts_with(suffix)) {
                value = position as i32 - PRE_SUFFIXES.len() as i32;
                index = PRE_SUFFIXES[position].len();
            } else if let Some(position) = POST_SUFFIXES.iter().position(|suffix| bytes.starts_with(suffix)) {
                value = position as i32;
                index = POST_SUFFIXES[position].len();
            } else {
                *token = INVALID;
                return -1;
            }
        }
        COMMIT_HASH => {
            while index < bytes.len() && matches!(bytes[index], b'0'..=b'9' | b'a'..=b'f') {
                index += 1;
            }
        }
        _ => {
            *token = INVALID;
            return -1;
        }
    }
    blob.advance(index);
    if blob.bytes.is_empty() {
        *token = END;
    } else if next != INVALID {
        *token = next;
    } else {
        next_token(token, blob);
    }
    value
}

/// apk's `apk_version_compare_blob_fuzzy` without fuzziness.
fn compare(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (Blob { bytes: a.as_bytes() }, Blob { bytes: b.as_bytes() });
    let (mut at, mut bt) = (DIGIT, DIGIT);
    let (mut av, mut bv) = (0, 0);
    while at == bt && at != END && at != INVALID && av == bv {
        av = get_token(&mut at, &mut a);
        bv = get_token(&mut bt, &mut b);
    }
    if av != bv {
        return av.cmp(&bv);
    }
    if at == bt {
        return Ordering::Equal;
    }
    let mut scratch = at;
    if at == SUFFIX && get_token(&mut scratch, &mut a) < 0 {
        return Ordering::Less;
    }
    scratch = bt;
    if bt == SUFFIX && get_token(&mut scratch, &mut b) < 0 {
        return Ordering::Greater;
    }
    bt.cmp(&at)
}

impl Ord for ApkVersion {
    fn cmp(&self, other: &ApkVersion) -> Ordering {
        if self.text == other.text {
            Ordering::Equal
        } else {
            compare(&self.text, &other.text)
        }
    }
}

impl PartialOrd for ApkVersion {
    fn partial_cmp(&self, other: &ApkVersion) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for ApkVersion {
    fn eq(&self, other: &ApkVersion) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for ApkVersion {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering::{Equal, Greater, Less};

    fn cmp(a: &str, b: &str) -> Ordering {
        ApkVersion::parse(a).unwrap().cmp(&ApkVersion::parse(b).unwrap())
    }

    #[test]
    fn apk_examples() {
        let cases = [
            ("1.0", "1.0", Equal),
            ("1.0", "1", Greater),
            ("1.0-r0", "1.0", Greater),
            ("1.0-r1", "1.0-r0", Greater),
            ("1.0-r10", "1.0-r9", Greater),
            ("1.1_alpha", "1.1_beta", Less),
            ("1.1_beta", "1.1_pre", Less),
            ("1.1_pre", "1.1_rc", Less),
            ("1.1_rc", "1.1", Less),
            ("1.1_rc1", "1.1_rc2", Less),
            ("1.1", "1.1_cvs", Less),
            ("1.1_cvs", "1.1_svn", Less),
            ("1.1_git", "1.1_hg", Less),
            ("1.1_hg", "1.1_p", Less),
            ("1.1_p1", "1.1_p2", Less),
            ("1.1_p1-r0", "1.1-r5", Greater),
            // apk 2.10's quirk, confirmed with `apk version -t`: after a `.0` component the zero run is
            // a token of its own, and the empty number before `_rc` then outranks the end.
            ("1.0_rc", "1.0", Greater),
            ("1.0_rc1", "1.0", Greater),
            ("1.0a", "1.0", Greater),
            ("1.0a", "1.0b", Less),
            ("1.0a", "1.0.1", Less),
            ("1.05", "1.5", Less),
            ("1.05", "1.005", Greater),
            ("1.2.3", "1.2.10", Less),
            ("2.4.6-r0", "2.4.6_p1-r0", Less),
            ("1.1.1d-r0", "1.1.1c-r0", Greater),
            ("1.30.1-r3", "1.30.1-r10", Less),
            ("1.0_alpha1_p2", "1.0_alpha1", Greater),
            ("1.1~abc-r1", "1.1~def-r1", Equal),
            ("1.1~abc", "1.1", Greater),
            ("1.1~abc-r1", "1.1-r1", Greater),
        ];
        for (a, b, expected) in cases {
            assert_eq!(cmp(a, b), expected, "{a} vs {b}");
            assert_eq!(cmp(b, a), expected.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn numbers_wrap_like_c_int() {
        // 2147483648 wraps to -2147483648 in apk's int arithmetic.
        assert_eq!(cmp("2147483648", "1"), Less);
        assert_eq!(cmp("2147483647", "1"), Greater);
    }

    #[test]
    fn invalid_versions_are_refused() {
        for input in ["1.0-1", "1.0_foo", "1.0 ", "1.0A", "1.0-r1~ab", "1.0_p1a"] {
            assert!(ApkVersion::parse(input).is_err(), "{input}");
        }
        // apk 2.10 also accepts an empty revision number, a letter after `.` and a second revision.
        for input in [
            "1",
            "1.2.3_rc1_p2-r3",
            "0.1a",
            "20191231",
            "1.0_alpha",
            "1.0~deadbeef-r0",
            "1.0-r",
            "1.0.a",
            "1.0-r1-r2",
        ] {
            assert!(ApkVersion::parse(input).is_ok(), "{input}");
        }
    }
}
