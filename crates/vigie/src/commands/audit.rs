//! `vigie audit [CONTAINER…]`: every container on the engine (any state) and
//! the Docker host checked against the audit catalogue; or, offline, the
//! JSON `docker inspect` printed (`--from-inspect`). Settings: command line,
//! then the config file (`--config`/`VIGIE_CONFIG`, TOML) for what the
//! command line leaves unset. Accepted risks from the config file stay in
//! every output, marked suppressed; expired ones count again.

use anyhow::{Context, bail};
use serde::Serialize;
use std::path::{Path, PathBuf};

use vigie_engine::Engine;
use vigie_engine::snapshot::Collected;
use vigie_report::findings::{TableOptions, to_json, to_table};
use vigie_report::style::Style;
use vigie_rules::audit::{HostContext, audit_container, audit_host, catalogue};
use vigie_rules::policy::{self, Acceptance, ConfigFile, Expired, Selection, apply_acceptances};
use vigie_rules::{Finding, RuleInfo, Severity, sort_findings};
use vigie_snapshot::inspect::{default_last_cap, load_inspect_json};
use vigie_snapshot::{ContainerSnapshot, HostSnapshot, SNAPSHOT_SCHEMA_VERSION};

use crate::cli::GlobalArgs;
use crate::exit::Outcome;

mod files;
mod runtime;

#[derive(Debug, clap::Args)]
#[command(
    args_conflicts_with_subcommands = true,
    about = "Audit every container (running, created, stopped…) and the Docker host against the rule catalogue",
    long_about = "Audit containers in any state and the Docker host: privileged mode, capabilities, \
host mounts and engine sockets, namespaces, seccomp/AppArmor/SELinux, limits, restart policy, \
published ports, networks, health checks, secrets-looking env names, daemon options. Each finding has \
a stable rule id, severity, CIS Docker Benchmark v1.6 id, rationale, evidence (field and value) and \
the fix as a docker run flag, a Compose key and a Kubernetes field.\n\n\
With no CONTAINER, every container on the engine is audited, plus the host. `--from-inspect FILE` \
audits what `docker inspect` printed, offline. A container named `image` must be written \
`vigie audit -- image`.",
    after_help = "Examples:\n  vigie audit\n  vigie audit web db --format json -o audit.json\n  \
docker inspect $(docker ps -aq) > inspect.json && vigie audit --from-inspect inspect.json\n  \
vigie audit --format sarif -o audit.sarif --fail-on high\n  vigie audit --report report.html\n  \
vigie audit --list-rules\n\n\
Exit codes: 0 clean, 1 a finding at or above --fail-on, 2 error."
)]
pub struct Args {
    #[command(subcommand)]
    pub target: Option<Target>,
    /// Containers to audit (names or ids); default: every container, plus the host
    #[arg(value_name = "CONTAINER")]
    pub containers: Vec<String>,
    /// Audit the JSON array printed by `docker inspect` (`-` for stdin), without an engine
    #[arg(long, value_name = "FILE")]
    pub from_inspect: Option<PathBuf>,
    /// Skip the host (daemon) rules
    #[arg(long)]
    pub no_host: bool,
    #[command(flatten)]
    pub output: OutputArgs,
    /// List the rule catalogue and exit
    #[arg(long)]
    pub list_rules: bool,
}

#[derive(Debug, clap::Subcommand)]
pub enum Target {
    /// Audit an image's configuration: root user, secrets in ENV/labels/files, setuid and capability files,
    /// world-writable paths, HEALTHCHECK, sudo/sshd, EXPOSE 22, package caches (VGI-IMG-*); with --runtime,
    /// also start it and prove the uid, gid, groups and capabilities its processes really get
    Image(ImageArgs),
    /// Audit Compose files (services' privileged, capabilities, volumes, network/pid/ipc modes, user, ports,
    /// limits, health checks…) with the container rules; findings point at the key; --running compares with
    /// the project's containers
    Compose(files::ComposeArgs),
    /// Audit Kubernetes manifests (Pods and every workload kind, `helm template … | vigie audit k8s -`) with the
    /// container rules plus the pod rules; --pss baseline|restricted checks the Pod Security Standards
    K8s(files::K8sArgs),
}

#[derive(Debug, clap::Args)]
pub struct ImageArgs {
    /// Image reference (name:tag, id or digest)
    pub image: String,
    /// Also start the image (its own USER and WORKDIR, entrypoint replaced by a read-only static vigie, hardened,
    /// always removed) and report the uid, gid, groups and capabilities its processes really get
    #[arg(long)]
    pub runtime: bool,
    /// Static vigie to mount for --runtime (default: this one, when it is static)
    #[arg(long, value_name = "PATH", env = "VIGIE_STATIC_BIN")]
    pub vigie_binary: Option<PathBuf>,
    /// Seconds the --runtime probe may take before it is killed and removed
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub runtime_timeout: u64,
    /// Extra label on the --runtime probe container, besides io.vigie.probe=1
    #[arg(long, value_name = "KEY=VALUE")]
    pub probe_label: Vec<String>,
    #[command(flatten)]
    pub source: super::image_source::ImageSourceArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, clap::Args)]
pub struct OutputArgs {
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the report to FILE instead of stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write a self-contained HTML report to FILE
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Exit 1 when an unsuppressed finding is at or above this severity (critical, high, medium, low, info)
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,
    /// Exit as the findings say even when a fact could not be read (the report stays marked incomplete; default: exit 2)
    #[arg(long)]
    pub allow_incomplete: bool,
    /// Only these rules (comma-separated ids; a trailing * matches a prefix: VGI-CTR-0*)
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub rules: Vec<String>,
    /// Skip these rules (same syntax as --rules)
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub skip_rules: Vec<String>,
    /// Config file (TOML): thresholds, rule selection, accepted risks
    #[arg(long, value_name = "FILE", env = "VIGIE_CONFIG")]
    pub config: Option<PathBuf>,
    /// Hide rationale and fix in the table
    #[arg(long)]
    pub brief: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Sarif,
}

/// Context block of the JSON output (`kind: "audit"`).
#[derive(Debug, Serialize)]
struct AuditContext<'a> {
    snapshot_schema_version: u32,
    source: &'a str,
    /// The engine's host, when audited from an engine.
    host: Option<&'a HostSnapshot>,
    rules_evaluated: Vec<&'static str>,
    accepted_risks: &'a [Acceptance],
    expired_acceptances: usize,
    warnings: &'a [String],
    /// Facts that could not be read (the rules they leave unevaluated).
    incomplete: bool,
    unread: &'a [String],
    containers: &'a [ContainerSnapshot],
}

struct Gathered {
    source: String,
    host: Option<HostSnapshot>,
    containers: Vec<ContainerSnapshot>,
    warnings: Vec<String>,
}

pub fn run(args: Args, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    match &args.target {
        Some(Target::Image(image)) => return run_image(image, global),
        Some(Target::Compose(c)) => return files::run_compose(c, global),
        Some(Target::K8s(k)) => return files::run_k8s(k),
        None => {}
    }
    if args.list_rules {
        crate::output::emit(&vigie_report::rules::audit_list(catalogue()), None)?;
        return Ok(Outcome::Clean);
    }
    let out = &args.output;
    let (config, fail_on) = config_and_threshold(out)?;
    let selection = Selection::merged(&out.rules, &out.skip_rules, &config.audit);
    let selected = selection.select(catalogue(), "vigie audit --list-rules")?;

    let mut gathered = gather(&args, global)?;
    // Host facts the engine did not return: the audit is incomplete.
    let unread: Vec<String> = match &gathered.host {
        Some(h) if !args.no_host => h.unread.clone(),
        _ => Vec::new(),
    };
    for u in &unread {
        gathered.warnings.push(format!("not read: {u}"));
    }
    for w in &gathered.warnings {
        crate::output::say_err(&format!("vigie: warning: {w}"));
    }
    let context = match &gathered.host {
        Some(h) => HostContext::from_host(h),
        None => HostContext::unknown(),
    };
    let mut findings: Vec<Finding> = Vec::new();
    if let Some(host) = &gathered.host
        && !args.no_host
    {
        findings.extend(audit_host(host));
    }
    for c in &gathered.containers {
        findings.extend(audit_container(c, &context));
    }
    findings.retain(|f| selected.iter().any(|r| r.id == f.rule_id));
    let expired = apply_acceptances(&mut findings, &config.audit.accept, policy::today());
    warn_expired(&expired, true);
    sort_findings(&mut findings);
    let expired_count: usize = expired.iter().map(|e| e.count).sum();

    let version = env!("CARGO_PKG_VERSION");
    let text = match out.format {
        Format::Json => to_json(
            "audit",
            version,
            AuditContext {
                snapshot_schema_version: SNAPSHOT_SCHEMA_VERSION,
                source: &gathered.source,
                host: gathered.host.as_ref(),
                rules_evaluated: selected.iter().map(|r| r.id).collect(),
                accepted_risks: &config.audit.accept,
                expired_acceptances: expired_count,
                warnings: &gathered.warnings,
                incomplete: !unread.is_empty(),
                unread: &unread,
                containers: &gathered.containers,
            },
            &findings,
        )?,
        Format::Sarif => {
            let rules: Vec<RuleInfo> = selected.iter().map(|r| (*r).clone()).collect();
            vigie_report::sarif::to_sarif(
                &findings,
                &rules,
                version,
                vigie_report::sarif::Subject::Containers,
                &unread,
            )?
        }
        Format::Table => vigie_report::audit::table(
            &vigie_report::audit::Audited {
                source: &gathered.source,
                host: gathered.host.as_ref(),
                containers: &gathered.containers,
                warnings: &gathered.warnings,
            },
            &findings,
            expired_count,
            !out.brief,
            crate::output::color(out.output.is_none()),
        ),
    };
    crate::output::emit(&text, out.output.as_deref())?;
    if let Some(path) = &out.report {
        let generated = now_utc();
        let title = match &gathered.host {
            Some(_) => format!("{} containers on {}", gathered.containers.len(), gathered.source),
            None => gathered.source.clone(),
        };
        let html = vigie_report::html::audit_report(&vigie_report::html::AuditReport {
            title: &title,
            tool_version: version,
            generated: &generated,
            source: &gathered.source,
            host: gathered.host.as_ref(),
            containers: &gathered.containers,
            findings: &findings,
            warnings: &gathered.warnings,
            image: None,
        })?;
        crate::output::write_atomic(path, html.as_bytes())?;
    }
    if !unread.is_empty() && !out.allow_incomplete {
        anyhow::bail!(
            "incomplete audit: {} fact(s) could not be read (first: {}); the report is marked incomplete — \
             pass --allow-incomplete to accept it",
            unread.len(),
            unread[0]
        );
    }
    Ok(Outcome::of(policy::fails(&findings, fail_on)))
}

fn display(path: Option<&Path>) -> String {
    path.map(|p| p.display().to_string()).unwrap_or_default()
}

fn gather(args: &Args, global: &GlobalArgs) -> anyhow::Result<Gathered> {
    if let Some(path) = &args.from_inspect {
        let (text, origin) = if path.as_os_str() == "-" {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text).context("cannot read stdin")?;
            (text, "stdin".to_string())
        } else {
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
            (text, path.display().to_string())
        };
        let mut containers = load_inspect_json(&text, &origin, default_last_cap())?;
        // Names narrow the file to those containers (by name or id prefix).
        if !args.containers.is_empty() {
            for wanted in &args.containers {
                if !containers
                    .iter()
                    .any(|c| c.name == *wanted || c.id.starts_with(wanted.as_str()))
                {
                    bail!("no such container in {origin}: {wanted}");
                }
            }
            containers.retain(|c| {
                args.containers
                    .iter()
                    .any(|w| c.name == *w || c.id.starts_with(w.as_str()))
            });
        }
        return Ok(Gathered {
            source: format!("docker inspect file {origin}"),
            host: None,
            containers,
            warnings: Vec::new(),
        });
    }
    let runtime = crate::cli::runtime()?;
    runtime.block_on(async {
        let engine = Engine::connect(global.engine.as_deref()).await?;
        let last_cap = engine.cap_last_cap().unwrap_or_else(default_last_cap);
        // The host's info and the containers are independent: ask for both at once.
        let (host, collected) = tokio::join!(
            engine.host_snapshot(),
            engine.collect_containers(&args.containers, last_cap)
        );
        let host = host?;
        let Collected { containers, warnings } = collected?;
        Ok(Gathered {
            source: format!("engine {}", engine.endpoint),
            host: Some(host),
            containers,
            warnings,
        })
    })
}

/// The config file (`--config`, else none) and the `--fail-on` threshold,
/// the flag winning over the file's `audit.fail_on`.
fn config_and_threshold(out: &OutputArgs) -> anyhow::Result<(ConfigFile, Option<Severity>)> {
    let config = policy::load_config(out.config.as_deref())?;
    let fail_on = config.threshold(out.fail_on, &display(out.config.as_deref()))?;
    Ok((config, fail_on))
}

/// The warnings for acceptances that lapsed while findings still matched them.
pub(crate) fn warn_expired(expired: &[Expired<'_>], with_target: bool) {
    for e in expired {
        let a = e.acceptance;
        if with_target {
            crate::output::say_err(&format!(
                "vigie: warning: accepted risk {} on {} expired on {}: {} finding(s) count again",
                a.rule,
                a.target.as_deref().unwrap_or("every target"),
                a.expires.as_deref().unwrap_or(""),
                e.count
            ));
        } else {
            crate::output::say_err(&format!(
                "vigie: warning: accepted risk {} expired on {}: {} finding(s) count again",
                a.rule,
                a.expires.as_deref().unwrap_or(""),
                e.count
            ));
        }
    }
}

/// What the HTML report's image card shows: the configuration a reviewer
/// checks first, and the runtime probe's observations when it ran.
fn image_facts(
    name: &str,
    image: &vigie_image::Image,
    runtime: Option<&runtime::RuntimeReport>,
) -> vigie_report::html::ImageFacts {
    let c = &image.config.config;
    let join = |v: &[String]| if v.is_empty() { "none".to_string() } else { v.join(" ") };
    let mut facts = vec![
        ("source".to_string(), image.kind.as_str().to_string()),
        (
            "id".to_string(),
            image.id.clone().unwrap_or_else(|| "unknown".to_string()),
        ),
        ("tags".to_string(), join(&image.repo_tags)),
        (
            "platform".to_string(),
            format!(
                "{}/{}",
                image.config.os.as_deref().unwrap_or("?"),
                image.config.architecture.as_deref().unwrap_or("?")
            ),
        ),
        (
            "created".to_string(),
            image.config.created.clone().unwrap_or_else(|| "unknown".to_string()),
        ),
        (
            "user".to_string(),
            if c.user.is_empty() {
                "root (no USER set)".to_string()
            } else {
                c.user.clone()
            },
        ),
        ("entrypoint".to_string(), join(&c.entrypoint)),
        ("cmd".to_string(), join(&c.cmd)),
        (
            "exposed ports".to_string(),
            join(&c.exposed_ports.keys().cloned().collect::<Vec<_>>()),
        ),
        ("layers".to_string(), image.config.rootfs.diff_ids.len().to_string()),
    ];
    if let Some(report) = runtime {
        facts.push((
            "runtime probe".to_string(),
            vigie_report::image::runtime_block(report).trim_end().to_string(),
        ));
    }
    vigie_report::html::ImageFacts {
        name: name.to_string(),
        facts,
    }
}

/// "YYYY-MM-DD HH:MM UTC", for the HTML report's header.
fn now_utc() -> String {
    policy::now_utc().strftime("%Y-%m-%d %H:%M UTC").to_string()
}

/// `vigie audit image IMAGE`: the image configuration checks (VGI-IMG-*) with
/// the same finding model, printers, config file and `--fail-on` as containers.
fn run_image(args: &ImageArgs, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    let out = &args.output;
    let (config, fail_on) = config_and_threshold(out)?;
    let options = args.source.open_options(global);
    let image =
        vigie_image::open_with(&args.image, &options).with_context(|| format!("cannot open image {}", args.image))?;
    let view = image
        .view(&vigie_image::checks::view_options())
        .with_context(|| format!("cannot read image {}", args.image))?;
    for w in &view.warnings {
        crate::output::say_err(&format!("vigie: warning: {}: {w}", args.image));
    }
    let mut findings = vigie_rules::image::check_image(&image.subject(), &view);
    let runtime_report = if args.runtime {
        let options = runtime::Options {
            binary: args.vigie_binary.clone(),
            timeout: std::time::Duration::from_secs(args.runtime_timeout.max(1)),
            labels: args
                .probe_label
                .iter()
                .map(|l| match l.split_once('=') {
                    Some((k, v)) => (k.to_string(), v.to_string()),
                    None => (l.clone(), String::new()),
                })
                .collect(),
            engine: global.engine.clone(),
        };
        let report = runtime::run(&image, &view, &options, &mut findings)?;
        for w in &report.warnings {
            crate::output::say_err(&format!("vigie: warning: {} (runtime probe): {w}", args.image));
        }
        Some(report)
    } else {
        None
    };
    let selection = Selection::merged(&out.rules, &out.skip_rules, &config.audit);
    selection.validate(vigie_rules::image::RULES.iter().copied(), "vigie rules --family image")?;
    findings.retain(|f| selection.wants(&f.rule_id));
    let expired = apply_acceptances(&mut findings, &config.audit.accept, policy::today());
    warn_expired(&expired, false);
    sort_findings(&mut findings);
    let version = env!("CARGO_PKG_VERSION");
    let text = match out.format {
        Format::Json => to_json(
            "image-check",
            version,
            serde_json::json!({
                "image": args.image,
                "source": image.kind.as_str(),
                "id": image.id,
                "tags": image.repo_tags,
                "user": image.config.config.user,
                "warnings": view.warnings,
                "runtime": runtime_report,
            }),
            &findings,
        )?,
        Format::Sarif => {
            let rules: Vec<RuleInfo> = vigie_rules::image::RULES.iter().map(|r| (*r).clone()).collect();
            vigie_report::sarif::to_sarif(&findings, &rules, version, vigie_report::sarif::Subject::Image, &[])?
        }
        Format::Table => {
            let color = crate::output::color(out.output.is_none());
            format!(
                "Image: {} ({})\n\n{}{}",
                args.image,
                image.kind.as_str(),
                runtime_report
                    .as_ref()
                    .map(vigie_report::image::runtime_block)
                    .unwrap_or_default(),
                to_table(
                    &findings,
                    TableOptions {
                        style: Style { color },
                        explain: !out.brief,
                        width: None,
                    },
                )
            )
        }
    };
    crate::output::emit(&text, out.output.as_deref())?;
    if let Some(path) = &out.report {
        let generated = now_utc();
        let source = format!("{} {}", image.kind.as_str(), args.image);
        let html = vigie_report::html::audit_report(&vigie_report::html::AuditReport {
            title: &format!("image {}", args.image),
            tool_version: version,
            generated: &generated,
            source: &source,
            host: None,
            containers: &[],
            findings: &findings,
            warnings: &view.warnings,
            image: Some(&image_facts(&args.image, &image, runtime_report.as_ref())),
        })?;
        crate::output::write_atomic(path, html.as_bytes())?;
    }
    Ok(Outcome::of(policy::fails(&findings, fail_on)))
}
