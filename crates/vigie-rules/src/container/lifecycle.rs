//! Lifecycle: health checks, mutable image tags, logging.

use super::*;

pub(super) fn lifecycle(c: &ContainerSnapshot, _host: &HostContext, out: &mut Vec<Finding>) {
    let found = |rule: &RuleInfo, message: String| Finding::from_rule(rule, c.name.as_str(), message);
    match c.health_check.kind.as_str() {
        "none" | "" => out.push(
            found(&CTR_NO_HEALTHCHECK, "has no health check".to_string()).with_evidence("Config.Healthcheck", "null"),
        ),
        "disabled" => out.push(
            found(&CTR_NO_HEALTHCHECK, "disables the image's health check".to_string())
                .with_evidence("Config.Healthcheck.Test", "[NONE]"),
        ),
        _ => {}
    }
    if let Some(why) = image_is_mutable(&c.image) {
        out.push(
            found(&CTR_MUTABLE_IMAGE, format!("was created from {} ({why})", c.image))
                .with_evidence("Config.Image", c.image.clone()),
        );
    }
    if c.log_driver == "none" {
        out.push(
            found(&CTR_NO_LOGGING, "keeps no logs (log driver none)".to_string())
                .with_evidence("HostConfig.LogConfig.Type", "none"),
        );
    }
}
