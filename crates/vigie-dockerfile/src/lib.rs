//! Dockerfile parsing and lint. Pipeline place: a Dockerfile's text in
//! ([`parser`], [`shell`] for RUN), findings with exact line/column out
//! ([`lint::lint`]); the rule catalogue is [`catalog`]. Nothing here prints.

pub mod catalog;
pub mod config;
pub mod lint;
pub mod parser;
pub mod shell;

pub use config::{Config, ConfigError};
pub use lint::{LintFinding, Suggestion, lint};
