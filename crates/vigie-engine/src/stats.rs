//! Resource usage of running containers, computed from the engine's stats
//! stream exactly as the docker CLI computes `docker stats` (cli/command/
//! container/stats_helpers.go): CPU % = cpu_delta / system_delta × online
//! CPUs × 100; memory = usage minus inactive page cache (`total_inactive_file`
//! on cgroup v1, `inactive_file` on cgroup v2); block I/O = the read and write
//! entries of `io_service_bytes_recursive`; network = the sum over interfaces.

use bollard::models::ContainerStatsResponse;
use futures_util::{Stream, StreamExt};

use crate::{Engine, EngineError};

pub use vigie_snapshot::stats::StatsSample;

/// CPU % the way `docker stats` prints it: 0 when either delta is not positive.
pub fn cpu_percent(stats: &ContainerStatsResponse) -> f64 {
    let (Some(cpu), Some(pre)) = (&stats.cpu_stats, &stats.precpu_stats) else {
        return 0.0;
    };
    let total = |c: &bollard::models::ContainerCpuStats| c.cpu_usage.as_ref().and_then(|u| u.total_usage).unwrap_or(0);
    let cpu_delta = total(cpu) as f64 - total(pre) as f64;
    let system_delta = cpu.system_cpu_usage.unwrap_or(0) as f64 - pre.system_cpu_usage.unwrap_or(0) as f64;
    let mut online = f64::from(cpu.online_cpus.unwrap_or(0));
    if online == 0.0 {
        online = cpu
            .cpu_usage
            .as_ref()
            .and_then(|u| u.percpu_usage.as_ref())
            .map_or(0.0, |v| v.len() as f64);
    }
    if system_delta > 0.0 && cpu_delta > 0.0 {
        cpu_delta / system_delta * online * 100.0
    } else {
        0.0
    }
}

/// Memory in use without the inactive page cache, as docker does on cgroup v1 and v2.
pub fn memory_usage(stats: &ContainerStatsResponse) -> u64 {
    let Some(memory) = &stats.memory_stats else { return 0 };
    let usage = memory.usage.unwrap_or(0);
    let inactive = memory.stats.as_ref().and_then(|s| {
        // cgroup v1 reports total_inactive_file; v2 has no total_* keys.
        s.get("total_inactive_file").or_else(|| s.get("inactive_file")).copied()
    });
    match inactive {
        Some(v) if v < usage => usage - v,
        _ => usage,
    }
}

/// Bytes read and written, summed over devices.
pub fn block_io(stats: &ContainerStatsResponse) -> (u64, u64) {
    let mut read = 0u64;
    let mut write = 0u64;
    let entries = stats
        .blkio_stats
        .as_ref()
        .and_then(|b| b.io_service_bytes_recursive.as_ref());
    for entry in entries.into_iter().flatten() {
        let value = entry.value.unwrap_or(0);
        match entry.op.as_deref().map(str::to_ascii_lowercase).as_deref() {
            Some("read") => read = read.saturating_add(value),
            Some("write") => write = write.saturating_add(value),
            _ => {}
        }
    }
    (read, write)
}

/// Received and sent bytes, summed over the container's interfaces.
pub fn network_io(stats: &ContainerStatsResponse) -> (u64, u64) {
    let mut rx = 0u64;
    let mut tx = 0u64;
    for net in stats.networks.iter().flat_map(|n| n.values()) {
        rx = rx.saturating_add(net.rx_bytes.unwrap_or(0));
        tx = tx.saturating_add(net.tx_bytes.unwrap_or(0));
    }
    (rx, tx)
}

/// The plain sample of one stats frame.
/// A stats frame as the engine sends it (JSON) into a sample, for fuzzing.
#[doc(hidden)]
pub fn sample_from_json_for_fuzz(bytes: &[u8]) -> Option<StatsSample> {
    serde_json::from_slice::<ContainerStatsResponse>(bytes)
        .ok()
        .map(|s| sample(&s))
}

pub fn sample(stats: &ContainerStatsResponse) -> StatsSample {
    let memory_usage = memory_usage(stats);
    let memory_limit = stats.memory_stats.as_ref().and_then(|m| m.limit).unwrap_or(0);
    let memory_percent = if memory_limit > 0 {
        memory_usage as f64 / memory_limit as f64 * 100.0
    } else {
        0.0
    };
    let (network_rx, network_tx) = network_io(stats);
    let (block_read, block_write) = block_io(stats);
    StatsSample {
        id: stats.id.clone().unwrap_or_default(),
        name: stats
            .name
            .as_deref()
            .unwrap_or_default()
            .trim_start_matches('/')
            .to_string(),
        read: stats.read.as_ref().map(|d| d.to_string()).unwrap_or_default(),
        cpu_percent: cpu_percent(stats),
        memory_usage,
        memory_limit,
        memory_percent,
        network_rx,
        network_tx,
        block_read,
        block_write,
        pids: stats.pids_stats.as_ref().and_then(|p| p.current).unwrap_or(0),
    }
}

impl Engine {
    /// The engine's stats stream for one container, one sample a second,
    /// each with the previous one as `precpu_stats`. Ends when the container stops.
    pub fn stats_stream(&self, container: &str) -> impl Stream<Item = Result<StatsSample, EngineError>> + use<> {
        let options = bollard::query_parameters::StatsOptionsBuilder::default()
            .stream(true)
            .one_shot(false)
            .build();
        let name = container.to_string();
        let engine = self.clone();
        self.docker
            .stats(container, Some(options))
            .map(move |r| r.map(|s| sample(&s)).map_err(|e| engine.container_error(&name, e)))
    }

    /// One sample with a CPU % over the engine's own one-second window (`docker stats --no-stream`).
    pub async fn stats_once(&self, container: &str) -> Result<StatsSample, EngineError> {
        let options = bollard::query_parameters::StatsOptionsBuilder::default()
            .stream(false)
            .one_shot(false)
            .build();
        let mut stream = self.docker.stats(container, Some(options));
        match stream.next().await {
            Some(Ok(s)) => Ok(sample(&s)),
            Some(Err(e)) => Err(self.container_error(container, e)),
            None => Err(EngineError::Request {
                what: format!("stats of container {container}"),
                reason: "the engine sent no sample".to_string(),
            }),
        }
    }

    /// Names and ids of running containers, sorted by name.
    pub async fn running_containers(&self) -> Result<Vec<(String, String)>, EngineError> {
        let list = self
            .docker
            .list_containers(None::<bollard::query_parameters::ListContainersOptions>)
            .await
            .map_err(|e| EngineError::Request {
                what: "list containers".to_string(),
                reason: e.to_string(),
            })?;
        let mut out: Vec<(String, String)> = list
            .into_iter()
            .filter_map(|c| {
                let id = c.id?;
                let name = c
                    .names
                    .and_then(|n| n.into_iter().next())
                    .map(|n| n.trim_start_matches('/').to_string())
                    .unwrap_or_else(|| id.chars().take(12).collect());
                Some((name, id))
            })
            .collect();
        out.sort();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A frame captured from this machine's engine (cgroup v1), trimmed.
    const V1_FRAME: &str = r#"{
      "read": "2026-11-28T21:00:01.5Z", "id": "abc", "name": "/busy",
      "cpu_stats": {"cpu_usage": {"total_usage": 2000000000, "percpu_usage": [1, 2]},
                    "system_cpu_usage": 104000000000, "online_cpus": 2},
      "precpu_stats": {"cpu_usage": {"total_usage": 1000000000},
                       "system_cpu_usage": 102000000000, "online_cpus": 2},
      "memory_stats": {"usage": 10485760, "limit": 104857600,
                       "stats": {"total_inactive_file": 2097152, "inactive_file": 1}},
      "networks": {"eth0": {"rx_bytes": 100, "tx_bytes": 50}, "eth1": {"rx_bytes": 1, "tx_bytes": 2}},
      "blkio_stats": {"io_service_bytes_recursive": [
          {"major": 8, "minor": 0, "op": "Read", "value": 4096},
          {"major": 8, "minor": 0, "op": "Write", "value": 8192},
          {"major": 8, "minor": 0, "op": "Total", "value": 12288}]},
      "pids_stats": {"current": 3}
    }"#;

    fn frame(text: &str) -> ContainerStatsResponse {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn docker_formula_on_cgroup_v1() {
        let s = sample(&frame(V1_FRAME));
        // 1e9 / 2e9 * 2 * 100
        assert!((s.cpu_percent - 100.0).abs() < 1e-9);
        assert_eq!(s.memory_usage, 10485760 - 2097152);
        assert!((s.memory_percent - 8.0).abs() < 1e-9);
        assert_eq!((s.network_rx, s.network_tx), (101, 52));
        assert_eq!((s.block_read, s.block_write), (4096, 8192));
        assert_eq!(s.pids, 3);
        assert_eq!(s.name, "busy");
    }

    #[test]
    fn cgroup_v2_uses_inactive_file_and_lowercase_ops() {
        let s = sample(&frame(
            r#"{"memory_stats": {"usage": 1000, "limit": 0, "stats": {"inactive_file": 400}},
                "blkio_stats": {"io_service_bytes_recursive": [{"op": "read", "value": 7}, {"op": "write", "value": 9}]}}"#,
        ));
        assert_eq!(s.memory_usage, 600);
        assert_eq!(s.memory_percent, 0.0);
        assert_eq!((s.block_read, s.block_write), (7, 9));
        assert_eq!(s.cpu_percent, 0.0);
    }

    #[test]
    fn first_frame_and_missing_online_cpus() {
        // No previous sample: docker prints 0 %.
        let s =
            frame(r#"{"cpu_stats": {"cpu_usage": {"total_usage": 5}, "system_cpu_usage": 10}, "precpu_stats": {}}"#);
        assert_eq!(cpu_percent(&s), 0.0);
        let s = frame(
            r#"{"cpu_stats": {"cpu_usage": {"total_usage": 300, "percpu_usage": [1,1,1,1]}, "system_cpu_usage": 1200},
                "precpu_stats": {"cpu_usage": {"total_usage": 0}, "system_cpu_usage": 0}}"#,
        );
        assert!((cpu_percent(&s) - 100.0).abs() < 1e-9);
        // Inactive cache larger than usage: keep usage.
        let s = frame(r#"{"memory_stats": {"usage": 10, "stats": {"total_inactive_file": 20}}}"#);
        assert_eq!(memory_usage(&s), 10);
    }
}
