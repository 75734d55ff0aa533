//! Printers. Pipeline place: the last stage; turns findings and reports into
//! text (tables, versioned JSON, SARIF, HTML). Returns strings; the binary
//! decides where they go.

pub mod audit;
pub mod caps;
pub mod db;
pub mod envelope;
pub mod findings;
pub mod html;
pub mod image;
pub mod inside;
pub mod lint;
pub mod posture;
pub mod rules;
pub mod sanitize;
pub mod sarif;
pub mod sbom;
pub mod scan;
pub mod stats;
pub mod style;
pub mod time;
pub mod vulnerabilities;
pub mod watch;
