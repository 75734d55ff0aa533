//! One file per subcommand: its clap `Args` and its `run`.

pub mod audit;
pub mod caps;
pub mod completions;
pub mod db;
pub mod diff;
pub mod image_source;
pub mod inside;
pub mod isolate;
pub mod lint;
pub mod rules;
pub mod run;
pub mod sbom;
pub mod scan;
pub mod stats;
pub mod watch;
