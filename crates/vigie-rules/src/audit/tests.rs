use super::*;
use crate::container::*;
use crate::finding::{Finding, Severity};
use std::collections::BTreeSet;
use vigie_snapshot::{ContainerSnapshot, HostSnapshot};
use vigie_snapshot::{Device, ExecSession, Mount, PublishedPort};

fn hardened() -> ContainerSnapshot {
    let mut c = ContainerSnapshot {
        name: "good".into(),
        state: "created".into(),
        image: "alpine:3.10".into(),
        user: "1000:1000".into(),
        read_only_rootfs: true,
        log_driver: "json-file".into(),
        ..Default::default()
    };
    c.capabilities.drop = vec!["ALL".into()];
    c.capabilities.add = vec!["NET_BIND_SERVICE".into()];
    c.capabilities.effective = vec!["CAP_NET_BIND_SERVICE".into()];
    c.namespaces.pid = "private".into();
    c.namespaces.ipc = "private".into();
    c.namespaces.uts = "private".into();
    c.namespaces.network = "app".into();
    c.networks = vec!["app".into()];
    c.namespaces.cgroup = "private".into();
    c.security.seccomp = "default".into();
    c.security.no_new_privileges = true;
    c.limits.memory = 256 << 20;
    c.limits.nano_cpus = 1_000_000_000;
    c.limits.pids_limit = Some(100);
    c.limits.ulimits = vec![vigie_snapshot::Ulimit {
        name: "nofile".into(),
        soft: 1024,
        hard: 1024,
    }];
    c.restart_policy.name = "on-failure".into();
    c.restart_policy.max_retries = 5;
    c.health_check.kind = "cmd".into();
    c
}

fn ids(findings: &[Finding]) -> BTreeSet<String> {
    findings.iter().map(|f| f.rule_id.clone()).collect()
}

fn fires(c: &ContainerSnapshot, id: &str) -> bool {
    audit_container(c, &HostContext::unknown())
        .iter()
        .any(|f| f.rule_id == id)
}

#[test]
fn catalogue_is_well_formed() {
    let mut seen = BTreeSet::new();
    for r in catalogue() {
        assert!(seen.insert(r.id), "duplicate id {}", r.id);
        let ok = (r.id.starts_with("VGI-CTR-") || r.id.starts_with("VGI-HOST-"))
            && r.id
                .rsplit('-')
                .next()
                .is_some_and(|n| n.len() == 3 && n.bytes().all(|b| b.is_ascii_digit()));
        assert!(ok, "bad id {}", r.id);
        assert!(
            r.fix.docker_run.is_some() && r.fix.compose.is_some() && r.fix.kubernetes.is_some(),
            "{}",
            r.id
        );
        assert!(!r.rationale.is_empty() && !r.title.is_empty());
    }
    // CIS Docker Benchmark v1.6.0 section 5 (docker-bench-security 1.6.0's numbering: 5.1 swarm mode,
    // 5.32 the Docker socket): every item 5.1–5.32 has a rule.
    let cis: BTreeSet<&str> = catalogue().iter().filter_map(|r| r.cis).collect();
    for n in 1..=32 {
        let id = format!("5.{n}");
        assert!(cis.contains(id.as_str()), "no rule for CIS {id}");
    }
    assert_eq!(rule("vgi-ctr-001").map(|r| r.id), Some("VGI-CTR-001"));
}

#[test]
fn a_hardened_container_is_clean() {
    let found = audit_container(&hardened(), &HostContext::unknown());
    assert!(found.is_empty(), "{:?}", ids(&found));
}

#[test]
fn a_default_container_gets_the_expected_findings() {
    let mut c = ContainerSnapshot {
        name: "default".into(),
        image: "alpine".into(),
        log_driver: "json-file".into(),
        ..Default::default()
    };
    c.capabilities.effective = vec!["CAP_CHOWN".into(), "CAP_NET_RAW".into()];
    c.namespaces.network = "default".into();
    c.networks = vec!["bridge".into()];
    c.security.seccomp = "default".into();
    c.restart_policy.name = "no".into();
    c.health_check.kind = "none".into();
    let got = ids(&audit_container(&c, &HostContext::unknown()));
    let want: BTreeSet<String> = [
        "VGI-CTR-003",
        "VGI-CTR-011",
        "VGI-CTR-012",
        "VGI-CTR-013",
        "VGI-CTR-021",
        "VGI-CTR-028",
        "VGI-CTR-029",
        "VGI-CTR-030",
        "VGI-CTR-031",
        "VGI-CTR-032",
        "VGI-CTR-037",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(got, want);
}

/// Each case: a change to the hardened container and the rule it must trigger.
#[test]
fn each_container_rule_has_a_positive_case() {
    type Change = fn(&mut ContainerSnapshot);
    let cases: Vec<(&str, Change)> = vec![
        ("VGI-CTR-001", |c| c.privileged = true),
        ("VGI-CTR-002", |c| c.capabilities.effective.push("CAP_SYS_ADMIN".into())),
        ("VGI-CTR-003", |c| c.capabilities.drop.clear()),
        ("VGI-CTR-004", |c| c.mounts.push(bind("/etc", "/host-etc", false))),
        ("VGI-CTR-005", |c| c.mounts.push(bind("/", "/mnt", true))),
        ("VGI-CTR-006", |c| {
            c.mounts.push(bind("/run/containerd/containerd.sock", "/c.sock", true))
        }),
        ("VGI-CTR-007", |c| {
            c.command = vec!["/usr/sbin/sshd".into(), "-D".into()]
        }),
        ("VGI-CTR-008", |c| c.ports.push(port("127.0.0.1", "80"))),
        ("VGI-CTR-009", |c| c.ports.push(port("127.0.0.1", "8080"))),
        ("VGI-CTR-010", |c| c.namespaces.network = "host".into()),
        ("VGI-CTR-011", |c| c.limits.memory = 0),
        ("VGI-CTR-012", |c| c.limits.nano_cpus = 0),
        ("VGI-CTR-013", |c| c.read_only_rootfs = false),
        ("VGI-CTR-014", |c| c.ports.push(port("", "8080"))),
        ("VGI-CTR-015", |c| c.restart_policy.max_retries = 0),
        ("VGI-CTR-016", |c| c.restart_policy.name = "always".into()),
        ("VGI-CTR-017", |c| c.namespaces.pid = "host".into()),
        ("VGI-CTR-018", |c| c.namespaces.ipc = "host".into()),
        ("VGI-CTR-019", |c| {
            c.devices.push(Device {
                host_path: "/dev/sda".into(),
                container_path: "/dev/sda".into(),
                permissions: "rwm".into(),
            })
        }),
        ("VGI-CTR-020", |c| c.device_cgroup_rules.push("b *:* rwm".into())),
        ("VGI-CTR-021", |c| c.limits.ulimits.clear()),
        ("VGI-CTR-022", |c| {
            c.mounts.push(Mount {
                propagation: "rshared".into(),
                ..bind("/srv/data", "/data", false)
            })
        }),
        ("VGI-CTR-023", |c| c.namespaces.uts = "host".into()),
        ("VGI-CTR-024", |c| c.security.seccomp = "unconfined".into()),
        ("VGI-CTR-025", |c| {
            c.execs.push(ExecSession {
                id: "e1".into(),
                privileged: true,
                ..Default::default()
            })
        }),
        ("VGI-CTR-026", |c| {
            c.execs.push(ExecSession {
                id: "e2".into(),
                user: "root".into(),
                ..Default::default()
            })
        }),
        ("VGI-CTR-027", |c| c.cgroup_parent = "/custom".into()),
        ("VGI-CTR-028", |c| c.security.no_new_privileges = false),
        ("VGI-CTR-029", |c| c.health_check.kind = "disabled".into()),
        ("VGI-CTR-030", |c| c.image = "registry.local:5000/app:latest".into()),
        ("VGI-CTR-031", |c| c.limits.pids_limit = Some(-1)),
        ("VGI-CTR-032", |c| {
            c.namespaces.network = "bridge".into();
            c.networks = vec!["bridge".into()];
        }),
        ("VGI-CTR-033", |c| c.namespaces.user = "host".into()),
        ("VGI-CTR-034", |c| c.security.apparmor = "unconfined".into()),
        ("VGI-CTR-035", |c| c.security.label_disabled = true),
        ("VGI-CTR-036", |c| c.security.systempaths_unconfined = true),
        ("VGI-CTR-037", |c| c.user = "0".into()),
        ("VGI-CTR-038", |c| {
            c.env_names = vec!["PATH".into(), "DB_PASSWORD".into()]
        }),
        ("VGI-CTR-039", |c| c.oom_kill_disable = true),
        ("VGI-CTR-040", |c| c.namespaces.cgroup = "host".into()),
        ("VGI-CTR-041", |c| c.log_driver = "none".into()),
        ("VGI-CTR-042", |c| c.capabilities.unknown = vec!["BOGUS".into()]),
    ];
    let container_rules: BTreeSet<&str> = catalogue()
        .iter()
        .map(|r| r.id)
        .filter(|id| id.starts_with("VGI-CTR-"))
        .collect();
    let covered: BTreeSet<&str> = cases.iter().map(|(id, _)| *id).collect();
    assert_eq!(container_rules, covered, "every container rule needs a case");
    for (id, change) in cases {
        let mut c = hardened();
        assert!(!fires(&c, id), "{id} fires on the hardened container");
        change(&mut c);
        assert!(fires(&c, id), "{id} does not fire");
    }
}

fn bind(source: &str, destination: &str, read_only: bool) -> Mount {
    Mount {
        kind: "bind".into(),
        source: source.into(),
        destination: destination.into(),
        read_only,
        propagation: "rprivate".into(),
    }
}

fn port(ip: &str, host_port: &str) -> PublishedPort {
    PublishedPort {
        container_port: "80".into(),
        protocol: "tcp".into(),
        host_ip: ip.into(),
        host_port: host_port.into(),
    }
}

#[test]
fn docker_bench_mistakes_are_done_right() {
    // label=disable that Docker adds for --pid host is not a user choice.
    let mut c = hardened();
    c.namespaces.pid = "host".into();
    c.security.label_disabled = true;
    let got = ids(&audit_container(&c, &HostContext::unknown()));
    assert!(got.contains("VGI-CTR-017") && !got.contains("VGI-CTR-035"));
    // A read-only docker.sock is still the socket.
    let mut c = hardened();
    c.mounts
        .push(bind("/var/run/docker.sock", "/var/run/docker.sock", true));
    let found = audit_container(&c, &HostContext::unknown());
    let socket = found.iter().find(|f| f.rule_id == "VGI-CTR-006").unwrap();
    assert_eq!(socket.severity, Severity::Critical);
    assert!(socket.message.contains("read-only does not protect"));
    // Mounting /run exposes the socket inside it too.
    let mut c = hardened();
    c.mounts.push(bind("/run/", "/hostrun", true));
    assert_eq!(
        ids(&audit_container(&c, &HostContext::unknown())),
        ["VGI-CTR-005", "VGI-CTR-006"].iter().map(|s| s.to_string()).collect()
    );
    // unless-stopped is as unbounded as always.
    let mut c = hardened();
    c.restart_policy.name = "unless-stopped".into();
    assert!(fires(&c, "VGI-CTR-016"));
}

#[test]
fn severities_follow_the_evidence() {
    let mut c = hardened();
    c.capabilities.effective.push("CAP_SYS_MODULE".into());
    c.capabilities.effective.push("CAP_SYS_NICE".into());
    let found = audit_container(&c, &HostContext::unknown());
    let caps: Vec<(String, Severity)> = found
        .iter()
        .filter(|f| f.rule_id == "VGI-CTR-002")
        .map(|f| (f.message.split(':').next().unwrap().to_string(), f.severity))
        .collect();
    assert_eq!(
        caps,
        vec![
            ("adds CAP_SYS_MODULE".to_string(), Severity::Critical),
            ("adds CAP_SYS_NICE".to_string(), Severity::Low)
        ]
    );
    let mut c = hardened();
    c.mounts.push(bind("/", "/mnt", false));
    let f = audit_container(&c, &HostContext::unknown());
    assert!(
        f.iter()
            .any(|f| f.rule_id == "VGI-CTR-004" && f.severity == Severity::Critical)
    );
    // Root remapped by userns-remap is less severe.
    let mut c = hardened();
    c.user = String::new();
    let host = HostContext {
        userns_remap: Some(true),
        ..Default::default()
    };
    let f = audit_container(&c, &host);
    assert_eq!(
        f.iter().find(|f| f.rule_id == "VGI-CTR-037").unwrap().severity,
        Severity::Low
    );
}

#[test]
fn secret_names_and_images() {
    for (name, secret) in [
        ("DB_PASSWORD", true),
        ("POSTGRES_PASSWORD_FILE", false),
        ("GITHUB_TOKEN", true),
        ("AWS_SECRET_ACCESS_KEY", true),
        ("MYSQL_ROOT_PASS", true),
        ("PATH", false),
        ("HOME", false),
        ("KEYBOARD", false),
        ("api_key", true),
    ] {
        assert_eq!(crate::secrets::is_secret_name(name), secret, "{name}");
    }
    assert!(image_is_mutable("nginx").is_some());
    assert!(image_is_mutable("nginx:latest").is_some());
    assert!(image_is_mutable("localhost:5000/nginx").is_some());
    assert!(image_is_mutable("nginx:1.25").is_none());
    assert!(image_is_mutable("nginx@sha256:abcd").is_none());
    assert!(image_is_mutable("sha256:abcd").is_none());
}

fn quiet_host() -> HostSnapshot {
    HostSnapshot {
        endpoint: "unix:///var/run/docker.sock".into(),
        server_version: "28.1.0".into(),
        cgroup_version: "2".into(),
        security_options: vec![
            "name=seccomp,profile=default".into(),
            "name=apparmor".into(),
            "name=userns".into(),
            "name=rootless".into(),
        ],
        seccomp_profile: Some("default".into()),
        apparmor: true,
        userns_remap: true,
        rootless: true,
        live_restore: true,
        default_bridge_icc: Some(false),
        storage_driver: "overlay2".into(),
        logging_driver: "journald".into(),
        authorization_plugins: vec!["opa".into()],
        ..Default::default()
    }
}

#[test]
fn each_host_rule_has_a_positive_and_negative_case() {
    type Change = fn(&mut HostSnapshot);
    let cases: Vec<(&str, Change)> = vec![
        ("VGI-HOST-001", |h| h.userns_remap = false),
        ("VGI-HOST-002", |h| h.live_restore = false),
        ("VGI-HOST-003", |h| h.default_bridge_icc = Some(true)),
        ("VGI-HOST-004", |h| h.endpoint = "tcp://10.0.0.5:2375".into()),
        ("VGI-HOST-005", |h| {
            h.insecure_registries = vec!["reg.local:5000".into()]
        }),
        ("VGI-HOST-006", |h| h.seccomp_profile = None),
        ("VGI-HOST-007", |h| h.apparmor = false),
        ("VGI-HOST-008", |h| h.rootless = false),
        ("VGI-HOST-009", |h| h.cgroup_version = "1".into()),
        ("VGI-HOST-010", |h| h.logging_driver = "none".into()),
        ("VGI-HOST-011", |h| h.storage_driver = "aufs".into()),
        ("VGI-HOST-012", |h| h.experimental = true),
        ("VGI-HOST-013", |h| h.debug = true),
        ("VGI-HOST-014", |h| h.authorization_plugins.clear()),
        ("VGI-HOST-015", |h| h.server_version = "20.10.24+dfsg1".into()),
        ("VGI-HOST-016", |h| {
            h.warnings = vec!["WARNING: No swap limit support".into()]
        }),
        ("VGI-HOST-017", |h| h.swarm = "active".into()),
    ];
    let host_rules: BTreeSet<&str> = catalogue()
        .iter()
        .map(|r| r.id)
        .filter(|id| id.starts_with("VGI-HOST-"))
        .collect();
    assert_eq!(host_rules, cases.iter().map(|(id, _)| *id).collect());
    assert!(
        audit_host(&quiet_host()).is_empty(),
        "{:?}",
        ids(&audit_host(&quiet_host()))
    );
    for (id, change) in cases {
        let mut h = quiet_host();
        change(&mut h);
        assert!(audit_host(&h).iter().any(|f| f.rule_id == id), "{id} does not fire");
    }
    // The TCP warning the engine itself prints counts, and is not repeated as a generic warning.
    let mut h = quiet_host();
    h.warnings = vec!["WARNING: API is accessible on http://0.0.0.0:2375 without encryption.".into()];
    assert_eq!(ids(&audit_host(&h)), ["VGI-HOST-004".to_string()].into_iter().collect());
}

/// What each rule reads, for its docs page.
const DETECTION: &[(&str, &str)] = &[
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

fn render_doc(r: &RuleInfo) -> String {
    let detection = DETECTION
        .iter()
        .find(|(id, _)| *id == r.id)
        .map(|(_, d)| *d)
        .unwrap_or("");
    let kind = if r.id.starts_with("VGI-HOST-") {
        "host (daemon)"
    } else {
        "container"
    };
    let mut out = format!("# {} — {}\n\n", r.id, r.title);
    out.push_str("| | |\n|---|---|\n");
    out.push_str(&format!("| severity | {} |\n", r.severity));
    out.push_str(&format!("| applies to | {kind} |\n"));
    out.push_str(&format!(
        "| CIS Docker Benchmark v1.6.0 | {} |\n",
        r.cis.unwrap_or("— (no CIS item; vigie's own rule)")
    ));
    out.push_str(&format!("| mitigation | {} |\n\n", r.mitigation.title()));
    out.push_str(&format!("## Why it matters\n\n{}\n\n", r.rationale));
    out.push_str(&format!(
        "## How vigie checks\n\n{detection}\n\nThe finding's evidence names the exact field and the value seen.\n\n"
    ));
    out.push_str(&format!("## Fix\n\n{}\n\n", r.fix.summary));
    for (label, value) in [
        ("docker run", r.fix.docker_run),
        ("Compose", r.fix.compose),
        ("Kubernetes", r.fix.kubernetes),
    ] {
        if let Some(v) = value {
            out.push_str(&format!("- **{label}:** `{v}`\n"));
        }
    }
    out.push_str(&format!(
        "\n## Accepting the risk\n\n```toml\n[[audit.accept]]\nrule = \"{}\"\ntarget = \"NAME\"          # a container name or glob; omit for every target\nreason = \"why it is needed\"\nexpires = \"2027-06-30\"    # counted again after this day\n```\n\nSee [vigie audit](../commands/audit.md).\n",
        r.id
    ));
    out
}

/// `VIGIE_WRITE_RULE_DOCS=1 cargo test -p vigie-rules rule_docs` rewrites docs/rules/VGI-CTR-*.md and VGI-HOST-*.md.
#[test]
fn rule_docs_are_current() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules");
    let write = std::env::var_os("VIGIE_WRITE_RULE_DOCS").is_some();
    for r in catalogue() {
        assert!(
            DETECTION.iter().any(|(id, _)| *id == r.id),
            "no detection text for {}",
            r.id
        );
        let path = dir.join(format!("{}.md", r.id));
        let text = render_doc(r);
        if write {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, text).unwrap();
        } else {
            let current = std::fs::read_to_string(&path).unwrap_or_default();
            assert_eq!(
                current,
                text,
                "{} is stale: run VIGIE_WRITE_RULE_DOCS=1 cargo test -p vigie-rules rule_docs",
                path.display()
            );
        }
    }
}
