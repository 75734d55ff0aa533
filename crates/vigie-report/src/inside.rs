//! `vigie inside`: what the process sees (where, user, capabilities,
//! NoNewPrivs, seccomp, LSM, network), then its findings.

use vigie_caps::explain::{no_new_privs_meaning, seccomp_meaning};
use vigie_rules::inside::InsideReport;

use crate::findings::{TableOptions, to_table};
use crate::style::Style;

/// The environment block, then the findings table.
pub fn table(report: &InsideReport, explain: bool, color: bool) -> String {
    let e = &report.environment;
    let mut out = String::new();
    let where_ = if e.in_container {
        format!(
            "in a container (runtime: {})",
            e.runtime.as_deref().unwrap_or("unknown")
        )
    } else {
        "not in a container".to_string()
    };
    out.push_str(&format!("Where:        {where_}\n"));
    for s in &e.container_signs {
        out.push_str(&format!("              sign: {s}\n"));
    }
    if let Some(v) = e.cgroup_version {
        out.push_str(&format!("cgroup:       v{v}\n"));
    }
    if let Some(uid) = e.uid {
        out.push_str(&format!(
            "User:         uid {} gid {}{}; user namespace: {}\n",
            uid[1],
            e.gid.map(|g| g[1]).unwrap_or_default(),
            if uid[1] == 0 { " (root)" } else { "" },
            if e.user_namespace {
                format!("yes (uid_map: {})", e.uid_map.as_deref().unwrap_or(""))
            } else {
                if uid[1] == 0 {
                    "no (uid 0 here is uid 0 on the host)"
                } else {
                    "no"
                }
                .to_string()
            }
        ));
    }
    out.push_str(&format!(
        "Capabilities: CapEff {} ({}): {}\n",
        e.cap_eff.as_deref().unwrap_or("?"),
        e.capabilities.len(),
        if e.capabilities.is_empty() {
            "none".to_string()
        } else {
            e.capabilities.join(", ")
        }
    ));
    if let Some(n) = e.no_new_privs {
        out.push_str(&format!("NoNewPrivs:   {}\n", no_new_privs_meaning(n)));
    }
    if let Some(s) = e.seccomp {
        out.push_str(&format!("Seccomp:      {}\n", seccomp_meaning(s, e.seccomp_filters)));
    }
    out.push_str(&format!(
        "LSM:          {}\n",
        match (&e.lsm, &e.lsm_label) {
            (Some(l), Some(label)) => format!("{l}, label {label}"),
            (Some(l), None) => format!("{l}, no label"),
            (None, _) => "no AppArmor/SELinux on this kernel".to_string(),
        }
    ));
    if !e.network_interfaces.is_empty() {
        out.push_str(&format!("Network:      {}\n", e.network_interfaces.join(", ")));
    }
    out.push('\n');
    let mut out = crate::sanitize::lines(&out);
    out.push_str(&to_table(
        &report.findings,
        TableOptions {
            style: Style { color },
            explain,
            width: None,
        },
    ));
    if !report.warnings.is_empty() {
        out.push_str(&format!(
            "Incomplete: {} probe(s) could not run (see warnings)\n",
            report.warnings.len()
        ));
    }
    out
}
