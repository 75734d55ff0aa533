//! A root filesystem directory (`dir:PATH`, `dir:/` for the host) read in
//! place: the same view as an image, without layers.
//!
//! The walk runs on every core (a shared stack of directories), takes file
//! types from the directory listing (`d_type`) and calls `stat` only for the
//! files a consumer may want (`ViewOptions::maybe_wanted`). Binaries are never
//! read whole: the ELF section table is read with `pread`, then only the
//! wanted section. Pseudo filesystems mounted below the root (procfs, sysfs,
//! tmpfs, cgroup…) are not entered.

use crate::error::ImageError;
use crate::source::{entry_from_metadata, want_of};
use crate::view::{Entry, EntryKind, FileSystemView, ViewOptions, Want};
use std::fs::FileType;
use std::io::Read;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Condvar, Mutex};
use vigie_snapshot::filesystem::{Link, resolve_links};

/// Volatile or foreign trees never walked on a live host.
const SKIP_ON_HOST: &[&str] = &[
    "/proc",
    "/sys",
    "/dev",
    "/run",
    "/tmp",
    "/var/lib/docker",
    "/var/lib/containerd",
];

/// Filesystem types with no packages in them: their mount points are skipped.
const PSEUDO_FILESYSTEMS: &[&str] = &[
    "proc",
    "sysfs",
    "devtmpfs",
    "devpts",
    "tmpfs",
    "cgroup",
    "cgroup2",
    "nsfs",
    "debugfs",
    "tracefs",
    "securityfs",
    "pstore",
    "bpf",
    "mqueue",
    "hugetlbfs",
    "configfs",
    "fusectl",
    "autofs",
    "binfmt_misc",
    "efivarfs",
    "selinuxfs",
    "rpc_pipefs",
    "nfsd",
];

/// Unreadable directories reported one by one before a summary line.
const MAX_REPORTED_ERRORS: usize = 20;

/// Largest ELF section table and section read from a binary.
const MAX_SECTION: u64 = 16 << 20;

/// What one worker found.
#[derive(Default)]
struct Found {
    entries: Vec<(String, Entry)>,
    warnings: Vec<String>,
    errors: usize,
}

impl Found {
    fn error(&mut self, message: String) {
        self.errors += 1;
        if self.errors <= MAX_REPORTED_ERRORS {
            self.warnings.push(message);
        }
    }
}

struct Walker<'a> {
    options: &'a ViewOptions,
    /// Relative paths (`/proc`) not to enter.
    skip: Vec<String>,
}

pub(crate) fn walk(root: &Path, options: &ViewOptions) -> Result<FileSystemView, ImageError> {
    let meta = std::fs::metadata(root).map_err(|e| ImageError::io(root.display(), e))?;
    if !meta.is_dir() {
        return Err(ImageError::io(root.display(), "not a directory"));
    }
    let canonical = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut skip = pseudo_mounts_below(&canonical);
    if canonical == Path::new("/") {
        skip.extend(SKIP_ON_HOST.iter().map(|s| s.to_string()));
    }
    let walker = Walker { options, skip };
    let mut found = Found::default();
    let mut dirs: Vec<(PathBuf, String)> = Vec::new();
    match options.only_paths {
        None => dirs.push((root.to_path_buf(), String::new())),
        Some(paths) => {
            for path in paths {
                walker.fixed_path(root, path, &mut found, &mut dirs);
            }
        }
    }
    let results = walker.parallel(dirs);
    let mut view = FileSystemView::new(Vec::new());
    let mut errors = found.errors;
    let mut warnings = found.warnings;
    let mut entries = found.entries;
    for result in results {
        errors += result.errors;
        warnings.extend(result.warnings);
        entries.extend(result.entries);
    }
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    // Fixed paths may reach one file twice (`/etc/os-release` links to `/usr/lib/os-release`).
    entries.dedup_by(|a, b| a.0 == b.0);
    for (path, entry) in entries {
        view.insert(0, path, entry);
    }
    warnings.sort();
    if errors > warnings.len() {
        warnings.push(format!(
            "{} more unreadable files or directories",
            errors - warnings.len()
        ));
    }
    view.warnings = warnings;
    Ok(view)
}

/// Mount points strictly below `root` whose filesystem is a pseudo one, as
/// paths relative to the root (`/proc`).
fn pseudo_mounts_below(root: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string("/proc/self/mountinfo") else {
        return Vec::new();
    };
    let root = root.to_string_lossy();
    let root = root.trim_end_matches('/');
    let mut out = Vec::new();
    for line in text.lines() {
        let Some((left, right)) = line.split_once(" - ") else {
            continue;
        };
        let Some(point) = left.split(' ').nth(4) else { continue };
        let Some(fstype) = right.split(' ').next() else {
            continue;
        };
        if !PSEUDO_FILESYSTEMS.contains(&fstype) {
            continue;
        }
        let point = vigie_rules::inside::unescape_mountinfo(point);
        if let Some(rel) = point.strip_prefix(root)
            && rel.starts_with('/')
            && rel.len() > 1
        {
            out.push(rel.to_string());
        }
    }
    out
}

impl Walker<'_> {
    /// Walk the directories on every core; each worker keeps its own findings.
    fn parallel(&self, dirs: Vec<(PathBuf, String)>) -> Vec<Found> {
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
        // (directories to read, workers busy reading one)
        let queue = Mutex::new((dirs, 0usize));
        let changed = Condvar::new();
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..workers)
                .map(|_| {
                    scope.spawn(|| {
                        let mut found = Found::default();
                        let mut subdirs = Vec::new();
                        loop {
                            let job = {
                                let Ok(mut state) = queue.lock() else { break };
                                loop {
                                    if let Some(job) = state.0.pop() {
                                        state.1 += 1;
                                        break Some(job);
                                    }
                                    if state.1 == 0 {
                                        break None;
                                    }
                                    state = match changed.wait(state) {
                                        Ok(s) => s,
                                        Err(_) => return found,
                                    };
                                }
                            };
                            let Some((dir, rel)) = job else {
                                changed.notify_all();
                                break;
                            };
                            self.read_dir(&dir, &rel, &mut found, &mut subdirs);
                            // Wake the others only when there is work for them, or nothing left.
                            let wake = !subdirs.is_empty();
                            let done = match queue.lock() {
                                Ok(mut state) => {
                                    state.0.append(&mut subdirs);
                                    state.1 -= 1;
                                    state.0.is_empty() && state.1 == 0
                                }
                                Err(_) => true,
                            };
                            if wake || done {
                                changed.notify_all();
                            }
                        }
                        found
                    })
                })
                .collect();
            handles.into_iter().filter_map(|h| h.join().ok()).collect()
        })
    }

    fn read_dir(&self, dir: &Path, rel: &str, found: &mut Found, subdirs: &mut Vec<(PathBuf, String)>) {
        let read = match std::fs::read_dir(dir) {
            Ok(r) => r,
            Err(e) => {
                found.error(format!(
                    "cannot read directory {}: {e}",
                    elide(&dir.display().to_string())
                ));
                return;
            }
        };
        // One path buffer per directory: most entries are looked at, not kept.
        let mut path = String::with_capacity(rel.len() + 64);
        path.push_str(rel);
        path.push('/');
        let base = path.len();
        let mut count = 0u64;
        for item in read {
            count += 1;
            let item = match item {
                Ok(i) => i,
                Err(e) => {
                    found.error(format!("cannot list {}: {e}", dir.display()));
                    continue;
                }
            };
            let name = item.file_name();
            path.truncate(base);
            path.push_str(&name.to_string_lossy());
            let Ok(file_type) = item.file_type() else { continue };
            self.entry(&|| item.path(), &path, file_type, found, subdirs);
        }
        if let Some(progress) = &self.options.progress {
            progress.done.fetch_add(count, Ordering::Relaxed);
        }
    }

    /// One directory entry: `full()` on disk, `path` inside the root.
    fn entry(
        &self,
        full: &dyn Fn() -> PathBuf,
        path: &str,
        file_type: FileType,
        found: &mut Found,
        subdirs: &mut Vec<(PathBuf, String)>,
    ) {
        let options = self.options;
        let keep_all = options.keep_all_metadata;
        if file_type.is_dir() {
            if self.skip.iter().any(|s| s == path) {
                return;
            }
            let full = full();
            if keep_all && let Ok(meta) = std::fs::symlink_metadata(&full) {
                use std::os::unix::fs::MetadataExt;
                if options
                    .keep_entry
                    .is_none_or(|keep| keep(path, meta.mode() & 0o7777, false))
                {
                    found
                        .entries
                        .push((path.to_string(), entry_from_metadata(&meta, EntryKind::Dir, None)));
                }
            }
            subdirs.push((full, path.to_string()));
        } else if file_type.is_symlink() {
            let full = &full();
            let target = std::fs::read_link(full)
                .map(|t| t.to_string_lossy().into_owned())
                .unwrap_or_default();
            let entry = match keep_all.then(|| std::fs::symlink_metadata(full).ok()).flatten() {
                Some(meta) => entry_from_metadata(&meta, EntryKind::Symlink(target), None),
                None => Entry {
                    kind: EntryKind::Symlink(target),
                    mode: 0o777,
                    uid: 0,
                    gid: 0,
                    size: 0,
                    layer: None,
                    file_capabilities: false,
                    content: None,
                },
            };
            found.entries.push((path.to_string(), entry));
        } else if file_type.is_file() {
            if !keep_all && !(options.maybe_wanted)(path) {
                return;
            }
            let full = &full();
            let meta = match std::fs::symlink_metadata(full) {
                Ok(m) => m,
                Err(e) => {
                    found.error(format!("cannot read {path}: {e}"));
                    return;
                }
            };
            use std::os::unix::fs::MetadataExt;
            let (size, mode) = (meta.len(), meta.mode() & 0o7777);
            let content = match want_of(options, path, size, mode) {
                Want::No => None,
                Want::Content if size > options.max_file_size => {
                    found.warnings.push(format!(
                        "{path}: {size} bytes, over the {} byte limit: not read",
                        options.max_file_size
                    ));
                    None
                }
                Want::Content => match read_bounded(full, options.max_file_size) {
                    Ok(bytes) => Some(Arc::new(bytes)),
                    Err(e) => {
                        found.error(format!("cannot read {path}: {e}"));
                        None
                    }
                },
                Want::Extract(extract) => match self.extract(full, size, extract) {
                    Ok(kept) => kept.map(Arc::new),
                    Err(e) => {
                        found.error(format!("cannot read {path}: {e}"));
                        None
                    }
                },
            };
            if content.is_some() || (keep_all && options.keep_entry.is_none_or(|keep| keep(path, mode, false))) {
                found
                    .entries
                    .push((path.to_string(), entry_from_metadata(&meta, EntryKind::File, content)));
            }
        } else {
            // A FIFO, device or socket where a file vigie reads is expected: never opened (a
            // FIFO would block), and reported, so the result is not mistaken for a clean one.
            if (options.maybe_wanted)(path) && !matches!(want_of(options, path, 0, 0), Want::No) {
                found.error(format!(
                    "{path}: a FIFO, device or socket, not a regular file: not read"
                ));
            }
            if keep_all && let Ok(meta) = std::fs::symlink_metadata(full()) {
                found
                    .entries
                    .push((path.to_string(), entry_from_metadata(&meta, EntryKind::Other, None)));
            }
        }
    }

    /// What an extractor keeps of a file: from one ELF section when the
    /// options name sections, from the whole file for a zip archive.
    fn extract(&self, full: &Path, size: u64, extract: crate::Extractor) -> std::io::Result<Option<Vec<u8>>> {
        extract_open(self.options, open_regular(full)?, size, extract)
    }

    /// A fixed path (`only_paths`): follow symlinked components inside the
    /// root, recording each link, then take the file or queue the directory.
    fn fixed_path(&self, root: &Path, wanted: &str, found: &mut Found, dirs: &mut Vec<(PathBuf, String)>) {
        let resolved = resolve_links(wanted, |candidate| {
            let full = root.join(candidate.trim_start_matches('/'));
            let Ok(meta) = std::fs::symlink_metadata(&full) else {
                return Link::Missing;
            };
            if !meta.file_type().is_symlink() {
                return Link::Not;
            }
            let Ok(target) = std::fs::read_link(&full) else {
                return Link::Missing;
            };
            self.entry(&|| full.clone(), candidate, meta.file_type(), found, &mut Vec::new());
            Link::To(target.to_string_lossy().into_owned())
        });
        let Some(candidate) = resolved.filter(|r| !r.is_empty()) else {
            return;
        };
        let full = root.join(candidate.trim_start_matches('/'));
        let Ok(meta) = std::fs::symlink_metadata(&full) else {
            return;
        };
        if meta.is_dir() {
            if wanted.ends_with('/') {
                dirs.push((full, candidate));
            }
        } else {
            self.entry(&|| full.clone(), &candidate, meta.file_type(), found, &mut Vec::new());
        }
    }
}

/// A file read with `pread` through one cached block: seeking costs no
/// system call and nearby reads none either (a zip's central directory is
/// read entry by entry, with a seek between each).
struct PositionedReader {
    file: std::fs::File,
    size: u64,
    position: u64,
    block: Vec<u8>,
    block_start: u64,
}

impl PositionedReader {
    const BLOCK: usize = 64 << 10;

    fn new(file: std::fs::File, size: u64) -> Self {
        PositionedReader {
            file,
            size,
            position: 0,
            block: Vec::new(),
            block_start: 0,
        }
    }
}

impl Read for PositionedReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let in_block = self.position >= self.block_start && self.position < self.block_start + self.block.len() as u64;
        if !in_block {
            if out.len() >= Self::BLOCK {
                let n = self.file.read_at(out, self.position)?;
                self.position += n as u64;
                return Ok(n);
            }
            self.block.resize(Self::BLOCK, 0);
            let n = read_at_most(&self.file, &mut self.block, self.position)?;
            self.block.truncate(n);
            self.block_start = self.position;
            if n == 0 {
                return Ok(0);
            }
        }
        let at = (self.position - self.block_start) as usize;
        let n = out.len().min(self.block.len() - at);
        out[..n].copy_from_slice(&self.block[at..at + n]);
        self.position += n as u64;
        Ok(n)
    }
}

impl std::io::Seek for PositionedReader {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        let target = match to {
            std::io::SeekFrom::Start(at) => Some(at),
            std::io::SeekFrom::End(delta) => self.size.checked_add_signed(delta),
            std::io::SeekFrom::Current(delta) => self.position.checked_add_signed(delta),
        };
        self.position = target.ok_or_else(|| std::io::Error::other("seek before the start of the file"))?;
        Ok(self.position)
    }
}

/// What an extractor keeps of an open file (see `Walker::extract`).
fn extract_open(
    options: &ViewOptions,
    file: std::fs::File,
    size: u64,
    extract: crate::Extractor,
) -> std::io::Result<Option<Vec<u8>>> {
    let mut head = [0u8; 64];
    let got = read_at_most(&file, &mut head, 0)?;
    let head = &head[..got];
    if let Some(section_extract) = options.elf_extract {
        if head.starts_with(b"\x7fELF") {
            return Ok(crate::elf::read_section(&file, options.elf_sections, MAX_SECTION)
                .and_then(|(name, bytes)| section_extract(name, &bytes)));
        }
        if !head.starts_with(b"PK\x03\x04") {
            return Ok(None);
        }
    }
    if let Some(zip_extract) = options.zip_extract
        && head.starts_with(b"PK\x03\x04")
    {
        let mut file = PositionedReader::new(file, size);
        return Ok(zip_extract(&mut file));
    }
    if size > options.max_binary_size {
        return Ok(None);
    }
    let mut bytes = Vec::with_capacity(size as usize);
    (&file).take(options.max_binary_size).read_to_end(&mut bytes)?;
    Ok(extract(&bytes))
}

/// The view a walk of a directory holding only `file`, under `name`, would
/// give: for a lockfile read in place, through the handle already open
/// (the path is not opened again, nothing is copied).
pub fn view_of_open_file(file: &std::fs::File, name: &str, options: &ViewOptions) -> FileSystemView {
    let path = format!("/{name}");
    let mut found = Found::default();
    let mut view = FileSystemView::new(Vec::new());
    if options.keep_all_metadata || (options.maybe_wanted)(&path) {
        match file.metadata() {
            Err(e) => found.error(format!("cannot read {path}: {e}")),
            Ok(meta) => {
                use std::os::unix::fs::MetadataExt;
                let (size, mode) = (meta.len(), meta.mode() & 0o7777);
                let content = match want_of(options, &path, size, mode) {
                    Want::No => None,
                    Want::Content if size > options.max_file_size => {
                        found.warnings.push(format!(
                            "{path}: {size} bytes, over the {} byte limit: not read",
                            options.max_file_size
                        ));
                        None
                    }
                    Want::Content => {
                        let mut buf = Vec::new();
                        match file.take(options.max_file_size).read_to_end(&mut buf) {
                            Ok(_) => Some(Arc::new(buf)),
                            Err(e) => {
                                found.error(format!("cannot read {path}: {e}"));
                                None
                            }
                        }
                    }
                    Want::Extract(extract) => {
                        match file.try_clone().and_then(|f| extract_open(options, f, size, extract)) {
                            Ok(kept) => kept.map(Arc::new),
                            Err(e) => {
                                found.error(format!("cannot read {path}: {e}"));
                                None
                            }
                        }
                    }
                };
                if content.is_some() || options.keep_all_metadata {
                    view.insert(0, path, entry_from_metadata(&meta, EntryKind::File, content));
                }
            }
        }
    }
    view.warnings = found.warnings;
    view
}

/// A path shortened for a warning line: a tree 10,000 directories deep makes
/// paths of 20,000 characters.
fn elide(path: &str) -> String {
    const KEEP: usize = 80;
    let chars: Vec<char> = path.chars().collect();
    if chars.len() <= 2 * KEEP {
        return path.to_string();
    }
    let head: String = chars[..KEEP].iter().collect();
    let tail: String = chars[chars.len() - KEEP..].iter().collect();
    format!("{head}…({} characters)…{tail}", chars.len() - 2 * KEEP)
}

/// Open a file of the tree for reading only if it is (still) a regular file:
/// opened non-blocking, so a FIFO swapped in after the directory was listed
/// cannot hang the read, and checked with fstat on the open descriptor.
pub(crate) fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    // O_NONBLOCK (Linux): opening a FIFO returns at once instead of waiting for a writer.
    const O_NONBLOCK: i32 = 0o4000;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(O_NONBLOCK)
        .open(path)?;
    if !file.metadata()?.file_type().is_file() {
        return Err(std::io::Error::other(
            "not a regular file (a FIFO, socket or device): not read",
        ));
    }
    Ok(file)
}

fn read_bounded(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let file = open_regular(path)?;
    let mut buf = Vec::new();
    file.take(limit).read_to_end(&mut buf)?;
    Ok(buf)
}

/// `pread` until `buf` is full or the file ends; the byte count read.
fn read_at_most(file: &std::fs::File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match file.read_at(&mut buf[got..], offset + got as u64) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mountinfo_escapes() {
        assert_eq!(vigie_rules::inside::unescape_mountinfo("/mnt/a\\040b"), "/mnt/a b");
        assert_eq!(vigie_rules::inside::unescape_mountinfo("/plain"), "/plain");
    }

    fn want_all(_: &str, _: u64, _: u32) -> Want {
        Want::Content
    }

    #[test]
    fn walks_in_parallel_and_follows_fixed_paths_through_links() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("usr/lib/sub/deeper")).unwrap();
        std::fs::write(root.join("usr/lib/os-release"), "ID=test\n").unwrap();
        std::fs::write(root.join("usr/lib/sub/deeper/x"), "x").unwrap();
        std::fs::create_dir_all(root.join("etc")).unwrap();
        std::os::unix::fs::symlink("../usr/lib/os-release", root.join("etc/os-release")).unwrap();
        std::os::unix::fs::symlink("usr/lib", root.join("lib")).unwrap();
        let options = ViewOptions {
            want: want_all,
            ..Default::default()
        };
        let view = walk(root, &options).unwrap();
        assert_eq!(view.read("/etc/os-release"), Some(&b"ID=test\n"[..]));
        assert_eq!(view.read("/usr/lib/sub/deeper/x"), Some(&b"x"[..]));
        assert!(view.warnings.is_empty(), "{:?}", view.warnings);

        static ONLY: &[&str] = &["/etc/os-release", "/lib/sub/"];
        let options = ViewOptions {
            want: want_all,
            only_paths: Some(ONLY),
            ..Default::default()
        };
        let view = walk(root, &options).unwrap();
        assert_eq!(view.read("/etc/os-release"), Some(&b"ID=test\n"[..]));
        assert_eq!(view.read("/lib/sub/deeper/x"), Some(&b"x"[..]));
        assert!(view.read("/usr/lib/sub/../os-release").is_some());
        let files = view.files_with_content().count();
        assert_eq!(files, 2, "only the fixed paths were read");
    }

    #[test]
    fn positioned_reader_reads_and_seeks_like_the_file() {
        use std::io::{Seek, SeekFrom};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data");
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &data).unwrap();
        let mut reader = PositionedReader::new(std::fs::File::open(&path).unwrap(), data.len() as u64);
        let mut all = Vec::new();
        reader.read_to_end(&mut all).unwrap();
        assert_eq!(all, data);
        // After reading 16 bytes at 70,000, `Current(-5)` lands at 70,011.
        for (to, expected) in [
            (SeekFrom::Start(70_000), 70_000usize),
            (SeekFrom::Current(-5), 70_011),
            (SeekFrom::End(-10), data.len() - 10),
        ] {
            let at = reader.seek(to).unwrap() as usize;
            assert_eq!(at, expected);
            let mut buf = [0u8; 16];
            let n = reader.read(&mut buf).unwrap();
            assert_eq!(&buf[..n], &data[at..(at + 16).min(data.len())]);
        }
        assert!(reader.seek(SeekFrom::Current(-1_000_000)).is_err());
    }
}
