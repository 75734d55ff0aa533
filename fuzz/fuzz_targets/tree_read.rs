#![no_main]
// A root filesystem (`dir:`) and an OCI layout (`oci:`) laid out by an attacker:
// the input is a tar unpacked into a fresh directory (links, FIFOs, odd modes,
// missing or hostile index.json and blobs), then read as both, with the image
// checks' options. Nothing may panic or hang (a FIFO is never opened blocking).
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(dir) = tempfile::tempdir() else { return };
    let mut archive = tar::Archive::new(data);
    archive.set_preserve_permissions(true);
    archive.set_unpack_xattrs(false);
    // A partly unpacked tree is as good an input as a whole one.
    let _ = archive.unpack(dir.path());
    let options = vigie_image::checks::view_options();
    for kind in ["dir", "oci"] {
        if let Ok(image) = vigie_image::open(&format!("{kind}:{}", dir.path().display())) {
            let _ = image.view(&options);
        }
    }
});
