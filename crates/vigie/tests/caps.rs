//! `vigie caps`: masks, status files, processes, containers, errors, capsh parity.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use predicates::prelude::*;

const LAB_STATUS: &str = include_str!("fixtures/lab-status.txt");

#[test]
fn lab_mask_flags_sys_admin_as_added() {
    let out = vigie().args(["caps", "00000000a82425fb"]).assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(text.contains("added CAP_SYS_ADMIN; removed -"), "{text}");
    assert!(text.contains("! CRITICAL CAP_SYS_ADMIN"), "{text}");
    assert!(
        text.contains("not the full set, but exceeds Docker's default set"),
        "{text}"
    );
}

#[test]
fn lab_mask_json() {
    let out = vigie()
        .args(["caps", "0xa82425fb", "--last-cap", "40", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let set = &v["sets"][0];
    assert_eq!(set["mask"], "00000000a82425fb");
    assert_eq!(set["added"], serde_json::json!(["CAP_SYS_ADMIN"]));
    assert_eq!(set["removed"], serde_json::json!([]));
    assert_eq!(set["capabilities"].as_array().unwrap().len(), 15);
    assert!(
        set["dangerous"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["name"] == "CAP_SYS_ADMIN" && d["severity"] == "critical")
    );
    assert_eq!(v["privileged_verdict"]["full_set"], false);
}

#[test]
fn table_snapshot_of_lab_status_file() {
    let out = vigie()
        .args(["caps", "--status-file", "-", "--last-cap", "40"])
        .write_stdin(LAB_STATUS)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stdout));
}

#[test]
fn full_set_verdict_follows_the_kernel() {
    for (mask, last, full) in [
        ("3fffffffff", "37", true),
        ("3fffffffff", "40", false),
        ("1ffffffffff", "40", true),
    ] {
        let out = vigie()
            .args(["caps", mask, "--last-cap", last, "-f", "json"])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            v["privileged_verdict"]["full_set"], full,
            "{mask} on cap_last_cap {last}"
        );
    }
}

#[test]
fn unknown_bits_are_kept() {
    let out = vigie()
        .args(["caps", "0x8000000000000001", "-f", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["sets"][0]["capabilities"], serde_json::json!(["CAP_CHOWN", "bit 63"]));
}

#[test]
fn own_process() {
    let pid = std::process::id().to_string();
    let out = vigie().args(["caps", "--pid", &pid, "-f", "json"]).output().unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["sets"].as_array().unwrap().len(), 5);
    assert!(v["uid"].is_array());
    assert!(v["seccomp"]["meaning"].is_string());
}

#[test]
fn errors_are_one_line_exit_2() {
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["caps", "xyz"], "invalid capability mask 'xyz'"),
        (vec!["caps", "1ffffffffffffffff"], "does not fit in 64 bits"),
        (vec!["caps", "--pid", "4000000"], "no such process: pid 4000000"),
        (
            vec!["caps", "--status-file", "/nonexistent/status"],
            "cannot read /nonexistent/status",
        ),
        (vec!["caps"], "nothing to decode"),
        (
            vec!["caps", "--container", "x", "--engine", "unix:///nonexistent.sock"],
            "cannot reach the Docker engine",
        ),
    ];
    for (args, message) in cases {
        let out = vigie().args(&args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(message), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
    }
}

#[test]
fn malformed_status_file_names_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("status");
    std::fs::write(&path, "Name:\tcat\nCapEff:\tnot-hex\n").unwrap();
    vigie()
        .args(["caps", "--status-file"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("line 2: invalid value for CapEff"));
    std::fs::write(&path, [0xff, 0xfe, 0x00]).unwrap();
    vigie()
        .args(["caps", "--status-file"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a text file"));
    std::fs::write(&path, "Name:\tcat\n").unwrap();
    vigie()
        .args(["caps", "--status-file"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no capability lines"));
}

#[test]
fn decode_matches_capsh_on_a_few_masks() {
    for mask in ["a82425fb", "0", "1ffffffffff", "ffffffffffffffff", "0x200000000000"] {
        let ours = vigie().args(["caps", "--decode", mask]).output().unwrap();
        let capsh = std::process::Command::new("capsh")
            .arg(format!("--decode={mask}"))
            .output();
        let capsh = capsh.expect("capsh missing: scripts/lib/peers-caps.sh installs libcap2-bin");
        assert_eq!(
            String::from_utf8_lossy(&ours.stdout),
            String::from_utf8_lossy(&capsh.stdout),
            "mask {mask}"
        );
    }
}

#[test]
fn container_running_and_created() {
    require_engine();
    let running = unique_name("caps-run");
    let _g1 = create(
        &running,
        &["--cap-add", "SYS_ADMIN", "--cap-drop", "NET_RAW"],
        LAB_IMAGE,
        &["sleep", "60"],
    );
    assert!(docker(&["start", &running]).status.success());
    let out = vigie()
        .args(["caps", "--container", &running, "-f", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let eff = v["sets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["field"] == "CapEff")
        .unwrap();
    assert_eq!(eff["added"], serde_json::json!(["CAP_SYS_ADMIN"]));
    assert_eq!(eff["removed"], serde_json::json!(["CAP_NET_RAW"]));
    // Engines store CapAdd as given (SYS_ADMIN) or normalised (CAP_SYS_ADMIN, 20.10+).
    let cap_add = v["container"]["cap_add"][0].as_str().unwrap();
    assert_eq!(cap_add.trim_start_matches("CAP_"), "SYS_ADMIN");
    assert_eq!(v["container"]["configured_effective"], "00000000a82405fb");

    let created = unique_name("caps-created");
    let _g2 = create(
        &created,
        &["--cap-drop", "ALL", "--cap-add", "NET_BIND_SERVICE"],
        LAB_IMAGE,
        &["true"],
    );
    let out = vigie().args(["caps", "--container", &created]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(text.contains("configured 0000000000000400"), "{text}");
    assert!(text.contains("state created"), "{text}");

    vigie()
        .args(["caps", "--container", "vigie-no-such-container-xyz"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no such container: vigie-no-such-container-xyz",
        ));
}

#[test]
fn docker_cli_plugin() {
    let home = tempfile::tempdir().unwrap();
    let plugins = home.path().join(".docker/cli-plugins");
    std::fs::create_dir_all(&plugins).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("vigie");
    std::os::unix::fs::symlink(&bin, plugins.join("docker-vigie")).unwrap();
    let meta = std::process::Command::new(plugins.join("docker-vigie"))
        .arg("docker-cli-plugin-metadata")
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&meta.stdout).unwrap();
    assert_eq!(v["SchemaVersion"], "0.1.0");
    assert_eq!(v["Vendor"], "vigie");
    let out = std::process::Command::new("docker")
        .env("HOME", home.path())
        .env("DOCKER_CONFIG", home.path().join(".docker"))
        .args(["vigie", "caps", "a82425fb"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("added CAP_SYS_ADMIN"));
}

#[test]
fn version_and_completions() {
    vigie()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("vigie "));
    for shell in ["bash", "zsh", "fish"] {
        vigie()
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains("caps"));
    }
}

#[test]
fn output_to_a_device_keeps_the_device() {
    use std::os::unix::fs::FileTypeExt;
    let out = vigie().args(["inside", "-o", "/dev/null"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::metadata("/dev/null").unwrap().file_type().is_char_device());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.json");
    vigie()
        .args(["inside", "-f", "json", "-o"])
        .arg(&file)
        .assert()
        .success();
    assert!(serde_json::from_slice::<serde_json::Value>(&std::fs::read(&file).unwrap()).is_ok());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temporary file left"
    );
}
