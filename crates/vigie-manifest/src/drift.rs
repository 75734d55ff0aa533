//! Drift: what runs against what a Compose file declares, key by key. The
//! declared side is the snapshot the file amounts to; the running side is
//! the engine's snapshot of each container with the project's labels.
//! Only keys the file sets are compared where the engine adds its own
//! (environment names: the image adds PATH; health check: the image may set one).

use std::collections::BTreeSet;

use vigie_rules::container::catalogue::CTR_DRIFT;
use vigie_rules::{FileLocation, Finding};
use vigie_snapshot::ContainerSnapshot;

use crate::compose::Project;
use crate::{Declared, Loc};

pub const PROJECT_LABEL: &str = "com.docker.compose.project";
pub const SERVICE_LABEL: &str = "com.docker.compose.service";

fn caps(list: &[String]) -> BTreeSet<String> {
    list.iter()
        .map(|c| {
            let up = c.trim().to_ascii_uppercase();
            up.strip_prefix("CAP_").map(str::to_string).unwrap_or(up)
        })
        .collect()
}

fn ports(c: &ContainerSnapshot) -> BTreeSet<String> {
    c.ports
        .iter()
        .map(|p| {
            let ip = if p.host_ip.is_empty() || p.host_ip == "::" {
                "0.0.0.0"
            } else {
                p.host_ip.as_str()
            };
            format!("{ip}:{}->{}/{}", p.host_port, p.container_port, p.protocol)
        })
        .collect()
}

fn mounts(c: &ContainerSnapshot) -> BTreeSet<String> {
    c.mounts
        .iter()
        .filter(|m| m.kind == "bind" || m.kind == "volume")
        .map(|m| {
            let ro = if m.read_only { "ro" } else { "rw" };
            if m.kind == "bind" {
                format!("bind {}:{} {ro}", m.source, m.destination)
            } else {
                format!("volume {} {ro}", m.destination)
            }
        })
        .collect()
}

fn show(set: &BTreeSet<String>) -> String {
    if set.is_empty() {
        "none".to_string()
    } else {
        set.iter().cloned().collect::<Vec<_>>().join(", ")
    }
}

fn finding(d: &Declared, running: &str, key: &str, declared: String, live: String, loc: &Loc) -> Finding {
    let f = Finding::from_rule(
        &CTR_DRIFT,
        d.name.as_str(),
        format!("container {running}: {key} is {live}, the file says {declared}"),
    )
    .with_evidence(format!("{} (file)", loc.path), declared)
    .with_evidence(format!("{running} (running)"), live);
    at_key(f, &d.file, loc)
}

/// A drift finding placed on its key in the file, with the Compose fix only.
fn at_key(mut f: Finding, file: &std::sync::Arc<str>, loc: &Loc) -> Finding {
    f.fix.docker_run = None;
    f.fix.kubernetes = None;
    f.location = Some(FileLocation {
        file: loc.file.clone().unwrap_or_else(|| file.clone()),
        line: loc.pos.line,
        column: loc.pos.column,
        path: loc.path.clone(),
    });
    f
}

/// Every difference between the project's services and its containers.
pub fn compare(project: &Project, containers: &[ContainerSnapshot]) -> Vec<Finding> {
    let mine: Vec<&ContainerSnapshot> = containers
        .iter()
        .filter(|c| c.labels.get(PROJECT_LABEL).map(String::as_str) == Some(project.name.as_str()))
        .collect();
    let mut out = Vec::new();
    for d in &project.declared {
        let Some(dc) = d.containers.first() else { continue };
        let service = d.name.rsplit('/').next().unwrap_or(&d.name);
        let want = &dc.snapshot;
        let running: Vec<&&ContainerSnapshot> = mine
            .iter()
            .filter(|c| c.labels.get(SERVICE_LABEL).map(String::as_str) == Some(service))
            .collect();
        if running.is_empty() {
            let f = Finding::from_rule(
                &CTR_DRIFT,
                d.name.as_str(),
                "declared, but no container of the project runs it".to_string(),
            )
            .with_evidence(dc.anchor.path.clone(), "no container");
            out.push(at_key(f, &d.file, &dc.anchor));
            continue;
        }
        let loc = |source: &str| dc.fields.get(source).cloned().unwrap_or_else(|| dc.anchor.clone());
        for live in running {
            let name = live.name.as_str();
            let mut diff = |key: &str, source: &str, a: String, b: String| {
                if a != b {
                    out.push(finding(d, name, key, a, b, &loc(source)));
                }
            };
            if !want.image.is_empty() {
                diff("image", "Config.Image", want.image.clone(), live.image.clone());
            }
            diff("user", "Config.User", want.user.clone(), live.user.clone());
            diff(
                "privileged",
                "HostConfig.Privileged",
                want.privileged.to_string(),
                live.privileged.to_string(),
            );
            diff(
                "cap_add",
                "HostConfig.CapAdd",
                show(&caps(&want.capabilities.add)),
                show(&caps(&live.capabilities.add)),
            );
            diff(
                "cap_drop",
                "HostConfig.CapDrop",
                show(&caps(&want.capabilities.drop)),
                show(&caps(&live.capabilities.drop)),
            );
            diff(
                "network_mode",
                "HostConfig.NetworkMode",
                want.namespaces.network.clone(),
                live.namespaces.network.clone(),
            );
            diff(
                "pid",
                "HostConfig.PidMode",
                want.namespaces.pid.clone(),
                live.namespaces.pid.clone(),
            );
            diff(
                "ipc",
                "HostConfig.IpcMode",
                want.namespaces.ipc.clone(),
                live.namespaces.ipc.clone(),
            );
            diff(
                "read_only",
                "HostConfig.ReadonlyRootfs",
                want.read_only_rootfs.to_string(),
                live.read_only_rootfs.to_string(),
            );
            let opts = |c: &ContainerSnapshot| -> BTreeSet<String> {
                c.security.raw.iter().map(|o| o.replacen(':', "=", 1)).collect()
            };
            diff(
                "security_opt",
                "HostConfig.SecurityOpt",
                show(&opts(want)),
                show(&opts(live)),
            );
            diff("volumes", "Config.Volumes", show(&mounts(want)), show(&mounts(live)));
            diff(
                "ports",
                "HostConfig.PortBindings",
                show(&ports(want)),
                show(&ports(live)),
            );
            diff(
                "memory limit",
                "HostConfig.Memory",
                want.limits.memory.to_string(),
                live.limits.memory.to_string(),
            );
            diff(
                "pids_limit",
                "HostConfig.PidsLimit",
                want.limits
                    .pids_limit
                    .filter(|n| *n > 0)
                    .map_or("none".into(), |n| n.to_string()),
                live.limits
                    .pids_limit
                    .filter(|n| *n > 0)
                    .map_or("none".into(), |n| n.to_string()),
            );
            diff(
                "restart",
                "HostConfig.RestartPolicy.Name",
                want.restart_policy.name.clone(),
                live.restart_policy.name.clone(),
            );
            let missing: Vec<String> = want
                .env_names
                .iter()
                .filter(|n| !live.env_names.contains(n))
                .cloned()
                .collect();
            if !missing.is_empty() {
                out.push(finding(
                    d,
                    name,
                    "environment",
                    want.env_names.join(", "),
                    format!("missing {}", missing.join(", ")),
                    &loc("Config.Env (names only)"),
                ));
            }
        }
    }
    let declared: BTreeSet<&str> = project
        .declared
        .iter()
        .map(|d| d.name.rsplit('/').next().unwrap_or(&d.name))
        .collect();
    for c in mine {
        let service = c.labels.get(SERVICE_LABEL).map(String::as_str).unwrap_or("");
        if !declared.contains(service) && !project.inactive.iter().any(|s| s == service) {
            let f = Finding::from_rule(
                &CTR_DRIFT,
                format!("{}/{service}", project.name),
                format!(
                    "container {} runs service {service}, which the file does not declare",
                    c.name
                ),
            )
            .with_evidence(SERVICE_LABEL, service.to_string());
            let first = project.files.first().map_or_else(|| "".into(), |f| f.as_str().into());
            let top = Loc::new(
                "services",
                crate::Pos {
                    line: 1,
                    column: 1,
                    src: 0,
                },
            );
            out.push(at_key(f, &first, &top));
        }
    }
    out
}
