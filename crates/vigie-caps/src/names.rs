//! The capability table of Linux 6.x (`include/uapi/linux/capability.h`),
//! with vigie's explanation of the ones that open a way out of a container.

/// Why a capability is dangerous inside a container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Danger {
    /// critical, high, medium or low.
    pub severity: &'static str,
    pub why: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capability {
    pub number: u8,
    /// Upper case with the `CAP_` prefix, as in the kernel headers.
    pub name: &'static str,
    pub danger: Option<Danger>,
}

const fn cap(number: u8, name: &'static str) -> Capability {
    Capability {
        number,
        name,
        danger: None,
    }
}

const fn risky(number: u8, name: &'static str, severity: &'static str, why: &'static str) -> Capability {
    Capability {
        number,
        name,
        danger: Some(Danger { severity, why }),
    }
}

/// Every capability of Linux 6.x, indexed by number.
pub const CAPABILITIES: [Capability; 41] = [
    cap(0, "CAP_CHOWN"),
    risky(
        1,
        "CAP_DAC_OVERRIDE",
        "low",
        "bypasses file read/write/execute permission checks: root in the container ignores file modes on every mounted path",
    ),
    risky(
        2,
        "CAP_DAC_READ_SEARCH",
        "critical",
        "allows open_by_handle_at(2): a container can open any file on the host filesystem by handle (the 'shocker' escape)",
    ),
    cap(3, "CAP_FOWNER"),
    cap(4, "CAP_FSETID"),
    cap(5, "CAP_KILL"),
    cap(6, "CAP_SETGID"),
    cap(7, "CAP_SETUID"),
    cap(8, "CAP_SETPCAP"),
    risky(
        9,
        "CAP_LINUX_IMMUTABLE",
        "low",
        "can set or clear the immutable and append-only flags, defeating tamper-evident logs on mounted volumes",
    ),
    cap(10, "CAP_NET_BIND_SERVICE"),
    cap(11, "CAP_NET_BROADCAST"),
    risky(
        12,
        "CAP_NET_ADMIN",
        "high",
        "configures interfaces, routes, iptables and traffic control: with the host network it rewrites the host's firewall; it also widens the kernel attack surface (netfilter exploits)",
    ),
    risky(
        13,
        "CAP_NET_RAW",
        "low",
        "crafts raw packets: ARP/DNS spoofing of neighbours on the same bridge (part of Docker's default set; drop it unless ping is needed)",
    ),
    risky(
        14,
        "CAP_IPC_LOCK",
        "low",
        "locks memory without limit, a denial-of-service lever against the host",
    ),
    cap(15, "CAP_IPC_OWNER"),
    risky(
        16,
        "CAP_SYS_MODULE",
        "critical",
        "loads kernel modules: arbitrary code in the host kernel, a direct escape",
    ),
    risky(
        17,
        "CAP_SYS_RAWIO",
        "critical",
        "raw I/O on devices and /dev/mem, /dev/port, ioperm/iopl: reads and writes host memory and disks",
    ),
    cap(18, "CAP_SYS_CHROOT"),
    risky(
        19,
        "CAP_SYS_PTRACE",
        "high",
        "traces and injects code into other processes; with --pid host that includes every process on the host",
    ),
    risky(
        20,
        "CAP_SYS_PACCT",
        "low",
        "switches process accounting on or off for the whole host",
    ),
    risky(
        21,
        "CAP_SYS_ADMIN",
        "critical",
        "mount(2), namespaces, BPF, keyctl and hundreds more: mounting a cgroup v1 hierarchy and its release_agent, or the host's disks, escapes the container",
    ),
    risky(
        22,
        "CAP_SYS_BOOT",
        "high",
        "reboot(2) and kexec_load(2): reboots the host or boots another kernel",
    ),
    cap(23, "CAP_SYS_NICE"),
    risky(
        24,
        "CAP_SYS_RESOURCE",
        "medium",
        "overrides resource limits and quotas, a denial-of-service lever against the host",
    ),
    risky(
        25,
        "CAP_SYS_TIME",
        "medium",
        "sets the host's clock (the clock is not namespaced)",
    ),
    cap(26, "CAP_SYS_TTY_CONFIG"),
    cap(27, "CAP_MKNOD"),
    cap(28, "CAP_LEASE"),
    cap(29, "CAP_AUDIT_WRITE"),
    risky(
        30,
        "CAP_AUDIT_CONTROL",
        "medium",
        "changes the host's audit rules: an attacker can switch off auditing",
    ),
    cap(31, "CAP_SETFCAP"),
    risky(
        32,
        "CAP_MAC_OVERRIDE",
        "high",
        "overrides mandatory access control (Smack): defeats the LSM that confines the container",
    ),
    risky(
        33,
        "CAP_MAC_ADMIN",
        "high",
        "changes mandatory access control policy (AppArmor/SELinux/Smack): lifts the container's confinement",
    ),
    risky(
        34,
        "CAP_SYSLOG",
        "medium",
        "reads the kernel log and kernel addresses via /proc/kmsg and dmesg, which defeats KASLR",
    ),
    cap(35, "CAP_WAKE_ALARM"),
    cap(36, "CAP_BLOCK_SUSPEND"),
    cap(37, "CAP_AUDIT_READ"),
    risky(
        38,
        "CAP_PERFMON",
        "high",
        "perf_event_open(2) on the whole system: kernel address leaks and side channels on host processes",
    ),
    risky(
        39,
        "CAP_BPF",
        "high",
        "loads BPF programs and maps: reads kernel memory and tampers with host networking and tracing",
    ),
    risky(
        40,
        "CAP_CHECKPOINT_RESTORE",
        "medium",
        "sets PIDs of new processes and reads other processes' mappings, an aid to attacks on neighbours",
    ),
];

pub fn by_number(number: u8) -> Option<&'static Capability> {
    CAPABILITIES.get(usize::from(number))
}

/// Look a capability up by name: `SYS_ADMIN`, `CAP_SYS_ADMIN`, `cap_sys_admin` all work.
pub fn by_name(name: &str) -> Option<&'static Capability> {
    let upper = name.trim().to_ascii_uppercase();
    let full = if upper.starts_with("CAP_") {
        upper
    } else {
        format!("CAP_{upper}")
    };
    CAPABILITIES.iter().find(|c| c.name == full)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_indexed_by_number() {
        for (i, c) in CAPABILITIES.iter().enumerate() {
            assert_eq!(usize::from(c.number), i, "{}", c.name);
        }
        assert_eq!(by_name("sys_admin").map(|c| c.number), Some(21));
        assert_eq!(by_name("CAP_BPF").map(|c| c.number), Some(39));
        assert!(by_name("NOPE").is_none());
    }
}
