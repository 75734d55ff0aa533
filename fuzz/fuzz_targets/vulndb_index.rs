//! The matcher's index as read back from a database file (which may be
//! damaged): lookup tables, name blocks and affected entries from untrusted
//! bytes must be refused cleanly, never panic. Also builds blocks from
//! arbitrary entry bytes, as a publish over a damaged `affected` table would.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vigie_version::{Scheme, Version};
use vigie_vulndb::index::{EcosystemIndex, build_block, decode_entry, evaluate_block};

fuzz_target!(|data: &[u8]| {
    let _ = decode_entry(data);
    let split = data.first().map(|b| *b as usize % (data.len() + 1)).unwrap_or(0);
    let (lookup, blocks) = data.split_at(split);
    if let Ok(index) = EcosystemIndex::from_bytes(1, lookup.to_vec(), blocks.len()) {
        for name in index.names().take(16).collect::<Vec<_>>() {
            if let Ok(Some((start, len))) = index.block_range(name) {
                let _ = blocks.get(start..start + len);
            }
        }
        let _ = index.block_range("openssl");
    }
    for (scheme, text) in [
        (Scheme::Semver, "1.2.3"),
        (Scheme::Deb, "1:2.3-4"),
        (Scheme::Pep440, "1.0rc1"),
    ] {
        let version = Version::parse(scheme, text).ok();
        let mut out = Vec::new();
        let _ = evaluate_block(Some(scheme), data, text, version.as_ref(), &mut out);
        let _ = evaluate_block(None, data, text, None, &mut out);
        let entries = vec![(1, 0, data.to_vec()), (2, 1, blocks.to_vec())];
        if let Ok(block) = build_block(Some(scheme), &entries) {
            let _ = evaluate_block(Some(scheme), &block, text, version.as_ref(), &mut out);
        }
    }
});
