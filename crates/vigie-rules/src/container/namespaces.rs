//! Namespaces shared with the host: PID, IPC, UTS, user, cgroup.

use super::*;

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
}
