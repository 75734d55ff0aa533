//! The one versioned JSON envelope of every vigie report:
//! `{ "schema_version": N, "tool": {name, version}, "kind": "...", …body }`.
//! A consumer reads `kind` and `schema_version` first, whatever the command.

use serde::Serialize;

/// Version of the envelope and of the bodies printed in it; bumped on any
/// incompatible change of a field's meaning or type.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Serialize)]
pub struct ToolInfo {
    pub name: &'static str,
    pub version: &'static str,
}

pub fn tool_info(version: &'static str) -> ToolInfo {
    ToolInfo { name: "vigie", version }
}

#[derive(Debug, Serialize)]
struct Envelope<'a, B: Serialize> {
    schema_version: u32,
    tool: ToolInfo,
    /// `audit`, `inside`, `lint`, `image-check`, `rules`…
    kind: &'a str,
    #[serde(flatten)]
    body: B,
}

/// The pretty-printed document, with a final newline.
/// [`to_json`] written straight to `w` (pretty, final newline): a report of
/// a hundred thousand findings is never held as one string.
pub fn to_json_writer<B: Serialize>(
    w: &mut dyn std::io::Write,
    kind: &str,
    version: &'static str,
    body: B,
) -> Result<(), serde_json::Error> {
    serde_json::to_writer_pretty(
        &mut *w,
        &Envelope {
            schema_version: SCHEMA_VERSION,
            tool: tool_info(version),
            kind,
            body,
        },
    )?;
    w.write_all(b"\n").map_err(serde_json::Error::io)
}

pub fn to_json<B: Serialize>(kind: &str, version: &'static str, body: B) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(&Envelope {
        schema_version: SCHEMA_VERSION,
        tool: tool_info(version),
        kind,
        body,
    })?;
    text.push('\n');
    Ok(text)
}
