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
    findings.iter().map(|f| f.rule_id.to_string()).collect()
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
        ("VGI-CTR-043", |c| {
            c.sysctls.insert("net.ipv4.ip_forward".into(), "1".into());
        }),
    ];
    let container_rules: BTreeSet<&str> = catalogue()
        .iter()
        .map(|r| r.id)
        .filter(|id| id.starts_with("VGI-CTR-"))
        // Drift compares a file with the engine: `vigie_manifest::drift` has its tests.
        .filter(|id| *id != "VGI-CTR-044")
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
    // The fix names the mount that was found: -v /:/mnt is not fixed by
    // removing a docker.sock mount the container does not have.
    let mut c = hardened();
    c.mounts.push(bind("/", "/mnt", false));
    let found = audit_container(&c, &HostContext::unknown());
    for id in ["VGI-CTR-004", "VGI-CTR-006"] {
        let f = found.iter().find(|f| f.rule_id == id).unwrap();
        assert_eq!(f.fix.docker_run.as_deref(), Some("remove -v /:/mnt"), "{id}");
        assert!(!format!("{:?}", f.fix).contains("docker.sock:"), "{id}: {:?}", f.fix);
    }
    let socket = found.iter().find(|f| f.rule_id == "VGI-CTR-006").unwrap();
    assert!(
        socket.fix.summary.starts_with("Do not mount / "),
        "{}",
        socket.fix.summary
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
