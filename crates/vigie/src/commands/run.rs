//! `vigie run [OPTIONS] IMAGE [CMD…]`: `docker run` through the Engine API
//! with a hardened profile by default, each lifecycle step printed as it
//! happens (the four steps the lab reads from hello-world), then the
//! container's posture: its key security facts and its audit findings.
//! Lifecycle lines and posture go to stderr; stdout carries only the
//! container's own output, so `vigie run … | grep` works.

use anyhow::{Context, bail};
use futures_util::StreamExt;
use std::io::Write;
use std::time::Duration;
use tokio::io::AsyncWriteExt;

use bollard::container::LogOutput;
use vigie_engine::run::{ImageSource, Profile, RunRequest, container_config};
use vigie_engine::{Engine, engine_message};
use vigie_rules::audit::{HostContext, audit_container};
use vigie_rules::{Finding, sort_findings};
use vigie_snapshot::ContainerSnapshot;
use vigie_snapshot::inspect::default_last_cap;

use crate::cli::GlobalArgs;
use crate::exit::Outcome;

const HARDENED: &str = include_str!("../../../../profiles/hardened.toml");
const DEFAULT: &str = include_str!("../../../../profiles/default.toml");

#[derive(Debug, clap::Args)]
#[command(
    about = "Run a container with hardened defaults, showing each lifecycle step and its security posture",
    long_about = "Run a container through the Engine API, hardened by default (profiles/hardened.toml): \
--cap-drop ALL, no-new-privileges, read-only root filesystem with a tmpfs /tmp, a non-root user \
(the image's USER when non-root, else 65534:65534), no network, memory/pids/CPU limits, the engine's \
default seccomp profile. Each step is printed as it happens (image, created, started, attached, exit \
code, removed), then the container's posture: its security facts and its audit findings.\n\n\
Lifecycle lines and posture go to stderr; stdout is the container's output. The exit code is the \
container's; 2 when vigie itself fails (engine unreachable, image missing, refused option).",
    after_help = "Examples:\n  vigie run --rm alpine:3.10 echo hello\n  vigie run -it --rm alpine:3.10 sh\n  \
vigie run --profile default --rm alpine:3.10 id\n  vigie run --rm --network bridge -p 8080:80 nginx"
)]
pub struct Args {
    /// hardened (default), default (docker's own defaults), or a profile file (TOML)
    #[arg(long, default_value = "hardened", value_name = "NAME|FILE")]
    pub profile: String,
    /// Keep stdin open and attached
    #[arg(short = 'i', long)]
    pub interactive: bool,
    /// Allocate a TTY (raw mode, window size passed on)
    #[arg(short = 't', long)]
    pub tty: bool,
    /// Remove the container when it exits (after its posture is printed)
    #[arg(long)]
    pub rm: bool,
    /// Container name
    #[arg(long)]
    pub name: Option<String>,
    /// Network to attach (the hardened profile has none)
    #[arg(long, value_name = "NETWORK")]
    pub network: Option<String>,
    /// Bind mount or volume (docker's -v syntax)
    #[arg(short = 'v', long = "volume", value_name = "SRC:DST[:OPTS]")]
    pub volumes: Vec<String>,
    /// Environment variable
    #[arg(short = 'e', long = "env", value_name = "NAME=VALUE")]
    pub env: Vec<String>,
    /// Publish a port ([IP:]HOST_PORT:CONTAINER_PORT[/PROTO])
    #[arg(short = 'p', long = "publish", value_name = "PORTS")]
    pub publish: Vec<String>,
    /// User (NAME|UID[:GID]); default: the profile's rule
    #[arg(short = 'u', long)]
    pub user: Option<String>,
    /// Add a capability back after the profile's drop
    #[arg(long, value_name = "CAP")]
    pub cap_add: Vec<String>,
    /// Label (KEY=VALUE)
    #[arg(short = 'l', long = "label", value_name = "KEY=VALUE")]
    pub labels: Vec<String>,
    /// Give the container every privilege (refused unless --allow-privileged)
    #[arg(long)]
    pub privileged: bool,
    /// Accept --privileged
    #[arg(long)]
    pub allow_privileged: bool,
    /// Also print the posture right after start, before the container's output
    #[arg(long)]
    pub posture: bool,
    /// No lifecycle lines and no posture
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Image (name:tag, id or digest)
    pub image: String,
    /// Command and arguments
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub command: Vec<String>,
}

/// Load `hardened`, `default`, or a TOML file.
pub fn load_profile(name: &str) -> anyhow::Result<Profile> {
    let (text, origin) = match name {
        "hardened" => (HARDENED.to_string(), "built-in profile hardened".to_string()),
        "default" => (DEFAULT.to_string(), "built-in profile default".to_string()),
        path => (
            std::fs::read_to_string(path).with_context(|| format!("cannot read profile {path}"))?,
            path.to_string(),
        ),
    };
    toml::from_str(&text).map_err(|e| anyhow::anyhow!("{origin}: {}", e.message()))
}

struct Steps {
    quiet: bool,
}

impl Steps {
    fn say(&self, text: &str) {
        if !self.quiet {
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "vigie ▸ {}", vigie_report::sanitize::visible(text));
        }
    }
}

pub fn run(args: Args, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    // As docker: a terminal is asked for, stdin is not one (a pipe, a file).
    if args.tty && args.interactive && !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        bail!("the input device is not a TTY (drop -t, or run from a terminal)");
    }
    if args.privileged && !args.allow_privileged {
        bail!(
            "--privileged refused: it gives the container every capability and every device of the host \
(add --allow-privileged to accept that)"
        );
    }
    let profile = load_profile(&args.profile)?;
    let labels = args
        .labels
        .iter()
        .map(|l| match l.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (l.clone(), String::new()),
        })
        .collect();
    let request = RunRequest {
        image: args.image.clone(),
        command: args.command.clone(),
        name: args.name.clone(),
        tty: args.tty,
        interactive: args.interactive,
        network: args.network.clone(),
        volumes: args.volumes.clone(),
        env: args.env.clone(),
        publish: args.publish.clone(),
        user: args.user.clone(),
        cap_add: args.cap_add.clone(),
        privileged: args.privileged,
        labels,
        auto_remove: args.rm,
    };
    let steps = Steps { quiet: args.quiet };
    let runtime = crate::cli::runtime()?;
    let code = runtime.block_on(run_container(&args, &profile, &request, &steps, global))?;
    // A stdin pump may still be blocked reading the terminal: do not wait for it.
    runtime.shutdown_background();
    if code != 0 {
        let _ = std::io::stdout().flush();
        // The container's exit code is the command's, as with `docker run`.
        return Ok(Outcome::Code(code.clamp(1, 255) as u8));
    }
    Ok(Outcome::Clean)
}

async fn run_container(
    args: &Args,
    profile: &Profile,
    request: &RunRequest,
    steps: &Steps,
    global: &GlobalArgs,
) -> anyhow::Result<i64> {
    let engine = Engine::connect(global.engine.as_deref()).await?;
    let image_user = match engine.ensure_image(&request.image, Duration::from_secs(20)).await? {
        ImageSource::Local { id, user } => {
            steps.say(&format!("image {} found locally ({})", request.image, short(&id)));
            user
        }
        ImageSource::Pulled { id, user } => {
            steps.say(&format!("image {} pulled ({})", request.image, short(&id)));
            user
        }
    };
    if request.privileged {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(
            err,
            "vigie: WARNING: --privileged: this container gets every capability, every host device and no \
seccomp/AppArmor confinement; a process in it can take over the host"
        );
    }
    let config = container_config(profile, request, &image_user)?;
    let mut options = bollard::query_parameters::CreateContainerOptionsBuilder::default();
    if let Some(name) = &request.name {
        options = options.name(name);
    }
    let created = engine
        .docker
        .create_container(Some(options.build()), config)
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot create the container from {}: {}",
                request.image,
                engine_message(&e)
            )
        })?;
    let id = created.id;
    let name = request.name.clone().unwrap_or_else(|| short(&id).to_string());
    steps.say(&format!(
        "created {} (profile {}, user {})",
        short(&id),
        args.profile,
        effective_user_label(profile, request, &image_user)
    ));
    // With --rm the engine removes the container at exit: its posture is
    // read now, from the container as created (its configuration).
    let early_posture = if args.rm && !args.quiet {
        Some(posture(&engine, &id).await)
    } else {
        None
    };
    let result = drive(&engine, &id, args, steps).await;
    let code = match result {
        Ok(code) => code,
        Err(e) => {
            if args.rm {
                // Never started (or the wait failed): AutoRemove only acts on exit.
                let _ = remove(&engine, &id).await;
            }
            return Err(e);
        }
    };
    steps.say(&format!("exited with code {code}"));
    if !args.quiet {
        let read = match early_posture {
            Some(p) => p,
            None => posture(&engine, &id).await,
        };
        match read {
            Ok((snapshot, findings)) => print_posture(&snapshot.name, &snapshot, &findings),
            Err(e) => {
                let _ = writeln!(
                    std::io::stderr(),
                    "vigie: warning: posture of {name} unavailable: {e:#}"
                );
            }
        }
    }
    if args.rm {
        // The "removed" wait returned: the engine has removed it.
        steps.say(&format!("removed {} (by the engine: AutoRemove)", short(&id)));
    }
    Ok(code)
}

async fn remove(engine: &Engine, id: &str) -> anyhow::Result<()> {
    let options = bollard::query_parameters::RemoveContainerOptionsBuilder::default()
        .force(true)
        .v(true)
        .build();
    engine
        .docker
        .remove_container(id, Some(options))
        .await
        .map_err(|e| anyhow::anyhow!("cannot remove container {}: {}", short(id), engine_message(&e)))
}

/// Attach, start, pump the streams, wait: the container's exit code.
async fn drive(engine: &Engine, id: &str, args: &Args, steps: &Steps) -> anyhow::Result<i64> {
    let attach = bollard::query_parameters::AttachContainerOptionsBuilder::default()
        .stream(true)
        .stdin(args.interactive)
        .stdout(true)
        .stderr(true)
        .build();
    // Attached before start, so no early output is lost.
    let bollard::container::AttachContainerResults { mut output, mut input } = engine
        .docker
        .attach_container(id, Some(attach))
        .await
        .map_err(|e| anyhow::anyhow!("cannot attach to container {}: {}", short(id), engine_message(&e)))?;
    // With --rm (AutoRemove) the wait is for "removed" and must reach the
    // engine before the container can exit: it runs in its own task, sent
    // before start, as the docker CLI does. Otherwise it is asked after start
    // with "not-running": a container that already exited answers at once
    // (a lazily sent "next-exit" wait could miss an exit that came first).
    type WaitItem = Option<Result<bollard::models::ContainerWaitResponse, bollard::errors::Error>>;
    let condition = |c: &str| {
        Some(
            bollard::query_parameters::WaitContainerOptionsBuilder::default()
                .condition(c)
                .build(),
        )
    };
    let removed_wait = if args.rm {
        let docker = engine.docker.clone();
        let owned = id.to_string();
        let options = condition("removed");
        let task = tokio::spawn(async move { docker.wait_container(&owned, options).next().await });
        // Let the task send its request before the container starts.
        for _ in 0..20 {
            tokio::task::yield_now().await;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        Some(task)
    } else {
        None
    };
    engine
        .docker
        .start_container(id, None::<bollard::query_parameters::StartContainerOptions>)
        .await
        .map_err(|e| anyhow::anyhow!("cannot start container {}: {}", short(id), engine_message(&e)))?;
    steps.say("started");
    let mut wait: std::pin::Pin<Box<dyn std::future::Future<Output = WaitItem> + Send>> = match removed_wait {
        Some(task) => Box::pin(async move { task.await.unwrap_or(None) }),
        None => {
            let mut stream = engine.docker.wait_container(id, condition("not-running"));
            Box::pin(async move { stream.next().await })
        }
    };
    let mut wait = Some(wait.as_mut());
    steps.say(&format!(
        "attached (stdout, stderr{}{})",
        if args.interactive { ", stdin" } else { "" },
        if args.tty { ", tty" } else { "" }
    ));
    if args.posture
        && !args.quiet
        && let Ok((snapshot, findings)) = posture(engine, id).await
    {
        print_posture(&snapshot.name, &snapshot, &findings);
    }

    let raw = if args.tty { tty::RawMode::enter() } else { None };
    if args.tty {
        tty::send_size(engine, id).await;
    }
    let mut winch = if args.tty { tty::window_changes() } else { None };

    // stdin: a plain thread (a blocking read must never keep the runtime alive at exit).
    let mut stdin_rx = if args.interactive {
        Some(tty::stdin_chunks())
    } else {
        None
    };
    let mut interrupt = if args.tty { None } else { signals() };
    if !args.interactive {
        // Nothing to send: half-close, as the docker CLI does, so the engine ends the stream at exit.
        let _ = AsyncWriteExt::shutdown(&mut input).await;
    }
    let mut exit: Option<Result<i64, bollard::errors::Error>> = None;
    let mut drain_until: Option<tokio::time::Instant> = None;

    // Plain blocking writes: a terminal or pipe takes a frame at once.
    let mut stdout = std::io::stdout();
    let mut stderr = std::io::stderr();
    loop {
        let drain = async {
            match drain_until {
                Some(t) => tokio::time::sleep_until(t).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            result = async { match wait.as_mut() { Some(w) => w.await, None => std::future::pending().await } }, if exit.is_none() => {
                wait = None;
                exit = Some(match result {
                    Some(Ok(r)) => Ok(r.status_code),
                    Some(Err(bollard::errors::Error::DockerContainerWaitError { code, .. })) => Ok(code),
                    Some(Err(e)) => Err(e),
                    None => Ok(-1),
                });
                // Output still in flight is read for a moment; the stream normally ends by itself.
                drain_until = Some(tokio::time::Instant::now() + Duration::from_millis(500));
            }
            _ = drain => break,
            frame = output.next() => match frame {
                Some(Ok(LogOutput::StdErr { message })) => {
                    let _ = stderr.write_all(&message);
                    let _ = stderr.flush();
                }
                Some(Ok(LogOutput::StdOut { message } | LogOutput::Console { message })) => {
                    let _ = stdout.write_all(&message);
                    let _ = stdout.flush();
                }
                Some(Ok(LogOutput::StdIn { .. })) => {}
                Some(Err(_)) | None => break,
            },
            chunk = async { match stdin_rx.as_mut() { Some(rx) => rx.recv().await, None => std::future::pending().await } } => {
                match chunk {
                    Some(bytes) => { let _ = AsyncWriteExt::write_all(&mut input, &bytes).await; let _ = AsyncWriteExt::flush(&mut input).await; }
                    None => { let _ = AsyncWriteExt::shutdown(&mut input).await; stdin_rx = None; }
                }
            }
            _ = async { match winch.as_mut() { Some(w) => { w.recv().await; } None => std::future::pending().await } } => {
                tty::send_size(engine, id).await;
            }
            signal = async { match interrupt.as_mut() { Some(s) => s.recv().await, None => std::future::pending().await } } => {
                if let Some(name) = signal {
                    // Proxied like `docker run`: the container decides what the signal means.
                    let options = bollard::query_parameters::KillContainerOptionsBuilder::default().signal(name).build();
                    let _ = engine.docker.kill_container(id, Some(options)).await;
                }
            }
        }
    }
    if raw.is_some() {
        drop(raw);
        // The program's last line may not end with one; the next step starts on its own line.
        let _ = std::io::stderr().write_all(b"\r\n");
    }
    let exit = match exit {
        Some(e) => e,
        None => match match wait {
            Some(w) => w.await,
            None => None,
        } {
            Some(Ok(r)) => Ok(r.status_code),
            Some(Err(bollard::errors::Error::DockerContainerWaitError { code, .. })) => Ok(code),
            Some(Err(e)) => Err(e),
            None => Ok(-1),
        },
    };
    match exit {
        Ok(code) if code >= 0 => Ok(code),
        Ok(_) => {
            let inspected = engine.inspect_container(id).await?;
            Ok(inspected.state.and_then(|s| s.exit_code).unwrap_or(0))
        }
        Err(e) => bail!("cannot wait for container {}: {}", short(id), engine_message(&e)),
    }
}

/// SIGINT and SIGTERM as signal names, for proxying to the container.
fn signals() -> Option<tokio::sync::mpsc::Receiver<&'static str>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut int = signal(SignalKind::interrupt()).ok()?;
    let mut term = signal(SignalKind::terminate()).ok()?;
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    tokio::spawn(async move {
        loop {
            let name = tokio::select! {
                _ = int.recv() => "SIGINT",
                _ = term.recv() => "SIGTERM",
            };
            if tx.send(name).await.is_err() {
                break;
            }
        }
    });
    Some(rx)
}

/// The container's snapshot and its audit findings (the same rules as `vigie audit`).
pub async fn posture(engine: &Engine, id: &str) -> anyhow::Result<(ContainerSnapshot, Vec<Finding>)> {
    let host = engine.host_snapshot().await?;
    posture_with(engine, id, &host).await
}

pub async fn posture_with(
    engine: &Engine,
    id: &str,
    host: &vigie_snapshot::HostSnapshot,
) -> anyhow::Result<(ContainerSnapshot, Vec<Finding>)> {
    let last_cap = host.cap_last_cap.unwrap_or_else(default_last_cap);
    let snapshot = engine.container_snapshot(id, last_cap).await?;
    let mut findings = audit_container(&snapshot, &HostContext::from_host(host));
    sort_findings(&mut findings);
    Ok((snapshot, findings))
}

fn print_posture(name: &str, s: &ContainerSnapshot, findings: &[Finding]) {
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "{}", vigie_report::posture::text(name, s, findings));
}

fn effective_user_label(profile: &Profile, request: &RunRequest, image_user: &str) -> String {
    match vigie_engine::run::effective_user(profile, request.user.as_deref(), image_user) {
        Some(u) => u,
        None if image_user.is_empty() => "root (image default)".to_string(),
        None => format!("{image_user} (image)"),
    }
}

pub fn short(id: &str) -> &str {
    let id = id.strip_prefix("sha256:").unwrap_or(id);
    id.get(..12).unwrap_or(id)
}

/// The terminal side of `vigie run -it`.
mod tty {
    // The terminal side of `vigie run -it`: raw mode (restored on drop, also on
    // error paths), the window size sent to the engine and on every SIGWINCH,
    // and stdin read on a plain thread so a blocked read never delays exit.

    use rustix::termios::{OptionalActions, Termios, tcgetattr, tcgetwinsize, tcsetattr};

    use vigie_engine::Engine;

    /// Raw mode on stdin while alive.
    pub struct RawMode {
        original: Termios,
    }

    impl RawMode {
        /// None when stdin is not a terminal (then there is nothing to set).
        pub fn enter() -> Option<RawMode> {
            let stdin = std::io::stdin();
            let original = tcgetattr(&stdin).ok()?;
            let mut raw = original.clone();
            raw.make_raw();
            tcsetattr(&stdin, OptionalActions::Now, &raw).ok()?;
            Some(RawMode { original })
        }
    }

    impl Drop for RawMode {
        fn drop(&mut self) {
            let _ = tcsetattr(std::io::stdin(), OptionalActions::Now, &self.original);
        }
    }

    /// Tell the engine the terminal's size (rows, columns), when there is a terminal.
    pub async fn send_size(engine: &Engine, id: &str) {
        let size = tcgetwinsize(std::io::stdout()).or_else(|_| tcgetwinsize(std::io::stdin()));
        if let Ok(size) = size
            && size.ws_row > 0
            && size.ws_col > 0
        {
            let options = bollard::query_parameters::ResizeContainerTTYOptionsBuilder::default()
                .h(i32::from(size.ws_row))
                .w(i32::from(size.ws_col))
                .build();
            let _ = engine.docker.resize_container_tty(id, options).await;
        }
    }

    /// SIGWINCH, as a stream of unit events.
    pub fn window_changes() -> Option<tokio::signal::unix::Signal> {
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::window_change()).ok()
    }

    /// Chunks of stdin as they are read; the channel closes at end of input.
    pub fn stdin_chunks() -> tokio::sync::mpsc::Receiver<Vec<u8>> {
        let (tx, rx) = tokio::sync::mpsc::channel::<Vec<u8>>(16);
        std::thread::spawn(move || {
            use std::io::Read;
            let mut stdin = std::io::stdin();
            let mut buffer = [0u8; 4096];
            loop {
                match stdin.read(&mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if tx.blocking_send(buffer[..n].to_vec()).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        rx
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_profiles_load() {
        assert_eq!(load_profile("hardened").unwrap().cap_drop, vec!["ALL"]);
        assert!(load_profile("default").unwrap().cap_drop.is_empty());
        assert!(load_profile("/nonexistent/profile.toml").is_err());
    }

    #[test]
    fn short_ids() {
        assert_eq!(short("sha256:0123456789abcdef"), "0123456789ab");
        assert_eq!(short("abc"), "abc");
    }
}
