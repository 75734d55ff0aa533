//! The one secret detector: names that usually hold a credential, values
//! that are one whatever their name, and files that usually contain one.
//! Used by container audit (env names), image checks (ENV, labels, files)
//! and Dockerfile lint (ARG/ENV, COPY/ADD sources), so the three agree on
//! the same input.

/// Name suffixes that mean "a path to a secret", the recommended pattern.
const NOT_A_SECRET_SUFFIXES: &[&str] = &["_FILE", "_PATH", "_DIR", "_URL_FILE"];

const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "SECRET",
    "TOKEN",
    "APIKEY",
    "API_KEY",
    "PRIVATE_KEY",
    "ACCESS_KEY",
    "SECRET_KEY",
    "CREDENTIAL",
    "AUTH_KEY",
    "CLIENT_SECRET",
];

/// An environment variable, build argument or label name that usually holds
/// a credential (`DB_PASSWORD`, `GITHUB_TOKEN`, `MYSQL_PWD`). `…_FILE`,
/// `…_PATH` and `…_DIR` name a place, not a secret.
pub fn is_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    if NOT_A_SECRET_SUFFIXES.iter().any(|s| upper.ends_with(s)) {
        return false;
    }
    if SECRET_WORDS.iter().any(|w| upper.contains(w)) {
        return true;
    }
    upper
        .split(['_', '-', '.'])
        .any(|part| part == "PASS" || part == "PWD" || part == "KEY" && upper.contains("SSH"))
}

/// What kind of credential a value is, whatever its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecretKind {
    PrivateKey,
    AwsAccessKeyId,
    GitHubToken,
    GitLabToken,
    SlackToken,
    GoogleApiKey,
    StripeSecretKey,
    NpmToken,
    ApiSecretKey,
    UrlWithPassword,
}

impl SecretKind {
    /// `GitHub token`
    pub fn label(self) -> &'static str {
        match self {
            SecretKind::PrivateKey => "private key",
            SecretKind::AwsAccessKeyId => "AWS access key id",
            SecretKind::GitHubToken => "GitHub token",
            SecretKind::GitLabToken => "GitLab token",
            SecretKind::SlackToken => "Slack token",
            SecretKind::GoogleApiKey => "Google API key",
            SecretKind::StripeSecretKey => "Stripe secret key",
            SecretKind::NpmToken => "npm token",
            SecretKind::ApiSecretKey => "API secret key",
            SecretKind::UrlWithPassword => "URL with a password",
        }
    }

    /// `a GitHub token`, for sentences.
    pub fn with_article(self) -> &'static str {
        match self {
            SecretKind::PrivateKey => "a private key",
            SecretKind::AwsAccessKeyId => "an AWS access key id",
            SecretKind::GitHubToken => "a GitHub token",
            SecretKind::GitLabToken => "a GitLab token",
            SecretKind::SlackToken => "a Slack token",
            SecretKind::GoogleApiKey => "a Google API key",
            SecretKind::StripeSecretKey => "a Stripe secret key",
            SecretKind::NpmToken => "an npm token",
            SecretKind::ApiSecretKey => "an API secret key",
            SecretKind::UrlWithPassword => "a URL with a password",
        }
    }
}

/// A value that is a credential by its shape: a private key block, a cloud
/// or forge token with its documented prefix, a password inside a URL.
pub fn secret_value_kind(value: &str) -> Option<SecretKind> {
    let v = value.trim();
    let word = |s: &str| s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let alnum = |s: &str, n: usize| s.len() >= n && s.chars().take(n).all(|c| c.is_ascii_alphanumeric());
    if v.contains("PRIVATE KEY-----") {
        return Some(SecretKind::PrivateKey);
    }
    for prefix in ["AKIA", "ASIA"] {
        if let Some(rest) = v.strip_prefix(prefix)
            && rest.len() == 16
            && rest.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        {
            return Some(SecretKind::AwsAccessKeyId);
        }
    }
    for prefix in ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"] {
        if v.strip_prefix(prefix).is_some_and(|r| r.len() >= 30 && word(r)) {
            return Some(SecretKind::GitHubToken);
        }
    }
    if v.strip_prefix("github_pat_").is_some_and(|r| r.len() >= 22 && word(r)) {
        return Some(SecretKind::GitHubToken);
    }
    if v.strip_prefix("glpat-").is_some_and(|r| r.len() >= 20) {
        return Some(SecretKind::GitLabToken);
    }
    if ["xoxb-", "xoxp-", "xoxa-", "xoxr-"].iter().any(|p| v.starts_with(p)) && v.len() > 20 {
        return Some(SecretKind::SlackToken);
    }
    if v.strip_prefix("AIza").is_some_and(|r| r.len() == 35) {
        return Some(SecretKind::GoogleApiKey);
    }
    if (v.starts_with("sk_live_") || v.starts_with("rk_live_")) && v.len() > 20 {
        return Some(SecretKind::StripeSecretKey);
    }
    if v.strip_prefix("npm_").is_some_and(|r| alnum(r, 36)) {
        return Some(SecretKind::NpmToken);
    }
    if v.strip_prefix("sk-").is_some_and(|r| r.len() >= 40 && !r.contains(' ')) {
        return Some(SecretKind::ApiSecretKey);
    }
    if let Some((_, after)) = v.split_once("://")
        && let Some((cred, _)) = after.split_once('@')
        && let Some((_, pw)) = cred.split_once(':')
        && !pw.is_empty()
        && !pw.starts_with('$')
    {
        return Some(SecretKind::UrlWithPassword);
    }
    None
}

/// A name/value pair holds a secret: a credential-shaped value, or a
/// secret-looking name with a literal value (not a path, not a `$VAR`
/// reference, at least 4 characters).
pub fn secret_in_pair(name: &str, value: &str) -> Option<String> {
    if value.is_empty() {
        return None;
    }
    if let Some(kind) = secret_value_kind(value) {
        return Some(kind.label().to_string());
    }
    if is_secret_name(name) && value.len() >= 4 && !value.starts_with('/') && !value.starts_with('$') {
        return Some("secret-looking name".to_string());
    }
    None
}

/// What a file usually holds when its path looks like a secret's, if it does.
pub fn secret_file_kind(path: &str) -> Option<&'static str> {
    let path = path.trim_end_matches('/');
    let base = path.rsplit('/').next().unwrap_or(path);
    let lower = base.to_ascii_lowercase();
    if path.split('/').any(|c| c == ".ssh") {
        return Some("SSH keys and configuration");
    }
    if matches!(lower.as_str(), "id_rsa" | "id_dsa" | "id_ecdsa" | "id_ed25519")
        || (lower.starts_with("ssh_host_") && lower.ends_with("_key"))
    {
        return Some("an SSH private key");
    }
    if lower == ".env"
        || (lower.ends_with(".env") && lower.len() > 4)
        || (lower.starts_with(".env.")
            && !matches!(
                lower.as_str(),
                ".env.example" | ".env.sample" | ".env.template" | ".env.dist"
            ))
    {
        return Some("an environment file, usually full of secrets");
    }
    if lower.ends_with(".pem") || lower.ends_with(".key") || lower.ends_with(".p12") || lower.ends_with(".pfx") {
        return Some("a private key or certificate bundle");
    }
    if matches!(
        lower.as_str(),
        ".netrc" | ".npmrc" | ".pypirc" | ".pgpass" | ".git-credentials" | ".dockercfg"
    ) {
        return Some("a credentials file");
    }
    if path.ends_with(".aws/credentials")
        || path.ends_with(".aws")
        || path.ends_with(".docker/config.json")
        || path.ends_with(".kube/config")
    {
        return Some("a credentials file");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for yes in [
            "DB_PASSWORD",
            "github_token",
            "MYSQL_PWD",
            "SMTP_PASS",
            "AWS_SECRET_ACCESS_KEY",
            "SSH_KEY",
            "client_secret",
        ] {
            assert!(is_secret_name(yes), "{yes}");
        }
        for no in [
            "PASSWORD_FILE",
            "TOKEN_PATH",
            "SECRET_DIR",
            "PATH",
            "HOME",
            "KEYBOARD",
            "PASSAGE",
            "USERNAME",
        ] {
            assert!(!is_secret_name(no), "{no}");
        }
    }

    #[test]
    fn values() {
        let cases = [
            ("AKIAIOSFODNN7EXAMPLE", Some(SecretKind::AwsAccessKeyId)),
            (
                "ghp_0123456789abcdefghijABCDEFGHIJ012345",
                Some(SecretKind::GitHubToken),
            ),
            ("xoxb-123456789012-1234567890123-abcdef", Some(SecretKind::SlackToken)),
            ("-----BEGIN RSA PRIVATE KEY-----\nMII", Some(SecretKind::PrivateKey)),
            ("postgres://app:hunter2@db/app", Some(SecretKind::UrlWithPassword)),
            ("postgres://app:$PASSWORD@db/app", None),
            ("https://example.org/path", None),
            ("hunter2", None),
        ];
        for (value, kind) in cases {
            assert_eq!(secret_value_kind(value), kind, "{value}");
        }
        assert_eq!(
            secret_in_pair("API_TOKEN", "abcd1234").as_deref(),
            Some("secret-looking name")
        );
        assert_eq!(secret_in_pair("API_TOKEN", "$API_TOKEN"), None);
        assert_eq!(secret_in_pair("TOKEN_FILE", "/run/secrets/t"), None);
    }

    #[test]
    fn files() {
        assert!(secret_file_kind("/root/.ssh/id_rsa").is_some());
        assert!(secret_file_kind("/etc/ssh/ssh_host_ed25519_key").is_some());
        assert!(secret_file_kind("app/.env").is_some());
        assert!(secret_file_kind("app/prod.env").is_some());
        assert!(secret_file_kind(".env.example").is_none());
        assert!(secret_file_kind("/root/.kube/config").is_some());
        assert!(secret_file_kind("/etc/ssl/private/server.key").is_some());
        assert!(secret_file_kind("/usr/bin/env").is_none());
        assert!(secret_file_kind("src/main.rs").is_none());
    }
}

/// `vigie lint` and `vigie audit image` read the same ENV line the same way:
/// a Dockerfile `ENV NAME=value` is flagged exactly when the image built from
/// it (whose config carries `NAME=value`) is.
#[cfg(test)]
mod agreement {
    use vigie_snapshot::filesystem::FileSystemView;
    use vigie_snapshot::image::{ImageConfig, ImageSubject, SourceKind};

    fn lint_flags(name: &str, value: &str) -> bool {
        let text = format!("FROM scratch\nENV {name}={value}\n");
        crate::dockerfile::lint(&text, "Dockerfile", &crate::dockerfile::Config::default())
            .iter()
            .any(|f| matches!(f.finding.rule_id.as_ref(), "DL3064" | "VGI-DF-002") && f.finding.message.contains(name))
    }

    fn image_flags(name: &str, value: &str) -> bool {
        let mut config = ImageConfig::default();
        config.config.env = vec![format!("{name}={value}")];
        let subject = ImageSubject {
            name: "img".into(),
            reference: "img",
            kind: SourceKind::DockerArchive,
            config: &config,
        };
        crate::image::check_image(&subject, &FileSystemView::new(Vec::new()))
            .iter()
            .any(|f| f.rule_id == "VGI-IMG-003")
    }

    #[test]
    fn lint_and_image_checks_agree_on_the_same_values() {
        let cases = [
            ("DB_PASSWORD", "hunter2-prod"),
            ("MYSQL_PWD", "s3cret-value"),
            ("SMTP_PASS", "mailpass1"),
            ("API_TOKEN", "abcd1234efgh"),
            ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
            ("URL", "postgres://app:hunter2@db/app"),
            ("GH", "ghp_0123456789abcdefghijABCDEFGHIJ012345"),
            // The three detectors disagreed on these before there was one.
            ("SSH_PASSPHRASE", "correct-horse"),
            ("KEY_ID", "ASIAIOSFODNN7EXAMPLE"),
            ("CI", "glpat-abcdefghijklmnopqrst"),
            ("PATH", "/usr/local/bin:/usr/bin"),
            ("PASSWORD_FILE", "/run/secrets/db"),
            ("HOME", "/root"),
        ];
        for (name, value) in cases {
            assert_eq!(lint_flags(name, value), image_flags(name, value), "{name}={value}");
        }
        assert!(lint_flags("DB_PASSWORD", "hunter2-prod") && !lint_flags("HOME", "/root"));
    }
}
