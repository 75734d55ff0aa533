//! Matching throughput (scripts/bench/vulndb.sh): a generated database of
//! RECORDS OSV records (default 1,000,000) and a generated SBOM of PACKAGES
//! packages (default 100,000), matched in one `match_packages` call after
//! the database is opened. Prints the generator's parameters, the database
//! size, the matching wall time and package checks per second.
//!
//! The data imitates OSV's language ecosystems: names built from common
//! package-name words with each ecosystem's shape (`@scope/name`,
//! `group:artifact`, `github.com/owner/repo`, PEP 503 spellings), records
//! spread over names with a long tail (a few packages carry hundreds of
//! advisories), each package with its own release history, ranges with
//! `introduced`/`fixed`/`last_affected` (sometimes two intervals, sometimes
//! no fix yet), `versions` lists on PyPI records, CVSS vectors on half the
//! records. The SBOM draws 10 % of its packages from names with advisories
//! (popular ones more often) and the rest from names without any; installed
//! versions are mostly recent releases (lockfiles are kept current), 15 %
//! anywhere in the package's history. Everything is deterministic.
#![allow(clippy::print_stdout)]

use std::path::Path;
use std::time::Instant;
use vigie_vulndb::import::{SourceData, StoredRecord};
use vigie_vulndb::osv::{Affected, Event, Package, Range, Record, Reference, SeverityEntry};
use vigie_vulndb::{Database, PackageQuery, Validators, WriteOptions, Writer, match_packages};

/// Share of records and SBOM packages per ecosystem (percent).
const ECOSYSTEMS: [(&str, u64); 5] = [("PyPI", 30), ("npm", 30), ("Maven", 15), ("Go", 15), ("crates.io", 10)];
/// Average records per vulnerable package name.
const RECORDS_PER_NAME: u64 = 6;
/// Percent of SBOM packages whose name has advisories (env BENCH_NAMED_PERCENT).
const VULNERABLE_NAME_PERCENT: u64 = 10;
/// Percent of SBOM packages installed at one of their 3 latest releases.
const RECENT_PERCENT: u64 = 85;

const WORDS: [&str; 64] = [
    "core", "utils", "http", "json", "yaml", "async", "client", "server", "parser", "auth", "crypto", "log", "test",
    "api", "cli", "data", "web", "sql", "cache", "net", "image", "tool", "config", "schema", "stream", "plugin",
    "django", "flask", "react", "vue", "express", "spring", "boot", "kafka", "redis", "mongo", "aws", "azure", "cloud",
    "grpc", "proto", "xml", "html", "markdown", "template", "form", "rest", "graph", "query", "mail", "socket", "time",
    "date", "math", "pdf", "zip", "tar", "compress", "cookie", "session", "jwt", "oauth", "ssh", "tls",
];

fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = mix(self.0);
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// A long-tailed rank in 0..n: low ranks (popular names) far more often.
    fn skewed(&mut self, n: u64) -> u64 {
        ((self.unit().powi(2) * n as f64) as u64).min(n.saturating_sub(1))
    }
}

/// Name number `k` of an ecosystem, in its usual shape; unique per `k`
/// (three words from its low bits, a number from the rest).
fn name_of(ecosystem: &str, k: u64) -> String {
    let w = |i: u64| WORDS[((k >> (6 * i)) & 63) as usize];
    let extra = k >> 18;
    let suffix = if extra > 0 { format!("{extra}") } else { String::new() };
    let (a, b, c) = (w(0), w(1), w(2));
    let style = mix(k ^ 0x5555) % 4;
    match ecosystem {
        "PyPI" => match style {
            0 => format!("{a}-{b}-{c}{suffix}"),
            1 => format!("{a}_{b}-{c}{suffix}"),
            2 => format!("{a}.{b}.{c}{suffix}"),
            _ => format!("{a}-{b}_{c}{suffix}"),
        },
        "npm" => match style {
            0 | 1 => format!("@{c}/{a}-{b}{suffix}"),
            _ => format!("{a}-{b}-{c}{suffix}"),
        },
        "Maven" => format!("org.{c}.{b}:{a}-{b}{suffix}"),
        "Go" => format!("github.com/{c}/{a}-{b}{suffix}"),
        _ => match style {
            0 => format!("{a}-{b}-{c}{suffix}"),
            _ => format!("{a}_{b}_{c}{suffix}"),
        },
    }
}

/// The release history of a package, oldest first, in its ecosystem's syntax.
fn history(ecosystem: &str, key: u64) -> Vec<String> {
    let mut rng = Rng(key ^ 0xABCD);
    let count = 8 + rng.below(60);
    let (mut major, mut minor, mut patch) = (rng.below(2), 0u64, 0u64);
    let mut out = Vec::with_capacity(count as usize);
    for _ in 0..count {
        match rng.below(10) {
            0 => {
                major += 1;
                minor = 0;
                patch = 0;
            }
            1..=3 => {
                minor += 1;
                patch = 0;
            }
            _ => patch += 1,
        }
        let base = format!("{major}.{minor}.{patch}");
        out.push(match ecosystem {
            "Go" => format!("v{base}"),
            "PyPI" if rng.below(12) == 0 => format!("{major}.{minor}.{patch}rc1"),
            _ => base,
        });
    }
    out
}

fn event(kind: &str, text: &str) -> Event {
    let mut event = Event::default();
    let text = Some(text.to_string());
    match kind {
        "introduced" => event.introduced = text,
        "fixed" => event.fixed = text,
        _ => event.last_affected = text,
    }
    event
}

/// One affected entry of package `name` (history `releases`).
fn affected_entry(ecosystem: &str, name: &str, releases: &[String], rng: &mut Rng) -> Affected {
    let n = releases.len() as u64;
    let mut events = Vec::new();
    let mut listed = Vec::new();
    let intervals = if rng.below(5) == 0 { 2 } else { 1 };
    let mut floor = 0u64;
    for interval in 0..intervals {
        let span = (n - floor).max(1);
        let start = floor + rng.below(span / 2 + 1);
        let end = (start + 1 + rng.below(span / 2 + 1)).min(n);
        let open = interval + 1 == intervals && rng.below(10) == 0;
        if start == 0 && interval == 0 && rng.below(10) < 4 {
            events.push(event("introduced", "0"));
        } else {
            events.push(event("introduced", &releases[start as usize]));
        }
        let last = if open {
            n
        } else if rng.below(100) < 15 {
            events.push(event("last_affected", &releases[(end - 1) as usize]));
            end
        } else if end < n {
            events.push(event("fixed", &releases[end as usize]));
            end
        } else {
            n
        };
        if ecosystem == "PyPI" {
            listed.extend(releases[start as usize..last as usize].iter().take(30).cloned());
        }
        floor = last;
        if floor >= n {
            break;
        }
    }
    Affected {
        package: Some(Package {
            ecosystem: ecosystem.to_string(),
            name: name.to_string(),
            purl: None,
        }),
        ranges: vec![Range {
            kind: if matches!(ecosystem, "PyPI" | "Maven") {
                "ECOSYSTEM"
            } else {
                "SEMVER"
            }
            .to_string(),
            events,
        }],
        versions: listed,
        ..Affected::default()
    }
}

/// User + system CPU time of this process so far (Linux; 0 elsewhere): the
/// machine may be shared, so wall time alone can mislead.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or_default().split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

/// Minor page faults of this process so far (Linux; 0 elsewhere): the
/// first match in a process pays for mapping the database pages it reads and
/// for fresh heap pages, later ones mostly reuse them.
fn minor_faults() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or_default().split_whitespace().collect();
    // minflt is field 10 of the line, 8 after the name.
    fields.get(7).and_then(|f| f.parse().ok()).unwrap_or(0)
}

fn cores() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let records: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let packages: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let dir = std::env::var("BENCH_DIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
    // The schema version in the name: a database of an older layout is regenerated.
    let path = Path::new(&dir).join(format!(
        "vigie-bench-match-{records}-v{}.sqlite",
        vigie_vulndb::store::SCHEMA_VERSION
    ));
    let names_total = records / RECORDS_PER_NAME;
    let named_percent: u64 = std::env::var("BENCH_NAMED_PERCENT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(VULNERABLE_NAME_PERCENT);
    println!(
        "generator: {records} records over {names_total} package names (long tail: rank = n * u^2), ecosystems {}",
        ECOSYSTEMS
            .iter()
            .map(|(e, p)| format!("{e} {p}%"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "generator: sbom of {packages} packages, {named_percent}% named in the database (popular names more often), {RECENT_PERCENT}% at one of their 3 latest releases"
    );
    if !path.exists() {
        let started = Instant::now();
        let mut writer = Writer::begin(
            &path,
            &WriteOptions {
                fresh: true,
                ..Default::default()
            },
        )?;
        let mut rng = Rng(0x1234_5678);
        for (e, (ecosystem, share)) in ECOSYSTEMS.iter().enumerate() {
            let source = SourceData::new(format!("bench:{ecosystem}"), "osv", "generated".to_string());
            let count = records * share / 100;
            let names = (names_total * share / 100).max(1);
            let mut batch = Vec::with_capacity(1024);
            for i in 0..count {
                let mut entries = Vec::new();
                for _ in 0..if rng.below(10) == 0 { 2 } else { 1 } {
                    let k = rng.skewed(names);
                    let name = name_of(ecosystem, k);
                    let releases = history(ecosystem, (e as u64) << 40 | k);
                    entries.push(affected_entry(ecosystem, &name, &releases, &mut rng));
                }
                let serial = (e as u64) << 32 | i;
                let ghsa = format!(
                    "GHSA-{:04x}-{:04x}-{:04x}",
                    serial & 0xffff,
                    (serial >> 16) & 0xffff,
                    mix(serial) & 0xffff
                );
                let cve = format!("CVE-{}-{}", 2015 + rng.below(10), 10_000 + (serial % 900_000));
                let record = Record {
                    id: ghsa.clone(),
                    modified: Some("2025-01-02T03:04:05Z".to_string()),
                    published: Some("2024-06-01T00:00:00Z".to_string()),
                    aliases: vec![cve.clone()],
                    summary: Some(format!("{} in {}", WORDS[rng.below(64) as usize], ecosystem)),
                    details: Some("Generated advisory for the matching benchmark.".to_string()),
                    severity: if rng.below(2) == 0 {
                        vec![SeverityEntry {
                            kind: "CVSS_V3".to_string(),
                            score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".to_string(),
                        }]
                    } else {
                        Vec::new()
                    },
                    affected: entries,
                    references: vec![
                        Reference {
                            kind: "ADVISORY".to_string(),
                            url: format!("https://nvd.nist.gov/vuln/detail/{cve}"),
                        },
                        Reference {
                            kind: "WEB".to_string(),
                            url: format!("https://github.com/advisories/{ghsa}"),
                        },
                    ],
                    ..Record::default()
                };
                let body = serde_json::to_string(&record)?;
                batch.push(StoredRecord { record, body });
                if batch.len() == 1024 {
                    writer.put_records(&source.name, &batch)?;
                    batch.clear();
                }
            }
            writer.put_records(&source.name, &batch)?;
            writer.finish_source(&source, &Validators::default())?;
        }
        writer.publish()?;
        println!("generated_db_seconds {:.1}", started.elapsed().as_secs_f64());
    }
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!("db_records {records}");
    println!("db_size_mb {:.1}", size as f64 / 1e6);
    let mut rng = Rng(0x8765_4321);
    let total_share: u64 = ECOSYSTEMS.iter().map(|(_, s)| s).sum();
    let queries: Vec<PackageQuery> = (0..packages)
        .map(|_| {
            let mut pick = rng.below(total_share);
            let (e, (ecosystem, share)) = ECOSYSTEMS
                .iter()
                .enumerate()
                .find(|(_, (_, s))| {
                    if pick < *s {
                        true
                    } else {
                        pick -= s;
                        false
                    }
                })
                .unwrap_or((0, &ECOSYSTEMS[0]));
            let names = (names_total * share / 100).max(1);
            let k = if rng.below(100) < named_percent {
                rng.skewed(names)
            } else {
                names + rng.below(names * 20)
            };
            let releases = history(ecosystem, (e as u64) << 40 | k);
            let n = releases.len() as u64;
            let at = if rng.below(100) < RECENT_PERCENT {
                n - 1 - rng.below(3.min(n))
            } else {
                rng.below(n)
            };
            let mut name = name_of(ecosystem, k);
            if *ecosystem == "PyPI" && rng.below(4) == 0 {
                // Spelt differently from the advisory: PEP 503 makes them equal.
                name = name.to_uppercase().replace('-', "_");
            }
            PackageQuery {
                ecosystem: ecosystem.to_string(),
                name,
                version: releases[at as usize].clone(),
                ..PackageQuery::default()
            }
        })
        .collect();
    // BENCH_QUERIES=FILE: also write the SBOM as JSON (for examples/match_dump).
    if let Ok(file) = std::env::var("BENCH_QUERIES") {
        std::fs::write(&file, serde_json::to_vec(&queries)?)?;
    }
    // BENCH_ROUNDS=N: N warm rounds (for profiling), the last one printed.
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(1);
    let mut names = vec!["cold"];
    names.extend(std::iter::repeat_n("warm", rounds.max(1)));
    for (i, round) in names.iter().enumerate() {
        let round = *round;
        let last = i + 1 == names.len();
        let db = Database::open(&path)?;
        let cpu = cpu_seconds();
        let faults = minor_faults();
        let started = Instant::now();
        let report = match_packages(&db, &queries)?;
        let seconds = started.elapsed().as_secs_f64();
        let cpu = cpu_seconds() - cpu;
        let faults = minor_faults() - faults;
        if !last && round == "warm" {
            continue;
        }
        let vulnerable: std::collections::BTreeSet<_> = report
            .matches
            .iter()
            .map(|m| (&m.package.ecosystem, &m.package.name, &m.package.version))
            .collect();
        println!("[{round}] packages {packages}");
        println!("[{round}] vulnerable_packages {}", vulnerable.len());
        println!("[{round}] matches {}", report.matches.len());
        println!(
            "[{round}] match_seconds {seconds:.3} (cpu {cpu:.2} s over {} cores)",
            cores()
        );
        println!("[{round}] minor_page_faults {faults}");
        println!("[{round}] checks_per_second {:.0}", packages as f64 / seconds);
    }
    Ok(())
}
