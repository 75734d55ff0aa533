//! The one finding model shared by every vigie check: `inside`, `audit`,
//! image configuration checks and Dockerfile lint. Findings are data, not
//! errors: a check returns them, a printer in `vigie-report` shows them.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Text that is a rule's constant for every finding of that rule (title,
/// rationale, fix) and owned only where a finding changes it: borrowed, a
/// hundred thousand findings share one copy.
pub type Text = Cow<'static, str>;

/// Severity of a finding (and of a vulnerability), ordered from least to
/// most severe so that `finding.severity >= threshold` reads naturally; one
/// type for every check and the scan, in `vigie-snapshot`.
pub use vigie_snapshot::severity::{Severity, UnknownSeverity};

/// The lab's case study names five mitigations; every rule serves one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mitigation {
    /// No privileged containers (and nothing that amounts to it).
    NoPrivileged,
    /// Processes run as a non-root user.
    NonRootUser,
    /// Containers sit on isolated networks.
    IsolatedNetwork,
    /// Images are scanned regularly.
    RegularScans,
    /// Images and the host are kept up to date (and configured soundly).
    UpToDate,
}

impl Mitigation {
    pub fn title(self) -> &'static str {
        match self {
            Mitigation::NoPrivileged => "No privileged containers",
            Mitigation::NonRootUser => "Non-root users",
            Mitigation::IsolatedNetwork => "Isolated networks",
            Mitigation::RegularScans => "Regular image scans",
            Mitigation::UpToDate => "Up-to-date images and hosts",
        }
    }
}

/// How to fix a finding, in each of the places a user configures containers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    /// Plain-words instruction.
    pub summary: Text,
    /// The `docker run` flag (or flag to remove).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub docker_run: Option<Text>,
    /// The Compose service key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compose: Option<Text>,
    /// The Kubernetes pod/container `securityContext` (or spec) field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kubernetes: Option<Text>,
}

/// One piece of evidence: where it was seen and what was there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// A field path (`HostConfig.Privileged`), a file (`/proc/self/mountinfo`)…
    pub source: String,
    /// The exact value or line.
    pub value: String,
}

impl Evidence {
    pub fn new(source: impl Into<String>, value: impl Into<String>) -> Self {
        Evidence {
            source: source.into(),
            value: value.into(),
        }
    }
}

/// A rule's fixed description: everything but the evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleInfo {
    /// Stable id, never reused (`VGI-INS-001`, `VGI-CTR-001`, …).
    pub id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    /// CIS Docker Benchmark v1.6 id, where one exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cis: Option<&'static str>,
    pub mitigation: Mitigation,
    /// Why it matters.
    pub rationale: &'static str,
    pub fix: StaticFix,
    /// How vigie decides, in words (which field, file or line it reads), for
    /// the rule's docs page; empty where the family's common text says it all.
    #[serde(skip)]
    pub detection: &'static str,
}

impl RuleInfo {
    /// The same rule with its detection text, for catalogues written as constants.
    pub const fn detected(mut self, text: &'static str) -> RuleInfo {
        self.detection = text;
        self
    }
}

/// `Fix` with static strings, for rule catalogues written as constants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StaticFix {
    pub summary: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub docker_run: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compose: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kubernetes: Option<&'static str>,
}

impl From<StaticFix> for Fix {
    fn from(f: StaticFix) -> Self {
        Fix {
            summary: Cow::Borrowed(f.summary),
            docker_run: f.docker_run.map(Cow::Borrowed),
            compose: f.compose.map(Cow::Borrowed),
            kubernetes: f.kubernetes.map(Cow::Borrowed),
        }
    }
}

/// Why a finding is not counted against the threshold (the same type as a
/// suppressed vulnerability's; `by` stays empty for findings).
pub use vigie_snapshot::severity::Suppression;

/// One rule that applies to one object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub rule_id: Text,
    pub severity: Severity,
    pub title: Text,
    /// What the finding is about: a container name, an image, a file, `host`.
    pub target: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cis: Option<Text>,
    pub mitigation: Mitigation,
    /// A one-line, instance-specific statement.
    pub message: String,
    pub rationale: Text,
    pub evidence: Vec<Evidence>,
    pub fix: Fix,
    /// Boxed: most findings have none, and a hundred thousand of them are held at once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Box<Suppression>>,
    /// Where in a file the finding is (Compose files, Kubernetes manifests,
    /// Dockerfiles); absent for live containers and images.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<FileLocation>,
    /// Controls of external standards the finding breaks (`PSS baseline: Privileged Containers`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub standards: Vec<String>,
}

/// A place in a file: the key a finding is about (or, for a field that is
/// missing, the object that should have it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileLocation {
    /// The file as it was named on the command line (`-` for stdin); shared by
    /// every finding of the file.
    pub file: std::sync::Arc<str>,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// The key's path in the document (`spec.template.spec.containers[0].securityContext.privileged`,
    /// `services.web.privileged`).
    pub path: String,
}

impl Finding {
    /// Start a finding from a rule's fixed description.
    pub fn from_rule(rule: &RuleInfo, target: impl Into<String>, message: impl Into<String>) -> Self {
        Finding {
            rule_id: Cow::Borrowed(rule.id),
            severity: rule.severity,
            title: Cow::Borrowed(rule.title),
            target: target.into(),
            cis: rule.cis.map(Cow::Borrowed),
            mitigation: rule.mitigation,
            message: message.into(),
            rationale: Cow::Borrowed(rule.rationale),
            evidence: Vec::new(),
            fix: rule.fix.into(),
            suppressed: None,
            location: None,
            standards: Vec::new(),
        }
    }

    pub fn with_evidence(mut self, source: impl Into<String>, value: impl Into<String>) -> Self {
        self.evidence.push(Evidence::new(source, value));
        self
    }

    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// The fix for this instance where the rule's generic one would not match
    /// the evidence (the mount to remove is the one that was found, not the
    /// rule's example).
    pub fn with_fix(mut self, edit: impl FnOnce(&mut Fix)) -> Self {
        edit(&mut self.fix);
        self
    }

    /// Counted against `--fail-on`: unsuppressed and at or above the threshold.
    pub fn counts_at(&self, threshold: Severity) -> bool {
        self.suppressed.is_none() && self.severity >= threshold
    }
}

/// Stable order for every printer: target, severity (most severe first), rule id, message.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        a.target
            .cmp(&b.target)
            .then(b.severity.cmp(&a.severity))
            .then(a.rule_id.cmp(&b.rule_id))
            .then(a.message.cmp(&b.message))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_orders_and_parses() {
        assert!(Severity::Critical > Severity::High);
        assert!(Severity::Low > Severity::Info);
        assert_eq!("HIGH".parse::<Severity>(), Ok(Severity::High));
        assert!("urgent".parse::<Severity>().is_err());
        for s in Severity::ALL {
            assert_eq!(s.as_str().parse::<Severity>(), Ok(s));
        }
    }
}
