#![no_main]
// /etc/os-release and friends, from any image.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = vigie_catalog::os::parse_os_release(&String::from_utf8_lossy(data));
});
