//! `vigie audit [CONTAINER…]`: every container on the engine (any state) and
//! the Docker host checked against the audit catalogue; or, offline, the
//! JSON `docker inspect` printed (`--from-inspect`). Settings: command line,
//! then the config file (`--config`/`VIGIE_CONFIG`, TOML) for what the
//! command line leaves unset. Accepted risks from the config file stay in
//! every output, marked suppressed; expired ones count again.

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

use vigie_engine::Engine;
use vigie_engine::snapshot::{Collected, default_last_cap, load_inspect_json};
use vigie_report::findings::{TableOptions, to_json, to_table};
use vigie_report::style::Style;
use vigie_rules::audit::{HostContext, audit_container, audit_host, catalogue};
use vigie_rules::{Finding, RuleInfo, Severity, Suppression, sort_findings};
use vigie_snapshot::{ContainerSnapshot, HostSnapshot, SNAPSHOT_SCHEMA_VERSION};

use crate::cli::GlobalArgs;
use crate::exit::{Outcome, outcome_for};

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

/// The config file: `[audit]` with optional thresholds, rule selection and accepted risks.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(default)]
    pub audit: AuditConfig,
}

#[derive(Debug, Default, Deserialize)]
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

/// An accepted risk: `rule` (id or prefix*) on `target` (a container name, `*`-glob, or `host`; all when absent).
#[derive(Debug, Clone, Deserialize, Serialize)]
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
    containers: &'a [ContainerSnapshot],
}

struct Gathered {
    source: String,
    host: Option<HostSnapshot>,
    containers: Vec<ContainerSnapshot>,
    warnings: Vec<String>,
}

pub fn run(args: Args, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    if let Some(Target::Image(image)) = &args.target {
        return run_image(image, global);
    }
    if args.list_rules {
        crate::output::emit(&list_rules(), None)?;
        return Ok(Outcome::Clean);
    }
    let out = &args.output;
    let (config, fail_on) = config_and_threshold(out)?;
    let include = if out.rules.is_empty() {
        &config.audit.rules
    } else {
        &out.rules
    };
    let mut exclude = config.audit.skip_rules.clone();
    exclude.extend(out.skip_rules.iter().cloned());
    let selected = select_rules(include, &exclude)?;

    let gathered = gather(&args, global)?;
    for w in &gathered.warnings {
        eprintln!("vigie: warning: {w}");
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
    let today = today();
    let expired = apply_acceptances(&mut findings, &config.audit.accept, &today);
    for (a, count) in &expired {
        eprintln!(
            "vigie: warning: accepted risk {} on {} expired on {}: {count} finding(s) count again",
            a.rule,
            a.target.as_deref().unwrap_or("every target"),
            a.expires.as_deref().unwrap_or("")
        );
    }
    sort_findings(&mut findings);
    let expired_count: usize = expired.iter().map(|(_, n)| n).sum();

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
                containers: &gathered.containers,
            },
            &findings,
        )?,
        Format::Sarif => {
            let rules: Vec<RuleInfo> = selected.iter().map(|r| (*r).clone()).collect();
            vigie_report::sarif::to_sarif(&findings, &rules, version)?
        }
        Format::Table => table(&gathered, &findings, expired_count, !out.brief, out.output.is_none()),
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
        })?;
        crate::output::write_atomic(path, html.as_bytes())?;
    }
    Ok(outcome_for(&findings, fail_on))
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

fn load_config(path: &Path) -> anyhow::Result<ConfigFile> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read config file {}", path.display()))?;
    let config: ConfigFile =
        toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.message()))?;
    for (i, a) in config.audit.accept.iter().enumerate() {
        if let Some(date) = &a.expires
            && parse_date(date).is_none()
        {
            bail!(
                "{}: audit.accept[{i}].expires: '{date}' is not a YYYY-MM-DD date",
                path.display()
            );
        }
        if a.reason.trim().is_empty() {
            bail!(
                "{}: audit.accept[{i}].reason: an accepted risk needs a reason",
                path.display()
            );
        }
    }
    Ok(config)
}

fn pattern_matches(pattern: &str, id: &str) -> bool {
    match pattern.trim().strip_suffix('*') {
        Some(prefix) => id.to_ascii_uppercase().starts_with(&prefix.to_ascii_uppercase()),
        None => pattern.trim().eq_ignore_ascii_case(id),
    }
}

/// The rules to evaluate. An id that matches no rule is an error (a typo would silently select nothing).
/// The config file (`--config`, else none) and the `--fail-on` threshold,
/// the flag winning over the file's `audit.fail_on`.
fn config_and_threshold(out: &OutputArgs) -> anyhow::Result<(ConfigFile, Option<Severity>)> {
    let config = match &out.config {
        Some(path) => load_config(path)?,
        None => ConfigFile::default(),
    };
    let fail_on = match (out.fail_on, config.audit.fail_on.as_deref()) {
        (Some(s), _) => Some(s),
        (None, Some(text)) => Some(
            text.parse::<Severity>()
                .map_err(|e| anyhow::anyhow!("{}: audit.fail_on: {e}", display(out.config.as_deref())))?,
        ),
        (None, None) => None,
    };
    Ok((config, fail_on))
}

fn select_rules(include: &[String], exclude: &[String]) -> anyhow::Result<Vec<&'static RuleInfo>> {
    for pattern in include.iter().chain(exclude) {
        if !catalogue().iter().any(|r| pattern_matches(pattern, r.id)) {
            bail!("unknown rule '{pattern}' (see vigie audit --list-rules)");
        }
    }
    Ok(catalogue()
        .iter()
        .filter(|r| include.is_empty() || include.iter().any(|p| pattern_matches(p, r.id)))
        .filter(|r| !exclude.iter().any(|p| pattern_matches(p, r.id)))
        .collect())
}

fn glob_matches(pattern: &str, text: &str) -> bool {
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

/// Mark accepted findings suppressed; return the expired acceptances that matched, with their counts.
fn apply_acceptances<'a>(
    findings: &mut [Finding],
    accept: &'a [Acceptance],
    today: &str,
) -> Vec<(&'a Acceptance, usize)> {
    let mut expired: Vec<(&Acceptance, usize)> = Vec::new();
    for f in findings.iter_mut() {
        let Some(a) = accept.iter().find(|a| {
            pattern_matches(&a.rule, &f.rule_id) && a.target.as_deref().is_none_or(|t| glob_matches(t, &f.target))
        }) else {
            continue;
        };
        // ISO dates compare as strings; the acceptance holds through its last day.
        let lapsed = a.expires.as_deref().is_some_and(|d| d < today);
        if lapsed {
            match expired.iter_mut().find(|(e, _)| std::ptr::eq(*e, a)) {
                Some((_, n)) => *n += 1,
                None => expired.push((a, 1)),
            }
        } else {
            f.suppressed = Some(Suppression {
                by: String::new(),
                reason: a.reason.clone(),
                expires: a.expires.clone(),
            });
        }
    }
    expired
}

fn parse_date(text: &str) -> Option<(i64, u32, u32)> {
    let mut parts = text.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d): (i64, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, m, d))
}

/// Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn unix_seconds() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn today() -> String {
    let (y, m, d) = civil(unix_seconds().div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

fn now_utc() -> String {
    let secs = unix_seconds();
    let (y, m, d) = civil(secs.div_euclid(86_400));
    let rest = secs.rem_euclid(86_400);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02} UTC", rest / 3600, rest % 3600 / 60)
}

fn table(g: &Gathered, findings: &[Finding], expired: usize, explain: bool, terminal: bool) -> String {
    use std::io::IsTerminal;
    let color = terminal && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut out = String::new();
    out.push_str(&format!("Source:      {}\n", g.source));
    if let Some(h) = &g.host {
        out.push_str(&format!(
            "Engine:      Docker {} (API {}), {}, cgroup v{}, {}\n",
            h.server_version,
            h.api_version,
            h.operating_system,
            h.cgroup_version,
            if h.security_options.is_empty() {
                "no security options".to_string()
            } else {
                h.security_options.join(" ")
            }
        ));
    }
    let mut states: Vec<(String, usize)> = Vec::new();
    for c in &g.containers {
        match states.iter_mut().find(|(s, _)| *s == c.state) {
            Some((_, n)) => *n += 1,
            None => states.push((c.state.clone(), 1)),
        }
    }
    states.sort();
    out.push_str(&format!(
        "Containers:  {}{}\n\n",
        g.containers.len(),
        if states.is_empty() {
            String::new()
        } else {
            format!(
                " ({})",
                states
                    .iter()
                    .map(|(s, n)| format!("{n} {s}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    ));
    out.push_str(&to_table(
        findings,
        TableOptions {
            style: Style { color },
            explain,
            width: None,
        },
    ));
    if expired > 0 {
        out.push_str(&format!("Expired acceptances: {expired} finding(s) count again\n"));
    }
    if !g.warnings.is_empty() {
        out.push_str(&format!("Incomplete: {} warning(s), see stderr\n", g.warnings.len()));
    }
    out
}

fn list_rules() -> String {
    let mut out = format!(
        "{:<13} {:<9} {:<6} {:<22} TITLE\n",
        "ID", "SEVERITY", "CIS", "MITIGATION"
    );
    for r in catalogue() {
        out.push_str(&format!(
            "{:<13} {:<9} {:<6} {:<22} {}\n",
            r.id,
            r.severity.as_str(),
            r.cis.unwrap_or("-"),
            r.mitigation.title(),
            r.title
        ));
    }
    out
}

/// `vigie audit image IMAGE`: the image configuration checks (VGI-IMG-*) with
/// the same finding model, printers, config file and `--fail-on` as containers.
fn run_image(args: &ImageArgs, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    let out = &args.output;
    let (config, fail_on) = config_and_threshold(out)?;
    let options = vigie_image::OpenOptions {
        engine: global.engine.clone(),
        platform: None,
    };
    let image =
        vigie_image::open_with(&args.image, &options).with_context(|| format!("cannot open image {}", args.image))?;
    let view = image
        .view(&vigie_image::checks::view_options())
        .with_context(|| format!("cannot read image {}", args.image))?;
    for w in &view.warnings {
        eprintln!("vigie: warning: {}: {w}", args.image);
    }
    let mut findings = vigie_image::check_image(&image, &view);
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
            eprintln!("vigie: warning: {} (runtime probe): {w}", args.image);
        }
        Some(report)
    } else {
        None
    };
    let wanted = |id: &str| {
        let hit = |pattern: &String| match pattern.strip_suffix('*') {
            Some(prefix) => id.starts_with(prefix),
            None => id == pattern,
        };
        let include = if out.rules.is_empty() {
            &config.audit.rules
        } else {
            &out.rules
        };
        let excluded = config.audit.skip_rules.iter().chain(out.skip_rules.iter()).any(hit);
        (include.is_empty() || include.iter().any(hit)) && !excluded
    };
    findings.retain(|f| wanted(&f.rule_id));
    let expired = apply_acceptances(&mut findings, &config.audit.accept, &today());
    for (a, count) in &expired {
        eprintln!(
            "vigie: warning: accepted risk {} expired on {}: {count} finding(s) count again",
            a.rule,
            a.expires.as_deref().unwrap_or("")
        );
    }
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
            let rules: Vec<RuleInfo> = vigie_image::checks::RULES.iter().map(|r| (*r).clone()).collect();
            vigie_report::sarif::to_sarif(&findings, &rules, version)?
        }
        Format::Table => {
            use std::io::IsTerminal;
            let color =
                out.output.is_none() && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            format!(
                "Image: {} ({})\n\n{}{}",
                args.image,
                image.kind.as_str(),
                runtime_report.as_ref().map(runtime::table_block).unwrap_or_default(),
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
    if out.report.is_some() {
        eprintln!("vigie: warning: --report is for container audits; ignored for an image");
    }
    Ok(outcome_for(&findings, fail_on))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(20_454), (2026, 1, 1));
        assert_eq!(civil(11_016), (2000, 2, 29));
        assert!(parse_date("2027-01-31").is_some());
        assert!(parse_date("2027-1-31").is_none());
        assert!(parse_date("2027-13-01").is_none());
        assert_eq!(today().len(), 10);
    }

    #[test]
    fn rule_selection_and_globs() {
        assert_eq!(select_rules(&["VGI-CTR-001".into()], &[]).unwrap().len(), 1);
        assert!(select_rules(&["VGI-CTR-999".into()], &[]).is_err());
        let host = select_rules(&["vgi-host-*".into()], &["VGI-HOST-016".into()]).unwrap();
        assert!(host.iter().all(|r| r.id.starts_with("VGI-HOST-")) && !host.iter().any(|r| r.id == "VGI-HOST-016"));
        assert!(glob_matches("ci-*", "ci-runner"));
        assert!(glob_matches("*runner", "ci-runner"));
        assert!(glob_matches("*", "x"));
        assert!(!glob_matches("ci-*", "web"));
    }

    #[test]
    fn acceptances_suppress_and_expire() {
        let rule = &catalogue()[0];
        let mut findings = vec![
            Finding::from_rule(rule, "ci-runner", "runs privileged"),
            Finding::from_rule(rule, "web", "runs privileged"),
            Finding::from_rule(rule, "old", "runs privileged"),
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
        let expired = apply_acceptances(&mut findings, &accept, "2026-11-28");
        assert!(findings[0].suppressed.is_some());
        assert!(findings[1].suppressed.is_none());
        assert!(findings[2].suppressed.is_none());
        assert_eq!(expired.len(), 1);
        assert_eq!(expired[0].1, 1);
    }
}
