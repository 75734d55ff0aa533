#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = vigie_catalog::dpkg::parse_status(&String::from_utf8_lossy(data));
});
