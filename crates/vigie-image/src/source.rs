//! Image sources: the local engine (streamed export), a `docker save`
//! archive (legacy and OCI-in-archive, plain or gzip), an OCI image layout
//! directory or `oci-archive` tar, a root filesystem directory, and a
//! registry (`registry:` or `remote`, read as a layout: `crate::registry`).

use crate::error::ImageError;
use crate::layer::{LayerRead, read_layer};
use crate::view::{Entry, EntryKind, FileSystemView, LayerInfo, ViewOptions, Want};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use vigie_snapshot::image::{ImageConfig, ImageSubject, SourceKind};

/// Manifests, configs and indexes bigger than this are refused.
const MAX_SMALL_FILE: u64 = 16 << 20;

#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// Engine endpoint (`--engine`/`DOCKER_HOST`); `None` for the default.
    pub engine: Option<String>,
    /// `os/arch[/variant]` for an OCI index with several manifests.
    pub platform: Option<String>,
    /// A bare name is a registry image, not an engine one (`--image-src remote`).
    pub remote: bool,
    /// How to reach registries.
    pub registry: crate::registry::RegistryOptions,
}

#[derive(Debug, Clone)]
enum Location {
    Engine {
        endpoint: Option<String>,
        name: String,
    },
    Archive(PathBuf),
    OciDir(PathBuf),
    Dir(PathBuf),
    /// A registry reference; `pinned` is the manifest digest once opened,
    /// so the layers read are those of the manifest that was resolved.
    Registry {
        reference: String,
        pinned: Option<String>,
        options: crate::registry::RegistryOptions,
    },
}

/// An opened image: what it is and its configuration; `view()` reads its layers.
#[derive(Debug, Clone)]
pub struct Image {
    /// What the user asked for.
    pub reference: String,
    pub kind: SourceKind,
    /// Image id (config digest), when known.
    pub id: Option<String>,
    pub repo_tags: Vec<String>,
    /// Empty for a root filesystem directory.
    pub config: ImageConfig,
    location: Location,
    platform: Option<String>,
}

/// Open an image source, auto-detecting its kind; prefixes `docker:`,
/// `docker-archive:`, `oci:`, `oci-archive:`, `dir:` force one.
pub fn open(target: &str) -> Result<Image, ImageError> {
    open_with(target, &OpenOptions::default())
}

pub fn open_with(target: &str, options: &OpenOptions) -> Result<Image, ImageError> {
    let (prefix, rest) = match target.split_once(':') {
        Some((p @ ("docker" | "docker-archive" | "oci" | "oci-archive" | "dir" | "registry"), rest)) => (Some(p), rest),
        _ => (None, target),
    };
    let location = match prefix {
        Some("docker") => Location::Engine {
            endpoint: options.engine.clone(),
            name: rest.to_string(),
        },
        Some("dir") => Location::Dir(PathBuf::from(rest)),
        Some("registry") => Location::Registry {
            reference: rest.to_string(),
            pinned: None,
            options: options.registry.clone(),
        },
        Some("oci") => {
            let path = PathBuf::from(rest.rsplit_once("@").map_or(rest, |(p, _)| p));
            if path.is_dir() {
                Location::OciDir(path)
            } else {
                Location::Archive(path)
            }
        }
        Some(_) => Location::Archive(PathBuf::from(rest)),
        None => {
            let path = Path::new(rest);
            if path.is_dir() {
                if path.join("index.json").is_file() || path.join("blobs").is_dir() {
                    Location::OciDir(path.to_path_buf())
                } else {
                    Location::Dir(path.to_path_buf())
                }
            } else if path.is_file() {
                Location::Archive(path.to_path_buf())
            } else if rest.contains('/') && (rest.starts_with('.') || rest.starts_with('/')) {
                return Err(ImageError::NotFound(rest.to_string()));
            } else if options.remote {
                Location::Registry {
                    reference: rest.to_string(),
                    pinned: None,
                    options: options.registry.clone(),
                }
            } else {
                Location::Engine {
                    endpoint: options.engine.clone(),
                    name: rest.to_string(),
                }
            }
        }
    };
    let mut image = Image {
        reference: target.to_string(),
        kind: SourceKind::Dir,
        id: None,
        repo_tags: Vec::new(),
        config: ImageConfig::default(),
        location: location.clone(),
        platform: options.platform.clone(),
    };
    match &location {
        Location::Registry {
            reference,
            options: registry,
            ..
        } => {
            image.kind = SourceKind::Registry;
            let mut blobs = crate::registry::RegistryBlobs::open(reference, registry)?;
            let shown = blobs.shown().to_string();
            let resolved = resolve(&mut blobs, &shown, options.platform.as_deref())?;
            image.config = resolved.config;
            image.id = resolved.config_digest;
            image.repo_tags = resolved.tags;
            image.location = Location::Registry {
                reference: reference.clone(),
                pinned: Some(blobs.top_digest().to_string()),
                options: registry.clone(),
            };
        }
        Location::Dir(path) => {
            if !path.is_dir() {
                return Err(ImageError::io(path.display(), "not a directory"));
            }
        }
        Location::Engine { endpoint, name } => {
            image.kind = SourceKind::Engine;
            let (config, id, tags) = crate::engine::inspect(endpoint.as_deref(), name)?;
            image.config = config;
            image.id = Some(id);
            image.repo_tags = tags;
        }
        Location::OciDir(path) => {
            image.kind = SourceKind::OciLayout;
            let mut blobs = DirBlobs { root: path.clone() };
            let resolved = resolve(&mut blobs, &path.display().to_string(), options.platform.as_deref())?;
            image.config = resolved.config;
            image.id = resolved.config_digest;
            image.repo_tags = resolved.tags;
        }
        Location::Archive(path) => {
            let scan = scan_archive_file(path, None)?;
            let mut blobs = scan;
            image.kind = if blobs.small.contains_key("manifest.json") {
                SourceKind::DockerArchive
            } else {
                SourceKind::OciArchive
            };
            let resolved = resolve(&mut blobs, &path.display().to_string(), options.platform.as_deref())?;
            image.config = resolved.config;
            image.id = resolved.config_digest;
            image.repo_tags = resolved.tags;
        }
    }
    Ok(image)
}

impl Image {
    /// The image's display name: first tag, else the reference.
    pub fn name(&self) -> String {
        self.repo_tags
            .first()
            .cloned()
            .unwrap_or_else(|| self.reference.clone())
    }

    /// What the image checks read of it besides its files.
    pub fn subject(&self) -> ImageSubject<'_> {
        ImageSubject {
            name: self.name(),
            reference: &self.reference,
            kind: self.kind,
            config: &self.config,
        }
    }

    /// Read the layers (or walk the directory) into a merged view.
    pub fn view(&self, options: &ViewOptions) -> Result<FileSystemView, ImageError> {
        match &self.location {
            Location::Dir(path) => crate::dir::walk(path, options),
            Location::OciDir(path) => {
                let mut blobs = DirBlobs { root: path.clone() };
                let resolved = resolve(&mut blobs, &path.display().to_string(), self.platform.as_deref())?;
                if let Some(progress) = &options.progress {
                    let total = resolved.layers.iter().map(|l| l.size).sum();
                    progress.total.store(total, std::sync::atomic::Ordering::Relaxed);
                }
                build_view(&mut blobs, &resolved, &path.display().to_string(), options)
            }
            Location::Archive(path) => {
                let mut scan = scan_archive_file(path, Some(options))?;
                let resolved = resolve(&mut scan, &path.display().to_string(), self.platform.as_deref())?;
                build_view(&mut scan, &resolved, &path.display().to_string(), options)
            }
            Location::Registry {
                reference,
                pinned,
                options: registry,
            } => {
                let target = match pinned {
                    Some(digest) => pin(reference, digest),
                    None => reference.clone(),
                };
                let mut blobs = crate::registry::RegistryBlobs::open(&target, registry)?;
                let shown = blobs.shown().to_string();
                let resolved = resolve(&mut blobs, &shown, self.platform.as_deref())?;
                if let Some(progress) = &options.progress {
                    let total = resolved.layers.iter().map(|l| l.size).sum();
                    progress.total.store(total, std::sync::atomic::Ordering::Relaxed);
                }
                build_view(&mut blobs, &resolved, &shown, options)
            }
            Location::Engine { endpoint, name } => {
                let reader = crate::engine::export(endpoint.as_deref(), name)?;
                let mut scan = scan_archive(reader, &format!("engine image {name}"), Some(options))?;
                let source = format!("engine image {name}");
                let resolved = resolve(&mut scan, &source, None)?;
                build_view(&mut scan, &resolved, &source, options)
            }
        }
    }
}

// ------------------------------------------------------------------ blobs

type LayerResult = Result<Option<LayerRead>, ImageError>;

/// `name:tag` or `name@digest` pinned to `digest` (the tag dropped: the
/// digest is what was resolved).
fn pin(reference: &str, digest: &str) -> String {
    let name = reference.split_once('@').map_or(reference, |(n, _)| n);
    let last_slash = name.rfind('/').map_or(0, |i| i + 1);
    let name = match name[last_slash..].rfind(':') {
        Some(colon) => &name[..last_slash + colon],
        None => name,
    };
    format!("{name}@{digest}")
}

/// Access to the files of an archive or OCI layout (or a registry presented as one).
pub(crate) trait Blobs {
    fn small(&mut self, path: &str) -> Result<Option<Vec<u8>>, ImageError>;
    fn layers(&mut self, paths: &[String], options: &ViewOptions) -> Vec<Result<Option<LayerRead>, ImageError>>;
}

struct DirBlobs {
    root: PathBuf,
}

impl Blobs for DirBlobs {
    fn small(&mut self, path: &str) -> Result<Option<Vec<u8>>, ImageError> {
        let full = self.root.join(path);
        match std::fs::metadata(&full) {
            Ok(m) if m.len() > MAX_SMALL_FILE => Err(ImageError::invalid(
                &self.root.display().to_string(),
                path,
                format!("{} bytes, too large", m.len()),
            )),
            Ok(_) => crate::dir::open_regular(&full)
                .and_then(|mut f| {
                    let mut bytes = Vec::new();
                    std::io::Read::read_to_end(&mut f, &mut bytes).map(|_| bytes)
                })
                .map(Some)
                .map_err(|e| ImageError::io(full.display(), e)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(ImageError::io(full.display(), e)),
        }
    }

    fn layers(&mut self, paths: &[String], options: &ViewOptions) -> Vec<Result<Option<LayerRead>, ImageError>> {
        in_parallel(paths, |path| {
            let full = self.root.join(path);
            match crate::dir::open_regular(&full) {
                Ok(file) => read_layer(file, path, options).map(Some),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(ImageError::io(full.display(), e)),
            }
        })
    }
}

/// `work` on every item, on as many threads as there are cores (each layer
/// also hashes on a thread of its own), results in the items' order.
pub(crate) fn in_parallel<T: Sync>(items: &[T], work: impl Fn(&T) -> LayerResult + Sync) -> Vec<LayerResult> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<std::sync::Mutex<Option<LayerResult>>> =
        items.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let result = work(item);
                    if let Some(slot) = results.get(i)
                        && let Ok(mut slot) = slot.lock()
                    {
                        *slot = Some(result);
                    }
                }
            });
        }
    });
    results
        .into_iter()
        .map(|m| m.into_inner().ok().flatten().unwrap_or(Ok(None)))
        .collect()
}

/// What one pass over an archive kept: small files whole, layers read.
struct ArchiveScan {
    small: HashMap<String, Vec<u8>>,
    layers: HashMap<String, LayerRead>,
    layer_errors: HashMap<String, ImageError>,
    /// A plain tar on disk: where each member's bytes are (offset, size), so
    /// layers are read in place, several at a time.
    file: Option<PathBuf>,
    ranges: HashMap<String, (u64, u64)>,
}

impl Blobs for ArchiveScan {
    fn small(&mut self, path: &str) -> Result<Option<Vec<u8>>, ImageError> {
        Ok(self.small.get(path).cloned())
    }

    fn layers(&mut self, paths: &[String], options: &ViewOptions) -> Vec<Result<Option<LayerRead>, ImageError>> {
        if let Some(file) = &self.file {
            let ranges = &self.ranges;
            return in_parallel(paths, |path| {
                use std::io::{Seek, SeekFrom};
                let Some(&(offset, size)) = ranges.get(path) else {
                    return Ok(None);
                };
                let mut reader = std::fs::File::open(file).map_err(|e| ImageError::io(file.display(), e))?;
                reader
                    .seek(SeekFrom::Start(offset))
                    .map_err(|e| ImageError::io(file.display(), e))?;
                let layer = read_layer(reader.take(size), path, options)?;
                if layer.size < size {
                    return Err(ImageError::Layer {
                        layer: path.clone(),
                        reason: format!("truncated: {} of {size} bytes", layer.size),
                    });
                }
                Ok(Some(layer))
            });
        }
        paths
            .iter()
            .map(|p| {
                if let Some(err) = self.layer_errors.remove(p) {
                    return Err(err);
                }
                if let Some(layer) = self.layers.remove(p) {
                    return Ok(Some(layer));
                }
                match self.small.get(p) {
                    Some(bytes) => read_layer(&bytes[..], p, options).map(Some),
                    None => Ok(None),
                }
            })
            .collect()
    }
}

fn looks_like_layer(path: &str, head: &[u8]) -> bool {
    head.starts_with(&[0x1f, 0x8b])
        || head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd])
        || head.get(257..262) == Some(b"ustar")
        || path.ends_with("/layer.tar")
}

fn scan_archive_file(path: &Path, options: Option<&ViewOptions>) -> Result<ArchiveScan, ImageError> {
    let file = std::fs::File::open(path).map_err(|e| ImageError::io(path.display(), e))?;
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let head = reader.fill_buf().map_err(|e| ImageError::io(path.display(), e))?;
    let name = path.display().to_string();
    if head.starts_with(&[0x1f, 0x8b]) {
        scan_archive(flate2::bufread::MultiGzDecoder::new(reader), &name, options)
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        let decoder = zstd::stream::read::Decoder::with_buffer(reader).map_err(|e| ImageError::io(&name, e))?;
        scan_archive(decoder, &name, options)
    } else if head.get(257..262) == Some(b"ustar") || head.len() >= 512 {
        // Uncompressed: the layers are most of the file, a fair total for progress.
        if let Some(progress) = options.and_then(|o| o.progress.as_ref())
            && let Ok(meta) = std::fs::metadata(path)
        {
            progress.total.store(meta.len(), std::sync::atomic::Ordering::Relaxed);
        }
        // Manifests and configs read, layers seeked over: `layers()` reads them in place.
        let mut scan = scan_archive_seek(reader, &name)?;
        scan.file = Some(path.to_path_buf());
        Ok(scan)
    } else {
        Err(ImageError::Unrecognised {
            target: name,
            reason: "neither a tar archive nor a gzip/zstd compressed one".to_string(),
        })
    }
}

fn archive_err(name: &str, e: impl std::fmt::Display) -> ImageError {
    ImageError::invalid(name, "archive", format!("truncated or corrupt tar: {e}"))
}

fn scan_archive_seek<R: Read + std::io::Seek>(reader: R, name: &str) -> Result<ArchiveScan, ImageError> {
    let mut archive = tar::Archive::new(reader);
    let mut small = HashMap::new();
    let mut ranges = HashMap::new();
    for entry in archive.entries_with_seek().map_err(|e| archive_err(name, e))? {
        let mut entry = entry.map_err(|e| archive_err(name, e))?;
        if entry.header().entry_type() != tar::EntryType::Regular {
            continue;
        }
        let path = crate::view::normalize_entry_path(&String::from_utf8_lossy(&entry.path_bytes()))
            .map(|p| p.trim_start_matches('/').to_string());
        let Some(path) = path else { continue };
        ranges.insert(path.clone(), (entry.raw_file_position(), entry.size()));
        if entry.size() > MAX_SMALL_FILE {
            continue;
        }
        if !(path.ends_with(".json") || path.starts_with("blobs/") || path == "repositories") || path.ends_with("/json")
        {
            continue;
        }
        let mut head = vec![0u8; 512.min(entry.size() as usize)];
        entry.read_exact(&mut head).map_err(|e| archive_err(name, e))?;
        if looks_like_layer(&path, &head) {
            continue;
        }
        let mut bytes = head;
        entry.read_to_end(&mut bytes).map_err(|e| archive_err(name, e))?;
        small.insert(path, bytes);
    }
    Ok(ArchiveScan {
        small,
        layers: HashMap::new(),
        layer_errors: HashMap::new(),
        file: None,
        ranges,
    })
}

/// One pass over an archive stream: small files kept whole, layers read as
/// they come (their order is only known from the manifest, often last).
fn scan_archive<R: Read>(reader: R, name: &str, options: Option<&ViewOptions>) -> Result<ArchiveScan, ImageError> {
    let mut archive = tar::Archive::new(reader);
    let mut scan = ArchiveScan {
        small: HashMap::new(),
        layers: HashMap::new(),
        layer_errors: HashMap::new(),
        file: None,
        ranges: HashMap::new(),
    };
    for entry in archive.entries().map_err(|e| archive_err(name, e))? {
        let entry = entry.map_err(|e| archive_err(name, e))?;
        if !matches!(
            entry.header().entry_type(),
            tar::EntryType::Regular | tar::EntryType::Continuous
        ) {
            continue;
        }
        let size = entry.size();
        let path = crate::view::normalize_entry_path(&String::from_utf8_lossy(&entry.path_bytes()))
            .map(|p| p.trim_start_matches('/').to_string());
        let Some(path) = path else { continue };
        let mut reader = BufReader::with_capacity(64 << 10, entry);
        let head = reader.fill_buf().map_err(|e| archive_err(name, e))?.to_vec();
        // Small layer-looking blobs stay whole: `layers()` reads them when the manifest names them.
        let is_layer = looks_like_layer(&path, &head) && (size > (1 << 20) || path.ends_with("/layer.tar"));
        if is_layer {
            if let Some(options) = options {
                match read_layer(&mut reader, &path, options) {
                    Ok(layer) => {
                        scan.layers.insert(path, layer);
                    }
                    Err(e) => {
                        // The outer stream may be unusable now: report it when the layer is needed.
                        scan.layer_errors.insert(path, e);
                        std::io::copy(&mut reader, &mut std::io::sink()).map_err(|e| archive_err(name, e))?;
                    }
                }
            }
            continue;
        }
        if size > MAX_SMALL_FILE {
            continue;
        }
        let mut bytes = Vec::with_capacity(size as usize);
        reader.read_to_end(&mut bytes).map_err(|e| archive_err(name, e))?;
        scan.small.insert(path, bytes);
    }
    Ok(scan)
}

// ------------------------------------------------------------------ manifests

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DockerManifest {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    #[serde(default)]
    layers: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    #[serde(default)]
    media_type: String,
    digest: String,
    #[serde(default)]
    size: i64,
    #[serde(default)]
    platform: Option<Platform>,
    #[serde(default)]
    annotations: Option<HashMap<String, String>>,
}

#[derive(Debug, Clone, Deserialize)]
struct Platform {
    #[serde(default)]
    architecture: String,
    #[serde(default)]
    os: String,
    #[serde(default)]
    variant: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OciIndex {
    #[serde(default)]
    manifests: Vec<Descriptor>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OciManifest {
    #[serde(default)]
    media_type: Option<String>,
    config: Descriptor,
    layers: Vec<Descriptor>,
}

#[derive(Debug)]
struct LayerRef {
    path: String,
    /// Expected blob digest (from an OCI descriptor or a `blobs/sha256/` name).
    digest: Option<String>,
    media_type: String,
    /// Size as stored, when the manifest says (0: unknown).
    size: u64,
}

#[derive(Debug)]
struct Resolved {
    config: ImageConfig,
    config_digest: Option<String>,
    tags: Vec<String>,
    layers: Vec<LayerRef>,
}

fn blob_path(source: &str, digest: &str) -> Result<String, ImageError> {
    let (algorithm, hex) = digest
        .split_once(':')
        .ok_or_else(|| ImageError::invalid(source, "descriptor", format!("malformed digest '{digest}'")))?;
    if algorithm != "sha256" || hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ImageError::invalid(
            source,
            "descriptor",
            format!("unsupported digest '{digest}'"),
        ));
    }
    Ok(format!("blobs/{algorithm}/{hex}"))
}

fn digest_from_path(path: &str) -> Option<String> {
    path.strip_prefix("blobs/sha256/")
        .filter(|h| h.len() == 64)
        .map(|h| format!("sha256:{h}"))
}

fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

fn verified_blob(blobs: &mut dyn Blobs, source: &str, digest: &str) -> Result<Vec<u8>, ImageError> {
    let path = blob_path(source, digest)?;
    let bytes = blobs.small(&path)?.ok_or_else(|| ImageError::MissingBlob {
        source_name: source.to_string(),
        blob: digest.to_string(),
    })?;
    let actual = sha256(&bytes);
    if actual != digest {
        return Err(ImageError::DigestMismatch {
            source_name: source.to_string(),
            blob: digest.to_string(),
            actual,
        });
    }
    Ok(bytes)
}

fn platform_matches(p: &Platform, wanted: &str) -> bool {
    let mut parts = wanted.split('/');
    let os = parts.next().unwrap_or_default();
    let arch = parts.next().unwrap_or_default();
    let variant = parts.next();
    p.os == os && (arch.is_empty() || p.architecture == arch) && (variant.is_none() || p.variant.as_deref() == variant)
}

fn host_platform() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    format!("linux/{arch}")
}

fn pick_manifest(
    blobs: &mut dyn Blobs,
    source: &str,
    index: OciIndex,
    platform: Option<&str>,
    depth: usize,
) -> Result<(Descriptor, Vec<String>), ImageError> {
    if depth > 4 {
        return Err(ImageError::invalid(source, "index.json", "nested indexes too deep"));
    }
    let candidates: Vec<Descriptor> = index.manifests;
    if candidates.is_empty() {
        return Err(ImageError::invalid(source, "index.json", "no manifests"));
    }
    let chosen = if candidates.len() == 1 {
        candidates[0].clone()
    } else {
        let wanted = platform.map(str::to_string).unwrap_or_else(host_platform);
        let matching: Vec<&Descriptor> = candidates
            .iter()
            .filter(|d| d.platform.as_ref().is_some_and(|p| platform_matches(p, &wanted)))
            .collect();
        match matching.first() {
            Some(d) => (*d).clone(),
            None if platform.is_none() && candidates.iter().all(|d| d.platform.is_none()) => candidates[0].clone(),
            None => {
                let available: Vec<String> = candidates
                    .iter()
                    .filter_map(|d| d.platform.as_ref())
                    .map(|p| format!("{}/{}", p.os, p.architecture))
                    .collect();
                return Err(ImageError::NoPlatform {
                    source_name: source.to_string(),
                    platform: wanted,
                    available: available.join(", "),
                });
            }
        }
    };
    let tags: Vec<String> = chosen
        .annotations
        .as_ref()
        .and_then(|a| {
            a.get("io.containerd.image.name")
                .or_else(|| a.get("org.opencontainers.image.ref.name"))
        })
        .cloned()
        .into_iter()
        .collect();
    if chosen.media_type.contains("image.index") || chosen.media_type.contains("manifest.list") {
        let bytes = verified_blob(blobs, source, &chosen.digest)?;
        let nested: OciIndex =
            serde_json::from_slice(&bytes).map_err(|e| ImageError::invalid(source, "nested index", e))?;
        let (d, mut more) = pick_manifest(blobs, source, nested, platform, depth + 1)?;
        more.extend(tags);
        return Ok((d, more));
    }
    Ok((chosen, tags))
}

fn resolve(blobs: &mut dyn Blobs, source: &str, platform: Option<&str>) -> Result<Resolved, ImageError> {
    if let Some(bytes) = blobs.small("manifest.json")? {
        let manifests: Vec<DockerManifest> =
            serde_json::from_slice(&bytes).map_err(|e| ImageError::invalid(source, "manifest.json", e))?;
        let manifest = manifests
            .into_iter()
            .next()
            .ok_or_else(|| ImageError::invalid(source, "manifest.json", "no image in the archive"))?;
        let config_bytes = blobs.small(&manifest.config)?.ok_or_else(|| ImageError::MissingBlob {
            source_name: source.to_string(),
            blob: manifest.config.clone(),
        })?;
        let config_digest = sha256(&config_bytes);
        if let Some(expected) = digest_from_path(&manifest.config)
            .or_else(|| manifest.config.strip_suffix(".json").map(|h| format!("sha256:{h}")))
            && expected.len() == 71
            && expected != config_digest
        {
            return Err(ImageError::DigestMismatch {
                source_name: source.to_string(),
                blob: manifest.config.clone(),
                actual: config_digest,
            });
        }
        let config = ImageConfig::parse(&config_bytes).map_err(|e| ImageError::invalid(source, &manifest.config, e))?;
        let layers = manifest
            .layers
            .iter()
            .map(|p| LayerRef {
                path: p.clone(),
                digest: digest_from_path(p),
                media_type: "application/vnd.docker.image.rootfs.diff.tar".to_string(),
                size: 0,
            })
            .collect();
        return Ok(Resolved {
            config,
            config_digest: Some(config_digest),
            tags: manifest.repo_tags.unwrap_or_default(),
            layers,
        });
    }
    let Some(bytes) = blobs.small("index.json")? else {
        return Err(ImageError::Unrecognised {
            target: source.to_string(),
            reason: "no manifest.json (docker-archive) nor index.json (OCI layout)".to_string(),
        });
    };
    let index: OciIndex = serde_json::from_slice(&bytes).map_err(|e| ImageError::invalid(source, "index.json", e))?;
    let (descriptor, tags) = pick_manifest(blobs, source, index, platform, 0)?;
    let manifest_bytes = verified_blob(blobs, source, &descriptor.digest)?;
    let manifest: OciManifest = serde_json::from_slice(&manifest_bytes)
        .map_err(|e| ImageError::invalid(source, &format!("manifest {}", descriptor.digest), e))?;
    if manifest
        .media_type
        .as_deref()
        .is_some_and(|m| m.contains("index") || m.contains("list"))
    {
        return Err(ImageError::invalid(
            source,
            "manifest",
            "an index where an image manifest was expected",
        ));
    }
    let config_bytes = verified_blob(blobs, source, &manifest.config.digest)?;
    let config = ImageConfig::parse(&config_bytes)
        .map_err(|e| ImageError::invalid(source, &format!("config {}", manifest.config.digest), e))?;
    let mut layers = Vec::new();
    for d in &manifest.layers {
        if d.size < 0 {
            return Err(ImageError::invalid(
                source,
                "manifest",
                format!("negative size for {}", d.digest),
            ));
        }
        layers.push(LayerRef {
            path: blob_path(source, &d.digest)?,
            digest: Some(d.digest.clone()),
            media_type: d.media_type.clone(),
            size: d.size as u64,
        });
    }
    Ok(Resolved {
        config,
        config_digest: Some(manifest.config.digest.clone()),
        tags,
        layers,
    })
}

fn build_view(
    blobs: &mut dyn Blobs,
    resolved: &Resolved,
    source: &str,
    options: &ViewOptions,
) -> Result<FileSystemView, ImageError> {
    let diff_ids = &resolved.config.rootfs.diff_ids;
    if !diff_ids.is_empty() && diff_ids.len() != resolved.layers.len() {
        return Err(ImageError::invalid(
            source,
            "config",
            format!(
                "{} diff_ids for {} layers in the manifest",
                diff_ids.len(),
                resolved.layers.len()
            ),
        ));
    }
    // A blob listed several times (a manifest naming one layer 100,000
    // times) is read once; each occurrence is still applied in its place.
    let mut unique: Vec<String> = Vec::new();
    let mut position: HashMap<&str, usize> = HashMap::new();
    let slots: Vec<usize> = resolved
        .layers
        .iter()
        .map(|l| {
            *position.entry(l.path.as_str()).or_insert_with(|| {
                unique.push(l.path.clone());
                unique.len() - 1
            })
        })
        .collect();
    let mut once: Vec<Option<Result<Option<LayerRead>, ImageError>>> =
        blobs.layers(&unique, options).into_iter().map(Some).collect();
    let mut remaining = vec![0usize; unique.len()];
    for &slot in &slots {
        remaining[slot] += 1;
    }
    let reads: Vec<Result<Option<LayerRead>, ImageError>> = slots
        .iter()
        .map(|&slot| {
            remaining[slot] -= 1;
            if remaining[slot] == 0 {
                once[slot].take().unwrap_or(Ok(None))
            } else {
                match &once[slot] {
                    Some(Ok(read)) => Ok(read.clone()),
                    Some(Err(e)) => Err(ImageError::Layer {
                        layer: unique[slot].clone(),
                        reason: e.to_string(),
                    }),
                    None => Ok(None),
                }
            }
        })
        .collect();
    let mut infos = Vec::new();
    let mut per_layer = Vec::new();
    let mut warnings = Vec::new();
    for (i, (layer_ref, read)) in resolved.layers.iter().zip(reads).enumerate() {
        let read = read?.ok_or_else(|| ImageError::MissingBlob {
            source_name: source.to_string(),
            blob: layer_ref.digest.clone().unwrap_or_else(|| layer_ref.path.clone()),
        })?;
        if let Some(expected) = &layer_ref.digest
            && *expected != read.digest
        {
            return Err(ImageError::DigestMismatch {
                source_name: source.to_string(),
                blob: expected.clone(),
                actual: read.digest,
            });
        }
        if let Some(expected) = diff_ids.get(i)
            && *expected != read.diff_id
        {
            return Err(ImageError::DigestMismatch {
                source_name: source.to_string(),
                blob: format!("{} (diff id {expected})", layer_ref.path),
                actual: read.diff_id,
            });
        }
        warnings.extend(read.warnings);
        infos.push(LayerInfo {
            diff_id: read.diff_id,
            digest: read.digest,
            media_type: layer_ref.media_type.clone(),
            size: read.size,
            compression: read.compression.to_string(),
        });
        per_layer.push(read.items);
    }
    let mut view = FileSystemView::new(infos);
    for (i, mut items) in per_layer.into_iter().enumerate() {
        for (_, item) in items.iter_mut() {
            if let crate::view::LayerItem::Entry(e) = item {
                e.layer = Some(i);
            }
        }
        crate::view::apply(&mut view, i, items);
    }
    view.warnings = warnings;
    Ok(view)
}

// ------------------------------------------------------------------ dir helpers

pub(crate) fn entry_from_metadata(meta: &std::fs::Metadata, kind: EntryKind, content: Option<Arc<Vec<u8>>>) -> Entry {
    use std::os::unix::fs::MetadataExt;
    Entry {
        kind,
        mode: meta.mode() & 0o7777,
        uid: u64::from(meta.uid()),
        gid: u64::from(meta.gid()),
        size: meta.len(),
        layer: None,
        file_capabilities: false,
        content,
    }
}

pub(crate) fn want_of(options: &ViewOptions, path: &str, size: u64, mode: u32) -> Want {
    (options.want)(path, size, mode)
}

pub(crate) fn view_of_archive_bytes(bytes: &[u8], options: &ViewOptions) -> Result<FileSystemView, ImageError> {
    let mut scan = scan_archive(bytes, "fuzz", Some(options))?;
    let resolved = resolve(&mut scan, "fuzz", None)?;
    build_view(&mut scan, &resolved, "fuzz", options)
}

#[cfg(test)]
mod tests {
    use super::pin;

    #[test]
    fn a_registry_reference_is_pinned_to_the_resolved_digest() {
        let d = "sha256:0123";
        assert_eq!(
            pin("127.0.0.1:5000/lab/alpine:3.10", d),
            "127.0.0.1:5000/lab/alpine@sha256:0123"
        );
        assert_eq!(pin("127.0.0.1:5000/alpine", d), "127.0.0.1:5000/alpine@sha256:0123");
        assert_eq!(pin("alpine:3.10@sha256:ffff", d), "alpine@sha256:0123");
        assert_eq!(pin("localhost:5000/a/b", d), "localhost:5000/a/b@sha256:0123");
    }
}
