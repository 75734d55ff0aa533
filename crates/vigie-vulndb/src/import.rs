//! Reading vulnerability data from files: OSV `all.zip` archives, directories
//! of OSV JSON, single OSV JSON files (one record or an array), and Alpine
//! secdb files (YAML or JSON). Nothing is extracted to disk; archive entries
//! are read in memory with size limits, so zip bombs and `../` entry names
//! are refused entry by entry and counted, never fatal for the rest.
//!
//! Reading streams: records go to a [`RecordSink`] in batches of
//! [`BATCH_RECORDS`] as they are decoded, so an import holds one batch (and
//! the compressed archive) in memory, never a whole source.

use crate::Error;
use crate::osv::{self, Record};
use crate::secdb;
pub use crate::store::BATCH_RECORDS;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

/// Where read records go: the database writer, or a collector in memory.
pub trait RecordSink {
    /// A batch of records of `source` (whose `records` is empty meanwhile).
    fn records(&mut self, source: &SourceData, batch: Vec<StoredRecord>) -> Result<(), Error>;
    /// The source is complete; `source.records` holds the last records not
    /// yet given as a batch.
    fn finish(&mut self, source: SourceData) -> Result<(), Error>;
    /// Reading the source failed part way: forget what it gave so far.
    fn discard(&mut self, source: &str) -> Result<(), Error>;
}

/// Keeps every source whole in memory ([`read_bytes`]).
#[derive(Default)]
struct Collector {
    pending: HashMap<String, Vec<StoredRecord>>,
    done: Vec<SourceData>,
}

impl RecordSink for Collector {
    fn records(&mut self, source: &SourceData, batch: Vec<StoredRecord>) -> Result<(), Error> {
        self.pending.entry(source.name.clone()).or_default().extend(batch);
        Ok(())
    }

    fn finish(&mut self, mut source: SourceData) -> Result<(), Error> {
        let mut records = self.pending.remove(&source.name).unwrap_or_default();
        records.append(&mut source.records);
        source.records = records;
        self.done.push(source);
        Ok(())
    }

    fn discard(&mut self, source: &str) -> Result<(), Error> {
        self.pending.remove(source);
        Ok(())
    }
}

/// Largest single record accepted, uncompressed.
pub const MAX_ENTRY_BYTES: u64 = 16 * 1024 * 1024;
/// Largest total uncompressed size of one archive.
pub const MAX_ARCHIVE_BYTES: u64 = 4 * 1024 * 1024 * 1024;
/// Most entries read from one archive.
pub const MAX_ARCHIVE_ENTRIES: usize = 2_000_000;

/// A record ready to store: its original bytes plus what the index needs.
#[derive(Debug, Clone)]
pub struct StoredRecord {
    pub record: Record,
    /// The record as published (unknown fields included).
    pub body: String,
}

/// One entry that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub entry: String,
    pub reason: String,
}

/// Everything read from one source (a zip, a directory, a file).
#[derive(Debug, Clone)]
pub struct SourceData {
    /// Stable name: `osv:Debian`, `alpine-secdb:v3.10/main`, …
    pub name: String,
    pub kind: &'static str,
    pub location: String,
    pub sha256: Option<String>,
    pub records: Vec<StoredRecord>,
    pub skipped: Vec<Skipped>,
    /// Records already handed to a sink in batches.
    streamed: usize,
}

impl SourceData {
    pub fn new(name: String, kind: &'static str, location: String) -> Self {
        SourceData {
            name,
            kind,
            location,
            sha256: None,
            records: Vec::new(),
            skipped: Vec::new(),
            streamed: 0,
        }
    }

    /// Records read so far, streamed or held.
    pub fn record_count(&self) -> usize {
        self.streamed + self.records.len()
    }

    /// Hand the held records to the sink once a batch is full.
    fn flush_full(&mut self, sink: &mut dyn RecordSink) -> Result<(), Error> {
        if self.records.len() >= BATCH_RECORDS {
            let batch = std::mem::take(&mut self.records);
            self.streamed += batch.len();
            sink.records(self, batch)?;
        }
        Ok(())
    }

    fn add_osv(&mut self, entry: &str, bytes: &[u8]) {
        // A file may hold one record or an array of records.
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
        if first == Some(&b'[') {
            match serde_json::from_slice::<Vec<serde_json::Value>>(bytes) {
                Ok(values) => {
                    for (index, value) in values.into_iter().enumerate() {
                        let body = value.to_string();
                        self.add_one(&format!("{entry}[{index}]"), body);
                    }
                }
                Err(e) => self.skip(entry, format!("invalid json: {e}")),
            }
            return;
        }
        match std::str::from_utf8(bytes) {
            Ok(text) => self.add_one(entry, text.to_string()),
            Err(_) => self.skip(entry, "not utf-8".to_string()),
        }
    }

    fn add_one(&mut self, entry: &str, body: String) {
        match osv::parse_record(body.as_bytes()) {
            Ok(record) => self.records.push(StoredRecord { record, body }),
            Err(e) => self.skip(entry, e.to_string()),
        }
    }

    fn skip(&mut self, entry: &str, reason: String) {
        self.skipped.push(Skipped {
            entry: entry.to_string(),
            reason,
        });
    }
}

/// Read every source found at `path` into `sink`, in batches.
pub fn stream_path(path: &Path, sink: &mut dyn RecordSink) -> Result<(), Error> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        return read_dir(path, sink);
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    stream_bytes(path, &bytes, sink)
}

/// Read one file's bytes, deciding its format from the name and the content.
pub fn read_bytes(path: &Path, bytes: &[u8]) -> Result<SourceData, Error> {
    let mut collector = Collector::default();
    stream_bytes(path, bytes, &mut collector)?;
    collector.done.pop().ok_or_else(|| Error::Source {
        location: path.display().to_string(),
        message: "no source read".to_string(),
    })
}

/// The source a zip at `path` is: OSV publishes `<Ecosystem>/all.zip`, named after the folder.
fn zip_source(path: &Path) -> SourceData {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = file_name.strip_suffix(".zip").unwrap_or(&file_name);
    let stem = if stem == "all" {
        path.parent()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| stem.to_string())
    } else {
        stem.to_string()
    };
    SourceData::new(format!("osv:{stem}"), "osv", path.display().to_string())
}

/// A single (not zipped) advisory file larger than this is refused.
pub const MAX_SINGLE_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// [`read_bytes`] for a downloaded file (`sha256` computed while it was
/// written): a zip is read from the file, entry by entry, so a download of
/// any size is never held in memory; other formats are read whole, up to
/// [`MAX_SINGLE_FILE_BYTES`].
pub fn read_file(path: &Path, file: &mut std::fs::File, sha256: &str) -> Result<SourceData, Error> {
    use std::io::{Read, Seek, SeekFrom};
    let io = |e: std::io::Error| Error::io(path, e);
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    let mut head = [0u8; 4];
    let n = file.read(&mut head).map_err(io)?;
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    let lower = path.to_string_lossy().to_ascii_lowercase();
    let mut collector = Collector::default();
    if head[..n].starts_with(b"PK") || lower.ends_with(".zip") {
        let mut source = zip_source(path);
        read_zip(&mut source, &mut *file, &mut collector)?;
        source.sha256 = Some(sha256.to_string());
        collector.finish(source)?;
    } else {
        let size = file.metadata().map_err(io)?.len();
        if size > MAX_SINGLE_FILE_BYTES {
            return Err(Error::Source {
                location: path.display().to_string(),
                message: format!("{size} bytes and not a zip: more than the {MAX_SINGLE_FILE_BYTES}-byte limit"),
            });
        }
        let mut bytes = Vec::with_capacity(size as usize);
        file.read_to_end(&mut bytes).map_err(io)?;
        stream_bytes(path, &bytes, &mut collector)?;
    }
    collector.done.pop().ok_or_else(|| Error::Source {
        location: path.display().to_string(),
        message: "no source read".to_string(),
    })
}

/// [`read_bytes`] into a sink, in batches.
pub fn stream_bytes(path: &Path, bytes: &[u8], sink: &mut dyn RecordSink) -> Result<(), Error> {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let lower = file_name.to_ascii_lowercase();
    let location = path.display().to_string();
    let sha256 = Some(hex::encode(Sha256::digest(bytes)));
    let mut source = if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") || lower.ends_with(".zip")
    {
        let mut source = zip_source(path);
        if let Err(e) = read_zip(&mut source, std::io::Cursor::new(bytes), sink) {
            if source.streamed > 0 {
                sink.discard(&source.name)?;
            }
            return Err(e);
        }
        source
    } else if lower.ends_with(".yaml") || lower.ends_with(".yml") || secdb::looks_like_secdb_json(bytes) {
        let json = !(lower.ends_with(".yaml") || lower.ends_with(".yml"));
        let file = secdb::parse(bytes, json).map_err(|e| Error::Source {
            location: location.clone(),
            message: e.to_string(),
        })?;
        let mut source = SourceData::new(
            format!("alpine-secdb:{}/{}", file.release, file.repository),
            "alpine-secdb",
            location,
        );
        for skipped in file.skipped {
            source.skip(&file_name, skipped);
        }
        for record in file.records {
            let body = serde_json::to_string(&record).map_err(|e| Error::Source {
                location: source.location.clone(),
                message: e.to_string(),
            })?;
            source.records.push(StoredRecord { record, body });
        }
        source
    } else {
        let mut source = SourceData::new(format!("osv-file:{file_name}"), "osv", location);
        source.add_osv(&file_name, bytes);
        source
    };
    source.sha256 = sha256;
    sink.finish(source)
}

fn read_zip<R: std::io::Read + std::io::Seek>(
    source: &mut SourceData,
    reader: R,
    sink: &mut dyn RecordSink,
) -> Result<(), Error> {
    let mut archive = zip::ZipArchive::new(reader).map_err(|e| Error::Source {
        location: source.location.clone(),
        message: format!("invalid zip: {e}"),
    })?;
    if archive.len() > MAX_ARCHIVE_ENTRIES {
        return Err(Error::Source {
            location: source.location.clone(),
            message: format!(
                "{} entries, more than the limit of {MAX_ARCHIVE_ENTRIES}",
                archive.len()
            ),
        });
    }
    let mut total: u64 = 0;
    let mut buffer = Vec::new();
    let location = source.location.clone();
    for index in 0..archive.len() {
        // A damaged archive (a truncated or corrupted download) is an error,
        // never a source imported with some advisories silently missing.
        let damaged = |what: &str, e: &dyn std::fmt::Display| Error::Source {
            location: location.clone(),
            message: format!("damaged zip: {what}: {e} (download it again: vigie db update --force)"),
        };
        let mut entry = match archive.by_index(index) {
            Ok(entry) => entry,
            Err(e) => return Err(damaged(&format!("entry #{index}"), &e)),
        };
        let name = entry.name().to_string();
        if entry.is_dir() {
            continue;
        }
        if entry.enclosed_name().is_none() {
            source.skip(&name, "unsafe entry name (absolute or '..')".to_string());
            continue;
        }
        if !name.to_ascii_lowercase().ends_with(".json") {
            source.skip(&name, "not a .json entry".to_string());
            continue;
        }
        if entry.size() > MAX_ENTRY_BYTES {
            source.skip(
                &name,
                format!("declares {} bytes, over the {MAX_ENTRY_BYTES} limit", entry.size()),
            );
            continue;
        }
        buffer.clear();
        // The declared size may lie: read at most one byte past the limit.
        match (&mut entry).take(MAX_ENTRY_BYTES + 1).read_to_end(&mut buffer) {
            Ok(_) if buffer.len() as u64 > MAX_ENTRY_BYTES => {
                source.skip(&name, format!("inflates past the {MAX_ENTRY_BYTES} byte limit"));
                continue;
            }
            Ok(_) => {}
            // Bad deflate data or a CRC-32 that does not match the entry.
            Err(e) => return Err(damaged(&format!("entry {name}"), &e)),
        }
        total += buffer.len() as u64;
        if total > MAX_ARCHIVE_BYTES {
            return Err(Error::Source {
                location: source.location.clone(),
                message: format!("inflates past the {MAX_ARCHIVE_BYTES} byte archive limit"),
            });
        }
        let bytes = std::mem::take(&mut buffer);
        source.add_osv(&name, &bytes);
        buffer = bytes;
        source.flush_full(sink)?;
    }
    Ok(())
}

fn read_dir(root: &Path, sink: &mut dyn RecordSink) -> Result<(), Error> {
    let mut files = Vec::new();
    collect_files(root, &mut files, 0)?;
    files.sort();
    let dir_name = root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut loose = SourceData::new(format!("osv-dir:{dir_name}"), "osv", root.display().to_string());
    let mut hasher = Sha256::new();
    for file in files {
        let lower = file.to_string_lossy().to_ascii_lowercase();
        let relative = file.strip_prefix(root).unwrap_or(&file).display().to_string();
        if lower.ends_with(".zip") || lower.ends_with(".yaml") || lower.ends_with(".yml") {
            if let Err(e) = stream_path(&file, sink) {
                loose.skip(&relative, e.to_string());
            }
        } else if lower.ends_with(".json") {
            let bytes = match std::fs::read(&file) {
                Ok(bytes) => bytes,
                Err(e) => {
                    loose.skip(&relative, format!("cannot read: {e}"));
                    continue;
                }
            };
            if secdb::looks_like_secdb_json(&bytes) {
                if let Err(e) = stream_bytes(&file, &bytes, sink) {
                    loose.skip(&relative, e.to_string());
                }
                continue;
            }
            hasher.update(relative.as_bytes());
            hasher.update(&bytes);
            loose.add_osv(&relative, &bytes);
            loose.flush_full(sink)?;
        }
    }
    if loose.record_count() > 0 || !loose.skipped.is_empty() {
        loose.sha256 = Some(hex::encode(hasher.finalize()));
        sink.finish(loose)?;
    }
    Ok(())
}

fn collect_files(dir: &Path, out: &mut Vec<std::path::PathBuf>, depth: usize) -> Result<(), Error> {
    if depth > 16 {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let kind = entry.file_type().map_err(|e| Error::io(&entry.path(), e))?;
        if kind.is_dir() {
            collect_files(&entry.path(), out, depth + 1)?;
        } else if kind.is_file() {
            out.push(entry.path());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        {
            let mut writer = zip::ZipWriter::new(&mut out);
            for (name, bytes) in entries {
                writer
                    .start_file(*name, zip::write::SimpleFileOptions::default())
                    .unwrap();
                writer.write_all(bytes).unwrap();
            }
            writer.finish().unwrap();
        }
        out.into_inner()
    }

    #[test]
    fn zip_skips_bad_entries_and_keeps_good_ones() {
        let bomb = vec![b' '; (MAX_ENTRY_BYTES + 10) as usize];
        let bytes = zip_of(&[
            (
                "A-1.json",
                br#"{"id":"A-1","affected":[{"package":{"ecosystem":"Weird","name":"x"}}]}"#,
            ),
            ("../evil.json", br#"{"id":"E-1"}"#),
            ("/abs.json", br#"{"id":"E-2"}"#),
            ("bad.json", b"{not json"),
            ("noid.json", br#"{"summary":"x"}"#),
            ("bomb.json", &bomb),
            ("readme.txt", b"hello"),
        ]);
        let source = read_bytes(Path::new("/x/Weird/all.zip"), &bytes).unwrap();
        assert_eq!(source.name, "osv:Weird");
        assert_eq!(source.records.len(), 1);
        assert_eq!(source.skipped.len(), 6, "{:?}", source.skipped);
        assert!(source.skipped.iter().any(|s| s.reason.contains("unsafe")));
        assert!(source.skipped.iter().any(|s| s.reason.contains("limit")));
    }

    #[test]
    fn garbage_zip_is_an_error_not_a_panic() {
        assert!(read_bytes(Path::new("x.zip"), b"PK\x03\x04garbage").is_err());
    }

    #[test]
    fn arrays_of_records_import() {
        let source = read_bytes(Path::new("list.json"), br#"[{"id":"A"},{"id":"B"},{"nope":1}]"#).unwrap();
        assert_eq!(source.records.len(), 2);
        assert_eq!(source.skipped.len(), 1);
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            for name in ["r.json", "a.zip", "main.yaml", "main.json"] {
                let _ = read_bytes(Path::new(name), &bytes);
            }
        }

        #[test]
        fn record_shaped_json_never_panics(
            id in "[A-Z]{2,5}-[0-9]{1,4}",
            ecosystem in "(PyPI|Debian:11|Alpine:v3.10|crates.io|Nowhere)",
            intro in "[0-9.:a-z~+-]{0,8}",
            fixed in "[0-9.:a-z~+-]{0,8}",
            version in "[0-9.:a-z~+-]{0,8}",
        ) {
            let json = serde_json::json!({"id": id, "affected": [{"package": {"ecosystem": ecosystem, "name": "p"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": intro}, {"fixed": fixed}]}], "versions": [version.clone()]}]});
            let source = read_bytes(Path::new("r.json"), json.to_string().as_bytes()).unwrap();
            let affected = &source.records[0].record.affected[0];
            let scheme = vigie_version::Scheme::for_ecosystem(&ecosystem);
            let parsed = scheme.and_then(|s| vigie_version::Version::parse(s, &version).ok());
            let _ = crate::matcher::affects(&ecosystem, affected, &version, parsed.as_ref());
        }
    }
}
