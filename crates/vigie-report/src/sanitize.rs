//! The one sanitiser of the printer boundary. Every string that came from
//! outside (engine, image, file, database, network) goes through [`visible`]
//! before a human format shows it: C0 and C1 controls (escape and OSC
//! sequences start with them), DEL, and the invisible formatting characters
//! that reorder or hide text (bidi overrides and isolates, zero-width
//! characters, BOM) are written out as escapes (`\x1b`, `\u{202e}`), never
//! passed to the terminal. Machine formats (JSON, SARIF, SBOMs) keep the
//! exact value: their encoders escape what needs escaping.

use std::borrow::Cow;

/// A character a terminal would act on or hide, rather than show.
pub fn is_hostile(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206f}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
        )
}

/// `text` with every hostile character written as a visible escape: `\n`,
/// `\r`, `\x1b` (C0, DEL and C1), `\u{202e}` (formatting characters); a tab
/// becomes a space.
/// Borrowed when there is nothing to escape, which is almost always.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_hostile) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            // A tab hides nothing (`/proc/PID/status` separates fields with them): a space.
            '\t' => out.push(' '),
            c if is_hostile(c) && (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if is_hostile(c) => out.push_str(&format!("\\u{{{:04x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// [`visible`] applied to each line of a block vigie built from outside
/// values and its own plain text (no styling of its own), keeping the line
/// breaks vigie wrote.
pub fn lines(block: &str) -> String {
    if !block.chars().any(|c| c != '\n' && is_hostile(c)) {
        return block.to_string();
    }
    let mut out = String::with_capacity(block.len() + 16);
    for (i, line) in block.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&visible(line));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_shown_not_interpreted() {
        assert_eq!(visible("plain /mnt path"), "plain /mnt path");
        assert!(matches!(visible("plain"), Cow::Borrowed(_)));
        assert_eq!(visible("/mnt\x1b[2J\x1b[H"), "/mnt\\x1b[2J\\x1b[H");
        assert_eq!(visible("a\u{202e}cod.exe"), "a\\u{202e}cod.exe");
        assert_eq!(visible("x\u{9b}31m"), "x\\x9b31m");
        assert_eq!(visible("osc\x1b]0;title\x07"), "osc\\x1b]0;title\\x07");
        assert_eq!(visible("two\nlines\ttab\r"), "two\\nlines tab\\r");
        assert_eq!(visible("zero\u{200b}width\u{feff}"), "zero\\u{200b}width\\u{feff}");
        assert_eq!(visible("é ünïcode ✓ 中文"), "é ünïcode ✓ 中文");
        assert_eq!(lines("a\x1b[31m\nb\n"), "a\\x1b[31m\nb\n");
        assert_eq!(lines("plain\ntext\n"), "plain\ntext\n");
    }

    proptest::proptest! {
        #[test]
        fn output_never_holds_a_hostile_character(s in "\\PC*|[\\x00-\\x20\\x7f-\\u{a0}\\u{2000}-\\u{2070}]{0,40}") {
            proptest::prop_assert!(!visible(&s).chars().any(is_hostile));
        }
    }
}
