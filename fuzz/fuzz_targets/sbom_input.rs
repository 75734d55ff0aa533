#![no_main]
// SBOM input of `vigie scan` (CycloneDX and SPDX JSON, streamed into the
// package URLs it needs): nothing may panic, whatever the nesting.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = vigie_scan::sbom_packages_for_fuzz(data);
});
