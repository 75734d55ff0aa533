//! Reading one layer: detect the compression (tar, gzip, zstd), hash the blob
//! and the uncompressed tar while streaming, and turn entries into
//! `LayerItem`s. Nothing is written to disk; only wanted files are kept.

use crate::error::ImageError;
use crate::view::{Entry, EntryKind, LayerItem, ViewOptions, Want, normalize_entry_path};
use sha2::{Digest, Sha256};
use std::io::{self, BufRead, BufReader, Read};
use std::sync::Arc;

/// Past this many uncompressed bytes, a layer must not expand more than
/// `BOMB_RATIO` times its compressed size.
const BOMB_RATIO: u64 = 200;

/// Reads through, hashing and counting.
pub(crate) struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    count: u64,
    /// Off for an uncompressed layer: its diff id is its blob digest, hashed once.
    enabled: bool,
}

impl<R: Read> HashingReader<R> {
    pub(crate) fn new(inner: R) -> Self {
        HashingReader {
            inner,
            hasher: Sha256::new(),
            count: 0,
            enabled: true,
        }
    }

    fn hashing(mut self, enabled: bool) -> Self {
        self.enabled = enabled;
        self
    }

    pub(crate) fn finish(self) -> (String, u64) {
        (format!("sha256:{}", hex::encode(self.hasher.finalize())), self.count)
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if self.enabled {
            self.hasher.update(&buf[..n]);
        }
        self.count += n as u64;
        Ok(n)
    }
}

/// The uncompressed side: hashes, counts, and stops a decompression bomb.
struct BombGuard<'a, R> {
    inner: HashingReader<R>,
    compressed: &'a std::cell::Cell<u64>,
    floor: u64,
}

impl<R: Read> Read for BombGuard<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let out = self.inner.count;
        if out > self.floor && out / BOMB_RATIO > self.compressed.get().max(1) {
            return Err(io::Error::other(format!(
                "decompression bomb: {out} bytes out of {} compressed (ratio over {BOMB_RATIO})",
                self.compressed.get()
            )));
        }
        Ok(n)
    }
}

/// Counts raw bytes into a shared cell so the bomb guard can see them.
struct SharedCount<'a, R> {
    inner: R,
    count: &'a std::cell::Cell<u64>,
}

impl<R: Read> Read for SharedCount<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

#[derive(Debug)]
pub(crate) struct LayerRead {
    pub items: Vec<(String, LayerItem)>,
    pub digest: String,
    pub diff_id: String,
    pub size: u64,
    pub compression: &'static str,
    pub warnings: Vec<String>,
}

fn layer_err(name: &str, reason: impl std::fmt::Display) -> ImageError {
    ImageError::Layer {
        layer: name.to_string(),
        reason: reason.to_string(),
    }
}

/// Read one layer blob. `name` identifies it in messages (digest or path).
pub(crate) fn read_layer<R: Read>(raw: R, name: &str, options: &ViewOptions) -> Result<LayerRead, ImageError> {
    let compressed = std::cell::Cell::new(0u64);
    let mut raw = BufReader::with_capacity(
        256 << 10,
        HashingReader::new(SharedCount {
            inner: raw,
            count: &compressed,
        }),
    );
    let head = raw.fill_buf().map_err(|e| layer_err(name, e))?;
    let compression = if head.starts_with(&[0x1f, 0x8b]) {
        "gzip"
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        "zstd"
    } else {
        "none"
    };
    let mut warnings = Vec::new();
    let (items, diff_id) = {
        let decoded: Box<dyn Read + '_> = match compression {
            "gzip" => Box::new(flate2::bufread::MultiGzDecoder::new(&mut raw)),
            "zstd" => Box::new(zstd::stream::read::Decoder::with_buffer(&mut raw).map_err(|e| layer_err(name, e))?),
            _ => Box::new(&mut raw),
        };
        let mut guard = BombGuard {
            inner: HashingReader::new(decoded).hashing(compression != "none"),
            compressed: &compressed,
            floor: options.bomb_floor,
        };
        let items = read_entries(&mut guard, name, options, &mut warnings);
        let drained = items
            .as_ref()
            .ok()
            .map(|_| io::copy(&mut guard, &mut io::sink()).map_err(|e| layer_err(name, e)));
        let (diff_id, _) = guard.inner.finish();
        if let Some(Err(e)) = drained {
            return Err(e);
        }
        (items?, diff_id)
    };
    // The tar end marker may precede padding: hash to the true end.
    io::copy(&mut raw, &mut io::sink()).map_err(|e| layer_err(name, e))?;
    let (digest, size) = raw.into_inner().finish();
    let diff_id = if compression == "none" { digest.clone() } else { diff_id };
    Ok(LayerRead {
        items,
        digest,
        diff_id,
        size,
        compression,
        warnings,
    })
}

fn read_entries<R: Read>(
    reader: R,
    name: &str,
    options: &ViewOptions,
    warnings: &mut Vec<String>,
) -> Result<Vec<(String, LayerItem)>, ImageError> {
    let mut archive = tar::Archive::new(reader);
    let mut items = Vec::new();
    let entries = archive
        .entries()
        .map_err(|e| layer_err(name, format!("not a tar archive: {e}")))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| layer_err(name, format!("truncated or corrupt tar: {e}")))?;
        let raw_path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let Some(path) = normalize_entry_path(&raw_path) else {
            warnings.push(format!(
                "layer {name}: entry '{raw_path}' escapes the root (..): ignored"
            ));
            continue;
        };
        if path == "/" {
            continue;
        }
        let (dir, base) = match path.rfind('/') {
            Some(i) => (&path[..i], &path[i + 1..]),
            None => ("", path.as_str()),
        };
        let dir = if dir.is_empty() { "/" } else { dir };
        if base == ".wh..wh..opq" {
            items.push((dir.to_string(), LayerItem::Opaque));
            continue;
        }
        if let Some(hidden) = base.strip_prefix(".wh.") {
            if hidden.starts_with(".wh.") {
                continue; // other AUFS metadata (.wh..wh.plnk, .wh..wh.aufs)
            }
            let target = if dir == "/" {
                format!("/{hidden}")
            } else {
                format!("{dir}/{hidden}")
            };
            items.push((target, LayerItem::Whiteout));
            continue;
        }
        let header = entry.header();
        let mode = header.mode().unwrap_or(0);
        let uid = header.uid().unwrap_or(0);
        let gid = header.gid().unwrap_or(0);
        let size = entry.size();
        let kind = match header.entry_type() {
            tar::EntryType::Regular | tar::EntryType::Continuous | tar::EntryType::GNUSparse => EntryKind::File,
            tar::EntryType::Directory => EntryKind::Dir,
            tar::EntryType::Symlink => {
                let target = entry
                    .link_name_bytes()
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default();
                EntryKind::Symlink(target)
            }
            tar::EntryType::Link => {
                let target = entry
                    .link_name_bytes()
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default();
                match normalize_entry_path(&target) {
                    Some(t) => EntryKind::Hardlink(t),
                    None => {
                        warnings.push(format!(
                            "layer {name}: hard link '{path}' points outside the root: ignored"
                        ));
                        continue;
                    }
                }
            }
            _ => EntryKind::Other,
        };
        let file_capabilities = match entry.pax_extensions() {
            Ok(Some(exts)) => exts
                .flatten()
                .any(|e| e.key_bytes() == b"SCHILY.xattr.security.capability"),
            _ => false,
        };
        let mut content = None;
        if kind == EntryKind::File {
            match (options.want)(&path, size, mode) {
                Want::No => {}
                Want::Content => {
                    if size > options.max_file_size {
                        warnings.push(format!(
                            "{path}: {size} bytes, over the {} byte limit: not read",
                            options.max_file_size
                        ));
                    } else {
                        let mut buf = Vec::with_capacity(size as usize);
                        (&mut entry)
                            .take(options.max_file_size)
                            .read_to_end(&mut buf)
                            .map_err(|e| layer_err(name, format!("reading {path}: {e}")))?;
                        content = Some(Arc::new(buf));
                    }
                }
                Want::Extract(extract) => {
                    if size <= options.max_binary_size {
                        let mut buf = Vec::with_capacity(size as usize);
                        (&mut entry)
                            .take(options.max_binary_size)
                            .read_to_end(&mut buf)
                            .map_err(|e| layer_err(name, format!("reading {path}: {e}")))?;
                        content = extract(&buf).map(Arc::new);
                    }
                }
            }
        }
        let keep = options.keep_all_metadata
            || content.is_some()
            || matches!(kind, EntryKind::Symlink(_) | EntryKind::Hardlink(_));
        if !keep {
            continue;
        }
        items.push((
            path,
            LayerItem::Entry(Entry {
                kind,
                mode,
                uid,
                gid,
                size,
                layer: None,
                file_capabilities,
                content,
            }),
        ));
    }
    // Hard links to a wanted file of the same layer share its content.
    let mut by_path: std::collections::HashMap<String, Arc<Vec<u8>>> = std::collections::HashMap::new();
    for (path, item) in &items {
        if let LayerItem::Entry(Entry { content: Some(c), .. }) = item {
            by_path.insert(path.clone(), c.clone());
        }
    }
    if !by_path.is_empty() {
        for (path, item) in items.iter_mut() {
            if let LayerItem::Entry(entry) = item
                && let EntryKind::Hardlink(target) = &entry.kind
                && entry.content.is_none()
                && matches!((options.want)(path, entry.size, entry.mode), Want::Content)
            {
                entry.content = by_path.get(target).cloned();
            }
        }
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn want_etc(path: &str, _: u64, _: u32) -> Want {
        if path.starts_with("/etc/") {
            Want::Content
        } else {
            Want::No
        }
    }

    fn tar_with(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (path, data) in files {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_entry_type(tar::EntryType::Regular);
            b.append_data(&mut h, path, *data).unwrap();
        }
        b.into_inner().unwrap()
    }

    #[test]
    fn reads_plain_gzip_zstd_with_same_diff_id() {
        let plain = tar_with(&[("etc/os-release", b"ID=alpine\n"), ("bin/sh", b"ELF")]);
        let options = ViewOptions {
            want: want_etc,
            ..Default::default()
        };
        let a = read_layer(&plain[..], "plain", &options).unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &plain).unwrap();
        let gz = gz.finish().unwrap();
        let b = read_layer(&gz[..], "gz", &options).unwrap();
        let zs = zstd::encode_all(&plain[..], 1).unwrap();
        let c = read_layer(&zs[..], "zstd", &options).unwrap();
        assert_eq!(a.diff_id, b.diff_id);
        assert_eq!(a.diff_id, c.diff_id);
        assert_eq!(a.digest, a.diff_id);
        assert_ne!(b.digest, b.diff_id);
        assert_eq!((a.compression, b.compression, c.compression), ("none", "gzip", "zstd"));
        assert_eq!(a.items.len(), 1);
    }

    #[test]
    fn truncated_tar_is_an_error() {
        let plain = tar_with(&[("etc/os-release", &[b'x'; 4000])]);
        let err = read_layer(&plain[..1200], "cut", &ViewOptions::default()).unwrap_err();
        assert!(err.to_string().contains("layer cut"), "{err}");
    }

    #[test]
    fn gzip_bomb_is_stopped() {
        // 256 MiB of zeros inside a tar entry: gzip members of 1 MiB of zeros, concatenated.
        let gzip = |data: &[u8]| {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            std::io::Write::write_all(&mut gz, data).unwrap();
            gz.finish().unwrap()
        };
        let mut h = tar::Header::new_gnu();
        h.set_size(256 << 20);
        h.set_mode(0o644);
        h.set_path("big").unwrap();
        h.set_cksum();
        let mut bomb = gzip(h.as_bytes());
        let member = gzip(&vec![0u8; 1 << 20]);
        for _ in 0..256 {
            bomb.extend_from_slice(&member);
        }
        let options = ViewOptions {
            bomb_floor: 16 << 20,
            ..Default::default()
        };
        let err = read_layer(&bomb[..], "bomb", &options).unwrap_err();
        assert!(err.to_string().contains("decompression bomb"), "{err}");
    }
}
