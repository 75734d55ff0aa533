//! `vigie db update`: download the configured sources over HTTP (ureq,
//! blocking) with conditional requests, timeouts and retries with backoff,
//! then import them into a private copy of the database that is renamed over
//! the published one only when complete. Downloads are held in memory (the
//! sources are tens of MB), so a kill at any point leaves the previous
//! database as it was.

use crate::Error;
use crate::import;
use crate::store::{Validators, WriteOptions, Writer};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;
use std::time::Duration;

/// Largest download accepted for one source.
pub const MAX_DOWNLOAD_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// OSV ecosystems downloaded by default: those vigie catalogues and matches.
/// Red Hat is left out: its records are keyed by product CPE, which vigie
/// cannot derive from an image yet (see `OsInfo::no_advisory_reason`).
pub const DEFAULT_ECOSYSTEMS: [&str; 16] = [
    "Debian",
    "Ubuntu",
    "Alpine",
    "AlmaLinux",
    "Rocky Linux",
    "SUSE",
    "openSUSE",
    "Wolfi",
    "Chainguard",
    "Azure Linux",
    "Photon OS",
    "PyPI",
    "crates.io",
    "npm",
    "Go",
    "Maven",
];
/// Alpine releases whose secdb is downloaded by default.
pub const DEFAULT_ALPINE_RELEASES: [&str; 6] = ["v3.17", "v3.18", "v3.19", "v3.20", "v3.21", "edge"];
pub const DEFAULT_OSV_BASE: &str = "https://osv-vulnerabilities.storage.googleapis.com";
pub const DEFAULT_SECDB_BASE: &str = "https://secdb.alpinelinux.org";

/// The URLs to download: OSV `<base>/<Ecosystem>/all.zip` and secdb
/// `<base>/<release>/{main,community}.json`.
pub fn default_urls(osv_base: &str, ecosystems: &[String], secdb_base: &str, releases: &[String]) -> Vec<String> {
    let mut urls = Vec::new();
    for ecosystem in ecosystems {
        // `Rocky Linux/all.zip`: a space is not allowed in a URL path.
        urls.push(format!(
            "{}/{}/all.zip",
            osv_base.trim_end_matches('/'),
            ecosystem.replace('%', "%25").replace(' ', "%20")
        ));
    }
    for release in releases {
        for repository in ["main", "community"] {
            urls.push(format!(
                "{}/{}/{}.json",
                secdb_base.trim_end_matches('/'),
                release,
                repository
            ));
        }
    }
    urls
}

#[derive(Debug, Clone)]
pub struct UpdateOptions {
    pub timeout: Duration,
    /// Extra attempts after the first one.
    pub retries: u32,
    /// Wait before the first retry; doubled each time.
    pub backoff: Duration,
    /// Ignore stored ETag/Last-Modified and download everything.
    pub force: bool,
    /// A source that sends nothing for this long (no headers, or a body that
    /// stalls) fails then, and is retried at most once.
    pub stall: Duration,
    /// Called once when another writer holds the database lock (the update waits for it).
    pub on_lock_wait: Option<fn(&Path)>,
}

impl Default for UpdateOptions {
    fn default() -> Self {
        UpdateOptions {
            timeout: Duration::from_secs(300),
            retries: 3,
            backoff: Duration::from_millis(500),
            force: false,
            stall: Duration::from_secs(30),
            on_lock_wait: None,
        }
    }
}

/// What happens during an update, for a progress display.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    Downloading {
        url: String,
        received: u64,
        total: Option<u64>,
    },
    Retrying {
        url: String,
        attempt: u32,
        error: String,
        wait: Duration,
    },
    NotModified {
        url: String,
    },
    Importing {
        url: String,
        source: String,
        records: usize,
    },
    Failed {
        url: String,
        error: String,
    },
}

pub use vigie_snapshot::db::{SourceOutcome, UpdateReport};

/// The file name a URL's content is read as: `…/Debian/all.zip` keeps its
/// folder so the source is called `osv:Debian`, as a local import would.
fn pseudo_path(url: &str) -> std::path::PathBuf {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let parts: Vec<&str> = path.rsplitn(3, '/').collect();
    match parts.as_slice() {
        // The folder is the ecosystem, named as OSV names it (`Rocky%20Linux` → `Rocky Linux`).
        [file, dir, ..] => Path::new(&dir.replace("%20", " ").replace("%25", "%")).join(file),
        [file] => Path::new(file).to_path_buf(),
        _ => Path::new("download").to_path_buf(),
    }
}

/// The source name a URL will produce, before it is downloaded (`None` when
/// only the content tells, as for secdb JSON).
fn source_name_hint(url: &str) -> Option<String> {
    let path = pseudo_path(url);
    let file = path.file_name()?.to_string_lossy().into_owned();
    let stem = file.strip_suffix(".zip")?;
    if stem == "all" {
        Some(format!("osv:{}", path.parent()?.file_name()?.to_string_lossy()))
    } else {
        Some(format!("osv:{stem}"))
    }
}

/// Remembered validators are keyed by URL in the `sources.location` column.
fn validators_for(writer: &Writer, url: &str) -> Result<Validators, Error> {
    match source_name_hint(url) {
        Some(name) => writer.validators(&name),
        None => Ok(Validators::default()),
    }
}

enum Fetched {
    /// The body, in an anonymous temporary file (never in memory: a source can be 2 GiB).
    Body {
        file: std::fs::File,
        bytes: u64,
        sha256: String,
        validators: Validators,
    },
    NotModified,
}

fn fetch_once(
    agent: &ureq::Agent,
    url: &str,
    validators: &Validators,
    progress: &mut dyn FnMut(Progress),
) -> Result<Fetched, (bool, String)> {
    let mut request = agent.get(url);
    if let Some(etag) = &validators.etag {
        request = request.header("If-None-Match", etag);
    }
    if let Some(modified) = &validators.last_modified {
        request = request.header("If-Modified-Since", modified);
    }
    // A redirect loop is the server's answer, not a transient failure: not retried.
    let mut response = request
        .call()
        .map_err(|e| (!matches!(e, ureq::Error::TooManyRedirects), e.to_string()))?;
    let status = response.status().as_u16();
    if status == 304 {
        return Ok(Fetched::NotModified);
    }
    if status != 200 {
        let retry = status >= 500 || status == 429 || status == 408;
        return Err((retry, format!("http status {status}")));
    }
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let got = Validators {
        etag: header("etag"),
        last_modified: header("last-modified"),
    };
    let total: Option<u64> = header("content-length").and_then(|v| v.parse().ok());
    if total.is_some_and(|t| t > MAX_DOWNLOAD_BYTES) {
        return Err((false, format!("{} bytes announced, over the limit", total.unwrap_or(0))));
    }
    let mut reader = response.body_mut().with_config().limit(MAX_DOWNLOAD_BYTES).reader();
    // Streamed to an anonymous file (O_TMPFILE: no name another user could plant), hashed on the way.
    let mut file = tempfile::tempfile().map_err(|e| (false, format!("cannot create a temporary file: {e}")))?;
    let mut hasher = Sha256::new();
    let mut received = 0u64;
    let mut chunk = vec![0u8; 256 * 1024];
    let mut last_report = 0u64;
    loop {
        let n = reader.read(&mut chunk).map_err(|e| {
            // Over the size limit: refused, not retried (a retry would fetch 2 GiB again).
            if e.to_string().contains("larger than request limit")
                || received.saturating_add(chunk.len() as u64) > MAX_DOWNLOAD_BYTES
            {
                (false, format!("more than {MAX_DOWNLOAD_BYTES} bytes: refused"))
            } else {
                (true, format!("transfer: {e}"))
            }
        })?;
        if n == 0 {
            break;
        }
        std::io::Write::write_all(&mut file, &chunk[..n])
            .map_err(|e| (false, format!("cannot write the download to a temporary file: {e}")))?;
        hasher.update(&chunk[..n]);
        received += n as u64;
        if received - last_report >= 1024 * 1024 {
            last_report = received;
            progress(Progress::Downloading {
                url: url.to_string(),
                received,
                total,
            });
        }
    }
    if let Some(total) = total
        && received != total
    {
        return Err((true, format!("truncated: {received} of {total} bytes")));
    }
    progress(Progress::Downloading {
        url: url.to_string(),
        received,
        total,
    });
    Ok(Fetched::Body {
        file,
        bytes: received,
        sha256: hex::encode(hasher.finalize()),
        validators: got,
    })
}

/// A source that failed: said on the progress channel and kept in the report
/// (the source keeps its previous data).
fn fail(report: &mut UpdateReport, progress: &mut dyn FnMut(Progress), url: &str, error: String) {
    progress(Progress::Failed {
        url: url.to_string(),
        error: error.clone(),
    });
    report.outcomes.push(SourceOutcome::Failed {
        url: url.to_string(),
        error,
    });
}

fn fetch(
    agent: &ureq::Agent,
    url: &str,
    validators: &Validators,
    options: &UpdateOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Fetched, String> {
    let mut attempt = 0;
    loop {
        match fetch_once(agent, url, validators, progress) {
            Ok(fetched) => return Ok(fetched),
            Err((retry, error)) => {
                // A source that stalls is tried twice at most, not with every retry.
                let lower = error.to_ascii_lowercase();
                let stalled = lower.contains("timeout") || lower.contains("timed out");
                if !retry || attempt >= options.retries || (stalled && attempt >= 1) {
                    let tries = attempt + 1;
                    return Err(format!(
                        "{error} (after {tries} attempt{})",
                        if tries == 1 { "" } else { "s" }
                    ));
                }
                let wait = options.backoff.saturating_mul(1 << attempt.min(10));
                attempt += 1;
                progress(Progress::Retrying {
                    url: url.to_string(),
                    attempt,
                    error,
                    wait,
                });
                std::thread::sleep(wait);
            }
        }
    }
}

/// Download every URL and publish the result atomically. A source that
/// fails keeps its previous data; the report says which failed.
pub fn update(
    db_path: &Path,
    urls: &[String],
    options: &UpdateOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<UpdateReport, Error> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(options.timeout))
        .timeout_connect(Some(options.timeout.min(Duration::from_secs(30))))
        .timeout_per_read(Some(options.stall.min(options.timeout)))
        .user_agent(concat!("vigie/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let mut writer = Writer::begin(
        db_path,
        &WriteOptions {
            on_lock_wait: options.on_lock_wait,
            ..WriteOptions::default()
        },
    )?;
    let mut report = UpdateReport::default();
    for given in urls {
        // `URL#sha256=HEX` pins the download: another file is refused (and the source's
        // previous data kept), as pip's hash-checking mode does.
        let (url, pinned) = match given.split_once("#sha256=") {
            Some((u, hex)) => (&u.to_string(), Some(hex.trim().to_ascii_lowercase())),
            None => (given, None),
        };
        let validators = if options.force || pinned.is_some() {
            Validators::default()
        } else {
            validators_for(&writer, url)?
        };
        match fetch(&agent, url, &validators, options, progress) {
            Ok(Fetched::NotModified) => {
                let source = source_name_hint(url).unwrap_or_else(|| url.clone());
                writer.touch_source(&source)?;
                progress(Progress::NotModified { url: url.clone() });
                report.outcomes.push(SourceOutcome::NotModified {
                    url: url.clone(),
                    source,
                });
            }
            Ok(Fetched::Body {
                mut file,
                bytes,
                sha256,
                validators,
            }) => {
                if let Some(want) = &pinned
                    && *want != sha256
                {
                    let error = format!("sha256 mismatch: the download is {sha256}, the source pins {want}");
                    fail(&mut report, progress, url, error);
                    continue;
                }
                let mut data = match import::read_file(&pseudo_path(url), &mut file, &sha256) {
                    Ok(data) => data,
                    Err(e) => {
                        let error = e.to_string();
                        fail(&mut report, progress, url, error);
                        continue;
                    }
                };
                data.location = url.clone();
                progress(Progress::Importing {
                    url: url.clone(),
                    source: data.name.clone(),
                    records: data.records.len(),
                });
                let summary = match writer.put_source(&data, &validators) {
                    Ok(summary) => summary,
                    Err(e) => {
                        writer.abort();
                        return Err(e);
                    }
                };
                report.outcomes.push(SourceOutcome::Updated {
                    url: url.clone(),
                    summary,
                    sha256,
                    bytes,
                });
            }
            Err(error) => {
                fail(&mut report, progress, url, error);
            }
        }
    }
    // Every source failed: the database is left as it was (not re-stamped "updated now",
    // and not created when there was none), so nothing looks fresh that is not.
    let any_ok = report
        .outcomes
        .iter()
        .any(|o| !matches!(o, SourceOutcome::Failed { .. }));
    if !any_ok {
        // Why, for `db status` (beside an existing database only: no file is created).
        if db_path.exists() {
            record_attempts(db_path, &report)?;
        }
        writer.abort();
        return Ok(report);
    }
    // Written while the writer lock is held, before the database is replaced.
    record_attempts(db_path, &report)?;
    writer.publish()?;
    Ok(report)
}

/// Each location's last success and last error, kept beside the database.
fn record_attempts(db_path: &Path, report: &UpdateReport) -> Result<(), Error> {
    let mut attempts = crate::store::read_update_attempts(db_path);
    let now = crate::store::now_unix();
    for outcome in &report.outcomes {
        match outcome {
            SourceOutcome::Updated { url, .. } | SourceOutcome::NotModified { url, .. } => {
                attempts.entry(url.clone()).or_default().last_success = Some(now);
            }
            SourceOutcome::Failed { url, error } => {
                let entry = attempts.entry(url.clone()).or_default();
                entry.last_error_at = Some(now);
                // Bounded: a server's error text is not kept whole.
                entry.last_error = Some(error.chars().take(500).collect());
            }
        }
    }
    crate::store::write_update_attempts(db_path, &attempts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_sources() {
        assert_eq!(
            source_name_hint("http://x/Debian/all.zip").as_deref(),
            Some("osv:Debian")
        );
        assert_eq!(
            source_name_hint("http://x/osv/PyPI.zip?x=1").as_deref(),
            Some("osv:PyPI")
        );
        assert_eq!(source_name_hint("http://x/v3.10/main.json"), None);
        // Names with a space travel encoded and come back as OSV spells them.
        let rocky = default_urls("http://o", &["Rocky Linux".to_string()], "http://s", &[]);
        assert_eq!(rocky, ["http://o/Rocky%20Linux/all.zip"]);
        assert_eq!(source_name_hint(&rocky[0]).as_deref(), Some("osv:Rocky Linux"));
        let urls = default_urls("http://o/", &["PyPI".to_string()], "http://s", &["v3.10".to_string()]);
        assert_eq!(
            urls,
            [
                "http://o/PyPI/all.zip",
                "http://s/v3.10/main.json",
                "http://s/v3.10/community.json"
            ]
        );
    }
}
