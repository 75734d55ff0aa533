//! Image configuration checks (lab §2.3): the image's config and files
//! judged before any container runs. Findings use the shared model; the
//! `audit image` command prints them.

use crate::config::ImageConfig;
use crate::source::{Image, SourceKind};
use crate::view::{Entry, EntryKind, FileSystemView, ViewOptions, Want};
use vigie_rules::{Finding, Mitigation, RuleInfo, Severity, StaticFix};

const MAX_EVIDENCE: usize = 25;

macro_rules! rule {
    ($name:ident, $id:literal, $title:literal, $sev:expr, $cis:expr, $mit:expr, $why:literal, $fix:literal) => {
        pub const $name: RuleInfo = RuleInfo {
            id: $id,
            title: $title,
            severity: $sev,
            cis: $cis,
            mitigation: $mit,
            rationale: $why,
            fix: StaticFix {
                summary: $fix,
                docker_run: None,
                compose: None,
                kubernetes: None,
            },
        };
    };
}

rule!(
    RUNS_AS_ROOT,
    "VGI-IMG-001",
    "Image runs as root",
    Severity::High,
    Some("4.1"),
    Mitigation::NonRootUser,
    "Without a USER (or with USER root, 0, or a name with uid 0), every container of this image runs as root; a process that escapes the container is root on the host unless user namespaces are on.",
    "Create a dedicated user in the Dockerfile (`RUN useradd --system --uid 10001 app`) and end with `USER 10001`."
);
rule!(
    LATEST_TAG,
    "VGI-IMG-002",
    "Image referenced by `latest` or no tag",
    Severity::Low,
    None,
    Mitigation::UpToDate,
    "`latest` moves: the same reference gives different images on different days, so what was scanned is not what runs.",
    "Reference images by an explicit version tag, or better by digest (`name@sha256:…`)."
);
rule!(
    SECRET_IN_CONFIG,
    "VGI-IMG-003",
    "Secret in image environment or labels",
    Severity::High,
    Some("4.10"),
    Mitigation::RegularScans,
    "ENV and LABEL values are stored in the image configuration: anyone who can pull the image (or run `docker inspect`) reads them.",
    "Pass secrets at run time (`docker run --env-file`, Docker/Kubernetes secrets, a secret manager), never in ENV or LABEL; rotate the exposed value."
);
rule!(
    SECRET_FILE,
    "VGI-IMG-004",
    "Secret file in the image",
    Severity::High,
    Some("4.10"),
    Mitigation::RegularScans,
    "Private keys, `.env` files and cloud credentials in a layer can be read by anyone with the image; deleting them in a later layer does not remove them from the lower layer.",
    "Use build secrets (`RUN --mount=type=secret`) or multi-stage builds so the file never lands in a layer; rotate the exposed credential."
);
rule!(
    SETUID_FILES,
    "VGI-IMG-005",
    "setuid or setgid files",
    Severity::Medium,
    Some("4.8"),
    Mitigation::NoPrivileged,
    "setuid/setgid binaries let a process gain another user's (usually root's) privileges: the classic way up from an unprivileged shell.",
    "Strip the bits in the Dockerfile (`RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +`) and run with `--security-opt no-new-privileges`."
);
rule!(
    FILE_CAPABILITIES,
    "VGI-IMG-006",
    "Files with capabilities",
    Severity::Medium,
    Some("4.8"),
    Mitigation::NoPrivileged,
    "File capabilities (security.capability) grant privileges on exec, like a narrower setuid bit (cap_setuid amounts to root).",
    "Remove them (`setcap -r FILE`) unless the binary needs them, and drop capabilities at run time (`--cap-drop ALL`)."
);
rule!(
    WORLD_WRITABLE,
    "VGI-IMG-007",
    "World-writable files or directories",
    Severity::Medium,
    None,
    Mitigation::NonRootUser,
    "Any user in the container can change a world-writable file (an entrypoint, a script run by root) or plant files in a world-writable directory without the sticky bit.",
    "Fix the modes in the Dockerfile (`chmod o-w`), give directories to the app user, keep the sticky bit on shared directories."
);
rule!(
    NO_HEALTHCHECK,
    "VGI-IMG-008",
    "No HEALTHCHECK",
    Severity::Low,
    Some("4.6"),
    Mitigation::UpToDate,
    "Without a HEALTHCHECK the engine cannot tell a hung service from a healthy one, so nothing restarts or alerts on it.",
    "Add `HEALTHCHECK CMD …` to the Dockerfile (or a healthcheck in Compose / probes in Kubernetes)."
);
rule!(
    ADD_REMOTE,
    "VGI-IMG-009",
    "ADD of a remote URL",
    Severity::Medium,
    Some("4.9"),
    Mitigation::UpToDate,
    "`ADD https://…` downloads at build time without a checksum: the content can change or be tampered with between builds.",
    "Use `COPY` for local files; download with `curl` and verify a checksum (or `ADD --checksum=sha256:…`)."
);
rule!(
    SUDO_INSTALLED,
    "VGI-IMG-010",
    "sudo installed",
    Severity::Medium,
    None,
    Mitigation::NonRootUser,
    "sudo in a container is a ready-made path from the app user to root, and is never needed to run a service.",
    "Remove sudo from the image; do root-only work at build time, run as a non-root user."
);
rule!(
    SSH_SERVER,
    "VGI-IMG-011",
    "SSH server installed",
    Severity::High,
    Some("5.6"),
    Mitigation::IsolatedNetwork,
    "An SSH daemon adds a network login (often with weak or shared host keys and passwords); containers are reached with `docker exec`.",
    "Remove the SSH server from the image; use `docker exec` or `kubectl exec` for access."
);
rule!(
    EXPOSE_SSH,
    "VGI-IMG-012",
    "Port 22 exposed",
    Severity::Medium,
    None,
    Mitigation::IsolatedNetwork,
    "EXPOSE 22 announces an SSH service: it is published by `-P` and invites remote logins into the container.",
    "Remove `EXPOSE 22` and the SSH server."
);
rule!(
    PACKAGE_CACHE,
    "VGI-IMG-013",
    "Package-manager caches left in the image",
    Severity::Low,
    None,
    Mitigation::UpToDate,
    "apt lists, downloaded packages and pip/apk caches bloat the image and keep stale package indexes that age into misleading data.",
    "Clean in the same RUN step: `apt-get install … && rm -rf /var/lib/apt/lists/*`, `apk add --no-cache`, `pip install --no-cache-dir`."
);

rule!(
    RUNTIME_NAME_IS_ROOT,
    "VGI-IMG-014",
    "USER name runs as uid 0",
    Severity::Critical,
    Some("4.1"),
    Mitigation::NonRootUser,
    "The image names a user that reads as unprivileged (`USER appuser`), but its /etc/passwd gives that name uid 0, so every process runs as root while the Dockerfile, its reviewers and name-based policies say it does not (Kubernetes `runAsNonRoot` cannot verify a non-numeric USER either). Proven at runtime: the process started from the image has uid 0.",
    "Give the user its own non-zero uid (`RUN adduser -D -u 10001 appuser`), never edit /etc/passwd to uid 0, and end with a numeric `USER 10001:10001` that tools can verify."
);
rule!(
    RUNTIME_UID_WITHOUT_PASSWD,
    "VGI-IMG-015",
    "Runtime uid has no /etc/passwd entry",
    Severity::Low,
    None,
    Mitigation::NonRootUser,
    "The process runs with a uid the image does not define: no user name, no home directory (HOME=/), `whoami` and getpwuid() fail, and some programs (git, ssh, Python's getpass, the JVM's user.home) refuse to run or fall back to `/`; files it creates belong to an owner nobody can name, which invites ownership and permission mistakes (often papered over with chmod 777).",
    "Create the user with that uid in the image (`RUN adduser -D -H -u 4242 app` on Alpine, `useradd --system --uid 4242 app` on Debian), or switch to a uid the image already defines."
);

/// Every rule of this family, for docs and `--explain`.
pub const RULES: &[&RuleInfo] = &[
    &RUNS_AS_ROOT,
    &LATEST_TAG,
    &SECRET_IN_CONFIG,
    &SECRET_FILE,
    &SETUID_FILES,
    &FILE_CAPABILITIES,
    &WORLD_WRITABLE,
    &NO_HEALTHCHECK,
    &ADD_REMOTE,
    &SUDO_INSTALLED,
    &SSH_SERVER,
    &EXPOSE_SSH,
    &PACKAGE_CACHE,
    &RUNTIME_NAME_IS_ROOT,
    &RUNTIME_UID_WITHOUT_PASSWD,
];

fn is_secret_file_name(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    matches!(
        name,
        "id_rsa"
            | "id_dsa"
            | "id_ecdsa"
            | "id_ed25519"
            | ".env"
            | ".git-credentials"
            | ".netrc"
            | ".pgpass"
            | ".pypirc"
            | ".npmrc"
    ) || name.ends_with(".pem")
        || name.ends_with(".key")
        || name.ends_with(".env")
        || (name.starts_with("ssh_host_") && name.ends_with("_key"))
        || path.ends_with("/.aws/credentials")
        || path.ends_with("/.docker/config.json")
        || path.ends_with("/.kube/config")
}

fn want(path: &str, size: u64, _mode: u32) -> Want {
    if path == "/etc/passwd" || path == "/etc/group" || (size <= 1 << 20 && is_secret_file_name(path)) {
        Want::Content
    } else {
        Want::No
    }
}

/// The view the checks need: every entry's metadata, passwd, group and secret-looking files.
pub fn view_options() -> ViewOptions {
    ViewOptions {
        want,
        keep_all_metadata: true,
        ..Default::default()
    }
}

/// Open `target`, read it, and run every check.
pub fn check(target: &str) -> Result<(Image, Vec<Finding>), crate::ImageError> {
    let image = crate::open(target)?;
    let view = image.view(&view_options())?;
    let findings = check_image(&image, &view);
    Ok((image, findings))
}

fn layer_label(view: &FileSystemView, entry: &Entry) -> String {
    match entry.layer {
        Some(i) => format!(
            "layer {} ({})",
            i + 1,
            short(view.layer_diff_id(Some(i)).unwrap_or("?"))
        ),
        None => "filesystem".to_string(),
    }
}

fn short(digest: &str) -> &str {
    let hex = digest.strip_prefix("sha256:").unwrap_or(digest);
    &hex[..hex.len().min(12)]
}

/// Show a secret without disclosing it: its first 4 characters and its length.
pub fn redact(value: &str) -> String {
    let head: String = value.chars().take(4).collect();
    format!("{head}… ({} chars, redacted)", value.chars().count())
}

const SECRET_NAME_PARTS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "ACCESS_KEY",
    "PRIVATE_KEY",
    "CREDENTIAL",
];

/// A value that looks like a credential whatever its name.
pub fn secret_value_kind(value: &str) -> Option<&'static str> {
    let v = value.trim();
    let token = |prefix: &str, min: usize| {
        v.strip_prefix(prefix)
            .is_some_and(|rest| rest.len() >= min && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
    };
    if v.len() == 20 && v.starts_with("AKIA") && v[4..].chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) {
        Some("AWS access key id")
    } else if token("ghp_", 30) || token("gho_", 30) || token("github_pat_", 30) {
        Some("GitHub token")
    } else if token("sk_live_", 16) || token("rk_live_", 16) {
        Some("Stripe secret key")
    } else if token("xoxb-", 10) || token("xoxp-", 10) {
        Some("Slack token")
    } else if v.contains("PRIVATE KEY-----") {
        Some("private key")
    } else if let Some(rest) = v.split_once("://").map(|(_, r)| r)
        && let Some((userinfo, _)) = rest.split_once('@')
        && userinfo.contains(':')
    {
        Some("URL with a password")
    } else {
        None
    }
}

fn secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    !upper.ends_with("_FILE") && !upper.ends_with("_PATH") && SECRET_NAME_PARTS.iter().any(|p| upper.contains(p))
}

fn secret_in_pair(name: &str, value: &str) -> Option<String> {
    if value.is_empty() {
        return None;
    }
    if let Some(kind) = secret_value_kind(value) {
        return Some(kind.to_string());
    }
    if secret_name(name) && value.len() >= 4 && !value.starts_with('/') && !value.starts_with('$') {
        return Some("secret-looking name".to_string());
    }
    None
}

/// What makes a file's content a secret, if anything.
fn secret_content(path: &str, content: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(content);
    if text.contains("PRIVATE KEY-----") {
        return Some("private key".to_string());
    }
    if text.contains("aws_secret_access_key") {
        return Some("AWS credentials".to_string());
    }
    let name = path.rsplit('/').next().unwrap_or_default();
    if name.ends_with(".env") || name == ".git-credentials" || name == ".netrc" || name == ".pgpass" {
        let secrets: Vec<String> = text
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .filter_map(|l| l.split_once('=').or_else(|| l.split_once(':')))
            .filter_map(|(k, v)| secret_in_pair(k.trim(), v.trim()).map(|_| k.trim().to_string()))
            .collect();
        if !secrets.is_empty() {
            return Some(format!("credentials ({})", secrets.join(", ")));
        }
    }
    if path.ends_with("/.docker/config.json") && text.contains("\"auth\"") {
        return Some("registry credentials".to_string());
    }
    None
}

fn uid_of(view: &FileSystemView, user: &str) -> Option<u64> {
    let passwd = view.read("/etc/passwd")?;
    String::from_utf8_lossy(passwd).lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        (fields.first() == Some(&user))
            .then(|| fields.get(2).and_then(|u| u.parse().ok()))
            .flatten()
    })
}

fn check_user(target: &str, config: &ImageConfig, view: &FileSystemView, out: &mut Vec<Finding>) {
    let user = config.config.user.trim();
    let name = user.split(':').next().unwrap_or_default();
    let (root, why) = if name.is_empty() {
        (true, "no USER instruction: the default user is root".to_string())
    } else if name == "root" || name == "0" {
        (true, format!("USER {user}"))
    } else if let Ok(uid) = name.parse::<u64>() {
        (uid == 0, format!("USER {user}"))
    } else {
        match uid_of(view, name) {
            Some(0) => (true, format!("USER {user} has uid 0 in /etc/passwd")),
            _ => (false, String::new()),
        }
    };
    if root {
        out.push(
            Finding::from_rule(&RUNS_AS_ROOT, target, format!("{target} runs as root ({why})"))
                .with_evidence("Config.User", if user.is_empty() { "(empty)" } else { user }),
        );
    }
}

fn check_tag(image: &Image, target: &str, out: &mut Vec<Finding>) {
    if !matches!(image.kind, SourceKind::Engine) {
        return;
    }
    let reference = image.reference.strip_prefix("docker:").unwrap_or(&image.reference);
    if reference.contains('@')
        || reference.starts_with("sha256:")
        || reference.len() == 12 && reference.chars().all(|c| c.is_ascii_hexdigit())
    {
        return;
    }
    let last = reference.rsplit('/').next().unwrap_or(reference);
    match last.split_once(':') {
        None => out.push(
            Finding::from_rule(
                &LATEST_TAG,
                target,
                format!("{reference} has no tag: it means `latest`"),
            )
            .with_evidence("reference", reference),
        ),
        Some((_, "latest")) => out.push(
            Finding::from_rule(&LATEST_TAG, target, format!("{reference} uses the moving `latest` tag"))
                .with_evidence("reference", reference),
        ),
        _ => {}
    }
}

fn check_config(target: &str, config: &ImageConfig, out: &mut Vec<Finding>) {
    let mut hits = Vec::new();
    for (name, value) in config.env_pairs() {
        if let Some(kind) = secret_in_pair(name, value) {
            hits.push((
                format!("Config.Env {name}"),
                format!("{name}={} [{kind}]", redact(value)),
            ));
        }
    }
    for (name, value) in &config.config.labels {
        if let Some(kind) = secret_in_pair(name, value) {
            hits.push((
                format!("Config.Labels {name}"),
                format!("{name}={} [{kind}]", redact(value)),
            ));
        }
    }
    if !hits.is_empty() {
        let names: Vec<String> = hits
            .iter()
            .map(|(s, _)| s.rsplit(' ').next().unwrap_or_default().to_string())
            .collect();
        let mut f = Finding::from_rule(
            &SECRET_IN_CONFIG,
            target,
            format!(
                "{} secret-looking value(s) in the image config: {}",
                hits.len(),
                names.join(", ")
            ),
        );
        for (source, value) in hits {
            f = f.with_evidence(source, value);
        }
        out.push(f);
    }
    if !config.has_healthcheck() && (!config.config.cmd.is_empty() || !config.config.entrypoint.is_empty()) {
        out.push(
            Finding::from_rule(&NO_HEALTHCHECK, target, format!("{target} has no HEALTHCHECK"))
                .with_evidence("Config.Healthcheck", "(none)"),
        );
    }
    for h in &config.history {
        let by = &h.created_by;
        let add = by.contains("#(nop) ADD ") || by.starts_with("ADD ");
        if add && (by.contains("http://") || by.contains("https://")) {
            out.push(
                Finding::from_rule(&ADD_REMOTE, target, "a layer was built with ADD from a remote URL")
                    .with_evidence("history.created_by", by.as_str()),
            );
        }
    }
    if config
        .config
        .exposed_ports
        .keys()
        .any(|p| p == "22" || p.starts_with("22/"))
    {
        out.push(
            Finding::from_rule(&EXPOSE_SSH, target, "the image exposes port 22 (SSH)")
                .with_evidence("Config.ExposedPorts", "22/tcp"),
        );
    }
}

fn check_files(target: &str, view: &FileSystemView, out: &mut Vec<Finding>) {
    let mut setuid = Vec::new();
    let mut caps = Vec::new();
    let mut writable = Vec::new();
    let mut secrets = Vec::new();
    let mut caches: Vec<String> = Vec::new();
    for (path, entry) in view.entries() {
        match &entry.kind {
            EntryKind::File | EntryKind::Hardlink(_) => {
                if entry.mode & 0o6000 != 0 {
                    let bits = match (entry.mode & 0o4000 != 0, entry.mode & 0o2000 != 0) {
                        (true, true) => "setuid+setgid",
                        (true, false) => "setuid",
                        _ => "setgid",
                    };
                    setuid.push((
                        path.to_string(),
                        format!(
                            "{bits} {:04o} uid {} in {}",
                            entry.mode,
                            entry.uid,
                            layer_label(view, entry)
                        ),
                    ));
                }
                if entry.file_capabilities {
                    caps.push((
                        path.to_string(),
                        format!("security.capability set, in {}", layer_label(view, entry)),
                    ));
                }
                if entry.mode & 0o002 != 0 {
                    writable.push((path.to_string(), format!("file {:04o}", entry.mode)));
                }
                if let Some(content) = &entry.content
                    && is_secret_file_name(path)
                    && let Some(kind) = secret_content(path, content)
                {
                    secrets.push((path.to_string(), format!("{kind}, in {}", layer_label(view, entry))));
                }
            }
            EntryKind::Dir if entry.mode & 0o002 != 0 && entry.mode & 0o1000 == 0 => {
                writable.push((
                    path.to_string(),
                    format!("directory {:04o} without sticky bit", entry.mode),
                ));
            }
            _ => {}
        }
        let cached =
            (path.starts_with("/var/lib/apt/lists/") && !path.ends_with("/lock") && !path.contains("/partial"))
                || (path.starts_with("/var/cache/apt/archives/") && path.ends_with(".deb"))
                || path.starts_with("/var/cache/apk/")
                || path.starts_with("/root/.cache/pip/")
                || path.starts_with("/var/cache/yum/")
                || path.starts_with("/var/cache/dnf/");
        if cached && entry.is_file() {
            let area = path.split('/').take(5).collect::<Vec<_>>().join("/");
            if !caches.contains(&area) {
                caches.push(area);
            }
        }
    }
    for removed in &view.removed {
        if let Some(content) = &removed.entry.content
            && is_secret_file_name(&removed.path)
            && let Some(kind) = secret_content(&removed.path, content)
        {
            secrets.push((
                removed.path.clone(),
                format!(
                    "{kind}, deleted in layer {} but still in {}",
                    removed.removed_in + 1,
                    layer_label(view, &removed.entry)
                ),
            ));
        }
    }
    let mut push = |rule: &RuleInfo, items: Vec<(String, String)>, what: &str| {
        if items.is_empty() {
            return;
        }
        let listed: Vec<&str> = items.iter().take(5).map(|(p, _)| p.as_str()).collect();
        let more = if items.len() > 5 {
            format!(" and {} more", items.len() - 5)
        } else {
            String::new()
        };
        let mut f = Finding::from_rule(
            rule,
            target,
            format!("{} {what}: {}{more}", items.len(), listed.join(", ")),
        );
        for (path, value) in items.into_iter().take(MAX_EVIDENCE) {
            f = f.with_evidence(path, value);
        }
        out.push(f);
    };
    push(&SETUID_FILES, setuid, "setuid/setgid file(s)");
    push(&FILE_CAPABILITIES, caps, "file(s) with capabilities");
    push(&WORLD_WRITABLE, writable, "world-writable path(s)");
    push(&SECRET_FILE, secrets, "secret file(s)");
    if let Some(e) = ["/usr/bin/sudo", "/usr/sbin/sudo", "/bin/sudo"]
        .iter()
        .find_map(|p| view.entry(p).map(|e| (p, e)))
    {
        out.push(
            Finding::from_rule(&SUDO_INSTALLED, target, format!("sudo is installed ({})", e.0))
                .with_evidence(*e.0, layer_label(view, e.1)),
        );
    }
    if let Some(e) = ["/usr/sbin/sshd", "/usr/sbin/dropbear", "/usr/bin/dropbear"]
        .iter()
        .find_map(|p| view.entry(p).map(|e| (p, e)))
    {
        out.push(
            Finding::from_rule(&SSH_SERVER, target, format!("an SSH server is installed ({})", e.0))
                .with_evidence(*e.0, layer_label(view, e.1)),
        );
    }
    if !caches.is_empty() {
        let mut f = Finding::from_rule(
            &PACKAGE_CACHE,
            target,
            format!("package caches left in: {}", caches.join(", ")),
        );
        for c in caches.into_iter().take(MAX_EVIDENCE) {
            f = f.with_evidence(c, "non-empty");
        }
        out.push(f);
    }
}

/// Run every image check. `view` should come from `view_options()`.
pub fn check_image(image: &Image, view: &FileSystemView) -> Vec<Finding> {
    let target = image.name();
    let mut out = Vec::new();
    if image.kind != SourceKind::Dir {
        check_user(&target, &image.config, view, &mut out);
        check_tag(image, &target, &mut out);
        check_config(&target, &image.config, &mut out);
    }
    check_files(&target, view, &mut out);
    vigie_rules::sort_findings(&mut out);
    out
}

/// What a probe saw of the process an image starts: the `Uid:`, `Gid:` and
/// `Groups:` lines of its /proc/self/status (as `vigie inside` reports them).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RuntimeIds {
    /// Real, effective, saved and filesystem uid.
    pub uid: [u32; 4],
    /// Real, effective, saved and filesystem gid.
    pub gid: [u32; 4],
    /// Supplementary groups.
    pub groups: Vec<u32>,
}

/// The observed ids resolved against the image's own /etc/passwd and /etc/group.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RuntimeUser {
    /// USER as configured in the image (empty: none).
    pub configured: String,
    /// Effective uid and gid of the process.
    pub uid: u32,
    pub gid: u32,
    pub groups: Vec<u32>,
    /// The passwd name of the effective uid, when the image defines one.
    pub name: Option<String>,
    /// Its whole /etc/passwd line.
    pub passwd_line: Option<String>,
    pub group_name: Option<String>,
    /// Names of the supplementary groups, in the order of `groups` (None: unknown to /etc/group).
    pub group_names: Vec<Option<String>>,
    /// False when the image has no /etc/passwd at all.
    pub passwd_present: bool,
    pub observed: RuntimeIds,
}

fn database_lines(file: Option<&[u8]>) -> Vec<Vec<String>> {
    file.map(|bytes| {
        String::from_utf8_lossy(bytes)
            .lines()
            .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
            .map(|l| l.split(':').map(str::to_string).collect())
            .collect()
    })
    .unwrap_or_default()
}

/// First line whose field 2 (uid or gid) is `id`, as the C library's getpwuid/getgrgid do.
fn line_with_id(lines: &[Vec<String>], id: u32) -> Option<&Vec<String>> {
    lines
        .iter()
        .find(|f| f.get(2).and_then(|v| v.trim().parse::<u32>().ok()) == Some(id))
}

/// Resolve observed ids against the image's passwd and group files.
pub fn resolve_runtime_user(
    configured: &str,
    observed: &RuntimeIds,
    passwd: Option<&[u8]>,
    group: Option<&[u8]>,
) -> RuntimeUser {
    let users = database_lines(passwd);
    let groups = database_lines(group);
    let user = line_with_id(&users, observed.uid[1]);
    let group_name = |gid: u32| line_with_id(&groups, gid).and_then(|f| f.first().cloned());
    RuntimeUser {
        configured: configured.trim().to_string(),
        uid: observed.uid[1],
        gid: observed.gid[1],
        groups: observed.groups.clone(),
        name: user.and_then(|f| f.first().cloned()),
        passwd_line: user.map(|f| f.join(":")),
        group_name: group_name(observed.gid[1]),
        group_names: observed.groups.iter().map(|g| group_name(*g)).collect(),
        passwd_present: passwd.is_some(),
        observed: observed.clone(),
    }
}

fn ids_line(label: &str, ids: &[u32]) -> String {
    let values: Vec<String> = ids.iter().map(u32::to_string).collect();
    format!("{label}: {}", values.join(" ")).trim_end().to_string()
}

fn with_runtime_evidence(finding: Finding, user: &RuntimeUser) -> Finding {
    const STATUS: &str = "runtime /proc/self/status";
    finding
        .with_evidence(STATUS, ids_line("Uid", &user.observed.uid))
        .with_evidence(STATUS, ids_line("Gid", &user.observed.gid))
        .with_evidence(STATUS, ids_line("Groups", &user.observed.groups))
}

/// The runtime user checks (`audit image --runtime`), refining the static
/// findings of `check_image` in place rather than repeating them: uid 0 under
/// a root-looking USER confirms VGI-IMG-001 (evidence added); uid 0 under a
/// name that reads as unprivileged is VGI-IMG-014, which replaces VGI-IMG-001
/// (same problem, said precisely); a non-root uid missing from /etc/passwd is
/// VGI-IMG-015.
pub fn check_runtime(target: &str, user: &RuntimeUser, passwd: Option<&[u8]>, findings: &mut Vec<Finding>) {
    let configured = user.configured.as_str();
    let name = configured.split(':').next().unwrap_or_default();
    let shown = if configured.is_empty() { "(empty)" } else { configured };
    if user.uid == 0 {
        let root_looking = name.is_empty() || name == "root" || name.parse::<u64>().is_ok_and(|n| n == 0);
        if root_looking {
            match findings
                .iter_mut()
                .find(|f| f.rule_id == RUNS_AS_ROOT.id && f.target == target)
            {
                Some(f) => {
                    f.message.push_str(" (confirmed at runtime: uid 0)");
                    *f = with_runtime_evidence(f.clone(), user);
                }
                None => findings.push(with_runtime_evidence(
                    Finding::from_rule(
                        &RUNS_AS_ROOT,
                        target,
                        format!("{target} runs as root (observed at runtime: uid 0)"),
                    )
                    .with_evidence("Config.User", shown),
                    user,
                )),
            }
            return;
        }
        findings.retain(|f| !(f.rule_id == RUNS_AS_ROOT.id && f.target == target));
        let users = database_lines(passwd);
        let named = users.iter().find(|f| f.first().map(String::as_str) == Some(name));
        let passwd_evidence = match named {
            Some(fields) => fields.join(":"),
            None => format!(
                "no line for {name}; uid 0 is {}",
                user.name.as_deref().unwrap_or("unnamed")
            ),
        };
        findings.push(
            with_runtime_evidence(
                Finding::from_rule(
                    &RUNTIME_NAME_IS_ROOT,
                    target,
                    format!("USER {configured} runs as uid 0 (root) at runtime: /etc/passwd gives {name} uid 0"),
                )
                .with_evidence("Config.User", shown),
                user,
            )
            .with_evidence("/etc/passwd", passwd_evidence),
        );
        return;
    }
    if user.passwd_line.is_none() {
        let missing = if user.passwd_present {
            format!("no line with uid {}", user.uid)
        } else {
            "(no /etc/passwd in the image)".to_string()
        };
        findings.push(
            with_runtime_evidence(
                Finding::from_rule(
                    &RUNTIME_UID_WITHOUT_PASSWD,
                    target,
                    format!("{target} runs as uid {} which has no /etc/passwd entry", user.uid),
                )
                .with_evidence("Config.User", shown),
                user,
            )
            .with_evidence("/etc/passwd", missing),
        );
    }
}

/// `check_runtime` on an opened image and its view (from `view_options()`); returns the resolved user.
pub fn check_image_runtime(
    image: &Image,
    view: &FileSystemView,
    observed: &RuntimeIds,
    findings: &mut Vec<Finding>,
) -> RuntimeUser {
    let passwd = view.read("/etc/passwd");
    let user = resolve_runtime_user(&image.config.config.user, observed, passwd, view.read("/etc/group"));
    check_runtime(&image.name(), &user, passwd, findings);
    vigie_rules::sort_findings(findings);
    user
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_values_and_redaction() {
        assert_eq!(secret_value_kind("AKIAFAKEFAKEFAKEFAKE"), Some("AWS access key id"));
        assert_eq!(
            secret_value_kind("postgres://admin:hunter2@db:5432/x"),
            Some("URL with a password")
        );
        assert_eq!(secret_value_kind("https://example.com/x"), None);
        assert!(secret_in_pair("DB_PASSWORD", "hunter2").is_some());
        assert!(secret_in_pair("PASSWORD_FILE", "/run/secrets/pw").is_none());
        assert!(secret_in_pair("PATH", "/usr/bin").is_none());
        assert!(!redact("hunter2").contains("hunter2"));
    }

    #[test]
    fn rule_ids_are_unique_and_documented() {
        let mut ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), RULES.len());
        for id in ids {
            let page = format!("{}/../../docs/rules/{id}.md", env!("CARGO_MANIFEST_DIR"));
            assert!(std::path::Path::new(&page).is_file(), "missing {page}");
        }
    }

    const PASSWD: &[u8] = b"root:x:0:0:root:/root:/bin/ash\nappuser:x:1000:1000:Linux User,,,:/home/appuser:/bin/sh\nevil:x:0:0::/home/evil:/bin/sh\n";
    const GROUP: &[u8] = b"root:x:0:root\nwheel:x:10:root\nappuser:x:1000:\n";

    fn ids(uid: u32, gid: u32, groups: &[u32]) -> RuntimeIds {
        RuntimeIds {
            uid: [uid; 4],
            gid: [gid; 4],
            groups: groups.to_vec(),
        }
    }

    fn static_root(target: &str, user: &str) -> Vec<Finding> {
        vec![Finding::from_rule(&RUNS_AS_ROOT, target, "runs as root").with_evidence("Config.User", user)]
    }

    #[test]
    fn runtime_user_resolved_from_the_image() {
        let u = resolve_runtime_user("appuser", &ids(1000, 1000, &[1000, 10, 77]), Some(PASSWD), Some(GROUP));
        assert_eq!(u.name.as_deref(), Some("appuser"));
        assert_eq!(u.group_name.as_deref(), Some("appuser"));
        assert_eq!(u.group_names, vec![Some("appuser".into()), Some("wheel".into()), None]);
        assert!(u.passwd_line.unwrap().starts_with("appuser:x:1000:1000:"));
        let mut findings = Vec::new();
        let u = resolve_runtime_user("appuser", &ids(1000, 1000, &[]), Some(PASSWD), Some(GROUP));
        check_runtime("img", &u, Some(PASSWD), &mut findings);
        assert!(findings.is_empty(), "{findings:?}");
    }

    #[test]
    fn a_name_with_uid_zero_replaces_the_static_root_finding() {
        let mut findings = static_root("img", "evil");
        let u = resolve_runtime_user("evil", &ids(0, 0, &[0]), Some(PASSWD), Some(GROUP));
        check_runtime("img", &u, Some(PASSWD), &mut findings);
        assert_eq!(findings.len(), 1, "{findings:?}");
        let f = &findings[0];
        assert_eq!(f.rule_id, "VGI-IMG-014");
        assert_eq!(f.severity, Severity::Critical);
        let values: Vec<&str> = f.evidence.iter().map(|e| e.value.as_str()).collect();
        assert!(values.contains(&"Uid: 0 0 0 0"), "{values:?}");
        assert!(values.contains(&"evil:x:0:0::/home/evil:/bin/sh"), "{values:?}");
    }

    #[test]
    fn root_is_confirmed_not_repeated() {
        for configured in ["", "root", "0", "0:0"] {
            let mut findings = static_root("img", configured);
            let u = resolve_runtime_user(configured, &ids(0, 0, &[0, 10]), Some(PASSWD), Some(GROUP));
            check_runtime("img", &u, Some(PASSWD), &mut findings);
            assert_eq!(findings.len(), 1);
            assert_eq!(findings[0].rule_id, "VGI-IMG-001");
            assert!(findings[0].message.ends_with("(confirmed at runtime: uid 0)"));
            assert!(findings[0].evidence.iter().any(|e| e.value == "Groups: 0 10"));
        }
        // Without the static finding (a filtered run), the runtime says it on its own.
        let mut findings = Vec::new();
        let u = resolve_runtime_user("", &ids(0, 0, &[]), None, None);
        check_runtime("img", &u, None, &mut findings);
        assert_eq!(findings[0].rule_id, "VGI-IMG-001");
        assert!(findings[0].evidence.iter().any(|e| e.value == "Groups:"));
    }

    #[test]
    fn uid_without_passwd_entry() {
        let mut findings = Vec::new();
        let u = resolve_runtime_user("4242", &ids(4242, 0, &[]), Some(PASSWD), Some(GROUP));
        assert_eq!(u.group_name.as_deref(), Some("root"));
        check_runtime("img", &u, Some(PASSWD), &mut findings);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].rule_id, "VGI-IMG-015");
        assert!(findings[0].evidence.iter().any(|e| e.value == "no line with uid 4242"));
        let mut findings = Vec::new();
        let u = resolve_runtime_user("4242:4242", &ids(4242, 4242, &[]), None, None);
        check_runtime("img", &u, None, &mut findings);
        assert!(
            findings[0]
                .evidence
                .iter()
                .any(|e| e.value == "(no /etc/passwd in the image)")
        );
    }

    proptest::proptest! {
        #[test]
        fn runtime_check_never_panics_on_any_passwd(
            passwd in proptest::collection::vec(proptest::num::u8::ANY, 0..300),
            user in "\\PC{0,12}",
            uid in proptest::prop_oneof![proptest::strategy::Just(0u32), 0u32..5000],
        ) {
            let u = resolve_runtime_user(&user, &ids(uid, uid, &[uid]), Some(&passwd), Some(&passwd));
            let mut findings = static_root("img", &user);
            check_runtime("img", &u, Some(&passwd), &mut findings);
            proptest::prop_assert!(!findings.is_empty() || uid != 0);
        }
    }
}
