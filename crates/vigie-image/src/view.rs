//! Reading options for the merged, read-only filesystem of an image (which
//! files carry content: `ViewOptions::want`) and how one layer's items apply
//! over the view (whiteouts, opaque directories). The view itself is plain
//! data in `vigie_snapshot::filesystem`, re-exported here.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

pub(crate) use vigie_snapshot::filesystem::{Entry, EntryKind, FileSystemView, LayerInfo};

/// What to keep of a file met while reading layers.
#[derive(Clone, Copy)]
pub enum Want {
    /// Metadata only.
    No,
    /// The whole content (bounded by `ViewOptions::max_file_size`).
    Content,
    /// Read the file (bounded by `ViewOptions::max_binary_size`) and keep only
    /// what the function extracts from it (e.g. Go build info from a binary).
    Extract(Extractor),
}

/// Keeps what it needs of a file's bytes (`None`: nothing of interest).
pub type Extractor = fn(&[u8]) -> Option<Vec<u8>>;

/// The consumer's choice of files, by absolute path, size and mode.
pub type WantFn = fn(path: &str, size: u64, mode: u32) -> Want;

/// Keeps what it needs of one ELF section (`name`, `bytes`) of a binary.
pub type SectionExtractor = fn(name: &str, bytes: &[u8]) -> Option<Vec<u8>>;

/// A readable, seekable file, for `SeekExtractor`.
pub trait ReadSeek: std::io::Read + std::io::Seek {}
impl<T: std::io::Read + std::io::Seek> ReadSeek for T {}

/// Keeps what it needs of an archive read in place (a zip's central
/// directory and a few members), never loading the whole file.
pub type SeekExtractor = fn(file: &mut dyn ReadSeek) -> Option<Vec<u8>>;

/// Counters another thread may watch to draw progress; the reader only adds.
#[derive(Debug, Default)]
pub struct Progress {
    /// Bytes of layers read as stored, or entries walked in a directory.
    pub done: AtomicU64,
    /// Total bytes of the layers when known (0: unknown, e.g. a directory).
    pub total: AtomicU64,
}

#[derive(Clone)]
pub struct ViewOptions {
    pub want: WantFn,
    /// Largest file kept whole; bigger wanted files are skipped with a warning.
    pub max_file_size: u64,
    /// Largest file read for an `Extract`.
    pub max_binary_size: u64,
    /// Keep metadata of every entry (image checks need it); otherwise only
    /// wanted files, symlinks and hard links are kept.
    pub keep_all_metadata: bool,
    /// With `keep_all_metadata`, for a directory (one tree, no layers that
    /// could override an entry): keep only the entries this accepts (path,
    /// mode, file capabilities), besides wanted files, symlinks and hard links.
    pub keep_entry: Option<fn(&str, u32, bool) -> bool>,
    /// A layer expanding past this many bytes is refused (a decompression
    /// bomb); bounded by size, never by compression ratio.
    pub max_layer_bytes: u64,
    /// For `Extract` on an ELF file in a directory source: read the file
    /// only if it has one of these sections (checked by seeking to the
    /// section table). Empty: always read.
    pub elf_sections: &'static [&'static str],
    /// With `elf_sections`: a directory source reads only the first of those
    /// sections an ELF file has (never the whole binary) and keeps what this
    /// returns; a non-ELF file is then read for an `Extract` only if it is a
    /// zip archive (jars).
    pub elf_extract: Option<SectionExtractor>,
    /// Directory sources: for an `Extract` of a zip archive, read it in place
    /// with this instead of loading it whole.
    pub zip_extract: Option<SeekExtractor>,
    /// Whether `want` may keep this path for some size and mode: a directory
    /// walk calls `stat` only for these (and for all when keeping metadata).
    pub maybe_wanted: fn(path: &str) -> bool,
    /// Directory sources: visit only these paths (a trailing `/` walks a
    /// directory) instead of the whole tree. Layers are read whole anyway.
    pub only_paths: Option<&'static [&'static str]>,
    /// Counters for a progress display.
    pub progress: Option<Arc<Progress>>,
}

impl Default for ViewOptions {
    fn default() -> Self {
        ViewOptions {
            want: |_, _, _| Want::No,
            max_file_size: 64 << 20,
            max_binary_size: 512 << 20,
            keep_all_metadata: false,
            keep_entry: None,
            // 16 GiB: past the largest real layers (CUDA and model images
            // have layers of a few GiB), read in well under a minute.
            max_layer_bytes: 16 << 30,
            elf_sections: &[],
            elf_extract: None,
            zip_extract: None,
            maybe_wanted: |_| true,
            only_paths: None,
            progress: None,
        }
    }
}

impl std::fmt::Debug for ViewOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ViewOptions")
            .field("max_file_size", &self.max_file_size)
            .field("keep_all_metadata", &self.keep_all_metadata)
            .finish()
    }
}

/// One item read from one layer.
#[derive(Debug, Clone)]
pub(crate) enum LayerItem {
    Entry(Entry),
    /// `.wh.NAME`: NAME (and all below it) deleted.
    Whiteout,
    /// `.wh..wh..opq` in DIR: everything below DIR from lower layers deleted.
    Opaque,
}

/// Normalise a path from a layer or a link: absolute, no `.`, no empty
/// components; `..` is refused (`None`), never allowed to climb out.
pub(crate) fn normalize_entry_path(raw: &str) -> Option<String> {
    let mut out = String::with_capacity(raw.len() + 1);
    for part in raw.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            p => {
                out.push('/');
                out.push_str(p);
            }
        }
    }
    if out.is_empty() {
        Some("/".to_string())
    } else {
        Some(out)
    }
}

/// Join a link target to the directory holding the link, clamping `..` at
/// the root, as the kernel does inside a chroot.
#[cfg(test)]
pub(crate) fn join_in_root(base_dir: &str, target: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    if !target.starts_with('/') {
        parts.extend(base_dir.split('/').filter(|p| !p.is_empty()));
    }
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    let mut out = String::new();
    for p in parts {
        out.push('/');
        out.push_str(p);
    }
    if out.is_empty() { "/".to_string() } else { out }
}

/// Apply one layer's items over the view (layers must come in order).
pub(crate) fn apply(view: &mut FileSystemView, layer: usize, items: Vec<(String, LayerItem)>) {
    // Opaque markers and whiteouts act on lower layers only: apply them first.
    for (path, item) in &items {
        match item {
            LayerItem::Opaque => view.remove_tree(path, layer, false),
            LayerItem::Whiteout => view.remove_tree(path, layer, true),
            LayerItem::Entry(_) => {}
        }
    }
    for (path, item) in items {
        if let LayerItem::Entry(entry) = item {
            if entry.kind != EntryKind::Dir && view.stored(&path).is_some_and(|e| e.kind == EntryKind::Dir) {
                view.remove_tree(&path, layer, false);
            }
            view.insert(layer, path, entry);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(layer: usize, text: &str) -> LayerItem {
        LayerItem::Entry(Entry {
            kind: EntryKind::File,
            mode: 0o644,
            uid: 0,
            gid: 0,
            size: text.len() as u64,
            layer: Some(layer),
            file_capabilities: false,
            content: Some(Arc::new(text.as_bytes().to_vec())),
        })
    }

    fn link(target: &str) -> LayerItem {
        LayerItem::Entry(Entry {
            kind: EntryKind::Symlink(target.to_string()),
            mode: 0o777,
            uid: 0,
            gid: 0,
            size: 0,
            layer: Some(0),
            file_capabilities: false,
            content: None,
        })
    }

    #[test]
    fn normalizes_and_refuses_dotdot() {
        assert_eq!(normalize_entry_path("./etc//passwd").as_deref(), Some("/etc/passwd"));
        assert_eq!(normalize_entry_path("../etc/passwd"), None);
        assert_eq!(normalize_entry_path("a/../../b"), None);
        assert_eq!(
            join_in_root("/etc", "../../../usr/lib/os-release"),
            "/usr/lib/os-release"
        );
    }

    #[test]
    fn whiteouts_and_opaque_dirs() {
        let mut v = FileSystemView::new(vec![LayerInfo::default(); 3]);
        apply(
            &mut v,
            0,
            vec![
                ("/a/x".into(), file(0, "x")),
                ("/a/y".into(), file(0, "y")),
                ("/b/z".into(), file(0, "z")),
            ],
        );
        apply(
            &mut v,
            1,
            vec![("/a/x".into(), LayerItem::Whiteout), ("/b".into(), LayerItem::Opaque)],
        );
        apply(&mut v, 2, vec![("/b/new".into(), file(2, "n"))]);
        assert!(v.read("/a/x").is_none());
        assert_eq!(v.read("/a/y"), Some(&b"y"[..]));
        assert!(v.read("/b/z").is_none());
        assert_eq!(v.read("/b/new"), Some(&b"n"[..]));
        assert_eq!(v.removed.len(), 2);
    }

    #[test]
    fn symlinks_stay_in_root_and_loops_stop() {
        let mut v = FileSystemView::new(vec![LayerInfo::default()]);
        apply(
            &mut v,
            0,
            vec![
                ("/usr/lib/os-release".into(), file(0, "ID=debian")),
                ("/etc/os-release".into(), link("../usr/lib/os-release")),
                ("/escape".into(), link("../../../../usr/lib/os-release")),
                ("/abs".into(), link("/etc/os-release")),
                ("/loop1".into(), link("loop2")),
                ("/loop2".into(), link("/loop1")),
            ],
        );
        assert_eq!(v.read("/etc/os-release"), Some(&b"ID=debian"[..]));
        assert_eq!(v.read("/escape"), Some(&b"ID=debian"[..]));
        assert_eq!(v.read("/abs"), Some(&b"ID=debian"[..]));
        assert!(v.resolve("/loop1").is_none());
        assert!(v.read("/loop1/x").is_none());
    }
}
