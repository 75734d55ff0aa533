//! rpm: the three rpmdb backends read without librpm (a port of go-rpmdb's
//! logic): SQLite `rpmdb.sqlite` (RPM ≥ 4.16), Berkeley DB hash `Packages`
//! (RHEL/CentOS ≤ 8) and NDB `Packages.db` (SUSE). Each yields header
//! blobs; `parse_header` reads the tags we need from one blob.

use crate::os::OsInfo;
use crate::{Ecosystem, Package, purl::purl};
use vigie_snapshot::filesystem::FileSystemView;

pub(crate) const DIRS: &[&str] = &["/var/lib/rpm/", "/usr/lib/sysimage/rpm/", "/usr/share/rpm/"];
pub(crate) const FILES: &[&str] = &["Packages", "Packages.db", "rpmdb.sqlite"];

pub(crate) fn wants(path: &str) -> bool {
    DIRS.iter()
        .any(|d| path.strip_prefix(d).is_some_and(|f| FILES.contains(&f)))
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RpmError {
    #[error("not an rpm database: {0}")]
    Format(String),
    #[error("corrupt rpm database: {0}")]
    Corrupt(String),
    #[error("rpm sqlite database: {0}")]
    Sqlite(String),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RpmPackage {
    pub name: String,
    pub epoch: Option<i32>,
    pub version: String,
    pub release: String,
    pub arch: String,
    pub source_rpm: String,
    pub license: String,
}

impl RpmPackage {
    /// `[epoch:]version-release`, as rpm prints EVR.
    pub fn evr(&self) -> String {
        match self.epoch {
            Some(e) if e > 0 => format!("{e}:{}-{}", self.version, self.release),
            _ => format!("{}-{}", self.version, self.release),
        }
    }

    /// Source package name and version from `name-version-release.src.rpm`.
    pub fn source(&self) -> Option<(String, String)> {
        let base = self.source_rpm.strip_suffix(".rpm")?.rsplit_once('.').map(|(b, _)| b)?;
        let (rest, release) = base.rsplit_once('-')?;
        let (name, version) = rest.rsplit_once('-')?;
        Some((name.to_string(), format!("{version}-{release}")))
    }
}

// ------------------------------------------------------------------ header blob

const TAG_NAME: i32 = 1000;
const TAG_VERSION: i32 = 1001;
const TAG_RELEASE: i32 = 1002;
const TAG_EPOCH: i32 = 1003;
const TAG_LICENSE: i32 = 1014;
const TAG_ARCH: i32 = 1022;
const TAG_SOURCERPM: i32 = 1044;
const TYPE_INT32: u32 = 4;
const TYPE_STRING: u32 = 6;
const TYPE_I18NSTRING: u32 = 9;
/// rpm's own ceiling on a header (header.c `headerMaxbytes`).
const HEADER_MAX: usize = 256 << 20;

fn be_u32(data: &[u8], at: usize) -> Option<u32> {
    data.get(at..at + 4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

fn c_string(data: &[u8]) -> String {
    let end = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    String::from_utf8_lossy(&data[..end]).into_owned()
}

/// Read NAME, EPOCH, VERSION, RELEASE, ARCH, SOURCERPM and LICENSE from one
/// header blob (index entries then the data store, big-endian).
pub fn parse_header(blob: &[u8]) -> Result<RpmPackage, RpmError> {
    let corrupt = |m: &str| RpmError::Corrupt(m.to_string());
    let il = be_u32(blob, 0).ok_or_else(|| corrupt("header shorter than 8 bytes"))? as usize;
    let dl = be_u32(blob, 4).ok_or_else(|| corrupt("header shorter than 8 bytes"))? as usize;
    if il == 0 || il > HEADER_MAX / 16 || dl > HEADER_MAX {
        return Err(corrupt("header index or data length out of range"));
    }
    let data_start = 8 + il * 16;
    let data_end = data_start + dl;
    if data_end > blob.len() {
        return Err(corrupt("header data past the end of the blob"));
    }
    let data = &blob[data_start..data_end];
    let mut pkg = RpmPackage::default();
    for i in 0..il {
        let at = 8 + i * 16;
        let (Some(tag), Some(kind), Some(offset), Some(count)) = (
            be_u32(blob, at),
            be_u32(blob, at + 4),
            be_u32(blob, at + 8),
            be_u32(blob, at + 12),
        ) else {
            return Err(corrupt("truncated index entry"));
        };
        let tag = tag as i32;
        let offset = offset as usize;
        if offset >= data.len() || count == 0 {
            continue;
        }
        let value = &data[offset..];
        match (tag, kind) {
            (TAG_EPOCH, TYPE_INT32) => {
                pkg.epoch = be_u32(value, 0).map(|v| v as i32);
            }
            (
                TAG_NAME | TAG_VERSION | TAG_RELEASE | TAG_ARCH | TAG_SOURCERPM | TAG_LICENSE,
                TYPE_STRING | TYPE_I18NSTRING,
            ) => {
                let mut s = c_string(value);
                if s == "(none)" {
                    s.clear();
                }
                match tag {
                    TAG_NAME => pkg.name = s,
                    TAG_VERSION => pkg.version = s,
                    TAG_RELEASE => pkg.release = s,
                    TAG_ARCH => pkg.arch = s,
                    TAG_SOURCERPM => pkg.source_rpm = s,
                    _ => pkg.license = s,
                }
            }
            _ => {}
        }
    }
    if pkg.name.is_empty() {
        return Err(corrupt("header without a package name"));
    }
    Ok(pkg)
}

// ------------------------------------------------------------------ Berkeley DB hash

const BDB_HASH_MAGIC: u32 = 0x061561;
const BDB_PAGE_HEADER: usize = 26;
const BDB_OVERFLOW: u8 = 7;
const BDB_HASH_PAGE: u8 = 13;
const BDB_HASH_UNSORTED: u8 = 2;
const BDB_HOFFPAGE: u8 = 3;

struct Endian(bool);

impl Endian {
    fn u32(&self, d: &[u8], at: usize) -> Option<u32> {
        let b = d.get(at..at + 4)?;
        let a = [b[0], b[1], b[2], b[3]];
        Some(if self.0 {
            u32::from_be_bytes(a)
        } else {
            u32::from_le_bytes(a)
        })
    }
    fn u16(&self, d: &[u8], at: usize) -> Option<u16> {
        let b = d.get(at..at + 2)?;
        let a = [b[0], b[1]];
        Some(if self.0 {
            u16::from_be_bytes(a)
        } else {
            u16::from_le_bytes(a)
        })
    }
}

/// Header blobs of a Berkeley DB hash database (values stored on overflow pages).
pub fn bdb_blobs(db: &[u8]) -> Result<Vec<Vec<u8>>, RpmError> {
    let le = Endian(false);
    let endian = match le.u32(db, 12) {
        Some(BDB_HASH_MAGIC) => Endian(false),
        Some(m) if m.swap_bytes() == BDB_HASH_MAGIC => Endian(true),
        _ => return Err(RpmError::Format("no Berkeley DB hash magic".to_string())),
    };
    let page_size = endian.u32(db, 20).unwrap_or(0) as usize;
    if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
        return Err(RpmError::Corrupt(format!("page size {page_size}")));
    }
    if db.get(24) != Some(&0) {
        return Err(RpmError::Format("encrypted Berkeley DB".to_string()));
    }
    let last_page = endian.u32(db, 32).unwrap_or(0) as usize;
    let pages = db.len() / page_size;
    let mut blobs = Vec::new();
    // A file shorter than one page has no page to read (found by fuzzing).
    for page_no in 0..pages.min(last_page.saturating_add(1)) {
        let page = &db[page_no * page_size..(page_no + 1) * page_size];
        let kind = page[25];
        if kind != BDB_HASH_PAGE && kind != BDB_HASH_UNSORTED {
            continue;
        }
        let entries = endian.u16(page, 20).unwrap_or(0) as usize;
        // Key/value pairs of 2-byte offsets: keep the values (odd indexes).
        for i in (1..entries).step_by(2) {
            let Some(offset) = endian.u16(page, BDB_PAGE_HEADER + i * 2) else {
                break;
            };
            let offset = offset as usize;
            if page.get(offset) != Some(&BDB_HOFFPAGE) {
                continue;
            }
            let Some(mut next) = endian.u32(page, offset + 4) else {
                continue;
            };
            let total = endian.u32(page, offset + 8).unwrap_or(0) as usize;
            let mut value = Vec::with_capacity(total.min(HEADER_MAX));
            let mut hops = 0;
            while next != 0 {
                hops += 1;
                let start = next as usize * page_size;
                let Some(overflow) = db.get(start..start + page_size) else {
                    return Err(RpmError::Corrupt(format!("overflow page {next} past the end")));
                };
                if hops > pages || value.len() > HEADER_MAX {
                    return Err(RpmError::Corrupt("overflow page chain loops".to_string()));
                }
                if overflow[25] != BDB_OVERFLOW {
                    break;
                }
                let following = endian.u32(overflow, 16).unwrap_or(0);
                let used = if following == 0 {
                    (endian.u16(overflow, 22).unwrap_or(0) as usize).min(page_size - BDB_PAGE_HEADER)
                } else {
                    page_size - BDB_PAGE_HEADER
                };
                value.extend_from_slice(&overflow[BDB_PAGE_HEADER..BDB_PAGE_HEADER + used]);
                next = following;
            }
            blobs.push(value);
        }
    }
    Ok(blobs)
}

// ------------------------------------------------------------------ NDB

const NDB_HEADER_MAGIC: u32 = u32::from_le_bytes(*b"RpmP");
const NDB_SLOT_MAGIC: u32 = u32::from_le_bytes(*b"Slot");
const NDB_BLOB_MAGIC: u32 = u32::from_le_bytes(*b"BlbS");

fn le_u32(d: &[u8], at: usize) -> Option<u32> {
    d.get(at..at + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Header blobs of an NDB `Packages.db`.
pub fn ndb_blobs(db: &[u8]) -> Result<Vec<Vec<u8>>, RpmError> {
    if le_u32(db, 0) != Some(NDB_HEADER_MAGIC) || le_u32(db, 4) != Some(0) {
        return Err(RpmError::Format("no NDB header magic".to_string()));
    }
    let slot_pages = le_u32(db, 12).unwrap_or(0) as usize;
    if slot_pages == 0 || slot_pages > 2048 {
        return Err(RpmError::Corrupt(format!("{slot_pages} slot pages")));
    }
    // 4096-byte slot pages of 16-byte slots; the first two slots are the header.
    let slots = slot_pages * 256 - 2;
    let mut blobs = Vec::new();
    for i in 0..slots {
        let at = 32 + i * 16;
        let Some(magic) = le_u32(db, at) else {
            return Err(RpmError::Corrupt("slot table past the end".to_string()));
        };
        if magic != NDB_SLOT_MAGIC {
            return Err(RpmError::Corrupt(format!("bad slot magic at slot {i}")));
        }
        let pkg_index = le_u32(db, at + 4).unwrap_or(0);
        if pkg_index == 0 {
            continue;
        }
        let block = le_u32(db, at + 8).unwrap_or(0) as usize * 16;
        if le_u32(db, block) != Some(NDB_BLOB_MAGIC) || le_u32(db, block + 4) != Some(pkg_index) {
            return Err(RpmError::Corrupt(format!("no blob for package {pkg_index}")));
        }
        let len = le_u32(db, block + 12).unwrap_or(0) as usize;
        let Some(blob) = db.get(block + 16..block + 16 + len) else {
            return Err(RpmError::Corrupt(format!("blob of package {pkg_index} past the end")));
        };
        blobs.push(blob.to_vec());
    }
    Ok(blobs)
}

// ------------------------------------------------------------------ SQLite

/// Header blobs of `rpmdb.sqlite`, opened in memory (no file written).
pub fn sqlite_blobs(db: &[u8]) -> Result<Vec<Vec<u8>>, RpmError> {
    if !db.starts_with(b"SQLite format 3\0") {
        return Err(RpmError::Format("no SQLite header".to_string()));
    }
    let mut bytes = db.to_vec();
    // A WAL-mode file cannot be opened from memory: mark it rollback-journal.
    if bytes.len() > 19 && bytes[18] == 2 {
        bytes[18] = 1;
        bytes[19] = 1;
    }
    let sql = |e: rusqlite::Error| RpmError::Sqlite(e.to_string());
    let mut connection = rusqlite::Connection::open_in_memory().map_err(sql)?;
    let len = bytes.len();
    connection
        .deserialize_read_exact(rusqlite::MAIN_DB, &bytes[..], len, true)
        .map_err(sql)?;
    let mut statement = connection.prepare("SELECT blob FROM Packages").map_err(sql)?;
    let rows = statement.query_map([], |row| row.get::<_, Vec<u8>>(0)).map_err(sql)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(sql)
}

/// Every package of an rpm database, whatever its backend.
pub fn read_database(bytes: &[u8]) -> Result<(Vec<RpmPackage>, usize), RpmError> {
    let blobs = if bytes.starts_with(b"SQLite format 3\0") {
        sqlite_blobs(bytes)?
    } else if bytes.starts_with(b"RpmP") {
        ndb_blobs(bytes)?
    } else {
        bdb_blobs(bytes)?
    };
    let mut packages = Vec::new();
    let mut bad = 0;
    for blob in blobs {
        match parse_header(&blob) {
            // gpg-pubkey entries are keys, not packages (rpm -qa lists them, Trivy drops them).
            Ok(p) if p.name == "gpg-pubkey" => {}
            Ok(p) => packages.push(p),
            Err(_) => bad += 1,
        }
    }
    Ok((packages, bad))
}

pub(crate) fn catalog(view: &FileSystemView, os: &OsInfo, warnings: &mut Vec<String>) -> Vec<Package> {
    let mut out = Vec::new();
    let candidates: Vec<(String, Option<usize>)> = view
        .files_with_content()
        .filter(|(p, _, _)| wants(p))
        .map(|(p, e, _)| (p.to_string(), e.layer))
        .collect();
    // Prefer the newest backend when several exist (a converted database leaves the old one).
    let order = |p: &str| FILES.iter().rposition(|f| p.ends_with(f)).unwrap_or(0);
    let Some((path, layer)) = candidates.iter().max_by_key(|(p, _)| order(p)).cloned() else {
        return out;
    };
    let Some(bytes) = view.read(&path) else { return out };
    let (packages, bad) = match read_database(bytes) {
        Ok(r) => r,
        Err(e) => {
            warnings.push(format!("{path}: {e}"));
            return out;
        }
    };
    if bad > 0 {
        warnings.push(format!("{path}: {bad} unreadable package headers skipped"));
    }
    let namespace = match os.family.as_str() {
        "none" | "" => "redhat".to_string(),
        f => f.to_string(),
    };
    let distro = os.purl_distro();
    let layer = view.layer_diff_id(layer).map(str::to_string);
    for p in packages {
        let version = p.evr();
        let epoch = p.epoch.filter(|e| *e > 0).map(|e| e.to_string()).unwrap_or_default();
        let source = p.source();
        out.push(Package {
            purl: purl(
                "rpm",
                Some(&namespace),
                &p.name,
                &format!("{}-{}", p.version, p.release),
                &[("arch", &p.arch), ("distro", &distro), ("epoch", &epoch)],
            ),
            source_name: source.as_ref().map(|s| s.0.clone()),
            source_version: source.map(|s| s.1),
            licenses: crate::licence::rpm(&p.license),
            found_in: path.clone(),
            layer: layer.clone(),
            arch: Some(p.arch.clone()).filter(|a| !a.is_empty()),
            name: p.name,
            version,
            ecosystem: Ecosystem::Rpm,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bdb_shorter_than_one_page_is_not_a_panic() {
        // Found by fuzz target rpm_database: a valid hash-db header announcing
        // 4096-byte pages in a file shorter than one page.
        let mut db = vec![0u8; 1286];
        db[12..16].copy_from_slice(&BDB_HASH_MAGIC.to_le_bytes());
        db[20..24].copy_from_slice(&4096u32.to_le_bytes());
        assert!(bdb_blobs(&db).unwrap_or_default().is_empty());
    }

    /// A real rpm database from testdata/pkgdb/rpm, kept gzip-compressed in the repository.
    pub(super) fn real_database(dir: &str, file: &str) -> Vec<u8> {
        use std::io::Read as _;
        let path = format!(
            "{}/../../testdata/pkgdb/rpm/{dir}/{file}.gz",
            env!("CARGO_MANIFEST_DIR")
        );
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap())
            .read_to_end(&mut bytes)
            .unwrap();
        bytes
    }

    fn check(dir: &str, file: &str) {
        let base = format!("{}/../../testdata/pkgdb/rpm/{dir}", env!("CARGO_MANIFEST_DIR"));
        let bytes = real_database(dir, file);
        let expected = std::fs::read_to_string(format!("{base}/expected.tsv")).unwrap();
        let (packages, bad) = read_database(&bytes).unwrap();
        assert_eq!(bad, 0);
        let mut got: Vec<String> = packages
            .iter()
            .map(|p| {
                format!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    p.name,
                    p.epoch.unwrap_or(0),
                    p.version,
                    p.release,
                    p.arch,
                    p.source_rpm
                )
            })
            .collect();
        let mut want: Vec<String> = expected.lines().map(str::to_string).collect();
        got.sort();
        want.sort();
        assert_eq!(got, want);
    }

    #[test]
    fn sqlite_matches_expected() {
        check("cbl-mariner-2.0", "rpmdb.sqlite");
    }

    #[test]
    fn bdb_matches_expected() {
        check("libuuid", "Packages");
    }

    #[test]
    fn ndb_matches_expected() {
        check("sle15-bci", "Packages.db");
    }

    #[test]
    fn source_rpm_splits() {
        let p = RpmPackage {
            source_rpm: "util-linux-2.32.1-42.el8_8.src.rpm".to_string(),
            ..Default::default()
        };
        assert_eq!(
            p.source(),
            Some(("util-linux".to_string(), "2.32.1-42.el8_8".to_string()))
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(read_database(b"garbage").is_err());
        assert!(parse_header(&[0, 0, 0, 1, 0, 0, 0, 1]).is_err());
        assert!(ndb_blobs(b"RpmP\0\0\0\0\0\0\0\0\xff\xff\xff\xff").is_err());
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn backends_never_panic(data in proptest::collection::vec(any::<u8>(), 0..4096)) {
            let _ = parse_header(&data);
            let _ = bdb_blobs(&data);
            let _ = ndb_blobs(&data);
        }

        #[test]
        fn corrupted_real_bdb_never_panics(flips in proptest::collection::vec((0usize..94208, any::<u8>()), 1..20)) {
            let mut data = super::tests::real_database("libuuid", "Packages");
            for (at, byte) in flips {
                if let Some(b) = data.get_mut(at) {
                    *b = byte;
                }
            }
            let _ = read_database(&data);
        }
    }
}
