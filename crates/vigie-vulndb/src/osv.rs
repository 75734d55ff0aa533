//! OSV records (schema 1.x) as plain serde structs. Only the fields the
//! matcher needs are typed; the whole original record is kept verbatim in the
//! database, so unknown fields and ecosystems survive an import untouched.

use serde::{Deserialize, Serialize};

/// One OSV record. Unknown fields are ignored here but kept in the stored body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<String>,
    #[serde(default, deserialize_with = "null_as_default", skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default", skip_serializing_if = "Vec::is_empty")]
    pub upstream: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default", skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    #[serde(default, deserialize_with = "null_as_default", skip_serializing_if = "Vec::is_empty")]
    pub severity: Vec<SeverityEntry>,
    #[serde(default, deserialize_with = "null_as_default", skip_serializing_if = "Vec::is_empty")]
    pub affected: Vec<Affected>,
    #[serde(default, deserialize_with = "null_as_default", skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<serde_json::Value>,
}

/// A record without its `affected` entries (its head: ids, texts, severity
/// and references), much cheaper to parse than the whole record.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RecordHead {
    pub id: String,
    #[serde(default)]
    pub modified: Option<String>,
    #[serde(default)]
    pub withdrawn: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub aliases: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub upstream: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub related: Vec<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub details: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub severity: Vec<SeverityEntry>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub references: Vec<Reference>,
    #[serde(default)]
    pub database_specific: Option<serde_json::Value>,
}

impl RecordHead {
    pub fn into_record(self) -> Record {
        Record {
            id: self.id,
            modified: self.modified,
            published: None,
            withdrawn: self.withdrawn,
            aliases: self.aliases,
            upstream: self.upstream,
            related: self.related,
            summary: self.summary,
            details: self.details,
            severity: self.severity,
            affected: Vec::new(),
            references: self.references,
            database_specific: self.database_specific,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SeverityEntry {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub score: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Reference {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub url: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Package {
    #[serde(default)]
    pub ecosystem: String,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
}

/// One `affected[]` entry: what the matcher reads for a package.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Affected {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<Package>,
    #[serde(default, deserialize_with = "one_or_many", skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<Range>,
    #[serde(default, deserialize_with = "null_as_default", skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default", skip_serializing_if = "Vec::is_empty")]
    pub severity: Vec<SeverityEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<serde_json::Value>,
    /// The distribution's own rating of this entry, from `ecosystem_specific`
    /// (Ubuntu: `ubuntu_priority`); only that string is kept, not the rest
    /// (Ubuntu lists every binary package there).
    #[serde(
        default,
        rename = "ecosystem_specific",
        deserialize_with = "distribution_rating",
        skip_serializing
    )]
    pub distribution_rating: Option<String>,
}

/// `ecosystem_specific.ubuntu_priority` when it is a string; anything else
/// (absent, another shape) is no rating, never a refused record. A visitor,
/// not a `serde_json::Value`: every other key (Ubuntu lists every binary
/// package there) is skipped without being built.
fn distribution_rating<'de, D>(deserializer: D) -> Result<Option<String>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};
    struct Rating;
    impl<'de> Visitor<'de> for Rating {
        type Value = Option<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("ecosystem_specific")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut rating = None;
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                if key == "ubuntu_priority" {
                    if let serde_json::Value::String(p) = map.next_value::<serde_json::Value>()? {
                        rating = Some(p.chars().take(32).collect());
                    }
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(rating)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(None)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    deserializer.deserialize_any(Rating)
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Range {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default, deserialize_with = "null_as_default", skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Event>,
}

/// One range event; OSV writes each as an object with a single key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introduced: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_affected: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
}

fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// `ranges` as the schema says (a list, or null), or one range object: the
/// Photon OS feed (captn3m0/photon-os-advisories, republished by OSV) writes
/// most of its records with `"ranges": {…}`, which would otherwise refuse
/// three Photon advisories in four.
fn one_or_many<'de, D>(deserializer: D) -> Result<Vec<Range>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    // A visitor, not an untagged enum: nothing is buffered per entry (import speed).
    struct Ranges;
    impl<'de> serde::de::Visitor<'de> for Ranges {
        type Value = Vec<Range>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a list of ranges, one range or null")
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_some<D2: serde::Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_any(Ranges)
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
            while let Some(range) = seq.next_element::<Range>()? {
                out.push(range);
            }
            Ok(out)
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            Ok(vec![Range::deserialize(serde::de::value::MapAccessDeserializer::new(
                map,
            ))?])
        }
    }
    deserializer.deserialize_any(Ranges)
}

/// Why a record was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("invalid json: {0}")]
    Json(String),
    #[error("record has an empty id")]
    EmptyId,
}

/// Parse one OSV record and check the few invariants the database relies on.
pub fn parse_record(bytes: &[u8]) -> Result<Record, RecordError> {
    let record: Record = serde_json::from_slice(bytes).map_err(|e| RecordError::Json(e.to_string()))?;
    if record.id.trim().is_empty() {
        return Err(RecordError::EmptyId);
    }
    Ok(record)
}

/// The ecosystem without its release suffix: `Debian:11` → `Debian`.
pub fn ecosystem_base(ecosystem: &str) -> &str {
    ecosystem.split(':').next().unwrap_or(ecosystem)
}

/// [`normalize_name`] without a copy when the name is already in its
/// normal form (the common case: names as lockfiles and indexes spell them).
pub fn normalize_name_cow<'a>(ecosystem: &str, name: &'a str) -> std::borrow::Cow<'a, str> {
    let trimmed = name.trim();
    let plain = |extra: &dyn Fn(u8) -> bool| {
        trimmed.len() == name.len()
            && name
                .bytes()
                .all(|b| b.is_ascii() && !b.is_ascii_uppercase() && !extra(b))
    };
    let normal = match ecosystem_base(ecosystem) {
        "PyPI" => plain(&|b| b == b'_' || b == b'.') && !name.contains("--"),
        "crates.io" | "npm" | "NuGet" | "Packagist" | "Hex" | "Pub" => plain(&|_| false),
        _ => return std::borrow::Cow::Borrowed(trimmed),
    };
    if normal {
        std::borrow::Cow::Borrowed(name)
    } else {
        std::borrow::Cow::Owned(normalize_name(ecosystem, name))
    }
}

/// Package names as the ecosystem compares them (PEP 503 for PyPI; npm,
/// crates.io and most others are compared as published, case included where
/// the registry is case-sensitive).
pub fn normalize_name(ecosystem: &str, name: &str) -> String {
    match ecosystem_base(ecosystem) {
        "PyPI" => {
            let mut out = String::with_capacity(name.len());
            let mut last_sep = false;
            for c in name.trim().chars() {
                if c == '-' || c == '_' || c == '.' {
                    if !last_sep {
                        out.push('-');
                    }
                    last_sep = true;
                } else {
                    out.extend(c.to_lowercase());
                    last_sep = false;
                }
            }
            out
        }
        // Cargo treats `-` and `_` as distinct names but crates.io refuses
        // both spellings of one name, so a lower-case comparison is exact.
        "crates.io" | "npm" | "NuGet" | "Packagist" | "Hex" | "Pub" => name.trim().to_lowercase(),
        "Maven" => name.trim().to_string(),
        _ => name.trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_and_ecosystems_parse() {
        let json = br#"{"id":"X-1","schema_version":"9.9","new_field":{"a":1},
            "affected":[{"package":{"ecosystem":"Martian:7","name":"zork"},"versions":["1"],"ranges":null}]}"#;
        let record = parse_record(json).unwrap();
        assert_eq!(record.affected[0].package.as_ref().unwrap().ecosystem, "Martian:7");
        assert!(parse_record(br#"{"id":""}"#).is_err());
        assert!(parse_record(b"{").is_err());
    }

    #[test]
    fn names_normalise_per_ecosystem() {
        assert_eq!(normalize_name("PyPI", "Zope.Interface__x"), "zope-interface-x");
        assert_eq!(normalize_name("Debian:11", "Foo"), "Foo");
        for (ecosystem, name) in [
            ("PyPI", "Zope.Interface__x"),
            ("PyPI", "zope-interface"),
            ("PyPI", "a--b"),
            ("PyPI", " a-b "),
            ("PyPI", "ǅemo-x"),
            ("npm", "@Scope/Name"),
            ("npm", "@scope/name"),
            ("crates.io", "serde_json"),
            ("Maven", " org.x:y "),
            ("Debian:11", "Foo"),
            ("Go", "github.com/A/b"),
        ] {
            assert_eq!(
                normalize_name_cow(ecosystem, name),
                normalize_name(ecosystem, name),
                "{ecosystem} {name}"
            );
        }
        assert_eq!(ecosystem_base("Alpine:v3.10"), "Alpine");
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn borrowed_normal_form_agrees(
            name in "[ a-zA-Z0-9._@/:Ǆǅ-]{0,12}",
            ecosystem in prop_oneof![Just("PyPI"), Just("npm"), Just("crates.io"), Just("Maven"), Just("Debian:11"), Just("Go")],
        ) {
            prop_assert_eq!(normalize_name_cow(ecosystem, &name), normalize_name(ecosystem, &name));
        }
    }

    /// PHSA-2018-0009 as captn3m0/photon-os-advisories publishes it: `ranges` as one object.
    #[test]
    fn a_single_range_object_is_one_range() {
        let text = r#"{"id":"PHSA-2018-0009","affected":[
            {"package":{"ecosystem":"Photon OS:2.0","name":"linux-aws","purl":"pkg:rpm/vmware/linux-aws?distro=photon-2"}},
            {"package":{"ecosystem":"Photon OS:2.0","name":"glibc","purl":"pkg:rpm/vmware/glibc?distro=photon-2"},
             "ranges":{"events":[{"introduced":"0"},{"fixed":"2.26-7.ph2"}],"type":"ECOSYSTEM"}}]}"#;
        let record: Record = serde_json::from_str(text).unwrap();
        assert!(record.affected[0].ranges.is_empty());
        assert_eq!(record.affected[1].ranges.len(), 1);
        assert_eq!(
            record.affected[1].ranges[0].events[1].fixed.as_deref(),
            Some("2.26-7.ph2")
        );
        let listed: Record =
            serde_json::from_str(r#"{"id":"X","affected":[{"ranges":[{"type":"ECOSYSTEM","events":[]}]}]}"#).unwrap();
        assert_eq!(listed.affected[0].ranges.len(), 1);
        assert!(serde_json::from_str::<Record>(r#"{"id":"X","affected":[{"ranges":7}]}"#).is_err());
    }
}
