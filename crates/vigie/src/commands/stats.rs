//! `vigie stats [CONTAINER…]`: live resource usage of running containers, as
//! a refreshing table or JSON lines, from the engine's stats streams (one per
//! container, as `docker stats` does). CPU % and memory are computed exactly
//! as the docker CLI computes them (see vigie_engine::stats). Containers that
//! start during the run are added at the next tick; those that stop drop out.

use anyhow::bail;
use futures_util::StreamExt;
use serde::Serialize;
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

/// One JSON line.
#[derive(Debug, Serialize)]
struct Line<'a> {
    time: String,
    #[serde(flatten)]
    sample: &'a StatsSample,
    /// Bytes per second since the previous line of this container (0 on the first).
    network_rx_rate: f64,
    network_tx_rate: f64,
}

type Shared = Arc<Mutex<HashMap<String, StatsSample>>>;

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
        let samples: Vec<StatsSample> = {
            let map = shared.lock().map_err(|_| anyhow::anyhow!("stats state poisoned"))?;
            let mut v: Vec<StatsSample> = map.values().cloned().collect();
            v.sort_by(|a, b| a.name.cmp(&b.name));
            v
        };
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
                map.insert(id.clone(), sample);
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

/// Network rates: bytes per second since the previous print of each container.
#[derive(Default)]
struct Rates {
    last: BTreeMap<String, (u64, u64, Instant)>,
}

impl Rates {
    fn update(&mut self, s: &StatsSample) -> (f64, f64) {
        let now = Instant::now();
        let rate = match self.last.get(&s.id) {
            Some((rx, tx, at)) => {
                let secs = now.duration_since(*at).as_secs_f64().max(1e-3);
                (
                    s.network_rx.saturating_sub(*rx) as f64 / secs,
                    s.network_tx.saturating_sub(*tx) as f64 / secs,
                )
            }
            None => (0.0, 0.0),
        };
        self.last.insert(s.id.clone(), (s.network_rx, s.network_tx, now));
        rate
    }
}

fn emit(samples: &[StatsSample], format: Format, rates: &mut Rates, separate: bool) -> anyhow::Result<()> {
    let text = match format {
        Format::Json => {
            let mut out = String::new();
            let time = now_rfc3339();
            for s in samples {
                let (rx, tx) = rates.update(s);
                let line = Line {
                    time: time.clone(),
                    sample: s,
                    network_rx_rate: rx,
                    network_tx_rate: tx,
                };
                out.push_str(&serde_json::to_string(&line)?);
                out.push('\n');
            }
            out
        }
        Format::Table => {
            let mut t = table(samples, rates);
            if separate {
                t.push('\n');
            }
            t
        }
    };
    crate::output::emit(&text, None)
}

fn table(samples: &[StatsSample], rates: &mut Rates) -> String {
    // Names are never cut: the column is as wide as the longest one.
    let w = samples.iter().map(|s| s.name.chars().count()).max().unwrap_or(0).max(4);
    let mut out = format!(
        "{:<12}  {:<w$} {:>7}  {:<21} {:>6}  {:<19} {:<19} {:<19} {:>5}\n",
        "CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "NET RATE", "BLOCK I/O", "PIDS"
    );
    for s in samples {
        let (rx, tx) = rates.update(s);
        let limit = if s.memory_limit > 0 {
            binary_size(s.memory_limit)
        } else {
            "-".to_string()
        };
        out.push_str(&format!(
            "{:<12}  {:<w$} {:>6.2}%  {:<21} {:>5.2}%  {:<19} {:<19} {:<19} {:>5}\n",
            s.id.get(..12).unwrap_or(&s.id),
            s.name,
            s.cpu_percent,
            format!("{} / {}", binary_size(s.memory_usage), limit),
            s.memory_percent,
            format!(
                "{} / {}",
                decimal_size(s.network_rx as f64),
                decimal_size(s.network_tx as f64)
            ),
            format!("{}/s / {}/s", decimal_size(rx), decimal_size(tx)),
            format!(
                "{} / {}",
                decimal_size(s.block_read as f64),
                decimal_size(s.block_write as f64)
            ),
            s.pids
        ));
    }
    if samples.is_empty() {
        out.push_str("(no running containers)\n");
    }
    out
}

/// Memory, as docker prints it: binary units (KiB, MiB, GiB).
fn binary_size(bytes: u64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < units.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{}{}", significant(value, 4), units[unit])
}

/// Network and block I/O, as docker prints them: decimal units (kB, MB, GB).
fn decimal_size(bytes: f64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB"];
    let mut value = bytes;
    let mut unit = 0;
    while value >= 1000.0 && unit < units.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    format!("{}{}", significant(value, 3), units[unit])
}

/// Go's `%.Ng` for the values printed here (below 10^N): N significant digits, no trailing zeros.
fn significant(value: f64, digits: i32) -> String {
    if value == 0.0 {
        return "0".to_string();
    }
    let integer_digits = (value.abs().log10().floor() as i32 + 1).max(1);
    let decimals = (digits - integer_digits).max(0) as usize;
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// Now, RFC 3339 UTC with milliseconds.
pub fn now_rfc3339() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    rfc3339(now.as_secs() as i64, now.subsec_millis())
}

fn rfc3339(secs: i64, millis: u32) -> String {
    let days = secs.div_euclid(86_400);
    let rest = secs.rem_euclid(86_400);
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_like_docker() {
        assert_eq!(binary_size(512), "512B");
        assert_eq!(binary_size(1536 * 1024), "1.5MiB");
        assert_eq!(binary_size(442_368), "432KiB");
        assert_eq!(binary_size(25_276_502_016), "23.54GiB");
        assert_eq!(decimal_size(999.0), "999B");
        assert_eq!(decimal_size(1500.0), "1.5kB");
        assert_eq!(decimal_size(1234.0), "1.23kB");
        assert_eq!(decimal_size(2_000_000.0), "2MB");
    }

    #[test]
    fn timestamps() {
        assert_eq!(rfc3339(0, 5), "1970-01-01T00:00:00.005Z");
        assert_eq!(rfc3339(1_795_900_000, 0), "2026-11-28T21:06:40.000Z");
        assert_eq!(now_rfc3339().len(), 24);
    }

    #[test]
    fn rates_start_at_zero() {
        let mut r = Rates::default();
        let s = StatsSample {
            id: "a".into(),
            network_rx: 100,
            ..Default::default()
        };
        assert_eq!(r.update(&s), (0.0, 0.0));
        let s = StatsSample {
            id: "a".into(),
            network_rx: 200,
            ..Default::default()
        };
        assert!(r.update(&s).0 > 0.0);
    }
}
