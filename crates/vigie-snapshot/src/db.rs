//! What `vigie db` reports: the sources of the vulnerability database, its
//! status, what an import or an update changed. Plain data: `vigie-vulndb`
//! fills it, `vigie_report::db` shows it.

/// A source as recorded in the database.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SourceInfo {
    pub name: String,
    pub kind: String,
    pub location: String,
    pub sha256: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub imported_at: i64,
    pub records: i64,
    pub skipped: i64,
    pub skipped_sample: Vec<String>,
}

/// `vigie db status`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Status {
    pub path: String,
    pub schema_version: i64,
    pub size_bytes: u64,
    /// Unix time of the last import or update.
    pub updated_at: i64,
    pub records: i64,
    pub ecosystems: Vec<(String, i64)>,
    pub sources: Vec<SourceInfo>,
    /// Per download location of `db update`: its last success and last error.
    pub updates: std::collections::BTreeMap<String, UpdateAttempts>,
}

/// What `db update` last saw of one location (kept beside the database, in
/// `DB.updates.json`, so a run where every source fails still records why).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UpdateAttempts {
    /// Unix time of the last download that succeeded (or was not modified).
    pub last_success: Option<i64>,
    /// Unix time and message of the last failure.
    pub last_error_at: Option<i64>,
    pub last_error: Option<String>,
}

/// What one write changed, per source.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportSummary {
    pub source: String,
    pub records: usize,
    pub skipped: usize,
    pub skipped_sample: Vec<String>,
}

/// Outcome for one URL.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum SourceOutcome {
    Updated {
        url: String,
        summary: ImportSummary,
        sha256: String,
        bytes: u64,
    },
    NotModified {
        url: String,
        source: String,
    },
    Failed {
        url: String,
        error: String,
    },
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct UpdateReport {
    pub outcomes: Vec<SourceOutcome>,
}

impl UpdateReport {
    pub fn failed(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| matches!(o, SourceOutcome::Failed { .. }))
            .count()
    }
}
