//! The image configuration (`docker inspect`'s `Config`, OCI image config):
//! the same JSON shape for docker-archive, OCI and the engine, read leniently;
//! and what else the image checks know of an image besides its files (how it
//! was named and found). `vigie-image` fills these; `vigie-rules` reads them.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub architecture: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default)]
    pub config: RuntimeConfig,
    #[serde(default)]
    pub rootfs: RootFs,
    #[serde(default)]
    pub history: Vec<History>,
}

/// `config` inside the image configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RuntimeConfig {
    #[serde(default, deserialize_with = "null_default")]
    pub user: String,
    #[serde(default, deserialize_with = "null_default")]
    pub env: Vec<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub entrypoint: Vec<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub cmd: Vec<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub working_dir: String,
    #[serde(default, deserialize_with = "null_default")]
    pub labels: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "null_default")]
    pub exposed_ports: BTreeMap<String, serde_json::Value>,
    #[serde(default, deserialize_with = "null_default")]
    pub volumes: BTreeMap<String, serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<Healthcheck>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_signal: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Healthcheck {
    #[serde(default, deserialize_with = "null_default")]
    pub test: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RootFs {
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default, deserialize_with = "null_default")]
    pub diff_ids: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub created_by: String,
    #[serde(default, deserialize_with = "null_default")]
    pub comment: String,
    #[serde(default)]
    pub empty_layer: bool,
}

fn null_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

impl ImageConfig {
    pub fn parse(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    /// The healthcheck is set and not disabled (`NONE`).
    pub fn has_healthcheck(&self) -> bool {
        self.config
            .healthcheck
            .as_ref()
            .is_some_and(|h| !h.test.is_empty() && h.test.first().is_some_and(|t| t != "NONE"))
    }

    pub fn env_pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.config
            .env
            .iter()
            .map(|e| e.split_once('=').unwrap_or((e.as_str(), "")))
    }
}

/// Where an image was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    Engine,
    DockerArchive,
    OciLayout,
    OciArchive,
    Dir,
    /// A registry, over the OCI distribution API (no engine).
    Registry,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Engine => "docker",
            SourceKind::DockerArchive => "docker-archive",
            SourceKind::OciLayout => "oci",
            SourceKind::OciArchive => "oci-archive",
            SourceKind::Dir => "dir",
            SourceKind::Registry => "registry",
        }
    }
}

/// An image as the image checks see it besides its files.
#[derive(Debug, Clone)]
pub struct ImageSubject<'a> {
    /// Display name (first tag, else the reference): the target of findings.
    pub name: String,
    /// What the user asked for.
    pub reference: &'a str,
    pub kind: SourceKind,
    /// Empty for a root filesystem directory.
    pub config: &'a ImageConfig,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_docker_config_with_nulls() {
        let json = br#"{"architecture":"amd64","os":"linux","config":{"User":"","Env":null,"Cmd":["sh"],
            "Labels":null,"Healthcheck":{"Test":["CMD","true"]}},"rootfs":{"type":"layers","diff_ids":["sha256:aa"]},
            "history":[{"created_by":"/bin/sh -c #(nop) ADD file:x in / "},{"created_by":"CMD","empty_layer":true}]}"#;
        let c = ImageConfig::parse(json).unwrap();
        assert_eq!(c.config.cmd, vec!["sh"]);
        assert!(c.config.env.is_empty());
        assert!(c.has_healthcheck());
        assert_eq!(c.rootfs.diff_ids.len(), 1);
        assert!(c.history[1].empty_layer);
    }
}
