//! VGI-IMG-002: an engine image referenced by `latest` or by no tag.

use super::catalogue::LATEST_TAG;
use crate::finding::Finding;
use vigie_snapshot::image::{ImageSubject, SourceKind};

pub(super) fn check_tag(image: &ImageSubject<'_>, target: &str, out: &mut Vec<Finding>) {
    if !matches!(image.kind, SourceKind::Engine | SourceKind::Registry) {
        return;
    }
    let reference = image
        .reference
        .strip_prefix("docker:")
        .or_else(|| image.reference.strip_prefix("registry:"))
        .unwrap_or(image.reference);
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
