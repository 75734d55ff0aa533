//! Networking: published ports, every-interface and privileged ports, the host network, the default bridge.

use super::*;

use crate::finding::Mitigation;
use crate::rule_builders::{fix, rule};
use Mitigation::IsolatedNetwork;
use Severity::{High, Info, Low, Medium};

/// The rules of this concern, in id order.
pub(super) const RULES: &[&RuleInfo] = &[
    &CTR_PRIVILEGED_PORT,
    &CTR_PORTS_PUBLISHED,
    &CTR_HOST_NETWORK,
    &CTR_PORT_ALL_INTERFACES,
    &CTR_DEFAULT_BRIDGE,
];

pub const CTR_PRIVILEGED_PORT: RuleInfo = rule(
    "VGI-CTR-008",
    "Privileged host port published",
    Low,
    Some("5.8"),
    IsolatedNetwork,
    "Host ports below 1024 are reserved for system services; publishing a container there can impersonate or shadow one (SSH, DNS, SMTP) and usually means the service is exposed more than intended.",
    fix(
        "Publish on a port at or above 1024 and let a reverse proxy own the low port",
        "-p 8080:80 instead of -p 80:80",
        "ports: [\"8080:80\"]",
        "Service.spec.ports[].port >= 1024 (or an Ingress)",
    ),
)
.detected(
    "A `HostConfig.PortBindings` host port below 1024.",
);

pub const CTR_PORTS_PUBLISHED: RuleInfo = rule(
    "VGI-CTR-009",
    "Ports published on the host",
    Info,
    Some("5.9"),
    IsolatedNetwork,
    "Every published port is an entry point from outside the host; check that each one is needed (an inventory, not a fault).",
    fix(
        "Publish only the ports clients must reach; keep internal services on a user-defined network",
        "remove -p for ports no outside client needs",
        "ports: keep only what clients need (use expose for internal ports)",
        "Service of type ClusterIP for internal ports",
    ),
)
.detected(
    "`HostConfig.PortBindings` is not empty: an inventory of published ports (info).",
);

pub const CTR_HOST_NETWORK: RuleInfo = rule(
    "VGI-CTR-010",
    "Host network namespace shared",
    High,
    Some("5.10"),
    IsolatedNetwork,
    "--network host puts the container on every host interface: it reaches services bound to localhost (the Docker API on tcp://127.0.0.1, metadata endpoints, databases), sniffs traffic with CAP_NET_RAW and is not isolated by any Docker network (lab §2.4).",
    fix(
        "Use a user-defined bridge network and publish only the needed ports",
        "remove --network host; use --network APP_NET -p HOST:CONTAINER",
        "network_mode: remove \"host\"; networks: [app]",
        "spec.hostNetwork: false",
    ),
)
.detected(
    "`HostConfig.NetworkMode` is `host`.",
);

pub const CTR_PORT_ALL_INTERFACES: RuleInfo = rule(
    "VGI-CTR-014",
    "Port published on every host interface",
    Medium,
    Some("5.14"),
    IsolatedNetwork,
    "-p 8080:80 binds 0.0.0.0 (and ::): the port is reachable from every network the host is on, and Docker's iptables rules bypass host firewalls such as ufw.",
    fix(
        "Bind published ports to the one interface that must receive traffic",
        "-p 127.0.0.1:8080:80",
        "ports: [\"127.0.0.1:8080:80\"]",
        "Service.spec.type: ClusterIP (or restrict with NetworkPolicy / loadBalancerSourceRanges)",
    ),
)
.detected(
    "A `HostConfig.PortBindings` entry with `HostIp` empty, `0.0.0.0` or `::`.",
);

pub const CTR_DEFAULT_BRIDGE: RuleInfo = rule(
    "VGI-CTR-032",
    "Attached to the default bridge",
    Low,
    Some("5.30"),
    IsolatedNetwork,
    "Every container on docker0 can reach every other one (inter-container communication is on by default) and ARP-spoof them with CAP_NET_RAW; user-defined networks isolate applications from each other (lab §2.4).",
    fix(
        "Put each application on its own user-defined network",
        "docker network create app && docker run --network app …",
        "networks: [app] (Compose creates a project network by default)",
        "NetworkPolicy restricting ingress and egress",
    ),
)
.detected(
    "`HostConfig.NetworkMode` is `default` or `bridge` and the container is on the `bridge` network.",
);

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
