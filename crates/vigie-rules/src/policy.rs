//! The one policy of every command: which rules run (`--rules`,
//! `--skip-rules`), which findings are accepted risks (with expiry), and what
//! fails the run (`--fail-on`). `audit`, `audit image`, `inside`, `lint`,
//! `scan` and `watch` all decide through this module, so the same config and
//! the same flags mean the same thing everywhere.

use std::path::Path;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::finding::{Finding, RuleInfo, Severity, Suppression};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PolicyError {
    #[error("unknown rule '{pattern}' (see {listing})")]
    UnknownRule { pattern: String, listing: &'static str },
    #[error("{origin}: {field}: '{value}' is not a YYYY-MM-DD date")]
    BadDate {
        origin: String,
        field: String,
        value: String,
    },
    #[error("{origin}: {field}: an accepted risk needs a reason")]
    NoReason { origin: String, field: String },
    #[error("{origin}: {field}: {message}")]
    Invalid {
        origin: String,
        field: String,
        message: String,
    },
    #[error("{origin}: {message}")]
    Syntax { origin: String, message: String },
}

/// A rule pattern: an id (`VGI-CTR-001`) or a prefix ending in `*`
/// (`VGI-CTR-0*`), both case-insensitive.
pub fn pattern_matches(pattern: &str, id: &str) -> bool {
    match pattern.trim().strip_suffix('*') {
        Some(prefix) => id
            .get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix)),
        None => pattern.trim().eq_ignore_ascii_case(id),
    }
}

/// A `*` glob over a target name (`ci-*`, `*runner`, `*`), case-sensitive
/// like container names.
pub fn glob_matches(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, tail)) => {
            text.len() >= head.len() && text.starts_with(head) && glob_matches_tail(tail, &text[head.len()..])
        }
    }
}

fn glob_matches_tail(pattern: &str, text: &str) -> bool {
    if pattern.is_empty() {
        return true;
    }
    (0..=text.len())
        .filter(|i| text.is_char_boundary(*i))
        .any(|i| glob_matches(pattern, &text[i..]))
}

/// Rule selection: `include` empty means every rule; `exclude` wins.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

impl Selection {
    /// The command line's `--rules` replaces the config's `rules`; both
    /// `skip_rules` lists add up.
    pub fn merged(flag_rules: &[String], flag_skip: &[String], config: &AuditConfig) -> Selection {
        let include = if flag_rules.is_empty() {
            config.rules.clone()
        } else {
            flag_rules.to_vec()
        };
        let mut exclude = config.skip_rules.clone();
        exclude.extend(flag_skip.iter().cloned());
        Selection { include, exclude }
    }

    /// Every pattern must name at least one rule of `catalogue`: a typo would
    /// otherwise silently select nothing (or skip nothing).
    pub fn validate<'a>(
        &self,
        catalogue: impl IntoIterator<Item = &'a RuleInfo> + Clone,
        listing: &'static str,
    ) -> Result<(), PolicyError> {
        for pattern in self.include.iter().chain(&self.exclude) {
            if !catalogue.clone().into_iter().any(|r| pattern_matches(pattern, r.id)) {
                return Err(PolicyError::UnknownRule {
                    pattern: pattern.clone(),
                    listing,
                });
            }
        }
        Ok(())
    }

    pub fn wants(&self, id: &str) -> bool {
        (self.include.is_empty() || self.include.iter().any(|p| pattern_matches(p, id)))
            && !self.exclude.iter().any(|p| pattern_matches(p, id))
    }

    /// The rules of `catalogue` to evaluate, after [`Selection::validate`].
    pub fn select<'a>(
        &self,
        catalogue: impl IntoIterator<Item = &'a RuleInfo> + Clone,
        listing: &'static str,
    ) -> Result<Vec<&'a RuleInfo>, PolicyError> {
        self.validate(catalogue.clone(), listing)?;
        Ok(catalogue.into_iter().filter(|r| self.wants(r.id)).collect())
    }
}

/// An accepted risk: `rule` (id or prefix*) on `target` (a name, a `*`-glob,
/// or `host`; every target when absent), for a reason, until a day.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Acceptance {
    pub rule: String,
    #[serde(default)]
    pub target: Option<String>,
    pub reason: String,
    /// YYYY-MM-DD; the acceptance holds through that day.
    #[serde(default)]
    pub expires: Option<String>,
}

impl Acceptance {
    pub fn matches(&self, rule_id: &str, target: &str) -> bool {
        pattern_matches(&self.rule, rule_id) && self.target.as_deref().is_none_or(|t| glob_matches(t, target))
    }

    /// Lapsed when its last day is before `today`.
    pub fn lapsed(&self, today: Date) -> bool {
        self.expires
            .as_deref()
            .is_some_and(|d| parse_date(d).is_none_or(|d| d < today))
    }
}

/// An acceptance that matched findings after its expiry: they count again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expired<'a> {
    pub acceptance: &'a Acceptance,
    pub count: usize,
}

/// Mark accepted findings suppressed (the first matching acceptance wins);
/// return the expired acceptances that matched, with their counts.
pub fn apply_acceptances<'a>(findings: &mut [Finding], accept: &'a [Acceptance], today: Date) -> Vec<Expired<'a>> {
    let mut expired: Vec<Expired<'a>> = Vec::new();
    for f in findings.iter_mut() {
        let Some(a) = accept.iter().find(|a| a.matches(&f.rule_id, &f.target)) else {
            continue;
        };
        if a.lapsed(today) {
            match expired.iter_mut().find(|e| std::ptr::eq(e.acceptance, a)) {
                Some(e) => e.count += 1,
                None => expired.push(Expired {
                    acceptance: a,
                    count: 1,
                }),
            }
        } else {
            f.suppressed = Some(Box::new(Suppression {
                by: String::new(),
                reason: a.reason.clone(),
                expires: a.expires.clone(),
            }));
        }
    }
    expired
}

/// The config file (TOML): `[audit]` with a threshold, rule selection and
/// accepted risks. Read by `audit`, `audit image` and `watch`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(default)]
    pub audit: AuditConfig,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditConfig {
    pub fail_on: Option<String>,
    #[serde(default)]
    pub rules: Vec<String>,
    #[serde(default)]
    pub skip_rules: Vec<String>,
    #[serde(default)]
    pub accept: Vec<Acceptance>,
}

impl ConfigFile {
    /// Parse and check a config file's text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<ConfigFile, PolicyError> {
        let config: ConfigFile = toml::from_str(text).map_err(|e| PolicyError::Syntax {
            origin: origin.to_string(),
            message: e.message().to_string(),
        })?;
        validate_acceptances(&config.audit.accept, origin, "audit.accept")?;
        Ok(config)
    }

    /// The `--fail-on` flag wins over the file's `audit.fail_on`.
    pub fn threshold(&self, flag: Option<Severity>, origin: &str) -> Result<Option<Severity>, PolicyError> {
        match (flag, self.audit.fail_on.as_deref()) {
            (Some(s), _) => Ok(Some(s)),
            (None, Some(text)) => text.parse::<Severity>().map(Some).map_err(|e| PolicyError::Invalid {
                origin: origin.to_string(),
                field: "audit.fail_on".to_string(),
                message: e.to_string(),
            }),
            (None, None) => Ok(None),
        }
    }
}

/// Read a config file (`None`: the empty config).
pub fn load_config(path: Option<&Path>) -> Result<ConfigFile, LoadError> {
    let Some(path) = path else {
        return Ok(ConfigFile::default());
    };
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read {
        path: path.display().to_string(),
        source,
    })?;
    Ok(ConfigFile::parse(&text, &path.display().to_string())?)
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read config file {path}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Policy(#[from] PolicyError),
}

/// Every acceptance needs a reason and, if it has one, a real date.
pub fn validate_acceptances(accept: &[Acceptance], origin: &str, field: &str) -> Result<(), PolicyError> {
    for (i, a) in accept.iter().enumerate() {
        if let Some(date) = &a.expires
            && parse_date(date).is_none()
        {
            return Err(PolicyError::BadDate {
                origin: origin.to_string(),
                field: format!("{field}[{i}].expires"),
                value: date.clone(),
            });
        }
        if a.reason.trim().is_empty() {
            return Err(PolicyError::NoReason {
                origin: origin.to_string(),
                field: format!("{field}[{i}].reason"),
            });
        }
    }
    Ok(())
}

/// `--fail-on`: an unsuppressed finding at or above the threshold fails the run.
pub fn fails(findings: &[Finding], fail_on: Option<Severity>) -> bool {
    reaches(
        findings.iter().filter(|f| f.suppressed.is_none()).map(|f| f.severity),
        fail_on,
    )
}

/// `--fail-on` over severities that count (vulnerabilities already past
/// their ignore file and VEX, for `vigie scan`): one at or above the
/// threshold fails the run. `Unknown` is below every threshold but `unknown`.
pub fn reaches(counted: impl IntoIterator<Item = Severity>, fail_on: Option<Severity>) -> bool {
    fail_on.is_some_and(|threshold| counted.into_iter().any(|s| s >= threshold))
}

/// A strict `YYYY-MM-DD` calendar date (2027-02-30 is not one).
pub fn parse_date(text: &str) -> Option<Date> {
    let text = text.trim();
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    text.parse::<Date>().ok()
}

/// Today in UTC.
pub fn today() -> Date {
    now_utc().date()
}

/// The civil date and time now, in UTC.
pub fn now_utc() -> jiff::civil::DateTime {
    jiff::tz::Offset::UTC.to_datetime(jiff::Timestamp::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(id: &'static str) -> RuleInfo {
        RuleInfo {
            id,
            title: "t",
            severity: Severity::High,
            cis: None,
            mitigation: crate::Mitigation::NoPrivileged,
            rationale: "r",
            fix: crate::StaticFix {
                summary: "s",
                docker_run: None,
                compose: None,
                kubernetes: None,
            },
            detection: "",
        }
    }

    #[test]
    fn patterns_and_globs() {
        assert!(pattern_matches("vgi-ctr-0*", "VGI-CTR-001"));
        assert!(pattern_matches(" VGI-CTR-001 ", "vgi-ctr-001"));
        assert!(!pattern_matches("VGI-CTR-00", "VGI-CTR-001"));
        assert!(pattern_matches("*", "anything"));
        // A multi-byte prefix never slices inside a character.
        assert!(!pattern_matches("é*", "e"));
        assert!(glob_matches("ci-*", "ci-runner"));
        assert!(glob_matches("*runner", "ci-runner"));
        assert!(glob_matches("*", "x"));
        assert!(!glob_matches("ci-*", "web"));
        assert!(glob_matches("a*é*z", "aXéYz"));
    }

    #[test]
    fn selection_rejects_unknown_ids_and_excludes_win() {
        let rules = [rule("VGI-HOST-001"), rule("VGI-HOST-016"), rule("VGI-CTR-001")];
        let s = Selection {
            include: vec!["vgi-host-*".into()],
            exclude: vec!["VGI-HOST-016".into()],
        };
        let picked: Vec<&str> = s.select(&rules, "vigie rules").unwrap().iter().map(|r| r.id).collect();
        assert_eq!(picked, ["VGI-HOST-001"]);
        let typo = Selection {
            include: vec![],
            exclude: vec!["VGI-HOST-999".into()],
        };
        assert_eq!(
            typo.select(&rules, "vigie rules").unwrap_err().to_string(),
            "unknown rule 'VGI-HOST-999' (see vigie rules)"
        );
    }

    #[test]
    fn acceptances_suppress_and_expire() {
        let r = rule("VGI-CTR-001");
        let mut findings = vec![
            Finding::from_rule(&r, "ci-runner", "runs privileged"),
            Finding::from_rule(&r, "web", "runs privileged"),
            Finding::from_rule(&r, "old", "runs privileged"),
        ];
        let accept = vec![
            Acceptance {
                rule: "VGI-CTR-001".into(),
                target: Some("ci-*".into()),
                reason: "dind".into(),
                expires: Some("2999-01-01".into()),
            },
            Acceptance {
                rule: "VGI-CTR-*".into(),
                target: Some("old".into()),
                reason: "legacy".into(),
                expires: Some("2000-01-01".into()),
            },
        ];
        let today = parse_date("2026-11-28").unwrap();
        let expired = apply_acceptances(&mut findings, &accept, today);
        assert!(findings[0].suppressed.is_some());
        assert!(findings[1].suppressed.is_none());
        assert!(findings[2].suppressed.is_none());
        assert_eq!(expired.len(), 1);
        assert_eq!(expired[0].count, 1);
        // It holds through its last day.
        let last_day = Acceptance {
            expires: Some("2026-11-28".into()),
            ..accept[0].clone()
        };
        assert!(!last_day.lapsed(today));
        assert!(fails(&findings, Some(Severity::High)));
        assert!(!fails(&findings, None));
        assert!(!fails(&findings, Some(Severity::Critical)));
    }

    #[test]
    fn dates_are_strict() {
        assert!(parse_date("2027-01-31").is_some());
        assert!(parse_date("2028-02-29").is_some());
        assert!(parse_date("2027-02-29").is_none());
        assert!(parse_date("2027-1-31").is_none());
        assert!(parse_date("2027-13-01").is_none());
        assert!(parse_date("20270-1-01").is_none());
        assert_eq!(today().to_string().len(), 10);
    }

    #[test]
    fn config_files_name_the_field_that_is_wrong() {
        let bad = "[[audit.accept]]\nrule = \"VGI-CTR-001\"\nreason = \"x\"\nexpires = \"2027-02-30\"\n";
        assert_eq!(
            ConfigFile::parse(bad, "vigie.toml").unwrap_err().to_string(),
            "vigie.toml: audit.accept[0].expires: '2027-02-30' is not a YYYY-MM-DD date"
        );
        let no_reason = "[[audit.accept]]\nrule = \"VGI-CTR-001\"\nreason = \" \"\n";
        assert!(
            ConfigFile::parse(no_reason, "c.toml")
                .unwrap_err()
                .to_string()
                .ends_with("audit.accept[0].reason: an accepted risk needs a reason")
        );
        let c = ConfigFile::parse("[audit]\nfail_on = \"high\"\n", "c.toml").unwrap();
        assert_eq!(c.threshold(None, "c.toml"), Ok(Some(Severity::High)));
        assert_eq!(c.threshold(Some(Severity::Low), "c.toml"), Ok(Some(Severity::Low)));
        assert!(ConfigFile::parse("[audit]\nbogus = 1\n", "c.toml").is_err());
    }
}
