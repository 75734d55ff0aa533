//! Namespaces shared with the host: PID, IPC, UTS, user, cgroup.

use super::*;

use crate::finding::Mitigation;
use crate::rule_builders::{fix, rule};
use Mitigation::{NoPrivileged, NonRootUser};
use Severity::{High, Medium};

/// The rules of this concern, in id order.
pub(super) const RULES: &[&RuleInfo] = &[
    &CTR_HOST_PID,
    &CTR_HOST_IPC,
    &CTR_HOST_UTS,
    &CTR_HOST_USERNS,
    &CTR_HOST_CGROUPNS,
    &CTR_UNSAFE_SYSCTL,
];

/// The sysctls Kubernetes' Pod Security Standards (baseline) call safe: namespaced,
/// and isolated from other pods on the node.
pub const SAFE_SYSCTLS: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];

pub const CTR_UNSAFE_SYSCTL: RuleInfo = rule(
    "VGI-CTR-043",
    "Kernel parameter outside the safe set",
    Medium,
    None,
    NoPrivileged,
    "A sysctl set for the container changes a kernel parameter of its namespace (with the host network, of the host itself): IP forwarding, routing, shared-memory and message-queue limits. Outside the small set Kubernetes calls safe, one workload's setting can weaken or starve others on the node.",
    fix(
        "Set only the sysctls the service needs, from the safe set",
        "remove --sysctl NAME=VALUE",
        "sysctls: remove the entry",
        "spec.securityContext.sysctls: remove the entry",
    ),
)
.detected(
    "A name in `HostConfig.Sysctls` (Compose `sysctls`, Pod `securityContext.sysctls`) outside the Pod Security Standards' safe set: kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.ip_unprivileged_port_start, net.ipv4.tcp_syncookies, net.ipv4.ping_group_range, net.ipv4.ip_local_reserved_ports and the tcp_keepalive/fin_timeout ones.",
);

pub const CTR_HOST_PID: RuleInfo = rule(
    "VGI-CTR-017",
    "Host PID namespace shared",
    High,
    Some("5.16"),
    NoPrivileged,
    "--pid host shows every host process to the container; as root it can signal them, read their environment and memory maps under /proc, and with CAP_SYS_PTRACE inject code into them.",
    fix(
        "Keep the container in its own PID namespace",
        "remove --pid host",
        "pid: remove \"host\"",
        "spec.hostPID: false",
    ),
)
.detected(
    "`HostConfig.PidMode` is `host`.",
);

pub const CTR_HOST_IPC: RuleInfo = rule(
    "VGI-CTR-018",
    "Host IPC namespace shared",
    High,
    Some("5.17"),
    NoPrivileged,
    "--ipc host shares the host's System V IPC and POSIX shared memory: the container reads and corrupts other processes' shared segments.",
    fix(
        "Keep the container in its own IPC namespace",
        "remove --ipc host",
        "ipc: remove \"host\"",
        "spec.hostIPC: false",
    ),
)
.detected(
    "`HostConfig.IpcMode` is `host`.",
);

pub const CTR_HOST_UTS: RuleInfo = rule(
    "VGI-CTR-023",
    "Host UTS namespace shared",
    Medium,
    Some("5.21"),
    NoPrivileged,
    "--uts host lets the container change the host's hostname and NIS domain name, which other services use for identity and logging.",
    fix(
        "Keep the container in its own UTS namespace",
        "remove --uts host",
        "uts: remove \"host\"",
        "no field: pods never share the host UTS namespace unless hostNetwork is set",
    ),
)
.detected(
    "`HostConfig.UTSMode` is `host`.",
);

pub const CTR_HOST_USERNS: RuleInfo = rule(
    "VGI-CTR-033",
    "Host user namespace shared",
    Medium,
    Some("5.31"),
    NonRootUser,
    "--userns host opts out of the daemon's user-namespace remapping: root in the container is root on the host again.",
    fix(
        "Keep the daemon's user namespace",
        "remove --userns host",
        "userns_mode: remove \"host\"",
        "spec.hostUsers: false",
    ),
)
.detected(
    "`HostConfig.UsernsMode` is `host`; high when the daemon runs with userns-remap (the container opts out of it).",
);

pub const CTR_HOST_CGROUPNS: RuleInfo = rule(
    "VGI-CTR-040",
    "Host cgroup namespace shared",
    Medium,
    None,
    NoPrivileged,
    "--cgroupns host shows the host's whole cgroup tree inside the container; with write access to a cgroup v1 hierarchy, release_agent runs a program on the host.",
    fix(
        "Use a private cgroup namespace",
        "--cgroupns private",
        "cgroup: private",
        "no field: the runtime gives pods a private cgroup namespace on cgroup v2",
    ),
)
.detected(
    "`HostConfig.CgroupnsMode` is `host` on a non-privileged container; low on cgroup v1 hosts, where it is the daemon's default.",
);

pub(super) fn namespaces(c: &ContainerSnapshot, host: &HostContext, out: &mut Vec<Finding>) {
    let found = |rule: &RuleInfo, message: String| Finding::from_rule(rule, c.name.as_str(), message);
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
    for (name, value) in &c.sysctls {
        if !SAFE_SYSCTLS.contains(&name.as_str()) {
            out.push(
                found(&CTR_UNSAFE_SYSCTL, format!("sets the kernel parameter {name}"))
                    .with_evidence(format!("HostConfig.Sysctls[{name}]"), value.clone()),
            );
        }
    }
}
