//! The merged, read-only filesystem of an image as plain data: its entries
//! (layers already applied: whiteouts, opaque directories), every layer's
//! version of the files that were read, and queries that resolve symlinks
//! inside the image root. `vigie-image` fills it from layers, archives, a
//! directory or the engine; the image checks and the cataloguers read it.

use std::collections::BTreeMap;
use std::sync::Arc;

/// Maximum symlink hops while resolving one path (Linux uses 40).
const MAX_SYMLINK_HOPS: usize = 40;

/// What a path component is, for [`resolve_links`].
pub enum Link {
    /// A symlink to this target.
    To(String),
    /// Anything else.
    Not,
    /// Nothing there: stop.
    Missing,
}

/// Walk `path` component by component inside a root, following symlinks
/// (absolute targets restart from the root, `..` never climbs above it):
/// `look` tells what each path met is. The resolved path, empty for the root;
/// `None` when a component is missing or after too many hops (a loop). The
/// in-memory view and the directory walk both resolve through it.
pub fn resolve_links(path: &str, mut look: impl FnMut(&str) -> Link) -> Option<String> {
    let mut pending: Vec<String> = path
        .split('/')
        .filter(|p| !p.is_empty())
        .rev()
        .map(str::to_string)
        .collect();
    let mut current = String::new();
    let mut hops = 0;
    while let Some(part) = pending.pop() {
        match part.as_str() {
            "." => continue,
            ".." => {
                current.truncate(current.rfind('/').unwrap_or(0));
                continue;
            }
            _ => {}
        }
        let candidate = format!("{current}/{part}");
        match look(&candidate) {
            Link::To(target) => {
                hops += 1;
                if hops > MAX_SYMLINK_HOPS {
                    return None;
                }
                if target.starts_with('/') {
                    current.clear();
                }
                pending.extend(target.split('/').filter(|p| !p.is_empty()).rev().map(str::to_string));
            }
            Link::Not => current = candidate,
            Link::Missing => return None,
        }
    }
    Some(current)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Dir,
    Symlink(String),
    /// Absolute path of the link target inside the image.
    Hardlink(String),
    Other,
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub kind: EntryKind,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub size: u64,
    /// Index into `FileSystemView::layers` of the layer that wrote this entry.
    pub layer: Option<usize>,
    /// Has a `security.capability` extended attribute (file capabilities).
    pub file_capabilities: bool,
    pub content: Option<Arc<Vec<u8>>>,
}

impl Entry {
    pub fn is_file(&self) -> bool {
        matches!(self.kind, EntryKind::File | EntryKind::Hardlink(_))
    }
}

/// Where a layer came from and what it hashes to.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct LayerInfo {
    /// sha256 of the uncompressed tar (`rootfs.diff_ids`).
    pub diff_id: String,
    /// sha256 of the blob as stored (compressed or not).
    pub digest: String,
    pub media_type: String,
    /// Bytes as stored.
    pub size: u64,
    pub compression: String,
}

/// An entry deleted by a later layer: still present in the image's lower layers.
#[derive(Debug, Clone)]
pub struct RemovedEntry {
    pub path: String,
    pub entry: Entry,
    pub removed_in: usize,
}

/// One layer's version of a wanted file: `(layer index, content)`.
pub type Version = (usize, Arc<Vec<u8>>);

#[derive(Debug, Default)]
pub struct FileSystemView {
    entries: BTreeMap<String, Entry>,
    /// Every layer's version of each wanted file, oldest first.
    history: BTreeMap<String, Vec<Version>>,
    pub layers: Vec<LayerInfo>,
    pub removed: Vec<RemovedEntry>,
    pub warnings: Vec<String>,
}

impl FileSystemView {
    /// An empty view over these layers (none for a directory).
    pub fn new(layers: Vec<LayerInfo>) -> Self {
        FileSystemView {
            layers,
            ..Default::default()
        }
    }

    /// Delete everything below `path` (and `path` itself with
    /// `include_self`), as layer `layer`'s whiteouts and opaque markers do:
    /// the deleted entries are kept in `removed`.
    pub fn remove_tree(&mut self, path: &str, layer: usize, include_self: bool) {
        let prefix = if path == "/" {
            "/".to_string()
        } else {
            format!("{path}/")
        };
        let mut doomed: Vec<String> = self
            .entries
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| k.clone())
            .collect();
        if include_self && self.entries.contains_key(path) {
            doomed.push(path.to_string());
        }
        for key in doomed {
            if let Some(entry) = self.entries.remove(&key) {
                self.removed.push(RemovedEntry {
                    path: key,
                    entry,
                    removed_in: layer,
                });
            }
        }
    }

    /// Set the entry at `path` (normalised, absolute), written by layer
    /// `layer` (0 for a directory); a file's content is also kept as that
    /// layer's version of it.
    pub fn insert(&mut self, layer: usize, path: String, entry: Entry) {
        if let Some(content) = &entry.content {
            self.history
                .entry(path.clone())
                .or_default()
                .push((layer, content.clone()));
        }
        self.entries.insert(path, entry);
    }

    /// The entry stored at `path`, as stored (no symlink resolution).
    pub fn stored(&self, path: &str) -> Option<&Entry> {
        self.entries.get(path)
    }

    /// Resolve symlinks in every component of `path`, staying inside the root.
    /// `None` for a loop or too many hops.
    pub fn resolve(&self, path: &str) -> Option<String> {
        let resolved = resolve_links(path, |candidate| match self.entries.get(candidate).map(|e| &e.kind) {
            Some(EntryKind::Symlink(target)) => Link::To(target.clone()),
            _ => Link::Not,
        })?;
        Some(if resolved.is_empty() { "/".to_string() } else { resolved })
    }

    /// The entry at `path` after resolving symlinks (and hard links).
    pub fn entry(&self, path: &str) -> Option<&Entry> {
        let resolved = self.resolve(path)?;
        let entry = self.entries.get(&resolved)?;
        match &entry.kind {
            EntryKind::Hardlink(target) if entry.content.is_none() => self.entries.get(target).or(Some(entry)),
            _ => Some(entry),
        }
    }

    /// Content of a wanted file, following symlinks inside the root.
    pub fn read(&self, path: &str) -> Option<&[u8]> {
        self.entry(path).and_then(|e| e.content.as_deref()).map(Vec::as_slice)
    }

    pub fn exists(&self, path: &str) -> bool {
        self.entry(path).is_some()
    }

    /// Every kept entry, in path order (paths as stored: not resolved).
    pub fn entries(&self) -> impl Iterator<Item = (&str, &Entry)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Kept entries whose content was read.
    pub fn files_with_content(&self) -> impl Iterator<Item = (&str, &Entry, &[u8])> {
        self.entries
            .iter()
            .filter_map(|(k, v)| v.content.as_deref().map(|c| (k.as_str(), v, c.as_slice())))
    }

    /// Every layer's version of a wanted file, oldest first: `(layer index, content)`.
    pub fn history(&self, path: &str) -> &[(usize, Arc<Vec<u8>>)] {
        self.history.get(path).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The diff id of a layer index, for attributing packages.
    pub fn layer_diff_id(&self, layer: Option<usize>) -> Option<&str> {
        layer
            .and_then(|i| self.layers.get(i))
            .map(|l| l.diff_id.as_str())
            .filter(|d| !d.is_empty())
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(layer: usize, text: &str) -> Entry {
        Entry {
            kind: EntryKind::File,
            mode: 0o644,
            uid: 0,
            gid: 0,
            size: text.len() as u64,
            layer: Some(layer),
            file_capabilities: false,
            content: Some(Arc::new(text.as_bytes().to_vec())),
        }
    }

    #[test]
    fn insert_keeps_versions_and_remove_tree_keeps_the_removed() {
        let mut v = FileSystemView::new(vec![LayerInfo::default(); 2]);
        v.insert(0, "/a/x".into(), file(0, "old"));
        v.insert(1, "/a/x".into(), file(1, "new"));
        v.insert(1, "/a/y".into(), file(1, "y"));
        assert_eq!(v.read("/a/x"), Some(&b"new"[..]));
        assert_eq!(v.history("/a/x").len(), 2);
        v.remove_tree("/a", 1, true);
        assert!(v.is_empty());
        assert_eq!(v.removed.len(), 2);
        assert!(v.stored("/a/x").is_none());
    }
}
