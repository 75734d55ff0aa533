//! Which engine to talk to, decided as the docker CLI decides it, so that
//! `vigie` and `docker vigie` reach the engine `docker` itself would:
//!
//! 1. `--engine`/`-H` on the command line;
//! 2. `--context NAME` on the command line;
//! 3. `DOCKER_HOST`;
//! 4. `DOCKER_CONTEXT`;
//! 5. `currentContext` in the client configuration (`--docker-config`,
//!    `DOCKER_CONFIG`, else `~/.docker`: `config.json`);
//! 6. the local socket `unix:///var/run/docker.sock`.
//!
//! A context is read from `CONFIG/contexts/meta/<sha256 of its name>/meta.json`
//! (its `Endpoints.docker.Host`) and its TLS material from
//! `CONFIG/contexts/tls/<sha256>/docker/{ca,cert,key}.pem`, the layout the
//! docker CLI writes (no crate reads it; it is two small JSON files).
//! TLS: `--tlsverify` (or `DOCKER_TLS_VERIFY`, or a context with TLS
//! material) verifies the engine against a CA and presents a client
//! certificate; an engine whose certificate is not verified (`--tls` alone,
//! a context with `SkipTLSVerify`) is refused: a security tool does not talk
//! to an engine it cannot authenticate.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

use crate::connect::EngineError;

/// The default engine socket.
pub const DEFAULT_ENDPOINT: &str = "unix:///var/run/docker.sock";

/// What the command line said (each field `None`/false when not given).
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub engine: Option<String>,
    pub context: Option<String>,
    pub config_dir: Option<PathBuf>,
    /// `--tls`: TLS without verifying the engine (refused).
    pub tls: bool,
    pub tls_verify: bool,
    pub tls_ca: Option<PathBuf>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
}

/// The client certificate material for a TLS engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// The engine to connect to, and why that one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub endpoint: String,
    pub tls: Option<TlsFiles>,
    /// `--engine`, `context NAME`, `DOCKER_HOST`, `default`… for messages.
    pub origin: String,
}

/// The environment the resolution reads, passed in so tests need not set
/// process variables.
#[derive(Debug, Clone, Default)]
pub struct Env {
    pub docker_host: Option<String>,
    pub docker_context: Option<String>,
    pub docker_config: Option<PathBuf>,
    pub docker_tls_verify: bool,
    pub docker_cert_path: Option<PathBuf>,
    pub home: Option<PathBuf>,
}

impl Env {
    pub fn from_process() -> Env {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        Env {
            docker_host: var("DOCKER_HOST"),
            docker_context: var("DOCKER_CONTEXT"),
            docker_config: var("DOCKER_CONFIG").map(PathBuf::from),
            docker_tls_verify: var("DOCKER_TLS_VERIFY").is_some(),
            docker_cert_path: var("DOCKER_CERT_PATH").map(PathBuf::from),
            home: var("HOME").map(PathBuf::from),
        }
    }
}

fn error(origin: &str, reason: String) -> EngineError {
    EngineError::Unreachable {
        endpoint: origin.to_string(),
        reason,
    }
}

/// A JSON file of the client configuration, bounded (these are a few hundred bytes).
fn read_json(path: &Path) -> Result<Option<serde_json::Value>, String> {
    use std::io::Read;
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let mut text = String::new();
    file.take(1 << 20)
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| format!("{}: not valid JSON: {e}", path.display()))
}

/// Decide the engine. Errors name the context or file at fault.
pub fn resolve(request: &Request, env: &Env) -> Result<Resolved, EngineError> {
    let config_dir = request
        .config_dir
        .clone()
        .or_else(|| env.docker_config.clone())
        .or_else(|| env.home.as_ref().map(|h| h.join(".docker")));
    if request.engine.is_some() && request.context.is_some() {
        return Err(error(
            "--context",
            "give either --engine/-H or --context, not both (as docker requires)".to_string(),
        ));
    }
    if request.tls && !(request.tls_verify || env.docker_tls_verify) {
        return Err(error(
            "--tls",
            "--tls without --tlsverify would not check the engine's certificate; vigie refuses: add --tlsverify (and --tlscacert)".to_string(),
        ));
    }
    // TLS from the command line or DOCKER_TLS_VERIFY, for an endpoint given by host.
    let flag_tls = |origin: &str| -> Result<Option<TlsFiles>, EngineError> {
        let verify = request.tls_verify || env.docker_tls_verify;
        if !verify {
            if request.tls || request.tls_ca.is_some() || request.tls_cert.is_some() || request.tls_key.is_some() {
                return Err(error(
                    origin,
                    "--tls without --tlsverify would not check the engine's certificate; vigie refuses: add --tlsverify (and --tlscacert)".to_string(),
                ));
            }
            return Ok(None);
        }
        let base = env.docker_cert_path.clone().or_else(|| config_dir.clone());
        let pick = |given: &Option<PathBuf>, name: &str| -> Result<PathBuf, EngineError> {
            given
                .clone()
                .or_else(|| base.as_ref().map(|b| b.join(name)))
                .ok_or_else(|| {
                    error(
                        origin,
                        format!("--tlsverify: no {name} (give the file or set DOCKER_CERT_PATH)"),
                    )
                })
        };
        Ok(Some(TlsFiles {
            ca: pick(&request.tls_ca, "ca.pem")?,
            cert: pick(&request.tls_cert, "cert.pem")?,
            key: pick(&request.tls_key, "key.pem")?,
        }))
    };
    if let Some(engine) = &request.engine {
        return Ok(Resolved {
            endpoint: engine.clone(),
            tls: flag_tls("--engine")?,
            origin: "--engine".to_string(),
        });
    }
    if let Some(name) = &request.context {
        return context(name, config_dir.as_deref(), &format!("context {name} (--context)"));
    }
    if let Some(host) = &env.docker_host {
        return Ok(Resolved {
            endpoint: host.clone(),
            tls: flag_tls("DOCKER_HOST")?,
            origin: "DOCKER_HOST".to_string(),
        });
    }
    if let Some(name) = &env.docker_context {
        return context(name, config_dir.as_deref(), &format!("context {name} (DOCKER_CONTEXT)"));
    }
    if let Some(dir) = &config_dir {
        let file = dir.join("config.json");
        let config = read_json(&file).map_err(|e| error("the docker client configuration", e))?;
        if let Some(name) = config
            .as_ref()
            .and_then(|c| c.get("currentContext"))
            .and_then(|c| c.as_str())
            .filter(|c| !c.is_empty())
        {
            return context(
                name,
                Some(dir),
                &format!("context {name} (currentContext in {})", file.display()),
            );
        }
    }
    Ok(Resolved {
        endpoint: DEFAULT_ENDPOINT.to_string(),
        tls: flag_tls("the default engine")?,
        origin: "default".to_string(),
    })
}

/// The directory docker keeps a context's files under: the hex SHA-256 of its name.
fn context_dir_name(name: &str) -> String {
    Sha256::digest(name.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn context(name: &str, config_dir: Option<&Path>, origin: &str) -> Result<Resolved, EngineError> {
    // "default" is docker's built-in context: DOCKER_HOST is already ruled
    // out above when it applies, so it is the local socket.
    if name == "default" {
        return Ok(Resolved {
            endpoint: DEFAULT_ENDPOINT.to_string(),
            tls: None,
            origin: origin.to_string(),
        });
    }
    let Some(dir) = config_dir else {
        return Err(error(
            origin,
            "no docker configuration directory (set HOME or DOCKER_CONFIG)".to_string(),
        ));
    };
    let id = context_dir_name(name);
    let meta_file = dir.join("contexts/meta").join(&id).join("meta.json");
    let meta = read_json(&meta_file)
        .map_err(|e| error(origin, e))?
        .ok_or_else(|| error(origin, format!("no such context (no {})", meta_file.display())))?;
    if meta.get("Name").and_then(|n| n.as_str()) != Some(name) {
        return Err(error(
            origin,
            format!("{} does not describe context {name}", meta_file.display()),
        ));
    }
    let docker = meta
        .get("Endpoints")
        .and_then(|e| e.get("docker"))
        .ok_or_else(|| error(origin, format!("{}: no docker endpoint", meta_file.display())))?;
    let host = docker
        .get("Host")
        .and_then(|h| h.as_str())
        .filter(|h| !h.is_empty())
        .ok_or_else(|| {
            error(
                origin,
                format!("{}: Endpoints.docker.Host is empty", meta_file.display()),
            )
        })?;
    let tls_dir = dir.join("contexts/tls").join(&id).join("docker");
    let has = |f: &str| tls_dir.join(f).is_file();
    let tls = if has("ca.pem") || has("cert.pem") || has("key.pem") {
        if docker.get("SkipTLSVerify").and_then(|v| v.as_bool()) == Some(true) {
            return Err(error(
                origin,
                "the context skips TLS verification; vigie refuses an engine it cannot authenticate".to_string(),
            ));
        }
        for f in ["ca.pem", "cert.pem", "key.pem"] {
            if !has(f) {
                return Err(error(origin, format!("missing {}", tls_dir.join(f).display())));
            }
        }
        Some(TlsFiles {
            ca: tls_dir.join("ca.pem"),
            cert: tls_dir.join("cert.pem"),
            key: tls_dir.join("key.pem"),
        })
    } else {
        None
    };
    Ok(Resolved {
        endpoint: host.to_string(),
        tls,
        origin: origin.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_context(dir: &Path, name: &str, host: &str) {
        let meta = dir.join("contexts/meta").join(context_dir_name(name));
        std::fs::create_dir_all(&meta).unwrap();
        std::fs::write(
            meta.join("meta.json"),
            serde_json::json!({"Name": name, "Metadata": {}, "Endpoints": {"docker": {"Host": host, "SkipTLSVerify": false}}})
                .to_string(),
        )
        .unwrap();
    }

    #[test]
    fn the_directory_is_the_sha256_of_the_name() {
        // `docker context create lab` writes contexts/meta/<this>/meta.json.
        assert_eq!(
            context_dir_name("default"),
            "37a8eec1ce19687d132fe29051dca629d164e2c4958ba141d5f4133a33f0688f"
        );
    }

    #[test]
    fn precedence_is_dockers() {
        let dir = tempfile::tempdir().unwrap();
        write_context(dir.path(), "lab", "unix:///run/lab.sock");
        write_context(dir.path(), "other", "tcp://10.0.0.1:2375");
        std::fs::write(dir.path().join("config.json"), r#"{"currentContext":"other"}"#).unwrap();
        let env = Env {
            docker_config: Some(dir.path().to_path_buf()),
            ..Default::default()
        };
        let get = |request: Request, env: &Env| resolve(&request, env).unwrap().endpoint;
        assert_eq!(get(Request::default(), &env), "tcp://10.0.0.1:2375", "currentContext");
        let with_context = Env {
            docker_context: Some("lab".into()),
            ..env.clone()
        };
        assert_eq!(get(Request::default(), &with_context), "unix:///run/lab.sock");
        let with_host = Env {
            docker_host: Some("tcp://1.2.3.4:2375".into()),
            ..with_context.clone()
        };
        assert_eq!(
            get(Request::default(), &with_host),
            "tcp://1.2.3.4:2375",
            "DOCKER_HOST beats DOCKER_CONTEXT"
        );
        let flag = Request {
            context: Some("lab".into()),
            ..Default::default()
        };
        assert_eq!(
            get(flag, &with_host),
            "unix:///run/lab.sock",
            "--context beats DOCKER_HOST"
        );
        let engine = Request {
            engine: Some("unix:///x.sock".into()),
            ..Default::default()
        };
        assert_eq!(get(engine, &with_host), "unix:///x.sock");
        let default = Request {
            context: Some("default".into()),
            ..Default::default()
        };
        assert_eq!(get(default, &env), DEFAULT_ENDPOINT);
        assert_eq!(get(Request::default(), &Env::default()), DEFAULT_ENDPOINT);
    }

    #[test]
    fn errors_name_the_context_and_unverified_tls_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let env = Env {
            docker_config: Some(dir.path().to_path_buf()),
            ..Default::default()
        };
        let missing = Request {
            context: Some("nope".into()),
            ..Default::default()
        };
        let e = resolve(&missing, &env).unwrap_err().to_string();
        assert!(e.contains("context nope") && e.contains("no such context"), "{e}");
        let both = Request {
            context: Some("x".into()),
            engine: Some("unix:///y".into()),
            ..Default::default()
        };
        assert!(resolve(&both, &env).is_err());
        let tls = Request {
            engine: Some("tcp://h:2376".into()),
            tls: true,
            ..Default::default()
        };
        let e = resolve(&tls, &env).unwrap_err().to_string();
        assert!(e.contains("--tlsverify"), "{e}");
        let verify = Request {
            engine: Some("tcp://h:2376".into()),
            tls_verify: true,
            ..Default::default()
        };
        let got = resolve(&verify, &env).unwrap().tls.unwrap();
        assert_eq!(got.ca, dir.path().join("ca.pem"));
        // A context with TLS material uses it; one that skips verification is refused.
        write_context(dir.path(), "secure", "tcp://h:2376");
        let tls_dir = dir
            .path()
            .join("contexts/tls")
            .join(context_dir_name("secure"))
            .join("docker");
        std::fs::create_dir_all(&tls_dir).unwrap();
        for f in ["ca.pem", "cert.pem", "key.pem"] {
            std::fs::write(tls_dir.join(f), "x").unwrap();
        }
        let secure = Request {
            context: Some("secure".into()),
            ..Default::default()
        };
        assert_eq!(
            resolve(&secure, &env).unwrap().tls.unwrap().key,
            tls_dir.join("key.pem")
        );
        std::fs::write(dir.path().join("config.json"), "{not json").unwrap();
        let e = resolve(&Request::default(), &env).unwrap_err().to_string();
        assert!(e.contains("config.json"), "{e}");
    }
}
