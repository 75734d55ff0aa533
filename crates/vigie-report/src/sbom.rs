//! SBOM documents built from a catalog: vigie's own JSON (`vigie-sbom/1`),
//! CycloneDX 1.5 JSON and SPDX 2.3 JSON, and the table of `vigie sbom`.
//! Formatting only; the binary prints. (The incomplete marks written here
//! are read back by `vigie_catalog::sbom::incomplete_marks`.)

use serde_json::{Value, json};
pub use vigie_snapshot::package::Subject;
use vigie_snapshot::package::{Catalog, INCOMPLETE_PROPERTY, OsInfo, Package, WARNING_PROPERTY};

const TOOL: &str = "vigie";
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// vigie's own layout, documented in docs/commands/sbom.md, as borrowed
/// data: serialised straight to text, without a JSON tree in memory (a host
/// has tens of thousands of packages).
#[derive(Debug, serde::Serialize)]
pub struct VigieSbom<'a> {
    pub schema: &'static str,
    pub tool: Tool,
    pub image: &'a Subject,
    pub os: &'a OsInfo,
    pub packages: &'a [Package],
    pub incomplete: bool,
    pub warnings: &'a [String],
}

#[derive(Debug, serde::Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

pub fn vigie_sbom<'a>(subject: &'a Subject, catalog: &'a Catalog) -> VigieSbom<'a> {
    VigieSbom {
        schema: "vigie-sbom/1",
        tool: Tool {
            name: TOOL,
            version: VERSION,
        },
        image: subject,
        os: &catalog.os,
        packages: &catalog.packages,
        incomplete: catalog.is_incomplete(),
        warnings: &catalog.warnings,
    }
}

/// What marks an incomplete SBOM, one line per reason (capped for size).
fn incomplete_reasons(catalog: &Catalog) -> Vec<String> {
    const SHOWN: usize = 20;
    let mut out: Vec<String> = catalog.incomplete.iter().take(SHOWN).cloned().collect();
    if catalog.incomplete.len() > SHOWN {
        out.push(format!("and {} more", catalog.incomplete.len() - SHOWN));
    }
    out
}

/// A fresh random (version 4) UUID: every document gets its own serial
/// number and namespace, as CycloneDX and SPDX ask, even for the same image.
pub fn fresh_uuid() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // No OS randomness (never seen on Linux): the clock and the process
        // still make the id unique to this document.
        use sha2::{Digest, Sha256};
        let now = jiff::Timestamp::now().as_nanosecond();
        let digest = Sha256::digest(format!("{now}-{}", std::process::id()).as_bytes());
        bytes.copy_from_slice(&digest[..16]);
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4 (random)
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
    let h: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// A licence exactly as the SPDX list names it (`MIT`, `GPL-2.0-or-later`).
fn spdx_id(name: &str) -> bool {
    spdx::license_id(name).is_some_and(|id| id.name == name)
}

/// A valid SPDX expression (`GPL-2.0-or-later OR MIT`).
fn spdx_expression(text: &str) -> bool {
    spdx::Expression::parse_mode(text, spdx::ParseMode::STRICT).is_ok()
}

/// CycloneDX 1.5 `licenses`: ids where the SPDX list has them, names
/// otherwise; one valid expression alone as `expression` (the schema does
/// not allow an expression beside licence objects).
fn cyclonedx_licenses(licenses: &[String]) -> Value {
    if let [one] = licenses
        && !spdx_id(one)
        && spdx_expression(one)
    {
        return json!([{"expression": one}]);
    }
    Value::Array(
        licenses
            .iter()
            .map(|l| {
                if spdx_id(l) {
                    json!({"license": {"id": l}})
                } else {
                    json!({"license": {"name": l}})
                }
            })
            .collect(),
    )
}

/// Licences that are not SPDX expressions, as `LicenseRef-…` ids for SPDX
/// documents, each with its `hasExtractedLicensingInfos` entry.
#[derive(Default)]
struct LicenseRefs {
    by_name: Vec<(String, String)>,
}

impl LicenseRefs {
    fn id(&mut self, name: &str) -> String {
        if let Some((_, id)) = self.by_name.iter().find(|(n, _)| n == name) {
            return id.clone();
        }
        let mut base: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        base.truncate(64);
        let mut id = format!("LicenseRef-{base}");
        let mut n = 1;
        while self.by_name.iter().any(|(_, taken)| *taken == id) {
            n += 1;
            id = format!("LicenseRef-{base}-{n}");
        }
        self.by_name.push((name.to_string(), id.clone()));
        id
    }

    fn extracted(&self) -> Vec<Value> {
        self.by_name
            .iter()
            .map(|(name, id)| {
                json!({
                    "licenseId": id,
                    "name": name,
                    "extractedText": format!("The package metadata names this licence \"{name}\"; it is not on the SPDX licence list."),
                })
            })
            .collect()
    }
}

/// `licenseDeclared`: every licence of the package (SPDX ids and
/// expressions as they are, other names as `LicenseRef-…`) joined by AND;
/// NOASSERTION when there is none.
fn spdx_license(licenses: &[String], refs: &mut LicenseRefs) -> String {
    let parts: Vec<String> = licenses
        .iter()
        .map(|l| {
            if spdx_id(l) {
                l.clone()
            } else if spdx_expression(l) {
                if licenses.len() > 1 {
                    format!("({l})")
                } else {
                    l.clone()
                }
            } else {
                refs.id(l)
            }
        })
        .collect();
    let joined = parts.join(" AND ");
    if parts.is_empty() || !spdx_expression(&joined) {
        return "NOASSERTION".to_string();
    }
    joined
}

/// UTC now as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn now_utc() -> String {
    crate::time::rfc3339_seconds(jiff::Timestamp::now())
}

fn properties(p: &Package) -> Vec<Value> {
    let mut out = vec![
        json!({"name": "vigie:ecosystem", "value": p.ecosystem.as_str()}),
        json!({"name": "vigie:found_in", "value": p.found_in}),
    ];
    if let Some(l) = &p.layer {
        out.push(json!({"name": "vigie:layer", "value": l}));
    }
    if let Some(s) = &p.source_name {
        out.push(json!({"name": "vigie:source_name", "value": s}));
    }
    if let Some(s) = &p.source_version {
        out.push(json!({"name": "vigie:source_version", "value": s}));
    }
    out
}

pub fn cyclonedx(subject: &Subject, catalog: &Catalog, timestamp: &str) -> Value {
    let image_ref = "image";
    let mut components: Vec<Value> = Vec::new();
    let mut image_deps: Vec<String> = Vec::new();
    if catalog.os.family != "none" {
        let os_ref = format!("os:{}", catalog.os.family);
        components.push(json!({
            "type": "operating-system",
            "bom-ref": os_ref,
            "name": catalog.os.family,
            "version": catalog.os.version,
        }));
        image_deps.push(os_ref);
    }
    for (i, p) in catalog.packages.iter().enumerate() {
        let bom_ref = format!("{}#{i}", p.purl);
        let mut c = json!({
            "type": "library",
            "bom-ref": bom_ref,
            "name": p.name,
            "version": p.version,
            "purl": p.purl,
            "properties": properties(p),
        });
        if !p.licenses.is_empty() {
            c["licenses"] = cyclonedx_licenses(&p.licenses);
        }
        components.push(c);
        image_deps.push(bom_ref);
    }
    let name = subject
        .tags
        .first()
        .cloned()
        .unwrap_or_else(|| subject.reference.clone());
    let mut image = json!({"type": "container", "bom-ref": image_ref, "name": name});
    if let Some(id) = &subject.id {
        image["version"] = json!(id);
    }
    let mut metadata_properties = Vec::new();
    if catalog.is_incomplete() {
        metadata_properties.push(json!({"name": INCOMPLETE_PROPERTY, "value": "true"}));
        for reason in incomplete_reasons(catalog) {
            metadata_properties.push(json!({"name": WARNING_PROPERTY, "value": reason}));
        }
    }
    let mut bom = json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": format!("urn:uuid:{}", fresh_uuid()),
        "version": 1,
        "metadata": {
            "timestamp": timestamp,
            "tools": {"components": [{"type": "application", "name": TOOL, "version": VERSION}]},
            "component": image,
        },
        "components": components,
        "dependencies": [{"ref": image_ref, "dependsOn": image_deps}],
    });
    if !metadata_properties.is_empty() {
        bom["metadata"]["properties"] = Value::Array(metadata_properties);
    }
    bom
}

pub fn spdx(subject: &Subject, catalog: &Catalog, timestamp: &str) -> Value {
    let name = subject
        .tags
        .first()
        .cloned()
        .unwrap_or_else(|| subject.reference.clone());
    let mut packages = vec![json!({
        "SPDXID": "SPDXRef-Image",
        "name": name,
        "versionInfo": subject.id.clone().unwrap_or_default(),
        "downloadLocation": "NOASSERTION",
        "filesAnalyzed": false,
        "licenseConcluded": "NOASSERTION",
        "licenseDeclared": "NOASSERTION",
        "primaryPackagePurpose": "CONTAINER",
    })];
    let mut relationships = vec![json!({
        "spdxElementId": "SPDXRef-DOCUMENT",
        "relationshipType": "DESCRIBES",
        "relatedSpdxElement": "SPDXRef-Image",
    })];
    if catalog.os.family != "none" {
        packages.push(json!({
            "SPDXID": "SPDXRef-OperatingSystem",
            "name": catalog.os.family,
            "versionInfo": catalog.os.version,
            "downloadLocation": "NOASSERTION",
            "filesAnalyzed": false,
            "licenseConcluded": "NOASSERTION",
            "licenseDeclared": "NOASSERTION",
            "primaryPackagePurpose": "OPERATING-SYSTEM",
        }));
        relationships.push(json!({
            "spdxElementId": "SPDXRef-Image",
            "relationshipType": "CONTAINS",
            "relatedSpdxElement": "SPDXRef-OperatingSystem",
        }));
    }
    let mut refs = LicenseRefs::default();
    for (i, p) in catalog.packages.iter().enumerate() {
        let id = format!("SPDXRef-Package-{}-{i}", p.ecosystem.as_str());
        let mut entry = json!({
            "SPDXID": id,
            "name": p.name,
            "versionInfo": p.version,
            "downloadLocation": "NOASSERTION",
            "filesAnalyzed": false,
            "licenseConcluded": "NOASSERTION",
            "licenseDeclared": spdx_license(&p.licenses, &mut refs),
            "externalRefs": [{
                "referenceCategory": "PACKAGE-MANAGER",
                "referenceType": "purl",
                "referenceLocator": p.purl,
            }],
            "primaryPackagePurpose": "LIBRARY",
            "sourceInfo": format!("found in {}", p.found_in),
        });
        if let Some(layer) = &p.layer {
            entry["comment"] = json!(format!("layer {layer}"));
        }
        packages.push(entry);
        relationships.push(json!({
            "spdxElementId": "SPDXRef-Image",
            "relationshipType": "CONTAINS",
            "relatedSpdxElement": id,
        }));
    }
    let mut document = json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": name,
        // Unique per document and not a made-up web address (SPDX 2.3 asks for a unique absolute URI).
        "documentNamespace": format!("urn:uuid:{}", fresh_uuid()),
        "creationInfo": {"created": timestamp, "creators": [format!("Tool: {TOOL}-{VERSION}")]},
        "packages": packages,
        "relationships": relationships,
    });
    let extracted = refs.extracted();
    if !extracted.is_empty() {
        document["hasExtractedLicensingInfos"] = Value::Array(extracted);
    }
    if catalog.is_incomplete() {
        let comment = format!("incomplete: {}", incomplete_reasons(catalog).join("; "));
        document["comment"] = json!(comment);
        document["annotations"] = json!([{
            "annotator": format!("Tool: {TOOL}-{VERSION}"),
            "annotationDate": timestamp,
            "annotationType": "OTHER",
            "comment": comment,
        }]);
    }
    document
}

/// The table of `vigie sbom`: one line per package, warnings, an incomplete footer.
pub fn table(subject: &Subject, catalog: &Catalog) -> String {
    let os = &catalog.os;
    let mut out = String::new();
    let name = subject.tags.first().unwrap_or(&subject.reference);
    let os_text = if os.family == "none" {
        format!("none ({:?})", os.kind).to_lowercase()
    } else {
        format!("{} {}", os.family, os.version)
    };
    out.push_str(&format!(
        "{} ({}) · OS: {} · {} packages · {} layers\n\n",
        crate::findings::one_line(name),
        crate::findings::one_line(&subject.source),
        crate::findings::one_line(&os_text),
        catalog.packages.len(),
        subject.layers.len()
    ));
    let header = ["NAME", "VERSION", "TYPE", "SOURCE", "FOUND IN"];
    let rows: Vec<[String; 5]> = catalog
        .packages
        .iter()
        .map(|p| {
            let source = match (&p.source_name, &p.source_version) {
                (Some(n), Some(v)) if *n != p.name || *v != p.version => format!("{n} {v}"),
                _ => String::new(),
            };
            [
                p.name.clone(),
                p.version.clone(),
                p.ecosystem.as_str().to_string(),
                source,
                p.found_in.clone(),
            ]
            .map(|c| crate::findings::one_line(&c))
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut s = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == cells.len() {
                s.push_str(cell);
            } else {
                s.push_str(&format!("{cell:<w$}  "));
            }
        }
        s.trim_end().to_string() + "\n"
    };
    out.push_str(&line(&header.map(str::to_string)));
    for row in &rows {
        out.push_str(&line(row));
    }
    for w in &catalog.warnings {
        out.push_str(&format!("\nwarning: {}", crate::findings::one_line(w)));
    }
    if !catalog.warnings.is_empty() {
        out.push('\n');
    }
    if catalog.is_incomplete() {
        out.push_str(&format!(
            "\nIncomplete: {} file(s), layer(s) or entries could not be read: packages may be missing\n",
            catalog.incomplete.len()
        ));
    }
    out
}

/// An SBOM document as printed: pretty JSON with a final newline.
pub fn pretty(value: &impl serde::Serialize) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vigie_json_keeps_its_documented_key_order() {
        let catalog = Catalog {
            os: OsInfo::none(vigie_snapshot::package::OsKind::Scratch),
            packages: Vec::new(),
            warnings: vec!["w".to_string()],
            incomplete: vec!["w".to_string()],
        };
        let text = serde_json::to_string(&vigie_sbom(&Subject::default(), &catalog)).unwrap();
        let keys = [
            "\"schema\"",
            "\"tool\"",
            "\"image\"",
            "\"os\"",
            "\"packages\"",
            "\"incomplete\":true",
            "\"warnings\"",
        ];
        let positions: Vec<usize> = keys.iter().map(|k| text.find(k).unwrap()).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
    }

    #[test]
    fn timestamp_shape_and_licenses() {
        let t = now_utc();
        assert_eq!(t.len(), 20);
        assert!(t.ends_with('Z'));
        let mut refs = LicenseRefs::default();
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(spdx_license(&strings(&["MIT"]), &mut refs), "MIT");
        assert_eq!(
            spdx_license(&strings(&["GPL-2.0-or-later OR MIT"]), &mut refs),
            "GPL-2.0-or-later OR MIT"
        );
        assert_eq!(
            spdx_license(
                &strings(&["GPL-2.0-or-later", "BSD-3-Clause", "MIT OR Apache-2.0"]),
                &mut refs
            ),
            "GPL-2.0-or-later AND BSD-3-Clause AND (MIT OR Apache-2.0)"
        );
        assert_eq!(
            spdx_license(
                &strings(&["GPL-2.0-only", "public-domain", "GPL-3+ with Bison exception"]),
                &mut refs
            ),
            "GPL-2.0-only AND LicenseRef-public-domain AND LicenseRef-GPL-3--with-Bison-exception"
        );
        assert_eq!(spdx_license(&[], &mut refs), "NOASSERTION");
        assert_eq!(refs.extracted().len(), 2);
        assert_eq!(
            refs.id("GPL-3+_with Bison exception"),
            "LicenseRef-GPL-3--with-Bison-exception-2"
        );
        // CycloneDX: ids, names, and a lone expression.
        assert_eq!(
            cyclonedx_licenses(&strings(&["MIT", "public-domain"])),
            json!([{"license": {"id": "MIT"}}, {"license": {"name": "public-domain"}}])
        );
        assert_eq!(
            cyclonedx_licenses(&strings(&["MIT OR Apache-2.0"])),
            json!([{"expression": "MIT OR Apache-2.0"}])
        );
        assert!(!spdx_id("mit"), "ids are exact");
        // A fresh serial each time, version 4.
        let (a, b) = (fresh_uuid(), fresh_uuid());
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
    }
}
