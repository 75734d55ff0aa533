//! `vigie inside` in real containers: the static binary mounted read-only
//! into alpine:3.10, one container per posture of the lab.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use serde_json::Value;

struct Run {
    json: Option<Value>,
    stderr: String,
    refused: bool,
}

/// `docker run --rm` the static vigie in alpine with `options`; returns its JSON report.
fn inside(tag: &str, options: &[&str]) -> Run {
    require_engine();
    let bin = static_vigie();
    let name = unique_name(&format!("inside-{tag}"));
    let _guard = ContainerGuard(name.clone());
    let mount = format!("{}:/vigie:ro", bin.display());
    let mut args = vec!["run", "--rm", "--name", &name, "--label", TEST_LABEL, "-v", &mount];
    args.extend_from_slice(options);
    args.extend_from_slice(&[LAB_IMAGE, "/vigie", "inside", "--format", "json"]);
    let out = docker(&args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let refused = !out.status.success() && out.stdout.is_empty();
    let json = serde_json::from_slice(&out.stdout).ok();
    Run { json, stderr, refused }
}

fn report(tag: &str, options: &[&str]) -> Value {
    let run = inside(tag, options);
    run.json
        .unwrap_or_else(|| panic!("{tag}: no JSON report; stderr: {}", run.stderr))
}

fn findings(v: &Value) -> Vec<(String, String, String)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn has(v: &Value, id: &str) -> bool {
    findings(v).iter().any(|(r, _, _)| r == id)
}

fn severity_of(v: &Value, id: &str) -> String {
    findings(v)
        .into_iter()
        .find(|(r, _, _)| r == id)
        .map(|(_, s, _)| s)
        .unwrap_or_default()
}

fn high_or_critical(v: &Value) -> Vec<(String, String, String)> {
    findings(v)
        .into_iter()
        .filter(|(_, s, _)| s == "high" || s == "critical")
        .collect()
}

#[test]
fn default_alpine() {
    let v = report("default", &[]);
    let env = &v["context"]["environment"];
    assert_eq!(env["in_container"], true);
    assert_eq!(env["runtime"], "docker");
    assert_eq!(env["cap_eff"], "00000000a80425fb");
    assert_eq!(env["seccomp"], 2);
    assert!(env["seccomp_filters"].as_u64().unwrap() >= 1);
    assert!(
        !has(&v, "VGI-INS-010") && !has(&v, "VGI-INS-011") && !has(&v, "VGI-INS-012"),
        "no host mounts: {v}"
    );
    assert!(high_or_critical(&v).is_empty(), "{:?}", high_or_critical(&v));
    assert!(has(&v, "VGI-INS-004"), "NoNewPrivs 0 reported");
}

#[test]
fn lab_sys_admin() {
    let v = report("sysadmin", &["--cap-add", "SYS_ADMIN"]);
    assert_eq!(v["context"]["environment"]["cap_eff"], "00000000a82425fb");
    let sys_admin = findings(&v)
        .into_iter()
        .find(|(id, _, m)| id == "VGI-INS-002" && m.contains("CAP_SYS_ADMIN"))
        .expect("CAP_SYS_ADMIN flagged");
    assert_eq!(sys_admin.1, "critical");
    if v["context"]["environment"]["cgroup_version"] == 1 {
        assert!(has(&v, "VGI-INS-015"), "release_agent preconditions on cgroup v1");
    }
}

#[test]
fn host_root_mount() {
    let v = report("hostroot", &["-v", "/:/mnt"]);
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "VGI-INS-010")
        .expect("host root");
    assert_eq!(f["severity"], "critical");
    let line = f["evidence"][0]["value"].as_str().unwrap();
    assert!(line.contains(" / /mnt "), "mountinfo line as evidence: {line}");
    // The docker socket is reachable through the host root too.
    assert!(has(&v, "VGI-INS-012"));
}

#[test]
fn docker_socket() {
    let v = report("sock", &["-v", "/var/run/docker.sock:/var/run/docker.sock"]);
    assert_eq!(severity_of(&v, "VGI-INS-012"), "critical");
}

#[test]
fn host_pid() {
    let v = report("pid", &["--pid", "host"]);
    assert_eq!(severity_of(&v, "VGI-INS-013"), "high");
}

#[test]
fn host_network() {
    let v = report("net", &["--network", "host"]);
    assert_eq!(severity_of(&v, "VGI-INS-014"), "high");
}

#[test]
fn seccomp_unconfined() {
    let v = report("seccomp", &["--security-opt", "seccomp=unconfined"]);
    assert_eq!(v["context"]["environment"]["seccomp"], 0);
    assert_eq!(severity_of(&v, "VGI-INS-003"), "high");
}

#[test]
fn hardened_has_no_high_or_critical() {
    let v = report(
        "hardened",
        &[
            "--user",
            "1000:1000",
            "--cap-drop",
            "ALL",
            "--security-opt",
            "no-new-privileges",
            "--read-only",
            "--network",
            "none",
        ],
    );
    assert!(high_or_critical(&v).is_empty(), "{:?}", high_or_critical(&v));
    assert!(
        !has(&v, "VGI-INS-004") && !has(&v, "VGI-INS-005") && !has(&v, "VGI-INS-019"),
        "{v}"
    );
    assert_eq!(v["context"]["environment"]["cap_eff"], "0000000000000000");
    assert_eq!(
        v["context"]["environment"]["network_interfaces"],
        serde_json::json!(["lo"])
    );
}

#[test]
fn privileged_where_the_machine_allows_it() {
    for (tag, options) in [("priv", vec!["--privileged"]), ("capall", vec!["--cap-add", "ALL"])] {
        let run = inside(tag, &options);
        if run.refused {
            println!(
                "skipped {tag}: the engine refused to start it here: {}",
                run.stderr.trim()
            );
            continue;
        }
        let v = run.json.expect("report");
        assert_eq!(severity_of(&v, "VGI-INS-001"), "critical", "{tag}");
    }
}

#[test]
fn nearly_all_capabilities() {
    // All capabilities but SYS_RESOURCE: starts here, and every escape capability shows.
    let v = report("almostall", &["--cap-add", "ALL", "--cap-drop", "SYS_RESOURCE"]);
    for id in ["VGI-INS-016", "VGI-INS-017", "VGI-INS-018"] {
        assert!(!severity_of(&v, id).is_empty(), "{id} in {v}");
    }
    assert!(!has(&v, "VGI-INS-001"), "not the full set");
}

#[test]
fn device_passed() {
    let device = std::fs::read_dir("/dev")
        .unwrap()
        .flatten()
        .filter(|e| std::os::unix::fs::FileTypeExt::is_block_device(&e.file_type().unwrap()))
        .map(|e| e.path().display().to_string())
        .min()
        .expect("a block device on the host");
    let v = report("device", &["--device", &device]);
    let f = findings(&v)
        .into_iter()
        .find(|(id, _, _)| id == "VGI-INS-007")
        .expect("device flagged");
    assert_eq!(f.1, "high");
    assert!(f.2.contains(device.trim_start_matches("/dev/")), "{f:?}");
}

#[test]
fn apparmor_unconfined() {
    let v = report("apparmor", &["--security-opt", "apparmor=unconfined"]);
    if v["context"]["environment"]["lsm"] == "apparmor" {
        assert!(has(&v, "VGI-INS-006"));
    } else {
        // No AppArmor on this kernel: the option changes nothing, and says so.
        assert!(!has(&v, "VGI-INS-006"));
        assert!(v["context"]["environment"]["lsm"].is_null());
    }
}

#[test]
fn systempaths_unconfined() {
    let v = report("systempaths", &["--security-opt", "systempaths=unconfined"]);
    assert_eq!(severity_of(&v, "VGI-INS-008"), "high");
    assert!(has(&v, "VGI-INS-009"));
}

#[test]
fn fail_on_and_table() {
    require_engine();
    let bin = static_vigie();
    let name = unique_name("inside-failon");
    let _guard = ContainerGuard(name.clone());
    let mount = format!("{}:/vigie:ro", bin.display());
    let out = docker(&[
        "run",
        "--rm",
        "--name",
        &name,
        "--label",
        TEST_LABEL,
        "-v",
        &mount,
        "--cap-add",
        "SYS_ADMIN",
        LAB_IMAGE,
        "/vigie",
        "inside",
        "--fail-on",
        "critical",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("CRITICAL VGI-INS-002 CAP_SYS_ADMIN is effective"),
        "{text}"
    );
    assert!(text.contains("docker run: --cap-drop SYS_ADMIN"), "{text}");
}

#[test]
fn on_the_host() {
    let out = vigie().args(["inside", "--format", "json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["context"]["environment"]["uid"].is_array());
}
