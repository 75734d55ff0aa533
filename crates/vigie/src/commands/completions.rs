//! `vigie completions SHELL`: shell completion scripts from the clap model.

use clap::CommandFactory;

use crate::exit::Outcome;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Shell to generate completions for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let mut command = crate::cli::Cli::command();
    let mut buffer = Vec::new();
    clap_complete::generate(args.shell, &mut command, "vigie", &mut buffer);
    crate::output::emit(&String::from_utf8_lossy(&buffer), None)?;
    Ok(Outcome::Clean)
}
