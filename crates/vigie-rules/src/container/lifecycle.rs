//! Lifecycle: health checks, mutable image tags, logging.

use super::*;

use crate::finding::Mitigation;
use crate::rule_builders::{fix, rule};
use Mitigation::UpToDate;
use Severity::Low;

/// The rules of this concern, in id order.
pub(super) const RULES: &[&RuleInfo] = &[&CTR_NO_HEALTHCHECK, &CTR_MUTABLE_IMAGE, &CTR_NO_LOGGING, &CTR_DRIFT];

pub const CTR_DRIFT: RuleInfo = rule(
    "VGI-CTR-044",
    "Running container differs from its declaration",
    Severity::Medium,
    None,
    UpToDate,
    "What was reviewed is the file; what runs is the container. A container started by hand, from an older version of the file or changed with `docker run` flags no longer has the protections the file promises (or has risks nobody reviewed).",
    fix(
        "Re-create the container from the file, or put the change in the file and review it",
        "docker rm -f NAME, then docker compose up -d SERVICE",
        "docker compose up -d --force-recreate SERVICE",
        "kubectl apply -f FILE (and find what changed the live object)",
    ),
)
.detected(
    "Reported by `vigie audit compose --running` only: for each service, the containers with the project's `com.docker.compose.project` and `com.docker.compose.service` labels are compared with the file key by key — image, user, privileged, capabilities, network, PID and IPC modes, read-only root, security options, bind mounts and volume targets, published ports, memory and PIDs limits, restart policy, declared environment names; a declared service with no container and a container of a service the file does not declare are reported too.",
);

pub const CTR_NO_HEALTHCHECK: RuleInfo = rule(
    "VGI-CTR-029",
    "No health check",
    Low,
    Some("5.27"),
    UpToDate,
    "Without a health check a hung or compromised service keeps running as 'Up': orchestrators and operators cannot notice and replace it.",
    fix(
        "Declare a health check in the image or at run time",
        "--health-cmd='wget -qO- http://localhost:8080/health || exit 1' --health-interval=30s",
        "healthcheck: { test: [\"CMD\", \"/healthcheck\"], interval: 30s }",
        "livenessProbe / readinessProbe",
    ),
)
.detected(
    "`Config.Healthcheck` is absent (neither the image nor the run set one) or is `[\"NONE\"]` (`--no-healthcheck`).",
);

pub const CTR_MUTABLE_IMAGE: RuleInfo = rule(
    "VGI-CTR-030",
    "Image referenced by a mutable tag",
    Low,
    Some("5.28"),
    UpToDate,
    "A container created from 'latest' (or an untagged name) runs whatever that tag pointed to at pull time: nobody can tell which fixes it has, and re-creating it silently changes software.",
    fix(
        "Reference a versioned tag, ideally pinned by digest, and rebuild on updates",
        "docker run IMAGE:1.2.3@sha256:…",
        "image: IMAGE:1.2.3@sha256:…",
        "containers[].image: IMAGE:1.2.3@sha256:… with imagePullPolicy: IfNotPresent",
    ),
)
.detected(
    "`Config.Image` has no tag or the tag `latest`, and no digest.",
);

pub const CTR_NO_LOGGING: RuleInfo = rule(
    "VGI-CTR-041",
    "Container logging disabled",
    Low,
    None,
    UpToDate,
    "With the none log driver nothing the container prints is kept: an intrusion leaves no trace to investigate.",
    fix(
        "Use a log driver that keeps or ships logs",
        "--log-driver=local (or json-file, journald, syslog)",
        "logging: { driver: local }",
        "no field: the kubelet collects container logs",
    ),
)
.detected("`HostConfig.LogConfig.Type` is `none`.");

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
