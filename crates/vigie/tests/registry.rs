//! Registry images without an engine, against Debian's docker-registry (the
//! reference distribution registry) run here on 127.0.0.1, images pushed to
//! it by the engine:
//! - plain HTTP (`--insecure-registry`): `sbom`, `scan` and `audit image`
//!   give what they give for the same image in the engine;
//! - TLS with htpasswd basic auth on the same storage: credentials from
//!   `config.json` `auths`, from a credential helper, from the environment;
//!   refused without them, with a wrong password, or without the CA;
//! - a multi-platform index (`docker manifest`), `--platform` choosing;
//! - a 200 MB layer streamed in bounded memory, and a tampered blob refused.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failed step is a failed test

mod common;

use common::{LAB_IMAGE, docker, require_engine, test_data, vigie};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::sync::OnceLock;
use std::time::Duration;

const PEERS: &str = "scripts/lib/peers-registry.sh";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Registry {
    child: Child,
    port: u16,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Start docker-registry with `http_extra` (TLS) and `auth` sections on `storage`.
fn start_registry(dir: &Path, storage: &Path, http_extra: &str, auth: &str) -> Registry {
    let port = free_port();
    let config = dir.join(format!("registry-{port}.yml"));
    std::fs::write(
        &config,
        format!(
            "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n{http_extra}{auth}",
            storage.display()
        ),
    )
    .unwrap();
    let child = Command::new("docker-registry")
        .arg("serve")
        .arg(&config)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("docker-registry: {e} (run {PEERS})"));
    let registry = Registry { child, port };
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return registry;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("docker-registry did not listen on {port}");
}

fn ok(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout)
            .chars()
            .take(2000)
            .collect::<String>(),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn docker_ok(args: &[&str]) {
    let out = docker(args);
    assert!(out.status.success(), "docker {args:?}: {}", ok(&out));
}

/// One plain-HTTP registry for the whole test binary, the lab image and a
/// Debian image pushed to it by the engine (127.0.0.1 registries are
/// plain HTTP for docker too).
struct Shared {
    _dir: tempfile::TempDir,
    storage: PathBuf,
    registry: Registry,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        require_engine();
        let dir = tempfile::tempdir().unwrap();
        let storage = dir.path().join("storage");
        std::fs::create_dir_all(&storage).unwrap();
        let registry = start_registry(dir.path(), &storage, "", "");
        let port = registry.port;
        for (local, archive, remote) in [
            (LAB_IMAGE, "", format!("127.0.0.1:{port}/lab/alpine:3.10")),
            (
                "testimg/debian:bookworm",
                "debian-bookworm.tar",
                format!("127.0.0.1:{port}/lab/debian:bookworm"),
            ),
            (
                "testimg/pylang:1",
                "pylang-1.tar",
                format!("127.0.0.1:{port}/lab/pylang:1"),
            ),
        ] {
            if !docker(&["image", "inspect", local]).status.success() {
                // The builder's test images come as archives.
                docker_ok(&["load", "-q", "-i", common::test_image(archive).to_str().unwrap()]);
            }
            docker_ok(&["tag", local, &remote]);
            docker_ok(&["push", "-q", &remote]);
            docker_ok(&["rmi", &remote]);
        }
        Shared {
            _dir: dir,
            storage,
            registry,
        }
    })
}

fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = vigie();
    cmd.env_remove("VIGIE_REGISTRY_USERNAME")
        .env_remove("VIGIE_REGISTRY_PASSWORD");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.args(args).output().unwrap()
}

fn json(out: &Output) -> Value {
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", ok(out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", ok(out)))
}

fn packages(doc: &Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["version"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn plain_http_registry_matches_the_engine() {
    let s = shared();
    let port = s.registry.port;
    let remote = format!("127.0.0.1:{port}/lab/alpine:3.10");
    // The same packages as the engine's image.
    let engine = json(&run(&["sbom", "-f", "json", LAB_IMAGE], &[]));
    let reg = format!("registry:{remote}");
    let from_registry = json(&run(&["sbom", "-f", "json", "--insecure-registry", &reg], &[]));
    assert_eq!(packages(&from_registry), packages(&engine));
    assert!(packages(&engine).len() >= 14);
    assert_eq!(from_registry["image"]["source"], "registry", "{from_registry}");
    // --image-src remote reads a bare name from the registry.
    let bare = json(&run(
        &[
            "sbom",
            "-f",
            "json",
            "--image-src",
            "remote",
            "--insecure-registry",
            &remote,
        ],
        &[],
    ));
    assert_eq!(packages(&bare), packages(&engine));
    // scan: the same advisories as the engine's image.
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db.sqlite");
    let import = run(
        &[
            "db",
            "--db",
            db.to_str().unwrap(),
            "import",
            test_data().join("osv/PyPI.zip").to_str().unwrap(),
        ],
        &[],
    );
    assert!(import.status.success(), "{}", ok(&import));
    let ids = |doc: &Value| {
        let mut v: Vec<String> = doc["vulnerabilities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| format!("{} {}", v["package"]["name"], v["id"]))
            .collect();
        v.sort();
        v
    };
    let scan = |target: &str| {
        json(&run(
            &[
                "scan",
                "--db",
                db.to_str().unwrap(),
                "--allow-incomplete",
                "-f",
                "json",
                "--insecure-registry",
                target,
            ],
            &[],
        ))
    };
    // (the Python image: the repository's PyPI advisories match it)
    let engine_scan = scan("testimg/pylang:1");
    let registry_scan = scan(&format!("registry:127.0.0.1:{port}/lab/pylang:1"));
    assert!(ids(&engine_scan).len() > 20, "{:?}", ids(&engine_scan));
    assert_eq!(ids(&registry_scan), ids(&engine_scan));
    // audit image: the configuration checks on the registry's config.
    let audit = json(&run(
        &["audit", "image", "-f", "json", "--insecure-registry", &reg],
        &[],
    ));
    let rules: Vec<&str> = audit["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"VGI-IMG-001"), "{rules:?}");
    // Errors name the reference, one line, exit 2: a tag the registry lacks,
    // HTTPS to a plain-HTTP registry, nothing listening.
    for (target, insecure, expect) in [
        (
            format!("registry:127.0.0.1:{port}/lab/alpine:9.99"),
            true,
            "manifest unknown",
        ),
        (reg.clone(), false, "--insecure-registry"),
        (format!("registry:127.0.0.1:{}/x:1", free_port()), true, "refused"),
    ] {
        let mut args = vec!["sbom", target.as_str()];
        if insecure {
            args.push("--insecure-registry");
        }
        let out = run(&args, &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{}", ok(&out));
        assert!(
            stderr.contains(expect) && stderr.trim_end().lines().count() == 1,
            "{target}: {stderr}"
        );
    }
}

fn make_certs(dir: &Path) {
    let sh = |args: &[&str]| {
        let out = Command::new("openssl").args(args).current_dir(dir).output().unwrap();
        assert!(out.status.success(), "openssl {args:?}: {}", ok(&out));
    };
    std::fs::write(dir.join("server.ext"), "subjectAltName=IP:127.0.0.1\n").unwrap();
    sh(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=vigie registry CA",
        "-keyout",
        "ca-key.pem",
        "-out",
        "ca.pem",
    ]);
    sh(&[
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
    ]);
    sh(&[
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
        "server.pem",
    ]);
}

#[test]
fn tls_and_basic_auth_with_every_source_of_credentials() {
    let s = shared();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    make_certs(dir);
    let htpasswd = Command::new("htpasswd")
        .args(["-Bbn", "vigie", "s3cret"])
        .output()
        .unwrap_or_else(|e| panic!("htpasswd: {e} (run {PEERS})"));
    std::fs::write(dir.join("htpasswd"), &htpasswd.stdout).unwrap();
    let tls = format!(
        "  tls:\n    certificate: {0}/server.pem\n    key: {0}/server-key.pem\n",
        dir.display()
    );
    let auth = format!(
        "auth:\n  htpasswd:\n    realm: vigie-test\n    path: {}/htpasswd\n",
        dir.display()
    );
    let secure = start_registry(dir, &s.storage, &tls, &auth);
    let reg = format!("registry:127.0.0.1:{}/lab/alpine:3.10", secure.port);
    let ca = dir.join("ca.pem").display().to_string();
    let config = dir.join("docker");
    std::fs::create_dir_all(&config).unwrap();
    let cfg = config.display().to_string();
    let with = |extra: &[&str], env: &[(&str, &str)]| {
        let mut args = vec![
            "sbom",
            "-f",
            "json",
            "--registry-ca",
            ca.as_str(),
            "--docker-config",
            cfg.as_str(),
        ];
        args.extend_from_slice(extra);
        args.push(reg.as_str());
        run(&args, env)
    };
    // No credentials: the registry says unauthorized.
    std::fs::write(config.join("config.json"), "{}").unwrap();
    let out = with(&[], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", ok(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).to_lowercase().contains("authoriz"),
        "{}",
        ok(&out)
    );
    // config.json auths (base64 user:password, as docker login writes it).
    let host = format!("127.0.0.1:{}", secure.port);
    let auths = |password: &str| {
        use std::io::Write;
        let mut b64 = Command::new("base64")
            .arg("-w0")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        b64.stdin
            .take()
            .unwrap()
            .write_all(format!("vigie:{password}").as_bytes())
            .unwrap();
        let encoded = String::from_utf8(b64.wait_with_output().unwrap().stdout).unwrap();
        serde_json::json!({"auths": {host.clone(): {"auth": encoded}}}).to_string()
    };
    std::fs::write(config.join("config.json"), auths("s3cret")).unwrap();
    let out = with(&[], &[]);
    assert_eq!(json(&out)["packages"].as_array().unwrap().len(), 14, "{}", ok(&out));
    std::fs::write(config.join("config.json"), auths("wrong")).unwrap();
    let out = with(&[], &[]);
    assert_eq!(out.status.code(), Some(2), "wrong password: {}", ok(&out));
    // A credential helper (docker-credential-NAME on PATH, the helper protocol).
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let helper = bin.join("docker-credential-vigietest");
    std::fs::write(
        &helper,
        format!(
            "#!/bin/sh\n[ \"$1\" = get ] || exit 1\nread server\n[ \"$server\" = \"{host}\" ] || {{ echo 'credentials not found in native keychain'; exit 1; }}\necho '{{\"ServerURL\":\"{host}\",\"Username\":\"vigie\",\"Secret\":\"s3cret\"}}'\n"
        ),
    )
    .unwrap();
    std::fs::set_permissions(&helper, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    std::fs::write(
        config.join("config.json"),
        serde_json::json!({"credHelpers": {host.clone(): "vigietest"}}).to_string(),
    )
    .unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let out = with(&[], &[("PATH", &path)]);
    assert_eq!(
        json(&out)["packages"].as_array().unwrap().len(),
        14,
        "credential helper: {}",
        ok(&out)
    );
    // The environment, for CI jobs without a docker configuration.
    std::fs::write(config.join("config.json"), "{}").unwrap();
    let out = with(
        &[],
        &[
            ("VIGIE_REGISTRY_USERNAME", "vigie"),
            ("VIGIE_REGISTRY_PASSWORD", "s3cret"),
        ],
    );
    assert_eq!(
        json(&out)["packages"].as_array().unwrap().len(),
        14,
        "environment: {}",
        ok(&out)
    );
    // Without the CA, the certificate is not trusted.
    let out = run(
        &["sbom", "--docker-config", &cfg, &reg],
        &[
            ("VIGIE_REGISTRY_USERNAME", "vigie"),
            ("VIGIE_REGISTRY_PASSWORD", "s3cret"),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", ok(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("certificate"),
        "{}",
        ok(&out)
    );
}

#[test]
fn a_multi_platform_index_and_platform_choice() {
    let s = shared();
    let port = s.registry.port;
    let alpine = format!("127.0.0.1:{port}/lab/alpine:3.10");
    let debian = format!("127.0.0.1:{port}/lab/debian:bookworm");
    let list = format!("127.0.0.1:{port}/lab/multi:1");
    // An index: the Alpine image as linux/amd64, the Debian one as linux/arm64.
    let out = docker(&["manifest", "create", "--insecure", "--amend", &list, &alpine, &debian]);
    assert!(out.status.success(), "{}", ok(&out));
    docker_ok(&[
        "manifest", "annotate", "--os", "linux", "--arch", "arm64", &list, &debian,
    ]);
    docker_ok(&["manifest", "push", "--insecure", "--purge", &list]);
    let reg = format!("registry:{list}");
    let os = |platform: &str| {
        let doc = json(&run(
            &[
                "sbom",
                "-f",
                "json",
                "--insecure-registry",
                "--platform",
                platform,
                &reg,
            ],
            &[],
        ));
        doc["os"]["family"].as_str().unwrap().to_string()
    };
    assert_eq!(os("linux/amd64"), "alpine");
    assert_eq!(os("linux/arm64"), "debian");
    let out = run(&["sbom", "--insecure-registry", "--platform", "linux/s390x", &reg], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", ok(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("linux/amd64") && stderr.contains("linux/arm64"),
        "lists what there is: {stderr}"
    );
}

/// Peak resident memory of a finished child, from /proc while it runs.
fn peak_rss_kib(mut child: Child) -> (std::process::ExitStatus, u64) {
    let mut peak = 0;
    loop {
        if let Ok(status) = std::fs::read_to_string(format!("/proc/{}/status", child.id()))
            && let Some(kb) = status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
        {
            peak = peak.max(kb);
        }
        if let Some(status) = child.try_wait().unwrap() {
            return (status, peak);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_200_mb_layer_is_streamed_and_a_tampered_blob_is_refused() {
    let s = shared();
    let port = s.registry.port;
    let tmp = tempfile::tempdir().unwrap();
    // 200 MB of incompressible data in one layer.
    let big = tmp.path().join("big");
    let mut file = std::fs::File::create(&big).unwrap();
    let mut urandom = std::fs::File::open("/dev/urandom").unwrap();
    std::io::copy(&mut std::io::Read::take(&mut urandom, 200 << 20), &mut file).unwrap();
    std::fs::write(
        tmp.path().join("Dockerfile"),
        format!("FROM {LAB_IMAGE}\nCOPY big /big\n"),
    )
    .unwrap();
    let tag = format!("127.0.0.1:{port}/lab/big:1");
    let out = Command::new("docker")
        .env("DOCKER_BUILDKIT", "0")
        .args(["build", "-q", "-t", &tag])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", ok(&out));
    docker_ok(&["push", "-q", &tag]);
    docker_ok(&["rmi", &tag]);
    let reg = format!("registry:{tag}");
    let child = Command::new(assert_cmd::cargo::cargo_bin("vigie"))
        .args(["sbom", "-f", "json", "-o", "/dev/null", "--insecure-registry", &reg])
        .spawn()
        .unwrap();
    let (status, peak) = peak_rss_kib(child);
    assert!(status.success());
    eprintln!("registry sbom of a 200 MB layer: peak RSS {} MiB", peak / 1024);
    assert!(peak < 150 * 1024, "peak RSS {peak} KiB: the layer was buffered");
    // Damage the big layer's bytes in the registry's storage: the digest
    // check refuses it (a hostile or broken registry), exit 2.
    let blobs = s.storage.join("docker/registry/v2/blobs/sha256");
    let mut largest: Option<(u64, PathBuf)> = None;
    for prefix in std::fs::read_dir(&blobs).unwrap().flatten() {
        for blob in std::fs::read_dir(prefix.path()).unwrap().flatten() {
            let data = blob.path().join("data");
            let len = std::fs::metadata(&data).map(|m| m.len()).unwrap_or(0);
            if largest.as_ref().is_none_or(|(l, _)| len > *l) {
                largest = Some((len, data));
            }
        }
    }
    let (_, data) = largest.unwrap();
    let mut bytes = std::fs::read(&data).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&data, &bytes).unwrap();
    let out = run(&["sbom", "--insecure-registry", &reg], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", ok(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("digest") || stderr.contains("mismatch"), "{stderr}");
}

struct Reaped(Child);
impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Token authentication (the protocol of Docker Hub and GHCR): the registry
/// answers 401 with a Bearer challenge, vigie asks the token server with
/// the user's credentials for a pull token of the repository, and reads
/// the image with it. The token server is a real one (tests/data/registry/
/// token_server.py: RS256 JWTs signed by openssl, the certificate the
/// registry trusts in the x5c header).
#[test]
fn token_authentication_through_a_token_server() {
    let s = shared();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let sh = |args: &[&str]| {
        let out = Command::new("openssl").args(args).current_dir(dir).output().unwrap();
        assert!(out.status.success(), "openssl {args:?}: {}", ok(&out));
    };
    sh(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=vigie token signer",
        "-keyout",
        "token-key.pem",
        "-out",
        "token.pem",
    ]);
    let token_port = free_port();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/registry/token_server.py");
    let token_server = Command::new("python3")
        .arg(&script)
        .arg(token_port.to_string())
        .arg(dir.join("token-key.pem"))
        .arg(dir.join("token.pem"))
        .args(["vigie", "t0ken-pass", "vigie-test", "vigie-test-issuer"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut token_server = Reaped(token_server);
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", token_port)).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let auth = format!(
        "auth:\n  token:\n    realm: http://127.0.0.1:{token_port}/token\n    service: vigie-test\n    issuer: vigie-test-issuer\n    rootcertbundle: {}/token.pem\n",
        dir.display()
    );
    let registry = start_registry(dir, &s.storage, "", &auth);
    let reg = format!("registry:127.0.0.1:{}/lab/alpine:3.10", registry.port);
    let env_auth = [
        ("VIGIE_REGISTRY_USERNAME", "vigie"),
        ("VIGIE_REGISTRY_PASSWORD", "t0ken-pass"),
    ];
    let out = run(&["sbom", "-f", "json", "--insecure-registry", &reg], &env_auth);
    assert_eq!(json(&out)["packages"].as_array().unwrap().len(), 14, "{}", ok(&out));
    // Wrong credentials: the token server refuses, so does vigie (exit 2).
    let out = run(
        &["sbom", "--insecure-registry", &reg],
        &[
            ("VIGIE_REGISTRY_USERNAME", "vigie"),
            ("VIGIE_REGISTRY_PASSWORD", "nope"),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", ok(&out));
    // Anonymous: the registry refuses (no token without credentials).
    let out = run(&["sbom", "--insecure-registry", &reg], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", ok(&out));
    let _ = token_server.0.kill();
    let mut log = String::new();
    std::io::Read::read_to_string(token_server.0.stdout.as_mut().unwrap(), &mut log).unwrap();
    assert!(
        log.contains("token vigie repository:lab/alpine:pull"),
        "the token was asked for the repository: {log}"
    );
}
