//! `vigie watch` against the real engine: a container created with `-v /:/mnt`
//! produces its finding as it happens; with `--enforce stop` the started
//! violating container is stopped; SIGINT ends the watch cleanly.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failed step is a failed test

mod common;

use common::{Action, ContainerGuard, LAB_IMAGE, TEST_LABEL, docker, filter_proxy, require_engine, unique_name};
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
fn accepted_risk_of_the_audit_config_is_not_enforced() {
    require_engine();
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let name = unique_name("watch-accepted");
    let label = format!("io.vigie.watch-test={name}");
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("vigie.toml");
    std::fs::write(
        &config,
        format!(
            "[[audit.accept]]\nrule = \"VGI-CTR-004\"\ntarget = \"{name}\"\nreason = \"backup agent reads the host\"\nexpires = \"2999-12-31\"\n"
        ),
    )
    .unwrap();
    let config = config.to_string_lossy().to_string();
    let args = [
        "--format",
        "json",
        "--fail-on",
        "critical",
        "--enforce",
        "stop",
        "--label",
        &label,
        "--config",
        &config,
    ];
    let watch = Watch::start(&args);
    let _guard = ContainerGuard(name.clone());
    let run = [
        "run", "-d", "--name", &name, "--label", TEST_LABEL, "--label", &label, "-v", "/:/mnt",
    ];
    let out = docker(&[&run[..], &[LAB_IMAGE, "sleep", "120"]].concat());
    assert!(out.status.success());
    // The finding is printed, marked accepted, and the container keeps running.
    let finding = watch.wait_line("finding", |v| {
        v["container"] == name.as_str() && v["finding"]["rule_id"] == "VGI-CTR-004"
    });
    assert_eq!(
        finding["finding"]["suppressed"]["reason"],
        "backup agent reads the host"
    );
    std::thread::sleep(Duration::from_millis(1500));
    let state = docker(&["inspect", "-f", "{{.State.Status}}", &name]);
    assert_eq!(String::from_utf8_lossy(&state.stdout).trim(), "running");
    while let Ok(line) = watch.lines.try_recv() {
        assert!(
            !line.contains("\"enforce\""),
            "an accepted risk is not enforced: {line}"
        );
    }
    watch.interrupt();
}

#[test]
fn unknown_rule_is_an_error_in_watch() {
    let out = common::vigie()
        .args(["watch", "--skip-rules", "VGI-CTR-999"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown rule 'VGI-CTR-999'"));
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

/// A unix-socket proxy in front of the real engine that the test can take
/// down and bring back: an engine outage as `vigie watch` sees it, without
/// restarting the engine every other test shares.
struct EngineProxy {
    path: std::path::PathBuf,
    up: std::sync::Arc<std::sync::atomic::AtomicBool>,
    conns: std::sync::Arc<std::sync::Mutex<Vec<std::os::unix::net::UnixStream>>>,
    acceptor: Option<std::thread::JoinHandle<()>>,
}

impl EngineProxy {
    fn new(path: std::path::PathBuf) -> EngineProxy {
        let mut p = EngineProxy {
            path,
            up: Default::default(),
            conns: Default::default(),
            acceptor: None,
        };
        p.start();
        p
    }

    fn start(&mut self) {
        use std::os::unix::net::{UnixListener, UnixStream};
        use std::sync::atomic::Ordering;
        let _ = std::fs::remove_file(&self.path);
        let listener = UnixListener::bind(&self.path).unwrap();
        listener.set_nonblocking(true).unwrap();
        self.up.store(true, Ordering::SeqCst);
        let (up, conns) = (self.up.clone(), self.conns.clone());
        self.acceptor = Some(std::thread::spawn(move || {
            while up.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((client, _)) => {
                        client.set_nonblocking(false).unwrap();
                        let Ok(engine) = UnixStream::connect("/var/run/docker.sock") else {
                            continue;
                        };
                        let mut list = conns.lock().unwrap();
                        list.push(client.try_clone().unwrap());
                        list.push(engine.try_clone().unwrap());
                        for (mut from, mut to) in [
                            (client.try_clone().unwrap(), engine.try_clone().unwrap()),
                            (engine, client),
                        ] {
                            std::thread::spawn(move || {
                                let _ = std::io::copy(&mut from, &mut to);
                                let _ = to.shutdown(std::net::Shutdown::Both);
                            });
                        }
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        }));
    }

    /// The engine "goes away": no new connections, every open one cut.
    fn stop(&mut self) {
        self.up.store(false, std::sync::atomic::Ordering::SeqCst);
        if let Some(t) = self.acceptor.take() {
            t.join().unwrap();
        }
        let _ = std::fs::remove_file(&self.path);
        for c in self.conns.lock().unwrap().drain(..) {
            let _ = c.shutdown(std::net::Shutdown::Both);
        }
    }
}

impl Drop for EngineProxy {
    fn drop(&mut self) {
        self.stop();
    }
}

#[test]
fn reconnects_after_an_engine_outage_and_audits_what_happened_meanwhile() {
    require_engine();
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let mut proxy = EngineProxy::new(dir.path().join("engine.sock"));
    let engine = format!("unix://{}", proxy.path.display());
    let name = unique_name("watch-outage");
    let label = format!("io.vigie.watch-test={name}");
    let watch = Watch::start(&["--engine", &engine, "--format", "json", "--label", &label]);

    proxy.stop();
    let lost = Instant::now() + Duration::from_secs(20);
    loop {
        let line = watch
            .errors
            .recv_timeout(lost.saturating_duration_since(Instant::now()))
            .expect("vigie watch notices the outage");
        if line.contains("retrying") {
            break;
        }
    }
    // Created while vigie cannot see the engine.
    let during = format!("{name}-during");
    let _g1 = ContainerGuard(during.clone());
    let create = [
        "create", "--name", &during, "--label", TEST_LABEL, "--label", &label, "-v", "/:/mnt",
    ];
    assert!(docker(&[&create[..], &[LAB_IMAGE, "true"]].concat()).status.success());
    std::thread::sleep(Duration::from_millis(1100)); // a later second than the outage began

    proxy.start();
    let finding = watch.wait_line("finding for the container created during the outage", |v| {
        v["container"] == during.as_str() && v["finding"]["rule_id"] == "VGI-CTR-004"
    });
    assert_eq!(finding["event"], "create");
    let after = format!("{name}-after");
    let _g2 = ContainerGuard(after.clone());
    let create = [
        "create", "--name", &after, "--label", TEST_LABEL, "--label", &label, "-v", "/:/mnt",
    ];
    assert!(docker(&[&create[..], &[LAB_IMAGE, "true"]].concat()).status.success());
    watch.wait_line("finding after the reconnect", |v| {
        v["container"] == after.as_str() && v["finding"]["rule_id"] == "VGI-CTR-004"
    });
    let mut notes = Vec::new();
    while let Ok(line) = watch.errors.try_recv() {
        notes.push(line);
    }
    assert!(
        notes.iter().any(|l| l.contains("watching")),
        "announces the new connection: {notes:?}"
    );
    watch.interrupt();
}

/// A started container whose inspect fails is an alert, and with
/// `--enforce stop` it is stopped (fail closed); `--enforce-on-error allow`
/// only alerts.
#[test]
fn a_container_that_cannot_be_inspected_is_an_alert_and_enforced() {
    require_engine();
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    // Every container inspect fails; listing, events and stop work.
    let engine = filter_proxy(dir.path(), |path| {
        let p = path.split('?').next().unwrap_or("");
        if p.contains("/containers/") && p.ends_with("/json") && !p.ends_with("/containers/json") {
            Action::Fail
        } else {
            Action::Forward
        }
    });
    for (policy, stopped) in [("enforce", true), ("allow", false)] {
        let name = unique_name("watch-uninspectable");
        let label = format!("io.vigie.watch-test={name}");
        let watch = Watch::start(&[
            "--engine",
            &engine,
            "--format",
            "json",
            "--label",
            &label,
            "--fail-on",
            "critical",
            "--enforce",
            "stop",
            "--enforce-on-error",
            policy,
        ]);
        let _g = ContainerGuard(name.clone());
        let run = docker(&[
            "run", "-d", "--name", &name, "--label", TEST_LABEL, "--label", &label, LAB_IMAGE, "sleep", "60",
        ]);
        assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
        let alert = watch.wait_line("an alert for the container that cannot be inspected", |v| {
            v["container"] == name.as_str() && v["event"] == "start" && v["error"].is_string()
        });
        assert!(alert["error"].as_str().unwrap().contains("cannot audit"), "{alert}");
        if stopped {
            assert_eq!(alert["enforce"], "stop", "{alert}");
            assert_eq!(alert["result"], "ok", "{alert}");
        } else {
            assert!(alert["enforce"].is_null(), "{alert}");
        }
        std::thread::sleep(Duration::from_millis(500));
        let state = docker(&["inspect", "-f", "{{.State.Running}}", &name]);
        assert_eq!(
            String::from_utf8_lossy(&state.stdout).trim(),
            if stopped { "false" } else { "true" },
            "--enforce-on-error {policy}"
        );
        watch.interrupt();
    }
}

/// The live event stream freezes (connection open, nothing delivered): the
/// stall check finds the events the engine has and the stream did not
/// deliver, audits them, and reconnects; each container is reported once.
#[test]
fn a_stalled_event_stream_is_detected_and_nothing_is_missed() {
    require_engine();
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    // The streaming /events request freezes; the bounded queries (until=) pass.
    let engine = filter_proxy(dir.path(), |path| {
        if path.contains("/events") && !path.contains("until=") {
            Action::Freeze
        } else {
            Action::Forward
        }
    });
    let base = unique_name("watch-stall");
    let label = format!("io.vigie.watch-test={base}");
    let watch = Watch::start(&[
        "--engine",
        &engine,
        "--format",
        "json",
        "--label",
        &label,
        "--stall-check",
        "1",
    ]);
    let names: Vec<String> = (0..3).map(|i| format!("{base}-{i}")).collect();
    let _guards: Vec<ContainerGuard> = names.iter().map(|n| ContainerGuard(n.clone())).collect();
    for n in &names {
        let create = [
            "create", "--name", n, "--label", TEST_LABEL, "--label", &label, "-v", "/:/mnt", LAB_IMAGE, "true",
        ];
        assert!(docker(&create).status.success());
    }
    let started = Instant::now();
    let mut found: std::collections::BTreeMap<String, usize> = Default::default();
    let deadline = Instant::now() + Duration::from_secs(25);
    while found.len() < 3 || Instant::now() < started + Duration::from_secs(6) {
        let Some(left) = deadline.checked_duration_since(Instant::now()) else {
            break;
        };
        let Ok(line) = watch.lines.recv_timeout(left.min(Duration::from_secs(1))) else {
            if found.len() == 3 {
                break;
            }
            continue;
        };
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        if v["finding"]["rule_id"] == "VGI-CTR-004" {
            *found.entry(v["container"].as_str().unwrap().to_string()).or_default() += 1;
        }
    }
    assert_eq!(
        found.len(),
        3,
        "every container reported through a frozen stream: {found:?}"
    );
    assert!(found.values().all(|n| *n == 1), "each once: {found:?}");
    let mut notes = Vec::new();
    while let Ok(line) = watch.errors.try_recv() {
        notes.push(line);
    }
    assert!(notes.iter().any(|l| l.contains("stalled")), "{notes:?}");
    watch.interrupt();
}
