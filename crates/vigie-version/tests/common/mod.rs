//! Shared helpers of the differential tests: real version strings from the repository's `testdata/`, pairs
//! sampled with a fixed seed, one batched run of each peer, and the comparison of answers.
#![allow(dead_code)]

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use vigie_version::{Scheme, Version};

pub const PEERS_SCRIPT: &str = "scripts/lib/peers-version.sh";

/// The repository's pinned test data (`testdata/`, see its SOURCES.md).
pub fn test_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

/// Fails the test with a message naming the script that installs the peer.
pub fn peer_missing(what: &str) -> ! {
    panic!("peer missing: {what}; install the differential-test peers with `bash {PEERS_SCRIPT}`")
}

/// Whether `program args...` runs and exits 0.
pub fn runs(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// Runs a command to completion; panics with its stderr if it fails.
pub fn run(command: &mut Command) -> String {
    let output = command
        .output()
        .unwrap_or_else(|error| panic!("cannot run {command:?}: {error}"));
    assert!(
        output.status.success(),
        "{command:?} failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// SplitMix64: a fixed-seed generator, so every run samples the same pairs.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }

    pub fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())].clone()
    }
}

/// `count` pairs of indexes into `versions` (sorted as strings): half are near neighbours, which share
/// long prefixes and so exercise the fine rules; a quarter are random; a quarter compare a version
/// with itself or with its immediate neighbour.
pub fn sample_pairs(versions: &[String], count: usize, seed: u64) -> Vec<(usize, usize)> {
    let mut rng = Rng::new(seed);
    let n = versions.len();
    assert!(n > 10, "too few versions: {n}");
    (0..count)
        .map(|k| {
            let i = rng.below(n);
            let j = match k % 4 {
                0 | 1 => (i + 1 + rng.below(8)).min(n - 1),
                2 => rng.below(n),
                _ => (i + rng.below(2)).min(n - 1),
            };
            if rng.next() & 1 == 0 { (i, j) } else { (j, i) }
        })
        .collect()
}

/// Every string value of `ranges[].events[]` and `versions[]` in the OSV records of a zip.
pub fn osv_versions(zip_path: &Path) -> BTreeSet<String> {
    let file = std::fs::File::open(zip_path).unwrap_or_else(|error| panic!("{}: {error}", zip_path.display()));
    let mut archive = zip::ZipArchive::new(file).unwrap_or_else(|error| panic!("{}: {error}", zip_path.display()));
    let mut versions = BTreeSet::new();
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).expect("zip entry");
        if !entry.name().ends_with(".json") {
            continue;
        }
        let mut text = String::new();
        entry.read_to_string(&mut text).expect("utf-8 record");
        let record: serde_json::Value = serde_json::from_str(&text).expect("json record");
        for affected in record["affected"].as_array().into_iter().flatten() {
            for range in affected["ranges"].as_array().into_iter().flatten() {
                if range["type"] == "GIT" {
                    continue;
                }
                for event in range["events"].as_array().into_iter().flatten() {
                    for value in event.as_object().into_iter().flat_map(|object| object.values()) {
                        if let Some(value) = value.as_str() {
                            versions.insert(value.to_owned());
                        }
                    }
                }
            }
            for value in affected["versions"].as_array().into_iter().flatten() {
                if let Some(value) = value.as_str() {
                    versions.insert(value.to_owned());
                }
            }
        }
    }
    versions
}

/// Splits `candidates` into those `scheme` parses and those it refuses.
pub fn parse_all(scheme: Scheme, candidates: impl IntoIterator<Item = String>) -> (Vec<String>, Vec<String>) {
    let mut accepted = Vec::new();
    let mut refused = Vec::new();
    for candidate in candidates {
        if Version::parse(scheme, &candidate).is_ok() {
            accepted.push(candidate);
        } else {
            refused.push(candidate);
        }
    }
    accepted.sort();
    accepted.dedup();
    (accepted, refused)
}

/// Writes pairs as `a<TAB>b` lines.
pub fn write_pairs(path: &Path, versions: &[String], pairs: &[(usize, usize)]) {
    let mut text = String::with_capacity(pairs.len() * 24);
    assert!(
        versions.iter().all(|v| !v.contains(['\t', '\n', '\r'])),
        "a version contains a tab or newline"
    );
    for &(i, j) in pairs {
        let _ = writeln!(text, "{}\t{}", versions[i], versions[j]);
    }
    std::fs::write(path, text).expect("write pairs");
}

/// Reads an oracle's answers: one `-1`, `0` or `1` per line (anything else is `None`).
pub fn read_answers(path: &Path) -> Vec<Option<Ordering>> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()))
        .lines()
        .map(|line| match line.trim() {
            "-1" | "<" => Some(Ordering::Less),
            "0" | "=" => Some(Ordering::Equal),
            "1" | ">" => Some(Ordering::Greater),
            _ => None,
        })
        .collect()
}

/// Compares our answers with the oracle's; returns the disagreements as printable lines.
pub fn disagreements(
    scheme: Scheme,
    versions: &[String],
    pairs: &[(usize, usize)],
    answers: &[Option<Ordering>],
) -> (usize, Vec<String>) {
    assert_eq!(
        answers.len(),
        pairs.len(),
        "the oracle answered {} of {} pairs",
        answers.len(),
        pairs.len()
    );
    let mut compared = 0;
    let mut wrong = Vec::new();
    let mut outcomes = [0usize; 3];
    for (&(i, j), answer) in pairs.iter().zip(answers) {
        let Some(expected) = answer else { continue };
        compared += 1;
        outcomes[(*expected as i8 + 1) as usize] += 1;
        let ours = vigie_version::compare(scheme, &versions[i], &versions[j]).expect("parsed before");
        if ours != *expected {
            wrong.push(format!(
                "{:?} vs {:?}: ours {ours:?}, oracle {expected:?}",
                versions[i], versions[j]
            ));
        }
    }
    eprintln!(
        "{scheme}: oracle answered less {}, equal {}, greater {}",
        outcomes[0], outcomes[1], outcomes[2]
    );
    (compared, wrong)
}

pub fn assert_agreement(label: &str, compared: usize, wrong: &[String], minimum: usize) {
    eprintln!("{label}: {compared} pairs compared, {} disagreements", wrong.len());
    for line in wrong.iter().take(20) {
        eprintln!("  {line}");
    }
    assert!(
        wrong.is_empty(),
        "{label}: {} disagreements with the oracle",
        wrong.len()
    );
    assert!(
        compared >= minimum,
        "{label}: only {compared} pairs compared, want at least {minimum}"
    );
}

/// About `count` pairs spread evenly over `pairs`, with an odd stride so every sampling kind shows.
pub fn subset(pairs: &[(usize, usize)], count: usize) -> Vec<(usize, usize)> {
    let mut stride = (pairs.len() / count).max(1);
    if stride.is_multiple_of(2) {
        stride -= 1;
    }
    pairs.iter().copied().step_by(stride).take(count).collect()
}
