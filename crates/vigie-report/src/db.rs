//! Tables of `vigie db import`, `vigie db update` and `vigie db status`.
//! Formatting only; the binary writes the string.

use crate::findings::one_line as v;
use vigie_snapshot::db::{ImportSummary, SourceOutcome, Status, UpdateReport};

/// What `vigie db import` did, per source, then a total line.
pub fn import_table(summaries: &[ImportSummary], db_path: &str, seconds: f64) -> String {
    let mut text = String::new();
    let (mut records, mut skipped) = (0, 0);
    for s in summaries {
        records += s.records;
        skipped += s.skipped;
        text.push_str(&format!(
            "{:<32} {:>7} records  {:>5} skipped\n",
            v(&s.source),
            s.records,
            s.skipped
        ));
        for sample in s.skipped_sample.iter().take(5) {
            text.push_str(&format!("    skipped {}\n", v(sample)));
        }
    }
    text.push_str(&format!(
        "imported {records} records from {} sources ({skipped} skipped) into {db_path} in {seconds:.2} s\n",
        summaries.len(),
    ));
    text
}

/// What `vigie db update` did, per URL.
pub fn update_table(report: &UpdateReport, db_path: &str) -> String {
    let mut text = String::new();
    for outcome in &report.outcomes {
        match outcome {
            SourceOutcome::Updated {
                summary, sha256, bytes, ..
            } => text.push_str(&format!(
                "updated       {:<28} {:>7} records  {:>9} bytes  sha256:{}\n",
                v(&summary.source),
                summary.records,
                bytes,
                &sha256[..16.min(sha256.len())]
            )),
            SourceOutcome::NotModified { source, .. } => text.push_str(&format!("not modified  {}\n", v(source))),
            SourceOutcome::Failed { url, error } => text.push_str(&format!("failed        {}: {}\n", v(url), v(error))),
        }
    }
    text.push_str(&format!("database {db_path}\n"));
    text
}

/// `vigie db status`: the database, its sources and ecosystems (`now`: Unix time).
pub fn status_table(status: &Status, now: i64) -> String {
    let age_days = (now - status.updated_at) as f64 / 86_400.0;
    let mut text = format!(
        "database   {}\nschema     {}\nsize       {:.1} MB\nupdated    {:.1} days ago\nrecords    {}\n\nsources:\n",
        status.path,
        status.schema_version,
        status.size_bytes as f64 / 1e6,
        age_days,
        status.records
    );
    for s in &status.sources {
        text.push_str(&format!(
            "  {:<30} {:>7} records {:>5} skipped  {:.1} days ago  {}{}\n",
            v(&s.name),
            s.records,
            s.skipped,
            (now - s.imported_at) as f64 / 86_400.0,
            v(&s.location),
            s.sha256
                .as_deref()
                .map(|h| format!("  sha256:{}", &h[..16.min(h.len())]))
                .unwrap_or_default()
        ));
    }
    text.push_str("\necosystems:\n");
    for (ecosystem, count) in &status.ecosystems {
        text.push_str(&format!("  {:<30} {count:>7}\n", v(ecosystem)));
    }
    if !status.updates.is_empty() {
        text.push_str("\nupdates (per location: last success, last error):\n");
        let ago = |t: i64| format!("{:.1} days ago", (now - t) as f64 / 86_400.0);
        for (url, a) in &status.updates {
            text.push_str(&format!(
                "  {}\n    last success: {}\n",
                v(url),
                a.last_success.map(ago).unwrap_or_else(|| "never".to_string())
            ));
            if let (Some(at), Some(error)) = (a.last_error_at, &a.last_error) {
                text.push_str(&format!("    last error:   {}: {}\n", ago(at), v(error)));
            }
        }
    }
    text
}

fn pretty(value: &serde_json::Value) -> Result<String, serde_json::Error> {
    Ok(serde_json::to_string_pretty(value)? + "\n")
}

/// `vigie db import --json`.
pub fn import_json(summaries: &[ImportSummary], db_path: &str, seconds: f64) -> Result<String, serde_json::Error> {
    pretty(&serde_json::json!({ "database": db_path, "sources": summaries, "seconds": seconds }))
}

/// `vigie db update --json`.
pub fn update_json(report: &UpdateReport, db_path: &str) -> Result<String, serde_json::Error> {
    pretty(&serde_json::json!({ "database": db_path, "outcomes": report.outcomes }))
}

/// `vigie db status --json`: the status and its age at `now`.
pub fn status_json(status: &Status, now: i64) -> Result<String, serde_json::Error> {
    let mut value = serde_json::to_value(status)?;
    value["age_seconds"] = serde_json::json!(now - status.updated_at);
    pretty(&value)
}

/// `vigie db show ID`: each stored record, pretty-printed.
pub fn records(bodies: &[serde_json::Value]) -> Result<String, serde_json::Error> {
    let mut text = String::new();
    for value in bodies {
        text.push_str(&serde_json::to_string_pretty(value)?);
        text.push('\n');
    }
    Ok(text)
}
