//! Bad inputs, generated with the tar crate into a temp dir: each is a clear
//! error or a warning, never a panic or unbounded memory.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use vigie_image::{ImageError, ViewOptions, Want, open};

fn sha(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

fn want_all(_: &str, _: u64, _: u32) -> Want {
    Want::Content
}

fn options() -> ViewOptions {
    ViewOptions {
        want: want_all,
        keep_all_metadata: true,
        ..Default::default()
    }
}

fn header(path: &str, size: u64, kind: tar::EntryType) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    // Written raw: the builder refuses `..`, and bad layers are what we test.
    let name = &mut h.as_old_mut().name;
    name[..path.len()].copy_from_slice(path.as_bytes());
    h.set_size(size);
    h.set_mode(0o644);
    h.set_entry_type(kind);
    h.set_cksum();
    h
}

fn layer(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, data) in entries {
        let h = header(path, data.len() as u64, tar::EntryType::Regular);
        b.append(&h, *data).unwrap();
    }
    b.into_inner().unwrap()
}

fn symlink_layer(links: &[(&str, &str)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, target) in links {
        let mut h = header(path, 0, tar::EntryType::Symlink);
        h.set_link_name(target).unwrap();
        h.set_cksum();
        b.append(&h, &[][..]).unwrap();
    }
    b.into_inner().unwrap()
}

/// A docker-archive with `layers`; `diff_ids` overrides the config's list.
fn docker_archive(dir: &Path, layers: &[Vec<u8>], diff_ids: Option<Vec<String>>, skip_layer: Option<usize>) -> PathBuf {
    let diff_ids = diff_ids.unwrap_or_else(|| layers.iter().map(|l| sha(l)).collect());
    let config = serde_json::json!({"architecture": "amd64", "os": "linux", "config": {},
        "rootfs": {"type": "layers", "diff_ids": diff_ids}});
    let config = serde_json::to_vec(&config).unwrap();
    let config_name = format!("{}.json", &sha(&config)[7..]);
    let layer_paths: Vec<String> = (0..layers.len()).map(|i| format!("l{i}/layer.tar")).collect();
    let manifest = serde_json::json!([{"Config": config_name, "RepoTags": ["bad:1"], "Layers": layer_paths}]);
    let mut b = tar::Builder::new(Vec::new());
    let mut add = |path: &str, data: &[u8]| {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, path, data).unwrap();
    };
    for (i, l) in layers.iter().enumerate() {
        if Some(i) != skip_layer {
            add(&layer_paths[i], l);
        }
    }
    add(&config_name, &config);
    add("manifest.json", &serde_json::to_vec(&manifest).unwrap());
    let path = dir.join("image.tar");
    std::fs::write(&path, b.into_inner().unwrap()).unwrap();
    path
}

fn view_err(path: &Path) -> ImageError {
    open(path.to_str().unwrap())
        .and_then(|i| i.view(&options()))
        .unwrap_err()
}

#[test]
fn truncated_archive() {
    let dir = tempfile::tempdir().unwrap();
    let big = vec![b'x'; 200_000];
    let path = docker_archive(dir.path(), &[layer(&[("etc/big", &big)])], None, None);
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let err = view_err(&path).to_string();
    assert!(err.contains("truncated") || err.contains("manifest"), "{err}");
}

#[test]
fn missing_blob() {
    let dir = tempfile::tempdir().unwrap();
    let path = docker_archive(
        dir.path(),
        &[layer(&[("a", b"1")]), layer(&[("b", b"2")])],
        None,
        Some(1),
    );
    let err = view_err(&path);
    assert!(matches!(err, ImageError::MissingBlob { .. }), "{err}");
    assert!(err.to_string().contains("l1/layer.tar"), "{err}");
}

#[test]
fn digest_mismatch_names_the_blob() {
    let dir = tempfile::tempdir().unwrap();
    let wrong = format!("sha256:{}", "0".repeat(64));
    let path = docker_archive(dir.path(), &[layer(&[("a", b"1")])], Some(vec![wrong.clone()]), None);
    let err = view_err(&path);
    assert!(matches!(err, ImageError::DigestMismatch { .. }), "{err}");
    assert!(err.to_string().contains(&wrong), "{err}");
}

#[test]
fn oci_layout_with_a_tampered_blob() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("layout");
    let blobs = root.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).unwrap();
    let put = |bytes: &[u8]| {
        let digest = sha(bytes);
        std::fs::write(blobs.join(&digest[7..]), bytes).unwrap();
        digest
    };
    let l = layer(&[("etc/os-release", b"ID=test\n")]);
    let layer_digest = put(&l);
    let config = serde_json::to_vec(&serde_json::json!({"rootfs": {"type": "layers", "diff_ids": [sha(&l)]}})).unwrap();
    let config_digest = put(&config);
    let manifest = serde_json::to_vec(&serde_json::json!({"schemaVersion": 2,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer_digest, "size": l.len()}]}))
    .unwrap();
    let manifest_digest = put(&manifest);
    std::fs::write(root.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    std::fs::write(
        root.join("index.json"),
        serde_json::to_vec(&serde_json::json!({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": manifest_digest, "size": manifest.len()}]})).unwrap(),
    )
    .unwrap();
    let image = open(root.to_str().unwrap()).unwrap();
    assert_eq!(
        image.view(&options()).unwrap().read("/etc/os-release"),
        Some(&b"ID=test\n"[..])
    );
    // Same size, different content.
    let mut tampered = l.clone();
    tampered[600] ^= 1;
    std::fs::write(blobs.join(&layer_digest[7..]), &tampered).unwrap();
    let err = view_err(&root);
    assert!(matches!(err, ImageError::DigestMismatch { .. }), "{err}");
    assert!(err.to_string().contains(&layer_digest), "{err}");
}

#[test]
fn dotdot_entries_are_refused_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let path = docker_archive(
        dir.path(),
        &[layer(&[("../../etc/evil", b"x"), ("etc/ok", b"y")])],
        None,
        None,
    );
    let view = open(path.to_str().unwrap()).unwrap().view(&options()).unwrap();
    assert!(
        view.warnings.iter().any(|w| w.contains("escapes the root")),
        "{:?}",
        view.warnings
    );
    assert!(view.read("/etc/evil").is_none());
    assert_eq!(view.read("/etc/ok"), Some(&b"y"[..]));
}

#[test]
fn absolute_escaping_and_looping_symlinks() {
    let dir = tempfile::tempdir().unwrap();
    let path = docker_archive(
        dir.path(),
        &[
            layer(&[("usr/lib/os-release", b"ID=x\n")]),
            symlink_layer(&[
                ("etc/os-release", "/usr/lib/os-release"),
                ("etc/escape", "../../../../../usr/lib/os-release"),
                ("loop/a", "b"),
                ("loop/b", "/loop/a"),
            ]),
        ],
        None,
        None,
    );
    let view = open(path.to_str().unwrap()).unwrap().view(&options()).unwrap();
    assert_eq!(view.read("/etc/os-release"), Some(&b"ID=x\n"[..]));
    assert_eq!(view.read("/etc/escape"), Some(&b"ID=x\n"[..]));
    assert!(view.resolve("/loop/a").is_none());
    assert!(view.read("/loop/a/x").is_none());
}

#[test]
fn ten_gigabyte_sparse_file_is_not_read() {
    // A GNU sparse entry: 10 GiB apparent size, one 512-byte data block stored.
    let apparent: u64 = 10 << 30;
    let mut h = header("etc/huge", 512, tar::EntryType::GNUSparse);
    {
        let gnu = h.as_gnu_mut().unwrap();
        let octal = |field: &mut [u8; 12], value: u64| {
            let text = format!("{value:012o}");
            field.copy_from_slice(text.as_bytes());
        };
        octal(&mut gnu.sparse[0].offset, apparent - 512);
        octal(&mut gnu.sparse[0].numbytes, 512);
        octal(&mut gnu.realsize, apparent);
    }
    h.set_cksum();
    let mut b = tar::Builder::new(Vec::new());
    b.append(&h, &[7u8; 512][..]).unwrap();
    let l = b.into_inner().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = docker_archive(dir.path(), &[l], None, None);
    let started = std::time::Instant::now();
    let view = open(path.to_str().unwrap()).unwrap().view(&options()).unwrap();
    assert!(started.elapsed().as_secs() < 10);
    assert!(view.read("/etc/huge").is_none());
    assert!(
        view.warnings
            .iter()
            .any(|w| w.contains("/etc/huge") && w.contains("limit")),
        "{:?}",
        view.warnings
    );
}

#[test]
fn gzip_bomb_layer_is_an_error() {
    let gzip = |data: &[u8]| {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut gz, data).unwrap();
        gz.finish().unwrap()
    };
    let h = header("big", 256 << 20, tar::EntryType::Regular);
    let mut bomb = gzip(h.as_bytes());
    let member = gzip(&vec![0u8; 1 << 20]);
    for _ in 0..256 {
        bomb.extend_from_slice(&member);
    }
    let dir = tempfile::tempdir().unwrap();
    let path = docker_archive(dir.path(), &[bomb], Some(vec![]), None);
    let err = open(path.to_str().unwrap())
        .and_then(|i| {
            i.view(&ViewOptions {
                max_layer_bytes: 16 << 20,
                ..options()
            })
        })
        .unwrap_err();
    assert!(err.to_string().contains("decompression bomb"), "{err}");
}
