//! Linux capabilities as vigie sees them. Pipeline place: the lowest layer,
//! used by `vigie caps`, `vigie inside` (a process's own sets) and the audit
//! rules (a container's configured CapAdd/CapDrop). Pure data, no I/O.

pub mod explain;
mod names;
pub mod report;
mod status;

pub use names::{CAPABILITIES, Capability, Danger, by_name, by_number};
pub use status::{ProcStatus, StatusError, parse_status};

use serde::Serialize;

/// Docker's default capability set (moby `oci/caps/defaults.go`): CHOWN,
/// DAC_OVERRIDE, FSETID, FOWNER, MKNOD, NET_RAW, SETGID, SETUID, SETFCAP,
/// SETPCAP, NET_BIND_SERVICE, SYS_CHROOT, KILL, AUDIT_WRITE.
pub const DOCKER_DEFAULT: u64 = 0xa804_25fb;

/// Highest capability number this build knows a name for (CAP_CHECKPOINT_RESTORE, Linux 5.9+).
pub const LAST_KNOWN_CAP: u8 = 40;

/// Fewest capabilities a kernel that runs Docker has: 38 (CAP_AUDIT_READ, Linux 3.16).
/// Used to judge a "full set" when the kernel that produced a mask is unknown.
const MIN_KERNEL_CAPS: u32 = 38;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MaskError {
    #[error("invalid capability mask '{0}': expected up to 16 hex digits, optionally prefixed by 0x")]
    Invalid(String),
    #[error("capability mask '{0}' does not fit in 64 bits")]
    TooLong(String),
}

/// Parse a hex mask as printed in `/proc/PID/status` (`00000000a82425fb`),
/// with or without `0x`, up to 64 bits.
pub fn parse_mask(text: &str) -> Result<u64, MaskError> {
    let trimmed = text.trim();
    let digits = trimmed
        .strip_prefix("0x")
        .or_else(|| trimmed.strip_prefix("0X"))
        .unwrap_or(trimmed);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(MaskError::Invalid(text.trim().to_string()));
    }
    let significant = digits.trim_start_matches('0');
    if significant.len() > 16 {
        return Err(MaskError::TooLong(text.trim().to_string()));
    }
    u64::from_str_radix(if significant.is_empty() { "0" } else { significant }, 16)
        .map_err(|_| MaskError::Invalid(text.trim().to_string()))
}

/// The bits of a mask, in increasing order.
pub fn bits(mask: u64) -> impl Iterator<Item = u8> {
    (0u8..64).filter(move |bit| mask & (1u64 << bit) != 0)
}

/// Name of one bit: `CAP_SYS_ADMIN`, or `bit 45` when no capability has that number.
pub fn bit_name(bit: u8) -> String {
    match by_number(bit) {
        Some(cap) => cap.name.to_string(),
        None => format!("bit {bit}"),
    }
}

/// The full capability set of a kernel whose `/proc/sys/kernel/cap_last_cap` is `last_cap`.
pub fn full_set(last_cap: u8) -> u64 {
    if last_cap >= 63 {
        u64::MAX
    } else {
        (1u64 << (u32::from(last_cap) + 1)) - 1
    }
}

/// Whether `mask` holds every capability of the kernel. With the kernel's
/// `cap_last_cap` this is exact; without it, a mask is judged full when it is
/// a contiguous run of low bits at least as long as the oldest kernel Docker
/// runs on has — the shape every kernel gives a privileged process.
pub fn is_full_set(mask: u64, last_cap: Option<u8>) -> bool {
    match last_cap {
        Some(last) => {
            let full = full_set(last);
            mask & full == full
        }
        None => mask != 0 && mask.wrapping_add(1) & mask == 0 && mask.count_ones() >= MIN_KERNEL_CAPS,
    }
}

/// `capsh --decode=MASK`, byte for byte (libcap 2.66): `0x%016llx=` then the
/// comma-separated lower-case names, unknown bits as their number.
pub fn capsh_decode(mask: u64) -> String {
    let names: Vec<String> = bits(mask)
        .map(|bit| match by_number(bit) {
            Some(cap) => cap.name.to_ascii_lowercase(),
            None => bit.to_string(),
        })
        .collect();
    format!("0x{mask:016x}={}", names.join(","))
}

/// A decoded capability set, relative to Docker's default set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecodedSet {
    pub mask: String,
    pub value: u64,
    pub capabilities: Vec<String>,
    /// In this set but not in Docker's default set.
    pub added: Vec<String>,
    /// In Docker's default set but not in this set.
    pub removed: Vec<String>,
    pub dangerous: Vec<DangerousCap>,
    pub full_set: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DangerousCap {
    pub name: String,
    pub severity: &'static str,
    pub why: &'static str,
    /// Part of Docker's default set (so present in every default container).
    pub in_docker_default: bool,
}

pub fn decode(mask: u64, last_cap: Option<u8>) -> DecodedSet {
    let names = |m: u64| bits(m).map(bit_name).collect::<Vec<_>>();
    let dangerous = bits(mask)
        .filter_map(|bit| {
            let cap = by_number(bit)?;
            let danger = cap.danger?;
            Some(DangerousCap {
                name: cap.name.to_string(),
                severity: danger.severity,
                why: danger.why,
                in_docker_default: DOCKER_DEFAULT & (1u64 << bit) != 0,
            })
        })
        .collect();
    DecodedSet {
        mask: format!("{mask:016x}"),
        value: mask,
        capabilities: names(mask),
        added: names(mask & !DOCKER_DEFAULT),
        removed: names(DOCKER_DEFAULT & !mask),
        dangerous,
        full_set: is_full_set(mask, last_cap),
    }
}

/// The effective set Docker gives a container from its configuration:
/// defaults (or every capability when privileged), plus CapAdd, minus CapDrop.
/// `ALL` in either list is handled as Docker does: CapDrop ALL then CapAdd X
/// keeps X; CapAdd ALL is the full set. Unknown names are returned so the
/// caller can report them.
pub fn docker_effective(privileged: bool, cap_add: &[String], cap_drop: &[String], last_cap: u8) -> (u64, Vec<String>) {
    let full = full_set(last_cap);
    if privileged {
        return (full, Vec::new());
    }
    let mut unknown = Vec::new();
    let mut resolve = |list: &[String]| -> (bool, u64) {
        let mut all = false;
        let mut mask = 0u64;
        for name in list {
            if name.eq_ignore_ascii_case("ALL") {
                all = true;
            } else if let Some(cap) = by_name(name) {
                mask |= 1u64 << cap.number;
            } else {
                unknown.push(name.clone());
            }
        }
        (all, mask)
    };
    let (add_all, add) = resolve(cap_add);
    let (drop_all, drop) = resolve(cap_drop);
    // moby's caps.TweakCapabilities: CapAdd ALL wins (everything minus CapDrop);
    // else CapDrop ALL keeps exactly CapAdd; else (defaults - CapDrop) + CapAdd.
    let set = if add_all {
        full & !drop
    } else if drop_all {
        add & full
    } else {
        (DOCKER_DEFAULT & full & !drop) | (add & full)
    };
    (set, unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_masks() {
        assert_eq!(parse_mask("00000000a82425fb"), Ok(0xa824_25fb));
        assert_eq!(parse_mask("0xA82425FB"), Ok(0xa824_25fb));
        assert_eq!(parse_mask("ffffffffffffffff"), Ok(u64::MAX));
        assert_eq!(parse_mask("0000ffffffffffffffff"), Ok(u64::MAX));
        assert!(matches!(parse_mask("1ffffffffffffffff"), Err(MaskError::TooLong(_))));
        assert!(matches!(parse_mask("xyz"), Err(MaskError::Invalid(_))));
        assert!(matches!(parse_mask(""), Err(MaskError::Invalid(_))));
        assert!(matches!(parse_mask("0x"), Err(MaskError::Invalid(_))));
        assert!(matches!(parse_mask("-1"), Err(MaskError::Invalid(_))));
    }

    #[test]
    fn lab_mask_adds_sys_admin() {
        let set = decode(0xa824_25fb, Some(40));
        assert_eq!(set.added, vec!["CAP_SYS_ADMIN"]);
        assert!(set.removed.is_empty());
        assert!(set.dangerous.iter().any(|d| d.name == "CAP_SYS_ADMIN"));
        assert!(!set.full_set);
    }

    #[test]
    fn full_set_depends_on_kernel() {
        assert!(is_full_set(0x3f_ffff_ffff, Some(37)));
        assert!(is_full_set(0x1ff_ffff_ffff, Some(40)));
        assert!(!is_full_set(0x3f_ffff_ffff, Some(40)));
        assert!(is_full_set(0x3f_ffff_ffff, None));
        assert!(is_full_set(0x1ff_ffff_ffff, None));
        assert!(!is_full_set(DOCKER_DEFAULT, None));
        assert!(!is_full_set(0xff, None));
    }

    #[test]
    fn unknown_bits_are_named() {
        assert_eq!(bit_name(45), "bit 45");
        assert_eq!(capsh_decode(1 << 45), "0x0000200000000000=45");
        assert_eq!(capsh_decode(0), "0x0000000000000000=");
    }

    #[test]
    fn docker_effective_handles_all() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(docker_effective(false, &[], &[], 40).0, DOCKER_DEFAULT);
        assert_eq!(docker_effective(false, &s(&["SYS_ADMIN"]), &[], 40).0, 0xa824_25fb);
        assert_eq!(docker_effective(false, &s(&["CAP_SYS_ADMIN"]), &[], 40).0, 0xa824_25fb);
        assert_eq!(
            docker_effective(false, &s(&["NET_BIND_SERVICE"]), &s(&["ALL"]), 40).0,
            1 << 10
        );
        assert_eq!(docker_effective(false, &s(&["ALL"]), &[], 40).0, full_set(40));
        assert_eq!(
            docker_effective(false, &s(&["ALL"]), &s(&["SYS_ADMIN"]), 40).0,
            full_set(40) & !(1 << 21)
        );
        assert_eq!(docker_effective(true, &[], &s(&["ALL"]), 40).0, full_set(40));
        assert_eq!(docker_effective(false, &[], &s(&["chown"]), 40).0, DOCKER_DEFAULT & !1);
        assert_eq!(
            docker_effective(false, &s(&["BOGUS"]), &[], 40).1,
            vec!["BOGUS".to_string()]
        );
    }
}
