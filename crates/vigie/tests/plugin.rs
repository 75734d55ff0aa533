//! `docker vigie …` through the real docker CLI: docker's global options
//! (`-H`, `--context`, `-D`, `-l`, `--config`, `--tls*`) as docker passes
//! them, and the engine docker would use (`DOCKER_HOST`, `--context`, the
//! current context). A context or `-H` naming a socket that does not exist
//! proves which endpoint vigie chose: the error names it. TLS goes through a
//! real TLS proxy (stunnel, requiring a client certificate; certificates
//! made by openssl) in front of the engine socket.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failed step is a failed test

mod common;

use common::{LAB_IMAGE, require_engine};
use std::path::Path;
use std::process::{Command, Output};

const PEERS: &str = "scripts/lib/peers-audit.sh";

/// A docker client configuration directory with vigie installed as a plugin.
fn plugin_home() -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let plugins = home.path().join("cli-plugins");
    std::fs::create_dir_all(&plugins).unwrap();
    std::os::unix::fs::symlink(assert_cmd::cargo::cargo_bin("vigie"), plugins.join("docker-vigie")).unwrap();
    home
}

fn docker_with(config: &Path, args: &[&str]) -> Output {
    Command::new("docker")
        .env("DOCKER_CONFIG", config)
        .env_remove("DOCKER_HOST")
        .env_remove("DOCKER_CONTEXT")
        .args(args)
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `vigie audit image` exits 0 or 1 (findings) when it reached the engine.
fn reached(out: &Output) -> bool {
    matches!(out.status.code(), Some(0 | 1)) && String::from_utf8_lossy(&out.stdout).contains("VGI-IMG-001")
}

#[test]
fn docker_global_options_and_contexts() {
    require_engine();
    let home = plugin_home();
    let cfg = home.path();
    let audit = ["vigie", "audit", "image", LAB_IMAGE, "--brief"];
    let with = |globals: &[&str]| {
        let mut args: Vec<&str> = globals.to_vec();
        args.extend_from_slice(&audit);
        docker_with(cfg, &args)
    };
    // Global options docker passes before the plugin name.
    for globals in [
        vec![],
        vec!["-D"],
        vec!["-l", "warn"],
        vec!["--log-level=error", "-D"],
        vec!["-H", "unix:///var/run/docker.sock"],
        vec!["--host=unix:///var/run/docker.sock", "-D"],
    ] {
        let out = with(&globals);
        assert!(reached(&out), "{globals:?}: {}", text(&out));
    }
    // -H is the engine vigie uses: a socket that does not exist is named.
    let out = with(&["-H", "unix:///nonexistent/vigie-h.sock"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("/nonexistent/vigie-h.sock"),
        "{}",
        text(&out)
    );

    // Contexts made by docker itself.
    for (name, host) in [
        ("vigie-good", "unix:///var/run/docker.sock"),
        ("vigie-broken", "unix:///nonexistent/vigie-ctx.sock"),
    ] {
        let out = docker_with(cfg, &["context", "create", name, "--docker", &format!("host={host}")]);
        assert!(out.status.success(), "{}", text(&out));
    }
    let out = with(&["--context", "vigie-good"]);
    assert!(reached(&out), "{}", text(&out));
    let out = with(&["--context", "vigie-broken"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("/nonexistent/vigie-ctx.sock"),
        "{}",
        text(&out)
    );
    // `docker context use`: the current context, with no option at all, for
    // the plugin and for vigie run directly with the same configuration.
    let out = docker_with(cfg, &["context", "use", "vigie-broken"]);
    assert!(out.status.success(), "{}", text(&out));
    let out = with(&[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("vigie-ctx.sock"),
        "{}",
        text(&out)
    );
    let direct = Command::new(assert_cmd::cargo::cargo_bin("vigie"))
        .env("DOCKER_CONFIG", cfg)
        .env_remove("DOCKER_HOST")
        .args(&audit[1..])
        .output()
        .unwrap();
    assert_eq!(direct.status.code(), Some(2), "{}", text(&direct));
    assert!(
        String::from_utf8_lossy(&direct.stderr).contains("vigie-ctx.sock"),
        "{}",
        text(&direct)
    );
    // DOCKER_HOST wins over the current context, as in docker.
    let out = Command::new("docker")
        .env("DOCKER_CONFIG", cfg)
        .env("DOCKER_HOST", "unix:///var/run/docker.sock")
        .args(audit)
        .output()
        .unwrap();
    assert!(reached(&out), "{}", text(&out));
    // --config points docker (and so vigie) at another configuration.
    let other = plugin_home();
    let out = docker_with(
        other.path(),
        &[
            "--config",
            &cfg.display().to_string(),
            "vigie",
            "audit",
            "image",
            LAB_IMAGE,
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "current context of --config: {}",
        text(&out)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("vigie-ctx.sock"),
        "{}",
        text(&out)
    );
    // TLS without verification is refused, naming the option to use.
    let out = with(&["--tls"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--tlsverify"),
        "{}",
        text(&out)
    );
}

fn run(program: &str, args: &[&str], dir: &Path) {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e} (run {PEERS})"));
    assert!(out.status.success(), "{program} {args:?}: {}", text(&out));
}

/// A CA, a server certificate for 127.0.0.1 and a client certificate.
fn make_certs(dir: &Path) {
    let ext = dir.join("server.ext");
    std::fs::write(&ext, "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n").unwrap();
    let client_ext = dir.join("client.ext");
    std::fs::write(&client_ext, "extendedKeyUsage=clientAuth\n").unwrap();
    let o = "openssl";
    run(
        o,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=vigie test CA",
            "-keyout",
            "ca-key.pem",
            "-out",
            "ca.pem",
        ],
        dir,
    );
    run(
        o,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            "server-key.pem",
            "-out",
            "server.csr",
        ],
        dir,
    );
    run(
        o,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca-key.pem",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "server.ext",
            "-out",
            "server-cert.pem",
        ],
        dir,
    );
    run(
        o,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=vigie client",
            "-keyout",
            "key.pem",
            "-out",
            "client.csr",
        ],
        dir,
    );
    run(
        o,
        &[
            "x509",
            "-req",
            "-in",
            "client.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca-key.pem",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "client.ext",
            "-out",
            "cert.pem",
        ],
        dir,
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Proxy(std::process::Child);
impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn tls_engine_through_tlsverify_and_a_tls_context() {
    require_engine();
    let home = plugin_home();
    let cfg = home.path();
    make_certs(cfg);
    let port = free_port();
    // TLS in front of the engine socket, requiring a client certificate from our CA.
    let conf = cfg.join("stunnel.conf");
    std::fs::write(
        &conf,
        format!(
            "foreground = yes\npid =\n[docker]\naccept = 127.0.0.1:{port}\nconnect = /var/run/docker.sock\n\
             cert = {0}/server-cert.pem\nkey = {0}/server-key.pem\nCAfile = {0}/ca.pem\n\
             verifyChain = yes\nrequireCert = yes\n",
            cfg.display()
        ),
    )
    .unwrap();
    let child = Command::new("stunnel4")
        .arg(&conf)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("stunnel4: {e} (run {PEERS})"));
    let _proxy = Proxy(child);
    let addr = format!("tcp://127.0.0.1:{port}");
    for _ in 0..50 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let ca = cfg.join("ca.pem").display().to_string();
    let cert = cfg.join("cert.pem").display().to_string();
    let key = cfg.join("key.pem").display().to_string();
    let audit = ["vigie", "audit", "image", LAB_IMAGE, "--brief"];
    // docker -H tcp://… --tlsverify --tlscacert … vigie …
    let mut args = vec![
        "-H",
        &addr,
        "--tlsverify",
        "--tlscacert",
        &ca,
        "--tlscert",
        &cert,
        "--tlskey",
        &key,
    ];
    args.extend_from_slice(&audit);
    let out = docker_with(cfg, &args);
    assert!(reached(&out), "{}", text(&out));
    // Without the client certificate the proxy refuses: plain HTTP to the TLS port fails.
    let mut plain = vec!["-H", addr.as_str()];
    plain.extend_from_slice(&audit);
    let out = docker_with(cfg, &plain);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    // A certificate from another CA is refused.
    let other = tempfile::tempdir().unwrap();
    make_certs(other.path());
    let wrong_ca = other.path().join("ca.pem").display().to_string();
    let mut wrong = vec![
        "-H",
        &addr,
        "--tlsverify",
        "--tlscacert",
        &wrong_ca,
        "--tlscert",
        &cert,
        "--tlskey",
        &key,
    ];
    wrong.extend_from_slice(&audit);
    let out = docker_with(cfg, &wrong);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    // A TLS context made by docker: its certificates are used.
    let docker_spec = format!("host={addr},ca={ca},cert={cert},key={key}");
    let out = docker_with(cfg, &["context", "create", "vigie-tls", "--docker", &docker_spec]);
    assert!(out.status.success(), "{}", text(&out));
    let mut ctx = vec!["--context", "vigie-tls"];
    ctx.extend_from_slice(&audit);
    let out = docker_with(cfg, &ctx);
    assert!(reached(&out), "{}", text(&out));
}
