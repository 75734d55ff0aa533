//! Confinement: seccomp, AppArmor, SELinux, masked system paths, no-new-privileges.

use super::*;

use crate::finding::Mitigation;
use crate::rule_builders::{fix, rule};
use Mitigation::{NoPrivileged, NonRootUser};
use Severity::{High, Medium};

/// The rules of this concern, in id order.
pub(super) const RULES: &[&RuleInfo] = &[
    &CTR_SECCOMP_DISABLED,
    &CTR_NO_NEW_PRIVILEGES,
    &CTR_APPARMOR,
    &CTR_SELINUX_DISABLED,
    &CTR_SYSTEMPATHS,
];

pub const CTR_SECCOMP_DISABLED: RuleInfo = rule(
    "VGI-CTR-024",
    "Seccomp disabled",
    High,
    Some("5.22"),
    NoPrivileged,
    "seccomp=unconfined exposes the whole system-call surface of the host kernel (keyctl, bpf, userfaultfd, unshare…): most container-escape kernel exploits need a call the default profile blocks.",
    fix(
        "Keep Docker's default seccomp profile (or a stricter custom one)",
        "remove --security-opt seccomp=unconfined",
        "security_opt: remove seccomp:unconfined",
        "securityContext.seccompProfile.type: RuntimeDefault",
    ),
)
.detected(
    "`HostConfig.SecurityOpt` has `seccomp=unconfined` (privileged containers are reported by VGI-CTR-001).",
);

pub const CTR_NO_NEW_PRIVILEGES: RuleInfo = rule(
    "VGI-CTR-028",
    "no-new-privileges not set",
    Medium,
    Some("5.26"),
    NonRootUser,
    "Without no-new-privileges a process can regain privileges through setuid-root or file-capability binaries in the image (su, ping, custom binaries): a non-root user becomes root.",
    fix(
        "Forbid privilege gain through execve",
        "--security-opt no-new-privileges",
        "security_opt: [\"no-new-privileges:true\"]",
        "securityContext.allowPrivilegeEscalation: false",
    ),
)
.detected(
    "`HostConfig.SecurityOpt` lacks `no-new-privileges` (and the daemon does not report applying it to every container).",
);

pub const CTR_APPARMOR: RuleInfo = rule(
    "VGI-CTR-034",
    "No AppArmor confinement",
    Medium,
    Some("5.2"),
    NoPrivileged,
    "On an AppArmor host, Docker's docker-default profile denies writes to /proc and /sys and mounts; apparmor=unconfined (or a container created without a profile) loses that layer.",
    fix(
        "Run with docker-default or a stricter AppArmor profile",
        "remove --security-opt apparmor=unconfined (or --security-opt apparmor=PROFILE)",
        "security_opt: [\"apparmor:docker-default\"]",
        "securityContext.appArmorProfile.type: RuntimeDefault",
    ),
)
.detected(
    "`AppArmorProfile` is `unconfined` (`--security-opt apparmor=unconfined`), or empty on a host whose engine reports AppArmor. Not applicable on hosts without AppArmor.",
);

pub const CTR_SELINUX_DISABLED: RuleInfo = rule(
    "VGI-CTR-035",
    "SELinux labelling disabled",
    Medium,
    Some("5.3"),
    NoPrivileged,
    "label=disable runs the container unconfined by SELinux: on an SELinux host it may then read and write any file it can reach. Docker also adds label=disable by itself to privileged, --pid host and --ipc host containers, which is why 'security options are set' (docker-bench's test) proves nothing.",
    fix(
        "Keep SELinux labelling (or give a specific label)",
        "remove --security-opt label=disable (or --security-opt label=type:TYPE)",
        "security_opt: remove label:disable",
        "securityContext.seLinuxOptions with a confined type",
    ),
)
.detected(
    "`HostConfig.SecurityOpt` has `label=disable` on a container that is not privileged and shares neither the host PID nor IPC namespace: Docker adds `label=disable` by itself to those, so it is not the user's choice there (and docker-bench's \"security options are set\" test passes them). Low when the host has no SELinux.",
);

pub const CTR_SYSTEMPATHS: RuleInfo = rule(
    "VGI-CTR-036",
    "System paths unmasked",
    High,
    None,
    NoPrivileged,
    "systempaths=unconfined removes the masks and read-only mounts over /proc/kcore, /proc/keys, /proc/sys, /sys/firmware…: the container reads kernel memory maps and writes kernel tunables such as /proc/sys/kernel/core_pattern, a known escape.",
    fix(
        "Keep Docker's masked and read-only system paths",
        "remove --security-opt systempaths=unconfined",
        "security_opt: remove systempaths=unconfined",
        "securityContext.procMount: Default",
    ),
)
.detected(
    "`HostConfig.SecurityOpt` has `systempaths=unconfined`, or `HostConfig.MaskedPaths` is an empty list on a non-privileged container.",
);

pub(super) fn security_options(c: &ContainerSnapshot, host: &HostContext, out: &mut Vec<Finding>) {
    let found = |rule: &RuleInfo, message: String| Finding::from_rule(rule, c.name.as_str(), message);
    if !c.privileged {
        if c.security.seccomp == "unconfined" {
            out.push(
                found(&CTR_SECCOMP_DISABLED, "runs without a seccomp filter".to_string())
                    .with_evidence("HostConfig.SecurityOpt", "seccomp=unconfined"),
            );
        }
        if c.security.systempaths_unconfined || c.security.masked_paths_cleared {
            out.push(
                found(&CTR_SYSTEMPATHS, "unmasks /proc and /sys system paths".to_string()).with_evidence(
                    "HostConfig.SecurityOpt",
                    if c.security.systempaths_unconfined {
                        "systempaths=unconfined"
                    } else {
                        "MaskedPaths: []"
                    },
                ),
            );
        }
        let apparmor = c.security.apparmor.as_str();
        if apparmor == "unconfined" {
            out.push(
                found(&CTR_APPARMOR, "runs with AppArmor unconfined".to_string())
                    .with_evidence("AppArmorProfile", "unconfined"),
            );
        } else if apparmor.is_empty() && host.apparmor == Some(true) {
            out.push(
                found(&CTR_APPARMOR, "has no AppArmor profile on an AppArmor host".to_string())
                    .with_evidence("AppArmorProfile", "\"\""),
            );
        }
    }
    let docker_added_label = c.privileged || c.namespaces.pid == "host" || c.namespaces.ipc == "host";
    if c.security.label_disabled && !docker_added_label {
        let inert = host.selinux == Some(false);
        out.push(
            found(
                &CTR_SELINUX_DISABLED,
                if inert {
                    "disables SELinux labelling (no SELinux on this host today)".to_string()
                } else {
                    "disables SELinux labelling".to_string()
                },
            )
            .with_severity(if inert { Severity::Low } else { Severity::Medium })
            .with_evidence("HostConfig.SecurityOpt", "label=disable"),
        );
    }
    if !c.security.no_new_privileges && !host.no_new_privileges {
        out.push(
            found(
                &CTR_NO_NEW_PRIVILEGES,
                "can gain privileges through setuid binaries".to_string(),
            )
            .with_evidence("HostConfig.SecurityOpt", shows(&c.security.raw)),
        );
    }
}
