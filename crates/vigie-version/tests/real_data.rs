//! Every version in the real test data (testdata/) parses under its scheme (crates.io has no peer here: the
//! `semver` crate would be a circular oracle, so SemVer is covered by the spec's examples in
//! `src/semver.rs`, the property tests and this check that real records are all accepted).
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::print_stderr, clippy::panic)]

mod common;

use common::*;
use vigie_version::{Scheme, Version};

#[test]
fn every_crates_io_record_version_is_semver() {
    let versions = osv_versions(&test_data().join("osv/crates.io.zip"));
    let refused: Vec<&String> = versions
        .iter()
        .filter(|v| Version::parse(Scheme::Semver, v).is_err())
        .collect();
    eprintln!(
        "crates.io: {} distinct versions, {} refused: {refused:?}",
        versions.len(),
        refused.len()
    );
    // 260 records of the pinned subset (testdata/SOURCES.md).
    assert!(versions.len() > 200, "{}", versions.len());
    assert!(refused.is_empty());
}

#[test]
fn every_pypi_and_debian_record_version_parses() {
    for (zip, scheme) in [("osv/PyPI.zip", Scheme::Pep440), ("osv/Debian.zip", Scheme::Deb)] {
        let versions = osv_versions(&test_data().join(zip));
        let refused: Vec<&String> = versions.iter().filter(|v| Version::parse(scheme, v).is_err()).collect();
        eprintln!(
            "{zip}: {} distinct versions, {} refused: {refused:?}",
            versions.len(),
            refused.len()
        );
        // PyPI records carry a few non-PEP 440 legacy versions; packaging refuses them too (see the
        // differential test, which compares validity string by string).
        assert!(refused.len() * 100 <= versions.len(), "{zip}: too many refused");
    }
}
