//! Connecting to the engine: `--engine`/`DOCKER_HOST` (unix socket or tcp),
//! then API version negotiation (the engine here is 20.10, API 1.41; bollard's
//! default is newer, so without negotiation every request fails).

use bollard::Docker;
use std::sync::OnceLock;
use std::time::Duration;

use crate::context::TlsFiles;

/// The TLS material for the one engine this process talks to, set once from
/// the command line or the docker context (`vigie_engine::context::resolve`)
/// before any connection, as the docker CLI holds its own for the run.
static TLS: OnceLock<(String, TlsFiles)> = OnceLock::new();

/// Use `files` whenever `endpoint` is connected to. Only the first call counts.
pub fn use_tls(endpoint: &str, files: TlsFiles) {
    let _ = TLS.set((endpoint.to_string(), files));
}

/// How long the first exchange with the engine may take: an engine that
/// accepts and never answers is reported in this time, not at the request
/// timeout. `VIGIE_ENGINE_TIMEOUT` (seconds, 0.1–600) changes it.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

fn connect_timeout() -> Duration {
    std::env::var("VIGIE_ENGINE_TIMEOUT")
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && (0.1..=600.0).contains(s))
        .map(Duration::from_secs_f64)
        .unwrap_or(DEFAULT_CONNECT_TIMEOUT)
}

/// Seconds to wait for the engine before giving up; an engine that is down
/// must be reported in well under a second for a unix socket.
const TIMEOUT_SECS: u64 = 30;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("cannot reach the Docker engine at {endpoint}: {reason}")]
    Unreachable { endpoint: String, reason: String },
    #[error("permission denied on the Docker engine socket {endpoint} (run as root or join the docker group)")]
    PermissionDenied { endpoint: String },
    #[error("no such container: {0}")]
    NoSuchContainer(String),
    #[error("no such image: {0}")]
    NoSuchImage(String),
    #[error("engine request '{what}' failed: {reason}")]
    Request { what: String, reason: String },
}

/// A connected, version-negotiated engine.
#[derive(Debug, Clone)]
pub struct Engine {
    pub docker: Docker,
    pub endpoint: String,
}

/// What `vigie` reports about the engine it talked to.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EngineInfo {
    pub endpoint: String,
    pub server_version: String,
    pub api_version: String,
}

fn describe(endpoint: &str, err: &bollard::errors::Error) -> EngineError {
    let text = err.to_string();
    let lower = text.to_ascii_lowercase();
    if lower.contains("permission denied") {
        EngineError::PermissionDenied {
            endpoint: endpoint.to_string(),
        }
    } else {
        EngineError::Unreachable {
            endpoint: endpoint.to_string(),
            reason: text,
        }
    }
}

impl Engine {
    /// Connect to `endpoint` (`unix:///var/run/docker.sock`, `tcp://host:2375`,
    /// a bare socket path) or, when `None`, to `DOCKER_HOST` or the local socket.
    pub async fn connect(endpoint: Option<&str>) -> Result<Engine, EngineError> {
        let env = std::env::var("DOCKER_HOST").ok().filter(|s| !s.is_empty());
        let endpoint = endpoint
            .map(str::to_string)
            .or(env)
            .unwrap_or_else(|| "unix:///var/run/docker.sock".to_string());
        let docker = if let Some(path) = endpoint.strip_prefix("unix://") {
            Self::check_socket(&endpoint, path)?;
            Docker::connect_with_unix(path, TIMEOUT_SECS, bollard::API_DEFAULT_VERSION)
        } else if endpoint.starts_with('/') {
            Self::check_socket(&endpoint, &endpoint)?;
            Docker::connect_with_unix(&endpoint, TIMEOUT_SECS, bollard::API_DEFAULT_VERSION)
        } else if let Some((_, tls)) = TLS.get().filter(|(e, _)| *e == endpoint) {
            for (what, file) in [("CA", &tls.ca), ("certificate", &tls.cert), ("key", &tls.key)] {
                if !file.is_file() {
                    return Err(EngineError::Unreachable {
                        endpoint: endpoint.clone(),
                        reason: format!("TLS {what} {} not found", file.display()),
                    });
                }
            }
            let https = endpoint.replacen("tcp://", "https://", 1);
            Docker::connect_with_ssl(
                &https,
                &tls.key,
                &tls.cert,
                &tls.ca,
                TIMEOUT_SECS,
                bollard::API_DEFAULT_VERSION,
            )
        } else if endpoint.starts_with("tcp://") || endpoint.starts_with("http://") {
            Docker::connect_with_http(&endpoint, TIMEOUT_SECS, bollard::API_DEFAULT_VERSION)
        } else {
            return Err(EngineError::Unreachable {
                endpoint: endpoint.clone(),
                reason: "unsupported endpoint scheme (use unix:// or tcp://)".to_string(),
            });
        }
        .map_err(|e| describe(&endpoint, &e))?;
        // A down or hung engine must fail fast: bound the first exchange.
        let limit = connect_timeout();
        let negotiated = tokio::time::timeout(limit, docker.negotiate_version())
            .await
            .map_err(|_| EngineError::Unreachable {
                endpoint: endpoint.clone(),
                reason: format!(
                    "no answer in {:.1} s (VIGIE_ENGINE_TIMEOUT sets the limit)",
                    limit.as_secs_f64()
                ),
            })?
            .map_err(|e| describe(&endpoint, &e))?;
        Ok(Engine {
            docker: negotiated,
            endpoint,
        })
    }

    fn check_socket(endpoint: &str, path: &str) -> Result<(), EngineError> {
        match std::fs::metadata(path) {
            Ok(_) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => Err(EngineError::PermissionDenied {
                endpoint: endpoint.to_string(),
            }),
            Err(e) => Err(EngineError::Unreachable {
                endpoint: endpoint.to_string(),
                reason: format!("{path}: {e}"),
            }),
        }
    }

    pub async fn info(&self) -> Result<EngineInfo, EngineError> {
        let version = self.docker.version().await.map_err(|e| describe(&self.endpoint, &e))?;
        Ok(EngineInfo {
            endpoint: self.endpoint.clone(),
            server_version: version.version.unwrap_or_default(),
            api_version: version.api_version.unwrap_or_default(),
        })
    }

    /// Map a bollard error on a container request to our error.
    pub fn container_error(&self, name: &str, err: bollard::errors::Error) -> EngineError {
        match err {
            bollard::errors::Error::DockerResponseServerError { status_code: 404, .. } => {
                EngineError::NoSuchContainer(name.to_string())
            }
            other => EngineError::Request {
                what: format!("container {name}"),
                reason: other.to_string(),
            },
        }
    }

    /// Raw `docker inspect` of one container.
    pub async fn inspect_container(
        &self,
        name: &str,
    ) -> Result<bollard::models::ContainerInspectResponse, EngineError> {
        self.docker
            .inspect_container(name, None::<bollard::query_parameters::InspectContainerOptions>)
            .await
            .map_err(|e| self.container_error(name, e))
    }
}

/// The engine's own message from a bollard error, without bollard's wrapping
/// ("Docker responded with status code 409: …").
pub fn engine_message(e: &bollard::errors::Error) -> String {
    match e {
        bollard::errors::Error::DockerResponseServerError { message, .. } => message.clone(),
        other => other.to_string(),
    }
}
