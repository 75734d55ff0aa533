//! RPM ordering against rpm's own comparison, `rpm.labelCompare` of python3-rpm (rpm 4.18) run under
//! `/usr/bin/python3`, with rpm's own EVR split (`rpm.ver`).
//!
//! Versions: the EVRs of the three real rpm databases' `expected.tsv` under `testdata/pkgdb/rpm`,
//! plus generated ones built from their pieces and from `~`, `^`, mixed letters and digits, leading
//! zeros, long numbers, odd separators, epochs and missing releases. 100,000 sampled pairs, one
//! Python process. A missing release is passed as an empty one (see `src/rpm.rs`).
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::print_stderr, clippy::panic)]

mod common;

use std::process::Command;
use std::time::Instant;

use common::*;
use vigie_version::Scheme;

const PAIRS: usize = 100_000;

fn real_evrs() -> Vec<String> {
    let mut evrs = Vec::new();
    let root = test_data().join("pkgdb/rpm");
    for entry in std::fs::read_dir(&root).expect("pkgdb/rpm") {
        let path = entry.expect("entry").path().join("expected.tsv");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        for line in text.lines() {
            let fields: Vec<&str> = line.split('\t').collect();
            if fields.len() < 4 {
                continue;
            }
            let epoch = match fields[1] {
                "" | "(none)" => String::new(),
                epoch => format!("{epoch}:"),
            };
            evrs.push(format!("{epoch}{}-{}", fields[2], fields[3]));
            evrs.push(fields[2].to_owned());
        }
    }
    evrs
}

fn generated(rng: &mut Rng, real: &[String]) -> Vec<String> {
    let numbers = [
        "0",
        "1",
        "2",
        "9",
        "10",
        "01",
        "001",
        "007",
        "42",
        "100",
        "2023",
        "20240101",
        "123456789012345678901234",
    ];
    let words = [
        "a", "b", "Z", "rc", "RC", "beta", "git", "el8", "el8_8", "fc39", "cm2", "xyz", "p", "pre", "A",
    ];
    let separators = [".", ".", ".", "_", "+", "~", "^", "..", "%", "~~", "^~", "~^"];
    let piece = |rng: &mut Rng| -> String {
        let count = 1 + rng.below(5);
        let mut text = String::new();
        for k in 0..count {
            if k > 0 || rng.below(8) == 0 {
                text.push_str(rng.pick(&separators));
            }
            if rng.below(3) == 0 {
                text.push_str(rng.pick(&words));
            } else {
                text.push_str(rng.pick(&numbers));
            }
        }
        text
    };
    let mut out = Vec::new();
    for _ in 0..6_000 {
        let epoch = match rng.below(10) {
            0 => "1:".to_owned(),
            1 => "0:".to_owned(),
            2 => "2:".to_owned(),
            3 => ":".to_owned(),
            _ => String::new(),
        };
        let version = match rng.below(3) {
            0 => {
                let base = rng.pick(real);
                let base = base.split_once('-').map_or(base.as_str(), |(version, _)| version);
                let base = base.rsplit_once(':').map_or(base, |(_, version)| version);
                format!("{base}{}{}", rng.pick(&separators), piece(rng))
            }
            _ => piece(rng),
        };
        let release = if rng.below(6) == 0 {
            String::new()
        } else {
            format!("-{}", piece(rng))
        };
        out.push(format!("{epoch}{version}{release}"));
    }
    out
}

#[test]
fn rpm_ordering_matches_rpm_label_compare() {
    let start = Instant::now();
    if !runs("/usr/bin/python3", &["-c", "import rpm; rpm.ver"]) {
        peer_missing("python3-rpm (rpm.labelCompare under /usr/bin/python3)");
    }
    let real = real_evrs();
    let mut rng = Rng::new(0x5eed_0e9a);
    let mut candidates = real.clone();
    candidates.extend(generated(&mut rng, &real));
    let (versions, refused) = parse_all(Scheme::Rpm, candidates);
    eprintln!(
        "rpm: {} real EVRs, {} distinct versions, {} refused: {refused:?}",
        real.len(),
        versions.len(),
        refused.len()
    );
    assert!(refused.is_empty());

    let temp = tempfile::tempdir().expect("temp dir");
    let pairs = sample_pairs(&versions, PAIRS, 0x5eed_0e9b);
    let pairs_path = temp.path().join("pairs.tsv");
    let answers_path = temp.path().join("rpm.answers");
    write_pairs(&pairs_path, &versions, &pairs);
    let script = r#"
import sys, rpm
cache = {}
def evr(s):
    t = cache.get(s)
    if t is None:
        v = rpm.ver(s)
        t = cache[s] = (v.e or "0", v.v, v.r or "")
    return t
with open(sys.argv[1]) as pairs, open(sys.argv[2], "w") as out:
    for line in pairs:
        a, b = line[:-1].split("\t")
        out.write("%d\n" % rpm.labelCompare(evr(a), evr(b)))
"#;
    run(Command::new("/usr/bin/python3")
        .arg("-c")
        .arg(script)
        .arg(&pairs_path)
        .arg(&answers_path));
    let (compared, wrong) = disagreements(Scheme::Rpm, &versions, &pairs, &read_answers(&answers_path));
    assert_agreement("rpm vs rpm.labelCompare", compared, &wrong, PAIRS);
    eprintln!("rpm differential test: {:.1} s", start.elapsed().as_secs_f64());
}
