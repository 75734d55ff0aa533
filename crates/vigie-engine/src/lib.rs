//! Docker Engine access. Pipeline place: the first stage of `audit`, `caps
//! --container`, `run`, `stats`, `watch`: it talks to the engine over bollard
//! and hands back plain data, never live handles. Prints nothing.

mod connect;
mod image;

pub use connect::{Engine, EngineError, EngineInfo, engine_message, use_tls};
pub mod context;
pub mod events;
pub mod network;
pub mod probe;
pub mod run;
pub mod snapshot;
pub mod stats;
