//! `vigie inside` over a fixture root whose status and mountinfo are fuzzed.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(dir) = tempfile_dir() else { return };
    let split = data.iter().position(|b| *b == 0).unwrap_or(data.len());
    let (mountinfo, status) = data.split_at(split);
    let proc_self = dir.join("proc/self");
    if std::fs::create_dir_all(&proc_self).is_err() {
        return;
    }
    let _ = std::fs::write(proc_self.join("mountinfo"), mountinfo);
    let mut s = b"CapEff:\t00000000a80425fb\n".to_vec();
    s.extend_from_slice(status);
    let _ = std::fs::write(proc_self.join("status"), s);
    let _ = std::fs::write(dir.join(".dockerenv"), b"");
    let _ = vigie_rules::inside::Probe::rooted(&dir).run();
});

fn tempfile_dir() -> std::io::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("vigie-fuzz-mountinfo-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
