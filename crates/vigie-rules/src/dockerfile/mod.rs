//! Dockerfile rules (`vigie lint`): hadolint's ids where the meaning is the
//! same, `VGI-DF-*` for vigie's own. Input: a Dockerfile parsed by
//! `vigie-dockerfile` (parser with positions, shell reader for RUN); output:
//! findings with exact line/column ([`lint::lint`]). Each rule is a typed
//! constant of [`catalog`]; the checks refer to rules by symbol, so a typo
//! fails to compile.

pub mod catalog;
pub mod config;
pub mod hadolint;
pub mod lint;

pub use config::{Config, ConfigError};
pub use lint::{LintFinding, Suggestion, lint, lint_parsed};
