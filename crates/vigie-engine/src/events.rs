//! The engine's event stream, reduced to the container lifecycle events
//! `vigie watch` audits, plus the reconnect backoff used when the engine goes away.

use futures_util::{Stream, StreamExt};
use serde::Serialize;
use std::collections::HashMap;
use std::time::Duration;

use crate::{Engine, EngineError};

/// Actions `vigie watch` reacts to.
pub const WATCHED_ACTIONS: &[&str] = &["create", "start", "update"];

/// One container event, plain data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContainerEvent {
    pub action: String,
    pub id: String,
    pub name: String,
    pub image: String,
    /// Nanoseconds since the epoch, as the engine stamped it.
    pub time_nano: i64,
}

impl Engine {
    /// Container create/start/update events from `since` (unix seconds) on, or from now;
    /// only containers carrying every `labels` entry (`KEY` or `KEY=VALUE`) when given.
    /// With `until` the engine sends the events of that window and ends the
    /// stream (a bounded query, for checking a live stream has missed none).
    pub fn container_events(
        &self,
        since: Option<i64>,
        until: Option<i64>,
        labels: &[String],
    ) -> impl Stream<Item = Result<ContainerEvent, EngineError>> + use<> {
        let mut filters: HashMap<&str, Vec<&str>> = HashMap::new();
        filters.insert("type", vec!["container"]);
        filters.insert("event", WATCHED_ACTIONS.to_vec());
        if !labels.is_empty() {
            filters.insert("label", labels.iter().map(String::as_str).collect());
        }
        let mut builder = bollard::query_parameters::EventsOptionsBuilder::default().filters(&filters);
        if let Some(since) = since {
            builder = builder.since(&since.to_string());
        }
        if let Some(until) = until {
            builder = builder.until(&until.to_string());
        }
        let endpoint = self.endpoint.clone();
        self.docker.events(Some(builder.build())).map(move |r| match r {
            Ok(m) => {
                let actor = m.actor.unwrap_or_default();
                let attributes = actor.attributes.unwrap_or_default();
                Ok(ContainerEvent {
                    // "exec_start: sh" style actions carry a suffix.
                    action: m
                        .action
                        .unwrap_or_default()
                        .split(':')
                        .next()
                        .unwrap_or_default()
                        .to_string(),
                    id: actor.id.unwrap_or_default(),
                    name: attributes.get("name").cloned().unwrap_or_default(),
                    image: attributes.get("image").cloned().unwrap_or_default(),
                    time_nano: m.time_nano.or(m.time.map(|t| t * 1_000_000_000)).unwrap_or(0),
                })
            }
            Err(e) => Err(EngineError::Unreachable {
                endpoint: endpoint.clone(),
                reason: format!("event stream: {e}"),
            }),
        })
    }
}

/// Exponential backoff between reconnects: 250 ms doubling to a 30 s ceiling, reset on success.
#[derive(Debug, Clone)]
pub struct Backoff {
    next: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { next: Self::FIRST }
    }
}

impl Backoff {
    const FIRST: Duration = Duration::from_millis(250);
    const CEILING: Duration = Duration::from_secs(30);

    /// The delay to wait now; the following one doubles.
    pub fn next_delay(&mut self) -> Duration {
        let delay = self.next;
        self.next = (self.next * 2).min(Self::CEILING);
        delay
    }

    pub fn reset(&mut self) {
        self.next = Self::FIRST;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_a_ceiling_and_resets() {
        let mut b = Backoff::default();
        let delays: Vec<u128> = (0..10).map(|_| b.next_delay().as_millis()).collect();
        assert_eq!(&delays[..4], &[250, 500, 1000, 2000]);
        assert_eq!(delays[9], 30_000);
        b.reset();
        assert_eq!(b.next_delay().as_millis(), 250);
    }
}
