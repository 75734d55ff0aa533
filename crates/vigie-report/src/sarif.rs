//! Findings as SARIF 2.1.0 (OASIS), for code-scanning dashboards. One run,
//! the rules that were evaluated in `tool.driver.rules`, one result per
//! finding with a logical location (the container or `host`), the evidence
//! in `properties`, accepted risks as `suppressions`. Validated against the
//! official schema in `crates/vigie/tests/audit.rs`.

use serde_json::{Value, json};
use vigie_rules::{Finding, RuleInfo, Severity};

pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// SARIF result level of a severity (shared by every SARIF printer: audit, lint).
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info | Severity::Unknown => "note",
    }
}

/// GitHub code scanning reads `security-severity` (0.1–10.0) to rank alerts.
pub fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info | Severity::Unknown => "0.1",
    }
}

/// `Privileged container` → `PrivilegedContainer` (SARIF's rule `name` is an identifier-like string).
fn pascal(title: &str) -> String {
    title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// A stable fingerprint of a finding (FNV-1a 64 of rule, target and message),
/// so dashboards track the same finding across runs.
fn fingerprint(f: &Finding) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in f
        .rule_id
        .bytes()
        .chain([0])
        .chain(f.target.bytes())
        .chain([0])
        .chain(f.message.bytes())
    {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

fn rule_descriptor(rule: &RuleInfo) -> Value {
    let mut help = format!("{}\n\nFix: {}", rule.rationale, rule.fix.summary);
    let mut markdown = format!("{}\n\n**Fix:** {}\n", rule.rationale, rule.fix.summary);
    for (label, value) in [
        ("docker run", rule.fix.docker_run),
        ("Compose", rule.fix.compose),
        ("Kubernetes", rule.fix.kubernetes),
    ] {
        if let Some(v) = value {
            help.push_str(&format!("\n{label}: {v}"));
            markdown.push_str(&format!("\n- {label}: `{v}`"));
        }
    }
    let mut tags = vec![
        "security".to_string(),
        "container".to_string(),
        format!(
            "mitigation:{}",
            serde_json::to_value(rule.mitigation)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        ),
    ];
    if let Some(cis) = rule.cis {
        tags.push(format!("CIS-Docker-{cis}"));
    }
    json!({
        "id": rule.id,
        "name": pascal(rule.title),
        "shortDescription": { "text": rule.title },
        "fullDescription": { "text": rule.rationale },
        "help": { "text": help, "markdown": markdown },
        "helpUri": format!("https://example.invalid/vigie/docs/rules/{}.md", rule.id),
        "defaultConfiguration": { "level": level(rule.severity) },
        "properties": {
            "security-severity": security_severity(rule.severity),
            "severity": rule.severity.as_str(),
            "cis": rule.cis,
            "mitigation": rule.mitigation.title(),
            "tags": tags,
        }
    })
}

/// The SARIF log for `findings` (sorted with `sort_findings`). `rules` is
/// the catalogue that was evaluated: every one is described, whether it
/// fired or not.
pub fn to_sarif(findings: &[Finding], rules: &[RuleInfo], tool_version: &str) -> Result<String, serde_json::Error> {
    let descriptors: Vec<Value> = rules.iter().map(rule_descriptor).collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let index = rules.iter().position(|r| r.id == f.rule_id);
            let kind = if f.target == "host" { "host" } else { "container" };
            let mut result = json!({
                "ruleId": f.rule_id,
                "level": level(f.severity),
                "message": { "text": format!("{}: {}", f.target, f.message) },
                "locations": [{
                    "logicalLocations": [{
                        "name": f.target,
                        "fullyQualifiedName": format!("{kind}/{}", f.target),
                        "kind": "object",
                    }]
                }],
                "partialFingerprints": { "vigieFinding/v1": fingerprint(f) },
                "properties": {
                    "severity": f.severity.as_str(),
                    "security-severity": security_severity(f.severity),
                    "target": f.target,
                    "cis": f.cis,
                    "evidence": f.evidence,
                    "fix": f.fix,
                }
            });
            if let Some(i) = index {
                result["ruleIndex"] = json!(i);
            }
            if let Some(s) = &f.suppressed {
                let justification = match &s.expires {
                    Some(date) => format!("{} (accepted until {date})", s.reason),
                    None => s.reason.clone(),
                };
                result["suppressions"] =
                    json!([{ "kind": "external", "status": "accepted", "justification": justification }]);
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "vigie",
                    "version": tool_version,
                    "semanticVersion": tool_version,
                    "informationUri": "https://example.invalid/vigie",
                    "rules": descriptors,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut text = serde_json::to_string_pretty(&log)?;
    text.push('\n');
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_rules::{Finding, Suppression};

    #[test]
    fn results_point_at_rules_and_keep_suppressions() {
        let rules = vigie_rules::audit::catalogue();
        let privileged = &rules[0];
        let mut accepted = Finding::from_rule(privileged, "ci-runner", "runs privileged");
        accepted.suppressed = Some(Suppression {
            by: String::new(),
            reason: "docker-in-docker".into(),
            expires: Some("2027-01-01".into()),
        });
        let open =
            Finding::from_rule(privileged, "web", "runs privileged").with_evidence("HostConfig.Privileged", "true");
        let text = to_sarif(&[accepted, open], rules, "0.1.0").unwrap();
        let log: Value = serde_json::from_str(&text).unwrap();
        let run = &log["runs"][0];
        assert_eq!(run["tool"]["driver"]["rules"].as_array().unwrap().len(), rules.len());
        assert_eq!(run["results"][0]["ruleIndex"], 0);
        assert_eq!(run["results"][0]["level"], "error");
        assert_eq!(run["results"][0]["suppressions"][0]["status"], "accepted");
        assert!(run["results"][1].get("suppressions").is_none());
        assert_eq!(run["results"][1]["properties"]["evidence"][0]["value"], "true");
        assert_eq!(pascal("Host PID namespace shared"), "HostPIDNamespaceShared");
        assert_ne!(
            run["results"][0]["partialFingerprints"],
            run["results"][1]["partialFingerprints"]
        );
    }
}
