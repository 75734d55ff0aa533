//! SARIF 2.1.0 (OASIS), for code-scanning dashboards: the one model and
//! writer ([`Log`], [`write`]) every SARIF printer goes through (audit and
//! image checks here, lint in `crate::lint`, scan in its printer). For
//! audit: one run, the rules that were evaluated in `tool.driver.rules`, one
//! result per finding with a physical location (GitHub code scanning
//! rejects results without one: a stable artifact URI for what has no file,
//! see [`artifact_uri`]) and a logical one (the container, image or `host`),
//! the evidence in `properties`, accepted risks as `suppressions`.
//! Validated against the official schema and GitHub's upload constraints in
//! `crates/vigie/tests/sarif.rs`.

use serde::Serialize;
use serde_json::{Map, Value, json};
use vigie_rules::{Finding, RuleInfo, Severity};

pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// What is not a file gets a stable, relative artifact URI: `container/NAME`,
/// `image/REFERENCE`, `host/docker-engine`. Relative, so GitHub files the
/// alert under that path; the first segment never holds a `:` (which would
/// make `alpine:3.10` a URI with scheme `alpine`); everything outside RFC
/// 3986's path characters is percent-encoded, so a hostile name stays one
/// inert path.
pub fn artifact_uri(kind: &str, name: &str) -> String {
    use percent_encoding::{AsciiSet, CONTROLS};
    // Path characters (RFC 3986 pchar and '/') stay; the rest is encoded.
    const ENCODE: &AsciiSet = &CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'#')
        .add(b'%')
        .add(b'<')
        .add(b'>')
        .add(b'?')
        .add(b'[')
        .add(b'\\')
        .add(b']')
        .add(b'^')
        .add(b'`')
        .add(b'{')
        .add(b'|')
        .add(b'}');
    format!("{kind}/{}", encode_path(name.trim_start_matches('/'), ENCODE))
}

/// The path's segments percent-encoded with `set`; empty and dot segments
/// (which a URI parser would fold away) are encoded too.
fn encode_path(path: &str, set: &'static percent_encoding::AsciiSet) -> String {
    let segments: Vec<String> = path
        .split('/')
        .map(|segment| match segment {
            "" => "%2F".to_string(),
            "." => "%2E".to_string(),
            ".." => "%2E%2E".to_string(),
            s => percent_encoding::utf8_percent_encode(s, set).to_string(),
        })
        .collect();
    segments.join("/")
}

/// A file on disk as an artifact URI: relative paths stay relative (GitHub
/// matches them to the repository; `./` dropped, a `:` in the first segment
/// encoded so it is not a scheme), absolute ones become `file://` URIs.
pub fn file_uri(path: &str) -> String {
    use percent_encoding::{AsciiSet, CONTROLS};
    const ENCODE: &AsciiSet = &CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'#')
        .add(b'%')
        .add(b'<')
        .add(b'>')
        .add(b'?')
        .add(b'[')
        .add(b'\\')
        .add(b']')
        .add(b'^')
        .add(b'`')
        .add(b'{')
        .add(b'|')
        .add(b'}')
        .add(b':');
    if let Some(absolute) = path.strip_prefix('/') {
        let absolute = absolute.trim_start_matches('/');
        return format!("file:///{}", encode_path(absolute, ENCODE));
    }
    let mut relative = path;
    while let Some(rest) = relative.strip_prefix("./") {
        relative = rest.trim_start_matches('/');
    }
    encode_path(relative, ENCODE)
}

/// What the findings of a SARIF log are about, for their artifact URIs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// Containers and the host (`target` `host`), from `vigie audit`.
    Containers,
    /// One image, from `vigie audit image`.
    Image,
    /// Compose files and Kubernetes manifests (`vigie audit compose|k8s`):
    /// every finding has a file location.
    Files,
}

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

/// The one SARIF 2.1.0 model every printer fills (audit, image checks, lint,
/// scan) and [`write`] serialises: a log with one run, rule descriptors and
/// results. Field order is SARIF's usual one; optional parts are left out
/// when empty. Command-specific data goes in `properties`.
#[derive(Debug, Serialize)]
pub struct Log {
    /// Scan's logs put `version` first (kept so their bytes do not change).
    #[serde(rename = "version", skip_serializing_if = "Option::is_none")]
    pub version_first: Option<&'static str>,
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<&'static str>,
    pub runs: Vec<Run>,
}

#[derive(Debug, Serialize)]
pub struct Run {
    pub tool: Tool,
    /// One invocation when the run is incomplete: `executionSuccessful`
    /// false and a notification per part that could not be read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub invocations: Vec<Value>,
    #[serde(rename = "columnKind", skip_serializing_if = "Option::is_none")]
    pub column_kind: Option<&'static str>,
    pub results: Vec<SarifResult>,
}

#[derive(Debug, Serialize)]
pub struct Tool {
    pub driver: Driver,
}

#[derive(Debug, Serialize)]
pub struct Driver {
    pub name: &'static str,
    pub version: String,
    #[serde(rename = "semanticVersion", skip_serializing_if = "Option::is_none")]
    pub semantic_version: Option<String>,
    pub rules: Vec<Descriptor>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Text {
    pub text: String,
}

impl Text {
    pub fn new(text: impl Into<String>) -> Text {
        Text { text: text.into() }
    }
}

#[derive(Debug, Serialize)]
pub struct Help {
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub markdown: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Level {
    pub level: &'static str,
}

/// A rule (`tool.driver.rules[]`).
#[derive(Debug, Serialize)]
pub struct Descriptor {
    pub id: String,
    pub name: String,
    #[serde(rename = "shortDescription")]
    pub short_description: Text,
    #[serde(rename = "fullDescription", skip_serializing_if = "Option::is_none")]
    pub full_description: Option<Text>,
    /// Scan's rules put their advisory link before the help (kept so their bytes do not change).
    #[serde(rename = "helpUri", skip_serializing_if = "Option::is_none")]
    pub help_uri_first: Option<String>,
    pub help: Help,
    #[serde(rename = "helpUri", skip_serializing_if = "Option::is_none")]
    pub help_uri: Option<String>,
    #[serde(rename = "defaultConfiguration", skip_serializing_if = "Option::is_none")]
    pub default_configuration: Option<Level>,
    pub properties: Map<String, Value>,
}

/// One finding (`runs[0].results[]`).
#[derive(Debug, Serialize)]
pub struct SarifResult {
    #[serde(rename = "ruleId")]
    pub rule_id: String,
    /// Lint's results put the rule index right after the id (kept so their bytes do not change).
    #[serde(rename = "ruleIndex", skip_serializing_if = "Option::is_none")]
    pub rule_index_first: Option<usize>,
    pub level: &'static str,
    pub message: Text,
    pub locations: Vec<Location>,
    #[serde(rename = "partialFingerprints", skip_serializing_if = "Option::is_none")]
    pub partial_fingerprints: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub properties: Map<String, Value>,
    #[serde(rename = "ruleIndex", skip_serializing_if = "Option::is_none")]
    pub rule_index: Option<usize>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fixes: Vec<Fix>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suppressions: Vec<SarifSuppression>,
}

#[derive(Debug, Default, Serialize)]
pub struct Location {
    #[serde(rename = "physicalLocation", skip_serializing_if = "Option::is_none")]
    pub physical: Option<PhysicalLocation>,
    #[serde(rename = "logicalLocations", skip_serializing_if = "Vec::is_empty")]
    pub logical: Vec<LogicalLocation>,
}

#[derive(Debug, Serialize)]
pub struct PhysicalLocation {
    #[serde(rename = "artifactLocation")]
    pub artifact: ArtifactLocation,
    pub region: Region,
}

#[derive(Debug, Clone, Serialize)]
pub struct ArtifactLocation {
    pub uri: String,
}

/// Lines and columns are 1-based; only `start_line` is required.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Region {
    #[serde(rename = "startLine")]
    pub start_line: usize,
    #[serde(rename = "startColumn", skip_serializing_if = "Option::is_none")]
    pub start_column: Option<usize>,
    #[serde(rename = "endLine", skip_serializing_if = "Option::is_none")]
    pub end_line: Option<usize>,
    #[serde(rename = "endColumn", skip_serializing_if = "Option::is_none")]
    pub end_column: Option<usize>,
}

impl Region {
    pub fn line(line: usize) -> Region {
        Region {
            start_line: line,
            start_column: None,
            end_line: None,
            end_column: None,
        }
    }

    pub fn span(start: (usize, usize), end: (usize, usize)) -> Region {
        Region {
            start_line: start.0,
            start_column: Some(start.1),
            end_line: Some(end.0),
            end_column: Some(end.1),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct LogicalLocation {
    pub name: String,
    #[serde(rename = "fullyQualifiedName")]
    pub fully_qualified_name: String,
    pub kind: &'static str,
}

/// A safe mechanical fix.
#[derive(Debug, Serialize)]
pub struct Fix {
    pub description: Text,
    #[serde(rename = "artifactChanges")]
    pub artifact_changes: Vec<ArtifactChange>,
}

#[derive(Debug, Serialize)]
pub struct ArtifactChange {
    #[serde(rename = "artifactLocation")]
    pub artifact: ArtifactLocation,
    pub replacements: Vec<Replacement>,
}

#[derive(Debug, Serialize)]
pub struct Replacement {
    #[serde(rename = "deletedRegion")]
    pub deleted_region: Region,
    #[serde(rename = "insertedContent")]
    pub inserted_content: Text,
}

/// An accepted risk (`external`, from the config) or an inline ignore (`inSource`).
#[derive(Debug, Serialize)]
pub struct SarifSuppression {
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<&'static str>,
    pub justification: String,
}

impl Log {
    /// `version` before `$schema`, as scan's logs have always been written.
    pub fn version_first(mut self) -> Log {
        self.version_first = self.version.take();
        self
    }

    /// One run of vigie with these rules and results.
    pub fn new(
        tool_version: &str,
        semantic: bool,
        column_kind: Option<&'static str>,
        rules: Vec<Descriptor>,
        results: Vec<SarifResult>,
    ) -> Log {
        Log {
            version_first: None,
            schema: SARIF_SCHEMA,
            version: Some("2.1.0"),
            runs: vec![Run {
                tool: Tool {
                    driver: Driver {
                        name: "vigie",
                        version: tool_version.to_string(),
                        semantic_version: semantic.then(|| tool_version.to_string()),
                        rules,
                    },
                },
                invocations: Vec::new(),
                column_kind,
                results,
            }],
        }
    }

    /// Mark the run incomplete: what could not be read, as tool execution
    /// notifications of a failed invocation.
    pub fn incomplete(self, unread: &[String]) -> Log {
        let messages: Vec<String> = unread.iter().map(|u| format!("not read: {u}")).collect();
        self.incomplete_because(&messages)
    }

    /// Mark the run incomplete, one notification per message as given.
    pub fn incomplete_because(mut self, messages: &[String]) -> Log {
        if !messages.is_empty()
            && let Some(run) = self.runs.first_mut()
        {
            run.invocations = vec![json!({
                "executionSuccessful": false,
                "toolExecutionNotifications": messages
                    .iter()
                    .map(|m| json!({"level": "error", "message": {"text": m}}))
                    .collect::<Vec<_>>(),
            })];
        }
        self
    }
}

/// The one serialiser of SARIF logs: pretty JSON with a final newline.
pub fn write(log: &Log) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(log)?;
    text.push('\n');
    Ok(text)
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn rule_descriptor(rule: &RuleInfo) -> Descriptor {
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
    Descriptor {
        id: rule.id.to_string(),
        name: pascal(rule.title),
        short_description: Text::new(rule.title),
        full_description: Some(Text::new(rule.rationale)),
        help: Help {
            text: help,
            markdown: Some(markdown),
        },
        help_uri_first: None,
        // vigie has no public web home: no helpUri (optional in SARIF), the help text is inline.
        help_uri: None,
        default_configuration: Some(Level {
            level: level(rule.severity),
        }),
        properties: object(json!({
            "security-severity": security_severity(rule.severity),
            "severity": rule.severity.as_str(),
            "cis": rule.cis,
            "mitigation": rule.mitigation.title(),
            "tags": tags,
        })),
    }
}

/// The SARIF log for `findings` (sorted with `sort_findings`). `rules` is
/// the catalogue that was evaluated: every one is described, whether it
/// fired or not.
pub fn to_sarif(
    findings: &[Finding],
    rules: &[RuleInfo],
    tool_version: &str,
    subject: Subject,
    unread: &[String],
) -> Result<String, serde_json::Error> {
    let descriptors: Vec<Descriptor> = rules.iter().map(rule_descriptor).collect();
    let results: Vec<SarifResult> = findings
        .iter()
        .map(|f| {
            let kind = match subject {
                Subject::Image => "image",
                Subject::Containers if f.target == "host" => "host",
                Subject::Containers => "container",
                Subject::Files => "workload",
            };
            let (uri, region) = match &f.location {
                Some(l) => (
                    file_uri(&l.file),
                    Region {
                        start_line: l.line.max(1),
                        start_column: Some(l.column.max(1)),
                        end_line: None,
                        end_column: None,
                    },
                ),
                None if kind == "host" => (artifact_uri("host", "docker-engine"), Region::line(1)),
                None => (artifact_uri(kind, &f.target), Region::line(1)),
            };
            let mut fingerprints = Map::new();
            fingerprints.insert("vigieFinding/v1".to_string(), Value::String(fingerprint(f)));
            SarifResult {
                rule_id: f.rule_id.to_string(),
                rule_index_first: None,
                level: level(f.severity),
                message: Text::new(format!("{}: {}", f.target, f.message)),
                locations: vec![Location {
                    physical: Some(PhysicalLocation {
                        artifact: ArtifactLocation { uri },
                        region,
                    }),
                    logical: vec![LogicalLocation {
                        name: f.target.clone(),
                        fully_qualified_name: format!("{kind}/{}", f.target),
                        kind: "object",
                    }],
                }],
                partial_fingerprints: Some(fingerprints),
                properties: object(json!({
                    "severity": f.severity.as_str(),
                    "security-severity": security_severity(f.severity),
                    "target": f.target,
                    "cis": f.cis,
                    "evidence": f.evidence,
                    "fix": f.fix,
                })),
                rule_index: rules.iter().position(|r| r.id == f.rule_id),
                fixes: Vec::new(),
                suppressions: f
                    .suppressed
                    .iter()
                    .map(|s| SarifSuppression {
                        kind: "external",
                        status: Some("accepted"),
                        justification: match &s.expires {
                            Some(date) => format!("{} (accepted until {date})", s.reason),
                            None => s.reason.clone(),
                        },
                    })
                    .collect(),
            }
        })
        .collect();
    write(&Log::new(tool_version, true, Some("unicodeCodePoints"), descriptors, results).incomplete(unread))
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_rules::{Finding, Suppression};

    #[test]
    fn artifact_uris_are_relative_inert_paths() {
        assert_eq!(artifact_uri("image", "alpine:3.10"), "image/alpine:3.10");
        assert_eq!(
            artifact_uri("image", "docker.io/library/alpine@sha256:abc"),
            "image/docker.io/library/alpine@sha256:abc"
        );
        assert_eq!(artifact_uri("container", "a b#c?d%e"), "container/a%20b%23c%3Fd%25e");
        assert_eq!(
            artifact_uri("container", "../../etc/passwd"),
            "container/%2E%2E/%2E%2E/etc/passwd"
        );
        assert_eq!(artifact_uri("container", "x\u{1b}[2J"), "container/x%1B%5B2J");
        assert_eq!(artifact_uri("image", "/abs//path"), "image/abs/%2F/path");
        assert_eq!(file_uri("./app/Cargo.lock"), "app/Cargo.lock");
        assert_eq!(file_uri("a:b/c"), "a%3Ab/c");
        assert_eq!(file_uri("/tmp/x y/poetry.lock"), "file:///tmp/x%20y/poetry.lock");
    }

    #[test]
    fn results_point_at_rules_and_keep_suppressions() {
        let rules = vigie_rules::audit::catalogue();
        let privileged = &rules[0];
        let mut accepted = Finding::from_rule(privileged, "ci-runner", "runs privileged");
        accepted.suppressed = Some(Box::new(Suppression {
            by: String::new(),
            reason: "docker-in-docker".into(),
            expires: Some("2027-01-01".into()),
        }));
        let open =
            Finding::from_rule(privileged, "web", "runs privileged").with_evidence("HostConfig.Privileged", "true");
        let text = to_sarif(&[accepted, open], rules, "0.1.0", Subject::Containers, &[]).unwrap();
        let log: Value = serde_json::from_str(&text).unwrap();
        let run = &log["runs"][0];
        assert_eq!(run["tool"]["driver"]["rules"].as_array().unwrap().len(), rules.len());
        assert_eq!(run["results"][0]["ruleIndex"], 0);
        assert_eq!(run["results"][0]["level"], "error");
        assert_eq!(run["results"][0]["suppressions"][0]["status"], "accepted");
        assert!(run["results"][1].get("suppressions").is_none());
        assert_eq!(run["results"][1]["properties"]["evidence"][0]["value"], "true");
        assert_eq!(pascal("Host PID namespace shared"), "HostPIDNamespaceShared");
        assert_eq!(
            run["results"][1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "container/web"
        );
        assert_ne!(
            run["results"][0]["partialFingerprints"],
            run["results"][1]["partialFingerprints"]
        );
    }
}
