//! Image checks (lab §2.3): the image's configuration and files judged
//! before any container runs (VGI-IMG-001..013), and the runtime user checks
//! that refine them from what a probe saw (014, 015). Input: an
//! [`ImageSubject`] and its [`FileSystemView`] (plain data from
//! `vigie-snapshot`), read with the needs declared here ([`KEEP_ALL_METADATA`],
//! [`wants_content`]); `vigie-image` opens and reads the image.

pub mod catalogue;
mod config;
mod files;
pub mod report;
mod runtime;
mod secrets;
mod tag;
mod user;

pub use catalogue::*;
pub use runtime::{RuntimeIds, RuntimeUser, check_image_runtime, check_runtime, resolve_runtime_user};
pub use secrets::{redact, secret_value_kind};

use crate::finding::{Finding, sort_findings};
use vigie_snapshot::filesystem::FileSystemView;
use vigie_snapshot::image::{ImageSubject, SourceKind};

const MAX_EVIDENCE: usize = 25;

/// The checks read every entry's metadata (setuid bits, modes, capabilities, caches).
pub const KEEP_ALL_METADATA: bool = true;

/// Of all those entries, the ones the checks can report or look up: setuid,
/// setgid and world-writable ones, files with capabilities, package caches,
/// and the sudo and SSH server binaries. A root of a million ordinary files
/// keeps none of them (wanted files' contents are kept separately).
pub fn keeps_entry(path: &str, mode: u32, file_capabilities: bool) -> bool {
    const PRESENCE: &[&str] = &[
        "/usr/bin/sudo",
        "/usr/sbin/sudo",
        "/bin/sudo",
        "/usr/sbin/sshd",
        "/usr/sbin/dropbear",
        "/usr/bin/dropbear",
    ];
    mode & 0o6002 != 0
        || file_capabilities
        || PRESENCE.contains(&path)
        || path.starts_with("/var/lib/apt/lists/")
        || path.starts_with("/var/cache/")
        || path.starts_with("/root/.cache/pip/")
}

/// The files whose content the checks read: passwd, group and secret-looking files.
pub fn wants_content(path: &str, size: u64) -> bool {
    path == "/etc/passwd" || path == "/etc/group" || (size <= 1 << 20 && secrets::is_secret_file_name(path))
}

/// Run every image check. `view` should be read with the needs above.
pub fn check_image(image: &ImageSubject<'_>, view: &FileSystemView) -> Vec<Finding> {
    let target = &image.name;
    let mut out = Vec::new();
    if image.kind != SourceKind::Dir {
        user::check_user(target, image.config, view, &mut out);
        tag::check_tag(image, target, &mut out);
        config::check_config(target, image.config, &mut out);
    }
    files::check_files(target, view, &mut out);
    sort_findings(&mut out);
    out
}

#[cfg(test)]
mod tests;
