//! A container's posture as `vigie run` prints it after creating and after
//! starting it: the key facts, one per line, then its findings.

use vigie_rules::Finding;
use vigie_snapshot::ContainerSnapshot;

use crate::findings::{TableOptions, to_table};
use crate::style::Style;

/// The key facts, one per line, then the findings table.
pub fn text(name: &str, s: &ContainerSnapshot, findings: &[Finding]) -> String {
    let caps = if s.capabilities.effective.is_empty() {
        "none".to_string()
    } else {
        s.capabilities
            .effective
            .iter()
            .map(|c| c.trim_start_matches("CAP_"))
            .collect::<Vec<_>>()
            .join(",")
    };
    let user = if s.user.is_empty() {
        "(image default: root)".to_string()
    } else {
        s.user.clone()
    };
    let mounts = if s.mounts.is_empty() {
        "none".to_string()
    } else {
        s.mounts
            .iter()
            .map(|m| format!("{}:{}{}", m.source, m.destination, if m.read_only { ":ro" } else { "" }))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let limit = |v: Option<i64>| v.filter(|v| *v > 0).map_or("none".to_string(), |v| v.to_string());
    let mut out = format!("posture of {name}:\n");
    out.push_str(&format!("  user              {user}\n"));
    out.push_str(&format!(
        "  capabilities      {caps} (mask {})\n",
        s.capabilities.effective_mask
    ));
    out.push_str(&format!("  privileged        {}\n", s.privileged));
    out.push_str(&format!("  no-new-privileges {}\n", s.security.no_new_privileges));
    out.push_str(&format!("  read-only rootfs  {}\n", s.read_only_rootfs));
    out.push_str(&format!(
        "  seccomp           {}\n",
        if s.security.seccomp.is_empty() {
            "default"
        } else {
            &s.security.seccomp
        }
    ));
    out.push_str(&format!("  network           {}\n", s.namespaces.network));
    out.push_str(&format!("  mounts            {mounts}\n"));
    out.push_str(&format!(
        "  limits            memory {} B, pids {}, nano-cpus {}\n",
        limit(Some(s.limits.memory)),
        limit(s.limits.pids_limit),
        limit(Some(s.limits.nano_cpus))
    ));
    out.push('\n');
    let mut out = crate::sanitize::lines(&out);
    out.push_str(&to_table(
        findings,
        TableOptions {
            style: Style { color: false },
            explain: false,
            width: None,
        },
    ));
    out
}
