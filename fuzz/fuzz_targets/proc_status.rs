//! `/proc/PID/status` parser (`vigie caps --status-file`): arbitrary bytes
//! must give a value or an error, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(status) = vigie_caps::parse_status(text) {
            for (_, mask) in status.cap_sets() {
                if let Some(mask) = mask {
                    let _ = vigie_caps::decode(mask, None);
                    let _ = vigie_caps::capsh_decode(mask);
                }
            }
        }
        let _ = vigie_caps::parse_mask(text);
    }
});
