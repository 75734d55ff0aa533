//! Reading one layer: detect the compression (tar, gzip, zstd), hash the blob
//! and the uncompressed tar while streaming, and turn entries into
//! `LayerItem`s. Nothing is written to disk; only wanted files are kept.
//!
//! SHA-256 is the floor of reading an uncompressed layer (about 1.2 GB/s with
//! the CPU's SHA extensions, which `sha2` detects at run time), so each
//! stream is hashed on its own thread, chunk by chunk, while the tar parser
//! reads or skips the same chunks: parsing and decompression overlap hashing
//! instead of adding to it, and skipped file bodies are never copied.

use crate::error::ImageError;
use crate::view::{Entry, EntryKind, LayerItem, ViewOptions, Want, normalize_entry_path};
use sha2::{Digest, Sha256};
use std::io::{self, BufRead, Read, Seek, SeekFrom};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc;

/// Bytes read from a stream at once and handed to the hashing thread.
const CHUNK: usize = 1 << 20;

/// Chunks in flight between the reader and the hashing thread (bounds memory).
const IN_FLIGHT: usize = 3;

/// A stream read in chunks, each hashed on a scoped thread while the consumer
/// reads, skips (forward seeks) or decodes it (`BufRead`, no extra buffer).
pub(crate) struct ParallelHash<'scope, R> {
    inner: R,
    chunk: Arc<Vec<u8>>,
    offset: usize,
    position: u64,
    pulled: u64,
    eof: bool,
    sender: Option<mpsc::SyncSender<Arc<Vec<u8>>>>,
    recycled: mpsc::Receiver<Vec<u8>>,
    hasher: std::thread::ScopedJoinHandle<'scope, String>,
}

impl<'scope, R: Read> ParallelHash<'scope, R> {
    pub(crate) fn new<'env>(inner: R, scope: &'scope std::thread::Scope<'scope, 'env>) -> Self {
        let (sender, chunks) = mpsc::sync_channel::<Arc<Vec<u8>>>(IN_FLIGHT);
        let (give_back, recycled) = mpsc::sync_channel::<Vec<u8>>(IN_FLIGHT + 1);
        let hasher = scope.spawn(move || {
            let mut hasher = Sha256::new();
            for chunk in chunks {
                hasher.update(&chunk[..]);
                if let Ok(buffer) = Arc::try_unwrap(chunk) {
                    let _ = give_back.try_send(buffer);
                }
            }
            format!("sha256:{}", hex::encode(hasher.finalize()))
        });
        ParallelHash {
            inner,
            chunk: Arc::new(Vec::new()),
            offset: 0,
            position: 0,
            pulled: 0,
            eof: false,
            sender: Some(sender),
            recycled,
            hasher,
        }
    }

    /// Pull the next chunk from the stream; `false` at its end.
    fn next_chunk(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        let old = std::mem::take(&mut self.chunk);
        self.offset = 0;
        let mut buffer = match Arc::try_unwrap(old) {
            Ok(b) if b.capacity() >= CHUNK => b,
            _ => self.recycled.try_recv().unwrap_or_default(),
        };
        buffer.resize(CHUNK, 0);
        let mut filled = 0;
        while filled < CHUNK {
            match self.inner.read(&mut buffer[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        buffer.truncate(filled);
        if filled < CHUNK {
            self.eof = true;
        }
        if filled == 0 {
            return Ok(false);
        }
        self.pulled += filled as u64;
        self.chunk = Arc::new(buffer);
        self.offset = 0;
        if let Some(sender) = &self.sender {
            sender
                .send(self.chunk.clone())
                .map_err(|_| io::Error::other("hashing thread stopped"))?;
        }
        Ok(true)
    }

    /// Read (and hash) to the end of the stream without copying.
    pub(crate) fn drain(&mut self) -> io::Result<()> {
        while self.next_chunk()? {}
        self.offset = self.chunk.len();
        Ok(())
    }

    /// The stream's digest and length (bytes pulled so far).
    pub(crate) fn finish(mut self) -> io::Result<(String, u64)> {
        self.sender = None;
        let digest = self
            .hasher
            .join()
            .map_err(|_| io::Error::other("hashing thread failed"))?;
        Ok((digest, self.pulled))
    }
}

impl<R: Read> BufRead for ParallelHash<'_, R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.offset >= self.chunk.len() && !self.next_chunk()? {
            return Ok(&[]);
        }
        Ok(&self.chunk[self.offset..])
    }

    fn consume(&mut self, amount: usize) {
        let amount = amount.min(self.chunk.len().saturating_sub(self.offset));
        self.offset += amount;
        self.position += amount as u64;
    }
}

impl<R: Read> Read for ParallelHash<'_, R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

/// Forward seeks only (skipping a file body): the bytes are still hashed.
impl<R: Read> Seek for ParallelHash<'_, R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Current(delta) if delta >= 0 => self.position + delta as u64,
            SeekFrom::Start(at) if at >= self.position => at,
            _ => return Err(io::Error::other("a layer stream only seeks forward")),
        };
        while self.position < target {
            let available = self.chunk.len().saturating_sub(self.offset);
            if available == 0 {
                if !self.next_chunk()? {
                    return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "truncated layer"));
                }
                continue;
            }
            let step = (target - self.position).min(available as u64) as usize;
            self.offset += step;
            self.position += step as u64;
        }
        Ok(self.position)
    }
}

/// The uncompressed side: counts, and stops a layer past the size limit (a
/// decompression bomb). Bounded by bytes, not by ratio: a layer of zeros
/// (a preallocated file, a sparse disk image) compresses 1,000:1 and is
/// legitimate; the entries nobody needs are skipped, not held.
struct BombGuard<R> {
    inner: R,
    count: u64,
    limit: u64,
}

impl<R: Read> Read for BombGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        if self.count > self.limit {
            return Err(io::Error::other(format!(
                "over {} bytes uncompressed, the limit for one layer (a decompression bomb?)",
                self.limit
            )));
        }
        Ok(n)
    }
}

/// Counts raw bytes into a shared cell (for the bomb guard) and the progress.
struct SharedCount<'a, R> {
    inner: R,
    count: &'a std::cell::Cell<u64>,
    progress: Option<&'a crate::view::Progress>,
}

impl<R: Read> Read for SharedCount<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        if let Some(progress) = self.progress {
            progress.done.fetch_add(n as u64, Ordering::Relaxed);
        }
        Ok(n)
    }
}

#[derive(Debug, Clone)]
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
    std::thread::scope(|scope| {
        let mut raw = ParallelHash::new(
            SharedCount {
                inner: raw,
                count: &compressed,
                progress: options.progress.as_deref(),
            },
            scope,
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
        let (items, diff_id) = if compression == "none" {
            // The blob is the tar: its digest is its diff id, hashed once.
            let items = read_entries(&mut raw, name, options, &mut warnings)?;
            (items, None)
        } else {
            let decoded: Box<dyn Read + '_> = match compression {
                "gzip" => Box::new(flate2::bufread::MultiGzDecoder::new(&mut raw)),
                _ => Box::new(zstd::stream::read::Decoder::with_buffer(&mut raw).map_err(|e| layer_err(name, e))?),
            };
            let guard = BombGuard {
                inner: decoded,
                count: 0,
                limit: options.max_layer_bytes,
            };
            let mut tar = ParallelHash::new(guard, scope);
            let items = read_entries(&mut tar, name, options, &mut warnings);
            let drained = items.as_ref().ok().map(|_| tar.drain().map_err(|e| layer_err(name, e)));
            let (diff_id, _) = tar.finish().map_err(|e| layer_err(name, e))?;
            if let Some(Err(e)) = drained {
                return Err(e);
            }
            (items?, Some(diff_id))
        };
        // The tar end marker may precede padding: hash to the true end.
        raw.drain().map_err(|e| layer_err(name, e))?;
        let (digest, size) = raw.finish().map_err(|e| layer_err(name, e))?;
        let diff_id = diff_id.unwrap_or_else(|| digest.clone());
        Ok(LayerRead {
            items,
            digest,
            diff_id,
            size,
            compression,
            warnings,
        })
    })
}

fn read_entries<R: Read + Seek>(
    reader: R,
    name: &str,
    options: &ViewOptions,
    warnings: &mut Vec<String>,
) -> Result<Vec<(String, LayerItem)>, ImageError> {
    let mut archive = tar::Archive::new(reader);
    let mut items = Vec::new();
    let entries = archive
        .entries_with_seek()
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
        // A FIFO, device or socket where a file vigie reads is expected: that file is absent, and
        // the result says so (never a clean "no packages").
        if kind == EntryKind::Other && !matches!((options.want)(&path, size, mode), Want::No) {
            warnings.push(format!(
                "layer {name}: {path} is a FIFO, device or socket, not a regular file: not read"
            ));
        }
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
        // Every entry of a layer is kept (`keep_entry` is for single-tree sources): an
        // ordinary entry may override a lower layer's setuid one (`chmod u-s` in a later layer).
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
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
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
    fn chunks_seeks_and_hashes_across_chunk_boundaries() {
        // Files of odd sizes around the 1 MiB chunk: wanted ones read across
        // boundaries, unwanted ones seeked over; the digest is of every byte.
        let big = |n: usize, seed: u8| -> Vec<u8> { (0..n).map(|i| (i as u8).wrapping_mul(31) ^ seed).collect() };
        let files: Vec<(String, Vec<u8>)> = vec![
            ("usr/bin/skip1".into(), big(CHUNK - 700, 1)),
            ("etc/a".into(), big(CHUNK + 333, 2)),
            ("usr/bin/skip2".into(), big(2 * CHUNK + 5, 3)),
            ("etc/b".into(), big(1000, 4)),
            ("usr/bin/skip3".into(), big(CHUNK, 5)),
            ("etc/c".into(), big(7, 6)),
        ];
        let refs: Vec<(&str, &[u8])> = files.iter().map(|(p, d)| (p.as_str(), d.as_slice())).collect();
        let plain = tar_with(&refs);
        let options = ViewOptions {
            want: want_etc,
            ..Default::default()
        };
        let expected = format!("sha256:{}", hex::encode(Sha256::digest(&plain)));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut gz, &plain).unwrap();
        let gz = gz.finish().unwrap();
        for (name, blob) in [("plain", &plain), ("gzip", &gz)] {
            let read = read_layer(&blob[..], name, &options).unwrap();
            assert_eq!(read.diff_id, expected, "{name}");
            assert_eq!(read.size, blob.len() as u64, "{name}");
            let kept: Vec<(&str, &[u8])> = read
                .items
                .iter()
                .filter_map(|(p, item)| match item {
                    LayerItem::Entry(Entry { content: Some(c), .. }) => Some((p.as_str(), c.as_slice())),
                    _ => None,
                })
                .collect();
            assert_eq!(
                kept,
                vec![
                    ("/etc/a", &files[1].1[..]),
                    ("/etc/b", &files[3].1[..]),
                    ("/etc/c", &files[5].1[..])
                ],
                "{name}"
            );
        }
        // Cut inside a skipped body: an error, not a silent end.
        let err = read_layer(&plain[..CHUNK * 2], "cut", &options).unwrap_err();
        assert!(err.to_string().contains("layer cut"), "{err}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn damaged_layers_never_panic(cut in 0usize..6000, flips in proptest::collection::vec((0usize..6000, 0u8..=255), 0..8)) {
            let plain = tar_with(&[("etc/os-release", b"ID=alpine\n"), ("bin/sh", &[7u8; 3000]), ("etc/x", b"x")]);
            let mut damaged = plain[..cut.min(plain.len())].to_vec();
            for (at, byte) in flips {
                if let Some(b) = damaged.get_mut(at) {
                    *b = byte;
                }
            }
            let options = ViewOptions { want: want_etc, ..Default::default() };
            let _ = read_layer(&damaged[..], "damaged", &options);
        }
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
            max_layer_bytes: 16 << 20,
            ..Default::default()
        };
        let err = read_layer(&bomb[..], "bomb", &options).unwrap_err();
        assert!(err.to_string().contains("decompression bomb"), "{err}");
    }

    #[test]
    fn a_layer_of_zeros_before_the_package_database_still_yields_it() {
        // 1.1 GiB of zeros (about 1,000:1 compressed: past the old 1 GiB,
        // 200:1 rule) and then the file the cataloguer needs.
        let gzip_member = |data: &[u8]| {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            std::io::Write::write_all(&mut gz, data).unwrap();
            gz.finish().unwrap()
        };
        let size: u64 = 1100 << 20;
        let mut h = tar::Header::new_gnu();
        h.set_size(size);
        h.set_mode(0o644);
        h.set_path("var/zeros.img").unwrap();
        h.set_cksum();
        let mut layer = gzip_member(h.as_bytes());
        let member = gzip_member(&vec![0u8; 1 << 20]);
        for _ in 0..1100 {
            layer.extend_from_slice(&member);
        }
        let tail = tar_with(&[("etc/os-release", b"ID=alpine\nVERSION_ID=3.10.4\n")]);
        layer.extend_from_slice(&gzip_member(&tail));
        assert!((layer.len() as u64) * 200 < size, "compressed {} bytes", layer.len());
        let options = ViewOptions {
            want: |p, _, _| {
                if p == "/etc/os-release" {
                    Want::Content
                } else {
                    Want::No
                }
            },
            ..Default::default()
        };
        let read = read_layer(&layer[..], "zeros", &options).unwrap();
        assert!(
            read.items.iter().any(|(p, _)| p == "/etc/os-release"),
            "the file after the zeros is read"
        );
    }
}
