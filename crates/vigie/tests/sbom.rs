//! `vigie sbom` end to end: the real binary on real images (the test images
//! built by scripts/lib/build-test-images.sh, data from testdata/), compared with Trivy's
//! recorded package lists, SBOMs validated by the official schema/tools, rpm
//! databases against their expected lists, bad inputs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use assert_cmd::Command;
use common::test_image;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const PEERS: &str = "scripts/lib/peers-sbom.sh";

/// A file of the repository's pinned test data.
fn test_data(rel: &str) -> PathBuf {
    common::test_data().join(rel)
}

fn here(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sbom").join(rel)
}

fn vigie() -> Command {
    let mut cmd = Command::cargo_bin("vigie").unwrap();
    cmd.env_remove("DOCKER_HOST");
    cmd
}

fn sbom_json(target: &str) -> Value {
    let out = vigie().args(["sbom", target, "-f", "json"]).output().unwrap();
    assert!(
        out.status.success(),
        "vigie sbom {target}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

const TRIVY_TYPES: &[(&str, &str)] = &[
    ("debian", "deb"),
    ("ubuntu", "deb"),
    ("alpine", "apk"),
    ("redhat", "rpm"),
    ("python-pkg", "pypi"),
    ("node-pkg", "npm"),
    ("cargo", "cargo"),
    ("gobinary", "go"),
    ("jar", "maven"),
];

fn compare_with_trivy(name: &str, target: &str, fixture: &Value) {
    let ours = sbom_json(target);
    let mut os_ours = BTreeSet::new();
    let mut lang_ours = BTreeSet::new();
    for p in ours["packages"].as_array().unwrap() {
        let key = (
            p["ecosystem"].as_str().unwrap().to_string(),
            p["name"].as_str().unwrap().to_string(),
            p["version"].as_str().unwrap().to_string(),
        );
        if matches!(key.0.as_str(), "deb" | "apk" | "rpm") {
            os_ours.insert(key);
        } else {
            lang_ours.insert(key);
        }
    }
    let mut os_theirs = BTreeSet::new();
    let mut lang_theirs = BTreeSet::new();
    for p in fixture["packages"].as_array().unwrap() {
        let kind = p[0].as_str().unwrap();
        let eco = TRIVY_TYPES.iter().find(|(t, _)| *t == kind).map_or(kind, |(_, e)| e);
        let key = (
            eco.to_string(),
            p[1].as_str().unwrap().to_string(),
            p[2].as_str().unwrap().to_string(),
        );
        if matches!(eco, "deb" | "apk" | "rpm") {
            os_theirs.insert(key);
        } else {
            lang_theirs.insert(key);
        }
    }
    assert_eq!(os_ours, os_theirs, "{name}: OS packages differ from Trivy's");
    let missing: Vec<_> = lang_theirs.difference(&lang_ours).collect();
    assert!(
        missing.is_empty(),
        "{name}: language packages Trivy found and vigie did not: {missing:?}"
    );
    match fixture["os"].as_object() {
        Some(os) => {
            assert_eq!(ours["os"]["family"], os["family"], "{name}");
            assert_eq!(ours["os"]["version"], os["version"], "{name}");
        }
        // Trivy says nothing; vigie must name what it is instead of "no OS".
        None => assert_ne!(ours["os"]["kind"], "distro", "{name}"),
    }
}

#[test]
fn package_lists_match_trivy_on_every_test_image() {
    for name in [
        "busybox-1",
        "debian-bookworm",
        "debian-bullseye",
        "insecure-1",
        "secure-1",
        "pylang-1",
    ] {
        let fixture: Value =
            serde_json::from_slice(&std::fs::read(here(&format!("trivy/{name}.json"))).unwrap()).unwrap();
        let target = test_image(&format!("{name}.tar"));
        compare_with_trivy(name, target.to_str().unwrap(), &fixture);
    }
    for name in ["alpine-310", "alpine-311"] {
        let fixture: Value =
            serde_json::from_slice(&std::fs::read(here(&format!("trivy/{name}.json"))).unwrap()).unwrap();
        // The lab stand-ins carry the real images' package databases; Trivy was recorded on the real ones.
        let target = test_image(&format!("lab-{name}.tar.gz"));
        compare_with_trivy(name, target.to_str().unwrap(), &fixture);
    }
}

#[test]
fn oci_layout_and_oci_archive_give_the_docker_archive_packages() {
    let fixture: Value = serde_json::from_slice(&std::fs::read(here("trivy/insecure-1.json")).unwrap()).unwrap();
    for name in ["insecure-1.oci", "insecure-1.oci.tar"] {
        let target = test_image(name);
        compare_with_trivy(name, target.to_str().unwrap(), &fixture);
    }
}

#[test]
fn trivy_live_on_alpine_310() {
    let trivy = std::process::Command::new("trivy").arg("--version").output();
    assert!(
        trivy.is_ok_and(|o| o.status.success()),
        "trivy not installed: run {PEERS}"
    );
    let cache = tempfile::tempdir().unwrap();
    let archive = test_image("lab-alpine-310.tar.gz");
    let out = std::process::Command::new("trivy")
        .args(["image", "--input"])
        .arg(&archive)
        .args(["--skip-db-update", "--offline-scan", "--cache-dir"])
        .arg(cache.path())
        .args(["-f", "cyclonedx", "-q"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let cdx: Value = serde_json::from_slice(&out.stdout).unwrap();
    let theirs: BTreeSet<(String, String, String)> = cdx["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["type"] == "library")
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["version"].as_str().unwrap().to_string(),
                c["purl"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let ours = sbom_json(archive.to_str().unwrap());
    let ours: BTreeSet<(String, String, String)> = ours["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["version"].as_str().unwrap().to_string(),
                p["purl"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // Same packages, same package URLs.
    assert_eq!(ours, theirs);
}

fn validate(kind: &str, file: &Path) {
    let check = std::process::Command::new("python3")
        .args(["-c", "import jsonschema, spdx_tools"])
        .output();
    assert!(
        check.is_ok_and(|o| o.status.success()),
        "python jsonschema/spdx-tools missing: run {PEERS}"
    );
    let out = std::process::Command::new("python3")
        .arg(here("validate.py"))
        .arg(kind)
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{kind} validation of {} failed:\n{}{}",
        file.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn cyclonedx_and_spdx_pass_the_official_validators() {
    let dir = tempfile::tempdir().unwrap();
    let targets = [
        test_image("pylang-1.tar").display().to_string(),
        test_image("lab-alpine-310.tar.gz").display().to_string(),
        test_image("busybox-1.tar").display().to_string(),
    ];
    for (i, target) in targets.iter().enumerate() {
        for (format, kind) in [("cyclonedx", "cyclonedx"), ("spdx", "spdx")] {
            let file = dir.path().join(format!("{i}.{format}.json"));
            vigie()
                .args(["sbom", target, "-f", format, "-o"])
                .arg(&file)
                .assert()
                .success();
            validate(kind, &file);
        }
    }
}

#[test]
fn rpm_databases_give_their_expected_lists() {
    for (dir, file) in [
        ("cbl-mariner-2.0", "rpmdb.sqlite"),
        ("libuuid", "Packages"),
        ("sle15-bci", "Packages.db"),
    ] {
        let root = tempfile::tempdir().unwrap();
        let db_dir = root.path().join("var/lib/rpm");
        std::fs::create_dir_all(&db_dir).unwrap();
        // The repository keeps the real databases gzip-compressed.
        let mut packed = flate2::read::GzDecoder::new(
            std::fs::File::open(test_data(&format!("pkgdb/rpm/{dir}/{file}.gz"))).unwrap(),
        );
        std::io::copy(&mut packed, &mut std::fs::File::create(db_dir.join(file)).unwrap()).unwrap();
        let ours = sbom_json(&format!("dir:{}", root.path().display()));
        let got: BTreeSet<String> = ours["packages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                let source = match (p["source_name"].as_str(), p["source_version"].as_str()) {
                    (Some(n), Some(v)) => format!("{n}-{v}.src.rpm"),
                    _ => String::new(),
                };
                format!(
                    "{}\t{}\t{}\t{source}",
                    p["name"].as_str().unwrap(),
                    p["version"].as_str().unwrap(),
                    p["arch"].as_str().unwrap_or("")
                )
            })
            .collect();
        let expected = std::fs::read_to_string(test_data(&format!("pkgdb/rpm/{dir}/expected.tsv"))).unwrap();
        let want: BTreeSet<String> = expected
            .lines()
            .map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                let evr = if f[1] == "0" {
                    format!("{}-{}", f[2], f[3])
                } else {
                    format!("{}:{}-{}", f[1], f[2], f[3])
                };
                format!("{}\t{evr}\t{}\t{}", f[0], f[4], f[5])
            })
            .collect();
        assert_eq!(got, want, "{dir}");
    }
}

#[test]
fn engine_export_equals_the_archive() {
    let socket = Path::new("/var/run/docker.sock");
    assert!(
        socket.exists(),
        "no Docker engine at {}: run scripts/test (it starts one)",
        socket.display()
    );
    let from_engine = sbom_json("docker:vigie-lab/alpine:3.10");
    let from_archive = sbom_json(test_image("lab-alpine-310.tar.gz").to_str().unwrap());
    assert_eq!(from_engine["packages"], from_archive["packages"]);
    assert_eq!(from_engine["image"]["source"], "docker");
}

#[test]
fn table_output_snapshot() {
    let out = vigie()
        .args(["sbom"])
        .arg(test_image("lab-alpine-310.tar.gz"))
        .output()
        .unwrap();
    assert!(out.status.success());
    insta::assert_snapshot!("alpine_310_table", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn bad_sources_exit_2_with_a_clear_message() {
    for (target, expected) in [
        (test_data("images/oci/test_bad_index_json.oci"), "invalid index.json"),
        (
            test_data("images/oci/test_invalid_oci_image.oci"),
            "missing blob sha256:",
        ),
        (PathBuf::from("./no/such/image.tar"), "not found"),
    ] {
        let out = vigie().arg("sbom").arg(&target).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", target.display());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{}: {stderr}", target.display());
        assert_eq!(stderr.lines().count(), 1, "one-line error: {stderr}");
    }
}

#[test]
fn busybox_and_scratch_are_named_not_silent() {
    let ours = sbom_json(test_image("busybox-1.tar").to_str().unwrap());
    assert_eq!(ours["os"]["kind"], "busybox");
    assert!(ours["warnings"][0].as_str().unwrap().contains("busybox-only"));
    let ours = sbom_json(test_data("images/oci/test.oci").to_str().unwrap());
    assert_ne!(ours["os"]["kind"], "distro");
    assert!(!ours["warnings"].as_array().unwrap().is_empty());
}

/// A root filesystem with real package databases: dpkg status (Ubuntu 18.04)
/// and apk installed, the latter with its deliberately broken entry.
fn rootfs_with_databases(broken_apk: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("var/lib/dpkg")).unwrap();
    std::fs::copy(test_data("pkgdb/dpkg/status"), root.join("var/lib/dpkg/status")).unwrap();
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::write(root.join("etc/os-release"), "ID=ubuntu\nVERSION_ID=\"18.04\"\n").unwrap();
    std::fs::create_dir_all(root.join("app")).unwrap();
    std::fs::write(
        root.join("app/Cargo.lock"),
        "version = 3\n\n[[package]]\nname = \"serde\"\nversion = \"1.0.200\"\n",
    )
    .unwrap();
    if broken_apk {
        std::fs::create_dir_all(root.join("lib/apk/db")).unwrap();
        std::fs::copy(test_data("pkgdb/apk/installed"), root.join("lib/apk/db/installed")).unwrap();
    }
    dir
}

#[test]
fn incomplete_results_are_marked_in_every_format_and_exit_2() {
    // A real bad input: testdata/pkgdb/apk/installed has an entry without a version.
    let dir = rootfs_with_databases(true);
    let target = format!("dir:{}", dir.path().display());
    let out = vigie().args(["sbom", &target, "-f", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("incomplete sbom"), "{stderr}");
    assert!(stderr.contains("--allow-incomplete"), "{stderr}");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["incomplete"], true);
    assert!(
        json["packages"].as_array().unwrap().len() > 91,
        "the rest is still listed"
    );

    let out = vigie()
        .args(["sbom", &target, "-f", "cyclonedx", "--allow-incomplete"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let cdx: Value = serde_json::from_slice(&out.stdout).unwrap();
    let properties = cdx["metadata"]["properties"].as_array().unwrap();
    assert!(
        properties
            .iter()
            .any(|p| p["name"] == "vigie:incomplete" && p["value"] == "true")
    );
    assert!(properties.iter().any(|p| p["name"] == "vigie:warning"
        && p["value"].as_str().unwrap().contains("without a name or version")));

    let files = tempfile::tempdir().unwrap();
    for (format, kind) in [("cyclonedx", "cyclonedx"), ("spdx", "spdx")] {
        let file = files.path().join(format!("incomplete.{format}.json"));
        vigie()
            .args(["sbom", &target, "-f", format, "--allow-incomplete", "-o"])
            .arg(&file)
            .assert()
            .success();
        validate(kind, &file);
    }
    let spdx: Value =
        serde_json::from_slice(&std::fs::read(files.path().join("incomplete.spdx.json")).unwrap()).unwrap();
    assert!(
        spdx["annotations"][0]["comment"]
            .as_str()
            .unwrap()
            .starts_with("incomplete: ")
    );

    let out = vigie().args(["sbom", &target, "--allow-incomplete"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("\nIncomplete: 1 "), "{table}");

    // The same tree without the broken database: complete, exit 0, no marking.
    let dir = rootfs_with_databases(false);
    let target = format!("dir:{}", dir.path().display());
    let json = sbom_json(&target);
    assert_eq!(json["incomplete"], false);
}

#[test]
fn a_huge_sparse_file_is_not_read_and_marks_the_result_incomplete() {
    let dir = rootfs_with_databases(false);
    // 10 GB, sparse: must be skipped by size, never read into memory.
    let lock = std::fs::File::create(dir.path().join("app/package-lock.json")).unwrap();
    lock.set_len(10 << 30).unwrap();
    let target = format!("dir:{}", dir.path().display());
    let out = vigie().args(["sbom", &target, "-f", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["incomplete"], true);
    let warnings = json["warnings"].as_array().unwrap();
    assert!(
        warnings.iter().any(|w| w
            .as_str()
            .unwrap()
            .contains("/app/package-lock.json: 10737418240 bytes")),
        "{warnings:?}"
    );
}

#[test]
fn os_package_types_read_only_the_databases() {
    let dir = rootfs_with_databases(false);
    let target = format!("dir:{}", dir.path().display());
    let all = sbom_json(&target);
    let out = vigie()
        .args(["sbom", &target, "-f", "json", "--pkg-types", "os"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let os: Value = serde_json::from_slice(&out.stdout).unwrap();
    let count = |v: &Value, eco: &str| {
        v["packages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["ecosystem"] == eco)
            .count()
    };
    assert_eq!(count(&os, "deb"), count(&all, "deb"));
    assert!(count(&os, "deb") > 0);
    assert_eq!(count(&os, "cargo"), 0);
    assert_eq!(count(&all, "cargo"), 1);
    assert_eq!(os["os"]["family"], "ubuntu");
}

#[test]
fn no_progress_is_drawn_when_stderr_is_not_a_terminal() {
    let out = vigie()
        .args(["sbom", "-f", "json"])
        .arg(test_image("debian-bookworm.tar"))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_progress_bar_is_drawn_on_a_terminal_unless_quiet() {
    let bin = assert_cmd::cargo::cargo_bin("vigie");
    let image = test_image("pylang-1.tar");
    let out = tempfile::tempdir().unwrap();
    let run = |extra: &str| {
        let command = format!(
            "{} sbom {} -f json -o {} {extra}",
            bin.display(),
            image.display(),
            out.path().join("sbom.json").display()
        );
        // util-linux `script` gives the command a pseudo-terminal.
        // The bar waits 0.3 s before drawing (short work draws nothing): no wait here.
        let typed = std::process::Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .env_remove("DOCKER_HOST")
            .env("VIGIE_PROGRESS_DELAY_MS", "0")
            .output()
            .expect("script (util-linux) is needed for the terminal test");
        assert!(typed.status.success(), "{}", String::from_utf8_lossy(&typed.stdout));
        String::from_utf8_lossy(&typed.stdout).into_owned()
    };
    let drawn = run("");
    assert!(
        drawn.contains("reading layers"),
        "no progress bar on a terminal: {drawn:?}"
    );
    let quiet = run("--quiet");
    assert!(!quiet.contains("reading layers"), "{quiet:?}");
}

/// Trivy's licence list (`--scanners license`, offline) per (class, package).
fn trivy_licences(archive: &Path, cache: &Path) -> std::collections::BTreeMap<(String, String), BTreeSet<String>> {
    let out = std::process::Command::new("trivy")
        .args(["image", "--input"])
        .arg(archive)
        .args([
            "--scanners",
            "license",
            "--skip-db-update",
            "--offline-scan",
            "--cache-dir",
        ])
        .arg(cache)
        .args(["-f", "json", "-q"])
        .output()
        .unwrap_or_else(|e| panic!("trivy: {e} (run {PEERS})"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut map: std::collections::BTreeMap<(String, String), BTreeSet<String>> = Default::default();
    for result in doc["Results"].as_array().unwrap() {
        let class = match result["Target"].as_str().unwrap() {
            "OS Packages" => "os",
            other => other,
        };
        for l in result["Licenses"].as_array().map(Vec::as_slice).unwrap_or_default() {
            map.entry((class.to_string(), l["PkgName"].as_str().unwrap().to_string()))
                .or_default()
                .insert(l["Name"].as_str().unwrap().to_string());
        }
    }
    map
}

/// Licences against Trivy's on the Debian, Alpine and Python/Node test
/// images: every package Trivy gives a licence has one from vigie, and
/// every licence Trivy lists that vigie does not is Trivy's reading of a
/// name vigie keeps as written (a `BSD`, `GPL`, `LGPL`, `Artistic` Trivy
/// gives a version the file does not state, a `with … exception`): such a
/// package always has a licence *name* (not an SPDX id) in vigie's
/// CycloneDX. CycloneDX ids are exact SPDX ids.
#[test]
fn licences_match_trivy_where_trivy_does_not_guess() {
    let cache = tempfile::tempdir().unwrap();
    let (mut agreed, mut total) = (0usize, 0usize);
    for image in [
        "debian-bookworm.tar",
        "debian-bullseye.tar",
        "lab-alpine-310.tar.gz",
        "pylang-1.tar",
    ] {
        let archive = test_image(image);
        let theirs = trivy_licences(&archive, cache.path());
        assert!(
            theirs.len() > 10,
            "{image}: Trivy found licences for {} packages",
            theirs.len()
        );
        let out = vigie()
            .args(["sbom", "-f", "cyclonedx"])
            .arg(&archive)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let bom: Value = serde_json::from_slice(&out.stdout).unwrap();
        // (class, package) → (ids, names) from vigie's CycloneDX.
        let mut ours: std::collections::BTreeMap<(String, String), (BTreeSet<String>, BTreeSet<String>)> =
            Default::default();
        for c in bom["components"].as_array().unwrap() {
            let Some(purl) = c["purl"].as_str() else { continue };
            let class = if purl.starts_with("pkg:deb/") || purl.starts_with("pkg:apk/") {
                "os"
            } else if purl.starts_with("pkg:pypi/") {
                "Python"
            } else if purl.starts_with("pkg:npm/") {
                "Node.js"
            } else {
                continue;
            };
            let entry = ours
                .entry((class.to_string(), c["name"].as_str().unwrap().to_string()))
                .or_default();
            for l in c["licenses"].as_array().map(Vec::as_slice).unwrap_or_default() {
                if let Some(id) = l["license"]["id"].as_str() {
                    entry.0.insert(id.to_string());
                } else if let Some(name) = l["license"]["name"].as_str() {
                    entry.1.insert(name.to_string());
                } else if let Some(expression) = l["expression"].as_str() {
                    entry.0.insert(expression.to_string());
                }
            }
        }
        let mut image_agreed = 0;
        let mut image_total = 0;
        for (key, names) in &theirs {
            let (ids, our_names) = ours.get(key).cloned().unwrap_or_default();
            assert!(
                !ids.is_empty() || !our_names.is_empty(),
                "{image}: Trivy has licences {names:?} for {key:?}, vigie none"
            );
            for name in names {
                image_total += 1;
                if ids.contains(name) || our_names.contains(name) {
                    image_agreed += 1;
                } else {
                    assert!(
                        !our_names.is_empty(),
                        "{image}: {key:?}: Trivy says {name}, vigie only SPDX ids {ids:?}"
                    );
                }
            }
        }
        eprintln!("{image}: {image_agreed}/{image_total} of Trivy's licences agreed");
        agreed += image_agreed;
        total += image_total;
        for (ids, _) in ours.values() {
            for id in ids {
                assert!(!id.is_empty() && !id.contains("  "), "{image}: id {id:?}");
            }
        }
    }
    assert!(agreed * 100 >= total * 90, "{agreed}/{total} agreed");
}
