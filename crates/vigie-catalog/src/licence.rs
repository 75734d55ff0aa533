//! Licence names as packages declare them, made SPDX ids where the meaning
//! is exact: Debian's short names (`GPL-2+` → `GPL-2.0-or-later`, `Expat` →
//! `MIT`, `GFDL-NIV-1.3` → `GFDL-1.3-no-invariants-only`), Fedora/RPM
//! spellings (`GPLv2+`), an SPDX id in another case (`BSD-4-clause-UC` →
//! `BSD-4-Clause-UC`). Anything else is kept as written: a name, not an id.
//! Unlike Trivy, a bare `GPL`, `LGPL`, `BSD` or `Artistic` is not given a
//! version it does not state.

/// `GPL-2+ or Artistic` → [`GPL-2+`, `Artistic`]; `and/or` is kept whole,
/// as Trivy keeps it.
pub(crate) fn split_expression(value: &str) -> Vec<&str> {
    let mut parts = vec![value];
    for separator in [" or ", " and ", ", "] {
        parts = parts
            .into_iter()
            .flat_map(|p| p.split(separator))
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
    }
    parts
}

/// Debian's short licence names as SPDX ids where they mean exactly that.
pub(crate) fn normalise(name: &str) -> String {
    let name = name.trim().trim_end_matches(',');
    // `CC0 license`, `MIT License`: the word adds nothing (as Trivy reads it).
    let name = match name.len().checked_sub(8) {
        Some(cut) if name.is_char_boundary(cut) && name[cut..].eq_ignore_ascii_case(" license") => name[..cut].trim(),
        _ => name,
    };
    // `Apache 2.0`, `Apache License 2.0`, `Apache License, Version 2.0`.
    let spaced = name.to_ascii_lowercase().replace(',', "");
    if matches!(
        spaced.as_str(),
        "apache 2.0" | "apache 2" | "apache license 2.0" | "apache license version 2.0" | "apache-2.0 license"
    ) {
        return "Apache-2.0".to_string();
    }
    if name.contains(' ') {
        // `GPL-3+ with Bison exception`: no exact SPDX form, kept as written.
        return name.to_string();
    }
    let lower = name.to_ascii_lowercase();
    let (base, later) = match lower.strip_suffix('+') {
        Some(b) => (b, true),
        None => (lower.as_str(), false),
    };
    let or_later = if later { "or-later" } else { "only" };
    // GFDL-NIV-1.3: no invariant sections.
    if let Some(version) = base.strip_prefix("gfdl-niv-")
        && matches!(version, "1.1" | "1.2" | "1.3")
    {
        return format!("GFDL-{version}-no-invariants-{or_later}");
    }
    // GNU family: GPL-2, GPL-2.0, GPLv3, LGPL-2.1, AGPL-3, GFDL-1.3 (with or
    // without +), only for versions that exist.
    for (family, versions) in [
        ("agpl", &["3"][..]),
        ("lgpl", &["2", "2.1", "3"][..]),
        ("gpl", &["1", "2", "3"][..]),
        ("gfdl", &["1.1", "1.2", "1.3"][..]),
    ] {
        let Some(rest) = base.strip_prefix(family) else {
            continue;
        };
        let Some(version) = rest
            .strip_prefix('-')
            .or_else(|| rest.strip_prefix('v'))
            .or_else(|| rest.starts_with(|c: char| c.is_ascii_digit()).then_some(rest))
        else {
            continue;
        };
        let version = version.strip_suffix("-only").unwrap_or(version);
        let version = version.strip_suffix(".0").unwrap_or(version);
        if !versions.contains(&version) {
            return name.to_string();
        }
        let version = if version.contains('.') {
            version.to_string()
        } else {
            format!("{version}.0")
        };
        return format!("{}-{version}-{or_later}", family.to_ascii_uppercase());
    }
    if later {
        return name.to_string();
    }
    let exact = match lower.as_str() {
        "expat" => "MIT",
        "apache-2" => "Apache-2.0",
        "cc0" => "CC0-1.0",
        _ => {
            // An SPDX id written in another case (`BSD-4-clause-UC`).
            return spdx::identifiers::LICENSES
                .iter()
                .find(|(id, _, _)| id.eq_ignore_ascii_case(name))
                .map_or_else(|| name.to_string(), |(id, _, _)| (*id).to_string());
        }
    };
    exact.to_string()
}

/// An apk `L:` field: one SPDX expression (`MIT OR Apache-2.0`), or the
/// older space-separated list (`MPL-2.0 GPL-2.0-or-later`).
pub(crate) fn apk(value: &str) -> Vec<String> {
    list(value, |v| v.split_whitespace().collect())
}

/// An RPM `License` tag: one SPDX expression, or Fedora's older
/// `GPLv2+ and MIT` form.
pub(crate) fn rpm(value: &str) -> Vec<String> {
    list(value, split_expression)
}

/// A language package's declared licence (`License:`, `license` in
/// package.json…): one expression or name.
pub(crate) fn declared(value: &str) -> Vec<String> {
    list(value, |v| vec![v])
}

fn list(value: &str, split: impl Fn(&str) -> Vec<&str>) -> Vec<String> {
    let value = value.trim();
    if value.is_empty() {
        return Vec::new();
    }
    if is_compound_expression(value) {
        return vec![value.to_string()];
    }
    let mut out: Vec<String> = Vec::new();
    for part in split(value) {
        if matches!(part, "AND" | "OR" | "and" | "or") {
            continue;
        }
        let name = normalise(part);
        if !name.is_empty() && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// Every licence-field reader at once, for the fuzz target.
#[doc(hidden)]
pub fn fuzz_entry_points(value: &str) -> usize {
    apk(value).len() + rpm(value).len() + declared(value).len() + normalise(value).len()
}

/// A valid SPDX expression with an operator (`MIT OR Apache-2.0`).
fn is_compound_expression(value: &str) -> bool {
    [" AND ", " OR ", " WITH "].iter().any(|op| value.contains(op))
        && spdx::Expression::parse_mode(value, spdx::ParseMode::STRICT).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_map_only_where_exact() {
        for (debian, spdx) in [
            ("GPL-2", "GPL-2.0-only"),
            ("GPL-3.0+", "GPL-3.0-or-later"),
            ("LGPL-2", "LGPL-2.0-only"),
            ("lgpl-2.1+", "LGPL-2.1-or-later"),
            ("GFDL-1.3", "GFDL-1.3-only"),
            ("Apache-2", "Apache-2.0"),
            ("BSD-2-clause", "BSD-2-Clause"),
            ("public-domain", "public-domain"),
            ("GPL-9", "GPL-9"),
            ("BSD-3-clause-Cambridge", "BSD-3-clause-Cambridge"),
            ("BSD-4-clause-UC", "BSD-4-Clause-UC"),
            ("GFDL-NIV-1.3+", "GFDL-1.3-no-invariants-or-later"),
            ("zlib", "Zlib"),
            ("GPL", "GPL"),
            ("GPLv3+", "GPL-3.0-or-later"),
            ("LGPLv2.1+", "LGPL-2.1-or-later"),
            ("GFDL-3", "GFDL-3"),
            ("CC0 license", "CC0-1.0"),
            ("GPL-3+-WITH-BISON-EXCEPTION", "GPL-3+-WITH-BISON-EXCEPTION"),
            ("Artistic", "Artistic"),
        ] {
            assert_eq!(normalise(debian), spdx, "{debian}");
        }
    }

    #[test]
    fn package_manager_fields() {
        assert_eq!(apk("MPL-2.0 GPL-2.0-or-later"), ["MPL-2.0", "GPL-2.0-or-later"]);
        assert_eq!(apk("GPL2"), ["GPL-2.0-only"]);
        assert_eq!(apk("GPL-2.0"), ["GPL-2.0-only"], "the deprecated id");
        assert_eq!(apk("MIT OR Apache-2.0"), ["MIT OR Apache-2.0"]);
        assert_eq!(rpm("GPLv2+ and MIT"), ["GPL-2.0-or-later", "MIT"]);
        assert_eq!(declared("BSD-3-Clause"), ["BSD-3-Clause"]);
        assert_eq!(declared("Apache 2.0"), ["Apache-2.0"]);
        assert_eq!(declared("Apache License, Version 2.0"), ["Apache-2.0"]);
        assert_eq!(declared("BSD"), ["BSD"], "no clause count: a name");
        assert!(declared("  ").is_empty());
    }
}
