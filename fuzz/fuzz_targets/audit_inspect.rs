//! `docker inspect` JSON (untrusted: `vigie audit --from-inspect`) → snapshots
//! → audit rules → every printer. Nothing may panic; env values never survive.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(containers) = vigie_snapshot::inspect::load_inspect_json(text, "fuzz", 40) else {
        return;
    };
    let host = vigie_rules::audit::HostContext::unknown();
    let mut findings = Vec::new();
    for c in &containers {
        findings.extend(vigie_rules::audit::audit_container(c, &host));
    }
    vigie_rules::sort_findings(&mut findings);
    let _ = vigie_report::sarif::to_sarif(
        &findings,
        vigie_rules::audit::catalogue(),
        "0",
        vigie_report::sarif::Subject::Containers,
        &[],
    );
    let _ = vigie_report::html::audit_report(&vigie_report::html::AuditReport {
        title: "fuzz",
        tool_version: "0",
        generated: "now",
        source: "fuzz",
        host: None,
        containers: &containers,
        findings: &findings,
        warnings: &[],
        image: None,
    });
});
