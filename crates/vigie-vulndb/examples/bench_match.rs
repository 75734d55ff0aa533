//! Matching throughput: a generated database of RECORDS records (default
//! 1,000,000) and a generated list of PACKAGES packages (default 100,000),
//! matched in one call. Prints build time, database size, match time and
//! package checks per second. Used by scripts/bench/vulndb.sh.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::Instant;
use vigie_vulndb::import::{SourceData, StoredRecord};
use vigie_vulndb::osv::{Affected, Event, Package, Range, Record};
use vigie_vulndb::{Database, PackageQuery, Validators, WriteOptions, Writer, match_packages};

/// A small deterministic generator (xorshift), so runs are comparable.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const ECOSYSTEMS: [&str; 3] = ["PyPI", "npm", "crates.io"];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let records: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let packages: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let dir = std::env::var("BENCH_DIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
    let path = Path::new(&dir).join("vigie-bench-match.sqlite");
    let names = records / 5;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let started = Instant::now();
    if !path.exists() {
        let mut writer = Writer::begin(&path, &WriteOptions { fresh: true }).unwrap();
        for (e, ecosystem) in ECOSYSTEMS.iter().enumerate() {
            let mut source = SourceData {
                name: format!("bench:{ecosystem}"),
                kind: "osv",
                location: "generated".to_string(),
                sha256: None,
                records: Vec::new(),
                skipped: Vec::new(),
            };
            for i in (e as u64..records).step_by(ECOSYSTEMS.len()) {
                let name = format!("pkg-{}", i % names);
                let fixed = format!("{}.{}.{}", rng.below(5), rng.below(20), rng.below(20));
                let record = Record {
                    id: format!("BENCH-{i}"),
                    aliases: vec![format!("CVE-2099-{i}")],
                    summary: Some(format!("generated vulnerability {i}")),
                    affected: vec![Affected {
                        package: Some(Package {
                            ecosystem: ecosystem.to_string(),
                            name,
                            purl: None,
                        }),
                        ranges: vec![Range {
                            kind: "ECOSYSTEM".to_string(),
                            events: vec![
                                Event {
                                    introduced: Some("0".to_string()),
                                    ..Event::default()
                                },
                                Event {
                                    fixed: Some(fixed),
                                    ..Event::default()
                                },
                            ],
                        }],
                        ..Affected::default()
                    }],
                    ..Record::default()
                };
                let body = serde_json::to_string(&record).unwrap();
                source.records.push(StoredRecord { record, body });
            }
            writer.put_source(&source, &Validators::default()).unwrap();
        }
        writer.publish().unwrap();
        println!("generated_db_seconds {:.2}", started.elapsed().as_secs_f64());
    }
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!("db_records {records}");
    println!("db_size_mb {:.1}", size as f64 / 1e6);
    let queries: Vec<PackageQuery> = (0..packages)
        .map(|i| {
            let ecosystem = ECOSYSTEMS[(i % 3) as usize];
            PackageQuery {
                ecosystem: ecosystem.to_string(),
                // Half the names exist in the database.
                name: format!("pkg-{}", rng.below(names * 2)),
                version: if std::env::var_os("BENCH_NO_HITS").is_some() {
                    "9.9.9".to_string()
                } else {
                    format!("{}.{}.{}", rng.below(5), rng.below(20), rng.below(20))
                },
                ..PackageQuery::default()
            }
        })
        .collect();
    let db = Database::open(&path).unwrap();
    let started = Instant::now();
    let report = match_packages(&db, &queries).unwrap();
    let seconds = started.elapsed().as_secs_f64();
    println!("packages {packages}");
    println!("matches {}", report.matches.len());
    println!("match_seconds {seconds:.3}");
    println!("checks_per_second {:.0}", packages as f64 / seconds);
}
