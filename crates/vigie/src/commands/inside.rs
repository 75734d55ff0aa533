//! `vigie inside`: run in a container (or on a host), report every escape
//! path visible from there. Read-only: never writes, never attempts anything.

use std::path::PathBuf;

use vigie_report::findings::{TableOptions, to_json, to_table};
use vigie_report::style::Style;
use vigie_rules::Severity;
use vigie_rules::inside::{InsideReport, Probe};
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
        eprintln!("vigie: warning: {w}");
    }
    let text = match args.format {
        Format::Json => to_json(
            "inside",
            env!("CARGO_PKG_VERSION"),
            serde_json::json!({ "environment": &report.environment, "warnings": &report.warnings }),
            &report.findings,
        )?,
        Format::Table => render(&report, !args.brief, args.output.is_none()),
    };
    crate::output::emit(&text, args.output.as_deref())?;
    Ok(outcome_for(&report.findings, args.fail_on))
}

fn render(report: &InsideReport, explain: bool, terminal: bool) -> String {
    use std::io::IsTerminal;
    let color = terminal && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let e = &report.environment;
    let mut out = String::new();
    let where_ = if e.in_container {
        format!(
            "in a container (runtime: {})",
            e.runtime.as_deref().unwrap_or("unknown")
        )
    } else {
        "not in a container".to_string()
    };
    out.push_str(&format!("Where:        {where_}\n"));
    for s in &e.container_signs {
        out.push_str(&format!("              sign: {s}\n"));
    }
    if let Some(v) = e.cgroup_version {
        out.push_str(&format!("cgroup:       v{v}\n"));
    }
    if let Some(uid) = e.uid {
        out.push_str(&format!(
            "User:         uid {} gid {}{}; user namespace: {}\n",
            uid[1],
            e.gid.map(|g| g[1]).unwrap_or_default(),
            if uid[1] == 0 { " (root)" } else { "" },
            if e.user_namespace {
                format!("yes (uid_map: {})", e.uid_map.as_deref().unwrap_or(""))
            } else {
                if uid[1] == 0 {
                    "no (uid 0 here is uid 0 on the host)"
                } else {
                    "no"
                }
                .to_string()
            }
        ));
    }
    out.push_str(&format!(
        "Capabilities: CapEff {} ({}): {}\n",
        e.cap_eff.as_deref().unwrap_or("?"),
        e.capabilities.len(),
        if e.capabilities.is_empty() {
            "none".to_string()
        } else {
            e.capabilities.join(", ")
        }
    ));
    if let Some(n) = e.no_new_privs {
        out.push_str(&format!(
            "NoNewPrivs:   {}\n",
            crate::commands::caps::no_new_privs_meaning(n)
        ));
    }
    if let Some(s) = e.seccomp {
        out.push_str(&format!(
            "Seccomp:      {}\n",
            crate::commands::caps::seccomp_meaning(s, e.seccomp_filters)
        ));
    }
    out.push_str(&format!(
        "LSM:          {}\n",
        match (&e.lsm, &e.lsm_label) {
            (Some(l), Some(label)) => format!("{l}, label {label}"),
            (Some(l), None) => format!("{l}, no label"),
            (None, _) => "no AppArmor/SELinux on this kernel".to_string(),
        }
    ));
    if !e.network_interfaces.is_empty() {
        out.push_str(&format!("Network:      {}\n", e.network_interfaces.join(", ")));
    }
    out.push('\n');
    out.push_str(&to_table(
        &report.findings,
        TableOptions {
            style: Style { color },
            explain,
            width: None,
        },
    ));
    if !report.warnings.is_empty() {
        out.push_str(&format!(
            "Incomplete: {} probe(s) could not run (see warnings)\n",
            report.warnings.len()
        ));
    }
    out
}
