//! `vigie lint`: Dockerfile lint with hadolint-compatible rule ids, reading
//! through sudo, env, `sh -c` and heredocs; table, JSON, SARIF or
//! hadolint's JSON layout.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde_json::json;
use vigie_dockerfile::config::severity_to_level;
use vigie_dockerfile::{Config, LintFinding, catalog};
use vigie_report::findings::{Summary, TableOptions, to_table};
use vigie_report::style::Style;
use vigie_rules::{Finding, Severity};

use crate::cli::GlobalArgs;
use crate::exit::{Outcome, outcome_for};

#[derive(Debug, clap::Args)]
#[command(
    about = "Lint Dockerfiles: security and hadolint rules, exact line and column, SARIF",
    after_help = "A directory is searched for Dockerfile, *.Dockerfile, Dockerfile.* and Containerfile.\n\
Config: --config FILE, else ./.vigie-lint.yaml or ./.hadolint.yaml (keys: ignored, override, trustedRegistries).\n\
Inline: `# hadolint ignore=DL3008` or `# vigie ignore=VGI-DF-009` above an instruction.\n\n\
Exit codes: 0 clean, 1 a finding at or above --fail-on, 2 error."
)]
pub struct Args {
    /// Dockerfiles or directories (default: ./Dockerfile)
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Exit 1 when a finding at or above this severity is found (critical, high, medium, low, info)
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,
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
    HadolintJson,
}

pub fn run(args: Args, _global: &GlobalArgs) -> anyhow::Result<Outcome> {
    let mut config = load_config(args.config.as_deref())?;
    config
        .ignored
        .extend(args.ignore.iter().map(|s| s.to_ascii_uppercase()));
    config.trusted_registries.extend(args.trusted_registry.iter().cloned());

    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("Dockerfile")]
    } else {
        args.paths.clone()
    };
    let files = discover(&paths)?;
    let findings = lint_files(&files, &config)?;

    let text = match args.format {
        Format::Table => table(&findings, &files, args.explain, args.output.is_none()),
        Format::Json => json_report(&findings, &files)?,
        Format::Sarif => sarif(&findings)?,
        Format::HadolintJson => hadolint_json(&findings)?,
    };
    crate::output::emit(&text, args.output.as_deref())?;
    // The most severe counted finding decides the outcome: no need to copy them all.
    let worst: Vec<Finding> = findings
        .iter()
        .filter(|f| f.finding.suppressed.is_none())
        .max_by_key(|f| f.finding.severity)
        .map(|f| f.finding.clone())
        .into_iter()
        .collect();
    Ok(outcome_for(&worst, args.fail_on))
}

/// `Summary::of` without copying the findings.
fn summary(findings: &[LintFinding]) -> Summary {
    let mut s = Summary::default();
    for f in findings {
        if f.finding.suppressed.is_some() {
            s.suppressed += 1;
            continue;
        }
        match f.finding.severity {
            Severity::Critical => s.critical += 1,
            Severity::High => s.high += 1,
            Severity::Medium => s.medium += 1,
            Severity::Low => s.low += 1,
            Severity::Info | Severity::Unknown => s.info += 1,
        }
    }
    s
}

fn load_config(explicit: Option<&Path>) -> anyhow::Result<Config> {
    if let Some(path) = explicit {
        return Ok(Config::load(path)?);
    }
    for name in [".vigie-lint.yaml", ".hadolint.yaml", ".hadolint.yml"] {
        let path = Path::new(name);
        if path.is_file() {
            return Ok(Config::load(path)?);
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
                        let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
                        let text = String::from_utf8_lossy(&bytes);
                        out.extend(vigie_dockerfile::lint(&text, &path.to_string_lossy(), config));
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

fn table(findings: &[LintFinding], files: &[PathBuf], explain: bool, terminal: bool) -> String {
    use std::io::IsTerminal;
    let color = terminal && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let plain: Vec<Finding> = findings.iter().map(|f| f.finding.clone()).collect();
    let mut out = to_table(
        &plain,
        TableOptions {
            style: Style { color },
            explain,
            width: None,
        },
    );
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    let with = findings
        .iter()
        .map(|f| f.file.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    out.push_str(&format!(
        "{}{} Dockerfile(s), {} with findings: {}\n",
        if out.is_empty() { "" } else { "\n" },
        files.len(),
        with,
        summary(findings).line()
    ));
    out
}

#[derive(serde::Serialize)]
struct LintDocument<'a> {
    schema_version: u32,
    tool: vigie_report::findings::ToolInfo,
    kind: &'static str,
    context: LintContext,
    summary: Summary,
    findings: &'a [LintFinding],
}

#[derive(serde::Serialize)]
struct LintContext {
    files: Vec<String>,
}

fn json_report(findings: &[LintFinding], files: &[PathBuf]) -> anyhow::Result<String> {
    let doc = LintDocument {
        schema_version: vigie_report::findings::FINDINGS_SCHEMA_VERSION,
        tool: vigie_report::findings::tool_info(env!("CARGO_PKG_VERSION")),
        kind: "lint",
        context: LintContext {
            files: files.iter().map(|f| f.to_string_lossy().into_owned()).collect(),
        },
        summary: summary(findings),
        findings,
    };
    let mut text = serde_json::to_string_pretty(&doc)?;
    text.push('\n');
    Ok(text)
}

fn region(start: (usize, usize), end: (usize, usize)) -> serde_json::Value {
    json!({ "startLine": start.0, "startColumn": start.1, "endLine": end.0, "endColumn": end.1 })
}

fn sarif(findings: &[LintFinding]) -> anyhow::Result<String> {
    let rules: Vec<serde_json::Value> = catalog::RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.info.id,
                "name": r.info.id.replace('-', ""),
                "shortDescription": { "text": r.info.title },
                "fullDescription": { "text": r.info.rationale },
                "help": { "text": r.info.fix.summary, "markdown": format!("{}\n\nSee docs/rules/{}.md", r.info.fix.summary, r.info.id) },
                "defaultConfiguration": { "level": vigie_report::sarif::level(r.info.severity) },
                "properties": {
                    "security-severity": vigie_report::sarif::security_severity(r.info.severity),
                    "tags": ["security", "dockerfile"],
                },
            })
        })
        .collect();
    let results: Vec<serde_json::Value> = findings
        .iter()
        .map(|f| {
            let mut result = json!({
                "ruleId": f.finding.rule_id,
                "ruleIndex": catalog::RULES.iter().position(|r| r.info.id == f.finding.rule_id),
                "level": vigie_report::sarif::level(f.finding.severity),
                "message": { "text": f.finding.message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": f.file },
                        "region": region((f.line, f.column), (f.end_line, f.end_column)),
                    }
                }],
                "properties": { "severity": f.finding.severity },
            });
            if let Some(s) = &f.suggestion {
                result["fixes"] = json!([{
                    "description": { "text": s.description },
                    "artifactChanges": [{
                        "artifactLocation": { "uri": f.file },
                        "replacements": [{
                            "deletedRegion": region((s.span.start.line, s.span.start.column), (s.span.end.line, s.span.end.column)),
                            "insertedContent": { "text": s.replacement },
                        }],
                    }],
                }]);
            }
            if let Some(s) = &f.finding.suppressed {
                result["suppressions"] = json!([{ "kind": "inSource", "justification": s.reason }]);
            }
            result
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "vigie",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://example.invalid/vigie",
                "rules": rules,
            }},
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&doc)?;
    text.push('\n');
    Ok(text)
}

#[derive(serde::Serialize)]
struct HadolintItem<'a> {
    code: &'a str,
    column: usize,
    file: &'a str,
    level: &'static str,
    line: usize,
    message: &'a str,
}

/// hadolint's `-f json` layout: `[{code, column, file, level, line, message}]`, unsuppressed findings only.
fn hadolint_json(findings: &[LintFinding]) -> anyhow::Result<String> {
    let items: Vec<HadolintItem> = findings
        .iter()
        .filter(|f| f.finding.suppressed.is_none())
        .map(|f| HadolintItem {
            code: &f.finding.rule_id,
            column: f.column,
            file: &f.file,
            level: severity_to_level(f.finding.severity),
            line: f.line,
            message: &f.finding.message,
        })
        .collect();
    let mut text = serde_json::to_string(&items)?;
    text.push('\n');
    Ok(text)
}
