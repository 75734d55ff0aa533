//! `vigie audit image --runtime`: the Runtime block of the table.

use vigie_rules::image::report::RuntimeReport;

fn with_name(id: u32, name: Option<&str>) -> String {
    match name {
        Some(n) => format!("{id}({n})"),
        None => format!("{id}(no name)"),
    }
}

fn cap_list(names: &[String]) -> String {
    names
        .iter()
        .map(|c| c.trim_start_matches("CAP_"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The table's Runtime block.
pub fn runtime_block(report: &RuntimeReport) -> String {
    let u = &report.user;
    let mut out = format!(
        "Runtime (observed by vigie inside in a probe container, {:.1} s: {})\n",
        report.probe.duration_ms as f64 / 1000.0,
        report.profile
    );
    let mut row = |label: &str, value: String| out.push_str(&format!("  {label:<28}{value}\n"));
    row(
        "USER (configured)",
        if u.configured.is_empty() {
            "(none: root by default)".to_string()
        } else {
            u.configured.clone()
        },
    );
    let same = |ids: &[u32; 4]| ids.iter().all(|i| *i == ids[0]);
    row(
        "uid / gid (observed)",
        format!(
            "{} / {}{}",
            with_name(u.uid, u.name.as_deref()),
            with_name(u.gid, u.group_name.as_deref()),
            if same(&u.observed.uid) && same(&u.observed.gid) {
                String::new()
            } else {
                format!(
                    " (real, effective, saved, fs: uid {:?} gid {:?})",
                    u.observed.uid, u.observed.gid
                )
            }
        ),
    );
    row(
        "groups (observed)",
        if u.groups.is_empty() {
            "none".to_string()
        } else {
            u.groups
                .iter()
                .zip(&u.group_names)
                .map(|(g, n)| with_name(*g, n.as_deref()))
                .collect::<Vec<_>>()
                .join(" ")
        },
    );
    row(
        "/etc/passwd",
        match (&u.passwd_line, u.passwd_present) {
            (Some(line), _) => line.clone(),
            (None, true) => format!("no entry for uid {}", u.uid),
            (None, false) => "no /etc/passwd in the image".to_string(),
        },
    );
    if u.uid == 0 {
        row(
            "user namespace",
            if report.user_namespace {
                format!("yes (uid_map {})", report.uid_map.as_deref().unwrap_or("?"))
            } else {
                "no: uid 0 in the container is uid 0 on the host".to_string()
            },
        );
    }
    let hardened = &report.capabilities.hardened;
    row(
        "caps, probe (observed)",
        format!(
            "{} (CapEff {}, CapBnd {}; {})",
            if hardened.effective.is_empty() {
                "none".to_string()
            } else {
                cap_list(&hardened.effective)
            },
            hardened.cap_eff.as_deref().unwrap_or("?"),
            hardened.cap_bnd.as_deref().unwrap_or("?"),
            hardened.explanation
        ),
    );
    let default = &report.capabilities.docker_default;
    row(
        "caps, docker run (derived)",
        if default.effective.is_empty() {
            format!("none ({})", default.explanation)
        } else {
            format!(
                "{} effective ({}): {}",
                default.effective.len(),
                default.explanation,
                cap_list(&default.effective)
            )
        },
    );
    out.push('\n');
    crate::sanitize::lines(&out)
}
