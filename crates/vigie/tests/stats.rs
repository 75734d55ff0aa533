//! `vigie stats` against the real engine: CPU % checked against `docker stats
//! --no-stream` on a busy container, JSON lines, the live table picking up a
//! container started during the run, and a clean SIGINT exit.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failed step is a failed test

mod common;

use common::{LAB_IMAGE, create, docker, require_engine, unique_name, vigie};
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Duration;

fn start(name: &str) {
    let out = docker(&["start", name]);
    assert!(
        out.status.success(),
        "docker start {name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Both tools sample over their own one-second window on a shared, loaded
/// machine, so they are compared within 20 percentage points (a busy loop
/// reads between 30 and 100 % here), and the idle container must read under 5 %.
const CPU_TOLERANCE: f64 = 20.0;

#[test]
fn cpu_percent_matches_docker_stats_on_a_busy_container() {
    require_engine();
    let busy = unique_name("stats-busy");
    let idle = unique_name("stats-idle");
    let _b = create(&busy, &[], LAB_IMAGE, &["sh", "-c", "while :; do :; done"]);
    let _i = create(&idle, &[], LAB_IMAGE, &["sleep", "120"]);
    start(&busy);
    start(&idle);
    std::thread::sleep(Duration::from_millis(1500));
    let docker_busy = busy.clone();
    let peer = std::thread::spawn(move || docker(&["stats", "--no-stream", "--format", "{{.CPUPerc}}", &docker_busy]));
    let out = vigie()
        .args(["stats", "--no-stream", "--format", "json", &busy, &idle])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let peer = peer.join().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    let get = |name: &str| lines.iter().find(|l| l["name"] == name).unwrap().clone();
    let (b, i) = (get(&busy), get(&idle));
    let ours = b["cpu_percent"].as_f64().unwrap();
    let theirs: f64 = String::from_utf8_lossy(&peer.stdout)
        .trim()
        .trim_end_matches('%')
        .parse()
        .unwrap();
    assert!(ours > 10.0, "a busy loop uses CPU: {ours}");
    assert!(
        (ours - theirs).abs() <= CPU_TOLERANCE,
        "vigie {ours:.2}% vs docker {theirs:.2}%"
    );
    assert!(i["cpu_percent"].as_f64().unwrap() < 5.0, "{i}");
    for l in [&b, &i] {
        assert!(
            l["memory_usage"].as_u64().unwrap() > 0 && l["memory_limit"].as_u64().unwrap() > 0,
            "{l}"
        );
        assert!(l["pids"].as_u64().unwrap() >= 1, "{l}");
        assert!(l["time"].as_str().unwrap().ends_with('Z'), "{l}");
    }
}

#[test]
fn live_table_follows_containers_and_exits_on_sigint() {
    require_engine();
    let first = unique_name("stats-a");
    let second = unique_name("stats-b");
    let _a = create(&first, &[], LAB_IMAGE, &["sleep", "120"]);
    let _b = create(&second, &[], LAB_IMAGE, &["sleep", "120"]);
    start(&first);
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("vigie"))
        .args(["stats", "--interval", "0.5"])
        .env_remove("COLUMNS")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    start(&second);
    std::thread::sleep(Duration::from_millis(3500));
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let mut status = None;
    for _ in 0..100 {
        if let Some(s) = child.try_wait().unwrap() {
            status = Some(s);
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let Some(status) = status else {
        let _ = child.kill();
        panic!("vigie stats did not exit on SIGINT");
    };
    let mut stdout = String::new();
    child.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
    assert!(status.success(), "exit on SIGINT is clean");
    let tables: Vec<&str> = stdout.split("CONTAINER ID").skip(1).collect();
    assert!(tables.len() >= 3, "refreshes: {stdout}");
    assert!(
        tables[0].contains(&first) && !tables[0].contains(&second),
        "{}",
        tables[0]
    );
    assert!(
        tables.last().unwrap().contains(&second),
        "a container started during the run appears:\n{stdout}"
    );
}

/// Run `vigie stats ARGS` live for `secs`, then SIGINT; its stdout.
fn live_for(args: &[&str], env: &[(&str, &str)], secs: f64) -> String {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("vigie"));
    command.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().unwrap();
    std::thread::sleep(Duration::from_secs_f64(secs));
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    for _ in 0..100 {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let mut stdout = String::new();
    child.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
    stdout
}

#[test]
fn json_lines_carry_each_sample_once_and_tables_fit_the_width() {
    require_engine();
    let name = unique_name("stats-once");
    let _g = create(&name, &[], LAB_IMAGE, &["sleep", "120"]);
    start(&name);
    // Refreshing 4 times a second while the engine samples about once a
    // second: a line per new sample, never the same sample twice.
    let stdout = live_for(&["stats", "--format", "json", "--interval", "0.25", &name], &[], 4.5);
    let reads: Vec<String> = stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|l| l["read"].as_str().unwrap().to_string())
        .collect();
    assert!(reads.len() >= 2, "{stdout}");
    let mut unique = reads.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), reads.len(), "a sample repeated: {reads:?}");
    assert!(reads.len() <= 8, "more lines than the engine has samples: {reads:?}");
    // COLUMNS=80 (a pipe has no terminal size): every line fits.
    let out = vigie()
        .args(["stats", "--no-stream", &name])
        .env("COLUMNS", "80")
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(table.contains(&name) && table.contains("MEM USAGE / LIMIT"), "{table}");
    for line in table.lines() {
        assert!(line.chars().count() <= 80, "{line:?}");
    }
}

#[test]
fn stopped_or_missing_container_is_exit_2() {
    require_engine();
    let name = unique_name("stats-stopped");
    let _g = create(&name, &[], LAB_IMAGE, &["true"]);
    for target in [name.as_str(), "vigie-test-no-such-container"] {
        let out = vigie().args(["stats", "--no-stream", target]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}

/// A stats stream that stalls while its connection stays open (a proxy
/// that stops forwarding after 2 s): the container's lines say `stale`
/// instead of repeating its last numbers as if live.
#[test]
fn a_stalled_stats_stream_is_marked_stale() {
    require_engine();
    let dir = tempfile::tempdir().unwrap();
    let engine = common::filter_proxy(dir.path(), |path| {
        if path.contains("/stats") {
            common::Action::FreezeAfter(Duration::from_secs(2))
        } else {
            common::Action::Forward
        }
    });
    let name = unique_name("stats-stale");
    let _g = create(&name, &[], LAB_IMAGE, &["sleep", "60"]);
    start(&name);
    let stdout = live_for(
        &[
            "--engine",
            &engine,
            "stats",
            "--format",
            "json",
            "--interval",
            "0.5",
            &name,
        ],
        &[],
        9.0,
    );
    let lines: Vec<serde_json::Value> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(
        lines.iter().any(|l| l.get("cpu_percent").is_some()),
        "a live sample first: {stdout}"
    );
    let stale: Vec<&serde_json::Value> = lines.iter().filter(|l| l["stale"] == true).collect();
    assert!(!stale.is_empty(), "the stall is reported: {stdout}");
    assert!(
        stale
            .iter()
            .all(|l| l["silent_seconds"].as_u64().unwrap() >= 3 && l["name"] == name.as_str())
    );
    // The table marks it too.
    let table = live_for(
        &["--engine", &engine, "stats", "--interval", "0.5", &name],
        &[("COLUMNS", "200")],
        7.0,
    );
    assert!(table.contains("(stale "), "{table}");
}
