//! `vigie run` against the real engine: lifecycle steps, hardened defaults,
//! the container's exit code, stdin, a real TTY under tmux, and the errors.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failed step is a failed test

mod common;

use common::{ContainerGuard, LAB_IMAGE, TEST_LABEL, Tmux, docker, require_engine, unique_name, vigie};
use std::process::Command;
use std::time::Duration;

fn gone(name: &str) -> bool {
    !docker(&["inspect", name]).status.success()
}

#[test]
fn lifecycle_steps_hardened_posture_and_exit_code() {
    require_engine();
    let name = unique_name("run");
    let _guard = ContainerGuard(name.clone());
    let out = vigie()
        .args(["run", "--rm", "-l", TEST_LABEL, "--name", &name, LAB_IMAGE])
        .args([
            "sh",
            "-c",
            "id -u; echo out; echo err >&2; touch /tmp/x && echo tmp-writable; exit 3",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert_eq!(
        stdout, "65534\nout\ntmp-writable\n",
        "stdout is the container's output only"
    );
    let steps = [
        "image vigie-lab/alpine:3.10 found locally",
        "created ",
        "started",
        "attached (stdout, stderr)",
        "err",
        "exited with code 3",
        &format!("posture of {name}"),
        "removed ",
    ];
    let mut at = 0;
    for step in steps {
        let found = stderr[at..]
            .find(step)
            .unwrap_or_else(|| panic!("step '{step}' missing or out of order:\n{stderr}"));
        at += found + step.len();
    }
    for fact in [
        "user              65534:65534",
        "capabilities      none",
        "no-new-privileges true",
        "read-only rootfs  true",
        "network           none",
        "pids 128",
    ] {
        assert!(stderr.contains(fact), "posture lacks '{fact}':\n{stderr}");
    }
    assert!(
        !stderr.contains("VGI-CTR-037"),
        "hardened run must not run as root:\n{stderr}"
    );
    assert!(gone(&name), "--rm removes the container");
}

#[test]
fn default_profile_shows_what_hardening_prevents() {
    require_engine();
    let name = unique_name("run-default");
    let _guard = ContainerGuard(name.clone());
    let out = vigie()
        .args([
            "run",
            "--profile",
            "default",
            "-l",
            TEST_LABEL,
            "--name",
            &name,
            LAB_IMAGE,
            "id",
            "-u",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "0\n");
    assert!(stderr.contains("VGI-CTR-037"), "root user finding expected:\n{stderr}");
    assert!(!gone(&name), "without --rm the container stays");
}

#[test]
fn stdin_is_forwarded_with_i() {
    require_engine();
    let name = unique_name("run-stdin");
    let _guard = ContainerGuard(name.clone());
    let out = vigie()
        .args([
            "run", "-q", "-i", "--rm", "-l", TEST_LABEL, "--name", &name, LAB_IMAGE, "tr", "a-z", "A-Z",
        ])
        .write_stdin("piped input\n")
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "PIPED INPUT\n");
    assert!(out.stderr.is_empty(), "-q prints nothing of its own");
}

#[test]
fn operational_errors_are_one_line_exit_2() {
    require_engine();
    let cases: [(&[&str], &str); 4] = [
        // `echo id | vigie run -it …`: stdin is a pipe, as docker refuses it.
        (
            &["run", "-it", "--rm", LAB_IMAGE, "sh"],
            "the input device is not a TTY",
        ),
        (&["run", "--rm", "alpine:3.99-missing", "true"], "alpine:3.99-missing"),
        (
            &["run", "--rm", "--privileged", LAB_IMAGE, "true"],
            "--privileged refused",
        ),
        (
            &["--engine", "unix:///nonexistent/docker.sock", "run", LAB_IMAGE, "true"],
            "cannot reach the Docker engine",
        ),
    ];
    for (args, expected) in cases {
        let out = vigie()
            .args(args)
            .write_stdin("id\n")
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: one line: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

#[test]
fn it_gives_a_real_tty_with_resize_ctrl_c_and_ctrl_d() {
    require_engine();
    let name = unique_name("run-tty");
    let _guard = ContainerGuard(name.clone());
    let bin = assert_cmd::cargo::cargo_bin("vigie");
    let tmux = Tmux::start(&format!(
        "{} run -it --rm -l {TEST_LABEL} --name {name} {LAB_IMAGE} sh; echo VIGIE-RC=$?; sleep 60",
        bin.display()
    ));
    tmux.wait_for("attached (stdout, stderr, stdin, tty)", 30);
    tmux.keys(&["tty; stty size", "Enter"]);
    tmux.wait_for("40 120", 10);
    let screen = tmux.screen();
    assert!(screen.contains("/dev/pts/0"), "a real TTY inside:\n{screen}");
    Command::new("tmux")
        .args(["-S", &tmux.socket, "resize-window", "-t", "t", "-x", "100", "-y", "30"])
        .status()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    tmux.keys(&["stty size", "Enter"]);
    tmux.wait_for("30 100", 10);
    // Ctrl-C reaches the program in the container, not vigie.
    tmux.keys(&["sleep 100", "Enter"]);
    std::thread::sleep(Duration::from_millis(500));
    tmux.keys(&["C-c"]);
    tmux.keys(&["echo still-$((20+22))", "Enter"]);
    tmux.wait_for("still-42", 10);
    // Ctrl-D ends the shell; vigie prints the exit and removes the container.
    tmux.keys(&["C-d"]);
    let screen = tmux.wait_for("VIGIE-RC=0", 30);
    assert!(screen.contains("exited with code 0"), "{screen}");
    assert!(gone(&name), "--rm removes the container");
}

/// `--rm` is the engine's AutoRemove: vigie killed with SIGKILL while the
/// container runs leaves nothing behind once the container exits.
#[test]
fn rm_survives_a_killed_vigie() {
    require_engine();
    let name = common::unique_name("run-rm-kill");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("vigie"))
        .args([
            "run",
            "--rm",
            "--name",
            &name,
            "--label",
            "io.vigie.test=1",
            LAB_IMAGE,
            "sleep",
            "2",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the container runs, then kill vigie outright.
    let mut running = false;
    for _ in 0..100 {
        let out = common::docker(&["inspect", "-f", "{{.State.Running}} {{.HostConfig.AutoRemove}}", &name]);
        if String::from_utf8_lossy(&out.stdout).trim() == "true true" {
            running = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(running, "the container never ran with AutoRemove");
    child.kill().unwrap();
    let _ = child.wait();
    let mut gone = false;
    for _ in 0..100 {
        if !common::docker(&["inspect", &name]).status.success() {
            gone = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    if !gone {
        let _ = common::docker(&["rm", "-f", &name]);
    }
    assert!(gone, "the container was left behind after vigie was killed");
}
