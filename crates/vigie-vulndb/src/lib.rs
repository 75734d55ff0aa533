//! vigie's local vulnerability database. Pipeline place: after the
//! cataloguers (packages found in an image, a directory or a lockfile),
//! before policy and printing. It imports open data (OSV records, Alpine
//! secdb), stores it in one SQLite file, updates it over HTTP with an atomic
//! swap, and matches packages against it. It returns plain data and prints
//! nothing.

pub mod diff;
pub mod head;
pub mod import;
pub mod index;
pub mod matcher;
pub mod osv;
pub mod policy;
pub mod report;
pub mod secdb;
pub mod severity;
pub mod store;
pub mod update;

pub use matcher::{FixStatus, MatchReport, PackageQuery, QueryKey, VulnMatch, match_packages};
pub use severity::{Rated, Severity};
pub use store::{Database, ImportSummary, SourceInfo, Status, Validators, WriteOptions, Writer, default_path};

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot access {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("database {path}: {message}")]
    Sqlite { path: PathBuf, message: String },
    #[error("no vulnerability database at {0} (run `vigie db update` or `vigie db import FILE`)")]
    Missing(PathBuf),
    #[error(
        "database {path} has schema version {found}, this vigie reads version {expected} (run `vigie db update` or `vigie db import` to rebuild it)"
    )]
    Schema { path: PathBuf, found: i64, expected: i64 },
    #[error(
        "database {path} is corrupt: {message} (rebuild it: `vigie db update --force`, or `vigie db import --fresh FILE…`)"
    )]
    Corrupt { path: PathBuf, message: String },
    #[error("{location}: {message}")]
    Source { location: String, message: String },
    #[error("download of {url} failed: {message}")]
    Download { url: String, message: String },
}

impl Error {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Error {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    pub(crate) fn sqlite(path: &Path, e: rusqlite::Error) -> Error {
        match e {
            rusqlite::Error::SqliteFailure(code, _) if code.code == rusqlite::ErrorCode::NotADatabase => {
                Error::Corrupt {
                    path: path.to_path_buf(),
                    message: "not a database file".to_string(),
                }
            }
            other => Error::Sqlite {
                path: path.to_path_buf(),
                message: other.to_string(),
            },
        }
    }
}

/// Import files into the database at `db_path` in one atomic write. Sources
/// are streamed into the new file batch by batch, so memory stays bounded
/// whatever the size of the inputs.
pub fn import_paths(db_path: &Path, paths: &[PathBuf], options: &WriteOptions) -> Result<Vec<ImportSummary>, Error> {
    let mut writer = Writer::begin(db_path, options)?;
    for path in paths {
        if let Err(e) = import::stream_path(path, &mut writer) {
            writer.abort();
            return Err(e);
        }
    }
    writer.publish()
}
