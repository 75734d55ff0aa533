//! Resource limits and restart policy: memory, CPU, PIDs, ulimits, OOM killer, cgroup parent, restarts.

use super::*;

pub(super) fn resources(c: &ContainerSnapshot, _host: &HostContext, out: &mut Vec<Finding>) {
    let found = |rule: &RuleInfo, message: String| Finding::from_rule(rule, c.name.as_str(), message);
    if c.limits.memory == 0 {
        out.push(
            found(&CTR_NO_MEMORY_LIMIT, "has no memory limit".to_string()).with_evidence("HostConfig.Memory", "0"),
        );
    }
    if c.limits.cpu_shares == 0 && c.limits.nano_cpus == 0 && c.limits.cpu_quota <= 0 && c.limits.cpuset_cpus.is_empty()
    {
        out.push(
            found(&CTR_NO_CPU_LIMIT, "has no CPU limit or priority".to_string())
                .with_evidence("HostConfig.CpuShares/NanoCpus/CpuQuota", "0/0/0"),
        );
    }
    match c.limits.pids_limit {
        Some(n) if n > 0 => {}
        other => out.push(
            found(&CTR_NO_PIDS_LIMIT, "has no PIDs limit".to_string()).with_evidence(
                "HostConfig.PidsLimit",
                other.map(|n| n.to_string()).unwrap_or_else(|| "null".to_string()),
            ),
        ),
    }
    if c.limits.ulimits.is_empty() {
        out.push(
            found(&CTR_ULIMITS_DEFAULT, "uses the daemon's default ulimits".to_string())
                .with_evidence("HostConfig.Ulimits", "[]"),
        );
    }
    if c.oom_kill_disable {
        let severity = if c.limits.memory == 0 {
            Severity::High
        } else {
            Severity::Medium
        };
        out.push(
            found(
                &CTR_OOM_KILL_DISABLED,
                format!(
                    "disables the OOM killer{}",
                    if c.limits.memory == 0 {
                        " without a memory limit"
                    } else {
                        ""
                    }
                ),
            )
            .with_severity(severity)
            .with_evidence("HostConfig.OomKillDisable", "true"),
        );
    }
    if !c.cgroup_parent.is_empty() {
        out.push(
            found(
                &CTR_CGROUP_PARENT,
                format!("uses the cgroup parent {}", c.cgroup_parent),
            )
            .with_evidence("HostConfig.CgroupParent", c.cgroup_parent.clone()),
        );
    }
}

pub(super) fn restart_policy(c: &ContainerSnapshot, _host: &HostContext, out: &mut Vec<Finding>) {
    let found = |rule: &RuleInfo, message: String| Finding::from_rule(rule, c.name.as_str(), message);
    match c.restart_policy.name.as_str() {
        "always" | "unless-stopped" => out.push(
            found(
                &CTR_RESTART_ALWAYS,
                format!("restarts with policy {} (unbounded)", c.restart_policy.name),
            )
            .with_evidence("HostConfig.RestartPolicy.Name", c.restart_policy.name.clone()),
        ),
        "on-failure" if c.restart_policy.max_retries == 0 || c.restart_policy.max_retries > 5 => out.push(
            found(
                &CTR_RESTART_RETRIES,
                if c.restart_policy.max_retries == 0 {
                    "restarts on failure without a retry limit".to_string()
                } else {
                    format!(
                        "restarts on failure up to {} times (more than 5)",
                        c.restart_policy.max_retries
                    )
                },
            )
            .with_evidence(
                "HostConfig.RestartPolicy.MaximumRetryCount",
                c.restart_policy.max_retries.to_string(),
            ),
        ),
        _ => {}
    }
}
