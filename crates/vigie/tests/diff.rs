//! `vigie diff` on real reports: vigie JSON against its own Trivy JSON, a
//! report with one suppression, and a Grype-layout report with disagreements.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use serde_json::{Value, json};
use std::path::{Path, PathBuf};

use common::test_data;

struct Fixture {
    dir: tempfile::TempDir,
    db: PathBuf,
    rootfs: PathBuf,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite");
    common::vigie()
        .arg("db")
        .arg("--db")
        .arg(&db)
        .arg("import")
        .arg(test_data().join("alpine-secdb/v3.4"))
        .assert()
        .success();
    let rootfs = dir.path().join("rootfs");
    std::fs::create_dir_all(rootfs.join("lib/apk/db")).unwrap();
    std::fs::create_dir_all(rootfs.join("etc")).unwrap();
    std::fs::copy(
        test_data().join("pkgdb/apk/installed"),
        rootfs.join("lib/apk/db/installed"),
    )
    .unwrap();
    std::fs::write(rootfs.join("etc/alpine-release"), "3.4.6\n").unwrap();
    Fixture { dir, db, rootfs }
}

fn scan(f: &Fixture, format: &str, out: &str, extra: &[&str]) -> PathBuf {
    let path = f.dir.path().join(out);
    common::vigie()
        .args(["scan", "--allow-incomplete", "--db"])
        .arg(&f.db)
        .args(["-f", format, "-o"])
        .arg(&path)
        .args(extra)
        .arg(&f.rootfs)
        .assert()
        .success();
    path
}

fn diff(a: &Path, b: &Path) -> Value {
    let output = common::vigie()
        .arg("diff")
        .arg(a)
        .arg(b)
        .args(["-f", "json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn vigie_and_trivy_layouts_of_one_scan_agree() {
    let f = fixture();
    let a = scan(&f, "json", "a.json", &[]);
    let b = scan(&f, "trivy-json", "b.json", &[]);
    let d = diff(&a, &b);
    assert_eq!(d["diff"]["a_format"], "vigie");
    assert_eq!(d["diff"]["b_format"], "trivy");
    assert_eq!(d["diff"]["both"].as_array().unwrap().len(), 57);
    assert!(d["diff"]["only_a"].as_array().unwrap().is_empty());
    assert!(d["diff"]["only_b"].as_array().unwrap().is_empty());
    assert!(
        d["diff"]["both"]
            .as_array()
            .unwrap()
            .iter()
            .all(|b| b["notes"].as_array().unwrap().is_empty())
    );
    common::vigie()
        .arg("diff")
        .arg(&a)
        .arg(&b)
        .arg("--fail-on-difference")
        .assert()
        .code(0);
}

#[test]
fn differences_come_with_reasons() {
    let f = fixture();
    let a = scan(&f, "json", "a.json", &[]);
    let ignore = f.dir.path().join("ignore.yaml");
    std::fs::write(
        &ignore,
        "- id: CVE-2016-2179\n  package: libcrypto1.0\n  reason: test\n",
    )
    .unwrap();
    let b = scan(&f, "trivy-json", "b.json", &["--ignorefile", ignore.to_str().unwrap()]);
    let d = diff(&a, &b);
    let only_a = d["diff"]["only_a"].as_array().unwrap();
    assert_eq!(only_a.len(), 1);
    assert_eq!(only_a[0]["entry"]["id"], "CVE-2016-2179");
    assert!(
        only_a[0]["reason"].as_str().unwrap().contains("different data"),
        "{}",
        only_a[0]
    );

    // A Grype-layout report built from vigie's: one version, one severity and
    // one id changed (to an alias), one finding dropped, one package added.
    let report: Value = serde_json::from_slice(&std::fs::read(&a).unwrap()).unwrap();
    let mut matches = Vec::new();
    for (i, v) in report["vulnerabilities"].as_array().unwrap().iter().enumerate() {
        if i == 1 {
            continue;
        }
        let mut id = v["id"].as_str().unwrap().to_string();
        let mut related = vec![];
        if i == 2 {
            related.push(json!({ "id": id }));
            id = "GHSA-test-alias".to_string();
        }
        let version = if i == 3 {
            "0.0.1-r0".to_string()
        } else {
            v["package"]["version"].as_str().unwrap().to_string()
        };
        let severity = if i == 4 { "High" } else { "Unknown" };
        matches.push(json!({
            "vulnerability": { "id": id, "severity": severity, "fix": { "versions": v["fixed_versions"], "state": "fixed" } },
            "relatedVulnerabilities": related,
            "artifact": { "name": v["package"]["name"], "version": version, "type": "apk" },
        }));
    }
    matches.push(json!({
        "vulnerability": { "id": "CVE-2099-0001", "severity": "Low", "fix": { "versions": [] } },
        "relatedVulnerabilities": [],
        "artifact": { "name": "not-in-a", "version": "1.0", "type": "apk" },
    }));
    let grype = f.dir.path().join("grype.json");
    std::fs::write(
        &grype,
        serde_json::to_vec(&json!({ "matches": matches, "source": {}, "distro": {} })).unwrap(),
    )
    .unwrap();
    let d = diff(&a, &grype);
    assert_eq!(d["diff"]["b_format"], "grype");
    let notes: Vec<String> = d["diff"]["both"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|b| {
            b["notes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_str().unwrap().to_string())
        })
        .collect();
    assert!(
        notes.iter().any(|n| n.starts_with("alias of the same vulnerability")),
        "{notes:?}"
    );
    assert!(
        notes.iter().any(|n| n.starts_with("different installed version")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("severity disagreement: UNKNOWN vs HIGH")),
        "{notes:?}"
    );
    let only_a = d["diff"]["only_a"].as_array().unwrap();
    assert_eq!(only_a.len(), 1);
    let only_b = d["diff"]["only_b"].as_array().unwrap();
    assert_eq!(only_b.len(), 1);
    assert_eq!(only_b[0]["reason"], "package not seen by a.json");
    let table = common::vigie().arg("diff").arg(&a).arg(&grype).output().unwrap();
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(text.contains("only grype.json") && text.contains("both: 56"), "{text}");
    common::vigie()
        .arg("diff")
        .arg(&a)
        .arg(&grype)
        .arg("--fail-on-difference")
        .assert()
        .code(1);
    let bad = f.dir.path().join("bad.json");
    std::fs::write(&bad, "{\"hello\": 1}").unwrap();
    common::vigie().arg("diff").arg(&a).arg(&bad).assert().code(2);
}
