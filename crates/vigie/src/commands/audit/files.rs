//! `vigie audit compose [FILE…]` and `vigie audit k8s [FILE|DIR|-…]`: the
//! container rules (same ids as for live containers) and, for pods, the pod
//! rules, on what the files declare; every finding points at the key in the
//! file, and its fix is written in that file's syntax.

use anyhow::{Context, bail};
use serde::Serialize;
use std::path::{Path, PathBuf};

use vigie_manifest::compose::{self, DEFAULT_FILES, OVERRIDE_FILES};
use vigie_manifest::pss::{self, Level};
use vigie_manifest::{Declared, FileError, Notice, audit_declared, k8s, yaml};
use vigie_report::findings::to_json_writer;
use vigie_rules::policy::{self, Selection, apply_acceptances};
use vigie_rules::{Finding, RuleInfo, sort_findings};
use vigie_snapshot::ContainerSnapshot;

use super::{OutputArgs, config_and_threshold, now_utc, warn_expired};
use crate::exit::Outcome;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  vigie audit compose\n  vigie audit compose -f compose.yaml -f compose.prod.yaml --profile debug\n  \
vigie audit compose --format sarif -o compose.sarif --fail-on high\n  vigie audit compose --running\n  \
vigie audit compose --resolved     # the services as vigie read them (JSON)\n\n\
Exit codes: 0 clean, 1 a finding at or above --fail-on (or, with --running, a drift), 2 error \
(a file that cannot be read, a required variable unset, an incomplete result without --allow-incomplete)."
)]
pub struct ComposeArgs {
    /// Compose files, merged in order (default: compose.yaml, compose.yml, docker-compose.yaml or
    /// docker-compose.yml in the current directory, plus its override file)
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Compose files, as `docker compose -f` (added after FILE arguments)
    #[arg(long = "file", short = 'F', value_name = "FILE")]
    pub file: Vec<PathBuf>,
    /// Project directory (default: the first file's directory)
    #[arg(long, value_name = "DIR")]
    pub project_directory: Option<PathBuf>,
    /// Project name (default: `name:` in the file, COMPOSE_PROJECT_NAME, else the directory's name)
    #[arg(long, short = 'p', value_name = "NAME")]
    pub project_name: Option<String>,
    /// Environment files for interpolation (default: .env in the project directory)
    #[arg(long, value_name = "FILE")]
    pub env_file: Vec<PathBuf>,
    /// Activate a profile (repeatable; COMPOSE_PROFILES also counts)
    #[arg(long, value_name = "PROFILE")]
    pub profile: Vec<String>,
    /// Compare the file with the running containers of the project (`com.docker.compose.project` label), key by key
    #[arg(long)]
    pub running: bool,
    /// Print the services as vigie read them (merged, interpolated, normalised; JSON) and exit
    #[arg(long)]
    pub resolved: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  vigie audit k8s deploy/\n  helm template ./chart | vigie audit k8s -\n  \
kustomize build overlays/prod | vigie audit k8s - --pss restricted\n  vigie audit k8s app.yaml --format sarif -o k8s.sarif\n\n\
Exit codes: 0 clean, 1 a finding at or above --fail-on (with --pss: any control broken), 2 error \
(a file that cannot be read or parsed, an incomplete result without --allow-incomplete)."
)]
pub struct K8sArgs {
    /// Manifest files or directories (read recursively: *.yaml, *.yml, *.json), `-` for stdin
    #[arg(value_name = "FILE|DIR|-", required = true)]
    pub paths: Vec<PathBuf>,
    /// Report the Pod Security Standards controls of this level the pod templates break, and fail on any
    #[arg(long, value_name = "LEVEL", value_parser = parse_level)]
    pub pss: Option<Level>,
    #[command(flatten)]
    pub output: OutputArgs,
}

fn parse_level(text: &str) -> Result<Level, String> {
    Level::parse(text).ok_or_else(|| format!("unknown Pod Security Standards level {text:?} (baseline, restricted)"))
}

/// Bounded read of one input: a manifest set of 10,000 documents is ~20 MB.
fn read_input(path: &Path) -> anyhow::Result<(String, String)> {
    use std::io::Read;
    let limit = yaml::MAX_INPUT_BYTES as u64;
    let (name, mut reader): (String, Box<dyn Read>) = if path.as_os_str() == "-" {
        ("-".to_string(), Box::new(std::io::stdin()))
    } else {
        let file = std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
        (path.display().to_string(), Box::new(file))
    };
    let mut bytes = Vec::new();
    reader
        .by_ref()
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {name}"))?;
    if bytes.len() as u64 > limit {
        bail!("{name}: more than {limit} bytes: refused");
    }
    let text = String::from_utf8(bytes)
        .map_err(|e| anyhow::anyhow!("{name}: not UTF-8 text (byte {})", e.utf8_error().valid_up_to()))?;
    Ok((name, text))
}

/// What both commands print, besides the findings.
struct Audited {
    source: String,
    files: Vec<String>,
    notices: Vec<Notice>,
}

#[derive(Serialize)]
struct FilesContext<'a> {
    source: &'a str,
    files: &'a [String],
    objects: &'a [String],
    rules_evaluated: Vec<&'static str>,
    accepted_risks: &'a [policy::Acceptance],
    expired_acceptances: usize,
    warnings: Vec<String>,
    /// Something was not read (a skipped document, a file that failed).
    incomplete: bool,
    unread: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    pss: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    project: Option<&'a serde_json::Value>,
}

/// Audits objects as they are read and keeps only what the printers need
/// (the selected findings, the object names, snapshots for the table and
/// the HTML report): a stream of 10,000 documents is never held whole.
struct Auditor<'o> {
    out: &'o OutputArgs,
    config: policy::ConfigFile,
    fail_on: Option<vigie_rules::Severity>,
    selected: Vec<&'static RuleInfo>,
    pss: Option<Level>,
    findings: Vec<Finding>,
    objects: Vec<String>,
    snapshots: Vec<ContainerSnapshot>,
}

impl<'o> Auditor<'o> {
    fn new(
        out: &'o OutputArgs,
        catalogue: Vec<&'static RuleInfo>,
        pss: Option<Level>,
        listing: &'static str,
    ) -> anyhow::Result<Auditor<'o>> {
        let (config, fail_on) = config_and_threshold(out)?;
        let selection = Selection::merged(&out.rules, &out.skip_rules, &config.audit);
        let selected = selection.select(catalogue.iter().copied(), listing)?;
        Ok(Auditor {
            out,
            config,
            fail_on,
            selected,
            pss,
            findings: Vec::new(),
            objects: Vec::new(),
            snapshots: Vec::new(),
        })
    }

    fn keeps_snapshots(&self) -> bool {
        self.out.report.is_some() || self.out.format == super::Format::Table
    }

    fn wanted(&self, f: &Finding) -> bool {
        (f.rule_id == "VGI-K8S-008" && self.pss.is_some()) || self.selected.iter().any(|r| r.id == f.rule_id)
    }

    fn add(&mut self, d: Declared) {
        let mut found = audit_declared(&d);
        if let Some(level) = self.pss {
            found = pss::select(found, &d.pss, level, &d.file);
        }
        found.retain(|f| self.wanted(f));
        self.findings.extend(found);
        if self.keeps_snapshots() {
            self.snapshots.extend(d.containers.into_iter().map(|c| c.snapshot));
        }
        self.objects.push(d.name);
    }

    fn add_findings(&mut self, findings: Vec<Finding>) {
        let kept: Vec<Finding> = findings.into_iter().filter(|f| self.wanted(f)).collect();
        self.findings.extend(kept);
    }

    fn finish(mut self, a: Audited, project: Option<serde_json::Value>) -> anyhow::Result<Outcome> {
        let out = self.out;
        let expired = apply_acceptances(&mut self.findings, &self.config.audit.accept, policy::today());
        warn_expired(&expired, true);
        sort_findings(&mut self.findings);
        let findings = &self.findings;
        let expired_count: usize = expired.iter().map(|e| e.count).sum();
        let unread: Vec<String> = a
            .notices
            .iter()
            .filter(|n| n.incomplete)
            .map(|n| n.to_string())
            .collect();
        let warnings: Vec<String> = a.notices.iter().map(|n| n.to_string()).collect();
        for w in &warnings {
            crate::output::say_err(&format!("vigie: warning: {w}"));
        }
        let version = env!("CARGO_PKG_VERSION");
        let mut rules: Vec<RuleInfo> = self.selected.iter().map(|r| (*r).clone()).collect();
        if self.pss.is_some() {
            rules.push(vigie_rules::kubernetes::K8S_PSS.clone());
        }
        let context = FilesContext {
            source: &a.source,
            files: &a.files,
            objects: &self.objects,
            rules_evaluated: rules.iter().map(|r| r.id).collect(),
            accepted_risks: &self.config.audit.accept,
            expired_acceptances: expired_count,
            warnings: warnings.clone(),
            incomplete: !unread.is_empty(),
            unread: &unread,
            pss: self.pss.map(Level::as_str),
            project: project.as_ref(),
        };
        match out.format {
            // Streamed: a hundred thousand findings are never one string.
            super::Format::Json => crate::output::emit_with(out.output.as_deref(), &mut |w| {
                to_json_writer(w, "audit-files", version, &context, findings).map_err(std::io::Error::other)
            })?,
            super::Format::Sarif => crate::output::emit(
                &vigie_report::sarif::to_sarif(
                    findings,
                    &rules,
                    version,
                    vigie_report::sarif::Subject::Files,
                    &unread,
                )?,
                out.output.as_deref(),
            )?,
            super::Format::Table => crate::output::emit(
                &vigie_report::audit::table(
                    &vigie_report::audit::Audited {
                        source: &a.source,
                        host: None,
                        containers: &self.snapshots,
                        warnings: &warnings,
                    },
                    findings,
                    expired_count,
                    !out.brief,
                    crate::output::color(out.output.is_none()),
                ),
                out.output.as_deref(),
            )?,
        }
        if let Some(path) = &out.report {
            let generated = now_utc();
            let html = vigie_report::html::audit_report(&vigie_report::html::AuditReport {
                title: &a.source,
                tool_version: version,
                generated: &generated,
                source: &a.source,
                host: None,
                containers: &self.snapshots,
                findings,
                warnings: &warnings,
                image: None,
            })?;
            crate::output::write_atomic(path, html.as_bytes())?;
        }
        if !unread.is_empty() && !out.allow_incomplete {
            bail!(
                "incomplete audit: {} input(s) could not be read (first: {}); the report is marked incomplete — \
                 pass --allow-incomplete to accept it",
                unread.len(),
                unread[0]
            );
        }
        if self.pss.is_some() && findings.iter().any(|f| f.suppressed.is_none()) {
            return Ok(Outcome::Findings);
        }
        Ok(Outcome::of(policy::fails(findings, self.fail_on)))
    }
}

fn container_rules() -> Vec<&'static RuleInfo> {
    vigie_rules::container::rules().collect()
}

/// The files `docker compose` would read with no `-f`.
fn default_compose_files() -> anyhow::Result<Vec<PathBuf>> {
    let Some(main) = DEFAULT_FILES.iter().map(PathBuf::from).find(|p| p.is_file()) else {
        bail!(
            "no Compose file in {} (looked for {}); name one: vigie audit compose FILE",
            std::env::current_dir()
                .map(|d| d.display().to_string())
                .unwrap_or_else(|_| ".".into()),
            DEFAULT_FILES.join(", ")
        );
    };
    let mut files = vec![main];
    if let Some(o) = OVERRIDE_FILES.iter().map(PathBuf::from).find(|p| p.is_file()) {
        files.push(o);
    }
    Ok(files)
}

fn compose_error(e: FileError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

pub fn run_compose(args: &ComposeArgs, global: &crate::cli::GlobalArgs) -> anyhow::Result<Outcome> {
    let mut paths: Vec<PathBuf> = args.files.iter().chain(&args.file).cloned().collect();
    if paths.is_empty() {
        paths = default_compose_files()?;
    }
    let mut files = Vec::new();
    for p in &paths {
        files.push(read_input(p)?);
    }
    let options = compose::Options {
        files,
        project_dir: args.project_directory.clone(),
        env_files: args.env_file.clone(),
        profiles: args.profile.clone(),
        project_name: args.project_name.clone(),
        environ: std::env::vars().collect(),
    };
    let project = compose::load(&options).map_err(compose_error)?;
    if args.resolved {
        let text = serde_json::to_string_pretty(&serde_json::json!({
            "name": project.name,
            "files": project.files,
            "services": project.services,
            "inactive": project.inactive,
        }))?;
        crate::output::emit(&format!("{text}\n"), args.output.output.as_deref())?;
        return Ok(Outcome::Clean);
    }
    if args.running {
        return run_drift(project, &args.output, global);
    }
    let mut notices = project.notices.clone();
    for s in &project.inactive {
        notices.push(Notice {
            file: project.files.first().cloned().unwrap_or_default(),
            line: 0,
            message: format!("service {s} not audited: none of its profiles is active (--profile)"),
            incomplete: false,
        });
    }
    let summary = serde_json::json!({"name": project.name, "inactive_services": project.inactive});
    let mut auditor = Auditor::new(&args.output, container_rules(), None, "vigie rules --family container")?;
    let source = format!("compose project {} ({})", project.name, project.files.join(", "));
    let files = project.files.clone();
    for d in project.declared {
        auditor.add(d);
    }
    auditor.finish(Audited { source, files, notices }, Some(summary))
}

/// Manifest files under a directory, sorted, hidden entries skipped.
fn manifest_files(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) -> anyhow::Result<()> {
    const MAX_FILES: usize = 100_000;
    if depth > 64 {
        bail!("{}: directories nested more than 64 deep", dir.display());
    }
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read directory {}", dir.display()))?
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().to_string();
        if name.starts_with('.') {
            continue;
        }
        let path = e.path();
        let ty = e
            .file_type()
            .with_context(|| format!("cannot read {}", path.display()))?;
        if ty.is_dir() {
            manifest_files(&path, out, depth + 1)?;
        } else if ty.is_file() && (name.ends_with(".yaml") || name.ends_with(".yml") || name.ends_with(".json")) {
            out.push(path);
            if out.len() > MAX_FILES {
                bail!("{}: more than {MAX_FILES} manifest files", dir.display());
            }
        }
    }
    Ok(())
}

pub fn run_k8s(args: &K8sArgs) -> anyhow::Result<Outcome> {
    let mut inputs: Vec<PathBuf> = Vec::new();
    for p in &args.paths {
        if p.as_os_str() != "-" && p.is_dir() {
            let before = inputs.len();
            manifest_files(p, &mut inputs, 0)?;
            if inputs.len() == before {
                bail!("{}: no manifest files (*.yaml, *.yml, *.json)", p.display());
            }
        } else {
            inputs.push(p.clone());
        }
    }
    let mut catalogue = container_rules();
    catalogue.extend(
        vigie_rules::kubernetes::RULES
            .iter()
            .copied()
            .filter(|r| r.id != "VGI-K8S-008"),
    );
    let mut auditor = Auditor::new(&args.output, catalogue, args.pss, "vigie rules --family kubernetes")?;
    let mut notices = Vec::new();
    let mut files = Vec::new();
    // (file, line, what went wrong): whole files that could not be read.
    let mut failed: Vec<(String, usize, String, String)> = Vec::new();
    let mut documents = 0usize;
    for path in &inputs {
        let (name, text) = match read_input(path) {
            Ok(x) => x,
            Err(e) => {
                failed.push((path.display().to_string(), 0, format!("{e:#}"), format!("{e:#}")));
                continue;
            }
        };
        match k8s::read_each(&name, &text, &mut |d| auditor.add(d)) {
            Ok(file) => {
                documents += file.documents;
                notices.extend(file.notices);
                files.push(name);
            }
            Err(e) => failed.push((
                e.file.clone(),
                e.line,
                format!("column {}: {}", e.column, e.message),
                e.to_string(),
            )),
        }
    }
    if files.is_empty() && !failed.is_empty() {
        bail!("{}", failed.remove(0).3);
    }
    for (file, line, e, _) in failed {
        notices.push(Notice {
            file,
            line,
            message: format!("not audited: {e}"),
            incomplete: true,
        });
    }
    let objects = auditor.objects.len();
    auditor.finish(
        Audited {
            source: format!(
                "{} manifest file(s), {documents} document(s), {objects} workload(s)",
                files.len()
            ),
            files,
            notices,
        },
        None,
    )
}

/// `--running`: the project's containers against the file, key by key.
fn run_drift(project: compose::Project, out: &OutputArgs, global: &crate::cli::GlobalArgs) -> anyhow::Result<Outcome> {
    let runtime = crate::cli::runtime()?;
    let collected = runtime.block_on(async {
        let engine = vigie_engine::Engine::connect(global.engine.as_deref()).await?;
        let last_cap = engine
            .cap_last_cap()
            .unwrap_or_else(vigie_snapshot::inspect::default_last_cap);
        let collected = engine.collect_containers(&[], last_cap).await?;
        anyhow::Ok((engine.endpoint.clone(), collected))
    })?;
    let (endpoint, collected) = collected;
    let mut notices = project.notices.clone();
    for w in &collected.warnings {
        notices.push(Notice {
            file: format!("engine {endpoint}"),
            line: 0,
            message: w.clone(),
            incomplete: true,
        });
    }
    let findings = vigie_manifest::drift::compare(&project, &collected.containers);
    let running = collected
        .containers
        .iter()
        .filter(|c| c.labels.get(vigie_manifest::drift::PROJECT_LABEL) == Some(&project.name))
        .count();
    let summary = serde_json::json!({"name": project.name, "running_containers": running});
    let drifted = !findings.is_empty();
    let mut auditor = Auditor::new(
        out,
        vec![&vigie_rules::container::catalogue::CTR_DRIFT],
        None,
        "vigie rules --family container",
    )?;
    auditor.add_findings(findings);
    let outcome = auditor.finish(
        Audited {
            source: format!(
                "compose project {} ({}) against {running} container(s) on engine {endpoint}",
                project.name,
                project.files.join(", ")
            ),
            files: project.files.clone(),
            notices,
        },
        Some(summary),
    )?;
    // A drift fails the run whatever --fail-on says: the file is not what runs.
    if drifted && outcome == Outcome::Clean && out.fail_on.is_none() {
        return Ok(Outcome::Findings);
    }
    Ok(outcome)
}
