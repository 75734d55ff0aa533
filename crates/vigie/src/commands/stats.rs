//! `vigie stats [CONTAINER…]`: live resource usage of running containers, as
//! a refreshing table or JSON lines, from the engine's stats streams (one per
//! container, as `docker stats` does). CPU % and memory are computed exactly
//! as the docker CLI computes them (see vigie_engine::stats). Containers that
//! start during the run are added at the next tick; those that stop drop out.

use anyhow::bail;
use futures_util::StreamExt;
use std::collections::{BTreeMap, HashMap};
use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use vigie_engine::Engine;
use vigie_engine::stats::StatsSample;

use crate::cli::GlobalArgs;
use crate::exit::Outcome;

#[derive(Debug, clap::Args)]
#[command(
    about = "Live CPU, memory, network, block I/O and PIDs of running containers",
    long_about = "Live resource usage of running containers (all of them, or the ones named): CPU %, memory \
usage/limit/%, network rx/tx totals and rates, block I/O, PIDs. CPU % is computed as docker does: \
cpu_delta / system_delta × online CPUs × 100, on cgroup v1 and v2. Containers that start or stop \
during the run are added or dropped.",
    after_help = "Examples:\n  vigie stats\n  vigie stats --no-stream web db\n  vigie stats --format json --interval 5 > usage.jsonl"
)]
pub struct Args {
    /// Containers (names or ids); default: every running container
    #[arg(value_name = "CONTAINER")]
    pub containers: Vec<String>,
    /// Print one sample and exit
    #[arg(long)]
    pub no_stream: bool,
    /// Output format: a table, or JSON lines (one object per container per interval, with a timestamp)
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Seconds between refreshes
    #[arg(long, default_value_t = 1.0, value_name = "SECONDS")]
    pub interval: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
}

/// Each followed container's latest sample and when it arrived.
type Shared = Arc<Mutex<HashMap<String, (StatsSample, Instant)>>>;

/// A stream that has sent nothing for this long (at least 3 s, or three
/// refresh intervals) is stale: its numbers are not live.
fn stale_after(interval: f64) -> Duration {
    Duration::from_secs_f64((interval * 3.0).max(3.0))
}

pub fn run(args: Args, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    if !(args.interval >= 0.1 && args.interval.is_finite()) {
        bail!("--interval {}: give at least 0.1 seconds", args.interval);
    }
    let runtime = crate::cli::runtime()?;
    runtime.block_on(async {
        let engine = Engine::connect(global.engine.as_deref()).await?;
        if args.no_stream {
            once(&engine, &args).await
        } else {
            live(&engine, &args).await
        }
    })?;
    Ok(Outcome::Clean)
}

/// The running containers to follow: the named ones (an unknown name is an error) or all.
async fn targets(engine: &Engine, names: &[String], strict: bool) -> anyhow::Result<Vec<(String, String)>> {
    let running = engine.running_containers().await?;
    if names.is_empty() {
        return Ok(running);
    }
    let mut out = Vec::new();
    for wanted in names {
        let found = running
            .iter()
            .find(|(name, id)| name == wanted || (wanted.len() >= 3 && id.starts_with(wanted.as_str())));
        match found {
            Some(t) => out.push(t.clone()),
            None if strict => {
                // Distinguish "stopped" from "does not exist".
                let inspected = engine.inspect_container(wanted).await?;
                let state = inspected
                    .state
                    .and_then(|s| s.status)
                    .map(|s| s.to_string())
                    .unwrap_or_default();
                bail!("container {wanted} is not running (state {state})");
            }
            None => {}
        }
    }
    Ok(out)
}

async fn once(engine: &Engine, args: &Args) -> anyhow::Result<()> {
    let list = targets(engine, &args.containers, true).await?;
    let results = futures_util::future::join_all(list.iter().map(|(_, id)| engine.stats_once(id))).await;
    let mut samples = Vec::new();
    for ((name, _), r) in list.iter().zip(results) {
        match r {
            Ok(mut s) => {
                if s.name.is_empty() {
                    s.name = name.clone();
                }
                samples.push(s);
            }
            // Stopped between list and stats: not an error when following all.
            Err(e) if args.containers.is_empty() => {
                let _ = writeln!(std::io::stderr(), "vigie: warning: {e}");
            }
            Err(e) => return Err(e.into()),
        }
    }
    let mut rates = Rates::default();
    let samples: Vec<(StatsSample, Option<Duration>)> = samples.into_iter().map(|s| (s, None)).collect();
    emit(&samples, args.format, &mut rates, false)
}

async fn live(engine: &Engine, args: &Args) -> anyhow::Result<()> {
    let shared: Shared = Arc::new(Mutex::new(HashMap::new()));
    let mut followed: HashMap<String, tokio::task::JoinHandle<()>> = HashMap::new();
    let mut tick = tokio::time::interval(Duration::from_secs_f64(args.interval));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut rates = Rates::default();
    let clear = args.format == Format::Table && std::io::stdout().is_terminal();
    let mut first = true;
    let stop = stop_signal();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = &mut stop => break,
        }
        let list = targets(engine, &args.containers, first).await?;
        // Let the first samples arrive before the first table.
        followed.retain(|_, task| !task.is_finished());
        let mut started = false;
        for (name, id) in &list {
            if !followed.contains_key(id) {
                followed.insert(id.clone(), follow(engine, id.clone(), name.clone(), shared.clone()));
                started = true;
            }
        }
        if started && first {
            tokio::time::sleep(Duration::from_millis(1200)).await;
        }
        first = false;
        let limit = stale_after(args.interval);
        let samples: Vec<(StatsSample, Option<Duration>)> = {
            let map = shared.lock().map_err(|_| anyhow::anyhow!("stats state poisoned"))?;
            let mut v: Vec<(StatsSample, Option<Duration>)> = map
                .values()
                .map(|(s, at)| {
                    let age = at.elapsed();
                    (s.clone(), (age >= limit).then_some(age))
                })
                .collect();
            v.sort_by(|a, b| a.0.name.cmp(&b.0.name));
            v
        };
        // A stale stream is followed anew (the next tick starts it): a stall
        // that clears brings live numbers back; the stale mark stays until then.
        for (sample, stale) in &samples {
            if stale.is_some()
                && let Some(task) = followed.remove(&sample.id)
            {
                task.abort();
            }
        }
        if clear {
            print!("\x1b[H\x1b[2J");
        }
        emit(
            &samples,
            args.format,
            &mut rates,
            !clear && args.format == Format::Table,
        )?;
    }
    for task in followed.values() {
        task.abort();
    }
    Ok(())
}

/// Follow one container's stream until it stops; its entry goes with it.
fn follow(engine: &Engine, id: String, name: String, shared: Shared) -> tokio::task::JoinHandle<()> {
    let stream = engine.stats_stream(&id);
    tokio::spawn(async move {
        tokio::pin!(stream);
        while let Some(Ok(mut sample)) = stream.next().await {
            if sample.name.is_empty() {
                sample.name = name.clone();
            }
            // A stopped container still sends frames with no pids/read time on some engines.
            if sample.read.starts_with("0001-01-01") {
                break;
            }
            if let Ok(mut map) = shared.lock() {
                map.insert(id.clone(), (sample, Instant::now()));
            }
        }
        if let Ok(mut map) = shared.lock() {
            map.remove(&id);
        }
    })
}

async fn stop_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match (signal(SignalKind::interrupt()), signal(SignalKind::terminate())) {
        (Ok(mut int), Ok(mut term)) => {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
        }
        _ => std::future::pending().await,
    }
}

/// Network rates: bytes per second between two samples of a container,
/// timed by the engine's `read` stamps (not by when we printed). A sample
/// seen again (the stream had nothing new since the last refresh) is not
/// new: `update` says so and keeps the rate it had.
#[derive(Default)]
struct Rates {
    last: BTreeMap<String, Last>,
}

struct Last {
    read: String,
    rx: u64,
    tx: u64,
    at: Option<jiff::Timestamp>,
    fallback: Instant,
    rate: (f64, f64),
}

impl Rates {
    /// The (rx, tx) rate and whether the sample is new since the last call.
    fn update(&mut self, s: &StatsSample) -> ((f64, f64), bool) {
        let now = Instant::now();
        let at = s.read.parse::<jiff::Timestamp>().ok();
        let (rate, fresh) = match self.last.get(&s.id) {
            Some(last) if last.read == s.read && !s.read.is_empty() => return (last.rate, false),
            Some(last) => {
                let secs = match (at, last.at) {
                    (Some(a), Some(b)) => (a.as_millisecond() - b.as_millisecond()) as f64 / 1000.0,
                    _ => now.duration_since(last.fallback).as_secs_f64(),
                }
                .max(1e-3);
                (
                    (
                        s.network_rx.saturating_sub(last.rx) as f64 / secs,
                        s.network_tx.saturating_sub(last.tx) as f64 / secs,
                    ),
                    true,
                )
            }
            None => ((0.0, 0.0), true),
        };
        self.last.insert(
            s.id.clone(),
            Last {
                read: s.read.clone(),
                rx: s.network_rx,
                tx: s.network_tx,
                at,
                fallback: now,
                rate,
            },
        );
        (rate, fresh)
    }
}

/// One refresh. JSON lines carry each sample once: a container whose stream
/// sent nothing new since the last refresh gets no line (a repeated line
/// would claim a second measurement), unless its stream is stale: then a
/// `"stale": true` line says so at every refresh. The table shows every
/// container, at the terminal's width; a stale one is marked with how long
/// its stream has been silent.
fn emit(
    samples: &[(StatsSample, Option<Duration>)],
    format: Format,
    rates: &mut Rates,
    separate: bool,
) -> anyhow::Result<()> {
    let text = match format {
        Format::Json => {
            let mut out = String::new();
            let time = now_rfc3339();
            for (s, stale) in samples {
                let (rate, fresh) = rates.update(s);
                if let Some(age) = stale {
                    out.push_str(&vigie_report::stats::stale_line(&time, s, age.as_secs())?);
                } else if fresh {
                    out.push_str(&vigie_report::stats::json_line(&time, s, rate)?);
                }
            }
            out
        }
        Format::Table => {
            let marked: Vec<StatsSample> = samples
                .iter()
                .map(|(s, stale)| {
                    let mut s = s.clone();
                    if let Some(age) = stale {
                        s.name = format!("{} (stale {}s)", s.name, age.as_secs());
                    }
                    s
                })
                .collect();
            let rows: Vec<(&StatsSample, (f64, f64))> = marked
                .iter()
                .zip(samples)
                .map(|(shown, (s, _))| (shown, rates.update(s).0))
                .collect();
            let mut t = vigie_report::stats::table(&rows, crate::output::terminal_width());
            if samples.iter().any(|(_, stale)| stale.is_some()) {
                t.push_str("(stale: the engine has sent no sample for that long; the numbers are the last ones)\n");
            }
            if separate {
                t.push('\n');
            }
            t
        }
    };
    crate::output::emit(&text, None)
}

/// Now, RFC 3339 UTC with milliseconds.
pub fn now_rfc3339() -> String {
    vigie_report::time::rfc3339_millis(jiff::Timestamp::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_come_from_the_engine_stamps_and_repeats_are_not_new() {
        let mut r = Rates::default();
        let sample = |read: &str, rx: u64| StatsSample {
            id: "a".into(),
            read: read.into(),
            network_rx: rx,
            ..Default::default()
        };
        assert_eq!(r.update(&sample("2026-12-03T10:00:00Z", 100)), ((0.0, 0.0), true));
        // Two seconds later by the engine's clock, 1,000 bytes more: 500 B/s.
        assert_eq!(r.update(&sample("2026-12-03T10:00:02Z", 1100)), ((500.0, 0.0), true));
        // The same frame again: not new, and the rate stays (not 0).
        assert_eq!(r.update(&sample("2026-12-03T10:00:02Z", 1100)), ((500.0, 0.0), false));
    }
}
