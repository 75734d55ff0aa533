//! VGI-IMG-001: the configured USER is root (by name, number, or uid 0 in
//! the image's own /etc/passwd).

use super::catalogue::RUNS_AS_ROOT;
use crate::finding::Finding;
use vigie_snapshot::filesystem::FileSystemView;
use vigie_snapshot::image::ImageConfig;

fn uid_of(view: &FileSystemView, user: &str) -> Option<u64> {
    let passwd = view.read("/etc/passwd")?;
    String::from_utf8_lossy(passwd).lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        (fields.first() == Some(&user))
            .then(|| fields.get(2).and_then(|u| u.parse().ok()))
            .flatten()
    })
}

pub(super) fn check_user(target: &str, config: &ImageConfig, view: &FileSystemView, out: &mut Vec<Finding>) {
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
