//! Kubernetes' Pod Security Standards (v1.30 definitions), evaluated on a pod
//! template as the Pod Security admission controller does: every control of
//! the baseline and restricted levels, on containers, initContainers and
//! ephemeralContainers. A violation names the rules that report the same
//! risk, so a finding can say which control it breaks; a violation no
//! finding reports becomes a VGI-K8S-008 finding under `--pss`.

use crate::yaml::{Node, Pos};
use crate::{FileLocation, Finding};
use vigie_rules::kubernetes::K8S_PSS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Baseline,
    Restricted,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }

    pub fn parse(text: &str) -> Option<Level> {
        match text.trim().to_ascii_lowercase().as_str() {
            "baseline" => Some(Level::Baseline),
            "restricted" => Some(Level::Restricted),
            _ => None,
        }
    }
}

/// One control broken at one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub level: Level,
    pub control: &'static str,
    /// The pod's or the container's target, as findings name it.
    pub target: String,
    pub detail: String,
    pub path: String,
    pub pos: Pos,
    /// Rules whose finding on `target` reports this risk.
    pub rules: &'static [&'static str],
}

impl Violation {
    pub fn label(&self) -> String {
        format!("PSS {}: {}", self.level.as_str(), self.control)
    }
}

/// A container of the pod template: its node, path and finding target.
pub struct PodContainerRef<'a> {
    pub node: &'a Node,
    pub path: String,
    pub target: String,
    pub name: String,
}

const BASELINE_CAPS: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

const RESTRICTED_VOLUMES: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

const SELINUX_TYPES: &[&str] = &[
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

struct Out<'a> {
    pod_target: &'a str,
    list: Vec<Violation>,
}

impl Out<'_> {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        level: Level,
        control: &'static str,
        target: &str,
        detail: String,
        path: String,
        pos: Pos,
        rules: &'static [&'static str],
    ) {
        self.list.push(Violation {
            level,
            control,
            target: target.to_string(),
            detail,
            path,
            pos,
            rules,
        });
    }
}

fn cap_name(s: &str) -> String {
    let up = s.trim().to_ascii_uppercase();
    up.strip_prefix("CAP_").map(str::to_string).unwrap_or(up)
}

/// Every control the pod template breaks. `spec` is the pod spec at
/// `spec_path`; `annotations` the template's metadata annotations (AppArmor
/// and seccomp were annotations before they were fields).
pub fn check(
    spec: &Node,
    spec_path: &str,
    annotations: Option<&Node>,
    pod_target: &str,
    containers: &[PodContainerRef<'_>],
) -> Vec<Violation> {
    use Level::{Baseline, Restricted};
    let mut out = Out {
        pod_target,
        list: Vec::new(),
    };
    let pt = out.pod_target.to_string();
    let psc = spec.get_some("securityContext");
    let sp = |k: &str| format!("{spec_path}.{k}");

    // HostProcess
    if psc
        .and_then(|s| s.get("windowsOptions"))
        .and_then(|w| w.get("hostProcess"))
        .and_then(Node::as_bool)
        == Some(true)
    {
        let pos = psc.map_or(spec.pos, |s| s.key_pos("windowsOptions"));
        out.push(
            Baseline,
            "HostProcess",
            &pt,
            "the pod is a Windows HostProcess pod".into(),
            sp("securityContext.windowsOptions.hostProcess"),
            pos,
            &["VGI-K8S-006"],
        );
    }
    // Host Namespaces
    const NAMESPACES: &[(&str, &[&str])] = &[
        ("hostNetwork", &["VGI-CTR-010"]),
        ("hostPID", &["VGI-CTR-017"]),
        ("hostIPC", &["VGI-CTR-018"]),
    ];
    for (key, rules) in NAMESPACES {
        if spec.get(key).and_then(Node::as_bool) == Some(true) {
            out.push(
                Baseline,
                "Host Namespaces",
                &pt,
                format!("{key}: true"),
                sp(key),
                spec.key_pos(key),
                rules,
            );
        }
    }
    // Volumes: HostPath (baseline), Volume Types (restricted)
    for (i, v) in spec
        .get("volumes")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let name = v.get("name").and_then(Node::as_str).unwrap_or("");
        let Some(entries) = v.as_map() else { continue };
        for (k, _) in entries {
            let Some(kind) = k.as_str() else { continue };
            if kind == "name" {
                continue;
            }
            if kind == "hostPath" {
                out.push(
                    Baseline,
                    "HostPath Volumes",
                    &pt,
                    format!("volume {name} is a hostPath"),
                    format!("{spec_path}.volumes[{i}].hostPath"),
                    k.pos,
                    &["VGI-K8S-003", "VGI-CTR-004", "VGI-CTR-005", "VGI-CTR-006"],
                );
            } else if !RESTRICTED_VOLUMES.contains(&kind) {
                out.push(
                    Restricted,
                    "Volume Types",
                    &pt,
                    format!("volume {name} is of type {kind}"),
                    format!("{spec_path}.volumes[{i}].{kind}"),
                    k.pos,
                    &[],
                );
            }
        }
    }
    // Sysctls
    for (i, s) in psc
        .and_then(|s| s.get("sysctls"))
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let name = s.get("name").and_then(Node::as_str).unwrap_or("");
        if !vigie_rules::container::catalogue::SAFE_SYSCTLS.contains(&name) {
            out.push(
                Baseline,
                "Sysctls",
                &pt,
                format!("sysctl {name} is not in the safe set"),
                format!("{spec_path}.securityContext.sysctls[{i}]"),
                s.pos,
                &["VGI-CTR-043"],
            );
        }
    }
    let pod_seccomp = psc
        .and_then(|s| s.get("seccompProfile"))
        .and_then(|p| p.get("type"))
        .and_then(Node::as_str);
    let pod_seccomp_ann = annotations
        .and_then(|a| a.get("seccomp.security.alpha.kubernetes.io/pod"))
        .and_then(Node::as_str);
    let pod_nonroot = psc.and_then(|s| s.get("runAsNonRoot")).and_then(Node::as_bool);
    let pod_user = psc.and_then(|s| s.get("runAsUser")).and_then(Node::as_i64);
    let pod_apparmor = psc
        .and_then(|s| s.get("appArmorProfile"))
        .and_then(|p| p.get("type"))
        .and_then(Node::as_str);
    if pod_seccomp == Some("Unconfined") || pod_seccomp_ann == Some("unconfined") {
        out.push(
            Baseline,
            "Seccomp",
            &pt,
            "the pod's seccomp profile is Unconfined".into(),
            sp("securityContext.seccompProfile.type"),
            psc.map_or(spec.pos, |s| s.key_pos("seccompProfile")),
            &["VGI-CTR-024"],
        );
    }
    if pod_apparmor == Some("Unconfined") {
        out.push(
            Baseline,
            "AppArmor",
            &pt,
            "the pod's AppArmor profile is Unconfined".into(),
            sp("securityContext.appArmorProfile.type"),
            psc.map_or(spec.pos, |s| s.key_pos("appArmorProfile")),
            &["VGI-CTR-034"],
        );
    }
    if let Some(se) = psc.and_then(|s| s.get_some("seLinuxOptions")) {
        selinux(&mut out, se, &sp("securityContext.seLinuxOptions"), &pt);
    }
    if pod_user == Some(0) {
        out.push(
            Restricted,
            "Running as Non-root user",
            &pt,
            "the pod's runAsUser is 0".into(),
            sp("securityContext.runAsUser"),
            psc.map_or(spec.pos, |s| s.key_pos("runAsUser")),
            &["VGI-CTR-037"],
        );
    }

    for c in containers {
        let node = c.node;
        let t = c.target.as_str();
        let p = |k: &str| format!("{}.{k}", c.path);
        let sc = node.get_some("securityContext");
        let scpos = |k: &str| sc.map_or(node.pos, |s| s.key_pos(k));
        let flag = |k: &str| sc.and_then(|s| s.get(k)).and_then(Node::as_bool);
        if flag("privileged") == Some(true) {
            out.push(
                Baseline,
                "Privileged Containers",
                t,
                "privileged: true".into(),
                p("securityContext.privileged"),
                scpos("privileged"),
                &["VGI-CTR-001"],
            );
        }
        if sc
            .and_then(|s| s.get("windowsOptions"))
            .and_then(|w| w.get("hostProcess"))
            .and_then(Node::as_bool)
            == Some(true)
        {
            out.push(
                Baseline,
                "HostProcess",
                &pt,
                format!("container {} is a HostProcess container", c.name),
                p("securityContext.windowsOptions.hostProcess"),
                scpos("windowsOptions"),
                &["VGI-K8S-006"],
            );
        }
        let caps = sc.and_then(|s| s.get_some("capabilities"));
        let add: Vec<(String, Pos)> = caps
            .and_then(|k| k.get("add"))
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(|n| n.as_str().map(|s| (cap_name(s), n.pos)))
            .collect();
        let drop: Vec<String> = caps
            .and_then(|k| k.get("drop"))
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(|n| n.as_str().map(cap_name))
            .collect();
        for (cap, pos) in &add {
            if !BASELINE_CAPS.contains(&cap.as_str()) {
                out.push(
                    Baseline,
                    "Capabilities",
                    t,
                    format!("adds {cap}"),
                    p("securityContext.capabilities.add"),
                    *pos,
                    &["VGI-CTR-002"],
                );
            } else if cap != "NET_BIND_SERVICE" {
                out.push(
                    Restricted,
                    "Capabilities",
                    t,
                    format!("adds {cap} (restricted allows only NET_BIND_SERVICE)"),
                    p("securityContext.capabilities.add"),
                    *pos,
                    &[],
                );
            }
        }
        if !drop.iter().any(|d| d == "ALL") {
            out.push(
                Restricted,
                "Capabilities",
                t,
                "does not drop ALL capabilities".into(),
                p("securityContext.capabilities.drop"),
                caps.map_or(scpos("capabilities"), |k| k.key_pos("drop")),
                &["VGI-CTR-003"],
            );
        }
        for (i, port) in node
            .get("ports")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            if let Some(hp) = port.get("hostPort").and_then(Node::as_i64).filter(|h| *h != 0) {
                out.push(
                    Baseline,
                    "Host Ports",
                    t,
                    format!("hostPort {hp}"),
                    format!("{}.ports[{i}].hostPort", c.path),
                    port.key_pos("hostPort"),
                    &["VGI-CTR-008", "VGI-CTR-009", "VGI-CTR-014"],
                );
            }
        }
        let apparmor = sc
            .and_then(|s| s.get("appArmorProfile"))
            .and_then(|a| a.get("type"))
            .and_then(Node::as_str);
        let apparmor_ann = annotations
            .and_then(|a| a.get(&format!("container.apparmor.security.beta.kubernetes.io/{}", c.name)))
            .and_then(Node::as_str);
        if apparmor == Some("Unconfined") || apparmor_ann == Some("unconfined") {
            out.push(
                Baseline,
                "AppArmor",
                t,
                "AppArmor profile Unconfined".into(),
                p("securityContext.appArmorProfile.type"),
                scpos("appArmorProfile"),
                &["VGI-CTR-034"],
            );
        }
        if let Some(se) = sc.and_then(|s| s.get_some("seLinuxOptions")) {
            selinux(&mut out, se, &p("securityContext.seLinuxOptions"), t);
        }
        if let Some(pm) = sc.and_then(|s| s.get("procMount")).and_then(Node::as_str)
            && pm != "Default"
        {
            out.push(
                Baseline,
                "/proc Mount Type",
                t,
                format!("procMount: {pm}"),
                p("securityContext.procMount"),
                scpos("procMount"),
                &["VGI-CTR-036"],
            );
        }
        let seccomp = sc
            .and_then(|s| s.get("seccompProfile"))
            .and_then(|s| s.get("type"))
            .and_then(Node::as_str);
        let seccomp_ann = annotations
            .and_then(|a| a.get(&format!("container.seccomp.security.alpha.kubernetes.io/{}", c.name)))
            .and_then(Node::as_str);
        if seccomp == Some("Unconfined") || seccomp_ann == Some("unconfined") {
            out.push(
                Baseline,
                "Seccomp",
                t,
                "seccomp profile Unconfined".into(),
                p("securityContext.seccompProfile.type"),
                scpos("seccompProfile"),
                &["VGI-CTR-024"],
            );
        } else if seccomp.is_none() && seccomp_ann.is_none() && pod_seccomp.is_none() && pod_seccomp_ann.is_none() {
            out.push(
                Restricted,
                "Seccomp",
                t,
                "no seccomp profile (RuntimeDefault or Localhost required)".into(),
                p("securityContext.seccompProfile"),
                scpos("seccompProfile"),
                &["VGI-CTR-024"],
            );
        }
        if flag("allowPrivilegeEscalation") != Some(false) {
            out.push(
                Restricted,
                "Privilege Escalation",
                t,
                "allowPrivilegeEscalation is not false".into(),
                p("securityContext.allowPrivilegeEscalation"),
                scpos("allowPrivilegeEscalation"),
                &["VGI-CTR-028"],
            );
        }
        let nonroot = flag("runAsNonRoot").or(pod_nonroot);
        if nonroot != Some(true) {
            out.push(
                Restricted,
                "Running as Non-root",
                t,
                "runAsNonRoot is not true".into(),
                p("securityContext.runAsNonRoot"),
                scpos("runAsNonRoot"),
                &["VGI-CTR-037"],
            );
        }
        if sc.and_then(|s| s.get("runAsUser")).and_then(Node::as_i64) == Some(0) {
            out.push(
                Restricted,
                "Running as Non-root user",
                t,
                "runAsUser is 0".into(),
                p("securityContext.runAsUser"),
                scpos("runAsUser"),
                &["VGI-CTR-037"],
            );
        }
    }
    out.list
}

fn selinux(out: &mut Out<'_>, se: &Node, path: &str, target: &str) {
    if let Some(ty) = se.get("type").and_then(Node::as_str)
        && !SELINUX_TYPES.contains(&ty)
    {
        out.push(
            Level::Baseline,
            "SELinux",
            target,
            format!("SELinux type {ty}"),
            format!("{path}.type"),
            se.key_pos("type"),
            &["VGI-CTR-035"],
        );
    }
    for key in ["user", "role"] {
        if se.get_some(key).is_some() {
            out.push(
                Level::Baseline,
                "SELinux",
                target,
                format!("sets the SELinux {key}"),
                format!("{path}.{key}"),
                se.key_pos(key),
                &["VGI-CTR-035"],
            );
        }
    }
}

/// A finding on the pod, or on one of its containers (`Deployment/web[nginx]`),
/// reports a pod-level violation.
fn reports(f: &Finding, v: &Violation) -> bool {
    let same = f.target == v.target
        || f.target
            .strip_prefix(v.target.as_str())
            .is_some_and(|rest| rest.starts_with('['));
    same && v.rules.contains(&f.rule_id.as_ref())
}

/// Add each violation's control to the findings that report it.
pub fn annotate(findings: &mut [Finding], violations: &[Violation]) {
    for v in violations {
        for f in findings.iter_mut() {
            if reports(f, v) {
                let label = v.label();
                if !f.standards.contains(&label) {
                    f.standards.push(label);
                }
            }
        }
    }
}

/// With `--pss LEVEL`: the findings that break a control of that level (the
/// baseline's included in restricted), plus a VGI-K8S-008 finding for each
/// violation no finding reports. Returns the kept findings.
pub fn select(
    findings: Vec<Finding>,
    violations: &[Violation],
    level: Level,
    file: &std::sync::Arc<str>,
) -> Vec<Finding> {
    let at_level = |label: &str| match level {
        Level::Baseline => label.starts_with("PSS baseline:"),
        Level::Restricted => label.starts_with("PSS "),
    };
    let mut out: Vec<Finding> = findings
        .into_iter()
        .filter(|f| f.standards.iter().any(|s| at_level(s)))
        .collect();
    for v in violations.iter().filter(|v| v.level <= level) {
        let covered = out.iter().any(|f| reports(f, v));
        if covered {
            continue;
        }
        let mut f = Finding::from_rule(
            &K8S_PSS,
            v.target.as_str(),
            format!("breaks {} {}: {}", v.level.as_str(), v.control, v.detail),
        )
        .with_evidence(v.path.clone(), v.detail.clone());
        f.fix.docker_run = None;
        f.fix.compose = None;
        f.standards.push(v.label());
        f.location = Some(FileLocation {
            file: file.clone(),
            line: v.pos.line,
            column: v.pos.column,
            path: v.path.clone(),
        });
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::k8s::read;

    fn controls(spec: &str) -> Vec<String> {
        let text = format!("kind: Pod\nmetadata: {{name: p}}\nspec:\n{spec}");
        let file = read("p.yaml", &text).unwrap();
        let mut out: Vec<String> = file.declared[0].pss.iter().map(|v| v.label()).collect();
        out.sort();
        out.dedup();
        out
    }

    // Cases from the Pod Security Standards page (kubernetes.io/docs/concepts/security/pod-security-standards).
    #[test]
    fn baseline_controls() {
        let c = controls(
            "  hostNetwork: true\n  containers:\n    - {name: a, image: x, ports: [{containerPort: 80, hostPort: 80}], securityContext: {privileged: true, capabilities: {add: [NET_ADMIN, CHOWN]}, procMount: Unmasked, seLinuxOptions: {type: spc_t}}}\n  volumes: [{name: h, hostPath: {path: /srv}}]\n  securityContext: {sysctls: [{name: kernel.msgmax, value: '1'}, {name: net.ipv4.tcp_syncookies, value: '1'}]}\n",
        );
        for want in [
            "PSS baseline: Capabilities",
            "PSS baseline: Host Namespaces",
            "PSS baseline: Host Ports",
            "PSS baseline: HostPath Volumes",
            "PSS baseline: Privileged Containers",
            "PSS baseline: SELinux",
            "PSS baseline: Sysctls",
            "PSS baseline: /proc Mount Type",
        ] {
            assert!(c.contains(&want.to_string()), "{want}: {c:?}");
        }
    }

    #[test]
    fn restricted_controls_and_a_compliant_pod() {
        let c =
            controls("  containers:\n    - {name: a, image: x}\n  volumes: [{name: n, nfs: {server: s, path: /}}]\n");
        for want in [
            "PSS restricted: Capabilities",
            "PSS restricted: Privilege Escalation",
            "PSS restricted: Running as Non-root",
            "PSS restricted: Seccomp",
            "PSS restricted: Volume Types",
        ] {
            assert!(c.contains(&want.to_string()), "{want}: {c:?}");
        }
        assert!(!c.iter().any(|l| l.starts_with("PSS baseline")), "{c:?}");
        let ok = controls(
            "  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}\n  containers:\n    - {name: a, image: x, securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}}}\n  volumes: [{name: c, configMap: {name: c}}, {name: e, emptyDir: {}}]\n",
        );
        assert!(ok.is_empty(), "{ok:?}");
    }
}
