//! Import of the real shared data (../shared/data) and matching on it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use vigie_vulndb::{Database, PackageQuery, WriteOptions, import_paths, match_packages};

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
}

#[test]
fn imports_all_shared_data_and_matches() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("db.sqlite");
    let inputs = vec![
        data().join("osv/Debian.zip"),
        data().join("osv/PyPI.zip"),
        data().join("osv/crates.io.zip"),
        data().join("alpine-secdb"),
    ];
    let started = std::time::Instant::now();
    let summaries = import_paths(&db_path, &inputs, &WriteOptions::default()).unwrap();
    eprintln!("import took {:?}", started.elapsed());
    let by_name = |n: &str| summaries.iter().find(|s| s.source == n).unwrap().records;
    assert_eq!(by_name("osv:Debian"), 8375);
    assert_eq!(by_name("osv:PyPI"), 2661);
    assert_eq!(by_name("osv:crates.io"), 1206);
    assert!(summaries.iter().any(|s| s.source == "alpine-secdb:v3.4/main"));
    assert_eq!(
        summaries
            .iter()
            .filter(|s| s.source.starts_with("alpine-secdb:"))
            .count(),
        18
    );
    let db = Database::open(&db_path).unwrap();
    let status = db.status().unwrap();
    assert!(status.ecosystems.iter().any(|(e, _)| e == "Debian:11"));
    assert!(status.ecosystems.iter().any(|(e, _)| e == "Alpine:v3.10"));

    let packages = vec![
        PackageQuery {
            ecosystem: "Debian:11".into(),
            name: "xserver-xorg-core".into(),
            version: "2:1.20.11-1+deb11u5".into(),
            source_name: Some("xorg-server".into()),
            ..PackageQuery::default()
        },
        PackageQuery {
            ecosystem: "Alpine:v3.10".into(),
            name: "libcrypto1.1".into(),
            version: "1.1.1c-r0".into(),
            source_name: Some("openssl".into()),
            ..PackageQuery::default()
        },
        PackageQuery {
            ecosystem: "crates.io".into(),
            name: "openssl".into(),
            version: "0.8.0".into(),
            ..PackageQuery::default()
        },
        PackageQuery {
            ecosystem: "PyPI".into(),
            name: "Django".into(),
            version: "1.11.0".into(),
            ..PackageQuery::default()
        },
    ];
    let report = match_packages(&db, &packages).unwrap();
    let ids = |name: &str| -> Vec<String> {
        report
            .matches
            .iter()
            .filter(|m| m.package.name == name)
            .map(|m| m.id.clone())
            .collect()
    };
    assert!(
        ids("xserver-xorg-core").iter().any(|i| i == "DSA-5380-1"),
        "{:?}",
        ids("xserver-xorg-core")
    );
    assert!(
        ids("libcrypto1.1").iter().any(|i| i == "CVE-2019-1547"),
        "{:?}",
        ids("libcrypto1.1")
    );
    let openssl = report.matches.iter().find(|m| m.package.name == "openssl").unwrap();
    assert_eq!(openssl.id, "CVE-2016-10931");
    assert!(openssl.aliases.contains(&"RUSTSEC-2016-0001".to_string()));
    assert!(ids("Django").len() > 5, "{}", ids("Django").len());
}
