//! `const fn`s that keep rule catalogues written as constants short.

use crate::finding::{Mitigation, RuleInfo, Severity, StaticFix};

#[allow(clippy::too_many_arguments)]
pub(crate) const fn rule(
    id: &'static str,
    title: &'static str,
    severity: Severity,
    cis: Option<&'static str>,
    mitigation: Mitigation,
    rationale: &'static str,
    fix: StaticFix,
) -> RuleInfo {
    RuleInfo {
        id,
        title,
        severity,
        cis,
        mitigation,
        rationale,
        fix,
        detection: "",
    }
}

pub(crate) const fn fix(
    summary: &'static str,
    docker_run: &'static str,
    compose: &'static str,
    kubernetes: &'static str,
) -> StaticFix {
    StaticFix {
        summary,
        docker_run: Some(docker_run),
        compose: Some(compose),
        kubernetes: Some(kubernetes),
    }
}
