//! Import of the real test data (the repository's testdata/, see its SOURCES.md) and matching on it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use vigie_vulndb::{Database, PackageQuery, WriteOptions, import_paths, match_packages};

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

/// The shared OSV zips (and secdb when asked) imported into a fresh database.
fn shared_inputs(secdb: bool) -> Vec<PathBuf> {
    let mut inputs = vec![
        data().join("osv/Debian.zip"),
        data().join("osv/PyPI.zip"),
        data().join("osv/crates.io.zip"),
    ];
    if secdb {
        inputs.push(data().join("alpine-secdb"));
    }
    inputs
}

#[test]
fn imports_all_shared_data_and_matches() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("db.sqlite");
    let inputs = shared_inputs(true);
    let started = std::time::Instant::now();
    let summaries = import_paths(&db_path, &inputs, &WriteOptions::default()).unwrap();
    eprintln!("import took {:?}", started.elapsed());
    let by_name = |n: &str| summaries.iter().find(|s| s.source == n).unwrap().records;
    assert_eq!(by_name("osv:Debian"), 2183);
    assert_eq!(by_name("osv:PyPI"), 625);
    assert_eq!(by_name("osv:crates.io"), 260);
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
            .map(|m| m.id.to_string())
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
    assert!(openssl.aliases.iter().any(|a| a == "RUSTSEC-2016-0001"));
    assert!(ids("Django").len() > 5, "{}", ids("Django").len());
}

/// Queries over every name the database knows in three ecosystems, with
/// versions below, inside and above typical ranges, repeats (same key) and
/// PEP 503 re-spellings: enough to take the parallel path.
fn many_queries(db: &Database) -> Vec<PackageQuery> {
    let mut queries = Vec::new();
    for (ecosystem, versions) in [
        (
            "crates.io",
            [
                "0.1.0", "0.3.2", "0.8.0", "1.0.0", "1.2.0", "2.5.3", "3.0.1", "0.0.1", "10.0.0",
            ],
        ),
        (
            "PyPI",
            [
                "0.9", "1.0", "1.11.0", "2.2", "3.2.1", "0.1.0", "4.0.0", "2019.1", "1.23",
            ],
        ),
        (
            "Debian:11",
            [
                "0.1-1",
                "1.0-1",
                "1.2.3-1",
                "2.0-1+deb11u1",
                "2:9.9-9",
                "3.1-2",
                "0.9-1",
                "1:1.0-1",
                "5.0-1",
            ],
        ),
    ] {
        let index = db.index(ecosystem).unwrap().unwrap();
        for (n, name) in index.names().enumerate() {
            for version in versions {
                let name = if ecosystem == "PyPI" && n % 3 == 0 {
                    name.to_uppercase().replace('-', "_")
                } else {
                    name.to_string()
                };
                queries.push(PackageQuery {
                    ecosystem: ecosystem.into(),
                    name: format!("{name}-bin"),
                    version: version.into(),
                    source_name: Some(name.clone()),
                    ..PackageQuery::default()
                });
                if ecosystem != "Debian:11" {
                    queries.last_mut().unwrap().name = name;
                }
            }
        }
    }
    // Repeats of earlier keys (binary packages of one source, one library twice).
    let repeats: Vec<PackageQuery> = queries.iter().step_by(7).cloned().collect();
    queries.extend(repeats);
    queries
}

fn as_json(report: &vigie_vulndb::MatchReport) -> (String, Vec<String>) {
    let mut warnings = report.warnings.clone();
    warnings.sort();
    warnings.dedup();
    (serde_json::to_string(&report.matches).unwrap(), warnings)
}

#[test]
fn parallel_matching_equals_sequential_and_survives_a_swapped_file() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("db.sqlite");
    let inputs = shared_inputs(false);
    import_paths(&db_path, &inputs, &WriteOptions::default()).unwrap();
    let db = Database::open(&db_path).unwrap();
    let untouched = Database::open(&db_path).unwrap();
    let queries = many_queries(&db);
    // Above the matcher's parallel threshold (4,096 packages).
    assert!(queries.len() > 5_000, "{}", queries.len());
    let parallel = match_packages(&db, &queries).unwrap();
    assert!(parallel.matches.len() > 1000, "{}", parallel.matches.len());
    // Shares below the parallel threshold run on this thread alone.
    let mut sequential = vigie_vulndb::MatchReport::default();
    for chunk in queries.chunks(1000) {
        let part = match_packages(&db, chunk).unwrap();
        sequential.matches.extend(part.matches);
        sequential.warnings.extend(part.warnings);
    }
    assert_eq!(as_json(&parallel), as_json(&sequential));
    // A second match on the same handle reuses its readers.
    assert_eq!(as_json(&match_packages(&db, &queries).unwrap()), as_json(&parallel));

    // An update renames another database over the path: a handle opened
    // before still matches against the file it opened, even though new
    // readers on the path would read the new one.
    let other = dir.path().join("other.sqlite");
    import_paths(&other, &[data().join("osv/crates.io.zip")], &WriteOptions::default()).unwrap();
    std::fs::rename(&other, &db_path).unwrap();
    assert_eq!(
        as_json(&match_packages(&untouched, &queries).unwrap()),
        as_json(&parallel)
    );
    let reopened = Database::open(&db_path).unwrap();
    let after = match_packages(&reopened, &queries).unwrap();
    assert!(after.matches.iter().all(|m| m.package.ecosystem == "crates.io"));
}
