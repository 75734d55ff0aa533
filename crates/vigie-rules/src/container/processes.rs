//! What the container runs: an SSH daemon.

use super::*;

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
