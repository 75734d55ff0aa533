//! Debian ordering against dpkg's own algorithm.
//!
//! Versions: every event version in `testdata/osv/Debian.zip` and every `Version:` of the
//! Ubuntu 18.04 dpkg status database `testdata/pkgdb/dpkg/status`, plus 4,000 generated ones
//! for the syntax real data rarely shows.
//! Oracles: `apt_pkg.version_compare` from python3-apt (libapt's copy of dpkg's algorithm) on 100,000
//! pairs in one process, and the real `dpkg --compare-versions` on a 2,000-pair subset (one shell
//! loop). Every version vigie refuses must be refused by dpkg too.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::print_stderr, clippy::panic)]

mod common;

use std::process::Command;
use std::time::Instant;

use common::*;
use vigie_version::Scheme;

const PAIRS: usize = 100_000;
const DPKG_PAIRS: usize = 2_000;

fn debian_versions() -> Vec<String> {
    let data = test_data();
    let mut versions = osv_versions(&data.join("osv/Debian.zip"));
    let status = std::fs::read_to_string(data.join("pkgdb/dpkg/status")).expect("dpkg status");
    for line in status.lines() {
        if let Some(version) = line.strip_prefix("Version: ") {
            versions.insert(version.to_owned());
        }
        // `Source: name (version)` carries the source package's version.
        if let Some(source) = line.strip_prefix("Source: ")
            && let Some((_, version)) = source.split_once(" (")
        {
            versions.insert(version.trim_end_matches(')').to_owned());
        }
    }
    versions.into_iter().collect()
}

/// Generated versions for the syntax real data rarely shows: `~` runs, `+`, `.`, `:` inside the
/// upstream part, letters of both cases, leading zeros, long numbers, a byte above 0x7f.
fn generated_versions(rng: &mut Rng) -> Vec<String> {
    let atoms = [
        "0",
        "1",
        "2",
        "9",
        "10",
        "01",
        "007",
        "20230401",
        "123456789012345678901",
        "a",
        "b",
        "Z",
        "rc",
        "dfsg",
        "deb9u1",
        "ubuntu",
        "\u{e9}",
    ];
    let separators = [".", ".", "+", "~", "~~", ":", "-", ""];
    let mut out = Vec::new();
    for _ in 0..4_000 {
        let mut text = match rng.below(6) {
            0 => "1:".to_owned(),
            1 => "0:".to_owned(),
            2 => "12:".to_owned(),
            _ => String::new(),
        };
        text.push(char::from(b'0' + rng.below(10) as u8));
        for _ in 0..rng.below(6) {
            text.push_str(rng.pick(&separators));
            text.push_str(rng.pick(&atoms));
        }
        if rng.below(2) == 0 {
            text.push('-');
            text.push_str(rng.pick(&atoms));
            for _ in 0..rng.below(3) {
                text.push_str(rng.pick(&[".", "+", "~", ""]));
                text.push_str(rng.pick(&atoms));
            }
        }
        out.push(text);
    }
    out
}

#[test]
fn deb_ordering_matches_dpkg() {
    let start = Instant::now();
    if !runs("/usr/bin/python3", &["-c", "import apt_pkg"]) {
        peer_missing("python3-apt (apt_pkg under /usr/bin/python3)");
    }
    if !runs("dpkg", &["--version"]) {
        peer_missing("dpkg");
    }
    let real = debian_versions();
    let total = real.len();
    let (_, mut refused) = parse_all(Scheme::Deb, real.clone());
    eprintln!(
        "deb: {total} distinct real versions, {} refused by vigie: {refused:?}",
        refused.len()
    );
    let mut candidates = real;
    candidates.extend(generated_versions(&mut Rng::new(0x5eed_deb1)));
    let (versions, generated_refused) = parse_all(Scheme::Deb, candidates);
    eprintln!(
        "deb: {} distinct versions with generated ones; {} generated ones refused (a `:` without epoch)",
        versions.len(),
        generated_refused.len()
    );
    refused.extend(generated_refused.into_iter().take(300));

    let temp = tempfile::tempdir().expect("temp dir");
    // What vigie refuses, dpkg must refuse as an error (not a warning).
    for version in &refused {
        let output = Command::new("dpkg")
            .args(["--compare-versions", version, "eq", "0"])
            .output()
            .expect("dpkg");
        assert!(
            !output.status.success() && String::from_utf8_lossy(&output.stderr).contains("error"),
            "vigie refuses {version:?} but dpkg accepts it"
        );
    }

    let pairs = sample_pairs(&versions, PAIRS, 0x5eed_deb0);
    let pairs_path = temp.path().join("pairs.tsv");
    let answers_path = temp.path().join("apt_pkg.answers");
    write_pairs(&pairs_path, &versions, &pairs);
    let script = r#"
import sys, apt_pkg
apt_pkg.init_system()
compare = apt_pkg.version_compare
with open(sys.argv[1]) as pairs, open(sys.argv[2], "w") as out:
    for line in pairs:
        a, b = line.rstrip("\n").split("\t")
        r = compare(a, b)
        out.write("%d\n" % ((r > 0) - (r < 0)))
"#;
    run(Command::new("/usr/bin/python3")
        .arg("-c")
        .arg(script)
        .arg(&pairs_path)
        .arg(&answers_path));
    let (compared, wrong) = disagreements(Scheme::Deb, &versions, &pairs, &read_answers(&answers_path));
    assert_agreement("deb vs apt_pkg.version_compare", compared, &wrong, PAIRS);

    // The real dpkg on a subset: two calls per pair at most, in one shell loop.
    let subset = subset(&pairs, DPKG_PAIRS);
    let subset_path = temp.path().join("dpkg-pairs.tsv");
    let dpkg_answers = temp.path().join("dpkg.answers");
    write_pairs(&subset_path, &versions, &subset);
    // Two loops side by side (one per core), each over half of the pairs.
    let loop_script = r#"
[ -d "$3" ] || exit 2
half=$(( ($(wc -l < "$1") + 1) / 2 ))
split -l "$half" "$1" "$3/part."
for part in "$3"/part.*; do
  while IFS="$(printf '\t')" read -r a b; do
    if dpkg --compare-versions "$a" lt "$b" 2>/dev/null; then echo -1
    elif dpkg --compare-versions "$a" eq "$b" 2>/dev/null; then echo 0
    else echo 1; fi
  done < "$part" > "$part.answers" &
done
wait
cat "$3"/part.*.answers > "$2"
"#;
    let parts = temp.path().join("parts");
    std::fs::create_dir_all(&parts).expect("parts dir");
    let dpkg_start = Instant::now();
    run(Command::new("sh")
        .arg("-c")
        .arg(loop_script)
        .arg("sh")
        .arg(&subset_path)
        .arg(&dpkg_answers)
        .arg(&parts));
    eprintln!("deb: dpkg loop {:.1} s", dpkg_start.elapsed().as_secs_f64());
    let (compared, wrong) = disagreements(Scheme::Deb, &versions, &subset, &read_answers(&dpkg_answers));
    assert_agreement("deb vs dpkg --compare-versions", compared, &wrong, DPKG_PAIRS);
    eprintln!("deb differential test: {:.1} s", start.elapsed().as_secs_f64());
}
