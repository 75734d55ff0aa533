//! The runtime user checks (`audit image --runtime`): the ids a probe saw the
//! image's process get, resolved against the image's own /etc/passwd and
//! /etc/group, refining the static findings (VGI-IMG-001, 014, 015).

use super::catalogue::{RUNS_AS_ROOT, RUNTIME_NAME_IS_ROOT, RUNTIME_UID_WITHOUT_PASSWD};
use crate::finding::{Finding, sort_findings};
use vigie_snapshot::filesystem::FileSystemView;
use vigie_snapshot::image::ImageSubject;

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
    image: &ImageSubject<'_>,
    view: &FileSystemView,
    observed: &RuntimeIds,
    findings: &mut Vec<Finding>,
) -> RuntimeUser {
    let passwd = view.read("/etc/passwd");
    let user = resolve_runtime_user(&image.config.config.user, observed, passwd, view.read("/etc/group"));
    check_runtime(&image.name, &user, passwd, findings);
    sort_findings(findings);
    user
}
