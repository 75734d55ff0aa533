//! Rule listings: `vigie rules` (every family, from the registry) and
//! `vigie audit --list-rules` (the audit catalogue).

use serde::Serialize;
use vigie_rules::RuleInfo;
use vigie_rules::registry::Entry;

use crate::findings::one_line;

/// `ID FAMILY SEVERITY CIS TITLE`, one rule a line.
pub fn table(entries: &[Entry]) -> String {
    let mut out = format!(
        "{:<13} {:<10} {:<9} {:<6} {:<28} TITLE\n",
        "ID", "FAMILY", "SEVERITY", "CIS", "MITIGATION"
    );
    for e in entries {
        let r = &e.info;
        out.push_str(&format!(
            "{:<13} {:<10} {:<9} {:<6} {:<28} {}\n",
            r.id,
            e.family.as_str(),
            r.severity.as_str(),
            r.cis.unwrap_or("-"),
            r.mitigation.title(),
            one_line(r.title)
        ));
    }
    out.push_str(&format!(
        "\n{} rules. `vigie rules ID` prints a rule's page (docs/rules/ID.md).\n",
        entries.len()
    ));
    out
}

#[derive(Serialize)]
struct RulesBody<'a> {
    rules: &'a [Entry],
}

/// `{ schema_version, tool, kind: "rules", rules: [...] }`, in the one envelope.
pub fn json(entries: &[Entry], version: &'static str) -> Result<String, serde_json::Error> {
    crate::envelope::to_json("rules", version, RulesBody { rules: entries })
}

/// `vigie audit --list-rules`: the audit catalogue, `ID SEVERITY CIS MITIGATION TITLE`.
pub fn audit_list(rules: &[RuleInfo]) -> String {
    let mut out = format!(
        "{:<13} {:<9} {:<6} {:<22} TITLE\n",
        "ID", "SEVERITY", "CIS", "MITIGATION"
    );
    for r in rules {
        out.push_str(&format!(
            "{:<13} {:<9} {:<6} {:<22} {}\n",
            r.id,
            r.severity.as_str(),
            r.cis.unwrap_or("-"),
            r.mitigation.title(),
            r.title
        ));
    }
    out
}
