//! Findings as a table (grouped by target, most severe first, with a summary
//! line per severity) and as versioned JSON with a stable order.

use serde::Serialize;
use vigie_rules::{Finding, Severity};

use crate::style::Style;

/// Version of vigie's own findings JSON layout; bumped on breaking changes.
pub const FINDINGS_SCHEMA_VERSION: u32 = crate::envelope::SCHEMA_VERSION;

/// Counts per severity, unsuppressed only, plus the number suppressed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub info: usize,
    pub suppressed: usize,
}

impl Summary {
    pub fn of(findings: &[Finding]) -> Summary {
        let mut s = Summary::default();
        for f in findings {
            if f.suppressed.is_some() {
                s.suppressed += 1;
                continue;
            }
            match f.severity {
                Severity::Critical => s.critical += 1,
                Severity::High => s.high += 1,
                Severity::Medium => s.medium += 1,
                Severity::Low => s.low += 1,
                Severity::Info | Severity::Unknown => s.info += 1,
            }
        }
        s
    }

    pub fn line(&self) -> String {
        format!(
            "{} critical, {} high, {} medium, {} low, {} info{}",
            self.critical,
            self.high,
            self.medium,
            self.low,
            self.info,
            if self.suppressed > 0 {
                format!(" ({} suppressed)", self.suppressed)
            } else {
                String::new()
            }
        )
    }
}

/// The body of every findings document, inside the one envelope
/// (`crate::envelope`): `{ schema_version, tool, kind, context, summary, findings }`.
#[derive(Debug, Serialize)]
pub struct FindingsBody<'a, M: Serialize, F: Serialize = Finding> {
    /// Command-specific context (the process checked, the engine…).
    pub context: M,
    pub summary: Summary,
    /// Findings, or findings with positions (`vigie lint`).
    pub findings: &'a [F],
}

pub use crate::envelope::{ToolInfo, tool_info};

/// Findings must be sorted with `vigie_rules::sort_findings` first.
pub fn to_json<M: Serialize>(
    kind: &str,
    version: &'static str,
    context: M,
    findings: &[Finding],
) -> Result<String, serde_json::Error> {
    crate::envelope::to_json(
        kind,
        version,
        FindingsBody {
            context,
            summary: Summary::of(findings),
            findings,
        },
    )
}

/// [`to_json`] written straight to `w`.
pub fn to_json_writer<M: Serialize>(
    w: &mut dyn std::io::Write,
    kind: &str,
    version: &'static str,
    context: M,
    findings: &[Finding],
) -> Result<(), serde_json::Error> {
    crate::envelope::to_json_writer(
        w,
        kind,
        version,
        FindingsBody {
            context,
            summary: Summary::of(findings),
            findings,
        },
    )
}

/// Options of the findings table.
#[derive(Debug, Clone, Copy, Default)]
pub struct TableOptions {
    pub style: Style,
    /// Show rationale and fix under each finding.
    pub explain: bool,
    /// Terminal width for wrapping (None: no wrapping).
    pub width: Option<u16>,
}

/// Findings grouped by target. Findings must be sorted with `sort_findings`.
pub fn to_table(findings: &[Finding], options: TableOptions) -> String {
    let style = options.style;
    let mut out = String::new();
    let mut current: Option<&str> = None;
    for (i, f) in findings.iter().enumerate() {
        if current != Some(f.target.as_str()) {
            if current.is_some() {
                out.push('\n');
            }
            // Sorted by target: the group is the run of findings that starts here.
            let group_len = findings[i..].iter().take_while(|g| g.target == f.target).count();
            let counts = Summary::of(&findings[i..i + group_len]);
            out.push_str(&format!("{}  ({})\n", style.bold(&one_line(&f.target)), counts.line()));
            current = Some(f.target.as_str());
        }
        let suppressed = if f.suppressed.is_some() { " [suppressed]" } else { "" };
        let cis = f.cis.as_deref().map(|c| format!(" [CIS {c}]")).unwrap_or_default();
        out.push_str(&format!(
            "  {} {} {}{}{}\n",
            style.severity(f.severity, 8),
            f.rule_id,
            one_line(&f.message),
            cis,
            suppressed
        ));
        if let Some(l) = &f.location {
            out.push_str(&format!(
                "           at: {}:{}:{} {}\n",
                one_line(&l.file),
                l.line,
                l.column,
                one_line(&l.path)
            ));
        }
        if !f.standards.is_empty() {
            out.push_str(&format!("           breaks: {}\n", one_line(&f.standards.join("; "))));
        }
        for e in &f.evidence {
            out.push_str(&format!(
                "           evidence: {}: {}\n",
                one_line(&e.source),
                one_line(&e.value)
            ));
        }
        if options.explain {
            // Fixes can quote the evidence (the mount to remove): sanitised
            // like every other field that may hold outside text.
            out.push_str(&format!("           why: {}\n", one_line(&f.rationale)));
            out.push_str(&format!("           fix: {}\n", one_line(&f.fix.summary)));
            if let Some(flag) = &f.fix.docker_run {
                out.push_str(&format!("                docker run: {}\n", one_line(flag)));
            }
            if let Some(key) = &f.fix.compose {
                out.push_str(&format!("                compose:    {}\n", one_line(key)));
            }
            if let Some(field) = &f.fix.kubernetes {
                out.push_str(&format!("                kubernetes: {}\n", one_line(field)));
            }
        }
        if let Some(s) = &f.suppressed {
            let expiry = s
                .expires
                .as_deref()
                .map(|d| format!(" (until {d})"))
                .unwrap_or_default();
            out.push_str(&format!(
                "           accepted: {}{}\n",
                one_line(&s.reason),
                one_line(&expiry)
            ));
        }
    }
    if findings.is_empty() {
        out.push_str("no findings\n");
    }
    out.push_str(&format!("\nSummary: {}\n", Summary::of(findings).line()));
    out
}

/// Names, paths, messages and evidence can be attacker-controlled: one line,
/// with every control or invisible formatting character shown as an escape
/// (`crate::sanitize::visible`), never interpreted by the terminal.
pub fn one_line(value: &str) -> String {
    crate::sanitize::visible(value).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_rules::{Finding, Mitigation, RuleInfo, StaticFix};

    const RULE: RuleInfo = RuleInfo {
        id: "VGI-TEST-001",
        title: "test rule",
        severity: Severity::High,
        cis: Some("5.4"),
        mitigation: Mitigation::NoPrivileged,
        rationale: "because",
        fix: StaticFix {
            summary: "do not",
            docker_run: Some("remove --privileged"),
            compose: Some("privileged: false"),
            kubernetes: Some("securityContext.privileged: false"),
        },
        detection: "",
    };

    #[test]
    fn table_groups_and_summarises() {
        let findings = vec![
            Finding::from_rule(&RULE, "web", "privileged").with_evidence("HostConfig.Privileged", "true"),
            Finding::from_rule(&RULE, "web", "second\x1b[31m\nline").with_severity(Severity::Low),
        ];
        let text = to_table(
            &findings,
            TableOptions {
                explain: true,
                ..Default::default()
            },
        );
        insta::assert_snapshot!(text);
        let json = to_json("test", "0.0.0", serde_json::json!({}), &findings).unwrap();
        assert!(json.contains("\"schema_version\": 1"));
        assert!(json.contains("\"high\": 1"));
    }
}
