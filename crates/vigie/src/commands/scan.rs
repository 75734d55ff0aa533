//! `vigie scan TARGET`: packages of an image, a root filesystem, a lockfile
//! or an SBOM, matched against the local vulnerability database, filtered by
//! policy (severity, unfixed, `.vigieignore`, OpenVEX) and printed as a
//! table, vigie JSON, Trivy JSON, SARIF or CycloneDX. The pipeline is
//! `vigie_scan::scan`; the printers are in `vigie_report`.

use std::path::{Path, PathBuf};

use anyhow::Context;
use vigie_report::scan as report;
use vigie_snapshot::severity::Severity;

use crate::cli::GlobalArgs;
use crate::exit::Outcome;

#[derive(Debug, clap::Args)]
#[command(
    about = "Scan an image, root filesystem, lockfile or SBOM for known vulnerabilities (offline, local database)",
    after_help = "TARGET: an image name (engine), a docker-archive or OCI archive/layout, `dir:PATH` or a directory \
(root filesystem or project), a lockfile (Cargo.lock, requirements.txt, package-lock.json, poetry.lock, go.sum, …) \
or an SBOM (CycloneDX or SPDX JSON).\n\
Ignore file: ./.vigieignore (YAML list of {id, package, path, reason, expires}).\n\n\
Exit codes: 0 clean, 1 (or --exit-code) a vulnerability at or above --fail-on, 2 error."
)]
pub struct Args {
    #[arg(value_name = "TARGET")]
    pub target: String,
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the report to FILE (atomically) instead of stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Vulnerability database (default: $XDG_CACHE_HOME/vigie/vulndb.sqlite)
    #[arg(long, env = "VIGIE_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Report only these severities (comma-separated: critical,high,medium,low,unknown)
    #[arg(long, value_delimiter = ',', value_name = "LIST", value_parser = Severity::parse_rating)]
    pub severity: Vec<Severity>,
    /// Fail (exit 1, or --exit-code) when a reported vulnerability is at or above this severity
    #[arg(long, value_name = "SEVERITY", value_parser = Severity::parse_rating)]
    pub fail_on: Option<Severity>,
    /// Exit code when the --fail-on threshold is reached (alone: when anything is reported)
    #[arg(long, value_name = "N")]
    pub exit_code: Option<u8>,
    /// Leave out vulnerabilities that have no fixed version yet
    #[arg(long)]
    pub ignore_unfixed: bool,
    /// Ignore file (default: ./.vigieignore when present)
    #[arg(long, value_name = "FILE")]
    pub ignorefile: Option<PathBuf>,
    /// OpenVEX document: `not_affected` and `fixed` statements suppress (repeatable)
    #[arg(long, value_name = "FILE")]
    pub vex: Vec<PathBuf>,
    /// Warn when the database is older than this many days (the scan still runs)
    #[arg(long, value_name = "DAYS", default_value_t = 7)]
    pub db_max_age: u64,
    #[command(flatten)]
    pub source: super::image_source::ImageSourceArgs,
    /// Accept a partial result: parts of the target that cannot be read (marked `incomplete` in the
    /// report) no longer make the scan fail with exit 2
    #[arg(long)]
    pub allow_incomplete: bool,
    /// Print the time of each stage on stderr (for scripts/bench/vulndb.sh)
    #[arg(long, hide = true)]
    pub timings: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    TrivyJson,
    Sarif,
    Cyclonedx,
}

pub fn run(args: Args, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    let db_path = match &args.db {
        Some(path) => path.clone(),
        None => vigie_vulndb::default_path().context("cannot find a cache directory: pass --db PATH")?,
    };
    let request = vigie_scan::Request {
        target: args.target.clone(),
        open: args.source.open_options(global),
        db_path,
        severities: args.severity.clone(),
        ignore_unfixed: args.ignore_unfixed,
        ignorefile: args.ignorefile.clone(),
        vex: args.vex.clone(),
    };
    let read_view = |image: &vigie_image::Image, options: vigie_image::ViewOptions| {
        crate::progress::view_with_bar(image, options, false)
    };
    let mut on_database = |db_path: &Path, _updated_at: i64, age: i64| {
        crate::output::say_err(&format!(
            "vigie: database {} updated {} ago",
            db_path.display(),
            human_age(age)
        ));
        if age > (args.db_max_age as i64) * 86_400 {
            crate::output::say_err(&format!(
                "vigie: warning: the vulnerability database is {} old (limit {} days): run `vigie db update`",
                human_age(age),
                args.db_max_age
            ));
        }
    };
    let scanned = vigie_scan::scan(&request, &read_view, &mut on_database)?;
    let vigie_scan::Timings {
        started,
        opened,
        collected: collected_at,
        match_started,
        matched: matched_at,
    } = scanned.timings;
    let result = scanned.result;
    let text = match args.format {
        Format::Table => vigie_report::vulnerabilities::scan_table(&result),
        Format::Json => report::to_json(&result),
        Format::TrivyJson => report::to_trivy_json(&result),
        Format::Sarif => report::to_sarif(&result),
        Format::Cyclonedx => report::to_cyclonedx(&result),
    };
    crate::output::emit(&text, args.output.as_deref())?;
    if args.timings {
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
        let report = started.elapsed() - matched_at;
        crate::output::say_err(&format!(
            "vigie: timings: collect {:.1} ms, database open {:.1} ms, match {:.1} ms, report {:.1} ms, database total {:.1} ms ({} packages)",
            ms(collected_at - opened),
            ms(opened + (match_started - collected_at)),
            ms(matched_at - match_started),
            ms(report),
            ms(opened + (match_started - collected_at) + (matched_at - match_started) + report),
            result.packages.len()
        ));
    }
    for notice in &result.applied.notices {
        crate::output::say_err(&format!("vigie: warning: {notice}"));
    }
    for warning in result.warnings.iter().take(20) {
        crate::output::say_err(&format!("vigie: warning: {warning}"));
    }
    if result.warnings.len() > 20 {
        crate::output::say_err(&format!(
            "vigie: warning: … and {} more warnings",
            result.warnings.len() - 20
        ));
    }
    if !result.incomplete.is_empty() && !args.allow_incomplete {
        anyhow::bail!(
            "incomplete scan of {}: {} gap(s), parts not read or ecosystems without advisories (first: {}); the report \
             above is marked incomplete — pass --allow-incomplete to accept partial results",
            args.target,
            result.incomplete.len(),
            result.incomplete[0]
        );
    }
    let failing = match (args.fail_on, args.exit_code) {
        (Some(threshold), _) => vigie_rules::policy::reaches(
            result.applied.reported.iter().map(|m| m.severity.severity),
            Some(threshold),
        ),
        (None, Some(_)) => !result.applied.reported.is_empty(),
        (None, None) => false,
    };
    if !failing {
        return Ok(Outcome::Clean);
    }
    match args.exit_code {
        None | Some(1) => Ok(Outcome::Findings),
        Some(code) => Ok(Outcome::Code(code)),
    }
}

fn human_age(seconds: i64) -> String {
    match seconds {
        s if s < 120 => format!("{s} s"),
        s if s < 7_200 => format!("{} min", s / 60),
        s if s < 172_800 => format!("{} h", s / 3_600),
        s => format!("{} days", s / 86_400),
    }
}
