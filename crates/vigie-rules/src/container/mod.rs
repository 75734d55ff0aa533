//! Container rules (VGI-CTR-*) over a plain [`ContainerSnapshot`]: one
//! module per concern, each a few functions that decide where a rule of
//! [`catalogue`] applies and record the exact field and value as evidence.
//! The snapshot may come from a live engine, a `docker inspect` file and,
//! later, a Compose service or a Pod: nothing here knows which.

mod capabilities;
pub mod catalogue;
mod lifecycle;
mod mounts;
mod namespaces;
mod network;
mod processes;
mod resources;
mod security;
mod user;

use crate::finding::{Finding, RuleInfo, Severity};
use vigie_snapshot::{ContainerSnapshot, HostSnapshot};

/// What the container rules need to know about the host. Unknown (`None`)
/// when auditing `docker inspect` output offline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostContext {
    pub apparmor: Option<bool>,
    pub selinux: Option<bool>,
    pub userns_remap: Option<bool>,
    /// The daemon applies no-new-privileges to every container.
    pub no_new_privileges: bool,
    /// 1 or 2.
    pub cgroup_version: Option<u8>,
}

impl HostContext {
    pub fn unknown() -> Self {
        HostContext::default()
    }

    pub fn from_host(host: &HostSnapshot) -> Self {
        HostContext {
            apparmor: Some(host.apparmor),
            selinux: Some(host.selinux),
            userns_remap: Some(host.userns_remap),
            no_new_privileges: host.no_new_privileges,
            cgroup_version: host.cgroup_version.trim().parse().ok(),
        }
    }
}

/// Host system paths whose bind mount is a finding, with the severity when
/// writable and when read-only.
const SENSITIVE_EXACT: &[(&str, Severity, Severity)] = &[
    ("/", Severity::Critical, Severity::High),
    ("/etc", Severity::Critical, Severity::Medium),
    ("/root", Severity::Critical, Severity::Medium),
    ("/boot", Severity::Critical, Severity::Low),
    ("/home", Severity::High, Severity::Medium),
    ("/dev", Severity::Critical, Severity::Medium),
    ("/proc", Severity::Critical, Severity::Medium),
    ("/sys", Severity::Critical, Severity::Medium),
    ("/var/lib/docker", Severity::Critical, Severity::Medium),
    ("/var/lib/containerd", Severity::Critical, Severity::Medium),
    ("/var/lib/kubelet", Severity::Critical, Severity::Medium),
    ("/run", Severity::High, Severity::Medium),
    ("/var/run", Severity::High, Severity::Medium),
    ("/usr", Severity::High, Severity::Low),
    ("/lib", Severity::High, Severity::Low),
    ("/lib64", Severity::High, Severity::Low),
    ("/bin", Severity::High, Severity::Low),
    ("/sbin", Severity::High, Severity::Low),
    ("/var/log", Severity::Medium, Severity::Low),
    ("/etc/shadow", Severity::Critical, Severity::Medium),
    ("/etc/passwd", Severity::Critical, Severity::Low),
    ("/etc/sudoers", Severity::Critical, Severity::Low),
    ("/etc/ssh", Severity::Critical, Severity::Medium),
    ("/etc/docker", Severity::Critical, Severity::Medium),
    ("/etc/kubernetes", Severity::Critical, Severity::Medium),
    ("/root/.ssh", Severity::Critical, Severity::Medium),
    ("/root/.docker", Severity::Critical, Severity::Medium),
];

/// Subtrees where any bind source is sensitive (a file under /proc or
/// /var/lib/docker is as telling as the directory).
const SENSITIVE_PREFIX: &[(&str, Severity, Severity)] = &[
    ("/proc/", Severity::Critical, Severity::Medium),
    ("/sys/", Severity::High, Severity::Low),
    ("/boot/", Severity::High, Severity::Low),
    ("/root/", Severity::High, Severity::Medium),
    ("/var/lib/docker/", Severity::Critical, Severity::Medium),
    ("/var/lib/containerd/", Severity::Critical, Severity::Medium),
    ("/var/lib/kubelet/", Severity::Critical, Severity::Medium),
];

/// Device nodes that are routine to bind (syslog socket, shm, the null devices).
const HARMLESS_DEV: &[&str] = &[
    "/dev/log",
    "/dev/shm",
    "/dev/null",
    "/dev/zero",
    "/dev/random",
    "/dev/urandom",
    "/dev/full",
    "/dev/tty",
];

/// `/a//b/` → `/a/b`; keeps `/`.
fn normalise_path(path: &str) -> String {
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    format!("/{}", parts.join("/"))
}

/// Severity of a bind of `path` (writable, read-only), or None when not sensitive.
fn sensitive(path: &str) -> Option<(Severity, Severity)> {
    if let Some((_, rw, ro)) = SENSITIVE_EXACT.iter().find(|(p, _, _)| *p == path) {
        return Some((*rw, *ro));
    }
    if let Some((_, rw, ro)) = SENSITIVE_PREFIX.iter().find(|(p, _, _)| path.starts_with(p)) {
        return Some((*rw, *ro));
    }
    if path.starts_with("/dev/") && !HARMLESS_DEV.contains(&path) {
        return Some((Severity::High, Severity::Low));
    }
    None
}

/// A host path as the mount rules compare it (`/a//b/` → `/a/b`).
pub fn normalise_host_path(path: &str) -> String {
    normalise_path(path)
}

/// Whether a bind of this (normalised) host path is reported by the mount
/// rules (system paths, engine state; sockets are judged separately).
pub fn sensitive_host_path(path: &str) -> bool {
    sensitive(path).is_some() || crate::sockets::exposes_engine_socket(path)
}

pub(crate) fn image_is_mutable(image: &str) -> Option<&'static str> {
    if image.is_empty() || image.contains('@') || image.starts_with("sha256:") {
        return None;
    }
    if image.len() == 64 && image.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':') {
        None => Some("no tag (means latest)"),
        Some((_, "latest")) => Some("the latest tag"),
        Some(_) => None,
    }
}

fn disk_or_memory_device(path: &str) -> bool {
    const RAW: &[&str] = &["/dev/mem", "/dev/kmem", "/dev/port", "/dev/kmsg"];
    const DISKS: &[&str] = &[
        "/dev/sd",
        "/dev/hd",
        "/dev/vd",
        "/dev/xvd",
        "/dev/nvme",
        "/dev/mmcblk",
        "/dev/dm-",
        "/dev/mapper/",
        "/dev/md",
        "/dev/loop",
        "/dev/disk/",
    ];
    RAW.contains(&path) || DISKS.iter().any(|p| path.starts_with(p))
}

pub(crate) fn shows(values: &[String]) -> String {
    format!("[{}]", values.join(", "))
}

/// The rules of every concern. A new rule goes in its concern's `RULES`;
/// a new concern module adds its `RULES` here.
const CONCERNS: &[&[&RuleInfo]] = &[
    capabilities::RULES,
    lifecycle::RULES,
    mounts::RULES,
    namespaces::RULES,
    network::RULES,
    processes::RULES,
    resources::RULES,
    security::RULES,
    user::RULES,
];

/// Every container rule, in id order.
pub fn rules() -> impl Iterator<Item = &'static RuleInfo> {
    CONCERNS.iter().flat_map(|c| c.iter().copied())
}

/// Every finding for one container. `host` says what the engine's host
/// supports (AppArmor, SELinux, userns-remap…), or nothing when unknown.
/// Every finding for one container. `host` says what the engine's host
/// supports (AppArmor, SELinux, userns-remap…), or nothing when unknown.
pub fn audit_container(c: &ContainerSnapshot, host: &HostContext) -> Vec<Finding> {
    let mut out = Vec::new();
    capabilities::privileged_and_capabilities(c, host, &mut out);
    mounts::mounts(c, host, &mut out);
    mounts::root_filesystem(c, host, &mut out);
    mounts::devices(c, host, &mut out);
    processes::sshd(c, host, &mut out);
    network::network(c, host, &mut out);
    resources::resources(c, host, &mut out);
    resources::restart_policy(c, host, &mut out);
    namespaces::namespaces(c, host, &mut out);
    security::security_options(c, host, &mut out);
    user::exec_sessions(c, host, &mut out);
    user::user_and_secrets(c, host, &mut out);
    lifecycle::lifecycle(c, host, &mut out);
    out
}
