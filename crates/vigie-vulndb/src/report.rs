//! Scan results, now plain data in `vigie-snapshot` (re-exported here at
//! their old paths); their printers (vigie JSON, Trivy JSON, SARIF,
//! CycloneDX) are in `vigie_report::scan`.

pub use vigie_snapshot::scan::{DbSummary, OsSummary, SCAN_SCHEMA, ScanResult};
