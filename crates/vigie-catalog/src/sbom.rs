//! SBOM documents: their plain data (`Subject`, the incomplete marks) is in
//! `vigie-snapshot`, their printers in `vigie_report::sbom`; what stays here
//! is the reader of the incomplete marks, for `vigie scan` of an SBOM.

use serde_json::Value;
pub use vigie_snapshot::package::{INCOMPLETE_PROPERTY, Subject, WARNING_PROPERTY};

/// What a CycloneDX SBOM's metadata says of its completeness (the marks
/// `vigie_report::sbom::cyclonedx` writes): `None` when not marked incomplete, else the
/// reasons it lists (possibly none).
/// [`incomplete_marks`] from the metadata properties as (name, value) pairs.
pub fn incomplete_marks_of(properties: &[(String, String)]) -> Option<Vec<String>> {
    let marked = |name: &str| -> Vec<String> {
        properties
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    };
    marked(INCOMPLETE_PROPERTY)
        .iter()
        .any(|v| v == "true")
        .then(|| marked(WARNING_PROPERTY))
}

pub fn incomplete_marks(bom: &Value) -> Option<Vec<String>> {
    let properties = bom.pointer("/metadata/properties").and_then(|p| p.as_array());
    let marked = |name: &str| -> Vec<String> {
        properties
            .into_iter()
            .flatten()
            .filter(|p| p["name"] == name)
            .filter_map(|p| p["value"].as_str().map(str::to_string))
            .collect()
    };
    marked(INCOMPLETE_PROPERTY)
        .iter()
        .any(|v| v == "true")
        .then(|| marked(WARNING_PROPERTY))
}
