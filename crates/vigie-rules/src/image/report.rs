//! What `vigie audit image --runtime` observed: the `runtime` object of the
//! JSON output and the table's Runtime block (`vigie_report::image`).

use serde::Serialize;

use super::RuntimeUser;

/// The `runtime` object of the JSON output and the table's Runtime block.
#[derive(Debug, Serialize)]
pub struct RuntimeReport {
    /// The probe's hardened profile, in words.
    pub profile: &'static str,
    pub probe: ProbeInfo,
    /// USER as configured, the ids observed, and their names in the image.
    pub user: RuntimeUser,
    /// False: uid 0 in the container is uid 0 on the host.
    pub user_namespace: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid_map: Option<String>,
    pub capabilities: Capabilities,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_new_privs: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seccomp: Option<u8>,
    /// Probes `vigie inside` could not run.
    pub warnings: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct ProbeInfo {
    pub binary: String,
    pub container: String,
    pub exit_code: Option<i64>,
    pub duration_ms: u64,
}

#[derive(Debug, Serialize)]
pub struct Capabilities {
    /// Observed in the probe (`--cap-drop ALL`).
    pub hardened: CapabilitySet,
    /// Derived from the uid for `docker run` with Docker's defaults.
    pub docker_default: CapabilitySet,
}

#[derive(Debug, Serialize)]
pub struct CapabilitySet {
    /// `observed` or `derived`.
    pub basis: &'static str,
    pub effective: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cap_eff: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cap_bnd: Option<String>,
    pub explanation: String,
}
