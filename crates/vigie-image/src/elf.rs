//! ELF headers, on the `object` crate, for the three places vigie reads
//! them: the build info sections of catalogued binaries (Go's
//! `.go.buildinfo`, cargo-auditable's `.dep-v0`) in memory, the same
//! sections of files met by a directory walk, read from the file without
//! the rest of it, and the interpreter a binary asks for (the static vigie
//! mounted into runtime probes). 64-bit files, either byte order.
//!
//! Everything is bounded: a section or interpreter name larger than the
//! caller's limit is not read, so a corrupt header cannot ask for gigabytes.

use object::elf::{FileHeader64, PT_INTERP};
use object::read::elf::{FileHeader, ProgramHeader, SectionHeader};
use object::{Endianness, ReadCache, ReadRef};

type Header = FileHeader64<Endianness>;

/// The bytes of section `name` of an ELF file held in memory; `None` for any
/// other file, a malformed table, a missing section or one past the data.
pub fn section<'data>(data: &'data [u8], name: &str) -> Option<&'data [u8]> {
    find_section(data, &[name], u64::MAX).map(|(_, bytes)| bytes)
}

/// The first of `wanted` sections an ELF file held in memory has (name,
/// bytes): the section table is read once.
pub fn first_section<'data, 'name>(data: &'data [u8], wanted: &[&'name str]) -> Option<(&'name str, &'data [u8])> {
    find_section(data, wanted, u64::MAX)
}

/// Whether an ELF file held in memory has a section called `name`.
pub fn has_section(data: &[u8], name: &str) -> bool {
    let Some((header, endian)) = parse(data) else {
        return false;
    };
    header
        .sections(endian, data)
        .is_ok_and(|sections| sections.section_by_name(endian, name.as_bytes()).is_some())
}

/// The first of `wanted` sections an ELF file has (name, bytes), reading its
/// headers and that section only. Sections larger than `max` bytes are not
/// read (`None`). An I/O error reading the file is a malformed file here:
/// the caller has already opened and sniffed it.
pub fn read_section(file: &std::fs::File, wanted: &[&'static str], max: u64) -> Option<(&'static str, Vec<u8>)> {
    let cache = ReadCache::new(file);
    find_section(&cache, wanted, max).map(|(name, bytes)| (name, bytes.to_vec()))
}

/// The interpreter (PT_INTERP) an ELF file asks for, `None` for a static
/// binary (a static-pie has PT_DYNAMIC but no PT_INTERP, and runs anywhere).
/// An error names what is wrong with the file.
pub fn interpreter(file: &std::fs::File) -> Result<Option<String>, &'static str> {
    let cache = ReadCache::new(file);
    let data = &cache;
    let (header, endian) = parse(data).ok_or("not a 64-bit ELF executable")?;
    let headers = header
        .program_headers(endian, data)
        .map_err(|_| "malformed ELF program header table")?;
    for program in headers {
        if program.p_type(endian) == PT_INTERP {
            if program.p_filesz(endian) > 4096 {
                return Err("malformed ELF interpreter name");
            }
            let name = program
                .data(endian, data)
                .map_err(|_| "truncated ELF interpreter name")?;
            return Ok(Some(String::from_utf8_lossy(name).trim_end_matches('\0').to_string()));
        }
    }
    Ok(None)
}

fn parse<'data, R: ReadRef<'data>>(data: R) -> Option<(&'data Header, Endianness)> {
    let header = Header::parse(data).ok()?;
    let endian = header.endian().ok()?;
    Some((header, endian))
}

fn find_section<'data, 'name, R: ReadRef<'data>>(
    data: R,
    wanted: &[&'name str],
    max: u64,
) -> Option<(&'name str, &'data [u8])> {
    let (header, endian) = parse(data)?;
    // Section names are read from the string table one at a time, never the
    // whole table at once.
    let sections = header.sections(endian, data).ok()?;
    for name in wanted {
        let Some((_, section)) = sections.section_by_name(endian, name.as_bytes()) else {
            continue;
        };
        if section.sh_size(endian) > max {
            return None;
        }
        return section.data(endian, data).ok().map(|bytes| (*name, bytes));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal ELF64 little-endian file: header, one named section, the
    /// section name table.
    fn synthetic(section_name: &[u8], payload: &[u8]) -> Vec<u8> {
        let mut elf = vec![0u8; 64];
        elf[..7].copy_from_slice(b"\x7fELF\x02\x01\x01");
        let mut names = b"\0".to_vec();
        names.extend_from_slice(section_name);
        names.extend_from_slice(b"\0.shstrtab\0");
        let payload_at = 64u64;
        let names_at = payload_at + payload.len() as u64;
        let table_at = names_at + names.len() as u64;
        elf.extend_from_slice(payload);
        elf.extend_from_slice(&names);
        let section = |name: u32, offset: u64, size: u64| {
            let mut s = vec![0u8; 64];
            s[..4].copy_from_slice(&name.to_le_bytes());
            s[4..8].copy_from_slice(&1u32.to_le_bytes()); // SHT_PROGBITS
            s[0x18..0x20].copy_from_slice(&offset.to_le_bytes());
            s[0x20..0x28].copy_from_slice(&size.to_le_bytes());
            s
        };
        elf.extend(section(0, 0, 0));
        elf.extend(section(1, payload_at, payload.len() as u64));
        let strtab = u32::try_from(section_name.len() + 2).unwrap();
        let mut names_section = section(strtab, names_at, names.len() as u64);
        names_section[4..8].copy_from_slice(&3u32.to_le_bytes()); // SHT_STRTAB
        elf.extend(names_section);
        elf[0x28..0x30].copy_from_slice(&table_at.to_le_bytes());
        elf[0x34..0x36].copy_from_slice(&64u16.to_le_bytes());
        elf[0x3a..0x3c].copy_from_slice(&64u16.to_le_bytes());
        elf[0x3c..0x3e].copy_from_slice(&3u16.to_le_bytes());
        elf[0x3e..0x40].copy_from_slice(&2u16.to_le_bytes());
        elf
    }

    #[test]
    fn sections_in_memory_and_from_files() {
        let elf = synthetic(b".go.buildinfo", b"payload!");
        assert_eq!(section(&elf, ".go.buildinfo"), Some(&b"payload!"[..]));
        assert!(has_section(&elf, ".go.buildinfo"));
        assert!(!has_section(&elf, ".dep-v0"));
        assert_eq!(section(&elf, ".dep-v0"), None);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bin");
        std::fs::write(&path, &elf).unwrap();
        let file = std::fs::File::open(&path).unwrap();
        assert_eq!(
            read_section(&file, &[".dep-v0", ".go.buildinfo"], 1 << 20),
            Some((".go.buildinfo", b"payload!".to_vec()))
        );
        assert_eq!(read_section(&file, &[".dep-v0"], 1 << 20), None);
        // Over the limit: not read.
        assert_eq!(read_section(&file, &[".go.buildinfo"], 4), None);
    }

    #[test]
    fn garbage_and_lies_give_nothing() {
        assert_eq!(section(b"#!/bin/sh\n", ".text"), None);
        assert_eq!(section(b"\x7fELF\x02\x01garbage", ".text"), None);
        let mut elf = synthetic(b".dep-v0", b"xx");
        // A section claiming to be far larger than the file.
        let at = elf.len() - 2 * 64 + 0x20;
        elf[at..at + 8].copy_from_slice(&(1u64 << 40).to_le_bytes());
        assert_eq!(section(&elf, ".dep-v0"), None);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bin");
        std::fs::write(&path, &elf).unwrap();
        let file = std::fs::File::open(&path).unwrap();
        assert_eq!(read_section(&file, &[".dep-v0"], u64::MAX), None);
        for cut in [0, 10, 63, 64, 70] {
            assert_eq!(section(&elf[..cut], ".dep-v0"), None);
        }
    }

    #[test]
    fn interpreter_of_this_test_binary() {
        // The test binary is dynamically linked (the host build).
        let me = std::fs::File::open(std::env::current_exe().unwrap()).unwrap();
        let interp = interpreter(&me).unwrap();
        assert!(interp.is_some_and(|i| i.contains("ld-linux")));
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("script");
        std::fs::write(&text, "#!/bin/sh\n").unwrap();
        assert!(interpreter(&std::fs::File::open(&text).unwrap()).is_err());
        let elf = dir.path().join("elf");
        std::fs::write(&elf, synthetic(b".text", b"x")).unwrap();
        assert_eq!(interpreter(&std::fs::File::open(&elf).unwrap()), Ok(None));
    }
}
