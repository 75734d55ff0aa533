//! Pod rules (VGI-K8S-*): what only a Kubernetes pod spec can say — the
//! service account and its token, hostPath volumes, Secrets passed as
//! environment variables, Windows HostProcess, pull policy, namespace. Each
//! container of the pod is judged by the container rules (VGI-CTR-*), with
//! the same ids as for `docker run` and Compose; these rules add the rest.
//! Input: plain facts read from a manifest (or, later, the API) by
//! `vigie-manifest`; evidence sources are keys the reader maps back to the
//! file.

use crate::finding::{Finding, Mitigation, RuleInfo, Severity, StaticFix};
use crate::rule_builders::rule;
use Mitigation::{NoPrivileged, RegularScans, UpToDate};
use Severity::{Critical, Info, Low, Medium};

/// A Kubernetes-only fix: no `docker run` flag or Compose key says it.
const fn kfix(summary: &'static str, kubernetes: &'static str) -> StaticFix {
    StaticFix {
        summary,
        docker_run: None,
        compose: None,
        kubernetes: Some(kubernetes),
    }
}

pub const K8S_TOKEN_AUTOMOUNT: RuleInfo = rule(
    "VGI-K8S-001",
    "Service account token mounted",
    Low,
    None,
    NoPrivileged,
    "Every container gets a token of the pod's service account at /var/run/secrets/kubernetes.io/serviceaccount unless the pod opts out: code execution in any container becomes API access with that account's rights, which is how most in-cluster escalations start.",
    kfix(
        "Do not mount the API token into pods that do not call the API",
        "spec.automountServiceAccountToken: false",
    ),
)
.detected(
    "The pod template's `automountServiceAccountToken` is not `false` (unset means true; the service account's own setting is not visible in a manifest).",
);

pub const K8S_DEFAULT_SA: RuleInfo = rule(
    "VGI-K8S-002",
    "Default service account",
    Low,
    None,
    NoPrivileged,
    "The namespace's `default` service account is shared by every pod that names none: rights granted to it for one workload are granted to all of them, and its token cannot be told apart in audit logs.",
    kfix(
        "Give the workload its own service account with only the rights it needs",
        "spec.serviceAccountName: web (a dedicated ServiceAccount)",
    ),
)
.detected(
    "`serviceAccountName` (or the deprecated `serviceAccount`) is unset or `default`, and the token is mounted (a pod that does not mount the token cannot use the account).",
);

pub const K8S_HOSTPATH: RuleInfo = rule(
    "VGI-K8S-003",
    "hostPath volume",
    Medium,
    None,
    NoPrivileged,
    "A hostPath volume puts a node directory in the pod: the pod depends on one node's files, can fill its disk, and a writable hostPath lets a container plant files the node (or the next pod scheduled there) trusts. The Pod Security Standards' baseline forbids every hostPath.",
    kfix(
        "Use a persistentVolumeClaim, configMap, secret or emptyDir volume instead",
        "volumes: - name: data, persistentVolumeClaim: {claimName: data}",
    ),
)
.detected(
    "A volume of the pod template is `hostPath` on a path the container rules do not already report (system paths, engine sockets: VGI-CTR-004/005/006).",
);

pub const K8S_DEFAULT_NAMESPACE: RuleInfo = rule(
    "VGI-K8S-004",
    "Workload in the default namespace",
    Info,
    None,
    NoPrivileged,
    "The default namespace is where everything lands by accident: RBAC, network policies, quotas and Pod Security admission labels are set per namespace, and a workload sharing `default` shares whatever it has (usually nothing).",
    kfix(
        "Put the workload in a namespace of its own",
        "metadata.namespace: web",
    ),
)
.detected(
    "`metadata.namespace` is `default`, or unset (the manifest lands wherever `kubectl -n` points, `default` unless told).",
);

pub const K8S_SECRET_ENV: RuleInfo = rule(
    "VGI-K8S-005",
    "Secret passed as an environment variable",
    Low,
    None,
    RegularScans,
    "A Secret read into the environment is visible to every process of the container and their children, is printed by crash reporters and debugging tools, and is not updated when the Secret changes; a Secret volume has none of these problems.",
    kfix(
        "Mount the Secret as a volume and read the file",
        "volumes: - name: creds, secret: {secretName: creds} (not env valueFrom.secretKeyRef / envFrom.secretRef)",
    ),
)
.detected(
    "A container's `env[].valueFrom.secretKeyRef` or `envFrom[].secretRef`.",
);

pub const K8S_HOST_PROCESS: RuleInfo = rule(
    "VGI-K8S-006",
    "Windows HostProcess container",
    Critical,
    None,
    NoPrivileged,
    "A HostProcess container runs as a process on the Windows node, with the node's network and file system and, usually, SYSTEM rights: it is the Windows equivalent of a privileged container.",
    kfix(
        "Run a normal Windows container",
        "securityContext.windowsOptions.hostProcess: false",
    ),
)
.detected(
    "`securityContext.windowsOptions.hostProcess` is true on the pod or a container.",
);

pub const K8S_PULL_POLICY: RuleInfo = rule(
    "VGI-K8S-007",
    "Image not pulled on every start",
    Low,
    None,
    UpToDate,
    "With IfNotPresent (the default for a tagged image) a node runs whatever image it already has under that tag: a rebuilt image with fixes never reaches nodes that cached the old one, and any pod on the node can use an image pulled with someone else's credentials.",
    kfix(
        "Pin the image by digest, or pull it on every start",
        "image: name@sha256:… (or imagePullPolicy: Always)",
    ),
)
.detected(
    "A container whose image has no digest and whose `imagePullPolicy` is not `Always` (unset means `Always` for `:latest` or no tag, `IfNotPresent` otherwise).",
);

pub const K8S_PSS: RuleInfo = rule(
    "VGI-K8S-008",
    "Pod Security Standards control broken",
    Medium,
    None,
    NoPrivileged,
    "The Pod Security Standards (baseline, restricted) are what Kubernetes' built-in Pod Security admission enforces per namespace: a pod template that breaks a control of the namespace's level is refused at creation, or runs with less protection than the policy promises.",
    kfix(
        "Change the field the control names, or run the workload in a namespace whose level allows it (and say why)",
        "see the control in the message: https://kubernetes.io/docs/concepts/security/pod-security-standards/",
    ),
)
.detected(
    "With `--pss baseline|restricted`: every control of that level the pod template breaks, evaluated as the Pod Security admission controller does (containers, initContainers and ephemeralContainers), that no other finding already reports.",
);

/// Every pod rule, in id order.
pub const RULES: &[&RuleInfo] = &[
    &K8S_TOKEN_AUTOMOUNT,
    &K8S_DEFAULT_SA,
    &K8S_HOSTPATH,
    &K8S_DEFAULT_NAMESPACE,
    &K8S_SECRET_ENV,
    &K8S_HOST_PROCESS,
    &K8S_PULL_POLICY,
    &K8S_PSS,
];

/// A hostPath volume of the pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPathVolume {
    pub name: String,
    pub path: String,
}

/// One container's pod-relevant facts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PodContainer {
    /// `containers[web]`, `initContainers[setup]`… (the key the reader maps back).
    pub key: String,
    pub name: String,
    pub image: String,
    pub pull_policy: Option<String>,
    /// Variables read from a Secret (`envFrom` secret names as `envFrom:NAME`).
    pub secret_env: Vec<String>,
    pub host_process: bool,
}

/// What a pod template says, for the pod rules.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PodFacts {
    /// `Deployment/web`, `prod/CronJob/backup`.
    pub target: String,
    pub namespace: Option<String>,
    pub automount_token: Option<bool>,
    pub service_account: Option<String>,
    pub host_paths: Vec<HostPathVolume>,
    pub host_process: bool,
    pub containers: Vec<PodContainer>,
}

fn digest_pinned(image: &str) -> bool {
    image.contains("@sha256:") || image.contains("@sha512:")
}

fn default_pull_always(image: &str) -> bool {
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':') {
        None => true,
        Some((_, tag)) => tag == "latest",
    }
}

/// Every pod-rule finding for one pod template.
pub fn audit_pod(p: &PodFacts) -> Vec<Finding> {
    let mut out = Vec::new();
    let found = |rule: &RuleInfo, message: String| Finding::from_rule(rule, p.target.as_str(), message);
    let token = p.automount_token != Some(false);
    if token {
        out.push(
            found(
                &K8S_TOKEN_AUTOMOUNT,
                "mounts the service account's API token".to_string(),
            )
            .with_evidence(
                "spec.automountServiceAccountToken",
                p.automount_token
                    .map_or("not set (true)".to_string(), |b| b.to_string()),
            ),
        );
    }
    let sa = p.service_account.as_deref().unwrap_or("");
    if token && (sa.is_empty() || sa == "default") {
        out.push(
            found(
                &K8S_DEFAULT_SA,
                "runs as the namespace's default service account".to_string(),
            )
            .with_evidence(
                "spec.serviceAccountName",
                if sa.is_empty() { "not set (default)" } else { sa },
            ),
        );
    }
    for v in &p.host_paths {
        let path = crate::container::normalise_host_path(&v.path);
        if crate::container::sensitive_host_path(&path) {
            continue;
        }
        out.push(
            found(
                &K8S_HOSTPATH,
                format!("mounts the node's {} (volume {})", v.path, v.name),
            )
            .with_evidence(format!("spec.volumes[{}].hostPath.path", v.name), v.path.clone()),
        );
    }
    match p.namespace.as_deref() {
        None => out.push(
            found(
                &K8S_DEFAULT_NAMESPACE,
                "names no namespace (default unless kubectl -n says otherwise)".to_string(),
            )
            .with_evidence("metadata.namespace", "not set"),
        ),
        Some("default") => out.push(
            found(&K8S_DEFAULT_NAMESPACE, "is in the default namespace".to_string())
                .with_evidence("metadata.namespace", "default"),
        ),
        Some(_) => {}
    }
    if p.host_process {
        out.push(
            found(&K8S_HOST_PROCESS, "runs as a Windows HostProcess pod".to_string())
                .with_evidence("spec.securityContext.windowsOptions.hostProcess", "true"),
        );
    }
    for c in &p.containers {
        for var in &c.secret_env {
            out.push(
                found(
                    &K8S_SECRET_ENV,
                    format!("container {} reads a Secret into the environment ({var})", c.name),
                )
                .with_evidence(format!("{}.env[{var}]", c.key), "valueFrom.secretKeyRef"),
            );
        }
        if c.host_process && !p.host_process {
            out.push(
                found(
                    &K8S_HOST_PROCESS,
                    format!("container {} runs as a Windows HostProcess", c.name),
                )
                .with_evidence(format!("{}.securityContext.windowsOptions.hostProcess", c.key), "true"),
            );
        }
        if !c.image.is_empty() && !digest_pinned(&c.image) {
            let policy = c.pull_policy.as_deref();
            let always = match policy {
                Some(p) => p == "Always",
                None => default_pull_always(&c.image),
            };
            if !always {
                out.push(
                    found(
                        &K8S_PULL_POLICY,
                        format!("container {} may run a cached {} without pulling it", c.name, c.image),
                    )
                    .with_evidence(
                        format!("{}.imagePullPolicy", c.key),
                        policy.map_or("not set (IfNotPresent)".to_string(), str::to_string),
                    ),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(p: &PodFacts) -> Vec<String> {
        audit_pod(p).into_iter().map(|f| f.rule_id.to_string()).collect()
    }

    #[test]
    fn an_unset_pod_spec_gets_the_defaults_findings() {
        let p = PodFacts {
            target: "Deployment/web".into(),
            containers: vec![PodContainer {
                key: "containers[web]".into(),
                name: "web".into(),
                image: "nginx:1.27".into(),
                ..PodContainer::default()
            }],
            ..PodFacts::default()
        };
        assert_eq!(ids(&p), ["VGI-K8S-001", "VGI-K8S-002", "VGI-K8S-004", "VGI-K8S-007"]);
    }

    #[test]
    fn a_hardened_pod_has_none() {
        let p = PodFacts {
            target: "prod/Deployment/web".into(),
            namespace: Some("prod".into()),
            automount_token: Some(false),
            host_paths: vec![HostPathVolume {
                name: "root".into(),
                path: "/".into(),
            }],
            containers: vec![PodContainer {
                key: "containers[web]".into(),
                name: "web".into(),
                image: "nginx@sha256:0000000000000000000000000000000000000000000000000000000000000000".into(),
                ..PodContainer::default()
            }],
            ..PodFacts::default()
        };
        assert!(ids(&p).is_empty(), "{:?}", ids(&p));
        let p = PodFacts {
            host_paths: vec![HostPathVolume {
                name: "data".into(),
                path: "/srv/data".into(),
            }],
            ..p
        };
        assert_eq!(ids(&p), ["VGI-K8S-003"]);
    }
}
