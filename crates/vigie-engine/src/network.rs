//! Network isolation of one container (`vigie isolate`): what it was
//! attached to (kept so it can be restored), disconnecting it from every
//! network, reconnecting it, and the interface counters that prove traffic
//! stopped (`/proc/PID/net/dev` of the container's init process, read from
//! the engine's host).

use bollard::models::{EndpointIpamConfig, EndpointSettings, NetworkConnectRequest, NetworkDisconnectRequest};
use serde::{Deserialize, Serialize};

use crate::{Engine, EngineError};

/// One network a container was attached to, enough to reattach it the same way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub network: String,
    pub network_id: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Only when the user pinned it (`--ip`); otherwise IPAM picks one again.
    #[serde(default)]
    pub ipv4_address: Option<String>,
    /// The address it had, for the record.
    #[serde(default)]
    pub had_address: String,
}

/// What `vigie isolate` removed, stored so `--restore` works after a restart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IsolationRecord {
    pub container_id: String,
    pub container_name: String,
    pub attachments: Vec<Attachment>,
    /// Unix seconds.
    pub isolated_at: u64,
}

/// Counters of one interface.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InterfaceCounters {
    pub name: String,
    pub rx_bytes: u64,
    pub tx_bytes: u64,
    pub rx_packets: u64,
    pub tx_packets: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum NetworkError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(
        "container {container} uses network mode '{mode}', which cannot be disconnected (recreate it with --network none)"
    )]
    SharedNamespace { container: String, mode: String },
    #[error("container {0} is not running: its network counters cannot be read")]
    NotRunning(String),
    #[error("cannot read {path}: {reason}")]
    Counters { path: String, reason: String },
    #[error("{what} for container {container} failed: {reason}")]
    Request {
        what: String,
        container: String,
        reason: String,
    },
}

/// Parse `/proc/net/dev`: every interface with its byte and packet counters.
pub fn parse_net_dev(text: &str) -> Vec<InterfaceCounters> {
    let mut out = Vec::new();
    for line in text.lines().skip(2) {
        let Some((name, rest)) = line.split_once(':') else {
            continue;
        };
        let fields: Vec<u64> = rest.split_whitespace().filter_map(|f| f.parse().ok()).collect();
        if fields.len() < 10 {
            continue;
        }
        out.push(InterfaceCounters {
            name: name.trim().to_string(),
            rx_bytes: fields[0],
            rx_packets: fields[1],
            tx_bytes: fields[8],
            tx_packets: fields[9],
        });
    }
    out
}

/// Bytes received and sent on every interface but loopback.
pub fn external_totals(counters: &[InterfaceCounters]) -> (u64, u64) {
    counters
        .iter()
        .filter(|c| c.name != "lo")
        .fold((0u64, 0u64), |(rx, tx), c| {
            (rx.saturating_add(c.rx_bytes), tx.saturating_add(c.tx_bytes))
        })
}

impl Engine {
    /// The networks a container is attached to, and its init process id (0 when not running).
    pub async fn attachments(&self, container: &str) -> Result<(IsolationRecord, i64), NetworkError> {
        let inspected = self.inspect_container(container).await?;
        let id = inspected.id.clone().unwrap_or_default();
        let name = inspected
            .name
            .as_deref()
            .unwrap_or(container)
            .trim_start_matches('/')
            .to_string();
        let mode = inspected
            .host_config
            .as_ref()
            .and_then(|h| h.network_mode.clone())
            .unwrap_or_default();
        if mode == "host" || mode.starts_with("container:") {
            return Err(NetworkError::SharedNamespace { container: name, mode });
        }
        let pid = inspected.state.as_ref().and_then(|s| s.pid).unwrap_or(0);
        let networks = inspected.network_settings.and_then(|n| n.networks).unwrap_or_default();
        let mut attachments: Vec<Attachment> = networks
            .into_iter()
            .filter(|(net, _)| net != "none")
            .map(|(network, e)| Attachment {
                network_id: e.network_id.clone().unwrap_or_default(),
                // Docker adds the short id as an alias on user networks; it comes back by itself.
                aliases: e
                    .aliases
                    .clone()
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|a| !id.starts_with(a.as_str()))
                    .collect(),
                ipv4_address: e
                    .ipam_config
                    .as_ref()
                    .and_then(|c| c.ipv4_address.clone())
                    .filter(|a| !a.is_empty()),
                had_address: e.ip_address.clone().unwrap_or_default(),
                network,
            })
            .collect();
        attachments.sort_by(|a, b| a.network.cmp(&b.network));
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Ok((
            IsolationRecord {
                container_id: id,
                container_name: name,
                attachments,
                isolated_at: now,
            },
            pid,
        ))
    }

    /// Interface counters inside the container's network namespace, with
    /// where they came from: `/proc/PID/net/dev` when the engine shares this
    /// host's pid namespace, else `cat /proc/net/dev` run in the container
    /// (an exec), else the engine's stats (which never list `lo`).
    pub async fn interface_counters(
        &self,
        container: &str,
        pid: i64,
    ) -> Result<(Vec<InterfaceCounters>, &'static str), NetworkError> {
        if pid <= 0 {
            return Err(NetworkError::NotRunning(container.to_string()));
        }
        if let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/net/dev")) {
            return Ok((parse_net_dev(&text), "/proc/PID/net/dev"));
        }
        if let Some(text) = self.exec_output(container, &["cat", "/proc/net/dev"]).await {
            let parsed = parse_net_dev(&text);
            if !parsed.is_empty() {
                return Ok((parsed, "exec cat /proc/net/dev"));
            }
        }
        let options = bollard::query_parameters::StatsOptionsBuilder::default()
            .stream(false)
            .one_shot(true)
            .build();
        let mut stream = self.docker.stats(container, Some(options));
        match futures_util::StreamExt::next(&mut stream).await {
            Some(Ok(s)) => {
                let mut out: Vec<InterfaceCounters> = s
                    .networks
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(name, n)| InterfaceCounters {
                        name,
                        rx_bytes: n.rx_bytes.unwrap_or(0),
                        tx_bytes: n.tx_bytes.unwrap_or(0),
                        rx_packets: n.rx_packets.unwrap_or(0),
                        tx_packets: n.tx_packets.unwrap_or(0),
                    })
                    .collect();
                out.sort_by(|a, b| a.name.cmp(&b.name));
                Ok((out, "engine stats"))
            }
            Some(Err(e)) => Err(self.container_error(container, e).into()),
            None => Err(NetworkError::Counters {
                path: format!("stats of {container}"),
                reason: "the engine sent no sample".to_string(),
            }),
        }
    }

    /// Stdout of a short command run in the container, or None when it cannot run.
    async fn exec_output(&self, container: &str, cmd: &[&str]) -> Option<String> {
        let config = bollard::exec::CreateExecOptions {
            cmd: Some(cmd.iter().map(|c| c.to_string()).collect::<Vec<String>>()),
            attach_stdout: Some(true),
            attach_stderr: Some(false),
            ..Default::default()
        };
        let exec = self.docker.create_exec(container, config).await.ok()?;
        let started = self.docker.start_exec(&exec.id, None).await.ok()?;
        let bollard::exec::StartExecResults::Attached { mut output, .. } = started else {
            return None;
        };
        let mut text = String::new();
        while let Some(Ok(chunk)) = futures_util::StreamExt::next(&mut output).await {
            if let bollard::container::LogOutput::StdOut { message } = chunk {
                text.push_str(&String::from_utf8_lossy(&message));
            }
        }
        let inspected = self.docker.inspect_exec(&exec.id).await.ok()?;
        (inspected.exit_code == Some(0)).then_some(text)
    }

    pub async fn disconnect(&self, container_id: &str, network: &str) -> Result<(), NetworkError> {
        self.docker
            .disconnect_network(
                network,
                NetworkDisconnectRequest {
                    container: container_id.to_string(),
                    force: Some(true),
                },
            )
            .await
            .map_err(|e| NetworkError::Request {
                what: format!("disconnect from network {network}"),
                container: container_id.to_string(),
                reason: e.to_string(),
            })
    }

    pub async fn reconnect(&self, container_id: &str, attachment: &Attachment) -> Result<(), NetworkError> {
        let endpoint = EndpointSettings {
            aliases: (!attachment.aliases.is_empty()).then(|| attachment.aliases.clone()),
            ipam_config: attachment.ipv4_address.as_ref().map(|ip| EndpointIpamConfig {
                ipv4_address: Some(ip.clone()),
                ..Default::default()
            }),
            ..Default::default()
        };
        let target = if attachment.network_id.is_empty() {
            &attachment.network
        } else {
            &attachment.network_id
        };
        self.docker
            .connect_network(
                target,
                NetworkConnectRequest {
                    container: container_id.to_string(),
                    endpoint_config: Some(endpoint),
                },
            )
            .await
            .map_err(|e| NetworkError::Request {
                what: format!("connect to network {}", attachment.network),
                container: container_id.to_string(),
                reason: e.to_string(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NET_DEV: &str = "Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     168       2    0    0    0     0          0         0      168       2    0    0    0     0       0          0
  eth0:    9286      95    0    0    0     0          0         0     7812      80    0    0    0     0       0          0
";

    #[test]
    fn parses_proc_net_dev() {
        let c = parse_net_dev(NET_DEV);
        assert_eq!(c.len(), 2);
        assert_eq!(c[1].name, "eth0");
        assert_eq!(
            (c[1].rx_bytes, c[1].rx_packets, c[1].tx_bytes, c[1].tx_packets),
            (9286, 95, 7812, 80)
        );
        assert_eq!(external_totals(&c), (9286, 7812));
        assert!(parse_net_dev("garbage\n\nx: 1 2").is_empty());
    }

    proptest::proptest! {
        #[test]
        fn net_dev_parser_never_panics(text in "\\PC*(\n\\PC*){0,6}") {
            let counters = parse_net_dev(&text);
            let _ = external_totals(&counters);
        }

        #[test]
        fn net_dev_round_trips(rx in proptest::num::u64::ANY, tx in proptest::num::u64::ANY, name in "[a-z][a-z0-9]{0,10}") {
            let text = format!("h\nh\n{name}: {rx} 1 0 0 0 0 0 0 {tx} 2 0 0 0 0 0 0\n");
            let c = parse_net_dev(&text);
            proptest::prop_assert_eq!(c.len(), 1);
            proptest::prop_assert_eq!((c[0].rx_bytes, c[0].tx_bytes), (rx, tx));
        }
    }

    #[test]
    fn record_round_trips() {
        let r = IsolationRecord {
            container_id: "abc".into(),
            container_name: "web".into(),
            attachments: vec![Attachment {
                network: "lab".into(),
                network_id: "n1".into(),
                aliases: vec!["web".into()],
                ipv4_address: None,
                had_address: "172.18.0.2".into(),
            }],
            isolated_at: 1,
        };
        let text = serde_json::to_string(&r).unwrap();
        assert_eq!(serde_json::from_str::<IsolationRecord>(&text).unwrap(), r);
    }
}
