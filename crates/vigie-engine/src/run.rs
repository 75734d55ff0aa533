//! `vigie run`: the hardening profile (a documented TOML file under
//! `profiles/`), the user's options, and the container configuration they
//! make together. Pure data in, `ContainerCreateBody` out, so every default
//! is testable without an engine; the engine calls (pull) sit at the end.

use bollard::models::{ContainerCreateBody, HostConfig, PortBinding, PortMap};
use futures_util::StreamExt;
use serde::Deserialize;
use std::collections::HashMap;
use std::time::Duration;

use crate::{Engine, EngineError};

/// The user id given to a container whose image runs as root, under `user = "auto"`.
pub const NOBODY: &str = "65534:65534";

/// A run profile. Every field has Docker's own default when absent, so an
/// empty file is `docker run` unchanged; `profiles/hardened.toml` is the default.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// One line saying what the profile is for.
    #[serde(default)]
    pub description: String,
    /// Capabilities dropped (`ALL` for every one).
    #[serde(default)]
    pub cap_drop: Vec<String>,
    /// Capabilities added back after the drop.
    #[serde(default)]
    pub cap_add: Vec<String>,
    #[serde(default)]
    pub no_new_privileges: bool,
    #[serde(default)]
    pub read_only: bool,
    /// `PATH[:OPTIONS]` tmpfs mounts (`/tmp:rw,noexec,nosuid,size=64m`).
    #[serde(default)]
    pub tmpfs: Vec<String>,
    /// `auto` (the image's USER when non-root, else 65534:65534), `image`, or `UID[:GID]`/name.
    #[serde(default)]
    pub user: Option<String>,
    /// `none`, `bridge`, or a network name; absent: the engine's default bridge.
    #[serde(default)]
    pub network: Option<String>,
    /// Memory limit (`256m`, `1g`, bytes).
    #[serde(default)]
    pub memory: Option<String>,
    #[serde(default)]
    pub pids_limit: Option<i64>,
    /// CPUs (`1.5`).
    #[serde(default)]
    pub cpus: Option<f64>,
}

/// What the user asked for on the command line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunRequest {
    pub image: String,
    pub command: Vec<String>,
    pub name: Option<String>,
    pub tty: bool,
    pub interactive: bool,
    pub network: Option<String>,
    pub volumes: Vec<String>,
    pub env: Vec<String>,
    pub publish: Vec<String>,
    pub user: Option<String>,
    pub cap_add: Vec<String>,
    pub privileged: bool,
    pub labels: Vec<(String, String)>,
    /// `--rm`: the engine removes the container when it exits
    /// (`HostConfig.AutoRemove`), so a killed vigie leaves nothing behind.
    pub auto_remove: bool,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum RunError {
    #[error("profile field memory: '{0}' is not a size (use 256m, 1g or bytes)")]
    Memory(String),
    #[error("profile field cpus: {0} is not a positive number of CPUs")]
    Cpus(f64),
    #[error("-p {0}: expected [IP:]HOST_PORT:CONTAINER_PORT[/PROTOCOL] or CONTAINER_PORT")]
    Publish(String),
}

/// `256m` → bytes (docker's units: b, k, m, g, binary multiples).
pub fn parse_size(text: &str) -> Option<i64> {
    let t = text.trim().to_ascii_lowercase();
    let t = t.strip_suffix('b').unwrap_or(&t);
    let (digits, multiplier) = match t.chars().last()? {
        'k' => (&t[..t.len() - 1], 1i64 << 10),
        'm' => (&t[..t.len() - 1], 1 << 20),
        'g' => (&t[..t.len() - 1], 1 << 30),
        _ => (t, 1),
    };
    let value: f64 = digits.parse().ok()?;
    (value > 0.0 && value.is_finite()).then_some((value * multiplier as f64) as i64)
}

/// True when an image's USER means root: unset (the default) or naming uid 0.
fn image_runs_as_root(user: &str) -> bool {
    user.trim().is_empty() || vigie_snapshot::is_root_user(user)
}

/// The user the container runs as: `--user`, else the profile's rule applied to the image's USER.
pub fn effective_user(profile: &Profile, requested: Option<&str>, image_user: &str) -> Option<String> {
    if let Some(u) = requested {
        return Some(u.to_string());
    }
    match profile.user.as_deref() {
        None | Some("image") => None,
        Some("auto") if image_runs_as_root(image_user) => Some(NOBODY.to_string()),
        Some("auto") => None,
        Some(fixed) => Some(fixed.to_string()),
    }
}

fn port_bindings(publish: &[String]) -> Result<(Vec<String>, PortMap), RunError> {
    let mut exposed = Vec::new();
    let mut map: PortMap = HashMap::new();
    for spec in publish {
        let (ports, proto) = spec.rsplit_once('/').unwrap_or((spec, "tcp"));
        let parts: Vec<&str> = ports.split(':').collect();
        let (ip, host, container) = match parts.as_slice() {
            [c] => ("", "", *c),
            [h, c] => ("", *h, *c),
            [i, h, c] => (*i, *h, *c),
            _ => return Err(RunError::Publish(spec.clone())),
        };
        if container.parse::<u16>().is_err() || (!host.is_empty() && host.parse::<u16>().is_err()) {
            return Err(RunError::Publish(spec.clone()));
        }
        let key = format!("{container}/{proto}");
        exposed.push(key.clone());
        map.entry(key)
            .or_insert_with(|| Some(Vec::new()))
            .get_or_insert_with(Vec::new)
            .push(PortBinding {
                host_ip: (!ip.is_empty()).then(|| ip.to_string()),
                host_port: Some(host.to_string()),
            });
    }
    Ok((exposed, map))
}

/// The container configuration: profile, then the user's options on top.
pub fn container_config(
    profile: &Profile,
    request: &RunRequest,
    image_user: &str,
) -> Result<ContainerCreateBody, RunError> {
    let memory = match &profile.memory {
        Some(m) => Some(parse_size(m).ok_or_else(|| RunError::Memory(m.clone()))?),
        None => None,
    };
    let nano_cpus = match profile.cpus {
        Some(c) if c > 0.0 && c.is_finite() => Some((c * 1e9) as i64),
        Some(c) => return Err(RunError::Cpus(c)),
        None => None,
    };
    let mut cap_add = profile.cap_add.clone();
    cap_add.extend(request.cap_add.iter().cloned());
    let mut security_opt = Vec::new();
    if profile.no_new_privileges {
        security_opt.push("no-new-privileges:true".to_string());
    }
    let tmpfs: HashMap<String, String> = profile
        .tmpfs
        .iter()
        .map(|t| match t.split_once(':') {
            Some((p, o)) => (p.to_string(), o.to_string()),
            None => (t.clone(), String::new()),
        })
        .collect();
    let (exposed, ports) = port_bindings(&request.publish)?;
    let network = request.network.clone().or_else(|| profile.network.clone());
    let labels: HashMap<String, String> = request.labels.iter().cloned().collect();
    let host_config = HostConfig {
        cap_drop: (!profile.cap_drop.is_empty()).then(|| profile.cap_drop.clone()),
        cap_add: (!cap_add.is_empty()).then_some(cap_add),
        security_opt: (!security_opt.is_empty()).then_some(security_opt),
        readonly_rootfs: Some(profile.read_only),
        tmpfs: (!tmpfs.is_empty()).then_some(tmpfs),
        memory,
        pids_limit: profile.pids_limit,
        nano_cpus,
        network_mode: network,
        binds: (!request.volumes.is_empty()).then(|| request.volumes.clone()),
        port_bindings: (!ports.is_empty()).then_some(ports),
        privileged: Some(request.privileged),
        auto_remove: Some(request.auto_remove),
        ..Default::default()
    };
    Ok(ContainerCreateBody {
        image: Some(request.image.clone()),
        cmd: (!request.command.is_empty()).then(|| request.command.clone()),
        user: effective_user(profile, request.user.as_deref(), image_user),
        env: (!request.env.is_empty()).then(|| request.env.clone()),
        tty: Some(request.tty),
        open_stdin: Some(request.interactive),
        stdin_once: Some(request.interactive),
        attach_stdin: Some(request.interactive),
        attach_stdout: Some(true),
        attach_stderr: Some(true),
        exposed_ports: (!exposed.is_empty()).then_some(exposed),
        labels: (!labels.is_empty()).then_some(labels),
        host_config: Some(host_config),
        ..Default::default()
    })
}

/// How the image was obtained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageSource {
    Local { id: String, user: String },
    Pulled { id: String, user: String },
}

impl Engine {
    /// The image's id and USER, pulling it when absent. Offline, the pull
    /// fails fast and the error says the image is neither local nor pullable.
    pub async fn ensure_image(&self, image: &str, pull_timeout: Duration) -> Result<ImageSource, EngineError> {
        let user_of = |i: &bollard::models::ImageInspect| {
            (
                i.id.clone().unwrap_or_default(),
                i.config.as_ref().and_then(|c| c.user.clone()).unwrap_or_default(),
            )
        };
        match self.inspect_image(image).await {
            Ok(i) => {
                let (id, user) = user_of(&i);
                return Ok(ImageSource::Local { id, user });
            }
            Err(EngineError::NoSuchImage(_)) => {}
            Err(e) => return Err(e),
        }
        let options = bollard::query_parameters::CreateImageOptionsBuilder::default()
            .from_image(image)
            .build();
        let pull = async {
            let mut stream = self.docker.create_image(Some(options), None, None);
            while let Some(item) = stream.next().await {
                item.map_err(|e| crate::engine_message(&e))?;
            }
            Ok::<(), String>(())
        };
        let failed = |reason: String| EngineError::Request {
            what: format!("pull image {image}"),
            reason: format!("not present locally and cannot be pulled: {reason}"),
        };
        match tokio::time::timeout(pull_timeout, pull).await {
            Err(_) => {
                return Err(failed(format!(
                    "no answer within {} s (no registry reachable?)",
                    pull_timeout.as_secs()
                )));
            }
            Ok(Err(reason)) => return Err(failed(reason.lines().next().unwrap_or_default().to_string())),
            Ok(Ok(())) => {}
        }
        let i = self.inspect_image(image).await?;
        let (id, user) = user_of(&i);
        Ok(ImageSource::Pulled { id, user })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hardened() -> Profile {
        toml::from_str(include_str!("../../../profiles/hardened.toml")).unwrap()
    }

    #[test]
    fn shipped_profiles_parse() {
        let h = hardened();
        assert_eq!(h.cap_drop, vec!["ALL"]);
        assert!(h.no_new_privileges && h.read_only);
        let d: Profile = toml::from_str(include_str!("../../../profiles/default.toml")).unwrap();
        assert!(d.cap_drop.is_empty() && !d.read_only);
        assert!(toml::from_str::<Profile>("bogus = 1").is_err());
    }

    #[test]
    fn hardened_defaults() {
        let req = RunRequest {
            image: "alpine:3.10".into(),
            command: vec!["true".into()],
            ..Default::default()
        };
        let c = container_config(&hardened(), &req, "").unwrap();
        let h = c.host_config.unwrap();
        assert_eq!(c.user.as_deref(), Some(NOBODY));
        assert_eq!(h.cap_drop, Some(vec!["ALL".to_string()]));
        assert_eq!(h.cap_add, None);
        assert_eq!(h.security_opt, Some(vec!["no-new-privileges:true".to_string()]));
        assert_eq!(h.readonly_rootfs, Some(true));
        assert!(h.tmpfs.unwrap().contains_key("/tmp"));
        assert_eq!(h.network_mode.as_deref(), Some("none"));
        assert!(h.memory.unwrap() > 0 && h.pids_limit.unwrap() > 0 && h.nano_cpus.unwrap() > 0);
        assert_eq!(h.privileged, Some(false));
    }

    #[test]
    fn user_choices_win() {
        let req = RunRequest {
            image: "x".into(),
            user: Some("1000".into()),
            network: Some("lab".into()),
            cap_add: vec!["NET_BIND_SERVICE".into()],
            publish: vec!["127.0.0.1:8080:80".into(), "53/udp".into()],
            ..Default::default()
        };
        let c = container_config(&hardened(), &req, "").unwrap();
        assert_eq!(c.user.as_deref(), Some("1000"));
        let h = c.host_config.unwrap();
        assert_eq!(h.network_mode.as_deref(), Some("lab"));
        assert_eq!(h.cap_add, Some(vec!["NET_BIND_SERVICE".to_string()]));
        let ports = h.port_bindings.unwrap();
        let b = &ports["80/tcp"].as_ref().unwrap()[0];
        assert_eq!(
            (b.host_ip.as_deref(), b.host_port.as_deref()),
            (Some("127.0.0.1"), Some("8080"))
        );
        assert!(ports.contains_key("53/udp"));
        assert!(
            container_config(
                &hardened(),
                &RunRequest {
                    publish: vec!["a:b".into()],
                    ..req
                },
                ""
            )
            .is_err()
        );
    }

    #[test]
    fn image_user_kept_when_not_root() {
        let p = hardened();
        assert_eq!(effective_user(&p, None, "app"), None);
        assert_eq!(effective_user(&p, None, "0:0").as_deref(), Some(NOBODY));
        assert_eq!(effective_user(&p, None, "root").as_deref(), Some(NOBODY));
        assert_eq!(effective_user(&Profile::default(), None, ""), None);
    }

    proptest::proptest! {
        #[test]
        fn sizes_never_panic_and_scale(n in 1u32..100_000, text in "\\PC{0,12}") {
            let _ = parse_size(&text);
            proptest::prop_assert_eq!(parse_size(&format!("{n}m")), Some(i64::from(n) << 20));
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("256m"), Some(256 << 20));
        assert_eq!(parse_size("1g"), Some(1 << 30));
        assert_eq!(parse_size("512"), Some(512));
        assert_eq!(parse_size("1.5k"), Some(1536));
        assert_eq!(parse_size("x"), None);
        assert_eq!(parse_size("-1m"), None);
    }
}
