//! The `vigie inside` rule catalogue. Ids are stable and never reused; each
//! has a page under docs/rules/.

use crate::finding::{Mitigation, RuleInfo, Severity, StaticFix};

pub const FULL_CAPS: RuleInfo = RuleInfo {
    id: "VGI-INS-001",
    title: "Full capability set (privileged)",
    severity: Severity::Critical,
    cis: Some("5.5"),
    mitigation: Mitigation::NoPrivileged,
    rationale: "Every capability of the kernel is effective: root in this container can mount host disks, load \
kernel modules and reach the host in many ways; this is what --privileged or --cap-add ALL gives.",
    fix: StaticFix {
        summary: "Run without --privileged and without --cap-add ALL; add back only the capabilities the workload needs",
        docker_run: Some("remove --privileged / --cap-add ALL; use --cap-drop ALL --cap-add <needed>"),
        compose: Some("privileged: false; cap_drop: [ALL]; cap_add: [<needed>]"),
        kubernetes: Some("securityContext.privileged: false; securityContext.capabilities.drop: [ALL]"),
    },
    detection: "",
};

pub const DANGEROUS_CAP: RuleInfo = RuleInfo {
    id: "VGI-INS-002",
    title: "Dangerous capability effective",
    severity: Severity::High,
    cis: Some("5.4"),
    mitigation: Mitigation::NoPrivileged,
    rationale: "A capability in the effective set gives root in the container a kernel privilege that can be \
turned against the host or its neighbours.",
    fix: StaticFix {
        summary: "Drop the capability (or drop ALL and add back only what is needed)",
        docker_run: Some("--cap-drop <CAP> (or --cap-drop ALL --cap-add <needed>)"),
        compose: Some("cap_drop: [<CAP>]"),
        kubernetes: Some("securityContext.capabilities.drop: [<CAP>]"),
    },
    detection: "",
};

pub const SECCOMP_DISABLED: RuleInfo = RuleInfo {
    id: "VGI-INS-003",
    title: "Seccomp disabled",
    severity: Severity::High,
    cis: Some("5.22"),
    mitigation: Mitigation::NoPrivileged,
    rationale: "Without a seccomp filter every system call reaches the kernel, including those Docker's default \
profile blocks (mount, keyctl, bpf, unshare, open_by_handle_at…) that most container escapes use.",
    fix: StaticFix {
        summary: "Keep Docker's default seccomp profile (or a stricter custom one)",
        docker_run: Some("remove --security-opt seccomp=unconfined"),
        compose: Some("remove security_opt: [\"seccomp:unconfined\"]"),
        kubernetes: Some("securityContext.seccompProfile.type: RuntimeDefault"),
    },
    detection: "",
};

pub const NO_NEW_PRIVS: RuleInfo = RuleInfo {
    id: "VGI-INS-004",
    title: "Privilege escalation through execve allowed (NoNewPrivs 0)",
    severity: Severity::Medium,
    cis: Some("5.26"),
    mitigation: Mitigation::NonRootUser,
    rationale: "With NoNewPrivs 0 a setuid-root or file-capability binary in the image raises the privileges of \
whoever runs it: a non-root user can become root inside the container.",
    fix: StaticFix {
        summary: "Set no-new-privileges",
        docker_run: Some("--security-opt no-new-privileges"),
        compose: Some("security_opt: [\"no-new-privileges:true\"]"),
        kubernetes: Some("securityContext.allowPrivilegeEscalation: false"),
    },
    detection: "",
};

pub const ROOT_USER: RuleInfo = RuleInfo {
    id: "VGI-INS-005",
    title: "Running as root without a user namespace",
    severity: Severity::Medium,
    cis: Some("4.1"),
    mitigation: Mitigation::NonRootUser,
    rationale: "uid 0 here is uid 0 on the host: any file or device that leaks into the container (a mount, a \
socket, a kernel bug) is reached with root's rights.",
    fix: StaticFix {
        summary: "Run as a non-root user, or enable user-namespace remapping on the daemon",
        docker_run: Some("--user 1000:1000 (or USER in the Dockerfile)"),
        compose: Some("user: \"1000:1000\""),
        kubernetes: Some("securityContext.runAsNonRoot: true; securityContext.runAsUser: 1000"),
    },
    detection: "",
};

pub const LSM_UNCONFINED: RuleInfo = RuleInfo {
    id: "VGI-INS-006",
    title: "No AppArmor/SELinux confinement",
    severity: Severity::Medium,
    cis: Some("5.2"),
    mitigation: Mitigation::NoPrivileged,
    rationale: "The host has a Linux security module but this process runs unconfined: the profile that would \
deny mount, writes to /proc and /sys, and raw device access is not applied.",
    fix: StaticFix {
        summary: "Keep the engine's default profile (docker-default) or a custom one",
        docker_run: Some("remove --security-opt apparmor=unconfined / label=disable"),
        compose: Some("remove security_opt: [\"apparmor:unconfined\"]"),
        kubernetes: Some("securityContext.appArmorProfile.type: RuntimeDefault"),
    },
    detection: "",
};

pub const BLOCK_DEVICES: RuleInfo = RuleInfo {
    id: "VGI-INS-007",
    title: "Host devices visible in /dev",
    severity: Severity::High,
    cis: Some("5.18"),
    mitigation: Mitigation::NoPrivileged,
    rationale: "A host block or memory device in /dev lets root in the container read and write the host's disks \
(mount /dev/vda and edit the host) or memory, bypassing every file permission.",
    fix: StaticFix {
        summary: "Do not pass host devices; never use --privileged",
        docker_run: Some("remove --device and --privileged"),
        compose: Some("remove devices: and privileged: true"),
        kubernetes: Some("do not mount hostPath devices; securityContext.privileged: false"),
    },
    detection: "",
};

pub const WRITABLE_SYSTEM_PATHS: RuleInfo = RuleInfo {
    id: "VGI-INS-008",
    title: "Kernel interfaces writable (/sys, /proc/sys, /proc/sysrq-trigger…)",
    severity: Severity::High,
    cis: Some("5.13"),
    mitigation: Mitigation::NoPrivileged,
    rationale: "Docker mounts /sys and /proc/sys read-only; writable, they let root change host kernel settings \
(core_pattern, sysrq, uevent_helper…), several of which execute a program on the host.",
    fix: StaticFix {
        summary: "Keep the engine's read-only system paths",
        docker_run: Some("remove --privileged and --security-opt systempaths=unconfined"),
        compose: Some("remove privileged: true and security_opt: [\"systempaths=unconfined\"]"),
        kubernetes: Some("securityContext.procMount: Default; securityContext.privileged: false"),
    },
    detection: "",
};

pub const UNMASKED_PROC: RuleInfo = RuleInfo {
    id: "VGI-INS-009",
    title: "Masked /proc and /sys paths are visible",
    severity: Severity::Medium,
    cis: None,
    mitigation: Mitigation::NoPrivileged,
    rationale: "Docker hides /proc/kcore, /proc/keys, /proc/timer_list, /sys/firmware and others because they leak \
host kernel memory, keys and addresses; here they are not masked.",
    fix: StaticFix {
        summary: "Keep the engine's masked paths",
        docker_run: Some("remove --security-opt systempaths=unconfined and --privileged"),
        compose: Some("remove security_opt: [\"systempaths=unconfined\"]"),
        kubernetes: Some("securityContext.procMount: Default"),
    },
    detection: "",
};

pub const HOST_ROOT_MOUNT: RuleInfo = RuleInfo {
    id: "VGI-INS-010",
    title: "Host root filesystem mounted",
    severity: Severity::Critical,
    cis: Some("5.6"),
    mitigation: Mitigation::NoPrivileged,
    rationale: "The host's / is mounted in the container: its /etc, /root, the docker socket and every secret on \
the host are readable, and writable unless mounted read-only (the lab's -v /:/mnt).",
    fix: StaticFix {
        summary: "Never mount the host's root; mount only the directory the workload needs, read-only",
        docker_run: Some("replace -v /:/mnt with -v /srv/app-data:/data:ro"),
        compose: Some("volumes: [\"/srv/app-data:/data:ro\"]"),
        kubernetes: Some("no hostPath volume with path: /"),
    },
    detection: "",
};

pub const SENSITIVE_MOUNT: RuleInfo = RuleInfo {
    id: "VGI-INS-011",
    title: "Sensitive host path mounted",
    severity: Severity::High,
    cis: Some("5.6"),
    mitigation: Mitigation::NoPrivileged,
    rationale: "A host system directory (/etc, /root, /var/lib/docker, /proc, /sys, /dev, /boot…) is mounted: \
read access leaks secrets, write access changes the host. Read-only lowers the risk but does not remove it.",
    fix: StaticFix {
        summary: "Remove the mount, or mount a narrower path read-only",
        docker_run: Some("remove -v <host path>:…"),
        compose: Some("remove the volume entry for <host path>"),
        kubernetes: Some("remove the hostPath volume"),
    },
    detection: "",
};

pub const ENGINE_SOCKET: RuleInfo = RuleInfo {
    id: "VGI-INS-012",
    title: "Container engine socket reachable",
    severity: Severity::Critical,
    cis: Some("5.32"),
    mitigation: Mitigation::NoPrivileged,
    rationale: "Whoever can connect to the docker/containerd/cri-o/podman socket can start a privileged container \
that mounts the host's root: it is root on the host, read-only mount or not.",
    fix: StaticFix {
        summary: "Do not mount the engine socket; use a narrowly scoped API proxy if the workload truly needs it",
        docker_run: Some("remove -v /var/run/docker.sock:/var/run/docker.sock"),
        compose: Some("remove the volume /var/run/docker.sock"),
        kubernetes: Some("no hostPath volume for /var/run/docker.sock or /run/containerd/containerd.sock"),
    },
    detection: "",
};

pub const HOST_PID: RuleInfo = RuleInfo {
    id: "VGI-INS-013",
    title: "Host PID namespace shared",
    severity: Severity::High,
    cis: Some("5.16"),
    mitigation: Mitigation::NoPrivileged,
    rationale: "Every host process is visible (their command lines and environments often carry secrets) and, \
with enough capabilities, can be signalled or traced.",
    fix: StaticFix {
        summary: "Do not share the host's PID namespace",
        docker_run: Some("remove --pid host"),
        compose: Some("remove pid: host"),
        kubernetes: Some("spec.hostPID: false"),
    },
    detection: "",
};

pub const HOST_NETWORK: RuleInfo = RuleInfo {
    id: "VGI-INS-014",
    title: "Host network namespace shared",
    severity: Severity::High,
    cis: Some("5.10"),
    mitigation: Mitigation::IsolatedNetwork,
    rationale: "The container sees and binds the host's interfaces, reaches services listening on the host's \
loopback (often unauthenticated), and can sniff host traffic with NET_RAW.",
    fix: StaticFix {
        summary: "Use a user-defined bridge network (or none)",
        docker_run: Some("replace --network host with --network <app-net>"),
        compose: Some("remove network_mode: host"),
        kubernetes: Some("spec.hostNetwork: false"),
    },
    detection: "",
};

pub const RELEASE_AGENT: RuleInfo = RuleInfo {
    id: "VGI-INS-015",
    title: "cgroup v1 release_agent escape preconditions met",
    severity: Severity::Critical,
    cis: None,
    mitigation: Mitigation::NoPrivileged,
    rationale: "cgroup v1 is in use, CAP_SYS_ADMIN is effective and no AppArmor/SELinux profile denies mount: root \
here can mount a cgroup v1 hierarchy, set release_agent and have the host kernel run a program as host root \
(CVE-2022-0492 class). vigie checked the preconditions only; it did not try.",
    fix: StaticFix {
        summary: "Drop CAP_SYS_ADMIN; keep seccomp and AppArmor; prefer cgroup v2 hosts",
        docker_run: Some("remove --cap-add SYS_ADMIN / --privileged"),
        compose: Some("remove cap_add: [SYS_ADMIN]"),
        kubernetes: Some("securityContext.capabilities.drop: [ALL]"),
    },
    detection: "",
};

pub const MODULE_LOADING: RuleInfo = RuleInfo {
    id: "VGI-INS-016",
    title: "Kernel module loading possible",
    severity: Severity::Critical,
    cis: None,
    mitigation: Mitigation::NoPrivileged,
    rationale: "CAP_SYS_MODULE is effective and the kernel still accepts modules: a module is arbitrary code in \
the host kernel.",
    fix: StaticFix {
        summary: "Drop CAP_SYS_MODULE; on the host set kernel.modules_disabled=1 after boot where possible",
        docker_run: Some("remove --cap-add SYS_MODULE / --privileged"),
        compose: Some("remove cap_add: [SYS_MODULE]"),
        kubernetes: Some("securityContext.capabilities.drop: [ALL]"),
    },
    detection: "",
};

pub const OPEN_BY_HANDLE: RuleInfo = RuleInfo {
    id: "VGI-INS-017",
    title: "open_by_handle_at reachable (shocker)",
    severity: Severity::Critical,
    cis: None,
    mitigation: Mitigation::NoPrivileged,
    rationale: "CAP_DAC_READ_SEARCH is effective: open_by_handle_at(2) opens files by inode handle on any mounted \
host filesystem, outside the container's root (the 2014 'shocker' escape reads /etc/shadow of the host).",
    fix: StaticFix {
        summary: "Drop CAP_DAC_READ_SEARCH",
        docker_run: Some("remove --cap-add DAC_READ_SEARCH"),
        compose: Some("remove cap_add: [DAC_READ_SEARCH]"),
        kubernetes: Some("securityContext.capabilities.drop: [ALL]"),
    },
    detection: "",
};

pub const PTRACE_REACH: RuleInfo = RuleInfo {
    id: "VGI-INS-018",
    title: "Other processes can be traced (CAP_SYS_PTRACE)",
    severity: Severity::High,
    cis: None,
    mitigation: Mitigation::NoPrivileged,
    rationale: "CAP_SYS_PTRACE lets root here read and inject code into processes it can see; with the host PID \
namespace that is every host process, a direct escape.",
    fix: StaticFix {
        summary: "Drop CAP_SYS_PTRACE (and do not share the host PID namespace)",
        docker_run: Some("remove --cap-add SYS_PTRACE and --pid host"),
        compose: Some("remove cap_add: [SYS_PTRACE] and pid: host"),
        kubernetes: Some("securityContext.capabilities.drop: [ALL]; spec.hostPID: false"),
    },
    detection: "",
};

pub const WRITABLE_ROOTFS: RuleInfo = RuleInfo {
    id: "VGI-INS-019",
    title: "Root filesystem writable",
    severity: Severity::Low,
    cis: Some("5.13"),
    mitigation: Mitigation::NoPrivileged,
    rationale: "An attacker can drop tools and persist changes in the container's filesystem; a read-only root \
makes the container immutable.",
    fix: StaticFix {
        summary: "Mount the root filesystem read-only, with tmpfs for the paths that must be written",
        docker_run: Some("--read-only --tmpfs /tmp"),
        compose: Some("read_only: true"),
        kubernetes: Some("securityContext.readOnlyRootFilesystem: true"),
    },
    detection: "",
};

pub const SERVICE_ACCOUNT: RuleInfo = RuleInfo {
    id: "VGI-INS-020",
    title: "Kubernetes service-account token mounted",
    severity: Severity::Medium,
    cis: None,
    mitigation: Mitigation::IsolatedNetwork,
    rationale: "The pod's service-account token lets code here talk to the Kubernetes API with the pod's rights.",
    fix: StaticFix {
        summary: "Disable token automounting unless the workload calls the API",
        docker_run: None,
        compose: None,
        kubernetes: Some("spec.automountServiceAccountToken: false"),
    },
    detection: "",
};

pub const NOT_IN_CONTAINER: RuleInfo = RuleInfo {
    id: "VGI-INS-021",
    title: "Not running in a container",
    severity: Severity::Info,
    cis: None,
    mitigation: Mitigation::NoPrivileged,
    rationale: "No container signs were found (/.dockerenv, /run/.containerenv, container cgroups, an overlay \
root): the checks that only make sense inside a container were skipped.",
    fix: StaticFix {
        summary: "Run vigie inside the container to audit it: docker run --rm -v $PWD/vigie:/vigie:ro IMAGE /vigie inside",
        docker_run: None,
        compose: None,
        kubernetes: None,
    },
    detection: "",
};

pub fn catalogue() -> &'static [RuleInfo] {
    &[
        FULL_CAPS,
        DANGEROUS_CAP,
        SECCOMP_DISABLED,
        NO_NEW_PRIVS,
        ROOT_USER,
        LSM_UNCONFINED,
        BLOCK_DEVICES,
        WRITABLE_SYSTEM_PATHS,
        UNMASKED_PROC,
        HOST_ROOT_MOUNT,
        SENSITIVE_MOUNT,
        ENGINE_SOCKET,
        HOST_PID,
        HOST_NETWORK,
        RELEASE_AGENT,
        MODULE_LOADING,
        OPEN_BY_HANDLE,
        PTRACE_REACH,
        WRITABLE_ROOTFS,
        SERVICE_ACCOUNT,
        NOT_IN_CONTAINER,
    ]
}
