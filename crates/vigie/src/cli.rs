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

/// How the engine is chosen, as docker chooses it (see
/// `vigie_engine::context`): `--engine`/`-H`, else `--context`, else
/// `DOCKER_HOST`, else `DOCKER_CONTEXT`, else the client configuration's
/// current context, else the local socket. After `main` resolves it,
/// `engine` holds the endpoint every command connects to.
#[derive(Debug, Clone, clap::Args)]
pub struct GlobalArgs {
    /// Docker Engine endpoint (unix:///var/run/docker.sock, /path/to.sock, tcp://HOST:PORT); default: DOCKER_HOST, else the current docker context, else the local socket
    #[arg(long, short = 'H', visible_alias = "host", global = true, value_name = "URL")]
    pub engine: Option<String>,
    /// Docker context whose engine to use (as `docker --context`); default: DOCKER_CONTEXT, else the configuration's currentContext
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,
    /// Docker client configuration directory (contexts, TLS material); default: DOCKER_CONFIG, else ~/.docker
    #[arg(long, global = true, value_name = "DIR")]
    pub docker_config: Option<std::path::PathBuf>,
    /// Talk TLS to a tcp:// engine and verify its certificate (also DOCKER_TLS_VERIFY)
    #[arg(long, global = true)]
    pub tlsverify: bool,
    /// TLS without verification: refused (vigie does not talk to an engine it cannot authenticate)
    #[arg(long, global = true, hide = true)]
    pub tls: bool,
    /// CA the engine's certificate must chain to (default: DOCKER_CERT_PATH or the configuration directory, ca.pem)
    #[arg(long, global = true, value_name = "FILE")]
    pub tlscacert: Option<std::path::PathBuf>,
    /// Client certificate (default: cert.pem beside the CA)
    #[arg(long, global = true, value_name = "FILE")]
    pub tlscert: Option<std::path::PathBuf>,
    /// Client key (default: key.pem beside the CA)
    #[arg(long, global = true, value_name = "FILE")]
    pub tlskey: Option<std::path::PathBuf>,
}

impl GlobalArgs {
    /// Decide the engine once, docker's way, and make `engine` that endpoint
    /// (registering its TLS material for the connection).
    fn resolve_engine(&mut self) -> anyhow::Result<()> {
        let request = vigie_engine::context::Request {
            engine: self.engine.clone(),
            context: self.context.clone(),
            config_dir: self.docker_config.clone(),
            tls: self.tls,
            tls_verify: self.tlsverify,
            tls_ca: self.tlscacert.clone(),
            tls_cert: self.tlscert.clone(),
            tls_key: self.tlskey.clone(),
        };
        let resolved = vigie_engine::context::resolve(&request, &vigie_engine::context::Env::from_process())?;
        if let Some(tls) = resolved.tls {
            vigie_engine::use_tls(&resolved.endpoint, tls);
        }
        self.engine = Some(resolved.endpoint);
        Ok(())
    }
}

/// docker's global options, as docker passes them to a plugin before the
/// plugin's name (`docker-vigie [GLOBAL OPTIONS] vigie …`): (long, short,
/// takes a value, vigie's option or None to drop it: -D and -l only tune
/// docker's own logging).
const DOCKER_GLOBALS: &[(&str, Option<char>, bool, Option<&str>)] = &[
    ("host", Some('H'), true, Some("--engine")),
    ("context", Some('c'), true, Some("--context")),
    ("config", None, true, Some("--docker-config")),
    ("debug", Some('D'), false, None),
    ("log-level", Some('l'), true, None),
    ("tls", None, false, Some("--tls")),
    ("tlsverify", None, false, Some("--tlsverify")),
    ("tlscacert", None, true, Some("--tlscacert")),
    ("tlscert", None, true, Some("--tlscert")),
    ("tlskey", None, true, Some("--tlskey")),
];

/// docker's global options (everything before the plugin name) as vigie's
/// own, and the index of the plugin name; an option docker does not have is
/// an error naming it. `None` when the first word is not `vigie` (the binary
/// was run by hand under its plugin name, with vigie's own syntax).
fn translate_docker_globals(args: &[std::ffi::OsString]) -> Result<Option<(Vec<std::ffi::OsString>, usize)>, String> {
    let globals = args;
    let mut out: Vec<std::ffi::OsString> = Vec::new();
    let mut hosts = 0;
    let mut i = 1;
    while i < globals.len() {
        let arg = globals[i].to_string_lossy().into_owned();
        if !arg.starts_with('-') || arg == "-" {
            return Ok((arg == "vigie").then_some((out, i)));
        }
        i += 1;
        // --name, --name=value, -X, -X value, -X=value, -Xvalue
        let (spec, inline) = if let Some(long) = arg.strip_prefix("--") {
            let (name, value) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            (DOCKER_GLOBALS.iter().find(|g| g.0 == name), value)
        } else if let Some(short) = arg.strip_prefix('-').filter(|s| !s.is_empty()) {
            let mut chars = short.chars();
            let letter = chars.next();
            let rest: String = chars.collect();
            let value = (!rest.is_empty()).then(|| rest.strip_prefix('=').unwrap_or(&rest).to_string());
            (DOCKER_GLOBALS.iter().find(|g| g.1 == letter), value)
        } else {
            (None, None)
        };
        let Some(&(name, _, takes_value, vigie_option)) = spec else {
            return Err(format!("vigie: error: unknown docker global option {arg}"));
        };
        let value = if takes_value {
            match inline {
                Some(v) => Some(v),
                None => {
                    let v = globals
                        .get(i)
                        .ok_or_else(|| format!("vigie: error: docker option --{name} needs a value"))?;
                    i += 1;
                    Some(v.to_string_lossy().into_owned())
                }
            }
        } else {
            if inline.is_some() && !matches!(inline.as_deref(), Some("true")) {
                return Err(format!("vigie: error: docker option --{name} takes no value: {arg}"));
            }
            None
        };
        if name == "host" {
            hosts += 1;
            if hosts > 1 {
                return Err(
                    "vigie: error: give one -H/--host (docker accepts only one for a plugin's engine)".to_string(),
                );
            }
        }
        if let Some(option) = vigie_option {
            out.push(option.into());
            if let Some(v) = value {
                out.push(v.into());
            }
        }
    }
    Ok(None)
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
    /// List every rule of every family (container, host, inside, image, Dockerfile, kubernetes), or print a rule's page
    Rules(commands::rules::Args),
    /// Print shell completions (bash, zsh, fish, elvish, powershell)
    Completions(commands::completions::Args),
}

/// The Docker CLI plugin handshake: `docker` runs `docker-vigie
/// docker-cli-plugin-metadata` to discover the plugin, then `docker-vigie
/// vigie ARGS…` for `docker vigie ARGS…`.
enum Invocation {
    Args(Vec<std::ffi::OsString>),
    /// The plugin metadata to print.
    Metadata(String),
    /// A docker global option vigie cannot take: the message.
    Refused(String),
}

fn plugin_args() -> Invocation {
    match plugin_args_of(std::env::args_os().collect()) {
        Ok(args) => Invocation::Args(args),
        Err(Ok(metadata)) => Invocation::Metadata(metadata),
        Err(Err(message)) => Invocation::Refused(message),
    }
}

/// `Err(Ok(metadata))` for the handshake, `Err(Err(message))` for a bad option.
type Handshake = Result<String, String>;

fn plugin_args_of(mut args: Vec<std::ffi::OsString>) -> Result<Vec<std::ffi::OsString>, Handshake> {
    if args.get(1).is_some_and(|a| a == "docker-cli-plugin-metadata") {
        let metadata = serde_json::json!({
            "SchemaVersion": "0.1.0",
            "Vendor": "vigie",
            "Version": env!("CARGO_PKG_VERSION"),
            "ShortDescription": "Container security: caps, inside, audit, scan",
        });
        return Err(Ok(metadata.to_string()));
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
    if invoked_as_plugin {
        // docker-vigie [GLOBAL OPTIONS] vigie [ARGS…]
        if let Some((globals, at)) = translate_docker_globals(&args).map_err(Err)? {
            let rest = args.split_off(at + 1);
            args.truncate(1);
            args.extend(globals);
            args.extend(rest);
        }
    }
    if let Some(first) = args.first_mut() {
        *first = "vigie".into();
    }
    Ok(args)
}

pub fn main() -> ExitCode {
    let args = match plugin_args() {
        Invocation::Args(args) => args,
        Invocation::Metadata(metadata) => {
            println!("{metadata}");
            return ExitCode::SUCCESS;
        }
        Invocation::Refused(message) => {
            crate::output::say_err(&message);
            return ExitCode::from(crate::exit::ERROR);
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
    let mut cli = cli;
    // Commands that never talk to the engine do not fail on a broken context.
    let offline = matches!(
        cli.command,
        Command::Lint(_)
            | Command::Rules(_)
            | Command::Completions(_)
            | Command::Diff(_)
            | Command::Db(_)
            | Command::Inside(_)
    );
    if let Err(err) = if offline { Ok(()) } else { cli.global.resolve_engine() } {
        crate::output::say_err(&format!("vigie: error: {}", one_line(&err)));
        return ExitCode::from(crate::exit::ERROR);
    }
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

    fn plugin(args: &[&str]) -> Result<Vec<String>, Handshake> {
        let mut all = vec!["/root/.docker/cli-plugins/docker-vigie"];
        all.extend_from_slice(args);
        plugin_args_of(all.iter().map(Into::into).collect())
            .map(|v| v.iter().map(|a| a.to_string_lossy().into_owned()).collect())
    }

    #[test]
    fn docker_global_options_become_vigie_options() {
        assert_eq!(plugin(&["vigie", "audit"]).unwrap(), ["vigie", "audit"]);
        assert_eq!(
            plugin(&["-H", "unix:///x.sock", "-D", "vigie", "caps", "0"]).unwrap(),
            ["vigie", "--engine", "unix:///x.sock", "caps", "0"]
        );
        assert_eq!(
            plugin(&["--context=vigie", "-l", "debug", "--config", "/c", "vigie", "stats"]).unwrap(),
            ["vigie", "--context", "vigie", "--docker-config", "/c", "stats"],
            "a context named vigie is a value, not the plugin name"
        );
        assert_eq!(
            plugin(&[
                "-Htcp://h:2376",
                "--tlsverify",
                "--tlscacert",
                "/ca.pem",
                "vigie",
                "audit"
            ])
            .unwrap(),
            [
                "vigie",
                "--engine",
                "tcp://h:2376",
                "--tlsverify",
                "--tlscacert",
                "/ca.pem",
                "audit"
            ]
        );
        assert_eq!(plugin(&["-c", "lab", "vigie"]).unwrap(), ["vigie", "--context", "lab"]);
        // Run by hand under the plugin's name: vigie's own syntax.
        assert_eq!(plugin(&["caps", "0"]).unwrap(), ["vigie", "caps", "0"]);
        let refused = |args: &[&str]| match plugin(args) {
            Err(Err(message)) => message,
            other => panic!("{other:?}"),
        };
        assert!(refused(&["--bogus", "vigie"]).contains("--bogus"));
        assert!(refused(&["-H"]).contains("needs a value"));
        assert!(refused(&["-H", "a", "-H", "b", "vigie"]).contains("one -H"));
        assert!(matches!(plugin(&["docker-cli-plugin-metadata"]), Err(Ok(_))));
    }
}
