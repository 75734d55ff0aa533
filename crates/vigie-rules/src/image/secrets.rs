//! Secrets in an image: environment and label values, file contents, and
//! redaction for evidence. Names, values and file names are judged by the
//! one detector, `crate::secrets`, shared with container audit and lint.

pub(crate) use crate::secrets::secret_in_pair;

/// The file's path looks like a secret's: its content is read and checked.
pub(crate) fn is_secret_file_name(path: &str) -> bool {
    crate::secrets::secret_file_kind(path).is_some()
}

/// A value that looks like a credential whatever its name.
pub fn secret_value_kind(value: &str) -> Option<&'static str> {
    crate::secrets::secret_value_kind(value).map(|k| k.label())
}

/// Show a secret without disclosing anything of it: no character of the
/// value, and its length only as a class (an exact length narrows a guess).
pub fn redact(value: &str) -> String {
    let n = value.chars().count();
    let class = match n {
        0 => "empty",
        1..=8 => "1-8 chars",
        9..=16 => "9-16 chars",
        17..=32 => "17-32 chars",
        33..=64 => "33-64 chars",
        _ => "over 64 chars",
    };
    format!("<redacted, {class}>")
}

/// What makes a file's content a secret, if anything.
pub(crate) fn secret_content(path: &str, content: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(content);
    if text.contains("PRIVATE KEY-----") {
        return Some("private key".to_string());
    }
    if text.contains("aws_secret_access_key") {
        return Some("AWS credentials".to_string());
    }
    let name = path.rsplit('/').next().unwrap_or_default();
    if name.ends_with(".env") || name == ".git-credentials" || name == ".netrc" || name == ".pgpass" {
        let secrets: Vec<String> = text
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .filter_map(|l| l.split_once('=').or_else(|| l.split_once(':')))
            .filter_map(|(k, v)| secret_in_pair(k.trim(), v.trim()).map(|_| k.trim().to_string()))
            .collect();
        if !secrets.is_empty() {
            return Some(format!("credentials ({})", secrets.join(", ")));
        }
    }
    if path.ends_with("/.docker/config.json") && text.contains("\"auth\"") {
        return Some("registry credentials".to_string());
    }
    None
}
