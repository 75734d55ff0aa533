//! The host rule catalogue (VGI-HOST-*): the Docker daemon's configuration
//! as the engine reports it. CIS ids are those of the CIS Docker Benchmark
//! v1.6.0 (section 2 daemon configuration, section 5.1 swarm mode).

use crate::finding::RuleInfo;
use crate::finding::{Mitigation, Severity};
use crate::rule_builders::{fix, rule};
use Mitigation::{IsolatedNetwork, NoPrivileged, NonRootUser, RegularScans, UpToDate};
use Severity::{Critical, High, Info, Low, Medium};

pub const HOST_NO_USERNS: RuleInfo = rule(
    "VGI-HOST-001",
    "User namespace remapping off",
    Medium,
    Some("2.9"),
    NonRootUser,
    "Without userns-remap, uid 0 in every container is uid 0 on the host: any escape or writable host mount acts as host root. With it, container root maps to an unprivileged host uid.",
    fix(
        "Enable user namespace remapping in the daemon",
        "dockerd --userns-remap=default (daemon.json: \"userns-remap\": \"default\")",
        "daemon setting, not per service",
        "spec.hostUsers: false (Kubernetes user namespaces)",
    ),
)
.detected(
    "`GET /info` `SecurityOptions` has no `name=userns`.",
);

pub const HOST_NO_LIVE_RESTORE: RuleInfo = rule(
    "VGI-HOST-002",
    "Live restore off",
    Low,
    Some("2.15"),
    UpToDate,
    "Without live-restore, restarting or upgrading the daemon stops every container, so security updates of the engine get postponed.",
    fix(
        "Enable live restore",
        "dockerd --live-restore (daemon.json: \"live-restore\": true)",
        "daemon setting",
        "not applicable",
    ),
)
.detected(
    "`GET /info` `LiveRestoreEnabled` is false.",
);

pub const HOST_ICC: RuleInfo = rule(
    "VGI-HOST-003",
    "Inter-container traffic allowed on the default bridge",
    Medium,
    Some("2.2"),
    IsolatedNetwork,
    "With icc on, every container on docker0 reaches every port of every other one: one compromised container attacks its neighbours (lab §2.4).",
    fix(
        "Disable inter-container communication on the default bridge and use user-defined networks",
        "dockerd --icc=false (daemon.json: \"icc\": false)",
        "daemon setting; give each project its own network",
        "NetworkPolicy default-deny",
    ),
)
.detected(
    "`GET /networks/bridge` `Options[\"com.docker.network.bridge.enable_icc\"]` is not `false`.",
);

pub const HOST_TCP_NO_TLS: RuleInfo = rule(
    "VGI-HOST-004",
    "Engine API on TCP without TLS",
    Critical,
    Some("2.7"),
    IsolatedNetwork,
    "An unauthenticated Docker API on the network is remote root on the host for anyone who can reach the port: create a privileged container with / mounted and done.",
    fix(
        "Serve the API on the unix socket only, or with mutual TLS",
        "dockerd --tlsverify --tlscacert=ca.pem --tlscert=cert.pem --tlskey=key.pem -H tcp://0.0.0.0:2376",
        "daemon setting",
        "not applicable",
    ),
)
.detected(
    "vigie reached the engine over `tcp://` without TLS, or `GET /info` `Warnings` says the API is accessible without encryption.",
);

pub const HOST_INSECURE_REGISTRY: RuleInfo = rule(
    "VGI-HOST-005",
    "Insecure registry configured",
    High,
    Some("2.5"),
    RegularScans,
    "The daemon pulls from these registries without TLS verification: anyone on the path can substitute the images it runs.",
    fix(
        "Remove insecure registries; give the registry a certificate (a private CA in /etc/docker/certs.d is fine)",
        "remove --insecure-registry (daemon.json: \"insecure-registries\": [])",
        "daemon setting",
        "containerd/CRI-O registry configuration with TLS",
    ),
)
.detected(
    "`GET /info` `RegistryConfig.InsecureRegistryCIDRs` beyond Docker's loopback default (127.0.0.0/8, ::1/128), or an `IndexConfigs` entry with `Secure` false.",
);

pub const HOST_NO_SECCOMP: RuleInfo = rule(
    "VGI-HOST-006",
    "Seccomp not available in the daemon",
    High,
    None,
    NoPrivileged,
    "The engine does not report seccomp support: no container gets the default system-call filter, whatever its options say.",
    fix(
        "Run a kernel and engine built with seccomp",
        "install a docker/runc build with libseccomp; check docker info | grep seccomp",
        "daemon setting",
        "securityContext.seccompProfile.type: RuntimeDefault",
    ),
)
.detected(
    "`GET /info` `SecurityOptions` has no `name=seccomp`.",
);

pub const HOST_NO_MAC: RuleInfo = rule(
    "VGI-HOST-007",
    "No mandatory access control (AppArmor or SELinux)",
    Low,
    None,
    NoPrivileged,
    "Neither AppArmor nor SELinux confines containers on this host: a process that gets past capabilities and seccomp meets no further layer.",
    fix(
        "Enable AppArmor (Debian, Ubuntu) or SELinux (RHEL, Fedora) and let Docker apply its profile",
        "boot with apparmor=1 security=apparmor; dockerd then applies docker-default",
        "daemon/host setting",
        "node setting",
    ),
)
.detected(
    "`GET /info` `SecurityOptions` has neither `name=apparmor` nor `name=selinux`.",
);

pub const HOST_ROOTFUL: RuleInfo = rule(
    "VGI-HOST-008",
    "Daemon runs as root",
    Info,
    Some("2.1"),
    NonRootUser,
    "A rootful daemon means any escape from a container, or any access to its socket, is host root; rootless mode confines the whole engine to one user.",
    fix(
        "Run the daemon rootless where the workloads allow it",
        "dockerd-rootless-setuptool.sh install",
        "daemon setting",
        "node setting",
    ),
)
.detected(
    "`GET /info` `SecurityOptions` has no `name=rootless` (info).",
);

pub const HOST_CGROUP_V1: RuleInfo = rule(
    "VGI-HOST-009",
    "cgroup v1 host",
    Low,
    None,
    UpToDate,
    "cgroup v1 hierarchies have release_agent, a classic escape for containers that can mount cgroupfs, and no delegation model; cgroup v2 removes both and enables private cgroup namespaces by default.",
    fix(
        "Boot the host with the unified cgroup v2 hierarchy",
        "kernel command line systemd.unified_cgroup_hierarchy=1",
        "host setting",
        "node setting",
    ),
)
.detected(
    "`GET /info` `CgroupVersion` is 1.",
);

pub const HOST_LOGGING: RuleInfo = rule(
    "VGI-HOST-010",
    "Container logs not kept by default",
    Medium,
    Some("2.13"),
    UpToDate,
    "The daemon's default log driver is none: containers leave no log to investigate an intrusion with.",
    fix(
        "Set a default log driver that keeps logs, preferably shipped off the host",
        "dockerd --log-driver=journald (or syslog, fluentd…)",
        "logging.driver per service",
        "node log collection",
    ),
)
.detected("`GET /info` `LoggingDriver` is `none`.");

pub const HOST_AUFS: RuleInfo = rule(
    "VGI-HOST-011",
    "aufs storage driver",
    Medium,
    Some("2.6"),
    UpToDate,
    "aufs is deprecated and removed from current engines and kernels; it has a history of kernel crashes and security issues.",
    fix(
        "Use overlay2",
        "dockerd --storage-driver=overlay2",
        "daemon setting",
        "node setting",
    ),
)
.detected(
    "`GET /info` `Driver` is `aufs`.",
);

pub const HOST_EXPERIMENTAL: RuleInfo = rule(
    "VGI-HOST-012",
    "Experimental features enabled",
    Low,
    Some("2.18"),
    UpToDate,
    "Experimental engine features are not covered by the usual security review and support guarantees.",
    fix(
        "Disable experimental features in production",
        "remove --experimental (daemon.json: \"experimental\": false)",
        "daemon setting",
        "not applicable",
    ),
)
.detected("`GET /info` `ExperimentalBuild` is true.");

pub const HOST_DEBUG: RuleInfo = rule(
    "VGI-HOST-013",
    "Daemon in debug mode",
    Low,
    Some("2.3"),
    UpToDate,
    "Debug logging records request details (including some secrets passed to the API) and floods logs, hiding what matters; CIS asks for log level info.",
    fix(
        "Run the daemon at log level info",
        "remove --debug; dockerd --log-level=info",
        "daemon setting",
        "not applicable",
    ),
)
.detected(
    "`GET /info` `Debug` is true.",
);

pub const HOST_NO_AUTHZ: RuleInfo = rule(
    "VGI-HOST-014",
    "No authorization plugin",
    Info,
    Some("2.12"),
    NoPrivileged,
    "Anyone who can reach the engine socket may do anything, including start privileged containers; an authorization plugin can refuse such requests.",
    fix(
        "Restrict who reaches the socket, and consider an authorization plugin for shared hosts",
        "dockerd --authorization-plugin=PLUGIN",
        "daemon setting",
        "admission control (Pod Security Admission) plays this role",
    ),
)
.detected(
    "`GET /info` `Plugins.Authorization` is empty (info).",
);

pub const HOST_OLD_ENGINE: RuleInfo = rule(
    "VGI-HOST-015",
    "Engine version past end of life",
    Medium,
    None,
    UpToDate,
    "Docker Engine major versions before 25.0 no longer receive security fixes (20.10 ended in December 2023, 23.0 and 24.0 in 2024): known engine and runc vulnerabilities stay open.",
    fix(
        "Upgrade the engine to a maintained release",
        "apt-get install docker-ce (current release) or your distribution's maintained docker.io",
        "host setting",
        "node upgrade",
    ),
)
.detected(
    "`GET /version` `Version` has a major version below 25.",
);

pub const HOST_WARNING: RuleInfo = rule(
    "VGI-HOST-016",
    "The engine reports a warning",
    Info,
    None,
    UpToDate,
    "docker info ends with the daemon's own warnings (no swap limit support, bridge-nf-call-iptables disabled…): each one means a limit or isolation option silently does not work.",
    fix(
        "Fix the host setting the warning names",
        "see the warning text",
        "host setting",
        "node setting",
    ),
)
.detected(
    "Each of `GET /info` `Warnings` (other than the unencrypted-API one, VGI-HOST-004).",
);

pub const HOST_SWARM: RuleInfo = rule(
    "VGI-HOST-017",
    "Swarm mode enabled",
    Medium,
    Some("5.1"),
    IsolatedNetwork,
    "A swarm node opens the cluster management (2377/tcp), gossip (7946) and overlay (4789/udp) ports and keeps the cluster's certificates and, on managers, its Raft state with every secret: an engine that does not need swarm should not expose any of it.",
    fix(
        "Leave the swarm on engines that do not need it",
        "docker swarm leave (a manager: docker swarm leave --force)",
        "not applicable",
        "not applicable",
    ),
)
.detected(
    "`GET /info` `Swarm.LocalNodeState` is `active` or `pending` (CIS 5.1: swarm mode not enabled if not needed).",
);

/// Every host rule, in id order.
pub const RULES: &[&RuleInfo] = &[
    &HOST_NO_USERNS,
    &HOST_NO_LIVE_RESTORE,
    &HOST_ICC,
    &HOST_TCP_NO_TLS,
    &HOST_INSECURE_REGISTRY,
    &HOST_NO_SECCOMP,
    &HOST_NO_MAC,
    &HOST_ROOTFUL,
    &HOST_CGROUP_V1,
    &HOST_LOGGING,
    &HOST_AUFS,
    &HOST_EXPERIMENTAL,
    &HOST_DEBUG,
    &HOST_NO_AUTHZ,
    &HOST_OLD_ENGINE,
    &HOST_WARNING,
    &HOST_SWARM,
];
