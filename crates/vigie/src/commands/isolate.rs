//! `vigie isolate CONTAINER`: disconnect a running container from every
//! network and prove it (lab §2.4: `docker network disconnect bridge NAME`,
//! then NET I/O falling to 0). The networks it had are recorded under the
//! XDG state directory first, so `vigie isolate --restore` reconnects it even
//! after vigie (or the machine) restarted.

use anyhow::{Context, bail};
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use vigie_engine::Engine;
use vigie_engine::network::{InterfaceCounters, IsolationRecord, external_totals};

use crate::cli::GlobalArgs;
use crate::exit::Outcome;

#[derive(Debug, clap::Args)]
#[command(
    about = "Disconnect a container from every network and prove its traffic stopped; --restore reconnects it",
    long_about = "Disconnect a container from every network it is attached to, then prove it: the \
interface counters inside the container are sampled for one second before and for --verify seconds \
after, the interfaces left are listed (only lo), and the rates are printed. Exit 1 when traffic is \
still seen after isolation. The networks (with aliases and pinned addresses) are recorded in \
$XDG_STATE_HOME/vigie/isolated/ (default ~/.local/state/vigie/isolated/) before anything changes; \
`--restore` reconnects the container to them and deletes the record.",
    after_help = "Examples:\n  vigie isolate web\n  vigie isolate web --verify 10\n  vigie isolate --restore web\n\n\
Exit codes: 0 isolated (or restored), 1 traffic still seen after isolation, 2 error."
)]
pub struct Args {
    /// Container (name or id)
    pub container: String,
    /// Seconds to watch the counters after disconnecting
    #[arg(long, default_value_t = 3, value_name = "SECONDS")]
    pub verify: u64,
    /// Reconnect the container to the networks recorded when it was isolated
    #[arg(long)]
    pub restore: bool,
}

/// Where isolation records live: `$VIGIE_STATE_DIR`, else `$XDG_STATE_HOME/vigie`, else `~/.local/state/vigie`.
pub fn state_dir() -> anyhow::Result<PathBuf> {
    let base = if let Some(dir) = std::env::var_os("VIGIE_STATE_DIR").filter(|d| !d.is_empty()) {
        PathBuf::from(dir)
    } else if let Some(dir) = std::env::var_os("XDG_STATE_HOME").filter(|d| !d.is_empty()) {
        PathBuf::from(dir).join("vigie")
    } else if let Some(home) = std::env::var_os("HOME").filter(|d| !d.is_empty()) {
        PathBuf::from(home).join(".local/state/vigie")
    } else {
        bail!("no state directory: set XDG_STATE_HOME or HOME");
    };
    Ok(base.join("isolated"))
}

fn record_path(id: &str) -> anyhow::Result<PathBuf> {
    Ok(state_dir()?.join(format!("{id}.json")))
}

fn say(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", vigie_report::sanitize::visible(text));
    let _ = out.flush();
}

pub fn run(args: Args, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    let runtime = crate::cli::runtime()?;
    runtime.block_on(async {
        let engine = Engine::connect(global.engine.as_deref()).await?;
        if args.restore {
            restore(&engine, &args).await
        } else {
            isolate(&engine, &args).await
        }
    })
}

async fn sample_rate(
    engine: &Engine,
    name: &str,
    pid: i64,
    window: Duration,
) -> anyhow::Result<(f64, f64, Vec<InterfaceCounters>, &'static str)> {
    let (first, _) = engine.interface_counters(name, pid).await?;
    tokio::time::sleep(window).await;
    let (second, source) = engine.interface_counters(name, pid).await?;
    let (rx0, tx0) = external_totals(&first);
    let (rx1, tx1) = external_totals(&second);
    let secs = window.as_secs_f64().max(1e-3);
    Ok((
        rx1.saturating_sub(rx0) as f64 / secs,
        tx1.saturating_sub(tx0) as f64 / secs,
        second,
        source,
    ))
}

async fn isolate(engine: &Engine, args: &Args) -> anyhow::Result<Outcome> {
    let (mut record, pid) = engine.attachments(&args.container).await?;
    let name = record.container_name.clone();
    let running = pid > 0;
    let before = if running {
        Some(sample_rate(engine, &name, pid, Duration::from_secs(1)).await?)
    } else {
        None
    };

    // The record goes to disk before anything changes; a second isolate keeps the first record's networks.
    let path = record_path(&record.container_id)?;
    if let Ok(text) = std::fs::read_to_string(&path)
        && let Ok(previous) = serde_json::from_str::<IsolationRecord>(&text)
    {
        for a in previous.attachments {
            if !record.attachments.iter().any(|b| b.network == a.network) {
                record.attachments.push(a);
            }
        }
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create state directory {}", dir.display()))?;
    }
    crate::output::write_atomic(&path, serde_json::to_string_pretty(&record)?.as_bytes())?;

    let (current, _) = engine.attachments(&record.container_id).await?;
    if current.attachments.is_empty() {
        say(&format!("{name}: attached to no network"));
    }
    for a in &current.attachments {
        engine.disconnect(&record.container_id, &a.network).await?;
        say(&format!(
            "disconnected {name} from {}{}",
            a.network,
            if a.had_address.is_empty() {
                String::new()
            } else {
                format!(" (was {})", a.had_address)
            }
        ));
    }
    say(&format!(
        "record kept in {} (vigie isolate --restore {name})",
        path.display()
    ));

    let Some((rx_before, tx_before, _, _)) = before else {
        say(&format!(
            "{name} is not running: no traffic to measure; it will start with no network"
        ));
        return Ok(Outcome::Clean);
    };
    let (rx_after, tx_after, interfaces, source) =
        sample_rate(engine, &name, pid, Duration::from_secs(args.verify.max(1))).await?;
    let names: Vec<&str> = interfaces.iter().map(|c| c.name.as_str()).collect();
    say(&format!(
        "interfaces now: {} (from {source})",
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        }
    ));
    say(&format!(
        "rx/tx before: {} / {} B/s, after: {} / {} B/s (over {} s)",
        rx_before.round(),
        tx_before.round(),
        rx_after.round(),
        tx_after.round(),
        args.verify.max(1)
    ));
    let leaking = rx_after > 0.0 || tx_after > 0.0 || interfaces.iter().any(|c| c.name != "lo");
    if leaking {
        say(&format!(
            "NOT ISOLATED: {name} still has traffic or interfaces besides lo"
        ));
        Ok(Outcome::Findings)
    } else {
        say(&format!("isolated: {name} has no network traffic left"));
        Ok(Outcome::Clean)
    }
}

async fn restore(engine: &Engine, args: &Args) -> anyhow::Result<Outcome> {
    let inspected = engine.inspect_container(&args.container).await?;
    let id = inspected.id.unwrap_or_default();
    let path = record_path(&id)?;
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("no isolation record for {} ({})", args.container, path.display()))?;
    let record: IsolationRecord =
        serde_json::from_str(&text).with_context(|| format!("{}: not an isolation record", path.display()))?;
    let (current, _) = engine.attachments(&id).await?;
    for a in &record.attachments {
        if current.attachments.iter().any(|c| c.network == a.network) {
            say(&format!("{} already connected to {}", record.container_name, a.network));
            continue;
        }
        engine.reconnect(&id, a).await?;
        say(&format!("reconnected {} to {}", record.container_name, a.network));
    }
    std::fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
    let (now, _) = engine.attachments(&id).await?;
    for a in now.attachments.iter().filter(|a| !a.had_address.is_empty()) {
        say(&format!("  {} address {}", a.network, a.had_address));
    }
    Ok(Outcome::Clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_dir_follows_xdg() {
        // Only reads the environment; VIGIE_STATE_DIR wins when set by the test harness.
        let dir = state_dir().unwrap();
        assert!(dir.ends_with("isolated"));
    }
}
