//! Command line: global options, the subcommand enum, the Docker CLI plugin
//! handshake, and the one place where errors become exit code 2.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

use crate::commands;

const ABOUT: &str = "Run, inspect, audit, harden and scan containers; every risk explained with evidence and a fix";

const AFTER_HELP: &str = "Exit codes: 0 clean, 1 findings at or above --fail-on, 2 operational error.\n\
Docs: docs/commands/<command>.md";

#[derive(Debug, Parser)]
#[command(name = "vigie", version, about = ABOUT, after_help = AFTER_HELP, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, clap::Args)]
pub struct GlobalArgs {
    /// Docker Engine endpoint (unix:///var/run/docker.sock, /path/to.sock, tcp://HOST:PORT)
    #[arg(long, global = true, env = "DOCKER_HOST", value_name = "URL")]
    pub engine: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Decode Linux capability sets (a mask, a process, a container or a pasted /proc/PID/status)
    Caps(commands::caps::Args),
    /// Self-audit from inside a container (or a host): every escape path an attacker there could reach
    Inside(commands::inside::Args),
    /// Lint Dockerfiles: security and hadolint rules, exact line and column, SARIF
    Lint(commands::lint::Args),
    /// List every package in an image (OS and languages) as a table, JSON, CycloneDX or SPDX
    Sbom(commands::sbom::Args),
    /// Audit every container (any state) and the Docker host against the rule catalogue
    Audit(commands::audit::Args),
    /// Scan an image, root filesystem, lockfile or SBOM for known vulnerabilities
    Scan(commands::scan::Args),
    /// Manage the local vulnerability database (import, update, status, show)
    Db(commands::db::Args),
    /// Compare two vulnerability reports (vigie, Trivy or Grype JSON)
    Diff(commands::diff::Args),
    /// Run a container with hardened defaults, showing each lifecycle step and its security posture
    Run(commands::run::Args),
    /// Live CPU, memory, network, block I/O and PIDs of running containers
    Stats(commands::stats::Args),
    /// Disconnect a container from every network and prove its traffic stopped (--restore reconnects it)
    Isolate(commands::isolate::Args),
    /// Audit each container as it is created or started; alert, or stop/pause it with --enforce
    Watch(commands::watch::Args),
    /// List every rule of every family (container, host, inside, image, Dockerfile), or print a rule's page
    Rules(commands::rules::Args),
    /// Print shell completions (bash, zsh, fish, elvish, powershell)
    Completions(commands::completions::Args),
}

/// The Docker CLI plugin handshake: `docker` runs `docker-vigie
/// docker-cli-plugin-metadata` to discover the plugin, then `docker-vigie
/// vigie ARGS…` for `docker vigie ARGS…`.
fn plugin_args() -> Result<Vec<std::ffi::OsString>, String> {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "docker-cli-plugin-metadata") {
        let metadata = serde_json::json!({
            "SchemaVersion": "0.1.0",
            "Vendor": "vigie",
            "Version": env!("CARGO_PKG_VERSION"),
            "ShortDescription": "Container security: caps, inside, audit, scan",
        });
        return Err(metadata.to_string());
    }
    let invoked_as_plugin = args
        .first()
        .and_then(|a| {
            std::path::Path::new(a)
                .file_name()
                .map(|n| n.to_string_lossy().starts_with("docker-"))
        })
        .unwrap_or(false)
        || std::env::var_os("DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND").is_some();
    if invoked_as_plugin && args.get(1).is_some_and(|a| a == "vigie") {
        args.remove(1);
    }
    if let Some(first) = args.first_mut() {
        *first = "vigie".into();
    }
    Ok(args)
}

pub fn main() -> ExitCode {
    let args = match plugin_args() {
        Ok(args) => args,
        Err(metadata) => {
            println!("{metadata}");
            return ExitCode::SUCCESS;
        }
    };
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { crate::exit::ERROR } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Caps(args) => commands::caps::run(args, &cli.global),
        Command::Inside(args) => commands::inside::run(args, &cli.global),
        Command::Lint(args) => commands::lint::run(args, &cli.global),
        Command::Sbom(args) => commands::sbom::run(args, &cli.global),
        Command::Audit(args) => commands::audit::run(args, &cli.global),
        Command::Scan(args) => commands::scan::run(args, &cli.global),
        Command::Db(args) => commands::db::run(args, &cli.global),
        Command::Diff(args) => commands::diff::run(args, &cli.global),
        Command::Run(args) => commands::run::run(args, &cli.global),
        Command::Stats(args) => commands::stats::run(args, &cli.global),
        Command::Isolate(args) => commands::isolate::run(args, &cli.global),
        Command::Watch(args) => commands::watch::run(args, &cli.global),
        Command::Rules(args) => commands::rules::run(args, &cli.global),
        Command::Completions(args) => commands::completions::run(args),
    };
    match result {
        Ok(outcome) => outcome.into(),
        Err(err) => {
            crate::output::say_err(&format!("vigie: error: {}", one_line(&err)));
            ExitCode::from(crate::exit::ERROR)
        }
    }
}

/// `context: cause: cause` on one line, the way users quote errors.
fn one_line(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
    }
    parts.join(": ").replace('\n', " ")
}

/// A current-thread runtime for commands that talk to the engine.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| anyhow::anyhow!("cannot start the async runtime: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }
}
