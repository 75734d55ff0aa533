//! The binary form of a record's finding head ([`HitHead`] plus the source
//! the record came from), as stored in the `heads` table and copied into
//! every index block that names the record. A scan reads a head in place:
//! [`HeadRef`] borrows its strings from the block bytes, so a hit costs no
//! SQLite query, no JSON parse and no allocation until the finding itself
//! is built.
//!
//! Layout: `source, id, modified?, withdrawn?, aliases, upstream, related,
//! title?, references, rating, entry ratings`; a string is `len, bytes`, an
//! optional one `0` or `len + 1, bytes`, a list `n, string*`, a rating
//! `severity, source, score? (0 or 1 + 8 bytes LE), vector?`, entry ratings
//! `n, (seq, rating)*`. Every read is bounds-checked: [`HeadRef::parse`]
//! walks the whole head once, so a damaged head is refused, never a panic.

use crate::index::{Reader, put_str, put_varint};
use crate::matcher::HitHead;
use crate::severity::{Rated, Severity};
use smol_str::SmolStr;

fn put_opt(out: &mut Vec<u8>, text: Option<&str>) {
    match text {
        None => out.push(0),
        Some(text) => {
            put_varint(out, text.len() as u64 + 1);
            out.extend_from_slice(text.as_bytes());
        }
    }
}

fn put_list(out: &mut Vec<u8>, items: &[String]) {
    put_varint(out, items.len() as u64);
    for item in items {
        put_str(out, item);
    }
}

fn severity_code(severity: Severity) -> u8 {
    match severity {
        // Ratings are never `Info` (an advisory's "info" reads as unknown).
        Severity::Unknown | Severity::Info => 0,
        Severity::Low => 1,
        Severity::Medium => 2,
        Severity::High => 3,
        Severity::Critical => 4,
    }
}

fn severity_of(code: u8) -> Option<Severity> {
    Some(match code {
        0 => Severity::Unknown,
        1 => Severity::Low,
        2 => Severity::Medium,
        3 => Severity::High,
        4 => Severity::Critical,
        _ => return None,
    })
}

fn put_rating(out: &mut Vec<u8>, rated: &Rated) {
    out.push(severity_code(rated.severity));
    put_str(out, &rated.source);
    match rated.score {
        None => out.push(0),
        Some(score) => {
            out.push(1);
            out.extend_from_slice(&score.to_le_bytes());
        }
    }
    put_opt(out, rated.vector.as_deref());
}

/// Encode a head with the source of its record.
pub fn encode(head: &HitHead, source: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    put_str(&mut out, source);
    put_str(&mut out, &head.id);
    put_opt(&mut out, head.modified.as_deref());
    put_opt(&mut out, head.withdrawn.as_deref());
    put_list(&mut out, &head.aliases);
    put_list(&mut out, &head.upstream);
    put_list(&mut out, &head.related);
    put_opt(&mut out, head.title.as_deref());
    put_list(&mut out, &head.references);
    put_rating(&mut out, &head.rating);
    put_varint(&mut out, head.entry_ratings.len() as u64);
    for (seq, rated) in &head.entry_ratings {
        put_varint(&mut out, *seq as u64);
        put_rating(&mut out, rated);
    }
    out
}

fn opt<'a>(r: &mut Reader<'a>) -> Option<Option<&'a str>> {
    match r.len()? {
        0 => Some(None),
        n => std::str::from_utf8(r.bytes(n - 1)?).ok().map(Some),
    }
}

/// A list of strings read in place (validated when its head was parsed).
#[derive(Debug, Clone, Copy)]
pub struct StrList<'a> {
    bytes: &'a [u8],
    count: usize,
}

impl<'a> StrList<'a> {
    fn read(r: &mut Reader<'a>) -> Option<StrList<'a>> {
        let count = r.len()?;
        let start = r.position();
        for _ in 0..count {
            r.str()?;
        }
        Some(StrList {
            bytes: r.since(start)?,
            count,
        })
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    pub fn iter(&self) -> impl Iterator<Item = &'a str> + 'a {
        let mut r = Reader::new(self.bytes);
        (0..self.count).map_while(move |_| r.str())
    }
}

/// A rating read in place.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RatedRef<'a> {
    pub severity: Severity,
    pub source: &'a str,
    pub score: Option<f64>,
    pub vector: Option<&'a str>,
}

impl RatedRef<'_> {
    fn read<'a>(r: &mut Reader<'a>) -> Option<RatedRef<'a>> {
        let severity = severity_of(r.byte()?)?;
        let source = r.str()?;
        let score = match r.byte()? {
            0 => None,
            1 => {
                let b = r.bytes(8)?;
                Some(f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
            }
            _ => return None,
        };
        let vector = opt(r)?;
        Some(RatedRef {
            severity,
            source,
            score,
            vector,
        })
    }

    pub fn to_rated(&self) -> Rated {
        Rated {
            severity: self.severity,
            source: SmolStr::new(self.source),
            score: self.score,
            vector: self.vector.map(SmolStr::new),
        }
    }
}

/// A head read in place from its encoded bytes.
#[derive(Debug, Clone, Copy)]
pub struct HeadRef<'a> {
    pub source: &'a str,
    pub id: &'a str,
    pub modified: Option<&'a str>,
    pub withdrawn: Option<&'a str>,
    pub aliases: StrList<'a>,
    pub upstream: StrList<'a>,
    pub related: StrList<'a>,
    pub title: Option<&'a str>,
    pub references: StrList<'a>,
    pub rating: RatedRef<'a>,
    /// `(seq, rating)*`, validated.
    entry_ratings: StrList<'a>,
}

impl<'a> HeadRef<'a> {
    /// Read a head; `None` when the bytes are not a whole, valid head.
    pub fn parse(bytes: &'a [u8]) -> Option<HeadRef<'a>> {
        let mut r = Reader::new(bytes);
        let source = r.str()?;
        let id = r.str()?;
        let modified = opt(&mut r)?;
        let withdrawn = opt(&mut r)?;
        let aliases = StrList::read(&mut r)?;
        let upstream = StrList::read(&mut r)?;
        let related = StrList::read(&mut r)?;
        let title = opt(&mut r)?;
        let references = StrList::read(&mut r)?;
        let rating = RatedRef::read(&mut r)?;
        let count = r.len()?;
        let start = r.position();
        for _ in 0..count {
            r.varint()?;
            RatedRef::read(&mut r)?;
        }
        let entry_ratings = StrList {
            bytes: r.since(start)?,
            count,
        };
        if !r.at_end() {
            return None;
        }
        Some(HeadRef {
            source,
            id,
            modified,
            withdrawn,
            aliases,
            upstream,
            related,
            title,
            references,
            rating,
            entry_ratings,
        })
    }

    fn entry_ratings(&self) -> impl Iterator<Item = (u64, RatedRef<'a>)> + 'a {
        let mut r = Reader::new(self.entry_ratings.bytes);
        (0..self.entry_ratings.count).map_while(move |_| Some((r.varint()?, RatedRef::read(&mut r)?)))
    }

    /// The rating for the affected entry at `seq` (see [`HitHead::rating_for`]).
    pub fn rating_for(&self, seq: i64) -> RatedRef<'a> {
        self.entry_ratings()
            .find(|(s, _)| i64::try_from(*s).is_ok_and(|s| s == seq))
            .map(|(_, r)| r)
            .unwrap_or(self.rating)
    }

    /// Whether the record is withdrawn (never reported).
    pub fn is_withdrawn(&self) -> bool {
        self.withdrawn.is_some_and(|w| !w.is_empty())
    }

    pub fn to_head(&self) -> HitHead {
        let list = |l: &StrList<'_>| l.iter().map(str::to_string).collect();
        HitHead {
            id: self.id.to_string(),
            modified: self.modified.map(str::to_string),
            withdrawn: self.withdrawn.map(str::to_string),
            aliases: list(&self.aliases),
            upstream: list(&self.upstream),
            related: list(&self.related),
            title: self.title.map(str::to_string),
            references: list(&self.references),
            rating: self.rating.to_rated(),
            entry_ratings: self
                .entry_ratings()
                .map(|(seq, r)| (usize::try_from(seq).unwrap_or(usize::MAX), r.to_rated()))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rated(severity: Severity, source: &str, score: Option<f64>, vector: Option<&str>) -> Rated {
        Rated {
            severity,
            source: source.into(),
            score,
            vector: vector.map(SmolStr::new),
        }
    }

    #[test]
    fn heads_round_trip_and_damage_is_refused() {
        let head = HitHead {
            id: "GHSA-1".to_string(),
            modified: Some("2024-01-01T00:00:00Z".to_string()),
            withdrawn: None,
            aliases: vec!["CVE-2024-1".to_string(), "PYSEC-2".to_string()],
            upstream: vec![],
            related: vec!["CVE-2023-9".to_string()],
            title: Some("héllo".to_string()),
            references: vec!["https://a".to_string(), "https://b".to_string()],
            rating: rated(Severity::High, "cvss-v3", Some(7.5), Some("CVSS:3.1/AV:N")),
            entry_ratings: vec![(2, rated(Severity::Low, "database_specific", None, None))],
        };
        let bytes = encode(&head, "osv:PyPI");
        let parsed = HeadRef::parse(&bytes).unwrap();
        assert_eq!(parsed.source, "osv:PyPI");
        assert_eq!(parsed.to_head(), head);
        assert_eq!(parsed.rating_for(2).severity, Severity::Low);
        assert_eq!(parsed.rating_for(0).to_rated(), head.rating);
        assert!(!parsed.is_withdrawn());
        for cut in 0..bytes.len() {
            assert!(HeadRef::parse(&bytes[..cut]).is_none(), "{cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(HeadRef::parse(&longer).is_none());
    }
}
