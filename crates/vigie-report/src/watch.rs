//! `vigie watch` table lines: a header per audited event with its
//! findings, and one line per enforcement.

use serde::Serialize;
use vigie_rules::{Finding, Severity};

use crate::findings::one_line;

/// `HH:MM:SS action name (image): N finding(s)`, then one line per finding
/// (accepted risks marked with their reason).
pub fn finding_lines(time: &str, action: &str, name: &str, image: &str, shown: &[&Finding]) -> Vec<String> {
    let mut out = vec![format!(
        "{} {:<6} {} ({}): {} finding(s)",
        time,
        action,
        one_line(name),
        one_line(image),
        shown.len()
    )];
    for f in shown {
        out.push(format!(
            "  {:<8} {} {}{}",
            f.severity.as_str(),
            f.rule_id,
            one_line(&f.message),
            match &f.suppressed {
                Some(s) => format!(" (accepted: {})", one_line(&s.reason)),
                None => String::new(),
            }
        ));
    }
    out
}

/// `  ENFORCE stop name: findings at or above high: RULE (severity: message); … — result`.
pub fn enforce_line(action: &str, name: &str, violations: &[&Finding], threshold: Severity, result: &str) -> String {
    let reasons: Vec<String> = violations
        .iter()
        .map(|f| format!("{} ({}: {})", f.rule_id, f.severity.as_str(), one_line(&f.message)))
        .collect();
    format!(
        "  ENFORCE {} {}: {} at or above {}: {} — {}",
        action,
        one_line(name),
        if violations.len() == 1 { "finding" } else { "findings" },
        threshold.as_str(),
        reasons.join("; "),
        one_line(result)
    )
}

/// One JSON line per finding of `vigie watch --format json`.
#[derive(Serialize)]
pub struct FindingLine<'a> {
    pub time: String,
    /// Engine time of the event (ns since the epoch), so reaction time can be measured.
    pub event_time_nano: i64,
    pub printed_time_nano: i64,
    pub event: &'a str,
    pub container: &'a str,
    pub id: &'a str,
    pub finding: &'a Finding,
}

/// One JSON line per enforcement.
#[derive(Serialize)]
pub struct EnforceLine<'a> {
    pub time: String,
    /// `stop` or `pause`.
    pub enforce: &'static str,
    pub container: &'a str,
    pub id: &'a str,
    pub rules: Vec<&'a str>,
    pub result: String,
}

impl FindingLine<'_> {
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }
}

impl EnforceLine<'_> {
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }
}
