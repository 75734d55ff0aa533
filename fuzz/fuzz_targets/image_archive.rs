#![no_main]
//! A whole docker-archive / oci-archive tar: manifests, configs, layers, merge.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = vigie_image::read_archive_for_fuzz(data);
});
