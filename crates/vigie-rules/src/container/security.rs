//! Confinement: seccomp, AppArmor, SELinux, masked system paths, no-new-privileges.

use super::*;

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
