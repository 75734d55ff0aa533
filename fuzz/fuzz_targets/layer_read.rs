#![no_main]
//! One layer blob (tar, gzip or zstd): never a panic, bounded memory.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = vigie_image::read_layer_for_fuzz(data);
});
