//! `vigie db`: the local vulnerability database. `import` reads OSV and
//! Alpine secdb files, `update` downloads the configured sources, `status`
//! says what is inside and how old it is, `show` prints a stored record.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Context;
use vigie_vulndb::update::{self, Progress, UpdateOptions};
use vigie_vulndb::{Database, WriteOptions};

use crate::cli::GlobalArgs;
use crate::exit::Outcome;

#[derive(Debug, clap::Args)]
#[command(about = "Manage the local vulnerability database (import, update, status, show)")]
pub struct Args {
    /// Database file (default: $XDG_CACHE_HOME/vigie/vulndb.sqlite)
    #[arg(long, global = true, env = "VIGIE_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    #[command(subcommand)]
    pub command: DbCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum DbCommand {
    /// Import OSV archives (all.zip), OSV JSON files or directories, and Alpine secdb (YAML or JSON)
    Import(ImportArgs),
    /// Download the configured sources and swap the database in atomically
    Update(UpdateArgs),
    /// Sources, records per ecosystem, age and schema of the database
    Status(StatusArgs),
    /// Print the stored record(s) with this id, as imported
    Show(ShowArgs),
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    #[arg(value_name = "FILE", required = true)]
    pub paths: Vec<PathBuf>,
    /// Start from an empty database instead of adding to the current one
    #[arg(long)]
    pub fresh: bool,
    /// Print the summary as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct UpdateArgs {
    /// Base URL of OSV's per-ecosystem archives (<base>/<Ecosystem>/all.zip)
    #[arg(long, env = "VIGIE_OSV_URL", default_value = update::DEFAULT_OSV_BASE, value_name = "URL")]
    pub osv_url: String,
    /// OSV ecosystems to download (comma-separated)
    #[arg(long, value_delimiter = ',', value_name = "LIST", default_values_t = update::DEFAULT_ECOSYSTEMS.map(String::from))]
    pub ecosystems: Vec<String>,
    /// Base URL of Alpine secdb (<base>/<release>/{main,community}.json)
    #[arg(long, env = "VIGIE_SECDB_URL", default_value = update::DEFAULT_SECDB_BASE, value_name = "URL")]
    pub secdb_url: String,
    /// Alpine releases whose secdb is downloaded (comma-separated; empty for none)
    #[arg(long, value_delimiter = ',', value_name = "LIST", default_values_t = update::DEFAULT_ALPINE_RELEASES.map(String::from))]
    pub alpine_releases: Vec<String>,
    /// Download only these URLs (repeatable; replaces the OSV and secdb defaults)
    #[arg(long, value_name = "URL")]
    pub source: Vec<String>,
    /// Timeout of one download, in seconds
    #[arg(long, default_value_t = 300, value_name = "SECONDS")]
    pub timeout: u64,
    /// Retries after a failed download (with exponential backoff)
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub retries: u32,
    /// First backoff wait, in milliseconds (doubled at each retry)
    #[arg(long, default_value_t = 500, value_name = "MS")]
    pub backoff_ms: u64,
    /// Ignore stored ETag/Last-Modified and download everything again
    #[arg(long)]
    pub force: bool,
    /// Print the outcome as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// Print the status as JSON
    #[arg(long)]
    pub json: bool,
    /// Also check the whole file: SQLite's integrity check and the checksum of every index block (a damaged file is exit 2)
    #[arg(long)]
    pub verify: bool,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    #[arg(value_name = "ID")]
    pub id: String,
}

pub fn run(args: Args, _global: &GlobalArgs) -> anyhow::Result<Outcome> {
    let db_path = match &args.db {
        Some(path) => path.clone(),
        None => vigie_vulndb::default_path().context("cannot find a cache directory: pass --db PATH")?,
    };
    match args.command {
        DbCommand::Import(a) => import(&db_path, a),
        DbCommand::Update(a) => run_update(&db_path, a),
        DbCommand::Status(a) => status(&db_path, a),
        DbCommand::Show(a) => show(&db_path, a),
    }
}

fn import(db_path: &std::path::Path, args: ImportArgs) -> anyhow::Result<Outcome> {
    let started = std::time::Instant::now();
    let summaries = vigie_vulndb::import_paths(
        db_path,
        &args.paths,
        &WriteOptions {
            fresh: args.fresh,
            on_lock_wait: Some(say_lock_wait),
        },
    )?;
    let elapsed = started.elapsed();
    if args.json {
        let text = vigie_report::db::import_json(&summaries, &db_path.display().to_string(), elapsed.as_secs_f64())?;
        crate::output::emit(&text, None)?;
        return Ok(Outcome::Clean);
    }
    let text = vigie_report::db::import_table(&summaries, &db_path.display().to_string(), elapsed.as_secs_f64());
    crate::output::emit(&text, None)?;
    Ok(Outcome::Clean)
}

fn run_update(db_path: &std::path::Path, args: UpdateArgs) -> anyhow::Result<Outcome> {
    let urls = if args.source.is_empty() {
        let releases: Vec<String> = args.alpine_releases.into_iter().filter(|r| !r.is_empty()).collect();
        let ecosystems: Vec<String> = args.ecosystems.into_iter().filter(|e| !e.is_empty()).collect();
        update::default_urls(&args.osv_url, &ecosystems, &args.secdb_url, &releases)
    } else {
        args.source
    };
    let options = UpdateOptions {
        timeout: std::time::Duration::from_secs(args.timeout),
        retries: args.retries,
        backoff: std::time::Duration::from_millis(args.backoff_ms),
        force: args.force,
        stall: std::time::Duration::from_secs(args.timeout.clamp(1, 30)),
        on_lock_wait: Some(say_lock_wait),
    };
    let tty = std::io::stderr().is_terminal();
    let v = |text: &str| vigie_report::sanitize::visible(text).into_owned();
    let mut progress = |event: Progress| match event {
        Progress::Downloading { url, received, total } => {
            if tty {
                let percent = total
                    .map(|t| format!(" {:>3}%", received * 100 / t.max(1)))
                    .unwrap_or_default();
                eprint!(
                    "\x1b[2Kdownloading {}: {:.1} MB{percent}\r",
                    v(&url),
                    received as f64 / 1e6
                );
            }
        }
        Progress::Retrying {
            url,
            attempt,
            error,
            wait,
        } => {
            eprintln!(
                "{}vigie: {}: {}; retry {attempt} in {} ms",
                if tty { "\x1b[2K" } else { "" },
                v(&url),
                v(&error.to_string()),
                wait.as_millis()
            );
        }
        Progress::NotModified { url } => {
            eprintln!("{}vigie: {}: not modified", if tty { "\x1b[2K" } else { "" }, v(&url))
        }
        Progress::Importing { url, source, records } => {
            eprintln!(
                "{}vigie: importing {} from {} ({records} records)",
                if tty { "\x1b[2K" } else { "" },
                v(&source.to_string()),
                v(&url)
            );
        }
        Progress::Failed { url, error } => {
            eprintln!(
                "{}vigie: error: {}: {}",
                if tty { "\x1b[2K" } else { "" },
                v(&url),
                v(&error.to_string())
            )
        }
    };
    let report = update::update(db_path, &urls, &options, &mut progress)?;
    if args.json {
        let text = vigie_report::db::update_json(&report, &db_path.display().to_string())?;
        crate::output::emit(&text, None)?;
    } else {
        let text = vigie_report::db::update_table(&report, &db_path.display().to_string());
        crate::output::emit(&text, None)?;
    }
    if report.failed() > 0 {
        anyhow::bail!(
            "{} of {} sources failed; the database keeps their previous data",
            report.failed(),
            report.outcomes.len()
        );
    }
    Ok(Outcome::Clean)
}

fn status(db_path: &std::path::Path, args: StatusArgs) -> anyhow::Result<Outcome> {
    let db = Database::open(db_path)?;
    if args.verify {
        let started = std::time::Instant::now();
        let blocks = db.verify()?;
        crate::output::say_err(&format!(
            "vigie: {}: verified ({blocks} index blocks and SQLite's integrity check, {:.2} s)",
            db_path.display(),
            started.elapsed().as_secs_f64()
        ));
    }
    let status = db.status()?;
    let now = vigie_vulndb::store::now_unix();
    if args.json {
        crate::output::emit(&vigie_report::db::status_json(&status, now)?, None)?;
        return Ok(Outcome::Clean);
    }
    let text = vigie_report::db::status_table(&status, now);
    crate::output::emit(&text, None)?;
    Ok(Outcome::Clean)
}

fn show(db_path: &std::path::Path, args: ShowArgs) -> anyhow::Result<Outcome> {
    let db = Database::open(db_path)?;
    let records = db.record_body(&args.id)?;
    if records.is_empty() {
        anyhow::bail!("no record with id {} in {}", args.id, db_path.display());
    }
    let mut bodies = Vec::new();
    for (_, body) in records {
        bodies.push(serde_json::from_str::<serde_json::Value>(&body).context("stored record is not json")?);
    }
    crate::output::emit(&vigie_report::db::records(&bodies)?, None)?;
    Ok(Outcome::Clean)
}

/// Said once when another vigie holds the database's writer lock.
fn say_lock_wait(lock: &std::path::Path) {
    crate::output::say_err(&format!(
        "vigie: another vigie is writing this database (lock {}); waiting for it to finish",
        lock.display()
    ));
}
