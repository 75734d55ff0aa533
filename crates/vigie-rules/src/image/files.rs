//! Checks of the image's files: setuid/setgid (VGI-IMG-005), file
//! capabilities (006), world-writable paths (007), secret files, also in lower
//! layers (004), sudo (010), an SSH server (011), package caches (013).

use super::MAX_EVIDENCE;
use super::catalogue::{
    FILE_CAPABILITIES, PACKAGE_CACHE, SECRET_FILE, SETUID_FILES, SSH_SERVER, SUDO_INSTALLED, WORLD_WRITABLE,
};
use super::secrets::{is_secret_file_name, secret_content};
use crate::finding::{Finding, RuleInfo};
use vigie_snapshot::filesystem::{Entry, EntryKind, FileSystemView};

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

pub(super) fn check_files(target: &str, view: &FileSystemView, out: &mut Vec<Finding>) {
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
