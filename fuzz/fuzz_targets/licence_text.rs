#![no_main]
// Debian copyright files and the licence fields of apk, rpm and language
// packages: every parser of licence text vigie reads from an image.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = vigie_catalog::copyright::licenses(&text);
    for line in text.lines().take(64) {
        let _ = vigie_catalog::licence::fuzz_entry_points(line);
    }
});
