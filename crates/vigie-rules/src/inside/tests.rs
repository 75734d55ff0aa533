use super::*;
use std::fs;

/// A default Docker container on a cgroup v1 host, as seen on this project's machines.
const DEFAULT_MOUNTINFO: &str = "\
74 49 0:40 / / rw,relatime master:2 - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/A,upperdir=/var/lib/docker/overlay2/x/diff,workdir=/var/lib/docker/overlay2/x/work
75 74 0:43 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
76 74 0:44 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755
78 74 0:46 / /sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro
80 79 0:29 /docker/fa2c /sys/fs/cgroup/cpu ro,nosuid,nodev,noexec,relatime - cgroup cgroup rw,cpu
91 74 254:0 /var/lib/docker/containers/fa2c/resolv.conf /etc/resolv.conf rw,relatime - ext4 /dev/vda rw
53 75 0:43 /sys /proc/sys ro,nosuid,nodev,noexec,relatime - proc proc rw
55 75 0:44 /null /proc/keys rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755
";

const DEFAULT_STATUS: &str = "Name:\tvigie\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\t0 1 2\n\
CapInh:\t0000000000000000\nCapPrm:\t00000000a80425fb\nCapEff:\t00000000a80425fb\nCapBnd:\t00000000a80425fb\n\
CapAmb:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t2\nSeccomp_filters:\t1\n";

struct Tree(tempfile::TempDir);

impl Tree {
    fn new() -> Tree {
        Tree(tempfile::tempdir().unwrap())
    }
    fn file(&self, path: &str, text: &str) -> &Self {
        let p = self.0.path().join(path.trim_start_matches('/'));
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
        self
    }
    fn dir(&self, path: &str) -> &Self {
        fs::create_dir_all(self.0.path().join(path.trim_start_matches('/'))).unwrap();
        self
    }
    fn container(&self, status: &str, mountinfo: &str) -> &Self {
        self.file("/.dockerenv", "")
            .file("/proc/self/status", status)
            .file("/proc/self/mountinfo", mountinfo)
            .file("/proc/self/uid_map", "         0          0 4294967295\n")
            .file("/proc/self/cgroup", "4:memory:/docker/fa2c\n0::/docker/fa2c\n")
            .file("/proc/sys/kernel/cap_last_cap", "40\n")
            .file("/proc/net/dev", "Inter-|\n face |\n    lo: 0 0\n  eth0: 0 0\n")
            .dir("/proc/sys")
            .file("/proc/keys", "")
    }
    fn report(&self) -> InsideReport {
        Probe::rooted(self.0.path()).run().unwrap()
    }
}

fn ids(r: &InsideReport) -> Vec<&str> {
    r.findings.iter().map(|f| f.rule_id.as_ref()).collect()
}

#[test]
fn default_container_has_no_high_finding() {
    let t = Tree::new();
    t.container(DEFAULT_STATUS, DEFAULT_MOUNTINFO);
    let r = t.report();
    assert!(r.environment.in_container);
    assert_eq!(r.environment.runtime.as_deref(), Some("docker"));
    assert_eq!(r.environment.cgroup_version, Some(1));
    assert!(!r.environment.user_namespace);
    assert!(
        r.findings.iter().all(|f| f.severity < Severity::High),
        "{:#?}",
        r.findings
    );
    assert!(ids(&r).contains(&"VGI-INS-004"));
    assert!(ids(&r).contains(&"VGI-INS-005"));
    assert!(!ids(&r).contains(&"VGI-INS-009"), "/proc/keys is masked");
}

#[test]
fn lab_sys_admin_flags_release_agent() {
    let t = Tree::new();
    t.container(&DEFAULT_STATUS.replace("a80425fb", "a82425fb"), DEFAULT_MOUNTINFO);
    let r = t.report();
    let sys_admin = r
        .findings
        .iter()
        .find(|f| f.rule_id == "VGI-INS-002" && f.message.contains("CAP_SYS_ADMIN"))
        .unwrap();
    assert_eq!(sys_admin.severity, Severity::Critical);
    assert!(ids(&r).contains(&"VGI-INS-015"));
}

#[test]
fn host_root_mount_is_critical_with_line() {
    let t = Tree::new();
    let line = "100 74 254:0 / /mnt rw,relatime - ext4 /dev/vda rw";
    t.container(DEFAULT_STATUS, &format!("{DEFAULT_MOUNTINFO}{line}\n"))
        .file("/mnt/etc/passwd", "root:x:0:0::/root:/bin/sh\n");
    let r = t.report();
    let f = r.findings.iter().find(|f| f.rule_id == "VGI-INS-010").unwrap();
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(f.evidence[0].value, line);
}

#[test]
fn read_only_sensitive_mount_is_lower() {
    let t = Tree::new();
    let line = "100 74 254:0 /etc /host-etc ro,relatime - ext4 /dev/vda rw";
    t.container(DEFAULT_STATUS, &format!("{DEFAULT_MOUNTINFO}{line}\n"));
    let r = t.report();
    let f = r.findings.iter().find(|f| f.rule_id == "VGI-INS-011").unwrap();
    assert_eq!(f.severity, Severity::Medium);
    assert!(f.message.contains("read-only"));
}

#[test]
fn engine_socket_is_critical() {
    let t = Tree::new();
    let line = "101 74 0:25 /docker.sock /var/run/docker.sock rw,nosuid,nodev - tmpfs tmpfs rw";
    t.container(DEFAULT_STATUS, &format!("{DEFAULT_MOUNTINFO}{line}\n"))
        .dir("/var/run");
    let _listener = std::os::unix::net::UnixListener::bind(t.0.path().join("var/run/docker.sock")).unwrap();
    let r = t.report();
    let f = r.findings.iter().find(|f| f.rule_id == "VGI-INS-012").unwrap();
    assert_eq!(f.severity, Severity::Critical);
}

#[test]
fn full_set_and_unmasked_and_writable() {
    let t = Tree::new();
    let status = DEFAULT_STATUS
        .replace("00000000a80425fb", "000001ffffffffff")
        .replace("Seccomp:\t2", "Seccomp:\t0");
    let mountinfo = DEFAULT_MOUNTINFO
        .replace("/ /sys ro,", "/ /sys rw,")
        .replace("/sys /proc/sys ro,", "/sys /proc/sys rw,")
        .replace(
            "55 75 0:44 /null /proc/keys rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755\n",
            "",
        );
    t.container(&status, &mountinfo);
    let r = t.report();
    let got = ids(&r);
    for id in [
        "VGI-INS-001",
        "VGI-INS-003",
        "VGI-INS-008",
        "VGI-INS-009",
        "VGI-INS-015",
    ] {
        assert!(got.contains(&id), "{id} missing in {got:?}");
    }
    assert!(
        !got.contains(&"VGI-INS-002"),
        "full set reported once, not per capability"
    );
}

#[test]
fn host_namespaces() {
    let t = Tree::new();
    t.container(DEFAULT_STATUS, DEFAULT_MOUNTINFO)
        .file("/proc/2/comm", "kthreadd\n")
        .file("/proc/1/comm", "systemd\n")
        .file("/proc/net/dev", "h\nh\n    lo: 0\n  eth0: 0\ndocker0: 0\nveth12: 0\n");
    let r = t.report();
    assert!(ids(&r).contains(&"VGI-INS-013"));
    assert!(ids(&r).contains(&"VGI-INS-014"));
}

#[test]
fn hardened_has_nothing_high() {
    let t = Tree::new();
    let status = DEFAULT_STATUS
        .replace("Uid:\t0\t0\t0\t0", "Uid:\t1000\t1000\t1000\t1000")
        .replace("00000000a80425fb", "0000000000000000")
        .replace("NoNewPrivs:\t0", "NoNewPrivs:\t1");
    let mountinfo = DEFAULT_MOUNTINFO.replace("/ / rw,", "/ / ro,");
    t.container(&status, &mountinfo);
    let r = t.report();
    assert!(r.findings.is_empty(), "{:#?}", r.findings);
}

#[test]
fn host_is_not_a_container() {
    let t = Tree::new();
    t.file("/proc/self/status", DEFAULT_STATUS)
        .file("/proc/self/mountinfo", "1 0 254:0 / / rw - ext4 /dev/vda rw\n")
        .file("/proc/self/cgroup", "0::/init.scope\n");
    let r = t.report();
    assert!(!r.environment.in_container);
    assert_eq!(ids(&r), vec!["VGI-INS-021"]);
}

#[test]
fn missing_status_is_an_error() {
    let t = Tree::new();
    assert!(Probe::rooted(t.0.path()).run().is_err());
}

#[test]
fn unescapes_mountinfo() {
    assert_eq!(unescape_mountinfo("/a\\040b"), "/a b");
    assert_eq!(unescape_mountinfo("/a\\777b"), "/a\\777b");
    assert_eq!(unescape_mountinfo("/a\\04"), "/a\\04");
}

#[test]
fn submounts_of_a_host_root_fold_into_it() {
    let t = Tree::new();
    let extra = "100 74 254:0 / /mnt rw,relatime - ext4 /dev/vda rw\n101 100 0:21 / /mnt/proc rw,relatime - proc proc rw\n\
102 100 254:0 /var/lib/docker /mnt/var/lib/docker rw - ext4 /dev/vda rw\n";
    t.container(DEFAULT_STATUS, &format!("{DEFAULT_MOUNTINFO}{extra}"))
        .file("/mnt/etc/passwd", "root:x:0:0\n");
    let r = t.report();
    assert!(!ids(&r).contains(&"VGI-INS-011"), "{:?}", ids(&r));
    let f = r.findings.iter().find(|f| f.rule_id == "VGI-INS-010").unwrap();
    assert!(f.evidence.iter().any(|e| e.value.starts_with("2 more host mounts")));
}
