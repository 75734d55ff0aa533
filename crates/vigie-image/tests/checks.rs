//! Image configuration checks on the real test images (built by scripts/test).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

const IMAGES: &str = "/var/tmp/vigie-test-images";

fn image(name: &str) -> String {
    let path = Path::new(IMAGES).join(name);
    assert!(
        path.is_file(),
        "{} missing: run scripts/test (it builds the test images with scripts/lib/build-test-images.sh {IMAGES})",
        path.display()
    );
    path.display().to_string()
}

fn rule_ids(name: &str) -> (Vec<String>, Vec<vigie_rules::Finding>) {
    let (_, findings) = vigie_image::checks::check(&image(name)).unwrap();
    let mut ids: Vec<String> = findings.iter().map(|f| f.rule_id.to_string()).collect();
    ids.dedup();
    (ids, findings)
}

#[test]
fn insecure_image_trips_every_rule_it_was_built_for() {
    let (ids, findings) = rule_ids("insecure-1.tar");
    for f in &findings {
        eprintln!("{} {} {}", f.rule_id, f.severity, f.message);
    }
    for id in [
        "VGI-IMG-001",
        "VGI-IMG-003",
        "VGI-IMG-004",
        "VGI-IMG-005",
        "VGI-IMG-006",
        "VGI-IMG-007",
        "VGI-IMG-008",
        "VGI-IMG-010",
        "VGI-IMG-011",
        "VGI-IMG-012",
    ] {
        assert!(ids.iter().any(|i| i == id), "{id} missing from {ids:?}");
    }
    let secrets = findings.iter().find(|f| f.rule_id == "VGI-IMG-004").unwrap();
    let evidence: Vec<&str> = secrets.evidence.iter().map(|e| e.source.as_str()).collect();
    assert!(evidence.contains(&"/root/.aws/credentials"), "{evidence:?}");
    assert!(evidence.contains(&"/opt/app/.env"), "{evidence:?}");
    // Deleted in a later layer, still in the lower one.
    let deleted = secrets
        .evidence
        .iter()
        .find(|e| e.source == "/root/.ssh/id_rsa")
        .unwrap();
    assert!(deleted.value.contains("deleted in layer"), "{}", deleted.value);
    // Values never appear in clear.
    let config = findings.iter().find(|f| f.rule_id == "VGI-IMG-003").unwrap();
    let text = serde_json::to_string(config).unwrap();
    assert!(!text.contains("hunter2") && !text.contains("fAkE/SeCrEt"), "{text}");
    let setuid = findings.iter().find(|f| f.rule_id == "VGI-IMG-005").unwrap();
    assert!(setuid.evidence.iter().any(|e| e.source == "/usr/local/bin/rootbash"));
    let caps = findings.iter().find(|f| f.rule_id == "VGI-IMG-006").unwrap();
    assert!(caps.evidence.iter().any(|e| e.source == "/usr/local/bin/perl-cap"));
}

#[test]
fn secure_image_is_clean_of_the_serious_rules() {
    let (ids, findings) = rule_ids("secure-1.tar");
    for f in &findings {
        eprintln!("{} {} {}", f.rule_id, f.severity, f.message);
    }
    for id in [
        "VGI-IMG-001",
        "VGI-IMG-003",
        "VGI-IMG-004",
        "VGI-IMG-005",
        "VGI-IMG-008",
        "VGI-IMG-011",
    ] {
        assert!(!ids.iter().any(|i| i == id), "{id} unexpectedly in {ids:?}");
    }
}
