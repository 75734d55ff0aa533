//! The database file: one SQLite file, written only by building a complete
//! new file next to it and renaming it into place. Readers therefore never
//! see a half-written database, a killed import or update leaves the previous
//! file intact, and any number of scans can read while one writer (serialised
//! by an advisory lock on `<db>.lock`) prepares the next version.

use crate::Error;
use crate::head;
use crate::import::{RecordSink, SourceData, StoredRecord};
use crate::index::{self, EcosystemIndex, IndexBuilder};
use crate::matcher::HitHead;
use crate::osv::{self, Affected, Record};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// Bumped on every incompatible schema change; stored in `PRAGMA user_version`.
pub const SCHEMA_VERSION: i64 = 5;

const SCHEMA: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    location TEXT NOT NULL,
    sha256 TEXT,
    etag TEXT,
    last_modified TEXT,
    imported_at INTEGER NOT NULL,
    records INTEGER NOT NULL,
    skipped INTEGER NOT NULL,
    skipped_sample TEXT NOT NULL
);
CREATE TABLE records (
    rid INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    id TEXT NOT NULL,
    modified TEXT,
    withdrawn TEXT,
    body TEXT NOT NULL
);
-- What a finding shows of each record (matcher::HitHead with the record's
-- source, in the binary form of head.rs); copied into the index blocks of
-- the names the record affects when a database is published.
CREATE TABLE heads (
    rid INTEGER PRIMARY KEY,
    head BLOB NOT NULL
);
-- One row per affected entry, its ranges and versions in the compact form
-- of index.rs; clustered on the lookup key so the per-ecosystem index is
-- rebuilt by one ordered scan.
CREATE TABLE affected (
    ecosystem TEXT NOT NULL,
    name TEXT NOT NULL,
    rid INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    entry BLOB NOT NULL,
    PRIMARY KEY (ecosystem, name, rid, seq)
) WITHOUT ROWID;
-- Per ecosystem, the matcher's index (index.rs), rebuilt on every publish:
-- `lookup` (hash table and names) is loaded by a scan; the block of name
-- number i (its entries, pre-sorted, and its records' heads) is row
-- `first_block + i` of `blocks`, read only for the names a scan meets.
-- `lookup_crc` and `crc` are the CRC-32 of `lookup` and of each block,
-- checked whenever one is read: a damaged file is an error, never a scan
-- that silently finds less.
-- `records` and `newest` (the latest `modified` of them) say how much the
-- database knows of the ecosystem, for scan's coverage statement.
CREATE TABLE ecosystem_index (
    ecosystem TEXT PRIMARY KEY,
    names INTEGER NOT NULL,
    records INTEGER NOT NULL,
    newest TEXT,
    lookup BLOB NOT NULL,
    lookup_crc INTEGER NOT NULL,
    first_block INTEGER NOT NULL,
    blocks_len INTEGER NOT NULL
);
CREATE TABLE blocks (
    id INTEGER PRIMARY KEY,
    data BLOB NOT NULL,
    crc INTEGER NOT NULL
);
CREATE INDEX records_by_source ON records(source);
CREATE INDEX records_by_id ON records(id, source);
";

/// The texts of a record a report shows in full.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct RecordText {
    #[serde(default)]
    pub details: Option<String>,
    #[serde(default)]
    pub published: Option<String>,
}

/// What the database holds for one ecosystem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    /// Package names with at least one advisory.
    pub names: usize,
    /// Advisory records that name a package of the ecosystem.
    pub records: usize,
    /// The latest `modified` time among those records (RFC 3339).
    pub newest: Option<String>,
}

/// The default location: `$XDG_CACHE_HOME/vigie/vulndb.sqlite`.
pub fn default_path() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join("vigie").join("vulndb.sqlite"));
    }
    directories::BaseDirs::new().map(|d| d.cache_dir().join("vigie").join("vulndb.sqlite"))
}

pub fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

pub use vigie_snapshot::db::{SourceInfo, Status, UpdateAttempts};

/// A read-only handle on a published database file.
pub struct Database {
    conn: Connection,
    path: PathBuf,
    /// More read connections on the same file, for parallel matching.
    readers: Readers,
}

/// (device, inode) of a file, to tell the file a handle reads from one an
/// update has renamed over the same path since.
fn file_identity(path: &Path) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Extra read connections on the file a [`Database`] has open, opened on
/// first use, kept for the next match and closed with the database (closing
/// one unmaps what it read: milliseconds a match need not wait for).
pub struct Readers {
    path: PathBuf,
    identity: Option<(u64, u64)>,
    idle: std::sync::Mutex<Vec<Database>>,
}

impl Readers {
    /// An idle reader, or a new one on the same file. `Ok(None)` when the
    /// path now names another file (an update published meanwhile): the
    /// caller goes on with the connection it has.
    pub fn take(&self) -> Result<Option<Database>, Error> {
        if let Some(reader) = self.idle.lock().ok().and_then(|mut idle| idle.pop()) {
            return Ok(Some(reader));
        }
        let conn = connect(&self.path)?;
        if self.identity.is_none() || file_identity(&self.path) != self.identity {
            return Ok(None);
        }
        Ok(Some(Database {
            conn,
            path: self.path.clone(),
            readers: Readers::new(&self.path, None),
        }))
    }

    /// Give a reader back for later matches.
    pub fn put(&self, reader: Database) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(reader);
        }
    }

    fn new(path: &Path, identity: Option<(u64, u64)>) -> Readers {
        Readers {
            path: path.to_path_buf(),
            identity,
            idle: std::sync::Mutex::default(),
        }
    }
}

/// A read-only connection with the pragmas every reader uses.
fn connect(path: &Path) -> Result<Connection, Error> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| Error::sqlite(path, e))?;
    // Memory-mapped reads: index blocks are read straight from the file
    // pages, without a read(2) per page (the first scan after opening
    // measured 15-20 % faster on the generated 1.5 GB database). Safe
    // here: a published file is never modified or truncated in place,
    // updates rename a new file over it.
    let _ = conn.execute_batch("PRAGMA query_only = 1; PRAGMA cache_size = -32768; PRAGMA mmap_size = 2147418112;");
    Ok(conn)
}

/// One stored affected entry returned by a lookup.
#[derive(Debug, Clone)]
pub struct AffectedRow {
    pub rid: i64,
    pub affected: Affected,
}

impl Database {
    pub fn open(path: &Path) -> Result<Database, Error> {
        if !path.exists() {
            return Err(Error::Missing(path.to_path_buf()));
        }
        // The identity of the file the connection reads: unchanged across
        // the open (an update may rename a new file over the path anytime).
        let mut opened = None;
        for _ in 0..3 {
            let before = file_identity(path);
            let conn = connect(path)?;
            if file_identity(path) == before {
                opened = Some((conn, before));
                break;
            }
        }
        let Some((conn, identity)) = opened else {
            return Err(Error::Corrupt {
                path: path.to_path_buf(),
                message: "replaced by updates while being opened".to_string(),
            });
        };
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(|e| Error::Corrupt {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?;
        if version != SCHEMA_VERSION {
            return Err(Error::Schema {
                path: path.to_path_buf(),
                found: version,
                expected: SCHEMA_VERSION,
            });
        }
        // A cheap structural check: the tables must be there and readable.
        conn.query_row("SELECT count(*) FROM sources", [], |row| row.get::<_, i64>(0))
            .map_err(|e| Error::Corrupt {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?;
        Ok(Database {
            conn,
            path: path.to_path_buf(),
            readers: Readers::new(path, identity),
        })
    }

    /// Extra readers on this database's file (see [`Readers`]).
    pub fn readers(&self) -> &Readers {
        &self.readers
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn sql(&self, e: rusqlite::Error) -> Error {
        Error::sqlite(&self.path, e)
    }

    /// Affected entries for one package (name already normalised), decoded
    /// from their compact form: ranges and versions only, versions sorted.
    pub fn affected(&self, ecosystem: &str, name: &str) -> Result<Vec<AffectedRow>, Error> {
        let mut statement = self
            .conn
            .prepare_cached("SELECT rid, entry FROM affected WHERE ecosystem = ?1 AND name = ?2")
            .map_err(|e| self.sql(e))?;
        let rows = statement
            .query_map(params![ecosystem, name], |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, Vec<u8>>(1)?))
            })
            .map_err(|e| self.sql(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (rid, entry) = row.map_err(|e| self.sql(e))?;
            match index::decode_entry(&entry) {
                Ok(affected) => out.push(AffectedRow { rid, affected }),
                Err(e) => {
                    return Err(Error::Corrupt {
                        path: self.path.clone(),
                        message: format!("affected entry of record {rid}: {e}"),
                    });
                }
            }
        }
        Ok(out)
    }

    /// What the database holds for one ecosystem (`None`: no advisory names it).
    pub fn coverage(&self, ecosystem: &str) -> Result<Option<Coverage>, Error> {
        self.conn
            .prepare_cached("SELECT names, records, newest FROM ecosystem_index WHERE ecosystem = ?1")
            .and_then(|mut statement| {
                statement
                    .query_row(params![ecosystem], |row| {
                        Ok(Coverage {
                            names: usize::try_from(row.get::<_, i64>(0)?).unwrap_or(0),
                            records: usize::try_from(row.get::<_, i64>(1)?).unwrap_or(0),
                            newest: row.get(2)?,
                        })
                    })
                    .optional()
            })
            .map_err(|e| self.sql(e))
    }

    /// The matcher's index of one ecosystem; `None` when no advisory names it.
    pub fn index(&self, ecosystem: &str) -> Result<Option<EcosystemIndex>, Error> {
        let row: Option<(i64, Vec<u8>, i64, i64)> = self
            .conn
            .prepare_cached(
                "SELECT first_block, lookup, blocks_len, lookup_crc FROM ecosystem_index WHERE ecosystem = ?1",
            )
            .and_then(|mut statement| {
                statement
                    .query_row(params![ecosystem], |row| {
                        Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
                    })
                    .optional()
            })
            .map_err(|e| self.sql(e))?;
        if let Some((_, lookup, _, crc)) = &row
            && i64::from(crc32fast::hash(lookup)) != *crc
        {
            return Err(Error::Corrupt {
                path: self.path.clone(),
                message: format!("index of {ecosystem}: checksum mismatch"),
            });
        }
        row.map(|(rowid, lookup, blocks, _)| {
            EcosystemIndex::from_bytes(rowid, lookup, usize::try_from(blocks).unwrap_or(usize::MAX)).map_err(|e| {
                Error::Corrupt {
                    path: self.path.clone(),
                    message: format!("index of {ecosystem}: {e}"),
                }
            })
        })
        .transpose()
    }

    /// One index block, whole, its CRC-32 checked (row `row` of `blocks`: an
    /// index's first block row plus the name's number, see
    /// [`Database::index`] and [`EcosystemIndex::block_of`]).
    pub fn block(&self, row: i64) -> Result<Vec<u8>, Error> {
        let damaged = |what: String| Error::Corrupt {
            path: self.path.clone(),
            message: format!("index block {row}: {what}"),
        };
        let (data, crc): (Vec<u8>, i64) = self
            .conn
            .prepare_cached("SELECT data, crc FROM blocks WHERE id = ?1")
            .and_then(|mut statement| statement.query_row(params![row], |r| Ok((r.get(0)?, r.get(1)?))))
            .map_err(|e| match e {
                rusqlite::Error::InvalidColumnType(..) | rusqlite::Error::QueryReturnedNoRows => damaged(e.to_string()),
                e => self.sql(e),
            })?;
        if i64::from(crc32fast::hash(&data)) != crc {
            return Err(Error::Corrupt {
                path: self.path.clone(),
                message: format!("index block {row}: checksum mismatch"),
            });
        }
        Ok(data)
    }

    /// Check the whole file (`db status --verify`): SQLite's own integrity
    /// check, then the checksum of every index and block. The number of
    /// blocks checked.
    pub fn verify(&self) -> Result<u64, Error> {
        let result: String = self
            .conn
            .query_row("PRAGMA integrity_check(1)", [], |r| r.get(0))
            .map_err(|e| self.sql(e))?;
        if result != "ok" {
            return Err(Error::Corrupt {
                path: self.path.clone(),
                message: format!("SQLite integrity check: {result}"),
            });
        }
        let mut statement = self
            .conn
            .prepare("SELECT ecosystem FROM ecosystem_index")
            .map_err(|e| self.sql(e))?;
        let ecosystems: Vec<String> = statement
            .query_map([], |r| r.get(0))
            .and_then(|rows| rows.collect())
            .map_err(|e| self.sql(e))?;
        for e in &ecosystems {
            self.index(e)?;
        }
        let mut statement = self
            .conn
            .prepare("SELECT id, data, crc FROM blocks")
            .map_err(|e| self.sql(e))?;
        let mut rows = statement.query([]).map_err(|e| self.sql(e))?;
        let mut checked = 0;
        while let Some(row) = rows.next().map_err(|e| self.sql(e))? {
            let id: i64 = row.get(0).map_err(|e| self.sql(e))?;
            let data = row
                .get_ref(1)
                .map_err(|e| self.sql(e))?
                .as_blob()
                .map_err(|e| Error::Corrupt {
                    path: self.path.clone(),
                    message: format!("index block {id}: {e}"),
                })?;
            let crc: i64 = row.get(2).map_err(|e| self.sql(e))?;
            if i64::from(crc32fast::hash(data)) != crc {
                return Err(Error::Corrupt {
                    path: self.path.clone(),
                    message: format!("index block {id}: checksum mismatch"),
                });
            }
            checked += 1;
        }
        Ok(checked)
    }

    /// The whole record behind a stored row, with the source it came from.
    pub fn record(&self, rid: i64) -> Result<Option<(String, Record)>, Error> {
        let mut statement = self
            .conn
            .prepare_cached("SELECT source, body FROM records WHERE rid = ?1")
            .map_err(|e| self.sql(e))?;
        let row = statement
            .query_row(params![rid], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })
            .optional()
            .map_err(|e| self.sql(e))?;
        match row {
            None => Ok(None),
            Some((source, body)) => match serde_json::from_str::<osv::RecordHead>(&body) {
                Ok(head) => Ok(Some((source, head.into_record()))),
                Err(e) => Err(Error::Corrupt {
                    path: self.path.clone(),
                    message: format!("record {rid}: {e}"),
                }),
            },
        }
    }

    /// Run `work` inside one read transaction: many small reads then cost
    /// one lock and one change check instead of one each.
    pub fn in_read_transaction<T>(&self, work: impl FnOnce(&Database) -> Result<T, Error>) -> Result<T, Error> {
        self.conn.execute_batch("BEGIN").map_err(|e| self.sql(e))?;
        let result = work(self);
        let _ = self.conn.execute_batch("COMMIT");
        result
    }

    /// The original JSON of a record by id (first match), for `vigie db show`.
    /// The texts a report shows of record `id` from `source` (`details`
    /// whole, up to 64 KiB, and `published`), read only for findings.
    pub fn record_text(&self, id: &str, source: &str) -> Result<Option<RecordText>, Error> {
        let body: Option<String> = self
            .conn
            .prepare_cached("SELECT body FROM records WHERE id = ?1 AND source = ?2")
            .and_then(|mut statement| statement.query_row(params![id, source], |row| row.get(0)).optional())
            .map_err(|e| self.sql(e))?;
        Ok(body
            .and_then(|b| serde_json::from_str::<RecordText>(&b).ok())
            .map(|mut t| {
                if let Some(details) = &mut t.details
                    && details.len() > 64 * 1024
                {
                    details.truncate(details.floor_char_boundary(64 * 1024));
                    details.push('…');
                }
                t
            }))
    }

    /// The record-level rating of every record with this id, by source
    /// (for a finding whose own records rate nothing: the same
    /// vulnerability as another source rates it).
    pub fn ratings_of(&self, id: &str) -> Result<Vec<(String, crate::Rated)>, Error> {
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT r.source, h.head FROM records r JOIN heads h ON h.rid = r.rid WHERE r.id = ?1 ORDER BY r.source",
            )
            .map_err(|e| self.sql(e))?;
        let rows = statement
            .query_map(params![id], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, Vec<u8>>(1)?))
            })
            .map_err(|e| self.sql(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (source, bytes) = row.map_err(|e| self.sql(e))?;
            if let Some(head) = head::HeadRef::parse(&bytes)
                && !head.is_withdrawn()
            {
                out.push((source, head.rating.to_rated()));
            }
        }
        Ok(out)
    }

    pub fn record_body(&self, id: &str) -> Result<Vec<(String, String)>, Error> {
        let mut statement = self
            .conn
            .prepare("SELECT source, body FROM records WHERE id = ?1 ORDER BY source")
            .map_err(|e| self.sql(e))?;
        let rows = statement
            .query_map(params![id], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.sql(e))
    }

    pub fn sources(&self) -> Result<Vec<SourceInfo>, Error> {
        read_sources(&self.conn).map_err(|e| self.sql(e))
    }

    pub fn updated_at(&self) -> Result<i64, Error> {
        let value: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'updated_at'", [], |row| row.get(0))
            .optional()
            .map_err(|e| self.sql(e))?;
        Ok(value.and_then(|v| v.parse().ok()).unwrap_or(0))
    }

    pub fn status(&self) -> Result<Status, Error> {
        let records: i64 = self
            .conn
            .query_row("SELECT count(*) FROM records", [], |row| row.get(0))
            .map_err(|e| self.sql(e))?;
        let mut statement = self
            .conn
            .prepare("SELECT ecosystem, records FROM ecosystem_index ORDER BY ecosystem")
            .map_err(|e| self.sql(e))?;
        let ecosystems = statement
            .query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?)))
            .map_err(|e| self.sql(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.sql(e))?;
        Ok(Status {
            path: self.path.display().to_string(),
            schema_version: SCHEMA_VERSION,
            size_bytes: std::fs::metadata(&self.path).map(|m| m.len()).unwrap_or(0),
            updated_at: self.updated_at()?,
            records,
            ecosystems,
            sources: self.sources()?,
            updates: read_update_attempts(&self.path),
        })
    }
}

/// Where `db update` keeps what it last saw of each location.
pub fn update_attempts_path(db: &Path) -> PathBuf {
    let mut name = db.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".updates.json");
    db.with_file_name(name)
}

/// The attempts file beside `db`; empty when absent, unreadable, over
/// 4 MiB or not what vigie writes (it only informs `db status`).
pub fn read_update_attempts(db: &Path) -> BTreeMap<String, UpdateAttempts> {
    let path = update_attempts_path(db);
    let Ok(file) = std::fs::File::open(&path) else {
        return BTreeMap::new();
    };
    let mut bytes = Vec::new();
    use std::io::Read;
    if file.take(4 << 20).read_to_end(&mut bytes).is_err() || bytes.len() >= 4 << 20 {
        return BTreeMap::new();
    }
    serde_json::from_slice(&bytes).unwrap_or_default()
}

/// Replace the attempts file: written to a fresh temporary file beside it
/// (random name, created exclusively), then renamed over it.
pub fn write_update_attempts(db: &Path, attempts: &BTreeMap<String, UpdateAttempts>) -> Result<(), Error> {
    use std::io::Write;
    let path = update_attempts_path(db);
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let text = serde_json::to_vec_pretty(attempts).map_err(|e| Error::io(&path, std::io::Error::other(e)))?;
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io(dir, e))?;
    file.write_all(&text).map_err(|e| Error::io(file.path(), e))?;
    file.persist(&path).map_err(|e| Error::io(&path, e.error))?;
    Ok(())
}

fn delete_source_rows(conn: &Connection, source: &str) -> rusqlite::Result<()> {
    conn.execute(
        "DELETE FROM affected WHERE rid IN (SELECT rid FROM records WHERE source = ?1)",
        params![source],
    )?;
    conn.execute(
        "DELETE FROM heads WHERE rid IN (SELECT rid FROM records WHERE source = ?1)",
        params![source],
    )?;
    conn.execute("DELETE FROM records WHERE source = ?1", params![source])?;
    Ok(())
}

impl RecordSink for Writer {
    fn records(&mut self, source: &SourceData, batch: Vec<StoredRecord>) -> Result<(), Error> {
        self.put_records(&source.name, &batch)
    }

    fn finish(&mut self, source: SourceData) -> Result<(), Error> {
        self.put_source(&source, &Validators::default()).map(|_| ())
    }

    fn discard(&mut self, source: &str) -> Result<(), Error> {
        if self.open.remove(source).is_some() {
            delete_source_rows(&self.conn, source).map_err(|e| Error::sqlite(&self.temp, e))?;
        }
        Ok(())
    }
}

fn read_sources(conn: &Connection) -> rusqlite::Result<Vec<SourceInfo>> {
    let mut statement = conn.prepare(
        "SELECT name, kind, location, sha256, etag, last_modified, imported_at, records, skipped, skipped_sample
         FROM sources ORDER BY name",
    )?;
    let rows = statement.query_map([], |row| {
        let sample: String = row.get(9)?;
        Ok(SourceInfo {
            name: row.get(0)?,
            kind: row.get(1)?,
            location: row.get(2)?,
            sha256: row.get(3)?,
            etag: row.get(4)?,
            last_modified: row.get(5)?,
            imported_at: row.get(6)?,
            records: row.get(7)?,
            skipped: row.get(8)?,
            skipped_sample: serde_json::from_str(&sample).unwrap_or_default(),
        })
    })?;
    rows.collect()
}

/// HTTP validators remembered for a source, for conditional requests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

pub use vigie_snapshot::db::ImportSummary;

/// Options of one write.
#[derive(Debug, Clone, Default)]
pub struct WriteOptions {
    /// Start from an empty database instead of the current one (also used
    /// when the current file is missing, of an old schema, or corrupt).
    pub fresh: bool,
    /// Called once when another writer holds the lock, before waiting for it
    /// (the binary says so: a second writer never waits in silence).
    pub on_lock_wait: Option<fn(&Path)>,
}

/// An open write: a private copy of the database being prepared.
pub struct Writer {
    conn: Connection,
    target: PathBuf,
    temp: PathBuf,
    _lock: std::fs::File,
    summaries: Vec<ImportSummary>,
    /// Sources whose records are being written (old rows already removed).
    open: HashMap<String, usize>,
}

/// Records of one import batch; a source is streamed in such batches so an
/// import holds one batch in memory, not a whole source.
pub const BATCH_RECORDS: usize = 512;

fn lock_path(target: &Path) -> PathBuf {
    let mut name = target.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".lock");
    target.with_file_name(name)
}

impl Writer {
    /// Take the writer lock (waiting for another writer to finish) and
    /// prepare a private copy of the database at `target`.
    pub fn begin(target: &Path, options: &WriteOptions) -> Result<Writer, Error> {
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let lock_file = lock_path(target);
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_file)
            .map_err(|e| Error::io(&lock_file, e))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                if let Some(notify) = options.on_lock_wait {
                    notify(&lock_file);
                }
                lock.lock().map_err(|e| Error::io(&lock_file, e))?;
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(&lock_file, e)),
        }
        let file_name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // Leftovers of killed writers: safe to remove while we hold the lock.
        if let Ok(entries) = std::fs::read_dir(&dir) {
            let prefix = format!(".{file_name}.tmp-");
            for entry in entries.flatten() {
                if entry.file_name().to_string_lossy().starts_with(&prefix) {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        let temp = dir.join(format!(".{file_name}.tmp-{}", std::process::id()));
        let reuse = !options.fresh && target.exists() && Database::open(target).is_ok();
        if reuse {
            std::fs::copy(target, &temp).map_err(|e| Error::io(&temp, e))?;
        }
        let conn = Connection::open(&temp).map_err(|e| Error::sqlite(&temp, e))?;
        // A modest page cache: the file is private until published, so pages
        // that do not fit are simply written early.
        conn.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -8192;")
            .map_err(|e| Error::sqlite(&temp, e))?;
        if !reuse {
            // Larger pages: an index block is a few pages instead of dozens of
            // overflow pages, and the B-tree over them is shallower.
            conn.execute_batch("PRAGMA page_size = 16384;")
                .map_err(|e| Error::sqlite(&temp, e))?;
            conn.execute_batch(SCHEMA).map_err(|e| Error::sqlite(&temp, e))?;
            conn.pragma_update(None, "user_version", SCHEMA_VERSION)
                .map_err(|e| Error::sqlite(&temp, e))?;
        }
        conn.execute_batch("BEGIN").map_err(|e| Error::sqlite(&temp, e))?;
        Ok(Writer {
            conn,
            target: target.to_path_buf(),
            temp,
            _lock: lock,
            summaries: Vec::new(),
            open: HashMap::new(),
        })
    }

    fn sql(&self, e: rusqlite::Error) -> Error {
        Error::sqlite(&self.temp, e)
    }

    /// Validators stored for a source in the database being replaced.
    pub fn validators(&self, source: &str) -> Result<Validators, Error> {
        self.conn
            .query_row(
                "SELECT etag, last_modified FROM sources WHERE name = ?1",
                params![source],
                |row| {
                    Ok(Validators {
                        etag: row.get(0)?,
                        last_modified: row.get(1)?,
                    })
                },
            )
            .optional()
            .map(Option::unwrap_or_default)
            .map_err(|e| self.sql(e))
    }

    /// Replace everything that came from `data.name` with `data`.
    pub fn put_source(&mut self, data: &SourceData, validators: &Validators) -> Result<ImportSummary, Error> {
        self.put_records(&data.name, &data.records)?;
        self.finish_source(data, validators)
    }

    /// Add a batch of records of a source; the first batch of a source
    /// removes what the source held before.
    pub fn put_records(&mut self, source: &str, records: &[StoredRecord]) -> Result<(), Error> {
        let temp = &self.temp;
        let sql = |e: rusqlite::Error| Error::sqlite(temp, e);
        if !self.open.contains_key(source) {
            delete_source_rows(&self.conn, source).map_err(sql)?;
            self.open.insert(source.to_string(), 0);
        }
        let conn = &self.conn;
        let mut insert_record = conn
            .prepare_cached("INSERT INTO records (source, id, modified, withdrawn, body) VALUES (?1, ?2, ?3, ?4, ?5)")
            .map_err(sql)?;
        let mut insert_head = conn
            .prepare_cached("INSERT INTO heads (rid, head) VALUES (?1, ?2)")
            .map_err(sql)?;
        let mut insert_affected = conn
            .prepare_cached("INSERT INTO affected (ecosystem, name, rid, seq, entry) VALUES (?1, ?2, ?3, ?4, ?5)")
            .map_err(sql)?;
        for item in records {
            let record = &item.record;
            let head = head::encode(&HitHead::of(record), source);
            insert_record
                .execute(params![source, record.id, record.modified, record.withdrawn, item.body])
                .map_err(sql)?;
            let rid = conn.last_insert_rowid();
            insert_head.execute(params![rid, head]).map_err(sql)?;
            for (seq, affected) in record.affected.iter().enumerate() {
                let Some(package) = &affected.package else { continue };
                if package.ecosystem.is_empty() || package.name.is_empty() {
                    continue;
                }
                let name = osv::normalize_name(&package.ecosystem, &package.name);
                let entry = index::encode_entry(&package.ecosystem, affected);
                insert_affected
                    .execute(params![package.ecosystem, name, rid, seq as i64, entry])
                    .map_err(sql)?;
            }
        }
        if let Some(stored) = self.open.get_mut(source) {
            *stored += records.len();
        }
        Ok(())
    }

    /// Close a source streamed with [`Writer::put_records`]: record its
    /// metadata (`data.records` is not written again).
    pub fn finish_source(&mut self, data: &SourceData, validators: &Validators) -> Result<ImportSummary, Error> {
        let temp = &self.temp;
        let sql = |e: rusqlite::Error| Error::sqlite(temp, e);
        let stored = match self.open.remove(&data.name) {
            Some(stored) => stored,
            None => {
                delete_source_rows(&self.conn, &data.name).map_err(sql)?;
                0
            }
        };
        let skipped_sample: Vec<String> = data
            .skipped
            .iter()
            .take(20)
            .map(|s| format!("{}: {}", s.entry, s.reason))
            .collect();
        let skipped = data.skipped.len();
        let sample_json = serde_json::to_string(&skipped_sample).unwrap_or_else(|_| "[]".to_string());
        self.conn
            .execute(
                "INSERT OR REPLACE INTO sources
                 (name, kind, location, sha256, etag, last_modified, imported_at, records, skipped, skipped_sample)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    data.name,
                    data.kind,
                    data.location,
                    data.sha256,
                    validators.etag,
                    validators.last_modified,
                    now_unix(),
                    stored as i64,
                    skipped as i64,
                    sample_json
                ],
            )
            .map_err(sql)?;
        let summary = ImportSummary {
            source: data.name.clone(),
            records: stored,
            skipped,
            skipped_sample,
        };
        self.summaries.push(summary.clone());
        Ok(summary)
    }

    /// Rebuild every ecosystem's index from the `affected` and `heads` tables.
    fn build_indexes(&self) -> rusqlite::Result<Result<(), index::BuildError>> {
        self.conn.execute("DELETE FROM ecosystem_index", [])?;
        self.conn.execute("DELETE FROM blocks", [])?;
        let mut select = self.conn.prepare(
            "SELECT a.ecosystem, a.name, a.rid, a.seq, a.entry, h.head FROM affected a
             LEFT JOIN heads h ON h.rid = a.rid ORDER BY a.ecosystem, a.name, a.rid, a.seq",
        )?;
        let mut insert = self.conn.prepare(
            "INSERT INTO ecosystem_index (ecosystem, names, records, newest, lookup, lookup_crc, first_block, blocks_len) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        let mut insert_block = self
            .conn
            .prepare("INSERT INTO blocks (id, data, crc) VALUES (?1, ?2, ?3)")?;
        // Blocks are numbered across ecosystems: an index's first block row
        // plus a name's rank is that name's row.
        let mut next_block: i64 = 1;
        let mut put_blocks = |blocks: Vec<Vec<u8>>, next_block: &mut i64| -> rusqlite::Result<()> {
            for block in blocks {
                insert_block.execute(params![*next_block, block, i64::from(crc32fast::hash(&block))])?;
                *next_block += 1;
            }
            Ok(())
        };
        let mut rows = select.query([])?;
        // The ecosystem being built, and the row of its first block.
        let mut current: Option<(String, IndexBuilder, i64)> = None;
        // Its records and the latest `modified` among them.
        let mut rids: std::collections::HashSet<i64> = std::collections::HashSet::new();
        let mut newest: Option<String> = None;
        loop {
            let row = rows.next()?;
            let ecosystem = match row {
                Some(row) => Some(row.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?),
                None => None,
            };
            if current.as_ref().is_some_and(|(e, ..)| Some(e.as_str()) != ecosystem)
                && let Some((ecosystem, builder, first_block)) = current.take()
            {
                let built = match builder.finish() {
                    Ok(built) => built,
                    Err(e) => return Ok(Err(e)),
                };
                put_blocks(built.blocks, &mut next_block)?;
                let lookup_crc = i64::from(crc32fast::hash(&built.lookup));
                insert.execute(params![
                    ecosystem,
                    built.names as i64,
                    rids.len() as i64,
                    newest.take(),
                    built.lookup,
                    lookup_crc,
                    first_block,
                    built.blocks_len as i64
                ])?;
            }
            let (Some(row), Some(ecosystem)) = (row, ecosystem) else {
                break;
            };
            let name = row.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
            let rid: i64 = row.get(2)?;
            let seq: i64 = row.get(3)?;
            let entry = row.get_ref(4)?.as_blob().map_err(rusqlite::Error::from)?;
            let head = row.get_ref(5)?.as_blob_or_null().map_err(rusqlite::Error::from)?;
            if current.as_ref().is_none_or(|(e, ..)| e != ecosystem) {
                rids.clear();
            }
            // The record's `modified` is in its head, already read for the index.
            if rids.insert(rid)
                && let Some(modified) = head.and_then(head::HeadRef::parse).and_then(|h| h.modified)
                && newest.as_deref().is_none_or(|n| modified > n)
            {
                newest = Some(modified.to_string());
            }
            let (_, builder, _) =
                current.get_or_insert_with(|| (ecosystem.to_string(), IndexBuilder::new(ecosystem), next_block));
            if let Err(e) = builder.push(name, rid, seq, entry, head) {
                return Ok(Err(e));
            }
            put_blocks(builder.take_blocks(), &mut next_block)?;
        }
        Ok(Ok(()))
    }

    /// Mark a source as checked and unchanged (HTTP 304): only its time moves.
    pub fn touch_source(&mut self, source: &str) -> Result<(), Error> {
        self.conn
            .execute(
                "UPDATE sources SET imported_at = ?2 WHERE name = ?1",
                params![source, now_unix()],
            )
            .map_err(|e| Error::sqlite(&self.temp, e))?;
        Ok(())
    }

    /// Drop a source and its records.
    pub fn remove_source(&mut self, source: &str) -> Result<(), Error> {
        let temp = self.temp.clone();
        let sql = |e: rusqlite::Error| Error::sqlite(&temp, e);
        delete_source_rows(&self.conn, source).map_err(sql)?;
        self.conn
            .execute("DELETE FROM sources WHERE name = ?1", params![source])
            .map_err(sql)?;
        Ok(())
    }

    /// Commit, make the file durable, and rename it over the target.
    pub fn publish(self) -> Result<Vec<ImportSummary>, Error> {
        let temp = self.temp.clone();
        let sql = |e: rusqlite::Error| Error::sqlite(&temp, e);
        self.conn
            .execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('updated_at', ?1)",
                params![now_unix().to_string()],
            )
            .map_err(sql)?;
        self.build_indexes().map_err(sql)?.map_err(|e| Error::Sqlite {
            path: temp.clone(),
            message: e.to_string(),
        })?;
        self.conn.execute_batch("COMMIT").map_err(sql)?;
        self.conn.execute_batch("ANALYZE").map_err(sql)?;
        self.conn.close().map_err(|(_, e)| Error::sqlite(&temp, e))?;
        let file = std::fs::File::open(&temp).map_err(|e| Error::io(&temp, e))?;
        file.sync_all().map_err(|e| Error::io(&temp, e))?;
        std::fs::rename(&temp, &self.target).map_err(|e| Error::io(&self.target, e))?;
        if let Some(dir) = self.target.parent()
            && let Ok(dir) = std::fs::File::open(if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            })
        {
            let _ = dir.sync_all();
        }
        Ok(self.summaries)
    }

    /// Abandon the write; the published database is untouched.
    pub fn abort(self) {
        let temp = self.temp.clone();
        drop(self.conn);
        let _ = std::fs::remove_file(temp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::read_bytes;

    #[test]
    fn write_publish_read_and_replace() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        assert!(matches!(Database::open(&path), Err(Error::Missing(_))));
        let data = read_bytes(
            Path::new("r.json"),
            br#"[{"id":"A-1","affected":[{"package":{"ecosystem":"PyPI","name":"Foo_Bar"},"versions":["1.0"]}]}]"#,
        )
        .unwrap();
        let mut writer = Writer::begin(&path, &WriteOptions::default()).unwrap();
        writer.put_source(&data, &Validators::default()).unwrap();
        writer.publish().unwrap();
        let db = Database::open(&path).unwrap();
        let rows = db.affected("PyPI", "foo-bar").unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].affected.versions, ["1.0"]);
        let (source, record) = db.record(rows[0].rid).unwrap().unwrap();
        assert_eq!((source.as_str(), record.id.as_str()), ("osv-file:r.json", "A-1"));
        // Re-importing the same source replaces, never duplicates.
        let mut writer = Writer::begin(&path, &WriteOptions::default()).unwrap();
        writer.put_source(&data, &Validators::default()).unwrap();
        writer.publish().unwrap();
        let db2 = Database::open(&path).unwrap();
        assert_eq!(db2.status().unwrap().records, 1);
        // The handle opened before the swap still reads the old file.
        assert_eq!(db.affected("PyPI", "foo-bar").unwrap().len(), 1);
    }

    #[test]
    fn old_schema_and_garbage_are_clear_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        std::fs::write(&path, b"this is not sqlite at all, not even close to it.........").unwrap();
        let err = Database::open(&path).err().unwrap();
        assert!(matches!(err, Error::Corrupt { .. } | Error::Sqlite { .. }), "{err}");
        std::fs::remove_file(&path).unwrap();
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 0).unwrap();
        conn.execute_batch("CREATE TABLE t(x)").unwrap();
        drop(conn);
        let err = Database::open(&path).err().unwrap();
        assert!(err.to_string().contains("schema"), "{err}");
        // A writer rebuilds such a file from scratch.
        let writer = Writer::begin(&path, &WriteOptions::default()).unwrap();
        writer.publish().unwrap();
        assert!(Database::open(&path).is_ok());
    }
}
