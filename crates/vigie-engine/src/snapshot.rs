//! Containers and the host as plain snapshots (`vigie_snapshot`): from the
//! live engine (list + inspect of every container in any state, info +
//! version) or, offline, from the JSON array `docker inspect` prints. Both
//! paths go through the same lenient reader of the inspect layout, so a
//! recorded fixture exercises exactly the code a live audit runs.

use futures_util::stream::{self, StreamExt};
use vigie_snapshot::{ContainerSnapshot, ExecSession, HostSnapshot};

use crate::connect::{Engine, EngineError};

/// Inspect requests in flight at once: enough to hide the socket round trip,
/// few enough not to load a busy daemon.
const CONCURRENT_INSPECTS: usize = 16;

/// What a live collection found, plus per-container problems that did not stop it.
#[derive(Debug, Default)]
pub struct Collected {
    pub containers: Vec<ContainerSnapshot>,
    /// One line each: a container removed between list and inspect, an exec that vanished…
    pub warnings: Vec<String>,
}

pub use vigie_snapshot::inspect::{
    RawContainer, SnapshotError, default_last_cap, host_from_info, load_inspect_json, snapshot_from_raw,
};

/// `/proc/sys/kernel/cap_last_cap` of this machine (the engine's kernel when the engine is local).
pub fn local_cap_last_cap() -> Option<u8> {
    std::fs::read_to_string("/proc/sys/kernel/cap_last_cap")
        .ok()?
        .trim()
        .parse()
        .ok()
}

fn request_error(what: &str, err: impl std::fmt::Display) -> EngineError {
    EngineError::Request {
        what: what.to_string(),
        reason: err.to_string(),
    }
}

impl Engine {
    /// Ids of every container in any state (created, running, paused, restarting, exited, dead).
    pub async fn list_container_ids(&self) -> Result<Vec<String>, EngineError> {
        let options = bollard::query_parameters::ListContainersOptionsBuilder::default()
            .all(true)
            .build();
        let list = self
            .docker
            .list_containers(Some(options))
            .await
            .map_err(|e| request_error("list containers", e))?;
        Ok(list.into_iter().filter_map(|c| c.id).collect())
    }

    /// One container's snapshot, with its exec sessions.
    pub async fn container_snapshot(&self, name: &str, last_cap: u8) -> Result<ContainerSnapshot, EngineError> {
        let inspected = self.inspect_container(name).await?;
        let value = serde_json::to_value(&inspected).map_err(|e| request_error(&format!("container {name}"), e))?;
        let raw: RawContainer =
            serde_json::from_value(value).map_err(|e| request_error(&format!("container {name}"), e))?;
        let exec_ids = raw.exec_ids.clone().unwrap_or_default();
        let mut snapshot = snapshot_from_raw(raw, last_cap);
        for exec_id in exec_ids {
            // An exec that ended and was garbage-collected meanwhile is simply gone.
            if let Ok(exec) = self.docker.inspect_exec(&exec_id).await {
                let process = exec.process_config.unwrap_or_default();
                snapshot.execs.push(ExecSession {
                    id: exec_id,
                    privileged: process.privileged.unwrap_or(false),
                    user: process.user.unwrap_or_default(),
                    running: exec.running.unwrap_or(false),
                });
            }
        }
        Ok(snapshot)
    }

    /// Snapshots of `names` (every container when empty), sorted by name. A
    /// container that disappears between list and inspect becomes a warning;
    /// a name the user gave that does not exist is an error.
    pub async fn collect_containers(&self, names: &[String], last_cap: u8) -> Result<Collected, EngineError> {
        if names.is_empty() {
            let ids = self.list_container_ids().await?;
            return self.collect_listed(ids, last_cap).await;
        }
        self.collect(names.to_vec(), false, last_cap).await
    }

    /// Snapshots of containers the engine listed a moment ago: one removed
    /// since is skipped with a warning.
    pub async fn collect_listed(&self, ids: Vec<String>, last_cap: u8) -> Result<Collected, EngineError> {
        self.collect(ids, true, last_cap).await
    }

    async fn collect(&self, targets: Vec<String>, listed: bool, last_cap: u8) -> Result<Collected, EngineError> {
        let results: Vec<(String, Result<ContainerSnapshot, EngineError>)> = stream::iter(targets)
            .map(|target| async move {
                let result = self.container_snapshot(&target, last_cap).await;
                (target, result)
            })
            .buffered(CONCURRENT_INSPECTS)
            .collect()
            .await;
        let mut collected = Collected::default();
        for (target, result) in results {
            match result {
                Ok(snapshot) => collected.containers.push(snapshot),
                Err(EngineError::NoSuchContainer(_)) if listed => collected.warnings.push(format!(
                    "container {} was removed while the audit ran: skipped",
                    short_id(&target)
                )),
                Err(e) => return Err(e),
            }
        }
        collected
            .containers
            .sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        Ok(collected)
    }

    /// The engine kernel's `cap_last_cap` when the engine is local (unix socket), else None.
    pub fn cap_last_cap(&self) -> Option<u8> {
        if self.endpoint.starts_with("unix://") || self.endpoint.starts_with('/') {
            local_cap_last_cap()
        } else {
            None
        }
    }

    /// The host's posture from `info`, `version` and the default bridge network.
    pub async fn host_snapshot(&self) -> Result<HostSnapshot, EngineError> {
        let network_options = None::<bollard::query_parameters::InspectNetworkOptions>;
        let (info, version, bridge) = futures_util::join!(
            self.docker.info(),
            self.docker.version(),
            self.docker.inspect_network("bridge", network_options)
        );
        let info = info.map_err(|e| request_error("info", e))?;
        let version = version.map_err(|e| request_error("version", e))?;
        let info_value = serde_json::to_value(&info).map_err(|e| request_error("info", e))?;
        let (bridge, bridge_error) = match bridge {
            Ok(n) => (serde_json::to_value(n).ok(), None),
            // No default bridge at all (`--bridge none`): a fact, not a failure.
            Err(bollard::errors::Error::DockerResponseServerError { status_code: 404, .. }) => (None, None),
            Err(e) => (None, Some(crate::engine_message(&e))),
        };
        let mut host = host_from_info(&info_value, bridge.as_ref());
        if let Some(e) = bridge_error {
            host.unread.push(format!(
                "the default bridge network (GET /networks/bridge: {e}): inter-container communication on the default bridge (VGI-HOST-003) not evaluated"
            ));
        }
        host.endpoint = self.endpoint.clone();
        host.api_version = version.api_version.unwrap_or_default();
        if host.server_version.is_empty() {
            host.server_version = version.version.unwrap_or_default();
        }
        host.cap_last_cap = self.cap_last_cap();
        Ok(host)
    }
}

fn short_id(id: &str) -> String {
    if id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        id[..12].to_string()
    } else {
        id.to_string()
    }
}
