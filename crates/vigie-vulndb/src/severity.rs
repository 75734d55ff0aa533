//! Severity of a vulnerability and where it came from: a CVSS vector scored
//! with the `cvss` crate, else the record's own rating, else UNKNOWN.

use crate::osv::{Affected, Record, SeverityEntry};
use smol_str::SmolStr;
use std::str::FromStr;

pub use vigie_snapshot::scan::Rated;
pub use vigie_snapshot::severity::{Severity, UnknownRating as UnknownSeverity};

fn from_cvss(score: f64) -> Severity {
    match score {
        s if s >= 9.0 => Severity::Critical,
        s if s >= 7.0 => Severity::High,
        s if s >= 4.0 => Severity::Medium,
        s if s > 0.0 => Severity::Low,
        _ => Severity::Unknown,
    }
}

fn rate_entries(entries: &[SeverityEntry], place: &str) -> Option<Rated> {
    // Prefer the newest scoring system the record offers.
    let mut best: Option<(u8, Rated)> = None;
    for entry in entries {
        let rank = match entry.kind.as_str() {
            "CVSS_V4" => 3,
            "CVSS_V3" => 2,
            _ => continue,
        };
        let Ok(parsed) = cvss::Cvss::from_str(entry.score.trim()) else {
            continue;
        };
        let score = parsed.score();
        let rated = Rated {
            severity: from_cvss(score),
            source: format!("{} ({place})", entry.kind.to_ascii_lowercase().replace('_', "-")).into(),
            score: Some(score),
            vector: Some(entry.score.trim().into()),
        };
        if best.as_ref().is_none_or(|(r, _)| rank > *r) {
            best = Some((rank, rated));
        }
    }
    best.map(|(_, rated)| rated)
}

fn database_specific(value: Option<&serde_json::Value>, place: &str) -> Option<Rated> {
    let text = value?.get("severity")?.as_str()?;
    let severity = Severity::parse_rating(text).ok()?;
    Some(Rated {
        severity,
        source: format!("database_specific ({place})").into(),
        score: None,
        vector: None,
    })
}

/// The distribution's own priority (Ubuntu's `negligible` is its lowest
/// rating, shown as LOW as Trivy does; `untriaged` is no rating).
fn distribution(affected: &Affected) -> Option<Rated> {
    let text = affected.distribution_rating.as_deref()?;
    let severity = match text.trim().to_ascii_lowercase().as_str() {
        "negligible" => Severity::Low,
        other => Severity::parse_rating(other).ok().filter(|s| *s != Severity::Unknown)?,
    };
    Some(Rated {
        severity,
        source: "ubuntu priority".into(),
        score: None,
        vector: None,
    })
}

/// Red Hat's impact, which the errata of its rebuilds carry as the first
/// word of their summary (AlmaLinux `ALSA-`, Rocky Linux `RLSA-`:
/// `Important: openssl security update`), mapped as Trivy maps it
/// (Important is HIGH, Moderate MEDIUM).
fn red_hat_impact(record: &Record) -> Option<Rated> {
    if !(record.id.starts_with("ALSA-") || record.id.starts_with("RLSA-")) {
        return None;
    }
    let (impact, _) = record.summary.as_deref()?.split_once(':')?;
    let severity = match impact.trim() {
        "Critical" => Severity::Critical,
        "Important" => Severity::High,
        "Moderate" => Severity::Medium,
        "Low" => Severity::Low,
        _ => return None,
    };
    Some(Rated {
        severity,
        source: "red hat impact".into(),
        score: None,
        vector: None,
    })
}

/// The severity of a record for one of its affected entries: the
/// distribution's own rating first (it judges the package as shipped), then
/// CVSS, then a rating in `database_specific`.
pub fn rate(record: &Record, affected: Option<&Affected>) -> Rated {
    if let Some(rated) = affected.and_then(distribution).or_else(|| red_hat_impact(record)) {
        return rated;
    }
    if let Some(rated) = affected.and_then(|a| rate_entries(&a.severity, "affected")) {
        return rated;
    }
    if let Some(rated) = rate_entries(&record.severity, "record") {
        return rated;
    }
    if let Some(rated) = affected.and_then(|a| database_specific(a.database_specific.as_ref(), "affected")) {
        return rated;
    }
    if let Some(rated) = database_specific(record.database_specific.as_ref(), "record") {
        return rated;
    }
    Rated {
        severity: Severity::Unknown,
        source: SmolStr::new_static("none"),
        score: None,
        vector: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CVE-2022-1304 as Canonical publishes it: CVSS 7.8 (high), Ubuntu priority medium.
    #[test]
    fn the_distribution_rating_comes_first() {
        let record: Record = serde_json::from_str(
            r#"{"id":"CVE-2022-1304","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H"}],
            "affected":[{"package":{"ecosystem":"Ubuntu:18.04:LTS","name":"e2fsprogs"},
            "ecosystem_specific":{"binaries":[{"e2fsprogs":"1.44.1-1ubuntu1.4"}],"availability":"No subscription required","ubuntu_priority":"medium"}},
            {"package":{"ecosystem":"Ubuntu:20.04:LTS","name":"e2fsprogs"},"ecosystem_specific":{"ubuntu_priority":"untriaged"}},
            {"package":{"ecosystem":"Ubuntu:22.04:LTS","name":"e2fsprogs"},"ecosystem_specific":["not", "an", "object"]}]}"#,
        )
        .unwrap();
        let rated = rate(&record, record.affected.first());
        assert_eq!(
            (rated.severity, rated.source.as_str()),
            (Severity::Medium, "ubuntu priority")
        );
        // No usable distribution rating: CVSS.
        for affected in &record.affected[1..] {
            let rated = rate(&record, Some(affected));
            assert_eq!(rated.severity, Severity::High);
            assert_eq!(rated.score, Some(7.8));
        }
    }

    #[test]
    fn cvss_then_database_specific_then_unknown() {
        let record: Record = serde_json::from_str(
            r#"{"id":"X","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]}"#,
        )
        .unwrap();
        let rated = rate(&record, None);
        assert_eq!(rated.severity, Severity::Critical);
        assert_eq!(rated.score, Some(9.8));
        let record: Record = serde_json::from_str(r#"{"id":"X","database_specific":{"severity":"MODERATE"}}"#).unwrap();
        assert_eq!(rate(&record, None).severity, Severity::Medium);
        let record: Record =
            serde_json::from_str(r#"{"id":"X","severity":[{"type":"CVSS_V3","score":"garbage"}]}"#).unwrap();
        assert_eq!(rate(&record, None).severity, Severity::Unknown);
        assert_eq!(rate(&record, None).source, "none");
    }

    /// ALSA-2023:0946 as AlmaLinux publishes it: no CVSS, impact in the summary.
    #[test]
    fn alma_and_rocky_errata_are_rated_by_their_red_hat_impact() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../testdata/osv-almalinux/ALSA-2023-0946.json"
        ))
        .unwrap();
        let record: Record = serde_json::from_str(&text).unwrap();
        let rated = rate(&record, record.affected.first());
        assert_eq!(
            (rated.severity, rated.source.as_str()),
            (Severity::Medium, "red hat impact")
        );
        let other: Record = serde_json::from_str(r#"{"id":"GHSA-x","summary":"Important: not an erratum"}"#).unwrap();
        assert_eq!(rate(&other, None).severity, Severity::Unknown);
    }
}
