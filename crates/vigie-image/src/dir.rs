//! A root filesystem directory (`dir:PATH`, `dir:/` for the host) read in
//! place: the same view as an image, without layers.

use crate::error::ImageError;
use crate::source::{entry_from_metadata, want_of};
use crate::view::{EntryKind, FileSystemView, ViewOptions, Want};
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

/// Pseudo and volatile filesystems never walked on a live host.
const SKIP_ON_HOST: &[&str] = &[
    "/proc",
    "/sys",
    "/dev",
    "/run",
    "/tmp",
    "/var/lib/docker",
    "/var/lib/containerd",
];

pub(crate) fn walk(root: &Path, options: &ViewOptions) -> Result<FileSystemView, ImageError> {
    let meta = std::fs::metadata(root).map_err(|e| ImageError::io(root.display(), e))?;
    if !meta.is_dir() {
        return Err(ImageError::io(root.display(), "not a directory"));
    }
    let is_host = root.canonicalize().map(|p| p == Path::new("/")).unwrap_or(false);
    let mut view = FileSystemView::new(Vec::new());
    let mut stack: Vec<(std::path::PathBuf, String)> = vec![(root.to_path_buf(), String::new())];
    let mut errors = 0usize;
    while let Some((dir, rel)) = stack.pop() {
        let read = match std::fs::read_dir(&dir) {
            Ok(r) => r,
            Err(e) => {
                errors += 1;
                if errors <= 20 {
                    view.warnings
                        .push(format!("cannot read directory {}: {e}", dir.display()));
                }
                continue;
            }
        };
        for item in read.flatten() {
            let name = item.file_name().to_string_lossy().into_owned();
            let path = format!("{rel}/{name}");
            if is_host && SKIP_ON_HOST.contains(&path.as_str()) {
                continue;
            }
            let Ok(meta) = item.metadata() else { continue };
            let file_type = meta.file_type();
            if file_type.is_dir() {
                if options.keep_all_metadata {
                    view.insert(path.clone(), entry_from_metadata(&meta, EntryKind::Dir, None));
                }
                stack.push((item.path(), path));
            } else if file_type.is_symlink() {
                let target = std::fs::read_link(item.path())
                    .map(|t| t.to_string_lossy().into_owned())
                    .unwrap_or_default();
                view.insert(path, entry_from_metadata(&meta, EntryKind::Symlink(target), None));
            } else if file_type.is_file() {
                use std::os::unix::fs::MetadataExt;
                let mode = meta.mode() & 0o7777;
                let content = match want_of(options, &path, meta.len(), mode) {
                    Want::No => None,
                    Want::Content if meta.len() > options.max_file_size => {
                        view.warnings
                            .push(format!("{path}: {} bytes, over the size limit: not read", meta.len()));
                        None
                    }
                    Want::Content => read_bounded(&item.path(), options.max_file_size).map(Arc::new),
                    Want::Extract(_) if elf_without_sections(&item.path(), options.elf_sections) => None,
                    Want::Extract(extract) if meta.len() <= options.max_binary_size => {
                        read_bounded(&item.path(), options.max_binary_size)
                            .and_then(|b| extract(&b))
                            .map(Arc::new)
                    }
                    Want::Extract(_) => None,
                };
                if content.is_some() || options.keep_all_metadata {
                    view.insert(path, entry_from_metadata(&meta, EntryKind::File, content));
                }
            } else if options.keep_all_metadata {
                view.insert(path, entry_from_metadata(&meta, EntryKind::Other, None));
            }
        }
    }
    if errors > 20 {
        view.warnings
            .push(format!("{} more unreadable directories", errors - 20));
    }
    Ok(view)
}

fn read_bounded(path: &Path, limit: u64) -> Option<Vec<u8>> {
    let file = std::fs::File::open(path).ok()?;
    let mut buf = Vec::new();
    file.take(limit).read_to_end(&mut buf).ok()?;
    Some(buf)
}

/// An ELF file (64-bit little-endian) that has none of `wanted` sections,
/// found by reading only its section table. Anything else: `false`.
fn elf_without_sections(path: &Path, wanted: &[&str]) -> bool {
    use std::io::{Seek, SeekFrom};
    if wanted.is_empty() {
        return false;
    }
    let probe = || -> std::io::Result<Option<bool>> {
        let mut file = std::fs::File::open(path)?;
        let mut header = [0u8; 64];
        if file.read_exact(&mut header).is_err() || !header.starts_with(b"\x7fELF") || header[4] != 2 || header[5] != 1
        {
            return Ok(None);
        }
        let u16_at = |at: usize| u64::from(u16::from_le_bytes([header[at], header[at + 1]]));
        let mut shoff = [0u8; 8];
        shoff.copy_from_slice(&header[0x28..0x30]);
        let shoff = u64::from_le_bytes(shoff);
        let (entsize, count, strndx) = (u16_at(0x3a), u16_at(0x3c), u16_at(0x3e));
        if entsize < 64 || count == 0 || count > 4096 || strndx >= count {
            return Ok(None);
        }
        let mut table = vec![0u8; (entsize * count) as usize];
        file.seek(SeekFrom::Start(shoff))?;
        file.read_exact(&mut table)?;
        let field = |i: u64, at: usize| {
            let start = (i * entsize) as usize + at;
            let mut b = [0u8; 8];
            b.copy_from_slice(&table[start..start + 8]);
            u64::from_le_bytes(b)
        };
        let (str_off, str_size) = (field(strndx, 0x18), field(strndx, 0x20));
        if str_size > 1 << 20 {
            return Ok(None);
        }
        let mut names = vec![0u8; str_size as usize];
        file.seek(SeekFrom::Start(str_off))?;
        file.read_exact(&mut names)?;
        let has = (0..count).any(|i| {
            let start = (i * entsize) as usize;
            let offset =
                u32::from_le_bytes([table[start], table[start + 1], table[start + 2], table[start + 3]]) as usize;
            let name = names.get(offset..).unwrap_or_default();
            let name = &name[..name.iter().position(|&b| b == 0).unwrap_or(name.len())];
            wanted.iter().any(|w| w.as_bytes() == name)
        });
        Ok(Some(!has))
    };
    matches!(probe(), Ok(Some(true)))
}
