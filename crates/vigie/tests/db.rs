//! `vigie db`: import of the real test data (testdata/), bad input, and `db update`
//! against real HTTP servers on 127.0.0.1 (normal with ETag/Last-Modified,
//! failing with 500, truncated, slow), with real kills mid-download and
//! mid-import to prove the swap is atomic.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::test_data;

/// The lab stand-in's archive: Alpine 3.10.4's package database.
fn alpine_310_archive() -> PathBuf {
    common::test_image("lab-alpine-310.tar.gz")
}

fn vigie_db(db: &Path) -> assert_cmd::Command {
    let mut cmd = common::vigie();
    cmd.arg("db").arg("--db").arg(db);
    cmd
}

fn json_of(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)))
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Normal,
    /// Answer 500 to the first N requests, then serve normally.
    FailFirst(usize),
    /// Announce the full length, send half, close.
    Truncated,
    /// Send 64 KiB then sleep, again and again.
    Slow,
    /// Read the request, then send nothing (the connection stays open).
    Hang,
    /// Announce 3 GB.
    HugeAnnounced,
    /// Send zeros without a length until the client gives up (2 GiB and more).
    Endless,
    /// Redirect every request to itself.
    RedirectLoop,
}

/// A tiny HTTP/1.1 file server over testdata/, one thread per connection.
struct Server {
    base: String,
    requests: Arc<AtomicUsize>,
}

const LAST_MODIFIED: &str = "Sun, 02 Apr 2023 00:00:00 GMT";

fn serve(mode: Mode) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(AtomicUsize::new(0));
    let counter = requests.clone();
    std::thread::spawn(move || {
        // Bounded: a test server never outlives a few hundred requests.
        for stream in listener.incoming().take(500).flatten() {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            std::thread::spawn(move || {
                let _ = handle(stream, mode, n);
            });
        }
    });
    Server { base, requests }
}

fn handle(mut stream: TcpStream, mode: Mode, n: usize) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut if_none_match = None;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header)?;
        if header.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = header.split_once(':')
            && k.eq_ignore_ascii_case("if-none-match")
        {
            if_none_match = Some(v.trim().to_string());
        }
    }
    if mode == Mode::Hang {
        std::thread::sleep(Duration::from_secs(120));
        return Ok(());
    }
    if mode == Mode::HugeAnnounced {
        stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 3000000000\r\nConnection: close\r\n\r\n")?;
        return stream.write_all(&[0u8; 65536]);
    }
    if mode == Mode::Endless {
        stream.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")?;
        let zeros = vec![0u8; 1 << 20];
        // Bounded: a little over the client's 2 GiB limit.
        for _ in 0..2200 {
            stream.write_all(&zeros)?;
        }
        return Ok(());
    }
    if mode == Mode::RedirectLoop {
        return stream.write_all(
            format!("HTTP/1.1 302 Found\r\nLocation: {path}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        );
    }
    if let Mode::FailFirst(count) = mode
        && n < count
    {
        return stream
            .write_all(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\nConnection: close\r\n\r\noops");
    }
    let file = test_data().join(path.trim_start_matches('/'));
    if path.contains("..") || !file.is_file() {
        return stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    }
    let body = std::fs::read(&file)?;
    let etag = format!(
        "\"{}-{}\"",
        body.len(),
        body.iter().take(4096).map(|b| *b as usize).sum::<usize>()
    );
    if if_none_match.as_deref() == Some(etag.as_str()) {
        return stream
            .write_all(format!("HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nConnection: close\r\n\r\n").as_bytes());
    }
    stream.write_all(
        format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nETag: {etag}\r\nLast-Modified: {LAST_MODIFIED}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    )?;
    match mode {
        Mode::Truncated => stream.write_all(&body[..body.len() / 2]),
        Mode::Slow => {
            for chunk in body.chunks(64 * 1024) {
                stream.write_all(chunk)?;
                std::thread::sleep(Duration::from_millis(250));
            }
            Ok(())
        }
        _ => stream.write_all(&body),
    }
}

fn sha256_of(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn import_real_data_then_status_and_show() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cache/vulndb.sqlite");
    let d = test_data();
    let output = vigie_db(&db)
        .arg("import")
        .arg("--json")
        .arg(d.join("osv/Debian.zip"))
        .arg(d.join("osv/PyPI.zip"))
        .arg(d.join("osv/crates.io.zip"))
        .arg(d.join("alpine-secdb"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let summary = json_of(&output);
    let sources = summary["sources"].as_array().unwrap();
    let records = |name: &str| {
        sources.iter().find(|s| s["source"] == name).unwrap()["records"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(records("osv:Debian"), 2183);
    assert_eq!(records("osv:PyPI"), 625);
    assert_eq!(records("osv:crates.io"), 260);
    // Typos in secdb ids ("CVE_2019-2426") are skipped and counted, not fatal.
    let skipped: u64 = sources.iter().map(|s| s["skipped"].as_u64().unwrap()).sum();
    assert!(skipped > 0);
    let status = json_of(&vigie_db(&db).args(["status", "--json"]).output().unwrap());
    assert_eq!(status["schema_version"], 5);
    let ecosystems: Vec<&str> = status["ecosystems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e[0].as_str().unwrap())
        .collect();
    for e in [
        "Debian:11",
        "Debian:10",
        "Alpine:v3.4",
        "Alpine:v3.10",
        "PyPI",
        "crates.io",
    ] {
        assert!(ecosystems.contains(&e), "{e} missing from {ecosystems:?}");
    }
    let debian = status["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "osv:Debian")
        .unwrap();
    assert_eq!(debian["sha256"], sha256_of(&d.join("osv/Debian.zip")));
    let shown = vigie_db(&db).args(["show", "DSA-5380-1"]).output().unwrap();
    let record: Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(record["upstream"][0], "CVE-2023-1393");
    // Importing the same files again replaces them.
    vigie_db(&db)
        .arg("import")
        .arg(d.join("osv/crates.io.zip"))
        .assert()
        .success();
    let again = json_of(&vigie_db(&db).args(["status", "--json"]).output().unwrap());
    assert_eq!(again["records"], status["records"]);
}

fn make_zip(path: &Path, script: &str) {
    let status = Command::new("python3")
        .args(["-c", script])
        .arg(path)
        .status()
        .expect("python3 (scripts/lib/peers-vulndb.sh)");
    assert!(status.success());
}

#[test]
fn malformed_records_zip_bombs_and_traversal_are_skipped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("Weird.zip");
    make_zip(
        &zip,
        r#"
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED)
z.writestr("GOOD-1.json", '{"id":"GOOD-1","x-future-field":{"kept":true},"affected":[{"package":{"ecosystem":"Martian:7","name":"zork"},"versions":["1.0"]}]}')
z.writestr("BADVER-1.json", '{"id":"BADVER-1","affected":[{"package":{"ecosystem":"Debian:11","name":"zork"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"!!not a version!!"}]}]}]}')
z.writestr("../../evil.json", '{"id":"EVIL-1"}')
z.writestr("/etc/abs.json", '{"id":"EVIL-2"}')
z.writestr("broken.json", '{"id": "BROKEN-1", ')
z.writestr("noid.json", '{"summary": "no id"}')
z.writestr("bomb.json", " " * (64 * 1024 * 1024))
z.close()
"#,
    );
    let db = dir.path().join("db.sqlite");
    let output = vigie_db(&db).arg("import").arg("--json").arg(&zip).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let summary = json_of(&output);
    let source = &summary["sources"][0];
    assert_eq!(source["source"], "osv:Weird");
    assert_eq!(source["records"], 2);
    assert_eq!(source["skipped"], 5);
    let sample = source["skipped_sample"].to_string();
    assert!(sample.contains("unsafe entry name"), "{sample}");
    assert!(sample.contains("limit"), "{sample}");
    // Unknown ecosystems and fields are kept verbatim.
    let shown = vigie_db(&db).args(["show", "GOOD-1"]).output().unwrap();
    let record: Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(record["x-future-field"]["kept"], true);
    // An invalid version in a record is a warning at scan time, never a panic.
    let rootfs = dir.path().join("rootfs");
    std::fs::create_dir_all(rootfs.join("var/lib/dpkg")).unwrap();
    std::fs::create_dir_all(rootfs.join("etc")).unwrap();
    std::fs::write(rootfs.join("etc/os-release"), "ID=debian\nVERSION_ID=\"11\"\n").unwrap();
    std::fs::write(
        rootfs.join("var/lib/dpkg/status"),
        "Package: zork\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: amd64\n\n\
         Package: badver\nStatus: install ok installed\nVersion: :::\nArchitecture: amd64\nSource: zork\n\n",
    )
    .unwrap();
    let output = common::vigie()
        .args(["scan", "-f", "json", "--db"])
        .arg(&db)
        .arg(&rootfs)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = json_of(&output);
    assert!(report["warnings"].to_string().contains("not a version"), "{report}");
}

#[test]
fn old_schema_and_corrupt_files_are_detected_and_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite");
    std::fs::write(&db, vec![0x42u8; 8192]).unwrap();
    let output = vigie_db(&db).arg("status").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("corrupt"));
    vigie_db(&db)
        .arg("import")
        .arg(test_data().join("alpine-secdb/v3.10"))
        .assert()
        .success();
    vigie_db(&db).arg("status").assert().success();
    common::sqlite_exec(&db, "PRAGMA user_version=99");
    let output = vigie_db(&db).arg("status").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("schema version 99") && stderr.contains("rebuild"),
        "{stderr}"
    );
    // A file of the first layout (version 1, before the compact index) is
    // an old schema too: scans refuse it with the same advice.
    common::sqlite_exec(&db, "PRAGMA user_version=1");
    let output = common::vigie()
        .args(["scan", "--db"])
        .arg(&db)
        .arg(alpine_310_archive())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("schema version 1,") && stderr.contains("run `vigie db update` or `vigie db import`"),
        "{stderr}"
    );
    vigie_db(&db)
        .arg("import")
        .arg(test_data().join("alpine-secdb/v3.10"))
        .assert()
        .success();
    vigie_db(&db).arg("status").assert().success();
}

fn update(db: &Path, server: &Server, urls: &[&str], extra: &[&str]) -> std::process::Output {
    let mut cmd = vigie_db(db);
    cmd.args(["update", "--json", "--backoff-ms", "20", "--timeout", "20"])
        .args(extra);
    for url in urls {
        cmd.arg("--source").arg(format!("{}{url}", server.base));
    }
    cmd.output().unwrap()
}

#[test]
fn update_over_http_with_conditional_requests() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite");
    let server = serve(Mode::Normal);
    let urls = ["/osv/crates.io.zip", "/osv/PyPI.zip", "/alpine-secdb/v3.10/main.yaml"];
    let output = update(&db, &server, &urls, &[]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report = json_of(&output);
    let outcomes = report["outcomes"].as_array().unwrap();
    assert!(outcomes.iter().all(|o| o["status"] == "updated"), "{report}");
    assert_eq!(outcomes[0]["sha256"], sha256_of(&test_data().join("osv/crates.io.zip")));
    assert_eq!(outcomes[0]["summary"]["records"], 260);
    let status = json_of(&vigie_db(&db).args(["status", "--json"]).output().unwrap());
    let source = status["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "osv:crates.io")
        .unwrap();
    assert_eq!(source["last_modified"], LAST_MODIFIED);
    assert!(source["etag"].as_str().unwrap().starts_with('"'));
    // Second run: the archives are not modified (ETag), nothing is downloaded again.
    let output = update(&db, &server, &urls[..2], &[]);
    assert!(output.status.success());
    let report = json_of(&output);
    assert!(
        report["outcomes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["status"] == "not-modified"),
        "{report}"
    );
    // --force downloads anyway.
    let report = json_of(&update(&db, &server, &urls[..1], &["--force"]));
    assert_eq!(report["outcomes"][0]["status"], "updated");
}

#[test]
fn update_retries_then_fails_cleanly_on_500_and_truncation() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite");
    vigie_db(&db)
        .arg("import")
        .arg(test_data().join("osv/crates.io.zip"))
        .assert()
        .success();
    let before = json_of(&vigie_db(&db).args(["status", "--json"]).output().unwrap());
    // Two 500s then success: retries with backoff recover.
    let flaky = serve(Mode::FailFirst(2));
    let output = update(&db, &flaky, &["/osv/PyPI.zip"], &["--retries", "3"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stderr).contains("retry 2"));
    assert_eq!(flaky.requests.load(Ordering::SeqCst), 3);
    // Always 500: fails after 1 + retries attempts; the database keeps its data.
    let broken = serve(Mode::FailFirst(usize::MAX));
    let output = update(&db, &broken, &["/osv/crates.io.zip"], &["--retries", "2"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(broken.requests.load(Ordering::SeqCst), 3);
    assert!(String::from_utf8_lossy(&output.stderr).contains("http status 500"));
    // Truncated body: detected, retried, failed; nothing imported from it.
    let truncated = serve(Mode::Truncated);
    let output = update(&db, &truncated, &["/osv/crates.io.zip"], &["--retries", "1"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("truncated") || stderr.contains("transfer"), "{stderr}");
    let after = json_of(&vigie_db(&db).args(["status", "--json"]).output().unwrap());
    let crates = |s: &Value| {
        s["sources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"] == "osv:crates.io")
            .unwrap()["records"]
            .clone()
    };
    assert_eq!(crates(&before), crates(&after));
    // A slow server and a short timeout: a timeout error, not a hang.
    let slow = serve(Mode::Slow);
    let started = Instant::now();
    let mut cmd = vigie_db(&db);
    let output = cmd
        .args(["update", "--timeout", "1", "--retries", "0", "--source"])
        .arg(format!("{}/osv/Debian.zip", slow.base))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(started.elapsed() < Duration::from_secs(15));
}

fn spawn_update(db: &Path, url: &str) -> std::process::Child {
    Command::new(assert_cmd::cargo::cargo_bin("vigie"))
        .arg("db")
        .arg("--db")
        .arg(db)
        .args(["update", "--source", url])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn scan_ok(db: &Path) -> usize {
    // The databases these tests serve may hold no Alpine data: that gap is
    // reported (incomplete), accepted here.
    let output = common::vigie()
        .args(["scan", "-f", "json", "--allow-incomplete", "--db"])
        .arg(db)
        .arg(alpine_310_archive())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    json_of(&output)["database"]["sources"].as_array().unwrap().len()
}

#[test]
fn killed_updates_leave_the_previous_database_usable() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite");
    vigie_db(&db)
        .arg("import")
        .arg(test_data().join("alpine-secdb/v3.10"))
        .assert()
        .success();
    let original = std::fs::read(&db).unwrap();
    assert_eq!(scan_ok(&db), 2);
    // Kill during a (slow) download.
    let slow = serve(Mode::Slow);
    let mut child = spawn_update(&db, &format!("{}/osv/Debian.zip", slow.base));
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the download should still be running"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(std::fs::read(&db).unwrap(), original, "the database file is untouched");
    assert_eq!(scan_ok(&db), 2);
    // Kill during the import: wait for the "importing" line, then SIGKILL.
    let fast = serve(Mode::Normal);
    let mut child = spawn_update(&db, &format!("{}/osv/Debian.zip", fast.base));
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while stderr.read_line(&mut line).unwrap() > 0 && !line.contains("importing") {
        line.clear();
    }
    assert!(line.contains("importing osv:Debian"), "{line}");
    child.kill().unwrap();
    child.wait().unwrap();
    let mut rest = String::new();
    let _ = stderr.read_to_string(&mut rest);
    assert_eq!(std::fs::read(&db).unwrap(), original, "the database file is untouched");
    assert_eq!(scan_ok(&db), 2);
    // The next writer cleans the leftovers and completes.
    let output = update(&db, &fast, &["/osv/Debian.zip"], &[]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(scan_ok(&db), 3);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn scans_run_while_an_update_writes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite");
    vigie_db(&db)
        .arg("import")
        .arg(test_data().join("alpine-secdb/v3.10"))
        .assert()
        .success();
    let server = serve(Mode::Normal);
    let mut writer = spawn_update(&db, &format!("{}/osv/Debian.zip", server.base));
    let db2 = db.clone();
    let readers: Vec<_> = (0..3)
        .map(|_| {
            let db = db2.clone();
            std::thread::spawn(move || {
                for _ in 0..3 {
                    let n = scan_ok(&db);
                    assert!(n == 2 || n == 3);
                }
            })
        })
        .collect();
    for reader in readers {
        reader.join().unwrap();
    }
    assert!(writer.wait().unwrap().success());
    assert_eq!(scan_ok(&db), 3);
}

/// A zip whose entry fails its CRC-32 (a corrupted download) is refused,
/// exit 2, naming the entry and the fix; the database keeps what it had.
#[test]
fn a_damaged_zip_is_refused_and_the_database_kept() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite");
    let good = dir.path().join("crates.io.zip");
    std::fs::copy(test_data().join("osv/crates.io.zip"), &good).unwrap();
    vigie_db(&db).arg("import").arg(&good).assert().success();
    let before = json_of(&vigie_db(&db).args(["status", "--json"]).output().unwrap());
    // Flip one byte inside the first entry's compressed data: the entry
    // still inflates or fails to, but never matches its CRC-32.
    let mut bytes = std::fs::read(&good).unwrap();
    let name_len = u16::from_le_bytes([bytes[26], bytes[27]]) as usize;
    let extra_len = u16::from_le_bytes([bytes[28], bytes[29]]) as usize;
    let data = 30 + name_len + extra_len;
    bytes[data + 10] ^= 0x55;
    std::fs::write(&good, &bytes).unwrap();
    let output = vigie_db(&db).arg("import").arg(&good).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("damaged zip") && stderr.contains("db update --force"),
        "{stderr}"
    );
    let after = json_of(&vigie_db(&db).args(["status", "--json"]).output().unwrap());
    assert_eq!(after["records"], before["records"], "the earlier import is kept");
}

/// A bit flipped in an index block of the database file: the scan that
/// reads that block refuses with the fix (`vigie db update --force`), and
/// `db status --verify` finds it without a scan.
#[test]
fn a_bit_flipped_database_is_refused_not_scanned() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite");
    vigie_db(&db)
        .arg("import")
        .arg(test_data().join("alpine-secdb/v3.4"))
        .assert()
        .success();
    vigie_db(&db).args(["status", "--verify"]).assert().success();
    // A root filesystem whose packages the blocks name.
    let rootfs = dir.path().join("rootfs");
    std::fs::create_dir_all(rootfs.join("lib/apk/db")).unwrap();
    std::fs::create_dir_all(rootfs.join("etc")).unwrap();
    std::fs::copy(
        test_data().join("pkgdb/apk/installed"),
        rootfs.join("lib/apk/db/installed"),
    )
    .unwrap();
    std::fs::write(rootfs.join("etc/alpine-release"), "3.4.6\n").unwrap();
    let scan = || {
        common::vigie()
            .args(["scan", "--allow-incomplete", "-f", "json", "--db"])
            .arg(&db)
            .arg(&rootfs)
            .output()
            .unwrap()
    };
    assert!(scan().status.success());
    // Flip a bit inside one block's data, through SQLite (the file stays a
    // valid database: only the content is wrong, as after a bad disk write).
    let flip = Command::new("python3")
        .args([
            "-c",
            "import sqlite3, sys\n\
             c = sqlite3.connect(sys.argv[1])\n\
             rid, data = c.execute('SELECT id, data FROM blocks ORDER BY length(data) DESC LIMIT 1').fetchone()\n\
             data = bytearray(data); data[len(data) // 2] ^= 0x10\n\
             c.execute('UPDATE blocks SET data = ? WHERE id = ?', (bytes(data), rid)); c.commit()",
        ])
        .arg(&db)
        .status()
        .unwrap();
    assert!(flip.success());
    let out = vigie_db(&db).args(["status", "--verify"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("checksum mismatch") && stderr.contains("db update --force"),
        "{stderr}"
    );
    // Every block, in turn damaged: no scan reading it passes silently.
    common::sqlite_exec(&db, "UPDATE blocks SET crc = crc + 1");
    let out = scan();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("corrupt") && stderr.contains("checksum mismatch"),
        "{stderr}"
    );
}

/// A source that accepts and never answers fails after the stall limit and
/// is tried twice at most (not once per retry), and a second writer says it
/// waits for the first.
#[test]
fn a_hanging_source_fails_fast_and_a_waiting_writer_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite");
    let hang = serve(Mode::Hang);
    let started = Instant::now();
    let output = vigie_db(&db)
        .args(["update", "--timeout", "2", "--retries", "3", "--source"])
        .arg(format!("{}/osv/Debian.zip", hang.base))
        .output()
        .unwrap();
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("after 2 attempts"), "{stderr}");
    assert!(took < Duration::from_secs(10), "{took:?}: {stderr}");
    // A writer holds the lock (a slow download); the second one says it waits.
    let slow = serve(Mode::Slow);
    let mut first = spawn_update(&db, &format!("{}/osv/Debian.zip", slow.base));
    std::thread::sleep(Duration::from_millis(800));
    let mut second = spawn_update(&db, &format!("{}/osv/crates.io.zip", slow.base));
    let mut line = String::new();
    let mut reader = BufReader::new(second.stderr.take().unwrap());
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line.contains("another vigie is writing") {
            break;
        }
    }
    let _ = first.kill();
    let _ = second.kill();
    let _ = first.wait();
    let _ = second.wait();
    assert!(line.contains("another vigie is writing"), "{line}");
}

/// Sizes and loops an update server can answer with: a 3 GB announcement is
/// refused before reading, an endless body stops at the 2 GiB limit with the
/// download streamed to a temporary file (bounded memory), a redirect loop is
/// an error after ureq's 10 hops, none is retried, and the database is kept.
#[test]
fn huge_and_looping_update_responses_fail_bounded() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db.sqlite");
    let good = serve(Mode::Normal);
    let out = update(&db, &good, &["/osv/crates.io.zip"], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let before = scan_ok(&db);
    for (mode, needle) in [
        (Mode::HugeAnnounced, "over the limit"),
        (Mode::RedirectLoop, "redirect"),
        (Mode::Endless, "refused"),
    ] {
        let server = serve(mode);
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("vigie"));
        cmd.args(["db", "--db"])
            .arg(&db)
            .args(["update", "--backoff-ms", "20", "--source"])
            .arg(format!("{}/osv/crates.io.zip", server.base));
        let (code, peak_kib, took) = common::run_measured(cmd);
        eprintln!(
            "{mode:?}: exit {code:?}, peak {} MiB, {:.1} s",
            peak_kib / 1024,
            took.as_secs_f64()
        );
        assert_eq!(code, Some(2), "{mode:?}");
        assert!(peak_kib < 256 * 1024, "{mode:?}: {peak_kib} KiB");
        assert!(took < Duration::from_secs(60), "{mode:?}: {took:?}");
        let out = update(&db, &server, &["/osv/crates.io.zip"], &[]);
        let stderr = String::from_utf8_lossy(&out.stderr).to_lowercase();
        if mode != Mode::Endless {
            assert!(stderr.contains(needle), "{mode:?}: {stderr}");
            // Not retried: one request (plus the measured run's).
        }
        assert_eq!(scan_ok(&db), before, "{mode:?}: the database changed");
    }
}

/// A source pinned by `URL#sha256=HEX`: the right file is imported, any
/// other is refused and the source's previous data kept.
#[test]
fn a_pinned_sha256_is_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db.sqlite");
    let server = serve(Mode::Normal);
    let real = sha256_of(&test_data().join("osv/crates.io.zip"));
    let pinned = format!("/osv/crates.io.zip#sha256={real}");
    let out = update(&db, &server, &[pinned.as_str()], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let before = scan_ok(&db);
    let wrong = format!("/osv/crates.io.zip#sha256={}", "0".repeat(64));
    let out = update(&db, &server, &[wrong.as_str()], &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("sha256 mismatch") && stderr.contains(&real), "{stderr}");
    assert_eq!(scan_ok(&db), before);
}

/// Never silently clean: an update where every source fails leaves no
/// database behind (and none re-stamped "updated now"), and a database that
/// holds no source makes `scan` refuse instead of reporting zero findings.
#[test]
fn a_failed_first_update_and_an_empty_database_are_not_clean() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db.sqlite");
    let down = serve(Mode::FailFirst(1000));
    let out = update(&db, &down, &["/osv/crates.io.zip"], &["--retries", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!db.exists(), "a database was created by a failed update");
    let rootfs = test_data().join("images/alpine-3.10");
    let out = common::vigie()
        .args(["scan", "--db"])
        .arg(&db)
        .arg(format!("dir:{}", rootfs.display()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no vulnerability database"));
    // A good update, then the same update failing: the stamp does not move.
    let good = serve(Mode::Normal);
    assert!(update(&db, &good, &["/osv/crates.io.zip"], &[]).status.success());
    common::sqlite_exec(&db, "UPDATE meta SET value = '1000' WHERE key = 'updated_at'");
    let out = update(&db, &down, &["/osv/crates.io.zip"], &["--retries", "0", "--force"]);
    assert_eq!(out.status.code(), Some(2));
    let status = vigie_db(&db).args(["status", "--json"]).output().unwrap();
    let status = json_of(&status);
    assert_eq!(status["updated_at"], 1000, "{status}");
    // ... and `db status` says when the location last worked and why it failed since.
    let worked = &status["updates"][format!("{}/osv/crates.io.zip", good.base).as_str()];
    assert!(worked["last_success"].as_i64().unwrap() > 1000, "{status}");
    assert!(worked["last_error"].is_null(), "{status}");
    let failed = &status["updates"][format!("{}/osv/crates.io.zip", down.base).as_str()];
    assert!(failed["last_success"].is_null(), "{status}");
    assert!(failed["last_error_at"].as_i64().unwrap() >= worked["last_success"].as_i64().unwrap());
    assert!(
        failed["last_error"].as_str().unwrap().contains("http status 500"),
        "{status}"
    );
    let table = vigie_db(&db).arg("status").output().unwrap();
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(
        table.contains("last success: 0.0 days ago") && table.contains("last error:"),
        "{table}"
    );
    // A database whose sources are gone (or one from before this check) is refused by scan.
    common::sqlite_exec(&db, "DELETE FROM sources");
    let out = common::vigie()
        .args(["scan", "--db"])
        .arg(&db)
        .arg(format!("dir:{}", rootfs.display()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("holds no advisories") && stderr.lines().count() == 1,
        "{stderr}"
    );
}
