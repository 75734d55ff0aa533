//! One file per subcommand: its clap `Args` and its `run`.

pub mod caps;
pub mod completions;
pub mod inside;
