//! `vigie audit`: container and host rules over plain snapshots
//! (`vigie_snapshot`). Each rule is a constant in `catalogue`; the checks
//! here decide where one applies and record the exact field and value as
//! evidence. Nothing here talks to the engine.

pub mod catalogue;

use crate::finding::{Finding, RuleInfo, Severity};
use catalogue::*;
use vigie_snapshot::{ContainerSnapshot, HostSnapshot};

/// Every audit rule, container rules first, in id order.
pub fn catalogue() -> &'static [RuleInfo] {
    &CATALOGUE
}

/// A rule by id (`VGI-CTR-001`), case-insensitive.
pub fn rule(id: &str) -> Option<&'static RuleInfo> {
    CATALOGUE.iter().find(|r| r.id.eq_ignore_ascii_case(id))
}

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

/// Sockets of every container engine, in their usual places.
const ENGINE_SOCKETS: &[&str] = &[
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/run/containerd/containerd.sock",
    "/var/run/containerd/containerd.sock",
    "/run/crio/crio.sock",
    "/var/run/crio/crio.sock",
    "/run/podman/podman.sock",
    "/var/run/podman/podman.sock",
    "/var/run/dockershim.sock",
    "/run/k3s/containerd/containerd.sock",
    "/run/buildkit/buildkitd.sock",
];

/// Directories that contain an engine socket: mounting one exposes the socket too.
const SOCKET_DIRS: &[&str] = &[
    "/",
    "/run",
    "/var/run",
    "/run/containerd",
    "/var/run/containerd",
    "/run/crio",
    "/var/run/crio",
    "/run/podman",
    "/var/run/podman",
    "/run/docker",
    "/var/run/docker",
    "/run/k3s",
    "/run/buildkit",
];

const SOCKET_NAMES: &[&str] = &[
    "docker.sock",
    "containerd.sock",
    "crio.sock",
    "podman.sock",
    "dockershim.sock",
    "buildkitd.sock",
];

/// `/a//b/` → `/a/b`; keeps `/`.
fn normalise_path(path: &str) -> String {
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    format!("/{}", parts.join("/"))
}

fn is_engine_socket(path: &str) -> bool {
    if ENGINE_SOCKETS.contains(&path) || SOCKET_DIRS.contains(&path) {
        return true;
    }
    let name = path.rsplit('/').next().unwrap_or("");
    SOCKET_NAMES.contains(&name) || (path.starts_with("/run/user/") && name.ends_with(".sock"))
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

/// Environment variable names that usually hold a credential. `…_FILE`
/// (a path to a secret file, the recommended pattern) is not one.
fn secret_like(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    if upper.ends_with("_FILE") || upper.ends_with("_PATH") || upper.ends_with("_DIR") {
        return false;
    }
    const WORDS: &[&str] = &[
        "PASSWORD",
        "PASSWD",
        "PASSPHRASE",
        "SECRET",
        "TOKEN",
        "APIKEY",
        "API_KEY",
        "PRIVATE_KEY",
        "ACCESS_KEY",
        "SECRET_KEY",
        "CREDENTIAL",
        "AUTH_KEY",
        "CLIENT_SECRET",
    ];
    if WORDS.iter().any(|w| upper.contains(w)) {
        return true;
    }
    upper
        .split('_')
        .any(|part| part == "PASS" || part == "PWD" || part == "KEY" && upper.contains("SSH"))
}

fn is_root_user(user: &str) -> bool {
    let name = user.trim().split(':').next().unwrap_or("");
    name == "root" || name == "0"
}

fn image_is_mutable(image: &str) -> Option<&'static str> {
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

fn shows(values: &[String]) -> String {
    format!("[{}]", values.join(", "))
}

/// Every finding for one container. `host` says what the engine's host
/// supports (AppArmor, SELinux, userns-remap…), or nothing when unknown.
pub fn audit_container(c: &ContainerSnapshot, host: &HostContext) -> Vec<Finding> {
    let mut out = Vec::new();
    let target = c.name.as_str();
    let found = |rule: &RuleInfo, message: String| Finding::from_rule(rule, target, message);

    // Privilege and capabilities.
    if c.privileged {
        out.push(
            found(
                &CTR_PRIVILEGED,
                format!(
                    "runs privileged: all {} capabilities, every host device, no seccomp or AppArmor",
                    c.capabilities.effective.len()
                ),
            )
            .with_evidence("HostConfig.Privileged", "true")
            .with_evidence("effective capabilities", format!("0x{}", c.capabilities.effective_mask)),
        );
    } else {
        let default = vigie_caps::DOCKER_DEFAULT;
        for name in &c.capabilities.effective {
            let Some(cap) = vigie_caps::by_name(name) else { continue };
            if default & (1u64 << cap.number) != 0 {
                continue;
            }
            let (severity, why) = match cap.danger {
                Some(d) => (d.severity.parse().unwrap_or(Severity::High), d.why),
                None => (
                    Severity::Low,
                    "not needed by most services; each added capability widens what root in the container can do",
                ),
            };
            let written = c
                .capabilities
                .add
                .iter()
                .find(|a| {
                    vigie_caps::by_name(a).is_some_and(|x| x.number == cap.number) || a.eq_ignore_ascii_case("ALL")
                })
                .cloned()
                .unwrap_or_else(|| name.clone());
            out.push(
                found(&CTR_DANGEROUS_CAP, format!("adds {name}: {why}"))
                    .with_severity(severity)
                    .with_evidence("HostConfig.CapAdd", written)
                    .with_evidence("effective capabilities", format!("0x{}", c.capabilities.effective_mask)),
            );
        }
        if c.capabilities.drop.is_empty() {
            let raw = c.capabilities.effective.iter().any(|n| n == "CAP_NET_RAW");
            out.push(
                found(
                    &CTR_DEFAULT_CAPS,
                    format!(
                        "keeps Docker's default capabilities ({} effective{})",
                        c.capabilities.effective.len(),
                        if raw { ", including CAP_NET_RAW" } else { "" }
                    ),
                )
                .with_evidence("HostConfig.CapDrop", "[]"),
            );
        }
        if !c.capabilities.unknown.is_empty() {
            out.push(
                found(
                    &CTR_UNKNOWN_CAP,
                    format!("unknown capability names {}", shows(&c.capabilities.unknown)),
                )
                .with_evidence("HostConfig.CapAdd/CapDrop", shows(&c.capabilities.unknown)),
            );
        }
    }

    // Mounts.
    for m in &c.mounts {
        let spec = format!("{}:{}{}", m.source, m.destination, if m.read_only { ":ro" } else { "" });
        let field = format!("Mounts[{}]", m.destination);
        if m.kind != "bind" {
            if matches!(m.propagation.as_str(), "shared" | "rshared") {
                out.push(
                    found(
                        &CTR_SHARED_PROPAGATION,
                        format!("{} is mounted with {} propagation", m.destination, m.propagation),
                    )
                    .with_evidence(format!("{field}.Propagation"), m.propagation.clone()),
                );
            }
            continue;
        }
        let path = normalise_path(&m.source);
        if is_engine_socket(&path) {
            let what = if ENGINE_SOCKETS.contains(&path.as_str())
                || SOCKET_NAMES.contains(&path.rsplit('/').next().unwrap_or(""))
            {
                format!("mounts the engine socket {path}")
            } else {
                format!("mounts {path}, which holds the engine socket")
            };
            out.push(
                found(
                    &CTR_ENGINE_SOCKET,
                    format!(
                        "{what} at {}{}",
                        m.destination,
                        if m.read_only {
                            " (read-only does not protect a socket)"
                        } else {
                            ""
                        }
                    ),
                )
                .with_evidence(field.clone(), spec.clone()),
            );
        }
        if let Some((rw, ro)) = sensitive(&path) {
            if m.read_only {
                out.push(
                    found(
                        &CTR_SENSITIVE_MOUNT_RO,
                        format!("host {path} mounted read-only at {}", m.destination),
                    )
                    .with_severity(ro)
                    .with_evidence(field.clone(), spec.clone()),
                );
            } else {
                out.push(
                    found(
                        &CTR_SENSITIVE_MOUNT_RW,
                        format!("host {path} mounted writable at {}", m.destination),
                    )
                    .with_severity(rw)
                    .with_evidence(field.clone(), spec.clone()),
                );
            }
        }
        if matches!(m.propagation.as_str(), "shared" | "rshared") {
            out.push(
                found(
                    &CTR_SHARED_PROPAGATION,
                    format!("{path} is mounted with {} propagation", m.propagation),
                )
                .with_evidence(format!("{field}.Propagation"), m.propagation.clone()),
            );
        }
    }

    // Processes: sshd.
    let sshd_in_command = c.command.iter().any(|arg| {
        arg.split(|ch: char| ch.is_whitespace() || ch == ';' || ch == '&')
            .any(|w| w.rsplit('/').next() == Some("sshd"))
    });
    let ssh_port = c.exposed_ports.iter().any(|p| p == "22/tcp") || c.ports.iter().any(|p| p.container_port == "22");
    if sshd_in_command || ssh_port {
        let mut f = found(
            &CTR_SSHD,
            if sshd_in_command {
                "starts an SSH daemon".to_string()
            } else {
                "exposes the SSH port 22".to_string()
            },
        );
        if sshd_in_command {
            f = f.with_evidence("Config.Entrypoint+Cmd", "sshd");
        }
        if ssh_port {
            f = f.with_evidence("Config.ExposedPorts", "22/tcp");
        }
        out.push(f);
    }

    // Network.
    if !c.ports.is_empty() {
        let list: Vec<String> = c
            .ports
            .iter()
            .map(|p| {
                let ip = if p.host_ip.is_empty() {
                    "0.0.0.0"
                } else {
                    p.host_ip.as_str()
                };
                let port = if p.host_port.is_empty() {
                    "random"
                } else {
                    p.host_port.as_str()
                };
                format!("{ip}:{port}->{}/{}", p.container_port, p.protocol)
            })
            .collect();
        out.push(
            found(
                &CTR_PORTS_PUBLISHED,
                format!("publishes {} port(s): {}", list.len(), list.join(", ")),
            )
            .with_evidence("HostConfig.PortBindings", list.join(", ")),
        );
        let wildcard: Vec<&String> = c
            .ports
            .iter()
            .zip(&list)
            .filter(|(p, _)| matches!(p.host_ip.as_str(), "" | "0.0.0.0" | "::" | "[::]"))
            .map(|(_, s)| s)
            .collect();
        if !wildcard.is_empty() {
            let text = wildcard.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
            out.push(
                found(
                    &CTR_PORT_ALL_INTERFACES,
                    format!("publishes on every host interface: {text}"),
                )
                .with_evidence("HostConfig.PortBindings", text),
            );
        }
        for (p, text) in c.ports.iter().zip(&list) {
            let low = p
                .host_port
                .split('-')
                .next()
                .and_then(|s| s.parse::<u32>().ok())
                .is_some_and(|n| n > 0 && n < 1024);
            if low {
                out.push(
                    found(
                        &CTR_PRIVILEGED_PORT,
                        format!("publishes host port {} (below 1024)", p.host_port),
                    )
                    .with_evidence("HostConfig.PortBindings", text.clone()),
                );
            }
        }
    }
    if c.namespaces.network == "host" {
        out.push(
            found(&CTR_HOST_NETWORK, "shares the host's network namespace".to_string())
                .with_evidence("HostConfig.NetworkMode", "host"),
        );
    }
    let on_default_bridge = matches!(c.namespaces.network.as_str(), "default" | "bridge")
        && (c.networks.is_empty() || c.networks.iter().any(|n| n == "bridge"));
    if on_default_bridge {
        out.push(
            found(
                &CTR_DEFAULT_BRIDGE,
                "is attached to the default bridge network".to_string(),
            )
            .with_evidence("HostConfig.NetworkMode", c.namespaces.network.clone()),
        );
    }

    // Resources.
    if c.limits.memory == 0 {
        out.push(
            found(&CTR_NO_MEMORY_LIMIT, "has no memory limit".to_string()).with_evidence("HostConfig.Memory", "0"),
        );
    }
    if c.limits.cpu_shares == 0 && c.limits.nano_cpus == 0 && c.limits.cpu_quota <= 0 && c.limits.cpuset_cpus.is_empty()
    {
        out.push(
            found(&CTR_NO_CPU_LIMIT, "has no CPU limit or priority".to_string())
                .with_evidence("HostConfig.CpuShares/NanoCpus/CpuQuota", "0/0/0"),
        );
    }
    match c.limits.pids_limit {
        Some(n) if n > 0 => {}
        other => out.push(
            found(&CTR_NO_PIDS_LIMIT, "has no PIDs limit".to_string()).with_evidence(
                "HostConfig.PidsLimit",
                other.map(|n| n.to_string()).unwrap_or_else(|| "null".to_string()),
            ),
        ),
    }
    if c.limits.ulimits.is_empty() {
        out.push(
            found(&CTR_ULIMITS_DEFAULT, "uses the daemon's default ulimits".to_string())
                .with_evidence("HostConfig.Ulimits", "[]"),
        );
    }
    if c.oom_kill_disable {
        let severity = if c.limits.memory == 0 {
            Severity::High
        } else {
            Severity::Medium
        };
        out.push(
            found(
                &CTR_OOM_KILL_DISABLED,
                format!(
                    "disables the OOM killer{}",
                    if c.limits.memory == 0 {
                        " without a memory limit"
                    } else {
                        ""
                    }
                ),
            )
            .with_severity(severity)
            .with_evidence("HostConfig.OomKillDisable", "true"),
        );
    }
    if !c.cgroup_parent.is_empty() {
        out.push(
            found(
                &CTR_CGROUP_PARENT,
                format!("uses the cgroup parent {}", c.cgroup_parent),
            )
            .with_evidence("HostConfig.CgroupParent", c.cgroup_parent.clone()),
        );
    }

    // Filesystem.
    if !c.read_only_rootfs {
        out.push(
            found(&CTR_WRITABLE_ROOTFS, "has a writable root filesystem".to_string())
                .with_evidence("HostConfig.ReadonlyRootfs", "false"),
        );
    }

    // Restart policy.
    match c.restart_policy.name.as_str() {
        "always" | "unless-stopped" => out.push(
            found(
                &CTR_RESTART_ALWAYS,
                format!("restarts with policy {} (unbounded)", c.restart_policy.name),
            )
            .with_evidence("HostConfig.RestartPolicy.Name", c.restart_policy.name.clone()),
        ),
        "on-failure" if c.restart_policy.max_retries == 0 || c.restart_policy.max_retries > 5 => out.push(
            found(
                &CTR_RESTART_RETRIES,
                if c.restart_policy.max_retries == 0 {
                    "restarts on failure without a retry limit".to_string()
                } else {
                    format!(
                        "restarts on failure up to {} times (more than 5)",
                        c.restart_policy.max_retries
                    )
                },
            )
            .with_evidence(
                "HostConfig.RestartPolicy.MaximumRetryCount",
                c.restart_policy.max_retries.to_string(),
            ),
        ),
        _ => {}
    }

    // Namespaces.
    if c.namespaces.pid == "host" {
        out.push(
            found(&CTR_HOST_PID, "shares the host's PID namespace".to_string())
                .with_evidence("HostConfig.PidMode", "host"),
        );
    }
    if c.namespaces.ipc == "host" {
        out.push(
            found(&CTR_HOST_IPC, "shares the host's IPC namespace".to_string())
                .with_evidence("HostConfig.IpcMode", "host"),
        );
    }
    if c.namespaces.uts == "host" {
        out.push(
            found(&CTR_HOST_UTS, "shares the host's UTS namespace".to_string())
                .with_evidence("HostConfig.UTSMode", "host"),
        );
    }
    if c.namespaces.user == "host" {
        let severity = if host.userns_remap == Some(true) {
            Severity::High
        } else {
            Severity::Medium
        };
        out.push(
            found(
                &CTR_HOST_USERNS,
                if host.userns_remap == Some(true) {
                    "opts out of the daemon's user-namespace remapping: container root is host root".to_string()
                } else {
                    "shares the host's user namespace".to_string()
                },
            )
            .with_severity(severity)
            .with_evidence("HostConfig.UsernsMode", "host"),
        );
    }
    if c.namespaces.cgroup == "host" && !c.privileged {
        let v1 = host.cgroup_version == Some(1);
        out.push(
            found(
                &CTR_HOST_CGROUPNS,
                if v1 {
                    "shares the host's cgroup namespace (the daemon's default on cgroup v1)".to_string()
                } else {
                    "shares the host's cgroup namespace".to_string()
                },
            )
            .with_severity(if v1 { Severity::Low } else { Severity::Medium })
            .with_evidence("HostConfig.CgroupnsMode", "host"),
        );
    }

    // Devices.
    for d in &c.devices {
        let severity = if disk_or_memory_device(&d.host_path) {
            Severity::Critical
        } else {
            Severity::Medium
        };
        out.push(
            found(
                &CTR_HOST_DEVICE,
                format!("has host device {} ({})", d.host_path, d.permissions),
            )
            .with_severity(severity)
            .with_evidence(
                "HostConfig.Devices",
                format!("{}:{}:{}", d.host_path, d.container_path, d.permissions),
            ),
        );
    }
    for rule_text in &c.device_cgroup_rules {
        let wide = rule_text.starts_with('a') || rule_text.contains("*:*") || rule_text.starts_with("b ");
        out.push(
            found(
                &CTR_DEVICE_CGROUP_RULE,
                format!("allows devices by cgroup rule '{rule_text}'"),
            )
            .with_severity(if wide { Severity::High } else { Severity::Medium })
            .with_evidence("HostConfig.DeviceCgroupRules", rule_text.clone()),
        );
    }

    // Security options.
    if !c.privileged {
        if c.security.seccomp == "unconfined" {
            out.push(
                found(&CTR_SECCOMP_DISABLED, "runs without a seccomp filter".to_string())
                    .with_evidence("HostConfig.SecurityOpt", "seccomp=unconfined"),
            );
        }
        if c.security.systempaths_unconfined || c.security.masked_paths_cleared {
            out.push(
                found(&CTR_SYSTEMPATHS, "unmasks /proc and /sys system paths".to_string()).with_evidence(
                    "HostConfig.SecurityOpt",
                    if c.security.systempaths_unconfined {
                        "systempaths=unconfined"
                    } else {
                        "MaskedPaths: []"
                    },
                ),
            );
        }
        let apparmor = c.security.apparmor.as_str();
        if apparmor == "unconfined" {
            out.push(
                found(&CTR_APPARMOR, "runs with AppArmor unconfined".to_string())
                    .with_evidence("AppArmorProfile", "unconfined"),
            );
        } else if apparmor.is_empty() && host.apparmor == Some(true) {
            out.push(
                found(&CTR_APPARMOR, "has no AppArmor profile on an AppArmor host".to_string())
                    .with_evidence("AppArmorProfile", "\"\""),
            );
        }
    }
    let docker_added_label = c.privileged || c.namespaces.pid == "host" || c.namespaces.ipc == "host";
    if c.security.label_disabled && !docker_added_label {
        let inert = host.selinux == Some(false);
        out.push(
            found(
                &CTR_SELINUX_DISABLED,
                if inert {
                    "disables SELinux labelling (no SELinux on this host today)".to_string()
                } else {
                    "disables SELinux labelling".to_string()
                },
            )
            .with_severity(if inert { Severity::Low } else { Severity::Medium })
            .with_evidence("HostConfig.SecurityOpt", "label=disable"),
        );
    }
    if !c.security.no_new_privileges && !host.no_new_privileges {
        out.push(
            found(
                &CTR_NO_NEW_PRIVILEGES,
                "can gain privileges through setuid binaries".to_string(),
            )
            .with_evidence("HostConfig.SecurityOpt", shows(&c.security.raw)),
        );
    }

    // Exec sessions.
    for exec in &c.execs {
        let id: String = exec.id.chars().take(12).collect();
        if exec.privileged {
            out.push(
                found(&CTR_EXEC_PRIVILEGED, format!("has a privileged exec session {id}"))
                    .with_evidence(format!("exec {id}.Privileged"), "true"),
            );
        }
        if is_root_user(&exec.user) {
            out.push(
                found(&CTR_EXEC_ROOT, format!("has an exec session {id} as {}", exec.user))
                    .with_evidence(format!("exec {id}.User"), exec.user.clone()),
            );
        }
    }

    // User.
    if c.runs_as_root() {
        let remapped = host.userns_remap == Some(true) && c.namespaces.user != "host";
        out.push(
            found(
                &CTR_ROOT_USER,
                if remapped {
                    "runs as root (remapped to an unprivileged host user by userns-remap)".to_string()
                } else {
                    "runs as root".to_string()
                },
            )
            .with_severity(if remapped { Severity::Low } else { Severity::Medium })
            .with_evidence(
                "Config.User",
                if c.user.is_empty() {
                    "\"\" (image default: root)".to_string()
                } else {
                    c.user.clone()
                },
            ),
        );
    }
    let secrets: Vec<String> = c.env_names.iter().filter(|n| secret_like(n)).cloned().collect();
    if !secrets.is_empty() {
        out.push(
            found(
                &CTR_SECRET_ENV,
                format!(
                    "passes secret-looking variables in its environment: {}",
                    secrets.join(", ")
                ),
            )
            .with_evidence("Config.Env (names only)", secrets.join(", ")),
        );
    }

    // Lifecycle.
    match c.health_check.kind.as_str() {
        "none" | "" => out.push(
            found(&CTR_NO_HEALTHCHECK, "has no health check".to_string()).with_evidence("Config.Healthcheck", "null"),
        ),
        "disabled" => out.push(
            found(&CTR_NO_HEALTHCHECK, "disables the image's health check".to_string())
                .with_evidence("Config.Healthcheck.Test", "[NONE]"),
        ),
        _ => {}
    }
    if let Some(why) = image_is_mutable(&c.image) {
        out.push(
            found(&CTR_MUTABLE_IMAGE, format!("was created from {} ({why})", c.image))
                .with_evidence("Config.Image", c.image.clone()),
        );
    }
    if c.log_driver == "none" {
        out.push(
            found(&CTR_NO_LOGGING, "keeps no logs (log driver none)".to_string())
                .with_evidence("HostConfig.LogConfig.Type", "none"),
        );
    }
    out
}

/// Findings about the Docker host itself (target `host`).
pub fn audit_host(h: &HostSnapshot) -> Vec<Finding> {
    let mut out = Vec::new();
    let found = |rule: &RuleInfo, message: String| Finding::from_rule(rule, "host", message);
    if !h.userns_remap {
        out.push(
            found(
                &HOST_NO_USERNS,
                "user namespace remapping is off: container root is host root".to_string(),
            )
            .with_evidence("info.SecurityOptions", shows(&h.security_options)),
        );
    }
    if !h.live_restore {
        out.push(
            found(&HOST_NO_LIVE_RESTORE, "live restore is off".to_string())
                .with_evidence("info.LiveRestoreEnabled", "false"),
        );
    }
    if h.default_bridge_icc == Some(true) {
        out.push(
            found(
                &HOST_ICC,
                "containers on the default bridge can reach each other".to_string(),
            )
            .with_evidence("network bridge Options[com.docker.network.bridge.enable_icc]", "true"),
        );
    }
    let plain_tcp = h.endpoint.starts_with("tcp://") || h.endpoint.starts_with("http://");
    let warned: Vec<&String> = h.warnings.iter().filter(|w| w.contains("without encryption")).collect();
    if plain_tcp || !warned.is_empty() {
        let mut f = found(
            &HOST_TCP_NO_TLS,
            "the engine API is served over TCP without TLS".to_string(),
        );
        if plain_tcp {
            f = f.with_evidence("endpoint", h.endpoint.clone());
        }
        for w in warned {
            f = f.with_evidence("info.Warnings", w.clone());
        }
        out.push(f);
    }
    if !h.insecure_registries.is_empty() {
        out.push(
            found(
                &HOST_INSECURE_REGISTRY,
                format!("insecure registries: {}", h.insecure_registries.join(", ")),
            )
            .with_evidence("info.RegistryConfig", shows(&h.insecure_registries)),
        );
    }
    if h.seccomp_profile.is_none() {
        out.push(
            found(
                &HOST_NO_SECCOMP,
                "the engine does not report seccomp support".to_string(),
            )
            .with_evidence("info.SecurityOptions", shows(&h.security_options)),
        );
    }
    if !h.apparmor && !h.selinux {
        out.push(
            found(
                &HOST_NO_MAC,
                "neither AppArmor nor SELinux confines containers".to_string(),
            )
            .with_evidence("info.SecurityOptions", shows(&h.security_options)),
        );
    }
    if !h.rootless {
        out.push(
            found(&HOST_ROOTFUL, "the daemon runs as root (not rootless)".to_string())
                .with_evidence("info.SecurityOptions", shows(&h.security_options)),
        );
    }
    if h.cgroup_version.trim() == "1" {
        out.push(
            found(&HOST_CGROUP_V1, "the host uses cgroup v1".to_string()).with_evidence("info.CgroupVersion", "1"),
        );
    }
    if h.logging_driver == "none" {
        out.push(
            found(&HOST_LOGGING, "the default log driver is none".to_string())
                .with_evidence("info.LoggingDriver", "none"),
        );
    }
    if h.storage_driver == "aufs" {
        out.push(found(&HOST_AUFS, "the storage driver is aufs".to_string()).with_evidence("info.Driver", "aufs"));
    }
    if h.experimental {
        out.push(
            found(&HOST_EXPERIMENTAL, "experimental features are enabled".to_string())
                .with_evidence("info.ExperimentalBuild", "true"),
        );
    }
    if h.debug {
        out.push(found(&HOST_DEBUG, "the daemon runs in debug mode".to_string()).with_evidence("info.Debug", "true"));
    }
    if h.authorization_plugins.is_empty() {
        out.push(
            found(&HOST_NO_AUTHZ, "no authorization plugin guards the API".to_string())
                .with_evidence("info.Plugins.Authorization", "[]"),
        );
    }
    let major: Option<u32> = h
        .server_version
        .split(['.', '-', '+'])
        .next()
        .and_then(|m| m.parse().ok());
    if let Some(major) = major
        && major < 25
    {
        out.push(
            found(
                &HOST_OLD_ENGINE,
                format!("Docker Engine {} is past end of life", h.server_version),
            )
            .with_evidence("version.Version", h.server_version.clone()),
        );
    }
    for w in h.warnings.iter().filter(|w| !w.contains("without encryption")) {
        let text = w.trim().trim_start_matches("WARNING:").trim().to_string();
        out.push(found(&HOST_WARNING, format!("the engine warns: {text}")).with_evidence("info.Warnings", w.clone()));
    }
    out
}

#[cfg(test)]
mod tests;
