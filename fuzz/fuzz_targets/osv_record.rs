//! OSV records, OSV zips and Alpine secdb files from untrusted bytes: parsing,
//! import and range evaluation must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use vigie_version::{Scheme, Version};

fuzz_target!(|data: &[u8]| {
    for name in ["record.json", "Debian/all.zip", "main.yaml", "main.json"] {
        let Ok(source) = vigie_vulndb::import::read_bytes(Path::new(name), data) else {
            continue;
        };
        for stored in &source.records {
            for affected in &stored.record.affected {
                let ecosystem = affected
                    .package
                    .as_ref()
                    .map(|p| p.ecosystem.as_str())
                    .unwrap_or("PyPI");
                let scheme = Scheme::for_ecosystem(ecosystem).unwrap_or(Scheme::Semver);
                for text in ["0", "1.0", "1.0.0-r1", "2:1.2-3"] {
                    let version = Version::parse(scheme, text).ok();
                    let _ = vigie_vulndb::matcher::affects(ecosystem, affected, text, version.as_ref());
                }
            }
            let _ = vigie_vulndb::severity::rate(&stored.record, stored.record.affected.first());
        }
    }
});
