//! `vigie diff A.json B.json`: compare two vulnerability reports (vigie
//! JSON, Trivy JSON SchemaVersion 2, Grype JSON): found by both, only by
//! one, and why.

use std::path::PathBuf;

use anyhow::Context;
use vigie_vulndb::diff;

use crate::cli::GlobalArgs;
use crate::exit::Outcome;

#[derive(Debug, clap::Args)]
#[command(
    about = "Compare two vulnerability reports (vigie, Trivy or Grype JSON): found by both, only by one, and why",
    after_help = "Exit codes: 0 the reports agree, 1 they differ (--fail-on-difference), 2 error."
)]
pub struct Args {
    #[arg(value_name = "A.json")]
    pub a: PathBuf,
    #[arg(value_name = "B.json")]
    pub b: PathBuf,
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the comparison to FILE instead of stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when the reports differ
    #[arg(long)]
    pub fail_on_difference: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
}

pub fn run(args: Args, _global: &GlobalArgs) -> anyhow::Result<Outcome> {
    let read = |path: &PathBuf| -> anyhow::Result<diff::Report> {
        let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        Ok(diff::parse(&path.display().to_string(), &bytes)?)
    };
    let (a, b) = (read(&args.a)?, read(&args.b)?);
    let a_name = args
        .a
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let b_name = args
        .b
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (a_name, b_name) = if a_name == b_name {
        (args.a.display().to_string(), args.b.display().to_string())
    } else {
        (a_name, b_name)
    };
    let result = diff::compare(&a, &b, &a_name, &b_name);
    let text = match args.format {
        Format::Table => vigie_report::vulnerabilities::diff_table(&result, &a_name, &b_name),
        Format::Json => vigie_report::vulnerabilities::diff_json(&result, &a_name, &b_name)?,
    };
    crate::output::emit(&text, args.output.as_deref())?;
    let differ = !result.only_a.is_empty() || !result.only_b.is_empty();
    Ok(if args.fail_on_difference && differ {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}
