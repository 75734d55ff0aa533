//! Hostile strings from outside never reach the terminal raw: a privileged
//! container whose bind-mount destination carries escape sequences that would
//! erase the lines above it (the attack issue 13 measured: its header and both
//! CRITICAL findings vanished), and a label with a bidi override. The table
//! shows the escapes as text, a real terminal (tmux) shows every finding, and
//! JSON keeps the exact value.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failed step is a failed test

mod common;

use common::{LAB_IMAGE, Tmux, create, require_engine, unique_name, vigie};
use std::process::Command;

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

/// Hostile sizes, generated here: a 1,000,000-line requirements.txt, an apk
/// database of 1,000,000 packages, a 5 MB Dockerfile, a 100 MB SBOM of
/// 300,000 components and one nested 100,000 deep, a 60 MB
/// package-lock.json. Each ends in bounded
/// time and memory (goal: under 256 MiB and 30 s) with the documented
/// outcome: the package files are cut at 50,000 packages and marked
/// incomplete (exit 2, or 0 with --allow-incomplete), the Dockerfile over
/// 1 MiB is refused (exit 2).
#[test]
fn hostile_sizes_end_in_bounded_memory_and_time() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut requirements = std::io::BufWriter::new(std::fs::File::create(d.join("requirements.txt")).unwrap());
    for i in 0..1_000_000 {
        writeln!(requirements, "pkg{i}==1.{}.0", i % 100).unwrap();
    }
    drop(requirements);
    std::fs::create_dir_all(d.join("rootfs/lib/apk/db")).unwrap();
    std::fs::create_dir_all(d.join("rootfs/etc")).unwrap();
    std::fs::write(d.join("rootfs/etc/alpine-release"), "3.10.4\n").unwrap();
    let mut apk = std::io::BufWriter::new(std::fs::File::create(d.join("rootfs/lib/apk/db/installed")).unwrap());
    for i in 0..1_000_000 {
        writeln!(apk, "P:pkg{i}\nV:1.{}-r0\nA:x86_64\nL:MIT\no:pkg{i}\n", i % 50).unwrap();
    }
    drop(apk);
    let mut dockerfile = std::io::BufWriter::new(std::fs::File::create(d.join("big.Dockerfile")).unwrap());
    writeln!(dockerfile, "FROM debian:12").unwrap();
    for _ in 0..60_000 {
        writeln!(
            dockerfile,
            "RUN apt-get install -y curl wget git && echo {}",
            "x".repeat(60)
        )
        .unwrap();
    }
    drop(dockerfile);
    // A 100 MB CycloneDX SBOM of 300,000 components, and one nested 100,000 deep.
    let mut sbom = std::io::BufWriter::new(std::fs::File::create(d.join("big.cdx.json")).unwrap());
    write!(sbom, r#"{{"bomFormat":"CycloneDX","specVersion":"1.5","components":["#).unwrap();
    for i in 0..300_000 {
        if i > 0 {
            write!(sbom, ",").unwrap();
        }
        write!(
            sbom,
            r#"{{"type":"library","name":"pkg{i}","version":"1.0","purl":"pkg:pypi/pkg{i}@1.0","properties":[{{"name":"vigie:found_in","value":"/{}"}}]}}"#,
            "y".repeat(200)
        )
        .unwrap();
    }
    write!(sbom, "]}}").unwrap();
    drop(sbom);
    let deep = format!(
        r#"{{"bomFormat":"CycloneDX","components":{}[]{}}}"#,
        r#"[{"components":"#.repeat(100_000),
        "}]".repeat(100_000)
    );
    std::fs::write(d.join("deep.cdx.json"), deep).unwrap();
    // A 60 MB package-lock.json of 260,000 packages (under the 64 MiB file limit).
    let lock_dir = d.join("node");
    std::fs::create_dir_all(&lock_dir).unwrap();
    let mut lock = std::io::BufWriter::new(std::fs::File::create(lock_dir.join("package-lock.json")).unwrap());
    write!(
        lock,
        r#"{{"name":"x","lockfileVersion":3,"packages":{{"":{{"name":"x","version":"1.0.0"}}"#
    )
    .unwrap();
    for i in 0..260_000 {
        write!(
            lock,
            r#","node_modules/pkg{i}":{{"version":"1.{}.0","resolved":"https://registry.npmjs.org/pkg{i}/-/pkg{i}-1.0.0.tgz","integrity":"sha512-{}"}}"#,
            i % 100,
            "A".repeat(86)
        )
        .unwrap();
    }
    write!(lock, "}}}}").unwrap();
    drop(lock);
    // Dockerfiles with invalid UTF-8: a small one (read lossily, linted) and a million-line one.
    std::fs::write(
        d.join("bad-utf8.Dockerfile"),
        b"FROM debian:12\nRUN echo \xff\xfe caf\xe9\nUSER 1000\n",
    )
    .unwrap();
    let mut big_bad = std::io::BufWriter::new(std::fs::File::create(d.join("million.Dockerfile")).unwrap());
    big_bad.write_all(b"FROM debian:12\n").unwrap();
    for _ in 0..1_000_000 {
        big_bad.write_all(b"RUN echo \xff\n").unwrap();
    }
    drop(big_bad);
    // yarn.lock, Cargo.lock and poetry.lock of 300,000 packages each (~30-60 MB).
    let locks = d.join("locks");
    for (dir, name) in [
        ("yarn", "yarn.lock"),
        ("cargo", "Cargo.lock"),
        ("poetry", "poetry.lock"),
    ] {
        std::fs::create_dir_all(locks.join(dir)).unwrap();
        let mut f = std::io::BufWriter::new(std::fs::File::create(locks.join(dir).join(name)).unwrap());
        if name == "yarn.lock" {
            writeln!(f, "# yarn lockfile v1\n").unwrap();
        } else if name == "Cargo.lock" {
            writeln!(f, "version = 3\n").unwrap();
        }
        for i in 0..300_000 {
            match name {
                "yarn.lock" => writeln!(
                    f,
                    "pkg{i}@^1.0.0:\n  version \"1.{}.0\"\n  resolved \"https://registry.yarnpkg.com/pkg{i}/-/pkg{i}-1.0.0.tgz\"\n",
                    i % 100
                ),
                "Cargo.lock" => writeln!(
                    f,
                    "[[package]]\nname = \"pkg{i}\"\nversion = \"1.{}.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
                    i % 100
                ),
                _ => writeln!(
                    f,
                    "[[package]]\nname = \"pkg{i}\"\nversion = \"1.{}.0\"\ndescription = \"\"\noptional = false\n",
                    i % 100
                ),
            }
            .unwrap();
        }
    }
    let db = d.join("db.sqlite");
    vigie()
        .args(["db", "--db"])
        .arg(&db)
        .arg("import")
        .arg(common::test_data().join("osv/PyPI.zip"))
        .arg(common::test_data().join("alpine-secdb/v3.10"))
        .assert()
        .success();
    let bin = assert_cmd::cargo::cargo_bin("vigie");
    let cases: Vec<(&str, Vec<std::ffi::OsString>, i32)> = vec![
        (
            "scan of a 1M-line requirements.txt",
            vec![
                "scan".into(),
                "--db".into(),
                db.clone().into(),
                d.join("requirements.txt").into(),
            ],
            2,
        ),
        (
            "scan of it, --allow-incomplete",
            vec![
                "scan".into(),
                "--allow-incomplete".into(),
                "--db".into(),
                db.clone().into(),
                d.join("requirements.txt").into(),
            ],
            0,
        ),
        (
            "scan of a 1M-package apk database",
            vec![
                "scan".into(),
                "--allow-incomplete".into(),
                "--db".into(),
                db.clone().into(),
                d.join("rootfs").into(),
            ],
            0,
        ),
        (
            "sbom of it",
            vec![
                "sbom".into(),
                "-f".into(),
                "json".into(),
                format!("dir:{}", d.join("rootfs").display()).into(),
            ],
            2,
        ),
        (
            "lint of a 5 MB Dockerfile",
            vec!["lint".into(), d.join("big.Dockerfile").into()],
            2,
        ),
        (
            "lint of a Dockerfile with invalid UTF-8",
            vec!["lint".into(), d.join("bad-utf8.Dockerfile").into()],
            0,
        ),
        (
            "lint of a million-line Dockerfile with invalid UTF-8",
            vec!["lint".into(), d.join("million.Dockerfile").into()],
            2,
        ),
        (
            "scan of a 100 MB SBOM, --allow-incomplete",
            vec![
                "scan".into(),
                "--allow-incomplete".into(),
                "--db".into(),
                db.clone().into(),
                d.join("big.cdx.json").into(),
            ],
            0,
        ),
        (
            "scan of a 60 MB package-lock.json, --allow-incomplete",
            vec![
                "scan".into(),
                "--allow-incomplete".into(),
                "--db".into(),
                db.clone().into(),
                lock_dir.join("package-lock.json").into(),
            ],
            0,
        ),
        (
            "scan of an SBOM nested 100,000 deep",
            vec![
                "scan".into(),
                "--db".into(),
                db.clone().into(),
                d.join("deep.cdx.json").into(),
            ],
            2,
        ),
        (
            "sbom of a yarn.lock of 300,000 packages",
            vec![
                "sbom".into(),
                "-f".into(),
                "json".into(),
                "--allow-incomplete".into(),
                format!("dir:{}", locks.join("yarn").display()).into(),
            ],
            0,
        ),
        (
            "sbom of a Cargo.lock of 300,000 packages",
            vec![
                "sbom".into(),
                "-f".into(),
                "json".into(),
                "--allow-incomplete".into(),
                format!("dir:{}", locks.join("cargo").display()).into(),
            ],
            0,
        ),
        (
            "sbom of a poetry.lock of 300,000 packages",
            vec![
                "sbom".into(),
                "-f".into(),
                "json".into(),
                "--allow-incomplete".into(),
                format!("dir:{}", locks.join("poetry").display()).into(),
            ],
            0,
        ),
    ];
    for (what, args, code) in cases {
        let mut command = Command::new(&bin);
        command.args(&args);
        let (got, peak_kib, took) = common::run_measured(command);
        eprintln!(
            "{what}: exit {got:?}, peak {} MiB, {:.2} s",
            peak_kib / 1024,
            took.as_secs_f64()
        );
        assert_eq!(got, Some(code), "{what}");
        assert!(peak_kib < 256 * 1024, "{what}: peak {peak_kib} KiB");
        assert!(took < std::time::Duration::from_secs(30), "{what}: {took:?}");
    }
}

/// An OCI layout whose manifest names one layer 100,000 times (and its
/// config as many diff ids): the blob is read once, applied in each place,
/// and the image opens in bounded time and memory.
#[test]
fn a_layer_listed_100000_times_is_read_once() {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("layout");
    let script = r#"
import hashlib, io, json, os, sys, tarfile
root = sys.argv[1]; blobs = os.path.join(root, "blobs", "sha256"); os.makedirs(blobs)
def put(data):
    h = hashlib.sha256(data).hexdigest(); open(os.path.join(blobs, h), "wb").write(data); return "sha256:" + h, len(data)
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w") as t:
    body = b"ID=alpine\nVERSION_ID=3.10.4\n"; info = tarfile.TarInfo("etc/os-release"); info.size = len(body); t.addfile(info, io.BytesIO(body))
layer = buf.getvalue(); layer_digest, layer_size = put(layer)
n = 100000
config = json.dumps({"architecture": "amd64", "os": "linux", "config": {}, "rootfs": {"type": "layers", "diff_ids": [layer_digest] * n}}).encode()
config_digest, config_size = put(config)
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config_size},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer_digest, "size": layer_size}] * n}).encode()
manifest_digest, manifest_size = put(manifest)
json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": manifest_digest, "size": manifest_size}]}, open(os.path.join(root, "index.json"), "w"))
open(os.path.join(root, "oci-layout"), "w").write('{"imageLayoutVersion": "1.0.0"}')
"#;
    let status = Command::new("python3")
        .args(["-c", script])
        .arg(&layout)
        .status()
        .unwrap();
    assert!(status.success());
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("vigie"));
    command
        .args(["sbom", "-f", "json", "-o"])
        .arg(dir.path().join("out.json"))
        .arg(format!("oci:{}", layout.display()));
    let (code, peak_kib, took) = common::run_measured(command);
    eprintln!(
        "100,000 repeated layers: exit {code:?}, peak {} MiB, {:.2} s",
        peak_kib / 1024,
        took.as_secs_f64()
    );
    assert_eq!(code, Some(0));
    assert!(
        peak_kib < 256 * 1024 && took < std::time::Duration::from_secs(30),
        "{peak_kib} KiB, {took:?}"
    );
    let sbom: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.path().join("out.json")).unwrap()).unwrap();
    assert_eq!(
        sbom["os"]["family"], "alpine",
        "the layer's file is there: {}",
        sbom["os"]
    );
}

/// Root filesystems and layers an attacker shapes: FIFOs and device nodes
/// where vigie reads files (a FIFO opened for reading blocks forever), a
/// directory chain 10,000 deep, a million tiny files, one 50 MB field in the
/// dpkg database, a layer of FIFO and device entries, an OCI index that
/// names itself. Each ends with the documented exit code, in bounded memory
/// and time, and nothing is written but the output asked for.
#[test]
fn hostile_trees_and_layers_end_in_bounded_memory_and_time() {
    // In memory where the machine has a roomy tmpfs: a million files take 8 s there, 2 min on
    // this disk (a container's default 64 MB /dev/shm is too small: the disk then).
    let shm_free = Command::new("df")
        .args(["--output=avail", "-B1", "/dev/shm"])
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .nth(1)
                .and_then(|l| l.trim().parse::<u64>().ok())
        })
        .unwrap_or(0);
    let dir = if shm_free > 2 << 30 {
        tempfile::Builder::new().tempdir_in("/dev/shm").unwrap()
    } else {
        tempfile::tempdir().unwrap()
    };
    let d = dir.path();
    let script = r#"
import hashlib, io, json, os, sys, tarfile
d = sys.argv[1]
# FIFOs and a device node where the package database and os-release are read.
r = os.path.join(d, "fifo-root"); os.makedirs(os.path.join(r, "etc")); os.makedirs(os.path.join(r, "var/lib/dpkg")); os.makedirs(os.path.join(r, "lib/apk/db"))
os.mkfifo(os.path.join(r, "etc/os-release")); os.mkfifo(os.path.join(r, "var/lib/dpkg/status"))
os.mknod(os.path.join(r, "lib/apk/db/installed"), 0o600 | 0o020000, os.makedev(1, 3))
os.mkfifo(os.path.join(r, "etc/passwd"))
# 10,000 nested directories (deeper than PATH_MAX), a file at the bottom.
r = os.path.join(d, "deep-root"); os.makedirs(os.path.join(r, "etc")); open(os.path.join(r, "etc/os-release"), "w").write("ID=debian\nVERSION_ID=12\n")
fd = os.open(r, os.O_RDONLY)
for i in range(10000):
    os.mkdir("d", dir_fd=fd); nfd = os.open("d", os.O_RDONLY, dir_fd=fd); os.close(fd); fd = nfd
with open(os.open("bottom", os.O_WRONLY | os.O_CREAT, 0o4755, dir_fd=fd), "w") as f: f.write("x")
os.close(fd)
# A million tiny files (1,000 directories of 1,000).
r = os.path.join(d, "many-root"); os.makedirs(os.path.join(r, "etc")); open(os.path.join(r, "etc/os-release"), "w").write("ID=debian\nVERSION_ID=12\n")
for i in range(1000):
    p = os.path.join(r, "srv", str(i)); os.makedirs(p)
    for j in range(1000):
        os.close(os.open(os.path.join(p, str(j)), os.O_WRONLY | os.O_CREAT, 0o644))
# One 50 MB field in the dpkg database.
r = os.path.join(d, "field-root"); os.makedirs(os.path.join(r, "etc")); os.makedirs(os.path.join(r, "var/lib/dpkg"))
open(os.path.join(r, "etc/os-release"), "w").write("ID=debian\nVERSION_ID=12\n")
with open(os.path.join(r, "var/lib/dpkg/status"), "w") as f:
    f.write("Package: big\nStatus: install ok installed\nVersion: 1.0\nArchitecture: amd64\nDescription: " + "x" * 50_000_000 + "\n\nPackage: small\nStatus: install ok installed\nVersion: 2.0\nArchitecture: amd64\n\n")
# OCI layouts: a layer of FIFO and device entries; an index that names itself.
def layout(name):
    root = os.path.join(d, name); blobs = os.path.join(root, "blobs", "sha256"); os.makedirs(blobs)
    open(os.path.join(root, "oci-layout"), "w").write('{"imageLayoutVersion": "1.0.0"}')
    def put(data, digest=None):
        h = digest or hashlib.sha256(data).hexdigest(); open(os.path.join(blobs, h), "wb").write(data); return "sha256:" + h, len(data)
    return root, put
root, put = layout("devices-layout")
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w") as t:
    body = b"ID=alpine\nVERSION_ID=3.10.4\n"; info = tarfile.TarInfo("etc/os-release"); info.size = len(body); t.addfile(info, io.BytesIO(body))
    for name, kind in [("lib/apk/db/installed", tarfile.FIFOTYPE), ("dev/sda", tarfile.BLKTYPE), ("dev/mem", tarfile.CHRTYPE), ("etc/passwd", tarfile.FIFOTYPE)]:
        info = tarfile.TarInfo(name); info.type = kind; info.devmajor = 1; info.devminor = 1; t.addfile(info)
layer = buf.getvalue(); ld, ls = put(layer)
config = json.dumps({"architecture": "amd64", "os": "linux", "config": {}, "rootfs": {"type": "layers", "diff_ids": [ld]}}).encode(); cd, cs = put(config)
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": ld, "size": ls}]}).encode(); md, ms = put(manifest)
json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": ms}]}, open(os.path.join(root, "index.json"), "w"))
root, put = layout("loop-layout")
fake = "ab" * 32
nested = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
    "manifests": [{"mediaType": "application/vnd.oci.image.index.v1+json", "digest": "sha256:" + fake, "size": 200}]}).encode()
put(nested, fake)
json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.index.v1+json", "digest": "sha256:" + fake, "size": len(nested)}]}, open(os.path.join(root, "index.json"), "w"))
"#;
    let made = Command::new("python3").args(["-c", script]).arg(d).status().unwrap();
    assert!(made.success());
    let out = d.join("out.json");
    let cases: Vec<(&str, Vec<String>, &[i32])> = vec![
        // Incomplete (exit 2): the os-release and package databases it names are not files.
        (
            "sbom of a root with FIFOs and a device node",
            vec![
                "sbom".into(),
                "-f".into(),
                "json".into(),
                format!("dir:{}", d.join("fifo-root").display()),
            ],
            &[2],
        ),
        (
            "audit image of it",
            vec![
                "audit".into(),
                "image".into(),
                format!("dir:{}", d.join("fifo-root").display()),
                "-f".into(),
                "json".into(),
            ],
            &[0, 1, 2],
        ),
        // Past PATH_MAX the kernel refuses the path: reported, and the result incomplete.
        (
            "sbom of a 10,000-deep tree",
            vec![
                "sbom".into(),
                "-f".into(),
                "json".into(),
                format!("dir:{}", d.join("deep-root").display()),
            ],
            &[2],
        ),
        (
            "audit image of it",
            vec![
                "audit".into(),
                "image".into(),
                format!("dir:{}", d.join("deep-root").display()),
                "-f".into(),
                "json".into(),
            ],
            &[0, 1, 2],
        ),
        (
            "sbom of a million tiny files",
            vec![
                "sbom".into(),
                "-f".into(),
                "json".into(),
                format!("dir:{}", d.join("many-root").display()),
            ],
            &[0, 2],
        ),
        (
            "audit image of it",
            vec![
                "audit".into(),
                "image".into(),
                format!("dir:{}", d.join("many-root").display()),
                "-f".into(),
                "json".into(),
            ],
            &[0, 1, 2],
        ),
        (
            "sbom of a dpkg database with a 50 MB field",
            vec![
                "sbom".into(),
                "-f".into(),
                "json".into(),
                format!("dir:{}", d.join("field-root").display()),
            ],
            &[0, 2],
        ),
        (
            "sbom of a layer of FIFOs and devices",
            vec![
                "sbom".into(),
                "-f".into(),
                "json".into(),
                format!("oci:{}", d.join("devices-layout").display()),
            ],
            &[2],
        ),
        (
            "audit image of it",
            vec![
                "audit".into(),
                "image".into(),
                format!("oci:{}", d.join("devices-layout").display()),
                "-f".into(),
                "json".into(),
            ],
            &[0, 1, 2],
        ),
        (
            "sbom of an index that names itself",
            vec![
                "sbom".into(),
                "-f".into(),
                "json".into(),
                format!("oci:{}", d.join("loop-layout").display()),
            ],
            &[2],
        ),
    ];
    for (what, args, codes) in cases {
        let _ = std::fs::remove_file(&out);
        let mut command = Command::new(assert_cmd::cargo::cargo_bin("vigie"));
        command.args(&args).arg("-o").arg(&out);
        let (code, peak_kib, took) = common::run_measured(command);
        eprintln!(
            "{what}: exit {code:?}, peak {} MiB, {:.2} s",
            peak_kib / 1024,
            took.as_secs_f64()
        );
        assert!(code.is_some_and(|c| codes.contains(&c)), "{what}: exit {code:?}");
        assert!(peak_kib < 256 * 1024, "{what}: peak {peak_kib} KiB");
        assert!(took < std::time::Duration::from_secs(30), "{what}: {took:?}");
        if code == Some(0) || code == Some(1) {
            let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
            assert!(report.is_object(), "{what}");
        }
    }
    // The 50 MB field: both packages are listed, the field is not kept whole.
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("vigie"));
    command
        .args(["sbom", "-f", "json", "-o"])
        .arg(&out)
        .arg(format!("dir:{}", d.join("field-root").display()));
    let (code, _, _) = common::run_measured(command);
    assert_eq!(code, Some(0));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.contains("\"small\"") && text.len() < 10_000_000,
        "{} bytes",
        text.len()
    );
}
