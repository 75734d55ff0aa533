//! Secret detection for the image checks: file names, environment and label
//! values, file contents; and redaction for evidence. Moved as is from
//! vigie-image (vigie has other detectors; they are to be unified).

pub(crate) fn is_secret_file_name(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    matches!(
        name,
        "id_rsa"
            | "id_dsa"
            | "id_ecdsa"
            | "id_ed25519"
            | ".env"
            | ".git-credentials"
            | ".netrc"
            | ".pgpass"
            | ".pypirc"
            | ".npmrc"
    ) || name.ends_with(".pem")
        || name.ends_with(".key")
        || name.ends_with(".env")
        || (name.starts_with("ssh_host_") && name.ends_with("_key"))
        || path.ends_with("/.aws/credentials")
        || path.ends_with("/.docker/config.json")
        || path.ends_with("/.kube/config")
}

/// Show a secret without disclosing it: its first 4 characters and its length.
pub fn redact(value: &str) -> String {
    let head: String = value.chars().take(4).collect();
    format!("{head}… ({} chars, redacted)", value.chars().count())
}

const SECRET_NAME_PARTS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "ACCESS_KEY",
    "PRIVATE_KEY",
    "CREDENTIAL",
];

/// A value that looks like a credential whatever its name.
pub fn secret_value_kind(value: &str) -> Option<&'static str> {
    let v = value.trim();
    let token = |prefix: &str, min: usize| {
        v.strip_prefix(prefix)
            .is_some_and(|rest| rest.len() >= min && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
    };
    if v.len() == 20 && v.starts_with("AKIA") && v[4..].chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) {
        Some("AWS access key id")
    } else if token("ghp_", 30) || token("gho_", 30) || token("github_pat_", 30) {
        Some("GitHub token")
    } else if token("sk_live_", 16) || token("rk_live_", 16) {
        Some("Stripe secret key")
    } else if token("xoxb-", 10) || token("xoxp-", 10) {
        Some("Slack token")
    } else if v.contains("PRIVATE KEY-----") {
        Some("private key")
    } else if let Some(rest) = v.split_once("://").map(|(_, r)| r)
        && let Some((userinfo, _)) = rest.split_once('@')
        && userinfo.contains(':')
    {
        Some("URL with a password")
    } else {
        None
    }
}

pub(crate) fn secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    !upper.ends_with("_FILE") && !upper.ends_with("_PATH") && SECRET_NAME_PARTS.iter().any(|p| upper.contains(p))
}

pub(crate) fn secret_in_pair(name: &str, value: &str) -> Option<String> {
    if value.is_empty() {
        return None;
    }
    if let Some(kind) = secret_value_kind(value) {
        return Some(kind.to_string());
    }
    if secret_name(name) && value.len() >= 4 && !value.starts_with('/') && !value.starts_with('$') {
        return Some("secret-looking name".to_string());
    }
    None
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
