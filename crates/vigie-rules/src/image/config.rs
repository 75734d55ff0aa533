//! Checks of the image configuration: secrets in ENV and LABEL (VGI-IMG-003),
//! no HEALTHCHECK (008), ADD of a remote URL (009), EXPOSE 22 (012).

use super::catalogue::{ADD_REMOTE, EXPOSE_SSH, NO_HEALTHCHECK, SECRET_IN_CONFIG};
use super::secrets::{redact, secret_in_pair};
use crate::finding::Finding;
use vigie_snapshot::image::ImageConfig;

pub(super) fn check_config(target: &str, config: &ImageConfig, out: &mut Vec<Finding>) {
    let mut hits = Vec::new();
    for (name, value) in config.env_pairs() {
        if let Some(kind) = secret_in_pair(name, value) {
            hits.push((
                format!("Config.Env {name}"),
                format!("{name}={} [{kind}]", redact(value)),
            ));
        }
    }
    for (name, value) in &config.config.labels {
        if let Some(kind) = secret_in_pair(name, value) {
            hits.push((
                format!("Config.Labels {name}"),
                format!("{name}={} [{kind}]", redact(value)),
            ));
        }
    }
    if !hits.is_empty() {
        let names: Vec<String> = hits
            .iter()
            .map(|(s, _)| s.rsplit(' ').next().unwrap_or_default().to_string())
            .collect();
        let mut f = Finding::from_rule(
            &SECRET_IN_CONFIG,
            target,
            format!(
                "{} secret-looking value(s) in the image config: {}",
                hits.len(),
                names.join(", ")
            ),
        );
        for (source, value) in hits {
            f = f.with_evidence(source, value);
        }
        out.push(f);
    }
    if !config.has_healthcheck() && (!config.config.cmd.is_empty() || !config.config.entrypoint.is_empty()) {
        out.push(
            Finding::from_rule(&NO_HEALTHCHECK, target, format!("{target} has no HEALTHCHECK"))
                .with_evidence("Config.Healthcheck", "(none)"),
        );
    }
    for h in &config.history {
        let by = &h.created_by;
        let add = by.contains("#(nop) ADD ") || by.starts_with("ADD ");
        if add && (by.contains("http://") || by.contains("https://")) {
            out.push(
                Finding::from_rule(&ADD_REMOTE, target, "a layer was built with ADD from a remote URL")
                    .with_evidence("history.created_by", by.as_str()),
            );
        }
    }
    if config
        .config
        .exposed_ports
        .keys()
        .any(|p| p == "22" || p.starts_with("22/"))
    {
        out.push(
            Finding::from_rule(&EXPOSE_SSH, target, "the image exposes port 22 (SSH)")
                .with_evidence("Config.ExposedPorts", "22/tcp"),
        );
    }
}
