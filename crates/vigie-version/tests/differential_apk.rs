//! Alpine ordering against apk-tools itself, in the real `alpine:3.10` image (apk-tools 2.10.4).
//!
//! apk-tools is not packaged by Debian and no registry is reachable from a fresh machine, so apk's
//! answers are also kept as a transcript, `testdata/oracle/apk-tools-2.10.4.txt.gz`: when the engine
//! has the real `alpine:3.10` (not vigie's stand-in), apk runs live and its answers must equal the
//! transcript (`VIGIE_RECORD=1` rewrites it); otherwise the transcript answers, after checking that it
//! was recorded for exactly these inputs (a SHA-256 of the candidates and pairs).
//!
//! Versions: every fixed version in `testdata/alpine-secdb/*/*.yaml` and every `V:` of
//! `testdata/pkgdb/apk/installed`, plus generated variants (suffixes, letters, zero runs).
//! Everything runs in ONE container (label `io.vigie.test=1`, removed even on failure), over files
//! mounted read-only:
//! - `apk version -c` on every candidate: validity must agree;
//! - `apk version -t A B` on 500 pairs (one exec per pair, ~4 ms each, so only a subset);
//! - 100,000 pairs through apk's own `apk version -a -v` (installed version against the available
//!   one), which calls the same `apk_version_compare_blob` for thousands of pairs in one process: each
//!   pair (A, B) becomes two packages, one installed at A with B available and one installed at B
//!   with A available, and the two answers must mirror each other. Batches of 500 packages, because
//!   apk's database load grows quadratically with its size.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::print_stderr, clippy::panic)]

mod common;

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Read as _;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use common::*;
use vigie_version::{Scheme, Version};

/// A few pairs (both sides equal to the empty version, which apk then reports as `?`) get no answer.
const PAIRS: usize = 100_500;
const DIRECT_PAIRS: usize = 500;
const PACKAGES_PER_BATCH: usize = 500;
const IMAGE: &str = "alpine:3.10";

/// Removes the test container even when the test panics.
struct ContainerGuard(String);

impl Drop for ContainerGuard {
    fn drop(&mut self) {
        let _ = Command::new("docker").args(["rm", "-f", &self.0]).output();
    }
}

fn secdb_versions() -> BTreeSet<String> {
    let mut versions = BTreeSet::new();
    let root = test_data().join("alpine-secdb");
    for release in std::fs::read_dir(&root).expect("alpine-secdb") {
        for file in std::fs::read_dir(release.expect("release").path()).expect("release dir") {
            let path = file.expect("file").path();
            if path.extension().is_none_or(|extension| extension != "yaml") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("secdb yaml");
            for line in text.lines() {
                let trimmed = line.trim();
                if let Some(key) = trimmed.strip_suffix(':') {
                    let key = key.trim_matches(['"', '\'']);
                    if key.starts_with(|c: char| c.is_ascii_digit()) && !key.contains(' ') {
                        versions.insert(key.to_owned());
                    }
                }
            }
        }
    }
    let installed = std::fs::read_to_string(test_data().join("pkgdb/apk/installed")).expect("apk installed");
    versions.extend(
        installed
            .lines()
            .filter_map(|line| line.strip_prefix("V:"))
            .map(str::to_owned),
    );
    versions
}

fn variants(rng: &mut Rng, real: &[String]) -> Vec<String> {
    let tails = [
        "_alpha",
        "_alpha1",
        "_beta2",
        "_pre",
        "_pre3",
        "_rc",
        "_rc1",
        "_rc10",
        "_cvs",
        "_svn",
        "_git",
        "_git20200101",
        "_hg",
        "_p",
        "_p1",
        "_p10",
        "a",
        "b",
        "z",
        ".0",
        ".00",
        ".01",
        ".1",
        ".10",
        "-r0",
        "-r1",
        "-r12",
        "_rc1_p2",
        "_foo",
        "-1",
        ".a",
        "_p1a",
    ];
    let mut out = Vec::new();
    for _ in 0..4_000 {
        let base = rng.pick(real);
        let base = base.rsplit_once("-r").map_or(base.as_str(), |(version, _)| version);
        let mut text = base.to_owned();
        for _ in 0..1 + rng.below(2) {
            text.push_str(rng.pick(&tails));
        }
        out.push(text);
    }
    out
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let value = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(char::from(ALPHABET[((value >> (18 - 6 * k)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// An apk database entry; the checksum only has to be unique.
fn package(text: &mut String, id: usize, origin: u8, name: usize, version: &str) {
    let mut checksum = [0u8; 20];
    checksum[..8].copy_from_slice(&(id as u64).to_be_bytes());
    checksum[8] = origin;
    let _ = write!(
        text,
        "C:Q1{}\nP:p{name}\nV:{version}\nA:x86_64\nS:1\nI:1\nT:t\n\n",
        base64(&checksum)
    );
}

const RUN_SCRIPT: &str = r#"
set -e
command -v apk >/dev/null || exit 97
xargs apk version -c < /in/candidates.txt > /out/invalid.txt || true
tab="$(printf '\t')"
# The direct `apk version -t` loop runs beside the batches: one exec per pair.
(while IFS="$tab" read -r a b; do apk version -t "$a" "$b"; done < /in/direct.tsv > /out/direct.answers) &
direct=$!
arch=$(apk --print-arch)
mkdir -p /tmp/r/lib/apk/db /tmp/r/etc/apk "/tmp/repo/$arch"
: > /tmp/r/etc/apk/world
echo /tmp/repo > /tmp/r/etc/apk/repositories
: > /out/db.txt
for installed in /in/batches/*.installed; do
  base=${installed%.installed}
  cp "$installed" /tmp/r/lib/apk/db/installed
  cp "$base.index" /tmp/APKINDEX
  tar -czf "/tmp/repo/$arch/APKINDEX.tar.gz" -C /tmp APKINDEX
  apk --root /tmp/r --allow-untrusted --no-network version -a -v >> /out/db.txt
done
wait "$direct"
"#;

const TRANSCRIPT: &str = "oracle/apk-tools-2.10.4.txt.gz";

/// Whether the engine holds the real `alpine:3.10` (with apk-tools), not vigie's stand-in.
/// `VIGIE_APK_TRANSCRIPT=1` uses the transcript anyway, as on a fresh machine.
fn live_apk() -> bool {
    if std::env::var_os("VIGIE_APK_TRANSCRIPT").is_some() {
        return false;
    }
    let Ok(output) = Command::new("docker")
        .args([
            "image",
            "inspect",
            "-f",
            "{{index .Config.Labels \"io.vigie.stand-in\"}}",
            IMAGE,
        ])
        .output()
    else {
        return false;
    };
    output.status.success() && String::from_utf8_lossy(&output.stdout).trim().is_empty()
}

/// apk's answers: the candidates it refuses, `apk version -t` on the direct pairs, and the
/// installed/available comparison on every pair.
struct ApkAnswers {
    invalid: BTreeSet<String>,
    direct: Vec<Option<Ordering>>,
    database: Vec<Option<Ordering>>,
}

fn encode(answers: &[Option<Ordering>]) -> String {
    answers
        .iter()
        .map(|answer| match answer {
            Some(Ordering::Less) => '<',
            Some(Ordering::Equal) => '=',
            Some(Ordering::Greater) => '>',
            None => '?',
        })
        .collect()
}

fn decode(text: &str) -> Vec<Option<Ordering>> {
    text.chars()
        .map(|c| match c {
            '<' => Some(Ordering::Less),
            '=' => Some(Ordering::Equal),
            '>' => Some(Ordering::Greater),
            _ => None,
        })
        .collect()
}

fn inputs_digest(input: &Path) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for file in ["candidates.txt", "direct.tsv"] {
        hasher.update(std::fs::read(input.join(file)).expect("input file"));
    }
    let mut batches: Vec<_> = std::fs::read_dir(input.join("batches"))
        .expect("batches")
        .map(|entry| entry.expect("batch").path())
        .collect();
    batches.sort();
    for batch in batches {
        hasher.update(std::fs::read(batch).expect("batch file"));
    }
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn write_transcript(digest: &str, answers: &ApkAnswers) {
    use std::io::Write as _;
    let mut text = String::from(
        "# apk-tools 2.10.4 (the real alpine:3.10 image) on vigie's apk differential inputs:\n\
         # crates/vigie-version/tests/differential_apk.rs writes it with VIGIE_RECORD=1.\n",
    );
    let _ = writeln!(text, "inputs {digest}");
    let _ = writeln!(text, "invalid {}", answers.invalid.len());
    for candidate in &answers.invalid {
        let _ = writeln!(text, "{candidate}");
    }
    let _ = writeln!(text, "direct {}", encode(&answers.direct));
    let _ = writeln!(text, "database {}", encode(&answers.database));
    let path = test_data().join(TRANSCRIPT);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("oracle dir");
    let mut encoder = flate2::GzBuilder::new().mtime(0).write(
        std::fs::File::create(&path).expect("transcript"),
        flate2::Compression::best(),
    );
    encoder.write_all(text.as_bytes()).expect("write transcript");
    encoder.finish().expect("finish transcript");
    eprintln!("apk: transcript written to {}", path.display());
}

fn read_transcript(digest: &str) -> ApkAnswers {
    let path = test_data().join(TRANSCRIPT);
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .read_to_string(&mut text)
        .expect("transcript text");
    let mut lines = text.lines().filter(|line| !line.starts_with('#'));
    let recorded = lines
        .next()
        .and_then(|l| l.strip_prefix("inputs "))
        .expect("inputs line");
    assert_eq!(
        recorded,
        digest,
        "{} was recorded for other inputs: the candidates or pairs changed; re-record it with the real \
         alpine:3.10 in the engine and VIGIE_RECORD=1",
        path.display()
    );
    let count: usize = lines
        .next()
        .and_then(|l| l.strip_prefix("invalid "))
        .and_then(|n| n.parse().ok())
        .expect("invalid line");
    let invalid = lines.by_ref().take(count).map(str::to_owned).collect();
    let direct = decode(
        lines
            .next()
            .and_then(|l| l.strip_prefix("direct "))
            .expect("direct line"),
    );
    let database = decode(
        lines
            .next()
            .and_then(|l| l.strip_prefix("database "))
            .expect("database line"),
    );
    ApkAnswers {
        invalid,
        direct,
        database,
    }
}

/// Runs apk-tools in one container of the real image over the inputs in `input`.
fn run_apk(input: &Path, output: &Path, pairs: usize) -> ApkAnswers {
    if !runs("docker", &["info"]) {
        peer_missing("a Docker engine (scripts/lib/engine.sh starts one)");
    }
    let name = format!("vigie-test-version-apk-{}", std::process::id());
    let _guard = ContainerGuard(name.clone());
    let container_start = Instant::now();
    run(Command::new("docker")
        .args([
            "run",
            "--rm",
            "--name",
            &name,
            "--label",
            "io.vigie.test=1",
            "--network",
            "none",
        ])
        .args([
            "-v",
            &format!("{}:/in:ro", input.display()),
            "-v",
            &format!("{}:/out", output.display()),
            IMAGE,
            "sh",
            "/in/run.sh",
        ]));
    eprintln!("apk: container run {:.1} s", container_start.elapsed().as_secs_f64());
    let invalid = std::fs::read_to_string(output.join("invalid.txt"))
        .expect("invalid.txt")
        .lines()
        .map(str::to_owned)
        .collect();
    let db = std::fs::read_to_string(output.join("db.txt")).expect("db.txt");
    ApkAnswers {
        invalid,
        direct: read_answers(&output.join("direct.answers")),
        database: database_answers(&db, pairs),
    }
}

fn write_batches(dir: &Path, versions: &[String], pairs: &[(usize, usize)]) {
    std::fs::create_dir_all(dir).expect("batches dir");
    let pairs_per_batch = PACKAGES_PER_BATCH / 2;
    for (batch, chunk) in pairs.chunks(pairs_per_batch).enumerate() {
        let mut installed = String::new();
        let mut index = String::new();
        for (offset, &(i, j)) in chunk.iter().enumerate() {
            let pair = batch * pairs_per_batch + offset;
            let (forward, backward) = (2 * pair, 2 * pair + 1);
            package(&mut installed, forward, 1, forward, &versions[i]);
            package(&mut index, forward, 2, forward, &versions[j]);
            package(&mut installed, backward, 1, backward, &versions[j]);
            package(&mut index, backward, 2, backward, &versions[i]);
        }
        std::fs::write(dir.join(format!("b{batch:05}.installed")), installed).expect("installed");
        std::fs::write(dir.join(format!("b{batch:05}.index")), index).expect("index");
    }
}

/// Reads `apk version -v` lines `p<N>-<version>   <op> <available>` into per-pair answers: the op of
/// package `2k` is apk's `compare(A, B)`, that of `2k + 1` is `compare(B, A)`; both must agree.
fn database_answers(text: &str, pairs: usize) -> Vec<Option<Ordering>> {
    let mut ops: Vec<Option<Ordering>> = vec![None; 2 * pairs];
    for line in text.lines() {
        let mut fields = line.split_whitespace();
        let (Some(package), Some(op)) = (fields.next(), fields.next()) else {
            continue;
        };
        let Some(name) = package.strip_prefix('p').and_then(|rest| rest.split('-').next()) else {
            continue;
        };
        let op = match op {
            "<" => Ordering::Less,
            "=" => Ordering::Equal,
            ">" => Ordering::Greater,
            _ => continue,
        };
        if let Ok(number) = name.parse::<usize>()
            && number < ops.len()
        {
            ops[number] = Some(op);
        }
    }
    (0..pairs)
        .map(|pair| match (ops[2 * pair], ops[2 * pair + 1]) {
            (Some(forward), Some(backward)) if forward == backward.reverse() => Some(forward),
            _ => None,
        })
        .collect()
}

#[test]
fn apk_ordering_matches_apk_tools() {
    let start = Instant::now();
    let real: Vec<String> = secdb_versions().into_iter().collect();
    let mut rng = Rng::new(0x5eed_a9c0);
    let mut candidates = real.clone();
    candidates.extend(variants(&mut rng, &real));
    candidates.sort();
    candidates.dedup();
    let versions: Vec<String> = candidates
        .iter()
        .filter(|c| Version::parse(Scheme::Apk, c).is_ok())
        .cloned()
        .collect();

    // VIGIE_KEEP_TEMP=1 keeps the inputs and apk's answers for a look.
    let keep = std::env::var_os("VIGIE_KEEP_TEMP").is_some();
    let temp = tempfile::Builder::new()
        .disable_cleanup(keep)
        .tempdir()
        .expect("temp dir");
    if keep {
        eprintln!("apk: keeping {}", temp.path().display());
    }
    let input = temp.path().join("in");
    let output = temp.path().join("out");
    std::fs::create_dir_all(&output).expect("out dir");
    std::fs::create_dir_all(&input).expect("in dir");
    std::fs::write(input.join("candidates.txt"), candidates.join("\n") + "\n").expect("candidates");
    std::fs::write(input.join("run.sh"), RUN_SCRIPT).expect("script");
    let pairs = sample_pairs(&versions, PAIRS, 0x5eed_a9c1);
    let direct = subset(&pairs, DIRECT_PAIRS);
    write_pairs(&input.join("direct.tsv"), &versions, &direct);
    write_batches(&input.join("batches"), &versions, &pairs);

    let digest = inputs_digest(&input);
    let apk = if live_apk() {
        let live = run_apk(&input, &output, pairs.len());
        if std::env::var_os("VIGIE_RECORD").is_some() {
            write_transcript(&digest, &live);
        }
        let recorded = read_transcript(&digest);
        assert!(
            recorded.invalid == live.invalid && recorded.direct == live.direct && recorded.database == live.database,
            "the live apk-tools disagrees with the transcript {TRANSCRIPT}"
        );
        live
    } else {
        eprintln!("apk: the real alpine:3.10 is not in the engine; apk's answers come from testdata/{TRANSCRIPT}");
        read_transcript(&digest)
    };
    let invalid = apk.invalid;
    let mut mismatched = Vec::new();
    for candidate in &candidates {
        let ours = Version::parse(Scheme::Apk, candidate).is_ok();
        let theirs = !invalid.contains(candidate);
        if ours != theirs {
            mismatched.push(format!("{candidate:?}: vigie valid={ours}, apk valid={theirs}"));
        }
    }
    eprintln!(
        "apk: {} real versions, {} candidates, {} valid, {} validity disagreements",
        real.len(),
        candidates.len(),
        versions.len(),
        mismatched.len()
    );
    assert!(
        mismatched.is_empty(),
        "validity disagreements with apk version -c: {mismatched:#?}"
    );

    let (compared, wrong) = disagreements(Scheme::Apk, &versions, &direct, &apk.direct);
    assert_agreement("apk vs apk version -t", compared, &wrong, DIRECT_PAIRS);

    let (compared, wrong) = disagreements(Scheme::Apk, &versions, &pairs, &apk.database);
    assert_agreement("apk vs apk's installed/available comparison", compared, &wrong, 100_000);
    eprintln!("apk differential test: {:.1} s", start.elapsed().as_secs_f64());
}
