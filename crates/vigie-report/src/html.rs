//! `vigie audit --report report.html`: one self-contained page (inline CSS,
//! inline SVG chart, a small inline script for sorting and filtering, no
//! external asset). Container names, labels, images and env names are
//! attacker-controlled: the template is rendered with minijinja's HTML
//! auto-escaping, no data ever goes into the script, and a
//! Content-Security-Policy allows only the page's own script (by hash).

use minijinja::{AutoEscape, Environment, context};
use serde::Serialize;
use sha2::{Digest, Sha256};
use vigie_rules::{Finding, Mitigation, Severity};
use vigie_snapshot::{ContainerSnapshot, HostSnapshot};

use crate::findings::Summary;

const TEMPLATE: &str = include_str!("../templates/audit.html");
const SCRIPT: &str = include_str!("../templates/audit.js");

#[derive(Debug, thiserror::Error)]
pub enum HtmlError {
    #[error("cannot render the HTML report: {0}")]
    Render(String),
}

/// Everything the report shows.
#[derive(Debug, Clone, Copy)]
pub struct AuditReport<'a> {
    pub title: &'a str,
    pub tool_version: &'a str,
    /// When the audit ran, as the caller wants it shown.
    pub generated: &'a str,
    /// `engine unix:///var/run/docker.sock` or `docker inspect file x.json`.
    pub source: &'a str,
    pub host: Option<&'a HostSnapshot>,
    pub containers: &'a [ContainerSnapshot],
    /// Sorted with `sort_findings`.
    pub findings: &'a [Finding],
    pub warnings: &'a [String],
    /// For `audit image --report`: the image the findings are about, as
    /// (field, value) pairs in display order; containers are then empty.
    pub image: Option<&'a ImageFacts>,
}

/// The image of an image audit, for its card.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImageFacts {
    pub name: String,
    pub facts: Vec<(String, String)>,
}

#[derive(Serialize)]
struct SeverityBar {
    name: &'static str,
    count: usize,
    bar: usize,
    y: usize,
    color: &'static str,
}

#[derive(Serialize)]
struct TopRule {
    rule_id: String,
    title: String,
    count: usize,
}

#[derive(Serialize)]
struct MitigationGroup {
    title: &'static str,
    open: usize,
    worst: Option<&'static str>,
    top: Vec<TopRule>,
}

#[derive(Serialize)]
struct Card {
    name: String,
    image: String,
    state: String,
    user: String,
    root: bool,
    privileged: bool,
    cap_count: usize,
    caps_added: Vec<String>,
    seccomp: String,
    no_new_privileges: bool,
    namespaces: String,
    network: String,
    ports: Vec<String>,
    mounts: Vec<String>,
    read_only: bool,
    limits: String,
    summary: String,
    worst: Option<&'static str>,
    labels: Vec<String>,
}

#[derive(Serialize)]
struct Row<'a> {
    #[serde(flatten)]
    finding: &'a Finding,
    rank: u8,
    mitigation: &'static str,
}

fn rank(severity: Severity) -> u8 {
    match severity {
        Severity::Info | Severity::Unknown => 0,
        Severity::Low => 1,
        Severity::Medium => 2,
        Severity::High => 3,
        Severity::Critical => 4,
    }
}

fn color(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "#8b0000",
        Severity::High => "#d0342c",
        Severity::Medium => "#e8a317",
        Severity::Low => "#2f86c8",
        Severity::Info | Severity::Unknown => "#8a8f98",
    }
}

const MITIGATIONS: [Mitigation; 5] = [
    Mitigation::NoPrivileged,
    Mitigation::NonRootUser,
    Mitigation::IsolatedNetwork,
    Mitigation::RegularScans,
    Mitigation::UpToDate,
];

fn worst(findings: &[&Finding]) -> Option<&'static str> {
    findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .map(|f| f.severity)
        .max()
        .map(Severity::as_str)
}

fn bytes(n: i64) -> String {
    const MIB: i64 = 1 << 20;
    if n >= 1 << 30 && n % (1 << 30) == 0 {
        format!("{}g", n >> 30)
    } else if n >= MIB {
        format!("{}m", n / MIB)
    } else {
        format!("{n}b")
    }
}

fn card(c: &ContainerSnapshot, findings: &[Finding]) -> Card {
    let own: Vec<&Finding> = findings.iter().filter(|f| f.target == c.name).collect();
    let default = vigie_caps::DOCKER_DEFAULT;
    let caps_added = if c.privileged {
        vec!["ALL (privileged)".to_string()]
    } else {
        c.capabilities
            .effective
            .iter()
            .filter(|n| vigie_caps::by_name(n).is_some_and(|cap| default & (1u64 << cap.number) == 0))
            .cloned()
            .collect()
    };
    let ns = &c.namespaces;
    let host_ns: Vec<&str> = [
        ("pid", &ns.pid),
        ("ipc", &ns.ipc),
        ("uts", &ns.uts),
        ("user", &ns.user),
        ("cgroup", &ns.cgroup),
    ]
    .iter()
    .filter(|(_, v)| v.as_str() == "host")
    .map(|(k, _)| *k)
    .collect();
    let limits = format!(
        "memory {}, pids {}, cpu {}",
        if c.limits.memory > 0 {
            bytes(c.limits.memory)
        } else {
            "unlimited".to_string()
        },
        match c.limits.pids_limit {
            Some(n) if n > 0 => n.to_string(),
            _ => "unlimited".to_string(),
        },
        if c.limits.nano_cpus > 0 {
            format!("{:.2}", c.limits.nano_cpus as f64 / 1e9)
        } else if c.limits.cpu_quota > 0 {
            format!("quota {}", c.limits.cpu_quota)
        } else if c.limits.cpu_shares > 0 {
            format!("shares {}", c.limits.cpu_shares)
        } else {
            "unlimited".to_string()
        }
    );
    Card {
        name: c.name.clone(),
        image: c.image.clone(),
        state: c.state.clone(),
        user: if c.user.is_empty() {
            "image default".to_string()
        } else {
            c.user.clone()
        },
        root: c.runs_as_root(),
        privileged: c.privileged,
        cap_count: c.capabilities.effective.len(),
        caps_added,
        seccomp: c.security.seccomp.clone(),
        no_new_privileges: c.security.no_new_privileges,
        namespaces: if host_ns.is_empty() {
            "private".to_string()
        } else {
            format!("host {}", host_ns.join(", "))
        },
        network: c.namespaces.network.clone(),
        ports: c
            .ports
            .iter()
            .map(|p| {
                format!(
                    "{}:{}->{}/{}",
                    if p.host_ip.is_empty() { "0.0.0.0" } else { &p.host_ip },
                    p.host_port,
                    p.container_port,
                    p.protocol
                )
            })
            .collect(),
        mounts: c
            .mounts
            .iter()
            .map(|m| format!("{}:{}{}", m.source, m.destination, if m.read_only { ":ro" } else { "" }))
            .collect(),
        read_only: c.read_only_rootfs,
        limits,
        summary: Summary::of(&own.iter().map(|f| (*f).clone()).collect::<Vec<_>>()).line(),
        worst: worst(&own),
        labels: c.labels.iter().map(|(k, v)| format!("{k}={v}")).collect(),
    }
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The report as one HTML document.
pub fn audit_report(report: &AuditReport<'_>) -> Result<String, HtmlError> {
    let summary = Summary::of(report.findings);
    let counts = [
        (Severity::Critical, summary.critical),
        (Severity::High, summary.high),
        (Severity::Medium, summary.medium),
        (Severity::Low, summary.low),
        (Severity::Info, summary.info),
    ];
    let max = counts.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let severities: Vec<SeverityBar> = counts
        .iter()
        .enumerate()
        .map(|(i, (s, n))| SeverityBar {
            name: s.as_str(),
            count: *n,
            bar: n * 300 / max,
            y: 4 + i * 26,
            color: color(*s),
        })
        .collect();

    let mitigations: Vec<MitigationGroup> = MITIGATIONS
        .iter()
        .map(|m| {
            let open: Vec<&Finding> = report
                .findings
                .iter()
                .filter(|f| f.mitigation == *m && f.suppressed.is_none())
                .collect();
            let mut top: Vec<TopRule> = Vec::new();
            for f in &open {
                match top.iter_mut().find(|t| t.rule_id == f.rule_id) {
                    Some(t) => t.count += 1,
                    None => top.push(TopRule {
                        rule_id: f.rule_id.to_string(),
                        title: f.title.to_string(),
                        count: 1,
                    }),
                }
            }
            let severity_of = |id: &str| open.iter().filter(|f| f.rule_id == id).map(|f| f.severity).max();
            top.sort_by(|a, b| {
                severity_of(&b.rule_id)
                    .cmp(&severity_of(&a.rule_id))
                    .then(b.count.cmp(&a.count))
            });
            top.truncate(5);
            MitigationGroup {
                title: m.title(),
                open: open.len(),
                worst: worst(&open),
                top,
            }
        })
        .collect();

    let cards: Vec<Card> = report.containers.iter().map(|c| card(c, report.findings)).collect();
    let rows: Vec<Row<'_>> = report
        .findings
        .iter()
        .map(|f| Row {
            finding: f,
            rank: rank(f.severity),
            mitigation: f.mitigation.title(),
        })
        .collect();

    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.add_template("audit.html", TEMPLATE)
        .map_err(|e| HtmlError::Render(e.to_string()))?;
    let template = env
        .get_template("audit.html")
        .map_err(|e| HtmlError::Render(e.to_string()))?;
    let script_hash = base64(&Sha256::digest(SCRIPT.as_bytes()));
    template
        .render(context! {
            title => report.title,
            version => report.tool_version,
            generated => report.generated,
            source => report.source,
            host => report.host,
            containers => report.containers.iter().map(|c| &c.name).collect::<Vec<_>>(),
            warnings => report.warnings,
            severities => severities,
            chart_height => 4 + 5 * 26,
            suppressed => summary.suppressed,
            mitigations => mitigations,
            cards => cards,
            image => report.image,
            findings => rows,
            script => SCRIPT,
            script_hash => script_hash,
        })
        .map_err(|e| HtmlError::Render(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn attacker_strings_are_escaped() {
        let mut c = ContainerSnapshot {
            name: "<script>document.title='pwned'</script>".into(),
            image: "\"><img src=x onerror=alert(1)>".into(),
            ..Default::default()
        };
        c.labels.insert("x".into(), "<b onmouseover=alert(1)>".into());
        let findings = vigie_rules::audit::audit_container(&c, &vigie_rules::audit::HostContext::unknown());
        let html = audit_report(&AuditReport {
            title: "t",
            tool_version: "0",
            generated: "now",
            source: "test",
            host: None,
            containers: std::slice::from_ref(&c),
            findings: &findings,
            warnings: &[],
            image: None,
        })
        .unwrap();
        assert!(!html.contains("<script>document"));
        assert!(!html.contains("<img src=x"));
        assert!(!html.contains("<b onmouseover"));
        assert!(html.contains("&lt;script&gt;document.title="));
        assert_eq!(html.matches("<script>").count(), 1);
    }
}
