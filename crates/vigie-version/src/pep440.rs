//! PEP 440 versions (PyPI), parsed and ordered as Python's `packaging.version.Version`: the same
//! grammar (`VERSION_PATTERN`, case-insensitive, surrounding white space and a leading `v` allowed,
//! separators `-` `_` `.` optional), the same normalisation (`alpha` `a` -> a, `beta` `b` -> b,
//! `c` `pre` `preview` `rc` -> rc, `post` `rev` `r` and `-N` -> post, missing numbers are 0) and the
//! same comparison key (`_cmpkey`: trailing zeros of the release dropped; a dev release of a final
//! version sorts before its pre-releases; post-releases after; local versions after the public one,
//! numeric local segments above alphanumeric ones).
//!
//! Hand-written rather than `pep440_rs`: `packaging` is the reference that pip and the PyPA advisory
//! database use, the grammar is one regular expression, and the differential test checks this module
//! against `packaging` itself; numbers of any size compare exactly, as Python's integers do.

use std::cmp::Ordering;

use crate::number::Number;
use crate::{Scheme, VersionError};

#[derive(Debug, Clone)]
pub(crate) struct Pep440Version {
    epoch: Number,
    /// Without trailing zeros, as in the comparison key.
    release: Vec<Number>,
    pre: Option<(PreLetter, Number)>,
    post: Option<Number>,
    dev: Option<Number>,
    local: Option<Vec<LocalSegment>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum PreLetter {
    Alpha,
    Beta,
    ReleaseCandidate,
}

/// A local version segment; any alphanumeric segment sorts before any numeric one.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum LocalSegment {
    Text(Box<str>),
    Number(Number),
}

struct Scanner<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.position).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.position += 1;
        }
        found
    }

    fn eat_separator(&mut self) {
        if matches!(self.peek(), Some(b'-' | b'_' | b'.')) {
            self.position += 1;
        }
    }

    fn eat_word(&mut self, word: &str) -> bool {
        let found = self.bytes[self.position..].starts_with(word.as_bytes());
        if found {
            self.position += word.len();
        }
        found
    }

    fn digits(&mut self) -> Option<&str> {
        let start = self.position;
        while self.peek().is_some_and(|byte| byte.is_ascii_digit()) {
            self.position += 1;
        }
        // The scanned text is ASCII digits, so valid UTF-8.
        (self.position > start).then(|| std::str::from_utf8(&self.bytes[start..self.position]).unwrap_or("0"))
    }

    fn number(&mut self) -> Option<Number> {
        self.digits().map(Number::from_digits)
    }

    /// One of `words` at the cursor, tried in order as the regular expression's alternation does.
    fn alternative(&mut self, words: &[&'static str]) -> Option<&'static str> {
        words.iter().copied().find(|word| self.eat_word(word))
    }
}

impl Pep440Version {
    pub(crate) fn parse(input: &str) -> Result<Pep440Version, VersionError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(VersionError::empty(Scheme::Pep440, input));
        }
        let lower = trimmed.to_ascii_lowercase();
        let invalid = |reason| VersionError::invalid(Scheme::Pep440, input, reason);
        let mut scanner = Scanner {
            bytes: lower.as_bytes(),
            position: 0,
        };
        scanner.eat(b'v');

        let first = scanner
            .number()
            .ok_or_else(|| invalid("release segment must start with a number"))?;
        let (epoch, first) = if scanner.eat(b'!') {
            (
                first,
                scanner
                    .number()
                    .ok_or_else(|| invalid("release segment must follow the epoch"))?,
            )
        } else {
            (Number::ZERO, first)
        };
        let mut release = vec![first];
        while scanner.peek() == Some(b'.') && scanner.bytes.get(scanner.position + 1).is_some_and(u8::is_ascii_digit) {
            scanner.position += 1;
            release.extend(scanner.number());
        }
        while release.last().is_some_and(Number::is_zero) {
            release.pop();
        }

        let start = scanner.position;
        scanner.eat_separator();
        let pre = match scanner.alternative(&["alpha", "a", "beta", "b", "preview", "pre", "c", "rc"]) {
            Some(letter) => {
                let letter = match letter {
                    "alpha" | "a" => PreLetter::Alpha,
                    "beta" | "b" => PreLetter::Beta,
                    _ => PreLetter::ReleaseCandidate,
                };
                scanner.eat_separator();
                Some((letter, scanner.number().unwrap_or(Number::ZERO)))
            }
            None => {
                scanner.position = start;
                None
            }
        };

        let start = scanner.position;
        let post = if scanner.eat(b'-')
            && let Some(number) = scanner.number()
        {
            Some(number)
        } else {
            scanner.position = start;
            scanner.eat_separator();
            if scanner.alternative(&["post", "rev", "r"]).is_some() {
                scanner.eat_separator();
                Some(scanner.number().unwrap_or(Number::ZERO))
            } else {
                scanner.position = start;
                None
            }
        };

        let start = scanner.position;
        scanner.eat_separator();
        let dev = if scanner.eat_word("dev") {
            scanner.eat_separator();
            Some(scanner.number().unwrap_or(Number::ZERO))
        } else {
            scanner.position = start;
            None
        };

        let local = if scanner.eat(b'+') {
            let text = &lower[scanner.position..];
            let segments: Vec<&str> = text.split(['-', '_', '.']).collect();
            if segments
                .iter()
                .any(|segment| segment.is_empty() || !segment.bytes().all(|b| b.is_ascii_alphanumeric()))
            {
                return Err(invalid(
                    "local version must be alphanumeric segments separated by `-`, `_` or `.`",
                ));
            }
            scanner.position = scanner.bytes.len();
            Some(
                segments
                    .into_iter()
                    .map(|segment| {
                        if segment.bytes().all(|byte| byte.is_ascii_digit()) {
                            LocalSegment::Number(Number::from_digits(segment))
                        } else {
                            LocalSegment::Text(segment.into())
                        }
                    })
                    .collect(),
            )
        } else {
            None
        };

        if scanner.position != scanner.bytes.len() {
            return Err(invalid("unexpected text after the version"));
        }
        Ok(Pep440Version {
            epoch,
            release,
            pre,
            post,
            dev,
            local,
        })
    }
}

/// `packaging`'s pre-release key: `-inf` for a dev release of a final version, `+inf` without pre.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum PreKey<'a> {
    Lowest,
    Pre(&'a (PreLetter, Number)),
    Highest,
}

impl Pep440Version {
    fn pre_key(&self) -> PreKey<'_> {
        match (&self.pre, &self.post, &self.dev) {
            (None, None, Some(_)) => PreKey::Lowest,
            (None, _, _) => PreKey::Highest,
            (Some(pre), _, _) => PreKey::Pre(pre),
        }
    }
}

impl Ord for Pep440Version {
    fn cmp(&self, other: &Pep440Version) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| self.release.cmp(&other.release))
            .then_with(|| self.pre_key().cmp(&other.pre_key()))
            .then_with(|| self.post.cmp(&other.post))
            .then_with(|| match (&self.dev, &other.dev) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(a), Some(b)) => a.cmp(b),
            })
            .then_with(|| self.local.cmp(&other.local))
    }
}

impl PartialOrd for Pep440Version {
    fn partial_cmp(&self, other: &Pep440Version) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Pep440Version {
    fn eq(&self, other: &Pep440Version) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Pep440Version {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering::{Equal, Less};

    fn parse(s: &str) -> Pep440Version {
        Pep440Version::parse(s).unwrap_or_else(|error| panic!("{error}"))
    }

    #[test]
    fn pep440_ordering_chain() {
        // PEP 440's "summary of permitted suffixes and relative ordering", in increasing order.
        let chain = [
            "1.dev0",
            "1.0.dev456",
            "1.0a1",
            "1.0a2.dev456",
            "1.0a12.dev456",
            "1.0a12",
            "1.0b1.dev456",
            "1.0b2",
            "1.0b2.post345.dev456",
            "1.0b2.post345",
            "1.0rc1.dev456",
            "1.0rc1",
            "1.0",
            "1.0+abc.5",
            "1.0+abc.7",
            "1.0+5",
            "1.0.post456.dev34",
            "1.0.post456",
            "1.0.15",
            "1.1.dev1",
            "1!0.1",
        ];
        for (i, a) in chain.iter().enumerate() {
            for (j, b) in chain.iter().enumerate() {
                assert_eq!(parse(a).cmp(&parse(b)), i.cmp(&j), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn normalisation() {
        let equal = [
            ("1.0", "1.0.0"),
            ("1.0", "v1.0"),
            ("1.0", " 1.0\n"),
            ("1.0a1", "1.0-ALPHA.1"),
            ("1.0b0", "1.0beta"),
            ("1.0rc1", "1.0c1"),
            ("1.0rc1", "1.0-pre_1"),
            ("1.0rc1", "1.0preview1"),
            ("1.0.post0", "1.0-r"),
            ("1.0.post2", "1.0-2"),
            ("1.0.post2", "1.0rev2"),
            ("1.0.dev0", "1.0-dev"),
            ("1.0+ubuntu-1", "1.0+ubuntu.1"),
            ("1.0+Abc", "1.0+abc"),
            ("0!1.0", "1.0"),
            ("1.0a", "1.0a."),
            ("1.0a1", "1.0a-1"),
            ("00001.0", "1"),
        ];
        for (a, b) in equal {
            assert_eq!(parse(a).cmp(&parse(b)), Equal, "{a} vs {b}");
        }
        assert_eq!(parse("1.0+1").cmp(&parse("1.0+a")), std::cmp::Ordering::Greater);
        assert_eq!(parse("1.0+a").cmp(&parse("1.0+a.0")), Less);
        assert_eq!(parse("2.0").cmp(&parse("100000000000000000000000.0")), Less);
    }

    #[test]
    fn invalid_versions() {
        for bad in [
            "",
            "1.0-",
            "1.0+",
            "1.0+a..b",
            "a1.0",
            "1.0.",
            "1.0-1-1",
            "1!",
            "1.0 2",
            "1.0alphabet",
            "1.0rc-1x",
        ] {
            assert!(Pep440Version::parse(bad).is_err(), "{bad:?}");
        }
    }
}
