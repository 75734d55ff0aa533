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

pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    // A device, FIFO or socket (`-o /dev/null`, `-o /dev/stdout`) is written in
    // place: renaming a temporary file over it would replace the device.
    if let Ok(meta) = std::fs::metadata(path)
        && !meta.file_type().is_file()
    {
        return std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|mut f| f.write_all(bytes))
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
    let tmp = dir.join(format!(".{name}.vigie-tmp-{}", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.with_context(|| format!("cannot write {}", path.display()))
}
