//! Who runs: the container user, exec sessions, credentials in environment names.

use super::*;
use crate::secrets::is_secret_name;
use vigie_snapshot::is_root_user;

use crate::finding::Mitigation;
use crate::rule_builders::{fix, rule};
use Mitigation::{NoPrivileged, NonRootUser, RegularScans};
use Severity::{High, Medium};

/// The rules of this concern, in id order.
pub(super) const RULES: &[&RuleInfo] = &[&CTR_EXEC_PRIVILEGED, &CTR_EXEC_ROOT, &CTR_ROOT_USER, &CTR_SECRET_ENV];

pub const CTR_EXEC_PRIVILEGED: RuleInfo = rule(
    "VGI-CTR-025",
    "Privileged docker exec session",
    High,
    Some("5.23"),
    NoPrivileged,
    "docker exec --privileged runs a process with every capability and no confinement inside an otherwise confined container.",
    fix(
        "Do not use docker exec --privileged; debug with the container's own privileges",
        "docker exec without --privileged",
        "docker compose exec without --privileged",
        "kubectl debug with a restricted profile",
    ),
)
.detected(
    "An exec session of the container (`ExecIDs`, then `GET /exec/ID/json`) has `ProcessConfig.privileged` true.",
);

pub const CTR_EXEC_ROOT: RuleInfo = rule(
    "VGI-CTR-026",
    "docker exec session as root",
    Medium,
    Some("5.24"),
    NonRootUser,
    "docker exec --user root gives a root shell in a container that was built to run as another user, undoing that protection.",
    fix(
        "Exec as the container's own user",
        "docker exec without --user root (or --user APPUSER)",
        "docker compose exec --user APPUSER",
        "kubectl exec runs as the container's runAsUser",
    ),
)
.detected(
    "An exec session runs with `ProcessConfig.user` `root` or `0`.",
);

pub const CTR_ROOT_USER: RuleInfo = rule(
    "VGI-CTR-037",
    "Runs as root",
    Medium,
    Some("4.1"),
    NonRootUser,
    "Root in the container is root on the host kernel (uid 0) unless user namespaces remap it: every escape or writable host mount then acts as host root. The lab's USER appuser fixes this in the image.",
    fix(
        "Run as an unprivileged user: USER in the Dockerfile, or at run time",
        "--user 1000:1000",
        "user: \"1000:1000\"",
        "securityContext.runAsNonRoot: true, runAsUser: 1000",
    ),
)
.detected(
    "`Config.User` is empty (the image's user; vigie does not assume the image sets one), `root`, `0` or `0:…`. Low when the daemon remaps root with userns-remap.",
);

pub const CTR_SECRET_ENV: RuleInfo = rule(
    "VGI-CTR-038",
    "Secret-looking environment variable",
    Medium,
    Some("4.10"),
    RegularScans,
    "Environment variables are visible to anyone who can run docker inspect, to every process in the container, to child processes and to crash reporters; secrets belong in files mounted with restricted permissions (vigie shows the name only, never the value).",
    fix(
        "Pass secrets as files (Docker/Compose secrets, Kubernetes Secret volumes), not environment variables",
        "--mount type=bind,src=./secret,dst=/run/secrets/NAME,ro (or docker secret)",
        "secrets: [NAME] with the service reading /run/secrets/NAME",
        "volumes: secret (not env valueFrom.secretKeyRef)",
    ),
)
.detected(
    "An environment variable *name* in `Config.Env` contains PASSWORD, PASSWD, SECRET, TOKEN, API_KEY, PRIVATE_KEY, ACCESS_KEY, CREDENTIAL… (names ending in `_FILE`, `_PATH`, `_DIR` excluded). Values are dropped when the snapshot is built and never stored or printed.",
);

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
