//! `vigie inside`: a read-only self-audit of what an attacker in this
//! process's place could reach. Every probe only reads files under `root`
//! (`/` in real use, a fixture tree in tests); nothing is written, nothing is
//! attempted.

pub mod rules;

use crate::sockets::{ENGINE_SOCKET_NAMES, ENGINE_SOCKETS};
use serde::Serialize;
use std::collections::BTreeSet;
use std::os::unix::fs::FileTypeExt;
use std::path::PathBuf;

use crate::finding::{Finding, Severity};
use vigie_caps::ProcStatus;

#[derive(Debug, thiserror::Error)]
pub enum InsideError {
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("{path}: {source}")]
    Status {
        path: String,
        #[source]
        source: vigie_caps::StatusError,
    },
}

/// What the probes saw, reported whatever the findings.
#[derive(Debug, Clone, Serialize)]
pub struct Environment {
    pub in_container: bool,
    /// The signs that told (`/.dockerenv exists`, `/proc/1/cgroup: …docker…`).
    pub container_signs: Vec<String>,
    /// docker, podman, containerd, kubernetes, lxc — when it can be told.
    pub runtime: Option<String>,
    pub cgroup_version: Option<u8>,
    pub kernel_last_cap: Option<u8>,
    pub uid: Option<[u32; 4]>,
    pub gid: Option<[u32; 4]>,
    pub groups: Vec<u32>,
    /// `/proc/self/uid_map` as one line; `0 0 4294967295` means no user namespace.
    pub uid_map: Option<String>,
    pub user_namespace: bool,
    pub cap_eff: Option<String>,
    pub cap_bnd: Option<String>,
    pub capabilities: Vec<String>,
    pub no_new_privs: Option<u8>,
    pub seccomp: Option<u8>,
    pub seccomp_filters: Option<u32>,
    /// AppArmor/SELinux label of this process, when the kernel has one.
    pub lsm_label: Option<String>,
    pub lsm: Option<String>,
    pub network_interfaces: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct InsideReport {
    pub environment: Environment,
    pub findings: Vec<Finding>,
    /// Probes that could not run (unreadable files); the report is then incomplete.
    pub warnings: Vec<String>,
}

/// A mountinfo line, parsed, with the raw line kept for evidence.
#[derive(Debug, Clone)]
struct Mount {
    line: String,
    root: String,
    mount_point: String,
    read_only: bool,
    fs_type: String,
    source: String,
}

/// Files and folders that Docker's own machinery bind-mounts into every container.
const ENGINE_OWN_BINDS: [&str; 5] = [
    "/var/lib/docker/containers/",
    "/var/lib/containers/storage/",
    "/var/lib/kubelet/pods/",
    "/var/lib/docker/volumes/",
    "/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/",
];

const DISK_FS: [&str; 9] = ["ext2", "ext3", "ext4", "xfs", "btrfs", "zfs", "f2fs", "vfat", "9p"];

/// Host directories whose bind mount is a finding (prefix match on the path
/// within the host filesystem).
const SENSITIVE_HOST_DIRS: [&str; 16] = [
    "/etc",
    "/root",
    "/home",
    "/boot",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/var/lib/kubelet",
    "/var/lib/containers",
    "/var/log",
    "/lib/modules",
    "/usr",
    "/run",
    "/var/run",
    "/dev",
    "/proc",
    "/sys",
];

/// Paths Docker masks (moby `oci/defaults.go`), checked only when they exist.
const MASKED_PATHS: [&str; 11] = [
    "/proc/asound",
    "/proc/acpi",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
    "/sys/devices/virtual/powercap",
];

/// Paths Docker mounts read-only.
const READONLY_PATHS: [&str; 5] = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

pub struct Probe {
    root: PathBuf,
}

impl Probe {
    /// Probe the running system.
    pub fn system() -> Probe {
        Probe {
            root: PathBuf::from("/"),
        }
    }

    /// Probe a fixture tree laid out like `/` (tests).
    pub fn rooted(root: impl Into<PathBuf>) -> Probe {
        Probe { root: root.into() }
    }

    fn path(&self, p: &str) -> PathBuf {
        self.root.join(p.trim_start_matches('/'))
    }

    fn read(&self, p: &str) -> Option<String> {
        std::fs::read_to_string(self.path(p)).ok()
    }

    fn exists(&self, p: &str) -> bool {
        std::fs::symlink_metadata(self.path(p)).is_ok()
    }

    fn is_socket(&self, p: &str) -> bool {
        std::fs::metadata(self.path(p))
            .map(|m| m.file_type().is_socket())
            .unwrap_or(false)
    }

    pub fn run(&self) -> Result<InsideReport, InsideError> {
        let status_path = "/proc/self/status";
        let status_text = self.read(status_path).ok_or_else(|| InsideError::Read {
            path: status_path.to_string(),
            reason: "not readable (is /proc mounted?)".to_string(),
        })?;
        let status = vigie_caps::parse_status(&status_text).map_err(|source| InsideError::Status {
            path: status_path.to_string(),
            source,
        })?;
        let mut warnings = Vec::new();
        let mounts = match self.read("/proc/self/mountinfo") {
            Some(text) => parse_mountinfo(&text, &mut warnings),
            None => {
                warnings.push("cannot read /proc/self/mountinfo: mount checks skipped".to_string());
                Vec::new()
            }
        };
        let last_cap = self
            .read("/proc/sys/kernel/cap_last_cap")
            .and_then(|s| s.trim().parse().ok());
        let (in_container, signs, runtime) = self.container_signs(&mounts);
        let cgroup_version = self.cgroup_version(&mounts);
        let uid_map = self
            .read("/proc/self/uid_map")
            .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "));
        let user_namespace = uid_map.as_deref().is_some_and(|m| m != "0 0 4294967295");
        let (lsm, lsm_label) = self.lsm();
        let interfaces = self.interfaces();
        let environment = Environment {
            in_container,
            container_signs: signs,
            runtime,
            cgroup_version,
            kernel_last_cap: last_cap,
            uid: status.uid,
            gid: status.gid,
            groups: status.groups.clone().unwrap_or_default(),
            uid_map,
            user_namespace,
            cap_eff: status.cap_eff.map(|m| format!("{m:016x}")),
            cap_bnd: status.cap_bnd.map(|m| format!("{m:016x}")),
            capabilities: vigie_caps::bits(status.cap_eff.unwrap_or(0))
                .map(vigie_caps::bit_name)
                .collect(),
            no_new_privs: status.no_new_privs,
            seccomp: status.seccomp,
            seccomp_filters: status.seccomp_filters,
            lsm_label,
            lsm,
            network_interfaces: interfaces,
        };
        let mut findings = Vec::new();
        if in_container {
            self.check_capabilities(&status, &environment, &mut findings);
            self.check_process(&status, &environment, &mut findings);
            self.check_devices(&mut findings);
            self.check_system_paths(&mounts, &mut findings);
            self.check_mounts(&mounts, &mut findings);
            self.check_sockets(&mounts, &mut findings);
            self.check_namespaces(&environment, &mut findings);
            self.check_escapes(&status, &environment, &mounts, &mut findings);
        } else {
            let mut f = Finding::from_rule(
                &rules::NOT_IN_CONTAINER,
                "self",
                "no container signs found: container-only checks skipped",
            );
            f.evidence.push(crate::Evidence::new(
                "/.dockerenv, /run/.containerenv, /proc/1/cgroup",
                "absent",
            ));
            findings.push(f);
        }
        crate::sort_findings(&mut findings);
        Ok(InsideReport {
            environment,
            findings,
            warnings,
        })
    }

    fn container_signs(&self, mounts: &[Mount]) -> (bool, Vec<String>, Option<String>) {
        let mut signs = Vec::new();
        let mut runtime: Option<String> = None;
        let set = |r: &mut Option<String>, v: &str| *r = Some(v.to_string());
        if self.exists("/.dockerenv") {
            signs.push("/.dockerenv exists".to_string());
            set(&mut runtime, "docker");
        }
        if self.exists("/run/.containerenv") {
            signs.push("/run/.containerenv exists".to_string());
            set(&mut runtime, "podman");
        }
        for file in ["/proc/1/cgroup", "/proc/self/cgroup"] {
            if let Some(text) = self.read(file) {
                let hit = text.lines().find(|l| {
                    [
                        "/docker",
                        "docker-",
                        "/kubepods",
                        "containerd",
                        "libpod",
                        "/lxc/",
                        "crio-",
                    ]
                    .iter()
                    .any(|k| l.contains(k))
                });
                if let Some(line) = hit {
                    signs.push(format!("{file}: {}", line.trim()));
                    if runtime.is_none() {
                        runtime = Some(String::from(if line.contains("kubepods") {
                            "kubernetes"
                        } else if line.contains("libpod") {
                            "podman"
                        } else if line.contains("lxc") {
                            "lxc"
                        } else if line.contains("containerd") || line.contains("crio") {
                            "containerd"
                        } else {
                            "docker"
                        }));
                    }
                    break;
                }
            }
        }
        if let Some(root) = mounts.iter().find(|m| m.mount_point == "/")
            && root.fs_type == "overlay"
        {
            signs.push(format!("root filesystem is overlay: {}", short(&root.line)));
            if runtime.is_none() {
                runtime = Some(String::from(if root.line.contains("/var/lib/docker/") {
                    "docker"
                } else if root.line.contains("/var/lib/containers/") {
                    "podman"
                } else if root.line.contains("containerd") {
                    "containerd"
                } else {
                    "unknown"
                }));
            }
        }
        if self.exists("/var/run/secrets/kubernetes.io/serviceaccount") {
            signs.push("/var/run/secrets/kubernetes.io/serviceaccount exists".to_string());
            set(&mut runtime, "kubernetes");
        }
        if let Some(env) = self.read("/proc/1/environ")
            && let Some(value) = env.split('\0').find_map(|kv| kv.strip_prefix("container="))
        {
            signs.push(format!("/proc/1/environ: container={value}"));
            if runtime.is_none() {
                runtime = Some(if value.is_empty() {
                    "unknown".to_string()
                } else {
                    value.to_string()
                });
            }
        }
        (!signs.is_empty(), signs, runtime)
    }

    fn cgroup_version(&self, mounts: &[Mount]) -> Option<u8> {
        if mounts.iter().any(|m| m.fs_type == "cgroup") {
            return Some(1);
        }
        if mounts.iter().any(|m| m.fs_type == "cgroup2") || self.exists("/sys/fs/cgroup/cgroup.controllers") {
            return Some(2);
        }
        let text = self.read("/proc/self/cgroup")?;
        if text.lines().all(|l| l.starts_with("0::")) {
            Some(2)
        } else {
            Some(1)
        }
    }

    fn lsm(&self) -> (Option<String>, Option<String>) {
        let apparmor = self
            .read("/sys/module/apparmor/parameters/enabled")
            .is_some_and(|s| s.trim() == "Y");
        let selinux = self.exists("/sys/fs/selinux/enforce");
        let label = self
            .read("/proc/self/attr/apparmor/current")
            .or_else(|| self.read("/proc/self/attr/current"))
            .map(|s| s.trim_matches(|c: char| c == '\0' || c.is_whitespace()).to_string())
            .filter(|s| !s.is_empty());
        let lsm = if apparmor {
            Some("apparmor".to_string())
        } else if selinux {
            Some("selinux".to_string())
        } else {
            None
        };
        (lsm, label)
    }

    fn interfaces(&self) -> Vec<String> {
        let Some(text) = self.read("/proc/net/dev") else {
            return Vec::new();
        };
        text.lines()
            .skip(2)
            .filter_map(|l| l.split_once(':').map(|(name, _)| name.trim().to_string()))
            .collect()
    }

    fn check_capabilities(&self, status: &ProcStatus, env: &Environment, out: &mut Vec<Finding>) {
        let Some(eff) = status.cap_eff else { return };
        let line = status.line("CapEff").unwrap_or("CapEff").to_string();
        if vigie_caps::is_full_set(eff, env.kernel_last_cap) {
            out.push(
                Finding::from_rule(
                    &rules::FULL_CAPS,
                    "self",
                    format!("all {} capabilities are effective", eff.count_ones()),
                )
                .with_evidence("/proc/self/status", line),
            );
            return;
        }
        for bit in vigie_caps::bits(eff) {
            let Some(cap) = vigie_caps::by_number(bit) else {
                continue;
            };
            let Some(danger) = cap.danger else { continue };
            let severity: Severity = danger.severity.parse().unwrap_or(Severity::Medium);
            let default = vigie_caps::DOCKER_DEFAULT & (1u64 << bit) != 0;
            let mut f = Finding::from_rule(
                &rules::DANGEROUS_CAP,
                "self",
                format!(
                    "{} is effective{}: {}",
                    cap.name,
                    if default {
                        " (Docker default)"
                    } else {
                        " (beyond Docker's default set)"
                    },
                    danger.why
                ),
            )
            .with_severity(severity)
            .with_evidence("/proc/self/status", line.clone());
            let short_name = cap.name.trim_start_matches("CAP_");
            f.fix.docker_run = Some(format!("--cap-drop {short_name}").into());
            f.fix.compose = Some(format!("cap_drop: [{short_name}]").into());
            f.fix.kubernetes = Some(format!("securityContext.capabilities.drop: [{short_name}]").into());
            out.push(f);
        }
    }

    fn check_process(&self, status: &ProcStatus, env: &Environment, out: &mut Vec<Finding>) {
        if status.seccomp == Some(0) {
            out.push(
                Finding::from_rule(
                    &rules::SECCOMP_DISABLED,
                    "self",
                    "no seccomp filter: every system call reaches the host kernel",
                )
                .with_evidence("/proc/self/status", status.line("Seccomp").unwrap_or("Seccomp:\t0")),
            );
        }
        if status.no_new_privs == Some(0) {
            out.push(
                Finding::from_rule(
                    &rules::NO_NEW_PRIVS,
                    "self",
                    "setuid/file-capability binaries can raise privileges",
                )
                .with_evidence(
                    "/proc/self/status",
                    status.line("NoNewPrivs").unwrap_or("NoNewPrivs:\t0"),
                ),
            );
        }
        if let Some(uid) = status.uid
            && uid[1] == 0
        {
            let map = env.uid_map.clone().unwrap_or_default();
            if env.user_namespace {
                // Root inside a user namespace maps to an unprivileged host uid: no finding.
            } else {
                out.push(
                    Finding::from_rule(&rules::ROOT_USER, "self", "uid 0 here is uid 0 on the host")
                        .with_evidence("/proc/self/status", status.line("Uid").unwrap_or("Uid:\t0"))
                        .with_evidence("/proc/self/uid_map", map),
                );
            }
        }
        if let (Some(lsm), Some(label)) = (&env.lsm, &env.lsm_label)
            && (label == "unconfined" || label.starts_with("unconfined_t") || label.contains(":spc_t:"))
        {
            out.push(
                Finding::from_rule(
                    &rules::LSM_UNCONFINED,
                    "self",
                    format!("{lsm} is enabled on the host but this process is unconfined"),
                )
                .with_evidence("/proc/self/attr/current", label.clone()),
            );
        }
        if self.exists("/var/run/secrets/kubernetes.io/serviceaccount/token") {
            out.push(
                Finding::from_rule(&rules::SERVICE_ACCOUNT, "self", "a service-account token is mounted")
                    .with_evidence("file", "/var/run/secrets/kubernetes.io/serviceaccount/token"),
            );
        }
    }

    fn check_devices(&self, out: &mut Vec<Finding>) {
        let Ok(entries) = std::fs::read_dir(self.path("/dev")) else {
            return;
        };
        let mut block = Vec::new();
        let mut memory = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Ok(ft) = entry.file_type() else { continue };
            if ft.is_block_device() {
                block.push(format!("/dev/{name}"));
            } else if ft.is_char_device() && ["mem", "kmem", "port", "kmsg"].contains(&name.as_str()) {
                memory.push(format!("/dev/{name}"));
            }
        }
        block.sort();
        memory.sort();
        if !block.is_empty() || !memory.is_empty() {
            let severity = if memory.iter().any(|m| m != "/dev/kmsg") || !block.is_empty() {
                Severity::High
            } else {
                Severity::Medium
            };
            let mut all = block.clone();
            all.extend(memory.clone());
            let message = if block.is_empty() {
                format!("host kernel devices visible: {}", all.join(", "))
            } else {
                format!(
                    "{} host block device{} visible: {}",
                    block.len(),
                    if block.len() == 1 { "" } else { "s" },
                    all.join(", ")
                )
            };
            let mut f = Finding::from_rule(&rules::BLOCK_DEVICES, "self", message).with_severity(severity);
            for d in all.iter().take(20) {
                f.evidence.push(crate::Evidence::new("/dev", d.clone()));
            }
            out.push(f);
        }
    }

    fn check_system_paths(&self, mounts: &[Mount], out: &mut Vec<Finding>) {
        let mut writable = Vec::new();
        if let Some(sys) = last_mount_at(mounts, "/sys")
            && !sys.read_only
        {
            writable.push(("/proc/self/mountinfo".to_string(), sys.line.clone()));
        }
        for path in READONLY_PATHS {
            if !self.exists(path) {
                continue;
            }
            // Read-only when the path (or a parent proc mount above it) is mounted ro.
            match covering_mount(mounts, path) {
                Some(m) if m.read_only => {}
                Some(m) if m.mount_point == path || m.fs_type == "proc" => {
                    writable.push((path.to_string(), m.line.clone()));
                }
                _ => {}
            }
        }
        if !writable.is_empty() {
            let paths: Vec<String> = writable
                .iter()
                .map(|(p, l)| {
                    if p.starts_with('/') && !p.starts_with("/proc/self") {
                        p.clone()
                    } else {
                        mount_point_of(l)
                    }
                })
                .collect();
            let mut f = Finding::from_rule(
                &rules::WRITABLE_SYSTEM_PATHS,
                "self",
                format!("kernel interfaces mounted read-write: {}", paths.join(", ")),
            );
            for (_, line) in writable.iter().take(6) {
                f.evidence
                    .push(crate::Evidence::new("/proc/self/mountinfo", line.clone()));
            }
            out.push(f);
        }
        let unmasked: Vec<&str> = MASKED_PATHS
            .iter()
            .copied()
            .filter(|p| self.exists(p) && !mounts.iter().any(|m| m.mount_point == *p))
            .collect();
        // /proc/kcore etc. only exist on some kernels: a path masked by the
        // engine always shows a mount, so an existing path with none is unmasked.
        if !unmasked.is_empty() {
            let mut f = Finding::from_rule(
                &rules::UNMASKED_PROC,
                "self",
                format!("not masked: {}", unmasked.join(", ")),
            );
            for p in &unmasked {
                f.evidence.push(crate::Evidence::new(
                    *p,
                    "exists and has no masking mount in /proc/self/mountinfo",
                ));
            }
            out.push(f);
        }
    }

    fn check_mounts(&self, mounts: &[Mount], out: &mut Vec<Finding>) {
        if let Some(root) = last_mount_at(mounts, "/")
            && !root.read_only
        {
            out.push(
                Finding::from_rule(
                    &rules::WRITABLE_ROOTFS,
                    "self",
                    "the root filesystem is mounted read-write",
                )
                .with_evidence("/proc/self/mountinfo", short(&root.line)),
            );
        }
        // Host roots first: the host's own submounts seen below one (with
        // rbind, `-v /:/mnt` also shows /mnt/proc, /mnt/sys…) are part of that
        // finding, not findings of their own.
        let host_roots: Vec<&str> = mounts
            .iter()
            .filter(|m| {
                m.mount_point != "/"
                    && m.root == "/"
                    && DISK_FS.contains(&m.fs_type.as_str())
                    && (self.exists(&format!("{}/etc/passwd", m.mount_point))
                        || self.exists(&format!("{}/etc/os-release", m.mount_point)))
            })
            .map(|m| m.mount_point.as_str())
            .collect();
        let mut nested = 0usize;
        for m in mounts {
            if m.mount_point == "/" || self.is_socket(&m.mount_point) {
                continue;
            }
            if host_roots.iter().any(|r| m.mount_point.starts_with(&format!("{r}/"))) {
                nested += 1;
                continue;
            }
            let engine_own = ENGINE_OWN_BINDS.iter().any(|p| m.root.starts_with(p));
            if engine_own {
                continue;
            }
            let ro = if m.read_only { " (read-only)" } else { "" };
            let disk = DISK_FS.contains(&m.fs_type.as_str());
            if disk && m.root == "/" {
                let looks_like_root = self.exists(&format!("{}/etc/passwd", m.mount_point))
                    || self.exists(&format!("{}/etc/os-release", m.mount_point));
                if looks_like_root {
                    let f = Finding::from_rule(
                        &rules::HOST_ROOT_MOUNT,
                        "self",
                        format!("the host's / ({}) is mounted at {}{ro}", m.source, m.mount_point),
                    )
                    .with_severity(if m.read_only {
                        Severity::High
                    } else {
                        Severity::Critical
                    })
                    .with_evidence("/proc/self/mountinfo", m.line.clone());
                    out.push(f);
                } else {
                    out.push(
                        Finding::from_rule(
                            &rules::SENSITIVE_MOUNT,
                            "self",
                            format!(
                                "a whole host filesystem ({}) is mounted at {}{ro}",
                                m.source, m.mount_point
                            ),
                        )
                        .with_severity(if m.read_only { Severity::Medium } else { Severity::High })
                        .with_evidence("/proc/self/mountinfo", m.line.clone()),
                    );
                }
                continue;
            }
            let host_path = if disk { Some(m.root.as_str()) } else { None };
            let special = match m.fs_type.as_str() {
                "proc" if !m.mount_point.starts_with("/proc") => Some("the host's /proc"),
                "sysfs" if !m.mount_point.starts_with("/sys") => Some("the host's /sys"),
                "devtmpfs" => Some("the host's /dev (devtmpfs)"),
                _ => None,
            };
            let sensitive = host_path.and_then(|p| {
                SENSITIVE_HOST_DIRS
                    .iter()
                    .find(|dir| p == **dir || p.starts_with(&format!("{dir}/")))
                    .copied()
            });
            if special.is_none() && sensitive.is_none() {
                continue;
            }
            let what = special
                .map(str::to_string)
                .unwrap_or_else(|| format!("host path {}", m.root));
            out.push(
                Finding::from_rule(
                    &rules::SENSITIVE_MOUNT,
                    "self",
                    format!("{what} is mounted at {}{ro}", m.mount_point),
                )
                .with_severity(if m.read_only { Severity::Medium } else { Severity::High })
                .with_evidence("/proc/self/mountinfo", m.line.clone()),
            );
        }
        if nested > 0 {
            for f in out.iter_mut().filter(|f| f.rule_id == rules::HOST_ROOT_MOUNT.id) {
                f.evidence.push(crate::Evidence::new(
                    "/proc/self/mountinfo",
                    format!(
                        "{nested} more host mounts below it (its /proc, /sys, /dev, /var/lib/docker…) are reachable too"
                    ),
                ));
            }
        }
    }

    fn check_sockets(&self, mounts: &[Mount], out: &mut Vec<Finding>) {
        let mut seen = BTreeSet::new();
        let mut candidates: Vec<(String, Option<String>)> = Vec::new();
        for m in mounts {
            let named = ENGINE_SOCKET_NAMES
                .iter()
                .any(|n| m.root.ends_with(n) || m.mount_point.ends_with(n));
            if named || self.is_socket(&m.mount_point) {
                candidates.push((m.mount_point.clone(), Some(m.line.clone())));
            }
            // A socket inside a bound host directory (`-v /:/mnt`, `-v /run:/host-run`).
            if DISK_FS.contains(&m.fs_type.as_str()) || m.fs_type == "tmpfs" {
                for known in ENGINE_SOCKETS {
                    for base in [
                        known.to_string(),
                        known.trim_start_matches("/run").to_string(),
                        known.trim_start_matches("/var/run").to_string(),
                    ] {
                        let path = format!("{}{}", m.mount_point.trim_end_matches('/'), base);
                        if m.mount_point != "/" && self.is_socket(&path) {
                            candidates.push((path, Some(m.line.clone())));
                        }
                    }
                }
            }
        }
        for known in ENGINE_SOCKETS {
            if self.is_socket(known) {
                candidates.push((known.to_string(), None));
            }
        }
        for (path, line) in candidates {
            if !self.is_socket(&path) || !seen.insert(path.clone()) {
                continue;
            }
            let mut f = Finding::from_rule(
                &rules::ENGINE_SOCKET,
                "self",
                format!("engine socket {path} is reachable: connecting to it is root on the host"),
            )
            .with_evidence(path.clone(), "unix socket");
            if let Some(l) = line {
                f.evidence.push(crate::Evidence::new("/proc/self/mountinfo", l));
            }
            out.push(f);
        }
    }

    fn check_namespaces(&self, env: &Environment, out: &mut Vec<Finding>) {
        // Kernel threads are visible only from the initial PID namespace.
        if let Some(comm) = self.read("/proc/2/comm")
            && comm.trim() == "kthreadd"
        {
            let init = self.read("/proc/1/comm").unwrap_or_default();
            out.push(
                Finding::from_rule(
                    &rules::HOST_PID,
                    "self",
                    format!("host processes are visible (PID 1 is {})", init.trim()),
                )
                .with_evidence(
                    "/proc/2/comm",
                    "kthreadd (a kernel thread: only visible from the host PID namespace)",
                )
                .with_evidence("/proc/1/comm", init.trim().to_string()),
            );
        }
        let host_ifaces: Vec<&String> = env
            .network_interfaces
            .iter()
            .filter(|i| {
                i.as_str() == "docker0"
                    || i.starts_with("veth")
                    || i.starts_with("br-")
                    || i.starts_with("virbr")
                    || i.starts_with("cni")
                    || i.starts_with("flannel")
                    || i.starts_with("cali")
            })
            .collect();
        if !host_ifaces.is_empty() {
            let names: Vec<String> = host_ifaces.iter().map(|s| s.to_string()).collect();
            out.push(
                Finding::from_rule(
                    &rules::HOST_NETWORK,
                    "self",
                    format!("host interfaces are visible: {}", names.join(", ")),
                )
                .with_evidence("/proc/net/dev", env.network_interfaces.join(" ")),
            );
        }
    }

    fn check_escapes(&self, status: &ProcStatus, env: &Environment, mounts: &[Mount], out: &mut Vec<Finding>) {
        let eff = status.cap_eff.unwrap_or(0);
        let has = |name: &str| vigie_caps::by_name(name).is_some_and(|c| eff & (1u64 << c.number) != 0);
        let eff_line = status.line("CapEff").unwrap_or("CapEff").to_string();
        let confined = env.lsm.is_some()
            && env
                .lsm_label
                .as_deref()
                .is_some_and(|l| l != "unconfined" && !l.starts_with("unconfined_t") && !l.contains(":spc_t:"));
        if env.cgroup_version == Some(1) && has("SYS_ADMIN") && !confined {
            let cgroup_line = mounts
                .iter()
                .find(|m| m.fs_type == "cgroup")
                .map(|m| m.line.clone())
                .unwrap_or_else(|| "cgroup v1".to_string());
            let mut f = Finding::from_rule(
                &rules::RELEASE_AGENT,
                "self",
                "cgroup v1 + CAP_SYS_ADMIN + no LSM confinement: a cgroup v1 release_agent can run code on the host",
            )
            .with_evidence("/proc/self/status", eff_line.clone())
            .with_evidence("/proc/self/mountinfo", cgroup_line)
            .with_evidence(
                "LSM",
                env.lsm_label
                    .clone()
                    .unwrap_or_else(|| "no AppArmor/SELinux label".to_string()),
            );
            if let Some(l) = status.line("Seccomp") {
                f.evidence.push(crate::Evidence::new("/proc/self/status", l));
            }
            out.push(f);
        }
        if has("SYS_MODULE") {
            let disabled = self
                .read("/proc/sys/kernel/modules_disabled")
                .map(|s| s.trim().to_string());
            if disabled.as_deref() != Some("1") {
                out.push(
                    Finding::from_rule(
                        &rules::MODULE_LOADING,
                        "self",
                        "CAP_SYS_MODULE is effective and modules are enabled",
                    )
                    .with_evidence("/proc/self/status", eff_line.clone())
                    .with_evidence(
                        "/proc/sys/kernel/modules_disabled",
                        disabled.unwrap_or_else(|| "unreadable (assumed 0)".to_string()),
                    ),
                );
            }
        }
        if has("DAC_READ_SEARCH") {
            out.push(
                Finding::from_rule(
                    &rules::OPEN_BY_HANDLE,
                    "self",
                    "CAP_DAC_READ_SEARCH is effective: open_by_handle_at reaches host files",
                )
                .with_evidence("/proc/self/status", eff_line.clone()),
            );
        }
        if has("SYS_PTRACE") {
            let host_pid = self.read("/proc/2/comm").is_some_and(|c| c.trim() == "kthreadd");
            let scope = self
                .read("/proc/sys/kernel/yama/ptrace_scope")
                .map(|s| s.trim().to_string());
            let mut f = Finding::from_rule(
                &rules::PTRACE_REACH,
                "self",
                if host_pid {
                    "CAP_SYS_PTRACE with the host PID namespace: every host process can be traced"
                } else {
                    "CAP_SYS_PTRACE is effective: processes in this PID namespace can be traced"
                },
            )
            .with_severity(if host_pid { Severity::Critical } else { Severity::High })
            .with_evidence("/proc/self/status", eff_line);
            if let Some(s) = scope {
                f.evidence
                    .push(crate::Evidence::new("/proc/sys/kernel/yama/ptrace_scope", s));
            }
            out.push(f);
        }
    }
}

fn short(line: &str) -> String {
    if line.len() > 200 {
        let cut = (0..=200).rev().find(|i| line.is_char_boundary(*i)).unwrap_or(0);
        format!("{}…", &line[..cut])
    } else {
        line.to_string()
    }
}

fn mount_point_of(line: &str) -> String {
    line.split_whitespace().nth(4).unwrap_or("").to_string()
}

/// The last (topmost) mount at exactly `point`.
fn last_mount_at<'a>(mounts: &'a [Mount], point: &str) -> Option<&'a Mount> {
    mounts.iter().rev().find(|m| m.mount_point == point)
}

/// The topmost mount whose mount point is `path` or a parent of it.
fn covering_mount<'a>(mounts: &'a [Mount], path: &str) -> Option<&'a Mount> {
    mounts
        .iter()
        .filter(|m| m.mount_point == path || m.mount_point == "/" || path.starts_with(&format!("{}/", m.mount_point)))
        .max_by_key(|m| m.mount_point.len())
}

fn parse_mountinfo(text: &str, warnings: &mut Vec<String>) -> Vec<Mount> {
    let mut mounts = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match procfs_core::process::MountInfo::from_line(line) {
            Ok(info) => mounts.push(Mount {
                line: line.to_string(),
                root: unescape_mountinfo(&info.root),
                mount_point: unescape_mountinfo(&info.mount_point.to_string_lossy()),
                read_only: info.mount_options.contains_key("ro"),
                fs_type: info.fs_type.clone(),
                source: info.mount_source.clone().unwrap_or_default(),
            }),
            Err(e) => warnings.push(format!("/proc/self/mountinfo line {}: unparsable ({e})", i + 1)),
        }
    }
    mounts
}

/// mountinfo escapes space, tab, newline and backslash as `\NNN` octal.
pub fn unescape_mountinfo(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let octal = bytes
            .get(i + 1..i + 4)
            .filter(|d| d.iter().all(|b| (b'0'..=b'7').contains(b)));
        let value = octal.map(|d| d.iter().fold(0u32, |acc, b| acc * 8 + u32::from(b - b'0')));
        if bytes[i] == b'\\'
            && let Some(v) = value.and_then(|v| u8::try_from(v).ok())
        {
            out.push(v);
            i += 4;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests;
