//! Differential check helper: match the queries of a JSON file (a list of
//! `PackageQuery`) against a database and write the report as JSON, so two
//! versions of the matcher can be compared on the same input. With more
//! arguments, those files are first imported into a fresh database.
//! Usage: match_dump DB QUERIES.json OUT.json [IMPORT…]
#![allow(clippy::print_stdout)]

use std::path::Path;
use vigie_vulndb::{Database, PackageQuery, match_packages};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        return Err("usage: match_dump DB QUERIES.json OUT.json [IMPORT…]".into());
    }
    if args.len() > 4 {
        let inputs: Vec<std::path::PathBuf> = args[4..].iter().map(std::path::PathBuf::from).collect();
        let started = std::time::Instant::now();
        vigie_vulndb::import_paths(
            Path::new(&args[1]),
            &inputs,
            &vigie_vulndb::WriteOptions {
                fresh: true,
                ..Default::default()
            },
        )?;
        println!("imported in {:.3} s", started.elapsed().as_secs_f64());
    }
    let db = Database::open(Path::new(&args[1]))?;
    let queries: Vec<PackageQuery> = serde_json::from_slice(&std::fs::read(&args[2])?)?;
    let started = std::time::Instant::now();
    let report = match_packages(&db, &queries)?;
    println!(
        "{} queries, {} matches, {} warnings, {:.3} s",
        queries.len(),
        report.matches.len(),
        report.warnings.len(),
        started.elapsed().as_secs_f64()
    );
    let mut warnings = report.warnings.clone();
    warnings.sort();
    let out = serde_json::json!({"matches": report.matches, "warnings": warnings});
    std::fs::write(&args[3], serde_json::to_vec_pretty(&out)?)?;
    Ok(())
}
