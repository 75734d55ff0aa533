//! Exit codes, documented in README and docs/commands: 0 clean, 1 findings at
//! or above the `--fail-on` threshold, 2 operational error.

use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing at or above the threshold.
    Clean,
    /// Findings at or above the threshold.
    Findings,
    /// A code chosen by the user (`scan --exit-code N`) or passed through
    /// (`vigie run`: the container's own exit code, as with `docker run`).
    Code(u8),
}

impl From<Outcome> for ExitCode {
    fn from(o: Outcome) -> Self {
        match o {
            Outcome::Clean => ExitCode::from(0),
            Outcome::Findings => ExitCode::from(1),
            Outcome::Code(code) => ExitCode::from(code),
        }
    }
}

pub const ERROR: u8 = 2;

/// Outcome of a run of findings against an optional threshold.
pub fn outcome_for(findings: &[vigie_rules::Finding], fail_on: Option<vigie_rules::Severity>) -> Outcome {
    match fail_on {
        Some(threshold) if findings.iter().any(|f| f.counts_at(threshold)) => Outcome::Findings,
        _ => Outcome::Clean,
    }
}
