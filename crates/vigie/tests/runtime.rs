//! `vigie audit image IMAGE --runtime` against the real engine: tiny images
//! built from the lab image, started through the probe (the image's USER,
//! entrypoint replaced by the static vigie), and proof that no probe
//! container is left behind, also when the run fails.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{LAB_IMAGE, TEST_LABEL, docker, require_engine, static_vigie, unique_name, vigie};
use std::path::Path;

/// A test image, removed when dropped (also when the test fails).
struct ImageGuard(String);

impl Drop for ImageGuard {
    fn drop(&mut self) {
        let _ = docker(&["rmi", "-f", &self.0]);
    }
}

/// `docker build` a Dockerfile (plus files for COPY) into a uniquely tagged image.
fn build(dockerfile: &str, files: &[(&str, &[u8])]) -> ImageGuard {
    require_engine();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).unwrap();
    for (name, content) in files {
        std::fs::write(dir.path().join(name), content).unwrap();
    }
    let tag = format!("{}:1", unique_name("runtime").replacen("vigie-test-", "vigie-test/", 1));
    let guard = ImageGuard(tag.clone());
    let out = std::process::Command::new("docker")
        .env("DOCKER_BUILDKIT", "0")
        .args(["build", "-q", "--label", TEST_LABEL, "-t", &tag])
        .arg(dir.path())
        .output()
        .expect("docker CLI");
    assert!(
        out.status.success(),
        "docker build {tag}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    guard
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    /// The label that only this run's probe carries.
    run_label: String,
}

impl Run {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}\n{}", self.stdout, self.stderr))
    }

    /// Probe containers of this run still on the engine, in any state.
    fn left_behind(&self) -> String {
        let out = docker(&[
            "ps",
            "-aq",
            "--filter",
            "label=io.vigie.probe=1",
            "--filter",
            &format!("label={}", self.run_label),
        ]);
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// The engine's create and destroy events of this run's probe: proof that
    /// one labelled container existed and is gone (not just that none is listed).
    fn lifecycle_events(&self) -> Vec<String> {
        let out = docker(&[
            "events",
            "--since",
            "5m",
            "--until",
            // Whole seconds, and an event of this very second would be cut off: end one second ahead.
            &(std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs()
                + 1)
            .to_string(),
            "--filter",
            "type=container",
            "--filter",
            &format!("label={}", self.run_label),
            "--format",
            "{{.Action}}",
        ]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|a| matches!(*a, "create" | "destroy"))
            .map(str::to_string)
            .collect()
    }

    fn assert_cleaned_up(&self) {
        assert_eq!(self.left_behind(), "", "probe container left behind\n{}", self.stderr);
        assert_eq!(self.lifecycle_events(), ["create", "destroy"], "{}", self.stderr);
    }
}

fn runtime_audit(image: &str, extra: &[&str]) -> Run {
    let run_label = format!("io.vigie.test.run={}", unique_name("probe"));
    let out = vigie()
        .args(["audit", "image", image, "--runtime", "--vigie-binary"])
        .arg(static_vigie())
        .args(["--probe-label", TEST_LABEL, "--probe-label", &run_label])
        .args(extra)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        run_label,
    }
}

fn rule_ids(v: &serde_json::Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap().to_string())
        .collect()
}

fn finding<'a>(v: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {:?}", rule_ids(v)))
}

fn evidence_values(f: &serde_json::Value) -> Vec<String> {
    f["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{}: {}", e["source"].as_str().unwrap(), e["value"].as_str().unwrap()))
        .collect()
}

/// The lab's own proof, `docker run --rm IMAGE id -u; id -g; id -G`: the peer the probe must agree with.
fn ids_by_docker_run(image: &str) -> (u64, u64, Vec<u64>) {
    let out = docker(&[
        "run",
        "--rm",
        "--label",
        TEST_LABEL,
        "--network",
        "none",
        image,
        "sh",
        "-c",
        "id -u; id -g; id -G",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut lines = text.lines();
    let mut numbers = || -> Vec<u64> {
        lines
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .map(|n| n.parse().unwrap())
            .collect()
    };
    let (uid, gid, mut groups) = (numbers()[0], numbers()[0], numbers());
    groups.sort_unstable();
    (uid, gid, groups)
}

fn observed_ids(v: &serde_json::Value) -> (u64, u64, Vec<u64>) {
    let user = &v["context"]["runtime"]["user"];
    // `id -G` lists the effective gid first, then the supplementary groups.
    let mut groups: Vec<u64> = user["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_u64().unwrap())
        .collect();
    let gid = user["gid"].as_u64().unwrap();
    if !groups.contains(&gid) {
        groups.push(gid);
    }
    groups.sort_unstable();
    (user["uid"].as_u64().unwrap(), gid, groups)
}

#[test]
fn non_root_user_proven_with_its_ids_and_groups() {
    let image = build(
        &format!("FROM {LAB_IMAGE}\nRUN adduser -D appuser && addgroup appuser wheel\nUSER appuser\n"),
        &[],
    );
    let run = runtime_audit(&image.0, &["--format", "json", "--fail-on", "low"]);
    run.assert_cleaned_up();
    let v = run.json();
    let r = &v["context"]["runtime"];
    let user = &r["user"];
    assert_eq!(user["configured"], "appuser");
    assert_eq!(user["uid"], 1000, "{r}");
    assert_eq!(user["gid"], 1000);
    assert_eq!(user["name"], "appuser");
    assert_eq!(user["group_name"], "appuser");
    assert_eq!(user["observed"]["uid"], serde_json::json!([1000, 1000, 1000, 1000]));
    // wheel (10) comes from the image's /etc/group, as the engine resolves it.
    let groups: Vec<u64> = user["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_u64().unwrap())
        .collect();
    assert!(groups.contains(&10), "{groups:?}");
    assert!(
        user["passwd_line"]
            .as_str()
            .unwrap()
            .starts_with("appuser:x:1000:1000:")
    );
    // Hardened probe observed with no capability; Docker's default profile derived: none for a non-root uid.
    assert_eq!(r["capabilities"]["hardened"]["basis"], "observed");
    assert_eq!(r["capabilities"]["hardened"]["effective"], serde_json::json!([]));
    assert_eq!(r["capabilities"]["hardened"]["cap_eff"], "0000000000000000");
    assert_eq!(r["capabilities"]["docker_default"]["basis"], "derived");
    assert_eq!(r["capabilities"]["docker_default"]["effective"], serde_json::json!([]));
    assert_eq!(r["no_new_privs"], 1);
    let ids = rule_ids(&v);
    for id in ["VGI-IMG-001", "VGI-IMG-014", "VGI-IMG-015"] {
        assert!(!ids.iter().any(|i| i == id), "{id} in {ids:?}");
    }
    // The same ids as the lab's `docker run … id`.
    assert_eq!(observed_ids(&v), ids_by_docker_run(&image.0));
    // Only the low HEALTHCHECK finding is left.
    assert_eq!(ids, ["VGI-IMG-008"], "{}", run.stdout);
    assert_eq!(run.code, 1);
}

#[test]
fn a_name_mapped_to_uid_zero_is_caught() {
    let image = build(
        &format!(
            "FROM {LAB_IMAGE}\nRUN echo 'appuser:x:0:0::/home/appuser:/bin/sh' >> /etc/passwd\nUSER appuser\n\
             HEALTHCHECK CMD [\"true\"]\nCMD [\"sh\"]\n"
        ),
        &[],
    );
    let run = runtime_audit(&image.0, &["--format", "json", "--fail-on", "high"]);
    run.assert_cleaned_up();
    assert_eq!(run.code, 1, "{}", run.stderr);
    let v = run.json();
    let ids = rule_ids(&v);
    assert!(!ids.contains(&"VGI-IMG-001".to_string()), "014 replaces 001: {ids:?}");
    let f = finding(&v, "VGI-IMG-014");
    assert_eq!(f["severity"], "critical");
    let evidence = evidence_values(f);
    assert!(evidence.contains(&"Config.User: appuser".to_string()), "{evidence:?}");
    assert!(
        evidence.contains(&"runtime /proc/self/status: Uid: 0 0 0 0".to_string()),
        "{evidence:?}"
    );
    assert!(
        evidence.contains(&"/etc/passwd: appuser:x:0:0::/home/appuser:/bin/sh".to_string()),
        "{evidence:?}"
    );
    // Docker's 14 default capabilities would be effective under a plain `docker run`.
    let derived = &v["context"]["runtime"]["capabilities"]["docker_default"]["effective"];
    assert_eq!(derived.as_array().unwrap().len(), 14, "{derived}");
    assert!(derived.as_array().unwrap().contains(&serde_json::json!("CAP_SETUID")));
}

#[test]
fn numeric_user_missing_from_passwd() {
    let image = build(&format!("FROM {LAB_IMAGE}\nUSER 4242\n"), &[]);
    let run = runtime_audit(&image.0, &["--format", "json"]);
    run.assert_cleaned_up();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v = run.json();
    let user = &v["context"]["runtime"]["user"];
    assert_eq!(user["uid"], 4242);
    assert_eq!(user["gid"], 0, "the engine's default group is 0");
    assert!(user["name"].is_null() && user["passwd_line"].is_null());
    let f = finding(&v, "VGI-IMG-015");
    assert_eq!(f["severity"], "low");
    let evidence = evidence_values(f);
    assert!(
        evidence.contains(&"/etc/passwd: no line with uid 4242".to_string()),
        "{evidence:?}"
    );
    assert!(evidence.contains(&"runtime /proc/self/status: Uid: 4242 4242 4242 4242".to_string()));
}

#[test]
fn root_by_default_is_confirmed_once() {
    require_engine();
    let run = runtime_audit(LAB_IMAGE, &["--format", "json"]);
    run.assert_cleaned_up();
    let v = run.json();
    let roots: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == "VGI-IMG-001")
        .collect();
    assert_eq!(roots.len(), 1);
    assert!(
        roots[0]["message"]
            .as_str()
            .unwrap()
            .ends_with("(confirmed at runtime: uid 0)"),
        "{}",
        roots[0]
    );
    assert!(evidence_values(roots[0]).contains(&"runtime /proc/self/status: Uid: 0 0 0 0".to_string()));
    assert!(!rule_ids(&v).iter().any(|i| i == "VGI-IMG-014" || i == "VGI-IMG-015"));
    let r = &v["context"]["runtime"];
    assert_eq!(r["user"]["name"], "root");
    assert_eq!(observed_ids(&v), ids_by_docker_run(LAB_IMAGE));
    assert_eq!(r["user_namespace"], false);
    // The probe really ran hardened: nothing effective, nothing in the bounding set either.
    assert_eq!(r["capabilities"]["hardened"]["cap_bnd"], "0000000000000000");
    assert_eq!(
        r["capabilities"]["docker_default"]["effective"]
            .as_array()
            .unwrap()
            .len(),
        14
    );

    // The table shows the Runtime block before the findings; SARIF carries the same findings.
    let run = runtime_audit(LAB_IMAGE, &["--brief"]);
    run.assert_cleaned_up();
    assert_eq!(run.code, 0, "{}", run.stderr);
    for line in [
        "Runtime (observed by vigie inside in a probe container",
        "  USER (configured)           (none: root by default)",
        "  uid / gid (observed)        0(root) / 0(root)",
        "  /etc/passwd                 root:x:0:0:root:/root:/bin/ash",
        "  user namespace              no: uid 0 in the container is uid 0 on the host",
        "  caps, probe (observed)      none (CapEff 0000000000000000",
        "  caps, docker run (derived)  14 effective",
    ] {
        assert!(run.stdout.contains(line), "missing {line:?} in\n{}", run.stdout);
    }
    let run = runtime_audit(LAB_IMAGE, &["--format", "sarif"]);
    run.assert_cleaned_up();
    let sarif: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["ruleId"] == "VGI-IMG-001"));
}

#[test]
fn an_image_without_shell_or_passwd_is_probed_too() {
    // FROM scratch: no shell, no libc, no /etc/passwd. The override needs none of them.
    let image = build(
        "FROM scratch\nCOPY hello.txt /hello.txt\nUSER 4242:4242\n",
        &[("hello.txt", b"hello\n")],
    );
    let run = runtime_audit(&image.0, &["--format", "json"]);
    run.assert_cleaned_up();
    let v = run.json();
    assert_eq!(v["context"]["runtime"]["user"]["uid"], 4242, "{}", run.stderr);
    assert_eq!(v["context"]["runtime"]["user"]["passwd_present"], false);
    let evidence = evidence_values(finding(&v, "VGI-IMG-015"));
    assert!(
        evidence.contains(&"/etc/passwd: (no /etc/passwd in the image)".to_string()),
        "{evidence:?}"
    );
}

#[test]
fn a_probe_that_cannot_start_is_removed_and_reported() {
    // The engine refuses to start a USER name it cannot resolve: an error (2), one line, nothing left.
    let image = build(&format!("FROM {LAB_IMAGE}\nUSER nosuchuser\n"), &[]);
    let run = runtime_audit(&image.0, &[]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.stderr.trim_end().lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("nosuchuser"), "{}", run.stderr);
    assert!(run.stderr.contains("runtime probe of"), "{}", run.stderr);
    run.assert_cleaned_up();
}

#[test]
fn no_static_binary_is_a_one_line_error() {
    require_engine();
    // The test build of vigie is dynamically linked: without a static one, --runtime stops with the fix.
    let out = vigie()
        .env_remove("VIGIE_STATIC_BIN")
        .args(["audit", "image", LAB_IMAGE, "--runtime"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("dynamically linked") && stderr.contains("scripts/build-static"),
        "{stderr}"
    );
    // A dynamic binary given explicitly is refused the same way, naming its interpreter.
    let out = vigie()
        .args(["audit", "image", LAB_IMAGE, "--runtime", "--vigie-binary", "/bin/sh"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("not a static binary") && stderr.contains("ld-linux"),
        "{stderr}"
    );
    // An archive is not on the engine: --runtime says to load it.
    let archive = "/var/tmp/vigie-test-images/busybox-1.tar";
    assert!(
        Path::new(archive).is_file(),
        "{archive} missing: run scripts/test (it builds the test images)"
    );
    let out = vigie().args(["audit", "image", archive, "--runtime"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("docker load"), "{stderr}");
}

/// A static binary that only sleeps: a probe that never answers.
fn static_sleeper(dir: &Path) -> std::path::PathBuf {
    let source = dir.join("sleeper.rs");
    std::fs::write(
        &source,
        "fn main() { std::thread::sleep(std::time::Duration::from_secs(120)); }\n",
    )
    .unwrap();
    let binary = dir.join("sleeper");
    let out = std::process::Command::new("rustc")
        .args([
            "-C",
            "target-feature=+crt-static",
            "--target",
            "x86_64-unknown-linux-gnu",
            "-o",
        ])
        .arg(&binary)
        .arg(&source)
        .output()
        .expect("rustc (the toolchain that runs these tests)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    binary
}

fn sleeper_run(sleeper: &Path, extra: &[&str]) -> (std::process::Child, String) {
    let run_label = format!("io.vigie.test.run={}", unique_name("probe"));
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("vigie"))
        .args(["audit", "image", LAB_IMAGE, "--runtime", "--vigie-binary"])
        .arg(sleeper)
        .args(["--probe-label", TEST_LABEL, "--probe-label", &run_label])
        .args(extra)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    (child, run_label)
}

fn finish(child: std::process::Child, run_label: String) -> Run {
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        run_label,
    }
}

#[test]
fn a_probe_that_hangs_is_killed_at_the_timeout_and_removed() {
    require_engine();
    let dir = tempfile::tempdir().unwrap();
    let sleeper = static_sleeper(dir.path());
    let started = std::time::Instant::now();
    let (child, label) = sleeper_run(&sleeper, &["--runtime-timeout", "2"]);
    let run = finish(child, label);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("no result within 2 s; killed"), "{}", run.stderr);
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    run.assert_cleaned_up();
}

#[test]
fn ctrl_c_removes_the_probe() {
    require_engine();
    let dir = tempfile::tempdir().unwrap();
    let sleeper = static_sleeper(dir.path());
    let (child, label) = sleeper_run(&sleeper, &[]);
    // Wait until the probe runs, then interrupt vigie as a terminal's Ctrl-C would.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let out = docker(&["ps", "-q", "--filter", &format!("label={label}")]);
        if !String::from_utf8_lossy(&out.stdout).trim().is_empty() {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the probe never started");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let run = finish(child, label);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("interrupted"), "{}", run.stderr);
    run.assert_cleaned_up();
}
