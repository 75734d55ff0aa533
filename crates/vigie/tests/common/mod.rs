//! Shared helpers for integration tests that use the real engine.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

pub const TEST_LABEL: &str = "io.vigie.test=1";
/// The lab's image as the tests see it: vigie's stand-in for alpine:3.10 (busybox from Debian with
/// Alpine 3.10.4's real package database), built by scripts/lib/build-test-images.sh, so every
/// machine tests the same image whether or not a registry answers.
pub const LAB_IMAGE: &str = "vigie-lab/alpine:3.10";
/// Where scripts/lib/build-test-images.sh saves the test images (docker-archive tarballs).
pub const TEST_IMAGES: &str = "/var/tmp/vigie-test-images";

/// The repository's pinned test data (`testdata/`, origins and licences in its SOURCES.md).
pub fn test_data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

/// A saved test image; a missing one fails with the command that builds it.
pub fn test_image(name: &str) -> PathBuf {
    let path = PathBuf::from(TEST_IMAGES).join(name);
    assert!(
        path.exists(),
        "{} is missing: run scripts/test (it builds the test images with scripts/lib/build-test-images.sh)",
        path.display()
    );
    path
}

/// Whether the engine holds the real upstream `alpine:3.10` (with apk-tools), not a stand-in:
/// tests that ask apk-tools itself run live then, and read its recorded transcript otherwise.
pub fn real_alpine_310() -> bool {
    let out = docker(&[
        "image",
        "inspect",
        "-f",
        "{{index .Config.Labels \"io.vigie.stand-in\"}}",
        "alpine:3.10",
    ]);
    out.status.success() && String::from_utf8_lossy(&out.stdout).trim().is_empty()
}

/// The `vigie` binary under test (host build).
pub fn vigie() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("vigie").expect("vigie binary")
}

/// A fully static `vigie` that runs inside any image. scripts/test builds it
/// and exports VIGIE_STATIC_BIN; a missing binary fails loudly.
pub fn static_vigie() -> PathBuf {
    if let Ok(p) = std::env::var("VIGIE_STATIC_BIN") {
        let p = PathBuf::from(p);
        assert!(p.is_file(), "VIGIE_STATIC_BIN={} does not exist", p.display());
        return p;
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    for profile in ["debug", "release"] {
        let p = root.join("target/x86_64-unknown-linux-gnu").join(profile).join("vigie");
        if p.is_file() {
            return p.canonicalize().unwrap_or(p);
        }
    }
    panic!("no static vigie binary: run scripts/test (or scripts/build-static) first, or set VIGIE_STATIC_BIN");
}

pub fn docker(args: &[&str]) -> Output {
    Command::new("docker").args(args).output().expect("docker CLI")
}

/// Make sure the engine answers and the lab image exists; fail with the fix otherwise.
pub fn require_engine() {
    let out = docker(&["image", "inspect", LAB_IMAGE]);
    assert!(
        out.status.success(),
        "the engine is down or {LAB_IMAGE} is missing: run scripts/test (it starts dockerd and builds the image): {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A unique container name for this test process.
pub fn unique_name(prefix: &str) -> String {
    format!(
        "vigie-test-{prefix}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

/// Removes the container when dropped, even when the test fails.
pub struct ContainerGuard(pub String);

impl Drop for ContainerGuard {
    fn drop(&mut self) {
        let _ = docker(&["rm", "-f", "-v", &self.0]);
    }
}

/// `docker create` with the test label; returns the guard.
pub fn create(name: &str, options: &[&str], image: &str, cmd: &[&str]) -> ContainerGuard {
    let mut args = vec!["create", "--name", name, "--label", TEST_LABEL];
    args.extend_from_slice(options);
    args.push(image);
    args.extend_from_slice(cmd);
    let out = docker(&args);
    assert!(
        out.status.success(),
        "docker create {name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    ContainerGuard(name.to_string())
}

/// Run one SQL statement on a database file with Python's sqlite3 (an
/// independent writer: tests use it to age or damage a vigie database).
pub fn sqlite_exec(db: &std::path::Path, sql: &str) {
    let status = std::process::Command::new("python3")
        .args([
            "-c",
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()",
        ])
        .arg(db)
        .arg(sql)
        .status()
        .expect("python3 runs");
    assert!(status.success(), "{sql} on {}", db.display());
}

/// tmux, with a real /dev/null: tmux's server refuses to start when /dev/null
/// is not a character device (seen on sandboxed build machines), so there the
/// server starts in a private mount namespace with one bind-mounted over it.
pub struct Tmux {
    pub socket: String,
}

impl Tmux {
    pub fn start(session_command: &str) -> Tmux {
        assert!(
            Command::new("tmux")
                .arg("-V")
                .output()
                .is_ok_and(|o| o.status.success()),
            "tmux is missing: run scripts/lib/peers-live.sh"
        );
        let socket = format!("/tmp/vigie-test-tmux-{}.sock", std::process::id());
        let start =
            format!("TERM=xterm tmux -S {socket} -f /dev/null new-session -d -s t -x 120 -y 40 '{session_command}'");
        let null_ok = std::fs::metadata("/dev/null").is_ok_and(|m| {
            use std::os::unix::fs::FileTypeExt;
            m.file_type().is_char_device()
        });
        let status = if null_ok {
            Command::new("sh").args(["-c", &start]).status().unwrap()
        } else {
            let null = format!("/tmp/vigie-test-null-{}", std::process::id());
            let script = format!(
                "[ -c {null} ] || mknod -m 666 {null} c 1 3; unshare -m sh -c 'mount --bind {null} /dev/null && {}'",
                start.replace('\'', "'\\''")
            );
            Command::new("sh").args(["-c", &script]).status().unwrap()
        };
        assert!(status.success(), "tmux did not start");
        Tmux { socket }
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["-S", &self.socket, "send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        Command::new("tmux").args(&args).status().unwrap();
    }

    pub fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-S", &self.socket, "capture-pane", "-p", "-S", "-200", "-t", "t"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn wait_for(&self, text: &str, seconds: u64) -> String {
        for _ in 0..seconds * 10 {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("'{text}' never appeared:\n{}", self.screen());
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux").args(["-S", &self.socket, "kill-server"]).status();
        let _ = std::fs::remove_file(&self.socket);
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Action {
    Forward,
    /// HTTP 500 at once.
    Fail,
    /// Send the request on, never answer (the connection stays open).
    Freeze,
    /// Forward the answer for this long, then nothing more (the connection
    /// stays open): a stream that stalls midway.
    FreezeAfter(Duration),
}

/// A proxy in front of the engine that decides per request (one request per
/// connection, `Connection: close`): forward it, fail it, or freeze it.
pub fn filter_proxy(dir: &std::path::Path, decide: fn(&str) -> Action) -> String {
    use std::io::{Read, Write};
    let socket = dir.join("filter.sock");
    let listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut client = client;
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if client.read(&mut byte).unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                let text = String::from_utf8_lossy(&head).into_owned();
                let path = text.split_whitespace().nth(1).unwrap_or("").to_string();
                let action = decide(&path);
                if action == Action::Fail {
                    let body = r#"{"message":"injected failure"}"#;
                    let _ = write!(
                        client,
                        "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    return;
                }
                let Ok(mut engine) = std::os::unix::net::UnixStream::connect("/var/run/docker.sock") else {
                    return;
                };
                let mut forwarded = String::new();
                for line in text.split("\r\n").filter(|l| !l.is_empty()) {
                    if !line.to_ascii_lowercase().starts_with("connection:") {
                        forwarded.push_str(line);
                        forwarded.push_str("\r\n");
                    }
                }
                forwarded.push_str("Connection: close\r\n\r\n");
                if engine.write_all(forwarded.as_bytes()).is_err() {
                    return;
                }
                if action == Action::Freeze {
                    // Hold both ends open, forward nothing: a stream that
                    // stalls while its connection stays up.
                    std::thread::sleep(Duration::from_secs(120));
                    drop(client);
                    return;
                }
                if let Action::FreezeAfter(after) = action {
                    let until = std::time::Instant::now() + after;
                    let _ = engine.set_read_timeout(Some(Duration::from_millis(100)));
                    let mut buffer = [0u8; 16384];
                    while std::time::Instant::now() < until {
                        match engine.read(&mut buffer) {
                            Ok(0) => return,
                            Ok(n) => {
                                if client.write_all(&buffer[..n]).is_err() {
                                    return;
                                }
                            }
                            Err(e)
                                if matches!(
                                    e.kind(),
                                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                                ) => {}
                            Err(_) => return,
                        }
                    }
                    std::thread::sleep(Duration::from_secs(120));
                    return;
                }
                let _ = std::io::copy(&mut engine, &mut client);
            });
        }
    });
    format!("unix://{}", socket.display())
}

/// Run a command to its end; its exit code and peak resident memory (KiB,
/// the kernel's VmHWM read while it runs). A command still running after
/// 120 s is killed (exit code None): a hang fails the test instead of
/// stopping the suite.
pub fn run_measured(mut command: Command) -> (Option<i32>, u64, std::time::Duration) {
    let started = std::time::Instant::now();
    let mut child = command
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let mut peak = 0;
    loop {
        if let Ok(status) = std::fs::read_to_string(format!("/proc/{}/status", child.id()))
            && let Some(kb) = status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
        {
            peak = peak.max(kb);
        }
        if let Some(status) = child.try_wait().expect("wait") {
            return (status.code(), peak, started.elapsed());
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            return (None, peak, started.elapsed());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}
