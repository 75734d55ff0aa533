#![no_main]
// The files a user points vigie at: the scan ignore file and OpenVEX
// documents, the audit config (thresholds, accepted risks) and the lint
// config (hadolint's .hadolint.yaml). The first byte picks the kind.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((first, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    let path = std::path::Path::new("fuzz");
    match first % 4 {
        0 => {
            let _ = vigie_vulndb::policy::parse_ignore_file(path, &text);
        }
        1 => {
            let _ = vigie_vulndb::policy::parse_vex(path, &text);
        }
        2 => {
            let _ = vigie_rules::policy::ConfigFile::parse(&text, "fuzz");
        }
        _ => {
            let _ = vigie_rules::dockerfile::Config::parse(&text, path);
        }
    }
});
