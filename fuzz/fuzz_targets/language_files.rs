#![no_main]
//! Lockfiles, package metadata, jars and binaries; the first byte picks the file kind.
const PATHS: &[&str] = &[
    "/app/requirements.txt",
    "/app/poetry.lock",
    "/app/Pipfile.lock",
    "/x/a-1.dist-info/METADATA",
    "/app/package-lock.json",
    "/app/yarn.lock",
    "/app/pnpm-lock.yaml",
    "/app/node_modules/a/package.json",
    "/app/Cargo.lock",
    "/app/app.jar",
    "/usr/bin/app",
];
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some((first, rest)) = data.split_first() {
        let path = PATHS[*first as usize % PATHS.len()];
        let _ = vigie_catalog::parse_language_file_for_fuzz(path, rest);
    }
});
