//! Throughput of vigie-version on a list of versions (one per line), for scripts/bench/version.sh:
//! `version_bench SCHEME FILE` prints `SCHEME versions parse/s compare_parsed/s compare_strings/s`.
#![allow(clippy::print_stdout)]

use std::hint::black_box;
use std::time::Instant;

use vigie_version::{Scheme, Version, compare};

fn scheme(name: &str) -> Result<Scheme, String> {
    Scheme::ALL
        .into_iter()
        .find(|scheme| scheme.name() == name)
        .ok_or_else(|| format!("unknown scheme {name}"))
}

fn per_second(count: usize, run: impl Fn()) -> f64 {
    let start = Instant::now();
    run();
    count as f64 / start.elapsed().as_secs_f64()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        return Err("usage: version_bench SCHEME FILE".into());
    }
    let scheme = scheme(&args[1])?;
    let text = std::fs::read_to_string(&args[2]).map_err(|e| format!("{}: {e}", args[2]))?;
    let (strings, parsed): (Vec<&str>, Vec<Version>) = text
        .lines()
        .filter_map(|line| Version::parse(scheme, line).ok().map(|v| (line, v)))
        .unzip();
    if strings.is_empty() {
        return Err(format!("{}: no valid {} version", args[2], scheme.name()).into());
    }
    let n = strings.len();
    // The same pseudo-random pairs for every measure.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let pairs: Vec<(usize, usize)> = (0..1_000_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            ((state % n as u64) as usize, ((state >> 32) % n as u64) as usize)
        })
        .collect();
    let rounds = 1_000_000 / n + 1;
    let parse = per_second(rounds * n, || {
        for _ in 0..rounds {
            for s in &strings {
                black_box(Version::parse(scheme, black_box(s)).is_ok());
            }
        }
    });
    let compare_parsed = per_second(pairs.len(), || {
        for &(i, j) in &pairs {
            black_box(parsed[i].cmp(&parsed[j]));
        }
    });
    let compare_strings = per_second(200_000, || {
        for &(i, j) in &pairs[..200_000] {
            black_box(compare(scheme, strings[i], strings[j]).is_ok());
        }
    });
    println!(
        "{} {n} {parse:.0} {compare_parsed:.0} {compare_strings:.0}",
        scheme.name()
    );
    Ok(())
}
