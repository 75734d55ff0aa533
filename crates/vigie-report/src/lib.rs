//! Printers. Pipeline place: the last stage; turns findings and reports into
//! text (tables, versioned JSON, SARIF, HTML). Returns strings; the binary
//! decides where they go.

pub mod db;
pub mod findings;
pub mod html;
pub mod sarif;
pub mod sbom;
pub mod scan;
pub mod style;
pub mod vulnerabilities;
