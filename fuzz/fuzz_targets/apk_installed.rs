#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = vigie_catalog::apk::parse_installed(&String::from_utf8_lossy(data));
});
