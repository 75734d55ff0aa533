//! Any bytes as a Dockerfile: the parser, the shell tokenizer and every lint
//! rule (with the default configuration, and with every rule on: a label
//! schema of each format, strict labels, the rules hadolint leaves off,
//! trusted registries) must return findings, never panic.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use vigie_rules::dockerfile::Config;
use vigie_rules::dockerfile::config::{LabelType, Level};

fn everything_on() -> &'static Config {
    static CONFIG: OnceLock<Config> = OnceLock::new();
    CONFIG.get_or_init(|| {
        let mut config = Config::default();
        for (label, kind) in [
            ("a", LabelType::Text),
            ("org.opencontainers.image.source", LabelType::Url),
            ("org.opencontainers.image.version", LabelType::Semver),
            ("org.opencontainers.image.created", LabelType::Rfc3339),
            ("org.opencontainers.image.licenses", LabelType::Spdx),
            ("org.opencontainers.image.revision", LabelType::Hash),
            ("maintainer", LabelType::Email),
        ] {
            config.label_schema.insert(label.to_string(), kind);
        }
        config.strict_labels = true;
        config.level.insert("DL1001".to_string(), Level::Info);
        config.level.insert("DL3057".to_string(), Level::Info);
        config.trusted_registries.push("docker.io".to_string());
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
