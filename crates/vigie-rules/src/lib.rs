//! Checks that turn facts into findings. Pipeline place: after the engine or
//! the local system gave a snapshot, before a printer in `vigie-report`.
//! Nothing here prints or talks to the engine.

pub mod audit;
pub mod container;
pub mod dockerfile;
pub mod finding;
pub mod host;
pub mod image;
pub mod inside;
pub mod kubernetes;
pub mod policy;
pub mod registry;
mod rule_builders;
pub mod secrets;
pub mod sockets;

pub use finding::{
    Evidence, FileLocation, Finding, Fix, Mitigation, RuleInfo, Severity, StaticFix, Suppression, sort_findings,
};
