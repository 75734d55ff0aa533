//! The one severity scale and the one suppression record, shared by findings
//! (checks, lint) and vulnerabilities (scan). Findings serialise and print
//! severities in lowercase (`high`); vulnerability outputs in UPPERCASE
//! (`HIGH`, as Trivy writes them): see [`Severity::as_upper`] and [`upper`].

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Severity of a finding or a vulnerability, ordered from least to most
/// severe so that `severity >= threshold` reads naturally. `Unknown` is for
/// vulnerabilities without a rating; findings never carry it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Unknown,
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// The five severities of findings, most severe first (what audit tables count).
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    /// The five ratings of vulnerabilities, most severe first.
    pub const RATINGS: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Unknown,
    ];

    /// Lowercase name, as findings print it.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Unknown => "unknown",
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// UPPERCASE name, as vulnerability outputs print it.
    pub fn as_upper(self) -> &'static str {
        match self {
            Severity::Unknown => "UNKNOWN",
            Severity::Info => "INFO",
            Severity::Low => "LOW",
            Severity::Medium => "MEDIUM",
            Severity::High => "HIGH",
            Severity::Critical => "CRITICAL",
        }
    }

    /// An advisory rating or a scan threshold: anything below low
    /// (`info`, `none`, `negligible`, …) is `Unknown`.
    pub fn parse_rating(s: &str) -> Result<Severity, UnknownRating> {
        match s.trim().to_ascii_lowercase().as_str() {
            "unknown" | "none" | "negligible" | "info" | "informational" | "unimportant" => Ok(Severity::Unknown),
            "low" => Ok(Severity::Low),
            "medium" | "moderate" => Ok(Severity::Medium),
            "high" | "important" => Ok(Severity::High),
            "critical" => Ok(Severity::Critical),
            other => Err(UnknownRating(other.to_string())),
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A finding severity that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownSeverity(pub String);

impl fmt::Display for UnknownSeverity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown severity '{}' (expected one of: critical, high, medium, low, info)",
            self.0
        )
    }
}

impl std::error::Error for UnknownSeverity {}

/// A vulnerability rating that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRating(pub String);

impl fmt::Display for UnknownRating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown severity '{}' (expected critical, high, medium, low or unknown)",
            self.0
        )
    }
}

impl std::error::Error for UnknownRating {}

/// Finding severities: `info`/`none` are `Info`, `unknown` is refused.
impl FromStr for Severity {
    type Err = UnknownSeverity;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "info" | "informational" | "none" => Ok(Severity::Info),
            "low" => Ok(Severity::Low),
            "medium" | "moderate" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            "critical" => Ok(Severity::Critical),
            other => Err(UnknownSeverity(other.to_string())),
        }
    }
}

/// (De)serialises a severity in UPPERCASE (`#[serde(with = "upper")]`), as
/// vulnerability outputs write it.
pub mod upper {
    use super::Severity;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(severity: &Severity, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(severity.as_upper())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Severity, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        match text.as_ref() {
            "UNKNOWN" => Ok(Severity::Unknown),
            "INFO" => Ok(Severity::Info),
            "LOW" => Ok(Severity::Low),
            "MEDIUM" => Ok(Severity::Medium),
            "HIGH" => Ok(Severity::High),
            "CRITICAL" => Ok(Severity::Critical),
            other => Err(serde::de::Error::unknown_variant(
                other,
                &["UNKNOWN", "INFO", "LOW", "MEDIUM", "HIGH", "CRITICAL"],
            )),
        }
    }
}

/// Why a finding or a vulnerability is not counted against the threshold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    /// What suppressed a vulnerability: `ignore-file`, `vex`. Empty (and not
    /// serialised) for findings.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub by: String,
    pub reason: String,
    /// ISO date (YYYY-MM-DD) after which the acceptance lapses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_parsers_and_both_spellings() {
        assert!(Severity::Info > Severity::Unknown);
        assert_eq!("info".parse::<Severity>(), Ok(Severity::Info));
        assert!("unknown".parse::<Severity>().is_err());
        assert_eq!(Severity::parse_rating("info"), Ok(Severity::Unknown));
        assert_eq!(Severity::parse_rating("Important"), Ok(Severity::High));
        for s in Severity::RATINGS {
            assert_eq!(Severity::parse_rating(s.as_upper()), Ok(s));
        }
        assert_eq!(serde_json::to_string(&Severity::High).ok().as_deref(), Some("\"high\""));
        #[derive(Serialize)]
        struct Rated {
            #[serde(with = "upper")]
            severity: Severity,
        }
        let text = serde_json::to_string(&Rated {
            severity: Severity::High,
        });
        assert_eq!(text.ok().as_deref(), Some(r#"{"severity":"HIGH"}"#));
    }
}
