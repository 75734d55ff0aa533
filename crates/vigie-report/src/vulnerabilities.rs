//! Tables of `vigie scan` (findings grouped by package) and `vigie diff`
//! (what two scanners disagree on), and the JSON of `vigie diff`. The other
//! layouts of a scan (JSON, Trivy JSON, SARIF, CycloneDX) are in [`crate::scan`].

use crate::findings::one_line;
use crate::scan::counts;
use std::collections::BTreeMap;
use vigie_snapshot::diff::{Diff, ReportFormat};
use vigie_snapshot::scan::{ScanResult, VulnMatch};

/// A table grouped by package, most severe first inside each package.
pub fn scan_table(result: &ScanResult) -> String {
    let mut table = comfy_table::Table::new();
    table
        .load_preset(comfy_table::presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
    let titles = result.applied.reported.iter().any(|m| m.title.is_some());
    let mut header = vec!["Package", "Installed", "Vulnerability", "Severity", "Fixed in"];
    if titles {
        header.push("Title");
    }
    table.set_header(header);
    let width = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<u16>().ok())
        .unwrap_or(140);
    table.set_width(width);
    let mut by_package: BTreeMap<(String, String, String), Vec<&VulnMatch>> = BTreeMap::new();
    for m in &result.applied.reported {
        by_package
            .entry((
                m.package.name.clone(),
                m.package.version.clone(),
                m.package.found_in.clone().unwrap_or_default(),
            ))
            .or_default()
            .push(m);
    }
    for ((name, version, _), mut matches) in by_package {
        matches.sort_by(|a, b| a.finding_order(b));
        for (i, m) in matches.iter().enumerate() {
            let id = if m.aliases.is_empty() {
                m.id.to_string()
            } else {
                let aliases: Vec<&str> = m.aliases.iter().take(2).map(|a| a.as_str()).collect();
                format!("{} ({})", m.id, aliases.join(", "))
            };
            let mut row = vec![
                if i == 0 { name.clone() } else { String::new() },
                if i == 0 { version.clone() } else { String::new() },
                id,
                m.severity.severity.as_upper().to_string(),
                fixed_text(m),
            ];
            if titles {
                row.push(ellipsize(m.title.as_deref().unwrap_or_default(), 60));
            }
            table.add_row(row.iter().map(|c| one_line(c)).collect::<Vec<_>>());
        }
    }
    let c = counts(&result.applied.reported);
    let total = result.applied.reported.len();
    let mut out = format!(
        "{} ({}{})\nTotal: {total} (CRITICAL: {}, HIGH: {}, MEDIUM: {}, LOW: {}, UNKNOWN: {}) in {} packages {}\n",
        one_line(&result.target),
        one_line(&result.artifact_type),
        result
            .os
            .as_ref()
            .map(|o| one_line(&format!(", {} {}", o.family, o.version)))
            .unwrap_or_default(),
        c["CRITICAL"],
        c["HIGH"],
        c["MEDIUM"],
        c["LOW"],
        c["UNKNOWN"],
        result.packages.len(),
        match result
            .coverage
            .iter()
            .filter(|c| c.records == 0)
            .map(|c| c.packages)
            .sum::<usize>()
        {
            0 => "checked".to_string(),
            n => format!("({n} NOT checked: no advisories for them)"),
        },
    );
    for c in &result.coverage {
        let known = if c.records == 0 {
            "NO ADVISORIES in the database: not checked".to_string()
        } else {
            format!(
                "{} advisories{}",
                c.records,
                c.newest_record
                    .as_deref()
                    .map(|n| format!(", newest {}", n.get(..10).unwrap_or(n)))
                    .unwrap_or_default()
            )
        };
        out.push_str(&one_line(&format!(
            "  {}: {} packages, {known}",
            c.ecosystem, c.packages
        )));
        out.push('\n');
    }
    if total > 0 {
        out.push('\n');
        out.push_str(&table.to_string());
        out.push('\n');
    }
    if !result.applied.suppressed.is_empty() {
        out.push_str(&format!("\nSuppressed: {}\n", result.applied.suppressed.len()));
        for (m, s) in &result.applied.suppressed {
            out.push_str(&format!(
                "  {}\n",
                one_line(&format!(
                    "{} {} {}: {} ({})",
                    m.package.name, m.package.version, m.id, s.reason, s.by
                ))
            ));
        }
    }
    if !result.incomplete.is_empty() {
        out.push_str(&format!(
            "\nINCOMPLETE: {} gap(s) (parts of the target not read, ecosystems without advisories), so vulnerabilities may be missing:\n",
            result.incomplete.len()
        ));
        for reason in result.incomplete.iter().take(20) {
            out.push_str(&format!("  {}\n", one_line(reason)));
        }
    }
    out
}

/// `vigie diff --format json`: the comparison under a versioned schema.
pub fn diff_json(diff: &Diff, a_name: &str, b_name: &str) -> Result<String, serde_json::Error> {
    let value = serde_json::json!({ "schema": "vigie.diff/v1", "a": a_name, "b": b_name, "diff": diff });
    Ok(serde_json::to_string_pretty(&value)? + "\n")
}

/// Differences between two scan reports: disagreements and one-sided findings.
pub fn diff_table(diff: &Diff, a_name: &str, b_name: &str) -> String {
    let mut table = comfy_table::Table::new();
    table
        .load_preset(comfy_table::presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(comfy_table::ContentArrangement::Dynamic)
        .set_width(140)
        .set_header(["Found by", "Package", "Installed", "Vulnerability", "Why / notes"]);
    let agreeing = diff.both.iter().filter(|b| b.notes.is_empty()).count();
    for b in diff.both.iter().filter(|b| !b.notes.is_empty()) {
        table.add_row(
            [
                "both".to_string(),
                b.a.package.clone(),
                b.a.version.clone(),
                if b.a.id == b.b.id {
                    b.a.id.clone()
                } else {
                    format!("{} / {}", b.a.id, b.b.id)
                },
                b.notes.join("; "),
            ]
            .map(|c| one_line(&c)),
        );
    }
    for (label, list) in [
        (format!("only {a_name}"), &diff.only_a),
        (format!("only {b_name}"), &diff.only_b),
    ] {
        for o in list {
            table.add_row(
                [
                    label.clone(),
                    o.entry.package.clone(),
                    o.entry.version.clone(),
                    o.entry.id.clone(),
                    o.reason.clone(),
                ]
                .map(|c| one_line(&c)),
            );
        }
    }
    let name = |f: ReportFormat| match f {
        ReportFormat::Vigie => "vigie",
        ReportFormat::Trivy => "trivy",
        ReportFormat::Grype => "grype",
    };
    let mut out = format!(
        "A = {} ({}), B = {} ({})\nboth: {} ({agreeing} in full agreement, not listed)  only A: {}  only B: {}\n",
        one_line(a_name),
        name(diff.a_format),
        one_line(b_name),
        name(diff.b_format),
        diff.both.len(),
        diff.only_a.len(),
        diff.only_b.len()
    );
    if table.row_count() > 0 {
        out.push('\n');
        out.push_str(&table.to_string());
        out.push('\n');
    }
    out
}

/// The fixed versions of a finding, with what the fix needs when it ships
/// outside the distribution's own archive (`… (needs Ubuntu Pro (ESM))`).
pub fn fixed_text(m: &vigie_snapshot::scan::VulnMatch) -> String {
    let fixed = m
        .fixed_versions
        .iter()
        .map(|f| f.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    match &m.fix_requires {
        Some(needs) if !fixed.is_empty() => format!("{fixed} (needs {needs})"),
        _ => fixed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_table_lists_one_sided_findings() {
        let a = vigie_snapshot::diff::parse(
            "a",
            br#"{"schema":"vigie.scan/v1","packages":[{"name":"openssl","version":"1"}],
              "vulnerabilities":[{"id":"CVE-1","aliases":[],"package":{"name":"openssl","version":"1"},
              "fixed_versions":[],"severity":{"severity":"LOW"}}]}"#,
        )
        .unwrap();
        let b = vigie_snapshot::diff::parse("b", br#"{"matches":[]}"#).unwrap();
        let diff = vigie_snapshot::diff::compare(&a, &b, "A", "B");
        let text = diff_table(&diff, "A", "B");
        assert!(text.contains("only A") && text.contains("CVE-1"), "{text}");
    }
}

/// `text` in at most `max` characters: cut at the last word boundary that
/// fits, with an ellipsis, never mid-word (the JSON keeps the whole text).
pub fn ellipsize(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    let at_word = match cut.rfind(char::is_whitespace) {
        Some(i) if i > max / 2 => cut[..i].trim_end().to_string(),
        _ => cut,
    };
    format!("{at_word}…")
}

#[cfg(test)]
mod ellipsize_tests {
    use super::ellipsize;

    #[test]
    fn cuts_at_a_word_with_an_ellipsis() {
        assert_eq!(ellipsize("short", 60), "short");
        assert_eq!(
            ellipsize("a buffer overflow in the parser of things", 20),
            "a buffer overflow…"
        );
        assert_eq!(ellipsize("averyveryverylongwordwithoutspaces", 10), "averyvery…");
        assert!(ellipsize(&"é ".repeat(100), 60).chars().count() <= 60);
    }
}
