//! Plain postures of containers and Docker hosts. Pipeline place: between the
//! engine (`vigie-engine` fills these from the Docker API or from `docker
//! inspect` JSON) and the rules (`vigie-rules` reads them) and printers
//! (`vigie-report` shows them). Only serde: no engine types, no I/O, so rules
//! and printers are tested from fixtures without an engine.
//!
//! Environment variable *values* are never stored: only their names.

pub mod db;
pub mod diff;
pub mod filesystem;
pub mod image;
pub mod inspect;
pub mod package;
pub mod scan;
pub mod severity;
pub mod stats;
mod user;
pub use user::is_root_user;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Version of the snapshot layout inside vigie's JSON output.
pub const SNAPSHOT_SCHEMA_VERSION: u32 = 1;

/// The security-relevant configuration of one container, in any state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContainerSnapshot {
    /// Full container id.
    pub id: String,
    /// Name without Docker's leading `/`.
    pub name: String,
    /// created, running, paused, restarting, removing, exited or dead.
    pub state: String,
    /// The image as the container was created from (`Config.Image`).
    pub image: String,
    /// The image id (`sha256:…`).
    pub image_id: String,
    /// `Config.Entrypoint` then `Config.Cmd`.
    pub command: Vec<String>,
    /// `Config.User` as written (`""` means the image's user, root unless the image sets one).
    pub user: String,
    pub labels: BTreeMap<String, String>,
    /// Names of the environment variables; values are dropped on load.
    pub env_names: Vec<String>,
    pub privileged: bool,
    pub capabilities: Capabilities,
    pub mounts: Vec<Mount>,
    pub namespaces: Namespaces,
    pub security: SecurityOptions,
    pub read_only_rootfs: bool,
    pub devices: Vec<Device>,
    pub device_cgroup_rules: Vec<String>,
    pub limits: Limits,
    pub restart_policy: RestartPolicy,
    /// Published ports (`HostConfig.PortBindings`, the configuration, so created containers have them too).
    pub ports: Vec<PublishedPort>,
    /// `Config.ExposedPorts` keys (`80/tcp`).
    pub exposed_ports: Vec<String>,
    /// Networks the container is attached to (names).
    pub networks: Vec<String>,
    pub health_check: HealthCheck,
    pub oom_kill_disable: bool,
    pub log_driver: String,
    pub sysctls: BTreeMap<String, String>,
    /// `HostConfig.CgroupParent` (`""`: the daemon's default).
    pub cgroup_parent: String,
    /// OCI runtime (`runc`, `runsc`…).
    pub runtime: String,
    /// `docker exec` sessions the engine still knows about.
    pub execs: Vec<ExecSession>,
    /// Creation time as the engine wrote it (RFC 3339).
    pub created: String,
}

/// Capabilities as configured and as Docker computes them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Capabilities {
    /// `HostConfig.CapAdd` as written.
    pub add: Vec<String>,
    /// `HostConfig.CapDrop` as written.
    pub drop: Vec<String>,
    /// The effective set Docker gives the container (`CAP_…` names, ascending by number):
    /// Docker's default set (all of them when privileged) + add − drop.
    pub effective: Vec<String>,
    /// The same as a 16-hex-digit mask (`00000000a80425fb`).
    pub effective_mask: String,
    /// Names in add/drop that no known capability has.
    pub unknown: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Mount {
    /// bind, volume, tmpfs, npipe, cluster.
    #[serde(rename = "type")]
    pub kind: String,
    /// Host path for binds, volume name for volumes.
    pub source: String,
    pub destination: String,
    pub read_only: bool,
    /// rprivate, private, rshared, shared, rslave, slave (`""`: not set).
    pub propagation: String,
}

/// Namespace modes as Docker spells them (`host`, `private`, `container:ID`…);
/// an empty string is normalised to the daemon default's name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Namespaces {
    pub pid: String,
    pub ipc: String,
    pub uts: String,
    /// `host` or `""` (the daemon's setting: remapped when the daemon runs with userns-remap).
    pub user: String,
    /// `HostConfig.NetworkMode`: default, bridge, host, none, container:ID, or a network name.
    pub network: String,
    /// host, private, or `""` (the daemon's default: host on cgroup v1, private on v2).
    pub cgroup: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SecurityOptions {
    /// `default`, `unconfined`, or `custom` (a profile given as JSON).
    pub seccomp: String,
    /// The AppArmor profile the engine applied (`AppArmorProfile`): `docker-default`,
    /// `unconfined`, a custom name, or `""` (none: AppArmor off on the host, or created before start).
    pub apparmor: String,
    /// `label=…` options (SELinux).
    pub selinux: Vec<String>,
    /// `label=disable` was given (or added by Docker for privileged, `--pid host`, `--ipc host`).
    pub label_disabled: bool,
    pub no_new_privileges: bool,
    /// `systempaths=unconfined`: /proc and /sys paths are no longer masked.
    pub systempaths_unconfined: bool,
    /// `HostConfig.SecurityOpt` as written (a custom seccomp profile's JSON is replaced by `seccomp=<custom>`).
    pub raw: Vec<String>,
    /// `HostConfig.MaskedPaths` is empty while not privileged (systempaths unconfined or set by API).
    pub masked_paths_cleared: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Device {
    pub host_path: String,
    pub container_path: String,
    /// `rwm` and subsets.
    pub permissions: String,
}

/// Resource limits; 0 means unlimited, as in the Docker API.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Limits {
    /// Bytes.
    pub memory: i64,
    /// Bytes of memory plus swap; -1 unlimited swap.
    pub memory_swap: i64,
    pub memory_reservation: i64,
    pub cpu_shares: i64,
    pub cpu_quota: i64,
    pub cpu_period: i64,
    /// CPUs × 10⁹ (`--cpus`).
    pub nano_cpus: i64,
    pub cpuset_cpus: String,
    /// None, 0 or -1: unlimited.
    pub pids_limit: Option<i64>,
    pub ulimits: Vec<Ulimit>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Ulimit {
    pub name: String,
    pub soft: i64,
    pub hard: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RestartPolicy {
    /// `""`/`no`, `always`, `unless-stopped`, `on-failure`.
    pub name: String,
    pub max_retries: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PublishedPort {
    pub container_port: String,
    /// tcp, udp, sctp.
    pub protocol: String,
    /// `""` means every interface, like `0.0.0.0`.
    pub host_ip: String,
    /// `""` means a random port; may be a range.
    pub host_port: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct HealthCheck {
    /// `none` (no health check in the container or its image), `disabled` (`NONE`), `cmd`, `cmd-shell`.
    pub kind: String,
    /// The last status the engine saw (`healthy`, `unhealthy`, `starting`), when running.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// A `docker exec` session (the command itself is not kept: it may carry secrets).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExecSession {
    pub id: String,
    pub privileged: bool,
    /// `""`: the container's user.
    pub user: String,
    pub running: bool,
}

/// The Docker host as the engine's `info` and `version` endpoints describe it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct HostSnapshot {
    /// How vigie reached the engine (`unix:///var/run/docker.sock`, `tcp://…`).
    pub endpoint: String,
    pub server_version: String,
    pub api_version: String,
    pub operating_system: String,
    pub kernel_version: String,
    pub storage_driver: String,
    pub logging_driver: String,
    pub cgroup_driver: String,
    /// `1` or `2`.
    pub cgroup_version: String,
    /// `SecurityOptions` as reported (`name=seccomp,profile=default`…).
    pub security_options: Vec<String>,
    /// `default`, `builtin` or a path: the daemon's seccomp profile, None when seccomp is off.
    pub seccomp_profile: Option<String>,
    pub apparmor: bool,
    pub selinux: bool,
    pub userns_remap: bool,
    pub rootless: bool,
    /// The daemon gives every container no-new-privileges (reported by newer engines only).
    pub no_new_privileges: bool,
    pub live_restore: bool,
    pub debug: bool,
    pub experimental: bool,
    /// Registries or CIDRs the daemon talks to without TLS verification, beyond its loopback default.
    pub insecure_registries: Vec<String>,
    pub authorization_plugins: Vec<String>,
    /// `com.docker.network.bridge.enable_icc` of the default `bridge` network (None: no such network).
    pub default_bridge_icc: Option<bool>,
    /// The engine's own warnings (`docker info` prints them at the end).
    pub warnings: Vec<String>,
    /// `inactive`, `active`, `pending`…
    pub swarm: String,
    pub default_runtime: String,
    pub containers: i64,
    /// `/proc/sys/kernel/cap_last_cap` of the engine's kernel, when vigie could read it (local engine).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cap_last_cap: Option<u8>,
    /// Facts the engine did not return (a failed request), one line each with
    /// the rules they leave unevaluated: the audit is incomplete, never
    /// silently short of a finding.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unread: Vec<String>,
}

impl ContainerSnapshot {
    /// The user the main process starts as is root: no user, `root`, `0`, or `0:…`/`root:…`.
    pub fn runs_as_root(&self) -> bool {
        // An unset user is the image's default, root.
        self.user.trim().is_empty() || is_root_user(&self.user)
    }

    pub fn has_label(&self, key: &str) -> bool {
        self.labels.contains_key(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_detection() {
        let mut c = ContainerSnapshot::default();
        assert!(c.runs_as_root());
        for (user, root) in [
            ("0", true),
            ("root:root", true),
            ("0:1000", true),
            ("1000", false),
            ("app", false),
        ] {
            c.user = user.to_string();
            assert_eq!(c.runs_as_root(), root, "{user}");
        }
    }

    #[test]
    fn round_trips_and_tolerates_missing_fields() {
        let c: ContainerSnapshot = serde_json::from_str(r#"{"name":"web","privileged":true}"#).unwrap();
        assert!(c.privileged);
        let text = serde_json::to_string(&c).unwrap();
        let back: ContainerSnapshot = serde_json::from_str(&text).unwrap();
        assert_eq!(back, c);
    }
}
