//! Who runs: the container user, exec sessions, credentials in environment names.

use super::*;
use crate::secrets::is_secret_name;
use vigie_snapshot::is_root_user;

pub(super) fn exec_sessions(c: &ContainerSnapshot, _host: &HostContext, out: &mut Vec<Finding>) {
    let found = |rule: &RuleInfo, message: String| Finding::from_rule(rule, c.name.as_str(), message);
    for exec in &c.execs {
        let id: String = exec.id.chars().take(12).collect();
        if exec.privileged {
            out.push(
                found(&CTR_EXEC_PRIVILEGED, format!("has a privileged exec session {id}"))
                    .with_evidence(format!("exec {id}.Privileged"), "true"),
            );
        }
        if is_root_user(&exec.user) {
            out.push(
                found(&CTR_EXEC_ROOT, format!("has an exec session {id} as {}", exec.user))
                    .with_evidence(format!("exec {id}.User"), exec.user.clone()),
            );
        }
    }
}

pub(super) fn user_and_secrets(c: &ContainerSnapshot, host: &HostContext, out: &mut Vec<Finding>) {
    let found = |rule: &RuleInfo, message: String| Finding::from_rule(rule, c.name.as_str(), message);
    if c.runs_as_root() {
        let remapped = host.userns_remap == Some(true) && c.namespaces.user != "host";
        out.push(
            found(
                &CTR_ROOT_USER,
                if remapped {
                    "runs as root (remapped to an unprivileged host user by userns-remap)".to_string()
                } else {
                    "runs as root".to_string()
                },
            )
            .with_severity(if remapped { Severity::Low } else { Severity::Medium })
            .with_evidence(
                "Config.User",
                if c.user.is_empty() {
                    "\"\" (image default: root)".to_string()
                } else {
                    c.user.clone()
                },
            ),
        );
    }
    let secrets: Vec<String> = c.env_names.iter().filter(|n| is_secret_name(n)).cloned().collect();
    if !secrets.is_empty() {
        out.push(
            found(
                &CTR_SECRET_ENV,
                format!(
                    "passes secret-looking variables in its environment: {}",
                    secrets.join(", ")
                ),
            )
            .with_evidence("Config.Env (names only)", secrets.join(", ")),
        );
    }
}
