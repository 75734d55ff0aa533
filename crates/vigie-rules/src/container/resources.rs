//! Resource limits and restart policy: memory, CPU, PIDs, ulimits, OOM killer, cgroup parent, restarts.

use super::*;

use crate::finding::Mitigation;
use crate::rule_builders::{fix, rule};
use Mitigation::NoPrivileged;
use Severity::{Info, Low, Medium};

/// The rules of this concern, in id order.
pub(super) const RULES: &[&RuleInfo] = &[
    &CTR_NO_MEMORY_LIMIT,
    &CTR_NO_CPU_LIMIT,
    &CTR_RESTART_RETRIES,
    &CTR_RESTART_ALWAYS,
    &CTR_ULIMITS_DEFAULT,
    &CTR_CGROUP_PARENT,
    &CTR_NO_PIDS_LIMIT,
    &CTR_OOM_KILL_DISABLED,
];

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
)
.detected(
    "`HostConfig.Memory` is 0.",
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
)
.detected(
    "`HostConfig.CpuShares`, `NanoCpus` and `CpuQuota` are 0 and `CpusetCpus` is empty.",
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
)
.detected(
    "`HostConfig.RestartPolicy` is `on-failure` with `MaximumRetryCount` 0 (unbounded) or above 5.",
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
)
.detected(
    "`HostConfig.RestartPolicy.Name` is `always` or `unless-stopped` (docker-bench passes `always`).",
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
)
.detected(
    "`HostConfig.Ulimits` is empty (info: CIS 5.18 is a manual check).",
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
)
.detected(
    "`HostConfig.CgroupParent` is set (info).",
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
)
.detected(
    "`HostConfig.PidsLimit` is null, 0 or -1.",
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
)
.detected(
    "`HostConfig.OomKillDisable` is true; high without a memory limit.",
);

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
