#![no_main]
// What the engine answers (a remote or proxied engine is as untrusted as a
// file): `/info` into the host snapshot and its rules, and a stats frame
// into a sample. The first byte picks which.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((first, rest)) = data.split_first() else { return };
    if first % 2 == 0 {
        if let Ok(info) = serde_json::from_slice::<serde_json::Value>(rest) {
            let host = vigie_snapshot::inspect::host_from_info(&info, None);
            let _ = vigie_rules::host::audit_host(&host);
        }
    } else {
        let _ = vigie_engine::stats::sample_from_json_for_fuzz(rest);
    }
});
