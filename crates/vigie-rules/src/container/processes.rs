//! What the container runs: an SSH daemon.

use super::*;

use crate::finding::Mitigation;
use crate::rule_builders::{fix, rule};
use Mitigation::IsolatedNetwork;
use Severity::Medium;

/// The rules of this concern, in id order.
pub(super) const RULES: &[&RuleInfo] = &[&CTR_SSHD];

pub const CTR_SSHD: RuleInfo = rule(
    "VGI-CTR-007",
    "SSH daemon in the container",
    Medium,
    Some("5.7"),
    IsolatedNetwork,
    "An SSH server adds a remotely reachable login, its own keys and its own patching burden to every container; docker exec already gives operators a shell.",
    fix(
        "Remove sshd from the image and use docker exec for access",
        "run the service itself, not /usr/sbin/sshd; do not publish port 22",
        "command: the service itself; ports: remove 22",
        "containers[].command: the service itself; use kubectl exec",
    ),
)
.detected(
    "`Config.Entrypoint`/`Cmd` runs `sshd`, or the container exposes or publishes port 22. (docker-bench runs `docker exec ps` in running containers only; vigie reads the configuration, so created and stopped containers are covered.)",
);

pub(super) fn sshd(c: &ContainerSnapshot, _host: &HostContext, out: &mut Vec<Finding>) {
    let found = |rule: &RuleInfo, message: String| Finding::from_rule(rule, c.name.as_str(), message);
    let sshd_in_command = c.command.iter().any(|arg| {
        arg.split(|ch: char| ch.is_whitespace() || ch == ';' || ch == '&')
            .any(|w| w.rsplit('/').next() == Some("sshd"))
    });
    let ssh_port = c.exposed_ports.iter().any(|p| p == "22/tcp") || c.ports.iter().any(|p| p.container_port == "22");
    if sshd_in_command || ssh_port {
        let mut f = found(
            &CTR_SSHD,
            if sshd_in_command {
                "starts an SSH daemon".to_string()
            } else {
                "exposes the SSH port 22".to_string()
            },
        );
        if sshd_in_command {
            f = f.with_evidence("Config.Entrypoint+Cmd", "sshd");
        }
        if ssh_port {
            f = f.with_evidence("Config.ExposedPorts", "22/tcp");
        }
        out.push(f);
    }
}
