use super::secrets::{redact, secret_in_pair, secret_value_kind};
use super::*;
use crate::finding::Severity;

#[test]
fn secret_values_and_redaction() {
    assert_eq!(secret_value_kind("AKIAFAKEFAKEFAKEFAKE"), Some("AWS access key id"));
    assert_eq!(
        secret_value_kind("postgres://admin:hunter2@db:5432/x"),
        Some("URL with a password")
    );
    assert_eq!(secret_value_kind("https://example.com/x"), None);
    assert!(secret_in_pair("DB_PASSWORD", "hunter2").is_some());
    assert!(secret_in_pair("PASSWORD_FILE", "/run/secrets/pw").is_none());
    assert!(secret_in_pair("PATH", "/usr/bin").is_none());
    // Nothing of the value: no prefix, no exact length.
    for secret in [
        "hunter2",
        "AKIAFAKEFAKEFAKEFAKE",
        "ghp_0123456789abcdefghijABCDEFGHIJ012345",
    ] {
        let shown = redact(secret);
        assert!(!shown.contains(&secret[..3]), "{shown}");
        assert!(!shown.contains(&secret.len().to_string()), "{shown}");
    }
    assert_eq!(redact("hunter2"), "<redacted, 1-8 chars>");
    assert_eq!(redact("AKIAFAKEFAKEFAKEFAKE"), "<redacted, 17-32 chars>");
}

#[test]
fn rule_ids_are_unique_and_documented() {
    let mut ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), RULES.len());
    for id in ids {
        let page = format!("{}/../../docs/rules/{id}.md", env!("CARGO_MANIFEST_DIR"));
        assert!(std::path::Path::new(&page).is_file(), "missing {page}");
    }
}

const PASSWD: &[u8] = b"root:x:0:0:root:/root:/bin/ash\nappuser:x:1000:1000:Linux User,,,:/home/appuser:/bin/sh\nevil:x:0:0::/home/evil:/bin/sh\n";
const GROUP: &[u8] = b"root:x:0:root\nwheel:x:10:root\nappuser:x:1000:\n";

fn ids(uid: u32, gid: u32, groups: &[u32]) -> RuntimeIds {
    RuntimeIds {
        uid: [uid; 4],
        gid: [gid; 4],
        groups: groups.to_vec(),
    }
}

fn static_root(target: &str, user: &str) -> Vec<Finding> {
    vec![Finding::from_rule(&RUNS_AS_ROOT, target, "runs as root").with_evidence("Config.User", user)]
}

#[test]
fn runtime_user_resolved_from_the_image() {
    let u = resolve_runtime_user("appuser", &ids(1000, 1000, &[1000, 10, 77]), Some(PASSWD), Some(GROUP));
    assert_eq!(u.name.as_deref(), Some("appuser"));
    assert_eq!(u.group_name.as_deref(), Some("appuser"));
    assert_eq!(u.group_names, vec![Some("appuser".into()), Some("wheel".into()), None]);
    assert!(u.passwd_line.unwrap().starts_with("appuser:x:1000:1000:"));
    let mut findings = Vec::new();
    let u = resolve_runtime_user("appuser", &ids(1000, 1000, &[]), Some(PASSWD), Some(GROUP));
    check_runtime("img", &u, Some(PASSWD), &mut findings);
    assert!(findings.is_empty(), "{findings:?}");
}

#[test]
fn a_name_with_uid_zero_replaces_the_static_root_finding() {
    let mut findings = static_root("img", "evil");
    let u = resolve_runtime_user("evil", &ids(0, 0, &[0]), Some(PASSWD), Some(GROUP));
    check_runtime("img", &u, Some(PASSWD), &mut findings);
    assert_eq!(findings.len(), 1, "{findings:?}");
    let f = &findings[0];
    assert_eq!(f.rule_id, "VGI-IMG-014");
    assert_eq!(f.severity, Severity::Critical);
    let values: Vec<&str> = f.evidence.iter().map(|e| e.value.as_str()).collect();
    assert!(values.contains(&"Uid: 0 0 0 0"), "{values:?}");
    assert!(values.contains(&"evil:x:0:0::/home/evil:/bin/sh"), "{values:?}");
}

#[test]
fn root_is_confirmed_not_repeated() {
    for configured in ["", "root", "0", "0:0"] {
        let mut findings = static_root("img", configured);
        let u = resolve_runtime_user(configured, &ids(0, 0, &[0, 10]), Some(PASSWD), Some(GROUP));
        check_runtime("img", &u, Some(PASSWD), &mut findings);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].rule_id, "VGI-IMG-001");
        assert!(findings[0].message.ends_with("(confirmed at runtime: uid 0)"));
        assert!(findings[0].evidence.iter().any(|e| e.value == "Groups: 0 10"));
    }
    // Without the static finding (a filtered run), the runtime says it on its own.
    let mut findings = Vec::new();
    let u = resolve_runtime_user("", &ids(0, 0, &[]), None, None);
    check_runtime("img", &u, None, &mut findings);
    assert_eq!(findings[0].rule_id, "VGI-IMG-001");
    assert!(findings[0].evidence.iter().any(|e| e.value == "Groups:"));
}

#[test]
fn uid_without_passwd_entry() {
    let mut findings = Vec::new();
    let u = resolve_runtime_user("4242", &ids(4242, 0, &[]), Some(PASSWD), Some(GROUP));
    assert_eq!(u.group_name.as_deref(), Some("root"));
    check_runtime("img", &u, Some(PASSWD), &mut findings);
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].rule_id, "VGI-IMG-015");
    assert!(findings[0].evidence.iter().any(|e| e.value == "no line with uid 4242"));
    let mut findings = Vec::new();
    let u = resolve_runtime_user("4242:4242", &ids(4242, 4242, &[]), None, None);
    check_runtime("img", &u, None, &mut findings);
    assert!(
        findings[0]
            .evidence
            .iter()
            .any(|e| e.value == "(no /etc/passwd in the image)")
    );
}

proptest::proptest! {
    #[test]
    fn runtime_check_never_panics_on_any_passwd(
        passwd in proptest::collection::vec(proptest::num::u8::ANY, 0..300),
        user in "\\PC{0,12}",
        uid in proptest::prop_oneof![proptest::strategy::Just(0u32), 0u32..5000],
    ) {
        let u = resolve_runtime_user(&user, &ids(uid, uid, &[uid]), Some(&passwd), Some(&passwd));
        let mut findings = static_root("img", &user);
        check_runtime("img", &u, Some(&passwd), &mut findings);
        proptest::prop_assert!(!findings.is_empty() || uid != 0);
    }
}
