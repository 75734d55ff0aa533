//! Maven ordering against Maven's own `ComparableVersion` (maven-artifact 3.8 from Debian's
//! libmaven3-core-java), run once by `java` over every pair.
//!
//! The test data holds no Maven records, so the versions are generated: numbers (leading zeros,
//! beyond 64 bits), every known qualifier and alias in mixed case, `a1`/`b1`/`m1` shorthands, unknown
//! qualifiers, `.` `-` and digit/letter transitions. 100,000 sampled pairs. (vigie refuses versions
//! with empty components such as `1..0` or `7--M0`: Maven's order is cyclic on them.)
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::print_stderr, clippy::panic)]

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use common::*;
use vigie_version::Scheme;

const PAIRS: usize = 100_000;

const ORACLE: &str = r#"
import org.apache.maven.artifact.versioning.ComparableVersion;
import java.nio.file.*;
import java.util.*;

public class Oracle {
    public static void main(String[] args) throws Exception {
        Map<String, ComparableVersion> cache = new HashMap<>();
        StringBuilder out = new StringBuilder();
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            int tab = line.indexOf('\t');
            ComparableVersion a = cache.computeIfAbsent(line.substring(0, tab), ComparableVersion::new);
            ComparableVersion b = cache.computeIfAbsent(line.substring(tab + 1), ComparableVersion::new);
            int r = a.compareTo(b);
            out.append(r < 0 ? "-1\n" : r == 0 ? "0\n" : "1\n");
        }
        Files.writeString(Path.of(args[1]), out);
    }
}
"#;

fn maven_artifact_jar() -> PathBuf {
    [
        "/usr/share/java/maven3-artifact.jar",
        "/usr/share/java/maven-artifact-3.x.jar",
    ]
    .into_iter()
    .map(PathBuf::from)
    .find(|path| path.exists())
    .unwrap_or_else(|| peer_missing("maven-artifact.jar (Debian package libmaven3-core-java)"))
}

fn generated(rng: &mut Rng) -> Vec<String> {
    let numbers = [
        "0",
        "1",
        "2",
        "3",
        "9",
        "10",
        "01",
        "007",
        "11",
        "123",
        "2023",
        "999999999",
        "1000000000",
        "99999999999999999999",
    ];
    let words = [
        "alpha",
        "beta",
        "milestone",
        "rc",
        "cr",
        "snapshot",
        "SNAPSHOT",
        "ga",
        "final",
        "Final",
        "release",
        "RELEASE",
        "sp",
        "a",
        "b",
        "m",
        "c",
        "foo",
        "jre",
        "android",
        "incubating",
        "Alpha",
        "RC",
        "x",
        "",
    ];
    let separators = [".", ".", "-", "-", ""];
    let mut out = Vec::new();
    for _ in 0..8_000 {
        let mut text = (rng.pick(&numbers)).to_owned();
        for _ in 0..rng.below(5) {
            text.push_str(rng.pick(&separators));
            if rng.below(2) == 0 {
                text.push_str(rng.pick(&words));
            } else {
                text.push_str(rng.pick(&numbers));
            }
        }
        if !text.is_empty() {
            out.push(text);
        }
    }
    out
}

#[test]
fn maven_ordering_matches_comparable_version() {
    let start = Instant::now();
    if !runs("java", &["-version"]) {
        peer_missing("java (Debian package default-jre-headless)");
    }
    let jar = maven_artifact_jar();
    let mut candidates = generated(&mut Rng::new(0x5eed_3a7e));
    candidates.extend(
        [
            "1.0",
            "1.0.0",
            "1-SNAPSHOT",
            "1.0-RC1",
            "2.0.0.Final",
            "1.0-alpha-1",
            "1.0-sp1",
            "1.0.0.RELEASE",
            "1.0-b2",
        ]
        .map(str::to_owned),
    );
    let (versions, refused) = parse_all(Scheme::Maven, candidates);
    assert!(
        refused.iter().all(|version| version.contains("..")
            || version.contains("--")
            || version.contains(".-")
            || version.contains("-.")
            || version.ends_with(['.', '-'])),
        "refused: {refused:?}"
    );

    let temp = tempfile::tempdir().expect("temp dir");
    let pairs = sample_pairs(&versions, PAIRS, 0x5eed_3a7f);
    let pairs_path = temp.path().join("pairs.tsv");
    let answers_path = temp.path().join("maven.answers");
    let source = temp.path().join("Oracle.java");
    write_pairs(&pairs_path, &versions, &pairs);
    std::fs::write(&source, ORACLE).expect("oracle source");
    run(Command::new("java")
        .arg("-cp")
        .arg(&jar)
        .arg(&source)
        .arg(&pairs_path)
        .arg(&answers_path));
    let (compared, wrong) = disagreements(Scheme::Maven, &versions, &pairs, &read_answers(&answers_path));
    eprintln!("maven: {} distinct generated versions", versions.len());
    assert_agreement("maven vs ComparableVersion", compared, &wrong, PAIRS);
    eprintln!("maven differential test: {:.1} s", start.elapsed().as_secs_f64());
}
