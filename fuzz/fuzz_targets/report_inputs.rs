#![no_main]
// `vigie diff A B` reads vigie, Trivy and Grype JSON reports.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(report) = vigie_vulndb::diff::parse("fuzz", data) {
        let _ = vigie_vulndb::diff::compare(&report, &report, "a", "b");
    }
});
