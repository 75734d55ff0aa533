//! Where a command's report goes: stdout or `-o FILE`. A file is written
//! whole through a temporary sibling and renamed, so a failed run never
//! leaves a partial report behind.

use anyhow::Context;
use std::io::Write;
use std::path::Path;

/// Colour for a report: only when it goes to stdout (`to_stdout`), stdout is
/// a terminal, and `NO_COLOR` is unset.
pub fn color(to_stdout: bool) -> bool {
    use std::io::IsTerminal;
    to_stdout && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// The width to fit a table to: the terminal's columns when stdout is one,
/// else `COLUMNS` when set (as `ls` and `ps` read it), else none (a pipe or
/// a file gets the full table).
pub fn terminal_width() -> Option<usize> {
    use std::io::IsTerminal;
    let stdout = std::io::stdout();
    if stdout.is_terminal()
        && let Ok(size) = rustix::termios::tcgetwinsize(&stdout)
        && size.ws_col > 0
    {
        return Some(usize::from(size.ws_col));
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|c| *c > 0)
}

/// One diagnostic line on stderr (`vigie: warning: …`, `vigie: error: …`):
/// names, paths and messages in it may come from outside, so it passes
/// through the one sanitiser (`vigie_report::sanitize::visible`).
pub fn say_err(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{}", vigie_report::sanitize::visible(line));
}

pub fn emit(text: &str, output: Option<&Path>) -> anyhow::Result<()> {
    match output {
        None => {
            let mut stdout = std::io::stdout().lock();
            match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
                Ok(()) => Ok(()),
                // `vigie … | head` closes the pipe early: not an error.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                Err(e) => Err(e).context("cannot write to stdout"),
            }
        }
        Some(path) => write_atomic(path, text.as_bytes()),
    }
}

/// [`emit`] for output written piece by piece (`write` gets a buffered
/// writer): to stdout, or atomically to `output` as [`write_atomic`] does.
pub fn emit_with(
    output: Option<&Path>,
    write: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    match output {
        None => {
            let stdout = std::io::stdout().lock();
            let mut w = std::io::BufWriter::with_capacity(1 << 16, stdout);
            match write(&mut w).and_then(|()| w.flush()) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                Err(e) => Err(e).context("cannot write to stdout"),
            }
        }
        Some(path) => write_atomic_with(path, write),
    }
}

pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    write_atomic_with(path, &mut |w| w.write_all(bytes))
}

/// [`write_atomic`] with the content written piece by piece.
pub fn write_atomic_with(
    path: &Path,
    write: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    // A device, FIFO or socket (`-o /dev/null`, `-o /dev/stdout`) is written in
    // place: renaming a temporary file over it would replace the device. A
    // symlink is only followed there when root or this user owns it: a link
    // another user planted (`/tmp/report.json -> /dev/sda`) is replaced, never
    // written through.
    let trusted_link = std::fs::symlink_metadata(path).is_ok_and(|link| {
        !link.file_type().is_symlink() || link.uid() == 0 || link.uid() == rustix::process::geteuid().as_raw()
    });
    if trusted_link
        && let Ok(meta) = std::fs::metadata(path)
        && !meta.file_type().is_file()
    {
        return std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|f| {
                let mut w = std::io::BufWriter::with_capacity(1 << 16, f);
                write(&mut w)?;
                w.flush()
            })
            .with_context(|| format!("cannot write {}", path.display()));
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // A random name created with O_EXCL: nothing planted at a guessable path is
    // followed, and the rename replaces `path` itself (a symlink there
    // included) instead of writing through it.
    let result = (|| -> std::io::Result<()> {
        let mut file = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".vigie-tmp")
            .tempfile_in(dir)?;
        {
            let mut w = std::io::BufWriter::with_capacity(1 << 16, file.as_file_mut());
            write(&mut w)?;
            w.flush()?;
        }
        file.as_file().sync_all()?;
        // Reports are readable like any file the user writes (tempfile makes 0600).
        file.as_file().set_permissions(std::fs::Permissions::from_mode(0o644))?;
        file.persist(path).map_err(|e| e.error)?;
        Ok(())
    })();
    result.with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    #[test]
    fn writes_whole_files_readable_like_any_report() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        write_atomic(&path, b"{}\n").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"{}\n");
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o644);
        // Nothing left behind beside it.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_symlink_planted_by_another_user_is_replaced_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, b"precious").unwrap();
        let path = dir.path().join("report.json");
        std::os::unix::fs::symlink(&victim, &path).unwrap();
        // Root (the tests run as root here) can hand the link to another user; elsewhere the
        // link is ours, which write_atomic also replaces for a regular-file target.
        let _ = std::os::unix::fs::lchown(&path, Some(4242), Some(4242));
        write_atomic(&path, b"report").unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        assert!(!std::fs::symlink_metadata(&path).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read(&path).unwrap(), b"report");
    }

    #[test]
    fn devices_are_written_in_place() {
        write_atomic(Path::new("/dev/null"), b"x").unwrap();
        let meta = std::fs::metadata("/dev/null").unwrap();
        assert!(!meta.file_type().is_file() && meta.rdev() != 0);
    }
}
