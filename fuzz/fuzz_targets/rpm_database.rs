#![no_main]
//! rpmdb backends (SQLite, Berkeley DB hash, NDB) and the header blob parser.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = vigie_catalog::rpm::read_database(data);
    let _ = vigie_catalog::rpm::bdb_blobs(data);
    let _ = vigie_catalog::rpm::ndb_blobs(data);
    let _ = vigie_catalog::rpm::parse_header(data);
});
