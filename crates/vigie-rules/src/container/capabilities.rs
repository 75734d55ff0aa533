//! Privileged mode and capabilities: `--privileged`, added capabilities beyond Docker's default set, the default set kept, unknown names.

use super::*;

use crate::finding::Mitigation;
use crate::rule_builders::{fix, rule};
use Mitigation::NoPrivileged;
use Severity::{Critical, High, Info, Low};

/// The rules of this concern, in id order.
pub(super) const RULES: &[&RuleInfo] = &[&CTR_PRIVILEGED, &CTR_DANGEROUS_CAP, &CTR_DEFAULT_CAPS, &CTR_UNKNOWN_CAP];

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
)
.detected(
    "`HostConfig.Privileged` is true. Severity critical.",
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
)
.detected(
    "A capability in the effective set (Docker's default set + `CapAdd` − `CapDrop`, `ALL` handled as moby does) that is not in Docker's default set; one finding per capability, its severity from vigie's capability table (CAP_SYS_ADMIN, CAP_SYS_MODULE, CAP_SYS_RAWIO, CAP_DAC_READ_SEARCH critical; CAP_NET_ADMIN, CAP_SYS_PTRACE, CAP_BPF… high; others low).",
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
)
.detected(
    "`HostConfig.CapDrop` is empty on a non-privileged container: the 14 default capabilities, CAP_NET_RAW included, are all kept.",
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
)
.detected(
    "A name in `CapAdd`/`CapDrop` that no Linux capability has (current engines refuse such containers; older ones and hand-written inspect files do not).",
);

pub(super) fn privileged_and_capabilities(c: &ContainerSnapshot, _host: &HostContext, out: &mut Vec<Finding>) {
    let found = |rule: &RuleInfo, message: String| Finding::from_rule(rule, c.name.as_str(), message);
    if c.privileged {
        out.push(
            found(
                &CTR_PRIVILEGED,
                format!(
                    "runs privileged: all {} capabilities, every host device, no seccomp or AppArmor",
                    c.capabilities.effective.len()
                ),
            )
            .with_evidence("HostConfig.Privileged", "true")
            .with_evidence("effective capabilities", format!("0x{}", c.capabilities.effective_mask)),
        );
    } else {
        let default = vigie_caps::DOCKER_DEFAULT;
        for name in &c.capabilities.effective {
            let Some(cap) = vigie_caps::by_name(name) else { continue };
            if default & (1u64 << cap.number) != 0 {
                continue;
            }
            let (severity, why) = match cap.danger {
                Some(d) => (d.severity.parse().unwrap_or(Severity::High), d.why),
                None => (
                    Severity::Low,
                    "not needed by most services; each added capability widens what root in the container can do",
                ),
            };
            let written = c
                .capabilities
                .add
                .iter()
                .find(|a| {
                    vigie_caps::by_name(a).is_some_and(|x| x.number == cap.number) || a.eq_ignore_ascii_case("ALL")
                })
                .cloned()
                .unwrap_or_else(|| name.clone());
            out.push(
                found(&CTR_DANGEROUS_CAP, format!("adds {name}: {why}"))
                    .with_severity(severity)
                    .with_evidence("HostConfig.CapAdd", written)
                    .with_evidence("effective capabilities", format!("0x{}", c.capabilities.effective_mask)),
            );
        }
        if c.capabilities.drop.is_empty() {
            let raw = c.capabilities.effective.iter().any(|n| n == "CAP_NET_RAW");
            out.push(
                found(
                    &CTR_DEFAULT_CAPS,
                    format!(
                        "keeps Docker's default capabilities ({} effective{})",
                        c.capabilities.effective.len(),
                        if raw { ", including CAP_NET_RAW" } else { "" }
                    ),
                )
                .with_evidence("HostConfig.CapDrop", "[]"),
            );
        }
        if !c.capabilities.unknown.is_empty() {
            out.push(
                found(
                    &CTR_UNKNOWN_CAP,
                    format!("unknown capability names {}", shows(&c.capabilities.unknown)),
                )
                .with_evidence("HostConfig.CapAdd/CapDrop", shows(&c.capabilities.unknown)),
            );
        }
    }
}
