//! Any bytes as a Dockerfile: the parser, the shell tokenizer and every lint
//! rule must return (findings, possibly parse-error findings), never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let findings = vigie_rules::dockerfile::lint(&text, "Dockerfile", &vigie_rules::dockerfile::Config::default());
    for f in &findings {
        assert!(f.line >= 1 && f.column >= 1);
    }
    let _ = vigie_dockerfile::shell::parse(&text);
});
