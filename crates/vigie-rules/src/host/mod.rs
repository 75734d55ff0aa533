//! Host rules (VGI-HOST-*): the Docker daemon's configuration as the engine
//! reports it (`docker info`, `docker version`), target `host`.

pub mod catalogue;

use crate::container::shows;
use crate::finding::{Finding, RuleInfo};
use catalogue::*;
use vigie_snapshot::HostSnapshot;

/// Findings about the Docker host itself (target `host`).
pub fn audit_host(h: &HostSnapshot) -> Vec<Finding> {
    let mut out = Vec::new();
    let found = |rule: &RuleInfo, message: String| Finding::from_rule(rule, "host", message);
    if !h.userns_remap {
        out.push(
            found(
                &HOST_NO_USERNS,
                "user namespace remapping is off: container root is host root".to_string(),
            )
            .with_evidence("info.SecurityOptions", shows(&h.security_options)),
        );
    }
    if !h.live_restore {
        out.push(
            found(&HOST_NO_LIVE_RESTORE, "live restore is off".to_string())
                .with_evidence("info.LiveRestoreEnabled", "false"),
        );
    }
    if h.default_bridge_icc == Some(true) {
        out.push(
            found(
                &HOST_ICC,
                "containers on the default bridge can reach each other".to_string(),
            )
            .with_evidence("network bridge Options[com.docker.network.bridge.enable_icc]", "true"),
        );
    }
    let plain_tcp = h.endpoint.starts_with("tcp://") || h.endpoint.starts_with("http://");
    let warned: Vec<&String> = h.warnings.iter().filter(|w| w.contains("without encryption")).collect();
    if plain_tcp || !warned.is_empty() {
        let mut f = found(
            &HOST_TCP_NO_TLS,
            "the engine API is served over TCP without TLS".to_string(),
        );
        if plain_tcp {
            f = f.with_evidence("endpoint", h.endpoint.clone());
        }
        for w in warned {
            f = f.with_evidence("info.Warnings", w.clone());
        }
        out.push(f);
    }
    if !h.insecure_registries.is_empty() {
        out.push(
            found(
                &HOST_INSECURE_REGISTRY,
                format!("insecure registries: {}", h.insecure_registries.join(", ")),
            )
            .with_evidence("info.RegistryConfig", shows(&h.insecure_registries)),
        );
    }
    if h.seccomp_profile.is_none() {
        out.push(
            found(
                &HOST_NO_SECCOMP,
                "the engine does not report seccomp support".to_string(),
            )
            .with_evidence("info.SecurityOptions", shows(&h.security_options)),
        );
    }
    if !h.apparmor && !h.selinux {
        out.push(
            found(
                &HOST_NO_MAC,
                "neither AppArmor nor SELinux confines containers".to_string(),
            )
            .with_evidence("info.SecurityOptions", shows(&h.security_options)),
        );
    }
    if !h.rootless {
        out.push(
            found(&HOST_ROOTFUL, "the daemon runs as root (not rootless)".to_string())
                .with_evidence("info.SecurityOptions", shows(&h.security_options)),
        );
    }
    if h.cgroup_version.trim() == "1" {
        out.push(
            found(&HOST_CGROUP_V1, "the host uses cgroup v1".to_string()).with_evidence("info.CgroupVersion", "1"),
        );
    }
    if h.logging_driver == "none" {
        out.push(
            found(&HOST_LOGGING, "the default log driver is none".to_string())
                .with_evidence("info.LoggingDriver", "none"),
        );
    }
    if h.storage_driver == "aufs" {
        out.push(found(&HOST_AUFS, "the storage driver is aufs".to_string()).with_evidence("info.Driver", "aufs"));
    }
    if h.swarm == "active" || h.swarm == "pending" {
        out.push(
            found(&HOST_SWARM, format!("swarm mode is {}", h.swarm))
                .with_evidence("info.Swarm.LocalNodeState", h.swarm.clone()),
        );
    }
    if h.experimental {
        out.push(
            found(&HOST_EXPERIMENTAL, "experimental features are enabled".to_string())
                .with_evidence("info.ExperimentalBuild", "true"),
        );
    }
    if h.debug {
        out.push(found(&HOST_DEBUG, "the daemon runs in debug mode".to_string()).with_evidence("info.Debug", "true"));
    }
    if h.authorization_plugins.is_empty() {
        out.push(
            found(&HOST_NO_AUTHZ, "no authorization plugin guards the API".to_string())
                .with_evidence("info.Plugins.Authorization", "[]"),
        );
    }
    let major: Option<u32> = h
        .server_version
        .split(['.', '-', '+'])
        .next()
        .and_then(|m| m.parse().ok());
    if let Some(major) = major
        && major < 25
    {
        out.push(
            found(
                &HOST_OLD_ENGINE,
                format!("Docker Engine {} is past end of life", h.server_version),
            )
            .with_evidence("version.Version", h.server_version.clone()),
        );
    }
    for w in h.warnings.iter().filter(|w| !w.contains("without encryption")) {
        let text = w.trim().trim_start_matches("WARNING:").trim().to_string();
        out.push(found(&HOST_WARNING, format!("the engine warns: {text}")).with_evidence("info.Warnings", w.clone()));
    }
    out
}
