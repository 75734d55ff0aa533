//! `vigie audit`: the table view of an audit of containers and a host.

use vigie_rules::Finding;
use vigie_snapshot::{ContainerSnapshot, HostSnapshot};

use crate::findings::{TableOptions, to_table};
use crate::style::Style;

/// What was audited.
pub struct Audited<'a> {
    /// `engine unix:///var/run/docker.sock`, `docker inspect file x.json`.
    pub source: &'a str,
    pub host: Option<&'a HostSnapshot>,
    pub containers: &'a [ContainerSnapshot],
    pub warnings: &'a [String],
}

/// Source, engine and container states, then the findings table and what
/// counts again or is missing.
pub fn table(g: &Audited<'_>, findings: &[Finding], expired: usize, explain: bool, color: bool) -> String {
    let mut out = String::new();
    out.push_str(&format!("Source:      {}\n", g.source));
    if let Some(h) = &g.host {
        out.push_str(&format!(
            "Engine:      Docker {} (API {}), {}, cgroup v{}, {}\n",
            h.server_version,
            h.api_version,
            h.operating_system,
            h.cgroup_version,
            if h.security_options.is_empty() {
                "no security options".to_string()
            } else {
                h.security_options.join(" ")
            }
        ));
    }
    let mut states: Vec<(String, usize)> = Vec::new();
    for c in g.containers {
        match states.iter_mut().find(|(s, _)| *s == c.state) {
            Some((_, n)) => *n += 1,
            None => states.push((c.state.clone(), 1)),
        }
    }
    states.sort();
    out.push_str(&format!(
        "Containers:  {}{}\n\n",
        g.containers.len(),
        if states.is_empty() {
            String::new()
        } else {
            format!(
                " ({})",
                states
                    .iter()
                    .map(|(s, n)| format!("{n} {s}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    ));
    let mut out = crate::sanitize::lines(&out);
    out.push_str(&to_table(
        findings,
        TableOptions {
            style: Style { color },
            explain,
            width: None,
        },
    ));
    if expired > 0 {
        out.push_str(&format!("Expired acceptances: {expired} finding(s) count again\n"));
    }
    if !g.warnings.is_empty() {
        out.push_str(&format!("Incomplete: {} warning(s), see stderr\n", g.warnings.len()));
    }
    out
}
