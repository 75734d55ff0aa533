//! A parser for `/proc/PID/status`, the file the lab read by eye.
//!
//! Written by hand rather than taken from procfs: vigie must accept a pasted,
//! partial copy (a few lines, tabs turned into spaces by a terminal) and name
//! the exact line and field when something is wrong; procfs-core's `Status`
//! needs the whole file and reports errors without their line.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusError {
    #[error("line {line}: invalid value for {field}: '{value}' ({reason})")]
    InvalidField {
        line: usize,
        field: String,
        value: String,
        reason: String,
    },
    #[error("line {line}: {field} given twice")]
    Duplicate { line: usize, field: String },
    #[error("no capability lines found (expected CapInh/CapPrm/CapEff/CapBnd/CapAmb as in /proc/PID/status)")]
    NoCapabilities,
}

/// The security-relevant fields of a status file. Absent lines stay `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProcStatus {
    pub name: Option<String>,
    pub pid: Option<u32>,
    /// Real, effective, saved, filesystem.
    pub uid: Option<[u32; 4]>,
    pub gid: Option<[u32; 4]>,
    pub groups: Option<Vec<u32>>,
    pub cap_inh: Option<u64>,
    pub cap_prm: Option<u64>,
    pub cap_eff: Option<u64>,
    pub cap_bnd: Option<u64>,
    pub cap_amb: Option<u64>,
    pub no_new_privs: Option<u8>,
    /// 0 disabled, 1 strict, 2 filter.
    pub seccomp: Option<u8>,
    pub seccomp_filters: Option<u32>,
    /// The original lines of the fields above, for evidence (`CapEff:\t…`).
    #[serde(skip)]
    pub lines: Vec<(String, String)>,
}

impl ProcStatus {
    /// The original line of a field, for evidence.
    pub fn line(&self, field: &str) -> Option<&str> {
        self.lines.iter().find(|(f, _)| f == field).map(|(_, l)| l.as_str())
    }

    /// The five capability sets, in the kernel's order, with their field names.
    pub fn cap_sets(&self) -> [(&'static str, Option<u64>); 5] {
        [
            ("CapInh", self.cap_inh),
            ("CapPrm", self.cap_prm),
            ("CapEff", self.cap_eff),
            ("CapBnd", self.cap_bnd),
            ("CapAmb", self.cap_amb),
        ]
    }
}

fn invalid(line: usize, field: &str, value: &str, reason: impl Into<String>) -> StatusError {
    StatusError::InvalidField {
        line,
        field: field.to_string(),
        value: value.chars().take(80).collect(),
        reason: reason.into(),
    }
}

fn set_once<T>(slot: &mut Option<T>, value: T, line: usize, field: &str) -> Result<(), StatusError> {
    if slot.is_some() {
        return Err(StatusError::Duplicate {
            line,
            field: field.to_string(),
        });
    }
    *slot = Some(value);
    Ok(())
}

fn ids<const N: usize>(value: &str, line: usize, field: &str) -> Result<[u32; N], StatusError> {
    let parts: Vec<&str> = value.split_whitespace().collect();
    if parts.len() != N {
        return Err(invalid(line, field, value, format!("expected {N} numbers")));
    }
    let mut out = [0u32; N];
    for (slot, part) in out.iter_mut().zip(parts) {
        *slot = part
            .parse()
            .map_err(|_| invalid(line, field, value, format!("'{part}' is not a number")))?;
    }
    Ok(out)
}

fn number<T: std::str::FromStr>(value: &str, line: usize, field: &str) -> Result<T, StatusError> {
    value
        .trim()
        .parse()
        .map_err(|_| invalid(line, field, value, "not a number"))
}

/// Parse the text of a status file. Unknown lines are ignored; lines without
/// a colon are ignored too (a paste may carry a shell prompt).
pub fn parse_status(text: &str) -> Result<ProcStatus, StatusError> {
    let mut status = ProcStatus::default();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let Some((key, value)) = raw.split_once(':') else {
            continue;
        };
        let key = key.trim();
        let value = value.trim();
        let known = match key {
            "Name" => {
                set_once(&mut status.name, value.to_string(), line, key)?;
                true
            }
            "Pid" => {
                set_once(&mut status.pid, number(value, line, key)?, line, key)?;
                true
            }
            "Uid" => {
                set_once(&mut status.uid, ids::<4>(value, line, key)?, line, key)?;
                true
            }
            "Gid" => {
                set_once(&mut status.gid, ids::<4>(value, line, key)?, line, key)?;
                true
            }
            "Groups" => {
                let groups = value
                    .split_whitespace()
                    .map(|g| number::<u32>(g, line, key))
                    .collect::<Result<Vec<_>, _>>()?;
                set_once(&mut status.groups, groups, line, key)?;
                true
            }
            "CapInh" | "CapPrm" | "CapEff" | "CapBnd" | "CapAmb" => {
                let mask = crate::parse_mask(value).map_err(|e| invalid(line, key, value, e.to_string()))?;
                let slot = match key {
                    "CapInh" => &mut status.cap_inh,
                    "CapPrm" => &mut status.cap_prm,
                    "CapEff" => &mut status.cap_eff,
                    "CapBnd" => &mut status.cap_bnd,
                    _ => &mut status.cap_amb,
                };
                set_once(slot, mask, line, key)?;
                true
            }
            "NoNewPrivs" => {
                let v: u8 = number(value, line, key)?;
                if v > 1 {
                    return Err(invalid(line, key, value, "expected 0 or 1"));
                }
                set_once(&mut status.no_new_privs, v, line, key)?;
                true
            }
            "Seccomp" => {
                let v: u8 = number(value, line, key)?;
                if v > 2 {
                    return Err(invalid(line, key, value, "expected 0, 1 or 2"));
                }
                set_once(&mut status.seccomp, v, line, key)?;
                true
            }
            "Seccomp_filters" => {
                set_once(&mut status.seccomp_filters, number(value, line, key)?, line, key)?;
                true
            }
            _ => false,
        };
        if known {
            status.lines.push((key.to_string(), raw.trim_end().to_string()));
        }
    }
    if status.cap_sets().iter().all(|(_, v)| v.is_none()) {
        return Err(StatusError::NoCapabilities);
    }
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAB: &str = "Name:\tcat\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\t0 1 2 3 4 6 10 11 20 26 27\n\
CapInh:\t0000000000000000\nCapPrm:\t00000000a82425fb\nCapEff:\t00000000a82425fb\nCapBnd:\t00000000a82425fb\n\
CapAmb:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n";

    #[test]
    fn parses_the_lab_status() {
        let s = parse_status(LAB).unwrap();
        assert_eq!(s.cap_eff, Some(0xa824_25fb));
        assert_eq!(s.uid, Some([0; 4]));
        assert_eq!(s.groups.as_ref().map(Vec::len), Some(11));
        assert_eq!(s.no_new_privs, Some(0));
        assert_eq!(s.seccomp, Some(0));
        assert_eq!(s.line("CapEff"), Some("CapEff:\t00000000a82425fb"));
    }

    #[test]
    fn pasted_with_spaces_and_prompt() {
        let s = parse_status("$ cat /proc/self/status\nCapEff:  00000000a80425fb\n").unwrap();
        assert_eq!(s.cap_eff, Some(0xa804_25fb));
    }

    #[test]
    fn errors_name_line_and_field() {
        let e = parse_status("Name:\tx\nCapEff:\tzz\n").unwrap_err();
        assert_eq!(e.to_string().split(':').next(), Some("line 2"));
        assert!(e.to_string().contains("CapEff"));
        assert_eq!(parse_status("Name: x\n"), Err(StatusError::NoCapabilities));
        assert!(matches!(
            parse_status("CapEff: 0\nCapEff: 0\n"),
            Err(StatusError::Duplicate { .. })
        ));
        assert!(parse_status("Uid: 0 0\nCapEff: 0\n").is_err());
        assert!(parse_status("Seccomp: 3\nCapEff: 0\n").is_err());
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in ".{0,400}") {
            let _ = parse_status(&text);
        }

        #[test]
        fn round_trips_masks(mask in proptest::num::u64::ANY) {
            let s = parse_status(&format!("CapEff:\t{mask:016x}\n")).unwrap();
            proptest::prop_assert_eq!(s.cap_eff, Some(mask));
        }
    }
}
