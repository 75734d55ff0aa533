//! `vigie watch`: follow the engine's event stream and audit each container
//! the moment it is created, started or updated (the same rules as `vigie
//! audit`); print findings as they happen; with `--enforce stop|pause`, stop
//! or pause a started container with a finding at or above `--fail-on`. The
//! stream is resumed with backoff when the engine goes away (from the last
//! event seen, so nothing is missed); SIGINT/SIGTERM end it cleanly.
//!
//! It fails closed: a container that cannot be inspected is an alert and,
//! with `--enforce`, is stopped or paused (`--enforce-on-error allow` only
//! alerts); a stream that stalls while its connection stays open is found by
//! asking the engine, every `--stall-check` seconds, for the window's events
//! in a bounded query — any the stream did not deliver means it is stuck, and
//! it is reconnected with replay. Each event is handled once (a bounded set
//! of the events seen).

use futures_util::StreamExt;
use serde::Serialize;
use std::collections::{HashMap, HashSet, VecDeque};
use std::io::Write;
use std::path::PathBuf;

use vigie_engine::Engine;
use vigie_engine::events::{Backoff, ContainerEvent};
use vigie_report::watch::{EnforceLine, FindingLine};
use vigie_rules::audit::catalogue as audit_catalogue;
use vigie_rules::policy::{self, Acceptance, Selection, apply_acceptances};
use vigie_rules::{Finding, Severity};
use vigie_snapshot::HostSnapshot;

use crate::cli::GlobalArgs;
use crate::commands::run::posture_with;
use crate::commands::stats::now_rfc3339;
use crate::exit::Outcome;

#[derive(Debug, clap::Args)]
#[command(
    about = "Audit each container as it is created, started or updated; alert, or stop/pause it with --enforce",
    long_about = "Follow the engine's events and audit each container on create, start and update with the \
`vigie audit` rules. Findings are printed as they happen (a human line per finding, or JSON lines). \
With --enforce stop|pause, a started container with a finding at or above --fail-on is stopped or \
paused, with a line saying exactly which rules caused it. The event stream is resumed with backoff \
when the engine restarts. SIGINT or SIGTERM end the watch (exit 0).",
    after_help = "Examples:\n  vigie watch\n  vigie watch --format json >> findings.jsonl\n  \
vigie watch --fail-on critical --enforce stop"
)]
pub struct Args {
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Severity at or above which a finding is a violation (critical, high, medium, low, info)
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,
    /// Stop or pause a started container that has a violation (requires --fail-on)
    #[arg(long, value_enum, requires = "fail_on")]
    pub enforce: Option<Enforce>,
    /// Only containers with this label (KEY or KEY=VALUE; repeat: all must match)
    #[arg(long = "label", value_name = "KEY[=VALUE]")]
    pub labels: Vec<String>,
    /// Only print findings at or above this severity (default: all)
    #[arg(long, value_name = "SEVERITY")]
    pub min_severity: Option<Severity>,
    /// Only these rules (comma-separated ids; a trailing * matches a prefix), as `vigie audit --rules`
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub rules: Vec<String>,
    /// Skip these rules (same syntax as --rules)
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub skip_rules: Vec<String>,
    /// The `vigie audit` config file (TOML): its rule selection and accepted risks apply here too, so an
    /// accepted risk is never stopped or paused
    #[arg(long, value_name = "FILE", env = "VIGIE_CONFIG")]
    pub config: Option<PathBuf>,
    /// With --enforce, what to do with a started container that cannot be inspected: enforce (stop or
    /// pause it: fail closed) or allow (alert only)
    #[arg(long, value_enum, default_value_t = OnError::Enforce, value_name = "ACTION")]
    pub enforce_on_error: OnError,
    /// Seconds between checks that the event stream has missed nothing (a bounded query of the engine's events)
    #[arg(long, default_value_t = 5.0, value_name = "SECONDS")]
    pub stall_check: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OnError {
    Enforce,
    Allow,
}

/// The events already handled, so a replay after a reconnect handles each
/// once; bounded (the oldest forgotten first).
#[derive(Default)]
struct Seen {
    set: HashSet<(String, String, i64)>,
    order: VecDeque<(String, String, i64)>,
}

impl Seen {
    const LIMIT: usize = 8192;

    fn key(e: &ContainerEvent) -> (String, String, i64) {
        (e.id.clone(), e.action.clone(), e.time_nano)
    }

    fn contains(&self, e: &ContainerEvent) -> bool {
        self.set.contains(&Self::key(e))
    }

    /// True when the event is new (and now remembered).
    fn insert(&mut self, e: &ContainerEvent) -> bool {
        let key = Self::key(e);
        if !self.set.insert(key.clone()) {
            return false;
        }
        self.order.push_back(key);
        if self.order.len() > Self::LIMIT
            && let Some(old) = self.order.pop_front()
        {
            self.set.remove(&old);
        }
        true
    }
}

/// Rule selection and accepted risks, decided once from the flags and the config file.
struct Policy {
    selection: Selection,
    accept: Vec<Acceptance>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Enforce {
    Stop,
    Pause,
}

fn unix_nanos() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0)
}

fn out(line: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{line}");
    let _ = stdout.flush();
}

fn note(line: &str) {
    let _ = writeln!(
        std::io::stderr().lock(),
        "vigie ▸ {}",
        vigie_report::sanitize::visible(line)
    );
}

pub fn run(args: Args, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    let config = policy::load_config(args.config.as_deref())?;
    let selection = Selection::merged(&args.rules, &args.skip_rules, &config.audit);
    selection.validate(audit_catalogue(), "vigie audit --list-rules")?;
    let policy = Policy {
        selection,
        accept: config.audit.accept,
    };
    let runtime = crate::cli::runtime()?;
    runtime.block_on(async {
        let stop = stop_signal();
        tokio::pin!(stop);
        tokio::select! {
            result = watch(&args, &policy, global) => result,
            name = &mut stop => {
                note(&format!("watch stopped ({name})"));
                Ok(Outcome::Clean)
            }
        }
    })
}

async fn stop_signal() -> &'static str {
    use tokio::signal::unix::{SignalKind, signal};
    match (signal(SignalKind::interrupt()), signal(SignalKind::terminate())) {
        (Ok(mut int), Ok(mut term)) => tokio::select! {
            _ = int.recv() => "SIGINT",
            _ = term.recv() => "SIGTERM",
        },
        _ => std::future::pending().await,
    }
}

async fn watch(args: &Args, policy: &Policy, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    if !(args.stall_check >= 0.5 && args.stall_check.is_finite()) {
        anyhow::bail!("--stall-check {}: give at least 0.5 seconds", args.stall_check);
    }
    let mut seen = Seen::default();
    let mut backoff = Backoff::default();
    let mut since: Option<i64> = None;
    // What was printed last per container, so create+start do not print twice.
    let mut printed: HashMap<String, Vec<String>> = HashMap::new();
    let mut first = true;
    loop {
        let connected = match Engine::connect(global.engine.as_deref()).await {
            Ok(engine) => match engine.host_snapshot().await {
                Ok(host) => Ok((engine, host)),
                Err(e) => Err(anyhow::Error::from(e)),
            },
            Err(e) => Err(e.into()),
        };
        let (engine, host) = match connected {
            Ok(c) => c,
            // An engine down at the very start is an operational error (exit 2).
            Err(e) if first => return Err(e),
            Err(e) => {
                let delay = backoff.next_delay();
                note(&format!(
                    "engine unreachable ({e:#}); retrying in {} ms",
                    delay.as_millis()
                ));
                tokio::time::sleep(delay).await;
                continue;
            }
        };
        note(&format!(
            "watching {} (container create, start, update){}",
            engine.endpoint,
            match (args.enforce, args.fail_on) {
                (Some(e), Some(s)) => format!(", enforcing {:?} at {}", e, s.as_str()).to_lowercase(),
                _ => String::new(),
            }
        ));
        first = false;
        // Replay from here after a reconnect even if no event came before the
        // stream was lost: containers created during the outage are audited.
        let connected_at = unix_nanos() / 1_000_000_000;
        let mut events = Box::pin(engine.container_events(since, None, &args.labels));
        let mut check = tokio::time::interval(std::time::Duration::from_secs_f64(args.stall_check));
        check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        check.tick().await;
        let mut checked_from = since.unwrap_or(connected_at);
        loop {
            tokio::select! {
                next = events.next() => match next {
                    Some(Ok(event)) => {
                        backoff.reset();
                        since = Some(event.time_nano / 1_000_000_000);
                        if seen.insert(&event) {
                            handle(&engine, &host, &event, args, policy, &mut printed).await;
                        }
                    }
                    Some(Err(e)) => {
                        note(&format!("event stream lost: {e}"));
                        break;
                    }
                    None => {
                        note("event stream ended");
                        break;
                    }
                },
                _ = check.tick() => {
                    match missed_events(&engine, checked_from, &args.labels, &seen).await {
                        Ok((missed, next_from)) if missed.is_empty() => checked_from = next_from,
                        Ok((missed, _)) => {
                            note(&format!(
                                "event stream stalled: the engine has {} event(s) it did not deliver; handling them, reconnecting",
                                missed.len()
                            ));
                            // Handled from the query itself, so a stream that stays stuck
                            // still lets nothing through unaudited.
                            for event in &missed {
                                since = Some(since.unwrap_or(0).max(event.time_nano / 1_000_000_000));
                                if seen.insert(event) {
                                    handle(&engine, &host, event, args, policy, &mut printed).await;
                                }
                            }
                            break;
                        }
                        Err(e) => {
                            note(&format!("event stream check failed: {e}"));
                            break;
                        }
                    }
                }
            }
        }
        since = since.or(Some(connected_at));
        let delay = backoff.next_delay();
        note(&format!("reconnecting in {} ms", delay.as_millis()));
        tokio::time::sleep(delay).await;
    }
}

/// The events of `[from, now - 2 s]` the stream did not deliver (an
/// event gets 2 s to arrive on the live stream), and where the next check
/// starts. A bounded query: the engine sends the window and ends.
async fn missed_events(
    engine: &Engine,
    from: i64,
    labels: &[String],
    seen: &Seen,
) -> anyhow::Result<(Vec<ContainerEvent>, i64)> {
    let until = unix_nanos() / 1_000_000_000 - 2;
    if until <= from {
        return Ok((Vec::new(), from));
    }
    let query = engine
        .container_events(Some(from), Some(until), labels)
        .collect::<Vec<_>>();
    let events = tokio::time::timeout(std::time::Duration::from_secs(10), query)
        .await
        .map_err(|_| anyhow::anyhow!("the engine did not answer the events query in 10 s"))?;
    let mut missed = Vec::new();
    for event in events {
        let event = event?;
        if !seen.contains(&event) {
            missed.push(event);
        }
    }
    // The window's last second is asked again next time (events of one
    // second may straddle the boundary); `seen` makes that harmless.
    Ok((missed, until))
}

async fn handle(
    engine: &Engine,
    host: &HostSnapshot,
    event: &ContainerEvent,
    args: &Args,
    policy: &Policy,
    printed: &mut HashMap<String, Vec<String>>,
) {
    let (snapshot, mut findings) = match posture_with(engine, &event.id, host).await {
        Ok(p) => p,
        Err(e) => {
            // Removed meanwhile (`docker run --rm` of a short command): nothing to audit.
            if matches!(
                e.downcast_ref::<vigie_engine::EngineError>(),
                Some(vigie_engine::EngineError::NoSuchContainer(_))
            ) {
                return;
            }
            unaudited(engine, event, args, &format!("{e:#}")).await;
            return;
        }
    };
    findings.retain(|f| policy.selection.wants(&f.rule_id));
    // Accepted risks stay visible, marked, and never count as violations.
    for e in apply_acceptances(&mut findings, &policy.accept, policy::today()) {
        note(&format!(
            "accepted risk {} expired on {}: {} finding(s) count again",
            e.acceptance.rule,
            e.acceptance.expires.as_deref().unwrap_or(""),
            e.count
        ));
    }
    let shown: Vec<&Finding> = findings
        .iter()
        .filter(|f| args.min_severity.is_none_or(|m| f.severity >= m))
        .collect();
    let fingerprint: Vec<String> = shown.iter().map(|f| format!("{} {}", f.rule_id, f.message)).collect();
    let name = if snapshot.name.is_empty() {
        event.name.clone()
    } else {
        snapshot.name.clone()
    };
    if printed.get(&event.id) != Some(&fingerprint) {
        let now = unix_nanos();
        match args.format {
            Format::Json => {
                for f in &shown {
                    let line = FindingLine {
                        time: now_rfc3339(),
                        event_time_nano: event.time_nano,
                        printed_time_nano: now,
                        event: &event.action,
                        container: &name,
                        id: &event.id,
                        finding: f,
                    };
                    if let Ok(text) = line.to_json() {
                        out(&text);
                    }
                }
            }
            Format::Table => {
                let clock = now_rfc3339();
                let time = clock.get(11..19).unwrap_or(&clock);
                for line in vigie_report::watch::finding_lines(time, &event.action, &name, &snapshot.image, &shown) {
                    out(&line);
                }
            }
        }
        printed.insert(event.id.clone(), fingerprint);
    }
    let (Some(enforce), Some(threshold)) = (args.enforce, args.fail_on) else {
        return;
    };
    if event.action != "start" && event.action != "update" {
        return;
    }
    let violations: Vec<&Finding> = findings.iter().filter(|f| f.counts_at(threshold)).collect();
    if violations.is_empty() || snapshot.state != "running" {
        return;
    }
    let rules: Vec<&str> = violations.iter().map(|f| f.rule_id.as_ref()).collect();
    let result = match enforce {
        Enforce::Stop => {
            let options = bollard::query_parameters::StopContainerOptionsBuilder::default()
                .t(2)
                .build();
            engine.docker.stop_container(&event.id, Some(options)).await
        }
        Enforce::Pause => engine.docker.pause_container(&event.id).await,
    };
    let result_text = match &result {
        Ok(()) => "ok".to_string(),
        Err(e) => format!("failed: {}", vigie_engine::engine_message(e)),
    };
    match args.format {
        Format::Json => {
            let line = EnforceLine {
                time: now_rfc3339(),
                enforce: match enforce {
                    Enforce::Stop => "stop",
                    Enforce::Pause => "pause",
                },
                container: &name,
                id: &event.id,
                rules: rules.clone(),
                result: result_text,
            };
            if let Ok(text) = line.to_json() {
                out(&text);
            }
        }
        Format::Table => out(&vigie_report::watch::enforce_line(
            match enforce {
                Enforce::Stop => "stop",
                Enforce::Pause => "pause",
            },
            &name,
            &violations,
            threshold,
            &result_text,
        )),
    }
}

/// A container that could not be inspected: an alert, and with `--enforce`
/// (unless `--enforce-on-error allow`) a started one is stopped or paused —
/// what cannot be audited is not let run.
async fn unaudited(engine: &Engine, event: &ContainerEvent, args: &Args, error: &str) {
    let name = if event.name.is_empty() {
        event.id.clone()
    } else {
        event.name.clone()
    };
    let enforce = match (args.enforce, args.fail_on) {
        (Some(e), Some(_))
            if args.enforce_on_error == OnError::Enforce && matches!(event.action.as_str(), "start" | "update") =>
        {
            Some(e)
        }
        _ => None,
    };
    let result = match enforce {
        Some(Enforce::Stop) => {
            let options = bollard::query_parameters::StopContainerOptionsBuilder::default()
                .t(2)
                .build();
            Some(engine.docker.stop_container(&event.id, Some(options)).await)
        }
        Some(Enforce::Pause) => Some(engine.docker.pause_container(&event.id).await),
        None => None,
    };
    let result_text = result.map(|r| match r {
        Ok(()) => "ok".to_string(),
        Err(e) => format!("failed: {}", vigie_engine::engine_message(&e)),
    });
    let action = enforce.map(|e| match e {
        Enforce::Stop => "stop",
        Enforce::Pause => "pause",
    });
    match args.format {
        Format::Json => {
            let line = serde_json::json!({
                "time": now_rfc3339(),
                "event": event.action,
                "container": name,
                "id": event.id,
                "error": format!("cannot audit: {error}"),
                "enforce": action,
                "result": result_text,
            });
            out(&line.to_string());
        }
        Format::Table => {
            let clock = now_rfc3339();
            let time = clock.get(11..19).unwrap_or(&clock);
            let mut line = format!(
                "{time} {} {}: ALERT cannot audit: {}",
                event.action,
                vigie_report::sanitize::visible(&name),
                vigie_report::sanitize::visible(error)
            );
            if let (Some(a), Some(r)) = (action, &result_text) {
                line.push_str(&format!(" → {a} ({r}, --enforce-on-error enforce)"));
            }
            out(&line);
        }
    }
}
