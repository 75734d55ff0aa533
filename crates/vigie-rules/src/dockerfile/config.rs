//! Lint configuration: vigie's own file or a `.hadolint.yaml`, read the same
//! way (`ignored`, `override`, `trustedRegistries`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::Severity;
use serde::Deserialize;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read lint config {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("invalid lint config {path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// Rule ids never reported.
    pub ignored: Vec<String>,
    /// Rule id (upper case) → severity.
    pub severity: BTreeMap<String, Severity>,
    /// Registries FROM may use (DL3026 is off while this is empty).
    pub trusted_registries: Vec<String>,
    /// Do not honour `# hadolint ignore=` / `# vigie ignore=` comments.
    pub disable_ignore_pragma: bool,
    /// Rule id (upper case) → hadolint level set by `override` with a hadolint
    /// level name (`error`, `warning`, `info`, `style`, `ignore`).
    pub level: BTreeMap<String, Level>,
    /// Exit 1 only for findings at or above this level (hadolint's `failure-threshold`).
    pub failure_threshold: Option<Threshold>,
    /// Never exit 1 for findings (hadolint's `no-fail`).
    pub no_fail: bool,
    /// Labels every stage must carry, and the format of their values (`label-schema`).
    pub label_schema: BTreeMap<String, LabelType>,
    /// Only labels of the schema are allowed (`strict-labels`, DL3050).
    pub strict_labels: bool,
}

/// hadolint's levels, most severe first in [`Level::rank`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Ignore,
    Style,
    Info,
    Warning,
    Error,
}

impl Level {
    pub fn parse(text: &str) -> Option<Level> {
        match text.to_ascii_lowercase().as_str() {
            "error" => Some(Level::Error),
            "warning" => Some(Level::Warning),
            "info" => Some(Level::Info),
            "style" => Some(Level::Style),
            "ignore" => Some(Level::Ignore),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Info => "info",
            Level::Style => "style",
            Level::Ignore => "ignore",
        }
    }

    /// The vigie severity a hadolint level stands for.
    pub fn severity(self) -> Severity {
        match self {
            Level::Error => Severity::High,
            Level::Warning => Severity::Medium,
            Level::Info => Severity::Low,
            Level::Style | Level::Ignore => Severity::Info,
        }
    }

    /// The hadolint level of a vigie severity (for vigie's own rules).
    pub fn of_severity(severity: Severity) -> Level {
        match severity {
            Severity::Critical | Severity::High => Level::Error,
            Severity::Medium => Level::Warning,
            Severity::Low => Level::Info,
            Severity::Info | Severity::Unknown => Level::Style,
        }
    }
}

/// hadolint's `failure-threshold`: a level, or `none` (never fail).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Threshold {
    Level(Level),
    Never,
}

impl Threshold {
    pub fn parse(text: &str) -> Option<Threshold> {
        if text.eq_ignore_ascii_case("none") {
            return Some(Threshold::Never);
        }
        Level::parse(text).map(Threshold::Level)
    }

    /// Does a finding at `level` fail the run?
    pub fn fails(self, level: Level) -> bool {
        match self {
            Threshold::Never => false,
            Threshold::Level(t) => level >= t && level != Level::Ignore,
        }
    }
}

impl Default for Threshold {
    /// hadolint's default: info and above fail, style does not.
    fn default() -> Self {
        Threshold::Level(Level::Info)
    }
}

/// The formats `label-schema` can require (hadolint's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelType {
    Text,
    Url,
    Spdx,
    Hash,
    Rfc3339,
    Semver,
    Email,
}

impl LabelType {
    pub fn parse(text: &str) -> Option<LabelType> {
        Some(match text {
            "text" | "" => LabelType::Text,
            "url" => LabelType::Url,
            "spdx" => LabelType::Spdx,
            "hash" => LabelType::Hash,
            "rfc3339" => LabelType::Rfc3339,
            "semver" => LabelType::Semver,
            "email" => LabelType::Email,
            _ => return None,
        })
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
struct File {
    ignored: Vec<String>,
    #[serde(rename = "override")]
    overrides: BTreeMap<String, Vec<String>>,
    #[serde(alias = "trustedRegistries")]
    trusted_registries: Vec<String>,
    #[serde(alias = "disable-ignore-pragma", alias = "disableIgnorePragma")]
    disable_ignore_pragma: bool,
    #[serde(alias = "failureThreshold")]
    failure_threshold: Option<String>,
    // hadolint keys vigie accepts and does not use (the command line decides).
    #[allow(dead_code)]
    format: Option<String>,
    #[serde(alias = "no-color")]
    #[allow(dead_code)]
    no_color: Option<bool>,
    #[serde(alias = "noFail")]
    no_fail: Option<bool>,
    #[allow(dead_code)]
    verbose: Option<bool>,
    #[serde(alias = "strictLabels")]
    strict_labels: Option<bool>,
    label_schema: Option<BTreeMap<String, String>>,
    #[serde(rename = "labelSchema")]
    label_schema_camel: Option<BTreeMap<String, String>>,
}

/// hadolint's levels map onto vigie's severities.
pub fn level_to_severity(level: &str) -> Option<Severity> {
    match level.to_ascii_lowercase().as_str() {
        "error" => Some(Severity::High),
        "warning" => Some(Severity::Medium),
        "info" => Some(Severity::Low),
        "style" => Some(Severity::Info),
        other => other.parse().ok(),
    }
}

/// vigie's severities map back onto hadolint's levels (for `--format hadolint-json`).
pub fn severity_to_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "info",
        Severity::Info | Severity::Unknown => "style",
    }
}

impl Config {
    /// A configuration under which every rule can fire (for tests and
    /// fuzzing): the rules hadolint leaves off (DL1001, DL3057) at info,
    /// docker.io as the trusted registry, and a label schema with one label
    /// of each format but text.
    pub fn every_rule_on() -> Config {
        let mut config = Config::default();
        for id in ["DL1001", "DL3057"] {
            config.level.insert(id.to_string(), Level::Info);
        }
        config.trusted_registries.push("docker.io".to_string());
        for (label, kind) in [
            ("org.opencontainers.image.source", LabelType::Url),
            ("org.opencontainers.image.version", LabelType::Semver),
            ("org.opencontainers.image.created", LabelType::Rfc3339),
            ("org.opencontainers.image.licenses", LabelType::Spdx),
            ("org.opencontainers.image.revision", LabelType::Hash),
            ("maintainer", LabelType::Email),
        ] {
            config.label_schema.insert(label.to_string(), kind);
        }
        config
    }

    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let file: File = if text.trim().is_empty() {
            File::default()
        } else {
            serde_saphyr::from_str(text).map_err(|e| ConfigError::Invalid {
                path: path.to_path_buf(),
                message: e.to_string().lines().next().unwrap_or("").to_string(),
            })?
        };
        let mut config = Config {
            ignored: file.ignored.iter().map(|s| s.to_ascii_uppercase()).collect(),
            trusted_registries: file.trusted_registries,
            disable_ignore_pragma: file.disable_ignore_pragma,
            no_fail: file.no_fail.unwrap_or(false),
            strict_labels: file.strict_labels.unwrap_or(false),
            ..Config::default()
        };
        let invalid = |message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        for (level, ids) in file.overrides {
            let hadolint = Level::parse(&level);
            let severity = match hadolint {
                Some(l) => l.severity(),
                None => {
                    level_to_severity(&level).ok_or_else(|| invalid(format!("unknown level '{level}' in override")))?
                }
            };
            for id in ids {
                let id = id.to_ascii_uppercase();
                match hadolint {
                    Some(l) => {
                        config.level.insert(id.clone(), l);
                    }
                    None => {
                        config.level.insert(id.clone(), Level::of_severity(severity));
                    }
                }
                config.severity.insert(id, severity);
            }
        }
        if let Some(t) = &file.failure_threshold {
            config.failure_threshold = Some(Threshold::parse(t).ok_or_else(|| {
                invalid(format!(
                    "unknown failure-threshold '{t}' (error, warning, info, style, ignore, none)"
                ))
            })?);
        }
        for (label, kind) in file.label_schema.into_iter().chain(file.label_schema_camel).flatten() {
            let kind = LabelType::parse(&kind).ok_or_else(|| {
                invalid(format!(
                    "label-schema: unknown format '{kind}' for label '{label}' (text, url, spdx, hash, rfc3339, semver, email)"
                ))
            })?;
            config.label_schema.insert(label, kind);
        }
        Ok(config)
    }

    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::parse(&text, path)
    }

    pub fn is_ignored(&self, id: &str) -> bool {
        self.ignored.iter().any(|i| i.eq_ignore_ascii_case(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_hadolint_config() {
        let text = "ignored:\n  - DL3008\noverride:\n  error:\n    - dl3015\n  info: [DL3013]\ntrustedRegistries:\n  - docker.io\nfailure-threshold: warning\n";
        let c = Config::parse(text, Path::new(".hadolint.yaml")).unwrap();
        assert_eq!(c.ignored, ["DL3008"]);
        assert_eq!(c.severity.get("DL3015"), Some(&Severity::High));
        assert_eq!(c.severity.get("DL3013"), Some(&Severity::Low));
        assert_eq!(c.trusted_registries, ["docker.io"]);
    }

    #[test]
    fn errors_name_the_file() {
        let e = Config::parse("override:\n  urgent: [DL3008]\n", Path::new("x.yaml")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid lint config x.yaml: unknown level 'urgent' in override"
        );
    }
}
