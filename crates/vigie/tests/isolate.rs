//! `vigie isolate` against the real engine (lab §2.4): two containers on a
//! user-defined bridge, one pinging the other; isolation drops its traffic to
//! 0 and leaves only `lo`; `--restore` (from the state file) brings it back.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failed step is a failed test

mod common;

use common::{LAB_IMAGE, create, docker, require_engine, unique_name, vigie};

struct NetworkGuard(String);

impl Drop for NetworkGuard {
    fn drop(&mut self) {
        let _ = docker(&["network", "rm", &self.0]);
    }
}

fn ping_ok(from: &str, ip: &str) -> bool {
    docker(&["exec", from, "ping", "-c", "1", "-W", "2", ip])
        .status
        .success()
}

#[test]
fn isolation_stops_traffic_and_restore_brings_it_back() {
    require_engine();
    let network = unique_name("isolate-net");
    let out = docker(&["network", "create", "--label", common::TEST_LABEL, &network]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let _net = NetworkGuard(network.clone());
    let target = unique_name("isolate-target");
    let pinger = unique_name("isolate-pinger");
    let net_flag = format!("--network={network}");
    let _t = create(&target, &[&net_flag], LAB_IMAGE, &["sleep", "120"]);
    assert!(docker(&["start", &target]).status.success());
    let ip_out = docker(&[
        "inspect",
        "-f",
        &format!("{{{{(index .NetworkSettings.Networks \"{network}\").IPAddress}}}}"),
        &target,
    ]);
    let ip = String::from_utf8_lossy(&ip_out.stdout).trim().to_string();
    assert!(!ip.is_empty());
    let _p = create(
        &pinger,
        &[&net_flag],
        LAB_IMAGE,
        &["sh", "-c", &format!("while :; do ping -i 0.2 {ip}; sleep 0.2; done")],
    );
    assert!(docker(&["start", &pinger]).status.success());
    std::thread::sleep(std::time::Duration::from_millis(800));
    assert!(ping_ok(&pinger, &ip));

    let state = tempfile::tempdir().unwrap();
    let out = vigie()
        .env("VIGIE_STATE_DIR", state.path())
        .args(["isolate", &pinger, "--verify", "2"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(&format!("disconnected {pinger} from {network}")),
        "{stdout}"
    );
    assert!(stdout.contains("interfaces now: lo "), "{stdout}");
    assert!(stdout.contains("after: 0 / 0 B/s"), "{stdout}");
    let before: f64 = stdout
        .split("rx/tx before: ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap();
    assert!(before > 0.0, "traffic before isolation: {stdout}");
    assert!(!ping_ok(&pinger, &ip), "no traffic once isolated");
    let records: Vec<_> = std::fs::read_dir(state.path().join("isolated")).unwrap().collect();
    assert_eq!(records.len(), 1, "the record survives vigie's exit");

    let out = vigie()
        .env("VIGIE_STATE_DIR", state.path())
        .args(["isolate", "--restore", &pinger])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(&format!("reconnected {pinger} to {network}")),
        "{stdout}"
    );
    assert!(ping_ok(&pinger, &ip), "traffic is back after --restore");
    assert_eq!(std::fs::read_dir(state.path().join("isolated")).unwrap().count(), 0);

    // A second restore has nothing to restore.
    let out = vigie()
        .env("VIGIE_STATE_DIR", state.path())
        .args(["isolate", "--restore", &pinger])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn host_network_and_missing_container_are_exit_2() {
    require_engine();
    let name = unique_name("isolate-host");
    let _g = create(&name, &["--network=host"], LAB_IMAGE, &["sleep", "60"]);
    let state = tempfile::tempdir().unwrap();
    for (target, expected) in [
        (name.as_str(), "network mode 'host'"),
        ("vigie-test-no-such", "no such container"),
    ] {
        let out = vigie()
            .env("VIGIE_STATE_DIR", state.path())
            .args(["isolate", target])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
    }
}
