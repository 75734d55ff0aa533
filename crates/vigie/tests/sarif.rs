//! The SARIF of every command that writes it (audit from a recorded inspect
//! file and from the engine, audit image, lint, scan of a root filesystem, a
//! lockfile and an image archive), checked two ways:
//! - against the official OASIS SARIF 2.1.0 JSON schema (python jsonschema,
//!   from `scripts/lib/peers-audit.sh`);
//! - against GitHub code scanning's documented upload constraints ("SARIF
//!   support for code scanning"): at most 20 runs, 25,000 results and 25,000
//!   rules per run, at most 20 tags per rule, 1 to 1,000 locations per
//!   result, each with `physicalLocation.artifactLocation.uri` (a valid URI
//!   reference) and `region.startLine` ≥ 1, `ruleId` and `message.text` on
//!   every result, `ruleIndex` pointing at the rule of that id,
//!   `security-severity` a number from 0.0 to 10.0, levels among
//!   none/note/warning/error, and a file under 10 MB.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failed step is a failed test

mod common;

use common::{LAB_IMAGE, require_engine, test_data, test_image, vigie};
use serde_json::Value;
use std::path::{Path, PathBuf};

const PEERS: &str = "scripts/lib/peers-audit.sh";

fn schema_check(file: &Path) {
    let dir = std::env::var("VIGIE_PEERS_DIR").unwrap_or_else(|_| "/var/cache/vigie-peers".to_string());
    let schema = Path::new(&dir).join("sarif-schema-2.1.0.json");
    assert!(schema.is_file(), "missing {}: run {PEERS}", schema.display());
    let validate = std::process::Command::new("python3")
        .args([
            "-c",
            "import json,sys,jsonschema\n\
             schema=json.load(open(sys.argv[1])); doc=json.load(open(sys.argv[2]))\n\
             errors=sorted(jsonschema.Draft7Validator(schema).iter_errors(doc), key=str)\n\
             [print(e.message, list(e.path)) for e in errors[:5]]\n\
             sys.exit(1 if errors else 0)",
        ])
        .arg(&schema)
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("python3: {e} (run {PEERS})"));
    assert!(
        validate.status.success(),
        "{}: SARIF invalid: {}{}",
        file.display(),
        String::from_utf8_lossy(&validate.stdout),
        String::from_utf8_lossy(&validate.stderr)
    );
}

/// A URI reference as RFC 3986 allows it: only its characters, valid
/// percent escapes, and no `:` in a relative reference's first segment
/// (which would make it a scheme).
fn valid_uri_reference(uri: &str) -> bool {
    if uri.is_empty() {
        return false;
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@/%".contains(c);
    if !uri.chars().all(allowed) {
        return false;
    }
    let bytes = uri.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        let hex = |j: usize| bytes.get(j).is_some_and(u8::is_ascii_hexdigit);
        if *b == b'%' && !(hex(i + 1) && hex(i + 2)) {
            return false;
        }
    }
    match uri.split_once(':') {
        Some((scheme, _)) if !scheme.contains('/') => scheme == "file" && uri.starts_with("file:///"),
        _ => true,
    }
}

/// GitHub's upload constraints; returns the number of results checked.
fn github_check(name: &str, doc: &Value, bytes: usize) -> usize {
    assert!(bytes < 10 << 20, "{name}: {bytes} bytes");
    assert_eq!(doc["version"], "2.1.0", "{name}");
    let runs = doc["runs"].as_array().unwrap();
    assert!(!runs.is_empty() && runs.len() <= 20, "{name}: {} runs", runs.len());
    let mut checked = 0;
    for run in runs {
        let driver = &run["tool"]["driver"];
        assert!(
            driver["name"].as_str().is_some_and(|n| !n.is_empty()),
            "{name}: tool name"
        );
        let rules = driver["rules"].as_array().map(Vec::as_slice).unwrap_or_default();
        assert!(rules.len() <= 25_000, "{name}");
        for rule in rules {
            let id = rule["id"].as_str().unwrap();
            assert!(!id.is_empty(), "{name}: empty rule id");
            if let Some(tags) = rule["properties"]["tags"].as_array() {
                assert!(tags.len() <= 20, "{name}: {id}: {} tags", tags.len());
            }
            if let Some(score) = rule["properties"].get("security-severity") {
                let score: f64 = score.as_str().unwrap().parse().unwrap();
                assert!((0.0..=10.0).contains(&score), "{name}: {id}: security-severity {score}");
            }
            if let Some(uri) = rule.get("helpUri") {
                let uri = uri.as_str().unwrap();
                assert!(
                    uri.starts_with("https://") || uri.starts_with("http://"),
                    "{name}: {id}: helpUri {uri:?}"
                );
            }
        }
        let results = run["results"].as_array().unwrap();
        assert!(results.len() <= 25_000, "{name}");
        for r in results {
            let id = r["ruleId"].as_str().unwrap();
            assert!(
                r["message"]["text"].as_str().is_some_and(|t| !t.is_empty()),
                "{name}: {id}: message"
            );
            assert!(
                ["none", "note", "warning", "error"].contains(&r["level"].as_str().unwrap_or("warning")),
                "{name}: {id}: level"
            );
            if let Some(index) = r.get("ruleIndex") {
                let index = index.as_u64().unwrap() as usize;
                assert_eq!(rules[index]["id"], id, "{name}: ruleIndex of {id}");
            }
            let locations = r["locations"].as_array().unwrap();
            assert!(
                !locations.is_empty() && locations.len() <= 1000,
                "{name}: {id}: locations"
            );
            for l in locations {
                let physical = &l["physicalLocation"];
                let uri = physical["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{name}: {id}: no physicalLocation.artifactLocation.uri: {r}"));
                assert!(valid_uri_reference(uri), "{name}: {id}: not a URI reference: {uri:?}");
                assert!(!uri.split('/').any(|s| s == ".."), "{name}: {id}: {uri}");
                assert!(
                    physical["region"]["startLine"].as_u64().unwrap() >= 1,
                    "{name}: {id}: startLine"
                );
            }
            if let Some(fingerprints) = r.get("partialFingerprints") {
                assert!(
                    fingerprints.as_object().unwrap().values().all(Value::is_string),
                    "{name}"
                );
            }
            checked += 1;
        }
    }
    checked
}

/// Run vigie with ARGS writing SARIF to a file; check it both ways.
fn check(name: &str, args: &[&str], dir: Option<&Path>, codes: &[i32]) -> Value {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join(format!("{name}.sarif"));
    let mut cmd = vigie();
    if let Some(dir) = dir {
        cmd.current_dir(dir);
    }
    let out = cmd.args(args).arg("-o").arg(&file).output().unwrap();
    let code = out.status.code().unwrap_or(-1);
    assert!(
        codes.contains(&code),
        "{name}: exit {code}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&file).unwrap();
    let doc: Value = serde_json::from_slice(&bytes).unwrap();
    schema_check(&file);
    let results = github_check(name, &doc, bytes.len());
    assert!(results > 0, "{name}: a check with no result proves nothing");
    doc
}

fn uris(doc: &Value) -> Vec<String> {
    doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/audit")
        .join(name)
}

#[test]
fn audit_sarif_from_recorded_inspect_files() {
    for input in ["inspect.json", "inspect-xss.json"] {
        let file = fixture(input);
        let doc = check(
            input,
            &["audit", "--from-inspect", file.to_str().unwrap(), "-f", "sarif"],
            None,
            &[0],
        );
        for uri in uris(&doc) {
            assert!(uri.starts_with("container/"), "{uri}");
        }
    }
    // The hostile names of inspect-xss.json stay inert paths.
    let doc = check(
        "xss",
        &[
            "audit",
            "--from-inspect",
            fixture("inspect-xss.json").to_str().unwrap(),
            "-f",
            "sarif",
        ],
        None,
        &[0],
    );
    assert!(
        uris(&doc).iter().any(|u| u.contains("%3C") || u.contains("%22")),
        "{:?}",
        uris(&doc)
    );
}

#[test]
fn audit_and_audit_image_sarif_from_the_engine() {
    require_engine();
    let doc = check("audit-engine", &["audit", "-f", "sarif"], None, &[0, 1]);
    let all = uris(&doc);
    assert!(all.iter().any(|u| u == "host/docker-engine"), "host rules: {all:?}");
    let doc = check(
        "audit-image",
        &["audit", "image", LAB_IMAGE, "-f", "sarif"],
        None,
        &[0, 1],
    );
    for uri in uris(&doc) {
        assert_eq!(uri, format!("image/{LAB_IMAGE}"));
    }
}

#[test]
fn lint_sarif_points_at_the_dockerfile_line() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vigie-dockerfile/tests/corpus");
    let doc = check(
        "lint",
        &["lint", "-f", "sarif", "debian-bad.Dockerfile"],
        Some(&corpus),
        &[0, 1],
    );
    for uri in uris(&doc) {
        assert_eq!(uri, "debian-bad.Dockerfile");
    }
    let lines: Vec<u64> = doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert!(lines.iter().any(|l| *l > 1), "lines: {lines:?}");
}

#[test]
fn scan_sarif_for_a_rootfs_a_lockfile_and_an_image() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db.sqlite");
    let d = test_data();
    vigie()
        .args(["db", "--db"])
        .arg(&db)
        .arg("import")
        .arg(d.join("osv/PyPI.zip"))
        .arg(d.join("alpine-secdb"))
        .assert()
        .success();
    let db = db.to_str().unwrap().to_string();
    // A root filesystem: the Alpine 3.4 database, relative to the working directory.
    let root = tmp.path().join("rootfs");
    std::fs::create_dir_all(root.join("lib/apk/db")).unwrap();
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::copy(d.join("pkgdb/apk/installed"), root.join("lib/apk/db/installed")).unwrap();
    std::fs::write(root.join("etc/alpine-release"), "3.4.6\n").unwrap();
    let doc = check(
        "scan-rootfs",
        &["scan", "--allow-incomplete", "--db", &db, "-f", "sarif", "rootfs"],
        Some(tmp.path()),
        &[0],
    );
    for uri in uris(&doc) {
        assert_eq!(uri, "rootfs/lib/apk/db/installed");
    }
    // A lockfile given by a relative path.
    std::fs::write(tmp.path().join("requirements.txt"), "Django==2.2\n").unwrap();
    let doc = check(
        "scan-lockfile",
        &[
            "scan",
            "--allow-incomplete",
            "--db",
            &db,
            "-f",
            "sarif",
            "requirements.txt",
        ],
        Some(tmp.path()),
        &[0],
    );
    for uri in uris(&doc) {
        assert_eq!(uri, "requirements.txt");
    }
    // An image archive with Python packages (from the test-image builder).
    let archive = test_image("pylang-1.tar");
    let doc = check(
        "scan-image",
        &[
            "scan",
            "--allow-incomplete",
            "--db",
            &db,
            "-f",
            "sarif",
            archive.to_str().unwrap(),
        ],
        None,
        &[0],
    );
    let all = uris(&doc);
    for uri in &all {
        assert!(uri.starts_with("image/") && uri.contains("/pylang-1.tar/"), "{uri}");
    }
    assert!(
        all.iter().any(|u| u.ends_with("/Django-2.2.dist-info/METADATA")),
        "{all:?}"
    );
}

#[test]
fn the_uri_check_itself_rejects_what_github_would() {
    assert!(valid_uri_reference("container/web"));
    assert!(valid_uri_reference("image/alpine:3.10/lib/apk/db/installed"));
    assert!(valid_uri_reference("file:///tmp/x%20y"));
    assert!(!valid_uri_reference("alpine:3.10"), "a scheme");
    assert!(!valid_uri_reference("a b"));
    assert!(!valid_uri_reference("x%zz"));
    assert!(!valid_uri_reference(""));
}

#[test]
fn compose_and_k8s_sarif_point_at_the_key() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/manifests");
    for (name, args) in [
        (
            "compose",
            vec!["audit", "compose", "three-inputs.compose.yaml", "-f", "sarif"],
        ),
        (
            "k8s",
            vec![
                "audit",
                "k8s",
                "three-inputs.pods.yaml",
                "-f",
                "sarif",
                "--pss",
                "restricted",
            ],
        ),
    ] {
        let doc = check(name, &args, Some(&dir), &[0, 1]);
        let file = if name == "compose" {
            "three-inputs.compose.yaml"
        } else {
            "three-inputs.pods.yaml"
        };
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for r in doc["runs"][0]["results"].as_array().unwrap() {
            let loc = &r["locations"][0]["physicalLocation"];
            assert_eq!(loc["artifactLocation"]["uri"], file, "{r}");
            let line = loc["region"]["startLine"].as_u64().unwrap() as usize;
            let column = loc["region"]["startColumn"].as_u64().unwrap() as usize;
            // The region is inside the file, on a line that holds YAML.
            assert!(line >= 1 && line <= lines.len(), "{name}: line {line}");
            assert!(
                column >= 1 && column <= lines[line - 1].chars().count(),
                "{name}: {line}:{column}"
            );
        }
        // The privileged key is where the privileged finding points.
        let privileged = doc["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["ruleId"] == "VGI-CTR-001")
            .unwrap();
        let line = privileged["locations"][0]["physicalLocation"]["region"]["startLine"]
            .as_u64()
            .unwrap() as usize;
        assert!(
            lines[line - 1].contains("privileged: true"),
            "{name}: {}",
            lines[line - 1]
        );
    }
}
