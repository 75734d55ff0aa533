//! `vigie audit`: the container family (`crate::container`) and the host
//! family (`crate::host`) together, as one catalogue in id order.

pub mod detection;

pub use crate::container::{HostContext, audit_container};
pub use crate::host::audit_host;

/// The rule constants of both families, and the combined list.
pub mod catalogue {
    pub use crate::container::catalogue::*;
    use crate::finding::RuleInfo;
    pub use crate::host::catalogue::*;

    pub static CATALOGUE: [RuleInfo; 59] = [
        CTR_PRIVILEGED,
        CTR_DANGEROUS_CAP,
        CTR_DEFAULT_CAPS,
        CTR_SENSITIVE_MOUNT_RW,
        CTR_SENSITIVE_MOUNT_RO,
        CTR_ENGINE_SOCKET,
        CTR_SSHD,
        CTR_PRIVILEGED_PORT,
        CTR_PORTS_PUBLISHED,
        CTR_HOST_NETWORK,
        CTR_NO_MEMORY_LIMIT,
        CTR_NO_CPU_LIMIT,
        CTR_WRITABLE_ROOTFS,
        CTR_PORT_ALL_INTERFACES,
        CTR_RESTART_RETRIES,
        CTR_RESTART_ALWAYS,
        CTR_HOST_PID,
        CTR_HOST_IPC,
        CTR_HOST_DEVICE,
        CTR_DEVICE_CGROUP_RULE,
        CTR_ULIMITS_DEFAULT,
        CTR_SHARED_PROPAGATION,
        CTR_HOST_UTS,
        CTR_SECCOMP_DISABLED,
        CTR_EXEC_PRIVILEGED,
        CTR_EXEC_ROOT,
        CTR_CGROUP_PARENT,
        CTR_NO_NEW_PRIVILEGES,
        CTR_NO_HEALTHCHECK,
        CTR_MUTABLE_IMAGE,
        CTR_NO_PIDS_LIMIT,
        CTR_DEFAULT_BRIDGE,
        CTR_HOST_USERNS,
        CTR_APPARMOR,
        CTR_SELINUX_DISABLED,
        CTR_SYSTEMPATHS,
        CTR_ROOT_USER,
        CTR_SECRET_ENV,
        CTR_OOM_KILL_DISABLED,
        CTR_HOST_CGROUPNS,
        CTR_NO_LOGGING,
        CTR_UNKNOWN_CAP,
        HOST_NO_USERNS,
        HOST_NO_LIVE_RESTORE,
        HOST_ICC,
        HOST_TCP_NO_TLS,
        HOST_INSECURE_REGISTRY,
        HOST_NO_SECCOMP,
        HOST_NO_MAC,
        HOST_ROOTFUL,
        HOST_CGROUP_V1,
        HOST_LOGGING,
        HOST_AUFS,
        HOST_EXPERIMENTAL,
        HOST_DEBUG,
        HOST_NO_AUTHZ,
        HOST_OLD_ENGINE,
        HOST_WARNING,
        HOST_SWARM,
    ];
}

use crate::finding::RuleInfo;
use catalogue::CATALOGUE;

/// Every audit rule, container rules first, in id order.
pub fn catalogue() -> &'static [RuleInfo] {
    &CATALOGUE
}

/// A rule by id (`VGI-CTR-001`), case-insensitive.
pub fn rule(id: &str) -> Option<&'static RuleInfo> {
    CATALOGUE.iter().find(|r| r.id.eq_ignore_ascii_case(id))
}

#[cfg(test)]
mod tests;
