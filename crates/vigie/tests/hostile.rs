//! Hostile strings from outside never reach the terminal raw: a privileged
//! container whose bind-mount destination carries escape sequences that would
//! erase the lines above it (the attack issue 13 measured: its header and both
//! CRITICAL findings vanished), and a label with a bidi override. The table
//! shows the escapes as text, a real terminal (tmux) shows every finding, and
//! JSON keeps the exact value.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failed step is a failed test

mod common;

use common::{LAB_IMAGE, Tmux, create, require_engine, unique_name, vigie};

/// Erase the line, move up, erase… four times: without the sanitiser the
/// header and the findings above the evidence line disappear on screen.
const ERASE_UP: &str = "/x\u{1b}[2K\u{1b}[1A\u{1b}[2K\u{1b}[1A\u{1b}[2K\u{1b}[1A\u{1b}[2K\u{1b}[1A\u{1b}[2Kq";

fn hostile_container() -> (String, common::ContainerGuard) {
    require_engine();
    let name = unique_name("hostile");
    let volume = format!("/:{ERASE_UP}");
    let guard = create(
        &name,
        &["--privileged", "-v", &volume, "--label", "owner=\u{202e}nimda"],
        LAB_IMAGE,
        &["true"],
    );
    (name, guard)
}

#[test]
fn table_shows_escapes_as_text_and_json_keeps_the_value() {
    let (name, _guard) = hostile_container();
    let out = vigie().args(["audit", &name, "--no-host"]).output().unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(!table.contains('\u{1b}') && !table.contains('\u{202e}'), "{table:?}");
    assert!(
        table.contains("VGI-CTR-001") && table.contains("VGI-CTR-004"),
        "{table}"
    );
    assert!(table.contains("/x\\x1b[2K\\x1b[1A"), "{table}");

    let out = vigie()
        .args(["audit", &name, "--no-host", "-f", "json"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mount = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "VGI-CTR-004")
        .unwrap();
    assert!(mount["message"].as_str().unwrap().contains(ERASE_UP), "{mount}");
}

#[test]
fn a_real_terminal_shows_every_finding() {
    let (name, _guard) = hostile_container();
    let bin = assert_cmd::cargo::cargo_bin("vigie");
    let tmux = Tmux::start(&format!(
        "{} audit {name} --no-host --brief; echo AUDIT-DONE; sleep 30",
        bin.display()
    ));
    let screen = tmux.wait_for("AUDIT-DONE", 30);
    for expected in [
        format!("{name}  (3 critical"),
        "CRITICAL VGI-CTR-001".to_string(),
        "CRITICAL VGI-CTR-004".to_string(),
        "CRITICAL VGI-CTR-006".to_string(),
    ] {
        assert!(screen.contains(&expected), "'{expected}' not on screen:\n{screen}");
    }
}

#[test]
fn warnings_and_errors_are_sanitised_too() {
    let out = vigie()
        .args(["audit", "--from-inspect", "/nonexistent/\u{1b}]0;pwned\u{7}.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
    assert!(err.contains("\\x1b]0;pwned\\x07"), "{err}");
}
