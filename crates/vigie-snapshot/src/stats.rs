//! Resource usage samples of running containers (`vigie stats`), as the
//! engine's stats stream gives them after docker's arithmetic.

use serde::Serialize;

/// One sample of one container, plain data.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StatsSample {
    pub id: String,
    pub name: String,
    /// Time the engine read the counters (RFC 3339).
    pub read: String,
    pub cpu_percent: f64,
    pub memory_usage: u64,
    /// 0 when the engine reports none.
    pub memory_limit: u64,
    pub memory_percent: f64,
    pub network_rx: u64,
    pub network_tx: u64,
    pub block_read: u64,
    pub block_write: u64,
    pub pids: u64,
}
