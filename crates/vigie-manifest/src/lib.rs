//! Compose files and Kubernetes manifests read into what the container
//! rules judge. Pipeline place: a reader (`compose`, `k8s`) turns a file into
//! [`Declared`] objects — for each container the same `docker inspect`-shaped
//! record the engine gives (so `vigie_snapshot::snapshot_from_raw` builds the
//! one `ContainerSnapshot` every rule reads) plus a [`FieldMap`] from each
//! evidence source (`HostConfig.Privileged`) to the key in the file
//! (`services.web.privileged`, line 7, column 5). [`audit_declared`] runs the
//! container rules (and, for pods, the pod rules) and points every finding
//! into the file, with the fix in that file's syntax. Nothing here prints or
//! talks to an engine.

pub mod compose;
pub mod drift;
pub mod k8s;
pub mod pss;
pub mod yaml;

use std::collections::HashMap;
use std::sync::Arc;

use vigie_rules::container::{HostContext, audit_container};
use vigie_rules::kubernetes::{PodFacts, audit_pod};
use vigie_rules::{FileLocation, Finding};
use vigie_snapshot::inspect::{
    RawConfig, RawContainer, RawHostConfig, RawMountPoint, RawNetworkSettings, RawState, default_last_cap,
    snapshot_from_raw,
};

pub use yaml::Pos;

/// Which kind of file a finding comes from: decides which fix is shown and
/// which container rules have no meaning there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Compose,
    Kubernetes,
}

/// A key in the file: its path, where it is written (or, when it is missing,
/// where the object that should have it is), and the value as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loc {
    pub path: String,
    pub pos: Pos,
    /// The file, when not the object's own (a Compose key from an override file).
    pub file: Option<Arc<str>>,
    /// Replaces the evidence value (`not set (kubelet default: Unconfined)`).
    pub written: Option<String>,
}

impl Loc {
    pub fn new(path: impl Into<String>, pos: Pos) -> Loc {
        Loc {
            path: path.into(),
            pos,
            file: None,
            written: None,
        }
    }

    pub fn written(mut self, text: impl Into<String>) -> Loc {
        self.written = Some(text.into());
        self
    }
}

/// Evidence source (optionally `source=value`) → the key in the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldMap {
    map: HashMap<String, Loc>,
}

impl FieldMap {
    pub fn set(&mut self, source: impl Into<String>, loc: Loc) {
        self.map.insert(source.into(), loc);
    }

    /// Keep the first location given for a source.
    pub fn set_once(&mut self, source: impl Into<String>, loc: Loc) {
        self.map.entry(source.into()).or_insert(loc);
    }

    pub fn get(&self, source: &str) -> Option<&Loc> {
        self.map.get(source)
    }

    fn find(&self, source: &str, value: &str) -> Option<&Loc> {
        self.map
            .get(&format!("{source}={value}"))
            .or_else(|| self.map.get(source))
    }
}

/// One container as a file declares it.
#[derive(Debug, Clone)]
pub struct DeclaredContainer {
    /// What the rules judge, as a live engine would report it.
    pub snapshot: vigie_snapshot::ContainerSnapshot,
    pub fields: FieldMap,
    /// The container (service) itself: where findings without a mapped field point.
    pub anchor: Loc,
    /// Rules that cannot apply to this container (an init container has no liveness probe).
    pub skip: Vec<&'static str>,
}

/// A pod template's own facts, for the pod rules.
#[derive(Debug, Clone)]
pub struct DeclaredPod {
    pub facts: PodFacts,
    pub fields: FieldMap,
    pub anchor: Loc,
}

/// One object of a file: a Compose service, or a workload with its pod template.
#[derive(Debug, Clone)]
pub struct Declared {
    pub kind: InputKind,
    /// Shared by every finding of the object.
    pub file: Arc<str>,
    /// `services.web`, `Deployment/web`.
    pub name: String,
    pub containers: Vec<DeclaredContainer>,
    pub pod: Option<DeclaredPod>,
    /// Pod Security Standards controls the pod template breaks.
    pub pss: Vec<pss::Violation>,
}

/// Container rules that judge something a file of this kind cannot say (or
/// that the platform decides): left out rather than reported on every object.
pub fn not_applicable(kind: InputKind, rule_id: &str) -> bool {
    match kind {
        // Kubernetes: restart policy, ulimits, PIDs limit, cgroup parent, OOM
        // killer, logging, user/cgroup/UTS namespaces and networks are the
        // kubelet's and the CNI's, not the pod spec's.
        InputKind::Kubernetes => matches!(
            rule_id,
            "VGI-CTR-015"
                | "VGI-CTR-016"
                | "VGI-CTR-021"
                | "VGI-CTR-023"
                | "VGI-CTR-025"
                | "VGI-CTR-026"
                | "VGI-CTR-027"
                | "VGI-CTR-031"
                | "VGI-CTR-032"
                | "VGI-CTR-033"
                | "VGI-CTR-039"
                | "VGI-CTR-040"
                | "VGI-CTR-041"
        ),
        InputKind::Compose => matches!(rule_id, "VGI-CTR-025" | "VGI-CTR-026"),
    }
}

fn locate(finding: &mut Finding, file: &Arc<str>, fields: &FieldMap, anchor: &Loc) {
    let mut at: Option<Loc> = None;
    for ev in &mut finding.evidence {
        if let Some(loc) = fields.find(&ev.source, &ev.value) {
            if at.is_none() {
                at = Some(loc.clone());
            }
            ev.source = loc.path.clone();
            if let Some(w) = &loc.written {
                ev.value = w.clone();
            }
        }
    }
    // Exact capacity: a stream of 10,000 documents holds ~100,000 findings.
    finding.evidence.shrink_to_fit();
    let at = at.unwrap_or_else(|| anchor.clone());
    // Evidence that names engine fields with no counterpart in the file (the
    // effective capability mask) stays, labelled as computed.
    finding.location = Some(FileLocation {
        file: at.file.clone().unwrap_or_else(|| file.clone()),
        line: at.pos.line,
        column: at.pos.column,
        path: at.path,
    });
}

fn fix_for(finding: &mut Finding, kind: InputKind) {
    match kind {
        InputKind::Compose => {
            finding.fix.docker_run = None;
            finding.fix.kubernetes = None;
        }
        InputKind::Kubernetes => {
            finding.fix.docker_run = None;
            finding.fix.compose = None;
        }
    }
}

/// The snapshot of a container a file declares (not created yet): the
/// `docker inspect`-shaped record both readers build, read by the same
/// `snapshot_from_raw` as a live container's.
pub(crate) fn declared_snapshot(
    target: &str,
    config: RawConfig,
    host: RawHostConfig,
    mounts: Vec<RawMountPoint>,
    networks: Option<HashMap<String, serde_json::Value>>,
    apparmor: Option<String>,
) -> vigie_snapshot::ContainerSnapshot {
    let raw = RawContainer {
        id: Some(String::new()),
        name: Some(target.to_string()),
        image: Some(String::new()),
        state: Some(RawState {
            status: Some("declared".to_string()),
            health: None,
        }),
        config: Some(config),
        host_config: Some(host),
        mounts: Some(mounts),
        network_settings: networks.map(|n| RawNetworkSettings { networks: Some(n) }),
        app_armor_profile: apparmor,
        exec_ids: None,
        created: None,
    };
    snapshot_from_raw(raw, default_last_cap())
}

/// Every finding for one declared object: container rules on each container
/// (the engine's host unknown, as for `--from-inspect`), pod rules on the pod,
/// each pointed into the file, with the fix in the file's syntax and the
/// Pod Security Standards controls it breaks.
pub fn audit_declared(d: &Declared) -> Vec<Finding> {
    let host = HostContext::unknown();
    let mut out = Vec::new();
    for c in &d.containers {
        for mut f in audit_container(&c.snapshot, &host) {
            if not_applicable(d.kind, &f.rule_id) || c.skip.contains(&f.rule_id.as_ref()) {
                continue;
            }
            locate(&mut f, &d.file, &c.fields, &c.anchor);
            fix_for(&mut f, d.kind);
            out.push(f);
        }
    }
    if let Some(p) = &d.pod {
        for mut f in audit_pod(&p.facts) {
            locate(&mut f, &d.file, &p.fields, &p.anchor);
            fix_for(&mut f, d.kind);
            out.push(f);
        }
    }
    pss::annotate(&mut out, &d.pss);
    out
}

/// A problem with one file that did not stop the others: a skipped document,
/// an unknown key. Printed as a warning and kept in every format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub file: String,
    pub line: usize,
    pub message: String,
    /// Something was not read: the result is incomplete.
    pub incomplete: bool,
}

impl std::fmt::Display for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        } else {
            write!(f, "{}: {}", self.file, self.message)
        }
    }
}

/// A file that cannot be read as what it claims to be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct FileError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl FileError {
    pub fn new(file: &str, pos: Pos, message: impl Into<String>) -> FileError {
        FileError {
            file: file.to_string(),
            line: pos.line,
            column: pos.column,
            message: message.into(),
        }
    }

    pub fn yaml(file: &str, e: yaml::YamlError) -> FileError {
        FileError {
            file: file.to_string(),
            line: e.line,
            column: e.column,
            message: format!("not valid YAML: {}", e.message),
        }
    }
}
