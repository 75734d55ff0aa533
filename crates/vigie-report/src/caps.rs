//! `vigie caps`: sets, their names, the diff against Docker's default,
//! dangerous capabilities with why, then NoNewPrivs, seccomp and ids.

use vigie_caps::report::CapsReport;

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "-".to_string()
    } else {
        names.join(", ")
    }
}

/// The table view of `vigie caps`.
pub fn table(report: &CapsReport) -> String {
    let mut out = String::new();
    out.push_str(&format!("Source:  {}\n", report.source));
    match report.kernel_last_cap {
        Some(n) => out.push_str(&format!(
            "Kernel:  cap_last_cap {n} ({} capabilities, from {})\n",
            u32::from(n) + 1,
            report.kernel_last_cap_source
        )),
        None => out.push_str(&format!("Kernel:  {}\n", report.kernel_last_cap_source)),
    }
    if let Some(c) = &report.container {
        out.push_str(&format!(
            "Container: {} ({}), state {}, privileged {}, CapAdd [{}], CapDrop [{}], configured set {}\n",
            c.name,
            c.id.chars().take(12).collect::<String>(),
            c.state,
            c.privileged,
            c.cap_add.join(", "),
            c.cap_drop.join(", "),
            c.configured_effective
        ));
        if !c.unknown_capabilities.is_empty() {
            out.push_str(&format!(
                "  unknown capability names in the configuration: {}\n",
                c.unknown_capabilities.join(", ")
            ));
        }
    }
    for set in &report.sets {
        let s = &set.set;
        out.push_str(&format!(
            "\n{:<7} {}  {} capabilit{}  ({})\n",
            set.field,
            s.mask,
            s.capabilities.len(),
            if s.capabilities.len() == 1 { "y" } else { "ies" },
            set.meaning
        ));
        if s.full_set {
            out.push_str("  ALL capabilities of the kernel (full set)\n");
        } else if !s.capabilities.is_empty() {
            out.push_str(&format!("  {}\n", s.capabilities.join(", ")));
        }
        if s.value != 0 || set.field == "CapEff" || set.field == "mask" || set.field == "configured" {
            out.push_str(&format!(
                "  vs Docker default ({}): added {}; removed {}\n",
                report.docker_default,
                list(&s.added),
                list(&s.removed)
            ));
        }
        for d in &s.dangerous {
            let note = if d.in_docker_default {
                " (in Docker's default set)"
            } else {
                ""
            };
            out.push_str(&format!(
                "  ! {:<8} {}{}: {}\n",
                d.severity.to_ascii_uppercase(),
                d.name,
                note,
                d.why
            ));
        }
    }
    out.push_str(&format!("\nVerdict: {}\n", report.privileged_verdict.text));
    if let Some(n) = &report.no_new_privs {
        out.push_str(&format!("NoNewPrivs: {}\n", n.meaning));
    }
    if let Some(s) = &report.seccomp {
        out.push_str(&format!("Seccomp:    {}\n", s.meaning));
    }
    if let Some(uid) = report.uid {
        out.push_str(&format!(
            "Uid:        real {} effective {} saved {} fs {}{}\n",
            uid[0],
            uid[1],
            uid[2],
            uid[3],
            if uid[1] == 0 { " (root)" } else { "" }
        ));
    }
    if let Some(gid) = report.gid {
        out.push_str(&format!(
            "Gid:        real {} effective {} saved {} fs {}\n",
            gid[0], gid[1], gid[2], gid[3]
        ));
    }
    if let Some(groups) = &report.groups {
        let list: Vec<String> = groups.iter().map(u32::to_string).collect();
        out.push_str(&format!(
            "Groups:     {}\n",
            if list.is_empty() {
                "-".to_string()
            } else {
                list.join(" ")
            }
        ));
    }
    for note in &report.notes {
        out.push_str(&format!("Note: {note}\n"));
    }
    crate::sanitize::lines(&out)
}

/// The JSON view of `vigie caps` (the report as is, pretty-printed).
pub fn json(report: &CapsReport) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(report)?;
    text.push('\n');
    Ok(text)
}
