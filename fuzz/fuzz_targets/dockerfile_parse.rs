//! Any bytes as a Dockerfile: the parser, the shell tokenizer and every lint
//! rule (with the default configuration, and with every rule on: a label
//! schema of each format, strict labels, the rules hadolint leaves off,
//! trusted registries) must return findings, never panic.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use vigie_rules::dockerfile::Config;
use vigie_rules::dockerfile::config::LabelType;

/// Every rule on, plus a text label and strict labels.
fn everything_on() -> &'static Config {
    static CONFIG: OnceLock<Config> = OnceLock::new();
    CONFIG.get_or_init(|| {
        let mut config = Config::every_rule_on();
        config.label_schema.insert("a".to_string(), LabelType::Text);
        config.strict_labels = true;
        config
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for config in [&Config::default(), everything_on()] {
        let findings = vigie_rules::dockerfile::lint(&text, "Dockerfile", config);
        for f in &findings {
            assert!(f.line >= 1 && f.column >= 1 && f.instruction_line >= 1);
        }
    }
    let _ = vigie_dockerfile::shell::parse(&text);
});
