//! Kubernetes manifests: multi-document YAML or JSON, `List` objects, and
//! every kind with a pod template (Pod, Deployment, ReplicaSet, StatefulSet,
//! DaemonSet, Job, CronJob, ReplicationController — and any other kind that
//! carries `spec.template.spec.containers`, such as Argo Rollouts). Each
//! container (init and ephemeral ones included) becomes the `docker
//! inspect`-shaped record the container rules read, with the key of every
//! field it came from; the pod's own facts go to the pod rules.

use crate::pss::{self, PodContainerRef};
use crate::yaml::{self, Node, Pos};
use crate::{Declared, DeclaredContainer, DeclaredPod, FieldMap, FileError, InputKind, Loc, Notice};
use std::collections::HashMap;
use vigie_rules::kubernetes::{HostPathVolume, PodContainer, PodFacts};
use vigie_snapshot::inspect::{RawConfig, RawHealthConfig, RawHostConfig, RawMountPoint, RawPortBinding, StringOrList};

/// What one file held.
#[derive(Debug, Clone, Default)]
pub struct K8sFile {
    pub declared: Vec<Declared>,
    pub notices: Vec<Notice>,
    /// Documents read (List items counted one by one).
    pub documents: usize,
    /// Objects that are not workloads (Service, ConfigMap…), by kind.
    pub other_kinds: HashMap<String, usize>,
}

/// Kinds with no pod template: read and set aside without a notice.
const NOT_WORKLOADS: &[&str] = &[
    "Service",
    "ConfigMap",
    "Secret",
    "Namespace",
    "ServiceAccount",
    "Role",
    "RoleBinding",
    "ClusterRole",
    "ClusterRoleBinding",
    "Ingress",
    "IngressClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "StorageClass",
    "NetworkPolicy",
    "PodDisruptionBudget",
    "HorizontalPodAutoscaler",
    "CustomResourceDefinition",
    "LimitRange",
    "ResourceQuota",
    "Endpoints",
    "EndpointSlice",
    "PriorityClass",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "APIService",
    "CSIDriver",
    "RuntimeClass",
    "PodSecurityPolicy",
    "Gateway",
    "HTTPRoute",
    "Certificate",
    "Issuer",
    "ClusterIssuer",
    "ServiceMonitor",
    "PodMonitor",
    "PrometheusRule",
    "VerticalPodAutoscaler",
    "Kustomization",
    "Lease",
    "Event",
    "Node",
    "ControllerRevision",
];

/// A manifest that is an unrendered Helm or Go template reads as YAML with
/// nonsense values (or not at all): refuse it and say what to do.
fn unrendered_template(text: &str) -> Option<usize> {
    text.lines()
        .position(|l| l.contains("{{") && l.contains("}}"))
        .map(|i| i + 1)
}

/// Read one manifest file (`name` is how it was named: a path or `-`).
pub fn read(name: &str, text: &str) -> Result<K8sFile, FileError> {
    let mut declared = Vec::new();
    let mut file = read_each(name, text, &mut |d| declared.push(d))?;
    file.declared = declared;
    Ok(file)
}

/// [`read`], each workload handed to `each` as soon as its document is read
/// (the returned `declared` stays empty): memory holds one document at a time.
pub fn read_each(name: &str, text: &str, each: &mut dyn FnMut(Declared)) -> Result<K8sFile, FileError> {
    if let Some(line) = unrendered_template(text) {
        return Err(FileError::new(
            name,
            Pos {
                line,
                column: 1,
                src: 0,
            },
            "an unrendered template (`{{ … }}`): render it first (`helm template CHART | vigie audit k8s -`)",
        ));
    }
    let mut out = K8sFile::default();
    let mut number = 0;
    // Documents one at a time: a stream of 10,000 holds one in memory.
    yaml::load_each(text, 0, &mut |doc| {
        number += 1;
        if !doc.is_null() {
            object(name, &doc, String::new(), number, &mut out, each);
        }
        Ok(())
    })
    .map_err(|e| FileError::yaml(name, e))?;
    Ok(out)
}

fn object(file: &str, doc: &Node, prefix: String, number: usize, out: &mut K8sFile, each: &mut dyn FnMut(Declared)) {
    out.documents += 1;
    let Some(kind) = doc.get("kind").and_then(Node::as_str) else {
        out.notices.push(Notice {
            file: file.to_string(),
            line: doc.pos.line,
            message: format!("document {number} is not a Kubernetes object (no `kind`): skipped"),
            incomplete: true,
        });
        return;
    };
    if kind == "List" || kind.ends_with("List") && doc.get("items").is_some() {
        out.documents -= 1;
        for (i, item) in doc
            .get("items")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            object(file, item, format!("{prefix}items[{i}]."), number, out, each);
        }
        return;
    }
    let (template, spec_path, meta_path): (Option<&Node>, &str, &str) = match kind {
        "Pod" => (Some(doc), "spec", "metadata"),
        "CronJob" => (
            doc.get("spec")
                .and_then(|s| s.get("jobTemplate"))
                .and_then(|j| j.get("spec"))
                .and_then(|s| s.get("template")),
            "spec.jobTemplate.spec.template.spec",
            "spec.jobTemplate.spec.template.metadata",
        ),
        _ => (
            doc.get("spec").and_then(|s| s.get("template")),
            "spec.template.spec",
            "spec.template.metadata",
        ),
    };
    let spec = template.and_then(|t| t.get_some("spec"));
    let has_containers = spec.is_some_and(|s| s.get("containers").is_some());
    if !has_containers {
        if NOT_WORKLOADS.contains(&kind) || template.is_none() {
            *out.other_kinds.entry(kind.to_string()).or_default() += 1;
        } else {
            out.notices.push(Notice {
                file: file.to_string(),
                line: doc.pos.line,
                message: format!("{kind} document {number} has a pod template without containers: skipped"),
                incomplete: true,
            });
        }
        return;
    }
    let Some(spec) = spec else { return };
    for list in ["containers", "initContainers", "ephemeralContainers"] {
        if let Some(v) = spec.get_some(list)
            && v.as_seq().is_none()
        {
            out.notices.push(Notice {
                file: file.to_string(),
                line: v.pos.line,
                message: format!(
                    "{kind} document {number}: `{list}` is {}, not a list: its containers were not audited",
                    v.kind_name()
                ),
                incomplete: true,
            });
        }
    }
    let meta = doc.get_some("metadata");
    let name = meta
        .and_then(|m| m.get("name").or_else(|| m.get("generateName")))
        .and_then(Node::as_str)
        .unwrap_or("(unnamed)");
    let namespace = meta.and_then(|m| m.get("namespace")).and_then(Node::as_str);
    let target = match namespace {
        Some(ns) => format!("{ns}/{kind}/{name}"),
        None => format!("{kind}/{name}"),
    };
    let template_meta = template.and_then(|t| t.get_some("metadata"));
    let annotations = template_meta.and_then(|m| m.get_some("annotations"));
    let spec_path = format!("{prefix}{spec_path}");
    let _ = meta_path;
    let mut declared = Declared {
        kind: InputKind::Kubernetes,
        file: file.into(),
        name: target.clone(),
        containers: Vec::new(),
        pod: None,
        pss: Vec::new(),
    };
    let mut refs = Vec::new();
    let mut facts = PodFacts {
        target: target.clone(),
        namespace: namespace.map(str::to_string),
        automount_token: spec.get("automountServiceAccountToken").and_then(Node::as_bool),
        service_account: spec
            .get("serviceAccountName")
            .or_else(|| spec.get("serviceAccount"))
            .and_then(Node::as_str)
            .map(str::to_string),
        host_process: spec
            .get("securityContext")
            .and_then(|s| s.get("windowsOptions"))
            .and_then(|w| w.get("hostProcess"))
            .and_then(Node::as_bool)
            == Some(true),
        ..PodFacts::default()
    };
    let mut pod_fields = FieldMap::default();
    let sp = |k: &str| format!("{spec_path}.{k}");
    pod_fields.set(
        "spec.automountServiceAccountToken",
        Loc::new(
            sp("automountServiceAccountToken"),
            spec.key_pos("automountServiceAccountToken"),
        ),
    );
    let sa_key = if spec.get("serviceAccountName").is_none() && spec.get("serviceAccount").is_some() {
        "serviceAccount"
    } else {
        "serviceAccountName"
    };
    pod_fields.set("spec.serviceAccountName", Loc::new(sp(sa_key), spec.key_pos(sa_key)));
    pod_fields.set(
        "metadata.namespace",
        Loc::new(
            format!("{prefix}metadata.namespace"),
            meta.map_or(doc.key_pos("metadata"), |m| m.key_pos("namespace")),
        ),
    );
    pod_fields.set(
        "spec.securityContext.windowsOptions.hostProcess",
        Loc::new(
            sp("securityContext.windowsOptions.hostProcess"),
            spec.key_pos("securityContext"),
        ),
    );
    let volumes = spec.get("volumes").and_then(Node::as_seq).unwrap_or_default();
    for (i, v) in volumes.iter().enumerate() {
        if let (Some(vname), Some(hp)) = (v.get("name").and_then(Node::as_str), v.get_some("hostPath")) {
            let path = hp.get("path").and_then(Node::as_str).unwrap_or("").to_string();
            pod_fields.set(
                format!("spec.volumes[{vname}].hostPath.path"),
                Loc::new(format!("{spec_path}.volumes[{i}].hostPath.path"), hp.key_pos("path")),
            );
            facts.host_paths.push(HostPathVolume {
                name: vname.to_string(),
                path,
            });
        }
    }
    for list in ["initContainers", "containers", "ephemeralContainers"] {
        for (i, c) in spec
            .get(list)
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let cname = c.get("name").and_then(Node::as_str).unwrap_or("(unnamed)");
            let cpath = format!("{spec_path}.{list}[{i}]");
            let ctarget = format!("{target}[{cname}]");
            let (decl, pc) = container(
                c,
                &cpath,
                &ctarget,
                cname,
                list,
                spec,
                &spec_path,
                volumes,
                annotations,
                &mut pod_fields,
            );
            declared.containers.push(decl);
            facts.containers.push(pc);
            refs.push(PodContainerRef {
                node: c,
                path: cpath,
                target: ctarget,
                name: cname.to_string(),
            });
        }
    }
    declared.pss = pss::check(spec, &spec_path, annotations, &target, &refs);
    declared.pod = Some(DeclaredPod {
        facts,
        fields: pod_fields,
        anchor: Loc::new(spec_path.clone(), spec.pos),
    });
    each(declared);
}

/// A Kubernetes quantity (`512Mi`, `1G`, `250m`, `1e3`) as a number of units.
pub fn quantity(text: &str) -> Option<f64> {
    let t = text.trim();
    const SUFFIXES: &[(&str, f64)] = &[
        ("Ki", 1024.0),
        ("Mi", 1048576.0),
        ("Gi", 1073741824.0),
        ("Ti", 1099511627776.0),
        ("Pi", 1125899906842624.0),
        ("Ei", 1152921504606846976.0),
        ("n", 1e-9),
        ("u", 1e-6),
        ("m", 1e-3),
        ("k", 1e3),
        ("M", 1e6),
        ("G", 1e9),
        ("T", 1e12),
        ("P", 1e15),
        ("E", 1e18),
    ];
    for (suffix, factor) in SUFFIXES {
        if let Some(num) = t.strip_suffix(suffix)
            && let Ok(n) = num.parse::<f64>()
        {
            return Some(n * factor).filter(|v| v.is_finite() && *v >= 0.0);
        }
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite() && *v >= 0.0)
}

fn strings(node: Option<&Node>) -> Vec<String> {
    node.map(Node::string_list).unwrap_or_default()
}

#[allow(clippy::too_many_arguments)]
fn container(
    c: &Node,
    cpath: &str,
    target: &str,
    cname: &str,
    list: &str,
    spec: &Node,
    spec_path: &str,
    volumes: &[Node],
    annotations: Option<&Node>,
    pod_fields: &mut FieldMap,
) -> (DeclaredContainer, PodContainer) {
    let mut f = FieldMap::default();
    let p = |k: &str| format!("{cpath}.{k}");
    let sc = c.get_some("securityContext");
    let psc = spec.get_some("securityContext");
    // Where a missing securityContext field should go: the container's
    // securityContext if it has one, else the container.
    let sc_pos = |k: &str| sc.map_or(c.pos, |s| s.key_pos(k));
    let sc_bool = |k: &str| sc.and_then(|s| s.get(k)).and_then(Node::as_bool);
    let psc_get = |k: &str| psc.and_then(|s| s.get_some(k));

    let mut host = RawHostConfig::default();
    let mut config = RawConfig::default();

    // Privileged, capabilities.
    let privileged = sc_bool("privileged") == Some(true);
    host.privileged = Some(privileged);
    f.set(
        "HostConfig.Privileged",
        Loc::new(p("securityContext.privileged"), sc_pos("privileged")),
    );
    let caps = sc.and_then(|s| s.get_some("capabilities"));
    let cap_pos = |k: &str| caps.map_or(sc_pos("capabilities"), |n| n.key_pos(k));
    host.cap_add = Some(strings(caps.and_then(|n| n.get("add"))));
    host.cap_drop = Some(strings(caps.and_then(|n| n.get("drop"))));
    f.set(
        "HostConfig.CapAdd",
        Loc::new(p("securityContext.capabilities.add"), cap_pos("add")),
    );
    f.set(
        "HostConfig.CapDrop",
        Loc::new(p("securityContext.capabilities.drop"), cap_pos("drop")).written("not set"),
    );
    f.set(
        "HostConfig.CapAdd/CapDrop",
        Loc::new(p("securityContext.capabilities"), sc_pos("capabilities")),
    );

    // Namespaces and network.
    let spec_flag = |k: &str| spec.get(k).and_then(Node::as_bool) == Some(true);
    if spec_flag("hostNetwork") {
        host.network_mode = Some("host".into());
    }
    if spec_flag("hostPID") {
        host.pid_mode = Some("host".into());
    }
    if spec_flag("hostIPC") {
        host.ipc_mode = Some("host".into());
    }
    f.set(
        "HostConfig.NetworkMode",
        Loc::new(format!("{spec_path}.hostNetwork"), spec.key_pos("hostNetwork")).written("true"),
    );
    f.set(
        "HostConfig.PidMode",
        Loc::new(format!("{spec_path}.hostPID"), spec.key_pos("hostPID")).written("true"),
    );
    f.set(
        "HostConfig.IpcMode",
        Loc::new(format!("{spec_path}.hostIPC"), spec.key_pos("hostIPC")).written("true"),
    );

    // Ports: only hostPort publishes on the node.
    let mut bindings: HashMap<String, Option<Vec<RawPortBinding>>> = HashMap::new();
    let mut exposed = HashMap::new();
    for (i, port) in c
        .get("ports")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let cport = port.get("containerPort").and_then(Node::as_str).unwrap_or("0");
        let proto = port
            .get("protocol")
            .and_then(Node::as_str)
            .unwrap_or("TCP")
            .to_ascii_lowercase();
        let key = format!("{cport}/{proto}");
        exposed.insert(key.clone(), serde_json::Value::Object(Default::default()));
        if let Some(hp) = port.get("hostPort").and_then(Node::as_i64).filter(|h| *h != 0) {
            let host_ip = port.get("hostIP").and_then(Node::as_str).unwrap_or("").to_string();
            bindings
                .entry(key)
                .or_insert_with(|| Some(Vec::new()))
                .get_or_insert_with(Vec::new)
                .push(RawPortBinding {
                    host_ip: Some(host_ip),
                    host_port: Some(hp.to_string()),
                });
            f.set_once(
                "HostConfig.PortBindings",
                Loc::new(format!("{cpath}.ports[{i}].hostPort"), port.key_pos("hostPort")),
            );
        }
    }
    host.port_bindings = Some(bindings);
    config.exposed_ports = Some(exposed);

    // Mounts: volumeMounts joined with the pod's volumes.
    let mut mounts = Vec::new();
    for (i, m) in c
        .get("volumeMounts")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let vname = m.get("name").and_then(Node::as_str).unwrap_or("");
        let dest = m.get("mountPath").and_then(Node::as_str).unwrap_or("").to_string();
        let read_only = m.get("readOnly").and_then(Node::as_bool) == Some(true);
        let volume = volumes
            .iter()
            .find(|v| v.get("name").and_then(Node::as_str) == Some(vname));
        let host_path = volume
            .and_then(|v| v.get_some("hostPath"))
            .and_then(|h| h.get("path"))
            .and_then(Node::as_str);
        let propagation = match m.get("mountPropagation").and_then(Node::as_str) {
            Some("Bidirectional") => "rshared",
            Some("HostToContainer") => "rslave",
            _ => "",
        };
        let (kind, source) = match host_path {
            Some(hp) => ("bind", hp.to_string()),
            None => ("volume", vname.to_string()),
        };
        f.set(
            format!("Mounts[{dest}]"),
            Loc::new(format!("{cpath}.volumeMounts[{i}]"), m.pos).written(match host_path {
                Some(hp) => format!(
                    "hostPath {hp} mounted at {dest}{}",
                    if read_only { " (readOnly)" } else { "" }
                ),
                None => format!("volume {vname} at {dest}"),
            }),
        );
        f.set(
            format!("Mounts[{dest}].Propagation"),
            Loc::new(
                format!("{cpath}.volumeMounts[{i}].mountPropagation"),
                m.key_pos("mountPropagation"),
            ),
        );
        mounts.push(RawMountPoint {
            kind: Some(kind.to_string()),
            name: (kind == "volume").then(|| source.clone()),
            source: Some(source),
            destination: Some(dest),
            rw: Some(!read_only),
            propagation: Some(propagation.to_string()),
        });
    }

    // Root filesystem.
    host.readonly_rootfs = Some(sc_bool("readOnlyRootFilesystem") == Some(true));
    f.set(
        "HostConfig.ReadonlyRootfs",
        Loc::new(
            p("securityContext.readOnlyRootFilesystem"),
            sc_pos("readOnlyRootFilesystem"),
        )
        .written(match sc_bool("readOnlyRootFilesystem") {
            Some(false) => "false",
            _ => "not set (false)",
        }),
    );

    // Seccomp, AppArmor, SELinux, privilege escalation, /proc.
    let mut opts = Vec::new();
    fn seccomp_type(n: Option<&Node>) -> Option<&str> {
        n.and_then(|s| s.get("seccompProfile"))
            .and_then(|s| s.get("type"))
            .and_then(Node::as_str)
    }
    let c_ann = |prefix: &str| {
        annotations
            .and_then(|a| a.get(&format!("{prefix}/{cname}")))
            .and_then(Node::as_str)
    };
    let pod_ann = annotations
        .and_then(|a| a.get("seccomp.security.alpha.kubernetes.io/pod"))
        .and_then(Node::as_str);
    let (seccomp, seccomp_loc) = if let Some(t) = seccomp_type(sc) {
        (
            t.to_string(),
            Loc::new(p("securityContext.seccompProfile.type"), sc_pos("seccompProfile")),
        )
    } else if let Some(a) = c_ann("container.seccomp.security.alpha.kubernetes.io") {
        (a.to_string(), Loc::new("metadata.annotations".to_string(), c.pos))
    } else if let Some(t) = seccomp_type(psc) {
        (
            t.to_string(),
            Loc::new(
                format!("{spec_path}.securityContext.seccompProfile.type"),
                psc.map_or(spec.pos, |s| s.key_pos("seccompProfile")),
            ),
        )
    } else if let Some(a) = pod_ann {
        (a.to_string(), Loc::new("metadata.annotations".to_string(), spec.pos))
    } else {
        (
            String::new(),
            Loc::new(p("securityContext.seccompProfile"), sc_pos("seccompProfile"))
                .written("not set (the kubelet's default is Unconfined)"),
        )
    };
    match seccomp.as_str() {
        "RuntimeDefault" | "runtime/default" | "docker/default" => {}
        "Localhost" => opts.push("seccomp=localhost".to_string()),
        s if s.starts_with("localhost/") => opts.push("seccomp=localhost".to_string()),
        _ => opts.push("seccomp=unconfined".to_string()),
    }
    f.set("HostConfig.SecurityOpt=seccomp=unconfined", seccomp_loc);

    let apparmor = sc
        .and_then(|s| s.get("appArmorProfile"))
        .and_then(|a| a.get("type"))
        .and_then(Node::as_str)
        .or_else(|| {
            psc.and_then(|s| s.get("appArmorProfile"))
                .and_then(|a| a.get("type"))
                .and_then(Node::as_str)
        })
        .or_else(|| c_ann("container.apparmor.security.beta.kubernetes.io"));
    let apparmor_profile = match apparmor {
        Some("Unconfined") | Some("unconfined") => "unconfined",
        Some(_) => "runtime/default",
        None => "",
    };
    f.set(
        "AppArmorProfile",
        Loc::new(p("securityContext.appArmorProfile.type"), sc_pos("appArmorProfile")),
    );

    let selinux = sc
        .and_then(|s| s.get_some("seLinuxOptions"))
        .or_else(|| psc_get("seLinuxOptions"));
    if let Some(ty) = selinux.and_then(|s| s.get("type")).and_then(Node::as_str) {
        if matches!(ty, "spc_t" | "unconfined_t") {
            opts.push("label=disable".to_string());
        } else {
            opts.push(format!("label=type:{ty}"));
        }
    }
    f.set(
        "HostConfig.SecurityOpt=label=disable",
        Loc::new(p("securityContext.seLinuxOptions.type"), sc_pos("seLinuxOptions")),
    );

    let caps_add = host.cap_add.clone().unwrap_or_default();
    let escalation_forced = privileged
        || caps_add
            .iter()
            .any(|c| c.eq_ignore_ascii_case("SYS_ADMIN") || c.eq_ignore_ascii_case("CAP_SYS_ADMIN"));
    if sc_bool("allowPrivilegeEscalation") == Some(false) && !escalation_forced {
        opts.push("no-new-privileges:true".to_string());
    }
    let nnp = Loc::new(
        p("securityContext.allowPrivilegeEscalation"),
        sc_pos("allowPrivilegeEscalation"),
    )
    .written(match sc_bool("allowPrivilegeEscalation") {
        Some(false) => "false, overridden by privileged or CAP_SYS_ADMIN",
        Some(true) => "true",
        None => "not set (true)",
    });
    let unmasked = sc.and_then(|s| s.get("procMount")).and_then(Node::as_str) == Some("Unmasked");
    if unmasked {
        host.masked_paths = Some(Vec::new());
    }
    f.set(
        "HostConfig.SecurityOpt=systempaths=unconfined",
        Loc::new(p("securityContext.procMount"), sc_pos("procMount")),
    );
    f.set(
        "HostConfig.SecurityOpt=MaskedPaths: []",
        Loc::new(p("securityContext.procMount"), sc_pos("procMount")).written("Unmasked"),
    );
    // The no-new-privileges evidence shows the whole option list: map its source.
    f.set("HostConfig.SecurityOpt", nnp);
    host.security_opt = Some(opts);

    // User.
    let uid = sc
        .and_then(|s| s.get("runAsUser"))
        .and_then(Node::as_i64)
        .or_else(|| psc_get("runAsUser").and_then(Node::as_i64));
    let gid = sc
        .and_then(|s| s.get("runAsGroup"))
        .and_then(Node::as_i64)
        .or_else(|| psc_get("runAsGroup").and_then(Node::as_i64));
    let nonroot = sc_bool("runAsNonRoot").or_else(|| psc_get("runAsNonRoot").and_then(Node::as_bool));
    let (user, user_loc) = match uid {
        Some(u) => {
            let at = if sc.and_then(|s| s.get("runAsUser")).is_some() {
                Loc::new(p("securityContext.runAsUser"), sc_pos("runAsUser"))
            } else {
                Loc::new(
                    format!("{spec_path}.securityContext.runAsUser"),
                    psc.map_or(spec.pos, |s| s.key_pos("runAsUser")),
                )
            };
            (
                match gid {
                    Some(g) => format!("{u}:{g}"),
                    None => u.to_string(),
                },
                at.written(u.to_string()),
            )
        }
        // The kubelet refuses to start a container as root when runAsNonRoot is true.
        None if nonroot == Some(true) => (
            "nonroot".to_string(),
            Loc::new(p("securityContext.runAsNonRoot"), sc_pos("runAsNonRoot")),
        ),
        None => (
            String::new(),
            Loc::new(p("securityContext.runAsNonRoot"), sc_pos("runAsNonRoot"))
                .written("runAsUser and runAsNonRoot not set (the image's user, root unless it sets one)"),
        ),
    };
    config.user = Some(user);
    f.set("Config.User", user_loc);

    // Environment: names only; Secrets read into the environment noted for the pod rules.
    let mut env = Vec::new();
    let mut secret_env = Vec::new();
    for (i, e) in c
        .get("env")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        if let Some(n) = e.get("name").and_then(Node::as_str) {
            env.push(format!("{n}="));
            if e.get("valueFrom").and_then(|v| v.get_some("secretKeyRef")).is_some() {
                secret_env.push(n.to_string());
                pod_fields.set(
                    format!("{list}[{cname}].env[{n}]"),
                    Loc::new(format!("{cpath}.env[{i}].valueFrom.secretKeyRef"), e.pos),
                );
            }
        }
    }
    for (i, e) in c
        .get("envFrom")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        if let Some(s) = e.get_some("secretRef") {
            let n = format!("envFrom:{}", s.get("name").and_then(Node::as_str).unwrap_or(""));
            pod_fields.set(
                format!("{list}[{cname}].env[{n}]"),
                Loc::new(format!("{cpath}.envFrom[{i}].secretRef"), e.pos),
            );
            secret_env.push(n);
        }
    }
    config.env = Some(env);
    f.set("Config.Env (names only)", Loc::new(p("env"), c.key_pos("env")));

    // Resources: limits.memory, limits.cpu; requests.cpu becomes the CPU weight, as the kubelet does.
    let res = c.get_some("resources");
    let limit = |k: &str| {
        res.and_then(|r| r.get("limits"))
            .and_then(|l| l.get(k))
            .and_then(Node::as_str)
            .and_then(quantity)
    };
    let request = |k: &str| {
        res.and_then(|r| r.get("requests"))
            .and_then(|l| l.get(k))
            .and_then(Node::as_str)
            .and_then(quantity)
    };
    host.memory = limit("memory").map(|b| b as i64);
    host.nano_cpus = limit("cpu").map(|c| (c * 1e9) as i64);
    host.cpu_shares = request("cpu").map(|c| ((c * 1024.0) as i64).max(2));
    let res_pos = |k: &str| {
        res.and_then(|r| r.get("limits"))
            .map_or(res.map_or(c.pos, |r| r.key_pos("limits")), |l| l.key_pos(k))
    };
    f.set(
        "HostConfig.Memory",
        Loc::new(p("resources.limits.memory"), res_pos("memory")).written("not set"),
    );
    f.set(
        "HostConfig.CpuShares/NanoCpus/CpuQuota",
        Loc::new(p("resources.limits.cpu"), res_pos("cpu")).written("limits.cpu and requests.cpu not set"),
    );

    // Probes stand for the health check.
    let probe = c.get_some("livenessProbe");
    config.healthcheck = Some(RawHealthConfig {
        test: probe.map(|_| vec!["CMD".to_string(), "livenessProbe".to_string()]),
    });
    f.set(
        "Config.Healthcheck",
        Loc::new(p("livenessProbe"), c.pos).written("no livenessProbe"),
    );
    f.set(
        "Config.Healthcheck.Test",
        Loc::new(p("livenessProbe"), c.key_pos("livenessProbe")),
    );

    // Sysctls are the pod's.
    let mut sysctls = HashMap::new();
    for (i, s) in psc_get("sysctls")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        if let Some(n) = s.get("name").and_then(Node::as_str) {
            let v = s.get("value").and_then(Node::as_str).unwrap_or("").to_string();
            f.set(
                format!("HostConfig.Sysctls[{n}]"),
                Loc::new(format!("{spec_path}.securityContext.sysctls[{i}]"), s.pos).written(format!("{n}={v}")),
            );
            sysctls.insert(n.to_string(), v);
        }
    }
    host.sysctls = Some(sysctls);

    // Image and command.
    let image = c.get("image").and_then(Node::as_str).unwrap_or("").to_string();
    config.image = Some(image.clone());
    f.set("Config.Image", Loc::new(p("image"), c.key_pos("image")));
    let command = strings(c.get("command"));
    let args = strings(c.get("args"));
    config.entrypoint = Some(StringOrList::List(command));
    config.cmd = Some(StringOrList::List(args));
    f.set("Config.Entrypoint+Cmd", Loc::new(p("command"), c.key_pos("command")));

    let snapshot = crate::declared_snapshot(target, config, host, mounts, None, Some(apparmor_profile.to_string()));
    let pc = PodContainer {
        key: format!("{list}[{cname}]"),
        name: cname.to_string(),
        image,
        pull_policy: c.get("imagePullPolicy").and_then(Node::as_str).map(str::to_string),
        secret_env,
        host_process: sc
            .and_then(|s| s.get("windowsOptions"))
            .and_then(|w| w.get("hostProcess"))
            .and_then(Node::as_bool)
            == Some(true),
    };
    pod_fields.set(
        format!("{list}[{cname}].imagePullPolicy"),
        Loc::new(p("imagePullPolicy"), c.key_pos("imagePullPolicy")),
    );
    pod_fields.set(
        format!("{list}[{cname}].securityContext.windowsOptions.hostProcess"),
        Loc::new(
            p("securityContext.windowsOptions.hostProcess"),
            sc_pos("windowsOptions"),
        ),
    );
    (
        DeclaredContainer {
            snapshot,
            fields: f,
            anchor: Loc::new(cpath.to_string(), c.pos),
            // Init containers take no probes; ephemeral ones no probes, ports or resources.
            skip: match list {
                "initContainers" => vec!["VGI-CTR-029"],
                "ephemeralContainers" => vec!["VGI-CTR-029", "VGI-CTR-011", "VGI-CTR-012"],
                _ => Vec::new(),
            },
        },
        pc,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit_declared;

    fn ids(text: &str) -> Vec<(String, String, usize, String)> {
        let file = read("m.yaml", text).unwrap();
        let mut out: Vec<(String, String, usize, String)> = file
            .declared
            .iter()
            .flat_map(audit_declared)
            .map(|f| {
                let l = f.location.unwrap();
                (f.target, f.rule_id.to_string(), l.line, l.path)
            })
            .collect();
        out.sort();
        out
    }

    #[test]
    fn every_workload_kind_lists_and_json() {
        let text = r#"{"kind": "List", "items": [
  {"kind": "CronJob", "metadata": {"name": "c", "namespace": "n"},
   "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [
     {"name": "a", "image": "x:1", "securityContext": {"privileged": true}}]}}}}}},
  {"kind": "Service", "metadata": {"name": "s"}}
]}
---
kind: StatefulSet
metadata: {name: db}
spec:
  template:
    spec:
      initContainers:
        - name: init
          image: busybox:1
          securityContext: {runAsUser: 0}
      containers:
        - name: db
          image: postgres:16
"#;
        let found = ids(text);
        let privileged = found.iter().find(|f| f.1 == "VGI-CTR-001").unwrap();
        assert_eq!(privileged.0, "n/CronJob/c[a]");
        assert_eq!(privileged.2, 4);
        assert_eq!(
            privileged.3,
            "items[0].spec.jobTemplate.spec.template.spec.containers[0].securityContext.privileged"
        );
        let root = found
            .iter()
            .find(|f| f.0 == "StatefulSet/db[init]" && f.1 == "VGI-CTR-037")
            .unwrap();
        assert_eq!(
            (root.2, root.3.as_str()),
            (16, "spec.template.spec.initContainers[0].securityContext.runAsUser")
        );
        // An init container takes no probe; the main one is reported.
        assert!(
            !found
                .iter()
                .any(|f| f.0 == "StatefulSet/db[init]" && f.1 == "VGI-CTR-029")
        );
        assert!(
            found
                .iter()
                .any(|f| f.0 == "StatefulSet/db[db]" && f.1 == "VGI-CTR-029")
        );
        let file = read("m.yaml", text).unwrap();
        assert_eq!(file.other_kinds.get("Service"), Some(&1));
        assert_eq!(file.documents, 3, "{:?} {:?}", file.other_kinds, file.notices);
    }

    #[test]
    fn a_hardened_deployment_has_no_container_finding() {
        let text = "kind: Deployment\nmetadata: {name: w, namespace: prod}\nspec:\n  template:\n    spec:\n      automountServiceAccountToken: false\n      serviceAccountName: w\n      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}\n      containers:\n        - name: w\n          image: w@sha256:0000000000000000000000000000000000000000000000000000000000000000\n          securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}\n          resources: {limits: {memory: 128Mi, cpu: 250m}}\n          livenessProbe: {httpGet: {path: /, port: 8080}}\n";
        assert_eq!(ids(text), Vec::<(String, String, usize, String)>::new());
        let file = read("m.yaml", text).unwrap();
        assert!(file.declared[0].pss.is_empty(), "{:?}", file.declared[0].pss);
    }

    #[test]
    fn malformed_and_unrendered_manifests() {
        let e = read("t.yaml", "kind: Pod\nmetadata:\n  name: {{ .Values.name }}\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("helm template"));
        let file = read("t.yaml", "kind: Pod\nspec:\n  containers: {a: b}\n---\n- 1\n").unwrap();
        assert_eq!(file.notices.len(), 2, "{:?}", file.notices);
        assert!(file.notices.iter().all(|n| n.incomplete));
    }

    #[test]
    fn quantities() {
        assert_eq!(quantity("512Mi"), Some(536870912.0));
        assert_eq!(quantity("1G"), Some(1e9));
        assert_eq!(quantity("250m"), Some(0.25));
        assert_eq!(quantity("2"), Some(2.0));
        assert_eq!(quantity("1e3"), Some(1000.0));
        assert_eq!(quantity("lots"), None);
        assert_eq!(quantity("-1"), None);
    }
}
