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
    // hadolint keys vigie accepts and does not use.
    #[serde(alias = "failure-threshold")]
    #[allow(dead_code)]
    failure_threshold: Option<String>,
    #[allow(dead_code)]
    format: Option<String>,
    #[serde(alias = "no-color")]
    #[allow(dead_code)]
    no_color: Option<bool>,
    #[serde(alias = "no-fail")]
    #[allow(dead_code)]
    no_fail: Option<bool>,
    #[allow(dead_code)]
    verbose: Option<bool>,
    #[serde(alias = "strict-labels")]
    #[allow(dead_code)]
    strict_labels: Option<bool>,
    #[allow(dead_code)]
    label_schema: Option<BTreeMap<String, String>>,
    #[serde(alias = "labelSchema")]
    #[allow(dead_code)]
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
            ..Config::default()
        };
        for (level, ids) in file.overrides {
            let severity = level_to_severity(&level).ok_or_else(|| ConfigError::Invalid {
                path: path.to_path_buf(),
                message: format!("unknown level '{level}' in override"),
            })?;
            for id in ids {
                config.severity.insert(id.to_ascii_uppercase(), severity);
            }
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
