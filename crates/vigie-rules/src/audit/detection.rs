//! What each container and host rule reads, in words, for its docs page
//! (`vigie rules ID`, docs/rules/ID.md). The registry test fails when a rule
//! has no entry here.

/// (rule id, how vigie decides).
pub const DETECTION: &[(&str, &str)] = &[
    ("VGI-CTR-001", "`HostConfig.Privileged` is true. Severity critical."),
    (
        "VGI-CTR-002",
        "A capability in the effective set (Docker's default set + `CapAdd` − `CapDrop`, `ALL` handled as moby does) that is not in Docker's default set; one finding per capability, its severity from vigie's capability table (CAP_SYS_ADMIN, CAP_SYS_MODULE, CAP_SYS_RAWIO, CAP_DAC_READ_SEARCH critical; CAP_NET_ADMIN, CAP_SYS_PTRACE, CAP_BPF… high; others low).",
    ),
    (
        "VGI-CTR-003",
        "`HostConfig.CapDrop` is empty on a non-privileged container: the 14 default capabilities, CAP_NET_RAW included, are all kept.",
    ),
    (
        "VGI-CTR-004",
        "A bind mount (`Mounts[].Type` = bind) whose source is a host system path — `/`, `/etc`, `/root`, `/boot`, `/home`, `/dev`, `/proc`, `/sys`, `/var/lib/docker`, `/var/lib/containerd`, `/var/lib/kubelet`, `/run`, `/var/run`, `/usr`, `/lib`, `/bin`, `/sbin`, `/var/log`, `/etc/shadow`, `/etc/ssh`… or anything under `/proc`, `/sys`, `/boot`, `/root`, `/var/lib/docker` and `/dev` (except `/dev/log`, `/dev/null`…) — mounted writable (`RW` true). Critical for `/`, `/etc`, `/root`, `/proc`, `/sys`, `/dev`, `/var/lib/docker`.",
    ),
    (
        "VGI-CTR-005",
        "The same paths as VGI-CTR-004 mounted read-only (`RW` false): high for `/`, medium for `/etc`, `/root`, `/home`, `/proc`, `/var/lib/docker`…, low for `/usr`, `/boot`, `/sys`. docker-bench-security only reports read-write mounts.",
    ),
    (
        "VGI-CTR-006",
        "A bind mount of a container-engine socket (`docker.sock`, `containerd.sock`, `crio.sock`, `podman.sock`, `dockershim.sock`, `buildkitd.sock`, rootless sockets under `/run/user/`) or of a directory that holds one (`/`, `/run`, `/var/run`, `/run/containerd`, `/run/crio`, `/run/podman`…), read-only or not.",
    ),
    (
        "VGI-CTR-007",
        "`Config.Entrypoint`/`Cmd` runs `sshd`, or the container exposes or publishes port 22. (docker-bench runs `docker exec ps` in running containers only; vigie reads the configuration, so created and stopped containers are covered.)",
    ),
    ("VGI-CTR-008", "A `HostConfig.PortBindings` host port below 1024."),
    (
        "VGI-CTR-009",
        "`HostConfig.PortBindings` is not empty: an inventory of published ports (info).",
    ),
    ("VGI-CTR-010", "`HostConfig.NetworkMode` is `host`."),
    ("VGI-CTR-011", "`HostConfig.Memory` is 0."),
    (
        "VGI-CTR-012",
        "`HostConfig.CpuShares`, `NanoCpus` and `CpuQuota` are 0 and `CpusetCpus` is empty.",
    ),
    ("VGI-CTR-013", "`HostConfig.ReadonlyRootfs` is false."),
    (
        "VGI-CTR-014",
        "A `HostConfig.PortBindings` entry with `HostIp` empty, `0.0.0.0` or `::`.",
    ),
    (
        "VGI-CTR-015",
        "`HostConfig.RestartPolicy` is `on-failure` with `MaximumRetryCount` 0 (unbounded) or above 5.",
    ),
    (
        "VGI-CTR-016",
        "`HostConfig.RestartPolicy.Name` is `always` or `unless-stopped` (docker-bench passes `always`).",
    ),
    ("VGI-CTR-017", "`HostConfig.PidMode` is `host`."),
    ("VGI-CTR-018", "`HostConfig.IpcMode` is `host`."),
    (
        "VGI-CTR-019",
        "`HostConfig.Devices` is not empty; critical for disks and memory devices (`/dev/sd*`, `/dev/nvme*`, `/dev/mapper/*`, `/dev/mem`, `/dev/kmem`, `/dev/port`…), medium otherwise.",
    ),
    (
        "VGI-CTR-020",
        "`HostConfig.DeviceCgroupRules` is not empty; high for wildcard rules (`a …`, `*:*`, block devices).",
    ),
    (
        "VGI-CTR-021",
        "`HostConfig.Ulimits` is empty (info: CIS 5.18 is a manual check).",
    ),
    ("VGI-CTR-022", "A mount with `Propagation` `shared` or `rshared`."),
    ("VGI-CTR-023", "`HostConfig.UTSMode` is `host`."),
    (
        "VGI-CTR-024",
        "`HostConfig.SecurityOpt` has `seccomp=unconfined` (privileged containers are reported by VGI-CTR-001).",
    ),
    (
        "VGI-CTR-025",
        "An exec session of the container (`ExecIDs`, then `GET /exec/ID/json`) has `ProcessConfig.privileged` true.",
    ),
    (
        "VGI-CTR-026",
        "An exec session runs with `ProcessConfig.user` `root` or `0`.",
    ),
    ("VGI-CTR-027", "`HostConfig.CgroupParent` is set (info)."),
    (
        "VGI-CTR-028",
        "`HostConfig.SecurityOpt` lacks `no-new-privileges` (and the daemon does not report applying it to every container).",
    ),
    (
        "VGI-CTR-029",
        "`Config.Healthcheck` is absent (neither the image nor the run set one) or is `[\"NONE\"]` (`--no-healthcheck`).",
    ),
    (
        "VGI-CTR-030",
        "`Config.Image` has no tag or the tag `latest`, and no digest.",
    ),
    ("VGI-CTR-031", "`HostConfig.PidsLimit` is null, 0 or -1."),
    (
        "VGI-CTR-032",
        "`HostConfig.NetworkMode` is `default` or `bridge` and the container is on the `bridge` network.",
    ),
    (
        "VGI-CTR-033",
        "`HostConfig.UsernsMode` is `host`; high when the daemon runs with userns-remap (the container opts out of it).",
    ),
    (
        "VGI-CTR-034",
        "`AppArmorProfile` is `unconfined` (`--security-opt apparmor=unconfined`), or empty on a host whose engine reports AppArmor. Not applicable on hosts without AppArmor.",
    ),
    (
        "VGI-CTR-035",
        "`HostConfig.SecurityOpt` has `label=disable` on a container that is not privileged and shares neither the host PID nor IPC namespace: Docker adds `label=disable` by itself to those, so it is not the user's choice there (and docker-bench's \"security options are set\" test passes them). Low when the host has no SELinux.",
    ),
    (
        "VGI-CTR-036",
        "`HostConfig.SecurityOpt` has `systempaths=unconfined`, or `HostConfig.MaskedPaths` is an empty list on a non-privileged container.",
    ),
    (
        "VGI-CTR-037",
        "`Config.User` is empty (the image's user; vigie does not assume the image sets one), `root`, `0` or `0:…`. Low when the daemon remaps root with userns-remap.",
    ),
    (
        "VGI-CTR-038",
        "An environment variable *name* in `Config.Env` contains PASSWORD, PASSWD, SECRET, TOKEN, API_KEY, PRIVATE_KEY, ACCESS_KEY, CREDENTIAL… (names ending in `_FILE`, `_PATH`, `_DIR` excluded). Values are dropped when the snapshot is built and never stored or printed.",
    ),
    (
        "VGI-CTR-039",
        "`HostConfig.OomKillDisable` is true; high without a memory limit.",
    ),
    (
        "VGI-CTR-040",
        "`HostConfig.CgroupnsMode` is `host` on a non-privileged container; low on cgroup v1 hosts, where it is the daemon's default.",
    ),
    ("VGI-CTR-041", "`HostConfig.LogConfig.Type` is `none`."),
    (
        "VGI-CTR-042",
        "A name in `CapAdd`/`CapDrop` that no Linux capability has (current engines refuse such containers; older ones and hand-written inspect files do not).",
    ),
    ("VGI-HOST-001", "`GET /info` `SecurityOptions` has no `name=userns`."),
    ("VGI-HOST-002", "`GET /info` `LiveRestoreEnabled` is false."),
    (
        "VGI-HOST-003",
        "`GET /networks/bridge` `Options[\"com.docker.network.bridge.enable_icc\"]` is not `false`.",
    ),
    (
        "VGI-HOST-004",
        "vigie reached the engine over `tcp://` without TLS, or `GET /info` `Warnings` says the API is accessible without encryption.",
    ),
    (
        "VGI-HOST-005",
        "`GET /info` `RegistryConfig.InsecureRegistryCIDRs` beyond Docker's loopback default (127.0.0.0/8, ::1/128), or an `IndexConfigs` entry with `Secure` false.",
    ),
    ("VGI-HOST-006", "`GET /info` `SecurityOptions` has no `name=seccomp`."),
    (
        "VGI-HOST-007",
        "`GET /info` `SecurityOptions` has neither `name=apparmor` nor `name=selinux`.",
    ),
    (
        "VGI-HOST-008",
        "`GET /info` `SecurityOptions` has no `name=rootless` (info).",
    ),
    ("VGI-HOST-009", "`GET /info` `CgroupVersion` is 1."),
    ("VGI-HOST-010", "`GET /info` `LoggingDriver` is `none`."),
    ("VGI-HOST-011", "`GET /info` `Driver` is `aufs`."),
    ("VGI-HOST-012", "`GET /info` `ExperimentalBuild` is true."),
    ("VGI-HOST-013", "`GET /info` `Debug` is true."),
    ("VGI-HOST-014", "`GET /info` `Plugins.Authorization` is empty (info)."),
    ("VGI-HOST-015", "`GET /version` `Version` has a major version below 25."),
    (
        "VGI-HOST-016",
        "Each of `GET /info` `Warnings` (other than the unencrypted-API one, VGI-HOST-004).",
    ),
    (
        "VGI-HOST-017",
        "`GET /info` `Swarm.LocalNodeState` is `active` or `pending` (CIS 5.1: swarm mode not enabled if not needed).",
    ),
];
