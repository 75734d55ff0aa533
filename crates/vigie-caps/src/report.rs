//! What `vigie caps` reports: plain data for the table and JSON printers
//! (`vigie_report::caps`).

use serde::Serialize;

use crate::DecodedSet;

/// Everything `vigie caps` reports, for the table and JSON printers.
#[derive(Debug, Serialize)]
pub struct CapsReport {
    pub source: String,
    /// cap_last_cap used for the full-set verdict, and where it came from.
    pub kernel_last_cap: Option<u8>,
    pub kernel_last_cap_source: String,
    pub docker_default: String,
    pub sets: Vec<NamedSet>,
    /// True when the effective (or only) set is the kernel's full set.
    pub privileged_verdict: Verdict,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_new_privs: Option<Explained>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seccomp: Option<Explained>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<[u32; 4]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gid: Option<[u32; 4]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<u32>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<ContainerCaps>,
    pub notes: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct NamedSet {
    /// CapInh, CapPrm, CapEff, CapBnd, CapAmb, or `mask`.
    pub field: String,
    pub meaning: &'static str,
    #[serde(flatten)]
    pub set: DecodedSet,
}

#[derive(Debug, Serialize)]
pub struct Verdict {
    pub full_set: bool,
    pub text: String,
}

#[derive(Debug, Serialize)]
pub struct Explained {
    pub value: String,
    pub meaning: String,
}

#[derive(Debug, Serialize)]
pub struct ContainerCaps {
    pub name: String,
    pub id: String,
    pub state: String,
    pub pid: Option<i64>,
    pub privileged: bool,
    pub cap_add: Vec<String>,
    pub cap_drop: Vec<String>,
    /// The set Docker computes from the configuration.
    pub configured_effective: String,
    pub unknown_capabilities: Vec<String>,
}
