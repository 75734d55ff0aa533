//! Privileged mode and capabilities: `--privileged`, added capabilities beyond Docker's default set, the default set kept, unknown names.

use super::*;

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
