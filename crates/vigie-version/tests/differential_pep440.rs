//! PEP 440 ordering against Python's `packaging.version.Version` (the reference pip uses).
//!
//! Versions: every event and `versions[]` string in `testdata/osv/PyPI.zip`, plus generated
//! spellings (case, separators, implicit numbers, epochs, local versions) of a sample of them.
//! Validity is compared on every string; ordering on 100,000 sampled pairs, in one Python process.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::print_stderr, clippy::panic)]

mod common;

use std::process::Command;
use std::time::Instant;

use common::*;
use vigie_version::{Scheme, Version};

const PAIRS: usize = 100_000;

/// The Python with `packaging` installed: `python3` on PATH (where the peers script pip-installs it),
/// else Debian's.
fn python_with_packaging() -> &'static str {
    ["python3", "/usr/bin/python3"]
        .into_iter()
        .find(|python| runs(python, &["-c", "import packaging.version"]))
        .unwrap_or_else(|| peer_missing("Python's packaging (pip install packaging)"))
}

fn spellings(rng: &mut Rng, version: &str) -> Vec<String> {
    let decorations = [
        |v: &str| v.to_uppercase(),
        |v: &str| format!("v{v}"),
        |v: &str| format!(" {v}\u{0c}"),
        |v: &str| format!("1!{v}"),
        |v: &str| format!("{v}.post1"),
        |v: &str| format!("{v}-2"),
        |v: &str| format!("{v}.dev3"),
        |v: &str| format!("{v}a"),
        |v: &str| format!("{v}-beta.4"),
        |v: &str| format!("{v}_RC_5"),
        |v: &str| format!("{v}c"),
        |v: &str| format!("{v}pre6"),
        |v: &str| format!("{v}preview"),
        |v: &str| format!("{v}-r"),
        |v: &str| format!("{v}rev7"),
        |v: &str| format!("{v}-dev"),
        |v: &str| format!("{v}+local.7"),
        |v: &str| format!("{v}+Ubuntu-1_2"),
        |v: &str| format!("{v}+abc.1.xyz"),
        |v: &str| format!("{v}.0.0"),
        |v: &str| format!("{v}..1"),
        |v: &str| format!("{v}-"),
        |v: &str| format!("{v}alpha1.post2.dev3+x"),
        |v: &str| format!("{v}.a"),
        |v: &str| format!("0{v}"),
    ];
    (0..3).map(|_| rng.pick(&decorations)(version)).collect()
}

#[test]
fn pep440_ordering_matches_packaging() {
    let start = Instant::now();
    let python = python_with_packaging();
    let real: Vec<String> = osv_versions(&test_data().join("osv/PyPI.zip")).into_iter().collect();
    let mut rng = Rng::new(0x5eed_9e94);
    let mut candidates = real.clone();
    for _ in 0..3_000 {
        let base = rng.pick(&real);
        candidates.extend(spellings(&mut rng, &base));
    }
    candidates.sort();
    candidates.dedup();

    // Validity of every candidate, one answer per line: 1 valid, 0 invalid.
    let temp = tempfile::tempdir().expect("temp dir");
    let candidates_path = temp.path().join("candidates.txt");
    let validity_path = temp.path().join("validity.answers");
    assert!(candidates.iter().all(|c| !c.contains('\n')), "a version with a newline");
    std::fs::write(&candidates_path, candidates.join("\n") + "\n").expect("write candidates");
    let validity_script = r#"
import sys
from packaging.version import Version, InvalidVersion
with open(sys.argv[1]) as inp, open(sys.argv[2], "w") as out:
    for line in inp:
        try:
            Version(line[:-1]); out.write("1\n")
        except InvalidVersion:
            out.write("0\n")
"#;
    run(Command::new(python)
        .arg("-c")
        .arg(validity_script)
        .arg(&candidates_path)
        .arg(&validity_path));
    let validity = std::fs::read_to_string(&validity_path).expect("validity answers");
    let mut mismatched = Vec::new();
    let mut versions = Vec::new();
    for (candidate, answer) in candidates.iter().zip(validity.lines()) {
        let ours = Version::parse(Scheme::Pep440, candidate).is_ok();
        if ours != (answer == "1") {
            mismatched.push(format!(
                "{candidate:?}: vigie valid={ours}, packaging valid={}",
                answer == "1"
            ));
        }
        if ours {
            versions.push(candidate.clone());
        }
    }
    eprintln!(
        "pep440: {} real versions, {} candidates, {} valid, {} validity disagreements",
        real.len(),
        candidates.len(),
        versions.len(),
        mismatched.len()
    );
    assert!(mismatched.is_empty(), "validity disagreements: {mismatched:#?}");

    let pairs = sample_pairs(&versions, PAIRS, 0x5eed_9e95);
    let pairs_path = temp.path().join("pairs.tsv");
    let answers_path = temp.path().join("packaging.answers");
    write_pairs(&pairs_path, &versions, &pairs);
    let compare_script = r#"
import sys
from packaging.version import Version
cache = {}
def parse(s):
    v = cache.get(s)
    if v is None:
        v = cache[s] = Version(s)
    return v
with open(sys.argv[1]) as pairs, open(sys.argv[2], "w") as out:
    for line in pairs:
        a, b = line[:-1].split("\t")
        a, b = parse(a), parse(b)
        out.write("-1\n" if a < b else "0\n" if a == b else "1\n")
"#;
    run(Command::new(python)
        .arg("-c")
        .arg(compare_script)
        .arg(&pairs_path)
        .arg(&answers_path));
    let (compared, wrong) = disagreements(Scheme::Pep440, &versions, &pairs, &read_answers(&answers_path));
    assert_agreement("pep440 vs packaging.version", compared, &wrong, PAIRS);
    eprintln!("pep440 differential test: {:.1} s", start.elapsed().as_secs_f64());
}
