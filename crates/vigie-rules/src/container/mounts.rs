//! Mounts, the root filesystem and devices: host paths, engine sockets, propagation, read-only root, `--device` and device cgroup rules.

use super::*;
use crate::sockets::{exposes_engine_socket, is_engine_socket_file};

pub(super) fn mounts(c: &ContainerSnapshot, _host: &HostContext, out: &mut Vec<Finding>) {
    let found = |rule: &RuleInfo, message: String| Finding::from_rule(rule, c.name.as_str(), message);
    for m in &c.mounts {
        let spec = format!("{}:{}{}", m.source, m.destination, if m.read_only { ":ro" } else { "" });
        let field = format!("Mounts[{}]", m.destination);
        if m.kind != "bind" {
            if matches!(m.propagation.as_str(), "shared" | "rshared") {
                out.push(
                    found(
                        &CTR_SHARED_PROPAGATION,
                        format!("{} is mounted with {} propagation", m.destination, m.propagation),
                    )
                    .with_evidence(format!("{field}.Propagation"), m.propagation.clone()),
                );
            }
            continue;
        }
        let path = normalise_path(&m.source);
        if exposes_engine_socket(&path) {
            let what = if is_engine_socket_file(&path) {
                format!("mounts the engine socket {path}")
            } else {
                format!("mounts {path}, which holds the engine socket")
            };
            out.push(
                found(
                    &CTR_ENGINE_SOCKET,
                    format!(
                        "{what} at {}{}",
                        m.destination,
                        if m.read_only {
                            " (read-only does not protect a socket)"
                        } else {
                            ""
                        }
                    ),
                )
                .with_evidence(field.clone(), spec.clone()),
            );
        }
        if let Some((rw, ro)) = sensitive(&path) {
            if m.read_only {
                out.push(
                    found(
                        &CTR_SENSITIVE_MOUNT_RO,
                        format!("host {path} mounted read-only at {}", m.destination),
                    )
                    .with_severity(ro)
                    .with_evidence(field.clone(), spec.clone()),
                );
            } else {
                out.push(
                    found(
                        &CTR_SENSITIVE_MOUNT_RW,
                        format!("host {path} mounted writable at {}", m.destination),
                    )
                    .with_severity(rw)
                    .with_evidence(field.clone(), spec.clone()),
                );
            }
        }
        if matches!(m.propagation.as_str(), "shared" | "rshared") {
            out.push(
                found(
                    &CTR_SHARED_PROPAGATION,
                    format!("{path} is mounted with {} propagation", m.propagation),
                )
                .with_evidence(format!("{field}.Propagation"), m.propagation.clone()),
            );
        }
    }
}

pub(super) fn root_filesystem(c: &ContainerSnapshot, _host: &HostContext, out: &mut Vec<Finding>) {
    let found = |rule: &RuleInfo, message: String| Finding::from_rule(rule, c.name.as_str(), message);
    if !c.read_only_rootfs {
        out.push(
            found(&CTR_WRITABLE_ROOTFS, "has a writable root filesystem".to_string())
                .with_evidence("HostConfig.ReadonlyRootfs", "false"),
        );
    }
}

pub(super) fn devices(c: &ContainerSnapshot, _host: &HostContext, out: &mut Vec<Finding>) {
    let found = |rule: &RuleInfo, message: String| Finding::from_rule(rule, c.name.as_str(), message);
    for d in &c.devices {
        let severity = if disk_or_memory_device(&d.host_path) {
            Severity::Critical
        } else {
            Severity::Medium
        };
        out.push(
            found(
                &CTR_HOST_DEVICE,
                format!("has host device {} ({})", d.host_path, d.permissions),
            )
            .with_severity(severity)
            .with_evidence(
                "HostConfig.Devices",
                format!("{}:{}:{}", d.host_path, d.container_path, d.permissions),
            ),
        );
    }
    for rule_text in &c.device_cgroup_rules {
        let wide = rule_text.starts_with('a') || rule_text.contains("*:*") || rule_text.starts_with("b ");
        out.push(
            found(
                &CTR_DEVICE_CGROUP_RULE,
                format!("allows devices by cgroup rule '{rule_text}'"),
            )
            .with_severity(if wide { Severity::High } else { Severity::Medium })
            .with_evidence("HostConfig.DeviceCgroupRules", rule_text.clone()),
        );
    }
}
