//! Networking: published ports, every-interface and privileged ports, the host network, the default bridge.

use super::*;

pub(super) fn network(c: &ContainerSnapshot, _host: &HostContext, out: &mut Vec<Finding>) {
    let found = |rule: &RuleInfo, message: String| Finding::from_rule(rule, c.name.as_str(), message);
    if !c.ports.is_empty() {
        let list: Vec<String> = c
            .ports
            .iter()
            .map(|p| {
                let ip = if p.host_ip.is_empty() {
                    "0.0.0.0"
                } else {
                    p.host_ip.as_str()
                };
                let port = if p.host_port.is_empty() {
                    "random"
                } else {
                    p.host_port.as_str()
                };
                format!("{ip}:{port}->{}/{}", p.container_port, p.protocol)
            })
            .collect();
        out.push(
            found(
                &CTR_PORTS_PUBLISHED,
                format!("publishes {} port(s): {}", list.len(), list.join(", ")),
            )
            .with_evidence("HostConfig.PortBindings", list.join(", ")),
        );
        let wildcard: Vec<&String> = c
            .ports
            .iter()
            .zip(&list)
            .filter(|(p, _)| matches!(p.host_ip.as_str(), "" | "0.0.0.0" | "::" | "[::]"))
            .map(|(_, s)| s)
            .collect();
        if !wildcard.is_empty() {
            let text = wildcard.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
            out.push(
                found(
                    &CTR_PORT_ALL_INTERFACES,
                    format!("publishes on every host interface: {text}"),
                )
                .with_evidence("HostConfig.PortBindings", text),
            );
        }
        for (p, text) in c.ports.iter().zip(&list) {
            let low = p
                .host_port
                .split('-')
                .next()
                .and_then(|s| s.parse::<u32>().ok())
                .is_some_and(|n| n > 0 && n < 1024);
            if low {
                out.push(
                    found(
                        &CTR_PRIVILEGED_PORT,
                        format!("publishes host port {} (below 1024)", p.host_port),
                    )
                    .with_evidence("HostConfig.PortBindings", text.clone()),
                );
            }
        }
    }
    if c.namespaces.network == "host" {
        out.push(
            found(&CTR_HOST_NETWORK, "shares the host's network namespace".to_string())
                .with_evidence("HostConfig.NetworkMode", "host"),
        );
    }
    let on_default_bridge = matches!(c.namespaces.network.as_str(), "default" | "bridge")
        && (c.networks.is_empty() || c.networks.iter().any(|n| n == "bridge"));
    if on_default_bridge {
        out.push(
            found(
                &CTR_DEFAULT_BRIDGE,
                "is attached to the default bridge network".to_string(),
            )
            .with_evidence("HostConfig.NetworkMode", c.namespaces.network.clone()),
        );
    }
}
