//! Mounts, the root filesystem and devices: host paths, engine sockets, propagation, read-only root, `--device` and device cgroup rules.

use super::*;
use crate::sockets::{exposes_engine_socket, is_engine_socket_file};

use crate::finding::{Fix, Mitigation};
use crate::rule_builders::{fix, rule};
use Mitigation::NoPrivileged;
use Severity::{Critical, High, Low, Medium};

/// The rules of this concern, in id order.
pub(super) const RULES: &[&RuleInfo] = &[
    &CTR_SENSITIVE_MOUNT_RW,
    &CTR_SENSITIVE_MOUNT_RO,
    &CTR_ENGINE_SOCKET,
    &CTR_WRITABLE_ROOTFS,
    &CTR_HOST_DEVICE,
    &CTR_DEVICE_CGROUP_RULE,
    &CTR_SHARED_PROPAGATION,
];

pub const CTR_SENSITIVE_MOUNT_RW: RuleInfo = rule(
    "VGI-CTR-004",
    "Sensitive host path mounted writable",
    High,
    Some("5.6"),
    NoPrivileged,
    "A writable bind mount of a host system path (/, /etc, /root, /var/lib/docker, /proc, /sys…) lets root in the container rewrite the host: add a user to /etc/passwd, a cron job, an SSH key, or another container's files (lab §2.2: -v /:/mnt).",
    fix(
        "Mount only the application's own data directory, read-only where possible; never a system path",
        "remove -v /HOST_PATH:… (or mount a dedicated directory with :ro)",
        "volumes: remove the host system path",
        "volumes[].hostPath: remove it (use a PersistentVolumeClaim or configMap)",
    ),
)
.detected(
    "A bind mount (`Mounts[].Type` = bind) whose source is a host system path — `/`, `/etc`, `/root`, `/boot`, `/home`, `/dev`, `/proc`, `/sys`, `/var/lib/docker`, `/var/lib/containerd`, `/var/lib/kubelet`, `/run`, `/var/run`, `/usr`, `/lib`, `/bin`, `/sbin`, `/var/log`, `/etc/shadow`, `/etc/ssh`… or anything under `/proc`, `/sys`, `/boot`, `/root`, `/var/lib/docker` and `/dev` (except `/dev/log`, `/dev/null`…) — mounted writable (`RW` true). Critical for `/`, `/etc`, `/root`, `/proc`, `/sys`, `/dev`, `/var/lib/docker`.",
);

pub const CTR_SENSITIVE_MOUNT_RO: RuleInfo = rule(
    "VGI-CTR-005",
    "Sensitive host path mounted read-only",
    Medium,
    Some("5.6"),
    NoPrivileged,
    "Read-only does not make a system path safe: the container still reads /etc/shadow, SSH host keys, kubelet and registry credentials, other containers' files under /var/lib/docker, and the host's process list under /proc (docker-bench only flags read-write mounts).",
    fix(
        "Mount only the files the application needs, not the system directory",
        "remove -v /HOST_PATH:…:ro",
        "volumes: remove the host system path",
        "volumes[].hostPath: remove it",
    ),
)
.detected(
    "The same paths as VGI-CTR-004 mounted read-only (`RW` false): high for `/`, medium for `/etc`, `/root`, `/home`, `/proc`, `/var/lib/docker`…, low for `/usr`, `/boot`, `/sys`. docker-bench-security only reports read-write mounts.",
);

pub const CTR_ENGINE_SOCKET: RuleInfo = rule(
    "VGI-CTR-006",
    "Container engine socket mounted",
    Critical,
    Some("5.32"),
    NoPrivileged,
    "Whoever reaches the Docker (or containerd, CRI-O, Podman) socket can start a privileged container with the host's root mounted: full control of the host. A read-only mount does not help: connect(2) on a socket ignores the mount's ro flag.",
    fix(
        "Do not give containers the engine socket; use a narrowly scoped API proxy when a tool truly needs it",
        "remove -v /var/run/docker.sock:/var/run/docker.sock",
        "volumes: remove the socket path",
        "volumes[].hostPath: remove the socket path",
    ),
)
.detected(
    "A bind mount of a container-engine socket (`docker.sock`, `containerd.sock`, `crio.sock`, `podman.sock`, `dockershim.sock`, `buildkitd.sock`, rootless sockets under `/run/user/`) or of a directory that holds one (`/`, `/run`, `/var/run`, `/run/containerd`, `/run/crio`, `/run/podman`…), read-only or not.",
);

pub const CTR_WRITABLE_ROOTFS: RuleInfo = rule(
    "VGI-CTR-013",
    "Root filesystem writable",
    Low,
    Some("5.13"),
    NoPrivileged,
    "A writable root filesystem lets an intruder drop tools, modify binaries and persist across restarts of the process; a read-only root with explicit tmpfs or volumes for data makes tampering visible and harder.",
    fix(
        "Mount the root filesystem read-only and give writable paths explicitly",
        "--read-only --tmpfs /tmp",
        "read_only: true (tmpfs: [/tmp])",
        "securityContext.readOnlyRootFilesystem: true",
    ),
)
.detected(
    "`HostConfig.ReadonlyRootfs` is false.",
);

pub const CTR_HOST_DEVICE: RuleInfo = rule(
    "VGI-CTR-019",
    "Host device exposed",
    High,
    Some("5.18"),
    NoPrivileged,
    "A host device node in the container bypasses the filesystem and its permissions: a disk device gives raw read/write of every host file, /dev/mem or /dev/kmem the host's memory.",
    fix(
        "Do not pass host devices; if one is needed, pass exactly it with the least permissions",
        "remove --device=/dev/…  (or --device=/dev/X:/dev/X:r)",
        "devices: remove the entry",
        "remove the hostPath device volume; use a device plugin",
    ),
)
.detected(
    "`HostConfig.Devices` is not empty; critical for disks and memory devices (`/dev/sd*`, `/dev/nvme*`, `/dev/mapper/*`, `/dev/mem`, `/dev/kmem`, `/dev/port`…), medium otherwise.",
);

pub const CTR_DEVICE_CGROUP_RULE: RuleInfo = rule(
    "VGI-CTR-020",
    "Device cgroup rule widens device access",
    Medium,
    Some("5.18"),
    NoPrivileged,
    "--device-cgroup-rule lets the container open device numbers it could create with mknod (CAP_MKNOD is in the default set): 'b *:* rwm' opens every host disk.",
    fix(
        "Remove the rule or narrow it to the one device number needed",
        "remove --device-cgroup-rule",
        "device_cgroup_rules: remove the entry",
        "use a device plugin instead",
    ),
)
.detected(
    "`HostConfig.DeviceCgroupRules` is not empty; high for wildcard rules (`a …`, `*:*`, block devices).",
);

pub const CTR_SHARED_PROPAGATION: RuleInfo = rule(
    "VGI-CTR-022",
    "Mount propagation shared",
    Medium,
    Some("5.20"),
    NoPrivileged,
    "A shared (or rshared) mount propagates mounts made inside the container back to the host: a container with mount rights changes what host processes see.",
    fix(
        "Use private (the default) or slave propagation",
        "-v SRC:DST:rprivate (remove :shared / :rshared)",
        "volumes[].bind.propagation: rprivate",
        "volumeMounts[].mountPropagation: None",
    ),
)
.detected(
    "A mount with `Propagation` `shared` or `rshared`.",
);

pub(super) fn mounts(c: &ContainerSnapshot, _host: &HostContext, out: &mut Vec<Finding>) {
    let found = |rule: &RuleInfo, message: String| Finding::from_rule(rule, c.name.as_str(), message);
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
        if exposes_engine_socket(&path) {
            let what = if is_engine_socket_file(&path) {
                format!("mounts the engine socket {path}")
            } else {
                format!("mounts {path}, which holds the engine socket")
            };
            let socket_file = is_engine_socket_file(&path);
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
                .with_evidence(field.clone(), spec.clone())
                .with_fix(|fix| {
                    remove_this_mount(fix, &spec);
                    if !socket_file {
                        fix.summary = format!(
                            "Do not mount {path} into containers: it holds the engine socket; mount only the application's own data directory"
                        )
                        .into();
                    }
                }),
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
                    .with_evidence(field.clone(), spec.clone())
                    .with_fix(|fix| remove_this_mount(fix, &spec)),
                );
            } else {
                out.push(
                    found(
                        &CTR_SENSITIVE_MOUNT_RW,
                        format!("host {path} mounted writable at {}", m.destination),
                    )
                    .with_severity(rw)
                    .with_evidence(field.clone(), spec.clone())
                    .with_fix(|fix| remove_this_mount(fix, &spec)),
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
}

/// The rule's fix made to name the mount that was found: `-v /:/mnt` is
/// fixed by removing `-v /:/mnt`, not the rule's docker.sock example.
fn remove_this_mount(fix: &mut Fix, spec: &str) {
    fix.docker_run = Some(format!("remove -v {spec}").into());
    fix.compose = Some(format!("volumes: remove {spec}").into());
}

pub(super) fn root_filesystem(c: &ContainerSnapshot, _host: &HostContext, out: &mut Vec<Finding>) {
    let found = |rule: &RuleInfo, message: String| Finding::from_rule(rule, c.name.as_str(), message);
    if !c.read_only_rootfs {
        out.push(
            found(&CTR_WRITABLE_ROOTFS, "has a writable root filesystem".to_string())
                .with_evidence("HostConfig.ReadonlyRootfs", "false"),
        );
    }
}

pub(super) fn devices(c: &ContainerSnapshot, _host: &HostContext, out: &mut Vec<Finding>) {
    let found = |rule: &RuleInfo, message: String| Finding::from_rule(rule, c.name.as_str(), message);
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
}
