//! The `docker inspect` layout, read leniently (every field optional, enums
//! as strings, unknown fields ignored, so output of older and newer engines
//! loads) into plain snapshots. The offline reader of `vigie audit
//! --from-inspect` and the live engine path share it: vigie-engine turns
//! the engine's inspect response back into this JSON and calls
//! [`snapshot_from_raw`], so a recorded fixture exercises exactly the code a
//! live audit runs. `GET /info` JSON becomes a [`HostSnapshot`] the same way.

use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

use crate::{
    Capabilities, ContainerSnapshot, Device, HealthCheck, HostSnapshot, Limits, Mount, Namespaces, PublishedPort,
    RestartPolicy, SecurityOptions, Ulimit,
};

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("{origin}: not valid docker inspect JSON: {reason}")]
    Json { origin: String, reason: String },
    #[error("{origin}: expected the JSON array that `docker inspect` prints (or one container object), found {found}")]
    Shape { origin: String, found: &'static str },
    #[error("{origin}: element {index} is not a container (no Id/HostConfig: an image or another object?)")]
    NotAContainer { origin: String, index: usize },
    #[error("{origin}: element {index}: {reason}")]
    Element {
        origin: String,
        index: usize,
        reason: String,
    },
}

// ---------------------------------------------------------------------------
// The inspect layout, read leniently: every field optional, enums as strings,
// unknown fields ignored, so output of older and newer engines loads.

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct RawContainer {
    pub id: Option<String>,
    pub created: Option<String>,
    pub name: Option<String>,
    pub image: Option<String>,
    pub state: Option<RawState>,
    pub config: Option<RawConfig>,
    pub host_config: Option<RawHostConfig>,
    pub mounts: Option<Vec<RawMountPoint>>,
    pub network_settings: Option<RawNetworkSettings>,
    pub app_armor_profile: Option<String>,
    #[serde(rename = "ExecIDs")]
    pub exec_ids: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct RawState {
    pub status: Option<String>,
    pub health: Option<RawHealth>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct RawHealth {
    pub status: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct RawConfig {
    pub user: Option<String>,
    pub exposed_ports: Option<HashMap<String, serde_json::Value>>,
    pub env: Option<Vec<String>>,
    pub cmd: Option<StringOrList>,
    pub entrypoint: Option<StringOrList>,
    pub healthcheck: Option<RawHealthConfig>,
    pub image: Option<String>,
    pub labels: Option<HashMap<String, String>>,
}

/// `Cmd`/`Entrypoint` are lists, but very old engines wrote a string.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum StringOrList {
    List(Vec<String>),
    One(String),
}

impl StringOrList {
    fn into_vec(self) -> Vec<String> {
        match self {
            StringOrList::List(v) => v,
            StringOrList::One(s) => vec![s],
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct RawHealthConfig {
    pub test: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct RawHostConfig {
    pub privileged: Option<bool>,
    pub cap_add: Option<Vec<String>>,
    pub cap_drop: Option<Vec<String>>,
    pub binds: Option<Vec<String>>,
    pub network_mode: Option<String>,
    pub port_bindings: Option<HashMap<String, Option<Vec<RawPortBinding>>>>,
    pub restart_policy: Option<RawRestartPolicy>,
    pub pid_mode: Option<String>,
    pub ipc_mode: Option<String>,
    #[serde(rename = "UTSMode")]
    pub uts_mode: Option<String>,
    pub userns_mode: Option<String>,
    pub cgroupns_mode: Option<String>,
    pub security_opt: Option<Vec<String>>,
    pub readonly_rootfs: Option<bool>,
    pub devices: Option<Vec<RawDevice>>,
    pub device_cgroup_rules: Option<Vec<String>>,
    pub memory: Option<i64>,
    pub memory_swap: Option<i64>,
    pub memory_reservation: Option<i64>,
    pub cpu_shares: Option<i64>,
    pub cpu_quota: Option<i64>,
    pub cpu_period: Option<i64>,
    pub nano_cpus: Option<i64>,
    pub cpuset_cpus: Option<String>,
    pub pids_limit: Option<i64>,
    pub ulimits: Option<Vec<RawUlimit>>,
    pub oom_kill_disable: Option<bool>,
    pub log_config: Option<RawLogConfig>,
    pub sysctls: Option<HashMap<String, String>>,
    pub cgroup_parent: Option<String>,
    pub runtime: Option<String>,
    pub masked_paths: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct RawPortBinding {
    pub host_ip: Option<String>,
    pub host_port: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct RawRestartPolicy {
    pub name: Option<String>,
    pub maximum_retry_count: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct RawDevice {
    pub path_on_host: Option<String>,
    pub path_in_container: Option<String>,
    pub cgroup_permissions: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct RawUlimit {
    pub name: Option<String>,
    pub soft: Option<i64>,
    pub hard: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct RawLogConfig {
    #[serde(rename = "Type")]
    pub kind: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct RawMountPoint {
    #[serde(rename = "Type")]
    pub kind: Option<String>,
    pub name: Option<String>,
    pub source: Option<String>,
    pub destination: Option<String>,
    #[serde(rename = "RW")]
    pub rw: Option<bool>,
    pub propagation: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct RawNetworkSettings {
    pub networks: Option<HashMap<String, serde_json::Value>>,
}

// ---------------------------------------------------------------------------

/// The capability-number ceiling used when the engine's kernel is unknown.
pub fn default_last_cap() -> u8 {
    vigie_caps::LAST_KNOWN_CAP
}

fn opt_vec(v: Option<Vec<String>>) -> Vec<String> {
    v.unwrap_or_default()
}

/// A value of `HostConfig.SecurityOpt` is `key=value` or the legacy `key:value`.
fn split_security_opt(opt: &str) -> (&str, &str) {
    match opt.find(['=', ':']) {
        Some(i) => (&opt[..i], &opt[i + 1..]),
        None => (opt, ""),
    }
}

fn security_options(
    raw: &[String],
    apparmor_profile: &str,
    privileged: bool,
    masked: Option<&Vec<String>>,
) -> SecurityOptions {
    let mut s = SecurityOptions {
        seccomp: "default".to_string(),
        apparmor: apparmor_profile.to_string(),
        ..SecurityOptions::default()
    };
    for opt in raw {
        let (key, value) = split_security_opt(opt);
        match key {
            "seccomp" => {
                s.seccomp = match value {
                    "unconfined" => "unconfined".to_string(),
                    "" | "default" | "builtin" => "default".to_string(),
                    _ => "custom".to_string(),
                };
                // A custom profile is a whole JSON document: keep the fact, not the text.
                s.raw.push(if s.seccomp == "custom" {
                    "seccomp=<custom>".to_string()
                } else {
                    opt.clone()
                });
                continue;
            }
            "apparmor" if s.apparmor.is_empty() => s.apparmor = value.to_string(),
            "label" => {
                if value == "disable" || value == "disabled" {
                    s.label_disabled = true;
                } else {
                    s.selinux.push(value.to_string());
                }
            }
            "no-new-privileges" => s.no_new_privileges = value.is_empty() || value == "true",
            "systempaths" => s.systempaths_unconfined = value == "unconfined",
            _ => {}
        }
        s.raw.push(opt.clone());
    }
    if privileged {
        // Docker runs privileged containers without seccomp or AppArmor confinement.
        s.seccomp = "unconfined".to_string();
        if s.apparmor.is_empty() {
            s.apparmor = "unconfined".to_string();
        }
    }
    // An empty masked-path list on a non-privileged container means /proc and /sys are exposed.
    s.masked_paths_cleared = !privileged && masked.is_some_and(|m| m.is_empty());
    s
}

/// Split `-v` style binds (`/src:/dst:ro,rshared`) for engines that list them only in `Binds`.
fn mounts_from_binds(binds: &[String]) -> Vec<Mount> {
    binds
        .iter()
        .filter_map(|b| {
            let mut parts = b.splitn(3, ':');
            let source = parts.next()?.to_string();
            let destination = parts.next()?.to_string();
            let options = parts.next().unwrap_or("");
            let opts: Vec<&str> = options.split(',').collect();
            Some(Mount {
                kind: if source.starts_with('/') { "bind" } else { "volume" }.to_string(),
                source,
                destination,
                read_only: opts.contains(&"ro"),
                propagation: opts
                    .iter()
                    .find(|o| matches!(**o, "shared" | "rshared" | "slave" | "rslave" | "private" | "rprivate"))
                    .map(|s| s.to_string())
                    .unwrap_or_default(),
            })
        })
        .collect()
}

fn health_kind(test: Option<&Vec<String>>) -> String {
    match test.and_then(|t| t.first()).map(String::as_str) {
        None | Some("") => "none",
        Some("NONE") => "disabled",
        Some("CMD-SHELL") => "cmd-shell",
        Some(_) => "cmd",
    }
    .to_string()
}

fn normalise_ns(value: Option<String>, default: &str) -> String {
    match value {
        Some(v) if !v.is_empty() => v,
        _ => default.to_string(),
    }
}

/// One container's snapshot from its inspect record. `last_cap` is the
/// kernel's highest capability number, used for privileged and `ALL`.
pub fn snapshot_from_raw(raw: RawContainer, last_cap: u8) -> ContainerSnapshot {
    let config = raw.config.unwrap_or_default();
    let host = raw.host_config.unwrap_or_default();
    let privileged = host.privileged.unwrap_or(false);
    let cap_add = opt_vec(host.cap_add);
    let cap_drop = opt_vec(host.cap_drop);
    let (mask, unknown) = vigie_caps::docker_effective(privileged, &cap_add, &cap_drop, last_cap);
    let capabilities = Capabilities {
        effective: vigie_caps::bits(mask).map(vigie_caps::bit_name).collect(),
        effective_mask: format!("{mask:016x}"),
        add: cap_add,
        drop: cap_drop,
        unknown,
    };

    let mut mounts: Vec<Mount> = match raw.mounts {
        Some(list) if !list.is_empty() => list
            .into_iter()
            .map(|m| {
                let kind = m.kind.unwrap_or_default();
                Mount {
                    source: if kind == "volume" {
                        m.name.or(m.source).unwrap_or_default()
                    } else {
                        m.source.unwrap_or_default()
                    },
                    kind,
                    destination: m.destination.unwrap_or_default(),
                    read_only: !m.rw.unwrap_or(true),
                    propagation: m.propagation.unwrap_or_default(),
                }
            })
            .collect(),
        _ => mounts_from_binds(host.binds.as_deref().unwrap_or_default()),
    };
    mounts.sort_by(|a, b| a.destination.cmp(&b.destination).then(a.source.cmp(&b.source)));

    let security = security_options(
        host.security_opt.as_deref().unwrap_or_default(),
        raw.app_armor_profile.as_deref().unwrap_or(""),
        privileged,
        host.masked_paths.as_ref(),
    );

    let mut ports: Vec<PublishedPort> = Vec::new();
    for (key, bindings) in host.port_bindings.unwrap_or_default() {
        let (port, protocol) = key.split_once('/').unwrap_or((key.as_str(), "tcp"));
        for b in bindings.unwrap_or_default() {
            ports.push(PublishedPort {
                container_port: port.to_string(),
                protocol: protocol.to_string(),
                host_ip: b.host_ip.unwrap_or_default(),
                host_port: b.host_port.unwrap_or_default(),
            });
        }
    }
    ports.sort_by(|a, b| {
        (
            a.container_port.parse::<u32>().unwrap_or(0),
            &a.protocol,
            &a.host_ip,
            &a.host_port,
        )
            .cmp(&(
                b.container_port.parse::<u32>().unwrap_or(0),
                &b.protocol,
                &b.host_ip,
                &b.host_port,
            ))
    });
    let mut exposed_ports: Vec<String> = config.exposed_ports.unwrap_or_default().into_keys().collect();
    exposed_ports.sort();

    let mut networks: Vec<String> = raw
        .network_settings
        .and_then(|n| n.networks)
        .map(|n| n.into_keys().collect())
        .unwrap_or_default();
    networks.sort();

    // Values never leave this function: only the names are kept.
    let mut env_names: Vec<String> = config
        .env
        .unwrap_or_default()
        .iter()
        .map(|e| e.split('=').next().unwrap_or("").to_string())
        .filter(|n| !n.is_empty())
        .collect();
    env_names.sort();
    env_names.dedup();

    let mut command = config.entrypoint.map(StringOrList::into_vec).unwrap_or_default();
    command.extend(config.cmd.map(StringOrList::into_vec).unwrap_or_default());

    let state = raw.state.unwrap_or_default();
    let health_check = HealthCheck {
        kind: health_kind(config.healthcheck.as_ref().and_then(|h| h.test.as_ref())),
        status: state.health.and_then(|h| h.status).filter(|s| !s.is_empty()),
    };

    let mut devices: Vec<Device> = host
        .devices
        .unwrap_or_default()
        .into_iter()
        .map(|d| Device {
            host_path: d.path_on_host.unwrap_or_default(),
            container_path: d.path_in_container.unwrap_or_default(),
            permissions: d.cgroup_permissions.unwrap_or_default(),
        })
        .collect();
    devices.sort_by(|a, b| a.host_path.cmp(&b.host_path));

    let mut ulimits: Vec<Ulimit> = host
        .ulimits
        .unwrap_or_default()
        .into_iter()
        .map(|u| Ulimit {
            name: u.name.unwrap_or_default(),
            soft: u.soft.unwrap_or(0),
            hard: u.hard.unwrap_or(0),
        })
        .collect();
    ulimits.sort_by(|a, b| a.name.cmp(&b.name));

    let restart = host.restart_policy.unwrap_or_default();
    let name = raw.name.unwrap_or_default();
    let id = raw.id.unwrap_or_default();

    ContainerSnapshot {
        name: match name.strip_prefix('/') {
            Some(n) => n.to_string(),
            None if name.is_empty() => id.chars().take(12).collect(),
            None => name,
        },
        id,
        state: state.status.unwrap_or_else(|| "unknown".to_string()),
        image: config.image.unwrap_or_default(),
        image_id: raw.image.unwrap_or_default(),
        command,
        user: config.user.unwrap_or_default(),
        labels: config
            .labels
            .unwrap_or_default()
            .into_iter()
            .collect::<BTreeMap<_, _>>(),
        env_names,
        privileged,
        capabilities,
        mounts,
        namespaces: Namespaces {
            pid: normalise_ns(host.pid_mode, "private"),
            ipc: normalise_ns(host.ipc_mode, "private"),
            uts: normalise_ns(host.uts_mode, "private"),
            user: host.userns_mode.unwrap_or_default(),
            network: normalise_ns(host.network_mode, "default"),
            cgroup: host.cgroupns_mode.unwrap_or_default(),
        },
        security,
        read_only_rootfs: host.readonly_rootfs.unwrap_or(false),
        devices,
        device_cgroup_rules: opt_vec(host.device_cgroup_rules),
        limits: Limits {
            memory: host.memory.unwrap_or(0),
            memory_swap: host.memory_swap.unwrap_or(0),
            memory_reservation: host.memory_reservation.unwrap_or(0),
            cpu_shares: host.cpu_shares.unwrap_or(0),
            cpu_quota: host.cpu_quota.unwrap_or(0),
            cpu_period: host.cpu_period.unwrap_or(0),
            nano_cpus: host.nano_cpus.unwrap_or(0),
            cpuset_cpus: host.cpuset_cpus.unwrap_or_default(),
            pids_limit: host.pids_limit,
            ulimits,
        },
        restart_policy: RestartPolicy {
            name: match restart.name.unwrap_or_default() {
                n if n.is_empty() => "no".to_string(),
                n => n,
            },
            max_retries: restart.maximum_retry_count.unwrap_or(0),
        },
        ports,
        exposed_ports,
        networks,
        health_check,
        oom_kill_disable: host.oom_kill_disable.unwrap_or(false),
        log_driver: host.log_config.and_then(|l| l.kind).unwrap_or_default(),
        sysctls: host.sysctls.unwrap_or_default().into_iter().collect(),
        cgroup_parent: host.cgroup_parent.unwrap_or_default(),
        runtime: host.runtime.unwrap_or_default(),
        execs: Vec::new(),
        created: raw.created.unwrap_or_default(),
    }
}

fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// Snapshots from the text `docker inspect CONTAINER…` prints (an array of
/// container objects; one bare object is accepted too). `origin` names the
/// input in errors. Sorted by name.
pub fn load_inspect_json(text: &str, origin: &str, last_cap: u8) -> Result<Vec<ContainerSnapshot>, SnapshotError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| SnapshotError::Json {
        origin: origin.to_string(),
        reason: e.to_string(),
    })?;
    let items = match value {
        serde_json::Value::Array(items) => items,
        object @ serde_json::Value::Object(_) => vec![object],
        other => {
            return Err(SnapshotError::Shape {
                origin: origin.to_string(),
                found: json_kind(&other),
            });
        }
    };
    let mut out = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        let is_container = item
            .as_object()
            .is_some_and(|o| o.contains_key("Id") && (o.contains_key("HostConfig") || o.contains_key("Config")))
            && item.get("RootFS").is_none();
        if !is_container {
            return Err(SnapshotError::NotAContainer {
                origin: origin.to_string(),
                index,
            });
        }
        let raw: RawContainer = serde_json::from_value(item).map_err(|e| SnapshotError::Element {
            origin: origin.to_string(),
            index,
            reason: e.to_string(),
        })?;
        out.push(snapshot_from_raw(raw, last_cap));
    }
    out.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    Ok(out)
}

/// Loopback registries Docker treats as insecure by default; not a finding.
const DEFAULT_INSECURE: [&str; 2] = ["127.0.0.0/8", "::1/128"];

/// A host snapshot from the JSON of `GET /info` (as `docker info --format '{{json .}}'` prints it)
/// and, when available, `GET /networks/bridge`.
pub fn host_from_info(info: &serde_json::Value, bridge: Option<&serde_json::Value>) -> HostSnapshot {
    let s = |key: &str| info.get(key).and_then(|v| v.as_str()).unwrap_or("").to_string();
    let b = |key: &str| info.get(key).and_then(|v| v.as_bool()).unwrap_or(false);
    let strings = |v: Option<&serde_json::Value>| -> Vec<String> {
        v.and_then(|v| v.as_array())
            .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    };
    let security_options = strings(info.get("SecurityOptions"));
    let has = |name: &str| {
        security_options
            .iter()
            .any(|o| o.split(',').any(|kv| kv == format!("name={name}")))
    };
    let seccomp_profile = security_options.iter().find_map(|o| {
        let mut parts = o.split(',');
        if parts.next() == Some("name=seccomp") {
            Some(
                parts
                    .find_map(|kv| kv.strip_prefix("profile="))
                    .unwrap_or("default")
                    .to_string(),
            )
        } else {
            None
        }
    });
    let mut insecure: Vec<String> = Vec::new();
    if let Some(registry) = info.get("RegistryConfig") {
        for cidr in strings(registry.get("InsecureRegistryCIDRs")) {
            if !DEFAULT_INSECURE.contains(&cidr.as_str()) {
                insecure.push(cidr);
            }
        }
        if let Some(index) = registry.get("IndexConfigs").and_then(|v| v.as_object()) {
            for (name, config) in index {
                if config.get("Secure").and_then(|v| v.as_bool()) == Some(false) {
                    insecure.push(name.clone());
                }
            }
        }
    }
    insecure.sort();
    insecure.dedup();
    let authorization_plugins = strings(info.get("Plugins").and_then(|p| p.get("Authorization")));
    let default_bridge_icc = bridge.map(|n| {
        n.get("Options")
            .and_then(|o| o.get("com.docker.network.bridge.enable_icc"))
            .and_then(|v| v.as_str())
            // Docker's default when the option is absent is ICC on.
            .map(|v| v != "false")
            .unwrap_or(true)
    });
    let cgroup_version = match info.get("CgroupVersion") {
        Some(serde_json::Value::String(v)) => v.clone(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    HostSnapshot {
        endpoint: String::new(),
        server_version: s("ServerVersion"),
        api_version: String::new(),
        operating_system: s("OperatingSystem"),
        kernel_version: s("KernelVersion"),
        storage_driver: s("Driver"),
        logging_driver: s("LoggingDriver"),
        cgroup_driver: s("CgroupDriver"),
        cgroup_version,
        apparmor: has("apparmor"),
        selinux: has("selinux"),
        userns_remap: has("userns"),
        rootless: has("rootless"),
        no_new_privileges: has("no-new-privileges"),
        seccomp_profile,
        security_options,
        live_restore: b("LiveRestoreEnabled"),
        debug: b("Debug"),
        experimental: b("ExperimentalBuild"),
        insecure_registries: insecure,
        authorization_plugins,
        default_bridge_icc,
        warnings: strings(info.get("Warnings")),
        swarm: info
            .get("Swarm")
            .and_then(|w| w.get("LocalNodeState"))
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string(),
        default_runtime: s("DefaultRuntime"),
        containers: info.get("Containers").and_then(|v| v.as_i64()).unwrap_or(0),
        cap_last_cap: None,
        unread: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAB: &str = r#"[{
        "Id": "4f1c0d2e3b4a59687766554433221100ffeeddccbbaa99887766554433221100",
        "Name": "/lab",
        "State": {"Status": "created"},
        "Image": "sha256:af341ccd2df8",
        "AppArmorProfile": "",
        "Config": {"User": "", "Env": ["PATH=/usr/bin", "DB_PASSWORD=hunter2"], "Image": "alpine:3.10",
                   "Cmd": ["sh"], "Labels": {"a": "b"}, "ExposedPorts": {"80/tcp": {}}},
        "HostConfig": {"Privileged": false, "CapAdd": ["SYS_ADMIN"], "CapDrop": null,
                       "Binds": ["/:/mnt:ro"], "PortBindings": {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]},
                       "RestartPolicy": {"Name": "always", "MaximumRetryCount": 0},
                       "SecurityOpt": ["seccomp={\"defaultAction\":\"SCMP_ACT_ALLOW\"}", "label=disable"],
                       "PidsLimit": null, "NetworkMode": "default"},
        "Mounts": [{"Type": "bind", "Source": "/", "Destination": "/mnt", "Mode": "ro", "RW": false, "Propagation": "rprivate"}],
        "NetworkSettings": {"Networks": {"bridge": {}}}
    }]"#;

    #[test]
    fn loads_the_lab_container() {
        let list = load_inspect_json(LAB, "lab.json", 40).unwrap();
        let c = &list[0];
        assert_eq!(c.name, "lab");
        assert_eq!(c.capabilities.effective_mask, "00000000a82425fb");
        assert!(c.capabilities.effective.contains(&"CAP_SYS_ADMIN".to_string()));
        assert_eq!(c.env_names, vec!["DB_PASSWORD", "PATH"]);
        let text = serde_json::to_string(c).unwrap();
        assert!(!text.contains("hunter2"), "env values must never be stored");
        assert!(!text.contains("SCMP_ACT_ALLOW"), "custom seccomp JSON is not kept");
        assert_eq!(c.security.seccomp, "custom");
        assert!(c.security.label_disabled);
        assert_eq!(c.mounts[0].source, "/");
        assert!(c.mounts[0].read_only);
        assert_eq!(c.ports[0].host_port, "8080");
        assert_eq!(c.restart_policy.name, "always");
        assert_eq!(c.exposed_ports, vec!["80/tcp"]);
        assert_eq!(c.networks, vec!["bridge"]);
        assert_eq!(c.health_check.kind, "none");
    }

    #[test]
    fn privileged_gets_every_capability_and_no_confinement() {
        let text = r#"[{"Id":"x","Name":"/p","HostConfig":{"Privileged":true,"CapDrop":["ALL"]}}]"#;
        let c = &load_inspect_json(text, "p.json", 40).unwrap()[0];
        assert_eq!(c.capabilities.effective.len(), 41);
        assert_eq!(c.security.seccomp, "unconfined");
        assert_eq!(c.security.apparmor, "unconfined");
    }

    #[test]
    fn malformed_inputs_are_clear_errors() {
        let e = load_inspect_json("{not json", "bad.json", 40).unwrap_err().to_string();
        assert!(e.starts_with("bad.json: not valid docker inspect JSON"), "{e}");
        let e = load_inspect_json("42", "n.json", 40).unwrap_err().to_string();
        assert!(e.contains("found a number"), "{e}");
        let e = load_inspect_json(r#"[{"Id":"sha256:1","RootFS":{}}]"#, "i.json", 40)
            .unwrap_err()
            .to_string();
        assert!(e.contains("element 0 is not a container"), "{e}");
        let e = load_inspect_json(r#"[{"Id":"x","HostConfig":{"Privileged":"yes"}}]"#, "t.json", 40)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("t.json: element 0:"), "{e}");
        assert_eq!(load_inspect_json("[]", "e.json", 40).unwrap().len(), 0);
    }

    #[test]
    fn binds_fallback_and_security_opt_legacy_colon() {
        let text = r#"[{"Id":"y","Name":"/b","HostConfig":{"Binds":["/var/run/docker.sock:/s:ro,rshared","data:/d"],
            "SecurityOpt":["no-new-privileges:true","systempaths=unconfined","apparmor=unconfined"]}}]"#;
        let c = &load_inspect_json(text, "b.json", 40).unwrap()[0];
        assert_eq!(c.mounts.len(), 2);
        assert_eq!(c.mounts[0].destination, "/d");
        assert_eq!(c.mounts[0].kind, "volume");
        assert_eq!(c.mounts[1].propagation, "rshared");
        assert!(c.security.no_new_privileges);
        assert!(c.security.systempaths_unconfined);
        assert_eq!(c.security.apparmor, "unconfined");
    }

    #[test]
    fn host_from_info_reads_daemon_options() {
        let info = serde_json::json!({
            "ServerVersion": "20.10.24", "Driver": "overlay2", "LoggingDriver": "json-file",
            "CgroupVersion": "2", "LiveRestoreEnabled": false, "Debug": false,
            "SecurityOptions": ["name=seccomp,profile=default", "name=cgroupns"],
            "RegistryConfig": {"InsecureRegistryCIDRs": ["127.0.0.0/8", "10.0.0.0/8"],
                               "IndexConfigs": {"docker.io": {"Secure": true}, "reg.local:5000": {"Secure": false}}},
            "Warnings": ["WARNING: API is accessible on http://0.0.0.0:2375 without encryption."]
        });
        let bridge = serde_json::json!({"Options": {"com.docker.network.bridge.enable_icc": "true"}});
        let h = host_from_info(&info, Some(&bridge));
        assert_eq!(h.seccomp_profile.as_deref(), Some("default"));
        assert!(!h.apparmor && !h.userns_remap && !h.rootless);
        assert_eq!(h.insecure_registries, vec!["10.0.0.0/8", "reg.local:5000"]);
        assert_eq!(h.default_bridge_icc, Some(true));
        assert_eq!(h.cgroup_version, "2");
    }

    proptest::proptest! {
        /// Whatever the environment holds, no value reaches the snapshot, and arbitrary
        /// inspect-shaped input never panics the loader.
        #[test]
        fn env_values_never_survive(
            names in proptest::collection::vec("[A-Z_][A-Z0-9_]{0,12}", 0..6),
            value in "[a-z0-9]{0,8}",
            privileged in proptest::bool::ANY,
            caps in proptest::collection::vec("[A-Z_]{1,16}", 0..4),
        ) {
            let env: Vec<String> = names.iter().map(|n| format!("{n}=SECRET#{value}")).collect();
            let doc = serde_json::json!([{ "Id": "abc", "Name": "/p", "Config": { "Env": env },
                "HostConfig": { "Privileged": privileged, "CapAdd": caps } }]);
            let list = load_inspect_json(&doc.to_string(), "prop", 40).unwrap();
            let text = serde_json::to_string(&list).unwrap();
            proptest::prop_assert!(!text.contains("SECRET#"));
        }

        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
            let _ = load_inspect_json(&text, "prop", 40);
        }
    }
}
