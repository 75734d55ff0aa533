//! `/proc/net/dev` parser (`vigie isolate`; read through an exec inside the
//! container, so attacker-controlled) and the profile size parser: arbitrary
//! input must give a value, never a panic or an overflow.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let counters = vigie_engine::network::parse_net_dev(text);
        let _ = vigie_engine::network::external_totals(&counters);
        let _ = vigie_engine::run::parse_size(text);
    }
});
