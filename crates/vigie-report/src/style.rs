//! Terminal colour, only when asked (the binary decides from the TTY and
//! `NO_COLOR`).

use vigie_rules::Severity;

#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    pub color: bool,
}

impl Style {
    /// The severity label padded to `width` columns; the padding is outside
    /// the colour codes, so a coloured column lines up as a plain one does
    /// (`{:<8}` on an already coloured string counts the escape bytes).
    pub fn severity(&self, severity: Severity, width: usize) -> String {
        let label = severity.as_str().to_ascii_uppercase();
        let pad = " ".repeat(width.saturating_sub(label.len()));
        if !self.color {
            return format!("{label}{pad}");
        }
        let code = match severity {
            Severity::Critical => "1;31",
            Severity::High => "31",
            Severity::Medium => "33",
            Severity::Low => "36",
            Severity::Info | Severity::Unknown => "2",
        };
        format!("\x1b[{code}m{label}\x1b[0m{pad}")
    }

    pub fn bold(&self, text: &str) -> String {
        if self.color {
            format!("\x1b[1m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coloured_labels_keep_their_column() {
        for severity in [Severity::Critical, Severity::High, Severity::Low, Severity::Info] {
            let plain = Style { color: false }.severity(severity, 8);
            let coloured = Style { color: true }.severity(severity, 8);
            assert_eq!(plain.len(), 8);
            let stripped = coloured.replace("\x1b[0m", "");
            let stripped = stripped.split_once('m').map(|(_, rest)| rest).unwrap_or_default();
            assert_eq!(stripped, plain, "{coloured:?}");
        }
    }
}
