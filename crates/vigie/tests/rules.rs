//! `vigie rules`: the one registry, printed by the real binary.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a failed step is a failed test

mod common;

use common::vigie;

#[test]
fn lists_every_family_and_prints_pages_equal_to_the_docs() {
    let out = vigie().args(["rules", "--format", "json"]).output().unwrap();
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["kind"], "rules");
    let rules = doc["rules"].as_array().unwrap();
    let families: std::collections::BTreeSet<&str> = rules.iter().map(|r| r["family"].as_str().unwrap()).collect();
    for family in ["container", "host", "inside"] {
        assert!(families.contains(family), "{families:?}");
    }
    // Every listed rule's page is the committed docs page, byte for byte.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for id in ["VGI-CTR-001", "VGI-HOST-017", "VGI-INS-012"] {
        let page = vigie().args(["rules", id]).output().unwrap();
        assert!(page.status.success());
        let committed = std::fs::read_to_string(root.join(format!("docs/rules/{id}.md"))).unwrap();
        assert_eq!(String::from_utf8_lossy(&page.stdout), committed, "{id}");
    }
    let host = vigie().args(["rules", "--family", "host"]).output().unwrap();
    let text = String::from_utf8_lossy(&host.stdout);
    assert!(text.contains("VGI-HOST-001") && !text.contains("VGI-CTR-001"), "{text}");
}

#[test]
fn unknown_ids_and_families_are_errors() {
    let out = vigie().args(["rules", "VGI-CTR-999"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "vigie: error: unknown rule 'VGI-CTR-999' (see vigie rules)"
    );
    let out = vigie().args(["rules", "--family", "k8s"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    for command in [
        &["audit", "--skip-rules", "VGI-NOPE-1"][..],
        &["inside", "--rules", "VGI-NOPE-1"][..],
    ] {
        let out = vigie().args(command).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{command:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("unknown rule 'VGI-NOPE-1'"),
            "{command:?}"
        );
    }
}
