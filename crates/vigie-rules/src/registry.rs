//! The one registry: every rule of every family, listed once, with what its
//! docs page needs. `vigie rules` prints it, `vigie rules ID` prints a
//! rule's page, and a test keeps `docs/rules/<ID>.md` equal to
//! [`docs_page`] for every rule (and no page without a rule).

use serde::Serialize;

use crate::finding::RuleInfo;

/// What kind of input a rule judges, and so which command reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// A container's configuration (`vigie audit`, `vigie watch`, `vigie run`).
    Container,
    /// The Docker daemon (`vigie audit`).
    Host,
    /// What a process sees from inside a container (`vigie inside`).
    Inside,
    /// An image's configuration and files (`vigie audit image`).
    Image,
    /// A Dockerfile (`vigie lint`).
    Dockerfile,
    /// A Kubernetes pod template (`vigie audit k8s`).
    Kubernetes,
}

impl Family {
    pub const ALL: [Family; 6] = [
        Family::Container,
        Family::Host,
        Family::Inside,
        Family::Image,
        Family::Dockerfile,
        Family::Kubernetes,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Family::Container => "container",
            Family::Host => "host",
            Family::Inside => "inside",
            Family::Image => "image",
            Family::Dockerfile => "dockerfile",
            Family::Kubernetes => "kubernetes",
        }
    }

    /// The commands that report the family's findings.
    pub fn commands(self) -> &'static str {
        match self {
            Family::Container => "`vigie audit`, `vigie watch`, `vigie run`, `vigie audit compose`, `vigie audit k8s`",
            Family::Host => "`vigie audit`",
            Family::Inside => "`vigie inside` (run inside the container)",
            Family::Image => "`vigie audit image IMAGE`",
            Family::Dockerfile => "`vigie lint`",
            Family::Kubernetes => "`vigie audit k8s`",
        }
    }

    pub fn parse(text: &str) -> Option<Family> {
        Family::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

/// One rule as the registry knows it: its fixed description plus its docs.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    #[serde(flatten)]
    pub info: RuleInfo,
    pub family: Family,
    /// How vigie decides, in words (which field, file or line it reads).
    pub detection: &'static str,
    /// Dockerfile rules with hadolint's id: hadolint's default level.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hadolint: Option<&'static str>,
    /// Dockerfile rules: a flagged and a fine example.
    #[serde(skip)]
    pub example: Option<(&'static str, &'static str)>,
    /// Where vigie deliberately differs from the reference tool, or other notes.
    #[serde(skip_serializing_if = "str::is_empty")]
    pub notes: &'static str,
}

impl Entry {
    fn plain(info: &RuleInfo, family: Family, detection: &'static str) -> Entry {
        Entry {
            info: info.clone(),
            family,
            detection,
            hadolint: None,
            example: None,
            notes: "",
        }
    }
}

const DOCKERFILE_DETECTION: &str = "Read from the parsed Dockerfile: instructions with their exact positions, stages, \
`ARG`/`ENV` expansion, `SHELL`, and RUN scripts through `sudo`, `env`, `sh -c` and heredoc bodies. The finding \
points at the line and column, and quotes the line.";

const INSIDE_DETECTION: &str = "Read from inside the container, without writing anything: the exact line of \
`/proc/self/status` or `/proc/self/mountinfo`, or the path, that shows it is the finding's evidence.";

/// Where a container or pod rule reads Compose files and Kubernetes manifests
/// differently from `docker inspect`, and where it deliberately disagrees with
/// Checkov (the differential test, crates/vigie/tests/manifests.rs, pins each
/// disagreement on the 515-manifest corpus to the count given here).
const FILE_NOTES: &[(&str, &str)] = &[
    (
        "VGI-CTR-002",
        "Compose `cap_add`, Pod `securityContext.capabilities.add`. Adding a capability of the default set (NET_BIND_SERVICE, CHOWN…) grants nothing and is not reported; Checkov's CKV_K8S_25 reports any `add` (1 corpus resource). `--pss restricted` still reports it (restricted allows only NET_BIND_SERVICE).",
    ),
    (
        "VGI-CTR-003",
        "Compose `cap_drop`, Pod `securityContext.capabilities.drop`. A privileged container is reported once, by VGI-CTR-001, which covers its capabilities; Checkov's CKV_K8S_28 reports it again (most of its 21 corpus disagreements: privileged containers, and drop lists other than ALL/NET_RAW that vigie accepts as a choice to drop).",
    ),
    (
        "VGI-CTR-006",
        "A hostPath or bind of `/`, `/run`, `/var/run` (any directory that holds the engine socket) is reported: the socket is reachable under it. Checkov's CKV_K8S_27 looks only for the socket path itself (10 corpus resources where vigie reports and Checkov does not; 1 where Checkov reads a hostPath vigie's reader attaches to no container).",
    ),
    (
        "VGI-CTR-012",
        "Kubernetes: `resources.requests.cpu` counts as CPU priority — the kubelet turns it into the cgroup's cpu.shares, exactly what `--cpu-shares` (and CIS 5.12) means — so a container with a request and no limit is not reported. Checkov's CKV_K8S_11 asks for a limit (181 of 551 corpus resources differ for this reason alone).",
    ),
    (
        "VGI-CTR-024",
        "Kubernetes: a Pod with no `seccompProfile` (pod or container, or the old annotations) runs Unconfined — the kubelet's default unless its SeccompDefault option is on — and is reported, where the same service in Compose gets Docker's default profile. A privileged container is reported once, by VGI-CTR-001 (privileged disables seccomp); Checkov's CKV_K8S_31 reports it again (26 corpus resources).",
    ),
    (
        "VGI-CTR-029",
        "Compose: no `healthcheck` key is reported, but the image's HEALTHCHECK (if any) still applies — the evidence says so. Kubernetes: a `livenessProbe`; init and ephemeral containers cannot have one and are not reported.",
    ),
    (
        "VGI-CTR-030",
        "A Kubernetes container without `image` (which the API server refuses) is not reported; Checkov's CKV_K8S_14 fails it (3 corpus resources).",
    ),
    (
        "VGI-CTR-037",
        "Kubernetes: root unless `runAsUser` (container, else pod) is non-zero or `runAsNonRoot: true`. A `runAsUser` that is not a number is treated as unset (root); Checkov passes it (1 corpus resource).",
    ),
    (
        "VGI-K8S-007",
        "Images pinned by digest are fine whatever the policy. A container without image is not reported (Checkov CKV_K8S_15: 3 corpus resources); vigie also reads ephemeralContainers, which Checkov does not (1).",
    ),
];

/// Every rule of every family, in family then id order.
pub fn rules() -> Vec<Entry> {
    let mut out = Vec::new();
    let with = |r: &RuleInfo, family: Family, default: &'static str| {
        let detection = if r.detection.is_empty() { default } else { r.detection };
        let mut e = Entry::plain(r, family, detection);
        if let Some((_, notes)) = FILE_NOTES.iter().find(|(id, _)| *id == r.id) {
            e.notes = notes;
        }
        e
    };
    for r in crate::audit::catalogue() {
        let family = if r.id.starts_with("VGI-HOST-") {
            Family::Host
        } else {
            Family::Container
        };
        out.push(with(r, family, ""));
    }
    for r in crate::inside::rules::catalogue() {
        out.push(with(r, Family::Inside, INSIDE_DETECTION));
    }
    for r in crate::image::RULES {
        out.push(with(r, Family::Image, ""));
    }
    for r in crate::kubernetes::RULES {
        out.push(with(r, Family::Kubernetes, ""));
    }
    for r in crate::dockerfile::catalog::RULES {
        out.push(Entry {
            info: r.info.clone(),
            family: Family::Dockerfile,
            detection: if r.info.detection.is_empty() {
                DOCKERFILE_DETECTION
            } else {
                r.info.detection
            },
            hadolint: r.hadolint,
            example: Some((r.bad, r.good)),
            notes: r.differs,
        });
    }
    out.sort_by(|a, b| a.family.cmp(&b.family).then(a.info.id.cmp(b.info.id)));
    out
}

/// A rule by id, case-insensitive.
pub fn find(id: &str) -> Option<Entry> {
    rules().into_iter().find(|e| e.info.id.eq_ignore_ascii_case(id.trim()))
}

/// The docs page of a rule: the one format of every `docs/rules/<ID>.md`.
pub fn docs_page(e: &Entry) -> String {
    let r = &e.info;
    let mut out = format!("# {} — {}\n\n", r.id, r.title);
    out.push_str("| | |\n|---|---|\n");
    out.push_str(&format!("| severity | {} |\n", r.severity));
    out.push_str(&format!(
        "| family | {} — {} |\n",
        e.family.as_str(),
        e.family.commands()
    ));
    out.push_str(&format!(
        "| CIS Docker Benchmark v1.6.0 | {} |\n",
        r.cis.unwrap_or("— (no CIS item)")
    ));
    out.push_str(&format!("| mitigation | {} |\n", r.mitigation.title()));
    match (e.family, e.hadolint) {
        (Family::Dockerfile, Some(level)) => out.push_str(&format!(
            "| hadolint | same id (default level: {level}): `.hadolint.yaml` and `# hadolint ignore={}` apply unchanged |\n",
            r.id
        )),
        (Family::Dockerfile, None) => out.push_str("| hadolint | none (vigie's own rule) |\n"),
        _ => {}
    }
    out.push_str(&format!("\n## Why it matters\n\n{}\n\n", r.rationale));
    out.push_str(&format!("## How vigie checks\n\n{}\n\n", e.detection));
    out.push_str(&format!("## Fix\n\n{}\n", r.fix.summary));
    let fixes: Vec<String> = [
        ("docker run", r.fix.docker_run),
        ("Compose", r.fix.compose),
        ("Kubernetes", r.fix.kubernetes),
    ]
    .iter()
    .filter_map(|(label, value)| value.map(|v| format!("- **{label}:** `{v}`\n")))
    .collect();
    if !fixes.is_empty() {
        out.push('\n');
        out.push_str(&fixes.concat());
    }
    if let Some((bad, good)) = e.example {
        out.push_str(&format!(
            "\n## Example\n\nFlagged:\n\n```dockerfile\n{bad}\n```\n\nFine:\n\n```dockerfile\n{good}\n```\n"
        ));
    }
    if e.family == Family::Dockerfile && e.hadolint.is_some() {
        out.push_str("\n## Where vigie differs from hadolint\n\n");
        if e.notes.is_empty() {
            out.push_str(
                "Nowhere known: the differential test against hadolint 2.15 on 877 real-world Dockerfiles \
(crates/vigie/tests/lint.rs, corpus in crates/vigie/tests/data/dockerfiles) finds no case where they disagree.",
            );
            if e.example.is_some_and(|(bad, _)| bad.contains("RUN ")) {
                out.push_str(
                    " Like every RUN rule, vigie also reads through `sudo`, `env`, `sh -c` and heredoc bodies.",
                );
            }
            out.push('\n');
        } else {
            out.push_str(e.notes);
            out.push('\n');
        }
    } else if !e.notes.is_empty() {
        out.push_str(&format!("\n## Notes\n\n{}\n", e.notes));
    }
    out.push_str(&silence(e));
    out
}

/// How to silence or accept the rule, per family.
fn silence(e: &Entry) -> String {
    let id = e.info.id;
    match e.family {
        Family::Container | Family::Host | Family::Image | Family::Kubernetes => format!(
            "\n## Accepting the risk\n\n```toml\n[[audit.accept]]\nrule = \"{id}\"\ntarget = \"NAME\"          # {}; omit for every target\nreason = \"why it is needed\"\nexpires = \"2027-06-30\"    # counted again after this day\n```\n\nOr leave the rule out: `--skip-rules {id}`. See [vigie audit](../commands/audit.md).\n",
            match e.family {
                Family::Host => "`host`",
                Family::Image => "the image reference or a glob",
                Family::Kubernetes => "a workload (`Deployment/web`) or glob",
                _ => "a container name or glob",
            }
        ),
        Family::Inside => format!(
            "\n## Leaving it out\n\n`vigie inside --skip-rules {id}`. See [vigie inside](../commands/inside.md).\n"
        ),
        Family::Dockerfile => format!(
            "\n## Silence it\n\n`# vigie ignore={id}` (or `# hadolint ignore={id}`) on the line above the instruction, \
`--ignore {id}`, or `ignored: [{id}]` in the lint config. See [vigie lint](../commands/lint.md).\n"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// `VIGIE_BLESS=1 cargo test -p vigie-rules docs_pages` rewrites docs/rules/ from the registry.
    #[test]
    fn docs_pages_match_the_registry() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules");
        let bless = std::env::var_os("VIGIE_BLESS").is_some();
        let mut ids = BTreeSet::new();
        for e in rules() {
            assert!(ids.insert(e.info.id.to_string()), "{} is registered twice", e.info.id);
            assert!(!e.detection.trim().is_empty(), "{} has no detection text", e.info.id);
            let path = dir.join(format!("{}.md", e.info.id));
            let page = docs_page(&e);
            if bless {
                std::fs::write(&path, &page).unwrap();
            } else {
                let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
                assert_eq!(
                    on_disk,
                    page,
                    "{} is stale: run VIGIE_BLESS=1 cargo test -p vigie-rules docs_pages",
                    path.display()
                );
            }
        }
        for file in std::fs::read_dir(&dir).unwrap() {
            let name = file.unwrap().file_name().to_string_lossy().to_string();
            let id = name.trim_end_matches(".md");
            if bless && !ids.contains(id) {
                std::fs::remove_file(dir.join(&name)).unwrap();
                continue;
            }
            assert!(ids.contains(id), "docs/rules/{name} has no rule in the registry");
        }
    }

    #[test]
    fn ids_are_stable_and_findable() {
        let all = rules();
        assert!(all.len() >= 59 + 21, "{}", all.len());
        for e in &all {
            assert_eq!(
                find(&e.info.id.to_ascii_lowercase()).map(|f| f.info.id),
                Some(e.info.id)
            );
        }
        assert!(find("VGI-XYZ-001").is_none());
        assert_eq!(Family::parse("Dockerfile"), Some(Family::Dockerfile));
    }
}
