//! `vigie scan` on real data: the Alpine 3.4 root filesystem against an
//! independent oracle (apk-tools itself, in the real alpine:3.10 image when the
//! engine has it, else its recorded answers in testdata/oracle), Alpine 3.10.4's
//! package database (the lab stand-in's archive) as the negative twin, the
//! Debian test images, every output format, CI gating and suppressions.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::{test_data, test_image};

/// `vigie db --db DB import` of `inputs` (paths under testdata/).
fn import(db: &Path, inputs: &[&str]) {
    common::vigie()
        .args(["db", "--db"])
        .arg(db)
        .arg("import")
        .args(inputs.iter().map(|i| test_data().join(i)))
        .assert()
        .success();
}

/// One database with all the test data, built once for this test binary.
fn db() -> &'static Path {
    static DB: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = DB.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vulndb.sqlite");
        import(
            &path,
            &["osv/Debian.zip", "osv/PyPI.zip", "osv/crates.io.zip", "alpine-secdb"],
        );
        (dir, path)
    });
    path
}

/// A root filesystem of the Alpine 3.4-era `installed` database.
fn alpine34_rootfs() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("lib/apk/db")).unwrap();
    std::fs::create_dir_all(dir.path().join("etc")).unwrap();
    std::fs::copy(
        test_data().join("pkgdb/apk/installed"),
        dir.path().join("lib/apk/db/installed"),
    )
    .unwrap();
    std::fs::write(dir.path().join("etc/alpine-release"), "3.4.6\n").unwrap();
    dir
}

/// `scan -f json`, accepting partial results: the Alpine 3.4 database has a
/// real broken entry (see `an_incomplete_scan_is_marked_and_exits_2_unless_accepted`).
fn scan_json(target: &Path, extra: &[&str]) -> (Value, String, i32) {
    scan_json_strict(target, &[&["--allow-incomplete"], extra].concat())
}

fn scan_json_strict(target: &Path, extra: &[&str]) -> (Value, String, i32) {
    scan_json_on(db(), target.as_os_str(), extra)
}

/// `scan -f json` against database `db`: the report, stderr, the exit code.
fn scan_json_on(db: &Path, target: &std::ffi::OsStr, extra: &[&str]) -> (Value, String, i32) {
    let output = common::vigie()
        .arg("scan")
        .arg("--db")
        .arg(db)
        .arg("-f")
        .arg("json")
        .args(extra)
        .arg(target)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let json = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    (json, stderr, output.status.code().unwrap_or(-1))
}

fn pairs(report: &Value) -> Vec<String> {
    let mut out: Vec<String> = report["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|v| {
            let name = v["package"]["name"].as_str().unwrap().to_string();
            let mut ids = vec![v["id"].as_str().unwrap().to_string()];
            ids.extend(
                v["aliases"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a.as_str().unwrap().to_string()),
            );
            ids.into_iter()
                .filter(|i| i.starts_with("CVE-"))
                .map(move |i| format!("{name}\t{i}"))
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

#[test]
fn alpine_34_rootfs_matches_the_apk_oracle() {
    let peers = "scripts/lib/peers-vulndb.sh";
    let yaml = Command::new("python3").args(["-c", "import yaml"]).status();
    assert!(
        yaml.is_ok_and(|s| s.success()),
        "python3 with PyYAML is missing: run {peers}"
    );
    let rootfs = alpine34_rootfs();
    // The oracle's answers, recorded from apk-tools 2.10.4 for exactly these inputs.
    let transcript_path = test_data().join("oracle/apk-secdb-v3.4.txt");
    let recorded = || -> Vec<String> {
        std::fs::read_to_string(&transcript_path)
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(str::to_string)
            .collect()
    };
    let expected = if common::real_alpine_310() {
        let name = common::unique_name("oracle");
        let _guard = common::ContainerGuard(name.clone());
        let secdb = test_data().join("alpine-secdb/v3.4");
        let oracle = Command::new("python3")
            .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/apk_secdb_oracle.py"))
            .arg(test_data().join("pkgdb/apk/installed"))
            .arg(secdb.join("main.yaml"))
            .arg(secdb.join("community.yaml"))
            .args(["--container-name", &name])
            .output()
            .unwrap();
        assert!(
            oracle.status.success(),
            "oracle: {}",
            String::from_utf8_lossy(&oracle.stderr)
        );
        let live = String::from_utf8(oracle.stdout).unwrap();
        if std::env::var_os("VIGIE_RECORD").is_some() {
            let header = "# apk_secdb_oracle.py (apk-tools 2.10.4 in the real alpine:3.10) on testdata/pkgdb/apk/installed\n\
                          # and testdata/alpine-secdb/v3.4: VIGIE_RECORD=1 cargo test -p vigie --test scan rewrites it.\n";
            std::fs::write(&transcript_path, format!("{header}{live}")).unwrap();
        }
        let live: Vec<String> = live.lines().map(str::to_string).collect();
        assert_eq!(
            live,
            recorded(),
            "apk-tools disagrees with {}",
            transcript_path.display()
        );
        live
    } else {
        eprintln!(
            "the real alpine:3.10 is not in the engine: the oracle's answers come from {}",
            transcript_path.display()
        );
        recorded()
    };
    assert!(expected.len() > 40, "the oracle found only {} pairs", expected.len());
    // The real database has an entry without a version: the result is
    // marked incomplete, and accepted as such here.
    let (report, _, code) = scan_json(rootfs.path(), &[]);
    assert_eq!(code, 0);
    assert_eq!(report["os"]["ecosystem"], "Alpine:v3.4");
    assert_eq!(pairs(&report), expected);
    assert_eq!(report["incomplete"], true);
    assert!(report["packages_checked"].as_u64().unwrap() >= 14);
}

#[test]
fn an_incomplete_scan_is_marked_and_exits_2_unless_accepted() {
    let rootfs = alpine34_rootfs();
    let (report, stderr, code) = scan_json_strict(rootfs.path(), &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("incomplete scan of") && stderr.contains("--allow-incomplete"),
        "{stderr}"
    );
    // The report itself is whole, and says what is missing.
    assert_eq!(report["incomplete"], true);
    let reasons = report["incomplete_reasons"].as_array().unwrap();
    assert!(!reasons.is_empty());
    assert!(!report["vulnerabilities"].as_array().unwrap().is_empty());
    let table = common::vigie()
        .args(["scan", "--allow-incomplete", "--db"])
        .arg(db())
        .arg(rootfs.path())
        .output()
        .unwrap();
    assert_eq!(table.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&table.stdout).contains("INCOMPLETE: "));
    // An SBOM that vigie marked incomplete stays incomplete when scanned.
    let sbom = common::vigie()
        .args(["sbom", "--allow-incomplete", "-f", "cyclonedx"])
        .arg(format!("dir:{}", rootfs.path().display()))
        .output()
        .unwrap();
    assert_eq!(sbom.status.code(), Some(0));
    let file = rootfs.path().join("sbom.cdx.json");
    std::fs::write(&file, &sbom.stdout).unwrap();
    let (report, stderr, code) = scan_json_strict(&file, &[]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(report["incomplete"], true);
    let (report, _, code) = scan_json(&file, &[]);
    assert_eq!(code, 0);
    assert!(!report["vulnerabilities"].as_array().unwrap().is_empty());
}

#[test]
fn alpine_310_archive_is_clean_against_its_secdb() {
    let (report, stderr, code) = scan_json(&test_image("lab-alpine-310.tar.gz"), &["--fail-on", "unknown"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["os"]["ecosystem"], "Alpine:v3.10");
    assert_eq!(report["packages_checked"], 14);
    assert_eq!(report["vulnerabilities"].as_array().unwrap().len(), 0);
    assert!(stderr.contains("updated"), "the database age is printed: {stderr}");
}

#[test]
fn updated_debian_images_have_no_findings() {
    let (report, stderr, code) = scan_json(&test_image("debian-bullseye.tar"), &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["os"]["ecosystem"], "Debian:11");
    assert!(report["packages_checked"].as_u64().unwrap() > 50);
    assert_eq!(report["vulnerabilities"].as_array().unwrap().len(), 0, "{report}");
    assert_eq!(report["incomplete"], false, "{report}");
    let debian = &report["coverage"][0];
    assert_eq!(debian["ecosystem"], "Debian:11");
    assert_eq!(debian["packages"], report["packages_checked"]);
    // The repository's Debian extract (testdata/osv/Debian.zip) holds 116 Debian:11 records.
    assert_eq!(debian["records"], 116, "{debian}");
    assert!(debian["newest_record"].as_str().unwrap().starts_with("20"), "{debian}");
}

/// The extract holds no Debian:12 record: bookworm's packages cannot be
/// checked, and no format may say "clean" (issue 12: never silently clean).
#[test]
fn an_ecosystem_without_advisories_is_never_clean() {
    let image = test_image("debian-bookworm.tar");
    let (report, stderr, code) = scan_json_strict(&image, &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("no advisories for Debian:12"), "{stderr}");
    assert_eq!(report["os"]["ecosystem"], "Debian:12");
    assert_eq!(report["incomplete"], true);
    assert!(
        report["incomplete_reasons"][0]
            .as_str()
            .unwrap()
            .starts_with("no advisories for Debian:12 in the database"),
        "{report}"
    );
    assert_eq!(report["coverage"][0]["ecosystem"], "Debian:12");
    assert_eq!(report["coverage"][0]["records"], 0);
    // Accepted on request, still marked.
    let (report, stderr, code) = scan_json(&image, &["--fail-on", "low"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["incomplete"], true);
    // Every format says it.
    for (format, needle) in [
        ("table", "NO ADVISORIES in the database"),
        ("sarif", "\"executionSuccessful\": false"),
        ("cyclonedx", "vigie:incomplete:reason"),
        ("trivy-json", "VigieIncomplete"),
    ] {
        let output = common::vigie()
            .args(["scan", "--db"])
            .arg(db())
            .args(["-f", format])
            .arg(&image)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(2), "{format}");
        assert!(stdout.contains(needle), "{format}: {stdout}");
        assert!(stdout.contains("no advisories for Debian:12"), "{format}: {stdout}");
    }
}

#[test]
fn every_output_format() {
    let rootfs = alpine34_rootfs();
    let run = |format: &str| -> String {
        let output = common::vigie()
            .args(["scan", "--allow-incomplete", "--db"])
            .arg(db())
            .args(["-f", format])
            .arg(rootfs.path())
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    };
    let table = run("table");
    assert!(table.contains("Total: 57"), "{table}");
    assert!(table.contains("CVE-2016-2179"));
    let trivy: Value = serde_json::from_str(&run("trivy-json")).unwrap();
    assert_eq!(trivy["SchemaVersion"], 2);
    assert_eq!(trivy["Metadata"]["OS"]["Family"], "alpine");
    let result = &trivy["Results"][0];
    assert_eq!(result["Class"], "os-pkgs");
    assert_eq!(result["Type"], "alpine");
    assert_eq!(result["Vulnerabilities"].as_array().unwrap().len(), 57);
    assert!(result["Vulnerabilities"][0]["InstalledVersion"].is_string());
    let sarif: Value = serde_json::from_str(&run("sarif")).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 57);
    assert!(sarif["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap().len() >= 20);
    let bom: Value = serde_json::from_str(&run("cyclonedx")).unwrap();
    assert_eq!(bom["specVersion"], "1.5");
    assert!(bom["components"].as_array().unwrap().len() >= 14);
    assert!(!bom["vulnerabilities"].as_array().unwrap().is_empty());
    assert!(bom["vulnerabilities"][0]["affects"][0]["ref"].is_string());
}

#[test]
fn gating_filters_and_exit_codes() {
    let rootfs = alpine34_rootfs();
    let (_, _, code) = scan_json(rootfs.path(), &["--fail-on", "unknown"]);
    assert_eq!(code, 1);
    let (_, _, code) = scan_json(rootfs.path(), &["--exit-code", "7"]);
    assert_eq!(code, 7);
    let (report, _, code) = scan_json(rootfs.path(), &["--severity", "critical,high", "--exit-code", "7"]);
    assert_eq!(code, 0);
    assert_eq!(report["filtered"], 57);
    let (_, _, code) = scan_json(rootfs.path(), &["--fail-on", "critical"]);
    assert_eq!(code, 0);
    let (report, _, _) = scan_json(rootfs.path(), &["--ignore-unfixed"]);
    assert_eq!(
        report["vulnerabilities"].as_array().unwrap().len(),
        57,
        "secdb entries all have fixes"
    );
}

#[test]
fn ignore_file_and_vex_suppress_with_reasons() {
    let rootfs = alpine34_rootfs();
    let dir = tempfile::tempdir().unwrap();
    let ignore = dir.path().join("ignore.yaml");
    std::fs::write(
        &ignore,
        "- id: CVE-2016-2179\n  package: libcrypto1.0\n  reason: dtls unused\n  expires: 2999-01-01\n\
         - id: CVE-2016-2180\n  reason: old acceptance\n  expires: 2001-01-01\n",
    )
    .unwrap();
    let vex = dir.path().join("vex.json");
    std::fs::write(
        &vex,
        r#"{"@context":"https://openvex.dev/ns/v0.2.0","@id":"x","author":"t","timestamp":"2024-01-01T00:00:00Z","version":1,
        "statements":[{"vulnerability":{"name":"CVE-2016-6301"},"products":[{"@id":"pkg:oci/test"}],
        "status":"not_affected","justification":"vulnerable_code_not_in_execute_path"}]}"#,
    )
    .unwrap();
    let (report, stderr, _) = scan_json(
        rootfs.path(),
        &["--ignorefile", ignore.to_str().unwrap(), "--vex", vex.to_str().unwrap()],
    );
    let suppressed = report["suppressed"].as_array().unwrap();
    let ids: Vec<&str> = suppressed.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"CVE-2016-2179"), "{ids:?}");
    assert!(ids.contains(&"CVE-2016-6301"), "{ids:?}");
    assert!(!ids.contains(&"CVE-2016-2180"), "expired entries stop suppressing");
    let vexed = suppressed.iter().find(|s| s["id"] == "CVE-2016-6301").unwrap();
    assert_eq!(vexed["suppressed"]["by"], "vex");
    assert!(
        vexed["suppressed"]["reason"]
            .as_str()
            .unwrap()
            .contains("vulnerable_code_not_in_execute_path")
    );
    assert!(stderr.contains("expired on 2001-01-01"), "{stderr}");
    // libcrypto1.0 and libssl1.0 both come from openssl: only one of the two is ignored.
    assert_eq!(report["vulnerabilities"].as_array().unwrap().len(), 57 - 2);
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "- id: X\n  expires: someday\n").unwrap();
    let o = common::vigie()
        .args(["scan", "--db"])
        .arg(db())
        .arg("--ignorefile")
        .arg(&bad)
        .arg(rootfs.path())
        .output()
        .unwrap();
    let (stderr, code) = (String::from_utf8_lossy(&o.stderr).into_owned(), o.status.code());
    assert_eq!(code, Some(2));
    assert!(stderr.contains("expected YYYY-MM-DD"), "{stderr}");
}

#[test]
fn lockfiles_and_sboms() {
    let dir = tempfile::tempdir().unwrap();
    let requirements = dir.path().join("requirements.txt");
    std::fs::write(&requirements, "Django==2.2\nrequests==2.31.0\n").unwrap();
    let (report, stderr, _) = scan_json(&requirements, &[]);
    assert_eq!(report["artifact_type"], "lockfile", "{stderr}");
    let vulns = report["vulnerabilities"].as_array().unwrap();
    assert!(vulns.iter().any(|v| v["package"]["name"] == "Django"), "{report}");
    assert!(
        vulns
            .iter()
            .all(|v| v["package"]["found_in"] == requirements.display().to_string())
    );
    let lock = dir.path().join("Cargo.lock");
    std::fs::write(
        &lock,
        "version = 3\n\n[[package]]\nname = \"openssl\"\nversion = \"0.8.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
    )
    .unwrap();
    let (report, _, _) = scan_json(&lock, &[]);
    let openssl: Vec<&Value> = report["vulnerabilities"].as_array().unwrap().iter().collect();
    let grouped = openssl.iter().find(|v| v["id"] == "CVE-2016-10931").unwrap();
    assert!(
        grouped["aliases"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "RUSTSEC-2016-0001")
    );
    assert_eq!(grouped["severity"]["severity"], "HIGH");
    assert!(grouped["severity"]["source"].as_str().unwrap().starts_with("cvss-v3"));
    let sbom = dir.path().join("bom.json");
    std::fs::write(
        &sbom,
        r#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[
            {"type":"library","name":"libcrypto1.1","version":"1.1.1c-r0","purl":"pkg:apk/alpine/libcrypto1.1@1.1.1c-r0?arch=x86_64&distro=alpine-3.10.4&upstream=openssl"},
            {"type":"library","name":"django","version":"2.2","purl":"pkg:pypi/django@2.2"}]}"#,
    )
    .unwrap();
    let (report, _, _) = scan_json(&sbom, &[]);
    assert_eq!(report["artifact_type"], "sbom");
    let vulns = report["vulnerabilities"].as_array().unwrap();
    assert!(
        vulns
            .iter()
            .any(|v| v["package"]["name"] == "libcrypto1.1" && v["id"] == "CVE-2019-1547")
    );
    assert!(vulns.iter().any(|v| v["package"]["name"] == "django"));
}

#[test]
fn database_problems_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("none.sqlite");
    let output = common::vigie()
        .args(["scan", "--db"])
        .arg(&missing)
        .arg(test_image("lab-alpine-310.tar.gz"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("vigie db update"));
    // An old database scans, with a warning.
    let old = dir.path().join("old.sqlite");
    std::fs::copy(db(), &old).unwrap();
    common::sqlite_exec(&old, "UPDATE meta SET value='1000000000' WHERE key='updated_at'");
    let output = common::vigie()
        .args(["scan", "--db-max-age", "30", "--db"])
        .arg(&old)
        .arg(test_image("lab-alpine-310.tar.gz"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("warning: the vulnerability database is"), "{stderr}");
}

/// A database of the real Ubuntu records and an Ubuntu 18.04 root (its dpkg status).
fn ubuntu_1804(tmp: &Path) -> (PathBuf, PathBuf, String) {
    let db = tmp.join("ubuntu.sqlite");
    import(&db, &["osv-ubuntu"]);
    let root = tmp.join("root");
    std::fs::create_dir_all(root.join("var/lib/dpkg")).unwrap();
    std::fs::create_dir_all(root.join("etc")).unwrap();
    let status = std::fs::read_to_string(test_data().join("pkgdb/dpkg/status")).unwrap();
    std::fs::write(root.join("var/lib/dpkg/status"), &status).unwrap();
    // /etc/os-release of the ubuntu:18.04 image.
    std::fs::write(
        root.join("etc/os-release"),
        "NAME=\"Ubuntu\"\nVERSION=\"18.04.6 LTS (Bionic Beaver)\"\nID=ubuntu\nID_LIKE=debian\n\
         PRETTY_NAME=\"Ubuntu 18.04.6 LTS\"\nVERSION_ID=\"18.04\"\nVERSION_CODENAME=bionic\nUBUNTU_CODENAME=bionic\n",
    )
    .unwrap();
    (db, root, status)
}

/// Ubuntu 18.04's dpkg database (testdata/pkgdb/dpkg/status, with `Source:`
/// fields) against real records of Canonical's OSV feed
/// (testdata/osv-ubuntu), keyed `Ubuntu:18.04:LTS` as OSV keys them. The
/// expected findings come from dpkg itself (`dpkg --compare-versions` of the
/// installed source version against each record's fix), never from vigie.
#[test]
fn ubuntu_1804_matches_dpkg_on_real_ubuntu_records() {
    let tmp = tempfile::tempdir().unwrap();
    let (db, root, status) = ubuntu_1804(tmp.path());
    let (report, stderr, _) = scan_json_on(&db, format!("dir:{}", root.display()).as_ref(), &[]);
    assert_eq!(report["os"]["ecosystem"], "Ubuntu:18.04:LTS", "{report}");
    // Full texts: the whole details and the publication date of the record.
    let apt = report["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "CVE-2019-3462")
        .unwrap();
    assert!(apt["description"].as_str().unwrap().len() > 120, "{apt}");
    assert!(apt["published"].as_str().unwrap().starts_with("2019-"), "{apt}");
    assert_eq!(apt["severity"]["source"], "ubuntu priority");
    assert_eq!(report["coverage"][0]["ecosystem"], "Ubuntu:18.04:LTS");
    assert!(
        report["coverage"][0]["records"].as_u64().unwrap() > 0,
        "{}",
        report["coverage"]
    );

    // The oracle: binary -> (source, source version) from the status file, then dpkg.
    let mut installed: Vec<(String, String, String)> = Vec::new();
    for stanza in status.split("\n\n") {
        let field = |name: &str| {
            stanza
                .lines()
                .find_map(|l| l.strip_prefix(&format!("{name}: ")))
                .map(str::to_string)
        };
        let (Some(package), Some(version)) = (field("Package"), field("Version")) else {
            continue;
        };
        let (source, source_version) = match field("Source") {
            Some(s) => match s.split_once(" (") {
                Some((name, v)) => (name.to_string(), v.trim_end_matches(')').to_string()),
                None => (s, version.clone()),
            },
            None => (package.clone(), version.clone()),
        };
        installed.push((package, source, source_version));
    }
    let dpkg_lt = |a: &str, b: &str| {
        Command::new("dpkg")
            .args(["--compare-versions", a, "lt", b])
            .status()
            .unwrap()
            .success()
    };
    let mut expected = std::collections::BTreeSet::new();
    // Fixes that ship only through Ubuntu Pro (ESM), keyed `Ubuntu:Pro:18.04:LTS`:
    // a system without Pro still runs the vulnerable version.
    let mut pro_only = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(test_data().join("osv-ubuntu")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let record: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let standard: Vec<&str> = record["affected"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["package"]["ecosystem"] == "Ubuntu:18.04:LTS")
            .filter_map(|a| a["package"]["name"].as_str())
            .collect();
        for affected in record["affected"].as_array().unwrap() {
            let pro = affected["package"]["ecosystem"] == "Ubuntu:Pro:18.04:LTS";
            if affected["package"]["ecosystem"] != "Ubuntu:18.04:LTS" && !pro {
                continue;
            }
            let fixed: Vec<&str> = affected["ranges"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|r| r["events"].as_array().unwrap())
                .filter_map(|e| e["fixed"].as_str())
                .collect();
            for (package, source, version) in &installed {
                if affected["package"]["name"] != source.as_str() {
                    continue;
                }
                let ranged = affected["ranges"].as_array().is_some_and(|r| !r.is_empty());
                let listed = affected["versions"]
                    .as_array()
                    .is_some_and(|v| v.iter().any(|v| v == version.as_str()));
                let vulnerable = match fixed.first() {
                    Some(fix) => dpkg_lt(version, fix),
                    None => ranged || listed,
                };
                if vulnerable {
                    let finding = format!("{package} {}", record["id"].as_str().unwrap());
                    if pro && !standard.contains(&source.as_str()) && !fixed.is_empty() {
                        pro_only.insert(finding.clone());
                    }
                    expected.insert(finding);
                }
            }
        }
    }
    let found: std::collections::BTreeSet<String> = report["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            format!(
                "{} {}",
                m["package"]["name"].as_str().unwrap(),
                m["id"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        expected.len() >= 10,
        "too few expected findings for a real test: {expected:?}"
    );
    assert_eq!(found, expected, "{stderr}");
    // pam's CVE-2024-22365 is fixed for 18.04 only in Pro (1.1.8-3.6ubuntu2.18.04.6+esm1).
    assert!(pro_only.contains("libpam0g CVE-2024-22365"), "{pro_only:?}");
    let needs_pro: std::collections::BTreeSet<String> = report["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["fix_requires"] == "Ubuntu Pro (ESM)")
        .map(|m| {
            format!(
                "{} {}",
                m["package"]["name"].as_str().unwrap(),
                m["id"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(needs_pro, pro_only);
    // Reported under the system's own ecosystem, with the Pro fix named in the table.
    let pam = report["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "CVE-2024-22365" && m["package"]["name"] == "libpam0g")
        .unwrap();
    assert_eq!(pam["package"]["ecosystem"], "Ubuntu:18.04:LTS");
    assert_eq!(pam["fixed_versions"][0], "1.1.8-3.6ubuntu2.18.04.6+esm1");
    let table = common::vigie()
        .args(["scan", "--db"])
        .arg(&db)
        .arg(format!("dir:{}", root.display()))
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(table.contains("(needs Ubuntu Pro (ESM))"), "{table}");
}

/// vigie's Trivy JSON read by real Trivy (`trivy convert`): the same findings
/// in its table, SARIF and CycloneDX, and an OS result even when clean.
#[test]
fn trivy_json_is_read_by_trivy_convert() {
    let tmp = tempfile::tempdir().unwrap();
    let (db, root, _) = ubuntu_1804(tmp.path());
    let report = tmp.path().join("trivy.json");
    common::vigie()
        .args(["scan", "-f", "trivy-json", "--db"])
        .arg(&db)
        .arg(format!("dir:{}", root.display()))
        .arg("-o")
        .arg(&report)
        .assert()
        .success();
    let ours: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let vulns: Vec<&Value> = ours["Results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["Vulnerabilities"].as_array().unwrap())
        .collect();
    // 10 fixed in the release's archive, 4 (pam's binaries, CVE-2024-22365) only in Ubuntu Pro.
    assert_eq!(vulns.len(), 14);
    assert!(ours["CreatedAt"].as_str().unwrap().ends_with('Z'));
    for v in &vulns {
        for key in [
            "PkgID",
            "DataSource",
            "Description",
            "PublishedDate",
            "LastModifiedDate",
            "SeveritySource",
        ] {
            assert!(!v[key].is_null(), "{key} missing: {v}");
        }
    }
    let convert = |format: &str| {
        let out = Command::new("trivy")
            .args(["convert", "--quiet", "--format", format])
            .arg(&report)
            .output()
            .expect("trivy (scripts/lib/peers-sbom.sh)");
        assert!(
            out.status.success(),
            "trivy convert {format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let table = convert("table");
    assert!(
        table.contains("Total: 14 (UNKNOWN: 0, LOW: 1, MEDIUM: 11, HIGH: 2, CRITICAL: 0)"),
        "{table}"
    );
    let sarif: Value = serde_json::from_str(&convert("sarif")).unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 14);
    let cdx: Value = serde_json::from_str(&convert("cyclonedx")).unwrap();
    let affects: usize = cdx["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["affects"].as_array().unwrap().len())
        .sum();
    assert_eq!(affects, 14, "{cdx}");
    // A clean scan still has its OS result (a record without any 18.04 entry).
    let empty = tmp.path().join("empty.sqlite");
    import(&empty, &["osv-ubuntu/CVE-2016-2182.json"]);
    let clean = common::vigie()
        .args(["scan", "-f", "trivy-json", "--db"])
        .arg(&empty)
        .arg(format!("dir:{}", root.display()))
        .output()
        .unwrap();
    let clean: Value = serde_json::from_slice(&clean.stdout).unwrap();
    assert_eq!(clean["Results"][0]["Class"], "os-pkgs", "{clean}");
    assert_eq!(clean["Results"][0]["Type"], "ubuntu");
    assert!(
        clean["Results"][0]["Vulnerabilities"]
            .as_array()
            .is_none_or(|v| v.is_empty()),
        "{clean}"
    );
}

/// CycloneDX with vulnerabilities against the official 1.5 schema
/// (tests/data/sbom/schemas, checked by tests/data/sbom/validate.py): a
/// package found at several paths is one component with several
/// occurrences, and each vulnerability affects it once (`uniqueItems`).
#[test]
fn cyclonedx_vulnerabilities_validate_against_the_official_schema() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("pylang.cdx.json");
    let out = common::vigie()
        .args(["scan", "--allow-incomplete", "-f", "cyclonedx", "--db"])
        .arg(db())
        .arg(test_image("pylang-1.tar"))
        .arg("-o")
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bom: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert!(
        bom["vulnerabilities"].as_array().unwrap().len() > 10,
        "a real test needs findings"
    );
    let validator = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sbom/validate.py");
    let check = Command::new("python3")
        .arg(&validator)
        .arg("cyclonedx")
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
}

/// CBL-Mariner 2.0's real rpm database, keyed as OSV keys Azure Linux
/// (`Azure Linux:2`) against a database without Azure Linux records: its
/// packages are listed, not checked, and the scan says so (exit 2 unless
/// accepted), never "clean".
#[test]
fn a_distribution_without_advisories_in_the_database_is_never_clean() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    std::fs::create_dir_all(root.join("var/lib/rpm")).unwrap();
    std::fs::create_dir_all(root.join("etc")).unwrap();
    let gz = std::fs::read(test_data().join("pkgdb/rpm/cbl-mariner-2.0/rpmdb.sqlite.gz")).unwrap();
    let mut db = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut db).unwrap();
    std::fs::write(root.join("var/lib/rpm/rpmdb.sqlite"), db).unwrap();
    // /etc/os-release of CBL-Mariner 2.0.
    std::fs::write(
        root.join("etc/os-release"),
        "NAME=\"Common Base Linux Mariner\"\nVERSION=\"2.0.20230630\"\nID=mariner\nVERSION_ID=\"2.0\"\n\
         PRETTY_NAME=\"CBL-Mariner/Linux\"\nANSI_COLOR=\"1;34\"\nHOME_URL=\"https://aka.ms/cbl-mariner\"\n",
    )
    .unwrap();
    let (report, stderr, code) = scan_json_strict(format!("dir:{}", root.display()).as_ref(), &[]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(report["os"]["ecosystem"], "Azure Linux:2", "{report}");
    let reason = report["incomplete_reasons"][0].as_str().unwrap();
    assert!(
        reason.starts_with("no advisories for Azure Linux:2 in the database: its 129 package(s) were not checked"),
        "{report}"
    );
    assert!(stderr.contains("no advisories for Azure Linux:2"), "{stderr}");

    // Amazon Linux is not in OSV: no advisory source, said with the reason.
    std::fs::write(
        root.join("etc/os-release"),
        "NAME=\"Amazon Linux\"\nVERSION=\"2023\"\nID=\"amzn\"\nID_LIKE=\"fedora\"\nVERSION_ID=\"2023\"\n\
         PRETTY_NAME=\"Amazon Linux 2023\"\n",
    )
    .unwrap();
    let (report, stderr, code) = scan_json_strict(format!("dir:{}", root.display()).as_ref(), &[]);
    assert_eq!(code, 2, "{stderr}");
    let reason = report["incomplete_reasons"][0].as_str().unwrap();
    assert!(
        reason.starts_with("no advisory source for amazon 2023: its 129 OS package(s) were not checked (Amazon Linux publishes its advisories (ALAS) outside OSV"),
        "{report}"
    );
}

/// Alpine's secdb rates nothing; the same CVE in another source of the
/// database (Canonical's record of CVE-2016-2182, CVSS 3.0 vector scored
/// 9.8 by NVD) rates the Alpine finding, and its source says where from, so
/// `--fail-on high` works on Alpine.
#[test]
fn an_unrated_finding_takes_the_rating_of_the_same_cve_elsewhere() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db.sqlite");
    import(&db, &["alpine-secdb/v3.4", "osv-ubuntu"]);
    let rootfs = alpine34_rootfs();
    let target = format!("dir:{}", rootfs.path().display());
    let scan = |extra: &[&str]| scan_json_on(&db, target.as_ref(), &[&["--allow-incomplete"], extra].concat());
    let (report, _, _) = scan(&[]);
    let record: Value =
        serde_json::from_slice(&std::fs::read(test_data().join("osv-ubuntu/CVE-2016-2182.json")).unwrap()).unwrap();
    let finding = report["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "CVE-2016-2182" && m["package"]["name"] == "libssl1.0")
        .unwrap();
    assert_eq!(finding["severity"]["severity"], "CRITICAL", "{finding}");
    assert_eq!(finding["severity"]["score"], 9.8);
    assert_eq!(finding["severity"]["vector"], record["severity"][0]["score"]);
    assert_eq!(
        finding["severity"]["source"],
        "cvss-v3 (record) via CVE-2016-2182 in osv-dir:osv-ubuntu"
    );
    // Its own record is still the one that matched.
    assert!(
        finding["records"][0]["source"]
            .as_str()
            .unwrap()
            .starts_with("alpine-secdb:")
    );
    // Findings no other source rates stay UNKNOWN, said as such.
    assert!(
        report["vulnerabilities"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["severity"]["source"] == "none")
    );
    assert_eq!(scan(&["--fail-on", "high"]).2, 1);
}

/// rpm's own ordering (`rpm.vercmp` through `rpm --eval`): -1, 0 or 1.
fn rpm_vercmp(a: &str, b: &str) -> i32 {
    let out = Command::new("rpm")
        .arg("--eval")
        .arg(format!("%{{lua: print(rpm.vercmp('{a}', '{b}'))}}"))
        .output()
        .expect("rpm (Debian package rpm, installed by scripts/lib/peers-version.sh)");
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

/// AlmaLinux 9 packages (an SBOM's rpm purls, at versions AlmaLinux really
/// shipped: each is the fix of one of its advisories) against 22 real ALSA
/// records (testdata/osv-almalinux). AlmaLinux lists binary packages
/// (`openssl-libs`) where other distributions list sources: found under
/// either name, each vulnerability is one finding. Expected: rpm's own
/// comparison of the installed version with each record's fix.
#[test]
fn almalinux_rpms_match_real_alsa_records_as_rpm_orders_them() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("alma.sqlite");
    import(&db, &["osv-almalinux"]);
    let installed = [
        ("openssl-libs", "3.0.7-16.el9_2", "1", "openssl"),
        ("openssl", "3.0.7-16.el9_2", "1", "openssl"),
        ("libcurl", "7.76.1-23.el9_2.1", "", "curl"),
        ("sudo", "1.9.5p2-7.el9_1.1", "", "sudo"),
        ("zlib", "1.2.11-32.el9_0", "", "zlib"),
    ];
    let components: Vec<Value> = installed
        .iter()
        .map(|(name, version, epoch, source)| {
            let epoch = if epoch.is_empty() { String::new() } else { format!("&epoch={epoch}") };
            serde_json::json!({
                "type": "library", "name": name, "version": version,
                "purl": format!("pkg:rpm/almalinux/{name}@{version}?arch=x86_64&distro=almalinux-9.2{epoch}&upstream={source}-{version}.src.rpm"),
            })
        })
        .collect();
    let sbom = tmp.path().join("alma.cdx.json");
    std::fs::write(
        &sbom,
        serde_json::to_vec(
            &serde_json::json!({"bomFormat": "CycloneDX", "specVersion": "1.5", "components": components}),
        )
        .unwrap(),
    )
    .unwrap();
    let (report, stderr, code) = scan_json_on(&db, sbom.as_os_str(), &["--fail-on", "high"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(report["incomplete"], false, "{report}");
    assert_eq!(report["coverage"][0]["ecosystem"], "AlmaLinux:9");
    // No CVSS in AlmaLinux's records: rated by the Red Hat impact of their summary.
    for m in report["vulnerabilities"].as_array().unwrap() {
        assert_eq!(m["severity"]["source"], "red hat impact", "{m}");
    }

    let mut expected = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(test_data().join("osv-almalinux")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let record: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        for (name, version, epoch, source) in &installed {
            let evr = if epoch.is_empty() {
                version.to_string()
            } else {
                format!("{epoch}:{version}")
            };
            let vulnerable = record["affected"].as_array().unwrap().iter().any(|a| {
                let listed = a["package"]["name"] == *name || a["package"]["name"] == *source;
                let fixed = a["ranges"][0]["events"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find_map(|e| e["fixed"].as_str());
                listed && a["package"]["ecosystem"] == "AlmaLinux:9" && fixed.is_some_and(|f| rpm_vercmp(&evr, f) < 0)
            });
            if vulnerable {
                expected.insert(format!("{name} {}", record["id"].as_str().unwrap()));
            }
        }
    }
    let found: std::collections::BTreeSet<String> = report["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            format!(
                "{} {}",
                m["package"]["name"].as_str().unwrap(),
                m["records"][0]["id"].as_str().unwrap()
            )
        })
        .collect();
    assert!(expected.len() >= 8, "{expected:?}");
    assert_eq!(found, expected, "{stderr}");
    // One finding per package and advisory, though found under both names.
    assert_eq!(report["vulnerabilities"].as_array().unwrap().len(), expected.len());
}
