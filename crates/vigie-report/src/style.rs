//! Terminal colour, only when asked (the binary decides from the TTY and
//! `NO_COLOR`).

use vigie_rules::Severity;

#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    pub color: bool,
}

impl Style {
    pub fn severity(&self, severity: Severity) -> String {
        let label = severity.as_str().to_ascii_uppercase();
        if !self.color {
            return label;
        }
        let code = match severity {
            Severity::Critical => "1;31",
            Severity::High => "31",
            Severity::Medium => "33",
            Severity::Low => "36",
            Severity::Info | Severity::Unknown => "2",
        };
        format!("\x1b[{code}m{label}\x1b[0m")
    }

    pub fn bold(&self, text: &str) -> String {
        if self.color {
            format!("\x1b[1m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}
