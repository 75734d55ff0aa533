//! `vigie audit compose` and `vigie audit k8s` against real files and real peers:
//! - the Kubernetes corpus (515 real manifests, tests/data/manifests) against Checkov, check by check;
//! - the Compose corpus (150 real files) against `docker-compose config` (Debian's Compose v1), key by key;
//! - one workload as `docker create` flags, a Compose service and a Pod: the same rule ids;
//! - `audit compose --running` against containers Compose itself created (drift);
//! - bad input: one-line errors naming file and line, exit 2, never a partial report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod common;

use common::{LAB_IMAGE, TEST_LABEL, docker, require_engine, vigie};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/manifests")
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/manifests")
}

fn oracle(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle").join(name)
}

/// The corpus tarball extracted into a fresh directory.
fn extract(tarball: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let status = Command::new("tar")
        .arg("-xzf")
        .arg(data().join(tarball))
        .arg("-C")
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(status.success(), "tar -xzf {tarball}");
    dir
}

fn json_of(args: &[&str], dir: &Path, codes: &[i32]) -> Value {
    let out = vigie().current_dir(dir).args(args).output().unwrap();
    let code = out.status.code().unwrap_or(-1);
    assert!(
        codes.contains(&code),
        "vigie {args:?}: exit {code}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("vigie {args:?}: not JSON: {e}"))
}

/// Checkov's check → the vigie rule that reports the same risk (and, where
/// the vigie rule is wider, the capability its message must name).
const CHECKOV: &[(&str, &str, Option<&str>)] = &[
    ("CKV_K8S_8", "VGI-CTR-029", None),
    ("CKV_K8S_11", "VGI-CTR-012", None),
    ("CKV_K8S_13", "VGI-CTR-011", None),
    ("CKV_K8S_14", "VGI-CTR-030", None),
    ("CKV_K8S_15", "VGI-K8S-007", None),
    ("CKV_K8S_16", "VGI-CTR-001", None),
    ("CKV_K8S_17", "VGI-CTR-017", None),
    ("CKV_K8S_18", "VGI-CTR-018", None),
    ("CKV_K8S_19", "VGI-CTR-010", None),
    ("CKV_K8S_20", "VGI-CTR-028", None),
    ("CKV_K8S_21", "VGI-K8S-004", None),
    ("CKV_K8S_22", "VGI-CTR-013", None),
    ("CKV_K8S_23", "VGI-CTR-037", None),
    ("CKV_K8S_25", "VGI-CTR-002", None),
    ("CKV_K8S_26", "VGI-CTR-009", None),
    ("CKV_K8S_27", "VGI-CTR-006", None),
    ("CKV_K8S_28", "VGI-CTR-003", None),
    ("CKV_K8S_31", "VGI-CTR-024", None),
    ("CKV_K8S_35", "VGI-K8S-005", None),
    ("CKV_K8S_38", "VGI-K8S-001", None),
    ("CKV_K8S_39", "VGI-CTR-002", Some("SYS_ADMIN")),
];

/// Where vigie and Checkov disagree by design, each explained on the rule's
/// page (docs/rules/<ID>.md, "Notes"): the number of such disagreements on
/// this corpus, pinned so that any new one fails the test until explained.
const EXPLAINED: &[(&str, &str, usize)] = &[
    // requests.cpu sets the CPU weight (cgroup cpu.shares), which CIS 5.12 accepts as "priority".
    ("CKV_K8S_11", "CPU requests without a limit", 181),
    // A container without `image` (invalid for the API server): nothing to call mutable.
    ("CKV_K8S_14", "no image", 3),
    // Same three imageless containers; and an ephemeral container pinned by digest in its pod's image.
    ("CKV_K8S_15", "no image / digest", 4),
    // A runAsUser that is not a number: vigie treats it as unset (root), Checkov passes it.
    ("CKV_K8S_23", "runAsUser not a number", 1),
    // NET_BIND_SERVICE is in the default set: adding it grants nothing new.
    ("CKV_K8S_25", "added default capability", 1),
    // hostPath `/` (or /run, /var/run) holds the engine socket: vigie reports it, Checkov only the socket path.
    ("CKV_K8S_27", "socket directory", 11),
    // Privileged containers get one VGI-CTR-001 finding that covers capabilities and seccomp.
    ("CKV_K8S_28", "privileged / partial drop", 21),
    ("CKV_K8S_31", "privileged", 26),
];

const WORKLOADS: &[&str] = &[
    "Pod",
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "ReplicationController",
];

#[test]
fn k8s_corpus_agrees_with_checkov() {
    let corpus = extract("k8s-corpus.tar.gz");
    let report = json_of(
        &["audit", "k8s", ".", "-f", "json", "--allow-incomplete"],
        corpus.path(),
        &[0, 1],
    );
    let objects = report["context"]["objects"].as_array().unwrap().len();
    assert!(objects >= 500, "{objects} workloads audited");
    // Every finding points into a file of the corpus, at a real line.
    let mut by_file: BTreeMap<String, Vec<(String, usize, String, String)>> = BTreeMap::new();
    for f in report["findings"].as_array().unwrap() {
        let loc = &f["location"];
        let file = loc["file"].as_str().unwrap().trim_start_matches("./").to_string();
        let line = loc["line"].as_u64().unwrap() as usize;
        assert!(line >= 1 && loc["column"].as_u64().unwrap() >= 1, "{f}");
        assert!(corpus.path().join(&file).is_file(), "{file}");
        let target = f["target"].as_str().unwrap();
        let parts: Vec<&str> = target.split('[').next().unwrap().split('/').collect();
        let kind = parts[parts.len() - 2].to_string();
        by_file.entry(file).or_default().push((
            kind,
            line,
            f["rule_id"].as_str().unwrap().to_string(),
            f["message"].as_str().unwrap().to_string(),
        ));
    }
    // Checkov, through the oracle (one run over every file).
    let out = Command::new("python3")
        .arg(oracle("checkov_k8s.py"))
        .arg(corpus.path())
        .arg("--no-skipped")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "checkov oracle: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // (file, resource, first line, last line) → (check, failed)
    type Resource = (String, String, u64, u64);
    let mut resources: BTreeMap<Resource, Vec<(String, bool)>> = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let r: Value = serde_json::from_str(line).unwrap();
        let Some(check) = r["check_id"].as_str() else { continue };
        let resource = r["resource"].as_str().unwrap();
        if !WORKLOADS.contains(&resource.split('.').next().unwrap()) {
            continue;
        }
        let range = r["line_range"].as_array().unwrap();
        resources
            .entry((
                r["file"].as_str().unwrap().to_string(),
                resource.to_string(),
                range[0].as_u64().unwrap(),
                range[1].as_u64().unwrap(),
            ))
            .or_default()
            .push((check.to_string(), r["result"] == "failed"));
    }
    let mut compared = 0usize;
    let mut agreed = 0usize;
    let mut disagreements: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for ((file, resource, start, end), checks) in &resources {
        let kind = resource.split('.').next().unwrap();
        // vigie's findings on this resource: same file, same kind, a line inside its range.
        let mine: Vec<&(String, usize, String, String)> = by_file
            .get(file)
            .map(|v| {
                v.iter()
                    .filter(|(k, l, _, _)| k == kind && (*start as usize..=*end as usize).contains(l))
                    .collect()
            })
            .unwrap_or_default();
        if mine.is_empty() {
            // A document vigie skipped with a notice (no containers, invalid YAML), or
            // Checkov's extra `Pod.…` resource for a workload's template.
            continue;
        }
        for (check, failed) in checks {
            let Some((_, rule, needle)) = CHECKOV.iter().find(|(c, _, _)| c == check) else {
                continue;
            };
            let fired = mine
                .iter()
                .any(|(_, _, r, m)| r == rule && needle.is_none_or(|n| m.contains(n)));
            compared += 1;
            if fired == *failed {
                agreed += 1;
            } else {
                disagreements.entry(check_key(check)).or_default().push(format!(
                    "{file} {resource}: Checkov {} vigie {}",
                    if *failed { "fails" } else { "passes" },
                    if fired { "reports" } else { "is silent" }
                ));
            }
        }
    }
    let pct = 100.0 * agreed as f64 / compared as f64;
    eprintln!("checkov: {compared} check results compared, {agreed} agree ({pct:.1}%)");
    assert!(compared > 10_000, "{compared}");
    for (check, list) in &disagreements {
        let explained = EXPLAINED.iter().find(|(c, _, _)| c == check);
        assert_eq!(
            explained.map(|e| e.2),
            Some(list.len()),
            "{check}: {} disagreement(s), {:?} explained:\n{}",
            list.len(),
            explained.map(|e| e.1),
            list.join("\n")
        );
    }
    for (check, _, n) in EXPLAINED {
        assert!(
            disagreements.get(check).map(Vec::len) == Some(*n),
            "{check}: the explained disagreements are gone: update EXPLAINED and the rule page"
        );
    }
}

fn check_key(check: &str) -> &'static str {
    CHECKOV
        .iter()
        .find(|(c, _, _)| *c == check)
        .map(|(c, _, _)| *c)
        .unwrap_or("?")
}

/// docker-compose's normalised port (`ip:published->target/proto`), read independently of vigie's parser.
fn compose_port(v: &Value) -> String {
    if let Some(s) = v.as_str() {
        let (spec, proto) = s.rsplit_once('/').unwrap_or((s, "tcp"));
        let parts: Vec<&str> = spec.split(':').collect();
        let (ip, host, target) = match parts.len() {
            1 => (String::new(), "", parts[0]),
            2 => (String::new(), parts[0], parts[1]),
            n => (parts[..n - 2].join(":"), parts[n - 2], parts[n - 1]),
        };
        let ip = ip.trim_start_matches('[').trim_end_matches(']').to_string();
        return format!(
            "{}:{}->{}/{proto}",
            if ip.is_empty() { "0.0.0.0" } else { &ip },
            if host.is_empty() { "random" } else { host },
            target.split('-').next().unwrap()
        );
    }
    let s = |k: &str| match &v[k] {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    };
    let ip = s("host_ip");
    let published = s("published");
    format!(
        "{}:{}->{}/{}",
        if ip.is_empty() { "0.0.0.0" } else { &ip },
        if published.is_empty() {
            "random".to_string()
        } else {
            published
        },
        s("target"),
        if s("protocol").is_empty() {
            "tcp".to_string()
        } else {
            s("protocol")
        }
    )
}

/// docker-compose's volume as `type source target ro|rw`.
fn compose_volume(v: &Value) -> String {
    if let Some(s) = v.as_str() {
        let parts: Vec<&str> = s.splitn(3, ':').collect();
        let (src, dst, mode) = match parts.len() {
            1 => ("", parts[0], ""),
            2 => (parts[0], parts[1], ""),
            _ => (parts[0], parts[1], parts[2]),
        };
        let ro = if mode.split(',').any(|o| o == "ro") { "ro" } else { "rw" };
        let kind = if src.starts_with('/') { "bind" } else { "volume" };
        return format!("{kind} {src} {dst} {ro}");
    }
    let ro = if v["read_only"] == Value::Bool(true) {
        "ro"
    } else {
        "rw"
    };
    format!(
        "{} {} {} {ro}",
        v["type"].as_str().unwrap_or("volume"),
        v["source"].as_str().unwrap_or(""),
        v["target"].as_str().unwrap_or("")
    )
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

#[test]
fn compose_corpus_reads_as_docker_compose_config_does() {
    let corpus = extract("compose-corpus.tar.gz");
    let sources = std::fs::read_to_string(data().join("SOURCES.tsv")).unwrap();
    let files: Vec<String> = sources
        .lines()
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            (cols.first() == Some(&"compose")).then(|| format!("{}/{}", cols[1].replace('/', "__"), cols[3]))
        })
        .collect();
    assert!(files.len() >= 40, "{} compose files", files.len());
    let (mut compared, mut both_refused, mut accepted) = (0usize, 0usize, 0usize);
    let mut mismatches = Vec::new();
    for file in &files {
        let path = corpus.path().join(file);
        assert!(path.is_file(), "{file} listed in SOURCES.tsv but not in the tarball");
        let reference = Command::new("python3")
            .arg(oracle("compose_config.py"))
            .arg(&path)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap())
            .output()
            .unwrap();
        let ours = vigie()
            .args(["audit", "compose", "--resolved"])
            .arg(&path)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap())
            .output()
            .unwrap();
        let ours_ok = ours.status.success();
        assert!(
            ours.status.code() == Some(0) || ours.status.code() == Some(2),
            "{file}: exit {:?}",
            ours.status.code()
        );
        if !ours_ok {
            let err = String::from_utf8_lossy(&ours.stderr);
            assert_eq!(err.lines().count(), 1, "{file}: one-line error: {err}");
        }
        if !reference.status.success() {
            // Compose v1 predates parts of the specification (name:, include:, env_file
            // mappings, develop…): vigie reads those; nothing to compare.
            if !ours_ok {
                both_refused += 1;
            }
            continue;
        }
        accepted += 1;
        assert!(
            ours_ok,
            "{file}: docker-compose config accepts it, vigie refuses: {}",
            String::from_utf8_lossy(&ours.stderr)
        );
        let theirs: Value = serde_json::from_slice(&reference.stdout).unwrap();
        let ours: Value = serde_json::from_slice(&ours.stdout).unwrap();
        let services = theirs["services"].as_object().cloned().unwrap_or_default();
        for (name, s) in &services {
            let Some(v) = ours["services"].get(name) else {
                // Compose v1 lists services of inactive profiles too.
                assert!(
                    ours["inactive"].as_array().unwrap().iter().any(|n| n == name.as_str()),
                    "{file}: service {name} missing"
                );
                continue;
            };
            compared += 1;
            let mut diff = |key: &str, a: String, b: String| {
                if a != b {
                    mismatches.push(format!("{file} {name}.{key}: docker-compose {a:?}, vigie {b:?}"));
                }
            };
            // Compose v1 keeps `$$` escaped in its output, and cannot nest defaults
            // (`${A:-x${B:-y}}`, which Compose v2 and vigie resolve): compare unescaped, skip nested.
            let opt = |v: &Value| {
                v.as_str()
                    .map(|s| s.replace("$$", "$"))
                    .or_else(|| v.as_i64().map(|n| n.to_string()))
            };
            let nested = |v: &Value| v.as_str().is_some_and(|s| s.contains("$${"));
            if !nested(&s["image"]) {
                diff(
                    "image",
                    format!("{:?}", opt(&s["image"])),
                    format!("{:?}", opt(&v["image"])),
                );
            }
            diff(
                "user",
                format!("{:?}", opt(&s["user"])),
                format!("{:?}", opt(&v["user"])),
            );
            diff(
                "privileged",
                (s["privileged"] == Value::Bool(true)).to_string(),
                v["privileged"].to_string(),
            );
            diff(
                "read_only",
                (s["read_only"] == Value::Bool(true)).to_string(),
                v["read_only"].to_string(),
            );
            for key in ["cap_add", "cap_drop", "security_opt"] {
                let a: BTreeSet<String> = strings(&s[key]).into_iter().collect();
                let b: BTreeSet<String> = strings(&v[key]).into_iter().collect();
                diff(key, format!("{a:?}"), format!("{b:?}"));
            }
            for key in ["network_mode", "pid", "ipc", "restart"] {
                diff(key, format!("{:?}", opt(&s[key])), format!("{:?}", opt(&v[key])));
            }
            let ports: BTreeSet<String> = s["ports"].as_array().into_iter().flatten().map(compose_port).collect();
            let our_ports: BTreeSet<String> = strings(&v["ports"]).into_iter().collect();
            diff("ports", format!("{ports:?}"), format!("{our_ports:?}"));
            let vols: BTreeSet<String> = s["volumes"]
                .as_array()
                .into_iter()
                .flatten()
                .map(compose_volume)
                .collect();
            let our_vols: BTreeSet<String> = strings(&v["volumes"]).into_iter().collect();
            diff("volumes", format!("{vols:?}"), format!("{our_vols:?}"));
            // Names only: docker-compose's environment keys are all in vigie's (which adds env_file names).
            let env: BTreeSet<String> = match &s["environment"] {
                Value::Object(m) => m.keys().cloned().collect(),
                Value::Array(a) => a
                    .iter()
                    .filter_map(|x| x.as_str().map(|e| e.split('=').next().unwrap().to_string()))
                    .collect(),
                _ => BTreeSet::new(),
            };
            let ours_env: BTreeSet<String> = strings(&v["environment"]).into_iter().collect();
            let missing: Vec<&String> = env.difference(&ours_env).collect();
            if !missing.is_empty() {
                mismatches.push(format!("{file} {name}.environment: vigie lacks {missing:?}"));
            }
        }
    }
    eprintln!(
        "compose: {} files, {accepted} accepted by docker-compose config, {compared} services compared, \
         {both_refused} refused by both",
        files.len()
    );
    assert!(
        accepted >= 40 && compared >= 100,
        "{accepted} files, {compared} services"
    );
    assert!(
        mismatches.is_empty(),
        "{} mismatch(es):\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

/// The rule ids of every finding, by target.
fn ids_by_target(report: &Value) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in report["findings"].as_array().unwrap() {
        out.entry(f["target"].as_str().unwrap().to_string())
            .or_default()
            .insert(f["rule_id"].as_str().unwrap().to_string());
    }
    out
}

/// Container rules a Pod spec cannot express (the kubelet and the CNI decide).
const NOT_IN_PODS: &[&str] = &[
    "VGI-CTR-015",
    "VGI-CTR-016",
    "VGI-CTR-021",
    "VGI-CTR-023",
    "VGI-CTR-027",
    "VGI-CTR-031",
    "VGI-CTR-032",
    "VGI-CTR-033",
    "VGI-CTR-039",
    "VGI-CTR-040",
    "VGI-CTR-041",
];

#[test]
fn one_workload_three_inputs_same_rule_ids() {
    require_engine();
    // (scenario, docker create flags, ids that must fire)
    let scenarios: &[(&str, &[&str], &[&str])] = &[
        ("privileged", &["--privileged"], &["VGI-CTR-001"]),
        ("host-root", &["-v", "/:/host"], &["VGI-CTR-004", "VGI-CTR-006"]),
        (
            "docker-sock",
            &["-v", "/var/run/docker.sock:/var/run/docker.sock"],
            &["VGI-CTR-006"],
        ),
        (
            "host-ns",
            &["--network", "host", "--pid", "host"],
            &["VGI-CTR-010", "VGI-CTR-017"],
        ),
        ("sys-admin", &["--cap-add", "SYS_ADMIN"], &["VGI-CTR-002"]),
        (
            "root-no-limits",
            &["--user", "root"],
            &["VGI-CTR-037", "VGI-CTR-011", "VGI-CTR-012"],
        ),
        (
            "seccomp-off",
            &["--security-opt", "seccomp=unconfined"],
            &["VGI-CTR-024"],
        ),
        (
            "hardened",
            &[
                "--user",
                "1000:1000",
                "--read-only",
                "--cap-drop",
                "ALL",
                "--security-opt",
                "no-new-privileges:true",
                "--memory",
                "256m",
                "--cpus",
                "0.5",
                "--pids-limit",
                "100",
                "--health-cmd",
                "true",
            ],
            &[],
        ),
    ];
    let mut names = Vec::new();
    for (name, flags, _) in scenarios {
        let cname = format!("vigie-3in-{name}");
        docker(&["rm", "-f", &cname]);
        let mut args = vec!["create", "--label", TEST_LABEL, "--name", cname.as_str()];
        args.extend_from_slice(flags);
        args.extend([LAB_IMAGE, "true"]);
        let out = docker(&args);
        assert!(
            out.status.success(),
            "docker create {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        names.push(cname);
    }
    let mut args = vec!["audit", "--no-host", "-f", "json"];
    args.extend(names.iter().map(String::as_str));
    let tmp = tempfile::tempdir().unwrap();
    let live = ids_by_target(&json_of(&args, tmp.path(), &[0, 1]));
    for n in &names {
        docker(&["rm", "-f", n]);
    }
    let compose = ids_by_target(&json_of(
        &[
            "audit",
            "compose",
            "three-inputs.compose.yaml",
            "-p",
            "three",
            "-f",
            "json",
        ],
        &fixtures(),
        &[0, 1],
    ));
    let pods = ids_by_target(&json_of(
        &["audit", "k8s", "three-inputs.pods.yaml", "-f", "json"],
        &fixtures(),
        &[0, 1],
    ));
    for (name, _, expected) in scenarios {
        let empty = BTreeSet::new();
        let l = live.get(&format!("vigie-3in-{name}")).unwrap_or(&empty);
        let c = compose.get(&format!("three/{name}")).unwrap_or(&empty);
        let p = pods.get(&format!("three-inputs/Pod/{name}[app]")).unwrap_or(&empty);
        for id in *expected {
            assert!(
                l.contains(*id) && c.contains(*id) && p.contains(*id),
                "{name}: {id}: live {l:?} compose {c:?} pod {p:?}"
            );
        }
        // Beyond the scenario: the same container rules everywhere, but for what a Pod
        // cannot say and the kubelet's default seccomp (Unconfined unless the Pod asks).
        // Compose puts services on the project's network, not the default bridge.
        // And the daemon's own defaults (cgroup namespace on a cgroup v1 host) are not in any file.
        let mut l = l.clone();
        l.remove("VGI-CTR-040");
        let mut l_compose = l.clone();
        l_compose.remove("VGI-CTR-032");
        assert_eq!(&l_compose, c, "{name}: docker and Compose differ");
        let comparable: BTreeSet<String> = l
            .iter()
            .filter(|id| id.starts_with("VGI-CTR-") && !NOT_IN_PODS.contains(&id.as_str()))
            .cloned()
            .collect();
        let mut pod: BTreeSet<String> = p.iter().filter(|id| id.starts_with("VGI-CTR-")).cloned().collect();
        if !l.contains("VGI-CTR-024") && !name.starts_with("hardened") && *name != "privileged" {
            assert!(
                pod.remove("VGI-CTR-024"),
                "{name}: a Pod without seccompProfile runs Unconfined"
            );
        }
        assert_eq!(comparable, pod, "{name}: docker and the Pod differ");
    }
    assert!(
        pods.keys().all(|t| !t.contains("hardened")),
        "the hardened Pod has findings: {pods:?}"
    );
}

#[test]
fn compose_running_reports_drift_key_by_key() {
    require_engine();
    let dir = tempfile::tempdir().unwrap();
    let declared = "services:\n  web:\n    image: vigie-lab/alpine:3.10\n    command: [\"sleep\", \"3600\"]\n    user: \"1000\"\n    read_only: true\n    labels: [io.vigie.test=1]\n  db:\n    image: vigie-lab/alpine:3.10\n    labels: [io.vigie.test=1]\n";
    std::fs::write(dir.path().join("docker-compose.yml"), declared).unwrap();
    let up = Command::new("docker-compose")
        .args(["-p", "vigiedrift", "up", "--no-start"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        up.status.success(),
        "docker-compose up: {}",
        String::from_utf8_lossy(&up.stderr)
    );
    // The same file: no drift.
    let clean = json_of(
        &["audit", "compose", "--running", "-p", "vigiedrift", "-f", "json"],
        dir.path(),
        &[0],
    );
    assert_eq!(clean["findings"].as_array().unwrap().len(), 0, "{clean}");
    // The file changes after the containers were created: every changed key is reported, at its line.
    let changed = declared
        .replace("user: \"1000\"", "user: \"2000\"\n    privileged: true")
        .replace("    read_only: true\n", "");
    std::fs::write(
        dir.path().join("docker-compose.yml"),
        changed + "  cache:\n    image: vigie-lab/alpine:3.10\n",
    )
    .unwrap();
    let report = json_of(
        &["audit", "compose", "--running", "-p", "vigiedrift", "-f", "json"],
        dir.path(),
        &[1],
    );
    let messages: Vec<(String, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["message"].as_str().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let has = |needle: &str| messages.iter().any(|(m, _)| m.contains(needle));
    assert!(has("user is 1000, the file says 2000"), "{messages:?}");
    assert!(has("privileged is false, the file says true"), "{messages:?}");
    assert!(has("read_only is true, the file says false"), "{messages:?}");
    assert!(has("declared, but no container"), "{messages:?}");
    assert!(
        messages.iter().any(|(m, l)| m.contains("user is") && *l == 5),
        "{messages:?}"
    );
    let down = Command::new("docker-compose")
        .args(["-p", "vigiedrift", "down", "-v"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(down.status.success(), "{}", String::from_utf8_lossy(&down.stderr));
}

fn error_of(args: &[&str], dir: &Path) -> String {
    let out = vigie().current_dir(dir).args(args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "vigie {args:?}: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(out.stdout.is_empty(), "a failed read prints no report");
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    err
}

#[test]
fn bad_input_is_a_one_line_error_never_a_partial_report() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let write = |name: &str, text: &str| std::fs::write(d.join(name), text).unwrap();
    write("invalid.yaml", "kind: Pod\nspec:\n  containers: [\n");
    assert!(error_of(&["audit", "k8s", "invalid.yaml"], d).contains("invalid.yaml:"));
    // Unrendered Helm templates, real ones from the corpus.
    for entry in std::fs::read_dir(data().join("bad-input")).unwrap() {
        let dir_path = entry.unwrap().path();
        let mut stack = vec![dir_path];
        while let Some(p) = stack.pop() {
            if p.is_dir() {
                stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
            } else {
                let err = error_of(&["audit", "k8s", p.to_str().unwrap()], d);
                assert!(err.contains("unrendered template"), "{err}");
            }
        }
    }
    // A billion laughs.
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        bomb.push_str(&format!(
            "a{i}: &a{i} [{}]\n",
            vec![format!("*a{}", i - 1); 10].join(", ")
        ));
    }
    write("bomb.yaml", &bomb);
    let (code, peak, took) = common::run_measured({
        let mut c = Command::new(assert_cmd::cargo::cargo_bin("vigie"));
        c.current_dir(d).args(["audit", "k8s", "bomb.yaml"]);
        c
    });
    assert_eq!(code, Some(2));
    assert!(peak < 200 * 1024 && took.as_secs() < 10, "{peak} KiB, {took:?}");
    write(
        "compose.yaml",
        &bomb.replace("a0:", "services: {}\nx-a0:").replace("\na", "\nx-a"),
    );
    assert!(error_of(&["audit", "compose"], d).contains("alias"));
    // Too big.
    let big = std::fs::File::create(d.join("big.yaml")).unwrap();
    big.set_len(65 * 1024 * 1024).unwrap();
    assert!(error_of(&["audit", "k8s", "big.yaml"], d).contains("more than"));
    // Compose: a required variable, a missing extends target, not a mapping.
    write("req.yaml", "services:\n  a:\n    image: ${IMAGE:?set IMAGE}\n");
    let err = error_of(&["audit", "compose", "req.yaml"], d);
    assert!(err.contains("req.yaml:3:") && err.contains("set IMAGE"), "{err}");
    write("ext.yaml", "services:\n  a:\n    extends: {service: nope}\n");
    assert!(error_of(&["audit", "compose", "ext.yaml"], d).contains("ext.yaml:3:"));
    write("list.yaml", "- a\n");
    assert!(error_of(&["audit", "compose", "list.yaml"], d).contains("mapping"));
    // An unknown kind is set aside; a document that is not an object is a notice and an
    // incomplete result (exit 2 unless --allow-incomplete), the rest still audited.
    write(
        "mixed.yaml",
        "kind: Widget\nmetadata: {name: w}\n---\njust a string\n---\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: x:1}]\n",
    );
    let out = vigie()
        .current_dir(d)
        .args(["audit", "k8s", "mixed.yaml", "-f", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["context"]["incomplete"], true);
    assert!(
        report["context"]["unread"][0]
            .as_str()
            .unwrap()
            .contains("mixed.yaml:4"),
        "{report}"
    );
    let out = vigie()
        .current_dir(d)
        .args(["audit", "k8s", "mixed.yaml", "--allow-incomplete", "-f", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    // Unknown Compose keys are warnings naming the key and line.
    write("typo.yaml", "services:\n  a:\n    image: x:1\n    privilegde: true\n");
    let out = vigie()
        .current_dir(d)
        .args(["audit", "compose", "typo.yaml"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("typo.yaml:4") && err.contains("privilegde"), "{err}");
}

#[test]
fn html_report_shows_where_and_which_control() {
    let tmp = tempfile::tempdir().unwrap();
    let report = tmp.path().join("k8s.html");
    let out = vigie()
        .current_dir(fixtures())
        .args(["audit", "k8s", "three-inputs.pods.yaml", "--report"])
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains("three-inputs.pods.yaml:"), "file:line in the report");
    assert!(html.contains("spec.containers[0].securityContext.privileged"));
    assert!(html.contains("breaks PSS baseline: Privileged Containers"));
}

#[test]
fn manifests_on_stdin_as_helm_template_prints_them() {
    let text = std::fs::read_to_string(fixtures().join("three-inputs.pods.yaml")).unwrap();
    let out = vigie()
        .args(["audit", "k8s", "-", "-f", "json"])
        .write_stdin(text)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["context"]["objects"].as_array().unwrap().len(), 8);
    let f = &report["findings"][0];
    assert_eq!(f["location"]["file"], "-");
    assert!(f["location"]["line"].as_u64().unwrap() > 1);
}
