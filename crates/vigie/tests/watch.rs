//! `vigie watch` against the real engine: a container created with `-v /:/mnt`
//! produces its finding as it happens; with `--enforce stop` the started
//! violating container is stopped; SIGINT ends the watch cleanly.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failed step is a failed test

mod common;

use common::{ContainerGuard, LAB_IMAGE, TEST_LABEL, docker, require_engine, unique_name};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

/// The watches see every container on the engine: one at a time, so one
/// test's enforcement never acts on another test's container.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

struct Watch {
    child: Child,
    lines: Receiver<String>,
    errors: Receiver<String>,
}

impl Watch {
    fn start(args: &[&str]) -> Watch {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("vigie"))
            .arg("watch")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, lines) = channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let (etx, errors) = channel();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = etx.send(line);
            }
        });
        let w = Watch { child, lines, errors };
        let line = w
            .errors
            .recv_timeout(Duration::from_secs(30))
            .expect("vigie watch announces itself");
        assert!(line.contains("watching"), "{line}");
        w
    }

    fn wait_line(&self, what: &str, matches: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            let Ok(line) = self.lines.recv_timeout(left) else { break };
            let value: serde_json::Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
            if matches(&value) {
                return value;
            }
        }
        panic!("no {what} line within 20 s");
    }

    fn interrupt(mut self) {
        Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .unwrap();
        for _ in 0..100 {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "SIGINT ends the watch with exit 0: {status}");
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        panic!("vigie watch did not exit on SIGINT");
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn host_root_mount_is_reported_and_enforced() {
    require_engine();
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let name = unique_name("watch-root");
    // Only this test's container: other suites may run violating containers meanwhile.
    let label = format!("io.vigie.watch-test={name}");
    let args = [
        "--format",
        "json",
        "--fail-on",
        "critical",
        "--enforce",
        "stop",
        "--label",
        &label,
    ];
    let watch = Watch::start(&args);
    let _guard = ContainerGuard(name.clone());
    let create = [
        "create", "--name", &name, "--label", TEST_LABEL, "--label", &label, "-v", "/:/mnt",
    ];
    let out = docker(&[&create[..], &[LAB_IMAGE, "sleep", "120"]].concat());
    assert!(out.status.success());
    let finding = watch.wait_line("finding", |v| {
        v["container"] == name.as_str() && v["finding"]["rule_id"] == "VGI-CTR-004"
    });
    assert_eq!(finding["event"], "create");
    assert_eq!(finding["finding"]["severity"], "critical");
    let latency = finding["printed_time_nano"].as_i64().unwrap() - finding["event_time_nano"].as_i64().unwrap();
    assert!(latency > 0 && latency < 5_000_000_000, "reaction {latency} ns");

    assert!(docker(&["start", &name]).status.success());
    let enforced = watch.wait_line("enforce", |v| v["container"] == name.as_str() && v["enforce"] == "stop");
    assert_eq!(enforced["result"], "ok", "{enforced}");
    assert!(
        enforced["rules"].as_array().unwrap().iter().any(|r| r == "VGI-CTR-004"),
        "{enforced}"
    );
    let state = docker(&["inspect", "-f", "{{.State.Running}}", &name]);
    assert_eq!(
        String::from_utf8_lossy(&state.stdout).trim(),
        "false",
        "the violating container was stopped"
    );
    watch.interrupt();
}

#[test]
fn compliant_container_is_left_running() {
    require_engine();
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let name = unique_name("watch-ok");
    let label = format!("io.vigie.watch-test={name}");
    let args = [
        "--format",
        "json",
        "--fail-on",
        "critical",
        "--enforce",
        "pause",
        "--label",
        &label,
    ];
    let watch = Watch::start(&args);
    let _guard = ContainerGuard(name.clone());
    let run = ["run", "-d", "--name", &name, "--label", TEST_LABEL, "--label", &label];
    let out = docker(&[&run[..], &[LAB_IMAGE, "sleep", "120"]].concat());
    assert!(out.status.success());
    // Its findings (no limits, root…) are printed, none critical: no enforcement.
    watch.wait_line("finding", |v| v["container"] == name.as_str() && v["event"] == "create");
    std::thread::sleep(Duration::from_millis(1500));
    let state = docker(&["inspect", "-f", "{{.State.Status}}", &name]);
    assert_eq!(String::from_utf8_lossy(&state.stdout).trim(), "running");
    while let Ok(line) = watch.lines.try_recv() {
        assert!(!line.contains("\"enforce\""), "no enforcement expected: {line}");
    }
    watch.interrupt();
}

#[test]
fn enforce_requires_fail_on_and_engine_down_is_exit_2() {
    let out = common::vigie().args(["watch", "--enforce", "stop"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = common::vigie()
        .args(["--engine", "unix:///nonexistent/docker.sock", "watch"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot reach the Docker engine"));
}
