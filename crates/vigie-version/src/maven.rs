//! Maven versions, ordered as Maven's own `org.apache.maven.artifact.versioning.ComparableVersion`
//! (maven-artifact 3.8, checked against that class by the differential test): the version is split
//! into a nested list of items at `.`, `-` and digit/letter transitions; numbers compare as numbers;
//! the qualifiers `alpha` < `beta` < `milestone` < `rc` = `cr` < `snapshot` < (release: ``, `ga`,
//! `final`, `release`) < `sp`, other qualifiers after them alphabetically; `a1` `b1` `m1` are
//! `alpha-1` `beta-1` `milestone-1`; trailing zeros and release qualifiers are dropped (`1.0.0` = `1`).
//!
//! No maintained crate implements it. Letters are lower-cased in ASCII only, and only ASCII digits
//! count as digits (Java also lower-cases and counts other scripts; Maven versions are ASCII in
//! practice).

use std::cmp::Ordering;

use crate::number::Number;
use crate::{Scheme, VersionError};

#[derive(Debug, Clone)]
pub(crate) struct MavenVersion {
    items: Vec<Item>,
}

#[derive(Debug, Clone)]
enum Item {
    Number(Number),
    /// The qualifier's sort key (`comparableQualifier`): its index among the known qualifiers, or
    /// `7-` followed by the qualifier.
    Qualifier(Box<str>),
    List(Vec<Item>),
}

const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
const RELEASE_KEY: &str = "5";
/// Each `-` (and each letter/digit switch) opens a nested list; comparing and dropping nested lists
/// recurses, so the depth is bounded (real versions nest a handful of levels).
const MAX_DEPTH: usize = 256;

fn qualifier(text: &str, followed_by_digit: bool) -> Item {
    let mut text = text;
    if followed_by_digit && text.len() == 1 {
        text = match text {
            "a" => "alpha",
            "b" => "beta",
            "m" => "milestone",
            other => other,
        };
    }
    let text = match text {
        "ga" | "final" | "release" => "",
        "cr" => "rc",
        other => other,
    };
    let key = match QUALIFIERS.iter().position(|known| *known == text) {
        Some(index) => index.to_string(),
        None => format!("{}-{text}", QUALIFIERS.len()),
    };
    Item::Qualifier(key.into())
}

fn parse_item(is_digit: bool, text: &str) -> Item {
    if is_digit {
        Item::Number(Number::from_digits(text))
    } else {
        qualifier(text, false)
    }
}

impl Item {
    fn is_null(&self) -> bool {
        match self {
            Item::Number(number) => number.is_zero(),
            Item::Qualifier(key) => &**key == RELEASE_KEY,
            Item::List(items) => items.is_empty(),
        }
    }

    /// `Item.compareTo(other)`, where `None` is Java's `null` (a missing item).
    fn compare(&self, other: Option<&Item>) -> Ordering {
        match (self, other) {
            (Item::Number(number), None) => {
                if number.is_zero() {
                    Ordering::Equal
                } else {
                    Ordering::Greater
                }
            }
            (Item::Qualifier(key), None) => (**key).cmp(RELEASE_KEY),
            // The whole list against nothing, not only its first item (MNG-6964, Maven 3.8).
            (Item::List(items), None) => items
                .iter()
                .map(|item| item.compare(None))
                .find(|order| order.is_ne())
                .unwrap_or(Ordering::Equal),
            (Item::Number(a), Some(Item::Number(b))) => a.cmp(b),
            (Item::Number(_), Some(_)) => Ordering::Greater,
            (Item::Qualifier(a), Some(Item::Qualifier(b))) => a.cmp(b),
            (Item::Qualifier(_), Some(_)) => Ordering::Less,
            (Item::List(_), Some(Item::Number(_))) => Ordering::Less,
            (Item::List(_), Some(Item::Qualifier(_))) => Ordering::Greater,
            (Item::List(a), Some(Item::List(b))) => compare_lists(a, b),
        }
    }
}

fn compare_lists(a: &[Item], b: &[Item]) -> Ordering {
    for index in 0..a.len().max(b.len()) {
        let order = match (a.get(index), b.get(index)) {
            (Some(left), right) => left.compare(right),
            (None, Some(right)) => right.compare(None).reverse(),
            (None, None) => Ordering::Equal,
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    Ordering::Equal
}

/// `ListItem.normalize`: drop null items from the end, looking through (already normalised) lists.
fn normalize(items: &mut Vec<Item>) {
    let mut index = items.len();
    while index > 0 {
        index -= 1;
        if items[index].is_null() {
            items.remove(index);
        } else if !matches!(items[index], Item::List(_)) {
            break;
        }
    }
}

impl MavenVersion {
    pub(crate) fn parse(input: &str) -> Result<MavenVersion, VersionError> {
        if input.is_empty() {
            return Err(VersionError::empty(Scheme::Maven, input));
        }
        // Empty components make Maven's own order cyclic (`7--M0` < `7` < `7a` < `7--M0` in
        // ComparableVersion itself), which no sort survives; no published version has one.
        let bytes = input.as_bytes();
        let separator = |byte: &u8| *byte == b'.' || *byte == b'-';
        if bytes.first().is_some_and(separator)
            || bytes.last().is_some_and(separator)
            || bytes.windows(2).any(|pair| separator(&pair[0]) && separator(&pair[1]))
        {
            return Err(VersionError::invalid(
                Scheme::Maven,
                input,
                "empty component between separators",
            ));
        }
        let version = input.to_ascii_lowercase();
        let bytes = version.as_bytes();
        let slice = |start: usize, end: usize| version.get(start..end).unwrap_or("");
        // `lists[k + 1]` is the sub-list that ends `lists[k]`, as `ComparableVersion` nests them.
        let mut lists: Vec<Vec<Item>> = vec![Vec::new()];
        let mut is_digit = false;
        let mut start = 0;
        for (index, &byte) in bytes.iter().enumerate() {
            let current = lists.len() - 1;
            if byte == b'.' {
                let item = if index == start {
                    Item::Number(Number::ZERO)
                } else {
                    parse_item(is_digit, slice(start, index))
                };
                lists[current].push(item);
                start = index + 1;
            } else if byte == b'-' {
                let item = if index == start {
                    Item::Number(Number::ZERO)
                } else {
                    parse_item(is_digit, slice(start, index))
                };
                lists[current].push(item);
                start = index + 1;
                lists.push(Vec::new());
            } else if byte.is_ascii_digit() {
                if !is_digit && index > start {
                    // `1.0.0.X1` < `1.0.0-X2`: treat `.X` as `-X` for a qualifier X.
                    if !lists[current].is_empty() {
                        lists.push(Vec::new());
                    }
                    let last = lists.len() - 1;
                    lists[last].push(qualifier(slice(start, index), true));
                    start = index;
                    lists.push(Vec::new());
                }
                is_digit = true;
            } else {
                if is_digit && index > start {
                    lists[current].push(parse_item(true, slice(start, index)));
                    start = index;
                    lists.push(Vec::new());
                }
                is_digit = false;
            }
        }
        if bytes.len() > start {
            let mut current = lists.len() - 1;
            if !is_digit && !lists[current].is_empty() {
                lists.push(Vec::new());
                current += 1;
            }
            lists[current].push(parse_item(is_digit, slice(start, bytes.len())));
        }
        if lists.len() > MAX_DEPTH {
            return Err(VersionError::invalid(
                Scheme::Maven,
                input,
                "more than 256 nested components",
            ));
        }
        let mut child: Option<Vec<Item>> = None;
        while let Some(mut list) = lists.pop() {
            if let Some(child) = child.take() {
                list.push(Item::List(child));
            }
            normalize(&mut list);
            child = Some(list);
        }
        Ok(MavenVersion {
            items: child.unwrap_or_default(),
        })
    }
}

impl Ord for MavenVersion {
    fn cmp(&self, other: &MavenVersion) -> Ordering {
        compare_lists(&self.items, &other.items)
    }
}

impl PartialOrd for MavenVersion {
    fn partial_cmp(&self, other: &MavenVersion) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for MavenVersion {
    fn eq(&self, other: &MavenVersion) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for MavenVersion {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Maven's own order has cycles; vigie gives Maven's answers, cycles
    /// included (checked with maven-artifact 3.x's ComparableVersion here:
    /// `java -cp maven-artifact.jar org.apache.maven.artifact.versioning.ComparableVersion 0m0 0 A 0m0`).
    #[test]
    fn maven_own_cycles_are_reproduced() {
        let less = |a: &str, b: &str| {
            assert_eq!(
                MavenVersion::parse(a).unwrap().cmp(&MavenVersion::parse(b).unwrap()),
                Ordering::Less,
                "{a} < {b}"
            );
        };
        less("0m0", "0");
        less("0", "A");
        less("A", "0m0");
        less("1-0-alpha", "1");
        less("1", "1-a");
        less("1-a", "1-0-alpha");
    }
    use std::cmp::Ordering::{Equal, Less};

    fn parse(s: &str) -> MavenVersion {
        MavenVersion::parse(s).unwrap()
    }

    #[test]
    fn maven_ordering_chain() {
        // From maven-artifact's ComparableVersionTest.VERSIONS_QUALIFIER and VERSIONS_NUMBER.
        let qualifiers = [
            "1-alpha2snapshot",
            "1-alpha2",
            "1-alpha-123",
            "1-beta-2",
            "1-beta123",
            "1-m2",
            "1-m11",
            "1-rc",
            "1-cr2",
            "1-rc123",
            "1-SNAPSHOT",
            "1",
            "1-sp",
            "1-sp2",
            "1-sp123",
            "1-abc",
            "1-def",
            "1-pom-1",
            "1-1-snapshot",
            "1-1",
            "1-2",
            "1-123",
        ];
        let numbers = [
            "2.0", "2.0.a", "2-1", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b", "2.1-c", "2.1-1", "2.1.0.1", "2.2",
            "2.123", "11.a2", "11.a11", "11.b2", "11.b11", "11.m2", "11.m11", "11", "11.a", "11b", "11c", "11m",
        ];
        for chain in [&qualifiers[..], &numbers[..]] {
            for (i, a) in chain.iter().enumerate() {
                for (j, b) in chain.iter().enumerate() {
                    assert_eq!(parse(a).cmp(&parse(b)), i.cmp(&j), "{a} vs {b}");
                }
            }
        }
    }

    #[test]
    fn maven_equalities() {
        let equal = [
            ("1", "1.0.0"),
            ("1", "1-0"),
            ("1", "1.ga"),
            ("1", "1-final"),
            ("1", "1.RELEASE"),
            ("1-rc1", "1-cr1"),
            ("1a1", "1-alpha-1"),
            ("1b2", "1-beta-2"),
            ("1m3", "1-milestone-3"),
            ("1X", "1.x"),
            ("1.0.0-SNAPSHOT", "1-snapshot"),
        ];
        for (a, b) in equal {
            assert_eq!(parse(a).cmp(&parse(b)), Equal, "{a} vs {b}");
        }
        assert_eq!(parse("1.0-alpha-1").cmp(&parse("1.0")), Less);
        // Found by the differential test: a list is compared whole against a missing item.
        assert_eq!(parse("3-ga.2").cmp(&parse("3-ga")), std::cmp::Ordering::Greater);
        let deep = "1-a".repeat(100_000);
        assert!(MavenVersion::parse(&deep).is_err());
        assert!(MavenVersion::parse(&"1-a".repeat(100)).is_ok());
        for bad in ["9-.9", "7--M0", "1..1", "-1", "1.", "."] {
            assert!(MavenVersion::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(parse("2.0.0.Final").cmp(&parse("2.0.1.Final")), Less);
        assert_eq!(
            parse("9999999999999999999999").cmp(&parse("10000000000000000000000")),
            Less
        );
    }
}
