//! Debian package licences from `/usr/share/doc/<package>/copyright`, read
//! line by line as Trivy reads them (so the two compare on the same image):
//! - every `License:` field (machine-readable DEP-5 files): its short name,
//!   cut at `(`, expressions split on ` or `, ` and ` and `, ` (a `with …
//!   exception` stays attached to its licence);
//! - every `/usr/share/common-licenses/NAME` a line cites (free-form files,
//!   and DEP-5 licence texts).
//!
//! Names are normalised by `crate::licence` (SPDX ids where exact). No
//! crate parses DEP-5 licences; these are RFC 822 fields.

use crate::licence::{normalise, split_expression};

/// Files larger than this are not read (real ones are under 200 KiB; the
/// largest in Debian, for a few huge source packages, about 600 KiB).
pub(crate) const MAX_SIZE: u64 = 1 << 20;

const DOC: &str = "/usr/share/doc/";

/// `/usr/share/doc/<package>/copyright`.
pub(crate) fn wants(path: &str) -> bool {
    path.strip_prefix(DOC)
        .and_then(|rest| rest.strip_suffix("/copyright"))
        .is_some_and(|package| !package.is_empty() && !package.contains('/'))
}

/// The copyright file of a package.
pub(crate) fn path_of(package: &str) -> String {
    format!("{DOC}{package}/copyright")
}

/// The licences a copyright file declares, normalised, deduplicated, in order.
pub fn licenses(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |name: &str| {
        let name = normalise(name);
        if !name.is_empty() && !out.contains(&name) {
            out.push(name);
        }
    };
    const COMMON: &str = "/usr/share/common-licenses/";
    for line in text.lines() {
        if let Some(value) = line.strip_prefix("License:") {
            let value = value.split('(').next().unwrap_or_default().trim();
            for part in split_expression(value) {
                push(part);
            }
        } else if let Some(at) = line.find(COMMON) {
            let name: String = line[at + COMMON.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-' | '_'))
                .collect();
            push(name.trim_end_matches(['.', '-', '_']));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machine_readable_files() {
        let text = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\
Upstream-Name: x\n\nFiles: *\nCopyright: 2000 Someone\nLicense: GPL-2+\n\n\
Files: lib/*\nLicense: Expat or BSD-3-clause\n\nFiles: y\nLicense: GPL-3+ with Bison exception\n\n\
License: GPL-2+\n This program is free software\n .\n On Debian systems, see /usr/share/common-licenses/GPL-2.\n";
        assert_eq!(
            licenses(text),
            [
                "GPL-2.0-or-later",
                "MIT",
                "BSD-3-Clause",
                "GPL-3+ with Bison exception",
                "GPL-2.0-only"
            ]
        );
    }

    #[test]
    fn free_form_files_cite_common_licenses() {
        let text = "This is Debian's prepackaged version.\n\nCopyright (C) 1999 X\n\n\
On Debian GNU/Linux systems, the complete text of the GNU General Public\n\
License can be found in `/usr/share/common-licenses/GPL-2'.\n\
and /usr/share/common-licenses/LGPL-2.1.\n";
        assert_eq!(licenses(text), ["GPL-2.0-only", "LGPL-2.1-only"]);
        assert!(licenses("no licence named here").is_empty());
    }

    #[test]
    fn only_package_doc_dirs() {
        assert!(wants("/usr/share/doc/bash/copyright"));
        assert!(!wants("/usr/share/doc/bash/x/copyright") && !wants("/usr/share/doc//copyright"));
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,600}") {
            let _ = licenses(&text);
            let _ = licenses(&format!("Format: x\nLicense: {text}\n"));
        }
    }
}
