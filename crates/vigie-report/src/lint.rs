//! `vigie lint` printers: the table, the findings JSON in the one envelope,
//! SARIF through the one writer, and hadolint's `-f json` layout.

use serde::Serialize;
use serde_json::{Map, Value, json};
use vigie_rules::dockerfile::LintFinding;
use vigie_rules::dockerfile::catalog::RULES;
use vigie_rules::dockerfile::config::severity_to_level;
use vigie_rules::{Finding, Severity};

use crate::findings::{Summary, TableOptions, to_table};
use crate::sarif::{
    ArtifactChange, ArtifactLocation, Descriptor, Fix, Help, Level, Location, Log, PhysicalLocation, Region,
    Replacement, SarifResult, SarifSuppression, Text, level, security_severity, write,
};
use crate::style::Style;

/// `Summary::of` without copying the findings.
pub fn summary(findings: &[LintFinding]) -> Summary {
    let mut s = Summary::default();
    for f in findings {
        if f.finding.suppressed.is_some() {
            s.suppressed += 1;
            continue;
        }
        match f.finding.severity {
            Severity::Critical => s.critical += 1,
            Severity::High => s.high += 1,
            Severity::Medium => s.medium += 1,
            Severity::Low => s.low += 1,
            Severity::Info | Severity::Unknown => s.info += 1,
        }
    }
    s
}

/// The findings table, then `N Dockerfile(s), M with findings: summary`.
pub fn table(findings: &[LintFinding], files: usize, explain: bool, color: bool) -> String {
    let plain: Vec<Finding> = findings.iter().map(|f| f.finding.clone()).collect();
    let mut out = to_table(
        &plain,
        TableOptions {
            style: Style { color },
            explain,
            width: None,
        },
    );
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    let with = findings
        .iter()
        .map(|f| f.file.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    out.push_str(&format!(
        "{}{} Dockerfile(s), {} with findings: {}\n",
        if out.is_empty() { "" } else { "\n" },
        files,
        with,
        summary(findings).line()
    ));
    out
}

#[derive(Serialize)]
struct LintContext<'a> {
    files: &'a [String],
}

/// `{ schema_version, tool, kind: "lint", context: {files}, summary, findings }`, in the one envelope.
pub fn json(findings: &[LintFinding], files: &[String], version: &'static str) -> Result<String, serde_json::Error> {
    crate::envelope::to_json(
        "lint",
        version,
        crate::findings::FindingsBody {
            context: LintContext { files },
            summary: summary(findings),
            findings,
        },
    )
}

/// SARIF through the one writer: every Dockerfile rule described, one result
/// per finding with its exact region, the safe fix as a SARIF `fix`, inline
/// ignores as `inSource` suppressions.
pub fn sarif(findings: &[LintFinding], version: &str) -> Result<String, serde_json::Error> {
    let rules: Vec<Descriptor> = RULES
        .iter()
        .map(|r| Descriptor {
            id: r.info.id.to_string(),
            name: r.info.id.replace('-', ""),
            short_description: Text::new(r.info.title),
            full_description: Some(Text::new(r.info.rationale)),
            help: Help {
                text: r.info.fix.summary.to_string(),
                markdown: Some(format!("{}\n\nSee docs/rules/{}.md", r.info.fix.summary, r.info.id)),
            },
            help_uri_first: None,
            help_uri: None,
            default_configuration: Some(Level {
                level: level(r.info.severity),
            }),
            properties: object(json!({
                "security-severity": security_severity(r.info.severity),
                "tags": ["security", "dockerfile"],
            })),
        })
        .collect();
    let results: Vec<SarifResult> = findings
        .iter()
        .map(|f| SarifResult {
            rule_id: f.finding.rule_id.to_string(),
            rule_index_first: RULES.iter().position(|r| r.info.id == f.finding.rule_id),
            level: level(f.finding.severity),
            message: Text::new(f.finding.message.clone()),
            locations: vec![Location {
                physical: Some(PhysicalLocation {
                    artifact: ArtifactLocation { uri: f.file.clone() },
                    region: Region::span((f.line, f.column), (f.end_line, f.end_column)),
                }),
                logical: Vec::new(),
            }],
            partial_fingerprints: None,
            properties: object(json!({ "severity": f.finding.severity })),
            rule_index: None,
            fixes: f
                .suggestion
                .iter()
                .map(|s| Fix {
                    description: Text::new(s.description.clone()),
                    artifact_changes: vec![ArtifactChange {
                        artifact: ArtifactLocation { uri: f.file.clone() },
                        replacements: vec![Replacement {
                            deleted_region: Region::span(
                                (s.span.start.line, s.span.start.column),
                                (s.span.end.line, s.span.end.column),
                            ),
                            inserted_content: Text::new(s.replacement.clone()),
                        }],
                    }],
                })
                .collect(),
            suppressions: f
                .finding
                .suppressed
                .iter()
                .map(|s| SarifSuppression {
                    kind: "inSource",
                    status: None,
                    justification: s.reason.clone(),
                })
                .collect(),
        })
        .collect();
    write(&Log::new(version, false, None, rules, results))
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

#[derive(Serialize)]
struct HadolintItem<'a> {
    code: &'a str,
    column: usize,
    file: &'a str,
    level: &'static str,
    line: usize,
    message: &'a str,
}

/// hadolint's `-f json` layout: `[{code, column, file, level, line, message}]`, unsuppressed findings only.
pub fn hadolint_json(findings: &[LintFinding]) -> Result<String, serde_json::Error> {
    let items: Vec<HadolintItem> = findings
        .iter()
        .filter(|f| f.finding.suppressed.is_none())
        .map(|f| HadolintItem {
            code: &f.finding.rule_id,
            column: f.column,
            file: &f.file,
            level: severity_to_level(f.finding.severity),
            line: f.line,
            message: &f.finding.message,
        })
        .collect();
    let mut text = serde_json::to_string(&items)?;
    text.push('\n');
    Ok(text)
}
