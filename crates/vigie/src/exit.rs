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

impl Outcome {
    /// `Findings` when the policy says the run fails, else `Clean`.
    pub fn of(fails: bool) -> Outcome {
        if fails { Outcome::Findings } else { Outcome::Clean }
    }
}

/// Outcome of a run of findings against an optional threshold
/// (`vigie_rules::policy::fails`, the one `--fail-on`).
pub fn outcome_for(findings: &[vigie_rules::Finding], fail_on: Option<vigie_rules::Severity>) -> Outcome {
    Outcome::of(vigie_rules::policy::fails(findings, fail_on))
}
