//! `vigie lint`: Dockerfile lint with hadolint-compatible rule ids, reading
//! through sudo, env, `sh -c` and heredocs; table, JSON, SARIF or
//! hadolint's JSON layout.

use std::path::{Path, PathBuf};

use anyhow::Context;
use vigie_rules::Severity;
use vigie_rules::dockerfile::config::{LabelType, Level, Threshold};
use vigie_rules::dockerfile::{Config, LintFinding};

use crate::cli::GlobalArgs;
use crate::exit::Outcome;

#[derive(Debug, clap::Args)]
#[command(
    about = "Lint Dockerfiles: security and hadolint rules, exact line and column, SARIF",
    after_help = "A directory is searched for Dockerfile, *.Dockerfile, Dockerfile.* and Containerfile.\n\
Config: --config FILE, else ./.vigie-lint.yaml, ./.hadolint.yaml, $XDG_CONFIG_HOME/hadolint.yaml, ~/.config/hadolint.yaml,\n\
~/.hadolint/hadolint.yaml or ~/.hadolint.yaml (keys: ignored, override, trustedRegistries, label-schema, strict-labels,\n\
failure-threshold, no-fail, disable-ignore-pragma).\n\
Inline: `# hadolint ignore=DL3008` or `# vigie ignore=VGI-DF-009` above an instruction.\n\n\
Exit codes (as hadolint): 0 clean, 1 a finding at or above the failure threshold (default: info, so style\n\
findings do not fail) or a parse error (DL1000); --fail-on SEVERITY uses vigie's severities instead;\n\
--no-fail never exits 1; 2 error (unreadable file, bad configuration)."
)]
pub struct Args {
    /// Dockerfiles or directories (default: ./Dockerfile)
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Exit 1 when a finding at or above this vigie severity is found (critical, high, medium, low, info);
    /// overrides the failure threshold
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,
    /// Exit 1 only for findings at or above this hadolint level (error, warning, info, style, ignore, none;
    /// default info)
    #[arg(long, short = 't', value_name = "LEVEL", value_parser = parse_threshold)]
    pub failure_threshold: Option<Threshold>,
    /// Never exit 1 because of findings
    #[arg(long)]
    pub no_fail: bool,
    /// Give a rule hadolint's level `error` (repeatable)
    #[arg(long, value_name = "RULE")]
    pub error: Vec<String>,
    /// Give a rule hadolint's level `warning` (repeatable)
    #[arg(long, value_name = "RULE")]
    pub warning: Vec<String>,
    /// Give a rule hadolint's level `info` (repeatable)
    #[arg(long, value_name = "RULE")]
    pub info: Vec<String>,
    /// Give a rule hadolint's level `style` (repeatable)
    #[arg(long, value_name = "RULE")]
    pub style: Vec<String>,
    /// Require a label and the format of its value, LABEL:FORMAT (text, url, spdx, hash, rfc3339, semver,
    /// email; repeatable)
    #[arg(long, value_name = "LABEL:FORMAT")]
    pub require_label: Vec<String>,
    /// Allow only the labels of the label schema (DL3050)
    #[arg(long)]
    pub strict_labels: bool,
    /// Do not honour inline `# hadolint ignore=` comments
    #[arg(long)]
    pub disable_ignore_pragma: bool,
    /// Lint configuration (vigie's or a .hadolint.yaml)
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Ignore a rule (repeatable)
    #[arg(long, value_name = "RULE")]
    pub ignore: Vec<String>,
    /// Allow only these registries in FROM (repeatable; enables DL3026)
    #[arg(long, value_name = "REGISTRY")]
    pub trusted_registry: Vec<String>,
    /// Show why and how to fix under each finding
    #[arg(long)]
    pub explain: bool,
    /// Write the report to FILE instead of stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Sarif,
    /// hadolint's `-f json`, byte for byte where the finding is the same
    HadolintJson,
    /// hadolint's default output (`FILE:LINE CODE level: message`)
    Tty,
}

fn parse_threshold(text: &str) -> Result<Threshold, String> {
    Threshold::parse(text).ok_or_else(|| format!("unknown level '{text}' (error, warning, info, style, ignore, none)"))
}

pub fn run(args: Args, _global: &GlobalArgs) -> anyhow::Result<Outcome> {
    let mut config = load_config(args.config.as_deref())?;
    config
        .ignored
        .extend(args.ignore.iter().map(|s| s.to_ascii_uppercase()));
    config.trusted_registries.extend(args.trusted_registry.iter().cloned());
    for (level, ids) in [
        (Level::Error, &args.error),
        (Level::Warning, &args.warning),
        (Level::Info, &args.info),
        (Level::Style, &args.style),
    ] {
        for id in ids {
            let id = id.to_ascii_uppercase();
            config.level.insert(id.clone(), level);
            config.severity.insert(id, level.severity());
        }
    }
    for spec in &args.require_label {
        let (label, format) = spec.split_once(':').unwrap_or((spec.as_str(), "text"));
        let kind = LabelType::parse(format).ok_or_else(|| {
            anyhow::anyhow!(
                "--require-label {spec}: unknown format '{format}' (text, url, spdx, hash, rfc3339, semver, email)"
            )
        })?;
        config.label_schema.insert(label.to_string(), kind);
    }
    config.strict_labels |= args.strict_labels;
    config.disable_ignore_pragma |= args.disable_ignore_pragma;

    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("Dockerfile")]
    } else {
        args.paths.clone()
    };
    let files = discover(&paths)?;
    let findings = lint_files(&files, &config)?;
    let names: Vec<String> = files.iter().map(|f| f.to_string_lossy().into_owned()).collect();

    let text = match args.format {
        Format::Table => vigie_report::lint::table(
            &findings,
            files.len(),
            args.explain,
            crate::output::color(args.output.is_none()),
        ),
        Format::Json => vigie_report::lint::json(&findings, &names, env!("CARGO_PKG_VERSION"))?,
        Format::Sarif => vigie_report::lint::sarif(&findings, env!("CARGO_PKG_VERSION"))?,
        Format::HadolintJson => vigie_report::lint::hadolint_json(&findings)?,
        Format::Tty => vigie_report::lint::hadolint_tty(&findings, crate::output::color(args.output.is_none())),
    };
    crate::output::emit(&text, args.output.as_deref())?;
    Ok(outcome(&findings, &config, &args))
}

/// hadolint's exit rule: 1 when an unsuppressed finding is at or above the
/// failure threshold (a parse error is at level error), unless `--no-fail`;
/// `--fail-on` judges vigie's severities instead.
fn outcome(findings: &[LintFinding], config: &Config, args: &Args) -> Outcome {
    if args.no_fail || (config.no_fail && args.fail_on.is_none() && args.failure_threshold.is_none()) {
        return Outcome::Clean;
    }
    let counted = findings.iter().filter(|f| f.finding.suppressed.is_none());
    let fails = match args.fail_on {
        Some(threshold) => counted.into_iter().any(|f| f.finding.severity >= threshold),
        None => {
            let threshold = args.failure_threshold.or(config.failure_threshold).unwrap_or_default();
            counted.into_iter().any(|f| threshold.fails(f.level()))
        }
    };
    if fails { Outcome::Findings } else { Outcome::Clean }
}

fn load_config(explicit: Option<&Path>) -> anyhow::Result<Config> {
    if let Some(path) = explicit {
        return Ok(Config::load(path)?);
    }
    // hadolint's search order after the working directory's files.
    let mut candidates: Vec<PathBuf> = [".vigie-lint.yaml", ".hadolint.yaml", ".hadolint.yml"]
        .iter()
        .map(PathBuf::from)
        .collect();
    if let Some(xdg) = std::env::var_os("XDG_CONFIG_HOME").filter(|v| !v.is_empty()) {
        candidates.push(PathBuf::from(xdg).join("hadolint.yaml"));
    }
    if let Some(home) = std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        let home = PathBuf::from(home);
        candidates.push(home.join(".config/hadolint.yaml"));
        candidates.push(home.join(".hadolint/hadolint.yaml"));
        candidates.push(home.join(".hadolint.yaml"));
    }
    for path in candidates {
        if path.is_file() {
            return Ok(Config::load(&path)?);
        }
    }
    Ok(Config::default())
}

fn is_dockerfile_name(name: &str) -> bool {
    name == "Dockerfile"
        || name == "Containerfile"
        || name.ends_with(".Dockerfile")
        || name.ends_with(".dockerfile")
        || name.starts_with("Dockerfile.")
        || name.starts_with("Containerfile.")
}

/// Files named on the command line, and Dockerfiles found under directories (sorted).
fn discover(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(path, &mut found, 0)?;
            found.sort();
            if found.is_empty() {
                anyhow::bail!("no Dockerfile found under {}", path.display());
            }
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) -> anyhow::Result<()> {
    if depth > 32 {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).with_context(|| format!("cannot read directory {}", dir.display()))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() {
            if !name.starts_with('.') && name != "node_modules" && name != "target" {
                walk(&entry.path(), out, depth + 1)?;
            }
        } else if (kind.is_file() || kind.is_symlink()) && is_dockerfile_name(&name) {
            out.push(entry.path());
        }
    }
    Ok(())
}

/// Lint every file, in parallel over the available cores; results keep the file order.
fn lint_files(files: &[PathBuf], config: &Config) -> anyhow::Result<Vec<LintFinding>> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(files.len().max(1));
    let chunk = files.len().div_ceil(threads).max(1);
    let results: Vec<anyhow::Result<Vec<LintFinding>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || -> anyhow::Result<Vec<LintFinding>> {
                    let mut out = Vec::new();
                    for path in part {
                        let bytes = read_bounded(path)?;
                        let text = String::from_utf8_lossy(&bytes);
                        out.extend(vigie_rules::dockerfile::lint(&text, &path.to_string_lossy(), config));
                    }
                    Ok(out)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("a lint worker stopped unexpectedly")))
            })
            .collect()
    });
    let mut all = Vec::new();
    for r in results {
        all.extend(r?);
    }
    Ok(all)
}

/// Dockerfiles larger than this are refused: real ones are a few KiB (the
/// largest seen in public repositories, a few hundred); a 5 MB one would
/// cost hundreds of MiB of findings.
pub const MAX_DOCKERFILE_BYTES: u64 = 1 << 20;

/// A Dockerfile's bytes, read through a bounded reader (a file that grows
/// while it is read is cut at the limit, not read whole).
fn read_bounded(path: &std::path::Path) -> anyhow::Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(MAX_DOCKERFILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {}", path.display()))?;
    if bytes.len() as u64 > MAX_DOCKERFILE_BYTES {
        anyhow::bail!(
            "{}: over {} bytes, the limit for a Dockerfile (a hostile or generated file?)",
            path.display(),
            MAX_DOCKERFILE_BYTES
        );
    }
    Ok(bytes)
}
