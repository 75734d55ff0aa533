//! The container rule catalogue (VGI-CTR-*): one constant per rule, ids
//! stable and never reused. CIS ids are those of the CIS Docker Benchmark
//! v1.6.0 (section 5 container runtime, section 4 images).

use crate::finding::RuleInfo;
use crate::finding::{Mitigation, Severity};
use crate::rule_builders::{fix, rule};
use Mitigation::{IsolatedNetwork, NoPrivileged, NonRootUser, RegularScans, UpToDate};
use Severity::{Critical, High, Info, Low, Medium};

pub const CTR_PRIVILEGED: RuleInfo = rule(
    "VGI-CTR-001",
    "Privileged container",
    Critical,
    Some("5.5"),
    NoPrivileged,
    "--privileged gives the container every capability, every host device, no seccomp or AppArmor confinement and writable /sys: mounting the host's disk or a cgroup release_agent escapes it in one command (lab §2.1).",
    fix(
        "Run without --privileged; add only the capabilities and devices the workload needs",
        "remove --privileged (use --cap-add=NAME / --device=PATH for the one thing needed)",
        "privileged: false",
        "securityContext.privileged: false",
    ),
);

pub const CTR_DANGEROUS_CAP: RuleInfo = rule(
    "VGI-CTR-002",
    "Dangerous capability added",
    High,
    Some("5.4"),
    NoPrivileged,
    "Capabilities beyond Docker's default set give root in the container kernel powers that lead out of it (CAP_SYS_ADMIN mounts, CAP_SYS_MODULE loads modules, CAP_DAC_READ_SEARCH opens host files by handle…). The lab's --cap-add=SYS_ADMIN shows up as CapEff a82425fb.",
    fix(
        "Remove the capability; if one operation needs it, find a narrower one or move that step out of the container",
        "remove --cap-add=NAME",
        "remove the entry from cap_add",
        "securityContext.capabilities.add: remove the entry",
    ),
);

pub const CTR_DEFAULT_CAPS: RuleInfo = rule(
    "VGI-CTR-003",
    "Default capabilities not dropped",
    Low,
    Some("5.4"),
    NoPrivileged,
    "Docker's default set keeps 14 capabilities most services never use; CAP_NET_RAW among them allows ARP and DNS spoofing of neighbours on the same bridge. Dropping all and adding back the few needed shrinks what an intruder can do as root.",
    fix(
        "Drop every capability, then add back only what the service needs",
        "--cap-drop=ALL --cap-add=NET_BIND_SERVICE",
        "cap_drop: [ALL]",
        "securityContext.capabilities.drop: [\"ALL\"]",
    ),
);

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
);

pub const CTR_SSHD: RuleInfo = rule(
    "VGI-CTR-007",
    "SSH daemon in the container",
    Medium,
    Some("5.7"),
    IsolatedNetwork,
    "An SSH server adds a remotely reachable login, its own keys and its own patching burden to every container; docker exec already gives operators a shell.",
    fix(
        "Remove sshd from the image and use docker exec for access",
        "run the service itself, not /usr/sbin/sshd; do not publish port 22",
        "command: the service itself; ports: remove 22",
        "containers[].command: the service itself; use kubectl exec",
    ),
);

pub const CTR_PRIVILEGED_PORT: RuleInfo = rule(
    "VGI-CTR-008",
    "Privileged host port published",
    Low,
    Some("5.8"),
    IsolatedNetwork,
    "Host ports below 1024 are reserved for system services; publishing a container there can impersonate or shadow one (SSH, DNS, SMTP) and usually means the service is exposed more than intended.",
    fix(
        "Publish on a port at or above 1024 and let a reverse proxy own the low port",
        "-p 8080:80 instead of -p 80:80",
        "ports: [\"8080:80\"]",
        "Service.spec.ports[].port >= 1024 (or an Ingress)",
    ),
);

pub const CTR_PORTS_PUBLISHED: RuleInfo = rule(
    "VGI-CTR-009",
    "Ports published on the host",
    Info,
    Some("5.9"),
    IsolatedNetwork,
    "Every published port is an entry point from outside the host; check that each one is needed (an inventory, not a fault).",
    fix(
        "Publish only the ports clients must reach; keep internal services on a user-defined network",
        "remove -p for ports no outside client needs",
        "ports: keep only what clients need (use expose for internal ports)",
        "Service of type ClusterIP for internal ports",
    ),
);

pub const CTR_HOST_NETWORK: RuleInfo = rule(
    "VGI-CTR-010",
    "Host network namespace shared",
    High,
    Some("5.10"),
    IsolatedNetwork,
    "--network host puts the container on every host interface: it reaches services bound to localhost (the Docker API on tcp://127.0.0.1, metadata endpoints, databases), sniffs traffic with CAP_NET_RAW and is not isolated by any Docker network (lab §2.4).",
    fix(
        "Use a user-defined bridge network and publish only the needed ports",
        "remove --network host; use --network APP_NET -p HOST:CONTAINER",
        "network_mode: remove \"host\"; networks: [app]",
        "spec.hostNetwork: false",
    ),
);

pub const CTR_NO_MEMORY_LIMIT: RuleInfo = rule(
    "VGI-CTR-011",
    "No memory limit",
    Medium,
    Some("5.11"),
    NoPrivileged,
    "Without a memory limit one container can exhaust the host's memory and get other containers or host services killed by the OOM killer.",
    fix(
        "Set a memory limit sized to the workload",
        "--memory=512m",
        "deploy.resources.limits.memory: 512M (or mem_limit: 512m)",
        "resources.limits.memory: 512Mi",
    ),
);

pub const CTR_NO_CPU_LIMIT: RuleInfo = rule(
    "VGI-CTR-012",
    "No CPU limit or priority",
    Low,
    Some("5.12"),
    NoPrivileged,
    "Without CPU shares, quota or --cpus, a busy or hijacked container (a crypto miner) starves every other workload on the host.",
    fix(
        "Give the container a CPU limit",
        "--cpus=1 (or --cpu-shares=512)",
        "deploy.resources.limits.cpus: \"1.0\" (or cpus: 1.0)",
        "resources.limits.cpu: \"1\"",
    ),
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
);

pub const CTR_PORT_ALL_INTERFACES: RuleInfo = rule(
    "VGI-CTR-014",
    "Port published on every host interface",
    Medium,
    Some("5.14"),
    IsolatedNetwork,
    "-p 8080:80 binds 0.0.0.0 (and ::): the port is reachable from every network the host is on, and Docker's iptables rules bypass host firewalls such as ufw.",
    fix(
        "Bind published ports to the one interface that must receive traffic",
        "-p 127.0.0.1:8080:80",
        "ports: [\"127.0.0.1:8080:80\"]",
        "Service.spec.type: ClusterIP (or restrict with NetworkPolicy / loadBalancerSourceRanges)",
    ),
);

pub const CTR_RESTART_RETRIES: RuleInfo = rule(
    "VGI-CTR-015",
    "on-failure restart without a retry bound",
    Low,
    Some("5.15"),
    NoPrivileged,
    "A container that crashes in a loop and restarts forever burns CPU and fills logs; a bound of 5 retries surfaces the fault instead of hiding it.",
    fix(
        "Bound the retries",
        "--restart=on-failure:5",
        "restart: on-failure:5 (or deploy.restart_policy.max_attempts: 5)",
        "Pod restartPolicy: OnFailure with a Job backoffLimit: 5",
    ),
);

pub const CTR_RESTART_ALWAYS: RuleInfo = rule(
    "VGI-CTR-016",
    "Restart policy always or unless-stopped",
    Low,
    Some("5.15"),
    NoPrivileged,
    "always and unless-stopped restart without bound, also after a crash loop that an attacker can trigger; CIS asks for on-failure with at most 5 retries (docker-bench wrongly passes always).",
    fix(
        "Use a bounded on-failure policy",
        "--restart=on-failure:5",
        "restart: on-failure:5",
        "restartPolicy: OnFailure (Jobs: backoffLimit: 5)",
    ),
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
);

pub const CTR_ULIMITS_DEFAULT: RuleInfo = rule(
    "VGI-CTR-021",
    "Default ulimits not overridden",
    Info,
    Some("5.19"),
    NoPrivileged,
    "The container inherits the daemon's ulimits (open files, processes); set them per container when the daemon defaults are too generous for the workload.",
    fix(
        "Set per-container ulimits where the daemon's defaults are not appropriate",
        "--ulimit nofile=1024:2048",
        "ulimits: { nofile: { soft: 1024, hard: 2048 } }",
        "no per-pod ulimit field: set them in the container runtime configuration",
    ),
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
);

pub const CTR_SECCOMP_DISABLED: RuleInfo = rule(
    "VGI-CTR-024",
    "Seccomp disabled",
    High,
    Some("5.22"),
    NoPrivileged,
    "seccomp=unconfined exposes the whole system-call surface of the host kernel (keyctl, bpf, userfaultfd, unshare…): most container-escape kernel exploits need a call the default profile blocks.",
    fix(
        "Keep Docker's default seccomp profile (or a stricter custom one)",
        "remove --security-opt seccomp=unconfined",
        "security_opt: remove seccomp:unconfined",
        "securityContext.seccompProfile.type: RuntimeDefault",
    ),
);

pub const CTR_EXEC_PRIVILEGED: RuleInfo = rule(
    "VGI-CTR-025",
    "Privileged docker exec session",
    High,
    Some("5.23"),
    NoPrivileged,
    "docker exec --privileged runs a process with every capability and no confinement inside an otherwise confined container.",
    fix(
        "Do not use docker exec --privileged; debug with the container's own privileges",
        "docker exec without --privileged",
        "docker compose exec without --privileged",
        "kubectl debug with a restricted profile",
    ),
);

pub const CTR_EXEC_ROOT: RuleInfo = rule(
    "VGI-CTR-026",
    "docker exec session as root",
    Medium,
    Some("5.24"),
    NonRootUser,
    "docker exec --user root gives a root shell in a container that was built to run as another user, undoing that protection.",
    fix(
        "Exec as the container's own user",
        "docker exec without --user root (or --user APPUSER)",
        "docker compose exec --user APPUSER",
        "kubectl exec runs as the container's runAsUser",
    ),
);

pub const CTR_CGROUP_PARENT: RuleInfo = rule(
    "VGI-CTR-027",
    "Custom cgroup parent",
    Info,
    Some("5.25"),
    NoPrivileged,
    "A custom --cgroup-parent places the container outside Docker's cgroup tree, where the daemon's limits and accounting may not apply; confirm it is intended.",
    fix(
        "Use the default cgroup parent unless a resource policy requires another",
        "remove --cgroup-parent",
        "cgroup_parent: remove",
        "no field: the kubelet manages the cgroup tree",
    ),
);

pub const CTR_NO_NEW_PRIVILEGES: RuleInfo = rule(
    "VGI-CTR-028",
    "no-new-privileges not set",
    Medium,
    Some("5.26"),
    NonRootUser,
    "Without no-new-privileges a process can regain privileges through setuid-root or file-capability binaries in the image (su, ping, custom binaries): a non-root user becomes root.",
    fix(
        "Forbid privilege gain through execve",
        "--security-opt no-new-privileges",
        "security_opt: [\"no-new-privileges:true\"]",
        "securityContext.allowPrivilegeEscalation: false",
    ),
);

pub const CTR_NO_HEALTHCHECK: RuleInfo = rule(
    "VGI-CTR-029",
    "No health check",
    Low,
    Some("5.27"),
    UpToDate,
    "Without a health check a hung or compromised service keeps running as 'Up': orchestrators and operators cannot notice and replace it.",
    fix(
        "Declare a health check in the image or at run time",
        "--health-cmd='wget -qO- http://localhost:8080/health || exit 1' --health-interval=30s",
        "healthcheck: { test: [\"CMD\", \"/healthcheck\"], interval: 30s }",
        "livenessProbe / readinessProbe",
    ),
);

pub const CTR_MUTABLE_IMAGE: RuleInfo = rule(
    "VGI-CTR-030",
    "Image referenced by a mutable tag",
    Low,
    Some("5.28"),
    UpToDate,
    "A container created from 'latest' (or an untagged name) runs whatever that tag pointed to at pull time: nobody can tell which fixes it has, and re-creating it silently changes software.",
    fix(
        "Reference a versioned tag, ideally pinned by digest, and rebuild on updates",
        "docker run IMAGE:1.2.3@sha256:…",
        "image: IMAGE:1.2.3@sha256:…",
        "containers[].image: IMAGE:1.2.3@sha256:… with imagePullPolicy: IfNotPresent",
    ),
);

pub const CTR_NO_PIDS_LIMIT: RuleInfo = rule(
    "VGI-CTR-031",
    "No PIDs limit",
    Medium,
    Some("5.29"),
    NoPrivileged,
    "Without a PIDs limit a fork bomb in one container exhausts the host's process table and takes every other service down.",
    fix(
        "Limit the number of processes",
        "--pids-limit=200",
        "pids_limit: 200 (or deploy.resources.limits.pids: 200)",
        "kubelet podPidsLimit (node configuration)",
    ),
);

pub const CTR_DEFAULT_BRIDGE: RuleInfo = rule(
    "VGI-CTR-032",
    "Attached to the default bridge",
    Low,
    Some("5.30"),
    IsolatedNetwork,
    "Every container on docker0 can reach every other one (inter-container communication is on by default) and ARP-spoof them with CAP_NET_RAW; user-defined networks isolate applications from each other (lab §2.4).",
    fix(
        "Put each application on its own user-defined network",
        "docker network create app && docker run --network app …",
        "networks: [app] (Compose creates a project network by default)",
        "NetworkPolicy restricting ingress and egress",
    ),
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
);

pub const CTR_APPARMOR: RuleInfo = rule(
    "VGI-CTR-034",
    "No AppArmor confinement",
    Medium,
    Some("5.2"),
    NoPrivileged,
    "On an AppArmor host, Docker's docker-default profile denies writes to /proc and /sys and mounts; apparmor=unconfined (or a container created without a profile) loses that layer.",
    fix(
        "Run with docker-default or a stricter AppArmor profile",
        "remove --security-opt apparmor=unconfined (or --security-opt apparmor=PROFILE)",
        "security_opt: [\"apparmor:docker-default\"]",
        "securityContext.appArmorProfile.type: RuntimeDefault",
    ),
);

pub const CTR_SELINUX_DISABLED: RuleInfo = rule(
    "VGI-CTR-035",
    "SELinux labelling disabled",
    Medium,
    Some("5.3"),
    NoPrivileged,
    "label=disable runs the container unconfined by SELinux: on an SELinux host it may then read and write any file it can reach. Docker also adds label=disable by itself to privileged, --pid host and --ipc host containers, which is why 'security options are set' (docker-bench's test) proves nothing.",
    fix(
        "Keep SELinux labelling (or give a specific label)",
        "remove --security-opt label=disable (or --security-opt label=type:TYPE)",
        "security_opt: remove label:disable",
        "securityContext.seLinuxOptions with a confined type",
    ),
);

pub const CTR_SYSTEMPATHS: RuleInfo = rule(
    "VGI-CTR-036",
    "System paths unmasked",
    High,
    None,
    NoPrivileged,
    "systempaths=unconfined removes the masks and read-only mounts over /proc/kcore, /proc/keys, /proc/sys, /sys/firmware…: the container reads kernel memory maps and writes kernel tunables such as /proc/sys/kernel/core_pattern, a known escape.",
    fix(
        "Keep Docker's masked and read-only system paths",
        "remove --security-opt systempaths=unconfined",
        "security_opt: remove systempaths=unconfined",
        "securityContext.procMount: Default",
    ),
);

pub const CTR_ROOT_USER: RuleInfo = rule(
    "VGI-CTR-037",
    "Runs as root",
    Medium,
    Some("4.1"),
    NonRootUser,
    "Root in the container is root on the host kernel (uid 0) unless user namespaces remap it: every escape or writable host mount then acts as host root. The lab's USER appuser fixes this in the image.",
    fix(
        "Run as an unprivileged user: USER in the Dockerfile, or at run time",
        "--user 1000:1000",
        "user: \"1000:1000\"",
        "securityContext.runAsNonRoot: true, runAsUser: 1000",
    ),
);

pub const CTR_SECRET_ENV: RuleInfo = rule(
    "VGI-CTR-038",
    "Secret-looking environment variable",
    Medium,
    Some("4.10"),
    RegularScans,
    "Environment variables are visible to anyone who can run docker inspect, to every process in the container, to child processes and to crash reporters; secrets belong in files mounted with restricted permissions (vigie shows the name only, never the value).",
    fix(
        "Pass secrets as files (Docker/Compose secrets, Kubernetes Secret volumes), not environment variables",
        "--mount type=bind,src=./secret,dst=/run/secrets/NAME,ro (or docker secret)",
        "secrets: [NAME] with the service reading /run/secrets/NAME",
        "volumes: secret (not env valueFrom.secretKeyRef)",
    ),
);

pub const CTR_OOM_KILL_DISABLED: RuleInfo = rule(
    "VGI-CTR-039",
    "OOM killer disabled",
    Medium,
    None,
    NoPrivileged,
    "--oom-kill-disable keeps the container alive when it runs out of memory; without a memory limit the kernel must kill host processes instead.",
    fix(
        "Leave the OOM killer enabled (and set a memory limit)",
        "remove --oom-kill-disable",
        "oom_kill_disable: false",
        "no field: the kubelet never disables the OOM killer",
    ),
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
);

pub const CTR_NO_LOGGING: RuleInfo = rule(
    "VGI-CTR-041",
    "Container logging disabled",
    Low,
    None,
    UpToDate,
    "With the none log driver nothing the container prints is kept: an intrusion leaves no trace to investigate.",
    fix(
        "Use a log driver that keeps or ships logs",
        "--log-driver=local (or json-file, journald, syslog)",
        "logging: { driver: local }",
        "no field: the kubelet collects container logs",
    ),
);

pub const CTR_UNKNOWN_CAP: RuleInfo = rule(
    "VGI-CTR-042",
    "Unknown capability name",
    Info,
    None,
    NoPrivileged,
    "A name in --cap-add/--cap-drop that no Linux capability has is ignored or rejected by the runtime: the configuration does not do what its author thinks.",
    fix(
        "Fix the capability name (see vigie caps --list)",
        "--cap-add=NET_BIND_SERVICE (valid names only)",
        "cap_add: valid names only",
        "securityContext.capabilities: valid names only",
    ),
);
