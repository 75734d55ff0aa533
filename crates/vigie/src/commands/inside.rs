//! `vigie inside`: run in a container (or on a host), report every escape
//! path visible from there. Read-only: never writes, never attempts anything.

use std::path::PathBuf;

use vigie_report::findings::to_json;
use vigie_rules::Severity;
use vigie_rules::inside::Probe;
use vigie_rules::policy::Selection;

use crate::cli::GlobalArgs;
use crate::exit::{Outcome, outcome_for};

#[derive(Debug, clap::Args)]
#[command(
    about = "Self-audit from inside a container (or a host): every escape path an attacker there could reach",
    long_about = "Self-audit from inside a container (or on a host): container and runtime detection, user and \
user namespace, capabilities, NoNewPrivs, seccomp, AppArmor/SELinux, privileged signs (full capability set, host \
devices, writable /sys or /proc/sys, unmasked /proc paths), host mounts and engine sockets, host PID/network \
namespaces, cgroup v1 release_agent preconditions, module loading, open_by_handle_at and ptrace reach.\n\n\
Read-only: it never performs an escape, never writes, never changes anything.",
    after_help = "Run it in any image with the static binary:\n  \
docker run --rm -v \"$PWD/vigie:/vigie:ro\" alpine:3.10 /vigie inside\n\n\
Exit codes: 0 clean, 1 a finding at or above --fail-on, 2 error."
)]
pub struct Args {
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Exit 1 when a finding at or above this severity is found (critical, high, medium, low, info)
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,
    /// Only the findings, without why/fix
    #[arg(long)]
    pub brief: bool,
    /// Only these rules (comma-separated ids; a trailing * matches a prefix: VGI-INS-01*)
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub rules: Vec<String>,
    /// Skip these rules (same syntax as --rules)
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub skip_rules: Vec<String>,
    /// Write the report to FILE instead of stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Probe a directory laid out like / instead of the running system (for saved evidence)
    #[arg(long, value_name = "DIR", hide = true)]
    pub root: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
}

pub fn run(args: Args, _global: &GlobalArgs) -> anyhow::Result<Outcome> {
    let probe = match &args.root {
        Some(root) => Probe::rooted(root),
        None => Probe::system(),
    };
    let selection = Selection {
        include: args.rules.clone(),
        exclude: args.skip_rules.clone(),
    };
    selection.validate(vigie_rules::inside::rules::catalogue(), "vigie rules")?;
    let mut report = probe.run()?;
    report.findings.retain(|f| selection.wants(&f.rule_id));
    for w in &report.warnings {
        crate::output::say_err(&format!("vigie: warning: {w}"));
    }
    let text = match args.format {
        Format::Json => to_json(
            "inside",
            env!("CARGO_PKG_VERSION"),
            serde_json::json!({ "environment": &report.environment, "warnings": &report.warnings }),
            &report.findings,
        )?,
        Format::Table => vigie_report::inside::table(&report, !args.brief, crate::output::color(args.output.is_none())),
    };
    crate::output::emit(&text, args.output.as_deref())?;
    Ok(outcome_for(&report.findings, args.fail_on))
}
