//! Image sources on real data (testdata/images, the saved test images) and on generated bad inputs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use vigie_image::{ViewOptions, Want, open};

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata").join(rel)
}

/// The lab stand-in saved by scripts/lib/build-test-images.sh: a gzip docker-archive.
fn lab_archive() -> PathBuf {
    let path = Path::new("/var/tmp/vigie-test-images/lab-alpine-310.tar.gz");
    assert!(
        path.is_file(),
        "{} missing: run scripts/test (it builds the test images with scripts/lib/build-test-images.sh)",
        path.display()
    );
    path.to_path_buf()
}

fn want_etc(path: &str, _: u64, _: u32) -> Want {
    if path.starts_with("/etc/") || path.ends_with("/apk/db/installed") {
        Want::Content
    } else {
        Want::No
    }
}

fn options() -> ViewOptions {
    ViewOptions {
        want: want_etc,
        ..Default::default()
    }
}

#[test]
fn docker_archive_gz_alpine() {
    let image = open(lab_archive().to_str().unwrap()).unwrap();
    assert_eq!(image.kind, vigie_image::SourceKind::DockerArchive);
    assert_eq!(image.repo_tags, vec!["vigie-lab/alpine:3.10".to_string()]);
    let view = image.view(&options()).unwrap();
    assert_eq!(view.layers.len(), 1);
    let release = String::from_utf8_lossy(view.read("/etc/alpine-release").unwrap()).into_owned();
    assert_eq!(release.trim(), "3.10.4");
    assert!(view.read("/lib/apk/db/installed").is_some());
    assert_eq!(
        view.layer_diff_id(Some(0)),
        image.config.rootfs.diff_ids.first().map(String::as_str)
    );
}

#[test]
fn oci_layout_dir() {
    let image = open(data("images/oci/test.oci").to_str().unwrap()).unwrap();
    assert_eq!(image.kind, vigie_image::SourceKind::OciLayout);
    let view = image.view(&options()).unwrap();
    assert!(!view.layers.is_empty());
}

#[test]
fn broken_oci_layouts_are_clear_errors() {
    let err = open(data("images/oci/test_bad_index_json.oci").to_str().unwrap()).unwrap_err();
    assert!(err.to_string().contains("index.json"), "{err}");
    let err = open(data("images/oci/test_invalid_oci_image.oci").to_str().unwrap())
        .and_then(|i| i.view(&options()).map(|_| ()))
        .unwrap_err();
    eprintln!("{err}");
}
