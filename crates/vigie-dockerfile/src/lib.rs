//! Dockerfile parsing. Pipeline place: a Dockerfile's text in ([`parser`],
//! with exact positions, directives, heredocs and BuildKit flags; [`shell`]
//! for RUN scripts), plain syntax out. The lint rules that judge it live in
//! `vigie_rules::dockerfile`. Nothing here prints.

pub mod parser;
pub mod shell;
