//! `vigie rules [ID…]`: every rule of every family from the one registry
//! (container, host, inside, image, Dockerfile, kubernetes), or the pages of the named
//! rules.

use std::path::PathBuf;

use anyhow::bail;
use vigie_rules::registry::{self, Family};

use crate::cli::GlobalArgs;
use crate::exit::Outcome;

#[derive(Debug, clap::Args)]
#[command(
    about = "List every rule of every family (container, host, inside, image, Dockerfile, kubernetes), or print a rule's page",
    after_help = "Examples:\n  vigie rules\n  vigie rules --family dockerfile\n  vigie rules VGI-CTR-001 DL3008\n  \
vigie rules --format json -o rules.json\n\nExit codes: 0 listed, 2 an unknown rule id or family."
)]
pub struct Args {
    /// Print these rules' pages (the text of docs/rules/ID.md)
    #[arg(value_name = "ID")]
    pub ids: Vec<String>,
    /// Only this family: container, host, inside, image, dockerfile, kubernetes
    #[arg(long, value_name = "FAMILY", value_parser = parse_family)]
    pub family: Option<Family>,
    /// Output format of the listing
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write to FILE instead of stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
}

fn parse_family(text: &str) -> Result<Family, String> {
    Family::parse(text).ok_or_else(|| {
        let names: Vec<&str> = Family::ALL.iter().map(|f| f.as_str()).collect();
        format!("unknown family '{text}' (expected one of: {})", names.join(", "))
    })
}

pub fn run(args: Args, _global: &GlobalArgs) -> anyhow::Result<Outcome> {
    let mut entries = registry::rules();
    if let Some(family) = args.family {
        entries.retain(|e| e.family == family);
    }
    let text = if args.ids.is_empty() {
        match args.format {
            Format::Table => vigie_report::rules::table(&entries),
            Format::Json => vigie_report::rules::json(&entries, env!("CARGO_PKG_VERSION"))?,
        }
    } else {
        let mut picked = Vec::new();
        for id in &args.ids {
            match entries.iter().find(|e| e.info.id.eq_ignore_ascii_case(id.trim())) {
                Some(e) => picked.push(e.clone()),
                None => bail!("unknown rule '{id}' (see vigie rules)"),
            }
        }
        match args.format {
            Format::Table => picked.iter().map(registry::docs_page).collect::<Vec<_>>().join("\n"),
            Format::Json => vigie_report::rules::json(&picked, env!("CARGO_PKG_VERSION"))?,
        }
    };
    crate::output::emit(&text, args.output.as_deref())?;
    Ok(Outcome::Clean)
}
